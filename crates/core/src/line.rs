//! The monitoring line 防止返贫监测线 (§三(一)1: "对标防止返贫监测线（人均可支配收入
//! 6500元）"): a per-capita yearly income set per province and year, which may
//! change; 2021 6000 yuan (national floor), 2022 6500 yuan (this plan). The
//! table is data: the province admin 省级管理员 sets its province's line and whether its counties may
//! set their own (a county line, where allowed, applies to that county only); [`LineTable::default_for`]
//! gives the plan's defaults.

use crate::codes::code_list;
use crate::money::Fen;

/// Default "near the line" factor in percent: below 1.5 × the line is 临近监测线.
pub const DEFAULT_NEAR_FACTOR_PCT: u32 = 150;
/// Default threshold of a clear income drop 明显下降, in percent of last year's income.
pub const DEFAULT_DROP_PCT: u32 = 30;

/// The line of one province for one year.
#[derive(Clone, PartialEq, Eq, Debug, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MonitoringLine {
    /// Province code: the first 2 digits of the division code (`14` = 山西).
    pub province: String,
    /// The year.
    pub year: i32,
    /// Per-capita yearly net income in 分.
    pub line: Fen,
}

/// A county's own line for one year (县级监测线), in force where its province allows counties to set
/// one ([`LineTable::line_for`]).
#[derive(Clone, PartialEq, Eq, Debug, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CountyLine {
    /// County code: the first 6 digits of the division code.
    pub county: String,
    /// The year.
    pub year: i32,
    /// Per-capita yearly net income in 分.
    pub line: Fen,
}

/// The line in force for an area and year ([`LineTable::in_force`]).
#[derive(Clone, Copy, PartialEq, Eq, Debug, serde::Serialize)]
pub struct LineInForce {
    /// The year the line was set for (the latest ≤ the year asked).
    pub year: i32,
    /// The line.
    pub line: Fen,
    /// Whether it is the county's own line (else the province's).
    pub county: bool,
}

/// A table of monitoring lines by province and year, the counties' own lines, and the provinces that
/// keep one line for all their counties.
#[derive(Clone, PartialEq, Eq, Debug, Default, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LineTable {
    lines: Vec<MonitoringLine>,
    #[serde(default)]
    county_lines: Vec<CountyLine>,
    /// Provinces whose counties may not set their own line (省级统一).
    #[serde(default)]
    closed: Vec<String>,
}

impl LineTable {
    /// An empty table.
    pub fn new() -> LineTable {
        LineTable::default()
    }

    /// A table from rows; a later row for the same province and year wins.
    pub fn from_lines(lines: impl IntoIterator<Item = MonitoringLine>) -> LineTable {
        let mut t = LineTable::new();
        for l in lines {
            t.set(&l.province, l.year, l.line);
        }
        t
    }

    /// The plan's defaults for a province: 2021 → 6000.00, 2022 → 6500.00 yuan.
    pub fn default_for(province: &str) -> LineTable {
        let mut t = LineTable::new();
        t.set(province, 2021, Fen::from_yuan(6000));
        t.set(province, 2022, Fen::from_yuan(6500));
        t
    }

    /// Sets (or replaces) the line of a province and year.
    pub fn set(&mut self, province: &str, year: i32, line: Fen) {
        match self
            .lines
            .iter_mut()
            .find(|l| l.province == province && l.year == year)
        {
            Some(l) => l.line = line,
            None => {
                self.lines.push(MonitoringLine {
                    province: province.to_owned(),
                    year,
                    line,
                });
                self.lines
                    .sort_by(|a, b| (&a.province, a.year).cmp(&(&b.province, b.year)));
            }
        }
    }

    /// The line of a province and year, if set.
    pub fn line(&self, province: &str, year: i32) -> Option<Fen> {
        self.lines
            .iter()
            .find(|l| l.province == province && l.year == year)
            .map(|l| l.line)
    }

