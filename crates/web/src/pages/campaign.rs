//! 三保障和饮水安全问题排查 (A6, §三(四)2) pages:
//! - `GET /campaign` — the quarter's coverage of every village of the user's area (checked / households,
//!   problems found, the task's state; the households not yet checked, each a link to its form); filters
//!   (area, quarter); the 排查台账 download;
//! - `GET /campaign/{n}` — one household: this quarter's state, its checks, and for a village team, cadre
//!   or township the check form (one column, for a phone: each item 无问题/有问题 + what was found);
//! - `POST /campaign-plans` — saves a township's 年度工作方案 (§三(四)1; the township admin, the county
//!   admin), shown on `/campaign` with the form;
//! - `POST /campaign/{n}/check` — records it through `shouwang_app::registers::campaign` (each problem goes
//!   to the 问题台账).

use askama::Template;
use axum::Form;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use shouwang_app::registers::RECORDERS;
use shouwang_app::registers::campaign::{self, AnswerInput, CheckInput, PlanInput, Sheet};
use shouwang_core::codes::RegionLevel;
use shouwang_core::register::campaign::sector_short_zh;
use shouwang_core::register::plan::{PLAN_ROLES, YearPlan};

use crate::AppState;
use crate::auth::{CurrentUser, check_csrf};
use crate::http::error::{AppError, status_of};
use crate::http::form::{encode, opt};
use crate::http::i18n::{I18n, Lang};
use crate::http::render::{render_status, see_other};
use crate::pages::cases::{Fields, caller};
use crate::pages::households::FilterOption;
use crate::pages::low_income::status_class;
use crate::pages::regions::{region_names, region_options};

/// The routes of this module.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/campaign", get(list))
        .route("/campaign/{number}", get(show))
        .route("/campaign/{number}/check", post(record))
        .route("/campaign-plans", post(save_plan))
}

/// A village's line as shown.
pub struct VillageRow {
    village: String,
    township: String,
    households: u64,
    checked: u64,
    percent: f64,
    problems: u64,
    status: String,
    status_class: &'static str,
    due_on: String,
    /// (户编号, encoded, 户主).
    missing: Vec<(String, String, String)>,
}

/// A township's plan as shown.
pub struct PlanShown {
    township: String,
    title: String,
    targets: String,
    measures: String,
    mechanism: String,
    dates: String,
    by: String,
}

#[derive(Template)]
#[template(path = "campaign/list.html")]
struct ListPage<'a> {
    i18n: I18n,
    user: &'a CurrentUser,
    path: String,
    rows: Vec<VillageRow>,
    quarter: String,
    areas: Vec<FilterOption>,
    total: (u64, u64),
    year: i32,
    plans: Vec<PlanShown>,
    may_plan: bool,
    plan_townships: Vec<FilterOption>,
    /// The plan form's values (typed, or the township's saved plan, or blank).
    plan_fields: Fields,
    plan_error: Option<String>,
    plan_saved: bool,
}

impl ListPage<'_> {
    /// A plan field as typed or saved, whole (a plan's texts are longer than [`Fields::get`] keeps).
    fn pf(&self, name: &str) -> String {
        whole(&self.plan_fields, name)
    }
}

#[derive(Deserialize, Default)]
pub struct ListQuery {
    area: Option<String>,
    quarter: Option<String>,
    plan: Option<String>,
    year: Option<String>,
}

/// GET /campaign?area=…&quarter=…&year=… (`year`: the plans shown, default this year)
pub async fn list(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<ListQuery>,
) -> Result<Response, AppError> {
    list_page(&state, &user, &q, None, StatusCode::OK).await
}

