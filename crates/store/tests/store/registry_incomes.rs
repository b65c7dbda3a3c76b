//! `repo::registry_file`: the 收支情况 rows of a registry import — written with their households, updated
//! by 户编号 + 年度 on a re-import, rejected row by row with a reason, never half written.
//!
//! The files are assembled from rows with the core's `Assembler` (the reader's part is tested in
//! `shouwang-io` and, with real workbooks, in `crates/cli/tests/registry/`).

use sea_orm::{ConnectionTrait, Statement};
use shouwang_core::registry::{Assembled, Assembler, SheetLayout};
use shouwang_core::{Fen, IncomeRecord, MonitoringLine, Role, Scope};
use shouwang_store::repo::audit::{self, AuditFilter};
use shouwang_store::repo::registry_file::{self, ImportOptions, ImportReport};
use shouwang_store::repo::{households, income, lines};
use shouwang_store::{Db, db_test};

use shouwang_store::testing::fixtures::*;

const COMBINED: &[&str] = &[
    "户编号",
    "村代码",
    "户类型",
    "姓名",
    "身份证号",
    "与户主关系",
    "劳动技能",
    "健康状况",
    "是否参加基本医疗保险",
];

const INCOME: &[&str] = &[
    "户编号",
    "年度",
    "工资性收入",
    "生产经营性收入",
    "财产性收入",
    "转移性收入",
    "生产经营性支出",
    "合规自付医疗支出",
    "理赔收入",
    "家庭人口",
];

fn cells(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| (*s).to_owned()).collect()
}

/// A member row of household `number` in `village`; `seq` makes the ID number.
fn person(number: &str, village: &str, seq: u16, relation: &str) -> Vec<String> {
    let idn = id(seq, 1970);
    cells(&[
        number,
        village,
        "一般农户",
        &format!("成员{seq}"),
        &idn.to_string(),
        relation,
        "普通劳动力",
        "健康",
        "是",
    ])
}

/// A 收支情况 row: wage in yuan (text as in the file), the rest fixed.
fn income_row(number: &str, year: &str, wage: &str) -> Vec<String> {
    cells(&[
        number, year, wage, "5,000", "", "3000.50", "1000", "200", "", "2",
    ])
}

/// The record [`income_row`] gives with a wage of `wage_fen`.
fn record(year: i32, wage_fen: i64) -> IncomeRecord {
    IncomeRecord {
        year,
        wage: Fen(wage_fen),
        business: Fen(500_000),
        transfer: Fen(300_050),
        production_cost: Fen(100_000),
        rigid_medical: Fen(20_000),
        members: 2,
        ..IncomeRecord::default()
    }
}

/// A file of member rows (one sheet, household columns on every row) and 收支情况 rows.
fn file(members: &[Vec<String>], incomes: &[Vec<String>]) -> Assembled {
    let mut a = Assembler::new();
    if !members.is_empty() {
        let layout = SheetLayout::detect("农户", 1, &cells(COMBINED))
            .unwrap()
            .unwrap();
        let sheet = a.begin_sheet(layout);
        for (i, r) in members.iter().enumerate() {
            a.add_row(sheet, i as u32 + 2, r);
        }
    }
    let layout = SheetLayout::detect("收支情况", 1, &cells(INCOME))
        .unwrap()
        .unwrap();
    let sheet = a.begin_sheet(layout);
    for (i, r) in incomes.iter().enumerate() {
        a.add_row(sheet, i as u32 + 2, r);
    }
    a.finish()
}

fn opts() -> ImportOptions {
    ImportOptions {
        source: "收支.xlsx".to_owned(),
        ..ImportOptions::default()
    }
}

async fn import_as(
    db: &Db,
    scope: Option<&Scope>,
    assembled: Assembled,
    o: &ImportOptions,
) -> ImportReport {
    registry_file::import(db, &actor(), scope, assembled, o, &|_, _| {})
        .await
        .expect("import")
}

async fn import(db: &Db, assembled: Assembled) -> ImportReport {
    import_as(db, None, assembled, &opts()).await
}

