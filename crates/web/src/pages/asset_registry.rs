//! 扶贫项目资产 and 管护 (B2, A7, §四(二)3) pages:
//! - `GET /assets` — the assets of the user's area, filtered by type, owner, state and overdue upkeep,
//!   with the user's disposal queue;
//! - `GET/POST /assets/new` — 确权登记 (village team, township, county);
//! - `GET /assets/{id}` — an asset: the registration, its upkeep records with the upkeep form, its
//!   disposal flow with the form of the step it awaits (for the step's role);
//! - `POST /assets/{id}/upkeep`, `POST /assets/{id}/dispose` — through `shouwang_app::assets`.

use askama::Template;
use axum::Form;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use shouwang_app::assets::{self, DisposalInput, Entry, KEEPERS, ListFilter, Sheet, Versioned};
use shouwang_core::CodeList;
use shouwang_core::asset::disposal::{DisposalDecision, DisposalMethod, DisposalStep};
use shouwang_core::asset::{AssetKind, AssetState, Draft, OwnerKind, Upkeep, UpkeepKind};
use shouwang_core::money::Fen;

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
        .route("/assets", get(list))
        .route("/assets/new", get(new_form).post(register))
        .route("/assets/{id}", get(show))
        .route("/assets/{id}/upkeep", post(upkeep))
        .route("/assets/{id}/dispose", post(dispose))
}

/// An asset row as shown.
pub struct Row {
    id: i64,
    name: String,
    kind: String,
    owner: String,
    village: String,
    value: String,
    year: i32,
    state: String,
    disposal: String,
    keeper: String,
    due: String,
    overdue: bool,
}

fn row(e: &Entry, i18n: I18n) -> Row {
    Row {
        id: e.id,
        name: e.name.clone(),
        kind: i18n.label(&e.kind).to_owned(),
        owner: i18n.label(&e.owner_kind).to_owned(),
        village: format!("{}{}", e.township_name, e.village_name),
        value: e.value.to_string(),
        year: e.year,
        state: i18n.label(&e.state).to_owned(),
        disposal: e
            .disposal
            .map(|d| i18n.label(&d).to_owned())
            .unwrap_or_default(),
        keeper: match &e.keeper_phone {
            Some(p) => format!("{} {p}", e.keeper_name),
            None => e.keeper_name.clone(),
        },
        due: e.upkeep_due.map(|d| d.to_string()).unwrap_or_default(),
        overdue: e.overdue,
    }
}

#[derive(Template)]
#[template(path = "assets/list.html")]
struct ListPage<'a> {
    i18n: I18n,
    user: &'a CurrentUser,
    path: String,
    rows: Vec<Row>,
    queue: Vec<Row>,
    kinds: Vec<FilterOption>,
    owners: Vec<FilterOption>,
    states: Vec<FilterOption>,
    overdue: bool,
    may_register: bool,
    filtered: bool,
}

#[derive(Deserialize, Default)]
pub struct ListQuery {
    area: Option<String>,
    kind: Option<String>,
    owner: Option<String>,
    state: Option<String>,
    overdue: Option<String>,
}

/// GET /assets?area=…&kind=…&owner=…&state=…&overdue=1
pub async fn list(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<ListQuery>,
) -> Result<Response, AppError> {
    let i18n = user.i18n();
    let c = caller(&user);
    let today = shouwang_app::today();
    let filter = ListFilter {
        area: opt(&q.area, 20),
        kind: opt(&q.kind, 30),
        owner: opt(&q.owner, 30),
        state: opt(&q.state, 30),
        overdue: opt(&q.overdue, 5),
    };
    let entries = assets::list(&state.db, &c, &filter, today).await?;
    let queue = assets::queue(&state.db, &c, today).await?;
    let page = ListPage {
        i18n,
        user: &user,
        path: "/assets".to_owned(),
        rows: entries.iter().map(|e| row(e, i18n)).collect(),
        queue: queue.iter().map(|e| row(e, i18n)).collect(),
        kinds: options(AssetKind::ALL, filter.kind.as_deref(), i18n),
        owners: options(OwnerKind::ALL, filter.owner.as_deref(), i18n),
        states: options(AssetState::ALL, filter.state.as_deref(), i18n),
        overdue: filter.overdue.is_some(),
        may_register: KEEPERS.contains(&user.scope.role),
        filtered: filter.area.is_some()
            || filter.kind.is_some()
            || filter.owner.is_some()
            || filter.state.is_some()
            || filter.overdue.is_some(),
    };
    Ok(render_status(&page, StatusCode::OK))
}

type Choices = Vec<(&'static str, &'static str)>;

fn choices<C: CodeList>(all: &[C], i18n: I18n) -> Choices {
    all.iter().map(|c| (c.code(), i18n.label(c))).collect()
}

