//! 收支测算 of a household: `GET /api/v1/households/{number}/income` (every year, with the assessment),
//! `GET/PUT /api/v1/households/{number}/income/{year}` — through `shouwang_app::income`, the one path the
//! household page and `shouwang income` use too.

use axum::extract::State;
use serde::Deserialize;
use shouwang_app::income::{self, IncomeSheet, IncomeYear, Saved};
use shouwang_core::income::{IncomeSource, YearAssessment};
use shouwang_core::{Fen, IncomeRecord};
use utoipa::ToSchema;

use super::{ApiJson, ApiPath, ApiUser};
use crate::AppState;
use crate::http::error::{AppError, AppResult, ErrorBody};

/// A year's record as a client sends it: amounts in 分 (integers), absent amounts 0.
#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct IncomeBody {
    /// 工资性收入.
    pub wage: Fen,
    /// 生产经营性收入.
    pub business: Fen,
    /// 财产性收入.
    pub property: Fen,
    /// 转移性收入.
    pub transfer: Fen,
    /// 生产经营性支出.
    pub production_cost: Fen,
    /// 刚性支出: 合规自付医疗.
    pub rigid_medical: Fen,
    /// 刚性支出: 教育.
    pub rigid_education: Fen,
    /// 刚性支出: 残疾康复.
    pub rigid_disability: Fen,
    /// 刚性支出: 因灾因事故.
    pub rigid_disaster: Fen,
    /// 理赔收入.
    pub insurance_payout: Fen,
    /// 家庭人口 (at least 1).
    pub members: u32,
    /// The version read (absent: create a year not recorded yet).
    pub version: Option<i64>,
    /// `true`: only assess, save nothing (the answer is the assessment).
    pub preview: bool,
}

impl IncomeBody {
    fn record(&self, year: i32) -> IncomeRecord {
        IncomeRecord {
            year,
            wage: self.wage,
            business: self.business,
            property: self.property,
            transfer: self.transfer,
            production_cost: self.production_cost,
            rigid_medical: self.rigid_medical,
            rigid_education: self.rigid_education,
            rigid_disability: self.rigid_disability,
            rigid_disaster: self.rigid_disaster,
            insurance_payout: self.insurance_payout,
            members: self.members,
        }
    }
}

/// Every income year of a household, oldest first, each with its source, 数据日期, version and assessment
/// against the line of its year (家庭纯收入, 人均纯收入, below / near / above, 明显下降), and in
/// `not_counted` the other sources' figures of the year that differ from the record that counts (不计入,
/// with the reason: 以最近一次核实记录为准). 404 outside your area.
#[utoipa::path(get, path = "/api/v1/households/{number}/income", tag = "households",
    params(("number" = String, Path, description = "户编号")),
    responses((status = 200, body = IncomeSheet), (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn sheet(
    State(state): State<AppState>,
    user: ApiUser,
    ApiPath(number): ApiPath<String>,
) -> AppResult<ApiJson<IncomeSheet>> {
    Ok(ApiJson(
        income::show(&state.db, &user.caller, &number).await?,
    ))
}

/// One income year (404 when not recorded, or outside your area).
#[utoipa::path(get, path = "/api/v1/households/{number}/income/{year}", tag = "households",
    params(("number" = String, Path, description = "户编号"), ("year" = i32, Path, description = "年度")),
    responses((status = 200, body = IncomeYear), (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn year(
    State(state): State<AppState>,
    user: ApiUser,
    ApiPath((number, year)): ApiPath<(String, i32)>,
) -> AppResult<ApiJson<IncomeYear>> {
    let sheet = income::show(&state.db, &user.caller, &number).await?;
    sheet
        .years
        .into_iter()
        .find(|y| y.record.year == year)
        .map(ApiJson)
        .ok_or_else(AppError::not_found)
}

/// The answer of a PUT: the saved record's version and assessment, and where the income rule's finding
/// went; or, for a preview, the assessment alone.
#[derive(Clone, Debug, serde::Serialize, ToSchema)]
#[serde(untagged)]
pub enum PutAnswer {
    /// Saved.
    Saved(Saved),
    /// `preview: true`: nothing saved.
    Preview(YearAssessment),
}

/// Adds (no `version`) or corrects (`version` read) a year's record, source 手工录入; audited. A year
/// whose per-capita income fell clearly against the year before (县级规则, default 30 %) or whose income
/// after rigid expenditure is below the line files or joins a clue (收支测算比对, once a year).
/// 403 for a role that may not write, 404 outside your area, 409 stale version, 422 bad record (a
/// negative amount, 家庭人口 0, a year outside 2000–2100).
#[utoipa::path(put, path = "/api/v1/households/{number}/income/{year}", tag = "households",
    params(("number" = String, Path, description = "户编号"), ("year" = i32, Path, description = "年度")),
    request_body = IncomeBody,
    responses((status = 200, body = PutAnswer), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn put_year(
    State(state): State<AppState>,
    user: ApiUser,
    ApiPath((number, year)): ApiPath<(String, i32)>,
    ApiJson(body): ApiJson<IncomeBody>,
) -> AppResult<ApiJson<PutAnswer>> {
    let record = body.record(year);
    if body.preview {
        let a = income::preview(&state.db, &user.caller, &number, &record).await?;
        return Ok(ApiJson(PutAnswer::Preview(a)));
    }
    let saved = income::set(
        &state.db,
        &user.caller,
        &number,
        &record,
        IncomeSource::Manual,
        body.version,
    )
    .await?;
    Ok(ApiJson(PutAnswer::Saved(saved)))
}
