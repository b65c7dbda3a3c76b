//! 其他来源收支（不计入）: the figures of a household's year from another source than the record that counts
//! (issue 17: "where two sources disagree for one year, the page shows both and which one counts (the
//! latest verified one)").
//!
//! `income_records` holds the record that counts. When a write replaces it with a record of another
//! source (a 入户核查 over the import's figures), the figures replaced are kept here; when a write does not
//! count (an import row over a verified record), its figures are kept here. One row per household, year
//! and source: a later write of that source replaces its figures; a record of that source that comes to
//! count removes its row (its figures are the record now). Figures identical to the record that counts
//! are not added (nothing to show); a row left identical after the record changed is kept and hidden by
//! the readers. Every row created, changed or removed gets an audit row, entity `income_other_source`,
//! id `户编号/年度/来源` (the `IncomeSource` code).

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait,
    IntoActiveModel, QueryFilter, QueryOrder, Set,
};
use serde::Serialize;
use shouwang_core::codes::CodeList;
use shouwang_core::income::IncomeSource;
use shouwang_core::{Fen, IncomeRecord};

use super::super::audit::{self, Change};
use super::super::households::HouseholdDetail;
use super::super::{Actor, to_json};
use crate::db::Db;
use crate::entity::income_other_sources;
use crate::error::{Result, StoreError};
use crate::ids::new_id;

/// Audit entity of a row.
pub(crate) const ENTITY: &str = "income_other_source";

/// One source's figures of a year that do not count (不计入).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct OtherSource {
    /// The figures (amounts in 分).
    pub record: IncomeRecord,
    /// 数据来源.
    pub source: IncomeSource,
    /// 数据日期: the day the figures were established.
    pub as_of: NaiveDate,
    /// When they were last written.
    pub updated_at: DateTime<Utc>,
}

/// The household a write is for: its tenant key, 户编号 and village (for the audit rows).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Home<'a> {
    pub county: &'a str,
    pub household_id: i64,
    pub number: &'a str,
    pub village: &'a str,
}

fn to_other(m: &income_other_sources::Model) -> OtherSource {
    OtherSource {
        record: IncomeRecord {
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
        },
        source: IncomeSource::from_code(&m.source).unwrap_or(IncomeSource::Import),
        as_of: NaiveDate::parse_from_str(&m.as_of, "%Y-%m-%d")
            .unwrap_or_else(|_| super::beijing_date(m.updated_at)),
        updated_at: m.updated_at,
    }
}

/// The stored figures are exactly `r`'s.
fn same(m: &income_other_sources::Model, r: &IncomeRecord) -> bool {
    to_other(m).record == *r
}

fn set_figures(am: &mut income_other_sources::ActiveModel, r: &IncomeRecord) {
    am.wage = Set(r.wage.0);
    am.business = Set(r.business.0);
    am.property = Set(r.property.0);
    am.transfer = Set(r.transfer.0);
    am.production_cost = Set(r.production_cost.0);
    am.rigid_medical = Set(r.rigid_medical.0);
    am.rigid_education = Set(r.rigid_education.0);
    am.rigid_disability = Set(r.rigid_disability.0);
    am.rigid_disaster = Set(r.rigid_disaster.0);
    am.insurance_payout = Set(r.insurance_payout.0);
    am.members = Set(i32::try_from(r.members).unwrap_or(i32::MAX));
}

fn entity_id(home: Home<'_>, year: i32, source: IncomeSource) -> String {
    format!("{}/{year}/{}", home.number, source.code())
}

async fn find(
    conn: &impl ConnectionTrait,
    home: Home<'_>,
    year: i32,
    source: IncomeSource,
) -> Result<Option<income_other_sources::Model>> {
    Ok(income_other_sources::Entity::find()
        .filter(income_other_sources::Column::CountyCode.eq(home.county))
        .filter(income_other_sources::Column::HouseholdId.eq(home.household_id))
        .filter(income_other_sources::Column::Year.eq(year))
        .filter(income_other_sources::Column::Source.eq(source.code()))
        .one(conn)
        .await?)
}

