//! The registry pages (农户信息): search with paging, and one household's page
//! with its members (ID numbers masked) and income by year with the
//! per-capita figure and its monitoring-line status (§三(一)1).

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{Html, IntoResponse, Response};
use serde::Deserialize;
use shouwang_core::household::Member;
use shouwang_core::income::IncomeRecord;
use shouwang_core::line::{self, LineStatus};
use shouwang_core::money::Fen;
use shouwang_store::repo;
use shouwang_store::repo::households::{HouseholdQuery, HouseholdRow};

use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::i18n::I18n;

/// Rows per page of the search.
pub const PER_PAGE: u32 = 20;

#[derive(Deserialize, Default)]
pub struct ListQuery {
    #[serde(default)]
    q: String,
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
}

#[derive(Template)]
#[template(path = "households.html")]
struct ListPage<'a> {
    i18n: I18n,
    user: &'a CurrentUser,
    q: &'a str,
    q_encoded: String,
    rows: Vec<RowView>,
    total: u64,
    page: u32,
    pages: u32,
    path: &'a str,
}

fn render<T: Template>(page: &T, lang: crate::i18n::Lang) -> Response {
    match page.render() {
        Ok(html) => Html(html).into_response(),
        Err(e) => AppError::Internal(e.to_string()).into_page(lang),
    }
}

/// Percent-encodes a query value (for the paging links).
fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 3);
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A search row; the head's ID number is always masked on the list.
fn row_view(r: HouseholdRow, i18n: I18n) -> RowView {
    RowView {
        head_id: r.head_id.masked(),
        number: r.number,
        head_name: r.head_name,
        village_name: r.village_name,
        size: r.size,
        household_type: i18n.label(&r.household_type),
        monitored: r.monitored_type.map(|m| i18n.label(&m)).unwrap_or(""),
    }
}

/// GET /households?q=…&page=…
pub async fn list(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(query): Query<ListQuery>,
) -> Response {
    let i18n = user.i18n();
    // A page number that is not a number is treated as page 1, never an error.
    let page = query
        .page
        .as_deref()
        .and_then(|p| p.trim().parse::<u32>().ok())
        .filter(|p| *p >= 1)
        .unwrap_or(1);
    // Control characters (a NUL byte, say) cannot be in any name or number; PostgreSQL refuses them in text.
    let cleaned: String = query.q.chars().filter(|c| !c.is_control()).collect();
    let q = cleaned.trim();
    let hq = HouseholdQuery {
        q: (!q.is_empty()).then(|| q.to_string()),
        ..Default::default()
    };
    let result = match repo::households::search(&state.db, &user.scope, &hq, page, PER_PAGE).await {
        Ok(r) => r,
        Err(e) => return AppError::from(e).into_page(user.lang),
    };
    // The list masks every ID number; full numbers are for the household page of roles that may see them.
    let rows = result
        .items
        .into_iter()
        .map(|r| row_view(r, i18n))
        .collect();
    let pages = result.total.div_ceil(u64::from(PER_PAGE)).max(1) as u32;
    render(
        &ListPage {
            i18n,
            user: &user,
            q,
            q_encoded: encode(q),
            rows,
            total: result.total,
            page,
            pages,
            path: "/households",
        },
        user.lang,
    )
}

/// One member, ready to show.
pub struct MemberView {
    pub name: String,
    pub relation: &'static str,
    pub id: String,
    pub sex: &'static str,
    pub age: u32,
    pub labour: &'static str,
    pub health: String,
    pub education: &'static str,
    pub school: &'static str,
    pub insured: bool,
    pub dibao: &'static str,
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
}

#[derive(Template)]
#[template(path = "household.html")]
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
    members: Vec<MemberView>,
    incomes: Vec<IncomeView>,
    path: String,
}

