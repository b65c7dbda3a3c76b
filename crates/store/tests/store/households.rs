use sea_orm::{EntityTrait, PaginatorTrait};
use shouwang_core::codes::{HouseholdType, MonitoredType, Relation, RiskType};
use shouwang_core::{IncomeRecord, Role};
use shouwang_store::entity::{households as h_entity, members as m_entity};
use shouwang_store::repo::audit::{self, AuditFilter};
use shouwang_store::repo::households::{self, HouseholdQuery};
use shouwang_store::{Db, StoreError, db_test};

use shouwang_store::testing::fixtures::*;

db_test!(
    fn create_writes_rows_and_audit(db: Db) {
        seed_regions(&db).await;
        let before = audit_count(&db).await;
        let hh = household("1411231002010001", VILLAGE_A1, "李大山", 1);
        let id = households::create(&db, &actor(), &hh).await.unwrap();
        assert!(id > 0);
        assert_eq!(audit_count(&db).await, before + 1);
        let log = audit::list(
            &db,
            &county_scope(),
            &AuditFilter {
                entity: Some("household".into()),
                ..Default::default()
            },
            1,
            10,
        )
        .await
        .unwrap();
        assert_eq!(log.total, 1);
        let e = &log.items[0];
        assert_eq!(
            (e.action.as_str(), e.entity_id.as_str()),
            ("create", "1411231002010001")
        );
        assert_eq!(e.actor_user_id, 7);
        assert_eq!(e.actor_name, "测试员");
        assert_eq!(e.village_code.as_deref(), Some(VILLAGE_A1));
        assert!(e.before.is_none());
        let after = e.after.as_ref().unwrap();
        assert_eq!(after["household"]["number"], "1411231002010001");
        assert_eq!(after["members"].as_array().unwrap().len(), 2);

        let d = households::get(&db, &county_scope(), "1411231002010001")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(d.household, hh);
        assert_eq!(d.version, 1);
        assert_eq!(d.member_versions, vec![1, 1]);
        assert_eq!(d.village_name.as_deref(), Some("李家沟村"));
        assert_eq!(d.township_name.as_deref(), Some("蔚汾镇"));
        assert_eq!(d.county_name.as_deref(), Some("兴县"));
        assert!(d.incomes.is_empty());
    }
);

db_test!(
    fn create_round_trips_every_field(db: Db) {
        seed_regions(&db).await;
        let mut hh = household("1411231002010002", VILLAGE_A1, "李二", 2);
        hh.natural_village = Some("141123100201-01".into());
        hh.household_type = HouseholdType::Monitored;
        hh.monitored_type = Some(MonitoredType::SuddenHardship);
        hh.risks = vec![RiskType::Illness, RiskType::DisasterFlood];
        hh.phone = Some("13800000000".into());
        hh.is_relocated = true;
        hh.members[1].health = vec![
            shouwang_core::codes::HealthStatus::Chronic,
            shouwang_core::codes::HealthStatus::Disabled,
        ];
        hh.members[1].disability_grade = Some(2);
        hh.members[1].education = None;
        hh.members[1].school = Some(shouwang_core::codes::SchoolStatus::Grade8);
        households::create(&db, &actor(), &hh).await.unwrap();
        let d = households::get(&db, &county_scope(), &hh.number)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(d.household, hh);
        assert_eq!(d.natural_village_name.as_deref(), Some("前沟"));
    }
);

db_test!(
    fn create_refuses_duplicates_and_bad_input(db: Db) {
        seed_regions(&db).await;
        let hh = household("1411231002010001", VILLAGE_A1, "李大山", 1);
        households::create(&db, &actor(), &hh).await.unwrap();
        let n = audit_count(&db).await;
        // same 户编号
        let again = household("1411231002010001", VILLAGE_A1, "李小山", 3);
        assert!(matches!(
            households::create(&db, &actor(), &again).await,
            Err(StoreError::Conflict { .. })
        ));
        // same ID number in another household of the county
        let mut dup_id = household("1411231002010009", VILLAGE_A2, "高某", 4);
        dup_id.members[0].id_number = hh.members[0].id_number;
        assert!(matches!(
            households::create(&db, &actor(), &dup_id).await,
            Err(StoreError::Conflict { .. })
        ));
        // no members
        let mut empty = household("1411231002010010", VILLAGE_A1, "空", 5);
        empty.members.clear();
        assert!(matches!(
            households::create(&db, &actor(), &empty).await,
            Err(StoreError::Invalid { .. })
        ));
        // village unknown to the registry
        let unknown = household("1411231002990001", "141123100299", "某", 6);
        assert!(matches!(
            households::create(&db, &actor(), &unknown).await,
            Err(StoreError::Invalid { .. })
        ));
        // a township code is not a village
        let town = household("1411231000001", TOWN_A, "某", 7);
        assert!(matches!(
            households::create(&db, &actor(), &town).await,
            Err(StoreError::Invalid { .. })
        ));
        // natural village of another village
        let mut nv = household("1411231002020002", VILLAGE_A2, "某", 8);
        nv.natural_village = Some("141123100201-01".into());
        assert!(matches!(
            households::create(&db, &actor(), &nv).await,
            Err(StoreError::Invalid { .. })
        ));
        assert_eq!(
            audit_count(&db).await,
            n,
            "refused writes leave no audit row"
        );
        assert_eq!(h_entity::Entity::find().count(db.conn()).await.unwrap(), 1);
    }
);

