//! The case record 监测帮扶档案 and what can be read off it: its [`Lifecycle`]
//! (线索 → 识别中 → 监测帮扶中 → 风险消除 / 缓退 / 未纳入), the dates, whether
//! assistance is allowed, the area check, overdue follow-ups, and the facts the
//! exit pre-judgment and the quality checks need.

use chrono::NaiveDate;

use crate::access::Scope;
use crate::codes::{Guarantee, MeasureClass, RiskType, code_list};
use crate::household::Household;
use crate::income::IncomeRecord;
use crate::money::Fen;
use crate::monitoring::common::{Actor, Refusal, RefusalCode};
use crate::monitoring::exit::{
    self, DeferredCategory, Exit, ExitBlocker, ExitFacts, ExitRules, ExitStatus, ExitStepEvidence,
    PreJudgment,
};
use crate::monitoring::identification::{IdentStatus, Identification};
use crate::monitoring::{
    CadenceRules, CadreAssignments, Clue, FollowUpLog, Measure, MeasureStatus, Report,
    Verification, YearMonth, followup,
};
use crate::quality::QualityContext;
use crate::region::RegionCode;

code_list! {
    /// 监测状态: where a household's case stands.
    pub enum Lifecycle ("监测状态", "lifecycle state") {
        Clue = ("clue", "线索", "Clue"),
        Identifying = ("identifying", "识别中", "Being identified"),
        Monitored = ("monitored", "监测帮扶中", "Monitored and assisted"),
        Eliminated = ("eliminated", "风险消除", "Risk eliminated"),
        Deferred = ("deferred", "缓退", "Exit deferred"),
        NotIncluded = ("not_included", "未纳入", "Not included"),
    }
}

impl Lifecycle {
    /// Still monitored (counts for cadres and follow-ups): 监测帮扶中 or 缓退.
    pub fn is_monitored(self) -> bool {
        matches!(self, Lifecycle::Monitored | Lifecycle::Deferred)
    }

    /// The case is closed: 风险消除 or 未纳入 (a new risk opens a new case).
    pub fn is_closed(self) -> bool {
        matches!(self, Lifecycle::Eliminated | Lifecycle::NotIncluded)
    }
}

/// 监测帮扶档案: everything about one household's monitoring, from the first clue
/// to the exit notice. A closed case ([`Lifecycle::is_closed`]) stays as the
/// record; a new risk later opens a new case.
#[derive(Clone, PartialEq, Eq, Debug, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Case {
    /// 户编号.
    pub household: String,
    /// The household's village (for area scope).
    pub village: RegionCode,
    /// 建档日期: the first clue was recorded.
    pub opened_on: NaiveDate,
    /// 线索.
    pub clues: Vec<Clue>,
    /// 识别.
    pub identification: Option<Identification>,
    /// 帮扶措施.
    pub measures: Vec<Measure>,
    /// 帮扶责任人.
    pub cadres: CadreAssignments,
    /// 逐月跟踪监测.
    pub follow_ups: FollowUpLog,
    /// 退出 procedures, oldest first (at most one running).
    pub exits: Vec<Exit>,
}

impl Case {
    /// Opens a case from its first report.
    pub fn open(
        report: Report,
        village: RegionCode,
        actor: &Actor,
        on: NaiveDate,
    ) -> Result<Case, Refusal> {
        let household = report.household.clone();
        let clue = Clue::open(report, actor, on)?;
        Ok(Case {
            household,
            village,
            opened_on: on,
            clues: vec![clue],
            identification: None,
            measures: Vec::new(),
            cadres: CadreAssignments::new(),
            follow_ups: FollowUpLog::new(),
            exits: Vec::new(),
        })
    }

    /// Where the case stands.
    pub fn lifecycle(&self) -> Lifecycle {
        let Some(ident) = &self.identification else {
            return Lifecycle::Clue;
        };
        match ident.status {
            IdentStatus::InProgress => Lifecycle::Identifying,
            IdentStatus::Refused { .. } => Lifecycle::NotIncluded,
            IdentStatus::Enrolled { .. } => {
                for e in self.exits.iter().rev() {
                    match e.status {
                        ExitStatus::Eliminated { .. } => return Lifecycle::Eliminated,
                        ExitStatus::Deferred { .. } => return Lifecycle::Deferred,
                        _ => {}
                    }
                }
                Lifecycle::Monitored
            }
        }
    }

    /// Date of entry into monitoring.
    pub fn monitored_since(&self) -> Option<NaiveDate> {
        self.identification
            .as_ref()
            .and_then(Identification::enrolled_on)
    }

    /// Date the risk was eliminated (风险消除).
    pub fn eliminated_on(&self) -> Option<NaiveDate> {
        self.exits.iter().rev().find_map(|e| match e.status {
            ExitStatus::Eliminated { on, .. } => Some(on),
            _ => None,
        })
    }

    /// Assistance may be given: monitored, or identification with the green channel open.
    pub fn assistance_allowed(&self) -> bool {
        match self.lifecycle() {
            Lifecycle::Monitored | Lifecycle::Deferred => true,
            Lifecycle::Identifying => self
                .identification
                .as_ref()
                .is_some_and(Identification::assistance_allowed),
            _ => false,
        }
    }

