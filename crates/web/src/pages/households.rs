//! The registry pages (农户信息): search with paging, and one household's page
//! with its members (ID numbers masked) and income by year with the
//! per-capita figure and its monitoring-line status (§三(一)1).

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::IntoResponse;
use axum::response::Response;
use serde::Deserialize;
use shouwang_app::income::IncomeSheet;
use shouwang_core::CodeList;
use shouwang_core::access::Role;
use shouwang_core::codes::{CodeOverrides, HouseholdType, RiskType};
use shouwang_core::household::Member;
use shouwang_core::line::LineStatus;
use shouwang_core::money::Fen;
use shouwang_core::monitoring::{Case, Lifecycle};
use shouwang_store::repo;
use shouwang_store::repo::households::{HouseholdQuery, HouseholdRow};
use shouwang_store::repo::registry::RegistryQuery;

use crate::AppState;
use crate::auth::{CurrentUser, check_csrf};
use crate::http::error::AppError;
use crate::http::form::{clean, encode, opt, page_number};
use crate::http::i18n::I18n;
use crate::http::render::render;
use crate::pages::regions::region_options;

pub mod changes;

/// Rows per page of the search.
pub const PER_PAGE: u32 = 20;

#[derive(Deserialize, Default)]
pub struct ListQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    village: Option<String>,
    #[serde(default, rename = "type")]
    household_type: Option<String>,
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    risk: Option<String>,
    #[serde(default)]
    page: Option<String>,
}

/// One row of the search result, ready to show.
pub struct RowView {
    pub number: String,
    pub head_name: String,
    pub head_id: String,
    pub village_name: String,
    pub size: u32,
    pub household_type: &'static str,
    pub monitored: &'static str,
    pub status: &'static str,
}

/// An option of a filter `<select>`.
pub struct FilterOption {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

#[derive(Template)]
#[template(path = "households/list.html")]
struct ListPage<'a> {
    i18n: I18n,
    user: &'a CurrentUser,
    q: &'a str,
    query_string: String,
    villages: Vec<FilterOption>,
    types: Vec<FilterOption>,
    statuses: Vec<FilterOption>,
    risks: Vec<FilterOption>,
    filtered: bool,
    rows: Vec<RowView>,
    total: u64,
    page: u32,
    pages: u32,
    path: &'a str,
}

/// A search row; the head's ID number is always masked on the list.
fn row_view(r: HouseholdRow, i18n: I18n, status: Option<Lifecycle>) -> RowView {
    RowView {
        head_id: r.head_id.masked(),
        number: r.number,
        head_name: r.head_name,
        village_name: r.village_name,
        size: r.size,
        household_type: i18n.label(&r.household_type),
        monitored: r.monitored_type.map(|m| i18n.label(&m)).unwrap_or(""),
        status: status.map(|l| i18n.label(&l)).unwrap_or(""),
    }
}

/// The options of a filter select over every code of `all`, `chosen` selected (the lists without county
/// overrides: the registers' categories, task states, project states …).
pub(crate) fn code_options<T: CodeList>(
    all: &[T],
    chosen: Option<&str>,
    i18n: I18n,
) -> Vec<FilterOption> {
    all.iter()
        .map(|c| FilterOption {
            value: c.code().to_owned(),
            label: i18n.label(c).to_owned(),
            selected: chosen == Some(c.code()),
        })
        .collect()
}

/// The options of a filter select: the county's labels, without disabled codes unless selected.
fn options<C: CodeList + PartialEq>(
    i18n: I18n,
    codes: &CodeOverrides,
    selected: Option<C>,
) -> Vec<FilterOption> {
    let selected: Vec<C> = selected.into_iter().collect();
    codes
        .choices(&selected)
        .iter()
        .map(|c| FilterOption {
            value: c.code().to_string(),
            label: crate::pages::cases::code_label(i18n, codes, c),
            selected: selected.iter().any(|s| s.code() == c.code()),
        })
        .collect()
}

