//! 项目库与衔接资金 (B2, §四(二)1–2) pages:
//! - `GET /projects` — the projects of the user's area, filtered by area, state, type and year, with the
//!   user's queue (the projects awaiting its step), the payment progress by fund source and the two ledgers;
//! - `GET/POST /projects/new` — 村申报 by the village team;
//! - `GET /projects/{id}` — a project: the application, the plan and payments by fund source, the flow, and
//!   the form of the step it awaits (for the step's role) and the payment form (for the county);
//! - `POST /projects/{id}/step`, `POST /projects/{id}/pay` — through `shouwang_app::projects`.

use askama::Template;
use axum::Form;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::Deserialize;
use shouwang_app::projects::{
    self, ApplyBody, Entry, ListFilter, PAYERS, Sheet, StepBody, StepInput,
};
use shouwang_core::CodeList;
use shouwang_core::money::Fen;
use shouwang_core::project::{
    Decision, Draft, FundSource, Payment, Plan, ProjectKind, ProjectState, Step,
};

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
        .route("/projects", get(list))
        .route("/projects/new", get(new_form).post(apply))
        .route("/projects/{id}", get(show))
        .route("/projects/{id}/step", axum::routing::post(step))
        .route("/projects/{id}/pay", axum::routing::post(pay))
}

/// A project row as shown.
pub struct Row {
    id: i64,
    name: String,
    kind: String,
    township: String,
    village: String,
    years: String,
    state: String,
    state_class: &'static str,
    awaited: String,
    planned: String,
    paid: String,
    percent: String,
}

fn state_class(s: ProjectState) -> &'static str {
    match s {
        ProjectState::Filed => "above",
        ProjectState::Returned | ProjectState::Refused => "below",
        _ => "near",
    }
}

fn row(e: &Entry, i18n: I18n) -> Row {
    Row {
        id: e.id,
        name: e.name.clone(),
        kind: i18n.label(&e.kind).to_owned(),
        township: e.township_name.clone(),
        village: e.village_name.clone(),
        years: if e.year_from == e.year_to {
            e.year_from.to_string()
        } else {
            format!("{}—{}", e.year_from, e.year_to)
        },
        state: i18n.label(&e.state).to_owned(),
        state_class: state_class(e.state),
        awaited: e
            .awaited
            .map(|s| i18n.label(&s).to_owned())
            .unwrap_or_default(),
        planned: e.progress.planned.to_string(),
        paid: e.progress.paid.to_string(),
        percent: e.progress.percent_text(),
    }
}

/// A fund source's line as shown: name, planned, paid, percent.
pub struct SourceLine {
    source: String,
    planned: String,
    paid: String,
    percent: String,
}

#[derive(Template)]
#[template(path = "projects/list.html")]
struct ListPage<'a> {
    i18n: I18n,
    user: &'a CurrentUser,
    path: String,
    rows: Vec<Row>,
    queue: Vec<Row>,
    sources: Vec<SourceLine>,
    total: SourceLine,
    states: Vec<FilterOption>,
    kinds: Vec<FilterOption>,
    year: String,
    may_apply: bool,
    filtered: bool,
}

#[derive(Deserialize, Default)]
pub struct ListQuery {
    area: Option<String>,
    state: Option<String>,
    kind: Option<String>,
    year: Option<String>,
}

/// GET /projects?area=…&state=…&kind=…&year=…
pub async fn list(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<ListQuery>,
) -> Result<Response, AppError> {
    let i18n = user.i18n();
    let c = caller(&user);
    let filter = ListFilter {
        area: opt(&q.area, 20),
        state: opt(&q.state, 30),
        kind: opt(&q.kind, 30),
        year: opt(&q.year, 4),
    };
    let entries = projects::list(&state.db, &c, &filter).await?;
    let queue = projects::queue(&state.db, &c).await?;
    let board = projects::board(&state.db, &c, &filter).await?;
    let line = |source: String, p: shouwang_core::project::Progress| SourceLine {
        source,
        planned: p.planned.to_string(),
        paid: p.paid.to_string(),
        percent: p.percent_text(),
    };
    let page = ListPage {
        i18n,
        user: &user,
        path: "/projects".to_owned(),
        rows: entries.iter().map(|e| row(e, i18n)).collect(),
        queue: queue.iter().map(|e| row(e, i18n)).collect(),
        sources: board
            .by_source
            .iter()
            .map(|s| line(i18n.label(&s.source).to_owned(), s.progress))
            .collect(),
        total: line(i18n.lang.pick("合计", "Total").to_owned(), board.total),
        states: options(ProjectState::ALL, filter.state.as_deref(), i18n),
        kinds: options(ProjectKind::ALL, filter.kind.as_deref(), i18n),
        year: filter.year.clone().unwrap_or_default(),
        may_apply: user.scope.role == shouwang_core::Role::VillageTeam,
        filtered: filter.area.is_some() || filter.state.is_some() || filter.kind.is_some(),
    };
    Ok(render_status(&page, StatusCode::OK))
}

