//! 工作日历: the cadence tasks of each village (docs/domain.md "Cadence, as a calendar") with their state.

use chrono::{Duration, NaiveDate};
use serde::Serialize;
use shouwang_core::Scope;
use shouwang_core::monitoring::calendar::{Period, Task, TaskKind, TaskStatus, village_tasks};
use shouwang_core::monitoring::{Channel, ExitStep};
use shouwang_core::register::{RegisterKind, register_tasks};
use shouwang_store::repo;
use shouwang_store::repo::cases;
use shouwang_store::{Db, Result, StoreError};

use super::command::invalid;
use super::county_rules;
use crate::caller::Caller;

/// One task of the cadence calendar with its state.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TaskView {
    /// The task (village, kind, period, due date).
    pub task: Task,
    /// Its state on the day asked.
    pub status: TaskStatus,
    /// The day it was found done (the latest record that completes it), if done.
    pub completed_on: Option<NaiveDate>,
    /// For a monthly follow-up: monitored households still without a record for the month.
    pub outstanding: Option<u64>,
}

/// The cadence tasks (DOMAIN calendar) of every village in the caller's area (or of `village`) for
/// the periods overlapping `from..=to`, with their state on `today`:
///
/// - 逐月跟踪监测: done when no monitored household lacks the month's record; `outstanding` counts them;
/// - 干部排查: done by a 干部排查 round of the village held in the quarter (`screening_round`), or a
///   干部排查 clue recorded in the village in the quarter;
/// - 定期预判会议: done by an exit nomination in the village in the quarter;
/// - 民主评议会: done by an exit appraisal in the village in the quarter;
/// - 低收入人口月度走访: done when no household of the low-income register lacks the month's visit
///   (`registers::low_income::{in_scope, outstanding}`: the village's scope read once); `outstanding` counts them;
/// - 搬迁户季度排查 (villages and settlement points with relocated households only): done when no relocated
///   household lacks the quarter's screening (`registers::relocation::outstanding`); `outstanding` counts
///   them;
/// - 劳动力就业月报 (villages with a household with labour): done when none lacks the month's record
///   (`registers::labour::{in_scope, outstanding}`); `outstanding` counts them.
/// - 三保障和饮水安全季度排查 (villages with households): done when every household is checked in the quarter
///   (`registers::campaign::outstanding`); `outstanding` counts those not checked.
/// - 问题整改 (villages with problems only): one per village and month of the deadlines, including the
///   problems still open past a deadline before `from` (`problem::deadline_tasks`); `outstanding` counts
///   those not closed.
///
/// The quarterly states are read from the records, so a village with nobody to nominate shows the
/// meeting as pending or overdue: the record of a meeting without candidates is not kept yet.
pub async fn calendar(
    db: &Db,
    caller: &Caller,
    village: Option<&str>,
    from: NaiveDate,
    to: NaiveDate,
    today: NaiveDate,
) -> Result<Vec<TaskView>> {
    if to < from || (to - from).num_days() > 400 {
        return Err(invalid(
            "日期范围无效（结束日期不能早于开始日期，且不超过 400 天）",
            "Invalid date range (the end may not be before the start, at most 400 days)",
        ));
    }
    let rules = county_rules(db, &caller.county()?).await?;
    let area = caller.scope.area_prefix().to_owned();
    let villages: Vec<String> = match village.map(str::trim).filter(|v| !v.is_empty()) {
        Some(v) => {
            if !caller.scope.covers(v) {
                return Err(StoreError::NotFound);
            }
            vec![v.to_owned()]
        }
        None if area.len() >= 12 => vec![area.clone()],
        None => repo::regions::list_under(db, &area)
            .await?
            .into_iter()
            .filter(|r| r.level == shouwang_core::codes::RegionLevel::Village)
            .map(|r| r.code.as_str().to_owned())
            .collect(),
    };
    let mut out = Vec::new();
    // 问题整改: the area's problems due in the range or overdue, in one statement (§三(四)2).
    let due = repo::problems::due(db, &caller.scope, village.map(str::trim), from, to).await?;
    for (task, completed_on, open) in shouwang_core::monitoring::problem::deadline_tasks(&due) {
        out.push(TaskView {
            status: task.status(completed_on, today),
            task,
            completed_on,
            outstanding: Some(open),
        });
    }
    // 光伏收益分配 (§四(二)4): every village a running station benefits, one task a month (two statements).
    out.extend(
        pv_tasks(
            db,
            caller,
            village.map(str::trim).filter(|v| !v.is_empty()),
            (from, to),
            &rules.cadence,
            today,
        )
        .await?,
    );
    // 易地扶贫搬迁集中安置点 (their own level in the registry) keep the relocated households' screening.
    if area.len() < 12 && village.map(str::trim).is_none_or(str::is_empty) {
        for s in repo::regions::list_under(db, &area)
            .await?
            .into_iter()
            .filter(|r| r.level == shouwang_core::codes::RegionLevel::Settlement)
        {
            let s = s.code.as_str().to_owned();
            out.extend(relocation_tasks(db, caller, &s, from, to, &rules.cadence, today).await?);
        }
    }
    for v in villages {
        let vscope = Scope::new(caller.user_id, caller.scope.role, v.clone());
        let records = cases::current_records(db, &vscope).await?;
        // 干部排查 rounds of the village (a round without findings completes the task too).
        let rounds: Vec<NaiveDate> = crate::screening::cadre::list(
            db,
            &vscope,
            Some(&v),
            shouwang_core::monitoring::Quarter::of(from).first_day(),
            shouwang_core::monitoring::Quarter::of(to).last_day(),
        )
        .await?
        .into_iter()
        .map(|r| r.round.held_on)
        .collect();
        out.extend(relocation_tasks(db, caller, &v, from, to, &rules.cadence, today).await?);
        // The village's households and members, read once for all the months shown and both monthly
        // registers (低收入人口, 劳动力就业).
        let subjects = crate::registers::subjects(db, caller, Some(&v), None)
            .await
            .map_err(to_store)?;
        out.extend(
            labour_tasks(db, caller, &v, &subjects, (from, to), &rules.cadence, today).await?,
        );
        out.extend(
            campaign_tasks(db, caller, &v, &subjects, (from, to), &rules.cadence, today).await?,
        );
        let mut low_income_scope: Option<Vec<i64>> = None;
        for task in village_tasks(&v, from, to, &rules.cadence) {
            let (completed_on, outstanding) = match (task.kind, task.period) {
                (TaskKind::MonthlyFollowUp, Period::Month(m)) => {
                    let as_of = today.max(task.due_on + Duration::days(1));
                    let missing =
                        cases::overdue_follow_ups(db, &vscope, m, as_of, &rules.cadence, 1, 1)
                            .await?
                            .total;
                    let latest = records
                        .iter()
                        .filter_map(|r| r.case.follow_ups.month(m).map(|e| e.recorded_on))
                        .max();
                    let done = missing == 0 && m.first_day() <= today;
                    (
                        done.then(|| latest.unwrap_or(task.due_on.min(today))),
                        Some(missing),
                    )
                }
                (TaskKind::LowIncomeVisit, Period::Month(m)) => {
                    let in_scope = match &low_income_scope {
                        Some(ids) => ids,
                        None => low_income_scope.insert(
                            crate::registers::low_income::in_scope(db, &subjects, today)
                                .await
                                .map_err(to_store)?,
                        ),
                    };
                    let (missing, latest) =
                        crate::registers::low_income::outstanding(db, caller, &v, in_scope, m)
                            .await
                            .map_err(to_store)?;
                    let done = missing == 0 && m.first_day() <= today;
                    (
                        done.then(|| latest.unwrap_or(task.due_on.min(today))),
                        Some(missing),
                    )
                }
                (kind, Period::Quarter(q)) => {
                    let in_q = |d: NaiveDate| d >= q.first_day() && d <= q.last_day();
                    let mut dates: Vec<NaiveDate> = records
                        .iter()
                        .flat_map(|r| quarterly_evidence(&r.case, kind))
                        .filter(|d| in_q(*d))
                        .collect();
                    if kind == TaskKind::CadreScreening {
                        dates.extend(rounds.iter().copied().filter(|d| in_q(*d)));
                    }
                    (dates.into_iter().max(), None)
                }
                _ => (None, None),
            };
            let status = task.status(completed_on, today);
            out.push(TaskView {
                task,
                status,
                completed_on,
                outstanding,
            });
        }
    }
    out.sort_by(|a, b| {
        (a.task.due_on, a.task.kind, &a.task.village).cmp(&(
            b.task.due_on,
            b.task.kind,
            &b.task.village,
        ))
    });
    Ok(out)
}

