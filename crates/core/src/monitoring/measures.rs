//! 定措施 and 重落实: assistance measures (§三(一)2 一是定措施, 三是重落实).
//!
//! [`recommend`] applies the plan's decision table to a household's risk types
//! and labour; the village team accepts or changes the recommendations (they are
//! advice, not a rule). Each [`PlanRule`] is one clause of §三(一)2:
//!
//! | rule | when | recommended classes |
//! | --- | --- | --- |
//! | R1 | income loss or expense surge, and the household has full labour | 产业, 就业 |
//! | R2 | the main labour is only weak or half labour | 公益岗位 |
//! | R3 | no labour | 综合保障 (兜底) |
//! | R4 | 因病 | 健康, plus 产业 (联农带农) and 公益岗位 when someone can work, 综合保障 |
//! | R5 | 因学 / 住房安全 / 饮水安全 | 义务教育保障 (or 其他教育 for a student beyond compulsory school) / 住房安全 / 饮水安全 |
//! | R6 | weak inner drive 内生动力不足 | 其他教育 (扶志扶智 education and guidance), 产业 (help to produce) |
//! | R7 | 因自然灾害 / 因意外事故 | 综合保障 (救灾, 临时救助), 社会帮扶 (救助); insurance claims are noted |
//!
//! "Income loss or expense surge" is every risk type except 住房安全 and
//! 饮水安全, or the explicit flag. 因残 is not named by the plan; it falls
//! under R1–R3 by labour like any expense surge.
//!
//! A [`Measure`] is a planned measure with its class and item, planned date,
//! responsible unit, amount and status; status changes are a state machine:
//!
//! | from | action | to | who |
//! | --- | --- | --- | --- |
//! | — | plan | 计划 Planned | village team, township admin |
//! | 计划 | start | 实施中 InProgress | village team, cadre, township admin |
//! | 计划, 实施中 | complete (evidence required) | 已完成 Done | village team, cadre, township admin |
//! | 计划, 实施中 | cancel (reason required) | 已取消 Cancelled | village team, township admin |
//!
//! 已完成 and 已取消 are final.

use chrono::NaiveDate;

use super::common::{
    Actor, Label, Refusal, RefusalCode, require_not_before, require_role, require_text,
};
use super::verification::{Attachment, validate_attachments};
use crate::access::Role;
use crate::codes::{CodeList, LabourSkill, MeasureClass, RiskType, SchoolStatus, code_list};
use crate::household::Household;
use crate::money::Fen;

code_list! {
    /// The household's labour, as the decision table sees it.
    pub enum Labour ("劳动力状况", "labour") {
        Full = ("full", "有劳动力", "Has full labour"),
        WeakOnly = ("weak_only", "主要劳动力为半劳动力或弱劳动力", "Main labour only weak or half"),
        None = ("none", "无劳动力", "No labour"),
    }
}

impl Labour {
    /// Of a household: some member 普通/技能劳动力 → full; else some 弱/半劳动力 → weak
    /// only; else none.
    pub fn of(h: &Household) -> Labour {
        if h.members.iter().any(|m| m.labour.is_full_labour()) {
            Labour::Full
        } else if h.members.iter().any(|m| m.labour == LabourSkill::Weak) {
            Labour::WeakOnly
        } else {
            Labour::None
        }
    }

    /// Someone can work (full, weak or half labour).
    pub fn can_work(self) -> bool {
        self != Labour::None
    }
}

/// What the decision table looks at.
#[derive(Clone, PartialEq, Eq, Debug, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Situation {
    /// 风险类型.
    pub risks: Vec<RiskType>,
    /// 劳动力状况.
    pub labour: Labour,
    /// 家庭收入缩减或支出大幅增加 stated explicitly (also implied by most risks).
    pub income_loss_or_expense_surge: bool,
    /// 内生动力不足.
    pub weak_inner_drive: bool,
    /// A member is in compulsory school (小学–九年级).
    pub compulsory_student: bool,
    /// A member is in school beyond compulsory education (高中, 中职, 高校 …).
    pub other_student: bool,
}

