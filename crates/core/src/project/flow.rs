//! 入库流程 (§四(二)1: "村申报、乡审核、行业部门论证、县备案"): the state machine of a project's entry into the
//! 项目库. Each step is taken by its role — the village team applies (村申报), the township admin reviews
//! (乡审核), a department user of the responsible sector appraises (行业部门论证), the county admin files
//! (县备案) — with a date, an opinion and attachments. A reviewer may pass the project on, return it to the
//! village (退回修改, with a reason; the village applies again) or refuse it (不予入库, with a reason; final).
//!
//! [`next`] is pure: it takes the current state and the step and returns the new state or a
//! [`Refusal`]; a refused step changes nothing. No step can be skipped: each state admits exactly one step.

use chrono::NaiveDate;

use super::{MAX_TEXT, check_text};
use crate::access::Role;
use crate::codes::{CodeList, code_list};
use crate::monitoring::{Attachment, Refusal, RefusalCode};

code_list! {
    /// 项目状态 in the entry flow.
    pub enum ProjectState ("项目状态", "project state") {
        Submitted = ("submitted", "待乡审核", "Awaiting township review"),
        TownshipApproved = ("township_approved", "待行业部门论证", "Awaiting sector appraisal"),
        DepartmentApproved = ("department_approved", "待县备案", "Awaiting county filing"),
        Filed = ("filed", "已入库备案", "Filed in the project library"),
        Returned = ("returned", "已退回修改", "Returned for revision"),
        Refused = ("refused", "不予入库", "Refused"),
    }
}

code_list! {
    /// 流程步骤.
    pub enum Step ("流程步骤", "flow step") {
        Apply = ("apply", "村申报", "Village application"),
        TownshipReview = ("township_review", "乡审核", "Township review"),
        DepartmentReview = ("department_review", "行业部门论证", "Sector appraisal"),
        CountyFiling = ("county_filing", "县备案", "County filing"),
    }
}

code_list! {
    /// 审核意见.
    pub enum Decision ("审核结论", "decision") {
        Approve = ("approve", "同意", "Approve"),
        Return = ("return", "退回修改", "Return for revision"),
        Refuse = ("refuse", "不予入库", "Refuse"),
    }
}

impl Step {
    /// The role that takes the step.
    pub fn role(self) -> Role {
        match self {
            Step::Apply => Role::VillageTeam,
            Step::TownshipReview => Role::TownshipAdmin,
            Step::DepartmentReview => Role::Department,
            Step::CountyFiling => Role::CountyAdmin,
        }
    }

    /// The step a project in `state` waits for (`None`: filed or refused, nothing more).
    pub fn awaited(state: Option<ProjectState>) -> Option<Step> {
        match state {
            None | Some(ProjectState::Returned) => Some(Step::Apply),
            Some(ProjectState::Submitted) => Some(Step::TownshipReview),
            Some(ProjectState::TownshipApproved) => Some(Step::DepartmentReview),
            Some(ProjectState::DepartmentApproved) => Some(Step::CountyFiling),
            Some(ProjectState::Filed | ProjectState::Refused) => None,
        }
    }
}

impl ProjectState {
    /// Filed or refused: the flow has ended.
    pub fn is_final(self) -> bool {
        matches!(self, ProjectState::Filed | ProjectState::Refused)
    }
}

/// One step as taken (流程记录): what, by whom, when, the conclusion, the opinion and the attachments.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StepRecord {
    /// The step.
    pub step: Step,
    /// The conclusion (申报 is always `approve`).
    pub decision: Decision,
    /// 办理日期.
    pub on: NaiveDate,
    /// 意见 (the reason when returned or refused).
    pub opinion: String,
    /// 附件 (stored in the attachment store).
    #[serde(default)]
    pub attachments: Vec<Attachment>,
}

fn refuse(code: RefusalCode, zh: impl Into<String>, en: impl Into<String>) -> Refusal {
    Refusal::new(code, zh, en)
}

