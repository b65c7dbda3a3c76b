//! Export and import cell for cell (incomes included); re-imports change only what changed; a user's area
//! limits an import.

use super::*;

db_test!(
    fn round_trip_is_cell_for_cell_identical(db: Db) {
        // The demo registry in a database of its own (SQLite), exported.
        let dir = tempfile::tempdir().unwrap();
        let source = Db::connect(&sqlite_url(dir.path())).await.unwrap();
        source.migrate().await.unwrap();
        demo::load(&source, &demo::generate(400, 11), &|_, _| {})
            .await
            .unwrap();
        let first = export(&source).await;
        // The generated county written straight away has the same households (the demo load may
        // change some of them afterwards, e.g. cases that mark a household monitored).
        assert_eq!(
            cells(&first)[0].1.len(),
            cells(&demo_workbook(400, 11))[0].1.len()
        );

        // Into the empty database under test, and out again.
        assert_eq!(households(&db).await, 0);
        let report = import(&db, "demo.xlsx", &first).await;
        assert!(
            report.problems.is_empty(),
            "{:?}",
            &report.problems[..report.problems.len().min(5)]
        );
        assert_eq!(report.households_created, 400);
        assert!(report.committed);
        assert_eq!(
            (report.incomes_created, report.rejected_income_rows),
            (800, 0)
        );
        let second = export(&db).await;
        let (a, b) = (cells(&first), cells(&second));
        assert_eq!(a.len(), 3);
        assert_eq!(a[0].0, "户信息");
        assert_eq!(a[1].0, "家庭成员");
        assert_eq!(a[2].0, "收支情况");
        assert_eq!(a[0].1.len(), 401);
        // Two years a household, amounts as numbers to the fen.
        assert_eq!(a[2].1.len(), 801);
        assert!(
            a[2].1[1..]
                .iter()
                .all(|r| matches!(&r[2], Data::Float(f) if (f * 100.0).fract().abs() < 1e-6))
        );
        for ((na, ra), (nb, rb)) in a.iter().zip(&b) {
            assert_eq!(na, nb);
            assert_eq!(ra.len(), rb.len(), "rows of {na}");
            for (i, (x, y)) in ra.iter().zip(rb).enumerate() {
                assert_eq!(x, y, "sheet {na} row {}", i + 1);
            }
        }
        // ID numbers and household numbers are text cells.
        let id_col = a[1].1[0]
            .iter()
            .position(|c| c == &Data::String("身份证号".into()))
            .unwrap();
        assert!(
            a[1].1[1..]
                .iter()
                .all(|r| matches!(&r[id_col], Data::String(s) if s.len() == 18))
        );
        assert!(a[0].1[1..].iter().all(|r| matches!(&r[0], Data::String(_))));

        // The same without streaming gives the same database.
        let dir2 = tempfile::tempdir().unwrap();
        let other = Db::connect(&sqlite_url(dir2.path())).await.unwrap();
        other.migrate().await.unwrap();
        let r = import_at_once(&other, "demo.xlsx", &first).await;
        assert_eq!((r.households_created, r.problems.len()), (400, 0));
        assert_eq!(cells(&export(&other).await), a);
        other.close().await.unwrap();

        // Re-importing the same file changes nothing: no write, no audit row.
        let audit = audit_rows(&db).await;
        let again = import(&db, "demo.xlsx", &first).await;
        assert_eq!(
            (
                again.households_created,
                again.households_updated,
                again.households_unchanged
            ),
            (0, 0, 400)
        );
        assert_eq!(
            (
                again.members_added,
                again.members_updated,
                again.members_removed
            ),
            (0, 0, 0)
        );
        assert_eq!(again.regions_created, 0);
        assert_eq!(
            (
                again.incomes_created,
                again.incomes_updated,
                again.incomes_unchanged
            ),
            (0, 0, 800)
        );
        assert!(!again.committed);
        assert_eq!(audit_rows(&db).await, audit);
        assert_eq!(cells(&export(&db).await), a);
        source.close().await.unwrap();
    }
);

// ------------------------------------------------------------------------------------------------
// Upsert: changes, removals, moves; audit rows only for what changed.

