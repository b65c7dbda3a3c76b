//! Queues and overdue reads (工作台): clues waiting per village, workload per cadre, missing follow-ups,
//! identifications past their time limit, households without a responsible cadre.

use chrono::NaiveDate;
use sea_orm::ConnectionTrait;
use serde::Serialize;
use shouwang_core::monitoring::{CadenceRules, Lifecycle, WorkCalendar, YearMonth};
use shouwang_core::{CodeList, Scope};

use super::reads::paged_rows;
use super::rows::{case_record, case_row, parse_date};
use super::{CaseRecord, CaseRow, push_current};
use crate::db::Db;
use crate::error::Result;
use crate::repo::area::effective_area;
use crate::repo::{Page, Sql, paging};

/// Clues waiting (cases still in 线索) in one village.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct VillageQueue {
    /// 行政村 code.
    pub village_code: String,
    /// Cases waiting for 启动识别.
    pub cases: u64,
    /// The oldest 发现日期 among them.
    pub oldest_reported_on: NaiveDate,
}

/// The households currently assigned to one responsible cadre.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CadreLoad {
    /// The cadre's user id.
    pub cadre_user_id: i64,
    /// The cadre's name (as in the latest assignment).
    pub cadre_name: String,
    /// Households with this cadre as the current one.
    pub households: u64,
}

/// 线索 waiting for 启动识别, per village of the scope's area (villages without any are left out).
pub async fn clues_waiting(db: &Db, scope: &Scope) -> Result<Vec<VillageQueue>> {
    let Some(area) = effective_area(scope, None) else {
        return Ok(Vec::new());
    };
    let mut sql = Sql::new();
    sql.push(
        "SELECT c.village_code, COUNT(*) AS n, MIN(c.first_reported_on) AS oldest \
         FROM cases c WHERE c.lifecycle = ",
    )
    .bind(Lifecycle::Clue.code());
    push_current(&mut sql);
    sql.push_case_area("c", &area);
    sql.push(" GROUP BY c.village_code ORDER BY c.village_code");
    let rows = db.conn().query_all_raw(sql.build(db.backend())).await?;
    rows.iter()
        .map(|r| {
            Ok(VillageQueue {
                village_code: r.try_get("", "village_code")?,
                cases: u64::try_from(r.try_get::<i64>("", "n")?).unwrap_or(0),
                oldest_reported_on: parse_date(&r.try_get::<String>("", "oldest")?)?,
            })
        })
        .collect()
}

/// Households per current responsible cadre in the scope's area, most first (明责任 workload).
pub async fn workload(db: &Db, scope: &Scope) -> Result<Vec<CadreLoad>> {
    let Some(area) = effective_area(scope, None) else {
        return Ok(Vec::new());
    };
    let mut sql = Sql::new();
    sql.push(
        "SELECT c.cadre_user_id AS uid, MAX(c.cadre_name) AS name, COUNT(*) AS n \
         FROM cases c WHERE c.cadre_user_id IS NOT NULL",
    );
    push_current(&mut sql);
    sql.push_case_area("c", &area);
    sql.push(" GROUP BY c.cadre_user_id ORDER BY n DESC, uid");
    let rows = db.conn().query_all_raw(sql.build(db.backend())).await?;
    rows.iter()
        .map(|r| {
            Ok(CadreLoad {
                cadre_user_id: r.try_get("", "uid")?,
                cadre_name: r.try_get::<Option<String>>("", "name")?.unwrap_or_default(),
                households: u64::try_from(r.try_get::<i64>("", "n")?).unwrap_or(0),
            })
        })
        .collect()
}

