//! The lifecycle pages (监测帮扶): every form sends a [`Command`] through the store's command layer
//! (`shouwang_app::lifecycle::execute`), the same the JSON API and the CLI use, so the rules, the
//! server-side facts, the version check and the audit row are the store's and the core's, not the page's.
//!
//! - `GET /clues/new?channel=…&household=…`, `POST /clues` — 登记线索 for 农户申请, 信访舆情 and 干部排查
//!   (部门筛查 clues come from the department upload);
//! - `POST /households/{n}/case/start` — 启动识别;
//! - `POST /households/{n}/case/review` — 乡镇审核, 县级审定 (with 监测对象类别 and 风险类型), 纳入监测;
//! - `GET|POST /households/{n}/case/cadre` — 确定帮扶责任人;
//! - `GET|POST /households/{n}/case/plan` — 制定帮扶措施 with the decision table's recommendations;
//! - `GET|POST /households/{n}/case/follow-up` — 逐月跟踪监测, one phone screen per household and month;
//! - `GET /households/{n}/notice` — the printable 退出告知书.
//!
//! A refused command (role, area, order, bad input, stale version) shows the error page with the
//! reason in the page language; nothing is written.

use askama::Template;
use axum::Form;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::response::IntoResponse;
use axum::response::Response;
use axum::routing::{get, post};
use chrono::NaiveDate;
use serde::Deserialize;
use shouwang_app::Caller;
use shouwang_app::lifecycle::{self, Request};
use shouwang_core::CodeList;
use shouwang_core::access::Role;
use shouwang_core::codes::{CodeOverrides, MeasureClass, MonitoredType, RiskType};
use shouwang_core::money::Fen;
use shouwang_core::monitoring::clue::ApplicationMeans;
use shouwang_core::monitoring::identification::Outcome;
use shouwang_core::monitoring::{
    CadreLevel, Channel, Command, Decision, FollowUp, IdentAction, IdentStep, MeasurePlan, Report,
    Source, YearMonth,
};
use shouwang_store::repo;
use shouwang_store::repo::cases::CaseRecord;

use crate::AppState;
use crate::auth::{CurrentUser, check_csrf};
use crate::error::AppError;
use crate::i18n::I18n;
use crate::page::{clean, encode, render, see_other};

/// The routes of this module.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/clues/new", get(clue_form))
        .route("/clues", post(clue_submit))
        .route("/households/{number}/case/start", post(start))
        .route("/households/{number}/case/review", post(review))
        .route(
            "/households/{number}/case/cadre",
            get(cadre_form).post(cadre_submit),
        )
        .route(
            "/households/{number}/case/plan",
            get(plan_form).post(plan_submit),
        )
        .route(
            "/households/{number}/case/follow-up",
            get(follow_up_form).post(follow_up_submit),
        )
        .route("/households/{number}/notice", get(notice))
}

/// Form fields as pairs (check boxes repeat a name).
pub(crate) struct Fields(pub(crate) Vec<(String, String)>);

impl Fields {
    pub(crate) fn get(&self, name: &str) -> String {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| clean(v, 500))
            .unwrap_or_default()
    }
    pub(crate) fn all(&self, name: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| clean(v, 64))
            .collect()
    }
    pub(crate) fn date(&self, name: &str) -> Option<NaiveDate> {
        NaiveDate::parse_from_str(&self.get(name), "%Y-%m-%d").ok()
    }
    pub(crate) fn yes(&self, name: &str) -> bool {
        self.get(name) == "1"
    }
}

pub(crate) fn caller(user: &CurrentUser) -> Caller {
    Caller {
        user_id: user.user_id,
        name: user.display_name.clone(),
        scope: user.scope.clone(),
    }
}

fn bad(zh: &str, en: &str) -> AppError {
    AppError::bad_request("bad_request", zh.to_string(), en.to_string())
}

fn household_path(number: &str) -> String {
    format!("/households/{}", encode(number))
}

/// Runs a command and sends the user back to the household page.
async fn run(
    state: &AppState,
    user: &CurrentUser,
    number: &str,
    version: Option<i64>,
    on: Option<NaiveDate>,
    command: Command,
) -> Response {
    let req = Request {
        household: number.to_string(),
        version,
        on,
        command,
    };
    match lifecycle::execute(&state.db, &caller(user), req).await {
        Ok(_) => see_other(&format!("{}?done=1", household_path(number))),
        Err(e) => AppError::from(e).into_response(),
    }
}

