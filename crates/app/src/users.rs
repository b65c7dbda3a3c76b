//! 用户授权: which roles and areas an admin may give, and which accounts it manages — the rules are
//! core's ([`Scope::grant`], [`Scope::manages`]); the user-administration page `/admin/users` and
//! `/api/v1/users` both ask here.

use shouwang_core::access::GrantRefusal;
use shouwang_core::{CodeList, Role, Scope};
use shouwang_store::Db;
use shouwang_store::repo;
use shouwang_store::repo::users::UserWithScope;

use crate::error::{Error, Kind};

fn refused(g: GrantRefusal) -> Error {
    let (kind, code) = match g {
        GrantRefusal::NotManaged => (Kind::NotFound, "not_found"),
        GrantRefusal::RoleNotManaged => (Kind::Forbidden, "forbidden"),
        GrantRefusal::Protected => (Kind::Forbidden, "separation_of_duties"),
        GrantRefusal::AreaLevel => (Kind::Invalid, "invalid_input"),
        GrantRefusal::Role | GrantRefusal::Area => (Kind::Forbidden, "not_grantable"),
    };
    Error::new(kind, code, g.message_zh(), g.message_en())
}

/// Whether the admin of scope `admin` may give the role `role_code` (its code, e.g. `cadre`) over
/// `area`: the role and the normalised area prefix, or the refusal — [`Kind::Forbidden`] with code
/// `not_grantable` for a role or area the admin may not give, [`Kind::Invalid`] for an area that is
/// not of the role's level.
pub fn check_grant(admin: &Scope, role_code: &str, area: &str) -> Result<(Role, String), Error> {
    let role = Role::from_code(role_code.trim()).ok_or_else(|| refused(GrantRefusal::Role))?;
    let area: String = area.chars().filter(|c| !c.is_control()).take(32).collect();
    let prefix = admin.grant(role, &area).map_err(refused)?;
    Ok((role, prefix))
}

/// The account `id` if the admin of scope `admin` manages it ([`Scope::manages`]): [`Kind::NotFound`]
/// outside the admin's area or above it, [`Kind::Forbidden`] for a role a township admin does not manage.
pub async fn managed_user(db: &Db, admin: &Scope, id: i64) -> Result<UserWithScope, Error> {
    let t = repo::users::get(db, id)
        .await?
        .ok_or_else(Error::not_found)?;
    admin.manages(&t.scope).map_err(refused)?;
    Ok(t)
}
