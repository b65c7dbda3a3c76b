use shouwang_core::Role;
use shouwang_core::codes::HouseholdType;
use shouwang_store::repo::households::{self, HouseholdQuery};
use shouwang_store::{Db, db_test};

use shouwang_store::testing::fixtures::*;

fn q(text: &str) -> HouseholdQuery {
    HouseholdQuery {
        q: Some(text.to_owned()),
        ..Default::default()
    }
}

/// 3 households in A1 (李大山, 李小山, 高明), 1 in A2 (李大牛), 2 in B1 (王五, 李四).
async fn seed(db: &Db) {
    seed_regions(db).await;
    for (n, v, head, seq) in [
        ("1411231002010001", VILLAGE_A1, "李大山", 1),
        ("1411231002010002", VILLAGE_A1, "李小山", 2),
        ("1411231002010003", VILLAGE_A1, "高明", 3),
        ("1411231002020001", VILLAGE_A2, "李大牛", 4),
        ("1411231012010001", VILLAGE_B1, "王五", 5),
        ("1411231012010002", VILLAGE_B1, "李四", 6),
    ] {
        households::create(db, &actor(), &household(n, v, head, seq))
            .await
            .unwrap();
    }
}

fn numbers(p: &shouwang_store::Page<shouwang_store::HouseholdRow>) -> Vec<&str> {
    p.items.iter().map(|r| r.number.as_str()).collect()
}

db_test!(
    fn search_by_name_prefix_and_exact(db: Db) {
        seed(&db).await;
        let s = county_scope();
        let p = households::search(&db, &s, &q("李"), 1, 20).await.unwrap();
        assert_eq!(p.total, 4);
        assert_eq!(
            numbers(&p),
            [
                "1411231002010001",
                "1411231002010002",
                "1411231002020001",
                "1411231012010002"
            ]
        );
        // Names are sealed (issue 19): a prefix that is neither a surname nor a whole name finds nothing.
        let p = households::search(&db, &s, &q("李大"), 1, 20)
            .await
            .unwrap();
        assert_eq!((p.total, p.items.len()), (0, 0));
        // The whole name, also typed with a space.
        let p = households::search(&db, &s, &q("李 大山"), 1, 20)
            .await
            .unwrap();
        assert_eq!((p.total, numbers(&p)), (1, vec!["1411231002010001"]));
        let p = households::search(&db, &s, &q("李大山"), 1, 20)
            .await
            .unwrap();
        assert_eq!(numbers(&p), ["1411231002010001"]);
        let row = &p.items[0];
        assert_eq!(row.head_name, "李大山");
        assert_eq!(row.head_id, id(1, 1970));
        assert_eq!(row.size, 2);
        assert_eq!(row.village_code, VILLAGE_A1);
        assert_eq!(row.village_name, "李家沟村");
        assert_eq!(row.household_type, HouseholdType::Alleviated);
        // a non-head member's name finds the household once (both spouses match 李大山…)
        let p = households::search(&db, &s, &q("李大山妻"), 1, 20)
            .await
            .unwrap();
        assert_eq!(numbers(&p), ["1411231002010001"]);
        assert_eq!(p.total, 1);
        let p = households::search(&db, &s, &q("赵"), 1, 20).await.unwrap();
        assert_eq!((p.total, p.items.len()), (0, 0));
        // A compound surname (复姓) is one surname: 欧阳 finds 欧阳明, 欧 does not.
        households::create(
            &db,
            &actor(),
            &household("1411231002010004", VILLAGE_A1, "欧阳明", 9),
        )
        .await
        .unwrap();
        let p = households::search(&db, &s, &q("欧阳"), 1, 20)
            .await
            .unwrap();
        assert_eq!((p.total, numbers(&p)), (1, vec!["1411231002010004"]));
        assert_eq!(p.items[0].head_name, "欧阳明");
        let p = households::search(&db, &s, &q("欧"), 1, 20).await.unwrap();
        assert_eq!(p.total, 0);
        let p = households::search(&db, &s, &q("欧阳明"), 1, 20)
            .await
            .unwrap();
        assert_eq!(numbers(&p), ["1411231002010004"]);
    }
);

