//! The demo county's monitoring cases 演示监测帮扶档案: households in every lifecycle state
//! (docs/domain.md A1–A3, §三(一)), made by the core's own rules.
//!
//! About 1 % of the households get a case (at least [`MIN_PER_SCENARIO`] of each [`Scenario`], so a small
//! demo shows every state too), dated across 2022 up to [`AS_OF`]:
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
//! every risk-elimination condition with their registry income of 2022, the deferred ones from households
//! in a deferral category. Only when the registry has too few such households (a tiny demo) does another
//! household take the part; it is then *promoted* (written as 监测户 with the outcome's type and risks), so
//! the registry agrees with the case.
//!
//! Everything here is pure (the load in `load.rs` writes it): [`select`] picks the households,
//! [`script`] writes each one's story as dated [`Step`]s acted by the demo users or the county's other
//! staff ([`Staff`]), and [`run`] plays a script through `Case::open` / `Case::apply`, so every case is
//! one the rules allow.

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
use super::{AS_OF, DEMO_USERS, DemoCounty, DemoHousehold};

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
    /// 2022 per-capita income, and after rigid expenditure, at or above the line.
    income_ok: bool,
}

fn income_2022(dh: &DemoHousehold) -> Option<&IncomeRecord> {
    dh.incomes.iter().max_by_key(|r| r.year)
}

fn facts(dh: &DemoHousehold, line: Fen) -> Facts {
    let h = &dh.household;
    let income_ok = income_2022(dh)
        .is_some_and(|r| r.per_capita() >= line && r.per_capita_after_rigid() >= line);
    Facts {
        monitored: h.is_monitored(),
        labour: h.has_labour(),
        deferral: !DeferredCategory::of(h).is_empty(),
        income_ok,
    }
}

fn eligible(s: Scenario, f: &Facts, relaxed: bool) -> bool {
    let pool = if s.enrolled() {
        f.monitored || relaxed
    } else {
        !f.monitored || relaxed
    };
    pool && match s {
        Scenario::Eliminated | Scenario::ExitRunning => f.labour && !f.deferral && f.income_ok,
        Scenario::Deferred => f.deferral && f.income_ok,
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
    let facts: Vec<Facts> = county.households.iter().map(|h| facts(h, line)).collect();
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

// ---------------------------------------------------------------------------------------------------------
// Staff.

/// A staff account the load creates besides the demo accounts: the township office of each other
/// township, the village team and a responsible cadre of each other village with cases. They are inactive
/// (no one signs in as them; the county admin may enable them) and act in the cases of their area.
pub(crate) use shouwang_store::repo::bulk::Account as StaffAccount;

/// The staff accounts the picks need (townships and villages other than the demo users').
pub(crate) fn staff_accounts(county: &DemoCounty, picks: &[Pick]) -> Vec<StaffAccount> {
    let names = region_names(county);
    let village = demo_village();
    let township = &village[..Ord::min(9, village.len())];
    let mut townships: Vec<String> = Vec::new();
    let mut villages: Vec<String> = Vec::new();
    for p in picks {
        let Some(dh) = county.households.get(p.index) else {
            continue;
        };
        let v = dh.household.village.as_str();
        let t = dh.household.village.township();
        if t != township && !townships.iter().any(|x| x == t) {
            townships.push(t.to_owned());
        }
        if v != village && !villages.iter().any(|x| x == v) {
            villages.push(v.to_owned());
        }
    }
    townships.sort();
    villages.sort();
    let mut out = Vec::new();
    for t in townships {
        let name = names.get(&t).cloned().unwrap_or_default();
        out.push(StaffAccount {
            username: format!("township_{t}"),
            display_name: format!("{name}乡村振兴办"),
            role: Role::TownshipAdmin,
            area: t,
        });
    }
    for v in villages {
        let name = names.get(&v).cloned().unwrap_or_default();
        let short = name.chars().take(20).collect::<String>();
        out.push(StaffAccount {
            username: format!("team_{v}"),
            display_name: format!("{short}工作专班"),
            role: Role::VillageTeam,
            area: v.clone(),
        });
        out.push(StaffAccount {
            username: format!("cadre_{v}"),
            display_name: cadre_name(&v),
            role: Role::Cadre,
            area: v,
        });
    }
    out
}

/// A person's name for the cadre of a village, from the village code (deterministic).
fn cadre_name(village: &str) -> String {
    let h = village.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
    });
    let s = SURNAMES
        .get((h % SURNAMES.len() as u64) as usize)
        .map_or("王", |s| s.0);
    let given = MALE_GIVEN[1];
    let g = given
        .get(((h >> 20) % given.len() as u64) as usize)
        .copied()
        .unwrap_or("建国");
    format!("{s}{g}")
}

