//! 操作命令: what a client asks of a household's case — the JSON API, the CLI and the web pages all
//! speak [`Command`] — *without* the rules or the server-side facts a [`CaseAction`] carries.
//!
//! A client never chooses the merge window, the identification or exit rules, the monitoring line,
//! the household's labour or 低保/特困/disability status, a cadre's name, or the notice number: the
//! server fills them in. The split is explicit:
//!
//! | command | the client brings | the server fills in ([`Facts`]) |
//! | --- | --- | --- |
//! | [`Command::Report`] | the report (channel, source details, risks, reporter, date) | the county's merge window ([`ClueRules`]); the village (opening a case) |
//! | [`Command::StartIdentification`] | — | the county's [`IdentificationRules`] |
//! | [`Command::Identify`] | the step with its evidence, result and opinion | — |
//! | [`Command::PlanMeasure`], [`Command::UpdateMeasure`] | the plan; the status change with evidence | — |
//! | [`Command::Cadre`] | the cadre's user id, level, unit, phone; the reason | the cadre's name (from the user account, which must cover the household's village) |
//! | [`Command::FollowUp`] | the visit: four answers, income estimate (or the income record it comes from), notes | — |
//! | [`Command::NominateExit`] | — | the household (labour, categories), its latest income record, the line of the year, the county's [`ExitRules`] |
//! | [`Command::Exit`] | meeting, check, appraisal (result, mode), withdrawal | the household's 缓退 categories ([`DeferredCategory::of`]) |
//! | [`Command::IssueNotice`] | — | the sequence number (the store's counter), the head's name, the village and committee names |
//!
//! [`Command::resolve`] turns a command and its facts into the core's [`CaseAction`]; it is pure, so
//! it is tested here. The store gathers the facts ([`Command::needs`]) and runs the action in one
//! transaction (`shouwang_store::lifecycle`).

use chrono::NaiveDate;

use super::cadre::{Cadre, CadreAction, CadreLevel};
use super::clue::Report;
use super::common::{Decision, Meeting, Refusal};
use super::exit::{DeferredCategory, ExitAction, ExitBlocker, ExitCheck, registry_blockers};
use super::followup::FollowUp;
use super::identification::IdentAction;
use super::measures::{MeasureAction, MeasurePlan};
use super::verification::Attachment;
use super::{CaseAction, Verification};
use crate::codes::EliminationMode;
use crate::household::Household;
use crate::income::{IncomeRecord, IncomeSource};
use crate::money::Fen;
use crate::rules::CountyRules;

/// A change of responsible cadre as a client asks for it: the cadre is named by user id; the server
/// takes the name from the account.
#[derive(Clone, PartialEq, Eq, Debug, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum CadreCommand {
    /// 确定帮扶责任人.
    Assign {
        /// The cadre's user id (an active account whose area covers the household's village).
        cadre_user_id: i64,
        /// 干部类别.
        level: CadreLevel,
        /// 工作单位.
        unit: String,
        /// 联系电话.
        #[serde(default)]
        phone: Option<String>,
    },
    /// 更换帮扶责任人.
    Reassign {
        /// The new cadre's user id.
        cadre_user_id: i64,
        /// 干部类别.
        level: CadreLevel,
        /// 工作单位.
        unit: String,
        /// 联系电话.
        #[serde(default)]
        phone: Option<String>,
        /// 更换原因.
        reason: String,
    },
    /// 解除帮扶责任 (after the household leaves monitoring).
    Release {
        /// 原因.
        reason: String,
    },
}

impl CadreCommand {
    /// The user id of the cadre to be assigned (`None` for a release).
    pub fn cadre_user_id(&self) -> Option<i64> {
        match self {
            CadreCommand::Assign { cadre_user_id, .. }
            | CadreCommand::Reassign { cadre_user_id, .. } => Some(*cadre_user_id),
            CadreCommand::Release { .. } => None,
        }
    }
}

