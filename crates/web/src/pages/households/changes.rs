//! 户情变更 pages: the household's changes between imports, as small plain-HTML forms (no JavaScript; a
//! phone and an old PC alike). Each form sends one [`Change`] through `shouwang_app::households::change`,
//! the same function the JSON API and `shouwang household …` call; the rules, the version check and the
//! audit row are the app's and the store's.
//!
//! | URL | form |
//! | --- | --- |
//! | `GET`, `POST /households/{n}/members/new` | 新增成员 (出生, 婚入 …) |
//! | `GET`, `POST /households/{n}/members/{member}/edit` | a member's fields (劳动技能, 健康状况, 低保 …) |
//! | `GET`, `POST /households/{n}/members/{member}/leave` | 减员 (死亡, 迁出) with the date |
//! | `GET`, `POST /households/{n}/head` | 变更户主 |
//! | `GET`, `POST /households/{n}/edit` | 易地搬迁, 家庭住址, 联系电话 |
//!
//! `{member}` is the member's row id (a village user sees no full ID number). Every POST checks the CSRF
//! field. After a change the browser goes back to the household page with a confirmation
//! (`?changed=…`); a refused change (a rule, a stale version) shows the form again with the reason and
//! what the user typed. The household page shows the links and the former members through [`links`] and
//! [`former`] (the page module keeps only a line for each).

mod member;

use askama::Template;
use axum::Form;
use axum::Router;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use shouwang_app::Kind;
use shouwang_app::households::{self, Change, ChangeRequest, HouseholdPatch, MemberRef};
use shouwang_core::CodeList;
use shouwang_core::codes::{CodeOverrides, Relation};
use shouwang_store::repo::households::HouseholdDetail;

use crate::AppState;
use crate::auth::{CurrentUser, check_csrf};
use crate::http::error::AppError;
use crate::http::form::encode;
use crate::http::i18n::I18n;
use crate::http::render::{render, render_status, see_other};
use crate::pages::cases::{Choice, Fields, caller, choices, code_label};

/// The routes of the change forms.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/households/{number}/members/new",
            get(member::new_form).post(member::new_submit),
        )
        .route(
            "/households/{number}/members/{member}/edit",
            get(member::edit_form).post(member::edit_submit),
        )
        .route(
            "/households/{number}/members/{member}/leave",
            get(member::leave_form).post(member::leave_submit),
        )
        .route(
            "/households/{number}/head",
            get(head_form).post(head_submit),
        )
        .route(
            "/households/{number}/edit",
            get(household_form).post(household_submit),
        )
}

/// The confirmations after a change (`?changed=KEY` on the household page).
const DONE: &[&str] = &[
    "member_added",
    "member_updated",
    "member_left",
    "head_changed",
    "household_updated",
    "unchanged",
];

fn household_path(number: &str) -> String {
    format!("/households/{}", encode(number))
}

/// The household to change, in the user's area, with the county's code settings: 403 for a role that may
/// not change the registry, 404 for a household elsewhere.
async fn load(
    state: &AppState,
    user: &CurrentUser,
    number: &str,
) -> Result<(HouseholdDetail, CodeOverrides), AppError> {
    if !user.scope.role.may_change_registry() {
        return Err(AppError::forbidden_because(
            "只有村级工作专班、乡镇管理员和县级管理员可以变更农户信息",
            "Only village teams and township and county admins may change the registry",
        ));
    }
    if number.is_empty() || number.len() > 64 || number.chars().any(char::is_control) {
        return Err(AppError::not_found());
    }
    let d = shouwang_app::households::show(&state.db, &user.caller(), number, false)
        .await?
        .ok_or_else(AppError::not_found)?;
    let codes = crate::pages::admin::codes::county_codes(state, user).await?;
    Ok((d, codes))
}

/// How a refused change is answered.
enum Refused {
    /// The form again, with the reason and the user's input (a rule, a stale version, a conflict).
    Form(AppError),
    /// The error page (role, area, a missing member).
    Page(AppError),
}

/// Runs a change: back to the household page with the confirmation `done` (or `unchanged` when nothing
/// was written), or how the refusal is answered.
async fn submit(
    state: &AppState,
    user: &CurrentUser,
    number: &str,
    version: i64,
    change: Change,
    done: &str,
) -> Result<Response, Refused> {
    let req = ChangeRequest {
        household: number.to_owned(),
        version,
        change,
    };
    match households::change(&state.db, &caller(user), req).await {
        Ok(c) => {
            let key = if c.written { done } else { "unchanged" };
            Ok(see_other(&format!(
                "{}?changed={key}#household-changes",
                household_path(&c.household)
            )))
        }
        Err(e) if matches!(e.kind, Kind::Invalid | Kind::Conflict | Kind::BadRequest) => {
            Err(Refused::Form(AppError(e)))
        }
        Err(e) => Err(Refused::Page(AppError(e))),
    }
}

