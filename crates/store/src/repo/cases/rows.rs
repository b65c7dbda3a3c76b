//! Row mapping: a `cases` row read back as a [`CaseRow`] (list columns) or a [`CaseRecord`] (with the case).

use chrono::NaiveDate;
use sea_orm::QueryResult;
use shouwang_core::CodeList;
use shouwang_core::monitoring::{Case, Channel, YearMonth};

use super::{CaseRecord, CaseRow};
use crate::error::{Result, StoreError};

pub(super) const ROW_COLUMNS: &str = "c.id, c.county_code, c.village_code, c.household_number, c.lifecycle, \
     c.channels, c.first_reported_on, c.ident_started_on, c.ident_next_step, c.monitored_since, \
     c.eliminated_on, c.exit_next_step, c.cadre_user_id, c.cadre_name, c.last_follow_up_month, c.version";

pub(super) fn parse_date(s: &str) -> Result<NaiveDate> {
    s.parse::<NaiveDate>()
        .map_err(|_| StoreError::corrupt(format!("date {s:?}")))
}

fn opt_date(s: Option<String>) -> Result<Option<NaiveDate>> {
    s.as_deref().map(parse_date).transpose()
}

pub(super) fn code_of<T: CodeList>(s: &str) -> Result<T> {
    T::from_code(s).ok_or_else(|| StoreError::corrupt(format!("code {s:?}")))
}

fn opt_code<T: CodeList>(s: Option<String>) -> Result<Option<T>> {
    s.as_deref().map(code_of).transpose()
}

/// The channels of a case as stored (`,application,cadre_screening,`).
pub(super) fn channels_of(stored: &str) -> Result<Vec<Channel>> {
    stored
        .split(',')
        .filter(|s| !s.is_empty())
        .map(code_of)
        .collect()
}

pub(super) fn case_row(r: &QueryResult) -> Result<CaseRow> {
    let channels: String = r.try_get("", "channels")?;
    Ok(CaseRow {
        household_number: r.try_get("", "household_number")?,
        village_code: r.try_get("", "village_code")?,
        lifecycle: code_of(&r.try_get::<String>("", "lifecycle")?)?,
        channels: channels_of(&channels)?,
        first_reported_on: parse_date(&r.try_get::<String>("", "first_reported_on")?)?,
        ident_started_on: opt_date(r.try_get("", "ident_started_on")?)?,
        ident_next_step: opt_code(r.try_get("", "ident_next_step")?)?,
        monitored_since: opt_date(r.try_get("", "monitored_since")?)?,
        eliminated_on: opt_date(r.try_get("", "eliminated_on")?)?,
        exit_next_step: opt_code(r.try_get("", "exit_next_step")?)?,
        cadre_user_id: r.try_get("", "cadre_user_id")?,
        cadre_name: r.try_get("", "cadre_name")?,
        last_follow_up_month: r
            .try_get::<Option<String>>("", "last_follow_up_month")?
            .map(|s| {
                YearMonth::parse(&s).ok_or_else(|| StoreError::corrupt(format!("month {s:?}")))
            })
            .transpose()?,
        version: r.try_get("", "version")?,
    })
}

pub(crate) fn case_record(r: &QueryResult) -> Result<CaseRecord> {
    let body: String = r.try_get("", "body")?;
    let case: Case =
        serde_json::from_str(&body).map_err(|e| StoreError::corrupt(format!("case JSON: {e}")))?;
    Ok(CaseRecord {
        id: r.try_get("", "id")?,
        seq: r.try_get("", "seq")?,
        county_code: r.try_get("", "county_code")?,
        village_code: r.try_get("", "village_code")?,
        household_number: r.try_get("", "household_number")?,
        lifecycle: case.lifecycle(),
        version: r.try_get("", "version")?,
        case,
        created_at: r.try_get("", "created_at")?,
        updated_at: r.try_get("", "updated_at")?,
    })
}
