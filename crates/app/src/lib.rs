//! # shouwang-app 守望应用层
//!
//! The use cases of Shouwang: one function per operation, called alike by the web pages, the JSON API
//! and the command line, so that each operation has one implementation. A use case takes a
//! [`Caller`] (who acts, with role and area), checks what the core's rules need, and runs its storage
//! steps through `shouwang-store`'s repositories — in one write transaction where it writes.
//!
//! | module | what |
//! | --- | --- |
//! | [`caller`] | who acts ([`Caller`]) and the day ([`today`]) |
//! | [`households`] | 户情变更: a household's changes between imports (members join and leave, the head, a member's or the household's fields) |
//! | [`lifecycle`] | the monitoring and assistance lifecycle: commands on a case, the one way a report is filed, queues, calendar |
//! | [`quality`] | the data-quality problem list |
//! | [`screening`] | department-data screening rounds and 干部排查 rounds |
//! | [`attachments`] | uploaded evidence files (content-addressed) |
//! | [`dashboard`] | the figures of the 数据看板 |
//! | [`imports`] | the registry import from a spreadsheet |
//! | [`income`] | yearly income records 收支测算: read, preview, write, and the income rule |
//! | [`ledgers`], [`documents`] | the ledgers 台账 (XLSX) and official documents 文书 (DOCX, HTML) |
//! | [`jobs`] | long work as background jobs with progress |
//! | [`error`] | one error: kind, code, Chinese and English reason |
//! | [`audit`] | reading the audit log, ID numbers masked |
//! | [`regions`] | region names of an area |
//! | [`registers`] | the registers on the registry's households (低收入人口 …): scope, periodic records, overdue, figures |
//! | [`grids`] | 网格化管理: the grids of a village, their households, the coverage per village |
//! | [`users`] | who may grant which role over which area |
//! | [`views`] | the JSON shapes of the read models (API answers, CLI `--json`) |
//! | [`demo`] | the synthetic demo county |
//!
//! Rules live in `shouwang-core`, storage in `shouwang-store`, file formats in `shouwang-io`, the
//! screening engine in `shouwang-screen`; this crate composes them (ARCHITECTURE.md).

#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

pub mod assets;
pub mod attachments;
pub mod audit;
pub mod backup;
pub mod caller;
mod csv_out;
pub mod dashboard;
pub mod demo;
pub mod documents;
pub mod error;
pub mod grids;
pub mod households;
pub mod imports;
pub mod income;
pub mod indicators;
pub mod jobs;
pub mod ledgers;
pub mod lifecycle;
pub mod lines;
pub mod privacy;
pub mod problems;
pub mod projects;
pub mod pv;
pub mod quality;
pub mod regions;
pub mod registers;
pub mod screening;
pub mod uploads;
pub mod users;
pub mod views;
pub mod welfare_posts;
pub mod workshops;

pub use caller::{Caller, caller_by_username, today};
pub use error::{Error, Kind};