/// Who acts in the cases: the demo users where their area covers the case, the staff accounts elsewhere.
#[derive(Clone, Debug, Default)]
pub(crate) struct Staff {
    /// 县级管理员 (demo account).
    pub county_admin: Option<CoreActor>,
    /// 部门数据员 (demo account).
    pub department: Option<CoreActor>,
    /// 乡镇管理员 per township (9 digits).
    pub townships: HashMap<String, CoreActor>,
    /// 村级工作专班 per village (12 digits).
    pub teams: HashMap<String, CoreActor>,
    /// 帮扶责任人 per village.
    pub cadres: HashMap<String, CoreActor>,
}

fn missing(what: &str, area: &str) -> Refusal {
    Refusal::invalid(
        format!("演示数据缺少{what}（{area}）"),
        format!("the demo has no {what} for {area}"),
    )
}

impl Staff {
    /// Adds a user as the one acting in `role` over `area`.
    pub(crate) fn add(&mut self, user_id: i64, name: &str, role: Role, area: &str) {
        let actor = CoreActor::new(user_id, name, role);
        match role {
            Role::CountyAdmin => self.county_admin = Some(actor),
            Role::Department => self.department = Some(actor),
            Role::TownshipAdmin => {
                self.townships.insert(area.to_owned(), actor);
            }
            Role::VillageTeam => {
                self.teams.insert(area.to_owned(), actor);
            }
            Role::Cadre => {
                self.cadres.insert(area.to_owned(), actor);
            }
            Role::Auditor => {}
        }
    }

    fn county(&self) -> Result<CoreActor, Refusal> {
        self.county_admin
            .clone()
            .ok_or_else(|| missing("县级管理员", "county"))
    }

    fn department(&self) -> Result<CoreActor, Refusal> {
        self.department
            .clone()
            .ok_or_else(|| missing("部门数据员", "county"))
    }

    fn township(&self, v: &RegionCode) -> Result<CoreActor, Refusal> {
        self.townships
            .get(v.township())
            .cloned()
            .ok_or_else(|| missing("乡镇管理员", v.township()))
    }

    fn team(&self, v: &RegionCode) -> Result<CoreActor, Refusal> {
        self.teams
            .get(v.as_str())
            .cloned()
            .ok_or_else(|| missing("村级工作专班", v.as_str()))
    }

    fn cadre(&self, v: &RegionCode) -> Result<CoreActor, Refusal> {
        self.cadres
            .get(v.as_str())
            .cloned()
            .ok_or_else(|| missing("帮扶责任人", v.as_str()))
    }
}

/// Region code (12 digits) → name.
pub(crate) fn region_names(county: &DemoCounty) -> HashMap<String, String> {
    county
        .regions
        .iter()
        .map(|r| (r.code.as_str().to_owned(), r.name.clone()))
        .collect()
}

// ---------------------------------------------------------------------------------------------------------
// Scripts.

/// One dated action of a script.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Step {
    /// Opens the household's (next) case.
    Open {
        report: Report,
        by: CoreActor,
        on: NaiveDate,
    },
    /// An action on the current case.
    Act {
        action: CaseAction,
        by: CoreActor,
        on: NaiveDate,
    },
    /// 预判提名 with the registry's facts (the household, its 2022 income, the line of 2022).
    Nominate { by: CoreActor, on: NaiveDate },
    /// 退出告知 (the sequence comes from the county's counter).
    Notice {
        by: CoreActor,
        on: NaiveDate,
        addressee: String,
        village: String,
        committee: String,
    },
}

impl Step {
    /// The action date.
    pub(crate) fn on(&self) -> NaiveDate {
        match self {
            Step::Open { on, .. }
            | Step::Act { on, .. }
            | Step::Nominate { on, .. }
            | Step::Notice { on, .. } => *on,
        }
    }

    /// Who acts.
    pub(crate) fn by(&self) -> &CoreActor {
        match self {
            Step::Open { by, .. }
            | Step::Act { by, .. }
            | Step::Nominate { by, .. }
            | Step::Notice { by, .. } => by,
        }
    }
}

/// What every script needs.
pub(crate) struct Ctx<'a> {
    pub staff: &'a Staff,
    pub rules: &'a CountyRules,
    /// The monitoring line of 2022 (per capita).
    pub line: Fen,
    /// Region code → name.
    pub names: &'a HashMap<String, String>,
    /// The demo's scanned documents and photos (registered as attachments by the load).
    pub attachments: &'a [Attachment],
}

/// 2022-`m`-`d` (31 December for an impossible date).
fn d(m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2022, m, day).unwrap_or(AS_OF)
}

fn plus(date: NaiveDate, days: u64) -> NaiveDate {
    date.checked_add_days(Days::new(days)).unwrap_or(date)
}

fn minus(date: NaiveDate, days: u64) -> NaiveDate {
    date.checked_sub_days(Days::new(days)).unwrap_or(date)
}

/// A uniformly random date in `from..=to`.
fn between(rng: &mut ChaCha8Rng, from: NaiveDate, to: NaiveDate) -> NaiveDate {
    let span = (to - from).num_days().max(0) as u64;
    plus(from, rng.random_range(0..=span))
}

