//! 监测帮扶档案: storage of the monitoring and assistance lifecycle (§三(一); docs/domain.md A1–A3).
//!
//! The rules are the core's ([`shouwang_core::monitoring`]): every action is
//! `case.apply(action, actor, on) -> Result<Case, Refusal>` on an immutable [`Case`]. This module keeps one
//! case per household as JSON with a version, and runs each action in one write transaction:
//!
//! 1. load the case inside the caller's area (another area:
//!    [`StoreError::Forbidden`](crate::StoreError::Forbidden); none: `NotFound`);
//! 2. compare the version (`StaleVersion`, nothing written);
//! 3. call the core rule; a [`Refusal`](shouwang_core::monitoring::Refusal) becomes
//!    [`StoreError::Refused`](crate::StoreError::Refused) and the transaction is rolled back;
//! 4. write the new JSON, the derived list columns, the follow-up months, `version + 1` and the audit row
//!    (before and after), and commit.
//!
//! The written exit notice 退出告知书 takes its sequence number from a per-county-and-year counter bumped in
//! the same transaction ([`issue_exit_notice`]): numbers are unique and, because a refused or failed notice
//! rolls the counter back with everything else, without gaps.
//!
//! Reads take a [`Scope`] and filter by area in SQL: [`get`], [`list`] (queues by lifecycle state, village,
//! channel, cadre), [`clues_waiting`] (线索 per village), [`workload`] (households per responsible cadre),
//! [`overdue_follow_ups`] (missing months), [`overdue_identifications`] (识别 past its time limit),
//! [`needs_cadre`] (明责任 gaps), [`prejudge`] (the quarterly 定期预判), [`notices`].
//! [`nominate_exit`] takes the pre-judgment facts from the registry, not from the caller.
//!
//! Cases per household, one after the other: a closed case (风险消除, 未纳入, [`Lifecycle::is_closed`])
//! stays as the record, and a new report through [`open`] starts the household's next case (sequence
//! `seq` 2, 3, …; unique `(county_code, household_number, seq)`). While a case is open, [`open`] refuses a
//! second one (`Conflict`: the report belongs in the open case, through [`apply`]). Only the latest case
//! is *current* (`is_current`, one per household by a partial unique index): [`get`], every write and
//! every list and queue work on current cases; [`history`] gives them all.
//!
//! Files: `reads.rs` (one case, its history, the paged list), `queues.rs` (工作台 queues and overdue
//! reads), `writes.rs` (open, apply, versioning), `notices.rs` (退出告知书 and their counter),
//! `prejudgment.rs` (定期预判 and 预判提名 from the registry), `attachments.rs`, `bulk.rs` (demo loads),
//! `derived.rs` (the list columns derived from a case) and `rows.rs` (row mapping).

mod attachments;
mod bulk;
mod derived;
mod notices;
mod prejudgment;
mod queues;
mod reads;
mod rows;
mod writes;

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use shouwang_core::monitoring::{Case, Channel, ExitStep, IdentStep, Lifecycle, YearMonth};

use super::Sql;

pub use attachments::{AttachmentRow, attachment, readable_attachment, register_attachment};
pub use bulk::BulkCase;
pub(crate) use bulk::insert_bulk;
pub use notices::{NoticeRequest, NoticeRow, issue_exit_notice, notices};
pub use prejudgment::{
    Candidate, ExitInputs, NominateRequest, exit_inputs, line_in_force, nominate_exit, prejudge,
};
pub use queues::{
    CadreLoad, VillageQueue, clues_waiting, current_records, needs_cadre, overdue_follow_ups,
    overdue_identifications, workload,
};
pub use reads::{CaseGroup, get, history, lifecycle_counts, list, tally};
pub(crate) use rows::case_record;
pub(crate) use writes::write_county;
pub use writes::{apply, apply_on, history_on, open, open_on};

/// A household's case as stored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CaseRecord {
    /// Row id (inside the county).
    pub id: i64,
    /// The household's case sequence: 1 for its first case, 2 for the one opened after that closed, …
    pub seq: i64,
    /// 县 code (6 digits).
    pub county_code: String,
    /// 行政村 code (12 digits).
    pub village_code: String,
    /// 户编号.
    pub household_number: String,
    /// 监测状态.
    pub lifecycle: Lifecycle,
    /// Optimistic-locking version (1 after opening, +1 per action).
    pub version: i64,
    /// The whole case.
    pub case: Case,
    /// UTC.
    pub created_at: DateTime<Utc>,
    /// UTC.
    pub updated_at: DateTime<Utc>,
}

/// One line of a case list (the derived columns, without the JSON).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CaseRow {
    /// 户编号.
    pub household_number: String,
    /// 行政村 code.
    pub village_code: String,
    /// 监测状态.
    pub lifecycle: Lifecycle,
    /// Channels of the case's clues (监测手段), in code-list order.
    pub channels: Vec<Channel>,
    /// Earliest 发现日期 of the clues.
    pub first_reported_on: NaiveDate,
    /// 识别 started.
    pub ident_started_on: Option<NaiveDate>,
    /// Next identification step while 识别中.
    pub ident_next_step: Option<IdentStep>,
    /// 纳入监测 date.
    pub monitored_since: Option<NaiveDate>,
    /// 风险消除 date.
    pub eliminated_on: Option<NaiveDate>,
    /// Next step of the running exit.
    pub exit_next_step: Option<ExitStep>,
    /// Current 帮扶责任人 (user id).
    pub cadre_user_id: Option<i64>,
    /// Current 帮扶责任人 (name).
    pub cadre_name: Option<String>,
    /// Latest month with a follow-up.
    pub last_follow_up_month: Option<YearMonth>,
    /// Version of the case.
    pub version: i64,
}

/// Filter of [`list`]; every `None` matches everything.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CaseQuery {
    /// 监测状态.
    pub lifecycle: Option<Lifecycle>,
    /// A region code (township, village) narrowing the scope's area.
    pub region: Option<String>,
    /// Cases with a clue from this channel.
    pub channel: Option<Channel>,
    /// Cases whose current responsible cadre is this user.
    pub cadre_user_id: Option<i64>,
    /// Cases whose next identification step (识别程序) is one of these; `Some(vec![])` matches none.
    pub ident_steps: Option<Vec<IdentStep>>,
    /// Cases whose running exit's next step (退出程序) is one of these; `Some(vec![])` matches none.
    pub exit_steps: Option<Vec<ExitStep>>,
}

// ---------------------------------------------------------------------------------------------------------
// Current cases.

/// ` AND c.is_current = TRUE`: the household's latest case only (lists and queues).
fn push_current(sql: &mut Sql) {
    sql.push(" AND c.is_current = ").bind(true);
}
