//! Two boards of the lifecycle:
//!
//! - `GET /publicity` — the printable 公示 list (村内公示, §三(一)1 "按规定程序"): households of the
//!   user's area whose identification is in its public-notice period, with the place and the closing
//!   date of the notice and the risk types, as a sheet to post;
//! - `GET /exits` — the quarterly exit board (退出看板, §三(一)3): running exits by their next step
//!   (预判提名 → 预判会议决定 → 入户核查 → 民主评议 → 退出告知), and the households whose risk was eliminated
//!   or whose exit was deferred (缓退) this quarter, with links to their printable notices.

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::response::IntoResponse;
use axum::response::Response;
use axum::routing::get;
use shouwang_core::CodeList;
use shouwang_core::monitoring::identification::IdentEvidence;
use shouwang_core::monitoring::{ExitStep, IdentStep, Lifecycle, Quarter};
use shouwang_store::repo;
use shouwang_store::repo::cases::{CaseQuery, CaseRow};

use crate::AppState;
use crate::auth::CurrentUser;
use crate::http::error::AppError;
use crate::http::i18n::I18n;
use crate::http::render::render;
use crate::pages::regions::region_names;

/// The routes of this module.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/publicity", get(publicity))
        .route("/exits", get(exits))
}

/// Every case of the user's area in `lifecycle` (all pages).
async fn all(
    state: &AppState,
    user: &CurrentUser,
    lifecycle: Lifecycle,
) -> Result<Vec<CaseRow>, AppError> {
    let mut out = Vec::new();
    let mut page = 1;
    loop {
        let q = CaseQuery {
            lifecycle: Some(lifecycle),
            ..Default::default()
        };
        let p = repo::cases::list(&state.db, &user.scope, &q, page, 500).await?;
        let n = p.items.len();
        out.extend(p.items);
        if n < 500 {
            return Ok(out);
        }
        page += 1;
    }
}

pub struct PublicityRow {
    pub number: String,
    pub head: String,
    pub village: String,
    pub size: u32,
    pub risks: String,
    pub place: String,
    pub closes_on: String,
}

#[derive(Template)]
#[template(path = "boards/publicity.html")]
struct PublicityPage<'a> {
    i18n: I18n,
    user: &'a CurrentUser,
    rows: Vec<PublicityRow>,
    /// Villages of the rows (and the user's own): (code, name), for the 民主评议结果公示 documents.
    villages: Vec<(String, String)>,
    today: String,
    path: &'static str,
}

/// GET /publicity
pub async fn publicity(State(state): State<AppState>, user: CurrentUser) -> Response {
    match build_publicity(&state, &user).await {
        Ok(r) => r,
        Err(e) => e.into_response(),
    }
}

async fn build_publicity(state: &AppState, user: &CurrentUser) -> Result<Response, AppError> {
    let i18n = user.i18n();
    let names = region_names(&state.db, user.scope.area_prefix()).await?;
    let mut rows = Vec::new();
    let mut villages: Vec<(String, String)> = Vec::new();
    let own = user.scope.area_prefix();
    if own.len() == 12 {
        villages.push((own.to_owned(), names.get(own).cloned().unwrap_or_default()));
    }
    for r in all(state, user, Lifecycle::Identifying).await? {
        if r.ident_next_step != Some(IdentStep::NoticeClosed) {
            continue;
        }
        let Some(rec) = repo::cases::get(&state.db, &user.scope, &r.household_number).await? else {
            continue;
        };
        let Some(ident) = rec.case.identification.as_ref() else {
            continue;
        };
        let (place, closes_on) = ident
            .steps
            .iter()
            .rev()
            .find_map(|s| match &s.evidence {
                IdentEvidence::Notice { place, closes_on } => {
                    Some((place.clone(), closes_on.to_string()))
                }
                _ => None,
            })
            .unwrap_or_default();
        let detail =
            shouwang_app::households::show(&state.db, &user.caller(), &r.household_number, false)
                .await?;
        let (head, size) = detail
            .map(|d| {
                (
                    d.household
                        .head()
                        .map(|m| m.name.clone())
                        .unwrap_or_default(),
                    d.household.size() as u32,
                )
            })
            .unwrap_or_default();
        if !villages.iter().any(|(c, _)| c == &r.village_code) {
            villages.push((
                r.village_code.clone(),
                names.get(&r.village_code).cloned().unwrap_or_default(),
            ));
        }
        rows.push(PublicityRow {
            village: names
                .get(&r.village_code)
                .cloned()
                .unwrap_or_else(|| r.village_code.clone()),
            number: r.household_number,
            head,
            size,
            risks: ident
                .clue_risks
                .iter()
                .map(|k| i18n.label(k))
                .collect::<Vec<_>>()
                .join("、"),
            place,
            closes_on,
        });
    }
    Ok(render(&PublicityPage {
        i18n,
        user,
        rows,
        villages,
        today: shouwang_app::today().to_string(),
        path: "/publicity",
    }))
}

