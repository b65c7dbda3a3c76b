//! The registry's 收支情况 sheet (家庭收支): one row per household and year with the household's incomes,
//! production cost, rigid expenditure, insurance payouts and the people counted, read into an
//! [`IncomeRecord`]. The columns ([`INCOME_COLUMNS`]) take their headers and aliases from the one alias
//! table [`crate::headers`] (户编号 and 家庭人口 are the registry's own entries), the cells their rules from
//! [`super::amounts`].
//!
//! Unlike a household, an income row stands alone: a row with a problem is rejected by itself and the
//! household's other rows are kept. A household's income of a year given twice in the file is ambiguous:
//! every row of it is rejected. The rows of a household the file rejects are rejected with it (see
//! [`super::Assembler::finish`]); whether the household exists, where the file does not have it, is the
//! database's to say.

use super::amounts;
use super::columns::Kind;
use super::entry::RowRef;
use super::layout::SheetLayout;
use super::problem::Problem;
use super::values::{Reason, normalised_number};
use crate::headers::{self, HeaderAliases, find_header};
use crate::income::IncomeRecord;
use crate::money::Fen;

/// A column of the 收支情况 sheet (收支列).
#[derive(Clone, Copy, PartialEq, Eq, Debug, Hash, PartialOrd, Ord)]
#[allow(missing_docs)]
pub enum IncomeCol {
    Number,
    Year,
    Wage,
    Business,
    Property,
    Transfer,
    ProductionCost,
    RigidMedical,
    RigidEducation,
    RigidDisability,
    RigidDisaster,
    InsurancePayout,
    Members,
}

/// The description of a 收支情况 column.
#[derive(Clone, Copy, PartialEq, Debug)]
pub struct IncomeColumnSpec {
    /// The column.
    pub col: IncomeCol,
    /// The canonical Chinese header (written by the export and the template).
    pub header: &'static str,
    /// Other headers accepted on import (compared after `normalise_header`), from [`crate::headers`].
    pub aliases: &'static [&'static str],
    /// Must be present as a column. (An amount cell may be blank: 0.)
    pub required: bool,
    /// What it holds: [`Kind::Digits`] (户编号), [`Kind::Count`] (年度, 家庭人口) or [`Kind::Amount`].
    pub kind: Kind,
    /// Explanation in Chinese (template notes, docs).
    pub note_zh: &'static str,
    /// Explanation in English (docs).
    pub note_en: &'static str,
    /// Column width in the export (characters).
    pub width: f64,
}

const fn spec(
    col: IncomeCol,
    names: HeaderAliases,
    required: bool,
    kind: Kind,
    width: f64,
    note_zh: &'static str,
    note_en: &'static str,
) -> IncomeColumnSpec {
    IncomeColumnSpec {
        col,
        header: names.name,
        aliases: names.aliases,
        required,
        kind,
        note_zh,
        note_en,
        width,
    }
}

