//! 三保障和饮水安全问题排查 (A6, §三(四)2 "我乡每季度要开展一次问题排查整改工作……指导各村委组织开展问题排查"):
//! the quarterly campaign 季度排查 of every household of a village against the sector checklists
//! 排查清单 — 住房安全, 义务教育, 基本医疗, 饮水安全 — whose items are **county rules** ([`CampaignRules`]:
//! each item switchable on and off and rewordable by the county admin; the seed's items as defaults,
//! [`default_items`]).
//!
//! Every household of the village is checked exactly once in the quarter ([`Check`], one record of the
//! register per household and quarter); each item is answered 无问题 or 有问题 with what was found; an item
//! with a problem becomes a problem of the 问题台账 ([`crate::monitoring::problem`]). The coverage of a
//! village is the checked households against all its households ([`Coverage`]); the quarter's task is
//! due on the cadre screening's due day (`CadenceRules::due`, [`crate::monitoring::calendar::TaskKind::Campaign`]).

use chrono::NaiveDate;

use crate::codes::Guarantee;
use crate::household::Household;
use crate::ledger::{Column, ColumnKind, Value};
use crate::monitoring::Refusal;
use crate::monitoring::calendar::{Period, Quarter};
use crate::registry::RegionNames;

use super::{check_record_day, check_text, col, household_cells, text};

/// The most characters of an item's wording.
pub const MAX_LABEL: usize = 100;
/// The most characters of what was found at one item.
pub const MAX_FOUND: usize = 300;
/// The most items of a checklist.
pub const MAX_ITEMS: usize = 60;

/// One item of a sector's checklist 排查事项 (a county rule).
#[derive(Clone, PartialEq, Eq, Debug, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChecklistItem {
    /// Stable code (`housing_grade`): what a check's answer names; never changes with the wording.
    pub code: String,
    /// The sector 保障类别 it belongs to.
    pub sector: Guarantee,
    /// 排查内容: the wording the visitor reads (the county may reword it).
    pub label: String,
    /// 是否启用: switched off, the item is not asked.
    pub enabled: bool,
}

fn item(code: &str, sector: Guarantee, label: &str) -> ChecklistItem {
    ChecklistItem {
        code: code.to_owned(),
        sector,
        label: label.to_owned(),
        enabled: true,
    }
}

/// The seed's items (§三(四)2 住房安全、教育保障、健康帮扶、安全饮水工作重点), in the plan's order.
pub fn default_items() -> Vec<ChecklistItem> {
    use Guarantee::*;
    vec![
        item(
            "housing_grade",
            Housing,
            "住房安全鉴定等级（A/B级安全，C/D级为危房）",
        ),
        item("housing_returnee", Housing, "返乡人员住房是否安全"),
        item("housing_accepted", Housing, "危房改造是否验收"),
        item("housing_funds", Housing, "危房改造资金是否到位"),
        item(
            "housing_not_lived",
            Housing,
            "危房改造后是否存在改而不住、“两头跑”",
        ),
        item(
            "edu_dropout",
            CompulsoryEducation,
            "控辍保学：6至15周岁适龄儿童有无辍学",
        ),
        item(
            "edu_migrant",
            CompulsoryEducation,
            "随父母外出适龄儿童（随迁子女）义务教育政策是否落实",
        ),
        item(
            "edu_policy",
            CompulsoryEducation,
            "义务教育帮扶政策是否落实到位、适龄儿童有无上学难",
        ),
        item(
            "med_insured",
            BasicMedical,
            "家庭成员是否全部参加基本医疗保险",
        ),
        item("med_reimbursed", BasicMedical, "住院费用是否按规定报销"),
        item("med_chronic", BasicMedical, "慢病患者是否签约家庭医生服务"),
        item(
            "med_clinic",
            BasicMedical,
            "村卫生室是否正常运行、村医是否在岗",
        ),
        item("water_quality", DrinkingWater, "水质是否达标"),
        item("water_quantity", DrinkingWater, "水量是否达标"),
        item("water_access", DrinkingWater, "用水方便程度是否达标"),
        item("water_assurance", DrinkingWater, "供水保证率是否达标"),
        item("water_seasonal", DrinkingWater, "是否存在季节性缺水"),
        item(
            "water_tested",
            DrinkingWater,
            "供水水源是否按要求开展水质检测",
        ),
    ]
}

