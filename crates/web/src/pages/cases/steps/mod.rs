//! The step forms of a case (办理步骤) for the role whose turn it is, all through the store's command
//! layer (`shouwang_app::lifecycle::execute`, as the JSON API and the CLI):
//!
//! - `GET|POST /households/{n}/case/ident` — the village's identification steps (§三(二)):
//!   入户核查 (the visit on a phone: 两不愁三保障 and the water indicators, re-estimated income,
//!   承诺授权, the household's signature, photos uploaded to `store::files`), 信息比对, 民主评议,
//!   公示 (place, date; the closing date follows the county's 公示期) and 公示期满;
//!   `POST /households/{n}/case/green-channel` — 绿色通道 for township and county admins;
//! - `GET|POST /households/{n}/case/exit` — the exit steps (§三(三)): 预判提名, 预判会议决定,
//!   入户核查 (the four checks), 民主评议, 退出告知 (issues the numbered notice and opens the printable
//!   page); `POST /households/{n}/case/exit/withdraw` — 终止退出程序;
//! - `GET|POST /households/{n}/case/measures/{i}` — 开始实施 and 完成 of a measure, the completion with
//!   evidence files (the core refuses it without).
//!
//! Forms post `multipart/form-data` with the CSRF token and the case version; the token is checked
//! before any file is stored. A refusal re-shows the form with what was typed (files already uploaded
//! are kept as hidden references) and the reason in the page language: 422 for bad or missing input,
//! 409 for a step out of order or a stale version; role or area refusals are the 403/404 page.

use askama::Template;
use axum::Router;
use axum::extract::{DefaultBodyLimit, Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::response::Response;
use axum::routing::{get, post};
use chrono::{Datelike, NaiveDate};
use shouwang_app::Kind;
use shouwang_app::lifecycle::{self, Request};
use shouwang_core::CodeList;
use shouwang_core::access::Role;
use shouwang_core::codes::{CodeOverrides, EliminationMode, Guarantee, HousingSafety};
use shouwang_core::income::IncomeRecord;
use shouwang_core::monitoring::command::ExitCommand;
use shouwang_core::monitoring::exit::WITHDRAW_ROLES;
use shouwang_core::monitoring::identification::GREEN_CHANNEL_ROLES;
use shouwang_core::monitoring::measures::{Completion, PROGRESS_ROLES};
use shouwang_core::monitoring::verification::{Authorisation, WaterCheck};
use shouwang_core::monitoring::{
    Attachment, Command, Decision, ExitCheck, ExitStep, IdentAction, IdentStep, MeasureAction,
    MeasureStatus, Meeting, RefusalCode, Signature, Standards, Verification,
};
use shouwang_store::StoreError;
use shouwang_store::repo;
use shouwang_store::repo::cases::CaseRecord;

use crate::AppState;
use crate::auth::{CurrentUser, check_csrf};
use crate::http::error::AppError;
use crate::http::form::encode;
use crate::http::i18n::{I18n, Lang};
use crate::http::render::{render_status, see_other};
use crate::pages::cases::{Choice, Fields, caller, choices};
use crate::pages::income::{INCOME_FIELDS, parse_income};

mod exit;
mod ident;
mod measure;

pub use exit::{exit_form, exit_step, exit_submit, withdraw_submit};
pub use ident::{green_submit, ident_form, ident_step, ident_submit};
pub use measure::{measure_form, measure_submit};

/// Largest form body: a few photos of at most 10 MiB each.
pub const FORM_LIMIT: usize = 4 * shouwang_app::attachments::MAX_ATTACHMENT_BYTES + 256 * 1024;

/// The routes of this module.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/households/{number}/case/ident",
            get(ident_form).post(ident_submit),
        )
        .route(
            "/households/{number}/case/green-channel",
            post(green_submit),
        )
        .route(
            "/households/{number}/case/exit",
            get(exit_form).post(exit_submit),
        )
        .route(
            "/households/{number}/case/exit/withdraw",
            post(withdraw_submit),
        )
        .route(
            "/households/{number}/case/measures/{index}",
            get(measure_form).post(measure_submit),
        )
        .layer(DefaultBodyLimit::max(FORM_LIMIT))
}