/// Every column of the 收支情况 sheet, in export order.
pub const INCOME_COLUMNS: &[IncomeColumnSpec] = &[
    spec(
        IncomeCol::Number,
        headers::NUMBER,
        true,
        Kind::Digits,
        20.0,
        "该户的户编号；该户须在本文件的户信息表中或已在系统中（且在您的管辖范围内）",
        "The household's number; the household must be in this file's household sheet or already in the system (and in your area)",
    ),
    spec(
        IncomeCol::Year,
        headers::YEAR,
        true,
        Kind::Count,
        8.0,
        "收支所属年度（2000 至 2100），须已设置该年的监测线；同一户同一年度只能有一行，重复导入按户编号和年度更新",
        "The year of the incomes (2000 to 2100), with a monitoring line set for it; one row per household and year, a re-import updates by 户编号 and year",
    ),
    spec(
        IncomeCol::Wage,
        headers::WAGE,
        true,
        Kind::Amount,
        12.0,
        "务工、公益岗位等工资性收入，单位元，最多两位小数；空为 0",
        "Wages (work away, public-welfare posts), yuan with at most 2 decimals; blank is 0",
    ),
    spec(
        IncomeCol::Business,
        headers::BUSINESS,
        true,
        Kind::Amount,
        14.0,
        "种植、养殖等生产经营性收入（元）；空为 0",
        "Farming and livestock income (yuan); blank is 0",
    ),
    spec(
        IncomeCol::Property,
        headers::PROPERTY,
        true,
        Kind::Amount,
        12.0,
        "资产收益分红、土地流转等财产性收入（元）；空为 0",
        "Property income: dividends, land transfer (yuan); blank is 0",
    ),
    spec(
        IncomeCol::Transfer,
        headers::TRANSFER,
        true,
        Kind::Amount,
        12.0,
        "养老金、低保金、特困供养金、各类补贴等转移性收入（元），不含理赔收入；空为 0",
        "Transfers: pensions, dibao, tekun, subsidies (yuan), without insurance payouts; blank is 0",
    ),
    spec(
        IncomeCol::ProductionCost,
        headers::PRODUCTION_COST,
        true,
        Kind::Amount,
        14.0,
        "生产经营性支出（元）；家庭纯收入 = 四项收入 − 生产经营性支出；空为 0",
        "Production cost (yuan); net income = the four incomes − production cost; blank is 0",
    ),
    spec(
        IncomeCol::RigidMedical,
        headers::RIGID_MEDICAL,
        false,
        Kind::Amount,
        14.0,
        "刚性支出：合规自付医疗费用（元）；可空，空为 0",
        "Rigid expenditure: compliant out-of-pocket medical costs (yuan); blank is 0",
    ),
    spec(
        IncomeCol::RigidEducation,
        headers::RIGID_EDUCATION,
        false,
        Kind::Amount,
        10.0,
        "刚性支出：教育（元）；可空，空为 0",
        "Rigid expenditure: education (yuan); blank is 0",
    ),
    spec(
        IncomeCol::RigidDisability,
        headers::RIGID_DISABILITY,
        false,
        Kind::Amount,
        12.0,
        "刚性支出：残疾康复（元）；可空，空为 0",
        "Rigid expenditure: disability rehabilitation (yuan); blank is 0",
    ),
    spec(
        IncomeCol::RigidDisaster,
        headers::RIGID_DISASTER,
        false,
        Kind::Amount,
        14.0,
        "刚性支出：因灾因事故（元）；可空，空为 0",
        "Rigid expenditure: disasters and accidents (yuan); blank is 0",
    ),
    spec(
        IncomeCol::InsurancePayout,
        headers::INSURANCE_PAYOUT,
        false,
        Kind::Amount,
        10.0,
        "防贫保险等理赔收入（元）；可空，空为 0",
        "Insurance payouts (yuan); blank is 0",
    ),
    spec(
        IncomeCol::Members,
        headers::SIZE,
        true,
        Kind::Count,
        8.0,
        "计算人均收入的家庭人口（1 至 100），不能为空或 0",
        "People the per-capita income counts (1 to 100); not blank, not 0",
    ),
];

/// Number of [`IncomeCol`] values.
pub const N_INCOME_COLS: usize = 13;

/// Name of the 收支情况 sheet written by the export and the template.
pub const INCOME_SHEET_NAME: &str = "收支情况";

impl IncomeCol {
    /// Index in [`INCOME_COLUMNS`] (also a dense index `0..N_INCOME_COLS`).
    pub fn index(self) -> usize {
        self as usize
    }

    /// The column's description.
    pub fn spec(self) -> &'static IncomeColumnSpec {
        // INCOME_COLUMNS is in enum order (checked by a test).
        &INCOME_COLUMNS[self.index()]
    }

    /// The canonical header.
    pub fn header(self) -> &'static str {
        self.spec().header
    }

    /// The column a normalised header names.
    pub fn from_header(normalised: &str) -> Option<IncomeCol> {
        let names = find_header(normalised)?;
        INCOME_COLUMNS
            .iter()
            .find(|s| s.header == names.name)
            .map(|s| s.col)
    }

    /// The amount this column holds in a record (`None` for 户编号, 年度, 家庭人口).
    pub fn amount(self, r: &IncomeRecord) -> Option<Fen> {
        Some(match self {
            IncomeCol::Wage => r.wage,
            IncomeCol::Business => r.business,
            IncomeCol::Property => r.property,
            IncomeCol::Transfer => r.transfer,
            IncomeCol::ProductionCost => r.production_cost,
            IncomeCol::RigidMedical => r.rigid_medical,
            IncomeCol::RigidEducation => r.rigid_education,
            IncomeCol::RigidDisability => r.rigid_disability,
            IncomeCol::RigidDisaster => r.rigid_disaster,
            IncomeCol::InsurancePayout => r.insurance_payout,
            IncomeCol::Number | IncomeCol::Year | IncomeCol::Members => return None,
        })
    }

    fn amount_mut(self, r: &mut IncomeRecord) -> Option<&mut Fen> {
        Some(match self {
            IncomeCol::Wage => &mut r.wage,
            IncomeCol::Business => &mut r.business,
            IncomeCol::Property => &mut r.property,
            IncomeCol::Transfer => &mut r.transfer,
            IncomeCol::ProductionCost => &mut r.production_cost,
            IncomeCol::RigidMedical => &mut r.rigid_medical,
            IncomeCol::RigidEducation => &mut r.rigid_education,
            IncomeCol::RigidDisability => &mut r.rigid_disability,
            IncomeCol::RigidDisaster => &mut r.rigid_disaster,
            IncomeCol::InsurancePayout => &mut r.insurance_payout,
            IncomeCol::Number | IncomeCol::Year | IncomeCol::Members => return None,
        })
    }
}

