//! `monitoring_lines`: 防止返贫监测线 per province and year, in fen.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize)]
#[sea_orm(table_name = "monitoring_lines")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub province: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub year: i32,
    pub line_fen: i64,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
