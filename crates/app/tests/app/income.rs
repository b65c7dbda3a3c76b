//! `income`: the one write path of a yearly income record (page, API, CLI, visits), its assessment, and
//! the income rule that files a clue once per household and year, on both databases.

use shouwang_app::income::{self, IncomeSheet};
use shouwang_app::lifecycle::Filed;
use shouwang_app::{Caller, Kind};
use shouwang_core::income::IncomeSource;
use shouwang_core::line::LineStatus;
use shouwang_core::monitoring::Source;
use shouwang_core::{Fen, IncomeRecord, Role, Scope};
use shouwang_store::repo::{cases, households};
use shouwang_store::{Db, db_test};

use shouwang_store::testing::fixtures::{
    VILLAGE_A1, VILLAGE_B1, actor, audit_count, household, seed_regions,
};

fn caller(role: Role, area: &str) -> Caller {
    Caller {
        user_id: 7,
        name: "村专班王五".to_owned(),
        scope: Scope::new(7, role, area),
    }
}

fn year(year: i32, net_yuan: i64, members: u32) -> IncomeRecord {
    IncomeRecord {
        year,
        wage: Fen::from_yuan(net_yuan + 500),
        production_cost: Fen::from_yuan(500),
        members,
        ..IncomeRecord::default()
    }
}

async fn sources_of(db: &Db, number: &str) -> Vec<Source> {
    let scope = Scope::new(1, Role::CountyAdmin, "141123");
    cases::get(db, &scope, number)
        .await
        .unwrap()
        .map(|r| {
            r.case
                .clues
                .iter()
                .flat_map(|c| c.sources.iter().map(|s| s.report.source.clone()))
                .collect()
        })
        .unwrap_or_default()
}

db_test!(
    fn a_clear_drop_files_one_clue_per_year(db: Db) {
        seed_regions(&db).await;
        households::create(&db, &actor(), &household("H1", VILLAGE_A1, "李一", 1))
            .await
            .unwrap();
        let team = caller(Role::VillageTeam, VILLAGE_A1);
        let before = audit_count(&db).await;

        let s = income::set(
            &db,
            &team,
            "H1",
            &year(2021, 20_000, 2),
            IncomeSource::Manual,
            None,
        )
        .await
        .unwrap();
        assert_eq!((s.version, s.filed), (1, None));
        assert_eq!(s.assessment.per_capita, Fen::from_yuan(10_000));
        assert_eq!(s.assessment.line, Some(Fen::from_yuan(6_000)));
        assert!(sources_of(&db, "H1").await.is_empty());

        // −40 %, and below the 2022 line: a finding, filed as a new case
        let s = income::set(
            &db,
            &team,
            "H1",
            &year(2022, 12_000, 2),
            IncomeSource::Manual,
            None,
        )
        .await
        .unwrap();
        assert!(s.assessment.clear_drop && s.assessment.below_after_rigid);
        assert_eq!(s.assessment.status, Some(LineStatus::Below));
        assert_eq!(s.filed, Some(Filed::NewCase));
        assert_eq!(
            sources_of(&db, "H1").await,
            [Source::IncomeReview { year: 2022 }]
        );

        // a correction of the same year: still a finding, not filed twice
        let s = income::set(
            &db,
            &team,
            "H1",
            &year(2022, 12_500, 2),
            IncomeSource::Manual,
            Some(1),
        )
        .await
        .unwrap();
        assert_eq!((s.version, s.filed), (2, None));
        assert_eq!(sources_of(&db, "H1").await.len(), 1);

        // written: 3 income rows, the case opened; each audited
        assert!(audit_count(&db).await >= before + 4);

        let sheet: IncomeSheet = income::show(&db, &team, "H1").await.unwrap();
        let years: Vec<(i32, IncomeSource, i64, bool)> = sheet
            .years
            .iter()
            .map(|y| (y.record.year, y.source, y.version, y.assessment.clear_drop))
            .collect();
        assert_eq!(
            years,
            [
                (2021, IncomeSource::Manual, 1, false),
                (2022, IncomeSource::Manual, 2, true)
            ]
        );
        assert_eq!(sheet.drop_pct, 30);
    }
);

