//! `province_line_policies`: whether a province's counties may set their own monitoring line (no row:
//! they may).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize)]
#[sea_orm(table_name = "province_line_policies")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub province: String,
    pub county_lines_allowed: bool,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
