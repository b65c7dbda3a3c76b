//! 工作台: the home page of every role (`/`).
//!
//! - 我的任务: the village tasks of the cadence calendar (DOMAIN.md "Cadence") for this month and this
//!   quarter, with due dates ([`calendar::village_tasks`]); the monthly follow-up of last month is shown
//!   done or overdue from the follow-up records.
//! - 逾期事项: households whose follow-up of last month is missing (`repo::cases::overdue_follow_ups`),
//!   identifications past their time limit (`overdue_identifications`).
//! - 待处理线索: clues waiting for 启动识别, per village (`clues_waiting`).
//! - 待我审批: identification and exit steps whose next step this role takes (village steps for the
//!   village team, 乡镇审核 for the township admin, 县级审定 and 纳入监测 for the county admin).
//! - 待明确帮扶责任人: monitored households without a responsible cadre (`needs_cadre`).
//! - 我的帮扶户: a cadre's own households.
//! - 监测状态: households per lifecycle state in the user's area.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use chrono::{Datelike, NaiveDate};
use shouwang_core::CodeList;
use shouwang_core::access::Role;
use shouwang_core::monitoring::calendar::{self, Period, TaskKind, TaskStatus};
use shouwang_core::monitoring::{CadenceRules, Lifecycle, WorkCalendar, YearMonth};
use shouwang_store::repo;
use shouwang_store::repo::cases::{CaseQuery, CaseRow};

use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::i18n::I18n;
use crate::page::{region_names, render};

/// Rows shown per queue on the home page (the queue's page has the rest).
const QUEUE_ROWS: u32 = 10;

/// Today in Beijing.
pub fn today() -> NaiveDate {
    (chrono::Utc::now() + chrono::TimeDelta::hours(8)).date_naive()
}

pub struct TaskView {
    pub what: &'static str,
    pub period: String,
    pub due: String,
    pub status: &'static str,
    pub status_class: &'static str,
    pub note: String,
}

pub struct QueueRow {
    pub number: String,
    pub village: String,
    pub what: String,
    pub since: String,
}

pub struct VillageCount {
    pub code: String,
    pub village: String,
    pub count: u64,
    pub oldest: String,
}

pub struct StateCount {
    pub code: &'static str,
    pub label: &'static str,
    pub count: u64,
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage<'a> {
    i18n: I18n,
    user: &'a CurrentUser,
    today: String,
    tasks: Vec<TaskView>,
    overdue_follow_ups: Vec<QueueRow>,
    overdue_follow_ups_total: u64,
    overdue_month: String,
    overdue_idents: Vec<QueueRow>,
    clues: Vec<VillageCount>,
    approvals: Vec<QueueRow>,
    needs_cadre: Vec<QueueRow>,
    mine: Vec<QueueRow>,
    states: Vec<StateCount>,
    path: &'static str,
}

fn prev_month(m: YearMonth) -> YearMonth {
    if m.month() == 1 {
        YearMonth::new(m.year() - 1, 12).unwrap_or(m)
    } else {
        YearMonth::new(m.year(), m.month() - 1).unwrap_or(m)
    }
}

/// Whether this role takes the case's next step (identification or exit).
fn waits_for(role: Role, row: &CaseRow, i18n: I18n) -> Option<String> {
    if let Some(s) = row.ident_next_step
        && s.roles().contains(&role)
    {
        return Some(format!("{}: {}", i18n.t("case.ident"), i18n.label(&s)));
    }
    if let Some(s) = row.exit_next_step
        && s.roles().contains(&role)
    {
        return Some(format!("{}: {}", i18n.t("case.exit"), i18n.label(&s)));
    }
    None
}

/// GET /
pub async fn home(State(state): State<AppState>, user: CurrentUser) -> Response {
    match build(&state, &user).await {
        Ok(r) => r,
        Err(e) => e.into_page(user.lang),
    }
}

