//! 制定帮扶措施 with the decision table's recommendations (`/households/{n}/case/plan`).

use super::*;

pub struct RecommendationView {
    pub class: String,
    pub label: String,
    pub because: String,
}

#[derive(Template)]
#[template(path = "cases/plan.html")]
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
    let codes = match crate::pages::admin::codes::county_codes(&state, &user).await {
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
