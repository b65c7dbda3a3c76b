//! 项目库与衔接资金 (B2, issue 23): the rows of the county's projects, their flow steps and their payments.
//! Reads are area-scoped in SQL (`push_area` on the project's village); every write appends its audit row
//! in the same transaction and checks the project's version (a concurrent step or payment is a
//! `StaleVersion`, never a lost update or a payment over the plan). The rules (which step, how much) are
//! `shouwang_core::project`; the use cases `shouwang_app::projects`.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter, QueryResult,
};
use serde::Serialize;
use shouwang_core::ledger::{DateRange, LedgerKind, Value};
use shouwang_core::project::ledger::{self, LedgerProject};
use shouwang_core::project::{Draft, FundSource, Payment, ProjectKind, ProjectState, StepRecord};
use shouwang_core::{CodeList, Scope};

use super::area::county_area;
use super::audit::{self, Change};
use super::{Actor, Sql};
use crate::db::Db;
use crate::entity::regions;
use crate::error::{Result, StoreError};
use crate::ids::new_id;

/// A stored project.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ProjectRow {
    /// Row id (项目编号 is its text).
    pub id: i64,
    /// 县 code.
    pub county_code: String,
    /// 行政村 code.
    pub village_code: String,
    /// 项目状态.
    pub state: ProjectState,
    /// The application.
    pub draft: Draft,
    /// Version (optimistic locking).
    pub version: i64,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
}

/// A stored flow step.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct StepRow {
    /// Row id.
    pub id: i64,
    /// The project.
    pub project_id: i64,
    /// The step.
    pub record: StepRecord,
    /// 办理人.
    pub by: String,
}

/// A stored payment.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PaymentRow {
    /// Row id.
    pub id: i64,
    /// The project.
    pub project_id: i64,
    /// The payment.
    pub payment: Payment,
    /// 录入人.
    pub by: String,
}

/// A filter of [`list`].
#[derive(Clone, Debug, Default)]
pub struct ProjectFilter<'a> {
    /// A township or village inside the scope's area.
    pub area: Option<&'a str>,
    /// Only projects in these states (empty: all).
    pub states: &'a [ProjectState],
    /// Only this type.
    pub kind: Option<ProjectKind>,
    /// Only projects carried out in this year.
    pub year: Option<i32>,
}

fn json<T: Serialize>(v: &T) -> Result<String> {
    serde_json::to_string(v).map_err(|e| StoreError::internal(format!("project json: {e}")))
}

fn project_json(state: ProjectState, draft: &Draft) -> serde_json::Value {
    serde_json::json!({ "state": state.code(), "project": draft })
}

/// Writes a new project in `state` with its first step (村申报) and its audit rows; returns its id.
pub async fn create(
    db: &Db,
    actor: &Actor,
    county: &str,
    state: ProjectState,
    draft: &Draft,
    step: &StepRecord,
) -> Result<i64> {
    let tx = db.begin_write().await?;
    let id = new_id();
    let now = Utc::now();
    let mut sql = Sql::new();
    sql.push(
        "INSERT INTO projects (county_code, id, village_code, name, kind, state, year_from, year_to, \
         planned_total, body, version, created_at, updated_at) VALUES (",
    )
    .bind(county)
    .push(", ")
    .bind(id)
    .push(", ")
    .bind(draft.village.trim())
    .push(", ")
    .bind(draft.name.trim())
    .push(", ")
    .bind(draft.kind.code())
    .push(", ")
    .bind(state.code())
    .push(", ")
    .bind(draft.year_from)
    .push(", ")
    .bind(draft.year_to)
    .push(", ")
    .bind(draft.total().0)
    .push(", ")
    .bind(json(draft)?)
    .push(", 1, ")
    .bind(now)
    .push(", ")
    .bind(now)
    .push(")");
    tx.execute_raw(sql.build(tx.get_database_backend())).await?;
    audit::append(
        &tx,
        actor,
        Change {
            action: "create",
            entity: "project",
            entity_id: id.to_string(),
            county_code: Some(county.to_owned()),
            village_code: Some(draft.village.trim().to_owned()),
            before: None,
            after: Some(project_json(state, draft)),
        },
    )
    .await?;
    insert_step(&tx, actor, county, id, draft.village.trim(), step).await?;
    tx.commit().await?;
    Ok(id)
}

