//! Structural checks of a record (Q10–Q17): one 户主, at most 5 risk types, sex against the ID
//! number, no ID number twice, a risk type for a monitored household, the monitored type against
//! the household type, health and disability grade consistent.

use super::{Finding, Q10, Q11, Q12, Q13, Q14, Q15, Q16, Q17, finding};
use crate::codes::{CodeList, HealthStatus, HouseholdType, MonitoredType, Relation};
use crate::household::{Household, MAX_RISKS, Member};

pub(super) fn structural(h: &Household, out: &mut Vec<Finding>) {
    q10_head(h, out);
    q11_risks(h, out);
    for m in &h.members {
        q12_sex(m, out);
    }
    q13_duplicate_ids(h, out);
    q14_monitored_without_risk(h, out);
    q15_type_fit(h, out);
    for m in &h.members {
        q16_health(m, out);
    }
    for m in &h.members {
        q17_disability_grade(m, out);
    }
}

pub(super) fn q10_head(h: &Household, out: &mut Vec<Finding>) {
    let heads = h
        .members
        .iter()
        .filter(|m| m.relation == Relation::Head)
        .count();
    if heads != 1 {
        out.push(finding(
            &Q10,
            None,
            format!("该户有{heads}名户主，应有且仅有1名"),
            format!("The household has {heads} heads; it must have exactly one"),
        ));
    }
}

pub(super) fn q11_risks(h: &Household, out: &mut Vec<Finding>) {
    if h.risks.len() > MAX_RISKS {
        out.push(finding(
            &Q11,
            None,
            format!("填写了{}项风险类型，最多5项", h.risks.len()),
            format!(
                "{} risk types recorded; at most 5 are allowed",
                h.risks.len()
            ),
        ));
    }
    for (i, r) in h.risks.iter().enumerate() {
        if h.risks[..i].contains(r) && !h.risks[i + 1..].contains(r) {
            out.push(finding(
                &Q11,
                None,
                format!("风险类型“{}”重复填写", r.full_label_zh()),
                format!("Risk type '{}' recorded more than once", r.full_label_en()),
            ));
        }
    }
}

pub(super) fn q12_sex(m: &Member, out: &mut Vec<Finding>) {
    let from_id = m.id_number.sex();
    if m.sex != from_id {
        out.push(finding(
            &Q12,
            Some(m.id_number),
            format!(
                "{}性别填写为“{}”，身份证号显示为“{}”",
                m.name,
                m.sex.label_zh(),
                from_id.label_zh()
            ),
            format!(
                "{}'s sex is recorded as {} but the ID number says {}",
                m.name,
                m.sex.label_en(),
                from_id.label_en()
            ),
        ));
    }
}

pub(super) fn q13_duplicate_ids(h: &Household, out: &mut Vec<Finding>) {
    for (i, m) in h.members.iter().enumerate() {
        let earlier = h.members[..i].iter().any(|o| o.id_number == m.id_number);
        let later = h.members[i + 1..]
            .iter()
            .any(|o| o.id_number == m.id_number);
        if earlier && !later {
            out.push(finding(
                &Q13,
                Some(m.id_number),
                format!("身份证号{}在户内重复出现", m.id_number.masked()),
                format!(
                    "ID number {} appears more than once in the household",
                    m.id_number.masked()
                ),
            ));
        }
    }
}

pub(super) fn q14_monitored_without_risk(h: &Household, out: &mut Vec<Finding>) {
    if h.is_monitored() && h.risks.is_empty() {
        out.push(finding(
            &Q14,
            None,
            "监测户未填写风险类型".to_owned(),
            "A monitored household has no risk type".to_owned(),
        ));
    }
}

pub(super) fn q15_type_fit(h: &Household, out: &mut Vec<Finding>) {
    let bad = matches!(
        (h.monitored_type, h.household_type),
        (Some(MonitoredType::Unstable), HouseholdType::Ordinary)
            | (Some(MonitoredType::Marginal), HouseholdType::Alleviated)
    );
    if let (true, Some(t)) = (bad, h.monitored_type) {
        out.push(finding(
            &Q15,
            None,
            format!(
                "监测对象类别“{}”与户类型“{}”不符（脱贫不稳定户应为脱贫户，边缘易致贫户应为一般农户）",
                t.label_zh(),
                h.household_type.label_zh()
            ),
            format!(
                "Monitored type '{}' does not fit household type '{}' (unstable households are poverty-alleviated ones, marginal households are ordinary ones)",
                t.label_en(),
                h.household_type.label_en()
            ),
        ));
    }
}

pub(super) fn q16_health(m: &Member, out: &mut Vec<Finding>) {
    let healthy = m.health.contains(&HealthStatus::Healthy);
    let other = m.health.iter().any(|s| *s != HealthStatus::Healthy);
    if healthy && (other || m.disability_grade.is_some()) {
        out.push(finding(
            &Q16,
            Some(m.id_number),
            format!("{}健康状况同时填写了“健康”和疾病或残疾", m.name),
            format!(
                "{}'s health status is 'healthy' together with an illness or disability",
                m.name
            ),
        ));
    }
}

pub(super) fn q17_disability_grade(m: &Member, out: &mut Vec<Finding>) {
    if let Some(g) = m.disability_grade.filter(|g| !(1..=4).contains(g)) {
        out.push(finding(
            &Q17,
            Some(m.id_number),
            format!("{}残疾等级为{g}，应为1至4级", m.name),
            format!("{}'s disability grade is {g}; it must be 1 to 4", m.name),
        ));
    }
}