/// An exit step as a client asks for it (预判提名 and 退出告知 are commands of their own, since the
/// server supplies all their facts).
#[derive(Clone, PartialEq, Eq, Debug, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum ExitCommand {
    /// 预判会议决定.
    DecideAtMeeting {
        /// The meeting.
        meeting: Meeting,
        /// Result and opinion.
        decision: Decision,
    },
    /// 入户核查 (the result follows from the four checks).
    CheckHousehold {
        /// The checks.
        check: Box<ExitCheck>,
        /// Opinion.
        #[serde(default)]
        opinion: String,
    },
    /// 民主评议 (the household's 缓退 categories come from the registry).
    Appraise {
        /// The meeting (date, attendance).
        meeting: Meeting,
        /// Result and opinion.
        decision: Decision,
        /// 风险消除方式.
        mode: EliminationMode,
    },
    /// 终止退出程序.
    Withdraw {
        /// Why.
        reason: String,
    },
}

/// What a client asks of a household's case. Serde: tagged by `command`, e.g.
/// `{"command": "start_identification"}`.
#[derive(Clone, PartialEq, Eq, Debug, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "command", rename_all = "snake_case")]
pub enum Command {
    /// 登记线索: opens the household's case, or is merged into (or added to) its clues.
    Report {
        /// The report.
        report: Report,
    },
    /// 启动识别.
    StartIdentification,
    /// An identification step (入户核查 … 纳入监测) or 绿色通道.
    Identify {
        /// The step with its evidence.
        action: IdentAction,
    },
    /// 制定帮扶措施.
    PlanMeasure {
        /// The plan.
        plan: MeasurePlan,
    },
    /// A status change of a measure (开始实施, 完成 with evidence, 取消).
    UpdateMeasure {
        /// Position in the case's measures (0-based).
        index: usize,
        /// The change.
        action: MeasureAction,
    },
    /// 确定 / 更换 / 解除帮扶责任人.
    Cadre {
        /// The change.
        action: CadreCommand,
    },
    /// 逐月跟踪监测.
    FollowUp {
        /// The visit.
        visit: FollowUp,
    },
    /// 预判提名 (the facts come from the registry).
    NominateExit,
    /// An exit step.
    Exit {
        /// The step.
        action: ExitCommand,
    },
    /// 退出告知: issue the numbered written notice.
    IssueNotice,
}

/// Which server-side facts a command needs ([`Command::needs`]).
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct Needs {
    /// The household's registry record.
    pub household: bool,
    /// The monitoring line and the latest income record.
    pub income_and_line: bool,
    /// The account of this cadre.
    pub cadre_user: Option<i64>,
}

/// The server-side facts of a command (filled by the store from the database).
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct Facts {
    /// The county's rules.
    pub rules: CountyRules,
    /// The household as registered.
    pub household: Option<Household>,
    /// The monitoring line of the year (per capita).
    pub line: Option<Fen>,
    /// The household's latest income record.
    pub latest_income: Option<IncomeRecord>,
    /// The cadre's name, from the account (for assign and reassign).
    pub cadre_name: Option<String>,
    /// The household's open problems of the problem ledger 问题台账 (for the exit's nomination and
    /// appraisal, which they block).
    pub open_problems: Vec<ExitBlocker>,
}

/// The income estimated at a visit ([`Command::visit_income`]).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct VisitIncome {
    /// The record of its year.
    pub record: IncomeRecord,
    /// 数据来源: 入户核查 or 月度走访.
    pub source: IncomeSource,
    /// 数据日期: the visit's date.
    pub on: NaiveDate,
}

/// A command with its facts: a [`CaseAction`] to apply, or the exit notice (numbered by the store).
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum Resolved {
    /// Apply this action (a [`CaseAction::Report`] opens the case when there is none).
    Action(CaseAction),
    /// Issue the exit notice.
    IssueNotice,
}

fn missing(what: (&str, &str)) -> Refusal {
    Refusal::invalid(
        format!("缺少服务器端信息：{}", what.0),
        format!("Server-side fact missing: {}", what.1),
    )
}

impl Command {
    /// The facts the server must gather before [`Command::resolve`].
    pub fn needs(&self) -> Needs {
        match self {
            Command::NominateExit => Needs {
                household: true,
                income_and_line: true,
                cadre_user: None,
            },
            Command::Exit {
                action: ExitCommand::Appraise { .. },
            } => Needs {
                household: true,
                ..Needs::default()
            },
            Command::Cadre { action } => Needs {
                cadre_user: action.cadre_user_id(),
                ..Needs::default()
            },
            _ => Needs::default(),
        }
    }

