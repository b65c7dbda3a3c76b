//! Member changes 成员变更: add, change and remove one member of a household.

use chrono::Utc;
use sea_orm::{ActiveModelTrait, ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter, Set};
use shouwang_core::{IdNumber, Member, Scope};

use super::checks::{check_member, valid_of};
use super::reads::members_of;
use super::rows::member_model;
use super::writes::{
    bump_household, check_ids_free, find_for_write, member_version_now, refresh_head, stale,
};
use crate::db::Db;
use crate::entity::{households, members};
use crate::error::{Result, StoreError};
use crate::repo::audit::{self, Change};
use crate::repo::{Actor, to_json};

/// Adds a member to a household (at the end). Checks and bumps the household's version (its size
/// changes). `Conflict` if the ID number is already registered in the county. Returns the household's new
/// version.
pub async fn add_member(
    db: &Db,
    actor: &Actor,
    scope: &Scope,
    number: &str,
    member: &Member,
    expected_household_version: i64,
) -> Result<i64> {
    check_member(member)?;
    let tx = db.begin_write().await?;
    let h = find_for_write(&tx, scope, number).await?;
    let version = bump_household(&tx, &h, expected_household_version).await?;
    check_ids_free(&tx, &h.county_code, vec![member.id_number.to_string()]).await?;
    let existing = members_of(&tx, &h).await?;
    let position = existing.iter().map(|m| m.position + 1).max().unwrap_or(0);
    let v = valid_of(&h);
    let m = member_model(&v, h.id, position, member, Utc::now())
        .insert(&tx)
        .await
        .map_err(|e| {
            StoreError::from_write(
                e,
                &format!("身份证号 {} 的成员", member.id_number),
                &format!("Member {}", member.id_number),
            )
        })?;
    refresh_head(&tx, &h).await?;
    audit::append(
        &tx,
        actor,
        Change {
            action: "create",
            entity: "member",
            entity_id: m.id_number.clone(),
            county_code: Some(h.county_code.clone()),
            village_code: Some(h.village_code.clone()),
            before: None,
            after: Some(serde_json::json!({ "household": h.number, "member": to_json(&m)? })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(version)
}

async fn find_member(
    tx: &DatabaseTransaction,
    h: &households::Model,
    id: IdNumber,
) -> Result<members::Model> {
    members::Entity::find()
        .filter(members::Column::CountyCode.eq(h.county_code.as_str()))
        .filter(members::Column::HouseholdId.eq(h.id))
        .filter(members::Column::IdNumber.eq(id.to_string()))
        .one(tx)
        .await?
        .ok_or(StoreError::NotFound)
}

/// Changes a member's fields (the member is the one with `member.id_number` in the household; the ID
/// number itself is changed by removing and adding). Checks and bumps the member's version; returns it.
pub async fn update_member(
    db: &Db,
    actor: &Actor,
    scope: &Scope,
    number: &str,
    member: &Member,
    expected_version: i64,
) -> Result<i64> {
    check_member(member)?;
    let tx = db.begin_write().await?;
    let h = find_for_write(&tx, scope, number).await?;
    let before = find_member(&tx, &h, member.id_number).await?;
    let mut am = member_model(
        &valid_of(&h),
        h.id,
        before.position,
        member,
        before.created_at,
    );
    am.id = Set(before.id);
    am.version = Set(expected_version + 1);
    am.updated_at = Set(Utc::now());
    let res = members::Entity::update_many()
        .set(am)
        .filter(members::Column::CountyCode.eq(h.county_code.as_str()))
        .filter(members::Column::Id.eq(before.id))
        .filter(members::Column::Version.eq(expected_version))
        .exec(&tx)
        .await?;
    if res.rows_affected != 1 {
        return Err(stale(
            expected_version,
            member_version_now(&tx, &h.county_code, before.id).await?,
        ));
    }
    refresh_head(&tx, &h).await?;
    let after = members::Entity::find_by_id((h.county_code.clone(), before.id))
        .one(&tx)
        .await?
        .ok_or(StoreError::NotFound)?;
    audit::append(
        &tx,
        actor,
        Change {
            action: "update",
            entity: "member",
            entity_id: after.id_number.clone(),
            county_code: Some(h.county_code.clone()),
            village_code: Some(h.village_code.clone()),
            before: Some(to_json(&before)?),
            after: Some(to_json(&after)?),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(after.version)
}

/// Removes a member from a household (not the last one: delete the household instead). Checks and bumps
/// the household's version; returns it.
pub async fn remove_member(
    db: &Db,
    actor: &Actor,
    scope: &Scope,
    number: &str,
    id_number: IdNumber,
    expected_household_version: i64,
) -> Result<i64> {
    let tx = db.begin_write().await?;
    let h = find_for_write(&tx, scope, number).await?;
    let version = bump_household(&tx, &h, expected_household_version).await?;
    let before = find_member(&tx, &h, id_number).await?;
    if members_of(&tx, &h).await?.len() <= 1 {
        return Err(StoreError::invalid(
            "不能删除该户最后一名成员，请改为删除该户",
            "Cannot remove the last member; delete the household instead",
        ));
    }
    members::Entity::delete_by_id((h.county_code.clone(), before.id))
        .exec(&tx)
        .await?;
    refresh_head(&tx, &h).await?;
    audit::append(
        &tx,
        actor,
        Change {
            action: "delete",
            entity: "member",
            entity_id: before.id_number.clone(),
            county_code: Some(h.county_code.clone()),
            village_code: Some(h.village_code.clone()),
            before: Some(serde_json::json!({ "household": h.number, "member": to_json(&before)? })),
            after: None,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(version)
}