/// The income records of a household, by year, with their versions.
async fn incomes(db: &Db, number: &str) -> Vec<(IncomeRecord, i64)> {
    households::get(db, &county_scope(), number)
        .await
        .unwrap()
        .map(|h| h.incomes.iter().map(|e| (e.record, e.version)).collect())
        .unwrap_or_default()
}

async fn count(db: &Db, sql: &str) -> i64 {
    let row = db
        .conn()
        .query_one_raw(Statement::from_string(db.backend(), sql.to_owned()))
        .await
        .unwrap()
        .unwrap();
    row.try_get_by_index::<i64>(0).unwrap()
}

async fn income_audit(db: &Db, action: &str) -> Vec<audit::AuditEntry> {
    audit::list(
        db,
        &county_scope(),
        &AuditFilter {
            entity: Some("income_record".into()),
            action: Some(action.into()),
            ..AuditFilter::default()
        },
        1,
        100,
    )
    .await
    .unwrap()
    .items
}

fn two_households() -> Vec<Vec<String>> {
    vec![
        person("H1", VILLAGE_A1, 11, "户主"),
        person("H1", VILLAGE_A1, 13, "之子"),
        person("H2", VILLAGE_A2, 21, "户主"),
    ]
}

db_test!(
    fn income_rows_come_in_with_their_households(db: Db) {
        seed_regions(&db).await;
        let r = import(
            &db,
            file(
                &two_households(),
                &[
                    income_row("H1", "2021", "12,345.60"),
                    income_row("H1", "2022", "１２３４５"),
                    income_row("H2", "2022", "0"),
                ],
            ),
        )
        .await;
        assert!(r.problems.is_empty(), "{:?}", r.problems);
        assert!(r.committed);
        assert_eq!(r.households_created, 2);
        assert_eq!(
            (
                r.incomes_in_file,
                r.incomes_created,
                r.incomes_updated,
                r.incomes_unchanged
            ),
            (3, 3, 0, 0)
        );
        assert_eq!(
            incomes(&db, "H1").await,
            [(record(2021, 1_234_560), 1), (record(2022, 1_234_500), 1)]
        );
        assert_eq!(incomes(&db, "H2").await, [(record(2022, 0), 1)]);
        // The village of the records is the household's.
        assert_eq!(
            count(
                &db,
                "SELECT COUNT(*) FROM income_records r JOIN households h \
                 ON h.county_code = r.county_code AND h.id = r.household_id \
                 WHERE r.village_code = h.village_code"
            )
            .await,
            3
        );

        // One `create` audit row per record, as repo::income names it, with where it came from.
        let created = income_audit(&db, "create").await;
        let mut ids: Vec<&str> = created.iter().map(|a| a.entity_id.as_str()).collect();
        ids.sort();
        assert_eq!(ids, ["H1/2021", "H1/2022", "H2/2022"]);
        let h2 = created.iter().find(|a| a.entity_id == "H2/2022").unwrap();
        let after = h2.after.as_ref().unwrap();
        assert_eq!(after["import"]["file"], "收支.xlsx");
        assert_eq!(after["import"]["sheet"], "收支情况");
        assert_eq!(after["import"]["row"], 4);
        assert!(after["id"].is_i64());
        assert_eq!(h2.village_code.as_deref(), Some(VILLAGE_A2));
        assert_eq!(h2.actor_name, "测试员");
        // The summary counts them.
        let summary = audit::list(
            &db,
            &county_scope(),
            &AuditFilter {
                entity: Some("registry_import".into()),
                ..AuditFilter::default()
            },
            1,
            10,
        )
        .await
        .unwrap();
        assert_eq!(
            summary.items[0].after.as_ref().unwrap()["incomes_created"],
            3
        );
    }
);

