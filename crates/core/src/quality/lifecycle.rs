//! Lifecycle checks 监测帮扶 (Q05, Q06, Q08, Q09): what the record says against the case's
//! identification, measures and elimination ([`QualityContext`]) — §三(一)2 定措施, §三(一)3 退出,
//! §三(四) 三保障.

use chrono::{Months, NaiveDate};

use super::{Finding, MIN_MONITORED_MONTHS, Q05, Q06, Q08, Q09, QualityContext, finding};
use crate::codes::{CodeList, Guarantee};
use crate::household::Household;

pub(super) fn q05_developmental_measure(
    h: &Household,
    as_of: NaiveDate,
    ctx: &QualityContext,
    out: &mut Vec<Finding>,
) {
    if !h.is_monitored() || !h.has_labour() {
        return;
    }
    let Some(identified) = ctx.identified_on else {
        return;
    };
    if ctx.eliminated_on.is_some_and(|e| e <= as_of) {
        return;
    }
    let Some(due) = add_months(identified, MIN_MONITORED_MONTHS) else {
        return;
    };
    let delivered = ctx.developmental_measure_on.is_some_and(|d| d <= as_of);
    if as_of >= due && !delivered {
        out.push(finding(
            &Q05,
            None,
            format!(
                "该户有劳动力，{identified}识别为监测户，已满6个月（{due}）仍未落实产业、就业、金融或公益岗位等开发式帮扶措施"
            ),
            format!(
                "The household has labour and was identified on {identified}; 6 months later ({due}) it still has no developmental measure (industry, employment, finance or public-welfare post)"
            ),
        ));
    }
}

pub(super) fn q06_guarantees(h: &Household, ctx: &QualityContext, out: &mut Vec<Finding>) {
    let mut seen: Vec<Guarantee> = Vec::new();
    for &g in &ctx.guarantee_problems {
        if seen.contains(&g) {
            continue;
        }
        seen.push(g);
        let has_risk = h
            .risks
            .iter()
            .any(|r| g.matching_risks().contains(&r.parent()));
        let has_measure = ctx
            .measures
            .iter()
            .any(|m| g.matching_measures().contains(m));
        if has_risk && has_measure {
            continue;
        }
        let risks_zh = join(g.matching_risks().iter().map(|r| r.label_zh()), "或");
        let risks_en = join(g.matching_risks().iter().map(|r| r.label_en()), " or ");
        let meas_zh = join(g.matching_measures().iter().map(|r| r.label_zh()), "或");
        let meas_en = join(g.matching_measures().iter().map(|r| r.label_en()), " or ");
        let (zh, en) = match (has_risk, has_measure) {
            (false, false) => (
                format!(
                    "存在{}问题，但未填写对应风险类型（{risks_zh}）和帮扶措施（{meas_zh}）",
                    g.label_zh()
                ),
                format!(
                    "{} problem without a matching risk type ({risks_en}) and measure ({meas_en})",
                    g.label_en()
                ),
            ),
            (false, true) => (
                format!(
                    "存在{}问题，但未填写对应风险类型（{risks_zh}）",
                    g.label_zh()
                ),
                format!(
                    "{} problem without a matching risk type ({risks_en})",
                    g.label_en()
                ),
            ),
            _ => (
                format!(
                    "存在{}问题，但未落实对应帮扶措施（{meas_zh}）",
                    g.label_zh()
                ),
                format!(
                    "{} problem without a matching measure ({meas_en})",
                    g.label_en()
                ),
            ),
        };
        out.push(finding(&Q06, None, zh, en));
    }
}

fn join<'a>(it: impl Iterator<Item = &'a str>, sep: &str) -> String {
    it.collect::<Vec<_>>().join(sep)
}

pub(super) fn q08_q09_elimination(ctx: &QualityContext, out: &mut Vec<Finding>) {
    let Some(eliminated) = ctx.eliminated_on else {
        return;
    };
    if let Some(identified) = ctx.identified_on {
        let due = add_months(identified, MIN_MONITORED_MONTHS);
        if due.is_none_or(|due| eliminated < due) {
            out.push(finding(
                &Q08,
                None,
                format!("{identified}识别，{eliminated}即标注风险消除，不满6个月"),
                format!(
                    "Identified on {identified} and marked eliminated on {eliminated}, less than 6 months later"
                ),
            ));
        }
    }
    if let Some(pc) = ctx.latest_per_capita
        && pc < ctx.line
    {
        out.push(finding(
                &Q09,
                None,
                format!("已标注风险消除，但人均纯收入{pc}元低于监测线{}元", ctx.line),
                format!(
                    "Marked eliminated, but per-capita income {pc} yuan is below the monitoring line {} yuan",
                    ctx.line
                ),
            ));
    }
}

fn add_months(d: NaiveDate, m: u32) -> Option<NaiveDate> {
    d.checked_add_months(Months::new(m))
}
