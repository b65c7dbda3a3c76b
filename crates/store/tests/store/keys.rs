//! The data key (issue 19): members' ID numbers are found through a keyed blind index, not a key that turns
//! back into the number, and stored sealed (SM4-GCM); a database from before the data key (or from before
//! the sealed columns) is indexed and sealed on its first migration; a key rotation rewrites every sealed
//! row in batches and continues where it stopped.

use sea_orm::{ConnectionTrait, Statement};
use shouwang_store::crypto::sealed::{HEAD_NAME, MEMBER_ID, MEMBER_NAME};
use shouwang_store::repo::households::{self, HouseholdQuery};
use shouwang_store::repo::keys;
use shouwang_store::{Db, Keys, db_test};

use shouwang_store::testing::fixtures::*;

fn q(text: &str) -> HouseholdQuery {
    HouseholdQuery {
        q: Some(text.to_owned()),
        ..Default::default()
    }
}

async fn seed(db: &Db) {
    seed_regions(db).await;
    for (n, head, seq) in [
        ("1411231002010001", "李大山", 1),
        ("1411231002010002", "李小山", 2),
        ("1411231002010003", "高明", 3),
    ] {
        households::create(db, &actor(), &household(n, VILLAGE_A1, head, seq))
            .await
            .unwrap();
    }
}

/// (id_number opened, id_key, key_version) of every member, by id number; asserts that a sealed row's
/// stored value is not the number.
async fn keys_of(db: &Db) -> Vec<(String, i64, i32)> {
    let mut out: Vec<(String, i64, i32)> = stored(db)
        .await
        .into_iter()
        .map(|(_, raw, key, version)| {
            let number = db.keys().open(&raw, MEMBER_ID, version).unwrap();
            if version != 0 {
                assert!(!raw.contains(&number[6..14]), "sealed: {raw}");
            }
            (number, key, version)
        })
        .collect();
    out.sort();
    out
}

/// (id, stored id_number, id_key, key_version) of every member.
async fn stored(db: &Db) -> Vec<(i64, String, i64, i32)> {
    let rows = db
        .conn()
        .query_all_raw(Statement::from_string(
            db.backend(),
            "SELECT id, id_number, id_key, key_version FROM members ORDER BY id",
        ))
        .await
        .unwrap();
    rows.iter()
        .map(|r| {
            (
                r.try_get("", "id").unwrap(),
                r.try_get("", "id_number").unwrap(),
                r.try_get("", "id_key").unwrap(),
                r.try_get("", "key_version").unwrap(),
            )
        })
        .collect()
}

async fn exec(db: &Db, sql: &str) {
    db.conn()
        .execute_raw(Statement::from_string(db.backend(), sql))
        .await
        .unwrap();
}

async fn found(db: &Db, seq: u16) -> u64 {
    households::search(db, &county_scope(), &q(&id(seq, 1970).to_string()), 1, 20)
        .await
        .unwrap()
        .total
}

db_test!(
    fn the_id_key_is_a_keyed_index_not_the_number(db: Db) {
        seed(&db).await;
        let rows = keys_of(&db).await;
        assert_eq!(rows.len(), 6);
        for (number, key, version) in &rows {
            let packed = shouwang_core::IdNumber::parse(number).unwrap().to_u64();
            assert_ne!(*key as u64, packed, "the former packing");
            assert_eq!(*version, 1);
            let digits: i64 = number[..17].parse().unwrap();
            assert_ne!(*key, digits);
        }
        // Another key, other indexes: the index tells nothing without the key.
        let other = Keys::generate().unwrap();
        let (number, key, _) = &rows[0];
        assert_ne!(other.id_index(number.as_bytes()).unwrap(), *key);
        assert_eq!(db.keys().id_index(number.as_bytes()).unwrap(), *key);
        assert_eq!(found(&db, 2).await, 1);
        assert_eq!(found(&db, 99).await, 0);
    }
);

