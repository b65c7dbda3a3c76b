//! 收支测算: a household's yearly income records — read with their assessment against the line of each
//! year and the other sources' figures that differ and do not count (不计入, [`show`]), checked without saving as a form is typed ([`preview`]), and written ([`set`]) by
//! hand (the household page, `PUT /api/v1/households/{n}/income/{year}`, `shouwang income set`) or from
//! a visit. One write path for all of them: scoped to the caller's area, version-checked, audited, and
//! followed in the same transaction by the income rule: a year whose per-capita income fell clearly
//! against the year before (the county's `income_drop_pct`, default 30 %), or whose income after rigid
//! expenditure is below the line, files or joins a clue (收支测算比对, once per household and year;
//! §三(一)1 "家庭收入水平比2021年明显下降").

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use shouwang_core::income::{self, IncomeSource, Thresholds, YearAssessment};
use shouwang_core::line::LineTable;
use shouwang_core::monitoring::{Report, Source, VisitIncome};
use shouwang_core::{Fen, IncomeRecord};
use shouwang_store::repo;
use shouwang_store::repo::income::{IncomeEntry, VisitRecord, others::OtherSource};
use shouwang_store::{Db, HouseholdDetail, StoreError};

use crate::caller::{Caller, today};
use crate::error::Error;
use crate::lifecycle::{Filed, Filing, file_report_on};

/// One year of a household's income: the record that counts, its source and version, the assessment,
/// and the figures of other sources that differ and do not count.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IncomeYear {
    /// The record (amounts in 分).
    pub record: IncomeRecord,
    /// 数据来源 of the record.
    pub source: IncomeSource,
    /// 数据日期: the day its figures were established (a visit's date, or the day written).
    pub as_of: NaiveDate,
    /// The version to send back with a correction.
    pub version: i64,
    /// Last written.
    pub updated_at: DateTime<Utc>,
    /// Against the line of its year and the year before.
    pub assessment: YearAssessment,
    /// 不计入: other sources' figures of the year that differ from the record (the import's figures a
    /// 入户核查 replaced, an import row over a verified record …), latest first. Identical figures are
    /// not listed.
    pub not_counted: Vec<NotCounted>,
}

/// Another source's figures of a year that do not count (不计入), with the reason.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NotCounted {
    /// The figures (amounts in 分).
    pub record: IncomeRecord,
    /// 数据来源.
    pub source: IncomeSource,
    /// 数据日期.
    pub as_of: NaiveDate,
    /// 家庭纯收入 of these figures.
    pub net_income: Fen,
    /// 人均纯收入 of these figures.
    pub per_capita: Fen,
    /// Why they do not count: 以最近一次核实记录为准.
    pub reason_zh: String,
    /// The same in English.
    pub reason_en: String,
}

impl NotCounted {
    fn of(o: &OtherSource) -> NotCounted {
        NotCounted {
            record: o.record,
            source: o.source,
            as_of: o.as_of,
            net_income: o.record.net_income(),
            per_capita: o.record.per_capita(),
            reason_zh: income::NOT_COUNTED_REASON.0.to_owned(),
            reason_en: income::NOT_COUNTED_REASON.1.to_owned(),
        }
    }
}

/// The figures of `others` of `counting`'s year that differ from it, latest first.
fn not_counted(counting: &IncomeEntry, others: &[OtherSource]) -> Vec<NotCounted> {
    let mut out: Vec<&OtherSource> = others
        .iter()
        .filter(|o| {
            o.record.year == counting.record.year
                && o.source != counting.source
                && o.record != counting.record
        })
        .collect();
    out.sort_by(|a, b| b.as_of.cmp(&a.as_of).then(b.updated_at.cmp(&a.updated_at)));
    out.into_iter().map(NotCounted::of).collect()
}

/// A household's income records ([`show`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IncomeSheet {
    /// 户编号.
    pub household: String,
    /// 村 code.
    pub village: String,
    /// Oldest first.
    pub years: Vec<IncomeYear>,
    /// 临近监测线 percentage of the county.
    pub near_line_pct: u32,
    /// 明显下降 percentage of the county.
    pub drop_pct: u32,
}

