//! 农村劳动力就业 (B1, §四(一)) pages:
//! - `GET /labour` — the households with labour of the user's area, with the month's record state; the
//!   figure 脱贫劳动力务工就业人数 this year against last year by village on top; filters (area, 就业状态,
//!   the month's state incl. "not recorded yet", month); the 劳动力就业台账 download;
//! - `GET /labour/{n}` — one household: labour force, this month, its records, and for a village team,
//!   cadre or township the monthly record form (one column, for a phone);
//! - `POST /labour/{n}/record` — records it through `shouwang_app::registers::labour`.

use askama::Template;
use axum::Form;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use shouwang_app::registers::RECORDERS;
use shouwang_app::registers::labour::{self, Entry, ListFilter, RecordInput, Sheet, WorkerInput};
use shouwang_core::CodeList;
use shouwang_core::monitoring::calendar::TaskStatus;
use shouwang_core::register::labour::{Drive, Status, worker_label_zh};
use shouwang_core::register::relocation::WorkPlace;

use crate::AppState;
use crate::auth::{CurrentUser, check_csrf};
use crate::http::error::{AppError, status_of};
use crate::http::form::{encode, opt};
use crate::http::i18n::{I18n, Lang};
use crate::http::render::{render_status, see_other};
use crate::pages::cases::{Fields, caller};
use crate::pages::households::FilterOption;
use crate::pages::households::code_options as options;
use crate::pages::low_income::status_class;
use crate::pages::regions::region_options;

/// The routes of this module.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/labour", get(list))
        .route("/labour/{number}", get(show))
        .route("/labour/{number}/record", post(record))
}

/// A household row as shown.
pub struct Row {
    number: String,
    number_enc: String,
    village: String,
    head: String,
    alleviated: bool,
    labour: String,
    employment: String,
    status: String,
    status_class: &'static str,
    recorded_on: String,
}

fn row(e: &Entry, i18n: I18n) -> Row {
    Row {
        number: e.number.clone(),
        number_enc: encode(&e.number),
        village: e.village_name.clone(),
        head: e.head_name.clone(),
        alleviated: e.alleviated,
        labour: e
            .labour
            .iter()
            .map(|l| format!("{}（{}）", l.name, l.age))
            .collect::<Vec<_>>()
            .join("、"),
        employment: e
            .record
            .as_ref()
            .map(|r| {
                r.workers
                    .iter()
                    .map(worker_label_zh)
                    .collect::<Vec<_>>()
                    .join("；")
            })
            .unwrap_or_default(),
        status: i18n.label(&e.month.status).to_owned(),
        status_class: status_class(e.month.status),
        recorded_on: e
            .month
            .recorded_on
            .map(|d| d.to_string())
            .unwrap_or_default(),
    }
}

/// A village's figure as shown.
pub struct TrendRow {
    village: String,
    this_year: u64,
    last_year: u64,
    change: i64,
    ok: bool,
}

#[derive(Template)]
#[template(path = "labour/list.html")]
struct ListPage<'a> {
    i18n: I18n,
    user: &'a CurrentUser,
    path: String,
    rows: Vec<Row>,
    month: String,
    last_year_month: String,
    areas: Vec<FilterOption>,
    statuses: Vec<FilterOption>,
    states: Vec<FilterOption>,
    figures: labour::Figures,
    trends: Vec<TrendRow>,
    filtered: bool,
}

#[derive(Deserialize, Default)]
pub struct ListQuery {
    area: Option<String>,
    status: Option<String>,
    state: Option<String>,
    month: Option<String>,
}

