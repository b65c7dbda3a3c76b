//! 筛查: the two screening channels of A1 that run as rounds (§三(一)1): the monthly department-data
//! screening ([`department`], 部门筛查预警) and the quarterly cadre screening of every household of a village
//! ([`cadre`], 干部排查). Both turn their findings into clues through [`crate::lifecycle::file_report_on`].

pub mod cadre;
pub mod department;
pub mod upload;
