//! 扶贫项目资产 and 管护 (B2, A7, issue 23) on both databases: registration by area and role (a bad one
//! refused with nothing written), the keeper's phone sealed at rest and masked for roles that see masked
//! data, upkeep records and overdue upkeep, the filters, the disposal flow 村申请→乡审核→县审批 (a skipped
//! step, a wrong role, a missing reason and a stale version refused with nothing written; a return and a
//! new proposal; the approval sets the asset 已处置) and one audit row per change.

use chrono::NaiveDate;
use sea_orm::{ConnectionTrait, Statement};
use shouwang_app::assets::{self, DisposalInput, ListFilter, Versioned};
use shouwang_app::ledgers::{self, LedgerRequest};
use shouwang_app::{Caller, Kind};
use shouwang_core::asset::disposal::{DisposalDecision, DisposalMethod, DisposalStep};
use shouwang_core::asset::{
    AssetKind, AssetState, DisposalState, Draft, OwnerKind, Upkeep, UpkeepKind,
};
use shouwang_core::money::Fen;
use shouwang_core::{CodeList, Role, Scope};
use shouwang_store::repo::households;
use shouwang_store::testing::fixtures::{
    COUNTY, TOWN_A, TOWN_B, VILLAGE_A1, VILLAGE_B1, actor, audit_count, household, seed_regions,
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

fn team() -> Caller {
    who(31, Role::VillageTeam, VILLAGE_A1)
}
fn town() -> Caller {
    who(32, Role::TownshipAdmin, TOWN_A)
}
fn county() -> Caller {
    who(33, Role::CountyAdmin, COUNTY)
}
fn cadre() -> Caller {
    who(34, Role::Cadre, VILLAGE_A1)
}

const PHONE: &str = "13812345678";

fn draft() -> Draft {
    Draft {
        name: "李家沟村光伏电站".to_owned(),
        kind: AssetKind::Operating,
        owner_kind: OwnerKind::VillageCollective,
        owner_name: "李家沟村股份经济合作社".to_owned(),
        household: None,
        keeper_name: "王建国".to_owned(),
        keeper_phone: Some(PHONE.to_owned()),
        value: Fen::from_yuan(320_000),
        village: VILLAGE_A1.to_owned(),
        place: "村东荒坡".to_owned(),
        project: None,
        year: 2019,
        state: AssetState::InUse,
        upkeep_months: Some(1),
    }
}

fn step(
    step: DisposalStep,
    decision: DisposalDecision,
    on: NaiveDate,
    opinion: &str,
) -> Versioned<DisposalInput> {
    Versioned {
        version: None,
        body: DisposalInput {
            step,
            decision,
            method: (step == DisposalStep::Propose).then_some(DisposalMethod::Scrap),
            on: Some(on),
            opinion: opinion.to_owned(),
        },
    }
}

fn upkeep(on: NaiveDate) -> Versioned<Upkeep> {
    Versioned {
        version: None,
        body: Upkeep {
            kind: UpkeepKind::Upkeep,
            on,
            cost: Fen::from_yuan(300),
            content: " 清洗光伏板 ".to_owned(),
            done_by: "王建国".to_owned(),
        },
    }
}

async fn setup(db: &Db) {
    seed_regions(db).await;
    for h in [
        household("A1", VILLAGE_A1, "户主一", 41),
        household("B1", VILLAGE_B1, "户主九", 49),
    ] {
        households::create(db, &actor(), &h).await.unwrap();
    }
}

db_test!(
    async fn assets_are_registered_kept_and_sealed(db: Db) {
        setup(&db).await;
        let today = d(3, 1);
        let before = audit_count(&db).await;
        let id = assets::register(&db, &team(), draft(), today)
            .await
            .unwrap();
        assert_eq!(audit_count(&db).await, before + 1);

        // Refused, nothing written: a cadre, another village, a household not of the area, a bad draft.
        let e = assets::register(&db, &cadre(), draft(), today)
            .await
            .unwrap_err();
        assert_eq!(e.kind, Kind::Forbidden);
        let mut other = draft();
        other.village = VILLAGE_B1.to_owned();
        let e = assets::register(&db, &team(), other, today)
            .await
            .unwrap_err();
        assert_eq!(e.kind, Kind::Forbidden);
        let mut hh = draft();
        hh.kind = AssetKind::Household;
        hh.owner_kind = OwnerKind::Household;
        hh.household = Some("B1".to_owned());
        let e = assets::register(&db, &team(), hh.clone(), today)
            .await
            .unwrap_err();
        assert_eq!(e.kind, Kind::Invalid);
        let mut bad = draft();
        bad.value = Fen(0);
        assert!(assets::register(&db, &county(), bad, today).await.is_err());
        let mut project = draft();
        project.project = Some(42);
        assert!(
            assets::register(&db, &county(), project, today)
                .await
                .is_err()
        );
        assert_eq!(audit_count(&db).await, before + 1);
        hh.household = Some("A1".to_owned());
        hh.upkeep_months = None;
        hh.state = AssetState::Idle;
        let hh_id = assets::register(&db, &town(), hh, today).await.unwrap();

        // The phone is sealed at rest, shown in full to the township, masked to the village team.
        let stored = db
            .conn()
            .query_one_raw(Statement::from_string(
                db.backend(),
                format!("SELECT keeper_phone, body FROM assets WHERE id = {id}"),
            ))
            .await
            .unwrap()
            .unwrap();
        let sealed: String = stored.try_get("", "keeper_phone").unwrap();
        let body: String = stored.try_get("", "body").unwrap();
        assert!(!sealed.contains(PHONE) && !body.contains(PHONE));
        let full = assets::show(&db, &town(), id, today).await.unwrap();
        assert_eq!(full.entry.keeper_phone.as_deref(), Some(PHONE));
        let masked = assets::show(&db, &team(), id, today).await.unwrap();
        assert_eq!(masked.draft.keeper_phone.as_deref(), Some("138****5678"));
        let e = assets::show(&db, &who(35, Role::TownshipAdmin, TOWN_B), id, today)
            .await
            .unwrap_err();
        assert_eq!(e.kind, Kind::NotFound);

        // Upkeep: due a month after the registration (today's date), overdue the day after, not after a
        // record.
        let due = masked.entry.upkeep_due.unwrap();
        assert_eq!(
            due,
            chrono::Utc::now().date_naive() + chrono::Months::new(1)
        );
        assert!(assets::overdue(&db, &town(), due).await.unwrap().is_empty());
        let later = due + chrono::Days::new(1);
        let late = assets::overdue(&db, &town(), later).await.unwrap();
        assert_eq!(late.iter().map(|o| o.id).collect::<Vec<_>>(), vec![id]);
        let f = ListFilter {
            overdue: Some("1".to_owned()),
            ..Default::default()
        };
        assert_eq!(
            assets::list(&db, &team(), &f, later).await.unwrap().len(),
            1
        );
        let mut future = upkeep(later + chrono::Days::new(1));
        let e = assets::record_upkeep(&db, &team(), id, future.clone(), later)
            .await
            .unwrap_err();
        assert_eq!(e.kind, Kind::Invalid);
        future.version = Some(9);
        future.body.on = later;
        let e = assets::record_upkeep(&db, &team(), id, future, later)
            .await
            .unwrap_err();
        assert_eq!(e.code, "stale_version");
        let n = audit_count(&db).await;
        assets::record_upkeep(&db, &team(), id, upkeep(later), later)
            .await
            .unwrap();
        assert_eq!(audit_count(&db).await, n + 1);
        assert!(
            assets::overdue(&db, &town(), later)
                .await
                .unwrap()
                .is_empty()
        );
        let sheet = assets::show(&db, &team(), id, later).await.unwrap();
        assert_eq!(sheet.upkeeps.len(), 1);
        assert_eq!(sheet.upkeeps[0].record.content, "清洗光伏板");
        assert_eq!(sheet.upkeep_cost, Fen::from_yuan(300));

        // Ledgers: one row per asset (the phone masked unless asked for in full by a role that may), one
        // per upkeep record dated in the range.
        let req = |k: &str| LedgerRequest {
            kind: Some(k.to_owned()),
            ..LedgerRequest::default()
        };
        let f = ledgers::export(&db, &county(), &req("扶贫项目资产台账"))
            .await
            .unwrap();
        assert_eq!(f.rows, 2);
        let mut in_range = req("asset_upkeep");
        in_range.from = Some(later.to_string());
        in_range.to = Some(later.to_string());
        let f = ledgers::export(&db, &county(), &in_range).await.unwrap();
        assert_eq!(f.rows, 1);
        in_range.from = Some((later + chrono::Days::new(1)).to_string());
        in_range.to = in_range.from.clone();
        assert_eq!(
            ledgers::export(&db, &county(), &in_range)
                .await
                .unwrap()
                .rows,
            0
        );
        let other = who(37, Role::VillageTeam, VILLAGE_B1);
        assert_eq!(
            ledgers::export(&db, &other, &req("assets"))
                .await
                .unwrap()
                .rows,
            0
        );

        // Filters.
        let by = |kind: &str, owner: &str, state: &str| ListFilter {
            kind: Some(kind.to_owned()).filter(|s| !s.is_empty()),
            owner: Some(owner.to_owned()).filter(|s| !s.is_empty()),
            state: Some(state.to_owned()).filter(|s| !s.is_empty()),
            ..Default::default()
        };
        let ids = |v: Vec<assets::Entry>| v.into_iter().map(|e| e.id).collect::<Vec<_>>();
        assert_eq!(
            ids(
                assets::list(&db, &county(), &by("household", "", ""), later)
                    .await
                    .unwrap()
            ),
            vec![hh_id]
        );
        assert_eq!(
            ids(assets::list(
                &db,
                &county(),
                &by("", "village_collective", "in_use"),
                later
            )
            .await
            .unwrap()),
            vec![id]
        );
        assert_eq!(
            assets::list(&db, &county(), &by("", "", "idle"), later)
                .await
                .unwrap()
                .len(),
            1
        );
        assert!(
            assets::list(
                &db,
                &who(36, Role::VillageTeam, VILLAGE_B1),
                &by("", "", ""),
                later
            )
            .await
            .unwrap()
            .is_empty()
        );
        assert!(
            assets::list(&db, &county(), &by("bogus", "", ""), later)
                .await
                .is_err()
        );

        // An update by the township; a stale version refused.
        let mut changed = draft();
        changed.state = AssetState::Damaged;
        let e = assets::update(
            &db,
            &town(),
            id,
            Versioned {
                version: Some(1),
                body: changed.clone(),
            },
            later,
        )
        .await
        .unwrap_err();
        assert_eq!(e.code, "stale_version");
        assets::update(
            &db,
            &town(),
            id,
            Versioned {
                version: Some(2),
                body: changed,
            },
            later,
        )
        .await
        .unwrap();
        assert_eq!(
            assets::show(&db, &town(), id, later)
                .await
                .unwrap()
                .entry
                .state,
            AssetState::Damaged
        );
    }
);

db_test!(
    async fn an_asset_is_disposed_step_by_step(db: Db) {
        setup(&db).await;
        let id = assets::register(&db, &team(), draft(), d(3, 1))
            .await
            .unwrap();
        let before = audit_count(&db).await;
        // Skipped, wrong role, no reason: refused, nothing written.
        let e = assets::dispose(
            &db,
            &county(),
            id,
            step(
                DisposalStep::CountyApproval,
                DisposalDecision::Approve,
                d(3, 2),
                "",
            ),
            d(3, 2),
        )
        .await
        .unwrap_err();
        assert_eq!((e.kind, e.code.as_str()), (Kind::Conflict, "out_of_order"));
        let e = assets::dispose(
            &db,
            &town(),
            id,
            step(
                DisposalStep::Propose,
                DisposalDecision::Approve,
                d(3, 2),
                "损毁",
            ),
            d(3, 2),
        )
        .await
        .unwrap_err();
        assert_eq!(e.kind, Kind::Forbidden);
        let e = assets::dispose(
            &db,
            &team(),
            id,
            step(
                DisposalStep::Propose,
                DisposalDecision::Approve,
                d(3, 2),
                " ",
            ),
            d(3, 2),
        )
        .await
        .unwrap_err();
        assert_eq!(e.kind, Kind::Invalid);
        assert_eq!(audit_count(&db).await, before);

        let s = assets::dispose(
            &db,
            &team(),
            id,
            step(
                DisposalStep::Propose,
                DisposalDecision::Approve,
                d(3, 2),
                "冰雹损毁无法修复",
            ),
            d(3, 2),
        )
        .await
        .unwrap();
        assert_eq!(s, DisposalState::Proposed);
        assert_eq!(assets::queue(&db, &town(), d(3, 2)).await.unwrap().len(), 1);
        // Under way: no change of the registration.
        let e = assets::update(
            &db,
            &team(),
            id,
            Versioned {
                version: None,
                body: draft(),
            },
            d(3, 2),
        )
        .await
        .unwrap_err();
        assert_eq!(e.kind, Kind::Conflict);
        let s = assets::dispose(
            &db,
            &town(),
            id,
            step(
                DisposalStep::TownshipReview,
                DisposalDecision::Return,
                d(3, 3),
                "请补充评估报告",
            ),
            d(3, 3),
        )
        .await
        .unwrap();
        assert_eq!(s, DisposalState::Returned);
        assert_eq!(assets::queue(&db, &team(), d(3, 3)).await.unwrap().len(), 1);
        assets::dispose(
            &db,
            &team(),
            id,
            step(
                DisposalStep::Propose,
                DisposalDecision::Approve,
                d(3, 4),
                "已补充评估报告",
            ),
            d(3, 4),
        )
        .await
        .unwrap();
        assets::dispose(
            &db,
            &town(),
            id,
            step(
                DisposalStep::TownshipReview,
                DisposalDecision::Approve,
                d(3, 5),
                "同意",
            ),
            d(3, 5),
        )
        .await
        .unwrap();
        let mut stale = step(
            DisposalStep::CountyApproval,
            DisposalDecision::Approve,
            d(3, 6),
            "",
        );
        stale.version = Some(2);
        let e = assets::dispose(&db, &county(), id, stale, d(3, 6))
            .await
            .unwrap_err();
        assert_eq!(e.code, "stale_version");
        let s = assets::dispose(
            &db,
            &county(),
            id,
            step(
                DisposalStep::CountyApproval,
                DisposalDecision::Approve,
                d(3, 6),
                "同意处置",
            ),
            d(3, 6),
        )
        .await
        .unwrap();
        assert_eq!(s, DisposalState::Approved);
        assert_eq!(audit_count(&db).await, before + 5);
        let sheet = assets::show(&db, &team(), id, d(3, 6)).await.unwrap();
        assert_eq!(sheet.entry.state, AssetState::Disposed);
        assert_eq!((sheet.disposal_steps.len(), sheet.awaited), (5, None));
        assert_eq!(sheet.entry.upkeep_due, None);
        let e = assets::record_upkeep(&db, &team(), id, upkeep(d(3, 6)), d(3, 6))
            .await
            .unwrap_err();
        assert_eq!(e.kind, Kind::Conflict);
        assert!(
            assets::overdue(&db, &county(), d(12, 1))
                .await
                .unwrap()
                .is_empty()
        );
    }
);

db_test!(
    async fn a_key_rotation_reseals_the_keepers_phones(db: Db) {
        use shouwang_store::Keys;
        use shouwang_store::repo::keys;
        let raw = [7u8; 32];
        let db = db.with_keys(Keys::new(&[(1, raw)]).unwrap());
        setup(&db).await;
        let id = assets::register(&db, &team(), draft(), d(3, 1))
            .await
            .unwrap();
        let db = db.with_keys(Keys::new(&[(1, raw), (2, [9u8; 32])]).unwrap());
        keys::rotate(&db, &actor(), 100, &mut |_| {}).await.unwrap();
        // Version 1 retired: the phone still opens under version 2 alone.
        let db = db.with_keys(Keys::new(&[(2, [9u8; 32])]).unwrap());
        let sheet = assets::show(&db, &town(), id, d(3, 1)).await.unwrap();
        assert_eq!(sheet.draft.keeper_phone.as_deref(), Some(PHONE));
    }
);
