//! `screening_round`: 干部排查 rounds on both databases — full coverage, clues for the households at
//! risk, the 排查台账 row and its audit row, the calendar task, and refusals that write nothing.

use chrono::NaiveDate;
use shouwang_app::Caller;
use shouwang_app::lifecycle;
use shouwang_app::screening::cadre as screening_round;
use shouwang_core::codes::RiskType;
use shouwang_core::monitoring::calendar::{TaskKind, TaskStatus};
use shouwang_core::monitoring::{Channel, Lifecycle, RoundEntry, ScreeningRound};
use shouwang_core::{Role, Scope};
use shouwang_store::repo::{cases, households};
use shouwang_store::{Db, StoreError, db_test};

use shouwang_store::testing::fixtures::{
    VILLAGE_A1, VILLAGE_A2, actor, audit_count, household, seed_regions,
};

fn d(m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2022, m, day).unwrap()
}

fn caller(role: Role, area: &str) -> Caller {
    Caller {
        user_id: 11,
        name: "村工作队张三".to_owned(),
        scope: Scope::new(11, role, area),
    }
}

fn round(label: &str, numbers: &[&str], flagged: &[&str]) -> ScreeningRound {
    ScreeningRound {
        village: VILLAGE_A1.to_owned(),
        label: label.to_owned(),
        held_on: d(6, 10),
        screeners: "张三、李四".to_owned(),
        entries: numbers
            .iter()
            .map(|n| RoundEntry {
                household: (*n).to_owned(),
                risks: if flagged.contains(n) {
                    vec![RiskType::Illness]
                } else {
                    Vec::new()
                },
                note: if flagged.contains(n) {
                    "户主住院".to_owned()
                } else {
                    String::new()
                },
            })
            .collect(),
    }
}

async fn setup(db: &Db) {
    seed_regions(db).await;
    for (n, v, seq) in [
        ("R1", VILLAGE_A1, 91),
        ("R2", VILLAGE_A1, 92),
        ("R3", VILLAGE_A1, 93),
        ("R9", VILLAGE_A2, 99),
    ] {
        households::create(db, &actor(), &household(n, v, &format!("户主{seq}"), seq))
            .await
            .unwrap();
    }
}

fn refused_zh(e: StoreError) -> String {
    match e {
        StoreError::Refused(r) => r.message_zh,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

db_test!(
    fn a_round_files_clues_keeps_the_ledger_and_completes_the_quarter(db: Db) {
        setup(&db).await;
        let team = caller(Role::VillageTeam, VILLAGE_A1);
        let all = ["R1", "R2", "R3"];
        assert_eq!(
            screening_round::households_of(&db, &team.scope, VILLAGE_A1)
                .await
                .unwrap(),
            all
        );
        let audits = audit_count(&db).await;
        let s = screening_round::record(
            &db,
            &team,
            &round("2022年第2季度干部排查", &all, &["R2"]),
            d(6, 10),
        )
        .await
        .unwrap();
        assert_eq!((s.households, s.flagged, s.new_cases), (3, 1, 1));
        let rec = cases::get(&db, &team.scope, "R2")
            .await
            .unwrap()
            .expect("case");
        assert_eq!(rec.lifecycle, Lifecycle::Clue);
        assert_eq!(
            rec.case.clues[0].sources[0].report.source.channel(),
            Channel::CadreScreening
        );
        assert!(cases::get(&db, &team.scope, "R1").await.unwrap().is_none());
        assert!(
            audit_count(&db).await >= audits + 2,
            "case and round audited"
        );

        // The 排查台账: the round with every household.
        let rows = screening_round::list(&db, &team.scope, None, d(4, 1), d(6, 30))
            .await
            .unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].round.entries.len(), 3);
        assert_eq!(rows[0].recorded_by, "村工作队张三");
        // Not seen from another village.
        let other = Scope::new(12, Role::VillageTeam, VILLAGE_A2);
        assert!(
            screening_round::list(&db, &other, None, d(4, 1), d(6, 30))
                .await
                .unwrap()
                .is_empty()
        );

        // The same round again is refused, and writes nothing.
        let audits = audit_count(&db).await;
        let e = screening_round::record(
            &db,
            &team,
            &round("2022年第2季度干部排查", &all, &["R2", "R3"]),
            d(6, 11),
        )
        .await
        .unwrap_err();
        assert!(refused_zh(e).contains("已登记"));
        assert!(cases::get(&db, &team.scope, "R3").await.unwrap().is_none());
        assert_eq!(audit_count(&db).await, audits);

        // The quarter's 干部排查 task of the village is done.
        let cal = lifecycle::calendar(&db, &team, Some(VILLAGE_A1), d(4, 1), d(6, 30), d(7, 5))
            .await
            .unwrap();
        let task = cal
            .iter()
            .find(|t| t.task.kind == TaskKind::CadreScreening)
            .expect("cadre screening task");
        assert!(
            matches!(task.status, TaskStatus::Done | TaskStatus::DoneLate),
            "{task:?}"
        );
        assert_eq!(task.completed_on, Some(d(6, 10)));
    }
);

