//! 项目库与衔接资金 (B2, §四(二)1–2, issue 23): the projects of the county's 乡村振兴项目库 — what a project is
//! ([`Draft`]: type, place, years, planned amount by fund source, linked households), its entry flow
//! 村申报 → 乡审核 → 行业部门论证 → 县备案 ([`flow`]) and its payments (拨付) against the plan ([`funds`]).
//!
//! Pure rules: the store keeps the rows, `shouwang_app::projects` runs the use cases.

pub mod flow;
pub mod funds;
pub mod ledger;

use std::collections::BTreeMap;

use crate::codes::{CodeList as _, code_list};
use crate::money::Fen;
use crate::monitoring::{Refusal, RefusalCode};

pub use flow::{Decision, ProjectState, Step, StepRecord};
pub use funds::{Payment, Progress};

code_list! {
    /// 项目类型 (§四(二)1: 打基础、利长远; the national 项目库 categories).
    pub enum ProjectKind ("项目类型", "project type") {
        Industry = ("industry", "产业发展", "Industry"),
        Employment = ("employment", "就业帮扶", "Employment"),
        Infrastructure = ("infrastructure", "乡村基础设施", "Rural infrastructure"),
        PublicService = ("public_service", "公共服务", "Public services"),
        Other = ("other", "其他", "Other"),
    }
}

code_list! {
    /// 资金来源 (§四(二)2: 衔接资金 by level, 统筹整合资金, others).
    pub enum FundSource ("资金来源", "fund source") {
        Central = ("central", "中央衔接资金", "Central bridging funds"),
        Province = ("province", "省级衔接资金", "Provincial bridging funds"),
        City = ("city", "市级衔接资金", "City bridging funds"),
        County = ("county", "县级衔接资金", "County bridging funds"),
        Integrated = ("integrated", "统筹整合资金", "Integrated agricultural funds"),
        Other = ("other", "其他资金", "Other funds"),
    }
}

/// 计划投资: the planned amount of each fund source (only sources with an amount).
pub type Plan = BTreeMap<FundSource, Fen>;

/// The sum of a plan.
pub fn plan_total(plan: &Plan) -> Fen {
    plan.values().copied().sum()
}

/// Longest project name (characters).
pub const MAX_NAME: usize = 100;
/// Longest free text (place, content, opinion, voucher).
pub const MAX_TEXT: usize = 500;

/// A project as the village applies for it (申报内容).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Draft {
    /// 项目名称.
    pub name: String,
    /// 项目类型.
    pub kind: ProjectKind,
    /// 建设地点 (the 行政村 code; the place as text in `place`).
    pub village: String,
    /// 建设地点（详细）.
    pub place: String,
    /// 建设内容及规模.
    pub content: String,
    /// 实施年度 (first).
    pub year_from: i32,
    /// 实施年度 (last; the same for a one-year project).
    pub year_to: i32,
    /// 计划投资 by fund source, in 分.
    #[cfg_attr(feature = "openapi", schema(value_type = BTreeMap<String, i64>))]
    pub plan: Plan,
    /// 受益户: 户编号 of linked households of the registry.
    #[serde(default)]
    pub households: Vec<String>,
}

fn invalid(zh: impl Into<String>, en: impl Into<String>) -> Refusal {
    Refusal::new(RefusalCode::InvalidInput, zh, en)
}

/// Checks a text field: trimmed non-empty (when `required`) and at most `max` characters.
pub fn check_text(
    value: &str,
    required: bool,
    max: usize,
    zh: &str,
    en: &str,
) -> Result<(), Refusal> {
    let v = value.trim();
    if required && v.is_empty() {
        return Err(invalid(format!("请填写{zh}"), format!("{en} is required")));
    }
    if v.chars().count() > max {
        return Err(invalid(
            format!("{zh}不超过{max}个字"),
            format!("{en}: at most {max} characters"),
        ));
    }
    Ok(())
}