/// A member row; ID numbers are masked (unmasked views, audited, come with the roles' pages).
fn member_view(m: &Member, i18n: I18n, today: chrono::NaiveDate) -> MemberView {
    MemberView {
        name: m.name.clone(),
        relation: i18n.label(&m.relation),
        id: m.id_number.masked(),
        sex: i18n.label(&m.sex),
        age: m.id_number.age_on(today),
        labour: i18n.label(&m.labour),
        health: m
            .health
            .iter()
            .map(|h| i18n.label(h))
            .collect::<Vec<_>>()
            .join("、"),
        education: m.education.as_ref().map(|e| i18n.label(e)).unwrap_or(""),
        school: m.school.as_ref().map(|s| i18n.label(s)).unwrap_or(""),
        insured: m.has_medical_insurance,
        dibao: i18n.label(&m.dibao),
    }
}

/// Builds the income rows: per-capita figure, line status, and the clear-drop
/// flag against the previous year (§三(一)1 “收入明显下降”).
pub fn income_views(
    incomes: &[IncomeRecord],
    lines: &[line::MonitoringLine],
    province: &str,
    i18n: I18n,
) -> Vec<IncomeView> {
    let mut sorted: Vec<&IncomeRecord> = incomes.iter().collect();
    sorted.sort_by_key(|r| r.year);
    let mut out = Vec::with_capacity(sorted.len());
    let mut prev: Option<&IncomeRecord> = None;
    for r in sorted {
        let line_fen = lines
            .iter()
            .find(|l| l.province == province && l.year == r.year)
            .map(|l| l.line);
        let net = r.net_income();
        let (status, status_class) = match line_fen {
            Some(l) => match line::assess(net, r.members, l, line::DEFAULT_NEAR_FACTOR_PCT) {
                LineStatus::Below => (i18n.label(&LineStatus::Below), "below"),
                LineStatus::Near => (i18n.label(&LineStatus::Near), "near"),
                LineStatus::Above => (i18n.label(&LineStatus::Above), "above"),
            },
            None => ("", ""),
        };
        let dropped = prev.filter(|p| p.year + 1 == r.year).is_some_and(|p| {
            line::clear_drop(p.per_capita(), r.per_capita(), line::DEFAULT_DROP_PCT)
        });
        out.push(IncomeView {
            year: r.year,
            wage: r.wage,
            business: r.business,
            property: r.property,
            transfer: r.transfer,
            cost: r.production_cost,
            net,
            per_capita: r.per_capita(),
            line: line_fen,
            status,
            status_class,
            dropped,
        });
        prev = Some(r);
    }
    out
}

/// GET /households/{number}
pub async fn show(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(number): Path<String>,
) -> Response {
    let i18n = user.i18n();
    if number.is_empty() || number.len() > 64 || number.chars().any(char::is_control) {
        return AppError::NotFound.into_page(user.lang);
    }
    let detail = match repo::households::get(&state.db, &user.scope, &number).await {
        Ok(Some(d)) => d,
        Ok(None) => return AppError::NotFound.into_page(user.lang),
        Err(e) => return AppError::from(e).into_page(user.lang),
    };
    let lines = match repo::lines::list(&state.db).await {
        Ok(l) => l,
        Err(e) => return AppError::from(e).into_page(user.lang),
    };
    let h = &detail.household;
    let today = chrono::Utc::now().date_naive();
    let members = h
        .members
        .iter()
        .map(|m| member_view(m, i18n, today))
        .collect();
    let province: String = h.village.as_str().chars().take(2).collect();
    let records: Vec<IncomeRecord> = detail.incomes.iter().map(|e| e.record).collect();
    let incomes = income_views(&records, &lines, &province, i18n);
    render(
        &ShowPage {
            i18n,
            user: &user,
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
                .map(|r| i18n.label(r))
                .collect::<Vec<_>>()
                .join("、"),
            relocated: h.is_relocated,
            members,
            incomes,
            path: format!("/households/{}", encode(&h.number)),
        },
        user.lang,
    )
}

#[cfg(test)]
mod tests {
    use super::encode;

    #[test]
    fn encodes_query_values() {
        assert_eq!(encode("张 三&x"), "%E5%BC%A0%20%E4%B8%89%26x");
        assert_eq!(encode("141123-1"), "141123-1");
    }
}
