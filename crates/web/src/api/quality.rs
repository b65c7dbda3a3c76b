//! 数据质量检查 and 重复数据核查 over `/api/v1/quality…` — the same store calls as the pages
//! (`pages::quality`): `repo::quality::collect` (scoped to the user's area in SQL) and
//! `repo::duplicates::{list, merge_households, remove_member}` (the store checks the role, the area and
//! the versions, and writes the audit rows).
//!
//! Readers: county and township admins and village teams. ID numbers are masked unless the role may
//! see them; a list with full ID numbers is written to the audit log as `read_full_id`. Merging: township
//! and county admins only (403 for anyone else), with the versions read (stale → 409).

use axum::extract::State;
use serde::{Deserialize, Serialize};
use shouwang_app::Kind;
use shouwang_core::quality::{CHECKS, Severity};
use shouwang_core::{IdNumber, Role};
use shouwang_store::repo;
use utoipa::{IntoParams, ToSchema};

use super::{ApiJson, ApiQuery, ApiUser};
use crate::AppState;
use crate::http::error::{AppError, AppResult, ErrorBody};
use crate::http::form::clean;

fn refused_role() -> AppError {
    AppError::new(
        Kind::Forbidden,
        "role_not_allowed",
        "只有县级管理员、乡镇管理员和村级工作专班可以查看数据质量",
        "Only county and township admins and village teams see the data-quality results",
    )
}

fn may_read(user: &ApiUser) -> AppResult<()> {
    if shouwang_app::quality::may_see(user.caller.scope.role) {
        Ok(())
    } else {
        Err(refused_role())
    }
}

