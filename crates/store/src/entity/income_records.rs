//! `income_records`: 家庭收入, one row per household and year. Money in fen.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize)]
#[sea_orm(table_name = "income_records")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub county_code: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: i64,
    pub village_code: String,
    pub household_id: i64,
    pub year: i32,
    pub wage: i64,
    pub business: i64,
    pub property: i64,
    pub transfer: i64,
    pub production_cost: i64,
    pub rigid_medical: i64,
    pub rigid_education: i64,
    pub rigid_disability: i64,
    pub rigid_disaster: i64,
    pub insurance_payout: i64,
    pub members: i32,
    /// 数据来源: an `IncomeSource` code.
    pub source: String,
    /// 数据日期, `YYYY-MM-DD`: the day the figures were established (a visit's date); `None`: the day
    /// the row was written (`updated_at`, Beijing time).
    pub as_of: Option<String>,
    pub version: i64,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
