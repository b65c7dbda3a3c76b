//! The identification 识别 of one household as a state machine:
//! [`Identification::start`] opens it, [`Identification::apply`] takes each step
//! in order or refuses it; the dates, deadline and time limit in working days.

use chrono::{Days, NaiveDate};

use super::green_channel::GreenChannel;
use super::rules::IdentificationRules;
use super::steps::{IdentAction, IdentEvidence, IdentRecord, IdentStatus, IdentStep, Outcome};
use crate::access::Role;
use crate::codes::{CodeList, RiskType};
use crate::monitoring::calendar::WorkCalendar;
use crate::monitoring::common::{
    Actor, Decision, Label, Refusal, RefusalCode, StepResult, label_of, require_not_before,
    require_role, require_text,
};
use crate::monitoring::verification::Verification;

/// The roles that may start an identification from a clue.
pub const START_ROLES: &[Role] = &[Role::VillageTeam, Role::TownshipAdmin];

const START: Label = ("启动识别", "Start identification");
const IDENTIFICATION: Label = ("识别程序", "Identification procedure");

/// An identification 识别 of one household.
#[derive(Clone, PartialEq, Eq, Debug, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Identification {
    /// 户编号.
    pub household: String,
    /// The risk types of the clue(s) that started it.
    pub clue_risks: Vec<RiskType>,
    /// 启动日期: the time limit counts from here.
    pub started_on: NaiveDate,
    /// Who started it.
    pub started_by: Actor,
    /// The rules in force when it started.
    pub rules: IdentificationRules,
    /// The steps taken, in order.
    pub steps: Vec<IdentRecord>,
    /// The green channel, if opened.
    pub green_channel: Option<GreenChannel>,
    /// Where it stands.
    pub status: IdentStatus,
}

impl Identification {
    /// Starts an identification from a clue's risks. Refuses a role other than
    /// [`START_ROLES`], invalid rules, or no risk.
    pub fn start(
        household: impl Into<String>,
        clue_risks: Vec<RiskType>,
        rules: IdentificationRules,
        actor: &Actor,
        on: NaiveDate,
    ) -> Result<Identification, Refusal> {
        require_role(actor, START, START_ROLES)?;
        rules.validate()?;
        let household = household.into();
        require_text(&household, ("户编号", "household number"))?;
        if clue_risks.is_empty() {
            return Err(Refusal::invalid(
                "线索缺少风险类型",
                "The clue has no risk type",
            ));
        }
        Ok(Identification {
            household,
            clue_risks,
            started_on: on,
            started_by: actor.clone(),
            rules,
            steps: Vec::new(),
            green_channel: None,
            status: IdentStatus::InProgress,
        })
    }

    /// The next step to take (`None` once ended).
    pub fn next_step(&self) -> Option<IdentStep> {
        match self.status {
            IdentStatus::InProgress => IdentStep::ALL.get(self.steps.len()).copied(),
            _ => None,
        }
    }

    /// Whether the procedure has ended (entered or refused).
    pub fn is_ended(&self) -> bool {
        self.status != IdentStatus::InProgress
    }

    /// 已纳入监测.
    pub fn is_enrolled(&self) -> bool {
        matches!(self.status, IdentStatus::Enrolled { .. })
    }

    /// The date of entry into monitoring.
    pub fn enrolled_on(&self) -> Option<NaiveDate> {
        match self.status {
            IdentStatus::Enrolled { on } => Some(on),
            _ => None,
        }
    }

    /// The end date (entered or refused).
    pub fn ended_on(&self) -> Option<NaiveDate> {
        match &self.status {
            IdentStatus::InProgress => None,
            IdentStatus::Enrolled { on } | IdentStatus::Refused { on, .. } => Some(*on),
        }
    }

    /// Assistance may start: entered into monitoring, or the green channel is open
    /// while the procedure runs.
    pub fn assistance_allowed(&self) -> bool {
        self.is_enrolled()
            || (self.status == IdentStatus::InProgress && self.green_channel.is_some())
    }

    /// The 县级审定 outcome.
    pub fn outcome(&self) -> Option<&Outcome> {
        self.steps.iter().find_map(|r| match &r.evidence {
            IdentEvidence::Outcome { outcome } => Some(outcome),
            _ => None,
        })
    }

    /// The 入户核查 record.
    pub fn verification(&self) -> Option<&Verification> {
        self.steps.iter().find_map(|r| match &r.evidence {
            IdentEvidence::Verification { verification } => Some(verification.as_ref()),
            _ => None,
        })
    }

    /// The record of a step, if taken.
    pub fn record(&self, step: IdentStep) -> Option<&IdentRecord> {
        self.steps.iter().find(|r| r.step == step)
    }

    /// The first day the public notice may be closed, once posted.
    pub fn notice_closes_on(&self) -> Option<NaiveDate> {
        self.steps.iter().find_map(|r| match &r.evidence {
            IdentEvidence::Notice { closes_on, .. } => Some(*closes_on),
            _ => None,
        })
    }

    /// 办理期限: the time limit's last day (the start plus the limit in working days).
    pub fn deadline(&self, cal: &WorkCalendar) -> NaiveDate {
        cal.add_working_days(self.started_on, self.rules.time_limit_working_days)
    }

    /// 超期: still running after the deadline.
    pub fn is_overdue(&self, today: NaiveDate, cal: &WorkCalendar) -> bool {
        !self.is_ended() && today > self.deadline(cal)
    }

    /// Ended after the deadline.
    pub fn finished_late(&self, cal: &WorkCalendar) -> bool {
        self.ended_on().is_some_and(|d| d > self.deadline(cal))
    }

