//! 农村劳动力就业 (B1, §四(一)): the register's use cases — the households of the caller's area with labour
//! (16–60, able to work) with the month's record state ([`list`], [`show`]; who is not recorded yet:
//! `state=missing`); the monthly employment record ([`record`]: every member of the labour force with
//! status, employer or place, income, training and drive; one per household and month, 409 on a second,
//! 403 in another village); the calendar's count of households without the month's record
//! ([`in_scope`], [`outstanding`]) and the figure 脱贫劳动力务工就业人数 this year against last year by
//! village ([`figures`]; the dashboard's total in one statement: [`trend`]). The 劳动力就业台账 is
//! exported by `ledgers::export` (`labour`).

use std::collections::HashMap;

use chrono::NaiveDate;
use serde::Serialize;
use shouwang_core::monitoring::calendar::{Period, TaskStatus, YearMonth};
use shouwang_core::register::labour::{self, Drive, MonthlyRecord, Status, Trend, Worker};
use shouwang_core::register::relocation::WorkPlace;
use shouwang_core::register::{RegisterKind, labour_members};
use shouwang_store::repo;
use shouwang_store::{Db, StoreError};

use super::relocation::Labour;
use super::{
    PeriodState, Subject, code_of, labour_of, month_of, period_code, period_state, subjects,
};
use crate::caller::Caller;
use crate::error::Error;
use crate::lifecycle::county_rules;

const REGISTER: RegisterKind = RegisterKind::Labour;

/// A household with labour and the state of the month asked.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Entry {
    /// 户编号.
    pub number: String,
    /// 行政村 code.
    pub village: String,
    /// 乡镇 name.
    pub township_name: String,
    /// 行政村 name.
    pub village_name: String,
    /// 户主姓名.
    pub head_name: String,
    /// 家庭人口.
    pub size: usize,
    /// 脱贫户.
    pub alleviated: bool,
    /// 劳动力.
    pub labour: Vec<Labour>,
    /// The month's record: due date, date recorded, state.
    pub month: PeriodState,
    /// The month's record, if any.
    pub record: Option<MonthlyRecord>,
}

impl Entry {
    /// Members employed (务工就业) in the month's record.
    pub fn employed(&self) -> usize {
        self.record.as_ref().map_or(0, MonthlyRecord::employed)
    }
}

/// A filter of [`list`] (a form, a query string, CLI flags).
#[derive(Clone, Debug, Default, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
pub struct ListFilter {
    /// A township or village inside the caller's area.
    pub area: Option<String>,
    /// Only households with a member in this status in the month (`migrant`, `nearby`, `welfare_post`,
    /// `workshop`, `self_employed`, `unemployed`).
    pub status: Option<String>,
    /// Only households whose month is in this state (`pending`, `overdue`, `done`, `done_late`), or
    /// `missing` (not recorded yet).
    pub state: Option<String>,
    /// The month (`2026-06`; default this month).
    pub month: Option<String>,
}

async fn records_of(
    db: &Db,
    caller: &Caller,
    area: Option<&str>,
    number: Option<&str>,
    first: &str,
    last: &str,
) -> Result<Vec<(repo::register_records::RecordRow, MonthlyRecord)>, Error> {
    let mut out = Vec::new();
    for r in
        repo::register_records::list(db, &caller.scope, REGISTER, area, number, first, last).await?
    {
        let m: MonthlyRecord = serde_json::from_value(r.body.clone())
            .map_err(|e| Error::internal(format!("labour record {}: {e}", r.id)))?;
        out.push((r, m));
    }
    Ok(out)
}

fn entry(
    s: &Subject,
    record: Option<MonthlyRecord>,
    month: PeriodState,
    today: NaiveDate,
) -> Entry {
    let h = &s.household;
    Entry {
        number: h.number.clone(),
        village: s.village_code.clone(),
        township_name: s.names.township.clone(),
        village_name: s.names.village.clone(),
        head_name: h.head().map(|m| m.name.clone()).unwrap_or_default(),
        size: h.size(),
        alleviated: labour::alleviated(h),
        labour: labour_of(h, today),
        month,
        record,
    }
}

