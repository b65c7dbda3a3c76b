//! Reading and lists: one household's case (current, history) and the paged case list with its filters.

use chrono::NaiveDate;
use sea_orm::ConnectionTrait;
use shouwang_core::monitoring::{Channel, Lifecycle};
use shouwang_core::{CodeList, Scope};

use super::rows::{ROW_COLUMNS, case_record, case_row, channels_of, code_of};
use super::{CaseQuery, CaseRecord, CaseRow, push_current};
use crate::db::Db;
use crate::error::Result;
use crate::repo::area::{Area, effective_area};
use crate::repo::{Page, Sql, count, paging};

pub(super) async fn find_case(
    conn: &impl ConnectionTrait,
    area: &Area,
    number: &str,
) -> Result<Option<CaseRecord>> {
    let mut sql = Sql::new();
    sql.push("SELECT c.* FROM cases c WHERE c.household_number = ")
        .bind(number.trim())
        .push(" AND c.is_current = ")
        .bind(true);
    sql.push_case_area("c", area);
    sql.push(" ORDER BY c.county_code LIMIT 1");
    let row = conn
        .query_one_raw(sql.build(conn.get_database_backend()))
        .await?;
    row.as_ref().map(case_record).transpose()
}

/// The household's current (latest) case, or `Ok(None)` if it has none or is outside the scope's area.
pub async fn get(db: &Db, scope: &Scope, household_number: &str) -> Result<Option<CaseRecord>> {
    let Some(area) = effective_area(scope, None) else {
        return Ok(None);
    };
    find_case(db.conn(), &area, household_number).await
}

/// Every case of the household, oldest first (the closed ones and the current one); empty if it has none
/// or is outside the scope's area.
pub async fn history(db: &Db, scope: &Scope, household_number: &str) -> Result<Vec<CaseRecord>> {
    let Some(area) = effective_area(scope, None) else {
        return Ok(Vec::new());
    };
    let mut sql = Sql::new();
    sql.push("SELECT c.* FROM cases c WHERE c.household_number = ")
        .bind(household_number.trim());
    sql.push_case_area("c", &area);
    sql.push(" ORDER BY c.county_code, c.seq");
    let rows = db.conn().query_all_raw(sql.build(db.backend())).await?;
    rows.iter().map(case_record).collect()
}

/// Cases in the scope's area, by village and 户编号 (the queues: by lifecycle state, by channel, by cadre).
pub async fn list(
    db: &Db,
    scope: &Scope,
    query: &CaseQuery,
    page: u32,
    per_page: u32,
) -> Result<Page<CaseRow>> {
    let (page, per_page, offset) = paging(page, per_page);
    let empty = || Page {
        items: Vec::new(),
        total: 0,
        page,
        per_page,
    };
    let Some(area) = effective_area(scope, query.region.as_deref()) else {
        return Ok(empty());
    };
    let mut filter = Sql::new();
    push_current(&mut filter);
    filter.push_case_area("c", &area);
    if let Some(l) = query.lifecycle {
        filter.push(" AND c.lifecycle = ").bind(l.code());
    }
    if let Some(ch) = query.channel {
        filter
            .push(" AND c.channels LIKE ")
            .bind(format!("%,{},%", ch.code()));
    }
    if let Some(u) = query.cadre_user_id {
        filter.push(" AND c.cadre_user_id = ").bind(u);
    }
    if let Some(steps) = &query.ident_steps {
        push_codes(
            &mut filter,
            "c.ident_next_step",
            steps.iter().map(|s| s.code()),
        );
    }
    if let Some(steps) = &query.exit_steps {
        push_codes(
            &mut filter,
            "c.exit_next_step",
            steps.iter().map(|s| s.code()),
        );
    }
    paged_rows(
        db,
        &filter,
        "c.village_code, c.household_number",
        page,
        per_page,
        offset,
    )
    .await
}

/// ` AND column IN (codes…)`, or a condition that matches nothing when there are no codes.
fn push_codes(filter: &mut Sql, column: &str, codes: impl Iterator<Item = &'static str>) {
    filter.push(&format!(" AND {column} IN ("));
    let mut first = true;
    for code in codes {
        if !first {
            filter.push(", ");
        }
        filter.bind(code);
        first = false;
    }
    if first {
        filter.push("NULL");
    }
    filter.push(")");
}

