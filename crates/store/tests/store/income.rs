use shouwang_core::income::IncomeSource;
use shouwang_core::{Fen, IncomeRecord, Role};
use shouwang_store::repo::audit::{self, AuditFilter};
use shouwang_store::repo::{households, income};
use shouwang_store::{Db, StoreError, db_test};

use shouwang_store::testing::fixtures::*;

fn rec(year: i32, wage: i64) -> IncomeRecord {
    IncomeRecord {
        year,
        wage: Fen(wage),
        business: Fen(120_000),
        transfer: Fen(50_000),
        production_cost: Fen(20_000),
        rigid_medical: Fen(300_000),
        insurance_payout: Fen(100_000),
        members: 2,
        ..Default::default()
    }
}

db_test!(
    fn upsert_creates_replaces_and_checks_versions(db: Db) {
        seed_regions(&db).await;
        let hh = household("1411231002010001", VILLAGE_A1, "李一", 1);
        households::create(&db, &actor(), &hh).await.unwrap();
        let n = audit_count(&db).await;
        assert_eq!(
            income::upsert(
                &db,
                &actor(),
                &hh.number,
                &rec(2022, 1_000_000),
                IncomeSource::Manual,
                None
            )
            .await
            .unwrap(),
            1
        );
        assert_eq!(audit_count(&db).await, n + 1);
        // creating again is refused: someone else created it
        let err = income::upsert(
            &db,
            &actor(),
            &hh.number,
            &rec(2022, 5),
            IncomeSource::Manual,
            None,
        )
        .await
        .unwrap_err();
        assert!(
            matches!(
                err,
                StoreError::StaleVersion {
                    expected: 0,
                    found: 1
                }
            ),
            "{err:?}"
        );
        assert_eq!(
            income::upsert(
                &db,
                &actor(),
                &hh.number,
                &rec(2022, 2_000_000),
                IncomeSource::Manual,
                Some(1)
            )
            .await
            .unwrap(),
            2
        );
        // stale: nothing written
        let err = income::upsert(
            &db,
            &actor(),
            &hh.number,
            &rec(2022, 3),
            IncomeSource::Manual,
            Some(1),
        )
        .await
        .unwrap_err();
        assert!(
            matches!(
                err,
                StoreError::StaleVersion {
                    expected: 1,
                    found: 2
                }
            ),
            "{err:?}"
        );
        let err = income::upsert(
            &db,
            &actor(),
            &hh.number,
            &rec(2021, 3),
            IncomeSource::Manual,
            Some(4),
        )
        .await
        .unwrap_err();
        assert!(
            matches!(
                err,
                StoreError::StaleVersion {
                    expected: 4,
                    found: 0
                }
            ),
            "{err:?}"
        );
        assert_eq!(audit_count(&db).await, n + 2);
        income::upsert(
            &db,
            &actor(),
            &hh.number,
            &rec(2021, 900_000),
            IncomeSource::Manual,
            None,
        )
        .await
        .unwrap();
        let d = households::get(&db, &county_scope(), &hh.number)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            d.incomes
                .iter()
                .map(|e| (e.record.year, e.version))
                .collect::<Vec<_>>(),
            [(2021, 1), (2022, 2)]
        );
        assert_eq!(d.incomes[1].record, rec(2022, 2_000_000));
        let log = audit::list(
            &db,
            &county_scope(),
            &AuditFilter {
                entity: Some("income_record".into()),
                entity_id: Some(format!("{}/2022", hh.number)),
                ..Default::default()
            },
            1,
            10,
        )
        .await
        .unwrap();
        assert_eq!(log.total, 2);
        assert_eq!(log.items[0].before.as_ref().unwrap()["wage"], 1_000_000);
        assert_eq!(log.items[0].after.as_ref().unwrap()["wage"], 2_000_000);
    }
);

