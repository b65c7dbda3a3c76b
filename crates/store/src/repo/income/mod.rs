//! Household income records (家庭收入): one row per household and year, amounts in fen — the record that
//! counts; the figures of other sources that do not count are in [`others`].

use chrono::{DateTime, Duration, NaiveDate, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter,
    QueryOrder, Set,
};
use serde::Serialize;
use shouwang_core::codes::CodeList;
use shouwang_core::income::IncomeSource;
use shouwang_core::{Fen, IncomeRecord, Scope};

use super::audit::{self, Change};
use super::{Actor, to_json};
use crate::db::Db;
use crate::entity::{households, income_records};
use crate::error::{Result, StoreError};
use crate::ids::new_id;

pub mod others;

/// An income record with its source and row version (for [`upsert`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct IncomeEntry {
    pub record: IncomeRecord,
    /// 数据来源 of the record that counts.
    pub source: IncomeSource,
    /// 数据日期: the day the figures were established (a visit's date, or the day written).
    pub as_of: NaiveDate,
    pub version: i64,
    /// When it was last written.
    pub updated_at: DateTime<Utc>,
}

/// The date of an instant in Beijing time (UTC+8 all year).
pub(crate) fn beijing_date(t: DateTime<Utc>) -> NaiveDate {
    (t + Duration::hours(8)).date_naive()
}

/// The source of a stored row (an unknown code reads as an import).
pub(crate) fn source_of(m: &income_records::Model) -> IncomeSource {
    IncomeSource::from_code(&m.source).unwrap_or(IncomeSource::Import)
}

/// The 数据日期 of a stored row: `as_of`, or the day it was written.
pub(crate) fn as_of_of(m: &income_records::Model) -> NaiveDate {
    m.as_of
        .as_deref()
        .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
        .unwrap_or_else(|| beijing_date(m.updated_at))
}

/// A stored record as the core's (also for the registry export).
pub(crate) fn to_record(m: &income_records::Model) -> IncomeRecord {
    IncomeRecord {
        year: m.year,
        wage: Fen(m.wage),
        business: Fen(m.business),
        property: Fen(m.property),
        transfer: Fen(m.transfer),
        production_cost: Fen(m.production_cost),
        rigid_medical: Fen(m.rigid_medical),
        rigid_education: Fen(m.rigid_education),
        rigid_disability: Fen(m.rigid_disability),
        rigid_disaster: Fen(m.rigid_disaster),
        insurance_payout: Fen(m.insurance_payout),
        members: u32::try_from(m.members).unwrap_or(0),
    }
}

/// Year in 2000..=2100, 1..=100 members, no amount beyond ±10^12 fen (100 亿 yuan; guards the sums).
pub(crate) fn check_record(r: &IncomeRecord) -> Result<()> {
    if !(2000..=2100).contains(&r.year) {
        return Err(StoreError::invalid(
            format!("收入年度有误：{}（应在 2000 至 2100 年之间）", r.year),
            format!("Income year out of range: {} (2000 to 2100)", r.year),
        ));
    }
    if !(1..=100).contains(&r.members) {
        return Err(StoreError::invalid(
            format!("家庭人口有误：{}（应为 1 至 100 人）", r.members),
            format!(
                "Household size for the income must be 1 to 100: {}",
                r.members
            ),
        ));
    }
    const LIMIT: i64 = 1_000_000_000_000;
    if r.amounts().iter().any(|(f, _, _)| f.0.abs() > LIMIT) {
        return Err(StoreError::invalid("金额超出范围", "Amount out of range"));
    }
    Ok(())
}

/// The income rows of a household, by year.
pub(crate) async fn rows_of(
    conn: &impl ConnectionTrait,
    county: &str,
    household_id: i64,
) -> Result<Vec<IncomeEntry>> {
    let rows = income_records::Entity::find()
        .filter(income_records::Column::CountyCode.eq(county))
        .filter(income_records::Column::HouseholdId.eq(household_id))
        .order_by_asc(income_records::Column::Year)
        .all(conn)
        .await?;
    Ok(rows
        .iter()
        .map(|m| IncomeEntry {
            record: to_record(m),
            source: source_of(m),
            as_of: as_of_of(m),
            version: m.version,
            updated_at: m.updated_at,
        })
        .collect())
}