db_test!(
    fn search_by_id_number_and_household_number(db: Db) {
        seed(&db).await;
        let s = county_scope();
        // head, and the spouse (any member), lower-case / spaced forms normalised by IdNumber::parse
        let head = id(5, 1970).to_string();
        let p = households::search(&db, &s, &q(&head), 1, 20).await.unwrap();
        assert_eq!(numbers(&p), ["1411231012010001"]);
        assert_eq!(p.total, 1);
        let spouse = id(505, 1972).to_string().to_lowercase();
        let p = households::search(&db, &s, &q(&format!(" {spouse} ")), 1, 20)
            .await
            .unwrap();
        assert_eq!(numbers(&p), ["1411231012010001"]);
        let unknown = id(99, 1980).to_string();
        assert_eq!(
            households::search(&db, &s, &q(&unknown), 1, 20)
                .await
                .unwrap()
                .total,
            0
        );
        // 户编号 exact and prefix
        let p = households::search(&db, &s, &q("1411231002010002"), 1, 20)
            .await
            .unwrap();
        assert_eq!(numbers(&p), ["1411231002010002"]);
        let p = households::search(&db, &s, &q("141123100201"), 1, 20)
            .await
            .unwrap();
        assert_eq!(p.total, 3);
        let p = households::search(&db, &s, &q("1411231012"), 1, 20)
            .await
            .unwrap();
        assert_eq!(numbers(&p), ["1411231012010001", "1411231012010002"]);
    }
);

db_test!(
    fn search_is_scoped(db: Db) {
        seed(&db).await;
        let a1 = scope(Role::VillageTeam, VILLAGE_A1);
        let p = households::search(&db, &a1, &HouseholdQuery::default(), 1, 20)
            .await
            .unwrap();
        assert_eq!(p.total, 3);
        let p = households::search(&db, &a1, &q("李"), 1, 20).await.unwrap();
        assert_eq!(numbers(&p), ["1411231002010001", "1411231002010002"]);
        assert_eq!(p.total, 2);
        // another village's household by ID number or number: nothing
        assert_eq!(
            households::search(&db, &a1, &q(&id(5, 1970).to_string()), 1, 20)
                .await
                .unwrap()
                .total,
            0
        );
        assert_eq!(
            households::search(&db, &a1, &q("1411231012010001"), 1, 20)
                .await
                .unwrap()
                .total,
            0
        );
        // the village filter cannot widen the scope
        let p = households::search(
            &db,
            &a1,
            &HouseholdQuery {
                village: Some(VILLAGE_B1.into()),
                ..Default::default()
            },
            1,
            20,
        )
        .await
        .unwrap();
        assert_eq!(p.total, 0);
        let town_a = scope(Role::TownshipAdmin, TOWN_A);
        let p = households::search(&db, &town_a, &q("李"), 1, 20)
            .await
            .unwrap();
        assert_eq!(p.total, 3);
        let p = households::search(
            &db,
            &town_a,
            &HouseholdQuery {
                village: Some(VILLAGE_A2.into()),
                ..Default::default()
            },
            1,
            20,
        )
        .await
        .unwrap();
        assert_eq!(numbers(&p), ["1411231002020001"]);
        let other_county = scope(Role::CountyAdmin, "141124");
        assert_eq!(
            households::search(&db, &other_county, &HouseholdQuery::default(), 1, 20)
                .await
                .unwrap()
                .total,
            0
        );
        let nowhere = scope(Role::Auditor, "");
        assert_eq!(
            households::search(&db, &nowhere, &q("李"), 1, 20)
                .await
                .unwrap()
                .total,
            0
        );
    }
);

