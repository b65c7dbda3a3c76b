//! The demo county's monitoring cases 演示监测帮扶档案: households in every lifecycle state
//! (docs/domain.md A1–A3, §三(一)), made by the core's own rules.
//!
//! About 1 % of the households get a case (at least [`MIN_PER_SCENARIO`] of each [`Scenario`], so a small
//! demo shows every state too), dated across the twelve months up to the frame's `as_of` (the table
//! names the classic frame's dates, 2022 up to [`AS_OF`]; see [`super::DemoFrame`]):
//!
//! | scenario | state | what the case holds |
//! | --- | --- | --- |
//! | 农户申请, 干部排查, 部门筛查, 信访舆情 | 线索 | one report of that channel, by a role that may record it |
//! | 已核查 | 识别中 | started, 入户核查 done (next: 信息比对) |
//! | 已评议 | 识别中 | … 民主评议 done (next: 公示) |
//! | 公示中 | 识别中 | the notice posted, its objection period running on 31 December |
//! | 超期 | 识别中 | started in October/November, stuck before 乡镇审核: past the 20-working-day limit |
//! | 绿色通道 | 识别中 | an accident: green channel, cadre and an emergency measure before the procedure ends |
//! | 未纳入 | 未纳入 | refused at 入户核查, 信息比对 or 民主评议, with the reason |
//! | 再次申请 | 线索 | a first case 未纳入 in spring, a new application in December (case 2) |
//! | 监测帮扶中 | 监测帮扶中 | one responsible cadre; measures done, in progress and planned; monthly follow-ups, some months missing (overdue) |
//! | 退出中 | 监测帮扶中 | December 预判提名 (and for some the meeting): an exit running |
//! | 缓退 | 缓退 | a 低保/特困/残疾/无劳动力 household whose exit was appraised in Q3 or Q4; follow-ups go on |
//! | 风险消除 | 风险消除 | exit in Q3 or Q4 with a numbered 告知书 (`兴县〔2022〕告字第N号`), cadre released |
//!
//! Households in the enrolled scenarios come from the registry's 监测户 (their monitored type and risks
//! become the identification outcome); the eliminated and running exits only from households that meet
//! every risk-elimination condition with their latest registry income, the deferred ones from households
//! in a deferral category. Only when the registry has too few such households (a tiny demo) does another
//! household take the part; it is then *promoted* (written as 监测户 with the outcome's type and risks), so
//! the registry agrees with the case.
//!
//! Everything here is pure (the load in `load.rs` writes it): [`select`] picks the households,
//! [`script`] writes each one's story as dated [`Step`]s acted by the demo users or the county's other
//! staff ([`Staff`]), and [`run`] plays a script through `Case::open` / `Case::apply`, so every case is
//! one the rules allow.

mod run;
mod script;
mod staff;

pub(crate) use run::*;
pub(crate) use script::*;
pub(crate) use staff::*;

use std::collections::{BTreeMap, HashMap};

use chrono::{Datelike, Days, NaiveDate};
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use shouwang_core::access::Role;
use shouwang_core::codes::{
    EliminationMode, HealthStatus, HouseholdType, MeasureClass, MonitoredType, RiskType,
};
use shouwang_core::monitoring::clue::ApplicationMeans;
use shouwang_core::monitoring::measures::{Completion, Situation, recommend};
use shouwang_core::monitoring::verification::Authorisation;
use shouwang_core::monitoring::{
    Actor as CoreActor, Attachment, Cadre, CadreAction, CadreLevel, Case, CaseAction, Decision,
    DeferredCategory, ExitAction, ExitCheck, FollowUp, IdentAction, IdentStep, MeasureAction,
    MeasurePlan, Meeting, Outcome, Refusal, Report, Signature, Source, Standards, Verification,
    YearMonth,
};
use shouwang_core::rules::CountyRules;
use shouwang_core::{Fen, Household, IncomeRecord, RegionCode};

use super::names::{MALE_GIVEN, SETTLEMENT_STREET, SURNAMES};
use super::{AS_OF, DEMO_USERS, DemoCounty, DemoFrame, DemoHousehold};

/// The village of the demo village team and cadre (`141123208201`): it gets one case of every scenario
/// (as far as half its households go),
/// written through `repo::cases` as the demo users (with a full audit trail).
pub(crate) fn demo_village() -> &'static str {
    DEMO_USERS
        .iter()
        .find(|u| u.role == Role::VillageTeam)
        .map_or("141123208201", |u| u.area)
}

