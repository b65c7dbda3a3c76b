//! The exit notices 退出告知书: their list, and issuing one numbered from the county's counter for the year.

use chrono::{Datelike, NaiveDate, Utc};
use sea_orm::{ConnectionTrait, DatabaseTransaction};
use serde::Serialize;
use shouwang_core::Scope;
use shouwang_core::monitoring::{self as core_m, CaseAction, ExitAction};

use super::CaseRecord;
use super::rows::parse_date;
use super::writes::{find_for_write, reread, write};
use crate::db::Db;
use crate::error::{Result, StoreError};
use crate::repo::area::effective_area;
use crate::repo::{Actor, Sql};

/// An issued 退出告知书.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct NoticeRow {
    /// 县 code.
    pub county_code: String,
    /// Year of the number.
    pub year: i32,
    /// Sequence in the county and year (1, 2, …).
    pub sequence: i64,
    /// The full number, e.g. `兴县圪塔上乡〔2022〕告字第3号`.
    pub number: String,
    /// 行政村 code.
    pub village_code: String,
    /// 户编号.
    pub household_number: String,
    /// Date of issue.
    pub issued_on: NaiveDate,
}

/// What an exit notice needs besides its number ([`issue_exit_notice`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NoticeRequest {
    /// Who issues it (role checked by the core).
    pub by: core_m::Actor,
    /// Date of issue (its year is the number's year).
    pub on: NaiveDate,
    /// 户主姓名.
    pub addressee: String,
    /// 村名, e.g. 圪塔上乡某某村.
    pub village: String,
    /// 落款, e.g. 某某村村民委员会.
    pub committee: String,
}

/// The exit notices issued in `year` in the scope's area, by sequence.
pub async fn notices(db: &Db, scope: &Scope, year: i32) -> Result<Vec<NoticeRow>> {
    let Some(area) = effective_area(scope, None) else {
        return Ok(Vec::new());
    };
    let mut sql = Sql::new();
    sql.push("SELECT * FROM exit_notices n WHERE n.year = ")
        .bind(year);
    sql.push_area("n", &area);
    sql.push(" ORDER BY n.county_code, n.sequence");
    let rows = db.conn().query_all_raw(sql.build(db.backend())).await?;
    rows.iter()
        .map(|r| {
            Ok(NoticeRow {
                county_code: r.try_get("", "county_code")?,
                year: r.try_get("", "year")?,
                sequence: r.try_get("", "sequence")?,
                number: r.try_get("", "number")?,
                village_code: r.try_get("", "village_code")?,
                household_number: r.try_get("", "household_number")?,
                issued_on: parse_date(&r.try_get::<String>("", "issued_on")?)?,
            })
        })
        .collect()
}

/// Takes the next 告知书 sequence of `county` and `year` (1 for the first), on `tx`.
async fn next_notice_sequence(tx: &DatabaseTransaction, county: &str, year: i32) -> Result<i64> {
    let mut sql = Sql::new();
    sql.push("INSERT INTO exit_notice_counters (county_code, year, last_sequence) VALUES (")
        .bind(county)
        .push(", ")
        .bind(year)
        .push(
            ", 1) ON CONFLICT (county_code, year) DO UPDATE \
             SET last_sequence = exit_notice_counters.last_sequence + 1 RETURNING last_sequence",
        );
    let row = tx
        .query_one_raw(sql.build(tx.get_database_backend()))
        .await?
        .ok_or_else(|| StoreError::corrupt("notice counter returned no row"))?;
    Ok(row.try_get("", "last_sequence")?)
}

/// 退出告知: issues the written exit notice of the household's eliminated exit, numbered from the county's
/// counter for the year of `req.on`. The counter, the notice row, the case and the audit row are written in
/// one transaction: a refusal (`Refused`, e.g. the risk is not eliminated or the role may not) or a stale
/// version leaves the counter where it was.
pub async fn issue_exit_notice(
    db: &Db,
    actor: &Actor,
    scope: &Scope,
    household_number: &str,
    expected_version: i64,
    req: &NoticeRequest,
) -> Result<CaseRecord> {
    let tx = db.begin_write().await?;
    let before = find_for_write(&tx, scope, household_number).await?;
    if before.version != expected_version {
        return Err(StoreError::StaleVersion {
            expected: expected_version,
            found: before.version,
        });
    }
    let year = req.on.year();
    let sequence = next_notice_sequence(&tx, &before.county_code, year).await?;
    let seq = u32::try_from(sequence)
        .map_err(|_| StoreError::internal(format!("notice sequence {sequence} out of range")))?;
    let after = before.case.apply(
        CaseAction::Exit {
            action: ExitAction::IssueNotice {
                sequence: seq,
                addressee: req.addressee.clone(),
                village: req.village.clone(),
                committee: req.committee.clone(),
            },
        },
        &req.by,
        req.on,
    )?;
    let notice = after
        .exits
        .last()
        .and_then(|x| x.notice())
        .ok_or_else(|| StoreError::internal("the exit has no notice after issuing it"))?;
    let mut ins = Sql::new();
    ins.push(
        "INSERT INTO exit_notices (county_code, year, sequence, number, case_id, village_code, \
         household_number, issued_on, created_at) VALUES (",
    )
    .bind(before.county_code.clone())
    .push(", ")
    .bind(notice.year)
    .push(", ")
    .bind(i64::from(notice.sequence))
    .push(", ")
    .bind(notice.number.clone())
    .push(", ")
    .bind(before.id)
    .push(", ")
    .bind(before.village_code.clone())
    .push(", ")
    .bind(before.household_number.clone())
    .push(", ")
    .bind(notice.issued_on.to_string())
    .push(", ")
    .bind(Utc::now())
    .push(")");
    tx.execute_raw(ins.build(tx.get_database_backend()))
        .await
        .map_err(|e| {
            StoreError::from_write(
                e,
                &format!("风险消除告知书 {}", notice.number),
                &format!("Exit notice {}", notice.number),
            )
        })?;
    write(&tx, actor, &before, &after, expected_version).await?;
    let rec = reread(&tx, &before).await?;
    tx.commit().await?;
    Ok(rec)
}