/// GET /labour?area=…&status=…&state=…&month=…
pub async fn list(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<ListQuery>,
) -> Result<Response, AppError> {
    let i18n = user.i18n();
    let today = shouwang_app::today();
    let filter = ListFilter {
        area: opt(&q.area, 20),
        status: opt(&q.status, 20),
        state: opt(&q.state, 20),
        month: opt(&q.month, 10),
    };
    let c = caller(&user);
    let entries = labour::list(&state.db, &c, &filter, today).await?;
    let figures = labour::figures(
        &state.db,
        &c,
        filter.area.as_deref(),
        filter.month.as_deref(),
        today,
    )
    .await?;
    let areas = region_options(&state.db, user.scope.area_prefix())
        .await?
        .into_iter()
        .filter(|r| r.code.len() > user.scope.area_prefix().len())
        .map(|r| FilterOption {
            selected: filter.area.as_deref() == Some(r.code.as_str()),
            value: r.code,
            label: r.label,
        })
        .collect();
    let mut states = vec![FilterOption {
        value: "missing".to_owned(),
        label: i18n.lang.pick("本月未登记", "Not recorded yet").to_owned(),
        selected: filter.state.as_deref() == Some("missing"),
    }];
    states.extend(options(TaskStatus::ALL, filter.state.as_deref(), i18n));
    let m = figures.month;
    let page = ListPage {
        i18n,
        user: &user,
        path: "/labour".to_owned(),
        rows: entries.iter().map(|e| row(e, i18n)).collect(),
        month: m.to_string(),
        last_year_month: shouwang_core::monitoring::calendar::YearMonth::new(
            m.year() - 1,
            m.month(),
        )
        .map(|y| y.to_string())
        .unwrap_or_default(),
        areas,
        statuses: options(Status::ALL, filter.status.as_deref(), i18n),
        states,
        trends: figures
            .by_village
            .iter()
            .map(|v| TrendRow {
                village: v.village_name.clone(),
                this_year: v.trend.this_year,
                last_year: v.trend.last_year,
                change: v.trend.change(),
                ok: v.trend.stable_or_growing(),
            })
            .collect(),
        figures,
        filtered: filter.area.is_some() || filter.status.is_some() || filter.state.is_some(),
    };
    Ok(render_status(&page, StatusCode::OK))
}

/// A record as shown.
pub struct RecordView {
    month: String,
    recorded_on: String,
    by: String,
    workers: String,
    employed: usize,
}

/// A member of the labour force in the form.
pub struct LabourField {
    position: usize,
    name: String,
    age: u32,
}

#[derive(Template)]
#[template(path = "labour/show.html")]
struct ShowPage<'a> {
    i18n: I18n,
    user: &'a CurrentUser,
    path: String,
    row: Row,
    due_on: String,
    labour: Vec<LabourField>,
    records: Vec<RecordView>,
    may_record: bool,
    today: String,
    statuses: Vec<(&'static str, &'static str)>,
    places: Vec<(&'static str, &'static str)>,
    drives: Vec<(&'static str, &'static str)>,
    v: Fields,
    error: Option<String>,
    recorded: bool,
}

impl ShowPage<'_> {
    fn get(&self, name: &str) -> String {
        self.v.get(name)
    }
    fn field(&self, name: &str, position: &usize) -> String {
        self.v.get(&format!("{name}_{position}"))
    }
}

fn show_page(
    user: &CurrentUser,
    sheet: &Sheet,
    v: Fields,
    error: Option<String>,
    recorded: bool,
    status: StatusCode,
) -> Response {
    let i18n = user.i18n();
    let records = sheet
        .records
        .iter()
        .map(|r| RecordView {
            month: r.record.month.to_string(),
            recorded_on: r.record.recorded_on.to_string(),
            by: r.recorded_by.clone(),
            workers: r
                .record
                .workers
                .iter()
                .map(worker_label_zh)
                .collect::<Vec<_>>()
                .join("；"),
            employed: r.record.employed(),
        })
        .collect();
    let number = sheet.entry.number.clone();
    render_status(
        &ShowPage {
            i18n,
            user,
            path: format!("/labour/{}", encode(&number)),
            row: row(&sheet.entry, i18n),
            due_on: sheet.entry.month.due_on.to_string(),
            labour: sheet
                .entry
                .labour
                .iter()
                .map(|l| LabourField {
                    position: l.position,
                    name: l.name.clone(),
                    age: l.age,
                })
                .collect(),
            records,
            may_record: RECORDERS.contains(&user.scope.role),
            today: shouwang_app::today().to_string(),
            statuses: Status::ALL
                .iter()
                .map(|s| (s.code(), i18n.label(s)))
                .collect(),
            places: WorkPlace::ALL
                .iter()
                .map(|p| (p.code(), i18n.label(p)))
                .collect(),
            drives: Drive::ALL
                .iter()
                .map(|d| (d.code(), i18n.label(d)))
                .collect(),
            v,
            error,
            recorded,
        },
        status,
    )
}

