//! What every monitoring step shares: who acts ([`Actor`]), the one refusal type
//! ([`Refusal`], with a stable [`RefusalCode`] and Chinese and English messages),
//! a step's result ([`StepResult`]) and a meeting record ([`Meeting`]).
//!
//! Convention for every state machine of [`crate::monitoring`]: an action
//! function takes `&self` (the current state), the action with its evidence, the
//! [`Actor`] and the date, and returns a *new* state or a [`Refusal`]. The input
//! state is never changed, so a refused action leaves nothing half-written.

use chrono::NaiveDate;

use crate::access::Role;
use crate::codes::{CodeList, code_list};

/// The person taking an action: a signed-in user with one role.
#[derive(Clone, PartialEq, Eq, Debug, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Actor {
    /// The user's id.
    pub user_id: i64,
    /// The user's display name (kept in the record as it was on the day).
    pub name: String,
    /// The role the user acts in.
    pub role: Role,
}

impl Actor {
    /// An actor.
    pub fn new(user_id: i64, name: impl Into<String>, role: Role) -> Actor {
        Actor {
            user_id,
            name: name.into(),
            role,
        }
    }
}

code_list! {
    /// The kind of a refusal: a stable code for the API and the tests.
    pub enum RefusalCode ("拒绝原因", "refusal reason") {
        OutOfOrder = ("out_of_order", "步骤顺序不对", "Step out of order"),
        RoleNotAllowed = ("role_not_allowed", "角色无权操作", "Role may not take this action"),
        Finished = ("finished", "流程已结束", "Procedure already ended"),
        WrongState = ("wrong_state", "当前状态不允许此操作", "Not allowed in the current state"),
        InvalidInput = ("invalid_input", "信息不完整或不正确", "Incomplete or invalid input"),
        EvidenceRequired = ("evidence_required", "缺少佐证材料", "Evidence required"),
        SignatureRequired = ("signature_required", "须经农户签字认可", "Household signature required"),
        DateOrder = ("date_order", "日期早于上一步骤", "Date before the previous step"),
        TooEarly = ("too_early", "期限未到", "Too early"),
        Duplicate = ("duplicate", "重复记录", "Duplicate record"),
        NotEligible = ("not_eligible", "不符合条件", "Conditions not met"),
        CadreAlreadyAssigned = ("cadre_already_assigned", "已有帮扶责任人", "A responsible cadre is already assigned"),
        NoCurrentCadre = ("no_current_cadre", "尚无帮扶责任人", "No responsible cadre is assigned"),
        NotFound = ("not_found", "记录不存在", "No such record"),
        OutOfArea = ("out_of_area", "不在本人管辖范围", "Outside the user's area"),
    }
}

/// Why an action was refused. One type for every state machine of
/// [`crate::monitoring`]; the API answers it with 403 ([`RefusalCode::RoleNotAllowed`],
/// [`RefusalCode::OutOfArea`]) or 409 (everything else), showing
/// [`Refusal::message_zh`] or [`Refusal::message_en`].
#[derive(Clone, PartialEq, Eq, Debug, thiserror::Error, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[error("{message_en}")]
pub struct Refusal {
    /// The stable code.
    pub code: RefusalCode,
    /// The reason in Chinese.
    pub message_zh: String,
    /// The reason in English.
    pub message_en: String,
}

/// The Chinese and English name of a step or action, for messages.
pub(crate) type Label = (&'static str, &'static str);

pub(crate) fn label_of<T: CodeList>(v: T) -> Label {
    (v.label_zh(), v.label_en())
}

impl Refusal {
    /// A refusal with its messages.
    pub fn new(code: RefusalCode, zh: impl Into<String>, en: impl Into<String>) -> Refusal {
        Refusal {
            code,
            message_zh: zh.into(),
            message_en: en.into(),
        }
    }

    /// Whether the API should answer 403 (forbidden) rather than 409 (conflict).
    pub fn is_forbidden(&self) -> bool {
        matches!(
            self.code,
            RefusalCode::RoleNotAllowed | RefusalCode::OutOfArea
        )
    }