/// The household's current case in the user's area (404 otherwise).
async fn case_of(
    state: &AppState,
    user: &CurrentUser,
    number: &str,
) -> Result<CaseRecord, AppError> {
    repo::cases::get(&state.db, &user.scope, number)
        .await?
        .ok_or(AppError::not_found())
}

fn version_of(f: &Fields) -> Option<i64> {
    f.get("version").parse().ok()
}

pub struct Choice {
    pub value: String,
    pub label: String,
    pub checked: bool,
}

/// The choices of a code list for a form: the county's labels (本县显示名称), without the codes the county
/// disabled (停用) unless one is `checked` (an existing value stays shown).
pub fn choices<C: CodeList + PartialEq>(
    i18n: I18n,
    codes: &CodeOverrides,
    checked: &[C],
) -> Vec<Choice> {
    codes
        .choices(checked)
        .iter()
        .map(|c| Choice {
            value: c.code().to_string(),
            label: code_label(i18n, codes, c),
            checked: checked.iter().any(|x| x.code() == c.code()),
        })
        .collect()
}

/// A code's label in the page language, the county's where it set one.
pub fn code_label<C: CodeList>(i18n: I18n, codes: &CodeOverrides, c: &C) -> String {
    i18n.lang
        .pick(
            codes.label(c, shouwang_core::codes::Lang::Zh),
            codes.label(c, shouwang_core::codes::Lang::En),
        )
        .to_string()
}

fn risks_of(f: &Fields) -> Vec<RiskType> {
    f.all("risk")
        .iter()
        .filter_map(|c| RiskType::from_code(c))
        .collect()
}

// ---------------------------------------------------------------------------------------------------
// 登记线索.

#[derive(Deserialize, Default)]
pub struct ClueQuery {
    channel: Option<String>,
    household: Option<String>,
}

#[derive(Template)]
#[template(path = "clue_form.html")]
struct ClueForm<'a> {
    i18n: I18n,
    user: &'a CurrentUser,
    channel: &'static str,
    channel_label: &'static str,
    channels: Vec<Choice>,
    household: String,
    risks: Vec<Choice>,
    today: String,
    path: &'static str,
}

/// The channels a role may record on this page (部门筛查 comes from the upload).
pub fn page_channels(role: Role) -> Vec<Channel> {
    [
        Channel::Application,
        Channel::Petition,
        Channel::CadreScreening,
    ]
    .into_iter()
    .filter(|c| c.roles().contains(&role))
    .collect()
}

/// GET /clues/new
pub async fn clue_form(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<ClueQuery>,
) -> Response {
    let i18n = user.i18n();
    let codes = match crate::codes_page::county_codes(&state, &user).await {
        Ok(c) => c,
        Err(e) => return e.into_response(),
    };
    let allowed = page_channels(user.scope.role);
    let Some(first) = allowed.first().copied() else {
        return AppError::forbidden().into_response();
    };
    let channel = q
        .channel
        .as_deref()
        .and_then(Channel::from_code)
        .filter(|c| allowed.contains(c))
        .unwrap_or(first);
    render(&ClueForm {
        i18n,
        user: &user,
        channel: channel.code(),
        channel_label: i18n.label(&channel),
        channels: allowed
            .iter()
            .map(|c| Choice {
                value: c.code().to_string(),
                label: i18n.label(c).to_string(),
                checked: *c == channel,
            })
            .collect(),
        household: q.household.map(|h| clean(&h, 64)).unwrap_or_default(),
        risks: choices::<RiskType>(i18n, &codes, &[]),
        today: shouwang_app::today().to_string(),
        path: "/clues/new",
    })
}

