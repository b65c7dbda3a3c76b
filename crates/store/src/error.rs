//! Store errors (存储层错误).

use sea_orm::{DbErr, SqlErr};

/// Result alias of the store.
pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Everything a repository call can refuse or fail with.
///
/// `NotFound`, `Forbidden`, `StaleVersion`, `Invalid` and `Conflict` are answers to the caller's input
/// (the web maps them to 404, 403, 409, 422, 409); `Db` is a server-side failure.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The addressed row does not exist (or is outside the caller's area: reads answer `Ok(None)` instead).
    #[error("not found")]
    NotFound,
    /// The caller's role or area does not allow this write.
    #[error("forbidden")]
    Forbidden,
    /// Optimistic locking: the row changed since the caller read it (乐观锁版本冲突).
    #[error("stale version: expected {expected}, found {found}")]
    StaleVersion { expected: i64, found: i64 },
    /// The input is not acceptable (输入有误): the reason in Chinese and in English, two fields; build it
    /// with [`StoreError::invalid`]. `Display` shows the English reason, [`StoreError::message_zh`] the Chinese.
    #[error("{en}")]
    Invalid {
        /// The reason in Chinese.
        zh: String,
        /// The reason in English.
        en: String,
    },
    /// A unique key is taken (数据重复, e.g. the same 户编号 or ID number twice in a county): the reason in
    /// Chinese and in English; build it with [`StoreError::conflict`].
    #[error("{en}")]
    Conflict {
        /// The reason in Chinese.
        zh: String,
        /// The reason in English.
        en: String,
    },
    /// A monitoring rule of the core refused the action (规则拒绝): out of order, wrong role, wrong state …
    /// Nothing was written. [`shouwang_core::monitoring::Refusal::is_forbidden`] tells 403 from 409.
    #[error("refused: {0}")]
    Refused(#[from] shouwang_core::monitoring::Refusal),
    /// Too much work at once (服务繁忙): every password-hashing slot was taken for a while (login floods).
    #[error("busy: too many sign-ins at once, try again shortly")]
    Busy,
    /// The database failed.
    #[error("database error: {0}")]
    Db(#[from] DbErr),
}

impl StoreError {
    /// The Chinese message shown to users.
    pub fn message_zh(&self) -> String {
        match self {
            StoreError::NotFound => "未找到，或不在您的管辖范围内".to_owned(),
            StoreError::Forbidden => "无权执行此操作（角色或管辖区域不允许）".to_owned(),
            StoreError::StaleVersion { .. } => {
                "该记录已被他人修改，请刷新页面后重新编辑（为避免覆盖他人的修改，本次保存未生效）"
                    .to_owned()
            }
            StoreError::Invalid { zh, .. } | StoreError::Conflict { zh, .. } => zh.clone(),
            StoreError::Refused(r) => r.message_zh.clone(),
            StoreError::Busy => "同时登录的人数过多，请稍后再试".to_owned(),
            StoreError::Db(_) => "数据库操作失败，请稍后重试或联系管理员".to_owned(),
        }
    }

    /// Bad input (输入有误), with the reason in Chinese and in English.
    pub fn invalid(zh: impl Into<String>, en: impl Into<String>) -> StoreError {
        StoreError::Invalid {
            zh: zh.into(),
            en: en.into(),
        }
    }

    /// A conflicting write (数据重复: a key taken), with the reason in Chinese and in English.
    pub fn conflict(zh: impl Into<String>, en: impl Into<String>) -> StoreError {
        StoreError::Conflict {
            zh: zh.into(),
            en: en.into(),
        }
    }

    /// Maps a database error from an insert or update to `Conflict` / `Invalid` where it is the caller's input
    /// (unique or foreign key violated), `Db` otherwise. `zh` and `en` name what was written
    /// (`"户编号 H1 的农户"`, `"household H1"`); the English reason keeps the database's detail.
    pub(crate) fn from_write(err: DbErr, zh: &str, en: &str) -> StoreError {
        match err.sql_err() {
            Some(SqlErr::UniqueConstraintViolation(detail)) => taken(zh, en, &detail),
            Some(SqlErr::ForeignKeyConstraintViolation(detail)) => {
                unknown_reference(zh, en, &detail)
            }
            _ => StoreError::Db(err),
        }
    }

    /// A failure of the server that no input of the caller's caused (a value that cannot be serialised, a
    /// database answer missing): a `Db` error, logged and shown as a generic message.
    pub(crate) fn internal(what: impl std::fmt::Display) -> StoreError {
        StoreError::Db(DbErr::Custom(what.to_string()))
    }

    /// A stored value that cannot be read back (a bad code, a bad ID number): data corruption, a server error.
    pub(crate) fn corrupt(what: impl std::fmt::Display) -> StoreError {
        StoreError::Db(DbErr::Type(format!("stored value cannot be read: {what}")))
    }
}

/// A unique key taken by a write of `zh` / `en` (`detail`: the database's message).
pub(crate) fn taken(zh: &str, en: &str, detail: &str) -> StoreError {
    StoreError::conflict(
        format!("{zh}与已有记录重复"),
        format!("{en}: a record with the same key exists ({detail})"),
    )
}

/// A foreign key violated by a write of `zh` / `en` (`detail`: the database's message).
pub(crate) fn unknown_reference(zh: &str, en: &str, detail: &str) -> StoreError {
    StoreError::invalid(
        format!("{zh}引用了不存在的数据"),
        format!("{en}: unknown reference ({detail})"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasons_are_two_fields() {
        let e = StoreError::invalid(
            "公示期不少于 5 天",
            "The objection period is at least 5 days",
        );
        assert!(
            matches!(&e, StoreError::Invalid { zh, en } if zh == "公示期不少于 5 天" && en == "The objection period is at least 5 days")
        );
        assert_eq!(e.message_zh(), "公示期不少于 5 天");
        assert_eq!(e.to_string(), "The objection period is at least 5 days");
        let c = StoreError::conflict("户编号已存在", "The household number exists already");
        assert!(matches!(&c, StoreError::Conflict { zh, .. } if zh == "户编号已存在"));
        assert_eq!(c.to_string(), "The household number exists already");
        assert_eq!(
            StoreError::NotFound.message_zh(),
            "未找到，或不在您的管辖范围内"
        );
    }

    #[test]
    fn a_write_error_names_what_in_both_languages() {
        let e = taken(
            "户编号 H1 的农户",
            "household H1",
            "UNIQUE constraint failed",
        );
        assert_eq!(e.message_zh(), "户编号 H1 的农户与已有记录重复");
        assert_eq!(
            e.to_string(),
            "household H1: a record with the same key exists (UNIQUE constraint failed)"
        );
        let e = unknown_reference("成员", "member", "FOREIGN KEY constraint failed");
        assert!(matches!(&e, StoreError::Invalid { zh, .. } if zh == "成员引用了不存在的数据"));
        assert_eq!(
            e.to_string(),
            "member: unknown reference (FOREIGN KEY constraint failed)"
        );
    }
}