db_test!(
    fn a_database_from_before_the_data_key_is_indexed_on_migration(db: Db) {
        seed(&db).await;
        // As a database from before migration 15 was: plain ID numbers and phones, packed keys, version 0,
        // no progress row.
        for (id, raw, _, version) in stored(&db).await {
            let number = db.keys().open(&raw, MEMBER_ID, version).unwrap();
            let packed = shouwang_core::IdNumber::parse(&number).unwrap().to_u64() as i64;
            exec(
                &db,
                &format!(
                    "UPDATE members SET id_number = '{number}', id_key = {packed}, key_version = 0 \
                     WHERE id = {id}"
                ),
            )
            .await;
        }
        let heads = households::search(&db, &county_scope(), &HouseholdQuery::default(), 1, 20)
            .await
            .unwrap()
            .items;
        for h in &heads {
            exec(
                &db,
                &format!(
                    "UPDATE households SET head_id_number = '{}', phone = '13800000000', \
                     key_version = 0 WHERE number = '{}'",
                    h.head_id, h.number
                ),
            )
            .await;
        }
        exec(&db, "DELETE FROM key_rotation").await;
        assert_eq!(found(&db, 1).await, 0, "a packed key is no longer searched");
        db.migrate().await.unwrap();
        for (number, key, version) in keys_of(&db).await {
            assert_eq!(version, 1);
            assert_eq!(db.keys().id_index(number.as_bytes()).unwrap(), key);
        }
        assert_eq!(found(&db, 1).await, 1);
        let status = keys::status(&db).await.unwrap().unwrap();
        assert_eq!((status.rows_done, status.remaining), (9, 0));
        assert!(status.finished_at.is_some());
        // The households were sealed too, and read back the same.
        let rows = db
            .conn()
            .query_all_raw(Statement::from_string(
                db.backend(),
                "SELECT head_id_number, phone, key_version FROM households",
            ))
            .await
            .unwrap();
        for r in &rows {
            let head: String = r.try_get("", "head_id_number").unwrap();
            let phone: String = r.try_get("", "phone").unwrap();
            assert_eq!(r.try_get::<i32>("", "key_version").unwrap(), 1);
            assert!(heads.iter().all(|h| head != h.head_id.to_string()));
            assert!(!phone.contains("13800000000"));
        }
        let d = households::get(&db, &county_scope(), "1411231002010001")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(d.household.phone.as_deref(), Some("13800000000"));
        let again = households::search(&db, &county_scope(), &HouseholdQuery::default(), 1, 20)
            .await
            .unwrap()
            .items;
        assert_eq!(again, heads);
    }
);

/// (id, stored name, names_plain) of every member, or of every household (`head_name`).
async fn names(db: &Db, sql: &'static str) -> Vec<(i64, String, bool)> {
    let rows = db
        .conn()
        .query_all_raw(Statement::from_string(db.backend(), sql))
        .await
        .unwrap();
    rows.iter()
        .map(|r| {
            (
                r.try_get("", "id").unwrap(),
                r.try_get("", "name").unwrap(),
                r.try_get("", "names_plain").unwrap(),
            )
        })
        .collect()
}

const MEMBER_NAMES: &str = "SELECT id, name, names_plain FROM members ORDER BY id";
const HEAD_NAMES: &str = "SELECT id, head_name AS name, names_plain FROM households ORDER BY id";

db_test!(
    fn names_from_before_migration_20_are_sealed_and_keyed_on_migration(db: Db) {
        seed(&db).await;
        let total = |text: &'static str| {
            let db = db.clone();
            async move {
                households::search(&db, &county_scope(), &q(text), 1, 20)
                    .await
                    .unwrap()
                    .total
            }
        };
        assert_eq!((total("李").await, total("高明").await), (2, 1));
        // As migration 000020 leaves a database: names plain and marked so, no name keys, so no 姓氏 rows.
        let mut plain = Vec::new();
        for (id, raw, was_plain) in names(&db, MEMBER_NAMES).await {
            assert!(!was_plain);
            let name = db.keys().open_name(&raw, MEMBER_NAME, false).unwrap();
            assert_ne!(raw, name, "sealed");
            exec(
                &db,
                &format!(
                    "UPDATE members SET name = '{name}', name_key = NULL, surname_key = NULL, \
                     names_plain = TRUE WHERE id = {id}"
                ),
            )
            .await;
            plain.push(name);
        }
        for (id, raw, _) in names(&db, HEAD_NAMES).await {
            let name = db.keys().open_name(&raw, HEAD_NAME, false).unwrap();
            exec(
                &db,
                &format!(
                    "UPDATE households SET head_name = '{name}', names_plain = TRUE WHERE id = {id}"
                ),
            )
            .await;
        }
        let before = households::get(&db, &county_scope(), "1411231002010001")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            before.household.members[0].name, "李大山",
            "plain rows still read"
        );
        assert_eq!(total("李").await, 0, "no keys yet");
        db.migrate().await.unwrap();
        for (_, raw, was_plain) in names(&db, MEMBER_NAMES)
            .await
            .into_iter()
            .chain(names(&db, HEAD_NAMES).await)
        {
            assert!(!was_plain);
            assert!(plain.iter().all(|n| !raw.contains(n.as_str())), "{raw}");
        }
        assert_eq!((total("李").await, total("高明").await), (2, 1));
        assert_eq!(total("李大山").await, 1);
        let after = households::get(&db, &county_scope(), "1411231002010001")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(after.household, before.household);
        let rows = households::search(&db, &county_scope(), &HouseholdQuery::default(), 1, 20)
            .await
            .unwrap()
            .items;
        assert_eq!(rows[0].head_name, "李大山");
    }
);

