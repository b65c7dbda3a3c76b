//! 数据质量检查 and 重复数据核查 pages (issue 6, parts 2 and 3):
//!
//! - `GET /quality` — the data-quality run over the user's area (`repo::quality`): counts per check code,
//!   the households with findings filtered by code and village (at most [`MAX_ROWS`] shown), and a link to
//!   the XLSX workbook;
//! - `GET /quality/export.xlsx` — 数据质量问题清单 with the same filters (ID numbers masked unless the role
//!   may see them);
//! - `GET /quality/duplicates` — the duplicate candidates of the area (`repo::duplicates::list`), with a
//!   merge form per candidate for township and county admins;
//! - `POST /quality/duplicates/merge` and `POST /quality/duplicates/remove-member` — the confirmed merges
//!   (CSRF token, an explicit confirmation box, the versions the admin saw).
//!
//! Open to county and township admins and village teams (each scoped to their area in SQL); merging to the
//! admins only (the store refuses anyone else).

use askama::Template;
use axum::Form;
use axum::Router;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use shouwang_core::duplicates::DuplicateKind;
use shouwang_core::quality::CHECKS;
use shouwang_core::{CodeList, IdNumber, Role};
use shouwang_store::repo;

use crate::AppState;
use crate::auth::{CurrentUser, check_csrf};
use crate::http::download::attachment;
use crate::http::error::AppError;
use crate::http::form::{encode, opt};
use crate::http::i18n::{I18n, Lang};
use crate::http::render::{render, see_other};
use crate::pages::regions::region_options;

/// Households listed on the page at most (the workbook has them all).
pub const MAX_ROWS: usize = 500;

/// The routes of this module.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/quality", get(show))
        .route("/quality/export.xlsx", get(export))
        .route("/quality/duplicates", get(duplicates))
        .route("/quality/duplicates/merge", post(merge))
        .route("/quality/duplicates/remove-member", post(remove_member))
}

#[derive(Deserialize, Default, Clone)]
pub struct QualityQuery {
    #[serde(default)]
    pub code: Option<String>,
    #[serde(default)]
    pub village: Option<String>,
}

impl QualityQuery {
    pub fn code_v(&self) -> &str {
        self.code.as_deref().unwrap_or("")
    }
    pub fn village_v(&self) -> &str {
        self.village.as_deref().unwrap_or("")
    }
    fn query_string(&self) -> String {
        [("code", self.code_v()), ("village", self.village_v())]
            .iter()
            .filter(|(_, v)| !v.is_empty())
            .map(|(k, v)| format!("{k}={}", encode(v)))
            .collect::<Vec<_>>()
            .join("&")
    }
}

pub struct CodeView {
    pub code: &'static str,
    pub severity: &'static str,
    pub title: &'static str,
    pub households: u64,
    pub findings: u64,
}

pub struct FindingView {
    pub code: &'static str,
    pub severity: &'static str,
    pub member: String,
    pub message: String,
}

pub struct HouseholdView {
    pub number: String,
    pub village: String,
    pub head: String,
    pub findings: Vec<FindingView>,
}

pub struct Choice {
    pub value: String,
    pub label: String,
}

#[derive(Template)]
#[template(path = "quality/findings.html")]
struct QualityPage<'a> {
    i18n: I18n,
    user: &'a CurrentUser,
    lang: Lang,
    as_of: String,
    checked: u64,
    with_findings: u64,
    codes: Vec<CodeView>,
    villages: Vec<Choice>,
    rows: Vec<HouseholdView>,
    shown_total: usize,
    max_rows: usize,
    q: QualityQuery,
    export_query: String,
    path: &'static str,
}

impl QualityPage<'_> {
    fn tr(&self, zh: &'static str, en: &'static str) -> &'static str {
        self.lang.pick(zh, en)
    }
}

fn show_id(user: &CurrentUser, id: Option<IdNumber>) -> String {
    id.map(|id| user.scope.show_id(id)).unwrap_or_default()
}

/// The code filter if it names a check.
fn code_filter(q: &QualityQuery) -> Option<&'static str> {
    let c = opt(&q.code, 8)?;
    CHECKS.iter().find(|x| x.code == c).map(|x| x.code)
}