async fn build(state: &AppState, user: &CurrentUser) -> Result<Response, AppError> {
    let i18n = user.i18n();
    let lang = user.lang;
    let db = &state.db;
    let scope = &user.scope;
    let role = scope.role;
    let today = today();
    let rules = CadenceRules::default();
    let cal = WorkCalendar::weekdays_only();
    let names = region_names(db, scope.area_prefix()).await?;
    let village_name = |code: &str| names.get(code).cloned().unwrap_or_else(|| code.to_string());
    let row = |r: &CaseRow, what: String, since: String| QueueRow {
        number: r.household_number.clone(),
        village: village_name(&r.village_code),
        what,
        since,
    };

    // Overdue follow-ups of last month.
    let this_month = YearMonth::of(today);
    let last_month = prev_month(this_month);
    let follow_ups_role = matches!(
        role,
        Role::VillageTeam | Role::Cadre | Role::TownshipAdmin | Role::CountyAdmin
    );
    let (overdue_follow_ups, overdue_follow_ups_total) = if follow_ups_role {
        let p =
            repo::cases::overdue_follow_ups(db, scope, last_month, today, &rules, 1, QUEUE_ROWS)
                .await?;
        let rows = p
            .items
            .iter()
            .filter(|r| role != Role::Cadre || r.cadre_user_id == Some(user.user_id))
            .map(|r| {
                row(
                    r,
                    r.cadre_name.clone().unwrap_or_default(),
                    r.last_follow_up_month
                        .map(|m| m.to_string())
                        .unwrap_or_default(),
                )
            })
            .collect();
        (rows, p.total)
    } else {
        (Vec::new(), 0)
    };

    // The calendar: this month's and this quarter's tasks of the user's village(s).
    let mut tasks = Vec::new();
    if matches!(role, Role::VillageTeam | Role::TownshipAdmin | Role::Cadre) {
        let from = last_month.first_day();
        let to = this_month.quarter().last_day();
        for t in calendar::village_tasks(scope.area_prefix(), from, to, &rules) {
            if role == Role::Cadre && t.kind != TaskKind::MonthlyFollowUp {
                continue;
            }
            let (status, note) = match (t.kind, t.period) {
                (TaskKind::MonthlyFollowUp, Period::Month(m)) if m == last_month => {
                    if overdue_follow_ups_total == 0 {
                        (TaskStatus::Done, String::new())
                    } else {
                        (
                            TaskStatus::Overdue,
                            format!("{} {}", overdue_follow_ups_total, i18n.t("hh.unit")),
                        )
                    }
                }
                (TaskKind::MonthlyFollowUp, Period::Month(m)) if m < last_month => continue,
                _ => (t.status(None, today), String::new()),
            };
            // Quarterly tasks of a past quarter are not shown (their records are the meetings themselves).
            if t.period.last_day() < last_month.first_day() {
                continue;
            }
            tasks.push(TaskView {
                what: i18n.label(&t.kind),
                period: match lang {
                    crate::i18n::Lang::Zh => t.period.label_zh(),
                    crate::i18n::Lang::En => match t.period {
                        Period::Month(m) => m.to_string(),
                        Period::Quarter(q) => format!(
                            "{} Q{}",
                            q.first_day().year(),
                            (q.first_day().month() - 1) / 3 + 1
                        ),
                    },
                },
                due: t.due_on.to_string(),
                status: i18n.label(&status),
                status_class: match status {
                    TaskStatus::Done => "above",
                    TaskStatus::Overdue | TaskStatus::DoneLate => "below",
                    TaskStatus::Pending => "near",
                },
                note,
            });
        }
    }

    let overdue_idents = if matches!(
        role,
        Role::VillageTeam | Role::TownshipAdmin | Role::CountyAdmin | Role::Auditor
    ) {
        repo::cases::overdue_identifications(db, scope, today, &cal)
            .await?
            .iter()
            .take(QUEUE_ROWS as usize)
            .map(|r| {
                row(
                    r,
                    r.ident_next_step
                        .map(|s| i18n.label(&s).to_string())
                        .unwrap_or_default(),
                    r.ident_started_on
                        .map(|d| d.to_string())
                        .unwrap_or_default(),
                )
            })
            .collect()
    } else {
        Vec::new()
    };

    let clues = if matches!(
        role,
        Role::VillageTeam | Role::TownshipAdmin | Role::CountyAdmin
    ) {
        repo::cases::clues_waiting(db, scope)
            .await?
            .into_iter()
            .map(|q| VillageCount {
                village: village_name(&q.village_code),
                code: q.village_code,
                count: q.cases,
                oldest: q.oldest_reported_on.to_string(),
            })
            .collect()
    } else {
        Vec::new()
    };

    // Steps waiting for this role: identifications in progress and exits running.
    let mut approvals = Vec::new();
    if matches!(
        role,
        Role::VillageTeam | Role::TownshipAdmin | Role::CountyAdmin
    ) {
        for lifecycle in [
            Lifecycle::Identifying,
            Lifecycle::Monitored,
            Lifecycle::Deferred,
        ] {
            let q = CaseQuery {
                lifecycle: Some(lifecycle),
                ..Default::default()
            };
            let page = repo::cases::list(db, scope, &q, 1, 500).await?;
            for r in &page.items {
                if let Some(what) = waits_for(role, r, i18n) {
                    let since = r
                        .ident_started_on
                        .map(|d| d.to_string())
                        .unwrap_or_default();
                    approvals.push(row(r, what, since));
                }
            }
        }
    }

    let needs_cadre = if matches!(role, Role::VillageTeam | Role::TownshipAdmin) {
        repo::cases::needs_cadre(db, scope)
            .await?
            .iter()
            .take(QUEUE_ROWS as usize)
            .map(|r| {
                row(
                    r,
                    i18n.label(&r.lifecycle).to_string(),
                    r.monitored_since.map(|d| d.to_string()).unwrap_or_default(),
                )
            })
            .collect()
    } else {
        Vec::new()
    };

    let mine = if role == Role::Cadre {
        let q = CaseQuery {
            cadre_user_id: Some(user.user_id),
            ..Default::default()
        };
        repo::cases::list(db, scope, &q, 1, 100)
            .await?
            .items
            .iter()
            .map(|r| {
                row(
                    r,
                    i18n.label(&r.lifecycle).to_string(),
                    r.last_follow_up_month
                        .map(|m| m.to_string())
                        .unwrap_or_default(),
                )
            })
            .collect()
    } else {
        Vec::new()
    };

    let mut states = Vec::new();
    for l in Lifecycle::all() {
        let q = CaseQuery {
            lifecycle: Some(*l),
            ..Default::default()
        };
        let total = repo::cases::list(db, scope, &q, 1, 1).await?.total;
        states.push(StateCount {
            code: l.code(),
            label: i18n.label(l),
            count: total,
        });
    }

    Ok(render(
        &HomePage {
            i18n,
            user,
            today: today.to_string(),
            tasks,
            overdue_follow_ups,
            overdue_follow_ups_total,
            overdue_month: match lang {
                crate::i18n::Lang::Zh => last_month.label_zh(),
                crate::i18n::Lang::En => last_month.to_string(),
            },
            overdue_idents,
            clues,
            approvals,
            needs_cadre,
            mine,
            states,
            path: "/",
        },
        lang,
    ))
}