/// GET /households?q=…&village=…&type=…&status=…&risk=…&page=…
pub async fn list(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(query): Query<ListQuery>,
) -> Response {
    let i18n = user.i18n();
    // A page number that is not a number is treated as page 1, never an error.
    let page = page_number(&query.page);
    // Control characters (a NUL byte, say) cannot be in any name or number; PostgreSQL refuses them in text.
    let q = clean(&query.q, 64);
    let village = opt(&query.village, 20).filter(|v| v.bytes().all(|b| b.is_ascii_digit()));
    let household_type = opt(&query.household_type, 20).and_then(|t| HouseholdType::from_code(&t));
    let status_code = opt(&query.status, 20);
    let lifecycle = match status_code.as_deref() {
        Some("none") => Some(None),
        Some(c) => Lifecycle::from_code(c).map(Some),
        None => None,
    };
    let risk = opt(&query.risk, 20).and_then(|r| RiskType::from_code(&r));
    let rq = RegistryQuery {
        base: HouseholdQuery {
            q: (!q.is_empty()).then(|| q.clone()),
            village: village.clone(),
            household_type,
        },
        lifecycle,
        risk,
    };
    let result = match shouwang_app::households::search(
        &state.db,
        &user.caller(),
        &rq,
        page,
        PER_PAGE,
    )
    .await
    {
        Ok(r) => r,
        Err(e) => return AppError::from(e).into_response(),
    };
    let numbers: Vec<String> = result.items.iter().map(|r| r.number.clone()).collect();
    let states = match repo::registry::lifecycles(&state.db, &user.scope, &numbers).await {
        Ok(s) => s,
        Err(e) => return AppError::from(e).into_response(),
    };
    let regions = match region_options(&state.db, user.scope.area_prefix()).await {
        Ok(r) => r,
        Err(e) => return e.into_response(),
    };
    let codes = match crate::pages::admin::codes::county_codes(&state, &user).await {
        Ok(c) => c,
        Err(e) => return e.into_response(),
    };
    // The list masks every ID number; full numbers are for the household page of roles that may see them.
    let rows = result
        .items
        .into_iter()
        .map(|r| {
            let status = states.get(&r.number).copied();
            row_view(r, i18n, status)
        })
        .collect();
    let pages = result.total.div_ceil(u64::from(PER_PAGE)).max(1) as u32;
    let villages = regions
        .into_iter()
        .filter(|r| r.code.len() > user.scope.area_prefix().len())
        .map(|r| FilterOption {
            selected: village.as_deref() == Some(r.code.as_str()),
            value: r.code,
            label: r.label,
        })
        .collect();
    let mut statuses = vec![FilterOption {
        value: "none".to_string(),
        label: i18n.t("hh.status.none").to_string(),
        selected: lifecycle == Some(None),
    }];
    statuses.extend(options(i18n, &CodeOverrides::new(), lifecycle.flatten()));
    let query_string = [
        ("q", q.as_str()),
        ("village", village.as_deref().unwrap_or("")),
        ("type", household_type.map(|t| t.code()).unwrap_or("")),
        ("status", status_code.as_deref().unwrap_or("")),
        ("risk", risk.map(|r| r.code()).unwrap_or("")),
    ]
    .iter()
    .filter(|(_, v)| !v.is_empty())
    .map(|(k, v)| format!("{k}={}&", encode(v)))
    .collect::<String>();
    let filtered =
        village.is_some() || household_type.is_some() || lifecycle.is_some() || risk.is_some();
    render(&ListPage {
        i18n,
        user: &user,
        q: &q,
        query_string,
        villages,
        types: options(i18n, &codes, household_type),
        statuses,
        risks: options(i18n, &codes, risk),
        filtered,
        rows,
        total: result.total,
        page,
        pages,
        path: "/households",
    })
}

/// One member, ready to show.
pub struct MemberView {
    pub name: String,
    pub relation: String,
    pub id: String,
    pub sex: String,
    /// The exact age for a role that sees full ID numbers, else the birth year (`1989年生`).
    pub age: String,
    pub labour: String,
    pub health: String,
    pub education: String,
    pub school: String,
    pub insured: bool,
    pub dibao: String,
    /// The member's change form (修改), empty when the user may not change the registry.
    pub edit: String,
}