    /// The line of the latest year ≤ `year` set for the province (for a year whose
    /// line the county has not set yet); prefer [`LineTable::line`] for decisions.
    pub fn latest_for(&self, province: &str, year: i32) -> Option<&MonitoringLine> {
        self.lines
            .iter()
            .filter(|l| l.province == province && l.year <= year)
            .max_by_key(|l| l.year)
    }

    /// All rows, sorted by province and year.
    pub fn lines(&self) -> &[MonitoringLine] {
        &self.lines
    }

    /// Sets (or replaces) a county's own line of a year.
    pub fn set_county(&mut self, county: &str, year: i32, line: Fen) {
        match self
            .county_lines
            .iter_mut()
            .find(|l| l.county == county && l.year == year)
        {
            Some(l) => l.line = line,
            None => {
                self.county_lines.push(CountyLine {
                    county: county.to_owned(),
                    year,
                    line,
                });
                self.county_lines
                    .sort_by(|a, b| (&a.county, a.year).cmp(&(&b.county, b.year)));
            }
        }
    }

    /// The counties' own lines, sorted by county and year (kept even while their province is closed).
    pub fn county_lines(&self) -> &[CountyLine] {
        &self.county_lines
    }

    /// Sets whether the counties of `province` may set their own line (default: they may).
    pub fn allow_county_lines(&mut self, province: &str, allowed: bool) {
        self.closed.retain(|p| p != province);
        if !allowed {
            self.closed.push(province.to_owned());
            self.closed.sort();
        }
    }

    /// Whether the counties of `province` may set their own line.
    pub fn county_lines_allowed(&self, province: &str) -> bool {
        !self.closed.iter().any(|p| p == province)
    }

    /// The county's own lines in force: none while its province is closed.
    fn own_lines<'a>(&'a self, county: &'a str) -> impl Iterator<Item = &'a CountyLine> + 'a {
        let allowed = county.len() == 6 && self.county_lines_allowed(&county[..2]);
        self.county_lines
            .iter()
            .filter(move |l| allowed && l.county == county)
    }

    /// The line of `year` for a household of `area` (a county, township or village code: its first 6
    /// digits name the county, the first 2 the province): the county's own line where set and its
    /// province allows it, else the province's. `None` when neither is set for the year.
    pub fn line_for(&self, area: &str, year: i32) -> Option<Fen> {
        let county = area.get(..6).unwrap_or(area);
        self.own_lines(county)
            .find(|l| l.year == year)
            .map(|l| l.line)
            .or_else(|| self.line(county.get(..2).unwrap_or(county), year))
    }

    /// The line in force for `area` in `year`: the latest year ≤ `year` with a line for the county (its
    /// own, where allowed) or its province; for the same year the county's own line wins. For a year
    /// whose line nobody has set yet; prefer [`LineTable::line_for`] for decisions.
    pub fn in_force(&self, area: &str, year: i32) -> Option<LineInForce> {
        let county = area.get(..6).unwrap_or(area);
        let own = self
            .own_lines(county)
            .filter(|l| l.year <= year)
            .max_by_key(|l| l.year)
            .map(|l| LineInForce {
                year: l.year,
                line: l.line,
                county: true,
            });
        let province = self
            .latest_for(county.get(..2).unwrap_or(county), year)
            .map(|l| LineInForce {
                year: l.year,
                line: l.line,
                county: false,
            });
        match (own, province) {
            (Some(o), Some(p)) if p.year > o.year => Some(p),
            (Some(o), _) => Some(o),
            (None, p) => p,
        }
    }
}

code_list! {
    /// Where a household's per-capita income stands against the line (§三(一)1).
    pub enum LineStatus ("收入与监测线", "income against the line") {
        Below = ("below", "低于监测线", "Below the monitoring line"),
        Near = ("near", "临近监测线", "Near the monitoring line"),
        Above = ("above", "高于监测线", "Above the monitoring line"),
    }
}

