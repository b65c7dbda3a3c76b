//! 村容村貌指标 (B5, issue 22; plan §四(五)): per 行政村 and year, the households with a sanitary toilet
//! (卫生厕所), the natural villages (自然村) whose household garbage is collected (生活垃圾收运处置体系覆盖),
//! and the households selected as 文明户 — entered by the village ([`IndicatorAction::Enter`]), checked by
//! the township ([`IndicatorAction::Check`]) or returned with a reason ([`IndicatorAction::Return`]), and
//! compared with the county's targets ([`IndicatorTargets`], defaults from the plan: "到年底农村卫生厕所
//! 普及率达75%，农村生活垃圾收运处置体系自然村覆盖率达90%以上"; 文明户 70 %, `DOMAIN.md` B5).
//!
//! Pure rules: a record is a value; [`IndicatorRecord::apply`] returns the next one or a [`Refusal`], and
//! a refused action changes nothing.

use chrono::{Datelike, NaiveDate};

use crate::access::Role;
use crate::codes::{CodeList, code_list};
use crate::ledger::{Column, ColumnKind, Value, col};
use crate::monitoring::{Actor, Refusal, RefusalCode};

code_list! {
    /// 指标填报状态.
    pub enum IndicatorStatus ("填报状态", "indicator status") {
        Entered = ("entered", "已填报待核实", "Entered, to be checked"),
        Checked = ("checked", "乡镇已核实", "Checked by the township"),
        Returned = ("returned", "退回修改", "Returned for correction"),
    }
}

code_list! {
    /// 村容村貌指标.
    pub enum Indicator ("村容村貌指标", "village indicator") {
        Toilets = ("toilets", "卫生厕所普及率", "Households with a sanitary toilet"),
        Garbage = ("garbage", "生活垃圾收运自然村覆盖率", "Natural villages with garbage collection"),
        Civilized = ("civilized", "文明户占比", "Households selected as 文明户"),
    }
}

/// The county's targets in percent (县级规则; plan §四(五) and `DOMAIN.md` B5 by default).
#[derive(Clone, Copy, PartialEq, Eq, Debug, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct IndicatorTargets {
    /// 卫生厕所普及率 by year end (default 75).
    pub toilets_pct: u32,
    /// 生活垃圾收运处置体系自然村覆盖率 (default 90).
    pub garbage_pct: u32,
    /// 文明户 share of rural households (default 70).
    pub civilized_pct: u32,
}

impl Default for IndicatorTargets {
    fn default() -> Self {
        IndicatorTargets {
            toilets_pct: 75,
            garbage_pct: 90,
            civilized_pct: 70,
        }
    }
}

impl IndicatorTargets {
    /// Refuses a target above 100 %.
    pub fn validate(&self) -> Result<(), Refusal> {
        for (v, zh) in [
            (self.toilets_pct, "卫生厕所普及率"),
            (self.garbage_pct, "垃圾收运覆盖率"),
            (self.civilized_pct, "文明户占比"),
        ] {
            if v > 100 {
                return Err(Refusal::invalid(
                    format!("{zh}目标不能超过100%（填了{v}%）"),
                    format!("The target of {zh} cannot exceed 100 % ({v} % given)"),
                ));
            }
        }
        Ok(())
    }

    fn of(&self, i: Indicator) -> u32 {
        match i {
            Indicator::Toilets => self.toilets_pct,
            Indicator::Garbage => self.garbage_pct,
            Indicator::Civilized => self.civilized_pct,
        }
    }
}

/// What a village enters for a year.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VillageFigures {
    /// 农户总数 (rural households of the village).
    pub households: u32,
    /// 有卫生厕所的户数.
    pub toilets: u32,
    /// 自然村数.
    pub natural_villages: u32,
    /// 生活垃圾收运处置覆盖的自然村数.
    pub garbage_covered: u32,
    /// 文明户数 (households selected this year, any level).
    pub civilized: u32,
}

impl VillageFigures {
    /// Refuses a village without households or natural villages, and a part larger than its whole.
    pub fn validate(&self) -> Result<(), Refusal> {
        if self.households == 0 || self.natural_villages == 0 {
            return Err(Refusal::invalid(
                "农户总数和自然村数须大于0",
                "The households and natural villages must be more than 0",
            ));
        }
        for (part, whole, zh, en) in [
            (
                self.toilets,
                self.households,
                "卫生厕所户数",
                "sanitary toilets",
            ),
            (self.civilized, self.households, "文明户数", "文明户"),
            (
                self.garbage_covered,
                self.natural_villages,
                "垃圾收运覆盖自然村数",
                "natural villages with garbage collection",
            ),
        ] {
            if part > whole {
                return Err(Refusal::invalid(
                    format!("{zh}（{part}）不能大于总数（{whole}）"),
                    format!("The {en} ({part}) cannot exceed the total ({whole})"),
                ));
            }
        }
        Ok(())
    }

