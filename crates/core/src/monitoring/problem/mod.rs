//! 三保障和饮水安全问题整改: one problem of the problem ledger 问题台账 (§三(四) "义务教育、基本医疗、
//! 住房安全和饮水安全……发现问题及时整改", issue 22), found at a household or a village in a quarterly
//! campaign 排查, rectified by its responsible unit 责任单位 with evidence, and closed 销号 when the
//! township accepts it.
//!
//! The state machine, like every one of [`crate::monitoring`] (`&self` in, a new state or a
//! [`Refusal`] out, nothing changed on a refusal):
//!
//! | from | action | who | needs | to |
//! | --- | --- | --- | --- | --- |
//! | — | [`Problem::find`] 发现登记 | village team, township admin, cadre | what was found, a deadline not before the day | 待整改 |
//! | 待整改, 整改中 | [`ProblemAction::Rectify`] 整改 | village team, township admin, county admin | what was done, at least one attachment (photo, document) | 整改中 |
//! | 整改中 | [`ProblemAction::Accept`] 验收销号 | township admin, county admin | an opinion | 已销号 |
//!
//! No step is skipped: a problem is closed only after a rectification with evidence; a closed one
//! takes nothing more. An open problem at a household keeps it from exit ([`Problem::blocker`]).

use std::collections::BTreeMap;

use chrono::NaiveDate;

use crate::access::Role;
use crate::codes::{CodeList, Guarantee, code_list};
use crate::household::Member;
use crate::ledger::{Column, ColumnKind, Value, col, date, t, yes_no};
use crate::monitoring::calendar::{Period, Task, TaskKind, YearMonth};
use crate::monitoring::common::{
    Actor, Label, Refusal, RefusalCode, require_not_before, require_role, require_text,
};
use crate::monitoring::exit::ExitBlocker;
use crate::monitoring::verification::{Attachment, validate_attachments};
use crate::region::RegionCode;
use crate::registry::RegionNames;

#[cfg(test)]
pub(crate) mod tests;

code_list! {
    /// 整改状态: where a problem stands.
    pub enum ProblemStatus ("整改状态", "rectification state") {
        Open = ("open", "待整改", "To be rectified"),
        Rectifying = ("rectifying", "整改中", "Being rectified"),
        Closed = ("closed", "已销号", "Closed"),
    }
}

code_list! {
    /// 责任单位: the unit that rectifies a problem (行业部门 of the county, or the township).
    pub enum ResponsibleUnit ("责任单位", "responsible unit") {
        Education = ("education", "县教育局", "County education bureau"),
        Health = ("health", "县卫生健康局", "County health commission"),
        MedicalInsurance = ("medical_insurance", "县医疗保障局", "County medical-insurance bureau"),
        Housing = ("housing", "县住房和城乡建设局", "County housing and construction bureau"),
        Water = ("water", "县水利局", "County water bureau"),
        Township = ("township", "乡镇人民政府", "Township government"),
    }
}

impl ResponsibleUnit {
    /// The unit a problem of `sector` goes to unless the finder names another.
    pub fn default_for(sector: Guarantee) -> ResponsibleUnit {
        match sector {
            Guarantee::CompulsoryEducation => ResponsibleUnit::Education,
            Guarantee::BasicMedical => ResponsibleUnit::MedicalInsurance,
            Guarantee::Housing => ResponsibleUnit::Housing,
            Guarantee::DrinkingWater => ResponsibleUnit::Water,
        }
    }
}

/// Roles that find and record a problem (the campaign's visitors).
pub const FIND_ROLES: &[Role] = &[Role::VillageTeam, Role::TownshipAdmin, Role::Cadre];
/// Roles that record a rectification step (for the responsible unit).
pub const RECTIFY_ROLES: &[Role] = &[Role::VillageTeam, Role::TownshipAdmin, Role::CountyAdmin];
/// Roles that accept a rectification and close the problem (验收销号).
pub const ACCEPT_ROLES: &[Role] = &[Role::TownshipAdmin, Role::CountyAdmin];

const FIND: Label = ("登记问题", "Record a problem");
const RECTIFY: Label = ("登记整改", "Record a rectification");
const ACCEPT: Label = ("验收销号", "Accept and close");
const PROBLEM: Label = ("问题整改", "Rectification");

/// What the finder records.
#[derive(Clone, PartialEq, Eq, Debug, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewProblem {
    /// 行政村.
    pub village: RegionCode,
    /// 户编号, when the problem is a household's (none: the village's, e.g. its water supply).
    pub household: Option<String>,
    /// The guarantee 保障 it concerns.
    pub sector: Guarantee,
    /// 问题描述: what was found.
    pub found: String,
    /// 责任单位.
    pub unit: ResponsibleUnit,
    /// 整改时限.
    pub deadline: NaiveDate,
}

/// One rectification step 整改措施 with its evidence.
#[derive(Clone, PartialEq, Eq, Debug, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Rectification {
    /// The day.
    pub on: NaiveDate,
    /// Who recorded it.
    pub by: Actor,
    /// What was done.
    pub done: String,
    /// Photos and documents (the attachment store's).
    pub evidence: Vec<Attachment>,
}

