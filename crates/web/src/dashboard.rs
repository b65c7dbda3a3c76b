//! 数据看板: the dashboard of the county, a township or a village (county and township admins, the
//! village team, the auditor), drawn with Apache ECharts 5.6.0 (Apache-2.0, vendored unchanged under
//! `assets/vendor/echarts-5.6.0/` with its LICENSE and NOTICE, embedded in the binary and served from
//! `/assets`). Each chart's figures are also a table under it, so the page reads without JavaScript;
//! `assets/dashboard.js` draws the charts from each `data-chart` attribute (no inline script: CSP).
//!
//! - monitored households by 监测对象类别, by 风险类型 and by village (`repo::registry::stats`);
//! - the clue funnel by channel: clues → identification started → entered monitoring (`repo::cases`);
//! - overdue follow-ups of the last due month, by village (`lifecycle::queues`);
//! - exits this quarter (风险消除 in the quarter, 缓退);
//! - the D targets that can be computed now (plan §二): responsible-cadre coverage of monitored
//!   households (target 100 %) and rural per-capita net income against last year (target +10 %).

use std::collections::BTreeMap;

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde_json::json;
use shouwang_app::Caller;
use shouwang_app::lifecycle;
use shouwang_core::CodeList;
use shouwang_core::access::Scope;
use shouwang_core::codes::{MonitoredType, RiskType};
use shouwang_core::monitoring::{Channel, Lifecycle, Quarter};
use shouwang_store::repo;
use shouwang_store::repo::cases::CaseQuery;

use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::i18n::I18n;
use crate::page::{region_names, render};

const ECHARTS: &str = include_str!("../assets/vendor/echarts-5.6.0/echarts.min.js");
const DASHBOARD_JS: &str = include_str!("../assets/dashboard.js");

/// The routes of this module.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/dashboard", get(dashboard))
        .route(
            "/assets/vendor/echarts-5.6.0/echarts.min.js",
            get(|| async { js(ECHARTS, "public, max-age=31536000, immutable") }),
        )
        .route(
            "/assets/dashboard.js",
            get(|| async { js(DASHBOARD_JS, "public, max-age=3600") }),
        )
}

fn js(body: &'static str, cache: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, cache),
        ],
        body,
    )
        .into_response()
}

/// One labelled figure.
pub struct Bar {
    pub label: String,
    pub value: u64,
}

/// One chart: its title, the ECharts option as JSON, and its rows for the table.
pub struct Chart {
    pub id: &'static str,
    pub title: &'static str,
    pub option: String,
    pub rows: Vec<Bar>,
}

fn bar_chart(id: &'static str, title: &'static str, rows: Vec<Bar>, horizontal: bool) -> Chart {
    let labels: Vec<&str> = rows.iter().map(|b| b.label.as_str()).collect();
    let values: Vec<u64> = rows.iter().map(|b| b.value).collect();
    let (x, y) = if horizontal {
        (
            json!({"type": "value", "minInterval": 1}),
            json!({"type": "category", "data": labels, "inverse": true}),
        )
    } else {
        (
            json!({"type": "category", "data": labels, "axisLabel": {"interval": 0, "rotate": 30}}),
            json!({"type": "value", "minInterval": 1}),
        )
    };
    let option = json!({
        "grid": {"left": 8, "right": 16, "top": 16, "bottom": 8, "containLabel": true},
        "tooltip": {"trigger": "axis"},
        "xAxis": x,
        "yAxis": y,
        "series": [{"type": "bar", "data": values, "itemStyle": {"color": "#a61b1b"}, "label": {"show": true, "position": if horizontal {"right"} else {"top"}}}],
        "animation": false,
    });
    Chart {
        id,
        title,
        option: option.to_string(),
        rows,
    }
}

/// A target of plan §二 with its value now.
pub struct Target {
    pub name: &'static str,
    pub goal: &'static str,
    pub value: String,
    pub met: bool,
}

/// The funnel of one channel.
pub struct FunnelRow {
    pub channel: &'static str,
    pub clues: u64,
    pub identified: u64,
    pub enrolled: u64,
}

#[derive(Template)]
#[template(path = "dashboard.html")]
struct DashboardPage<'a> {
    i18n: I18n,
    user: &'a CurrentUser,
    charts: Vec<Chart>,
    funnel: Vec<FunnelRow>,
    funnel_chart: String,
    targets: Vec<Target>,
    quarter: String,
    eliminated: u64,
    deferred: u64,
    path: &'static str,
}

