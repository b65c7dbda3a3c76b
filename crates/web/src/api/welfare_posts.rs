//! 公益岗位 (B1 §四(一)3, A4 §三(二)): `GET/POST /api/v1/welfare-posts` (the posts of your area; set one
//! up), `GET/PUT /api/v1/welfare-posts/{id}` (a post; change it: holder, state, people cared for) — through
//! `shouwang_app::welfare_posts`, the one path the pages and `shouwang post` use too.

use axum::extract::State;
use axum::http::StatusCode;
use shouwang_app::assets::Versioned;
use shouwang_app::welfare_posts::{self, Entry, ListFilter};
use shouwang_core::welfare_post::Draft;

use super::workshops::Created;
use super::{ApiJson, ApiPath, ApiQuery, ApiUser};
use crate::AppState;
use crate::http::error::{AppResult, ErrorBody};

/// The posts of your area by village and name, with holder (ID masked) and the people cared for. Filters:
/// `area`, `state` (`held`, `vacant`, `dismissed`).
#[utoipa::path(get, path = "/api/v1/welfare-posts", tag = "registers", params(ListFilter),
    responses((status = 200, body = Vec<Entry>), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn list(
    State(state): State<AppState>,
    user: ApiUser,
    ApiQuery(q): ApiQuery<ListFilter>,
) -> AppResult<ApiJson<Vec<Entry>>> {
    Ok(ApiJson(
        welfare_posts::list(&state.db, &user.caller, &q).await?,
    ))
}

/// Sets up a post (township or county; audited). 403 another role, a village or a person outside your
/// area; 404 no such household; 409 the holder holds another post 在岗; 422 a bad post (光伏收益 without a
/// monthly pay, a held post without holder, a person cared for who is no “两无”老人 …).
#[utoipa::path(post, path = "/api/v1/welfare-posts", tag = "registers", request_body = Draft,
    responses((status = 201, body = Created), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn create(
    State(state): State<AppState>,
    user: ApiUser,
    ApiJson(body): ApiJson<Draft>,
) -> AppResult<(StatusCode, ApiJson<Created>)> {
    let id = welfare_posts::create(&state.db, &user.caller, body, shouwang_app::today()).await?;
    Ok((StatusCode::CREATED, ApiJson(Created { id })))
}

/// A post of your area. 404 outside it.
#[utoipa::path(get, path = "/api/v1/welfare-posts/{id}", tag = "registers",
    params(("id" = i64, Path, description = "岗位编号")),
    responses((status = 200, body = Entry), (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn show(
    State(state): State<AppState>,
    user: ApiUser,
    ApiPath(id): ApiPath<i64>,
) -> AppResult<ApiJson<Entry>> {
    Ok(ApiJson(
        welfare_posts::show(&state.db, &user.caller, id).await?,
    ))
}

/// Changes a post (with the `version` read; audited): what `POST` refuses, and 409 a stale version.
#[utoipa::path(put, path = "/api/v1/welfare-posts/{id}", tag = "registers",
    params(("id" = i64, Path, description = "岗位编号")),
    request_body = Versioned<Draft>,
    responses((status = 204), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn update(
    State(state): State<AppState>,
    user: ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<Versioned<Draft>>,
) -> AppResult<StatusCode> {
    welfare_posts::update(&state.db, &user.caller, id, body, shouwang_app::today()).await?;
    Ok(StatusCode::NO_CONTENT)
}