    fn part_and_whole(&self, i: Indicator) -> (u32, u32) {
        match i {
            Indicator::Toilets => (self.toilets, self.households),
            Indicator::Garbage => (self.garbage_covered, self.natural_villages),
            Indicator::Civilized => (self.civilized, self.households),
        }
    }

    /// The sum of several villages' figures (a township's, a county's).
    pub fn sum<'a>(all: impl IntoIterator<Item = &'a VillageFigures>) -> VillageFigures {
        all.into_iter()
            .fold(VillageFigures::default(), |a, f| VillageFigures {
                households: a.households + f.households,
                toilets: a.toilets + f.toilets,
                natural_villages: a.natural_villages + f.natural_villages,
                garbage_covered: a.garbage_covered + f.garbage_covered,
                civilized: a.civilized + f.civilized,
            })
    }

    /// The three indicators against `targets`.
    pub fn rates(&self, targets: &IndicatorTargets) -> Vec<Rate> {
        Indicator::all()
            .iter()
            .map(|i| {
                let (part, whole) = self.part_and_whole(*i);
                Rate::new(*i, part, whole, targets.of(*i))
            })
            .collect()
    }
}

/// One indicator of a village or an area: its value, the target and the gap.
#[derive(Clone, Copy, PartialEq, Debug, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Rate {
    /// Which indicator.
    pub indicator: Indicator,
    /// The households or natural villages that have it.
    pub part: u32,
    /// Of how many.
    pub whole: u32,
    /// `part / whole` in percent, one decimal (`None` when `whole` is 0: no data).
    pub pct: Option<f64>,
    /// The target in percent.
    pub target_pct: u32,
    /// Percentage points missing to the target (0 when met; `None` without data).
    pub gap_pct: Option<f64>,
}

impl Rate {
    fn new(indicator: Indicator, part: u32, whole: u32, target_pct: u32) -> Rate {
        let pct = (whole > 0).then(|| (1000.0 * f64::from(part) / f64::from(whole)).round() / 10.0);
        Rate {
            indicator,
            part,
            whole,
            pct,
            target_pct,
            gap_pct: pct.map(|p| ((f64::from(target_pct) - p).max(0.0) * 10.0).round() / 10.0),
        }
    }

    /// Whether the target is met (`false` without data). Compared on the counts, not on the rounded
    /// percentage: 3 of 4 meets 75 %, 749 of 1000 does not.
    pub fn met(&self) -> bool {
        self.whole > 0
            && u64::from(self.part) * 100 >= u64::from(self.target_pct) * u64::from(self.whole)
    }
}

/// A village's indicators for a year, with who entered and who checked them.
#[derive(Clone, PartialEq, Eq, Debug, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IndicatorRecord {
    /// 年度.
    pub year: i32,
    /// The figures as entered.
    pub figures: VillageFigures,
    /// 填报状态.
    pub status: IndicatorStatus,
    /// 文明户 levels or remarks (e.g. 县级3户、乡级12户), as the village writes them.
    pub note: String,
    /// Who entered the figures (填报人).
    pub entered_by: Actor,
    /// When.
    pub entered_on: NaiveDate,
    /// The township user who checked or returned it last.
    pub checked_by: Option<Actor>,
    /// When.
    pub checked_on: Option<NaiveDate>,
    /// Why it was returned (退回原因).
    pub returned_for: Option<String>,
}

/// What a user does with a village's indicators of a year (as JSON: `{"action": "enter", "figures": …,
/// "note": …}`, `{"action": "check"}`, `{"action": "return", "reason": …}`).
#[derive(Clone, PartialEq, Eq, Debug, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum IndicatorAction {
    /// 填报 (village team, township): new figures; allowed while not checked.
    Enter {
        /// The figures.
        figures: VillageFigures,
        /// 文明户 levels or remarks.
        #[serde(default)]
        note: String,
    },
    /// 核实 (township, county): accepts the figures as entered.
    Check,
    /// 退回 (township, county): back to the village with a reason, also after a check.
    Return {
        /// 退回原因.
        reason: String,
    },
}