db_test!(
    fn refusals_change_nothing(db: Db) {
        seed_regions(&db).await;
        households::create(&db, &actor(), &household("H1", VILLAGE_A1, "李一", 1))
            .await
            .unwrap();
        let team = caller(Role::VillageTeam, VILLAGE_A1);
        income::set(
            &db,
            &team,
            "H1",
            &year(2021, 20_000, 2),
            IncomeSource::Manual,
            None,
        )
        .await
        .unwrap();
        let n = audit_count(&db).await;

        let stale = income::set(
            &db,
            &team,
            "H1",
            &year(2021, 1, 2),
            IncomeSource::Manual,
            None,
        )
        .await
        .unwrap_err();
        assert_eq!(stale.kind, Kind::Conflict, "{stale:?}");
        let other = caller(Role::VillageTeam, VILLAGE_B1);
        let e = income::set(
            &db,
            &other,
            "H1",
            &year(2021, 1, 2),
            IncomeSource::Manual,
            Some(1),
        )
        .await
        .unwrap_err();
        assert_eq!(e.kind, Kind::NotFound);
        assert_eq!(
            income::show(&db, &other, "H1").await.unwrap_err().kind,
            Kind::NotFound
        );
        let auditor = caller(Role::Auditor, "141123");
        let e = income::set(
            &db,
            &auditor,
            "H1",
            &year(2021, 1, 2),
            IncomeSource::Manual,
            Some(1),
        )
        .await
        .unwrap_err();
        assert_eq!(e.kind, Kind::Forbidden);
        let mut negative = year(2021, 1, 2);
        negative.transfer = Fen(-1);
        let e = income::set(&db, &team, "H1", &negative, IncomeSource::Manual, Some(1))
            .await
            .unwrap_err();
        assert_eq!(e.kind, Kind::Invalid);
        assert!(e.zh.contains("转移性收入不能为负数"), "{}", e.zh);
        let e = income::set(
            &db,
            &team,
            "H1",
            &year(2021, 1, 0),
            IncomeSource::Manual,
            Some(1),
        )
        .await
        .unwrap_err();
        assert_eq!(e.kind, Kind::Invalid);
        // a preview writes nothing
        let a = income::preview(&db, &team, "H1", &year(2022, 5_000, 2))
            .await
            .unwrap();
        assert!(a.clear_drop);
        assert_eq!(audit_count(&db).await, n);
        let sheet = income::show(&db, &team, "H1").await.unwrap();
        assert_eq!(sheet.years.len(), 1);
        assert_eq!(sheet.years[0].record, year(2021, 20_000, 2));
    }
);

