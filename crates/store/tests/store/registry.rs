//! `repo::registry`: the household list narrowed by case state and risk type, area-scoped.

use chrono::NaiveDate;
use shouwang_core::Role;
use shouwang_core::codes::{HouseholdType, RiskType};
use shouwang_core::monitoring::clue::ApplicationMeans;
use shouwang_core::monitoring::{Actor as CoreActor, Lifecycle, Report, Source};
use shouwang_store::repo::registry::{self, RegistryQuery};
use shouwang_store::repo::{cases, households};
use shouwang_store::{Db, HouseholdQuery, db_test};

use shouwang_store::testing::fixtures::*;

fn numbers(p: &shouwang_store::Page<shouwang_store::HouseholdRow>) -> Vec<String> {
    p.items.iter().map(|r| r.number.clone()).collect()
}

async fn seed(db: &Db) {
    seed_regions(db).await;
    let mut h1 = household("H1", VILLAGE_A1, "张一", 1);
    h1.risks = vec![RiskType::Illness, RiskType::DisasterFlood];
    let mut h2 = household("H2", VILLAGE_A1, "张二", 2);
    h2.risks = vec![RiskType::Schooling];
    h2.household_type = HouseholdType::Ordinary;
    let mut h3 = household("H3", VILLAGE_B1, "王三", 3);
    h3.risks = vec![RiskType::Illness];
    for h in [h1, h2, h3] {
        households::create(db, &actor(), &h).await.unwrap();
    }
    let on = NaiveDate::from_ymd_opt(2022, 3, 1).unwrap();
    for n in ["H1", "H3"] {
        let report = Report {
            household: n.to_owned(),
            source: Source::Application {
                applicant: "申请人".to_owned(),
                stated_cause: "患病".to_owned(),
                means: ApplicationMeans::Written,
            },
            risks: vec![RiskType::Illness],
            reporter: "申请人".to_owned(),
            reported_on: on,
        };
        cases::open(
            db,
            &actor(),
            &county_scope(),
            report,
            &CoreActor::new(7, "测试员", Role::TownshipAdmin),
            on,
        )
        .await
        .unwrap();
    }
}