db_test!(
    fn a_reimport_updates_by_number_and_year(db: Db) {
        seed_regions(&db).await;
        let rows = [
            income_row("H1", "2021", "100"),
            income_row("H1", "2022", "200"),
            income_row("H2", "2022", "300"),
        ];
        import(&db, file(&two_households(), &rows)).await;
        let audit_before = audit_count(&db).await;

        // The same file again: nothing written, no audit row, no version bumped.
        let r = import(&db, file(&two_households(), &rows)).await;
        assert_eq!(
            (r.incomes_created, r.incomes_updated, r.incomes_unchanged),
            (0, 0, 3)
        );
        assert_eq!((r.households_unchanged, r.changes()), (2, 0));
        assert!(!r.committed);
        assert_eq!(audit_count(&db).await, audit_before);

        // Only incomes, for households already in the system: H1's 2022 changed, H2's 2021 new, H1's 2021
        // not in the file (kept), H2's 2022 the same.
        let r = import(
            &db,
            file(
                &[],
                &[
                    income_row("H1", "2022", "250.5"),
                    income_row("H2", "2021", "50"),
                    income_row("H2", "2022", "300"),
                ],
            ),
        )
        .await;
        assert!(r.problems.is_empty(), "{:?}", r.problems);
        assert_eq!(
            (r.incomes_created, r.incomes_updated, r.incomes_unchanged),
            (1, 1, 1)
        );
        assert!(r.committed);
        assert_eq!(
            incomes(&db, "H1").await,
            [(record(2021, 10_000), 1), (record(2022, 25_050), 2)]
        );
        assert_eq!(
            incomes(&db, "H2").await,
            [(record(2021, 5_000), 1), (record(2022, 30_000), 1)]
        );
        // One `update` row with the record before and after, one `create`, the summary.
        assert_eq!(audit_count(&db).await, audit_before + 3);
        let updated = income_audit(&db, "update").await;
        assert_eq!(updated.len(), 1);
        assert_eq!(updated[0].entity_id, "H1/2022");
        assert_eq!(updated[0].before.as_ref().unwrap()["wage"], 20_000);
        let after = updated[0].after.as_ref().unwrap();
        assert_eq!(after["income_record"]["wage"], 25_050);
        assert_eq!(after["income_record"]["version"], 2);
        assert_eq!(after["import"]["row"], 2);

        // The record's own version check still holds: the next edit of H1's 2022 needs version 2.
        assert!(
            income::upsert(
                &db,
                &actor(),
                "H1",
                &record(2022, 1),
                shouwang_core::income::IncomeSource::Import,
                Some(1)
            )
            .await
            .is_err()
        );
        income::upsert(
            &db,
            &actor(),
            "H1",
            &record(2022, 1),
            shouwang_core::income::IncomeSource::Import,
            Some(2),
        )
        .await
        .unwrap();
    }
);

