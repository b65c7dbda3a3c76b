//! 干部排查 (§三(一)1 二是: "每季度集中开展一次…逐村逐户对标排查，做到排查农户全覆盖…健全排查台账"):
//!
//! - `GET /screening/cadre?village=…` — one village's round on one page: the batch label, the date and
//!   the screeners, then every household of the village with 未发现风险 or the risk found and a note, one
//!   row per household (a card on a phone); below, the rounds already recorded in the village (排查台账);
//! - `POST /screening/cadre` — records the round through `shouwang_app::screening::cadre::record`: a
//!   干部排查 clue for each household at risk and the round itself, in one transaction. A refusal (a
//!   household missing because one was registered meanwhile, a repeated batch, a date after today)
//!   shows the form again with the reason and what was typed.
//!
//! For the roles that may record 干部排查 (`Channel::CadreScreening.roles()`: 村级工作队, 帮扶责任人,
//! 乡镇管理员); a township user picks the village first.

use askama::Template;
use axum::extract::{DefaultBodyLimit, Query, State};
use axum::response::IntoResponse;
use axum::response::Response;
use axum::routing::get;
use axum::{Form, Router};
use chrono::NaiveDate;
use serde::Deserialize;
use shouwang_app::screening::cadre as screening_round;
use shouwang_core::CodeList;
use shouwang_core::codes::{RegionLevel, RiskType};
use shouwang_core::monitoring::{RoundEntry, ScreeningRound};
use shouwang_store::StoreError;
use shouwang_store::repo::MAX_PER_PAGE;
use shouwang_store::repo::households::{HouseholdQuery, HouseholdRow};
use shouwang_store::repo::registry::RegistryQuery;

use crate::AppState;
use crate::auth::{CurrentUser, check_csrf};
use crate::http::error::AppError;
use crate::http::form::{clean, encode};
use crate::http::i18n::{I18n, Lang};
use crate::http::render::{render, see_other};
use crate::pages::cases::{Fields, caller};
use crate::pages::regions::{RegionOption, region_options};

/// The routes of this module.
pub fn routes() -> Router<AppState> {
    Router::new().route(
        "/screening/cadre",
        get(form)
            .post(submit)
            .layer(DefaultBodyLimit::max(crate::http::limits::LARGE_FORM_BODY)),
    )
}

#[derive(Deserialize, Default)]
pub struct RoundQuery {
    village: Option<String>,
    /// After a recorded round: its summary, `households,flagged,new_cases,new_clues,merged`.
    done: Option<String>,
}

/// One household row of the form.
pub struct Row {
    pub number: String,
    pub head: String,
    pub size: u32,
    pub kind: &'static str,
    /// The risk chosen ("" = 未发现风险).
    pub risk: String,
    pub note: String,
}

/// A recorded round (排查台账).
pub struct Recorded {
    pub label: String,
    pub held_on: String,
    pub screeners: String,
    pub households: usize,
    pub flagged: Vec<String>,
    pub recorded_by: String,
}

#[derive(Template)]
#[template(path = "screening/cadre.html")]
struct RoundPage<'a> {
    i18n: I18n,
    user: &'a CurrentUser,
    villages: Vec<RegionOption>,
    /// Whether the user picks the village (a township or wider area).
    pick: bool,
    village: String,
    village_name: String,
    label: String,
    held_on: String,
    screeners: String,
    rows: Vec<Row>,
    /// Risk choices: the county's labels, without the codes it disabled (停用).
    risks: Vec<(&'static str, String)>,
    error: String,
    done: String,
    recorded: Vec<Recorded>,
    today: String,
    path: String,
}

