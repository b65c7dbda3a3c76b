//! 识别: the identification procedure that takes a verified clue into the
//! monitoring and assistance scope (§三(一)1 "按规定程序及时识别，纳入监测帮扶范围";
//! the steps are national practice, docs/domain.md "Identification").
//!
//! An explicit state machine over [`IdentStep`], in this order, no step skipped:
//!
//! | # | step | who may take it | evidence |
//! | --- | --- | --- | --- |
//! | 1 | 入户核查 household verification | village team | [`Verification`] (a pass needs income, 承诺授权, signature) |
//! | 2 | 信息比对 data comparison | village team, township admin, county admin | departments checked, discrepancies |
//! | 3 | 民主评议 democratic appraisal | village team | [`Meeting`] |
//! | 4 | 公示 public notice posted | village team | place; the objection period starts |
//! | 5 | 公示期满 public notice closed | village team | objections; not before the period ends |
//! | 6 | 乡镇审核 township review | township admin | opinion |
//! | 7 | 县级审定 county approval | county admin | the [`Outcome`]: monitored type and 1–5 risk types |
//! | 8 | 纳入监测 entered into monitoring | county admin | — |
//! | — | 绿色通道 green channel | township admin, county admin | reason; only for the configured risks |
//!
//! Each step records actor (with role), date, result and opinion. A step decided
//! 不通过 ends the procedure with its opinion as the reason (the clue is then
//! 未纳入). The green channel lets assistance start at once (for disaster and
//! accident by default); the steps must still all be taken afterwards. The whole
//! procedure has a time limit in working days ([`IdentificationRules`], default
//! 20) counted from the start; [`Identification::is_overdue`] flags it.
//!
//! Every action is [`Identification::apply`]: `&self` in, a new state or a
//! [`Refusal`] out; the input is never changed.

use chrono::{Days, NaiveDate};

use super::calendar::WorkCalendar;
use super::common::{
    Actor, Decision, Label, Meeting, Refusal, RefusalCode, StepResult, label_of,
    require_not_before, require_role, require_text,
};
use super::verification::Verification;
use crate::access::Role;
use crate::codes::{CodeList, MonitoredType, RiskType, code_list};
use crate::household::MAX_RISKS;

code_list! {
    /// 识别步骤: the steps of identification, in order.
    pub enum IdentStep ("识别步骤", "identification step") {
        Verification = ("verification", "入户核查", "Household verification"),
        DataComparison = ("data_comparison", "信息比对", "Data comparison"),
        Appraisal = ("appraisal", "民主评议", "Democratic appraisal"),
        PublicNotice = ("public_notice", "公示", "Public notice"),
        NoticeClosed = ("notice_closed", "公示期满", "End of the public notice"),
        TownshipReview = ("township_review", "乡镇审核", "Township review"),
        CountyApproval = ("county_approval", "县级审定", "County approval"),
        Enrolment = ("enrolment", "纳入监测", "Entry into monitoring"),
    }
}

impl IdentStep {
    /// The roles that may take the step (docs/domain.md "Who uses the system").
    pub fn roles(self) -> &'static [Role] {
        match self {
            IdentStep::Verification
            | IdentStep::Appraisal
            | IdentStep::PublicNotice
            | IdentStep::NoticeClosed => &[Role::VillageTeam],
            IdentStep::DataComparison => {
                &[Role::VillageTeam, Role::TownshipAdmin, Role::CountyAdmin]
            }
            IdentStep::TownshipReview => &[Role::TownshipAdmin],
            IdentStep::CountyApproval | IdentStep::Enrolment => &[Role::CountyAdmin],
        }
    }

    /// The position in the procedure (0-based).
    pub fn index(self) -> usize {
        IdentStep::ALL.iter().position(|s| *s == self).unwrap_or(0)
    }
}

/// The roles that may open the green channel 绿色通道.
pub const GREEN_CHANNEL_ROLES: &[Role] = &[Role::TownshipAdmin, Role::CountyAdmin];
/// The roles that may start an identification from a clue.
pub const START_ROLES: &[Role] = &[Role::VillageTeam, Role::TownshipAdmin];

const GREEN_CHANNEL: Label = ("绿色通道", "Green channel");
const START: Label = ("启动识别", "Start identification");
const IDENTIFICATION: Label = ("识别程序", "Identification procedure");

/// Identification rules (configurable by the county; defaults from national practice).
#[derive(Clone, PartialEq, Eq, Debug, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct IdentificationRules {
    /// 公示期: days of the objection period, at least 5 (default 5).
    pub publicity_days: u32,
    /// 办理时限: working days from start to entry (default 20).
    pub time_limit_working_days: u32,
    /// Risk types for which the green channel may open (default 因自然灾害 with
    /// its sub-codes, 因意外事故). Compared at the top level.
    pub green_channel_risks: Vec<RiskType>,
}

