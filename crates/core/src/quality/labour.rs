//! Labour checks 劳动力 (Q01–Q04): a member's labour skill against age, health and schooling, and
//! the risk types 缺劳动力 and 因务工就业不稳 against the household's labour (county practice).

use chrono::NaiveDate;

use super::{Finding, Q01, Q02, Q03, Q04, finding};
use crate::codes::{CodeList, LabourSkill, RiskType};
use crate::household::{Household, Member};

pub(super) fn q01_under_16(m: &Member, as_of: NaiveDate, out: &mut Vec<Finding>) {
    let age = m.age_on(as_of);
    if age < 16 && m.labour != LabourSkill::None {
        out.push(finding(
            &Q01,
            Some(m.id_number),
            format!(
                "{}未满16周岁（{}周岁），劳动技能应为“无劳动力”，现为“{}”",
                m.name,
                age,
                m.labour.label_zh()
            ),
            format!(
                "{} is under 16 ({age}) and must have no labour, but is recorded as '{}'",
                m.name,
                m.labour.label_en()
            ),
        ));
    }
}

pub(super) fn q02_suspicious_no_labour(m: &Member, as_of: NaiveDate, out: &mut Vec<Finding>) {
    let age = m.age_on(as_of);
    let weak = matches!(
        m.labour,
        LabourSkill::Weak | LabourSkill::Lost | LabourSkill::None
    );
    if (16..=60).contains(&age) && m.is_healthy() && !m.is_in_school() && weak {
        out.push(finding(
            &Q02,
            Some(m.id_number),
            format!(
                "{}（{}周岁）身体健康、不在校，劳动技能却为“{}”，请核实",
                m.name,
                age,
                m.labour.label_zh()
            ),
            format!(
                "{} ({age}) is healthy and not in school, yet recorded as '{}'; please verify",
                m.name,
                m.labour.label_en()
            ),
        ));
    }
}

pub(super) fn q03_lack_of_labour(h: &Household, out: &mut Vec<Finding>) {
    let full = h.full_labour_count();
    if h.risks.contains(&RiskType::LackOfLabour) && full * 4 > h.size() {
        out.push(finding(
            &Q03,
            None,
            format!(
                "风险类型为“缺劳动力”，但{}口人中有{}人为普通或技能劳动力（超过四分之一）",
                h.size(),
                full
            ),
            format!(
                "Risk 'lack of labour', but {full} of {} members are ordinary or skilled labour (more than a quarter)",
                h.size()
            ),
        ));
    }
}

pub(super) fn q04_unstable_employment(h: &Household, out: &mut Vec<Finding>) {
    if h.risks.contains(&RiskType::UnstableEmployment) && !h.has_labour() {
        out.push(finding(
            &Q04,
            None,
            "风险类型为“因务工就业不稳”，但家庭成员均无劳动能力".to_owned(),
            "Risk 'unstable employment', but no member is able to work".to_owned(),
        ));
    }
}
