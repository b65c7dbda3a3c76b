//! Data-quality checks 数据质量检查 on household records.
//!
//! Counties run these checks on their registry before it goes to the national
//! system (docs/domain.md "Data-quality checks counties run on their records"). Each
//! check has a stable code `Qnn`, a [`Severity`], and findings with a Chinese and
//! an English message. [`CHECKS`] lists them all (for documentation and the UI).
//!
//! | code | severity | rule | source |
//! | --- | --- | --- | --- |
//! | Q01 | error | a member under 16 (age from the ID number on `as_of`) must be 无劳动力 | county practice |
//! | Q02 | warning | a member aged 16–60, healthy, not in school, yet 弱/半劳动力, 丧失劳动力 or 无劳动力 | county practice |
//! | Q03 | error | risk 缺劳动力 while more than a quarter of the members are 普通/技能劳动力 | county practice |
//! | Q04 | error | risk 因务工就业不稳 while no member can work | county practice |
//! | Q05 | error | a monitored household with labour and no 开发式帮扶 6 months after identification | §三(一)2 定措施, national practice |
//! | Q06 | error | a 三保障 / water problem without a matching risk type and measure | §三(一)1, §三(四) |
//! | Q07 | error | a member without basic medical insurance | §三(四) 基本医疗保障 |
//! | Q08 | error | risk eliminated less than 6 months after identification | §三(一)3, national practice |
//! | Q09 | error | risk eliminated with per-capita income below the line | §三(一)3, national practice |
//! | Q10 | error | not exactly one head of household | structural |
//! | Q11 | error | more than 5 risk types, or one twice | national system |
//! | Q12 | error | a member's sex disagrees with the ID number | GB 11643 |
//! | Q13 | error | the same ID number twice in the household | structural |
//! | Q14 | error | a monitored household without a risk type | §三(一)2 (causes studied per household) |
//! | Q15 | warning | 脱贫不稳定户 not a 脱贫户, or 边缘易致贫户 recorded as 脱贫户 | definitions of the three types |
//! | Q16 | error | 健康 recorded together with an illness or disability | structural |
//! | Q17 | error | disability grade outside 1–4 | structural |
//! | Q18 | warning | a child of compulsory-school age (7–15) not in school | §三(二) 控辍保学 |
//!
//! Q01–Q09 are the examples of docs/domain.md; Q10–Q18 are structural checks added here.

use chrono::{Months, NaiveDate};

use crate::codes::{
    CodeList, Guarantee, HealthStatus, HouseholdType, LabourSkill, MeasureClass, MonitoredType,
    Relation, RiskType, code_list,
};
use crate::household::{Household, MAX_RISKS, Member};
use crate::idnum::IdNumber;
use crate::money::Fen;

/// Months a household must have been monitored before its risk may be
/// eliminated, and after which a developmental measure must be in place
/// (national practice: "at least 6 months since identification").
pub const MIN_MONITORED_MONTHS: u32 = 6;

code_list! {
    /// How serious a finding is.
    pub enum Severity ("严重程度", "severity") {
        Error = ("error", "错误", "Error"),
        Warning = ("warning", "疑点", "Warning"),
    }
}

/// One problem found in a household record.
#[derive(Clone, PartialEq, Eq, Debug, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Finding {
    /// The check's code, `Q01`…
    pub code: &'static str,
    /// Error (must be fixed) or warning (to be looked at).
    pub severity: Severity,
    /// The member concerned, if the finding is about one member.
    pub member: Option<IdNumber>,
    /// The message in Chinese.
    pub message_zh: String,
    /// The message in English.
    pub message_en: String,
}

/// Description of a check, for documentation and the UI.
#[derive(Clone, Copy, PartialEq, Eq, Debug, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CheckInfo {
    /// `Q01`…
    pub code: &'static str,
    /// Severity of its findings.
    pub severity: Severity,
    /// The rule in Chinese.
    pub title_zh: &'static str,
    /// The rule in English.
    pub title_en: &'static str,
}

macro_rules! checks {
    ($($c:ident = ($code:literal, $sev:ident, $zh:literal, $en:literal),)+) => {
        $(const $c: CheckInfo = CheckInfo {
            code: $code, severity: Severity::$sev, title_zh: $zh, title_en: $en,
        };)+
        /// Every check, in code order.
        pub const CHECKS: &[CheckInfo] = &[$($c),+];
    };
}