/// The fewest cases of each scenario, however small the demo.
pub(crate) const MIN_PER_SCENARIO: usize = 2;

/// A household's story in the demo (see the module table).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
pub(crate) enum Scenario {
    /// 线索 from 农户申请.
    ClueApplication,
    /// 线索 from 干部排查.
    ClueCadre,
    /// 线索 from 部门筛查.
    ClueDepartment,
    /// 线索 from 信访舆情.
    CluePetition,
    /// 识别中, 入户核查 done.
    IdentVerified,
    /// 识别中, 民主评议 done.
    IdentAppraised,
    /// 识别中, in 公示.
    IdentPublicity,
    /// 识别中, past the time limit.
    IdentOverdue,
    /// 识别中 with the 绿色通道 open.
    IdentGreenChannel,
    /// 未纳入.
    NotIncluded,
    /// 未纳入, then a new clue (the household's second case).
    Reopened,
    /// 监测帮扶中.
    Monitored,
    /// 监测帮扶中 with an exit running.
    ExitRunning,
    /// 缓退.
    Deferred,
    /// 风险消除 with its notice.
    Eliminated,
}

impl Scenario {
    /// Every scenario, in the order households are assigned (the pickiest first).
    pub(crate) const ALL: [Scenario; 15] = [
        Scenario::Eliminated,
        Scenario::ExitRunning,
        Scenario::Deferred,
        Scenario::Monitored,
        Scenario::NotIncluded,
        Scenario::Reopened,
        Scenario::IdentGreenChannel,
        Scenario::IdentOverdue,
        Scenario::IdentPublicity,
        Scenario::IdentAppraised,
        Scenario::IdentVerified,
        Scenario::CluePetition,
        Scenario::ClueDepartment,
        Scenario::ClueCadre,
        Scenario::ClueApplication,
    ];

    /// The order of the demo village's picks: every lifecycle state first (线索, 识别中, 未纳入, 监测帮扶中,
    /// 缓退, 风险消除), then the other stories, as far as half the village goes.
    const VILLAGE_ORDER: [Scenario; 15] = [
        Scenario::ClueApplication,
        Scenario::IdentPublicity,
        Scenario::NotIncluded,
        Scenario::Monitored,
        Scenario::Deferred,
        Scenario::Eliminated,
        Scenario::ExitRunning,
        Scenario::IdentOverdue,
        Scenario::IdentGreenChannel,
        Scenario::ClueDepartment,
        Scenario::ClueCadre,
        Scenario::CluePetition,
        Scenario::IdentVerified,
        Scenario::IdentAppraised,
        Scenario::Reopened,
    ];

    /// Share of the cases (sums to 1).
    fn share(self) -> f64 {
        match self {
            Scenario::ClueApplication | Scenario::ClueCadre | Scenario::ClueDepartment => 0.05,
            Scenario::CluePetition => 0.03,
            Scenario::IdentVerified => 0.04,
            Scenario::IdentAppraised | Scenario::IdentPublicity | Scenario::IdentOverdue => 0.03,
            Scenario::IdentGreenChannel | Scenario::Reopened => 0.02,
            Scenario::NotIncluded => 0.07,
            Scenario::Monitored => 0.30,
            Scenario::ExitRunning => 0.06,
            Scenario::Deferred => 0.08,
            Scenario::Eliminated => 0.14,
        }
    }

    /// Entered into monitoring (纳入监测): the registry's 监测户.
    pub(crate) fn enrolled(self) -> bool {
        matches!(
            self,
            Scenario::Monitored | Scenario::ExitRunning | Scenario::Deferred | Scenario::Eliminated
        )
    }
}

/// What the choice of scenario looks at.
struct Facts {
    monitored: bool,
    labour: bool,
    deferral: bool,
    /// The latest per-capita income, and after rigid expenditure, at or above the line.
    income_ok: bool,
    /// The registry shows no 三保障 problem that blocks an exit (`registry_blockers`: a child of
    /// compulsory-school age not in school, a member without basic medical insurance) over the cases'
    /// year.
    secure: bool,
}

fn latest_income(dh: &DemoHousehold) -> Option<&IncomeRecord> {
    dh.incomes.iter().max_by_key(|r| r.year)
}

