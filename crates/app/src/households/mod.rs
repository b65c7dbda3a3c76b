//! 户情变更: a household's changes between two registry imports (issue 17) — a member is born or marries in
//! (新增成员), dies or moves out (减员: kept as a former member 原家庭成员 with the reason and the date), the
//! 户主 changes, a member's situation changes (劳动技能, 健康状况, 残疾等级, 在校生状况, 低保, 特困, 参保 …), the
//! household's 易地搬迁 flag, address or phone changes.
//!
//! The household page's forms, `/api/v1/households/{n}/…` and `shouwang household …` all call [`change`]
//! with a [`ChangeRequest`] (household, the version the client read, the [`Change`]); none of them writes
//! to the store itself. `change`:
//!
//! 1. checks the role ([`shouwang_core::Role::may_change_registry`]: the village team and up; a cadre, a
//!    department clerk and an auditor may not) and finds the household in the caller's area (a household
//!    elsewhere is answered "not found");
//! 2. builds the changed member or household and checks the registry's rules
//!    ([`shouwang_core::household::changes`]: a valid ID number, the sex of the ID number, a 残疾等级 of 1
//!    to 4, dates not in the future; the whole-household rules: exactly one 户主), and the county's code
//!    list (a code the county disabled, 停用, is not taken for a new value);
//! 3. runs one store write ([`shouwang_store::repo::households`]): version-checked (stale → `Conflict`,
//!    code `stale_version`), audited, in one transaction — refused, it changes nothing.
//!
//! Versions: every change carries the household's version, except [`Change::UpdateMember`], which
//! carries the member's (two clerks may update two members at once).

mod changes;
mod export;
mod input;
mod reads;

pub use changes::{Changed, change};
pub use export::{RegistryExport, export};
pub use input::{HouseholdPatch, MemberPatch, MemberRef, NewMember};
pub use reads::{search, show};

use chrono::NaiveDate;
use shouwang_core::codes::Relation;
use shouwang_core::household::changes::LeaveReason;

/// One change to one household.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChangeRequest {
    /// 户编号.
    pub household: String,
    /// The version read: the member's for [`Change::UpdateMember`], the household's for every other change.
    pub version: i64,
    /// What changes.
    pub change: Change,
}

/// What changes (户情变更事项).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Change {
    /// 新增成员 (出生, 婚入, 迁入 …).
    AddMember(NewMember),
    /// A member's fields change (劳动技能, 健康状况, 低保 …).
    UpdateMember {
        /// Which member.
        member: MemberRef,
        /// The new values; `None` keeps a field.
        patch: MemberPatch,
    },
    /// 减员: the member died or moved out on `on`; he is kept as a former member.
    Leave {
        /// Which member.
        member: MemberRef,
        /// 死亡 or 迁出.
        reason: LeaveReason,
        /// The date; default today.
        on: Option<NaiveDate>,
    },
    /// 变更户主: `member` becomes the head; the former head's relation becomes `former_head_becomes`.
    ChangeHead {
        /// The new head.
        member: MemberRef,
        /// The former head's new 与户主关系 (e.g. 之父 when a son takes over, 配偶).
        former_head_becomes: Relation,
    },
    /// The household's own fields (易地搬迁, 家庭住址, 联系电话).
    UpdateHousehold(HouseholdPatch),
}