#[derive(Deserialize, Default)]
pub struct ShowQuery {
    recorded: Option<String>,
}

/// GET /labour/{number}
pub async fn show(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(number): Path<String>,
    Query(q): Query<ShowQuery>,
) -> Result<Response, AppError> {
    let today = shouwang_app::today();
    let sheet = labour::show(&state.db, &caller(&user), &number, today).await?;
    Ok(show_page(
        &user,
        &sheet,
        Fields(Vec::new()),
        None,
        q.recorded.is_some(),
        StatusCode::OK,
    ))
}

/// The record of the form: `recorded_on`, per member of the labour force at place `p` the fields
/// `status_p`, `place_p`, `employer_p`, `wage_p`, `drive_p`, `want_p`, `took_p`.
fn record_input(f: &Fields, positions: &[usize]) -> Result<RecordInput, AppError> {
    let bad =
        |zh: &str, en: &str| AppError::bad_request("bad_request", zh.to_owned(), en.to_owned());
    fn code<T: CodeList>(f: &Fields, name: &str) -> Result<Option<T>, ()> {
        match f.get(name).trim() {
            "" => Ok(None),
            c => T::from_code(c).map(Some).ok_or(()),
        }
    }
    let mut workers = Vec::new();
    for p in positions {
        let status: Status = code(f, &format!("status_{p}"))
            .ok()
            .flatten()
            .ok_or_else(|| bad("未知的就业状态", "Unknown status"))?;
        let wage = match f.get(&format!("wage_{p}")).trim() {
            "" => None,
            s => Some(
                s.parse::<u32>()
                    .map_err(|_| bad("月收入应为整数（元）", "An amount must be whole yuan"))?,
            ),
        };
        workers.push(WorkerInput {
            position: *p,
            status,
            place: code(f, &format!("place_{p}"))
                .map_err(|_| bad("未知的务工地点", "Unknown place"))?,
            employer: f.get(&format!("employer_{p}")),
            monthly_income: wage,
            drive: code(f, &format!("drive_{p}"))
                .map_err(|_| bad("未知的带动方式", "Unknown drive"))?,
            training_wanted: f.get(&format!("want_{p}")),
            training_taken: f.get(&format!("took_{p}")),
        });
    }
    let recorded_on = match f.get("recorded_on").trim() {
        "" => None,
        s => Some(
            s.parse()
                .map_err(|_| bad("登记日期格式应为 YYYY-MM-DD", "A date must be YYYY-MM-DD"))?,
        ),
    };
    Ok(RecordInput {
        recorded_on,
        workers,
    })
}

/// POST /labour/{number}/record
pub async fn record(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(number): Path<String>,
    Form(raw): Form<Vec<(String, String)>>,
) -> Response {
    let f = Fields(raw);
    if let Err(e) = check_csrf(&user, &f.get("csrf")) {
        return e.into_response();
    }
    let c = caller(&user);
    let today = shouwang_app::today();
    // The members the form lists: `status_<place>`.
    let positions = f.indices("status_");
    let input = match record_input(&f, &positions) {
        Ok(i) => i,
        Err(e) => return e.into_response(),
    };
    let e = match labour::record(&state.db, &c, &number, &input, today).await {
        Ok(_) => return see_other(&format!("/labour/{}?recorded=1", encode(number.trim()))),
        Err(e) => e,
    };
    // The form again with the reason, when the household is the user's to see; else the error alone.
    match labour::show(&state.db, &c, &number, today).await {
        Ok(sheet) => {
            let message = e.message(user.i18n().lang == Lang::Zh).to_owned();
            show_page(&user, &sheet, f, Some(message), false, status_of(e.kind))
        }
        Err(_) => AppError::from(e).into_response(),
    }
}
