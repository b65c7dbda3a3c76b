//! Households and members (农户与家庭成员): search, detail, create, update, delete.
//!
//! Reads take a [`Scope`] and filter by its area in the SQL (a household outside the area is `Ok(None)` /
//! absent from a search, exactly as if it did not exist). Writes take an [`Actor`], run in one transaction
//! with their audit rows, and updates check the row's version (`StaleVersion` otherwise, nothing written).
//!
//! Search keys (one box, [`HouseholdQuery::q`]): a full resident ID number (any member), a 户编号 (exact or
//! prefix), or a member's name (exact or prefix). Every key is answered from an index by equality or a
//! range predicate (`name >= 'p' AND name < 'p' || U+10FFFF`), never `LIKE`, which SQLite cannot serve
//! from an ordinary index.

use std::collections::{BTreeSet, HashMap};

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseTransaction, DbBackend, EntityTrait,
    QueryFilter, QueryOrder, QueryResult, Set,
};
use serde::Serialize;
use shouwang_core::codes::{
    Dibao, Education, HealthStatus, HouseholdType, LabourSkill, MonitoredType, PoliticalStatus,
    Relation, RiskType, SchoolStatus, Sex, Tekun,
};
use shouwang_core::household::MAX_RISKS;
use shouwang_core::{CodeList, Household, IdNumber, IncomeRecord, Member, RegionCode, Scope};

use super::audit::{self, Change};
use super::income::{self, IncomeEntry};
use super::{Actor, DEFAULT_PER_PAGE, Page, Sql, paging, prefix_upper, to_json};
use crate::db::Db;
use crate::entity::{households, income_records, members, regions};
use crate::error::{Result, StoreError};
use crate::ids::new_id;

/// Search parameters of [`search`]. All `None`: every household in the scope.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HouseholdQuery {
    /// A full ID number (居民身份证号码) of any member, a 户编号 (exact or prefix), or a member's name (exact or
    /// prefix). Blank = no text filter.
    pub q: Option<String>,
    /// Only this region (a township or village code, prefix or padded; a natural-village code also works).
    /// Intersected with the scope: a region outside it gives no rows.
    pub village: Option<String>,
    /// Only this household type. `Some(HouseholdType::Monitored)` means 监测户 as
    /// `Household::is_monitored` has it: type 监测户 **or** a 监测对象类别 set (a 脱贫不稳定户 keeps its type
    /// 脱贫户); the other types compare the stored type only.
    pub household_type: Option<HouseholdType>,
}

/// One row of a household list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct HouseholdRow {
    /// 户编号.
    pub number: String,
    pub village_code: String,
    /// Name of the village (empty if the region is missing from the registry).
    pub village_name: String,
    /// 户主姓名 (or the first member's name if no member is marked 户主).
    pub head_name: String,
    /// 户主身份证号 (full: mask it with `Scope::show_id` before showing).
    pub head_id: IdNumber,
    /// 家庭人口.
    pub size: u32,
    pub household_type: HouseholdType,
    pub monitored_type: Option<MonitoredType>,
}

/// A household with everything the detail page shows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct HouseholdDetail {
    /// Row id (with `county_code`, the primary key).
    pub id: i64,
    /// Version of the household row, for [`update`], [`add_member`], [`remove_member`], [`delete`].
    pub version: i64,
    pub household: Household,
    /// Version of each member row, same order as `household.members`, for [`update_member`].
    pub member_versions: Vec<i64>,
    /// Income records, by year.
    pub incomes: Vec<IncomeEntry>,
    pub county_code: String,
    pub county_name: Option<String>,
    pub township_code: String,
    pub township_name: Option<String>,
    pub village_name: Option<String>,
    pub natural_village_name: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

// ---------------------------------------------------------------------------------------------------------
// Conversions between the core types and the rows.

pub(crate) fn join_codes<T: CodeList>(v: &[T]) -> String {
    v.iter().map(CodeList::code).collect::<Vec<_>>().join(",")
}

fn split_codes<T: CodeList>(s: &str) -> Result<Vec<T>> {
    s.split(',')
        .filter(|c| !c.is_empty())
        .map(|c| T::from_code(c).ok_or_else(|| StoreError::corrupt(c)))
        .collect()
}

fn code<T: CodeList>(s: &str) -> Result<T> {
    T::from_code(s).ok_or_else(|| StoreError::corrupt(s))
}

