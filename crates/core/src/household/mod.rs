//! Households 农户 and their members 家庭成员: the registry record of the
//! national monitoring system, kept for every rural household of the county
//! (§三(一)1: "全县农村和易地扶贫搬迁集中安置点两大区域").
//!
//! This file holds the record and what is read off it; `validation.rs` holds the rules of the
//! household as a whole ([`Household::validate`]: exactly one 户主, at most one 配偶, no ID
//! number twice); [`changes`] the rules of one change made without a re-import (户情变更: a member
//! joins or leaves, a member's or the household's fields change).

pub mod changes;
mod validation;

pub use validation::{HouseholdProblem, validate_members};

use chrono::NaiveDate;

use crate::codes::{
    Dibao, Education, HealthStatus, HouseholdType, LabourSkill, MonitoredType, PoliticalStatus,
    Relation, RiskType, SchoolStatus, Sex, Tekun,
};
use crate::idnum::IdNumber;
use crate::region::RegionCode;

/// The most risk types a household may carry (national system: up to 5).
pub const MAX_RISKS: usize = 5;

/// A household 农户.
#[derive(Clone, PartialEq, Eq, Debug, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Household {
    /// 户编号: the household number in the national system.
    pub number: String,
    /// The administrative village (or settlement point) 行政村 / 安置点.
    pub village: RegionCode,
    /// The natural village 自然村, as a code `<village>-NN` (see [`crate::region`]).
    pub natural_village: Option<String>,
    /// 户类型 as registered: 脱贫户 or 一般农户 (监测户 is derived, see
    /// [`Household::is_monitored`]).
    pub household_type: HouseholdType,
    /// 家庭住址.
    pub address: String,
    /// 联系电话.
    pub phone: Option<String>,
    /// 是否易地扶贫搬迁户 (relocated household, §三(三)).
    pub is_relocated: bool,
    /// 监测对象类别 when the household is in the monitoring scope (§三(一)).
    pub monitored_type: Option<MonitoredType>,
    /// 风险类型, at most [`MAX_RISKS`].
    pub risks: Vec<RiskType>,
    /// 家庭成员, head first by convention.
    pub members: Vec<Member>,
}

/// A member of a household 家庭成员.
#[derive(Clone, PartialEq, Eq, Debug, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Member {
    /// 身份证号.
    pub id_number: IdNumber,
    /// 姓名.
    pub name: String,
    /// 性别 (should agree with the ID number).
    pub sex: Sex,
    /// 与户主关系.
    pub relation: Relation,
    /// 劳动技能.
    pub labour: LabourSkill,
    /// 健康状况 (several may apply).
    pub health: Vec<HealthStatus>,
    /// 文化程度 (none for small children).
    pub education: Option<Education>,
    /// 在校生状况 (none when not in school).
    pub school: Option<SchoolStatus>,
    /// 政治面貌.
    pub political: PoliticalStatus,
    /// 是否参加城乡居民基本医疗保险 (basic medical insurance, §三(四)).
    pub has_medical_insurance: bool,
    /// 低保.
    pub dibao: Dibao,
    /// 特困.
    pub tekun: Tekun,
    /// 残疾等级 1–4 when disabled.
    pub disability_grade: Option<u8>,
}

impl Member {
    /// Age in completed years on `date`, from the birth date in the ID number.
    pub fn age_on(&self, date: NaiveDate) -> u32 {
        self.id_number.age_on(date)
    }

    /// Enrolled in a school (any [`SchoolStatus`] except 学龄前儿童).
    pub fn is_in_school(&self) -> bool {
        self.school.is_some_and(SchoolStatus::is_enrolled)
    }

    /// Healthy: 健康 and nothing else recorded.
    pub fn is_healthy(&self) -> bool {
        !self.health.is_empty() && self.health.iter().all(|h| *h == HealthStatus::Healthy)
    }

    /// Disabled: 残疾 recorded or a disability grade.
    pub fn is_disabled(&self) -> bool {
        self.health.contains(&HealthStatus::Disabled) || self.disability_grade.is_some()
    }

    /// Of compulsory-school age (7–15 on `on`) and not recorded in school: a 控辍保学 problem
    /// (§三(二)); the quality check Q18 and the exit's 三保障 blockers both ask this.
    pub fn is_out_of_compulsory_school(&self, on: NaiveDate) -> bool {
        COMPULSORY_SCHOOL_AGE.contains(&self.age_on(on)) && !self.is_in_school()
    }
}

