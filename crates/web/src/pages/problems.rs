//! 三保障和饮水安全问题整改 (A6, §三(四)2 "建立……问题排查整改台账") pages, one column for a phone:
//! - `GET /problems` — the board of the user's area by sector (待整改, 整改中, 已销号, 逾期), the problems
//!   filtered by area, sector, state and overdue, the 问题整改台账 download;
//! - `GET|POST /problems/new` — records a problem found at a household or a village (sector, what was
//!   found, responsible unit, deadline);
//! - `GET /problems/{id}` — one problem with its rectification steps and their evidence (downloadable by
//!   those who may read the problem, audited); `POST /problems/{id}/rectify` (multipart: what was done
//!   and photos or documents through the attachment store) and `POST /problems/{id}/accept` (验收销号 by
//!   the township) — all through `shouwang_app::problems`, the one path of the API and the CLI.

use std::collections::HashMap;

use askama::Template;
use axum::Form;
use axum::Router;
use axum::extract::{DefaultBodyLimit, Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use shouwang_app::problems::{self, ProblemQuery, ProblemView};
use shouwang_core::codes::Guarantee;
use shouwang_core::codes::RegionLevel;
use shouwang_core::monitoring::problem::{
    ACCEPT_ROLES, FIND_ROLES, NewProblem, ProblemAction, ProblemStatus, RECTIFY_ROLES,
    ResponsibleUnit,
};
use shouwang_core::{CodeList, RegionCode};

use crate::AppState;
use crate::auth::{CurrentUser, check_csrf};
use crate::http::error::AppError;
use crate::http::form::{encode, opt};
use crate::http::i18n::{I18n, Lang};
use crate::http::render::{render_status, see_other};
use crate::pages::cases::steps::{FORM_LIMIT, attachments, checked_form};
use crate::pages::cases::{Fields, caller};
use crate::pages::households::FilterOption;
use crate::pages::households::code_options as options;
use crate::pages::regions::{region_names, region_options};

/// The routes of this module.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/problems", get(list))
        .route("/problems/new", get(new_form).post(create))
        .route("/problems/{id}", get(show))
        .route("/problems/{id}/accept", post(accept))
        .route(
            "/problems/{id}/rectify",
            post(rectify).layer(DefaultBodyLimit::max(FORM_LIMIT)),
        )
}

/// A problem as a line of the list.
pub struct Row {
    id: i64,
    village: String,
    household: String,
    household_enc: String,
    sector: String,
    found: String,
    unit: String,
    found_on: String,
    deadline: String,
    status: String,
    status_class: &'static str,
    overdue: bool,
}

fn status_class(p: &ProblemView) -> &'static str {
    match p.status {
        _ if p.overdue => "below",
        ProblemStatus::Closed => "above",
        ProblemStatus::Open | ProblemStatus::Rectifying => "near",
    }
}

fn row(p: &ProblemView, names: &HashMap<String, String>, i18n: I18n) -> Row {
    let household = p.problem.what.household.clone().unwrap_or_default();
    let village = p.problem.what.village.as_str();
    Row {
        id: p.id,
        village: names
            .get(village)
            .cloned()
            .unwrap_or_else(|| village.to_owned()),
        household_enc: encode(&household),
        household,
        sector: i18n.label(&p.problem.what.sector).to_owned(),
        found: p.problem.what.found.clone(),
        unit: i18n.label(&p.problem.what.unit).to_owned(),
        found_on: p.problem.found_on.to_string(),
        deadline: p.problem.what.deadline.to_string(),
        status: i18n.label(&p.status).to_owned(),
        status_class: status_class(p),
        overdue: p.overdue,
    }
}

/// One line of the board: the sector and its counts.
pub struct BoardLine {
    sector: String,
    open: usize,
    rectifying: usize,
    closed: usize,
    overdue: usize,
}

#[derive(Template)]
#[template(path = "problems/list.html")]
struct ListPage<'a> {
    i18n: I18n,
    user: &'a CurrentUser,
    path: String,
    board: Vec<BoardLine>,
    rows: Vec<Row>,
    areas: Vec<FilterOption>,
    sectors: Vec<FilterOption>,
    statuses: Vec<FilterOption>,
    overdue_only: bool,
    filtered: bool,
    may_find: bool,
}

#[derive(Deserialize, Default)]
pub struct ListQuery {
    area: Option<String>,
    sector: Option<String>,
    status: Option<String>,
    overdue: Option<String>,
}

/// The areas inside the user's (townships, villages) as filter options.
async fn area_options(
    state: &AppState,
    user: &CurrentUser,
    chosen: Option<&str>,
) -> Result<Vec<FilterOption>, AppError> {
    Ok(region_options(&state.db, user.scope.area_prefix())
        .await?
        .into_iter()
        .filter(|r| r.code.len() > user.scope.area_prefix().len())
        .map(|r| FilterOption {
            selected: chosen == Some(r.code.as_str()),
            value: r.code,
            label: r.label,
        })
        .collect())
}