fn opt_code<T: CodeList>(s: Option<&str>) -> Result<Option<T>> {
    s.map(code).transpose()
}

fn id_number(s: &str) -> Result<IdNumber> {
    IdNumber::parse(s).map_err(|_| StoreError::corrupt(s))
}

/// The packed ID key as stored (`u64` bits reinterpreted; the packing stays below `i64::MAX` anyway).
pub(crate) fn id_key(id: IdNumber) -> i64 {
    i64::from_ne_bytes(id.to_u64().to_ne_bytes())
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

/// A checked household, ready to be written.
pub(crate) struct Valid {
    pub(crate) county: String,
    pub(crate) township: String,
    pub(crate) village: String,
    pub(crate) number: String,
    pub(crate) natural_village: Option<String>,
    pub(crate) address: String,
    pub(crate) phone: Option<String>,
}

fn invalid(s: impl Into<String>) -> StoreError {
    StoreError::Invalid(s.into())
}

fn check_member(m: &Member) -> Result<()> {
    let n = m.name.trim().chars().count();
    if n == 0 || n > 64 {
        return Err(invalid(format!(
            "member {}: name must have 1 to 64 characters (成员姓名不能为空)",
            m.id_number.masked()
        )));
    }
    if m.health.len() > 8 {
        return Err(invalid("too many health statuses"));
    }
    Ok(())
}

/// Checks the household-level fields (not the members).
fn check_fields(h: &Household) -> Result<Valid> {
    let number = h.number.trim();
    if number.is_empty() || number.chars().count() > 64 || number.chars().any(char::is_whitespace) {
        return Err(invalid(
            "household number (户编号) must have 1 to 64 characters without spaces",
        ));
    }
    if h.village.code_level() != shouwang_core::codes::RegionLevel::Village {
        return Err(invalid(format!(
            "household village must be a 12-digit village or settlement code (户所在村应为 12 位村级代码), got {}",
            h.village
        )));
    }
    let natural_village = match h.natural_village.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(nv) => {
            let code = RegionCode::parse(nv).map_err(|e| {
                invalid(format!("natural village {nv:?}: {e} ({})", e.message_zh()))
            })?;
            if code.village() != h.village.as_str() || code.as_str().len() <= 12 {
                return Err(invalid(format!(
                    "natural village {nv} is not under village {} (自然村不属于该村)",
                    h.village
                )));
            }
            Some(code.as_str().to_owned())
        }
    };
    if h.risks.len() > MAX_RISKS {
        return Err(invalid(format!(
            "at most {MAX_RISKS} risk types per household (风险类型最多 {MAX_RISKS} 项)"
        )));
    }
    if h.address.chars().count() > 200 {
        return Err(invalid("address too long (地址过长)"));
    }
    Ok(Valid {
        county: h.village.county().to_owned(),
        township: h.village.township().to_owned(),
        village: h.village.as_str().to_owned(),
        number: number.to_owned(),
        natural_village,
        address: h.address.trim().to_owned(),
        phone: h
            .phone
            .as_deref()
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(str::to_owned),
    })
}

/// Checks a whole new household: fields, at least one member, members, no ID number twice.
pub(crate) fn check_household(h: &Household) -> Result<Valid> {
    let v = check_fields(h)?;
    if h.members.is_empty() {
        return Err(invalid(
            "a household needs at least one member (农户至少应有一名成员)",
        ));
    }
    let mut seen = BTreeSet::new();
    for m in &h.members {
        check_member(m)?;
        if !seen.insert(m.id_number) {
            return Err(invalid(format!(
                "ID number {} appears twice in the household (同一身份证号重复)",
                m.id_number
            )));
        }
    }
    Ok(v)
}

/// 户主: the first member marked 户主, else the first member.
fn head_of<'a>(
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
    v: &Valid,
    household_id: i64,
    position: i32,
    m: &Member,
    now: DateTime<Utc>,
) -> members::ActiveModel {
    members::ActiveModel {
        county_code: Set(v.county.clone()),
        id: Set(new_id()),
        village_code: Set(v.village.clone()),
        household_id: Set(household_id),
        position: Set(position),
        id_number: Set(m.id_number.to_string()),
        id_key: Set(id_key(m.id_number)),
        name: Set(m.name.trim().to_owned()),
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
    }
}

