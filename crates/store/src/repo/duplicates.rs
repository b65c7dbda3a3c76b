//! Duplicate review 重复数据核查 (issue 6, part 2): the candidates of
//! [`shouwang_core::duplicates::detect`] for an area, and the merges an admin confirms.
//!
//! Nothing is merged by detection. A merge is an explicit call by a **township or county admin**
//! (乡镇管理员 / 县级管理员; other roles: `Forbidden`) inside their area, with the versions the user saw
//! (a household changed since: `StaleVersion`, nothing written), in one transaction, audited:
//!
//! - [`remove_member`]: a duplicated member record is deleted from one household (D1, D3); audit
//!   `merge_remove_member` on the household with the member as `before`.
//! - [`merge_households`]: household B is merged into household A (D2): B's members whose ID number (or
//!   normalised name and birth date) A does not have move to A, B's income records of years A lacks move
//!   to A (with the other sources' figures of those years, 不计入), B's monitoring cases 监测帮扶档案 (the open one and the closed ones) move to A, the rest of B is
//!   deleted. Refused (`Conflict`, naming both cases) when both households have an open case (not 风险消除
//!   or 未纳入): one household has one current case, so one of them must be closed first; refused as well
//!   when the two are in different counties. A moved case gets A's 户编号 and village (columns and JSON),
//!   a new version and a new sequence among A's cases (closed ones by 建档日期, the open one last and
//!   current); its issued exit notices follow it. Audit `merge` on A (before: A and B in full; after: what
//!   moved), `delete` on B, and `merge_move_case` per moved case (before and after: household, village,
//!   sequence, version), all in the merge's transaction.
//!
//! Within a county the database keeps one record per ID number (unique key), so D1 candidates in the
//! database are across counties (visible to the system scope or a wider area); inside a county the
//! import already refuses them.

use std::collections::{BTreeMap, HashSet};

use chrono::Utc;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter};
use serde::Serialize;
use shouwang_core::codes::Relation;
use shouwang_core::duplicates::{Candidate, detect, normalise_name};
use shouwang_core::{CodeList, Household, IdNumber, Role, Scope};

use super::audit::{self, Change};
use super::cases::{CaseRecord, case_record};
use super::households::{
    audit_json, bump_household, delete_rows, find_for_write, members_of, move_former_members,
    refresh_head, stale, to_member,
};
use super::{Actor, Sql, registry_file, to_json};
use crate::db::Db;
use crate::entity::{households, income_other_sources, income_records, members};
use crate::error::{Result, StoreError};

/// A candidate with the households' current versions (for the merge form).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CandidateRow {
    /// What the core found.
    #[serde(flatten)]
    pub candidate: Candidate,
    /// Version of household `a` now.
    pub version_a: i64,
    /// Version of household `b` now.
    pub version_b: i64,
}

/// The duplicate candidates among the households of an area (`scope`: the reading user's, `None` for
/// the system; `area`: a further region filter).
pub async fn list(db: &Db, scope: Option<&Scope>, area: Option<&str>) -> Result<Vec<CandidateRow>> {
    let mut all: Vec<Household> = Vec::new();
    registry_file::export(db, scope, area, &mut |h, _| {
        all.push(h.clone());
        Ok(())
    })
    .await?;
    let refs: Vec<&Household> = all.iter().collect();
    let found = detect(&refs);
    drop(all);
    // Versions of the households concerned.
    let mut keys: BTreeMap<String, HashSet<String>> = BTreeMap::new();
    for c in &found {
        for h in [&c.a, &c.b] {
            keys.entry(h.county.clone())
                .or_default()
                .insert(h.number.clone());
        }
    }
    let mut versions: BTreeMap<(String, String), i64> = BTreeMap::new();
    for (county, numbers) in keys {
        let numbers: Vec<String> = numbers.into_iter().collect();
        for chunk in numbers.chunks(500) {
            for h in households::Entity::find()
                .filter(households::Column::CountyCode.eq(county.as_str()))
                .filter(households::Column::Number.is_in(chunk.to_vec()))
                .all(db.conn())
                .await?
            {
                versions.insert((h.county_code, h.number), h.version);
            }
        }
    }
    let v = |c: &str, n: &str| {
        versions
            .get(&(c.to_owned(), n.to_owned()))
            .copied()
            .unwrap_or(0)
    };
    Ok(found
        .into_iter()
        .map(|c| CandidateRow {
            version_a: v(&c.a.county, &c.a.number),
            version_b: v(&c.b.county, &c.b.number),
            candidate: c,
        })
        .collect())
}