async fn entries(
    db: &Db,
    caller: &Caller,
    area: Option<&str>,
    number: Option<&str>,
    month: YearMonth,
    today: NaiveDate,
) -> Result<Vec<Entry>, Error> {
    let all = subjects(db, caller, area, number).await?;
    let Some(first) = all.first() else {
        return Ok(Vec::new());
    };
    let cadence = county_rules(db, &first.county_code).await?.cadence;
    let p = period_code(Period::Month(month));
    let mut done: HashMap<i64, MonthlyRecord> = records_of(db, caller, area, number, &p, &p)
        .await?
        .into_iter()
        .map(|(r, m)| (r.household_id, m))
        .collect();
    Ok(all
        .iter()
        .filter(|s| !labour_members(&s.household, today).is_empty())
        .map(|s| {
            let record = done.remove(&s.household_id);
            let state = period_state(
                REGISTER,
                Period::Month(month),
                record.as_ref().map(|r| r.recorded_on),
                &cadence,
                today,
            );
            entry(s, record, state, today)
        })
        .collect())
}

/// The households with labour in the caller's area on `today` (filtered), by village and 户编号, each
/// with the month's record and its state.
pub async fn list(
    db: &Db,
    caller: &Caller,
    filter: &ListFilter,
    today: NaiveDate,
) -> Result<Vec<Entry>, Error> {
    let month = month_of(filter.month.as_deref(), today)?;
    let status: Option<Status> = code_of("就业状态", filter.status.as_deref())?;
    let missing = filter.state.as_deref().map(str::trim) == Some("missing");
    let state: Option<TaskStatus> = if missing {
        None
    } else {
        code_of("任务状态", filter.state.as_deref())?
    };
    let mut out = entries(db, caller, filter.area.as_deref(), None, month, today).await?;
    out.retain(|e| {
        (!missing || e.record.is_none())
            && state.is_none_or(|s| s == e.month.status)
            && status.is_none_or(|st| {
                e.record
                    .as_ref()
                    .is_some_and(|r| r.workers.iter().any(|w| w.status == st))
            })
    });
    Ok(out)
}

/// A recorded month.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RecordRow {
    /// Row id.
    pub id: i64,
    /// 登记人.
    pub recorded_by: String,
    /// The record.
    pub record: MonthlyRecord,
}

/// A household's page of the register: its labour force, this month, its records (newest first).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Sheet {
    /// The household and this month.
    pub entry: Entry,
    /// Its records, newest first.
    pub records: Vec<RecordRow>,
}

/// The household `number` of the caller's area (`NotFound` outside the area or without labour).
pub async fn show(
    db: &Db,
    caller: &Caller,
    number: &str,
    today: NaiveDate,
) -> Result<Sheet, Error> {
    let entry = entries(db, caller, None, Some(number), YearMonth::of(today), today)
        .await?
        .into_iter()
        .next()
        .ok_or_else(Error::not_found)?;
    let mut records: Vec<RecordRow> =
        records_of(db, caller, None, Some(&entry.number), "0000", "9999")
            .await?
            .into_iter()
            .map(|(r, record)| RecordRow {
                id: r.id,
                recorded_by: r.recorded_by,
                record,
            })
            .collect();
    records.reverse();
    Ok(Sheet { entry, records })
}

/// A member's month as a client sends it: the member by place in the household (see [`Entry::labour`]).
#[derive(Clone, Debug, Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct WorkerInput {
    /// The member's place in the household (0 = first).
    pub position: usize,
    /// 就业状态 (`migrant`, `nearby`, `welfare_post`, `workshop`, `self_employed`, `unemployed`).
    pub status: Status,
    /// 务工地点 of 外出务工 (`in_county`, `in_province`, `out_of_province`).
    #[serde(default)]
    pub place: Option<WorkPlace>,
    /// 就业单位或地点.
    #[serde(default)]
    pub employer: String,
    /// 月收入（元）.
    #[serde(default)]
    pub monthly_income: Option<u32>,
    /// 带动方式 (`leader`, `workshop`, `welfare_post`, `enterprise`).
    #[serde(default)]
    pub drive: Option<Drive>,
    /// 培训需求.
    #[serde(default)]
    pub training_wanted: String,
    /// 已参加培训.
    #[serde(default)]
    pub training_taken: String,
}

