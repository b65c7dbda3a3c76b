//! 错误: one error of every use case, with its kind, a stable code and the reason in Chinese and in
//! English (two fields, never one string to parse). The surfaces map the [`Kind`] once each: the web to
//! an HTTP status (the same for a page and the API), the CLI to an exit code.

use shouwang_core::monitoring::{Refusal, RefusalCode};
use shouwang_store::StoreError;

/// What kind of failure, in the terms a client acts on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Kind {
    /// The request itself is malformed (bad JSON, a query that does not parse, not a multipart body).
    BadRequest,
    /// Not signed in, or the session expired.
    Unauthenticated,
    /// The role or area may not do this.
    Forbidden,
    /// No such record in the caller's area (a record outside it is answered the same way on purpose).
    NotFound,
    /// Out of order, wrong state, a duplicate, a stale version, too many jobs running.
    Conflict,
    /// Something the request refers to is gone (an expired dry run).
    Gone,
    /// An upload over its size limit.
    TooLarge,
    /// Well-formed but unacceptable input (a bad date, a missing field, a file that is no spreadsheet).
    Invalid,
    /// Too many attempts (failed logins).
    TooMany,
    /// A failure of the server (logged; the user sees a generic message).
    Internal,
}

impl Kind {
    /// The kind of a core refusal: role or area → [`Kind::Forbidden`], a missing record →
    /// [`Kind::NotFound`], bad input → [`Kind::Invalid`], everything else (order, state, duplicates) →
    /// [`Kind::Conflict`].
    pub fn of_refusal(code: RefusalCode) -> Kind {
        match code {
            RefusalCode::RoleNotAllowed | RefusalCode::OutOfArea => Kind::Forbidden,
            RefusalCode::NotFound => Kind::NotFound,
            RefusalCode::InvalidInput
            | RefusalCode::EvidenceRequired
            | RefusalCode::SignatureRequired => Kind::Invalid,
            _ => Kind::Conflict,
        }
    }
}

/// A failed use case: kind, stable code (`not_found`, `stale_version`, `out_of_order`, …) and the
/// reason in both languages.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{en}")]
pub struct Error {
    /// What kind.
    pub kind: Kind,
    /// A stable code for programs.
    pub code: String,
    /// The reason in Chinese.
    pub zh: String,
    /// The reason in English.
    pub en: String,
}

/// Result alias of the use cases.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// Optimistic locking (乐观锁) of a change sent with the version it read: `read` (none: not checked)
    /// against the row's `current` version; a stale one is [`Kind::Conflict`] `stale_version`, and nothing
    /// is written.
    pub fn check_version(read: Option<i64>, current: i64) -> Result<()> {
        match read {
            Some(v) if v != current => Err(StoreError::StaleVersion {
                expected: v,
                found: current,
            }
            .into()),
            _ => Ok(()),
        }
    }

    /// An error of `kind` with its code and reasons.
    pub fn new(kind: Kind, code: &str, zh: impl Into<String>, en: impl Into<String>) -> Error {
        Error {
            kind,
            code: code.to_owned(),
            zh: zh.into(),
            en: en.into(),
        }
    }

    /// [`Kind::Invalid`] with code `invalid_input`.
    pub fn invalid(zh: impl Into<String>, en: impl Into<String>) -> Error {
        Error::new(Kind::Invalid, "invalid_input", zh, en)
    }

    /// [`Kind::Conflict`] with code `conflict`.
    pub fn conflict(zh: impl Into<String>, en: impl Into<String>) -> Error {
        Error::new(Kind::Conflict, "conflict", zh, en)
    }

    /// [`Kind::Forbidden`] with code `role_not_allowed`.
    pub fn role_not_allowed(zh: impl Into<String>, en: impl Into<String>) -> Error {
        Error::new(Kind::Forbidden, "role_not_allowed", zh, en)
    }

    /// [`Kind::Forbidden`] without a particular reason.
    pub fn forbidden() -> Error {
        Error::new(
            Kind::Forbidden,
            "forbidden",
            "无权执行此操作（角色或管辖区域不允许）",
            "Your role or area does not allow this",
        )
    }

    /// [`Kind::NotFound`].
    pub fn not_found() -> Error {
        Error::new(
            Kind::NotFound,
            "not_found",
            "未找到，或不在您的管辖范围内",
            "Not found, or outside your area",
        )
    }

    /// [`Kind::Internal`]: `detail` is logged, the user sees a generic message.
    pub fn internal(detail: impl std::fmt::Display) -> Error {
        tracing::error!("internal error: {detail}");
        Error::new(
            Kind::Internal,
            "internal",
            "服务器内部错误，请稍后重试或联系管理员",
            "Internal server error; please try again later",
        )
    }

    /// The reason in Chinese (`zh`) or English.
    pub fn message(&self, zh: bool) -> &str {
        if zh { &self.zh } else { &self.en }
    }
}

impl From<Refusal> for Error {
    fn from(r: Refusal) -> Error {
        Error {
            kind: Kind::of_refusal(r.code),
            code: shouwang_core::CodeList::code(&r.code).to_owned(),
            zh: r.message_zh,
            en: r.message_en,
        }
    }
}

impl From<StoreError> for Error {
    fn from(e: StoreError) -> Error {
        match e {
            StoreError::NotFound => Error::not_found(),
            StoreError::Forbidden => Error::forbidden(),
            StoreError::StaleVersion { expected, found } => Error::new(
                Kind::Conflict,
                "stale_version",
                format!(
                    "该记录已被他人修改（您的版本 {expected}，当前版本 {found}），请刷新后重新办理；本次操作未生效"
                ),
                format!(
                    "The record has changed since you read it (your version {expected}, now {found}); nothing was written"
                ),
            ),
            StoreError::Invalid { zh, en } => Error::new(Kind::Invalid, "invalid", zh, en),
            StoreError::Conflict { zh, en } => Error::new(Kind::Conflict, "conflict", zh, en),
            StoreError::Refused(r) => r.into(),
            StoreError::Busy => Error::new(
                Kind::TooMany,
                "busy",
                "同时登录的人数过多，请稍后再试",
                "Too many sign-ins at once; try again shortly",
            ),
            StoreError::Db(e) => Error::internal(e),
        }
    }
}
