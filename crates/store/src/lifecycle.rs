//! 监测帮扶操作层: the one place where a client's [`Command`] meets the server's rules and facts.
//!
//! The JSON API, the CLI and the web pages all call [`execute`] with a [`Request`] (household, the
//! case version the client saw, the 办理日期, the command); none of them builds a
//! [`shouwang_core::monitoring::CaseAction`] by hand. `execute`:
//!
//! 1. checks the date (default today in China; never in the future);
//! 2. checks that every attachment the command cites was uploaded in the caller's county;
//! 3. gathers what the command needs ([`Command::needs`]): the county's rules ([`county_rules`]), the
//!    household and its latest income and the line of the year (pre-judgment), the cadre's account;
//! 4. resolves the command into the core action ([`Command::resolve`]) and runs it through
//!    [`repo::cases`] in one transaction (version check, core rule, JSON, audit row).
//!
//! A report on a household without a case (or whose case is closed) opens one; on one with an open
//! case it is merged into a clue or added as a new clue ([`Filed`]). A report may omit the version (reports only add); every other command must carry it.
//!
//! Besides, the read models the three clients share: [`recommendations`] (the decision table),
//! [`queues`] (clues, approvals and overdue work at the caller's level), [`calendar`] (the cadence
//! tasks of each village with their state), [`exit_candidates`] (定期预判), [`notice`] (the
//! 告知书 text).

use chrono::{Datelike, Duration, NaiveDate, Utc};
use serde::Serialize;
use shouwang_core::monitoring::calendar::{Period, Task, TaskKind, TaskStatus, village_tasks};
use shouwang_core::monitoring::command::{Facts, Resolved};
use shouwang_core::monitoring::exit::{ExitNotice, NoticeText};
use shouwang_core::monitoring::measures::{Recommendation, Situation, recommend};
use shouwang_core::monitoring::{
    Channel, Command, ExitStep, IdentStep, Lifecycle, Refusal, YearMonth,
};
use shouwang_core::rules::CountyRules;
use shouwang_core::{CodeList, Role, Scope};

use crate::db::Db;
use crate::error::{Result, StoreError};
use crate::repo::cases::{
    self, Candidate, CaseQuery, CaseRecord, CaseRow, NoticeRequest, VillageQueue,
};
use crate::repo::sessions::SessionUser;
use crate::repo::users::UserWithScope;
use crate::repo::{self, Actor, Page};

/// Who acts: a signed-in user (API, web) or the operator's named user (CLI), with role and area.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Caller {
    /// The user's id.
    pub user_id: i64,
    /// 姓名 (written into the record and the audit log).
    pub name: String,
    /// Role and area.
    pub scope: Scope,
}

impl Caller {
    /// The caller of a session.
    pub fn from_session(s: &SessionUser) -> Caller {
        Caller {
            user_id: s.user_id,
            name: s.display_name.clone(),
            scope: s.scope.clone(),
        }
    }

    /// The caller acting as a user account.
    pub fn from_user(u: &UserWithScope) -> Caller {
        Caller {
            user_id: u.id,
            name: u.display_name.clone(),
            scope: u.scope.clone(),
        }
    }

    /// The actor of the audit log.
    pub fn actor(&self) -> Actor {
        Actor::new(self.user_id, self.name.clone())
    }

    /// The actor of the case record (with the role).
    pub fn by(&self) -> shouwang_core::monitoring::Actor {
        shouwang_core::monitoring::Actor::new(self.user_id, self.name.clone(), self.scope.role)
    }

    /// The county (6 digits) the caller works in; `Forbidden` for a scope wider than a county.
    pub fn county(&self) -> Result<String> {
        let area = self.scope.area_prefix().trim();
        match area.get(..6) {
            Some(c) if c.bytes().all(|b| b.is_ascii_digit()) => Ok(c.to_owned()),
            _ => Err(StoreError::Forbidden),
        }
    }
}

