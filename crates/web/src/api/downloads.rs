//! Ledgers (全过程台账, XLSX) and official documents (DOCX or HTML) over `/api/v1` — the same functions
//! as the pages ([`shouwang_app::ledgers`], [`shouwang_app::documents`]): the store scopes each to the
//! user's area, masks ID numbers unless the role may see them and writes the export or read to the
//! audit log. Answers are the file's bytes with its content type and a `Content-Disposition: attachment`
//! naming it (an ASCII name and the Chinese one, RFC 6266); errors are JSON.

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use shouwang_app::Kind;
use shouwang_core::document::Document;
use shouwang_io::document_html;
use utoipa::IntoParams;

use super::{ApiPath, ApiQuery, ApiUser};
use crate::AppState;
use crate::http::download::attachment;
use crate::http::error::{AppError, AppResult, ErrorBody};
use crate::http::form::clean;
use crate::http::i18n::Lang;
use shouwang_app::documents::{self, ascii};
use shouwang_app::ledgers::{self, LedgerRequest};
use shouwang_core::monitoring::Quarter;

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
const DOCX: &str = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";

fn may_read_area(user: &ApiUser) -> AppResult<()> {
    if shouwang_app::dashboard::may_see(user.caller.scope.role) {
        Ok(())
    } else {
        Err(AppError::new(
            Kind::Forbidden,
            "role_not_allowed",
            "只有县级管理员、乡镇管理员、村级工作专班和审计监督人员可以导出台账和公示、告知书",
            "Only county and township admins, village teams and auditors export ledgers and area documents",
        ))
    }
}

/// Ledger filters.
#[derive(Debug, Deserialize, IntoParams)]
pub struct LedgerParams {
    /// A township or village code inside the user's area (default: the whole area; 404 outside it).
    pub area: Option<String>,
    /// First day (YYYY-MM-DD) of the ledger's date column.
    pub from: Option<String>,
    /// Last day (YYYY-MM-DD).
    pub to: Option<String>,
    /// One row per member (`true`) instead of one per household.
    pub per_member: Option<bool>,
}

