//! Login sessions (登录会话), kept server-side in our own database.
//!
//! A session token is 32 random bytes in hex, handed to the browser in a cookie; the table stores only its
//! SHA-256, so a copy of the database does not let anyone log in. Each session has its own CSRF token
//! (also 32 random bytes in hex) that every form must echo. Logins and logouts are audited.

use std::time::Duration;

use chrono::{DateTime, Utc};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};
use serde::Serialize;
use shouwang_core::{CodeList, Role, Scope};

use super::audit::{self, Change};
use super::{Actor, Sql};
use crate::db::Db;
use crate::entity::{sessions, users};
use crate::error::{Result, StoreError};
use crate::secret;

/// The user behind a valid session.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SessionUser {
    pub user_id: i64,
    pub username: String,
    pub display_name: String,
    /// Role and area.
    pub scope: Scope,
    /// The session's CSRF token, to be embedded in forms and compared on every state-changing request.
    pub csrf_token: String,
    /// When the session ends (UTC).
    pub expires_at: DateTime<Utc>,
    /// An admin reset the password: the user may only choose a new one.
    pub must_change_password: bool,
}

impl SessionUser {
    /// The user as the actor of a change.
    pub fn actor(&self) -> Actor {
        Actor::new(self.user_id, self.display_name.clone())
    }
}

/// Starts a session for `user_id` lasting `ttl`; returns `(token, csrf_token)`. The token goes into the
/// cookie; only its SHA-256 is stored. `NotFound` for an unknown user, `Forbidden` for a deactivated one.
pub async fn create(db: &Db, user_id: i64, ttl: Duration) -> Result<(String, String)> {
    let ttl = chrono::TimeDelta::from_std(ttl)
        .map_err(|_| StoreError::internal("session lifetime too long"))?;
    let now = Utc::now();
    let expires_at = now
        .checked_add_signed(ttl)
        .ok_or_else(|| StoreError::internal("session lifetime too long"))?;
    let token = secret::random_token()?;
    let csrf = secret::random_token()?;
    let tx = db.begin_write().await?;
    let user = users::Entity::find_by_id(user_id)
        .one(&tx)
        .await?
        .ok_or(StoreError::NotFound)?;
    if !user.is_active {
        return Err(StoreError::Forbidden);
    }
    sessions::ActiveModel {
        token_hash: Set(secret::token_hash(&token)),
        user_id: Set(user_id),
        csrf_token: Set(csrf.clone()),
        created_at: Set(now),
        expires_at: Set(expires_at),
    }
    .insert(&tx)
    .await?;
    audit::append(
        &tx,
        &Actor::new(user.id, user.display_name.clone()),
        Change {
            action: "login",
            entity: "session",
            entity_id: user_id.to_string(),
            county_code: super::users::user_county(&tx, user_id).await?,
            village_code: None,
            before: None,
            after: Some(serde_json::json!({ "expires_at": expires_at })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok((token, csrf))
}

/// The user of a valid session: `None` for an unknown token, an expired session, or a user that has since
/// been deactivated or lost its role.
///
/// One statement (issue 26: it runs on every request): the session joined with its user and the user's
/// first role, and the version of the per-county constants, which the `Db`'s cache of them checks
/// ([`crate::constants`]).
pub async fn lookup(db: &Db, token: &str) -> Result<Option<SessionUser>> {
    let token = token.trim();
    if token.is_empty() || token.len() > 256 {
        return Ok(None);
    }
    let mut sql = Sql::new();
    sql.push(
        "SELECT s.user_id, s.csrf_token, s.expires_at, u.username, u.display_name, u.is_active, \
         u.must_change_password, r.role, r.area, ",
    )
    .push(crate::constants::VERSION_COLUMN)
    .push(
        " AS constants_version FROM sessions s JOIN users u ON u.id = s.user_id \
         JOIN user_roles r ON r.id = (SELECT MIN(f.id) FROM user_roles f WHERE f.user_id = s.user_id) \
         WHERE s.token_hash = ",
    )
    .bind(secret::token_hash(token));
    let conn = db.conn();
    let Some(row) = conn
        .query_one_raw(sql.build(conn.get_database_backend()))
        .await?
    else {
        return Ok(None);
    };
    db.observe_constants(row.try_get("", "constants_version")?);
    let expires_at: DateTime<Utc> = row.try_get("", "expires_at")?;
    let is_active: bool = row.try_get("", "is_active")?;
    if expires_at <= Utc::now() || !is_active {
        return Ok(None);
    }
    let user_id: i64 = row.try_get("", "user_id")?;
    let role: String = row.try_get("", "role")?;
    let role = Role::from_code(&role).ok_or_else(|| StoreError::corrupt(&role))?;
    let area: String = row.try_get("", "area")?;
    Ok(Some(SessionUser {
        user_id,
        username: row.try_get("", "username")?,
        display_name: row.try_get("", "display_name")?,
        scope: Scope::new(user_id, role, area),
        csrf_token: row.try_get("", "csrf_token")?,
        expires_at,
        must_change_password: row.try_get("", "must_change_password")?,
    }))
}

/// Ends a session (logout). Unknown tokens are ignored.
pub async fn delete(db: &Db, token: &str) -> Result<()> {
    let hash = secret::token_hash(token.trim());
    let tx = db.begin_write().await?;
    let Some(s) = sessions::Entity::find_by_id(hash.clone()).one(&tx).await? else {
        return Ok(());
    };
    sessions::Entity::delete_by_id(hash).exec(&tx).await?;
    let name = users::Entity::find_by_id(s.user_id)
        .one(&tx)
        .await?
        .map(|u| u.display_name)
        .unwrap_or_default();
    audit::append(
        &tx,
        &Actor::new(s.user_id, name),
        Change {
            action: "logout",
            entity: "session",
            entity_id: s.user_id.to_string(),
            county_code: super::users::user_county(&tx, s.user_id).await?,
            village_code: None,
            before: Some(serde_json::json!({ "expires_at": s.expires_at })),
            after: None,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Removes expired sessions (housekeeping; one audit row with the count if any were removed). Returns how
/// many were removed.
pub async fn purge_expired(db: &Db) -> Result<u64> {
    let tx = db.begin_write().await?;
    let res = sessions::Entity::delete_many()
        .filter(sessions::Column::ExpiresAt.lte(Utc::now()))
        .exec(&tx)
        .await?;
    if res.rows_affected > 0 {
        audit::append(
            &tx,
            &Actor::system(),
            Change {
                action: "purge_expired",
                entity: "session",
                entity_id: String::new(),
                county_code: None,
                village_code: None,
                before: Some(serde_json::json!({ "sessions": res.rows_affected })),
                after: None,
            },
        )
        .await?;
    }
    tx.commit().await?;
    Ok(res.rows_affected)
}
