//! 收支测算 of a household, by hand:
//! - `GET /households/{n}/income?year=Y` — the household's years (source and 数据日期, 家庭纯收入,
//!   人均纯收入, the line of the year, below / near / above, 明显下降; under a year, the other sources'
//!   figures that differ, 不计入) and the form of year Y (filled in when recorded);
//! - `POST /households/{n}/income` — `action=preview` (测算) shows the figures the server computes for
//!   the typed record without saving; `action=save` saves it through `shouwang_app::income::set`
//!   (source 手工录入, version-checked, audited, the income rule run) and returns to the household page.
//!
//! The amount fields and their reading are shared with the 入户核查 forms ([`INCOME_FIELDS`],
//! [`parse_income`]). Plain HTML: it works without JavaScript.

use askama::Template;
use axum::Form;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chrono::Datelike;
use serde::Deserialize;
use shouwang_app::Kind;
use shouwang_app::income::{self, IncomeSheet};
use shouwang_core::CodeList;
use shouwang_core::income::{IncomeRecord, IncomeSource, YearAssessment};
use shouwang_core::line::LineStatus;
use shouwang_core::money::Fen;

use crate::AppState;
use crate::auth::{CurrentUser, check_csrf};
use crate::http::error::AppError;
use crate::http::form::encode;
use crate::http::i18n::I18n;
use crate::http::render::{render_status, see_other};
use crate::pages::cases::{Fields, caller};
use crate::pages::households::{NotCountedView, not_counted_views};

/// The routes of this module.
pub fn routes() -> Router<AppState> {
    Router::new().route("/households/{number}/income", get(form).post(submit))
}

/// The amount fields of an income record (name, Chinese, English), 家庭人口 last.
pub(crate) const INCOME_FIELDS: [(&str, &str, &str); 11] = [
    ("inc_wage", "工资性收入", "Wage income"),
    ("inc_business", "生产经营性收入", "Business income"),
    ("inc_property", "财产性收入", "Property income"),
    ("inc_transfer", "转移性收入", "Transfer income"),
    ("inc_cost", "生产经营性支出", "Production cost"),
    ("inc_medical", "合规自付医疗支出", "Rigid medical"),
    ("inc_education", "教育支出", "Rigid education"),
    ("inc_disability", "残疾康复支出", "Rigid disability"),
    ("inc_disaster", "因灾因事故支出", "Rigid disaster"),
    ("inc_payout", "理赔收入", "Insurance payout"),
    ("inc_members", "家庭人口", "Members"),
];

fn bad(zh: impl Into<String>, en: impl Into<String>) -> AppError {
    AppError::bad_request("bad_request", zh.into(), en.into())
}

/// An amount field in yuan, read as the registry's 收支情况 cells are (`12,345.60`, full-width digits, a
/// trailing 元; blank is 0; no negative amount).
fn money(f: &Fields, name: &str, label: (&str, &str)) -> Result<Fen, AppError> {
    shouwang_core::registry::amounts::amount(&f.get(name)).map_err(|r| {
        bad(
            format!("{}：{}", label.0, r.zh),
            format!("{}: {}", label.1, r.en),
        )
    })
}

/// The income record of a form (`inc_year`, the [`INCOME_FIELDS`]; amounts in yuan): `None` when every
/// amount is blank and `required` is false. A missing or unusable year is `default_year`.
pub(crate) fn parse_income(
    f: &Fields,
    default_year: i32,
    required: bool,
) -> Result<Option<IncomeRecord>, AppError> {
    let blank = INCOME_FIELDS
        .iter()
        .take(10)
        .all(|(n, _, _)| f.get(n).is_empty());
    if blank && !required {
        return Ok(None);
    }
    let m = |i: usize| {
        let (n, zh, en) = INCOME_FIELDS[i];
        money(f, n, (zh, en))
    };
    let members: u32 = f.get("inc_members").parse().map_err(|_| {
        bad(
            "收入测算须填写家庭人口（整数）",
            "The income estimate needs the number of members",
        )
    })?;
    let year = match f.get("inc_year").parse::<i32>() {
        Ok(y) if (2000..=2100).contains(&y) => y,
        _ => default_year,
    };
    Ok(Some(IncomeRecord {
        year,
        wage: m(0)?,
        business: m(1)?,
        property: m(2)?,
        transfer: m(3)?,
        production_cost: m(4)?,
        rigid_medical: m(5)?,
        rigid_education: m(6)?,
        rigid_disability: m(7)?,
        rigid_disaster: m(8)?,
        insurance_payout: m(9)?,
        members,
    }))
}

/// The form's fields of a stored record (yuan, blank for zero).
fn fields_of(r: &IncomeRecord) -> Fields {
    let mut v: Vec<(String, String)> = INCOME_FIELDS
        .iter()
        .zip(r.amounts())
        .map(|((n, _, _), (f, _, _))| {
            let shown = if f == Fen::ZERO {
                String::new()
            } else {
                f.to_string()
            };
            ((*n).to_owned(), shown)
        })
        .collect();
    v.push(("inc_members".to_owned(), r.members.to_string()));
    v.push(("inc_year".to_owned(), r.year.to_string()));
    Fields(v)
}

/// An assessment as the page shows it.
struct AssessView {
    year: i32,
    net: Fen,
    per_capita: Fen,
    after_rigid: Fen,
    line: Option<Fen>,
    status: &'static str,
    status_class: &'static str,
    dropped: bool,
    below_after_rigid: bool,
}

