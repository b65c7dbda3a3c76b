//! From flagged households to department findings 部门筛查发现: every risk code of the spec comes from
//! one input file, so a flagged household gives one finding per department whose file flagged it, with
//! the code mapped to the national risk-type list (风险类型, docs/domain.md). The database mode of
//! `shouwang screen` and the web upload turn each finding into a report of channel 部门筛查.
//!
//! | code | file | department | 风险类型 |
//! | --- | --- | --- | --- |
//! | ILLNESS | medical | 县医疗保障局 | 01 因病 |
//! | SCHOOL | education | 县教育科技局 | 09 因学 |
//! | DISABILITY | disability | 县残疾人联合会 | 03 因残 |
//! | HOUSING | housing | 县住房和城乡建设局 | 住房安全 |
//! | DISASTER | disaster | 县应急管理局 | 02 因自然灾害 |
//! | LOW_INCOME | the registry's income | 县乡村振兴局 | 99 其他 (income below the line has no cause of its own in the list) |
//!
//! NEAR_LINE is no risk type: it only marks a household whose other codes weigh more because its income
//! is near the line, and adds no finding of its own.

use shouwang_core::codes::RiskType;

use crate::{Codes, FileKind, Outcome};

/// One department's finding on one flagged household.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hit {
    /// 户编号.
    pub household: String,
    /// The file that flagged it (`None`: the registry's income, for LOW_INCOME).
    pub kind: Option<FileKind>,
    /// 部门.
    pub department: &'static str,
    /// 数据文件: the name of the file read (or the income source given to [`hits`]).
    pub file: String,
    /// 风险类型 (one).
    pub risks: Vec<RiskType>,
}

/// The department that sends a file kind (the registry files: 县乡村振兴局).
pub fn department_of(kind: FileKind) -> &'static str {
    match kind {
        FileKind::Medical => "县医疗保障局",
        FileKind::Education => "县教育科技局",
        FileKind::Disability => "县残疾人联合会",
        FileKind::Housing => "县住房和城乡建设局",
        FileKind::Disaster => "县应急管理局",
        FileKind::Households | FileKind::Members => "县乡村振兴局",
    }
}

/// The file and national risk type of a code (`None` for NEAR_LINE).
pub fn source_of(code: u8) -> Option<(Option<FileKind>, RiskType)> {
    Some(match code {
        Codes::ILLNESS => (Some(FileKind::Medical), RiskType::Illness),
        Codes::SCHOOL => (Some(FileKind::Education), RiskType::Schooling),
        Codes::DISABILITY => (Some(FileKind::Disability), RiskType::Disability),
        Codes::HOUSING => (Some(FileKind::Housing), RiskType::Housing),
        Codes::DISASTER => (Some(FileKind::Disaster), RiskType::Disaster),
        Codes::LOW_INCOME => (None, RiskType::Other),
        _ => return None,
    })
}

/// The findings of a screening, by household (as flagged, sorted by 户编号) and code order;
/// `income_file` names the source of the income behind LOW_INCOME (e.g. `households.csv`, or the
/// database's income records).
pub fn hits(outcome: &Outcome, income_file: &str) -> Vec<Hit> {
    let file_of = |kind: FileKind| -> String {
        outcome
            .files
            .iter()
            .find(|f| f.kind == kind)
            .and_then(|f| f.path.file_name())
            .map_or_else(
                || kind.csv_name().to_owned(),
                |n| n.to_string_lossy().into_owned(),
            )
    };
    let mut out = Vec::new();
    for row in &outcome.flagged {
        for (code, _) in Codes::NAMES {
            if !row.codes.has(code) {
                continue;
            }
            let Some((kind, risk)) = source_of(code) else {
                continue;
            };
            let (department, file) = match kind {
                Some(k) => (department_of(k), file_of(k)),
                None => (department_of(FileKind::Households), income_file.to_owned()),
            };
            out.push(Hit {
                household: row.household.clone(),
                kind,
                department,
                file,
                risks: vec![risk],
            });
        }
    }
    out
}
