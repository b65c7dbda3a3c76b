//! The exit procedure 退出程序 of one household as a state machine:
//! [`Exit::nominate`] (预判提名) starts it, [`Exit::apply`] takes each further
//! step or refuses it.

use chrono::{Datelike, NaiveDate};

use super::conditions::{ExitFacts, PreJudgment, prejudge};
use super::deferral::DeferredCategory;
use super::notice::ExitNotice;
use super::rules::ExitRules;
use super::steps::{
    EXIT, ExitAction, ExitRecord, ExitStatus, ExitStep, ExitStepEvidence, WITHDRAW, WITHDRAW_ROLES,
};
use crate::codes::{CodeList, EliminationMode};
use crate::money::Fen;
use crate::monitoring::calendar::Quarter;
use crate::monitoring::common::{
    Actor, Label, Refusal, RefusalCode, StepResult, label_of, require_not_before, require_role,
    require_text,
};

/// One exit procedure of a household.
#[derive(Clone, PartialEq, Eq, Debug, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Exit {
    /// 户编号.
    pub household: String,
    /// The quarter of the nomination.
    pub quarter: Quarter,
    /// The rules in force at nomination.
    pub rules: ExitRules,
    /// Steps taken, in order (nomination first).
    pub steps: Vec<ExitRecord>,
    /// Where it stands.
    pub status: ExitStatus,
}

impl Exit {
    /// 预判提名: nominates a household. Refuses a role outside
    /// [`ExitStep::Nomination`]'s, or a household that does not meet every
    /// condition (the refusal lists the unmet ones).
    pub fn nominate(
        household: impl Into<String>,
        facts: &ExitFacts,
        rules: ExitRules,
        actor: &Actor,
        on: NaiveDate,
    ) -> Result<Exit, Refusal> {
        require_role(
            actor,
            label_of(ExitStep::Nomination),
            ExitStep::Nomination.roles(),
        )?;
        let household = household.into();
        require_text(&household, ("户编号", "household number"))?;
        let judgment = prejudge(facts, &rules, on);
        if !judgment.proposed() {
            let zh: Vec<String> = judgment
                .unmet
                .iter()
                .map(|u| {
                    format!(
                        "{}（{}）：{}",
                        u.condition.code(),
                        u.condition.label_zh(),
                        u.detail_zh
                    )
                })
                .collect();
            let en: Vec<String> = judgment
                .unmet
                .iter()
                .map(|u| {
                    format!(
                        "{} ({}): {}",
                        u.condition.code(),
                        u.condition.label_en(),
                        u.detail_en
                    )
                })
                .collect();
            return Err(Refusal::new(
                RefusalCode::NotEligible,
                format!("不符合风险消除条件：{}", zh.join("；")),
                format!("Risk-elimination conditions not met: {}", en.join("; ")),
            ));
        }
        Ok(Exit {
            household,
            quarter: Quarter::of(on),
            rules,
            steps: vec![ExitRecord {
                step: ExitStep::Nomination,
                actor: actor.clone(),
                on,
                result: StepResult::Pass,
                opinion: String::new(),
                evidence: ExitStepEvidence::PreJudgment {
                    judgment: Box::new(judgment),
                },
            }],
            status: ExitStatus::InProgress,
        })
    }

    /// The pre-judgment made at nomination.
    pub fn prejudgment(&self) -> Option<&PreJudgment> {
        self.steps.iter().find_map(|r| match &r.evidence {
            ExitStepEvidence::PreJudgment { judgment } => Some(judgment.as_ref()),
            _ => None,
        })
    }

    /// The notice, once issued.
    pub fn notice(&self) -> Option<&ExitNotice> {
        self.steps.iter().find_map(|r| match &r.evidence {
            ExitStepEvidence::Notice { notice } => Some(notice.as_ref()),
            _ => None,
        })
    }

