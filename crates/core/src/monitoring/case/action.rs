//! The actions on a case 档案操作 ([`CaseAction`]) and [`Case::apply`], which
//! checks that an action fits the case's [`Lifecycle`] and hands it to the
//! module that owns the step (clue, identification, measures, cadre, follow-up,
//! exit).

use chrono::NaiveDate;

use super::record::{Case, Lifecycle};
use crate::codes::CodeList;
use crate::household::Household;
use crate::income::IncomeRecord;
use crate::money::Fen;
use crate::monitoring::common::{Actor, Label, Refusal, RefusalCode};
use crate::monitoring::{
    CadreAction, ClueRules, Exit, ExitAction, ExitBlocker, ExitRules, FollowUp, IdentAction,
    Identification, IdentificationRules, Measure, MeasureAction, MeasurePlan, Report, clue,
};

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
        /// Exit rules in force (boxed: the action stays small).
        rules: Box<ExitRules>,
        /// The household's open problems of the problem ledger (问题台账), which keep it from exit.
        #[serde(default)]
        open_problems: Vec<ExitBlocker>,
    },
    /// A step of the current exit.
    Exit {
        /// The step.
        action: ExitAction,
    },
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
                open_problems,
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
                let Some(facts) =
                    self.exit_facts(&household, line, latest_income, &open_problems, on)
                else {
                    return Err(wrong_state(("预判提名", "Nominate for exit"), state));
                };
                next.exits.push(Exit::nominate(
                    self.household.clone(),
                    &facts,
                    *rules,
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
}