/// The roles that enter a village's figures (填报).
pub const ENTER: &[Role] = &[Role::VillageTeam, Role::TownshipAdmin];
/// The roles that check or return them (核实、退回).
pub const CHECK: &[Role] = &[Role::TownshipAdmin, Role::CountyAdmin];

impl IndicatorAction {
    fn label(&self) -> (&'static str, &'static str) {
        match self {
            IndicatorAction::Enter { .. } => ("填报", "Enter"),
            IndicatorAction::Check => ("核实", "Check"),
            IndicatorAction::Return { .. } => ("退回", "Return"),
        }
    }

    fn roles(&self) -> &'static [Role] {
        match self {
            IndicatorAction::Enter { .. } => ENTER,
            _ => CHECK,
        }
    }
}

/// The earliest year accepted (the plan's year).
pub const FIRST_YEAR: i32 = 2022;

impl IndicatorRecord {
    /// The record after `action` by `by` on `on`, from `current` (`None`: nothing entered yet for
    /// `year`). Refuses a role that may not act, a year before [`FIRST_YEAR`] or after `on`'s, invalid
    /// figures, a check or return of nothing, entering over a checked record (the township returns it
    /// first), checking twice, a return without a reason.
    pub fn apply(
        current: Option<&IndicatorRecord>,
        year: i32,
        action: IndicatorAction,
        by: &Actor,
        on: NaiveDate,
    ) -> Result<IndicatorRecord, Refusal> {
        if !action.roles().contains(&by.role) {
            return Err(Refusal::role_not_allowed(
                by.role,
                action.label(),
                action.roles(),
            ));
        }
        if year < FIRST_YEAR || year > on.year() {
            return Err(Refusal::invalid(
                format!("年度应在{FIRST_YEAR}年至{}年之间", on.year()),
                format!("The year must be between {FIRST_YEAR} and {}", on.year()),
            ));
        }
        match (action, current) {
            (IndicatorAction::Enter { figures, note }, current) => {
                figures.validate()?;
                if current.is_some_and(|c| c.status == IndicatorStatus::Checked) {
                    return Err(Refusal::wrong_state(
                        "乡镇已核实本年度指标：如需修改，请乡镇先退回",
                        "The township has checked this year's figures: it must return them before a change",
                    ));
                }
                Ok(IndicatorRecord {
                    year,
                    figures,
                    status: IndicatorStatus::Entered,
                    note: note.trim().chars().take(500).collect(),
                    entered_by: by.clone(),
                    entered_on: on,
                    checked_by: None,
                    checked_on: None,
                    returned_for: None,
                })
            }
            (_, None) => Err(Refusal::new(
                RefusalCode::NotFound,
                "本年度指标尚未填报",
                "Nothing has been entered for this year",
            )),
            (IndicatorAction::Check, Some(c)) => {
                if c.status != IndicatorStatus::Entered {
                    return Err(Refusal::wrong_state(
                        format!("当前状态为“{}”，只能核实已填报的指标", c.status.label_zh()),
                        format!(
                            "The figures are {}: only entered figures are checked",
                            c.status.label_en()
                        ),
                    ));
                }
                Ok(IndicatorRecord {
                    status: IndicatorStatus::Checked,
                    checked_by: Some(by.clone()),
                    checked_on: Some(on),
                    returned_for: None,
                    ..c.clone()
                })
            }
            (IndicatorAction::Return { reason }, Some(c)) => {
                let reason = reason.trim();
                if reason.is_empty() {
                    return Err(Refusal::invalid(
                        "退回须写明原因",
                        "A return needs a reason",
                    ));
                }
                if c.status == IndicatorStatus::Returned {
                    return Err(Refusal::wrong_state(
                        "已退回，待村里重新填报",
                        "Already returned",
                    ));
                }
                Ok(IndicatorRecord {
                    status: IndicatorStatus::Returned,
                    checked_by: Some(by.clone()),
                    checked_on: Some(on),
                    returned_for: Some(reason.chars().take(500).collect()),
                    ..c.clone()
                })
            }
        }
    }
}