fn active(
    h: &households::Model,
    id: i64,
    r: &IncomeRecord,
    source: IncomeSource,
    as_of: Option<NaiveDate>,
    version: i64,
    created_at: DateTime<Utc>,
) -> income_records::ActiveModel {
    income_records::ActiveModel {
        county_code: Set(h.county_code.clone()),
        id: Set(id),
        village_code: Set(h.village_code.clone()),
        household_id: Set(h.id),
        year: Set(r.year),
        wage: Set(r.wage.0),
        business: Set(r.business.0),
        property: Set(r.property.0),
        transfer: Set(r.transfer.0),
        production_cost: Set(r.production_cost.0),
        rigid_medical: Set(r.rigid_medical.0),
        rigid_education: Set(r.rigid_education.0),
        rigid_disability: Set(r.rigid_disability.0),
        rigid_disaster: Set(r.rigid_disaster.0),
        insurance_payout: Set(r.insurance_payout.0),
        members: Set(i32::try_from(r.members).unwrap_or(i32::MAX)),
        source: Set(source.code().to_owned()),
        as_of: Set(as_of.map(|d| d.to_string())),
        version: Set(version),
        created_at: Set(created_at),
        updated_at: Set(Utc::now()),
    }
}

/// Inserts a new record dated `as_of` (`None`: the day written) (no audit row: the caller's audit row
/// covers it).
pub(crate) async fn insert_row(
    tx: &DatabaseTransaction,
    h: &households::Model,
    r: &IncomeRecord,
    source: IncomeSource,
    as_of: Option<NaiveDate>,
    now: DateTime<Utc>,
) -> Result<income_records::Model> {
    active(h, new_id(), r, source, as_of, 1, now)
        .insert(tx)
        .await
        .map_err(|e| {
            StoreError::from_write(
                e,
                &format!("户 {} 的 {} 年收入记录", h.number, r.year),
                &format!("Income {} of household {}", r.year, h.number),
            )
        })
}

/// The record's version as committed now (0 if it is gone), for the `StaleVersion` error after a
/// version-checked statement touched no row (see `households::household_version_now`).
async fn version_now(tx: &DatabaseTransaction, county: &str, id: i64) -> Result<i64> {
    Ok(income_records::Entity::find_by_id((county.to_owned(), id))
        .one(tx)
        .await?
        .map_or(0, |r| r.version))
}

/// The household with this number, in any county (`Conflict` if the number is used in several).
async fn find_any(tx: &DatabaseTransaction, number: &str) -> Result<households::Model> {
    let mut found = households::Entity::find()
        .filter(households::Column::Number.eq(number.trim()))
        .all(tx)
        .await?;
    match found.len() {
        0 => Err(StoreError::NotFound),
        1 => Ok(found.remove(0)),
        _ => Err(StoreError::conflict(
            format!("户编号 {number} 在多个县使用，无法确定是哪一户"),
            format!("Household number {number} is used in several counties; use upsert_scoped"),
        )),
    }
}

/// Creates or replaces the household's record for `record.year`, from `source`.
///
/// `expected_version`: `None` to create (refused with `StaleVersion { expected: 0, found }` if a record of
/// that year exists already), `Some(v)` to replace version `v` (refused with `StaleVersion` if the row has
/// another version, `found: 0` if it no longer exists). An import never replaces a verified record
/// ([`IncomeSource::replaces`]: refused with `Conflict`). The record replaced, when from another source,
/// is kept in [`others`] (不计入); this source's figures kept there before are removed (they are the
/// record now). Returns the record's new version.
///
/// No scope check: callers acting for a user use [`upsert_scoped`].
pub async fn upsert(
    db: &Db,
    actor: &Actor,
    household_number: &str,
    record: &IncomeRecord,
    source: IncomeSource,
    expected_version: Option<i64>,
) -> Result<i64> {
    check_record(record)?;
    let tx = db.begin_write().await?;
    let h = find_any(&tx, household_number).await?;
    let v = write(&tx, actor, &h, record, source, None, expected_version).await?;
    tx.commit().await?;
    Ok(v)
}

