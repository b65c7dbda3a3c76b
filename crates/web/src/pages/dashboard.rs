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
//!   households (target 100 %) and rural per-capita net income against last year (target +10 %);
//! - the registers' figures: relocation, labour, workshops, grids, the 村容村貌 indicators against their
//!   targets (§四(五)) and the 三保障 and water problems by sector (§三(四)).

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde_json::json;
use shouwang_app::Caller;
use shouwang_app::dashboard::{self, Figure};
use shouwang_core::CodeList;
use shouwang_core::codes::{MonitoredType, RiskType};
use shouwang_core::monitoring::{Channel, Quarter};

use crate::AppState;
use crate::auth::CurrentUser;
use crate::http::error::AppError;
use crate::http::i18n::I18n;
use crate::http::render::render;

const ECHARTS: &str = include_str!("../../assets/vendor/echarts-5.6.0/echarts.min.js");
const DASHBOARD_JS: &str = include_str!("../../assets/dashboard.js");

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
    pub goal: String,
    pub value: String,
    pub met: bool,
}

/// A sector's problems (问题整改) by state.
pub struct ProblemRow {
    pub sector: &'static str,
    pub open: usize,
    pub rectifying: usize,
    pub closed: usize,
    pub overdue: usize,
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
    /// 三保障和饮水安全问题 by sector.
    problems: Vec<ProblemRow>,
    /// The year of the 村容村貌 indicators and the villages: all, 未填报, 待审核, 已审核.
    indicators_year: i32,
    indicator_states: (usize, usize, usize, usize),
    eliminated: u64,
    deferred: u64,
    path: &'static str,
}

/// GET /dashboard
pub async fn dashboard(State(state): State<AppState>, user: CurrentUser) -> Response {
    match build(&state, &user).await {
        Ok(r) => r,
        Err(e) => e.into_response(),
    }
}

async fn build(state: &AppState, user: &CurrentUser) -> Result<Response, AppError> {
    let i18n = user.i18n();
    let caller = Caller {
        user_id: user.user_id,
        name: user.display_name.clone(),
        scope: user.scope.clone(),
    };
    let f = dashboard::figures(&state.db, &caller).await?;
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
        goal: "100%".into(),
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
            goal: "≥ +10%".into(),
            value: format!("{y1} {b:.0} / {y0} {a:.0}：{growth:+.1}%"),
            met: growth >= 10.0,
        });
    }
    let r = &f.relocation;
    if r.with_labour > 0 {
        targets.push(Target {
            name: i18n.t("dash.target.relocation"),
            goal: "100%".into(),
            value: format!("{:.1}%（{}/{}）", r.rate_percent, r.met, r.with_labour),
            met: r.missing == 0,
        });
    }
    let l = &f.labour.trend;
    if l.this_year > 0 || l.last_year > 0 {
        targets.push(Target {
            name: i18n.t("dash.target.labour"),
            goal: i18n.t("dash.target.labour.goal").into(),
            value: format!("{}：{}（{}）", f.labour.month, l.this_year, l.last_year),
            met: l.stable_or_growing(),
        });
    }
    let w = &f.workshops;
    if w.operating > 0 {
        targets.push(Target {
            name: i18n.t("dash.target.workshops"),
            goal: i18n.t("dash.target.workshops.goal").into(),
            value: match user.lang {
                crate::http::i18n::Lang::Zh => format!(
                    "在营{}个，岗位{}个，吸纳就业{}人（脱贫户、监测户劳动力{}人）",
                    w.operating, w.jobs, w.workers, w.targets
                ),
                crate::http::i18n::Lang::En => format!(
                    "{} operating, {} jobs, {} workers ({} of alleviated or monitored households)",
                    w.operating, w.jobs, w.workers, w.targets
                ),
            },
            met: w.targets > 0,
        });
    }
    let g = &f.grids;
    if g.with_grid > 0 {
        targets.push(Target {
            name: i18n.t("dash.target.grids"),
            goal: "100%".into(),
            value: format!(
                "{:.1}%（{}/{}）",
                g.pct.unwrap_or(0.0),
                g.with_grid,
                g.households
            ),
            met: g.with_grid == g.households,
        });
    }
    // 村容村貌 (§四(五)): each rate against the county's target; no data is said, never 0 %.
    let b = &f.indicators;
    for r in &b.rates {
        targets.push(Target {
            name: i18n.label(&r.indicator),
            goal: format!("≥ {}%", r.target_pct),
            value: match r.pct {
                Some(pct) => format!("{pct:.1}%（{}/{}）", r.part, r.whole),
                None => i18n.t("dash.no_data.indicators").to_owned(),
            },
            met: r.gap_pct == Some(0.0),
        });
    }
    let problems: Vec<ProblemRow> = f
        .problems
        .iter()
        .map(|c| ProblemRow {
            sector: shouwang_core::codes::Guarantee::from_code(&c.sector)
                .map(|g| i18n.label(&g))
                .unwrap_or_default(),
            open: c.open,
            rectifying: c.rectifying,
            closed: c.closed,
            overdue: c.overdue,
        })
        .collect();
    let indicators_year = b.year;
    let indicator_states = (b.villages, b.missing, b.to_check, b.checked);
    // 光伏收益分配到村率 (§四(二)4): distributed to villages / income of the year so far.
    let p = &f.pv;
    targets.push(Target {
        name: i18n.t("dash.target.pv"),
        goal: format!("≥ {}%", p.target_pct),
        value: if p.has_data {
            match user.lang {
                crate::http::i18n::Lang::Zh => format!(
                    "{}（{}年分配到村{}元 / 发电收益{}元{}）",
                    p.rate.percent_text(),
                    p.year,
                    p.rate.distributed,
                    p.rate.income,
                    if p.rate.gap.is_zero() {
                        String::new()
                    } else {
                        format!("，差{}元", p.rate.gap)
                    }
                ),
                crate::http::i18n::Lang::En => format!(
                    "{} ({}: {} yuan distributed of {} yuan income; gap {} yuan)",
                    p.rate.percent_text(),
                    p.year,
                    p.rate.distributed,
                    p.rate.income,
                    p.rate.gap
                ),
            }
        } else {
            i18n.t("dash.target.pv.none").to_owned()
        },
        met: p.rate.met,
    });
    let grid_rows: Vec<Bar> = g
        .villages
        .iter()
        .filter(|v| v.with_grid > 0)
        .take(30)
        .map(|v| Bar {
            label: format!("{} {:.1}%", v.name, v.pct.unwrap_or(0.0)),
            value: u64::try_from(v.with_grid).unwrap_or(0),
        })
        .collect();
    let quarter = Quarter::of(shouwang_app::today());

    let mut charts = vec![
        bar_chart("by-type", i18n.t("dash.by_type"), by_type, true),
        bar_chart("by-risk", i18n.t("dash.by_risk"), by_risk, true),
        bar_chart("by-village", i18n.t("dash.by_village"), by_village, true),
        bar_chart("overdue", i18n.t("dash.overdue"), overdue_rows, true),
    ];
    if !grid_rows.is_empty() {
        charts.push(bar_chart("grids", i18n.t("dash.grids"), grid_rows, true));
    }
    Ok(render(&DashboardPage {
        i18n,
        user,
        charts,
        funnel,
        funnel_chart,
        targets,
        quarter: match user.lang {
            crate::http::i18n::Lang::Zh => quarter.label_zh(),
            crate::http::i18n::Lang::En => format!(
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
        problems,
        indicators_year,
        indicator_states,
        eliminated: f.eliminated_this_quarter,
        deferred: f.deferred,
        path: "/dashboard",
    }))
}
