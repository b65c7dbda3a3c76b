//! 识别步骤: the eight steps in order with who may take each, the actions that
//! take them, the evidence each keeps ([`IdentEvidence`], with the 县级审定
//! [`Outcome`]), and where the procedure stands ([`IdentStatus`]).

use chrono::NaiveDate;

use crate::access::Role;
use crate::codes::{MonitoredType, RiskType, code_list};
use crate::household::MAX_RISKS;
use crate::monitoring::common::{Actor, Decision, Meeting, Refusal, StepResult};
use crate::monitoring::verification::Verification;

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