/// Cases whose follow-up of `month` is overdue on `as_of` (逐月跟踪监测 missing), the same rule as
/// [`Case::missing_follow_ups`](shouwang_core::monitoring::Case::missing_follow_ups): monitored before the
/// month began, not eliminated before it, the month due (by `rules`) before `as_of`, and no record for it.
pub async fn overdue_follow_ups(
    db: &Db,
    scope: &Scope,
    month: YearMonth,
    as_of: NaiveDate,
    rules: &CadenceRules,
    page: u32,
    per_page: u32,
) -> Result<Page<CaseRow>> {
    let (page, per_page, offset) = paging(page, per_page);
    let area = effective_area(scope, None);
    let (Some(area), true) = (
        area,
        rules.follow_up_due(month) < as_of && month <= YearMonth::of(as_of),
    ) else {
        return Ok(Page {
            items: Vec::new(),
            total: 0,
            page,
            per_page,
        });
    };
    let first = month.first_day().to_string();
    let mut filter = Sql::new();
    push_current(&mut filter);
    filter.push_case_area("c", &area);
    filter
        .push(" AND c.monitored_since IS NOT NULL AND c.monitored_since < ")
        .bind(first.clone())
        .push(" AND (c.eliminated_on IS NULL OR c.eliminated_on >= ")
        .bind(first)
        .push(
            ") AND NOT EXISTS (SELECT 1 FROM case_follow_ups f \
             WHERE f.county_code = c.county_code AND f.case_id = c.id AND f.month = ",
        )
        .bind(month.to_string())
        .push(")");
    paged_rows(
        db,
        &filter,
        "c.cadre_user_id, c.village_code, c.household_number",
        page,
        per_page,
        offset,
    )
    .await
}

/// The current case of every household in the scope's area, by village and 户编号, in one statement (the
/// calendar reads a village's follow-ups and meetings from them).
pub async fn current_records(db: &Db, scope: &Scope) -> Result<Vec<CaseRecord>> {
    Ok(cases_in_states(db, scope, &[], "")
        .await?
        .into_iter()
        .map(|(_, rec)| rec)
        .collect())
}

/// Full cases in the scope's area in one of `states` (every state when empty), by village and 户编号, for
/// filters the columns cannot express (they are decided by the core on each case).
async fn cases_in_states(
    db: &Db,
    scope: &Scope,
    states: &[Lifecycle],
    extra: &str,
) -> Result<Vec<(CaseRow, CaseRecord)>> {
    let Some(area) = effective_area(scope, None) else {
        return Ok(Vec::new());
    };
    let mut sql = Sql::new();
    sql.push("SELECT c.* FROM cases c WHERE 1 = 1");
    if !states.is_empty() {
        sql.push(" AND c.lifecycle IN (");
        for (i, l) in states.iter().enumerate() {
            if i > 0 {
                sql.push(", ");
            }
            sql.bind(l.code());
        }
        sql.push(")");
    }
    sql.push(extra);
    push_current(&mut sql);
    sql.push_case_area("c", &area);
    sql.push(" ORDER BY c.village_code, c.household_number");
    let rows = db.conn().query_all_raw(sql.build(db.backend())).await?;
    rows.iter()
        .map(|r| Ok((case_row(r)?, case_record(r)?)))
        .collect()
}

/// 识别 procedures past their time limit on `today` (办理时限, working days by `cal`), by village and 户编号.
pub async fn overdue_identifications(
    db: &Db,
    scope: &Scope,
    today: NaiveDate,
    cal: &WorkCalendar,
) -> Result<Vec<CaseRow>> {
    let all = cases_in_states(db, scope, &[Lifecycle::Identifying], "").await?;
    Ok(all
        .into_iter()
        .filter(|(_, rec)| {
            rec.case
                .identification
                .as_ref()
                .is_some_and(|i| i.is_overdue(today, cal))
        })
        .map(|(row, _)| row)
        .collect())
}

/// Households that must have a responsible cadre and have none (明责任 dashboard: monitored, or helped
/// through the green channel), by village and 户编号.
pub async fn needs_cadre(db: &Db, scope: &Scope) -> Result<Vec<CaseRow>> {
    let all = cases_in_states(
        db,
        scope,
        &[
            Lifecycle::Identifying,
            Lifecycle::Monitored,
            Lifecycle::Deferred,
        ],
        " AND c.cadre_user_id IS NULL",
    )
    .await?;
    Ok(all
        .into_iter()
        .filter(|(_, rec)| rec.case.needs_cadre())
        .map(|(row, _)| row)
        .collect())
}