pub(crate) fn household_model(
    v: &Valid,
    h: &Household,
    id: i64,
    now: DateTime<Utc>,
) -> households::ActiveModel {
    let head = h
        .members
        .iter()
        .find(|m| m.relation == Relation::Head)
        .or(h.members.first());
    let head_name = head.map(|m| m.name.trim().to_owned()).unwrap_or_default();
    let head_id_number = head.map(|m| m.id_number.to_string()).unwrap_or_default();
    households::ActiveModel {
        county_code: Set(v.county.clone()),
        id: Set(id),
        township_code: Set(v.township.clone()),
        village_code: Set(v.village.clone()),
        number: Set(v.number.clone()),
        natural_village: Set(v.natural_village.clone()),
        household_type: Set(h.household_type.code().to_owned()),
        address: Set(v.address.clone()),
        phone: Set(v.phone.clone()),
        is_relocated: Set(h.is_relocated),
        monitored_type: Set(h.monitored_type.map(|t| t.code().to_owned())),
        risks: Set(join_codes(&h.risks)),
        head_name: Set(head_name),
        head_id_number: Set(head_id_number),
        size: Set(i32::try_from(h.members.len()).unwrap_or(i32::MAX)),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
    }
}

// ---------------------------------------------------------------------------------------------------------
// Area of a read.

/// The effective area of a read: the scope's area narrowed by an optional region filter. `None` when the
/// two do not overlap (or the scope's area is empty): the read answers nothing.
pub(crate) fn effective_area(scope: &Scope, region: Option<&str>) -> Option<String> {
    let area = scope.area_prefix().to_owned();
    let well_formed = |a: &str| a.bytes().all(|b| b.is_ascii_digit() || b == b'-');
    if area.is_empty() || !well_formed(&area) {
        return None;
    }
    let Some(region) = region.map(str::trim).filter(|r| !r.is_empty()) else {
        return Some(area);
    };
    // A region filter that is no region code matches nothing.
    let filter = RegionCode::parse(region).ok()?.scope_prefix().to_owned();
    if filter.starts_with(&area) {
        Some(filter)
    } else if area.starts_with(&filter) {
        Some(area)
    } else {
        None
    }
}

/// Appends ` AND …` conditions restricting households `h` to `area` (all by equality where the area is a
/// county, township, village or natural village, so the composite indexes are used).
pub(crate) fn push_household_area(sql: &mut Sql, area: &str) {
    if area.len() < 6 {
        sql.push(" AND h.county_code >= ")
            .bind(area)
            .push(" AND h.county_code < ")
            .bind(prefix_upper(area));
        return;
    }
    sql.push(" AND h.county_code = ")
        .bind(area.get(..6).unwrap_or(area));
    match area.len() {
        6 => {}
        9 => {
            sql.push(" AND h.township_code = ").bind(area);
        }
        12 => {
            sql.push(" AND h.village_code = ").bind(area);
        }
        n if n > 12 && area.as_bytes().get(12) == Some(&b'-') => {
            sql.push(" AND h.village_code = ")
                .bind(area.get(..12).unwrap_or(area))
                .push(" AND h.natural_village = ")
                .bind(area);
        }
        _ => {
            sql.push(" AND h.village_code >= ")
                .bind(area)
                .push(" AND h.village_code < ")
                .bind(prefix_upper(area));
        }
    }
}

/// Same for a table `alias` with `county_code` and `village_code` columns (members `m`, initials `k`):
/// county equality, village prefix as a range (inside the name index / the initials key). A natural-village
/// area is narrowed to its village here; the caller adds the `h.natural_village` condition.
fn push_area_on(sql: &mut Sql, alias: &str, area: &str) {
    let (Some(county), true) = (area.get(..6), area.len() >= 6) else {
        sql.push(&format!(" AND {alias}.county_code >= "))
            .bind(area)
            .push(&format!(" AND {alias}.county_code < "))
            .bind(prefix_upper(area));
        return;
    };
    sql.push(&format!(" AND {alias}.county_code = "))
        .bind(county);
    if area.len() > 6 {
        let village_part = area.get(..12).unwrap_or(area);
        sql.push(&format!(" AND {alias}.village_code >= "))
            .bind(village_part)
            .push(&format!(" AND {alias}.village_code < "))
            .bind(prefix_upper(village_part));
    }
}

// ---------------------------------------------------------------------------------------------------------
// Search.

/// What the search box text means.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Key {
    All,
    IdNumber(IdNumber),
    Number(String),
    Name(String),
}

