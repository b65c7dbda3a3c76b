//! Households and members (农户与家庭成员): search, detail, create, update, delete.
//!
//! Reads take a [`Scope`](shouwang_core::Scope) and filter by its area in the SQL (a household outside the
//! area is `Ok(None)` / absent from a search, exactly as if it did not exist). Writes take an
//! [`Actor`](crate::repo::Actor), run in one transaction with their audit rows, and updates check the
//! row's version (`StaleVersion` otherwise, nothing written).
//!
//! Search keys (one box, [`HouseholdQuery::q`]): a full resident ID number (any member), a 户编号 (exact or
//! prefix), or a member's name (exact or prefix). Every key is answered from an index by equality or a
//! range predicate (`name >= 'p' AND name < 'p' || U+10FFFF`), never `LIKE`, which SQLite cannot serve
//! from an ordinary index.
//!
//! Files: `search.rs` (the search and its query plans), `reads.rs` (one household with everything the
//! detail page shows), `writes.rs` (create, update, delete), `member_changes.rs` (add, change, remove a
//! member), `departures.rs` (a member leaves — 死亡, 迁出 — and is kept as a former member), `checks.rs`
//! (what a household must satisfy before it is written) and `rows.rs` (row mapping between the tables and
//! the core's types). What the area of a read means is `repo/area.rs`.

mod checks;
mod departures;
mod member_changes;
mod reads;
mod rows;
mod search;
mod writes;

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use shouwang_core::codes::{HouseholdType, MonitoredType};
use shouwang_core::household::changes::LeaveReason;
use shouwang_core::{Household, IdNumber, Member};

use super::income::IncomeEntry;

pub(crate) use checks::{Valid, check_household};
pub use departures::depart_member;
pub(crate) use departures::move_former_members;
pub use member_changes::{
    add_member, add_member_joined, change_head, remove_member, update_member,
};
pub use reads::get;
pub(crate) use reads::{members_of, region_names};
pub(crate) use rows::{
    household_model, id_key, id_keys, join_codes, member_model, open_household, open_member,
    push_member_id, push_member_name, row, seal_household, seal_name, to_household, to_member,
};
pub(crate) use search::ROW_COLS;
pub use search::{explain_search, search};
pub(crate) use writes::{
    audit_json, bump_household, delete_rows, find_for_visit, find_for_write, refresh_head, stale,
};
pub use writes::{create, create_in_scope, create_many, delete, update};

/// Search parameters of [`search`]. All `None`: every household in the scope.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HouseholdQuery {
    /// A full ID number (居民身份证号码) of any member, a 户编号 (exact or prefix), or a member's name (exact or
    /// prefix). Blank = no text filter.
    pub q: Option<String>,
    /// Only this region (a township or village code, prefix or padded; a natural-village code also works).
    /// Intersected with the scope: a region outside it gives no rows.
    pub village: Option<String>,
    /// Only this household type. `Some(HouseholdType::Monitored)` means 监测户 as
    /// `Household::is_monitored` has it: type 监测户 **or** a 监测对象类别 set (a 脱贫不稳定户 keeps its type
    /// 脱贫户); the other types compare the stored type only.
    pub household_type: Option<HouseholdType>,
}

/// One row of a household list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct HouseholdRow {
    /// 户编号.
    pub number: String,
    pub village_code: String,
    /// Name of the village (empty if the region is missing from the registry).
    pub village_name: String,
    /// 户主姓名 (or the first member's name if no member is marked 户主).
    pub head_name: String,
    /// 户主身份证号 (full: mask it with `Scope::show_id` before showing).
    pub head_id: IdNumber,
    /// 家庭人口.
    pub size: u32,
    pub household_type: HouseholdType,
    pub monitored_type: Option<MonitoredType>,
}

/// A household with everything the detail page shows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct HouseholdDetail {
    /// Row id (with `county_code`, the primary key).
    pub id: i64,
    /// Version of the household row, for [`update`], [`add_member`], [`remove_member`], [`delete`].
    pub version: i64,
    pub household: Household,
    /// Version of each member row, same order as `household.members`, for [`update_member`].
    pub member_versions: Vec<i64>,
    /// Row id of each member, same order as `household.members` (a member's handle in the API and the
    /// pages, where a village user sees no full ID number).
    pub member_ids: Vec<i64>,
    /// 原家庭成员: the members who left (死亡, 迁出), in the order they left; not in `household.members`.
    pub former_members: Vec<FormerMember>,
    /// Income records, by year.
    pub incomes: Vec<IncomeEntry>,
    pub county_code: String,
    pub county_name: Option<String>,
    pub township_code: String,
    pub township_name: Option<String>,
    pub village_name: Option<String>,
    pub natural_village_name: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A member who left the household (原家庭成员), as he was when he left.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FormerMember {
    /// The member as he was.
    pub member: Member,
    /// 死亡 or 迁出.
    pub reason: LeaveReason,
    /// The date he died or moved out.
    pub left_on: NaiveDate,
    /// When the departure was recorded.
    pub recorded_at: DateTime<Utc>,
}
