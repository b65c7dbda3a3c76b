//! First imports in bulk: indexes, initials and the 姓氏 trigger; a person in two households.

use super::*;

db_test!(
    fn bulk_import_keeps_initials_indexes_and_trigger(db: Db) {
        // 1,001 demo households (~3,000 people): past the bulk-mode threshold and the one for refreshing
        // the planner's statistics, into an empty database.
        let bytes = demo_workbook(1001, 5);
        let objects = schema_objects(&db).await;

        // A dry run writes nothing and leaves the schema as it was.
        let dry = ImportOptions {
            dry_run: true,
            ..opts()
        };
        let report = import_with(&db, "bulk.xlsx", &bytes, &dry).await;
        assert_eq!(report.households_created, 1001);
        assert!(!report.committed);
        assert_eq!(households(&db).await, 0);
        assert_eq!(schema_objects(&db).await, objects);

        let report = import(&db, "bulk.xlsx", &bytes).await;
        assert!(
            report.committed,
            "{:?}",
            &report.problems[..report.problems.len().min(3)]
        );
        assert_eq!(report.households_created, 1001);
        assert!(report.written_early > 900);
        assert_eq!(schema_objects(&db).await, objects);
        assert_eq!(initials_mismatch(&db).await, 0);
        assert!(count(&db, "SELECT COUNT(*) FROM member_initials").await > 1000);
        // One create row per household, holding where it came from.
        assert_eq!(
            count(
                &db,
                "SELECT COUNT(*) FROM audit_log WHERE entity = 'household' AND action = 'create'"
            )
            .await,
            1001
        );
        // The statistics were gathered (on SQLite inside the import's transaction, before the commit).
        let analyzed = match db.backend() {
            DbBackend::Sqlite => {
                "SELECT COUNT(*) FROM sqlite_stat1 WHERE tbl = 'members' AND idx = 'uq_members_id_key'"
            }
            _ => "SELECT COUNT(*) FROM pg_stats WHERE tablename = 'members' AND attname = 'id_key'",
        };
        assert_eq!(count(&db, analyzed).await, 1);

        // The trigger is back: a member whose surname key changes by hand gets its 姓氏 row.
        db.conn()
            .execute_unprepared(
                "UPDATE members SET surname_key = surname_key + 1 \
                 WHERE id = (SELECT MIN(id) FROM members)",
            )
            .await
            .unwrap();
        assert_eq!(initials_mismatch(&db).await, 0);

        // A second large import into the database that is no longer empty: unchanged.
        let again = import(&db, "bulk.xlsx", &bytes).await;
        // (Names are sealed: the hand-made change above is to the surname key alone, which the import
        // does not compare, so nothing is updated.)
        assert_eq!(again.households_created, 0);
        assert_eq!(again.households_updated, 0);
        assert_eq!(again.households_unchanged, 1001);
        assert_eq!(schema_objects(&db).await, objects);
        assert_eq!(initials_mismatch(&db).await, 0);
    }
);

db_test!(
    fn bulk_import_with_a_person_in_two_households(db: Db) {
        // A first import in bulk mode (the ID-number indexes dropped while the households go in): the
        // last household names the first household's head again. The first household was written early;
        // when the file is complete both are rejected, the first one undone, and the indexes are back.
        let bytes = demo_workbook_with(1001, 6, |hs| {
            let head = hs[0].members[0].clone();
            let last = hs.len() - 1;
            if let Some(m) = hs[last].members.last_mut() {
                *m = shouwang_core::household::Member {
                    relation: m.relation,
                    ..head
                };
            }
        });
        let objects = schema_objects(&db).await;
        let report = import(&db, "twice.xlsx", &bytes).await;
        assert!(report.committed);
        assert_eq!(report.households_created, 999, "{:?}", report.problems);
        assert_eq!(report.rejected_households, 2);
        assert!(report.undone_early >= 1);
        assert_eq!(households(&db).await, 999);
        assert_eq!(schema_objects(&db).await, objects);
        assert_eq!(
            count(
                &db,
                "SELECT COUNT(*) FROM (SELECT county_code, id_key FROM members \
                 GROUP BY county_code, id_key HAVING COUNT(*) > 1) d"
            )
            .await,
            0
        );
        assert_eq!(initials_mismatch(&db).await, 0);
        // The unique key holds again.
        let taken = db
            .conn()
            .execute_unprepared(
                "INSERT INTO members SELECT * FROM members WHERE id = (SELECT MIN(id) FROM members)",
            )
            .await;
        assert!(taken.is_err());
    }
);

// ------------------------------------------------------------------------------------------------
// Round trip.
