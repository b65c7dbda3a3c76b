//! The JSON shapes of `/api/v1`: requests (each write carries the case `version` it was based on and
//! an optional 办理日期 `on`) and responses (the store's rows re-shaped, ID numbers masked by role).
//!
//! Core types (the case, the steps, the evidence) appear as they are: their schemas come from the
//! core's `openapi` feature, so the document describes exactly what the server deserialises.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use shouwang_core::Role;
use shouwang_core::monitoring::FollowUp;
use shouwang_core::monitoring::{
    CadreCommand, Command, ExitCommand, IdentAction, MeasureAction, MeasurePlan, Report,
};
use utoipa::ToSchema;

// ---------------------------------------------------------------------------------------------------------
// Requests.

/// `POST /api/v1/login`.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    /// 用户名.
    pub username: String,
    /// 密码.
    pub password: String,
}

/// A write without a body of its own (启动识别, 预判提名, 退出告知).
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VersionOn {
    /// The case version the client read (optimistic locking: stale → 409).
    pub version: i64,
    /// 办理日期 (default today in China; never after today).
    #[serde(default)]
    pub on: Option<NaiveDate>,
}

/// `POST /api/v1/clues`: a report from one of the four channels.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ClueRequest {
    /// The report (the household is `report.household`; the channel is `report.source.channel`).
    pub report: Report,
    /// The case version, if the client read the case (reports only add, so it may be left out).
    #[serde(default)]
    pub version: Option<i64>,
    /// 登记日期 (default today).
    #[serde(default)]
    pub on: Option<NaiveDate>,
}

/// An identification step.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IdentStepRequest {
    /// Case version.
    pub version: i64,
    /// 办理日期.
    #[serde(default)]
    pub on: Option<NaiveDate>,
    /// The step with its evidence (tagged by `action`: `verify`, `compare`, `appraise`,
    /// `post_notice`, `close_notice`, `township_review`, `county_approval`, `enrol`,
    /// `open_green_channel`).
    pub action: IdentAction,
}

/// 绿色通道.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GreenChannelRequest {
    /// Case version.
    pub version: i64,
    /// 办理日期.
    #[serde(default)]
    pub on: Option<NaiveDate>,
    /// Why (the disaster or accident).
    pub reason: String,
}

/// 制定帮扶措施.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PlanRequest {
    /// Case version.
    pub version: i64,
    /// 办理日期.
    #[serde(default)]
    pub on: Option<NaiveDate>,
    /// The plan.
    pub plan: MeasurePlan,
}

/// A measure's status change.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MeasureUpdateRequest {
    /// Case version.
    pub version: i64,
    /// 办理日期.
    #[serde(default)]
    pub on: Option<NaiveDate>,
    /// `start`, `complete` (with evidence: description and uploaded attachments) or `cancel`.
    pub action: MeasureAction,
}

/// 确定 / 更换 / 解除帮扶责任人.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CadreRequest {
    /// Case version.
    pub version: i64,
    /// 办理日期.
    #[serde(default)]
    pub on: Option<NaiveDate>,
    /// `assign`, `reassign` or `release`.
    pub action: CadreCommand,
}

/// 逐月跟踪监测.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FollowUpRequest {
    /// Case version.
    pub version: i64,
    /// 登记日期.
    #[serde(default)]
    pub on: Option<NaiveDate>,
    /// The visit.
    pub visit: FollowUp,
}

/// An exit step.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ExitStepRequest {
    /// Case version.
    pub version: i64,
    /// 办理日期.
    #[serde(default)]
    pub on: Option<NaiveDate>,
    /// `decide_at_meeting`, `check_household`, `appraise` or `withdraw`.
    pub action: ExitCommand,
}

/// Any command (the same commands as the specific endpoints).
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CommandRequest {
    /// Case version (optional only for a report).
    #[serde(default)]
    pub version: Option<i64>,
    /// 办理日期.
    #[serde(default)]
    pub on: Option<NaiveDate>,
    /// The command.
    pub command: Command,
}

// ---------------------------------------------------------------------------------------------------------
// Responses.

/// The answer to a login.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct LoginResponse {
    /// The session token: send it as `Authorization: Bearer <token>` (no CSRF header needed then).
    pub token: String,
    /// The session's CSRF token (for requests authenticated by the browser's session cookie).
    pub csrf_token: String,
    /// When the session ends (UTC).
    pub expires_at: DateTime<Utc>,
    /// Who logged in.
    pub user: Me,
}

/// The signed-in user.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct Me {
    /// User id.
    pub user_id: i64,
    /// 用户名.
    pub username: String,
    /// 姓名.
    pub display_name: String,
    /// 角色.
    pub role: Role,
    /// Area (region code prefix).
    pub area: String,
    /// Whether full ID numbers are shown to this role.
    pub may_view_full_id: bool,
}

pub use shouwang_app::views::*;