/// The list page; `typed`: a refused plan form (its fields, the reason), shown with `status`.
async fn list_page(
    state: &AppState,
    user: &CurrentUser,
    q: &ListQuery,
    typed: Option<(Fields, String)>,
    status: StatusCode,
) -> Result<Response, AppError> {
    let i18n = user.i18n();
    let today = shouwang_app::today();
    let area = opt(&q.area, 20);
    let quarter = opt(&q.quarter, 12);
    let shown = campaign::quarter_of(quarter.as_deref(), today)?;
    let c = caller(user);
    let villages =
        campaign::coverage(&state.db, &c, area.as_deref(), quarter.as_deref(), today).await?;
    let regions = region_options(&state.db, user.scope.area_prefix()).await?;
    let areas = regions
        .iter()
        .filter(|r| r.code.len() > user.scope.area_prefix().len())
        .map(|r| FilterOption {
            selected: area.as_deref() == Some(r.code.as_str()),
            value: r.code.clone(),
            label: r.label.clone(),
        })
        .collect();
    let total = villages.iter().fold((0, 0), |(h, c), v| {
        (h + v.coverage.households, c + v.coverage.checked)
    });
    let rows = villages
        .iter()
        .map(|v| VillageRow {
            village: v.village_name.clone(),
            township: v.township_name.clone(),
            households: v.coverage.households,
            checked: v.coverage.checked,
            percent: v.percent,
            problems: v.problems,
            status: i18n.label(&v.state.status).to_owned(),
            status_class: status_class(v.state.status),
            due_on: v.state.due_on.to_string(),
            missing: v
                .missing
                .iter()
                .map(|m| (m.number.clone(), encode(&m.number), m.head_name.clone()))
                .collect(),
        })
        .collect();
    // The year's plans (年度工作方案) of the area, with the township names of the county.
    let year = opt(&q.year, 4)
        .and_then(|y| y.parse().ok())
        .unwrap_or_else(|| chrono::Datelike::year(&today));
    let plans = campaign::plans(&state.db, &c, Some(year), today).await?;
    let county = user.scope.area_prefix().get(..6).unwrap_or_default();
    let names = region_names(&state.db, county).await?;
    let may_plan = PLAN_ROLES.contains(&user.scope.role);
    let area_prefix = user.scope.area_prefix();
    let plan_townships: Vec<FilterOption> = if area_prefix.len() == 9 {
        vec![FilterOption {
            selected: true,
            value: area_prefix.to_owned(),
            label: names.get(area_prefix).cloned().unwrap_or_default(),
        }]
    } else {
        regions
            .iter()
            .filter(|r| r.level == RegionLevel::Township)
            .map(|r| FilterOption {
                selected: false,
                value: r.code.clone(),
                label: r.label.trim().to_owned(),
            })
            .collect()
    };
    let (plan_fields, plan_error) = match typed {
        Some((f, why)) => (f, Some(why)),
        None => {
            // A township admin edits its township's saved plan; else a blank form of this year.
            let own = plans
                .iter()
                .find(|p| area_prefix.len() == 9 && p.township == area_prefix);
            let mut v = vec![
                ("year".to_owned(), year.to_string()),
                ("version".to_owned(), "0".to_owned()),
                ("starts_on".to_owned(), format!("{year}-01-01")),
                ("ends_on".to_owned(), format!("{year}-12-31")),
            ];
            if let Some(p) = own {
                v = vec![
                    ("year".to_owned(), p.plan.year.to_string()),
                    ("version".to_owned(), p.version.to_string()),
                    ("title".to_owned(), p.plan.title.clone()),
                    ("targets".to_owned(), p.plan.targets.clone()),
                    ("measures".to_owned(), p.plan.measures.clone()),
                    ("mechanism".to_owned(), p.plan.mechanism.clone()),
                    ("starts_on".to_owned(), p.plan.starts_on.to_string()),
                    ("ends_on".to_owned(), p.plan.ends_on.to_string()),
                ];
            }
            (Fields(v), None)
        }
    };
    let plans = plans
        .iter()
        .map(|p| PlanShown {
            township: names
                .get(&p.township)
                .cloned()
                .unwrap_or_else(|| p.township.clone()),
            title: p.plan.title.clone(),
            targets: p.plan.targets.clone(),
            measures: p.plan.measures.clone(),
            mechanism: p.plan.mechanism.clone(),
            dates: format!("{} — {}", p.plan.starts_on, p.plan.ends_on),
            by: p.updated_by.clone(),
        })
        .collect();
    let page = ListPage {
        i18n,
        user,
        path: "/campaign".to_owned(),
        rows,
        quarter: shown.to_string(),
        areas,
        total,
        year,
        plans,
        may_plan,
        plan_townships,
        plan_fields,
        plan_error,
        plan_saved: q.plan.as_deref() == Some("saved"),
    };
    Ok(render_status(&page, status))
}