/// GET /quality
pub async fn show(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<QualityQuery>,
) -> Response {
    let lang = user.lang;
    if !shouwang_app::quality::may_see(user.scope.role) {
        return AppError::forbidden().into_response();
    }
    let as_of = shouwang_app::today();
    let village = opt(&q.village, 20);
    let code = code_filter(&q);
    let result = shouwang_app::quality::findings(
        &state.db,
        &user.actor(),
        Some(&user.scope),
        village.as_deref(),
        as_of,
        code,
    )
    .await;
    let (summary, households) = match result {
        Ok(x) => x,
        Err(e) => return AppError::from(e).into_response(),
    };
    let villages = match region_options(&state.db, user.scope.area_prefix()).await {
        Ok(v) => v,
        Err(e) => return e.into_response(),
    };
    let codes = summary
        .all_codes()
        .into_iter()
        .map(|(info, c)| CodeView {
            code: info.code,
            severity: lang.pick(info.severity.label_zh(), info.severity.label_en()),
            title: lang.pick(info.title_zh, info.title_en),
            households: c.households,
            findings: c.findings,
        })
        .collect();
    let shown_total = households.len();
    let rows = households
        .into_iter()
        .take(MAX_ROWS)
        .map(|h| HouseholdView {
            village: if h.village_name.is_empty() {
                h.village_code.clone()
            } else {
                h.village_name.clone()
            },
            number: h.number,
            head: h.head_name,
            findings: h
                .findings
                .into_iter()
                .filter(|f| code.is_none_or(|c| f.finding.code == c))
                .map(|f| FindingView {
                    code: f.finding.code,
                    severity: lang
                        .pick(f.finding.severity.label_zh(), f.finding.severity.label_en()),
                    member: match (&f.member_name, f.finding.member) {
                        (Some(n), id) => format!("{n} {}", show_id(&user, id)),
                        (None, id) => show_id(&user, id),
                    },
                    message: lang
                        .pick(&f.finding.message_zh, &f.finding.message_en)
                        .to_owned(),
                })
                .collect(),
        })
        .collect();
    let villages = villages
        .into_iter()
        .map(|v| Choice {
            value: v.code.clone(),
            label: v.label.clone(),
        })
        .collect();
    render(&QualityPage {
        i18n: user.i18n(),
        user: &user,
        lang,
        as_of: as_of.to_string(),
        checked: summary.households_checked,
        with_findings: summary.households_with_findings,
        codes,
        villages,
        rows,
        shown_total,
        max_rows: MAX_ROWS,
        export_query: q.query_string(),
        q,
        path: "/quality",
    })
}

/// GET /quality/export.xlsx
pub async fn export(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<QualityQuery>,
) -> Response {
    if !shouwang_app::quality::may_see(user.scope.role) {
        return AppError::forbidden().into_response();
    }
    let village = opt(&q.village, 20);
    let code = code_filter(&q);
    match shouwang_app::quality::export(
        &state.db,
        &user.actor(),
        Some(&user.scope),
        village.as_deref(),
        code,
        shouwang_app::today(),
    )
    .await
    {
        Ok(out) => attachment(
            "数据质量问题清单.xlsx",
            Some("quality.xlsx"),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            out.bytes,
        ),
        Err(e) => AppError::from(e).into_response(),
    }
}

pub struct MemberView {
    pub household: String,
    pub name: String,
    pub id_shown: String,
    pub id_full: String,
}

pub struct CandidateView {
    pub kind: &'static str,
    pub kind_label: &'static str,
    pub a: String,
    pub a_village: String,
    pub version_a: i64,
    pub b: String,
    pub b_village: String,
    pub version_b: i64,
    pub same_county: bool,
    pub household_merge: bool,
    pub members: Vec<MemberView>,
    pub reason: String,
}

#[derive(Template)]
#[template(path = "quality/duplicates.html")]
struct DuplicatesPage<'a> {
    i18n: I18n,
    user: &'a CurrentUser,
    lang: Lang,
    may_merge: bool,
    counts: Vec<(&'static str, &'static str, usize)>,
    rows: Vec<CandidateView>,
    done: String,
    path: &'static str,
}

impl DuplicatesPage<'_> {
    fn tr(&self, zh: &'static str, en: &'static str) -> &'static str {
        self.lang.pick(zh, en)
    }
}

#[derive(Deserialize, Default)]
pub struct DoneQuery {
    #[serde(default)]
    done: Option<String>,
}

fn may_merge(user: &CurrentUser) -> bool {
    matches!(user.scope.role, Role::CountyAdmin | Role::TownshipAdmin)
}