impl Default for IdentificationRules {
    fn default() -> Self {
        IdentificationRules {
            publicity_days: 5,
            time_limit_working_days: 20,
            green_channel_risks: vec![RiskType::Disaster, RiskType::Accident],
        }
    }
}

/// The shortest objection period allowed.
pub const MIN_PUBLICITY_DAYS: u32 = 5;

impl IdentificationRules {
    /// Refuses a publicity period under 5 days or over 60, or a time limit outside
    /// 1–250 working days.
    pub fn validate(&self) -> Result<(), Refusal> {
        if !(MIN_PUBLICITY_DAYS..=60).contains(&self.publicity_days) {
            return Err(Refusal::invalid(
                format!("公示期须为 {MIN_PUBLICITY_DAYS} 至 60 天"),
                format!("The public notice period must be {MIN_PUBLICITY_DAYS} to 60 days"),
            ));
        }
        if !(1..=250).contains(&self.time_limit_working_days) {
            return Err(Refusal::invalid(
                "办理时限须为 1 至 250 个工作日",
                "The time limit must be 1 to 250 working days",
            ));
        }
        Ok(())
    }
}

/// The outcome of 县级审定: the monitored object type and 1–5 risk types.
#[derive(Clone, PartialEq, Eq, Debug, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Outcome {
    /// 监测对象类别.
    pub monitored_type: MonitoredType,
    /// 风险类型, 1 to 5, no repeats.
    pub risks: Vec<RiskType>,
}

impl Outcome {
    /// Refuses no risk type, more than 5, or one twice.
    pub fn validate(&self) -> Result<(), Refusal> {
        let mut r = self.risks.clone();
        r.sort();
        r.dedup();
        if self.risks.is_empty() || self.risks.len() > MAX_RISKS || r.len() != self.risks.len() {
            return Err(Refusal::invalid(
                format!("风险类型须为 1 至 {MAX_RISKS} 项且不重复"),
                format!("Between 1 and {MAX_RISKS} risk types, none twice, are required"),
            ));
        }
        Ok(())
    }
}

/// An action on an identification.
#[derive(Clone, PartialEq, Eq, Debug, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum IdentAction {
    /// 入户核查.
    Verify {
        /// The visit record.
        verification: Box<Verification>,
        /// Result and opinion.
        decision: Decision,
    },
    /// 信息比对: the county compares the household with finance, police, housing,
    /// social-insurance … data.
    Compare {
        /// 比对部门 (e.g. 财政, 公安, 住建, 人社, 市场监管).
        checked_with: Vec<String>,
        /// 比对发现的问题 (may be empty).
        discrepancies: String,
        /// Result and opinion.
        decision: Decision,
    },
    /// 民主评议.
    Appraise {
        /// The meeting.
        meeting: Meeting,
        /// Result and opinion.
        decision: Decision,
    },
    /// 公示: the notice is posted; the objection period starts on the action date.
    PostNotice {
        /// 公示地点 (e.g. 村委会公示栏).
        place: String,
    },
    /// 公示期满: the notice is taken down, with the objections received.
    CloseNotice {
        /// 异议 received (each one line; empty when none).
        objections: Vec<String>,
        /// Result and opinion (an opinion on the objections is required when any).
        decision: Decision,
    },
    /// 乡镇审核.
    TownshipReview {
        /// Result and opinion.
        decision: Decision,
    },
    /// 县级审定 (and 公告).
    CountyApproval {
        /// Result and opinion.
        decision: Decision,
        /// The monitored type and risks (required when approved).
        outcome: Option<Outcome>,
    },
    /// 纳入监测: entered into the national monitoring system.
    Enrol {
        /// Note (e.g. the system entry reference), may be empty.
        opinion: String,
    },
    /// 绿色通道: assistance starts before the procedure ends.
    OpenGreenChannel {
        /// Why (the disaster or accident).
        reason: String,
    },
}

impl IdentAction {
    /// The step this action takes (`None` for the green channel, which is not a step).
    pub fn step(&self) -> Option<IdentStep> {
        Some(match self {
            IdentAction::Verify { .. } => IdentStep::Verification,
            IdentAction::Compare { .. } => IdentStep::DataComparison,
            IdentAction::Appraise { .. } => IdentStep::Appraisal,
            IdentAction::PostNotice { .. } => IdentStep::PublicNotice,
            IdentAction::CloseNotice { .. } => IdentStep::NoticeClosed,
            IdentAction::TownshipReview { .. } => IdentStep::TownshipReview,
            IdentAction::CountyApproval { .. } => IdentStep::CountyApproval,
            IdentAction::Enrol { .. } => IdentStep::Enrolment,
            IdentAction::OpenGreenChannel { .. } => return None,
        })
    }
}