/// POST /clues
pub async fn clue_submit(
    State(state): State<AppState>,
    user: CurrentUser,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    let f = Fields(pairs);
    if let Err(e) = check_csrf(&user, &f.get("csrf")) {
        return e.into_response();
    }
    let number = f.get("household");
    let source = match Channel::from_code(&f.get("channel")) {
        Some(Channel::Application) => Source::Application {
            applicant: f.get("applicant"),
            stated_cause: f.get("stated_cause"),
            means: ApplicationMeans::from_code(&f.get("means"))
                .unwrap_or(ApplicationMeans::Written),
        },
        Some(Channel::Petition) => Source::Petition {
            petition_number: f.get("petition_number"),
        },
        Some(Channel::CadreScreening) => Source::CadreScreening {
            round: f.get("round"),
        },
        _ => return bad("请选择线索来源", "Choose the channel").into_response(),
    };
    let Some(reported_on) = f.date("reported_on") else {
        return bad("请填写发现日期", "The report date is required").into_response();
    };
    let report = Report {
        household: number.clone(),
        source,
        risks: risks_of(&f),
        reporter: f.get("reporter"),
        reported_on,
    };
    run(
        &state,
        &user,
        &number,
        None,
        f.date("on").or(Some(reported_on)),
        Command::Report { report },
    )
    .await
}

// ---------------------------------------------------------------------------------------------------
// 启动识别 and the approval steps.

/// POST /households/{n}/case/start
pub async fn start(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(number): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    let f = Fields(pairs);
    if let Err(e) = check_csrf(&user, &f.get("csrf")) {
        return e.into_response();
    }
    run(
        &state,
        &user,
        &number,
        version_of(&f),
        f.date("on"),
        Command::StartIdentification,
    )
    .await
}

/// POST /households/{n}/case/review — the next of 乡镇审核, 县级审定, 纳入监测 (`step`), passed or not.
pub async fn review(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(number): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    let f = Fields(pairs);
    if let Err(e) = check_csrf(&user, &f.get("csrf")) {
        return e.into_response();
    }
    let decision = if f.get("result") == "fail" {
        Decision::fail(f.get("opinion"))
    } else {
        Decision::pass(f.get("opinion"))
    };
    let action = match IdentStep::from_code(&f.get("step")) {
        Some(IdentStep::TownshipReview) => IdentAction::TownshipReview { decision },
        Some(IdentStep::CountyApproval) => {
            let outcome = decision.result.passed().then(|| Outcome {
                monitored_type: MonitoredType::from_code(&f.get("monitored_type"))
                    .unwrap_or(MonitoredType::all()[0]),
                risks: risks_of(&f),
            });
            IdentAction::CountyApproval { decision, outcome }
        }
        Some(IdentStep::Enrolment) => IdentAction::Enrol {
            opinion: f.get("opinion"),
        },
        _ => return bad("该步骤不能在此办理", "This step is not taken here").into_response(),
    };
    run(
        &state,
        &user,
        &number,
        version_of(&f),
        f.date("on"),
        Command::Identify { action },
    )
    .await
}

// ---------------------------------------------------------------------------------------------------
// 确定帮扶责任人.

#[derive(Template)]
#[template(path = "case_cadre.html")]
struct CadrePage<'a> {
    i18n: I18n,
    user: &'a CurrentUser,
    number: String,
    version: i64,
    current: String,
    cadres: Vec<Choice>,
    levels: Vec<Choice>,
    today: String,
    path: String,
}

/// GET /households/{n}/case/cadre
pub async fn cadre_form(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(number): Path<String>,
) -> Response {
    let i18n = user.i18n();
    let rec = match case_of(&state, &user, &number).await {
        Ok(r) => r,
        Err(e) => return e.into_response(),
    };
    let users = match repo::users::list(&state.db, &user.scope).await {
        Ok(u) => u,
        Err(e) => return AppError::from(e).into_response(),
    };
    // Active accounts whose area covers the household's village.
    let cadres = users
        .into_iter()
        .filter(|u| u.is_active && u.scope.covers(&rec.village_code))
        .filter(|u| {
            matches!(
                u.scope.role,
                Role::Cadre | Role::VillageTeam | Role::TownshipAdmin
            )
        })
        .map(|u| Choice {
            value: u.id.to_string(),
            label: format!("{}（{}）", u.display_name, i18n.label(&u.scope.role)),
            checked: false,
        })
        .collect();
    render(&CadrePage {
        i18n,
        user: &user,
        current: rec
            .case
            .cadres
            .current()
            .map(|a| a.cadre.name.clone())
            .unwrap_or_default(),
        number: rec.household_number.clone(),
        version: rec.version,
        cadres,
        levels: choices::<CadreLevel>(i18n, &CodeOverrides::new(), &[]),
        today: shouwang_app::today().to_string(),
        path: format!("{}/case/cadre", household_path(&number)),
    })
}

