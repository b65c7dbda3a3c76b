//! 帮扶车间 (B1 §四(一)3, issue 21): the rows of the county's assistance workshops and their workers. Reads
//! are area-scoped in SQL (`push_area` on the workshop's village); every write appends its audit row in the
//! same transaction and checks the workshop's version (a concurrent change is a `StaleVersion`, never a
//! lost update). A worker is a member of the registry (household and member row ids); the member's name
//! and ID number are read from the registry (sealed there), never copied. The rules are
//! `shouwang_core::workshop`; the use cases `shouwang_app::workshops`.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{ConnectionTrait, DatabaseTransaction, QueryResult};
use serde::Serialize;
use shouwang_core::codes::{HouseholdType, MonitoredType};
use shouwang_core::household::Member;
use shouwang_core::ledger::{LedgerKind, Value};
use shouwang_core::workshop::{self, Counted, Draft, Hire, LedgerWorkshop, WorkshopState};
use shouwang_core::{CodeList, Scope};

use super::area::county_area;
use super::audit::{self, Change};
use super::{Actor, Sql};
use crate::db::Db;
use crate::error::{Result, StoreError};
use crate::ids::new_id;

/// A stored workshop.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct WorkshopRow {
    /// Row id (车间编号 is its text).
    pub id: i64,
    /// 县 code.
    pub county_code: String,
    /// 行政村 code.
    pub village_code: String,
    /// The registration.
    pub draft: Draft,
    /// Version (optimistic locking).
    pub version: i64,
    /// Registered.
    pub created_at: DateTime<Utc>,
}

/// A worker of a workshop (车间务工人员), with the member as the registry keeps him now.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct WorkerRow {
    /// Row id.
    pub id: i64,
    /// The workshop.
    pub workshop_id: i64,
    /// 户编号.
    pub household_number: String,
    /// The household's 行政村 code.
    pub household_village: String,
    /// The member (none: left the registry since).
    pub member: Option<Member>,
    /// The household is a 脱贫户.
    pub alleviated: bool,
    /// The household is a 监测户 (a 监测对象类别 set).
    pub monitored: bool,
    /// 月工资（元）.
    pub wage: u32,
    /// 务工起始日期.
    pub since: NaiveDate,
    /// 离岗日期 (none: working now).
    pub until: Option<NaiveDate>,
    /// 录入人.
    pub by: String,
}

impl WorkerRow {
    /// As the tally counts him.
    pub fn counted(&self) -> Counted {
        Counted {
            alleviated: self.alleviated,
            monitored: self.monitored,
            wage: self.wage,
        }
    }
}

/// A filter of [`list`].
#[derive(Clone, Debug, Default)]
pub struct WorkshopFilter<'a> {
    /// A township or village inside the scope's area.
    pub area: Option<&'a str>,
    /// Only this state.
    pub state: Option<WorkshopState>,
}

fn json<T: Serialize>(v: &T) -> Result<String> {
    serde_json::to_string(v).map_err(|e| StoreError::internal(format!("workshop json: {e}")))
}

