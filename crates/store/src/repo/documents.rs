//! 文书: the data of the official documents (issue 6 part 5), area-scoped in SQL; the documents themselves
//! are built by the core ([`shouwang_core::document`]) and rendered by the `io` crate. Each document read
//! is written to the audit log (`export_document`), since most carry personal data.

use chrono::NaiveDate;
use shouwang_core::document::{self, Document, PublicityEntry};
use shouwang_core::monitoring::exit::ExitNotice;
use shouwang_core::monitoring::identification::{IdentEvidence, IdentStatus};
use shouwang_core::monitoring::{IdentStep, Quarter};
use shouwang_core::registry::values::join_risks;
use shouwang_core::{CodeList, RegionCode, Scope};

use super::area::{Area, effective_area};
use super::ledgers::{LedgerEntry, load_where};
use super::{Actor, Sql, audit, rules};
use crate::db::Db;
use crate::error::{Result, StoreError};

/// The kinds of document (for the audit log and file names).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum DocumentKind {
    /// 风险消除告知书 of one household.
    Notice,
    /// Every 告知书 of a quarter.
    Notices,
    /// 民主评议结果公示 of a village.
    Publicity,
    /// 入户核查表.
    Verification,
    /// 帮扶手册.
    Handbook,
}

impl DocumentKind {
    /// Code (`notice`, `notices`, `publicity`, `verification`, `handbook`).
    pub fn code(self) -> &'static str {
        match self {
            DocumentKind::Notice => "notice",
            DocumentKind::Notices => "notices",
            DocumentKind::Publicity => "publicity",
            DocumentKind::Verification => "verification",
            DocumentKind::Handbook => "handbook",
        }
    }
}

async fn audit_read(
    db: &Db,
    actor: &Actor,
    kind: DocumentKind,
    what: &str,
    area: &str,
) -> Result<()> {
    let area = (area.len() >= 6).then_some(area);
    audit::record_read(db, actor, "export_document", kind.code(), what, area, None).await
}

fn scope_area(scope: &Scope) -> Result<Area> {
    effective_area(scope, None).ok_or(StoreError::Forbidden)
}

/// Every case of the household (oldest first) in the scope's area, with household and names; empty if
/// none or outside the area.
async fn household_cases(db: &Db, scope: &Scope, number: &str) -> Result<Vec<LedgerEntry>> {
    let area = scope_area(scope)?;
    let number = number.trim().to_owned();
    load_where(db, &area, &move |sql: &mut Sql| {
        sql.push(" AND c.household_number = ").bind(number.clone());
    })
    .await
}

/// The household's latest case (`NotFound` if none in the area).
async fn current(db: &Db, scope: &Scope, number: &str) -> Result<LedgerEntry> {
    household_cases(db, scope, number)
        .await?
        .pop()
        .ok_or(StoreError::NotFound)
}

/// 风险消除告知书 of a household: the notice of its latest eliminated exit. `NotFound` if the household is
/// outside the area or has no notice.
pub async fn notice(db: &Db, actor: &Actor, scope: &Scope, number: &str) -> Result<Document> {
    let cases = household_cases(db, scope, number).await?;
    let n = cases
        .iter()
        .rev()
        .flat_map(|e| e.case.exits.iter().rev())
        .find_map(|x| x.notice().cloned())
        .ok_or(StoreError::NotFound)?;
    let village = cases
        .last()
        .map(|e| e.village_code.clone())
        .unwrap_or_default();
    audit_read(db, actor, DocumentKind::Notice, &n.number, &village).await?;
    Ok(document::notices(
        &format!("风险消除告知书 {}", n.number),
        &[&n],
    ))
}

/// Every 告知书 issued in `quarter` in the scope's area (narrowed by `area`), by number order, one a page.
/// An empty quarter gives a document without pages: the caller says so.
pub async fn quarter_notices(
    db: &Db,
    actor: &Actor,
    scope: &Scope,
    area: Option<&str>,
    quarter: Quarter,
) -> Result<(Document, usize)> {
    let area = area.map(str::trim).filter(|a| !a.is_empty());
    if let Some(a) = area
        && let Err(e) = RegionCode::parse(a)
    {
        return Err(StoreError::invalid(
            format!("地区代码“{a}”有误：{}", e.message_zh()),
            format!("Bad area {a:?}: {e}"),
        ));
    }
    let Some(area) = effective_area(scope, area) else {
        return Ok((document::notices(&quarter_title(quarter), &[]), 0));
    };
    let (from, to) = (
        quarter.first_day().to_string(),
        quarter.last_day().to_string(),
    );
    let entries = load_where(db, &area, &move |sql: &mut Sql| {
        sql.push(
            " AND EXISTS (SELECT 1 FROM exit_notices n WHERE n.county_code = c.county_code \
             AND n.case_id = c.id AND n.issued_on >= ",
        )
        .bind(from.clone())
        .push(" AND n.issued_on <= ")
        .bind(to.clone())
        .push(")");
    })
    .await?;
    let mut list: Vec<ExitNotice> = entries
        .iter()
        .flat_map(|e| e.case.exits.iter())
        .filter_map(|x| x.notice().cloned())
        .filter(|n| n.issued_on >= quarter.first_day() && n.issued_on <= quarter.last_day())
        .collect();
    list.sort_by(|a, b| (a.year, a.sequence, &a.number).cmp(&(b.year, b.sequence, &b.number)));
    audit_read(
        db,
        actor,
        DocumentKind::Notices,
        &format!("{} {area}", quarter.label_zh()),
        area.as_str(),
    )
    .await?;
    let refs: Vec<&ExitNotice> = list.iter().collect();
    Ok((
        document::notices(&quarter_title(quarter), &refs),
        list.len(),
    ))
}

