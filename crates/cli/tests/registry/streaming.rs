//! Streaming: an early-written household undone by a later row.

use super::*;

db_test!(
    fn streaming_undoes_what_later_rows_change(db: Db) {
        let mut rows = households_of("S", 300);
        // S001 again at the end (the sheet is not sorted by household): written early, reopened.
        let late = member_row("S001", "", "孙九", &id(377, 1999), "之子");
        rows.push(late);
        // S002's head appears again in a new household S004 in a new village: both rejected, and the
        // village created for S004 only must not stay.
        let mut dup = member_row("S004", "", "王五", &id(331, 1960), "户主");
        dup[4] = "141123208299".into();
        dup[3] = "新村".into();
        rows.push(member_row("S005", "", "周十", &id(390, 1977), "户主"));
        rows.push(dup);
        // S001 without 家庭人口, so that it looks complete before its late row.
        rows[0][6] = String::new();
        let bytes = one_sheet(false, &rows).save_to_buffer().unwrap();
        let before = audit_rows(&db).await;
        let r = import(&db, "unsorted.xlsx", &bytes).await;
        assert_eq!(r.households_created, 3, "{:?}", r.problems);
        assert_eq!(r.rejected_households, 2);
        // S001, S002, S003 were written while reading; S001 (reopened) and S002 (rejected) undone.
        assert_eq!((r.written_early, r.undone_early), (3, 2));
        assert!(
            r.problems.iter().all(|p| p.reason_zh.contains("两个户")),
            "{:?}",
            r.problems
        );
        let scope = Scope::new(0, Role::CountyAdmin, "141123");
        let s1 = shouwang_store::repo::households::get(&db, &scope, "S001")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(s1.household.members.len(), 3);
        assert_eq!(s1.version, 1);
        for n in ["S002", "S004"] {
            assert!(
                shouwang_store::repo::households::get(&db, &scope, n)
                    .await
                    .unwrap()
                    .is_none()
            );
        }
        assert!(
            shouwang_store::repo::regions::get(&db, "141123208299")
                .await
                .unwrap()
                .is_none()
        );
        assert!(
            shouwang_store::repo::regions::get(&db, "141123208201")
                .await
                .unwrap()
                .is_some()
        );
        // audit: 3 households + 3 regions (county, township, village) + summary
        assert_eq!(audit_rows(&db).await - before, 7);
        assert_eq!(r.regions_created, 3);
        // members: exactly the accepted households' members
        assert_eq!(count(&db, "SELECT COUNT(*) FROM members").await, 3 + 3 + 1);
    }
);
