//! 村容村貌指标 (B5, §四(五)) pages:
//! - `GET /indicators?year=…&area=…` — every village of the user's area with its sanitary toilets, garbage
//!   collection and 文明户 against the county's targets, the gap, the state (未填报 / 待核实 / 已核实 / 退回),
//!   and the area's total; the 村容村貌指标台账 download;
//! - `GET /indicators/{village}?year=…` — one village: its figures, and the form to enter them (village
//!   team, township; one column, for a phone) or to check or return them (township, county);
//! - `POST /indicators/{village}/act` — the action, through `shouwang_app::indicators`.

use askama::Template;
use axum::Form;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use chrono::Datelike;
use serde::Deserialize;
use shouwang_app::indicators::{self, Board, VillageIndicators};
use shouwang_core::indicators::{
    CHECK, ENTER, FIRST_YEAR, IndicatorAction, IndicatorStatus, Rate, VillageFigures,
};

use crate::AppState;
use crate::auth::{CurrentUser, check_csrf};
use crate::http::error::{AppError, status_of};
use crate::http::form::{encode, opt};
use crate::http::i18n::{I18n, Lang};
use crate::http::render::{render_status, see_other};
use crate::pages::cases::{Fields, caller};
use crate::pages::households::FilterOption;
use crate::pages::regions::region_options;

/// The routes of this module.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/indicators", get(board))
        .route("/indicators/{village}", get(show))
        .route("/indicators/{village}/act", post(act))
}

/// One indicator as shown: `75.0%`, the target, the gap and whether met.
pub struct Cell {
    value: String,
    detail: String,
    class: &'static str,
}

fn cell(r: &Rate, i18n: I18n) -> Cell {
    match r.pct {
        None => Cell {
            value: "—".to_owned(),
            detail: String::new(),
            class: "",
        },
        Some(p) => Cell {
            value: format!("{p:.1}%"),
            detail: if r.met() {
                format!("{}/{}", r.part, r.whole)
            } else {
                format!(
                    "{}/{} · {} {:.1}",
                    r.part,
                    r.whole,
                    i18n.lang.pick("差", "short by"),
                    r.gap_pct.unwrap_or(0.0)
                )
            },
            class: if r.met() { "above" } else { "below" },
        },
    }
}

/// A village row of the board.
pub struct Row {
    code: String,
    name: String,
    cells: Vec<Cell>,
    state: String,
    state_class: &'static str,
}

fn state_of(v: &VillageIndicators, i18n: I18n) -> (String, &'static str) {
    match &v.record {
        None => (i18n.lang.pick("未填报", "Not entered").to_owned(), "below"),
        Some(r) => (
            i18n.label(&r.status).to_owned(),
            match r.status {
                IndicatorStatus::Entered => "near",
                IndicatorStatus::Checked => "above",
                IndicatorStatus::Returned => "below",
            },
        ),
    }
}

fn row(v: &VillageIndicators, i18n: I18n) -> Row {
    let (state, state_class) = state_of(v, i18n);
    Row {
        code: v.code.clone(),
        name: v.name.clone(),
        cells: v.rates.iter().map(|r| cell(r, i18n)).collect(),
        state,
        state_class,
    }
}

#[derive(Template)]
#[template(path = "indicators/board.html")]
struct BoardPage<'a> {
    i18n: I18n,
    user: &'a CurrentUser,
    path: String,
    year: i32,
    years: Vec<i32>,
    targets: Vec<String>,
    total: Vec<Cell>,
    rows: Vec<Row>,
    missing: usize,
    to_check: usize,
    checked: usize,
    areas: Vec<FilterOption>,
}

#[derive(Deserialize, Default)]
pub struct BoardQuery {
    year: Option<String>,
    area: Option<String>,
    done: Option<String>,
}