db_test!(
    fn search_filters_by_type_and_pages(db: Db) {
        seed(&db).await;
        let s = county_scope();
        let mut monitored = household("1411231002010004", VILLAGE_A1, "李监", 7);
        monitored.household_type = HouseholdType::Monitored;
        households::create(&db, &actor(), &monitored).await.unwrap();
        let p = households::search(
            &db,
            &s,
            &HouseholdQuery {
                household_type: Some(HouseholdType::Monitored),
                ..Default::default()
            },
            1,
            20,
        )
        .await
        .unwrap();
        assert_eq!(numbers(&p), ["1411231002010004"]);
        let p = households::search(
            &db,
            &s,
            &HouseholdQuery {
                q: Some("李".into()),
                household_type: Some(HouseholdType::Alleviated),
                village: None,
            },
            1,
            20,
        )
        .await
        .unwrap();
        assert_eq!(p.total, 4);

        // paging: 7 households, 3 a page
        let all = HouseholdQuery::default();
        let p1 = households::search(&db, &s, &all, 1, 3).await.unwrap();
        let p2 = households::search(&db, &s, &all, 2, 3).await.unwrap();
        let p3 = households::search(&db, &s, &all, 3, 3).await.unwrap();
        let p4 = households::search(&db, &s, &all, 4, 3).await.unwrap();
        assert_eq!((p1.total, p2.total, p3.total, p4.total), (7, 7, 7, 7));
        assert_eq!(
            (
                p1.items.len(),
                p2.items.len(),
                p3.items.len(),
                p4.items.len()
            ),
            (3, 3, 1, 0)
        );
        assert_eq!(p1.pages(), 3);
        let mut seen: Vec<&str> = numbers(&p1);
        seen.extend(numbers(&p2));
        seen.extend(numbers(&p3));
        let mut sorted = seen.clone();
        sorted.sort();
        assert_eq!(seen, sorted, "ordered by 户编号");
        sorted.dedup();
        assert_eq!(sorted.len(), 7);
        // name search pages too
        let n1 = households::search(&db, &s, &q("李"), 1, 2).await.unwrap();
        let n2 = households::search(&db, &s, &q("李"), 2, 2).await.unwrap();
        let n3 = households::search(&db, &s, &q("李"), 3, 2).await.unwrap();
        assert_eq!(
            (n1.total, n1.items.len(), n2.items.len(), n3.items.len()),
            (5, 2, 2, 1)
        );
        // page 0 and per_page 0 are normalised
        let p = households::search(&db, &s, &all, 0, 0).await.unwrap();
        assert_eq!((p.page, p.per_page, p.items.len()), (1, 20, 7));
    }
);

db_test!(
    fn search_by_natural_village(db: Db) {
        seed(&db).await;
        let mut h = household("1411231002010005", VILLAGE_A1, "李前沟", 8);
        h.natural_village = Some("141123100201-01".into());
        households::create(&db, &actor(), &h).await.unwrap();
        let s = county_scope();
        let nv = HouseholdQuery {
            village: Some("141123100201-01".into()),
            ..Default::default()
        };
        let p = households::search(&db, &s, &nv, 1, 20).await.unwrap();
        assert_eq!(numbers(&p), ["1411231002010005"]);
        let p = households::search(
            &db,
            &s,
            &HouseholdQuery {
                q: Some("李".into()),
                ..nv
            },
            1,
            20,
        )
        .await
        .unwrap();
        assert_eq!((p.total, numbers(&p)), (1, vec!["1411231002010005"]));
    }
);

/// The initials table (kept by triggers) equals what the members' surname keys say, after every kind of
/// write.
async fn assert_initials_consistent(db: &Db) {
    use sea_orm::{ConnectionTrait, Statement};
    let rows = |sql: &'static str| {
        let db = db.clone();
        async move {
            let mut v: Vec<String> = db
                .conn()
                .query_all_raw(Statement::from_string(db.backend(), sql))
                .await
                .unwrap()
                .iter()
                .map(|r| r.try_get_by_index::<String>(0).unwrap())
                .collect();
            v.sort();
            v
        }
    };
    let stored = rows("SELECT county_code || '|' || CAST(surname_key AS TEXT) || '|' || number || '|' || village_code || '|' || household_type || '|' || CASE WHEN is_monitored THEN 'y' ELSE 'n' END || '|' || CAST(household_id AS TEXT) FROM member_initials").await;
    let expected = rows("SELECT DISTINCT h.county_code || '|' || CAST(m.surname_key AS TEXT) || '|' || h.number || '|' || h.village_code || '|' || h.household_type || '|' || CASE WHEN h.household_type = 'monitored' OR h.monitored_type IS NOT NULL THEN 'y' ELSE 'n' END || '|' || CAST(h.id AS TEXT) FROM members m JOIN households h ON h.county_code = m.county_code AND h.id = m.household_id").await;
    assert_eq!(stored, expected);
    assert_eq!(
        rows(
            "SELECT 'x' FROM members WHERE surname_key IS NULL OR name_key IS NULL OR names_plain"
        )
        .await,
        Vec::<String>::new(),
        "every member written with its keys, sealed"
    );
}

