//! 光伏扶贫电站 and 光伏收益分配 (B2 §四(二)4 "按月分配收益…收益分配到村率达到90%") pages:
//! - `GET /pv` — the board of a year: 分配到村率 against the target with the gap, the yearly income against its
//!   target, by month, township and village, the stations and the distributions;
//! - `GET/POST /pv/stations/new`, `GET/POST /pv/stations/{id}` — 登记电站 and the station with its income
//!   and its change form (township, county); `POST /pv/stations/{id}/income` — a month's 发电收益;
//! - `GET/POST /pv/distribute` — a village's monthly 收益分配 (village team, township, county) —
//!
//! all through `shouwang_app::pv`.

use askama::Template;
use axum::Form;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use shouwang_app::assets::Versioned;
use shouwang_app::pv::board::{BoardQuery, DistributionEntry};
use shouwang_app::pv::{self, KEEPERS, RECORDERS, StationEntry, StationSheet};
use shouwang_core::monitoring::YearMonth;
use shouwang_core::pv::{Distribution, Income, Station, StationKind, StationState, Uses};
use shouwang_core::{CodeList, Fen};

use crate::AppState;
use crate::auth::{CurrentUser, check_csrf};
use crate::http::error::{AppError, status_of};
use crate::http::i18n::{I18n, Lang};
use crate::http::render::{render_status, see_other};
use crate::pages::cases::{Fields, caller};

/// The routes of this module.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/pv", get(board))
        .route("/pv/stations/new", get(new_station).post(create_station))
        .route("/pv/stations/{id}", get(show).post(change))
        .route("/pv/stations/{id}/income", post(income))
        .route("/pv/distribute", get(distribute_form).post(distribute))
}

/// An amount of 分 as yuan with two decimals.
fn yuan(f: Fen) -> String {
    f.to_string()
}

/// 万元 with two decimals (the plan's unit for the yearly target).
fn wan(f: Fen) -> String {
    Fen(f.0).div_round(10_000).to_string()
}

/// A station as shown.
pub struct StationView {
    id: i64,
    name: String,
    kind: String,
    place: String,
    villages: String,
    capacity: u32,
    grid_on: String,
    asset: String,
    state: String,
}

fn station_view(e: &StationEntry, i18n: I18n) -> StationView {
    StationView {
        id: e.id,
        name: e.name.clone(),
        kind: i18n.label(&e.kind).to_owned(),
        place: e.place_name.clone(),
        villages: e
            .villages
            .iter()
            .map(|v| v.name.clone())
            .collect::<Vec<_>>()
            .join("、"),
        capacity: e.capacity_kw,
        grid_on: e.grid_on.map(|d| d.to_string()).unwrap_or_default(),
        asset: e.asset.map(|a| a.to_string()).unwrap_or_default(),
        state: i18n.label(&e.state).to_owned(),
    }
}

/// A line of the board's tables (month, township, village).
pub struct Line {
    label: String,
    income: String,
    distributed: String,
    extra: String,
    rate: String,
    gap: String,
    met: bool,
}

/// A distribution as shown.
pub struct DistView {
    village: String,
    village_code: String,
    month: String,
    distributed: String,
    wages: String,
    works: String,
    rewards: String,
    other: String,
    balance: String,
    decision: String,
    recorded_by: String,
}

fn dist_view(d: &DistributionEntry) -> DistView {
    DistView {
        village: d.village_name.clone(),
        village_code: d.village.clone(),
        month: d.month.to_string(),
        distributed: yuan(d.distributed),
        wages: yuan(d.uses.post_wages),
        works: yuan(d.uses.public_works),
        rewards: yuan(d.uses.rewards),
        other: yuan(d.uses.other),
        balance: yuan(d.balance),
        decision: format!("{}（{}）", d.decision, d.decided_on),
        recorded_by: d.recorded_by.clone(),
    }
}

#[derive(Template)]
#[template(path = "pv/board.html")]
struct BoardPage<'a> {
    i18n: I18n,
    user: &'a CurrentUser,
    path: String,
    year: i32,
    target_pct: u32,
    rate: String,
    rate_met: bool,
    has_income: bool,
    gap: String,
    income: String,
    distributed: String,
    income_target: String,
    income_gap: String,
    months: Vec<Line>,
    townships: Vec<Line>,
    villages: Vec<Line>,
    stations: Vec<StationView>,
    distributions: Vec<DistView>,
    may_keep: bool,
    may_record: bool,
}