fn year_of(q: Option<&str>) -> Result<i32, AppError> {
    let this = shouwang_app::today().year();
    match q.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(this),
        Some(s) => s
            .parse::<i32>()
            .ok()
            .filter(|y| (FIRST_YEAR..=this).contains(y))
            .ok_or_else(|| {
                AppError::bad_request(
                    "bad_request",
                    format!("年度应为{FIRST_YEAR}至{this}年"),
                    format!("The year must be {FIRST_YEAR} to {this}"),
                )
            }),
    }
}

fn targets_of(b: &Board, i18n: I18n) -> Vec<String> {
    b.total
        .iter()
        .map(|r| format!("{} ≥ {}%", i18n.label(&r.indicator), r.target_pct))
        .collect()
}

/// GET /indicators?year=…&area=…
pub async fn board(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<BoardQuery>,
) -> Result<Response, AppError> {
    let i18n = user.i18n();
    let year = year_of(q.year.as_deref())?;
    let area = opt(&q.area, 20);
    let b = indicators::board(&state.db, &caller(&user), year, area.as_deref()).await?;
    let areas = region_options(&state.db, user.scope.area_prefix())
        .await?
        .into_iter()
        .filter(|r| r.code.len() > user.scope.area_prefix().len() && r.code.len() <= 9)
        .map(|r| FilterOption {
            selected: area.as_deref() == Some(r.code.as_str()),
            value: r.code,
            label: r.label,
        })
        .collect();
    let page = BoardPage {
        i18n,
        user: &user,
        path: "/indicators".to_owned(),
        year,
        years: (FIRST_YEAR..=shouwang_app::today().year()).rev().collect(),
        targets: targets_of(&b, i18n),
        total: b.total.iter().map(|r| cell(r, i18n)).collect(),
        rows: b.villages.iter().map(|v| row(v, i18n)).collect(),
        missing: b.missing,
        to_check: b.to_check,
        checked: b.checked,
        areas,
    };
    Ok(render_status(&page, StatusCode::OK))
}

#[derive(Template)]
#[template(path = "indicators/show.html")]
struct ShowPage<'a> {
    i18n: I18n,
    user: &'a CurrentUser,
    path: String,
    year: i32,
    row: Row,
    version: i64,
    entered: String,
    checked: String,
    note: String,
    returned_for: String,
    may_enter: bool,
    may_check: bool,
    v: Fields,
    error: Option<String>,
    done: bool,
}

impl ShowPage<'_> {
    fn get(&self, name: &str) -> String {
        self.v.get(name)
    }
}

/// The figures as the form's initial values.
fn figure_fields(f: &VillageFigures, note: &str) -> Fields {
    Fields(vec![
        ("households".into(), f.households.to_string()),
        ("toilets".into(), f.toilets.to_string()),
        ("natural_villages".into(), f.natural_villages.to_string()),
        ("garbage_covered".into(), f.garbage_covered.to_string()),
        ("civilized".into(), f.civilized.to_string()),
        ("note".into(), note.to_owned()),
    ])
}

fn show_page(
    user: &CurrentUser,
    year: i32,
    v: &VillageIndicators,
    fields: Option<Fields>,
    error: Option<String>,
    done: bool,
    status: StatusCode,
) -> Response {
    let i18n = user.i18n();
    let r = v.record.as_ref();
    let by =
        |a: Option<&shouwang_core::monitoring::Actor>, d: Option<chrono::NaiveDate>| match (a, d) {
            (Some(a), Some(d)) => format!("{} {d}", a.name),
            _ => String::new(),
        };
    let state = r.map(|r| r.status);
    render_status(
        &ShowPage {
            i18n,
            user,
            path: format!("/indicators/{}", encode(&v.code)),
            year,
            row: row(v, i18n),
            version: v.version,
            entered: by(r.map(|r| &r.entered_by), r.map(|r| r.entered_on)),
            checked: by(
                r.and_then(|r| r.checked_by.as_ref()),
                r.and_then(|r| r.checked_on),
            ),
            note: r.map(|r| r.note.clone()).unwrap_or_default(),
            returned_for: r.and_then(|r| r.returned_for.clone()).unwrap_or_default(),
            may_enter: ENTER.contains(&user.scope.role) && state != Some(IndicatorStatus::Checked),
            may_check: CHECK.contains(&user.scope.role) && state.is_some(),
            v: fields.unwrap_or_else(|| {
                r.map(|r| figure_fields(&r.figures, &r.note))
                    .unwrap_or(Fields(Vec::new()))
            }),
            error,
            done,
        },
        status,
    )
}

