//! Direct use of a write transaction's SQLite connection (SQLite 直连写入), for bulk inserts.
//!
//! sqlx runs every statement on the connection's worker thread: a statement costs a round trip between
//! threads and a copy of every bound value (several, through SeaORM). For the 133,000 rows of a
//! 100,000-person registry import that was most of the import's time, and multi-row statements only
//! helped so far (SQLite executes a 100-row `VALUES` statement more slowly per row than a one-row one).
//! [`Direct`] runs prepared one-row statements in a loop on the caller's thread instead, through
//! rusqlite on the same connection handle, so they are part of the transaction like any other statement.
//!
//! **Finding the handle.** Every pooled SQLite connection writes its handle (the `sqlite3*` address) into
//! its own temp table when it opens ([`record_handle`], called by `Db::connect`). [`Direct::of`] reads
//! that table through the transaction, so the handle is the one the transaction runs on; [`with_direct`]
//! runs a batch of writes with it.
//!
//! **Why this is sound.** The connections are opened in SQLite's serialized mode (`SQLITE_OPEN_FULLMUTEX`,
//! `Db::connect`): SQLite locks the connection's mutex in every call, so a call made here can never run
//! at the same time as one of sqlx's worker thread. And [`Direct`] borrows the transaction mutably, so no
//! statement of this process is sent to the worker while it lives. rusqlite does not close a handle it was
//! given (`Connection::from_handle`); it finalizes the statements it prepared when dropped.

use std::marker::PhantomData;

use sea_orm::{ConnectionTrait, DatabaseTransaction, DbBackend, DbErr, Statement};

use crate::error::{Result, StoreError};

/// The temp table in which a connection records its own handle.
const HANDLE_TABLE: &str = "shouwang_connection_handle";

/// Records the connection's handle in its temp table (see the module docs). Run once per new connection.
pub(crate) async fn record_handle(
    conn: &mut sea_orm::sqlx::SqliteConnection,
) -> std::result::Result<(), sea_orm::sqlx::Error> {
    use sea_orm::sqlx::Executor;
    let handle = {
        let mut locked = conn.lock_handle().await?;
        // An address, stored as a number; it is only ever turned back into a pointer by `Direct::of`.
        locked.as_raw_handle().as_ptr() as usize as i64
    };
    conn.execute(sea_orm::sqlx::AssertSqlSafe(format!(
        "CREATE TEMP TABLE IF NOT EXISTS {HANDLE_TABLE} (handle INTEGER NOT NULL); \
         DELETE FROM temp.{HANDLE_TABLE}; \
         INSERT INTO temp.{HANDLE_TABLE} (handle) VALUES ({handle})"
    )))
    .await?;
    Ok(())
}

/// The transaction's connection, used directly (see the module docs).
pub(crate) struct Direct<'t> {
    conn: rusqlite::Connection,
    /// Nothing else may run on the connection meanwhile.
    _tx: PhantomData<&'t mut DatabaseTransaction>,
}

