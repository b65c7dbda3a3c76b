//! 易地搬迁后续扶持 (A5, §三(三)) pages:
//! - `GET /relocation` — the relocated households of the user's area by settlement point, with the labour
//!   force, the quarter's screening state and the stable-employment target; the target's figure on top;
//!   filters (area, target incl. "misses it", the quarter's state, with needs for the HR bureau, quarter);
//!   the 易地搬迁后续扶持台账 download;
//! - `GET /relocation/{n}` — one household: labour force, target, the quarter's state, its screenings, and
//!   for a village team, cadre or township the quarterly screening form (one column, for a phone);
//! - `POST /relocation/{n}/screening` — records it through `shouwang_app::registers::relocation`.

use askama::Template;
use axum::Form;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use shouwang_app::registers::RECORDERS;
use shouwang_app::registers::relocation::{
    self, Entry, ListFilter, ScreeningInput, Sheet, WorkerInput,
};
use shouwang_core::CodeList;
use shouwang_core::codes::RiskType;
use shouwang_core::monitoring::calendar::TaskStatus;
use shouwang_core::register::relocation::{Job, TargetState, WorkPlace, worker_label_zh};

use crate::AppState;
use crate::auth::{CurrentUser, check_csrf};
use crate::http::error::{AppError, status_of};
use crate::http::form::{encode, opt};
use crate::http::i18n::{I18n, Lang};
use crate::http::render::{render_status, see_other};
use crate::pages::cases::{Fields, caller};
use crate::pages::households::FilterOption;
use crate::pages::households::code_options as options;
use crate::pages::low_income::{risk_choices, status_class};
use crate::pages::regions::region_options;

/// The routes of this module.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/relocation", get(list))
        .route("/relocation/{number}", get(show))
        .route("/relocation/{number}/screening", post(record))
}

/// A household row as shown.
pub struct Row {
    number: String,
    number_enc: String,
    village: String,
    head: String,
    size: usize,
    labour: String,
    target: String,
    target_class: &'static str,
    needs: String,
    status: String,
    status_class: &'static str,
    screened_on: String,
}

fn target_class(t: TargetState) -> &'static str {
    match t {
        TargetState::Met => "above",
        TargetState::NoLabour => "near",
        TargetState::Unmet | TargetState::Unscreened => "below",
    }
}

fn row(e: &Entry, i18n: I18n) -> Row {
    let needs: Vec<&str> = [e.employment_needs.as_str(), e.training_needs.as_str()]
        .into_iter()
        .filter(|s| !s.is_empty())
        .collect();
    Row {
        number: e.number.clone(),
        number_enc: encode(&e.number),
        village: e.village_name.clone(),
        head: e.head_name.clone(),
        size: e.size,
        labour: e
            .labour
            .iter()
            .map(|l| format!("{}（{}）", l.name, l.age))
            .collect::<Vec<_>>()
            .join("、"),
        target: i18n.label(&e.target).to_owned(),
        target_class: target_class(e.target),
        needs: needs.join("；"),
        status: i18n.label(&e.quarter.status).to_owned(),
        status_class: status_class(e.quarter.status),
        screened_on: e
            .quarter
            .recorded_on
            .map(|d| d.to_string())
            .unwrap_or_default(),
    }
}

#[derive(Template)]
#[template(path = "relocation/list.html")]
struct ListPage<'a> {
    i18n: I18n,
    user: &'a CurrentUser,
    path: String,
    rows: Vec<Row>,
    quarter: String,
    areas: Vec<FilterOption>,
    targets: Vec<FilterOption>,
    statuses: Vec<FilterOption>,
    needs: bool,
    figures: relocation::Figures,
    filtered: bool,
}

#[derive(Deserialize, Default)]
pub struct ListQuery {
    area: Option<String>,
    target: Option<String>,
    status: Option<String>,
    needs: Option<String>,
    quarter: Option<String>,
}

