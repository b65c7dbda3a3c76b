//! Row mapping: the rows of `households` and `members` to the core's [`Household`] and [`Member`] and back,
//! and a list row ([`HouseholdRow`]).

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::{QueryResult, Set};
use shouwang_core::codes::{
    Dibao, Education, HealthStatus, HouseholdType, LabourSkill, MonitoredType, PoliticalStatus,
    Relation, RiskType, SchoolStatus, Sex, Tekun,
};
use shouwang_core::duplicates::normalise_name;
use shouwang_core::surname::{NameQuery, name_query, surname};
use shouwang_core::{CodeList, Household, IdNumber, Member, RegionCode};

use super::HouseholdRow;
use super::checks::Valid;
use crate::crypto::Keys;
use crate::crypto::sealed::{
    FORMER_ID, FORMER_MEMBER, FORMER_NAME, HEAD_ID, HEAD_NAME, MEMBER_ID, MEMBER_NAME, PHONE,
};
use crate::entity::{former_members, households, members};
use crate::error::{Result, StoreError};
use crate::ids::new_id;
use crate::repo::Sql;

pub(crate) fn join_codes<T: CodeList>(v: &[T]) -> String {
    v.iter().map(CodeList::code).collect::<Vec<_>>().join(",")
}

pub(super) fn split_codes<T: CodeList>(s: &str) -> Result<Vec<T>> {
    s.split(',')
        .filter(|c| !c.is_empty())
        .map(|c| T::from_code(c).ok_or_else(|| StoreError::corrupt(c)))
        .collect()
}

pub(super) fn code<T: CodeList>(s: &str) -> Result<T> {
    T::from_code(s).ok_or_else(|| StoreError::corrupt(s))
}

pub(super) fn opt_code<T: CodeList>(s: Option<&str>) -> Result<Option<T>> {
    s.map(code).transpose()
}

pub(super) fn id_number(s: &str) -> Result<IdNumber> {
    IdNumber::parse(s).map_err(|_| StoreError::corrupt(s))
}

/// The ID number's blind index as stored in `members.id_key`, under the current data key, and that key's
/// version (`members.key_version`; [`Keys::id_index`]).
pub(crate) fn id_key(keys: &Keys, id: IdNumber) -> Result<(i64, i32)> {
    Ok((keys.id_index(&id.to_ascii())?, i32::from(keys.current()?)))
}

/// The blind indexes of `id` under every version of the data key ring: an exact search matches any
/// (a rotation may be half-way).
pub(crate) fn id_keys(keys: &Keys, id: IdNumber) -> Vec<i64> {
    keys.id_indexes(&id.to_ascii())
}

/// Appends ` AND h.id IN (…members of ID number `id`…)` to a filter on households `h`: the member's blind
/// index under any version of the key ring (an index lookup on `members(id_key)`); none without a key.
pub(crate) fn push_member_id(sql: &mut Sql, keys: &Keys, id: IdNumber) {
    sql.push(" AND h.id IN (SELECT m.household_id FROM members m WHERE ");
    push_any(sql, "m.id_key", &id_keys(keys, id));
    sql.push(" AND m.county_code = h.county_code)");
}

/// Appends `column = k` (one key), `column IN (…)` (several: a rotation half-way) or `1=0` (none: no key
/// configured) for the blind indexes `keys`.
pub(crate) fn push_any(sql: &mut Sql, column: &str, keys: &[i64]) {
    match keys {
        [] => {
            sql.push("1=0");
        }
        [one] => {
            sql.push(column).push(" = ").bind(*one);
        }
        many => {
            sql.push(column).push(" IN (");
            for (i, k) in many.iter().enumerate() {
                if i > 0 {
                    sql.push(", ");
                }
                sql.bind(*k);
            }
            sql.push(")");
        }
    }
}

/// The condition on members `m` of a name search (`q` as typed): `m.surname_key` for a surname alone
/// (王, 欧阳), else `m.name_key` for the whole name (`shouwang_core::surname::name_query`), under every
/// version of the key ring. A name prefix that is not a surname matches nothing: names are sealed.
pub(crate) fn push_member_name(sql: &mut Sql, keys: &Keys, q: &str) {
    match name_query(q) {
        NameQuery::Surname(s) => push_any(sql, "m.surname_key", &keys.name_indexes(&s)),
        NameQuery::FullName(n) => push_any(sql, "m.name_key", &keys.name_indexes(&n)),
    }
}

