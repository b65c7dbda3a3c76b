//! 常态化帮扶登记簿 (issue 21): the use cases of the registers kept on the registry's households — one
//! pattern, "a register + a periodic record + a ledger + a calendar task + a dashboard figure", that each
//! register fills in (`shouwang_core::register` holds its rules):
//!
//! | step | shared here | a register adds |
//! | --- | --- | --- |
//! | scope | [`subjects`]: the registry's households of the caller's area with members, names, latest case | its rule (`core::register::<r>::reasons`) |
//! | record | [`target_for_write`] (role, 403 other village, 404), [`insert_record_on`] (409 a second of a period, audit) | its record type and checks |
//! | overdue | [`period_state`] (due date and state of a household's period) | — |
//! | calendar | `lifecycle::calendar` counts the outstanding households of the register's [`RegisterKind::task`] through the register's `outstanding` | its `outstanding` |
//! | ledger | `ledgers::export` with the register's `LedgerKind` | its columns and rows |
//! | figure | — | its `figures` |
//!
//! [`low_income`] is the first register (A4, §三(二)), [`relocation`] the second (A5, §三(三)), [`labour`]
//! the third (B1, §四(一)), [`campaign`] the fourth (A6, §三(四)2: every household once a quarter).

pub mod campaign;
pub mod labour;
pub mod low_income;
pub mod relocation;

use chrono::NaiveDate;
use serde::Serialize;
use shouwang_core::codes::RiskType;
use shouwang_core::monitoring::calendar::{CadenceRules, Period, TaskStatus, status_on};
use shouwang_core::monitoring::{ClueRules, Report, Source};
use shouwang_core::register::{self, RegisterKind};
use shouwang_core::{CodeList, Role};
use shouwang_store::repo;
use shouwang_store::repo::register_records::NewRecord;
use shouwang_store::{Db, StoreError};

use crate::caller::Caller;
use crate::error::Error;
use crate::lifecycle::{Filed, Filing, file_report_on};

pub use shouwang_store::repo::register_records::{RecordRow, Subject};

/// The roles that keep a register's records: the village team, the responsible cadre and the township.
pub const RECORDERS: &[Role] = &[Role::VillageTeam, Role::Cadre, Role::TownshipAdmin];

/// The registry's households of the caller's area (narrowed to `area`; only `number` when given) as the
/// registers see them (`Invalid` for an area that is no region code).
pub async fn subjects(
    db: &Db,
    caller: &Caller,
    area: Option<&str>,
    number: Option<&str>,
) -> Result<Vec<Subject>, Error> {
    let area = area.map(str::trim).filter(|a| !a.is_empty());
    if let Some(a) = area
        && shouwang_core::RegionCode::parse(a).is_err()
    {
        return Err(Error::invalid(
            format!("地区代码“{}”有误", a.chars().take(20).collect::<String>()),
            "Bad area code",
        ));
    }
    Ok(repo::register_records::subjects(db, &caller.scope, area, number).await?)
}

/// Refuses (`Forbidden`) a role that may not read the registry.
pub(crate) fn require_registry_reader(caller: &Caller) -> Result<(), Error> {
    if caller.scope.role.may_read_registry() {
        Ok(())
    } else {
        Err(Error::forbidden())
    }
}

/// The household a record is written for: (row id, village). `Forbidden` for a role that keeps no
/// records or a household of another village (403: the household exists, in the county, outside the
/// caller's area), `NotFound` when the county has no such 户编号.
pub async fn target_for_write(
    db: &Db,
    caller: &Caller,
    number: &str,
) -> Result<(i64, String), Error> {
    if !RECORDERS.contains(&caller.scope.role) {
        return Err(Error::role_not_allowed(
            "只有村级工作专班、帮扶责任人和乡镇管理员可以登记",
            "Only the village team, the responsible cadre and the township may record this",
        ));
    }
    let county = caller.county()?;
    let (id, village) = repo::register_records::locate(db.conn(), &county, number)
        .await?
        .ok_or_else(Error::not_found)?;
    if !caller.scope.covers(&village) {
        return Err(Error::forbidden());
    }
    Ok((id, village))
}

/// The household a grid member 网格员 records a 低收入人口 visit for (网格化管理, §四(六)): (row id, village) of
/// a household of its grid; `NotFound` for any other (outside its grid, as for a read), `Forbidden` for a
/// caller that is no grid member.
pub async fn grid_target(db: &Db, caller: &Caller, number: &str) -> Result<(i64, String), Error> {
    if caller.scope.grid().is_none() {
        return Err(Error::forbidden());
    }
    let county = caller.county()?;
    let (id, village) = repo::register_records::locate(db.conn(), &county, number)
        .await?
        .ok_or_else(Error::not_found)?;
    if !repo::grids::covers_household(db, &caller.scope, id).await? {
        return Err(Error::not_found());
    }
    Ok((id, village))
}