db_test!(
    fn upsert_refuses_bad_input_and_unknown_households(db: Db) {
        seed_regions(&db).await;
        let hh = household("1411231002010001", VILLAGE_A1, "李一", 1);
        households::create(&db, &actor(), &hh).await.unwrap();
        assert!(matches!(
            income::upsert(
                &db,
                &actor(),
                "nope",
                &rec(2022, 1),
                IncomeSource::Manual,
                None
            )
            .await,
            Err(StoreError::NotFound)
        ));
        let mut bad = rec(2022, 1);
        bad.members = 0;
        assert!(matches!(
            income::upsert(&db, &actor(), &hh.number, &bad, IncomeSource::Manual, None).await,
            Err(StoreError::Invalid { .. })
        ));
        assert!(matches!(
            income::upsert(
                &db,
                &actor(),
                &hh.number,
                &rec(1899, 1),
                IncomeSource::Manual,
                None
            )
            .await,
            Err(StoreError::Invalid { .. })
        ));
    }
);

db_test!(
    fn upsert_scoped_and_delete(db: Db) {
        seed_regions(&db).await;
        let hh = household("1411231002010001", VILLAGE_A1, "李一", 1);
        households::create(&db, &actor(), &hh).await.unwrap();
        let other = scope(Role::VillageTeam, VILLAGE_B1);
        assert!(matches!(
            income::upsert_scoped(
                &db,
                &actor(),
                &other,
                &hh.number,
                &rec(2022, 1),
                IncomeSource::Manual,
                None
            )
            .await,
            Err(StoreError::NotFound)
        ));
        let dept = scope(Role::Department, COUNTY);
        assert!(matches!(
            income::upsert_scoped(
                &db,
                &actor(),
                &dept,
                &hh.number,
                &rec(2022, 1),
                IncomeSource::Manual,
                None
            )
            .await,
            Err(StoreError::Forbidden)
        ));
        let own = scope(Role::VillageTeam, VILLAGE_A1);
        assert_eq!(
            income::upsert_scoped(
                &db,
                &actor(),
                &own,
                &hh.number,
                &rec(2022, 1),
                IncomeSource::Manual,
                None
            )
            .await
            .unwrap(),
            1
        );
        let n = audit_count(&db).await;
        assert!(matches!(
            income::delete(&db, &actor(), &own, &hh.number, 2022, 3).await,
            Err(StoreError::StaleVersion {
                expected: 3,
                found: 1
            })
        ));
        assert!(matches!(
            income::delete(&db, &actor(), &other, &hh.number, 2022, 1).await,
            Err(StoreError::NotFound)
        ));
        assert!(matches!(
            income::delete(&db, &actor(), &own, &hh.number, 2020, 1).await,
            Err(StoreError::NotFound)
        ));
        assert_eq!(audit_count(&db).await, n);
        income::delete(&db, &actor(), &own, &hh.number, 2022, 1)
            .await
            .unwrap();
        assert_eq!(audit_count(&db).await, n + 1);
        let d = households::get(&db, &own, &hh.number)
            .await
            .unwrap()
            .unwrap();
        assert!(d.incomes.is_empty());
    }
);

db_test!(
    fn an_import_never_overrides_a_verified_record(db: Db) {
        seed_regions(&db).await;
        let hh = household("1411231002010001", VILLAGE_A1, "李一", 1);
        households::create(&db, &actor(), &hh).await.unwrap();
        let v = income::upsert(
            &db,
            &actor(),
            &hh.number,
            &rec(2022, 1),
            IncomeSource::Import,
            None,
        )
        .await
        .unwrap();
        // a verification replaces an import …
        let v = income::upsert(
            &db,
            &actor(),
            &hh.number,
            &rec(2022, 2),
            IncomeSource::Verification,
            Some(v),
        )
        .await
        .unwrap();
        // … an import does not replace the verified record: refused, nothing written
        let n = audit_count(&db).await;
        let err = income::upsert(
            &db,
            &actor(),
            &hh.number,
            &rec(2022, 3),
            IncomeSource::Import,
            Some(v),
        )
        .await
        .unwrap_err();
        assert!(matches!(err, StoreError::Conflict { .. }), "{err:?}");
        assert_eq!(audit_count(&db).await, n);
        // a hand correction does
        income::upsert(
            &db,
            &actor(),
            &hh.number,
            &rec(2022, 4),
            IncomeSource::Manual,
            Some(v),
        )
        .await
        .unwrap();
        let detail = households::get(&db, &scope(Role::CountyAdmin, "141123"), &hh.number)
            .await
            .unwrap()
            .unwrap();
        let e = detail.incomes[0];
        assert_eq!(
            (e.record.wage, e.source, e.version),
            (Fen(4), IncomeSource::Manual, 3)
        );
    }
);

