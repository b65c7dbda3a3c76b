//! Bulk insert of finished cases (demo loads), with their months, notices and notice counters.

use std::collections::BTreeMap;

use chrono::Utc;
use sea_orm::ConnectionTrait;
use shouwang_core::monitoring::Case;

use super::derived::{bind_derived, body_of, derive};
use crate::error::{Result, StoreError};
use crate::ids::new_id;
use crate::repo::Sql;

/// A case for [`insert_bulk`]: a core [`Case`] already driven through the core's rules, with the household's
/// row id and its place in the household's sequence.
#[derive(Clone, Debug)]
pub struct BulkCase {
    /// `households.id` of the case's household.
    pub household_id: i64,
    /// The household's case sequence (1, 2, …).
    pub seq: i64,
    /// Whether this is the household's latest case.
    pub is_current: bool,
    /// The case.
    pub case: Case,
}

/// Rows a multi-row `INSERT` of cases takes (24 columns).
const BULK_CHUNK: usize = 500;

/// Writes many cases of one county on `conn` (the caller's transaction) with multi-row `INSERT`s: the case
/// rows with the same derived columns as [`open`] and [`apply`] write, their follow-up months, their
/// issued exit notices, and the county's notice counters raised to the highest sequence of each year.
/// Used by bulk loads (the demo county), which audit the load as a whole. The cases must have been built
/// with the core's rules (`Case::open`, `Case::apply`); the notices' sequences must be unique per year and
/// above any already issued in the county (the counters and the notices' unique keys refuse otherwise).
/// Returns the number of cases written.
pub(crate) async fn insert_bulk(
    conn: &impl ConnectionTrait,
    county: &str,
    cases: &[BulkCase],
) -> Result<u64> {
    let backend = conn.get_database_backend();
    let now = Utc::now();
    let mut ids = Vec::with_capacity(cases.len());
    for chunk in cases.chunks(BULK_CHUNK) {
        let mut ins = Sql::new();
        ins.push(
            "INSERT INTO cases (county_code, id, seq, is_current, household_id, township_code, \
             village_code, household_number, lifecycle, channels, first_reported_on, ident_started_on, \
             ident_next_step, monitored_since, eliminated_on, exit_next_step, cadre_user_id, cadre_name, \
             last_follow_up_month, body, version, created_at, updated_at) VALUES ",
        );
        for (i, b) in chunk.iter().enumerate() {
            let id = new_id();
            ids.push(id);
            let d = derive(&b.case);
            if i > 0 {
                ins.push(", ");
            }
            ins.push("(")
                .bind(county)
                .push(", ")
                .bind(id)
                .push(", ")
                .bind(b.seq)
                .push(", ")
                .bind(b.is_current)
                .push(", ")
                .bind(b.household_id)
                .push(", ")
                .bind(b.case.village.township().to_owned())
                .push(", ")
                .bind(b.case.village.as_str().to_owned())
                .push(", ")
                .bind(b.case.household.clone());
            bind_derived(&mut ins, &d, false);
            ins.push(", ")
                .bind(body_of(&b.case)?)
                .push(", ")
                .bind(1_i64)
                .push(", ")
                .bind(now)
                .push(", ")
                .bind(now)
                .push(")");
        }
        conn.execute_raw(ins.build(backend))
            .await
            .map_err(|e| StoreError::from_write(e, "批量写入的监测帮扶档案", "Bulk cases"))?;
    }

    // Follow-up months.
    let months: Vec<(i64, String, String, bool)> = cases
        .iter()
        .zip(&ids)
        .flat_map(|(b, id)| {
            derive(&b.case)
                .months
                .into_iter()
                .map(move |(m, (visited, well))| (*id, m, visited, well))
        })
        .collect();
    for chunk in months.chunks(BULK_CHUNK * 2) {
        let mut ins = Sql::new();
        ins.push(
            "INSERT INTO case_follow_ups (county_code, case_id, month, visited_on, all_well) VALUES ",
        );
        for (i, (id, month, visited, well)) in chunk.iter().enumerate() {
            if i > 0 {
                ins.push(", ");
            }
            ins.push("(")
                .bind(county)
                .push(", ")
                .bind(*id)
                .push(", ")
                .bind(month.clone())
                .push(", ")
                .bind(visited.clone())
                .push(", ")
                .bind(*well)
                .push(")");
        }
        conn.execute_raw(ins.build(backend))
            .await
            .map_err(|e| StoreError::from_write(e, "批量写入的月度监测记录", "Bulk follow-ups"))?;
    }

    // Exit notices and the counters.
    let mut last: BTreeMap<i32, i64> = BTreeMap::new();
    for (b, id) in cases.iter().zip(&ids) {
        for notice in b.case.exits.iter().filter_map(|x| x.notice()) {
            let seq = i64::from(notice.sequence);
            let e = last.entry(notice.year).or_insert(0);
            *e = Ord::max(*e, seq);
            let mut ins = Sql::new();
            ins.push(
                "INSERT INTO exit_notices (county_code, year, sequence, number, case_id, village_code, \
                 household_number, issued_on, created_at) VALUES (",
            )
            .bind(county)
            .push(", ")
            .bind(notice.year)
            .push(", ")
            .bind(seq)
            .push(", ")
            .bind(notice.number.clone())
            .push(", ")
            .bind(*id)
            .push(", ")
            .bind(b.case.village.as_str().to_owned())
            .push(", ")
            .bind(b.case.household.clone())
            .push(", ")
            .bind(notice.issued_on.to_string())
            .push(", ")
            .bind(now)
            .push(")");
            conn.execute_raw(ins.build(backend)).await.map_err(|e| {
                StoreError::from_write(
                    e,
                    &format!("风险消除告知书 {}", notice.number),
                    &format!("Exit notice {}", notice.number),
                )
            })?;
        }
    }
    for (year, seq) in last {
        let mut up = Sql::new();
        up.push("INSERT INTO exit_notice_counters (county_code, year, last_sequence) VALUES (")
            .bind(county)
            .push(", ")
            .bind(year)
            .push(", ")
            .bind(seq)
            .push(
                ") ON CONFLICT (county_code, year) DO UPDATE SET last_sequence = \
                 CASE WHEN exit_notice_counters.last_sequence > excluded.last_sequence \
                 THEN exit_notice_counters.last_sequence ELSE excluded.last_sequence END",
            );
        conn.execute_raw(up.build(backend)).await?;
    }
    Ok(cases.len() as u64)
}