/// 村容村貌指标台账: one row per village and year.
pub const LEDGER_COLUMNS: &[Column] = &[
    col("序号", 6.0, ColumnKind::Number),
    col("乡（镇）", 14.0, ColumnKind::Text),
    col("行政村", 14.0, ColumnKind::Text),
    col("年度", 8.0, ColumnKind::Number),
    col("农户总数", 10.0, ColumnKind::Number),
    col("卫生厕所户数", 12.0, ColumnKind::Number),
    col("卫生厕所普及率", 12.0, ColumnKind::Text),
    col("自然村数", 10.0, ColumnKind::Number),
    col("垃圾收运覆盖自然村数", 14.0, ColumnKind::Number),
    col("垃圾收运覆盖率", 12.0, ColumnKind::Text),
    col("文明户数", 10.0, ColumnKind::Number),
    col("文明户占比", 12.0, ColumnKind::Text),
    col("未达标指标", 30.0, ColumnKind::Text),
    col("填报状态", 12.0, ColumnKind::Text),
    col("填报人", 12.0, ColumnKind::Text),
    col("填报日期", 12.0, ColumnKind::Date),
    col("核实人", 12.0, ColumnKind::Text),
    col("核实日期", 12.0, ColumnKind::Date),
    col("备注", 30.0, ColumnKind::Text),
];

