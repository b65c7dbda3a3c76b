//! Writes: create, update and delete a household, version-checked and audited.

use chrono::Utc;
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter};
use shouwang_core::income::IncomeSource;
use shouwang_core::{CodeList, Household, IdNumber, IncomeRecord, Scope};

use super::checks::{Valid, check_fields, check_household};
use super::departures::former_rows_of;
use super::reads::{find_in_area, members_of};
use super::rows::{
    head_of, household_model, id_keys, join_codes, member_model, open_household, open_member,
    seal_household,
};
use crate::crypto::Keys;
use crate::crypto::sealed::HEAD_NAME;
use crate::db::Db;
use crate::entity::{former_members, households, income_other_sources, income_records, members};
use crate::error::{Result, StoreError};
use crate::ids::new_id;
use crate::repo::area::effective_area;
use crate::repo::audit::{self, Change};
use crate::repo::income;
use crate::repo::{Actor, to_json};

/// Pre-checks a new household's unique keys for readable `Conflict` messages.
async fn check_unique(
    tx: &DatabaseTransaction,
    keys: &Keys,
    v: &Valid,
    h: &Household,
) -> Result<()> {
    let taken = households::Entity::find()
        .filter(households::Column::CountyCode.eq(v.county.as_str()))
        .filter(households::Column::Number.eq(v.number.as_str()))
        .one(tx)
        .await?;
    if taken.is_some() {
        return Err(StoreError::conflict(
            format!("户编号 {} 在县 {} 已存在", v.number, v.county),
            format!(
                "Household number {} already exists in county {}",
                v.number, v.county
            ),
        ));
    }
    let ids: Vec<IdNumber> = h.members.iter().map(|m| m.id_number).collect();
    check_ids_free(tx, keys, &v.county, &ids).await
}

/// `Conflict` if one of `ids` is already registered in the county (by the blind indexes, every key
/// version).
pub(super) async fn check_ids_free(
    tx: &DatabaseTransaction,
    keys: &Keys,
    county: &str,
    ids: &[IdNumber],
) -> Result<()> {
    let id_keys: Vec<i64> = ids.iter().flat_map(|id| id_keys(keys, *id)).collect();
    let dup = members::Entity::find()
        .filter(members::Column::CountyCode.eq(county))
        .filter(members::Column::IdKey.is_in(id_keys))
        .one(tx)
        .await?
        .map(|m| open_member(keys, m))
        .transpose()?;
    match dup {
        Some(m) => Err(StoreError::conflict(
            format!("身份证号 {} 已在本县登记", m.id_number),
            format!(
                "ID number {} is already registered in this county",
                m.id_number
            ),
        )),
        None => Ok(()),
    }
}

pub(crate) fn audit_json(
    h: &households::Model,
    ms: &[members::Model],
) -> Result<serde_json::Value> {
    Ok(serde_json::json!({ "household": to_json(h)?, "members": to_json(&ms)? }))
}

/// Registers a new household with its members. `Conflict` if the 户编号 or an ID number is already
/// registered in the county; `Invalid` for a bad household (no member, village not a village code, unknown
/// village, …). Returns the household's row id.
///
/// No scope check: callers acting for a user use [`create_in_scope`].
pub async fn create(db: &Db, actor: &Actor, household: &Household) -> Result<i64> {
    let v = check_household(household)?;
    let tx = db.begin_write().await?;
    check_unique(&tx, db.keys(), &v, household).await?;
    let id = insert(&tx, db.keys(), actor, &v, household, &[]).await?;
    tx.commit().await?;
    Ok(id)
}

/// [`create`] for a user: `Forbidden` unless the scope may write and covers the household's village.
pub async fn create_in_scope(
    db: &Db,
    actor: &Actor,
    scope: &Scope,
    household: &Household,
) -> Result<i64> {
    if !scope.may_write() || !scope.covers(household.village.as_str()) {
        return Err(StoreError::Forbidden);
    }
    create(db, actor, household).await
}