/// The acceptance 验收销号.
#[derive(Clone, PartialEq, Eq, Debug, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Acceptance {
    /// The day.
    pub on: NaiveDate,
    /// Who accepted it.
    pub by: Actor,
    /// 验收意见.
    pub opinion: String,
}

/// An action on a problem.
#[derive(Clone, PartialEq, Eq, Debug, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum ProblemAction {
    /// 登记整改: a step taken, with evidence.
    Rectify {
        /// What was done.
        done: String,
        /// Photos and documents.
        evidence: Vec<Attachment>,
    },
    /// 验收销号.
    Accept {
        /// 验收意见.
        opinion: String,
    },
}

/// One problem 问题 of the ledger.
#[derive(Clone, PartialEq, Eq, Debug, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Problem {
    /// What was found, where, for whom.
    #[serde(flatten)]
    pub what: NewProblem,
    /// 发现日期.
    pub found_on: NaiveDate,
    /// 发现人.
    pub found_by: Actor,
    /// 整改措施, in order.
    pub steps: Vec<Rectification>,
    /// 销号, once accepted.
    pub accepted: Option<Acceptance>,
}

impl Problem {
    /// 发现登记: records a problem found on `on`. Refuses a role outside [`FIND_ROLES`], a blank
    /// description or 户编号, a deadline before the day.
    pub fn find(what: NewProblem, actor: &Actor, on: NaiveDate) -> Result<Problem, Refusal> {
        require_role(actor, FIND, FIND_ROLES)?;
        require_text(&what.found, ("问题描述", "description of the problem"))?;
        if let Some(h) = &what.household {
            require_text(h, ("户编号", "household number"))?;
        }
        if what.deadline < on {
            return Err(Refusal::invalid(
                format!("整改时限 {} 早于发现日期 {on}", what.deadline),
                format!(
                    "The deadline {} is before the day found {on}",
                    what.deadline
                ),
            ));
        }
        Ok(Problem {
            what,
            found_on: on,
            found_by: actor.clone(),
            steps: Vec::new(),
            accepted: None,
        })
    }

    /// Where it stands: 已销号 once accepted, 整改中 after a step, else 待整改.
    pub fn status(&self) -> ProblemStatus {
        if self.accepted.is_some() {
            ProblemStatus::Closed
        } else if self.steps.is_empty() {
            ProblemStatus::Open
        } else {
            ProblemStatus::Rectifying
        }
    }

    /// Not closed and past its deadline on `on` (逾期).
    pub fn is_overdue(&self, on: NaiveDate) -> bool {
        self.status() != ProblemStatus::Closed && on > self.what.deadline
    }

    /// The date of the latest record (found, a step, the acceptance).
    pub fn last_on(&self) -> NaiveDate {
        self.accepted
            .as_ref()
            .map(|a| a.on)
            .or_else(|| self.steps.last().map(|s| s.on))
            .unwrap_or(self.found_on)
    }

    /// While open, a household's problem keeps the household from exit (see
    /// [`crate::monitoring::exit::registry_blockers`] for the registry's own).
    pub fn blocker(&self) -> Option<ExitBlocker> {
        (self.status() != ProblemStatus::Closed && self.what.household.is_some()).then(|| {
            ExitBlocker::new(
                self.what.sector,
                format!("{}（{}发现，问题台账）", self.what.found, self.found_on),
                format!(
                    "{} (found {}, problem ledger)",
                    self.what.found, self.found_on
                ),
            )
        })
    }

    /// Takes an action on `on`. Returns the new state or a [`Refusal`] leaving `self` unchanged:
    /// closed already; a role that may not; a date before the last record; a rectification without
    /// what was done or without evidence; an acceptance before any rectification or without opinion.
    pub fn apply(
        &self,
        action: ProblemAction,
        actor: &Actor,
        on: NaiveDate,
    ) -> Result<Problem, Refusal> {
        if self.status() == ProblemStatus::Closed {
            return Err(Refusal::finished(PROBLEM));
        }
        let mut next = self.clone();
        match action {
            ProblemAction::Rectify { done, evidence } => {
                require_role(actor, RECTIFY, RECTIFY_ROLES)?;
                require_not_before(on, self.last_on())?;
                require_text(&done, ("整改措施", "what was done"))?;
                if evidence.is_empty() {
                    return Err(Refusal::new(
                        RefusalCode::EvidenceRequired,
                        "登记整改须附照片或文件等佐证材料",
                        "A rectification needs evidence (a photo or a document)",
                    ));
                }
                validate_attachments(&evidence)?;
                next.steps.push(Rectification {
                    on,
                    by: actor.clone(),
                    done,
                    evidence,
                });
            }
            ProblemAction::Accept { opinion } => {
                require_role(actor, ACCEPT, ACCEPT_ROLES)?;
                if self.steps.is_empty() {
                    return Err(Refusal::new(
                        RefusalCode::OutOfOrder,
                        "尚未登记整改措施及佐证材料，不能验收销号",
                        "No rectification with evidence has been recorded: the problem cannot be closed",
                    ));
                }
                require_not_before(on, self.last_on())?;
                require_text(&opinion, ("验收意见", "acceptance opinion"))?;
                next.accepted = Some(Acceptance {
                    on,
                    by: actor.clone(),
                    opinion,
                });
            }
        }
        Ok(next)
    }
}

