//! The reads of the project library: the list with its filters, a project's sheet (flow, payments,
//! progress by fund source), each role's queue (工作台: the projects awaiting the role's step) and the
//! payment progress board by township and fund source (序时进度).

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};
use shouwang_core::project::flow::Step;
use shouwang_core::project::funds::{self, Progress};
use shouwang_core::project::{Draft, FundSource, Payment, ProjectKind, ProjectState};
use shouwang_core::{CodeList, Role};
use shouwang_store::Db;
use shouwang_store::repo;
use shouwang_store::repo::projects::{PaymentRow, ProjectFilter, ProjectRow, StepRow};

use super::project;
use crate::caller::Caller;
use crate::error::Error;

/// A filter of [`list`] (a form, a query string, CLI flags).
#[derive(Clone, Debug, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
pub struct ListFilter {
    /// A township or village inside the caller's area.
    pub area: Option<String>,
    /// Only projects in this state (`submitted`, `filed` …).
    pub state: Option<String>,
    /// Only projects of this type (`industry` …).
    pub kind: Option<String>,
    /// Only projects carried out in this year.
    pub year: Option<String>,
}

/// A project in a list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Entry {
    /// Row id (项目编号).
    pub id: i64,
    /// 项目名称.
    pub name: String,
    /// 项目类型.
    pub kind: ProjectKind,
    /// 行政村 code.
    pub village: String,
    /// 乡（镇） name.
    pub township_name: String,
    /// 行政村 name.
    pub village_name: String,
    /// 实施年度.
    pub year_from: i32,
    /// 实施年度 (last).
    pub year_to: i32,
    /// 项目状态.
    pub state: ProjectState,
    /// The step it awaits (none: filed or refused).
    pub awaited: Option<Step>,
    /// Planned and paid.
    pub progress: Progress,
    /// Version.
    pub version: i64,
}

pub(crate) fn code_of<T: CodeList>(what_zh: &str, s: Option<&str>) -> Result<Option<T>, Error> {
    match s.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => T::from_any(s).map(Some).ok_or_else(|| {
            Error::invalid(
                format!(
                    "未知的{what_zh}：{}",
                    s.chars().take(20).collect::<String>()
                ),
                format!("Unknown {}", T::list_name_en()),
            )
        }),
    }
}

pub(crate) fn area_of(s: Option<&str>) -> Result<Option<&str>, Error> {
    let a = s.map(str::trim).filter(|a| !a.is_empty());
    if let Some(a) = a
        && shouwang_core::RegionCode::parse(a).is_err()
    {
        return Err(Error::invalid(
            format!("地区代码“{}”有误", a.chars().take(20).collect::<String>()),
            "Bad area code",
        ));
    }
    Ok(a)
}

fn year_of(s: Option<&str>) -> Result<Option<i32>, Error> {
    match s.map(str::trim).filter(|y| !y.is_empty()) {
        None => Ok(None),
        Some(y) => y
            .parse::<i32>()
            .ok()
            .filter(|y| (2013..=2100).contains(y))
            .map(Some)
            .ok_or_else(|| {
                Error::invalid("年度应为四位数字，如 2026", "The year must be four digits")
            }),
    }
}

/// Region names of a county by code (shared with the asset registry).
pub(crate) struct Names(HashMap<String, String>);

impl Names {
    /// The names of the county `county` (none: no names).
    pub(crate) async fn of_county(db: &Db, county: Option<&str>) -> Result<Names, Error> {
        Ok(Names(match county {
            Some(c) => repo::projects::region_names(db.conn(), c).await?,
            None => HashMap::new(),
        }))
    }

    async fn of(db: &Db, rows: &[ProjectRow]) -> Result<Names, Error> {
        Ok(Names(match rows.first() {
            Some(r) => repo::projects::region_names(db.conn(), &r.county_code).await?,
            None => HashMap::new(),
        }))
    }

    pub(crate) fn get(&self, code: &str) -> String {
        self.0.get(code).cloned().unwrap_or_default()
    }

    pub(crate) fn township(&self, village: &str) -> String {
        self.get(&format!("{}000", village.get(..9).unwrap_or_default()))
    }
}

fn paid_by_project(payments: Vec<PaymentRow>) -> HashMap<i64, Vec<Payment>> {
    let mut out: HashMap<i64, Vec<Payment>> = HashMap::new();
    for p in payments {
        out.entry(p.project_id).or_default().push(p.payment);
    }
    out
}

fn entry(r: &ProjectRow, names: &Names, paid: &[Payment]) -> Entry {
    Entry {
        id: r.id,
        name: r.draft.name.clone(),
        kind: r.draft.kind,
        village: r.village_code.clone(),
        township_name: names.township(&r.village_code),
        village_name: names.get(&r.village_code),
        year_from: r.draft.year_from,
        year_to: r.draft.year_to,
        state: r.state,
        awaited: Step::awaited(Some(r.state)),
        progress: Progress {
            planned: r.draft.total(),
            paid: paid.iter().map(|p| p.amount).sum(),
        },
        version: r.version,
    }
}

async fn entries(
    db: &Db,
    caller: &Caller,
    area: Option<&str>,
    filter: &ProjectFilter<'_>,
) -> Result<Vec<Entry>, Error> {
    let rows = repo::projects::list(db, &caller.scope, filter).await?;
    let names = Names::of(db, &rows).await?;
    let paid = paid_by_project(repo::projects::payments(db, &caller.scope, area, None).await?);
    Ok(rows
        .iter()
        .map(|r| entry(r, &names, paid.get(&r.id).map_or(&[][..], Vec::as_slice)))
        .collect())
}

