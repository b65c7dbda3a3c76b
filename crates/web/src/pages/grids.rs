//! 网格化管理 (B6, §四(六)) pages:
//! - `GET /grids?area=…` — the grids of the user's area (党支部, 网格长, 网格员, 户数; phones masked unless the
//!   role sees personal data), the households in a grid per village, the 网格台账 download;
//! - `GET|POST /grids/new` — a new grid (village team, township, county; one column, for a phone);
//! - `GET /grids/{id}` — a grid: its people, the form to change them, and every household of its village
//!   with its grid, to put into this grid or take out of it (分配农户);
//! - `POST /grids/{id}/edit`, `POST /grids/{id}/households` — through `shouwang_app::grids`.

use askama::Template;
use axum::Form;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use shouwang_app::assets::Versioned;
use shouwang_app::grids::{self, AssignInput, Coverage, GridSheet, GridView};
use shouwang_core::codes::RegionLevel;
use shouwang_core::grid::{GridDraft, GridPerson, MAX_MEMBERS, may_edit};

use crate::AppState;
use crate::auth::{CurrentUser, check_csrf};
use crate::http::error::{AppError, status_of};
use crate::http::form::{clean, opt};
use crate::http::i18n::{I18n, Lang};
use crate::http::render::{render_status, see_other};
use crate::pages::cases::{Fields, caller};
use crate::pages::households::FilterOption;
use crate::pages::regions::region_options;

/// The routes of this module.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/grids", get(list))
        .route("/grids/new", get(new_form).post(create))
        .route("/grids/{id}", get(show))
        .route("/grids/{id}/edit", post(edit))
        .route("/grids/{id}/households", post(assign))
}

#[derive(Deserialize, Default)]
pub struct ListQuery {
    area: Option<String>,
    done: Option<String>,
}

#[derive(Template)]
#[template(path = "grids/list.html")]
struct ListPage<'a> {
    i18n: I18n,
    user: &'a CurrentUser,
    path: String,
    grids: Vec<GridView>,
    coverage: Coverage,
    areas: Vec<FilterOption>,
    may_edit: bool,
}

impl ListPage<'_> {
    fn pct(&self, p: &Option<f64>) -> String {
        p.map(|p| format!("{p:.1}%")).unwrap_or_else(|| "—".into())
    }
}

/// GET /grids?area=…
pub async fn list(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<ListQuery>,
) -> Result<Response, AppError> {
    let area = opt(&q.area, 20);
    let c = caller(&user);
    let grids = grids::list(&state.db, &c, area.as_deref()).await?;
    let mut coverage = grids::coverage(&state.db, &c).await?;
    if let Some(a) = &area {
        coverage.villages.retain(|v| v.code.starts_with(a.as_str()));
    }
    let areas = region_options(&state.db, user.scope.area_prefix())
        .await?
        .into_iter()
        .filter(|r| r.code.len() > user.scope.area_prefix().len())
        .map(|r| FilterOption {
            selected: area.as_deref() == Some(r.code.as_str()),
            value: r.code,
            label: r.label,
        })
        .collect();
    let page = ListPage {
        i18n: user.i18n(),
        user: &user,
        path: "/grids".to_owned(),
        grids,
        coverage,
        areas,
        may_edit: may_edit(user.scope.role),
    };
    Ok(render_status(&page, StatusCode::OK))
}

/// The form's fields of a grid.
struct GridForm {
    village: String,
    name: String,
    branch: String,
    leader_name: String,
    leader_phone: String,
    /// 网格员 rows (name, phone), with blank rows to add.
    members: Vec<(String, String)>,
}

impl GridForm {
    fn of(d: &GridDraft) -> GridForm {
        GridForm {
            village: d.village.clone(),
            name: d.name.clone(),
            branch: d.branch.clone(),
            leader_name: d.leader.name.clone(),
            leader_phone: d.leader.phone.clone(),
            members: with_blanks(d.members.iter().map(|m| (m.name.clone(), m.phone.clone()))),
        }
    }