/// POST /households/{n}/case/cadre
pub async fn cadre_submit(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(number): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    let f = Fields(pairs);
    if let Err(e) = check_csrf(&user, &f.get("csrf")) {
        return e.into_response();
    }
    let Ok(cadre_user_id) = f.get("cadre").parse::<i64>() else {
        return bad("请选择帮扶责任人", "Choose the cadre").into_response();
    };
    let level = CadreLevel::from_code(&f.get("level")).unwrap_or(CadreLevel::Village);
    let phone = Some(f.get("phone")).filter(|p| !p.is_empty());
    let reason = f.get("reason");
    let action = if f.get("mode") == "reassign" {
        shouwang_core::monitoring::command::CadreCommand::Reassign {
            cadre_user_id,
            level,
            unit: f.get("unit"),
            phone,
            reason,
        }
    } else {
        shouwang_core::monitoring::command::CadreCommand::Assign {
            cadre_user_id,
            level,
            unit: f.get("unit"),
            phone,
        }
    };
    run(
        &state,
        &user,
        &number,
        version_of(&f),
        f.date("on"),
        Command::Cadre { action },
    )
    .await
}

// ---------------------------------------------------------------------------------------------------
// 制定帮扶措施.

pub struct RecommendationView {
    pub class: String,
    pub label: String,
    pub because: String,
}

#[derive(Template)]
#[template(path = "case_plan.html")]
struct PlanPage<'a> {
    i18n: I18n,
    user: &'a CurrentUser,
    number: String,
    version: i64,
    recommendations: Vec<RecommendationView>,
    classes: Vec<Choice>,
    today: String,
    path: String,
}

/// GET /households/{n}/case/plan
pub async fn plan_form(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(number): Path<String>,
) -> Response {
    let i18n = user.i18n();
    let rec = match case_of(&state, &user, &number).await {
        Ok(r) => r,
        Err(e) => return e.into_response(),
    };
    let advice =
        match lifecycle::recommendations(&state.db, &user.scope, &number, false, false).await {
            Ok(a) => a,
            Err(e) => return AppError::from(e).into_response(),
        };
    let recommended: Vec<MeasureClass> = advice.recommendations.iter().map(|r| r.class).collect();
    let codes = match crate::codes_page::county_codes(&state, &user).await {
        Ok(c) => c,
        Err(e) => return e.into_response(),
    };
    let recommendations = advice
        .recommendations
        .iter()
        .map(|r| RecommendationView {
            class: r.class.code().to_string(),
            label: code_label(i18n, &codes, &r.class),
            because: r
                .because
                .iter()
                .map(|b| i18n.label(b))
                .collect::<Vec<_>>()
                .join("；"),
        })
        .collect();
    render(&PlanPage {
        i18n,
        user: &user,
        number: rec.household_number.clone(),
        version: rec.version,
        recommendations,
        classes: choices::<MeasureClass>(i18n, &codes, &recommended[..recommended.len().min(1)]),
        today: shouwang_app::today().to_string(),
        path: format!("{}/case/plan", household_path(&number)),
    })
}

/// POST /households/{n}/case/plan
pub async fn plan_submit(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(number): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    let f = Fields(pairs);
    if let Err(e) = check_csrf(&user, &f.get("csrf")) {
        return e.into_response();
    }
    let Some(class) = MeasureClass::from_code(&f.get("class")) else {
        return bad("请选择措施类别", "Choose the measure class").into_response();
    };
    let Some(planned_on) = f.date("planned_on") else {
        return bad("请填写计划完成日期", "The planned date is required").into_response();
    };
    let amount_text = f.get("amount");
    let amount = if amount_text.is_empty() {
        Fen::ZERO
    } else {
        match Fen::parse_yuan(&amount_text) {
            Ok(a) => a,
            Err(_) => {
                return bad(
                    "金额格式不正确（如 5000 或 5000.50）",
                    "Amount: e.g. 5000 or 5000.50",
                )
                .into_response();
            }
        }
    };
    let plan = MeasurePlan {
        class,
        item: f.get("item"),
        planned_on,
        responsible_unit: f.get("unit"),
        amount,
    };
    run(
        &state,
        &user,
        &number,
        version_of(&f),
        f.date("on"),
        Command::PlanMeasure { plan },
    )
    .await
}