async fn insert_step(
    tx: &DatabaseTransaction,
    actor: &Actor,
    county: &str,
    project: i64,
    village: &str,
    step: &StepRecord,
) -> Result<()> {
    let mut sql = Sql::new();
    sql.push(
        "INSERT INTO project_steps (county_code, id, project_id, village_code, step, decision, taken_on, \
         body, by_user, by_name, created_at) VALUES (",
    )
    .bind(county)
    .push(", ")
    .bind(new_id())
    .push(", ")
    .bind(project)
    .push(", ")
    .bind(village)
    .push(", ")
    .bind(step.step.code())
    .push(", ")
    .bind(step.decision.code())
    .push(", ")
    .bind(step.on.to_string())
    .push(", ")
    .bind(json(step)?)
    .push(", ")
    .bind(actor.user_id)
    .push(", ")
    .bind(actor.name.clone())
    .push(", ")
    .bind(Utc::now())
    .push(")");
    tx.execute_raw(sql.build(tx.get_database_backend())).await?;
    Ok(())
}

/// Bumps the project's version from `row.version` (and sets its state and application); `StaleVersion` when
/// it changed since `row` was read.
async fn bump(
    tx: &DatabaseTransaction,
    row: &ProjectRow,
    state: ProjectState,
    draft: &Draft,
) -> Result<()> {
    let mut sql = Sql::new();
    sql.push("UPDATE projects SET version = version + 1, state = ")
        .bind(state.code())
        .push(", name = ")
        .bind(draft.name.trim())
        .push(", kind = ")
        .bind(draft.kind.code())
        .push(", year_from = ")
        .bind(draft.year_from)
        .push(", year_to = ")
        .bind(draft.year_to)
        .push(", planned_total = ")
        .bind(draft.total().0)
        .push(", body = ")
        .bind(json(draft)?)
        .push(", updated_at = ")
        .bind(Utc::now())
        .push(" WHERE county_code = ")
        .bind(row.county_code.as_str())
        .push(" AND id = ")
        .bind(row.id)
        .push(" AND version = ")
        .bind(row.version);
    let done = tx.execute_raw(sql.build(tx.get_database_backend())).await?;
    if done.rows_affected() == 0 {
        let mut q = Sql::new();
        q.push("SELECT version FROM projects WHERE county_code = ")
            .bind(row.county_code.as_str())
            .push(" AND id = ")
            .bind(row.id);
        let found = tx
            .query_one_raw(q.build(tx.get_database_backend()))
            .await?
            .ok_or(StoreError::NotFound)?
            .try_get("", "version")?;
        return Err(StoreError::StaleVersion {
            expected: row.version,
            found,
        });
    }
    Ok(())
}