#[derive(Template)]
#[template(path = "projects/new.html")]
struct NewPage<'a> {
    i18n: I18n,
    user: &'a CurrentUser,
    path: String,
    kinds: Vec<(&'static str, &'static str)>,
    sources: Vec<(&'static str, &'static str)>,
    today: String,
    year: String,
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
    let today = shouwang_app::today();
    render_status(
        &NewPage {
            i18n,
            user,
            path: "/projects/new".to_owned(),
            kinds: ProjectKind::ALL
                .iter()
                .map(|k| (k.code(), i18n.label(k)))
                .collect(),
            sources: FundSource::ALL
                .iter()
                .map(|k| (k.code(), i18n.label(k)))
                .collect(),
            today: today.to_string(),
            year: chrono::Datelike::year(&today).to_string(),
            v,
            error,
        },
        status,
    )
}

/// GET /projects/new
pub async fn new_form(user: CurrentUser) -> Response {
    new_page(&user, Fields(Vec::new()), None, StatusCode::OK)
}

fn bad(zh: &str, en: &str) -> AppError {
    AppError::bad_request("bad_request", zh.to_owned(), en.to_owned())
}

fn year(f: &Fields, name: &str) -> Result<i32, AppError> {
    f.get(name)
        .parse()
        .map_err(|_| bad("年度应为四位数字", "The year must be four digits"))
}

/// The application of the form: `name`, `kind`, `village` (default the user's), `place`, `content`,
/// `year_from`, `year_to`, `plan_<source>` (yuan), `households` (户编号 separated by commas or spaces).
fn draft_of(f: &Fields, user: &CurrentUser) -> Result<Draft, AppError> {
    let mut plan = Plan::new();
    for s in FundSource::ALL {
        let v = f.get(&format!("plan_{}", s.code()));
        if v.trim().is_empty() {
            continue;
        }
        let a = Fen::parse_yuan(&v).map_err(|e| {
            AppError::bad_request(
                "bad_request",
                format!("{}：{}", s.label_zh(), e.message_zh()),
                e.to_string(),
            )
        })?;
        plan.insert(*s, a);
    }
    let village = match f.get("village") {
        v if v.is_empty() => user.scope.area_prefix().to_owned(),
        v => v,
    };
    Ok(Draft {
        name: f.get("name"),
        kind: ProjectKind::from_code(&f.get("kind"))
            .ok_or_else(|| bad("请选择项目类型", "Choose the type"))?,
        village,
        place: f.get("place"),
        content: f.get("content"),
        year_from: year(f, "year_from")?,
        year_to: year(f, "year_to")?,
        plan,
        households: f
            .get("households")
            .split([',', '，', '、', ' ', '\n'])
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect(),
    })
}

/// POST /projects/new
pub async fn apply(
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
    let body = ApplyBody {
        project: draft,
        on: f.date("on"),
        opinion: f.get("opinion"),
        attachments: Vec::new(),
    };
    match projects::apply_new(&state.db, &caller(&user), body, shouwang_app::today()).await {
        Ok(id) => see_other(&format!("/projects/{id}?done=1")),
        Err(e) => new_page(&user, f, Some(e.message(zh).to_owned()), status_of(e.kind)),
    }
}

/// A step as shown.
pub struct StepView {
    step: String,
    decision: String,
    on: String,
    opinion: String,
    by: String,
    files: String,
}

/// A payment as shown.
pub struct PaymentView {
    source: String,
    paid_on: String,
    amount: String,
    voucher: String,
    by: String,
}

