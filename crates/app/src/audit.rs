//! 审计日志: reading the audit log of a user's area (county admin and auditor), with every ID number
//! masked whoever reads it — one code path for the page `/admin/audit` and `GET /api/v1/audit`.

use chrono::{NaiveDate, TimeZone, Utc};
use serde::Deserialize;
use shouwang_core::Role;
use shouwang_core::idnum::mask_in_text;
use shouwang_store::Db;
use shouwang_store::repo::audit::{AuditEntry, AuditFilter};
use shouwang_store::repo::{self, Page};

use crate::caller::Caller;
use crate::error::Error;

/// Whether `role` reads the audit log: the county admin and the auditor.
pub fn may_read(role: Role) -> bool {
    matches!(role, Role::CountyAdmin | Role::Auditor)
}

/// The filters of a read, as a client sends them (a form, a query string).
#[derive(Clone, Debug, Default, Deserialize)]
pub struct AuditRequest {
    /// Entity (`household`, `case`, `user`, …).
    #[serde(default)]
    pub entity: Option<String>,
    /// Action (`create`, `update`, `read_full_id`, …).
    #[serde(default)]
    pub action: Option<String>,
    /// The entity's id.
    #[serde(default)]
    pub entity_id: Option<String>,
    /// The acting user's id.
    #[serde(default)]
    pub actor: Option<String>,
    /// First day (Beijing date, YYYY-MM-DD).
    #[serde(default)]
    pub since: Option<String>,
    /// Last day (Beijing date, inclusive).
    #[serde(default)]
    pub until: Option<String>,
}

fn opt(v: &Option<String>, max: usize) -> Option<String> {
    v.as_deref()
        .map(|s| {
            s.chars()
                .filter(|c| !c.is_control())
                .take(max)
                .collect::<String>()
        })
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
}

fn parse_date(v: &Option<String>) -> Option<NaiveDate> {
    opt(v, 10).and_then(|s| NaiveDate::parse_from_str(&s, "%Y-%m-%d").ok())
}

/// Midnight of a Beijing date, in UTC.
fn beijing_midnight(d: NaiveDate) -> Option<chrono::DateTime<Utc>> {
    let local = d.and_hms_opt(0, 0, 0)?;
    Utc.from_local_datetime(&local)
        .single()
        .map(|t| t - chrono::TimeDelta::hours(8))
}

impl AuditRequest {
    /// The store filter of this request (dates are Beijing days; `until` inclusive).
    pub fn filter(&self) -> AuditFilter {
        AuditFilter {
            entity: opt(&self.entity, 32),
            entity_id: opt(&self.entity_id, 64),
            actor_user_id: opt(&self.actor, 24).and_then(|a| a.parse().ok()),
            action: opt(&self.action, 32),
            since: parse_date(&self.since).and_then(beijing_midnight),
            until: parse_date(&self.until)
                .and_then(|d| d.succ_opt())
                .and_then(beijing_midnight),
        }
    }
}

fn masked(v: Option<serde_json::Value>) -> Option<serde_json::Value> {
    let mut v = v?;
    repo::audit::mask_strings(&mut v);
    Some(v)
}

/// A page of the audit log of `caller`'s area, newest first, every ID number masked (in the entity id
/// and in the values before and after). Refused ([`Kind::Forbidden`](crate::Kind)) for a role that does
/// not read it.
pub async fn list(
    db: &Db,
    caller: &Caller,
    req: &AuditRequest,
    page: u32,
    per_page: u32,
) -> Result<Page<AuditEntry>, Error> {
    if !may_read(caller.scope.role) {
        return Err(Error::role_not_allowed(
            "只有县级管理员和审计监督人员可以查看审计日志",
            "Only the county admin and auditors read the audit log",
        ));
    }
    let p = repo::audit::list(db, &caller.scope, &req.filter(), page, per_page).await?;
    Ok(p.map(|e| AuditEntry {
        entity_id: mask_in_text(&e.entity_id),
        before: masked(e.before),
        after: masked(e.after),
        ..e
    }))
}