impl Draft {
    /// Checks the application: a name, a village code of 12 digits, years in order within 2013–2100
    /// (projects since 2013 are kept, §四(二)), at least one fund source, every amount above zero, at most
    /// 500 linked households, each listed once.
    pub fn validate(&self) -> Result<(), Refusal> {
        check_text(&self.name, true, MAX_NAME, "项目名称", "Project name")?;
        check_text(&self.place, false, MAX_TEXT, "建设地点", "Place")?;
        check_text(&self.content, false, MAX_TEXT, "建设内容", "Content")?;
        let v = self.village.trim();
        if v.len() != 12 || !v.bytes().all(|b| b.is_ascii_digit()) {
            return Err(invalid(
                "建设地点应为12位行政村代码",
                "The place must be a 12-digit village code",
            ));
        }
        if !(2013..=2100).contains(&self.year_from) || self.year_to < self.year_from {
            return Err(invalid(
                "实施年度不正确（起始年度不早于2013年，结束年度不早于起始年度）",
                "Bad years (from 2013 on, the last not before the first)",
            ));
        }
        if self.year_to - self.year_from > 10 {
            return Err(invalid(
                "实施年度跨度不超过10年",
                "A project spans at most 10 years",
            ));
        }
        if self.plan.is_empty() {
            return Err(invalid(
                "请填写至少一项资金来源的计划投资",
                "Give the planned amount of at least one fund source",
            ));
        }
        if let Some((s, _)) = self.plan.iter().find(|(_, a)| a.0 <= 0) {
            return Err(invalid(
                format!("{s}计划投资应大于0"),
                format!("The planned amount of {} must be above zero", s.code()),
            ));
        }
        if self.households.len() > 500 {
            return Err(invalid(
                "受益户不超过500户（更多请分项目申报）",
                "At most 500 linked households",
            ));
        }
        let mut seen = std::collections::HashSet::new();
        if let Some(dup) = self.households.iter().find(|h| !seen.insert(h.trim())) {
            return Err(invalid(
                format!("受益户{dup}重复"),
                format!("Household {dup} is listed twice"),
            ));
        }
        Ok(())
    }

    /// 计划总投资.
    pub fn total(&self) -> Fen {
        plan_total(&self.plan)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) fn draft() -> Draft {
        Draft {
            name: "圪塔上村光伏+养殖项目".to_owned(),
            kind: ProjectKind::Industry,
            village: "141123208201".to_owned(),
            place: "圪塔上村东".to_owned(),
            content: "新建标准化羊舍800平方米".to_owned(),
            year_from: 2026,
            year_to: 2026,
            plan: Plan::from([
                (FundSource::Central, Fen::from_yuan(500_000)),
                (FundSource::County, Fen::from_yuan(100_000)),
            ]),
            households: vec!["H1".to_owned(), "H2".to_owned()],
        }
    }

    #[test]
    fn a_complete_draft_passes() {
        assert_eq!(draft().validate(), Ok(()));
        assert_eq!(draft().total(), Fen::from_yuan(600_000));
    }

    #[test]
    fn bad_drafts_are_refused() {
        let cases: Vec<fn(&mut Draft)> = vec![
            |d| d.name = "  ".to_owned(),
            |d| d.name = "名".repeat(MAX_NAME + 1),
            |d| d.village = "14112320820".to_owned(),
            |d| d.year_from = 2012,
            |d| d.year_to = 2025,
            |d| d.year_to = 2040,
            |d| d.plan.clear(),
            |d| {
                d.plan.insert(FundSource::Other, Fen(0));
            },
            |d| d.households.push("H1".to_owned()),
        ];
        for (i, change) in cases.into_iter().enumerate() {
            let mut d = draft();
            change(&mut d);
            let r = d.validate();
            assert!(
                matches!(&r, Err(e) if e.code == RefusalCode::InvalidInput),
                "case {i}: {r:?}"
            );
        }
    }

    #[test]
    fn plan_serialises_by_code() {
        let json = serde_json::to_value(draft().plan).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"central": 50_000_000, "county": 10_000_000})
        );
    }
}
