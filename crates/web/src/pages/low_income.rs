//! 农村低收入人口常态化帮扶 (A4, §三(二)) pages:
//! - `GET /low-income` — the households in scope of the user's area with why (rule and member), filtered by
//!   area, category, the month's state and month; the figures on top; the 低收入人口台账 download;
//! - `GET /low-income/{n}` — one household: why, the dropout watch, the month's state, its visits, and for a
//!   village team, cadre or township the monthly visit form (one column, for a phone);
//! - `POST /low-income/{n}/visit` — records the visit through `shouwang_app::registers::low_income`.

use askama::Template;
use axum::Form;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use shouwang_app::registers::RECORDERS;
use shouwang_app::registers::low_income::{self, Entry, ListFilter, Sheet, VisitInput};
use shouwang_core::CodeList;
use shouwang_core::codes::RiskType;
use shouwang_core::monitoring::calendar::TaskStatus;
use shouwang_core::register::classified_help::{Application, ApplicationStatus, AssistanceKind};
use shouwang_core::register::low_income::{Category, Policy};

use crate::AppState;
use crate::auth::{CurrentUser, check_csrf};
use crate::http::error::{AppError, status_of};
use crate::http::form::{encode, opt};
use crate::http::i18n::{I18n, Lang};
use crate::http::render::{render_status, see_other};
use crate::pages::cases::{Fields, caller};
use crate::pages::households::FilterOption;
use crate::pages::households::code_options as options;
use crate::pages::regions::region_options;

/// The routes of this module.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/low-income", get(list))
        .route("/low-income/{number}", get(show))
        .route("/low-income/{number}/visit", post(record))
}

/// A household row as shown.
pub struct Row {
    number: String,
    number_enc: String,
    village: String,
    head: String,
    size: usize,
    reasons: String,
    watch: String,
    status: String,
    status_class: &'static str,
    visited_on: String,
}

pub(crate) fn status_class(s: TaskStatus) -> &'static str {
    match s {
        TaskStatus::Overdue => "below",
        TaskStatus::Pending => "near",
        TaskStatus::Done | TaskStatus::DoneLate => "above",
    }
}

fn reasons_label(e: &Entry, i18n: I18n) -> String {
    e.reasons
        .iter()
        .map(|r| match &r.member {
            Some(m) => format!("{}（{m}）", i18n.label(&r.category)),
            None => i18n.label(&r.category).to_owned(),
        })
        .collect::<Vec<_>>()
        .join("、")
}

fn row(e: &Entry, i18n: I18n) -> Row {
    Row {
        number: e.number.clone(),
        number_enc: encode(&e.number),
        village: e.village_name.clone(),
        head: e.head_name.clone(),
        size: e.size,
        reasons: reasons_label(e, i18n),
        watch: e.dropout_watch.join("、"),
        status: i18n.label(&e.month.status).to_owned(),
        status_class: status_class(e.month.status),
        visited_on: e
            .month
            .recorded_on
            .map(|d| d.to_string())
            .unwrap_or_default(),
    }
}

#[derive(Template)]
#[template(path = "low_income/list.html")]
struct ListPage<'a> {
    i18n: I18n,
    user: &'a CurrentUser,
    path: String,
    rows: Vec<Row>,
    month: String,
    areas: Vec<FilterOption>,
    categories: Vec<FilterOption>,
    statuses: Vec<FilterOption>,
    by_category: Vec<(String, u64)>,
    visited: usize,
    overdue: usize,
    filtered: bool,
}

#[derive(Deserialize, Default)]
pub struct ListQuery {
    area: Option<String>,
    category: Option<String>,
    status: Option<String>,
    month: Option<String>,
}

/// The new risks a register's record may report (风险类型: the types and the detailed ones, not the
/// four-digit groups), for the forms of the registers.
pub(crate) fn risk_choices(i18n: I18n) -> Vec<(&'static str, &'static str)> {
    RiskType::ALL
        .iter()
        .filter(|r| r.code().len() <= 2 || r.code().len() > 4)
        .map(|r| (r.code(), i18n.label(r)))
        .collect()
}