db_test!(
    fn reimport_updates_only_what_changed(db: Db) {
        let wb = one_sheet(false, &three_households())
            .save_to_buffer()
            .unwrap();
        let before = audit_rows(&db).await;
        let r = import(&db, "v1.xlsx", &wb).await;
        assert!(r.problems.is_empty(), "{:?}", r.problems);
        assert_eq!(
            (r.households_created, r.members_added, r.regions_created),
            (3, 6, 3)
        );
        let audit = audit_rows(&db).await;
        // 3 regions + 3 households + the summary row
        assert_eq!(audit - before, 7);

        // T001: 李四 becomes weak labour; T003: 钱八 moves to T002 (T003 no longer lists her), 赵七 removed.
        let mut rows = three_households();
        rows[1][10] = "弱劳动力或半劳动力".into();
        rows[2][6] = String::new();
        rows.insert(3, member_row("T002", "", "钱八", &id(62, 1982), "之儿媳"));
        rows.retain(|r| r[7] != "赵七" && !(r[0] == "T003" && r[7] == "钱八"));
        rows[4][6] = "1".into(); // T003 家庭人口
        let wb2 = one_sheet(false, &rows).save_to_buffer().unwrap();
        let r = import(&db, "v2.xlsx", &wb2).await;
        assert!(r.problems.is_empty(), "{:?}", r.problems);
        assert_eq!(
            (
                r.households_created,
                r.households_updated,
                r.households_unchanged
            ),
            (0, 3, 0)
        );
        assert_eq!(
            (r.members_added, r.members_updated, r.members_removed),
            (1, 1, 2)
        );
        // one update row per household + the summary
        assert_eq!(audit_rows(&db).await, audit + 4);
        let scope = Scope::new(0, Role::CountyAdmin, "141123");
        let t2 = shouwang_store::repo::households::get(&db, &scope, "T002")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(t2.household.members.len(), 2);
        assert_eq!(t2.version, 2);
        let t1 = shouwang_store::repo::households::get(&db, &scope, "T001")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(t1.household.members[1].labour, LabourSkill::Weak);
        assert_eq!(t1.member_versions, vec![1, 2]);
        let t3 = shouwang_store::repo::households::get(&db, &scope, "T003")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(t3.household.members.len(), 1);
        assert_eq!(t3.household.members[0].relation, Relation::Head);

        // The same second file again: nothing.
        let a = audit_rows(&db).await;
        let r = import(&db, "v2.xlsx", &wb2).await;
        assert_eq!((r.households_updated, r.households_unchanged), (0, 3));
        assert_eq!(audit_rows(&db).await, a);

        // A person registered in a household the file does not touch is refused, not moved.
        let wb3 = one_sheet(
            false,
            &[member_row("T009", "", "王五", &id(31, 1960), "户主")],
        )
        .save_to_buffer()
        .unwrap();
        let r = import(&db, "v3.xlsx", &wb3).await;
        assert_eq!(r.households_created, 0);
        assert_eq!(r.rejected_households, 1);
        assert!(r.problems[0].reason_zh.contains("T002"), "{:?}", r.problems);
        assert_eq!(r.problems[0].row, 2);
        assert_eq!(households(&db).await, 3);
    }
);

db_test!(
    fn user_scope_limits_the_import(db: Db) {
        let mut rows = three_households();
        // T003 in another township's village
        for r in rows.iter_mut().filter(|r| r[0] == "T003") {
            r[4] = "141123100201".into();
            r[2] = "蔚汾镇".into();
        }
        let wb = one_sheet(false, &rows).save_to_buffer().unwrap();
        let (_, assembled) =
            shouwang_io::registry::read_assembled("s.xlsx", &wb, &|_, _| {}).unwrap();
        let scope = Scope::new(3, Role::TownshipAdmin, "141123208");
        let r = registry::import(
            &db,
            &Actor::new(3, "乡镇管理员"),
            Some(&scope),
            assembled,
            &opts(),
            &|_, _| {},
        )
        .await
        .unwrap();
        assert_eq!(r.households_created, 2);
        assert_eq!(r.rejected_households, 1);
        assert!(
            r.problems.iter().all(|p| p.reason_zh.contains("管辖范围")),
            "{:?}",
            r.problems
        );
        // An auditor may not write at all.
        let (_, assembled) =
            shouwang_io::registry::read_assembled("s.xlsx", &wb, &|_, _| {}).unwrap();
        let auditor = Scope::new(4, Role::Auditor, "141123");
        let r = registry::import(
            &db,
            &Actor::new(4, "审计"),
            Some(&auditor),
            assembled,
            &opts(),
            &|_, _| {},
        )
        .await
        .unwrap();
        assert_eq!(r.households_created, 0);
        assert_eq!(r.rejected_households, 3);
    }
);

// ------------------------------------------------------------------------------------------------
// Bad input: clear message, no panic, nothing half-imported.
