//! 风险消除条件与定期预判: the risk-elimination conditions E01–E05 (national
//! practice, docs/domain.md "Risk elimination") and the quarterly pre-judgment
//! [`prejudge`] that reports each unmet one (§三(一)3 "按季评价监测户返贫风险").

use chrono::{Months, NaiveDate};

use super::blockers::ExitBlocker;
use super::deferral::DeferredCategory;
use super::rules::ExitRules;
use crate::codes::{CodeList, code_list};
use crate::income::IncomeRecord;
use crate::money::Fen;
use crate::monitoring::calendar::YearMonth;

code_list! {
    /// 风险消除条件 (national practice).
    pub enum ExitCondition ("风险消除条件", "risk-elimination condition") {
        IncomeStable = ("E01", "收入持续稳定半年以上且人均纯收入稳定高于监测线", "Income stable for half a year and above the monitoring line"),
        RigidExpenses = ("E02", "大额刚性支出问题已解决", "Large rigid expenses resolved"),
        Standards = ("E03", "两不愁三保障及饮水安全有保障", "Food, clothing, the three guarantees and drinking water secure"),
        MonitoredLongEnough = ("E04", "纳入监测满6个月", "At least 6 months since entry into monitoring"),
        Developmental = ("E05", "有劳动力的已落实开发式帮扶措施", "A developmental measure delivered where the household has labour"),
    }
}

/// What the pre-judgment looks at (the [`crate::monitoring::Case`] builds it
/// from its records, see `Case::exit_facts`).
#[derive(Clone, PartialEq, Eq, Debug, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ExitFacts {
    /// Date of entry into monitoring.
    pub monitored_since: NaiveDate,
    /// The monitoring line (per capita) of the year.
    pub line: Fen,
    /// Monthly per-capita income estimates from the follow-ups.
    pub monthly_income: Vec<(YearMonth, Fen)>,
    /// The latest income record (with rigid expenditure).
    pub latest_income: Option<IncomeRecord>,
    /// 两不愁三保障 and water secure at the latest follow-up.
    pub standards_secure: Option<bool>,
    /// Someone in the household can work.
    pub has_labour: bool,
    /// Measures delivered (done).
    pub measures_delivered: usize,
    /// A developmental measure delivered.
    pub developmental_delivered: bool,
    /// The household's categories ([`DeferredCategory::of`]).
    pub categories: Vec<DeferredCategory>,
    /// Open 三保障 and water problems ([`super::registry_blockers`] and the problem ledger's open
    /// ones): any of them leaves E03 unmet. Absent in judgments stored before issue 22.
    #[serde(default)]
    pub blockers: Vec<ExitBlocker>,
}

/// An unmet condition with the details.
#[derive(Clone, PartialEq, Eq, Debug, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Unmet {
    /// Which condition.
    pub condition: ExitCondition,
    /// Details in Chinese.
    pub detail_zh: String,
    /// Details in English.
    pub detail_en: String,
}

/// The result of a pre-judgment 预判结果.
#[derive(Clone, PartialEq, Eq, Debug, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PreJudgment {
    /// Date of the judgment.
    pub on: NaiveDate,
    /// The facts judged.
    pub facts: ExitFacts,
    /// Unmet conditions (empty: proposed for exit).
    pub unmet: Vec<Unmet>,
    /// Configured deferral categories the household is in (non-empty: the exit
    /// will be 缓退).
    pub deferred: Vec<DeferredCategory>,
}

impl PreJudgment {
    /// Every condition met: the household is proposed 预判风险消除.
    pub fn proposed(&self) -> bool {
        self.unmet.is_empty()
    }
}

fn unmet(condition: ExitCondition, zh: String, en: String) -> Unmet {
    Unmet {
        condition,
        detail_zh: zh,
        detail_en: en,
    }
}