/// [`upsert`] for a user: the household must be in the scope's area (`NotFound` otherwise) and the scope
/// allowed to write (`Forbidden`).
pub async fn upsert_scoped(
    db: &Db,
    actor: &Actor,
    scope: &Scope,
    household_number: &str,
    record: &IncomeRecord,
    source: IncomeSource,
    expected_version: Option<i64>,
) -> Result<i64> {
    check_record(record)?;
    let tx = db.begin_write().await?;
    let h = super::households::find_for_write(&tx, scope, household_number).await?;
    let v = write(&tx, actor, &h, record, source, None, expected_version).await?;
    tx.commit().await?;
    Ok(v)
}

/// [`upsert_scoped`] on the caller's write transaction `tx` (a use case that writes more in the same
/// transaction). Returns the record's new version.
pub async fn upsert_on(
    tx: &DatabaseTransaction,
    actor: &Actor,
    scope: &Scope,
    household_number: &str,
    record: &IncomeRecord,
    source: IncomeSource,
    expected_version: Option<i64>,
) -> Result<i64> {
    check_record(record)?;
    let h = super::households::find_for_write(tx, scope, household_number).await?;
    write(tx, actor, &h, record, source, None, expected_version).await
}

/// What [`record_visit_on`] did with a visit's record.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum VisitRecord {
    /// It is the year's record now, at this version.
    Counts { version: i64 },
    /// The year's record from `counting` (a verified record of a later date) still counts; the visit's
    /// figures are kept as its source's, not counted (unless identical, or of that same source).
    NotCounted { counting: IncomeSource },
}

/// A visit's income record (入户核查, 月度走访) from `source`, dated `on` (the visit's date), on the
/// caller's write transaction `tx`: it becomes the year's record when it counts over the record there
/// ([`IncomeSource::counts_over`]: the latest verified record counts), replacing it whatever its
/// version (the visit is read and written in one transaction), the figures replaced kept as their
/// source's ([`others`]); otherwise the record there stays, and the visit's figures are kept as
/// `source`'s, not counted. Scope as [`upsert_scoped`]. Audited.
pub async fn record_visit_on(
    tx: &DatabaseTransaction,
    actor: &Actor,
    scope: &Scope,
    household_number: &str,
    record: &IncomeRecord,
    source: IncomeSource,
    on: NaiveDate,
) -> Result<VisitRecord> {
    check_record(record)?;
    let h = super::households::find_for_visit(tx, scope, household_number).await?;
    let before = income_records::Entity::find()
        .filter(income_records::Column::CountyCode.eq(h.county_code.as_str()))
        .filter(income_records::Column::HouseholdId.eq(h.id))
        .filter(income_records::Column::Year.eq(record.year))
        .one(tx)
        .await?;
    match before {
        Some(b) if !source.counts_over(on, source_of(&b), as_of_of(&b)) => {
            let counting = source_of(&b);
            // The same source's later figures count already: the visit's are older, nothing to keep.
            if counting != source {
                others::keep(tx, actor, home_of(&h), record, source, on, &to_record(&b)).await?;
            }
            Ok(VisitRecord::NotCounted { counting })
        }
        b => {
            let version = write(
                tx,
                actor,
                &h,
                record,
                source,
                Some(on),
                b.map(|b| b.version),
            )
            .await?;
            Ok(VisitRecord::Counts { version })
        }
    }
}

/// The household's records as seen on `tx`, by year, and its village code (for a use case checking
/// them after a write).
pub async fn rows_on(
    tx: &DatabaseTransaction,
    scope: &Scope,
    household_number: &str,
) -> Result<(Vec<IncomeEntry>, String)> {
    let h = super::households::find_for_write(tx, scope, household_number).await?;
    Ok((rows_of(tx, &h.county_code, h.id).await?, h.village_code))
}

