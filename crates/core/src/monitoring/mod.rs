//! 防返贫动态监测和帮扶: the monitoring and assistance lifecycle of a household
//! (§三(一) of the plan; docs/domain.md A1–A3).
//!
//! | module | plan | what |
//! | --- | --- | --- |
//! | [`clue`] | §三(一)1 | 线索: reports from the four channels, merged per household and cause |
//! | [`verification`] | §三(一)1, §三(一)3 | 入户核查: findings, income, 两不愁三保障 and water, 承诺授权, signature, attachments |
//! | [`identification`] | §三(一)1 | 识别: 核查 → 信息比对 → 民主评议 → 公示 → 乡镇审核 → 县级审定 → 纳入监测 |
//! | [`measures`] | §三(一)2 | 定措施 / 重落实: the decision table and measure records |
//! | [`cadre`] | §三(一)2 | 明责任: one responsible cadre per household |
//! | [`followup`] | §三(一)2 | 强监测: the monthly follow-up and missing months |
//! | [`exit`] | §三(一)3 | 退出机制: pre-judgment, exit steps, 缓退, the written notice |
//! | [`calendar`] | §三(一) cadence | months, quarters, working days, village tasks and due dates |
//!
//! A [`Case`] (监测帮扶档案) ties them together for one household, with its
//! [`Lifecycle`] (线索 → 识别中 → 监测帮扶中 → 风险消除 / 缓退 / 未纳入) and the
//! 帮扶手册 view ([`Case::handbook`]).
//!
//! **Convention for every action.** `apply(&self, action, actor: &Actor, on: NaiveDate)
//! -> Result<NewState, Refusal>`: the current state is borrowed and never
//! changed; the result is a new state, or a [`Refusal`] with a stable
//! [`RefusalCode`] and Chinese and English messages. A refused action therefore
//! leaves nothing half-written: the caller simply keeps the old state.
//!
//! **Who may take which step** (the roles of [`crate::access::Role`]):
//!
//! | transition | roles |
//! | --- | --- |
//! | 登记线索 农户申请 | village team, township admin |
//! | 登记线索 干部排查 | village team, cadre, township admin |
//! | 登记线索 部门筛查 | department, township admin, county admin |
//! | 登记线索 信访舆情 | township admin, county admin |
//! | 启动识别 | village team, township admin |
//! | 识别: 入户核查, 民主评议, 公示, 公示期满 | village team |
//! | 识别: 信息比对 | village team, township admin, county admin |
//! | 识别: 乡镇审核 | township admin |
//! | 识别: 县级审定, 纳入监测 | county admin |
//! | 识别: 绿色通道 | township admin, county admin |
//! | 制定措施, 取消措施 | village team, township admin |
//! | 措施开始实施, 措施完成 | village team, cadre, township admin |
//! | 确定 / 更换 / 解除帮扶责任人 | village team, township admin |
//! | 逐月跟踪监测 | village team, cadre |
//! | 退出: 预判提名, 预判会议决定, 终止 | village team, township admin |
//! | 退出: 入户核查, 民主评议, 退出告知 | village team |

pub mod cadre;
pub mod calendar;
pub mod clue;
pub mod command;
mod common;
pub mod exit;
pub mod followup;
pub mod identification;
pub mod measures;
pub mod screening_round;
pub mod verification;

use chrono::NaiveDate;

pub use cadre::{Cadre, CadreAction, CadreAssignments, CadreLevel};
pub use calendar::{CadenceRules, Quarter, WorkCalendar, YearMonth};
pub use clue::{Channel, Clue, ClueRules, Report, Source};
pub use command::{CadreCommand, Command, ExitCommand};
pub use common::{Actor, Decision, Meeting, Refusal, RefusalCode, StepResult, date_zh};
pub use exit::{
    DeferredCategory, Exit, ExitAction, ExitCheck, ExitFacts, ExitNotice, ExitRules, ExitStatus,
    ExitStep, PreJudgment,
};
pub use followup::{FollowUp, FollowUpLog};
pub use identification::{
    IdentAction, IdentStatus, IdentStep, Identification, IdentificationRules, Outcome,
};
pub use measures::{Measure, MeasureAction, MeasurePlan, MeasureStatus};
pub use screening_round::{RoundEntry, RoundProblem, ScreeningRound};
pub use verification::{Attachment, Signature, Standards, Verification};

use crate::access::Scope;
use crate::codes::{CodeList, Guarantee, MeasureClass, RiskType, code_list};
use crate::household::Household;
use crate::income::IncomeRecord;
use crate::money::Fen;
use crate::quality::QualityContext;
use crate::region::RegionCode;
use common::Label;
use exit::ExitStepEvidence;
use identification::IdentEvidence;

code_list! {
    /// 监测状态: where a household's case stands.
    pub enum Lifecycle ("监测状态", "lifecycle state") {
        Clue = ("clue", "线索", "Clue"),
        Identifying = ("identifying", "识别中", "Being identified"),
        Monitored = ("monitored", "监测帮扶中", "Monitored and assisted"),
        Eliminated = ("eliminated", "风险消除", "Risk eliminated"),
        Deferred = ("deferred", "缓退", "Exit deferred"),
        NotIncluded = ("not_included", "未纳入", "Not included"),
    }
}

impl Lifecycle {
    /// Still monitored (counts for cadres and follow-ups): 监测帮扶中 or 缓退.
    pub fn is_monitored(self) -> bool {
        matches!(self, Lifecycle::Monitored | Lifecycle::Deferred)
    }

    /// The case is closed: 风险消除 or 未纳入 (a new risk opens a new case).
    pub fn is_closed(self) -> bool {
        matches!(self, Lifecycle::Eliminated | Lifecycle::NotIncluded)
    }
}

/// An action on a case. Each wraps the action of one module.
#[derive(Clone, PartialEq, Eq, Debug, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum CaseAction {
    /// Another report: merged into a clue of the case, or a new clue in it.
    Report {
        /// The report.
        report: Report,
        /// Merge rules.
        rules: ClueRules,
    },
    /// 启动识别 from the case's clues.
    StartIdentification {
        /// The rules in force.
        rules: IdentificationRules,
    },
    /// An identification step.
    Identify {
        /// The step.
        action: IdentAction,
    },
    /// 制定帮扶措施.
    PlanMeasure {
        /// The plan.
        plan: MeasurePlan,
    },
    /// A status change of the measure at `index` in [`Case::measures`].
    UpdateMeasure {
        /// Position in [`Case::measures`].
        index: usize,
        /// The change.
        action: MeasureAction,
    },
    /// 明责任.
    Cadre {
        /// The change.
        action: CadreAction,
    },
    /// 逐月跟踪监测.
    FollowUp {
        /// The visit.
        visit: FollowUp,
    },
    /// 预判提名: nominate for exit. The case supplies the facts of its own records
    /// ([`Case::exit_facts`]); the action brings the rest.
    NominateExit {
        /// The household now (labour, 低保/特困/disability).
        household: Box<Household>,
        /// The monitoring line of the year (per capita).
        line: Fen,
        /// The latest income record (with rigid expenditure).
        latest_income: Option<IncomeRecord>,
        /// Exit rules in force.
        rules: ExitRules,
    },
    /// A step of the current exit.
    Exit {
        /// The step.
        action: ExitAction,
    },
}