/// Only township and county admins merge.
fn may_merge(scope: &Scope) -> Result<()> {
    if matches!(scope.role, Role::TownshipAdmin | Role::CountyAdmin) {
        Ok(())
    } else {
        Err(StoreError::Forbidden)
    }
}

/// Deletes the duplicated record of the member `id_number` from household `number` (not its last
/// member: merge or delete the household instead). Returns the household's new version.
pub async fn remove_member(
    db: &Db,
    actor: &Actor,
    scope: &Scope,
    number: &str,
    id_number: IdNumber,
    expected_version: i64,
) -> Result<i64> {
    may_merge(scope)?;
    let tx = db.begin_write().await?;
    let h = find_for_write(&tx, scope, number).await?;
    let version = bump_household(&tx, &h, expected_version).await?;
    let ms = members_of(&tx, db.keys(), &h).await?;
    let Some(before) = ms.iter().find(|m| m.id_number == id_number.to_string()) else {
        return Err(StoreError::NotFound);
    };
    if ms.len() <= 1 {
        return Err(StoreError::invalid(
            "不能删除该户最后一名成员，请改为合并两户",
            "Cannot remove the last member; merge the households instead",
        ));
    }
    members::Entity::delete_by_id((h.county_code.clone(), before.id))
        .exec(&tx)
        .await?;
    refresh_head(&tx, db.keys(), &h).await?;
    audit::append(
        &tx,
        actor,
        Change {
            action: "merge_remove_member",
            entity: "household",
            entity_id: h.number.clone(),
            county_code: Some(h.county_code.clone()),
            village_code: Some(h.village_code.clone()),
            before: Some(serde_json::json!({ "member": to_json(before)?, "version": expected_version })),
            after: Some(serde_json::json!({ "version": version, "reason": "重复数据核查：删除重复的成员记录" })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(version)
}

/// What a household merge did.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct MergeOutcome {
    /// Household A's new version.
    pub version: i64,
    /// Members moved from B to A.
    pub members_moved: u64,
    /// Members of B dropped as duplicates of A's.
    pub members_dropped: u64,
    /// Income years moved from B to A.
    pub incomes_moved: u64,
    /// Monitoring cases 监测帮扶档案 moved from B to A.
    pub cases_moved: u64,
}

/// Every case of a household, by sequence (the last one is the current one).
async fn cases_of(tx: &impl ConnectionTrait, h: &households::Model) -> Result<Vec<CaseRecord>> {
    let mut sql = Sql::new();
    sql.push("SELECT c.* FROM cases c WHERE c.county_code = ")
        .bind(h.county_code.as_str())
        .push(" AND c.household_number = ")
        .bind(h.number.as_str())
        .push(" ORDER BY c.seq");
    let rows = tx
        .query_all_raw(sql.build(tx.get_database_backend()))
        .await?;
    rows.iter().map(case_record).collect()
}

/// A case moved by a merge.
struct MovedCase {
    old_seq: i64,
    new_seq: i64,
    old_version: i64,
    lifecycle: shouwang_core::monitoring::Lifecycle,
}

/// Moves every case of B to A (not both with an open case: checked before). The merged household's
/// cases are renumbered: the closed ones by 建档日期 (A's first on a tie), then the open one, which is
/// the current case (`is_current`; with none open, the last closed one). Each moved case gets A's 户编号
/// and village (columns and JSON) and a new version; its issued exit notices follow it.
async fn move_cases(
    tx: &DatabaseTransaction,
    a: &households::Model,
    a_cases: &[CaseRecord],
    b_cases: &[CaseRecord],
    now: chrono::DateTime<Utc>,
) -> Result<Vec<MovedCase>> {
    if b_cases.is_empty() {
        return Ok(Vec::new());
    }
    let backend = tx.get_database_backend();
    let mut all: Vec<(bool, &CaseRecord)> = a_cases
        .iter()
        .map(|c| (false, c))
        .chain(b_cases.iter().map(|c| (true, c)))
        .collect();
    all.sort_by_key(|(from_b, c)| (!c.lifecycle.is_closed(), c.case.opened_on, *from_b, c.seq));
    // Phase 1: free the sequence numbers and the current flag (unique keys), and move B's cases.
    for (i, (from_b, c)) in all.iter().enumerate() {
        let temp = -(i as i64) - 1;
        let mut sql = Sql::new();
        sql.push("UPDATE cases SET seq = ")
            .bind(temp)
            .push(", is_current = ")
            .bind(false);
        if *from_b {
            let mut body = serde_json::to_value(&c.case)
                .map_err(|e| StoreError::internal(format!("cannot serialise the case: {e}")))?;
            body["household"] = serde_json::Value::String(a.number.clone());
            body["village"] = serde_json::Value::String(a.village_code.clone());
            let body = serde_json::to_string(&body)
                .map_err(|e| StoreError::internal(format!("cannot serialise the case: {e}")))?;
            sql.push(", household_id = ")
                .bind(a.id)
                .push(", household_number = ")
                .bind(a.number.as_str())
                .push(", township_code = ")
                .bind(a.township_code.as_str())
                .push(", village_code = ")
                .bind(a.village_code.as_str())
                .push(", body = ")
                .bind(body)
                .push(", version = ")
                .bind(c.version + 1)
                .push(", updated_at = ")
                .bind(now);
        }
        sql.push(" WHERE county_code = ")
            .bind(c.county_code.as_str())
            .push(" AND id = ")
            .bind(c.id)
            .push(" AND version = ")
            .bind(c.version);
        let res = tx.execute_raw(sql.build(backend)).await?;
        if res.rows_affected() != 1 {
            return Err(stale(c.version, c.version + 1));
        }
        if *from_b {
            let mut sql = Sql::new();
            sql.push("UPDATE exit_notices SET household_number = ")
                .bind(a.number.as_str())
                .push(", village_code = ")
                .bind(a.village_code.as_str())
                .push(" WHERE county_code = ")
                .bind(c.county_code.as_str())
                .push(" AND case_id = ")
                .bind(c.id);
            tx.execute_raw(sql.build(backend)).await?;
        }
    }
    // Phase 2: the final numbers; the last one is current.
    let mut moved = Vec::new();
    let last = all.len();
    for (i, (from_b, c)) in all.iter().enumerate() {
        let seq = i as i64 + 1;
        let mut sql = Sql::new();
        sql.push("UPDATE cases SET seq = ")
            .bind(seq)
            .push(", is_current = ")
            .bind(i + 1 == last)
            .push(" WHERE county_code = ")
            .bind(c.county_code.as_str())
            .push(" AND id = ")
            .bind(c.id);
        tx.execute_raw(sql.build(backend)).await?;
        if *from_b {
            moved.push(MovedCase {
                old_seq: c.seq,
                new_seq: seq,
                old_version: c.version,
                lifecycle: c.lifecycle,
            });
        }
    }
    Ok(moved)
}

/// Merges household `drop` (B) into household `keep` (A); see the module docs.
pub async fn merge_households(
    db: &Db,
    actor: &Actor,
    scope: &Scope,
    keep: &str,
    keep_version: i64,
    drop: &str,
    drop_version: i64,
) -> Result<MergeOutcome> {
    may_merge(scope)?;
    if keep.trim() == drop.trim() {
        return Err(StoreError::invalid(
            "不能把一户合并到它自己",
            "Cannot merge a household into itself",
        ));
    }
    let tx = db.begin_write().await?;
    let a = find_for_write(&tx, scope, keep).await?;
    let b = find_for_write(&tx, scope, drop).await?;
    if a.county_code != b.county_code {
        return Err(StoreError::conflict(
            "两户不在同一个县，不能合并",
            "The households are in different counties",
        ));
    }
    if b.version != drop_version {
        return Err(stale(drop_version, b.version));
    }
    let a_cases = cases_of(&tx, &a).await?;
    let b_cases = cases_of(&tx, &b).await?;
    let open = |cs: &[CaseRecord]| cs.iter().find(|c| !c.lifecycle.is_closed()).cloned();
    if let (Some(ca), Some(cb)) = (open(&a_cases), open(&b_cases)) {
        return Err(StoreError::conflict(
            format!(
                "两户都有未结束的监测帮扶档案，不能合并：保留户 {} 的档案（第 {} 份，{}，建档于 {}）和被合并户 {} 的档案（第 {} 份，{}，建档于 {}）。请先办结其中一份档案（风险消除或未纳入）后再合并",
                a.number,
                ca.seq,
                ca.lifecycle.label_zh(),
                ca.case.opened_on,
                b.number,
                cb.seq,
                cb.lifecycle.label_zh(),
                cb.case.opened_on,
            ),
            format!(
                "Both households have an open monitoring case: {} (case {}, {}, opened on {}) and {} (case {}, {}, opened on {}); close one of them first",
                a.number,
                ca.seq,
                ca.lifecycle.label_en(),
                ca.case.opened_on,
                b.number,
                cb.seq,
                cb.lifecycle.label_en(),
                cb.case.opened_on,
            ),
        ));
    }
    let version = bump_household(&tx, &a, keep_version).await?;
    let a_members = members_of(&tx, db.keys(), &a).await?;
    let b_members = members_of(&tx, db.keys(), &b).await?;
    let before_a = audit_json(&a, &a_members)?;
    let before_b = audit_json(&b, &b_members)?;
    let key = |m: &members::Model| -> Result<(String, chrono::NaiveDate)> {
        let member = to_member(m)?;
        Ok((normalise_name(&member.name), member.id_number.birth_date()))
    };
    let mut a_ids: HashSet<String> = a_members.iter().map(|m| m.id_number.clone()).collect();
    let mut a_keys: HashSet<(String, chrono::NaiveDate)> = HashSet::new();
    for m in &a_members {
        a_keys.insert(key(m)?);
    }
    let mut next = a_members.iter().map(|m| m.position + 1).max().unwrap_or(0);
    let mut outcome = MergeOutcome {
        version,
        ..MergeOutcome::default()
    };
    let mut moved: Vec<String> = Vec::new();
    let now = Utc::now();
    for m in &b_members {
        let k = key(m)?;
        if a_ids.contains(&m.id_number) || a_keys.contains(&k) {
            members::Entity::delete_by_id((b.county_code.clone(), m.id))
                .exec(&tx)
                .await?;
            outcome.members_dropped += 1;
            continue;
        }
        members::Entity::update_many()
            .col_expr(members::Column::HouseholdId, Expr::value(a.id))
            .col_expr(
                members::Column::VillageCode,
                Expr::value(a.village_code.clone()),
            )
            .col_expr(members::Column::Position, Expr::value(next))
            // A moved member is no head of A (A keeps its head).
            .col_expr(
                members::Column::Relation,
                Expr::value(if m.relation == Relation::Head.code() {
                    Relation::Other.code().to_owned()
                } else {
                    m.relation.clone()
                }),
            )
            .col_expr(members::Column::Version, Expr::value(m.version + 1))
            .col_expr(members::Column::UpdatedAt, Expr::value(now))
            .filter(members::Column::CountyCode.eq(b.county_code.as_str()))
            .filter(members::Column::Id.eq(m.id))
            .exec(&tx)
            .await?;
        next += 1;
        a_ids.insert(m.id_number.clone());
        a_keys.insert(k);
        moved.push(m.id_number.clone());
        outcome.members_moved += 1;
    }
    // Income years A lacks.
    let a_years: HashSet<i32> = income_records::Entity::find()
        .filter(income_records::Column::CountyCode.eq(a.county_code.as_str()))
        .filter(income_records::Column::HouseholdId.eq(a.id))
        .all(&tx)
        .await?
        .into_iter()
        .map(|r| r.year)
        .collect();
    let b_incomes = income_records::Entity::find()
        .filter(income_records::Column::CountyCode.eq(b.county_code.as_str()))
        .filter(income_records::Column::HouseholdId.eq(b.id))
        .all(&tx)
        .await?;
    for r in &b_incomes {
        if a_years.contains(&r.year) {
            continue;
        }
        income_records::Entity::update_many()
            .col_expr(income_records::Column::HouseholdId, Expr::value(a.id))
            .col_expr(
                income_records::Column::VillageCode,
                Expr::value(a.village_code.clone()),
            )
            .filter(income_records::Column::CountyCode.eq(r.county_code.as_str()))
            .filter(income_records::Column::Id.eq(r.id))
            .exec(&tx)
            .await?;
        outcome.incomes_moved += 1;
    }
    let moved_years: HashSet<i32> = b_incomes
        .iter()
        .map(|r| r.year)
        .filter(|y| !a_years.contains(y))
        .collect();
    if !moved_years.is_empty() {
        income_other_sources::Entity::update_many()
            .col_expr(income_other_sources::Column::HouseholdId, Expr::value(a.id))
            .filter(income_other_sources::Column::CountyCode.eq(b.county_code.as_str()))
            .filter(income_other_sources::Column::HouseholdId.eq(b.id))
            .filter(income_other_sources::Column::Year.is_in(moved_years))
            .exec(&tx)
            .await?;
    }
    let moved_cases = move_cases(&tx, &a, &a_cases, &b_cases, now).await?;
    move_former_members(&tx, &b, &a).await?;
    delete_rows(&tx, &b, drop_version).await?;
    refresh_head(&tx, db.keys(), &a).await?;
    let mut before_b_full = before_b;
    before_b_full["incomes"] = to_json(&b_incomes)?;
    outcome.cases_moved = moved_cases.len() as u64;
    let mut changes: Vec<Change> = moved_cases
        .iter()
        .map(|m| Change {
            action: "merge_move_case",
            entity: "case",
            entity_id: a.number.clone(),
            county_code: Some(a.county_code.clone()),
            village_code: Some(a.village_code.clone()),
            before: Some(serde_json::json!({
                "household": b.number,
                "village": b.village_code,
                "seq": m.old_seq,
                "version": m.old_version,
                "lifecycle": m.lifecycle.code(),
            })),
            after: Some(serde_json::json!({
                "household": a.number,
                "village": a.village_code,
                "seq": m.new_seq,
                "version": m.old_version + 1,
                "reason": "重复数据核查：合并农户时随户迁移监测帮扶档案",
            })),
        })
        .collect();
    let cases_json: Vec<serde_json::Value> = moved_cases
        .iter()
        .map(|m| serde_json::json!({ "from_seq": m.old_seq, "seq": m.new_seq, "lifecycle": m.lifecycle.code() }))
        .collect();
    changes.extend(vec![
        Change {
            action: "merge",
            entity: "household",
            entity_id: a.number.clone(),
            county_code: Some(a.county_code.clone()),
            village_code: Some(a.village_code.clone()),
            before: Some(serde_json::json!({ "keep": before_a, "merged": before_b_full.clone() })),
            after: Some(serde_json::json!({
                "version": version,
                "merged_household": b.number,
                "members_moved": moved,
                "members_dropped": outcome.members_dropped,
                "incomes_moved": outcome.incomes_moved,
                "cases_moved": cases_json,
                "reason": "重复数据核查：合并重复登记的农户",
            })),
        },
        Change {
            action: "delete",
            entity: "household",
            entity_id: b.number.clone(),
            county_code: Some(b.county_code.clone()),
            village_code: Some(b.village_code.clone()),
            before: Some(before_b_full),
            after: Some(serde_json::json!({ "merged_into": a.number, "cases_moved": cases_json })),
        },
    ]);
    audit::append_many(&tx, actor, changes).await?;
    tx.commit().await?;
    Ok(outcome)
}
