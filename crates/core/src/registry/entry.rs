//! What reading a registry file gives: the accepted households ([`RegistryEntry`]) with the rows
//! they came from, the region names of the file, the counts, and the problems ([`Assembled`]).

use std::sync::Arc;

use super::columns::Col;
use super::income_sheet::IncomeRow;
use super::problem::Problem;
use super::values::Reason;
use crate::codes::RegionLevel;
use crate::household::Household;

/// Where a row came from.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct RowRef {
    /// Sheet name.
    pub sheet: Arc<str>,
    /// 1-based row number.
    pub row: u32,
}

/// Names of the regions a household row gives (empty where the file has none).
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct RegionNames {
    /// 县.
    pub county: String,
    /// 乡镇.
    pub township: String,
    /// 行政村 / 安置点.
    pub village: String,
    /// 自然村.
    pub natural_village: String,
}

impl RegionNames {
    /// The level a new village of this name gets: a name with 安置 is a relocation settlement point.
    pub fn village_level(&self) -> RegionLevel {
        if self.village.contains("安置") {
            RegionLevel::Settlement
        } else {
            RegionLevel::Village
        }
    }
}

/// A household read from a file with no problem: ready to be stored.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct RegistryEntry {
    /// The household with its members (file order). `natural_village` is the code if the file gives
    /// one; else see `names.natural_village`.
    pub household: Household,
    /// Region names from the file.
    pub names: RegionNames,
    /// The row the household columns came from.
    pub row: RowRef,
    /// The row of each member, same order as `household.members`.
    pub member_rows: Vec<RowRef>,
}

impl RegistryEntry {
    /// A problem about the household as a whole (reported at its household row).
    pub fn problem(&self, col: Col, value: &str, reason: Reason) -> Problem {
        Problem::new(&self.row.sheet, self.row.row, col.header(), value, reason)
    }

    /// A problem about member `i` (reported at its row).
    pub fn member_problem(&self, i: usize, col: Col, value: &str, reason: Reason) -> Problem {
        let r = self.member_rows.get(i).unwrap_or(&self.row);
        Problem::new(&r.sheet, r.row, col.header(), value, reason)
    }
}

/// Counts of an assembly.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReadStats {
    /// Data rows read (blank rows not counted).
    pub rows: u64,
    /// Blank rows skipped.
    pub blank_rows: u64,
    /// Households found (accepted and rejected).
    pub households: u64,
    /// Member rows found.
    pub members: u64,
    /// Households rejected.
    pub rejected_households: u64,
    /// Member rows of rejected households.
    pub rejected_members: u64,
    /// 收支情况 rows found (blank rows not counted).
    pub income_rows: u64,
    /// 收支情况 rows rejected (a problem of their own, or of their household in the file).
    pub rejected_income_rows: u64,
}

/// The result of reading a file: accepted households and income rows, problems (of rejected households
/// and rows), counts.
#[derive(Clone, Debug, Default)]
pub struct Assembled {
    /// Households without problems, in file order.
    pub entries: Vec<RegistryEntry>,
    /// 收支情况 rows without problems, in file order (their households are in `entries`, or not in the
    /// file at all).
    pub incomes: Vec<IncomeRow>,
    /// Every problem, by sheet and row.
    pub problems: Vec<Problem>,
    /// Counts.
    pub stats: ReadStats,
    /// 户编号 of households handed out early by [`Assembler::take_ready`] that later rows changed
    /// (their early version is stale; the one in `entries`, if any, is final).
    pub reopened: Vec<String>,
}