// ---------------------------------------------------------------------------------------------------
// Form input.

/// A file of the form.
pub(crate) struct Upload {
    field: String,
    name: String,
    media_type: String,
    bytes: axum::body::Bytes,
}

fn bad(zh: impl Into<String>, en: impl Into<String>) -> AppError {
    AppError::bad_request("bad_request", zh.into(), en.into())
}

/// Reads a multipart form: the text fields and the files chosen (an empty file input is skipped).
async fn read_form(
    form: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Result<(Fields, Vec<Upload>), AppError> {
    let unreadable = |_| {
        bad(
            "表单无法读取（文件过大或上传中断），请重试",
            "The form could not be read (file too large or upload interrupted); try again",
        )
    };
    let mut mp = form.map_err(|_| bad("表单格式不正确", "Not a multipart form"))?;
    let mut pairs = Vec::new();
    let mut files = Vec::new();
    while let Some(field) = mp.next_field().await.map_err(unreadable)? {
        let name = field.name().unwrap_or("").to_string();
        if let Some(file_name) = field.file_name().map(str::to_owned) {
            let media_type = field.content_type().unwrap_or("").to_owned();
            let bytes = field.bytes().await.map_err(unreadable)?;
            if file_name.is_empty() && bytes.is_empty() {
                continue;
            }
            files.push(Upload {
                field: name,
                name: file_name,
                media_type,
                bytes,
            });
        } else {
            let text = field.text().await.map_err(unreadable)?;
            pairs.push((name, text));
        }
    }
    Ok((Fields(pairs), files))
}

/// Reads a multipart step form and checks its CSRF token; on failure, the error page to answer with.
pub(crate) async fn checked_form(
    user: &CurrentUser,
    form: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Result<(Fields, Vec<Upload>), Response> {
    let (f, uploads) = read_form(form).await.map_err(|e| e.into_response())?;
    check_csrf(user, &f.get("csrf")).map_err(|e| e.into_response())?;
    Ok((f, uploads))
}

/// Stores the files of `field` (store::files: SHA-256, type and size checks, audit row) and returns
/// them with the ones uploaded before (hidden `att_{field}` values `sha|type|name`); the references
/// are added to the form so that a re-shown form keeps them.
pub(crate) async fn attachments(
    state: &AppState,
    user: &CurrentUser,
    f: &mut Fields,
    uploads: &[Upload],
    field: &str,
) -> Result<Vec<Attachment>, StoreError> {
    let key = format!("att_{field}");
    for u in uploads.iter().filter(|u| u.field == field) {
        let row = shouwang_app::attachments::upload(
            &state.db,
            &state.files,
            &caller(user),
            &u.name,
            &u.media_type,
            &u.bytes,
        )
        .await?;
        f.0.push((
            key.clone(),
            format!("{}|{}|{}", row.sha256, row.media_type, row.name),
        ));
    }
    Ok(f.0
        .iter()
        .filter(|(k, _)| *k == key)
        .filter_map(|(_, v)| {
            let mut parts = v.splitn(3, '|');
            Some(Attachment {
                sha256: parts.next()?.trim().to_ascii_lowercase(),
                media_type: parts.next()?.trim().to_string(),
                name: parts.next()?.trim().to_string(),
            })
        })
        .collect())
}

/// The values a form shows: what was typed (re-shown after a refusal) or the defaults.
pub struct Values(Vec<(String, String)>);

impl Values {
    fn new(defaults: &[(&str, &str)]) -> Values {
        Values(
            defaults
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        )
    }
    /// The value of a field ("" when none).
    pub fn get(&self, name: &str) -> String {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    }
    /// Whether the field has this value (a checked radio or check box).
    pub fn is(&self, name: &str, value: &str) -> bool {
        self.0.iter().any(|(k, v)| k == name && v == value)
    }
    /// The uploaded files kept for `field`: (reference, file name).
    pub fn files(&self, field: &str) -> Vec<(String, String)> {
        let key = format!("att_{field}");
        self.0
            .iter()
            .filter(|(k, _)| *k == key)
            .map(|(_, v)| (v.clone(), v.splitn(3, '|').nth(2).unwrap_or("").to_string()))
            .collect()
    }
}

/// The refusal shown above a re-shown form.
struct Refused {
    status: StatusCode,
    message: String,
}

/// A failed submission: the form again (422 bad input, 409 order or stale version) or an error page.
enum Failure {
    Form(Refused),
    Page(AppError),
}

fn failure(e: AppError, lang: Lang) -> Failure {
    match e.kind() {
        Kind::BadRequest | Kind::Invalid => Failure::Form(Refused {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            message: e.message_for(lang),
        }),
        Kind::Conflict => Failure::Form(Refused {
            status: StatusCode::CONFLICT,
            message: e.message_for(lang),
        }),
        _ => Failure::Page(e),
    }
}

fn store_failure(e: StoreError, lang: Lang) -> Failure {
    match &e {
        StoreError::Refused(r) if !r.is_forbidden() => {
            let status = match r.code {
                RefusalCode::InvalidInput
                | RefusalCode::EvidenceRequired
                | RefusalCode::SignatureRequired => StatusCode::UNPROCESSABLE_ENTITY,
                _ => StatusCode::CONFLICT,
            };
            Failure::Form(Refused {
                status,
                message: lang.pick(&r.message_zh, &r.message_en).to_string(),
            })
        }
        StoreError::Invalid { .. } => Failure::Form(Refused {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            message: AppError::from(e).message_for(lang),
        }),
        StoreError::StaleVersion { .. } => Failure::Form(Refused {
            status: StatusCode::CONFLICT,
            message: lang.pick(&e.message_zh(), &e.to_string()).to_string(),
        }),
        _ => Failure::Page(AppError::from(e)),
    }
}

/// The re-estimated income (`None` when every amount is blank and `required` is false). It covers the 12
/// months before the visit, so a blank year is the year the middle of that period falls in (a visit
/// in January 2022 estimates 2021).
fn income(f: &Fields, on: NaiveDate, required: bool) -> Result<Option<IncomeRecord>, AppError> {
    let middle = on - chrono::Duration::days(183);
    parse_income(f, middle.year(), required)
}

fn the_date(f: &Fields) -> Result<NaiveDate, AppError> {
    f.date("on")
        .ok_or_else(|| bad("请填写日期", "The date is required"))
}

fn decision(f: &Fields) -> Decision {
    if f.get("result") == "fail" {
        Decision::fail(f.get("opinion"))
    } else {
        Decision::pass(f.get("opinion"))
    }
}

fn meeting(f: &Fields, on: NaiveDate) -> Result<Meeting, AppError> {
    let attendance = f
        .get("attendance")
        .parse::<u32>()
        .map_err(|_| bad("参会人数须为整数", "The attendance must be a whole number"))?;
    Ok(Meeting {
        held_on: on,
        attendance,
        minutes: f.get("minutes"),
    })
}

/// The visit of 入户核查 (identification and exit) from the form; photos and the authorisation scan
/// are stored first.
async fn verification(
    state: &AppState,
    user: &CurrentUser,
    f: &mut Fields,
    uploads: &[Upload],
    income_required: bool,
) -> Result<Verification, Failure> {
    let lang = user.lang;
    let on = the_date(f).map_err(|e| failure(e, lang))?;
    let income = income(f, on, income_required).map_err(|e| failure(e, lang))?;
    let photos = attachments(state, user, f, uploads, "photo")
        .await
        .map_err(|e| store_failure(e, lang))?;
    let auth_files = attachments(state, user, f, uploads, "auth_file")
        .await
        .map_err(|e| store_failure(e, lang))?;
    let auth_by = f.get("auth_by");
    let authorisation = (!auth_by.is_empty()).then(|| Authorisation {
        by: auth_by,
        on: f.date("auth_on").unwrap_or(on),
        attachment: auth_files.last().cloned(),
    });
    let signature = if f.get("signed") == "0" {
        Signature::NotSigned {
            reason: f.get("unsigned_reason"),
        }
    } else {
        Signature::Signed {
            by: f.get("signed_by"),
            on,
        }
    };
    let housing_grade = HousingSafety::from_code(&f.get("housing"));
    Ok(Verification {
        visited_on: on,
        visitors: f
            .get("visitors")
            .split(['、', ',', '，', ';', '；', ' '])
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect(),
        findings: f.get("findings"),
        income,
        standards: Standards {
            food_secure: f.yes("food"),
            clothing_secure: f.yes("clothing"),
            problems: f
                .all("problem")
                .iter()
                .filter_map(|c| Guarantee::from_code(c))
                .collect(),
            housing_grade,
            water: Some(WaterCheck {
                quantity: f.yes("w_quantity"),
                quality: f.yes("w_quality"),
                convenience: f.yes("w_convenience"),
                reliability: f.yes("w_reliability"),
            }),
        },
        authorisation,
        signature,
        attachments: photos,
    })
}

/// Defaults of the visit form.
fn visit_defaults(today: &str, head: &str, members: usize) -> Vec<(String, String)> {
    let members = members.to_string();
    // the 12 months before the visit: the year their middle falls in (as `income` reads a blank year)
    let year = NaiveDate::parse_from_str(today, "%Y-%m-%d")
        .map(|d| (d - chrono::Duration::days(183)).year().to_string())
        .unwrap_or_default();
    [
        ("on", today),
        ("food", "1"),
        ("clothing", "1"),
        ("w_quantity", "1"),
        ("w_quality", "1"),
        ("w_convenience", "1"),
        ("w_reliability", "1"),
        ("signed", "1"),
        ("signed_by", head),
        ("auth_by", head),
        ("auth_on", today),
        ("inc_members", members.as_str()),
        ("inc_year", year.as_str()),
        ("result", "pass"),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect()
}

async fn case_and_head(
    state: &AppState,
    user: &CurrentUser,
    number: &str,
) -> Result<(CaseRecord, String, usize), AppError> {
    let rec = repo::cases::get(&state.db, &user.scope, number)
        .await?
        .ok_or(AppError::not_found())?;
    let detail = shouwang_app::households::show(&state.db, &user.caller(), number, false)
        .await?
        .ok_or(AppError::not_found())?;
    let head = detail
        .household
        .head()
        .map(|m| m.name.clone())
        .unwrap_or_default();
    Ok((rec, head, detail.household.members.len()))
}

fn household_path(number: &str) -> String {
    format!("/households/{}", encode(number))
}

fn done(number: &str) -> Response {
    see_other(&format!("{}?done=1", household_path(number)))
}

async fn execute(
    state: &AppState,
    user: &CurrentUser,
    number: &str,
    f: &Fields,
    on: NaiveDate,
    command: Command,
) -> Result<(), Failure> {
    let req = Request {
        household: number.to_string(),
        version: f.get("version").parse().ok(),
        on: Some(on),
        command,
    };
    lifecycle::execute(&state.db, &caller(user), req)
        .await
        .map(|_| ())
        .map_err(|e| store_failure(e, user.lang))
}

/// Executes a step that needs only the form's 办理日期 and fields read by `command` (绿色通道, 终止退出).
async fn dated_command(
    state: &AppState,
    user: &CurrentUser,
    number: &str,
    f: &Fields,
    command: impl FnOnce(&Fields) -> Command,
) -> Result<(), Failure> {
    let on = the_date(f).map_err(|e| failure(e, user.lang))?;
    execute(state, user, number, f, on, command(f)).await
}

/// Water indicators: (field, text key).
const WATER: [(&str, &str); 4] = [
    ("w_quantity", "st.w.quantity"),
    ("w_quality", "st.w.quality"),
    ("w_convenience", "st.w.convenience"),
    ("w_reliability", "st.w.reliability"),
];

/// Departments of 信息比对.
const DEPARTMENTS: [&str; 8] = [
    "财政",
    "公安",
    "住建",
    "人社",
    "市场监管",
    "医保",
    "民政",
    "不动产登记",
];

/// The parts of the visit form (shared by identification and exit).
pub struct VisitForm {
    pub problems: Vec<Choice>,
    pub housing: Vec<Choice>,
    pub water: [(&'static str, &'static str); 4],
    pub income: Vec<(&'static str, &'static str)>,
}

fn visit_form(i18n: I18n, codes: &CodeOverrides) -> VisitForm {
    VisitForm {
        problems: choices::<Guarantee>(i18n, codes, &[])
            .into_iter()
            .filter(|c| {
                c.value == Guarantee::CompulsoryEducation.code()
                    || c.value == Guarantee::BasicMedical.code()
            })
            .collect(),
        housing: choices::<HousingSafety>(i18n, codes, &[]),
        water: WATER,
        income: INCOME_FIELDS
            .iter()
            .map(|(n, zh, en)| (*n, i18n.lang.pick(zh, en)))
            .collect(),
    }
}

/// "下一步：公示期满（村级工作专班）": where a procedure stands when it is not this role's turn.
fn waiting_for<C: CodeList>(i18n: I18n, step: Option<C>, roles: &[Role]) -> String {
    let Some(s) = step else {
        return String::new();
    };
    let roles: Vec<&str> = roles.iter().map(|r| i18n.label(r)).collect();
    if i18n.is_en() {
        format!(
            "{}: {} ({})",
            i18n.t("st.next"),
            i18n.label(&s),
            roles.join(", ")
        )
    } else {
        format!(
            "{}：{}（{}）",
            i18n.t("st.next"),
            i18n.label(&s),
            roles.join("、")
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_keep_typed_files() {
        let v = Values(vec![
            (
                "att_photo".into(),
                format!("{}|image/png|门前.png", "a".repeat(64)),
            ),
            ("food".into(), "1".into()),
        ]);
        assert_eq!(v.files("photo")[0].1, "门前.png");
        assert!(v.is("food", "1"));
        assert_eq!(v.get("nope"), "");
    }

    #[test]
    fn income_blank_or_bad() {
        use shouwang_core::money::Fen;
        let on = NaiveDate::from_ymd_opt(2022, 1, 5).unwrap();
        let f = Fields(vec![("inc_members".into(), "3".into())]);
        assert_eq!(income(&f, on, false).unwrap(), None);
        let f = Fields(vec![
            ("inc_wage".into(), "12000".into()),
            ("inc_members".into(), "3".into()),
        ]);
        let r = income(&f, on, false).unwrap().unwrap();
        assert_eq!(
            (r.year, r.members, r.wage),
            (2021, 3, Fen::from_yuan(12000)),
            "a visit in January estimates the year before"
        );
        let july = NaiveDate::from_ymd_opt(2022, 7, 5).unwrap();
        assert_eq!(income(&f, july, false).unwrap().unwrap().year, 2022);
        let f = Fields(vec![
            ("inc_wage".into(), "12k".into()),
            ("inc_members".into(), "3".into()),
        ]);
        assert!(income(&f, on, true).is_err());
        let f = Fields(vec![("inc_wage".into(), "1".into())]);
        assert!(income(&f, on, true).is_err(), "members required");
    }
}
