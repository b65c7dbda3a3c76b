//! 逐月跟踪监测 (`/households/{n}/case/follow-up`): one phone screen per household and month. Its optional
//! 收支测算 (the fields and their reading shared with the 入户核查 forms: [`INCOME_FIELDS`],
//! [`parse_income`]) becomes the household's income record of its year, source 月度走访, in the follow-up's
//! transaction; the visit's 预计人均纯收入 is then the record's.

use super::*;
use crate::pages::income::{INCOME_FIELDS, parse_income};

#[derive(Deserialize, Default)]
pub struct MonthQuery {
    month: Option<String>,
}

#[derive(Template)]
#[template(path = "cases/follow_up.html")]
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
    /// The 收支测算 fields (name, label).
    income_fields: Vec<(&'static str, &'static str)>,
    /// The form's values (the income's year and members filled in).
    v: Fields,
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
    let (head, members) =
        match shouwang_app::households::show(&state.db, &user.caller(), &number, false).await {
            Ok(Some(s)) => (
                s.household
                    .head()
                    .map(|m| m.name.clone())
                    .unwrap_or_default(),
                s.household.members.len(),
            ),
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
            crate::http::i18n::Lang::Zh => month.label_zh(),
            crate::http::i18n::Lang::En => month.to_string(),
        },
        today: today.to_string(),
        questions: [
            ("measures", "fu.q1"),
            ("policies", "fu.q2"),
            ("standards", "fu.q3"),
            ("approves", "fu.q4"),
        ],
        path: format!("{}/case/follow-up", household_path(&number)),
        income_fields: INCOME_FIELDS
            .iter()
            .map(|(n, zh, en)| (*n, i18n.lang.pick(zh, en)))
            .collect(),
        // the estimate is of the visit's year
        v: Fields(vec![
            ("inc_year".to_owned(), month.year().to_string()),
            ("inc_members".to_owned(), members.to_string()),
        ]),
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
    // 收支测算 (optional): the record of the visit's year unless another is typed; the estimate is its
    // 人均纯收入 (the core computes it from the record).
    let record = match parse_income(&f, month.year(), false) {
        Ok(r) => r,
        Err(e) => return e.into_response(),
    };
    let estimate = match (&record, Fen::parse_yuan(&f.get("income"))) {
        (Some(r), _) => r.per_capita(),
        (None, Ok(e)) => e,
        (None, Err(_)) => {
            return bad(
                "请填写预计人均纯收入（元），或填写收支测算",
                "The estimated per-capita income (yuan) is required, or the income estimate",
            )
            .into_response();
        }
    };
    let visit = FollowUp {
        month,
        visited_on,
        measures_carried_out: f.yes("measures"),
        policies_received: f.yes("policies"),
        standards_secure: f.yes("standards"),
        household_approves: f.yes("approves"),
        per_capita_income_estimate: estimate,
        notes: f.get("notes"),
        income: record,
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
