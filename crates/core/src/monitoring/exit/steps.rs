//! 退出步骤: the steps of the exit procedure, who may take each, the actions
//! that take them, the evidence each keeps, and where an exit stands
//! ([`ExitStatus`]: in progress, 风险消除, 缓退, 未消除).

use chrono::NaiveDate;

use super::blockers::ExitBlocker;
use super::conditions::PreJudgment;
use super::deferral::DeferredCategory;
use super::notice::ExitNotice;
use crate::access::Role;
use crate::codes::{EliminationMode, code_list};
use crate::money::Fen;
use crate::monitoring::common::{Actor, Decision, Label, Meeting, StepResult};
use crate::monitoring::verification::Verification;

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
pub(super) const WITHDRAW: Label = ("终止退出程序", "Withdraw the exit");
pub(super) const EXIT: Label = ("退出程序", "Exit procedure");

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
        /// Its open 三保障 and water problems now (the registry's and the problem ledger's): a passing
        /// appraisal is refused while there is one (issue 22).
        #[serde(default)]
        blockers: Vec<ExitBlocker>,
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
    pub(super) fn step(&self) -> Option<ExitStep> {
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