#[derive(Template)]
#[template(path = "projects/show.html")]
struct ShowPage<'a> {
    i18n: I18n,
    user: &'a CurrentUser,
    path: String,
    row: Row,
    version: i64,
    place: String,
    content: String,
    households: String,
    sources: Vec<SourceLine>,
    steps: Vec<StepView>,
    payments: Vec<PaymentView>,
    awaited: Option<(&'static str, String)>,
    decisions: Vec<(&'static str, &'static str)>,
    pay_sources: Vec<(&'static str, String)>,
    may_pay: bool,
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
    let awaited = sheet
        .entry
        .awaited
        .filter(|s| s.role() == user.scope.role && *s != Step::Apply)
        .map(|s| (s.code(), i18n.label(&s).to_owned()));
    let resubmit =
        sheet.entry.awaited == Some(Step::Apply) && user.scope.role == Step::Apply.role();
    let awaited = awaited
        .or_else(|| resubmit.then(|| (Step::Apply.code(), i18n.label(&Step::Apply).to_owned())));
    render_status(
        &ShowPage {
            i18n,
            user,
            path: format!("/projects/{}", sheet.entry.id),
            row: row(&sheet.entry, i18n),
            version: sheet.entry.version,
            awaited,
            place: sheet.draft.place.clone(),
            content: sheet.draft.content.clone(),
            households: sheet.draft.households.join("、"),
            sources: sheet
                .by_source
                .iter()
                .map(|s| SourceLine {
                    source: i18n.label(&s.source).to_owned(),
                    planned: s.progress.planned.to_string(),
                    paid: s.progress.paid.to_string(),
                    percent: s.progress.percent_text(),
                })
                .collect(),
            steps: sheet
                .steps
                .iter()
                .map(|s| StepView {
                    step: i18n.label(&s.record.step).to_owned(),
                    decision: i18n.label(&s.record.decision).to_owned(),
                    on: s.record.on.to_string(),
                    opinion: s.record.opinion.clone(),
                    by: s.by.clone(),
                    files: s
                        .record
                        .attachments
                        .iter()
                        .map(|a| a.name.as_str())
                        .collect::<Vec<_>>()
                        .join("、"),
                })
                .collect(),
            payments: sheet
                .payments
                .iter()
                .map(|p| PaymentView {
                    source: i18n.label(&p.payment.source).to_owned(),
                    paid_on: p.payment.paid_on.to_string(),
                    amount: p.payment.amount.to_string(),
                    voucher: p.payment.voucher.clone(),
                    by: p.by.clone(),
                })
                .collect(),
            decisions: if resubmit {
                vec![(
                    Decision::Approve.code(),
                    i18n.lang.pick("重新申报", "Apply again"),
                )]
            } else {
                Decision::ALL
                    .iter()
                    .map(|d| (d.code(), i18n.label(d)))
                    .collect()
            },
            pay_sources: sheet
                .by_source
                .iter()
                .map(|s| {
                    (
                        s.source.code(),
                        format!("{}（{}）", i18n.label(&s.source), s.progress.remaining()),
                    )
                })
                .collect(),
            may_pay: PAYERS.contains(&user.scope.role) && sheet.entry.state == ProjectState::Filed,
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

/// GET /projects/{id}
pub async fn show(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Query(q): Query<ShowQuery>,
) -> Result<Response, AppError> {
    let sheet = projects::show(&state.db, &caller(&user), id).await?;
    Ok(show_page(
        &user,
        &sheet,
        None,
        q.done.is_some(),
        StatusCode::OK,
    ))
}

/// After a refused write: the project again with the reason, when the user may see it; else the error.
async fn refused(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
    e: shouwang_app::Error,
) -> Response {
    match projects::show(&state.db, &caller(user), id).await {
        Ok(sheet) => {
            let message = e.message(user.i18n().lang == Lang::Zh).to_owned();
            show_page(user, &sheet, Some(message), false, status_of(e.kind))
        }
        Err(_) => AppError::from(e).into_response(),
    }
}

/// POST /projects/{id}/step: `step`, `decision`, `on`, `opinion`, `version`.
pub async fn step(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Form(raw): Form<Vec<(String, String)>>,
) -> Response {
    let f = Fields(raw);
    if let Err(e) = check_csrf(&user, &f.get("csrf")) {
        return e.into_response();
    }
    let (Some(s), Some(decision)) = (
        Step::from_code(&f.get("step")),
        Decision::from_code(&f.get("decision")),
    ) else {
        return bad("请选择审核结论", "Choose a decision").into_response();
    };
    let body = StepBody {
        version: f.get("version").parse().ok(),
        step: StepInput {
            step: s,
            decision,
            on: f.date("on"),
            opinion: f.get("opinion"),
            attachments: Vec::new(),
        },
        project: None,
    };
    match projects::take_step(&state.db, &caller(&user), id, body, shouwang_app::today()).await {
        Ok(_) => see_other(&format!("/projects/{id}?done=1")),
        Err(e) => refused(&state, &user, id, e).await,
    }
}

/// POST /projects/{id}/pay: `source`, `paid_on`, `amount` (yuan), `voucher`, `version`.
pub async fn pay(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Form(raw): Form<Vec<(String, String)>>,
) -> Response {
    let f = Fields(raw);
    if let Err(e) = check_csrf(&user, &f.get("csrf")) {
        return e.into_response();
    }
    let Some(source) = FundSource::from_code(&f.get("source")) else {
        return bad("请选择资金来源", "Choose the fund source").into_response();
    };
    let amount = match Fen::parse_yuan(&f.get("amount")) {
        Ok(a) => a,
        Err(e) => {
            return AppError::bad_request("bad_request", e.message_zh(), e.to_string())
                .into_response();
        }
    };
    let Some(paid_on) = f.date("paid_on") else {
        return bad("拨付日期格式应为 YYYY-MM-DD", "The date must be YYYY-MM-DD").into_response();
    };
    let payment = Payment {
        source,
        paid_on,
        amount,
        voucher: f.get("voucher"),
    };
    let version = f.get("version").parse().ok();
    match projects::pay(
        &state.db,
        &caller(&user),
        id,
        version,
        &payment,
        shouwang_app::today(),
    )
    .await
    {
        Ok(_) => see_other(&format!("/projects/{id}?done=1")),
        Err(e) => refused(&state, &user, id, e).await,
    }
}
