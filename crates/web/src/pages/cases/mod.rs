//! The lifecycle pages (监测帮扶): every form sends a [`Command`] through the store's command layer
//! (`shouwang_app::lifecycle::execute`), the same the JSON API and the CLI use, so the rules, the
//! server-side facts, the version check and the audit row are the store's and the core's, not the page's.
//!
//! - `GET /clues/new?channel=…&household=…`, `POST /clues` — 登记线索 for 农户申请, 信访舆情 and 干部排查
//!   (部门筛查 clues come from the department upload);
//! - `POST /households/{n}/case/start` — 启动识别;
//! - `POST /households/{n}/case/review` — 乡镇审核, 县级审定 (with 监测对象类别 and 风险类型), 纳入监测;
//! - `GET|POST /households/{n}/case/cadre` — 确定帮扶责任人;
//! - `GET|POST /households/{n}/case/plan` — 制定帮扶措施 with the decision table's recommendations;
//! - `GET|POST /households/{n}/case/follow-up` — 逐月跟踪监测, one phone screen per household and month;
//! - `GET /households/{n}/notice` — the printable 退出告知书.
//!
//! A refused command (role, area, order, bad input, stale version) shows the error page with the
//! reason in the page language; nothing is written.

pub mod steps;

use askama::Template;
use axum::Form;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::response::IntoResponse;
use axum::response::Response;
use axum::routing::{get, post};
use chrono::NaiveDate;
use serde::Deserialize;
use shouwang_app::Caller;
use shouwang_app::lifecycle::{self, Request};
use shouwang_core::CodeList;
use shouwang_core::access::Role;
use shouwang_core::codes::{CodeOverrides, MeasureClass, MonitoredType, RiskType};
use shouwang_core::money::Fen;
use shouwang_core::monitoring::clue::ApplicationMeans;
use shouwang_core::monitoring::identification::Outcome;
use shouwang_core::monitoring::{
    CadreLevel, Channel, Command, Decision, FollowUp, IdentAction, IdentStep, MeasurePlan, Report,
    Source, YearMonth,
};
use shouwang_store::repo;
use shouwang_store::repo::cases::CaseRecord;

use crate::AppState;
use crate::auth::{CurrentUser, check_csrf};
use crate::http::error::AppError;
use crate::http::form::{clean, encode};
use crate::http::i18n::I18n;
use crate::http::render::{render, see_other};

mod cadre;
mod clues;
mod follow_up;
mod notice;
mod plan;
mod review;

pub use cadre::*;
pub use clues::*;
pub use follow_up::*;
pub use notice::*;
pub use plan::*;
pub use review::*;

/// The routes of this module.
pub fn routes() -> Router<AppState> {
    Router::new()
        .merge(steps::routes())
        .route("/clues/new", get(clue_form))
        .route("/clues", post(clue_submit))
        .route("/households/{number}/case/start", post(start))
        .route("/households/{number}/case/review", post(review))
        .route(
            "/households/{number}/case/cadre",
            get(cadre_form).post(cadre_submit),
        )
        .route(
            "/households/{number}/case/plan",
            get(plan_form).post(plan_submit),
        )
        .route(
            "/households/{number}/case/follow-up",
            get(follow_up_form).post(follow_up_submit),
        )
        .route("/households/{number}/notice", get(notice))
}

/// Form fields as pairs (check boxes repeat a name).
pub(crate) struct Fields(pub(crate) Vec<(String, String)>);

impl Fields {
    pub(crate) fn get(&self, name: &str) -> String {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| clean(v, 500))
            .unwrap_or_default()
    }
    pub(crate) fn all(&self, name: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| clean(v, 64))
            .collect()
    }
    pub(crate) fn date(&self, name: &str) -> Option<NaiveDate> {
        NaiveDate::parse_from_str(&self.get(name), "%Y-%m-%d").ok()
    }
    pub(crate) fn yes(&self, name: &str) -> bool {
        self.get(name) == "1"
    }
    /// The numbers `N` of the fields named `{prefix}N` (a register's form: one field set per member of
    /// the labour force, by place in the household), sorted, once each.
    pub(crate) fn indices(&self, prefix: &str) -> Vec<usize> {
        let mut out: Vec<usize> = self
            .0
            .iter()
            .filter_map(|(k, _)| k.strip_prefix(prefix)?.parse().ok())
            .collect();
        out.sort_unstable();
        out.dedup();
        out
    }
}

pub(crate) fn caller(user: &CurrentUser) -> Caller {
    Caller {
        user_id: user.user_id,
        name: user.display_name.clone(),
        scope: user.scope.clone(),
    }
}

fn bad(zh: &str, en: &str) -> AppError {
    AppError::bad_request("bad_request", zh.to_string(), en.to_string())
}

fn household_path(number: &str) -> String {
    format!("/households/{}", encode(number))
}

/// Runs a command and sends the user back to the household page.
async fn run(
    state: &AppState,
    user: &CurrentUser,
    number: &str,
    version: Option<i64>,
    on: Option<NaiveDate>,
    command: Command,
) -> Response {
    let req = Request {
        household: number.to_string(),
        version,
        on,
        command,
    };
    match lifecycle::execute(&state.db, &caller(user), req).await {
        Ok(_) => see_other(&format!("{}?done=1", household_path(number))),
        Err(e) => AppError::from(e).into_response(),
    }
}

/// The household's current case in the user's area (404 otherwise).
async fn case_of(
    state: &AppState,
    user: &CurrentUser,
    number: &str,
) -> Result<CaseRecord, AppError> {
    repo::cases::get(&state.db, &user.scope, number)
        .await?
        .ok_or(AppError::not_found())
}

fn version_of(f: &Fields) -> Option<i64> {
    f.get("version").parse().ok()
}

pub struct Choice {
    pub value: String,
    pub label: String,
    pub checked: bool,
}

/// The choices of a code list for a form: the county's labels (本县显示名称), without the codes the county
/// disabled (停用) unless one is `checked` (an existing value stays shown).
pub fn choices<C: CodeList + PartialEq>(
    i18n: I18n,
    codes: &CodeOverrides,
    checked: &[C],
) -> Vec<Choice> {
    codes
        .choices(checked)
        .iter()
        .map(|c| Choice {
            value: c.code().to_string(),
            label: code_label(i18n, codes, c),
            checked: checked.iter().any(|x| x.code() == c.code()),
        })
        .collect()
}

/// A code's label in the page language, the county's where it set one.
pub fn code_label<C: CodeList>(i18n: I18n, codes: &CodeOverrides, c: &C) -> String {
    i18n.lang
        .pick(
            codes.label(c, shouwang_core::codes::Lang::Zh),
            codes.label(c, shouwang_core::codes::Lang::En),
        )
        .to_string()
}

fn risks_of(f: &Fields) -> Vec<RiskType> {
    f.all("risk")
        .iter()
        .filter_map(|c| RiskType::from_code(c))
        .collect()
}
