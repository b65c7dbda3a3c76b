//! 启动识别 and the approval steps (乡镇审核, 县级审定, 纳入监测).

use super::*;

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
