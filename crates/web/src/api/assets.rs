//! 扶贫项目资产 and 管护 (B2, A7, §四(二)3): `GET/POST /api/v1/assets` (the list with its filters; 确权登记 of a
//! new asset), `GET /api/v1/assets/queue` (the disposals awaiting your step), `GET /api/v1/assets/overdue`
//! (管护逾期, as on the 工作台), `GET/PUT /api/v1/assets/{id}` (an asset with its upkeep and disposal; a
//! changed registration), `POST /api/v1/assets/{id}/upkeep` (管护维修记录), `POST /api/v1/assets/{id}/disposal`
//! (a step of 村申请 → 乡审核 → 县审批), `POST /api/v1/imports/assets` (清产核资, a workbook with a dry run) —
//! through `shouwang_app::assets`, the one path the pages `/assets…`
//! and `shouwang assets` use too.

use axum::extract::State;
use axum::http::StatusCode;
use serde::Serialize;
use shouwang_app::assets::import::{self, AssetImport};
use shouwang_app::assets::{self, DisposalInput, Entry, ListFilter, Overdue, Sheet, Versioned};
use shouwang_core::asset::{DisposalState, Draft, Upkeep};

use super::jobs::{ApiMultipart, flag};
use super::{ApiJson, ApiPath, ApiQuery, ApiUser};
use crate::AppState;
use crate::http::error::{AppError, AppResult, ErrorBody};
use crate::http::multipart::{read_form, temp_dir};

/// The id of what a write created (the asset's or the upkeep record's).
#[derive(Serialize, utoipa::ToSchema)]
pub struct AssetCreated {
    /// The row id.
    pub id: i64,
}

/// An asset's disposal state after a step.
#[derive(Serialize, utoipa::ToSchema)]
pub struct Disposed {
    /// The new 处置状态 (`approved`: the asset is 已处置).
    pub disposal: DisposalState,
}

/// A change of a registration: the version read and the whole registration.
#[derive(serde::Deserialize, utoipa::ToSchema)]
pub struct DraftChange {
    /// The version read (a stale one is refused, 409).
    #[serde(default)]
    pub version: Option<i64>,
    /// The registration (确权登记内容), as for `POST /api/v1/assets`.
    #[serde(flatten)]
    pub asset: Draft,
}

/// An upkeep record with the version read.
#[derive(serde::Deserialize, utoipa::ToSchema)]
pub struct UpkeepBody {
    /// The version read (a stale one is refused, 409).
    #[serde(default)]
    pub version: Option<i64>,
    /// The record.
    #[serde(flatten)]
    pub upkeep: Upkeep,
}

/// A disposal step with the version read.
#[derive(serde::Deserialize, utoipa::ToSchema)]
pub struct DisposalBody {
    /// The version read (a stale one is refused, 409).
    #[serde(default)]
    pub version: Option<i64>,
    /// The step.
    #[serde(flatten)]
    pub step: DisposalInput,
}

/// The assets of your area, newest first, with the keeper's phone masked unless your role sees personal
/// data. Filters: `area`, `kind` (operating, public_welfare, household), `owner` (village_collective,
/// township, household), `state` (in_use, idle, damaged, disposed), `overdue=1`.
#[utoipa::path(get, path = "/api/v1/assets", tag = "assets", params(ListFilter),
    responses((status = 200, body = Vec<Entry>), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn list(
    State(state): State<AppState>,
    user: ApiUser,
    ApiQuery(q): ApiQuery<ListFilter>,
) -> AppResult<ApiJson<Vec<Entry>>> {
    let today = shouwang_app::today();
    Ok(ApiJson(
        assets::list(&state.db, &user.caller, &q, today).await?,
    ))
}

/// 确权登记: registers an asset of your area (values in 分, the village a 12-digit code); audited. 403 a
/// role that keeps no assets or a village outside your area, 422 a registration the rules refuse.
#[utoipa::path(post, path = "/api/v1/assets", tag = "assets", request_body = Draft,
    responses((status = 201, body = AssetCreated), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn register(
    State(state): State<AppState>,
    user: ApiUser,
    ApiJson(body): ApiJson<Draft>,
) -> AppResult<(StatusCode, ApiJson<AssetCreated>)> {
    let today = shouwang_app::today();
    let id = assets::register(&state.db, &user.caller, body, today).await?;
    Ok((StatusCode::CREATED, ApiJson(AssetCreated { id })))
}

/// The assets of your area whose disposal awaits your role's step (工作台 待办), oldest first.
#[utoipa::path(get, path = "/api/v1/assets/queue", tag = "assets",
    responses((status = 200, body = Vec<Entry>), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody)),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn queue(State(state): State<AppState>, user: ApiUser) -> AppResult<ApiJson<Vec<Entry>>> {
    let today = shouwang_app::today();
    Ok(ApiJson(
        assets::queue(&state.db, &user.caller, today).await?,
    ))
}

/// 管护逾期: the assets of your area whose upkeep fell due before today, the longest overdue first.
#[utoipa::path(get, path = "/api/v1/assets/overdue", tag = "assets",
    responses((status = 200, body = Vec<Overdue>), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody)),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn overdue(
    State(state): State<AppState>,
    user: ApiUser,
) -> AppResult<ApiJson<Vec<Overdue>>> {
    let today = shouwang_app::today();
    Ok(ApiJson(
        assets::overdue(&state.db, &user.caller, today).await?,
    ))
}

