//! Monitoring lines (防止返贫监测线, §三(一)1): per province and year (set by the province admin, seeded
//! with the plan's defaults, `LineTable::default_for`), per county and year where the province allows it
//! (set by the county admin), and each province's policy. Who may set which is decided by the application
//! layer (`shouwang_app::lines`).

use chrono::Utc;
use sea_orm::{ActiveModelTrait, ConnectionTrait, EntityTrait, QueryOrder, Set};
use shouwang_core::{CountyLine, Fen, LineTable, MonitoringLine};

use super::Actor;
use super::audit::{self, Change};
use crate::db::Db;
use crate::entity::{county_monitoring_lines, monitoring_lines, province_line_policies};
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

/// The lines as a core [`LineTable`] (for `line::assess` and quality checks): the provinces' lines, the
/// counties' own and the provinces' policies.
pub async fn table(db: &Db) -> Result<LineTable> {
    let ticket = match db.cached_lines() {
        Ok(cached) => return Ok(cached),
        Err(ticket) => ticket,
    };
    let table = table_on(db.conn()).await?;
    db.keep_lines(ticket, &table);
    Ok(table)
}

/// [`table`] on a connection or transaction (the registry import checks its income years in its own).
pub(crate) async fn table_on(conn: &impl ConnectionTrait) -> Result<LineTable> {
    let rows = monitoring_lines::Entity::find().all(conn).await?;
    let mut t = LineTable::from_lines(rows.into_iter().map(to_line));
    for c in county_monitoring_lines::Entity::find().all(conn).await? {
        t.set_county(&c.county_code, c.year, Fen(c.line_fen));
    }
    for p in province_line_policies::Entity::find().all(conn).await? {
        t.allow_county_lines(&p.province, p.county_lines_allowed);
    }
    Ok(t)
}

/// The line of one province and year, if set.
pub async fn get(db: &Db, province: &str, year: i32) -> Result<Option<Fen>> {
    let row = monitoring_lines::Entity::find_by_id((province.trim().to_owned(), year))
        .one(db.conn())
        .await?;
    Ok(row.map(|m| Fen(m.line_fen)))
}

fn check_code(code: &str, digits: usize, zh: &str, en: &str) -> Result<()> {
    if code.len() != digits || !code.bytes().all(|b| b.is_ascii_digit()) {
        return Err(StoreError::invalid(
            format!("{zh}应为 {digits} 位数字，收到“{code}”"),
            format!("{en} must be {digits} digits, got {code:?}"),
        ));
    }
    Ok(())
}

fn check_year_and_line(year: i32, line: Fen) -> Result<()> {
    if !(2000..=2100).contains(&year) {
        return Err(StoreError::invalid(
            format!("年度有误：{year}（应在 2000 至 2100 年之间）"),
            format!("Year out of range: {year} (2000 to 2100)"),
        ));
    }
    if line.0 <= 0 {
        return Err(StoreError::invalid(
            "监测线应大于 0",
            "The monitoring line must be positive",
        ));
    }
    Ok(())
}

/// Audits a setting written in place (a line, a policy): `create` or `update` (when there was a value
/// `before`) with the old and the new value.
async fn audit_setting(
    tx: &impl ConnectionTrait,
    actor: &Actor,
    entity: &'static str,
    entity_id: String,
    county_code: Option<String>,
    before: Option<serde_json::Value>,
    after: serde_json::Value,
) -> Result<()> {
    let change = Change {
        action: if before.is_some() { "update" } else { "create" },
        entity,
        entity_id,
        county_code,
        village_code: None,
        before,
        after: Some(after),
    };
    audit::append(tx, actor, change).await?;
    Ok(())
}

/// Whether the counties of `province` may set their own line (no policy row: they may).
pub async fn county_lines_allowed(db: &Db, province: &str) -> Result<bool> {
    allowed_on(db.conn(), province).await
}

