//! `screening`: the registry export for the screening engine and the recording of its findings as
//! clues of channel 部门筛查, on both databases.

use chrono::NaiveDate;
use shouwang_app::Caller;
use shouwang_app::lifecycle::Filed;
use shouwang_app::screening::department::{self as screening, DepartmentHit, HitResult};
use shouwang_core::codes::{HouseholdType, RiskType};
use shouwang_core::monitoring::{
    Channel, Decision, IdentAction, IdentStep, IdentificationRules, Lifecycle, Source,
    Verification, YearMonth,
};
use shouwang_core::{Fen, IncomeRecord, Role, Scope};
use shouwang_store::repo::cases::{self, CaseQuery};
use shouwang_store::repo::{households, income};
use shouwang_store::{Db, StoreError, db_test};

use shouwang_store::testing::fixtures::{
    VILLAGE_A1, VILLAGE_A2, VILLAGE_B1, actor, audit_count, household, scope, seed_regions,
};

fn caller(role: Role, area: &str) -> Caller {
    Caller {
        user_id: 9,
        name: "县医保局数据员".to_owned(),
        scope: Scope::new(9, role, area),
    }
}

fn department() -> Caller {
    caller(Role::Department, "141123")
}

fn month(m: u32) -> YearMonth {
    YearMonth::new(2022, m).unwrap()
}

fn d(m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2022, m, day).unwrap()
}

fn hit(number: &str, department: &str, risk: RiskType) -> DepartmentHit {
    DepartmentHit {
        household: number.to_owned(),
        department: department.to_owned(),
        file: format!("{department}.csv"),
        risks: vec![risk],
    }
}

async fn register(db: &Db, number: &str, village: &str, seq: u16, net_2021: Option<i64>) {
    let mut h = household(number, village, &format!("户主{seq}"), seq);
    h.household_type = HouseholdType::Ordinary;
    households::create(db, &actor(), &h).await.unwrap();
    if let Some(yuan) = net_2021 {
        let r = IncomeRecord {
            year: 2021,
            wage: Fen::from_yuan(yuan + 1000),
            production_cost: Fen::from_yuan(1000),
            members: 2,
            ..IncomeRecord::default()
        };
        income::upsert(
            db,
            &actor(),
            number,
            &r,
            shouwang_core::income::IncomeSource::Manual,
            None,
        )
        .await
        .unwrap();
    }
}

db_test!(
    fn the_registry_is_exported_for_the_engine(db: Db) {
        seed_regions(&db).await;
        register(&db, "H1", VILLAGE_A1, 11, Some(20_000)).await;
        register(&db, "H2", VILLAGE_A2, 12, Some(9_000)).await;
        register(&db, "H3", VILLAGE_A1, 13, None).await;
        register(&db, "H4", VILLAGE_B1, 14, Some(30_000)).await;
        // A 2022 record is not "last year" for a 2022 screening.
        let r = IncomeRecord {
            year: 2022,
            wage: Fen::from_yuan(99_999),
            members: 2,
            ..IncomeRecord::default()
        };
        income::upsert(
            &db,
            &actor(),
            "H1",
            &r,
            shouwang_core::income::IncomeSource::Manual,
            None,
        )
        .await
        .unwrap();

        let dir = tempfile::tempdir().unwrap();
        let town = caller(Role::TownshipAdmin, "141123100");
        let out = screening::export_registry(&db, &town, 2022, dir.path())
            .await
            .unwrap();
        assert_eq!((out.households, out.without_income), (2, 1));
        assert_eq!(out.members, 6);
        let hh = std::fs::read_to_string(dir.path().join("households.csv")).unwrap();
        assert_eq!(
            hh,
            "户编号,村代码,家庭人口,上年家庭纯收入,户类型\n\
             H1,141123100201,2,20000.00,一般农户\n\
             H2,141123100202,2,9000.00,一般农户\n"
        );
        let members = std::fs::read_to_string(dir.path().join("members.csv")).unwrap();
        let lines: Vec<&str> = members.lines().collect();
        assert_eq!(lines[0], "身份证号,户编号,姓名,与户主关系");
        assert_eq!(lines.len(), 7);
        assert!(
            lines.iter().any(|l| l.ends_with(",H1,户主11,户主")),
            "{members}"
        );
        assert!(!members.contains(",H4,"));
        // Full ID numbers in clear: readable by the owner only (issue 19).
        #[cfg(unix)]
        for f in ["households.csv", "members.csv"] {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join(f))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600, "{f}");
        }

        // A wider scope than a county cannot export.
        let wide = caller(Role::CountyAdmin, "14");
        assert!(matches!(
            screening::export_registry(&db, &wide, 2022, dir.path()).await,
            Err(StoreError::Forbidden)
        ));
    }
);