impl Situation {
    /// The situation of a household with these risks (flags off; set them after).
    pub fn of(h: &Household, risks: &[RiskType]) -> Situation {
        let school =
            |f: fn(SchoolStatus) -> bool| h.members.iter().any(|m| m.school.is_some_and(f));
        Situation {
            risks: risks.to_vec(),
            labour: Labour::of(h),
            income_loss_or_expense_surge: false,
            weak_inner_drive: false,
            compulsory_student: school(SchoolStatus::is_compulsory),
            other_student: school(|s| {
                s.is_enrolled() && !s.is_compulsory() && s != SchoolStatus::Preschool
            }),
        }
    }
}

code_list! {
    /// 决策规则: a clause of the plan's measure rules (§三(一)2 一是定措施).
    pub enum PlanRule ("帮扶措施规则", "measure rule") {
        IncomeWithLabour = ("R1", "收入缩减或支出大幅增加且有劳动力：重点落实产业就业帮扶", "Income loss or expense surge with labour: industry and employment"),
        WeakLabour = ("R2", "主要劳动力为半劳动力、弱劳动力：落实能胜任的公益岗位", "Main labour weak or half: a public-welfare post it can do"),
        NoLabour = ("R3", "无劳动力：落实社会保障兜底", "No labour: social-security safety net"),
        Illness = ("R4", "因病：落实健康帮扶政策并综合施策", "Illness: health assistance plus combined measures"),
        Guarantees = ("R5", "因学、因住房饮水安全：落实教育、住房、饮水保障", "Schooling, housing, water: the matching guarantee"),
        InnerDrive = ("R6", "内生动力不足：扶志扶智，帮助发展生产", "Weak inner drive: education and guidance, help to produce"),
        DisasterAccident = ("R7", "因灾、因事故：落实保险、救灾、救助", "Disaster or accident: insurance, relief, assistance"),
    }
}

/// A recommended measure class and the rules that recommend it.
#[derive(Clone, PartialEq, Eq, Debug, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Recommendation {
    /// 措施类别.
    pub class: MeasureClass,
    /// Why (each rule once, in rule order).
    pub because: Vec<PlanRule>,
}

/// The plan's decision table: recommended measure classes, in
/// [`MeasureClass`] list order, each with the rules behind it.
pub fn recommend(s: &Situation) -> Vec<Recommendation> {
    let mut out: Vec<Recommendation> = Vec::new();
    let mut add =
        |class: MeasureClass, rule: PlanRule| match out.iter_mut().find(|r| r.class == class) {
            Some(r) => {
                if !r.because.contains(&rule) {
                    r.because.push(rule);
                }
            }
            None => out.push(Recommendation {
                class,
                because: vec![rule],
            }),
        };
    let has = |f: &dyn Fn(RiskType) -> bool| s.risks.iter().any(|r| f(*r));
    let income_loss = s.income_loss_or_expense_surge
        || has(&|r| !matches!(r, RiskType::Housing | RiskType::Water));

    if income_loss {
        match s.labour {
            Labour::Full => {
                add(MeasureClass::Industry, PlanRule::IncomeWithLabour);
                add(MeasureClass::Employment, PlanRule::IncomeWithLabour);
            }
            Labour::WeakOnly => add(MeasureClass::PublicWelfarePost, PlanRule::WeakLabour),
            Labour::None => add(MeasureClass::SocialSecurity, PlanRule::NoLabour),
        }
    } else {
        match s.labour {
            Labour::WeakOnly => add(MeasureClass::PublicWelfarePost, PlanRule::WeakLabour),
            Labour::None => add(MeasureClass::SocialSecurity, PlanRule::NoLabour),
            Labour::Full => {}
        }
    }
    if has(&|r| r == RiskType::Illness) {
        add(MeasureClass::Health, PlanRule::Illness);
        if s.labour.can_work() {
            add(MeasureClass::Industry, PlanRule::Illness);
            add(MeasureClass::PublicWelfarePost, PlanRule::Illness);
        }
        add(MeasureClass::SocialSecurity, PlanRule::Illness);
    }
    if has(&|r| r == RiskType::Schooling) {
        if s.compulsory_student || !s.other_student {
            add(MeasureClass::CompulsoryEducation, PlanRule::Guarantees);
        }
        if s.other_student {
            add(MeasureClass::OtherEducation, PlanRule::Guarantees);
        }
    }
    if has(&|r| r == RiskType::Housing) {
        add(MeasureClass::Housing, PlanRule::Guarantees);
    }
    if has(&|r| r == RiskType::Water) {
        add(MeasureClass::Water, PlanRule::Guarantees);
    }
    if s.weak_inner_drive {
        add(MeasureClass::OtherEducation, PlanRule::InnerDrive);
        add(MeasureClass::Industry, PlanRule::InnerDrive);
    }
    if has(&|r| r.is_disaster() || r == RiskType::Accident) {
        add(MeasureClass::SocialSecurity, PlanRule::DisasterAccident);
        add(MeasureClass::SocialAssistance, PlanRule::DisasterAccident);
    }
    out.sort_by_key(|r| r.class);
    for r in &mut out {
        r.because.sort();
    }
    out
}