fn facts(dh: &DemoHousehold, line: Fen, frame: &DemoFrame) -> Facts {
    let h = &dh.household;
    let secure = [frame.as_of - chrono::Duration::days(366), frame.as_of]
        .into_iter()
        .all(|on| shouwang_core::monitoring::exit::registry_blockers(h, None, on).is_empty());
    let income_ok = latest_income(dh)
        .is_some_and(|r| r.per_capita() >= line && r.per_capita_after_rigid() >= line);
    Facts {
        monitored: h.is_monitored(),
        labour: h.has_labour(),
        deferral: !DeferredCategory::of(h).is_empty(),
        income_ok,
        secure,
    }
}

fn eligible(s: Scenario, f: &Facts, relaxed: bool) -> bool {
    let pool = if s.enrolled() {
        f.monitored || relaxed
    } else {
        !f.monitored || relaxed
    };
    pool && match s {
        Scenario::Eliminated | Scenario::ExitRunning => {
            f.labour && !f.deferral && f.income_ok && f.secure
        }
        Scenario::Deferred => f.deferral && f.income_ok && f.secure,
        _ => true,
    }
}

/// A household chosen for a scenario.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct Pick {
    /// Index in [`DemoCounty::households`].
    pub index: usize,
    /// Its story.
    pub scenario: Scenario,
    /// Written through `repo::cases` one action at a time (the demo village), not in bulk.
    pub api: bool,
    /// Not a 监测户 in the registry but enrolled: written as one (see the module doc).
    pub promote: bool,
}

/// Chooses the households of the cases: one of each scenario in the demo village, then about 1 % of the
/// county (at least [`MIN_PER_SCENARIO`] a scenario) in a seeded random order. Deterministic.
pub(crate) fn select(county: &DemoCounty, line: Fen) -> Vec<Pick> {
    let n = county.households.len();
    if n == 0 {
        return Vec::new();
    }
    let total = n as f64 / 100.0;
    let want: BTreeMap<Scenario, usize> = Scenario::ALL
        .iter()
        .map(|&s| {
            let w = (s.share() * total).round() as usize;
            (s, Ord::max(w, MIN_PER_SCENARIO))
        })
        .collect();
    let facts: Vec<Facts> = county
        .households
        .iter()
        .map(|h| facts(h, line, &county.frame))
        .collect();
    let mut sel = Selection {
        taken: vec![false; n],
        have: BTreeMap::new(),
        picks: Vec::new(),
    };

    // The demo village: one of each.
    let village = demo_village();
    let in_village: Vec<usize> = (0..n)
        .filter(|&i| county.households[i].household.village.as_str() == village)
        .collect();
    // At most half the village, so its team also finds households without a case. Each story in turn
    // takes a household as the county's picks do, else one to promote.
    let cap = in_village.len() / 2;
    for s in Scenario::VILLAGE_ORDER {
        if sel.picks.len() >= cap {
            break;
        }
        for relaxed in [false, true] {
            if let Some(&i) = in_village
                .iter()
                .find(|&&i| !sel.taken[i] && eligible(s, &facts[i], relaxed))
            {
                sel.take(i, s, true, &facts[i]);
                break;
            }
        }
    }

    // The county, in a seeded random order.
    let mut order: Vec<usize> = (0..n).collect();
    order.shuffle(&mut ChaCha8Rng::seed_from_u64(county.seed ^ 0x5eed_ca5e));
    let short = |sel: &Selection, s: &Scenario| {
        sel.have.get(s).copied().unwrap_or(0) < want.get(s).copied().unwrap_or(0)
    };
    for relaxed in [false, true] {
        for &i in &order {
            if !Scenario::ALL.iter().any(|s| short(&sel, s)) {
                return sel.picks;
            }
            if sel.taken[i] {
                continue;
            }
            let next = Scenario::ALL
                .iter()
                .copied()
                .find(|s| short(&sel, s) && eligible(*s, &facts[i], relaxed));
            if let Some(s) = next {
                sel.take(i, s, false, &facts[i]);
            }
        }
    }
    sel.picks
}

/// The households picked so far.
struct Selection {
    taken: Vec<bool>,
    have: BTreeMap<Scenario, usize>,
    picks: Vec<Pick>,
}

impl Selection {
    fn take(&mut self, i: usize, s: Scenario, api: bool, f: &Facts) {
        if let Some(t) = self.taken.get_mut(i) {
            *t = true;
        }
        *self.have.entry(s).or_insert(0) += 1;
        self.picks.push(Pick {
            index: i,
            scenario: s,
            api,
            promote: s.enrolled() && !f.monitored,
        });
    }
}
