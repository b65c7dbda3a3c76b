//! 部门数据上传 (`/screening/upload`): the department-data channel of clue intake (A1 channel 3,
//! 部门筛查预警, §三(一)1 "部门筛查预警"). A department data clerk (部门数据员), a township or the
//! county admin uploads the month's department files (医疗 medical, 教育 education, 残疾 disability,
//! 住房 housing, 灾害 disaster; CSV or a spreadsheet, one field per department); the round runs as a
//! background job through [`shouwang_app::screening::upload::start_round`] — the code path of
//! `POST /api/v1/screening/rounds`, and of `shouwang screen --month` for the round itself — and the job
//! page shows the summary ([`result_html`]): rows read and rejected per file (rejected rows downloadable
//! as `rejected.csv`), unmatched ID numbers, households flagged by risk type, clues recorded and already
//! present, with links to the households. Running the same month again records nothing new.

use askama::Template;
use axum::Router;
use axum::extract::{DefaultBodyLimit, Multipart, State};
use axum::response::IntoResponse;
use axum::response::Response;
use axum::routing::get;
pub use shouwang_app::screening::upload::MAX_UPLOAD;
use shouwang_app::screening::upload::{self, DEPARTMENTS, ScreeningSummary, department_label};
use shouwang_core::monitoring::YearMonth;
use shouwang_screen::FileKind;

use crate::AppState;
use crate::auth::{CurrentUser, check_csrf};
use crate::http::error::AppError;
use crate::http::i18n::{I18n, Lang};
use crate::http::multipart::{mb, read_form, temp_dir};
use crate::http::render::{render, render_status, see_other};

/// Rejected rows listed on the result page (all of them are in `rejected.csv`).
const SHOWN_REJECTED: usize = 100;
/// Households listed with links on the result page.
const SHOWN_HOUSEHOLDS: usize = 200;

/// The routes of this module.
pub fn routes() -> Router<AppState> {
    Router::new().route(
        "/screening/upload",
        get(form)
            .post(upload)
            .layer(DefaultBodyLimit::max(MAX_UPLOAD as usize + 1024 * 1024)),
    )
}

fn kind_label(kind: FileKind, lang: Lang) -> &'static str {
    let (zh, en) = department_label(kind);
    lang.pick(zh, en)
}

pub struct DepartmentField {
    pub field: &'static str,
    pub label: &'static str,
    pub columns: String,
}

#[derive(Template)]
#[template(path = "screening/upload.html")]
struct UploadPage<'a> {
    i18n: I18n,
    user: &'a CurrentUser,
    path: &'static str,
    month: String,
    fields: Vec<DepartmentField>,
    max_mb: u64,
    error: Option<String>,
}

fn page<'a>(user: &'a CurrentUser, month: String, error: Option<String>) -> UploadPage<'a> {
    let lang = user.lang;
    UploadPage {
        i18n: user.i18n(),
        user,
        path: "/screening/upload",
        month,
        fields: DEPARTMENTS
            .iter()
            .map(|k| DepartmentField {
                field: k.base(),
                label: kind_label(*k, lang),
                columns: k
                    .columns()
                    .iter()
                    .filter(|c| c.required)
                    .map(|c| c.name)
                    .collect::<Vec<_>>()
                    .join("、"),
            })
            .collect(),
        max_mb: mb(MAX_UPLOAD),
        error,
    }
}

/// GET /screening/upload
pub async fn form(user: CurrentUser) -> Response {
    if !user.may_upload() {
        return AppError::forbidden().into_response();
    }
    render(&page(&user, upload::last_month().to_string(), None))
}

/// The form again with the refusal `e` and its status.
fn refuse(user: &CurrentUser, month: &str, e: AppError) -> Response {
    let msg = e.message_for(user.lang);
    render_status(&page(user, month.to_owned(), Some(msg)), e.status())
}