db_test!(
    fn bad_rows_are_rejected_one_by_one_and_the_rest_is_kept(db: Db) {
        seed_regions(&db).await;
        // H3 is in the system, in another township than the importing user's.
        households::create(&db, &actor(), &household("H3", VILLAGE_B1, "王三", 31))
            .await
            .unwrap();
        let mut members = two_households();
        // H4: two heads, rejected by the file.
        members.push(person("H4", VILLAGE_A1, 41, "户主"));
        members.push(person("H4", VILLAGE_A1, 43, "户主"));
        let town = scope(Role::TownshipAdmin, TOWN_A);
        let r = import_as(
            &db,
            Some(&town),
            file(
                &members,
                &[
                    income_row("H1", "2021", "1000"),  // 2: kept
                    income_row("H1", "2022", "一千"),  // 3: text
                    income_row("H2", "2031", "1000"),  // 4: no monitoring line for 2031
                    income_row("H9", "2022", "1000"),  // 5: no such household
                    income_row("H3", "2022", "1000"),  // 6: outside the area
                    income_row("H4", "2022", "1000"),  // 7: household rejected
                    income_row("H2", "2022", "-5"),    // 8: negative
                    income_row("H2", "2021", "1.005"), // 9: 3 decimals
                    income_row("H2", "1999", "1"),     // 10: year out of range
                ],
            ),
            &opts(),
        )
        .await;
        assert!(r.committed);
        assert_eq!((r.households_created, r.rejected_households), (2, 1));
        assert_eq!((r.incomes_created, r.rejected_income_rows), (1, 8));
        let reason = |row: u32| -> String {
            r.problems
                .iter()
                .filter(|p| p.sheet == "收支情况" && p.row == row)
                .map(|p| {
                    format!(
                        "{} | {} | {} | {}",
                        p.column, p.value, p.reason_zh, p.reason_en
                    )
                })
                .collect::<Vec<_>>()
                .join(" / ")
        };
        assert!(
            reason(3).contains("工资性收入 | 一千 | “一千”不是金额"),
            "{}",
            reason(3)
        );
        assert!(reason(4).contains("2031年未设置监测线"), "{}", reason(4));
        assert!(
            reason(4).contains("No monitoring line set for 2031"),
            "{}",
            reason(4)
        );
        assert!(reason(4).starts_with("年度 | 2031"), "{}", reason(4));
        assert!(reason(5).contains("系统中也没有该户"), "{}", reason(5));
        assert!(reason(6).contains("管辖范围"), "{}", reason(6));
        assert!(reason(7).contains("该户未导入"), "{}", reason(7));
        assert!(reason(8).contains("负数"), "{}", reason(8));
        assert!(reason(9).contains("小数超过 2 位"), "{}", reason(9));
        assert!(reason(10).contains("2000 至 2100"), "{}", reason(10));
        assert!(reason(2).is_empty());
        assert_eq!(incomes(&db, "H1").await, [(record(2021, 100_000), 1)]);
        assert!(incomes(&db, "H2").await.is_empty());
        assert!(incomes(&db, "H3").await.is_empty());

        // Once the county sets the line of 2031, the row imports.
        lines::set(
            &db,
            &actor(),
            &MonitoringLine {
                province: "14".into(),
                year: 2031,
                line: Fen::from_yuan(9000),
            },
        )
        .await
        .unwrap();
        let r = import_as(
            &db,
            Some(&town),
            file(&[], &[income_row("H2", "2031", "1000")]),
            &opts(),
        )
        .await;
        assert!(r.problems.is_empty(), "{:?}", r.problems);
        assert_eq!(r.incomes_created, 1);
        // The county's user may write H3's.
        let r = import_as(
            &db,
            Some(&county_scope()),
            file(&[], &[income_row("H3", "2022", "1000")]),
            &opts(),
        )
        .await;
        assert_eq!((r.incomes_created, r.problems.len()), (1, 0));
        // An auditor writes nothing.
        let auditor = scope(Role::Auditor, COUNTY);
        let r = import_as(
            &db,
            Some(&auditor),
            file(&[], &[income_row("H3", "2021", "1000")]),
            &opts(),
        )
        .await;
        assert_eq!((r.incomes_created, r.rejected_income_rows), (0, 1));
        assert!(
            r.problems[0].reason_zh.contains("不能修改"),
            "{:?}",
            r.problems
        );
    }
);

db_test!(
    fn nothing_is_half_written(db: Db) {
        seed_regions(&db).await;
        let audit_base = audit_count(&db).await;
        let rows = [
            income_row("H1", "2021", "100"),
            income_row("H1", "2022", "200"),
        ];
        // A dry run writes nothing, and says what an import would do.
        let dry = ImportOptions {
            dry_run: true,
            ..opts()
        };
        let r = import_as(&db, None, file(&two_households(), &rows), &dry).await;
        assert_eq!((r.households_created, r.incomes_created), (2, 2));
        assert!(!r.committed);
        assert_eq!(count(&db, "SELECT COUNT(*) FROM income_records").await, 0);
        assert_eq!(count(&db, "SELECT COUNT(*) FROM households").await, 0);
        assert_eq!(audit_count(&db).await, audit_base);

        // All or nothing: one bad income row, and neither the households nor any income is written.
        let all = ImportOptions {
            all_or_nothing: true,
            ..opts()
        };
        let mut bad = rows.to_vec();
        bad.push(income_row("H2", "2022", "12.345"));
        let r = import_as(&db, None, file(&two_households(), &bad), &all).await;
        assert_eq!(r.rejected_income_rows, 1);
        assert!(!r.committed);
        assert_eq!(count(&db, "SELECT COUNT(*) FROM income_records").await, 0);
        assert_eq!(count(&db, "SELECT COUNT(*) FROM households").await, 0);
        assert_eq!(audit_count(&db).await, audit_base);

        // A rejected row leaves the stored record as it was: no field of it is taken.
        import(&db, file(&two_households(), &rows)).await;
        let before = incomes(&db, "H1").await;
        let mut changed = income_row("H1", "2022", "999");
        changed[9] = "0".into(); // 家庭人口 0
        let r = import(&db, file(&[], &[changed, income_row("H1", "2021", "100")])).await;
        assert_eq!(
            (
                r.incomes_updated,
                r.incomes_unchanged,
                r.rejected_income_rows
            ),
            (0, 1, 1)
        );
        assert!(r.problems[0].reason_zh.contains("家庭人口为 0"));
        assert_eq!(incomes(&db, "H1").await, before);
    }
);