/// Every household of the village, in 户编号 order.
async fn village_rows(
    state: &AppState,
    user: &CurrentUser,
    village: &str,
) -> Result<Vec<HouseholdRow>, AppError> {
    let q = RegistryQuery {
        base: HouseholdQuery {
            village: Some(village.to_owned()),
            ..HouseholdQuery::default()
        },
        lifecycle: None,
        risk: None,
    };
    let mut out = Vec::new();
    let mut page = 1;
    loop {
        let p = shouwang_app::households::search(&state.db, &user.caller(), &q, page, MAX_PER_PAGE)
            .await?;
        let n = p.items.len();
        out.extend(p.items);
        if n == 0 || out.len() as u64 >= p.total {
            break;
        }
        page += 1;
    }
    out.retain(|h| h.village_code == village);
    out.sort_by(|a, b| a.number.cmp(&b.number));
    Ok(out)
}

/// What the user typed, to show again after a refusal.
struct Typed {
    label: String,
    held_on: String,
    screeners: String,
    fields: Fields,
    error: String,
}

async fn show(
    state: &AppState,
    user: &CurrentUser,
    village: Option<String>,
    done: Option<String>,
    typed: Option<Typed>,
) -> Result<Response, AppError> {
    if !user.may_cadre_screening() {
        return Err(AppError::forbidden());
    }
    let i18n = user.i18n();
    let area = user.scope.area_prefix().trim().to_owned();
    let villages: Vec<RegionOption> = region_options(&state.db, &area)
        .await?
        .into_iter()
        .filter(|r| r.level == RegionLevel::Village && r.code.len() == 12)
        .collect();
    let village = match village.map(|v| clean(&v, 12)).filter(|v| !v.is_empty()) {
        Some(v) if user.scope.covers(&v) && v.len() == 12 => v,
        Some(_) => return Err(AppError::not_found()),
        None if area.len() == 12 => area.clone(),
        None if villages.len() == 1 => villages[0].code.clone(),
        None => String::new(),
    };
    let today = shouwang_app::today();
    let village_name = villages
        .iter()
        .find(|r| r.code == village)
        .map(|r| r.label.trim().to_owned())
        .unwrap_or_default();
    let mut rows = Vec::new();
    let mut recorded = Vec::new();
    if !village.is_empty() {
        for h in village_rows(state, user, &village).await? {
            let (risk, note) = match &typed {
                Some(t) => (
                    t.fields.get(&format!("risk_{}", h.number)),
                    t.fields.get(&format!("note_{}", h.number)),
                ),
                None => (String::new(), String::new()),
            };
            rows.push(Row {
                kind: i18n.label(&h.household_type),
                number: h.number,
                head: h.head_name,
                size: h.size,
                risk,
                note,
            });
        }
        for r in screening_round::list(
            &state.db,
            &user.scope,
            Some(&village),
            NaiveDate::MIN,
            today,
        )
        .await?
        {
            recorded.push(Recorded {
                households: r.round.entries.len(),
                flagged: r.round.flagged().map(|e| e.household.clone()).collect(),
                label: r.round.label,
                held_on: r.round.held_on.to_string(),
                screeners: r.round.screeners,
                recorded_by: r.recorded_by,
            });
        }
    }
    let (label, held_on, screeners, error) = match typed {
        Some(t) => (t.label, t.held_on, t.screeners, t.error),
        None => (
            ScreeningRound::default_label(today),
            today.to_string(),
            user.display_name.clone(),
            String::new(),
        ),
    };
    let codes = crate::pages::admin::codes::county_codes(state, user).await?;
    let done = done
        .map(|d| summary_text(&d, user.lang))
        .unwrap_or_default();
    Ok(render(&RoundPage {
        i18n,
        user,
        path: format!("/screening/cadre?village={}", encode(&village)),
        pick: area.len() < 12,
        villages,
        village,
        village_name,
        label,
        held_on,
        screeners,
        rows,
        risks: codes
            .choices::<RiskType>(&[])
            .iter()
            .map(|r| (r.code(), crate::pages::cases::code_label(i18n, &codes, r)))
            .collect(),
        error,
        done,
        recorded,
        today: today.to_string(),
    }))
}