/// The ledger row of a village's record (`序号` left 0: numbered when the ledger is put together).
pub fn ledger_row(
    township: &str,
    village: &str,
    r: &IndicatorRecord,
    targets: &IndicatorTargets,
) -> Vec<Value> {
    let rates = r.figures.rates(targets);
    let pct = |i: usize| Value::Text(rates[i].pct.map(|p| format!("{p:.1}%")).unwrap_or_default());
    let missed: Vec<String> = rates
        .iter()
        .filter(|x| !x.met())
        .map(|x| format!("{}（目标{}%）", x.indicator.label_zh(), x.target_pct))
        .collect();
    let n = |v: u32| Value::Number(f64::from(v));
    let t = |s: &str| Value::Text(s.to_owned());
    let f = &r.figures;
    vec![
        Value::Number(0.0),
        t(township),
        t(village),
        Value::Number(f64::from(r.year)),
        n(f.households),
        n(f.toilets),
        pct(0),
        n(f.natural_villages),
        n(f.garbage_covered),
        pct(1),
        n(f.civilized),
        pct(2),
        t(&missed.join("；")),
        t(r.status.label_zh()),
        t(&r.entered_by.name),
        Value::Text(r.entered_on.to_string()),
        t(r.checked_by.as_ref().map(|a| a.name.as_str()).unwrap_or("")),
        r.checked_on
            .map(|d| Value::Text(d.to_string()))
            .unwrap_or(Value::Empty),
        t(r.returned_for.as_deref().unwrap_or(r.note.as_str())),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, m, day).unwrap()
    }

    fn who(role: Role) -> Actor {
        Actor::new(1, role.label_zh(), role)
    }

    fn figures(toilets: u32, garbage: u32, civilized: u32) -> VillageFigures {
        VillageFigures {
            households: 200,
            toilets,
            natural_villages: 10,
            garbage_covered: garbage,
            civilized,
        }
    }

    fn enter(f: VillageFigures) -> IndicatorAction {
        IndicatorAction::Enter {
            figures: f,
            note: "县级文明户3户".into(),
        }
    }

    #[test]
    fn rates_compare_counts_with_the_plans_targets() {
        let t = IndicatorTargets::default();
        let r = figures(150, 9, 139).rates(&t);
        assert_eq!(r[0].pct, Some(75.0));
        assert!(r[0].met(), "150 of 200 is 75 %");
        assert!(r[1].met(), "9 of 10 is 90 %");
        assert!(!r[2].met(), "139 of 200 is 69.5 %");
        assert_eq!(r[2].gap_pct, Some(0.5));
        assert_eq!(r[0].gap_pct, Some(0.0));
        let just_under = VillageFigures {
            households: 1000,
            toilets: 749,
            ..figures(0, 9, 700)
        };
        assert!(!just_under.rates(&t)[0].met(), "74.9 %");
        let none = VillageFigures::default().rates(&t);
        assert!(none.iter().all(|x| x.pct.is_none() && !x.met()));
        let sum = VillageFigures::sum(&[figures(150, 9, 140), figures(100, 5, 100)]);
        assert_eq!(
            (sum.households, sum.toilets, sum.natural_villages),
            (400, 250, 20)
        );
        let r = sum.rates(&t);
        assert_eq!(r[0].pct, Some(62.5));
        assert_eq!(r[1].pct, Some(70.0));
    }

    #[test]
    fn figures_and_targets_are_checked() {
        assert!(figures(150, 9, 140).validate().is_ok());
        assert!(figures(201, 9, 140).validate().is_err());
        assert!(figures(150, 11, 140).validate().is_err());
        assert!(figures(150, 9, 201).validate().is_err());
        assert!(VillageFigures::default().validate().is_err());
        assert!(IndicatorTargets::default().validate().is_ok());
        let t = IndicatorTargets {
            garbage_pct: 101,
            ..Default::default()
        };
        assert!(t.validate().is_err());
    }

    #[test]
    fn entered_by_the_village_checked_or_returned_by_the_township() {
        let team = who(Role::VillageTeam);
        let town = who(Role::TownshipAdmin);
        let e = IndicatorRecord::apply(None, 2026, enter(figures(150, 9, 140)), &team, d(11, 2))
            .unwrap();
        assert_eq!(e.status, IndicatorStatus::Entered);
        // the village may correct it until checked
        let e2 =
            IndicatorRecord::apply(Some(&e), 2026, enter(figures(160, 9, 140)), &team, d(11, 3))
                .unwrap();
        assert_eq!(e2.figures.toilets, 160);
        // the village does not check; the township does, once
        let r = IndicatorRecord::apply(Some(&e2), 2026, IndicatorAction::Check, &team, d(11, 4));
        assert_eq!(r.unwrap_err().code, RefusalCode::RoleNotAllowed);
        let c = IndicatorRecord::apply(Some(&e2), 2026, IndicatorAction::Check, &town, d(11, 4))
            .unwrap();
        assert_eq!(c.status, IndicatorStatus::Checked);
        assert_eq!(c.checked_on, Some(d(11, 4)));
        assert!(
            IndicatorRecord::apply(Some(&c), 2026, IndicatorAction::Check, &town, d(11, 5))
                .is_err()
        );
        // checked: no change until returned, with a reason
        let r =
            IndicatorRecord::apply(Some(&c), 2026, enter(figures(170, 9, 140)), &team, d(11, 5));
        assert_eq!(r.unwrap_err().code, RefusalCode::WrongState);
        let blank = IndicatorAction::Return { reason: " ".into() };
        assert!(IndicatorRecord::apply(Some(&c), 2026, blank, &town, d(11, 5)).is_err());
        let back = IndicatorAction::Return {
            reason: "厕所户数与改厕台账不符".into(),
        };
        let ret = IndicatorRecord::apply(Some(&c), 2026, back.clone(), &town, d(11, 5)).unwrap();
        assert_eq!(ret.status, IndicatorStatus::Returned);
        assert!(IndicatorRecord::apply(Some(&ret), 2026, back, &town, d(11, 6)).is_err());
        assert!(
            IndicatorRecord::apply(Some(&ret), 2026, IndicatorAction::Check, &town, d(11, 6))
                .is_err()
        );
        let again = IndicatorRecord::apply(
            Some(&ret),
            2026,
            enter(figures(150, 9, 140)),
            &team,
            d(11, 6),
        )
        .unwrap();
        assert_eq!(again.status, IndicatorStatus::Entered);
        assert_eq!(again.returned_for, None);
    }

    #[test]
    fn refusals_change_nothing_and_name_the_reason() {
        let team = who(Role::VillageTeam);
        let cadre = who(Role::Cadre);
        let town = who(Role::TownshipAdmin);
        let f = figures(150, 9, 140);
        assert_eq!(
            IndicatorRecord::apply(None, 2026, enter(f), &cadre, d(11, 2))
                .unwrap_err()
                .code,
            RefusalCode::RoleNotAllowed
        );
        assert!(IndicatorRecord::apply(None, 2021, enter(f), &team, d(11, 2)).is_err());
        assert!(IndicatorRecord::apply(None, 2027, enter(f), &team, d(11, 2)).is_err());
        assert_eq!(
            IndicatorRecord::apply(None, 2026, IndicatorAction::Check, &town, d(11, 2))
                .unwrap_err()
                .code,
            RefusalCode::NotFound
        );
        let row = ledger_row(
            "示范乡",
            "一村",
            &IndicatorRecord::apply(None, 2026, enter(figures(150, 9, 139)), &team, d(11, 2))
                .unwrap(),
            &IndicatorTargets::default(),
        );
        assert_eq!(row.len(), LEDGER_COLUMNS.len());
        assert_eq!(row[6], Value::Text("75.0%".into()));
        assert!(
            matches!(&row[12], Value::Text(s) if s.contains("文明户占比") && !s.contains("卫生厕所"))
        );
    }
}