#[derive(Template)]
#[template(path = "assets/new.html")]
struct NewPage<'a> {
    i18n: I18n,
    user: &'a CurrentUser,
    path: String,
    kinds: Choices,
    owners: Choices,
    states: Choices,
    v: Fields,
    error: Option<String>,
}

impl NewPage<'_> {
    fn get(&self, name: &str) -> String {
        self.v.get(name)
    }
}

fn new_page(user: &CurrentUser, v: Fields, error: Option<String>, status: StatusCode) -> Response {
    let i18n = user.i18n();
    let live: Vec<AssetState> = AssetState::ALL
        .iter()
        .copied()
        .filter(|s| *s != AssetState::Disposed)
        .collect();
    render_status(
        &NewPage {
            i18n,
            user,
            path: "/assets/new".to_owned(),
            kinds: choices(AssetKind::ALL, i18n),
            owners: choices(OwnerKind::ALL, i18n),
            states: choices(&live, i18n),
            v,
            error,
        },
        status,
    )
}

/// GET /assets/new
pub async fn new_form(user: CurrentUser) -> Response {
    new_page(&user, Fields(Vec::new()), None, StatusCode::OK)
}

fn bad(zh: &str, en: &str) -> AppError {
    AppError::bad_request("bad_request", zh.to_owned(), en.to_owned())
}

fn yuan(f: &Fields, name: &str) -> Result<Fen, AppError> {
    Fen::parse_yuan(&f.get(name))
        .map_err(|e| AppError::bad_request("bad_request", e.message_zh(), e.to_string()))
}

fn some(s: String) -> Option<String> {
    Some(s).filter(|s| !s.trim().is_empty())
}

/// The registration of the form: `name`, `kind`, `owner_kind`, `owner_name`, `household`, `keeper_name`,
/// `keeper_phone`, `value` (yuan), `village` (default the user's), `place`, `project`, `year`, `state`,
/// `upkeep_months`.
fn draft_of(f: &Fields, user: &CurrentUser) -> Result<Draft, AppError> {
    let village = match f.get("village") {
        v if v.is_empty() => user.scope.area_prefix().to_owned(),
        v => v,
    };
    let number = |name: &str| -> Result<Option<i64>, AppError> {
        some(f.get(name))
            .map(|s| s.trim().parse::<i64>())
            .transpose()
            .map_err(|_| bad("请填写数字", "A number is expected"))
    };
    Ok(Draft {
        name: f.get("name"),
        kind: AssetKind::from_code(&f.get("kind"))
            .ok_or_else(|| bad("请选择资产类型", "Choose the type"))?,
        owner_kind: OwnerKind::from_code(&f.get("owner_kind"))
            .ok_or_else(|| bad("请选择产权归属", "Choose the owner"))?,
        owner_name: f.get("owner_name"),
        household: some(f.get("household")),
        keeper_name: f.get("keeper_name"),
        keeper_phone: some(f.get("keeper_phone")),
        value: yuan(f, "value")?,
        village,
        place: f.get("place"),
        project: number("project")?,
        year: f
            .get("year")
            .trim()
            .parse()
            .map_err(|_| bad("形成年度应为四位数字", "The year must be four digits"))?,
        state: AssetState::from_code(&f.get("state")).unwrap_or(AssetState::InUse),
        upkeep_months: number("upkeep_months")?
            .map(|m| u32::try_from(m).map_err(|_| bad("管护周期有误", "Bad cadence")))
            .transpose()?,
    })
}

/// POST /assets/new
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
    match assets::register(&state.db, &caller(&user), draft, shouwang_app::today()).await {
        Ok(id) => see_other(&format!("/assets/{id}?done=1")),
        Err(e) => new_page(&user, f, Some(e.message(zh).to_owned()), status_of(e.kind)),
    }
}

/// A record as shown (an upkeep record or a disposal step): four cells and who.
pub struct RecordView {
    what: String,
    on: String,
    detail: String,
    note: String,
    by: String,
}

