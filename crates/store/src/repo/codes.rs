//! A county's local display of the national code lists 本县代码显示设置 (table `code_overrides`; the rules
//! are [`shouwang_core::codes::CodeOverrides`]): the local label 本县显示名称 and the 停用 flag of a code.
//!
//! Code lists are not personal data: any page of the county may read them ([`overrides`], [`list`]).
//! Only the county admin 县级管理员 whose area is the county changes them ([`set`]), one code at a time,
//! with the version read (0 while the code has no row; a mismatch is `StaleVersion` and nothing is
//! written); every change is audited (entity `code_override`, id `list:code`, before and after).

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, QueryResult};
use serde::Serialize;
use shouwang_core::access::Role;
use shouwang_core::codes::{CodeOverride, CodeOverrides, find_list};
use shouwang_core::{RegionCode, Scope};

use super::audit::{self, Change};
use super::{Actor, Sql, insert_first_save, to_json};
use crate::db::Db;
use crate::error::{Result, StoreError};

/// The local setting of one code, as stored (or the national default with version 0).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CodeSetting {
    /// List key (`risk_type`).
    pub list: String,
    /// The national code.
    pub code: String,
    /// 本县显示名称 (the national label while nothing is stored).
    pub label_zh: String,
    /// Local English label, if any.
    pub label_en: Option<String>,
    /// 停用.
    pub disabled: bool,
    /// Optimistic-locking version: 0 while nothing is stored.
    pub version: i64,
    /// Last save (UTC); `None` while nothing is stored.
    pub updated_at: Option<DateTime<Utc>>,
}

