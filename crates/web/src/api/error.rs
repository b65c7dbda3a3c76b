//! Errors of the JSON API: always JSON `{code, message_zh, message_en}`, never a panic or an HTML page.
//!
//! | status | when |
//! | --- | --- |
//! | 400 | malformed JSON, query or path (`bad_json`, `bad_query`, `bad_path`), a multipart body that cannot be read |
//! | 401 | not logged in, session expired, wrong password (`unauthenticated`, `login_failed`) |
//! | 403 | the role or area may not (`forbidden`, `role_not_allowed`, `out_of_area`), a missing CSRF header (`csrf`) |
//! | 404 | no such record in the user's area (`not_found`) |
//! | 409 | out of order, wrong state, duplicate, stale version (`out_of_order`, `stale_version`, …: the core's [`RefusalCode`]) |
//! | 422 | well-formed but unacceptable input (`invalid_input`, `evidence_required`, `signature_required`, `invalid`) |
//! | 429 | too many failed logins (`throttled`) |

use axum::Json;
use axum::extract::multipart::MultipartError;
use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use shouwang_core::CodeList;
use shouwang_core::monitoring::RefusalCode;
use shouwang_store::StoreError;
use utoipa::ToSchema;

/// The body of every error answer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, serde::Deserialize, ToSchema)]
pub struct ErrorBody {
    /// A stable code (e.g. `out_of_order`, `role_not_allowed`, `stale_version`, `bad_json`).
    pub code: String,
    /// The reason in Chinese.
    pub message_zh: String,
    /// The reason in English.
    pub message_en: String,
}

/// An error answer of the API.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiError {
    /// HTTP status.
    pub status: StatusCode,
    /// The body.
    pub body: ErrorBody,
}

impl ApiError {
    /// An error with its status, code and messages.
    pub fn new(
        status: StatusCode,
        code: &str,
        zh: impl Into<String>,
        en: impl Into<String>,
    ) -> ApiError {
        ApiError {
            status,
            body: ErrorBody {
                code: code.to_owned(),
                message_zh: zh.into(),
                message_en: en.into(),
            },
        }
    }

    /// 401: not logged in.
    pub fn unauthenticated() -> ApiError {
        ApiError::new(
            StatusCode::UNAUTHORIZED,
            "unauthenticated",
            "未登录或登录已过期，请重新登录",
            "Not logged in, or the session has expired",
        )
    }

    /// 404.
    pub fn not_found() -> ApiError {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "not_found",
            StoreError::NotFound.message_zh(),
            "No such record in your area",
        )
    }

    /// 400 with a reason.
    pub fn bad_request(code: &str, zh: impl Into<String>, en: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, code, zh, en)
    }

    /// 422 with a reason.
    pub fn unprocessable(zh: impl Into<String>, en: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_input", zh, en)
    }

    /// 500 (the detail is logged, not shown).
    pub fn internal(detail: impl std::fmt::Display) -> ApiError {
        tracing::error!("api internal error: {detail}");
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "服务器内部错误，请稍后重试或联系管理员",
            "Internal server error; please try again later",
        )
    }
}

/// The status of a core refusal: 403 for role or area, 404 for a missing record, 422 for bad input,
/// 409 for everything else (order, state, duplicates).
pub fn refusal_status(code: RefusalCode) -> StatusCode {
    match code {
        RefusalCode::RoleNotAllowed | RefusalCode::OutOfArea => StatusCode::FORBIDDEN,
        RefusalCode::NotFound => StatusCode::NOT_FOUND,
        RefusalCode::InvalidInput
        | RefusalCode::EvidenceRequired
        | RefusalCode::SignatureRequired => StatusCode::UNPROCESSABLE_ENTITY,
        _ => StatusCode::CONFLICT,
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> ApiError {
        match e {
            StoreError::NotFound => ApiError::not_found(),
            StoreError::Forbidden => ApiError::new(
                StatusCode::FORBIDDEN,
                "forbidden",
                e.message_zh(),
                "Your role or area does not allow this",
            ),
            StoreError::StaleVersion { expected, found } => ApiError::new(
                StatusCode::CONFLICT,
                "stale_version",
                format!(
                    "该记录已被他人修改（您的版本 {expected}，当前版本 {found}），请刷新后重新办理；本次操作未生效"
                ),
                format!(
                    "The record has changed since you read it (your version {expected}, now {found}); nothing was written"
                ),
            ),
            StoreError::Invalid(ref reason) => ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid",
                e.message_zh(),
                reason.clone(),
            ),
            StoreError::Conflict(ref reason) => ApiError::new(
                StatusCode::CONFLICT,
                "conflict",
                e.message_zh(),
                reason.clone(),
            ),
            StoreError::Refused(r) => ApiError::new(
                refusal_status(r.code),
                r.code.code(),
                r.message_zh,
                r.message_en,
            ),
            StoreError::Db(err) => ApiError::internal(err),
        }
    }
}

