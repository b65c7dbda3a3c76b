//! 文书下载 and print views (issue 6 part 5): every official document as DOCX (download, Chinese file
//! name in RFC 5987 `filename*`) or as a print-ready HTML page (A4, no navigation when printing):
//!
//! - `GET /households/{n}/documents/{kind}?format=docx|html` — `handbook` 帮扶手册, `verification`
//!   入户核查表, `notice` 风险消除告知书;
//! - `GET /publicity/document?village=CODE&format=…` — 民主评议结果公示 of a village (default: the user's
//!   own village, or the first village with households in 公示);
//! - `GET /exits/notices?quarter=2022Q3&format=…` — every 告知书 of a quarter, one a page.
//!
//! The documents come from the store ([`repo::documents`], area-scoped, audited) and are rendered by the
//! `io` crate; out-of-area households answer 404 like the household page.

use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::Deserialize;
use shouwang_core::document::{Document, parse_quarter};
use shouwang_core::monitoring::Quarter;
use shouwang_io::{document_docx, document_html};
use shouwang_store::repo::documents;

use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::ledgers::content_disposition;
use crate::page::clean;

/// The print style sheet's URL.
pub const CSS_URL: &str = "/assets/document.css";

/// The routes of this module.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/households/{number}/documents/{kind}",
            get(household_document),
        )
        .route("/publicity/document", get(publicity_document))
        .route("/exits/notices", get(quarter_notices))
        .route(CSS_URL, get(css))
}

async fn css() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        document_html::CSS,
    )
        .into_response()
}

/// `format` and the other query fields of the document routes.
#[derive(Deserialize, Default, Debug)]
pub struct DocQuery {
    pub format: Option<String>,
    pub village: Option<String>,
    pub quarter: Option<String>,
    pub area: Option<String>,
}

fn is_docx(q: &DocQuery) -> Result<bool, AppError> {
    match q.format.as_deref().map(str::trim).unwrap_or("html") {
        "docx" => Ok(true),
        "html" | "" => Ok(false),
        other => Err(AppError::BadRequest {
            zh: format!("格式应为 docx 或 html：{}", clean(other, 20)),
            en: "format must be docx or html".into(),
        }),
    }
}

/// The document as a DOCX download or an HTML print view with a back link.
fn respond(
    user: &CurrentUser,
    doc: &Document,
    docx: bool,
    ascii_name: &str,
    back: &str,
    docx_href: &str,
) -> Result<Response, AppError> {
    if docx {
        let bytes = docx_bytes(doc)?;
        let mut resp = bytes.into_response();
        let h = resp.headers_mut();
        h.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static(
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            ),
        );
        if let Some(v) = content_disposition(
            &format!("{ascii_name}.docx"),
            &format!("{}.docx", doc.title),
        ) {
            h.insert(header::CONTENT_DISPOSITION, v);
        }
        return Ok(resp);
    }
    let i18n = user.i18n();
    let html = document_html::render(
        doc,
        &document_html::HtmlOptions {
            stylesheet: Some(CSS_URL),
            links: vec![
                (back.to_owned(), i18n.t("doc.back").to_owned()),
                (docx_href.to_owned(), i18n.t("doc.docx").to_owned()),
            ],
            lang: user.lang.html_lang(),
        },
    );
    let mut resp = html.into_response();
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    Ok(resp)
}

/// GET /households/{n}/documents/{kind}
pub async fn household_document(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((number, kind)): Path<(String, String)>,
    Query(q): Query<DocQuery>,
) -> Response {
    let r = async {
        let docx = is_docx(&q)?;
        let number = clean(&number, 40);
        let doc = household_doc(&state.db, &user.actor(), &user.scope, &number, &kind).await?;
        let back = format!("/households/{}", crate::page::encode(&number));
        let href = format!("{back}/documents/{kind}?format=docx");
        respond(
            &user,
            &doc,
            docx,
            &format!("{kind}-{}", ascii(&number)),
            &back,
            &href,
        )
    }
    .await;
    r.unwrap_or_else(|e| e.into_page(user.lang))
}

/// A household's document by kind (`handbook` 帮扶手册, `verification` 入户核查表, `notice` 退出告知书);
/// 404 for another kind or a household outside the area. The store audits the read. Shared by the page
/// and `GET /api/v1/households/{number}/documents/{kind}`.
pub async fn household_doc(
    db: &shouwang_store::Db,
    actor: &shouwang_store::Actor,
    scope: &shouwang_core::Scope,
    number: &str,
    kind: &str,
) -> Result<Document, AppError> {
    Ok(match kind {
        "handbook" => documents::handbook(db, actor, scope, number).await?,
        "verification" => documents::verification(db, actor, scope, number).await?,
        "notice" => documents::notice(db, actor, scope, number).await?,
        _ => return Err(AppError::NotFound),
    })
}