/// GET /relocation?area=…&target=…&status=…&needs=1&quarter=…
pub async fn list(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<ListQuery>,
) -> Result<Response, AppError> {
    let i18n = user.i18n();
    let today = shouwang_app::today();
    let filter = ListFilter {
        area: opt(&q.area, 20),
        target: opt(&q.target, 20),
        status: opt(&q.status, 20),
        needs: opt(&q.needs, 5).map(|_| true),
        quarter: opt(&q.quarter, 12),
    };
    let quarter = relocation::quarter_of(filter.quarter.as_deref(), today)?;
    let c = caller(&user);
    let entries = relocation::list(&state.db, &c, &filter, today).await?;
    let figures = relocation::figures(&state.db, &c, today).await?;
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
    let mut targets = vec![FilterOption {
        value: "misses".to_owned(),
        label: i18n
            .lang
            .pick("未达标（全部）", "Missing the target (all)")
            .to_owned(),
        selected: filter.target.as_deref() == Some("misses"),
    }];
    targets.extend(options(TargetState::ALL, filter.target.as_deref(), i18n));
    let page = ListPage {
        i18n,
        user: &user,
        path: "/relocation".to_owned(),
        rows: entries.iter().map(|e| row(e, i18n)).collect(),
        quarter: quarter.to_string(),
        areas,
        targets,
        statuses: options(TaskStatus::ALL, filter.status.as_deref(), i18n),
        needs: filter.needs == Some(true),
        figures,
        filtered: filter.area.is_some()
            || filter.target.is_some()
            || filter.status.is_some()
            || filter.needs.is_some(),
    };
    Ok(render_status(&page, StatusCode::OK))
}

/// A screening as shown.
pub struct ScreeningView {
    quarter: String,
    screened_on: String,
    by: String,
    workers: String,
    stable: usize,
    income: String,
    employment_needs: String,
    training_needs: String,
    support_needs: String,
    new_risks: String,
}

/// A member of the labour force in the form.
pub struct LabourField {
    position: usize,
    name: String,
    age: u32,
}