impl CodeSetting {
    /// The setting as the core's value.
    pub fn to_override(&self) -> CodeOverride {
        CodeOverride {
            label_zh: self.label_zh.clone(),
            label_en: self.label_en.clone(),
            disabled: self.disabled,
        }
    }
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

fn setting(r: &QueryResult) -> Result<CodeSetting> {
    Ok(CodeSetting {
        list: r.try_get("", "list")?,
        code: r.try_get("", "code")?,
        label_zh: r.try_get("", "label_zh")?,
        label_en: r.try_get("", "label_en")?,
        disabled: r.try_get("", "disabled")?,
        version: r.try_get("", "version")?,
        updated_at: Some(r.try_get("", "updated_at")?),
    })
}

const COLUMNS: &str =
    "SELECT list, code, label_zh, label_en, disabled, version, updated_at FROM code_overrides";

/// Every stored setting of a county, by list key and code.
pub async fn list(db: &Db, county_code: &str) -> Result<Vec<CodeSetting>> {
    let county = county_of(county_code)?;
    let conn = db.conn();
    let mut sql = Sql::new();
    sql.push(COLUMNS)
        .push(" WHERE county_code = ")
        .bind(county)
        .push(" ORDER BY list, code");
    let rows = conn
        .query_all_raw(sql.build(conn.get_database_backend()))
        .await?;
    rows.iter().map(setting).collect()
}

/// The county's settings as the core's [`CodeOverrides`] (labels and 停用 of its pages). A stored row
/// that no longer names a national code (a list or code withdrawn in a later release) is skipped.
pub async fn overrides(db: &Db, county_code: &str) -> Result<CodeOverrides> {
    let county = county_of(county_code)?;
    let ticket = match db.cached_codes(&county) {
        Ok(cached) => return Ok(cached),
        Err(ticket) => ticket,
    };
    let mut out = CodeOverrides::new();
    for s in list(db, &county).await? {
        // Skipping is the documented behaviour for withdrawn codes; nothing else can fail here, the
        // rows were validated when saved.
        let _ = out.insert(&s.list, &s.code, &s.to_override());
    }
    db.keep_codes(ticket, &county, &out);
    Ok(out)
}

async fn find(
    conn: &impl ConnectionTrait,
    county: &str,
    list: &str,
    code: &str,
) -> Result<Option<CodeSetting>> {
    let mut sql = Sql::new();
    sql.push(COLUMNS)
        .push(" WHERE county_code = ")
        .bind(county)
        .push(" AND list = ")
        .bind(list)
        .push(" AND code = ")
        .bind(code);
    let row = conn
        .query_one_raw(sql.build(conn.get_database_backend()))
        .await?;
    row.as_ref().map(setting).transpose()
}

/// The setting of one code: the stored one, or the national label, enabled, version 0. An unknown list
/// or code is `NotFound`.
pub async fn get(db: &Db, county_code: &str, list_key: &str, code: &str) -> Result<CodeSetting> {
    let county = county_of(county_code)?;
    get_on(db.conn(), &county, list_key, code).await
}

async fn get_on(
    conn: &impl ConnectionTrait,
    county: &str,
    list_key: &str,
    code: &str,
) -> Result<CodeSetting> {
    let entry = find_list(list_key)
        .and_then(|l| l.entry(code))
        .ok_or(StoreError::NotFound)?;
    Ok(match find(conn, county, list_key, code).await? {
        Some(s) => s,
        None => CodeSetting {
            list: list_key.to_owned(),
            code: entry.code.to_owned(),
            label_zh: entry.label_zh.to_owned(),
            label_en: None,
            disabled: false,
            version: 0,
            updated_at: None,
        },
    })
}

/// Saves the local setting of one code of a county. Only the county admin 县级管理员 whose area is that
/// county (`Forbidden`); the edit must pass [`CodeOverrides::validate`] (`Invalid` with the reason as
/// `中文 (English)`); `expected_version` is the version read (0 while nothing is stored; a mismatch is
/// `StaleVersion` and nothing is written). The row and its audit row are written in one transaction.
#[allow(clippy::too_many_arguments)]
pub async fn set(
    db: &Db,
    actor: &Actor,
    scope: &Scope,
    county_code: &str,
    list_key: &str,
    code: &str,
    edit: &CodeOverride,
    expected_version: i64,
) -> Result<CodeSetting> {
    let county = county_of(county_code)?;
    if scope.role != Role::CountyAdmin || scope.area_prefix() != county {
        return Err(StoreError::Forbidden);
    }
    let edit = CodeOverrides::validate(list_key, code, edit)
        .map_err(|e| StoreError::invalid(e.message_zh(), e.to_string()))?;
    let tx = db.begin_write().await?;
    let backend = tx.get_database_backend();
    let before = get_on(&tx, &county, list_key, code).await?;
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
        sql.push("INSERT INTO code_overrides (county_code, list, code, label_zh, label_en, disabled, version, updated_at) VALUES (")
            .bind(county.clone())
            .push(", ")
            .bind(list_key)
            .push(", ")
            .bind(code)
            .push(", ")
            .bind(edit.label_zh.clone())
            .push(", ")
            .bind(edit.label_en.clone())
            .push(", ")
            .bind(edit.disabled)
            .push(", ")
            .bind(version)
            .push(", ")
            .bind(now)
            .push(")");
        insert_first_save(
            &tx,
            sql.build(backend),
            ("代码显示设置", "Code setting"),
            expected_version,
            version,
        )
        .await?;
    } else {
        sql.push("UPDATE code_overrides SET label_zh = ")
            .bind(edit.label_zh.clone())
            .push(", label_en = ")
            .bind(edit.label_en.clone())
            .push(", disabled = ")
            .bind(edit.disabled)
            .push(", version = ")
            .bind(version)
            .push(", updated_at = ")
            .bind(now)
            .push(" WHERE county_code = ")
            .bind(county.clone())
            .push(" AND list = ")
            .bind(list_key)
            .push(" AND code = ")
            .bind(code)
            .push(" AND version = ")
            .bind(expected_version);
        let res = tx.execute_raw(sql.build(backend)).await?;
        if res.rows_affected() != 1 {
            let found = find(&tx, &county, list_key, code)
                .await?
                .map_or(0, |r| r.version);
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
            entity: "code_override",
            entity_id: format!("{list_key}:{code}"),
            county_code: Some(county.clone()),
            village_code: None,
            before: Some(to_json(&before.to_override())?),
            after: Some(to_json(&edit)?),
        },
    )
    .await?;
    let rec = find(&tx, &county, list_key, code)
        .await?
        .ok_or(StoreError::NotFound)?;
    crate::constants::bump(&tx, &county).await?;
    tx.commit().await?;
    db.forget_constants();
    Ok(rec)
}

#[cfg(test)]
mod tests {
    use shouwang_core::CodeList;
    use shouwang_core::codes::{Lang, Relation, RiskType};

    use super::*;
    use crate::db_test;
    use crate::repo::audit::{AuditFilter, list as audit_list};

    fn admin() -> Scope {
        Scope::new(1, Role::CountyAdmin, "141123")
    }

    fn edit(zh: &str, disabled: bool) -> CodeOverride {
        CodeOverride {
            label_zh: zh.to_owned(),
            label_en: None,
            disabled,
        }
    }

