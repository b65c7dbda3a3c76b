//! 阻止退出的三保障和饮水安全问题: a household is never proposed for exit nor marked 风险消除
//! while a 三保障 or drinking-water problem is open (§三(四) "三保障和饮水安全问题动态清零", issue 22).
//! Two sources: what the registry itself shows ([`registry_blockers`]: a child of compulsory-school
//! age not in school, housing grade C or D at the latest check, a member without basic medical
//! insurance), and the open problems of the problem ledger (问题台账), which the caller brings.

use chrono::NaiveDate;

use crate::codes::{CodeList, Guarantee, HousingSafety};
use crate::household::Household;

/// One problem that keeps a household from exit, named on the exit page.
#[derive(Clone, PartialEq, Eq, Debug, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ExitBlocker {
    /// The guarantee 保障 it concerns.
    pub sector: Guarantee,
    /// What it is, in Chinese.
    pub detail_zh: String,
    /// What it is, in English.
    pub detail_en: String,
}

impl ExitBlocker {
    /// A blocker of `sector` with its words.
    pub fn new(sector: Guarantee, zh: impl Into<String>, en: impl Into<String>) -> ExitBlocker {
        ExitBlocker {
            sector,
            detail_zh: zh.into(),
            detail_en: en.into(),
        }
    }
}

/// The problems the registry shows on `on`: each member of compulsory-school age not in school
/// (控辍保学, the rule of quality check Q18), the housing grade C or D of the latest check, each
/// member without basic medical insurance (quality check Q07); in that order.
pub fn registry_blockers(
    household: &Household,
    housing_grade: Option<HousingSafety>,
    on: NaiveDate,
) -> Vec<ExitBlocker> {
    let mut out = Vec::new();
    for m in household
        .members
        .iter()
        .filter(|m| m.is_out_of_compulsory_school(on))
    {
        let age = m.age_on(on);
        out.push(ExitBlocker::new(
            Guarantee::CompulsoryEducation,
            format!("{}（{age}周岁）义务教育阶段未在校", m.name),
            format!(
                "{} ({age}) is of compulsory-school age and not in school",
                m.name
            ),
        ));
    }
    if let Some(grade) = housing_grade.filter(|g| !g.is_secure()) {
        out.push(ExitBlocker::new(
            Guarantee::Housing,
            format!("住房安全等级为{}级", grade.code()),
            format!("housing safety grade {}", grade.code()),
        ));
    }
    for m in household
        .members
        .iter()
        .filter(|m| !m.has_medical_insurance)
    {
        out.push(ExitBlocker::new(
            Guarantee::BasicMedical,
            format!("{}未参加基本医疗保险", m.name),
            format!("{} has no basic medical insurance", m.name),
        ));
    }
    out
}