db_test!(
    fn an_import_does_not_replace_a_verified_record(db: Db) {
        seed_regions(&db).await;
        let rows = [
            income_row("H1", "2022", "200"),
            income_row("H2", "2022", "300"),
        ];
        import(&db, file(&two_households(), &rows)).await;
        // A hand correction of H1's 2022 (verified): version 2, source 手工录入.
        income::upsert(
            &db,
            &actor(),
            "H1",
            &record(2022, 99),
            shouwang_core::income::IncomeSource::Manual,
            Some(1),
        )
        .await
        .unwrap();
        let r = import(
            &db,
            file(
                &[],
                &[
                    income_row("H1", "2022", "250"),
                    income_row("H2", "2022", "350"),
                ],
            ),
        )
        .await;
        assert_eq!(
            (r.incomes_updated, r.problems.len()),
            (1, 1),
            "{:?}",
            r.problems
        );
        assert!(
            r.problems[0].reason_zh.contains("导入不覆盖"),
            "{:?}",
            r.problems
        );
        assert_eq!(incomes(&db, "H1").await, [(record(2022, 99), 2)]);
        assert_eq!(incomes(&db, "H2").await, [(record(2022, 35_000), 2)]);

        // The refused row's figures are kept as 台账导入's, not counted (as are the first import's, which
        // the hand correction replaced: the latest figures of a source win) …
        let kept = |db: Db| async move {
            let d = households::get(&db, &county_scope(), "H1")
                .await
                .unwrap()
                .unwrap();
            income::others::of_household(&db, &d)
                .await
                .unwrap()
                .iter()
                .map(|o| (o.record, o.source))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            kept(db.clone()).await,
            [(
                record(2022, 25_000),
                shouwang_core::income::IncomeSource::Import
            )]
        );
        assert!(r.problems[0].reason_zh.contains("不计入"));
        // … once: the same row again writes nothing …
        let n = audit_count(&db).await;
        let again = import(&db, file(&[], &[income_row("H1", "2022", "250")])).await;
        assert_eq!(again.rejected_income_rows, 1);
        assert_eq!(audit_count(&db).await, n, "nothing written");
        // … new figures replace them, audited …
        import(&db, file(&[], &[income_row("H1", "2022", "260")])).await;
        assert_eq!(kept(db.clone()).await[0].0, record(2022, 26_000));
        let log = shouwang_store::repo::audit::list(
            &db,
            &county_scope(),
            &shouwang_store::repo::audit::AuditFilter {
                entity: Some("income_other_source".into()),
                ..Default::default()
            },
            1,
            10,
        )
        .await
        .unwrap();
        assert_eq!(
            log.items
                .iter()
                .map(|e| (e.action.as_str(), e.entity_id.as_str()))
                .collect::<Vec<_>>(),
            [
                ("update", "H1/2022/import"),
                ("update", "H1/2022/import"),
                ("create", "H1/2022/import")
            ],
            "the first import's figures (replaced by hand), then the refused rows'"
        );
        // … and a row identical to the verified record is no disagreement: unchanged, and the import's
        // figures kept are the same as the record's now (not listed by the readers).
        let same = import(&db, file(&[], &[income_row("H1", "2022", "0.99")])).await;
        assert_eq!((same.incomes_unchanged, same.rejected_income_rows), (1, 0));
        assert_eq!(kept(db.clone()).await[0].0, record(2022, 99));
        assert_eq!(incomes(&db, "H1").await, [(record(2022, 99), 2)]);
    }
);