/// The other sources' figures of the household kept as not counted: (year, source, wage).
async fn others(db: &Db, number: &str) -> Vec<(i32, IncomeSource, i64)> {
    let d = households::get(db, &county_scope(), number)
        .await
        .unwrap()
        .unwrap();
    income::others::of_household(db, &d)
        .await
        .unwrap()
        .iter()
        .map(|o| (o.record.year, o.source, o.record.wage.0))
        .collect()
}

async fn other_audits(db: &Db, number: &str) -> Vec<(String, String)> {
    let log = audit::list(
        db,
        &county_scope(),
        &AuditFilter {
            entity: Some("income_other_source".into()),
            ..Default::default()
        },
        1,
        50,
    )
    .await
    .unwrap();
    let mut out: Vec<(String, String)> = log
        .items
        .iter()
        .filter(|e| e.entity_id.starts_with(number))
        .map(|e| (e.action.clone(), e.entity_id.clone()))
        .collect();
    out.reverse();
    out
}

db_test!(
    fn a_replaced_source_is_kept_not_counted(db: Db) {
        seed_regions(&db).await;
        let hh = household("1411231002010001", VILLAGE_A1, "李一", 1);
        households::create(&db, &actor(), &hh).await.unwrap();
        let n = &hh.number;
        let put = |r: IncomeRecord, s: IncomeSource, v: Option<i64>| {
            let db = db.clone();
            let n = n.clone();
            async move { income::upsert(&db, &actor(), &n, &r, s, v).await }
        };
        let v = put(rec(2022, 100), IncomeSource::Import, None)
            .await
            .unwrap();
        // the same source again: its figures are replaced, nothing kept aside
        let v = put(rec(2022, 110), IncomeSource::Import, Some(v))
            .await
            .unwrap();
        assert!(others(&db, n).await.is_empty());
        // 入户核查 replaces the import: the import's figures are kept, not counted
        let v = put(rec(2022, 200), IncomeSource::Verification, Some(v))
            .await
            .unwrap();
        assert_eq!(others(&db, n).await, [(2022, IncomeSource::Import, 110)]);
        // 手工录入 replaces the verification: both others are kept
        let v = put(rec(2022, 300), IncomeSource::Manual, Some(v))
            .await
            .unwrap();
        assert_eq!(
            others(&db, n).await,
            [
                (2022, IncomeSource::Import, 110),
                (2022, IncomeSource::Verification, 200)
            ]
        );
        // a later 入户核查 counts: its older figures are gone from the others, the manual ones join them
        let v = put(rec(2022, 400), IncomeSource::Verification, Some(v))
            .await
            .unwrap();
        assert_eq!(
            others(&db, n).await,
            [
                (2022, IncomeSource::Import, 110),
                (2022, IncomeSource::Manual, 300)
            ]
        );
        // figures identical to the record that replaces them are not kept
        let v = put(rec(2022, 400), IncomeSource::Manual, Some(v))
            .await
            .unwrap();
        assert_eq!(
            others(&db, n).await,
            [(2022, IncomeSource::Import, 110)],
            "the manual figures are the record now; the verification's are the same"
        );
        // an import refused over the verified record changes nothing
        let before = audit_count(&db).await;
        assert!(matches!(
            put(rec(2022, 999), IncomeSource::Import, Some(v)).await,
            Err(StoreError::Conflict { .. })
        ));
        assert_eq!(audit_count(&db).await, before);
        let d = households::get(&db, &county_scope(), n)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            (d.incomes[0].record.wage.0, d.incomes[0].source),
            (400, IncomeSource::Manual)
        );
        assert_eq!(
            other_audits(&db, n).await,
            [
                ("create".to_owned(), format!("{n}/2022/import")),
                ("create".to_owned(), format!("{n}/2022/verification")),
                ("create".to_owned(), format!("{n}/2022/manual")),
                ("delete".to_owned(), format!("{n}/2022/verification")),
                ("delete".to_owned(), format!("{n}/2022/manual")),
            ]
        );

        // deleting the year's record deletes its other sources' figures too (kept in the audit row)
        income::delete(&db, &actor(), &county_scope(), n, 2022, v)
            .await
            .unwrap();
        assert!(others(&db, n).await.is_empty());
        let log = audit::list(
            &db,
            &county_scope(),
            &AuditFilter {
                entity: Some("income_record".into()),
                action: Some("delete".into()),
                ..Default::default()
            },
            1,
            10,
        )
        .await
        .unwrap();
        let b = log.items[0].before.as_ref().unwrap();
        assert_eq!(b["income_record"]["wage"], 400);
        assert_eq!(b["other_sources"][0]["source"], "import");

        // and so does deleting the household
        put(rec(2021, 1), IncomeSource::Import, None).await.unwrap();
        put(rec(2021, 2), IncomeSource::Verification, Some(1))
            .await
            .unwrap();
        assert_eq!(others(&db, n).await, [(2021, IncomeSource::Import, 1)]);
        let hv = households::get(&db, &county_scope(), n)
            .await
            .unwrap()
            .unwrap()
            .version;
        households::delete(&db, &actor(), &county_scope(), n, hv)
            .await
            .unwrap();
        use sea_orm::ConnectionTrait;
        let left = db
            .conn()
            .query_one_raw(sea_orm::Statement::from_string(
                db.backend(),
                "SELECT COUNT(*) FROM income_other_sources".to_owned(),
            ))
            .await
            .unwrap()
            .unwrap()
            .try_get_by_index::<i64>(0)
            .unwrap();
        assert_eq!(left, 0);
    }
);