impl From<JsonRejection> for ApiError {
    fn from(r: JsonRejection) -> ApiError {
        match r {
            JsonRejection::JsonDataError(e) => ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "bad_json_fields",
                format!("请求内容的字段不正确：{}", e.body_text()),
                format!("The request fields are wrong: {}", e.body_text()),
            ),
            JsonRejection::MissingJsonContentType(_) => ApiError::bad_request(
                "bad_content_type",
                "请求须为 JSON（Content-Type: application/json）",
                "The request must be JSON (Content-Type: application/json)",
            ),
            other => ApiError::bad_request(
                "bad_json",
                format!("请求内容不是有效的 JSON：{}", other.body_text()),
                format!("The request body is not valid JSON: {}", other.body_text()),
            ),
        }
    }
}

impl From<QueryRejection> for ApiError {
    fn from(r: QueryRejection) -> ApiError {
        ApiError::bad_request(
            "bad_query",
            format!("查询参数不正确：{}", r.body_text()),
            format!("Bad query parameters: {}", r.body_text()),
        )
    }
}

impl From<PathRejection> for ApiError {
    fn from(r: PathRejection) -> ApiError {
        ApiError::bad_request(
            "bad_path",
            format!("路径参数不正确：{}", r.body_text()),
            format!("Bad path parameter: {}", r.body_text()),
        )
    }
}

impl From<MultipartError> for ApiError {
    fn from(e: MultipartError) -> ApiError {
        let status = e.status();
        let code = if status == StatusCode::PAYLOAD_TOO_LARGE {
            "too_large"
        } else {
            "bad_multipart"
        };
        ApiError::new(
            status,
            code,
            format!("上传内容无法读取：{}", e.body_text()),
            format!("The upload cannot be read: {}", e.body_text()),
        )
    }
}

impl From<axum::extract::multipart::MultipartRejection> for ApiError {
    fn from(r: axum::extract::multipart::MultipartRejection) -> ApiError {
        ApiError::bad_request(
            "bad_multipart",
            format!("请求须为 multipart/form-data 表单：{}", r.body_text()),
            format!("The request must be multipart/form-data: {}", r.body_text()),
        )
    }
}

impl From<crate::uploads::UploadError> for ApiError {
    fn from(e: crate::uploads::UploadError) -> ApiError {
        let code = match e.status {
            StatusCode::PAYLOAD_TOO_LARGE => "too_large",
            StatusCode::BAD_REQUEST => "bad_multipart",
            StatusCode::CONFLICT => "too_many_jobs",
            StatusCode::UNPROCESSABLE_ENTITY => "invalid_input",
            _ => "internal",
        };
        ApiError::new(e.status, code, e.zh, e.en)
    }
}

/// The pages' errors (for logic shared with a page): the same statuses, JSON bodies.
impl From<crate::error::AppError> for ApiError {
    fn from(e: crate::error::AppError) -> ApiError {
        use crate::error::AppError as E;
        use crate::i18n::Lang;
        let (zh, en) = (e.message_for(Lang::Zh), e.message_for(Lang::En));
        match e {
            E::Unauthenticated => ApiError::unauthenticated(),
            E::NotFound => ApiError::not_found(),
            E::Forbidden => ApiError::new(
                StatusCode::FORBIDDEN,
                "forbidden",
                StoreError::Forbidden.message_zh(),
                "Your role or area does not allow this",
            ),
            E::ForbiddenBecause { zh, en } => {
                ApiError::new(StatusCode::FORBIDDEN, "forbidden", zh, en)
            }
            E::Csrf => ApiError::new(StatusCode::FORBIDDEN, "csrf", zh, en),
            E::BadRequest { zh, en } => ApiError::bad_request("bad_request", zh, en),
            E::Conflict { zh, en } => ApiError::new(StatusCode::CONFLICT, "conflict", zh, en),
            E::Internal(detail) => ApiError::internal(detail),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.status, Json(self.body)).into_response()
    }
}

/// Result of API handlers.
pub type ApiResult<T> = Result<T, ApiError>;

#[cfg(test)]
mod tests {
    use super::*;
    use shouwang_core::monitoring::Refusal;

    #[test]
    fn statuses() {
        let e = ApiError::from(StoreError::Refused(Refusal::new(
            RefusalCode::OutOfOrder,
            "须先",
            "must come before",
        )));
        assert_eq!(e.status, StatusCode::CONFLICT);
        assert_eq!(e.body.code, "out_of_order");
        assert_eq!(
            ApiError::from(StoreError::Refused(Refusal::invalid("x", "y"))).status,
            StatusCode::UNPROCESSABLE_ENTITY
        );
        assert_eq!(
            refusal_status(RefusalCode::RoleNotAllowed),
            StatusCode::FORBIDDEN
        );
        let stale = ApiError::from(StoreError::StaleVersion {
            expected: 3,
            found: 4,
        });
        assert_eq!(stale.status, StatusCode::CONFLICT);
        assert_eq!(stale.body.code, "stale_version");
        assert!(stale.body.message_en.contains("version 3"));
        assert_eq!(
            ApiError::from(StoreError::Forbidden).status,
            StatusCode::FORBIDDEN
        );
    }
}