/// Writes the record from `source` dated `as_of` (`None`: today) as the one that counts (see [`upsert`]).
async fn write(
    tx: &DatabaseTransaction,
    actor: &Actor,
    h: &households::Model,
    record: &IncomeRecord,
    source: IncomeSource,
    as_of: Option<NaiveDate>,
    expected_version: Option<i64>,
) -> Result<i64> {
    let before = income_records::Entity::find()
        .filter(income_records::Column::CountyCode.eq(h.county_code.as_str()))
        .filter(income_records::Column::HouseholdId.eq(h.id))
        .filter(income_records::Column::Year.eq(record.year))
        .one(tx)
        .await?;
    if let Some(b) = &before
        && !source.replaces(source_of(b))
    {
        let kept = source_of(b);
        return Err(StoreError::conflict(
            format!(
                "户 {} 的 {} 年收入已有{}记录，{}不覆盖经核实的记录",
                h.number,
                record.year,
                kept.label_zh(),
                source.label_zh()
            ),
            format!(
                "Household {} has a verified income record of {} ({}); an import does not replace it",
                h.number,
                record.year,
                kept.label_en()
            ),
        ));
    }
    let after = match (&before, expected_version) {
        (None, None) => insert_row(tx, h, record, source, as_of, Utc::now()).await?,
        (Some(b), Some(v)) if b.version == v => {
            let am = active(h, b.id, record, source, as_of, v + 1, b.created_at);
            let res = income_records::Entity::update_many()
                .set(am)
                .filter(income_records::Column::CountyCode.eq(h.county_code.as_str()))
                .filter(income_records::Column::Id.eq(b.id))
                .filter(income_records::Column::Version.eq(v))
                .exec(tx)
                .await?;
            if res.rows_affected != 1 {
                return Err(StoreError::StaleVersion {
                    expected: v,
                    found: version_now(tx, &h.county_code, b.id).await?,
                });
            }
            income_records::Entity::find_by_id((h.county_code.clone(), b.id))
                .one(tx)
                .await?
                .ok_or(StoreError::NotFound)?
        }
        (Some(b), v) => {
            return Err(StoreError::StaleVersion {
                expected: v.unwrap_or(0),
                found: b.version,
            });
        }
        (None, Some(v)) => {
            return Err(StoreError::StaleVersion {
                expected: v,
                found: 0,
            });
        }
    };
    audit::append(
        tx,
        actor,
        Change {
            action: if before.is_some() { "update" } else { "create" },
            entity: "income_record",
            entity_id: format!("{}/{}", h.number, record.year),
            county_code: Some(h.county_code.clone()),
            village_code: Some(h.village_code.clone()),
            before: before.as_ref().map(to_json).transpose()?,
            after: Some(to_json(&after)?),
        },
    )
    .await?;
    // 其他来源: the figures replaced, when another source's, no longer count but are kept; this source's
    // figures kept before are the record now.
    let home = home_of(h);
    if let Some(b) = &before
        && source_of(b) != source
    {
        others::keep(
            tx,
            actor,
            home,
            &to_record(b),
            source_of(b),
            as_of_of(b),
            record,
        )
        .await?;
    }
    others::drop_source(tx, actor, home, record.year, source).await?;
    Ok(after.version)
}

/// A household as [`others`] writes for it.
pub(crate) fn home_of(h: &households::Model) -> others::Home<'_> {
    others::Home {
        county: &h.county_code,
        household_id: h.id,
        number: &h.number,
        village: &h.village_code,
    }
}

