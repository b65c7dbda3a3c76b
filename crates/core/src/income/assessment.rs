//! 收支测算结果: a year's income record against the monitoring line of that year and the year before —
//! what the household page shows as a record is typed, what the API and the CLI answer, and the
//! income rule that files a risk finding (§三(一)1 "家庭收入水平比2021年明显下降", "刚性支出较大或收入
//! 大幅缩减").

use super::IncomeRecord;
use crate::codes::RiskType;
use crate::line::{self, LineStatus};
use crate::money::Fen;

/// The thresholds of an assessment (the county's rules; defaults [`line::DEFAULT_NEAR_FACTOR_PCT`],
/// [`line::DEFAULT_DROP_PCT`]).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Thresholds {
    /// 临近监测线: below this percentage of the line.
    pub near_line_pct: u32,
    /// 明显下降: per-capita income fell by at least this percentage against the year before.
    pub drop_pct: u32,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            near_line_pct: line::DEFAULT_NEAR_FACTOR_PCT,
            drop_pct: line::DEFAULT_DROP_PCT,
        }
    }
}

/// One year's figures and findings.
#[derive(Clone, Copy, PartialEq, Eq, Debug, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct YearAssessment {
    /// 年度.
    pub year: i32,
    /// 家庭纯收入.
    pub net_income: Fen,
    /// 人均纯收入.
    pub per_capita: Fen,
    /// 扣除刚性支出后人均纯收入 (plus 理赔收入).
    pub per_capita_after_rigid: Fen,
    /// 当年监测线 (none set for that year: no status).
    pub line: Option<Fen>,
    /// 收入与监测线.
    pub status: Option<LineStatus>,
    /// 刚性支出后低于监测线: the income after rigid expenditure is below the line (with a line only).
    pub below_after_rigid: bool,
    /// 人均纯收入明显下降 against the record of the year before (none: never).
    pub clear_drop: bool,
}

impl YearAssessment {
    /// The income rule's risk finding: a clear drop, or the income after rigid expenditure below the
    /// line.
    pub fn is_risk(&self) -> bool {
        self.clear_drop || self.below_after_rigid
    }

    /// The risk types of the finding: the largest rigid expenditure's cause (因病, 因学, 因残,
    /// 因自然灾害) when the income after rigid expenditure is below the line; 其他 for a clear drop alone
    /// (an income drop has no cause of its own in the list). Empty without a finding.
    pub fn risks(&self, record: &IncomeRecord) -> Vec<RiskType> {
        if !self.is_risk() {
            return Vec::new();
        }
        let rigid = [
            (record.rigid_medical, RiskType::Illness),
            (record.rigid_education, RiskType::Schooling),
            (record.rigid_disability, RiskType::Disability),
            (record.rigid_disaster, RiskType::Disaster),
        ];
        let largest = rigid
            .iter()
            .filter(|(f, _)| f.0 > 0)
            .max_by_key(|(f, _)| f.0)
            .map(|(_, r)| *r);
        match largest {
            Some(r) if self.below_after_rigid => vec![r],
            _ => vec![RiskType::Other],
        }
    }

    /// The finding in Chinese and English (empty when [`YearAssessment::is_risk`] is false).
    pub fn finding(&self) -> (String, String) {
        let mut zh = Vec::new();
        let mut en = Vec::new();
        if self.clear_drop {
            zh.push(format!("{}年人均纯收入较上年明显下降", self.year));
            en.push(format!(
                "per-capita income of {} fell clearly against the year before",
                self.year
            ));
        }
        if self.below_after_rigid {
            zh.push(format!("{}年扣除刚性支出后人均纯收入低于监测线", self.year));
            en.push(format!(
                "income of {} after rigid expenditure is below the line",
                self.year
            ));
        }
        (zh.join("；"), en.join("; "))
    }
}

/// Assesses `record` against `line` (the line of `record.year`, if one is set) and the household's
/// record of the year before (`previous`, used only when its year is `record.year − 1`).
pub fn assess(
    record: &IncomeRecord,
    previous: Option<&IncomeRecord>,
    line: Option<Fen>,
    t: Thresholds,
) -> YearAssessment {
    let status =
        line.map(|l| line::assess(record.net_income(), record.members, l, t.near_line_pct));
    let below_after_rigid = line.is_some_and(|l| {
        line::assess(record.after_rigid(), record.members, l, t.near_line_pct) == LineStatus::Below
    });
    let clear_drop = previous
        .filter(|p| p.year + 1 == record.year)
        .is_some_and(|p| line::clear_drop(p.per_capita(), record.per_capita(), t.drop_pct));
    YearAssessment {
        year: record.year,
        net_income: record.net_income(),
        per_capita: record.per_capita(),
        per_capita_after_rigid: record.per_capita_after_rigid(),
        line,
        status,
        below_after_rigid,
        clear_drop,
    }
}

