//! 帮扶车间 (B1 §四(一)3, issue 21) on both databases: registration by the township within its area (a bad
//! one, another role or another township's village refused with nothing written), the village team reading
//! its own village only, workers taken on from the labour force (a household outside the area 403, none
//! 404, a member outside the labour force 422, a member at work elsewhere 409, a closed workshop 409, a
//! stale version 409), the tally of 脱贫户/监测户 workers and wages, 离岗, the ledger and one audit row per
//! change.

use chrono::NaiveDate;
use shouwang_app::assets::Versioned;
use shouwang_app::ledgers::{self, LedgerRequest};
use shouwang_app::workshops::{self, ListFilter, Release};
use shouwang_app::{Caller, Kind};
use shouwang_core::codes::{HouseholdType, MonitoredType, RiskType};
use shouwang_core::workshop::{Draft, Hire, OperatorKind, WorkshopState};
use shouwang_core::{CodeList, Role, Scope};
use shouwang_store::repo::households;
use shouwang_store::testing::fixtures::{
    COUNTY, TOWN_A, TOWN_B, VILLAGE_A1, VILLAGE_A2, VILLAGE_B1, actor, audit_count, household,
    seed_regions,
};
use shouwang_store::{Db, db_test};

fn d(m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, m, day).unwrap()
}

fn who(id: i64, role: Role, area: &str) -> Caller {
    Caller {
        user_id: id,
        name: format!("{}{id}", role.code()),
        scope: Scope::new(id, role, area),
    }
}

fn town() -> Caller {
    who(42, Role::TownshipAdmin, TOWN_A)
}

fn draft(village: &str) -> Draft {
    Draft {
        name: " 服装加工帮扶车间 ".to_owned(),
        village: village.to_owned(),
        operator_kind: OperatorKind::Enterprise,
        operator: "兴县晋绣服饰有限公司".to_owned(),
        products: "校服".to_owned(),
        started_on: d(1, 10),
        state: WorkshopState::Operating,
        jobs: 30,
    }
}

fn hire(household: &str, position: usize, wage: u32) -> Versioned<Hire> {
    Versioned {
        version: None,
        body: Hire {
            household: household.to_owned(),
            position,
            wage,
            since: d(2, 1),
        },
    }
}

async fn setup(db: &Db) {
    seed_regions(db).await;
    let mut monitored = household("A2", VILLAGE_A1, "户主二", 42);
    monitored.household_type = HouseholdType::Monitored;
    monitored.monitored_type = Some(MonitoredType::Marginal);
    monitored.risks = vec![RiskType::Illness];
    let mut ordinary = household("A3", VILLAGE_A2, "户主三", 43);
    ordinary.household_type = HouseholdType::Ordinary;
    for h in [
        household("A1", VILLAGE_A1, "户主一", 41),
        monitored,
        ordinary,
        household("B1", VILLAGE_B1, "户主九", 49),
    ] {
        households::create(db, &actor(), &h).await.unwrap();
    }
}