/// 监测帮扶档案: everything about one household's monitoring, from the first clue
/// to the exit notice. A closed case ([`Lifecycle::is_closed`]) stays as the
/// record; a new risk later opens a new case.
#[derive(Clone, PartialEq, Eq, Debug, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Case {
    /// 户编号.
    pub household: String,
    /// The household's village (for area scope).
    pub village: RegionCode,
    /// 建档日期: the first clue was recorded.
    pub opened_on: NaiveDate,
    /// 线索.
    pub clues: Vec<Clue>,
    /// 识别.
    pub identification: Option<Identification>,
    /// 帮扶措施.
    pub measures: Vec<Measure>,
    /// 帮扶责任人.
    pub cadres: CadreAssignments,
    /// 逐月跟踪监测.
    pub follow_ups: FollowUpLog,
    /// 退出 procedures, oldest first (at most one running).
    pub exits: Vec<Exit>,
}

const CASE: Label = ("监测帮扶档案", "monitoring case");

fn wrong_state(action: Label, state: Lifecycle) -> Refusal {
    Refusal::wrong_state(
        format!("档案状态为“{}”，不能{}", state.label_zh(), action.0),
        format!(
            "The case is {} ({}); cannot {}",
            state.label_en().to_lowercase(),
            state.label_zh(),
            action.1.to_lowercase()
        ),
    )
}

impl Case {
    /// Opens a case from its first report.
    pub fn open(
        report: Report,
        village: RegionCode,
        actor: &Actor,
        on: NaiveDate,
    ) -> Result<Case, Refusal> {
        let household = report.household.clone();
        let clue = Clue::open(report, actor, on)?;
        Ok(Case {
            household,
            village,
            opened_on: on,
            clues: vec![clue],
            identification: None,
            measures: Vec::new(),
            cadres: CadreAssignments::new(),
            follow_ups: FollowUpLog::new(),
            exits: Vec::new(),
        })
    }

    /// Where the case stands.
    pub fn lifecycle(&self) -> Lifecycle {
        let Some(ident) = &self.identification else {
            return Lifecycle::Clue;
        };
        match ident.status {
            IdentStatus::InProgress => Lifecycle::Identifying,
            IdentStatus::Refused { .. } => Lifecycle::NotIncluded,
            IdentStatus::Enrolled { .. } => {
                for e in self.exits.iter().rev() {
                    match e.status {
                        ExitStatus::Eliminated { .. } => return Lifecycle::Eliminated,
                        ExitStatus::Deferred { .. } => return Lifecycle::Deferred,
                        _ => {}
                    }
                }
                Lifecycle::Monitored
            }
        }
    }

    /// Date of entry into monitoring.
    pub fn monitored_since(&self) -> Option<NaiveDate> {
        self.identification
            .as_ref()
            .and_then(Identification::enrolled_on)
    }

    /// Date the risk was eliminated (风险消除).
    pub fn eliminated_on(&self) -> Option<NaiveDate> {
        self.exits.iter().rev().find_map(|e| match e.status {
            ExitStatus::Eliminated { on, .. } => Some(on),
            _ => None,
        })
    }

    /// Assistance may be given: monitored, or identification with the green channel open.
    pub fn assistance_allowed(&self) -> bool {
        match self.lifecycle() {
            Lifecycle::Monitored | Lifecycle::Deferred => true,
            Lifecycle::Identifying => self
                .identification
                .as_ref()
                .is_some_and(Identification::assistance_allowed),
            _ => false,
        }
    }

    /// Monitored (or helped through the green channel) without a current cadre:
    /// shows on the township's 明责任 dashboard (target: 100% have one).
    pub fn needs_cadre(&self) -> bool {
        self.assistance_allowed() && self.cadres.current().is_none()
    }

    /// The running exit, if any.
    pub fn current_exit(&self) -> Option<&Exit> {
        self.exits.last().filter(|e| e.next_step().is_some())
    }

    /// Refuses a scope that does not cover the household's village (the store
    /// filters by area too; this is the rule in words for the API).
    pub fn check_scope(&self, scope: &Scope) -> Result<(), Refusal> {
        if scope.covers_region(&self.village) {
            Ok(())
        } else {
            Err(Refusal::new(
                RefusalCode::OutOfArea,
                format!("农户 {} 不在您的管辖范围内", self.household),
                format!("Household {} is outside your area", self.household),
            ))
        }
    }

    /// Months whose follow-up is overdue on `as_of` (see [`followup::missing_months`]).
    pub fn missing_follow_ups(&self, as_of: NaiveDate, rules: &CadenceRules) -> Vec<YearMonth> {
        match self.monitored_since() {
            Some(since) => followup::missing_months(
                &self.follow_ups,
                since,
                self.eliminated_on(),
                as_of,
                rules,
            ),
            None => Vec::new(),
        }
    }

    /// The facts the exit pre-judgment needs, from this case and the household.
    /// `None` before entry into monitoring.
    pub fn exit_facts(
        &self,
        household: &Household,
        line: Fen,
        latest_income: Option<IncomeRecord>,
    ) -> Option<ExitFacts> {
        let monitored_since = self.monitored_since()?;
        Some(ExitFacts {
            monitored_since,
            line,
            monthly_income: self
                .follow_ups
                .entries
                .iter()
                .map(|e| (e.visit.month, e.visit.per_capita_income_estimate))
                .collect(),
            latest_income,
            standards_secure: self.follow_ups.latest().map(|e| e.visit.standards_secure),
            has_labour: household.has_labour(),
            measures_delivered: self.measures.iter().filter(|m| m.is_done()).count(),
            developmental_delivered: self
                .measures
                .iter()
                .any(Measure::is_developmental_delivered),
            categories: DeferredCategory::of(household),
        })
    }

    /// The quarterly pre-judgment of this case (`None` unless monitored and no
    /// exit is running).
    pub fn prejudge(
        &self,
        household: &Household,
        line: Fen,
        latest_income: Option<IncomeRecord>,
        rules: &ExitRules,
        on: NaiveDate,
    ) -> Option<PreJudgment> {
        if !self.lifecycle().is_monitored() || self.current_exit().is_some() {
            return None;
        }
        let facts = self.exit_facts(household, line, latest_income)?;
        Some(exit::prejudge(&facts, rules, on))
    }

    /// The latest verification (the last exit check, else the identification's).
    pub fn latest_verification(&self) -> Option<&Verification> {
        let from_exit = self.exits.iter().rev().find_map(|e| {
            e.steps.iter().find_map(|r| match &r.evidence {
                ExitStepEvidence::Check { check } => Some(&check.verification),
                _ => None,
            })
        });
        from_exit.or_else(|| {
            self.identification
                .as_ref()
                .and_then(Identification::verification)
        })
    }