/// The risk a non-monitored household reports: illness or disability where a member has it, else one of
/// the common causes.
fn reported_risk(h: &Household, rng: &mut ChaCha8Rng) -> RiskType {
    let serious = h.members.iter().any(|m| {
        m.health
            .iter()
            .any(|s| matches!(s, HealthStatus::SeriousIllness | HealthStatus::Chronic))
    });
    if serious && rng.random_bool(0.7) {
        return RiskType::Illness;
    }
    if h.members.iter().any(|m| m.is_disabled()) && rng.random_bool(0.5) {
        return RiskType::Disability;
    }
    const COMMON: [RiskType; 5] = [
        RiskType::UnstableEmployment,
        RiskType::DisasterFlood,
        RiskType::IndustryFailure,
        RiskType::Accident,
        RiskType::Illness,
    ];
    COMMON[rng.random_range(0..COMMON.len())]
}

fn cause_zh(r: RiskType) -> &'static str {
    match r.parent() {
        RiskType::Illness => "家庭成员患病住院，医疗费用支出大",
        RiskType::Disaster => "2022年10月连续强降雨，房屋受损、庄稼减产",
        RiskType::Disability => "家庭成员残疾，护理和康复支出大",
        RiskType::LackOfLabour => "家中缺少劳动力，收入来源少",
        RiskType::Accident => "家庭主要劳动力意外受伤，暂时无法务工",
        RiskType::IndustryFailure => "养殖的牛羊因病死亡，产业收入大幅减少",
        RiskType::UnstableEmployment => "务工单位停工，家庭收入大幅减少",
        RiskType::Schooling => "子女上学费用支出大",
        RiskType::Housing => "房屋出现裂缝，存在安全隐患",
        RiskType::Water => "饮水困难",
        _ => "家庭生活困难",
    }
}

fn measure_text(class: MeasureClass, township: &str) -> (&'static str, String, i64) {
    let gov = format!("{township}人民政府");
    match class {
        MeasureClass::Industry => (
            "发展养殖（肉牛2头），享受产业奖补",
            "县农业农村局".into(),
            8000,
        ),
        MeasureClass::Employment => (
            "转移就业（县城务工），落实稳岗补贴",
            "县人力资源和社会保障局".into(),
            1500,
        ),
        MeasureClass::Finance => ("脱贫人口小额信贷5万元", "兴县农村商业银行".into(), 50000),
        MeasureClass::PublicWelfarePost => ("光伏公益岗位（护林员）", gov, 6000),
        MeasureClass::Health => ("大病专项救治、医疗救助", "县医疗保障局".into(), 3000),
        MeasureClass::CompulsoryEducation => (
            "义务教育控辍保学，落实营养餐补助",
            "县教育科技局".into(),
            1000,
        ),
        MeasureClass::OtherEducation => ("雨露计划职业教育补助", "县乡村振兴局".into(), 3000),
        MeasureClass::SocialSecurity => ("纳入低保，落实临时救助", "县民政局".into(), 4800),
        MeasureClass::Housing => ("农村危房改造", "县住房和城乡建设局".into(), 20000),
        MeasureClass::Water => ("农村供水工程入户", "县水利局".into(), 1500),
        MeasureClass::SocialAssistance => {
            ("社会帮扶（爱心企业捐助）", "县工商业联合会".into(), 2000)
        }
        MeasureClass::Relocation => ("易地扶贫搬迁后续扶持", "县发展和改革局".into(), 0),
        MeasureClass::LivingConditions => ("改善生产生活条件（改厨改厕）", gov, 3000),
        MeasureClass::Infrastructure => ("入户道路硬化", gov, 0),
    }
}

/// The identification steps in order with their offsets (days from the start) and default roles.
const IDENT_OFFSETS: [(IdentStep, u64); 8] = [
    (IdentStep::Verification, 2),
    (IdentStep::DataComparison, 4),
    (IdentStep::Appraisal, 7),
    (IdentStep::PublicNotice, 7),
    (IdentStep::NoticeClosed, 7), // + the objection period
    (IdentStep::TownshipReview, 8),
    (IdentStep::CountyApproval, 10),
    (IdentStep::Enrolment, 11),
];

/// Builds one household's script.
struct Script<'a> {
    ctx: &'a Ctx<'a>,
    h: &'a Household,
    income: Option<IncomeRecord>,
    village: RegionCode,
    rng: ChaCha8Rng,
    steps: Vec<Step>,
}

