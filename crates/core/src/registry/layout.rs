//! Sheets of a registry file: recognising a sheet from its header row ([`SheetLayout::detect`]),
//! where each column is, and whether the sheets of a file make a registry ([`check_layouts`]).

use std::sync::Arc;

use super::columns::{COLUMNS, Col, ColumnSpec, Kind, Level, N_COLS, normalise_header};
use super::income_sheet::{INCOME_COLUMNS, IncomeCol, N_INCOME_COLS};
use super::problem::{Problem, reason};

/// What the rows of a sheet are.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum SheetKind {
    /// 户信息: one row per household.
    Households,
    /// 家庭成员: one row per member, with 户编号.
    Members,
    /// One sheet: a row per member with the household columns.
    Combined,
    /// 收支情况: one row per household and year with its incomes and expenditure (see
    /// [`super::income_sheet`]).
    Income,
}

/// A recognised sheet: its kind and where each column is.
#[derive(Clone, Debug)]
pub struct SheetLayout {
    /// Sheet name (the file name for a CSV file).
    pub name: Arc<str>,
    /// What its rows are.
    pub kind: SheetKind,
    /// 1-based row number of the header row.
    pub header_row: u32,
    pos: [Option<usize>; N_COLS],
    /// Where the 收支情况 columns are (filled for every sheet; read in a [`SheetKind::Income`] sheet).
    income_pos: [Option<usize>; N_INCOME_COLS],
    headers: Vec<String>,
}

/// "Column X appears twice".
fn twice(name: &str, header_row: u32, raw: &str, header: &str, first: usize, i: usize) -> Problem {
    Problem::new(
        name,
        header_row,
        raw,
        raw,
        reason(
            format!(
                "“{header}”列出现了两次（第 {} 列与第 {} 列），请删除其中一列",
                first + 1,
                i + 1
            ),
            format!(
                "column {header} appears twice (columns {} and {})",
                first + 1,
                i + 1
            ),
        ),
    )
}

impl SheetLayout {
    /// Number of registry or 收支情况 columns a header row names (to find the header row below title
    /// rows).
    pub fn recognised(raw_headers: &[String]) -> usize {
        raw_headers
            .iter()
            .filter(|h| {
                let n = normalise_header(h);
                Col::from_header(&n).is_some() || IncomeCol::from_header(&n).is_some()
            })
            .count()
    }

    /// Recognises a sheet from its header row. `Ok(None)`: not a registry sheet (e.g. 填表说明).
    /// `Err`: a registry sheet that cannot be read (a required column missing, a column twice).
    ///
    /// A header naming 年度 and one of the amounts (工资性收入 …) is a 收支情况 sheet: its other columns
    /// (县, 行政村, 户主姓名, 家庭纯收入 …) are not read.
    pub fn detect(
        name: &str,
        header_row: u32,
        raw_headers: &[String],
    ) -> Result<Option<SheetLayout>, Vec<Problem>> {
        let mut pos = [None; N_COLS];
        let mut income_pos = [None; N_INCOME_COLS];
        let mut problems = Vec::new();
        let mut income_problems = Vec::new();
        for (i, raw) in raw_headers.iter().enumerate() {
            let normalised = normalise_header(raw);
            if let Some(col) = IncomeCol::from_header(&normalised) {
                match income_pos[col.index()] {
                    None => income_pos[col.index()] = Some(i),
                    Some(first) => {
                        income_problems.push(twice(name, header_row, raw, col.header(), first, i))
                    }
                }
            }
            let Some(col) = Col::from_header(&normalised) else {
                continue;
            };
            match pos[col.index()] {
                None => pos[col.index()] = Some(i),
                Some(first) => problems.push(twice(name, header_row, raw, col.header(), first, i)),
            }
        }
        let has = |c: Col| pos[c.index()].is_some();
        let has_income = |c: IncomeCol| income_pos[c.index()].is_some();
        let income_sheet = has_income(IncomeCol::Year)
            && INCOME_COLUMNS
                .iter()
                .any(|c| c.kind == Kind::Amount && has_income(c.col));
        if income_sheet {
            let missing: Vec<&str> = INCOME_COLUMNS
                .iter()
                .filter(|c| c.required && !has_income(c.col))
                .map(|c| c.header)
                .collect();
            if !missing.is_empty() {
                income_problems.push(missing_columns(name, header_row, &missing));
            }
            if !income_problems.is_empty() {
                return Err(income_problems);
            }
            return Ok(Some(SheetLayout {
                name: Arc::from(name),
                kind: SheetKind::Income,
                header_row,
                pos,
                income_pos,
                headers: raw_headers.to_vec(),
            }));
        }
        let kind = if has(Col::IdNumber) || has(Col::Name) {
            if has(Col::VillageCode) || has(Col::HouseholdType) {
                SheetKind::Combined
            } else {
                SheetKind::Members
            }
        } else if has(Col::Number) && (has(Col::VillageCode) || has(Col::HouseholdType)) {
            SheetKind::Households
        } else {
            return Ok(None);
        };
        let needed = |c: &&ColumnSpec| match kind {
            SheetKind::Combined => true,
            SheetKind::Households => c.level == Level::Household,
            SheetKind::Members => c.level == Level::Member || c.col == Col::Number,
            SheetKind::Income => false,
        };
        let missing: Vec<&str> = COLUMNS
            .iter()
            .filter(|c| c.required)
            .filter(needed)
            .filter(|c| !has(c.col))
            .map(|c| c.header)
            .collect();
        if !missing.is_empty() {
            problems.push(missing_columns(name, header_row, &missing));
        }
        if !problems.is_empty() {
            return Err(problems);
        }
        Ok(Some(SheetLayout {
            name: Arc::from(name),
            kind,
            header_row,
            pos,
            income_pos,
            headers: raw_headers.to_vec(),
        }))
    }