db_test!(
    fn findings_become_clues_once_per_round_and_department(db: Db) {
        seed_regions(&db).await;
        register(&db, "H1", VILLAGE_A1, 11, Some(20_000)).await;
        register(&db, "H2", VILLAGE_A2, 12, Some(9_000)).await;
        let dep = department();
        let june = vec![
            hit("H1", "县医疗保障局", RiskType::Illness),
            hit("H1", "县住房和城乡建设局", RiskType::Housing),
            hit("H2", "县医疗保障局", RiskType::Illness),
            hit("NOPE", "县医疗保障局", RiskType::Illness),
        ];
        let audit0 = audit_count(&db).await;
        let (s, results) = screening::record(&db, &dep, month(6), d(7, 5), &june)
            .await
            .unwrap();
        assert_eq!(
            results,
            [
                HitResult::Filed(Filed::NewCase),
                HitResult::Filed(Filed::NewClue),
                HitResult::Filed(Filed::NewCase),
                HitResult::NotInRegistry,
            ]
        );
        assert_eq!((s.households, s.reports), (3, 4));
        assert_eq!((s.new_cases, s.new_clues, s.merged), (2, 1, 0));
        assert_eq!(s.not_in_registry, 1);
        assert_eq!(audit_count(&db).await, audit0 + 3);

        let county = Scope::new(1, Role::CountyAdmin, "141123");
        let h1 = cases::get(&db, &county, "H1").await.unwrap().unwrap();
        assert_eq!(h1.lifecycle, Lifecycle::Clue);
        assert_eq!(h1.case.clues.len(), 2);
        let src = &h1.case.clues[0].sources[0];
        assert_eq!(src.report.reported_on, d(7, 5));
        assert_eq!(src.recorded_by.role, Role::Department);
        assert_eq!(
            src.report.source,
            Source::DepartmentScreening {
                department: "县医疗保障局".into(),
                file: "县医疗保障局.csv".into(),
                round: Some(month(6)),
            }
        );
        assert!(src.report.source.describe_zh().contains("2022年6月批次"));

        // The same month again adds nothing.
        let (s, results) = screening::record(&db, &dep, month(6), d(7, 6), &june)
            .await
            .unwrap();
        assert_eq!(s.already_present, 3);
        assert_eq!((s.new_cases, s.new_clues, s.merged), (0, 0, 0));
        assert_eq!(results[3], HitResult::NotInRegistry);
        assert_eq!(audit_count(&db).await, audit0 + 3);
        assert_eq!(
            cases::get(&db, &county, "H1")
                .await
                .unwrap()
                .unwrap()
                .version,
            h1.version
        );

        // July: the same cause within the merge window merges; a new department adds a clue.
        let july = vec![
            hit("H1", "县医疗保障局", RiskType::Illness),
            hit("H2", "县应急管理局", RiskType::Disaster),
        ];
        let (s, _) = screening::record(&db, &dep, month(7), d(8, 1), &july)
            .await
            .unwrap();
        assert_eq!((s.merged, s.new_clues), (1, 1));
        let h1 = cases::get(&db, &county, "H1").await.unwrap().unwrap();
        assert_eq!(h1.case.clues[0].sources.len(), 2);
        let page = cases::list(
            &db,
            &county,
            &CaseQuery {
                channel: Some(Channel::DepartmentScreening),
                ..CaseQuery::default()
            },
            1,
            20,
        )
        .await
        .unwrap();
        assert_eq!(page.total, 2);
    }
);