/// The step-specific evidence kept in a record.
#[derive(Clone, PartialEq, Eq, Debug, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum IdentEvidence {
    /// Nothing beyond the opinion.
    None,
    /// 入户核查 record.
    Verification {
        /// The visit record.
        verification: Box<Verification>,
    },
    /// 信息比对.
    Comparison {
        /// Departments checked.
        checked_with: Vec<String>,
        /// Problems found.
        discrepancies: String,
    },
    /// 民主评议.
    Appraisal {
        /// The meeting.
        meeting: Meeting,
    },
    /// 公示.
    Notice {
        /// Where.
        place: String,
        /// The first day the notice may be closed.
        closes_on: NaiveDate,
    },
    /// 公示期满.
    NoticeClosed {
        /// Objections received.
        objections: Vec<String>,
    },
    /// 县级审定 outcome.
    Outcome {
        /// Type and risks.
        outcome: Outcome,
    },
}

/// One step taken: who, in which role, when, with which result and opinion.
#[derive(Clone, PartialEq, Eq, Debug, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IdentRecord {
    /// The step.
    pub step: IdentStep,
    /// Who took it (the role is in the actor).
    pub actor: Actor,
    /// 办理日期.
    pub on: NaiveDate,
    /// 通过 / 不通过.
    pub result: StepResult,
    /// 意见.
    pub opinion: String,
    /// Step evidence.
    pub evidence: IdentEvidence,
}

/// The green channel, once opened.
#[derive(Clone, PartialEq, Eq, Debug, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GreenChannel {
    /// Opened by.
    pub actor: Actor,
    /// On.
    pub on: NaiveDate,
    /// Why.
    pub reason: String,
}

