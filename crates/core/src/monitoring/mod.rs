//! 防返贫动态监测和帮扶: the monitoring and assistance lifecycle of a household
//! (§三(一) of the plan; DOMAIN.md A1–A3).
//!
//! (Work in progress: the modules arrive one commit at a time.)

pub mod cadre;
pub mod calendar;
pub mod clue;
mod common;
pub mod exit;
pub mod followup;
pub mod identification;
pub mod measures;
pub mod verification;

pub use cadre::{Cadre, CadreAction, CadreAssignments, CadreLevel};
pub use calendar::{CadenceRules, Quarter, WorkCalendar, YearMonth};
pub use clue::{Channel, Clue, ClueRules, Report, Source};
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
pub use verification::{Attachment, Signature, Standards, Verification};
