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
use shouwang_core::money::Fen;
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
use crate::case_pages::{Choice, Fields, caller, choices};
use crate::error::AppError;
use crate::i18n::{I18n, Lang};
use crate::page::{encode, render_status, see_other};

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

/// Texts of these pages (`st.*` keys, reached through [`crate::i18n`]).
pub fn text(key: &str) -> Option<(&'static str, &'static str)> {
    Some(match key {
        "st.ident" => ("识别办理", "Identification step"),
        "st.exit" => ("退出办理", "Exit step"),
        "st.measure" => ("措施落实", "Measure progress"),
        "st.none" => (
            "当前没有您可办理的步骤",
            "There is no step for you to take now",
        ),
        "st.on" => ("办理日期", "Date"),
        "st.visit_on" => ("核查日期", "Visit date"),
        "st.visitors" => ("核查人员（用顿号分隔）", "Visitors (separated by 、)"),
        "st.findings" => ("核查情况", "Findings"),
        "st.two" => ("两不愁", "Food and clothing"),
        "st.food" => ("不愁吃", "Food secure"),
        "st.clothing" => ("不愁穿", "Clothing secure"),
        "st.three" => ("三保障问题", "Guarantee problems"),
        "st.housing" => ("住房安全等级", "Housing safety grade"),
        "st.housing.none" => ("未鉴定", "Not assessed"),
        "st.water" => ("饮水安全", "Drinking water"),
        "st.w.quantity" => ("水量达标", "Quantity"),
        "st.w.quality" => ("水质达标", "Quality"),
        "st.w.convenience" => ("用水方便", "Convenience"),
        "st.w.reliability" => ("供水有保障", "Reliability"),
        "st.income" => ("收入测算（元，可不填）", "Income estimate (yuan, optional)"),
        "st.income.req" => ("收入测算（元）", "Income estimate (yuan)"),
        "st.year" => ("年度", "Year"),
        "st.members" => ("家庭人口", "Members"),
        "st.auth" => ("承诺授权", "Consent and authorisation"),
        "st.auth_by" => ("授权人", "Authorised by"),
        "st.auth_on" => ("授权日期", "Date"),
        "st.auth_file" => ("授权书扫描件", "Signed authorisation (scan)"),
        "st.sign" => ("农户签字", "Household signature"),
        "st.signed" => ("已签字", "Signed"),
        "st.unsigned" => ("未签字", "Not signed"),
        "st.signed_by" => ("签字人", "Signed by"),
        "st.unsigned_reason" => ("未签字原因", "Reason"),
        "st.photos" => ("入户照片", "Photos"),
        "st.uploaded" => ("已上传", "Uploaded"),
        "st.result" => ("结果", "Result"),
        "st.pass" => ("通过", "Pass"),
        "st.fail" => ("不通过", "Fail"),
        "st.opinion" => ("意见（不通过时必填）", "Opinion (required when failed)"),
        "st.go" => ("提交", "Submit"),
        "st.checked_with" => ("比对部门", "Compared with"),
        "st.discrepancies" => ("比对发现的问题（无则不填）", "Discrepancies (if any)"),
        "st.held_on" => ("会议日期", "Meeting date"),
        "st.attendance" => ("参会人数", "Attendance"),
        "st.minutes" => ("会议记录摘要", "Minutes"),
        "st.place" => ("公示地点", "Place"),
        "st.posted_on" => ("公示日期", "Posted on"),
        "st.days" => ("公示期（天）", "Notice period (days)"),
        "st.closes_on" => ("公示期满日期", "Period ends"),
        "st.objections" => (
            "收到的异议（每行一条，无则不填）",
            "Objections (one a line)",
        ),
        "st.green" => ("绿色通道", "Green channel"),
        "st.green.note" => (
            "突发严重困难的，先行帮扶，再履行认定程序",
            "For sudden severe hardship: assist first, complete the procedure after",
        ),
        "st.green.open" => ("已开通绿色通道", "The green channel is open"),
        "st.reason" => ("原因", "Reason"),
        "st.nominate.note" => (
            "按风险消除条件预判（收入稳定、刚性支出、两不愁三保障、纳入监测满期、开发式帮扶）",
            "Pre-judged against the risk-elimination conditions",
        ),
        "st.measures_delivered" => ("帮扶措施精准落实", "Measures delivered"),
        "st.industry_ok" => ("家庭产业就业稳定", "Industry and employment stable"),
        "st.industry" => ("产业就业情况", "Industry and employment"),
        "st.mode" => ("风险消除方式", "Elimination mode"),
        "st.notice.note" => (
            "签发后生成带文号的退出告知书，可打印",
            "Issues the numbered written notice, ready to print",
        ),
        "st.withdraw" => ("终止退出程序", "Withdraw the exit"),
        "st.start" => ("开始实施", "Start"),
        "st.note" => ("说明", "Note"),
        "st.complete" => ("完成", "Complete"),
        "st.description" => ("落实情况", "What was delivered"),
        "st.evidence" => (
            "佐证材料（照片、发放记录、合同等，至少一份）",
            "Evidence (photo, payment record, contract …; at least one)",
        ),
        "st.progress" => ("办理", "Record progress"),
        "st.measure_status" => ("措施状态", "Measure status"),
        "st.next" => ("下一步", "Next step"),
        _ => return None,
    })
}