impl Script<'_> {
    fn head(&self) -> String {
        self.h
            .head()
            .or(self.h.members.first())
            .map_or_else(|| "户主".to_owned(), |m| m.name.clone())
    }

    fn township_name(&self) -> String {
        self.ctx
            .names
            .get(&format!("{}000", self.village.township()))
            .cloned()
            .unwrap_or_default()
    }

    fn village_name(&self) -> String {
        self.ctx
            .names
            .get(self.village.as_str())
            .cloned()
            .unwrap_or_default()
    }

    fn date(&mut self, from: NaiveDate, to: NaiveDate) -> NaiveDate {
        between(&mut self.rng, from, to)
    }

    fn act(&mut self, action: CaseAction, by: CoreActor, on: NaiveDate) {
        self.steps.push(Step::Act { action, by, on });
    }

    fn photo(&self, i: usize) -> Vec<Attachment> {
        self.ctx
            .attachments
            .get(i % self.ctx.attachments.len().max(1))
            .cloned()
            .into_iter()
            .collect()
    }

    fn verification(&mut self, on: NaiveDate, findings: &str) -> Result<Verification, Refusal> {
        let team = self.ctx.staff.team(&self.village)?;
        let head = self.head();
        Ok(Verification {
            visited_on: on,
            visitors: vec![
                team.name.clone(),
                format!("{}驻村工作队", self.village_name()),
            ],
            findings: findings.to_owned(),
            income: self.income,
            standards: Standards::all_secure(),
            authorisation: Some(Authorisation {
                by: head.clone(),
                on,
                attachment: self.photo(1).into_iter().next(),
            }),
            signature: Signature::Signed { by: head, on },
            attachments: self.photo(0),
        })
    }

    fn meeting(&mut self, on: NaiveDate, what: &str) -> Meeting {
        Meeting {
            held_on: on,
            attendance: self.rng.random_range(18..=45),
            minutes: format!("{}：逐户研判，{what}", self.village_name()),
        }
    }

    /// The report opening a case.
    fn open(&mut self, channel: u8, risks: Vec<RiskType>, on: NaiveDate) -> Result<(), Refusal> {
        let first = risks.first().copied().unwrap_or(RiskType::Illness);
        let (source, by, reporter) = match channel {
            0 => {
                let means = if self.rng.random_bool(0.8) {
                    ApplicationMeans::Written
                } else {
                    ApplicationMeans::Hotline
                };
                (
                    Source::Application {
                        applicant: self.head(),
                        stated_cause: cause_zh(first).to_owned(),
                        means,
                    },
                    self.ctx.staff.team(&self.village)?,
                    self.head(),
                )
            }
            1 => {
                let cadre = self.ctx.staff.cadre(&self.village)?;
                let quarter = (on.month() - 1) / 3 + 1;
                (
                    Source::CadreScreening {
                        round: format!("{}年第{quarter}季度集中排查", on.year()),
                    },
                    cadre.clone(),
                    cadre.name,
                )
            }
            2 => {
                let (department, file, month) = match first.parent() {
                    RiskType::Disaster => ("县应急管理局", "2022年10月洪涝灾害受灾户名单.xlsx", 10),
                    RiskType::Schooling => ("县教育科技局", "2022年11月控辍保学名单.xlsx", 11),
                    RiskType::UnstableEmployment => (
                        "县人力资源和社会保障局",
                        "2022年11月失业登记人员名单.xlsx",
                        11,
                    ),
                    _ => ("县医疗保障局", "2022年11月医疗费用报销明细.xlsx", 11),
                };
                let dep = self.ctx.staff.department()?;
                (
                    Source::DepartmentScreening {
                        department: department.to_owned(),
                        file: file.to_owned(),
                        round: YearMonth::new(2022, month),
                    },
                    dep,
                    department.to_owned(),
                )
            }
            _ => {
                let by = self.ctx.staff.township(&self.village)?;
                let n = self.rng.random_range(100..=999);
                (
                    Source::Petition {
                        petition_number: format!("兴信〔{}〕{n}号", on.year()),
                    },
                    by,
                    "县信访局".to_owned(),
                )
            }
        };
        self.steps.push(Step::Open {
            report: Report {
                household: self.h.number.clone(),
                source,
                risks,
                reporter,
                reported_on: on,
            },
            by,
            on,
        });
        Ok(())
    }

    /// 启动识别 on `start`, then the steps up to and including `last` (`None`: through 纳入监测); a step in
    /// `fail` is decided 不通过 with the reason (and ends the procedure). Returns the date of the last step.
    fn identify(
        &mut self,
        start: NaiveDate,
        last: Option<IdentStep>,
        fail: Option<(IdentStep, &str)>,
        outcome: &Outcome,
    ) -> Result<NaiveDate, Refusal> {
        let staff = self.ctx.staff;
        let team = staff.team(&self.village)?;
        self.act(
            CaseAction::StartIdentification {
                rules: self.ctx.rules.identification.clone(),
            },
            team.clone(),
            start,
        );
        let publicity = u64::from(self.ctx.rules.identification.publicity_days);
        let mut on = start;
        for (step, offset) in IDENT_OFFSETS {
            let extra = if step.index() >= IdentStep::NoticeClosed.index() {
                publicity
            } else {
                0
            };
            on = plus(start, offset + extra);
            let decision = |pass: &str| match fail {
                Some((s, reason)) if s == step => Decision::fail(reason),
                _ => Decision::pass(pass),
            };
            let (action, by) = match step {
                IdentStep::Verification => (
                    IdentAction::Verify {
                        verification: Box::new(
                            self.verification(on, "入户核实家庭收支和两不愁三保障情况")?,
                        ),
                        decision: decision("情况属实，符合识别条件"),
                    },
                    team.clone(),
                ),
                IdentStep::DataComparison => (
                    IdentAction::Compare {
                        checked_with: ["财政", "公安", "住建", "人社", "市场监管"]
                            .map(str::to_owned)
                            .to_vec(),
                        discrepancies: match fail {
                            Some((s, r)) if s == step => r.to_owned(),
                            _ => String::new(),
                        },
                        decision: decision("比对无异常"),
                    },
                    staff.county()?,
                ),
                IdentStep::Appraisal => (
                    IdentAction::Appraise {
                        meeting: self.meeting(on, "民主评议"),
                        decision: decision("评议同意纳入监测"),
                    },
                    team.clone(),
                ),
                IdentStep::PublicNotice => (
                    IdentAction::PostNotice {
                        place: format!("{}村委会公示栏", self.village_name()),
                    },
                    team.clone(),
                ),
                IdentStep::NoticeClosed => (
                    IdentAction::CloseNotice {
                        objections: Vec::new(),
                        decision: decision("公示期满无异议"),
                    },
                    team.clone(),
                ),
                IdentStep::TownshipReview => (
                    IdentAction::TownshipReview {
                        decision: decision("审核同意"),
                    },
                    staff.township(&self.village)?,
                ),
                IdentStep::CountyApproval => (
                    IdentAction::CountyApproval {
                        decision: decision("审定同意纳入监测"),
                        outcome: Some(outcome.clone()),
                    },
                    staff.county()?,
                ),
                IdentStep::Enrolment => (
                    IdentAction::Enrol {
                        opinion: "已录入全国防返贫监测信息系统".to_owned(),
                    },
                    staff.county()?,
                ),
            };
            self.act(CaseAction::Identify { action }, by, on);
            if fail.is_some_and(|(s, _)| s == step) || last == Some(step) {
                break;
            }
        }
        Ok(on)
    }

    /// Cadre, measures (the decision table's classes; `statuses`: how many done, in progress, planned).
    fn assist(
        &mut self,
        from: NaiveDate,
        risks: &[RiskType],
        developmental: bool,
        statuses: (usize, usize, usize),
    ) -> Result<(), Refusal> {
        let staff = self.ctx.staff;
        let team = staff.team(&self.village)?;
        let cadre = staff.cadre(&self.village)?;
        self.act(
            CaseAction::Cadre {
                action: CadreAction::Assign {
                    cadre: Cadre {
                        user_id: cadre.user_id,
                        name: cadre.name.clone(),
                        level: CadreLevel::Resident,
                        unit: format!("{}驻村工作队", self.township_name()),
                        phone: None,
                    },
                },
            },
            team.clone(),
            plus(from, 1),
        );
        let mut classes: Vec<MeasureClass> = recommend(&Situation::of(self.h, risks))
            .into_iter()
            .map(|r| r.class)
            .collect();
        if developmental && self.h.has_labour() && !classes.iter().any(|c| c.is_developmental()) {
            classes.insert(0, MeasureClass::PublicWelfarePost);
        } else if developmental && let Some(i) = classes.iter().position(|c| c.is_developmental()) {
            let c = classes.remove(i);
            classes.insert(0, c);
        }
        if classes.is_empty() {
            classes.push(MeasureClass::SocialAssistance);
        }
        let (done, running, planned) = statuses;
        let township = self.township_name();
        let planned_on = plus(from, 30);
        for (i, class) in classes.iter().take(done + running + planned).enumerate() {
            let (item, unit, amount) = measure_text(*class, &township);
            self.act(
                CaseAction::PlanMeasure {
                    plan: MeasurePlan {
                        class: *class,
                        item: item.to_owned(),
                        planned_on: if i < done + running {
                            planned_on
                        } else {
                            Ord::max(plus(AS_OF, 90), planned_on)
                        },
                        responsible_unit: unit,
                        amount: Fen::from_yuan(amount),
                    },
                },
                team.clone(),
                plus(from, 3),
            );
            if i < done + running {
                self.act(
                    CaseAction::UpdateMeasure {
                        index: i,
                        action: MeasureAction::Start {
                            note: "已开始实施".to_owned(),
                        },
                    },
                    cadre.clone(),
                    plus(from, 8),
                );
            }
            if i < done {
                let on = Ord::min(plus(from, 20 + i as u64 * 5), AS_OF);
                self.act(
                    CaseAction::UpdateMeasure {
                        index: i,
                        action: MeasureAction::Complete {
                            evidence: Completion {
                                description: format!("已落实：{item}"),
                                attachments: self.photo(i),
                            },
                        },
                    },
                    cadre.clone(),
                    on,
                );
            }
        }
        Ok(())
    }

    /// Monthly follow-ups from the month after `since` through `last` (visited by `visit_by` day of the
    /// month at the latest), leaving out `skip`.
    fn follow_ups(
        &mut self,
        since: NaiveDate,
        last: YearMonth,
        visit_by: u32,
        skip: &[YearMonth],
    ) -> Result<(), Refusal> {
        let cadre = self.ctx.staff.cadre(&self.village)?;
        let estimate = self.income.map_or(Fen::ZERO, |r| r.per_capita());
        let start = plus(since, 1);
        let mut m = YearMonth::of(start);
        while m <= last {
            if !skip.contains(&m) {
                let day = self.rng.random_range(3..=visit_by.max(3));
                let visited = Ord::max(m.day_clamped(day), start);
                let visited = Ord::min(visited, AS_OF);
                if m.contains(visited) {
                    let on = Ord::min(plus(visited, self.rng.random_range(0..=2)), AS_OF);
                    self.act(
                        CaseAction::FollowUp {
                            visit: FollowUp {
                                month: m,
                                visited_on: visited,
                                measures_carried_out: true,
                                policies_received: true,
                                standards_secure: true,
                                household_approves: true,
                                per_capita_income_estimate: estimate,
                                notes: String::new(),
                            },
                        },
                        cadre.clone(),
                        on,
                    );
                }
            }
            m = m.next();
        }
        Ok(())
    }

    /// The exit from `nominate` on: nomination, meeting, check, appraisal (as many as `steps`, 1..=4).
    fn exit(&mut self, dates: [NaiveDate; 4], steps: usize) -> Result<(), Refusal> {
        let team = self.ctx.staff.team(&self.village)?;
        self.steps.push(Step::Nominate {
            by: team.clone(),
            on: dates[0],
        });
        if steps >= 2 {
            let meeting = self.meeting(dates[1], "预判会议");
            self.act(
                CaseAction::Exit {
                    action: ExitAction::DecideAtMeeting {
                        meeting,
                        decision: Decision::pass("同意启动风险消除程序"),
                    },
                },
                team.clone(),
                dates[1],
            );
        }
        if steps >= 3 {
            let verification =
                self.verification(dates[2], "入户核查：收入稳定，两不愁三保障及饮水安全有保障")?;
            let work = if self.h.has_labour() {
                "家庭主要劳动力稳定务工，产业收入稳定"
            } else {
                "家庭无劳动力，已落实综合保障"
            };
            self.act(
                CaseAction::Exit {
                    action: ExitAction::CheckHousehold {
                        check: Box::new(ExitCheck {
                            verification,
                            measures_delivered: true,
                            industry_employment_ok: true,
                            industry_employment: work.to_owned(),
                        }),
                        opinion: "四查达标".to_owned(),
                    },
                },
                team.clone(),
                dates[2],
            );
        }
        if steps >= 4 {
            let meeting = self.meeting(dates[3], "民主评议风险消除");
            let mode = if self.rng.random_bool(0.85) {
                EliminationMode::Assisted
            } else {
                EliminationMode::Natural
            };
            self.act(
                CaseAction::Exit {
                    action: ExitAction::Appraise {
                        meeting,
                        decision: Decision::pass("评议通过，返贫风险已稳定消除"),
                        mode,
                        categories: DeferredCategory::of(self.h),
                    },
                },
                team,
                dates[3],
            );
        }
        Ok(())
    }

    fn notice(&mut self, on: NaiveDate) -> Result<(), Refusal> {
        let team = self.ctx.staff.team(&self.village)?;
        let village_name = self.village_name();
        let (village, committee) = if village_name.ends_with('村') {
            (
                format!("{}{village_name}", self.township_name()),
                format!("{village_name}村民委员会"),
            )
        } else {
            (
                village_name.clone(),
                format!("{SETTLEMENT_STREET}社区居民委员会"),
            )
        };
        self.steps.push(Step::Notice {
            by: team.clone(),
            on,
            addressee: self.head(),
            village,
            committee,
        });
        self.act(
            CaseAction::Cadre {
                action: CadreAction::Release {
                    reason: "返贫风险已消除，退出监测".to_owned(),
                },
            },
            team,
            plus(on, 1),
        );
        Ok(())
    }
}

