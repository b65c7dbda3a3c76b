//! 数据备份与恢复 on both databases (issue 20 part 6): a backup taken while a user writes restores into an
//! empty data folder or database as one consistent moment (every write in it complete, with its audit
//! row, none half there); a backup taken at rest restores equal to the original, every table and the
//! audit log row for row (plus the one `restore` row); a target that holds data is refused.

use std::collections::BTreeMap;
use std::path::Path;

use sea_orm::{ConnectionTrait, DbBackend, FromQueryResult, JsonValue, Statement};
use shouwang_app::attachments::{self, FileStore};
use shouwang_app::backup::{self, Target};
use shouwang_app::households::{Change, ChangeRequest, HouseholdPatch, change};
use shouwang_app::{Caller, Kind, demo};
use shouwang_core::{Role, Scope};
use shouwang_store::backup::BackupFormat;
use shouwang_store::testing::ScratchPg;
use shouwang_store::{Db, db_test};

/// Writes of the user racing the backup.
const WRITES: usize = 40;

fn county_admin() -> Caller {
    Caller {
        user_id: 1,
        name: "县管理员".to_owned(),
        scope: Scope::new(1, Role::CountyAdmin, "141123"),
    }
}

/// Every table of `db`: its rows as JSON text, sorted.
async fn dump(db: &Db) -> BTreeMap<String, Vec<String>> {
    let list = match db.backend() {
        DbBackend::Sqlite => {
            "SELECT name AS t FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        }
        _ => "SELECT tablename::text AS t FROM pg_tables WHERE schemaname = 'public'",
    };
    let stmt = |sql: String| Statement::from_string(db.backend(), sql);
    let tables: Vec<String> = db
        .conn()
        .query_all_raw(stmt(list.to_owned()))
        .await
        .unwrap()
        .iter()
        .map(|r| r.try_get::<String>("", "t").unwrap())
        .collect();
    let mut out = BTreeMap::new();
    for t in tables {
        let rows = JsonValue::find_by_statement(stmt(format!("SELECT * FROM \"{t}\"")))
            .all(db.conn())
            .await
            .unwrap();
        let mut rows: Vec<String> = rows.iter().map(JsonValue::to_string).collect();
        rows.sort();
        out.insert(t, rows);
    }
    out
}

/// The restored database's tables without its one `restore` audit row (which it must have).
fn without_restore_row(mut tables: BTreeMap<String, Vec<String>>) -> BTreeMap<String, Vec<String>> {
    let log = tables.get_mut("audit_log").unwrap();
    let before = log.len();
    log.retain(|r| !r.contains("\"action\":\"restore\""));
    assert_eq!(log.len() + 1, before, "exactly one restore row");
    tables
}

/// An empty target of `db`'s kind: a fresh data folder, or a new database on the test server.
async fn empty_target(db: &Db, dir: &Path, n: u8) -> (Target, Option<ScratchPg>) {
    match db.backend() {
        DbBackend::Sqlite => {
            // The data key of the backed-up folder goes along (a backup holds none).
            let target = dir.join(format!("restored-{n}"));
            std::fs::create_dir_all(&target).unwrap();
            if let Some(key) = db.key_file() {
                std::fs::copy(key, target.join("shouwang.key")).unwrap();
            }
            (Target::SqliteDir(target), None)
        }
        _ => {
            let pg = ScratchPg::create().await;
            (Target::Postgres(pg.url.clone()), Some(pg))
        }
    }
}

/// The attachment store of a restore target: the data folder's, or one per scratch database.
fn files_of(target: &Target) -> FileStore {
    match target {
        Target::SqliteDir(dir) => FileStore::new(dir.join("attachments")),
        Target::Postgres(url) => FileStore::new(std::env::temp_dir().join(format!(
            "shouwang-files-{}",
            url.rsplit('/').next().unwrap()
        ))),
    }
}

async fn address_of(db: &Db, number: &str) -> (i64, String) {
    let row = db
        .conn()
        .query_one_raw(Statement::from_sql_and_values(
            db.backend(),
            match db.backend() {
                DbBackend::Sqlite => "SELECT version, address FROM households WHERE number = ?",
                _ => "SELECT version, address FROM households WHERE number = $1",
            },
            [number.into()],
        ))
        .await
        .unwrap()
        .unwrap();
    (
        row.try_get("", "version").unwrap(),
        row.try_get::<Option<String>>("", "address")
            .unwrap()
            .unwrap_or_default(),
    )
}

db_test!(
    fn a_backup_restores_the_registry_cases_and_audit_log(db: Db) {
        let county = demo::generate(120, 7);
        demo::load(&db, &county, &|_, _| {}).await.unwrap();
        let number = county.households[0].household.number.clone();
        let (v0, _) = address_of(&db, &number).await;
        let dir = tempfile::tempdir().unwrap();
        // A scan uploaded before the backup goes along with it.
        let files = FileStore::new(dir.path().join("attachments"));
        let scan: &[u8] = b"%PDF-1.4\n% 141123 \xe7\x94\xb3\xe8\xaf\xb7\xe4\xb9\xa6\n";
        let uploaded = attachments::upload(
            &db,
            &files,
            &county_admin(),
            "申请书.pdf",
            "application/pdf",
            scan,
        )
        .await
        .unwrap();
        let format = match db.backend() {
            DbBackend::Sqlite => BackupFormat::Sqlite,
            _ => BackupFormat::Postgres,
        };

        // A user writes the household 40 times; the backup is taken after the fifth write.
        let (started, writing) = tokio::sync::oneshot::channel();
        let writer = {
            let (db, number) = (db.clone(), number.clone());
            let mut started = Some(started);
            tokio::spawn(async move {
                for i in 0..WRITES {
                    let req = ChangeRequest {
                        household: number.clone(),
                        version: v0 + i as i64,
                        change: Change::UpdateHousehold(HouseholdPatch {
                            address: Some(format!("备份中写入{i}")),
                            ..HouseholdPatch::default()
                        }),
                    };
                    change(&db, &county_admin(), req).await.unwrap();
                    if i == 4
                        && let Some(s) = started.take()
                    {
                        let _ = s.send(());
                    }
                }
            })
        };
        writing.await.unwrap();
        let busy = dir.path().join("busy.bak");
        let done = backup::backup(&db, &files, &busy).await.unwrap();
        writer.await.unwrap();
        assert_eq!(done.format, format);
        assert_eq!(done.bytes, std::fs::metadata(&busy).unwrap().len());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&busy).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600, "the owner's only");
        }
        assert!(!dir.path().join("busy.bak.partial").exists());
        assert_eq!(done.attachments, 1);
        let sealed_copy = backup::files_beside(&busy)
            .join("141123")
            .join(&uploaded.sha256[..2])
            .join(&uploaded.sha256);
        assert_eq!(
            std::fs::read(&sealed_copy).unwrap(),
            std::fs::read(files.path_of("141123", &uploaded.sha256).unwrap()).unwrap(),
            "the attachment as stored, sealed"
        );

        let (target, scratch) = empty_target(&db, dir.path(), 1).await;
        let (restored, got, _) = backup::restore(&busy, &target, &files_of(&target))
            .await
            .unwrap();
        assert_eq!(got, format);
        let restored_files = files_of(&target);
        assert_eq!(
            restored_files
                .read(db.keys(), "141123", &uploaded.sha256)
                .await
                .unwrap(),
            scan,
            "the attachment restored"
        );
        // One moment: the household as of its k-th write, exactly k audit rows of its writes.
        let (vr, addr) = address_of(&restored, &number).await;
        let k = vr - v0;
        assert!((5..=WRITES as i64).contains(&k), "version {vr}");
        if k > 0 {
            assert_eq!(addr, format!("备份中写入{}", k - 1));
        }
        let writes_logged = |tables: &BTreeMap<String, Vec<String>>| {
            tables["audit_log"]
                .iter()
                .filter(|r| r.contains("备份中写入"))
                .count() as i64
        };
        let original = dump(&db).await;
        let copy = without_restore_row(dump(&restored).await);
        assert_eq!(writes_logged(&copy), k);
        // Everything else as in the original; every audit row of the copy is one of the original's.
        for (table, rows) in &original {
            let theirs = &copy[table];
            match table.as_str() {
                "audit_log" => assert!(
                    theirs.iter().all(|r| rows.contains(r)),
                    "an audit row of the copy is not the original's"
                ),
                "households" => {
                    let others = |rs: &Vec<String>| -> Vec<String> {
                        rs.iter()
                            .filter(|r| !r.contains(&number))
                            .cloned()
                            .collect()
                    };
                    assert_eq!(others(theirs), others(rows));
                }
                _ => assert_eq!(theirs, rows, "table {table}"),
            }
        }
        assert!(original["cases"].len() > 10 && original["members"].len() > 300);
        // A target that holds data is refused, and left as it was.
        let e = backup::restore(&busy, &target, &files_of(&target))
            .await
            .unwrap_err();
        assert_eq!(e.kind, Kind::Invalid, "{e:?}");
        assert!(e.zh.contains("已有数据") && e.en.contains("empty"), "{e:?}");
        assert_eq!(without_restore_row(dump(&restored).await), copy);
        restored.close().await.unwrap();

        // At rest: the copy equals the original, the audit log row for row.
        let quiet = dir.path().join("quiet.bak");
        backup::backup(&db, &files, &quiet).await.unwrap();
        let original = dump(&db).await;
        let (target2, scratch2) = empty_target(&db, dir.path(), 2).await;
        let (restored, _, _) = backup::restore(&quiet, &target2, &files_of(&target2))
            .await
            .unwrap();
        assert_eq!(without_restore_row(dump(&restored).await), original);
        restored.close().await.unwrap();
        // The backup file is never overwritten; a file that is no backup is refused.
        let e = backup::backup(&db, &files, &quiet).await.unwrap_err();
        assert_eq!(e.kind, Kind::Invalid, "{e:?}");
        let junk = dir.path().join("junk.bak");
        std::fs::write(&junk, "户编号,姓名\n").unwrap();
        let (target3, scratch3) = empty_target(&db, dir.path(), 3).await;
        let e = backup::restore(&junk, &target3, &files_of(&target3))
            .await
            .unwrap_err();
        assert!(e.en.contains("not a Shouwang backup"), "{e:?}");
        for t in [&target, &target2, &target3] {
            let _ = std::fs::remove_dir_all(files_of(t).dir());
        }
        for pg in [scratch, scratch2, scratch3].into_iter().flatten() {
            pg.drop().await;
        }
    }
);
