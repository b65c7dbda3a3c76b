//! `/api/v1/codes`: the national code lists 代码表 with the caller's county's local display 本县代码显示设置
//! (issue 5): per code the local label 本县显示名称 (Chinese, optionally English) and the 停用 flag. The
//! codes themselves are the national system's and never change. Anyone signed in reads them; only the
//! county admin 县级管理员 of the county changes one code at a time with `PUT`, carrying the `version` it
//! read (0 while the code has no local setting; stale → 409). The store validates (label 1–30
//! characters, no control characters; codes rules depend on cannot be disabled → 422) and audits.

use axum::extract::State;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use shouwang_app::Kind;
use shouwang_core::codes::{CodeOverride, locked_reason, national_lists};
use shouwang_store::StoreError;
use shouwang_store::repo;
use utoipa::ToSchema;

use super::{ApiJson, ApiUser};
use crate::AppState;
use crate::http::error::{AppError, AppResult, ErrorBody};

/// One code with the county's setting.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct CodeDto {
    /// The national code (never changes).
    pub code: String,
    /// The national Chinese label (exports use it).
    pub national_zh: String,
    /// The national English label.
    pub national_en: String,
    /// The label the county's pages show: 本县显示名称, or the national label.
    pub label_zh: String,
    /// The county's English label, absent when the national one is used.
    pub label_en: Option<String>,
    /// 停用: not offered for new entries.
    pub disabled: bool,
    /// Whether a rule depends on the code, so it cannot be disabled (with the reason in Chinese).
    pub locked_reason_zh: Option<String>,
    /// Version to send back with a change: 0 while the code has no local setting.
    pub version: i64,
    /// Last save (UTC), absent while nothing was saved.
    pub updated_at: Option<DateTime<Utc>>,
}

/// One national code list.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct CodeListDto {
    /// Stable key (`risk_type`), used in `PUT`.
    pub key: String,
    /// Chinese name (`风险类型`).
    pub name_zh: String,
    /// English name.
    pub name_en: String,
    /// The codes, in list order.
    pub codes: Vec<CodeDto>,
}

/// `GET /api/v1/codes`.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct CodesDto {
    /// 县 code (6 digits).
    pub county_code: String,
    /// Whether the caller may change the settings (the county admin of the county).
    pub may_edit: bool,
    /// The 17 national lists.
    pub lists: Vec<CodeListDto>,
}

/// `PUT /api/v1/codes`: the new setting of one code and the version it was based on.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CodeUpdate {
    /// List key (`risk_type`).
    pub list: String,
    /// The national code (`01`).
    pub code: String,
    /// 本县显示名称 (1–30 characters; send the national label to go back to it).
    pub label_zh: String,
    /// English label (optional; absent or empty keeps the national one).
    #[serde(default)]
    pub label_en: Option<String>,
    /// 停用.
    #[serde(default)]
    pub disabled: bool,
    /// The version read (`GET /api/v1/codes`); stale → 409 and nothing written.
    pub version: i64,
}

fn code_dto(s: repo::codes::CodeSetting, national_zh: &str, national_en: &str) -> CodeDto {
    CodeDto {
        locked_reason_zh: locked_reason(&s.list, &s.code).map(|(zh, _)| zh.to_owned()),
        code: s.code,
        national_zh: national_zh.to_owned(),
        national_en: national_en.to_owned(),
        label_zh: s.label_zh,
        label_en: s.label_en,
        disabled: s.disabled,
        version: s.version,
        updated_at: s.updated_at,
    }
}

fn write_error(e: StoreError) -> AppError {
    match e {
        StoreError::Forbidden => AppError::new(
            Kind::Forbidden,
            "role_not_allowed",
            "只有本县的县级管理员可以修改代码的本县显示名称和停用设置",
            "Only the county admin of this county may change local labels and disabled codes",
        ),
        StoreError::NotFound => AppError::new(
            Kind::Invalid,
            "invalid",
            "没有这个代码表或代码",
            "No such code list or code",
        ),
        other => other.into(),
    }
}

/// The national code lists with the caller's county's local labels and 停用 flags.
#[utoipa::path(get, path = "/api/v1/codes", tag = "admin",
    responses((status = 200, body = CodesDto), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody)),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn get_codes(
    State(state): State<AppState>,
    user: ApiUser,
) -> AppResult<ApiJson<CodesDto>> {
    let county = user.caller.county()?;
    let stored = repo::codes::list(&state.db, &county).await?;
    let lists = national_lists()
        .iter()
        .map(|l| CodeListDto {
            key: l.key.to_owned(),
            name_zh: l.name_zh.to_owned(),
            name_en: l.name_en.to_owned(),
            codes: l
                .entries()
                .into_iter()
                .map(|e| {
                    let s = stored
                        .iter()
                        .find(|s| s.list == l.key && s.code == e.code)
                        .cloned()
                        .unwrap_or_else(|| repo::codes::CodeSetting {
                            list: l.key.to_owned(),
                            code: e.code.to_owned(),
                            label_zh: e.label_zh.to_owned(),
                            label_en: None,
                            disabled: false,
                            version: 0,
                            updated_at: None,
                        });
                    code_dto(s, e.label_zh, e.label_en)
                })
                .collect(),
        })
        .collect();
    let scope = &user.caller.scope;
    Ok(ApiJson(CodesDto {
        may_edit: scope.may_configure(&county),
        county_code: county,
        lists,
    }))
}

/// Sets the local label and 停用 flag of one code of the caller's county (county admin only;
/// validated; versioned; audited). Answers the code as saved.
#[utoipa::path(put, path = "/api/v1/codes", tag = "admin", request_body = CodeUpdate,
    responses((status = 200, body = CodeDto), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn put_code(
    State(state): State<AppState>,
    user: ApiUser,
    ApiJson(req): ApiJson<CodeUpdate>,
) -> AppResult<ApiJson<CodeDto>> {
    let county = user.caller.county().map_err(write_error)?;
    let edit = CodeOverride {
        label_zh: req.label_zh,
        label_en: req.label_en.filter(|s| !s.trim().is_empty()),
        disabled: req.disabled,
    };
    let saved = repo::codes::set(
        &state.db,
        &user.caller.actor(),
        &user.caller.scope,
        &county,
        &req.list,
        &req.code,
        &edit,
        req.version,
    )
    .await
    .map_err(write_error)?;
    let entry = shouwang_core::codes::find_list(&saved.list).and_then(|l| l.entry(&saved.code));
    let (zh, en) = entry.map_or(("", ""), |e| (e.label_zh, e.label_en));
    Ok(ApiJson(code_dto(saved, zh, en)))
}
