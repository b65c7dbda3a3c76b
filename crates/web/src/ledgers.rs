//! 台账下载 (`GET /ledgers`): the lifecycle ledgers of the user's area as XLSX (issue 6 part 4): a form
//! (ledger, area, date range, per member) whose GET downloads the workbook from `/ledgers/download`
//! with a Chinese file name (RFC 5987 `filename*`). Full ID numbers only for roles that may see them;
//! every download is in the audit log (the store's [`repo::ledgers::export`]). Cadres and department
//! data providers have no ledgers (403).

use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::Deserialize;
use shouwang_core::CodeList;
use shouwang_core::ledger::{DateRange, LedgerKind, LedgerOptions};
use shouwang_io::ledger_xlsx;
use shouwang_store::repo;

use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::i18n::I18n;
use crate::page::{RegionOption, clean, encode, region_options, render};

/// The routes of this module.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/ledgers", get(form))
        .route("/ledgers/download", get(download))
}

/// The query of a download (also the form's fields).
#[derive(Deserialize, Default, Debug)]
pub struct LedgerQuery {
    pub kind: Option<String>,
    pub area: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
    pub per_member: Option<String>,
}

pub struct KindOption {
    pub code: &'static str,
    pub label: &'static str,
}

#[derive(Template)]
#[template(path = "ledgers.html")]
struct LedgersPage<'a> {
    i18n: I18n,
    user: &'a CurrentUser,
    kinds: Vec<KindOption>,
    regions: Vec<RegionOption>,
    full_ids: bool,
    path: &'static str,
}

fn allowed(user: &CurrentUser) -> Result<(), AppError> {
    if user.may_dashboard() {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

/// GET /ledgers
pub async fn form(State(state): State<AppState>, user: CurrentUser) -> Response {
    let r = async {
        allowed(&user)?;
        let i18n = user.i18n();
        let kinds = LedgerKind::all()
            .iter()
            .map(|k| KindOption {
                code: k.code(),
                label: i18n.label(k),
            })
            .collect();
        let regions = region_options(&state.db, user.scope.area_prefix()).await?;
        Ok::<_, AppError>(render(
            &LedgersPage {
                i18n,
                user: &user,
                kinds,
                regions,
                full_ids: user.scope.role.may_view_full_id(),
                path: "/ledgers",
            },
            user.lang,
        ))
    }
    .await;
    r.unwrap_or_else(|e| e.into_page(user.lang))
}

fn day(
    what_zh: &str,
    what_en: &str,
    s: &Option<String>,
) -> Result<Option<chrono::NaiveDate>, AppError> {
    match s.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => s.parse().map(Some).map_err(|_| AppError::BadRequest {
            zh: format!("{what_zh}日期格式应为 YYYY-MM-DD：{}", clean(s, 40)),
            en: format!("{what_en} date must be YYYY-MM-DD"),
        }),
    }
}

/// The download file name: `监测对象台账-141123208-2022-01-01至2022-12-31.xlsx`.
pub fn file_name(kind: LedgerKind, area: &str, range: &DateRange) -> String {
    let mut name = kind.label_zh().to_owned();
    if !area.is_empty() {
        name.push('-');
        name.push_str(area);
    }
    if range.from.is_some() || range.to.is_some() {
        let d = |x: Option<chrono::NaiveDate>| x.map(|d| d.to_string()).unwrap_or_default();
        name.push_str(&format!("-{}至{}", d(range.from), d(range.to)));
    }
    name.push_str(".xlsx");
    name
}

/// `attachment` with an ASCII fallback name and the UTF-8 name (RFC 6266 / RFC 5987 `filename*`).
/// The ledger of `q` as XLSX bytes with its ASCII and Chinese file names (the store scopes it to the
/// user's area and audits the export). Shared by the page and `GET /api/v1/ledgers/{kind}`.
pub async fn ledger_file(
    db: &shouwang_store::Db,
    actor: &shouwang_store::Actor,
    scope: &shouwang_core::Scope,
    q: &LedgerQuery,
) -> Result<(Vec<u8>, String, String), AppError> {
    let kind_s = q.kind.clone().unwrap_or_default();
    let kind = LedgerKind::parse(&kind_s).ok_or_else(|| AppError::BadRequest {
        zh: format!("未知的台账种类：{}", clean(&kind_s, 40)),
        en: "unknown ledger".into(),
    })?;
    let range = DateRange {
        from: day("起始", "start", &q.from)?,
        to: day("截止", "end", &q.to)?,
    };
    let opts = LedgerOptions {
        per_member: q
            .per_member
            .as_deref()
            .is_some_and(|v| !v.is_empty() && v != "0" && v != "false"),
        full_ids: true,
        range,
    };
    let area = q
        .area
        .as_deref()
        .map(str::trim)
        .filter(|a| !a.is_empty())
        .map(|a| clean(a, 20));
    let ledger = repo::ledgers::export(db, actor, scope, area.as_deref(), kind, &opts).await?;
    let bytes = ledger_xlsx::write(kind, ledger.columns, &ledger.rows)
        .map_err(|e| AppError::Internal(e.to_string()))?;
    let ascii = format!("{}-{}.xlsx", kind.file_stem_en(), ledger.area);
    let name = file_name(kind, &ledger.area, &range);
    Ok((bytes, ascii, name))
}

pub fn content_disposition(ascii: &str, utf8: &str) -> Option<HeaderValue> {
    HeaderValue::from_str(&format!(
        "attachment; filename=\"{ascii}\"; filename*=UTF-8''{}",
        encode(utf8)
    ))
    .ok()
}

/// GET /ledgers/download?kind=…&area=…&from=…&to=…&per_member=1
pub async fn download(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<LedgerQuery>,
) -> Response {
    let r = async {
        allowed(&user)?;
        let (bytes, ascii, name) = ledger_file(&state.db, &user.actor(), &user.scope, &q).await?;
        let mut resp = bytes.into_response();
        let h = resp.headers_mut();
        h.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static(
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            ),
        );
        if let Some(v) = content_disposition(&ascii, &name) {
            h.insert(header::CONTENT_DISPOSITION, v);
        }
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        Ok::<_, AppError>(resp)
    }
    .await;
    r.unwrap_or_else(|e| e.into_page(user.lang))
}
