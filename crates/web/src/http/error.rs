//! One error for every handler, page or API ([`AppError`]): a use case's [`shouwang_app::Error`] (kind,
//! stable code, reason in Chinese and English). [`status_of`] maps a kind to its HTTP status, once, for
//! pages and API alike. A handler returns the error as a response ([`IntoResponse`]); the layer of its
//! router renders it: a page in the request's language ([`render_page_errors`]; not signed in → the login
//! page), or JSON `{code, message_zh, message_en}` ([`render_json_errors`]). Never a 500 for bad input.
//!
//! | status | kind | when |
//! | --- | --- | --- |
//! | 400 | `BadRequest` | malformed JSON, query, path or form value; a body that is not multipart |
//! | 401 | `Unauthenticated` | not signed in, session expired, wrong password |
//! | 403 | `Forbidden` | the role or area may not; a missing CSRF token |
//! | 404 | `NotFound` | no such record in the user's area |
//! | 409 | `Conflict` | out of order, wrong state, duplicate, stale version, too many jobs |
//! | 410 | `Gone` | an expired dry run |
//! | 408 | — | the request took too long (`http::limits::time_limit`, not an error kind) |
//! | 413 | `TooLarge` | an upload, form or JSON body over its limit |
//! | 422 | `Invalid` | well-formed but unacceptable input |
//! | 429 | `TooMany` | too many failed logins; too many sign-ins from the address or in all |
//! | 500 | `Internal` | the server failed (logged; a generic message) |

use askama::Template;
use axum::Json;
use axum::extract::Request;
use axum::extract::multipart::{MultipartError, MultipartRejection};
use axum::extract::rejection::{FormRejection, JsonRejection, PathRejection, QueryRejection};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Serialize;
use shouwang_app::{Error, Kind};
use shouwang_core::monitoring::Refusal;
use shouwang_store::StoreError;
use utoipa::ToSchema;

use crate::http::i18n::{I18n, Lang};