db_test!(
    fn a_visit_counts_when_it_is_the_latest_verified_record(db: Db) {
        use chrono::NaiveDate;
        use income::VisitRecord;
        seed_regions(&db).await;
        let hh = household("1411231002010001", VILLAGE_A1, "李一", 1);
        households::create(&db, &actor(), &hh).await.unwrap();
        let n = hh.number.clone();
        let team = scope(Role::VillageTeam, VILLAGE_A1);
        let d = |m: u32, day: u32| NaiveDate::from_ymd_opt(2022, m, day).unwrap();
        let visit = |r: IncomeRecord, s: IncomeSource, on: NaiveDate| {
            let (db, n, team) = (db.clone(), n.clone(), team.clone());
            async move {
                let tx = db.begin_write().await.unwrap();
                let out = income::record_visit_on(&tx, &actor(), &team, &n, &r, s, on)
                    .await
                    .unwrap();
                tx.commit().await.unwrap();
                out
            }
        };
        let counting = |db: Db, n: String| async move {
            let d = households::get(&db, &county_scope(), &n)
                .await
                .unwrap()
                .unwrap();
            let e = d.incomes[0];
            (e.source, e.record.wage.0, e.as_of)
        };
        income::upsert(
            &db,
            &actor(),
            &n,
            &rec(2022, 100),
            IncomeSource::Import,
            None,
        )
        .await
        .unwrap();

        // a follow-up of May counts over the import, dated its visit; the import's figures are kept
        assert_eq!(
            visit(rec(2022, 200), IncomeSource::FollowUp, d(5, 10)).await,
            VisitRecord::Counts { version: 2 }
        );
        assert_eq!(
            counting(db.clone(), n.clone()).await,
            (IncomeSource::FollowUp, 200, d(5, 10))
        );
        assert_eq!(others(&db, &n).await, [(2022, IncomeSource::Import, 100)]);
        // a 入户核查 of June counts over it
        assert_eq!(
            visit(rec(2022, 300), IncomeSource::Verification, d(6, 2)).await,
            VisitRecord::Counts { version: 3 }
        );
        assert_eq!(
            others(&db, &n).await,
            [
                (2022, IncomeSource::FollowUp, 200),
                (2022, IncomeSource::Import, 100)
            ]
        );
        // a follow-up of March recorded now does not replace the June 入户核查; nor do its figures
        // replace the May follow-up's kept (later)
        let audits = audit_count(&db).await;
        assert_eq!(
            visit(rec(2022, 150), IncomeSource::FollowUp, d(3, 10)).await,
            VisitRecord::NotCounted {
                counting: IncomeSource::Verification
            }
        );
        assert_eq!(audit_count(&db).await, audits, "nothing written");
        assert_eq!(
            counting(db.clone(), n.clone()).await,
            (IncomeSource::Verification, 300, d(6, 2))
        );
        // a follow-up of July counts; the May figures of its source kept are gone
        assert_eq!(
            visit(rec(2022, 400), IncomeSource::FollowUp, d(7, 10)).await,
            VisitRecord::Counts { version: 4 }
        );
        assert_eq!(
            others(&db, &n).await,
            [
                (2022, IncomeSource::Import, 100),
                (2022, IncomeSource::Verification, 300)
            ]
        );
        // an older follow-up: the source's later figures count already, nothing kept
        assert_eq!(
            visit(rec(2022, 350), IncomeSource::FollowUp, d(6, 20)).await,
            VisitRecord::NotCounted {
                counting: IncomeSource::FollowUp
            }
        );
        assert_eq!(others(&db, &n).await.len(), 2);
        // a correction by hand today counts over all of them
        income::upsert(
            &db,
            &actor(),
            &n,
            &rec(2022, 500),
            IncomeSource::Manual,
            Some(4),
        )
        .await
        .unwrap();
        // a 入户核查 of August 2022 recorded after it: the correction counts; the visit's figures are
        // kept as 入户核查's, replacing the June ones (earlier), audited
        let audits = audit_count(&db).await;
        assert_eq!(
            visit(rec(2022, 600), IncomeSource::Verification, d(8, 1)).await,
            VisitRecord::NotCounted {
                counting: IncomeSource::Manual
            }
        );
        assert_eq!(audit_count(&db).await, audits + 1);
        assert_eq!(
            counting(db.clone(), n.clone()).await.0,
            IncomeSource::Manual
        );
        assert_eq!(
            others(&db, &n).await,
            [
                (2022, IncomeSource::FollowUp, 400),
                (2022, IncomeSource::Import, 100),
                (2022, IncomeSource::Verification, 600)
            ]
        );
        // a visit of a year without a record writes it
        assert_eq!(
            visit(rec(2021, 7), IncomeSource::FollowUp, d(2, 1)).await,
            VisitRecord::Counts { version: 1 }
        );
        // a household outside the scope's area is not found; nothing written
        let other = scope(Role::VillageTeam, VILLAGE_B1);
        let tx = db.begin_write().await.unwrap();
        assert!(matches!(
            income::record_visit_on(
                &tx,
                &actor(),
                &other,
                &n,
                &rec(2022, 1),
                IncomeSource::FollowUp,
                d(9, 1)
            )
            .await,
            Err(StoreError::NotFound)
        ));
    }
);
