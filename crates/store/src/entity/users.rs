//! `users`: accounts (argon2id password hashes).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "users")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: i64,
    pub username: String,
    pub display_name: String,
    /// argon2id PHC string. Never serialised (not even into the audit log).
    pub password_hash: String,
    pub is_active: bool,
    /// Set by an admin's reset: the user must choose a new password before anything else.
    pub must_change_password: bool,
    pub version: i64,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
