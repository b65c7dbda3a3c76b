//! 防止返贫监测线 on the pages (§三(一)1; issue 19): the province admin's page `/admin/lines` (the
//! province's line by year, whether its counties may set their own, the counties' own lines) and the
//! lines section of the county rules page, where the county admin sets the county's own line while the
//! province allows it. Who may set which is `shouwang_app::lines`'.

use askama::Template;
use axum::extract::{Form, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;
use shouwang_app::lines::{self, LinesView, Sets};
use shouwang_core::Fen;

use crate::AppState;
use crate::auth::{CurrentUser, check_csrf};
use crate::http::error::AppError;
use crate::http::i18n::{I18n, Lang};

/// One year of the lines table.
pub struct LineRow {
    pub year: i32,
    /// The province's line (元), or empty.
    pub province: String,
    /// The county's own line (元), or empty; for the province admin the counties that set one.
    pub county: String,
}

/// The lines section of a page (template `admin/lines_section.html`).
pub struct LinesSection {
    pub province: String,
    pub county: Option<String>,
    pub rows: Vec<LineRow>,
    /// Whether the province's counties may set their own line.
    pub allowed: bool,
    /// The form to show: the province's or the county's line, if the user may set one.
    pub sets: Option<Sets>,
    /// Where the form posts.
    pub action: &'static str,
    pub error: Option<String>,
    pub year: String,
    pub value: String,
}

impl LinesSection {
    /// The section of `view`, with what was typed and the reason of a refused line.
    pub fn new(view: &LinesView, action: &'static str, typed: Option<(&LineForm, String)>) -> Self {
        let mut years: Vec<i32> = view
            .lines
            .iter()
            .filter(|l| l.province == view.province)
            .map(|l| l.year)
            .chain(view.county_lines.iter().map(|l| l.year))
            .collect();
        years.sort_unstable();
        years.dedup();
        let rows = years
            .into_iter()
            .map(|year| LineRow {
                year,
                province: view
                    .lines
                    .iter()
                    .find(|l| l.province == view.province && l.year == year)
                    .map(|l| l.line.to_string())
                    .unwrap_or_default(),
                county: view
                    .county_lines
                    .iter()
                    .filter(|l| l.year == year)
                    .map(|l| match view.county {
                        Some(_) => l.line.to_string(),
                        None => format!("{} {}", l.county, l.line),
                    })
                    .collect::<Vec<_>>()
                    .join("；"),
            })
            .collect();
        let (error, year, value) = match typed {
            Some((f, why)) => (Some(why), f.year.clone(), f.line.clone()),
            None => (None, String::new(), String::new()),
        };
        LinesSection {
            province: view.province.clone(),
            county: view.county.clone(),
            rows,
            allowed: view.county_lines_allowed,
            sets: view.sets,
            action,
            error,
            year,
            value,
        }
    }

    /// Whether the line form is shown.
    pub fn editable(&self) -> bool {
        self.sets.is_some()
    }

    /// Whether the policy form is shown (the province admin).
    pub fn sets_policy(&self) -> bool {
        self.sets == Some(Sets::Province)
    }
}

/// The line form as typed.
#[derive(Deserialize, Default)]
pub struct LineForm {
    #[serde(default)]
    pub csrf: String,
    #[serde(default)]
    pub year: String,
    #[serde(default)]
    pub line: String,
}

impl LineForm {
    /// The year and the line, or the reason in the user's language.
    pub fn parse(&self, lang: Lang) -> Result<(i32, Fen), String> {
        let year_raw = self.year.trim();
        let line_raw = self.line.trim();
        let Some(year) = year_raw
            .parse::<i32>()
            .ok()
            .filter(|y| (2000..=2100).contains(y))
        else {
            return Err(lang
                .pick(
                    &format!("年度应为 2000 至 2100 之间的年份，收到“{year_raw}”"),
                    &format!("The year must be 2000 to 2100, got “{year_raw}”"),
                )
                .to_owned());
        };
        match Fen::parse_yuan(line_raw) {
            Ok(f) if f.0 > 0 => Ok((year, f)),
            _ => Err(lang
                .pick(
                    &format!("监测线应为大于 0 的金额（元，最多两位小数），收到“{line_raw}”"),
                    &format!(
                        "The line must be a positive amount in yuan (at most 2 decimals), got “{line_raw}”"
                    ),
                )
                .to_owned()),
        }
    }
}

/// Sets the line typed in `form` as `user` may ([`lines::set`]): `Ok` when saved, else the status and the
/// reason to show beside the form.
pub async fn save(
    state: &AppState,
    user: &CurrentUser,
    form: &LineForm,
) -> Result<(), (StatusCode, String)> {
    let (year, line) = form
        .parse(user.lang)
        .map_err(|why| (StatusCode::UNPROCESSABLE_ENTITY, why))?;
    lines::set(&state.db, &user.caller(), year, line)
        .await
        .map(|_| ())
        .map_err(|e| {
            let e = AppError::from(e);
            (e.status(), user.lang.pick(&e.0.zh, &e.0.en).to_owned())
        })
}

#[derive(Template)]
#[template(path = "admin/lines.html")]
struct LinesPage<'a> {
    i18n: I18n,
    user: &'a CurrentUser,
    path: &'a str,
    saved: Option<&'static str>,
    lines: LinesSection,
}