/// An asset of your area: the registration, its upkeep records and its disposal flow. 404 outside your
/// area.
#[utoipa::path(get, path = "/api/v1/assets/{id}", tag = "assets",
    params(("id" = i64, Path, description = "资产编号")),
    responses((status = 200, body = Sheet), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn show(
    State(state): State<AppState>,
    user: ApiUser,
    ApiPath(id): ApiPath<i64>,
) -> AppResult<ApiJson<Sheet>> {
    let today = shouwang_app::today();
    Ok(ApiJson(
        assets::show(&state.db, &user.caller, id, today).await?,
    ))
}

/// Changes the registration of an asset (the whole registration with the `version` read); audited. 403 a
/// role that keeps no assets, 404 outside your area, 409 a stale version or an asset disposed or under
/// disposal, 422 a registration the rules refuse.
#[utoipa::path(put, path = "/api/v1/assets/{id}", tag = "assets",
    params(("id" = i64, Path, description = "资产编号")), request_body = DraftChange,
    responses((status = 204), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn update(
    State(state): State<AppState>,
    user: ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<DraftChange>,
) -> AppResult<StatusCode> {
    let today = shouwang_app::today();
    let change = Versioned {
        version: body.version,
        body: body.asset,
    };
    assets::update(&state.db, &user.caller, id, change, today).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// 管护维修记录: an upkeep or repair (kind, date, cost in 分, what was done, by whom) of an asset of your
/// area; audited. 403 a role that keeps no assets, 404 outside your area, 409 a disposed asset or a stale
/// version, 422 a record the rules refuse (no content, a negative cost, a future date).
#[utoipa::path(post, path = "/api/v1/assets/{id}/upkeep", tag = "assets",
    params(("id" = i64, Path, description = "资产编号")), request_body = UpkeepBody,
    responses((status = 201, body = AssetCreated), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn upkeep(
    State(state): State<AppState>,
    user: ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<UpkeepBody>,
) -> AppResult<(StatusCode, ApiJson<AssetCreated>)> {
    let today = shouwang_app::today();
    let record = Versioned {
        version: body.version,
        body: body.upkeep,
    };
    let id = assets::record_upkeep(&state.db, &user.caller, id, record, today).await?;
    Ok((StatusCode::CREATED, ApiJson(AssetCreated { id })))
}

/// A step of the disposal flow (村申请 with its 处置方式 and reason → 乡审核 → 县审批; 同意, 退回 or 不予处置,
/// a reason to return or refuse) by its role; the county's approval sets the asset 已处置. 403 another
/// role, 404 outside your area, 409 a step out of order or a stale version, 422 a missing reason or method.
#[utoipa::path(post, path = "/api/v1/assets/{id}/disposal", tag = "assets",
    params(("id" = i64, Path, description = "资产编号")), request_body = DisposalBody,
    responses((status = 200, body = Disposed), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn dispose(
    State(state): State<AppState>,
    user: ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<DisposalBody>,
) -> AppResult<ApiJson<Disposed>> {
    let today = shouwang_app::today();
    let input = Versioned {
        version: body.version,
        body: body.step,
    };
    let disposal = assets::dispose(&state.db, &user.caller, id, input, today).await?;
    Ok(ApiJson(Disposed { disposal }))
}

/// 清产核资: checks (`dry_run`, the default) or imports a workbook of assets (XLSX, XLS or ODS; one row per
/// asset under the 扶贫项目资产台账's column names; at most 10 MiB) into your area. Fields: `file`, `dry_run`
/// (`true`/`false`). The answer is the report: rows read, passed and rejected, and every problem with its
/// row, column, value and reason (the file is `file`). Nothing is written on a dry run, nor on an import
/// with a rejected row; an import of a file whose rows all pass writes them all at once (201), each asset
/// audited. 403 a role that keeps no assets, 413 a file too large, 422 no file.
#[utoipa::path(post, path = "/api/v1/imports/assets", tag = "assets",
    request_body(content_type = "multipart/form-data",
        description = "`file`, `dry_run` (default true)"),
    responses((status = 200, body = AssetImport, description = "the report (nothing written)"),
        (status = 201, body = AssetImport, description = "imported"),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 413, body = ErrorBody),
        (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn import_assets(
    State(state): State<AppState>,
    user: ApiUser,
    ApiMultipart(multipart): ApiMultipart,
) -> AppResult<(StatusCode, ApiJson<AssetImport>)> {
    if !assets::KEEPERS.contains(&user.caller.scope.role) {
        return Err(AppError::forbidden());
    }
    let dir = temp_dir(&state.spool)?;
    let form = read_form(multipart, dir.path(), import::MAX_FILE).await?;
    let dry_run = flag(&form, "dry_run", true)?;
    let Some(file) = form.files.iter().find(|f| f.field == "file") else {
        return Err(AppError::invalid(
            "请选择要上传的文件（字段 file）",
            "Choose the file to upload (field `file`)",
        ));
    };
    let today = shouwang_app::today();
    let r = import::run(
        &state.db,
        &user.caller,
        &file.path,
        &file.name,
        dry_run,
        today,
    )
    .await?;
    let status = if r.imported > 0 {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, ApiJson(r)))
}
