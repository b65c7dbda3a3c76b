//! The per-county constants every page reads (每次请求都要读的县级常量: 县级规则, 代码显示设置, 监测线), kept
//! in memory and dropped when their version changes (issue 26).
//!
//! How a change is seen, also by other processes on the same database (several servers on one
//! PostgreSQL, a command-line run beside the server): every write to those tables bumps a counter of
//! `constants_versions` ([`bump`]) in its own transaction; the session check (`repo::sessions::lookup`)
//! reads the sum of the counters in its one statement and hands it to [`Db::observe_constants`]. A sum
//! other than the one the cache was filled under empties the cache, so a request whose session check
//! runs after the write committed never sees the old value. A write through this `Db` also empties it
//! after its commit ([`Db::forget_constants`]), for the rest of the same request.
//!
//! Until a session check has reported a version (the command line, the application layer's tests), nothing
//! is cached and every read goes to the database, as before.

use std::collections::HashMap;
use std::sync::Mutex;

use sea_orm::ConnectionTrait;
use shouwang_core::LineTable;
use shouwang_core::codes::CodeOverrides;

use crate::db::Db;
use crate::error::Result;
use crate::repo::Sql;
use crate::repo::rules::RulesRecord;

/// The sum of every counter (0 without a row), as a column of the session check.
pub(crate) const VERSION_COLUMN: &str =
    "(SELECT CAST(COALESCE(SUM(v.version), 0) AS BIGINT) FROM constants_versions v)";

/// The scope of the constants every county shares (the provinces' lines and policies).
pub(crate) const SHARED: &str = "";

/// Bumps the counter of `scope` (a county's 6 digits, or [`SHARED`]) inside the write's transaction.
pub(crate) async fn bump(conn: &impl ConnectionTrait, scope: &str) -> Result<()> {
    let mut sql = Sql::new();
    sql.push("INSERT INTO constants_versions (scope, version) VALUES (")
        .bind(scope.to_owned())
        .push(", 1) ON CONFLICT (scope) DO UPDATE SET version = constants_versions.version + 1");
    conn.execute_raw(sql.build(conn.get_database_backend()))
        .await?;
    Ok(())
}

/// The cached constants (one per process, shared by the clones of a [`Db`]).
#[derive(Debug, Default)]
pub(crate) struct Constants {
    inner: Mutex<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    /// The version the entries belong to; `None`: none reported yet, nothing is cached.
    version: Option<i64>,
    /// Bumped whenever the entries are dropped: a value read from the database before a drop is not kept.
    generation: u64,
    rules: HashMap<String, RulesRecord>,
    codes: HashMap<String, CodeOverrides>,
    lines: Option<LineTable>,
}

impl Inner {
    fn clear(&mut self) {
        self.generation += 1;
        self.rules.clear();
        self.codes.clear();
        self.lines = None;
    }
}

/// Where a value read from the database may be kept: the generation when the read began.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Ticket(Option<u64>);

impl Db {
    fn with_constants<R>(&self, f: impl FnOnce(&mut Inner) -> R) -> Option<R> {
        self.constants().inner.lock().ok().map(|mut g| f(&mut g))
    }

    /// The version of the constants a session check read: entries of another version are dropped.
    pub(crate) fn observe_constants(&self, version: i64) {
        self.with_constants(|c| {
            if c.version != Some(version) {
                c.clear();
                c.version = Some(version);
            }
        });
    }

    /// Drops every cached constant; called after a committed write to one of them.
    pub(crate) fn forget_constants(&self) {
        self.with_constants(Inner::clear);
    }

    /// A ticket to keep what is read next (none while no version is known).
    fn ticket(&self) -> Ticket {
        Ticket(
            self.with_constants(|c| c.version.map(|_| c.generation))
                .flatten(),
        )
    }

    /// Keeps `f`'s change if nothing was dropped since `ticket` was taken.
    fn keep(&self, ticket: Ticket, f: impl FnOnce(&mut Inner)) {
        if let Some(generation) = ticket.0 {
            self.with_constants(|c| {
                if c.generation == generation {
                    f(c);
                }
            });
        }
    }

    /// The cached rules of `county`, or a ticket to keep them once read.
    pub(crate) fn cached_rules(&self, county: &str) -> std::result::Result<RulesRecord, Ticket> {
        self.with_constants(|c| c.rules.get(county).cloned())
            .flatten()
            .ok_or_else(|| self.ticket())
    }

    pub(crate) fn keep_rules(&self, ticket: Ticket, record: &RulesRecord) {
        self.keep(ticket, |c| {
            c.rules.insert(record.county_code.clone(), record.clone());
        });
    }

    /// The cached code settings of `county`, or a ticket to keep them once read.
    pub(crate) fn cached_codes(&self, county: &str) -> std::result::Result<CodeOverrides, Ticket> {
        self.with_constants(|c| c.codes.get(county).cloned())
            .flatten()
            .ok_or_else(|| self.ticket())
    }

    pub(crate) fn keep_codes(&self, ticket: Ticket, county: &str, codes: &CodeOverrides) {
        self.keep(ticket, |c| {
            c.codes.insert(county.to_owned(), codes.clone());
        });
    }

    /// The cached monitoring lines, or a ticket to keep them once read.
    pub(crate) fn cached_lines(&self) -> std::result::Result<LineTable, Ticket> {
        self.with_constants(|c| c.lines.clone())
            .flatten()
            .ok_or_else(|| self.ticket())
    }

    pub(crate) fn keep_lines(&self, ticket: Ticket, lines: &LineTable) {
        self.keep(ticket, |c| c.lines = Some(lines.clone()));
    }
}