/// Records a step of the flow on the project read as `row`: its new `state` (and application, when the
/// village applies again), the step, one audit row. `StaleVersion` when the project changed since.
pub async fn advance(
    db: &Db,
    actor: &Actor,
    row: &ProjectRow,
    state: ProjectState,
    draft: &Draft,
    step: &StepRecord,
) -> Result<()> {
    let tx = db.begin_write().await?;
    bump(&tx, row, state, draft).await?;
    insert_step(
        &tx,
        actor,
        &row.county_code,
        row.id,
        &row.village_code,
        step,
    )
    .await?;
    audit::append(
        &tx,
        actor,
        Change {
            action: "update",
            entity: "project",
            entity_id: row.id.to_string(),
            county_code: Some(row.county_code.clone()),
            village_code: Some(row.village_code.clone()),
            before: Some(project_json(row.state, &row.draft)),
            after: Some(serde_json::json!({
                "state": state.code(),
                "project": draft,
                "step": step,
            })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Records a payment of the project read as `row` (checked against the payments read with it), with its
/// audit row; the project's version is bumped, so a concurrent payment checked against the same payments
/// is a `StaleVersion` and never pays over the plan. Returns the payment's id.
pub async fn pay(db: &Db, actor: &Actor, row: &ProjectRow, payment: &Payment) -> Result<i64> {
    let tx = db.begin_write().await?;
    bump(&tx, row, row.state, &row.draft).await?;
    let id = new_id();
    let mut sql = Sql::new();
    sql.push(
        "INSERT INTO project_payments (county_code, id, project_id, village_code, source, paid_on, amount, \
         voucher, by_user, by_name, created_at) VALUES (",
    )
    .bind(row.county_code.as_str())
    .push(", ")
    .bind(id)
    .push(", ")
    .bind(row.id)
    .push(", ")
    .bind(row.village_code.as_str())
    .push(", ")
    .bind(payment.source.code())
    .push(", ")
    .bind(payment.paid_on.to_string())
    .push(", ")
    .bind(payment.amount.0)
    .push(", ")
    .bind(payment.voucher.trim())
    .push(", ")
    .bind(actor.user_id)
    .push(", ")
    .bind(actor.name.clone())
    .push(", ")
    .bind(Utc::now())
    .push(")");
    tx.execute_raw(sql.build(tx.get_database_backend())).await?;
    audit::append(
        &tx,
        actor,
        Change {
            action: "create",
            entity: "project_payment",
            entity_id: id.to_string(),
            county_code: Some(row.county_code.clone()),
            village_code: Some(row.village_code.clone()),
            before: None,
            after: Some(serde_json::json!({ "project": row.id.to_string(), "payment": payment })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

fn project_row(r: &QueryResult) -> Result<ProjectRow> {
    let body: String = r.try_get("", "body")?;
    Ok(ProjectRow {
        id: r.try_get("", "id")?,
        county_code: r.try_get("", "county_code")?,
        village_code: r.try_get("", "village_code")?,
        state: super::parse_code(r, "state")?,
        draft: serde_json::from_str(&body)
            .map_err(|e| StoreError::corrupt(format!("project: {e}")))?,
        version: r.try_get("", "version")?,
        created_at: r.try_get("", "created_at")?,
        updated_at: r.try_get("", "updated_at")?,
    })
}

/// The projects of the scope's area (filtered), newest first.
pub async fn list(db: &Db, scope: &Scope, filter: &ProjectFilter<'_>) -> Result<Vec<ProjectRow>> {
    let Some(area) = county_area(scope, filter.area) else {
        return Ok(Vec::new());
    };
    let mut sql = Sql::new();
    sql.push("SELECT p.* FROM projects p WHERE 1 = 1")
        .push_area("p", &area);
    if !filter.states.is_empty() {
        sql.push(" AND p.state IN (");
        for (i, s) in filter.states.iter().enumerate() {
            if i > 0 {
                sql.push(", ");
            }
            sql.bind(s.code());
        }
        sql.push(")");
    }
    if let Some(k) = filter.kind {
        sql.push(" AND p.kind = ").bind(k.code());
    }
    if let Some(y) = filter.year {
        sql.push(" AND p.year_from <= ")
            .bind(y)
            .push(" AND p.year_to >= ")
            .bind(y);
    }
    sql.push(" ORDER BY p.id DESC");
    let rows = db.conn().query_all_raw(sql.build(db.backend())).await?;
    rows.iter().map(project_row).collect()
}

/// The project `id` if it lies in the scope's area.
pub async fn get(db: &Db, scope: &Scope, id: i64) -> Result<Option<ProjectRow>> {
    let Some(area) = county_area(scope, None) else {
        return Ok(None);
    };
    let mut sql = Sql::new();
    sql.push("SELECT p.* FROM projects p WHERE p.id = ")
        .bind(id)
        .push_area("p", &area);
    db.conn()
        .query_one_raw(sql.build(db.backend()))
        .await?
        .as_ref()
        .map(project_row)
        .transpose()
}

/// The steps of the scope's area (narrowed to `area`; only project `id` when given), by project and order.
pub async fn steps(
    db: &Db,
    scope: &Scope,
    area: Option<&str>,
    id: Option<i64>,
) -> Result<Vec<StepRow>> {
    let Some(area) = county_area(scope, area) else {
        return Ok(Vec::new());
    };
    let mut sql = Sql::new();
    sql.push("SELECT s.id, s.project_id, s.body, s.by_name FROM project_steps s WHERE 1 = 1")
        .push_area("s", &area);
    if let Some(id) = id {
        sql.push(" AND s.project_id = ").bind(id);
    }
    sql.push(" ORDER BY s.project_id, s.id");
    let rows = db.conn().query_all_raw(sql.build(db.backend())).await?;
    rows.iter()
        .map(|r| {
            let body: String = r.try_get("", "body")?;
            Ok(StepRow {
                id: r.try_get("", "id")?,
                project_id: r.try_get("", "project_id")?,
                record: serde_json::from_str(&body)
                    .map_err(|e| StoreError::corrupt(format!("project step: {e}")))?,
                by: r.try_get("", "by_name")?,
            })
        })
        .collect()
}

/// The payments of the scope's area (narrowed to `area`; only project `id` when given), by project and
/// date.
pub async fn payments(
    db: &Db,
    scope: &Scope,
    area: Option<&str>,
    id: Option<i64>,
) -> Result<Vec<PaymentRow>> {
    let Some(area) = county_area(scope, area) else {
        return Ok(Vec::new());
    };
    let mut sql = Sql::new();
    sql.push(
        "SELECT m.id, m.project_id, m.source, m.paid_on, m.amount, m.voucher, m.by_name \
         FROM project_payments m WHERE 1 = 1",
    )
    .push_area("m", &area);
    if let Some(id) = id {
        sql.push(" AND m.project_id = ").bind(id);
    }
    sql.push(" ORDER BY m.project_id, m.paid_on, m.id");
    let rows = db.conn().query_all_raw(sql.build(db.backend())).await?;
    rows.iter()
        .map(|r| {
            let on: String = r.try_get("", "paid_on")?;
            let source: FundSource = super::parse_code(r, "source")?;
            Ok(PaymentRow {
                id: r.try_get("", "id")?,
                project_id: r.try_get("", "project_id")?,
                payment: Payment {
                    source,
                    paid_on: on
                        .parse::<NaiveDate>()
                        .map_err(|e| StoreError::corrupt(format!("paid_on {on:?}: {e}")))?,
                    amount: shouwang_core::money::Fen(r.try_get("", "amount")?),
                    voucher: r.try_get("", "voucher")?,
                },
                by: r.try_get("", "by_name")?,
            })
        })
        .collect()
}

/// Region names of a county by code (乡镇 `141123208000`, 行政村 `141123208201`).
pub async fn region_names(
    conn: &impl ConnectionTrait,
    county: &str,
) -> Result<HashMap<String, String>> {
    Ok(regions::Entity::find()
        .filter(regions::Column::CountyCode.eq(county))
        .all(conn)
        .await?
        .into_iter()
        .map(|r| (r.code, r.name))
        .collect())
}

/// The rows of the 项目库台账 (projects applied in `range`) or the 资金拨付进度台账 (payments dated in
/// `range`) of the scope's area (narrowed to `area`).
pub(crate) async fn ledger_rows(
    db: &Db,
    scope: &Scope,
    area: Option<&str>,
    kind: LedgerKind,
    range: &DateRange,
) -> Result<Vec<Vec<Value>>> {
    let projects = list(
        db,
        scope,
        &ProjectFilter {
            area,
            ..Default::default()
        },
    )
    .await?;
    let Some(first) = projects.first() else {
        return Ok(Vec::new());
    };
    let names = region_names(db.conn(), &first.county_code).await?;
    let mut steps: HashMap<i64, Vec<StepRecord>> = HashMap::new();
    for s in self::steps(db, scope, area, None).await? {
        steps.entry(s.project_id).or_default().push(s.record);
    }
    let mut paid: HashMap<i64, Vec<Payment>> = HashMap::new();
    for p in payments(db, scope, area, None).await? {
        paid.entry(p.project_id).or_default().push(p.payment);
    }
    let mut out = Vec::new();
    // The ledger lists projects oldest first.
    for p in projects.iter().rev() {
        let number = p.id.to_string();
        let township = names
            .get(&format!(
                "{}000",
                p.village_code.get(..9).unwrap_or_default()
            ))
            .map_or("", String::as_str);
        let view = LedgerProject {
            number: &number,
            draft: &p.draft,
            state: p.state,
            township,
            village: names.get(&p.village_code).map_or("", String::as_str),
            steps: steps.get(&p.id).map_or(&[][..], Vec::as_slice),
            payments: paid.get(&p.id).map_or(&[][..], Vec::as_slice),
        };
        match kind {
            LedgerKind::ProjectFunds => {
                if p.state == ProjectState::Filed {
                    let rows = ledger::funds_rows(out.len() + 1, &view, range);
                    out.extend(rows);
                }
            }
            _ => {
                let applied = view.step_on(shouwang_core::project::Step::Apply);
                if applied.is_none_or(|d| range.contains(d)) {
                    out.push(ledger::project_row(out.len() + 1, &view));
                }
            }
        }
    }
    Ok(out)
}
