use std::time::Duration;

use sea_orm::{EntityTrait, PaginatorTrait};
use shouwang_core::Role;
use shouwang_store::entity::sessions as s_entity;
use shouwang_store::repo::audit::{self, AuditFilter};
use shouwang_store::repo::{sessions, users};
use shouwang_store::{Actor, Db, StoreError, db_test};

use shouwang_store::testing::fixtures::*;

const PW: &str = "correct-horse-9";

db_test!(
    fn add_and_authenticate(db: Db) {
        let n = audit_count(&db).await;
        let id = users::add(
            &db,
            &Actor::system(),
            "li.cunzhang",
            "李村长",
            PW,
            Role::VillageTeam,
            VILLAGE_A1,
        )
        .await
        .unwrap();
        assert_eq!(audit_count(&db).await, n + 1);
        let u = users::authenticate(&db, "li.cunzhang", PW)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(u.id, id);
        assert_eq!(u.display_name, "李村长");
        assert_eq!(u.scope.role, Role::VillageTeam);
        assert_eq!(u.scope.area, VILLAGE_A1);
        assert_eq!(u.scope.user_id, id);
        assert!(
            users::authenticate(&db, "li.cunzhang", "wrong-password")
                .await
                .unwrap()
                .is_none()
        );
        assert!(
            users::authenticate(&db, "nobody", PW)
                .await
                .unwrap()
                .is_none()
        );
        assert!(
            users::authenticate(&db, " li.cunzhang ", PW)
                .await
                .unwrap()
                .is_some(),
            "user name trimmed"
        );
        // the audit row carries no password or hash
        let log = audit::list(
            &db,
            &county_scope(),
            &AuditFilter {
                entity: Some("user".into()),
                ..Default::default()
            },
            1,
            10,
        )
        .await
        .unwrap();
        assert_eq!(log.total, 1);
        let after = log.items[0].after.as_ref().unwrap().to_string();
        assert!(!after.contains(PW) && !after.contains("argon2"), "{after}");
        assert_eq!(
            users::get(&db, id).await.unwrap().unwrap().username,
            "li.cunzhang"
        );
        assert!(users::get(&db, 12345).await.unwrap().is_none());
    }
);

db_test!(
    fn add_refuses_bad_input(db: Db) {
        users::add(
            &db,
            &Actor::system(),
            "admin",
            "管理员",
            PW,
            Role::CountyAdmin,
            "141123000000",
        )
        .await
        .unwrap();
        let n = audit_count(&db).await;
        let e = users::add(
            &db,
            &Actor::system(),
            "admin",
            "另一个",
            PW,
            Role::CountyAdmin,
            COUNTY,
        )
        .await
        .unwrap_err();
        assert!(matches!(e, StoreError::Conflict { .. }), "{e:?}");
        for (u, name, pw, role, area) in [
            ("", "x", PW, Role::CountyAdmin, COUNTY),
            ("has space", "x", PW, Role::CountyAdmin, COUNTY),
            ("short", "x", "1234567", Role::CountyAdmin, COUNTY),
            ("noname", " ", PW, Role::CountyAdmin, COUNTY),
            ("badarea", "x", PW, Role::VillageTeam, TOWN_A),
            ("badarea2", "x", PW, Role::TownshipAdmin, VILLAGE_A1),
            ("badarea3", "x", PW, Role::CountyAdmin, "14"),
        ] {
            let e = users::add(&db, &Actor::system(), u, name, pw, role, area)
                .await
                .unwrap_err();
            assert!(matches!(e, StoreError::Invalid { .. }), "{u}: {e:?}");
        }
        assert_eq!(audit_count(&db).await, n);
        // padded county code is stored as its prefix
        let u = users::authenticate(&db, "admin", PW)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(u.scope.area, COUNTY);
    }
);

