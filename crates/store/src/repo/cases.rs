//! 监测帮扶档案: storage of the monitoring and assistance lifecycle (§三(一); docs/domain.md A1–A3).
//!
//! The rules are the core's ([`shouwang_core::monitoring`]): every action is
//! `case.apply(action, actor, on) -> Result<Case, Refusal>` on an immutable [`Case`]. This module keeps one
//! case per household as JSON with a version, and runs each action in one write transaction:
//!
//! 1. load the case inside the caller's area (another area: [`StoreError::Forbidden`]; none: `NotFound`);
//! 2. compare the version (`StaleVersion`, nothing written);
//! 3. call the core rule; a [`Refusal`] becomes [`StoreError::Refused`] and the transaction is rolled back;
//! 4. write the new JSON, the derived list columns, the follow-up months, `version + 1` and the audit row
//!    (before and after), and commit.
//!
//! The written exit notice 退出告知书 takes its sequence number from a per-county-and-year counter bumped in
//! the same transaction ([`issue_exit_notice`]): numbers are unique and, because a refused or failed notice
//! rolls the counter back with everything else, without gaps.
//!
//! Reads take a [`Scope`] and filter by area in SQL: [`get`], [`list`] (queues by lifecycle state, village,
//! channel, cadre), [`clues_waiting`] (线索 per village), [`workload`] (households per responsible cadre),
//! [`overdue_follow_ups`] (missing months), [`overdue_identifications`] (识别 past its time limit),
//! [`needs_cadre`] (明责任 gaps), [`prejudge`] (the quarterly 定期预判), [`notices`].
//! [`nominate_exit`] takes the pre-judgment facts from the registry, not from the caller.
//!
//! Cases per household, one after the other: a closed case (风险消除, 未纳入, [`Lifecycle::is_closed`])
//! stays as the record, and a new report through [`open`] starts the household's next case (sequence
//! `seq` 2, 3, …; unique `(county_code, household_number, seq)`). While a case is open, [`open`] refuses a
//! second one (`Conflict`: the report belongs in the open case, through [`apply`]). Only the latest case
//! is *current* (`is_current`, one per household by a partial unique index): [`get`], every write and
//! every list and queue work on current cases; [`history`] gives them all.

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use sea_orm::{ConnectionTrait, DatabaseTransaction, QueryResult};
use serde::Serialize;
use shouwang_core::monitoring::verification::Attachment;
use shouwang_core::monitoring::{
    self as core_m, CadenceRules, Case, CaseAction, Channel, ExitAction, ExitRules, ExitStep,
    IdentStep, Lifecycle, PreJudgment, Refusal, Report, WorkCalendar, YearMonth,
};
use shouwang_core::{CodeList, Fen, Household, IncomeRecord, RegionCode, Scope};

use super::audit::{self, Change};
use super::{Actor, Page, Sql, count, households, lines, paging, to_json};
use crate::db::Db;
use crate::error::{Result, StoreError};
use crate::ids::new_id;

/// A household's case as stored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CaseRecord {
    /// Row id (inside the county).
    pub id: i64,
    /// The household's case sequence: 1 for its first case, 2 for the one opened after that closed, …
    pub seq: i64,
    /// 县 code (6 digits).
    pub county_code: String,
    /// 行政村 code (12 digits).
    pub village_code: String,
    /// 户编号.
    pub household_number: String,
    /// 监测状态.
    pub lifecycle: Lifecycle,
    /// Optimistic-locking version (1 after opening, +1 per action).
    pub version: i64,
    /// The whole case.
    pub case: Case,
    /// UTC.
    pub created_at: DateTime<Utc>,
    /// UTC.
    pub updated_at: DateTime<Utc>,
}

/// One line of a case list (the derived columns, without the JSON).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CaseRow {
    /// 户编号.
    pub household_number: String,
    /// 行政村 code.
    pub village_code: String,
    /// 监测状态.
    pub lifecycle: Lifecycle,
    /// Channels of the case's clues (监测手段), in code-list order.
    pub channels: Vec<Channel>,
    /// Earliest 发现日期 of the clues.
    pub first_reported_on: NaiveDate,
    /// 识别 started.
    pub ident_started_on: Option<NaiveDate>,
    /// Next identification step while 识别中.
    pub ident_next_step: Option<IdentStep>,
    /// 纳入监测 date.
    pub monitored_since: Option<NaiveDate>,
    /// 风险消除 date.
    pub eliminated_on: Option<NaiveDate>,
    /// Next step of the running exit.
    pub exit_next_step: Option<ExitStep>,
    /// Current 帮扶责任人 (user id).
    pub cadre_user_id: Option<i64>,
    /// Current 帮扶责任人 (name).
    pub cadre_name: Option<String>,
    /// Latest month with a follow-up.
    pub last_follow_up_month: Option<YearMonth>,
    /// Version of the case.
    pub version: i64,
}

/// Filter of [`list`]; every `None` matches everything.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CaseQuery {
    /// 监测状态.
    pub lifecycle: Option<Lifecycle>,
    /// A region code (township, village) narrowing the scope's area.
    pub region: Option<String>,
    /// Cases with a clue from this channel.
    pub channel: Option<Channel>,
    /// Cases whose current responsible cadre is this user.
    pub cadre_user_id: Option<i64>,
    /// Cases whose next identification step (识别程序) is one of these; `Some(vec![])` matches none.
    pub ident_steps: Option<Vec<IdentStep>>,
    /// Cases whose running exit's next step (退出程序) is one of these; `Some(vec![])` matches none.
    pub exit_steps: Option<Vec<ExitStep>>,
}

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

/// An issued 退出告知书.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct NoticeRow {
    /// 县 code.
    pub county_code: String,
    /// Year of the number.
    pub year: i32,
    /// Sequence in the county and year (1, 2, …).
    pub sequence: i64,
    /// The full number, e.g. `兴县圪塔上乡〔2022〕告字第3号`.
    pub number: String,
    /// 行政村 code.
    pub village_code: String,
    /// 户编号.
    pub household_number: String,
    /// Date of issue.
    pub issued_on: NaiveDate,
}