checks! {
    Q01 = ("Q01", Error, "未满16周岁的成员劳动技能应为无劳动力", "A member under 16 must be recorded as having no labour"),
    Q02 = ("Q02", Warning, "16至60周岁、身体健康、不在校的成员为弱劳动力或无劳动力", "A healthy member aged 16-60 not in school is recorded as weak or no labour"),
    Q03 = ("Q03", Error, "风险类型为缺劳动力，但普通或技能劳动力超过家庭人口四分之一", "Risk 'lack of labour' although more than a quarter of the members are ordinary or skilled labour"),
    Q04 = ("Q04", Error, "风险类型为因务工就业不稳，但家庭成员均无劳动能力", "Risk 'unstable employment' although no member can work"),
    Q05 = ("Q05", Error, "有劳动力的监测户识别满6个月仍未落实开发式帮扶措施", "A monitored household with labour has no developmental measure 6 months after identification"),
    Q06 = ("Q06", Error, "三保障或饮水安全问题缺少对应的风险类型或帮扶措施", "A compulsory-education, medical, housing or water problem lacks its matching risk type or measure"),
    Q07 = ("Q07", Error, "成员未参加基本医疗保险", "A member has no basic medical insurance"),
    Q08 = ("Q08", Error, "识别不满6个月即标注风险消除", "Risk eliminated less than 6 months after identification"),
    Q09 = ("Q09", Error, "风险消除时人均纯收入低于监测线", "Risk eliminated while per-capita income is below the monitoring line"),
    Q10 = ("Q10", Error, "户主人数不为1", "The household does not have exactly one head"),
    Q11 = ("Q11", Error, "风险类型超过5项或重复", "More than 5 risk types, or a risk type twice"),
    Q12 = ("Q12", Error, "成员性别与身份证号不符", "A member's sex disagrees with the ID number"),
    Q13 = ("Q13", Error, "户内身份证号重复", "The same ID number appears twice in the household"),
    Q14 = ("Q14", Error, "监测户未填写风险类型", "A monitored household has no risk type"),
    Q15 = ("Q15", Warning, "监测对象类别与户类型不符", "The monitored type does not fit the household type"),
    Q16 = ("Q16", Error, "健康状况同时填写了健康和疾病或残疾", "Health status is 'healthy' together with an illness or disability"),
    Q17 = ("Q17", Error, "残疾等级不在1至4级之间", "Disability grade is not between 1 and 4"),
    Q18 = ("Q18", Warning, "义务教育阶段适龄儿童（7至15周岁）不在校", "A child of compulsory-school age (7-15) is not in school"),
}

/// The description of a check by code.
pub fn check_info(code: &str) -> Option<&'static CheckInfo> {
    CHECKS.iter().find(|c| c.code == code)
}

/// Lifecycle and assistance data the record itself does not hold.
///
/// Construct with `QualityContext { line, ..Default::default() }`; a check whose
/// data is missing (`None`, empty) does not fire.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct QualityContext {
    /// Date of identification 识别 (entering the monitoring scope).
    pub identified_on: Option<NaiveDate>,
    /// Date the first developmental measure 开发式帮扶 (产业, 就业, 金融, 公益岗位)
    /// was delivered, if any.
    pub developmental_measure_on: Option<NaiveDate>,
    /// Date the risk was marked eliminated 风险消除, if it was.
    pub eliminated_on: Option<NaiveDate>,
    /// Latest per-capita net income (at elimination, when eliminated).
    pub latest_per_capita: Option<Fen>,
    /// The monitoring line of the year (per capita). Zero disables Q09.
    pub line: Fen,
    /// Classes of the assistance measures set for the household.
    pub measures: Vec<MeasureClass>,
    /// 三保障 and drinking-water problems flagged for the household.
    pub guarantee_problems: Vec<Guarantee>,
}

fn finding(info: &CheckInfo, member: Option<IdNumber>, zh: String, en: String) -> Finding {
    Finding {
        code: info.code,
        severity: info.severity,
        member,
        message_zh: zh,
        message_en: en,
    }
}

fn add_months(d: NaiveDate, m: u32) -> Option<NaiveDate> {
    d.checked_add_months(Months::new(m))
}