/// One household's income of one year, read from a 收支情况 row without problem.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct IncomeRow {
    /// 户编号 (normalised as a household's: no spaces, ASCII digits).
    pub number: String,
    /// The record.
    pub record: IncomeRecord,
    /// Where it came from.
    pub row: RowRef,
}

impl IncomeRow {
    /// A problem about the row (the column by its canonical header).
    pub fn problem(&self, col: IncomeCol, value: &str, reason: Reason) -> Problem {
        Problem::new(&self.row.sheet, self.row.row, col.header(), value, reason)
    }
}

/// Parses one 收支情况 row (1-based `row`): every cell's problem, or the row.
pub(super) fn parse_income_row(
    layout: &SheetLayout,
    row: u32,
    cells: &[String],
) -> Result<IncomeRow, Vec<Problem>> {
    let mut problems = Vec::new();
    let cell = |c: IncomeCol| layout.income_cell(cells, c);
    let mut bad = |c: IncomeCol, v: &str, r: Reason| {
        problems.push(Problem::new(
            &layout.name,
            row,
            layout.income_header_of(c),
            v,
            r,
        ));
    };
    let number = normalised_number(cell(IncomeCol::Number));
    if number.is_empty() {
        bad(
            IncomeCol::Number,
            "",
            Reason::new(
                "户编号为空：每一行收支情况都要填写户编号（如果户编号是合并单元格，请取消合并）",
                "household number (户编号) is blank: every income row needs one",
            ),
        );
    }
    let mut record = IncomeRecord::default();
    match amounts::year(cell(IncomeCol::Year)) {
        Ok(y) => record.year = y,
        Err(r) => bad(IncomeCol::Year, cell(IncomeCol::Year), r),
    }
    for spec in INCOME_COLUMNS {
        let Some(slot) = spec.col.amount_mut(&mut record) else {
            continue;
        };
        match amounts::amount(cell(spec.col)) {
            Ok(f) => *slot = f,
            Err(r) => bad(spec.col, cell(spec.col), r),
        }
    }
    match amounts::members(cell(IncomeCol::Members)) {
        Ok(n) => record.members = n,
        Err(r) => bad(IncomeCol::Members, cell(IncomeCol::Members), r),
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    Ok(IncomeRow {
        number: number.into_owned(),
        record,
        row: RowRef {
            sheet: layout.name.clone(),
            row,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::columns::normalise_header;

    #[test]
    fn table_is_in_enum_order_and_every_header_names_its_column() {
        assert_eq!(INCOME_COLUMNS.len(), N_INCOME_COLS);
        for (i, s) in INCOME_COLUMNS.iter().enumerate() {
            assert_eq!(s.col.index(), i, "{}", s.header);
            assert_eq!(IncomeCol::from_header(s.header), Some(s.col));
            for a in s.aliases {
                assert_eq!(
                    IncomeCol::from_header(&normalise_header(a)),
                    Some(s.col),
                    "{a}"
                );
            }
            assert_eq!(
                s.col.amount(&IncomeRecord::default()).is_some(),
                s.kind == Kind::Amount
            );
        }
        // As the national system's 收支 export names them.
        for (h, c) in [
            ("务工收入", IncomeCol::Wage),
            ("经营性收入", IncomeCol::Business),
            ("人口数", IncomeCol::Members),
            ("家庭人口数", IncomeCol::Members),
            ("工资性收入（元）", IncomeCol::Wage),
            ("合规自付医疗费用", IncomeCol::RigidMedical),
            ("年份", IncomeCol::Year),
        ] {
            assert_eq!(IncomeCol::from_header(&normalise_header(h)), Some(c), "{h}");
        }
        // Computed, not read.
        for h in ["家庭纯收入", "人均纯收入", "上年家庭纯收入"] {
            assert_eq!(IncomeCol::from_header(&normalise_header(h)), None, "{h}");
        }
    }

    #[test]
    fn documented_in_docs_registry_md() {
        let doc = include_str!("../../../../docs/registry.md");
        assert!(doc.contains(INCOME_SHEET_NAME));
        for s in INCOME_COLUMNS {
            assert!(
                doc.contains(&format!("| {} |", s.header)),
                "{} missing",
                s.header
            );
            for a in s.aliases {
                assert!(doc.contains(a), "alias {a} of {} missing", s.header);
            }
            assert!(doc.contains(s.note_zh), "note of {}", s.header);
            assert!(doc.contains(s.note_en), "English note of {}", s.header);
        }
    }
}