code_list! {
    /// 措施状态.
    pub enum MeasureStatus ("措施状态", "measure status") {
        Planned = ("planned", "计划", "Planned"),
        InProgress = ("in_progress", "实施中", "In progress"),
        Done = ("done", "已完成", "Done"),
        Cancelled = ("cancelled", "已取消", "Cancelled"),
    }
}

impl MeasureStatus {
    /// 已完成 or 已取消: no further change.
    pub fn is_final(self) -> bool {
        matches!(self, MeasureStatus::Done | MeasureStatus::Cancelled)
    }
}

/// Roles that may plan or cancel a measure (村级工作专班集体研究).
pub const PLAN_ROLES: &[Role] = &[Role::VillageTeam, Role::TownshipAdmin];
/// Roles that may record progress (start, completion).
pub const PROGRESS_ROLES: &[Role] = &[Role::VillageTeam, Role::Cadre, Role::TownshipAdmin];

const PLAN: Label = ("制定帮扶措施", "Plan a measure");

/// A measure as planned 帮扶计划.
#[derive(Clone, PartialEq, Eq, Debug, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MeasurePlan {
    /// 措施类别.
    pub class: MeasureClass,
    /// 具体措施 (e.g. 光伏公益岗, 小额信贷 5 万元).
    pub item: String,
    /// 计划完成日期.
    pub planned_on: NaiveDate,
    /// 责任单位.
    pub responsible_unit: String,
    /// 金额 (0 when none).
    pub amount: Fen,
}

/// Evidence that a measure was delivered 落实佐证.
#[derive(Clone, PartialEq, Eq, Debug, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Completion {
    /// 落实情况 (what was delivered).
    pub description: String,
    /// Documents (at least one: payment record, contract, photo …).
    pub attachments: Vec<Attachment>,
}

/// A change to a measure.
#[derive(Clone, PartialEq, Eq, Debug, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum MeasureAction {
    /// 开始实施.
    Start {
        /// Note.
        note: String,
    },
    /// 完成, with evidence.
    Complete {
        /// The evidence.
        evidence: Completion,
    },
    /// 取消, with the reason.
    Cancel {
        /// Why.
        reason: String,
    },
}

impl MeasureAction {
    fn target(&self) -> MeasureStatus {
        match self {
            MeasureAction::Start { .. } => MeasureStatus::InProgress,
            MeasureAction::Complete { .. } => MeasureStatus::Done,
            MeasureAction::Cancel { .. } => MeasureStatus::Cancelled,
        }
    }

    fn roles(&self) -> &'static [Role] {
        match self {
            MeasureAction::Cancel { .. } => PLAN_ROLES,
            _ => PROGRESS_ROLES,
        }
    }
}

/// A status change in a measure's history.
#[derive(Clone, PartialEq, Eq, Debug, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MeasureEvent {
    /// The new status.
    pub status: MeasureStatus,
    /// Who.
    pub actor: Actor,
    /// When.
    pub on: NaiveDate,
    /// Note or reason.
    pub note: String,
}

