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
//! | E03 | 两不愁三保障 and drinking water secure at the latest follow-up, and no open 三保障 or water problem ([`ExitBlocker`]: the registry's own, [`registry_blockers`], and the problem ledger's) |
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
//!
//! | file | holds |
//! | --- | --- |
//! | `blockers.rs` | [`ExitBlocker`]: the 三保障 and water problems that keep a household from exit |
//! | `conditions.rs` | the conditions E01–E05, [`ExitFacts`], [`prejudge`] and its [`PreJudgment`] |
//! | `deferral.rs` | 缓退: [`DeferredCategory`] and which a household is in |
//! | `rules.rs` | [`ExitRules`], configured by the county |
//! | `steps.rs` | [`ExitStep`] with its roles, [`ExitCheck`], [`ExitAction`], the evidence and [`ExitStatus`] |
//! | `procedure.rs` | [`Exit`]: nomination and the state machine [`Exit::apply`] |
//! | `notice.rs` | 退出告知书: [`NoticeNumbering`], [`ExitNotice`] and its [`NoticeText`] |
//! | `tests.rs` | the tests of all of the above |

mod blockers;
mod conditions;
mod deferral;
mod notice;
mod procedure;
mod rules;
mod steps;
#[cfg(test)]
pub(crate) mod tests;

pub use blockers::{ExitBlocker, registry_blockers};
pub use conditions::{ExitCondition, ExitFacts, PreJudgment, Unmet, prejudge};
pub use deferral::DeferredCategory;
pub use notice::{ExitNotice, NoticeNumbering, NoticeText};
pub use procedure::Exit;
pub use rules::ExitRules;
pub use steps::{
    ExitAction, ExitCheck, ExitRecord, ExitStatus, ExitStep, ExitStepEvidence, WITHDRAW_ROLES,
};
