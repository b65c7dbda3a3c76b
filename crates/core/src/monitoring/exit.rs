//! 退出机制: quarterly exit from monitoring (§三(一)3 健全退出机制: "按季评价监测户返贫风险，
//! 对返贫风险稳定消除的监测户按程序退出监测帮扶范围").
//!
//! **Pre-judgment 定期预判.** [`prejudge`] checks the risk-elimination conditions of
//! national practice (docs/domain.md "Risk elimination") and reports each unmet one as
//! a coded reason ([`ExitCondition`]):
//!
//! | code | condition |
//! | --- | --- |
//! | E01 | per-capita income estimate at or above the line in each of the last [`ExitRules::stable_income_months`] months (default 6) before the judgment month |
//! | E02 | large rigid expenses resolved: the latest income record's per-capita income after rigid expenditure is at or above the line |
//! | E03 | 两不愁三保障 and drinking water secure at the latest follow-up |
//! | E04 | at least [`ExitRules::min_monitored_months`] (default 6) since entry into monitoring |
//! | E05 | where the household has labour, at least one 开发式帮扶 measure (产业, 就业, 金融, 公益岗位) delivered |
//!
//! **The exit procedure**, an explicit state machine over [`ExitStep`]:
//!
//! | # | step | who | evidence | on 不通过 |
//! | --- | --- | --- | --- | --- |
//! | 1 | 预判提名 nomination ([`Exit::nominate`]) | village team, township admin | the pre-judgment; refused unless every condition is met | — |
//! | 2 | 预判会议决定 meeting decision | village team, township admin | [`Meeting`] | ends: 未消除 |
//! | 3 | 入户核查 household check | village team | [`ExitCheck`]: the four checks + the household's signature | ends: 未消除 |
//! | 4 | 民主评议 democratic appraisal | village team | [`Meeting`] (date, attendance), result, [`EliminationMode`] | ends: 未消除 |
//! | → | 风险消除 or 缓退 | — | 缓退 when the household is in a configured [`DeferredCategory`] (default 低保, 特困, 残疾, 无劳动力) | — |
//! | 5 | 退出告知 written notice ([`ExitNotice`]) | village team | number `兴县圪塔上乡〔2022〕告字第N号` | only after 风险消除 |
//! | — | 终止 withdraw | village team, township admin | reason | ends: 未消除 |
//!
//! Every action is [`Exit::apply`]: `&self` in, a new state or a [`Refusal`]
//! out; the input is never changed. A household whose exit ended 未消除 stays
//! monitored; a new exit may be nominated in a later quarter.

use chrono::{Datelike, Months, NaiveDate};

use super::calendar::{Quarter, YearMonth};
use super::common::{
    Actor, Decision, Label, Meeting, Refusal, RefusalCode, StepResult, date_zh, label_of,
    require_not_before, require_role, require_text,
};
use super::verification::Verification;
use crate::access::Role;
use crate::codes::{CodeList, EliminationMode, code_list};
use crate::household::Household;
use crate::income::IncomeRecord;
use crate::money::Fen;

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

code_list! {
    /// 缓退类别: households whose risk is judged eliminated but who stay under watch
    /// (§三(一)3 "属于低保、特困、残疾人家庭的特殊监测户要缓退"; no labour: national practice).
    pub enum DeferredCategory ("缓退类别", "deferred-exit category") {
        Dibao = ("dibao", "低保户", "Minimum living allowance household"),
        Tekun = ("tekun", "特困户", "Extreme-poverty support household"),
        Disability = ("disability", "残疾人家庭", "Household with a disabled member"),
        NoLabour = ("no_labour", "无劳动力家庭", "Household without labour"),
    }
}

impl DeferredCategory {
    /// The categories a household is in (not only the configured ones).
    pub fn of(h: &Household) -> Vec<DeferredCategory> {
        let mut out = Vec::new();
        if h.members.iter().any(|m| m.dibao.is_receiving()) {
            out.push(DeferredCategory::Dibao);
        }
        if h.members.iter().any(|m| m.tekun.is_receiving()) {
            out.push(DeferredCategory::Tekun);
        }
        if h.members.iter().any(|m| m.is_disabled()) {
            out.push(DeferredCategory::Disability);
        }
        if !h.has_labour() {
            out.push(DeferredCategory::NoLabour);
        }
        out
    }
}

/// The numbering of exit notices: `{prefix}〔{year}〕{word}第{n}号`.
#[derive(Clone, PartialEq, Eq, Debug, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NoticeNumbering {
    /// 发文机关简称 (default `兴县圪塔上乡`).
    pub prefix: String,
    /// 文种字 (default `告字`).
    pub word: String,
}

impl Default for NoticeNumbering {
    fn default() -> Self {
        NoticeNumbering {
            prefix: "兴县圪塔上乡".to_owned(),
            word: "告字".to_owned(),
        }
    }
}

impl NoticeNumbering {
    /// `兴县圪塔上乡〔2022〕告字第7号`.
    pub fn number(&self, year: i32, sequence: u32) -> String {
        format!("{}〔{year}〕{}第{sequence}号", self.prefix, self.word)
    }
}

/// Exit rules (configurable by the county).
#[derive(Clone, PartialEq, Eq, Debug, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct ExitRules {
    /// Categories that defer the exit (default all four).
    pub deferred: Vec<DeferredCategory>,
    /// Months since entry before the risk may be eliminated (default 6).
    pub min_monitored_months: u32,
    /// Months of income at or above the line required (default 6).
    pub stable_income_months: u32,
    /// Notice numbering.
    pub notice: NoticeNumbering,
}