/// An assistance measure 帮扶措施 of a household.
#[derive(Clone, PartialEq, Eq, Debug, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Measure {
    /// What was planned.
    pub plan: MeasurePlan,
    /// Current status.
    pub status: MeasureStatus,
    /// Every status change, the plan first.
    pub history: Vec<MeasureEvent>,
    /// Completion evidence, once done.
    pub completion: Option<Completion>,
}

impl Measure {
    /// Plans a measure. Refuses a role outside [`PLAN_ROLES`], an empty item or
    /// unit, or a negative amount.
    pub fn plan(plan: MeasurePlan, actor: &Actor, on: NaiveDate) -> Result<Measure, Refusal> {
        require_role(actor, PLAN, PLAN_ROLES)?;
        require_text(&plan.item, ("具体措施", "measure item"))?;
        require_text(&plan.responsible_unit, ("责任单位", "responsible unit"))?;
        if plan.amount < Fen::ZERO {
            return Err(Refusal::invalid(
                "金额不能为负数",
                "The amount cannot be negative",
            ));
        }
        Ok(Measure {
            plan,
            status: MeasureStatus::Planned,
            history: vec![MeasureEvent {
                status: MeasureStatus::Planned,
                actor: actor.clone(),
                on,
                note: String::new(),
            }],
            completion: None,
        })
    }

    /// 已完成.
    pub fn is_done(&self) -> bool {
        self.status == MeasureStatus::Done
    }

    /// The completion date, once done.
    pub fn done_on(&self) -> Option<NaiveDate> {
        self.history
            .iter()
            .rev()
            .find(|e| e.status == MeasureStatus::Done)
            .map(|e| e.on)
    }

    /// 开发式帮扶 delivered: done and of a developmental class (产业, 就业, 金融, 公益岗位).
    pub fn is_developmental_delivered(&self) -> bool {
        self.is_done() && self.plan.class.is_developmental()
    }

    /// Planned date passed and not final: 逾期未落实.
    pub fn is_overdue(&self, today: NaiveDate) -> bool {
        !self.status.is_final() && today > self.plan.planned_on
    }

    /// Changes the status (see the module table). Refuses a final measure, a
    /// transition not in the table, a role that may not take it, a date before
    /// the last change, a completion without description and attachment, or a
    /// cancellation without reason.
    pub fn apply(
        &self,
        action: MeasureAction,
        actor: &Actor,
        on: NaiveDate,
    ) -> Result<Measure, Refusal> {
        let to = action.target();
        require_role(actor, (to.label_zh(), to.label_en()), action.roles())?;
        if self.status.is_final() {
            return Err(Refusal::finished(("该帮扶措施", "measure")));
        }
        if to == MeasureStatus::InProgress && self.status != MeasureStatus::Planned {
            return Err(Refusal::wrong_state(
                format!("措施状态为“{}”，不能开始实施", self.status.label_zh()),
                format!(
                    "The measure is {}; it cannot be started",
                    self.status.label_en().to_lowercase()
                ),
            ));
        }
        if let Some(last) = self.history.last() {
            require_not_before(on, last.on)?;
        }
        let note = match &action {
            MeasureAction::Start { note } => note.clone(),
            MeasureAction::Complete { evidence } => {
                require_text(
                    &evidence.description,
                    ("落实情况", "description of what was delivered"),
                )?;
                if evidence.attachments.is_empty() {
                    return Err(Refusal::new(
                        RefusalCode::EvidenceRequired,
                        "措施完成须上传佐证材料",
                        "Completing a measure needs at least one document as evidence",
                    ));
                }
                validate_attachments(&evidence.attachments)?;
                evidence.description.clone()
            }
            MeasureAction::Cancel { reason } => {
                require_text(reason, ("取消原因", "reason for cancelling"))?;
                reason.clone()
            }
        };
        let mut next = self.clone();
        if let MeasureAction::Complete { evidence } = action {
            next.completion = Some(evidence);
        }
        next.status = to;
        next.history.push(MeasureEvent {
            status: to,
            actor: actor.clone(),
            on,
            note,
        });
        Ok(next)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::codes::{LabourSkill, Relation};
    use crate::household::tests::{household, member};
    use crate::monitoring::identification::tests::actor;
    use crate::monitoring::verification::tests::photo;
    use proptest::prelude::*;

    fn d(m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2022, m, day).unwrap()
    }

