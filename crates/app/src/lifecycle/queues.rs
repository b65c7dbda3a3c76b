//! 工作台待办: a user's work queues — clues waiting, steps waiting at the user's level, overdue
//! follow-ups and identifications, households without a cadre.

use chrono::NaiveDate;
use serde::Serialize;
use shouwang_core::monitoring::{ExitStep, IdentStep, Lifecycle, YearMonth};
use shouwang_core::rules::CountyRules;
use shouwang_core::{CodeList, Role, Scope};
use shouwang_store::repo;
use shouwang_store::repo::cases::{self, CaseQuery, CaseRow, VillageQueue};
use shouwang_store::{Db, Result};

use super::county_rules;
use crate::caller::Caller;

/// A case waiting for a step the caller's role may take.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Waiting {
    /// The case.
    pub row: CaseRow,
    /// The identification step waiting, if any.
    pub ident_step: Option<IdentStep>,
    /// The exit step waiting, if any.
    pub exit_step: Option<ExitStep>,
}

/// A user's work queues (工作台).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Queues {
    /// The day the queues are for.
    pub today: NaiveDate,
    /// 线索 waiting for 启动识别, per village (roles that may start identification).
    pub clues_waiting: Vec<VillageQueue>,
    /// Identification and exit steps waiting at the caller's level (审批待办).
    pub approvals: Vec<Waiting>,
    /// The month whose follow-ups are checked below (the last month already due).
    pub follow_up_month: YearMonth,
    /// Monitored households without a follow-up for that month (for a cadre: their own).
    pub overdue_follow_ups: Vec<CaseRow>,
    /// 识别 past the time limit.
    pub overdue_identifications: Vec<CaseRow>,
    /// Monitored households without a responsible cadre.
    pub needs_cadre: Vec<CaseRow>,
    /// For a cadre: the households currently assigned.
    pub my_households: Vec<CaseRow>,
}

/// Every row of a case query (all pages; areas are a village or a township for most callers).
pub(super) async fn all_rows(db: &Db, scope: &Scope, query: &CaseQuery) -> Result<Vec<CaseRow>> {
    let mut out = Vec::new();
    let mut page = 1;
    loop {
        let p = cases::list(db, scope, query, page, repo::MAX_PER_PAGE).await?;
        let done = u64::try_from(out.len() + p.items.len()).unwrap_or(u64::MAX) >= p.total
            || p.items.is_empty();
        out.extend(p.items);
        if done {
            return Ok(out);
        }
        page += 1;
    }
}

/// The last month whose follow-up was due before `today`.
fn last_due_month(today: NaiveDate, rules: &CountyRules) -> YearMonth {
    let this = YearMonth::of(today);
    if rules.cadence.follow_up_due(this) < today {
        this
    } else {
        let prev = this.first_day().pred_opt().unwrap_or(this.first_day());
        YearMonth::of(prev)
    }
}

/// The caller's queues on `today`: clues waiting, steps waiting at the caller's level, overdue
/// follow-ups of the last due month, overdue identifications, households without a cadre, and for a
/// cadre the households assigned.
pub async fn queues(db: &Db, caller: &Caller, today: NaiveDate) -> Result<Queues> {
    let scope = &caller.scope;
    let role = scope.role;
    let rules = county_rules(db, &caller.county()?).await?;
    let clues_waiting = if shouwang_core::monitoring::identification::START_ROLES.contains(&role) {
        cases::clues_waiting(db, scope).await?
    } else {
        Vec::new()
    };
    // Only the cases whose next step is this role's are read (the steps are columns of `cases`).
    let mut approvals = Vec::new();
    let ident_steps: Vec<IdentStep> = IdentStep::all()
        .iter()
        .copied()
        .filter(|s| s.roles().contains(&role))
        .collect();
    let identifying = CaseQuery {
        lifecycle: Some(Lifecycle::Identifying),
        ident_steps: Some(ident_steps),
        ..CaseQuery::default()
    };
    for row in all_rows(db, scope, &identifying).await? {
        if let Some(step) = row.ident_next_step.filter(|s| s.roles().contains(&role)) {
            approvals.push(Waiting {
                row,
                ident_step: Some(step),
                exit_step: None,
            });
        }
    }
    let exit_steps: Vec<ExitStep> = ExitStep::all()
        .iter()
        .copied()
        .filter(|s| s.roles().contains(&role))
        .collect();
    for lifecycle in [
        Lifecycle::Monitored,
        Lifecycle::Deferred,
        Lifecycle::Eliminated,
    ] {
        let q = CaseQuery {
            lifecycle: Some(lifecycle),
            exit_steps: Some(exit_steps.clone()),
            ..CaseQuery::default()
        };
        for row in all_rows(db, scope, &q).await? {
            if let Some(step) = row.exit_next_step.filter(|s| s.roles().contains(&role)) {
                approvals.push(Waiting {
                    row,
                    ident_step: None,
                    exit_step: Some(step),
                });
            }
        }
    }
    let month = last_due_month(today, &rules);
    let mut overdue_follow_ups = Vec::new();
    let mut page = 1;
    loop {
        let p = cases::overdue_follow_ups(
            db,
            scope,
            month,
            today,
            &rules.cadence,
            page,
            repo::MAX_PER_PAGE,
        )
        .await?;
        let n = p.items.len();
        overdue_follow_ups.extend(p.items);
        if n == 0 || u64::try_from(overdue_follow_ups.len()).unwrap_or(u64::MAX) >= p.total {
            break;
        }
        page += 1;
    }
    let mut my_households = Vec::new();
    if role == Role::Cadre {
        overdue_follow_ups.retain(|r| r.cadre_user_id == Some(caller.user_id));
        my_households = all_rows(
            db,
            scope,
            &CaseQuery {
                cadre_user_id: Some(caller.user_id),
                ..CaseQuery::default()
            },
        )
        .await?;
    }
    Ok(Queues {
        today,
        clues_waiting,
        approvals,
        follow_up_month: month,
        overdue_follow_ups,
        overdue_identifications: cases::overdue_identifications(db, scope, today, &rules.calendar)
            .await?,
        needs_cadre: cases::needs_cadre(db, scope).await?,
        my_households,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn last_due_month_is_the_previous_one_until_the_due_day_passes() {
        let d = |m, day| NaiveDate::from_ymd_opt(2022, m, day).unwrap();
        let rules = CountyRules::default();
        assert_eq!(
            last_due_month(d(3, 1), &rules),
            YearMonth::new(2022, 2).unwrap()
        );
        assert_eq!(
            last_due_month(d(3, 31), &rules),
            YearMonth::new(2022, 2).unwrap()
        );
        assert_eq!(
            last_due_month(d(1, 5), &rules),
            YearMonth::new(2021, 12).unwrap()
        );
    }
}