/// The state after `record` taken by `role` on a project in `state` (`None`: not yet applied), given the
/// date of the last step (`last_on`). Refused: a step other than the awaited one (out of order, or after
/// the end), a role other than the step's, a date before the last step, an application that is not
/// `approve`, a return or refusal without a reason, an opinion over 500 characters.
pub fn next(
    state: Option<ProjectState>,
    last_on: Option<NaiveDate>,
    role: Role,
    record: &StepRecord,
) -> Result<ProjectState, Refusal> {
    let Some(awaited) = Step::awaited(state) else {
        return Err(refuse(
            RefusalCode::Finished,
            format!(
                "项目{}，不能再办理{}",
                state.map(|s| s.label_zh()).unwrap_or_default(),
                record.step.label_zh()
            ),
            format!(
                "The project's flow has ended; no {}",
                record.step.label_en()
            ),
        ));
    };
    if record.step != awaited {
        return Err(refuse(
            RefusalCode::OutOfOrder,
            format!(
                "当前应办理“{}”，不能办理“{}”（入库流程：村申报→乡审核→行业部门论证→县备案）",
                awaited.label_zh(),
                record.step.label_zh()
            ),
            format!(
                "The project awaits {}, not {}",
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
    if record.decision != Decision::Approve && record.opinion.trim().is_empty() {
        return Err(refuse(
            RefusalCode::InvalidInput,
            format!("{}须填写理由", record.decision.label_zh()),
            format!("{} needs a reason", record.decision.label_en()),
        ));
    }
    Ok(match (record.step, record.decision) {
        (Step::Apply, Decision::Approve) => ProjectState::Submitted,
        (Step::Apply, _) => {
            return Err(refuse(
                RefusalCode::InvalidInput,
                "村申报不能退回或不予入库",
                "An application cannot return or refuse",
            ));
        }
        (_, Decision::Return) => ProjectState::Returned,
        (_, Decision::Refuse) => ProjectState::Refused,
        (Step::TownshipReview, Decision::Approve) => ProjectState::TownshipApproved,
        (Step::DepartmentReview, Decision::Approve) => ProjectState::DepartmentApproved,
        (Step::CountyFiling, Decision::Approve) => ProjectState::Filed,
    })
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn d(day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 3, day).unwrap()
    }

    fn rec(step: Step, decision: Decision, day: u32, opinion: &str) -> StepRecord {
        StepRecord {
            step,
            decision,
            on: d(day),
            opinion: opinion.to_owned(),
            attachments: Vec::new(),
        }
    }

    #[test]
    fn the_whole_flow_by_its_roles() {
        let mut state = None;
        let mut last = None;
        for (i, step) in Step::ALL.iter().enumerate() {
            let day = u32::try_from(i).unwrap() + 1;
            let r = rec(*step, Decision::Approve, day, "同意");
            state = Some(next(state, last, step.role(), &r).unwrap());
            last = Some(r.on);
        }
        assert_eq!(state, Some(ProjectState::Filed));
        let again = rec(Step::CountyFiling, Decision::Approve, 9, "");
        let e = next(state, last, Role::CountyAdmin, &again).unwrap_err();
        assert_eq!(e.code, RefusalCode::Finished);
    }

    #[test]
    fn returned_goes_back_to_the_village_refused_ends() {
        let s = Some(ProjectState::Submitted);
        let r = rec(Step::TownshipReview, Decision::Return, 2, "预算不细");
        assert_eq!(
            next(s, Some(d(1)), Role::TownshipAdmin, &r),
            Ok(ProjectState::Returned)
        );
        let again = rec(Step::Apply, Decision::Approve, 3, "已补充预算");
        assert_eq!(
            next(
                Some(ProjectState::Returned),
                Some(d(2)),
                Role::VillageTeam,
                &again
            ),
            Ok(ProjectState::Submitted)
        );
        let r = rec(
            Step::DepartmentReview,
            Decision::Refuse,
            4,
            "不符合衔接资金使用范围",
        );
        assert_eq!(
            next(
                Some(ProjectState::TownshipApproved),
                None,
                Role::Department,
                &r
            ),
            Ok(ProjectState::Refused)
        );
        let e = next(Some(ProjectState::Refused), None, Role::VillageTeam, &again).unwrap_err();
        assert_eq!(e.code, RefusalCode::Finished);
    }

    #[test]
    fn refusals() {
        let s = Some(ProjectState::Submitted);
        let no_reason = rec(Step::TownshipReview, Decision::Refuse, 2, " ");
        assert_eq!(
            next(s, None, Role::TownshipAdmin, &no_reason)
                .unwrap_err()
                .code,
            RefusalCode::InvalidInput
        );
        let ok = rec(Step::TownshipReview, Decision::Approve, 2, "");
        assert_eq!(
            next(s, None, Role::VillageTeam, &ok).unwrap_err().code,
            RefusalCode::RoleNotAllowed
        );
        assert_eq!(
            next(s, Some(d(3)), Role::TownshipAdmin, &ok)
                .unwrap_err()
                .code,
            RefusalCode::DateOrder
        );
        let skip = rec(Step::CountyFiling, Decision::Approve, 2, "");
        assert_eq!(
            next(s, None, Role::CountyAdmin, &skip).unwrap_err().code,
            RefusalCode::OutOfOrder
        );
        let refuse_apply = rec(Step::Apply, Decision::Refuse, 2, "x");
        assert_eq!(
            next(None, None, Role::VillageTeam, &refuse_apply)
                .unwrap_err()
                .code,
            RefusalCode::InvalidInput
        );
    }

    fn any_state() -> impl Strategy<Value = Option<ProjectState>> {
        prop_oneof![
            Just(None),
            proptest::sample::select(ProjectState::ALL).prop_map(Some)
        ]
    }

    proptest! {
        /// Whatever is tried, the only step that succeeds is the awaited one by its role; an accepted
        /// step moves the project exactly one stage on (or back to the village, or to the end).
        #[test]
        fn no_step_is_skipped(
            state in any_state(),
            step in proptest::sample::select(Step::ALL),
            decision in proptest::sample::select(Decision::ALL),
            role in proptest::sample::select(Role::ALL),
            reason in proptest::bool::ANY,
        ) {
            let r = rec(step, decision, 5, if reason { "理由" } else { "" });
            match next(state, Some(d(1)), role, &r) {
                Ok(after) => {
                    prop_assert_eq!(Step::awaited(state), Some(step));
                    prop_assert_eq!(role, step.role());
                    let expected = match decision {
                        Decision::Return => ProjectState::Returned,
                        Decision::Refuse => ProjectState::Refused,
                        Decision::Approve => match step {
                            Step::Apply => ProjectState::Submitted,
                            Step::TownshipReview => ProjectState::TownshipApproved,
                            Step::DepartmentReview => ProjectState::DepartmentApproved,
                            Step::CountyFiling => ProjectState::Filed,
                        },
                    };
                    prop_assert_eq!(after, expected);
                }
                Err(e) => {
                    // A refused step changes nothing: the caller keeps `state` (the function is pure),
                    // and the refusal names why.
                    prop_assert!(!e.message_zh.is_empty());
                    let allowed = Step::awaited(state) == Some(step) && role == step.role();
                    if allowed {
                        prop_assert!(matches!(e.code, RefusalCode::InvalidInput));
                    }
                }
            }
        }

        /// Filed is reached only through every step in order.
        #[test]
        fn filed_only_through_every_step(steps in proptest::collection::vec(
            (proptest::sample::select(Step::ALL), proptest::sample::select(Decision::ALL)), 0..12)) {
            let mut state = None;
            let mut path = Vec::new();
            for (step, decision) in steps {
                if let Ok(s) = next(state, None, step.role(), &rec(step, decision, 5, "理由")) {
                    if s == ProjectState::Submitted { path.clear(); }
                    path.push(step);
                    state = Some(s);
                }
            }
            if state == Some(ProjectState::Filed) {
                prop_assert_eq!(path, Step::ALL.to_vec());
            }
        }
    }
}