/// Deletes the household's record of `year` (version-checked).
pub async fn delete(
    db: &Db,
    actor: &Actor,
    scope: &Scope,
    household_number: &str,
    year: i32,
    expected_version: i64,
) -> Result<()> {
    let tx = db.begin_write().await?;
    let h = super::households::find_for_write(&tx, scope, household_number).await?;
    let before = income_records::Entity::find()
        .filter(income_records::Column::CountyCode.eq(h.county_code.as_str()))
        .filter(income_records::Column::HouseholdId.eq(h.id))
        .filter(income_records::Column::Year.eq(year))
        .one(&tx)
        .await?
        .ok_or(StoreError::NotFound)?;
    let res = income_records::Entity::delete_many()
        .filter(income_records::Column::CountyCode.eq(h.county_code.as_str()))
        .filter(income_records::Column::Id.eq(before.id))
        .filter(income_records::Column::Version.eq(expected_version))
        .exec(&tx)
        .await?;
    if res.rows_affected != 1 {
        return Err(StoreError::StaleVersion {
            expected: expected_version,
            found: version_now(&tx, &h.county_code, before.id).await?,
        });
    }
    // The other sources' figures of the year go with it (kept in the audit row).
    let others = others::drop_year(&tx, &h.county_code, h.id, year).await?;
    let mut before = to_json(&before)?;
    if !others.is_empty() {
        before = serde_json::json!({ "income_record": before, "other_sources": to_json(&others)? });
    }
    audit::append(
        &tx,
        actor,
        Change {
            action: "delete",
            entity: "income_record",
            entity_id: format!("{}/{}", h.number, year),
            county_code: Some(h.county_code.clone()),
            village_code: Some(h.village_code.clone()),
            before: Some(before),
            after: None,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// One household's records of an [`of_area`] read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AreaIncomes {
    /// 户编号.
    pub household: String,
    /// 村 code.
    pub village: String,
    /// The records of the years asked for, oldest first.
    pub records: Vec<IncomeRecord>,
}

/// The records of the years `from..=to` of every household in the scope's area (`region`: a township
/// or village inside it), by 户编号 — one query, for a review of a whole area.
pub async fn of_area(
    db: &Db,
    scope: &Scope,
    region: Option<&str>,
    from: i32,
    to: i32,
) -> Result<Vec<AreaIncomes>> {
    use sea_orm::ConnectionTrait;
    let Some(area) = super::area::effective_area(scope, region) else {
        return Ok(Vec::new());
    };
    let mut sql = super::Sql::new();
    sql.push(
        "SELECT h.number, r.village_code, r.year, r.wage, r.business, r.property, r.transfer, \
         r.production_cost, r.rigid_medical, r.rigid_education, r.rigid_disability, r.rigid_disaster, \
         r.insurance_payout, r.members FROM income_records r JOIN households h \
         ON h.county_code = r.county_code AND h.id = r.household_id WHERE r.year >= ",
    )
    .bind(from)
    .push(" AND r.year <= ")
    .bind(to);
    sql.push_area("r", &area);
    sql.push(" ORDER BY h.number, r.year");
    let rows = db.conn().query_all_raw(sql.build(db.backend())).await?;
    let mut out: Vec<AreaIncomes> = Vec::new();
    for r in &rows {
        let fen = |c: &str| -> Result<Fen> { Ok(Fen(r.try_get::<i64>("", c)?)) };
        let record = IncomeRecord {
            year: r.try_get("", "year")?,
            wage: fen("wage")?,
            business: fen("business")?,
            property: fen("property")?,
            transfer: fen("transfer")?,
            production_cost: fen("production_cost")?,
            rigid_medical: fen("rigid_medical")?,
            rigid_education: fen("rigid_education")?,
            rigid_disability: fen("rigid_disability")?,
            rigid_disaster: fen("rigid_disaster")?,
            insurance_payout: fen("insurance_payout")?,
            members: u32::try_from(r.try_get::<i32>("", "members")?).unwrap_or(0),
        };
        let number: String = r.try_get("", "number")?;
        match out.last_mut() {
            Some(last) if last.household == number => last.records.push(record),
            _ => out.push(AreaIncomes {
                household: number,
                village: r.try_get("", "village_code")?,
                records: vec![record],
            }),
        }
    }
    Ok(out)
}