/// POST /screening/upload: reads the form and starts the round's job; 303 to the job page.
pub async fn upload(
    State(state): State<AppState>,
    user: CurrentUser,
    multipart: Multipart,
) -> Response {
    if !user.may_upload() {
        return AppError::forbidden().into_response();
    }
    let dir = match temp_dir(&state.spool) {
        Ok(d) => d,
        Err(e) => return e.into_response(),
    };
    let form = match read_form(multipart, dir.path(), MAX_UPLOAD).await {
        Ok(f) => f,
        Err(e) => return refuse(&user, "", e),
    };
    if let Err(e) = check_csrf(&user, form.text("csrf")) {
        return e.into_response();
    }
    let month = form.text("month").to_owned();
    match upload::start_round(
        &state.jobs,
        &state.db,
        &user.caller(),
        &month,
        &form.files,
        dir,
    ) {
        Ok(id) => see_other(&format!("/jobs/{id}")),
        Err(e) => refuse(&user, &month, e.into()),
    }
}

pub struct FileRow {
    pub label: &'static str,
    pub name: String,
    pub rows: u64,
    pub malformed: u64,
    pub unmatched: u64,
}

pub struct RejectedRow<'a> {
    pub file: &'a str,
    pub line: u64,
    pub column: &'static str,
    pub value: &'a str,
    pub reason: &'a str,
}

pub struct HouseholdLink<'a> {
    pub number: &'a str,
    pub department: &'a str,
    pub risks: String,
    pub result: &'static str,
}

#[derive(Template)]
#[template(path = "screening/result.html")]
struct ResultFragment<'a> {
    i18n: I18n,
    round: String,
    line_year: i32,
    registry_households: u64,
    registry_members: u64,
    without_income: u64,
    seconds: String,
    flagged: u64,
    files: Vec<FileRow>,
    by_code: Vec<(&'static str, u64)>,
    recorded: shouwang_app::screening::department::RecordSummary,
    written: u64,
    rejected_total: usize,
    rejected: Vec<RejectedRow<'a>>,
    households: Vec<HouseholdLink<'a>>,
    households_total: usize,
}

/// A round's summary as the job page shows it, in `lang`.
pub fn result_html(s: &ScreeningSummary, lang: Lang) -> String {
    let i18n = I18n { lang };
    let files = s
        .files
        .iter()
        .map(|f| FileRow {
            label: DEPARTMENTS
                .iter()
                .find(|k| k.base() == f.department)
                .map_or(f.label_zh, |k| kind_label(*k, lang)),
            name: f
                .file
                .clone()
                .unwrap_or_else(|| lang.pick("（未上传）", "(not uploaded)").to_owned()),
            rows: f.rows,
            malformed: f.malformed,
            unmatched: f.unmatched,
        })
        .collect();
    let filed: Vec<HouseholdLink<'_>> = s
        .hits
        .iter()
        .filter(|h| matches!(h.result, "new_case" | "new_clue" | "merged"))
        .map(|h| HouseholdLink {
            number: &h.household,
            department: &h.department,
            risks: h
                .risks
                .iter()
                .map(|r| i18n.label(r))
                .collect::<Vec<_>>()
                .join("、"),
            result: lang.pick(h.result_zh, h.result_en),
        })
        .collect();
    let r = s.recorded;
    let round = match YearMonth::parse(&s.round) {
        Some(m) if lang == Lang::Zh => m.label_zh(),
        _ => s.round.clone(),
    };
    let fragment = ResultFragment {
        i18n,
        round,
        line_year: s.line_year,
        registry_households: s.registry_households,
        registry_members: s.registry_members,
        without_income: s.without_income,
        seconds: format!("{:.2}", s.seconds),
        flagged: s.flagged,
        files,
        by_code: s
            .by_code
            .iter()
            .filter(|c| c.households > 0)
            .map(|c| (lang.pick(c.label_zh, c.label_en), c.households))
            .collect(),
        recorded: r,
        written: r.new_cases + r.new_clues + r.merged,
        rejected_total: s.rejected.len(),
        rejected: s
            .rejected
            .iter()
            .take(SHOWN_REJECTED)
            .map(|x| RejectedRow {
                file: &x.file,
                line: x.line,
                column: x.column,
                value: &x.value,
                reason: &x.reason,
            })
            .collect(),
        households_total: filed.len(),
        households: filed.into_iter().take(SHOWN_HOUSEHOLDS).collect(),
    };
    fragment.render().unwrap_or_else(|e| {
        tracing::error!("screening result: {e}");
        String::new()
    })
}
