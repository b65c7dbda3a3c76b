//! 文书下载 and print views (issue 6 part 5): every official document as DOCX (download, Chinese file
//! name in RFC 5987 `filename*`) or as a print-ready HTML page (A4, no navigation when printing):
//!
//! - `GET /households/{n}/documents/{kind}?format=docx|html` — `handbook` 帮扶手册, `verification`
//!   入户核查表, `notice` 风险消除告知书;
//! - `GET /publicity/document?village=CODE&format=…` — 民主评议结果公示 of a village (default: the user's
//!   own village, or the first village with households in 公示);
//! - `GET /exits/notices?quarter=2022Q3&format=…` — every 告知书 of a quarter, one a page.
//!
//! The documents come from [`shouwang_app::documents`] (area-scoped, audited) and are rendered by the
//! `io` crate; out-of-area households answer 404 like the household page.

use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::Deserialize;
use shouwang_app::documents::{self, ascii};
use shouwang_core::document::Document;
use shouwang_core::monitoring::Quarter;
use shouwang_io::document_html;

use crate::AppState;
use crate::auth::CurrentUser;
use crate::http::download::attachment;
use crate::http::error::AppError;
use crate::http::form::clean;

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
    Ok(documents::wants_docx(q.format.as_deref(), false)?)
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
        return Ok(attachment(
            &format!("{}.docx", doc.title),
            Some(&format!("{ascii_name}.docx")),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            documents::docx(doc)?,
        ));
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
        let doc = documents::household(&state.db, &user.caller(), &number, &kind).await?;
        let back = format!("/households/{}", crate::http::form::encode(&number));
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
    r.unwrap_or_else(|e| e.into_response())
}

/// GET /publicity/document?village=CODE&format=docx|html
pub async fn publicity_document(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<DocQuery>,
) -> Response {
    let r = async {
        if !user.may_dashboard() {
            return Err(AppError::forbidden());
        }
        let docx = is_docx(&q)?;
        let (doc, village) = documents::publicity(
            &state.db,
            &user.caller(),
            q.village.as_deref(),
            shouwang_app::today(),
        )
        .await?;
        let href = format!(
            "/publicity/document?village={}&format=docx",
            crate::http::form::encode(&village)
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
    r.unwrap_or_else(|e| e.into_response())
}

/// GET /exits/notices?quarter=2022Q3&area=…&format=docx|html (default: this quarter)
pub async fn quarter_notices(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<DocQuery>,
) -> Response {
    let r = async {
        if !user.may_dashboard() {
            return Err(AppError::forbidden());
        }
        let docx = is_docx(&q)?;
        let quarter = match q
            .quarter
            .as_deref()
            .map(str::trim)
            .filter(|q| !q.is_empty())
        {
            Some(s) => documents::quarter(s)?,
            None => Quarter::of(shouwang_app::today()),
        };
        let (doc, _) =
            documents::quarter_notices(&state.db, &user.caller(), quarter, q.area.as_deref())
                .await?;
        let href = format!(
            "/exits/notices?quarter={}Q{}&area={}&format=docx",
            quarter.year,
            quarter.q,
            crate::http::form::encode(q.area.as_deref().unwrap_or(""))
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
    r.unwrap_or_else(|e| e.into_response())
}