#[derive(Template)]
#[template(path = "relocation/show.html")]
struct ShowPage<'a> {
    i18n: I18n,
    user: &'a CurrentUser,
    path: String,
    row: Row,
    due_on: String,
    labour: Vec<LabourField>,
    screenings: Vec<ScreeningView>,
    may_record: bool,
    today: String,
    jobs: Vec<(&'static str, &'static str)>,
    places: Vec<(&'static str, &'static str)>,
    risks: Vec<(&'static str, &'static str)>,
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
    let screenings = sheet
        .screenings
        .iter()
        .map(|r| {
            let s = &r.screening;
            ScreeningView {
                quarter: s.quarter.to_string(),
                screened_on: s.screened_on.to_string(),
                by: r.recorded_by.clone(),
                workers: s
                    .workers
                    .iter()
                    .map(worker_label_zh)
                    .collect::<Vec<_>>()
                    .join("；"),
                stable: s.stable_workers(),
                income: s.income.map(|i| i.to_string()).unwrap_or_default(),
                employment_needs: s.employment_needs.clone(),
                training_needs: s.training_needs.clone(),
                support_needs: s.support_needs.clone(),
                new_risks: s
                    .new_risks
                    .iter()
                    .map(|r| i18n.label(r))
                    .collect::<Vec<_>>()
                    .join("、"),
            }
        })
        .collect();
    let number = sheet.entry.number.clone();
    render_status(
        &ShowPage {
            i18n,
            user,
            path: format!("/relocation/{}", encode(&number)),
            row: row(&sheet.entry, i18n),
            due_on: sheet.entry.quarter.due_on.to_string(),
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
            screenings,
            may_record: RECORDERS.contains(&user.scope.role),
            today: shouwang_app::today().to_string(),
            jobs: Job::ALL.iter().map(|j| (j.code(), i18n.label(j))).collect(),
            places: WorkPlace::ALL
                .iter()
                .map(|p| (p.code(), i18n.label(p)))
                .collect(),
            risks: risk_choices(i18n),
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

/// GET /relocation/{number}
pub async fn show(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(number): Path<String>,
    Query(q): Query<ShowQuery>,
) -> Result<Response, AppError> {
    let today = shouwang_app::today();
    let sheet = relocation::show(&state.db, &caller(&user), &number, today).await?;
    Ok(show_page(
        &user,
        &sheet,
        Fields(Vec::new()),
        None,
        q.recorded.is_some(),
        StatusCode::OK,
    ))
}

/// The screening of the form: `screened_on`, per member of the labour force at place `p` the fields
/// `job_p`, `place_p`, `employer_p`, `since_p`, `wage_p` (a member left without a job is not listed),
/// `income`, `employment_needs`, `training_needs`, `support_needs`, `risk` (several).
fn screening_input(f: &Fields, positions: &[usize]) -> Result<ScreeningInput, AppError> {
    let bad = |zh: String, en: &str| AppError::bad_request("bad_request", zh, en.to_owned());
    let date = |name: &str, what: &str| -> Result<Option<chrono::NaiveDate>, AppError> {
        match f.get(name).trim() {
            "" => Ok(None),
            s => s.parse().map(Some).map_err(|_| {
                bad(
                    format!("{what}格式应为 YYYY-MM-DD"),
                    "A date must be YYYY-MM-DD",
                )
            }),
        }
    };
    let number = |name: &str, what: &str| -> Result<Option<u64>, AppError> {
        match f.get(name).trim() {
            "" => Ok(None),
            s => s.parse().map(Some).map_err(|_| {
                bad(
                    format!("{what}应为整数（元）"),
                    "An amount must be whole yuan",
                )
            }),
        }
    };
    let mut workers = Vec::new();
    for p in positions {
        let code = f.get(&format!("job_{p}"));
        if code.is_empty() {
            continue;
        }
        let job =
            Job::from_code(&code).ok_or_else(|| bad("未知的就业方式".to_owned(), "Unknown job"))?;
        let place = match f.get(&format!("place_{p}")).as_str() {
            "" => None,
            c => Some(
                WorkPlace::from_code(c)
                    .ok_or_else(|| bad("未知的务工地点".to_owned(), "Unknown place"))?,
            ),
        };
        let wage =
            number(&format!("wage_{p}"), "月收入")?.map(|w| u32::try_from(w).unwrap_or(u32::MAX));
        workers.push(WorkerInput {
            position: *p,
            job,
            place,
            employer: f.get(&format!("employer_{p}")),
            since: date(&format!("since_{p}"), "就业起始日期")?,
            monthly_income: wage,
        });
    }
    Ok(ScreeningInput {
        screened_on: date("screened_on", "排查日期")?,
        workers,
        income: number("income", "本季度家庭收入")?,
        employment_needs: f.get("employment_needs"),
        training_needs: f.get("training_needs"),
        support_needs: f.get("support_needs"),
        new_risks: f
            .all("risk")
            .iter()
            .map(|c| {
                RiskType::from_code(c)
                    .ok_or_else(|| bad("未知的风险类型".to_owned(), "Unknown risk"))
            })
            .collect::<Result<_, _>>()?,
    })
}

/// POST /relocation/{number}/screening
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
    // The members the form lists: `job_<place>`.
    let positions = f.indices("job_");
    let input = match screening_input(&f, &positions) {
        Ok(i) => i,
        Err(e) => return e.into_response(),
    };
    let e = match relocation::record_screening(&state.db, &c, &number, &input, today).await {
        Ok(_) => return see_other(&format!("/relocation/{}?recorded=1", encode(number.trim()))),
        Err(e) => e,
    };
    // The form again with the reason, when the household is the user's to see; else the error alone.
    match relocation::show(&state.db, &c, &number, today).await {
        Ok(sheet) => {
            let message = e.message(user.i18n().lang == Lang::Zh).to_owned();
            show_page(&user, &sheet, f, Some(message), false, status_of(e.kind))
        }
        Err(_) => AppError::from(e).into_response(),
    }
}