    fn draft(&self) -> GridDraft {
        GridDraft {
            village: self.village.clone(),
            name: self.name.clone(),
            branch: self.branch.clone(),
            leader: GridPerson {
                name: self.leader_name.clone(),
                phone: self.leader_phone.clone(),
            },
            members: self
                .members
                .iter()
                .map(|(name, phone)| GridPerson {
                    name: name.clone(),
                    phone: phone.clone(),
                })
                .collect(),
        }
    }

    /// The fields of a posted form (`member_name_N`, `member_phone_N` for the 网格员).
    fn parse(f: &Fields) -> GridForm {
        let members = f
            .indices("member_name_")
            .into_iter()
            .take(MAX_MEMBERS + 1)
            .map(|i| {
                (
                    f.get(&format!("member_name_{i}")),
                    f.get(&format!("member_phone_{i}")),
                )
            })
            .collect();
        GridForm {
            village: f.get("village"),
            name: f.get("name"),
            branch: f.get("branch"),
            leader_name: f.get("leader_name"),
            leader_phone: f.get("leader_phone"),
            members,
        }
    }
}

/// The 网格员 rows with three blank ones to fill.
fn with_blanks(rows: impl Iterator<Item = (String, String)>) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = rows
        .filter(|(n, p)| !n.is_empty() || !p.is_empty())
        .collect();
    let room = MAX_MEMBERS.saturating_sub(v.len()).min(3);
    v.extend(std::iter::repeat_n((String::new(), String::new()), room));
    v
}

#[derive(Template)]
#[template(path = "grids/new.html")]
struct NewPage<'a> {
    i18n: I18n,
    user: &'a CurrentUser,
    path: String,
    villages: Vec<FilterOption>,
    form: GridForm,
    error: Option<String>,
}

async fn villages(
    state: &AppState,
    user: &CurrentUser,
    chosen: &str,
) -> Result<Vec<FilterOption>, AppError> {
    Ok(region_options(&state.db, user.scope.area_prefix())
        .await?
        .into_iter()
        .filter(|r| r.level == RegionLevel::Village)
        .map(|r| FilterOption {
            selected: r.code == chosen,
            value: r.code,
            label: r.label.trim().to_owned(),
        })
        .collect())
}

#[derive(Deserialize, Default)]
pub struct NewQuery {
    village: Option<String>,
}

async fn new_page(
    state: &AppState,
    user: &CurrentUser,
    form: GridForm,
    error: Option<String>,
    status: StatusCode,
) -> Result<Response, AppError> {
    let page = NewPage {
        i18n: user.i18n(),
        user,
        path: "/grids/new".to_owned(),
        villages: villages(state, user, &form.village).await?,
        form,
        error,
    };
    Ok(render_status(&page, status))
}

/// GET /grids/new?village=…
pub async fn new_form(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<NewQuery>,
) -> Result<Response, AppError> {
    let draft = GridDraft {
        village: opt(&q.village, 20).unwrap_or_default(),
        ..GridDraft::default()
    };
    new_page(&state, &user, GridForm::of(&draft), None, StatusCode::OK).await
}

/// POST /grids/new
pub async fn create(
    State(state): State<AppState>,
    user: CurrentUser,
    Form(raw): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let f = Fields(raw);
    check_csrf(&user, &f.get("csrf"))?;
    let form = GridForm::parse(&f);
    match grids::create(&state.db, &caller(&user), form.draft()).await {
        Ok(id) => Ok(see_other(&format!("/grids/{id}?done=1"))),
        Err(e) => {
            let message = e.message(user.i18n().lang == Lang::Zh).to_owned();
            let form = GridForm {
                members: with_blanks(form.members.into_iter()),
                ..form
            };
            new_page(&state, &user, form, Some(message), status_of(e.kind)).await
        }
    }
}