/// The caller acting as the active user `username` (the local CLI: the operator's machine, no
/// password); `None` for an unknown, deactivated or role-less user.
pub async fn caller_by_username(db: &Db, username: &str) -> Result<Option<Caller>> {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let Some(u) = crate::entity::users::Entity::find()
        .filter(crate::entity::users::Column::Username.eq(username.trim()))
        .one(db.conn())
        .await?
    else {
        return Ok(None);
    };
    Ok(repo::users::get(db, u.id)
        .await?
        .filter(|u| u.is_active)
        .map(|u| Caller::from_user(&u)))
}

/// Today in China (Asia/Shanghai is UTC+8 all year): the default 办理日期.
pub fn today() -> NaiveDate {
    (Utc::now() + Duration::hours(8)).date_naive()
}

/// The county's rules in force (merge window, identification and exit rules, notice numbering,
/// cadence, working calendar): the county admin's saved rules, else the defaults
/// ([`repo::rules::get`]).
pub async fn county_rules(db: &Db, county: &str) -> Result<CountyRules> {
    Ok(repo::rules::get(db, county).await?.rules)
}

/// A bad request in Chinese and English (answered 422 by the API: nothing was written).
fn invalid(zh: impl Into<String>, en: impl Into<String>) -> StoreError {
    StoreError::Refused(Refusal::invalid(zh, en))
}

/// One command on one household's case.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Request {
    /// 户编号.
    pub household: String,
    /// The case version the client saw (optimistic locking). Required except for a report.
    pub version: Option<i64>,
    /// 办理日期; default [`today`]; never after today.
    pub on: Option<NaiveDate>,
    /// What to do.
    pub command: Command,
}

/// Where a report went.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Filed {
    /// It opened the household's case (发现线索, 新建档案).
    NewCase,
    /// A new clue in the existing case (another cause, or outside the merge window).
    NewClue,
    /// Merged into an open clue of the same cause within the merge window (线索归并).
    Merged,
}

/// The result of [`execute`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Done {
    /// The case as stored after the command.
    pub record: CaseRecord,
    /// For a report: where it went.
    pub filed: Option<Filed>,
}

/// The 办理日期 of a request: given or today; refused when after today.
fn date_of(on: Option<NaiveDate>) -> Result<NaiveDate> {
    let today = today();
    match on {
        None => Ok(today),
        Some(d) if d > today => Err(invalid(
            format!("办理日期 {d} 晚于今天（{today}）"),
            format!("The date {d} is after today ({today})"),
        )),
        Some(d) => Ok(d),
    }
}

/// Refuses a command citing an attachment that was not uploaded in the caller's county.
async fn check_attachments(db: &Db, caller: &Caller, command: &Command) -> Result<()> {
    for a in command.attachments() {
        a.validate()?;
        if repo::cases::attachment(db, &caller.scope, &a.sha256)
            .await?
            .is_none()
        {
            return Err(invalid(
                format!("附件“{}”尚未上传（SHA-256 {}）", a.name, a.sha256),
                format!(
                    "Attachment {:?} has not been uploaded (SHA-256 {})",
                    a.name, a.sha256
                ),
            ));
        }
    }
    Ok(())
}

/// The name of the cadre with user id `id`, who must be an active account of a role that can be a
/// responsible cadre (帮扶责任人, 村级工作专班, 乡镇管理员: "乡村两级干部和驻村帮扶干部") whose area covers
/// the household's village (so the cadre can see and follow the household).
async fn cadre_name(db: &Db, id: i64, village: &str) -> Result<String> {
    let refuse = |zh: String, en: String| Err(invalid(zh, en));
    let Some(u) = repo::users::get(db, id).await? else {
        return refuse(
            format!("用户 {id} 不存在"),
            format!("There is no user {id}"),
        );
    };
    if !u.is_active {
        return refuse(
            format!("用户 {}（{id}）已停用", u.display_name),
            format!("User {} ({id}) is deactivated", u.username),
        );
    }
    if !matches!(
        u.scope.role,
        Role::Cadre | Role::VillageTeam | Role::TownshipAdmin
    ) {
        return refuse(
            format!(
                "{}（{}）不能担任帮扶责任人",
                u.display_name,
                u.scope.role.label_zh()
            ),
            format!(
                "A {} cannot be a responsible cadre",
                u.scope.role.label_en().to_lowercase()
            ),
        );
    }
    if !u.scope.covers(village) {
        return refuse(
            format!("{}的管辖范围不含该户所在村", u.display_name),
            format!(
                "The area of {} does not include the household's village",
                u.username
            ),
        );
    }
    Ok(u.display_name)
}