async fn insert(
    tx: &DatabaseTransaction,
    keys: &Keys,
    actor: &Actor,
    v: &Valid,
    household: &Household,
    incomes: &[IncomeRecord],
) -> Result<i64> {
    let now = Utc::now();
    let id = new_id();
    let h = household_model(keys, v, household, id, now)?
        .insert(tx)
        .await
        .map_err(|e| {
            StoreError::from_write(
                e,
                &format!("户编号 {} 的农户", v.number),
                &format!("Household {}", v.number),
            )
        })?;
    let mut ms = Vec::with_capacity(household.members.len());
    for (i, m) in household.members.iter().enumerate() {
        let model = member_model(keys, v, id, i32::try_from(i).unwrap_or(i32::MAX), m, now)?
            .insert(tx)
            .await
            .map_err(|e| {
                StoreError::from_write(
                    e,
                    &format!("身份证号 {} 的成员", m.id_number),
                    &format!("Member {}", m.id_number),
                )
            })?;
        ms.push(model);
    }
    let mut after = audit_json(&h, &ms)?;
    if !incomes.is_empty() {
        let mut rows = Vec::with_capacity(incomes.len());
        for rec in incomes {
            rows.push(income::insert_row(tx, &h, rec, IncomeSource::Import, None, now).await?);
        }
        after["incomes"] = to_json(&rows)?;
    }
    audit::append(
        tx,
        actor,
        Change {
            action: "create",
            entity: "household",
            entity_id: h.number.clone(),
            county_code: Some(h.county_code.clone()),
            village_code: Some(h.village_code.clone()),
            before: None,
            after: Some(after),
        },
    )
    .await?;
    Ok(id)
}

/// Registers many households (with their income records) in one transaction, one audit row per household
/// (for demo loads and imports: all or nothing). Unique keys are enforced by the database (`Conflict`).
/// Returns the row ids in input order.
pub async fn create_many<'a, I>(db: &Db, actor: &Actor, items: I) -> Result<Vec<i64>>
where
    I: IntoIterator<Item = (&'a Household, &'a [IncomeRecord])>,
{
    let items: Vec<(&Household, &[IncomeRecord])> = items.into_iter().collect();
    let mut valid = Vec::with_capacity(items.len());
    for (h, incomes) in &items {
        valid.push(check_household(h)?);
        for rec in *incomes {
            income::check_record(rec)?;
        }
    }
    let tx = db.begin_write().await?;
    let mut ids = Vec::with_capacity(items.len());
    for ((h, incomes), v) in items.iter().zip(&valid) {
        ids.push(insert(&tx, db.keys(), actor, v, h, incomes).await?);
    }
    tx.commit().await?;
    Ok(ids)
}

/// Finds the household by number inside the scope for a write: `Forbidden` if the scope may not write,
/// `NotFound` if it is not in the area.
pub(crate) async fn find_for_write(
    tx: &DatabaseTransaction,
    scope: &Scope,
    number: &str,
) -> Result<households::Model> {
    if !scope.may_write() {
        return Err(StoreError::Forbidden);
    }
    let area = effective_area(scope, None).ok_or(StoreError::NotFound)?;
    find_in_area(tx, &area, number)
        .await?
        .ok_or(StoreError::NotFound)
}

/// [`find_for_write`] for a visit's own records (the income estimated at a 月度走访): the writers of the
/// registry and the grid member 网格员, who visits its grid's households (§四(六)) but changes nothing else
/// of them.
pub(crate) async fn find_for_visit(
    tx: &DatabaseTransaction,
    scope: &Scope,
    number: &str,
) -> Result<households::Model> {
    if scope.grid().is_none() {
        return find_for_write(tx, scope, number).await;
    }
    let area = effective_area(scope, None).ok_or(StoreError::NotFound)?;
    find_in_area(tx, &area, number)
        .await?
        .ok_or(StoreError::NotFound)
}