/// The message of a refused form in the page language.
fn message(user: &CurrentUser, e: &AppError) -> String {
    e.message_for(user.lang)
}

/// A version field (a form without one is stale: version 0).
fn version_of(f: &Fields) -> i64 {
    f.get("version").parse().unwrap_or(0)
}

// ---------------------------------------------------------------------------------------------------------
// The household page's parts.

#[derive(Template)]
#[template(path = "households/change_links.html")]
struct LinksBlock<'a> {
    i18n: I18n,
    number: &'a str,
    done: Option<&'static str>,
    may_change: bool,
}

/// The confirmation of a change and the links to the household's change forms (新增成员, 变更户主,
/// 修改户信息), for the household page; the links only for a role that may change the registry.
pub fn links(user: &CurrentUser, number: &str, changed: Option<&str>) -> String {
    let i18n = user.i18n();
    let done = changed
        .and_then(|c| DONE.iter().find(|k| **k == c))
        .map(|k| i18n.t(&format!("hc.done.{k}")));
    LinksBlock {
        i18n,
        number,
        done,
        may_change: user.scope.role.may_change_registry(),
    }
    .render()
    .unwrap_or_default()
}

/// The link to a member's change form on the household page (empty for a role that may not change).
pub fn member_link(user: &CurrentUser, number: &str, member_id: i64) -> String {
    if user.scope.role.may_change_registry() {
        format!("{}/members/{member_id}/edit", household_path(number))
    } else {
        String::new()
    }
}

/// A former member, ready to show.
pub struct FormerView {
    pub name: String,
    pub relation: String,
    pub id: String,
    pub reason: &'static str,
    pub left_on: String,
}

#[derive(Template)]
#[template(path = "households/former_members.html")]
struct FormerBlock {
    i18n: I18n,
    rows: Vec<FormerView>,
}

/// The former members (原家庭成员) with the reason and date, for the household page (empty when none). ID
/// numbers masked unless `full` (the page's audited full view).
pub fn former(
    user: &CurrentUser,
    d: &HouseholdDetail,
    codes: &CodeOverrides,
    full: bool,
) -> String {
    let i18n = user.i18n();
    if d.former_members.is_empty() {
        return String::new();
    }
    let rows = d
        .former_members
        .iter()
        .map(|f| FormerView {
            name: f.member.name.clone(),
            relation: code_label(i18n, codes, &f.member.relation),
            id: if full {
                f.member.id_number.to_string()
            } else {
                f.member.id_number.masked()
            },
            reason: i18n.label(&f.reason),
            left_on: f.left_on.to_string(),
        })
        .collect();
    FormerBlock { i18n, rows }.render().unwrap_or_default()
}

// ---------------------------------------------------------------------------------------------------------
// 变更户主.

#[derive(Template)]
#[template(path = "households/head.html")]
struct HeadPage<'a> {
    i18n: I18n,
    user: &'a CurrentUser,
    path: String,
    number: String,
    version: i64,
    current: String,
    candidates: Vec<Choice>,
    relations: Vec<Choice>,
    error: Option<String>,
}

/// The change-of-head form, with `chosen` (member id, relation code) selected; `status` 200, or the
/// refusal's.
fn head_page(
    user: &CurrentUser,
    d: &HouseholdDetail,
    codes: &CodeOverrides,
    version: i64,
    chosen: (&str, &str),
    error: Option<&AppError>,
) -> Response {
    let i18n = user.i18n();
    let h = &d.household;
    let current = h.head().map(|m| m.name.clone()).unwrap_or_default();
    let candidates = h
        .members
        .iter()
        .zip(&d.member_ids)
        .filter(|(m, _)| m.relation != Relation::Head)
        .map(|(m, id)| Choice {
            value: id.to_string(),
            label: format!("{}（{}）", m.name, code_label(i18n, codes, &m.relation)),
            checked: chosen.0 == id.to_string(),
        })
        .collect();
    let selected: Vec<Relation> = Relation::from_code(chosen.1).into_iter().collect();
    let relations = choices::<Relation>(i18n, codes, &selected)
        .into_iter()
        .filter(|c| c.value != Relation::Head.code())
        .collect();
    let page = HeadPage {
        i18n,
        user,
        path: format!("{}/head", household_path(&h.number)),
        number: h.number.clone(),
        version,
        current,
        candidates,
        relations,
        error: error.map(|e| message(user, e)),
    };
    match error {
        Some(e) => render_status(&page, e.status()),
        None => render(&page),
    }
}

