//! 资产处置 (§四(二)3 "规范资产处置"): the flow by which an asset leaves the registry — the village team
//! proposes (村申请, with the 处置方式 and the reason), the township admin reviews (乡审核), the county admin
//! approves (县审批). A reviewer may pass it on, return it to the village (退回, with a reason; the village
//! may propose again) or refuse it (不予处置, with a reason; the asset stays, a new proposal starts over).
//!
//! [`next`] is pure: it takes the current state and the step and returns the new state or a [`Refusal`];
//! a refused step changes nothing. No step can be skipped: each state admits exactly one step.

use chrono::NaiveDate;

use crate::access::Role;
use crate::codes::{CodeList, code_list};
use crate::monitoring::{Refusal, RefusalCode};
use crate::project::{MAX_TEXT, check_text};

code_list! {
    /// 处置状态.
    pub enum DisposalState ("处置状态", "disposal state") {
        Proposed = ("proposed", "待乡审核", "Awaiting township review"),
        TownshipApproved = ("township_approved", "待县审批", "Awaiting county approval"),
        Approved = ("approved", "已批准处置", "Disposal approved"),
        Returned = ("returned", "已退回", "Returned"),
        Refused = ("refused", "不予处置", "Refused"),
    }
}

code_list! {
    /// 处置步骤.
    pub enum DisposalStep ("处置步骤", "disposal step") {
        Propose = ("propose", "村申请", "Village proposal"),
        TownshipReview = ("township_review", "乡审核", "Township review"),
        CountyApproval = ("county_approval", "县审批", "County approval"),
    }
}

code_list! {
    /// 审核结论.
    pub enum DisposalDecision ("审核结论", "decision") {
        Approve = ("approve", "同意", "Approve"),
        Return = ("return", "退回", "Return"),
        Refuse = ("refuse", "不予处置", "Refuse"),
    }
}

code_list! {
    /// 处置方式.
    pub enum DisposalMethod ("处置方式", "disposal method") {
        Scrap = ("scrap", "报废", "Scrapping"),
        Sale = ("sale", "拍卖转让", "Sale"),
        Transfer = ("transfer", "无偿划转", "Transfer"),
        Other = ("other", "其他", "Other"),
    }
}

impl DisposalStep {
    /// The role that takes the step.
    pub fn role(self) -> Role {
        match self {
            DisposalStep::Propose => Role::VillageTeam,
            DisposalStep::TownshipReview => Role::TownshipAdmin,
            DisposalStep::CountyApproval => Role::CountyAdmin,
        }
    }

    /// The step an asset whose disposal is in `state` waits for (`None` with no disposal asks for a
    /// proposal; `Approved` awaits nothing more).
    pub fn awaited(state: Option<DisposalState>) -> Option<DisposalStep> {
        match state {
            None | Some(DisposalState::Returned | DisposalState::Refused) => {
                Some(DisposalStep::Propose)
            }
            Some(DisposalState::Proposed) => Some(DisposalStep::TownshipReview),
            Some(DisposalState::TownshipApproved) => Some(DisposalStep::CountyApproval),
            Some(DisposalState::Approved) => None,
        }
    }
}

impl DisposalState {
    /// A proposal under way (待乡审核, 待县审批): the queue of the reviewing role.
    pub fn is_open(self) -> bool {
        matches!(
            self,
            DisposalState::Proposed | DisposalState::TownshipApproved
        )
    }
}

/// One step as taken (处置记录).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DisposalRecord {
    /// The step.
    pub step: DisposalStep,
    /// The conclusion (a proposal is always `approve`).
    pub decision: DisposalDecision,
    /// 处置方式 (the proposal's; none on a review).
    #[serde(default)]
    pub method: Option<DisposalMethod>,
    /// 办理日期.
    pub on: NaiveDate,
    /// 意见 (the proposal's reason; a return's or refusal's reason).
    #[serde(default)]
    pub opinion: String,
}

fn refuse(code: RefusalCode, zh: impl Into<String>, en: impl Into<String>) -> Refusal {
    Refusal::new(code, zh, en)
}