/// The 问题整改 tasks of the calendar (§三(四)2, issue 22): one per village and month of the problems'
/// deadlines, with the day it was completed (the latest 销号, once every problem of it is closed) and how
/// many are not closed. It is due on the earliest deadline of its problems still open (the latest
/// deadline once all are closed), so it is overdue (逾期) from the day after a problem's deadline passed
/// unclosed. `problems`: (village, problem); a village's order follows the input.
pub fn deadline_tasks(problems: &[(String, Problem)]) -> Vec<(Task, Option<NaiveDate>, u64)> {
    let mut groups: BTreeMap<(String, YearMonth), Vec<&Problem>> = BTreeMap::new();
    for (village, p) in problems {
        groups
            .entry((village.clone(), YearMonth::of(p.what.deadline)))
            .or_default()
            .push(p);
    }
    groups
        .into_iter()
        .filter_map(|((village, month), ps)| {
            let open: Vec<&&Problem> = ps
                .iter()
                .filter(|p| p.status() != ProblemStatus::Closed)
                .collect();
            let due_on = match open.iter().map(|p| p.what.deadline).min() {
                Some(d) => d,
                None => ps.iter().map(|p| p.what.deadline).max()?,
            };
            let completed_on = if open.is_empty() {
                ps.iter()
                    .filter_map(|p| p.accepted.as_ref().map(|a| a.on))
                    .max()
            } else {
                None
            };
            let task = Task {
                village,
                kind: TaskKind::ProblemRectification,
                period: Period::Month(month),
                due_on,
            };
            Some((task, completed_on, open.len() as u64))
        })
        .collect()
}

/// 问题整改台账: one row per problem.
pub const LEDGER_COLUMNS: &[Column] = &[
    col("序号", 6.0, ColumnKind::Number),
    col("乡（镇）", 14.0, ColumnKind::Text),
    col("行政村", 14.0, ColumnKind::Text),
    col("户编号", 20.0, ColumnKind::Digits),
    col("户主姓名", 10.0, ColumnKind::Text),
    col("户主身份证号", 20.0, ColumnKind::Digits),
    col("保障类别", 14.0, ColumnKind::Text),
    col("问题描述", 36.0, ColumnKind::Text),
    col("发现日期", 12.0, ColumnKind::Date),
    col("发现人", 10.0, ColumnKind::Text),
    col("责任单位", 20.0, ColumnKind::Text),
    col("整改时限", 12.0, ColumnKind::Date),
    col("整改措施", 40.0, ColumnKind::Text),
    col("佐证材料", 30.0, ColumnKind::Text),
    col("整改状态", 10.0, ColumnKind::Text),
    col("是否逾期", 8.0, ColumnKind::Text),
    col("验收人", 10.0, ColumnKind::Text),
    col("销号日期", 12.0, ColumnKind::Date),
    col("验收意见", 30.0, ColumnKind::Text),
];

/// One row of the 问题整改台账 (`seq` from 1): the problem where it was found (township and village names;
/// the 户编号 and the head `head` of the household, empty for a village's; the head's ID number in full
/// only when `full_ids`), its steps (`2026-10-20 更换保温水管（王五）` each) and their
/// evidence's file names, whether overdue on `today`.
pub fn ledger_row(
    seq: usize,
    p: &Problem,
    names: &RegionNames,
    head: Option<&Member>,
    full_ids: bool,
    today: NaiveDate,
) -> Vec<Value> {
    let steps: Vec<String> = p
        .steps
        .iter()
        .map(|s| format!("{} {}（{}）", s.on, s.done, s.by.name))
        .collect();
    let evidence: Vec<&str> = p
        .steps
        .iter()
        .flat_map(|s| s.evidence.iter().map(|a| a.name.as_str()))
        .collect();
    vec![
        Value::Number(seq as f64),
        t(names.township.clone()),
        t(names.village.clone()),
        t(p.what.household.clone().unwrap_or_default()),
        t(head.map(|m| m.name.clone()).unwrap_or_default()),
        match head {
            Some(m) if full_ids => t(m.id_number.to_string()),
            Some(m) => t(m.id_number.masked()),
            None => Value::Empty,
        },
        t(p.what.sector.label_zh()),
        t(p.what.found.clone()),
        date(Some(p.found_on)),
        t(p.found_by.name.clone()),
        t(p.what.unit.label_zh()),
        date(Some(p.what.deadline)),
        t(steps.join("；")),
        t(evidence.join("、")),
        t(p.status().label_zh()),
        yes_no(p.is_overdue(today)),
        t(p.accepted
            .as_ref()
            .map(|a| a.by.name.clone())
            .unwrap_or_default()),
        date(p.accepted.as_ref().map(|a| a.on)),
        t(p.accepted
            .as_ref()
            .map(|a| a.opinion.clone())
            .unwrap_or_default()),
    ]
}