/// One year of income, ready to show.
pub struct IncomeView {
    pub year: i32,
    pub wage: Fen,
    pub business: Fen,
    pub property: Fen,
    pub transfer: Fen,
    pub cost: Fen,
    pub net: Fen,
    pub per_capita: Fen,
    pub line: Option<Fen>,
    pub status: &'static str,
    pub status_class: &'static str,
    pub dropped: bool,
    /// 数据来源.
    pub source: &'static str,
    /// 数据日期.
    pub as_of: String,
    /// 不计入: other sources' figures of the year that differ, each on a row of its own.
    pub not_counted: Vec<NotCountedView>,
}

/// Another source's figures of a year that do not count (不计入), ready to show.
pub struct NotCountedView {
    pub wage: Fen,
    pub business: Fen,
    pub property: Fen,
    pub transfer: Fen,
    pub cost: Fen,
    pub net: Fen,
    pub per_capita: Fen,
    /// 扣除刚性支出后人均纯收入.
    pub after_rigid: Fen,
    /// 数据来源.
    pub source: &'static str,
    /// 数据日期.
    pub as_of: String,
    /// 以最近一次核实记录为准.
    pub reason: String,
}

/// The figures of a year that do not count, ready to show (the household page and the income page).
pub fn not_counted_views(y: &shouwang_app::income::IncomeYear, i18n: I18n) -> Vec<NotCountedView> {
    y.not_counted
        .iter()
        .map(|o| NotCountedView {
            wage: o.record.wage,
            business: o.record.business,
            property: o.record.property,
            transfer: o.record.transfer,
            cost: o.record.production_cost,
            net: o.net_income,
            per_capita: o.per_capita,
            after_rigid: o.record.per_capita_after_rigid(),
            source: i18n.lang.pick(o.source.label_zh(), o.source.label_en()),
            as_of: o.as_of.to_string(),
            reason: i18n.lang.pick(&o.reason_zh, &o.reason_en).to_owned(),
        })
        .collect()
}

/// A clue source, ready to show.
pub struct ClueView {
    pub channel: &'static str,
    pub source: String,
    pub risks: String,
    pub reported_on: String,
    pub reporter: String,
}

/// A measure, ready to show.
pub struct MeasureView {
    /// Position in the case's measures (the progress page's path).
    pub index: usize,
    /// The user may record progress (开始实施, 完成) on it.
    pub progress: bool,
    pub class: &'static str,
    pub item: String,
    pub planned_on: String,
    pub unit: String,
    pub status: &'static str,
}

/// What the user may do next on the household's case (the buttons of the household page).
#[derive(Default)]
pub struct Actions {
    pub version: i64,
    pub record_clue: bool,
    pub start: bool,
    /// The approval step waiting for this role (乡镇审核, 县级审定, 纳入监测), as a code.
    pub review: Option<&'static str>,
    pub review_label: &'static str,
    pub review_county: bool,
    pub review_enrol: bool,
    pub cadre: bool,
    pub plan: bool,
    pub follow_up: bool,
    pub notice: bool,
    /// The village identification step waiting for this role (入户核查 … 公示期满), labelled.
    pub ident: &'static str,
    /// 绿色通道 may be opened by this role.
    pub green: bool,
    /// The exit step waiting for this role (预判提名 … 退出告知), labelled.
    pub exit: &'static str,
    /// Today (the default and the latest date of the forms).
    pub today: String,
    pub risks: Vec<crate::pages::cases::Choice>,
    pub monitored_types: Vec<crate::pages::cases::Choice>,
}

