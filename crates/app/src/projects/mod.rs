//! 项目库与衔接资金 (B2, §四(二)1–2, issue 23): the use cases of the county's project library — a village
//! applies ([`apply`], again after a return), the township, a department of the sector and the county take
//! their steps ([`review`]), the county records payments against the plan ([`pay`]); the reads: a project
//! with its flow and payments ([`show`]), the list ([`list`]), each role's queue ([`queue`]) and the payment
//! progress by township and fund source ([`board`]). The rules are `shouwang_core::project`; the rows
//! `shouwang_store::repo::projects` (scoped by area in SQL, audited, versioned). The ledgers 项目库台账 and
//! 资金拨付进度台账 are exported by `ledgers::export` (`projects`, `project_funds`).

pub(crate) mod reads;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use shouwang_core::Role;
use shouwang_core::monitoring::Attachment;
use shouwang_core::project::flow::{self, Decision, Step, StepRecord};
use shouwang_core::project::{Draft, Payment, ProjectState, funds};
use shouwang_store::Db;
use shouwang_store::repo;
use shouwang_store::repo::projects::ProjectRow;

use crate::caller::Caller;
use crate::error::Error;

pub use reads::{Board, BoardRow, Entry, ListFilter, Sheet, SourceRow, board, list, queue, show};

/// The roles that record payments (拨付): the county (县乡村振兴局、财政局 accounts).
pub const PAYERS: &[Role] = &[Role::CountyAdmin];

/// The roles that take a step of the entry flow (村申报, 乡审核, 行业部门论证, 县备案).
pub const FLOW_ROLES: &[Role] = &[
    Role::VillageTeam,
    Role::TownshipAdmin,
    Role::Department,
    Role::CountyAdmin,
];

/// May read the project library: every role of the registry and the department (行业部门论证; a project
/// holds no personal data beyond the linked 户编号).
pub fn may_read(role: Role) -> bool {
    role.may_read_registry() || role == Role::Department
}

/// A step on an existing project as a surface sends it: the version read, the step, and for a new
/// application after a return (村申报) the revised project.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StepBody {
    /// The version read (a stale one is refused, 409).
    #[serde(default)]
    pub version: Option<i64>,
    /// The step.
    #[serde(flatten)]
    pub step: StepInput,
    /// The revised application (村申报 after a return only).
    #[serde(default)]
    pub project: Option<Draft>,
}

/// A new application as a surface sends it.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ApplyBody {
    /// The project.
    pub project: Draft,
    /// 申报日期 (default today).
    #[serde(default)]
    pub on: Option<NaiveDate>,
    /// 申报意见 (e.g. the village meeting's decision).
    #[serde(default)]
    pub opinion: String,
    /// 附件 already uploaded.
    #[serde(default)]
    pub attachments: Vec<Attachment>,
}

/// 村申报 of a new project from its body (see [`apply`]).
pub async fn apply_new(
    db: &Db,
    caller: &Caller,
    body: ApplyBody,
    today: NaiveDate,
) -> Result<i64, Error> {
    let input = StepInput {
        step: Step::Apply,
        decision: Decision::Approve,
        on: body.on,
        opinion: body.opinion,
        attachments: body.attachments,
    };
    apply(db, caller, None, &body.project, input, today).await
}

/// A step on the project `id`: 村申报 again (with the revised project, or the same one when none is sent)
/// through [`apply`], any other through [`review`]. Returns the new state.
pub async fn take_step(
    db: &Db,
    caller: &Caller,
    id: i64,
    body: StepBody,
    today: NaiveDate,
) -> Result<ProjectState, Error> {
    if body.step.step != Step::Apply {
        return review(db, caller, id, body.version, body.step, today).await;
    }
    let draft = match body.project {
        Some(d) => d,
        None => project(db, caller, id).await?.draft,
    };
    apply(
        db,
        caller,
        Some((id, body.version)),
        &draft,
        body.step,
        today,
    )
    .await?;
    Ok(ProjectState::Submitted)
}

/// A step as a surface sends it (办理意见).
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StepInput {
    /// The step taken (the one the project awaits).
    pub step: Step,
    /// 同意 / 退回修改 / 不予入库.
    pub decision: Decision,
    /// 办理日期 (default today).
    #[serde(default)]
    pub on: Option<NaiveDate>,
    /// 意见 (the reason of a return or a refusal).
    #[serde(default)]
    pub opinion: String,
    /// 附件 already uploaded to the attachment store.
    #[serde(default)]
    pub attachments: Vec<Attachment>,
}

/// The project `id` of the caller's area (`NotFound` outside it).
pub(crate) async fn project(db: &Db, caller: &Caller, id: i64) -> Result<ProjectRow, Error> {
    repo::projects::get(db, &caller.scope, id)
        .await?
        .ok_or_else(Error::not_found)
}

fn check_version(row: &ProjectRow, version: Option<i64>) -> Result<(), Error> {
    Error::check_version(version, row.version)
}

async fn last_on(db: &Db, caller: &Caller, id: i64) -> Result<Option<NaiveDate>, Error> {
    Ok(repo::projects::steps(db, &caller.scope, None, Some(id))
        .await?
        .last()
        .map(|s| s.record.on))
}

