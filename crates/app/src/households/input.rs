//! The input of a change as the clients send it: a new member ([`NewMember`]), the fields of a member or a
//! household that change ([`MemberPatch`], [`HouseholdPatch`]), and which member ([`MemberRef`]). The JSON
//! API takes these shapes as they are; the pages and the command line fill them from their fields.

use chrono::NaiveDate;
use serde::{Deserialize, Deserializer, Serialize};
use shouwang_core::IdNumber;
use shouwang_core::codes::{
    Dibao, Education, HealthStatus, LabourSkill, PoliticalStatus, Relation, SchoolStatus, Sex,
    Tekun,
};
use shouwang_core::household::changes::JoinReason;

use crate::error::Error;

/// A member joining the household (新增成员).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewMember {
    /// 增加原因: `birth` 出生, `marriage` 婚入, `moved_in` 迁入, `other` 其他.
    pub reason: JoinReason,
    /// The date of the birth, marriage or move (default: the birth date for a birth, else today).
    #[serde(default)]
    pub on: Option<NaiveDate>,
    /// 身份证号, 18 characters.
    pub id_number: String,
    /// 姓名.
    pub name: String,
    /// 性别; default the ID number's (its 17th digit); refused when it disagrees.
    #[serde(default)]
    pub sex: Option<Sex>,
    /// 与户主关系.
    pub relation: Relation,
    /// 劳动技能.
    pub labour: LabourSkill,
    /// 健康状况 (one or more).
    pub health: Vec<HealthStatus>,
    /// 文化程度.
    #[serde(default)]
    pub education: Option<Education>,
    /// 在校生状况.
    #[serde(default)]
    pub school: Option<SchoolStatus>,
    /// 政治面貌 (default 群众).
    #[serde(default)]
    pub political: Option<PoliticalStatus>,
    /// 是否参加城乡居民基本医疗保险.
    pub has_medical_insurance: bool,
    /// 低保 (default 未享受).
    #[serde(default)]
    pub dibao: Option<Dibao>,
    /// 特困 (default 不享受).
    #[serde(default)]
    pub tekun: Option<Tekun>,
    /// 残疾等级 1–4.
    #[serde(default)]
    pub disability_grade: Option<u8>,
}

/// `Some(value)` for a field that is present (also `null`): with `#[serde(default)]`, a missing field is
/// `None`, `null` is `Some(None)`.
fn present<'de, T: Deserialize<'de>, D: Deserializer<'de>>(d: D) -> Result<Option<T>, D::Error> {
    T::deserialize(d).map(Some)
}

/// The fields of a member that change; a field left out keeps its value. The nullable ones (文化程度,
/// 在校生状况, 残疾等级) are cleared with `null`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct MemberPatch {
    /// 姓名.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// 与户主关系 (not 户主: change the head instead).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub relation: Option<Relation>,
    /// 劳动技能.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub labour: Option<LabourSkill>,
    /// 健康状况 (one or more).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub health: Option<Vec<HealthStatus>>,
    /// 残疾等级 1–4; `null` clears it.
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<u8>))]
    pub disability_grade: Option<Option<u8>>,
    /// 文化程度; `null` clears it.
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Education>))]
    pub education: Option<Option<Education>>,
    /// 在校生状况; `null` clears it (left school 离校).
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<SchoolStatus>))]
    pub school: Option<Option<SchoolStatus>>,
    /// 政治面貌.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub political: Option<PoliticalStatus>,
    /// 是否参加城乡居民基本医疗保险.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub has_medical_insurance: Option<bool>,
    /// 低保.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dibao: Option<Dibao>,
    /// 特困.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tekun: Option<Tekun>,
}

/// The household's own fields that change; a field left out keeps its value.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct HouseholdPatch {
    /// 是否易地扶贫搬迁户.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_relocated: Option<bool>,
    /// 家庭住址.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    /// 联系电话; blank clears it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
}

/// Which member of the household: the member's row id (`member_id` of the household's JSON; the pages'
/// handle, since a village user sees no full ID number) or the full 身份证号.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MemberRef {
    /// The member's row id.
    Row(i64),
    /// The member's ID number.
    IdNumber(IdNumber),
}

impl MemberRef {
    /// A full ID number, or a row id (digits only); [`crate::Kind::Invalid`] otherwise.
    pub fn parse(s: &str) -> Result<MemberRef, Error> {
        let t = s.trim();
        if let Ok(id) = IdNumber::parse(t) {
            return Ok(MemberRef::IdNumber(id));
        }
        match t.parse::<i64>() {
            Ok(n) if n > 0 && t.len() < 18 => Ok(MemberRef::Row(n)),
            _ => Err(Error::invalid(
                format!(
                    "“{}”不是成员编号或完整的身份证号",
                    t.chars().take(40).collect::<String>()
                ),
                format!(
                    "{:?} is neither a member id nor a full ID number",
                    t.chars().take(40).collect::<String>()
                ),
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn member_refs() {
        let id =
            shouwang_core::idnum::make(141123, NaiveDate::from_ymd_opt(1990, 1, 2).unwrap(), 7);
        assert_eq!(
            MemberRef::parse(&id.to_string()).unwrap(),
            MemberRef::IdNumber(id)
        );
        assert_eq!(MemberRef::parse(" 12345 ").unwrap(), MemberRef::Row(12345));
        for bad in ["", "abc", "-3", "0", "141123199001020000"] {
            assert!(MemberRef::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn patch_tells_missing_from_null() {
        let p: MemberPatch = serde_json::from_str(r#"{"dibao":"rural","school":null}"#).unwrap();
        assert_eq!(p.dibao, Some(Dibao::Rural));
        assert_eq!(p.school, Some(None));
        assert_eq!(p.education, None);
        assert!(serde_json::from_str::<MemberPatch>(r#"{"dibao":"x"}"#).is_err());
        assert!(serde_json::from_str::<MemberPatch>(r#"{"nope":1}"#).is_err());
    }
}