impl IncomeSheet {
    /// The year's entry, if recorded.
    pub fn year(&self, year: i32) -> Option<&IncomeYear> {
        self.years.iter().find(|y| y.record.year == year)
    }
}

/// What [`set`] did.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Saved {
    /// The record's new version.
    pub version: i64,
    /// The written year's assessment.
    pub assessment: YearAssessment,
    /// Where the income rule's finding went (`None`: no finding, or already filed for that year).
    pub filed: Option<Filed>,
}

/// The monitoring line of the current year is not set yet for the caller's province: the work goes on
/// with the line of `in_force_year` (none: no line at all).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct MissingLine {
    /// The year without a line.
    pub year: i32,
    /// The year whose line is used meanwhile.
    pub in_force_year: Option<i32>,
}

impl MissingLine {
    /// `未设置2026年监测线，请在县级规则中设置（目前按2025年监测线）` and its English.
    pub fn message(&self) -> (String, String) {
        let y = self.year;
        match self.in_force_year {
            Some(p) => (
                format!("未设置{y}年监测线，请在县级规则中设置（目前按{p}年监测线）"),
                format!(
                    "No monitoring line set for {y}: set it in the county rules (the {p} line is used meanwhile)"
                ),
            ),
            None => (
                format!("未设置{y}年监测线，请在县级规则中设置"),
                format!("No monitoring line set for {y}: set it in the county rules"),
            ),
        }
    }
}

/// Whether the line of `on`'s year is missing for the caller's province (`None` when set, or for a
/// caller wider than one province).
pub async fn missing_line(
    db: &Db,
    caller: &Caller,
    on: NaiveDate,
) -> Result<Option<MissingLine>, Error> {
    use chrono::Datelike;
    let area = caller.scope.area_prefix().trim();
    if area.len() < 2 {
        return Ok(None);
    }
    let lines = repo::lines::table(db).await?;
    let year = on.year();
    if lines.line_for(area, year).is_some() {
        return Ok(None);
    }
    Ok(Some(MissingLine {
        year,
        in_force_year: lines.in_force(area, year).map(|l| l.year),
    }))
}

fn assessments(
    entries: &[IncomeEntry],
    lines: &LineTable,
    village: &str,
    t: Thresholds,
) -> Vec<YearAssessment> {
    let records: Vec<IncomeRecord> = entries.iter().map(|e| e.record).collect();
    income::assess_all(&records, |y| lines.line_for(village, y), t)
}

async fn thresholds(db: &Db, village: &str) -> Result<Thresholds, Error> {
    let county = village.get(..6).unwrap_or(village);
    Ok(repo::rules::get(db, county)
        .await?
        .rules
        .screening
        .income_thresholds())
}

/// The household's income records with their assessment (`NotFound` outside the caller's area).
pub async fn show(db: &Db, caller: &Caller, number: &str) -> Result<IncomeSheet, Error> {
    let detail = repo::households::get(db, &caller.scope, number.trim())
        .await?
        .ok_or_else(Error::not_found)?;
    sheet_of(db, &detail).await
}

/// [`show`] of a household already read within the caller's area (the household page reads it once for
/// its members and its incomes).
pub async fn sheet_of(db: &Db, detail: &HouseholdDetail) -> Result<IncomeSheet, Error> {
    let village = detail.household.village.as_str().to_owned();
    let lines = repo::lines::table(db).await?;
    let t = thresholds(db, &village).await?;
    let assessed = assessments(&detail.incomes, &lines, &village, t);
    let others = repo::income::others::of_household(db, detail).await?;
    let years = detail
        .incomes
        .iter()
        .zip(assessed)
        .map(|(e, assessment)| IncomeYear {
            record: e.record,
            source: e.source,
            as_of: e.as_of,
            version: e.version,
            updated_at: e.updated_at,
            assessment,
            not_counted: not_counted(e, &others),
        })
        .collect();
    Ok(IncomeSheet {
        household: detail.household.number.clone(),
        village,
        years,
        near_line_pct: t.near_line_pct,
        drop_pct: t.drop_pct,
    })
}

