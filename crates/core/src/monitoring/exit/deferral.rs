//! 缓退: the categories of household whose risk is judged eliminated but who stay
//! under watch (§三(一)3 "属于低保、特困、残疾人家庭的特殊监测户要缓退"; no labour:
//! national practice). Which categories defer an exit is configured in
//! [`super::ExitRules::deferred`].

use crate::codes::code_list;
use crate::household::Household;

code_list! {
    /// 缓退类别: households whose risk is judged eliminated but who stay under watch
    /// (§三(一)3 "属于低保、特困、残疾人家庭的特殊监测户要缓退"; no labour: national practice).
    pub enum DeferredCategory ("缓退类别", "deferred-exit category") {
        Dibao = ("dibao", "低保户", "Minimum living allowance household"),
        Tekun = ("tekun", "特困户", "Extreme-poverty support household"),
        Disability = ("disability", "残疾人家庭", "Household with a disabled member"),
        NoLabour = ("no_labour", "无劳动力家庭", "Household without labour"),
    }
}

impl DeferredCategory {
    /// The categories a household is in (not only the configured ones).
    pub fn of(h: &Household) -> Vec<DeferredCategory> {
        let mut out = Vec::new();
        if h.members.iter().any(|m| m.dibao.is_receiving()) {
            out.push(DeferredCategory::Dibao);
        }
        if h.members.iter().any(|m| m.tekun.is_receiving()) {
            out.push(DeferredCategory::Tekun);
        }
        if h.members.iter().any(|m| m.is_disabled()) {
            out.push(DeferredCategory::Disability);
        }
        if !h.has_labour() {
            out.push(DeferredCategory::NoLabour);
        }
        out
    }
}