db_test!(
    fn create_in_scope_checks_area_and_role(db: Db) {
        seed_regions(&db).await;
        let hh = household("1411231012010001", VILLAGE_B1, "王五", 1);
        let village_a = scope(Role::VillageTeam, VILLAGE_A1);
        assert!(matches!(
            households::create_in_scope(&db, &actor(), &village_a, &hh).await,
            Err(StoreError::Forbidden)
        ));
        let auditor = scope(Role::Auditor, COUNTY);
        assert!(matches!(
            households::create_in_scope(&db, &actor(), &auditor, &hh).await,
            Err(StoreError::Forbidden)
        ));
        let village_b = scope(Role::VillageTeam, VILLAGE_B1);
        households::create_in_scope(&db, &actor(), &village_b, &hh)
            .await
            .unwrap();
    }
);

db_test!(
    fn create_many_is_all_or_nothing(db: Db) {
        seed_regions(&db).await;
        let a = household("1411231002010001", VILLAGE_A1, "李一", 1);
        let b = household("1411231002010002", VILLAGE_A1, "李二", 2);
        let income = IncomeRecord {
            year: 2022,
            wage: shouwang_core::Fen(1_000_000),
            members: 2,
            ..Default::default()
        };
        let incomes = [income];
        let mut dup = household("1411231002010003", VILLAGE_A1, "李三", 3);
        dup.members[0].id_number = a.members[0].id_number;
        let n = audit_count(&db).await;
        let res = households::create_many(
            &db,
            &actor(),
            [(&a, &incomes[..]), (&b, &[][..]), (&dup, &[][..])],
        )
        .await;
        assert!(matches!(res, Err(StoreError::Conflict { .. })), "{res:?}");
        assert_eq!(audit_count(&db).await, n);
        assert_eq!(h_entity::Entity::find().count(db.conn()).await.unwrap(), 0);
        assert_eq!(m_entity::Entity::find().count(db.conn()).await.unwrap(), 0);

        let ids = households::create_many(&db, &actor(), [(&a, &incomes[..]), (&b, &[][..])])
            .await
            .unwrap();
        assert_eq!(ids.len(), 2);
        assert_eq!(audit_count(&db).await, n + 2);
        let d = households::get(&db, &county_scope(), &a.number)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(d.incomes.len(), 1);
        assert_eq!(d.incomes[0].record, income);
        assert_eq!(d.incomes[0].version, 1);
    }
);

db_test!(
    fn get_is_scoped(db: Db) {
        seed_regions(&db).await;
        households::create(
            &db,
            &actor(),
            &household("1411231002010001", VILLAGE_A1, "李一", 1),
        )
        .await
        .unwrap();
        households::create(
            &db,
            &actor(),
            &household("1411231012010001", VILLAGE_B1, "王一", 2),
        )
        .await
        .unwrap();
        let a1 = scope(Role::VillageTeam, VILLAGE_A1);
        assert!(
            households::get(&db, &a1, "1411231002010001")
                .await
                .unwrap()
                .is_some()
        );
        assert!(
            households::get(&db, &a1, "1411231012010001")
                .await
                .unwrap()
                .is_none()
        );
        let a2 = scope(Role::VillageTeam, VILLAGE_A2);
        assert!(
            households::get(&db, &a2, "1411231002010001")
                .await
                .unwrap()
                .is_none()
        );
        let town_a = scope(Role::TownshipAdmin, TOWN_A);
        assert!(
            households::get(&db, &town_a, "1411231002010001")
                .await
                .unwrap()
                .is_some()
        );
        assert!(
            households::get(&db, &town_a, "1411231012010001")
                .await
                .unwrap()
                .is_none()
        );
        // padded township code works like its prefix
        let town_b = scope(Role::TownshipAdmin, "141123101000");
        assert!(
            households::get(&db, &town_b, "1411231012010001")
                .await
                .unwrap()
                .is_some()
        );
        let other_county = scope(Role::CountyAdmin, "141124");
        assert!(
            households::get(&db, &other_county, "1411231002010001")
                .await
                .unwrap()
                .is_none()
        );
        let nowhere = scope(Role::Auditor, "");
        assert!(
            households::get(&db, &nowhere, "1411231002010001")
                .await
                .unwrap()
                .is_none()
        );
        assert!(
            households::get(&db, &county_scope(), "nope")
                .await
                .unwrap()
                .is_none()
        );
    }
);

