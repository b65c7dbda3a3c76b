//! 数据看板: the figures of the dashboard of the county, a township or a village (county and township
//! admins, the village team, the auditor):
//!
//! - monitored households by 监测对象类别, by 风险类型 and by village (`repo::registry::stats`);
//! - the clue funnel by channel: clues → identification started → entered monitoring (`repo::cases`);
//! - overdue follow-ups of the last due month, by village ([`crate::lifecycle::queues`]);
//! - exits this quarter (风险消除 in the quarter, 缓退);
//! - the D targets that can be computed now (plan §二): responsible-cadre coverage of monitored
//!   households (target 100 %) and rural per-capita net income against last year (target +10 %);
//! - the registers' figures: relocation, labour, workshops, grids, the 村容村貌 indicators against their
//!   targets (§四(五)) and the 三保障 and water problems by sector (§三(四)).

use std::collections::BTreeMap;

use serde::Serialize;
use shouwang_core::codes::{MonitoredType, RiskType};
use shouwang_core::monitoring::{Channel, Lifecycle, Quarter};
use shouwang_core::{CodeList, Role};
use shouwang_store::Db;
use shouwang_store::repo;

use crate::caller::Caller;
use crate::error::Error;
use crate::lifecycle;

/// Whether `role` sees the dashboard: county and township admins, village teams and auditors.
pub fn may_see(role: Role) -> bool {
    matches!(
        role,
        Role::CountyAdmin | Role::TownshipAdmin | Role::VillageTeam | Role::Auditor
    )
}

/// A count under a code (monitored type, risk type, village).
#[derive(Clone, Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Figure {
    /// The code (监测对象类别 / 风险类型 code, or the 行政村 code; empty: not set).
    pub code: String,
    /// Its Chinese label or name.
    pub label_zh: String,
    /// Households (or cases).
    pub value: u64,
}

/// One channel of the clue funnel.
#[derive(Clone, Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FunnelFigure {
    /// Channel code (`application`, `cadre_screening`, `department_screening`, `petition`).
    pub channel: &'static str,
    pub label_zh: &'static str,
    /// Cases with a clue of the channel.
    pub clues: u64,
    /// Of those, identification started.
    pub identified: u64,
    /// Of those, enrolled (纳入监测, including eliminated and deferred).
    pub enrolled: u64,
}

/// Per-capita net income of the area's households by year (元).
#[derive(Clone, Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IncomeFigure {
    pub year: i32,
    pub per_capita_yuan: f64,
}

/// The dashboard's figures (数据看板) for a user's area: what the page charts and `GET /api/v1/dashboard`
/// answers.
#[derive(Clone, Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DashboardFigures {
    /// Monitored households by 监测对象类别.
    pub by_type: Vec<Figure>,
    /// Monitored households by 风险类型, most first.
    pub by_risk: Vec<Figure>,
    /// Monitored households by village, most first (the 20 largest).
    pub by_village: Vec<Figure>,
    /// The clue funnel by channel.
    pub funnel: Vec<FunnelFigure>,
    /// Overdue monthly follow-ups by village, most first.
    pub overdue_by_village: Vec<Figure>,
    /// This quarter (e.g. 2022年第3季度).
    pub quarter: String,
    /// Cases whose risk was eliminated this quarter.
    pub eliminated_this_quarter: u64,
    /// Cases deferred (延期退出).
    pub deferred: u64,
    /// Monitored cases (deferred included).
    pub monitored: u64,
    /// Of those, without a responsible cadre.
    pub without_cadre: u64,
    /// Share with a cadre (%; 100 when none is monitored). Target 100% (plan §二).
    pub cadre_coverage_pct: f64,
    /// Per-capita net income by year (target: +10% a year).
    pub income_by_year: Vec<IncomeFigure>,
    /// 易地搬迁: relocated households with labour and at least one person in stable employment (target
    /// 100 %, §三(三)2).
    pub relocation: crate::registers::relocation::Figures,
    /// 脱贫劳动力务工就业人数 of last month against the same month of last year (§二 "稳中有增"; one
    /// statement: `registers::labour::trend`).
    pub labour: LabourTrend,
    /// 网格化管理 (§四(六)): households in a grid per village and in total (target: every household; one
    /// grouped statement, `repo::grids::coverage`).
    pub grids: crate::grids::Coverage,
    /// 帮扶车间 of the area: operating, jobs offered, workers now and of them of 脱贫户 or 监测户 (§四(一)3
    /// "帮扶车间吸纳一批"; one statement: `repo::workshops::counts`).
    pub workshops: WorkshopFigures,
    /// 村容村貌 (§四(五), B5): this year's indicators of the area's villages against the county's targets.
    pub indicators: IndicatorFigures,
    /// 三保障和饮水安全问题整改 (§三(四), A6): the area's problems by sector and state, overdue ones counted.
    pub problems: Vec<crate::problems::SectorCount>,
    /// 光伏收益分配到村率 of this year so far against the county's target (≥ 90 %, §四(二)4; one statement:
    /// `repo::pv::year_totals`).
    pub pv: crate::pv::Figure,
}