/// Runs one command on a household's case (see the module doc). Errors: `NotFound` (no household or
/// case in the caller's area), `Forbidden`, `StaleVersion`, `Refused` (the core's rule, or bad input:
/// a future date, a missing version, an attachment not uploaded, an unsuitable cadre), `Conflict`.
pub async fn execute(db: &Db, caller: &Caller, req: Request) -> Result<Done> {
    let on = date_of(req.on)?;
    let county = caller.county()?;
    let number = req.household.trim().to_owned();
    if number.is_empty() {
        return Err(invalid("请填写户编号", "The household number is required"));
    }
    check_attachments(db, caller, &req.command).await?;
    let existing = cases::get(db, &caller.scope, &number).await?;
    let needs = req.command.needs();
    let mut facts = Facts {
        rules: county_rules(db, &county).await?,
        ..Facts::default()
    };
    if needs.income_and_line {
        let inputs = cases::exit_inputs(db, &caller.scope, &number, on.year()).await?;
        facts.household = Some(inputs.household);
        facts.latest_income = inputs.latest_income;
        facts.line = Some(inputs.line);
    } else if needs.household {
        let detail = repo::households::get(db, &caller.scope, &number)
            .await?
            .ok_or(StoreError::NotFound)?;
        facts.household = Some(detail.household);
    }
    if let Some(id) = needs.cadre_user {
        let rec = existing.as_ref().ok_or(StoreError::NotFound)?;
        facts.cadre_name = Some(cadre_name(db, id, &rec.village_code).await?);
    }
    let by = caller.by();
    let actor = caller.actor();
    match req.command.resolve(facts)? {
        Resolved::IssueNotice => {
            let rec = existing.ok_or(StoreError::NotFound)?;
            let version = req.version.ok_or_else(version_required)?;
            let detail = repo::households::get(db, &caller.scope, &number)
                .await?
                .ok_or(StoreError::NotFound)?;
            let head = detail
                .household
                .head()
                .map(|m| m.name.clone())
                .unwrap_or_default();
            let village_name = detail.village_name.clone().unwrap_or_default();
            let request = NoticeRequest {
                by,
                on,
                addressee: head,
                village: format!(
                    "{}{}",
                    detail.township_name.unwrap_or_default(),
                    village_name
                ),
                committee: format!("{village_name}村民委员会"),
            };
            let record = cases::issue_exit_notice(
                db,
                &actor,
                &caller.scope,
                &rec.household_number,
                version,
                &request,
            )
            .await?;
            Ok(Done {
                record,
                filed: None,
            })
        }
        Resolved::Action(shouwang_core::monitoring::CaseAction::Report { report, rules }) => {
            if report.household.trim() != number {
                return Err(invalid(
                    "报告的户编号与请求不一致",
                    "The report is for another household than the request",
                ));
            }
            // A household without a case, or whose case is closed (风险消除, 未纳入), gets a new case.
            let existing = match existing {
                Some(rec) if !rec.lifecycle.is_closed() => rec,
                _ => {
                    match cases::open(db, &actor, &caller.scope, report.clone(), &by, on).await {
                        Ok(record) => {
                            return Ok(Done {
                                record,
                                filed: Some(Filed::NewCase),
                            });
                        }
                        // Another report opened the case meanwhile: add this one to it.
                        Err(StoreError::Conflict(_)) => cases::get(db, &caller.scope, &number)
                            .await?
                            .ok_or(StoreError::NotFound)?,
                        Err(e) => return Err(e),
                    }
                }
            };
            let version = req.version.unwrap_or(existing.version);
            let clues_before = existing.case.clues.len();
            let record = cases::apply(db, &actor, &caller.scope, &number, version, |c| {
                c.apply(
                    shouwang_core::monitoring::CaseAction::Report { report, rules },
                    &by,
                    on,
                )
            })
            .await?;
            let filed = if record.case.clues.len() > clues_before {
                Filed::NewClue
            } else {
                Filed::Merged
            };
            Ok(Done {
                record,
                filed: Some(filed),
            })
        }
        Resolved::Action(action) => {
            if existing.is_none() {
                return Err(StoreError::NotFound);
            }
            let version = req.version.ok_or_else(version_required)?;
            let record = cases::apply(db, &actor, &caller.scope, &number, version, |c| {
                c.apply(action, &by, on)
            })
            .await?;
            Ok(Done {
                record,
                filed: None,
            })
        }
    }
}

