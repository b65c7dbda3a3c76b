//! The exit rules a county configures 退出规则配置: deferral categories, the
//! months required before the risk may be eliminated, and the notice numbering.

use super::deferral::DeferredCategory;
use super::notice::NoticeNumbering;

/// Exit rules (configurable by the county).
#[derive(Clone, PartialEq, Eq, Debug, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct ExitRules {
    /// Categories that defer the exit (default all four).
    pub deferred: Vec<DeferredCategory>,
    /// Months since entry before the risk may be eliminated (default 6).
    pub min_monitored_months: u32,
    /// Months of income at or above the line required (default 6).
    pub stable_income_months: u32,
    /// Notice numbering.
    pub notice: NoticeNumbering,
}

impl Default for ExitRules {
    fn default() -> Self {
        ExitRules {
            deferred: DeferredCategory::ALL.to_vec(),
            min_monitored_months: 6,
            stable_income_months: 6,
            notice: NoticeNumbering::default(),
        }
    }
}