/// `record` assessed as if saved (against the household's stored year before and the line of its year),
/// without writing: the page's 测算 button. Refuses what [`set`] would refuse for the record itself.
pub async fn preview(
    db: &Db,
    caller: &Caller,
    number: &str,
    record: &IncomeRecord,
) -> Result<YearAssessment, Error> {
    check(record)?;
    let sheet = show(db, caller, number).await?;
    let lines = repo::lines::table(db).await?;
    let previous = sheet.year(record.year - 1).map(|y| y.record);
    let t = Thresholds {
        near_line_pct: sheet.near_line_pct,
        drop_pct: sheet.drop_pct,
    };
    Ok(income::assess(
        record,
        previous.as_ref(),
        lines.line_for(&sheet.village, record.year),
        t,
    ))
}

/// The record's own checks, before any storage: 家庭人口 at least 1; no negative income kind, cost,
/// rigid expenditure or payout (a loss goes into 生产经营性支出).
pub fn check(record: &IncomeRecord) -> Result<(), Error> {
    if record.members == 0 {
        return Err(Error::invalid(
            "家庭人口应至少为 1 人",
            "The household size must be at least 1",
        ));
    }
    if let Some((_, zh, en)) = record.amounts().into_iter().find(|(f, _, _)| f.0 < 0) {
        return Err(Error::invalid(
            format!("{zh}不能为负数"),
            format!("The {en} cannot be negative"),
        ));
    }
    Ok(())
}

/// Saves the household's record of `record.year` from `source` (see the module doc): `expected_version`
/// `None` creates, `Some(v)` replaces version `v`. Then the income rule runs on the written year and the
/// year after it, in the same transaction, dated today. Errors: `NotFound` (not in the caller's area),
/// `Forbidden` (a role that may not write), `Invalid` (the record), `StaleVersion`, `Conflict` (an import
/// over a verified record).
pub async fn set(
    db: &Db,
    caller: &Caller,
    number: &str,
    record: &IncomeRecord,
    source: IncomeSource,
    expected_version: Option<i64>,
) -> Result<Saved, Error> {
    set_on_day(
        db,
        caller,
        number,
        record,
        source,
        expected_version,
        today(),
    )
    .await
}

/// [`set`] dated `on` (a visit's day).
pub async fn set_on_day(
    db: &Db,
    caller: &Caller,
    number: &str,
    record: &IncomeRecord,
    source: IncomeSource,
    expected_version: Option<i64>,
    on: NaiveDate,
) -> Result<Saved, Error> {
    check(record)?;
    let number = number.trim();
    let lines = repo::lines::table(db).await?;
    let tx = db.begin_write().await?;
    let actor = caller.actor();
    let version = repo::income::upsert_on(
        &tx,
        &actor,
        &caller.scope,
        number,
        record,
        source,
        expected_version,
    )
    .await?;
    let (entries, village) = repo::income::rows_on(&tx, &caller.scope, number).await?;
    let rules = repo::rules::get_on(&tx, village.get(..6).unwrap_or(&village)).await?;
    let t = rules.rules.screening.income_thresholds();
    let assessed = assessments(&entries, &lines, &village, t);
    let mut filed = None;
    for (e, a) in entries.iter().zip(&assessed) {
        if (a.year == record.year || a.year == record.year + 1) && a.is_risk() {
            let f = file_finding(&tx, caller, number, &e.record, a, rules.rules.clue, on).await?;
            if a.year == record.year {
                filed = f;
            }
        }
    }
    tx.commit().await.map_err(StoreError::from)?;
    let assessment = assessed
        .into_iter()
        .find(|a| a.year == record.year)
        .ok_or_else(|| Error::internal("the written income record is missing"))?;
    Ok(Saved {
        version,
        assessment,
        filed,
    })
}

/// A visit's estimated income (`Command::visit_income`: the 入户核查 of identification or exit, source
/// 入户核查; the monthly follow-up, source 月度走访) as the household's record of its year, on the visit's
/// write transaction `tx` — the one write of a visit's income. It counts when it is the latest verified
/// record (`IncomeSource::counts_over`): it replaces what the year held, whose figures are kept as their
/// source's, not counted; a verified record of a later date stays the record, and the visit's figures are
/// kept as not counted instead (`repo::income::record_visit_on`). The income rule does not run: the visit
/// is itself the check.
pub(crate) async fn record_visit_on(
    tx: &sea_orm::DatabaseTransaction,
    caller: &Caller,
    number: &str,
    visit: &VisitIncome,
) -> shouwang_store::Result<VisitRecord> {
    check(&visit.record).map_err(|e| StoreError::invalid(e.zh, e.en))?;
    repo::income::record_visit_on(
        tx,
        &caller.actor(),
        &caller.scope,
        number,
        &visit.record,
        visit.source,
        visit.on,
    )
    .await
}