/// GET /dashboard
pub async fn dashboard(State(state): State<AppState>, user: CurrentUser) -> Response {
    if !crate::auth::may_dashboard_role(user.scope.role) {
        return AppError::Forbidden.into_page(user.lang);
    }
    match build(&state, &user).await {
        Ok(r) => r,
        Err(e) => e.into_page(user.lang),
    }
}

async fn count(db: &shouwang_store::Db, scope: &Scope, q: CaseQuery) -> Result<u64, AppError> {
    Ok(repo::cases::list(db, scope, &q, 1, 1).await?.total)
}

/// A count under a code (monitored type, risk type, village).
#[derive(Clone, Debug, serde::Serialize, utoipa::ToSchema)]
pub struct Figure {
    /// The code (监测对象类别 / 风险类型 code, or the 行政村 code; empty: not set).
    pub code: String,
    /// Its Chinese label or name.
    pub label_zh: String,
    /// Households (or cases).
    pub value: u64,
}

/// One channel of the clue funnel.
#[derive(Clone, Debug, serde::Serialize, utoipa::ToSchema)]
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
#[derive(Clone, Debug, serde::Serialize, utoipa::ToSchema)]
pub struct IncomeFigure {
    pub year: i32,
    pub per_capita_yuan: f64,
}

/// The dashboard's figures (数据看板) for a user's area: what the page charts and `GET /api/v1/dashboard`
/// answers.
#[derive(Clone, Debug, serde::Serialize, utoipa::ToSchema)]
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
}

/// The figures of `caller`'s area. Shared by the page and `GET /api/v1/dashboard`.
pub async fn figures(
    db: &shouwang_store::Db,
    caller: &Caller,
) -> Result<DashboardFigures, AppError> {
    let scope = &caller.scope;
    let stats = repo::registry::stats(db, scope).await?;
    let names = region_names(db, scope.area_prefix()).await?;
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

    // The clue funnel by channel.
    let mut funnel = Vec::new();
    for ch in Channel::all() {
        let mut per_state = BTreeMap::new();
        for l in Lifecycle::all() {
            let n = count(
                db,
                scope,
                CaseQuery {
                    lifecycle: Some(*l),
                    channel: Some(*ch),
                    ..Default::default()
                },
            )
            .await?;
            per_state.insert(l.code(), n);
        }
        let get = |l: Lifecycle| per_state.get(l.code()).copied().unwrap_or(0);
        let enrolled =
            get(Lifecycle::Monitored) + get(Lifecycle::Eliminated) + get(Lifecycle::Deferred);
        let identified = enrolled + get(Lifecycle::Identifying) + get(Lifecycle::NotIncluded);
        funnel.push(FunnelFigure {
            channel: ch.code(),
            label_zh: ch.label_zh(),
            clues: identified + get(Lifecycle::Clue),
            identified,
            enrolled,
        });
    }

    // Overdue follow-ups of the last due month, by village.
    let today = shouwang_app::today();
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

    // Exits this quarter.
    let quarter = Quarter::of(today);
    let mut eliminated = 0;
    let mut page = 1;
    loop {
        let p = repo::cases::list(
            db,
            scope,
            &CaseQuery {
                lifecycle: Some(Lifecycle::Eliminated),
                ..Default::default()
            },
            page,
            500,
        )
        .await?;
        eliminated += p
            .items
            .iter()
            .filter(|r| {
                r.eliminated_on
                    .is_some_and(|d| d >= quarter.first_day() && d <= quarter.last_day())
            })
            .count() as u64;
        if p.items.len() < 500 {
            break;
        }
        page += 1;
    }
    let deferred = count(
        db,
        scope,
        CaseQuery {
            lifecycle: Some(Lifecycle::Deferred),
            ..Default::default()
        },
    )
    .await?;

    // Targets of plan §二 that can be computed.
    let monitored = count(
        db,
        scope,
        CaseQuery {
            lifecycle: Some(Lifecycle::Monitored),
            ..Default::default()
        },
    )
    .await?
        + deferred;
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
    })
}

