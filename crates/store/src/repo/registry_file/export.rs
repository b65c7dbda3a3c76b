//! Export 农户信息台账导出: the households of an area with their members, region names and income records.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use shouwang_core::codes::Relation;
use shouwang_core::registry::RegionNames;
use shouwang_core::{Household, IncomeRecord, Scope};

use super::IN_CHUNK;
use crate::db::Db;
use crate::entity::{households, income_records, members, regions};
use crate::error::Result;
use crate::repo::Sql;
use crate::repo::area::read_area;
use crate::repo::households::{open_household, open_member, to_household};
use crate::repo::income::to_record;

/// What [`export_with_incomes`] calls for each household: the household, its region names, its income
/// records by year.
pub type EachWithIncomes<'a> =
    dyn FnMut(&Household, &RegionNames, &[IncomeRecord]) -> Result<()> + Send + 'a;

/// Every household of an area with its members and region names, in 户编号 order. `scope`: the reading
/// user's (`None`: everything, for the command line); `area`: a further region filter (county, township,
/// village or natural-village code). `each` is called once per household. Returns the number of
/// households.
pub async fn export(
    db: &Db,
    scope: Option<&Scope>,
    area: Option<&str>,
    each: &mut (dyn FnMut(&Household, &RegionNames) -> Result<()> + Send),
) -> Result<u64> {
    read(db, scope, area, false, &mut |h, names, _| each(h, names)).await
}

/// [`export`] with each household's income records (收支情况, by year): the registry export.
pub async fn export_with_incomes(
    db: &Db,
    scope: Option<&Scope>,
    area: Option<&str>,
    each: &mut EachWithIncomes<'_>,
) -> Result<u64> {
    read(db, scope, area, true, each).await
}

async fn read(
    db: &Db,
    scope: Option<&Scope>,
    area: Option<&str>,
    with_incomes: bool,
    each: &mut EachWithIncomes<'_>,
) -> Result<u64> {
    let Some(area) = read_area(scope, area)? else {
        return Ok(0);
    };
    let backend = db.backend();
    let mut sql = Sql::new();
    sql.push("SELECT h.* FROM households h WHERE 1=1");
    if let Some(a) = &area {
        sql.push_household_area(a);
    }
    sql.push(" ORDER BY h.number, h.county_code");
    let hs: Vec<households::Model> = households::Entity::find()
        .from_raw_sql(sql.build(backend))
        .all(db.conn())
        .await?
        .into_iter()
        .map(|h| open_household(db.keys(), h))
        .collect::<Result<_>>()?;
    // Region names of the counties concerned.
    let counties: BTreeSet<String> = hs.iter().map(|h| h.county_code.clone()).collect();
    let mut names: HashMap<String, String> = HashMap::new();
    for c in &counties {
        for r in regions::Entity::find()
            .filter(regions::Column::CountyCode.eq(c.as_str()))
            .all(db.conn())
            .await?
        {
            names.insert(r.code, r.name);
        }
    }
    let name = |code: &str| names.get(code).cloned().unwrap_or_default();
    let mut n = 0u64;
    for chunk in hs.chunks(IN_CHUNK) {
        let mut by_county: BTreeMap<&str, Vec<i64>> = BTreeMap::new();
        for h in chunk {
            by_county.entry(&h.county_code).or_default().push(h.id);
        }
        let mut ms: HashMap<(String, i64), Vec<members::Model>> = HashMap::new();
        let mut incomes: HashMap<(String, i64), Vec<IncomeRecord>> = HashMap::new();
        for (county, ids) in by_county {
            for m in members::Entity::find()
                .filter(members::Column::CountyCode.eq(county))
                .filter(members::Column::HouseholdId.is_in(ids.clone()))
                .order_by_asc(members::Column::Position)
                .order_by_asc(members::Column::Id)
                .all(db.conn())
                .await?
            {
                ms.entry((m.county_code.clone(), m.household_id))
                    .or_default()
                    .push(open_member(db.keys(), m)?);
            }
            if !with_incomes {
                continue;
            }
            for r in income_records::Entity::find()
                .filter(income_records::Column::CountyCode.eq(county))
                .filter(income_records::Column::HouseholdId.is_in(ids))
                .order_by_asc(income_records::Column::Year)
                .all(db.conn())
                .await?
            {
                incomes
                    .entry((r.county_code.clone(), r.household_id))
                    .or_default()
                    .push(to_record(&r));
            }
        }
        for h in chunk {
            let members = ms
                .get(&(h.county_code.clone(), h.id))
                .map_or(&[][..], Vec::as_slice);
            let household = to_household(h, members)?;
            let region_names = RegionNames {
                county: name(&format!("{}000000", h.county_code)),
                township: name(&format!("{}000", h.township_code)),
                village: name(&h.village_code),
                natural_village: h.natural_village.as_deref().map(name).unwrap_or_default(),
            };
            let records = incomes
                .get(&(h.county_code.clone(), h.id))
                .map_or(&[][..], Vec::as_slice);
            each(&household, &region_names, records)?;
            n += 1;
        }
    }
    Ok(n)
}

/// The head's name of a household (for reports).
pub fn head_name(h: &Household) -> &str {
    h.members
        .iter()
        .find(|m| m.relation == Relation::Head)
        .or(h.members.first())
        .map_or("", |m| m.name.as_str())
}