fn version_required() -> StoreError {
    invalid(
        "请提供档案版本号 version（防止覆盖他人的修改）",
        "The case version is required (optimistic locking)",
    )
}

// ---------------------------------------------------------------------------------------------------------
// Read models.

/// The decision table's advice for a household (定措施).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Recommendations {
    /// What the table looked at.
    pub situation: Situation,
    /// Recommended classes with the rules behind them.
    pub recommendations: Vec<Recommendation>,
}

/// The decision table (DOMAIN A2) for household `number`: its risks are those of the county
/// approval, else of the clues, else of the registry; its labour and school status come from the
/// registry. The two judgement flags are the team's to set.
pub async fn recommendations(
    db: &Db,
    scope: &Scope,
    number: &str,
    income_loss_or_expense_surge: bool,
    weak_inner_drive: bool,
) -> Result<Recommendations> {
    let detail = repo::households::get(db, scope, number)
        .await?
        .ok_or(StoreError::NotFound)?;
    let case = cases::get(db, scope, number).await?;
    let risks = case
        .as_ref()
        .and_then(|r| {
            r.case
                .identification
                .as_ref()
                .and_then(|i| i.outcome())
                .map(|o| o.risks.clone())
                .or_else(|| Some(r.case.clue_risks()))
        })
        .filter(|r| !r.is_empty())
        .unwrap_or_else(|| detail.household.risks.clone());
    let mut situation = Situation::of(&detail.household, &risks);
    situation.income_loss_or_expense_surge = income_loss_or_expense_surge;
    situation.weak_inner_drive = weak_inner_drive;
    let recommendations = recommend(&situation);
    Ok(Recommendations {
        situation,
        recommendations,
    })
}

/// The exit notice of a household's case with its printable text.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct NoticeView {
    /// The notice.
    pub notice: ExitNotice,
    /// Its text.
    pub text: NoticeText,
    /// The text as plain lines (for a preview or a plain printout).
    pub plain: String,
}

/// The latest exit notice of household `number` (`NotFound` if none or outside the area).
pub async fn notice(db: &Db, scope: &Scope, number: &str) -> Result<NoticeView> {
    let rec = cases::get(db, scope, number)
        .await?
        .ok_or(StoreError::NotFound)?;
    let notice = rec
        .case
        .exits
        .iter()
        .rev()
        .find_map(|x| x.notice())
        .cloned()
        .ok_or(StoreError::NotFound)?;
    let text = notice.text();
    Ok(NoticeView {
        plain: text.plain(),
        notice,
        text,
    })
}

/// 定期预判 in the caller's area on `on` with the county's exit rules.
pub async fn exit_candidates(db: &Db, caller: &Caller, on: NaiveDate) -> Result<Vec<Candidate>> {
    let rules = county_rules(db, &caller.county()?).await?;
    cases::prejudge(db, &caller.scope, on, &rules.exit).await
}

/// A case waiting for a step the caller's role may take.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Waiting {
    /// The case.
    pub row: CaseRow,
    /// The identification step waiting, if any.
    pub ident_step: Option<IdentStep>,
    /// The exit step waiting, if any.
    pub exit_step: Option<ExitStep>,
}

