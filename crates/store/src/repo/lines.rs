//! Monitoring lines (防止返贫监测线, §三(一)1): per province and year, edited by the county admin, seeded
//! with the plan's defaults (`LineTable::default_for`).

use chrono::Utc;
use sea_orm::{ActiveModelTrait, ConnectionTrait, EntityTrait, QueryOrder, Set};
use shouwang_core::{Fen, LineTable, MonitoringLine};

use super::Actor;
use super::audit::{self, Change};
use crate::db::Db;
use crate::entity::monitoring_lines;
use crate::error::{Result, StoreError};

/// Provinces whose defaults are seeded: 14 = 山西 (the plan's province).
pub const SEEDED_PROVINCES: &[&str] = &["14"];

fn to_line(m: monitoring_lines::Model) -> MonitoringLine {
    MonitoringLine {
        province: m.province,
        year: m.year,
        line: Fen(m.line_fen),
    }
}

/// Every line, by province and year.
pub async fn list(db: &Db) -> Result<Vec<MonitoringLine>> {
    let rows = monitoring_lines::Entity::find()
        .order_by_asc(monitoring_lines::Column::Province)
        .order_by_asc(monitoring_lines::Column::Year)
        .all(db.conn())
        .await?;
    Ok(rows.into_iter().map(to_line).collect())
}

/// The lines as a core [`LineTable`] (for `line::assess` and quality checks).
pub async fn table(db: &Db) -> Result<LineTable> {
    Ok(LineTable::from_lines(list(db).await?))
}

/// [`table`] on a connection or transaction (the registry import checks its income years in its own).
pub(crate) async fn table_on(conn: &impl ConnectionTrait) -> Result<LineTable> {
    let rows = monitoring_lines::Entity::find().all(conn).await?;
    Ok(LineTable::from_lines(rows.into_iter().map(to_line)))
}

/// The line of one province and year, if set.
pub async fn get(db: &Db, province: &str, year: i32) -> Result<Option<Fen>> {
    let row = monitoring_lines::Entity::find_by_id((province.trim().to_owned(), year))
        .one(db.conn())
        .await?;
    Ok(row.map(|m| Fen(m.line_fen)))
}

/// Sets (inserts or replaces) the line of a province and year; audited with the old and new value.
/// Province: 2 digits; year 2000..=2100; line positive.
pub async fn set(db: &Db, actor: &Actor, line: &MonitoringLine) -> Result<()> {
    let province = line.province.trim();
    if province.len() != 2 || !province.bytes().all(|b| b.is_ascii_digit()) {
        return Err(StoreError::invalid(
            format!("省级代码应为 2 位数字，收到“{province}”"),
            format!("Province code must be 2 digits, got {province:?}"),
        ));
    }
    if !(2000..=2100).contains(&line.year) {
        return Err(StoreError::invalid(
            format!("年度有误：{}（应在 2000 至 2100 年之间）", line.year),
            format!("Year out of range: {} (2000 to 2100)", line.year),
        ));
    }
    if line.line.0 <= 0 {
        return Err(StoreError::invalid(
            "监测线应大于 0",
            "The monitoring line must be positive",
        ));
    }
    let tx = db.begin_write().await?;
    let before = monitoring_lines::Entity::find_by_id((province.to_owned(), line.year))
        .one(&tx)
        .await?;
    let model = monitoring_lines::ActiveModel {
        province: Set(province.to_owned()),
        year: Set(line.year),
        line_fen: Set(line.line.0),
        updated_at: Set(Utc::now()),
    };
    let after = match &before {
        Some(_) => model.update(&tx).await?,
        None => model.insert(&tx).await?,
    };
    audit::append(
        &tx,
        actor,
        Change {
            action: if before.is_some() { "update" } else { "create" },
            entity: "monitoring_line",
            entity_id: format!("{province}/{}", line.year),
            county_code: None,
            village_code: None,
            before: before.map(|b| serde_json::json!({ "line_fen": b.line_fen })),
            after: Some(serde_json::json!({ "line_fen": after.line_fen })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Inserts the plan's default lines that are missing (never overwrites a county's edit). Run by
/// [`Db::migrate`]; returns how many were inserted.
pub async fn seed_defaults(db: &Db) -> Result<u64> {
    let mut n = 0;
    for p in SEEDED_PROVINCES {
        for l in LineTable::default_for(p).lines() {
            if get(db, &l.province, l.year).await?.is_none() {
                set(db, &Actor::system(), l).await?;
                n += 1;
            }
        }
    }
    Ok(n)
}