/// 排查清单: the county's checklist of the quarterly campaign (a part of the county rules, §三(四)2).
#[derive(Clone, PartialEq, Eq, Debug, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct CampaignRules {
    /// The items of every sector, in the order asked.
    pub items: Vec<ChecklistItem>,
}

impl Default for CampaignRules {
    fn default() -> Self {
        CampaignRules {
            items: default_items(),
        }
    }
}

impl CampaignRules {
    /// The items switched on, in order.
    pub fn enabled(&self) -> impl Iterator<Item = &ChecklistItem> {
        self.items.iter().filter(|i| i.enabled)
    }

    /// The item `code`.
    pub fn item(&self, code: &str) -> Option<&ChecklistItem> {
        self.items.iter().find(|i| i.code == code)
    }

    /// Refuses a checklist without any item switched on, a duplicated or malformed code (ASCII letters,
    /// digits and `_`, at most 40), a blank or overlong wording, more than [`MAX_ITEMS`] items.
    pub fn validate(&self) -> Result<(), Refusal> {
        if self.items.len() > MAX_ITEMS {
            return Err(Refusal::invalid(
                format!("排查清单最多 {MAX_ITEMS} 项"),
                format!("At most {MAX_ITEMS} checklist items"),
            ));
        }
        if self.enabled().next().is_none() {
            return Err(Refusal::invalid(
                "排查清单至少启用 1 项",
                "At least one checklist item must be switched on",
            ));
        }
        for (n, i) in self.items.iter().enumerate() {
            let good_code = !i.code.is_empty()
                && i.code.len() <= 40
                && i.code
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_');
            if !good_code {
                return Err(Refusal::invalid(
                    format!(
                        "排查事项代码“{}”有误",
                        i.code.chars().take(40).collect::<String>()
                    ),
                    "A checklist item's code is malformed",
                ));
            }
            if self.items[..n].iter().any(|o| o.code == i.code) {
                return Err(Refusal::invalid(
                    format!("排查事项代码“{}”重复", i.code),
                    format!("Checklist item {} is listed twice", i.code),
                ));
            }
            if i.label.trim().is_empty() {
                return Err(Refusal::invalid(
                    format!("排查事项“{}”的内容不能为空", i.code),
                    format!("Checklist item {} has no wording", i.code),
                ));
            }
            check_text("排查内容", &i.label, MAX_LABEL)?;
        }
        Ok(())
    }
}

/// 户籍信息已知的问题: a problem the registry already shows for an item of a household's check, pre-filled
/// on the form for the visitor to confirm or correct (§三(四)2 "逐户排查"; the rules of quality checks Q18
/// 控辍保学 and Q07 参保). Its words name no member (a check's record keeps no names, PIPL).
#[derive(Clone, PartialEq, Eq, Debug, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct KnownProblem {
    /// The item's code (`edu_dropout`, `med_insured`).
    pub code: String,
    /// 发现的问题, as the registry shows it.
    pub found: String,
}

/// The problems `household`'s registry shows on `on` for the items of `rules` switched on: members of
/// compulsory-school age (6–15) not in school under `edu_dropout`, members without basic medical insurance
/// under `med_insured`.
pub fn known_problems(
    rules: &CampaignRules,
    household: &Household,
    on: NaiveDate,
) -> Vec<KnownProblem> {
    let out_of_school: Vec<String> = household
        .members
        .iter()
        .filter(|m| m.is_out_of_compulsory_school(on))
        .map(|m| format!("{}周岁", m.age_on(on)))
        .collect();
    let uninsured = household
        .members
        .iter()
        .filter(|m| !m.has_medical_insurance)
        .count();
    let mut out = Vec::new();
    if !out_of_school.is_empty() {
        out.push((
            "edu_dropout",
            format!(
                "户籍信息显示：{}名义务教育阶段家庭成员（{}）未在校",
                out_of_school.len(),
                out_of_school.join("、")
            ),
        ));
    }
    if uninsured > 0 {
        out.push((
            "med_insured",
            format!("户籍信息显示：{uninsured}名家庭成员未参加基本医疗保险"),
        ));
    }
    out.into_iter()
        .filter(|(code, _)| rules.item(code).is_some_and(|i| i.enabled))
        .map(|(code, found)| KnownProblem {
            code: code.to_owned(),
            found,
        })
        .collect()
}