/// A user's work queues (工作台).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Queues {
    /// The day the queues are for.
    pub today: NaiveDate,
    /// 线索 waiting for 启动识别, per village (roles that may start identification).
    pub clues_waiting: Vec<VillageQueue>,
    /// Identification and exit steps waiting at the caller's level (审批待办).
    pub approvals: Vec<Waiting>,
    /// The month whose follow-ups are checked below (the last month already due).
    pub follow_up_month: YearMonth,
    /// Monitored households without a follow-up for that month (for a cadre: their own).
    pub overdue_follow_ups: Vec<CaseRow>,
    /// 识别 past the time limit.
    pub overdue_identifications: Vec<CaseRow>,
    /// Monitored households without a responsible cadre.
    pub needs_cadre: Vec<CaseRow>,
    /// For a cadre: the households currently assigned.
    pub my_households: Vec<CaseRow>,
}

/// Every row of a case query (all pages; areas are a village or a township for most callers).
async fn all_rows(db: &Db, scope: &Scope, query: &CaseQuery) -> Result<Vec<CaseRow>> {
    let mut out = Vec::new();
    let mut page = 1;
    loop {
        let p = cases::list(db, scope, query, page, repo::MAX_PER_PAGE).await?;
        let done = u64::try_from(out.len() + p.items.len()).unwrap_or(u64::MAX) >= p.total
            || p.items.is_empty();
        out.extend(p.items);
        if done {
            return Ok(out);
        }
        page += 1;
    }
}

/// The last month whose follow-up was due before `today`.
fn last_due_month(today: NaiveDate, rules: &CountyRules) -> YearMonth {
    let this = YearMonth::of(today);
    if rules.cadence.follow_up_due(this) < today {
        this
    } else {
        let prev = this.first_day().pred_opt().unwrap_or(this.first_day());
        YearMonth::of(prev)
    }
}

/// The caller's queues on `today`: clues waiting, steps waiting at the caller's level, overdue
/// follow-ups of the last due month, overdue identifications, households without a cadre, and for a
/// cadre the households assigned.
pub async fn queues(db: &Db, caller: &Caller, today: NaiveDate) -> Result<Queues> {
    let scope = &caller.scope;
    let role = scope.role;
    let rules = county_rules(db, &caller.county()?).await?;
    let clues_waiting = if shouwang_core::monitoring::identification::START_ROLES.contains(&role) {
        cases::clues_waiting(db, scope).await?
    } else {
        Vec::new()
    };
    // Only the cases whose next step is this role's are read (the steps are columns of `cases`).
    let mut approvals = Vec::new();
    let ident_steps: Vec<IdentStep> = IdentStep::all()
        .iter()
        .copied()
        .filter(|s| s.roles().contains(&role))
        .collect();
    let identifying = CaseQuery {
        lifecycle: Some(Lifecycle::Identifying),
        ident_steps: Some(ident_steps),
        ..CaseQuery::default()
    };
    for row in all_rows(db, scope, &identifying).await? {
        if let Some(step) = row.ident_next_step.filter(|s| s.roles().contains(&role)) {
            approvals.push(Waiting {
                row,
                ident_step: Some(step),
                exit_step: None,
            });
        }
    }
    let exit_steps: Vec<ExitStep> = ExitStep::all()
        .iter()
        .copied()
        .filter(|s| s.roles().contains(&role))
        .collect();
    for lifecycle in [
        Lifecycle::Monitored,
        Lifecycle::Deferred,
        Lifecycle::Eliminated,
    ] {
        let q = CaseQuery {
            lifecycle: Some(lifecycle),
            exit_steps: Some(exit_steps.clone()),
            ..CaseQuery::default()
        };
        for row in all_rows(db, scope, &q).await? {
            if let Some(step) = row.exit_next_step.filter(|s| s.roles().contains(&role)) {
                approvals.push(Waiting {
                    row,
                    ident_step: None,
                    exit_step: Some(step),
                });
            }
        }
    }
    let month = last_due_month(today, &rules);
    let mut overdue_follow_ups = Vec::new();
    let mut page = 1;
    loop {
        let p = cases::overdue_follow_ups(
            db,
            scope,
            month,
            today,
            &rules.cadence,
            page,
            repo::MAX_PER_PAGE,
        )
        .await?;
        let n = p.items.len();
        overdue_follow_ups.extend(p.items);
        if n == 0 || u64::try_from(overdue_follow_ups.len()).unwrap_or(u64::MAX) >= p.total {
            break;
        }
        page += 1;
    }
    let mut my_households = Vec::new();
    if role == Role::Cadre {
        overdue_follow_ups.retain(|r| r.cadre_user_id == Some(caller.user_id));
        my_households = all_rows(
            db,
            scope,
            &CaseQuery {
                cadre_user_id: Some(caller.user_id),
                ..CaseQuery::default()
            },
        )
        .await?;
    }
    Ok(Queues {
        today,
        clues_waiting,
        approvals,
        follow_up_month: month,
        overdue_follow_ups,
        overdue_identifications: cases::overdue_identifications(db, scope, today, &rules.calendar)
            .await?,
        needs_cadre: cases::needs_cadre(db, scope).await?,
        my_households,
    })
}

