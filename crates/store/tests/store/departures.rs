//! 减员 and 新增成员 with a reason (issue 17): a member who leaves is kept as a former member and no longer
//! counts anywhere; refusals write nothing.

use chrono::NaiveDate;
use sea_orm::{EntityTrait, PaginatorTrait};
use shouwang_core::codes::Relation;
use shouwang_core::household::changes::{JoinReason, LeaveReason};
use shouwang_core::{Role, Scope};
use shouwang_store::entity::{former_members, members as m_entity};
use shouwang_store::repo::audit::{self, AuditFilter};
use shouwang_store::repo::households::{self, HouseholdQuery};
use shouwang_store::repo::screening_export;
use shouwang_store::testing::fixtures::*;
use shouwang_store::{Db, StoreError, db_test};

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

/// What a refused write must leave as it was: the household, the members, former members, the audit log.
async fn snapshot(db: &Db, number: &str) -> (String, u64, u64, u64) {
    let h = households::get(db, &county_scope(), number).await.unwrap();
    (
        format!("{h:?}"),
        m_entity::Entity::find().count(db.conn()).await.unwrap(),
        former_members::Entity::find()
            .count(db.conn())
            .await
            .unwrap(),
        audit_count(db).await,
    )
}

async fn last_audit(db: &Db) -> audit::AuditEntry {
    audit::list(db, &county_scope(), &AuditFilter::default(), 1, 1)
        .await
        .unwrap()
        .items
        .remove(0)
}

async fn screened_ids(db: &Db) -> Vec<String> {
    let mut ids = Vec::new();
    screening_export::members(db, COUNTY, &mut |m| {
        ids.push(m.id_number);
        Ok(())
    })
    .await
    .unwrap();
    ids
}

db_test!(
    fn a_member_who_leaves_is_kept_apart_and_no_longer_counts(db: Db) {
        seed_regions(&db).await;
        let hh = household("1411231002010001", VILLAGE_A1, "李大山", 1);
        households::create(&db, &actor(), &hh).await.unwrap();
        let team = scope(Role::VillageTeam, VILLAGE_A1);
        let child = member(id(31, 2010), "李小山", Relation::Son);
        let v = households::add_member_joined(
            &db,
            &actor(),
            &team,
            &hh.number,
            &child,
            JoinReason::Birth,
            d(2010, 3, 15),
            1,
        )
        .await
        .unwrap();
        assert_eq!(v, 2);
        let e = last_audit(&db).await;
        assert_eq!((e.action.as_str(), e.entity.as_str()), ("create", "member"));
        let after = e.after.unwrap();
        assert_eq!(after["reason"], "birth");
        assert_eq!(after["on"], "2010-03-15");
        assert_eq!(after["household"], hh.number.as_str());
        assert!(
            screened_ids(&db)
                .await
                .contains(&child.id_number.to_string())
        );

        // Refusals leave everything as it was.
        let before = snapshot(&db, &hh.number).await;
        let head = hh.members[0].id_number;
        for (who, version, want) in [
            (child.id_number, 1, "stale"),
            (head, 2, "invalid"),
            (id(99, 1990), 2, "not_found"),
        ] {
            let r = households::depart_member(
                &db,
                &actor(),
                &team,
                &hh.number,
                who,
                LeaveReason::Death,
                d(2024, 1, 1),
                version,
            )
            .await;
            match (want, r) {
                (
                    "stale",
                    Err(StoreError::StaleVersion {
                        expected: 1,
                        found: 2,
                    }),
                )
                | ("invalid", Err(StoreError::Invalid { .. }))
                | ("not_found", Err(StoreError::NotFound)) => {}
                (w, other) => panic!("{w}: {other:?}"),
            }
        }
        let other_village = scope(Role::VillageTeam, VILLAGE_A2);
        let r = households::depart_member(
            &db,
            &actor(),
            &other_village,
            &hh.number,
            child.id_number,
            LeaveReason::Death,
            d(2024, 1, 1),
            2,
        )
        .await;
        assert!(matches!(r, Err(StoreError::NotFound)), "{r:?}");
        let auditor = scope(Role::Auditor, COUNTY);
        let r = households::depart_member(
            &db,
            &actor(),
            &auditor,
            &hh.number,
            child.id_number,
            LeaveReason::Death,
            d(2024, 1, 1),
            2,
        )
        .await;
        assert!(matches!(r, Err(StoreError::Forbidden)), "{r:?}");
        assert_eq!(
            snapshot(&db, &hh.number).await,
            before,
            "refusals wrote nothing"
        );

        // 迁出: the row leaves `members`, the former member is read back with reason and date.
        let v = households::depart_member(
            &db,
            &actor(),
            &team,
            &hh.number,
            child.id_number,
            LeaveReason::MovedOut,
            d(2024, 9, 1),
            2,
        )
        .await
        .unwrap();
        assert_eq!(v, 3);
        let got = households::get(&db, &team, &hh.number)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(got.version, 3);
        assert_eq!(got.household.members, hh.members);
        assert_eq!(got.member_ids.len(), 2);
        assert_eq!(got.former_members.len(), 1);
        let f = &got.former_members[0];
        assert_eq!(f.member, child);
        assert_eq!(
            (f.reason, f.left_on),
            (LeaveReason::MovedOut, d(2024, 9, 1))
        );
        let e = last_audit(&db).await;
        assert_eq!((e.action.as_str(), e.entity.as_str()), ("depart", "member"));
        assert_eq!(
            e.entity_id,
            child.id_number.masked(),
            "no plain ID number in the log"
        );
        assert_eq!(e.before.unwrap()["member"]["name"], "李小山");
        assert_eq!(e.after.as_ref().unwrap()["reason"], "moved_out");
        assert_eq!(e.after.unwrap()["on"], "2024-09-01");

        // Out of every count: 家庭人口, the search by ID number and name, the screening export.
        let found = households::search(
            &db,
            &county_scope(),
            &HouseholdQuery {
                q: Some(hh.number.clone()),
                ..Default::default()
            },
            1,
            10,
        )
        .await
        .unwrap();
        assert_eq!(found.items[0].size, 2);
        for q in [child.id_number.to_string(), "李小山".to_owned()] {
            let by = households::search(
                &db,
                &county_scope(),
                &HouseholdQuery {
                    q: Some(q.clone()),
                    ..Default::default()
                },
                1,
                10,
            )
            .await
            .unwrap();
            assert_eq!(by.total, 0, "{q} still finds the household");
        }
        assert!(
            !screened_ids(&db)
                .await
                .contains(&child.id_number.to_string())
        );

        // The ID number is free again: he marries into a household of the next village.
        let other = household("1411231002020001", VILLAGE_A2, "高某", 5);
        households::create(&db, &actor(), &other).await.unwrap();
        let mut groom = child.clone();
        groom.relation = Relation::SonInLaw;
        households::add_member_joined(
            &db,
            &actor(),
            &county_scope(),
            &other.number,
            &groom,
            JoinReason::Marriage,
            d(2024, 10, 1),
            1,
        )
        .await
        .unwrap();

        // The former member goes with the household when it is deleted (the audit row keeps him).
        households::delete(&db, &actor(), &county_scope(), &hh.number, 3)
            .await
            .unwrap();
        assert_eq!(
            former_members::Entity::find()
                .count(db.conn())
                .await
                .unwrap(),
            0
        );
        let e = last_audit(&db).await;
        assert_eq!(e.action, "delete");
        assert_eq!(e.before.unwrap()["former_members"][0]["name"], "李小山");
    }
);

