//! The database handle (数据库连接): SQLite (default, bundled) or PostgreSQL, picked from the URL scheme.

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use sea_orm::sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqliteSynchronous};
use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DatabaseTransaction, DbBackend,
    SqliteTransactionMode, TransactionOptions, TransactionTrait,
};
use sea_orm_migration::MigratorTrait;

use crate::crypto::{Keys, keyfile};
use crate::error::{Result, StoreError};
use crate::migration::Migrator;
use shouwang_core::region::Region;

/// [`Db::optimize`] on SQLite: `ANALYZE` of every table whose statistics are missing or whose size changed
/// tenfold (0x10002), each index sampled with SQLite's own analysis limit (0x10, as `PRAGMA optimize` does by
/// default and SQLite recommends): a few thousand rows of an index tell the planner as much as all of them,
/// at a fraction of the time after a large import.
pub(crate) const OPTIMIZE_SQLITE: &str = "PRAGMA optimize=0x10012";

/// File name of the SQLite database inside the data directory.
pub const SQLITE_FILE: &str = "shouwang.db";

/// `sqlite://DATA_DIR/shouwang.db?mode=rwc` (create the file if missing).
pub fn sqlite_url(data_dir: &Path) -> String {
    format!("sqlite://{}?mode=rwc", data_dir.join(SQLITE_FILE).display())
}

/// A connection pool to the store's database. Cheap to clone (the pool and the caches are shared).
#[derive(Clone, Debug)]
pub struct Db {
    conn: DatabaseConnection,
    backend: DbBackend,
    regions: Arc<RegionCache>,
    /// The per-county constants every page reads, cached while their version holds ([`crate::constants`]).
    constants: Arc<crate::constants::Constants>,
    /// A one-connection pool ([`Db::connect_alone`]).
    alone: bool,
    /// The data key ring (SM4 at rest, blind indexes; [`crate::crypto`]).
    keys: Keys,
    /// The key file the ring was read from (`None`: `SHOUWANG_DATA_KEY`, or no key).
    key_file: Option<Arc<std::path::PathBuf>>,
    /// The URL connected to, for the PostgreSQL client programs of a backup (`backup`).
    url: Arc<ConnUrl>,
    /// Statements sent through this pool so far, counted only with the `testing` feature
    /// ([`Db::statements`]): the query-count tests bound each page's statements with it.
    statements: Arc<StatementCount>,
}

/// The statements a pool sent (feature `testing`): how many, and the text of the latest ones.
#[derive(Debug, Default)]
pub(crate) struct StatementCount {
    count: std::sync::atomic::AtomicU64,
    /// The SQL of the last statements (at most 200), for a failing query-count test to show.
    #[cfg(feature = "testing")]
    recent: Mutex<std::collections::VecDeque<String>>,
}

/// A database URL, kept out of `Debug` output (it may hold a password).
pub(crate) struct ConnUrl(pub(crate) String);

impl std::fmt::Debug for ConnUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ConnUrl(…)")
    }
}

/// How long a cached list of divisions (行政区划) is used before it is read again. Writes through this
/// `Db` clear the cache at once; the time limit bounds how long a write by another process (a CLI import
/// while the server runs) stays unseen.
const REGION_CACHE_TTL: Duration = Duration::from_secs(30);

/// The divisions under an area prefix, as last read (`repo::regions::list_under`). Every registry page
/// shows the area's villages as a filter; reading the county's ~1,400 divisions row by row on every
/// request cost more than the search itself.
#[derive(Debug, Default)]
pub(crate) struct RegionCache {
    entries: Mutex<HashMap<String, CachedRegions>>,
}

/// When a division list was read, and the list.
type CachedRegions = (Instant, Arc<Vec<Region>>);

impl Db {
    /// The cached divisions under `prefix`, if read less than [`REGION_CACHE_TTL`] ago.
    pub(crate) fn cached_regions(&self, prefix: &str) -> Option<Arc<Vec<Region>>> {
        let entries = self.regions.entries.lock().ok()?;
        let (at, list) = entries.get(prefix)?;
        (at.elapsed() < REGION_CACHE_TTL).then(|| Arc::clone(list))
    }

    /// Remembers the divisions under `prefix` (a few hundred areas at most are kept).
    pub(crate) fn cache_regions(&self, prefix: &str, list: Arc<Vec<Region>>) {
        if let Ok(mut entries) = self.regions.entries.lock() {
            if entries.len() >= 512 {
                entries.clear();
            }
            entries.insert(prefix.to_owned(), (Instant::now(), list));
        }
    }

