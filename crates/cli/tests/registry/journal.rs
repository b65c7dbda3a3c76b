//! The journal of a first import through one connection (SQLite only).

use super::*;

// ------------------------------------------------------------------------------------------------
// The journal of a first import through one connection (SQLite only).

/// A first import into an empty registry through a one-connection `Db` (the command line's) writes with a
/// rollback journal and leaves the database in WAL mode; while another connection has the database open
/// it keeps the WAL. The command itself leaves a new database in WAL mode with the households in it.
#[test]
fn first_import_alone_writes_with_a_rollback_journal() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join(shouwang_store::SQLITE_FILE);
    // The journal mode as a new connection finds it (`delete` when the file is not in WAL mode).
    let mode = || -> String {
        let c = rusqlite::Connection::open(&file).unwrap();
        c.query_row("PRAGMA journal_mode", [], |r| r.get(0))
            .unwrap()
    };
    let bytes = demo_workbook(40, 9);
    let handouts = || {
        let mut handouts = Vec::new();
        let mut sink = StreamingSink::new(64, |h| handouts.push(h));
        shouwang_io::registry::read("j.xlsx", &bytes, &mut sink, &|_, _| {}).unwrap();
        let assembled = sink.finish();
        (handouts, assembled)
    };
    let rt = tokio::runtime::Runtime::new().unwrap();
    let import = |db: &Db, o: ImportOptions, during: &str| {
        let (handouts, assembled) = handouts();
        rt.block_on(import_handouts(db, &o, handouts, assembled, || {
            assert_eq!(mode(), during, "journal mode while the import is open");
        }))
    };
    let db = rt.block_on(async {
        let db = Db::connect_alone(&sqlite_url(dir.path())).await.unwrap();
        db.migrate().await.unwrap();
        db
    });
    assert_eq!(mode(), "wal");
    // A committed import of the whole file, the database back in WAL mode.
    let all_in = |report: ImportReport| {
        assert!(report.committed);
        assert_eq!(report.households_created, 40);
        assert_eq!(mode(), "wal");
        rt.block_on(async {
            assert_eq!(households(&db).await, 40);
            assert_eq!(initials_mismatch(&db).await, 0);
        });
    };

    // A dry run: the rollback journal while it runs, the WAL again after the rollback, nothing written.
    let dry = ImportOptions {
        dry_run: true,
        ..opts()
    };
    let report = import(&db, dry, "delete");
    assert!(!report.committed);
    assert_eq!(mode(), "wal");
    assert_eq!(rt.block_on(households(&db)), 0);

    // Another connection has the database open: SQLite refuses the switch and the import uses the WAL.
    {
        let other = rusqlite::Connection::open(&file).unwrap();
        let n: i64 = other
            .query_row("SELECT COUNT(*) FROM households", [], |r| r.get(0))
            .unwrap();
        assert_eq!(n, 0);
        all_in(import(&db, opts(), "wal"));
    }
    rt.block_on(async {
        db.conn()
            .execute_unprepared("DELETE FROM members; DELETE FROM households;")
            .await
            .unwrap();
    });

    // Alone on an empty registry again: the rollback journal, committed, then the WAL.
    all_in(import(&db, opts(), "delete"));
    // Not empty any more: a second import keeps the WAL (and changes nothing).
    let report = import(&db, opts(), "wal");
    assert_eq!(report.changes(), 0);
    rt.block_on(db.close()).unwrap();

    // The command, on a new database.
    let data = dir.path().join("cli");
    let path = dir.path().join("demo.xlsx");
    std::fs::write(&path, &bytes).unwrap();
    let out = shouwang()
        .args(["import", "registry"])
        .arg(&path)
        .arg("--data-dir")
        .arg(&data)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let c = rusqlite::Connection::open(data.join(shouwang_store::SQLITE_FILE)).unwrap();
    let m: String = c
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!(m, "wal");
    let n: i64 = c
        .query_row("SELECT COUNT(*) FROM households", [], |r| r.get(0))
        .unwrap();
    assert_eq!(n, 40);
}