db_test!(
    fn update_checks_version_and_audits(db: Db) {
        seed_regions(&db).await;
        let hh = household("1411231002010001", VILLAGE_A1, "李一", 1);
        households::create(&db, &actor(), &hh).await.unwrap();
        let mut changed = hh.clone();
        changed.household_type = HouseholdType::Monitored;
        changed.monitored_type = Some(MonitoredType::Marginal);
        changed.risks = vec![RiskType::Illness];
        changed.address = "新地址".into();
        changed.members.clear(); // ignored by update
        let n = audit_count(&db).await;
        let v = households::update(&db, &actor(), &county_scope(), &hh.number, &changed, 1)
            .await
            .unwrap();
        assert_eq!(v, 2);
        assert_eq!(audit_count(&db).await, n + 1);
        let d = households::get(&db, &county_scope(), &hh.number)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(d.version, 2);
        assert_eq!(d.household.monitored_type, Some(MonitoredType::Marginal));
        assert_eq!(d.household.address, "新地址");
        assert_eq!(d.household.members.len(), 2);
        let log = audit::list(
            &db,
            &county_scope(),
            &AuditFilter {
                action: Some("update".into()),
                ..Default::default()
            },
            1,
            10,
        )
        .await
        .unwrap();
        assert_eq!(
            log.items[0].before.as_ref().unwrap()["household_type"],
            "alleviated"
        );
        assert_eq!(
            log.items[0].after.as_ref().unwrap()["household_type"],
            "monitored"
        );

        // stale: refused, nothing written
        let mut again = changed.clone();
        again.address = "不应保存".into();
        let err = households::update(&db, &actor(), &county_scope(), &hh.number, &again, 1)
            .await
            .unwrap_err();
        assert!(
            matches!(
                err,
                StoreError::StaleVersion {
                    expected: 1,
                    found: 2
                }
            ),
            "{err:?}"
        );
        assert_eq!(audit_count(&db).await, n + 1);
        let d = households::get(&db, &county_scope(), &hh.number)
            .await
            .unwrap()
            .unwrap();
        assert_eq!((d.version, d.household.address.as_str()), (2, "新地址"));
    }
);

db_test!(
    fn update_scope_rules(db: Db) {
        seed_regions(&db).await;
        let hh = household("1411231002010001", VILLAGE_A1, "李一", 1);
        households::create(&db, &actor(), &hh).await.unwrap();
        let n = audit_count(&db).await;
        let other_village = scope(Role::VillageTeam, VILLAGE_A2);
        assert!(matches!(
            households::update(&db, &actor(), &other_village, &hh.number, &hh, 1).await,
            Err(StoreError::NotFound)
        ));
        let auditor = scope(Role::Auditor, COUNTY);
        assert!(matches!(
            households::update(&db, &actor(), &auditor, &hh.number, &hh, 1).await,
            Err(StoreError::Forbidden)
        ));
        // moving out of the scope's area is refused
        let own = scope(Role::VillageTeam, VILLAGE_A1);
        let mut moved = hh.clone();
        moved.village = rc(VILLAGE_A2);
        assert!(matches!(
            households::update(&db, &actor(), &own, &hh.number, &moved, 1).await,
            Err(StoreError::Forbidden)
        ));
        assert_eq!(audit_count(&db).await, n);
        // a township admin may move it inside the township; members and incomes follow
        households::update(
            &db,
            &actor(),
            &scope(Role::TownshipAdmin, TOWN_A),
            &hh.number,
            &moved,
            1,
        )
        .await
        .unwrap();
        assert!(
            households::get(&db, &own, &hh.number)
                .await
                .unwrap()
                .is_none()
        );
        let a2 = scope(Role::VillageTeam, VILLAGE_A2);
        assert!(
            households::get(&db, &a2, &hh.number)
                .await
                .unwrap()
                .is_some()
        );
        let page = households::search(
            &db,
            &a2,
            &HouseholdQuery {
                q: Some("李一".into()),
                ..Default::default()
            },
            1,
            10,
        )
        .await
        .unwrap();
        assert_eq!(page.total, 1);
    }
);

