//! The SQL and the row binding of the prepared one-row inserts of an import on SQLite
//! ([`crate::sqlite_direct`]): households, members, income records and their audit rows.

use chrono::{DateTime, Utc};
use shouwang_core::codes::Relation;
use shouwang_core::{CodeList, Household, Member};

use crate::crypto::Keys;
use crate::crypto::sealed::{HEAD_NAME, MEMBER_ID};
use crate::entity::income_records;
use crate::error::Result;
use crate::ids::new_id;
use crate::repo::households::{Valid, id_key, join_codes, seal_household, seal_name};

/// The one-row inserts of new households, members and their audit rows on SQLite, run through
/// [`Direct`] (prepared once per batch, executed per row). They are `INSERT OR FAIL`, and the transaction
/// defers its foreign-key checks to the commit ([`Importer::begin`]), so SQLite keeps no statement journal
/// (a copy of every page a statement changes, to undo a statement that fails half-way): a failed insert
/// fails the whole import, and the transaction is rolled back. Each row's version is 1 and its timestamps
/// the import's (`?16` / `?20`, see [`sqlite_time`]).
pub(super) const HOUSEHOLDS_INSERT: &str = "INSERT OR FAIL INTO households (county_code, id, township_code, \
     village_code, number, natural_village, household_type, address, phone, is_relocated, \
     monitored_type, risks, head_name, head_id_number, size, version, created_at, updated_at, key_version) \
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, 1, ?16, ?16, ?17)";
macro_rules! members_insert {
    ($verb:literal) => {
        concat!(
            $verb,
            " INTO members (county_code, id, village_code, household_id, position, id_number, id_key, \
             name, sex, relation, labour, health, education, school, political, has_medical_insurance, \
             dibao, tekun, disability_grade, version, created_at, updated_at, key_version, name_key, \
             surname_key) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, \
             ?19, 1, ?20, ?20, ?21, ?22, ?23)"
        )
    };
}
/// Members in [`BulkMode`] (the 姓氏 insert trigger dropped).
pub(super) const MEMBERS_INSERT: &str = members_insert!("INSERT OR FAIL");
/// Members while the 姓氏 insert trigger is in place: an `OR FAIL` here would also replace the trigger's own
/// `INSERT OR IGNORE` (SQLite applies the outer statement's conflict policy inside triggers).
pub(super) const MEMBERS_INSERT_TRIGGERED: &str = members_insert!("INSERT");
pub(super) const AUDIT_INSERT: &str = "INSERT OR FAIL INTO audit_log (id, at, actor_user_id, actor_name, action, \
     entity, entity_id, county_code, village_code, before, after) \
     VALUES (?1, ?2, ?3, ?4, 'create', 'household', ?5, ?6, ?7, NULL, ?8)";

/// New income records (收支情况) of an import; each row's version is 1 and its timestamps the import's.
pub(super) const INCOMES_INSERT: &str = "INSERT OR FAIL INTO income_records (county_code, id, village_code, \
     household_id, year, wage, business, property, transfer, production_cost, rigid_medical, \
     rigid_education, rigid_disability, rigid_disaster, insurance_payout, members, version, created_at, \
     updated_at) \
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?18)";
/// The `create` audit row of a new income record (entity id `户编号/年度`).
pub(super) const AUDIT_INCOME_INSERT: &str = "INSERT OR FAIL INTO audit_log (id, at, actor_user_id, actor_name, \
     action, entity, entity_id, county_code, village_code, before, after) \
     VALUES (?1, ?2, ?3, ?4, 'create', 'income_record', ?5, ?6, ?7, NULL, ?8)";

/// A timestamp as the entities store it on SQLite (the text sqlx binds for a `DateTime<Utc>`), so that the
/// rows inserted directly read back like the others.
pub(super) fn sqlite_time(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, false)
}

/// Inserts one new household ([`HOUSEHOLDS_INSERT`]), its 户主身份证号 and 联系电话 sealed (`crypto::sealed`):
/// the outer error is the sealing's, the inner one SQLite's.
pub(super) fn insert_household(
    stmt: &mut rusqlite::CachedStatement<'_>,
    keys: &Keys,
    h: &Household,
    v: &Valid,
    id: i64,
    now: &str,
) -> Result<rusqlite::Result<usize>> {
    let head = h
        .members
        .iter()
        .find(|m| m.relation == Relation::Head)
        .or(h.members.first());
    let head_id = head.map(|m| m.id_number.to_string()).unwrap_or_default();
    let (head_id, phone, key_version) = seal_household(keys, &head_id, v.phone.as_deref())?;
    Ok(stmt.execute(rusqlite::params![
        v.county,
        id,
        v.township,
        v.village,
        v.number,
        v.natural_village,
        h.household_type.code(),
        v.address,
        phone,
        h.is_relocated,
        h.monitored_type.map(|t| t.code()),
        join_codes(&h.risks),
        keys.seal(head.map_or("", |m| m.name.trim()), HEAD_NAME)?,
        head_id,
        i32::try_from(h.members.len()).unwrap_or(i32::MAX),
        now,
        key_version,
    ]))
}

/// Inserts one new member ([`MEMBERS_INSERT`]) at `pos` in its household, with its sealed ID number and
/// name, their blind indexes and that key's version (`id_key`, `seal_name`): the outer error is the
/// sealing's, the inner one SQLite's.
#[allow(clippy::too_many_arguments)]
pub(super) fn insert_member(
    stmt: &mut rusqlite::CachedStatement<'_>,
    keys: &Keys,
    m: &Member,
    v: &Valid,
    household_id: i64,
    pos: usize,
    now: &str,
) -> Result<rusqlite::Result<usize>> {
    let (key, key_version) = id_key(keys, m.id_number)?;
    let sealed_id = keys.seal(&m.id_number.to_string(), MEMBER_ID)?;
    let (name, name_key, surname_key) = seal_name(keys, &m.name)?;
    Ok(stmt.execute(rusqlite::params![
        v.county,
        new_id(),
        v.village,
        household_id,
        i32::try_from(pos).unwrap_or(i32::MAX),
        sealed_id,
        key,
        name,
        m.sex.code(),
        m.relation.code(),
        m.labour.code(),
        join_codes(&m.health),
        m.education.map(|e| e.code()),
        m.school.map(|e| e.code()),
        m.political.code(),
        m.has_medical_insurance,
        m.dibao.code(),
        m.tekun.code(),
        m.disability_grade.map(i16::from),
        now,
        key_version,
        name_key,
        surname_key,
    ]))
}

/// Inserts one new income record ([`INCOMES_INSERT`]); `m`'s timestamps are not used (the import's `now`).
pub(super) fn insert_income(
    stmt: &mut rusqlite::CachedStatement<'_>,
    m: &income_records::Model,
    now: &str,
) -> rusqlite::Result<usize> {
    stmt.execute(rusqlite::params![
        m.county_code,
        m.id,
        m.village_code,
        m.household_id,
        m.year,
        m.wage,
        m.business,
        m.property,
        m.transfer,
        m.production_cost,
        m.rigid_medical,
        m.rigid_education,
        m.rigid_disability,
        m.rigid_disaster,
        m.insurance_payout,
        m.members,
        m.version,
        now,
    ])
}