/// GET /problems?area=…&sector=…&status=…&overdue=1
pub async fn list(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<ListQuery>,
) -> Result<Response, AppError> {
    let i18n = user.i18n();
    let today = shouwang_app::today();
    let query = ProblemQuery {
        area: opt(&q.area, 20),
        household: None,
        sector: opt(&q.sector, 40),
        status: opt(&q.status, 20),
        overdue: Some(q.overdue.as_deref() == Some("1")),
    };
    let filter = query.filter(today)?;
    let c = caller(&user);
    let found = problems::list(&state.db, &c, &filter, today).await?;
    let board = problems::board(&state.db, &c, query.area.clone(), today)
        .await?
        .into_iter()
        .map(|s| BoardLine {
            sector: Guarantee::from_code(&s.sector)
                .map(|g| i18n.label(&g).to_owned())
                .unwrap_or(s.sector),
            open: s.open,
            rectifying: s.rectifying,
            closed: s.closed,
            overdue: s.overdue,
        })
        .collect();
    let names = region_names(&state.db, user.scope.area_prefix()).await?;
    let page = ListPage {
        i18n,
        user: &user,
        path: "/problems".to_owned(),
        board,
        rows: found.iter().map(|p| row(p, &names, i18n)).collect(),
        areas: area_options(&state, &user, query.area.as_deref()).await?,
        sectors: options(Guarantee::ALL, query.sector.as_deref(), i18n),
        statuses: options(ProblemStatus::ALL, query.status.as_deref(), i18n),
        overdue_only: query.overdue == Some(true),
        filtered: query.area.is_some()
            || query.sector.is_some()
            || query.status.is_some()
            || query.overdue == Some(true),
        may_find: FIND_ROLES.contains(&user.scope.role),
    };
    Ok(render_status(&page, StatusCode::OK))
}

#[derive(Template)]
#[template(path = "problems/new.html")]
struct NewPage<'a> {
    i18n: I18n,
    user: &'a CurrentUser,
    path: String,
    villages: Vec<FilterOption>,
    sectors: Vec<FilterOption>,
    units: Vec<FilterOption>,
    today: String,
    v: Fields,
    error: Option<String>,
}

impl NewPage<'_> {
    fn get(&self, name: &str) -> String {
        self.v.get(name)
    }
}

async fn new_page(
    state: &AppState,
    user: &CurrentUser,
    v: Fields,
    error: Option<String>,
    status: StatusCode,
) -> Result<Response, AppError> {
    let i18n = user.i18n();
    let village = v.get("village");
    let villages = region_options(&state.db, user.scope.area_prefix())
        .await?
        .into_iter()
        .filter(|r| r.level == RegionLevel::Village)
        .map(|r| FilterOption {
            selected: village == r.code,
            value: r.code,
            label: r.label.trim().to_owned(),
        })
        .collect();
    let (sector, unit) = (v.get("sector"), v.get("unit"));
    let page = NewPage {
        i18n,
        user,
        path: "/problems/new".to_owned(),
        villages,
        sectors: options(Guarantee::ALL, Some(sector.as_str()), i18n),
        units: options(ResponsibleUnit::ALL, Some(unit.as_str()), i18n),
        today: shouwang_app::today().to_string(),
        v,
        error,
    };
    Ok(render_status(&page, status))
}

/// GET /problems/new?household=… (the household's number filled in from its page).
pub async fn new_form(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, AppError> {
    let fields = q
        .get("household")
        .map(|h| vec![("household".to_owned(), h.clone())])
        .unwrap_or_default();
    new_page(&state, &user, Fields(fields), None, StatusCode::OK).await
}

fn bad(zh: &str, en: &str) -> AppError {
    AppError::invalid(zh.to_owned(), en.to_owned())
}

/// The problem of the form: `village` or `household`, `sector`, `found`, `unit` (blank: the sector's
/// usual unit), `deadline`. A household's problem takes the household's village
/// (`shouwang_app::problems::record` looks it up); the user's `area` stands in until then.
fn new_problem(f: &Fields, area: &str) -> Result<NewProblem, AppError> {
    let sector = Guarantee::from_code(&f.get("sector"))
        .ok_or_else(|| bad("请选择保障类别", "Choose the sector"))?;
    let unit = match f.get("unit").as_str() {
        "" => ResponsibleUnit::default_for(sector),
        u => ResponsibleUnit::from_code(u)
            .ok_or_else(|| bad("未知的责任单位", "Unknown responsible unit"))?,
    };
    let household = Some(f.get("household")).filter(|h| !h.is_empty());
    let village = match (f.get("village").as_str(), &household) {
        ("", Some(_)) => RegionCode::parse(area),
        (v, _) => RegionCode::parse(v),
    }
    .map_err(|_| {
        bad(
            "请选择行政村或填写户编号",
            "Choose the village or give the household number",
        )
    })?;
    let deadline = f.date("deadline").ok_or_else(|| {
        bad(
            "整改时限格式应为 YYYY-MM-DD",
            "The deadline must be YYYY-MM-DD",
        )
    })?;
    Ok(NewProblem {
        village,
        household,
        sector,
        found: f.get("found"),
        unit,
        deadline,
    })
}

/// POST /problems/new
pub async fn create(
    State(state): State<AppState>,
    user: CurrentUser,
    Form(raw): Form<Vec<(String, String)>>,
) -> Response {
    let f = Fields(raw);
    if let Err(e) = check_csrf(&user, &f.get("csrf")) {
        return e.into_response();
    }
    let today = shouwang_app::today();
    let done = match new_problem(&f, user.scope.area_prefix()) {
        Ok(what) => problems::record(&state.db, &caller(&user), what, today)
            .await
            .map_err(AppError::from),
        Err(e) => Err(e),
    };
    let e = match done {
        Ok(found) => return see_other(&format!("/problems/{}?done=1", found.problem.id)),
        Err(e) => e,
    };
    let message = e.message_for(user.i18n().lang);
    new_page(&state, &user, f, Some(message), e.status())
        .await
        .unwrap_or_else(|e| e.into_response())
}

/// A rectification step as shown.
pub struct StepView {
    on: String,
    by: String,
    done: String,
    /// (download path, file name).
    files: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "problems/show.html")]