/// 管护逾期 (A7, §四(二)3): the assets of the caller's area whose upkeep plan fell due before `today`, the
/// longest overdue first — one statement (`assets::overdue`), shown on the 工作台 of villages and townships.
pub async fn overdue_upkeep(
    db: &Db,
    caller: &Caller,
    today: NaiveDate,
) -> Result<Vec<crate::assets::Overdue>> {
    crate::assets::overdue(db, caller, today)
        .await
        .map_err(to_store)
}

/// The 搬迁户季度排查 tasks of `village` (a village or a settlement point) for the quarters overlapping
/// `from..=to`: none when it has no relocated household; done when none lacks the quarter's screening.
async fn relocation_tasks(
    db: &Db,
    caller: &Caller,
    village: &str,
    from: NaiveDate,
    to: NaiveDate,
    cadence: &shouwang_core::monitoring::CadenceRules,
    today: NaiveDate,
) -> Result<Vec<TaskView>> {
    let mut out = Vec::new();
    for task in register_tasks(RegisterKind::Relocation, village, from, to, cadence) {
        let Period::Quarter(q) = task.period else {
            continue;
        };
        let (total, missing, latest) =
            crate::registers::relocation::outstanding(db, caller, village, q, today)
                .await
                .map_err(to_store)?;
        if total == 0 {
            continue;
        }
        let done = missing == 0 && q.first_day() <= today;
        let completed_on = done.then(|| latest.unwrap_or(task.due_on.min(today)));
        out.push(TaskView {
            status: task.status(completed_on, today),
            task,
            completed_on,
            outstanding: Some(missing),
        });
    }
    Ok(out)
}

