//! Duplicate review (重复数据核查): detection of each kind over the database, merges by an admin with
//! audit rows, a stale version refused, a village user refused.

use shouwang_core::codes::{RegionLevel, Relation};
use shouwang_core::duplicates::DuplicateKind;
use shouwang_core::{Region, Role};
use shouwang_store::repo::{duplicates, households, regions};
use shouwang_store::{Actor, Db, StoreError, db_test};

use crate::support::*;

const OTHER_COUNTY: &str = "141124";
const OTHER_VILLAGE: &str = "141124100201";

async fn seed_other_county(db: &Db) {
    let r = |code: &str, name: &str, level: RegionLevel, parent: Option<&str>| Region {
        code: rc(code),
        name: name.to_owned(),
        level,
        parent: parent.map(rc),
    };
    regions::upsert_many(
        db,
        &Actor::system(),
        &[
            r(OTHER_COUNTY, "临县", RegionLevel::County, None),
            r(
                "141124100",
                "城关镇",
                RegionLevel::Township,
                Some(OTHER_COUNTY),
            ),
            r(
                OTHER_VILLAGE,
                "东村",
                RegionLevel::Village,
                Some("141124100"),
            ),
        ],
    )
    .await
    .unwrap();
}

/// A1: 张伟 (1) and 赵一 (2); A2: N1 and N2 the same family twice (王五, 王五妻; other IDs), and 张玮
/// (4) born the day 张伟 was in A1 — another village, so no D3; A1: 张 玮 (5) in household 0005 — D3
/// with 张伟. Other county: 0009 with 赵一's ID number — D1.
async fn seed(db: &Db) {
    seed_regions(db).await;
    seed_other_county(db).await;
    let mk = |number: &str, village: &str, members: Vec<shouwang_core::Member>| {
        let mut h = household(number, village, "x", 900);
        h.members = members;
        h
    };
    let list = vec![
        mk(
            "1411231002010001",
            VILLAGE_A1,
            vec![member(id(1, 1970), "张伟", Relation::Head)],
        ),
        mk(
            "1411231002010002",
            VILLAGE_A1,
            vec![member(id(2, 1980), "赵一", Relation::Head)],
        ),
        household("1411231002020001", VILLAGE_A2, "王五", 10),
        household("1411231002020002", VILLAGE_A2, "王五", 20),
        mk(
            "1411231002020003",
            VILLAGE_A2,
            vec![member(id(4, 1970), "张玮玮", Relation::Head)],
        ),
        mk(
            "1411231002010005",
            VILLAGE_A1,
            vec![member(id(5, 1970), "张 玮", Relation::Head)],
        ),
    ];
    for h in &list {
        households::create(db, &actor(), h).await.unwrap();
    }
    let mut other = household("1411241002010009", OTHER_VILLAGE, "钱八", 30);
    other
        .members
        .push(member(id(2, 1980), "赵一", Relation::Other));
    households::create(db, &actor(), &other).await.unwrap();
}

db_test!(
    fn duplicates_detects_each_kind(db: Db) {
        seed(&db).await;
        let all = duplicates::list(&db, None, None).await.unwrap();
        let kinds: Vec<(DuplicateKind, &str, &str)> = all
            .iter()
            .map(|r| {
                (
                    r.candidate.kind,
                    r.candidate.a.number.as_str(),
                    r.candidate.b.number.as_str(),
                )
            })
            .collect();
        assert_eq!(
            kinds,
            [
                (
                    DuplicateKind::SamePerson,
                    "1411231002010002",
                    "1411241002010009"
                ),
                (
                    DuplicateKind::SameHousehold,
                    "1411231002020001",
                    "1411231002020002"
                ),
                (
                    DuplicateKind::SimilarPerson,
                    "1411231002010001",
                    "1411231002010005"
                ),
            ],
            "{all:#?}"
        );
        assert!(all.iter().all(|r| r.version_a == 1 && r.version_b == 1));
        // The county admin of 141123 sees no cross-county pair.
        let county = duplicates::list(&db, Some(&county_scope()), None)
            .await
            .unwrap();
        assert_eq!(county.len(), 2);
        // A village team sees its village only.
        let team = scope(Role::VillageTeam, VILLAGE_A1);
        let v = duplicates::list(&db, Some(&team), None).await.unwrap();
        assert_eq!(v.len(), 1);
        assert_eq!(v[0].candidate.kind, DuplicateKind::SimilarPerson);
    }
);