#[derive(Deserialize, Default)]
pub struct BoardParams {
    year: Option<String>,
    area: Option<String>,
}

/// GET /pv?year=…&area=…
pub async fn board(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<BoardParams>,
) -> Result<Response, AppError> {
    let i18n = user.i18n();
    let year = match q.year.as_deref().map(str::trim).filter(|y| !y.is_empty()) {
        None => None,
        Some(y) => Some(
            y.parse::<i32>()
                .map_err(|_| AppError::bad_request("bad_request", "年份应为数字", "Bad year"))?,
        ),
    };
    let query = BoardQuery {
        year,
        area: crate::http::form::opt(&q.area, 20),
    };
    let b = pv::board(&state.db, &caller(&user), &query, shouwang_app::today()).await?;
    let pct = b.targets.village_rate_pct;
    let area_line = |l: &shouwang_app::pv::board::AreaLine| {
        let r = shouwang_core::pv::Rate::of(l.income, l.distributed, pct);
        Line {
            label: l.name.clone(),
            income: yuan(l.income),
            distributed: yuan(l.distributed),
            extra: format!("{} / {}", yuan(l.used), l.months),
            rate: r.percent_text(),
            gap: yuan(r.gap),
            met: r.met,
        }
    };
    Ok(render_status(
        &BoardPage {
            i18n,
            user: &user,
            path: "/pv".to_owned(),
            year: b.year,
            target_pct: pct,
            rate: b.rate.percent_text(),
            rate_met: b.rate.met,
            has_income: b.rate.income.0 > 0,
            gap: yuan(b.rate.gap),
            income: wan(b.rate.income),
            distributed: wan(b.rate.distributed),
            income_target: wan(b.income_target),
            income_gap: wan(b.income_gap),
            months: b
                .months
                .iter()
                .map(|m| Line {
                    label: m.month.label_zh(),
                    income: yuan(m.income),
                    distributed: yuan(m.distributed),
                    extra: format!(
                        "{} / {}",
                        yuan(m.cumulative.income),
                        yuan(m.cumulative.distributed)
                    ),
                    rate: m.cumulative.percent_text(),
                    gap: yuan(m.cumulative.gap),
                    met: m.cumulative.met,
                })
                .collect(),
            townships: b.townships.iter().map(area_line).collect(),
            villages: b.villages.iter().map(area_line).collect(),
            stations: b.stations.iter().map(|s| station_view(s, i18n)).collect(),
            distributions: b.distributions.iter().map(dist_view).collect(),
            may_keep: KEEPERS.contains(&user.scope.role),
            may_record: RECORDERS.contains(&user.scope.role),
        },
        StatusCode::OK,
    ))
}

type Choices = Vec<(&'static str, &'static str)>;

fn choices<C: CodeList>(all: &[C], i18n: I18n) -> Choices {
    all.iter().map(|c| (c.code(), i18n.label(c))).collect()
}

/// An income row as shown.
pub struct IncomeView {
    month: String,
    amount: String,
    note: String,
    recorded_by: String,
    version: i64,
}

#[derive(Template)]
#[template(path = "pv/station.html")]
struct StationPage<'a> {
    i18n: I18n,
    user: &'a CurrentUser,
    path: String,
    current: Option<StationView>,
    income: Vec<IncomeView>,
    total: String,
    kinds: Choices,
    states: Choices,
    v: Fields,
    may_keep: bool,
    error: Option<String>,
    income_error: Option<String>,
    done: bool,
    this_month: String,
}

impl StationPage<'_> {
    fn get(&self, name: &str) -> String {
        self.v.get(name)
    }
}

/// What a station page shows besides the form.
struct Shown {
    sheet: Option<StationSheet>,
    error: Option<String>,
    income_error: Option<String>,
    done: bool,
}