/// The 劳动力就业月报 tasks of `village` for the months overlapping `from..=to`: none when it has no
/// household with labour among its `subjects`; done when none lacks the month's record.
async fn labour_tasks(
    db: &Db,
    caller: &Caller,
    village: &str,
    subjects: &[crate::registers::Subject],
    (from, to): (NaiveDate, NaiveDate),
    cadence: &shouwang_core::monitoring::CadenceRules,
    today: NaiveDate,
) -> Result<Vec<TaskView>> {
    use crate::registers::labour;
    let tasks = register_tasks(RegisterKind::Labour, village, from, to, cadence);
    let in_scope = labour::in_scope(subjects, today);
    if in_scope.is_empty() {
        return Ok(Vec::new());
    }
    let mut out = Vec::new();
    for task in tasks {
        let Period::Month(m) = task.period else {
            continue;
        };
        let (missing, latest) = labour::outstanding(db, caller, village, &in_scope, m)
            .await
            .map_err(to_store)?;
        let done = missing == 0 && m.first_day() <= today;
        let completed_on = done.then(|| latest.unwrap_or(task.due_on.min(today)));
        out.push(TaskView {
            status: task.status(completed_on, today),
            task,
            completed_on,
            outstanding: Some(missing),
        });
    }
    Ok(out)
}