/// Writes one household's record of `period` in `register` on `tx` (audited; a second record of the
/// period is a `Conflict`, 409). Returns the row id.
// The record's columns, each distinct.
#[allow(clippy::too_many_arguments)]
pub async fn insert_record_on(
    tx: &sea_orm::DatabaseTransaction,
    caller: &Caller,
    register: RegisterKind,
    household: (i64, &str),
    village: &str,
    period: Period,
    recorded_on: NaiveDate,
    body: serde_json::Value,
) -> Result<i64, StoreError> {
    let county = caller.county()?;
    let period = period_code(period);
    repo::register_records::insert_on(
        tx,
        &caller.actor(),
        &NewRecord {
            register,
            county: &county,
            household_id: household.0,
            household_number: household.1,
            village,
            period: &period,
            recorded_on,
            body,
        },
    )
    .await
}

/// The month of a filter or a form (default: the month of `today`).
pub fn month_of(
    s: Option<&str>,
    today: NaiveDate,
) -> Result<shouwang_core::monitoring::calendar::YearMonth, Error> {
    match s.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(shouwang_core::monitoring::calendar::YearMonth::of(today)),
        Some(s) => shouwang_core::monitoring::calendar::YearMonth::parse(s)
            .ok_or_else(|| Error::invalid("月份格式应为 YYYY-MM", "The month must be YYYY-MM")),
    }
}

/// The stored form of a period: `2026-06`, `2026-Q2` (sorts in time order as text).
pub fn period_code(p: Period) -> String {
    match p {
        Period::Month(m) => m.to_string(),
        Period::Quarter(q) => q.to_string(),
    }
}

/// A household's period in a register: due date and state.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PeriodState {
    /// The period.
    pub period: Period,
    /// 截止日期.
    pub due_on: NaiveDate,
    /// The record's date, if recorded.
    pub recorded_on: Option<NaiveDate>,
    /// 待完成 / 已逾期 / 已完成 / 逾期完成 on the day asked.
    pub status: TaskStatus,
}

/// The state of a household's `period` in `register` on `today`, given its record's date.
pub fn period_state(
    register: RegisterKind,
    period: Period,
    recorded_on: Option<NaiveDate>,
    rules: &CadenceRules,
    today: NaiveDate,
) -> PeriodState {
    let due_on = register::due_on(register, period, rules);
    PeriodState {
        period,
        due_on,
        recorded_on,
        status: status_on(due_on, recorded_on, today),
    }
}

/// The labour force (劳动力: 16–60, able to work) of `h` on `on`, as the registers' pages list it.
pub fn labour_of(h: &shouwang_core::Household, on: NaiveDate) -> Vec<relocation::Labour> {
    register::labour_members(h, on)
        .into_iter()
        .map(|(position, m)| relocation::Labour {
            position,
            name: m.name.clone(),
            age: m.age_on(on),
        })
        .collect()
}

/// A code of list `T` from a filter or a form (`what_zh`: the list's Chinese name for the message; empty:
/// none).
pub(crate) fn code_of<T: CodeList>(what_zh: &str, s: Option<&str>) -> Result<Option<T>, Error> {
    match s.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => T::from_any(s).map(Some).ok_or_else(|| {
            Error::invalid(
                format!(
                    "未知的{what_zh}：{}",
                    s.chars().take(20).collect::<String>()
                ),
                format!("Unknown {}", T::list_name_en()),
            )
        }),
    }
}

/// Files the new risks a register's record found at household `number` as a clue of channel 干部排查
/// (round `round`, e.g. `2026年6月低收入人口走访`) through the lifecycle's one function, on `tx`; none
/// filed without risks, or when the round already reported them.
pub(crate) async fn file_new_risks_on(
    tx: &sea_orm::DatabaseTransaction,
    caller: &Caller,
    number: &str,
    risks: &[RiskType],
    round: String,
    on: NaiveDate,
    rules: ClueRules,
) -> Result<Option<Filed>, Error> {
    if risks.is_empty() {
        return Ok(None);
    }
    let report = Report {
        household: number.to_owned(),
        source: Source::CadreScreening {
            round: round.clone(),
        },
        risks: risks.to_vec(),
        reporter: caller.name.clone(),
        reported_on: on,
    };
    let same = |s: &Source| matches!(s, Source::CadreScreening { round: r } if *r == round);
    match file_report_on(tx, caller, report, rules, on, None, same).await {
        Ok(Filing::Filed { filed, .. }) => Ok(Some(filed)),
        Ok(Filing::AlreadyPresent | Filing::OutOfArea) => Ok(None),
        Err(e) => Err(e.into()),
    }
}