/// 村容村貌 in figures: the year's three rates over the villages entered (returned ones left out) against
/// the targets (no data, `pct` `None`, while no village has entered), and the villages by state.
#[derive(Clone, Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IndicatorFigures {
    /// 年度.
    pub year: i32,
    /// 卫生厕所普及率, 生活垃圾收运自然村覆盖率, 文明户占比 with their targets and gaps.
    pub rates: Vec<shouwang_core::indicators::Rate>,
    /// 行政村 of the area.
    pub villages: usize,
    /// Of those, not entered (未填报).
    pub missing: usize,
    /// Entered, waiting for the township's check (待审核).
    pub to_check: usize,
    /// Checked by the township (已审核).
    pub checked: usize,
}

/// 帮扶车间 in figures (在营车间, 岗位, 吸纳就业, 其中脱贫户、监测户劳动力).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WorkshopFigures {
    /// 在营帮扶车间.
    pub operating: i64,
    /// 提供就业岗位数 of those.
    pub jobs: i64,
    /// 吸纳就业人数 now.
    pub workers: i64,
    /// 其中脱贫户、监测户劳动力.
    pub targets: i64,
}

/// 脱贫劳动力务工就业人数 of a month against the same month of last year.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LabourTrend {
    /// The month counted (`2026-11`).
    pub month: String,
    /// The figure.
    pub trend: shouwang_core::register::labour::Trend,
}