/// The confirmation line from the `done` parameter.
fn summary_text(done: &str, lang: Lang) -> String {
    let n: Vec<u64> = done.split(',').filter_map(|x| x.parse().ok()).collect();
    let [households, flagged, new_cases, new_clues, merged] = n[..] else {
        return String::new();
    };
    match lang {
        Lang::Zh => format!(
            "已登记本次排查：排查 {households} 户，发现风险 {flagged} 户；新建线索 {new_cases} 户，在监测档案中新增线索 {new_clues} 条，归并 {merged} 条。"
        ),
        Lang::En => format!(
            "Round recorded: {households} households screened, {flagged} at risk; {new_cases} new clues, {new_clues} clues added to open cases, {merged} merged."
        ),
    }
}

/// GET /screening/cadre
pub async fn form(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<RoundQuery>,
) -> Response {
    match show(&state, &user, q.village, q.done, None).await {
        Ok(r) => r,
        Err(e) => e.into_response(),
    }
}

/// POST /screening/cadre
pub async fn submit(
    State(state): State<AppState>,
    user: CurrentUser,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    let f = Fields(pairs);
    if let Err(e) = check_csrf(&user, &f.get("csrf")) {
        return e.into_response();
    }
    let village = f.get("village");
    let label = f.get("label");
    let screeners = f.get("screeners");
    let held_on_text = f.get("held_on");
    let refuse = |zh: &str, en: &str| user.lang.pick(zh, en).to_owned();
    let result: Result<std::convert::Infallible, String> =
        match NaiveDate::parse_from_str(&held_on_text, "%Y-%m-%d") {
            Err(_) => Err(refuse("请填写排查日期", "The date is required")),
            Ok(held_on) => {
                // One pass over the form: each household's risk and note by name (a form of thousands of
                // households stays linear; issue 20).
                let by_name: std::collections::HashMap<&str, &str> =
                    f.0.iter()
                        .rev()
                        .map(|(k, v)| (k.as_str(), v.as_str()))
                        .collect();
                let field = |name: String| {
                    by_name
                        .get(name.as_str())
                        .map(|v| clean(v, 500))
                        .unwrap_or_default()
                };
                let mut entries = Vec::new();
                let mut bad_risk = None;
                for number in f.all("hh") {
                    let risk = field(format!("risk_{number}"));
                    let risks = if risk.is_empty() {
                        Vec::new()
                    } else {
                        match RiskType::from_code(&risk) {
                            Some(r) => vec![r],
                            None => {
                                bad_risk = Some(number.clone());
                                Vec::new()
                            }
                        }
                    };
                    entries.push(RoundEntry {
                        note: field(format!("note_{number}")),
                        household: number,
                        risks,
                    });
                }
                match bad_risk {
                    Some(n) => Err(match user.lang {
                        Lang::Zh => format!("户编号 {n} 的风险类型无效"),
                        Lang::En => format!("Household {n}: unknown risk type"),
                    }),
                    None => {
                        let round = ScreeningRound {
                            village: village.clone(),
                            label: label.clone(),
                            held_on,
                            screeners: screeners.clone(),
                            entries,
                        };
                        match screening_round::record(
                            &state.db,
                            &caller(&user),
                            &round,
                            shouwang_app::today(),
                        )
                        .await
                        {
                            Ok(s) => {
                                return see_other(&format!(
                                    "/screening/cadre?village={}&done={},{},{},{},{}",
                                    encode(&village),
                                    s.households,
                                    s.flagged,
                                    s.new_cases,
                                    s.new_clues,
                                    s.merged
                                ));
                            }
                            Err(StoreError::Refused(r)) if !r.is_forbidden() => {
                                Err(user.lang.pick(&r.message_zh, &r.message_en).to_owned())
                            }
                            Err(e) => return AppError::from(e).into_response(),
                        }
                    }
                }
            }
        };
    let Err(error) = result;
    let typed = Typed {
        label,
        held_on: held_on_text,
        screeners,
        fields: f,
        error,
    };
    match show(&state, &user, Some(village), None, Some(typed)).await {
        Ok(r) => r,
        Err(e) => e.into_response(),
    }
}
