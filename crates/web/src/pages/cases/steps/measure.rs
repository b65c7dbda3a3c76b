//! 措施落实: 开始实施 and 完成 of a measure, the completion with evidence files.

use super::*;

#[derive(Template)]
#[template(path = "cases/steps/measure.html")]
struct MeasurePage<'a> {
    i18n: I18n,
    user: &'a CurrentUser,
    number: String,
    index: usize,
    version: i64,
    class: &'static str,
    item: String,
    planned_on: String,
    unit: String,
    status: &'static str,
    /// "start", "complete" or "" (nothing to do).
    action: &'static str,
    v: Values,
    error: String,
    today: String,
    path: String,
}

async fn measure_page(
    state: &AppState,
    user: &CurrentUser,
    number: &str,
    index: usize,
    typed: Option<(Fields, Refused)>,
) -> Response {
    let i18n = user.i18n();
    let rec = match repo::cases::get(&state.db, &user.scope, number).await {
        Ok(Some(r)) => r,
        Ok(None) => return AppError::not_found().into_response(),
        Err(e) => return AppError::from(e).into_response(),
    };
    let Some(m) = rec.case.measures.get(index) else {
        return AppError::not_found().into_response();
    };
    let today = shouwang_app::today().to_string();
    let action = if !PROGRESS_ROLES.contains(&user.scope.role) {
        ""
    } else {
        match m.status {
            MeasureStatus::Planned => "start",
            MeasureStatus::InProgress => "complete",
            _ => "",
        }
    };
    let (status, error, v) = match typed {
        Some((f, r)) => (r.status, r.message, Values(f.0)),
        None => (
            StatusCode::OK,
            String::new(),
            Values::new(&[("on", today.as_str())]),
        ),
    };
    render_status(
        &MeasurePage {
            i18n,
            user,
            number: rec.household_number.clone(),
            index,
            version: rec.version,
            class: i18n.label(&m.plan.class),
            item: m.plan.item.clone(),
            planned_on: m.plan.planned_on.to_string(),
            unit: m.plan.responsible_unit.clone(),
            status: i18n.label(&m.status),
            action,
            v,
            error,
            today,
            path: format!("{}/case/measures/{index}", household_path(number)),
        },
        status,
    )
}

/// GET /households/{n}/case/measures/{i}
pub async fn measure_form(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((number, index)): Path<(String, String)>,
) -> Response {
    // Not a position of the case's measures: the 404 page, as for any unknown path.
    let Ok(index) = index.parse::<usize>() else {
        return AppError::not_found().into_response();
    };
    measure_page(&state, &user, &number, index, None).await
}

async fn measure_command(
    state: &AppState,
    user: &CurrentUser,
    number: &str,
    index: usize,
    f: &mut Fields,
    uploads: &[Upload],
) -> Result<(), Failure> {
    let lang = user.lang;
    let on = the_date(f).map_err(|e| failure(e, lang))?;
    let action = match f.get("action").as_str() {
        "start" => MeasureAction::Start {
            note: f.get("note"),
        },
        "complete" => {
            let files = attachments(state, user, f, uploads, "evidence")
                .await
                .map_err(|e| store_failure(e, lang))?;
            MeasureAction::Complete {
                evidence: Completion {
                    description: f.get("description"),
                    attachments: files,
                },
            }
        }
        _ => {
            return Err(failure(
                bad("请选择办理事项", "Choose what to record"),
                lang,
            ));
        }
    };
    execute(
        state,
        user,
        number,
        f,
        on,
        Command::UpdateMeasure { index, action },
    )
    .await
}

/// POST /households/{n}/case/measures/{i} (multipart)
pub async fn measure_submit(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((number, index)): Path<(String, String)>,
    form: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Response {
    let Ok(index) = index.parse::<usize>() else {
        return AppError::not_found().into_response();
    };
    let (mut f, uploads) = match checked_form(&user, form).await {
        Ok(x) => x,
        Err(page) => return page,
    };
    match measure_command(&state, &user, &number, index, &mut f, &uploads).await {
        Ok(()) => done(&number),
        Err(Failure::Form(r)) => measure_page(&state, &user, &number, index, Some((f, r))).await,
        Err(Failure::Page(e)) => e.into_response(),
    }
}