#[derive(Template)]
#[template(path = "assets/show.html")]
struct ShowPage<'a> {
    i18n: I18n,
    user: &'a CurrentUser,
    path: String,
    row: Row,
    draft: Draft,
    version: i64,
    upkeeps: Vec<RecordView>,
    upkeep_cost: String,
    steps: Vec<RecordView>,
    may_keep: bool,
    awaited: Option<(&'static str, String)>,
    proposing: bool,
    decisions: Choices,
    methods: Choices,
    upkeep_kinds: Choices,
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
    let awaited = sheet.awaited.filter(|s| s.role() == user.scope.role);
    let proposing = awaited == Some(DisposalStep::Propose);
    let live = sheet.entry.state != AssetState::Disposed;
    render_status(
        &ShowPage {
            i18n,
            user,
            path: format!("/assets/{}", sheet.entry.id),
            row: row(&sheet.entry, i18n),
            draft: sheet.draft.clone(),
            version: sheet.entry.version,
            upkeeps: sheet
                .upkeeps
                .iter()
                .map(|u| RecordView {
                    what: i18n.label(&u.record.kind).to_owned(),
                    on: u.record.on.to_string(),
                    detail: u.record.content.clone(),
                    note: u.record.cost.to_string(),
                    by: format!("{} / {}", u.record.done_by, u.by),
                })
                .collect(),
            upkeep_cost: sheet.upkeep_cost.to_string(),
            steps: sheet
                .disposal_steps
                .iter()
                .map(|s| RecordView {
                    what: i18n.label(&s.record.step).to_owned(),
                    on: s.record.on.to_string(),
                    detail: i18n.label(&s.record.decision).to_owned(),
                    note: match s.record.method {
                        Some(m) => format!("{}：{}", i18n.label(&m), s.record.opinion),
                        None => s.record.opinion.clone(),
                    },
                    by: s.by.clone(),
                })
                .collect(),
            may_keep: live && KEEPERS.contains(&user.scope.role),
            awaited: awaited.map(|s| (s.code(), i18n.label(&s).to_owned())),
            proposing,
            decisions: if proposing {
                vec![(
                    DisposalDecision::Approve.code(),
                    i18n.lang.pick("提交申请", "Propose"),
                )]
            } else {
                choices(DisposalDecision::ALL, i18n)
            },
            methods: choices(DisposalMethod::ALL, i18n),
            upkeep_kinds: choices(UpkeepKind::ALL, i18n),
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

/// GET /assets/{id}
pub async fn show(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Query(q): Query<ShowQuery>,
) -> Result<Response, AppError> {
    let sheet = assets::show(&state.db, &caller(&user), id, shouwang_app::today()).await?;
    Ok(show_page(
        &user,
        &sheet,
        None,
        q.done.is_some(),
        StatusCode::OK,
    ))
}

/// After a refused write: the asset again with the reason, when the user may see it; else the error.
async fn refused(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
    e: shouwang_app::Error,
) -> Response {
    match assets::show(&state.db, &caller(user), id, shouwang_app::today()).await {
        Ok(sheet) => {
            let message = e.message(user.i18n().lang == Lang::Zh).to_owned();
            show_page(user, &sheet, Some(message), false, status_of(e.kind))
        }
        Err(_) => AppError::from(e).into_response(),
    }
}

/// POST /assets/{id}/upkeep: `kind`, `on`, `cost` (yuan), `content`, `done_by`, `version`.
pub async fn upkeep(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Form(raw): Form<Vec<(String, String)>>,
) -> Response {
    let f = Fields(raw);
    if let Err(e) = check_csrf(&user, &f.get("csrf")) {
        return e.into_response();
    }
    let Some(kind) = UpkeepKind::from_code(&f.get("kind")) else {
        return bad("请选择管护类别", "Choose the kind").into_response();
    };
    let Some(on) = f.date("on") else {
        return bad("管护日期格式应为 YYYY-MM-DD", "The date must be YYYY-MM-DD").into_response();
    };
    let cost = if f.get("cost").trim().is_empty() {
        Fen(0)
    } else {
        match yuan(&f, "cost") {
            Ok(c) => c,
            Err(e) => return e.into_response(),
        }
    };
    let body = Versioned {
        version: f.get("version").parse().ok(),
        body: Upkeep {
            kind,
            on,
            cost,
            content: f.get("content"),
            done_by: f.get("done_by"),
        },
    };
    match assets::record_upkeep(&state.db, &caller(&user), id, body, shouwang_app::today()).await {
        Ok(_) => see_other(&format!("/assets/{id}?done=1")),
        Err(e) => refused(&state, &user, id, e).await,
    }
}

/// POST /assets/{id}/dispose: `step`, `decision`, `method` (a proposal's), `on`, `opinion`, `version`.
pub async fn dispose(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Form(raw): Form<Vec<(String, String)>>,
) -> Response {
    let f = Fields(raw);
    if let Err(e) = check_csrf(&user, &f.get("csrf")) {
        return e.into_response();
    }
    let (Some(step), Some(decision)) = (
        DisposalStep::from_code(&f.get("step")),
        DisposalDecision::from_code(&f.get("decision")),
    ) else {
        return bad("请选择审核结论", "Choose a decision").into_response();
    };
    let body = Versioned {
        version: f.get("version").parse().ok(),
        body: DisposalInput {
            step,
            decision,
            method: DisposalMethod::from_code(&f.get("method")),
            on: f.date("on"),
            opinion: f.get("opinion"),
        },
    };
    match assets::dispose(&state.db, &caller(&user), id, body, shouwang_app::today()).await {
        Ok(_) => see_other(&format!("/assets/{id}?done=1")),
        Err(e) => refused(&state, &user, id, e).await,
    }
}