// ---------------------------------------------------------------------------------------------------
// Form input.

/// A file of the form.
struct Upload {
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
async fn checked_form(
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
async fn attachments(
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

fn money(f: &Fields, name: &str, label: (&str, &str)) -> Result<Fen, AppError> {
    let s = f.get(name);
    if s.is_empty() {
        return Ok(Fen::ZERO);
    }
    Fen::parse_yuan(&s).map_err(|_| {
        bad(
            format!("{}金额格式不正确（如 5000 或 5000.50）", label.0),
            format!("{}: amount like 5000 or 5000.50", label.1),
        )
    })
}

const INCOME_FIELDS: [(&str, &str, &str); 11] = [
    ("inc_wage", "工资性收入", "Wage income"),
    ("inc_business", "生产经营性收入", "Business income"),
    ("inc_property", "财产性收入", "Property income"),
    ("inc_transfer", "转移性收入", "Transfer income"),
    ("inc_cost", "生产经营性支出", "Production cost"),
    ("inc_medical", "医疗刚性支出", "Rigid medical"),
    ("inc_education", "教育刚性支出", "Rigid education"),
    ("inc_disability", "残疾刚性支出", "Rigid disability"),
    ("inc_disaster", "灾害刚性支出", "Rigid disaster"),
    ("inc_payout", "保险理赔收入", "Insurance payout"),
    ("inc_members", "家庭人口", "Members"),
];

/// The re-estimated income (`None` when every amount is blank and `required` is false).
fn income(f: &Fields, on: NaiveDate, required: bool) -> Result<Option<IncomeRecord>, AppError> {
    let blank = INCOME_FIELDS
        .iter()
        .take(10)
        .all(|(n, _, _)| f.get(n).is_empty());
    if blank && !required {
        return Ok(None);
    }
    let m = |i: usize| {
        let (n, zh, en) = INCOME_FIELDS[i];
        money(f, n, (zh, en))
    };
    let members: u32 = f.get("inc_members").parse().map_err(|_| {
        bad(
            "收入测算须填写家庭人口（整数）",
            "The income estimate needs the number of members",
        )
    })?;
    let year = match f.get("inc_year").parse::<i32>() {
        Ok(y) if (2000..=2100).contains(&y) => y,
        _ => on.year(),
    };
    Ok(Some(IncomeRecord {
        year,
        wage: m(0)?,
        business: m(1)?,
        property: m(2)?,
        transfer: m(3)?,
        production_cost: m(4)?,
        rigid_medical: m(5)?,
        rigid_education: m(6)?,
        rigid_disability: m(7)?,
        rigid_disaster: m(8)?,
        insurance_payout: m(9)?,
        members,
    }))
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
    let year = today.get(..4).unwrap_or("").to_string();
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
    let detail = repo::households::get(&state.db, &user.scope, number)
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

// ---------------------------------------------------------------------------------------------------
// Identification (village steps and the green channel).

/// The village steps taken on this page.
const VILLAGE_STEPS: [IdentStep; 5] = [
    IdentStep::Verification,
    IdentStep::DataComparison,
    IdentStep::Appraisal,
    IdentStep::PublicNotice,
    IdentStep::NoticeClosed,
];

#[derive(Template)]
#[template(path = "case_ident.html")]
struct IdentPage<'a> {
    i18n: I18n,
    user: &'a CurrentUser,
    number: String,
    head: String,
    version: i64,
    /// The step's code ("" when none for this role).
    step: &'static str,
    step_label: &'static str,
    v: Values,
    error: String,
    visit: VisitForm,
    departments: Vec<(&'static str, bool)>,
    publicity_days: u32,
    posted_on: String,
    closes_on: String,
    green: bool,
    green_open: bool,
    /// Where the procedure stands when it is not this role's turn.
    waiting: String,
    today: String,
    path: String,
}

/// The village step waiting for this role, if any.
pub(crate) fn ident_step(rec: &CaseRecord, role: Role) -> Option<IdentStep> {
    rec.case
        .identification
        .as_ref()
        .and_then(|i| i.next_step())
        .filter(|s| VILLAGE_STEPS.contains(s) && s.roles().contains(&role))
}

async fn ident_page(
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
    let codes = match crate::codes_page::county_codes(state, user).await {
        Ok(c) => c,
        Err(e) => return e.into_response(),
    };
    let step = ident_step(&rec, user.scope.role);
    let ident = rec.case.identification.as_ref();
    let (status, error, v) = match typed {
        Some((f, r)) => (r.status, r.message, Values(f.0)),
        None => {
            let mut d = visit_defaults(&today, &head, members);
            d.push(("place".into(), "村委会公示栏".into()));
            (StatusCode::OK, String::new(), Values(d))
        }
    };
    let departments = DEPARTMENTS
        .iter()
        .map(|d| (*d, v.is("checked_with", d)))
        .collect();
    let running = ident.is_some_and(|i| !i.is_ended());
    render_status(
        &IdentPage {
            i18n,
            user,
            number: rec.household_number.clone(),
            head,
            version: rec.version,
            step: step.map(|s| s.code()).unwrap_or(""),
            step_label: step.map(|s| i18n.label(&s)).unwrap_or(""),
            v,
            error,
            visit: visit_form(i18n, &codes),
            departments,
            publicity_days: ident.map(|i| i.rules.publicity_days).unwrap_or(5),
            posted_on: ident
                .and_then(|i| i.record(IdentStep::PublicNotice))
                .map(|r| r.on.to_string())
                .unwrap_or_default(),
            closes_on: ident
                .and_then(|i| i.notice_closes_on())
                .map(|d| d.to_string())
                .unwrap_or_default(),
            green: running && GREEN_CHANNEL_ROLES.contains(&user.scope.role),
            green_open: ident.is_some_and(|i| i.green_channel.is_some()),
            waiting: {
                let next = ident.and_then(|i| i.next_step());
                waiting_for(i18n, next, next.map(|s| s.roles()).unwrap_or(&[]))
            },
            today,
            path: format!("{}/case/ident", household_path(number)),
        },
        status,
    )
}

/// GET /households/{n}/case/ident
pub async fn ident_form(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(number): Path<String>,
) -> Response {
    ident_page(&state, &user, &number, None).await
}

async fn ident_command(
    state: &AppState,
    user: &CurrentUser,
    number: &str,
    f: &mut Fields,
    uploads: &[Upload],
) -> Result<(), Failure> {
    let lang = user.lang;
    let on = the_date(f).map_err(|e| failure(e, lang))?;
    let action = match IdentStep::from_code(&f.get("step")) {
        Some(IdentStep::Verification) => {
            let verification = verification(state, user, f, uploads, false).await?;
            IdentAction::Verify {
                verification: Box::new(verification),
                decision: decision(f),
            }
        }
        Some(IdentStep::DataComparison) => IdentAction::Compare {
            checked_with: f.all("checked_with"),
            discrepancies: f.get("discrepancies"),
            decision: decision(f),
        },
        Some(IdentStep::Appraisal) => IdentAction::Appraise {
            meeting: meeting(f, on).map_err(|e| failure(e, lang))?,
            decision: decision(f),
        },
        Some(IdentStep::PublicNotice) => IdentAction::PostNotice {
            place: f.get("place"),
        },
        Some(IdentStep::NoticeClosed) => IdentAction::CloseNotice {
            objections: f
                .get("objections")
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(str::to_string)
                .collect(),
            decision: decision(f),
        },
        _ => {
            return Err(failure(
                bad("该步骤不能在此办理", "This step is not taken here"),
                lang,
            ));
        }
    };
    execute(state, user, number, f, on, Command::Identify { action }).await
}

/// POST /households/{n}/case/ident (multipart)
pub async fn ident_submit(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(number): Path<String>,
    form: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Response {
    let (mut f, uploads) = match checked_form(&user, form).await {
        Ok(x) => x,
        Err(page) => return page,
    };
    match ident_command(&state, &user, &number, &mut f, &uploads).await {
        Ok(()) => done(&number),
        Err(Failure::Form(r)) => ident_page(&state, &user, &number, Some((f, r))).await,
        Err(Failure::Page(e)) => e.into_response(),
    }
}

/// POST /households/{n}/case/green-channel (multipart) — 绿色通道.
pub async fn green_submit(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(number): Path<String>,
    form: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Response {
    let (f, _) = match checked_form(&user, form).await {
        Ok(x) => x,
        Err(page) => return page,
    };
    let result = dated_command(&state, &user, &number, &f, |f| Command::Identify {
        action: IdentAction::OpenGreenChannel {
            reason: f.get("reason"),
        },
    })
    .await;
    match result {
        Ok(()) => done(&number),
        Err(Failure::Form(r)) => ident_page(&state, &user, &number, Some((f, r))).await,
        Err(Failure::Page(e)) => e.into_response(),
    }
}

// ---------------------------------------------------------------------------------------------------
// Exit.

#[derive(Template)]
#[template(path = "case_exit.html")]
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
pub(crate) fn exit_step(rec: &CaseRecord, role: Role) -> Option<ExitStep> {
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
    let codes = match crate::codes_page::county_codes(state, user).await {
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

// ---------------------------------------------------------------------------------------------------
// Measures.

#[derive(Template)]
#[template(path = "case_measure.html")]
struct MeasurePage<'a> {
    i18n: I18n,
    user: &'a CurrentUser,
    number: String,
    index: usize,
    version: i64,
    class: &'static str,
    item: String,
    planned_on: String,
    unit: String,
    status: &'static str,
    /// "start", "complete" or "" (nothing to do).
    action: &'static str,
    v: Values,
    error: String,
    today: String,
    path: String,
}

async fn measure_page(
    state: &AppState,
    user: &CurrentUser,
    number: &str,
    index: usize,
    typed: Option<(Fields, Refused)>,
) -> Response {
    let i18n = user.i18n();
    let rec = match repo::cases::get(&state.db, &user.scope, number).await {
        Ok(Some(r)) => r,
        Ok(None) => return AppError::not_found().into_response(),
        Err(e) => return AppError::from(e).into_response(),
    };
    let Some(m) = rec.case.measures.get(index) else {
        return AppError::not_found().into_response();
    };
    let today = shouwang_app::today().to_string();
    let action = if !PROGRESS_ROLES.contains(&user.scope.role) {
        ""
    } else {
        match m.status {
            MeasureStatus::Planned => "start",
            MeasureStatus::InProgress => "complete",
            _ => "",
        }
    };
    let (status, error, v) = match typed {
        Some((f, r)) => (r.status, r.message, Values(f.0)),
        None => (
            StatusCode::OK,
            String::new(),
            Values::new(&[("on", today.as_str())]),
        ),
    };
    render_status(
        &MeasurePage {
            i18n,
            user,
            number: rec.household_number.clone(),
            index,
            version: rec.version,
            class: i18n.label(&m.plan.class),
            item: m.plan.item.clone(),
            planned_on: m.plan.planned_on.to_string(),
            unit: m.plan.responsible_unit.clone(),
            status: i18n.label(&m.status),
            action,
            v,
            error,
            today,
            path: format!("{}/case/measures/{index}", household_path(number)),
        },
        status,
    )
}

/// GET /households/{n}/case/measures/{i}
pub async fn measure_form(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((number, index)): Path<(String, String)>,
) -> Response {
    // Not a position of the case's measures: the 404 page, as for any unknown path.
    let Ok(index) = index.parse::<usize>() else {
        return AppError::not_found().into_response();
    };
    measure_page(&state, &user, &number, index, None).await
}

async fn measure_command(
    state: &AppState,
    user: &CurrentUser,
    number: &str,
    index: usize,
    f: &mut Fields,
    uploads: &[Upload],
) -> Result<(), Failure> {
    let lang = user.lang;
    let on = the_date(f).map_err(|e| failure(e, lang))?;
    let action = match f.get("action").as_str() {
        "start" => MeasureAction::Start {
            note: f.get("note"),
        },
        "complete" => {
            let files = attachments(state, user, f, uploads, "evidence")
                .await
                .map_err(|e| store_failure(e, lang))?;
            MeasureAction::Complete {
                evidence: Completion {
                    description: f.get("description"),
                    attachments: files,
                },
            }
        }
        _ => {
            return Err(failure(
                bad("请选择办理事项", "Choose what to record"),
                lang,
            ));
        }
    };
    execute(
        state,
        user,
        number,
        f,
        on,
        Command::UpdateMeasure { index, action },
    )
    .await
}

/// POST /households/{n}/case/measures/{i} (multipart)
pub async fn measure_submit(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((number, index)): Path<(String, String)>,
    form: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Response {
    let Ok(index) = index.parse::<usize>() else {
        return AppError::not_found().into_response();
    };
    let (mut f, uploads) = match checked_form(&user, form).await {
        Ok(x) => x,
        Err(page) => return page,
    };
    match measure_command(&state, &user, &number, index, &mut f, &uploads).await {
        Ok(()) => done(&number),
        Err(Failure::Form(r)) => measure_page(&state, &user, &number, index, Some((f, r))).await,
        Err(Failure::Page(e)) => e.into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_text_has_both_languages() {
        for key in ["st.ident", "st.photos", "st.withdraw", "st.evidence"] {
            let (zh, en) = text(key).expect(key);
            assert_ne!(zh, en);
        }
        assert!(text("st.nope").is_none());
    }

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
            (2022, 3, Fen::from_yuan(12000))
        );
        let f = Fields(vec![
            ("inc_wage".into(), "12k".into()),
            ("inc_members".into(), "3".into()),
        ]);
        assert!(income(&f, on, true).is_err());
        let f = Fields(vec![("inc_wage".into(), "1".into())]);
        assert!(income(&f, on, true).is_err(), "members required");
    }
}