db_test!(
    fn list_is_scoped(db: Db) {
        let sys = Actor::system();
        users::add(&db, &sys, "county", "县", PW, Role::CountyAdmin, COUNTY)
            .await
            .unwrap();
        users::add(&db, &sys, "town_a", "乡A", PW, Role::TownshipAdmin, TOWN_A)
            .await
            .unwrap();
        users::add(
            &db,
            &sys,
            "vill_a1",
            "村A1",
            PW,
            Role::VillageTeam,
            VILLAGE_A1,
        )
        .await
        .unwrap();
        users::add(
            &db,
            &sys,
            "vill_b1",
            "村B1",
            PW,
            Role::VillageTeam,
            VILLAGE_B1,
        )
        .await
        .unwrap();
        users::add(&db, &sys, "other", "外县", PW, Role::CountyAdmin, "141124")
            .await
            .unwrap();
        let names =
            |v: Vec<users::UserWithScope>| v.into_iter().map(|u| u.username).collect::<Vec<_>>();
        assert_eq!(
            names(users::list(&db, &county_scope()).await.unwrap()),
            ["county", "town_a", "vill_a1", "vill_b1"]
        );
        assert_eq!(
            names(
                users::list(&db, &scope(Role::TownshipAdmin, TOWN_A))
                    .await
                    .unwrap()
            ),
            ["town_a", "vill_a1"]
        );
        assert!(
            users::list(&db, &scope(Role::Auditor, ""))
                .await
                .unwrap()
                .is_empty()
        );
    }
);

db_test!(
    fn set_password_and_active_check_versions(db: Db) {
        let id = users::add(
            &db,
            &Actor::system(),
            "u1",
            "用户一",
            PW,
            Role::CountyAdmin,
            COUNTY,
        )
        .await
        .unwrap();
        let (token, _) = sessions::create(&db, id, Duration::from_secs(3600))
            .await
            .unwrap();
        let n = audit_count(&db).await;
        let e = users::set_password(
            &db,
            &Actor::system(),
            id,
            "new-password-1",
            9,
            users::PasswordChange::Own,
        )
        .await
        .unwrap_err();
        assert!(
            matches!(
                e,
                StoreError::StaleVersion {
                    expected: 9,
                    found: 1
                }
            ),
            "{e:?}"
        );
        assert_eq!(audit_count(&db).await, n);
        assert!(
            users::authenticate(&db, "u1", PW).await.unwrap().is_some(),
            "old password still valid"
        );
        assert!(
            sessions::lookup(&db, &token).await.unwrap().is_some(),
            "session kept"
        );
        assert!(matches!(
            users::set_password(
                &db,
                &Actor::system(),
                999,
                "new-password-1",
                1,
                users::PasswordChange::Own
            )
            .await,
            Err(StoreError::NotFound)
        ));
        assert_eq!(
            users::set_password(
                &db,
                &Actor::system(),
                id,
                "new-password-1",
                1,
                users::PasswordChange::Own
            )
            .await
            .unwrap(),
            2
        );
        assert_eq!(audit_count(&db).await, n + 1);
        assert!(users::authenticate(&db, "u1", PW).await.unwrap().is_none());
        assert!(
            users::authenticate(&db, "u1", "new-password-1")
                .await
                .unwrap()
                .is_some()
        );
        assert!(
            sessions::lookup(&db, &token).await.unwrap().is_none(),
            "sessions end with a new password"
        );
        // deactivate
        assert!(matches!(
            users::set_active(&db, &Actor::system(), id, false, 1).await,
            Err(StoreError::StaleVersion {
                expected: 1,
                found: 2
            })
        ));
        assert_eq!(
            users::set_active(&db, &Actor::system(), id, false, 2)
                .await
                .unwrap(),
            3
        );
        assert!(
            users::authenticate(&db, "u1", "new-password-1")
                .await
                .unwrap()
                .is_none()
        );
        assert!(matches!(
            sessions::create(&db, id, Duration::from_secs(60)).await,
            Err(StoreError::Forbidden)
        ));
        assert_eq!(
            users::set_active(&db, &Actor::system(), id, true, 3)
                .await
                .unwrap(),
            4
        );
        assert!(
            users::authenticate(&db, "u1", "new-password-1")
                .await
                .unwrap()
                .is_some()
        );
    }
);

