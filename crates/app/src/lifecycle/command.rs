//! 监测帮扶操作: [`execute`] runs one client [`Command`] on one household's case (see the module doc of
//! [`crate::lifecycle`]).

use chrono::{Datelike, NaiveDate};
use shouwang_core::monitoring::command::{Facts, Resolved};
use shouwang_core::monitoring::{Command, Refusal};
use shouwang_core::{CodeList, Role};
use shouwang_store::repo;
use shouwang_store::repo::cases::{self, CaseRecord, NoticeRequest};
use shouwang_store::{Db, Result, StoreError};

use super::county_rules;
use super::report::{self, Filed, Filing, file_report_on};
use crate::caller::{Caller, today};

/// A bad request in Chinese and English (answered 422 by the API: nothing was written).
pub(super) fn invalid(zh: impl Into<String>, en: impl Into<String>) -> StoreError {
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
    check_uploaded(db, caller, command.attachments()).await
}

/// Refuses a malformed attachment or one not uploaded to the attachment store in the caller's area
/// (evidence of a case step, of a problem's rectification).
pub(crate) async fn check_uploaded(
    db: &Db,
    caller: &Caller,
    attachments: Vec<&shouwang_core::monitoring::Attachment>,
) -> Result<()> {
    for a in attachments {
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
        facts.open_problems = inputs.open_problems;
    } else if needs.household {
        let detail = repo::households::get(db, &caller.scope, &number)
            .await?
            .ok_or(StoreError::NotFound)?;
        facts.household = Some(detail.household);
        facts.open_problems = repo::problems::open_blockers(db.conn(), &county, &number).await?;
    }
    if let Some(id) = needs.cadre_user {
        let rec = existing.as_ref().ok_or(StoreError::NotFound)?;
        facts.cadre_name = Some(cadre_name(db, id, &rec.village_code).await?);
    }
    let by = caller.by();
    let actor = caller.actor();
    let visit_income = req.command.visit_income();
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
            // One transaction; a concurrent first report that opened the case meanwhile makes the
            // first attempt fail with `Conflict`: the second adds this report to that case.
            let mut attempt = 0;
            loop {
                attempt += 1;
                let tx = db.begin_write().await?;
                let filing = file_report_on(
                    &tx,
                    caller,
                    report.clone(),
                    rules,
                    on,
                    req.version,
                    report::never,
                )
                .await;
                match filing {
                    Ok(Filing::Filed { filed, record }) => {
                        tx.commit().await?;
                        return Ok(Done {
                            record: *record,
                            filed: Some(filed),
                        });
                    }
                    Ok(Filing::OutOfArea) => return Err(StoreError::Forbidden),
                    Ok(Filing::AlreadyPresent) => {
                        return Err(StoreError::conflict(
                            "该线索已登记",
                            "The report is already recorded",
                        ));
                    }
                    Err(StoreError::Conflict { .. }) if attempt == 1 => continue,
                    Err(e) => return Err(e),
                }
            }
        }
        Resolved::Action(action) => {
            if existing.is_none() {
                return Err(StoreError::NotFound);
            }
            let version = req.version.ok_or_else(version_required)?;
            // The step and, for a visit, its estimated income as the household's record of that year
            // (入户核查, 月度走访) when it is the latest verified one: one transaction.
            let tx = db.begin_write().await?;
            let record = cases::apply_on(&tx, &actor, &caller.scope, &number, version, |c| {
                c.apply(action, &by, on)
            })
            .await?;
            if let Some(income) = &visit_income {
                crate::income::record_visit_on(&tx, caller, &number, income).await?;
            }
            tx.commit().await?;
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

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;
    use shouwang_core::monitoring::RefusalCode;

    #[test]
    fn dates_after_today_are_refused() {
        assert!(date_of(None).is_ok());
        assert!(date_of(Some(today())).is_ok());
        let e = date_of(Some(today() + Duration::days(1))).unwrap_err();
        assert!(matches!(e, StoreError::Refused(r) if r.code == RefusalCode::InvalidInput));
    }
}
