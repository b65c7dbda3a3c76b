use shouwang_core::codes::RegionLevel;
use shouwang_core::{Fen, MonitoringLine, Region};
use shouwang_store::repo::audit::{self, AuditFilter};
use shouwang_store::repo::{lines, regions};
use shouwang_store::{Actor, Db, StoreError, db_test};

use shouwang_store::testing::fixtures::*;

db_test!(
    fn lines_seeded_listed_and_set(db: Db) {
        // seeded by migrate()
        let all = lines::list(&db).await.unwrap();
        assert_eq!(
            all,
            vec![
                MonitoringLine {
                    province: "14".into(),
                    year: 2021,
                    line: Fen(600_000)
                },
                MonitoringLine {
                    province: "14".into(),
                    year: 2022,
                    line: Fen(650_000)
                },
            ]
        );
        // migrating again neither duplicates nor overwrites
        lines::set(
            &db,
            &actor(),
            &MonitoringLine {
                province: "14".into(),
                year: 2022,
                line: Fen(660_000),
            },
        )
        .await
        .unwrap();
        db.migrate().await.unwrap();
        assert_eq!(
            lines::get(&db, "14", 2022).await.unwrap(),
            Some(Fen(660_000))
        );
        assert_eq!(
            lines::table(&db).await.unwrap().line("14", 2021),
            Some(Fen(600_000))
        );
        let n = audit_count(&db).await;
        lines::set(
            &db,
            &actor(),
            &MonitoringLine {
                province: "14".into(),
                year: 2023,
                line: Fen(690_000),
            },
        )
        .await
        .unwrap();
        assert_eq!(audit_count(&db).await, n + 1);
        assert_eq!(lines::list(&db).await.unwrap().len(), 3);
        let log = audit::list(
            &db,
            &county_scope(),
            &AuditFilter {
                entity: Some("monitoring_line".into()),
                entity_id: Some("14/2022".into()),
                ..Default::default()
            },
            1,
            10,
        )
        .await
        .unwrap();
        let upd = log.items.iter().find(|e| e.action == "update").unwrap();
        assert_eq!(upd.before.as_ref().unwrap()["line_fen"], 650_000);
        assert_eq!(upd.after.as_ref().unwrap()["line_fen"], 660_000);
        for bad in [
            MonitoringLine {
                province: "1".into(),
                year: 2022,
                line: Fen(1),
            },
            MonitoringLine {
                province: "14".into(),
                year: 1999,
                line: Fen(1),
            },
            MonitoringLine {
                province: "14".into(),
                year: 2022,
                line: Fen(0),
            },
        ] {
            assert!(matches!(
                lines::set(&db, &actor(), &bad).await,
                Err(StoreError::Invalid { .. })
            ));
        }
        assert_eq!(audit_count(&db).await, n + 1);
    }
);

db_test!(
    fn regions_tree(db: Db) {
        let n = audit_count(&db).await;
        seed_regions(&db).await;
        assert_eq!(audit_count(&db).await, n + 7);
        // idempotent: unchanged rows are not rewritten
        seed_regions(&db).await;
        assert_eq!(audit_count(&db).await, n + 7);
        let top = regions::list_children(&db, None).await.unwrap();
        assert_eq!(top.len(), 1);
        assert_eq!(top[0].name, "兴县");
        assert_eq!(top[0].level, RegionLevel::County);
        let towns = regions::list_children(&db, Some(COUNTY)).await.unwrap();
        assert_eq!(
            towns.iter().map(|r| r.name.as_str()).collect::<Vec<_>>(),
            ["蔚汾镇", "魏家滩镇"]
        );
        let villages = regions::list_children(&db, Some("141123100000"))
            .await
            .unwrap();
        assert_eq!(villages.len(), 2);
        assert_eq!(villages[0].parent, Some(rc(TOWN_A)));
        let nat = regions::list_children(&db, Some(VILLAGE_A1)).await.unwrap();
        assert_eq!(nat[0].code.as_str(), "141123100201-01");
        assert!(matches!(
            regions::list_children(&db, Some("bad")).await,
            Err(StoreError::Invalid { .. })
        ));
        let r = regions::get(&db, VILLAGE_B1).await.unwrap().unwrap();
        assert_eq!(r.name, "王家坪村");
        assert!(regions::get(&db, "141123999999").await.unwrap().is_none());
        assert!(regions::get(&db, "garbage").await.unwrap().is_none());
        assert_eq!(regions::list_under(&db, TOWN_A).await.unwrap().len(), 4);
        // rename
        let renamed = Region {
            name: "王家坪新村".into(),
            ..r
        };
        assert_eq!(
            regions::upsert_many(&db, &Actor::system(), &[renamed])
                .await
                .unwrap(),
            1
        );
        assert_eq!(
            regions::get(&db, VILLAGE_B1).await.unwrap().unwrap().name,
            "王家坪新村"
        );
        // an unknown parent is refused, nothing written
        let n = audit_count(&db).await;
        let orphan = Region {
            code: rc("141123102201"),
            name: "孤村".into(),
            level: RegionLevel::Village,
            parent: Some(rc("141123102")),
        };
        assert!(matches!(
            regions::upsert_many(&db, &Actor::system(), &[orphan]).await,
            Err(StoreError::Invalid { .. })
        ));
        assert_eq!(audit_count(&db).await, n);
    }
);