db_test!(
    fn registry_filters_by_state_and_risk(db: Db) {
        seed(&db).await;
        let county = county_scope();
        let q = |lifecycle, risk| RegistryQuery {
            base: HouseholdQuery::default(),
            lifecycle,
            risk,
        };
        let all = registry::search(&db, &county, &q(None, None), 1, 20)
            .await
            .unwrap();
        assert_eq!(numbers(&all), ["H1", "H2", "H3"]);
        let clues = registry::search(&db, &county, &q(Some(Some(Lifecycle::Clue)), None), 1, 20)
            .await
            .unwrap();
        assert_eq!(numbers(&clues), ["H1", "H3"]);
        assert_eq!(clues.total, 2);
        let none = registry::search(&db, &county, &q(Some(None), None), 1, 20)
            .await
            .unwrap();
        assert_eq!(numbers(&none), ["H2"]);
        let monitored = registry::search(
            &db,
            &county,
            &q(Some(Some(Lifecycle::Monitored)), None),
            1,
            20,
        )
        .await
        .unwrap();
        assert!(monitored.items.is_empty() && monitored.total == 0);
        let illness = registry::search(&db, &county, &q(None, Some(RiskType::Illness)), 1, 20)
            .await
            .unwrap();
        assert_eq!(numbers(&illness), ["H1", "H3"]);
        // 02 matches its flood sub-code; 0201 itself too; 09 only H2.
        for (risk, want) in [
            (RiskType::Disaster, vec!["H1"]),
            (RiskType::DisasterFlood, vec!["H1"]),
            (RiskType::Schooling, vec!["H2"]),
            (RiskType::Water, vec![]),
        ] {
            let p = registry::search(&db, &county, &q(None, Some(risk)), 1, 20)
                .await
                .unwrap();
            assert_eq!(numbers(&p), want, "{risk:?}");
        }
        // Combined with the base filters and text: village, type, 户编号 prefix, name.
        let mut rq = q(Some(Some(Lifecycle::Clue)), Some(RiskType::Illness));
        rq.base.village = Some(VILLAGE_A1.to_owned());
        assert_eq!(
            numbers(&registry::search(&db, &county, &rq, 1, 20).await.unwrap()),
            ["H1"]
        );
        rq.base.village = None;
        rq.base.q = Some("王三".to_owned());
        assert_eq!(
            numbers(&registry::search(&db, &county, &rq, 1, 20).await.unwrap()),
            ["H3"]
        );
        // A name prefix (a surname) matches members' names.
        rq.base.q = Some("张".to_owned());
        assert_eq!(
            numbers(&registry::search(&db, &county, &rq, 1, 20).await.unwrap()),
            ["H1"]
        );
        let mut typed = q(None, Some(RiskType::Illness));
        typed.base.household_type = Some(HouseholdType::Ordinary);
        assert!(
            registry::search(&db, &county, &typed, 1, 20)
                .await
                .unwrap()
                .items
                .is_empty()
        );
        // Paging.
        let p2 = registry::search(&db, &county, &q(None, Some(RiskType::Illness)), 2, 1)
            .await
            .unwrap();
        assert_eq!((numbers(&p2), p2.total), (vec!["H3".to_owned()], 2));

        // Area: a village scope sees only its own households, whatever the filter.
        let village = scope(Role::VillageTeam, VILLAGE_A1);
        let v = registry::search(&db, &village, &q(Some(Some(Lifecycle::Clue)), None), 1, 20)
            .await
            .unwrap();
        assert_eq!(numbers(&v), ["H1"]);
        let mut outside = q(None, Some(RiskType::Illness));
        outside.base.village = Some(VILLAGE_B1.to_owned());
        assert!(
            registry::search(&db, &village, &outside, 1, 20)
                .await
                .unwrap()
                .items
                .is_empty()
        );

        // The states of a page's households, scoped.
        let all_numbers: Vec<String> = ["H1", "H2", "H3"].map(String::from).to_vec();
        let states = registry::lifecycles(&db, &county, &all_numbers)
            .await
            .unwrap();
        assert_eq!(states.len(), 2);
        assert_eq!(states.get("H1"), Some(&Lifecycle::Clue));
        assert!(!states.contains_key("H2"));
        let states = registry::lifecycles(&db, &village, &all_numbers)
            .await
            .unwrap();
        assert_eq!(states.keys().collect::<Vec<_>>(), ["H1"]);
        assert!(
            registry::lifecycles(&db, &county, &[])
                .await
                .unwrap()
                .is_empty()
        );
    }
);

db_test!(
    fn dashboard_stats_by_area(db: Db) {
        seed(&db).await;
        let mut m = household("H4", VILLAGE_A2, "李四", 4);
        m.monitored_type =
            Some(<shouwang_core::codes::MonitoredType as shouwang_core::CodeList>::all()[0]);
        m.risks = vec![RiskType::Illness, RiskType::Schooling];
        households::create(&db, &actor(), &m).await.unwrap();
        let income = shouwang_core::IncomeRecord {
            year: 2022,
            wage: shouwang_core::Fen::from_yuan(13000),
            members: 2,
            ..Default::default()
        };
        shouwang_store::repo::income::upsert(
            &db,
            &actor(),
            "H4",
            &income,
            shouwang_core::income::IncomeSource::Manual,
            None,
        )
        .await
        .unwrap();
        let s = registry::stats(&db, &county_scope()).await.unwrap();
        assert_eq!(s.monitored_by_village, vec![(VILLAGE_A2.to_owned(), 1)]);
        assert_eq!(s.monitored_by_risk.len(), 2);
        assert_eq!(s.monitored_by_type.len(), 1);
        assert_eq!(s.income_by_year, vec![(2022, 1_300_000, 2)]);
        // Another township's scope sees none of it.
        let other = registry::stats(&db, &scope(Role::TownshipAdmin, TOWN_B))
            .await
            .unwrap();
        assert!(other.monitored_by_village.is_empty() && other.income_by_year.is_empty());
    }
);