    /// "`expected` must come before `attempted`" (e.g. 民主评议 before 乡镇审核).
    pub fn out_of_order<T: CodeList>(expected: T, attempted: T) -> Refusal {
        Refusal::new(
            RefusalCode::OutOfOrder,
            format!(
                "须先完成“{}”，才能进行“{}”",
                expected.label_zh(),
                attempted.label_zh()
            ),
            format!(
                "{} ({}) must come before {} ({})",
                expected.label_zh(),
                expected.label_en().to_lowercase(),
                attempted.label_zh(),
                attempted.label_en().to_lowercase()
            ),
        )
    }

    /// The role may not take the action; names the roles that may.
    pub fn role_not_allowed(role: Role, action: Label, allowed: &[Role]) -> Refusal {
        let zh: Vec<&str> = allowed.iter().map(|r| r.label_zh()).collect();
        let en: Vec<&str> = allowed.iter().map(|r| r.label_en()).collect();
        Refusal::new(
            RefusalCode::RoleNotAllowed,
            format!(
                "{}无权进行“{}”（可由{}进行）",
                role.label_zh(),
                action.0,
                zh.join("、")
            ),
            format!(
                "A {} may not take the step {} ({}); allowed: {}",
                role.label_en().to_lowercase(),
                action.0,
                action.1.to_lowercase(),
                en.join(", ")
            ),
        )
    }

    /// The procedure has ended; nothing more may be recorded.
    pub fn finished(what: Label) -> Refusal {
        Refusal::new(
            RefusalCode::Finished,
            format!("{}已结束，不能再办理", what.0),
            format!(
                "The {} ({}) has already ended",
                what.1.to_lowercase(),
                what.0
            ),
        )
    }

    /// The action does not fit the current state.
    pub fn wrong_state(zh: impl Into<String>, en: impl Into<String>) -> Refusal {
        Refusal::new(RefusalCode::WrongState, zh, en)
    }

    /// A field is missing or wrong.
    pub fn invalid(zh: impl Into<String>, en: impl Into<String>) -> Refusal {
        Refusal::new(RefusalCode::InvalidInput, zh, en)
    }

    /// The action is dated before the step it follows.
    pub fn date_order(on: NaiveDate, previous: NaiveDate) -> Refusal {
        Refusal::new(
            RefusalCode::DateOrder,
            format!("办理日期 {on} 早于上一步骤的日期 {previous}"),
            format!("The date {on} is before the previous step's date {previous}"),
        )
    }
}

/// Refuses unless the actor's role is one of `allowed`.
pub(crate) fn require_role(actor: &Actor, action: Label, allowed: &[Role]) -> Result<(), Refusal> {
    if allowed.contains(&actor.role) {
        Ok(())
    } else {
        Err(Refusal::role_not_allowed(actor.role, action, allowed))
    }
}

/// Refuses a blank text field.
pub(crate) fn require_text(value: &str, field: Label) -> Result<(), Refusal> {
    if value.trim().is_empty() {
        Err(Refusal::invalid(
            format!("请填写{}", field.0),
            format!("The {} ({}) is required", field.1, field.0),
        ))
    } else {
        Ok(())
    }
}

/// Refuses an action dated before `previous`.
pub(crate) fn require_not_before(on: NaiveDate, previous: NaiveDate) -> Result<(), Refusal> {
    if on < previous {
        Err(Refusal::date_order(on, previous))
    } else {
        Ok(())
    }
}

/// Refuses evidence dated after the day it is recorded.
pub(crate) fn require_not_future(
    date: NaiveDate,
    on: NaiveDate,
    what: Label,
) -> Result<(), Refusal> {
    if date > on {
        Err(Refusal::invalid(
            format!("{}日期 {date} 晚于登记日期 {on}", what.0),
            format!(
                "The {} date {date} is after the recording date {on}",
                what.1
            ),
        ))
    } else {
        Ok(())
    }
}

code_list! {
    /// The result of a step: 通过 (passed, the procedure goes on) or 不通过 (the
    /// procedure ends with the opinion as its reason).
    pub enum StepResult ("办理结果", "step result") {
        Pass = ("pass", "通过", "Passed"),
        Fail = ("fail", "不通过", "Not passed"),
    }
}

impl StepResult {
    /// 通过.
    pub fn passed(self) -> bool {
        self == StepResult::Pass
    }
}

/// A decision at a step: its result and the opinion 意见 (required when the
/// result is 不通过: it is the reason the procedure ends).
#[derive(Clone, PartialEq, Eq, Debug, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Decision {
    /// 通过 or 不通过.
    pub result: StepResult,
    /// 意见.
    pub opinion: String,
}