fn actions(
    rec: Option<&shouwang_store::repo::cases::CaseRecord>,
    role: Role,
    i18n: I18n,
    codes: &CodeOverrides,
) -> Actions {
    use shouwang_core::monitoring::identification::START_ROLES;
    use shouwang_core::monitoring::measures::PLAN_ROLES;
    use shouwang_core::monitoring::{IdentStep, cadre::CADRE_ROLES, followup::FOLLOW_UP_ROLES};
    let mut a = Actions {
        record_clue: !crate::pages::cases::page_channels(role).is_empty(),
        today: shouwang_app::today().to_string(),
        ..Default::default()
    };
    let Some(rec) = rec else {
        return a;
    };
    let c = &rec.case;
    let lifecycle = c.lifecycle();
    a.version = rec.version;
    a.start = lifecycle == Lifecycle::Clue && START_ROLES.contains(&role);
    if let Some(step) = c.identification.as_ref().and_then(|i| i.next_step())
        && matches!(
            step,
            IdentStep::TownshipReview | IdentStep::CountyApproval | IdentStep::Enrolment
        )
        && step.roles().contains(&role)
    {
        a.review = Some(step.code());
        a.review_label = i18n.label(&step);
        a.review_county = step == IdentStep::CountyApproval;
        a.review_enrol = step == IdentStep::Enrolment;
        let risks = c.clue_risks();
        a.risks = crate::pages::cases::choices::<RiskType>(i18n, codes, &risks);
        a.monitored_types =
            crate::pages::cases::choices::<shouwang_core::codes::MonitoredType>(i18n, codes, &[]);
    }
    a.cadre = c.assistance_allowed() && CADRE_ROLES.contains(&role);
    a.plan = c.assistance_allowed() && PLAN_ROLES.contains(&role);
    a.follow_up = lifecycle.is_monitored() && FOLLOW_UP_ROLES.contains(&role);
    a.notice = c.exits.iter().any(|e| e.notice().is_some());
    a.ident = crate::pages::cases::steps::ident_step(rec, role)
        .map(|s| i18n.label(&s))
        .unwrap_or("");
    a.green = lifecycle == Lifecycle::Identifying
        && c.identification
            .as_ref()
            .is_some_and(|i| i.green_channel.is_none())
        && shouwang_core::monitoring::identification::GREEN_CHANNEL_ROLES.contains(&role);
    a.exit = crate::pages::cases::steps::exit_step(rec, role)
        .map(|s| i18n.label(&s))
        .unwrap_or("");
    a
}

/// The household's case (监测帮扶档案), ready to show.
pub struct CaseView {
    pub lifecycle: &'static str,
    pub opened_on: String,
    pub clues: Vec<ClueView>,
    pub ident_started: String,
    pub ident_steps: String,
    pub ident_next: &'static str,
    pub monitored_since: String,
    pub cadre: String,
    pub measures: Vec<MeasureView>,
    pub follow_ups: String,
    pub exit: String,
}

fn case_view(c: &Case, i18n: I18n, role: Role) -> CaseView {
    let progress = shouwang_core::monitoring::measures::PROGRESS_ROLES.contains(&role);
    let lifecycle = c.lifecycle();
    let clues = c
        .clues
        .iter()
        .flat_map(|clue| clue.sources.iter())
        .map(|s| ClueView {
            channel: i18n.label(&s.report.source.channel()),
            source: s.report.source.describe_zh(),
            risks: s
                .report
                .risks
                .iter()
                .map(|r| i18n.label(r))
                .collect::<Vec<_>>()
                .join("、"),
            reported_on: s.report.reported_on.to_string(),
            reporter: s.report.reporter.clone(),
        })
        .collect();
    let ident = c.identification.as_ref();
    CaseView {
        lifecycle: i18n.label(&lifecycle),
        opened_on: c.opened_on.to_string(),
        clues,
        ident_started: ident.map(|i| i.started_on.to_string()).unwrap_or_default(),
        ident_steps: ident
            .map(|i| {
                i.steps
                    .iter()
                    .map(|r| format!("{} {}", i18n.label(&r.step), r.on))
                    .collect::<Vec<_>>()
                    .join(" → ")
            })
            .unwrap_or_default(),
        ident_next: ident
            .and_then(|i| i.next_step())
            .map(|s| i18n.label(&s))
            .unwrap_or(""),
        monitored_since: c
            .monitored_since()
            .map(|d| d.to_string())
            .unwrap_or_default(),
        cadre: c
            .cadres
            .current()
            .map(|a| a.cadre.name.clone())
            .unwrap_or_default(),
        measures: c
            .measures
            .iter()
            .enumerate()
            .map(|(index, m)| MeasureView {
                index,
                progress: progress && !m.status.is_final(),
                class: i18n.label(&m.plan.class),
                item: m.plan.item.clone(),
                planned_on: m.plan.planned_on.to_string(),
                unit: m.plan.responsible_unit.clone(),
                status: i18n.label(&m.status),
            })
            .collect(),
        follow_ups: c
            .follow_ups
            .entries
            .iter()
            .map(|e| e.visit.month.to_string())
            .collect::<Vec<_>>()
            .join("、"),
        exit: c
            .exits
            .last()
            .map(|e| match e.next_step() {
                Some(s) => format!("{}: {}", i18n.t("case.exit.next"), i18n.label(&s)),
                None => i18n.label(&lifecycle).to_string(),
            })
            .unwrap_or_default(),
    }
}

