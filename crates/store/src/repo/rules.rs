//! County rules 县级规则配置 ([`CountyRules`]: clue merge window, identification, exit and notice numbering,
//! cadence, work calendar, screening thresholds), one versioned JSON value per county in `county_rules`.
//!
//! A county that never saved its rules gets the defaults ([`CountyRules::default`], the plan's values) with
//! version 0, except the exit notice's 发文机关简称 (`exit.notice.prefix`), which is the county's own name
//! from the region table (e.g. `兴县`, giving `兴县〔2022〕告字第1号`): the core's default names the plan's
//! township and would be wrong anywhere else. Only the county admin 县级管理员 of that county may change
//! them ([`set`]); every change is audited with the value before and after.

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, QueryResult};
use serde::Serialize;
use shouwang_core::access::Role;
use shouwang_core::rules::CountyRules;
use shouwang_core::{RegionCode, Scope};

use super::audit::{self, Change};
use super::{Actor, Sql, insert_first_save, to_json};
use crate::db::Db;
use crate::error::{Result, StoreError};

/// A county's rules as in force.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RulesRecord {
    /// 县 code (6 digits).
    pub county_code: String,
    /// The rules (defaults where nothing is stored).
    pub rules: CountyRules,
    /// Optimistic-locking version: 0 while nothing is stored, 1 after the first save, +1 per save.
    pub version: i64,
    /// Last save (UTC); `None` while nothing is stored.
    pub updated_at: Option<DateTime<Utc>>,
}

/// The 6-digit county code, or `Invalid`.
fn county_of(county_code: &str) -> Result<String> {
    let c = county_code.trim();
    let c = match RegionCode::parse(c) {
        Ok(code) => code.county().to_owned(),
        Err(_) => c.to_owned(),
    };
    if c.len() == 6 && c.bytes().all(|b| b.is_ascii_digit()) {
        Ok(c)
    } else {
        Err(StoreError::invalid(
            format!("县级代码应为 6 位数字，收到“{county_code}”"),
            format!("County code must be 6 digits, got {county_code:?}"),
        ))
    }
}

/// The defaults of `county`: [`CountyRules::default`] with the county's name as the notice prefix (when
/// the county is in the region table).
async fn defaults(conn: &impl ConnectionTrait, county: &str) -> Result<CountyRules> {
    let mut rules = CountyRules::default();
    let mut sql = Sql::new();
    sql.push("SELECT name FROM regions WHERE code = ")
        .bind(format!("{county}000000"));
    let row = conn
        .query_one_raw(sql.build(conn.get_database_backend()))
        .await?;
    if let Some(r) = row {
        let name: String = r.try_get("", "name")?;
        let name = name.trim();
        if !name.is_empty() {
            name.clone_into(&mut rules.exit.notice.prefix);
        }
    }
    Ok(rules)
}

fn record(county: &str, r: &QueryResult) -> Result<RulesRecord> {
    let body: String = r.try_get("", "body")?;
    let rules: CountyRules = serde_json::from_str(&body)
        .map_err(|e| StoreError::corrupt(format!("county rules JSON of {county}: {e}")))?;
    Ok(RulesRecord {
        county_code: county.to_owned(),
        rules,
        version: r.try_get("", "version")?,
        updated_at: Some(r.try_get("", "updated_at")?),
    })
}

async fn find(conn: &impl ConnectionTrait, county: &str) -> Result<Option<RulesRecord>> {
    let mut sql = Sql::new();
    sql.push("SELECT body, version, updated_at FROM county_rules WHERE county_code = ")
        .bind(county);
    let row = conn
        .query_one_raw(sql.build(conn.get_database_backend()))
        .await?;
    row.as_ref().map(|r| record(county, r)).transpose()
}

pub async fn get_on(conn: &impl ConnectionTrait, county: &str) -> Result<RulesRecord> {
    match find(conn, county).await? {
        Some(rec) => Ok(rec),
        None => Ok(RulesRecord {
            county_code: county.to_owned(),
            rules: defaults(conn, county).await?,
            version: 0,
            updated_at: None,
        }),
    }
}

/// The rules in force in a county (`county_code`: 6 digits, or a longer region code of the county): the
/// stored ones, or the defaults with version 0. Rules are not personal data: any signed-in user's pages may
/// read them.
pub async fn get(db: &Db, county_code: &str) -> Result<RulesRecord> {
    let county = county_of(county_code)?;
    let ticket = match db.cached_rules(&county) {
        Ok(cached) => return Ok(cached),
        Err(ticket) => ticket,
    };
    let record = get_on(db.conn(), &county).await?;
    db.keep_rules(ticket, &record);
    Ok(record)
}