    /// Forgets every cached division list (and the constants, whose defaults name the county); called
    /// after a committed write to `regions`.
    pub(crate) fn forget_regions(&self) {
        if let Ok(mut entries) = self.regions.entries.lock() {
            entries.clear();
        }
        self.forget_constants();
    }

    /// The cached per-county constants ([`crate::constants`]).
    pub(crate) fn constants(&self) -> &crate::constants::Constants {
        &self.constants
    }
}

impl Db {
    /// Connects to `sqlite://PATH?mode=rwc` or `postgres://…` (also `postgresql://`).
    ///
    /// The data key ring ([`crate::crypto`]) is the one of `SHOUWANG_DATA_KEY` if it is set, else, for a
    /// SQLite file, of the key file `shouwang.key` beside it (created on the first start, 0600); an
    /// in-memory database gets a fresh key; a PostgreSQL database has none until [`Db::with_keys`].
    ///
    /// A new SQLite database has 16 KiB pages. SQLite connections are set to WAL journal mode,
    /// `foreign_keys = ON`, `busy_timeout = 5 s`, `synchronous = NORMAL`, a 32 MiB page cache and
    /// in-memory temp tables, in serialized mode, each
    /// recording its handle for `sqlite_direct` when it opens; the pool has 8 connections
    /// (WAL lets readers run beside the one writer; writers take the lock at `BEGIN IMMEDIATE`, see
    /// [`Db::begin_write`]).
    pub async fn connect(url: &str) -> Result<Db> {
        Db::open_pool(url, false).await
    }

    /// Connects like [`Db::connect`], with a pool of one connection: for a command-line run that does one
    /// thing at a time (`shouwang import registry`). On a SQLite file such a `Db` may write a large first
    /// import with a rollback journal instead of the WAL ([`Db::rollback_journal`]). Nothing may use the
    /// `Db` while a transaction of it is open (the second acquire would wait for the first).
    pub async fn connect_alone(url: &str) -> Result<Db> {
        Db::open_pool(url, true).await
    }

    async fn open_pool(url: &str, alone: bool) -> Result<Db> {
        let url = url.trim();
        let mut opts = ConnectOptions::new(url.to_owned());
        opts.sqlx_logging(false);
        let from_env = std::env::var_os(keyfile::KEY_ENV).is_some();
        let mut keys = Keys::default();
        let mut key_file = None;
        let backend = if url.starts_with("sqlite:") {
            // Validate the URL here so a bad one is `Invalid`, not a connection error.
            let parsed = url.parse::<SqliteConnectOptions>().map_err(|e| {
                StoreError::invalid(
                    format!("SQLite 数据库地址“{url}”有误：{e}"),
                    format!("Bad SQLite URL {url:?}: {e}"),
                )
            })?;
            // An in-memory database exists once per connection: one connection, or each would see its own.
            let in_memory = url.contains(":memory:") || url.contains("mode=memory");
            if in_memory && !from_env {
                keys = Keys::generate()?;
            } else if !from_env {
                let dir = parsed.get_filename().parent().unwrap_or(Path::new("."));
                let path = dir.join(keyfile::KEY_FILE);
                keys = keyfile::load_file(&path)?;
                key_file = Some(Arc::new(path));
            }
            opts.max_connections(if in_memory || alone { 1 } else { 8 })
                .min_connections(1)
                .acquire_timeout(Duration::from_secs(30))
                .map_sqlx_sqlite_opts(|o| {
                    // A new database gets 16 KiB pages (SQLite's default is 4 KiB; an existing database
                    // keeps its own): a registry import writes and commits about 10 % faster
                    // (inserting and indexing the bench import's 100,000 people into an empty database:
                    // 0.64-0.69 s against 0.73-0.88 s), and a page still holds only ~70 member rows.
                    o.page_size(16384)
                        .journal_mode(SqliteJournalMode::Wal)
                        .foreign_keys(true)
                        .busy_timeout(Duration::from_secs(5))
                        .synchronous(SqliteSynchronous::Normal)
                        .pragma("cache_size", "-32768")
                        .pragma("temp_store", "MEMORY")
                        // Serialized mode: SQLite locks the connection in every call, which the direct
                        // writes of `sqlite_direct` rely on.
                        .serialized(true)
                })
                .map_sqlx_sqlite_pool_opts(|o| {
                    o.after_connect(|conn, _| {
                        Box::pin(async move { crate::sqlite_direct::record_handle(conn).await })
                    })
                });
            DbBackend::Sqlite
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            opts.max_connections(16)
                .min_connections(1)
                .acquire_timeout(Duration::from_secs(30));
            DbBackend::Postgres
        } else {
            return Err(StoreError::invalid(
                format!("不支持的数据库地址“{url}”：请使用 sqlite://路径?mode=rwc 或 postgres://…"),
                format!(
                    "Unsupported database URL {url:?}: use sqlite://PATH?mode=rwc or postgres://…"
                ),
            ));
        };
        if from_env {
            keys = keyfile::load(Path::new("."))?.0;
        }
        #[allow(unused_mut)]
        let mut conn = Database::connect(opts).await?;
        let statements = Arc::new(StatementCount::default());
        #[cfg(feature = "testing")]
        {
            let counter = Arc::clone(&statements);
            conn.set_metric_callback(move |info| {
                counter
                    .count
                    .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                if let Ok(mut recent) = counter.recent.lock() {
                    if recent.len() >= 200 {
                        recent.pop_front();
                    }
                    recent.push_back(info.statement.sql.clone());
                }
            });
        }
        Ok(Db {
            statements,
            keys,
            key_file,
            conn,
            backend,
            regions: Arc::default(),
            constants: Arc::default(),
            alone,
            url: Arc::new(ConnUrl(url.to_owned())),
        })
    }