#[derive(Template)]
#[template(path = "households/show.html")]
struct ShowPage<'a> {
    i18n: I18n,
    user: &'a CurrentUser,
    number: String,
    village_name: String,
    township_name: String,
    natural_village: String,
    address: String,
    household_type: &'static str,
    monitored: &'static str,
    risks: String,
    relocated: bool,
    phone: String,
    /// 户情变更: the confirmation and the change links; the former members ([`changes`]).
    changes: String,
    former: String,
    members: Vec<MemberView>,
    incomes: Vec<IncomeView>,
    case: Option<CaseView>,
    actions: Actions,
    done: bool,
    /// Back from the income form (`?done=income`).
    done_income: bool,
    full_ids: bool,
    may_reveal: bool,
    path: String,
}

/// A member row; the ID number masked unless `full` (an audited view of a role that may see it). Code
/// values show the county's local labels (本县显示名称).
fn member_view(
    m: &Member,
    i18n: I18n,
    codes: &CodeOverrides,
    today: chrono::NaiveDate,
    scope: &shouwang_core::Scope,
    full: bool,
) -> MemberView {
    use crate::pages::cases::code_label;
    let born = chrono::Datelike::year(&m.id_number.birth_date());
    MemberView {
        name: m.name.clone(),
        relation: code_label(i18n, codes, &m.relation),
        id: if full {
            m.id_number.to_string()
        } else {
            m.id_number.masked()
        },
        sex: code_label(i18n, codes, &m.sex),
        age: scope.exact_age(m.id_number, today).map_or_else(
            || {
                i18n.lang
                    .pick(&format!("{born}年生"), &format!("b. {born}"))
                    .to_owned()
            },
            |a| a.to_string(),
        ),
        labour: code_label(i18n, codes, &m.labour),
        health: m
            .health
            .iter()
            .map(|h| code_label(i18n, codes, h))
            .collect::<Vec<_>>()
            .join("、"),
        education: m
            .education
            .as_ref()
            .map(|e| code_label(i18n, codes, e))
            .unwrap_or_default(),
        school: m
            .school
            .as_ref()
            .map(|e| code_label(i18n, codes, e))
            .unwrap_or_default(),
        insured: m.has_medical_insurance,
        dibao: code_label(i18n, codes, &m.dibao),
        edit: String::new(),
    }
}

/// Builds the income rows from the household's income sheet (`shouwang_app::income::show`): the
/// per-capita figure, the line status, the clear-drop flag against the previous year (§三(一)1
/// “收入明显下降”, the county's threshold), the source and date of each year, and the other sources'
/// figures that differ and do not count (不计入, 以最近一次核实记录为准).
pub fn income_views(sheet: &IncomeSheet, i18n: I18n) -> Vec<IncomeView> {
    sheet
        .years
        .iter()
        .map(|y| {
            let a = &y.assessment;
            let r = &y.record;
            let (status, status_class) = match a.status {
                Some(s @ LineStatus::Below) => (i18n.label(&s), "below"),
                Some(s @ LineStatus::Near) => (i18n.label(&s), "near"),
                Some(s @ LineStatus::Above) => (i18n.label(&s), "above"),
                None => ("", ""),
            };
            IncomeView {
                year: r.year,
                wage: r.wage,
                business: r.business,
                property: r.property,
                transfer: r.transfer,
                cost: r.production_cost,
                net: a.net_income,
                per_capita: a.per_capita,
                line: a.line,
                status,
                status_class,
                dropped: a.clear_drop,
                source: i18n.lang.pick(y.source.label_zh(), y.source.label_en()),
                as_of: y.as_of.to_string(),
                not_counted: not_counted_views(y, i18n),
            }
        })
        .collect()
}

#[derive(Deserialize, Default)]
pub struct ShowQuery {
    done: Option<String>,
    /// After a household change: which (the confirmation of [`changes::links`]).
    changed: Option<String>,
}

