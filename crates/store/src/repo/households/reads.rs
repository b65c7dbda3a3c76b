//! Reads: one household with its members, income records and region names (农户详情).

use std::collections::HashMap;

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use shouwang_core::Scope;

use super::HouseholdDetail;
use super::departures::{former_rows_of, to_former};
use super::rows::{open_household, open_members, to_household};
use crate::crypto::Keys;
use crate::db::Db;
use crate::entity::{households, members, regions};
use crate::error::Result;
use crate::repo::area::{Area, effective_area};
use crate::repo::{Sql, income};

/// The household row with this 户编号 inside `area`.
pub(super) async fn find_in_area(
    conn: &impl ConnectionTrait,
    area: &Area,
    number: &str,
) -> Result<Option<households::Model>> {
    let mut sql = Sql::new();
    sql.push("SELECT h.* FROM households h WHERE h.number = ")
        .bind(number.trim());
    sql.push_household_area(area);
    sql.push(" ORDER BY h.county_code LIMIT 1");
    let stmt = sql.build(conn.get_database_backend());
    Ok(households::Entity::find()
        .from_raw_sql(stmt)
        .one(conn)
        .await?)
}

/// The members of a household in their order, their sealed columns opened.
pub(crate) async fn members_of(
    conn: &impl ConnectionTrait,
    keys: &Keys,
    h: &households::Model,
) -> Result<Vec<members::Model>> {
    let rows = members::Entity::find()
        .filter(members::Column::CountyCode.eq(h.county_code.as_str()))
        .filter(members::Column::HouseholdId.eq(h.id))
        .order_by_asc(members::Column::Position)
        .order_by_asc(members::Column::Id)
        .all(conn)
        .await?;
    open_members(keys, rows)
}

/// The household with this 户编号, with members, income records and region names; `Ok(None)` if there is
/// none in the scope's area (also when it exists elsewhere).
pub async fn get(db: &Db, scope: &Scope, number: &str) -> Result<Option<HouseholdDetail>> {
    let Some(area) = effective_area(scope, None) else {
        return Ok(None);
    };
    let Some(h) = find_in_area(db.conn(), &area, number).await? else {
        return Ok(None);
    };
    detail(db.conn(), db.keys(), h).await.map(Some)
}

async fn detail(
    conn: &impl ConnectionTrait,
    keys: &Keys,
    h: households::Model,
) -> Result<HouseholdDetail> {
    let h = open_household(keys, h)?;
    let ms = members_of(conn, keys, &h).await?;
    let incomes = income::rows_of(conn, &h.county_code, h.id).await?;
    let county_code = h.county_code.clone();
    let township_code = h.township_code.clone();
    let mut codes = vec![
        format!("{county_code}000000"),
        format!("{township_code}000"),
        h.village_code.clone(),
    ];
    if let Some(nv) = &h.natural_village {
        codes.push(nv.clone());
    }
    let names = region_names(conn, codes.clone()).await?;
    let household = to_household(&h, &ms)?;
    let former_members = former_rows_of(conn, keys, &h)
        .await?
        .iter()
        .map(to_former)
        .collect::<Result<Vec<_>>>()?;
    Ok(HouseholdDetail {
        id: h.id,
        version: h.version,
        household,
        member_versions: ms.iter().map(|m| m.version).collect(),
        member_ids: ms.iter().map(|m| m.id).collect(),
        former_members,
        incomes,
        county_name: names.get(&codes[0]).cloned(),
        township_name: names.get(&codes[1]).cloned(),
        village_name: names.get(&codes[2]).cloned(),
        natural_village_name: codes.get(3).and_then(|c| names.get(c)).cloned(),
        county_code,
        township_code,
        created_at: h.created_at,
        updated_at: h.updated_at,
    })
}

pub(crate) async fn region_names(
    conn: &impl ConnectionTrait,
    codes: Vec<String>,
) -> Result<HashMap<String, String>> {
    if codes.is_empty() {
        return Ok(HashMap::new());
    }
    Ok(regions::Entity::find()
        .filter(regions::Column::Code.is_in(codes))
        .all(conn)
        .await?
        .into_iter()
        .map(|r| (r.code, r.name))
        .collect())
}