    fn classes(s: &Situation) -> Vec<MeasureClass> {
        recommend(s).into_iter().map(|r| r.class).collect()
    }

    fn sit(risks: &[RiskType], labour: Labour) -> Situation {
        Situation {
            risks: risks.to_vec(),
            labour,
            income_loss_or_expense_surge: false,
            weak_inner_drive: false,
            compulsory_student: false,
            other_student: false,
        }
    }

    #[test]
    fn labour_of_household() {
        let mut h = household();
        assert_eq!(Labour::of(&h), Labour::Full);
        h.members[0].labour = LabourSkill::Weak;
        h.members[1].labour = LabourSkill::Lost;
        assert_eq!(Labour::of(&h), Labour::WeakOnly);
        h.members[0].labour = LabourSkill::None;
        assert_eq!(Labour::of(&h), Labour::None);
        assert!(!Labour::None.can_work() && Labour::WeakOnly.can_work());
        let mut kid = member(d(1, 1).with_year(2012).unwrap(), 33, Relation::Son);
        kid.school = Some(SchoolStatus::Grade7);
        h.members.push(kid);
        let s = Situation::of(&h, &[RiskType::Schooling]);
        assert!(s.compulsory_student && !s.other_student);
        h.members[2].school = Some(SchoolStatus::HighSchool1);
        let s = Situation::of(&h, &[RiskType::Schooling]);
        assert!(!s.compulsory_student && s.other_student);
    }

    use chrono::Datelike;

    #[test]
    fn decision_table() {
        use MeasureClass::*;
        // R1: income loss with labour
        assert_eq!(
            classes(&sit(&[RiskType::UnstableEmployment], Labour::Full)),
            [Industry, Employment]
        );
        // R2: weak labour only
        assert_eq!(
            classes(&sit(&[RiskType::IndustryFailure], Labour::WeakOnly)),
            [PublicWelfarePost]
        );
        // R3: no labour
        assert_eq!(
            classes(&sit(&[RiskType::LackOfLabour], Labour::None)),
            [SocialSecurity]
        );
        // R4: illness, combined
        assert_eq!(
            classes(&sit(&[RiskType::Illness], Labour::Full)),
            [
                Industry,
                Employment,
                PublicWelfarePost,
                Health,
                SocialSecurity
            ]
        );
        assert_eq!(
            classes(&sit(&[RiskType::Illness], Labour::None)),
            [Health, SocialSecurity]
        );
        // R5: guarantees, no income loss with full labour: only the guarantee
        assert_eq!(
            classes(&sit(&[RiskType::Housing], Labour::Full)),
            [MeasureClass::Housing]
        );
        assert_eq!(
            classes(&sit(&[RiskType::Water], Labour::Full)),
            [MeasureClass::Water]
        );
        assert_eq!(
            classes(&sit(&[RiskType::Water], Labour::None)),
            [SocialSecurity, MeasureClass::Water]
        );
        assert_eq!(
            classes(&sit(&[RiskType::Housing], Labour::WeakOnly)),
            [PublicWelfarePost, MeasureClass::Housing]
        );
        let mut s = sit(&[RiskType::Schooling], Labour::Full);
        assert_eq!(classes(&s), [Industry, Employment, CompulsoryEducation]);
        s.other_student = true;
        assert_eq!(classes(&s), [Industry, Employment, OtherEducation]);
        s.compulsory_student = true;
        assert_eq!(
            classes(&s),
            [Industry, Employment, CompulsoryEducation, OtherEducation]
        );
        // R6
        let mut s = sit(&[RiskType::Housing], Labour::Full);
        s.weak_inner_drive = true;
        assert_eq!(
            classes(&s),
            [Industry, OtherEducation, MeasureClass::Housing]
        );
        // R7
        assert_eq!(
            classes(&sit(&[RiskType::DisasterFlood], Labour::None)),
            [SocialSecurity, SocialAssistance]
        );
        assert_eq!(
            classes(&sit(&[RiskType::Accident], Labour::Full)),
            [Industry, Employment, SocialSecurity, SocialAssistance]
        );
        // explicit flag without risks
        let mut s = sit(&[], Labour::Full);
        assert!(classes(&s).is_empty());
        s.income_loss_or_expense_surge = true;
        assert_eq!(classes(&s), [Industry, Employment]);
        // reasons are kept per class
        let r = recommend(&sit(&[RiskType::Illness, RiskType::Accident], Labour::None));
        let ss = r.iter().find(|r| r.class == SocialSecurity).unwrap();
        assert_eq!(
            ss.because,
            [
                PlanRule::NoLabour,
                PlanRule::Illness,
                PlanRule::DisasterAccident
            ]
        );
        assert_eq!(PlanRule::IncomeWithLabour.code(), "R1");
    }