/// Writes a new workshop and its audit row; returns its id.
pub async fn create(db: &Db, actor: &Actor, county: &str, draft: &Draft) -> Result<i64> {
    let tx = db.begin_write().await?;
    let id = new_id();
    let now = Utc::now();
    let mut sql = Sql::new();
    sql.push(
        "INSERT INTO workshops (county_code, id, village_code, name, state, jobs, body, version, \
         created_at, updated_at) VALUES (",
    )
    .bind(county)
    .push(", ")
    .bind(id)
    .push(", ")
    .bind(draft.village.as_str())
    .push(", ")
    .bind(draft.name.as_str())
    .push(", ")
    .bind(draft.state.code())
    .push(", ")
    .bind(i64::from(draft.jobs))
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
            entity: "workshop",
            entity_id: id.to_string(),
            county_code: Some(county.to_owned()),
            village_code: Some(draft.village.clone()),
            before: None,
            after: Some(serde_json::json!({ "workshop": draft })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// Sets the workshop read as `row` to `draft`, bumping its version; `StaleVersion` when it changed since.
async fn bump(tx: &DatabaseTransaction, row: &WorkshopRow, draft: &Draft) -> Result<()> {
    let mut sql = Sql::new();
    sql.push("UPDATE workshops SET version = version + 1, name = ")
        .bind(draft.name.as_str())
        .push(", village_code = ")
        .bind(draft.village.as_str())
        .push(", state = ")
        .bind(draft.state.code())
        .push(", jobs = ")
        .bind(i64::from(draft.jobs))
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
        return Err(StoreError::StaleVersion {
            expected: row.version,
            found: row.version + 1,
        });
    }
    Ok(())
}

/// Changes the registration of the workshop read as `row`, with one audit row. The workers stay (their
/// rows carry the workshop's village for the area filter: moved along).
pub async fn update(db: &Db, actor: &Actor, row: &WorkshopRow, draft: &Draft) -> Result<()> {
    let tx = db.begin_write().await?;
    bump(&tx, row, draft).await?;
    let mut sql = Sql::new();
    sql.push("UPDATE workshop_workers SET village_code = ")
        .bind(draft.village.as_str())
        .push(" WHERE county_code = ")
        .bind(row.county_code.as_str())
        .push(" AND workshop_id = ")
        .bind(row.id);
    tx.execute_raw(sql.build(tx.get_database_backend())).await?;
    audit::append(
        &tx,
        actor,
        Change {
            action: "update",
            entity: "workshop",
            entity_id: row.id.to_string(),
            county_code: Some(row.county_code.clone()),
            village_code: Some(row.village_code.clone()),
            before: Some(serde_json::json!({ "workshop": row.draft })),
            after: Some(serde_json::json!({ "workshop": draft })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The row id of the member at `position` of the household `household_id` (the registry's order: position,
/// then id — the order the registers number the members in).
pub(crate) async fn member_at(
    conn: &impl ConnectionTrait,
    county: &str,
    household_id: i64,
    position: usize,
) -> Result<Option<i64>> {
    let mut sql = Sql::new();
    sql.push("SELECT id FROM members WHERE county_code = ")
        .bind(county)
        .push(" AND household_id = ")
        .bind(household_id)
        .push(" ORDER BY position, id");
    let rows = conn
        .query_all_raw(sql.build(conn.get_database_backend()))
        .await?;
    rows.get(position)
        .map(|r| r.try_get::<i64>("", "id"))
        .transpose()
        .map_err(Into::into)
}

/// The workshop (id, name) where the member `member_id` works now, if any.
pub async fn working_at(
    conn: &impl ConnectionTrait,
    county: &str,
    member_id: i64,
) -> Result<Option<(i64, String)>> {
    let mut sql = Sql::new();
    sql.push(
        "SELECT s.id, s.name FROM workshop_workers w JOIN workshops s ON s.county_code = w.county_code \
         AND s.id = w.workshop_id WHERE w.county_code = ",
    )
    .bind(county)
    .push(" AND w.member_id = ")
    .bind(member_id)
    .push(" AND w.until IS NULL");
    let row = conn
        .query_one_raw(sql.build(conn.get_database_backend()))
        .await?;
    row.map(|r| Ok((r.try_get("", "id")?, r.try_get("", "name")?)))
        .transpose()
}

/// What [`hire`] answers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Hired {
    /// The worker's row id.
    Hired(i64),
    /// No member at that position.
    NoMember,
    /// The member works at another workshop (or this one) now: its id and name.
    Busy(i64, String),
}

/// Takes on the member at `hire.position` of the household `household_id` at the workshop read as `row`
/// (its version bumped), with its audit row. Checked in the transaction: the member exists and works at no
/// workshop now.
pub async fn hire(
    db: &Db,
    actor: &Actor,
    row: &WorkshopRow,
    household_id: i64,
    hire: &Hire,
) -> Result<Hired> {
    let tx = db.begin_write().await?;
    let county = row.county_code.as_str();
    let Some(member_id) = member_at(&tx, county, household_id, hire.position).await? else {
        return Ok(Hired::NoMember);
    };
    if let Some((id, name)) = working_at(&tx, county, member_id).await? {
        return Ok(Hired::Busy(id, name));
    }
    bump(&tx, row, &row.draft).await?;
    let id = new_id();
    let mut sql = Sql::new();
    sql.push(
        "INSERT INTO workshop_workers (county_code, id, workshop_id, village_code, household_id, member_id, \
         wage, since, until, by_user, by_name, created_at) VALUES (",
    )
    .bind(county)
    .push(", ")
    .bind(id)
    .push(", ")
    .bind(row.id)
    .push(", ")
    .bind(row.village_code.as_str())
    .push(", ")
    .bind(household_id)
    .push(", ")
    .bind(member_id)
    .push(", ")
    .bind(i64::from(hire.wage))
    .push(", ")
    .bind(hire.since.to_string())
    .push(", NULL, ")
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
            entity: "workshop_worker",
            entity_id: id.to_string(),
            county_code: Some(county.to_owned()),
            village_code: Some(row.village_code.clone()),
            before: None,
            after: Some(serde_json::json!({
                "workshop": row.id.to_string(),
                "household": hire.household,
                "position": hire.position,
                "wage": hire.wage,
                "since": hire.since,
            })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(Hired::Hired(id))
}

/// Records that the worker `worker` of the workshop read as `row` left on `until` (the workshop's version
/// bumped), with its audit row; `false` when no such worker works there now.
pub async fn release(
    db: &Db,
    actor: &Actor,
    row: &WorkshopRow,
    worker: i64,
    until: NaiveDate,
) -> Result<bool> {
    let tx = db.begin_write().await?;
    let mut sql = Sql::new();
    sql.push("UPDATE workshop_workers SET until = ")
        .bind(until.to_string())
        .push(" WHERE county_code = ")
        .bind(row.county_code.as_str())
        .push(" AND workshop_id = ")
        .bind(row.id)
        .push(" AND id = ")
        .bind(worker)
        .push(" AND until IS NULL AND since <= ")
        .bind(until.to_string());
    let done = tx.execute_raw(sql.build(tx.get_database_backend())).await?;
    if done.rows_affected() == 0 {
        return Ok(false);
    }
    bump(&tx, row, &row.draft).await?;
    audit::append(
        &tx,
        actor,
        Change {
            action: "update",
            entity: "workshop_worker",
            entity_id: worker.to_string(),
            county_code: Some(row.county_code.clone()),
            village_code: Some(row.village_code.clone()),
            before: None,
            after: Some(serde_json::json!({ "workshop": row.id.to_string(), "until": until })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(true)
}

fn workshop_row(r: &QueryResult) -> Result<WorkshopRow> {
    let text: String = r.try_get("", "body")?;
    let mut draft: Draft =
        serde_json::from_str(&text).map_err(|e| StoreError::corrupt(format!("workshop: {e}")))?;
    let state: String = r.try_get("", "state")?;
    draft.state = WorkshopState::from_code(&state)
        .ok_or_else(|| StoreError::corrupt(format!("workshop state {state:?}")))?;
    Ok(WorkshopRow {
        id: r.try_get("", "id")?,
        county_code: r.try_get("", "county_code")?,
        village_code: r.try_get("", "village_code")?,
        draft,
        version: r.try_get("", "version")?,
        created_at: r.try_get("", "created_at")?,
    })
}

/// The workshops of the scope's area (filtered), by village and name.
pub async fn list(db: &Db, scope: &Scope, filter: &WorkshopFilter<'_>) -> Result<Vec<WorkshopRow>> {
    let Some(area) = county_area(scope, filter.area) else {
        return Ok(Vec::new());
    };
    let mut sql = Sql::new();
    sql.push("SELECT s.* FROM workshops s WHERE 1 = 1")
        .push_area("s", &area);
    if let Some(st) = filter.state {
        sql.push(" AND s.state = ").bind(st.code());
    }
    sql.push(" ORDER BY s.village_code, s.name, s.id");
    let rows = db.conn().query_all_raw(sql.build(db.backend())).await?;
    rows.iter().map(workshop_row).collect()
}

/// The workshop `id` if it lies in the scope's area.
pub async fn get(db: &Db, scope: &Scope, id: i64) -> Result<Option<WorkshopRow>> {
    let Some(area) = county_area(scope, None) else {
        return Ok(None);
    };
    let mut sql = Sql::new();
    sql.push("SELECT s.* FROM workshops s WHERE s.id = ")
        .bind(id)
        .push_area("s", &area);
    db.conn()
        .query_one_raw(sql.build(db.backend()))
        .await?
        .as_ref()
        .map(workshop_row)
        .transpose()
}

fn date(s: &str) -> Result<NaiveDate> {
    s.parse()
        .map_err(|e| StoreError::corrupt(format!("workshop worker date {s:?}: {e}")))
}

/// The workers of the workshops of the scope's area (narrowed to `area`; only workshop `id` when given;
/// only those working now when `current`), by workshop and start; the members read from the registry in
/// one more statement per 500.
pub async fn workers(
    db: &Db,
    scope: &Scope,
    area: Option<&str>,
    id: Option<i64>,
    current: bool,
) -> Result<Vec<WorkerRow>> {
    let Some(area) = county_area(scope, area) else {
        return Ok(Vec::new());
    };
    let mut sql = Sql::new();
    sql.push(
        "SELECT w.id, w.workshop_id, w.county_code, w.member_id, w.wage, w.since, w.until, w.by_name, \
         h.number, h.village_code AS household_village, h.household_type, h.monitored_type \
         FROM workshop_workers w JOIN households h ON h.county_code = w.county_code \
         AND h.id = w.household_id WHERE 1 = 1",
    )
    .push_area("w", &area);
    if let Some(id) = id {
        sql.push(" AND w.workshop_id = ").bind(id);
    }
    if current {
        sql.push(" AND w.until IS NULL");
    }
    sql.push(" ORDER BY w.workshop_id, w.since, w.id");
    let rows = db.conn().query_all_raw(sql.build(db.backend())).await?;
    let Some(first) = rows.first() else {
        return Ok(Vec::new());
    };
    let county: String = first.try_get("", "county_code")?;
    let ids: Vec<i64> = rows
        .iter()
        .map(|r| r.try_get::<i64>("", "member_id"))
        .collect::<std::result::Result<_, _>>()?;
    let people = super::welfare_posts::people(db, &county, &ids).await?;
    rows.iter()
        .map(|r| {
            let member_id: i64 = r.try_get("", "member_id")?;
            let household_type: String = r.try_get("", "household_type")?;
            let monitored: Option<String> = r.try_get("", "monitored_type")?;
            let wage: i64 = r.try_get("", "wage")?;
            let since: String = r.try_get("", "since")?;
            let until: Option<String> = r.try_get("", "until")?;
            Ok(WorkerRow {
                id: r.try_get("", "id")?,
                workshop_id: r.try_get("", "workshop_id")?,
                household_number: r.try_get("", "number")?,
                household_village: r.try_get("", "household_village")?,
                member: people.get(&member_id).cloned(),
                alleviated: household_type == HouseholdType::Alleviated.code(),
                monitored: monitored
                    .as_deref()
                    .and_then(MonitoredType::from_code)
                    .is_some(),
                wage: u32::try_from(wage).map_err(|_| StoreError::corrupt(wage))?,
                since: date(&since)?,
                until: until.as_deref().map(date).transpose()?,
                by: r.try_get("", "by_name")?,
            })
        })
        .collect()
}

/// The workshops' figures of the scope's area in one statement (the dashboard's): workshops 在营, jobs
/// they offer, workers now, of whom of 脱贫户 or 监测户.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    /// 在营帮扶车间.
    pub operating: i64,
    /// 提供就业岗位数 (在营).
    pub jobs: i64,
    /// 吸纳就业人数 (now).
    pub workers: i64,
    /// 其中脱贫户、监测户劳动力.
    pub targets: i64,
}

/// [`Counts`] of the scope's area: one statement.
pub async fn counts(db: &Db, scope: &Scope) -> Result<Counts> {
    let Some(area) = county_area(scope, None) else {
        return Ok(Counts::default());
    };
    let mut sql = Sql::new();
    sql.push(
        "SELECT COUNT(*) AS operating, CAST(COALESCE(SUM(x.jobs), 0) AS BIGINT) AS jobs, \
         CAST(COALESCE(SUM(x.n), 0) AS BIGINT) AS workers, CAST(COALESCE(SUM(x.t), 0) AS BIGINT) AS targets \
         FROM (SELECT s.jobs, (SELECT COUNT(*) FROM workshop_workers w WHERE w.county_code = s.county_code \
         AND w.workshop_id = s.id AND w.until IS NULL) AS n, (SELECT COUNT(*) FROM workshop_workers w \
         JOIN households h ON h.county_code = w.county_code AND h.id = w.household_id \
         WHERE w.county_code = s.county_code AND w.workshop_id = s.id AND w.until IS NULL \
         AND (h.household_type = ",
    )
    .bind(HouseholdType::Alleviated.code())
    .push(" OR h.monitored_type IS NOT NULL)) AS t FROM workshops s WHERE s.state = ")
    .bind(WorkshopState::Operating.code())
    .push_area("s", &area);
    sql.push(") x");
    let row = db.conn().query_one_raw(sql.build(db.backend())).await?;
    let Some(r) = row else {
        return Ok(Counts::default());
    };
    Ok(Counts {
        operating: r.try_get("", "operating")?,
        jobs: r.try_get("", "jobs")?,
        workers: r.try_get("", "workers")?,
        targets: r.try_get("", "targets")?,
    })
}

/// The rows of the 帮扶车间台账: every workshop of the scope's area (narrowed to `area`) with its workers
/// now.
pub(crate) async fn ledger_rows(
    db: &Db,
    scope: &Scope,
    area: Option<&str>,
    kind: LedgerKind,
) -> Result<Vec<Vec<Value>>> {
    debug_assert_eq!(kind, LedgerKind::Workshops);
    let filter = WorkshopFilter {
        area,
        ..Default::default()
    };
    let shops = list(db, scope, &filter).await?;
    let Some(first) = shops.first() else {
        return Ok(Vec::new());
    };
    let names = super::projects::region_names(db.conn(), &first.county_code).await?;
    let mut by_shop: HashMap<i64, Vec<Counted>> = HashMap::new();
    for w in workers(db, scope, area, None, true).await? {
        by_shop.entry(w.workshop_id).or_default().push(w.counted());
    }
    let mut out = Vec::new();
    for s in &shops {
        let number = s.id.to_string();
        let township = format!("{}000", s.village_code.get(..9).unwrap_or_default());
        let view = LedgerWorkshop {
            number: &number,
            draft: &s.draft,
            township: names.get(&township).map_or("", String::as_str),
            village: names.get(&s.village_code).map_or("", String::as_str),
            tally: workshop::tally(by_shop.remove(&s.id).unwrap_or_default()),
        };
        out.push(workshop::ledger_row(out.len() + 1, &view));
    }
    Ok(out)
}