/// One task of the cadence calendar with its state.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TaskView {
    /// The task (village, kind, period, due date).
    pub task: Task,
    /// Its state on the day asked.
    pub status: TaskStatus,
    /// The day it was found done (the latest record that completes it), if done.
    pub completed_on: Option<NaiveDate>,
    /// For a monthly follow-up: monitored households still without a record for the month.
    pub outstanding: Option<u64>,
}

/// The cadence tasks (DOMAIN calendar) of every village in the caller's area (or of `village`) for
/// the periods overlapping `from..=to`, with their state on `today`:
///
/// - 逐月跟踪监测: done when no monitored household lacks the month's record; `outstanding` counts them;
/// - 干部排查: done by a 干部排查 round of the village held in the quarter (`screening_round`), or a
///   干部排查 clue recorded in the village in the quarter;
/// - 定期预判会议: done by an exit nomination in the village in the quarter;
/// - 民主评议会: done by an exit appraisal in the village in the quarter.
///
/// The quarterly states are read from the records, so a village with nobody to nominate shows the
/// meeting as pending or overdue: the record of a meeting without candidates is not kept yet.
pub async fn calendar(
    db: &Db,
    caller: &Caller,
    village: Option<&str>,
    from: NaiveDate,
    to: NaiveDate,
    today: NaiveDate,
) -> Result<Vec<TaskView>> {
    if to < from || (to - from).num_days() > 400 {
        return Err(invalid(
            "日期范围无效（结束日期不能早于开始日期，且不超过 400 天）",
            "Invalid date range (the end may not be before the start, at most 400 days)",
        ));
    }
    let rules = county_rules(db, &caller.county()?).await?;
    let area = caller.scope.area_prefix().to_owned();
    let villages: Vec<String> = match village.map(str::trim).filter(|v| !v.is_empty()) {
        Some(v) => {
            if !caller.scope.covers(v) {
                return Err(StoreError::NotFound);
            }
            vec![v.to_owned()]
        }
        None if area.len() >= 12 => vec![area.clone()],
        None => repo::regions::list_under(db, &area)
            .await?
            .into_iter()
            .filter(|r| r.level == shouwang_core::codes::RegionLevel::Village)
            .map(|r| r.code.as_str().to_owned())
            .collect(),
    };
    let mut out = Vec::new();
    for v in villages {
        let vscope = Scope::new(caller.user_id, caller.scope.role, v.clone());
        let rows = all_rows(db, &vscope, &CaseQuery::default()).await?;
        let mut records = Vec::new();
        for r in &rows {
            if let Some(rec) = cases::get(db, &vscope, &r.household_number).await? {
                records.push(rec);
            }
        }
        // 干部排查 rounds of the village (a round without findings completes the task too).
        let rounds: Vec<NaiveDate> = crate::screening_round::list(
            db,
            &vscope,
            Some(&v),
            shouwang_core::monitoring::Quarter::of(from).first_day(),
            shouwang_core::monitoring::Quarter::of(to).last_day(),
        )
        .await?
        .into_iter()
        .map(|r| r.round.held_on)
        .collect();
        for task in village_tasks(&v, from, to, &rules.cadence) {
            let (completed_on, outstanding) = match (task.kind, task.period) {
                (TaskKind::MonthlyFollowUp, Period::Month(m)) => {
                    let as_of = today.max(task.due_on + Duration::days(1));
                    let missing =
                        cases::overdue_follow_ups(db, &vscope, m, as_of, &rules.cadence, 1, 1)
                            .await?
                            .total;
                    let latest = records
                        .iter()
                        .filter_map(|r| r.case.follow_ups.month(m).map(|e| e.recorded_on))
                        .max();
                    let done = missing == 0 && m.first_day() <= today;
                    (
                        done.then(|| latest.unwrap_or(task.due_on.min(today))),
                        Some(missing),
                    )
                }
                (kind, Period::Quarter(q)) => {
                    let in_q = |d: NaiveDate| d >= q.first_day() && d <= q.last_day();
                    let mut dates: Vec<NaiveDate> = records
                        .iter()
                        .flat_map(|r| quarterly_evidence(&r.case, kind))
                        .filter(|d| in_q(*d))
                        .collect();
                    if kind == TaskKind::CadreScreening {
                        dates.extend(rounds.iter().copied().filter(|d| in_q(*d)));
                    }
                    (dates.into_iter().max(), None)
                }
                _ => (None, None),
            };
            let status = task.status(completed_on, today);
            out.push(TaskView {
                task,
                status,
                completed_on,
                outstanding,
            });
        }
    }
    out.sort_by(|a, b| {
        (a.task.due_on, a.task.kind, &a.task.village).cmp(&(
            b.task.due_on,
            b.task.kind,
            &b.task.village,
        ))
    });
    Ok(out)
}

