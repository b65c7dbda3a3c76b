//! User accounts (用户): argon2id password hashes, one role with its area per user.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
};
use serde::Serialize;
use shouwang_core::{CodeList, Role, Scope};

use super::audit::{self, Change};
use super::{Actor, prefix_condition};
use crate::db::Db;
use crate::entity::{sessions, user_roles, users};
use crate::error::{Result, StoreError};
use crate::ids::new_id;
use crate::secret;

/// Shortest password accepted (characters).
pub const MIN_PASSWORD_CHARS: usize = 8;
/// Longest password accepted (characters; argon2 takes any length, this bounds the work per login).
pub const MAX_PASSWORD_CHARS: usize = 256;

/// A user with the scope of its role.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct UserWithScope {
    pub id: i64,
    pub username: String,
    /// 姓名 shown in the UI and written into the audit log.
    pub display_name: String,
    pub is_active: bool,
    /// An admin reset the password: the user must set a new one before anything else.
    pub must_change_password: bool,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    /// Role and area (`scope.user_id == id`).
    pub scope: Scope,
}

impl UserWithScope {
    /// The user as the actor of a change.
    pub fn actor(&self) -> Actor {
        Actor::new(self.id, self.display_name.clone())
    }
}

/// The significant prefix of an area for `role`: accepts `141123`, `141123000000` (county), `141123100`,
/// `141123100000` (township), `141123100201` (village); refuses an area of the wrong level for the role.
pub fn normalise_area(role: Role, area: &str) -> Result<String> {
    role.area_for(area).map_err(|g| {
        StoreError::invalid(
            format!(
                "管辖区域“{area}”不适用于{}：{}",
                role.label_zh(),
                g.message_zh()
            ),
            format!("Area {area:?} for role {}: {}", role.code(), g.message_en()),
        )
    })
}

fn check_username(username: &str) -> Result<String> {
    let u = username.trim();
    let n = u.chars().count();
    if n == 0 || n > 64 || u.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(StoreError::invalid(
            "用户名为 1 至 64 个字符，不含空格",
            "User name: 1 to 64 characters without spaces",
        ));
    }
    Ok(u.to_owned())
}

fn check_password(password: &str) -> Result<()> {
    let n = password.chars().count();
    if !(MIN_PASSWORD_CHARS..=MAX_PASSWORD_CHARS).contains(&n) {
        return Err(StoreError::invalid(
            format!("密码长度应为 {MIN_PASSWORD_CHARS} 至 {MAX_PASSWORD_CHARS} 个字符"),
            format!("Password: {MIN_PASSWORD_CHARS} to {MAX_PASSWORD_CHARS} characters"),
        ));
    }
    Ok(())
}

/// The longest user name looked up at sign-in: a longer one is refused before any work.
pub const MAX_USERNAME_CHARS: usize = 64;

/// Password hashing (argon2id, 19 MiB and tens of milliseconds each) runs at most twice the number of
/// cores at once; a sign-in that waits more than [`HASH_WAIT`] for a slot is answered [`StoreError::Busy`]
/// (429), so that a login flood cannot take the memory or the blocking pool (issue 20).
fn hash_slots() -> &'static tokio::sync::Semaphore {
    static SLOTS: std::sync::OnceLock<tokio::sync::Semaphore> = std::sync::OnceLock::new();
    SLOTS.get_or_init(|| {
        let cores = std::thread::available_parallelism().map_or(2, std::num::NonZero::get);
        tokio::sync::Semaphore::new(2 * cores)
    })
}

/// How long a sign-in waits for a hashing slot.
const HASH_WAIT: std::time::Duration = std::time::Duration::from_secs(5);

async fn hash_slot() -> Result<tokio::sync::SemaphorePermit<'static>> {
    match tokio::time::timeout(HASH_WAIT, hash_slots().acquire()).await {
        Ok(Ok(permit)) => Ok(permit),
        _ => Err(StoreError::Busy),
    }
}

async fn hash(password: &str) -> Result<String> {
    let password = password.to_owned();
    let _slot = hash_slot().await?;
    tokio::task::spawn_blocking(move || secret::hash_password(&password))
        .await
        .map_err(|e| StoreError::Db(sea_orm::DbErr::Custom(format!("hashing task: {e}"))))?
        .map_err(|e| StoreError::internal(format!("password cannot be hashed: {e}")))
}