fn station_page(
    user: &CurrentUser,
    path: String,
    v: Fields,
    s: Shown,
    status: StatusCode,
) -> Response {
    let i18n = user.i18n();
    let (current, income, total) = match &s.sheet {
        Some(sheet) => (
            Some(station_view(&sheet.station, i18n)),
            sheet
                .income
                .iter()
                .map(|i| IncomeView {
                    month: i.month.to_string(),
                    amount: yuan(i.amount),
                    note: i.note.clone(),
                    recorded_by: i.recorded_by.clone(),
                    version: i.version,
                })
                .collect(),
            yuan(sheet.total),
        ),
        None => (None, Vec::new(), String::new()),
    };
    render_status(
        &StationPage {
            i18n,
            user,
            path,
            current,
            income,
            total,
            kinds: choices(StationKind::ALL, i18n),
            states: choices(StationState::ALL, i18n),
            v,
            may_keep: KEEPERS.contains(&user.scope.role),
            error: s.error,
            income_error: s.income_error,
            done: s.done,
            this_month: YearMonth::of(shouwang_app::today()).to_string(),
        },
        status,
    )
}

fn bad(zh: &str, en: &str) -> AppError {
    AppError::bad_request("bad_request", zh.to_owned(), en.to_owned())
}

/// The station of the form: `name`, `kind`, `place` (default the user's area), `villages` (codes separated
/// by spaces, commas or lines), `capacity_kw`, `grid_on`, `asset`, `state`.
fn station_of(f: &Fields, user: &CurrentUser) -> Result<Station, AppError> {
    let place = match f.get("place") {
        p if p.is_empty() => user.scope.area_prefix().to_owned(),
        p => p,
    };
    let villages = f
        .get("villages")
        .split(|c: char| c.is_whitespace() || c == ',' || c == '，' || c == '、')
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect();
    let number = |name: &str| -> Result<Option<i64>, AppError> {
        match f.get(name).trim() {
            "" => Ok(None),
            s => s
                .parse()
                .map(Some)
                .map_err(|_| bad("请填写整数", "A whole number is expected")),
        }
    };
    Ok(Station {
        name: f.get("name"),
        kind: StationKind::from_code(&f.get("kind"))
            .ok_or_else(|| bad("请选择电站类型", "Choose the kind"))?,
        place,
        villages,
        capacity_kw: number("capacity_kw")?
            .and_then(|n| u32::try_from(n).ok())
            .unwrap_or(0),
        grid_on: f.date("grid_on"),
        asset: number("asset")?,
        state: StationState::from_code(&f.get("state")).unwrap_or(StationState::Running),
    })
}

