//! Test harness (feature `testing`): run a test body on a temp SQLite file and on a fresh PostgreSQL database.
//!
//! ```ignore
//! use shouwang_store::{Db, db_test};
//!
//! db_test!(fn counts_households(db: Db) {
//!     let n = db.conn().ping().await;
//!     assert!(n.is_ok());
//! });
//! ```
//!
//! expands into two `#[test]` functions, `counts_households_sqlite` and `counts_households_postgres`.
//! Each gets a migrated, empty database of its own:
//! - SQLite: a file in a fresh temporary directory, removed afterwards.
//! - PostgreSQL: a database `shouwang_test_…` created on the server at `SHOUWANG_TEST_PG_URL`
//!   (e.g. `postgres://postgres@127.0.0.1:55433/postgres`), dropped afterwards. If the variable is unset the
//!   test **fails** with a message to run `scripts/test.sh`, unless `SHOUWANG_SKIP_PG=1` (then the
//!   PostgreSQL half passes without running, saying so on stderr).
//!
//! The body may end in `()` or in a `Result<(), E: Debug>` (so `?` works). A panicking body still has its
//! database removed.

// A test harness: failing loudly (panicking) on a broken environment is its job.
#![allow(clippy::expect_used, clippy::panic)]

use std::future::Future;
use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};

use sea_orm::{ConnectOptions, ConnectionTrait, Database};

use crate::db::{Db, sqlite_url};

pub use pastey;

pub mod fixtures;

/// Environment variable naming the PostgreSQL server (an admin URL, database `postgres`) for tests.
pub const PG_URL_VAR: &str = "SHOUWANG_TEST_PG_URL";
/// Environment variable that, set to `1`, skips the PostgreSQL half of every `db_test!`.
pub const SKIP_PG_VAR: &str = "SHOUWANG_SKIP_PG";

/// What a test body may return.
pub trait TestOutcome {
    /// Panics (fails the test) on an error.
    fn check(self);
}

impl TestOutcome for () {
    fn check(self) {}
}

impl<E: std::fmt::Debug> TestOutcome for Result<(), E> {
    fn check(self) {
        if let Err(e) = self {
            panic!("test body returned an error: {e:?}");
        }
    }
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("tokio runtime for a db_test")
}

fn run_with<F, Fut, R>(rt: &tokio::runtime::Runtime, db: Db, f: F) -> std::thread::Result<R>
where
    F: FnOnce(Db) -> Fut,
    Fut: Future<Output = R>,
{
    catch_unwind(AssertUnwindSafe(|| rt.block_on(f(db))))
}

/// Runs `f` on a migrated database in a fresh temporary SQLite file.
pub fn run_sqlite<F, Fut, R>(f: F)
where
    F: FnOnce(Db) -> Fut,
    Fut: Future<Output = R>,
    R: TestOutcome,
{
    let rt = runtime();
    let dir = tempfile::tempdir().expect("temporary directory for a SQLite test database");
    let db = rt
        .block_on(async {
            let db = Db::connect(&sqlite_url(dir.path())).await?;
            db.migrate().await?;
            Ok::<_, crate::StoreError>(db)
        })
        .expect("create and migrate the SQLite test database");
    let outcome = run_with(&rt, db.clone(), f);
    let _ = rt.block_on(db.close());
    drop(dir);
    match outcome {
        Ok(r) => r.check(),
        Err(panic) => resume_unwind(panic),
    }
}

/// `url` with its database name replaced by `name` (query string kept).
pub fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let after_scheme = base.find("://").map(|i| i + 3).unwrap_or(0);
    let base = match base[after_scheme..].find('/') {
        Some(slash) => &base[..after_scheme + slash],
        None => base,
    };
    match query {
        Some(q) => format!("{base}/{name}?{q}"),
        None => format!("{base}/{name}"),
    }
}

async fn admin_exec(admin_url: &str, sql: &str) -> Result<(), sea_orm::DbErr> {
    let mut opts = ConnectOptions::new(admin_url.to_owned());
    opts.max_connections(1).sqlx_logging(false);
    let admin = Database::connect(opts).await?;
    let result = admin.execute_unprepared(sql).await.map(|_| ());
    let _ = admin.close().await;
    result
}

/// A second, empty PostgreSQL database on the server at `SHOUWANG_TEST_PG_URL` (a restore target, say),
/// dropped by [`ScratchPg::drop`].
pub struct ScratchPg {
    /// Its URL.
    pub url: String,
    admin: String,
    name: String,
}

