//! Sheets of a registry file: recognising a sheet from its header row ([`SheetLayout::detect`]),
//! where each column is, and whether the sheets of a file make a registry ([`check_layouts`]).

use std::sync::Arc;

use super::columns::{COLUMNS, Col, ColumnSpec, Level, N_COLS, normalise_header};
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
    headers: Vec<String>,
}

impl SheetLayout {
    /// Number of registry columns a header row names (to find the header row below title rows).
    pub fn recognised(raw_headers: &[String]) -> usize {
        raw_headers
            .iter()
            .filter(|h| Col::from_header(&normalise_header(h)).is_some())
            .count()
    }

    /// Recognises a sheet from its header row. `Ok(None)`: not a registry sheet (e.g. 填表说明).
    /// `Err`: a registry sheet that cannot be read (a required column missing, a column twice).
    pub fn detect(
        name: &str,
        header_row: u32,
        raw_headers: &[String],
    ) -> Result<Option<SheetLayout>, Vec<Problem>> {
        let mut pos = [None; N_COLS];
        let mut problems = Vec::new();
        for (i, raw) in raw_headers.iter().enumerate() {
            let Some(col) = Col::from_header(&normalise_header(raw)) else {
                continue;
            };
            match pos[col.index()] {
                None => pos[col.index()] = Some(i),
                Some(first) => problems.push(Problem::new(
                    name,
                    header_row,
                    raw,
                    raw,
                    reason(
                        format!(
                            "“{}”列出现了两次（第 {} 列与第 {} 列），请删除其中一列",
                            col.header(),
                            first + 1,
                            i + 1
                        ),
                        format!(
                            "column {} appears twice (columns {} and {})",
                            col.header(),
                            first + 1,
                            i + 1
                        ),
                    ),
                )),
            }
        }
        let has = |c: Col| pos[c.index()].is_some();
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
        };
        let missing: Vec<&str> = COLUMNS
            .iter()
            .filter(|c| c.required)
            .filter(needed)
            .filter(|c| !has(c.col))
            .map(|c| c.header)
            .collect();
        if !missing.is_empty() {
            problems.push(Problem::new(
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
            ));
        }
        if !problems.is_empty() {
            return Err(problems);
        }
        Ok(Some(SheetLayout {
            name: Arc::from(name),
            kind,
            header_row,
            pos,
            headers: raw_headers.to_vec(),
        }))
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

/// Checks that the recognised sheets of a file make a registry: one or more combined sheets, or
/// household sheets together with member sheets, but not both layouts.
pub fn check_layouts(file: &str, kinds: &[SheetKind]) -> Result<(), Vec<Problem>> {
    let n = |k: SheetKind| kinds.iter().filter(|x| **x == k).count();
    let (c, h, m) = (
        n(SheetKind::Combined),
        n(SheetKind::Households),
        n(SheetKind::Members),
    );
    let fail = |zh: &str, en: &str| Err(vec![Problem::new(file, 0, "", "", reason(zh, en))]);
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
