//! Member changes 成员变更: add, change and remove one member of a household.

use chrono::{NaiveDate, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter, Set};
use shouwang_core::codes::Relation;
use shouwang_core::household::changes::JoinReason;
use shouwang_core::{CodeList, IdNumber, Member, Scope};

use super::checks::{check_member, check_members_after, valid_of};
use super::reads::members_of;
use super::rows::{id_keys, member_model, open_member, to_member};
use super::writes::{
    bump_household, check_ids_free, find_for_write, member_version_now, refresh_head, stale,
};
use crate::crypto::Keys;
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
    add(
        db,
        actor,
        scope,
        number,
        member,
        expected_household_version,
        None,
    )
    .await
}

/// [`add_member`] for a reason (成员增加: 出生, 婚入, 迁入 …) on a date, both written into the audit row.
#[allow(clippy::too_many_arguments)]
pub async fn add_member_joined(
    db: &Db,
    actor: &Actor,
    scope: &Scope,
    number: &str,
    member: &Member,
    reason: JoinReason,
    on: NaiveDate,
    expected_household_version: i64,
) -> Result<i64> {
    let note = serde_json::json!({ "reason": reason.code(), "on": on.to_string() });
    add(
        db,
        actor,
        scope,
        number,
        member,
        expected_household_version,
        Some(note),
    )
    .await
}

async fn add(
    db: &Db,
    actor: &Actor,
    scope: &Scope,
    number: &str,
    member: &Member,
    expected_household_version: i64,
    note: Option<serde_json::Value>,
) -> Result<i64> {
    check_member(member)?;
    let tx = db.begin_write().await?;
    let h = find_for_write(&tx, scope, number).await?;
    let version = bump_household(&tx, &h, expected_household_version).await?;
    check_ids_free(&tx, db.keys(), &h.county_code, &[member.id_number]).await?;
    let existing = members_of(&tx, db.keys(), &h).await?;
    let mut after = existing.iter().map(to_member).collect::<Result<Vec<_>>>()?;
    after.push(member.clone());
    check_members_after(&after)?;
    let position = existing.iter().map(|m| m.position + 1).max().unwrap_or(0);
    let v = valid_of(&h);
    let m = member_model(db.keys(), &v, h.id, position, member, Utc::now())?
        .insert(&tx)
        .await
        .map_err(|e| {
            StoreError::from_write(
                e,
                &format!("身份证号 {} 的成员", member.id_number),
                &format!("Member {}", member.id_number),
            )
        })?;
    refresh_head(&tx, db.keys(), &h).await?;
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
            after: Some(with_note(
                serde_json::json!({ "household": h.number, "member": to_json(&m)? }),
                note,
            )),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(version)
}

/// `value` with the fields of `note` (the reason and date of a change) added.
fn with_note(mut value: serde_json::Value, note: Option<serde_json::Value>) -> serde_json::Value {
    if let (Some(obj), Some(serde_json::Value::Object(extra))) = (value.as_object_mut(), note) {
        obj.extend(extra);
    }
    value
}