/// Compares a household's net income with the line, on the exact quotient (not
/// the rounded per-capita figure): below iff `net < line × members`; near iff
/// `100 × net < near_factor_pct × line × members`; otherwise above. Exactly on
/// the line is not below. (`12999.99 / 2` shows `6500.00` yet is below 6500.)
/// With 0 members a household is below only if its net income is negative.
///
/// ```
/// use shouwang_core::line::{assess, LineStatus};
/// use shouwang_core::money::Fen;
///
/// let line = Fen::from_yuan(6500);
/// assert_eq!(assess(Fen::from_yuan(13_000), 2, line, 150), LineStatus::Near);
/// assert_eq!(assess(Fen(1_299_999), 2, line, 150), LineStatus::Below);
/// assert_eq!(assess(Fen::from_yuan(19_500), 2, line, 150), LineStatus::Above);
/// ```
pub fn assess(net_income: Fen, members: u32, line: Fen, near_factor_pct: u32) -> LineStatus {
    let net = i128::from(net_income.0);
    let bound = i128::from(line.0) * i128::from(members);
    if net < bound {
        LineStatus::Below
    } else if 100 * net < i128::from(near_factor_pct) * bound {
        LineStatus::Near
    } else {
        LineStatus::Above
    }
}

/// 明显下降 (§三(一)1 "家庭收入水平比2021年明显下降"): the per-capita income fell
/// by at least `threshold_pct` percent of last year's: `cur < prev` and
/// `(prev − cur) × 100 ≥ threshold_pct × prev`. Never a drop when last year's
/// income was zero or negative (no base to compare with).
pub fn clear_drop(prev_per_capita: Fen, cur_per_capita: Fen, threshold_pct: u32) -> bool {
    let prev = i128::from(prev_per_capita.0);
    let cur = i128::from(cur_per_capita.0);
    prev > 0 && cur < prev && (prev - cur) * 100 >= i128::from(threshold_pct) * prev
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codes::CodeList;
    use proptest::prelude::*;

    const LINE: Fen = Fen::from_yuan(6500);

    #[test]
    fn default_table() {
        let t = LineTable::default_for("14");
        assert_eq!(t.line("14", 2021), Some(Fen(600_000)));
        assert_eq!(t.line("14", 2022), Some(Fen(650_000)));
        assert_eq!(t.line("14", 2023), None);
        assert_eq!(t.line("15", 2022), None);
        assert_eq!(t.latest_for("14", 2024).map(|l| l.year), Some(2022));
        assert_eq!(t.latest_for("14", 2020), None);
        assert_eq!(t.lines().len(), 2);
    }

    #[test]
    fn set_replaces() {
        let mut t = LineTable::default_for("14");
        t.set("14", 2022, Fen::from_yuan(6600));
        t.set("14", 2020, Fen::from_yuan(4000));
        assert_eq!(t.line("14", 2022), Some(Fen::from_yuan(6600)));
        assert_eq!(
            t.lines().iter().map(|l| l.year).collect::<Vec<_>>(),
            [2020, 2021, 2022]
        );
        let u = LineTable::from_lines(t.lines().to_vec());
        assert_eq!(u, t);
    }

    #[test]
    fn county_lines_apply_to_their_county_while_allowed() {
        let mut t = LineTable::default_for("14");
        t.set_county("141123", 2022, Fen::from_yuan(7000));
        // The county's own line, for its villages only; a neighbour keeps the province's.
        assert_eq!(t.line_for("141123208201", 2022), Some(Fen::from_yuan(7000)));
        assert_eq!(t.line_for("141123", 2022), Some(Fen::from_yuan(7000)));
        assert_eq!(t.line_for("141124208201", 2022), Some(Fen::from_yuan(6500)));
        // A year without a county line falls back to the province's.
        assert_eq!(t.line_for("141123208201", 2021), Some(Fen::from_yuan(6000)));
        assert_eq!(t.line_for("151123208201", 2022), None);
        assert_eq!(t.line_for("1", 2022), None);
        let f = t.in_force("141123208", 2024).unwrap();
        assert_eq!(
            (f.year, f.line, f.county),
            (2022, Fen::from_yuan(7000), true)
        );
        // A later province line wins over an older county line.
        t.set("14", 2023, Fen::from_yuan(6800));
        let f = t.in_force("141123208", 2024).unwrap();
        assert_eq!((f.year, f.county), (2023, false));
        // The province closes county lines: its line applies everywhere, the county's is kept.
        t.allow_county_lines("14", false);
        assert!(!t.county_lines_allowed("14") && t.county_lines_allowed("15"));
        assert_eq!(t.line_for("141123208201", 2022), Some(Fen::from_yuan(6500)));
        assert_eq!(t.in_force("141123", 2022).map(|f| f.county), Some(false));
        assert_eq!(t.county_lines().len(), 1);
        t.allow_county_lines("14", true);
        assert_eq!(t.line_for("141123208201", 2022), Some(Fen::from_yuan(7000)));
        let json = serde_json::to_string(&t).unwrap();
        assert_eq!(serde_json::from_str::<LineTable>(&json).unwrap(), t);
    }

    #[test]
    fn assess_boundaries() {
        // exactly on the line: not below; below 1.5× so near
        assert_eq!(
            assess(Fen::from_yuan(13_000), 2, LINE, 150),
            LineStatus::Near
        );
        // one fen less: below, although the rounded per-capita shows 6500.00
        assert_eq!(assess(Fen(1_299_999), 2, LINE, 150), LineStatus::Below);
        assert_eq!(Fen(1_299_999).div_round(2), Fen(650_000));
        // exactly 1.5×: not near
        assert_eq!(
            assess(Fen::from_yuan(19_500), 2, LINE, 150),
            LineStatus::Above
        );
        assert_eq!(assess(Fen(1_949_999), 2, LINE, 150), LineStatus::Near);
        // negative income
        assert_eq!(assess(Fen(-1), 1, LINE, 150), LineStatus::Below);
        // zero members
        assert_eq!(assess(Fen(0), 0, LINE, 150), LineStatus::Above);
        assert_eq!(assess(Fen(-1), 0, LINE, 150), LineStatus::Below);
        // factor 100: near never happens
        assert_eq!(
            assess(Fen::from_yuan(6500), 1, LINE, 100),
            LineStatus::Above
        );
        // no overflow at the extremes
        assert_eq!(
            assess(Fen(i64::MAX), u32::MAX, Fen(i64::MAX), u32::MAX),
            LineStatus::Below
        );
    }

    #[test]
    fn status_labels() {
        assert_eq!(LineStatus::Below.label_zh(), "低于监测线");
        assert_eq!(LineStatus::Near.label_zh(), "临近监测线");
        assert_eq!(LineStatus::Above.label_zh(), "高于监测线");
        assert_eq!(LineStatus::Near.label_en(), "Near the monitoring line");
    }

    #[test]
    fn clear_drop_boundaries() {
        let prev = Fen::from_yuan(10_000);
        assert!(clear_drop(prev, Fen::from_yuan(7_000), 30)); // exactly 30 %
        assert!(!clear_drop(prev, Fen(700_001), 30)); // a fen short
        assert!(clear_drop(prev, Fen(0), 30));
        assert!(clear_drop(prev, Fen(-5), 30));
        assert!(!clear_drop(prev, prev, 0)); // no fall at all
        assert!(clear_drop(prev, Fen(999_999), 0));
        assert!(!clear_drop(prev, Fen::from_yuan(12_000), 30));
        assert!(!clear_drop(Fen(0), Fen(-100), 30));
        assert!(!clear_drop(Fen(-100), Fen(-500), 30));
        assert!(clear_drop(Fen(i64::MAX), Fen(i64::MIN), 100));
    }

    proptest! {
        #[test]
        fn assess_agrees_with_rational_per_capita(net in -10_000_000i64..10_000_000, members in 1u32..12, line in 1i64..2_000_000) {
            let s = assess(Fen(net), members, Fen(line), 150);
            let pc = net as f64 / members as f64; // exact enough at this size
            let expected = if pc < line as f64 {
                LineStatus::Below
            } else if pc < 1.5 * line as f64 {
                LineStatus::Near
            } else {
                LineStatus::Above
            };
            prop_assert_eq!(s, expected);
        }
    }
}