    /// Applies every pending migration, then inserts the plan's default monitoring lines that are missing
    /// (`repo::lines::seed_defaults`), and on a database never indexed with a data key turns the former
    /// packed ID keys into blind indexes (`repo::keys::index_once`). Idempotent.
    pub async fn migrate(&self) -> Result<()> {
        Migrator::up(&self.conn, None).await?;
        crate::repo::lines::seed_defaults(self).await?;
        crate::repo::keys::check_opens(self).await?;
        crate::repo::keys::index_once(self).await?;
        Ok(())
    }

    /// This database with the key ring `keys` (a PostgreSQL database: the ring of the command line's
    /// data folder, `keyfile::load`).
    pub fn with_keys(mut self, keys: Keys) -> Db {
        self.keys = keys;
        self
    }

    /// This database with the key ring `keys` read from `source` ([`keyfile::load`]).
    pub fn with_key_source(mut self, keys: Keys, source: keyfile::KeySource) -> Db {
        self.keys = keys;
        self.key_file = match source {
            keyfile::KeySource::File(path) => Some(Arc::new(path)),
            keyfile::KeySource::Env => None,
        };
        self
    }

    /// The key file the ring was read from; `None` when it came from `SHOUWANG_DATA_KEY`.
    pub fn key_file(&self) -> Option<&Path> {
        self.key_file.as_deref().map(|p| p.as_path())
    }

    /// The data key ring.
    pub fn keys(&self) -> &Keys {
        &self.keys
    }

    /// The underlying SeaORM connection (for read-only queries outside the repositories; writes go through
    /// `repo::…` so that they are audited).
    pub fn conn(&self) -> &DatabaseConnection {
        &self.conn
    }

    /// The URL this pool connected to (with its password, if any).
    pub(crate) fn url(&self) -> &str {
        &self.url.0
    }

    /// A one-connection pool ([`Db::connect_alone`]).
    pub(crate) fn alone(&self) -> bool {
        self.alone
    }

    /// How many statements this pool (and its clones) has sent to the database: SeaORM's metric hook counts
    /// every statement, inside transactions too (`BEGIN`/`COMMIT` are not statements of its own). Only with
    /// the `testing` feature; otherwise always 0. The query-count tests take the difference around a request.
    pub fn statements(&self) -> u64 {
        self.statements
            .count
            .load(std::sync::atomic::Ordering::Relaxed)
    }

    /// The SQL of the last `n` statements (at most 200 are kept), oldest first (feature `testing`).
    #[cfg(feature = "testing")]
    pub fn recent_statements(&self, n: usize) -> Vec<String> {
        self.statements
            .recent
            .lock()
            .map(|r| r.iter().skip(r.len().saturating_sub(n)).cloned().collect())
            .unwrap_or_default()
    }