    pub(crate) fn plan(class: MeasureClass) -> MeasurePlan {
        MeasurePlan {
            class,
            item: "光伏公益岗位".into(),
            planned_on: d(7, 31),
            responsible_unit: "圪塔上乡人民政府".into(),
            amount: Fen::from_yuan(6000),
        }
    }

    pub(crate) fn evidence() -> Completion {
        Completion {
            description: "已上岗，按月发放工资".into(),
            attachments: vec![photo()],
        }
    }

    #[test]
    fn measure_lifecycle() {
        let team = actor(Role::VillageTeam);
        let cadre = actor(Role::Cadre);
        let m = Measure::plan(plan(MeasureClass::PublicWelfarePost), &team, d(6, 1)).unwrap();
        assert_eq!(m.status, MeasureStatus::Planned);
        assert!(!m.is_developmental_delivered());
        assert!(!m.is_overdue(d(7, 31)) && m.is_overdue(d(8, 1)));
        let started = m
            .apply(
                MeasureAction::Start {
                    note: "已签订协议".into(),
                },
                &cadre,
                d(6, 5),
            )
            .unwrap();
        assert_eq!(started.status, MeasureStatus::InProgress);
        let done = started
            .apply(
                MeasureAction::Complete {
                    evidence: evidence(),
                },
                &cadre,
                d(7, 1),
            )
            .unwrap();
        assert!(done.is_done() && done.is_developmental_delivered());
        assert_eq!(done.done_on(), Some(d(7, 1)));
        assert_eq!(done.history.len(), 3);
        assert!(!done.is_overdue(d(12, 1)));
        // Planned -> Done directly
        assert!(
            m.apply(
                MeasureAction::Complete {
                    evidence: evidence()
                },
                &team,
                d(6, 2)
            )
            .is_ok()
        );
        // Planned / InProgress -> Cancelled
        let c = started
            .apply(
                MeasureAction::Cancel {
                    reason: "农户已外出务工".into(),
                },
                &team,
                d(6, 6),
            )
            .unwrap();
        assert_eq!(c.status, MeasureStatus::Cancelled);
        assert!(
            m.apply(
                MeasureAction::Cancel {
                    reason: "重复".into()
                },
                &team,
                d(6, 2)
            )
            .is_ok()
        );
        // finals refuse everything
        for fin in [&done, &c] {
            for a in [
                MeasureAction::Start {
                    note: String::new(),
                },
                MeasureAction::Complete {
                    evidence: evidence(),
                },
                MeasureAction::Cancel { reason: "x".into() },
            ] {
                assert_eq!(
                    fin.apply(a, &team, d(8, 1)).unwrap_err().code,
                    RefusalCode::Finished
                );
            }
        }
        // InProgress cannot start again
        assert_eq!(
            started
                .apply(
                    MeasureAction::Start {
                        note: String::new()
                    },
                    &team,
                    d(6, 6)
                )
                .unwrap_err()
                .code,
            RefusalCode::WrongState
        );
    }