fn classify(q: Option<&str>) -> Key {
    let Some(t) = q.map(str::trim).filter(|t| !t.is_empty()) else {
        return Key::All;
    };
    if let Ok(id) = IdNumber::parse(t) {
        return Key::IdNumber(id);
    }
    if t.starts_with(|c: char| c.is_ascii_digit()) {
        return Key::Number(t.chars().filter(|c| !c.is_whitespace()).collect());
    }
    Key::Name(t.to_owned())
}

pub(crate) const ROW_COLS: &str = "h.number, h.village_code, h.head_name, h.head_id_number, h.size, \
                        h.household_type, h.monitored_type";

/// The SQL of one search: the page query, and the count query.
struct SearchSql {
    page: Sql,
    count: Sql,
    /// The count is an index count that is always run; otherwise it is run only when the page does not
    /// tell the total by itself.
    count_always: bool,
}

fn build_search(
    backend: DbBackend,
    area: &str,
    key: &Key,
    query: &HouseholdQuery,
    per_page: u32,
    offset: u64,
) -> SearchSql {
    let limit = |sql: &mut Sql| {
        sql.push(" LIMIT ")
            .bind(i64::from(per_page))
            .push(" OFFSET ")
            .bind(i64::try_from(offset).unwrap_or(i64::MAX));
    };
    // On SQLite the name index is named, so that the planner never trades it for a scan of the county's
    // members in household order (which it did after ANALYZE for large ranges).
    let members_by_name = match backend {
        DbBackend::Sqlite => "members m INDEXED BY idx_members_name",
        _ => "members m",
    };

    // One-character name: the initials table (see the migration m20250601_000002_member_initials).
    if let Key::Name(name) = key
        && name.chars().count() == 1
    {
        let mut filter = Sql::new();
        filter.push(" WHERE k.initial = ").bind(name.as_str());
        push_area_on(&mut filter, "k", area);
        match query.household_type {
            Some(HouseholdType::Monitored) => {
                filter.push(" AND k.is_monitored = ").bind(true);
            }
            Some(t) => {
                filter.push(" AND k.household_type = ").bind(t.code());
            }
            None => {}
        }
        let natural = area.len() > 12;
        if natural {
            filter.push(" AND h.natural_village = ").bind(area);
        }
        let from = " FROM member_initials k CROSS JOIN households h";
        let join = " AND h.county_code = k.county_code AND h.id = k.household_id";
        let mut page = Sql::new();
        page.push("SELECT ")
            .push(ROW_COLS)
            .push(from)
            .append(&filter)
            .push(join)
            .push(" ORDER BY k.number, k.county_code");
        limit(&mut page);
        let mut count = Sql::new();
        if natural {
            count
                .push("SELECT COUNT(*) AS n")
                .push(from)
                .append(&filter)
                .push(join);
        } else {
            count
                .push("SELECT COUNT(*) AS n FROM member_initials k")
                .append(&filter);
        }
        return SearchSql {
            page,
            count,
            count_always: true,
        };
    }

    // WHERE clause on households `h` (shared by the page query and the count).
    let mut filter = Sql::new();
    filter.push(" WHERE 1=1");
    push_household_area(&mut filter, area);
    match query.household_type {
        Some(HouseholdType::Monitored) => {
            filter
                .push(" AND (h.household_type = ")
                .bind(HouseholdType::Monitored.code())
                .push(" OR h.monitored_type IS NOT NULL)");
        }
        Some(t) => {
            filter.push(" AND h.household_type = ").bind(t.code());
        }
        None => {}
    }
    match key {
        Key::All => {}
        Key::IdNumber(id) => {
            filter
                .push(" AND h.id IN (SELECT m.household_id FROM members m WHERE m.id_key = ")
                .bind(id_key(*id))
                .push(" AND m.county_code = h.county_code)");
        }
        Key::Number(n) => {
            filter
                .push(" AND h.number >= ")
                .bind(n.as_str())
                .push(" AND h.number < ")
                .bind(prefix_upper(n));
        }
        Key::Name(name) => {
            filter
                .push(" AND h.id IN (SELECT m.household_id FROM ")
                .push(members_by_name)
                .push(" WHERE m.name >= ")
                .bind(name.as_str())
                .push(" AND m.name < ")
                .bind(prefix_upper(name));
            push_area_on(&mut filter, "m", area);
            filter.push(")");
        }
    }

    let mut page = Sql::new();
    page.push("SELECT ")
        .push(ROW_COLS)
        .push(" FROM households h");
    page.append(&filter);
    page.push(" ORDER BY h.number, h.county_code");
    limit(&mut page);

    // Total: for a name search without a type filter (and not in a natural village), distinct households
    // straight from the name index; otherwise a count over the same filter (served by the same indexes).
    let mut count = Sql::new();
    let count_always = match key {
        Key::Name(name) if query.household_type.is_none() && area.len() <= 12 => {
            count
                .push("SELECT COUNT(DISTINCT m.household_id) AS n FROM ")
                .push(members_by_name)
                .push(" WHERE m.name >= ")
                .bind(name.as_str())
                .push(" AND m.name < ")
                .bind(prefix_upper(name));
            push_area_on(&mut count, "m", area);
            true
        }
        _ => {
            count
                .push("SELECT COUNT(*) AS n FROM households h")
                .append(&filter);
            false
        }
    };
    SearchSql {
        page,
        count,
        count_always,
    }
}