/// The answer to one item 排查结果.
#[derive(Clone, PartialEq, Eq, Debug, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ItemResult {
    /// The item's code.
    pub code: String,
    /// Its sector.
    pub sector: Guarantee,
    /// Its wording when asked.
    pub label: String,
    /// 有问题 (true) or 无问题.
    pub problem: bool,
    /// 发现的问题: what was found (required with a problem).
    #[serde(default)]
    pub found: String,
}

/// 排查记录: the quarter's check of one household against the checklist (§三(四)2).
#[derive(Clone, PartialEq, Eq, Debug, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Check {
    /// 排查季度.
    pub quarter: Quarter,
    /// 排查日期.
    pub checked_on: NaiveDate,
    /// One answer per item switched on, in the checklist's order.
    pub items: Vec<ItemResult>,
    /// The 问题台账 numbers of the problems it filed (set when recorded).
    #[serde(default)]
    pub problem_ids: Vec<i64>,
}

impl Check {
    /// A check dated `on` answering `answers` (code → what was found; an empty text: 无问题) for every
    /// item of `rules` switched on; an item not answered stays 无问题 only if it is in `answers` —
    /// a missing one is listed with `problem` and no text so that [`Check::validate`] refuses it.
    pub fn new(
        rules: &CampaignRules,
        on: NaiveDate,
        answers: &[(String, Option<String>)],
    ) -> Check {
        let items = rules
            .enabled()
            .map(|i| {
                let answer = answers.iter().find(|(c, _)| *c == i.code);
                let (problem, found) = match answer {
                    Some((_, None)) => (false, String::new()),
                    Some((_, Some(f))) => (true, f.trim().to_owned()),
                    None => (true, String::new()),
                };
                ItemResult {
                    code: i.code.clone(),
                    sector: i.sector,
                    label: i.label.clone(),
                    problem,
                    found,
                }
            })
            .collect();
        Check {
            quarter: Quarter::of(on),
            checked_on: on,
            items,
            problem_ids: Vec::new(),
        }
    }

    /// Refuses a check outside its quarter or in the future; an answer for an item that is not switched
    /// on, or answered twice; an item switched on without an answer; a problem without what was found; an
    /// overlong text.
    pub fn validate(&self, rules: &CampaignRules, today: NaiveDate) -> Result<(), Refusal> {
        check_record_day(Period::Quarter(self.quarter), self.checked_on, today)?;
        for (n, r) in self.items.iter().enumerate() {
            if rules.item(&r.code).is_none_or(|i| !i.enabled) {
                return Err(Refusal::invalid(
                    format!(
                        "排查事项“{}”不在本县排查清单内",
                        r.code.chars().take(40).collect::<String>()
                    ),
                    "The item is not on the county's checklist",
                ));
            }
            if self.items[..n].iter().any(|o| o.code == r.code) {
                return Err(Refusal::invalid(
                    format!("排查事项“{}”重复填写", r.label),
                    "An item is answered twice",
                ));
            }
            if r.problem && r.found.trim().is_empty() {
                return Err(Refusal::invalid(
                    format!("“{}”有问题，请填写发现的问题", r.label),
                    format!("Item {}: describe the problem found", r.code),
                ));
            }
            check_text("发现的问题", &r.found, MAX_FOUND)?;
        }
        if let Some(missing) = rules
            .enabled()
            .find(|i| !self.items.iter().any(|r| r.code == i.code))
        {
            return Err(Refusal::invalid(
                format!("请填写排查事项“{}”", missing.label),
                format!("Item {} is not answered", missing.code),
            ));
        }
        Ok(())
    }