db_test!(
    fn member_add_update_remove(db: Db) {
        seed_regions(&db).await;
        let hh = household("1411231002010001", VILLAGE_A1, "李一", 1);
        households::create(&db, &actor(), &hh).await.unwrap();
        let s = county_scope();
        let child = member(id(3, 2005), "李小一", Relation::Son);
        let n = audit_count(&db).await;
        // stale household version: refused, nothing written
        assert!(matches!(
            households::add_member(&db, &actor(), &s, &hh.number, &child, 7).await,
            Err(StoreError::StaleVersion {
                expected: 7,
                found: 1
            })
        ));
        assert_eq!(audit_count(&db).await, n);
        let v = households::add_member(&db, &actor(), &s, &hh.number, &child, 1)
            .await
            .unwrap();
        assert_eq!(v, 2);
        assert_eq!(audit_count(&db).await, n + 1);
        let d = households::get(&db, &s, &hh.number).await.unwrap().unwrap();
        assert_eq!(d.household.members.len(), 3);
        assert_eq!(d.household.members[2], child);
        // the ID number is now taken in the county
        let mut other = household("1411231002020001", VILLAGE_A2, "高一", 9);
        other.members[1].id_number = child.id_number;
        assert!(matches!(
            households::create(&db, &actor(), &other).await,
            Err(StoreError::Conflict { .. })
        ));
        assert!(matches!(
            households::add_member(&db, &actor(), &s, &hh.number, &child, 2).await,
            Err(StoreError::Conflict { .. })
        ));

        // update a member: becoming head one member at a time would leave the household without a
        // 户主 (or with two) in between: refused, nothing written
        let mut head = d.household.members[0].clone();
        head.relation = Relation::Father;
        let mut new_head = child.clone();
        new_head.relation = Relation::Head;
        new_head.name = "李新".into();
        let n = audit_count(&db).await;
        assert!(matches!(
            households::update_member(&db, &actor(), &s, &hh.number, &head, 1).await,
            Err(StoreError::Invalid { .. })
        ));
        assert!(matches!(
            households::update_member(&db, &actor(), &s, &hh.number, &new_head, 1).await,
            Err(StoreError::Invalid { .. })
        ));
        assert_eq!(audit_count(&db).await, n);
        // 变更户主 in one step: the list shows the new head; then the new head's name is updated
        assert!(matches!(
            households::change_head(
                &db,
                &actor(),
                &s,
                &hh.number,
                child.id_number,
                Relation::Head,
                2
            )
            .await,
            Err(StoreError::Invalid { .. })
        ));
        assert_eq!(
            households::change_head(
                &db,
                &actor(),
                &s,
                &hh.number,
                child.id_number,
                Relation::Father,
                2
            )
            .await
            .unwrap(),
            3
        );
        assert_eq!(
            households::update_member(&db, &actor(), &s, &hh.number, &new_head, 2)
                .await
                .unwrap(),
            3
        );
        let n = audit_count(&db).await;
        assert!(matches!(
            households::update_member(&db, &actor(), &s, &hh.number, &new_head, 1).await,
            Err(StoreError::StaleVersion {
                expected: 1,
                found: 3
            })
        ));
        assert_eq!(audit_count(&db).await, n);
        let page = households::search(&db, &s, &HouseholdQuery::default(), 1, 10)
            .await
            .unwrap();
        assert_eq!(page.items[0].head_name, "李新");
        assert_eq!(page.items[0].head_id, child.id_number);
        assert_eq!(page.items[0].size, 3);
        let unknown = member(id(77, 1990), "无此人", Relation::Other);
        assert!(matches!(
            households::update_member(&db, &actor(), &s, &hh.number, &unknown, 1).await,
            Err(StoreError::NotFound)
        ));

        // remove: version-checked, never the 户主, not the last member
        assert!(matches!(
            households::remove_member(&db, &actor(), &s, &hh.number, hh.members[0].id_number, 2)
                .await,
            Err(StoreError::StaleVersion { .. })
        ));
        assert!(matches!(
            households::remove_member(&db, &actor(), &s, &hh.number, child.id_number, 3).await,
            Err(StoreError::Invalid { .. })
        ));
        let v =
            households::remove_member(&db, &actor(), &s, &hh.number, hh.members[0].id_number, 3)
                .await
                .unwrap();
        assert_eq!(v, 4);
        let d = households::get(&db, &s, &hh.number).await.unwrap().unwrap();
        assert_eq!(d.household.members.len(), 2);
        let page = households::search(&db, &s, &HouseholdQuery::default(), 1, 10)
            .await
            .unwrap();
        assert_eq!(page.items[0].size, 2);
        let v =
            households::remove_member(&db, &actor(), &s, &hh.number, hh.members[1].id_number, 4)
                .await
                .unwrap();
        assert!(matches!(
            households::remove_member(&db, &actor(), &s, &hh.number, child.id_number, v).await,
            Err(StoreError::Invalid { .. })
        ));
        // another village's team cannot touch it
        let other = scope(Role::VillageTeam, VILLAGE_B1);
        assert!(matches!(
            households::update_member(&db, &actor(), &other, &hh.number, &head, 2).await,
            Err(StoreError::NotFound)
        ));
    }
);

