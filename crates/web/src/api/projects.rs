//! 项目库与衔接资金 (B2, §四(二)1–2): `GET/POST /api/v1/projects` (the list; 村申报 of a new project),
//! `GET /api/v1/projects/queue` (the projects awaiting your step), `GET /api/v1/projects/board` (payment
//! progress by township and fund source), `GET /api/v1/projects/{id}` (a project with its flow and
//! payments), `POST /api/v1/projects/{id}/steps` (乡审核, 行业部门论证, 县备案, or 村申报 again after a
//! return), `POST /api/v1/projects/{id}/payments` (资金拨付) — through `shouwang_app::projects`, the one
//! path the pages and `shouwang project` use too.

use axum::extract::State;
use axum::http::StatusCode;
use serde::Serialize;
use shouwang_app::projects::{self, ApplyBody, Board, Entry, ListFilter, Sheet, StepBody};
use shouwang_core::project::{Payment, ProjectState};

use super::{ApiJson, ApiPath, ApiQuery, ApiUser};
use crate::AppState;
use crate::http::error::{AppResult, ErrorBody};

/// A project's id after a write.
#[derive(Serialize, utoipa::ToSchema)]
pub struct Created {
    /// The row id (the project's or the payment's).
    pub id: i64,
}

/// A project's state after a step.
#[derive(Serialize, utoipa::ToSchema)]
pub struct Stepped {
    /// The new state.
    pub state: ProjectState,
}

/// The projects of your area, newest first, with planned and paid amounts (分). Filters: `area`,
/// `state` (submitted, township_approved, department_approved, filed, returned, refused), `kind`
/// (industry, employment, infrastructure, public_service, other), `year`.
#[utoipa::path(get, path = "/api/v1/projects", tag = "projects", params(ListFilter),
    responses((status = 200, body = Vec<Entry>), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn list(
    State(state): State<AppState>,
    user: ApiUser,
    ApiQuery(q): ApiQuery<ListFilter>,
) -> AppResult<ApiJson<Vec<Entry>>> {
    Ok(ApiJson(projects::list(&state.db, &user.caller, &q).await?))
}

/// 村申报: the village team applies for a project of its village (type, place, years, planned amount by
/// fund source in 分, linked 户编号); audited. 403 another role or village, 422 a bad application.
#[utoipa::path(post, path = "/api/v1/projects", tag = "projects", request_body = ApplyBody,
    responses((status = 201, body = Created), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn apply(
    State(state): State<AppState>,
    user: ApiUser,
    ApiJson(body): ApiJson<ApplyBody>,
) -> AppResult<(StatusCode, ApiJson<Created>)> {
    let today = shouwang_app::today();
    let id = projects::apply_new(&state.db, &user.caller, body, today).await?;
    Ok((StatusCode::CREATED, ApiJson(Created { id })))
}

/// The projects of your area awaiting your role's step (工作台), oldest first.
#[utoipa::path(get, path = "/api/v1/projects/queue", tag = "projects",
    responses((status = 200, body = Vec<Entry>), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody)),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn queue(State(state): State<AppState>, user: ApiUser) -> AppResult<ApiJson<Vec<Entry>>> {
    Ok(ApiJson(projects::queue(&state.db, &user.caller).await?))
}

/// 资金拨付进度: the filed projects of your area (`area`, `year`) planned against paid, by township and by
/// fund source.
#[utoipa::path(get, path = "/api/v1/projects/board", tag = "projects", params(ListFilter),
    responses((status = 200, body = Board), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn board(
    State(state): State<AppState>,
    user: ApiUser,
    ApiQuery(q): ApiQuery<ListFilter>,
) -> AppResult<ApiJson<Board>> {
    Ok(ApiJson(projects::board(&state.db, &user.caller, &q).await?))
}

/// A project of your area: the application, its flow (steps with date, opinion, attachments), its
/// payments and the progress by fund source. 404 outside your area.
#[utoipa::path(get, path = "/api/v1/projects/{id}", tag = "projects",
    params(("id" = i64, Path, description = "项目编号")),
    responses((status = 200, body = Sheet), (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn show(
    State(state): State<AppState>,
    user: ApiUser,
    ApiPath(id): ApiPath<i64>,
) -> AppResult<ApiJson<Sheet>> {
    Ok(ApiJson(projects::show(&state.db, &user.caller, id).await?))
}

/// A step of the entry flow (村申报→乡审核→行业部门论证→县备案) by its role: approve, return (退回修改) or
/// refuse (不予入库), with date, opinion (required to return or refuse) and attachments; 村申报 again after
/// a return may send the revised `project`. 403 another role, 404 outside your area, 409 a step out of
/// order or after the end or a stale `version`, 422 a missing reason.
#[utoipa::path(post, path = "/api/v1/projects/{id}/steps", tag = "projects",
    params(("id" = i64, Path, description = "项目编号")), request_body = StepBody,
    responses((status = 200, body = Stepped), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn step(
    State(state): State<AppState>,
    user: ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<StepBody>,
) -> AppResult<ApiJson<Stepped>> {
    let today = shouwang_app::today();
    let state = projects::take_step(&state.db, &user.caller, id, body, today).await?;
    Ok(ApiJson(Stepped { state }))
}

/// A payment (拨付: fund source, date, amount in 分, voucher) of a filed project, by the county; audited.
/// 403 another role, 409 a project not filed or a payment over the source's plan (the message says what
/// remains), 422 a source outside the plan or a date before the filing.
#[utoipa::path(post, path = "/api/v1/projects/{id}/payments", tag = "projects",
    params(("id" = i64, Path, description = "项目编号")), request_body = Payment,
    responses((status = 201, body = Created), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn pay(
    State(state): State<AppState>,
    user: ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<Payment>,
) -> AppResult<(StatusCode, ApiJson<Created>)> {
    let today = shouwang_app::today();
    let id = projects::pay(&state.db, &user.caller, id, None, &body, today).await?;
    Ok((StatusCode::CREATED, ApiJson(Created { id })))
}
