//! 登记线索 (`/clues/new`, `/clues`): 农户申请, 信访舆情 and 干部排查 clues.

use super::*;

#[derive(Deserialize, Default)]
pub struct ClueQuery {
    channel: Option<String>,
    household: Option<String>,
}

#[derive(Template)]
#[template(path = "cases/clue.html")]
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
    let codes = match crate::pages::admin::codes::county_codes(&state, &user).await {
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
