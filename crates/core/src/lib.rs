//! # shouwang-core 守望核心
//!
//! The domain of Shouwang, the system for dynamic monitoring and assistance to
//! prevent return to poverty (防止返贫动态监测和帮扶). Pure Rust: no I/O, no async,
//! no database. Every rule that decides something about a household lives here,
//! and the store, web, screening and CLI crates call it.
//!
//! Section references such as `§三(一)1` point into the 2022 township action plan
//! (兴县圪塔上乡《巩固拓展脱贫攻坚成果同乡村振兴有效衔接》实施方案) that the system
//! implements; "national practice" refers to the common county procedures that the
//! plan relies on without spelling out.
//!
//! Modules:
//! - [`idnum`]: resident ID number 居民身份证号码 (GB 11643).
//! - [`money`]: amounts in 分 ([`money::Fen`]).
//! - [`codes`]: the national code lists as enums ([`codes::CodeList`]).
//! - [`region`]: administrative division codes 行政区划代码.
//! - [`household`]: households 农户 and members 家庭成员, and the whole-household rules.
//! - [`income`]: household income 家庭纯收入.
//! - [`mod@line`]: the monitoring line 防止返贫监测线.
//! - [`quality`]: data-quality checks 数据质量检查.
//! - [`duplicates`]: duplicate review 重复数据核查.
//! - [`access`]: roles and area scope 角色与数据范围.
//! - [`headers`]: the one table of column headers and aliases 表头别名, and the header normaliser.
//! - [`registry`]: registry files 农户信息台账 (columns, row validation, households from rows).
//! - [`monitoring`]: the lifecycle 监测帮扶 (clues, identification, measures, follow-up, exit).
//! - [`document`]: official documents 文书 as a small model (公示, 告知书, 入户核查表, 帮扶手册).
//! - [`ledger`]: the lifecycle ledgers 台账 as rows (监测对象, 帮扶措施, 月度监测, 风险消除, 线索).
//! - [`rules`]: the county's configurable rules 县级规则配置.
//! - [`project`]: the project library 项目库 and its payments 资金拨付 (B2).
//! - [`grid`]: grids 网格化管理 (B6).

#![forbid(unsafe_code)]
#![warn(missing_docs)]
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

pub mod access;
pub mod asset;
pub mod code_overrides;
pub mod codes;
pub mod document;
pub mod duplicates;
pub mod grid;
pub mod headers;
pub mod household;
pub mod idnum;
pub mod income;
pub mod indicators;
pub mod ledger;
pub mod line;
pub mod money;
pub mod monitoring;
pub mod project;
pub mod pv;
pub mod quality;
pub mod region;
pub mod register;
pub mod registry;
pub mod rules;
pub mod surname;
#[cfg(test)]
mod testing;
pub mod welfare_post;
pub mod workshop;

pub use access::{Role, Scope};
pub use codes::CodeList;
pub use household::{Household, HouseholdProblem, Member};
pub use idnum::{IdError, IdNumber};
pub use income::IncomeRecord;
pub use line::{CountyLine, LineInForce, LineStatus, LineTable, MonitoringLine};
pub use money::{Fen, MoneyError};
pub use quality::{Finding, QualityContext, Severity};
pub use region::{Region, RegionCode, RegionError};