    db_test!(
        fn county_admin_sets_labels_versioned_and_audited(db: Db) {
            let actor = Actor::new(1, "县管理员");
            let national = get(&db, "141123", "risk_type", "01").await.unwrap();
            assert_eq!(national.label_zh, "因病");
            assert_eq!(national.version, 0);
            assert!(overrides(&db, "141123").await.unwrap().is_empty());

            let saved = set(
                &db,
                &actor,
                &admin(),
                "141123",
                "risk_type",
                "01",
                &edit(" 因病致贫 ", false),
                0,
            )
            .await
            .unwrap();
            assert_eq!(saved.version, 1);
            assert_eq!(saved.label_zh, "因病致贫");
            assert!(saved.updated_at.is_some());
            let saved = set(
                &db,
                &actor,
                &admin(),
                "141123000000",
                "risk_type",
                "0206",
                &edit("地震", true),
                0,
            )
            .await
            .unwrap();
            assert!(saved.disabled);

            let o = overrides(&db, "141123").await.unwrap();
            assert_eq!(o.label(&RiskType::Illness, Lang::Zh), "因病致贫");
            assert!(o.is_disabled(&RiskType::DisasterEarthquake));
            assert_eq!(o.choices::<RiskType>(&[]).len(), RiskType::all().len() - 1);
            // Another county sees the national labels.
            let other = overrides(&db, "141124").await.unwrap();
            assert_eq!(other.label(&RiskType::Illness, Lang::Zh), "因病");

            // A stale version writes nothing.
            assert!(matches!(
                set(
                    &db,
                    &actor,
                    &admin(),
                    "141123",
                    "risk_type",
                    "01",
                    &edit("别的", false),
                    0
                )
                .await,
                Err(StoreError::StaleVersion {
                    expected: 0,
                    found: 1
                })
            ));
            let saved = set(
                &db,
                &actor,
                &admin(),
                "141123",
                "risk_type",
                "01",
                &edit("因病（含慢病）", false),
                1,
            )
            .await
            .unwrap();
            assert_eq!(saved.version, 2);
            assert_eq!(
                get(&db, "141123", "risk_type", "01")
                    .await
                    .unwrap()
                    .label_zh,
                "因病（含慢病）"
            );
            assert_eq!(list(&db, "141123").await.unwrap().len(), 2);

            let log = audit_list(
                &db,
                &admin(),
                &AuditFilter {
                    entity: Some("code_override".to_owned()),
                    ..AuditFilter::default()
                },
                1,
                50,
            )
            .await
            .unwrap();
            assert_eq!(log.total, 3);
            let update = log.items.iter().find(|e| e.action == "update").unwrap();
            assert_eq!(update.entity_id, "risk_type:01");
            assert_eq!(update.before.as_ref().unwrap()["label_zh"], "因病致贫");
            assert_eq!(update.after.as_ref().unwrap()["label_zh"], "因病（含慢病）");
        }
    );

    db_test!(
        fn only_the_countys_admin_and_only_valid_settings(db: Db) {
            let actor = Actor::new(2, "someone");
            for scope in [
                Scope::new(2, Role::TownshipAdmin, "141123208"),
                Scope::new(2, Role::VillageTeam, "141123208201"),
                Scope::new(2, Role::Auditor, "141123"),
                Scope::new(2, Role::CountyAdmin, "141124"),
            ] {
                assert!(
                    matches!(
                        set(
                            &db,
                            &actor,
                            &scope,
                            "141123",
                            "education",
                            "primary",
                            &edit("小学", false),
                            0
                        )
                        .await,
                        Err(StoreError::Forbidden)
                    ),
                    "{scope:?}"
                );
            }
            let refused = |r: Result<CodeSetting>| match r {
                Err(StoreError::Invalid { zh, .. }) => zh,
                other => panic!("expected Invalid, got {other:?}"),
            };
            let reason = refused(
                set(
                    &db,
                    &actor,
                    &admin(),
                    "141123",
                    "education",
                    "primary",
                    &edit("  ", false),
                    0,
                )
                .await,
            );
            assert!(reason.contains("不能为空"), "{reason}");
            let reason = refused(
                set(
                    &db,
                    &actor,
                    &admin(),
                    "141123",
                    "relation",
                    Relation::Head.code(),
                    &edit("户主", true),
                    0,
                )
                .await,
            );
            assert!(reason.contains("户主"), "{reason}");
            let reason = refused(
                set(
                    &db,
                    &actor,
                    &admin(),
                    "141123",
                    "education",
                    "primary",
                    &edit(&"长".repeat(31), false),
                    0,
                )
                .await,
            );
            assert!(reason.contains("30"), "{reason}");
            let reason = refused(
                set(
                    &db,
                    &actor,
                    &admin(),
                    "141123",
                    "nope",
                    "x",
                    &edit("x", false),
                    0,
                )
                .await,
            );
            assert!(reason.contains("nope"), "{reason}");
            assert!(matches!(
                get(&db, "141123", "education", "phd").await,
                Err(StoreError::NotFound)
            ));
            // Nothing stored, nothing audited.
            assert!(list(&db, "141123").await.unwrap().is_empty());
            let log = audit_list(&db, &admin(), &AuditFilter::default(), 1, 50)
                .await
                .unwrap();
            assert!(log.items.iter().all(|e| e.entity != "code_override"));
        }
    );
}