    /// The lifecycle data the quality checks Q05, Q06, Q08, Q09 need.
    pub fn quality_context(&self, line: Fen) -> QualityContext {
        let developmental_measure_on = self
            .measures
            .iter()
            .filter(|m| m.is_developmental_delivered())
            .filter_map(Measure::done_on)
            .min();
        let latest_per_capita = self
            .latest_verification()
            .and_then(Verification::per_capita)
            .or_else(|| {
                self.follow_ups
                    .latest()
                    .map(|e| e.visit.per_capita_income_estimate)
            });
        let mut measures: Vec<MeasureClass> = self
            .measures
            .iter()
            .filter(|m| m.status != MeasureStatus::Cancelled)
            .map(|m| m.plan.class)
            .collect();
        measures.sort();
        measures.dedup();
        let guarantee_problems: Vec<Guarantee> = self
            .latest_verification()
            .map(|v| v.standards.problems())
            .unwrap_or_default();
        QualityContext {
            identified_on: self.monitored_since(),
            developmental_measure_on,
            eliminated_on: self.eliminated_on(),
            latest_per_capita,
            line,
            measures,
            guarantee_problems,
        }
    }

    /// The risk types of all clues.
    pub fn clue_risks(&self) -> Vec<RiskType> {
        let mut r: Vec<RiskType> = self.clues.iter().flat_map(Clue::risks).collect();
        r.sort();
        r.dedup();
        r
    }

    /// Takes an action. Returns the new case or a [`Refusal`] (the case is left
    /// as it was). Besides each module's own rules, the case refuses an action
    /// that does not fit its [`Lifecycle`]:
    ///
    /// | action | allowed in |
    /// | --- | --- |
    /// | Report | 线索, 识别中, 监测帮扶中, 缓退 |
    /// | StartIdentification | 线索 |
    /// | Identify | 识别中 |
    /// | PlanMeasure | 监测帮扶中, 缓退, 识别中 with the green channel |
    /// | UpdateMeasure | any (a measure may be completed after the case closes) |
    /// | Cadre assign / reassign | 监测帮扶中, 缓退, 识别中 with the green channel |
    /// | Cadre release | 风险消除, 未纳入 |
    /// | FollowUp | 监测帮扶中, 缓退 |
    /// | NominateExit | 监测帮扶中, 缓退, no exit running |
    /// | Exit | an exit running (or awaiting its notice) |
    pub fn apply(&self, action: CaseAction, actor: &Actor, on: NaiveDate) -> Result<Case, Refusal> {
        let state = self.lifecycle();
        let mut next = self.clone();
        match action {
            CaseAction::Report { report, rules } => {
                if state.is_closed() {
                    return Err(Refusal::finished(CASE));
                }
                if report.household != self.household {
                    return Err(Refusal::invalid(
                        "报告的户编号与档案不一致",
                        "The report is for another household",
                    ));
                }
                match clue::file_report(&self.clues, report, &rules, actor, on)? {
                    clue::Filed::Merged(i, c) => next.clues[i] = c,
                    clue::Filed::New(c) => next.clues.push(c),
                }
            }
            CaseAction::StartIdentification { rules } => {
                if state != Lifecycle::Clue {
                    return Err(wrong_state(("启动识别", "Start identification"), state));
                }
                next.identification = Some(Identification::start(
                    self.household.clone(),
                    self.clue_risks(),
                    rules,
                    actor,
                    on,
                )?);
            }
            CaseAction::Identify { action } => match &self.identification {
                // an ended identification refuses by itself (Finished)
                Some(ident) => next.identification = Some(ident.apply(action, actor, on)?),
                None => {
                    return Err(wrong_state(
                        ("办理识别步骤", "Take an identification step"),
                        state,
                    ));
                }
            },
            CaseAction::PlanMeasure { plan } => {
                if !self.assistance_allowed() {
                    return Err(wrong_state(("制定帮扶措施", "Plan a measure"), state));
                }
                next.measures.push(Measure::plan(plan, actor, on)?);
            }
            CaseAction::UpdateMeasure { index, action } => {
                let Some(m) = self.measures.get(index) else {
                    return Err(Refusal::new(
                        RefusalCode::NotFound,
                        format!("第 {} 项帮扶措施不存在", index + 1),
                        format!("There is no measure number {}", index + 1),
                    ));
                };
                next.measures[index] = m.apply(action, actor, on)?;
            }
            CaseAction::Cadre { action } => {
                let release = matches!(action, CadreAction::Release { .. });
                if release && !state.is_closed() {
                    return Err(Refusal::wrong_state(
                        format!(
                            "档案状态为“{}”，监测户须有帮扶责任人，只能更换不能解除",
                            state.label_zh()
                        ),
                        "A monitored household must keep a responsible cadre: reassign instead of releasing",
                    ));
                }
                if !release && !self.assistance_allowed() {
                    return Err(wrong_state(("确定帮扶责任人", "Assign a cadre"), state));
                }
                next.cadres = self.cadres.apply(action, actor, on)?;
            }
            CaseAction::FollowUp { visit } => {
                let (true, Some(since)) = (state.is_monitored(), self.monitored_since()) else {
                    return Err(wrong_state(("登记跟踪监测", "Record a follow-up"), state));
                };
                next.follow_ups = self.follow_ups.record(visit, since, actor, on)?;
            }
            CaseAction::NominateExit {
                household,
                line,
                latest_income,
                rules,
            } => {
                if !state.is_monitored() {
                    return Err(wrong_state(("预判提名", "Nominate for exit"), state));
                }
                if self.current_exit().is_some() {
                    return Err(Refusal::new(
                        RefusalCode::Duplicate,
                        "该户已有进行中的退出程序",
                        "An exit procedure is already running for this household",
                    ));
                }
                let Some(facts) = self.exit_facts(&household, line, latest_income) else {
                    return Err(wrong_state(("预判提名", "Nominate for exit"), state));
                };
                next.exits.push(Exit::nominate(
                    self.household.clone(),
                    &facts,
                    rules,
                    actor,
                    on,
                )?);
            }
            CaseAction::Exit { action } => {
                let Some(i) = self
                    .exits
                    .len()
                    .checked_sub(1)
                    .filter(|_| self.current_exit().is_some())
                else {
                    return Err(wrong_state(("办理退出步骤", "Take an exit step"), state));
                };
                next.exits[i] = self.exits[i].apply(action, actor, on)?;
            }
        }
        Ok(next)
    }