db_test!(
    fn duplicates_merge_is_explicit_versioned_and_audited(db: Db) {
        seed(&db).await;
        let admin = scope(Role::TownshipAdmin, TOWN_A);
        let team = scope(Role::VillageTeam, VILLAGE_A2);
        let (keep, drop) = ("1411231002020001", "1411231002020002");
        let before = audit_count(&db).await;

        // A village user may not merge.
        let e = duplicates::merge_households(&db, &actor(), &team, keep, 1, drop, 1).await;
        assert!(matches!(e, Err(StoreError::Forbidden)), "{e:?}");
        // A stale version is refused, nothing written.
        let e = duplicates::merge_households(&db, &actor(), &admin, keep, 7, drop, 1).await;
        assert!(
            matches!(
                e,
                Err(StoreError::StaleVersion {
                    expected: 7,
                    found: 1
                })
            ),
            "{e:?}"
        );
        let e = duplicates::merge_households(&db, &actor(), &admin, keep, 1, drop, 3).await;
        assert!(matches!(e, Err(StoreError::StaleVersion { .. })), "{e:?}");
        assert_eq!(audit_count(&db).await, before);
        assert!(households::get(&db, &admin, drop).await.unwrap().is_some());

        let out = duplicates::merge_households(&db, &actor(), &admin, keep, 1, drop, 1)
            .await
            .unwrap();
        assert_eq!(
            (out.version, out.members_moved, out.members_dropped),
            (2, 0, 2)
        );
        assert!(households::get(&db, &admin, drop).await.unwrap().is_none());
        let kept = households::get(&db, &admin, keep).await.unwrap().unwrap();
        assert_eq!((kept.version, kept.household.members.len()), (2, 2));
        // Two audit rows: the merge on A (with B in full) and the deletion of B.
        assert_eq!(audit_count(&db).await, before + 2);
        let log = shouwang_store::repo::audit::list(
            &db,
            &county_scope(),
            &shouwang_store::repo::audit::AuditFilter {
                action: Some("merge".into()),
                ..Default::default()
            },
            1,
            10,
        )
        .await
        .unwrap();
        assert_eq!(log.total, 1);
        assert_eq!(log.items[0].entity_id, keep);
        assert_eq!(
            log.items[0].before.as_ref().unwrap()["merged"]["household"]["number"],
            drop
        );
        // The pair is gone from the candidates.
        let left = duplicates::list(&db, Some(&county_scope()), None)
            .await
            .unwrap();
        assert!(
            left.iter()
                .all(|r| r.candidate.kind != DuplicateKind::SameHousehold)
        );

        // Removing a duplicated member record: village user refused, stale refused, then done.
        let other_admin = scope(Role::CountyAdmin, OTHER_COUNTY);
        let other_team = scope(Role::VillageTeam, OTHER_VILLAGE);
        let hh = "1411241002010009";
        let e = duplicates::remove_member(&db, &actor(), &other_team, hh, id(2, 1980), 1).await;
        assert!(matches!(e, Err(StoreError::Forbidden)), "{e:?}");
        let e = duplicates::remove_member(&db, &actor(), &other_admin, hh, id(2, 1980), 5).await;
        assert!(matches!(e, Err(StoreError::StaleVersion { .. })), "{e:?}");
        let n = audit_count(&db).await;
        let v = duplicates::remove_member(&db, &actor(), &other_admin, hh, id(2, 1980), 1)
            .await
            .unwrap();
        assert_eq!(v, 2);
        assert_eq!(audit_count(&db).await, n + 1);
        let h = households::get(&db, &other_admin, hh)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(h.household.members.len(), 2);
        assert!(h.household.member(id(2, 1980)).is_none());
        // The township admin of 141123 cannot touch the other county's household.
        let e = duplicates::remove_member(&db, &actor(), &admin, hh, id(30, 1970), 2).await;
        assert!(matches!(e, Err(StoreError::NotFound)), "{e:?}");
    }
);