impl Decision {
    /// 通过, with an opinion (may be empty).
    pub fn pass(opinion: impl Into<String>) -> Decision {
        Decision {
            result: StepResult::Pass,
            opinion: opinion.into(),
        }
    }

    /// 不通过, with the reason.
    pub fn fail(reason: impl Into<String>) -> Decision {
        Decision {
            result: StepResult::Fail,
            opinion: reason.into(),
        }
    }

    /// Refuses a 不通过 without a reason.
    pub(crate) fn validate(&self) -> Result<(), Refusal> {
        if self.result == StepResult::Fail {
            require_text(&self.opinion, ("不通过的理由", "reason for not passing"))?;
        }
        Ok(())
    }
}

/// A meeting 会议: the 民主评议 of a village, or the team's 预判 meeting.
#[derive(Clone, PartialEq, Eq, Debug, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Meeting {
    /// 会议日期.
    pub held_on: NaiveDate,
    /// 参会人数 (attendance).
    pub attendance: u32,
    /// 会议记录摘要 (minutes, may be empty).
    pub minutes: String,
}

impl Meeting {
    /// Refuses a meeting without attendance or held after `on`.
    pub(crate) fn validate(&self, on: NaiveDate) -> Result<(), Refusal> {
        if self.attendance == 0 {
            return Err(Refusal::invalid(
                "参会人数须大于 0",
                "The meeting attendance must be above 0",
            ));
        }
        require_not_future(self.held_on, on, ("会议", "meeting"))
    }
}

/// Chinese date for printed documents: `2022年9月28日`.
pub fn date_zh(d: NaiveDate) -> String {
    use chrono::Datelike;
    format!("{}年{}月{}日", d.year(), d.month(), d.day())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn out_of_order_message() {
        let r = Refusal::out_of_order(StepResult::Pass, StepResult::Fail);
        assert_eq!(r.code, RefusalCode::OutOfOrder);
        assert_eq!(
            r.message_en,
            "通过 (passed) must come before 不通过 (not passed)"
        );
        assert_eq!(r.message_zh, "须先完成“通过”，才能进行“不通过”");
        assert_eq!(r.to_string(), r.message_en);
        assert!(!r.is_forbidden());
    }

    #[test]
    fn role_message_names_allowed_roles() {
        let a = Actor::new(1, "张三", Role::Cadre);
        let r =
            require_role(&a, ("乡镇审核", "Township review"), &[Role::TownshipAdmin]).unwrap_err();
        assert_eq!(r.code, RefusalCode::RoleNotAllowed);
        assert!(r.is_forbidden());
        assert_eq!(
            r.message_zh,
            "帮扶责任人无权进行“乡镇审核”（可由乡镇管理员进行）"
        );
        assert!(
            r.message_en.contains("Township administrator"),
            "{}",
            r.message_en
        );
        assert!(require_role(&a, ("x", "x"), &[Role::Cadre]).is_ok());
    }

    #[test]
    fn small_checks() {
        let d = |m, day| NaiveDate::from_ymd_opt(2022, m, day).unwrap();
        assert_eq!(
            require_text(" ", ("意见", "opinion")).unwrap_err().code,
            RefusalCode::InvalidInput
        );
        assert!(require_text("同意", ("意见", "opinion")).is_ok());
        assert_eq!(
            require_not_before(d(1, 1), d(1, 2)).unwrap_err().code,
            RefusalCode::DateOrder
        );
        assert!(require_not_before(d(1, 2), d(1, 2)).is_ok());
        assert!(require_not_future(d(1, 3), d(1, 2), ("会议", "meeting")).is_err());
        assert!(Decision::fail(" ").validate().is_err());
        assert!(Decision::fail("收入达标").validate().is_ok());
        assert!(Decision::pass("").validate().is_ok());
        let m = Meeting {
            held_on: d(3, 1),
            attendance: 0,
            minutes: String::new(),
        };
        assert!(m.validate(d(3, 1)).is_err());
        let m = Meeting {
            attendance: 12,
            ..m
        };
        assert!(m.validate(d(3, 1)).is_ok());
        assert!(m.validate(d(2, 28)).is_err());
        assert_eq!(date_zh(d(9, 28)), "2022年9月28日");
        assert!(StepResult::Pass.passed() && !StepResult::Fail.passed());
    }
}