async fn build(state: &AppState, user: &CurrentUser) -> Result<Response, AppError> {
    let i18n = user.i18n();
    let caller = Caller {
        user_id: user.user_id,
        name: user.display_name.clone(),
        scope: user.scope.clone(),
    };
    let f = figures(&state.db, &caller).await?;
    let bars = |rows: &[Figure]| -> Vec<Bar> {
        rows.iter()
            .map(|r| Bar {
                label: r.label_zh.clone(),
                value: r.value,
            })
            .collect()
    };
    let by_type = f
        .by_type
        .iter()
        .map(|r| Bar {
            label: MonitoredType::from_code(&r.code)
                .map(|t| i18n.label(&t).to_string())
                .unwrap_or_else(|| i18n.t("dash.unset").to_string()),
            value: r.value,
        })
        .collect();
    let by_risk = f
        .by_risk
        .iter()
        .map(|r| Bar {
            label: RiskType::from_code(&r.code)
                .map(|t| i18n.label(&t).to_string())
                .unwrap_or_else(|| r.code.clone()),
            value: r.value,
        })
        .collect();
    let by_village = bars(&f.by_village);
    let overdue_rows = bars(&f.overdue_by_village);
    let funnel: Vec<FunnelRow> = f
        .funnel
        .iter()
        .map(|x| FunnelRow {
            channel: Channel::from_code(x.channel)
                .map(|c| i18n.label(&c))
                .unwrap_or(x.label_zh),
            clues: x.clues,
            identified: x.identified,
            enrolled: x.enrolled,
        })
        .collect();
    let funnel_chart = json!({
        "grid": {"left": 8, "right": 16, "top": 32, "bottom": 8, "containLabel": true},
        "tooltip": {"trigger": "axis"},
        "legend": {"top": 0},
        "xAxis": {"type": "category", "data": funnel.iter().map(|f| f.channel).collect::<Vec<_>>()},
        "yAxis": {"type": "value", "minInterval": 1},
        "series": [
            {"name": i18n.t("dash.funnel.clues"), "type": "bar", "data": funnel.iter().map(|f| f.clues).collect::<Vec<_>>(), "itemStyle": {"color": "#c9a227"}},
            {"name": i18n.t("dash.funnel.identified"), "type": "bar", "data": funnel.iter().map(|f| f.identified).collect::<Vec<_>>(), "itemStyle": {"color": "#0b5cad"}},
            {"name": i18n.t("dash.funnel.enrolled"), "type": "bar", "data": funnel.iter().map(|f| f.enrolled).collect::<Vec<_>>(), "itemStyle": {"color": "#a61b1b"}},
        ],
        "animation": false,
    })
    .to_string();
    let (monitored, without) = (f.monitored, f.without_cadre);
    let coverage = f.cadre_coverage_pct;
    let mut targets = vec![Target {
        name: i18n.t("dash.target.cadre"),
        goal: "100%",
        value: format!(
            "{coverage:.1}%（{}/{}）",
            monitored.saturating_sub(without),
            monitored
        ),
        met: without == 0,
    }];
    if let [.., a, b] = f.income_by_year.as_slice()
        && a.per_capita_yuan > 0.0
    {
        let (y0, y1, a, b) = (a.year, b.year, a.per_capita_yuan, b.per_capita_yuan);
        let growth = (b / a - 1.0) * 100.0;
        targets.push(Target {
            name: i18n.t("dash.target.income"),
            goal: "≥ +10%",
            value: format!("{y1} {b:.0} / {y0} {a:.0}：{growth:+.1}%"),
            met: growth >= 10.0,
        });
    }
    let quarter = Quarter::of(shouwang_app::today());

    let charts = vec![
        bar_chart("by-type", i18n.t("dash.by_type"), by_type, true),
        bar_chart("by-risk", i18n.t("dash.by_risk"), by_risk, true),
        bar_chart("by-village", i18n.t("dash.by_village"), by_village, true),
        bar_chart("overdue", i18n.t("dash.overdue"), overdue_rows, true),
    ];
    Ok(render(
        &DashboardPage {
            i18n,
            user,
            charts,
            funnel,
            funnel_chart,
            targets,
            quarter: match user.lang {
                crate::i18n::Lang::Zh => quarter.label_zh(),
                crate::i18n::Lang::En => format!(
                    "{} Q{}",
                    quarter.first_day().format("%Y"),
                    quarter
                        .first_day()
                        .format("%m")
                        .to_string()
                        .parse::<u32>()
                        .unwrap_or(1)
                        .div_ceil(3)
                ),
            },
            eliminated: f.eliminated_this_quarter,
            deferred: f.deferred,
            path: "/dashboard",
        },
        user.lang,
    ))
}