async fn allowed_on(conn: &impl ConnectionTrait, province: &str) -> Result<bool> {
    Ok(
        province_line_policies::Entity::find_by_id(province.trim().to_owned())
            .one(conn)
            .await?
            .is_none_or(|p| p.county_lines_allowed),
    )
}

/// Sets (inserts or replaces) the line of a province and year; audited with the old and new value.
/// Province: 2 digits; year 2000..=2100; line positive.
pub async fn set(db: &Db, actor: &Actor, line: &MonitoringLine) -> Result<()> {
    let province = line.province.trim();
    check_code(province, 2, "省级代码", "Province code")?;
    check_year_and_line(line.year, line.line)?;
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
    let before = before.map(|b| serde_json::json!({ "line_fen": b.line_fen }));
    audit_setting(
        &tx,
        actor,
        "monitoring_line",
        format!("{province}/{}", line.year),
        None,
        before,
        serde_json::json!({ "line_fen": after.line_fen }),
    )
    .await?;
    crate::constants::bump(&tx, crate::constants::SHARED).await?;
    tx.commit().await?;
    db.forget_constants();
    Ok(())
}

/// Sets (inserts or replaces) a county's own line of a year, refused while its province keeps one line
/// for all its counties; audited with the old and new value. County: 6 digits.
pub async fn set_county(db: &Db, actor: &Actor, line: &CountyLine) -> Result<()> {
    let county = line.county.trim();
    check_code(county, 6, "县级代码", "County code")?;
    check_year_and_line(line.year, line.line)?;
    let tx = db.begin_write().await?;
    if !allowed_on(&tx, &county[..2]).await? {
        return Err(StoreError::conflict(
            "本省由省级统一设定监测线，县级不能单独设定",
            "The province sets one line for all its counties; a county may not set its own",
        ));
    }
    let key = (county.to_owned(), line.year);
    let before = county_monitoring_lines::Entity::find_by_id(key)
        .one(&tx)
        .await?;
    let model = county_monitoring_lines::ActiveModel {
        county_code: Set(county.to_owned()),
        year: Set(line.year),
        line_fen: Set(line.line.0),
        updated_at: Set(Utc::now()),
    };
    let after = match &before {
        Some(_) => model.update(&tx).await?,
        None => model.insert(&tx).await?,
    };
    let before = before.map(|b| serde_json::json!({ "line_fen": b.line_fen }));
    audit_setting(
        &tx,
        actor,
        "county_monitoring_line",
        format!("{county}/{}", line.year),
        Some(county.to_owned()),
        before,
        serde_json::json!({ "line_fen": after.line_fen }),
    )
    .await?;
    crate::constants::bump(&tx, county).await?;
    tx.commit().await?;
    db.forget_constants();
    Ok(())
}

/// Sets whether the counties of `province` may set their own line; audited. Closing keeps the counties'
/// lines (they stop applying) so reopening restores them.
pub async fn set_county_policy(
    db: &Db,
    actor: &Actor,
    province: &str,
    allowed: bool,
) -> Result<()> {
    let province = province.trim();
    check_code(province, 2, "省级代码", "Province code")?;
    let tx = db.begin_write().await?;
    let before = province_line_policies::Entity::find_by_id(province.to_owned())
        .one(&tx)
        .await?;
    let model = province_line_policies::ActiveModel {
        province: Set(province.to_owned()),
        county_lines_allowed: Set(allowed),
        updated_at: Set(Utc::now()),
    };
    match &before {
        Some(_) => model.update(&tx).await?,
        None => model.insert(&tx).await?,
    };
    let before =
        before.map(|b| serde_json::json!({ "county_lines_allowed": b.county_lines_allowed }));
    let after = serde_json::json!({ "county_lines_allowed": allowed });
    let id = province.to_owned();
    audit_setting(&tx, actor, "province_line_policy", id, None, before, after).await?;
    crate::constants::bump(&tx, crate::constants::SHARED).await?;
    tx.commit().await?;
    db.forget_constants();
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