    /// A short stable name (`report`, `identify`, …) for logs and the CLI.
    pub fn name(&self) -> &'static str {
        match self {
            Command::Report { .. } => "report",
            Command::StartIdentification => "start_identification",
            Command::Identify { .. } => "identify",
            Command::PlanMeasure { .. } => "plan_measure",
            Command::UpdateMeasure { .. } => "update_measure",
            Command::Cadre { .. } => "cadre",
            Command::FollowUp { .. } => "follow_up",
            Command::NominateExit => "nominate_exit",
            Command::Exit { .. } => "exit",
            Command::IssueNotice => "issue_notice",
        }
    }

    /// Every attachment the command refers to (the store checks each was uploaded).
    pub fn attachments(&self) -> Vec<&Attachment> {
        fn of_verification(v: &Verification) -> impl Iterator<Item = &Attachment> {
            v.attachments
                .iter()
                .chain(v.authorisation.iter().filter_map(|a| a.attachment.as_ref()))
        }
        match self {
            Command::Identify {
                action: IdentAction::Verify { verification, .. },
            } => of_verification(verification).collect(),
            Command::UpdateMeasure {
                action: MeasureAction::Complete { evidence },
                ..
            } => evidence.attachments.iter().collect(),
            Command::Exit {
                action: ExitCommand::CheckHousehold { check, .. },
            } => of_verification(&check.verification).collect(),
            _ => Vec::new(),
        }
    }

    /// The income estimated at a visit 收支测算 — the 入户核查 of identification or of exit (source
    /// 入户核查), the monthly follow-up (source 月度走访) — with its source and the visit's date: it
    /// becomes the household's income record of its year when it counts
    /// ([`IncomeSource::counts_over`]).
    pub fn visit_income(&self) -> Option<VisitIncome> {
        let (record, source, on) = match self {
            Command::Identify {
                action: IdentAction::Verify { verification, .. },
            } => (
                verification.income?,
                IncomeSource::Verification,
                verification.visited_on,
            ),
            Command::Exit {
                action: ExitCommand::CheckHousehold { check, .. },
            } => (
                check.verification.income?,
                IncomeSource::Verification,
                check.verification.visited_on,
            ),
            Command::FollowUp { visit } => {
                (visit.income?, IncomeSource::FollowUp, visit.visited_on)
            }
            _ => return None,
        };
        Some(VisitIncome { record, source, on })
    }

    /// The core action for this command with the server's facts. Refuses (`InvalidInput`) when a fact
    /// the command needs ([`Command::needs`]) is missing.
    pub fn resolve(self, facts: Facts) -> Result<Resolved, Refusal> {
        let rules = facts.rules;
        let action = match self {
            Command::Report { report } => CaseAction::Report {
                report,
                rules: rules.clue,
            },
            Command::StartIdentification => CaseAction::StartIdentification {
                rules: rules.identification,
            },
            Command::Identify { action } => CaseAction::Identify { action },
            Command::PlanMeasure { plan } => CaseAction::PlanMeasure { plan },
            Command::UpdateMeasure { index, action } => CaseAction::UpdateMeasure { index, action },
            Command::Cadre { action } => {
                let name = || {
                    facts
                        .cadre_name
                        .clone()
                        .ok_or_else(|| missing(("帮扶责任人姓名", "cadre name")))
                };
                let action = match action {
                    CadreCommand::Assign {
                        cadre_user_id,
                        level,
                        unit,
                        phone,
                    } => CadreAction::Assign {
                        cadre: Cadre {
                            user_id: cadre_user_id,
                            name: name()?,
                            level,
                            unit,
                            phone: phone.filter(|p| !p.trim().is_empty()),
                        },
                    },
                    CadreCommand::Reassign {
                        cadre_user_id,
                        level,
                        unit,
                        phone,
                        reason,
                    } => CadreAction::Reassign {
                        cadre: Cadre {
                            user_id: cadre_user_id,
                            name: name()?,
                            level,
                            unit,
                            phone: phone.filter(|p| !p.trim().is_empty()),
                        },
                        reason,
                    },
                    CadreCommand::Release { reason } => CadreAction::Release { reason },
                };
                CaseAction::Cadre { action }
            }
            Command::FollowUp { visit } => CaseAction::FollowUp { visit },
            Command::NominateExit => {
                let household = facts
                    .household
                    .ok_or_else(|| missing(("农户信息", "household record")))?;
                let line = facts
                    .line
                    .ok_or_else(|| missing(("监测线", "monitoring line")))?;
                CaseAction::NominateExit {
                    household: Box::new(household),
                    line,
                    latest_income: facts.latest_income,
                    rules: Box::new(rules.exit),
                    open_problems: facts.open_problems,
                }
            }
            Command::Exit { action } => {
                let action = match action {
                    ExitCommand::DecideAtMeeting { meeting, decision } => {
                        ExitAction::DecideAtMeeting { meeting, decision }
                    }
                    ExitCommand::CheckHousehold { check, opinion } => {
                        ExitAction::CheckHousehold { check, opinion }
                    }
                    ExitCommand::Appraise {
                        meeting,
                        decision,
                        mode,
                    } => {
                        let household = facts
                            .household
                            .as_ref()
                            .ok_or_else(|| missing(("农户信息", "household record")))?;
                        let blockers = registry_blockers(household, None, meeting.held_on)
                            .into_iter()
                            .chain(facts.open_problems.iter().cloned())
                            .collect();
                        ExitAction::Appraise {
                            meeting,
                            decision,
                            mode,
                            categories: DeferredCategory::of(household),
                            blockers,
                        }
                    }
                    ExitCommand::Withdraw { reason } => ExitAction::Withdraw { reason },
                };
                CaseAction::Exit { action }
            }
            Command::IssueNotice => return Ok(Resolved::IssueNotice),
        };
        Ok(Resolved::Action(action))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codes::{Dibao, RiskType};
    use crate::monitoring::clue::{ApplicationMeans, Source};
    use crate::monitoring::measures::Completion;
    use crate::monitoring::{ClueRules, RefusalCode};
    use chrono::NaiveDate;

    fn d(m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2022, m, day).unwrap()
    }

    fn household() -> Household {
        crate::household::tests::household()
    }

    #[test]
    fn report_takes_the_county_merge_window() {
        let rules = CountyRules {
            clue: ClueRules {
                merge_window_days: 45,
            },
            ..CountyRules::default()
        };
        let report = Report {
            household: "H1".into(),
            source: Source::Application {
                applicant: "张三".into(),
                stated_cause: "因病".into(),
                means: ApplicationMeans::Written,
            },
            risks: vec![RiskType::Illness],
            reporter: "张三".into(),
            reported_on: d(1, 3),
        };
        let r = Command::Report {
            report: report.clone(),
        }
        .resolve(Facts {
            rules,
            ..Facts::default()
        })
        .unwrap();
        assert_eq!(
            r,
            Resolved::Action(CaseAction::Report {
                report,
                rules: ClueRules {
                    merge_window_days: 45
                }
            })
        );
    }

    #[test]
    fn serde_shape() {
        let c: Command = serde_json::from_str(r#"{"command":"start_identification"}"#).unwrap();
        assert_eq!(c, Command::StartIdentification);
        let c: Command = serde_json::from_str(
            r#"{"command":"cadre","action":{"action":"assign","cadre_user_id":5,"level":"village","unit":"村委"}}"#,
        )
        .unwrap();
        assert_eq!(c.needs().cadre_user, Some(5));
        assert!(serde_json::from_str::<Command>(r#"{"command":"nominate_exit","line":1}"#).is_ok());
        // A client cannot smuggle rules in: unknown fields are ignored, the server's rules apply.
        let c: Command = serde_json::from_str(
            r#"{"command":"start_identification","rules":{"publicity_days":1}}"#,
        )
        .unwrap();
        let Resolved::Action(CaseAction::StartIdentification { rules }) =
            c.resolve(Facts::default()).unwrap()
        else {
            panic!("not a start")
        };
        assert_eq!(rules.publicity_days, 5);
        assert!(serde_json::from_str::<Command>(r#"{"command":"fly"}"#).is_err());
    }

    #[test]
    fn cadre_name_comes_from_the_facts() {
        let cmd = Command::Cadre {
            action: CadreCommand::Assign {
                cadre_user_id: 9,
                level: CadreLevel::Village,
                unit: "李家沟村委".into(),
                phone: Some(" ".into()),
            },
        };
        assert_eq!(cmd.needs().cadre_user, Some(9));
        let r = cmd.clone().resolve(Facts::default()).unwrap_err();
        assert_eq!(r.code, RefusalCode::InvalidInput);
        let Resolved::Action(CaseAction::Cadre {
            action: CadreAction::Assign { cadre },
        }) = cmd
            .resolve(Facts {
                cadre_name: Some("王干部".into()),
                ..Facts::default()
            })
            .unwrap()
        else {
            panic!("not an assignment")
        };
        assert_eq!(cadre.name, "王干部");
        assert_eq!(cadre.user_id, 9);
        assert_eq!(cadre.phone, None);
        let release = Command::Cadre {
            action: CadreCommand::Release { reason: "x".into() },
        };
        assert_eq!(release.needs(), Needs::default());
    }

    #[test]
    fn nomination_and_appraisal_take_registry_facts() {
        let mut h = household();
        h.members[0].dibao = Dibao::Rural;
        assert!(Command::NominateExit.needs().household);
        assert!(Command::NominateExit.needs().income_and_line);
        assert!(Command::NominateExit.resolve(Facts::default()).is_err());
        let r = Command::NominateExit
            .resolve(Facts {
                household: Some(h.clone()),
                line: Some(Fen::from_yuan(6500)),
                ..Facts::default()
            })
            .unwrap();
        assert!(matches!(
            r,
            Resolved::Action(CaseAction::NominateExit { line, .. }) if line == Fen::from_yuan(6500)
        ));
        let appraise = Command::Exit {
            action: ExitCommand::Appraise {
                meeting: Meeting {
                    held_on: d(9, 26),
                    attendance: 20,
                    minutes: String::new(),
                },
                decision: Decision::pass(""),
                mode: EliminationMode::Assisted,
            },
        };
        assert!(appraise.needs().household);
        let Resolved::Action(CaseAction::Exit {
            action: ExitAction::Appraise { categories, .. },
        }) = appraise
            .resolve(Facts {
                household: Some(h),
                ..Facts::default()
            })
            .unwrap()
        else {
            panic!("not an appraisal")
        };
        assert!(categories.contains(&DeferredCategory::Dibao));
        assert_eq!(
            Command::IssueNotice.resolve(Facts::default()).unwrap(),
            Resolved::IssueNotice
        );
    }

    #[test]
    fn attachments_are_listed() {
        let a = Attachment::new("x.jpg", &"ab".repeat(32), "image/jpeg").unwrap();
        let c = Command::UpdateMeasure {
            index: 0,
            action: MeasureAction::Complete {
                evidence: Completion {
                    description: "done".into(),
                    attachments: vec![a.clone()],
                },
            },
        };
        assert_eq!(c.attachments(), vec![&a]);
        assert!(Command::StartIdentification.attachments().is_empty());
        assert_eq!(c.name(), "update_measure");
    }

    #[test]
    fn a_visits_income_with_its_source_and_date() {
        use crate::monitoring::verification::tests::verification;
        let v = verification(d(3, 4), 7_000);
        let ident = Command::Identify {
            action: IdentAction::Verify {
                verification: Box::new(v.clone()),
                decision: Decision::pass(""),
            },
        };
        let got = ident.visit_income().unwrap();
        assert_eq!(
            (got.record, got.source, got.on),
            (v.income.unwrap(), IncomeSource::Verification, d(3, 4))
        );
        let mut visit = crate::monitoring::followup::tests::visit(
            crate::monitoring::YearMonth::new(2022, 5).unwrap(),
            7_000,
        );
        let follow_up = Command::FollowUp {
            visit: visit.clone(),
        };
        assert_eq!(follow_up.visit_income(), None, "an estimate alone");
        visit.income = v.income;
        let got = Command::FollowUp { visit }.visit_income().unwrap();
        assert_eq!((got.source, got.on), (IncomeSource::FollowUp, d(5, 10)));
        assert_eq!(Command::StartIdentification.visit_income(), None);
    }
}