fn severity(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

/// A township or village code filter inside the user's area (404 outside it, 400 if not a code).
pub(super) fn area_filter(user: &ApiUser, area: &Option<String>) -> AppResult<Option<String>> {
    let Some(a) = area.as_deref().map(str::trim).filter(|a| !a.is_empty()) else {
        return Ok(None);
    };
    if a.len() > 12 || !a.bytes().all(|b| b.is_ascii_digit()) {
        return Err(AppError::bad_request(
            "bad_query",
            format!("区划代码应为数字：{}", clean(a, 20)),
            "The area must be a region code (digits)",
        ));
    }
    if !user.caller.scope.covers(a) {
        return Err(AppError::not_found());
    }
    Ok(Some(a.to_owned()))
}

/// Filters of the data-quality results.
#[derive(Debug, Deserialize, IntoParams)]
pub struct QualityParams {
    /// A check code (`Q01`…); unknown codes are refused (422).
    pub code: Option<String>,
    /// A township or village code inside the user's area.
    pub area: Option<String>,
    /// Page of households (1-based).
    pub page: Option<u32>,
    /// Households per page (1–500, default 100).
    pub per_page: Option<u32>,
}

/// One check's totals.
#[derive(Debug, Serialize, ToSchema)]
pub struct QualityCode {
    /// `Q01`…
    pub code: &'static str,
    /// `error` or `warning`.
    pub severity: &'static str,
    pub title_zh: &'static str,
    pub title_en: &'static str,
    /// Households with a finding of the check.
    pub households: u64,
    /// Findings of the check.
    pub findings: u64,
}

/// One finding.
#[derive(Debug, Serialize, ToSchema)]
pub struct QualityFinding {
    pub code: &'static str,
    /// `error` or `warning`.
    pub severity: &'static str,
    /// 姓名 of the member concerned.
    pub member_name: Option<String>,
    /// 身份证号 of the member concerned (masked unless the role may see it).
    pub member_id: Option<String>,
    pub message_zh: String,
    pub message_en: String,
}

/// A household with findings.
#[derive(Debug, Serialize, ToSchema)]
pub struct QualityHousehold {
    /// 户编号.
    pub number: String,
    pub village_code: String,
    pub village_name: String,
    pub township_name: String,
    /// 户主.
    pub head_name: String,
    /// Its findings (of the filtered code only, when filtered).
    pub findings: Vec<QualityFinding>,
}

/// The data-quality run over the user's area (数据质量检查).
#[derive(Debug, Serialize, ToSchema)]
pub struct QualityReport {
    /// The date the checks ran for.
    pub as_of: chrono::NaiveDate,
    pub households_checked: u64,
    pub households_with_findings: u64,
    /// Every check with its totals.
    pub codes: Vec<QualityCode>,
    /// The households with findings (of `code` when filtered), this page.
    pub households: Vec<QualityHousehold>,
    /// Households matching the filters in all.
    pub total: u64,
    pub page: u32,
    pub per_page: u32,
}

/// The data-quality findings of the user's area, filtered by check code and area.
#[utoipa::path(get, path = "/api/v1/quality", tag = "quality", params(QualityParams),
    responses((status = 200, body = QualityReport), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn findings(
    State(state): State<AppState>,
    user: ApiUser,
    ApiQuery(q): ApiQuery<QualityParams>,
) -> AppResult<ApiJson<QualityReport>> {
    may_read(&user)?;
    let area = area_filter(&user, &q.area)?;
    let code = match q.code.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
        None => None,
        Some(c) => Some(
            CHECKS
                .iter()
                .find(|x| x.code.eq_ignore_ascii_case(c))
                .map(|x| x.code)
                .ok_or_else(|| {
                    AppError::invalid(
                        format!("没有这个检查代码：{}（应为 Q01 等）", clean(c, 12)),
                        format!("No such check code: {} (Q01 …)", clean(c, 12)),
                    )
                })?,
        ),
    };
    let scope = &user.caller.scope;
    let as_of = shouwang_app::today();
    let (summary, households) = shouwang_app::quality::findings(
        &state.db,
        &user.caller.actor(),
        Some(scope),
        area.as_deref(),
        as_of,
        code,
    )
    .await?;
    let page = q.page.unwrap_or(1).max(1);
    let per_page = q.per_page.unwrap_or(100).clamp(1, repo::MAX_PER_PAGE);
    let total = households.len() as u64;
    let skip = (u64::from(page - 1) * u64::from(per_page)).min(total) as usize;
    let rows: Vec<QualityHousehold> = households
        .into_iter()
        .skip(skip)
        .take(per_page as usize)
        .map(|h| QualityHousehold {
            number: h.number,
            village_code: h.village_code,
            village_name: h.village_name,
            township_name: h.township_name,
            head_name: h.head_name,
            findings: h
                .findings
                .into_iter()
                .filter(|f| code.is_none_or(|c| f.finding.code == c))
                .map(|f| QualityFinding {
                    code: f.finding.code,
                    severity: severity(f.finding.severity),
                    member_name: f.member_name,
                    member_id: f.finding.member.map(|id| scope.show_id(id)),
                    message_zh: f.finding.message_zh,
                    message_en: f.finding.message_en,
                })
                .collect(),
        })
        .collect();
    let codes = summary
        .all_codes()
        .into_iter()
        .map(|(info, c)| QualityCode {
            code: info.code,
            severity: severity(info.severity),
            title_zh: info.title_zh,
            title_en: info.title_en,
            households: c.households,
            findings: c.findings,
        })
        .collect();
    Ok(ApiJson(QualityReport {
        as_of,
        households_checked: summary.households_checked,
        households_with_findings: summary.households_with_findings,
        codes,
        households: rows,
        total,
        page,
        per_page,
    }))
}

/// A household of a duplicate candidate.
#[derive(Debug, Serialize, ToSchema)]
pub struct DuplicateHousehold {
    /// 户编号.
    pub number: String,
    /// 行政村 code and name.
    pub village: String,
    pub village_name: String,
    /// Its version now (send it back with a merge).
    pub version: i64,
}

/// A member record of a candidate.
#[derive(Debug, Serialize, ToSchema)]
pub struct DuplicateMember {
    /// 户编号 of the record.
    pub household: String,
    pub name: String,
    /// 身份证号 (masked unless the role may see it; `remove-member` needs the full number).
    pub id_number: String,
}

/// One duplicate candidate (D1 一人多户, D2 一户多档, D3 疑似同一人).
#[derive(Debug, Serialize, ToSchema)]
pub struct DuplicateDto {
    /// `D1`, `D2` or `D3`.
    pub kind: &'static str,
    pub kind_zh: &'static str,
    pub kind_en: &'static str,
    /// The household a merge keeps by default, and the other.
    pub a: DuplicateHousehold,
    pub b: DuplicateHousehold,
    /// Both in one county (only then can they be merged).
    pub same_county: bool,
    /// The member records concerned (D1, D3).
    pub members: Vec<DuplicateMember>,
    pub reason_zh: String,
    pub reason_en: String,
}

/// The duplicate review list (重复数据核查).
#[derive(Debug, Serialize, ToSchema)]
pub struct DuplicateList {
    /// Whether the caller may merge (township and county admins).
    pub may_merge: bool,
    pub candidates: Vec<DuplicateDto>,
}

/// The duplicate candidates among the households of the user's area.
#[utoipa::path(get, path = "/api/v1/quality/duplicates", tag = "quality",
    responses((status = 200, body = DuplicateList), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody)),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn duplicates(
    State(state): State<AppState>,
    user: ApiUser,
) -> AppResult<ApiJson<DuplicateList>> {
    may_read(&user)?;
    let scope = &user.caller.scope;
    let rows = shouwang_app::quality::duplicate_candidates(
        &state.db,
        &user.caller.actor(),
        Some(scope),
        None,
    )
    .await?;
    let names = shouwang_app::regions::names(&state.db, scope.area_prefix()).await?;
    let name = |code: &str| names.get(code).cloned().unwrap_or_default();
    let candidates: Vec<DuplicateDto> = rows
        .into_iter()
        .map(|r| {
            let c = r.candidate;
            DuplicateDto {
                kind: c.kind.code(),
                kind_zh: c.kind.label_zh(),
                kind_en: c.kind.label_en(),
                same_county: c.a.county == c.b.county,
                a: DuplicateHousehold {
                    village_name: name(&c.a.village),
                    village: c.a.village,
                    number: c.a.number,
                    version: r.version_a,
                },
                b: DuplicateHousehold {
                    village_name: name(&c.b.village),
                    village: c.b.village,
                    number: c.b.number,
                    version: r.version_b,
                },
                members: c
                    .members
                    .iter()
                    .map(|m| DuplicateMember {
                        household: m.household.number.clone(),
                        name: m.name.clone(),
                        id_number: scope.show_id(m.id_number),
                    })
                    .collect(),
                reason_zh: c.reason_zh,
                reason_en: c.reason_en,
            }
        })
        .collect();
    Ok(ApiJson(DuplicateList {
        may_merge: matches!(scope.role, Role::CountyAdmin | Role::TownshipAdmin),
        candidates,
    }))
}

