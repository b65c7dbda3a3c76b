//! 光伏扶贫电站 and 光伏收益分配 (B2 §四(二)4, issue 23) on both databases: stations of both kinds registered by
//! the township, monthly income (one per station and month, a correction through its version), a village's
//! monthly distribution with its uses and the 光伏收益 posts it pays; the refusals with nothing written (403
//! another role or area, 404 outside the area, 409 a second month or a stale version, 422 uses above the
//! amount, a month in the future, a post that is no 光伏收益 post of the village); scoping of every read
//! (a village sees the 集中式电站 that benefits it, another township nothing); the board's rate and gap, the
//! dashboard's figure, the ledger, and the calendar's 光伏收益分配 task (done, pending, overdue).

use chrono::NaiveDate;
use shouwang_app::assets::Versioned;
use shouwang_app::ledgers::{self, LedgerRequest};
use shouwang_app::pv::board::BoardQuery;
use shouwang_app::pv::{self, StationFilter};
use shouwang_app::{Caller, Kind, lifecycle, welfare_posts};
use shouwang_core::monitoring::YearMonth;
use shouwang_core::monitoring::calendar::{TaskKind, TaskStatus};
use shouwang_core::pv::{Distribution, Income, Station, StationKind, StationState, Uses};
use shouwang_core::welfare_post::{Draft, Funding, PostKind, PostState};
use shouwang_core::{CodeList, Fen, Role, Scope};
use shouwang_store::testing::fixtures::{
    TOWN_A, TOWN_B, VILLAGE_A1, VILLAGE_A2, VILLAGE_B1, audit_count, seed_regions,
};
use shouwang_store::{Db, db_test};

fn who(id: i64, role: Role, area: &str) -> Caller {
    Caller {
        user_id: id,
        name: format!("{}{id}", role.code()),
        scope: Scope::new(id, role, area),
    }
}

fn town() -> Caller {
    who(62, Role::TownshipAdmin, TOWN_A)
}

fn team(v: &str) -> Caller {
    who(61, Role::VillageTeam, v)
}

fn d(m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, m, day).unwrap()
}

fn month(m: u32) -> YearMonth {
    YearMonth::new(2026, m).unwrap()
}

fn village_station() -> Station {
    Station {
        name: "一村村级光伏电站".to_owned(),
        kind: StationKind::Village,
        place: VILLAGE_A1.to_owned(),
        villages: Vec::new(),
        capacity_kw: 300,
        grid_on: Some(NaiveDate::from_ymd_opt(2025, 6, 30).unwrap()),
        asset: None,
        state: StationState::Running,
    }
}

fn central() -> Station {
    Station {
        name: "甲乡集中式光伏电站".to_owned(),
        kind: StationKind::Central,
        place: format!("{TOWN_A}000"),
        villages: vec![VILLAGE_A1.to_owned(), VILLAGE_A2.to_owned()],
        capacity_kw: 1000,
        ..village_station()
    }
}

fn income(m: u32, yuan: i64) -> Versioned<Income> {
    Versioned {
        version: None,
        body: Income {
            month: month(m),
            amount: Fen(yuan * 100),
            note: String::new(),
        },
    }
}

fn share(village: &str, m: u32, yuan: i64) -> Distribution {
    Distribution {
        village: village.to_owned(),
        month: month(m),
        distributed: Fen(yuan * 100),
        uses: Uses {
            post_wages: Fen(0),
            public_works: Fen(yuan * 50),
            rewards: Fen(yuan * 20),
            other: Fen(0),
        },
        posts: Vec::new(),
        decision: "村民代表会议决议".to_owned(),
        decided_on: d(m + 1, 5),
        note: String::new(),
    }
}

fn new(d: Distribution) -> Versioned<Distribution> {
    Versioned {
        version: None,
        body: d,
    }
}