/// A member's name as stored (`members.name`, sealed) with its two blind indexes under the current key:
/// `(sealed, name_key, surname_key)`.
pub(crate) fn seal_name(keys: &Keys, name: &str) -> Result<(String, i64, i64)> {
    let name = name.trim();
    let n = normalise_name(name);
    Ok((
        keys.seal(name, MEMBER_NAME)?,
        keys.name_index(&n)?,
        keys.name_index(surname(&n))?,
    ))
}

/// A member row as read, its sealed columns opened (`crypto::sealed`): the only way rows of `members`
/// leave the store's reads.
pub(crate) fn open_member(keys: &Keys, mut m: members::Model) -> Result<members::Model> {
    m.id_number = keys.open(&m.id_number, MEMBER_ID, m.key_version)?;
    m.name = keys.open_name(&m.name, MEMBER_NAME, m.names_plain)?;
    Ok(m)
}

/// [`open_member`] of every row.
pub(crate) fn open_members(keys: &Keys, ms: Vec<members::Model>) -> Result<Vec<members::Model>> {
    ms.into_iter().map(|m| open_member(keys, m)).collect()
}

/// A household row as read, its sealed columns (户主身份证号, 联系电话) opened.
pub(crate) fn open_household(keys: &Keys, mut h: households::Model) -> Result<households::Model> {
    h.head_id_number = keys.open(&h.head_id_number, HEAD_ID, h.key_version)?;
    h.phone = keys.open_opt(h.phone.as_deref(), PHONE, h.key_version)?;
    h.head_name = keys.open_name(&h.head_name, HEAD_NAME, h.names_plain)?;
    Ok(h)
}

/// A former member's row as read, its sealed columns opened.
pub(crate) fn open_former(
    keys: &Keys,
    mut f: former_members::Model,
) -> Result<former_members::Model> {
    f.id_number = keys.open(&f.id_number, FORMER_ID, f.key_version)?;
    f.member = keys.open(&f.member, FORMER_MEMBER, f.key_version)?;
    f.name = keys.open_name(&f.name, FORMER_NAME, f.names_plain)?;
    Ok(f)
}

/// The sealed 户主身份证号 and 联系电话 of a household written now, and the key version.
pub(crate) fn seal_household(
    keys: &Keys,
    head_id: &str,
    phone: Option<&str>,
) -> Result<(String, Option<String>, i32)> {
    Ok((
        keys.seal(head_id, HEAD_ID)?,
        keys.seal_opt(phone, PHONE)?,
        i32::from(keys.current()?),
    ))
}

pub(crate) fn to_member(m: &members::Model) -> Result<Member> {
    Ok(Member {
        id_number: id_number(&m.id_number)?,
        name: m.name.clone(),
        sex: code::<Sex>(&m.sex)?,
        relation: code::<Relation>(&m.relation)?,
        labour: code::<LabourSkill>(&m.labour)?,
        health: split_codes::<HealthStatus>(&m.health)?,
        education: opt_code::<Education>(m.education.as_deref())?,
        school: opt_code::<SchoolStatus>(m.school.as_deref())?,
        political: code::<PoliticalStatus>(&m.political)?,
        has_medical_insurance: m.has_medical_insurance,
        dibao: code::<Dibao>(&m.dibao)?,
        tekun: code::<Tekun>(&m.tekun)?,
        disability_grade: m
            .disability_grade
            .map(|g| u8::try_from(g).map_err(|_| StoreError::corrupt(g)))
            .transpose()?,
    })
}

pub(crate) fn to_household(h: &households::Model, ms: &[members::Model]) -> Result<Household> {
    Ok(Household {
        number: h.number.clone(),
        village: RegionCode::parse(&h.village_code)
            .map_err(|_| StoreError::corrupt(&h.village_code))?,
        natural_village: h.natural_village.clone(),
        household_type: code::<HouseholdType>(&h.household_type)?,
        address: h.address.clone(),
        phone: h.phone.clone(),
        is_relocated: h.is_relocated,
        monitored_type: opt_code::<MonitoredType>(h.monitored_type.as_deref())?,
        risks: split_codes::<RiskType>(&h.risks)?,
        members: ms.iter().map(to_member).collect::<Result<_>>()?,
    })
}

/// 户主: the first member marked 户主, else the first member.
pub(super) fn head_of<'a>(
    ms: impl IntoIterator<Item = (&'a str, &'a str, &'a str)> + Clone,
) -> (String, String) {
    let head = ms
        .clone()
        .into_iter()
        .find(|(_, _, rel)| *rel == Relation::Head.code())
        .or_else(|| ms.into_iter().next());
    head.map(|(name, id, _)| (name.to_owned(), id.to_owned()))
        .unwrap_or_default()
}

