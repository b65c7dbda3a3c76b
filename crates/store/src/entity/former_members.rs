//! `former_members`: 原家庭成员, a member who left the household (死亡, 迁出) with the reason and the date.
//! Tenant table, primary key `(county_code, id)`; the household's rows go with it (see the migration).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize)]
#[sea_orm(table_name = "former_members")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub county_code: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: i64,
    pub village_code: String,
    pub household_id: i64,
    /// The id the member's row had in `members`.
    pub member_id: i64,
    /// 身份证号.
    pub id_number: String,
    /// 姓名 when he left.
    pub name: String,
    /// `Relation` code when he left.
    pub relation: String,
    /// `LeaveReason` code (`death`, `moved_out`).
    pub reason: String,
    /// The date he left, `YYYY-MM-DD`.
    pub left_on: String,
    /// The whole member when he left: JSON of `shouwang_core::Member`.
    pub member: String,
    pub created_at: DateTimeUtc,
    /// The data key version of the sealed columns (0: still plain; `crypto::sealed`).
    pub key_version: i32,
    /// `name` is still stored plain (a row from before migration 000020); otherwise sealed
    /// (`crypto::sealed::FORMER_NAME`).
    pub names_plain: bool,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
