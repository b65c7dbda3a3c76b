//! `members`: 家庭成员. Tenant table, primary key `(county_code, id)`, unique `(county_code, id_key)`.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize)]
#[sea_orm(table_name = "members")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub county_code: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: i64,
    pub village_code: String,
    pub household_id: i64,
    /// Order within the household (0-based).
    pub position: i32,
    /// 居民身份证号码, 18 characters, upper-case X; sealed (`crypto::sealed::MEMBER_ID`) unless `key_version` is 0.
    pub id_number: String,
    /// The ID number's blind index (盲索引): HMAC-SM3 under the data key of version `key_version`, first
    /// 63 bits (`crypto::Keys::id_index`; fast lookups that tell nothing without the key).
    pub id_key: i64,
    /// 姓名; sealed (`crypto::sealed::MEMBER_NAME`) unless `names_plain`.
    pub name: String,
    pub sex: String,
    pub relation: String,
    pub labour: String,
    /// `HealthStatus` codes, comma-separated.
    pub health: String,
    pub education: Option<String>,
    pub school: Option<String>,
    pub political: String,
    pub has_medical_insurance: bool,
    pub dibao: String,
    pub tekun: String,
    pub disability_grade: Option<i16>,
    pub version: i64,
    /// The data key version of `id_key` (0: the former packed key, rewritten by `repo::keys`).
    pub key_version: i32,
    /// The blind index of the whole name (`crypto::Keys::name_index` of the normalised name) under key
    /// `key_version`; `None` while the name is still plain (migration 000020).
    pub name_key: Option<i64>,
    /// The blind index of the surname (姓氏, `shouwang_core::surname::surname`), same key.
    pub surname_key: Option<i64>,
    /// The name is still stored plain (a row from before migration 000020, sealed by `repo::keys`).
    pub names_plain: bool,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