db_test!(
    async fn stations_income_and_distribution_reconcile_and_refusals_write_nothing(db: Db) {
        seed_regions(&db).await;
        let today = d(3, 15);
        let before = audit_count(&db).await;
        let s1 = pv::create_station(&db, &town(), village_station(), today)
            .await
            .unwrap();
        let s2 = pv::create_station(&db, &town(), central(), today)
            .await
            .unwrap();
        assert_eq!(audit_count(&db).await, before + 2);

        // Refused stations write nothing.
        let n = audit_count(&db).await;
        let mut in_b = village_station();
        in_b.place = VILLAGE_B1.to_owned();
        let mut zero = village_station();
        zero.capacity_kw = 0;
        let mut no_asset = village_station();
        no_asset.asset = Some(999);
        for (i, (caller, s, kind)) in [
            (team(VILLAGE_A1), village_station(), Kind::Forbidden),
            (town(), in_b, Kind::Forbidden),
            (town(), zero, Kind::Invalid),
            (town(), no_asset, Kind::Invalid),
        ]
        .into_iter()
        .enumerate()
        {
            let e = pv::create_station(&db, &caller, s, today)
                .await
                .unwrap_err();
            assert_eq!(e.kind, kind, "case {i}: {e:?}");
        }
        assert_eq!(audit_count(&db).await, n);

        // Income: one per station and month; a correction through the version.
        pv::record_income(&db, &town(), s1, income(1, 30_000), today)
            .await
            .unwrap();
        pv::record_income(&db, &town(), s1, income(2, 32_000), today)
            .await
            .unwrap();
        pv::record_income(&db, &town(), s2, income(1, 100_000), today)
            .await
            .unwrap();
        pv::record_income(&db, &town(), s2, income(2, 100_000), today)
            .await
            .unwrap();
        let n = audit_count(&db).await;
        let other_town = who(63, Role::TownshipAdmin, TOWN_B);
        for (i, (caller, station, body, kind)) in [
            (town(), s1, income(1, 1), Kind::Conflict),
            (town(), s1, income(4, 1), Kind::Invalid),
            (town(), s1, income(2, -1), Kind::Invalid),
            (team(VILLAGE_A1), s1, income(3, 1), Kind::Forbidden),
            (other_town.clone(), s1, income(3, 1), Kind::NotFound),
            (
                town(),
                s1,
                Versioned {
                    version: Some(1),
                    ..income(3, 1)
                },
                Kind::NotFound,
            ),
        ]
        .into_iter()
        .enumerate()
        {
            let e = pv::record_income(&db, &caller, station, body, today)
                .await
                .unwrap_err();
            assert_eq!(e.kind, kind, "income case {i}: {e:?}");
        }
        assert_eq!(audit_count(&db).await, n);
        let fix = Versioned {
            version: Some(1),
            ..income(2, 31_000)
        };
        pv::record_income(&db, &town(), s1, fix.clone(), today)
            .await
            .unwrap();
        let e = pv::record_income(&db, &town(), s1, fix, today)
            .await
            .unwrap_err();
        assert_eq!(e.kind, Kind::Conflict, "a stale version");
        let sheet = pv::station(&db, &team(VILLAGE_A1), s1).await.unwrap();
        assert_eq!(sheet.income.len(), 2);
        assert_eq!(sheet.total, Fen(6_100_000));
        assert_eq!(sheet.income[1].version, 2);

        // Distributions: the village team records its village's month; the uses never exceed it.
        let post = welfare_posts::create(
            &db,
            &town(),
            Draft {
                name: "保洁员".to_owned(),
                kind: PostKind::Cleaner,
                village: VILLAGE_A1.to_owned(),
                funding: Funding::PvIncome,
                monthly_pay: Some(600),
                holder: None,
                from: None,
                to: None,
                state: PostState::Vacant,
                duties: String::new(),
                cared: Vec::new(),
            },
            today,
        )
        .await
        .unwrap();
        let mut jan = share(VILLAGE_A1, 1, 75_000);
        jan.uses.post_wages = Fen(60_000);
        jan.posts = vec![post];
        pv::distribute(&db, &team(VILLAGE_A1), new(jan.clone()), today)
            .await
            .unwrap();
        let n = audit_count(&db).await;
        let mut over = share(VILLAGE_A1, 2, 100);
        over.uses.other = Fen(3_001);
        let mut foreign_post = share(VILLAGE_A2, 2, 1_000);
        foreign_post.uses.post_wages = Fen(100);
        foreign_post.posts = vec![post];
        let mut future = share(VILLAGE_A1, 4, 100);
        future.decided_on = d(3, 1);
        for (i, (caller, body, kind)) in [
            (team(VILLAGE_A1), new(jan.clone()), Kind::Conflict),
            (team(VILLAGE_A1), new(over), Kind::Invalid),
            (team(VILLAGE_A1), new(future), Kind::Invalid),
            (
                team(VILLAGE_A1),
                new(share(VILLAGE_A2, 1, 1)),
                Kind::Forbidden,
            ),
            (town(), new(foreign_post), Kind::Invalid),
            (
                who(64, Role::Auditor, TOWN_A),
                new(share(VILLAGE_A2, 1, 1)),
                Kind::Forbidden,
            ),
            (
                town(),
                Versioned {
                    version: Some(1),
                    body: share(VILLAGE_A2, 2, 1),
                },
                Kind::NotFound,
            ),
        ]
        .into_iter()
        .enumerate()
        {
            let e = pv::distribute(&db, &caller, body, today).await.unwrap_err();
            assert_eq!(e.kind, kind, "distribution case {i}: {e:?}");
        }
        assert_eq!(audit_count(&db).await, n);
        // A correction through the version; a stale one is refused.
        let mut fixed = jan.clone();
        fixed.uses.rewards = Fen(1_000_000);
        pv::distribute(
            &db,
            &team(VILLAGE_A1),
            Versioned {
                version: Some(1),
                body: fixed.clone(),
            },
            today,
        )
        .await
        .unwrap();
        let e = pv::distribute(
            &db,
            &team(VILLAGE_A1),
            Versioned {
                version: Some(1),
                body: fixed,
            },
            today,
        )
        .await
        .unwrap_err();
        assert_eq!(e.kind, Kind::Conflict);
        pv::distribute(&db, &town(), new(share(VILLAGE_A2, 1, 48_000)), today)
            .await
            .unwrap();
        pv::distribute(&db, &town(), new(share(VILLAGE_A1, 2, 80_000)), today)
            .await
            .unwrap();

        // The board of the township: income 261 000 元, distributed 203 000 元 → 77.77 %, gap to 90 %.
        let b = pv::board(&db, &town(), &BoardQuery::default(), today)
            .await
            .unwrap();
        assert_eq!(b.rate.income, Fen(26_100_000));
        assert_eq!(b.rate.distributed, Fen(20_300_000));
        assert_eq!(b.rate.rate_bp, Some(7777));
        assert_eq!(b.rate.gap, Fen(23_490_000 - 20_300_000));
        assert!(!b.rate.met);
        assert_eq!(b.months.len(), 3);
        assert_eq!(b.months[0].cumulative.income, Fen(13_000_000));
        assert_eq!(b.months[0].cumulative.distributed, Fen(12_300_000));
        assert!(b.months[0].cumulative.met);
        assert_eq!(b.income_gap, Fen(8_500_000_000 - 26_100_000));
        assert_eq!(b.stations.len(), 2);
        assert_eq!(b.distributions.len(), 3);
        let a1 = b.villages.iter().find(|v| v.code == VILLAGE_A1).unwrap();
        assert_eq!(
            (a1.income, a1.distributed, a1.months),
            (Fen(6_100_000), Fen(15_500_000), 2)
        );

        // Scoping: the other village sees the 集中式电站 that benefits it, not the first village's station
        // nor its distributions; another township sees nothing.
        let a2 = team(VILLAGE_A2);
        let seen = pv::stations(&db, &a2, &StationFilter::default())
            .await
            .unwrap();
        assert_eq!(seen.len(), 1);
        assert_eq!(seen[0].id, s2);
        assert_eq!(
            pv::station(&db, &a2, s1).await.unwrap_err().kind,
            Kind::NotFound
        );
        let b2 = pv::board(&db, &a2, &BoardQuery::default(), today)
            .await
            .unwrap();
        assert_eq!(b2.distributions.len(), 1);
        assert_eq!(b2.rate.distributed, Fen(4_800_000));
        let bb = pv::board(&db, &other_town, &BoardQuery::default(), today)
            .await
            .unwrap();
        assert!(bb.stations.is_empty() && bb.distributions.is_empty());
        assert_eq!(bb.rate.rate_bp, None);
        let f = pv::figure(&db, &other_town, today).await.unwrap();
        assert!(!f.has_data);
        let f = pv::figure(&db, &town(), today).await.unwrap();
        assert!(f.has_data && f.rate == b.rate && f.target_pct == 90);

        // A future year is refused.
        let e = pv::board(
            &db,
            &town(),
            &BoardQuery {
                year: Some(2027),
                area: None,
            },
            today,
        )
        .await
        .unwrap_err();
        assert_eq!(e.kind, Kind::Invalid);

        // The ledger: one row per village and month, with the village's own station income.
        let ledger = ledgers::export(
            &db,
            &town(),
            &LedgerRequest {
                kind: Some("光伏收益分配台账".to_owned()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        assert_eq!(ledger.rows, 3);

        // The calendar on 2 April: A1's January and February done, March pending; A2's February overdue (due
        // the end of March).
        let cal = lifecycle::calendar(&db, &town(), None, d(1, 1), d(3, 31), d(4, 2))
            .await
            .unwrap();
        let task = |v: &str, m: u32| {
            cal.iter()
                .find(|t| {
                    t.task.kind == TaskKind::PvDistribution
                        && t.task.village == v
                        && t.task.period.first_day() == d(m, 1)
                })
                .map(|t| t.status)
        };
        assert_eq!(task(VILLAGE_A1, 1), Some(TaskStatus::Done));
        assert_eq!(task(VILLAGE_A1, 2), Some(TaskStatus::Done));
        assert_eq!(task(VILLAGE_A1, 3), Some(TaskStatus::Pending));
        assert_eq!(task(VILLAGE_A2, 1), Some(TaskStatus::Done));
        assert_eq!(task(VILLAGE_A2, 2), Some(TaskStatus::Overdue));
        assert_eq!(task(VILLAGE_B1, 1), None, "no station benefits B1");
    }
);