pub(crate) fn stale(expected: i64, found: i64) -> StoreError {
    StoreError::StaleVersion { expected, found }
}

/// The household's version as committed now (0 if it is gone): after a version-checked statement touched
/// no row. On PostgreSQL (READ COMMITTED) a new statement sees the competing writer's commit, so the
/// error names the version that won, not the one this transaction read first.
async fn household_version_now(tx: &DatabaseTransaction, county: &str, id: i64) -> Result<i64> {
    Ok(households::Entity::find_by_id((county.to_owned(), id))
        .one(tx)
        .await?
        .map_or(0, |h| h.version))
}

/// Same for a member row.
pub(super) async fn member_version_now(
    tx: &DatabaseTransaction,
    county: &str,
    id: i64,
) -> Result<i64> {
    Ok(members::Entity::find_by_id((county.to_owned(), id))
        .one(tx)
        .await?
        .map_or(0, |m| m.version))
}

/// Deletes a household's income records (with the other sources' figures), its members and former members and the household row at `expected_version`, in
/// the caller's transaction (删除农户; also the dropped household of a merge). `StaleVersion` with the
/// version now if the row changed meanwhile; the caller's transaction then rolls back.
pub(crate) async fn delete_rows(
    tx: &DatabaseTransaction,
    h: &households::Model,
    expected_version: i64,
) -> Result<()> {
    income_records::Entity::delete_many()
        .filter(income_records::Column::CountyCode.eq(h.county_code.as_str()))
        .filter(income_records::Column::HouseholdId.eq(h.id))
        .exec(tx)
        .await?;
    income_other_sources::Entity::delete_many()
        .filter(income_other_sources::Column::CountyCode.eq(h.county_code.as_str()))
        .filter(income_other_sources::Column::HouseholdId.eq(h.id))
        .exec(tx)
        .await?;
    former_members::Entity::delete_many()
        .filter(former_members::Column::CountyCode.eq(h.county_code.as_str()))
        .filter(former_members::Column::HouseholdId.eq(h.id))
        .exec(tx)
        .await?;
    members::Entity::delete_many()
        .filter(members::Column::CountyCode.eq(h.county_code.as_str()))
        .filter(members::Column::HouseholdId.eq(h.id))
        .exec(tx)
        .await?;
    let res = households::Entity::delete_many()
        .filter(households::Column::CountyCode.eq(h.county_code.as_str()))
        .filter(households::Column::Id.eq(h.id))
        .filter(households::Column::Version.eq(expected_version))
        .exec(tx)
        .await?;
    if res.rows_affected != 1 {
        return Err(stale(
            expected_version,
            household_version_now(tx, &h.county_code, h.id).await?,
        ));
    }
    Ok(())
}

/// Bumps the household's version if it is still `expected`; `StaleVersion` otherwise.
pub(crate) async fn bump_household(
    tx: &DatabaseTransaction,
    h: &households::Model,
    expected: i64,
) -> Result<i64> {
    let res = households::Entity::update_many()
        .col_expr(households::Column::Version, Expr::value(expected + 1))
        .col_expr(households::Column::UpdatedAt, Expr::value(Utc::now()))
        .filter(households::Column::CountyCode.eq(h.county_code.as_str()))
        .filter(households::Column::Id.eq(h.id))
        .filter(households::Column::Version.eq(expected))
        .exec(tx)
        .await?;
    if res.rows_affected == 1 {
        Ok(expected + 1)
    } else {
        Err(stale(
            expected,
            household_version_now(tx, &h.county_code, h.id).await?,
        ))
    }
}

