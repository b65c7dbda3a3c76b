//! 帮扶车间 (B1 §四(一)3 "帮扶车间吸纳一批") pages:
//! - `GET /workshops` — the workshops of the user's area with their workers' figures, filtered by state;
//! - `GET/POST /workshops/new`, `GET/POST /workshops/{id}/edit` — 登记 and 修改 (township, county);
//! - `GET /workshops/{id}` — a workshop with its workers, the form to take one on and 离岗;
//! - `POST /workshops/{id}/workers`, `POST /workshops/{id}/release` — through `shouwang_app::workshops`.

use askama::Template;
use axum::Form;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use shouwang_app::assets::Versioned;
use shouwang_app::workshops::{self, Entry, KEEPERS, ListFilter, Release, Sheet, Worker};
use shouwang_core::CodeList;
use shouwang_core::workshop::{Draft, Hire, OperatorKind, WorkshopState};

use crate::AppState;
use crate::auth::{CurrentUser, check_csrf};
use crate::http::error::{AppError, status_of};
use crate::http::form::opt;
use crate::http::i18n::{I18n, Lang};
use crate::http::render::{render_status, see_other};
use crate::pages::cases::{Fields, caller};
use crate::pages::households::{FilterOption, code_options as options};

/// The routes of this module.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/workshops", get(list))
        .route("/workshops/new", get(new_form).post(register))
        .route("/workshops/{id}", get(show))
        .route("/workshops/{id}/edit", get(edit_form).post(edit))
        .route("/workshops/{id}/workers", post(hire))
        .route("/workshops/{id}/release", post(release))
}

/// A workshop row as shown.
pub struct Row {
    id: i64,
    name: String,
    village: String,
    operator: String,
    products: String,
    started_on: String,
    state: String,
    jobs: u32,
    workers: u32,
    alleviated: u32,
    monitored: u32,
    wages: u64,
}

fn row(e: &Entry, i18n: I18n) -> Row {
    Row {
        id: e.id,
        name: e.name.clone(),
        village: format!("{}{}", e.township_name, e.village_name),
        operator: format!("{}（{}）", e.operator, i18n.label(&e.operator_kind)),
        products: e.products.clone(),
        started_on: e.started_on.to_string(),
        state: i18n.label(&e.state).to_owned(),
        jobs: e.jobs,
        workers: e.tally.workers,
        alleviated: e.tally.alleviated,
        monitored: e.tally.monitored,
        wages: e.tally.wages,
    }
}

#[derive(Template)]
#[template(path = "workshops/list.html")]
struct ListPage<'a> {
    i18n: I18n,
    user: &'a CurrentUser,
    path: String,
    rows: Vec<Row>,
    states: Vec<FilterOption>,
    may_register: bool,
    filtered: bool,
}

#[derive(Deserialize, Default)]
pub struct ListQuery {
    area: Option<String>,
    state: Option<String>,
}

/// GET /workshops?area=…&state=…
pub async fn list(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<ListQuery>,
) -> Result<Response, AppError> {
    let i18n = user.i18n();
    let filter = ListFilter {
        area: opt(&q.area, 20),
        state: opt(&q.state, 30),
    };
    let entries = workshops::list(&state.db, &caller(&user), &filter).await?;
    let page = ListPage {
        i18n,
        user: &user,
        path: "/workshops".to_owned(),
        rows: entries.iter().map(|e| row(e, i18n)).collect(),
        states: options(WorkshopState::ALL, filter.state.as_deref(), i18n),
        may_register: KEEPERS.contains(&user.scope.role),
        filtered: filter.area.is_some() || filter.state.is_some(),
    };
    Ok(render_status(&page, StatusCode::OK))
}

type Choices = Vec<(&'static str, &'static str)>;

fn choices<C: CodeList>(all: &[C], i18n: I18n) -> Choices {
    all.iter().map(|c| (c.code(), i18n.label(c))).collect()
}

#[derive(Template)]
#[template(path = "workshops/form.html")]
struct FormPage<'a> {
    i18n: I18n,
    user: &'a CurrentUser,
    path: String,
    /// Some(id): changing the workshop `id`.
    editing: Option<i64>,
    operators: Choices,
    states: Choices,
    v: Fields,
    error: Option<String>,
}

impl FormPage<'_> {
    fn get(&self, name: &str) -> String {
        self.v.get(name)
    }
}

fn form_page(
    user: &CurrentUser,
    editing: Option<i64>,
    v: Fields,
    error: Option<String>,
    status: StatusCode,
) -> Response {
    let i18n = user.i18n();
    render_status(
        &FormPage {
            i18n,
            user,
            path: match editing {
                Some(id) => format!("/workshops/{id}/edit"),
                None => "/workshops/new".to_owned(),
            },
            editing,
            operators: choices(OperatorKind::ALL, i18n),
            states: choices(WorkshopState::ALL, i18n),
            v,
            error,
        },
        status,
    )
}

