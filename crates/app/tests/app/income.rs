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

db_test!(
    fn a_follow_ups_income_is_the_years_record_when_it_is_the_latest_verified(db: Db) {
        use shouwang_app::lifecycle::{self, Request};
        use shouwang_core::monitoring::{Command, FollowUp, Lifecycle, YearMonth};
        use shouwang_store::repo::cases::CaseQuery;
        let county = shouwang_app::demo::generate(400, 7);
        shouwang_app::demo::load(&db, &county, &|_, _| {})
            .await
            .unwrap();
        let team = shouwang_app::caller_by_username(&db, "village_team")
            .await
            .unwrap()
            .unwrap();
        let q = CaseQuery {
            lifecycle: Some(Lifecycle::Monitored),
            region: Some(team.scope.area_prefix().trim().to_owned()),
            ..Default::default()
        };
        let number = cases::list(&db, &team.scope, &q, 1, 10)
            .await
            .unwrap()
            .items
            .first()
            .expect("a monitored household of the village")
            .household_number
            .clone();
        let today = shouwang_app::today();
        let this = YearMonth::of(today);
        let back = |m: YearMonth| YearMonth::of(m.first_day() - chrono::Duration::days(1));
        let y = this.year();
        let follow_up = |month: YearMonth, income: Option<IncomeRecord>| {
            let (db, team, number) = (db.clone(), team.clone(), number.clone());
            async move {
                let version = cases::get(&db, &team.scope, &number)
                    .await
                    .unwrap()
                    .unwrap()
                    .version;
                let visit = FollowUp {
                    month,
                    visited_on: month.first_day(),
                    measures_carried_out: true,
                    policies_received: true,
                    standards_secure: true,
                    household_approves: true,
                    per_capita_income_estimate: Fen::from_yuan(7_000),
                    notes: String::new(),
                    income,
                };
                lifecycle::execute(
                    &db,
                    &team,
                    Request {
                        household: number,
                        version: Some(version),
                        on: Some(month.first_day()),
                        command: Command::FollowUp { visit },
                    },
                )
                .await
            }
        };
        let estimate = |db: Db, team: Caller, number: String, m: YearMonth| async move {
            cases::get(&db, &team.scope, &number)
                .await
                .unwrap()
                .unwrap()
                .case
                .follow_ups
                .month(m)
                .map(|e| e.visit.per_capita_income_estimate)
        };

        // this month's visit with its income: the year's record, source 月度走访, in the same step
        follow_up(this, Some(year(y, 30_000, 3))).await.unwrap();
        let sheet = income::show(&db, &team, &number).await.unwrap();
        let rec = sheet.year(y).unwrap();
        assert_eq!(
            (rec.source, rec.as_of, rec.record),
            (IncomeSource::FollowUp, this.first_day(), year(y, 30_000, 3))
        );
        assert_eq!(
            estimate(db.clone(), team.clone(), number.clone(), this).await,
            Some(Fen::from_yuan(10_000))
        );
        // a refused visit (the same month again) writes no income either
        assert!(follow_up(this, Some(year(y, 1, 1))).await.is_err());
        assert_eq!(income::show(&db, &team, &number).await.unwrap(), sheet);

        // corrected by hand today; a visit of two months back entered afterwards does not replace the
        // correction: its figures are shown under it, not counted, and its estimate is its own
        income::set(
            &db,
            &team,
            &number,
            &year(y, 24_000, 3),
            IncomeSource::Manual,
            Some(1),
        )
        .await
        .unwrap();
        let earlier = back(back(this));
        if earlier.year() == y {
            follow_up(earlier, Some(year(y, 45_000, 3))).await.unwrap();
            let sheet = income::show(&db, &team, &number).await.unwrap();
            let rec = sheet.year(y).unwrap();
            assert_eq!(
                (rec.source, rec.record),
                (IncomeSource::Manual, year(y, 24_000, 3))
            );
            let shown: Vec<(IncomeSource, i64)> = rec
                .not_counted
                .iter()
                .map(|o| (o.source, o.per_capita.0))
                .collect();
            assert_eq!(
                shown,
                [(IncomeSource::FollowUp, 1_000_000)],
                "this month's visit's figures, replaced by hand, are kept as 月度走访's; the earlier \
                 visit's do not replace them (the latest figures of a source win)"
            );
            assert_eq!(
                estimate(db.clone(), team.clone(), number.clone(), earlier).await,
                Some(Fen::from_yuan(15_000))
            );
        }
        // a visit without the income writes no record
        let before = income::show(&db, &team, &number).await.unwrap();
        follow_up(back(this), None).await.unwrap();
        assert_eq!(income::show(&db, &team, &number).await.unwrap(), before);
    }
);