pub(crate) fn member_model(
    keys: &Keys,
    v: &Valid,
    household_id: i64,
    position: i32,
    m: &Member,
    now: DateTime<Utc>,
) -> Result<members::ActiveModel> {
    let (id_key, key_version) = id_key(keys, m.id_number)?;
    let (name, name_key, surname_key) = seal_name(keys, &m.name)?;
    Ok(members::ActiveModel {
        county_code: Set(v.county.clone()),
        id: Set(new_id()),
        village_code: Set(v.village.clone()),
        household_id: Set(household_id),
        position: Set(position),
        id_number: Set(keys.seal(&m.id_number.to_string(), MEMBER_ID)?),
        id_key: Set(id_key),
        key_version: Set(key_version),
        name: Set(name),
        name_key: Set(Some(name_key)),
        surname_key: Set(Some(surname_key)),
        names_plain: Set(false),
        sex: Set(m.sex.code().to_owned()),
        relation: Set(m.relation.code().to_owned()),
        labour: Set(m.labour.code().to_owned()),
        health: Set(join_codes(&m.health)),
        education: Set(m.education.map(|e| e.code().to_owned())),
        school: Set(m.school.map(|e| e.code().to_owned())),
        political: Set(m.political.code().to_owned()),
        has_medical_insurance: Set(m.has_medical_insurance),
        dibao: Set(m.dibao.code().to_owned()),
        tekun: Set(m.tekun.code().to_owned()),
        disability_grade: Set(m.disability_grade.map(i16::from)),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
    })
}

pub(crate) fn household_model(
    keys: &Keys,
    v: &Valid,
    h: &Household,
    id: i64,
    now: DateTime<Utc>,
) -> Result<households::ActiveModel> {
    let head = h
        .members
        .iter()
        .find(|m| m.relation == Relation::Head)
        .or(h.members.first());
    let head_name = head.map(|m| m.name.trim().to_owned()).unwrap_or_default();
    let head_id_number = head.map(|m| m.id_number.to_string()).unwrap_or_default();
    let (head_id_number, phone, key_version) =
        seal_household(keys, &head_id_number, v.phone.as_deref())?;
    Ok(households::ActiveModel {
        county_code: Set(v.county.clone()),
        id: Set(id),
        township_code: Set(v.township.clone()),
        village_code: Set(v.village.clone()),
        number: Set(v.number.clone()),
        natural_village: Set(v.natural_village.clone()),
        household_type: Set(h.household_type.code().to_owned()),
        address: Set(v.address.clone()),
        phone: Set(phone),
        is_relocated: Set(h.is_relocated),
        monitored_type: Set(h.monitored_type.map(|t| t.code().to_owned())),
        risks: Set(join_codes(&h.risks)),
        head_name: Set(keys.seal(&head_name, HEAD_NAME)?),
        names_plain: Set(false),
        head_id_number: Set(head_id_number),
        size: Set(i32::try_from(h.members.len()).unwrap_or(i32::MAX)),
        version: Set(1),
        key_version: Set(key_version),
        created_at: Set(now),
        updated_at: Set(now),
    })
}

/// A list row of [`super::ROW_COLS`], the 户主身份证号 opened.
pub(crate) fn row(
    keys: &Keys,
    r: &QueryResult,
    names: &HashMap<String, String>,
) -> Result<HouseholdRow> {
    let village_code: String = r.try_get("", "village_code")?;
    let head_id = keys.open(
        &r.try_get::<String>("", "head_id_number")?,
        HEAD_ID,
        r.try_get("", "key_version")?,
    )?;
    let size: i32 = r.try_get("", "size")?;
    let monitored: Option<String> = r.try_get("", "monitored_type")?;
    Ok(HouseholdRow {
        number: r.try_get("", "number")?,
        village_name: names.get(&village_code).cloned().unwrap_or_default(),
        village_code,
        head_name: keys.open_name(
            &r.try_get::<String>("", "head_name")?,
            HEAD_NAME,
            r.try_get("", "names_plain")?,
        )?,
        head_id: id_number(&head_id)?,
        size: u32::try_from(size).unwrap_or(0),
        household_type: code(&r.try_get::<String>("", "household_type")?)?,
        monitored_type: opt_code(monitored.as_deref())?,
    })
}