db_test!(
    fn a_rotation_rewrites_in_batches_resumes_and_searches_meanwhile(db: Db) {
        let old = db.keys().clone();
        let raw = [7u8; 32];
        // The test's ring: a known version 1, from the start.
        let v1 = Keys::new(&[(1, raw)]).unwrap();
        let db = db.with_keys(v1.clone());
        seed(&db).await;
        let before = audit_count(&db).await;
        assert_ne!(old.id_index(b"x").unwrap(), v1.id_index(b"x").unwrap());

        // Version 2: a first run stopped after one batch of 4 (the closure's panic stands for a crash).
        let v12 = Keys::new(&[(1, raw), (2, [9u8; 32])]).unwrap();
        let db = db.with_keys(v12.clone());
        let stopped = {
            let db = db.clone();
            tokio::spawn(
                async move { keys::rotate(&db, &actor(), 4, &mut |_| panic!("stopped")).await },
            )
            .await
        };
        assert!(stopped.is_err());
        let mid = keys::status(&db).await.unwrap().unwrap();
        assert_eq!(mid.target_version, 2);
        // 9 sealed rows: 6 members, 3 households.
        assert_eq!((mid.rows_done, mid.remaining), (4, 5));
        assert!(mid.finished_at.is_none());
        let versions: Vec<i32> = keys_of(&db).await.iter().map(|r| r.2).collect();
        assert_eq!(versions.iter().filter(|v| **v == 2).count(), 4);
        // Half-way, every member is still found.
        for seq in [1, 2, 3, 501, 502, 503] {
            let year = if seq > 500 { 1972 } else { 1970 };
            let hit =
                households::search(&db, &county_scope(), &q(&id(seq, year).to_string()), 1, 20)
                    .await
                    .unwrap();
            assert_eq!(hit.total, 1, "seq {seq}");
        }

        // Run again: it continues (5 more, in two batches), and says so.
        let mut seen = Vec::new();
        let done = keys::rotate(&db, &actor(), 4, &mut |p| seen.push(p.rows_done))
            .await
            .unwrap();
        assert_eq!(seen, vec![8, 9]);
        assert_eq!((done.rows_done, done.remaining), (9, 0));
        for (number, key, version) in keys_of(&db).await {
            assert_eq!(version, 2);
            assert_eq!(v12.id_index_of(2, number.as_bytes()).unwrap(), key);
        }
        // A third run has nothing to do; the rotation is in the audit log without personal data.
        let again = keys::rotate(&db, &actor(), 4, &mut |_| panic!("nothing to do"))
            .await
            .unwrap();
        assert_eq!(again.rows_done, 9);
        assert!(audit_count(&db).await > before);
        // Only the new key: still found, and every sealed column opens.
        let db = db.with_keys(Keys::new(&[(2, [9u8; 32])]).unwrap());
        assert_eq!(found(&db, 3).await, 1);
        let d = households::get(&db, &county_scope(), "1411231002010003")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(d.household.members[0].id_number, id(3, 1970));
    }
);

db_test!(
    fn the_audit_log_holds_no_plain_id_number(db: Db) {
        seed(&db).await;
        let s = county_scope();
        let d = households::get(&db, &s, "1411231002010001")
            .await
            .unwrap()
            .unwrap();
        let mut head = d.household.members[0].clone();
        head.name = "李大川".into();
        households::update_member(
            &db,
            &actor(),
            &s,
            "1411231002010001",
            &head,
            d.member_versions[0],
        )
        .await
        .unwrap();
        let spouse = d.household.members[1].id_number;
        let d = households::get(&db, &s, "1411231002010001")
            .await
            .unwrap()
            .unwrap();
        households::remove_member(&db, &actor(), &s, "1411231002010001", spouse, d.version)
            .await
            .unwrap();
        let rows = db
            .conn()
            .query_all_raw(Statement::from_string(
                db.backend(),
                "SELECT entity_id, before, after FROM audit_log",
            ))
            .await
            .unwrap();
        let mut text = String::new();
        for r in &rows {
            for c in ["entity_id", "before", "after"] {
                text.push_str(
                    &r.try_get::<Option<String>>("", c)
                        .unwrap()
                        .unwrap_or_default(),
                );
                text.push('\n');
            }
        }
        assert!(text.contains("李大川"), "the change is logged");
        assert!(
            text.contains(&head.id_number.masked()),
            "masked, not dropped"
        );
        for seq in [1, 2, 3, 501, 502, 503] {
            let year = if seq > 500 { 1972 } else { 1970 };
            let plain = id(seq, year).to_string();
            assert!(!text.contains(&plain), "{plain} in the audit log");
        }
    }
);