impl Default for ExitRules {
    fn default() -> Self {
        ExitRules {
            deferred: DeferredCategory::ALL.to_vec(),
            min_monitored_months: 6,
            stable_income_months: 6,
            notice: NoticeNumbering::default(),
        }
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

/// Checks the risk-elimination conditions (see the module table) on `on`.
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

    // E03
    if facts.standards_secure != Some(true) {
        out.push(unmet(
            ExitCondition::Standards,
            "最近一次跟踪监测未确认两不愁三保障及饮水安全".to_owned(),
            "the latest follow-up did not confirm the standards".to_owned(),
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

code_list! {
    /// 退出步骤, in order.
    pub enum ExitStep ("退出步骤", "exit step") {
        Nomination = ("nomination", "预判提名", "Pre-judgment nomination"),
        MeetingDecision = ("meeting_decision", "预判会议决定", "Pre-judgment meeting decision"),
        HouseholdCheck = ("household_check", "入户核查", "Household check"),
        Appraisal = ("appraisal", "民主评议", "Democratic appraisal"),
        Notice = ("notice", "退出告知", "Exit notice"),
    }
}

impl ExitStep {
    /// The roles that may take the step.
    pub fn roles(self) -> &'static [Role] {
        match self {
            ExitStep::Nomination | ExitStep::MeetingDecision => {
                &[Role::VillageTeam, Role::TownshipAdmin]
            }
            ExitStep::HouseholdCheck | ExitStep::Appraisal | ExitStep::Notice => {
                &[Role::VillageTeam]
            }
        }
    }

    /// The position in the procedure (0-based).
    pub fn index(self) -> usize {
        ExitStep::ALL.iter().position(|s| *s == self).unwrap_or(0)
    }
}

/// Roles that may withdraw an exit.
pub const WITHDRAW_ROLES: &[Role] = &[Role::VillageTeam, Role::TownshipAdmin];
const WITHDRAW: Label = ("终止退出程序", "Withdraw the exit");
const EXIT: Label = ("退出程序", "Exit procedure");

/// 入户核查 at exit: the four checks of §三(一)3 and the household's signature.
#[derive(Clone, PartialEq, Eq, Debug, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ExitCheck {
    /// The visit: 二查 two assurances, three guarantees and water
    /// ([`Verification::standards`]), 四查 income and expenditure
    /// ([`Verification::income`], required), and the signature (required).
    pub verification: Verification,
    /// 一查帮扶措施是否精准落实.
    pub measures_delivered: bool,
    /// 三查家庭产业就业情况: stable.
    pub industry_employment_ok: bool,
    /// 三查: what the household does (industry, employment).
    pub industry_employment: String,
}

impl ExitCheck {
    /// The four checks and whether each passes (income against `line`).
    pub fn results(&self, line: Fen) -> [(Label, bool); 4] {
        [
            (
                ("帮扶措施精准落实", "measures delivered"),
                self.measures_delivered,
            ),
            (
                ("两不愁三保障及饮水安全实现", "standards secure"),
                self.verification.standards.secure(),
            ),
            (
                ("家庭产业就业稳定", "industry and employment stable"),
                self.industry_employment_ok,
            ),
            (
                (
                    "家庭人均纯收入不低于监测线",
                    "per-capita income at or above the line",
                ),
                self.verification.per_capita().is_some_and(|p| p >= line),
            ),
        ]
    }
}

/// An action on an exit.
#[derive(Clone, PartialEq, Eq, Debug, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum ExitAction {
    /// 预判会议决定: proceed with this household or not.
    DecideAtMeeting {
        /// The meeting.
        meeting: Meeting,
        /// Result and opinion.
        decision: Decision,
    },
    /// 入户核查: the result follows from the four checks.
    CheckHousehold {
        /// The checks.
        check: Box<ExitCheck>,
        /// Opinion.
        opinion: String,
    },
    /// 民主评议.
    Appraise {
        /// The meeting (date, attendance).
        meeting: Meeting,
        /// Result and opinion.
        decision: Decision,
        /// 风险消除方式.
        mode: EliminationMode,
        /// The household's categories now ([`DeferredCategory::of`]).
        categories: Vec<DeferredCategory>,
    },
    /// 退出告知: issue the written notice.
    IssueNotice {
        /// The notice's sequence number in the year (from the store's counter).
        sequence: u32,
        /// 户主姓名 (addressee).
        addressee: String,
        /// 村名, e.g. 圪塔上乡某某村.
        village: String,
        /// 落款: the village committee, e.g. 某某村村民委员会.
        committee: String,
    },
    /// 终止: stop the procedure (e.g. a new risk appeared).
    Withdraw {
        /// Why.
        reason: String,
    },
}

impl ExitAction {
    fn step(&self) -> Option<ExitStep> {
        match self {
            ExitAction::DecideAtMeeting { .. } => Some(ExitStep::MeetingDecision),
            ExitAction::CheckHousehold { .. } => Some(ExitStep::HouseholdCheck),
            ExitAction::Appraise { .. } => Some(ExitStep::Appraisal),
            ExitAction::IssueNotice { .. } => Some(ExitStep::Notice),
            ExitAction::Withdraw { .. } => None,
        }
    }
}

/// Step evidence kept in a record.
#[derive(Clone, PartialEq, Eq, Debug, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ExitStepEvidence {
    /// The pre-judgment.
    PreJudgment {
        /// The judgment.
        judgment: Box<PreJudgment>,
    },
    /// A meeting.
    Meeting {
        /// The meeting.
        meeting: Meeting,
    },
    /// The household check.
    Check {
        /// The checks.
        check: Box<ExitCheck>,
    },
    /// The appraisal.
    Appraisal {
        /// The meeting.
        meeting: Meeting,
        /// The mode.
        mode: EliminationMode,
        /// The household's categories.
        categories: Vec<DeferredCategory>,
    },
    /// The notice.
    Notice {
        /// The notice.
        notice: Box<ExitNotice>,
    },
}

/// One exit step taken.
#[derive(Clone, PartialEq, Eq, Debug, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ExitRecord {
    /// The step.
    pub step: ExitStep,
    /// Who (with role).
    pub actor: Actor,
    /// When.
    pub on: NaiveDate,
    /// 通过 / 不通过.
    pub result: StepResult,
    /// 意见.
    pub opinion: String,
    /// Evidence.
    pub evidence: ExitStepEvidence,
}

/// Where an exit stands.
#[derive(Clone, PartialEq, Eq, Debug, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum ExitStatus {
    /// 退出程序进行中.
    InProgress,
    /// 风险消除.
    Eliminated {
        /// Date (of the appraisal).
        on: NaiveDate,
        /// 帮扶消除 / 自然消除.
        mode: EliminationMode,
    },
    /// 缓退: judged eliminated, kept under watch.
    Deferred {
        /// Date.
        on: NaiveDate,
        /// Why (configured categories the household is in).
        categories: Vec<DeferredCategory>,
    },
    /// 未消除: a step was 不通过, or the procedure was withdrawn.
    NotEliminated {
        /// At which step (`None`: withdrawn).
        step: Option<ExitStep>,
        /// When.
        on: NaiveDate,
        /// Why.
        reason: String,
    },
}