/// Checks the application's place and households against the caller's area: the village in it and a
/// region of the county, every linked 户编号 a household of the caller's area.
async fn check_draft(db: &Db, caller: &Caller, draft: &Draft) -> Result<(), Error> {
    draft.validate()?;
    let county = caller.county()?;
    let village = draft.village.trim();
    if !caller.scope.covers(village) {
        return Err(Error::role_not_allowed(
            "只能为本村申报项目",
            "A village team applies for its own village only",
        ));
    }
    let names = repo::projects::region_names(db.conn(), &county).await?;
    if !names.contains_key(village) {
        return Err(Error::invalid(
            format!("建设地点{village}不是本县的行政村"),
            "The place is no village of the county",
        ));
    }
    for n in &draft.households {
        let found = repo::register_records::locate(db.conn(), &county, n).await?;
        if !found.is_some_and(|(_, v)| caller.scope.covers(&v)) {
            return Err(Error::invalid(
                format!("受益户{}不是本村农户", n.trim()),
                "A linked household is not one of the village's",
            ));
        }
    }
    Ok(())
}

fn record(input: StepInput, today: NaiveDate) -> StepRecord {
    StepRecord {
        step: input.step,
        decision: input.decision,
        on: input.on.unwrap_or(today),
        opinion: input.opinion.trim().to_owned(),
        attachments: input.attachments,
    }
}

/// 村申报: the village team applies for a new project (`id` none) or applies again for a returned one
/// (`id` with the version read). Returns the project's id.
pub async fn apply(
    db: &Db,
    caller: &Caller,
    id: Option<(i64, Option<i64>)>,
    draft: &Draft,
    input: StepInput,
    today: NaiveDate,
) -> Result<i64, Error> {
    let mut draft = draft.clone();
    draft.name = draft.name.trim().to_owned();
    draft.village = draft.village.trim().to_owned();
    draft.households = draft
        .households
        .iter()
        .map(|h| h.trim().to_owned())
        .collect();
    let step = record(input, today);
    match id {
        None => {
            let state = flow::next(None, None, caller.scope.role, &step)?;
            check_draft(db, caller, &draft).await?;
            let county = caller.county()?;
            Ok(repo::projects::create(db, &caller.actor(), &county, state, &draft, &step).await?)
        }
        Some((id, version)) => {
            let row = project(db, caller, id).await?;
            check_version(&row, version)?;
            let last = last_on(db, caller, id).await?;
            let state = flow::next(Some(row.state), last, caller.scope.role, &step)?;
            check_draft(db, caller, &draft).await?;
            repo::projects::advance(db, &caller.actor(), &row, state, &draft, &step).await?;
            Ok(id)
        }
    }
}

/// 乡审核 / 行业部门论证 / 县备案 on the project `id` (with the version read): the new state. Refused (nothing
/// written): a step out of order or by another role, a return or refusal without a reason, a stale
/// version.
pub async fn review(
    db: &Db,
    caller: &Caller,
    id: i64,
    version: Option<i64>,
    input: StepInput,
    today: NaiveDate,
) -> Result<ProjectState, Error> {
    let row = project(db, caller, id).await?;
    check_version(&row, version)?;
    let step = record(input, today);
    if step.step == Step::Apply {
        return Err(Error::invalid(
            "村申报请通过申报表办理",
            "An application goes through the application form",
        ));
    }
    let last = last_on(db, caller, id).await?;
    let state = flow::next(Some(row.state), last, caller.scope.role, &step)?;
    repo::projects::advance(db, &caller.actor(), &row, state, &row.draft, &step).await?;
    Ok(state)
}

/// 资金拨付: records a payment of the filed project `id` (with the version read). Refused (nothing
/// written): another role than the county, a project not filed, a source outside the plan, an amount that
/// would take the source's payments over its plan (the message gives what remains), a date before the
/// filing or after today, a stale version. Returns the payment's id.
pub async fn pay(
    db: &Db,
    caller: &Caller,
    id: i64,
    version: Option<i64>,
    payment: &Payment,
    today: NaiveDate,
) -> Result<i64, Error> {
    if !PAYERS.contains(&caller.scope.role) {
        return Err(Error::role_not_allowed(
            "资金拨付由县级管理员录入",
            "Payments are recorded by the county",
        ));
    }
    let row = project(db, caller, id).await?;
    check_version(&row, version)?;
    let made: Vec<Payment> = repo::projects::payments(db, &caller.scope, None, Some(id))
        .await?
        .into_iter()
        .map(|p| p.payment)
        .collect();
    funds::check_payment(row.state, &row.draft.plan, &made, payment)?;
    let filed = repo::projects::steps(db, &caller.scope, None, Some(id))
        .await?
        .into_iter()
        .rev()
        .find(|s| s.record.step == Step::CountyFiling)
        .map(|s| s.record.on);
    if filed.is_some_and(|f| payment.paid_on < f) || payment.paid_on > today {
        return Err(Error::invalid(
            format!(
                "拨付日期{}应在县备案日期（{}）之后、不晚于今天",
                payment.paid_on,
                filed.map(|f| f.to_string()).unwrap_or_default()
            ),
            "The payment date must lie between the filing and today",
        ));
    }
    let mut p = payment.clone();
    p.voucher = p.voucher.trim().to_owned();
    Ok(repo::projects::pay(db, &caller.actor(), &row, &p).await?)
}