// ---------------------------------------------------------------------------------------------------
// 逐月跟踪监测.

#[derive(Deserialize, Default)]
pub struct MonthQuery {
    month: Option<String>,
}

#[derive(Template)]
#[template(path = "case_follow_up.html")]
struct FollowUpPage<'a> {
    i18n: I18n,
    user: &'a CurrentUser,
    number: String,
    head: String,
    version: i64,
    month: String,
    month_label: String,
    recorded: bool,
    today: String,
    questions: [(&'static str, &'static str); 4],
    path: String,
}

/// GET /households/{n}/case/follow-up?month=YYYY-MM
pub async fn follow_up_form(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(number): Path<String>,
    Query(q): Query<MonthQuery>,
) -> Response {
    let i18n = user.i18n();
    let rec = match case_of(&state, &user, &number).await {
        Ok(r) => r,
        Err(e) => return e.into_response(),
    };
    let today = shouwang_app::today();
    let month = q
        .month
        .as_deref()
        .and_then(YearMonth::parse)
        .unwrap_or_else(|| YearMonth::of(today));
    let head = match repo::households::get(&state.db, &user.scope, &number).await {
        Ok(Some(d)) => d
            .household
            .head()
            .map(|m| m.name.clone())
            .unwrap_or_default(),
        Ok(None) => return AppError::not_found().into_response(),
        Err(e) => return AppError::from(e).into_response(),
    };
    render(&FollowUpPage {
        i18n,
        user: &user,
        recorded: rec.case.follow_ups.month(month).is_some(),
        number: rec.household_number.clone(),
        head,
        version: rec.version,
        month: month.to_string(),
        month_label: match user.lang {
            crate::i18n::Lang::Zh => month.label_zh(),
            crate::i18n::Lang::En => month.to_string(),
        },
        today: today.to_string(),
        questions: [
            ("measures", "fu.q1"),
            ("policies", "fu.q2"),
            ("standards", "fu.q3"),
            ("approves", "fu.q4"),
        ],
        path: format!("{}/case/follow-up", household_path(&number)),
    })
}

/// POST /households/{n}/case/follow-up
pub async fn follow_up_submit(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(number): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    let f = Fields(pairs);
    if let Err(e) = check_csrf(&user, &f.get("csrf")) {
        return e.into_response();
    }
    let Some(month) = YearMonth::parse(&f.get("month")) else {
        return bad("月份格式不正确", "Bad month").into_response();
    };
    let Some(visited_on) = f.date("visited_on") else {
        return bad("请填写走访日期", "The visit date is required").into_response();
    };
    let Ok(income) = Fen::parse_yuan(&f.get("income")) else {
        return bad(
            "请填写预计人均纯收入（元）",
            "The estimated per-capita income (yuan) is required",
        )
        .into_response();
    };
    let visit = FollowUp {
        month,
        visited_on,
        measures_carried_out: f.yes("measures"),
        policies_received: f.yes("policies"),
        standards_secure: f.yes("standards"),
        household_approves: f.yes("approves"),
        per_capita_income_estimate: income,
        notes: f.get("notes"),
    };
    run(
        &state,
        &user,
        &number,
        version_of(&f),
        Some(visited_on),
        Command::FollowUp { visit },
    )
    .await
}

// ---------------------------------------------------------------------------------------------------
// 退出告知书.

#[derive(Template)]
#[template(path = "notice.html")]
struct NoticePage {
    i18n: I18n,
    number: String,
    title: String,
    doc_number: String,
    salutation: String,
    body: Vec<String>,
    issuer: String,
    date: String,
}

/// GET /households/{n}/notice — the latest exit notice, ready to print.
pub async fn notice(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(number): Path<String>,
) -> Response {
    let view = match lifecycle::notice(&state.db, &user.scope, &number).await {
        Ok(v) => v,
        Err(e) => return AppError::from(e).into_response(),
    };
    let t = view.text;
    render(&NoticePage {
        i18n: user.i18n(),
        number: number.clone(),
        title: t.title,
        doc_number: t.number,
        salutation: t.salutation,
        body: t.body,
        issuer: t.issuer,
        date: t.date,
    })
}