/// Ages of compulsory education 义务教育 the checks look at (completed years).
pub const COMPULSORY_SCHOOL_AGE: std::ops::RangeInclusive<u32> = 7..=15;

impl Household {
    /// The head of household 户主: the first member with [`Relation::Head`].
    pub fn head(&self) -> Option<&Member> {
        self.members.iter().find(|m| m.relation == Relation::Head)
    }

    /// 家庭人口: number of members.
    pub fn size(&self) -> usize {
        self.members.len()
    }

    /// 监测户: in the monitoring scope (a [`MonitoredType`] is set, or the type is
    /// recorded as 监测户).
    pub fn is_monitored(&self) -> bool {
        self.monitored_type.is_some() || self.household_type == HouseholdType::Monitored
    }

    /// Some member can work (普通, 技能, or 弱/半劳动力).
    pub fn has_labour(&self) -> bool {
        self.members.iter().any(|m| m.labour.can_work())
    }

    /// Number of full labourers (普通劳动力 or 技能劳动力).
    pub fn full_labour_count(&self) -> usize {
        self.members
            .iter()
            .filter(|m| m.labour.is_full_labour())
            .count()
    }

    /// 低保, 特困 or disability household: exit is deferred (缓退, §三(一)3).
    /// Which categories defer is configurable; this is the plan's set.
    pub fn is_deferred_exit_category(&self) -> bool {
        self.members
            .iter()
            .any(|m| m.dibao.is_receiving() || m.tekun.is_receiving() || m.is_disabled())
    }

    /// The member with this ID number.
    pub fn member(&self, id: IdNumber) -> Option<&Member> {
        self.members.iter().find(|m| m.id_number == id)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::idnum::make;

    pub(crate) fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    /// A healthy adult labourer born on `birth`.
    pub(crate) fn member(birth: NaiveDate, seq: u16, relation: Relation) -> Member {
        let id = make(141123, birth, seq);
        Member {
            id_number: id,
            name: format!("成员{seq}"),
            sex: id.sex(),
            relation,
            labour: LabourSkill::Ordinary,
            health: vec![HealthStatus::Healthy],
            education: Some(Education::JuniorSecondary),
            school: None,
            political: PoliticalStatus::Masses,
            has_medical_insurance: true,
            dibao: Dibao::None,
            tekun: Tekun::None,
            disability_grade: None,
        }
    }

    /// A clean two-adult household.
    pub(crate) fn household() -> Household {
        Household {
            number: "1411231002010001".to_owned(),
            village: RegionCode::parse("141123100201").unwrap(),
            natural_village: None,
            household_type: HouseholdType::Ordinary,
            address: "圪塔上乡某村".to_owned(),
            phone: None,
            is_relocated: false,
            monitored_type: None,
            risks: vec![],
            members: vec![
                member(d(1970, 3, 1), 11, Relation::Head),
                member(d(1972, 5, 1), 22, Relation::Spouse),
            ],
        }
    }

    #[test]
    fn helpers() {
        let mut h = household();
        assert_eq!(h.size(), 2);
        assert_eq!(h.head().unwrap().name, "成员11");
        assert!(!h.is_monitored());
        assert!(h.has_labour());
        assert_eq!(h.full_labour_count(), 2);
        assert!(!h.is_deferred_exit_category());
        h.monitored_type = Some(MonitoredType::Marginal);
        assert!(h.is_monitored());
        h.members[1].dibao = Dibao::Rural;
        assert!(h.is_deferred_exit_category());
        for m in &mut h.members {
            m.labour = LabourSkill::Lost;
        }
        assert!(!h.has_labour());
        h.members[0].relation = Relation::Son;
        assert!(h.head().is_none());
        let id = h.members[1].id_number;
        assert_eq!(h.member(id).unwrap().relation, Relation::Spouse);
        let m = &h.members[0];
        assert_eq!(m.age_on(d(2022, 3, 1)), 52);
        assert!(m.is_healthy() && !m.is_in_school() && !m.is_disabled());
    }

    #[test]
    fn member_predicates() {
        let mut m = member(d(2010, 1, 1), 1, Relation::Son);
        m.school = Some(SchoolStatus::PreschoolAge);
        assert!(!m.is_in_school());
        m.school = Some(SchoolStatus::Grade7);
        assert!(m.is_in_school());
        m.health = vec![];
        assert!(!m.is_healthy());
        m.health = vec![HealthStatus::Healthy, HealthStatus::Chronic];
        assert!(!m.is_healthy());
        m.health = vec![HealthStatus::Healthy];
        m.disability_grade = Some(3);
        assert!(m.is_disabled());
    }
}