    /// 帮扶手册: every dated entry of the case, oldest first (same day: clue,
    /// identification, cadre, measures, follow-up, exit).
    pub fn handbook(&self) -> Vec<HandbookEntry> {
        let mut out = Vec::new();
        for c in &self.clues {
            for s in &c.sources {
                let risks: Vec<String> = s.report.risks.iter().map(|r| r.full_label_zh()).collect();
                out.push(entry(
                    s.report.reported_on,
                    Section::Clue,
                    format!("发现线索（{}）", s.report.source.channel().label_zh()),
                    format!("Clue ({})", s.report.source.channel().label_en()),
                    format!(
                        "{}；风险类型：{}；报告人：{}",
                        s.report.source.describe_zh(),
                        risks.join("、"),
                        s.report.reporter
                    ),
                    Some(&s.recorded_by),
                ));
            }
        }
        if let Some(ident) = &self.identification {
            out.push(entry(
                ident.started_on,
                Section::Identification,
                "启动识别".into(),
                "Identification started".into(),
                String::new(),
                Some(&ident.started_by),
            ));
            if let Some(g) = &ident.green_channel {
                out.push(entry(
                    g.on,
                    Section::Identification,
                    "开启绿色通道".into(),
                    "Green channel opened".into(),
                    g.reason.clone(),
                    Some(&g.actor),
                ));
            }
            for r in &ident.steps {
                let mut detail = r.opinion.clone();
                if let IdentEvidence::Outcome { outcome } = &r.evidence {
                    let risks: Vec<String> =
                        outcome.risks.iter().map(|x| x.full_label_zh()).collect();
                    detail = format!(
                        "{}；{}；风险类型：{}",
                        r.opinion,
                        outcome.monitored_type.label_zh(),
                        risks.join("、")
                    );
                }
                out.push(entry(
                    r.on,
                    Section::Identification,
                    format!("{}：{}", r.step.label_zh(), r.result.label_zh()),
                    format!("{}: {}", r.step.label_en(), r.result.label_en()),
                    detail,
                    Some(&r.actor),
                ));
            }
        }
        for a in &self.cadres.history {
            out.push(entry(
                a.from,
                Section::Cadre,
                format!(
                    "帮扶责任人：{}（{}，{}）",
                    a.cadre.name,
                    a.cadre.level.label_zh(),
                    a.cadre.unit
                ),
                format!("Responsible cadre: {}", a.cadre.name),
                String::new(),
                Some(&a.assigned_by),
            ));
            if let Some(until) = a.until {
                out.push(entry(
                    until,
                    Section::Cadre,
                    format!("帮扶责任人{}结束帮扶", a.cadre.name),
                    format!("Cadre {} ends", a.cadre.name),
                    a.end_reason.clone().unwrap_or_default(),
                    None,
                ));
            }
        }
        for m in &self.measures {
            for ev in &m.history {
                let (zh, detail) = if ev.status == MeasureStatus::Planned {
                    (
                        format!("制定措施：{}—{}", m.plan.class.label_zh(), m.plan.item),
                        format!(
                            "计划 {} 前完成；责任单位：{}；金额：{} 元",
                            m.plan.planned_on, m.plan.responsible_unit, m.plan.amount
                        ),
                    )
                } else {
                    (
                        format!(
                            "措施{}：{}—{}",
                            ev.status.label_zh(),
                            m.plan.class.label_zh(),
                            m.plan.item
                        ),
                        ev.note.clone(),
                    )
                };
                out.push(entry(
                    ev.on,
                    Section::Measure,
                    zh,
                    format!(
                        "Measure {}: {}",
                        ev.status.label_en().to_lowercase(),
                        m.plan.class.label_en()
                    ),
                    detail,
                    Some(&ev.actor),
                ));
            }
        }
        for e in &self.follow_ups.entries {
            let v = &e.visit;
            let yn = |b: bool| if b { "是" } else { "否" };
            out.push(entry(
                v.visited_on,
                Section::FollowUp,
                format!("{}跟踪监测", v.month.label_zh()),
                format!("Follow-up {}", v.month),
                format!(
                    "措施落实到位：{}；政策应享尽享：{}；两不愁三保障及饮水安全：{}；群众认可：{}；预计人均纯收入：{} 元{}",
                    yn(v.measures_carried_out),
                    yn(v.policies_received),
                    yn(v.standards_secure),
                    yn(v.household_approves),
                    v.per_capita_income_estimate,
                    if v.notes.is_empty() { String::new() } else { format!("；{}", v.notes) }
                ),
                Some(&e.recorded_by),
            ));
        }
        for x in &self.exits {
            for r in &x.steps {
                let detail = match &r.evidence {
                    ExitStepEvidence::Notice { notice } => notice.number.clone(),
                    ExitStepEvidence::Appraisal { meeting, mode, .. } => {
                        format!(
                            "参会 {} 人；{}；{}",
                            meeting.attendance,
                            mode.label_zh(),
                            r.opinion
                        )
                    }
                    _ => r.opinion.clone(),
                };
                out.push(entry(
                    r.on,
                    Section::Exit,
                    format!("{}：{}", r.step.label_zh(), r.result.label_zh()),
                    format!("{}: {}", r.step.label_en(), r.result.label_en()),
                    detail,
                    Some(&r.actor),
                ));
            }
            let end = match &x.status {
                ExitStatus::Eliminated { on, mode } => Some((
                    *on,
                    format!("风险消除（{}）", mode.label_zh()),
                    "Risk eliminated".to_owned(),
                    String::new(),
                )),
                ExitStatus::Deferred { on, categories } => {
                    let c: Vec<&str> = categories.iter().map(|c| c.label_zh()).collect();
                    Some((
                        *on,
                        "缓退".to_owned(),
                        "Exit deferred".to_owned(),
                        c.join("、"),
                    ))
                }
                ExitStatus::NotEliminated {
                    step: None,
                    on,
                    reason,
                } => Some((
                    *on,
                    "终止退出程序".to_owned(),
                    "Exit withdrawn".to_owned(),
                    reason.clone(),
                )),
                _ => None,
            };
            if let Some((on, zh, en, detail)) = end {
                out.push(entry(on, Section::Exit, zh, en, detail, None));
            }
        }
        // stable: same-day entries keep the order above
        out.sort_by_key(|e| (e.on, e.section));
        out
    }
}

code_list! {
    /// 帮扶手册 sections.
    pub enum Section ("手册栏目", "handbook section") {
        Clue = ("clue", "线索", "Clue"),
        Identification = ("identification", "识别", "Identification"),
        Cadre = ("cadre", "帮扶责任人", "Responsible cadre"),
        Measure = ("measure", "帮扶措施", "Measures"),
        FollowUp = ("follow_up", "跟踪监测", "Follow-up"),
        Exit = ("exit", "退出", "Exit"),
    }
}

/// One dated line of the 帮扶手册.
#[derive(Clone, PartialEq, Eq, Debug, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HandbookEntry {
    /// Date.
    pub on: NaiveDate,
    /// Section.
    pub section: Section,
    /// Title in Chinese.
    pub title_zh: String,
    /// Title in English.
    pub title_en: String,
    /// Details (Chinese, as recorded).
    pub detail_zh: String,
    /// Who (name and role), if recorded.
    pub actor: Option<String>,
}

