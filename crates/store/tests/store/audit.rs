use chrono::{Duration, Utc};
use shouwang_core::Role;
use shouwang_store::repo::audit::{self, AuditFilter};
use shouwang_store::repo::households;
use shouwang_store::{Db, db_test};

use shouwang_store::testing::fixtures::*;

db_test!(
    fn list_is_scoped_filtered_and_paged(db: Db) {
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
            &household("1411231002010002", VILLAGE_A1, "李二", 2),
        )
        .await
        .unwrap();
        households::create(
            &db,
            &actor(),
            &household("1411231012010001", VILLAGE_B1, "王一", 3),
        )
        .await
        .unwrap();
        let hh = |s| AuditFilter {
            entity: Some("household".into()),
            ..s
        };
        let all = audit::list(&db, &county_scope(), &hh(AuditFilter::default()), 1, 10)
            .await
            .unwrap();
        assert_eq!(all.total, 3);
        // newest first
        assert_eq!(all.items[0].entity_id, "1411231012010001");
        let a1 = audit::list(
            &db,
            &scope(Role::VillageTeam, VILLAGE_A1),
            &AuditFilter::default(),
            1,
            10,
        )
        .await
        .unwrap();
        assert_eq!(a1.total, 2);
        assert!(
            a1.items
                .iter()
                .all(|e| e.village_code.as_deref() == Some(VILLAGE_A1))
        );
        let b = audit::list(
            &db,
            &scope(Role::TownshipAdmin, TOWN_B),
            &AuditFilter::default(),
            1,
            10,
        )
        .await
        .unwrap();
        assert_eq!(b.total, 1);
        // region rows (county-level, no village) are visible to the county only
        let regions = audit::list(
            &db,
            &county_scope(),
            &AuditFilter {
                entity: Some("region".into()),
                ..Default::default()
            },
            1,
            10,
        )
        .await
        .unwrap();
        assert_eq!(regions.total, 7);
        let other = audit::list(
            &db,
            &scope(Role::Auditor, "141124"),
            &hh(AuditFilter::default()),
            1,
            10,
        )
        .await
        .unwrap();
        assert_eq!(other.total, 0);
        assert_eq!(
            audit::list(
                &db,
                &scope(Role::Auditor, ""),
                &AuditFilter::default(),
                1,
                10
            )
            .await
            .unwrap()
            .total,
            0
        );
        // paging
        let p2 = audit::list(&db, &county_scope(), &hh(AuditFilter::default()), 2, 2)
            .await
            .unwrap();
        assert_eq!((p2.total, p2.items.len()), (3, 1));
        assert_eq!(p2.items[0].entity_id, "1411231002010001");
        // by actor and time
        let mine = audit::list(
            &db,
            &county_scope(),
            &AuditFilter {
                actor_user_id: Some(7),
                ..Default::default()
            },
            1,
            10,
        )
        .await
        .unwrap();
        assert_eq!(mine.total, 3);
        let future = audit::list(
            &db,
            &county_scope(),
            &AuditFilter {
                since: Some(Utc::now() + Duration::hours(1)),
                ..Default::default()
            },
            1,
            10,
        )
        .await
        .unwrap();
        assert_eq!(future.total, 0);
        let past = audit::list(
            &db,
            &county_scope(),
            &hh(AuditFilter {
                since: Some(Utc::now() - Duration::hours(1)),
                until: Some(Utc::now() + Duration::hours(1)),
                ..Default::default()
            }),
            1,
            10,
        )
        .await
        .unwrap();
        assert_eq!(past.total, 3);
    }
);

db_test!(
    fn record_read_appends_a_row(db: Db) {
        let n = audit_count(&db).await;
        audit::record_read(
            &db,
            &actor(),
            "read_full_id",
            "household",
            "1411231002010001",
            Some(VILLAGE_A1),
            None,
        )
        .await
        .unwrap();
        assert_eq!(audit_count(&db).await, n + 1);
        let l = audit::list(
            &db,
            &scope(Role::VillageTeam, VILLAGE_A1),
            &AuditFilter {
                action: Some("read_full_id".into()),
                ..Default::default()
            },
            1,
            10,
        )
        .await
        .unwrap();
        assert_eq!(l.total, 1);
        assert_eq!(l.items[0].county_code.as_deref(), Some(COUNTY));
    }
);
