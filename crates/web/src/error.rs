//! One error type for every handler (`AppError`): a page for a browser,
//! JSON for `/api`, never a 500 for bad input.

use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use shouwang_store::StoreError;

use crate::i18n::{I18n, Lang};

/// What went wrong, in terms a user can act on.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// Not logged in (or the session expired): go to the login page.
    #[error("not logged in")]
    Unauthenticated,
    /// Missing, or outside the user's area (answered the same way on purpose).
    #[error("not found")]
    NotFound,
    /// The role may not do this.
    #[error("forbidden")]
    Forbidden,
    /// The role or area may not take this action, with the reason.
    #[error("forbidden: {en}")]
    ForbiddenBecause { zh: String, en: String },
    /// A form without a valid CSRF token.
    #[error("invalid or missing CSRF token")]
    Csrf,
    /// Bad input, with the reason in Chinese and English.
    #[error("bad request: {en}")]
    BadRequest { zh: String, en: String },
    /// A stale edit or a conflicting action.
    #[error("conflict: {en}")]
    Conflict { zh: String, en: String },
    /// Anything else: logged, shown as a generic message.
    #[error("internal: {0}")]
    Internal(String),
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => AppError::NotFound,
            StoreError::Forbidden => AppError::Forbidden,
            StoreError::Invalid(_) => AppError::BadRequest {
                zh: e.message_zh(),
                en: e.to_string(),
            },
            // A lifecycle rule refused the action: 403 when the role or area may not, 409 when it is out of order.
            StoreError::Refused(r) if r.is_forbidden() => AppError::ForbiddenBecause {
                zh: r.message_zh,
                en: r.message_en,
            },
            StoreError::Refused(r) => AppError::Conflict {
                zh: r.message_zh,
                en: r.message_en,
            },
            StoreError::StaleVersion { .. } | StoreError::Conflict(_) => AppError::Conflict {
                zh: e.message_zh(),
                en: e.to_string(),
            },
            other => AppError::Internal(other.to_string()),
        }
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    i18n: I18n,
    status: u16,
    message: &'a str,
}

impl AppError {
    fn status(&self) -> StatusCode {
        match self {
            AppError::Unauthenticated => StatusCode::UNAUTHORIZED,
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::Forbidden | AppError::ForbiddenBecause { .. } | AppError::Csrf => {
                StatusCode::FORBIDDEN
            }
            AppError::BadRequest { .. } => StatusCode::BAD_REQUEST,
            AppError::Conflict { .. } => StatusCode::CONFLICT,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn message(&self, lang: Lang) -> String {
        match self {
            AppError::BadRequest { zh, en }
            | AppError::Conflict { zh, en }
            | AppError::ForbiddenBecause { zh, en } => lang.pick(zh, en).to_string(),
            AppError::NotFound => lang.t("err.not_found").to_string(),
            AppError::Forbidden => lang.t("err.forbidden").to_string(),
            AppError::Csrf => lang.t("login.expired").to_string(),
            AppError::Unauthenticated => lang.t("login.title").to_string(),
            AppError::Internal(_) => lang.t("err.internal").to_string(),
        }
    }

    /// The message shown to the user, in the given language.
    pub fn message_for(&self, lang: Lang) -> String {
        self.message(lang)
    }

    /// Renders the error as an HTML page in the given language.
    pub fn into_page(self, lang: Lang) -> Response {
        if matches!(self, AppError::Unauthenticated) {
            return Redirect::to("/login").into_response();
        }
        if let AppError::Internal(detail) = &self {
            tracing::error!("internal error: {detail}");
        }
        let status = self.status();
        let message = self.message(lang);
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

    /// Renders the error as JSON (`{"error": {"code", "message_zh", "message_en"}}`).
    pub fn into_json(self) -> Response {
        if let AppError::Internal(detail) = &self {
            tracing::error!("internal error: {detail}");
        }
        let status = self.status();
        let body = serde_json::json!({
            "error": {
                "status": status.as_u16(),
                "message_zh": self.message(Lang::Zh),
                "message_en": self.message(Lang::En),
            }
        });
        (status, axum::Json(body)).into_response()
    }
}

impl IntoResponse for AppError {
    /// Without a request at hand the page is Chinese; handlers that know the
    /// language call [`AppError::into_page`] themselves.
    fn into_response(self) -> Response {
        self.into_page(Lang::Zh)
    }
}

/// Result type of page handlers.
pub type PageResult<T> = Result<T, AppError>;

#[cfg(test)]
mod tests {
    use super::*;
    use shouwang_core::monitoring::{Refusal, RefusalCode};

    #[test]
    fn refusals_map_to_403_or_409_with_both_languages() {
        let out_of_order = AppError::from(StoreError::Refused(Refusal::wrong_state(
            "顺序不对",
            "out of order",
        )));
        assert_eq!(out_of_order.status(), StatusCode::CONFLICT);
        assert_eq!(out_of_order.message(Lang::Zh), "顺序不对");
        assert_eq!(out_of_order.message(Lang::En), "out of order");
        let role = AppError::from(StoreError::Refused(Refusal::new(
            RefusalCode::RoleNotAllowed,
            "无权",
            "not allowed",
        )));
        assert_eq!(role.status(), StatusCode::FORBIDDEN);
        assert_eq!(role.message(Lang::En), "not allowed");
        let stale = AppError::from(StoreError::StaleVersion {
            expected: 1,
            found: 2,
        });
        assert_eq!(stale.status(), StatusCode::CONFLICT);
    }
}