fn entry(
    on: NaiveDate,
    section: Section,
    title_zh: String,
    title_en: String,
    detail_zh: String,
    actor: Option<&Actor>,
) -> HandbookEntry {
    HandbookEntry {
        on,
        section,
        title_zh,
        title_en,
        detail_zh,
        actor: actor.map(|a| format!("{}（{}）", a.name, a.role.label_zh())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::access::Role;
    use crate::codes::{Dibao, EliminationMode, MonitoredType};
    use crate::household::tests::household;
    use crate::monitoring::cadre::tests::cadre;
    use crate::monitoring::clue::tests::application;
    use crate::monitoring::exit::tests::{check, meeting};
    use crate::monitoring::followup::tests::visit;
    use crate::monitoring::identification::tests::{actor, pass_action};
    use crate::monitoring::measures::tests::{evidence, plan};
    use crate::monitoring::verification::tests::income;
    use proptest::prelude::*;

    fn d(m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2022, m, day).unwrap()
    }

    fn village() -> RegionCode {
        RegionCode::parse("141123100201").unwrap()
    }

    fn team() -> Actor {
        actor(Role::VillageTeam)
    }

    const LINE: Fen = Fen::from_yuan(6500);

    fn opened() -> Case {
        let r = application("1411231002010001", vec![RiskType::Illness], d(1, 3));
        Case::open(r, village(), &team(), d(1, 3)).unwrap()
    }

    /// The identification dates: started 01-04, entered 01-17.
    fn ident_dates() -> [NaiveDate; 8] {
        [
            d(1, 4),
            d(1, 5),
            d(1, 6),
            d(1, 7),
            d(1, 12),
            d(1, 13),
            d(1, 14),
            d(1, 17),
        ]
    }

    fn identified() -> Case {
        let mut c = opened()
            .apply(
                CaseAction::StartIdentification {
                    rules: IdentificationRules::default(),
                },
                &team(),
                d(1, 4),
            )
            .unwrap();
        for (step, on) in IdentStep::ALL.iter().zip(ident_dates()) {
            let action = CaseAction::Identify {
                action: pass_action(*step, on),
            };
            c = c.apply(action, &actor(step.roles()[0]), on).unwrap();
        }
        c
    }

    /// Entered, a cadre, a delivered public-welfare post, follow-ups Feb–Aug.
    fn assisted() -> Case {
        let mut c = identified()
            .apply(
                CaseAction::Cadre {
                    action: CadreAction::Assign { cadre: cadre(7) },
                },
                &team(),
                d(1, 18),
            )
            .unwrap()
            .apply(
                CaseAction::PlanMeasure {
                    plan: plan(MeasureClass::PublicWelfarePost),
                },
                &team(),
                d(1, 20),
            )
            .unwrap()
            .apply(
                CaseAction::PlanMeasure {
                    plan: plan(MeasureClass::Health),
                },
                &team(),
                d(1, 20),
            )
            .unwrap()
            .apply(
                CaseAction::UpdateMeasure {
                    index: 0,
                    action: MeasureAction::Complete {
                        evidence: evidence(),
                    },
                },
                &actor(Role::Cadre),
                d(2, 15),
            )
            .unwrap();
        for m in 2..=8 {
            let ym = YearMonth::new(2022, m).unwrap();
            c = c
                .apply(
                    CaseAction::FollowUp {
                        visit: visit(ym, 7000),
                    },
                    &actor(Role::Cadre),
                    ym.day_clamped(12),
                )
                .unwrap();
        }
        c
    }

    fn nominate(h: &Household) -> CaseAction {
        CaseAction::NominateExit {
            household: Box::new(h.clone()),
            line: LINE,
            latest_income: Some(income(7000, 2)),
            rules: ExitRules::default(),
        }
    }

    fn exit_steps(mut c: Case, categories: Vec<DeferredCategory>) -> Case {
        let steps = [
            (
                ExitAction::DecideAtMeeting {
                    meeting: meeting(d(9, 16)),
                    decision: Decision::pass("同意"),
                },
                d(9, 16),
            ),
            (
                ExitAction::CheckHousehold {
                    check: Box::new(check(d(9, 20))),
                    opinion: "四查达标".into(),
                },
                d(9, 20),
            ),
            (
                ExitAction::Appraise {
                    meeting: meeting(d(9, 26)),
                    decision: Decision::pass("评议通过"),
                    mode: EliminationMode::Assisted,
                    categories,
                },
                d(9, 26),
            ),
        ];
        for (a, on) in steps {
            c = c
                .apply(CaseAction::Exit { action: a }, &team(), on)
                .unwrap();
        }
        c
    }

    #[test]
    fn from_application_to_exit_notice() {
        let c = opened();
        assert_eq!(c.lifecycle(), Lifecycle::Clue);
        assert!(!c.assistance_allowed());
        // a department report 10 days later merges into the same clue
        let dept = Report {
            source: Source::DepartmentScreening {
                department: "县医保局".into(),
                file: "1月医保.csv".into(),
                round: None,
            },
            reporter: "医保局".into(),
            ..application("1411231002010001", vec![RiskType::Illness], d(1, 3))
        };
        let c2 = c
            .apply(
                CaseAction::Report {
                    report: dept,
                    rules: ClueRules::default(),
                },
                &actor(Role::Department),
                d(1, 3),
            )
            .unwrap();
        assert_eq!(c2.clues.len(), 1);
        assert_eq!(c2.clues[0].sources.len(), 2);

        let c = c
            .apply(
                CaseAction::StartIdentification {
                    rules: IdentificationRules::default(),
                },
                &team(),
                d(1, 4),
            )
            .unwrap();
        assert_eq!(c.lifecycle(), Lifecycle::Identifying);
        assert_eq!(
            c.identification.as_ref().unwrap().clue_risks,
            [RiskType::Illness]
        );

        let c = identified();
        assert_eq!(c.lifecycle(), Lifecycle::Monitored);
        assert_eq!(c.monitored_since(), Some(d(1, 17)));
        assert!(c.needs_cadre());

        let c = assisted();
        assert!(!c.needs_cadre());
        assert!(
            c.missing_follow_ups(d(9, 1), &CadenceRules::default())
                .is_empty()
        );
        assert_eq!(
            c.missing_follow_ups(d(10, 1), &CadenceRules::default()),
            [YearMonth::new(2022, 9).unwrap()]
        );

        // the quarterly pre-judgment proposes it
        let h = household();
        let p = c
            .prejudge(
                &h,
                LINE,
                Some(income(7000, 2)),
                &ExitRules::default(),
                d(9, 15),
            )
            .unwrap();
        assert!(p.proposed(), "{:?}", p.unmet);

        let c = c.apply(nominate(&h), &team(), d(9, 15)).unwrap();
        assert!(c.current_exit().is_some());
        assert!(
            c.prejudge(&h, LINE, None, &ExitRules::default(), d(9, 15))
                .is_none()
        );
        let c = exit_steps(c, vec![]);
        assert_eq!(c.lifecycle(), Lifecycle::Eliminated);
        assert_eq!(c.eliminated_on(), Some(d(9, 26)));
        let c = c
            .apply(
                CaseAction::Exit {
                    action: ExitAction::IssueNotice {
                        sequence: 3,
                        addressee: "张三".into(),
                        village: "圪塔上乡某某村".into(),
                        committee: "某某村村民委员会".into(),
                    },
                },
                &team(),
                d(9, 28),
            )
            .unwrap();
        let notice = c.exits[0].notice().unwrap();
        assert_eq!(notice.number, "兴县圪塔上乡〔2022〕告字第3号");
        assert!(c.current_exit().is_none());
        // after elimination the cadre may be released
        let c = c
            .apply(
                CaseAction::Cadre {
                    action: CadreAction::Release {
                        reason: "风险已消除".into(),
                    },
                },
                &team(),
                d(9, 30),
            )
            .unwrap();
        assert!(c.cadres.current().is_none() && !c.needs_cadre());

        // the handbook is ordered and complete
        let hb = c.handbook();
        assert!(hb.windows(2).all(|w| w[0].on <= w[1].on));
        let titles: Vec<&str> = hb.iter().map(|e| e.title_zh.as_str()).collect();
        assert_eq!(titles[0], "发现线索（农户申请）");
        assert_eq!(titles[1], "启动识别");
        assert!(titles.contains(&"县级审定：通过"));
        assert!(titles.contains(&"2022年5月跟踪监测"));
        assert!(titles.contains(&"措施已完成：公益岗位—光伏公益岗位"));
        assert!(titles.contains(&"风险消除（帮扶消除）"));
        assert_eq!(*titles.last().unwrap(), "帮扶责任人干部7结束帮扶");
        let approval = hb.iter().find(|e| e.title_zh == "县级审定：通过").unwrap();
        assert!(
            approval.detail_zh.contains("突发严重困难户") && approval.detail_zh.contains("因病")
        );
        assert_eq!(
            approval.actor.as_deref(),
            Some("县级管理员甲（县级管理员）")
        );
        assert!(
            hb.iter()
                .any(|e| e.detail_zh == "兴县圪塔上乡〔2022〕告字第3号")
        );
        assert_eq!(
            hb.iter().filter(|e| e.section == Section::FollowUp).count(),
            7
        );

        // quality context
        let q = c.quality_context(LINE);
        assert_eq!(q.identified_on, Some(d(1, 17)));
        assert_eq!(q.developmental_measure_on, Some(d(2, 15)));
        assert_eq!(q.eliminated_on, Some(d(9, 26)));
        assert_eq!(q.latest_per_capita, Some(Fen::from_yuan(7000)));
        assert_eq!(
            q.measures,
            [MeasureClass::PublicWelfarePost, MeasureClass::Health]
        );
        assert!(q.guarantee_problems.is_empty());
        let mut hh = household();
        hh.monitored_type = Some(MonitoredType::SuddenHardship);
        hh.risks = vec![RiskType::Illness];
        assert!(
            crate::quality::check_household(&hh, d(10, 1), &q)
                .iter()
                .all(|f| !f.code.starts_with("Q0"))
        );

        // a closed case takes no new report
        let r = c
            .apply(
                CaseAction::Report {
                    report: application("1411231002010001", vec![RiskType::Illness], d(10, 1)),
                    rules: ClueRules::default(),
                },
                &team(),
                d(10, 1),
            )
            .unwrap_err();
        assert_eq!(r.code, RefusalCode::Finished);
    }

    #[test]
    fn deferred_then_eliminated() {
        let mut h = household();
        h.members[1].dibao = Dibao::Rural;
        let c = assisted().apply(nominate(&h), &team(), d(9, 15)).unwrap();
        let c = exit_steps(c, DeferredCategory::of(&h));
        assert_eq!(c.lifecycle(), Lifecycle::Deferred);
        assert!(c.lifecycle().is_monitored() && c.assistance_allowed());
        // still monitored: follow-ups go on, the cadre stays
        let c = c
            .apply(
                CaseAction::FollowUp {
                    visit: visit(YearMonth::new(2022, 9).unwrap(), 7000),
                },
                &actor(Role::Cadre),
                d(9, 28),
            )
            .unwrap();
        let r = c
            .apply(
                CaseAction::Cadre {
                    action: CadreAction::Release {
                        reason: "缓退".into(),
                    },
                },
                &team(),
                d(9, 28),
            )
            .unwrap_err();
        assert_eq!(r.code, RefusalCode::WrongState);
        // no notice for a deferred exit
        let r = c
            .apply(
                CaseAction::Exit {
                    action: ExitAction::IssueNotice {
                        sequence: 1,
                        addressee: "张三".into(),
                        village: "村".into(),
                        committee: "村委".into(),
                    },
                },
                &team(),
                d(9, 28),
            )
            .unwrap_err();
        assert_eq!(r.code, RefusalCode::WrongState);
        // next quarter, 低保 ended: a new exit eliminates the risk
        h.members[1].dibao = Dibao::None;
        let mut c = c;
        for m in 10..=11 {
            let ym = YearMonth::new(2022, m).unwrap();
            c = c
                .apply(
                    CaseAction::FollowUp {
                        visit: visit(ym, 7000),
                    },
                    &actor(Role::Cadre),
                    ym.day_clamped(12),
                )
                .unwrap();
        }
        let c = c.apply(nominate(&h), &team(), d(12, 15)).unwrap();
        assert_eq!(
            c.lifecycle(),
            Lifecycle::Deferred,
            "deferred while the new exit runs"
        );
        let mut c = c;
        for (a, on) in [
            (
                ExitAction::DecideAtMeeting {
                    meeting: meeting(d(12, 15)),
                    decision: Decision::pass(""),
                },
                d(12, 15),
            ),
            (
                ExitAction::CheckHousehold {
                    check: Box::new(check(d(12, 18))),
                    opinion: String::new(),
                },
                d(12, 18),
            ),
            (
                ExitAction::Appraise {
                    meeting: meeting(d(12, 25)),
                    decision: Decision::pass(""),
                    mode: EliminationMode::Assisted,
                    categories: vec![],
                },
                d(12, 25),
            ),
        ] {
            c = c
                .apply(CaseAction::Exit { action: a }, &team(), on)
                .unwrap();
        }
        assert_eq!(c.lifecycle(), Lifecycle::Eliminated);
        assert_eq!(c.exits.len(), 2);
    }

    #[test]
    fn case_refusals() {
        let team = team();
        let c = opened();
        // steps before their time
        let r = c
            .apply(
                CaseAction::Identify {
                    action: pass_action(IdentStep::Verification, d(1, 4)),
                },
                &team,
                d(1, 4),
            )
            .unwrap_err();
        assert_eq!(r.code, RefusalCode::WrongState);
        assert_eq!(r.message_zh, "档案状态为“线索”，不能办理识别步骤");
        let r = c
            .apply(
                CaseAction::PlanMeasure {
                    plan: plan(MeasureClass::Industry),
                },
                &team,
                d(1, 4),
            )
            .unwrap_err();
        assert_eq!(r.code, RefusalCode::WrongState);
        let r = c
            .apply(
                CaseAction::Cadre {
                    action: CadreAction::Assign { cadre: cadre(1) },
                },
                &team,
                d(1, 4),
            )
            .unwrap_err();
        assert_eq!(r.code, RefusalCode::WrongState);
        let r = c
            .apply(
                CaseAction::FollowUp {
                    visit: visit(YearMonth::new(2022, 1).unwrap(), 1),
                },
                &team,
                d(1, 20),
            )
            .unwrap_err();
        assert_eq!(r.code, RefusalCode::WrongState);
        let r = c
            .apply(nominate(&household()), &team, d(9, 15))
            .unwrap_err();
        assert_eq!(r.code, RefusalCode::WrongState);
        let r = c
            .apply(
                CaseAction::Exit {
                    action: ExitAction::Withdraw { reason: "x".into() },
                },
                &team,
                d(9, 15),
            )
            .unwrap_err();
        assert_eq!(r.code, RefusalCode::WrongState);
        let r = c
            .apply(
                CaseAction::UpdateMeasure {
                    index: 0,
                    action: MeasureAction::Start {
                        note: String::new(),
                    },
                },
                &team,
                d(1, 4),
            )
            .unwrap_err();
        assert_eq!(r.code, RefusalCode::NotFound);
        let r = c
            .apply(
                CaseAction::Report {
                    report: application("other", vec![RiskType::Illness], d(1, 3)),
                    rules: ClueRules::default(),
                },
                &team,
                d(1, 4),
            )
            .unwrap_err();
        assert_eq!(r.code, RefusalCode::InvalidInput);
        // a refusal inside a module comes through unchanged
        let r = c
            .apply(
                CaseAction::StartIdentification {
                    rules: IdentificationRules::default(),
                },
                &actor(Role::Cadre),
                d(1, 4),
            )
            .unwrap_err();
        assert_eq!(r.code, RefusalCode::RoleNotAllowed);
        // a second start
        let s = c
            .apply(
                CaseAction::StartIdentification {
                    rules: IdentificationRules::default(),
                },
                &team,
                d(1, 4),
            )
            .unwrap();
        let r = s
            .apply(
                CaseAction::StartIdentification {
                    rules: IdentificationRules::default(),
                },
                &team,
                d(1, 5),
            )
            .unwrap_err();
        assert_eq!(r.code, RefusalCode::WrongState);
        // monitored: release refused, second nomination refused
        let m = assisted();
        let r = m
            .apply(
                CaseAction::Cadre {
                    action: CadreAction::Release { reason: "x".into() },
                },
                &team,
                d(9, 1),
            )
            .unwrap_err();
        assert_eq!(r.code, RefusalCode::WrongState);
        let n = m.apply(nominate(&household()), &team, d(9, 15)).unwrap();
        let r = n
            .apply(nominate(&household()), &team, d(9, 15))
            .unwrap_err();
        assert_eq!(r.code, RefusalCode::Duplicate);
        // an ended identification refuses further steps
        let r = m
            .apply(
                CaseAction::Identify {
                    action: pass_action(IdentStep::Enrolment, d(9, 1)),
                },
                &actor(Role::CountyAdmin),
                d(9, 1),
            )
            .unwrap_err();
        assert_eq!(r.code, RefusalCode::Finished);
        // nomination too early: the unmet conditions come back
        let r = identified()
            .apply(nominate(&household()), &team, d(3, 15))
            .unwrap_err();
        assert_eq!(r.code, RefusalCode::NotEligible);
        assert!(r.message_zh.contains("E04"));
    }

    #[test]
    fn green_channel_and_not_included() {
        let r = application("1411231002010001", vec![RiskType::DisasterFlood], d(7, 1));
        let c = Case::open(r, village(), &team(), d(7, 1))
            .unwrap()
            .apply(
                CaseAction::StartIdentification {
                    rules: IdentificationRules::default(),
                },
                &team(),
                d(7, 1),
            )
            .unwrap();
        assert!(!c.assistance_allowed());
        let c = c
            .apply(
                CaseAction::Identify {
                    action: IdentAction::OpenGreenChannel {
                        reason: "房屋被洪水冲毁".into(),
                    },
                },
                &actor(Role::TownshipAdmin),
                d(7, 1),
            )
            .unwrap();
        assert_eq!(c.lifecycle(), Lifecycle::Identifying);
        assert!(c.assistance_allowed() && c.needs_cadre());
        let c = c
            .apply(
                CaseAction::PlanMeasure {
                    plan: plan(MeasureClass::SocialSecurity),
                },
                &team(),
                d(7, 2),
            )
            .unwrap()
            .apply(
                CaseAction::Cadre {
                    action: CadreAction::Assign { cadre: cadre(3) },
                },
                &team(),
                d(7, 2),
            )
            .unwrap();
        // no follow-ups before entry
        let r = c
            .apply(
                CaseAction::FollowUp {
                    visit: visit(YearMonth::new(2022, 7).unwrap(), 1),
                },
                &team(),
                d(7, 20),
            )
            .unwrap_err();
        assert_eq!(r.code, RefusalCode::WrongState);
        // the verification finds the loss covered: not included
        let fail = IdentAction::TownshipReview {
            decision: Decision::fail("x"),
        };
        assert!(
            c.apply(
                CaseAction::Identify { action: fail },
                &actor(Role::TownshipAdmin),
                d(7, 3)
            )
            .is_err()
        );
        let mut v = crate::monitoring::verification::tests::verification(d(7, 3), 9000);
        v.findings = "保险理赔已覆盖损失".into();
        let c = c
            .apply(
                CaseAction::Identify {
                    action: IdentAction::Verify {
                        verification: Box::new(v),
                        decision: Decision::fail("理赔后收入高于监测线"),
                    },
                },
                &team(),
                d(7, 3),
            )
            .unwrap();
        assert_eq!(c.lifecycle(), Lifecycle::NotIncluded);
        assert!(!c.assistance_allowed());
        // the measure in progress may still be closed, the cadre released
        let c = c
            .apply(
                CaseAction::UpdateMeasure {
                    index: 0,
                    action: MeasureAction::Cancel {
                        reason: "未纳入监测".into(),
                    },
                },
                &team(),
                d(7, 4),
            )
            .unwrap()
            .apply(
                CaseAction::Cadre {
                    action: CadreAction::Release {
                        reason: "未纳入监测".into(),
                    },
                },
                &team(),
                d(7, 4),
            )
            .unwrap();
        assert!(c.cadres.current().is_none());
        let r = c
            .apply(
                CaseAction::PlanMeasure {
                    plan: plan(MeasureClass::Industry),
                },
                &team(),
                d(7, 5),
            )
            .unwrap_err();
        assert_eq!(r.code, RefusalCode::WrongState);
    }

    #[test]
    fn scope() {
        let c = opened();
        assert!(
            c.check_scope(&Scope::new(1, Role::VillageTeam, "141123100201"))
                .is_ok()
        );
        assert!(
            c.check_scope(&Scope::new(1, Role::TownshipAdmin, "141123100"))
                .is_ok()
        );
        let r = c
            .check_scope(&Scope::new(1, Role::VillageTeam, "141123100202"))
            .unwrap_err();
        assert_eq!(r.code, RefusalCode::OutOfArea);
        assert!(r.is_forbidden());
    }

    #[test]
    fn lifecycle_labels() {
        assert_eq!(Lifecycle::ALL.len(), 6);
        assert!(Lifecycle::Deferred.is_monitored() && !Lifecycle::Deferred.is_closed());
        assert!(Lifecycle::NotIncluded.is_closed() && !Lifecycle::Clue.is_monitored());
        assert_eq!(Lifecycle::Monitored.label_zh(), "监测帮扶中");
    }

    /// A menu of case actions, each valid in some state.
    fn menu(i: u8, on: NaiveDate, categories: &[DeferredCategory]) -> (CaseAction, Role) {
        let step_of = |n: usize| IdentStep::ALL[n % IdentStep::ALL.len()];
        match i {
            0 => (
                CaseAction::StartIdentification {
                    rules: IdentificationRules::default(),
                },
                Role::VillageTeam,
            ),
            1..=8 => {
                let s = step_of(usize::from(i) - 1);
                (
                    CaseAction::Identify {
                        action: pass_action(s, on),
                    },
                    s.roles()[0],
                )
            }
            9 => (
                CaseAction::Identify {
                    action: IdentAction::TownshipReview {
                        decision: Decision::fail("不符合"),
                    },
                },
                Role::TownshipAdmin,
            ),
            10 => (
                CaseAction::Cadre {
                    action: CadreAction::Assign { cadre: cadre(1) },
                },
                Role::VillageTeam,
            ),
            11 => (
                CaseAction::Cadre {
                    action: CadreAction::Reassign {
                        cadre: cadre(2),
                        reason: "调整".into(),
                    },
                },
                Role::VillageTeam,
            ),
            12 => (
                CaseAction::Cadre {
                    action: CadreAction::Reassign {
                        cadre: cadre(1),
                        reason: "调整".into(),
                    },
                },
                Role::TownshipAdmin,
            ),
            13 => (
                CaseAction::Cadre {
                    action: CadreAction::Release {
                        reason: "结束".into(),
                    },
                },
                Role::VillageTeam,
            ),
            14 => (
                CaseAction::PlanMeasure {
                    plan: plan(MeasureClass::Employment),
                },
                Role::VillageTeam,
            ),
            15 => (
                CaseAction::UpdateMeasure {
                    index: 0,
                    action: MeasureAction::Complete {
                        evidence: evidence(),
                    },
                },
                Role::Cadre,
            ),
            16 => (
                CaseAction::FollowUp {
                    visit: visit(YearMonth::of(on), 7000),
                },
                Role::Cadre,
            ),
            17 => (nominate(&household()), Role::VillageTeam),
            18 => (
                CaseAction::Exit {
                    action: ExitAction::DecideAtMeeting {
                        meeting: meeting(on),
                        decision: Decision::pass(""),
                    },
                },
                Role::VillageTeam,
            ),
            19 => (
                CaseAction::Exit {
                    action: ExitAction::CheckHousehold {
                        check: Box::new(check(on)),
                        opinion: String::new(),
                    },
                },
                Role::VillageTeam,
            ),
            20 => (
                CaseAction::Exit {
                    action: ExitAction::Appraise {
                        meeting: meeting(on),
                        decision: Decision::pass(""),
                        mode: EliminationMode::Assisted,
                        categories: categories.to_vec(),
                    },
                },
                Role::VillageTeam,
            ),
            _ => (
                CaseAction::Exit {
                    action: ExitAction::Withdraw {
                        reason: "终止".into(),
                    },
                },
                Role::TownshipAdmin,
            ),
        }
    }

    /// The menu item that moves the case on (what a diligent team does next).
    fn natural_move(c: &Case, on: NaiveDate) -> u8 {
        match c.lifecycle() {
            Lifecycle::Clue => 0,
            Lifecycle::Identifying => {
                let next = c
                    .identification
                    .as_ref()
                    .and_then(Identification::next_step);
                next.map_or(0, |s| s.index() as u8 + 1)
            }
            Lifecycle::Monitored | Lifecycle::Deferred => {
                if c.cadres.current().is_none() {
                    10
                } else if c.measures.is_empty() {
                    14
                } else if !c.measures[0].status.is_final() {
                    15
                } else if c.follow_ups.month(YearMonth::of(on)).is_none() {
                    16
                } else if let Some(x) = c.current_exit() {
                    17 + x.next_step().map_or(0, |s| s.index() as u8)
                } else {
                    17
                }
            }
            _ => 13,
        }
    }

    fn allowed_move(from: Lifecycle, to: Lifecycle) -> bool {
        use Lifecycle::*;
        from == to
            || matches!(
                (from, to),
                (Clue, Identifying)
                    | (Identifying, Monitored | NotIncluded)
                    | (Monitored, Eliminated | Deferred)
                    | (Deferred, Eliminated)
            )
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(150))]

        /// Over random case actions: the lifecycle only moves forward along its
        /// edges; never more than one current cadre, and one whenever a cadre was
        /// assigned and the case is still monitored; a refused action leaves the
        /// case unchanged.
        #[test]
        fn case_invariants(
            moves in proptest::collection::vec((proptest::bool::weighted(0.8), 0u8..22, 0u8..10), 0..100),
            dibao in any::<bool>(),
        ) {
            let cats = if dibao { vec![DeferredCategory::Dibao] } else { vec![] };
            let mut c = opened();
            let mut on = d(1, 3);
            let mut ever_assigned = false;
            for (smart, i, advance) in moves {
                on = (on + chrono::Days::new(u64::from(advance))).min(d(12, 31));
                let i = if smart { natural_move(&c, on) } else { i };
                let (action, role) = menu(i, on, &cats);
                let before = c.clone();
                let from = c.lifecycle();
                match c.apply(action, &actor(role), on) {
                    Ok(n) => c = n,
                    Err(_) => prop_assert_eq!(&c, &before),
                }
                let to = c.lifecycle();
                prop_assert!(allowed_move(from, to), "{:?} -> {:?}", from, to);
                prop_assert!(c.cadres.current_count() <= 1);
                ever_assigned |= c.cadres.current().is_some();
                if ever_assigned && to.is_monitored() {
                    prop_assert_eq!(c.cadres.current_count(), 1);
                }
                if matches!(to, Lifecycle::Monitored | Lifecycle::Eliminated | Lifecycle::Deferred) {
                    let ident = c.identification.as_ref().unwrap();
                    prop_assert_eq!(ident.steps.len(), IdentStep::ALL.len());
                }
                if to == Lifecycle::Eliminated {
                    let x = c.exits.last().unwrap();
                    prop_assert!(x.steps.len() >= 4);
                }
            }
        }
    }
}