/// GET /low-income?area=…&category=…&status=…&month=…
pub async fn list(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<ListQuery>,
) -> Result<Response, AppError> {
    let i18n = user.i18n();
    let today = shouwang_app::today();
    let filter = ListFilter {
        area: opt(&q.area, 20),
        category: opt(&q.category, 40),
        status: opt(&q.status, 20),
        month: opt(&q.month, 10),
    };
    let month = low_income::month_of(filter.month.as_deref(), today)?;
    let entries = low_income::list(&state.db, &caller(&user), &filter, today).await?;
    let by_category = Category::ALL
        .iter()
        .map(|c| {
            let n = entries
                .iter()
                .filter(|e| e.reasons.iter().any(|r| r.category == *c))
                .count() as u64;
            (i18n.label(c).to_owned(), n)
        })
        .filter(|(_, n)| *n > 0)
        .collect();
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
    let page = ListPage {
        i18n,
        user: &user,
        path: "/low-income".to_owned(),
        visited: entries
            .iter()
            .filter(|e| e.month.recorded_on.is_some())
            .count(),
        overdue: entries
            .iter()
            .filter(|e| e.month.status == TaskStatus::Overdue)
            .count(),
        rows: entries.iter().map(|e| row(e, i18n)).collect(),
        month: month.to_string(),
        areas,
        categories: options(Category::ALL, filter.category.as_deref(), i18n),
        statuses: options(TaskStatus::ALL, filter.status.as_deref(), i18n),
        by_category,
        filtered: filter.area.is_some() || filter.category.is_some() || filter.status.is_some(),
    };
    Ok(render_status(&page, StatusCode::OK))
}

/// A visit as shown.
pub struct VisitView {
    month: String,
    visited_on: String,
    by: String,
    needs: String,
    policies: String,
    difficulties: String,
    help: String,
    next_step: String,
    new_risks: String,
}

#[derive(Template)]
#[template(path = "low_income/show.html")]
struct ShowPage<'a> {
    i18n: I18n,
    user: &'a CurrentUser,
    path: String,
    row: Row,
    in_scope: bool,
    due_on: String,
    visits: Vec<VisitView>,
    may_record: bool,
    today: String,
    policies: Vec<(&'static str, &'static str)>,
    risks: Vec<(&'static str, &'static str)>,
    /// 由公益岗位 X 看护: (member, post).
    cared_by: Vec<(String, String)>,
    /// 分类帮扶: each kind (code, label) with its statuses (code, label) for the form.
    kinds: Vec<(&'static str, &'static str)>,
    statuses: Vec<(&'static str, &'static str)>,
    /// Where the applications stand (`低保：申请中`), and the kinds it appears eligible for.
    applications: String,
    suggested: String,
    v: Fields,
    error: Option<String>,
    recorded: bool,
}