async fn village(
    state: &AppState,
    user: &CurrentUser,
    code: &str,
    year: i32,
) -> Result<VillageIndicators, AppError> {
    let b = indicators::board(&state.db, &caller(user), year, Some(code)).await?;
    b.villages
        .into_iter()
        .find(|v| v.code == code)
        .ok_or_else(|| AppError::from(shouwang_app::Error::not_found()))
}

/// GET /indicators/{village}?year=…
pub async fn show(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(code): Path<String>,
    Query(q): Query<BoardQuery>,
) -> Result<Response, AppError> {
    let year = year_of(q.year.as_deref())?;
    let v = village(&state, &user, code.trim(), year).await?;
    Ok(show_page(
        &user,
        year,
        &v,
        None,
        None,
        q.done.is_some(),
        StatusCode::OK,
    ))
}

/// The action of the form: `action` (enter, check, return), the figures, `note`, `reason`.
fn action_of(f: &Fields) -> Result<IndicatorAction, AppError> {
    let bad = |zh: String, en: String| AppError::bad_request("bad_request", zh, en);
    let n = |name: &str, zh: &str| -> Result<u32, AppError> {
        f.get(name).trim().parse::<u32>().map_err(|_| {
            bad(
                format!("{zh}应为不小于0的整数"),
                format!("{name} must be a whole number, 0 or more"),
            )
        })
    };
    match f.get("action").as_str() {
        "enter" => Ok(IndicatorAction::Enter {
            figures: VillageFigures {
                households: n("households", "农户总数")?,
                toilets: n("toilets", "卫生厕所户数")?,
                natural_villages: n("natural_villages", "自然村数")?,
                garbage_covered: n("garbage_covered", "垃圾收运覆盖自然村数")?,
                civilized: n("civilized", "文明户数")?,
            },
            note: f.get("note"),
        }),
        "check" => Ok(IndicatorAction::Check),
        "return" => Ok(IndicatorAction::Return {
            reason: f.get("reason"),
        }),
        _ => Err(bad("未知的操作".into(), "Unknown action".into())),
    }
}

/// POST /indicators/{village}/act
pub async fn act(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(code): Path<String>,
    Form(raw): Form<Vec<(String, String)>>,
) -> Response {
    let f = Fields(raw);
    if let Err(e) = check_csrf(&user, &f.get("csrf")) {
        return e.into_response();
    }
    let code = code.trim().to_owned();
    let parsed = year_of(Some(&f.get("year"))).and_then(|y| {
        let version = f.get("version").trim().parse::<i64>().unwrap_or(-1);
        action_of(&f).map(|a| (y, version, a))
    });
    let (year, version, action) = match parsed {
        Ok(p) => p,
        Err(e) => return e.into_response(),
    };
    let e = match indicators::act(
        &state.db,
        &caller(&user),
        &code,
        year,
        version,
        action,
        shouwang_app::today(),
    )
    .await
    {
        Ok(_) => return see_other(&format!("/indicators/{}?year={year}&done=1", encode(&code))),
        Err(e) => e,
    };
    // The form again with the reason, when the village is the user's to see; else the error alone.
    match village(&state, &user, &code, year).await {
        Ok(v) => {
            let message = e.message(user.i18n().lang == Lang::Zh).to_owned();
            show_page(
                &user,
                year,
                &v,
                Some(f),
                Some(message),
                false,
                status_of(e.kind),
            )
        }
        Err(_) => AppError::from(e).into_response(),
    }
}
