//! 部门数据筛查入库: the database side of the department-data screening (A1 channel 3, 部门筛查预警;
//! issue 4 database mode), shared by `shouwang screen --month` and the web upload.
//!
//! 1. [`export_registry`] writes the registry of the caller's area as the screening engine's two registry
//!    files (`households.csv`: 户编号, 村代码, 家庭人口, 上年家庭纯收入, 户类型; `members.csv`: 身份证号, 户编号,
//!    姓名, 与户主关系), so the engine screens the department files against the database instead of a
//!    `households.csv` sent along. 上年家庭纯收入 is the household's income record of the year before the
//!    screening year (家庭纯收入, `IncomeRecord::net_income`); without one, its latest earlier record;
//!    households without any are left out and counted.
//! 2. The engine (crate `shouwang-screen`) flags households with the county's thresholds
//!    (`CountyRules::screening`).
//! 3. [`record`] turns every hit into a report of channel 部门筛查 through the case repository, in one
//!    write transaction: the report opens the household's case (or its next one, when the current case
//!    is closed) or joins its open case, where the core merges it into a clue of the same cause within
//!    the merge window or adds a new clue. The source records the screening round (the month), the
//!    department and the file. A report whose round and department are already among the sources of
//!    any of the household's cases is left out, so running the same month again adds nothing.
//!
//! The caller must have a role that may record 部门筛查 (`Channel::DepartmentScreening.roles()`:
//! 部门数据员, 乡镇管理员, 县级管理员); households outside its area are not exported (their department
//! rows count as unmatched) and are refused by [`record`] if a hit names them anyway.

use std::collections::HashSet;
use std::io::{BufWriter, Write};
use std::path::Path;

use chrono::NaiveDate;
use serde::Serialize;
use shouwang_core::CodeList;
use shouwang_core::codes::RiskType;
use shouwang_core::monitoring::{Channel, Report, Source, YearMonth};
use shouwang_store::repo::{lines, rules, screening_export};
use shouwang_store::{Db, Result, StoreError};

use crate::caller::{Caller, today};
use crate::lifecycle::{Filed, Filing, file_report_on};

/// What [`export_registry`] wrote.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct RegistryExport {
    /// Households written to `households.csv`.
    pub households: u64,
    /// Members written to `members.csv`.
    pub members: u64,
    /// Households of the area left out: no income record before the screening year.
    pub without_income: u64,
    /// Households whose income is an older record than the year before the screening year.
    pub older_income: u64,
}

/// A CSV field: quoted when it holds a comma, a quote, a line break or surrounding spaces.
fn field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) || s.trim() != s {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}

/// A file of the export cannot be written: a failure of the server (the folder is the round's own), not
/// of the caller's input.
fn io_err(path: &Path) -> impl Fn(std::io::Error) -> StoreError + '_ {
    move |e| {
        StoreError::Db(sea_orm::DbErr::Custom(format!(
            "cannot write {}: {e}",
            path.display()
        )))
    }
}

/// A new file readable by its owner only (0600 on Unix): the export holds full ID numbers and names in
/// clear (issue 19; the round's folder is the owner's only too, and removed after the round).
fn create_private(path: &Path) -> Result<std::fs::File> {
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    opts.open(path).map_err(io_err(path))
}

/// Writes `households.csv` and `members.csv` of the caller's area into `dir` for a screening of `year`
/// (see the module doc), from [`screening_export`] through a buffer; both readable by the owner only.
pub async fn export_registry(
    db: &Db,
    caller: &Caller,
    year: i32,
    dir: &Path,
) -> Result<RegistryExport> {
    caller.county()?;
    let area = caller.scope.area_prefix().trim().to_owned();
    let mut out = RegistryExport::default();

    let path = dir.join("households.csv");
    let file = create_private(&path)?;
    let mut w = BufWriter::new(file);
    w.write_all("户编号,村代码,家庭人口,上年家庭纯收入,户类型\n".as_bytes())
        .map_err(io_err(&path))?;
    screening_export::households(db, &area, year, &mut |h| {
        match h.income {
            Some((y, net)) => {
                if y < year - 1 {
                    out.older_income += 1;
                }
                writeln!(
                    w,
                    "{},{},{},{net},{}",
                    field(&h.number),
                    field(&h.village),
                    h.size,
                    field(&h.household_type)
                )
                .map_err(io_err(&path))?;
                out.households += 1;
            }
            None => out.without_income += 1,
        }
        Ok(())
    })
    .await?;
    w.flush().map_err(io_err(&path))?;

    let path = dir.join("members.csv");
    let file = create_private(&path)?;
    let mut w = BufWriter::new(file);
    w.write_all("身份证号,户编号,姓名,与户主关系\n".as_bytes())
        .map_err(io_err(&path))?;
    screening_export::members(db, &area, &mut |m| {
        writeln!(
            w,
            "{},{},{},{}",
            field(&m.id_number),
            field(&m.household),
            field(&m.name),
            field(&m.relation)
        )
        .map_err(io_err(&path))?;
        out.members += 1;
        Ok(())
    })
    .await?;
    w.flush().map_err(io_err(&path))?;
    Ok(out)
}