/// Keeps `record` from `source`, dated `as_of`, as that source's figures of its year that do not count,
/// while `counting` is the year's record that counts: replaces the source's figures kept before (when
/// they differ and are not of a later date), or adds them (unless they are `counting`'s). Returns
/// whether a row was written.
pub(crate) async fn keep(
    tx: &DatabaseTransaction,
    actor: &Actor,
    home: Home<'_>,
    record: &IncomeRecord,
    source: IncomeSource,
    as_of: NaiveDate,
    counting: &IncomeRecord,
) -> Result<bool> {
    let now = Utc::now();
    let before = find(tx, home, record.year, source).await?;
    let after = match &before {
        Some(b) if same(b, record) => return Ok(false),
        // The source's figures kept are of a later date: they stay the latest.
        Some(b) if to_other(b).as_of > as_of => return Ok(false),
        Some(b) => {
            let mut am = b.clone().into_active_model();
            set_figures(&mut am, record);
            am.as_of = Set(as_of.to_string());
            am.updated_at = Set(now);
            am.update(tx).await?
        }
        None if record == counting => return Ok(false),
        None => {
            let mut am = income_other_sources::ActiveModel {
                county_code: Set(home.county.to_owned()),
                id: Set(new_id()),
                household_id: Set(home.household_id),
                year: Set(record.year),
                source: Set(source.code().to_owned()),
                as_of: Set(as_of.to_string()),
                created_at: Set(now),
                updated_at: Set(now),
                ..Default::default()
            };
            set_figures(&mut am, record);
            am.insert(tx).await.map_err(|e| {
                StoreError::from_write(
                    e,
                    &format!(
                        "户 {} 的 {} 年{}收支数据",
                        home.number,
                        record.year,
                        source.label_zh()
                    ),
                    &format!(
                        "Income {} of household {} from {}",
                        record.year,
                        home.number,
                        source.label_en()
                    ),
                )
            })?
        }
    };
    audit::append(
        tx,
        actor,
        Change {
            action: if before.is_some() { "update" } else { "create" },
            entity: ENTITY,
            entity_id: entity_id(home, record.year, source),
            county_code: Some(home.county.to_owned()),
            village_code: Some(home.village.to_owned()),
            before: before.as_ref().map(to_json).transpose()?,
            after: Some(to_json(&after)?),
        },
    )
    .await?;
    Ok(true)
}

/// Removes `source`'s figures of `year`, if kept (a record of that source counts now). Audited.
pub(crate) async fn drop_source(
    tx: &DatabaseTransaction,
    actor: &Actor,
    home: Home<'_>,
    year: i32,
    source: IncomeSource,
) -> Result<()> {
    let Some(before) = find(tx, home, year, source).await? else {
        return Ok(());
    };
    income_other_sources::Entity::delete_by_id((before.county_code.clone(), before.id))
        .exec(tx)
        .await?;
    audit::append(
        tx,
        actor,
        Change {
            action: "delete",
            entity: ENTITY,
            entity_id: entity_id(home, year, source),
            county_code: Some(home.county.to_owned()),
            village_code: Some(home.village.to_owned()),
            before: Some(to_json(&before)?),
            after: None,
        },
    )
    .await
}

/// Removes every source's figures of `year` (the year's record is deleted); returns the rows removed
/// (for the caller's audit row).
pub(crate) async fn drop_year(
    tx: &DatabaseTransaction,
    county: &str,
    household_id: i64,
    year: i32,
) -> Result<Vec<income_other_sources::Model>> {
    let rows = income_other_sources::Entity::find()
        .filter(income_other_sources::Column::CountyCode.eq(county))
        .filter(income_other_sources::Column::HouseholdId.eq(household_id))
        .filter(income_other_sources::Column::Year.eq(year))
        .all(tx)
        .await?;
    if !rows.is_empty() {
        income_other_sources::Entity::delete_many()
            .filter(income_other_sources::Column::CountyCode.eq(county))
            .filter(income_other_sources::Column::HouseholdId.eq(household_id))
            .filter(income_other_sources::Column::Year.eq(year))
            .exec(tx)
            .await?;
    }
    Ok(rows)
}

/// The kept figures of a household, by year, then source.
pub(crate) async fn rows_of(
    conn: &impl ConnectionTrait,
    county: &str,
    household_id: i64,
) -> Result<Vec<income_other_sources::Model>> {
    Ok(income_other_sources::Entity::find()
        .filter(income_other_sources::Column::CountyCode.eq(county))
        .filter(income_other_sources::Column::HouseholdId.eq(household_id))
        .order_by_asc(income_other_sources::Column::Year)
        .order_by_asc(income_other_sources::Column::Source)
        .all(conn)
        .await?)
}

/// The other sources' figures of a household read in the caller's area (`households::get`), by year,
/// then source — also those identical to the record that counts (the reader hides them).
pub async fn of_household(db: &Db, household: &HouseholdDetail) -> Result<Vec<OtherSource>> {
    Ok(rows_of(db.conn(), &household.county_code, household.id)
        .await?
        .iter()
        .map(to_other)
        .collect())
}
