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
//! | [`problem`] | §三(四) | 问题台账: a 三保障 or water problem found, rectified with evidence, 销号 |
//! | [`screening_round`] | §三(一)1 二是 | 干部排查 rounds: one village, every household, on one day |
//! | [`case`] | §三(一) | 监测帮扶档案: the case record, its actions and the 帮扶手册 |
//! | [`command`] | — | 操作命令: what a client asks of a case, before the server adds its facts |
//! | `common` | — | what every step shares: [`Actor`], [`Refusal`], [`StepResult`], [`Meeting`] |
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
//! | 问题: 登记 | village team, cadre, township admin |
//! | 问题: 登记整改 | village team, township admin, county admin |
//! | 问题: 验收销号 | township admin, county admin |

pub mod cadre;
pub mod calendar;
pub mod case;
pub mod clue;
pub mod command;
mod common;
pub mod exit;
pub mod followup;
pub mod identification;
pub mod measures;
pub mod problem;
pub mod screening_round;
pub mod verification;

pub use cadre::{Cadre, CadreAction, CadreAssignments, CadreLevel};
pub use calendar::{CadenceRules, Quarter, WorkCalendar, YearMonth};
pub use case::{Case, CaseAction, HandbookEntry, Lifecycle, Section};
pub use clue::{Channel, Clue, ClueRules, Report, Source};
pub use command::{CadreCommand, Command, ExitCommand, VisitIncome};
pub use common::{Actor, Decision, Meeting, Refusal, RefusalCode, StepResult, date_zh};
pub use exit::{
    DeferredCategory, Exit, ExitAction, ExitBlocker, ExitCheck, ExitFacts, ExitNotice, ExitRules,
    ExitStatus, ExitStep, PreJudgment,
};
pub use followup::{FollowUp, FollowUpLog};
pub use identification::{
    IdentAction, IdentStatus, IdentStep, Identification, IdentificationRules, Outcome,
};
pub use measures::{Measure, MeasureAction, MeasurePlan, MeasureStatus};
pub use problem::{NewProblem, Problem, ProblemAction, ProblemStatus, ResponsibleUnit};
pub use screening_round::{RoundEntry, RoundProblem, ScreeningRound};
pub use verification::{Attachment, Signature, Standards, Verification};