    /// The items with a problem.
    pub fn problems(&self) -> impl Iterator<Item = &ItemResult> {
        self.items.iter().filter(|r| r.problem)
    }

    /// The sector's result for the ledger: `无问题`, or `有问题：…；…` (the items found), or empty when
    /// the sector was not asked.
    pub fn sector_zh(&self, sector: Guarantee) -> String {
        let of: Vec<&ItemResult> = self.items.iter().filter(|r| r.sector == sector).collect();
        if of.is_empty() {
            return String::new();
        }
        let found: Vec<String> = of
            .iter()
            .filter(|r| r.problem)
            .map(|r| format!("{}（{}）", r.found, r.label))
            .collect();
        if found.is_empty() {
            "无问题".to_owned()
        } else {
            format!("有问题：{}", found.join("；"))
        }
    }
}

/// The coverage 排查覆盖 of a village in a quarter: checked against all households.
#[derive(Clone, Copy, PartialEq, Eq, Debug, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Coverage {
    /// 户数.
    pub households: u64,
    /// 已排查.
    pub checked: u64,
}

impl Coverage {
    /// 未排查.
    pub fn missing(self) -> u64 {
        self.households.saturating_sub(self.checked)
    }

    /// 全覆盖: every household checked (a village without households is covered).
    pub fn complete(self) -> bool {
        self.checked >= self.households
    }

    /// checked / households in per cent, one decimal (100 without households).
    pub fn percent(self) -> f64 {
        if self.households == 0 {
            100.0
        } else {
            (self.checked as f64 * 1000.0 / self.households as f64).round() / 10.0
        }
    }
}

/// 三保障和饮水安全排查台账: one row per household and check dated in the range (a household not checked
/// in the range has one row without a check).
pub const LEDGER_COLUMNS: &[Column] = &[
    col("序号", 6.0, ColumnKind::Number),
    col("乡（镇）", 14.0, ColumnKind::Text),
    col("行政村", 14.0, ColumnKind::Text),
    col("户编号", 20.0, ColumnKind::Digits),
    col("户主姓名", 10.0, ColumnKind::Text),
    col("户主身份证号", 20.0, ColumnKind::Digits),
    col("家庭人口", 8.0, ColumnKind::Number),
    col("排查季度", 14.0, ColumnKind::Text),
    col("排查日期", 12.0, ColumnKind::Date),
    col("排查人", 10.0, ColumnKind::Text),
    col("住房安全", 30.0, ColumnKind::Text),
    col("义务教育", 30.0, ColumnKind::Text),
    col("基本医疗", 30.0, ColumnKind::Text),
    col("饮水安全", 30.0, ColumnKind::Text),
    col("发现问题数", 8.0, ColumnKind::Number),
    col("问题台账编号", 16.0, ColumnKind::Text),
];

/// One row of the 排查台账 (`seq` from 1); `check`: the check and who made it (none: not checked in the
/// range); the head's ID number in full when `full_ids`.
pub fn ledger_row(
    seq: usize,
    h: &Household,
    names: &RegionNames,
    check: Option<(&Check, &str)>,
    full_ids: bool,
) -> Vec<Value> {
    let mut row = household_cells(seq, h, names, full_ids);
    match check {
        Some((c, by)) => {
            row.push(text(c.quarter.label_zh()));
            row.push(text(c.checked_on.to_string()));
            row.push(text(by.to_owned()));
            for s in [
                Guarantee::Housing,
                Guarantee::CompulsoryEducation,
                Guarantee::BasicMedical,
                Guarantee::DrinkingWater,
            ] {
                row.push(text(c.sector_zh(s)));
            }
            row.push(Value::Number(c.problems().count() as f64));
            let ids: Vec<String> = c.problem_ids.iter().map(|i| i.to_string()).collect();
            row.push(text(ids.join("、")));
        }
        None => {
            row.push(text("未排查"));
            row.extend(std::iter::repeat_n(Value::Empty, 8));
        }
    }
    row
}

