//! Regions (行政区划): the county → township → village / settlement → natural village tree. Reference data,
//! readable by every signed-in user; written by the county admin or a demo load.

use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set};
use shouwang_core::codes::RegionLevel;
use shouwang_core::{CodeList, Region, RegionCode};

use super::Actor;
use super::audit::{self, Change};
use crate::db::Db;
use crate::entity::regions;
use crate::error::{Result, StoreError};

pub(crate) fn to_region(m: regions::Model) -> Result<Region> {
    Ok(Region {
        code: RegionCode::parse(&m.code).map_err(|_| StoreError::corrupt(&m.code))?,
        name: m.name,
        level: RegionLevel::from_code(&m.level).ok_or_else(|| StoreError::corrupt(&m.level))?,
        parent: m
            .parent_code
            .map(|p| RegionCode::parse(&p).map_err(|_| StoreError::corrupt(&p)))
            .transpose()?,
    })
}

fn parse(code: &str) -> Result<RegionCode> {
    RegionCode::parse(code).map_err(|e| {
        StoreError::invalid(
            format!("区划代码“{code}”有误：{}", e.message_zh()),
            format!("Region code {code:?}: {e}"),
        )
    })
}

/// The divisions directly under `parent` (`None`: the top level, i.e. counties), by code.
/// `parent` may be a prefix (`141123`) or a padded code (`141123000000`).
pub async fn list_children(db: &Db, parent: Option<&str>) -> Result<Vec<Region>> {
    let q = regions::Entity::find();
    let q = match parent {
        None => q.filter(regions::Column::ParentCode.is_null()),
        Some(p) => q.filter(regions::Column::ParentCode.eq(parse(p)?.as_str())),
    };
    q.order_by_asc(regions::Column::Code)
        .all(db.conn())
        .await?
        .into_iter()
        .map(to_region)
        .collect()
}

/// One division by code (prefix or padded code); `None` if unknown or the code is malformed.
pub async fn get(db: &Db, code: &str) -> Result<Option<Region>> {
    let Ok(code) = RegionCode::parse(code) else {
        return Ok(None);
    };
    regions::Entity::find_by_id(code.as_str())
        .one(db.conn())
        .await?
        .map(to_region)
        .transpose()
}

/// Every division whose code starts with `prefix` (e.g. a county's whole tree), by code. Served from the
/// `Db`'s cache when read less than 30 s ago (writes through the same `Db` clear it).
pub async fn list_under(db: &Db, prefix: &str) -> Result<Vec<Region>> {
    let prefix = prefix.trim();
    if prefix.is_empty() {
        return Ok(Vec::new());
    }
    if let Some(cached) = db.cached_regions(prefix) {
        return Ok(cached.as_ref().clone());
    }
    let list: Vec<Region> = regions::Entity::find()
        .filter(super::prefix_condition(regions::Column::Code, prefix))
        .order_by_asc(regions::Column::Code)
        .all(db.conn())
        .await?
        .into_iter()
        .map(to_region)
        .collect::<Result<_>>()?;
    db.cache_regions(prefix, std::sync::Arc::new(list.clone()));
    Ok(list)
}

/// Inserts or renames divisions (parents must come before their children, or exist already), in one
/// transaction, one audit row per division inserted or changed. Returns how many rows changed.
pub async fn upsert_many(db: &Db, actor: &Actor, regions_in: &[Region]) -> Result<u64> {
    let tx = db.begin_write().await?;
    let mut changed = 0;
    let mut counties = std::collections::BTreeSet::new();
    for r in regions_in {
        let name = r.name.trim();
        if name.is_empty() {
            return Err(StoreError::invalid(
                format!("区划 {} 的名称不能为空", r.code),
                format!("Region {} has no name", r.code),
            ));
        }
        let code = r.code.as_str().to_owned();
        let model = regions::ActiveModel {
            code: Set(code.clone()),
            county_code: Set(r.code.county().to_owned()),
            name: Set(name.to_owned()),
            level: Set(r.level.code().to_owned()),
            parent_code: Set(r.parent.as_ref().map(|p| p.as_str().to_owned())),
        };
        let before = regions::Entity::find_by_id(code.clone()).one(&tx).await?;
        let after = match &before {
            Some(b)
                if b.name == name
                    && b.level == r.level.code()
                    && b.parent_code.as_deref() == r.parent.as_ref().map(|p| p.as_str()) =>
            {
                continue;
            }
            Some(_) => model.update(&tx).await,
            None => model.insert(&tx).await,
        }
        .map_err(|e| {
            StoreError::from_write(e, &format!("区划 {code}"), &format!("Region {code}"))
        })?;
        audit::append(
            &tx,
            actor,
            Change {
                action: if before.is_some() { "update" } else { "create" },
                entity: "region",
                entity_id: code.clone(),
                county_code: Some(after.county_code.clone()),
                village_code: None,
                before: before
                    .map(serde_json::to_value)
                    .transpose()
                    .map_err(|e| StoreError::internal(format!("cannot serialise a region: {e}")))?,
                after: Some(serde_json::to_value(&after).map_err(|e| {
                    StoreError::internal(format!("cannot serialise a region: {e}"))
                })?),
            },
        )
        .await?;
        changed += 1;
        counties.insert(after.county_code);
    }
    // The rules' defaults name the county (a region): the constants' version moves with the regions.
    for county in &counties {
        crate::constants::bump(&tx, county).await?;
    }
    tx.commit().await?;
    db.forget_regions();
    Ok(changed)
}
