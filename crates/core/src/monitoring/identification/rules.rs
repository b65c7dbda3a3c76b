//! 识别规则配置: the identification rules a county configures (公示期, 办理时限,
//! the risks that open the green channel) and their bounds.

use crate::codes::RiskType;
use crate::monitoring::common::Refusal;

/// Identification rules (configurable by the county; defaults from national practice).
#[derive(Clone, PartialEq, Eq, Debug, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct IdentificationRules {
    /// 公示期: days of the objection period, at least 5 (default 5).
    pub publicity_days: u32,
    /// 办理时限: working days from start to entry (default 20).
    pub time_limit_working_days: u32,
    /// Risk types for which the green channel may open (default 因自然灾害 with
    /// its sub-codes, 因意外事故). Compared at the top level.
    pub green_channel_risks: Vec<RiskType>,
}

impl Default for IdentificationRules {
    fn default() -> Self {
        IdentificationRules {
            publicity_days: 5,
            time_limit_working_days: 20,
            green_channel_risks: vec![RiskType::Disaster, RiskType::Accident],
        }
    }
}

/// The shortest objection period allowed.
pub const MIN_PUBLICITY_DAYS: u32 = 5;

impl IdentificationRules {
    /// Refuses a publicity period under 5 days or over 60, or a time limit outside
    /// 1–250 working days.
    pub fn validate(&self) -> Result<(), Refusal> {
        if !(MIN_PUBLICITY_DAYS..=60).contains(&self.publicity_days) {
            return Err(Refusal::invalid(
                format!("公示期须为 {MIN_PUBLICITY_DAYS} 至 60 天"),
                format!("The public notice period must be {MIN_PUBLICITY_DAYS} to 60 days"),
            ));
        }
        if !(1..=250).contains(&self.time_limit_working_days) {
            return Err(Refusal::invalid(
                "办理时限须为 1 至 250 个工作日",
                "The time limit must be 1 to 250 working days",
            ));
        }
        Ok(())
    }
}
