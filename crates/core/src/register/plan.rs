//! 年度工作方案 (A6, §三(四)1 "制定年度工作方案……明确年度目标任务、工作落实举措、工作推进机制"): a township's
//! yearly plan of the 三保障和饮水安全 work — its targets, the measures, the working mechanism and its dates
//! — entered by the township admin, one per township and year; the quarterly campaign
//! ([`super::campaign`]) carries it out village by village.

use chrono::{Datelike, NaiveDate};

use crate::access::Role;
use crate::monitoring::Refusal;

use super::check_text;

/// The most characters of a plan's text fields.
pub const MAX_TEXT: usize = 5000;

/// The roles that enter a township's plan (the township admin; the county admin for any township).
pub const PLAN_ROLES: &[Role] = &[Role::TownshipAdmin, Role::CountyAdmin];

/// 年度工作方案: one township's plan of a year.
#[derive(Clone, PartialEq, Eq, Debug, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct YearPlan {
    /// 年度.
    pub year: i32,
    /// 方案名称 (e.g. `2026年巩固“三保障”脱贫成果工作方案`).
    pub title: String,
    /// 年度目标任务.
    pub targets: String,
    /// 工作落实举措.
    pub measures: String,
    /// 工作推进机制.
    #[serde(default)]
    pub mechanism: String,
    /// 实施起始日期.
    pub starts_on: NaiveDate,
    /// 实施截止日期.
    pub ends_on: NaiveDate,
}

impl YearPlan {
    /// Refuses a year outside 2020–2100, a blank title, targets or measures, an overlong text, dates
    /// outside the year or in the wrong order.
    pub fn validate(&self) -> Result<(), Refusal> {
        if !(2020..=2100).contains(&self.year) {
            return Err(Refusal::invalid(
                format!("年度 {} 不在 2020 至 2100 之间", self.year),
                "The year must be 2020 to 2100",
            ));
        }
        for (what, text) in [
            ("方案名称", &self.title),
            ("年度目标任务", &self.targets),
            ("工作落实举措", &self.measures),
        ] {
            if text.trim().is_empty() {
                return Err(Refusal::invalid(
                    format!("请填写{what}"),
                    format!("{what} is required"),
                ));
            }
        }
        check_text("方案名称", &self.title, 100)?;
        for (what, text) in [
            ("年度目标任务", &self.targets),
            ("工作落实举措", &self.measures),
            ("工作推进机制", &self.mechanism),
        ] {
            check_text(what, text, MAX_TEXT)?;
        }
        if self.starts_on > self.ends_on {
            return Err(Refusal::invalid(
                "实施起始日期不能晚于截止日期",
                "The plan cannot start after it ends",
            ));
        }
        if self.starts_on.year() != self.year || self.ends_on.year() != self.year {
            return Err(Refusal::invalid(
                format!("实施日期应在 {} 年内", self.year),
                "The plan's dates must lie in its year",
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    pub(crate) fn plan() -> YearPlan {
        YearPlan {
            year: 2026,
            title: "2026年巩固“三保障”脱贫成果工作方案".into(),
            targets: "义务教育阶段适龄儿童无失学辍学；基本医疗保险参保率100%".into(),
            measures: "每季度开展一次问题排查整改".into(),
            mechanism: String::new(),
            starts_on: d(2026, 1, 1),
            ends_on: d(2026, 12, 31),
        }
    }

    #[test]
    fn a_plan_is_checked() {
        assert_eq!(plan().validate(), Ok(()));
        let mut p = plan();
        p.targets = " ".into();
        assert!(
            p.validate()
                .unwrap_err()
                .message_zh
                .contains("年度目标任务")
        );
        let mut p = plan();
        p.ends_on = d(2026, 1, 1);
        p.starts_on = d(2026, 2, 1);
        assert!(p.validate().is_err());
        let mut p = plan();
        p.ends_on = d(2027, 1, 31);
        assert!(p.validate().is_err());
        let mut p = plan();
        p.year = 1999;
        assert!(p.validate().is_err());
        let mut p = plan();
        p.measures = "字".repeat(MAX_TEXT + 1);
        assert!(p.validate().is_err());
    }
}