/// What an exit notice needs besides its number ([`issue_exit_notice`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NoticeRequest {
    /// Who issues it (role checked by the core).
    pub by: core_m::Actor,
    /// Date of issue (its year is the number's year).
    pub on: NaiveDate,
    /// 户主姓名.
    pub addressee: String,
    /// 村名, e.g. 圪塔上乡某某村.
    pub village: String,
    /// 落款, e.g. 某某村村民委员会.
    pub committee: String,
}

/// Metadata of an uploaded file (scan, photo), by content hash.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AttachmentRow {
    /// 县 code.
    pub county_code: String,
    /// SHA-256, 64 lower-case hex digits.
    pub sha256: String,
    /// File name as uploaded.
    pub name: String,
    /// Media type.
    pub media_type: String,
    /// Size in bytes.
    pub size: i64,
    /// Who uploaded it first.
    pub uploaded_by: i64,
    /// UTC.
    pub uploaded_at: DateTime<Utc>,
}

// ---------------------------------------------------------------------------------------------------------
// Derived columns.

/// The list columns of a case, all derived from the core's view of it.
struct Derived {
    lifecycle: &'static str,
    channels: String,
    first_reported_on: String,
    ident_started_on: Option<String>,
    ident_next_step: Option<&'static str>,
    monitored_since: Option<String>,
    eliminated_on: Option<String>,
    exit_next_step: Option<&'static str>,
    cadre_user_id: Option<i64>,
    cadre_name: Option<String>,
    last_follow_up_month: Option<String>,
    /// Month → (visit date, all four answers yes).
    months: BTreeMap<String, (String, bool)>,
}

fn derive(case: &Case) -> Derived {
    let lifecycle = case.lifecycle();
    let channels: Vec<&'static str> = Channel::all()
        .iter()
        .filter(|ch| {
            case.clues
                .iter()
                .flat_map(|c| &c.sources)
                .any(|s| s.report.source.channel() == **ch)
        })
        .map(|ch| ch.code())
        .collect();
    let first_reported_on = case
        .clues
        .iter()
        .flat_map(|c| &c.sources)
        .map(|s| s.report.reported_on)
        .min()
        .unwrap_or(case.opened_on);
    let current = case.cadres.current();
    Derived {
        lifecycle: lifecycle.code(),
        channels: format!(",{},", channels.join(",")),
        first_reported_on: first_reported_on.to_string(),
        ident_started_on: case
            .identification
            .as_ref()
            .map(|i| i.started_on.to_string()),
        ident_next_step: case
            .identification
            .as_ref()
            .and_then(|i| i.next_step())
            .map(|s| s.code()),
        monitored_since: case.monitored_since().map(|d| d.to_string()),
        eliminated_on: case.eliminated_on().map(|d| d.to_string()),
        exit_next_step: case
            .current_exit()
            .and_then(|x| x.next_step())
            .map(|s| s.code()),
        cadre_user_id: current.map(|a| a.cadre.user_id),
        cadre_name: current.map(|a| a.cadre.name.clone()),
        last_follow_up_month: case
            .follow_ups
            .entries
            .iter()
            .map(|e| e.visit.month)
            .max()
            .map(|m| m.to_string()),
        months: case
            .follow_ups
            .entries
            .iter()
            .map(|e| {
                (
                    e.visit.month.to_string(),
                    (e.visit.visited_on.to_string(), e.visit.all_well()),
                )
            })
            .collect(),
    }
}

fn body_of(case: &Case) -> Result<String> {
    serde_json::to_string(case)
        .map_err(|e| StoreError::Invalid(format!("cannot serialise case: {e}")))
}

// ---------------------------------------------------------------------------------------------------------
// Reading rows.

const ROW_COLUMNS: &str = "c.id, c.county_code, c.village_code, c.household_number, c.lifecycle, \
     c.channels, c.first_reported_on, c.ident_started_on, c.ident_next_step, c.monitored_since, \
     c.eliminated_on, c.exit_next_step, c.cadre_user_id, c.cadre_name, c.last_follow_up_month, c.version";

fn parse_date(s: &str) -> Result<NaiveDate> {
    s.parse::<NaiveDate>()
        .map_err(|_| StoreError::corrupt(format!("date {s:?}")))
}

fn opt_date(s: Option<String>) -> Result<Option<NaiveDate>> {
    s.as_deref().map(parse_date).transpose()
}

fn code_of<T: CodeList>(s: &str) -> Result<T> {
    T::from_code(s).ok_or_else(|| StoreError::corrupt(format!("code {s:?}")))
}

fn opt_code<T: CodeList>(s: Option<String>) -> Result<Option<T>> {
    s.as_deref().map(code_of).transpose()
}

fn case_row(r: &QueryResult) -> Result<CaseRow> {
    let channels: String = r.try_get("", "channels")?;
    Ok(CaseRow {
        household_number: r.try_get("", "household_number")?,
        village_code: r.try_get("", "village_code")?,
        lifecycle: code_of(&r.try_get::<String>("", "lifecycle")?)?,
        channels: channels
            .split(',')
            .filter(|s| !s.is_empty())
            .map(code_of)
            .collect::<Result<_>>()?,
        first_reported_on: parse_date(&r.try_get::<String>("", "first_reported_on")?)?,
        ident_started_on: opt_date(r.try_get("", "ident_started_on")?)?,
        ident_next_step: opt_code(r.try_get("", "ident_next_step")?)?,
        monitored_since: opt_date(r.try_get("", "monitored_since")?)?,
        eliminated_on: opt_date(r.try_get("", "eliminated_on")?)?,
        exit_next_step: opt_code(r.try_get("", "exit_next_step")?)?,
        cadre_user_id: r.try_get("", "cadre_user_id")?,
        cadre_name: r.try_get("", "cadre_name")?,
        last_follow_up_month: r
            .try_get::<Option<String>>("", "last_follow_up_month")?
            .map(|s| {
                YearMonth::parse(&s).ok_or_else(|| StoreError::corrupt(format!("month {s:?}")))
            })
            .transpose()?,
        version: r.try_get("", "version")?,
    })
}