/// The 公示 list of a village (the user's own village when none is given); the document and the
/// village code. Shared by the page and `GET /api/v1/documents/publicity`.
pub async fn publicity_doc(
    db: &shouwang_store::Db,
    actor: &shouwang_store::Actor,
    scope: &shouwang_core::Scope,
    village: Option<&str>,
) -> Result<(Document, String), AppError> {
    let village = match village.map(str::trim).filter(|v| !v.is_empty()) {
        Some(v) => clean(v, 20),
        None if scope.area_prefix().len() == 12 => scope.area_prefix().to_owned(),
        None => {
            return Err(AppError::BadRequest {
                zh: "请选择行政村（village=村代码）".into(),
                en: "choose a village (village=CODE)".into(),
            });
        }
    };
    let doc = documents::publicity(db, actor, scope, &village, shouwang_app::today()).await?;
    Ok((doc, village))
}

/// The exit notices of a quarter (default: this quarter) in an area, as one document; 400 for a bad
/// quarter or a quarter without notices. Shared by the page and `GET /api/v1/documents/exit-notices`.
pub async fn quarter_doc(
    db: &shouwang_store::Db,
    actor: &shouwang_store::Actor,
    scope: &shouwang_core::Scope,
    quarter: Option<&str>,
    area: Option<&str>,
) -> Result<(Document, Quarter), AppError> {
    let quarter = match quarter.map(str::trim).filter(|v| !v.is_empty()) {
        Some(s) => parse_quarter(s).ok_or_else(|| AppError::BadRequest {
            zh: format!("季度格式应为 2022Q3：{}", clean(s, 20)),
            en: "quarter must look like 2022Q3".into(),
        })?,
        None => Quarter::of(shouwang_app::today()),
    };
    let (doc, n) = documents::quarter_notices(db, actor, scope, area, quarter).await?;
    if n == 0 {
        return Err(AppError::BadRequest {
            zh: format!("{}没有告知书", quarter.label_zh()),
            en: format!("no notices issued in {quarter}"),
        });
    }
    Ok((doc, quarter))
}

/// A document as DOCX bytes.
pub fn docx_bytes(doc: &Document) -> Result<Vec<u8>, AppError> {
    document_docx::render(doc).map_err(|e| AppError::Internal(e.to_string()))
}

/// `s` without anything but ASCII letters, digits, `-` and `_` (for file names).
pub fn ascii(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect()
}

/// GET /publicity/document?village=CODE&format=docx|html
pub async fn publicity_document(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<DocQuery>,
) -> Response {
    let r = async {
        if !user.may_dashboard() {
            return Err(AppError::Forbidden);
        }
        let docx = is_docx(&q)?;
        let (doc, village) =
            publicity_doc(&state.db, &user.actor(), &user.scope, q.village.as_deref()).await?;
        let href = format!(
            "/publicity/document?village={}&format=docx",
            crate::page::encode(&village)
        );
        respond(
            &user,
            &doc,
            docx,
            &format!("publicity-{}", ascii(&village)),
            "/publicity",
            &href,
        )
    }
    .await;
    r.unwrap_or_else(|e| e.into_page(user.lang))
}

/// GET /exits/notices?quarter=2022Q3&area=…&format=docx|html (default: this quarter)
pub async fn quarter_notices(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<DocQuery>,
) -> Response {
    let r = async {
        if !user.may_dashboard() {
            return Err(AppError::Forbidden);
        }
        let docx = is_docx(&q)?;
        let (doc, quarter) = quarter_doc(
            &state.db,
            &user.actor(),
            &user.scope,
            q.quarter.as_deref(),
            q.area.as_deref(),
        )
        .await?;
        let href = format!(
            "/exits/notices?quarter={}Q{}&area={}&format=docx",
            quarter.year,
            quarter.q,
            crate::page::encode(q.area.as_deref().unwrap_or(""))
        );
        respond(
            &user,
            &doc,
            docx,
            &format!("notices-{}Q{}", quarter.year, quarter.q),
            "/exits",
            &href,
        )
    }
    .await;
    r.unwrap_or_else(|e| e.into_page(user.lang))
}
