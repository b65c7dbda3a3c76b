use sea_orm::{ConnectionTrait, DbBackend, Statement};
use shouwang_store::{Db, StoreError, db_test};

db_test!(
    fn migrate_is_idempotent_and_pragmas_are_set(db: Db) {
        db.migrate().await.unwrap();
        db.migrate().await.unwrap();
        if db.backend() == DbBackend::Sqlite {
            let get = |sql: &'static str| {
                let db = db.clone();
                async move {
                    let row = db
                        .conn()
                        .query_one_raw(Statement::from_string(DbBackend::Sqlite, sql))
                        .await
                        .unwrap()
                        .unwrap();
                    row.try_get_by_index::<String>(0)
                        .or_else(|_| row.try_get_by_index::<i64>(0).map(|v| v.to_string()))
                        .unwrap()
                }
            };
            assert_eq!(get("PRAGMA journal_mode").await, "wal");
            assert_eq!(get("PRAGMA foreign_keys").await, "1");
            assert_eq!(get("PRAGMA busy_timeout").await, "5000");
            assert_eq!(get("PRAGMA synchronous").await, "1");
        } else {
            assert_eq!(db.backend(), DbBackend::Postgres);
        }
        db.optimize().await.unwrap();
    }
);

#[tokio::test]
async fn connect_refuses_unknown_urls() {
    assert!(matches!(
        Db::connect("mysql://x").await,
        Err(StoreError::Invalid { .. })
    ));
    assert!(matches!(
        Db::connect("").await,
        Err(StoreError::Invalid { .. })
    ));
}

#[test]
fn sqlite_url_points_into_the_data_dir() {
    let url = shouwang_store::sqlite_url(std::path::Path::new("/tmp/data"));
    assert_eq!(url, "sqlite:///tmp/data/shouwang.db?mode=rwc");
}
