//! 清产核资导入 (§四(二)3, issue 23) page: `GET /assets/import` (the upload form) and `POST /assets/import`
//! (a workbook of assets, one row per asset under the 扶贫项目资产台账's columns; `mode` = `dry_run`, the
//! default, or `commit`) — through `shouwang_app::assets::import::run`, the one path of the API and
//! `shouwang assets import`. The answer is the form again with the report: the verdict, the counts and
//! every rejected row with its file, row, column, value and reason. A small file: it runs at once, not as
//! a job.

use askama::Template;
use axum::Router;
use axum::extract::{DefaultBodyLimit, Multipart, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use shouwang_app::assets::KEEPERS;
use shouwang_app::assets::import::{self, AssetImport, MAX_FILE};

use crate::AppState;
use crate::auth::{CurrentUser, check_csrf};
use crate::http::error::{AppError, status_of};
use crate::http::i18n::I18n;
use crate::http::multipart::{mb, read_form, temp_dir};
use crate::http::render::render_status;
use crate::pages::cases::caller;

/// The routes of this module.
pub fn routes() -> Router<AppState> {
    Router::new().route(
        "/assets/import",
        get(form)
            .post(upload)
            .layer(DefaultBodyLimit::max(MAX_FILE as usize + 1024 * 1024)),
    )
}

/// A problem as shown.
pub struct ProblemView {
    row: u32,
    column: String,
    value: String,
    reason: String,
}

/// The report as shown, in the page's language.
pub struct ResultView {
    file: String,
    ok: bool,
    verdict: String,
    rows: usize,
    accepted: usize,
    rejected: usize,
    imported: usize,
    problems: Vec<ProblemView>,
}

fn view(r: &AssetImport, i18n: I18n) -> ResultView {
    ResultView {
        file: r.file.clone(),
        ok: r.ok(),
        verdict: i18n.lang.pick(&r.verdict_zh, &r.verdict_en).to_owned(),
        rows: r.rows,
        accepted: r.accepted,
        rejected: r.rejected,
        imported: r.imported,
        problems: r
            .problems
            .iter()
            .map(|p| ProblemView {
                row: p.row,
                column: p.column.clone(),
                value: p.value.clone(),
                reason: i18n.lang.pick(&p.reason_zh, &p.reason_en).to_owned(),
            })
            .collect(),
    }
}

#[derive(Template)]
#[template(path = "assets/import.html")]
struct ImportPage<'a> {
    i18n: I18n,
    user: &'a CurrentUser,
    path: &'static str,
    max_mb: u64,
    error: Option<String>,
    result: Option<ResultView>,
}

fn page(
    user: &CurrentUser,
    error: Option<String>,
    result: Option<ResultView>,
    status: StatusCode,
) -> Response {
    render_status(
        &ImportPage {
            i18n: user.i18n(),
            user,
            path: "/assets/import",
            max_mb: mb(MAX_FILE),
            error,
            result,
        },
        status,
    )
}

/// GET /assets/import
pub async fn form(user: CurrentUser) -> Response {
    if !KEEPERS.contains(&user.scope.role) {
        return AppError::forbidden().into_response();
    }
    page(&user, None, None, StatusCode::OK)
}

/// POST /assets/import: `csrf`, `file`, `mode` (`dry_run` or `commit`). 200 with the report (422 when a
/// row was rejected), 403 a role that keeps no assets, 413 a file too large.
pub async fn upload(
    State(state): State<AppState>,
    user: CurrentUser,
    multipart: Multipart,
) -> Response {
    if !KEEPERS.contains(&user.scope.role) {
        return AppError::forbidden().into_response();
    }
    let dir = match temp_dir(&state.spool) {
        Ok(d) => d,
        Err(e) => return e.into_response(),
    };
    let form = match read_form(multipart, dir.path(), MAX_FILE).await {
        Ok(f) => f,
        Err(e) => {
            let status = e.status();
            return page(&user, Some(e.message_for(user.lang)), None, status);
        }
    };
    if let Err(e) = check_csrf(&user, form.text("csrf")) {
        return e.into_response();
    }
    let Some(file) = form.files.iter().find(|f| f.field == "file") else {
        let zh = user
            .i18n()
            .lang
            .pick("请选择要上传的文件", "Choose the file to upload");
        return page(
            &user,
            Some(zh.to_owned()),
            None,
            StatusCode::UNPROCESSABLE_ENTITY,
        );
    };
    let dry_run = form.text("mode") != "commit";
    let today = shouwang_app::today();
    match import::run(
        &state.db,
        &caller(&user),
        &file.path,
        &file.name,
        dry_run,
        today,
    )
    .await
    {
        Ok(r) => {
            let status = if r.ok() {
                StatusCode::OK
            } else {
                StatusCode::UNPROCESSABLE_ENTITY
            };
            page(&user, None, Some(view(&r, user.i18n())), status)
        }
        Err(e) => {
            let message = e.message(user.i18n().lang == crate::http::i18n::Lang::Zh);
            page(&user, Some(message.to_owned()), None, status_of(e.kind))
        }
    }
}