#[derive(Template)]
#[template(path = "grids/show.html")]
struct ShowPage<'a> {
    i18n: I18n,
    user: &'a CurrentUser,
    path: String,
    sheet: GridSheet,
    form: GridForm,
    error: Option<String>,
    done: bool,
}

impl ShowPage<'_> {
    /// Whether a household's grid is this one.
    fn mine(&self, grid: &Option<i64>) -> bool {
        *grid == Some(self.sheet.grid.id)
    }
}

fn show_page(
    user: &CurrentUser,
    sheet: GridSheet,
    form: Option<GridForm>,
    error: Option<String>,
    done: bool,
    status: StatusCode,
) -> Response {
    let form = form.unwrap_or_else(|| {
        let g = &sheet.grid;
        GridForm::of(&GridDraft {
            village: g.village.clone(),
            name: g.name.clone(),
            branch: g.branch.clone(),
            leader: g.leader.clone(),
            members: g.members.clone(),
        })
    });
    render_status(
        &ShowPage {
            i18n: user.i18n(),
            user,
            path: format!("/grids/{}", sheet.grid.id),
            sheet,
            form,
            error,
            done,
        },
        status,
    )
}

/// GET /grids/{id}
pub async fn show(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Query(q): Query<ListQuery>,
) -> Result<Response, AppError> {
    let sheet = grids::show(&state.db, &caller(&user), id).await?;
    Ok(show_page(
        &user,
        sheet,
        None,
        None,
        q.done.is_some(),
        StatusCode::OK,
    ))
}

/// The grid's page again with the reason of a refused change, when the grid is the user's to see; else
/// the error alone.
async fn refused(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
    form: Option<GridForm>,
    e: shouwang_app::Error,
) -> Response {
    match grids::show(&state.db, &caller(user), id).await {
        Ok(sheet) => {
            let message = e.message(user.i18n().lang == Lang::Zh).to_owned();
            show_page(user, sheet, form, Some(message), false, status_of(e.kind))
        }
        Err(_) => AppError::from(e).into_response(),
    }
}

fn version_of(f: &Fields) -> Option<i64> {
    f.get("version").trim().parse::<i64>().ok()
}

/// POST /grids/{id}/edit
pub async fn edit(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Form(raw): Form<Vec<(String, String)>>,
) -> Response {
    let f = Fields(raw);
    if let Err(e) = check_csrf(&user, &f.get("csrf")) {
        return e.into_response();
    }
    let form = GridForm::parse(&f);
    let change = Versioned {
        version: version_of(&f).or(Some(-1)),
        body: form.draft(),
    };
    match grids::update(&state.db, &caller(&user), id, change).await {
        Ok(()) => see_other(&format!("/grids/{id}?done=1")),
        Err(e) => {
            let form = GridForm {
                members: with_blanks(form.members.into_iter()),
                ..form
            };
            refused(&state, &user, id, Some(form), e).await
        }
    }
}

/// POST /grids/{id}/households: `household` check boxes (ids), `action` `assign` or `remove`.
pub async fn assign(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Form(raw): Form<Vec<(String, String)>>,
) -> Response {
    let f = Fields(raw);
    if let Err(e) = check_csrf(&user, &f.get("csrf")) {
        return e.into_response();
    }
    let mut households = Vec::new();
    for v in f.all("household") {
        match clean(&v, 24).parse::<i64>() {
            Ok(h) => households.push(h),
            Err(_) => {
                return AppError::bad_request(
                    "bad_request",
                    "所选农户有误",
                    "A chosen household is not a household id",
                )
                .into_response();
            }
        }
    }
    let input = AssignInput {
        version: version_of(&f).or(Some(-1)),
        households,
        remove: f.get("action") == "remove",
    };
    match grids::assign(&state.db, &caller(&user), id, input).await {
        Ok(_) => see_other(&format!("/grids/{id}?done=1")),
        Err(e) => refused(&state, &user, id, None, e).await,
    }
}