/// Saves a county's rules. Only the county admin 县级管理员 whose area is that county (`Forbidden`); the
/// rules must pass [`CountyRules::validate`] (`Invalid` with the reason in Chinese and English);
/// `expected_version` is the version read (0 while nothing is stored; a mismatch is `StaleVersion` and
/// nothing is written). The new value and its audit row (before and after) are written in one transaction.
pub async fn set(
    db: &Db,
    actor: &Actor,
    scope: &Scope,
    county_code: &str,
    rules: &CountyRules,
    expected_version: i64,
) -> Result<RulesRecord> {
    let county = county_of(county_code)?;
    if scope.role != Role::CountyAdmin || scope.area_prefix() != county {
        return Err(StoreError::Forbidden);
    }
    rules
        .validate()
        .map_err(|r| StoreError::invalid(r.message_zh, r.message_en))?;
    let body = serde_json::to_string(rules)
        .map_err(|e| StoreError::internal(format!("cannot serialise the rules: {e}")))?;
    let tx = db.begin_write().await?;
    let backend = tx.get_database_backend();
    let before = get_on(&tx, &county).await?;
    if before.version != expected_version {
        return Err(StoreError::StaleVersion {
            expected: expected_version,
            found: before.version,
        });
    }
    let now = Utc::now();
    let version = expected_version + 1;
    let mut sql = Sql::new();
    if before.version == 0 {
        sql.push("INSERT INTO county_rules (county_code, body, version, updated_at) VALUES (")
            .bind(county.clone())
            .push(", ")
            .bind(body)
            .push(", ")
            .bind(version)
            .push(", ")
            .bind(now)
            .push(")");
        insert_first_save(
            &tx,
            sql.build(backend),
            ("县级规则", "County rules"),
            expected_version,
            version,
        )
        .await?;
    } else {
        sql.push("UPDATE county_rules SET body = ")
            .bind(body)
            .push(", version = ")
            .bind(version)
            .push(", updated_at = ")
            .bind(now)
            .push(" WHERE county_code = ")
            .bind(county.clone())
            .push(" AND version = ")
            .bind(expected_version);
        let res = tx.execute_raw(sql.build(backend)).await?;
        if res.rows_affected() != 1 {
            let found = find(&tx, &county).await?.map_or(0, |r| r.version);
            return Err(StoreError::StaleVersion {
                expected: expected_version,
                found,
            });
        }
    }
    audit::append(
        &tx,
        actor,
        Change {
            action: if before.version == 0 {
                "create"
            } else {
                "update"
            },
            entity: "county_rules",
            entity_id: county.clone(),
            county_code: Some(county.clone()),
            village_code: None,
            before: Some(to_json(&before.rules)?),
            after: Some(to_json(rules)?),
        },
    )
    .await?;
    let rec = find(&tx, &county).await?.ok_or(StoreError::NotFound)?;
    crate::constants::bump(&tx, &county).await?;
    tx.commit().await?;
    db.forget_constants();
    Ok(rec)
}

#[cfg(test)]
mod tests {
    use shouwang_core::access::Role;
    use shouwang_core::codes::RegionLevel;
    use shouwang_core::{Region, RegionCode, Scope};

    use super::*;
    use crate::db_test;
    use crate::repo::audit::{AuditFilter, list as audit_list};
    use crate::repo::regions;

    fn admin() -> Scope {
        Scope::new(1, Role::CountyAdmin, "141123")
    }

    async fn county_region(db: &Db) {
        let county = Region {
            code: RegionCode::parse("141123").unwrap(),
            name: "兴县".to_owned(),
            level: RegionLevel::County,
            parent: None,
        };
        regions::upsert_many(db, &Actor::system(), &[county])
            .await
            .unwrap();
    }