/// Writes a household's sealed columns (户主身份证号, 联系电话), all sealed under the current key, and that
/// key's version: a row's sealed columns always share one `key_version`.
pub(crate) async fn write_sealed(
    tx: &DatabaseTransaction,
    keys: &Keys,
    h: &households::Model,
    head_id: &str,
    phone: Option<&str>,
) -> Result<()> {
    let (head_id, phone, key_version) = seal_household(keys, head_id, phone)?;
    households::Entity::update_many()
        .col_expr(households::Column::HeadIdNumber, Expr::value(head_id))
        .col_expr(households::Column::Phone, Expr::value(phone))
        .col_expr(households::Column::KeyVersion, Expr::value(key_version))
        .filter(households::Column::CountyCode.eq(h.county_code.as_str()))
        .filter(households::Column::Id.eq(h.id))
        .exec(tx)
        .await?;
    Ok(())
}

/// Recomputes the denormalised head name, head ID and size of a household from its members.
pub(crate) async fn refresh_head(
    tx: &DatabaseTransaction,
    keys: &Keys,
    h: &households::Model,
) -> Result<()> {
    let ms = members_of(tx, keys, h).await?;
    let (head_name, head_id) = head_of(
        ms.iter()
            .map(|m| (m.name.as_str(), m.id_number.as_str(), m.relation.as_str()))
            .collect::<Vec<_>>(),
    );
    let phone = open_household(keys, reload(tx, h).await?)?.phone;
    write_sealed(tx, keys, h, &head_id, phone.as_deref()).await?;
    households::Entity::update_many()
        .col_expr(
            households::Column::HeadName,
            Expr::value(keys.seal(&head_name, HEAD_NAME)?),
        )
        .col_expr(households::Column::NamesPlain, Expr::value(false))
        .col_expr(
            households::Column::Size,
            Expr::value(i32::try_from(ms.len()).unwrap_or(i32::MAX)),
        )
        .filter(households::Column::CountyCode.eq(h.county_code.as_str()))
        .filter(households::Column::Id.eq(h.id))
        .exec(tx)
        .await?;
    Ok(())
}

async fn reload(tx: &DatabaseTransaction, h: &households::Model) -> Result<households::Model> {
    households::Entity::find_by_id((h.county_code.clone(), h.id))
        .one(tx)
        .await?
        .ok_or(StoreError::NotFound)
}