db_test!(
    fn a_closed_case_keeps_its_round_and_the_area_and_role_are_checked(db: Db) {
        seed_regions(&db).await;
        register(&db, "H1", VILLAGE_A1, 11, Some(20_000)).await;
        register(&db, "H2", VILLAGE_B1, 12, Some(20_000)).await;
        let dep = department();
        let june = vec![hit("H1", "县医疗保障局", RiskType::Illness)];
        screening::record(&db, &dep, month(6), d(7, 5), &june)
            .await
            .unwrap();
        // The village team refuses the clue at verification: 未纳入.
        let team = scope(Role::VillageTeam, VILLAGE_A1);
        let by = |role| shouwang_core::monitoring::Actor::new(3, "专班", role);
        let rec = cases::apply(&db, &actor(), &team, "H1", 1, |c| {
            c.apply(
                shouwang_core::monitoring::CaseAction::StartIdentification {
                    rules: IdentificationRules::default(),
                },
                &by(Role::VillageTeam),
                d(7, 6),
            )
        })
        .await
        .unwrap();
        let rec = cases::apply(&db, &actor(), &team, "H1", rec.version, |c| {
            c.apply(
                shouwang_core::monitoring::CaseAction::Identify {
                    action: IdentAction::Verify {
                        verification: Box::new(Verification {
                            visited_on: d(7, 7),
                            visitors: vec!["李四".into()],
                            findings: "医疗费用已由大病保险报销".into(),
                            income: None,
                            standards: shouwang_core::monitoring::Standards::all_secure(),
                            authorisation: None,
                            signature: shouwang_core::monitoring::Signature::NotSigned {
                                reason: "外出".into(),
                            },
                            attachments: vec![],
                        }),
                        decision: Decision::fail("无返贫风险"),
                    },
                },
                &by(Role::VillageTeam),
                d(7, 7),
            )
        })
        .await
        .unwrap();
        assert_eq!(rec.lifecycle, Lifecycle::NotIncluded);
        assert_eq!(
            rec.case.identification.as_ref().unwrap().steps[0].step,
            IdentStep::Verification
        );
        // June again: the closed case has it, no new case.
        let (s, _) = screening::record(&db, &dep, month(6), d(7, 8), &june)
            .await
            .unwrap();
        assert_eq!(s.already_present, 1);
        assert_eq!(cases::history(&db, &team, "H1").await.unwrap().len(), 1);
        // August: a new case (the household's second).
        let (s, _) = screening::record(&db, &dep, month(8), d(9, 1), &june)
            .await
            .unwrap();
        assert_eq!(s.new_cases, 1);
        let all = cases::history(&db, &team, "H1").await.unwrap();
        assert_eq!(all.len(), 2);
        assert_eq!(all[1].lifecycle, Lifecycle::Clue);

        // A township admin records in its township only; a village team may not record 部门筛查.
        let town = caller(Role::TownshipAdmin, "141123100");
        let (s, results) = screening::record(
            &db,
            &town,
            month(9),
            d(10, 1),
            &[hit("H2", "县医疗保障局", RiskType::Illness)],
        )
        .await
        .unwrap();
        assert_eq!(results, [HitResult::OutOfArea]);
        assert_eq!(s.out_of_area, 1);
        assert!(
            cases::history(&db, &Scope::new(1, Role::CountyAdmin, "141123"), "H2")
                .await
                .unwrap()
                .is_empty()
        );
        let audit = audit_count(&db).await;
        let e = screening::record(
            &db,
            &caller(Role::VillageTeam, VILLAGE_A1),
            month(9),
            d(10, 1),
            &june,
        )
        .await
        .unwrap_err();
        assert!(matches!(e, StoreError::Forbidden), "{e:?}");
        // A report the core refuses (dated after the screening date) writes nothing at all.
        let e = screening::record(
            &db,
            &dep,
            month(10),
            NaiveDate::from_ymd_opt(1999, 1, 1).unwrap(),
            &[
                hit("H2", "县医疗保障局", RiskType::Illness),
                DepartmentHit {
                    risks: vec![],
                    ..hit("H1", "县教育科技局", RiskType::Schooling)
                },
            ],
        )
        .await
        .unwrap_err();
        assert!(matches!(e, StoreError::Refused(_)), "{e:?}");
        assert_eq!(audit_count(&db).await, audit);
        assert!(
            cases::history(&db, &Scope::new(1, Role::CountyAdmin, "141123"), "H2")
                .await
                .unwrap()
                .is_empty()
        );
    }
);