/// The written exit notice 退出告知书.
#[derive(Clone, PartialEq, Eq, Debug, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ExitNotice {
    /// 文号, e.g. `兴县圪塔上乡〔2022〕告字第7号`.
    pub number: String,
    /// Year of the number.
    pub year: i32,
    /// Sequence in the year.
    pub sequence: u32,
    /// 户编号.
    pub household: String,
    /// 户主姓名.
    pub addressee: String,
    /// 村名.
    pub village: String,
    /// 落款单位.
    pub committee: String,
    /// 风险消除日期.
    pub eliminated_on: NaiveDate,
    /// 风险消除方式.
    pub mode: EliminationMode,
    /// 告知日期.
    pub issued_on: NaiveDate,
}

/// The printable text of a notice.
#[derive(Clone, PartialEq, Eq, Debug, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NoticeText {
    /// 标题.
    pub title: String,
    /// 文号.
    pub number: String,
    /// 称呼 (`张三户：`).
    pub salutation: String,
    /// 正文 paragraphs.
    pub body: Vec<String>,
    /// 落款.
    pub issuer: String,
    /// 日期 (`2022年9月28日`).
    pub date: String,
}

impl NoticeText {
    /// The whole text, one paragraph a line (for a preview or a plain printout).
    pub fn plain(&self) -> String {
        let mut lines = vec![
            self.title.clone(),
            self.number.clone(),
            String::new(),
            self.salutation.clone(),
        ];
        lines.extend(self.body.iter().map(|p| format!("　　{p}")));
        lines.push(String::new());
        lines.push(self.issuer.clone());
        lines.push(self.date.clone());
        lines.join("\n")
    }
}

impl ExitNotice {
    /// The printable text (§三(一)3 四是退出告知: "村委要书面告知其退出防返贫监测帮扶范围").
    pub fn text(&self) -> NoticeText {
        NoticeText {
            title: "退出防返贫监测帮扶范围告知书".to_owned(),
            number: self.number.clone(),
            salutation: format!("{}户：", self.addressee),
            body: vec![
                format!(
                    "经村级工作专班入户核查、{}民主评议，你户返贫致贫风险已稳定消除（风险消除方式：{}），于{}按程序完成返贫风险退出。自即日起，你户退出防返贫监测帮扶范围。",
                    self.village,
                    self.mode.label_zh(),
                    date_zh(self.eliminated_on)
                ),
                "退出后，村级工作专班将继续关注你户生产生活情况。如再次出现返贫致贫风险，请及时向村委会申请，我们将按程序重新纳入监测帮扶。".to_owned(),
                "特此告知。".to_owned(),
            ],
            issuer: self.committee.clone(),
            date: date_zh(self.issued_on),
        }
    }
}

/// One exit procedure of a household.
#[derive(Clone, PartialEq, Eq, Debug, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Exit {
    /// 户编号.
    pub household: String,
    /// The quarter of the nomination.
    pub quarter: Quarter,
    /// The rules in force at nomination.
    pub rules: ExitRules,
    /// Steps taken, in order (nomination first).
    pub steps: Vec<ExitRecord>,
    /// Where it stands.
    pub status: ExitStatus,
}

impl Exit {
    /// 预判提名: nominates a household. Refuses a role outside
    /// [`ExitStep::Nomination`]'s, or a household that does not meet every
    /// condition (the refusal lists the unmet ones).
    pub fn nominate(
        household: impl Into<String>,
        facts: &ExitFacts,
        rules: ExitRules,
        actor: &Actor,
        on: NaiveDate,
    ) -> Result<Exit, Refusal> {
        require_role(
            actor,
            label_of(ExitStep::Nomination),
            ExitStep::Nomination.roles(),
        )?;
        let household = household.into();
        require_text(&household, ("户编号", "household number"))?;
        let judgment = prejudge(facts, &rules, on);
        if !judgment.proposed() {
            let zh: Vec<String> = judgment
                .unmet
                .iter()
                .map(|u| {
                    format!(
                        "{}（{}）：{}",
                        u.condition.code(),
                        u.condition.label_zh(),
                        u.detail_zh
                    )
                })
                .collect();
            let en: Vec<String> = judgment
                .unmet
                .iter()
                .map(|u| {
                    format!(
                        "{} ({}): {}",
                        u.condition.code(),
                        u.condition.label_en(),
                        u.detail_en
                    )
                })
                .collect();
            return Err(Refusal::new(
                RefusalCode::NotEligible,
                format!("不符合风险消除条件：{}", zh.join("；")),
                format!("Risk-elimination conditions not met: {}", en.join("; ")),
            ));
        }
        Ok(Exit {
            household,
            quarter: Quarter::of(on),
            rules,
            steps: vec![ExitRecord {
                step: ExitStep::Nomination,
                actor: actor.clone(),
                on,
                result: StepResult::Pass,
                opinion: String::new(),
                evidence: ExitStepEvidence::PreJudgment {
                    judgment: Box::new(judgment),
                },
            }],
            status: ExitStatus::InProgress,
        })
    }

    /// The pre-judgment made at nomination.
    pub fn prejudgment(&self) -> Option<&PreJudgment> {
        self.steps.iter().find_map(|r| match &r.evidence {
            ExitStepEvidence::PreJudgment { judgment } => Some(judgment.as_ref()),
            _ => None,
        })
    }

    /// The notice, once issued.
    pub fn notice(&self) -> Option<&ExitNotice> {
        self.steps.iter().find_map(|r| match &r.evidence {
            ExitStepEvidence::Notice { notice } => Some(notice.as_ref()),
            _ => None,
        })
    }

    /// The next step (`None` when nothing more may be done).
    pub fn next_step(&self) -> Option<ExitStep> {
        match self.status {
            ExitStatus::InProgress => ExitStep::ALL.get(self.steps.len()).copied(),
            ExitStatus::Eliminated { .. } if self.notice().is_none() => Some(ExitStep::Notice),
            _ => None,
        }
    }

    /// Still running.
    pub fn is_in_progress(&self) -> bool {
        self.status == ExitStatus::InProgress
    }