fn quarter_title(q: Quarter) -> String {
    format!("{}风险消除告知书", q.label_zh())
}

/// 民主评议结果公示 of a village: its households whose 民主评议 passed and whose 公示 has not ended
/// (posted: the notice's own dates; not yet posted: from `on` for the county's 公示期, `publicity_days`
/// of the county rules).
pub async fn publicity(
    db: &Db,
    actor: &Actor,
    scope: &Scope,
    village: &str,
    on: NaiveDate,
) -> Result<Document> {
    let code = RegionCode::parse(village.trim()).map_err(|e| {
        StoreError::invalid(
            format!("村代码“{village}”有误：{}", e.message_zh()),
            format!("Bad village code {village:?}: {e}"),
        )
    })?;
    let area = effective_area(scope, Some(code.as_str())).ok_or(StoreError::NotFound)?;
    let county = code.county().to_string();
    let days = rules::get(db, &county)
        .await?
        .rules
        .identification
        .publicity_days;
    let entries = load_where(db, &area, &|sql: &mut Sql| {
        sql.push(" AND c.is_current = ").bind(true);
    })
    .await?;
    let mut names = None;
    let mut rows = Vec::new();
    for e in &entries {
        if names.is_none() {
            names = Some(e.names.clone());
        }
        let Some(ident) = &e.case.identification else {
            continue;
        };
        if ident.status != IdentStatus::InProgress {
            continue;
        }
        let Some(appraisal) = ident.record(IdentStep::Appraisal) else {
            continue;
        };
        if ident.record(IdentStep::NoticeClosed).is_some() {
            continue;
        }
        let (from, closes_on) = match ident.record(IdentStep::PublicNotice) {
            Some(r) => match &r.evidence {
                IdentEvidence::Notice { closes_on, .. } => (r.on, *closes_on),
                _ => continue,
            },
            None => (
                on,
                on.checked_add_days(chrono::Days::new(u64::from(days)))
                    .unwrap_or(on),
            ),
        };
        let head = e.household.head().or(e.household.members.first());
        rows.push(PublicityEntry {
            number: e.household.number.clone(),
            head: head.map(|m| m.name.clone()).unwrap_or_default(),
            size: e.household.members.len(),
            risks: join_risks(&ident.clue_risks),
            appraised_on: appraisal.on,
            result: appraisal.result.label_zh().to_owned(),
            from,
            closes_on,
        });
    }
    let names = match names {
        Some(n) => n,
        None => region_names(db, &code).await?,
    };
    audit_read(
        db,
        actor,
        DocumentKind::Publicity,
        code.as_str(),
        code.as_str(),
    )
    .await?;
    Ok(document::publicity(&names, days, on, &rows))
}

async fn region_names(db: &Db, code: &RegionCode) -> Result<shouwang_core::registry::RegionNames> {
    let name = |c: String| async move {
        Ok::<_, StoreError>(
            super::regions::get(db, &c)
                .await?
                .map(|r| r.name)
                .unwrap_or_default(),
        )
    };
    Ok(shouwang_core::registry::RegionNames {
        county: name(format!("{}000000", code.county())).await?,
        township: name(format!("{}000", code.township())).await?,
        village: name(code.as_str().to_owned()).await?,
        natural_village: String::new(),
    })
}

/// 入户核查表 of the household's latest verification (the exit check, else the identification's);
/// `NotFound` if none. ID numbers in full only for roles that may see them.
pub async fn verification(db: &Db, actor: &Actor, scope: &Scope, number: &str) -> Result<Document> {
    let cases = household_cases(db, scope, number).await?;
    let (e, v, purpose) = cases
        .iter()
        .rev()
        .find_map(|e| {
            let from_exit = e.case.exits.iter().rev().find_map(|x| {
                x.steps.iter().find_map(|r| match &r.evidence {
                    shouwang_core::monitoring::exit::ExitStepEvidence::Check { check } => {
                        Some(&check.verification)
                    }
                    _ => None,
                })
            });
            match from_exit {
                Some(v) => Some((e, v, "退出核查")),
                None => e
                    .case
                    .identification
                    .as_ref()
                    .and_then(|i| i.verification())
                    .map(|v| (e, v, "识别核查")),
            }
        })
        .ok_or(StoreError::NotFound)?;
    audit_read(
        db,
        actor,
        DocumentKind::Verification,
        &e.household.number,
        &e.village_code,
    )
    .await?;
    Ok(document::verification(
        &e.household,
        &e.names,
        v,
        purpose,
        scope.role.may_view_full_id(),
    ))
}

/// 帮扶手册 of the household's latest case (`NotFound` if none in the area).
pub async fn handbook(db: &Db, actor: &Actor, scope: &Scope, number: &str) -> Result<Document> {
    let e = current(db, scope, number).await?;
    audit_read(
        db,
        actor,
        DocumentKind::Handbook,
        &e.household.number,
        &e.village_code,
    )
    .await?;
    Ok(document::handbook(
        &e.household,
        &e.names,
        &e.case,
        scope.role.may_view_full_id(),
    ))
}