async fn page(
    state: &AppState,
    user: &CurrentUser,
    saved: Option<&'static str>,
    typed: Option<(&LineForm, String)>,
    status: StatusCode,
) -> Response {
    let view = match lines::view(&state.db, &user.caller()).await {
        Ok(v) if v.sets_policy() => v,
        Ok(_) => return AppError::forbidden().into_response(),
        Err(e) => return AppError::from(e).into_response(),
    };
    let p = LinesPage {
        i18n: user.i18n(),
        user,
        path: "/admin/lines",
        saved,
        lines: LinesSection::new(&view, "/admin/lines/line", typed),
    };
    match p.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(e) => AppError::internal(e.to_string()).into_response(),
    }
}

#[derive(Deserialize, Default)]
pub struct SavedQuery {
    #[serde(default)]
    saved: Option<String>,
}

/// `GET /admin/lines`: the province admin's page.
pub async fn show(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<SavedQuery>,
) -> Response {
    let saved = match q.saved.as_deref() {
        Some("line") => Some(user.i18n().t("adm.line_saved")),
        Some("policy") => Some(user.i18n().t("adm.lines.policy_saved")),
        _ => None,
    };
    page(&state, &user, saved, None, StatusCode::OK).await
}

/// `POST /admin/lines/line`: sets the province's line of a year.
pub async fn save_line(
    State(state): State<AppState>,
    user: CurrentUser,
    Form(form): Form<LineForm>,
) -> Response {
    if let Err(e) = check_csrf(&user, &form.csrf) {
        return e.into_response();
    }
    match save(&state, &user, &form).await {
        Ok(()) => Redirect::to("/admin/lines?saved=line").into_response(),
        Err((status, why)) => page(&state, &user, None, Some((&form, why)), status).await,
    }
}

#[derive(Deserialize, Default)]
pub struct PolicyForm {
    #[serde(default)]
    csrf: String,
    /// `county` (counties may set their own) or `province` (one line for all).
    #[serde(default)]
    policy: String,
}

/// `POST /admin/lines/policy`: whether the province's counties may set their own line.
pub async fn save_policy(
    State(state): State<AppState>,
    user: CurrentUser,
    Form(form): Form<PolicyForm>,
) -> Response {
    if let Err(e) = check_csrf(&user, &form.csrf) {
        return e.into_response();
    }
    let allowed = match form.policy.as_str() {
        "county" => true,
        "province" => false,
        _ => {
            return AppError::invalid("请选择监测线的设定方式", "Choose how the lines are set")
                .into_response();
        }
    };
    match lines::set_county_policy(&state.db, &user.caller(), allowed).await {
        Ok(_) => Redirect::to("/admin/lines?saved=policy").into_response(),
        Err(e) => AppError::from(e).into_response(),
    }
}