/// Changes the household-level fields (户编号, village, natural village, type, address, phone, relocation,
/// monitored type, risks) from `household`; its `members` are ignored (use the member functions). The new
/// village must also be in the scope and in the same county. Returns the new version.
pub async fn update(
    db: &Db,
    actor: &Actor,
    scope: &Scope,
    number: &str,
    household: &Household,
    expected_version: i64,
) -> Result<i64> {
    let v = check_fields(household)?;
    let tx = db.begin_write().await?;
    let before = find_for_write(&tx, scope, number).await?;
    if before.version != expected_version {
        return Err(stale(expected_version, before.version));
    }
    if v.county != before.county_code {
        return Err(StoreError::invalid(
            "农户不能迁移到其他县",
            "A household cannot move to another county",
        ));
    }
    if !scope.covers(&v.village) {
        return Err(StoreError::Forbidden);
    }
    if v.number != before.number {
        let taken = households::Entity::find()
            .filter(households::Column::CountyCode.eq(v.county.as_str()))
            .filter(households::Column::Number.eq(v.number.as_str()))
            .one(&tx)
            .await?;
        if taken.is_some() {
            return Err(StoreError::conflict(
                format!("户编号 {} 已存在", v.number),
                format!("Household number {} already exists", v.number),
            ));
        }
    }
    let res = households::Entity::update_many()
        .col_expr(households::Column::Number, Expr::value(v.number.clone()))
        .col_expr(
            households::Column::TownshipCode,
            Expr::value(v.township.clone()),
        )
        .col_expr(
            households::Column::VillageCode,
            Expr::value(v.village.clone()),
        )
        .col_expr(
            households::Column::NaturalVillage,
            Expr::value(v.natural_village.clone()),
        )
        .col_expr(
            households::Column::HouseholdType,
            Expr::value(household.household_type.code()),
        )
        .col_expr(households::Column::Address, Expr::value(v.address.clone()))
        .col_expr(
            households::Column::IsRelocated,
            Expr::value(household.is_relocated),
        )
        .col_expr(
            households::Column::MonitoredType,
            Expr::value(household.monitored_type.map(|t| t.code())),
        )
        .col_expr(
            households::Column::Risks,
            Expr::value(join_codes(&household.risks)),
        )
        .col_expr(
            households::Column::Version,
            Expr::value(expected_version + 1),
        )
        .col_expr(households::Column::UpdatedAt, Expr::value(Utc::now()))
        .filter(households::Column::CountyCode.eq(before.county_code.as_str()))
        .filter(households::Column::Id.eq(before.id))
        .filter(households::Column::Version.eq(expected_version))
        .exec(&tx)
        .await
        .map_err(|e| {
            StoreError::from_write(
                e,
                &format!("户编号 {} 的农户", v.number),
                &format!("Household {}", v.number),
            )
        })?;
    if res.rows_affected != 1 {
        return Err(stale(
            expected_version,
            household_version_now(&tx, &before.county_code, before.id).await?,
        ));
    }
    let head_id = open_household(db.keys(), before.clone())?.head_id_number;
    write_sealed(&tx, db.keys(), &before, &head_id, v.phone.as_deref()).await?;
    if v.village != before.village_code {
        members::Entity::update_many()
            .col_expr(members::Column::VillageCode, Expr::value(v.village.clone()))
            .filter(members::Column::CountyCode.eq(before.county_code.as_str()))
            .filter(members::Column::HouseholdId.eq(before.id))
            .exec(&tx)
            .await?;
        income_records::Entity::update_many()
            .col_expr(
                income_records::Column::VillageCode,
                Expr::value(v.village.clone()),
            )
            .filter(income_records::Column::CountyCode.eq(before.county_code.as_str()))
            .filter(income_records::Column::HouseholdId.eq(before.id))
            .exec(&tx)
            .await?;
        former_members::Entity::update_many()
            .col_expr(
                former_members::Column::VillageCode,
                Expr::value(v.village.clone()),
            )
            .filter(former_members::Column::CountyCode.eq(before.county_code.as_str()))
            .filter(former_members::Column::HouseholdId.eq(before.id))
            .exec(&tx)
            .await?;
    }
    let after = reload(&tx, &before).await?;
    audit::append(
        &tx,
        actor,
        Change {
            action: "update",
            entity: "household",
            entity_id: after.number.clone(),
            county_code: Some(after.county_code.clone()),
            village_code: Some(after.village_code.clone()),
            before: Some(to_json(&before)?),
            after: Some(to_json(&after)?),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(after.version)
}

/// Deletes a household with its members and income records (the audit row keeps all of it as `before`).
pub async fn delete(
    db: &Db,
    actor: &Actor,
    scope: &Scope,
    number: &str,
    expected_version: i64,
) -> Result<()> {
    let tx = db.begin_write().await?;
    let h = find_for_write(&tx, scope, number).await?;
    if h.version != expected_version {
        return Err(stale(expected_version, h.version));
    }
    let ms = members_of(&tx, db.keys(), &h).await?;
    let incomes = income_records::Entity::find()
        .filter(income_records::Column::CountyCode.eq(h.county_code.as_str()))
        .filter(income_records::Column::HouseholdId.eq(h.id))
        .all(&tx)
        .await?;
    let former = former_rows_of(&tx, db.keys(), &h).await?;
    let others = super::super::income::others::rows_of(&tx, &h.county_code, h.id).await?;
    let mut before = audit_json(&h, &ms)?;
    before["incomes"] = to_json(&incomes)?;
    if !others.is_empty() {
        before["income_other_sources"] = to_json(&others)?;
    }
    if !former.is_empty() {
        before["former_members"] = to_json(&former)?;
    }
    delete_rows(&tx, &h, expected_version).await?;
    audit::append(
        &tx,
        actor,
        Change {
            action: "delete",
            entity: "household",
            entity_id: h.number.clone(),
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
