//! 村容村貌指标 (B5, issue 22) on both databases: a village enters its figures, the township checks them
//! or returns them; the board shows every village of the area with the gap to the county's targets and
//! the area's total; refusals (another village, a cadre, a stale version, figures over their total,
//! entering over a checked record, a code that is no village) write nothing; the ledger lists the
//! villages entered.

use chrono::Datelike;
use shouwang_app::indicators::{self, Board};
use shouwang_app::ledgers::{self, LedgerRequest};
use shouwang_app::{Caller, Kind};
use shouwang_core::indicators::{IndicatorAction, IndicatorStatus, VillageFigures};
use shouwang_core::{CodeList, Role, Scope};
use shouwang_store::testing::fixtures::{
    TOWN_A, VILLAGE_A1, VILLAGE_A2, VILLAGE_B1, audit_count, seed_regions,
};
use shouwang_store::{Db, db_test};

fn caller(id: i64, role: Role, area: &str) -> Caller {
    Caller {
        user_id: id,
        name: format!("{}{id}", role.label_zh()),
        scope: Scope::new(id, role, area),
    }
}

fn enter(
    households: u32,
    toilets: u32,
    natural: u32,
    garbage: u32,
    civilized: u32,
) -> IndicatorAction {
    IndicatorAction::Enter {
        figures: VillageFigures {
            households,
            toilets,
            natural_villages: natural,
            garbage_covered: garbage,
            civilized,
        },
        note: "县级文明户2户，乡级文明户10户".to_owned(),
    }
}

fn village<'a>(b: &'a Board, code: &str) -> &'a indicators::VillageIndicators {
    b.villages.iter().find(|v| v.code == code).unwrap()
}

