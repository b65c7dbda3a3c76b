//! Data-quality run 数据质量检查 (issue 6, part 3): the core's checks
//! ([`shouwang_core::quality::check_household`], docs/domain.md "Data-quality checks") over every household of
//! an area.
//!
//! Households are read as the registry export reads them ([`super::registry_file::export`]: household rows
//! of the area in 户编号 order, members by chunks of 500 households), so 100,000 households work without
//! holding every member at once. The lifecycle data the checks Q05, Q06, Q08 and Q09 need comes from the
//! household's *current* case (`cases.is_current`): [`shouwang_core::monitoring::Case::quality_context`]
//! (identification date, first developmental measure, elimination date, latest per-capita income,
//! measures, 三保障 problems) with the monitoring line of the province for the year of elimination (else
//! the year of `as_of`; the latest set year before it if that year has none).

use std::collections::{BTreeMap, HashMap};

use chrono::{Datelike, NaiveDate};
use serde::Serialize;
use shouwang_core::monitoring::Case;
use shouwang_core::quality::{CHECKS, QualityContext, check_household};
use shouwang_core::{Finding, Household, LineTable, Scope, Severity};

use super::area::{Area, read_area};
use super::{Sql, lines, registry_file};
use crate::db::Db;
use crate::error::{Result, StoreError};

/// One finding with the member's name (when it concerns a member).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FindingRow {
    /// The core finding (code, severity, member, messages).
    #[serde(flatten)]
    pub finding: Finding,
    /// 姓名 of the member concerned.
    pub member_name: Option<String>,
}

/// The findings of one household.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct HouseholdFindings {
    /// 户编号.
    pub number: String,
    /// 行政村 code.
    pub village_code: String,
    /// 乡镇 name.
    pub township_name: String,
    /// 行政村 name.
    pub village_name: String,
    /// 户主 name.
    pub head_name: String,
    /// Its findings, in check-code order.
    pub findings: Vec<FindingRow>,
}

/// Counts of one check.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct CodeCount {
    /// Households with at least one finding of the check.
    pub households: u64,
    /// Findings of the check.
    pub findings: u64,
}

/// The totals of a run.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct QualitySummary {
    /// The date the checks were run for (ages, the 6-month rules).
    pub as_of: Option<NaiveDate>,
    /// Households checked.
    pub households_checked: u64,
    /// Households with at least one finding.
    pub households_with_findings: u64,
    /// Findings of severity error.
    pub errors: u64,
    /// Findings of severity warning.
    pub warnings: u64,
    /// By check code (`Q01`…), only codes with findings.
    pub by_code: BTreeMap<String, CodeCount>,
}

impl QualitySummary {
    /// Adds a household's findings to the totals.
    fn add(&mut self, findings: &[FindingRow]) {
        self.households_checked += 1;
        if findings.is_empty() {
            return;
        }
        self.households_with_findings += 1;
        let mut codes: Vec<&str> = Vec::new();
        for f in findings {
            match f.finding.severity {
                Severity::Error => self.errors += 1,
                Severity::Warning => self.warnings += 1,
            }
            let c = self.by_code.entry(f.finding.code.to_owned()).or_default();
            c.findings += 1;
            if !codes.contains(&f.finding.code) {
                codes.push(f.finding.code);
                c.households += 1;
            }
        }
    }

    /// Every check in code order with its counts (zero for checks without findings).
    pub fn all_codes(&self) -> Vec<(&'static shouwang_core::quality::CheckInfo, CodeCount)> {
        CHECKS
            .iter()
            .map(|c| (c, self.by_code.get(c.code).copied().unwrap_or_default()))
            .collect()
    }
}