/// A lifecycle ledger as XLSX (`kind`: `monitored` 监测对象台账, `measures` 帮扶措施台账, `followups`
/// 月度监测台账, `eliminated` 风险消除台账, `clues` 线索台账; the Chinese names work too). ID numbers in full only for roles that may see
/// them; the export is audited.
#[utoipa::path(get, path = "/api/v1/ledgers/{kind}", tag = "documents",
    params(("kind" = String, Path, description = "ledger kind code"), LedgerParams),
    responses((status = 200, description = "the ledger (XLSX)", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn ledger(
    State(state): State<AppState>,
    user: ApiUser,
    ApiPath(kind): ApiPath<String>,
    ApiQuery(p): ApiQuery<LedgerParams>,
) -> AppResult<Response> {
    may_read_area(&user)?;
    let q = LedgerRequest {
        kind: Some(kind),
        area: super::quality::area_filter(&user, &p.area)?,
        from: p.from,
        to: p.to,
        per_member: p.per_member.map(|b| if b { "1" } else { "0" }.to_owned()),
    };
    let f = ledgers::export(&state.db, &user.caller, &q).await?;
    Ok(attachment(&f.name, Some(&f.ascii_name), XLSX, f.bytes))
}

/// `format` of a document.
#[derive(Debug, Deserialize, IntoParams)]
pub struct DocParams {
    /// `docx` (default) or `html`.
    pub format: Option<String>,
}

fn document(doc: &Document, docx: bool, stem: &str) -> AppResult<Response> {
    if docx {
        let bytes = documents::docx(doc)?;
        return Ok(attachment(
            &format!("{}.docx", doc.title),
            Some(&format!("{stem}.docx")),
            DOCX,
            bytes,
        ));
    }
    let html = document_html::render(
        doc,
        &document_html::HtmlOptions {
            stylesheet: None,
            links: Vec::new(),
            lang: Lang::Zh.html_lang(),
        },
    );
    Ok((
        [
            (
                axum::http::header::CONTENT_TYPE,
                "text/html; charset=utf-8".to_owned(),
            ),
            (
                axum::http::header::CONTENT_DISPOSITION,
                format!(
                    "inline; filename=\"{stem}.html\"; filename*=UTF-8''{}",
                    crate::http::form::encode(&format!("{}.html", doc.title))
                ),
            ),
            (
                axum::http::header::CACHE_CONTROL,
                "private, no-store".to_owned(),
            ),
        ],
        html,
    )
        .into_response())
}

/// A household's document: `handbook` (帮扶手册), `verification` (入户核查表) or `notice` (退出告知书),
/// as DOCX or standalone HTML (404 outside the user's area or without such a document; the read is
/// audited).
#[utoipa::path(get, path = "/api/v1/households/{number}/documents/{kind}", tag = "documents",
    params(("number" = String, Path, description = "户编号"),
        ("kind" = String, Path, description = "`handbook`, `verification` or `notice`"), DocParams),
    responses((status = 200, description = "the document (DOCX, or HTML with format=html)",
            content_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn household_document(
    State(state): State<AppState>,
    user: ApiUser,
    ApiPath((number, kind)): ApiPath<(String, String)>,
    ApiQuery(p): ApiQuery<DocParams>,
) -> AppResult<Response> {
    let docx = documents::wants_docx(p.format.as_deref(), true)?;
    let number = clean(&number, 40);
    let doc = documents::household(&state.db, &user.caller, &number, &kind).await?;
    document(&doc, docx, &format!("{}-{}", ascii(&kind), ascii(&number)))
}

/// The 公示 list parameters.
#[derive(Debug, Deserialize, IntoParams)]
pub struct PublicityParams {
    /// 行政村 code (default: the user's own village).
    pub village: Option<String>,
    /// `docx` (default) or `html`.
    pub format: Option<String>,
}

/// The printable 公示 list of a village (identification publicity).
#[utoipa::path(get, path = "/api/v1/documents/publicity", tag = "documents", params(PublicityParams),
    responses((status = 200, description = "the document (DOCX, or HTML with format=html)",
            content_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn publicity(
    State(state): State<AppState>,
    user: ApiUser,
    ApiQuery(p): ApiQuery<PublicityParams>,
) -> AppResult<Response> {
    may_read_area(&user)?;
    let docx = documents::wants_docx(p.format.as_deref(), true)?;
    let (doc, village) = documents::publicity(
        &state.db,
        &user.caller,
        p.village.as_deref(),
        shouwang_app::today(),
    )
    .await?;
    document(&doc, docx, &format!("publicity-{}", ascii(&village)))
}

/// The exit-notice parameters.
#[derive(Debug, Deserialize, IntoParams)]
pub struct NoticesParams {
    /// Quarter like `2022Q3` (default: this quarter).
    pub quarter: Option<String>,
    /// A township or village code inside the user's area.
    pub area: Option<String>,
    /// `docx` (default) or `html`.
    pub format: Option<String>,
}

/// The exit notices (退出告知书) issued in a quarter, as one document (400 when there are none).
#[utoipa::path(get, path = "/api/v1/documents/exit-notices", tag = "documents", params(NoticesParams),
    responses((status = 200, description = "the document (DOCX, or HTML with format=html)",
            content_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn exit_notices(
    State(state): State<AppState>,
    user: ApiUser,
    ApiQuery(p): ApiQuery<NoticesParams>,
) -> AppResult<Response> {
    may_read_area(&user)?;
    let docx = documents::wants_docx(p.format.as_deref(), true)?;
    let area = super::quality::area_filter(&user, &p.area)?;
    let quarter = match p
        .quarter
        .as_deref()
        .map(str::trim)
        .filter(|q| !q.is_empty())
    {
        Some(q) => documents::quarter(q)?,
        None => Quarter::of(shouwang_app::today()),
    };
    let (doc, _) =
        documents::quarter_notices(&state.db, &user.caller, quarter, area.as_deref()).await?;
    document(
        &doc,
        docx,
        &format!("notices-{}Q{}", quarter.year, quarter.q),
    )
}
