//! The `/api/v1` handlers: reads answer from the store's scoped queries; writes build a
//! [`Command`] and run it through [`lifecycle::execute`] (never a core action by hand).

use axum::extract::{Multipart, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{Datelike, NaiveDate};
use serde::Deserialize;
use shouwang_app::lifecycle::{self, Request};
use shouwang_core::codes::HouseholdType;
use shouwang_core::monitoring::calendar::Quarter;
use shouwang_core::monitoring::{Channel, Command, IdentAction, Lifecycle, YearMonth};
use shouwang_store::repo;
use shouwang_store::repo::cases::CaseQuery;
use shouwang_store::repo::households::HouseholdQuery;
use shouwang_store::repo::registry::RegistryQuery;
use utoipa::IntoParams;

use super::dto::*;
use super::{ApiJson, ApiPath, ApiQuery, ApiUser};
use crate::AppState;
use crate::http::error::{AppError, AppResult, ErrorBody};

// ---------------------------------------------------------------------------------------------------------
// Helpers.

/// Runs a command and answers the case as stored.
async fn run(
    state: &AppState,
    user: &ApiUser,
    number: String,
    version: Option<i64>,
    on: Option<NaiveDate>,
    command: Command,
) -> AppResult<(StatusCode, ApiJson<WriteResult>)> {
    let done = lifecycle::execute(
        &state.db,
        &user.caller,
        Request {
            household: number,
            version,
            on,
            command,
        },
    )
    .await?;
    let rules = lifecycle::county_rules(&state.db, &done.record.county_code).await?;
    let status = if done.filed == Some(lifecycle::Filed::NewCase) {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((
        status,
        ApiJson(WriteResult {
            filed: done.filed.map(Into::into),
            case: CaseDto::of(done.record, shouwang_app::today(), &rules),
        }),
    ))
}

type Written = AppResult<(StatusCode, ApiJson<WriteResult>)>;

fn page_of(page: Option<u32>) -> u32 {
    page.unwrap_or(1).max(1)
}

fn per_page_of(per_page: Option<u32>) -> u32 {
    per_page.unwrap_or(20).clamp(1, repo::MAX_PER_PAGE)
}

// ---------------------------------------------------------------------------------------------------------
// Households.

/// Household search parameters.
#[derive(Debug, Deserialize, IntoParams)]
pub struct HouseholdsQuery {
    /// A full ID number, a 户编号 (or prefix), a surname (王, 欧阳) or a full name (names are sealed: a
    /// name prefix that is not a surname finds nothing).
    pub q: Option<String>,
    /// A township or village code inside the user's area.
    pub village: Option<String>,
    /// 户类型 code (`alleviated`, `ordinary`, `monitored` …).
    pub household_type: Option<HouseholdType>,
    /// Page (1-based).
    pub page: Option<u32>,
    /// Rows per page (1–500, default 20).
    pub per_page: Option<u32>,
}

/// Searches households in the user's area (the head's ID number is masked in lists).
#[utoipa::path(get, path = "/api/v1/households", tag = "households", params(HouseholdsQuery),
    responses((status = 200, body = HouseholdPage), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody)),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn households(
    State(state): State<AppState>,
    user: ApiUser,
    ApiQuery(q): ApiQuery<HouseholdsQuery>,
) -> AppResult<ApiJson<HouseholdPage>> {
    let clean = |s: Option<String>| {
        s.map(|s| s.chars().filter(|c| !c.is_control()).collect::<String>())
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())
    };
    let query = HouseholdQuery {
        q: clean(q.q),
        village: clean(q.village),
        household_type: q.household_type,
    };
    let query = RegistryQuery {
        base: query,
        lifecycle: None,
        risk: None,
    };
    let p = shouwang_app::households::search(
        &state.db,
        &user.caller,
        &query,
        page_of(q.page),
        per_page_of(q.per_page),
    )
    .await?;
    Ok(ApiJson(HouseholdPage {
        items: p.items.into_iter().map(Into::into).collect(),
        total: p.total,
        page: p.page,
        per_page: p.per_page,
    }))
}