    /// The next step (`None` when nothing more may be done).
    pub fn next_step(&self) -> Option<ExitStep> {
        match self.status {
            ExitStatus::InProgress => ExitStep::ALL.get(self.steps.len()).copied(),
            ExitStatus::Eliminated { .. } if self.notice().is_none() => Some(ExitStep::Notice),
            _ => None,
        }
    }

    /// Still running.
    pub fn is_in_progress(&self) -> bool {
        self.status == ExitStatus::InProgress
    }

    /// The end date (eliminated, deferred, or not eliminated).
    pub fn ended_on(&self) -> Option<NaiveDate> {
        match &self.status {
            ExitStatus::InProgress => None,
            ExitStatus::Eliminated { on, .. }
            | ExitStatus::Deferred { on, .. }
            | ExitStatus::NotEliminated { on, .. } => Some(*on),
        }
    }

    fn line(&self) -> Fen {
        self.prejudgment().map_or(Fen::ZERO, |p| p.facts.line)
    }

    /// Takes an action. Returns the new state or a [`Refusal`] leaving `self`
    /// unchanged: ended; out of order (or already taken); a role that may not;
    /// a date before the previous step; missing evidence or signature.
    pub fn apply(&self, action: ExitAction, actor: &Actor, on: NaiveDate) -> Result<Exit, Refusal> {
        let last = self.steps.last().map_or(on, |r| r.on);
        let Some(step) = action.step() else {
            let ExitAction::Withdraw { reason } = action else {
                return Err(Refusal::invalid("无效操作", "Invalid action"));
            };
            require_role(actor, WITHDRAW, WITHDRAW_ROLES)?;
            if !self.is_in_progress() {
                return Err(Refusal::finished(EXIT));
            }
            require_text(&reason, ("终止原因", "reason for withdrawing"))?;
            require_not_before(on, last)?;
            let mut next = self.clone();
            next.status = ExitStatus::NotEliminated {
                step: None,
                on,
                reason,
            };
            return Ok(next);
        };
        require_role(actor, label_of(step), step.roles())?;
        let Some(expected) = self.next_step() else {
            return Err(Refusal::finished(EXIT));
        };
        if step.index() < expected.index() {
            return Err(Refusal::new(
                RefusalCode::Duplicate,
                format!("“{}”已经办理", step.label_zh()),
                format!(
                    "{} ({}) has already been taken",
                    step.label_zh(),
                    step.label_en().to_lowercase()
                ),
            ));
        }
        if step != expected {
            return Err(Refusal::out_of_order(expected, step));
        }
        require_not_before(on, last)?;

        let mut next = self.clone();
        let (result, opinion, evidence) = match action {
            ExitAction::DecideAtMeeting { meeting, decision } => {
                meeting.validate(on)?;
                decision.validate()?;
                (
                    decision.result,
                    decision.opinion,
                    ExitStepEvidence::Meeting { meeting },
                )
            }
            ExitAction::CheckHousehold { check, opinion } => {
                check.verification.validate(on)?;
                if check.verification.income.is_none() {
                    return Err(Refusal::new(
                        RefusalCode::EvidenceRequired,
                        "入户核查须有家庭收支情况",
                        "The household check needs the income and expenditure",
                    ));
                }
                if !check.verification.signature.is_signed() {
                    return Err(Refusal::new(
                        RefusalCode::SignatureRequired,
                        "核查结果需经监测户签字认可",
                        "The household must sign the check result",
                    ));
                }
                require_text(
                    &check.industry_employment,
                    ("家庭产业就业情况", "industry and employment"),
                )?;
                let failed: Vec<Label> = check
                    .results(self.line())
                    .into_iter()
                    .filter(|(_, ok)| !ok)
                    .map(|(l, _)| l)
                    .collect();
                if failed.is_empty() {
                    (StepResult::Pass, opinion, ExitStepEvidence::Check { check })
                } else {
                    let zh: Vec<&str> = failed.iter().map(|l| l.0).collect();
                    let reason = if opinion.trim().is_empty() {
                        format!("核查未通过，未达标项：{}", zh.join("、"))
                    } else {
                        format!("核查未通过，未达标项：{}；{opinion}", zh.join("、"))
                    };
                    (StepResult::Fail, reason, ExitStepEvidence::Check { check })
                }
            }
            ExitAction::Appraise {
                meeting,
                decision,
                mode,
                categories,
                blockers,
            } => {
                meeting.validate(on)?;
                decision.validate()?;
                if decision.result.passed() && !blockers.is_empty() {
                    let zh: Vec<String> = blockers
                        .iter()
                        .map(|b| format!("{}：{}", b.sector.label_zh(), b.detail_zh))
                        .collect();
                    let en: Vec<String> = blockers
                        .iter()
                        .map(|b| format!("{}: {}", b.sector.label_en(), b.detail_en))
                        .collect();
                    return Err(Refusal::new(
                        RefusalCode::NotEligible,
                        format!(
                            "尚有未解决的三保障和饮水安全问题，不能认定风险消除：{}",
                            zh.join("；")
                        ),
                        format!(
                            "Open problems of the three guarantees or drinking water: the risk cannot be eliminated: {}",
                            en.join("; ")
                        ),
                    ));
                }
                if decision.result.passed() && mode == EliminationMode::Assisted {
                    let delivered = self.prejudgment().map_or(0, |p| p.facts.measures_delivered);
                    if delivered == 0 {
                        return Err(Refusal::invalid(
                            "未落实任何帮扶措施，不能认定为帮扶消除",
                            "No measure was delivered: the mode cannot be 帮扶消除 (eliminated through assistance)",
                        ));
                    }
                }
                (
                    decision.result,
                    decision.opinion,
                    ExitStepEvidence::Appraisal {
                        meeting,
                        mode,
                        categories,
                    },
                )
            }
            ExitAction::IssueNotice {
                sequence,
                addressee,
                village,
                committee,
            } => {
                let ExitStatus::Eliminated {
                    on: eliminated_on,
                    mode,
                } = self.status
                else {
                    return Err(Refusal::finished(EXIT));
                };
                if sequence == 0 {
                    return Err(Refusal::invalid(
                        "告知书序号须大于 0",
                        "The notice sequence must be above 0",
                    ));
                }
                require_text(&addressee, ("户主姓名", "addressee"))?;
                require_text(&village, ("村名", "village"))?;
                require_text(&committee, ("落款单位", "issuing committee"))?;
                let year = on.year();
                let notice = ExitNotice {
                    number: self.rules.notice.number(year, sequence),
                    year,
                    sequence,
                    household: self.household.clone(),
                    addressee,
                    village,
                    committee,
                    eliminated_on,
                    mode,
                    issued_on: on,
                };
                (
                    StepResult::Pass,
                    String::new(),
                    ExitStepEvidence::Notice {
                        notice: Box::new(notice),
                    },
                )
            }
            ExitAction::Withdraw { .. } => {
                return Err(Refusal::invalid("无效操作", "Invalid action"));
            }
        };
        if result == StepResult::Fail {
            next.status = ExitStatus::NotEliminated {
                step: Some(step),
                on,
                reason: opinion.clone(),
            };
        } else if let ExitStepEvidence::Appraisal {
            mode, categories, ..
        } = &evidence
        {
            let deferred: Vec<DeferredCategory> = self
                .rules
                .deferred
                .iter()
                .copied()
                .filter(|c| categories.contains(c))
                .collect();
            next.status = if deferred.is_empty() {
                ExitStatus::Eliminated { on, mode: *mode }
            } else {
                ExitStatus::Deferred {
                    on,
                    categories: deferred,
                }
            };
        }
        next.steps.push(ExitRecord {
            step,
            actor: actor.clone(),
            on,
            result,
            opinion,
            evidence,
        });
        Ok(next)
    }
}