/// The dates in a case that complete a quarterly task of its village.
fn quarterly_evidence(case: &shouwang_core::monitoring::Case, kind: TaskKind) -> Vec<NaiveDate> {
    match kind {
        TaskKind::CadreScreening => case
            .clues
            .iter()
            .flat_map(|c| &c.sources)
            .filter(|s| s.report.source.channel() == Channel::CadreScreening)
            .map(|s| s.recorded_on)
            .collect(),
        TaskKind::ExitPrejudgment | TaskKind::ExitAppraisal => {
            let step = if kind == TaskKind::ExitPrejudgment {
                ExitStep::Nomination
            } else {
                ExitStep::Appraisal
            };
            case.exits
                .iter()
                .flat_map(|x| &x.steps)
                .filter(|r| r.step == step)
                .map(|r| r.on)
                .collect()
        }
        TaskKind::MonthlyFollowUp => Vec::new(),
    }
}

/// Cases of the caller's area (a page), for lists.
pub async fn list(
    db: &Db,
    scope: &Scope,
    query: &CaseQuery,
    page: u32,
    per_page: u32,
) -> Result<Page<CaseRow>> {
    cases::list(db, scope, query, page, per_page).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use shouwang_core::monitoring::RefusalCode;

    #[test]
    fn last_due_month_is_the_previous_one_until_the_due_day_passes() {
        let d = |m, day| NaiveDate::from_ymd_opt(2022, m, day).unwrap();
        let rules = CountyRules::default();
        assert_eq!(
            last_due_month(d(3, 1), &rules),
            YearMonth::new(2022, 2).unwrap()
        );
        assert_eq!(
            last_due_month(d(3, 31), &rules),
            YearMonth::new(2022, 2).unwrap()
        );
        assert_eq!(
            last_due_month(d(1, 5), &rules),
            YearMonth::new(2021, 12).unwrap()
        );
    }

    #[test]
    fn dates_after_today_are_refused() {
        assert!(date_of(None).is_ok());
        assert!(date_of(Some(today())).is_ok());
        let e = date_of(Some(today() + Duration::days(1))).unwrap_err();
        assert!(matches!(e, StoreError::Refused(r) if r.code == RefusalCode::InvalidInput));
    }
}
