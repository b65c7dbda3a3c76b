//! 工作台: the home page of every role (`/`).
//!
//! The queues and the calendar are the store's read models (`shouwang_app::lifecycle::{queues,
//! calendar}`), the same the JSON API and the CLI show:
//!
//! - 我的任务: the cadence-calendar tasks (docs/domain.md "Cadence") of last month, this month and this
//!   quarter with their state read from the records; for a township one line per task with the
//!   number of villages done.
//! - 逾期事项: households whose follow-up of the last due month is missing; identifications past their
//!   time limit.
//! - 待处理线索: clues waiting for 启动识别, per village.
//! - 待我办理: identification and exit steps whose next step this role takes (village steps for the
//!   village team, 乡镇审核 for the township admin, 县级审定 and 纳入监测 for the county admin).
//! - 待明确帮扶责任人: monitored households without a responsible cadre.
//! - 我的帮扶户: a cadre's own households.
//! - 监测状态: households per lifecycle state in the user's area (links to the filtered registry).

use askama::Template;
use axum::extract::State;
use axum::response::IntoResponse;
use axum::response::Response;
use chrono::{Datelike, NaiveDate};
use shouwang_app::Caller;
use shouwang_app::lifecycle;
use shouwang_core::CodeList;
use shouwang_core::access::Role;
use shouwang_core::monitoring::calendar::{self, Period, TaskKind, TaskStatus};
use shouwang_core::monitoring::{Lifecycle, YearMonth};
use shouwang_store::repo;
use shouwang_store::repo::cases::CaseRow;

use crate::AppState;
use crate::auth::CurrentUser;
use crate::http::error::AppError;
use crate::http::i18n::I18n;
use crate::http::render::render;
use crate::pages::regions::region_names;

/// Rows shown per queue on the home page (the queue's page has the rest).
const QUEUE_ROWS: u32 = 10;

/// Today in Beijing (the store's 办理日期 default).
pub fn today() -> NaiveDate {
    shouwang_app::today()
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
    overdue_idents_total: u64,
    clues: Vec<VillageCount>,
    approvals: Vec<QueueRow>,
    needs_cadre: Vec<QueueRow>,
    needs_cadre_total: u64,
    mine: Vec<QueueRow>,
    states: Vec<StateCount>,
    /// 未设置当年监测线 (for the roles that set or read the county rules).
    missing_line: Option<String>,
    path: &'static str,
    /// 项目库待办 (issue 23): (id, name, village, the awaited step) of the projects awaiting the role's step.
    projects: Vec<(i64, String, String, String)>,
    /// 管护逾期资产 (A7, issue 23): (id, name, village, due date) for villages and townships.
    overdue_assets: Vec<(i64, String, String, String)>,
}

/// GET /
pub async fn home(State(state): State<AppState>, user: CurrentUser) -> Response {
    match build(&state, &user).await {
        Ok(r) => r,
        Err(e) => e.into_response(),
    }
}

/// How many rows of a queue the home page lists (the total is shown).
fn rows_of(rows: &[CaseRow], f: impl Fn(&CaseRow) -> QueueRow) -> Vec<QueueRow> {
    rows.iter().take(QUEUE_ROWS as usize).map(f).collect()
}