/// Runs `f`, a batch of direct writes, with the connection of `tx` (SQLite only), as a blocking section
/// (see [`blocking`]).
pub(crate) async fn with_direct<R>(
    tx: &mut DatabaseTransaction,
    f: impl FnOnce(&Direct<'_>) -> Result<R>,
) -> Result<R> {
    let direct = Direct::of(tx).await?;
    blocking(|| f(&direct))
}

impl<'t> Direct<'t> {
    /// The connection of `tx` (SQLite only).
    async fn of(tx: &'t mut DatabaseTransaction) -> Result<Direct<'t>> {
        let row = tx
            .query_one_raw(Statement::from_string(
                DbBackend::Sqlite,
                format!("SELECT handle FROM temp.{HANDLE_TABLE}"),
            ))
            .await?
            .ok_or_else(|| {
                StoreError::Db(DbErr::Custom(
                    "the SQLite connection did not record its handle".to_owned(),
                ))
            })?;
        let handle: i64 = row.try_get("", "handle")?;
        let db = handle as usize as *mut rusqlite::ffi::sqlite3;
        // SAFETY: `handle` is the live handle of the connection `tx` holds: recorded by that connection
        // itself when it opened, read through `tx` just now, and the connection stays open while `tx` is
        // borrowed. The connection is in serialized mode and `tx` is borrowed mutably while `Direct`
        // lives (see the module docs). The rusqlite connection does not close the handle when dropped.
        #[allow(unsafe_code)]
        let conn = unsafe { rusqlite::Connection::from_handle(db) }
            .map_err(|e| direct_error(e, ("打开连接", "opening the connection")))?;
        Ok(Direct {
            conn,
            _tx: PhantomData,
        })
    }

    /// A prepared statement (kept for the next call with the same SQL while this `Direct` lives).
    pub(crate) fn prepare(&self, sql: &str) -> Result<rusqlite::CachedStatement<'_>> {
        self.conn
            .prepare_cached(sql)
            .map_err(|e| direct_error(e, ("预编译语句", "preparing a statement")))
    }
}

/// Runs `f`, telling a multi-threaded tokio runtime that this thread blocks meanwhile (`block_in_place`),
/// so that its other tasks move to another worker (a web request waits for no import); on any other
/// runtime it just runs.
fn blocking<R>(f: impl FnOnce() -> R) -> R {
    match tokio::runtime::Handle::try_current().map(|h| h.runtime_flavor()) {
        Ok(tokio::runtime::RuntimeFlavor::MultiThread) => tokio::task::block_in_place(f),
        _ => f(),
    }
}

/// Maps an error of a direct write like `StoreError::from_write` maps SeaORM's: a unique key taken is a
/// `Conflict`, an unknown reference `Invalid`, anything else a database error; `what` names the rows in
/// Chinese and in English.
pub(crate) fn direct_error(err: rusqlite::Error, (zh, en): (&str, &str)) -> StoreError {
    use rusqlite::ffi;
    if let rusqlite::Error::SqliteFailure(e, msg) = &err {
        let detail = msg.clone().unwrap_or_else(|| e.to_string());
        match e.extended_code {
            ffi::SQLITE_CONSTRAINT_UNIQUE | ffi::SQLITE_CONSTRAINT_PRIMARYKEY => {
                return crate::error::taken(zh, en, &detail);
            }
            ffi::SQLITE_CONSTRAINT_FOREIGNKEY => {
                return crate::error::unknown_reference(zh, en, &detail);
            }
            _ => {}
        }
    }
    StoreError::Db(DbErr::Custom(format!("{en}: {err}")))
}

#[cfg(test)]
mod tests {
    use sea_orm::{ConnectionTrait, DbBackend, Statement, TransactionTrait};

    use super::{direct_error, with_direct};
    use crate::db::{Db, sqlite_url};
    use crate::error::StoreError;

    const INSERT: &str = "INSERT INTO regions (code, county_code, name, level, parent_code) VALUES (?1, '141123', ?2, 'county', NULL)";

    async fn count(conn: &impl ConnectionTrait, code: &str) -> i64 {
        let row = conn
            .query_one_raw(Statement::from_sql_and_values(
                DbBackend::Sqlite,
                "SELECT count(*) AS n FROM regions WHERE code = ?",
                [code.into()],
            ))
            .await
            .expect("count query")
            .expect("a row");
        row.try_get("", "n").expect("n")
    }

    /// The rows written directly belong to the write transaction: visible in it, invisible to the pool's
    /// other connections until the commit, gone after a rollback. Several connections are open, so the
    /// handle must be the transaction's own (another one would commit on its own, or wait for the lock).
    #[test]
    fn direct_writes_belong_to_the_transaction() {
        let mut rt = tokio::runtime::Builder::new_multi_thread();
        rt.worker_threads(2);
        with_database(rt, |db| async move {
            // Other connections of the pool are checked out meanwhile (open read transactions).
            let mut readers = Vec::new();
            for _ in 0..3 {
                let r = db.conn().begin().await.expect("read transaction");
                count(&r, "x").await;
                readers.push(r);
            }

            for commit in [false, true] {
                let code = if commit {
                    "141123000002"
                } else {
                    "141123000001"
                };
                let mut tx = db.begin_write().await.expect("begin");
                with_direct(&mut tx, |direct| {
                    let mut insert = direct.prepare(INSERT)?;
                    insert
                        .execute(rusqlite::params![code, "测试县"])
                        .expect("insert");
                    Ok(())
                })
                .await
                .expect("direct");
                assert_eq!(count(&tx, code).await, 1, "seen inside the transaction");
                assert_eq!(
                    count(db.conn(), code).await,
                    0,
                    "not seen outside before the commit"
                );
                if commit {
                    tx.commit().await.expect("commit");
                } else {
                    tx.rollback().await.expect("rollback");
                }
                assert_eq!(count(db.conn(), code).await, i64::from(commit));
            }
            drop(readers);
            db
        });
    }

    /// A key taken is a conflict, an unknown reference is invalid input, other failures database errors.
    #[test]
    fn direct_errors_map_like_seaorm_ones() {
        with_database(
            tokio::runtime::Builder::new_current_thread(),
            |db| async move {
                let mut tx = db.begin_write().await.expect("begin");
                // On a current-thread runtime `with_direct` just runs the closure.
                let errors = with_direct(&mut tx, |direct| {
                    let mut insert = direct.prepare(INSERT).expect("prepare");
                    insert
                        .execute(rusqlite::params!["141123000003", "县"])
                        .expect("first insert");
                    let twice = insert.execute(rusqlite::params!["141123000003", "县"]);
                    let orphan = direct
                        .prepare(
                            "INSERT INTO regions (code, county_code, name, level, parent_code) \
                         VALUES ('141123001000', '141123', '镇', 'township', '141123999999')",
                        )
                        .expect("prepare")
                        .execute([]);
                    let null = insert.execute(rusqlite::params!["141123000004", None::<&str>]);
                    Ok([twice, orphan, null]
                        .map(|r| direct_error(r.expect_err("must fail"), ("区划", "Regions"))))
                })
                .await
                .expect("direct");
                assert!(
                    matches!(&errors[0], StoreError::Conflict { en, .. } if en.contains("UNIQUE")),
                    "{:?}",
                    errors[0]
                );
                assert!(
                    matches!(&errors[1], StoreError::Invalid { en, .. } if en.contains("FOREIGN KEY")),
                    "{:?}",
                    errors[1]
                );
                assert!(matches!(&errors[2], StoreError::Db(_)), "{:?}", errors[2]);
                tx.rollback().await.expect("rollback");
                db
            },
        );
    }

    /// Runs `f` on a new migrated SQLite database, on a runtime built by `rt`; `f` gives the database back
    /// to be closed.
    fn with_database<F, Fut>(mut rt: tokio::runtime::Builder, f: F)
    where
        F: FnOnce(Db) -> Fut,
        Fut: std::future::Future<Output = Db>,
    {
        let rt = rt.enable_all().build().expect("runtime");
        let dir = tempfile::tempdir().expect("temp dir");
        rt.block_on(async {
            let db = Db::connect(&sqlite_url(dir.path())).await.expect("connect");
            db.migrate().await.expect("migrate");
            f(db).await.close().await.expect("close");
        });
    }
}