    /// The 0-based position of a 收支情况 column in a row.
    pub fn income_position(&self, col: IncomeCol) -> Option<usize> {
        self.income_pos[col.index()]
    }

    /// What the column at a 0-based position holds, in this sheet's kind (`None`: a column not read).
    pub fn kind_at(&self, position: usize) -> Option<Kind> {
        if self.kind == SheetKind::Income {
            INCOME_COLUMNS
                .iter()
                .find(|c| self.income_pos[c.col.index()] == Some(position))
                .map(|c| c.kind)
        } else {
            self.column_at(position).map(|c| c.spec().kind)
        }
    }

    /// The header of a 收支情况 column as written in the file (else the canonical header).
    pub fn income_header_of(&self, col: IncomeCol) -> &str {
        self.income_position(col)
            .and_then(|p| self.headers.get(p))
            .map_or(col.header(), |s| s.trim())
    }

    /// The header cell at a 0-based position, as written (trimmed).
    pub fn header_at(&self, position: usize) -> Option<&str> {
        self.headers.get(position).map(|s| s.trim())
    }

    pub(super) fn income_cell<'a>(&self, cells: &'a [String], col: IncomeCol) -> &'a str {
        self.income_position(col)
            .and_then(|p| cells.get(p))
            .map_or("", |s| s.trim())
    }

    /// The 0-based position of a column in a row.
    pub fn position(&self, col: Col) -> Option<usize> {
        self.pos[col.index()]
    }

    /// Number of header cells (the width of the sheet as far as the header goes).
    pub fn width(&self) -> usize {
        self.headers.len()
    }

    /// The column at a 0-based position.
    pub fn column_at(&self, position: usize) -> Option<Col> {
        COLUMNS
            .iter()
            .map(|s| s.col)
            .find(|c| self.pos[c.index()] == Some(position))
    }

    /// The header of a column as written in the file (else the canonical header).
    pub fn header_of(&self, col: Col) -> &str {
        self.position(col)
            .and_then(|p| self.headers.get(p))
            .map_or(col.header(), |s| s.trim())
    }

    pub(super) fn cell<'a>(&self, cells: &'a [String], col: Col) -> &'a str {
        self.position(col)
            .and_then(|p| cells.get(p))
            .map_or("", |s| s.trim())
    }
}

/// "Required columns missing".
fn missing_columns(name: &str, header_row: u32, missing: &[&str]) -> Problem {
    Problem::new(
        name,
        header_row,
        "",
        "",
        reason(
            format!(
                "缺少必填列：{}（表头在第 {header_row} 行；列名及别名见导入模板）",
                missing.join("、")
            ),
            format!(
                "required column(s) missing: {} (header in row {header_row}; see the import template for names and aliases)",
                missing.join(", ")
            ),
        ),
    )
}

/// Checks that the recognised sheets of a file make a registry: one or more combined sheets, or
/// household sheets together with member sheets, but not both layouts; 收支情况 sheets besides, or alone
/// (the incomes of households already in the system).
pub fn check_layouts(file: &str, kinds: &[SheetKind]) -> Result<(), Vec<Problem>> {
    let n = |k: SheetKind| kinds.iter().filter(|x| **x == k).count();
    let (c, h, m) = (
        n(SheetKind::Combined),
        n(SheetKind::Households),
        n(SheetKind::Members),
    );
    let fail = |zh: &str, en: &str| Err(vec![Problem::new(file, 0, "", "", reason(zh, en))]);
    if c + h + m == 0 && n(SheetKind::Income) > 0 {
        return Ok(());
    }
    if c + h + m == 0 {
        return fail(
            "文件中没有可识别的农户台账表（表头应含户编号、身份证号、姓名、村代码等列，见导入模板）",
            "no registry sheet found (the header must name columns such as 户编号, 身份证号, 姓名, 村代码; see the import template)",
        );
    }
    if c > 0 && h + m > 0 {
        return fail(
            "文件中既有“每人一行、含户信息”的表，又有单独的户信息表或成员表，无法确定以哪张为准；请只保留一种格式",
            "the file mixes a one-sheet registry with separate household or member sheets; keep one layout",
        );
    }
    if h > 0 && m == 0 {
        return fail(
            "只有户信息表，缺少家庭成员表（含姓名、身份证号、与户主关系的表）",
            "a household sheet without a member sheet",
        );
    }
    if m > 0 && h == 0 {
        return fail(
            "只有家庭成员表，缺少户信息表；或在成员表中加上村代码、户类型等户信息列",
            "a member sheet without a household sheet (or add the household columns to it)",
        );
    }
    Ok(())
}

/// Spreadsheet column letters of a 0-based index (`0` → `A`, `26` → `AA`).
pub fn column_letter(i: usize) -> String {
    let mut n = i + 1;
    let mut s = Vec::new();
    while n > 0 {
        let r = (n - 1) % 26;
        s.push(b'A' + r as u8);
        n = (n - 1) / 26;
    }
    s.reverse();
    String::from_utf8(s).unwrap_or_default()
}
