//! Registry files: import and export (农户信息台账导入导出).
//!
//! [`import`] stores the households a registry file gave (`shouwang_core::registry::Assembled`, read by
//! `shouwang-io`): new households are created, existing ones (same 户编号 in the county) updated, members
//! matched by ID number. A household of the file is the whole household: members the database has and the
//! file does not are removed, and a member listed under another household of the same file moves there.
//! Nothing is written for a household that did not change (no version bump, no audit row), so importing
//! the same file twice changes nothing the second time.
//!
//! Everything happens in **one transaction**. A household the database cannot take (outside the user's
//! area; an ID number registered in a household the file does not touch; a new region without a name) is
//! rejected with a [`Problem`] at its row, like the file's own problems; by default the other households
//! are committed, with [`ImportOptions::all_or_nothing`] nothing is when anything was rejected, and with
//! [`ImportOptions::dry_run`] nothing ever is (the report says what would have happened).
//!
//! **Streaming** ([`Importer`]): while the file is still being read, households the reader has finished
//! (`Assembler::take_ready`) that are new to the database are written at once ([`Importer::early`]), so the
//! database works while the reader parses. When the file is complete ([`Importer::finish`]) a household
//! written early that later rows changed, or that the whole-file checks rejected (an ID number in two
//! households), is deleted again inside the transaction (with its audit row) and handled with the rest;
//! regions created for households that end up rejected are removed.
//!
//! The **收支情况** rows (`Assembled::incomes`) are checked and written after the households, each by itself
//! (`incomes.rs`): a row whose household the import rejects, that is nowhere (neither in the file nor in
//! the database) or outside the user's area, or whose year has no monitoring line, is rejected with its
//! problem; the others are inserted, replaced or left alone by (household, 年度).
//!
//! Audit (审计): one row per household created or changed (`create` / `update`, entity `household`, with the
//! file, sheet and row it came from; an update also with the values before and after), one per income
//! record created or changed (entity `income_record`, id `户编号/年度`, the same way), one per region
//! created, and a summary row (`import`, entity `registry_import`) when anything changed. A household
//! written early gets its `create` row at once.
//!
//! A large import on SQLite switches the transaction to [`BulkMode`](bulk_mode::BulkMode) (the 姓氏 trigger
//! suspended, a larger page cache, on a new database some indexes built at the end). The first import into
//! an empty registry through a one-connection `Db` (`Db::connect_alone`: the command line) writes with a
//! rollback journal instead of the WAL when no other connection has the database open
//! ([`Db::rollback_journal`]).
//!
//! On SQLite new households, members and their audit rows are inserted with prepared one-row statements
//! executed in a loop on the transaction's own connection ([`crate::sqlite_direct`]: no round trip to
//! sqlx's worker thread per statement, no copies of the values before SQLite's own); PostgreSQL uses the
//! entities' multi-row inserts.
//!
//! [`export`] reads the registry of an area back, household by household in 户编号 order, with the
//! region names ([`export_with_incomes`] also with the income records), for the export workbook.
//!
//! A member the household change recorded as dead or moved out (减员, `former_members`) whom an older file
//! still lists in that household is not added back: his row is refused with its problem and the rest of the
//! household imported, if it still keeps the registry's rules (`departed.rs`).
//!
//! Files: `importer.rs` (the import in progress, its scope checks and lookups, the early writes),
//! `finish.rs` (the end of an import: checks, diffs, writes, audit, commit), `incomes.rs` (the 收支情况
//! rows), `writes.rs` (the import's inserts and updates), `regions.rs` (regions created from the file's
//! names), `moves.rs` (members moving between households), `departed.rs` (former members in an older
//! file), `diff.rs` (what changes in an existing household), `bulk_mode.rs` and `sqlite_rows.rs` (the
//! SQLite fast path of a large import), `phases.rs` (phase times) and `export.rs`.

mod bulk_mode;
mod departed;
mod diff;
mod export;
mod finish;
mod importer;
mod incomes;
mod moves;
mod phases;
mod regions;
mod sqlite_rows;
mod writes;

use serde::Serialize;
use shouwang_core::Scope;
use shouwang_core::registry::values::Reason;
use shouwang_core::registry::{Assembled, Problem, ReadStats, RegistryEntry};