    /// SQLite or PostgreSQL.
    pub fn backend(&self) -> DbBackend {
        self.backend
    }

    /// Starts a write transaction. On SQLite it is `BEGIN IMMEDIATE`, so the write lock is taken (waiting up
    /// to the busy timeout) before the first read of the transaction: a read-then-write transaction can then
    /// never fail half-way with `SQLITE_BUSY` because another connection committed in between.
    pub async fn begin_write(&self) -> Result<DatabaseTransaction> {
        let tx = self
            .conn
            .begin_with_options(TransactionOptions {
                sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
                ..Default::default()
            })
            .await?;
        Ok(tx)
    }

    /// Switches a SQLite database file from the WAL to a rollback journal (`DELETE`) for the next
    /// transaction, if this `Db` is a one-connection pool ([`Db::connect_alone`]) and no other connection,
    /// of this process or another, has the database open (SQLite refuses the switch otherwise: `Ok(false)`,
    /// and the transaction uses the WAL as usual). Until [`Db::restore_wal`], `synchronous` is `FULL`, as
    /// SQLite advises for a rollback journal.
    ///
    /// Why: with the WAL every page of a transaction is written twice, to the WAL and then by the checkpoint
    /// to the database file, and read back in between. A rollback journal keeps only the pages that existed
    /// before the transaction; those it adds to the end of the file are written once. For the first import
    /// of a county's registry into a new database that is all of them: the bench import's 71 MB commit
    /// went from ≈ 0.5 s of mostly kernel time to ≈ 0.2 s (`bench/import.sh`).
    ///
    /// Crash safety is SQLite's as ever: a hot journal left by a crash is rolled back at the next open,
    /// and every connection [`Db::connect`] opens asks for the WAL again.
    pub(crate) async fn rollback_journal(&self) -> Result<bool> {
        if !self.alone || self.backend != DbBackend::Sqlite {
            return Ok(false);
        }
        let mode = match self.journal_mode("DELETE").await {
            Ok(mode) => mode,
            Err(e) => {
                // "database is locked": another connection has the database open.
                tracing::debug!("rollback journal refused, the WAL stays: {e}");
                return Ok(false);
            }
        };
        // An in-memory database answers `memory` and stays as it is.
        if !mode.eq_ignore_ascii_case("delete") {
            return Ok(false);
        }
        if let Err(e) = self
            .conn
            .execute_unprepared("PRAGMA synchronous = FULL")
            .await
        {
            self.restore_wal().await?;
            return Err(e.into());
        }
        Ok(true)
    }

    /// Back to the WAL and `synchronous = NORMAL` after [`Db::rollback_journal`] (after the commit or
    /// rollback). If SQLite refuses (another process opened the database meanwhile and waits for it), the
    /// database stays in rollback-journal mode until the next connection asks for the WAL; that is logged,
    /// not an error: the transaction is over either way.
    pub(crate) async fn restore_wal(&self) -> Result<()> {
        self.conn
            .execute_unprepared("PRAGMA synchronous = NORMAL")
            .await?;
        match self.journal_mode("WAL").await {
            Ok(mode) if mode.eq_ignore_ascii_case("wal") => {}
            Ok(mode) => tracing::warn!("the database stays in journal mode {mode} for now"),
            Err(e) => tracing::warn!("the database stays in rollback-journal mode for now: {e}"),
        }
        Ok(())
    }

    /// `PRAGMA journal_mode = MODE`: the mode in force afterwards.
    async fn journal_mode(&self, mode: &str) -> Result<String> {
        let row = self
            .conn
            .query_one_raw(sea_orm::Statement::from_string(
                DbBackend::Sqlite,
                format!("PRAGMA journal_mode = {mode}"),
            ))
            .await?
            .ok_or_else(|| StoreError::internal("PRAGMA journal_mode returned no row"))?;
        Ok(row.try_get_by_index::<String>(0)?)
    }

    /// Refreshes the query planner's statistics (`PRAGMA optimize` / `ANALYZE`): run after a bulk load.
    pub async fn optimize(&self) -> Result<()> {
        let sql = match self.backend {
            DbBackend::Sqlite => OPTIMIZE_SQLITE,
            _ => "ANALYZE",
        };
        self.conn.execute_unprepared(sql).await?;
        Ok(())
    }

    /// Closes the pool (waits for connections to be returned).
    pub async fn close(self) -> Result<()> {
        self.conn.close().await?;
        Ok(())
    }
}
