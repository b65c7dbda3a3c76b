//! `income_other_sources`: 其他来源收支（不计入）— the latest figures of each other source for a household
//! and year than the one whose record counts (`income_records`). Tenant table, primary key
//! `(county_code, id)`, unique per household, year and source; the household's rows go with it (see the
//! migration).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize)]
#[sea_orm(table_name = "income_other_sources")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub county_code: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: i64,
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
    /// 数据日期 of the figures, `YYYY-MM-DD`.
    pub as_of: String,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
