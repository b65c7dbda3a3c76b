//! 减员: a member leaves the household (死亡, 迁出) and is kept as a former member 原家庭成员 with the reason
//! and the date (table `former_members`). The member's row leaves `members`, so every count of members
//! (家庭人口, search, screening, ledgers, duplicate and quality checks) no longer sees him.

use chrono::{NaiveDate, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter,
    QueryOrder, Set,
};
use shouwang_core::household::changes::LeaveReason;
use shouwang_core::{CodeList, IdNumber, Member, Scope};

use super::FormerMember;
use super::checks::check_members_after;
use super::member_changes::find_member;
use super::reads::members_of;
use super::rows::{code, open_former, to_member};
use super::writes::{bump_household, find_for_write, refresh_head};
use crate::crypto::Keys;
use crate::crypto::sealed::{FORMER_ID, FORMER_MEMBER, FORMER_NAME};
use crate::db::Db;
use crate::entity::{former_members, households, members};
use crate::error::{Result, StoreError};
use crate::ids::new_id;
use crate::repo::audit::{self, Change};
use crate::repo::{Actor, to_json};

/// 减员: the member `id_number` leaves the household for `reason` on `on`. His row moves from `members` to
/// `former_members` (with the member as he was), the household's size and head are recomputed, one audit
/// row (`depart`, entity `member`) is written, all in one transaction. Checks and bumps the household's
/// version; returns it. Refused (`Invalid`, nothing written) for the last member, and when the household
/// would break a whole-household rule (the 户主 leaving: change the head first). The dates (not after
/// today, not before the birth) are the caller's to check (`shouwang_core::household::changes`).
#[allow(clippy::too_many_arguments)]
pub async fn depart_member(
    db: &Db,
    actor: &Actor,
    scope: &Scope,
    number: &str,
    id_number: IdNumber,
    reason: LeaveReason,
    on: NaiveDate,
    expected_household_version: i64,
) -> Result<i64> {
    let keys = db.keys();
    let tx = db.begin_write().await?;
    let h = find_for_write(&tx, scope, number).await?;
    let version = bump_household(&tx, &h, expected_household_version).await?;
    let before = find_member(&tx, keys, &h, id_number).await?;
    let rows = members_of(&tx, db.keys(), &h).await?;
    if rows.len() <= 1 {
        return Err(StoreError::invalid(
            "该户仅剩这一名成员，不能登记减员",
            "The household's last member cannot leave",
        ));
    }
    let rest = rows
        .iter()
        .filter(|m| m.id != before.id)
        .map(to_member)
        .collect::<Result<Vec<_>>>()?;
    check_members_after(&rest)?;
    let member = to_member(&before)?;
    let now = Utc::now();
    let row = former_members::ActiveModel {
        county_code: Set(h.county_code.clone()),
        id: Set(new_id()),
        village_code: Set(h.village_code.clone()),
        household_id: Set(h.id),
        member_id: Set(before.id),
        id_number: Set(keys.seal(&before.id_number, FORMER_ID)?),
        name: Set(keys.seal(&before.name, FORMER_NAME)?),
        names_plain: Set(false),
        relation: Set(before.relation.clone()),
        reason: Set(reason.code().to_owned()),
        left_on: Set(on.to_string()),
        member: Set(keys.seal(
            &serde_json::to_string(&member)
                .map_err(|e| StoreError::corrupt(format!("member JSON: {e}")))?,
            FORMER_MEMBER,
        )?),
        key_version: Set(i32::from(keys.current()?)),
        created_at: Set(now),
    }
    .insert(&tx)
    .await?;
    members::Entity::delete_by_id((h.county_code.clone(), before.id))
        .exec(&tx)
        .await?;
    refresh_head(&tx, db.keys(), &h).await?;
    audit::append(
        &tx,
        actor,
        Change {
            action: "depart",
            entity: "member",
            entity_id: before.id_number.clone(),
            county_code: Some(h.county_code.clone()),
            village_code: Some(h.village_code.clone()),
            before: Some(serde_json::json!({ "household": h.number, "member": to_json(&before)? })),
            after: Some(serde_json::json!({
                "household": h.number,
                "reason": row.reason,
                "on": row.left_on,
                "former_member_id": row.id,
            })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(version)
}

/// The former members of a household, in the order they left (date, then record).
pub(crate) async fn former_rows_of(
    conn: &impl ConnectionTrait,
    keys: &Keys,
    h: &households::Model,
) -> Result<Vec<former_members::Model>> {
    former_members::Entity::find()
        .filter(former_members::Column::CountyCode.eq(h.county_code.as_str()))
        .filter(former_members::Column::HouseholdId.eq(h.id))
        .order_by_asc(former_members::Column::LeftOn)
        .order_by_asc(former_members::Column::Id)
        .all(conn)
        .await?
        .into_iter()
        .map(|f| open_former(keys, f))
        .collect()
}

/// A stored former member as the core's types.
pub(crate) fn to_former(r: &former_members::Model) -> Result<FormerMember> {
    let member: Member =
        serde_json::from_str(&r.member).map_err(|_| StoreError::corrupt(&r.member))?;
    Ok(FormerMember {
        member,
        reason: code::<LeaveReason>(&r.reason)?,
        left_on: r
            .left_on
            .parse()
            .map_err(|_| StoreError::corrupt(&r.left_on))?,
        recorded_at: r.created_at,
    })
}

/// Moves the former members of household `from` to household `to` (a merge of two records of one
/// household: the history goes with the kept record).
pub(crate) async fn move_former_members(
    tx: &DatabaseTransaction,
    from: &households::Model,
    to: &households::Model,
) -> Result<u64> {
    let res = former_members::Entity::update_many()
        .col_expr(former_members::Column::HouseholdId, Expr::value(to.id))
        .col_expr(
            former_members::Column::VillageCode,
            Expr::value(to.village_code.clone()),
        )
        .filter(former_members::Column::CountyCode.eq(from.county_code.as_str()))
        .filter(former_members::Column::HouseholdId.eq(from.id))
        .exec(tx)
        .await?;
    Ok(res.rows_affected)
}
