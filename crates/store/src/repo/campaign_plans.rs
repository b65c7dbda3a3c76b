//! 年度工作方案 (A6, issue 22; §三(四)1): each township's yearly plan of the 三保障和饮水安全 work, one row
//! per township and year (the core's [`YearPlan`] as JSON). Reads are scoped in SQL to the caller's area —
//! a county or township sees its townships' plans, a village (or natural village) its own township's; a
//! write checks the township against the scope's area, the version (乐观锁), and appends its audit row in
//! the same transaction. The use cases are `shouwang_app::registers::campaign`.

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, QueryResult};
use shouwang_core::Scope;
use shouwang_core::register::plan::YearPlan;

use super::audit::{self, Change};
use super::cases::write_county;
use super::{Actor, Sql, prefix_upper, to_json};
use crate::db::Db;
use crate::error::{Result, StoreError};

/// A township's stored plan of a year.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlanRow {
    /// 乡镇 code (9 digits).
    pub township: String,
    /// Version for the next save (乐观锁).
    pub version: i64,
    /// Who saved it last.
    pub updated_by: String,
    /// When.
    pub updated_at: DateTime<Utc>,
    /// The plan.
    pub plan: YearPlan,
}

fn plan_row(r: &QueryResult) -> Result<PlanRow> {
    let body: String = r.try_get("", "body")?;
    Ok(PlanRow {
        township: r.try_get("", "township_code")?,
        version: r.try_get("", "version")?,
        updated_by: r.try_get("", "updated_by")?,
        updated_at: r.try_get("", "updated_at")?,
        plan: serde_json::from_str(&body)
            .map_err(|e| StoreError::corrupt(format!("campaign_plans.body: {e}")))?,
    })
}

/// Appends the scope's area to a query of `campaign_plans p`: its county, and its townships (a county's
/// area) or the township that holds the area (a township, village, natural village).
fn push_scope(sql: &mut Sql, scope: &Scope) -> Result<()> {
    let county = write_county(scope)?;
    let area = scope.area_prefix();
    sql.push(" AND p.county_code = ").bind(county.as_str());
    match area.get(..9) {
        Some(township) => {
            sql.push(" AND p.township_code = ").bind(township);
        }
        None => {
            sql.push(" AND p.township_code >= ")
                .bind(area)
                .push(" AND p.township_code < ")
                .bind(prefix_upper(area));
        }
    }
    Ok(())
}

/// The plans of `year` in the scope's area (narrowed to `township` when given), by township.
pub async fn list(
    db: &Db,
    scope: &Scope,
    township: Option<&str>,
    year: i32,
) -> Result<Vec<PlanRow>> {
    let mut sql = Sql::new();
    sql.push(
        "SELECT p.township_code, p.version, p.updated_by, p.updated_at, p.body FROM campaign_plans p \
         WHERE p.year = ",
    )
    .bind(i64::from(year));
    if push_scope(&mut sql, scope).is_err() {
        return Ok(Vec::new());
    }
    if let Some(t) = township {
        sql.push(" AND p.township_code = ").bind(t.trim());
    }
    sql.push(" ORDER BY p.township_code");
    let rows = db.conn().query_all_raw(sql.build(db.backend())).await?;
    rows.iter().map(plan_row).collect()
}

/// Saves `plan` as township `township`'s plan of its year: `Forbidden` when the township is outside the
/// scope's area (or not a 9-digit code of its county), `StaleVersion` when the plan changed since
/// `expected_version` (0: none saved yet); else the new row with its audit row (`create`/`update
/// campaign_plans`, before and after). The plan is validated by the caller (the core's rule).
pub async fn save(
    db: &Db,
    actor: &Actor,
    scope: &Scope,
    township: &str,
    plan: &YearPlan,
    expected_version: i64,
) -> Result<PlanRow> {
    let county = write_county(scope)?;
    let township = township.trim();
    let area = scope.area_prefix();
    if township.len() != 9
        || !township.bytes().all(|b| b.is_ascii_digit())
        || !township.starts_with(&county)
        || area.len() > 9
        || !township.starts_with(area)
    {
        return Err(StoreError::Forbidden);
    }
    let year = i64::from(plan.year);
    let tx = db.begin_write().await?;
    let backend = tx.get_database_backend();
    let mut find = Sql::new();
    find.push(
        "SELECT p.township_code, p.version, p.updated_by, p.updated_at, p.body FROM campaign_plans p \
         WHERE p.county_code = ",
    )
    .bind(county.as_str())
    .push(" AND p.township_code = ")
    .bind(township)
    .push(" AND p.year = ")
    .bind(year);
    let before = tx
        .query_one_raw(find.build(backend))
        .await?
        .as_ref()
        .map(plan_row)
        .transpose()?;
    let found = before.as_ref().map_or(0, |b| b.version);
    if found != expected_version {
        return Err(StoreError::StaleVersion {
            expected: expected_version,
            found,
        });
    }
    let body = to_json(plan)?;
    let now = Utc::now();
    let mut sql = Sql::new();
    if before.is_some() {
        sql.push("UPDATE campaign_plans SET body = ")
            .bind(body.to_string())
            .push(", version = version + 1, updated_by = ")
            .bind(actor.name.as_str())
            .push(", updated_at = ")
            .bind(now)
            .push(" WHERE county_code = ")
            .bind(county.as_str())
            .push(" AND township_code = ")
            .bind(township)
            .push(" AND year = ")
            .bind(year)
            .push(" AND version = ")
            .bind(found);
    } else {
        sql.push(
            "INSERT INTO campaign_plans (county_code, township_code, year, body, version, updated_by, \
             updated_at) VALUES (",
        )
        .bind(county.as_str())
        .push(", ")
        .bind(township)
        .push(", ")
        .bind(year)
        .push(", ")
        .bind(body.to_string())
        .push(", 1, ")
        .bind(actor.name.as_str())
        .push(", ")
        .bind(now)
        .push(")");
    }
    let done = tx
        .execute_raw(sql.build(backend))
        .await
        .map_err(|e| StoreError::from_write(e, "年度工作方案", "Yearly plan"))?;
    if done.rows_affected() != 1 {
        return Err(StoreError::StaleVersion {
            expected: expected_version,
            found: found + 1,
        });
    }
    audit::append(
        &tx,
        actor,
        Change {
            action: if before.is_some() { "update" } else { "create" },
            entity: "campaign_plans",
            entity_id: format!("{township}/{year}"),
            county_code: Some(county.clone()),
            village_code: None,
            before: before.as_ref().map(|b| to_json(&b.plan)).transpose()?,
            after: Some(body),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(PlanRow {
        township: township.to_owned(),
        version: found + 1,
        updated_by: actor.name.clone(),
        updated_at: now,
        plan: plan.clone(),
    })
}
