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
//! | [`lifecycle`] | the monitoring and assistance lifecycle: commands on a case, the one way a report is filed, queues, calendar |
//! | [`screening`] | department-data screening rounds and 干部排查 rounds |
//! | [`attachments`] | uploaded evidence files (content-addressed) |
//! | [`demo`] | the synthetic demo county |
//!
//! Rules live in `shouwang-core`, storage in `shouwang-store`, file formats in `shouwang-io`, the
//! screening engine in `shouwang-screen`; this crate composes them (ARCHITECTURE.md).

#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

pub mod attachments;
pub mod caller;
pub mod demo;
pub mod lifecycle;
pub mod screening;

pub use caller::{Caller, caller_by_username, today};