/// Files the income rule's finding for one year as a report of source 收支测算比对, unless the
/// household's cases already hold one for that year.
async fn file_finding(
    tx: &sea_orm::DatabaseTransaction,
    caller: &Caller,
    number: &str,
    record: &IncomeRecord,
    a: &YearAssessment,
    rules: shouwang_core::monitoring::ClueRules,
    on: NaiveDate,
) -> Result<Option<Filed>, Error> {
    let year = a.year;
    let report = Report {
        household: number.to_owned(),
        source: Source::IncomeReview { year },
        risks: a.risks(record),
        reporter: caller.name.clone(),
        reported_on: on,
    };
    let same_year = |s: &Source| matches!(s, Source::IncomeReview { year: y } if *y == year);
    match file_report_on(tx, caller, report, rules, on, None, same_year).await {
        Ok(Filing::Filed { filed, .. }) => Ok(Some(filed)),
        Ok(Filing::AlreadyPresent | Filing::OutOfArea) => Ok(None),
        Err(StoreError::Forbidden) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// What [`review`] found and filed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReviewSummary {
    /// The year reviewed.
    pub year: i32,
    /// Households with a record of that year.
    pub households: u64,
    /// Of them, with a finding (明显下降, or below the line after rigid expenditure).
    pub findings: u64,
    /// Findings with 人均纯收入明显下降 against the year before.
    pub clear_drop: u64,
    /// Findings with the income after rigid expenditure below the line (a household may be both).
    pub below_line: u64,
    /// Findings that opened a case.
    pub new_cases: u64,
    /// Findings added as a new clue to an open case.
    pub new_clues: u64,
    /// Findings merged into an open clue of the same cause.
    pub merged: u64,
    /// Findings already filed for that year earlier (nothing written).
    pub already_present: u64,
}

/// 收支测算比对 of a whole area: every household of the caller's area (`region`: a township or village
/// inside it) with a record of `year` is assessed against the line of that year and its record of the
/// year before; each finding files or joins a clue, once per household and year, in one write
/// transaction dated `on` — what an import of a year's incomes is followed by, and what
/// `shouwang income review` runs.
pub async fn review(
    db: &Db,
    caller: &Caller,
    region: Option<&str>,
    year: i32,
    on: NaiveDate,
) -> Result<ReviewSummary, Error> {
    let source = Source::IncomeReview { year };
    if !source.roles().contains(&caller.scope.role) {
        return Err(Error::forbidden());
    }
    let county = caller.county()?;
    let lines = repo::lines::table(db).await?;
    let all = repo::income::of_area(db, &caller.scope, region, year - 1, year).await?;
    let tx = db.begin_write().await?;
    let rules = repo::rules::get_on(&tx, &county).await?.rules;
    let t = rules.screening.income_thresholds();
    let mut s = ReviewSummary {
        year,
        ..ReviewSummary::default()
    };
    for h in &all {
        let Some(record) = h.records.iter().find(|r| r.year == year) else {
            continue;
        };
        s.households += 1;
        let previous = h.records.iter().find(|r| r.year == year - 1);
        let a = income::assess(record, previous, lines.line_for(&h.village, year), t);
        if !a.is_risk() {
            continue;
        }
        s.findings += 1;
        s.clear_drop += u64::from(a.clear_drop);
        s.below_line += u64::from(a.below_after_rigid);
        match file_finding(&tx, caller, &h.household, record, &a, rules.clue, on).await? {
            Some(Filed::NewCase) => s.new_cases += 1,
            Some(Filed::NewClue) => s.new_clues += 1,
            Some(Filed::Merged) => s.merged += 1,
            None => s.already_present += 1,
        }
    }
    tx.commit().await.map_err(StoreError::from)?;
    Ok(s)
}