    db_test!(
        fn defaults_until_saved_with_the_countys_name_as_notice_prefix(db: Db) {
            let rec = get(&db, "141123").await.unwrap();
            assert_eq!(rec.version, 0);
            assert_eq!(rec.updated_at, None);
            // No region yet: the core's defaults as they are.
            assert_eq!(rec.rules, CountyRules::default());
            county_region(&db).await;
            let rec = get(&db, "141123000000").await.unwrap();
            assert_eq!(rec.county_code, "141123");
            assert_eq!(rec.rules.exit.notice.prefix, "兴县");
            assert_eq!(
                rec.rules.exit.notice.number(2022, 3),
                "兴县〔2022〕告字第3号"
            );
            let mut expected = CountyRules::default();
            expected.exit.notice.prefix = "兴县".to_owned();
            assert_eq!(rec.rules, expected);
            assert!(matches!(
                get(&db, "14112").await,
                Err(StoreError::Invalid { .. })
            ));
        }
    );

    db_test!(
        fn county_admin_saves_versioned_and_audited(db: Db) {
            county_region(&db).await;
            let actor = Actor::new(1, "县管理员");
            let mut rules = get(&db, "141123").await.unwrap().rules;
            rules.screening.medical_yuan = 8000;
            let saved = set(&db, &actor, &admin(), "141123", &rules, 0)
                .await
                .unwrap();
            assert_eq!(saved.version, 1);
            assert!(saved.updated_at.is_some());
            let read = get(&db, "141123").await.unwrap();
            assert_eq!(read, saved);
            assert_eq!(read.rules.screening.medical_yuan, 8000);
            assert_eq!(read.rules.exit.notice.prefix, "兴县");

            // A stale version writes nothing.
            rules.screening.medical_yuan = 9000;
            assert!(matches!(
                set(&db, &actor, &admin(), "141123", &rules, 0).await,
                Err(StoreError::StaleVersion {
                    expected: 0,
                    found: 1
                })
            ));
            assert_eq!(
                get(&db, "141123")
                    .await
                    .unwrap()
                    .rules
                    .screening
                    .medical_yuan,
                8000
            );
            let saved = set(&db, &actor, &admin(), "141123", &rules, 1)
                .await
                .unwrap();
            assert_eq!(saved.version, 2);
            assert_eq!(saved.rules.screening.medical_yuan, 9000);

            let log = audit_list(
                &db,
                &admin(),
                &AuditFilter {
                    entity: Some("county_rules".to_owned()),
                    ..AuditFilter::default()
                },
                1,
                50,
            )
            .await
            .unwrap();
            assert_eq!(log.total, 2);
            let mut actions: Vec<&str> = log.items.iter().map(|e| e.action.as_str()).collect();
            actions.sort_unstable();
            assert_eq!(actions, ["create", "update"]);
            let update = log.items.iter().find(|e| e.action == "update").unwrap();
            assert_eq!(update.entity_id, "141123");
            assert_eq!(
                update.before.as_ref().unwrap()["screening"]["medical_yuan"],
                8000
            );
            assert_eq!(
                update.after.as_ref().unwrap()["screening"]["medical_yuan"],
                9000
            );
        }
    );

    db_test!(
        fn only_the_countys_admin_and_only_valid_rules(db: Db) {
            let actor = Actor::new(2, "someone");
            let rules = CountyRules::default();
            for scope in [
                Scope::new(2, Role::TownshipAdmin, "141123208"),
                Scope::new(2, Role::Auditor, "141123"),
                Scope::new(2, Role::Department, "141123"),
                Scope::new(2, Role::CountyAdmin, "141124"),
            ] {
                assert!(
                    matches!(
                        set(&db, &actor, &scope, "141123", &rules, 0).await,
                        Err(StoreError::Forbidden)
                    ),
                    "{scope:?}"
                );
            }
            let mut bad = CountyRules::default();
            bad.identification.publicity_days = 3;
            match set(&db, &actor, &admin(), "141123", &bad, 0).await {
                Err(StoreError::Invalid { zh, en }) => {
                    assert!(zh.contains("公示期"), "{zh}");
                    assert!(en.contains("objection period"), "{en}");
                }
                other => panic!("expected Invalid, got {other:?}"),
            }
            let mut bad = CountyRules::default();
            bad.screening.near_line_pct = 90;
            assert!(matches!(
                set(&db, &actor, &admin(), "141123", &bad, 0).await,
                Err(StoreError::Invalid { .. })
            ));
            // Nothing stored, nothing audited.
            assert_eq!(get(&db, "141123").await.unwrap().version, 0);
            let log = audit_list(&db, &admin(), &AuditFilter::default(), 1, 50)
                .await
                .unwrap();
            assert!(log.items.iter().all(|e| e.entity != "county_rules"));
        }
    );
}