/// Where the procedure stands.
#[derive(Clone, PartialEq, Eq, Debug, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum IdentStatus {
    /// 识别中.
    InProgress,
    /// 已纳入监测.
    Enrolled {
        /// Date of entry.
        on: NaiveDate,
    },
    /// 未纳入: a step was decided 不通过.
    Refused {
        /// At which step.
        step: IdentStep,
        /// When.
        on: NaiveDate,
        /// The reason (the step's opinion).
        reason: String,
    },
}

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

    fn open_green_channel(
        &self,
        action: IdentAction,
        actor: &Actor,
        on: NaiveDate,
    ) -> Result<Identification, Refusal> {
        let IdentAction::OpenGreenChannel { reason } = action else {
            return Err(Refusal::invalid("无效操作", "Invalid action"));
        };
        require_role(actor, GREEN_CHANNEL, GREEN_CHANNEL_ROLES)?;
        if self.green_channel.is_some() {
            return Err(Refusal::new(
                RefusalCode::Duplicate,
                "绿色通道已经开启",
                "The green channel is already open",
            ));
        }
        let eligible = self.clue_risks.iter().any(|r| {
            self.rules
                .green_channel_risks
                .iter()
                .any(|g| g.parent() == r.parent())
        });
        if !eligible {
            let zh: Vec<&str> = self
                .rules
                .green_channel_risks
                .iter()
                .map(|r| r.label_zh())
                .collect();
            let en: Vec<&str> = self
                .rules
                .green_channel_risks
                .iter()
                .map(|r| r.label_en())
                .collect();
            return Err(Refusal::new(
                RefusalCode::NotEligible,
                format!("绿色通道仅适用于{}", zh.join("、")),
                format!("The green channel is only for: {}", en.join(", ")),
            ));
        }
        require_text(
            &reason,
            ("开启绿色通道的理由", "reason for the green channel"),
        )?;
        require_not_before(on, self.started_on)?;
        let mut next = self.clone();
        next.green_channel = Some(GreenChannel {
            actor: actor.clone(),
            on,
            reason,
        });
        Ok(next)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::monitoring::verification::tests::verification;
    use proptest::prelude::*;

    pub(crate) fn d(m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2022, m, day).unwrap()
    }

    pub(crate) fn actor(role: Role) -> Actor {
        Actor::new(role as i64 + 1, format!("{}甲", role.label_zh()), role)
    }

    pub(crate) fn outcome() -> Outcome {
        Outcome {
            monitored_type: MonitoredType::SuddenHardship,
            risks: vec![RiskType::Illness],
        }
    }

    /// The passing action of each step, dated `on`.
    pub(crate) fn pass_action(step: IdentStep, on: NaiveDate) -> IdentAction {
        match step {
            IdentStep::Verification => IdentAction::Verify {
                verification: Box::new(verification(on, 3000)),
                decision: Decision::pass("情况属实"),
            },
            IdentStep::DataComparison => IdentAction::Compare {
                checked_with: vec!["财政".into(), "公安".into(), "住建".into()],
                discrepancies: String::new(),
                decision: Decision::pass("无财政供养人员、无车辆"),
            },
            IdentStep::Appraisal => IdentAction::Appraise {
                meeting: Meeting {
                    held_on: on,
                    attendance: 35,
                    minutes: "一致同意".into(),
                },
                decision: Decision::pass("同意纳入"),
            },
            IdentStep::PublicNotice => IdentAction::PostNotice {
                place: "村委会公示栏".into(),
            },
            IdentStep::NoticeClosed => IdentAction::CloseNotice {
                objections: vec![],
                decision: Decision::pass("公示无异议"),
            },
            IdentStep::TownshipReview => IdentAction::TownshipReview {
                decision: Decision::pass("同意"),
            },
            IdentStep::CountyApproval => IdentAction::CountyApproval {
                decision: Decision::pass("审定同意"),
                outcome: Some(outcome()),
            },
            IdentStep::Enrolment => IdentAction::Enrol {
                opinion: "已录入全国防返贫监测系统".into(),
            },
        }
    }

    /// A failing action of a decision step.
    fn fail_action(step: IdentStep, on: NaiveDate) -> Option<IdentAction> {
        let no = Decision::fail("收入高于监测线");
        Some(match step {
            IdentStep::Verification => IdentAction::Verify {
                verification: Box::new(verification(on, 9000)),
                decision: no,
            },
            IdentStep::DataComparison => IdentAction::Compare {
                checked_with: vec!["公安".into()],
                discrepancies: "家庭有小轿车一辆".into(),
                decision: no,
            },
            IdentStep::Appraisal => IdentAction::Appraise {
                meeting: Meeting {
                    held_on: on,
                    attendance: 30,
                    minutes: String::new(),
                },
                decision: no,
            },
            IdentStep::NoticeClosed => IdentAction::CloseNotice {
                objections: vec!["有村民反映其子在城里有房".into()],
                decision: no,
            },
            IdentStep::TownshipReview => IdentAction::TownshipReview { decision: no },
            IdentStep::CountyApproval => IdentAction::CountyApproval {
                decision: no,
                outcome: None,
            },
            IdentStep::PublicNotice | IdentStep::Enrolment => return None,
        })
    }

    pub(crate) fn started(on: NaiveDate, risks: Vec<RiskType>) -> Identification {
        Identification::start(
            "H1",
            risks,
            IdentificationRules::default(),
            &actor(Role::VillageTeam),
            on,
        )
        .unwrap()
    }

    /// The date used for step `i` in [`run_to`] (publicity of 5 days included).
    pub(crate) fn step_date(start: NaiveDate, i: usize) -> NaiveDate {
        start + Days::new(if i >= 4 { i as u64 + 5 } else { i as u64 })
    }

    /// An identification started on `start` with the first `n` steps passed.
    pub(crate) fn run_to(start: NaiveDate, n: usize) -> Identification {
        let mut s = started(start, vec![RiskType::Illness, RiskType::Accident]);
        for (i, step) in IdentStep::ALL.iter().take(n).enumerate() {
            let on = step_date(start, i);
            s = s
                .apply(pass_action(*step, on), &actor(step.roles()[0]), on)
                .unwrap();
        }
        s
    }

    #[test]
    fn full_procedure() {
        let s = run_to(d(6, 1), 8);
        assert!(s.is_enrolled() && s.is_ended());
        assert_eq!(s.enrolled_on(), Some(d(6, 13)));
        assert_eq!(s.steps.len(), 8);
        assert_eq!(s.outcome(), Some(&outcome()));
        assert!(s.verification().is_some());
        assert!(s.assistance_allowed());
        assert_eq!(s.next_step(), None);
        assert_eq!(s.notice_closes_on(), Some(d(6, 9)));
        let rec = s.record(IdentStep::TownshipReview).unwrap();
        assert_eq!(rec.actor.role, Role::TownshipAdmin);
        assert_eq!(rec.result, StepResult::Pass);
        assert_eq!(rec.opinion, "同意");
        // ended: every action refused
        let e = s
            .apply(
                pass_action(IdentStep::Enrolment, d(6, 14)),
                &actor(Role::CountyAdmin),
                d(6, 14),
            )
            .unwrap_err();
        assert_eq!(e.code, RefusalCode::Finished);
    }

    #[test]
    fn every_step_in_order_and_each_transition() {
        let start = d(6, 1);
        for (i, step) in IdentStep::ALL.iter().enumerate() {
            let s = run_to(start, i);
            assert_eq!(s.next_step(), Some(*step));
            let on = step_date(start, i);
            let n = s
                .apply(pass_action(*step, on), &actor(step.roles()[0]), on)
                .unwrap();
            assert_eq!(n.steps.len(), i + 1);
            assert_eq!(n.steps[i].step, *step);
            assert_eq!(n.steps[i].on, on);
            // every later step is out of order
            for later in &IdentStep::ALL[i + 1..] {
                let e = s
                    .apply(pass_action(*later, on), &actor(later.roles()[0]), on)
                    .unwrap_err();
                assert_eq!(e.code, RefusalCode::OutOfOrder, "{later:?} at {step:?}");
                assert!(
                    e.message_en.starts_with(step.label_zh()),
                    "{}",
                    e.message_en
                );
            }
            // every earlier step is already taken
            for earlier in &IdentStep::ALL[..i] {
                let e = s
                    .apply(pass_action(*earlier, on), &actor(earlier.roles()[0]), on)
                    .unwrap_err();
                assert_eq!(e.code, RefusalCode::Duplicate);
            }
        }
    }

    #[test]
    fn appraisal_before_township_review_message() {
        let s = run_to(d(6, 1), 2);
        let e = s
            .apply(
                pass_action(IdentStep::TownshipReview, d(6, 3)),
                &actor(Role::TownshipAdmin),
                d(6, 3),
            )
            .unwrap_err();
        assert_eq!(
            e.message_en,
            "民主评议 (democratic appraisal) must come before 乡镇审核 (township review)"
        );
    }

    #[test]
    fn roles_are_enforced_per_step() {
        let start = d(6, 1);
        for (i, step) in IdentStep::ALL.iter().enumerate() {
            let s = run_to(start, i);
            let on = step_date(start, i);
            for role in Role::ALL {
                let r = s.apply(pass_action(*step, on), &actor(*role), on);
                if step.roles().contains(role) {
                    assert!(r.is_ok(), "{role:?} {step:?}");
                } else {
                    let e = r.unwrap_err();
                    assert_eq!(e.code, RefusalCode::RoleNotAllowed, "{role:?} {step:?}");
                    assert!(e.is_forbidden());
                }
            }
        }
    }

    #[test]
    fn a_failed_step_ends_the_clue_with_its_reason() {
        let start = d(6, 1);
        for (i, step) in IdentStep::ALL.iter().enumerate() {
            let on = step_date(start, i);
            let Some(fail) = fail_action(*step, on) else {
                continue;
            };
            let s = run_to(start, i)
                .apply(fail, &actor(step.roles()[0]), on)
                .unwrap();
            assert_eq!(
                s.status,
                IdentStatus::Refused {
                    step: *step,
                    on,
                    reason: "收入高于监测线".into()
                }
            );
            assert!(s.is_ended() && !s.assistance_allowed());
            assert_eq!(s.ended_on(), Some(on));
            assert_eq!(s.steps.last().unwrap().result, StepResult::Fail);
            let e = s
                .apply(
                    pass_action(IdentStep::ALL[i + 1], on),
                    &actor(Role::CountyAdmin),
                    on,
                )
                .unwrap_err();
            assert_eq!(e.code, RefusalCode::Finished);
        }
        // a 不通过 needs a reason
        let s = run_to(start, 5);
        let e = s
            .apply(
                IdentAction::TownshipReview {
                    decision: Decision::fail(" "),
                },
                &actor(Role::TownshipAdmin),
                d(6, 11),
            )
            .unwrap_err();
        assert_eq!(e.code, RefusalCode::InvalidInput);
    }

    #[test]
    fn verification_evidence() {
        let on = d(6, 1);
        let s = started(on, vec![RiskType::Illness]);
        let team = actor(Role::VillageTeam);
        let mut v = verification(on, 3000);
        v.income = None;
        let e = s
            .apply(
                IdentAction::Verify {
                    verification: Box::new(v.clone()),
                    decision: Decision::pass(""),
                },
                &team,
                on,
            )
            .unwrap_err();
        assert_eq!(e.code, RefusalCode::EvidenceRequired);
        // a failing verification does not need the income
        assert!(
            s.apply(
                IdentAction::Verify {
                    verification: Box::new(v),
                    decision: Decision::fail("不属实")
                },
                &team,
                on
            )
            .is_ok()
        );
        let mut v = verification(on, 3000);
        v.authorisation = None;
        let e = s
            .apply(
                IdentAction::Verify {
                    verification: Box::new(v),
                    decision: Decision::pass(""),
                },
                &team,
                on,
            )
            .unwrap_err();
        assert_eq!(e.code, RefusalCode::EvidenceRequired);
        let mut v = verification(on, 3000);
        v.signature = crate::monitoring::Signature::NotSigned {
            reason: "拒签".into(),
        };
        let e = s
            .apply(
                IdentAction::Verify {
                    verification: Box::new(v),
                    decision: Decision::pass(""),
                },
                &team,
                on,
            )
            .unwrap_err();
        assert_eq!(e.code, RefusalCode::SignatureRequired);
        let mut v = verification(on, 3000);
        v.findings.clear();
        let e = s
            .apply(
                IdentAction::Verify {
                    verification: Box::new(v),
                    decision: Decision::pass(""),
                },
                &team,
                on,
            )
            .unwrap_err();
        assert_eq!(e.code, RefusalCode::InvalidInput);
    }

    #[test]
    fn comparison_and_appraisal_evidence() {
        let s = run_to(d(6, 1), 1);
        let team = actor(Role::VillageTeam);
        let e = s
            .apply(
                IdentAction::Compare {
                    checked_with: vec![" ".into()],
                    discrepancies: String::new(),
                    decision: Decision::pass(""),
                },
                &team,
                d(6, 2),
            )
            .unwrap_err();
        assert_eq!(e.code, RefusalCode::InvalidInput);
        let s = run_to(d(6, 1), 2);
        let e = s
            .apply(
                IdentAction::Appraise {
                    meeting: Meeting {
                        held_on: d(6, 3),
                        attendance: 0,
                        minutes: String::new(),
                    },
                    decision: Decision::pass(""),
                },
                &team,
                d(6, 3),
            )
            .unwrap_err();
        assert_eq!(e.code, RefusalCode::InvalidInput);
        let s = run_to(d(6, 1), 3);
        let e = s
            .apply(
                IdentAction::PostNotice { place: " ".into() },
                &team,
                d(6, 4),
            )
            .unwrap_err();
        assert_eq!(e.code, RefusalCode::InvalidInput);
    }

    #[test]
    fn objection_period() {
        let s = run_to(d(6, 1), 4); // posted 6-04, 5 days
        assert_eq!(s.notice_closes_on(), Some(d(6, 9)));
        let team = actor(Role::VillageTeam);
        let e = s
            .apply(
                pass_action(IdentStep::NoticeClosed, d(6, 8)),
                &team,
                d(6, 8),
            )
            .unwrap_err();
        assert_eq!(e.code, RefusalCode::TooEarly);
        assert!(e.message_zh.contains("2022-06-09"), "{}", e.message_zh);
        assert!(
            s.apply(
                pass_action(IdentStep::NoticeClosed, d(6, 9)),
                &team,
                d(6, 9)
            )
            .is_ok()
        );
        // objections need an opinion on them
        let with_objection = IdentAction::CloseNotice {
            objections: vec!["有异议".into()],
            decision: Decision::pass(""),
        };
        assert_eq!(
            s.apply(with_objection, &team, d(6, 9)).unwrap_err().code,
            RefusalCode::InvalidInput
        );
        let answered = IdentAction::CloseNotice {
            objections: vec!["有异议".into(), " ".into()],
            decision: Decision::pass("经核实异议不成立"),
        };
        let n = s.apply(answered, &team, d(6, 9)).unwrap();
        assert_eq!(
            n.steps.last().unwrap().evidence,
            IdentEvidence::NoticeClosed {
                objections: vec!["有异议".into()]
            }
        );
        // a longer configured period
        let rules = IdentificationRules {
            publicity_days: 7,
            ..IdentificationRules::default()
        };
        let mut s =
            Identification::start("H1", vec![RiskType::Illness], rules, &team, d(6, 1)).unwrap();
        for (i, step) in IdentStep::ALL.iter().take(4).enumerate() {
            s = s
                .apply(
                    pass_action(*step, d(6, 1 + i as u32)),
                    &actor(step.roles()[0]),
                    d(6, 1 + i as u32),
                )
                .unwrap();
        }
        assert_eq!(s.notice_closes_on(), Some(d(6, 11)));
    }

    #[test]
    fn rules_validation() {
        let team = actor(Role::VillageTeam);
        for bad in [
            IdentificationRules {
                publicity_days: 4,
                ..IdentificationRules::default()
            },
            IdentificationRules {
                publicity_days: 61,
                ..IdentificationRules::default()
            },
            IdentificationRules {
                time_limit_working_days: 0,
                ..IdentificationRules::default()
            },
        ] {
            let e = Identification::start("H1", vec![RiskType::Illness], bad, &team, d(6, 1))
                .unwrap_err();
            assert_eq!(e.code, RefusalCode::InvalidInput);
        }
        assert!(
            Identification::start("H1", vec![], IdentificationRules::default(), &team, d(6, 1))
                .is_err()
        );
        assert!(
            Identification::start(
                " ",
                vec![RiskType::Illness],
                IdentificationRules::default(),
                &team,
                d(6, 1)
            )
            .is_err()
        );
        let e = Identification::start(
            "H1",
            vec![RiskType::Illness],
            IdentificationRules::default(),
            &actor(Role::Cadre),
            d(6, 1),
        )
        .unwrap_err();
        assert_eq!(e.code, RefusalCode::RoleNotAllowed);
        assert!(
            Identification::start(
                "H1",
                vec![RiskType::Illness],
                IdentificationRules::default(),
                &actor(Role::TownshipAdmin),
                d(6, 1)
            )
            .is_ok()
        );
    }

    #[test]
    fn outcome_rules() {
        let s = run_to(d(6, 1), 6);
        let county = actor(Role::CountyAdmin);
        let on = step_date(d(6, 1), 6);
        let approve = |risks: Vec<RiskType>| IdentAction::CountyApproval {
            decision: Decision::pass(""),
            outcome: Some(Outcome {
                monitored_type: MonitoredType::Marginal,
                risks,
            }),
        };
        assert_eq!(
            s.apply(approve(vec![]), &county, on).unwrap_err().code,
            RefusalCode::InvalidInput
        );
        assert!(
            s.apply(
                approve(vec![RiskType::Illness, RiskType::Illness]),
                &county,
                on
            )
            .is_err()
        );
        let six = vec![
            RiskType::Illness,
            RiskType::Disability,
            RiskType::Schooling,
            RiskType::Housing,
            RiskType::Water,
            RiskType::Other,
        ];
        assert!(s.apply(approve(six.clone()), &county, on).is_err());
        assert!(s.apply(approve(six[..5].to_vec()), &county, on).is_ok());
        let e = s
            .apply(
                IdentAction::CountyApproval {
                    decision: Decision::pass(""),
                    outcome: None,
                },
                &county,
                on,
            )
            .unwrap_err();
        assert_eq!(e.code, RefusalCode::InvalidInput);
    }

    #[test]
    fn dates_may_not_go_back() {
        let s = run_to(d(6, 1), 2); // last step on 6-02
        let e = s
            .apply(
                pass_action(IdentStep::Appraisal, d(6, 1)),
                &actor(Role::VillageTeam),
                d(6, 1),
            )
            .unwrap_err();
        assert_eq!(e.code, RefusalCode::DateOrder);
        let s = started(d(6, 1), vec![RiskType::Illness]);
        let e = s
            .apply(
                pass_action(IdentStep::Verification, d(5, 31)),
                &actor(Role::VillageTeam),
                d(5, 31),
            )
            .unwrap_err();
        assert_eq!(e.code, RefusalCode::DateOrder);
    }

    #[test]
    fn green_channel() {
        let county = actor(Role::CountyAdmin);
        let town = actor(Role::TownshipAdmin);
        let open = || IdentAction::OpenGreenChannel {
            reason: "房屋被洪水冲毁".into(),
        };
        // only for disaster and accident by default
        let ill = started(d(7, 1), vec![RiskType::Illness]);
        assert_eq!(
            ill.apply(open(), &town, d(7, 1)).unwrap_err().code,
            RefusalCode::NotEligible
        );
        let flood = started(d(7, 1), vec![RiskType::DisasterFlood]);
        assert!(!flood.assistance_allowed());
        let e = flood
            .apply(open(), &actor(Role::VillageTeam), d(7, 1))
            .unwrap_err();
        assert_eq!(e.code, RefusalCode::RoleNotAllowed);
        assert_eq!(
            flood
                .apply(
                    IdentAction::OpenGreenChannel { reason: "".into() },
                    &town,
                    d(7, 1)
                )
                .unwrap_err()
                .code,
            RefusalCode::InvalidInput
        );
        assert_eq!(
            flood.apply(open(), &town, d(6, 30)).unwrap_err().code,
            RefusalCode::DateOrder
        );
        let g = flood.apply(open(), &town, d(7, 1)).unwrap();
        assert!(g.assistance_allowed() && !g.is_ended());
        assert_eq!(
            g.apply(open(), &county, d(7, 2)).unwrap_err().code,
            RefusalCode::Duplicate
        );
        // the procedure still completes afterwards, step by step
        assert_eq!(g.next_step(), Some(IdentStep::Verification));
        let e = g
            .apply(pass_action(IdentStep::Enrolment, d(7, 2)), &county, d(7, 2))
            .unwrap_err();
        assert_eq!(e.code, RefusalCode::OutOfOrder);
        // and a refusal afterwards stops the assistance
        let r = g
            .apply(
                fail_action(IdentStep::Verification, d(7, 2)).unwrap(),
                &actor(Role::VillageTeam),
                d(7, 2),
            )
            .unwrap();
        assert!(!r.assistance_allowed());
        assert_eq!(
            r.apply(open(), &county, d(7, 3)).unwrap_err().code,
            RefusalCode::Finished
        );
        // configurable risks
        let rules = IdentificationRules {
            green_channel_risks: vec![RiskType::Illness],
            ..IdentificationRules::default()
        };
        let s =
            Identification::start("H1", vec![RiskType::Illness], rules, &town, d(7, 1)).unwrap();
        assert!(s.apply(open(), &town, d(7, 1)).is_ok());
    }

    #[test]
    fn time_limit_in_working_days() {
        let cal = WorkCalendar::weekdays_only();
        // started Friday 2022-06-10: 20 working days end Friday 07-08
        let s = started(d(6, 10), vec![RiskType::Illness]);
        assert_eq!(s.deadline(&cal), d(7, 8));
        assert!(!s.is_overdue(d(7, 8), &cal));
        assert!(s.is_overdue(d(7, 9), &cal));
        assert_eq!(s.working_days_used(d(7, 8), &cal), 20);
        // a holiday pushes it by one working day
        let dragon = WorkCalendar::new([d(6, 13)], []);
        assert_eq!(s.deadline(&dragon), d(7, 11));
        assert!(!s.is_overdue(d(7, 10), &dragon));
        // a 1-working-day limit started on Friday ends on Monday
        let rules = IdentificationRules {
            time_limit_working_days: 1,
            ..IdentificationRules::default()
        };
        let s = Identification::start(
            "H1",
            vec![RiskType::Illness],
            rules,
            &actor(Role::VillageTeam),
            d(6, 10),
        )
        .unwrap();
        assert_eq!(s.deadline(&cal), d(6, 13));
        assert!(!s.is_overdue(d(6, 12), &cal) && !s.is_overdue(d(6, 13), &cal));
        assert!(s.is_overdue(d(6, 14), &cal));
        // an ended procedure is never overdue; late completion is reported
        let done = run_to(d(6, 10), 8); // entered 06-22
        assert!(!done.is_overdue(d(12, 31), &cal));
        assert!(!done.finished_late(&cal));
        assert_eq!(done.working_days_used(d(12, 31), &cal), 8);
        let mut late = done.clone();
        late.status = IdentStatus::Enrolled { on: d(7, 11) };
        assert!(late.finished_late(&cal));
    }

    /// Fuzzing input: a step choice (mostly the expected next one), a role
    /// (mostly an allowed one), days to advance, and whether to decide 不通过.
    fn arb_moves() -> impl Strategy<Value = Vec<(u8, u8, u8, u8)>> {
        proptest::collection::vec((0u8..16, 0u8..10, 0u8..4, 0u8..20), 0..40)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]

        /// No sequence of actions skips a step; a refused action leaves the state
        /// as it was; entry means all eight steps passed.
        #[test]
        fn no_step_is_ever_skipped(moves in arb_moves(), flood in any::<bool>()) {
            let start = d(6, 1);
            let risks = if flood { vec![RiskType::DisasterFlood] } else { vec![RiskType::Illness] };
            let mut s = started(start, risks);
            let mut on = start;
            for (choice, role_pick, advance, fail) in moves {
                on = on + Days::new(u64::from(advance) * 2);
                let step = match (choice, s.next_step()) {
                    (0..=9, Some(n)) => n,
                    (c, _) => IdentStep::ALL[usize::from(c) % IdentStep::ALL.len()],
                };
                let action = if choice == 15 {
                    IdentAction::OpenGreenChannel { reason: "洪灾".into() }
                } else if fail == 0 {
                    fail_action(step, on).unwrap_or_else(|| pass_action(step, on))
                } else {
                    pass_action(step, on)
                };
                let role = if role_pick < 7 {
                    step.roles()[0]
                } else {
                    Role::ALL[usize::from(role_pick) % Role::ALL.len()]
                };
                let before = s.clone();
                match s.apply(action, &actor(role), on) {
                    Ok(n) => s = n,
                    Err(_) => prop_assert_eq!(&s, &before),
                }
                // invariant: the steps taken are exactly a prefix of the procedure
                for (i, r) in s.steps.iter().enumerate() {
                    prop_assert_eq!(r.step, IdentStep::ALL[i]);
                    prop_assert!(r.step.roles().contains(&r.actor.role));
                    if i + 1 < s.steps.len() {
                        prop_assert_eq!(r.result, StepResult::Pass);
                        prop_assert!(r.on <= s.steps[i + 1].on);
                    }
                }
                if s.is_enrolled() {
                    prop_assert_eq!(s.steps.len(), IdentStep::ALL.len());
                    prop_assert!(s.steps.iter().all(|r| r.result == StepResult::Pass));
                    prop_assert!(s.outcome().is_some());
                }
                if let IdentStatus::Refused { step, .. } = &s.status {
                    prop_assert_eq!(s.steps.last().map(|r| r.step), Some(*step));
                }
                if s.green_channel.is_some() {
                    prop_assert!(flood);
                }
            }
        }
    }
}
