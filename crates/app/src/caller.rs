//! 操作人: who acts — a signed-in user (web, API) or the operator's named user (CLI) — and the day the
//! work is done on.

use chrono::{Duration, NaiveDate, Utc};
use shouwang_core::Scope;
use shouwang_store::repo::sessions::SessionUser;
use shouwang_store::repo::users::UserWithScope;
use shouwang_store::repo::{self, Actor};
use shouwang_store::{Db, Result, StoreError};

/// Who acts: a signed-in user (API, web) or the operator's named user (CLI), with role and area.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Caller {
    /// The user's id.
    pub user_id: i64,
    /// 姓名 (written into the record and the audit log).
    pub name: String,
    /// Role and area.
    pub scope: Scope,
}

impl Caller {
    /// The caller of a session.
    pub fn from_session(s: &SessionUser) -> Caller {
        Caller {
            user_id: s.user_id,
            name: s.display_name.clone(),
            scope: s.scope.clone(),
        }
    }

    /// The caller acting as a user account.
    pub fn from_user(u: &UserWithScope) -> Caller {
        Caller {
            user_id: u.id,
            name: u.display_name.clone(),
            scope: u.scope.clone(),
        }
    }

    /// The actor of the audit log.
    pub fn actor(&self) -> Actor {
        Actor::new(self.user_id, self.name.clone())
    }

    /// The actor of the case record (with the role).
    pub fn by(&self) -> shouwang_core::monitoring::Actor {
        shouwang_core::monitoring::Actor::new(self.user_id, self.name.clone(), self.scope.role)
    }

    /// The county (6 digits) the caller works in; `Forbidden` for a scope wider than a county.
    pub fn county(&self) -> Result<String> {
        let area = self.scope.area_prefix().trim();
        match area.get(..6) {
            Some(c) if c.bytes().all(|b| b.is_ascii_digit()) => Ok(c.to_owned()),
            _ => Err(StoreError::Forbidden),
        }
    }
}

/// The caller acting as the active user `username` (the local CLI: the operator's machine, no
/// password); `None` for an unknown, deactivated or role-less user.
pub async fn caller_by_username(db: &Db, username: &str) -> Result<Option<Caller>> {
    Ok(account(db, username)
        .await?
        .filter(|u| u.is_active)
        .map(|u| Caller::from_user(&u)))
}

/// The caller of an account, active or not: the demo acts as the staff accounts it keeps inactive.
pub(crate) async fn staff_caller(db: &Db, username: &str) -> Result<Option<Caller>> {
    Ok(account(db, username).await?.map(|u| Caller::from_user(&u)))
}

async fn account(db: &Db, username: &str) -> Result<Option<repo::users::UserWithScope>> {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let Some(u) = shouwang_store::entity::users::Entity::find()
        .filter(shouwang_store::entity::users::Column::Username.eq(username.trim()))
        .one(db.conn())
        .await?
    else {
        return Ok(None);
    };
    repo::users::get(db, u.id).await
}

/// Today in China (Asia/Shanghai is UTC+8 all year): the default 办理日期.
pub fn today() -> NaiveDate {
    (Utc::now() + Duration::hours(8)).date_naive()
}