pub(crate) fn case_record(r: &QueryResult) -> Result<CaseRecord> {
    let body: String = r.try_get("", "body")?;
    let case: Case =
        serde_json::from_str(&body).map_err(|e| StoreError::corrupt(format!("case JSON: {e}")))?;
    Ok(CaseRecord {
        id: r.try_get("", "id")?,
        seq: r.try_get("", "seq")?,
        county_code: r.try_get("", "county_code")?,
        village_code: r.try_get("", "village_code")?,
        household_number: r.try_get("", "household_number")?,
        lifecycle: case.lifecycle(),
        version: r.try_get("", "version")?,
        case,
        created_at: r.try_get("", "created_at")?,
        updated_at: r.try_get("", "updated_at")?,
    })
}

// ---------------------------------------------------------------------------------------------------------
// Area.

/// The scope's area narrowed by an optional region filter; `None` when they do not overlap (or the area is
/// empty or malformed): the read answers nothing.
pub(crate) fn effective_area(scope: &Scope, region: Option<&str>) -> Option<String> {
    let area = scope.area_prefix().trim().to_owned();
    let well_formed = |a: &str| a.bytes().all(|b| b.is_ascii_digit() || b == b'-');
    if area.is_empty() || !well_formed(&area) {
        return None;
    }
    let Some(region) = region.map(str::trim).filter(|r| !r.is_empty()) else {
        return Some(area);
    };
    let filter = RegionCode::parse(region).ok()?.scope_prefix().to_owned();
    if filter.starts_with(&area) {
        Some(filter)
    } else if area.starts_with(&filter) {
        Some(area)
    } else {
        None
    }
}

/// ` AND c.is_current = TRUE`: the household's latest case only (lists and queues).
fn push_current(sql: &mut Sql) {
    sql.push(" AND c.is_current = ").bind(true);
}

// ---------------------------------------------------------------------------------------------------------
// Reads.

