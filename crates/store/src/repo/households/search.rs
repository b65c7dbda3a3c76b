//! Search 农户检索: one box (ID number, 户编号, name), a region and a household type, answered from indexes.

use std::collections::BTreeSet;

use sea_orm::{ConnectionTrait, DbBackend};
use shouwang_core::codes::HouseholdType;
use shouwang_core::surname::{NameQuery, name_query};
use shouwang_core::{CodeList, IdNumber, Scope};

use super::reads::region_names;
use super::rows::{push_any, push_member_id, push_member_name, row};
use super::{HouseholdQuery, HouseholdRow};
use crate::crypto::Keys;
use crate::db::Db;
use crate::error::Result;
use crate::repo::area::{Area, effective_area};
use crate::repo::{DEFAULT_PER_PAGE, Page, Sql, paging, prefix_upper};

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
                        h.household_type, h.monitored_type, h.key_version, h.names_plain";

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
    keys: &Keys,
    area: &Area,
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
        DbBackend::Sqlite => "members m INDEXED BY idx_members_name_key",
        _ => "members m",
    };

    // A surname alone: the initials table, keyed by the surname's blind index (see the migrations
    // m20250601_000002_member_initials and m20261208_000020_sealed_names).
    if let Key::Name(name) = key
        && let NameQuery::Surname(surname) = name_query(name)
    {
        let mut filter = Sql::new();
        filter.push(" WHERE ");
        push_any(&mut filter, "k.surname_key", &keys.name_indexes(&surname));
        filter.push_area_by_village("k", area);
        match query.household_type {
            Some(HouseholdType::Monitored) => {
                filter.push(" AND k.is_monitored = ").bind(true);
            }
            Some(t) => {
                filter.push(" AND k.household_type = ").bind(t.code());
            }
            None => {}
        }
        let natural = area.is_natural_village();
        if natural {
            filter.push(" AND h.natural_village = ").bind(area.as_str());
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
    filter.push_household_area(area);
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
        Key::IdNumber(id) => push_member_id(&mut filter, keys, *id),
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
                .push(" WHERE ");
            push_member_name(&mut filter, keys, name);
            filter.push_area_by_village("m", area);
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
        Key::Name(name) if query.household_type.is_none() && !area.is_natural_village() => {
            count
                .push("SELECT COUNT(DISTINCT m.household_id) AS n FROM ")
                .push(members_by_name)
                .push(" WHERE ");
            push_member_name(&mut count, keys, name);
            count.push_area_by_village("m", area);
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
/// - a surname alone (`王`, `欧阳`): the `member_initials` key `(county_code, surname_key, number)` in
///   户编号 order (area and type checked inside the key), `LIMIT`; `total` counted on the key;
/// - a whole name: `members(county_code, name_key, village_code, household_id)` (area filtered inside the
///   index) → households by primary key, sorted; `total` from the same index. Names are sealed (issue
///   19): a prefix that is neither a surname nor a whole name finds nothing.
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
    let sql = build_search(backend, db.keys(), &area, &key, query, per_page, offset);
    let rows = db.conn().query_all_raw(sql.page.build(backend)).await?;
    let page_tells_total = rows.len() < per_page as usize && (offset == 0 || !rows.is_empty());
    let total = if !sql.count_always && page_tells_total {
        offset + rows.len() as u64
    } else {
        crate::repo::count(db.conn(), sql.count.build(backend)).await?
    };

    let village_codes: BTreeSet<String> = rows
        .iter()
        .filter_map(|r| r.try_get::<String>("", "village_code").ok())
        .collect();
    let names = region_names(db.conn(), village_codes.into_iter().collect()).await?;
    let items = rows
        .iter()
        .map(|r| row(db.keys(), r, &names))
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
    let sql = build_search(backend, db.keys(), &area, &key, query, DEFAULT_PER_PAGE, 0);
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
}
