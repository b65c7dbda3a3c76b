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

//!
//! | file | holds |
//! | --- | --- |
//! | `labour.rs` | Q01–Q04 |
//! | `lifecycle.rs` | Q05, Q06, Q08, Q09 |
//! | `coverage.rs` | Q07, Q18 |
//! | `structure.rs` | Q10–Q17 |
//! | `tests.rs` | the tests of every check |
//!
//! This file holds the catalogue ([`CHECKS`]), the [`Finding`] and [`QualityContext`] types and
//! the two entry points [`check_household`] and [`validate`].

mod coverage;
mod labour;
mod lifecycle;
mod structure;
#[cfg(test)]
mod tests;

use chrono::NaiveDate;

use crate::codes::{Guarantee, MeasureClass, code_list};
use crate::household::Household;
use crate::idnum::IdNumber;
use crate::money::Fen;
use coverage::{q07_medical_insurance, q18_school_age, q19_grid};
use labour::{q01_under_16, q02_suspicious_no_labour, q03_lack_of_labour, q04_unstable_employment};
use lifecycle::{q05_developmental_measure, q06_guarantees, q08_q09_elimination};
use structure::structural;

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
    Q19 = ("Q19", Error, "农户未划入网格", "The household is in no grid"),
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
    /// The household's village has grids (网格化管理, §四(六)) and the household is in none of them (Q19).
    /// A village without any grid yet is not flagged: its grids are still to be set up.
    pub outside_grids: bool,
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
    q19_grid(h, ctx, &mut out);
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