async fn build(state: &AppState, user: &CurrentUser) -> Result<Response, AppError> {
    // The province admin reads no household: its work is the province's lines and county admins.
    if user.may_set_province_line() {
        return Ok(axum::response::Redirect::to("/admin/lines").into_response());
    }
    // The grid member 网格员 works on its grid's households (网格化管理, §四(六)): its list is its 工作台.
    if user.scope.grid().is_some() {
        return Ok(axum::response::Redirect::to("/households").into_response());
    }
    let i18n = user.i18n();
    let lang = user.lang;
    let db = &state.db;
    let scope = &user.scope;
    let role = scope.role;
    let today = today();
    let caller = Caller {
        user_id: user.user_id,
        name: user.display_name.clone(),
        scope: scope.clone(),
    };
    let names = region_names(db, scope.area_prefix()).await?;
    let village_name = |code: &str| names.get(code).cloned().unwrap_or_else(|| code.to_string());
    let row = |r: &CaseRow, what: String, since: String| QueueRow {
        number: r.household_number.clone(),
        village: village_name(&r.village_code),
        what,
        since,
    };
    let month_label = |m: YearMonth| match lang {
        crate::http::i18n::Lang::Zh => m.label_zh(),
        crate::http::i18n::Lang::En => m.to_string(),
    };

    // The queues the API and the CLI show too (shouwang_app::lifecycle::queues).
    let q = lifecycle::queues(db, &caller, today).await?;

    // The cadence calendar of the user's village(s), this month and quarter (and last month).
    let mut tasks = Vec::new();
    if matches!(role, Role::VillageTeam | Role::TownshipAdmin | Role::Cadre) {
        let this_month = YearMonth::of(today);
        let from = q.follow_up_month.first_day().min(this_month.first_day());
        let to = this_month.quarter().last_day();
        let all = lifecycle::calendar(db, &caller, None, from, to, today).await?;
        // One line per task kind and period: for a township, how many villages are done.
        let mut lines: Vec<(calendar::Task, Vec<lifecycle::TaskView>)> = Vec::new();
        for t in all {
            if role == Role::Cadre && t.task.kind != TaskKind::MonthlyFollowUp {
                continue;
            }
            match lines
                .iter_mut()
                .find(|(k, _)| k.kind == t.task.kind && k.period == t.task.period)
            {
                Some((_, v)) => v.push(t),
                None => lines.push((t.task.clone(), vec![t])),
            }
        }
        for (task, views) in lines {
            let worst = views
                .iter()
                .map(|v| v.status)
                .max_by_key(|s| match s {
                    TaskStatus::Overdue => 3,
                    TaskStatus::Pending => 2,
                    TaskStatus::DoneLate => 1,
                    TaskStatus::Done => 0,
                })
                .unwrap_or(TaskStatus::Pending);
            let outstanding: u64 = views.iter().filter_map(|v| v.outstanding).sum();
            let done = views
                .iter()
                .filter(|v| matches!(v.status, TaskStatus::Done | TaskStatus::DoneLate))
                .count();
            let mut note = String::new();
            if views.len() > 1 {
                note = format!("{done}/{} {}", views.len(), i18n.t("home.villages_done"));
            }
            if outstanding > 0 && !matches!(worst, TaskStatus::Done | TaskStatus::DoneLate) {
                if !note.is_empty() {
                    note.push('，');
                }
                note.push_str(&format!("{outstanding} {}", i18n.t("home.outstanding")));
            }
            tasks.push(TaskView {
                what: i18n.label(&task.kind),
                period: match (lang, task.period) {
                    (crate::http::i18n::Lang::Zh, p) => p.label_zh(),
                    (crate::http::i18n::Lang::En, Period::Month(m)) => m.to_string(),
                    (crate::http::i18n::Lang::En, Period::Quarter(qq)) => format!(
                        "{} Q{}",
                        qq.first_day().year(),
                        (qq.first_day().month() - 1) / 3 + 1
                    ),
                },
                due: task.due_on.to_string(),
                status: i18n.label(&worst),
                status_class: match worst {
                    TaskStatus::Done => "above",
                    TaskStatus::Overdue | TaskStatus::DoneLate => "below",
                    TaskStatus::Pending => "near",
                },
                note,
            });
        }
    }

    let overdue_follow_ups = rows_of(&q.overdue_follow_ups, |r| {
        row(
            r,
            r.cadre_name.clone().unwrap_or_default(),
            r.last_follow_up_month.map(month_label).unwrap_or_default(),
        )
    });
    let overdue_idents = rows_of(&q.overdue_identifications, |r| {
        row(
            r,
            r.ident_next_step
                .map(|s| i18n.label(&s).to_string())
                .unwrap_or_default(),
            r.ident_started_on
                .map(|d| d.to_string())
                .unwrap_or_default(),
        )
    });
    let clues = q
        .clues_waiting
        .iter()
        .map(|c| VillageCount {
            village: village_name(&c.village_code),
            code: c.village_code.clone(),
            count: c.cases,
            oldest: c.oldest_reported_on.to_string(),
        })
        .collect();
    let approvals = q
        .approvals
        .iter()
        .map(|w| {
            let what = match (w.ident_step, w.exit_step) {
                (Some(s), _) => format!("{}: {}", i18n.t("case.ident"), i18n.label(&s)),
                (None, Some(s)) => format!("{}: {}", i18n.t("case.exit"), i18n.label(&s)),
                (None, None) => String::new(),
            };
            let since = w
                .row
                .ident_started_on
                .map(|d| d.to_string())
                .unwrap_or_default();
            row(&w.row, what, since)
        })
        .collect();
    let needs_cadre = rows_of(&q.needs_cadre, |r| {
        row(
            r,
            i18n.label(&r.lifecycle).to_string(),
            r.monitored_since.map(|d| d.to_string()).unwrap_or_default(),
        )
    });
    let mine = q
        .my_households
        .iter()
        .map(|r| {
            row(
                r,
                i18n.label(&r.lifecycle).to_string(),
                r.last_follow_up_month.map(month_label).unwrap_or_default(),
            )
        })
        .collect();

    let counts = repo::cases::lifecycle_counts(db, scope).await?;
    let states = Lifecycle::all()
        .iter()
        .map(|l| StateCount {
            code: l.code(),
            label: i18n.label(l),
            count: counts
                .iter()
                .find(|(c, _)| c == l)
                .map(|(_, n)| *n)
                .unwrap_or(0),
        })
        .collect();

    let missing_line = if user.may_read_rules() {
        shouwang_app::income::missing_line(db, &caller, today)
            .await?
            .map(|m| {
                let (zh, en) = m.message();
                if i18n.is_en() { en } else { zh }
            })
    } else {
        None
    };
    let projects = shouwang_app::projects::queue(db, &caller)
        .await?
        .into_iter()
        .map(|e| {
            let step = e
                .awaited
                .map(|s| i18n.label(&s).to_owned())
                .unwrap_or_default();
            (e.id, e.name, e.village_name, step)
        })
        .collect();
    let overdue_assets = if matches!(role, Role::VillageTeam | Role::TownshipAdmin) {
        lifecycle::overdue_upkeep(db, &caller, today)
            .await?
            .into_iter()
            .map(|o| (o.id, o.name, o.village_name, o.due.to_string()))
            .collect()
    } else {
        Vec::new()
    };
    Ok(render(&HomePage {
        overdue_assets,
        missing_line,
        i18n,
        user,
        today: today.to_string(),
        tasks,
        overdue_follow_ups_total: q.overdue_follow_ups.len() as u64,
        overdue_follow_ups,
        overdue_month: month_label(q.follow_up_month),
        overdue_idents_total: q.overdue_identifications.len() as u64,
        overdue_idents,
        clues,
        approvals,
        needs_cadre_total: q.needs_cadre.len() as u64,
        needs_cadre,
        mine,
        states,
        path: "/",
        projects,
    }))
}