/// The member of household `h` with ID number `id` (by its blind index under any key version), opened.
pub(super) async fn find_member(
    tx: &DatabaseTransaction,
    keys: &Keys,
    h: &households::Model,
    id: IdNumber,
) -> Result<members::Model> {
    let m = members::Entity::find()
        .filter(members::Column::CountyCode.eq(h.county_code.as_str()))
        .filter(members::Column::HouseholdId.eq(h.id))
        .filter(members::Column::IdKey.is_in(id_keys(keys, id)))
        .one(tx)
        .await?
        .ok_or(StoreError::NotFound)?;
    open_member(keys, m)
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
    let before = find_member(&tx, db.keys(), &h, member.id_number).await?;
    let after = members_of(&tx, db.keys(), &h)
        .await?
        .iter()
        .map(|m| {
            if m.id == before.id {
                Ok(member.clone())
            } else {
                to_member(m)
            }
        })
        .collect::<Result<Vec<_>>>()?;
    check_members_after(&after)?;
    let mut am = member_model(
        db.keys(),
        &valid_of(&h),
        h.id,
        before.position,
        member,
        before.created_at,
    )?;
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
    refresh_head(&tx, db.keys(), &h).await?;
    let after = members::Entity::find_by_id((h.county_code.clone(), before.id))
        .one(&tx)
        .await?
        .ok_or(StoreError::NotFound)?;
    let after = open_member(db.keys(), after)?;
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
    let before = find_member(&tx, db.keys(), &h, id_number).await?;
    let rest = members_of(&tx, db.keys(), &h).await?;
    if rest.len() <= 1 {
        return Err(StoreError::invalid(
            "不能删除该户最后一名成员，请改为删除该户",
            "Cannot remove the last member; delete the household instead",
        ));
    }
    let after = rest
        .iter()
        .filter(|m| m.id != before.id)
        .map(to_member)
        .collect::<Result<Vec<_>>>()?;
    check_members_after(&after)?;
    members::Entity::delete_by_id((h.county_code.clone(), before.id))
        .exec(&tx)
        .await?;
    refresh_head(&tx, db.keys(), &h).await?;
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

/// 变更户主: makes the member `new_head` the household's 户主 and gives the former 户主 the relation
/// `former_head_becomes` (e.g. 之父 when a son takes over), in one transaction, so that the household has
/// exactly one 户主 before and after. Checks and bumps the household's version (and both members'); returns
/// the household's new version. One audit row with both members before and after.
pub async fn change_head(
    db: &Db,
    actor: &Actor,
    scope: &Scope,
    number: &str,
    new_head: IdNumber,
    former_head_becomes: Relation,
    expected_household_version: i64,
) -> Result<i64> {
    if former_head_becomes == Relation::Head {
        return Err(StoreError::invalid(
            "原户主的新关系不能仍为户主",
            "The former head's new relation cannot be 户主 again",
        ));
    }
    let tx = db.begin_write().await?;
    let h = find_for_write(&tx, scope, number).await?;
    let version = bump_household(&tx, &h, expected_household_version).await?;
    let rows = members_of(&tx, db.keys(), &h).await?;
    let target = find_member(&tx, db.keys(), &h, new_head).await?;
    let head_code = Relation::Head.code();
    let former = rows
        .iter()
        .find(|m| m.relation == head_code)
        .cloned()
        .ok_or_else(|| StoreError::invalid("该户没有户主", "The household has no head"))?;
    if former.id == target.id {
        return Err(StoreError::invalid(
            "该成员已是户主",
            "This member is the head already",
        ));
    }
    let after = rows
        .iter()
        .map(|m| {
            let mut x = to_member(m)?;
            if m.id == target.id {
                x.relation = Relation::Head;
            } else if m.id == former.id {
                x.relation = former_head_becomes;
            }
            Ok(x)
        })
        .collect::<Result<Vec<_>>>()?;
    check_members_after(&after)?;
    let now = Utc::now();
    for (m, relation) in [(&target, Relation::Head), (&former, former_head_becomes)] {
        members::Entity::update_many()
            .col_expr(members::Column::Relation, Expr::value(relation.code()))
            .col_expr(members::Column::Version, Expr::value(m.version + 1))
            .col_expr(members::Column::UpdatedAt, Expr::value(now))
            .filter(members::Column::CountyCode.eq(h.county_code.as_str()))
            .filter(members::Column::Id.eq(m.id))
            .exec(&tx)
            .await?;
    }
    refresh_head(&tx, db.keys(), &h).await?;
    audit::append(
        &tx,
        actor,
        Change {
            action: "change_head",
            entity: "household",
            entity_id: h.number.clone(),
            county_code: Some(h.county_code.clone()),
            village_code: Some(h.village_code.clone()),
            before: Some(serde_json::json!({ "head": former.id_number, "new_head_relation": target.relation })),
            after: Some(serde_json::json!({ "head": target.id_number, "former_head_relation": former_head_becomes.code() })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(version)
}