    /// The end date (eliminated, deferred, or not eliminated).
    pub fn ended_on(&self) -> Option<NaiveDate> {
        match &self.status {
            ExitStatus::InProgress => None,
            ExitStatus::Eliminated { on, .. }
            | ExitStatus::Deferred { on, .. }
            | ExitStatus::NotEliminated { on, .. } => Some(*on),
        }
    }

    fn line(&self) -> Fen {
        self.prejudgment().map_or(Fen::ZERO, |p| p.facts.line)
    }

    /// Takes an action. Returns the new state or a [`Refusal`] leaving `self`
    /// unchanged: ended; out of order (or already taken); a role that may not;
    /// a date before the previous step; missing evidence or signature.
    pub fn apply(&self, action: ExitAction, actor: &Actor, on: NaiveDate) -> Result<Exit, Refusal> {
        let last = self.steps.last().map_or(on, |r| r.on);
        let Some(step) = action.step() else {
            let ExitAction::Withdraw { reason } = action else {
                return Err(Refusal::invalid("无效操作", "Invalid action"));
            };
            require_role(actor, WITHDRAW, WITHDRAW_ROLES)?;
            if !self.is_in_progress() {
                return Err(Refusal::finished(EXIT));
            }
            require_text(&reason, ("终止原因", "reason for withdrawing"))?;
            require_not_before(on, last)?;
            let mut next = self.clone();
            next.status = ExitStatus::NotEliminated {
                step: None,
                on,
                reason,
            };
            return Ok(next);
        };
        require_role(actor, label_of(step), step.roles())?;
        let Some(expected) = self.next_step() else {
            return Err(Refusal::finished(EXIT));
        };
        if step.index() < expected.index() {
            return Err(Refusal::new(
                RefusalCode::Duplicate,
                format!("“{}”已经办理", step.label_zh()),
                format!(
                    "{} ({}) has already been taken",
                    step.label_zh(),
                    step.label_en().to_lowercase()
                ),
            ));
        }
        if step != expected {
            return Err(Refusal::out_of_order(expected, step));
        }
        require_not_before(on, last)?;

        let mut next = self.clone();
        let (result, opinion, evidence) = match action {
            ExitAction::DecideAtMeeting { meeting, decision } => {
                meeting.validate(on)?;
                decision.validate()?;
                (
                    decision.result,
                    decision.opinion,
                    ExitStepEvidence::Meeting { meeting },
                )
            }
            ExitAction::CheckHousehold { check, opinion } => {
                check.verification.validate(on)?;
                if check.verification.income.is_none() {
                    return Err(Refusal::new(
                        RefusalCode::EvidenceRequired,
                        "入户核查须有家庭收支情况",
                        "The household check needs the income and expenditure",
                    ));
                }
                if !check.verification.signature.is_signed() {
                    return Err(Refusal::new(
                        RefusalCode::SignatureRequired,
                        "核查结果需经监测户签字认可",
                        "The household must sign the check result",
                    ));
                }
                require_text(
                    &check.industry_employment,
                    ("家庭产业就业情况", "industry and employment"),
                )?;
                let failed: Vec<Label> = check
                    .results(self.line())
                    .into_iter()
                    .filter(|(_, ok)| !ok)
                    .map(|(l, _)| l)
                    .collect();
                if failed.is_empty() {
                    (StepResult::Pass, opinion, ExitStepEvidence::Check { check })
                } else {
                    let zh: Vec<&str> = failed.iter().map(|l| l.0).collect();
                    let reason = if opinion.trim().is_empty() {
                        format!("核查未通过，未达标项：{}", zh.join("、"))
                    } else {
                        format!("核查未通过，未达标项：{}；{opinion}", zh.join("、"))
                    };
                    (StepResult::Fail, reason, ExitStepEvidence::Check { check })
                }
            }
            ExitAction::Appraise {
                meeting,
                decision,
                mode,
                categories,
            } => {
                meeting.validate(on)?;
                decision.validate()?;
                if decision.result.passed() && mode == EliminationMode::Assisted {
                    let delivered = self.prejudgment().map_or(0, |p| p.facts.measures_delivered);
                    if delivered == 0 {
                        return Err(Refusal::invalid(
                            "未落实任何帮扶措施，不能认定为帮扶消除",
                            "No measure was delivered: the mode cannot be 帮扶消除 (eliminated through assistance)",
                        ));
                    }
                }
                (
                    decision.result,
                    decision.opinion,
                    ExitStepEvidence::Appraisal {
                        meeting,
                        mode,
                        categories,
                    },
                )
            }
            ExitAction::IssueNotice {
                sequence,
                addressee,
                village,
                committee,
            } => {
                let ExitStatus::Eliminated {
                    on: eliminated_on,
                    mode,
                } = self.status
                else {
                    return Err(Refusal::finished(EXIT));
                };
                if sequence == 0 {
                    return Err(Refusal::invalid(
                        "告知书序号须大于 0",
                        "The notice sequence must be above 0",
                    ));
                }
                require_text(&addressee, ("户主姓名", "addressee"))?;
                require_text(&village, ("村名", "village"))?;
                require_text(&committee, ("落款单位", "issuing committee"))?;
                let year = on.year();
                let notice = ExitNotice {
                    number: self.rules.notice.number(year, sequence),
                    year,
                    sequence,
                    household: self.household.clone(),
                    addressee,
                    village,
                    committee,
                    eliminated_on,
                    mode,
                    issued_on: on,
                };
                (
                    StepResult::Pass,
                    String::new(),
                    ExitStepEvidence::Notice {
                        notice: Box::new(notice),
                    },
                )
            }
            ExitAction::Withdraw { .. } => {
                return Err(Refusal::invalid("无效操作", "Invalid action"));
            }
        };
        if result == StepResult::Fail {
            next.status = ExitStatus::NotEliminated {
                step: Some(step),
                on,
                reason: opinion.clone(),
            };
        } else if let ExitStepEvidence::Appraisal {
            mode, categories, ..
        } = &evidence
        {
            let deferred: Vec<DeferredCategory> = self
                .rules
                .deferred
                .iter()
                .copied()
                .filter(|c| categories.contains(c))
                .collect();
            next.status = if deferred.is_empty() {
                ExitStatus::Eliminated { on, mode: *mode }
            } else {
                ExitStatus::Deferred {
                    on,
                    categories: deferred,
                }
            };
        }
        next.steps.push(ExitRecord {
            step,
            actor: actor.clone(),
            on,
            result,
            opinion,
            evidence,
        });
        Ok(next)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::codes::{Dibao, LabourSkill};
    use crate::household::tests::household;
    use crate::monitoring::identification::tests::actor;
    use crate::monitoring::verification::tests::{income, verification};
    use proptest::prelude::*;

    fn d(m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2022, m, day).unwrap()
    }

