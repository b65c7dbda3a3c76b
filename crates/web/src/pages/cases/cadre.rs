//! 确定帮扶责任人 (`/households/{n}/case/cadre`).

use super::*;

#[derive(Template)]
#[template(path = "cases/cadre.html")]
struct CadrePage<'a> {
    i18n: I18n,
    user: &'a CurrentUser,
    number: String,
    version: i64,
    current: String,
    cadres: Vec<Choice>,
    levels: Vec<Choice>,
    today: String,
    path: String,
}

/// GET /households/{n}/case/cadre
pub async fn cadre_form(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(number): Path<String>,
) -> Response {
    let i18n = user.i18n();
    let rec = match case_of(&state, &user, &number).await {
        Ok(r) => r,
        Err(e) => return e.into_response(),
    };
    let users = match repo::users::list(&state.db, &user.scope).await {
        Ok(u) => u,
        Err(e) => return AppError::from(e).into_response(),
    };
    // Active accounts whose area covers the household's village.
    let cadres = users
        .into_iter()
        .filter(|u| u.is_active && u.scope.covers(&rec.village_code))
        .filter(|u| {
            matches!(
                u.scope.role,
                Role::Cadre | Role::VillageTeam | Role::TownshipAdmin
            )
        })
        .map(|u| Choice {
            value: u.id.to_string(),
            label: format!("{}（{}）", u.display_name, i18n.label(&u.scope.role)),
            checked: false,
        })
        .collect();
    render(&CadrePage {
        i18n,
        user: &user,
        current: rec
            .case
            .cadres
            .current()
            .map(|a| a.cadre.name.clone())
            .unwrap_or_default(),
        number: rec.household_number.clone(),
        version: rec.version,
        cadres,
        levels: choices::<CadreLevel>(i18n, &CodeOverrides::new(), &[]),
        today: shouwang_app::today().to_string(),
        path: format!("{}/case/cadre", household_path(&number)),
    })
}

/// POST /households/{n}/case/cadre
pub async fn cadre_submit(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(number): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    let f = Fields(pairs);
    if let Err(e) = check_csrf(&user, &f.get("csrf")) {
        return e.into_response();
    }
    let Ok(cadre_user_id) = f.get("cadre").parse::<i64>() else {
        return bad("请选择帮扶责任人", "Choose the cadre").into_response();
    };
    let level = CadreLevel::from_code(&f.get("level")).unwrap_or(CadreLevel::Village);
    let phone = Some(f.get("phone")).filter(|p| !p.is_empty());
    let reason = f.get("reason");
    let action = if f.get("mode") == "reassign" {
        shouwang_core::monitoring::command::CadreCommand::Reassign {
            cadre_user_id,
            level,
            unit: f.get("unit"),
            phone,
            reason,
        }
    } else {
        shouwang_core::monitoring::command::CadreCommand::Assign {
            cadre_user_id,
            level,
            unit: f.get("unit"),
            phone,
        }
    };
    run(
        &state,
        &user,
        &number,
        version_of(&f),
        f.date("on"),
        Command::Cadre { action },
    )
    .await
}