/// Assesses every record of a household (any order), oldest first, each against the line of its year
/// (`line_of`) and the record of the year before.
pub fn assess_all(
    records: &[IncomeRecord],
    line_of: impl Fn(i32) -> Option<Fen>,
    t: Thresholds,
) -> Vec<YearAssessment> {
    let mut sorted: Vec<&IncomeRecord> = records.iter().collect();
    sorted.sort_by_key(|r| r.year);
    let mut out = Vec::with_capacity(sorted.len());
    let mut previous: Option<&IncomeRecord> = None;
    for r in sorted {
        out.push(assess(r, previous, line_of(r.year), t));
        previous = Some(r);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const LINE: Fen = Fen::from_yuan(6500);

    fn rec(year: i32, net_yuan: i64, members: u32) -> IncomeRecord {
        IncomeRecord {
            year,
            wage: Fen::from_yuan(net_yuan),
            members,
            ..IncomeRecord::default()
        }
    }

    #[test]
    fn status_and_after_rigid() {
        let t = Thresholds::default();
        let a = assess(&rec(2022, 18_000, 2), None, Some(LINE), t);
        assert_eq!(a.per_capita, Fen::from_yuan(9_000));
        assert_eq!(a.status, Some(LineStatus::Near));
        assert!(!a.is_risk());
        let mut r = rec(2022, 18_000, 2);
        r.rigid_medical = Fen::from_yuan(6_000);
        let a = assess(&r, None, Some(LINE), t);
        assert!(a.below_after_rigid, "12000 / 2 = 6000 < 6500");
        assert!(a.is_risk());
        assert_eq!(a.risks(&r), [RiskType::Illness]);
        r.insurance_payout = Fen::from_yuan(1_000);
        assert!(
            !assess(&r, None, Some(LINE), t).below_after_rigid,
            "13000 / 2 is on the line"
        );
        let none = assess(&r, None, None, t);
        assert_eq!((none.status, none.below_after_rigid), (None, false));
    }

    #[test]
    fn clear_drop_only_against_the_year_before() {
        let t = Thresholds::default();
        let before = rec(2021, 30_000, 2);
        let now = rec(2022, 21_000, 2);
        assert!(
            assess(&now, Some(&before), Some(LINE), t).clear_drop,
            "−30 %"
        );
        let gap = rec(2020, 30_000, 2);
        assert!(!assess(&now, Some(&gap), Some(LINE), t).clear_drop);
        let strict = Thresholds { drop_pct: 31, ..t };
        assert!(!assess(&now, Some(&before), Some(LINE), strict).clear_drop);
        assert_eq!(
            assess(&now, Some(&before), Some(LINE), t).risks(&now),
            [RiskType::Other]
        );
        assert!(
            assess(&before, None, Some(LINE), t)
                .risks(&before)
                .is_empty()
        );
        let (zh, en) = assess(&now, Some(&before), Some(LINE), t).finding();
        assert_eq!(zh, "2022年人均纯收入较上年明显下降");
        assert!(en.contains("2022"));
    }

    #[test]
    fn all_years_in_order() {
        let recs = [
            rec(2022, 10_000, 1),
            rec(2021, 20_000, 1),
            rec(2023, 9_000, 1),
        ];
        let out = assess_all(&recs, |y| (y < 2023).then_some(LINE), Thresholds::default());
        let years: Vec<i32> = out.iter().map(|a| a.year).collect();
        assert_eq!(years, [2021, 2022, 2023]);
        assert!(out[1].clear_drop);
        assert!(!out[2].clear_drop);
        assert_eq!(out[2].line, None);
    }

    proptest! {
        #[test]
        fn agrees_with_the_line_rules(net in -1_000_000i64..10_000_000, members in 1u32..8,
                                      prev in -1_000_000i64..10_000_000, rigid in 0i64..2_000_000) {
            let mut r = rec(2022, 0, members);
            r.wage = Fen(net);
            r.rigid_education = Fen(rigid);
            let p = IncomeRecord { wage: Fen(prev), ..rec(2021, 0, members) };
            let a = assess(&r, Some(&p), Some(LINE), Thresholds::default());
            prop_assert_eq!(a.status, Some(line::assess(Fen(net), members, LINE, 150)));
            prop_assert_eq!(a.below_after_rigid, i128::from(net - rigid) < i128::from(LINE.0) * i128::from(members));
            prop_assert_eq!(a.clear_drop, line::clear_drop(p.per_capita(), r.per_capita(), 30));
        }
    }
}