/// The HTTP status of an error kind: the one mapping of the web, for pages and the API alike.
pub fn status_of(kind: Kind) -> StatusCode {
    match kind {
        Kind::BadRequest => StatusCode::BAD_REQUEST,
        Kind::Unauthenticated => StatusCode::UNAUTHORIZED,
        Kind::Forbidden => StatusCode::FORBIDDEN,
        Kind::NotFound => StatusCode::NOT_FOUND,
        Kind::Conflict => StatusCode::CONFLICT,
        Kind::Gone => StatusCode::GONE,
        Kind::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
        Kind::Invalid => StatusCode::UNPROCESSABLE_ENTITY,
        Kind::TooMany => StatusCode::TOO_MANY_REQUESTS,
        Kind::Internal => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

/// The body of every JSON error answer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, serde::Deserialize, ToSchema)]
pub struct ErrorBody {
    /// A stable code (e.g. `out_of_order`, `role_not_allowed`, `stale_version`, `bad_json`).
    pub code: String,
    /// The reason in Chinese.
    pub message_zh: String,
    /// The reason in English.
    pub message_en: String,
}

/// The error of a handler (see the module doc).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct AppError(pub Error);

/// Result of handlers.
pub type AppResult<T> = Result<T, AppError>;

impl AppError {
    /// An error of `kind` with its code and reasons.
    pub fn new(kind: Kind, code: &str, zh: impl Into<String>, en: impl Into<String>) -> AppError {
        AppError(Error::new(kind, code, zh, en))
    }

    /// 404: missing, or outside the user's area (answered the same way on purpose).
    pub fn not_found() -> AppError {
        AppError(Error::not_found())
    }

    /// 403: the role may not do this.
    pub fn forbidden() -> AppError {
        AppError(Error::forbidden())
    }

    /// 403 with the reason.
    pub fn forbidden_because(zh: impl Into<String>, en: impl Into<String>) -> AppError {
        AppError::new(Kind::Forbidden, "forbidden", zh, en)
    }

    /// 401: not signed in (a page redirects to the login page).
    pub fn unauthenticated() -> AppError {
        AppError::new(
            Kind::Unauthenticated,
            "unauthenticated",
            "未登录或登录已过期，请重新登录",
            "Not logged in, or the session has expired",
        )
    }

    /// 403: a form without the session's CSRF token.
    pub fn csrf() -> AppError {
        AppError::new(
            Kind::Forbidden,
            "csrf",
            Lang::Zh.t("login.expired"),
            Lang::En.t("login.expired"),
        )
    }

    /// 400: a malformed request (`code`: `bad_query`, `bad_request`, …).
    pub fn bad_request(code: &str, zh: impl Into<String>, en: impl Into<String>) -> AppError {
        AppError::new(Kind::BadRequest, code, zh, en)
    }

    /// 422: well-formed but unacceptable input.
    pub fn invalid(zh: impl Into<String>, en: impl Into<String>) -> AppError {
        AppError(Error::invalid(zh, en))
    }

    /// 409: a stale edit or a conflicting action.
    pub fn conflict(zh: impl Into<String>, en: impl Into<String>) -> AppError {
        AppError(Error::conflict(zh, en))
    }

    /// 500: `detail` is logged, the user sees a generic message.
    pub fn internal(detail: impl std::fmt::Display) -> AppError {
        AppError(Error::internal(detail))
    }

    /// The kind.
    pub fn kind(&self) -> Kind {
        self.0.kind
    }

    /// The HTTP status ([`status_of`]).
    pub fn status(&self) -> StatusCode {
        status_of(self.0.kind)
    }

    /// The message shown to the user, in the given language.
    pub fn message_for(&self, lang: Lang) -> String {
        lang.pick(&self.0.zh, &self.0.en).to_owned()
    }

    /// The JSON body.
    pub fn body(&self) -> ErrorBody {
        ErrorBody {
            code: self.0.code.clone(),
            message_zh: self.0.zh.clone(),
            message_en: self.0.en.clone(),
        }
    }

    /// Renders the error as an HTML page in `lang` (the login page when not signed in).
    pub fn page(&self, lang: Lang) -> Response {
        if self.0.kind == Kind::Unauthenticated {
            return Redirect::to("/login").into_response();
        }
        let status = self.status();
        let message = self.message_for(lang);
        let page = ErrorPage {
            i18n: I18n { lang },
            status: status.as_u16(),
            message: &message,
        };
        match page.render() {
            Ok(html) => (status, Html(html)).into_response(),
            Err(_) => (status, message).into_response(),
        }
    }

    /// Renders the error as JSON `{code, message_zh, message_en}` at once (a page route that answers
    /// JSON, such as a job's status).
    pub fn json(&self) -> Response {
        (self.status(), Json(self.body())).into_response()
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    i18n: I18n,
    status: u16,
    message: &'a str,
}

/// The error carried by a response until the router's layer renders it.
#[derive(Clone, Debug)]
struct Unrendered(AppError);

impl IntoResponse for AppError {
    /// A response with the status and the error, rendered by the router's layer
    /// ([`render_page_errors`] or [`render_json_errors`]).
    fn into_response(self) -> Response {
        let mut resp = self.status().into_response();
        resp.extensions_mut().insert(Unrendered(self));
        resp
    }
}

/// Layer of the page routes: renders an error as a page in the request's language.
pub async fn render_page_errors(req: Request, next: Next) -> Response {
    let lang = Lang::from_headers(req.headers());
    let mut resp = next.run(req).await;
    match resp.extensions_mut().remove::<Unrendered>() {
        Some(Unrendered(e)) => e.page(lang),
        None => resp,
    }
}

/// Layer of the API routes: renders an error as JSON.
pub async fn render_json_errors(req: Request, next: Next) -> Response {
    let mut resp = next.run(req).await;
    match resp.extensions_mut().remove::<Unrendered>() {
        Some(Unrendered(e)) => e.json(),
        None => resp,
    }
}

impl From<Error> for AppError {
    fn from(e: Error) -> AppError {
        AppError(e)
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> AppError {
        AppError(e.into())
    }
}

impl From<Refusal> for AppError {
    fn from(r: Refusal) -> AppError {
        AppError(r.into())
    }
}

/// 413: a form or JSON body over the route's limit (`http::limits`).
fn body_too_large() -> AppError {
    AppError::new(
        Kind::TooLarge,
        "too_large",
        "请求内容过大",
        "The request body is too large",
    )
}

impl From<JsonRejection> for AppError {
    fn from(r: JsonRejection) -> AppError {
        if r.status() == StatusCode::PAYLOAD_TOO_LARGE {
            return body_too_large();
        }
        match r {
            JsonRejection::JsonDataError(e) => AppError::new(
                Kind::Invalid,
                "bad_json_fields",
                format!("请求内容的字段不正确：{}", e.body_text()),
                format!("The request fields are wrong: {}", e.body_text()),
            ),
            JsonRejection::MissingJsonContentType(_) => AppError::bad_request(
                "bad_content_type",
                "请求须为 JSON（Content-Type: application/json）",
                "The request must be JSON (Content-Type: application/json)",
            ),
            other => AppError::bad_request(
                "bad_json",
                format!("请求内容不是有效的 JSON：{}", other.body_text()),
                format!("The request body is not valid JSON: {}", other.body_text()),
            ),
        }
    }
}

impl From<QueryRejection> for AppError {
    fn from(r: QueryRejection) -> AppError {
        AppError::bad_request(
            "bad_query",
            format!("查询参数不正确：{}", r.body_text()),
            format!("Bad query parameters: {}", r.body_text()),
        )
    }
}

impl From<PathRejection> for AppError {
    fn from(r: PathRejection) -> AppError {
        AppError::bad_request(
            "bad_path",
            format!("路径参数不正确：{}", r.body_text()),
            format!("Bad path parameter: {}", r.body_text()),
        )
    }
}

impl From<FormRejection> for AppError {
    fn from(r: FormRejection) -> AppError {
        if r.status() == StatusCode::PAYLOAD_TOO_LARGE {
            return body_too_large();
        }
        AppError::bad_request(
            "bad_form",
            format!("表单内容不正确：{}", r.body_text()),
            format!("The form is wrong: {}", r.body_text()),
        )
    }
}

impl From<MultipartError> for AppError {
    fn from(e: MultipartError) -> AppError {
        let (kind, code) = if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            (Kind::TooLarge, "too_large")
        } else {
            (Kind::BadRequest, "bad_multipart")
        };
        AppError::new(
            kind,
            code,
            format!("上传内容无法读取：{}", e.body_text()),
            format!("The upload cannot be read: {}", e.body_text()),
        )
    }
}

impl From<MultipartRejection> for AppError {
    fn from(r: MultipartRejection) -> AppError {
        AppError::bad_request(
            "bad_multipart",
            format!("请求须为 multipart/form-data 表单：{}", r.body_text()),
            format!("The request must be multipart/form-data: {}", r.body_text()),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use shouwang_core::monitoring::{Refusal, RefusalCode};

    #[test]
    fn one_mapping_for_refusals_and_store_errors() {
        let out_of_order = AppError::from(StoreError::Refused(Refusal::wrong_state(
            "顺序不对",
            "out of order",
        )));
        assert_eq!(out_of_order.status(), StatusCode::CONFLICT);
        assert_eq!(out_of_order.message_for(Lang::Zh), "顺序不对");
        assert_eq!(out_of_order.message_for(Lang::En), "out of order");
        let e = AppError::from(StoreError::Refused(Refusal::new(
            RefusalCode::OutOfOrder,
            "须先",
            "must come before",
        )));
        assert_eq!(e.body().code, "out_of_order");
        let role = AppError::from(StoreError::Refused(Refusal::new(
            RefusalCode::RoleNotAllowed,
            "无权",
            "not allowed",
        )));
        assert_eq!(role.status(), StatusCode::FORBIDDEN);
        assert_eq!(role.message_for(Lang::En), "not allowed");
        assert_eq!(
            AppError::from(StoreError::Refused(Refusal::invalid("x", "y"))).status(),
            StatusCode::UNPROCESSABLE_ENTITY
        );
        let missing = AppError::from(Refusal::new(RefusalCode::NotFound, "无", "none"));
        assert_eq!(missing.status(), StatusCode::NOT_FOUND);
        let stale = AppError::from(StoreError::StaleVersion {
            expected: 3,
            found: 4,
        });
        assert_eq!(stale.status(), StatusCode::CONFLICT);
        assert_eq!(stale.body().code, "stale_version");
        assert!(stale.body().message_en.contains("version 3"));
        assert_eq!(
            AppError::from(StoreError::Forbidden).status(),
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            AppError::from(StoreError::invalid("坏", "bad")).status(),
            StatusCode::UNPROCESSABLE_ENTITY
        );
    }
}