/// GET /households/{number} (`?done=1` after a lifecycle action: a confirmation line)
pub async fn show(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(number): Path<String>,
    Query(q): Query<ShowQuery>,
) -> Response {
    show_page(
        &state,
        &user,
        &number,
        false,
        q.done.as_deref(),
        q.changed.as_deref(),
    )
    .await
}

#[derive(Deserialize)]
pub struct RevealForm {
    #[serde(default)]
    csrf: String,
}

/// POST /households/{number}/full-ids — 显示完整身份证号: the household page with full ID numbers,
/// for the roles that may see them ([`shouwang_core::access::Role::may_view_full_id`]); the view is written to the audit log
/// (`read_full_id`) before the page is sent.
pub async fn reveal(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(number): Path<String>,
    Form(form): Form<RevealForm>,
) -> Response {
    if let Err(e) = check_csrf(&user, &form.csrf) {
        return e.into_response();
    }
    if !user.scope.may_view_full_id() {
        return AppError::forbidden().into_response();
    }
    show_page(&state, &user, &number, true, None, None).await
}

async fn show_page(
    state: &AppState,
    user: &CurrentUser,
    number: &str,
    full_ids: bool,
    done: Option<&str>,
    changed: Option<&str>,
) -> Response {
    let i18n = user.i18n();
    if number.is_empty() || number.len() > 64 || number.chars().any(char::is_control) {
        return AppError::not_found().into_response();
    }
    let detail =
        match shouwang_app::households::show(&state.db, &user.caller(), number, full_ids).await {
            Ok(Some(detail)) => detail,
            Ok(None) => return AppError::not_found().into_response(),
            Err(e) => return AppError::from(e).into_response(),
        };
    let h = &detail.household;
    let record = match repo::cases::get(&state.db, &user.scope, &h.number).await {
        Ok(c) => c,
        Err(e) => return AppError::from(e).into_response(),
    };
    let case = record
        .as_ref()
        .map(|rec| case_view(&rec.case, i18n, user.scope.role));
    let codes = match crate::pages::admin::codes::county_codes(state, user).await {
        Ok(c) => c,
        Err(e) => return e.into_response(),
    };
    let actions = actions(record.as_ref(), user.scope.role, i18n, &codes);
    let today = shouwang_app::today();
    let members = h
        .members
        .iter()
        .zip(&detail.member_ids)
        .map(|(m, id)| MemberView {
            edit: changes::member_link(user, &h.number, *id),
            ..member_view(m, i18n, &codes, today, &user.scope, full_ids)
        })
        .collect();
    let incomes = match shouwang_app::income::sheet_of(&state.db, &detail).await {
        Ok(sheet) => income_views(&sheet, i18n),
        Err(e) => return AppError::from(e).into_response(),
    };
    render(&ShowPage {
        i18n,
        user,
        number: h.number.clone(),
        village_name: detail.village_name.clone().unwrap_or_default(),
        township_name: detail.township_name.clone().unwrap_or_default(),
        natural_village: detail
            .natural_village_name
            .clone()
            .or_else(|| h.natural_village.clone())
            .unwrap_or_default(),
        address: h.address.clone(),
        household_type: i18n.label(&h.household_type),
        monitored: h
            .monitored_type
            .as_ref()
            .map(|m| i18n.label(m))
            .unwrap_or(""),
        risks: h
            .risks
            .iter()
            .map(|r| crate::pages::cases::code_label(i18n, &codes, r))
            .collect::<Vec<_>>()
            .join("、"),
        relocated: h.is_relocated,
        phone: h.phone.clone().unwrap_or_default(),
        changes: changes::links(user, &h.number, changed),
        former: changes::former(user, &detail, &codes, full_ids),
        members,
        incomes,
        case,
        actions,
        done: done.is_some_and(|d| d != "income"),
        done_income: done == Some("income"),
        full_ids,
        may_reveal: user.scope.may_view_full_id() && !full_ids,
        path: format!("/households/{}", encode(&h.number)),
    })
}

#[cfg(test)]
mod tests {
    use crate::http::form::encode;

    #[test]
    fn encodes_query_values() {
        assert_eq!(encode("张 三&x"), "%E5%BC%A0%20%E4%B8%89%26x");
        assert_eq!(encode("141123-1"), "141123-1");
    }
}