    fn ym(m: u32) -> YearMonth {
        YearMonth::new(2022, m).unwrap()
    }

    /// Facts of a household entered on 2022-01-10 that meets every condition on 2022-09-15.
    pub(crate) fn good_facts() -> ExitFacts {
        ExitFacts {
            monitored_since: d(1, 10),
            line: Fen::from_yuan(6500),
            monthly_income: (2..=8).map(|m| (ym(m), Fen::from_yuan(7000))).collect(),
            latest_income: Some(income(7000, 3)),
            standards_secure: Some(true),
            has_labour: true,
            measures_delivered: 2,
            developmental_delivered: true,
            categories: vec![],
        }
    }

    fn codes(p: &PreJudgment) -> Vec<&'static str> {
        p.unmet.iter().map(|u| u.condition.code()).collect()
    }

    #[test]
    fn deferred_categories_of_household() {
        let mut h = household();
        assert!(DeferredCategory::of(&h).is_empty());
        h.members[0].dibao = Dibao::Rural;
        h.members[1].disability_grade = Some(2);
        assert_eq!(
            DeferredCategory::of(&h),
            [DeferredCategory::Dibao, DeferredCategory::Disability]
        );
        h.members[0].tekun = crate::codes::Tekun::Rural;
        for m in &mut h.members {
            m.labour = LabourSkill::Lost;
        }
        assert_eq!(DeferredCategory::of(&h), DeferredCategory::ALL);
        // the plan's three agree with Household::is_deferred_exit_category
        assert!(h.is_deferred_exit_category());
    }

    #[test]
    fn prejudgment_conditions() {
        let rules = ExitRules::default();
        let on = d(9, 15);
        let p = prejudge(&good_facts(), &rules, on);
        assert!(p.proposed(), "{:?}", p.unmet);
        assert!(p.deferred.is_empty());

        // E01: a missing month and a month below the line
        let mut f = good_facts();
        f.monthly_income.retain(|(m, _)| *m != ym(5));
        f.monthly_income[0].1 = Fen::from_yuan(6000); // Feb is outside the window (Mar–Aug)
        f.monthly_income[1].1 = Fen::from_yuan(6499); // Mar
        let p = prejudge(&f, &rules, on);
        assert_eq!(codes(&p), ["E01"]);
        assert!(
            p.unmet[0].detail_zh.contains("2022-05"),
            "{}",
            p.unmet[0].detail_zh
        );
        assert!(
            p.unmet[0].detail_zh.contains("2022-03（6499.00）"),
            "{}",
            p.unmet[0].detail_zh
        );
        // exactly on the line is enough
        let mut f = good_facts();
        for x in &mut f.monthly_income {
            x.1 = f.line;
        }
        assert!(prejudge(&f, &rules, on).proposed());

        // E02
        let mut f = good_facts();
        let mut inc = income(7000, 3);
        inc.rigid_medical = Fen::from_yuan(3000);
        f.latest_income = Some(inc);
        assert_eq!(codes(&prejudge(&f, &rules, on)), ["E02"]);
        inc.insurance_payout = Fen::from_yuan(3000); // a payout covers it
        f.latest_income = Some(inc);
        assert!(prejudge(&f, &rules, on).proposed());
        f.latest_income = None;
        assert_eq!(codes(&prejudge(&f, &rules, on)), ["E02"]);

        // E03
        let mut f = good_facts();
        f.standards_secure = Some(false);
        assert_eq!(codes(&prejudge(&f, &rules, on)), ["E03"]);
        f.standards_secure = None;
        assert_eq!(codes(&prejudge(&f, &rules, on)), ["E03"]);

        // E04 at the boundary: entered 03-15, judged 09-14 (no) and 09-15 (yes)
        let mut f = good_facts();
        f.monitored_since = d(3, 15);
        assert_eq!(codes(&prejudge(&f, &rules, d(9, 14))), ["E04"]);
        assert!(prejudge(&f, &rules, d(9, 15)).proposed());

        // E05: labour without a developmental measure; no labour: not required
        let mut f = good_facts();
        f.developmental_delivered = false;
        assert_eq!(codes(&prejudge(&f, &rules, on)), ["E05"]);
        f.has_labour = false;
        f.categories = vec![DeferredCategory::NoLabour];
        let p = prejudge(&f, &rules, on);
        assert!(p.proposed());
        assert_eq!(p.deferred, [DeferredCategory::NoLabour]);

        // everything wrong at once: all five codes, in order
        let f = ExitFacts {
            monitored_since: d(8, 1),
            line: Fen::from_yuan(6500),
            monthly_income: vec![],
            latest_income: None,
            standards_secure: None,
            has_labour: true,
            measures_delivered: 0,
            developmental_delivered: false,
            categories: vec![],
        };
        assert_eq!(
            codes(&prejudge(&f, &rules, on)),
            ["E01", "E02", "E03", "E04", "E05"]
        );
        // configurable months
        let short = ExitRules {
            stable_income_months: 1,
            min_monitored_months: 1,
            ..ExitRules::default()
        };
        let mut f = good_facts();
        f.monthly_income = vec![(ym(8), Fen::from_yuan(7000))];
        f.monitored_since = d(8, 10);
        assert!(prejudge(&f, &short, on).proposed());
        // the window crosses the year end
        let jan = NaiveDate::from_ymd_opt(2023, 1, 15).unwrap();
        let mut f = good_facts();
        f.monthly_income = (7..=12).map(|m| (ym(m), Fen::from_yuan(7000))).collect();
        assert!(prejudge(&f, &rules, jan).proposed());
    }

    #[test]
    fn notice_number_format() {
        let n = NoticeNumbering::default();
        assert_eq!(n.number(2022, 7), "兴县圪塔上乡〔2022〕告字第7号");
        let other = NoticeNumbering {
            prefix: "某县某镇".into(),
            word: "退告字".into(),
        };
        assert_eq!(other.number(2023, 12), "某县某镇〔2023〕退告字第12号");
    }

    pub(crate) fn meeting(on: NaiveDate) -> Meeting {
        Meeting {
            held_on: on,
            attendance: 28,
            minutes: "逐户研判".into(),
        }
    }

    pub(crate) fn check(on: NaiveDate) -> ExitCheck {
        ExitCheck {
            verification: verification(on, 7000),
            measures_delivered: true,
            industry_employment_ok: true,
            industry_employment: "户主在县城务工，月收入3000元".into(),
        }
    }

    /// The passing action of each step after nomination.
    pub(crate) fn pass_action(
        step: ExitStep,
        on: NaiveDate,
        categories: Vec<DeferredCategory>,
    ) -> ExitAction {
        match step {
            ExitStep::Nomination | ExitStep::MeetingDecision => ExitAction::DecideAtMeeting {
                meeting: meeting(on),
                decision: Decision::pass("同意进入退出程序"),
            },
            ExitStep::HouseholdCheck => ExitAction::CheckHousehold {
                check: Box::new(check(on)),
                opinion: "四查均达标".into(),
            },
            ExitStep::Appraisal => ExitAction::Appraise {
                meeting: meeting(on),
                decision: Decision::pass("评议通过"),
                mode: EliminationMode::Assisted,
                categories,
            },
            ExitStep::Notice => ExitAction::IssueNotice {
                sequence: 7,
                addressee: "张三".into(),
                village: "圪塔上乡某某村".into(),
                committee: "某某村村民委员会".into(),
            },
        }
    }

    pub(crate) fn nominated() -> Exit {
        Exit::nominate(
            "H1",
            &good_facts(),
            ExitRules::default(),
            &actor(Role::VillageTeam),
            d(9, 15),
        )
        .unwrap()
    }

    fn step_date(i: usize) -> NaiveDate {
        [d(9, 15), d(9, 16), d(9, 20), d(9, 26), d(9, 28)][i]
    }

    /// Nominated, then steps 1..n passed.
    pub(crate) fn run_to(n: usize, categories: Vec<DeferredCategory>) -> Exit {
        let mut e = nominated();
        for (i, step) in ExitStep::ALL.iter().enumerate().take(n).skip(1) {
            e = e
                .apply(
                    pass_action(*step, step_date(i), categories.clone()),
                    &actor(step.roles()[0]),
                    step_date(i),
                )
                .unwrap();
        }
        e
    }

    #[test]
    fn nomination() {
        let e = nominated();
        assert_eq!(e.quarter, Quarter { year: 2022, q: 3 });
        assert_eq!(e.next_step(), Some(ExitStep::MeetingDecision));
        assert!(e.prejudgment().unwrap().proposed());
        let mut f = good_facts();
        f.standards_secure = Some(false);
        f.developmental_delivered = false;
        let r = Exit::nominate(
            "H1",
            &f,
            ExitRules::default(),
            &actor(Role::VillageTeam),
            d(9, 15),
        )
        .unwrap_err();
        assert_eq!(r.code, RefusalCode::NotEligible);
        assert!(
            r.message_zh.contains("E03") && r.message_zh.contains("E05"),
            "{}",
            r.message_zh
        );
        assert!(r.message_en.contains("E03 (Food"), "{}", r.message_en);
        for role in [
            Role::Cadre,
            Role::CountyAdmin,
            Role::Auditor,
            Role::Department,
        ] {
            let r = Exit::nominate(
                "H1",
                &good_facts(),
                ExitRules::default(),
                &actor(role),
                d(9, 15),
            )
            .unwrap_err();
            assert_eq!(r.code, RefusalCode::RoleNotAllowed);
        }
        assert!(
            Exit::nominate(
                "",
                &good_facts(),
                ExitRules::default(),
                &actor(Role::TownshipAdmin),
                d(9, 15)
            )
            .is_err()
        );
    }

    #[test]
    fn full_exit_with_notice() {
        let e = run_to(4, vec![]);
        assert_eq!(
            e.status,
            ExitStatus::Eliminated {
                on: d(9, 26),
                mode: EliminationMode::Assisted
            }
        );
        assert_eq!(e.next_step(), Some(ExitStep::Notice));
        assert_eq!(e.ended_on(), Some(d(9, 26)));
        let e = e
            .apply(
                pass_action(ExitStep::Notice, d(9, 28), vec![]),
                &actor(Role::VillageTeam),
                d(9, 28),
            )
            .unwrap();
        let n = e.notice().unwrap();
        assert_eq!(n.number, "兴县圪塔上乡〔2022〕告字第7号");
        let t = n.text();
        assert_eq!(t.title, "退出防返贫监测帮扶范围告知书");
        assert_eq!(t.salutation, "张三户：");
        assert!(
            t.body[0].contains("帮扶消除") && t.body[0].contains("2022年9月26日"),
            "{}",
            t.body[0]
        );
        assert_eq!(t.issuer, "某某村村民委员会");
        assert_eq!(t.date, "2022年9月28日");
        assert!(
            t.plain()
                .starts_with("退出防返贫监测帮扶范围告知书\n兴县圪塔上乡〔2022〕告字第7号\n")
        );
        assert_eq!(e.next_step(), None);
        let r = e
            .apply(
                pass_action(ExitStep::Notice, d(9, 29), vec![]),
                &actor(Role::VillageTeam),
                d(9, 29),
            )
            .unwrap_err();
        assert_eq!(r.code, RefusalCode::Finished);
        assert_eq!(
            e.steps.iter().map(|s| s.step).collect::<Vec<_>>(),
            ExitStep::ALL
        );
    }

    #[test]
    fn deferred_exit() {
        // 低保 household: 缓退, no notice
        let e = run_to(
            4,
            vec![DeferredCategory::Dibao, DeferredCategory::Disability],
        );
        assert_eq!(
            e.status,
            ExitStatus::Deferred {
                on: d(9, 26),
                categories: vec![DeferredCategory::Dibao, DeferredCategory::Disability]
            }
        );
        assert_eq!(e.next_step(), None);
        let r = e
            .apply(
                pass_action(ExitStep::Notice, d(9, 28), vec![]),
                &actor(Role::VillageTeam),
                d(9, 28),
            )
            .unwrap_err();
        assert_eq!(r.code, RefusalCode::Finished);
        // categories are configurable: without 低保 in the rules the household exits
        let rules = ExitRules {
            deferred: vec![DeferredCategory::Tekun],
            ..ExitRules::default()
        };
        let mut e = Exit::nominate(
            "H1",
            &good_facts(),
            rules,
            &actor(Role::VillageTeam),
            d(9, 15),
        )
        .unwrap();
        for (i, step) in ExitStep::ALL.iter().enumerate().take(4).skip(1) {
            e = e
                .apply(
                    pass_action(*step, step_date(i), vec![DeferredCategory::Dibao]),
                    &actor(Role::VillageTeam),
                    step_date(i),
                )
                .unwrap();
        }
        assert!(matches!(e.status, ExitStatus::Eliminated { .. }));
    }

    #[test]
    fn each_transition_in_order() {
        for (i, step) in ExitStep::ALL.iter().enumerate().skip(1) {
            let e = run_to(i, vec![]);
            assert_eq!(e.next_step(), Some(*step));
            for later in &ExitStep::ALL[i + 1..] {
                let r = e
                    .apply(
                        pass_action(*later, step_date(i), vec![]),
                        &actor(Role::VillageTeam),
                        step_date(i),
                    )
                    .unwrap_err();
                assert_eq!(r.code, RefusalCode::OutOfOrder, "{later:?} at {step:?}");
            }
            for earlier in &ExitStep::ALL[1..i] {
                let r = e
                    .apply(
                        pass_action(*earlier, step_date(i), vec![]),
                        &actor(Role::VillageTeam),
                        step_date(i),
                    )
                    .unwrap_err();
                assert_eq!(r.code, RefusalCode::Duplicate);
            }
            for role in Role::ALL {
                let r = e.apply(
                    pass_action(*step, step_date(i), vec![]),
                    &actor(*role),
                    step_date(i),
                );
                assert_eq!(r.is_ok(), step.roles().contains(role), "{role:?} {step:?}");
                if let Err(r) = r {
                    assert_eq!(r.code, RefusalCode::RoleNotAllowed);
                }
            }
        }
        let e = run_to(2, vec![]);
        let r = e
            .apply(
                pass_action(ExitStep::Appraisal, d(9, 20), vec![]),
                &actor(Role::VillageTeam),
                d(9, 20),
            )
            .unwrap_err();
        assert_eq!(
            r.message_en,
            "入户核查 (household check) must come before 民主评议 (democratic appraisal)"
        );
    }

    #[test]
    fn failures_end_the_exit() {
        let team = actor(Role::VillageTeam);
        // meeting says no
        let e = run_to(1, vec![])
            .apply(
                ExitAction::DecideAtMeeting {
                    meeting: meeting(d(9, 16)),
                    decision: Decision::fail("收入不稳定"),
                },
                &team,
                d(9, 16),
            )
            .unwrap();
        assert_eq!(
            e.status,
            ExitStatus::NotEliminated {
                step: Some(ExitStep::MeetingDecision),
                on: d(9, 16),
                reason: "收入不稳定".into()
            }
        );
        assert_eq!(e.next_step(), None);
        // a failed check names the failed checks
        let mut c = check(d(9, 20));
        c.industry_employment_ok = false;
        c.verification.standards.problems = vec![crate::codes::Guarantee::Housing];
        let e = run_to(2, vec![])
            .apply(
                ExitAction::CheckHousehold {
                    check: Box::new(c),
                    opinion: "需继续帮扶".into(),
                },
                &team,
                d(9, 20),
            )
            .unwrap();
        match &e.status {
            ExitStatus::NotEliminated {
                step: Some(ExitStep::HouseholdCheck),
                reason,
                ..
            } => {
                assert_eq!(
                    reason,
                    "核查未通过，未达标项：两不愁三保障及饮水安全实现、家庭产业就业稳定；需继续帮扶"
                );
            }
            other => panic!("{other:?}"),
        }
        // income below the line at the check
        let mut c = check(d(9, 20));
        c.verification.income = Some(income(6000, 3));
        let e = run_to(2, vec![])
            .apply(
                ExitAction::CheckHousehold {
                    check: Box::new(c),
                    opinion: String::new(),
                },
                &team,
                d(9, 20),
            )
            .unwrap();
        assert!(
            matches!(&e.status, ExitStatus::NotEliminated { reason, .. } if reason == "核查未通过，未达标项：家庭人均纯收入不低于监测线")
        );
        // appraisal says no
        let e = run_to(3, vec![])
            .apply(
                ExitAction::Appraise {
                    meeting: meeting(d(9, 26)),
                    decision: Decision::fail("群众不认可"),
                    mode: EliminationMode::Natural,
                    categories: vec![],
                },
                &team,
                d(9, 26),
            )
            .unwrap();
        assert!(matches!(
            e.status,
            ExitStatus::NotEliminated {
                step: Some(ExitStep::Appraisal),
                ..
            }
        ));
        // withdraw at any running step
        for i in 1..4 {
            let e = run_to(i, vec![])
                .apply(
                    ExitAction::Withdraw {
                        reason: "新发大病".into(),
                    },
                    &actor(Role::TownshipAdmin),
                    d(9, 27),
                )
                .unwrap();
            assert_eq!(
                e.status,
                ExitStatus::NotEliminated {
                    step: None,
                    on: d(9, 27),
                    reason: "新发大病".into()
                }
            );
            let r = e
                .apply(ExitAction::Withdraw { reason: "x".into() }, &team, d(9, 28))
                .unwrap_err();
            assert_eq!(r.code, RefusalCode::Finished);
        }
        let r = run_to(1, vec![])
            .apply(ExitAction::Withdraw { reason: " ".into() }, &team, d(9, 27))
            .unwrap_err();
        assert_eq!(r.code, RefusalCode::InvalidInput);
        let r = run_to(1, vec![])
            .apply(
                ExitAction::Withdraw { reason: "x".into() },
                &actor(Role::Cadre),
                d(9, 27),
            )
            .unwrap_err();
        assert_eq!(r.code, RefusalCode::RoleNotAllowed);
        let r = run_to(4, vec![])
            .apply(ExitAction::Withdraw { reason: "x".into() }, &team, d(9, 27))
            .unwrap_err();
        assert_eq!(r.code, RefusalCode::Finished);
    }

    #[test]
    fn evidence_refusals() {
        let team = actor(Role::VillageTeam);
        let e = run_to(2, vec![]);
        // unsigned
        let mut c = check(d(9, 20));
        c.verification.signature = crate::monitoring::Signature::NotSigned {
            reason: "拒签".into(),
        };
        let r = e
            .apply(
                ExitAction::CheckHousehold {
                    check: Box::new(c),
                    opinion: String::new(),
                },
                &team,
                d(9, 20),
            )
            .unwrap_err();
        assert_eq!(r.code, RefusalCode::SignatureRequired);
        // no income
        let mut c = check(d(9, 20));
        c.verification.income = None;
        let r = e
            .apply(
                ExitAction::CheckHousehold {
                    check: Box::new(c),
                    opinion: String::new(),
                },
                &team,
                d(9, 20),
            )
            .unwrap_err();
        assert_eq!(r.code, RefusalCode::EvidenceRequired);
        let mut c = check(d(9, 20));
        c.industry_employment.clear();
        assert!(
            e.apply(
                ExitAction::CheckHousehold {
                    check: Box::new(c),
                    opinion: String::new()
                },
                &team,
                d(9, 20)
            )
            .is_err()
        );
        // date before the previous step
        let r = e
            .apply(
                pass_action(ExitStep::HouseholdCheck, d(9, 15), vec![]),
                &team,
                d(9, 15),
            )
            .unwrap_err();
        assert_eq!(r.code, RefusalCode::DateOrder);
        // meetings need attendance, fail needs reason
        let e1 = run_to(1, vec![]);
        let bad = Meeting {
            attendance: 0,
            ..meeting(d(9, 16))
        };
        assert!(
            e1.apply(
                ExitAction::DecideAtMeeting {
                    meeting: bad,
                    decision: Decision::pass("")
                },
                &team,
                d(9, 16)
            )
            .is_err()
        );
        assert!(
            e1.apply(
                ExitAction::DecideAtMeeting {
                    meeting: meeting(d(9, 16)),
                    decision: Decision::fail("")
                },
                &team,
                d(9, 16)
            )
            .is_err()
        );
        // 帮扶消除 needs delivered measures
        let mut f = good_facts();
        f.measures_delivered = 0;
        f.has_labour = false;
        let mut e = Exit::nominate("H1", &f, ExitRules::default(), &team, d(9, 15)).unwrap();
        for (i, step) in ExitStep::ALL.iter().enumerate().take(3).skip(1) {
            e = e
                .apply(
                    pass_action(*step, step_date(i), vec![]),
                    &team,
                    step_date(i),
                )
                .unwrap();
        }
        let r = e
            .apply(
                pass_action(ExitStep::Appraisal, d(9, 26), vec![]),
                &team,
                d(9, 26),
            )
            .unwrap_err();
        assert_eq!(r.code, RefusalCode::InvalidInput);
        let natural = ExitAction::Appraise {
            meeting: meeting(d(9, 26)),
            decision: Decision::pass(""),
            mode: EliminationMode::Natural,
            categories: vec![],
        };
        let done = e.apply(natural, &team, d(9, 26)).unwrap();
        assert_eq!(
            done.status,
            ExitStatus::Eliminated {
                on: d(9, 26),
                mode: EliminationMode::Natural
            }
        );
        // notice fields
        for (seq, who, village, committee) in [
            (0, "张三", "村", "村委"),
            (1, "", "村", "村委"),
            (1, "张三", "", "村委"),
            (1, "张三", "村", " "),
        ] {
            let a = ExitAction::IssueNotice {
                sequence: seq,
                addressee: who.into(),
                village: village.into(),
                committee: committee.into(),
            };
            assert_eq!(
                done.apply(a, &team, d(9, 28)).unwrap_err().code,
                RefusalCode::InvalidInput
            );
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]

        /// No sequence of actions skips an exit step; a refusal leaves the exit
        /// unchanged; 风险消除 and 缓退 only after all four steps passed; a notice
        /// only after 风险消除.
        #[test]
        fn no_exit_step_is_skipped(moves in proptest::collection::vec((0u8..12, 0u8..10, 0u8..3, 0u8..12, any::<bool>()), 0..25)) {
            let mut e = nominated();
            let mut on = d(9, 15);
            for (choice, role_pick, advance, fail, dibao) in moves {
                on = on + chrono::Days::new(u64::from(advance));
                let step = match (choice, e.next_step()) {
                    (0..=6, Some(n)) => n,
                    (c, _) => ExitStep::ALL[usize::from(c) % ExitStep::ALL.len()],
                };
                let cats = if dibao { vec![DeferredCategory::Dibao] } else { vec![] };
                let action = if choice == 11 {
                    ExitAction::Withdraw { reason: "终止".into() }
                } else if fail == 0 && step == ExitStep::Appraisal {
                    ExitAction::Appraise { meeting: meeting(on), decision: Decision::fail("不认可"), mode: EliminationMode::Natural, categories: cats }
                } else {
                    pass_action(step, on, cats)
                };
                let role = if role_pick < 7 { step.roles()[0] } else { Role::ALL[usize::from(role_pick) % Role::ALL.len()] };
                let before = e.clone();
                match e.apply(action, &actor(role), on) {
                    Ok(n) => e = n,
                    Err(_) => prop_assert_eq!(&e, &before),
                }
                for (i, r) in e.steps.iter().enumerate() {
                    prop_assert_eq!(r.step, ExitStep::ALL[i]);
                    prop_assert!(r.step.roles().contains(&r.actor.role));
                }
                match &e.status {
                    ExitStatus::Eliminated { .. } | ExitStatus::Deferred { .. } => {
                        prop_assert!(e.steps.len() >= 4);
                        prop_assert!(e.steps[..4].iter().all(|r| r.result == StepResult::Pass));
                    }
                    _ => prop_assert!(e.notice().is_none()),
                }
                if e.notice().is_some() {
                    let is_eliminated = matches!(e.status, ExitStatus::Eliminated { .. });
                    prop_assert!(is_eliminated);
                }
            }
        }
    }
}