db_test!(
    fn a_round_without_findings_still_counts_for_the_quarter(db: Db) {
        setup(&db).await;
        let team = caller(Role::VillageTeam, VILLAGE_A1);
        let s = screening_round::record(
            &db,
            &team,
            &round("二季度排查", &["R1", "R2", "R3"], &[]),
            d(6, 10),
        )
        .await
        .unwrap();
        assert_eq!((s.flagged, s.new_cases), (0, 0));
        let cal = lifecycle::calendar(&db, &team, Some(VILLAGE_A1), d(4, 1), d(6, 30), d(7, 5))
            .await
            .unwrap();
        assert!(
            cal.iter().any(
                |t| t.task.kind == TaskKind::CadreScreening && t.completed_on == Some(d(6, 10))
            )
        );
    }
);

db_test!(
    fn refusals_write_nothing(db: Db) {
        setup(&db).await;
        let team = caller(Role::VillageTeam, VILLAGE_A1);
        let audits = audit_count(&db).await;
        // Not every household (排查农户全覆盖).
        let e =
            screening_round::record(&db, &team, &round("漏户", &["R1", "R2"], &["R2"]), d(6, 10))
                .await
                .unwrap_err();
        assert!(refused_zh(e).contains("R3"));
        // A household of another village.
        let e = screening_round::record(
            &db,
            &team,
            &round("串村", &["R1", "R2", "R3", "R9"], &[]),
            d(6, 10),
        )
        .await
        .unwrap_err();
        assert!(refused_zh(e).contains("R9"));
        // A date after today.
        let e = screening_round::record(
            &db,
            &team,
            &round("未来", &["R1", "R2", "R3"], &[]),
            d(6, 9),
        )
        .await
        .unwrap_err();
        assert!(refused_zh(e).contains("不能晚于今天"));
        // Another village's team, and a role that does not screen.
        let other = caller(Role::VillageTeam, VILLAGE_A2);
        let r = round("越权", &["R1", "R2", "R3"], &["R1"]);
        assert!(matches!(
            screening_round::record(&db, &other, &r, d(6, 10)).await,
            Err(StoreError::NotFound)
        ));
        let county = caller(Role::CountyAdmin, "141123");
        assert!(matches!(
            screening_round::record(&db, &county, &r, d(6, 10)).await,
            Err(StoreError::Forbidden)
        ));
        assert_eq!(audit_count(&db).await, audits);
        assert!(cases::get(&db, &team.scope, "R2").await.unwrap().is_none());
        assert!(
            screening_round::list(&db, &team.scope, None, d(1, 1), d(12, 31))
                .await
                .unwrap()
                .is_empty()
        );
    }
);