async fn verify(password: &str, phc: &str) -> Result<bool> {
    let (password, phc) = (password.to_owned(), phc.to_owned());
    let _slot = hash_slot().await?;
    Ok(
        tokio::task::spawn_blocking(move || secret::verify_password(&password, &phc))
            .await
            .unwrap_or(false),
    )
}

fn role_json(
    username: &str,
    display_name: &str,
    role: Role,
    area: &str,
    active: bool,
) -> serde_json::Value {
    serde_json::json!({
        "username": username,
        "display_name": display_name,
        "role": role.code(),
        "area": area,
        "is_active": active,
    })
}

/// Adds a user with one role over `area` (a region code of the role's level; padded codes accepted).
/// The password is stored as an argon2id hash. A taken user name is `Conflict`.
pub async fn add(
    db: &Db,
    actor: &Actor,
    username: &str,
    display_name: &str,
    password: &str,
    role: Role,
    area: &str,
) -> Result<i64> {
    let username = check_username(username)?;
    let display_name = display_name.trim();
    if display_name.is_empty() || display_name.chars().count() > 64 {
        return Err(StoreError::invalid(
            "姓名为 1 至 64 个字符",
            "Display name: 1 to 64 characters",
        ));
    }
    check_password(password)?;
    let area = normalise_area(role, area)?;
    let phc = hash(password).await?;
    let now = Utc::now();
    let id = new_id();
    let tx = db.begin_write().await?;
    users::ActiveModel {
        id: Set(id),
        username: Set(username.clone()),
        display_name: Set(display_name.to_owned()),
        password_hash: Set(phc),
        is_active: Set(true),
        must_change_password: Set(false),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&tx)
    .await
    .map_err(|e| {
        StoreError::from_write(
            e,
            &format!("用户名“{username}”"),
            &format!("User name {username:?}"),
        )
    })?;
    user_roles::ActiveModel {
        id: Set(new_id()),
        user_id: Set(id),
        role: Set(role.code().to_owned()),
        area: Set(area.clone()),
        county_code: Set(area.get(..6).unwrap_or_default().to_owned()),
        created_at: Set(now),
    }
    .insert(&tx)
    .await?;
    audit::append(
        &tx,
        actor,
        Change {
            action: "create",
            entity: "user",
            entity_id: id.to_string(),
            county_code: area.get(..6).map(str::to_owned),
            village_code: None,
            before: None,
            after: Some(role_json(&username, display_name, role, &area, true)),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

async fn with_scope(
    conn: &impl ConnectionTrait,
    user: users::Model,
) -> Result<Option<UserWithScope>> {
    let role = user_roles::Entity::find()
        .filter(user_roles::Column::UserId.eq(user.id))
        .order_by_asc(user_roles::Column::Id)
        .one(conn)
        .await?;
    let Some(role) = role else {
        return Ok(None);
    };
    let r = Role::from_code(&role.role).ok_or_else(|| StoreError::corrupt(&role.role))?;
    Ok(Some(UserWithScope {
        id: user.id,
        username: user.username,
        display_name: user.display_name,
        is_active: user.is_active,
        must_change_password: user.must_change_password,
        version: user.version,
        created_at: user.created_at,
        scope: Scope::new(user.id, r, role.area),
    }))
}

/// Checks a user name and password. `Ok(None)` for an unknown user, a wrong password, a deactivated user
/// or a user without a role; the same time is spent in each case (an unknown user is checked against a
/// dummy hash).
pub async fn authenticate(
    db: &Db,
    username: &str,
    password: &str,
) -> Result<Option<UserWithScope>> {
    // Bounded before any work: no lookup, no hashing for an over-long name or password.
    if username.chars().count() > MAX_USERNAME_CHARS
        || password.chars().count() > MAX_PASSWORD_CHARS
    {
        return Ok(None);
    }
    let found = users::Entity::find()
        .filter(users::Column::Username.eq(username.trim()))
        .one(db.conn())
        .await?;
    let Some(user) = found else {
        let _ = verify(password, secret::dummy_hash()).await?;
        return Ok(None);
    };
    if !verify(password, &user.password_hash).await? || !user.is_active {
        return Ok(None);
    }
    with_scope(db.conn(), user).await
}

/// The user with this id (active or not), `None` if there is none.
pub async fn get(db: &Db, id: i64) -> Result<Option<UserWithScope>> {
    match users::Entity::find_by_id(id).one(db.conn()).await? {
        Some(u) => with_scope(db.conn(), u).await,
        None => Ok(None),
    }
}

/// The user with this login name (active or not), `None` if there is none. For the command line's
/// `--user` (acting as a user without a password: whoever runs the binary holds the database anyway).
pub async fn find_by_username(db: &Db, username: &str) -> Result<Option<UserWithScope>> {
    match users::Entity::find()
        .filter(users::Column::Username.eq(username.trim()))
        .one(db.conn())
        .await?
    {
        Some(u) => with_scope(db.conn(), u).await,
        None => Ok(None),
    }
}

/// The users whose role area lies inside `scope`'s area, by user name.
pub async fn list(db: &Db, scope: &Scope) -> Result<Vec<UserWithScope>> {
    let area = scope.area_prefix();
    if area.is_empty() {
        return Ok(Vec::new());
    }
    let roles = user_roles::Entity::find()
        .filter(prefix_condition(user_roles::Column::Area, area))
        .order_by_asc(user_roles::Column::Id)
        .all(db.conn())
        .await?;
    let ids: Vec<i64> = roles.iter().map(|r| r.user_id).collect();
    let found = users::Entity::find()
        .filter(users::Column::Id.is_in(ids))
        .order_by_asc(users::Column::Username)
        .all(db.conn())
        .await?;
    let mut out = Vec::with_capacity(found.len());
    for u in found {
        // The first role of the user decides its scope (as in `with_scope`).
        let Some(role) = roles.iter().find(|r| r.user_id == u.id) else {
            continue;
        };
        let r = Role::from_code(&role.role).ok_or_else(|| StoreError::corrupt(&role.role))?;
        out.push(UserWithScope {
            id: u.id,
            username: u.username,
            display_name: u.display_name,
            is_active: u.is_active,
            must_change_password: u.must_change_password,
            version: u.version,
            created_at: u.created_at,
            scope: Scope::new(u.id, r, role.area.clone()),
        });
    }
    Ok(out)
}

/// The county of a user's first role (for the audit row's area).
pub(crate) async fn user_county(
    conn: &impl ConnectionTrait,
    user_id: i64,
) -> Result<Option<String>> {
    let role = user_roles::Entity::find()
        .filter(user_roles::Column::UserId.eq(user_id))
        .order_by_asc(user_roles::Column::Id)
        .one(conn)
        .await?;
    Ok(role.map(|r| r.county_code).filter(|c| !c.is_empty()))
}

/// Bumps a user's version from `expected_version`, or reports the stale version / missing user.
async fn bump_version(
    conn: &impl ConnectionTrait,
    id: i64,
    expected_version: i64,
    set: Vec<(users::Column, sea_orm::sea_query::SimpleExpr)>,
) -> Result<i64> {
    let mut upd = users::Entity::update_many()
        .col_expr(users::Column::Version, Expr::value(expected_version + 1))
        .col_expr(users::Column::UpdatedAt, Expr::value(Utc::now()));
    for (c, v) in set {
        upd = upd.col_expr(c, v);
    }
    let res = upd
        .filter(users::Column::Id.eq(id))
        .filter(users::Column::Version.eq(expected_version))
        .exec(conn)
        .await?;
    if res.rows_affected == 1 {
        return Ok(expected_version + 1);
    }
    match users::Entity::find_by_id(id).one(conn).await? {
        Some(u) => Err(StoreError::StaleVersion {
            expected: expected_version,
            found: u.version,
        }),
        None => Err(StoreError::NotFound),
    }
}

/// Who sets a password: the user, knowing the old one, or an admin resetting it (the user must then
/// choose a new one at the next sign-in).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PasswordChange {
    /// The user's own change (the old password checked by the caller).
    Own,
    /// An admin's reset (重置密码).
    ResetByAdmin,
}

/// Sets a new password (argon2id) and ends all the user's sessions. Returns the new version.
pub async fn set_password(
    db: &Db,
    actor: &Actor,
    user_id: i64,
    new_password: &str,
    expected_version: i64,
    change: PasswordChange,
) -> Result<i64> {
    check_password(new_password)?;
    let phc = hash(new_password).await?;
    let tx = db.begin_write().await?;
    let must_change = change == PasswordChange::ResetByAdmin;
    let version = bump_version(
        &tx,
        user_id,
        expected_version,
        vec![
            (users::Column::PasswordHash, Expr::value(phc)),
            (users::Column::MustChangePassword, Expr::value(must_change)),
        ],
    )
    .await?;
    sessions::Entity::delete_many()
        .filter(sessions::Column::UserId.eq(user_id))
        .exec(&tx)
        .await?;
    audit::append(
        &tx,
        actor,
        Change {
            action: "set_password",
            entity: "user",
            entity_id: user_id.to_string(),
            county_code: user_county(&tx, user_id).await?,
            village_code: None,
            before: Some(serde_json::json!({ "version": expected_version })),
            after: Some(serde_json::json!({
                "version": version,
                "password": "(changed)",
                "must_change_password": must_change,
            })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(version)
}

/// Changes a user's role and area (角色与管辖范围): the area normalised for the role, the user's version
/// bumped from `expected_version` (stale → `StaleVersion`), the user's sessions ended (they carried the
/// old scope), the change audited with before and after. Returns the new version. Who may grant what is
/// the caller's check (the admin page's rules).
pub async fn set_role(
    db: &Db,
    actor: &Actor,
    user_id: i64,
    role: Role,
    area: &str,
    expected_version: i64,
) -> Result<i64> {
    let area = normalise_area(role, area)?;
    let tx = db.begin_write().await?;
    let before = users::Entity::find_by_id(user_id)
        .one(&tx)
        .await?
        .ok_or(StoreError::NotFound)?;
    let old = with_scope(&tx, before.clone())
        .await?
        .ok_or(StoreError::NotFound)?;
    let version = bump_version(&tx, user_id, expected_version, Vec::new()).await?;
    user_roles::Entity::update_many()
        .col_expr(user_roles::Column::Role, Expr::value(role.code()))
        .col_expr(user_roles::Column::Area, Expr::value(area.clone()))
        .col_expr(
            user_roles::Column::CountyCode,
            Expr::value(area.get(..6).unwrap_or_default().to_owned()),
        )
        .filter(user_roles::Column::UserId.eq(user_id))
        .exec(&tx)
        .await?;
    sessions::Entity::delete_many()
        .filter(sessions::Column::UserId.eq(user_id))
        .exec(&tx)
        .await?;
    let mut before_json = role_json(
        &before.username,
        &before.display_name,
        old.scope.role,
        old.scope.area_prefix(),
        before.is_active,
    );
    before_json["version"] = serde_json::json!(expected_version);
    let mut after_json = role_json(
        &before.username,
        &before.display_name,
        role,
        &area,
        before.is_active,
    );
    after_json["version"] = serde_json::json!(version);
    audit::append(
        &tx,
        actor,
        Change {
            action: "update",
            entity: "user",
            entity_id: user_id.to_string(),
            county_code: area.get(..6).map(str::to_owned),
            village_code: None,
            before: Some(before_json),
            after: Some(after_json),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(version)
}

/// Activates or deactivates a user (a deactivated user cannot log in; its sessions end). Returns the new
/// version.
pub async fn set_active(
    db: &Db,
    actor: &Actor,
    user_id: i64,
    active: bool,
    expected_version: i64,
) -> Result<i64> {
    let tx = db.begin_write().await?;
    let before = users::Entity::find_by_id(user_id)
        .one(&tx)
        .await?
        .ok_or(StoreError::NotFound)?;
    let version = bump_version(
        &tx,
        user_id,
        expected_version,
        vec![(users::Column::IsActive, Expr::value(active))],
    )
    .await?;
    if !active {
        sessions::Entity::delete_many()
            .filter(sessions::Column::UserId.eq(user_id))
            .exec(&tx)
            .await?;
    }
    audit::append(
        &tx,
        actor,
        Change {
            action: "update",
            entity: "user",
            entity_id: user_id.to_string(),
            county_code: user_county(&tx, user_id).await?,
            village_code: None,
            before: Some(
                serde_json::json!({ "is_active": before.is_active, "version": before.version }),
            ),
            after: Some(serde_json::json!({ "is_active": active, "version": version })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(version)
}