    /// Monitored (or helped through the green channel) without a current cadre:
    /// shows on the township's 明责任 dashboard (target: 100% have one).
    pub fn needs_cadre(&self) -> bool {
        self.assistance_allowed() && self.cadres.current().is_none()
    }

    /// The running exit, if any.
    pub fn current_exit(&self) -> Option<&Exit> {
        self.exits.last().filter(|e| e.next_step().is_some())
    }

    /// Refuses a scope that does not cover the household's village (the store
    /// filters by area too; this is the rule in words for the API).
    pub fn check_scope(&self, scope: &Scope) -> Result<(), Refusal> {
        if scope.covers_region(&self.village) {
            Ok(())
        } else {
            Err(Refusal::new(
                RefusalCode::OutOfArea,
                format!("农户 {} 不在您的管辖范围内", self.household),
                format!("Household {} is outside your area", self.household),
            ))
        }
    }

    /// Months whose follow-up is overdue on `as_of` (see [`followup::missing_months`]).
    pub fn missing_follow_ups(&self, as_of: NaiveDate, rules: &CadenceRules) -> Vec<YearMonth> {
        match self.monitored_since() {
            Some(since) => followup::missing_months(
                &self.follow_ups,
                since,
                self.eliminated_on(),
                as_of,
                rules,
            ),
            None => Vec::new(),
        }
    }

    /// The facts the exit pre-judgment on `on` needs, from this case and the household (with the
    /// registry's 三保障 blockers, [`exit::registry_blockers`], the housing grade from the latest
    /// check, and the problem ledger's `open_problems`). `None` before entry into monitoring.
    pub fn exit_facts(
        &self,
        household: &Household,
        line: Fen,
        latest_income: Option<IncomeRecord>,
        open_problems: &[ExitBlocker],
        on: NaiveDate,
    ) -> Option<ExitFacts> {
        let monitored_since = self.monitored_since()?;
        let housing_grade = self
            .latest_verification()
            .and_then(|v| v.standards.housing_grade);
        Some(ExitFacts {
            monitored_since,
            line,
            monthly_income: self
                .follow_ups
                .entries
                .iter()
                .map(|e| (e.visit.month, e.visit.per_capita_income_estimate))
                .collect(),
            latest_income,
            standards_secure: self.follow_ups.latest().map(|e| e.visit.standards_secure),
            has_labour: household.has_labour(),
            measures_delivered: self.measures.iter().filter(|m| m.is_done()).count(),
            developmental_delivered: self
                .measures
                .iter()
                .any(Measure::is_developmental_delivered),
            categories: DeferredCategory::of(household),
            blockers: exit::registry_blockers(household, housing_grade, on)
                .into_iter()
                .chain(open_problems.iter().cloned())
                .collect(),
        })
    }

    /// The quarterly pre-judgment of this case (`None` unless monitored and no
    /// exit is running).
    pub fn prejudge(
        &self,
        household: &Household,
        line: Fen,
        latest_income: Option<IncomeRecord>,
        open_problems: &[ExitBlocker],
        rules: &ExitRules,
        on: NaiveDate,
    ) -> Option<PreJudgment> {
        if !self.lifecycle().is_monitored() || self.current_exit().is_some() {
            return None;
        }
        let facts = self.exit_facts(household, line, latest_income, open_problems, on)?;
        Some(exit::prejudge(&facts, rules, on))
    }

    /// The latest verification (the last exit check, else the identification's).
    pub fn latest_verification(&self) -> Option<&Verification> {
        let from_exit = self.exits.iter().rev().find_map(|e| {
            e.steps.iter().find_map(|r| match &r.evidence {
                ExitStepEvidence::Check { check } => Some(&check.verification),
                _ => None,
            })
        });
        from_exit.or_else(|| {
            self.identification
                .as_ref()
                .and_then(Identification::verification)
        })
    }

    /// The lifecycle data the quality checks Q05, Q06, Q08, Q09 need.
    pub fn quality_context(&self, line: Fen) -> QualityContext {
        let developmental_measure_on = self
            .measures
            .iter()
            .filter(|m| m.is_developmental_delivered())
            .filter_map(Measure::done_on)
            .min();
        let latest_per_capita = self
            .latest_verification()
            .and_then(Verification::per_capita)
            .or_else(|| {
                self.follow_ups
                    .latest()
                    .map(|e| e.visit.per_capita_income_estimate)
            });
        let mut measures: Vec<MeasureClass> = self
            .measures
            .iter()
            .filter(|m| m.status != MeasureStatus::Cancelled)
            .map(|m| m.plan.class)
            .collect();
        measures.sort();
        measures.dedup();
        let guarantee_problems: Vec<Guarantee> = self
            .latest_verification()
            .map(|v| v.standards.problems())
            .unwrap_or_default();
        QualityContext {
            identified_on: self.monitored_since(),
            developmental_measure_on,
            eliminated_on: self.eliminated_on(),
            latest_per_capita,
            line,
            measures,
            guarantee_problems,
            outside_grids: false,
        }
    }

    /// The risk types of all clues.
    pub fn clue_risks(&self) -> Vec<RiskType> {
        let mut r: Vec<RiskType> = self.clues.iter().flat_map(Clue::risks).collect();
        r.sort();
        r.dedup();
        r
    }
}