/// A monthly record as a client sends it (the API's body, the page's form, the CLI's flags): the month is
/// the record date's; the date defaults to today.
#[derive(Clone, Debug, Default, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default, deny_unknown_fields)]
pub struct RecordInput {
    /// 登记日期 (default today).
    pub recorded_on: Option<NaiveDate>,
    /// Every member of the labour force.
    pub workers: Vec<WorkerInput>,
}

impl RecordInput {
    /// The record of `h`, dated `recorded_on` or `today`, its workers named from the household (a position
    /// outside the labour force keeps an empty name, which the record's checks refuse).
    pub fn record(&self, h: &shouwang_core::Household, today: NaiveDate) -> MonthlyRecord {
        let on = self.recorded_on.unwrap_or(today);
        let labour = labour_of(h, on);
        let workers = self
            .workers
            .iter()
            .map(|w| Worker {
                position: w.position,
                name: labour
                    .iter()
                    .find(|l| l.position == w.position)
                    .map(|l| l.name.clone())
                    .unwrap_or_default(),
                status: w.status,
                place: w.place,
                employer: w.employer.trim().to_owned(),
                monthly_income: w.monthly_income,
                drive: w.drive,
                training_wanted: w.training_wanted.trim().to_owned(),
                training_taken: w.training_taken.trim().to_owned(),
            })
            .collect();
        MonthlyRecord::new(h, on, workers)
    }
}

/// What [`record`] did.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Recorded {
    /// The record's row id.
    pub id: i64,
    /// Members employed (务工就业).
    pub employed: usize,
}

/// Records the month's employment of household `number` as `caller` (see the module doc). Errors:
/// `Forbidden` (a role that keeps no records, another village), `NotFound` (no such household),
/// `Invalid` (the record's checks, a household without labour), `Conflict` (the month already recorded).
pub async fn record(
    db: &Db,
    caller: &Caller,
    number: &str,
    input: &RecordInput,
    today: NaiveDate,
) -> Result<Recorded, Error> {
    let (household_id, village) = super::target_for_write(db, caller, number).await?;
    let found = subjects(db, caller, None, Some(number)).await?;
    let subject = found.first().ok_or_else(Error::not_found)?;
    let record = input.record(&subject.household, today);
    if labour_members(&subject.household, record.recorded_on).is_empty() {
        return Err(Error::invalid(
            "该户没有劳动力（16至60周岁、有劳动能力）",
            "The household has no labour force",
        ));
    }
    record.validate(&subject.household, today)?;
    let body = serde_json::to_value(&record).map_err(Error::internal)?;
    let tx = db.begin_write().await?;
    let id = super::insert_record_on(
        &tx,
        caller,
        REGISTER,
        (household_id, subject.household.number.as_str()),
        &village,
        Period::Month(record.month),
        record.recorded_on,
        body,
    )
    .await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(Recorded {
        id,
        employed: record.employed(),
    })
}

/// The households with labour of a village's `subjects` (their ids; the subjects read once for the
/// months of a calendar and every register's task) ([`outstanding`]).
pub fn in_scope(all: &[Subject], today: NaiveDate) -> Vec<i64> {
    all.iter()
        .filter(|s| !labour_members(&s.household, today).is_empty())
        .map(|s| s.household_id)
        .collect()
}

/// How many of the households `in_scope` of `village` lack month `month`'s record, and the latest record
/// of the month among them: one statement.
pub async fn outstanding(
    db: &Db,
    caller: &Caller,
    village: &str,
    in_scope: &[i64],
    month: YearMonth,
) -> Result<(u64, Option<NaiveDate>), Error> {
    let p = period_code(Period::Month(month));
    let done: HashMap<i64, NaiveDate> =
        repo::register_records::list(db, &caller.scope, REGISTER, Some(village), None, &p, &p)
            .await?
            .into_iter()
            .map(|r| (r.household_id, r.recorded_on))
            .collect();
    let missing = in_scope.iter().filter(|id| !done.contains_key(id)).count() as u64;
    let latest = in_scope.iter().filter_map(|id| done.get(id)).max().copied();
    Ok((missing, latest))
}

/// The same month of last year.
fn a_year_before(m: YearMonth) -> YearMonth {
    YearMonth::new(m.year() - 1, m.month()).unwrap_or(m)
}