db_test!(
    fn sessions_lookup_expire_and_delete(db: Db) {
        let id = users::add(
            &db,
            &Actor::system(),
            "u1",
            "用户一",
            PW,
            Role::TownshipAdmin,
            TOWN_A,
        )
        .await
        .unwrap();
        let n = audit_count(&db).await;
        let (token, csrf) = sessions::create(&db, id, Duration::from_secs(3600))
            .await
            .unwrap();
        assert_eq!(token.len(), 64);
        assert_eq!(csrf.len(), 64);
        assert_ne!(token, csrf);
        assert_eq!(audit_count(&db).await, n + 1, "login audited");
        let s = sessions::lookup(&db, &token).await.unwrap().unwrap();
        assert_eq!(
            (s.user_id, s.username.as_str(), s.csrf_token.as_str()),
            (id, "u1", csrf.as_str())
        );
        assert_eq!(s.scope.area, TOWN_A);
        assert_eq!(s.actor().name, "用户一");
        // only the hash is stored
        let rows = s_entity::Entity::find().all(db.conn()).await.unwrap();
        assert_eq!(rows.len(), 1);
        assert_ne!(rows[0].token_hash, token);
        assert!(sessions::lookup(&db, "x").await.unwrap().is_none());
        assert!(sessions::lookup(&db, "").await.unwrap().is_none());
        assert!(
            sessions::lookup(&db, &rows[0].token_hash)
                .await
                .unwrap()
                .is_none(),
            "the hash is no token"
        );
        // expiry
        let (expired, _) = sessions::create(&db, id, Duration::ZERO).await.unwrap();
        assert!(sessions::lookup(&db, &expired).await.unwrap().is_none());
        let (short, _) = sessions::create(&db, id, Duration::from_millis(300))
            .await
            .unwrap();
        assert!(sessions::lookup(&db, &short).await.unwrap().is_some());
        tokio::time::sleep(Duration::from_millis(400)).await;
        assert!(sessions::lookup(&db, &short).await.unwrap().is_none());
        assert_eq!(sessions::purge_expired(&db).await.unwrap(), 2);
        assert_eq!(s_entity::Entity::find().count(db.conn()).await.unwrap(), 1);
        // logout
        let n = audit_count(&db).await;
        sessions::delete(&db, &token).await.unwrap();
        assert!(sessions::lookup(&db, &token).await.unwrap().is_none());
        assert_eq!(audit_count(&db).await, n + 1, "logout audited");
        sessions::delete(&db, &token).await.unwrap();
        assert_eq!(audit_count(&db).await, n + 1, "unknown token: nothing");
        assert!(matches!(
            sessions::create(&db, 4242, Duration::from_secs(1)).await,
            Err(StoreError::NotFound)
        ));
    }
);

db_test!(
    fn constants_cached_until_their_version_moves(db: Db) {
        use sea_orm::ConnectionTrait;
        use shouwang_store::repo::rules;
        seed_regions(&db).await;
        let id = users::add(
            &db,
            &Actor::system(),
            "zhao.xian",
            "赵县管",
            PW,
            Role::CountyAdmin,
            COUNTY,
        )
        .await
        .unwrap();
        let (token, _) = sessions::create(&db, id, Duration::from_secs(600))
            .await
            .unwrap();
        let prefix = |db: Db| async move {
            rules::get(&db, COUNTY)
                .await
                .unwrap()
                .rules
                .exit
                .notice
                .prefix
        };
        // Another process renames the county (a raw write, nothing of this `Db` sees it).
        let rename = |name: &'static str| {
            let db = db.clone();
            async move {
                db.conn()
                    .execute_unprepared(&format!(
                        "UPDATE regions SET name = '{name}' WHERE code = '{COUNTY}000000'"
                    ))
                    .await
                    .unwrap();
            }
        };
        // No session check yet: nothing is cached, every read goes to the database.
        assert_eq!(prefix(db.clone()).await, "兴县");
        rename("兴县甲").await;
        assert_eq!(prefix(db.clone()).await, "兴县甲");
        // After a session check the rules are kept in memory…
        assert!(sessions::lookup(&db, &token).await.unwrap().is_some());
        assert_eq!(prefix(db.clone()).await, "兴县甲");
        rename("兴县乙").await;
        let before = db.statements();
        assert_eq!(prefix(db.clone()).await, "兴县甲", "served from memory");
        assert_eq!(
            db.statements(),
            before,
            "no statement for a cached constant"
        );
        // …until a write bumps the version: the next session check drops them.
        db.conn()
            .execute_unprepared(
                "INSERT INTO constants_versions (scope, version) VALUES ('141123', 1) \
                 ON CONFLICT (scope) DO UPDATE SET version = constants_versions.version + 1",
            )
            .await
            .unwrap();
        assert!(sessions::lookup(&db, &token).await.unwrap().is_some());
        assert_eq!(prefix(db.clone()).await, "兴县乙");
        // A write through the repositories bumps the version itself and drops the cache at once.
        let mut changed = rules::get(&db, COUNTY).await.unwrap();
        changed.rules.exit.notice.prefix = "兴县丙".into();
        rules::set(&db, &actor(), &county_scope(), COUNTY, &changed.rules, 0)
            .await
            .unwrap();
        assert_eq!(prefix(db.clone()).await, "兴县丙");
        assert!(sessions::lookup(&db, &token).await.unwrap().is_some());
        assert_eq!(prefix(db.clone()).await, "兴县丙");
    }
);