/// GET /quality/duplicates
pub async fn duplicates(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(d): Query<DoneQuery>,
) -> Response {
    let lang = user.lang;
    if !shouwang_app::quality::may_see(user.scope.role) {
        return AppError::forbidden().into_response();
    }
    let rows = match shouwang_app::quality::duplicate_candidates(
        &state.db,
        &user.actor(),
        Some(&user.scope),
        None,
    )
    .await
    {
        Ok(r) => r,
        Err(e) => return AppError::from(e).into_response(),
    };
    let names = crate::pages::regions::region_names(&state.db, user.scope.area_prefix())
        .await
        .unwrap_or_default();
    let name = |code: &str| names.get(code).cloned().unwrap_or_else(|| code.to_owned());
    let counts = DuplicateKind::ALL
        .iter()
        .map(|k| {
            (
                k.code(),
                lang.pick(k.label_zh(), k.label_en()),
                rows.iter().filter(|r| r.candidate.kind == *k).count(),
            )
        })
        .collect();
    let full = user.scope.may_view_full_id();
    let rows = rows
        .into_iter()
        .map(|r| {
            let c = r.candidate;
            CandidateView {
                kind: c.kind.code(),
                kind_label: lang.pick(c.kind.label_zh(), c.kind.label_en()),
                same_county: c.a.county == c.b.county,
                household_merge: c.kind == DuplicateKind::SameHousehold,
                a_village: name(&c.a.village),
                b_village: name(&c.b.village),
                a: c.a.number,
                b: c.b.number,
                version_a: r.version_a,
                version_b: r.version_b,
                members: c
                    .members
                    .iter()
                    .map(|m| MemberView {
                        household: m.household.number.clone(),
                        name: m.name.clone(),
                        id_shown: user.scope.show_id(m.id_number),
                        id_full: if full {
                            m.id_number.to_string()
                        } else {
                            String::new()
                        },
                    })
                    .collect(),
                reason: lang.pick(&c.reason_zh, &c.reason_en).to_owned(),
            }
        })
        .collect();
    render(&DuplicatesPage {
        i18n: user.i18n(),
        user: &user,
        lang,
        may_merge: may_merge(&user),
        counts,
        rows,
        done: opt(&d.done, 16).unwrap_or_default(),
        path: "/quality/duplicates",
    })
}

#[derive(Deserialize)]
pub struct MergeForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    keep: String,
    #[serde(default)]
    keep_version: String,
    #[serde(default)]
    drop: String,
    #[serde(default)]
    drop_version: String,
    #[serde(default)]
    confirm: String,
}

fn not_confirmed() -> AppError {
    AppError::bad_request(
        "bad_request",
        "请勾选“我已核实”以确认合并".to_owned(),
        "Tick the confirmation box to merge".to_owned(),
    )
}

fn version(s: &str) -> Result<i64, AppError> {
    s.trim().parse().map_err(|_| {
        AppError::bad_request(
            "bad_request",
            "版本号无效".to_owned(),
            "invalid version".to_owned(),
        )
    })
}

/// POST /quality/duplicates/merge — household `drop` into household `keep`.
pub async fn merge(
    State(state): State<AppState>,
    user: CurrentUser,
    Form(form): Form<MergeForm>,
) -> Response {
    let result = async {
        check_csrf(&user, &form.csrf)?;
        if form.confirm != "1" {
            return Err(not_confirmed());
        }
        repo::duplicates::merge_households(
            &state.db,
            &user.actor(),
            &user.scope,
            &form.keep,
            version(&form.keep_version)?,
            &form.drop,
            version(&form.drop_version)?,
        )
        .await?;
        Ok(())
    }
    .await;
    match result {
        Ok(()) => see_other("/quality/duplicates?done=merged"),
        Err(e) => e.into_response(),
    }
}

#[derive(Deserialize)]
pub struct RemoveForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    household: String,
    #[serde(default)]
    id: String,
    #[serde(default)]
    version: String,
    #[serde(default)]
    confirm: String,
}

/// POST /quality/duplicates/remove-member — delete a duplicated member record.
pub async fn remove_member(
    State(state): State<AppState>,
    user: CurrentUser,
    Form(form): Form<RemoveForm>,
) -> Response {
    let result = async {
        check_csrf(&user, &form.csrf)?;
        if form.confirm != "1" {
            return Err(not_confirmed());
        }
        let id = IdNumber::parse(&form.id)
            .map_err(|e| AppError::bad_request("bad_request", e.message_zh(), e.to_string()))?;
        repo::duplicates::remove_member(
            &state.db,
            &user.actor(),
            &user.scope,
            &form.household,
            id,
            version(&form.version)?,
        )
        .await?;
        Ok(())
    }
    .await;
    match result {
        Ok(()) => see_other("/quality/duplicates?done=removed"),
        Err(e) => e.into_response(),
    }
}