    #[test]
    fn measure_refusals() {
        let team = actor(Role::VillageTeam);
        let cadre = actor(Role::Cadre);
        assert_eq!(
            Measure::plan(plan(MeasureClass::Industry), &cadre, d(6, 1))
                .unwrap_err()
                .code,
            RefusalCode::RoleNotAllowed
        );
        let mut p = plan(MeasureClass::Industry);
        p.item.clear();
        assert!(Measure::plan(p, &team, d(6, 1)).is_err());
        let mut p = plan(MeasureClass::Industry);
        p.responsible_unit = " ".into();
        assert!(Measure::plan(p, &team, d(6, 1)).is_err());
        let mut p = plan(MeasureClass::Industry);
        p.amount = Fen(-1);
        assert!(Measure::plan(p, &team, d(6, 1)).is_err());

        let m = Measure::plan(plan(MeasureClass::Industry), &team, d(6, 1)).unwrap();
        let no_files = Completion {
            description: "完成".into(),
            attachments: vec![],
        };
        assert_eq!(
            m.apply(
                MeasureAction::Complete { evidence: no_files },
                &team,
                d(6, 2)
            )
            .unwrap_err()
            .code,
            RefusalCode::EvidenceRequired
        );
        let no_text = Completion {
            description: " ".into(),
            attachments: vec![photo()],
        };
        assert_eq!(
            m.apply(
                MeasureAction::Complete { evidence: no_text },
                &team,
                d(6, 2)
            )
            .unwrap_err()
            .code,
            RefusalCode::InvalidInput
        );
        let mut bad = photo();
        bad.sha256 = "x".into();
        let bad_file = Completion {
            description: "完成".into(),
            attachments: vec![bad],
        };
        assert!(
            m.apply(
                MeasureAction::Complete { evidence: bad_file },
                &team,
                d(6, 2)
            )
            .is_err()
        );
        assert_eq!(
            m.apply(MeasureAction::Cancel { reason: "".into() }, &team, d(6, 2))
                .unwrap_err()
                .code,
            RefusalCode::InvalidInput
        );
        assert_eq!(
            m.apply(
                MeasureAction::Cancel { reason: "x".into() },
                &cadre,
                d(6, 2)
            )
            .unwrap_err()
            .code,
            RefusalCode::RoleNotAllowed
        );
        assert_eq!(
            m.apply(
                MeasureAction::Start {
                    note: String::new()
                },
                &actor(Role::Auditor),
                d(6, 2)
            )
            .unwrap_err()
            .code,
            RefusalCode::RoleNotAllowed
        );
        assert_eq!(
            m.apply(
                MeasureAction::Start {
                    note: String::new()
                },
                &team,
                d(5, 31)
            )
            .unwrap_err()
            .code,
            RefusalCode::DateOrder
        );
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]

        /// Status changes follow the table, the history matches the status, and a
        /// refusal leaves the measure unchanged.
        #[test]
        fn measure_transitions(moves in proptest::collection::vec((0u8..3, 0u8..6, any::<bool>()), 0..12)) {
            let team = actor(Role::VillageTeam);
            let mut m = Measure::plan(plan(MeasureClass::Employment), &team, d(6, 1)).unwrap();
            for (i, (a, r, good)) in moves.into_iter().enumerate() {
                let on = d(6, 2) + chrono::Days::new(i as u64);
                let action = match (a, good) {
                    (0, _) => MeasureAction::Start { note: String::new() },
                    (1, true) => MeasureAction::Complete { evidence: evidence() },
                    (1, false) => MeasureAction::Complete { evidence: Completion { description: "x".into(), attachments: vec![] } },
                    (_, g) => MeasureAction::Cancel { reason: if g { "原因".into() } else { String::new() } },
                };
                let before = m.clone();
                let from = m.status;
                match m.apply(action, &actor(Role::ALL[usize::from(r)]), on) {
                    Ok(n) => {
                        prop_assert!(!from.is_final());
                        prop_assert!(matches!(
                            (from, n.status),
                            (MeasureStatus::Planned, MeasureStatus::InProgress)
                                | (MeasureStatus::Planned | MeasureStatus::InProgress, MeasureStatus::Done | MeasureStatus::Cancelled)
                        ));
                        prop_assert_eq!(n.completion.is_some(), n.status == MeasureStatus::Done);
                        m = n;
                    }
                    Err(_) => prop_assert_eq!(&m, &before),
                }
                prop_assert_eq!(m.history.last().map(|e| e.status), Some(m.status));
            }
        }
    }
}