/// One household: members (ID numbers full only for roles that may see them, each such read
/// written to the audit log), income by year, and its case.
#[utoipa::path(get, path = "/api/v1/households/{number}", tag = "households",
    params(("number" = String, Path, description = "户编号")),
    responses((status = 200, body = HouseholdDto), (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn household(
    State(state): State<AppState>,
    user: ApiUser,
    ApiPath(number): ApiPath<String>,
) -> AppResult<ApiJson<HouseholdDto>> {
    let scope = &user.caller.scope;
    let detail =
        shouwang_app::households::show(&state.db, &user.caller, &number, scope.may_view_full_id())
            .await?
            .ok_or_else(AppError::not_found)?;
    let village = detail.household.village.as_str().to_owned();
    let case = repo::cases::list(
        &state.db,
        scope,
        &CaseQuery {
            region: Some(village.clone()),
            ..CaseQuery::default()
        },
        1,
        repo::MAX_PER_PAGE,
    )
    .await?
    .items
    .into_iter()
    .find(|r| r.household_number == detail.household.number);
    Ok(ApiJson(HouseholdDto::of(
        detail,
        case,
        scope,
        shouwang_app::today(),
    )))
}

// ---------------------------------------------------------------------------------------------------------
// Cases.

/// Case list filters.
#[derive(Debug, Deserialize, IntoParams)]
pub struct CasesQuery {
    /// 监测状态 (`clue`, `identifying`, `monitored`, `eliminated`, `deferred`, `not_included`).
    pub lifecycle: Option<Lifecycle>,
    /// A township or village code inside the user's area.
    pub region: Option<String>,
    /// Cases with a clue from this channel (`application`, `cadre_screening`,
    /// `department_screening`, `petition`).
    pub channel: Option<Channel>,
    /// Cases whose current responsible cadre is this user id.
    pub cadre: Option<i64>,
    /// Page (1-based).
    pub page: Option<u32>,
    /// Rows per page (1–500, default 20).
    pub per_page: Option<u32>,
}

/// Cases in the user's area.
#[utoipa::path(get, path = "/api/v1/cases", tag = "cases", params(CasesQuery),
    responses((status = 200, body = CasePage), (status = 400, body = ErrorBody)),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn cases(
    State(state): State<AppState>,
    user: ApiUser,
    ApiQuery(q): ApiQuery<CasesQuery>,
) -> AppResult<ApiJson<CasePage>> {
    let query = CaseQuery {
        lifecycle: q.lifecycle,
        region: q.region.filter(|r| !r.trim().is_empty()),
        channel: q.channel,
        cadre_user_id: q.cadre,
        ..CaseQuery::default()
    };
    let p = lifecycle::list(
        &state.db,
        &user.caller.scope,
        &query,
        page_of(q.page),
        per_page_of(q.per_page),
    )
    .await?;
    Ok(ApiJson(p.into()))
}

/// One case with its 帮扶手册.
#[utoipa::path(get, path = "/api/v1/cases/{number}", tag = "cases",
    params(("number" = String, Path, description = "户编号")),
    responses((status = 200, body = CaseDto), (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn case(
    State(state): State<AppState>,
    user: ApiUser,
    ApiPath(number): ApiPath<String>,
) -> AppResult<ApiJson<CaseDto>> {
    let rec = repo::cases::get(&state.db, &user.caller.scope, &number)
        .await?
        .ok_or_else(AppError::not_found)?;
    let rules = lifecycle::county_rules(&state.db, &rec.county_code).await?;
    Ok(ApiJson(CaseDto::of(rec, shouwang_app::today(), &rules)))
}

/// Any command on a case (the same commands as the specific endpoints below).
#[utoipa::path(post, path = "/api/v1/cases/{number}/commands", tag = "cases",
    params(("number" = String, Path, description = "户编号")), request_body = CommandRequest,
    responses((status = 200, body = WriteResult), (status = 201, body = WriteResult),
        (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn command(
    State(state): State<AppState>,
    user: ApiUser,
    ApiPath(number): ApiPath<String>,
    ApiJson(req): ApiJson<CommandRequest>,
) -> Written {
    run(&state, &user, number, req.version, req.on, req.command).await
}

/// 登记线索: a report from one of the four channels (农户申请, 干部排查, 部门筛查, 信访舆情). It opens
/// the household's case (201) or joins it (200; merged into a clue of the same cause within the
/// county's merge window, else a new clue).
#[utoipa::path(post, path = "/api/v1/clues", tag = "clues", request_body = ClueRequest,
    responses((status = 201, body = WriteResult), (status = 200, body = WriteResult),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn clue(
    State(state): State<AppState>,
    user: ApiUser,
    ApiJson(req): ApiJson<ClueRequest>,
) -> Written {
    let number = req.report.household.clone();
    run(
        &state,
        &user,
        number,
        req.version,
        req.on,
        Command::Report { report: req.report },
    )
    .await
}

/// 启动识别 (the county's identification rules apply).
#[utoipa::path(post, path = "/api/v1/cases/{number}/identification/start", tag = "identification",
    params(("number" = String, Path, description = "户编号")), request_body = VersionOn,
    responses((status = 200, body = WriteResult), (status = 403, body = ErrorBody),
        (status = 409, body = ErrorBody)),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn start_identification(
    State(state): State<AppState>,
    user: ApiUser,
    ApiPath(number): ApiPath<String>,
    ApiJson(req): ApiJson<VersionOn>,
) -> Written {
    run(
        &state,
        &user,
        number,
        Some(req.version),
        req.on,
        Command::StartIdentification,
    )
    .await
}

/// An identification step: 入户核查 → 信息比对 → 民主评议 → 公示 → 公示期满 → 乡镇审核 → 县级审定 →
/// 纳入监测, each by its roles, in order.
#[utoipa::path(post, path = "/api/v1/cases/{number}/identification/steps", tag = "identification",
    params(("number" = String, Path, description = "户编号")), request_body = IdentStepRequest,
    responses((status = 200, body = WriteResult), (status = 403, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn ident_step(
    State(state): State<AppState>,
    user: ApiUser,
    ApiPath(number): ApiPath<String>,
    ApiJson(req): ApiJson<IdentStepRequest>,
) -> Written {
    run(
        &state,
        &user,
        number,
        Some(req.version),
        req.on,
        Command::Identify { action: req.action },
    )
    .await
}

/// 绿色通道: assistance starts before identification ends (township or county admin; for the
/// county's green-channel risks).
#[utoipa::path(post, path = "/api/v1/cases/{number}/identification/green-channel",
    tag = "identification", params(("number" = String, Path, description = "户编号")),
    request_body = GreenChannelRequest,
    responses((status = 200, body = WriteResult), (status = 403, body = ErrorBody),
        (status = 409, body = ErrorBody)),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn green_channel(
    State(state): State<AppState>,
    user: ApiUser,
    ApiPath(number): ApiPath<String>,
    ApiJson(req): ApiJson<GreenChannelRequest>,
) -> Written {
    run(
        &state,
        &user,
        number,
        Some(req.version),
        req.on,
        Command::Identify {
            action: IdentAction::OpenGreenChannel { reason: req.reason },
        },
    )
    .await
}

/// The judgement flags of the decision table.
#[derive(Debug, Deserialize, IntoParams)]
pub struct RecommendQuery {
    /// 家庭收入缩减或支出大幅增加 (also implied by most risk types).
    pub income_loss_or_expense_surge: Option<bool>,
    /// 内生动力不足.
    pub weak_inner_drive: Option<bool>,
}

/// The plan's decision table (R1–R7) for the household: recommended measure classes from its risks
/// and labour.
#[utoipa::path(get, path = "/api/v1/cases/{number}/recommendations", tag = "measures",
    params(("number" = String, Path, description = "户编号"), RecommendQuery),
    responses((status = 200, body = RecommendationsDto), (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn recommendations(
    State(state): State<AppState>,
    user: ApiUser,
    ApiPath(number): ApiPath<String>,
    ApiQuery(q): ApiQuery<RecommendQuery>,
) -> AppResult<ApiJson<RecommendationsDto>> {
    let r = lifecycle::recommendations(
        &state.db,
        &user.caller.scope,
        &number,
        q.income_loss_or_expense_surge.unwrap_or(false),
        q.weak_inner_drive.unwrap_or(false),
    )
    .await?;
    Ok(ApiJson(r.into()))
}

/// 制定帮扶措施.
#[utoipa::path(post, path = "/api/v1/cases/{number}/measures", tag = "measures",
    params(("number" = String, Path, description = "户编号")), request_body = PlanRequest,
    responses((status = 200, body = WriteResult), (status = 403, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn plan_measure(
    State(state): State<AppState>,
    user: ApiUser,
    ApiPath(number): ApiPath<String>,
    ApiJson(req): ApiJson<PlanRequest>,
) -> Written {
    run(
        &state,
        &user,
        number,
        Some(req.version),
        req.on,
        Command::PlanMeasure { plan: req.plan },
    )
    .await
}

/// A measure's status change: 开始实施, 完成 (evidence: a description and uploaded attachments), 取消.
#[utoipa::path(post, path = "/api/v1/cases/{number}/measures/{index}", tag = "measures",
    params(("number" = String, Path, description = "户编号"),
        ("index" = usize, Path, description = "position in the case's measures, 0-based")),
    request_body = MeasureUpdateRequest,
    responses((status = 200, body = WriteResult), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn update_measure(
    State(state): State<AppState>,
    user: ApiUser,
    ApiPath((number, index)): ApiPath<(String, usize)>,
    ApiJson(req): ApiJson<MeasureUpdateRequest>,
) -> Written {
    run(
        &state,
        &user,
        number,
        Some(req.version),
        req.on,
        Command::UpdateMeasure {
            index,
            action: req.action,
        },
    )
    .await
}

/// 确定 / 更换 / 解除帮扶责任人 (exactly one current cadre; the name comes from the cadre's account).
#[utoipa::path(post, path = "/api/v1/cases/{number}/cadre", tag = "cadre",
    params(("number" = String, Path, description = "户编号")), request_body = CadreRequest,
    responses((status = 200, body = WriteResult), (status = 403, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn cadre(
    State(state): State<AppState>,
    user: ApiUser,
    ApiPath(number): ApiPath<String>,
    ApiJson(req): ApiJson<CadreRequest>,
) -> Written {
    run(
        &state,
        &user,
        number,
        Some(req.version),
        req.on,
        Command::Cadre { action: req.action },
    )
    .await
}

/// Households per responsible cadre in the user's area (明责任 workload).
#[utoipa::path(get, path = "/api/v1/cadres/workload", tag = "cadre",
    responses((status = 200, body = Vec<WorkloadDto>)),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn workload(
    State(state): State<AppState>,
    user: ApiUser,
) -> AppResult<ApiJson<Vec<WorkloadDto>>> {
    let w = repo::cases::workload(&state.db, &user.caller.scope).await?;
    Ok(ApiJson(w.into_iter().map(Into::into).collect()))
}

/// 逐月跟踪监测: one record per household per month (the plan's four questions, income estimate, notes).
/// With `visit.income` (收支测算, amounts in 分), the visit's record becomes the household's income record of
/// its year, source 月度走访 (`follow_up`), in the same transaction — unless a verified record of a later
/// date counts, when the visit's figures are kept as not counted (see `GET …/income`) — and the estimate is
/// the record's 人均纯收入 (whatever `per_capita_income_estimate` says).
#[utoipa::path(post, path = "/api/v1/cases/{number}/follow-ups", tag = "follow-up",
    params(("number" = String, Path, description = "户编号")), request_body = FollowUpRequest,
    responses((status = 200, body = WriteResult), (status = 403, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn follow_up(
    State(state): State<AppState>,
    user: ApiUser,
    ApiPath(number): ApiPath<String>,
    ApiJson(req): ApiJson<FollowUpRequest>,
) -> Written {
    run(
        &state,
        &user,
        number,
        Some(req.version),
        req.on,
        Command::FollowUp { visit: req.visit },
    )
    .await
}

/// Overdue follow-up parameters.
#[derive(Debug, Deserialize, IntoParams)]
pub struct OverdueQuery {
    /// The month (`YYYY-MM`); default the last month already due.
    pub month: Option<YearMonth>,
    /// Page (1-based).
    pub page: Option<u32>,
    /// Rows per page.
    pub per_page: Option<u32>,
}

/// Monitored households missing a month's follow-up.
#[utoipa::path(get, path = "/api/v1/follow-ups/overdue", tag = "follow-up", params(OverdueQuery),
    responses((status = 200, body = CasePage), (status = 400, body = ErrorBody)),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn overdue_follow_ups(
    State(state): State<AppState>,
    user: ApiUser,
    ApiQuery(q): ApiQuery<OverdueQuery>,
) -> AppResult<ApiJson<CasePage>> {
    let today = shouwang_app::today();
    let rules = lifecycle::county_rules(&state.db, &user.caller.county()?).await?;
    let month = match q.month {
        Some(m) => m,
        None => {
            let this = YearMonth::of(today);
            if rules.cadence.follow_up_due(this) < today {
                this
            } else {
                YearMonth::of(this.first_day().pred_opt().unwrap_or(today))
            }
        }
    };
    let p = repo::cases::overdue_follow_ups(
        &state.db,
        &user.caller.scope,
        month,
        today,
        &rules.cadence,
        page_of(q.page),
        per_page_of(q.per_page),
    )
    .await?;
    Ok(ApiJson(p.into()))
}

/// The judgment date.
#[derive(Debug, Deserialize, IntoParams)]
pub struct OnQuery {
    /// Date of the judgment (default today).
    pub on: Option<NaiveDate>,
}

/// 定期预判: every monitored household of the user's area with the risk-elimination conditions
/// (E01–E05) met or not, from the registry and the county's exit rules.
#[utoipa::path(get, path = "/api/v1/exit/candidates", tag = "exit", params(OnQuery),
    responses((status = 200, body = Vec<CandidateDto>)),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn exit_candidates(
    State(state): State<AppState>,
    user: ApiUser,
    ApiQuery(q): ApiQuery<OnQuery>,
) -> AppResult<ApiJson<Vec<CandidateDto>>> {
    let on = q.on.unwrap_or_else(shouwang_app::today);
    let c = lifecycle::exit_candidates(&state.db, &user.caller, on).await?;
    Ok(ApiJson(c.into_iter().map(Into::into).collect()))
}

/// 预判提名: the facts (household, latest income, the line of the year) come from the registry.
#[utoipa::path(post, path = "/api/v1/cases/{number}/exit/nominate", tag = "exit",
    params(("number" = String, Path, description = "户编号")), request_body = VersionOn,
    responses((status = 200, body = WriteResult), (status = 403, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn nominate_exit(
    State(state): State<AppState>,
    user: ApiUser,
    ApiPath(number): ApiPath<String>,
    ApiJson(req): ApiJson<VersionOn>,
) -> Written {
    run(
        &state,
        &user,
        number,
        Some(req.version),
        req.on,
        Command::NominateExit,
    )
    .await
}

/// An exit step: 预判会议决定, 入户核查, 民主评议 (→ 风险消除 or 缓退), or 终止.
#[utoipa::path(post, path = "/api/v1/cases/{number}/exit/steps", tag = "exit",
    params(("number" = String, Path, description = "户编号")), request_body = ExitStepRequest,
    responses((status = 200, body = WriteResult), (status = 403, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn exit_step(
    State(state): State<AppState>,
    user: ApiUser,
    ApiPath(number): ApiPath<String>,
    ApiJson(req): ApiJson<ExitStepRequest>,
) -> Written {
    run(
        &state,
        &user,
        number,
        Some(req.version),
        req.on,
        Command::Exit { action: req.action },
    )
    .await
}

/// 退出告知: issues the numbered written notice (the number from the county's counter; addressee,
/// village and committee from the registry).
#[utoipa::path(post, path = "/api/v1/cases/{number}/exit/notice", tag = "exit",
    params(("number" = String, Path, description = "户编号")), request_body = VersionOn,
    responses((status = 200, body = WriteResult), (status = 403, body = ErrorBody),
        (status = 409, body = ErrorBody)),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn issue_notice(
    State(state): State<AppState>,
    user: ApiUser,
    ApiPath(number): ApiPath<String>,
    ApiJson(req): ApiJson<VersionOn>,
) -> Written {
    run(
        &state,
        &user,
        number,
        Some(req.version),
        req.on,
        Command::IssueNotice,
    )
    .await
}

/// The household's exit notice with its printable text.
#[utoipa::path(get, path = "/api/v1/cases/{number}/exit/notice", tag = "exit",
    params(("number" = String, Path, description = "户编号")),
    responses((status = 200, body = NoticeDto), (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn notice(
    State(state): State<AppState>,
    user: ApiUser,
    ApiPath(number): ApiPath<String>,
) -> AppResult<ApiJson<NoticeDto>> {
    let n = lifecycle::notice(&state.db, &user.caller.scope, &number).await?;
    Ok(ApiJson(NoticeDto {
        notice: n.notice,
        text: n.text,
        plain: n.plain,
    }))
}

/// The year of the notices.
#[derive(Debug, Deserialize, IntoParams)]
pub struct YearQuery {
    /// Year (default this year).
    pub year: Option<i32>,
}

/// Exit notices issued in a year in the user's area, by number.
#[utoipa::path(get, path = "/api/v1/notices", tag = "exit", params(YearQuery),
    responses((status = 200, body = Vec<NoticeRowDto>)),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn notices(
    State(state): State<AppState>,
    user: ApiUser,
    ApiQuery(q): ApiQuery<YearQuery>,
) -> AppResult<ApiJson<Vec<NoticeRowDto>>> {
    let year = q.year.unwrap_or_else(|| shouwang_app::today().year());
    let n = repo::cases::notices(&state.db, &user.caller.scope, year).await?;
    Ok(ApiJson(n.into_iter().map(Into::into).collect()))
}

// ---------------------------------------------------------------------------------------------------------
// Attachments.

/// Uploads a file (multipart/form-data, field `file` with its file name and content type; at most
/// 10 MiB; JPEG, PNG, WebP or PDF). Answers its SHA-256: cite it in evidence.
#[utoipa::path(post, path = "/api/v1/attachments", tag = "attachments",
    request_body(content_type = "multipart/form-data", description = "field `file`"),
    responses((status = 201, body = AttachmentDto), (status = 400, body = ErrorBody),
        (status = 413, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn upload(
    State(state): State<AppState>,
    user: ApiUser,
    mut multipart: Multipart,
) -> AppResult<(StatusCode, ApiJson<AttachmentDto>)> {
    while let Some(field) = multipart.next_field().await? {
        if field.name() != Some("file") {
            continue;
        }
        let name = field.file_name().unwrap_or("").to_owned();
        let media_type = field.content_type().unwrap_or("").to_owned();
        let bytes = field.bytes().await?;
        let row = shouwang_app::attachments::upload(
            &state.db,
            &state.files,
            &user.caller,
            &name,
            &media_type,
            &bytes,
        )
        .await?;
        return Ok((StatusCode::CREATED, ApiJson(row.into())));
    }
    Err(AppError::bad_request(
        "bad_multipart",
        "缺少文件字段 file",
        "The multipart field `file` is missing",
    ))
}

/// Downloads a file of the user's county.
#[utoipa::path(get, path = "/api/v1/attachments/{sha256}", tag = "attachments",
    params(("sha256" = String, Path, description = "SHA-256, 64 hex digits")),
    responses((status = 200, description = "the file"), (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn download(
    State(state): State<AppState>,
    user: ApiUser,
    ApiPath(sha): ApiPath<String>,
) -> AppResult<Response> {
    let (row, bytes) =
        shouwang_app::attachments::download(&state.db, &state.files, &user.caller, &sha).await?;
    let encoded: String = row
        .name
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_') {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    Ok((
        [
            (header::CONTENT_TYPE, row.media_type),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"file\"; filename*=UTF-8''{encoded}"),
            ),
            (header::CACHE_CONTROL, "private, no-store".to_owned()),
        ],
        bytes,
    )
        .into_response())
}

// ---------------------------------------------------------------------------------------------------------
// Work lists.

/// The user's queues (工作台): clues waiting, approvals waiting at the user's level, overdue
/// follow-ups and identifications, households without a cadre; a cadre's own households.
#[utoipa::path(get, path = "/api/v1/queues", tag = "work",
    responses((status = 200, body = QueuesDto)),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn queues(State(state): State<AppState>, user: ApiUser) -> AppResult<ApiJson<QueuesDto>> {
    let q = lifecycle::queues(&state.db, &user.caller, shouwang_app::today()).await?;
    Ok(ApiJson(q.into()))
}

/// Calendar range.
#[derive(Debug, Deserialize, IntoParams)]
pub struct CalendarQuery {
    /// One village of the user's area (default every village of it).
    pub village: Option<String>,
    /// First day (default the first day of this month).
    pub from: Option<NaiveDate>,
    /// Last day (default the end of this quarter).
    pub to: Option<NaiveDate>,
}

/// The cadence calendar: each village's tasks (monthly follow-up, quarterly cadre screening,
/// pre-judgment meeting, democratic appraisal) with due dates and state.
#[utoipa::path(get, path = "/api/v1/calendar", tag = "work", params(CalendarQuery),
    responses((status = 200, body = Vec<TaskDto>), (status = 400, body = ErrorBody),
        (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn calendar(
    State(state): State<AppState>,
    user: ApiUser,
    ApiQuery(q): ApiQuery<CalendarQuery>,
) -> AppResult<ApiJson<Vec<TaskDto>>> {
    let today = shouwang_app::today();
    let from = q.from.unwrap_or_else(|| YearMonth::of(today).first_day());
    let to = q.to.unwrap_or_else(|| Quarter::of(today).last_day());
    let tasks = lifecycle::calendar(
        &state.db,
        &user.caller,
        q.village.as_deref(),
        from,
        to,
        today,
    )
    .await?;
    Ok(ApiJson(tasks.into_iter().map(Into::into).collect()))
}
