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
//!
//! | file | holds |
//! | --- | --- |
//! | `steps.rs` | [`IdentStep`] with its roles, [`IdentAction`], the evidence, [`Outcome`] and [`IdentStatus`] |
//! | `procedure.rs` | [`Identification`]: start, the state machine [`Identification::apply`], deadline and overdue |
//! | `green_channel.rs` | 绿色通道: [`GreenChannel`] and who may open it for which risks |
//! | `rules.rs` | [`IdentificationRules`], configured by the county |
//! | `tests.rs` | the tests of all of the above |

mod green_channel;
mod procedure;
mod rules;
mod steps;
#[cfg(test)]
pub(crate) mod tests;

pub use green_channel::{GREEN_CHANNEL_ROLES, GreenChannel};
pub use procedure::{Identification, START_ROLES};
pub use rules::{IdentificationRules, MIN_PUBLICITY_DAYS};
pub use steps::{IdentAction, IdentEvidence, IdentRecord, IdentStatus, IdentStep, Outcome};
