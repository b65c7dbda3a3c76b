//! 分类帮扶 (§三(二)3): from the monthly visit of a household in the low-income register, "对符合低保、特困
//! 条件的，及时申请纳入保障范围". A visit records where the household's application to 民政 for 低保 or 特困
//! stands ([`Application`]: 申请中, 已纳入, 未通过); [`suggestions`] names the kinds a household appears
//! eligible for and does not receive, for the visitor to check:
//!
//! | kind | the household appears eligible when |
//! | --- | --- |
//! | 特困 | a member is a “两无” elderly or an orphan/de-facto unsupported child (no member 18–59 able to work) and nobody receives 特困 |
//! | 低保 | it is in the register as a disabled household, a “两无” elderly's or an unsupported child's, and nobody receives 低保 or 特困 |
//!
//! The registry keeps no income standard of 低保, so the hint is the plan's categories, not a means test.

use crate::codes::{CodeList, code_list};
use crate::household::Household;
use crate::monitoring::Refusal;

use super::low_income::{Category, Reason};

code_list! {
    /// 申请救助类别: what a household applies to 民政 for.
    pub enum AssistanceKind ("救助申请类别", "assistance applied for") {
        Dibao = ("dibao", "低保", "Minimum living allowance"),
        Tekun = ("tekun", "特困供养", "Extreme-poverty support"),
    }
}

code_list! {
    /// 申请状态: where an application stands at a visit.
    pub enum ApplicationStatus ("申请状态", "application status") {
        Applying = ("applying", "申请中", "Applied, pending"),
        Granted = ("granted", "已纳入", "Granted"),
        Refused = ("refused", "未通过", "Not granted"),
    }
}

/// An application's state as a visit found it.
#[derive(Clone, Copy, PartialEq, Eq, Debug, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Application {
    /// 低保 or 特困.
    pub kind: AssistanceKind,
    /// 申请中 / 已纳入 / 未通过.
    pub status: ApplicationStatus,
}

impl Application {
    /// `低保：申请中`.
    pub fn label_zh(&self) -> String {
        format!("{}：{}", self.kind.label_zh(), self.status.label_zh())
    }
}

/// Refuses two states of one kind in a visit.
pub fn validate(applications: &[Application]) -> Result<(), Refusal> {
    for (i, a) in applications.iter().enumerate() {
        if applications[..i].iter().any(|b| b.kind == a.kind) {
            return Err(Refusal::invalid(
                format!("{}的申请状态只能填写一项", a.kind.label_zh()),
                format!("One status per kind ({})", a.kind.code()),
            ));
        }
    }
    Ok(())
}

/// The kinds `h` (in the register for `reasons`) appears eligible for and receives not: 特困 then 低保
/// (see the module doc).
pub fn suggestions(h: &Household, reasons: &[Reason]) -> Vec<AssistanceKind> {
    let has = |c: Category| reasons.iter().any(|r| r.category == c);
    let tekun = h.members.iter().any(|m| m.tekun.is_receiving());
    let dibao = h.members.iter().any(|m| m.dibao.is_receiving());
    let mut out = Vec::new();
    if !tekun && (has(Category::TwoWithout) || has(Category::UnsupportedChild)) {
        out.push(AssistanceKind::Tekun);
    }
    if !tekun
        && !dibao
        && (has(Category::Disabled) || has(Category::TwoWithout) || has(Category::UnsupportedChild))
    {
        out.push(AssistanceKind::Dibao);
    }
    out
}

/// The latest state of each kind over `visits` (oldest first): a later visit's state replaces an earlier.
pub fn latest<'a>(visits: impl IntoIterator<Item = &'a [Application]>) -> Vec<Application> {
    let mut out: Vec<Application> = Vec::new();
    for apps in visits {
        for a in apps {
            match out.iter_mut().find(|b| b.kind == a.kind) {
                Some(b) => *b = *a,
                None => out.push(*a),
            }
        }
    }
    out.sort_by_key(|a| a.kind);
    out
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use super::*;
    use crate::codes::{Dibao, LabourSkill, Relation, Tekun};
    use crate::household::tests::{household, member};
    use crate::register::low_income::{LowIncomeRules, reasons};

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn in_scope(h: &Household) -> Vec<Reason> {
        reasons(
            h,
            Default::default(),
            d(2026, 6, 1),
            &LowIncomeRules::default(),
        )
    }

    #[test]
    fn a_two_without_elderly_appears_eligible_for_tekun_and_dibao_until_received() {
        let mut h = household();
        h.members.truncate(1);
        h.members[0] = member(d(1950, 1, 1), 11, Relation::Head);
        h.members[0].labour = LabourSkill::Lost;
        assert_eq!(
            suggestions(&h, &in_scope(&h)),
            [AssistanceKind::Tekun, AssistanceKind::Dibao]
        );
        h.members[0].dibao = Dibao::Rural;
        assert_eq!(suggestions(&h, &in_scope(&h)), [AssistanceKind::Tekun]);
        h.members[0].tekun = Tekun::Rural;
        assert!(suggestions(&h, &in_scope(&h)).is_empty());
    }

    #[test]
    fn a_household_of_working_adults_gets_no_hint() {
        let h = household();
        assert!(suggestions(&h, &in_scope(&h)).is_empty());
    }

    #[test]
    fn one_state_per_kind_and_the_latest_counts() {
        let applying = Application {
            kind: AssistanceKind::Dibao,
            status: ApplicationStatus::Applying,
        };
        let granted = Application {
            status: ApplicationStatus::Granted,
            ..applying
        };
        assert!(validate(&[applying]).is_ok());
        assert!(validate(&[applying, granted]).is_err());
        let tekun = Application {
            kind: AssistanceKind::Tekun,
            status: ApplicationStatus::Refused,
        };
        let visits: Vec<Vec<Application>> = vec![vec![applying, tekun], vec![], vec![granted]];
        assert_eq!(latest(visits.iter().map(Vec::as_slice)), [granted, tekun]);
        assert_eq!(granted.label_zh(), "低保：已纳入");
    }
}