impl ScratchPg {
    /// Creates the database (panics without `SHOUWANG_TEST_PG_URL`).
    pub async fn create() -> ScratchPg {
        let admin = std::env::var(PG_URL_VAR)
            .unwrap_or_else(|_| panic!("{PG_URL_VAR} is not set"))
            .trim()
            .to_owned();
        let name = format!(
            "shouwang_scratch_{}_{}",
            std::process::id(),
            crate::ids::new_id()
        );
        admin_exec(&admin, &format!("CREATE DATABASE \"{name}\""))
            .await
            .unwrap_or_else(|e| panic!("cannot create scratch database {name}: {e}"));
        ScratchPg {
            url: with_database(&admin, &name),
            admin,
            name,
        }
    }

    /// Drops the database (its connections closed by force).
    pub async fn drop(self) {
        let sql = format!("DROP DATABASE IF EXISTS \"{}\" WITH (FORCE)", self.name);
        if let Err(e) = admin_exec(&self.admin, &sql).await {
            eprintln!(
                "warning: could not drop scratch database {}: {e}",
                self.name
            );
        }
    }
}

/// Runs `f` on a migrated, fresh PostgreSQL database created on the server at `SHOUWANG_TEST_PG_URL`.
pub fn run_postgres<F, Fut, R>(f: F)
where
    F: FnOnce(Db) -> Fut,
    Fut: Future<Output = R>,
    R: TestOutcome,
{
    let admin_url = match std::env::var(PG_URL_VAR) {
        Ok(url) if !url.trim().is_empty() => url.trim().to_owned(),
        _ => {
            if std::env::var(SKIP_PG_VAR).as_deref() == Ok("1") {
                eprintln!("{SKIP_PG_VAR}=1: PostgreSQL half of this test skipped");
                return;
            }
            panic!(
                "{PG_URL_VAR} is not set, so this PostgreSQL test cannot run. Run the tests with \
                 scripts/test.sh (it starts a throwaway PostgreSQL and sets {PG_URL_VAR}), or point \
                 {PG_URL_VAR} at a server you own (e.g. postgres://postgres@127.0.0.1:55433/postgres), \
                 or set {SKIP_PG_VAR}=1 to skip PostgreSQL deliberately."
            );
        }
    };
    let name = format!(
        "shouwang_test_{}_{}",
        std::process::id(),
        crate::ids::new_id()
    );
    let rt = runtime();
    rt.block_on(admin_exec(
        &admin_url,
        &format!("CREATE DATABASE \"{name}\""),
    ))
    .unwrap_or_else(|e| {
        panic!("cannot create test database {name} on {PG_URL_VAR}={admin_url}: {e}")
    });
    let url = with_database(&admin_url, &name);
    let db = rt.block_on(async {
        // A PostgreSQL database has no key file: each test database gets a fresh data key.
        let db = Db::connect(&url).await?;
        let db = if db.keys().is_configured() {
            db
        } else {
            db.with_keys(crate::Keys::generate()?)
        };
        db.migrate().await?;
        Ok::<_, crate::StoreError>(db)
    });
    let outcome = match db {
        Ok(db) => {
            let outcome = run_with(&rt, db.clone(), f);
            let _ = rt.block_on(db.close());
            outcome
        }
        Err(e) => Err(Box::new(format!(
            "cannot connect to or migrate test database {url}: {e}"
        )) as Box<dyn std::any::Any + Send>),
    };
    if let Err(e) = rt.block_on(admin_exec(
        &admin_url,
        &format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"),
    )) {
        eprintln!("warning: could not drop test database {name}: {e}");
    }
    match outcome {
        Ok(r) => r.check(),
        Err(panic) => resume_unwind(panic),
    }
}

/// Defines a test run twice: `NAME_sqlite` on a temp SQLite file and `NAME_postgres` on a fresh PostgreSQL
/// database (see the [module docs](crate::testing)).
///
/// ```ignore
/// db_test!(fn my_test(db: Db) { /* async body using db */ });
/// db_test!(#[ignore] fn slow(db: Db) { /* … */ Ok::<(), StoreError>(()) });
/// ```
#[macro_export]
macro_rules! db_test {
    ($(#[$attr:meta])* $(async)? fn $name:ident($db:ident : $ty:ty) { $($body:tt)* }) => {
        $crate::testing::pastey::paste! {
            $(#[$attr])*
            #[test]
            fn [<$name _sqlite>]() {
                $crate::testing::run_sqlite(|$db: $ty| async move { $($body)* });
            }

            $(#[$attr])*
            #[test]
            fn [<$name _postgres>]() {
                $crate::testing::run_postgres(|$db: $ty| async move { $($body)* });
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use super::with_database;

    #[test]
    fn replaces_database_name() {
        assert_eq!(
            with_database("postgres://postgres@127.0.0.1:55433/postgres", "t1"),
            "postgres://postgres@127.0.0.1:55433/t1"
        );
        assert_eq!(
            with_database("postgres://u:p@h:5/db?sslmode=disable", "t1"),
            "postgres://u:p@h:5/t1?sslmode=disable"
        );
        assert_eq!(with_database("postgres://h", "t1"), "postgres://h/t1");
    }
}
