//! Merged cells, blank rows, ID numbers stored as numbers, GBK CSV and all-or-nothing.

use super::*;

db_test!(
    fn merged_cells_and_blank_rows(db: Db) {
        let mut wb = one_sheet(true, &[]);
        let ws = wb.worksheet_from_index(0).unwrap();
        let rows = three_households();
        // Title row 1, header row 2, data from row 3; a blank row after T001; T001's 户编号 and address
        // columns merged down its two rows (ledger style: fine); T003's ID column merged over two rows.
        let mut r = 2u32;
        for (i, row) in rows.iter().enumerate() {
            if i == 2 {
                r += 1; // blank row
            }
            for (c, v) in row.iter().enumerate() {
                ws.write_string(r, c as u16, v).unwrap();
            }
            r += 1;
        }
        let plain = Format::new();
        ws.merge_range(2, 0, 3, 0, "T001", &plain).unwrap();
        ws.merge_range(7, 8, 8, 8, &id(51, 1980), &plain).unwrap();
        let bytes = wb.save_to_buffer().unwrap();
        // The streaming read hands out T001 and T002, then meets the merged areas after the cells and
        // starts again: the import rolls back what it wrote early and begins anew.
        let mut handouts = Vec::new();
        let mut sink = StreamingSink::new(1, |h| {
            handouts.push(match h {
                Handout::Ready(b) => b.len(),
                Handout::Incomes(_) => panic!("no 收支情况 sheet here"),
                Handout::Restart => 0,
            })
        });
        shouwang_io::registry::read("merged.xlsx", &bytes, &mut sink, &|_, _| {}).unwrap();
        assert_eq!(
            handouts.iter().position(|n| *n == 0),
            Some(1),
            "{handouts:?}"
        );
        let r = import(&db, "merged.xlsx", &bytes).await;
        assert_eq!(r.read.blank_rows, 1);
        assert_eq!(r.households_created, 2, "{:?}", r.problems);
        assert_eq!(r.rejected_households, 1);
        let p: Vec<_> = r
            .problems
            .iter()
            .filter(|p| p.reason_zh.contains("合并单元格"))
            .collect();
        assert_eq!(p.len(), 2, "{:?}", r.problems);
        assert_eq!((p[0].row, p[1].row), (8, 9));
        assert!(p[0].reason_zh.contains("I8:I9"), "{}", p[0].reason_zh);
        assert_eq!(p[0].sheet, "农户台账");
        let scope = Scope::new(0, Role::CountyAdmin, "141123");
        assert!(
            shouwang_store::repo::households::get(&db, &scope, "T003")
                .await
                .unwrap()
                .is_none()
        );
        let t1 = shouwang_store::repo::households::get(&db, &scope, "T001")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(t1.household.members.len(), 2);
        assert_eq!(households(&db).await, 2);
        assert_eq!(
            count(
                &db,
                "SELECT COUNT(*) FROM audit_log WHERE entity = 'household'"
            )
            .await,
            2
        );
        assert_eq!(initials_mismatch(&db).await, 0);
    }
);

db_test!(
    fn id_numbers_stored_as_numbers(db: Db) {
        let mut wb = one_sheet(false, &three_households());
        let ws = wb.worksheet_from_index(0).unwrap();
        // T002's head: the ID as a number, as Excel does when the column is not text.
        let n: f64 = id(31, 1960).parse().unwrap();
        ws.write_number(3, 8, n).unwrap();
        let bytes = wb.save_to_buffer().unwrap();
        let r = import(&db, "numbers.xlsx", &bytes).await;
        assert_eq!(r.households_created, 2);
        assert_eq!(r.problems.len(), 1, "{:?}", r.problems);
        let p = &r.problems[0];
        assert_eq!(
            (p.sheet.as_str(), p.row, p.column.as_str()),
            ("农户台账", 4, "公民身份号码")
        );
        assert!(p.reason_zh.contains("科学计数法"), "{}", p.reason_zh);
        assert!(p.value.contains('E'), "{}", p.value);
        assert_eq!(households(&db).await, 2);
    }
);

db_test!(
    fn gbk_csv_and_all_or_nothing(db: Db) {
        let text = csv_text(&three_households());
        let (gbk, _, _) = encoding_rs::GBK.encode(&text);
        // A clean GBK file imports.
        let r = import(&db, "台账.csv", &gbk).await;
        assert!(r.problems.is_empty(), "{:?}", r.problems);
        assert_eq!(r.households_created, 3);

        // A bad household (unknown relation) with --all-or-nothing: nothing is written.
        let bad = csv_text(&households_of("U", 100)).replace("之儿媳", "邻居");
        let (gbk, _, _) = encoding_rs::GBK.encode(&bad);
        let o = ImportOptions {
            all_or_nothing: true,
            ..opts()
        };
        let audit = audit_rows(&db).await;
        let r = import_with(&db, "台账.csv", &gbk, &o).await;
        assert_eq!(r.rejected_households, 1);
        assert!(!r.committed);
        assert_eq!(r.problems[0].column, "与户主关系");
        assert_eq!(r.problems[0].value, "邻居");
        assert_eq!(r.problems[0].row, 7);
        assert_eq!(r.problems[0].sheet, "台账.csv");
        assert_eq!(households(&db).await, 3);
        assert_eq!(audit_rows(&db).await, audit);
        // Without it, the two good households are imported.
        let r = import(&db, "台账.csv", &gbk).await;
        assert!(r.committed);
        assert_eq!(r.households_created, 2);
        assert_eq!(households(&db).await, 5);
        // A dry run reports and writes nothing.
        let o = ImportOptions {
            dry_run: true,
            ..opts()
        };
        let ok = csv_text(&households_of("V", 200));
        let r = import_with(&db, "台账.csv", encoding_rs::GBK.encode(&ok).0.as_ref(), &o).await;
        assert_eq!(r.households_created, 3);
        assert!(!r.committed);
        assert_eq!(households(&db).await, 5);
    }
);