/// The projects of the caller's area (filtered), newest first, with their planned and paid amounts.
pub async fn list(db: &Db, caller: &Caller, filter: &ListFilter) -> Result<Vec<Entry>, Error> {
    let area = area_of(filter.area.as_deref())?;
    let state: Option<ProjectState> = code_of("项目状态", filter.state.as_deref())?;
    let kind = code_of("项目类型", filter.kind.as_deref())?;
    let year = year_of(filter.year.as_deref())?;
    let states: Vec<ProjectState> = state.into_iter().collect();
    let f = ProjectFilter {
        area,
        states: &states,
        kind,
        year,
    };
    entries(db, caller, area, &f).await
}

/// The states whose next step is the role's (工作台 待办).
pub fn awaiting(role: Role) -> &'static [ProjectState] {
    match role {
        Role::VillageTeam => &[ProjectState::Returned],
        Role::TownshipAdmin => &[ProjectState::Submitted],
        Role::Department => &[ProjectState::TownshipApproved],
        Role::CountyAdmin => &[ProjectState::DepartmentApproved],
        _ => &[],
    }
}

/// The caller's queue: the projects of its area awaiting its role's step, oldest first.
pub async fn queue(db: &Db, caller: &Caller) -> Result<Vec<Entry>, Error> {
    let states = awaiting(caller.scope.role);
    if states.is_empty() {
        return Ok(Vec::new());
    }
    let f = ProjectFilter {
        states,
        ..Default::default()
    };
    let mut out = entries(db, caller, None, &f).await?;
    out.reverse();
    Ok(out)
}

/// A fund source's progress on a project or a board.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SourceRow {
    /// 资金来源.
    pub source: FundSource,
    /// Planned and paid.
    pub progress: Progress,
}

/// A project's page: the application, its flow, its payments and the progress by fund source.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Sheet {
    /// The project as listed.
    pub entry: Entry,
    /// The application.
    pub draft: Draft,
    /// The steps taken, in order.
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<Object>))]
    pub steps: Vec<StepRow>,
    /// The payments, by date.
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<Object>))]
    pub payments: Vec<PaymentRow>,
    /// Progress by fund source.
    pub by_source: Vec<SourceRow>,
}

/// The project `id` of the caller's area (`NotFound` outside it).
pub async fn show(db: &Db, caller: &Caller, id: i64) -> Result<Sheet, Error> {
    let row = project(db, caller, id).await?;
    let names = Names::of(db, std::slice::from_ref(&row)).await?;
    let steps: Vec<StepRow> = repo::projects::steps(db, &caller.scope, None, Some(id)).await?;
    let payments = repo::projects::payments(db, &caller.scope, None, Some(id)).await?;
    let paid: Vec<Payment> = payments.iter().map(|p| p.payment.clone()).collect();
    Ok(Sheet {
        entry: entry(&row, &names, &paid),
        by_source: funds::by_source(&row.draft.plan, &paid)
            .into_iter()
            .map(|(source, progress)| SourceRow { source, progress })
            .collect(),
        draft: row.draft,
        steps,
        payments,
    })
}

/// A township's line of the board.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BoardRow {
    /// 乡镇 code (9 digits).
    pub township: String,
    /// 乡镇 name.
    pub township_name: String,
    /// Filed projects.
    pub projects: usize,
    /// Planned and paid.
    pub progress: Progress,
}

/// 资金拨付进度: the filed projects of a year in the caller's area, by township and by fund source.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Board {
    /// The year (none: every year).
    pub year: Option<i32>,
    /// By township.
    pub by_township: Vec<BoardRow>,
    /// By fund source.
    pub by_source: Vec<SourceRow>,
    /// The whole area.
    pub total: Progress,
}

/// The payment progress of the filed projects of the caller's area (narrowed to the filter's `area`; of
/// its `year`; its state and type are not used).
pub async fn board(db: &Db, caller: &Caller, filter: &ListFilter) -> Result<Board, Error> {
    let area = area_of(filter.area.as_deref())?;
    let year = year_of(filter.year.as_deref())?;
    let rows = repo::projects::list(
        db,
        &caller.scope,
        &ProjectFilter {
            area,
            states: &[ProjectState::Filed],
            kind: None,
            year,
        },
    )
    .await?;
    let names = Names::of(db, &rows).await?;
    let paid = paid_by_project(repo::projects::payments(db, &caller.scope, area, None).await?);
    let mut towns: BTreeMap<String, BoardRow> = BTreeMap::new();
    let mut sources: BTreeMap<FundSource, Progress> = BTreeMap::new();
    let mut total = Progress::default();
    for r in &rows {
        let made = paid.get(&r.id).map_or(&[][..], Vec::as_slice);
        let town = r.village_code.get(..9).unwrap_or_default().to_owned();
        let line = towns.entry(town.clone()).or_insert_with(|| BoardRow {
            township_name: names.township(&r.village_code),
            township: town,
            projects: 0,
            progress: Progress::default(),
        });
        line.projects += 1;
        for (s, p) in funds::by_source(&r.draft.plan, made) {
            line.progress.add(p);
            sources.entry(s).or_default().add(p);
            total.add(p);
        }
    }
    Ok(Board {
        year,
        by_township: towns.into_values().collect(),
        by_source: sources
            .into_iter()
            .map(|(source, progress)| SourceRow { source, progress })
            .collect(),
        total,
    })
}
