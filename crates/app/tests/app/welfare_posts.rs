//! 公益岗位 (B1 §四(一)3, A4 §三(二), issue 21) on both databases: a post set up by the township with its
//! holder and, for 两无老人看护, the “两无”老人 it cares for (shown on the 低收入人口 household page); the
//! refusals with nothing written — 光伏收益 without a monthly pay 422, a holder outside the area 403 or
//! nowhere 404, a holder already on a post 在岗 409, a person cared for who is no “两无”老人 422, another
//! role 403, a stale version 409 —; 解聘 frees the holder; the ledger; one audit row per change.

use chrono::NaiveDate;
use shouwang_app::assets::Versioned;
use shouwang_app::ledgers::{self, LedgerRequest};
use shouwang_app::registers::low_income;
use shouwang_app::welfare_posts::{self, ListFilter};
use shouwang_app::{Caller, Kind};
use shouwang_core::codes::LabourSkill;
use shouwang_core::welfare_post::{Draft, Funding, MemberRef, PostKind, PostState};
use shouwang_core::{CodeList, Role, Scope};
use shouwang_store::repo::households;
use shouwang_store::testing::fixtures::{
    TOWN_A, VILLAGE_A1, VILLAGE_B1, actor, audit_count, household, id, seed_regions,
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
    who(52, Role::TownshipAdmin, TOWN_A)
}

fn member(h: &str, p: usize) -> MemberRef {
    MemberRef {
        household: h.to_owned(),
        position: p,
    }
}

fn post(holder: &str) -> Draft {
    Draft {
        name: "两无老人看护员".to_owned(),
        kind: PostKind::ElderCare,
        village: VILLAGE_A1.to_owned(),
        funding: Funding::PvIncome,
        monthly_pay: Some(500),
        holder: Some(member(holder, 0)),
        from: NaiveDate::from_ymd_opt(2026, 1, 1),
        to: NaiveDate::from_ymd_opt(2026, 12, 31),
        state: PostState::Held,
        duties: "每日上门看护".to_owned(),
        cared: vec![member("E1", 0)],
    }
}

async fn setup(db: &Db) {
    seed_regions(db).await;
    // E1: an old man without labour whose wife cannot work — a “两无”老人.
    let mut old = household("E1", VILLAGE_A1, "老人一", 45);
    old.members[0].id_number = id(45, 1950);
    old.members[0].sex = old.members[0].id_number.sex();
    old.members[0].labour = LabourSkill::None;
    old.members[1].labour = LabourSkill::Lost;
    for h in [
        household("A1", VILLAGE_A1, "户主一", 41),
        household("A2", VILLAGE_A1, "户主二", 42),
        old,
        household("B1", VILLAGE_B1, "户主九", 49),
    ] {
        households::create(db, &actor(), &h).await.unwrap();
    }
}

db_test!(
    async fn posts_are_set_up_held_once_and_care_for_the_elderly(db: Db) {
        setup(&db).await;
        let today = NaiveDate::from_ymd_opt(2026, 3, 1).unwrap();
        let before = audit_count(&db).await;
        let id = welfare_posts::create(&db, &town(), post("A1"), today)
            .await
            .unwrap();
        assert_eq!(audit_count(&db).await, before + 1);

        // Refusals write nothing.
        let n = audit_count(&db).await;
        let mut no_pay = post("A2");
        no_pay.monthly_pay = None;
        let mut not_two_without = post("A2");
        not_two_without.cared = vec![member("A1", 1)];
        let mut ranger = post("A1");
        ranger.kind = PostKind::ForestRanger;
        ranger.cared.clear();
        let cases = [
            (no_pay, Kind::Invalid),
            (post("B1"), Kind::Forbidden),
            (post("Z9"), Kind::NotFound),
            (ranger, Kind::Conflict),
            (not_two_without, Kind::Invalid),
        ];
        for (i, (d, kind)) in cases.into_iter().enumerate() {
            let e = welfare_posts::create(&db, &town(), d, today)
                .await
                .unwrap_err();
            assert_eq!(e.kind, kind, "case {i}: {e:?}");
        }
        let team = who(51, Role::VillageTeam, VILLAGE_A1);
        let e = welfare_posts::create(&db, &team, post("A2"), today)
            .await
            .unwrap_err();
        assert_eq!(e.kind, Kind::Forbidden);
        assert_eq!(audit_count(&db).await, n);

        // The post as read: the holder's ID masked, the person cared for named; the A4 page shows it.
        let e = welfare_posts::show(&db, &team, id).await.unwrap();
        let holder = e.holder.clone().unwrap();
        assert_eq!(
            (holder.household.as_str(), holder.name.as_str()),
            ("A1", "户主一")
        );
        assert!(holder.id_number.contains('*'));
        assert_eq!(e.cared.len(), 1);
        assert_eq!(e.cared[0].name, "老人一");
        let sheet = low_income::show(&db, &team, "E1", today).await.unwrap();
        assert_eq!(sheet.cared_by.len(), 1);
        assert_eq!(sheet.cared_by[0].post, "两无老人看护员");
        assert_eq!(sheet.cared_by[0].member, "老人一");
        let other = who(53, Role::VillageTeam, VILLAGE_B1);
        assert_eq!(
            welfare_posts::show(&db, &other, id).await.unwrap_err().kind,
            Kind::NotFound
        );

        // 解聘 (with the version read) frees the holder for another post; a stale version is refused.
        let mut dismissed = post("A1");
        dismissed.state = PostState::Dismissed;
        welfare_posts::update(
            &db,
            &town(),
            id,
            Versioned {
                version: Some(e.version),
                body: dismissed.clone(),
            },
            today,
        )
        .await
        .unwrap();
        let e2 = welfare_posts::update(
            &db,
            &town(),
            id,
            Versioned {
                version: Some(e.version),
                body: dismissed,
            },
            today,
        )
        .await
        .unwrap_err();
        assert_eq!(e2.kind, Kind::Conflict);
        let mut ranger = post("A1");
        ranger.name = "护林员".to_owned();
        ranger.kind = PostKind::ForestRanger;
        ranger.funding = Funding::LinkageFund;
        ranger.monthly_pay = None;
        ranger.cared.clear();
        welfare_posts::create(&db, &town(), ranger, today)
            .await
            .unwrap();
        // A dismissed post no longer cares for anyone on the A4 page.
        let sheet = low_income::show(&db, &team, "E1", today).await.unwrap();
        assert!(sheet.cared_by.is_empty());
        let held = welfare_posts::list(
            &db,
            &town(),
            &ListFilter {
                state: Some("held".to_owned()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        assert_eq!(held.len(), 1);
        assert_eq!(held[0].name, "护林员");

        // The ledger: one row a post.
        let ledger = ledgers::export(
            &db,
            &town(),
            &LedgerRequest {
                kind: Some("welfare_posts".to_owned()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        assert_eq!(ledger.rows, 2);
    }
);
