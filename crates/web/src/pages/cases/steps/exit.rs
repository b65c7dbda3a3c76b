//! 退出 steps (预判提名, 预判会议决定, 入户核查, 民主评议, 退出告知) and 终止退出程序.

use super::*;

#[derive(Template)]
#[template(path = "cases/steps/exit.html")]
struct ExitPage<'a> {
    i18n: I18n,
    user: &'a CurrentUser,
    number: String,
    head: String,
    version: i64,
    /// The step's code ("" when none for this role).
    step: &'static str,
    step_label: &'static str,
    withdraw: bool,
    /// Where the exit stands when it is not this role's turn.
    waiting: String,
    v: Values,
    error: String,
    visit: VisitForm,
    modes: Vec<Choice>,
    today: String,
    path: String,
}

/// The exit step waiting for this role: the running exit's next step, or 预判提名 of a monitored
/// household without one.
pub fn exit_step(rec: &CaseRecord, role: Role) -> Option<ExitStep> {
    let c = &rec.case;
    let next = match c.exits.last().and_then(|e| e.next_step()) {
        Some(s) => Some(s),
        None if c.lifecycle().is_monitored() => Some(ExitStep::Nomination),
        None => None,
    };
    next.filter(|s| s.roles().contains(&role))
}

async fn exit_page(
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
    let step = exit_step(&rec, user.scope.role);
    let (status, error, v) = match typed {
        Some((f, r)) => (r.status, r.message, Values(f.0)),
        None => {
            let mut d = visit_defaults(&today, &head, members);
            d.push(("measures_delivered".into(), "1".into()));
            d.push(("industry_ok".into(), "1".into()));
            (StatusCode::OK, String::new(), Values(d))
        }
    };
    let running = rec.case.exits.last().is_some_and(|e| e.is_in_progress());
    render_status(
        &ExitPage {
            i18n,
            user,
            number: rec.household_number.clone(),
            head,
            version: rec.version,
            step: step.map(|s| s.code()).unwrap_or(""),
            step_label: step.map(|s| i18n.label(&s)).unwrap_or(""),
            withdraw: running && WITHDRAW_ROLES.contains(&user.scope.role),
            waiting: {
                let next = rec.case.exits.last().and_then(|e| e.next_step());
                waiting_for(i18n, next, next.map(|s| s.roles()).unwrap_or(&[]))
            },
            modes: choices::<EliminationMode>(i18n, &codes, &[EliminationMode::Assisted]),
            v,
            error,
            visit: visit_form(i18n, &codes),
            today,
            path: format!("{}/case/exit", household_path(number)),
        },
        status,
    )
}

/// GET /households/{n}/case/exit
pub async fn exit_form(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(number): Path<String>,
) -> Response {
    exit_page(&state, &user, &number, None).await
}

async fn exit_command(
    state: &AppState,
    user: &CurrentUser,
    number: &str,
    f: &mut Fields,
    uploads: &[Upload],
) -> Result<ExitStep, Failure> {
    let lang = user.lang;
    let on = the_date(f).map_err(|e| failure(e, lang))?;
    let step = ExitStep::from_code(&f.get("step"))
        .ok_or_else(|| failure(bad("请选择退出步骤", "Choose the exit step"), lang))?;
    let command = match step {
        ExitStep::Nomination => Command::NominateExit,
        ExitStep::MeetingDecision => Command::Exit {
            action: ExitCommand::DecideAtMeeting {
                meeting: meeting(f, on).map_err(|e| failure(e, lang))?,
                decision: decision(f),
            },
        },
        ExitStep::HouseholdCheck => {
            let verification = verification(state, user, f, uploads, true).await?;
            Command::Exit {
                action: ExitCommand::CheckHousehold {
                    check: Box::new(ExitCheck {
                        verification,
                        measures_delivered: f.yes("measures_delivered"),
                        industry_employment_ok: f.yes("industry_ok"),
                        industry_employment: f.get("industry"),
                    }),
                    opinion: f.get("opinion"),
                },
            }
        }
        ExitStep::Appraisal => Command::Exit {
            action: ExitCommand::Appraise {
                meeting: meeting(f, on).map_err(|e| failure(e, lang))?,
                decision: decision(f),
                mode: EliminationMode::from_code(&f.get("mode"))
                    .unwrap_or(EliminationMode::Assisted),
            },
        },
        ExitStep::Notice => Command::IssueNotice,
    };
    execute(state, user, number, f, on, command).await?;
    Ok(step)
}

/// POST /households/{n}/case/exit (multipart); 退出告知 leads to the printable notice.
pub async fn exit_submit(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(number): Path<String>,
    form: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Response {
    let (mut f, uploads) = match checked_form(&user, form).await {
        Ok(x) => x,
        Err(page) => return page,
    };
    match exit_command(&state, &user, &number, &mut f, &uploads).await {
        Ok(ExitStep::Notice) => see_other(&format!("{}/notice", household_path(&number))),
        Ok(_) => done(&number),
        Err(Failure::Form(r)) => exit_page(&state, &user, &number, Some((f, r))).await,
        Err(Failure::Page(e)) => e.into_response(),
    }
}

/// POST /households/{n}/case/exit/withdraw (multipart) — 终止退出程序.
pub async fn withdraw_submit(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(number): Path<String>,
    form: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Response {
    let (f, _) = match checked_form(&user, form).await {
        Ok(x) => x,
        Err(page) => return page,
    };
    let result = dated_command(&state, &user, &number, &f, |f| Command::Exit {
        action: ExitCommand::Withdraw {
            reason: f.get("reason"),
        },
    })
    .await;
    match result {
        Ok(()) => done(&number),
        Err(Failure::Form(r)) => exit_page(&state, &user, &number, Some((f, r))).await,
        Err(Failure::Page(e)) => e.into_response(),
    }
}