db_test!(
    fn delete_is_versioned_and_audited(db: Db) {
        seed_regions(&db).await;
        let hh = household("1411231002010001", VILLAGE_A1, "李一", 1);
        households::create(&db, &actor(), &hh).await.unwrap();
        shouwang_store::repo::income::upsert(
            &db,
            &actor(),
            &hh.number,
            &IncomeRecord {
                year: 2022,
                members: 2,
                ..Default::default()
            },
            shouwang_core::income::IncomeSource::Manual,
            None,
        )
        .await
        .unwrap();
        let s = county_scope();
        let n = audit_count(&db).await;
        assert!(matches!(
            households::delete(&db, &actor(), &s, &hh.number, 5).await,
            Err(StoreError::StaleVersion {
                expected: 5,
                found: 1
            })
        ));
        assert!(matches!(
            households::delete(
                &db,
                &actor(),
                &scope(Role::VillageTeam, VILLAGE_A2),
                &hh.number,
                1
            )
            .await,
            Err(StoreError::NotFound)
        ));
        assert_eq!(audit_count(&db).await, n);
        households::delete(&db, &actor(), &s, &hh.number, 1)
            .await
            .unwrap();
        assert!(
            households::get(&db, &s, &hh.number)
                .await
                .unwrap()
                .is_none()
        );
        assert_eq!(m_entity::Entity::find().count(db.conn()).await.unwrap(), 0);
        let log = audit::list(
            &db,
            &s,
            &AuditFilter {
                action: Some("delete".into()),
                ..Default::default()
            },
            1,
            10,
        )
        .await
        .unwrap();
        assert_eq!(log.total, 1);
        let before = log.items[0].before.as_ref().unwrap();
        assert_eq!(before["members"].as_array().unwrap().len(), 2);
        assert_eq!(before["incomes"].as_array().unwrap().len(), 1);
        // the number is free again
        households::create(&db, &actor(), &hh).await.unwrap();
    }
);

db_test!(
    fn concurrent_updates_one_wins_the_other_is_stale(db: Db) {
        seed_regions(&db).await;
        let hh = household("1411231002010001", VILLAGE_A1, "李一", 1);
        households::create(&db, &actor(), &hh).await.unwrap();
        let n = audit_count(&db).await;
        let mut tasks = Vec::new();
        for i in 0..6 {
            let db = db.clone();
            let mut h = hh.clone();
            h.address = format!("地址{i}");
            tasks.push(tokio::spawn(async move {
                households::update(&db, &actor(), &county_scope(), "1411231002010001", &h, 1).await
            }));
        }
        let mut ok = 0;
        for t in tasks {
            match t.await.unwrap() {
                Ok(v) => {
                    assert_eq!(v, 2);
                    ok += 1;
                }
                Err(StoreError::StaleVersion {
                    expected: 1,
                    found: 2,
                }) => {}
                Err(e) => panic!("unexpected {e:?}"),
            }
        }
        assert_eq!(ok, 1, "exactly one writer wins");
        assert_eq!(audit_count(&db).await, n + 1);
    }
);

#[tokio::test]
async fn in_memory_sqlite_is_one_database() {
    let db = Db::connect("sqlite::memory:").await.unwrap();
    db.migrate().await.unwrap();
    seed_regions(&db).await;
    households::create(
        &db,
        &actor(),
        &household("1411231002010001", VILLAGE_A1, "李一", 1),
    )
    .await
    .unwrap();
    assert!(
        households::get(&db, &county_scope(), "1411231002010001")
            .await
            .unwrap()
            .is_some()
    );
}