fn fields_of(e: &StationEntry) -> Fields {
    Fields(
        [
            ("name", e.name.clone()),
            ("kind", e.kind.code().to_owned()),
            ("place", e.place.clone()),
            (
                "villages",
                if e.kind == StationKind::Central {
                    e.villages
                        .iter()
                        .map(|v| v.code.clone())
                        .collect::<Vec<_>>()
                        .join(" ")
                } else {
                    String::new()
                },
            ),
            ("capacity_kw", e.capacity_kw.to_string()),
            (
                "grid_on",
                e.grid_on.map(|d| d.to_string()).unwrap_or_default(),
            ),
            ("asset", e.asset.map(|a| a.to_string()).unwrap_or_default()),
            ("state", e.state.code().to_owned()),
            ("version", e.version.to_string()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect(),
    )
}

fn shown(sheet: Option<StationSheet>) -> Shown {
    Shown {
        sheet,
        error: None,
        income_error: None,
        done: false,
    }
}

/// GET /pv/stations/new
pub async fn new_station(user: CurrentUser) -> Response {
    station_page(
        &user,
        "/pv/stations/new".to_owned(),
        Fields(Vec::new()),
        shown(None),
        StatusCode::OK,
    )
}

/// POST /pv/stations/new
pub async fn create_station(
    State(state): State<AppState>,
    user: CurrentUser,
    Form(raw): Form<Vec<(String, String)>>,
) -> Response {
    let f = Fields(raw);
    if let Err(e) = check_csrf(&user, &f.get("csrf")) {
        return e.into_response();
    }
    let zh = user.i18n().lang == Lang::Zh;
    let s = match station_of(&f, &user) {
        Ok(s) => s,
        Err(e) => return e.into_response(),
    };
    match pv::create_station(&state.db, &caller(&user), s, shouwang_app::today()).await {
        Ok(id) => see_other(&format!("/pv/stations/{id}?done=1")),
        Err(e) => station_page(
            &user,
            "/pv/stations/new".to_owned(),
            f,
            Shown {
                error: Some(e.message(zh).to_owned()),
                ..shown(None)
            },
            status_of(e.kind),
        ),
    }
}

#[derive(Deserialize, Default)]
pub struct ShowQuery {
    done: Option<String>,
}

/// GET /pv/stations/{id}: the station with its income; for the township or county the forms to change it
/// and to enter a month's income.
pub async fn show(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Query(q): Query<ShowQuery>,
) -> Result<Response, AppError> {
    let sheet = pv::station(&state.db, &caller(&user), id).await?;
    Ok(station_page(
        &user,
        format!("/pv/stations/{id}"),
        fields_of(&sheet.station),
        Shown {
            done: q.done.is_some(),
            ..shown(Some(sheet))
        },
        StatusCode::OK,
    ))
}

/// Renders the station `id` again with an error of the form (`income`: the income form's).
async fn again(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
    f: Fields,
    e: shouwang_app::Error,
    income: bool,
) -> Response {
    let zh = user.i18n().lang == Lang::Zh;
    match pv::station(&state.db, &caller(user), id).await {
        Ok(sheet) => {
            let msg = Some(e.message(zh).to_owned());
            let v = if income { fields_of(&sheet.station) } else { f };
            station_page(
                user,
                format!("/pv/stations/{id}"),
                v,
                Shown {
                    error: if income { None } else { msg.clone() },
                    income_error: if income { msg } else { None },
                    ..shown(Some(sheet))
                },
                status_of(e.kind),
            )
        }
        Err(_) => AppError::from(e).into_response(),
    }
}

/// POST /pv/stations/{id}: the change (with `version`).
pub async fn change(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Form(raw): Form<Vec<(String, String)>>,
) -> Response {
    let f = Fields(raw);
    if let Err(e) = check_csrf(&user, &f.get("csrf")) {
        return e.into_response();
    }
    let s = match station_of(&f, &user) {
        Ok(s) => s,
        Err(e) => return e.into_response(),
    };
    let body = Versioned {
        version: f.get("version").parse().ok(),
        body: s,
    };
    match pv::update_station(&state.db, &caller(&user), id, body, shouwang_app::today()).await {
        Ok(()) => see_other(&format!("/pv/stations/{id}?done=1")),
        Err(e) => again(&state, &user, id, f, e, false).await,
    }
}

fn money(f: &Fields, name: &str) -> Result<Fen, AppError> {
    match f.get(name).trim() {
        "" => Ok(Fen(0)),
        s => Fen::parse_yuan(s)
            .map_err(|e| AppError::bad_request("bad_request", e.message_zh(), e.to_string())),
    }
}

fn month(f: &Fields) -> Result<YearMonth, AppError> {
    YearMonth::parse(&f.get("month"))
        .ok_or_else(|| bad("请填写月份（如2026-11）", "The month (YYYY-MM)"))
}

/// POST /pv/stations/{id}/income: `month`, `amount` (元), `note`, and `version` to correct a month entered.
pub async fn income(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Form(raw): Form<Vec<(String, String)>>,
) -> Response {
    let f = Fields(raw);
    if let Err(e) = check_csrf(&user, &f.get("csrf")) {
        return e.into_response();
    }
    let body = match (month(&f), money(&f, "amount")) {
        (Ok(month), Ok(amount)) => Income {
            month,
            amount,
            note: f.get("note"),
        },
        (Err(e), _) | (_, Err(e)) => return e.into_response(),
    };
    let change = Versioned {
        version: f.get("version").parse().ok(),
        body,
    };
    match pv::record_income(&state.db, &caller(&user), id, change, shouwang_app::today()).await {
        Ok(_) => see_other(&format!("/pv/stations/{id}?done=1")),
        Err(e) => again(&state, &user, id, f, e, true).await,
    }
}

#[derive(Template)]
#[template(path = "pv/distribute.html")]
struct DistributePage<'a> {
    i18n: I18n,
    user: &'a CurrentUser,
    path: String,
    v: Fields,
    error: Option<String>,
    correcting: bool,
}

impl DistributePage<'_> {
    fn get(&self, name: &str) -> String {
        self.v.get(name)
    }
}

fn distribute_page(
    user: &CurrentUser,
    v: Fields,
    error: Option<String>,
    status: StatusCode,
) -> Response {
    let correcting = !v.get("version").is_empty();
    render_status(
        &DistributePage {
            i18n: user.i18n(),
            user,
            path: "/pv/distribute".to_owned(),
            v,
            error,
            correcting,
        },
        status,
    )
}

