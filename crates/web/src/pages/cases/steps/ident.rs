//! 识别 steps of the village (入户核查, 信息比对, 民主评议, 公示, 公示期满) and the 绿色通道.

use super::*;

/// The village steps taken on this page.
const VILLAGE_STEPS: [IdentStep; 5] = [
    IdentStep::Verification,
    IdentStep::DataComparison,
    IdentStep::Appraisal,
    IdentStep::PublicNotice,
    IdentStep::NoticeClosed,
];

#[derive(Template)]
#[template(path = "cases/steps/ident.html")]
struct IdentPage<'a> {
    i18n: I18n,
    user: &'a CurrentUser,
    number: String,
    head: String,
    version: i64,
    /// The step's code ("" when none for this role).
    step: &'static str,
    step_label: &'static str,
    v: Values,
    error: String,
    visit: VisitForm,
    departments: Vec<(&'static str, bool)>,
    publicity_days: u32,
    posted_on: String,
    closes_on: String,
    green: bool,
    green_open: bool,
    /// Where the procedure stands when it is not this role's turn.
    waiting: String,
    today: String,
    path: String,
}

/// The village step waiting for this role, if any.
pub fn ident_step(rec: &CaseRecord, role: Role) -> Option<IdentStep> {
    rec.case
        .identification
        .as_ref()
        .and_then(|i| i.next_step())
        .filter(|s| VILLAGE_STEPS.contains(s) && s.roles().contains(&role))
}

async fn ident_page(
    state: &AppState,
    user: &CurrentUser,
    number: &str,
    typed: Option<(Fields, Refused)>,
) -> Response {
    let i18n = user.i18n();
    let (rec, head, members) = match case_and_head(state, user, number).await {
        Ok(x) => x,
        Err(e) => return e.into_response(),
    };
    let today = shouwang_app::today().to_string();
    let codes = match crate::pages::admin::codes::county_codes(state, user).await {
        Ok(c) => c,
        Err(e) => return e.into_response(),
    };
    let step = ident_step(&rec, user.scope.role);
    let ident = rec.case.identification.as_ref();
    let (status, error, v) = match typed {
        Some((f, r)) => (r.status, r.message, Values(f.0)),
        None => {
            let mut d = visit_defaults(&today, &head, members);
            d.push(("place".into(), "村委会公示栏".into()));
            (StatusCode::OK, String::new(), Values(d))
        }
    };
    let departments = DEPARTMENTS
        .iter()
        .map(|d| (*d, v.is("checked_with", d)))
        .collect();
    let running = ident.is_some_and(|i| !i.is_ended());
    render_status(
        &IdentPage {
            i18n,
            user,
            number: rec.household_number.clone(),
            head,
            version: rec.version,
            step: step.map(|s| s.code()).unwrap_or(""),
            step_label: step.map(|s| i18n.label(&s)).unwrap_or(""),
            v,
            error,
            visit: visit_form(i18n, &codes),
            departments,
            publicity_days: ident.map(|i| i.rules.publicity_days).unwrap_or(5),
            posted_on: ident
                .and_then(|i| i.record(IdentStep::PublicNotice))
                .map(|r| r.on.to_string())
                .unwrap_or_default(),
            closes_on: ident
                .and_then(|i| i.notice_closes_on())
                .map(|d| d.to_string())
                .unwrap_or_default(),
            green: running && GREEN_CHANNEL_ROLES.contains(&user.scope.role),
            green_open: ident.is_some_and(|i| i.green_channel.is_some()),
            waiting: {
                let next = ident.and_then(|i| i.next_step());
                waiting_for(i18n, next, next.map(|s| s.roles()).unwrap_or(&[]))
            },
            today,
            path: format!("{}/case/ident", household_path(number)),
        },
        status,
    )
}

/// GET /households/{n}/case/ident
pub async fn ident_form(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(number): Path<String>,
) -> Response {
    ident_page(&state, &user, &number, None).await
}

async fn ident_command(
    state: &AppState,
    user: &CurrentUser,
    number: &str,
    f: &mut Fields,
    uploads: &[Upload],
) -> Result<(), Failure> {
    let lang = user.lang;
    let on = the_date(f).map_err(|e| failure(e, lang))?;
    let action = match IdentStep::from_code(&f.get("step")) {
        Some(IdentStep::Verification) => {
            let verification = verification(state, user, f, uploads, false).await?;
            IdentAction::Verify {
                verification: Box::new(verification),
                decision: decision(f),
            }
        }
        Some(IdentStep::DataComparison) => IdentAction::Compare {
            checked_with: f.all("checked_with"),
            discrepancies: f.get("discrepancies"),
            decision: decision(f),
        },
        Some(IdentStep::Appraisal) => IdentAction::Appraise {
            meeting: meeting(f, on).map_err(|e| failure(e, lang))?,
            decision: decision(f),
        },
        Some(IdentStep::PublicNotice) => IdentAction::PostNotice {
            place: f.get("place"),
        },
        Some(IdentStep::NoticeClosed) => IdentAction::CloseNotice {
            objections: f
                .get("objections")
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(str::to_string)
                .collect(),
            decision: decision(f),
        },
        _ => {
            return Err(failure(
                bad("该步骤不能在此办理", "This step is not taken here"),
                lang,
            ));
        }
    };
    execute(state, user, number, f, on, Command::Identify { action }).await
}

/// POST /households/{n}/case/ident (multipart)
pub async fn ident_submit(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(number): Path<String>,
    form: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Response {
    let (mut f, uploads) = match checked_form(&user, form).await {
        Ok(x) => x,
        Err(page) => return page,
    };
    match ident_command(&state, &user, &number, &mut f, &uploads).await {
        Ok(()) => done(&number),
        Err(Failure::Form(r)) => ident_page(&state, &user, &number, Some((f, r))).await,
        Err(Failure::Page(e)) => e.into_response(),
    }
}

/// POST /households/{n}/case/green-channel (multipart) — 绿色通道.
pub async fn green_submit(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(number): Path<String>,
    form: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Response {
    let (f, _) = match checked_form(&user, form).await {
        Ok(x) => x,
        Err(page) => return page,
    };
    let result = dated_command(&state, &user, &number, &f, |f| Command::Identify {
        action: IdentAction::OpenGreenChannel {
            reason: f.get("reason"),
        },
    })
    .await;
    match result {
        Ok(()) => done(&number),
        Err(Failure::Form(r)) => ident_page(&state, &user, &number, Some((f, r))).await,
        Err(Failure::Page(e)) => e.into_response(),
    }
}