/// GET /households/{n}/head
pub async fn head_form(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(number): Path<String>,
) -> Response {
    match load(&state, &user, &number).await {
        Ok((d, codes)) => head_page(&user, &d, &codes, d.version, ("", ""), None),
        Err(e) => e.into_response(),
    }
}

/// POST /households/{n}/head
pub async fn head_submit(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(number): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    let f = Fields(pairs);
    if let Err(e) = check_csrf(&user, &f.get("csrf")) {
        return e.into_response();
    }
    let (d, codes) = match load(&state, &user, &number).await {
        Ok(x) => x,
        Err(e) => return e.into_response(),
    };
    let version = version_of(&f);
    let (who, relation) = (f.get("member"), f.get("former_head_becomes"));
    let change = match (MemberRef::parse(&who), Relation::from_code(&relation)) {
        (Ok(member), Some(former_head_becomes)) => Change::ChangeHead {
            member,
            former_head_becomes,
        },
        _ => {
            let e = AppError::invalid(
                "请选择新户主和原户主的新关系",
                "Choose the new head and the former head's new relation",
            );
            return head_page(&user, &d, &codes, version, (&who, &relation), Some(&e));
        }
    };
    match submit(&state, &user, &number, version, change, "head_changed").await {
        Ok(r) => r,
        Err(Refused::Form(e)) => head_page(&user, &d, &codes, version, (&who, &relation), Some(&e)),
        Err(Refused::Page(e)) => e.into_response(),
    }
}

// ---------------------------------------------------------------------------------------------------------
// 修改户信息.

#[derive(Template)]
#[template(path = "households/household_edit.html")]
struct HouseholdPage<'a> {
    i18n: I18n,
    user: &'a CurrentUser,
    path: String,
    number: String,
    version: i64,
    relocated: bool,
    address: String,
    phone: String,
    error: Option<String>,
}

/// What the household form shows.
struct HouseholdShown {
    version: i64,
    relocated: bool,
    address: String,
    phone: String,
}

fn household_page(
    user: &CurrentUser,
    number: &str,
    shown: HouseholdShown,
    error: Option<&AppError>,
) -> Response {
    let page = HouseholdPage {
        i18n: user.i18n(),
        user,
        path: format!("{}/edit", household_path(number)),
        number: number.to_owned(),
        version: shown.version,
        relocated: shown.relocated,
        address: shown.address,
        phone: shown.phone,
        error: error.map(|e| message(user, e)),
    };
    match error {
        Some(e) => render_status(&page, e.status()),
        None => render(&page),
    }
}

/// GET /households/{n}/edit
pub async fn household_form(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(number): Path<String>,
) -> Response {
    match load(&state, &user, &number).await {
        Ok((d, _)) => {
            let h = &d.household;
            household_page(
                &user,
                &h.number,
                HouseholdShown {
                    version: d.version,
                    relocated: h.is_relocated,
                    address: h.address.clone(),
                    phone: h.phone.clone().unwrap_or_default(),
                },
                None,
            )
        }
        Err(e) => e.into_response(),
    }
}

/// POST /households/{n}/edit
pub async fn household_submit(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(number): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    let f = Fields(pairs);
    if let Err(e) = check_csrf(&user, &f.get("csrf")) {
        return e.into_response();
    }
    let shown = HouseholdShown {
        version: version_of(&f),
        relocated: f.yes("relocated"),
        address: f.get("address"),
        phone: f.get("phone"),
    };
    let change = Change::UpdateHousehold(HouseholdPatch {
        is_relocated: Some(shown.relocated),
        address: Some(shown.address.clone()),
        phone: Some(shown.phone.clone()),
    });
    match submit(
        &state,
        &user,
        &number,
        shown.version,
        change,
        "household_updated",
    )
    .await
    {
        Ok(r) => r,
        Err(Refused::Form(e)) => household_page(&user, &number, shown, Some(&e)),
        Err(Refused::Page(e)) => e.into_response(),
    }
}