pub(super) async fn paged_rows(
    db: &Db,
    filter: &Sql,
    order: &str,
    page: u32,
    per_page: u32,
    offset: u64,
) -> Result<Page<CaseRow>> {
    let backend = db.backend();
    let mut n = Sql::new();
    n.push("SELECT COUNT(*) AS n FROM cases c WHERE 1 = 1")
        .append(filter);
    let total = count(db.conn(), n.build(backend)).await?;
    let mut q = Sql::new();
    q.push(&format!("SELECT {ROW_COLUMNS} FROM cases c WHERE 1 = 1"))
        .append(filter)
        .push(&format!(" ORDER BY {order} LIMIT "))
        .bind(i64::from(per_page))
        .push(" OFFSET ")
        .bind(i64::try_from(offset).unwrap_or(i64::MAX));
    let rows = db.conn().query_all_raw(q.build(backend)).await?;
    Ok(Page {
        items: rows.iter().map(case_row).collect::<Result<_>>()?,
        total,
        page,
        per_page,
    })
}

/// Current cases per 监测状态 in the scope's area (states without any are left out): one grouped
/// query for the 工作台 and dashboard counts.
pub async fn lifecycle_counts(db: &Db, scope: &Scope) -> Result<Vec<(Lifecycle, u64)>> {
    let Some(area) = effective_area(scope, None) else {
        return Ok(Vec::new());
    };
    let mut sql = Sql::new();
    sql.push("SELECT c.lifecycle AS l, COUNT(*) AS n FROM cases c WHERE 1 = 1");
    push_current(&mut sql);
    sql.push_case_area("c", &area);
    sql.push(" GROUP BY c.lifecycle");
    let rows = db.conn().query_all_raw(sql.build(db.backend())).await?;
    let mut out = Vec::new();
    for r in &rows {
        let l: Lifecycle = code_of(&r.try_get::<String>("", "l")?)?;
        out.push((l, u64::try_from(r.try_get::<i64>("", "n")?).unwrap_or(0)));
    }
    Ok(out)
}

/// Current cases of the scope's area with the same channels and 监测状态 (one group of [`tally`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CaseGroup {
    /// The channels through which the cases came (a case may have several).
    pub channels: Vec<Channel>,
    pub lifecycle: Lifecycle,
    /// Cases in the group.
    pub cases: u64,
    /// Of those, cases whose risk was eliminated (风险消除) between the two days asked, both included.
    pub eliminated_between: u64,
}

/// Current cases of the scope's area grouped by channels and 监测状态, with those eliminated between
/// `from` and `to`: the dashboard's funnel, totals and exits of the quarter in one grouped statement.
pub async fn tally(
    db: &Db,
    scope: &Scope,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<CaseGroup>> {
    let Some(area) = effective_area(scope, None) else {
        return Ok(Vec::new());
    };
    let mut sql = Sql::new();
    sql.push(
        "SELECT c.channels AS ch, c.lifecycle AS l, COUNT(*) AS n, \
         COALESCE(SUM(CASE WHEN c.eliminated_on >= ",
    )
    .bind(from.to_string())
    .push(" AND c.eliminated_on <= ")
    .bind(to.to_string())
    .push(" THEN 1 ELSE 0 END), 0) AS q FROM cases c WHERE 1 = 1");
    push_current(&mut sql);
    sql.push_case_area("c", &area);
    sql.push(" GROUP BY c.channels, c.lifecycle");
    let rows = db.conn().query_all_raw(sql.build(db.backend())).await?;
    let n = |v: i64| u64::try_from(v).unwrap_or(0);
    rows.iter()
        .map(|r| {
            Ok(CaseGroup {
                channels: channels_of(&r.try_get::<String>("", "ch")?)?,
                lifecycle: code_of(&r.try_get::<String>("", "l")?)?,
                cases: n(r.try_get("", "n")?),
                eliminated_between: n(r.try_get("", "q")?),
            })
        })
        .collect()
}