db_test!(
    async fn workshops_are_registered_and_staffed_within_the_area(db: Db) {
        setup(&db).await;
        let today = d(3, 1);
        let before = audit_count(&db).await;
        let id = workshops::register(&db, &town(), draft(VILLAGE_A1), today)
            .await
            .unwrap();
        assert_eq!(audit_count(&db).await, before + 1);

        // Refusals write nothing: another role, another township's village, a bad registration.
        let n = audit_count(&db).await;
        let team = who(41, Role::VillageTeam, VILLAGE_A1);
        let e = workshops::register(&db, &team, draft(VILLAGE_A1), today)
            .await
            .unwrap_err();
        assert_eq!(e.kind, Kind::Forbidden);
        let e = workshops::register(&db, &town(), draft(VILLAGE_B1), today)
            .await
            .unwrap_err();
        assert_eq!(e.kind, Kind::Forbidden);
        let mut future = draft(VILLAGE_A1);
        future.started_on = d(3, 2);
        let e = workshops::register(&db, &town(), future, today)
            .await
            .unwrap_err();
        assert_eq!(e.kind, Kind::Invalid, "{e:?}");
        assert_eq!(audit_count(&db).await, n);

        // Workers: a 脱贫户's head, a 监测户's spouse, an ordinary household of the next village.
        let w1 = workshops::hire(&db, &town(), id, hire("A1", 0, 2000), today)
            .await
            .unwrap();
        workshops::hire(&db, &town(), id, hire("A2", 1, 2400), today)
            .await
            .unwrap();
        workshops::hire(&db, &town(), id, hire("A3", 0, 3000), today)
            .await
            .unwrap();
        assert_eq!(audit_count(&db).await, n + 3);
        let n = audit_count(&db).await;
        // A household of another township 403, none 404, no such member 422, a bad wage 422, the same
        // member again 409, a stale version 409.
        let cases = [
            (hire("B1", 0, 2000), Kind::Forbidden),
            (hire("Z9", 0, 2000), Kind::NotFound),
            (hire("A1", 5, 2000), Kind::Invalid),
            (hire("A1", 1, 0), Kind::Invalid),
            (hire("A1", 0, 2000), Kind::Conflict),
            (
                Versioned {
                    version: Some(1),
                    ..hire("A1", 1, 2000)
                },
                Kind::Conflict,
            ),
        ];
        for (i, (h, kind)) in cases.into_iter().enumerate() {
            let e = workshops::hire(&db, &town(), id, h, today)
                .await
                .unwrap_err();
            assert_eq!(e.kind, kind, "case {i}: {e:?}");
        }
        assert_eq!(audit_count(&db).await, n);

        // The tally: 3 workers, 2 of 脱贫户 (A1 and the fixture's default), 1 of 监测户.
        let list = workshops::list(&db, &town(), &ListFilter::default())
            .await
            .unwrap();
        assert_eq!(list.len(), 1);
        let t = list[0].tally;
        assert_eq!(
            (t.workers, t.alleviated, t.monitored, t.wages),
            (3, 1, 1, 7400)
        );
        assert_eq!(t.wages_of_targets, 4400);
        assert_eq!(list[0].name, "服装加工帮扶车间");

        // The village team reads its own village's workshop, not another's; the sheet masks ID numbers.
        let sheet = workshops::show(&db, &team, id).await.unwrap();
        assert_eq!(sheet.workers.len(), 3);
        assert_eq!(sheet.workers[0].name, "户主一");
        assert!(sheet.workers[0].id_number.contains('*'));
        let other = who(43, Role::VillageTeam, VILLAGE_B1);
        assert_eq!(
            workshops::show(&db, &other, id).await.unwrap_err().kind,
            Kind::NotFound
        );
        assert!(
            workshops::list(&db, &other, &ListFilter::default())
                .await
                .unwrap()
                .is_empty()
        );

        // 离岗: the member may then be taken on again; a second release of the same worker 422.
        let release = |until| Versioned {
            version: None,
            body: Release {
                worker: w1,
                until: Some(until),
            },
        };
        workshops::release(&db, &town(), id, release(d(2, 20)), today)
            .await
            .unwrap();
        assert_eq!(
            workshops::release(&db, &town(), id, release(d(2, 21)), today)
                .await
                .unwrap_err()
                .kind,
            Kind::Invalid
        );
        let sheet = workshops::show(&db, &town(), id).await.unwrap();
        assert_eq!(sheet.entry.tally.workers, 2);
        assert_eq!(sheet.workers.last().unwrap().until, Some(d(2, 20)));

        // The ledger: one row per workshop with its figures now.
        let ledger = ledgers::export(
            &db,
            &town(),
            &LedgerRequest {
                kind: Some("workshops".to_owned()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        assert_eq!(ledger.rows, 1);

        // Closed: no more hires (409); the change is versioned.
        let row = workshops::show(&db, &town(), id).await.unwrap();
        let mut closed = draft(VILLAGE_A1);
        closed.state = WorkshopState::Closed;
        workshops::update(
            &db,
            &town(),
            id,
            Versioned {
                version: Some(row.entry.version),
                body: closed.clone(),
            },
            today,
        )
        .await
        .unwrap();
        let e = workshops::update(
            &db,
            &town(),
            id,
            Versioned {
                version: Some(row.entry.version),
                body: closed,
            },
            today,
        )
        .await
        .unwrap_err();
        assert_eq!(e.kind, Kind::Conflict);
        let e = workshops::hire(&db, &town(), id, hire("A1", 0, 2000), today)
            .await
            .unwrap_err();
        assert_eq!(e.kind, Kind::Conflict);
        let closed = workshops::list(
            &db,
            &who(44, Role::CountyAdmin, COUNTY),
            &ListFilter {
                state: Some(WorkshopState::Closed.code().to_owned()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        assert_eq!(closed.len(), 1);
        let _ = TOWN_B;
    }
);