db_test!(
    fn initials_follow_every_write(db: Db) {
        use shouwang_core::codes::Relation;
        seed(&db).await;
        assert_initials_consistent(&db).await;
        let s = county_scope();
        let n = "1411231002010001";
        // add a member with a new initial, rename one, remove one, change the household, delete another
        let v = households::add_member(
            &db,
            &actor(),
            &s,
            n,
            &member(id(40, 2001), "赵小", Relation::Son),
            1,
        )
        .await
        .unwrap();
        assert_initials_consistent(&db).await;
        assert_eq!(
            households::search(&db, &s, &q("赵"), 1, 20)
                .await
                .unwrap()
                .total,
            1
        );
        let d = households::get(&db, &s, n).await.unwrap().unwrap();
        let mut head = d.household.members[0].clone();
        head.name = "钱大山".into();
        households::update_member(&db, &actor(), &s, n, &head, 1)
            .await
            .unwrap();
        assert_initials_consistent(&db).await;
        // 李大山妻 still starts with 李
        assert_eq!(
            households::search(&db, &s, &q("李"), 1, 20)
                .await
                .unwrap()
                .total,
            4
        );
        let v =
            households::remove_member(&db, &actor(), &s, n, d.household.members[1].id_number, v)
                .await
                .unwrap();
        assert_initials_consistent(&db).await;
        assert_eq!(
            households::search(&db, &s, &q("李"), 1, 20)
                .await
                .unwrap()
                .total,
            3
        );
        let mut changed = d.household.clone();
        changed.number = "1411231002010099".into();
        changed.household_type = HouseholdType::Monitored;
        households::update(&db, &actor(), &s, n, &changed, v)
            .await
            .unwrap();
        assert_initials_consistent(&db).await;
        let p = households::search(
            &db,
            &s,
            &HouseholdQuery {
                q: Some("钱".into()),
                household_type: Some(HouseholdType::Monitored),
                village: None,
            },
            1,
            20,
        )
        .await
        .unwrap();
        assert_eq!(numbers(&p), ["1411231002010099"]);
        households::delete(&db, &actor(), &s, "1411231012010002", 1)
            .await
            .unwrap();
        assert_initials_consistent(&db).await;
        assert_eq!(
            households::search(&db, &s, &q("李"), 1, 20)
                .await
                .unwrap()
                .total,
            2
        );
    }
);

db_test!(
    fn search_plans_use_indexes(db: Db) {
        seed(&db).await;
        if db.backend() != sea_orm::DbBackend::Sqlite {
            return;
        }
        let s = county_scope();
        let cases = [
            HouseholdQuery::default(),
            q("李"),
            q("李大"),
            q(&id(5, 1970).to_string()),
            q("1411231002"),
            HouseholdQuery {
                household_type: Some(HouseholdType::Monitored),
                ..Default::default()
            },
        ];
        for scope in [
            s.clone(),
            scope(Role::TownshipAdmin, TOWN_A),
            scope(Role::VillageTeam, VILLAGE_A1),
        ] {
            for c in &cases {
                let plan = households::explain_search(&db, &scope, c).await.unwrap();
                assert!(!plan.is_empty());
                for line in &plan {
                    assert!(
                        !line.starts_with("SCAN"),
                        "full scan for {c:?} in {}: {plan:#?}",
                        scope.area
                    );
                }
            }
        }
        // a one-character name is served by the initials key, in 户编号 order, without a sort
        let plan = households::explain_search(&db, &s, &q("李")).await.unwrap();
        assert!(plan[0].contains("SEARCH k USING PRIMARY KEY"), "{plan:#?}");
        assert!(!plan.iter().any(|l| l.contains("TEMP B-TREE")), "{plan:#?}");
    }
);