/// 脱贫劳动力务工就业人数 of the caller's area (narrowed to `area`) in `month` against the same month of
/// last year, by village code: one statement.
async fn trends(
    db: &Db,
    caller: &Caller,
    area: Option<&str>,
    month: YearMonth,
) -> Result<Vec<(String, Trend)>, Error> {
    let this = period_code(Period::Month(month));
    let last = period_code(Period::Month(a_year_before(month)));
    let mut by_village: Vec<(String, Trend)> = Vec::new();
    for (village, period, n) in
        repo::register_records::labour_employed(db, &caller.scope, area, &[last, this.clone()])
            .await?
    {
        if by_village.last().is_none_or(|(v, _)| *v != village) {
            by_village.push((
                village,
                Trend {
                    this_year: 0,
                    last_year: 0,
                },
            ));
        }
        if let Some((_, t)) = by_village.last_mut() {
            let n = u64::try_from(n).unwrap_or(0);
            if period == this {
                t.this_year = n;
            } else {
                t.last_year = n;
            }
        }
    }
    Ok(by_village)
}

fn total(trends: &[(String, Trend)]) -> Trend {
    Trend {
        this_year: trends.iter().map(|(_, t)| t.this_year).sum(),
        last_year: trends.iter().map(|(_, t)| t.last_year).sum(),
    }
}

/// The dashboard's 脱贫劳动力务工就业人数 of the caller's area: last month (the latest whose records are
/// all due) against the same month of last year, in one statement.
pub async fn trend(
    db: &Db,
    caller: &Caller,
    today: NaiveDate,
) -> Result<(YearMonth, Trend), Error> {
    let month = last_month(today);
    Ok((month, total(&trends(db, caller, None, month).await?)))
}

/// The month before `today`'s.
pub fn last_month(today: NaiveDate) -> YearMonth {
    let m = YearMonth::of(today);
    if m.month() == 1 {
        YearMonth::new(m.year() - 1, 12).unwrap_or(m)
    } else {
        YearMonth::new(m.year(), m.month() - 1).unwrap_or(m)
    }
}

/// A village's 脱贫劳动力务工就业人数 this year against last year.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VillageTrend {
    /// 行政村 code.
    pub village: String,
    /// 行政村 name.
    pub village_name: String,
    /// The figure.
    pub trend: Trend,
}

/// The register's figures of the caller's area (narrowed to `area`) for `month`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Figures {
    /// The month counted.
    pub month: YearMonth,
    /// Households with labour.
    pub households: u64,
    /// Of them, recorded in the month.
    pub recorded: u64,
    /// Past due without a record.
    pub overdue: u64,
    /// 劳动力 of the households.
    pub labour: u64,
    /// Members employed (务工就业) in the month's records.
    pub employed: u64,
    /// 脱贫劳动力务工就业人数 of the month against the same month of last year.
    pub trend: Trend,
    /// The same by village (villages with records in either month).
    pub by_village: Vec<VillageTrend>,
}

/// The figures of the caller's area (narrowed to `area`) for `month` (default this month).
pub async fn figures(
    db: &Db,
    caller: &Caller,
    area: Option<&str>,
    month: Option<&str>,
    today: NaiveDate,
) -> Result<Figures, Error> {
    let month = month_of(month, today)?;
    let rows = entries(db, caller, area, None, month, today).await?;
    let trends = trends(db, caller, area, month).await?;
    let names: HashMap<&str, &str> = rows
        .iter()
        .map(|e| (e.village.as_str(), e.village_name.as_str()))
        .collect();
    Ok(Figures {
        month,
        households: rows.len() as u64,
        recorded: rows.iter().filter(|e| e.record.is_some()).count() as u64,
        overdue: rows
            .iter()
            .filter(|e| e.month.status == TaskStatus::Overdue)
            .count() as u64,
        labour: rows.iter().map(|e| e.labour.len() as u64).sum(),
        employed: rows.iter().map(|e| e.employed() as u64).sum(),
        trend: total(&trends),
        by_village: trends
            .into_iter()
            .map(|(village, trend)| VillageTrend {
                village_name: names
                    .get(village.as_str())
                    .copied()
                    .unwrap_or("")
                    .to_owned(),
                village,
                trend,
            })
            .collect(),
    })
}