/// GET /workshops/new
pub async fn new_form(user: CurrentUser) -> Response {
    form_page(&user, None, Fields(Vec::new()), None, StatusCode::OK)
}

fn bad(zh: &str, en: &str) -> AppError {
    AppError::bad_request("bad_request", zh.to_owned(), en.to_owned())
}

/// The registration of the form: `name`, `village` (default the user's area), `operator_kind`, `operator`,
/// `products`, `started_on`, `state`, `jobs`.
fn draft_of(f: &Fields, user: &CurrentUser) -> Result<Draft, AppError> {
    let village = match f.get("village") {
        v if v.is_empty() => user.scope.area_prefix().to_owned(),
        v => v,
    };
    Ok(Draft {
        name: f.get("name"),
        village,
        operator_kind: OperatorKind::from_code(&f.get("operator_kind"))
            .ok_or_else(|| bad("请选择经营主体类型", "Choose the operator's kind"))?,
        operator: f.get("operator"),
        products: f.get("products"),
        started_on: f
            .date("started_on")
            .ok_or_else(|| bad("投产日期格式应为 YYYY-MM-DD", "The date must be YYYY-MM-DD"))?,
        state: WorkshopState::from_code(&f.get("state")).unwrap_or(WorkshopState::Operating),
        jobs: f
            .get("jobs")
            .trim()
            .parse()
            .map_err(|_| bad("提供就业岗位数应为整数", "The jobs must be a whole number"))?,
    })
}

/// POST /workshops/new
pub async fn register(
    State(state): State<AppState>,
    user: CurrentUser,
    Form(raw): Form<Vec<(String, String)>>,
) -> Response {
    let f = Fields(raw);
    if let Err(e) = check_csrf(&user, &f.get("csrf")) {
        return e.into_response();
    }
    let zh = user.i18n().lang == Lang::Zh;
    let draft = match draft_of(&f, &user) {
        Ok(d) => d,
        Err(e) => return e.into_response(),
    };
    match workshops::register(&state.db, &caller(&user), draft, shouwang_app::today()).await {
        Ok(id) => see_other(&format!("/workshops/{id}?done=1")),
        Err(e) => form_page(
            &user,
            None,
            f,
            Some(e.message(zh).to_owned()),
            status_of(e.kind),
        ),
    }
}