/// A form field whole (up to the plan's own limit, which the core checks).
fn whole(f: &Fields, name: &str) -> String {
    f.0.iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.chars().take(YEAR_PLAN_MAX_CHARS).collect())
        .unwrap_or_default()
}

/// More than the core accepts, so that an overlong text is refused rather than cut.
const YEAR_PLAN_MAX_CHARS: usize = shouwang_core::register::plan::MAX_TEXT + 1;

/// POST /campaign-plans: `township`, `version`, `year`, `title`, `targets`, `measures`, `mechanism`,
/// `starts_on`, `ends_on`.
pub async fn save_plan(
    State(state): State<AppState>,
    user: CurrentUser,
    Form(raw): Form<Vec<(String, String)>>,
) -> Response {
    let f = Fields(raw);
    if let Err(e) = check_csrf(&user, &f.get("csrf")) {
        return e.into_response();
    }
    let zh = user.i18n().lang == Lang::Zh;
    let parsed = (|| {
        let date = |n: &str| f.get(n).trim().parse::<chrono::NaiveDate>().ok();
        Some(PlanInput {
            version: f.get("version").trim().parse().ok()?,
            plan: YearPlan {
                year: f.get("year").trim().parse().ok()?,
                title: whole(&f, "title"),
                targets: whole(&f, "targets"),
                measures: whole(&f, "measures"),
                mechanism: whole(&f, "mechanism"),
                starts_on: date("starts_on")?,
                ends_on: date("ends_on")?,
            },
        })
    })();
    let result = match parsed {
        Some(input) => campaign::save_plan(&state.db, &caller(&user), &f.get("township"), &input)
            .await
            .map(|_| ())
            .map_err(|e| (e.message(zh).to_owned(), status_of(e.kind))),
        None => Err((
            user.i18n()
                .lang
                .pick(
                    "年度、版本和日期须填写正确（日期格式 YYYY-MM-DD）",
                    "Year, version and dates must be valid (YYYY-MM-DD)",
                )
                .to_owned(),
            StatusCode::UNPROCESSABLE_ENTITY,
        )),
    };
    match result {
        Ok(()) => see_other("/campaign?plan=saved"),
        Err((why, status)) => {
            match list_page(&state, &user, &ListQuery::default(), Some((f, why)), status).await {
                Ok(r) => r,
                Err(e) => e.into_response(),
            }
        }
    }
}

/// An item of the form.
pub struct ItemField {
    code: String,
    sector: &'static str,
    /// The first item of its sector (the form shows the sector's heading before it).
    first: bool,
    label: String,
    /// The registry already shows a problem for it (pre-filled).
    known: bool,
}

/// A check as shown.
pub struct CheckView {
    quarter: String,
    checked_on: String,
    by: String,
    /// (sector, result).
    sectors: Vec<(&'static str, String)>,
    problems: String,
}

#[derive(Template)]
#[template(path = "campaign/show.html")]
struct ShowPage<'a> {
    i18n: I18n,
    user: &'a CurrentUser,
    path: String,
    sheet: &'a Sheet,
    number_enc: String,
    status: String,
    status_class: &'static str,
    items: Vec<ItemField>,
    checks: Vec<CheckView>,
    may_record: bool,
    today: String,
    v: Fields,
    error: Option<String>,
    recorded: bool,
}