db_test!(
    fn the_last_member_cannot_leave(db: Db) {
        seed_regions(&db).await;
        let mut hh = household("1411231002010002", VILLAGE_A1, "独居", 7);
        hh.members.truncate(1);
        households::create(&db, &actor(), &hh).await.unwrap();
        let before = snapshot(&db, &hh.number).await;
        let r = households::depart_member(
            &db,
            &actor(),
            &Scope::new(1, Role::TownshipAdmin, TOWN_A),
            &hh.number,
            hh.members[0].id_number,
            LeaveReason::Death,
            d(2024, 1, 1),
            1,
        )
        .await;
        assert!(matches!(r, Err(StoreError::Invalid { .. })), "{r:?}");
        assert_eq!(snapshot(&db, &hh.number).await, before);
    }
);

db_test!(
    fn a_village_change_takes_the_former_members_along(db: Db) {
        seed_regions(&db).await;
        let hh = household("1411231002010003", VILLAGE_A1, "搬迁户", 8);
        households::create(&db, &actor(), &hh).await.unwrap();
        let child = member(id(41, 2000), "搬迁子", Relation::Son);
        households::add_member(&db, &actor(), &county_scope(), &hh.number, &child, 1)
            .await
            .unwrap();
        households::depart_member(
            &db,
            &actor(),
            &county_scope(),
            &hh.number,
            child.id_number,
            LeaveReason::Death,
            d(2023, 5, 1),
            2,
        )
        .await
        .unwrap();
        let mut moved = hh.clone();
        moved.village = rc(VILLAGE_A2);
        households::update(&db, &actor(), &county_scope(), &hh.number, &moved, 3)
            .await
            .unwrap();
        let rows = former_members::Entity::find().all(db.conn()).await.unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].village_code, VILLAGE_A2);
        // The new village's team sees the former member; the old village's does not see the household.
        let a2 = households::get(&db, &scope(Role::VillageTeam, VILLAGE_A2), &hh.number)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(a2.former_members.len(), 1);
        assert!(
            households::get(&db, &scope(Role::VillageTeam, VILLAGE_A1), &hh.number)
                .await
                .unwrap()
                .is_none()
        );
    }
);

db_test!(
    fn a_merge_keeps_the_dropped_records_former_members(db: Db) {
        seed_regions(&db).await;
        let a = household("1411231002010004", VILLAGE_A1, "王甲", 9);
        let b = household("1411231002010005", VILLAGE_A1, "王乙", 10);
        households::create(&db, &actor(), &a).await.unwrap();
        households::create(&db, &actor(), &b).await.unwrap();
        let grandma = member(id(51, 1940), "王奶奶", Relation::Mother);
        households::add_member(&db, &actor(), &county_scope(), &b.number, &grandma, 1)
            .await
            .unwrap();
        households::depart_member(
            &db,
            &actor(),
            &county_scope(),
            &b.number,
            grandma.id_number,
            LeaveReason::Death,
            d(2023, 2, 1),
            2,
        )
        .await
        .unwrap();
        shouwang_store::repo::duplicates::merge_households(
            &db,
            &actor(),
            &county_scope(),
            &a.number,
            1,
            &b.number,
            3,
        )
        .await
        .unwrap();
        let kept = households::get(&db, &county_scope(), &a.number)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(kept.former_members.len(), 1);
        assert_eq!(kept.former_members[0].member.name, "王奶奶");
    }
);