#[derive(Deserialize, Default)]
pub struct DistributeQuery {
    village: Option<String>,
    month: Option<String>,
}

/// GET /pv/distribute?village=…&month=…: the form; for a village and month recorded already, filled with
/// that distribution to correct it.
pub async fn distribute_form(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<DistributeQuery>,
) -> Result<Response, AppError> {
    let village = crate::http::form::opt(&q.village, 20).unwrap_or_else(|| {
        let a = user.scope.area_prefix();
        if a.len() == 12 {
            a.to_owned()
        } else {
            String::new()
        }
    });
    let month = crate::http::form::opt(&q.month, 10)
        .and_then(|m| YearMonth::parse(&m))
        .unwrap_or_else(|| {
            let m = YearMonth::of(shouwang_app::today());
            YearMonth::new(m.year(), m.month().saturating_sub(1))
                .unwrap_or_else(|| YearMonth::new(m.year() - 1, 12).unwrap_or(m))
        });
    let mut v: Vec<(String, String)> = vec![
        ("village".into(), village.clone()),
        ("month".into(), month.to_string()),
    ];
    if !village.is_empty() {
        let b = pv::board(
            &state.db,
            &caller(&user),
            &BoardQuery {
                year: Some(month.year()),
                area: Some(village.clone()),
            },
            shouwang_app::today(),
        )
        .await?;
        if let Some(d) = b
            .distributions
            .iter()
            .find(|d| d.month == month && d.village == village)
        {
            v.extend(
                [
                    ("distributed", yuan(d.distributed)),
                    ("post_wages", yuan(d.uses.post_wages)),
                    ("public_works", yuan(d.uses.public_works)),
                    ("rewards", yuan(d.uses.rewards)),
                    ("other", yuan(d.uses.other)),
                    (
                        "posts",
                        d.posts
                            .iter()
                            .map(i64::to_string)
                            .collect::<Vec<_>>()
                            .join(" "),
                    ),
                    ("decision", d.decision.clone()),
                    ("decided_on", d.decided_on.to_string()),
                    ("note", d.note.clone()),
                    ("version", d.version.to_string()),
                ]
                .into_iter()
                .map(|(k, v)| (k.to_owned(), v)),
            );
        }
    }
    Ok(distribute_page(&user, Fields(v), None, StatusCode::OK))
}

fn distribution_of(f: &Fields) -> Result<Distribution, AppError> {
    let posts = f
        .get("posts")
        .split(|c: char| c.is_whitespace() || c == ',' || c == '，' || c == '、')
        .filter(|s| !s.is_empty())
        .map(|s| {
            s.parse::<i64>()
                .map_err(|_| bad("公益岗位编号应为数字", "Post numbers are numbers"))
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Distribution {
        village: f.get("village"),
        month: month(f)?,
        distributed: money(f, "distributed")?,
        uses: Uses {
            post_wages: money(f, "post_wages")?,
            public_works: money(f, "public_works")?,
            rewards: money(f, "rewards")?,
            other: money(f, "other")?,
        },
        posts,
        decision: f.get("decision"),
        decided_on: f
            .date("decided_on")
            .ok_or_else(|| bad("请填写决议日期", "The decision's date"))?,
        note: f.get("note"),
    })
}

/// POST /pv/distribute: the distribution (with `version` to correct one recorded).
pub async fn distribute(
    State(state): State<AppState>,
    user: CurrentUser,
    Form(raw): Form<Vec<(String, String)>>,
) -> Response {
    let f = Fields(raw);
    if let Err(e) = check_csrf(&user, &f.get("csrf")) {
        return e.into_response();
    }
    let zh = user.i18n().lang == Lang::Zh;
    let d = match distribution_of(&f) {
        Ok(d) => d,
        Err(e) => return e.into_response(),
    };
    let year = d.month.year();
    let body = Versioned {
        version: f.get("version").parse().ok(),
        body: d,
    };
    match pv::distribute(&state.db, &caller(&user), body, shouwang_app::today()).await {
        Ok(_) => see_other(&format!("/pv?year={year}&done=1")),
        Err(e) => distribute_page(&user, f, Some(e.message(zh).to_owned()), status_of(e.kind)),
    }
}