/// Runs every check on a household as of a date. Findings come in check-code
/// order, then member order.
pub fn check_household(h: &Household, as_of: NaiveDate, ctx: &QualityContext) -> Vec<Finding> {
    let mut out = Vec::new();
    for m in &h.members {
        q01_under_16(m, as_of, &mut out);
    }
    for m in &h.members {
        q02_suspicious_no_labour(m, as_of, &mut out);
    }
    q03_lack_of_labour(h, &mut out);
    q04_unstable_employment(h, &mut out);
    q05_developmental_measure(h, as_of, ctx, &mut out);
    q06_guarantees(h, ctx, &mut out);
    q07_medical_insurance(h, &mut out);
    q08_q09_elimination(ctx, &mut out);
    structural(h, &mut out);
    for m in &h.members {
        q18_school_age(m, as_of, &mut out);
    }
    out
}

/// The checks that need neither a date nor lifecycle data (Q03, Q04, Q07, Q10–Q17):
/// for validating a record on entry.
pub fn validate(h: &Household) -> Vec<Finding> {
    let mut out = Vec::new();
    q03_lack_of_labour(h, &mut out);
    q04_unstable_employment(h, &mut out);
    q07_medical_insurance(h, &mut out);
    structural(h, &mut out);
    out
}

fn structural(h: &Household, out: &mut Vec<Finding>) {
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

fn q01_under_16(m: &Member, as_of: NaiveDate, out: &mut Vec<Finding>) {
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

fn q02_suspicious_no_labour(m: &Member, as_of: NaiveDate, out: &mut Vec<Finding>) {
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

fn q03_lack_of_labour(h: &Household, out: &mut Vec<Finding>) {
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

fn q04_unstable_employment(h: &Household, out: &mut Vec<Finding>) {
    if h.risks.contains(&RiskType::UnstableEmployment) && !h.has_labour() {
        out.push(finding(
            &Q04,
            None,
            "风险类型为“因务工就业不稳”，但家庭成员均无劳动能力".to_owned(),
            "Risk 'unstable employment', but no member is able to work".to_owned(),
        ));
    }
}

fn q05_developmental_measure(
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

fn q06_guarantees(h: &Household, ctx: &QualityContext, out: &mut Vec<Finding>) {
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

fn q07_medical_insurance(h: &Household, out: &mut Vec<Finding>) {
    for m in h.members.iter().filter(|m| !m.has_medical_insurance) {
        out.push(finding(
            &Q07,
            Some(m.id_number),
            format!("{}未参加基本医疗保险", m.name),
            format!("{} has no basic medical insurance", m.name),
        ));
    }
}

fn q08_q09_elimination(ctx: &QualityContext, out: &mut Vec<Finding>) {
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

fn q10_head(h: &Household, out: &mut Vec<Finding>) {
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

fn q11_risks(h: &Household, out: &mut Vec<Finding>) {
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

fn q12_sex(m: &Member, out: &mut Vec<Finding>) {
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

fn q13_duplicate_ids(h: &Household, out: &mut Vec<Finding>) {
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

fn q14_monitored_without_risk(h: &Household, out: &mut Vec<Finding>) {
    if h.is_monitored() && h.risks.is_empty() {
        out.push(finding(
            &Q14,
            None,
            "监测户未填写风险类型".to_owned(),
            "A monitored household has no risk type".to_owned(),
        ));
    }
}

fn q15_type_fit(h: &Household, out: &mut Vec<Finding>) {
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

fn q16_health(m: &Member, out: &mut Vec<Finding>) {
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

fn q17_disability_grade(m: &Member, out: &mut Vec<Finding>) {
    if let Some(g) = m.disability_grade.filter(|g| !(1..=4).contains(g)) {
        out.push(finding(
            &Q17,
            Some(m.id_number),
            format!("{}残疾等级为{g}，应为1至4级", m.name),
            format!("{}'s disability grade is {g}; it must be 1 to 4", m.name),
        ));
    }
}

fn q18_school_age(m: &Member, as_of: NaiveDate, out: &mut Vec<Finding>) {
    let age = m.age_on(as_of);
    if (7..=15).contains(&age) && !m.is_in_school() {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codes::{SchoolStatus, Sex};
    use crate::household::tests::{d, household, member};

    const AS_OF: NaiveDate = match NaiveDate::from_ymd_opt(2022, 6, 30) {
        Some(x) => x,
        None => NaiveDate::MIN,
    };

    fn ctx() -> QualityContext {
        QualityContext {
            line: Fen::from_yuan(6500),
            ..Default::default()
        }
    }

    fn codes(h: &Household, c: &QualityContext) -> Vec<&'static str> {
        check_household(h, AS_OF, c)
            .iter()
            .map(|f| f.code)
            .collect()
    }

    fn fires(h: &Household, c: &QualityContext, code: &str) -> usize {
        check_household(h, AS_OF, c)
            .iter()
            .filter(|f| f.code == code)
            .count()
    }

    /// A monitored household with everything in order.
    fn monitored() -> Household {
        let mut h = household();
        h.household_type = HouseholdType::Alleviated;
        h.monitored_type = Some(MonitoredType::Unstable);
        h.risks = vec![RiskType::Illness];
        h
    }

    #[test]
    fn clean_household_has_no_findings() {
        assert_eq!(codes(&household(), &ctx()), Vec::<&str>::new());
        assert_eq!(codes(&monitored(), &ctx()), Vec::<&str>::new());
        assert!(validate(&household()).is_empty());
    }

    #[test]
    fn catalogue() {
        assert_eq!(CHECKS.len(), 18);
        for (i, c) in CHECKS.iter().enumerate() {
            assert_eq!(c.code, format!("Q{:02}", i + 1));
            assert!(!c.title_zh.is_empty() && !c.title_en.is_empty());
        }
        assert_eq!(check_info("Q07").map(|c| c.severity), Some(Severity::Error));
        assert_eq!(
            check_info("Q02").map(|c| c.severity),
            Some(Severity::Warning)
        );
        assert_eq!(check_info("Q99"), None);
    }

    #[test]
    fn q01_under_16_must_have_no_labour() {
        let mut h = household();
        // 16th birthday on 2022-07-01: still 15 on AS_OF
        let mut child = member(d(2006, 7, 1), 33, Relation::Son);
        child.school = Some(SchoolStatus::HighSchool1);
        child.labour = LabourSkill::Ordinary;
        h.members.push(child.clone());
        let f = check_household(&h, AS_OF, &ctx());
        let q: Vec<_> = f.iter().filter(|f| f.code == "Q01").collect();
        assert_eq!(q.len(), 1);
        assert_eq!(q[0].member, Some(child.id_number));
        assert_eq!(q[0].severity, Severity::Error);
        assert!(q[0].message_zh.contains("15周岁") && q[0].message_zh.contains("普通劳动力"));
        assert!(q[0].message_en.contains("under 16"));
        // not firing: the same child with no labour
        h.members[2].labour = LabourSkill::None;
        assert_eq!(fires(&h, &ctx(), "Q01"), 0);
        // not firing: turned 16 on as_of
        let mut h2 = household();
        let mut c2 = member(d(2006, 6, 30), 33, Relation::Son);
        c2.labour = LabourSkill::Ordinary;
        h2.members.push(c2);
        assert_eq!(fires(&h2, &ctx(), "Q01"), 0);
    }

    #[test]
    fn q02_healthy_adult_with_weak_labour_is_suspicious() {
        let mut h = household();
        h.members[1].labour = LabourSkill::Weak;
        let f = check_household(&h, AS_OF, &ctx());
        assert_eq!(f.len(), 1);
        assert_eq!((f[0].code, f[0].severity), ("Q02", Severity::Warning));
        for l in [LabourSkill::None, LabourSkill::Lost] {
            h.members[1].labour = l;
            assert_eq!(fires(&h, &ctx(), "Q02"), 1);
        }
        // not firing: ill
        h.members[1].health = vec![HealthStatus::Chronic];
        assert_eq!(fires(&h, &ctx(), "Q02"), 0);
        // not firing: in school
        h.members[1].health = vec![HealthStatus::Healthy];
        h.members[1].school = Some(SchoolStatus::Undergraduate);
        assert_eq!(fires(&h, &ctx(), "Q02"), 0);
        // not firing: over 60 (61 on AS_OF), or ordinary labour
        let mut old = household();
        old.members[1] = member(d(1961, 6, 30), 22, Relation::Spouse);
        old.members[1].labour = LabourSkill::None;
        assert_eq!(fires(&old, &ctx(), "Q02"), 0);
        old.members[1] = member(d(1961, 7, 1), 22, Relation::Spouse);
        old.members[1].labour = LabourSkill::None;
        assert_eq!(fires(&old, &ctx(), "Q02"), 1, "60 until the birthday");
        assert_eq!(fires(&household(), &ctx(), "Q02"), 0);
    }

    #[test]
    fn q03_lack_of_labour_with_labourers() {
        let mut h = monitored();
        h.risks = vec![RiskType::LackOfLabour];
        // 2 of 2 full labourers
        assert_eq!(fires(&h, &ctx(), "Q03"), 1);
        // 1 of 4: exactly a quarter, not over
        h.members[1].labour = LabourSkill::Lost;
        h.members[1].health = vec![HealthStatus::SeriousIllness];
        for seq in [40, 42] {
            let mut m = member(d(1940, 1, 1), seq, Relation::Father);
            m.labour = LabourSkill::None;
            h.members.push(m);
        }
        assert_eq!(fires(&h, &ctx(), "Q03"), 0);
        // 2 of 4: over a quarter
        h.members[2].labour = LabourSkill::Skilled;
        assert_eq!(fires(&h, &ctx(), "Q03"), 1);
        // without the risk: nothing
        h.risks = vec![RiskType::Illness];
        assert_eq!(fires(&h, &ctx(), "Q03"), 0);
        assert!(validate(&h).is_empty());
    }

    #[test]
    fn q04_unstable_employment_without_labour() {
        let mut h = monitored();
        h.risks = vec![RiskType::UnstableEmployment];
        assert_eq!(fires(&h, &ctx(), "Q04"), 0);
        for m in &mut h.members {
            m.labour = LabourSkill::Lost;
            m.health = vec![HealthStatus::Disabled];
            m.disability_grade = Some(1);
        }
        assert_eq!(fires(&h, &ctx(), "Q04"), 1);
        // a weak labourer can work
        h.members[0].labour = LabourSkill::Weak;
        assert_eq!(fires(&h, &ctx(), "Q04"), 0);
    }

    #[test]
    fn q05_developmental_measure_after_6_months() {
        let h = monitored();
        let mut c = ctx();
        c.identified_on = Some(d(2021, 12, 30));
        // exactly 6 months on AS_OF: due
        assert_eq!(fires(&h, &c, "Q05"), 1);
        // month-end: 2021-12-31 + 6 months = 2022-06-30, due on AS_OF
        c.identified_on = Some(d(2021, 12, 31));
        assert_eq!(fires(&h, &c, "Q05"), 1);
        // one day short of 6 months (due 2022-07-01)
        c.identified_on = Some(d(2022, 1, 1));
        assert_eq!(fires(&h, &c, "Q05"), 0);
        c.identified_on = Some(d(2021, 1, 1));
        c.developmental_measure_on = Some(d(2021, 3, 1));
        assert_eq!(fires(&h, &c, "Q05"), 0);
        // a measure dated after as_of does not count
        c.developmental_measure_on = Some(d(2022, 7, 1));
        assert_eq!(fires(&h, &c, "Q05"), 1);
        // no labour: not required
        let mut nl = h.clone();
        for m in &mut nl.members {
            m.labour = LabourSkill::Lost;
            m.health = vec![HealthStatus::SeriousIllness];
        }
        assert_eq!(fires(&nl, &c, "Q05"), 0);
        // not monitored: not required
        assert_eq!(fires(&household(), &c, "Q05"), 0);
        // unknown identification date: not checked
        c.identified_on = None;
        assert_eq!(fires(&h, &c, "Q05"), 0);
    }

    #[test]
    fn q06_guarantee_needs_risk_and_measure() {
        let mut h = monitored();
        let mut c = ctx();
        c.guarantee_problems = vec![Guarantee::Housing, Guarantee::Housing];
        let f = check_household(&h, AS_OF, &c);
        let q: Vec<_> = f.iter().filter(|f| f.code == "Q06").collect();
        assert_eq!(q.len(), 1, "one finding per guarantee");
        assert!(q[0].message_zh.contains("风险类型") && q[0].message_zh.contains("帮扶措施"));
        h.risks.push(RiskType::Housing);
        let f = check_household(&h, AS_OF, &c);
        let q: Vec<_> = f.iter().filter(|f| f.code == "Q06").collect();
        assert!(q[0].message_zh.contains("未落实") && !q[0].message_zh.contains("风险类型"));
        c.measures = vec![MeasureClass::Housing];
        assert_eq!(fires(&h, &c, "Q06"), 0);
        // measure without risk
        h.risks = vec![RiskType::Illness];
        let f = check_household(&h, AS_OF, &c);
        assert!(
            f.iter()
                .any(|f| f.code == "Q06" && f.message_en.contains("risk type"))
        );
        // medical: illness risk + health measure
        c.guarantee_problems = vec![Guarantee::BasicMedical];
        c.measures = vec![MeasureClass::Health];
        assert_eq!(fires(&h, &c, "Q06"), 0);
        // water: a disaster sub-code does not match
        c.guarantee_problems = vec![Guarantee::DrinkingWater, Guarantee::CompulsoryEducation];
        c.measures = vec![MeasureClass::Water, MeasureClass::CompulsoryEducation];
        h.risks = vec![RiskType::Water, RiskType::DisasterDrought];
        assert_eq!(fires(&h, &c, "Q06"), 1);
        h.risks.push(RiskType::Schooling);
        assert_eq!(fires(&h, &c, "Q06"), 0);
    }

    #[test]
    fn q07_medical_insurance() {
        let mut h = household();
        h.members[0].has_medical_insurance = false;
        let f = validate(&h);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].code, "Q07");
        assert_eq!(f[0].member, Some(h.members[0].id_number));
        assert!(f[0].message_zh.contains("成员11"));
        assert_eq!(fires(&household(), &ctx(), "Q07"), 0);
    }

    #[test]
    fn q08_elimination_within_6_months() {
        let h = monitored();
        let mut c = ctx();
        c.identified_on = Some(d(2022, 1, 15));
        c.developmental_measure_on = Some(d(2022, 2, 1));
        c.eliminated_on = Some(d(2022, 7, 14));
        assert_eq!(fires(&h, &c, "Q08"), 1);
        c.eliminated_on = Some(d(2022, 7, 15));
        assert_eq!(fires(&h, &c, "Q08"), 0);
        // month-end: 2021-08-31 + 6 months = 2022-02-28
        c.identified_on = Some(d(2021, 8, 31));
        c.eliminated_on = Some(d(2022, 2, 27));
        assert_eq!(fires(&h, &c, "Q08"), 1);
        c.eliminated_on = Some(d(2022, 2, 28));
        assert_eq!(fires(&h, &c, "Q08"), 0);
        // eliminated before identified
        c.identified_on = Some(d(2022, 3, 1));
        c.eliminated_on = Some(d(2022, 2, 28));
        assert_eq!(fires(&h, &c, "Q08"), 1);
        // not eliminated
        c.eliminated_on = None;
        assert_eq!(fires(&h, &c, "Q08"), 0);
    }

    #[test]
    fn q09_elimination_below_line() {
        let h = monitored();
        let mut c = ctx();
        c.eliminated_on = Some(d(2022, 6, 1));
        c.latest_per_capita = Some(Fen(649_999));
        let f = check_household(&h, AS_OF, &c);
        let q: Vec<_> = f.iter().filter(|f| f.code == "Q09").collect();
        assert_eq!(q.len(), 1);
        assert!(q[0].message_zh.contains("6499.99") && q[0].message_zh.contains("6500.00"));
        c.latest_per_capita = Some(Fen(650_000)); // on the line is not below
        assert_eq!(fires(&h, &c, "Q09"), 0);
        c.latest_per_capita = Some(Fen(1));
        c.eliminated_on = None;
        assert_eq!(fires(&h, &c, "Q09"), 0);
    }

    #[test]
    fn q10_exactly_one_head() {
        let mut h = household();
        h.members[1].relation = Relation::Head;
        assert_eq!(fires(&h, &ctx(), "Q10"), 1);
        h.members[0].relation = Relation::Spouse;
        h.members[1].relation = Relation::Son;
        assert_eq!(fires(&h, &ctx(), "Q10"), 1);
        assert_eq!(fires(&household(), &ctx(), "Q10"), 0);
    }

    #[test]
    fn q11_risk_count_and_duplicates() {
        let mut h = monitored();
        h.risks = vec![
            RiskType::Illness,
            RiskType::Disability,
            RiskType::Accident,
            RiskType::Schooling,
            RiskType::Housing,
        ];
        assert_eq!(fires(&h, &ctx(), "Q11"), 0);
        h.risks.push(RiskType::Water);
        assert_eq!(fires(&h, &ctx(), "Q11"), 1);
        h.risks = vec![RiskType::Illness, RiskType::Illness, RiskType::Illness];
        assert_eq!(fires(&h, &ctx(), "Q11"), 1);
    }

    #[test]
    fn q12_sex_matches_id() {
        let mut h = household();
        h.members[0].sex = if h.members[0].sex == Sex::Male {
            Sex::Female
        } else {
            Sex::Male
        };
        let f = validate(&h);
        assert_eq!(f.iter().map(|f| f.code).collect::<Vec<_>>(), ["Q12"]);
        assert_eq!(fires(&household(), &ctx(), "Q12"), 0);
    }

    #[test]
    fn q13_duplicate_ids() {
        let mut h = household();
        let dup = h.members[1].clone();
        h.members.push(dup.clone());
        h.members.push(dup);
        assert_eq!(fires(&h, &ctx(), "Q13"), 1);
        assert_eq!(fires(&household(), &ctx(), "Q13"), 0);
    }

    #[test]
    fn q14_monitored_without_risk() {
        let mut h = monitored();
        h.risks.clear();
        assert_eq!(fires(&h, &ctx(), "Q14"), 1);
        assert_eq!(fires(&monitored(), &ctx(), "Q14"), 0);
        let mut derived = household();
        derived.household_type = HouseholdType::Monitored;
        assert_eq!(fires(&derived, &ctx(), "Q14"), 1);
    }

    #[test]
    fn q15_type_fit() {
        let mut h = monitored();
        h.household_type = HouseholdType::Ordinary;
        assert_eq!(fires(&h, &ctx(), "Q15"), 1);
        h.monitored_type = Some(MonitoredType::Marginal);
        assert_eq!(fires(&h, &ctx(), "Q15"), 0);
        h.household_type = HouseholdType::Alleviated;
        assert_eq!(fires(&h, &ctx(), "Q15"), 1);
        h.monitored_type = Some(MonitoredType::SuddenHardship);
        assert_eq!(fires(&h, &ctx(), "Q15"), 0);
    }

    #[test]
    fn q16_health_contradiction() {
        let mut h = household();
        h.members[0].health = vec![HealthStatus::Healthy, HealthStatus::Chronic];
        assert_eq!(fires(&h, &ctx(), "Q16"), 1);
        h.members[0].health = vec![HealthStatus::Healthy];
        h.members[0].disability_grade = Some(2);
        assert_eq!(fires(&h, &ctx(), "Q16"), 1);
        h.members[0].health = vec![HealthStatus::Disabled, HealthStatus::Chronic];
        assert_eq!(fires(&h, &ctx(), "Q16"), 0);
    }

    #[test]
    fn q17_disability_grade_range() {
        let mut h = household();
        h.members[0].health = vec![HealthStatus::Disabled];
        h.members[0].disability_grade = Some(5);
        assert_eq!(fires(&h, &ctx(), "Q17"), 1);
        h.members[0].disability_grade = Some(0);
        assert_eq!(fires(&h, &ctx(), "Q17"), 1);
        h.members[0].disability_grade = Some(4);
        assert_eq!(fires(&h, &ctx(), "Q17"), 0);
    }

    #[test]
    fn q18_school_age_child_not_in_school() {
        let mut h = household();
        let mut c = member(d(2012, 9, 1), 44, Relation::Daughter);
        c.labour = LabourSkill::None;
        c.education = Some(crate::codes::Education::Primary);
        h.members.push(c);
        assert_eq!(fires(&h, &ctx(), "Q18"), 1);
        h.members[2].school = Some(SchoolStatus::PreschoolAge);
        assert_eq!(fires(&h, &ctx(), "Q18"), 1);
        h.members[2].school = Some(SchoolStatus::Grade7);
        assert_eq!(fires(&h, &ctx(), "Q18"), 0);
        // 6-year-olds are not yet checked
        let mut y = household();
        let mut c = member(d(2016, 1, 1), 46, Relation::Son);
        c.labour = LabourSkill::None;
        y.members.push(c);
        assert_eq!(fires(&y, &ctx(), "Q18"), 0);
    }

    mod props {
        use super::*;
        use crate::codes::{Dibao, Tekun};
        use proptest::prelude::*;

        fn arb_member() -> impl Strategy<Value = Member> {
            (
                0i64..36_500,
                0usize..5,
                proptest::collection::vec(0usize..4, 0..3),
                proptest::option::of(0usize..18),
                any::<bool>(),
                0u16..1000,
                proptest::option::of(0u8..7),
                0usize..22,
            )
                .prop_map(
                    |(days, labour, health, school, insured, seq, grade, rel)| {
                        let birth = d(1922, 7, 1) + chrono::Duration::days(days);
                        let mut m = member(birth, seq, Relation::ALL[rel]);
                        m.labour = LabourSkill::ALL[labour];
                        m.health = health.into_iter().map(|i| HealthStatus::ALL[i]).collect();
                        m.school = school.map(|i| SchoolStatus::ALL[i]);
                        m.has_medical_insurance = insured;
                        m.disability_grade = grade;
                        m.dibao = Dibao::None;
                        m.tekun = Tekun::None;
                        m
                    },
                )
        }

        fn arb_household() -> impl Strategy<Value = Household> {
            (
                proptest::collection::vec(arb_member(), 0..8),
                proptest::collection::vec(0usize..18, 0..7),
                proptest::option::of(0usize..3),
                0usize..3,
            )
                .prop_map(|(members, risks, mt, ht)| {
                    let mut h = household();
                    h.members = members;
                    h.risks = risks.into_iter().map(|i| RiskType::ALL[i]).collect();
                    h.monitored_type = mt.map(|i| MonitoredType::ALL[i]);
                    h.household_type = HouseholdType::ALL[ht];
                    h
                })
        }

        fn arb_date() -> impl Strategy<Value = NaiveDate> {
            (0i64..3_000).prop_map(|n| d(2018, 1, 1) + chrono::Duration::days(n))
        }

        proptest! {
            #[test]
            fn findings_follow_the_rules(
                h in arb_household(),
                as_of in arb_date(),
                ident in proptest::option::of(arb_date()),
                elim in proptest::option::of(arb_date()),
                pc in proptest::option::of(-100_000i64..2_000_000),
            ) {
                let c = QualityContext {
                    identified_on: ident,
                    eliminated_on: elim,
                    latest_per_capita: pc.map(Fen),
                    line: Fen::from_yuan(6500),
                    ..Default::default()
                };
                let f = check_household(&h, as_of, &c);
                let count = |code: &str| f.iter().filter(|x| x.code == code).count();
                let under16 = h.members.iter()
                    .filter(|m| m.age_on(as_of) < 16 && m.labour != LabourSkill::None).count();
                prop_assert_eq!(count("Q01"), under16);
                prop_assert_eq!(count("Q07"), h.members.iter().filter(|m| !m.has_medical_insurance).count());
                let heads = h.members.iter().filter(|m| m.relation == Relation::Head).count();
                prop_assert_eq!(count("Q10"), usize::from(heads != 1));
                prop_assert_eq!(count("Q09"), usize::from(elim.is_some() && pc.is_some_and(|p| p < 650_000)));
                // codes ascending, every finding described in the catalogue and in both languages
                for w in f.windows(2) {
                    prop_assert!(w[0].code <= w[1].code);
                }
                for x in &f {
                    let info = check_info(x.code);
                    prop_assert!(info.is_some());
                    prop_assert_eq!(info.map(|i| i.severity), Some(x.severity));
                    prop_assert!(!x.message_zh.is_empty() && !x.message_en.is_empty());
                    if let Some(id) = x.member {
                        prop_assert!(h.member(id).is_some());
                    }
                }
                // validate() is the date-free subset
                for v in validate(&h) {
                    prop_assert!(f.contains(&v));
                }
            }
        }
    }

    #[test]
    fn findings_are_in_code_order() {
        let mut h = monitored();
        h.members[1].has_medical_insurance = false;
        h.members[1].relation = Relation::Head;
        let mut kid = member(d(2010, 1, 1), 55, Relation::Son);
        kid.school = Some(SchoolStatus::Grade7);
        h.members.push(kid);
        assert_eq!(codes(&h, &ctx()), ["Q01", "Q07", "Q10"]);
    }
}
