//! Policy-coverage checks (Q07, Q18, Q19): every member in basic medical insurance (§三(四) 基本医疗保障),
//! every child of compulsory-school age in school (§三(二) 控辍保学), every household in a grid of its
//! village (§四(六) 网格化管理).

use chrono::NaiveDate;

use super::{Finding, Q07, Q18, Q19, QualityContext, finding};
use crate::household::{Household, Member};

pub(super) fn q07_medical_insurance(h: &Household, out: &mut Vec<Finding>) {
    for m in h.members.iter().filter(|m| !m.has_medical_insurance) {
        out.push(finding(
            &Q07,
            Some(m.id_number),
            format!("{}未参加基本医疗保险", m.name),
            format!("{} has no basic medical insurance", m.name),
        ));
    }
}

pub(super) fn q18_school_age(m: &Member, as_of: NaiveDate, out: &mut Vec<Finding>) {
    if m.is_out_of_compulsory_school(as_of) {
        let age = m.age_on(as_of);
        out.push(finding(
            &Q18,
            Some(m.id_number),
            format!("{}（{}周岁）处于义务教育阶段却未登记在校，请核实是否辍学", m.name, age),
            format!(
                "{} ({age}) is of compulsory-school age but not recorded in school; check for dropout",
                m.name
            ),
        ));
    }
}

pub(super) fn q19_grid(h: &Household, ctx: &QualityContext, out: &mut Vec<Finding>) {
    if ctx.outside_grids {
        out.push(finding(
            &Q19,
            None,
            format!("农户{}未划入本村任何网格，请在网格管理中分配", h.number),
            format!(
                "Household {} is in none of its village's grids; assign it on the grid page",
                h.number
            ),
        ));
    }
}