db_test!(
    fn rows_written_early_are_kept_or_undone_with_the_file(db: Db) {
        use shouwang_store::repo::registry_file::Importer;
        seed_regions(&db).await;
        let base = audit_count(&db).await;
        let mut a = Assembler::new();
        let people = a.begin_sheet(
            SheetLayout::detect("农户", 1, &cells(COMBINED))
                .unwrap()
                .unwrap(),
        );
        let money = a.begin_sheet(
            SheetLayout::detect("收支情况", 1, &cells(INCOME))
                .unwrap()
                .unwrap(),
        );
        let mut importer = Importer::begin(&db, &actor(), None, &opts()).await.unwrap();
        a.add_row(people, 2, &person("H1", VILLAGE_A1, 11, "户主"));
        a.add_row(people, 3, &person("H2", VILLAGE_A2, 21, "户主"));
        a.add_row(people, 4, &person("H3", VILLAGE_A2, 31, "户主"));
        // H1 and H2 are complete: written while the file is read, and their first incomes too.
        let ready = a.take_ready();
        assert_eq!(ready.len(), 2);
        importer.early(ready).await.unwrap();
        a.add_row(money, 2, &income_row("H1", "2021", "100"));
        a.add_row(money, 3, &income_row("H2", "2021", "200"));
        a.add_row(money, 4, &income_row("H1", "2022", "300"));
        a.add_row(money, 5, &income_row("H3", "2022", "400")); // H3 not written yet: at the end
        importer.early_incomes(a.take_incomes()).await.unwrap();
        assert_eq!(
            count(&db, "SELECT COUNT(*) FROM income_records").await,
            0,
            "not committed"
        );
        // Later rows: H2 gets another member (its early version is stale) and H1's 2021 comes again.
        a.add_row(people, 5, &person("H2", VILLAGE_A2, 23, "之子"));
        a.add_row(money, 6, &income_row("H1", "2021", "150"));
        let r = importer.finish(a.finish(), &|_, _| {}).await.unwrap();
        assert!(r.committed);
        assert_eq!(
            (r.households_created, r.written_early, r.undone_early),
            (3, 2, 1)
        );
        assert_eq!((r.incomes_created, r.rejected_income_rows), (3, 2));
        // The years written, early (H1 2022) and at the end (H2 2021, H3 2022), each once.
        assert_eq!(r.income_years, [2021, 2022]);
        let twice: Vec<u32> = r
            .problems
            .iter()
            .filter(|p| p.reason_zh.contains("出现了多次"))
            .map(|p| p.row)
            .collect();
        assert_eq!(twice, [2, 6]);
        assert_eq!(incomes(&db, "H1").await, [(record(2022, 30_000), 1)]);
        assert_eq!(incomes(&db, "H2").await, [(record(2021, 20_000), 1)]);
        assert_eq!(incomes(&db, "H3").await, [(record(2022, 40_000), 1)]);
        assert_eq!(
            households::get(&db, &county_scope(), "H2")
                .await
                .unwrap()
                .unwrap()
                .household
                .members
                .len(),
            2
        );
        // One `create` row per record kept (the undone ones' rows went with them), one per household,
        // the summary.
        let mut created: Vec<String> = income_audit(&db, "create")
            .await
            .into_iter()
            .map(|a| a.entity_id)
            .collect();
        created.sort();
        assert_eq!(created, ["H1/2022", "H2/2021", "H3/2022"]);
        assert_eq!(audit_count(&db).await - base, 3 + 3 + 1);
    }
);