/// The current cases of an area by (county, 户编号).
async fn current_cases(db: &Db, area: Option<&Area>) -> Result<HashMap<(String, String), Case>> {
    let mut sql = Sql::new();
    sql.push("SELECT c.county_code, c.household_number, c.body FROM cases c WHERE c.is_current = ")
        .bind(true);
    if let Some(a) = area {
        sql.push_area("c", a);
    }
    let backend = db.backend();
    let mut out = HashMap::new();
    for r in sea_orm::ConnectionTrait::query_all_raw(db.conn(), sql.build(backend)).await? {
        let body: String = r.try_get("", "body")?;
        let case: Case = serde_json::from_str(&body)
            .map_err(|e| StoreError::corrupt(format!("case JSON: {e}")))?;
        out.insert(
            (
                r.try_get::<String>("", "county_code")?,
                r.try_get::<String>("", "household_number")?,
            ),
            case,
        );
    }
    Ok(out)
}

/// The monitoring line for a household's checks (see the module docs); zero (Q09 off) if none is set.
fn line_for(table: &LineTable, county: &str, year: i32) -> shouwang_core::Fen {
    table
        .line_for(county, year)
        .or_else(|| table.in_force(county, year).map(|l| l.line))
        .unwrap_or_default()
}

/// The quality context of a household: from its current case, or only the line.
pub fn context_of(
    case: Option<&Case>,
    table: &LineTable,
    h: &Household,
    as_of: NaiveDate,
) -> QualityContext {
    let county = h.village.county();
    match case {
        Some(c) => {
            let year = c.eliminated_on().map_or(as_of.year(), |d| d.year());
            c.quality_context(line_for(table, county, year))
        }
        None => QualityContext {
            line: line_for(table, county, as_of.year()),
            ..QualityContext::default()
        },
    }
}

/// Runs the checks over every household of the area (`scope`: the reading user's, `None` for the system;
/// `area`: a further region filter). `each` gets every household with at least one finding, in 户编号
/// order. Returns the totals.
pub async fn run(
    db: &Db,
    scope: Option<&Scope>,
    area: Option<&str>,
    as_of: NaiveDate,
    each: &mut (dyn FnMut(HouseholdFindings) -> Result<()> + Send),
) -> Result<QualitySummary> {
    let mut summary = QualitySummary {
        as_of: Some(as_of),
        ..QualitySummary::default()
    };
    let Some(case_area) = read_area(scope, area)? else {
        return Ok(summary);
    };
    let cases = current_cases(db, case_area.as_ref()).await?;
    let outside = super::grids::outside_grids(db.conn(), case_area.as_ref()).await?;
    let table = lines::table(db).await?;
    registry_file::export(db, scope, area, &mut |h, names| {
        let case = cases.get(&(h.village.county().to_owned(), h.number.clone()));
        let mut ctx = context_of(case, &table, h, as_of);
        ctx.outside_grids = outside.contains(&(h.village.county().to_owned(), h.number.clone()));
        let findings: Vec<FindingRow> = check_household(h, as_of, &ctx)
            .into_iter()
            .map(|f| FindingRow {
                member_name: f.member.and_then(|id| h.member(id)).map(|m| m.name.clone()),
                finding: f,
            })
            .collect();
        summary.add(&findings);
        if findings.is_empty() {
            return Ok(());
        }
        each(HouseholdFindings {
            number: h.number.clone(),
            village_code: h.village.as_str().to_owned(),
            township_name: names.township.clone(),
            village_name: names.village.clone(),
            head_name: registry_file::head_name(h).to_owned(),
            findings,
        })
    })
    .await?;
    Ok(summary)
}

/// [`run`] collecting the households with findings, optionally only those with a finding of `code`
/// and in `village` (for the page's filters).
pub async fn collect(
    db: &Db,
    scope: Option<&Scope>,
    area: Option<&str>,
    as_of: NaiveDate,
    code: Option<&str>,
) -> Result<(QualitySummary, Vec<HouseholdFindings>)> {
    let mut out = Vec::new();
    let code = code.map(str::trim).filter(|c| !c.is_empty());
    let summary = run(db, scope, area, as_of, &mut |hf| {
        if code.is_none_or(|c| hf.findings.iter().any(|f| f.finding.code == c)) {
            out.push(hf);
        }
        Ok(())
    })
    .await?;
    Ok((summary, out))
}