db_test!(
    fn a_review_files_each_finding_once(db: Db) {
        seed_regions(&db).await;
        for (n, seq) in [("H1", 1), ("H2", 2), ("H3", 3)] {
            households::create(
                &db,
                &actor(),
                &household(n, VILLAGE_A1, &format!("户主{seq}"), seq),
            )
            .await
            .unwrap();
        }
        households::create(&db, &actor(), &household("H9", VILLAGE_B1, "户主9", 9))
            .await
            .unwrap();
        let sys = actor();
        let put = |n: &'static str, r: IncomeRecord| {
            let db = db.clone();
            let sys = sys.clone();
            async move {
                shouwang_store::repo::income::upsert(&db, &sys, n, &r, IncomeSource::Import, None)
                    .await
                    .unwrap();
            }
        };
        // H1 drops 40 %, H2 stays, H3 has 2022 only (above the line), H9 drops but lies outside the area
        put("H1", year(2021, 30_000, 2)).await;
        put("H1", year(2022, 18_000, 2)).await;
        put("H2", year(2021, 30_000, 2)).await;
        put("H2", year(2022, 29_000, 2)).await;
        put("H3", year(2022, 29_000, 2)).await;
        put("H9", year(2021, 30_000, 2)).await;
        put("H9", year(2022, 1_000, 2)).await;
        let town = caller(Role::TownshipAdmin, "141123100");
        let on = chrono::NaiveDate::from_ymd_opt(2023, 1, 10).unwrap();
        let s = income::review(&db, &town, None, 2022, on).await.unwrap();
        assert_eq!((s.households, s.findings, s.new_cases), (3, 1, 1), "{s:?}");
        assert_eq!(
            sources_of(&db, "H1").await,
            [Source::IncomeReview { year: 2022 }]
        );
        assert!(sources_of(&db, "H9").await.is_empty());
        let again = income::review(&db, &town, None, 2022, on).await.unwrap();
        assert_eq!(
            (again.findings, again.new_cases, again.already_present),
            (1, 0, 1)
        );
        let dept = caller(Role::Department, "141123");
        assert_eq!(
            income::review(&db, &dept, None, 2022, on)
                .await
                .unwrap_err()
                .kind,
            Kind::Forbidden
        );
    }
);

db_test!(
    fn both_sources_are_shown_when_they_disagree(db: Db) {
        seed_regions(&db).await;
        households::create(&db, &actor(), &household("H1", VILLAGE_A1, "李一", 1))
            .await
            .unwrap();
        let team = caller(Role::VillageTeam, VILLAGE_A1);
        let import = |r: IncomeRecord, v: Option<i64>| {
            let db = db.clone();
            async move {
                shouwang_store::repo::income::upsert(
                    &db,
                    &actor(),
                    "H1",
                    &r,
                    IncomeSource::Import,
                    v,
                )
                .await
                .unwrap()
            }
        };
        import(year(2021, 20_000, 2), None).await;
        import(year(2022, 18_000, 2), None).await;
        // 2022 corrected by hand: the import's figures stay, not counted; 2021 corrected with the same
        // figures: nothing to show
        income::set(
            &db,
            &team,
            "H1",
            &year(2022, 16_000, 2),
            IncomeSource::Manual,
            Some(1),
        )
        .await
        .unwrap();
        income::set(
            &db,
            &team,
            "H1",
            &year(2021, 20_000, 2),
            IncomeSource::Manual,
            Some(1),
        )
        .await
        .unwrap();
        let sheet = income::show(&db, &team, "H1").await.unwrap();
        let y21 = sheet.year(2021).unwrap();
        assert_eq!(y21.source, IncomeSource::Manual);
        assert!(
            y21.not_counted.is_empty(),
            "identical figures need no second row"
        );
        let y22 = sheet.year(2022).unwrap();
        assert_eq!(
            (y22.source, y22.assessment.per_capita),
            (IncomeSource::Manual, Fen::from_yuan(8_000))
        );
        assert_eq!(y22.as_of, shouwang_app::today());
        assert_eq!(y22.not_counted.len(), 1);
        let o = &y22.not_counted[0];
        assert_eq!(
            (o.source, o.record, o.per_capita, o.net_income),
            (
                IncomeSource::Import,
                year(2022, 18_000, 2),
                Fen::from_yuan(9_000),
                Fen::from_yuan(18_000)
            )
        );
        assert_eq!(o.reason_zh, "以最近一次核实记录为准");
        assert_eq!(o.reason_en, "The latest verified record counts");
        // the JSON of the API and `shouwang income show --json`
        let json = serde_json::to_value(&sheet).unwrap();
        assert_eq!(json["years"][1]["not_counted"][0]["source"], "import");
        assert_eq!(json["years"][1]["not_counted"][0]["per_capita"], 900_000);
        assert_eq!(json["years"][0]["not_counted"], serde_json::json!([]));
    }
);