/// One department's finding on one household: what becomes one report of channel 部门筛查.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DepartmentHit {
    /// 户编号.
    pub household: String,
    /// 部门, e.g. 县医疗保障局.
    pub department: String,
    /// 数据文件 (name of the file screened).
    pub file: String,
    /// 风险类型 of the national list.
    pub risks: Vec<RiskType>,
}

/// What became of one hit.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum HitResult {
    /// Filed: a new case, a new clue in the open case, or merged into a clue.
    Filed(Filed),
    /// The same round and department is already among the household's sources: nothing written.
    AlreadyPresent,
    /// The household is not in the registry of the county.
    NotInRegistry,
    /// The household is outside the caller's area.
    OutOfArea,
}

/// Counts of [`record`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct RecordSummary {
    /// Distinct households among the hits.
    pub households: u64,
    /// Reports (hits) received.
    pub reports: u64,
    /// Reports that opened a case (the household's first, or its next after a closed one).
    pub new_cases: u64,
    /// Reports that became a new clue in an open case.
    pub new_clues: u64,
    /// Reports merged into an open clue of the same cause.
    pub merged: u64,
    /// Reports already present (same round and department): not written again.
    pub already_present: u64,
    /// Hits naming a household not in the registry.
    pub not_in_registry: u64,
    /// Hits naming a household outside the caller's area.
    pub out_of_area: u64,
}

impl RecordSummary {
    fn add(&mut self, r: HitResult) {
        match r {
            HitResult::Filed(Filed::NewCase) => self.new_cases += 1,
            HitResult::Filed(Filed::NewClue) => self.new_clues += 1,
            HitResult::Filed(Filed::Merged) => self.merged += 1,
            HitResult::AlreadyPresent => self.already_present += 1,
            HitResult::NotInRegistry => self.not_in_registry += 1,
            HitResult::OutOfArea => self.out_of_area += 1,
        }
    }
}

/// Whether a case source is this round's report of `department`.
fn same_round(source: &Source, round: YearMonth, department: &str) -> bool {
    matches!(
        source,
        Source::DepartmentScreening { department: d, round: Some(r), .. }
            if *r == round && d == department
    )
}

/// Records the hits of the screening round `round` as reports of channel 部门筛查 dated `on`, as
/// `caller`, in one write transaction (see the module doc). A refusal of the core (e.g. a report dated
/// after `on`) or a database error writes nothing at all; the role is checked first (`Forbidden`).
pub async fn record(
    db: &Db,
    caller: &Caller,
    round: YearMonth,
    on: NaiveDate,
    hits: &[DepartmentHit],
) -> Result<(RecordSummary, Vec<HitResult>)> {
    if !Channel::DepartmentScreening
        .roles()
        .contains(&caller.scope.role)
    {
        return Err(StoreError::Forbidden);
    }
    let county = caller.county()?;
    let mut summary = RecordSummary::default();
    let mut results = Vec::with_capacity(hits.len());
    let tx = db.begin_write().await?;
    let clue_rules = rules::get_on(&tx, &county).await?.rules.clue;
    let mut seen: HashSet<&str> = HashSet::new();
    for hit in hits {
        let number = hit.household.trim();
        summary.reports += 1;
        seen.insert(number);
        let report = Report {
            household: number.to_owned(),
            source: Source::DepartmentScreening {
                department: hit.department.clone(),
                file: hit.file.clone(),
                round: Some(round),
            },
            risks: hit.risks.clone(),
            reporter: hit.department.clone(),
            reported_on: on,
        };
        let this_round = |s: &Source| same_round(s, round, &hit.department);
        let result =
            match file_report_on(&tx, caller, report, clue_rules, on, None, this_round).await {
                Ok(Filing::Filed { filed, .. }) => HitResult::Filed(filed),
                Ok(Filing::AlreadyPresent) => HitResult::AlreadyPresent,
                Ok(Filing::OutOfArea) | Err(StoreError::Forbidden) => HitResult::OutOfArea,
                Err(StoreError::NotFound) => HitResult::NotInRegistry,
                Err(e) => return Err(e),
            };
        summary.add(result);
        results.push(result);
    }
    summary.households = seen.len() as u64;
    tx.commit().await?;
    Ok((summary, results))
}

