//! `households`: 农户. Tenant table, primary key `(county_code, id)`, unique `(county_code, number)`.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize)]
#[sea_orm(table_name = "households")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub county_code: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: i64,
    pub township_code: String,
    pub village_code: String,
    /// 户编号.
    pub number: String,
    pub natural_village: Option<String>,
    /// `HouseholdType` code.
    pub household_type: String,
    pub address: String,
    pub phone: Option<String>,
    /// 易地扶贫搬迁.
    pub is_relocated: bool,
    /// `MonitoredType` code.
    pub monitored_type: Option<String>,
    /// `RiskType` codes, comma-separated, in order.
    pub risks: String,
    /// Denormalised from the members (kept by the repository): 户主姓名.
    pub head_name: String,
    /// Denormalised: 户主身份证号.
    pub head_id_number: String,
    /// Denormalised: 家庭人口.
    pub size: i32,
    pub version: i64,
    /// The data key version of the sealed columns (0: still plain; `crypto::sealed`).
    pub key_version: i32,
    /// `head_name` is still stored plain (a row from before migration 000020); otherwise sealed
    /// (`crypto::sealed::HEAD_NAME`).
    pub names_plain: bool,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