/// Checks the risk-elimination conditions (see the table of [`super`]) on `on`.
pub fn prejudge(facts: &ExitFacts, rules: &ExitRules, on: NaiveDate) -> PreJudgment {
    let mut out = Vec::new();
    let line = facts.line;

    // E01: the N months before the judgment month.
    let this_month = YearMonth::of(on);
    let mut window: Vec<YearMonth> = Vec::new();
    let mut m = this_month;
    for _ in 0..rules.stable_income_months {
        m = prev_month(m);
        window.push(m);
    }
    window.reverse();
    let mut missing = Vec::new();
    let mut below = Vec::new();
    for m in &window {
        match facts.monthly_income.iter().find(|(mm, _)| mm == m) {
            None => missing.push(m.to_string()),
            Some((_, v)) if *v < line => below.push(format!("{m}（{v}）")),
            Some(_) => {}
        }
    }
    if !missing.is_empty() || !below.is_empty() {
        let mut zh = Vec::new();
        let mut en = Vec::new();
        if !missing.is_empty() {
            zh.push(format!("缺少{}月的跟踪监测收入", missing.join("、")));
            en.push(format!("no follow-up income for {}", missing.join(", ")));
        }
        if !below.is_empty() {
            zh.push(format!("{}低于监测线 {line} 元", below.join("、")));
            en.push(format!("below the line {line} in {}", below.join(", ")));
        }
        out.push(unmet(
            ExitCondition::IncomeStable,
            zh.join("；"),
            en.join("; "),
        ));
    }

    // E02
    match &facts.latest_income {
        None => out.push(unmet(
            ExitCondition::RigidExpenses,
            "缺少收支测算".to_owned(),
            "no income and expenditure record".to_owned(),
        )),
        Some(r) if r.per_capita_after_rigid() < line => out.push(unmet(
            ExitCondition::RigidExpenses,
            format!(
                "扣除刚性支出后人均收入 {} 元，低于监测线 {line} 元",
                r.per_capita_after_rigid()
            ),
            format!(
                "per-capita income after rigid expenditure {} is below the line {line}",
                r.per_capita_after_rigid()
            ),
        )),
        Some(_) => {}
    }

    // E03: the follow-up's word, and no open 三保障 or water problem (§三(四)).
    let mut zh = Vec::new();
    let mut en = Vec::new();
    if facts.standards_secure != Some(true) {
        zh.push("最近一次跟踪监测未确认两不愁三保障及饮水安全".to_owned());
        en.push("the latest follow-up did not confirm the standards".to_owned());
    }
    for b in &facts.blockers {
        zh.push(format!(
            "{}问题未解决：{}",
            b.sector.label_zh(),
            b.detail_zh
        ));
        en.push(format!(
            "open {} problem: {}",
            b.sector.label_en().to_lowercase(),
            b.detail_en
        ));
    }
    if !zh.is_empty() {
        out.push(unmet(
            ExitCondition::Standards,
            zh.join("；"),
            en.join("; "),
        ));
    }

    // E04
    let earliest = facts
        .monitored_since
        .checked_add_months(Months::new(rules.min_monitored_months))
        .unwrap_or(NaiveDate::MAX);
    if on < earliest {
        out.push(unmet(
            ExitCondition::MonitoredLongEnough,
            format!(
                "纳入监测不满 {} 个月（{earliest} 起方满）",
                rules.min_monitored_months
            ),
            format!(
                "less than {} months in monitoring (reached on {earliest})",
                rules.min_monitored_months
            ),
        ));
    }

    // E05
    if facts.has_labour && !facts.developmental_delivered {
        out.push(unmet(
            ExitCondition::Developmental,
            "有劳动力但尚未落实产业、就业、金融或公益岗位等开发式帮扶措施".to_owned(),
            "the household has labour but no developmental measure has been delivered".to_owned(),
        ));
    }

    let deferred = rules
        .deferred
        .iter()
        .copied()
        .filter(|c| facts.categories.contains(c))
        .collect();
    PreJudgment {
        on,
        facts: facts.clone(),
        unmet: out,
        deferred,
    }
}

fn prev_month(m: YearMonth) -> YearMonth {
    let (y, mm) = if m.month() == 1 {
        (m.year() - 1, 12)
    } else {
        (m.year(), m.month() - 1)
    };
    YearMonth::new(y, mm).unwrap_or(m)
}
