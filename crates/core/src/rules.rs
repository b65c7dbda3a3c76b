//! County rules 县级规则配置: every threshold and time limit a county may set
//! without a code change, with the plan's values (or national practice, where the
//! plan is silent) as defaults.
//!
//! The store keeps one [`CountyRules`] per county (as JSON, versioned and audited);
//! the lifecycle, the screening and the calendar read their parts from it.

use crate::monitoring::{
    CadenceRules, ClueRules, ExitRules, IdentificationRules, Refusal, WorkCalendar,
};

/// All configurable rules of one county. `#[serde(default)]` so a stored value
/// written by an older version gains the new fields with their defaults.
#[derive(Clone, PartialEq, Eq, Debug, Default, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct CountyRules {
    /// 线索归并: the merge window of reports (§三(一)1).
    pub clue: ClueRules,
    /// 识别程序: objection period, time limit, 绿色通道 risks (§三(一)1).
    pub identification: IdentificationRules,
    /// 退出机制: 缓退 categories, stable months, notice numbering (§三(一)3).
    pub exit: ExitRules,
    /// 工作日历: due days of the monthly and quarterly tasks (§三(一)2, 3).
    pub cadence: CadenceRules,
    /// 法定节假日 and 调休 for working-day limits.
    pub calendar: WorkCalendar,
    /// 部门数据筛查 thresholds (A1 channel 3; `docs/spec/screening.md`).
    pub screening: ScreeningRules,
    /// 低收入人口: the categories the county switched off (§三(二)).
    pub low_income: crate::register::low_income::LowIncomeRules,
    /// 村容村貌指标 targets (§四(五)).
    pub indicators: crate::indicators::IndicatorTargets,
    /// 三保障和饮水安全问题排查清单: the sector checklists of the quarterly campaign (§三(四)2).
    pub campaign: crate::register::campaign::CampaignRules,
    /// 光伏扶贫 targets: yearly income and the share distributed to villages (§四(二)4).
    pub pv: crate::pv::PvTargets,
}

/// Thresholds of the department-data screening 部门筛查预警. Defaults are the
/// values of `docs/spec/screening.md`; amounts in yuan (whole), shares in percent.
#[derive(Clone, Copy, PartialEq, Eq, Debug, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct ScreeningRules {
    /// 因病: flagged when the out-of-pocket medical cost is greater than this (default 10000).
    pub medical_yuan: i64,
    /// 因病: … or greater than this percentage of last year's net income (default 50).
    pub medical_income_pct: u32,
    /// 因灾: flagged when the loss is greater than this (default 20000).
    pub disaster_yuan: i64,
    /// 因灾: … or greater than this percentage of last year's net income (default 50).
    pub disaster_income_pct: u32,
    /// 因学: youngest age of a drop-out that counts (default 6).
    pub school_age_min: u32,
    /// 因学: oldest age of a drop-out that counts (default 16).
    pub school_age_max: u32,
    /// 收入临近监测线: below this percentage of the line (default 150).
    pub near_line_pct: u32,
    /// 收入明显下降: per-capita income fell by at least this percentage against the year before
    /// (default 30; §三(一)1 "家庭收入水平比2021年明显下降").
    pub income_drop_pct: u32,
}

impl Default for ScreeningRules {
    fn default() -> Self {
        ScreeningRules {
            medical_yuan: 10_000,
            medical_income_pct: 50,
            disaster_yuan: 20_000,
            disaster_income_pct: 50,
            school_age_min: 6,
            school_age_max: 16,
            near_line_pct: 150,
            income_drop_pct: crate::line::DEFAULT_DROP_PCT,
        }
    }
}

impl ScreeningRules {
    /// The thresholds of the yearly income assessment ([`crate::income::assess`]).
    pub fn income_thresholds(&self) -> crate::income::Thresholds {
        crate::income::Thresholds {
            near_line_pct: self.near_line_pct,
            drop_pct: self.income_drop_pct,
        }
    }

    /// Checks the values are usable; the refusal ([`Refusal::invalid`]) has the reason in Chinese and English.
    pub fn validate(&self) -> Result<(), Refusal> {
        if self.medical_yuan < 0 || self.disaster_yuan < 0 {
            return Err(Refusal::invalid(
                "金额阈值不能为负数",
                "Amount thresholds may not be negative",
            ));
        }
        if self.school_age_min > self.school_age_max {
            return Err(Refusal::invalid(
                "辍学年龄下限不能大于上限",
                "The lowest school age is above the highest",
            ));
        }
        if !(1..=100).contains(&self.income_drop_pct) {
            return Err(Refusal::invalid(
                "收入明显下降比例应在 1% 至 100% 之间",
                "The clear-drop share must be 1 % to 100 %",
            ));
        }
        if self.near_line_pct < 100 {
            return Err(Refusal::invalid(
                "临近监测线比例不能低于 100%",
                "The near-line share must be at least 100 %",
            ));
        }
        Ok(())
    }
}

impl CountyRules {
    /// Checks every part; the first problem ([`Refusal::invalid`], in Chinese and English).
    pub fn validate(&self) -> Result<(), Refusal> {
        self.screening.validate()?;
        self.indicators.validate()?;
        self.campaign.validate()?;
        self.pv.validate()?;
        if self.identification.publicity_days < 5 {
            return Err(Refusal::invalid(
                "公示期不少于 5 天",
                "The objection period is at least 5 days",
            ));
        }
        if self.identification.time_limit_working_days == 0 {
            return Err(Refusal::invalid(
                "识别办理时限必须大于 0",
                "The time limit must be positive",
            ));
        }
        let notice = &self.exit.notice;
        if notice.prefix.trim().is_empty() || notice.word.trim().is_empty() {
            return Err(Refusal::invalid(
                "告知书编号的发文机关简称和文种字不能为空",
                "The notice prefix and word may not be empty",
            ));
        }
        self.cadence.validate()?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_the_plans_values_and_valid() {
        let r = CountyRules::default();
        assert_eq!(r.clue.merge_window_days, 30);
        assert_eq!(r.identification.publicity_days, 5);
        assert_eq!(r.identification.time_limit_working_days, 20);
        assert_eq!(r.screening.medical_yuan, 10_000);
        assert_eq!(r.screening.near_line_pct, 150);
        assert_eq!(r.validate(), Ok(()));
    }

    #[test]
    fn missing_fields_take_defaults() {
        let r: CountyRules =
            serde_json::from_str(r#"{"screening":{"medical_yuan":8000}}"#).unwrap();
        assert_eq!(r.screening.medical_yuan, 8000);
        assert_eq!(r.screening.disaster_yuan, 20_000);
        assert_eq!(r.clue, ClueRules::default());
    }

    #[test]
    fn bad_values_are_refused() {
        let mut r = CountyRules::default();
        r.identification.publicity_days = 3;
        let refusal = r.validate().unwrap_err();
        assert_eq!(refusal.message_zh, "公示期不少于 5 天");
        assert_eq!(
            refusal.message_en,
            "The objection period is at least 5 days"
        );
        let mut r = CountyRules::default();
        r.screening.school_age_min = 17;
        assert!(r.validate().is_err());
        let mut r = CountyRules::default();
        r.screening.near_line_pct = 90;
        assert!(r.validate().is_err());
        let mut r = CountyRules::default();
        r.exit.notice.prefix = " ".into();
        assert!(r.validate().is_err());
    }
}