/// Households in the scope matching the query, by 户编号, one page at a time.
///
/// `page` is 1-based (0 counts as 1); `per_page` 0 means 20, at most 500. `total` counts every match.
/// Query plans (SQLite; see [`explain_search`], the plan test and the 100,000-household timing test):
/// - no text: `households` by `(county_code|township_code|village_code, number)`, in order, `LIMIT`;
///   `total` by a count over the same index;
/// - ID number: `members(id_key)` → household by primary key;
/// - 户编号: range on `(county_code, number)`;
/// - one-character name (a surname, `王`): the `member_initials` key `(county_code, initial, number)` in
///   户编号 order (area and type checked inside the key), `LIMIT`; `total` counted on the key;
/// - longer name prefix or full name: range on `members(county_code, name, village_code, household_id)`
///   (area filtered inside the index) → households by primary key, sorted; `total` from the same range.
pub async fn search(
    db: &Db,
    scope: &Scope,
    query: &HouseholdQuery,
    page: u32,
    per_page: u32,
) -> Result<Page<HouseholdRow>> {
    let (page, per_page, offset) = paging(page, per_page);
    let Some(area) = effective_area(scope, query.village.as_deref()) else {
        return Ok(Page {
            items: Vec::new(),
            total: 0,
            page,
            per_page,
        });
    };
    let key = classify(query.q.as_deref());
    let backend = db.backend();
    let sql = build_search(backend, &area, &key, query, per_page, offset);
    let rows = db.conn().query_all_raw(sql.page.build(backend)).await?;
    let page_tells_total = rows.len() < per_page as usize && (offset == 0 || !rows.is_empty());
    let total = if !sql.count_always && page_tells_total {
        offset + rows.len() as u64
    } else {
        super::count(db.conn(), sql.count.build(backend)).await?
    };

    let village_codes: BTreeSet<String> = rows
        .iter()
        .filter_map(|r| r.try_get::<String>("", "village_code").ok())
        .collect();
    let names = region_names(db.conn(), village_codes.into_iter().collect()).await?;
    let items = rows
        .iter()
        .map(|r| row(r, &names))
        .collect::<Result<Vec<_>>>()?;
    Ok(Page {
        items,
        total,
        page,
        per_page,
    })
}

/// The database's plan for the page query and the count query of a search (SQLite `EXPLAIN QUERY PLAN`,
/// PostgreSQL `EXPLAIN`), one line per step, the page query's first, then `--`, then the count's. For
/// checking that every search is served by an index.
pub async fn explain_search(db: &Db, scope: &Scope, query: &HouseholdQuery) -> Result<Vec<String>> {
    let Some(area) = effective_area(scope, query.village.as_deref()) else {
        return Ok(Vec::new());
    };
    let key = classify(query.q.as_deref());
    let backend = db.backend();
    let sql = build_search(backend, &area, &key, query, DEFAULT_PER_PAGE, 0);
    let prefix = match backend {
        DbBackend::Sqlite => "EXPLAIN QUERY PLAN ",
        _ => "EXPLAIN ",
    };
    let mut out = Vec::new();
    for (i, part) in [sql.page, sql.count].into_iter().enumerate() {
        if i > 0 {
            out.push("--".to_owned());
        }
        let mut stmt = part.build(backend);
        stmt.sql = format!("{prefix}{}", stmt.sql);
        for r in db.conn().query_all_raw(stmt).await? {
            let line = match backend {
                DbBackend::Sqlite => r.try_get::<String>("", "detail")?,
                _ => r.try_get_by_index::<String>(0)?,
            };
            out.push(line);
        }
    }
    Ok(out)
}