impl ShowPage<'_> {
    fn get(&self, name: &str) -> String {
        self.v.get(name)
    }
    fn answer(&self, code: &str) -> String {
        self.v.get(&format!("ans_{code}"))
    }
    fn found(&self, code: &str) -> String {
        self.v.get(&format!("found_{code}"))
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
    let mut last = None;
    let items = sheet
        .checklist
        .iter()
        .map(|i| {
            let first = last != Some(i.sector);
            last = Some(i.sector);
            ItemField {
                code: i.code.clone(),
                sector: sector_short_zh(i.sector),
                first,
                label: i.label.clone(),
                known: sheet.known.iter().any(|k| k.code == i.code),
            }
        })
        .collect();
    let checks = sheet
        .checks
        .iter()
        .map(|r| {
            let c = &r.check;
            let mut sectors: Vec<(&'static str, String)> = Vec::new();
            for i in &c.items {
                let name = sector_short_zh(i.sector);
                if !sectors.iter().any(|(s, _)| *s == name) {
                    sectors.push((name, c.sector_zh(i.sector)));
                }
            }
            CheckView {
                quarter: c.quarter.to_string(),
                checked_on: c.checked_on.to_string(),
                by: r.recorded_by.clone(),
                sectors,
                problems: c
                    .problem_ids
                    .iter()
                    .map(|i| i.to_string())
                    .collect::<Vec<_>>()
                    .join(","),
            }
        })
        .collect();
    render_status(
        &ShowPage {
            i18n,
            user,
            path: format!("/campaign/{}", encode(&sheet.number)),
            sheet,
            number_enc: encode(&sheet.number),
            status: i18n.label(&sheet.quarter.status).to_owned(),
            status_class: status_class(sheet.quarter.status),
            items,
            checks,
            may_record: RECORDERS.contains(&user.scope.role),
            today: shouwang_app::today().to_string(),
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

/// GET /campaign/{number}
pub async fn show(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(number): Path<String>,
    Query(q): Query<ShowQuery>,
) -> Result<Response, AppError> {
    let today = shouwang_app::today();
    let sheet = campaign::show(&state.db, &caller(&user), &number, today).await?;
    // What the registry already shows is pre-filled as 有问题 for the visitor to confirm or correct.
    let known = sheet
        .known
        .iter()
        .flat_map(|k| {
            [
                (format!("ans_{}", k.code), "problem".to_owned()),
                (format!("found_{}", k.code), k.found.clone()),
            ]
        })
        .collect();
    Ok(show_page(
        &user,
        &sheet,
        Fields(known),
        None,
        q.recorded.is_some(),
        StatusCode::OK,
    ))
}

/// The check of the form: `checked_on`, `deadline`, per item `ans_<code>` (`ok` or `problem`; an item
/// left unanswered is not sent, which the check refuses) and `found_<code>`.
fn check_input(f: &Fields) -> Result<CheckInput, AppError> {
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
    let mut answers = Vec::new();
    for (name, value) in &f.0 {
        let Some(code) = name.strip_prefix("ans_") else {
            continue;
        };
        let problem = match value.as_str() {
            "ok" => false,
            "problem" => true,
            _ => return Err(bad("排查结果应为无问题或有问题".to_owned(), "Bad answer")),
        };
        answers.push(AnswerInput {
            code: code.to_owned(),
            problem,
            found: if problem {
                f.get(&format!("found_{code}"))
            } else {
                String::new()
            },
        });
    }
    Ok(CheckInput {
        checked_on: date("checked_on", "排查日期")?,
        answers,
        deadline: date("deadline", "整改时限")?,
    })
}

/// POST /campaign/{number}/check
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
    let input = match check_input(&f) {
        Ok(i) => i,
        Err(e) => return e.into_response(),
    };
    let e = match campaign::record_check(&state.db, &c, &number, &input, today).await {
        Ok(_) => return see_other(&format!("/campaign/{}?recorded=1", encode(number.trim()))),
        Err(e) => e,
    };
    // The form again with the reason, when the household is the user's to see; else the error alone.
    match campaign::show(&state.db, &c, &number, today).await {
        Ok(sheet) => {
            let message = e.message(user.i18n().lang == Lang::Zh).to_owned();
            show_page(&user, &sheet, f, Some(message), false, status_of(e.kind))
        }
        Err(_) => AppError::from(e).into_response(),
    }
}