/// The label of a sector for the form's headings: `住房安全` (the plan's short names).
pub fn sector_short_zh(s: Guarantee) -> &'static str {
    match s {
        Guarantee::Housing => "住房安全",
        Guarantee::CompulsoryEducation => "义务教育",
        Guarantee::BasicMedical => "基本医疗",
        Guarantee::DrinkingWater => "饮水安全",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn all_fine(rules: &CampaignRules) -> Vec<(String, Option<String>)> {
        rules.enabled().map(|i| (i.code.clone(), None)).collect()
    }

    #[test]
    fn defaults_cover_the_four_sectors_and_are_valid() {
        let r = CampaignRules::default();
        assert_eq!(r.validate(), Ok(()));
        for s in Guarantee::ALL {
            assert!(r.items.iter().any(|i| i.sector == *s), "{s:?}");
        }
        assert!(
            r.item("housing_not_lived")
                .unwrap()
                .label
                .contains("两头跑")
        );
        assert!(
            r.item("water_seasonal")
                .unwrap()
                .label
                .contains("季节性缺水")
        );
    }

    #[test]
    fn the_registry_prefills_what_it_knows_without_names() {
        use crate::codes::{Relation, SchoolStatus};
        use crate::household::tests::{household, member};
        let on = d(2026, 10, 8);
        let mut h = household();
        let mut child = member(d(2013, 3, 1), 33, Relation::Son);
        child.school = None;
        child.name = "赵小明".to_owned();
        h.members.push(child);
        h.members[0].has_medical_insurance = false;
        let rules = CampaignRules::default();
        let known = known_problems(&rules, &h, on);
        let codes: Vec<&str> = known.iter().map(|k| k.code.as_str()).collect();
        assert_eq!(codes, ["edu_dropout", "med_insured"]);
        assert!(known[0].found.contains("1名") && known[0].found.contains("13周岁"));
        assert!(known[1].found.contains("1名"));
        let names: Vec<&str> = h.members.iter().map(|m| m.name.as_str()).collect();
        assert!(
            known
                .iter()
                .all(|k| names.iter().all(|n| !k.found.contains(n))),
            "{known:?}"
        );
        // an item switched off is not pre-filled; a household with nothing known has nothing
        let mut off = rules.clone();
        off.items
            .iter_mut()
            .for_each(|i| i.enabled = i.code != "edu_dropout");
        assert_eq!(known_problems(&off, &h, on).len(), 1);
        h.members[2].school = Some(SchoolStatus::Grade7);
        h.members[0].has_medical_insurance = true;
        assert!(
            known_problems(&rules, &h, on).is_empty(),
            "in school, insured"
        );
    }

    #[test]
    fn a_stored_rule_without_the_checklist_gets_the_defaults() {
        let r: crate::rules::CountyRules = serde_json::from_str("{}").unwrap();
        assert_eq!(r.campaign, CampaignRules::default());
    }

    #[test]
    fn bad_checklists_are_refused() {
        let mut r = CampaignRules::default();
        for i in &mut r.items {
            i.enabled = false;
        }
        assert!(r.validate().is_err());
        let mut r = CampaignRules::default();
        r.items[1].code = r.items[0].code.clone();
        assert!(r.validate().unwrap_err().message_zh.contains("重复"));
        let mut r = CampaignRules::default();
        r.items[0].label = " ".into();
        assert!(r.validate().is_err());
        let mut r = CampaignRules::default();
        r.items[0].code = "住房".into();
        assert!(r.validate().is_err());
        let mut r = CampaignRules::default();
        r.items[0].label = "字".repeat(MAX_LABEL + 1);
        assert!(r.validate().is_err());
    }

    #[test]
    fn a_check_answers_every_item_switched_on() {
        let mut rules = CampaignRules::default();
        rules.items[0].enabled = false;
        rules.items[1].label = "返乡人员住房安全情况".into();
        let mut answers = all_fine(&rules);
        let chronic = answers
            .iter()
            .position(|(code, _)| code == "med_chronic")
            .unwrap();
        answers[chronic].1 = Some("  未签约慢病服务 ".into());
        let on = d(2026, 11, 3);
        let c = Check::new(&rules, on, &answers);
        assert_eq!(c.quarter, Quarter { year: 2026, q: 4 });
        assert_eq!(c.items.len(), rules.items.len() - 1);
        assert_eq!(c.items[0].label, "返乡人员住房安全情况");
        assert_eq!(c.validate(&rules, on), Ok(()));
        let found: Vec<&str> = c.problems().map(|r| r.found.as_str()).collect();
        assert_eq!(found, ["未签约慢病服务"]);
        assert_eq!(c.sector_zh(Guarantee::Housing), "无问题");
        assert!(c.sector_zh(Guarantee::Housing).starts_with("无"));
        // A switched-off item is neither asked nor accepted.
        let mut off = c.clone();
        off.items.push(ItemResult {
            code: "housing_grade".into(),
            sector: Guarantee::Housing,
            label: "x".into(),
            problem: false,
            found: String::new(),
        });
        assert!(off.validate(&rules, on).is_err());
    }

    #[test]
    fn refusals_of_a_check() {
        let rules = CampaignRules::default();
        let on = d(2026, 11, 3);
        // An item left out.
        let mut answers = all_fine(&rules);
        answers.pop();
        let c = Check::new(&rules, on, &answers);
        assert!(
            c.validate(&rules, on)
                .unwrap_err()
                .message_zh
                .contains("水质检测")
        );
        // A problem without what was found.
        let mut answers = all_fine(&rules);
        answers[0].1 = Some(" ".into());
        assert!(
            Check::new(&rules, on, &answers)
                .validate(&rules, on)
                .is_err()
        );
        // In the future, or outside the quarter.
        let c = Check::new(&rules, on, &all_fine(&rules));
        assert!(c.validate(&rules, d(2026, 11, 2)).is_err());
        let mut c = Check::new(&rules, on, &all_fine(&rules));
        c.quarter = Quarter { year: 2026, q: 3 };
        assert!(c.validate(&rules, on).is_err());
        // Twice the same item.
        let mut c = Check::new(&rules, on, &all_fine(&rules));
        let first = c.items[0].clone();
        c.items.push(first);
        assert!(c.validate(&rules, on).is_err());
        // Overlong text.
        let mut answers = all_fine(&rules);
        answers[0].1 = Some("字".repeat(MAX_FOUND + 1));
        assert!(
            Check::new(&rules, on, &answers)
                .validate(&rules, on)
                .is_err()
        );
    }

    #[test]
    fn coverage_counts() {
        let c = Coverage {
            households: 3,
            checked: 2,
        };
        assert_eq!(c.missing(), 1);
        assert!(!c.complete());
        assert_eq!(c.percent(), 66.7);
        let none = Coverage {
            households: 0,
            checked: 0,
        };
        assert!(none.complete());
        assert_eq!(none.percent(), 100.0);
    }

    proptest::proptest! {
        #[test]
        fn any_answers_either_validate_or_refuse_without_panic(
            mask in proptest::collection::vec(proptest::option::of(".{0,5}"), 0..20),
            day in 0i64..200,
        ) {
            let rules = CampaignRules::default();
            let answers: Vec<(String, Option<String>)> = rules
                .items
                .iter()
                .zip(mask.iter())
                .map(|(i, m)| (i.code.clone(), m.clone()))
                .collect();
            let on = d(2026, 1, 1) + chrono::Duration::days(day);
            let c = Check::new(&rules, on, &answers);
            let ok = c.validate(&rules, d(2026, 12, 31)).is_ok();
            let complete = answers.len() == rules.items.len()
                && answers.iter().all(|(_, f)| f.as_deref().is_none_or(|f| !f.trim().is_empty()));
            proptest::prop_assert_eq!(ok, complete);
        }
    }
}