pub(crate) fn row(r: &QueryResult, names: &HashMap<String, String>) -> Result<HouseholdRow> {
    let village_code: String = r.try_get("", "village_code")?;
    let size: i32 = r.try_get("", "size")?;
    let monitored: Option<String> = r.try_get("", "monitored_type")?;
    Ok(HouseholdRow {
        number: r.try_get("", "number")?,
        village_name: names.get(&village_code).cloned().unwrap_or_default(),
        village_code,
        head_name: r.try_get("", "head_name")?,
        head_id: id_number(&r.try_get::<String>("", "head_id_number")?)?,
        size: u32::try_from(size).unwrap_or(0),
        household_type: code(&r.try_get::<String>("", "household_type")?)?,
        monitored_type: opt_code(monitored.as_deref())?,
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

// ---------------------------------------------------------------------------------------------------------
// Detail.

/// The household row with this 户编号 inside `area`.
async fn find_in_area(
    conn: &impl ConnectionTrait,
    area: &str,
    number: &str,
) -> Result<Option<households::Model>> {
    let mut sql = Sql::new();
    sql.push("SELECT h.* FROM households h WHERE h.number = ")
        .bind(number.trim());
    push_household_area(&mut sql, area);
    sql.push(" ORDER BY h.county_code LIMIT 1");
    let stmt = sql.build(conn.get_database_backend());
    Ok(households::Entity::find()
        .from_raw_sql(stmt)
        .one(conn)
        .await?)
}

pub(crate) async fn members_of(
    conn: &impl ConnectionTrait,
    h: &households::Model,
) -> Result<Vec<members::Model>> {
    Ok(members::Entity::find()
        .filter(members::Column::CountyCode.eq(h.county_code.as_str()))
        .filter(members::Column::HouseholdId.eq(h.id))
        .order_by_asc(members::Column::Position)
        .order_by_asc(members::Column::Id)
        .all(conn)
        .await?)
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
    detail(db.conn(), h).await.map(Some)
}

async fn detail(conn: &impl ConnectionTrait, h: households::Model) -> Result<HouseholdDetail> {
    let ms = members_of(conn, &h).await?;
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
    Ok(HouseholdDetail {
        id: h.id,
        version: h.version,
        household,
        member_versions: ms.iter().map(|m| m.version).collect(),
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

// ---------------------------------------------------------------------------------------------------------
// Writes.

/// Pre-checks a new household's unique keys for readable `Conflict` messages.
async fn check_unique(tx: &DatabaseTransaction, v: &Valid, h: &Household) -> Result<()> {
    let taken = households::Entity::find()
        .filter(households::Column::CountyCode.eq(v.county.as_str()))
        .filter(households::Column::Number.eq(v.number.as_str()))
        .one(tx)
        .await?;
    if taken.is_some() {
        return Err(StoreError::Conflict(format!(
            "household number {} already exists in county {} (户编号已存在)",
            v.number, v.county
        )));
    }
    let ids: Vec<String> = h.members.iter().map(|m| m.id_number.to_string()).collect();
    check_ids_free(tx, &v.county, ids).await
}

async fn check_ids_free(tx: &DatabaseTransaction, county: &str, ids: Vec<String>) -> Result<()> {
    let dup = members::Entity::find()
        .filter(members::Column::CountyCode.eq(county))
        .filter(members::Column::IdNumber.is_in(ids))
        .one(tx)
        .await?;
    match dup {
        Some(m) => Err(StoreError::Conflict(format!(
            "ID number {} is already registered in this county (该身份证号已在本县登记)",
            m.id_number
        ))),
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
    check_unique(&tx, &v, household).await?;
    let id = insert(&tx, actor, &v, household, &[]).await?;
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
    actor: &Actor,
    v: &Valid,
    household: &Household,
    incomes: &[IncomeRecord],
) -> Result<i64> {
    let now = Utc::now();
    let id = new_id();
    let h = household_model(v, household, id, now)
        .insert(tx)
        .await
        .map_err(|e| StoreError::from_write(e, &format!("household {}", v.number)))?;
    let mut ms = Vec::with_capacity(household.members.len());
    for (i, m) in household.members.iter().enumerate() {
        let model = member_model(v, id, i32::try_from(i).unwrap_or(i32::MAX), m, now)
            .insert(tx)
            .await
            .map_err(|e| StoreError::from_write(e, &format!("member {}", m.id_number)))?;
        ms.push(model);
    }
    let mut after = audit_json(&h, &ms)?;
    if !incomes.is_empty() {
        let mut rows = Vec::with_capacity(incomes.len());
        for rec in incomes {
            rows.push(income::insert_row(tx, &h, rec, now).await?);
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
        ids.push(insert(&tx, actor, v, h, incomes).await?);
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
async fn member_version_now(tx: &DatabaseTransaction, county: &str, id: i64) -> Result<i64> {
    Ok(members::Entity::find_by_id((county.to_owned(), id))
        .one(tx)
        .await?
        .map_or(0, |m| m.version))
}

/// Deletes a household's income records, its members and the household row at `expected_version`, in
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

/// Recomputes the denormalised head name, head ID and size of a household from its members.
pub(crate) async fn refresh_head(tx: &DatabaseTransaction, h: &households::Model) -> Result<()> {
    let ms = members_of(tx, h).await?;
    let (head_name, head_id) = head_of(
        ms.iter()
            .map(|m| (m.name.as_str(), m.id_number.as_str(), m.relation.as_str()))
            .collect::<Vec<_>>(),
    );
    households::Entity::update_many()
        .col_expr(households::Column::HeadName, Expr::value(head_name))
        .col_expr(households::Column::HeadIdNumber, Expr::value(head_id))
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
        return Err(invalid(
            "a household cannot move to another county (不能迁移到其他县)",
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
            return Err(StoreError::Conflict(format!(
                "household number {} already exists (户编号已存在)",
                v.number
            )));
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
        .col_expr(households::Column::Phone, Expr::value(v.phone.clone()))
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
        .map_err(|e| StoreError::from_write(e, &format!("household {}", v.number)))?;
    if res.rows_affected != 1 {
        return Err(stale(
            expected_version,
            household_version_now(&tx, &before.county_code, before.id).await?,
        ));
    }
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
        .map_err(|e| StoreError::from_write(e, &format!("member {}", member.id_number)))?;
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

pub(crate) fn valid_of(h: &households::Model) -> Valid {
    Valid {
        county: h.county_code.clone(),
        township: h.township_code.clone(),
        village: h.village_code.clone(),
        number: h.number.clone(),
        natural_village: h.natural_village.clone(),
        address: h.address.clone(),
        phone: h.phone.clone(),
    }
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
        return Err(invalid(
            "cannot remove the last member; delete the household instead (不能删除最后一名成员)",
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
    let ms = members_of(&tx, &h).await?;
    let incomes = income_records::Entity::find()
        .filter(income_records::Column::CountyCode.eq(h.county_code.as_str()))
        .filter(income_records::Column::HouseholdId.eq(h.id))
        .all(&tx)
        .await?;
    let mut before = audit_json(&h, &ms)?;
    before["incomes"] = to_json(&incomes)?;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classify_keys() {
        assert_eq!(classify(None), Key::All);
        assert_eq!(classify(Some("  ")), Key::All);
        assert!(matches!(
            classify(Some("11010519491231002X")),
            Key::IdNumber(_)
        ));
        assert!(matches!(
            classify(Some("11010519491231002x ")),
            Key::IdNumber(_)
        ));
        assert_eq!(
            classify(Some("1411231002010001")),
            Key::Number("1411231002010001".to_owned())
        );
        assert_eq!(classify(Some(" 王 ")), Key::Name("王".to_owned()));
    }

    #[test]
    fn effective_areas() {
        let s = Scope::new(1, shouwang_core::Role::TownshipAdmin, "141123100");
        assert_eq!(effective_area(&s, None).as_deref(), Some("141123100"));
        assert_eq!(
            effective_area(&s, Some("141123100201")).as_deref(),
            Some("141123100201")
        );
        assert_eq!(
            effective_area(&s, Some("141123")).as_deref(),
            Some("141123100")
        );
        assert_eq!(effective_area(&s, Some("141123101201")), None);
        let empty = Scope::new(1, shouwang_core::Role::Auditor, "");
        assert_eq!(effective_area(&empty, None), None);
    }
}