/// The 三保障和饮水安全季度排查 tasks of `village` for the quarters overlapping `from..=to` (§三(四)2): none
/// when the village has no household among its `subjects`; done when every household is checked in the
/// quarter (`registers::campaign::outstanding`); `outstanding` counts those not checked.
async fn campaign_tasks(
    db: &Db,
    caller: &Caller,
    village: &str,
    subjects: &[crate::registers::Subject],
    (from, to): (NaiveDate, NaiveDate),
    cadence: &shouwang_core::monitoring::CadenceRules,
    today: NaiveDate,
) -> Result<Vec<TaskView>> {
    if subjects.is_empty() {
        return Ok(Vec::new());
    }
    let mut out = Vec::new();
    for task in register_tasks(RegisterKind::Campaign, village, from, to, cadence) {
        let Period::Quarter(q) = task.period else {
            continue;
        };
        let (_, missing, latest) =
            crate::registers::campaign::outstanding(db, caller, village, subjects, q)
                .await
                .map_err(to_store)?;
        let done = missing == 0 && q.first_day() <= today;
        let completed_on = done.then(|| latest.unwrap_or(task.due_on.min(today)));
        out.push(TaskView {
            status: task.status(completed_on, today),
            task,
            completed_on,
            outstanding: Some(missing),
        });
    }
    Ok(out)
}

/// The 光伏收益分配 tasks (§四(二)4 "按月分配收益") of the villages of the caller's area (or `village`) that a
/// running station benefits, for the months overlapping `from..=to` from the month after the station's grid
/// connection: done by the village's distribution of the month (its decision's date).
async fn pv_tasks(
    db: &Db,
    caller: &Caller,
    village: Option<&str>,
    (from, to): (NaiveDate, NaiveDate),
    cadence: &shouwang_core::monitoring::CadenceRules,
    today: NaiveDate,
) -> Result<Vec<TaskView>> {
    use shouwang_core::monitoring::YearMonth;
    let (f, t) = (YearMonth::of(from), YearMonth::of(to));
    let villages = crate::pv::board::due_villages(db, caller, village, f, t)
        .await
        .map_err(to_store)?;
    let mut out = Vec::new();
    for (v, first, done) in villages {
        for m in f.through(t).into_iter().filter(|m| *m >= first) {
            let period = Period::Month(m);
            let task = Task {
                village: v.clone(),
                kind: TaskKind::PvDistribution,
                period,
                due_on: cadence.due(TaskKind::PvDistribution, period),
            };
            let completed_on = done.iter().find(|(dm, _)| *dm == m).map(|(_, d)| *d);
            out.push(TaskView {
                status: task.status(completed_on, today),
                task,
                completed_on,
                outstanding: None,
            });
        }
    }
    Ok(out)
}

/// A use case's error inside the calendar's store-level result (the calendar predates `Error`).
fn to_store(e: crate::Error) -> StoreError {
    match e.kind {
        crate::Kind::NotFound => StoreError::NotFound,
        crate::Kind::Forbidden => StoreError::Forbidden,
        crate::Kind::Invalid => StoreError::invalid(e.zh, e.en),
        _ => StoreError::Db(sea_orm::DbErr::Custom(e.en)),
    }
}

/// The dates in a case that complete a quarterly task of its village.
fn quarterly_evidence(case: &shouwang_core::monitoring::Case, kind: TaskKind) -> Vec<NaiveDate> {
    match kind {
        TaskKind::CadreScreening => case
            .clues
            .iter()
            .flat_map(|c| &c.sources)
            .filter(|s| s.report.source.channel() == Channel::CadreScreening)
            .map(|s| s.recorded_on)
            .collect(),
        TaskKind::ExitPrejudgment | TaskKind::ExitAppraisal => {
            let step = if kind == TaskKind::ExitPrejudgment {
                ExitStep::Nomination
            } else {
                ExitStep::Appraisal
            };
            case.exits
                .iter()
                .flat_map(|x| &x.steps)
                .filter(|r| r.step == step)
                .map(|r| r.on)
                .collect()
        }
        TaskKind::MonthlyFollowUp
        | TaskKind::LowIncomeVisit
        | TaskKind::RelocationScreening
        | TaskKind::LabourRecord
        | TaskKind::ProblemRectification
        | TaskKind::Campaign
        | TaskKind::PvDistribution => Vec::new(),
    }
}