/// A step of [`run_round`], reported to its `phase` callback (a progress display).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RoundPhase {
    /// Writing the registry of the caller's area for the engine (导出登记信息).
    Exporting,
    /// The engine reads the department files (筛查).
    Screening,
    /// The findings become clues (登记线索).
    Recording,
}

impl RoundPhase {
    /// 中文.
    pub fn label_zh(self) -> &'static str {
        match self {
            RoundPhase::Exporting => "导出登记信息",
            RoundPhase::Screening => "筛查部门数据",
            RoundPhase::Recording => "登记线索",
        }
    }

    /// English.
    pub fn label_en(self) -> &'static str {
        match self {
            RoundPhase::Exporting => "exporting the registry",
            RoundPhase::Screening => "screening the department files",
            RoundPhase::Recording => "recording clues",
        }
    }
}

/// Why a screening round stopped before recording anything.
#[derive(Debug, thiserror::Error)]
pub enum RoundError {
    /// The caller's role may not record 部门筛查 clues.
    #[error("a {role} may not record department-screening clues")]
    Forbidden {
        /// The role's code.
        role: &'static str,
        /// The role's Chinese label.
        role_zh: &'static str,
    },
    /// The clue date lies in the future.
    #[error("the clue date {0} is after today")]
    Future(NaiveDate),
    /// No monitoring line for the province and year.
    #[error("no monitoring line for province {province} in {year}")]
    NoLine { province: String, year: i32 },
    /// The engine refused the files (a missing column, an unreadable file, …): nothing recorded.
    #[error("{0}")]
    Screen(#[from] shouwang_screen::ScreenError),
    /// The engine's thread failed.
    #[error("the screening task failed: {0}")]
    Task(String),
    /// The store refused or failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl RoundError {
    /// The Chinese message (中文提示).
    pub fn message_zh(&self) -> String {
        match self {
            RoundError::Forbidden { role_zh, .. } => format!("{role_zh}不能登记部门筛查线索"),
            RoundError::Future(d) => format!("发现日期 {d} 晚于今天"),
            RoundError::NoLine { province, year } => {
                format!("未设置{year}年监测线（省 {province}），请先在“规则设置”中设置")
            }
            RoundError::Screen(e) => e.message_zh(),
            RoundError::Task(_) => "筛查任务意外中止，未登记任何线索".to_owned(),
            RoundError::Store(e) => e.message_zh(),
        }
    }
}

/// Everything a screening round did (see [`run_round`]).
#[derive(Debug)]
pub struct RoundRun {
    /// The registry the department files were screened against.
    pub export: RegistryExport,
    /// The engine's outcome: flagged households, per-file counts, malformed rows.
    pub outcome: shouwang_screen::Outcome,
    /// Time the engine took.
    pub elapsed: std::time::Duration,
    /// The findings, one per household and department.
    pub hits: Vec<DepartmentHit>,
    /// What became of each finding (same order as `hits`).
    pub results: Vec<HitResult>,
    /// Counts of `results`.
    pub recorded: RecordSummary,
    /// The year of the monitoring line used (the round's, or the latest before it while it is unset).
    pub line_year: i32,
}

impl RoundRun {
    /// Department rows whose ID number is in no registry member of the area.
    pub fn unmatched(&self) -> u64 {
        self.outcome.files.iter().filter_map(|f| f.unmatched).sum()
    }