fn assess_view(a: &YearAssessment, i18n: I18n) -> AssessView {
    let (status, status_class) = match a.status {
        Some(s @ LineStatus::Below) => (i18n.label(&s), "below"),
        Some(s @ LineStatus::Near) => (i18n.label(&s), "near"),
        Some(s @ LineStatus::Above) => (i18n.label(&s), "above"),
        None => ("", ""),
    };
    AssessView {
        year: a.year,
        net: a.net_income,
        per_capita: a.per_capita,
        after_rigid: a.per_capita_after_rigid,
        line: a.line,
        status,
        status_class,
        dropped: a.clear_drop,
        below_after_rigid: a.below_after_rigid,
    }
}

/// A recorded year in the list, with the other sources' figures that do not count (不计入).
struct YearRow {
    a: AssessView,
    source: &'static str,
    /// 数据日期.
    as_of: String,
    not_counted: Vec<NotCountedView>,
}

#[derive(Template)]
#[template(path = "income/edit.html")]
struct IncomePage<'a> {
    i18n: I18n,
    user: &'a CurrentUser,
    number: String,
    number_enc: String,
    years: Vec<YearRow>,
    year: i32,
    /// The version the form corrects (0: a new year).
    version: i64,
    v: Fields,
    fields: Vec<(&'static str, &'static str)>,
    preview: Option<AssessView>,
    error: Option<String>,
    drop_pct: u32,
    may_write: bool,
    path: String,
}

impl IncomePage<'_> {
    fn get(&self, name: &str) -> String {
        self.v.get(name)
    }
}

#[derive(Deserialize, Default)]
pub struct YearQuery {
    year: Option<String>,
}

fn default_year() -> i32 {
    shouwang_app::today().year() - 1
}

#[allow(clippy::too_many_arguments)]
fn page(
    user: &CurrentUser,
    sheet: &IncomeSheet,
    year: i32,
    version: i64,
    v: Fields,
    preview: Option<AssessView>,
    error: Option<String>,
    status: StatusCode,
) -> Response {
    let i18n = user.i18n();
    let years = sheet
        .years
        .iter()
        .map(|y| YearRow {
            a: assess_view(&y.assessment, i18n),
            source: i18n.lang.pick(y.source.label_zh(), y.source.label_en()),
            as_of: y.as_of.to_string(),
            not_counted: not_counted_views(y, i18n),
        })
        .collect();
    let fields = INCOME_FIELDS
        .iter()
        .map(|(n, zh, en)| (*n, i18n.lang.pick(zh, en)))
        .collect();
    render_status(
        &IncomePage {
            i18n,
            user,
            number: sheet.household.clone(),
            number_enc: encode(&sheet.household),
            years,
            year,
            version,
            v,
            fields,
            preview,
            error,
            drop_pct: sheet.drop_pct,
            may_write: user.scope.may_write(),
            path: format!("/households/{}/income", encode(&sheet.household)),
        },
        status,
    )
}

/// GET /households/{number}/income?year=Y
pub async fn form(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(number): Path<String>,
    Query(q): Query<YearQuery>,
) -> Response {
    let sheet = match income::show(&state.db, &caller(&user), &number).await {
        Ok(s) => s,
        Err(e) => return AppError::from(e).into_response(),
    };
    let year = q
        .year
        .and_then(|y| y.trim().parse::<i32>().ok())
        .filter(|y| (2000..=2100).contains(y))
        .unwrap_or_else(default_year);
    let (version, v) = match sheet.year(year) {
        Some(y) => (y.version, fields_of(&y.record)),
        None => (0, Fields(vec![("inc_year".to_owned(), year.to_string())])),
    };
    page(&user, &sheet, year, version, v, None, None, StatusCode::OK)
}

/// POST /households/{number}/income (`action=preview` or `save`)
pub async fn submit(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(number): Path<String>,
    Form(raw): Form<Vec<(String, String)>>,
) -> Response {
    let f = Fields(raw);
    if let Err(e) = check_csrf(&user, &f.get("csrf")) {
        return e.into_response();
    }
    let c = caller(&user);
    let sheet = match income::show(&state.db, &c, &number).await {
        Ok(s) => s,
        Err(e) => return AppError::from(e).into_response(),
    };
    let version: i64 = f.get("version").parse().unwrap_or(0);
    let year = f
        .get("inc_year")
        .parse::<i32>()
        .ok()
        .filter(|y| (2000..=2100).contains(y));
    let Some(year) = year else {
        let e = bad(
            "年度应为 2000 至 2100 之间的年份",
            "The year must be 2000 to 2100",
        );
        let msg = e.message_for(user.lang);
        return page(
            &user,
            &sheet,
            default_year(),
            version,
            f,
            None,
            Some(msg),
            e.status(),
        );
    };
    let refused = |f: Fields, e: AppError| {
        let msg = e.message_for(user.lang);
        page(&user, &sheet, year, version, f, None, Some(msg), e.status())
    };
    let record = match parse_income(&f, year, true) {
        Ok(Some(r)) => r,
        Ok(None) => return refused(f, AppError::internal("a required income is missing")),
        Err(e) => return refused(f, e),
    };
    if f.get("action") == "preview" {
        return match income::preview(&state.db, &c, &number, &record).await {
            Ok(a) => {
                let view = assess_view(&a, user.i18n());
                page(
                    &user,
                    &sheet,
                    year,
                    version,
                    f,
                    Some(view),
                    None,
                    StatusCode::OK,
                )
            }
            Err(e) => refused(f, e.into()),
        };
    }
    let expected = (version > 0).then_some(version);
    match income::set(
        &state.db,
        &c,
        &number,
        &record,
        IncomeSource::Manual,
        expected,
    )
    .await
    {
        Ok(_) => see_other(&format!(
            "/households/{}?done=income",
            encode(&sheet.household)
        )),
        Err(e) => match e.kind {
            Kind::Invalid | Kind::BadRequest | Kind::Conflict => refused(f, e.into()),
            _ => AppError::from(e).into_response(),
        },
    }
}