async fn find_case(
    conn: &impl ConnectionTrait,
    area: &str,
    number: &str,
) -> Result<Option<CaseRecord>> {
    let mut sql = Sql::new();
    sql.push("SELECT c.* FROM cases c WHERE c.household_number = ")
        .bind(number.trim())
        .push(" AND c.is_current = ")
        .bind(true);
    sql.push_area("c", area);
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
    sql.push_area("c", &area);
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
    filter.push_area("c", &area);
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

async fn paged_rows(
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
    sql.push_area("c", &area);
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

/// Current cases per 监测状态 in the scope's area (states without any are left out): one grouped
/// query for the 工作台 and dashboard counts.
pub async fn lifecycle_counts(db: &Db, scope: &Scope) -> Result<Vec<(Lifecycle, u64)>> {
    let Some(area) = effective_area(scope, None) else {
        return Ok(Vec::new());
    };
    let mut sql = Sql::new();
    sql.push("SELECT c.lifecycle AS l, COUNT(*) AS n FROM cases c WHERE 1 = 1");
    push_current(&mut sql);
    sql.push_area("c", &area);
    sql.push(" GROUP BY c.lifecycle");
    let rows = db.conn().query_all_raw(sql.build(db.backend())).await?;
    let mut out = Vec::new();
    for r in &rows {
        let l: Lifecycle = code_of(&r.try_get::<String>("", "l")?)?;
        out.push((l, u64::try_from(r.try_get::<i64>("", "n")?).unwrap_or(0)));
    }
    Ok(out)
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
    sql.push_area("c", &area);
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
/// [`Case::missing_follow_ups`]: monitored before the month began, not eliminated before it, the month due
/// (by `rules`) before `as_of`, and no record for it.
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
    filter.push_area("c", &area);
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

/// Full cases in the scope's area in one of `states`, by village and 户编号, for filters the columns cannot
/// express (they are decided by the core on each case).
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
    sql.push("SELECT c.* FROM cases c WHERE c.lifecycle IN (");
    for (i, l) in states.iter().enumerate() {
        if i > 0 {
            sql.push(", ");
        }
        sql.bind(l.code());
    }
    sql.push(")").push(extra);
    push_current(&mut sql);
    sql.push_area("c", &area);
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

/// The exit notices issued in `year` in the scope's area, by sequence.
pub async fn notices(db: &Db, scope: &Scope, year: i32) -> Result<Vec<NoticeRow>> {
    let Some(area) = effective_area(scope, None) else {
        return Ok(Vec::new());
    };
    let mut sql = Sql::new();
    sql.push("SELECT * FROM exit_notices n WHERE n.year = ")
        .bind(year);
    sql.push_area("n", &area);
    sql.push(" ORDER BY n.county_code, n.sequence");
    let rows = db.conn().query_all_raw(sql.build(db.backend())).await?;
    rows.iter()
        .map(|r| {
            Ok(NoticeRow {
                county_code: r.try_get("", "county_code")?,
                year: r.try_get("", "year")?,
                sequence: r.try_get("", "sequence")?,
                number: r.try_get("", "number")?,
                village_code: r.try_get("", "village_code")?,
                household_number: r.try_get("", "household_number")?,
                issued_on: parse_date(&r.try_get::<String>("", "issued_on")?)?,
            })
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------------------
// Writes.

/// The county a write in `scope` works in (the scope's first 6 digits); `Forbidden` for a wider scope.
fn write_county(scope: &Scope) -> Result<&str> {
    let area = scope.area_prefix().trim();
    match area.get(..6) {
        Some(c) if area.len() >= 6 && c.bytes().all(|b| b.is_ascii_digit()) => Ok(c),
        _ => Err(StoreError::Forbidden),
    }
}

/// The case for a write: `NotFound` if the county has none for the household, `Forbidden` if it is outside
/// the scope's area.
async fn find_for_write(
    tx: &DatabaseTransaction,
    scope: &Scope,
    number: &str,
) -> Result<CaseRecord> {
    let county = write_county(scope)?;
    let rec = find_case(tx, county, number)
        .await?
        .ok_or(StoreError::NotFound)?;
    if !scope.covers(&rec.village_code) {
        return Err(StoreError::Forbidden);
    }
    Ok(rec)
}

async fn version_now(tx: &DatabaseTransaction, county: &str, id: i64) -> Result<i64> {
    let mut sql = Sql::new();
    sql.push("SELECT version FROM cases WHERE county_code = ")
        .bind(county)
        .push(" AND id = ")
        .bind(id);
    let row = tx
        .query_one_raw(sql.build(tx.get_database_backend()))
        .await?;
    Ok(match row {
        Some(r) => r.try_get("", "version")?,
        None => 0,
    })
}

/// Inserts the follow-up months of `after` missing in `before` and deletes the ones gone.
async fn sync_months(
    tx: &DatabaseTransaction,
    county: &str,
    case_id: i64,
    before: &BTreeMap<String, (String, bool)>,
    after: &BTreeMap<String, (String, bool)>,
) -> Result<()> {
    let backend = tx.get_database_backend();
    for (month, (visited_on, all_well)) in after {
        if before.get(month) == Some(&(visited_on.clone(), *all_well)) {
            continue;
        }
        let mut del = Sql::new();
        del.push("DELETE FROM case_follow_ups WHERE county_code = ")
            .bind(county)
            .push(" AND case_id = ")
            .bind(case_id)
            .push(" AND month = ")
            .bind(month.clone());
        tx.execute_raw(del.build(backend)).await?;
        let mut ins = Sql::new();
        ins.push(
            "INSERT INTO case_follow_ups (county_code, case_id, month, visited_on, all_well) VALUES (",
        )
        .bind(county)
        .push(", ")
        .bind(case_id)
        .push(", ")
        .bind(month.clone())
        .push(", ")
        .bind(visited_on.clone())
        .push(", ")
        .bind(*all_well)
        .push(")");
        tx.execute_raw(ins.build(backend)).await?;
    }
    for month in before.keys().filter(|m| !after.contains_key(*m)) {
        let mut del = Sql::new();
        del.push("DELETE FROM case_follow_ups WHERE county_code = ")
            .bind(county)
            .push(" AND case_id = ")
            .bind(case_id)
            .push(" AND month = ")
            .bind(month.clone());
        tx.execute_raw(del.build(backend)).await?;
    }
    Ok(())
}

/// Appends `, col = ?` pairs for the derived columns (for UPDATE), or the values (for INSERT).
fn bind_derived(sql: &mut Sql, d: &Derived, assign: bool) {
    let cols: [(&str, sea_orm::Value); 11] = [
        ("lifecycle", d.lifecycle.into()),
        ("channels", d.channels.clone().into()),
        ("first_reported_on", d.first_reported_on.clone().into()),
        ("ident_started_on", d.ident_started_on.clone().into()),
        (
            "ident_next_step",
            d.ident_next_step.map(str::to_owned).into(),
        ),
        ("monitored_since", d.monitored_since.clone().into()),
        ("eliminated_on", d.eliminated_on.clone().into()),
        ("exit_next_step", d.exit_next_step.map(str::to_owned).into()),
        ("cadre_user_id", d.cadre_user_id.into()),
        ("cadre_name", d.cadre_name.clone().into()),
        (
            "last_follow_up_month",
            d.last_follow_up_month.clone().into(),
        ),
    ];
    for (col, v) in cols {
        if assign {
            sql.push(&format!(", {col} = "));
        } else {
            sql.push(", ");
        }
        sql.bind(v);
    }
}

/// Opens a case of the household from a report (发现线索): its first case, or its next one when the current
/// case is closed (风险消除, 未纳入: sequence + 1; the closed case stays in [`history`]). The household must be
/// in the registry inside the scope's area (`NotFound`, `Forbidden`); a household whose current case is
/// open gets its next report through [`apply`] with [`CaseAction::Report`] (`Conflict` here). The core
/// checks the report and the role (`Refused`).
pub async fn open(
    db: &Db,
    actor: &Actor,
    scope: &Scope,
    report: Report,
    by: &core_m::Actor,
    on: NaiveDate,
) -> Result<CaseRecord> {
    let tx = db.begin_write().await?;
    let rec = open_on(&tx, actor, scope, report, by, on).await?;
    tx.commit().await?;
    Ok(rec)
}

/// [`open`] on the caller's write transaction `tx` (nothing is committed; an error leaves nothing
/// written by this call before the case row).
pub async fn open_on(
    tx: &DatabaseTransaction,
    actor: &Actor,
    scope: &Scope,
    report: Report,
    by: &core_m::Actor,
    on: NaiveDate,
) -> Result<CaseRecord> {
    let county = write_county(scope)?.to_owned();
    let number = report.household.trim().to_owned();
    let backend = tx.get_database_backend();
    let mut find = Sql::new();
    find.push("SELECT id, township_code, village_code FROM households WHERE county_code = ")
        .bind(county.clone())
        .push(" AND number = ")
        .bind(number.clone());
    let h = tx
        .query_one_raw(find.build(backend))
        .await?
        .ok_or(StoreError::NotFound)?;
    let household_id: i64 = h.try_get("", "id")?;
    let township_code: String = h.try_get("", "township_code")?;
    let village_code: String = h.try_get("", "village_code")?;
    if !scope.covers(&village_code) {
        return Err(StoreError::Forbidden);
    }
    let previous = find_case(tx, &county, &number).await?;
    if let Some(prev) = &previous
        && !prev.lifecycle.is_closed()
    {
        return Err(StoreError::Conflict(format!(
            "household {number} already has an open monitoring case: add the report to it (该户已有未结束的监测帮扶档案，请在档案中登记新线索)"
        )));
    }
    let seq = previous.as_ref().map_or(1, |p| p.seq + 1);
    let village = RegionCode::parse(&village_code)
        .map_err(|_| StoreError::corrupt(format!("village code {village_code:?}")))?;
    let mut report = report;
    report.household = number.clone();
    let case = Case::open(report, village, by, on)?;
    let d = derive(&case);
    let id = new_id();
    let now = Utc::now();
    if let Some(prev) = &previous {
        let mut upd = Sql::new();
        upd.push("UPDATE cases SET is_current = ")
            .bind(false)
            .push(" WHERE county_code = ")
            .bind(county.clone())
            .push(" AND id = ")
            .bind(prev.id);
        tx.execute_raw(upd.build(backend)).await?;
    }
    let mut ins = Sql::new();
    ins.push(
        "INSERT INTO cases (county_code, id, seq, is_current, household_id, township_code, village_code, \
         household_number, lifecycle, channels, first_reported_on, ident_started_on, ident_next_step, \
         monitored_since, eliminated_on, exit_next_step, cadre_user_id, cadre_name, last_follow_up_month, \
         body, version, created_at, updated_at) VALUES (",
    )
    .bind(county.clone())
    .push(", ")
    .bind(id)
    .push(", ")
    .bind(seq)
    .push(", ")
    .bind(true)
    .push(", ")
    .bind(household_id)
    .push(", ")
    .bind(township_code)
    .push(", ")
    .bind(village_code.clone())
    .push(", ")
    .bind(number.clone());
    bind_derived(&mut ins, &d, false);
    ins.push(", ")
        .bind(body_of(&case)?)
        .push(", ")
        .bind(1_i64)
        .push(", ")
        .bind(now)
        .push(", ")
        .bind(now)
        .push(")");
    tx.execute_raw(ins.build(backend))
        .await
        .map_err(|e| StoreError::from_write(e, &format!("case of household {number}")))?;
    sync_months(tx, &county, id, &BTreeMap::new(), &d.months).await?;
    audit::append(
        tx,
        actor,
        Change {
            action: "create",
            entity: "case",
            entity_id: number.clone(),
            county_code: Some(county.clone()),
            village_code: Some(village_code),
            before: None,
            after: Some(to_json(&case)?),
        },
    )
    .await?;
    find_case(tx, &county, &number)
        .await?
        .ok_or(StoreError::NotFound)
}

/// Writes `after` over `before` (version-checked), its follow-up months and the audit row, on `tx`.
async fn write(
    tx: &DatabaseTransaction,
    actor: &Actor,
    before: &CaseRecord,
    after: &Case,
    expected_version: i64,
) -> Result<()> {
    if after.household != before.case.household || after.village != before.case.village {
        return Err(StoreError::Invalid(
            "an action may not change the case's household or village".to_owned(),
        ));
    }
    let d_before = derive(&before.case);
    let d = derive(after);
    let mut upd = Sql::new();
    upd.push("UPDATE cases SET body = ").bind(body_of(after)?);
    bind_derived(&mut upd, &d, true);
    upd.push(", version = ")
        .bind(expected_version + 1)
        .push(", updated_at = ")
        .bind(Utc::now())
        .push(" WHERE county_code = ")
        .bind(before.county_code.clone())
        .push(" AND id = ")
        .bind(before.id)
        .push(" AND version = ")
        .bind(expected_version);
    let res = tx.execute_raw(upd.build(tx.get_database_backend())).await?;
    if res.rows_affected() != 1 {
        return Err(StoreError::StaleVersion {
            expected: expected_version,
            found: version_now(tx, &before.county_code, before.id).await?,
        });
    }
    sync_months(
        tx,
        &before.county_code,
        before.id,
        &d_before.months,
        &d.months,
    )
    .await?;
    audit::append(
        tx,
        actor,
        Change {
            action: "update",
            entity: "case",
            entity_id: before.household_number.clone(),
            county_code: Some(before.county_code.clone()),
            village_code: Some(before.village_code.clone()),
            before: Some(to_json(&before.case)?),
            after: Some(to_json(after)?),
        },
    )
    .await
}

async fn reread(tx: &DatabaseTransaction, before: &CaseRecord) -> Result<CaseRecord> {
    find_case(tx, &before.county_code, &before.household_number)
        .await?
        .ok_or(StoreError::NotFound)
}

/// Takes one action on the household's case: `rule` is the core's rule, typically
/// `|case| case.apply(action, &core_actor, on)`. In one transaction: load (area-checked), compare
/// `expected_version` (`StaleVersion`), run the rule (`Refused` with the core's reason, nothing written),
/// write the new case with `version + 1` and its audit row. Returns the case as stored.
pub async fn apply<F>(
    db: &Db,
    actor: &Actor,
    scope: &Scope,
    household_number: &str,
    expected_version: i64,
    rule: F,
) -> Result<CaseRecord>
where
    F: FnOnce(&Case) -> std::result::Result<Case, Refusal>,
{
    let tx = db.begin_write().await?;
    let rec = apply_on(&tx, actor, scope, household_number, expected_version, rule).await?;
    tx.commit().await?;
    Ok(rec)
}

/// [`apply`] on the caller's write transaction `tx` (nothing is committed).
pub async fn apply_on<F>(
    tx: &DatabaseTransaction,
    actor: &Actor,
    scope: &Scope,
    household_number: &str,
    expected_version: i64,
    rule: F,
) -> Result<CaseRecord>
where
    F: FnOnce(&Case) -> std::result::Result<Case, Refusal>,
{
    let before = find_for_write(tx, scope, household_number).await?;
    if before.version != expected_version {
        return Err(StoreError::StaleVersion {
            expected: expected_version,
            found: before.version,
        });
    }
    let after = rule(&before.case)?;
    write(tx, actor, &before, &after, expected_version).await?;
    reread(tx, &before).await
}

/// Every case of household `number` in `county`, oldest first, on `conn` (a write transaction's). No area
/// check: the caller checks the area of what it writes (`open_on` and `apply_on` do).
pub async fn history_on(
    conn: &impl ConnectionTrait,
    county: &str,
    number: &str,
) -> Result<Vec<CaseRecord>> {
    let mut sql = Sql::new();
    sql.push("SELECT c.* FROM cases c WHERE c.county_code = ")
        .bind(county)
        .push(" AND c.household_number = ")
        .bind(number.trim())
        .push(" ORDER BY c.seq");
    let rows = conn
        .query_all_raw(sql.build(conn.get_database_backend()))
        .await?;
    rows.iter().map(case_record).collect()
}

/// Takes the next 告知书 sequence of `county` and `year` (1 for the first), on `tx`.
async fn next_notice_sequence(tx: &DatabaseTransaction, county: &str, year: i32) -> Result<i64> {
    let mut sql = Sql::new();
    sql.push("INSERT INTO exit_notice_counters (county_code, year, last_sequence) VALUES (")
        .bind(county)
        .push(", ")
        .bind(year)
        .push(
            ", 1) ON CONFLICT (county_code, year) DO UPDATE \
             SET last_sequence = exit_notice_counters.last_sequence + 1 RETURNING last_sequence",
        );
    let row = tx
        .query_one_raw(sql.build(tx.get_database_backend()))
        .await?
        .ok_or_else(|| StoreError::corrupt("notice counter returned no row"))?;
    Ok(row.try_get("", "last_sequence")?)
}

/// 退出告知: issues the written exit notice of the household's eliminated exit, numbered from the county's
/// counter for the year of `req.on`. The counter, the notice row, the case and the audit row are written in
/// one transaction: a refusal (`Refused`, e.g. the risk is not eliminated or the role may not) or a stale
/// version leaves the counter where it was.
pub async fn issue_exit_notice(
    db: &Db,
    actor: &Actor,
    scope: &Scope,
    household_number: &str,
    expected_version: i64,
    req: &NoticeRequest,
) -> Result<CaseRecord> {
    let tx = db.begin_write().await?;
    let before = find_for_write(&tx, scope, household_number).await?;
    if before.version != expected_version {
        return Err(StoreError::StaleVersion {
            expected: expected_version,
            found: before.version,
        });
    }
    let year = req.on.year();
    let sequence = next_notice_sequence(&tx, &before.county_code, year).await?;
    let seq = u32::try_from(sequence)
        .map_err(|_| StoreError::Invalid(format!("notice sequence {sequence} out of range")))?;
    let after = before.case.apply(
        CaseAction::Exit {
            action: ExitAction::IssueNotice {
                sequence: seq,
                addressee: req.addressee.clone(),
                village: req.village.clone(),
                committee: req.committee.clone(),
            },
        },
        &req.by,
        req.on,
    )?;
    let notice =
        after.exits.last().and_then(|x| x.notice()).ok_or_else(|| {
            StoreError::Invalid("the exit has no notice after issuing it".to_owned())
        })?;
    let mut ins = Sql::new();
    ins.push(
        "INSERT INTO exit_notices (county_code, year, sequence, number, case_id, village_code, \
         household_number, issued_on, created_at) VALUES (",
    )
    .bind(before.county_code.clone())
    .push(", ")
    .bind(notice.year)
    .push(", ")
    .bind(i64::from(notice.sequence))
    .push(", ")
    .bind(notice.number.clone())
    .push(", ")
    .bind(before.id)
    .push(", ")
    .bind(before.village_code.clone())
    .push(", ")
    .bind(before.household_number.clone())
    .push(", ")
    .bind(notice.issued_on.to_string())
    .push(", ")
    .bind(Utc::now())
    .push(")");
    tx.execute_raw(ins.build(tx.get_database_backend()))
        .await
        .map_err(|e| StoreError::from_write(e, &format!("exit notice {}", notice.number)))?;
    write(&tx, actor, &before, &after, expected_version).await?;
    let rec = reread(&tx, &before).await?;
    tx.commit().await?;
    Ok(rec)
}

// ---------------------------------------------------------------------------------------------------------
// Exit pre-judgment and nomination from the registry.

/// What the exit pre-judgment reads from the registry besides the case.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ExitInputs {
    /// The household now (labour, 低保/特困/disability).
    pub household: Household,
    /// The latest income record (with rigid expenditure), if any.
    pub latest_income: Option<IncomeRecord>,
    /// The monitoring line of the province and year (per capita).
    pub line: Fen,
}

/// The registry facts of household `number` for a pre-judgment in `year`: the household, its latest income
/// record and the province's line of the year (`Invalid` if no line is set for that year).
pub async fn exit_inputs(db: &Db, scope: &Scope, number: &str, year: i32) -> Result<ExitInputs> {
    let detail = households::get(db, scope, number)
        .await?
        .ok_or(StoreError::NotFound)?;
    let province = detail.county_code.get(..2).unwrap_or_default().to_owned();
    let line = lines::get(db, &province, year).await?.ok_or_else(|| {
        StoreError::Invalid(format!(
            "no monitoring line for province {province} and year {year} (未设置{year}年监测线)"
        ))
    })?;
    Ok(ExitInputs {
        latest_income: detail
            .incomes
            .iter()
            .map(|e| e.record)
            .max_by_key(|r| r.year),
        household: detail.household,
        line,
    })
}

/// What [`nominate_exit`] needs besides the registry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NominateRequest {
    /// Who nominates (role checked by the core).
    pub by: core_m::Actor,
    /// Date of the nomination (the line of its year applies).
    pub on: NaiveDate,
    /// Exit rules in force: the county's ([`super::rules::get`]`.rules.exit`), whose notice numbering the
    /// exit keeps for its 告知书.
    pub rules: ExitRules,
}

/// 预判提名: nominates the household for exit with the facts of the registry ([`exit_inputs`]) rather than
/// facts sent by the client; the core refuses (`Refused`, `NotEligible` with the unmet conditions) unless
/// every risk-elimination condition is met.
pub async fn nominate_exit(
    db: &Db,
    actor: &Actor,
    scope: &Scope,
    household_number: &str,
    expected_version: i64,
    req: &NominateRequest,
) -> Result<CaseRecord> {
    let inputs = exit_inputs(db, scope, household_number, req.on.year()).await?;
    apply(db, actor, scope, household_number, expected_version, |c| {
        c.apply(
            CaseAction::NominateExit {
                household: Box::new(inputs.household),
                line: inputs.line,
                latest_income: inputs.latest_income,
                rules: req.rules.clone(),
            },
            &req.by,
            req.on,
        )
    })
    .await
}

/// One household's quarterly pre-judgment.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Candidate {
    /// The case.
    pub row: CaseRow,
    /// The judgment: [`PreJudgment::proposed`] when every condition is met, else the unmet ones.
    pub judgment: PreJudgment,
}

/// 定期预判: the pre-judgment of every monitored household (监测帮扶中 or 缓退, no exit running) in the
/// scope's area on `on`, by village and 户编号. Reads each household's registry facts ([`exit_inputs`]), so
/// it is meant for a township or village at a time (a quarterly task), not a whole county per request.
pub async fn prejudge(
    db: &Db,
    scope: &Scope,
    on: NaiveDate,
    rules: &ExitRules,
) -> Result<Vec<Candidate>> {
    let Some(area) = effective_area(scope, None) else {
        return Ok(Vec::new());
    };
    let mut sql = Sql::new();
    sql.push("SELECT c.* FROM cases c WHERE c.lifecycle IN (")
        .bind(Lifecycle::Monitored.code())
        .push(", ")
        .bind(Lifecycle::Deferred.code())
        .push(") AND c.exit_next_step IS NULL");
    push_current(&mut sql);
    sql.push_area("c", &area);
    sql.push(" ORDER BY c.village_code, c.household_number");
    let rows = db.conn().query_all_raw(sql.build(db.backend())).await?;
    let mut out = Vec::new();
    for r in &rows {
        let rec = case_record(r)?;
        let inputs = exit_inputs(db, scope, &rec.household_number, on.year()).await?;
        if let Some(judgment) = rec.case.prejudge(
            &inputs.household,
            inputs.line,
            inputs.latest_income,
            rules,
            on,
        ) {
            out.push(Candidate {
                row: case_row(r)?,
                judgment,
            });
        }
    }
    Ok(out)
}

// ---------------------------------------------------------------------------------------------------------
// Attachments.

/// Records the metadata of an uploaded file in the scope's county (the bytes are kept elsewhere, by hash).
/// The same content uploaded again keeps the first row. Returns the row as stored.
pub async fn register_attachment(
    db: &Db,
    actor: &Actor,
    scope: &Scope,
    attachment: &Attachment,
    size: u64,
) -> Result<AttachmentRow> {
    attachment.validate()?;
    let county = write_county(scope)?.to_owned();
    let size = i64::try_from(size)
        .map_err(|_| StoreError::Invalid(format!("attachment size {size} out of range")))?;
    let tx = db.begin_write().await?;
    if let Some(row) = find_attachment(&tx, &county, &attachment.sha256).await? {
        return Ok(row);
    }
    let mut ins = Sql::new();
    ins.push(
        "INSERT INTO attachments (county_code, sha256, name, media_type, size, uploaded_by, uploaded_at) \
         VALUES (",
    )
    .bind(county.clone())
    .push(", ")
    .bind(attachment.sha256.clone())
    .push(", ")
    .bind(attachment.name.clone())
    .push(", ")
    .bind(attachment.media_type.clone())
    .push(", ")
    .bind(size)
    .push(", ")
    .bind(actor.user_id)
    .push(", ")
    .bind(Utc::now())
    .push(")");
    tx.execute_raw(ins.build(tx.get_database_backend()))
        .await
        .map_err(|e| StoreError::from_write(e, "attachment"))?;
    audit::append(
        &tx,
        actor,
        Change {
            action: "create",
            entity: "attachment",
            entity_id: attachment.sha256.clone(),
            county_code: Some(county.clone()),
            village_code: None,
            before: None,
            after: Some(to_json(attachment)?),
        },
    )
    .await?;
    let row = find_attachment(&tx, &county, &attachment.sha256)
        .await?
        .ok_or(StoreError::NotFound)?;
    tx.commit().await?;
    Ok(row)
}

async fn find_attachment(
    conn: &impl ConnectionTrait,
    county: &str,
    sha256: &str,
) -> Result<Option<AttachmentRow>> {
    let mut sql = Sql::new();
    sql.push("SELECT * FROM attachments WHERE county_code = ")
        .bind(county)
        .push(" AND sha256 = ")
        .bind(sha256.trim().to_ascii_lowercase());
    let row = conn
        .query_one_raw(sql.build(conn.get_database_backend()))
        .await?;
    row.map(|r| {
        Ok(AttachmentRow {
            county_code: r.try_get("", "county_code")?,
            sha256: r.try_get("", "sha256")?,
            name: r.try_get("", "name")?,
            media_type: r.try_get("", "media_type")?,
            size: r.try_get("", "size")?,
            uploaded_by: r.try_get("", "uploaded_by")?,
            uploaded_at: r.try_get("", "uploaded_at")?,
        })
    })
    .transpose()
}

/// The metadata of a file in the scope's county, by hash; `Ok(None)` if unknown there.
pub async fn attachment(db: &Db, scope: &Scope, sha256: &str) -> Result<Option<AttachmentRow>> {
    let Ok(county) = write_county(scope) else {
        return Ok(None);
    };
    find_attachment(db.conn(), county, sha256).await
}

// ---------------------------------------------------------------------------------------------------------
// Bulk insert (demo loads).

/// A case for [`insert_bulk`]: a core [`Case`] already driven through the core's rules, with the household's
/// row id and its place in the household's sequence.
#[derive(Clone, Debug)]
pub struct BulkCase {
    /// `households.id` of the case's household.
    pub household_id: i64,
    /// The household's case sequence (1, 2, …).
    pub seq: i64,
    /// Whether this is the household's latest case.
    pub is_current: bool,
    /// The case.
    pub case: Case,
}

/// Rows a multi-row `INSERT` of cases takes (24 columns).
const BULK_CHUNK: usize = 500;

/// Writes many cases of one county on `conn` (the caller's transaction) with multi-row `INSERT`s: the case
/// rows with the same derived columns as [`open`] and [`apply`] write, their follow-up months, their
/// issued exit notices, and the county's notice counters raised to the highest sequence of each year.
/// Used by bulk loads (the demo county), which audit the load as a whole. The cases must have been built
/// with the core's rules (`Case::open`, `Case::apply`); the notices' sequences must be unique per year and
/// above any already issued in the county (the counters and the notices' unique keys refuse otherwise).
/// Returns the number of cases written.
pub(crate) async fn insert_bulk(
    conn: &impl ConnectionTrait,
    county: &str,
    cases: &[BulkCase],
) -> Result<u64> {
    let backend = conn.get_database_backend();
    let now = Utc::now();
    let mut ids = Vec::with_capacity(cases.len());
    for chunk in cases.chunks(BULK_CHUNK) {
        let mut ins = Sql::new();
        ins.push(
            "INSERT INTO cases (county_code, id, seq, is_current, household_id, township_code, \
             village_code, household_number, lifecycle, channels, first_reported_on, ident_started_on, \
             ident_next_step, monitored_since, eliminated_on, exit_next_step, cadre_user_id, cadre_name, \
             last_follow_up_month, body, version, created_at, updated_at) VALUES ",
        );
        for (i, b) in chunk.iter().enumerate() {
            let id = new_id();
            ids.push(id);
            let d = derive(&b.case);
            if i > 0 {
                ins.push(", ");
            }
            ins.push("(")
                .bind(county)
                .push(", ")
                .bind(id)
                .push(", ")
                .bind(b.seq)
                .push(", ")
                .bind(b.is_current)
                .push(", ")
                .bind(b.household_id)
                .push(", ")
                .bind(b.case.village.township().to_owned())
                .push(", ")
                .bind(b.case.village.as_str().to_owned())
                .push(", ")
                .bind(b.case.household.clone());
            bind_derived(&mut ins, &d, false);
            ins.push(", ")
                .bind(body_of(&b.case)?)
                .push(", ")
                .bind(1_i64)
                .push(", ")
                .bind(now)
                .push(", ")
                .bind(now)
                .push(")");
        }
        conn.execute_raw(ins.build(backend))
            .await
            .map_err(|e| StoreError::from_write(e, "bulk cases"))?;
    }

    // Follow-up months.
    let months: Vec<(i64, String, String, bool)> = cases
        .iter()
        .zip(&ids)
        .flat_map(|(b, id)| {
            derive(&b.case)
                .months
                .into_iter()
                .map(move |(m, (visited, well))| (*id, m, visited, well))
        })
        .collect();
    for chunk in months.chunks(BULK_CHUNK * 2) {
        let mut ins = Sql::new();
        ins.push(
            "INSERT INTO case_follow_ups (county_code, case_id, month, visited_on, all_well) VALUES ",
        );
        for (i, (id, month, visited, well)) in chunk.iter().enumerate() {
            if i > 0 {
                ins.push(", ");
            }
            ins.push("(")
                .bind(county)
                .push(", ")
                .bind(*id)
                .push(", ")
                .bind(month.clone())
                .push(", ")
                .bind(visited.clone())
                .push(", ")
                .bind(*well)
                .push(")");
        }
        conn.execute_raw(ins.build(backend))
            .await
            .map_err(|e| StoreError::from_write(e, "bulk follow-ups"))?;
    }

    // Exit notices and the counters.
    let mut last: BTreeMap<i32, i64> = BTreeMap::new();
    for (b, id) in cases.iter().zip(&ids) {
        for notice in b.case.exits.iter().filter_map(|x| x.notice()) {
            let seq = i64::from(notice.sequence);
            let e = last.entry(notice.year).or_insert(0);
            *e = Ord::max(*e, seq);
            let mut ins = Sql::new();
            ins.push(
                "INSERT INTO exit_notices (county_code, year, sequence, number, case_id, village_code, \
                 household_number, issued_on, created_at) VALUES (",
            )
            .bind(county)
            .push(", ")
            .bind(notice.year)
            .push(", ")
            .bind(seq)
            .push(", ")
            .bind(notice.number.clone())
            .push(", ")
            .bind(*id)
            .push(", ")
            .bind(b.case.village.as_str().to_owned())
            .push(", ")
            .bind(b.case.household.clone())
            .push(", ")
            .bind(notice.issued_on.to_string())
            .push(", ")
            .bind(now)
            .push(")");
            conn.execute_raw(ins.build(backend)).await.map_err(|e| {
                StoreError::from_write(e, &format!("exit notice {}", notice.number))
            })?;
        }
    }
    for (year, seq) in last {
        let mut up = Sql::new();
        up.push("INSERT INTO exit_notice_counters (county_code, year, last_sequence) VALUES (")
            .bind(county)
            .push(", ")
            .bind(year)
            .push(", ")
            .bind(seq)
            .push(
                ") ON CONFLICT (county_code, year) DO UPDATE SET last_sequence = \
                 CASE WHEN exit_notice_counters.last_sequence > excluded.last_sequence \
                 THEN exit_notice_counters.last_sequence ELSE excluded.last_sequence END",
            );
        conn.execute_raw(up.build(backend)).await?;
    }
    Ok(cases.len() as u64)
}
