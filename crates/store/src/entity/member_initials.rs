//! `member_initials`: the surname blind index (`members.surname_key`) of each member, once per household
//! (kept by triggers; see the migrations `m20250601_000002_member_initials` and
//! `m20261208_000020_sealed_names`). Read-only for the application.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "member_initials")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub county_code: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub surname_key: i64,
    #[sea_orm(primary_key, auto_increment = false)]
    pub number: String,
    pub village_code: String,
    pub household_type: String,
    /// 监测户: type `monitored` or a monitored type set.
    pub is_monitored: bool,
    pub household_id: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