use super::Actor;
use crate::db::Db;
use crate::entity::households;
use crate::error::Result;

pub use export::{export, export_with_incomes, head_name};
pub use importer::Importer;

/// Rows per multi-row `INSERT` through the entities (members: 22 columns → 22,000 parameters).
const CHUNK: usize = 1000;
/// Keys per `IN (…)` list.
const IN_CHUNK: usize = 500;

/// How to import.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ImportOptions {
    /// Check everything, write nothing (预检).
    pub dry_run: bool,
    /// Write nothing if any household is rejected (全部成功才导入).
    pub all_or_nothing: bool,
    /// The file name, recorded in the audit log.
    pub source: String,
}

/// What an import did (or, in a dry run, would do).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ImportReport {
    /// Counts of the file.
    pub read: ReadStats,
    /// Households accepted by the file checks.
    pub households_in_file: u64,
    pub households_created: u64,
    pub households_updated: u64,
    pub households_unchanged: u64,
    pub members_added: u64,
    pub members_updated: u64,
    pub members_removed: u64,
    pub regions_created: u64,
    /// Households rejected (by the file checks or by the database checks).
    pub rejected_households: u64,
    /// 收支情况 rows accepted by the file checks.
    pub incomes_in_file: u64,
    /// Income records created, replaced (a changed year) and left unchanged.
    pub incomes_created: u64,
    pub incomes_updated: u64,
    pub incomes_unchanged: u64,
    /// 收支情况 rows rejected (by the file checks or by the database checks).
    pub rejected_income_rows: u64,
    /// The 年度 of the income records created or replaced (ascending, each once): the years the income
    /// review (收支测算比对) looks at again after the import.
    pub income_years: Vec<i32>,
    /// Households written while the file was still being read (streaming).
    pub written_early: u64,
    /// Of those, households deleted again at the end (later rows changed them, or they were rejected).
    pub undone_early: u64,
    /// Every problem, by sheet and row.
    pub problems: Vec<Problem>,
    /// Whether the changes were committed.
    pub committed: bool,
    /// A dry run.
    pub dry_run: bool,
}

impl ImportReport {
    /// Nothing rejected.
    pub fn is_clean(&self) -> bool {
        self.problems.is_empty()
    }

    /// Records created or changed (0 after a run that changed nothing).
    pub fn changes(&self) -> u64 {
        self.households_created
            + self.households_updated
            + self.regions_created
            + self.incomes_created
            + self.incomes_updated
    }
}

fn reason(zh: impl Into<String>, en: impl Into<String>) -> Reason {
    Reason::new(zh, en)
}

/// Imports the households of a read file in one go (no streaming): [`Importer::begin`] then
/// [`Importer::finish`]. `scope`: the importing user's (writes only inside its area); `None` for the
/// system (the command line without `--user`). `progress(done, total)` counts households.
pub async fn import(
    db: &Db,
    actor: &Actor,
    scope: Option<&Scope>,
    assembled: Assembled,
    options: &ImportOptions,
    progress: &dyn Fn(u64, u64),
) -> Result<ImportReport> {
    Importer::begin(db, actor, scope, options)
        .await?
        .finish(assembled, progress)
        .await
}

/// A household of the file with what the database says about it.
struct Item {
    entry: RegistryEntry,
    county: String,
    /// The existing household row.
    existing: Option<households::Model>,
    /// Problems that reject the household.
    problems: Vec<Problem>,
    /// Member rows refused while the rest of the household is imported (a former member, `departed.rs`).
    refused_members: Vec<Problem>,
}

impl Item {
    fn new(entry: RegistryEntry) -> Item {
        Item {
            county: entry.household.village.county().to_owned(),
            entry,
            existing: None,
            problems: Vec::new(),
            refused_members: Vec::new(),
        }
    }

    fn rejected(&self) -> bool {
        !self.problems.is_empty()
    }
}

/// Drops `value` on a blocking thread of the tokio runtime (here when there is none).
fn drop_elsewhere<T: Send + 'static>(value: T) {
    match tokio::runtime::Handle::try_current() {
        Ok(rt) => {
            rt.spawn_blocking(move || drop(value));
        }
        Err(_) => drop(value),
    }
}