/// The figures of `caller`'s area: what the page `/dashboard` charts and `GET /api/v1/dashboard` answers.
/// Refused ([`Kind::Forbidden`](crate::Kind)) for a role without the dashboard ([`may_see`]).
pub async fn figures(db: &Db, caller: &Caller) -> std::result::Result<DashboardFigures, Error> {
    if !may_see(caller.scope.role) {
        return Err(Error::role_not_allowed(
            "只有县级管理员、乡镇管理员、村级工作专班和审计监督人员可以查看数据看板",
            "Only county and township admins, village teams and auditors see the dashboard",
        ));
    }
    let scope = &caller.scope;
    let stats = repo::registry::stats(db, scope).await?;
    let names = crate::regions::names(db, scope.area_prefix()).await?;
    let by_type = stats
        .monitored_by_type
        .iter()
        .map(|(code, n)| Figure {
            code: code.clone(),
            label_zh: MonitoredType::from_code(code)
                .map(|t| t.label_zh().to_owned())
                .unwrap_or_default(),
            value: *n,
        })
        .collect();
    let mut by_risk: Vec<Figure> = stats
        .monitored_by_risk
        .iter()
        .map(|(code, n)| Figure {
            code: code.clone(),
            label_zh: RiskType::from_code(code)
                .map(|t| t.label_zh().to_owned())
                .unwrap_or_else(|| code.clone()),
            value: *n,
        })
        .collect();
    by_risk.sort_by_key(|b| std::cmp::Reverse(b.value));
    let mut by_village: Vec<Figure> = stats
        .monitored_by_village
        .iter()
        .map(|(code, n)| Figure {
            code: code.clone(),
            label_zh: names.get(code).cloned().unwrap_or_else(|| code.clone()),
            value: *n,
        })
        .collect();
    by_village.sort_by_key(|b| std::cmp::Reverse(b.value));
    by_village.truncate(20);

    // The clue funnel by channel, the totals and the exits of the quarter: one grouped statement.
    let today = crate::today();
    let quarter = Quarter::of(today);
    let groups = repo::cases::tally(db, scope, quarter.first_day(), quarter.last_day()).await?;
    let in_state = |l: Lifecycle, ch: Option<Channel>| -> u64 {
        groups
            .iter()
            .filter(|g| g.lifecycle == l && ch.is_none_or(|c| g.channels.contains(&c)))
            .map(|g| g.cases)
            .sum()
    };
    let funnel = Channel::all()
        .iter()
        .map(|ch| {
            let get = |l: Lifecycle| in_state(l, Some(*ch));
            let enrolled =
                get(Lifecycle::Monitored) + get(Lifecycle::Eliminated) + get(Lifecycle::Deferred);
            let identified = enrolled + get(Lifecycle::Identifying) + get(Lifecycle::NotIncluded);
            FunnelFigure {
                channel: ch.code(),
                label_zh: ch.label_zh(),
                clues: identified + get(Lifecycle::Clue),
                identified,
                enrolled,
            }
        })
        .collect();

    // Overdue follow-ups of the last due month, by village.
    let queues = lifecycle::queues(db, caller, today).await?;
    let mut overdue: BTreeMap<String, u64> = BTreeMap::new();
    for r in &queues.overdue_follow_ups {
        *overdue.entry(r.village_code.clone()).or_default() += 1;
    }
    let mut overdue_by_village: Vec<Figure> = overdue
        .into_iter()
        .map(|(code, n)| Figure {
            label_zh: names.get(&code).cloned().unwrap_or_else(|| code.clone()),
            code,
            value: n,
        })
        .collect();
    overdue_by_village.sort_by_key(|b| std::cmp::Reverse(b.value));

    // Exits this quarter; the targets of plan §二 that can be computed.
    let eliminated = groups
        .iter()
        .filter(|g| g.lifecycle == Lifecycle::Eliminated)
        .map(|g| g.eliminated_between)
        .sum();
    let deferred = in_state(Lifecycle::Deferred, None);
    let monitored = in_state(Lifecycle::Monitored, None) + deferred;
    let without_cadre = queues.needs_cadre.len() as u64;
    let cadre_coverage_pct = if monitored == 0 {
        100.0
    } else {
        100.0 * (monitored.saturating_sub(without_cadre)) as f64 / monitored as f64
    };
    let income_by_year = stats
        .income_by_year
        .iter()
        .filter(|(_, _, m)| *m > 0)
        .map(|(y, net, m)| IncomeFigure {
            year: *y,
            per_capita_yuan: *net as f64 / 100.0 / *m as f64,
        })
        .collect();
    Ok(DashboardFigures {
        by_type,
        by_risk,
        by_village,
        funnel,
        overdue_by_village,
        quarter: quarter.label_zh(),
        eliminated_this_quarter: eliminated,
        deferred,
        monitored,
        without_cadre,
        cadre_coverage_pct,
        income_by_year,
        relocation: crate::registers::relocation::figures(db, caller, today).await?,
        labour: {
            let (month, trend) = crate::registers::labour::trend(db, caller, today).await?;
            LabourTrend {
                month: month.to_string(),
                trend,
            }
        },
        workshops: {
            let c = repo::workshops::counts(db, scope).await?;
            WorkshopFigures {
                operating: c.operating,
                jobs: c.jobs,
                workers: c.workers,
                targets: c.targets,
            }
        },
        pv: crate::pv::figure(db, caller, today).await?,
        grids: crate::grids::coverage_of(repo::grids::coverage(db, scope, None).await?, &names),
        indicators: {
            use chrono::Datelike;
            let b = crate::indicators::board(db, caller, today.year(), None).await?;
            IndicatorFigures {
                year: b.year,
                villages: b.villages.len(),
                rates: b.total,
                missing: b.missing,
                to_check: b.to_check,
                checked: b.checked,
            }
        },
        problems: crate::problems::board(db, caller, None, today).await?,
    })
}