/// The outcome of 县级审定 for a household: its registry type and risks where it is a 监测户, else one from
/// its type and the reported risks.
pub(crate) fn outcome_for(h: &Household, reported: &[RiskType]) -> Outcome {
    let mut risks: Vec<RiskType> = if h.is_monitored() && !h.risks.is_empty() {
        h.risks.clone()
    } else {
        reported.to_vec()
    };
    risks.sort();
    risks.dedup();
    risks.truncate(5);
    if risks.is_empty() {
        risks.push(RiskType::Other);
    }
    let monitored_type = h.monitored_type.unwrap_or_else(|| {
        if h.household_type == HouseholdType::Alleviated {
            MonitoredType::Unstable
        } else if risks
            .iter()
            .any(|r| r.is_disaster() || *r == RiskType::Accident)
        {
            MonitoredType::SuddenHardship
        } else {
            MonitoredType::Marginal
        }
    });
    Outcome {
        monitored_type,
        risks,
    }
}

/// The risks a household's case starts from (registry risks for a 监测户).
pub(crate) fn case_risks(h: &Household, scenario: Scenario, seed: u64) -> Vec<RiskType> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x0715_4e55);
    if scenario.enrolled() && !h.risks.is_empty() {
        let mut r = h.risks.clone();
        r.truncate(5);
        return r;
    }
    if scenario == Scenario::IdentGreenChannel {
        return vec![RiskType::Accident];
    }
    vec![reported_risk(h, &mut rng)]
}