pub struct ExitColumn {
    pub step: &'static str,
    pub rows: Vec<ExitRow>,
}

pub struct ExitRow {
    pub number: String,
    pub village: String,
    pub date: String,
    pub notice: bool,
}

#[derive(Template)]
#[template(path = "boards/exits.html")]
struct ExitsPage<'a> {
    i18n: I18n,
    user: &'a CurrentUser,
    quarter: String,
    /// `2022Q3`, for the quarter's notices in one file.
    quarter_code: String,
    columns: Vec<ExitColumn>,
    eliminated: Vec<ExitRow>,
    deferred: Vec<ExitRow>,
    path: &'static str,
}

/// GET /exits
pub async fn exits(State(state): State<AppState>, user: CurrentUser) -> Response {
    match build_exits(&state, &user).await {
        Ok(r) => r,
        Err(e) => e.into_response(),
    }
}

async fn build_exits(state: &AppState, user: &CurrentUser) -> Result<Response, AppError> {
    let i18n = user.i18n();
    let names = region_names(&state.db, user.scope.area_prefix()).await?;
    let village = |c: &str| names.get(c).cloned().unwrap_or_else(|| c.to_string());
    let today = shouwang_app::today();
    let quarter = Quarter::of(today);
    let mut columns: Vec<ExitColumn> = ExitStep::all()
        .iter()
        .map(|s| ExitColumn {
            step: i18n.label(s),
            rows: Vec::new(),
        })
        .collect();
    for l in [
        Lifecycle::Monitored,
        Lifecycle::Deferred,
        Lifecycle::Eliminated,
    ] {
        for r in all(state, user, l).await? {
            if let Some(step) = r.exit_next_step
                && let Some(col) = columns.get_mut(step.index())
            {
                col.rows.push(ExitRow {
                    village: village(&r.village_code),
                    number: r.household_number.clone(),
                    date: r.monitored_since.map(|d| d.to_string()).unwrap_or_default(),
                    notice: false,
                });
            }
        }
    }
    let in_quarter = |d: Option<chrono::NaiveDate>| {
        d.is_some_and(|d| d >= quarter.first_day() && d <= quarter.last_day())
    };
    let eliminated = all(state, user, Lifecycle::Eliminated)
        .await?
        .into_iter()
        .filter(|r| in_quarter(r.eliminated_on))
        .map(|r| ExitRow {
            village: village(&r.village_code),
            date: r.eliminated_on.map(|d| d.to_string()).unwrap_or_default(),
            notice: r.exit_next_step.is_none(),
            number: r.household_number,
        })
        .collect();
    let deferred = all(state, user, Lifecycle::Deferred)
        .await?
        .into_iter()
        .map(|r| ExitRow {
            village: village(&r.village_code),
            date: r.monitored_since.map(|d| d.to_string()).unwrap_or_default(),
            notice: false,
            number: r.household_number,
        })
        .collect();
    Ok(render(&ExitsPage {
        i18n,
        user,
        quarter_code: format!("{}Q{}", quarter.year, quarter.q),
        quarter: match user.lang {
            crate::http::i18n::Lang::Zh => quarter.label_zh(),
            crate::http::i18n::Lang::En => quarter.first_day().format("%Y-%m").to_string(),
        },
        columns,
        eliminated,
        deferred,
        path: "/exits",
    }))
}