/// `POST /api/v1/quality/duplicates/merge`: household `drop` into household `keep`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MergeRequest {
    /// 户编号 kept.
    pub keep: String,
    /// Its version as read.
    pub keep_version: i64,
    /// 户编号 merged into `keep` and removed.
    pub drop: String,
    /// Its version as read.
    pub drop_version: i64,
}

/// What a merge did.
#[derive(Debug, Serialize, ToSchema)]
pub struct MergeResult {
    /// The kept household's new version.
    pub version: i64,
    pub members_moved: u64,
    pub members_dropped: u64,
    pub incomes_moved: u64,
}

fn merge_error(e: shouwang_store::StoreError) -> AppError {
    match e {
        shouwang_store::StoreError::Forbidden => AppError::new(
            Kind::Forbidden,
            "role_not_allowed",
            "只有乡镇管理员和县级管理员可以合并重复数据",
            "Only township and county admins may merge duplicates",
        ),
        other => other.into(),
    }
}

/// Merges two households of a D2 candidate (一户多档): members, incomes and case move to `keep`
/// (township or county admin; both versions as read; audited).
#[utoipa::path(post, path = "/api/v1/quality/duplicates/merge", tag = "quality",
    request_body = MergeRequest,
    responses((status = 200, body = MergeResult), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn merge(
    State(state): State<AppState>,
    user: ApiUser,
    ApiJson(req): ApiJson<MergeRequest>,
) -> AppResult<ApiJson<MergeResult>> {
    let out = repo::duplicates::merge_households(
        &state.db,
        &user.caller.actor(),
        &user.caller.scope,
        req.keep.trim(),
        req.keep_version,
        req.drop.trim(),
        req.drop_version,
    )
    .await
    .map_err(merge_error)?;
    Ok(ApiJson(MergeResult {
        version: out.version,
        members_moved: out.members_moved,
        members_dropped: out.members_dropped,
        incomes_moved: out.incomes_moved,
    }))
}

/// `POST /api/v1/quality/duplicates/remove-member`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RemoveMemberRequest {
    /// 户编号.
    pub household: String,
    /// The full 身份证号 of the duplicated member record.
    pub id_number: String,
    /// The household's version as read.
    pub version: i64,
}

/// The household's new version.
#[derive(Debug, Serialize, ToSchema)]
pub struct VersionResult {
    pub version: i64,
}

/// Deletes a duplicated member record (D1 一人多户, D3) from a household (township or county admin;
/// the household's version as read; audited).
#[utoipa::path(post, path = "/api/v1/quality/duplicates/remove-member", tag = "quality",
    request_body = RemoveMemberRequest,
    responses((status = 200, body = VersionResult), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn remove_member(
    State(state): State<AppState>,
    user: ApiUser,
    ApiJson(req): ApiJson<RemoveMemberRequest>,
) -> AppResult<ApiJson<VersionResult>> {
    let id = IdNumber::parse(&req.id_number).map_err(|e| {
        AppError::invalid(
            format!("身份证号无效：{}", e.message_zh()),
            format!("Invalid ID number: {e}"),
        )
    })?;
    let version = repo::duplicates::remove_member(
        &state.db,
        &user.caller.actor(),
        &user.caller.scope,
        req.household.trim(),
        id,
        req.version,
    )
    .await
    .map_err(merge_error)?;
    Ok(ApiJson(VersionResult { version }))
}