    /// Working days used so far (up to the end, or to `today` while running).
    pub fn working_days_used(&self, today: NaiveDate, cal: &WorkCalendar) -> u32 {
        cal.working_days_between(self.started_on, self.ended_on().unwrap_or(today))
    }

    fn last_date(&self) -> NaiveDate {
        self.steps.last().map_or(self.started_on, |r| r.on)
    }

    /// Takes an action. Returns the new state, or a [`Refusal`] leaving `self`
    /// as it was: the procedure has ended; the step is out of order (or already
    /// taken); the role may not take it; the date is before the previous step;
    /// the notice period is not over; the evidence is incomplete.
    pub fn apply(
        &self,
        action: IdentAction,
        actor: &Actor,
        on: NaiveDate,
    ) -> Result<Identification, Refusal> {
        if self.is_ended() {
            return Err(Refusal::finished(IDENTIFICATION));
        }
        let Some(step) = action.step() else {
            return self.open_green_channel(action, actor, on);
        };
        require_role(actor, label_of(step), step.roles())?;
        let taken = self.steps.len();
        if step.index() < taken {
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
        if let Some(next) = self.next_step().filter(|n| *n != step) {
            return Err(Refusal::out_of_order(next, step));
        }
        require_not_before(on, self.last_date())?;

        let (decision, evidence) = self.check_action(action, on)?;
        decision.validate()?;
        let mut next = self.clone();
        next.steps.push(IdentRecord {
            step,
            actor: actor.clone(),
            on,
            result: decision.result,
            opinion: decision.opinion.clone(),
            evidence,
        });
        if decision.result == StepResult::Fail {
            next.status = IdentStatus::Refused {
                step,
                on,
                reason: decision.opinion,
            };
        } else if step == IdentStep::Enrolment {
            next.status = IdentStatus::Enrolled { on };
        }
        Ok(next)
    }

    /// Checks the step-specific evidence; returns the decision and the evidence to keep.
    fn check_action(
        &self,
        action: IdentAction,
        on: NaiveDate,
    ) -> Result<(Decision, IdentEvidence), Refusal> {
        Ok(match action {
            IdentAction::Verify {
                verification,
                decision,
            } => {
                verification.validate(on)?;
                if decision.result.passed() {
                    if verification.income.is_none() {
                        return Err(Refusal::new(
                            RefusalCode::EvidenceRequired,
                            "核查通过须有收支测算",
                            "A passed verification needs the income estimate",
                        ));
                    }
                    if verification.authorisation.is_none() {
                        return Err(Refusal::new(
                            RefusalCode::EvidenceRequired,
                            "核查通过须有农户承诺授权书",
                            "A passed verification needs the household's commitment and authorisation (承诺授权)",
                        ));
                    }
                    if !verification.signature.is_signed() {
                        return Err(Refusal::new(
                            RefusalCode::SignatureRequired,
                            "核查结果须经农户签字认可",
                            "The household must sign the verification result",
                        ));
                    }
                }
                (decision, IdentEvidence::Verification { verification })
            }
            IdentAction::Compare {
                checked_with,
                discrepancies,
                decision,
            } => {
                if checked_with.iter().all(|c| c.trim().is_empty()) {
                    return Err(Refusal::invalid(
                        "请填写比对部门",
                        "The departments compared with are required",
                    ));
                }
                (
                    decision,
                    IdentEvidence::Comparison {
                        checked_with,
                        discrepancies,
                    },
                )
            }
            IdentAction::Appraise { meeting, decision } => {
                meeting.validate(on)?;
                (decision, IdentEvidence::Appraisal { meeting })
            }
            IdentAction::PostNotice { place } => {
                require_text(&place, ("公示地点", "notice place"))?;
                let closes_on = on
                    .checked_add_days(Days::new(u64::from(self.rules.publicity_days)))
                    .unwrap_or(NaiveDate::MAX);
                (
                    Decision::pass(""),
                    IdentEvidence::Notice { place, closes_on },
                )
            }
            IdentAction::CloseNotice {
                objections,
                decision,
            } => {
                let closes_on = self.notice_closes_on().unwrap_or(on);
                if on < closes_on {
                    return Err(Refusal::new(
                        RefusalCode::TooEarly,
                        format!(
                            "公示期未满（{} 天），{closes_on} 起方可结束公示",
                            self.rules.publicity_days
                        ),
                        format!(
                            "The public notice period ({} days) is not over; it may close on {closes_on}",
                            self.rules.publicity_days
                        ),
                    ));
                }
                let objections: Vec<String> = objections
                    .into_iter()
                    .filter(|o| !o.trim().is_empty())
                    .collect();
                if !objections.is_empty() {
                    require_text(
                        &decision.opinion,
                        ("异议处理意见", "opinion on the objections"),
                    )?;
                }
                (decision, IdentEvidence::NoticeClosed { objections })
            }
            IdentAction::TownshipReview { decision } => (decision, IdentEvidence::None),
            IdentAction::CountyApproval { decision, outcome } => match (decision.result, outcome) {
                (StepResult::Pass, Some(outcome)) => {
                    outcome.validate()?;
                    (decision, IdentEvidence::Outcome { outcome })
                }
                (StepResult::Pass, None) => {
                    return Err(Refusal::invalid(
                        "县级审定通过须确定监测对象类别和风险类型",
                        "An approval needs the monitored type and the risk types",
                    ));
                }
                (StepResult::Fail, _) => (decision, IdentEvidence::None),
            },
            IdentAction::Enrol { opinion } => (Decision::pass(opinion), IdentEvidence::None),
            IdentAction::OpenGreenChannel { .. } => (Decision::pass(""), IdentEvidence::None),
        })
    }
}