/// The household (as the registry will hold it: promoted where `pick.promote`) and the seed of its story.
pub(crate) fn household_for(county: &DemoCounty, pick: &Pick) -> Option<Household> {
    let dh = county.households.get(pick.index)?;
    let mut h = dh.household.clone();
    if pick.promote {
        let seed = county.seed ^ (pick.index as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15);
        let risks = case_risks(&h, pick.scenario, seed);
        let o = outcome_for(&h, &risks);
        h.household_type = HouseholdType::Monitored;
        h.monitored_type = Some(o.monitored_type);
        h.risks = o.risks;
    }
    Some(h)
}

/// Writes the story of `pick` (its household `h` as the registry holds it) as dated steps, in date order.
pub(crate) fn script(
    ctx: &Ctx<'_>,
    county: &DemoCounty,
    pick: &Pick,
    h: &Household,
) -> Result<Vec<Step>, Refusal> {
    let Some(dh) = county.households.get(pick.index) else {
        return Err(missing("农户", &pick.index.to_string()));
    };
    let seed = county.seed ^ (pick.index as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    let risks = case_risks(h, pick.scenario, seed);
    let outcome = outcome_for(h, &risks);
    let mut s = Script {
        ctx,
        h,
        income: income_2022(dh).copied(),
        village: h.village.clone(),
        rng: ChaCha8Rng::seed_from_u64(seed),
        steps: Vec::new(),
    };
    match pick.scenario {
        Scenario::ClueApplication
        | Scenario::ClueCadre
        | Scenario::ClueDepartment
        | Scenario::CluePetition => {
            let channel = match pick.scenario {
                Scenario::ClueApplication => 0,
                Scenario::ClueCadre => 1,
                Scenario::ClueDepartment => 2,
                _ => 3,
            };
            let on = s.date(d(12, 1), d(12, 28));
            s.open(channel, risks, on)?;
        }
        Scenario::IdentVerified
        | Scenario::IdentAppraised
        | Scenario::IdentPublicity
        | Scenario::IdentOverdue => {
            let (from, to, last) = match pick.scenario {
                Scenario::IdentVerified => (d(12, 12), d(12, 20), IdentStep::Verification),
                Scenario::IdentAppraised => (d(12, 1), d(12, 12), IdentStep::Appraisal),
                Scenario::IdentPublicity => (d(12, 19), d(12, 23), IdentStep::PublicNotice),
                _ => (d(10, 10), d(11, 10), IdentStep::NoticeClosed),
            };
            let start = s.date(from, to);
            let back = s.rng.random_range(1..=5);
            let channel = s.rng.random_range(0..=2);
            s.open(channel, risks, minus(start, back))?;
            s.identify(start, Some(last), None, &outcome)?;
        }
        Scenario::IdentGreenChannel => {
            let start = s.date(d(12, 5), d(12, 15));
            s.open(0, risks.clone(), minus(start, 1))?;
            s.identify(start, Some(IdentStep::Verification), None, &outcome)?;
            let township = ctx.staff.township(&s.village)?;
            s.act(
                CaseAction::Identify {
                    action: IdentAction::OpenGreenChannel {
                        reason: "家庭主要劳动力意外受伤，生活陷入困境，先行帮扶".to_owned(),
                    },
                },
                township,
                start,
            );
            s.assist(plus(start, 0), &risks, false, (0, 1, 1))?;
        }
        Scenario::NotIncluded | Scenario::Reopened => {
            let start = if pick.scenario == Scenario::Reopened {
                s.date(d(3, 1), d(6, 30))
            } else {
                s.date(d(3, 1), d(11, 1))
            };
            let well_off = s
                .income
                .is_some_and(|r| r.per_capita() >= Fen(ctx.line.0 * 3 / 2));
            let fail = if well_off {
                (
                    IdentStep::Verification,
                    "经入户核查，家庭人均纯收入明显高于监测线，无返贫致贫风险",
                )
            } else if s.rng.random_bool(0.5) {
                (
                    IdentStep::DataComparison,
                    "信息比对发现家庭成员名下有商品房和小轿车，不符合纳入条件",
                )
            } else {
                (
                    IdentStep::Appraisal,
                    "民主评议认为家庭收入来源稳定，风险可自行化解，不予纳入",
                )
            };
            let back = s.rng.random_range(1..=6);
            s.open(0, risks.clone(), minus(start, back))?;
            s.identify(start, None, Some(fail), &outcome)?;
            if pick.scenario == Scenario::Reopened {
                let again = s.date(d(12, 1), d(12, 20));
                let new_risk = if risks.contains(&RiskType::Illness) {
                    RiskType::Accident
                } else {
                    RiskType::Illness
                };
                s.open(0, vec![new_risk], again)?;
            }
        }
        Scenario::Monitored => {
            let reported = s.date(d(2, 1), d(10, 31));
            let start = plus(reported, s.rng.random_range(1..=3));
            let channel = s.rng.random_range(0..=2);
            s.open(channel, risks.clone(), reported)?;
            let enrolled = s.identify(start, None, None, &outcome)?;
            s.assist(enrolled, &outcome.risks, true, (1, 1, 1))?;
            let first = YearMonth::of(plus(enrolled, 1));
            let months = first.through(YearMonth::of(AS_OF));
            let mut skip = Vec::new();
            // Some months missing (before December, so they are overdue on 31 December).
            if months.len() > 1 && s.rng.random_bool(0.3) {
                let i = s.rng.random_range(0..months.len() - 1);
                skip.extend(months.get(i).copied());
            }
            s.follow_ups(enrolled, YearMonth::of(AS_OF), 25, &skip)?;
        }
        Scenario::ExitRunning | Scenario::Deferred | Scenario::Eliminated => {
            let q3 = pick.scenario != Scenario::ExitRunning && s.rng.random_bool(0.5);
            let reported = if q3 {
                s.date(d(1, 4), d(2, 14))
            } else {
                s.date(d(1, 4), d(5, 10))
            };
            let start = plus(reported, s.rng.random_range(1..=3));
            let channel = s.rng.random_range(0..=2);
            s.open(channel, risks.clone(), reported)?;
            let enrolled = s.identify(start, None, None, &outcome)?;
            s.assist(enrolled, &outcome.risks, true, (1, 1, 0))?;
            let api_last = pick.api;
            let dates = match (pick.scenario, q3) {
                (Scenario::ExitRunning, _) => [d(12, 12), d(12, 15), d(12, 19), d(12, 23)],
                (_, true) => [d(9, 13), d(9, 15), d(9, 20), d(9, 26)],
                _ => [d(12, 5), d(12, 13), d(12, 16), d(12, 21)],
            };
            let exit_steps = match pick.scenario {
                Scenario::ExitRunning => s.rng.random_range(1..=2),
                _ => 4,
            };
            // Follow-ups through the month of the appraisal (visits early in the month, before the exit
            // steps); a deferred household is followed up to December, with a month sometimes missing.
            let last = match pick.scenario {
                Scenario::Deferred => YearMonth::of(AS_OF),
                Scenario::ExitRunning => YearMonth::of(AS_OF),
                _ => YearMonth::of(dates[3]),
            };
            let mut skip = Vec::new();
            if pick.scenario == Scenario::Deferred && q3 && s.rng.random_bool(0.3) {
                skip.push(YearMonth::of(d(11, 1)));
            }
            s.follow_ups(enrolled, last, 11, &skip)?;
            s.exit(dates, exit_steps)?;
            if pick.scenario == Scenario::Eliminated {
                let on = if api_last {
                    d(12, 29)
                } else if q3 {
                    s.date(d(9, 28), d(10, 12))
                } else {
                    s.date(d(12, 23), d(12, 28))
                };
                s.notice(on)?;
            }
        }
    }
    let mut steps = s.steps;
    steps.sort_by_key(Step::on);
    Ok(steps)
}

/// Plays a script through the core's rules, as the bulk load does: `Case::open` for each opening report,
/// `Case::apply` for every action (the nomination with the registry facts `h`, `income` and `line`; the
/// notice with `sequence`). Returns the household's cases, oldest first. A refusal means a script the rules
/// do not allow (a bug of the demo): the load fails.
pub(crate) fn run(
    h: &Household,
    income: Option<IncomeRecord>,
    line: Fen,
    rules: &CountyRules,
    steps: Vec<Step>,
    sequence: u32,
) -> Result<Vec<Case>, Refusal> {
    let mut done: Vec<Case> = Vec::new();
    let mut current: Option<Case> = None;
    let no_case = || Refusal::invalid("演示脚本：尚无档案", "demo script: no case yet");
    for step in steps {
        let next = match step {
            Step::Open { report, by, on } => {
                if let Some(c) = current.take() {
                    if !c.lifecycle().is_closed() {
                        return Err(Refusal::invalid(
                            "演示脚本：档案未结束",
                            "demo script: the case is still open",
                        ));
                    }
                    done.push(c);
                }
                Case::open(report, h.village.clone(), &by, on)?
            }
            Step::Act { action, by, on } => current
                .as_ref()
                .ok_or_else(no_case)?
                .apply(action, &by, on)?,
            Step::Nominate { by, on } => current.as_ref().ok_or_else(no_case)?.apply(
                CaseAction::NominateExit {
                    household: Box::new(h.clone()),
                    line,
                    latest_income: income,
                    rules: rules.exit.clone(),
                },
                &by,
                on,
            )?,
            Step::Notice {
                by,
                on,
                addressee,
                village,
                committee,
            } => current.as_ref().ok_or_else(no_case)?.apply(
                CaseAction::Exit {
                    action: ExitAction::IssueNotice {
                        sequence,
                        addressee,
                        village,
                        committee,
                    },
                },
                &by,
                on,
            )?,
        };
        current = Some(next);
    }
    done.extend(current);
    Ok(done)
}