db_test!(
    fn village_indicators_entered_checked_and_compared_with_the_targets(db: Db) {
        seed_regions(&db).await;
        let year = shouwang_app::today().year();
        let team = caller(81, Role::VillageTeam, VILLAGE_A1);
        let other = caller(82, Role::VillageTeam, VILLAGE_A2);
        let town = caller(83, Role::TownshipAdmin, TOWN_A);
        let cadre = caller(84, Role::Cadre, VILLAGE_A1);

        // entered by the village: 150/200 toilets (75 %, met), 8/10 natural villages (80 %, 10 short),
        // 139/200 文明户 (69.5 %, 0.5 short)
        let n = audit_count(&db).await;
        let v = indicators::act(
            &db,
            &team,
            VILLAGE_A1,
            year,
            0,
            enter(200, 150, 10, 8, 139),
            shouwang_app::today(),
        )
        .await
        .unwrap();
        assert_eq!(v.version, 1);
        assert_eq!(audit_count(&db).await, n + 1);
        assert!(v.rates[0].met() && !v.rates[1].met() && !v.rates[2].met());
        assert_eq!(v.rates[1].gap_pct, Some(10.0));
        assert_eq!(v.rates[2].gap_pct, Some(0.5));

        // refusals write nothing
        let n = audit_count(&db).await;
        let e = indicators::act(
            &db,
            &other,
            VILLAGE_A1,
            year,
            1,
            enter(200, 150, 10, 9, 140),
            shouwang_app::today(),
        )
        .await
        .unwrap_err();
        assert_eq!(e.kind, Kind::Forbidden);
        let e = indicators::act(
            &db,
            &cadre,
            VILLAGE_A1,
            year,
            1,
            enter(200, 150, 10, 9, 140),
            shouwang_app::today(),
        )
        .await
        .unwrap_err();
        assert_eq!(e.kind, Kind::Forbidden, "{e:?}");
        let e = indicators::act(
            &db,
            &team,
            VILLAGE_A1,
            year,
            0,
            enter(200, 150, 10, 9, 140),
            shouwang_app::today(),
        )
        .await
        .unwrap_err();
        assert_eq!(e.kind, Kind::Conflict, "stale: {e:?}");
        let e = indicators::act(
            &db,
            &team,
            VILLAGE_A1,
            year,
            1,
            enter(200, 201, 10, 9, 140),
            shouwang_app::today(),
        )
        .await
        .unwrap_err();
        assert!(e.zh.contains("不能大于总数"), "{e:?}");
        let e = indicators::act(
            &db,
            &town,
            TOWN_A,
            year,
            0,
            IndicatorAction::Check,
            shouwang_app::today(),
        )
        .await
        .unwrap_err();
        assert_eq!(e.kind, Kind::NotFound, "a township is no village");
        let e = indicators::act(
            &db,
            &town,
            VILLAGE_B1,
            year,
            0,
            enter(10, 1, 1, 1, 1),
            shouwang_app::today(),
        )
        .await
        .unwrap_err();
        assert_eq!(e.kind, Kind::Forbidden, "another township's village");
        assert_eq!(audit_count(&db).await, n);

        // the township's board: A1 to check, A2 missing; the total over A1
        let b = indicators::board(&db, &town, year, None).await.unwrap();
        assert_eq!(b.targets.toilets_pct, 75);
        assert_eq!((b.missing, b.to_check, b.checked), (1, 1, 0));
        assert!(village(&b, VILLAGE_A2).record.is_none());
        assert_eq!(b.total[0].pct, Some(75.0));
        assert!(b.villages.iter().all(|v| v.code.starts_with(TOWN_A)));
        // A2 enters too: the total is over both
        indicators::act(
            &db,
            &other,
            VILLAGE_A2,
            year,
            0,
            enter(100, 50, 5, 5, 80),
            shouwang_app::today(),
        )
        .await
        .unwrap();
        let b = indicators::board(&db, &town, year, None).await.unwrap();
        assert_eq!(b.total[0].pct, Some(66.7), "200 of 300");
        assert_eq!(b.total[1].pct, Some(86.7), "13 of 15");
        // a village team sees its own village only
        let mine = indicators::board(&db, &team, year, None).await.unwrap();
        assert_eq!(mine.villages.len(), 1);
        let e = indicators::board(&db, &team, year, Some(VILLAGE_A2))
            .await
            .unwrap_err();
        assert_eq!(e.kind, Kind::Forbidden);

        // checked by the township: no change until returned; returned, entered again
        let c = indicators::act(
            &db,
            &town,
            VILLAGE_A1,
            year,
            1,
            IndicatorAction::Check,
            shouwang_app::today(),
        )
        .await
        .unwrap();
        assert_eq!(c.record.as_ref().unwrap().status, IndicatorStatus::Checked);
        let e = indicators::act(
            &db,
            &team,
            VILLAGE_A1,
            year,
            2,
            enter(200, 160, 10, 9, 140),
            shouwang_app::today(),
        )
        .await
        .unwrap_err();
        assert_eq!(e.kind, Kind::Conflict, "{e:?}");
        let back = IndicatorAction::Return {
            reason: "垃圾收运覆盖自然村数与乡镇台账不符".to_owned(),
        };
        let r = indicators::act(&db, &town, VILLAGE_A1, year, 2, back, shouwang_app::today())
            .await
            .unwrap();
        assert_eq!(r.record.as_ref().unwrap().status, IndicatorStatus::Returned);
        let b = indicators::board(&db, &town, year, None).await.unwrap();
        assert_eq!(
            b.total[0].pct,
            Some(50.0),
            "a returned record is left out of the total"
        );
        indicators::act(
            &db,
            &team,
            VILLAGE_A1,
            year,
            3,
            enter(200, 160, 10, 9, 140),
            shouwang_app::today(),
        )
        .await
        .unwrap();

        // the ledger: one row per village entered, the township's; none for another village's team
        let req = LedgerRequest {
            kind: Some("村容村貌指标台账".to_owned()),
            ..LedgerRequest::default()
        };
        let file = ledgers::export(&db, &town, &req).await.unwrap();
        assert_eq!(file.rows, 2);
        assert_eq!(ledgers::export(&db, &team, &req).await.unwrap().rows, 1);
        let dept = caller(85, Role::Department, "141123");
        assert_eq!(
            indicators::board(&db, &dept, year, None)
                .await
                .unwrap_err()
                .kind,
            Kind::Forbidden
        );
    }
);