/// The disposal state after `record` taken by `role` on an asset whose disposal is in `state`, given the
/// date of the last step (`last_on`). Refused: a step other than the awaited one (out of order, or after
/// the approval), a role other than the step's, a date before the last step, a proposal without its
/// method or reason, a review with a method, a proposal that is not `approve`, a return or refusal
/// without a reason.
pub fn next(
    state: Option<DisposalState>,
    last_on: Option<NaiveDate>,
    role: Role,
    record: &DisposalRecord,
) -> Result<DisposalState, Refusal> {
    let Some(awaited) = DisposalStep::awaited(state) else {
        return Err(refuse(
            RefusalCode::Finished,
            "资产已批准处置，不能再办理",
            "The asset's disposal is approved; nothing more to take",
        ));
    };
    if record.step != awaited {
        return Err(refuse(
            RefusalCode::OutOfOrder,
            format!(
                "当前应办理“{}”，不能办理“{}”（处置流程：村申请→乡审核→县审批）",
                awaited.label_zh(),
                record.step.label_zh()
            ),
            format!(
                "The disposal awaits {}, not {}",
                awaited.label_en(),
                record.step.label_en()
            ),
        ));
    }
    if role != awaited.role() {
        return Err(refuse(
            RefusalCode::RoleNotAllowed,
            format!(
                "“{}”由{}办理",
                awaited.label_zh(),
                awaited.role().label_zh()
            ),
            format!(
                "{} is taken by the {}",
                awaited.label_en(),
                awaited.role().label_en()
            ),
        ));
    }
    if let Some(last) = last_on
        && record.on < last
    {
        return Err(refuse(
            RefusalCode::DateOrder,
            format!("办理日期{}早于上一步骤（{last}）", record.on),
            format!("The date {} is before the last step ({last})", record.on),
        ));
    }
    check_text(&record.opinion, false, MAX_TEXT, "意见", "Opinion")?;
    let reason = !record.opinion.trim().is_empty();
    match (record.step, record.decision) {
        (DisposalStep::Propose, DisposalDecision::Approve) => {
            if record.method.is_none() || !reason {
                return Err(refuse(
                    RefusalCode::InvalidInput,
                    "处置申请须填写处置方式和理由",
                    "A proposal needs its method and reason",
                ));
            }
            Ok(DisposalState::Proposed)
        }
        (DisposalStep::Propose, _) => Err(refuse(
            RefusalCode::InvalidInput,
            "村申请不能退回或不予处置",
            "A proposal cannot return or refuse",
        )),
        (_, _) if record.method.is_some() => Err(refuse(
            RefusalCode::InvalidInput,
            "处置方式由村申请填写",
            "The method is given by the proposal",
        )),
        (_, d) if d != DisposalDecision::Approve && !reason => Err(refuse(
            RefusalCode::InvalidInput,
            format!("{}须填写理由", d.label_zh()),
            format!("{} needs a reason", d.label_en()),
        )),
        (_, DisposalDecision::Return) => Ok(DisposalState::Returned),
        (_, DisposalDecision::Refuse) => Ok(DisposalState::Refused),
        (DisposalStep::TownshipReview, DisposalDecision::Approve) => {
            Ok(DisposalState::TownshipApproved)
        }
        (DisposalStep::CountyApproval, DisposalDecision::Approve) => Ok(DisposalState::Approved),
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn d(day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 3, day).unwrap()
    }

    fn rec(
        step: DisposalStep,
        decision: DisposalDecision,
        day: u32,
        opinion: &str,
    ) -> DisposalRecord {
        DisposalRecord {
            step,
            decision,
            method: (step == DisposalStep::Propose).then_some(DisposalMethod::Scrap),
            on: d(day),
            opinion: opinion.to_owned(),
        }
    }

    use DisposalDecision as D;
    use DisposalStep as S;

    #[test]
    fn the_whole_flow() {
        let s = next(
            None,
            None,
            Role::VillageTeam,
            &rec(S::Propose, D::Approve, 1, "已损毁无法修复"),
        )
        .unwrap();
        assert_eq!(s, DisposalState::Proposed);
        let s = next(
            Some(s),
            Some(d(1)),
            Role::TownshipAdmin,
            &rec(S::TownshipReview, D::Approve, 2, ""),
        )
        .unwrap();
        assert_eq!(s, DisposalState::TownshipApproved);
        let s = next(
            Some(s),
            Some(d(2)),
            Role::CountyAdmin,
            &rec(S::CountyApproval, D::Approve, 3, ""),
        )
        .unwrap();
        assert_eq!(s, DisposalState::Approved);
        let e = next(
            Some(s),
            Some(d(3)),
            Role::VillageTeam,
            &rec(S::Propose, D::Approve, 4, "再次"),
        )
        .unwrap_err();
        assert_eq!(e.code, RefusalCode::Finished);
    }

    #[test]
    fn wrong_steps_are_refused() {
        let p = Some(DisposalState::Proposed);
        let cases = [
            (
                p,
                Role::CountyAdmin,
                rec(S::CountyApproval, D::Approve, 5, ""),
                RefusalCode::OutOfOrder,
            ),
            (
                p,
                Role::CountyAdmin,
                rec(S::TownshipReview, D::Approve, 5, ""),
                RefusalCode::RoleNotAllowed,
            ),
            (
                p,
                Role::TownshipAdmin,
                rec(S::TownshipReview, D::Return, 5, " "),
                RefusalCode::InvalidInput,
            ),
            (
                p,
                Role::TownshipAdmin,
                rec(S::TownshipReview, D::Approve, 1, ""),
                RefusalCode::DateOrder,
            ),
            (
                None,
                Role::VillageTeam,
                rec(S::Propose, D::Approve, 5, ""),
                RefusalCode::InvalidInput,
            ),
            (
                None,
                Role::VillageTeam,
                rec(S::Propose, D::Refuse, 5, "x"),
                RefusalCode::InvalidInput,
            ),
        ];
        for (i, (state, role, r, code)) in cases.into_iter().enumerate() {
            let e = next(state, Some(d(2)), role, &r).unwrap_err();
            assert_eq!(e.code, code, "case {i}");
        }
        let mut with_method = rec(S::TownshipReview, D::Approve, 5, "");
        with_method.method = Some(DisposalMethod::Sale);
        assert!(next(p, None, Role::TownshipAdmin, &with_method).is_err());
    }

    #[test]
    fn a_return_or_refusal_opens_a_new_proposal() {
        for (dec, end) in [
            (D::Return, DisposalState::Returned),
            (D::Refuse, DisposalState::Refused),
        ] {
            let s = next(
                Some(DisposalState::TownshipApproved),
                None,
                Role::CountyAdmin,
                &rec(S::CountyApproval, dec, 5, "理由"),
            )
            .unwrap();
            assert_eq!(s, end);
            assert_eq!(DisposalStep::awaited(Some(s)), Some(S::Propose));
        }
    }

    fn any_state() -> impl Strategy<Value = Option<DisposalState>> {
        prop::option::of(prop::sample::select(DisposalState::ALL.to_vec()))
    }

    proptest! {
        /// No step is skipped: whatever the state, role and step, a step other than the awaited one by its
        /// role is refused, and an approval moves exactly one step on.
        #[test]
        fn no_step_is_skipped(
            state in any_state(),
            step in prop::sample::select(DisposalStep::ALL.to_vec()),
            decision in prop::sample::select(DisposalDecision::ALL.to_vec()),
            role in prop::sample::select(vec![Role::VillageTeam, Role::TownshipAdmin, Role::CountyAdmin, Role::Cadre]),
        ) {
            let r = rec(step, decision, 10, "理由");
            match next(state, Some(d(1)), role, &r) {
                Ok(s) => {
                    prop_assert_eq!(Some(step), DisposalStep::awaited(state));
                    prop_assert_eq!(role, step.role());
                    if decision == D::Approve {
                        prop_assert_eq!(DisposalStep::awaited(Some(s)).map(|x| x as u8), match step {
                            S::Propose => Some(S::TownshipReview as u8),
                            S::TownshipReview => Some(S::CountyApproval as u8),
                            S::CountyApproval => None,
                        });
                    }
                }
                Err(_) => prop_assert!(Some(step) != DisposalStep::awaited(state) || role != step.role() || (step == S::Propose && decision != D::Approve)),
            }
        }
    }
}