/// GET /workshops/{id}/edit: the form filled with the registration.
pub async fn edit_form(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let sheet = workshops::show(&state.db, &caller(&user), id).await?;
    let e = &sheet.entry;
    let v = Fields(
        [
            ("name", e.name.clone()),
            ("village", e.village.clone()),
            ("operator_kind", e.operator_kind.code().to_owned()),
            ("operator", e.operator.clone()),
            ("products", e.products.clone()),
            ("started_on", e.started_on.to_string()),
            ("state", e.state.code().to_owned()),
            ("jobs", e.jobs.to_string()),
            ("version", e.version.to_string()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect(),
    );
    Ok(form_page(&user, Some(id), v, None, StatusCode::OK))
}

/// POST /workshops/{id}/edit (with `version`).
pub async fn edit(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Form(raw): Form<Vec<(String, String)>>,
) -> Response {
    let f = Fields(raw);
    if let Err(e) = check_csrf(&user, &f.get("csrf")) {
        return e.into_response();
    }
    let zh = user.i18n().lang == Lang::Zh;
    let draft = match draft_of(&f, &user) {
        Ok(d) => d,
        Err(e) => return e.into_response(),
    };
    let change = Versioned {
        version: f.get("version").parse().ok(),
        body: draft,
    };
    match workshops::update(&state.db, &caller(&user), id, change, shouwang_app::today()).await {
        Ok(()) => see_other(&format!("/workshops/{id}?done=1")),
        Err(e) => form_page(
            &user,
            Some(id),
            f,
            Some(e.message(zh).to_owned()),
            status_of(e.kind),
        ),
    }
}

/// A worker as shown.
pub struct WorkerView {
    id: i64,
    household: String,
    name: String,
    id_number: String,
    standing: String,
    wage: u32,
    since: String,
    until: String,
}

fn worker_view(w: &Worker, i18n: I18n) -> WorkerView {
    let mut standing = Vec::new();
    if w.alleviated {
        standing.push(i18n.lang.pick("脱贫户", "alleviated"));
    }
    if w.monitored {
        standing.push(i18n.lang.pick("监测户", "monitored"));
    }
    WorkerView {
        id: w.id,
        household: w.household.clone(),
        name: format!("{}（{}）", w.name, w.village_name),
        id_number: w.id_number.clone(),
        standing: standing.join("、"),
        wage: w.wage,
        since: w.since.to_string(),
        until: w.until.map(|d| d.to_string()).unwrap_or_default(),
    }
}

#[derive(Template)]
#[template(path = "workshops/show.html")]
struct ShowPage<'a> {
    i18n: I18n,
    user: &'a CurrentUser,
    path: String,
    row: Row,
    version: i64,
    wages_of_targets: u64,
    workers: Vec<WorkerView>,
    may_keep: bool,
    may_hire: bool,
    today: String,
    error: Option<String>,
    done: bool,
}

fn show_page(
    user: &CurrentUser,
    sheet: &Sheet,
    error: Option<String>,
    done: bool,
    status: StatusCode,
) -> Response {
    let i18n = user.i18n();
    let may_keep = KEEPERS.contains(&user.scope.role);
    render_status(
        &ShowPage {
            i18n,
            user,
            path: format!("/workshops/{}", sheet.entry.id),
            row: row(&sheet.entry, i18n),
            version: sheet.entry.version,
            wages_of_targets: sheet.entry.tally.wages_of_targets,
            workers: sheet.workers.iter().map(|w| worker_view(w, i18n)).collect(),
            may_keep,
            may_hire: may_keep && sheet.entry.state != WorkshopState::Closed,
            today: shouwang_app::today().to_string(),
            error,
            done,
        },
        status,
    )
}

#[derive(Deserialize, Default)]
pub struct ShowQuery {
    done: Option<String>,
}

/// GET /workshops/{id}
pub async fn show(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Query(q): Query<ShowQuery>,
) -> Result<Response, AppError> {
    let sheet = workshops::show(&state.db, &caller(&user), id).await?;
    Ok(show_page(
        &user,
        &sheet,
        None,
        q.done.is_some(),
        StatusCode::OK,
    ))
}

/// After a refused write: the workshop again with the reason, when the user may see it; else the error.
async fn refused(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
    e: shouwang_app::Error,
) -> Response {
    match workshops::show(&state.db, &caller(user), id).await {
        Ok(sheet) => {
            let message = e.message(user.i18n().lang == Lang::Zh).to_owned();
            show_page(user, &sheet, Some(message), false, status_of(e.kind))
        }
        Err(_) => AppError::from(e).into_response(),
    }
}

/// POST /workshops/{id}/workers: `household`, `member` (1 = first), `wage` (元), `since`, `version`.
pub async fn hire(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Form(raw): Form<Vec<(String, String)>>,
) -> Response {
    let f = Fields(raw);
    if let Err(e) = check_csrf(&user, &f.get("csrf")) {
        return e.into_response();
    }
    let Some(position) = f
        .get("member")
        .trim()
        .parse::<usize>()
        .ok()
        .and_then(|n| n.checked_sub(1))
    else {
        return bad(
            "请填写成员序号（1为第一位）",
            "The member's number (1 = first)",
        )
        .into_response();
    };
    let Ok(wage) = f.get("wage").trim().parse::<u32>() else {
        return bad("月工资应为整数（元）", "The wage must be whole yuan").into_response();
    };
    let Some(since) = f.date("since") else {
        return bad(
            "务工起始日期格式应为 YYYY-MM-DD",
            "The date must be YYYY-MM-DD",
        )
        .into_response();
    };
    let body = Versioned {
        version: f.get("version").parse().ok(),
        body: Hire {
            household: f.get("household"),
            position,
            wage,
            since,
        },
    };
    match workshops::hire(&state.db, &caller(&user), id, body, shouwang_app::today()).await {
        Ok(_) => see_other(&format!("/workshops/{id}?done=1")),
        Err(e) => refused(&state, &user, id, e).await,
    }
}

/// POST /workshops/{id}/release: `worker`, `until`, `version`.
pub async fn release(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Form(raw): Form<Vec<(String, String)>>,
) -> Response {
    let f = Fields(raw);
    if let Err(e) = check_csrf(&user, &f.get("csrf")) {
        return e.into_response();
    }
    let Ok(worker) = f.get("worker").parse::<i64>() else {
        return bad("请选择离岗人员", "Choose the worker").into_response();
    };
    let body = Versioned {
        version: f.get("version").parse().ok(),
        body: Release {
            worker,
            until: f.date("until"),
        },
    };
    match workshops::release(&state.db, &caller(&user), id, body, shouwang_app::today()).await {
        Ok(()) => see_other(&format!("/workshops/{id}?done=1")),
        Err(e) => refused(&state, &user, id, e).await,
    }
}