    /// Malformed department rows (skipped).
    pub fn malformed(&self) -> u64 {
        self.outcome
            .files
            .iter()
            .filter(|f| f.kind.is_department())
            .map(|f| f.skipped())
            .sum()
    }
}

/// The engine call of a round: `(registry_dir, department_dir, params)` → outcome and time taken.
/// The CLI passes `shouwang_screen::cli::screen_with_progress` (a progress bar on stderr), the web
/// upload `shouwang_screen::run_dirs` with the progress counters of its job.
pub type ScreenFn = Box<
    dyn FnOnce(
            &Path,
            &Path,
            &shouwang_screen::Params,
        ) -> std::result::Result<
            (shouwang_screen::Outcome, std::time::Duration),
            shouwang_screen::ScreenError,
        > + Send
        + 'static,
>;

/// One department-screening round (筛查批次) of the month `round`, as `caller`: the one code path of
/// `shouwang screen --month` and of the web upload (部门数据上传).
///
/// The department files (medical, education, disability, housing, disaster; CSV or a spreadsheet)
/// are in `department_dir`. The registry of the caller's area is exported ([`export_registry`]) into
/// a temporary folder, the engine screens the files against it with the county's thresholds and the
/// monitoring line of the round's year (window: 1 January to the month's last day), on a blocking
/// thread, and the findings are recorded ([`record`]) as clues of channel 部门筛查 dated `on`. A
/// file the engine refuses stops the round before anything is written; running the same month again
/// records nothing new. `phase` is told each step as it starts.
// The round's inputs are all distinct and positional use is clear at both call sites.
#[allow(clippy::too_many_arguments)]
pub async fn run_round(
    db: &Db,
    caller: &Caller,
    department_dir: &Path,
    round: YearMonth,
    on: NaiveDate,
    threads: usize,
    screen: ScreenFn,
    phase: &(dyn Fn(RoundPhase) + Send + Sync),
) -> std::result::Result<RoundRun, RoundError> {
    let role = caller.scope.role;
    if !Channel::DepartmentScreening.roles().contains(&role) {
        return Err(RoundError::Forbidden {
            role: role.code(),
            role_zh: role.label_zh(),
        });
    }
    let county = caller.county()?;
    if on > today() {
        return Err(RoundError::Future(on));
    }
    let year = round.year();
    let province = county.get(..2).unwrap_or_default().to_owned();
    // The line of the round's year, or while the county has not set it the latest before it.
    let Some((line, line_year)) = lines::table(db)
        .await?
        .in_force(&county, year)
        .map(|l| (l.line, l.year))
    else {
        return Err(RoundError::NoLine { province, year });
    };
    let thresholds = rules::get(db, &county).await?.rules.screening;
    let params = shouwang_screen::Params {
        year,
        as_of: round.last_day(),
        line_fen: line.0,
        threads,
        thresholds,
    };

    phase(RoundPhase::Exporting);
    let registry = tempfile::tempdir().map_err(|e| {
        StoreError::Db(sea_orm::DbErr::Custom(format!(
            "cannot create a temporary folder: {e}"
        )))
    })?;
    let export = export_registry(db, caller, year, registry.path()).await?;

    phase(RoundPhase::Screening);
    let registry_dir = registry.path().to_path_buf();
    let department_dir = department_dir.to_path_buf();
    let (outcome, elapsed) =
        tokio::task::spawn_blocking(move || screen(&registry_dir, &department_dir, &params))
            .await
            .map_err(|e| RoundError::Task(e.to_string()))??;
    drop(registry);

    phase(RoundPhase::Recording);
    let income_file = format!("{}年家庭收入记录（数据库）", year - 1);
    let hits: Vec<DepartmentHit> = shouwang_screen::hits(&outcome, &income_file)
        .into_iter()
        .map(|h| DepartmentHit {
            household: h.household,
            department: h.department.to_owned(),
            file: h.file,
            risks: h.risks,
        })
        .collect();
    let (recorded, results) = record(db, caller, round, on, &hits).await?;
    Ok(RoundRun {
        line_year,
        export,
        outcome,
        elapsed,
        hits,
        results,
        recorded,
    })
}