impl ShowPage<'_> {
    fn get(&self, name: &str) -> String {
        self.v.get(name)
    }
    fn checked(&self, name: &str, value: &str) -> bool {
        self.v.all(name).iter().any(|v| v == value)
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
    let join = |v: Vec<&str>| v.join("、");
    let visits = sheet
        .visits
        .iter()
        .map(|r| VisitView {
            month: r.visit.month.to_string(),
            visited_on: r.visit.visited_on.to_string(),
            by: r.recorded_by.clone(),
            needs: r.visit.needs.clone(),
            policies: join(r.visit.policies.iter().map(|p| i18n.label(p)).collect()),
            difficulties: r.visit.difficulties.clone(),
            help: r.visit.help.clone(),
            next_step: r.visit.next_step.clone(),
            new_risks: join(r.visit.new_risks.iter().map(|p| i18n.label(p)).collect()),
        })
        .collect();
    let number = sheet.entry.number.clone();
    render_status(
        &ShowPage {
            i18n,
            user,
            path: format!("/low-income/{}", encode(&number)),
            row: row(&sheet.entry, i18n),
            in_scope: !sheet.entry.reasons.is_empty(),
            due_on: sheet.entry.month.due_on.to_string(),
            visits,
            may_record: (RECORDERS.contains(&user.scope.role) || user.scope.grid().is_some())
                && !sheet.entry.reasons.is_empty(),
            today: shouwang_app::today().to_string(),
            policies: Policy::ALL
                .iter()
                .map(|p| (p.code(), i18n.label(p)))
                .collect(),
            risks: risk_choices(i18n),
            cared_by: sheet
                .cared_by
                .iter()
                .map(|c| (c.member.clone(), c.post.clone()))
                .collect(),
            kinds: AssistanceKind::ALL
                .iter()
                .map(|k| (k.code(), i18n.label(k)))
                .collect(),
            statuses: ApplicationStatus::ALL
                .iter()
                .map(|k| (k.code(), i18n.label(k)))
                .collect(),
            applications: sheet
                .applications
                .iter()
                .map(|a| format!("{}：{}", i18n.label(&a.kind), i18n.label(&a.status)))
                .collect::<Vec<_>>()
                .join("，"),
            suggested: sheet
                .suggested
                .iter()
                .map(|k| i18n.label(k))
                .collect::<Vec<_>>()
                .join("、"),
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

/// GET /low-income/{number}
pub async fn show(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(number): Path<String>,
    Query(q): Query<ShowQuery>,
) -> Result<Response, AppError> {
    let today = shouwang_app::today();
    let sheet = low_income::show(&state.db, &caller(&user), &number, today).await?;
    Ok(show_page(
        &user,
        &sheet,
        Fields(Vec::new()),
        None,
        q.recorded.is_some(),
        StatusCode::OK,
    ))
}

/// The visit of the form: `visited_on`, `needs`, `policy` (several), `difficulties`, `help`,
/// `next_step`, `risk` (several), `apply_dibao` / `apply_tekun` (an application's status, blank: none).
fn visit_input(f: &Fields) -> Result<VisitInput, AppError> {
    let bad =
        |zh: &str, en: &str| AppError::bad_request("bad_request", zh.to_owned(), en.to_owned());
    let visited_on = match f.get("visited_on").as_str() {
        "" => None,
        s => Some(s.parse().map_err(|_| {
            bad(
                "走访日期格式应为 YYYY-MM-DD",
                "The visit date must be YYYY-MM-DD",
            )
        })?),
    };
    let codes = |name: &str| f.all(name);
    Ok(VisitInput {
        visited_on,
        needs: f.get("needs"),
        policies: codes("policy")
            .iter()
            .map(|c| Policy::from_code(c).ok_or_else(|| bad("未知的政策", "Unknown policy")))
            .collect::<Result<_, _>>()?,
        difficulties: f.get("difficulties"),
        help: f.get("help"),
        next_step: f.get("next_step"),
        new_risks: codes("risk")
            .iter()
            .map(|c| RiskType::from_code(c).ok_or_else(|| bad("未知的风险类型", "Unknown risk")))
            .collect::<Result<_, _>>()?,
        applications: AssistanceKind::ALL
            .iter()
            .filter_map(
                |kind| match f.get(&format!("apply_{}", kind.code())).as_str() {
                    "" => None,
                    s => Some(
                        ApplicationStatus::from_code(s)
                            .map(|status| Application {
                                kind: *kind,
                                status,
                            })
                            .ok_or_else(|| bad("未知的申请状态", "Unknown application status")),
                    ),
                },
            )
            .collect::<Result<_, _>>()?,
    })
}

/// POST /low-income/{number}/visit
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
    let input = match visit_input(&f) {
        Ok(i) => i,
        Err(e) => return e.into_response(),
    };
    let e = match low_income::record_visit(&state.db, &c, &number, &input.visit(today), today).await
    {
        Ok(_) => return see_other(&format!("/low-income/{}?recorded=1", encode(number.trim()))),
        Err(e) => e,
    };
    // The form again with the reason, when the household is the user's to see; else the error alone.
    match low_income::show(&state.db, &c, &number, today).await {
        Ok(sheet) => {
            let message = e.message(user.i18n().lang == Lang::Zh).to_owned();
            let status = status_of(e.kind);
            show_page(&user, &sheet, f, Some(message), false, status)
        }
        Err(_) => AppError::from(e).into_response(),
    }
}