struct ShowPage<'a> {
    i18n: I18n,
    user: &'a CurrentUser,
    path: String,
    row: Row,
    version: i64,
    found_by: String,
    steps: Vec<StepView>,
    accepted: Option<(String, String, String)>,
    may_rectify: bool,
    may_accept: bool,
    error: Option<String>,
    done: bool,
}

async fn show_page(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
    error: Option<String>,
    done: bool,
    status: StatusCode,
) -> Result<Response, AppError> {
    let i18n = user.i18n();
    let today = shouwang_app::today();
    let p = problems::show(&state.db, &caller(user), id, today).await?;
    let names = region_names(&state.db, user.scope.area_prefix()).await?;
    let open = p.status != ProblemStatus::Closed;
    let role = user.scope.role;
    let page = ShowPage {
        i18n,
        user,
        path: format!("/problems/{id}"),
        row: row(&p, &names, i18n),
        version: p.version,
        found_by: p.problem.found_by.name.clone(),
        steps: p
            .problem
            .steps
            .iter()
            .map(|s| StepView {
                on: s.on.to_string(),
                by: s.by.name.clone(),
                done: s.done.clone(),
                files: s
                    .evidence
                    .iter()
                    .map(|a| (format!("/api/v1/attachments/{}", a.sha256), a.name.clone()))
                    .collect(),
            })
            .collect(),
        accepted: p
            .problem
            .accepted
            .as_ref()
            .map(|a| (a.on.to_string(), a.by.name.clone(), a.opinion.clone())),
        may_rectify: open && RECTIFY_ROLES.contains(&role),
        may_accept: p.status == ProblemStatus::Rectifying && ACCEPT_ROLES.contains(&role),
        error,
        done,
    };
    Ok(render_status(&page, status))
}

#[derive(Deserialize, Default)]
pub struct ShowQuery {
    done: Option<String>,
}

/// GET /problems/{id}
pub async fn show(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Query(q): Query<ShowQuery>,
) -> Result<Response, AppError> {
    show_page(&state, &user, id, None, q.done.is_some(), StatusCode::OK).await
}

/// Takes `action` on problem `id` at the form's `version`; the page again with the reason on a refusal.
async fn act(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
    version: &str,
    action: Result<ProblemAction, AppError>,
) -> Response {
    let today = shouwang_app::today();
    let done = match (action, version.parse::<i64>()) {
        (Ok(a), Ok(v)) => problems::act(&state.db, &caller(user), id, v, a, today)
            .await
            .map_err(AppError::from),
        (Err(e), _) => Err(e),
        (_, Err(_)) => Err(AppError::bad_request(
            "bad_request",
            "版本号缺失",
            "The version is missing",
        )),
    };
    let e = match done {
        Ok(_) => return see_other(&format!("/problems/{id}?done=1")),
        Err(e) => e,
    };
    let lang: Lang = user.i18n().lang;
    show_page(
        state,
        user,
        id,
        Some(e.message_for(lang)),
        false,
        e.status(),
    )
    .await
    .unwrap_or_else(|_| e.into_response())
}

/// POST /problems/{id}/rectify (multipart: `csrf`, `version`, `done`, files `evidence`)
pub async fn rectify(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    form: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Response {
    let (mut f, uploads) = match checked_form(&user, form).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let action = attachments(&state, &user, &mut f, &uploads, "evidence")
        .await
        .map(|evidence| ProblemAction::Rectify {
            done: f.get("done"),
            evidence,
        })
        .map_err(AppError::from);
    act(&state, &user, id, &f.get("version"), action).await
}

/// POST /problems/{id}/accept (`csrf`, `version`, `opinion`)
pub async fn accept(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Form(raw): Form<Vec<(String, String)>>,
) -> Response {
    let f = Fields(raw);
    if let Err(e) = check_csrf(&user, &f.get("csrf")) {
        return e.into_response();
    }
    let action = Ok(ProblemAction::Accept {
        opinion: f.get("opinion"),
    });
    act(&state, &user, id, &f.get("version"), action).await
}
