//! 数据质量: the data-quality checks (docs/domain.md "Data-quality checks"; the rules are
//! `shouwang_core::quality`) over an area, written as the 数据质量问题清单 workbook — one code path for
//! `shouwang export quality` and the page's download `/quality/export.xlsx`.

use chrono::NaiveDate;
use shouwang_core::Scope;
use shouwang_io::quality_xlsx::{QualityRow, QualityWriter};
use shouwang_store::Db;
use shouwang_store::repo::Actor;
use shouwang_store::repo::duplicates::{self, CandidateRow};
use shouwang_store::repo::quality::{self, HouseholdFindings, QualitySummary};

use crate::error::Error;
use crate::privacy::{self, full_ids, read_area};

/// The findings of the checks on `as_of` over `area` (inside `scope`'s area; `None`: the operator's CLI),
/// of check `code` only if given — for the page, the API and `shouwang quality`. When the reader sees full
/// ID numbers and a finding names a member, the read is written to the audit log (`read_full_id`).
pub async fn findings(
    db: &Db,
    actor: &Actor,
    scope: Option<&Scope>,
    area: Option<&str>,
    as_of: NaiveDate,
    code: Option<&str>,
) -> Result<(QualitySummary, Vec<HouseholdFindings>), Error> {
    let (summary, households) = quality::collect(db, scope, area, as_of, code).await?;
    let names_members = households
        .iter()
        .any(|h| h.findings.iter().any(|f| f.finding.member.is_some()));
    if full_ids(scope) && names_members {
        privacy::full_read(db, actor, "quality", read_area(scope, area), None).await?;
    }
    Ok((summary, households))
}

/// The duplicate candidates of `area` (inside `scope`'s area) — for the page, the API and `shouwang
/// quality duplicates`; a reader who sees full ID numbers has the read written to the audit log.
pub async fn duplicate_candidates(
    db: &Db,
    actor: &Actor,
    scope: Option<&Scope>,
    area: Option<&str>,
) -> Result<Vec<CandidateRow>, Error> {
    let rows = duplicates::list(db, scope, area).await?;
    if full_ids(scope) && rows.iter().any(|r| !r.candidate.members.is_empty()) {
        privacy::full_read(db, actor, "duplicates", read_area(scope, area), None).await?;
    }
    Ok(rows)
}

/// Whether `role` sees the data-quality findings and duplicates: county and township admins and the
/// village team.
pub fn may_see(role: shouwang_core::Role) -> bool {
    use shouwang_core::Role;
    matches!(
        role,
        Role::CountyAdmin | Role::TownshipAdmin | Role::VillageTeam
    )
}

/// The problem list as an XLSX workbook.
pub struct QualityExport {
    /// The workbook.
    pub bytes: Vec<u8>,
    /// Findings written (rows).
    pub rows: u32,
    /// Households checked and with findings.
    pub summary: QualitySummary,
}

/// Runs the checks on `as_of` over `area` (inside `scope`'s area; `None`: the whole database, the
/// operator's CLI) and writes every finding — of check `code` only, if given — as the 数据质量问题清单.
/// Members' ID numbers are shown in full only to a scope that may see them; the export is written to the
/// audit log (`export_quality`, with the rows and whether the numbers were full).
pub async fn export(
    db: &Db,
    actor: &Actor,
    scope: Option<&Scope>,
    area: Option<&str>,
    code: Option<&str>,
    as_of: NaiveDate,
) -> Result<QualityExport, Error> {
    let mut writer = QualityWriter::new().map_err(|e| Error::internal(e.message_zh()))?;
    let mut failed: Option<String> = None;
    let summary = quality::run(db, scope, area, as_of, &mut |h| {
        for f in &h.findings {
            if code.is_some_and(|c| f.finding.code != c) {
                continue;
            }
            let row = QualityRow {
                township: &h.township_name,
                village: &h.village_name,
                village_code: &h.village_code,
                number: &h.number,
                head_name: &h.head_name,
                finding: &f.finding,
                member_name: f.member_name.as_deref(),
                member_id: f
                    .finding
                    .member
                    .map(|id| scope.map_or(id.to_string(), |s| s.show_id(id))),
            };
            if failed.is_none()
                && let Err(e) = writer.add(&row)
            {
                failed = Some(e.message_zh());
            }
        }
        Ok(())
    })
    .await?;
    if let Some(e) = failed {
        return Err(Error::internal(e));
    }
    let rows = writer.rows();
    let bytes = writer
        .finish()
        .map_err(|e| Error::internal(e.message_zh()))?;
    privacy::export(
        db,
        actor,
        "quality",
        read_area(scope, area),
        u64::from(rows),
        full_ids(scope),
    )
    .await?;
    Ok(QualityExport {
        bytes,
        rows,
        summary,
    })
}
