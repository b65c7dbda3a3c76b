//! Registry files 农户信息台账: the rules of a registry workbook or CSV, without any I/O.
//!
//! The county holds its registry in sheets exported from the national monitoring system. A file has
//! either **one sheet** with a row per member and the household columns on every row (or only on the
//! first row of each household), or **two sheets**: households (户信息, one row per household) and
//! members (家庭成员, one row per member, linked by 户编号). [`columns`] lists the columns with their
//! Chinese headers and aliases.
//!
//! The reading side (`shouwang-io`) finds the header row and turns cells into text; this module
//! - recognises a sheet from its headers ([`SheetLayout::detect`], [`check_layouts`]),
//! - parses every row ([`values`]: code labels with the spellings clerks use, yes/no, lists),
//! - groups rows into households and validates each household as a whole ([`Assembler`]): exactly one
//!   户主, at most one 配偶, 家庭人口 equal to the member rows, no ID number twice (in a household or in
//!   two households of the file), members only for households of the household sheet,
//! - and reports every problem with sheet, row, column, value and reason ([`Problem`]).
//!
//! A household with any problem is rejected as a whole: importing part of a family would lose a
//! member, which is worse than importing nothing of it.

pub mod columns;
pub mod values;

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::Arc;

use crate::codes::{HouseholdType, MonitoredType, Relation, Sex};
use crate::household::{Household, MAX_RISKS, Member};
use crate::idnum::IdNumber;
use crate::region::RegionCode;
use crate::{CodeList, codes::RegionLevel};
pub use columns::{COLUMNS, Col, ColumnSpec, Kind, Level, N_COLS, normalise_header};
use values::Reason;

/// One problem of an import, located in the file (导入问题).
#[derive(Clone, PartialEq, Eq, Debug, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Problem {
    /// Sheet name (for a CSV file: the file name).
    pub sheet: String,
    /// 1-based row number as the spreadsheet shows it; 0 for the sheet or file as a whole.
    pub row: u32,
    /// The column header (as written in the file where known); empty for a whole row.
    pub column: String,
    /// The cell value as read (ID numbers included: the report goes to the importing user).
    pub value: String,
    /// Reason in Chinese.
    pub reason_zh: String,
    /// Reason in English.
    pub reason_en: String,
}

impl Problem {
    /// A problem from its parts.
    pub fn new(sheet: &str, row: u32, column: &str, value: &str, reason: Reason) -> Problem {
        Problem {
            sheet: sheet.to_owned(),
            row,
            column: column.to_owned(),
            value: value.to_owned(),
            reason_zh: reason.zh,
            reason_en: reason.en,
        }
    }
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.sheet)?;
        if self.row > 0 {
            write!(f, " 第{}行", self.row)?;
        }
        if !self.column.is_empty() {
            write!(f, " [{}]", self.column)?;
        }
        if !self.value.is_empty() {
            write!(f, " “{}”", self.value)?;
        }
        write!(f, "：{} ({})", self.reason_zh, self.reason_en)
    }
}

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

fn reason(zh: impl Into<String>, en: impl Into<String>) -> Reason {
    Reason::new(zh, en)
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

    fn cell<'a>(&self, cells: &'a [String], col: Col) -> &'a str {
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
}

/// The result of reading a file: accepted households, problems (of rejected households), counts.
#[derive(Clone, Debug, Default)]
pub struct Assembled {
    /// Households without problems, in file order.
    pub entries: Vec<RegistryEntry>,
    /// Every problem, by sheet and row.
    pub problems: Vec<Problem>,
    /// Counts.
    pub stats: ReadStats,
    /// 户编号 of households handed out early by [`Assembler::take_ready`] that later rows changed
    /// (their early version is stale; the one in `entries`, if any, is final).
    pub reopened: Vec<String>,
}

/// A raw household-column value and where it came from.
#[derive(Clone, Debug)]
struct Given {
    text: String,
    sheet: usize,
    row: u32,
}

#[derive(Clone, Debug)]
struct MemberRow {
    sheet: usize,
    row: u32,
    member: Option<Member>,
    raw_id: String,
}

#[derive(Clone, Debug, Default)]
struct Acc {
    number: String,
    /// Household columns (texts), first non-blank value per column.
    given: Vec<Option<Given>>,
    /// Row of the household-sheet row (or the first combined row).
    home: Option<(usize, u32)>,
    members: Vec<MemberRow>,
    problems: Vec<Problem>,
    has_household_row: bool,
    /// Handed out by `take_ready`.
    emitted: bool,
    /// A row came after it was handed out.
    reopened: bool,
    /// One of its ID numbers is in another household of the file (seen so far).
    conflicted: bool,
}

struct SheetInfo {
    layout: SheetLayout,
    /// Problems of merged cells by row.
    merge_problems: HashMap<u32, Vec<Problem>>,
}

/// Groups rows into households and validates them (see the module docs). Feed it with
/// [`Assembler::begin_sheet`], [`Assembler::merged`] and [`Assembler::add_row`], then call
/// [`Assembler::finish`].
#[derive(Default)]
pub struct Assembler {
    sheets: Vec<SheetInfo>,
    households: Vec<Acc>,
    index: HashMap<String, usize>,
    /// Problems of rows that belong to no household (blank 户编号 …).
    loose: Vec<Problem>,
    stats: ReadStats,
    /// Households whose run of member rows has ended, for `take_ready`.
    closed: Vec<usize>,
    /// The household of the last member row.
    last_member_household: Option<usize>,
    /// ID number → first household (index) it was seen in.
    id_owner: HashMap<IdNumber, usize>,
    /// ID numbers seen in more than one household (so `finish` looks only at those).
    id_shared: std::collections::HashSet<IdNumber>,
}

/// A sheet handle of an [`Assembler`].
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct SheetId(usize);

impl SheetId {
    /// The handle as an index (sheets in the order they were begun).
    pub fn index(self) -> usize {
        self.0
    }

    /// A handle from [`SheetId::index`].
    pub fn from_index(i: usize) -> SheetId {
        SheetId(i)
    }
}

const HOUSEHOLD_TEXT_COLS: &[Col] = columns::HOUSEHOLD_SHEET;

impl Assembler {
    /// An empty assembler.
    pub fn new() -> Assembler {
        Assembler::default()
    }

    /// Starts a sheet; its rows follow with [`Assembler::add_row`].
    pub fn begin_sheet(&mut self, layout: SheetLayout) -> SheetId {
        self.sheets.push(SheetInfo {
            layout,
            merge_problems: HashMap::new(),
        });
        SheetId(self.sheets.len() - 1)
    }

    /// Declares a merged area of a sheet (1-based rows, 0-based columns, inclusive), whose cells the
    /// reader has filled with the top-left value. Household columns merged down the rows of one
    /// household are fine (台账 style); a member column merged over several rows, or an area over
    /// several columns, makes its rows rejected.
    pub fn merged(&mut self, sheet: SheetId, rows: (u32, u32), cols: (usize, usize)) {
        let Some(info) = self.sheets.get_mut(sheet.0) else {
            return;
        };
        let layout = &info.layout;
        if rows.1 <= layout.header_row {
            return; // title or header rows
        }
        let first = rows.0.max(layout.header_row + 1);
        let member_cols: Vec<Col> = (cols.0..=cols.1)
            .filter_map(|c| layout.column_at(c))
            .filter(|c| c.spec().level == Level::Member)
            .collect();
        let household_sheet = layout.kind == SheetKind::Households;
        let bad =
            cols.1 > cols.0 || (rows.1 > first && (!member_cols.is_empty() || household_sheet));
        if !bad {
            return;
        }
        let col_name = |c: usize| {
            layout.column_at(c).map_or_else(
                || format!("第 {} 列", c + 1),
                |x| layout.header_of(x).to_owned(),
            )
        };
        let what = if cols.1 > cols.0 {
            format!("{} 至 {}", col_name(cols.0), col_name(cols.1))
        } else {
            col_name(cols.0)
        };
        let area = format!(
            "{}{}:{}{}",
            column_letter(cols.0),
            rows.0,
            column_letter(cols.1),
            rows.1
        );
        for r in first..=rows.1 {
            info.merge_problems.entry(r).or_default().push(Problem::new(
                &layout.name,
                r,
                &col_name(cols.0),
                "",
                reason(
                    format!(
                        "合并单元格 {area}（{what}）：成员列或户信息表不能合并单元格，请取消合并并在每行填写完整"
                    ),
                    format!(
                        "merged cells {area}: member columns (and household-sheet rows) must not be merged; unmerge and fill every row"
                    ),
                ),
            ));
        }
    }

    /// Adds a data row (1-based `row`; `cells` by column position, as text). Blank rows are counted
    /// and skipped.
    pub fn add_row(&mut self, sheet: SheetId, row: u32, cells: &[String]) {
        if cells.iter().all(|c| c.trim().is_empty()) {
            self.stats.blank_rows += 1;
            return;
        }
        let Some(info) = self.sheets.get(sheet.0) else {
            return;
        };
        self.stats.rows += 1;
        let layout = &info.layout;
        let merge_problems = info.merge_problems.get(&row).cloned().unwrap_or_default();
        let number = normalised_number(layout.cell(cells, Col::Number));
        if number.is_empty() {
            let value = layout.cell(cells, Col::Number).to_owned();
            self.loose.push(Problem::new(
                &layout.name,
                row,
                layout.header_of(Col::Number),
                &value,
                reason(
                    "户编号为空：每一行都要填写户编号（如果户编号是合并单元格，请取消合并）",
                    "household number (户编号) is blank: every row needs one",
                ),
            ));
            self.loose.extend(merge_problems);
            return;
        }
        let kind = layout.kind;
        let idx = match self.index.get(&*number) {
            Some(&i) => i,
            None => {
                let number = number.into_owned();
                self.households.push(Acc {
                    number: number.clone(),
                    given: vec![None; HOUSEHOLD_TEXT_COLS.len()],
                    ..Acc::default()
                });
                self.index.insert(number, self.households.len() - 1);
                self.households.len() - 1
            }
        };
        let layout = &self.sheets[sheet.0].layout;
        let acc = &mut self.households[idx];
        if acc.emitted {
            acc.reopened = true;
        }
        acc.problems.extend(merge_problems);
        if matches!(kind, SheetKind::Households | SheetKind::Combined) {
            if kind == SheetKind::Households && acc.has_household_row {
                let (s, r) = acc.home.unwrap_or((sheet.0, row));
                acc.problems.push(Problem::new(
                    &layout.name,
                    row,
                    layout.header_of(Col::Number),
                    &acc.number,
                    reason(
                        format!(
                            "户编号重复：与“{}”第 {r} 行相同",
                            self.sheets[s].layout.name
                        ),
                        format!("household number repeated (same as row {r})"),
                    ),
                ));
            }
            acc.has_household_row = true;
            if acc.home.is_none() {
                acc.home = Some((sheet.0, row));
            }
            for (i, col) in HOUSEHOLD_TEXT_COLS.iter().enumerate() {
                if layout.position(*col).is_none() {
                    continue;
                }
                let text = layout.cell(cells, *col);
                if text.is_empty() {
                    continue;
                }
                let text = if *col == Col::Number {
                    normalised_number(text)
                } else {
                    Cow::Borrowed(text)
                };
                match &acc.given[i] {
                    None => {
                        acc.given[i] = Some(Given {
                            text: text.into_owned(),
                            sheet: sheet.0,
                            row,
                        })
                    }
                    Some(g) if same_text(*col, &g.text, &text) => {}
                    Some(g) => acc.problems.push(Problem::new(
                        &layout.name,
                        row,
                        layout.header_of(*col),
                        &text,
                        reason(
                            format!(
                                "同一户的“{}”前后不一致：第 {} 行为“{}”",
                                col.header(),
                                g.row,
                                g.text
                            ),
                            format!(
                                "{} differs within the household: row {} has {:?}",
                                col.header(),
                                g.row,
                                g.text
                            ),
                        ),
                    )),
                }
            }
        }
        if matches!(kind, SheetKind::Members | SheetKind::Combined) {
            self.stats.members += 1;
            let (member, problems) = parse_member(layout, row, cells);
            acc.problems.extend(problems);
            let conflict = match &member {
                Some(m) => match self.id_owner.entry(m.id_number) {
                    std::collections::hash_map::Entry::Vacant(v) => {
                        v.insert(idx);
                        None
                    }
                    std::collections::hash_map::Entry::Occupied(o) if *o.get() != idx => {
                        self.id_shared.insert(m.id_number);
                        Some(*o.get())
                    }
                    std::collections::hash_map::Entry::Occupied(_) => None,
                },
                None => None,
            };
            acc.members.push(MemberRow {
                sheet: sheet.0,
                row,
                member,
                raw_id: layout.cell(cells, Col::IdNumber).to_owned(),
            });
            if let Some(other) = conflict {
                acc.conflicted = true;
                if let Some(o) = self.households.get_mut(other) {
                    o.conflicted = true;
                    if o.emitted {
                        o.reopened = true;
                    }
                }
            }
            if self.last_member_household != Some(idx) {
                if let Some(prev) = self.last_member_household {
                    self.closed.push(prev);
                }
                self.last_member_household = Some(idx);
            }
        }
    }

    /// Households complete so far, for a streaming import: those whose run of member rows has ended
    /// (a row of another household followed) and that have no problem so far, each handed out once.
    /// Rows may still come for one later (the file is not sorted by household) or the whole-file
    /// checks may still reject it: [`Assembled::reopened`] and [`Assembled::entries`] tell at the end.
    pub fn take_ready(&mut self) -> Vec<RegistryEntry> {
        let closed = std::mem::take(&mut self.closed);
        let mut out = Vec::new();
        for idx in closed {
            let Some(acc) = self.households.get(idx) else {
                continue;
            };
            if acc.emitted
                || acc.conflicted
                || !acc.problems.is_empty()
                || !acc.has_household_row
                || acc.members.is_empty()
            {
                continue;
            }
            if let Ok(entry) = self.household(acc.clone()) {
                self.households[idx].emitted = true;
                out.push(entry);
            }
        }
        out
    }

    /// Validates every household and returns the accepted ones with all problems.
    pub fn finish(mut self) -> Assembled {
        let mut stats = self.stats;
        let mut problems = std::mem::take(&mut self.loose);
        // ID numbers in several households of the file.
        let mut id_homes: HashMap<IdNumber, Vec<(usize, usize)>> = HashMap::new();
        for (hi, acc) in self.households.iter().enumerate() {
            if self.id_shared.is_empty() {
                break;
            }
            for (mi, m) in acc.members.iter().enumerate() {
                if let Some(member) = &m.member
                    && self.id_shared.contains(&member.id_number)
                {
                    id_homes.entry(member.id_number).or_default().push((hi, mi));
                }
            }
        }
        for homes in id_homes.values().filter(|v| v.len() > 1) {
            let households: Vec<usize> = {
                let mut h: Vec<usize> = homes.iter().map(|(h, _)| *h).collect();
                h.dedup();
                h
            };
            if households.len() < 2 {
                continue; // twice in one household: reported below
            }
            for &(hi, mi) in homes {
                let others: Vec<(String, u32)> = homes
                    .iter()
                    .filter(|(h, _)| *h != hi)
                    .map(|(h, m)| {
                        let o = &self.households[*h];
                        (o.number.clone(), o.members[*m].row)
                    })
                    .collect();
                let zh: Vec<String> = others
                    .iter()
                    .map(|(n, r)| format!("户编号 {n} 第 {r} 行"))
                    .collect();
                let en: Vec<String> = others
                    .iter()
                    .map(|(n, r)| format!("household {n}, row {r}"))
                    .collect();
                let acc = &self.households[hi];
                let m = &acc.members[mi];
                let layout = &self.sheets[m.sheet].layout;
                let p = Problem::new(
                    &layout.name,
                    m.row,
                    layout.header_of(Col::IdNumber),
                    &m.raw_id,
                    reason(
                        format!(
                            "同一身份证号出现在两个户中（另见 {}）：请核实此人属于哪一户，两户均暂不导入",
                            zh.join("、")
                        ),
                        format!(
                            "the same ID number is in two households of the file (also {}); neither is imported until resolved",
                            en.join("; ")
                        ),
                    ),
                );
                self.households[hi].problems.push(p);
            }
        }
        let reopened: Vec<String> = self
            .households
            .iter()
            .filter(|a| a.emitted && a.reopened)
            .map(|a| a.number.clone())
            .collect();
        let mut entries = Vec::with_capacity(self.households.len());
        for acc in std::mem::take(&mut self.households) {
            stats.households += 1;
            let n_members = acc.members.len() as u64;
            match self.household(acc) {
                Ok(e) => entries.push(e),
                Err(ps) => {
                    stats.rejected_households += 1;
                    stats.rejected_members += n_members;
                    problems.extend(ps);
                }
            }
        }
        let order: HashMap<Arc<str>, usize> = self
            .sheets
            .iter()
            .enumerate()
            .map(|(i, s)| (s.layout.name.clone(), i))
            .collect();
        problems.sort_by(|a, b| {
            let sa = order.get(a.sheet.as_str()).copied().unwrap_or(usize::MAX);
            let sb = order.get(b.sheet.as_str()).copied().unwrap_or(usize::MAX);
            (sa, a.row).cmp(&(sb, b.row))
        });
        Assembled {
            entries,
            problems,
            stats,
            reopened,
        }
    }

    /// Builds and validates one household.
    fn household(&self, mut acc: Acc) -> Result<RegistryEntry, Vec<Problem>> {
        let mut problems = std::mem::take(&mut acc.problems);
        let (home_sheet, home_row) = acc
            .home
            .or_else(|| acc.members.first().map(|m| (m.sheet, m.row)))
            .unwrap_or((0, 0));
        let sheet_name = |s: usize| -> &str { self.sheets.get(s).map_or("", |x| &x.layout.name) };
        let header = |s: usize, c: Col| -> String {
            self.sheets
                .get(s)
                .map_or(c.header(), |x| x.layout.header_of(c))
                .to_owned()
        };
        if !acc.has_household_row {
            problems.push(Problem::new(
                sheet_name(home_sheet),
                home_row,
                &header(home_sheet, Col::Number),
                &acc.number,
                reason(
                    "户信息表中没有这个户编号：请在户信息表中补上该户，或核对成员表中的户编号",
                    "the household sheet has no household with this number",
                ),
            ));
        }
        if acc.members.is_empty() {
            problems.push(Problem::new(
                sheet_name(home_sheet),
                home_row,
                &header(home_sheet, Col::Number),
                &acc.number,
                reason(
                    "该户在家庭成员表中没有成员",
                    "the household has no member rows",
                ),
            ));
        }
        // Household fields.
        let text = |c: Col| -> Option<&Given> {
            HOUSEHOLD_TEXT_COLS
                .iter()
                .position(|x| *x == c)
                .and_then(|i| acc.given.get(i))
                .and_then(Option::as_ref)
        };
        let mut field_problems: Vec<Problem> = Vec::new();
        let mut fail = |c: Col, g: Option<&Given>, r: Reason| {
            let (s, row, v) = g.map_or((home_sheet, home_row, ""), |g| {
                (g.sheet, g.row, g.text.as_str())
            });
            field_problems.push(Problem::new(sheet_name(s), row, &header(s, c), v, r));
        };
        let village = match text(Col::VillageCode) {
            None => {
                fail(
                    Col::VillageCode,
                    None,
                    reason("村代码为空", "village code is blank"),
                );
                None
            }
            Some(g) => match RegionCode::parse(&digits_only(&g.text)) {
                Ok(code) if code.code_level() == RegionLevel::Village => Some(code),
                Ok(_) => {
                    fail(
                        Col::VillageCode,
                        Some(g),
                        reason(
                            "村代码应为 12 位行政村（安置点）代码，不能是县或乡镇代码",
                            "the village code must be a 12-digit village code, not a county or township",
                        ),
                    );
                    None
                }
                Err(e) => {
                    fail(
                        Col::VillageCode,
                        Some(g),
                        reason(
                            format!("村代码不正确：{}", e.message_zh()),
                            format!("bad village code: {e}"),
                        ),
                    );
                    None
                }
            },
        };
        let natural_village = match (text(Col::NaturalVillageCode), &village) {
            (Some(g), Some(v)) => match RegionCode::parse(&g.text) {
                Ok(code)
                    if code.code_level() == RegionLevel::NaturalVillage
                        && code.village() == v.as_str() =>
                {
                    Some(code.as_str().to_owned())
                }
                Ok(_) => {
                    fail(
                        Col::NaturalVillageCode,
                        Some(g),
                        reason(
                            format!("自然村代码应为本村代码 {v} 加“-”和 2 位序号"),
                            format!("the natural-village code must be {v}-NN"),
                        ),
                    );
                    None
                }
                Err(e) => {
                    fail(
                        Col::NaturalVillageCode,
                        Some(g),
                        reason(
                            format!("自然村代码不正确：{}", e.message_zh()),
                            format!("bad natural-village code: {e}"),
                        ),
                    );
                    None
                }
            },
            _ => None,
        };
        let household_type = match text(Col::HouseholdType) {
            None => {
                fail(
                    Col::HouseholdType,
                    None,
                    reason("户类型为空", "household type is blank"),
                );
                None
            }
            Some(g) => match code_value::<HouseholdType>(&g.text, "户类型", "household type") {
                Ok(v) => Some(v),
                Err(r) => {
                    fail(Col::HouseholdType, Some(g), r);
                    None
                }
            },
        };
        let monitored_type = match text(Col::MonitoredType) {
            None => None,
            Some(g) if matches!(g.text.as_str(), "无" | "否" | "非监测对象" | "不是") => {
                None
            }
            Some(g) => {
                match code_value::<MonitoredType>(&g.text, "监测对象类别", "monitored type") {
                    Ok(v) => Some(v),
                    Err(r) => {
                        fail(Col::MonitoredType, Some(g), r);
                        None
                    }
                }
            }
        };
        let risks = match text(Col::Risks) {
            None => Vec::new(),
            Some(g) => match values::risks(&g.text, MAX_RISKS) {
                Ok(v) => v,
                Err(r) => {
                    fail(Col::Risks, Some(g), r);
                    Vec::new()
                }
            },
        };
        let is_relocated = match text(Col::Relocated) {
            None => false,
            Some(g) => match values::yes_no(&g.text) {
                Ok(v) => v.unwrap_or(false),
                Err(r) => {
                    fail(Col::Relocated, Some(g), r);
                    false
                }
            },
        };
        let size = match text(Col::Size) {
            None => None,
            Some(g) => match values::count(&g.text) {
                Ok(v) => v.map(|n| (n, g)),
                Err(r) => {
                    fail(Col::Size, Some(g), r);
                    None
                }
            },
        };
        let address = text(Col::Address).map_or(String::new(), |g| g.text.clone());
        if address.chars().count() > 200 {
            fail(
                Col::Address,
                text(Col::Address),
                reason("家庭住址超过 200 字", "address longer than 200 characters"),
            );
        }
        let phone = text(Col::Phone).map(|g| g.text.clone());
        if let Some(g) = text(Col::Phone)
            && g.text.contains('E')
            && g.text.contains('.')
        {
            fail(
                Col::Phone,
                Some(g),
                reason(
                    "联系电话被 Excel 转成了科学计数法，请把该列设为文本",
                    "the phone number was turned into scientific notation by Excel",
                ),
            );
        }
        if acc.number.chars().count() > 64 {
            fail(
                Col::Number,
                text(Col::Number),
                reason(
                    "户编号超过 64 位",
                    "household number longer than 64 characters",
                ),
            );
        }
        if acc.number.contains(['E', 'e']) && acc.number.contains('.') {
            fail(
                Col::Number,
                text(Col::Number),
                reason(
                    "户编号被 Excel 转成了科学计数法（丢失了末几位），请把该列设为文本后重新导出",
                    "the household number was turned into scientific notation by Excel; format the column as text",
                ),
            );
        }
        // Members.
        let heads: Vec<&MemberRow> = acc
            .members
            .iter()
            .filter(|m| {
                m.member
                    .as_ref()
                    .is_some_and(|x| x.relation == Relation::Head)
            })
            .collect();
        let all_parsed = acc.members.iter().all(|m| m.member.is_some());
        let member_problem = |m: &MemberRow, c: Col, v: &str, r: Reason| {
            Problem::new(sheet_name(m.sheet), m.row, &header(m.sheet, c), v, r)
        };
        if heads.is_empty() && all_parsed && !acc.members.is_empty() {
            let m = &acc.members[0];
            problems.push(member_problem(
                m,
                Col::Relation,
                "",
                reason(
                    "该户没有户主：每户须有一名成员的“与户主关系”为“户主”",
                    "the household has no head: exactly one member must be 户主",
                ),
            ));
        }
        for m in heads.iter().skip(1) {
            problems.push(member_problem(
                m,
                Col::Relation,
                "户主",
                reason(
                    format!("该户有 {} 名户主，每户只能有一名", heads.len()),
                    format!("{} heads of household; exactly one allowed", heads.len()),
                ),
            ));
        }
        let spouses: Vec<&MemberRow> = acc
            .members
            .iter()
            .filter(|m| {
                m.member
                    .as_ref()
                    .is_some_and(|x| x.relation == Relation::Spouse)
            })
            .collect();
        for m in spouses.iter().skip(1) {
            problems.push(member_problem(
                m,
                Col::Relation,
                "配偶",
                reason(
                    format!("该户有 {} 名配偶，请核对与户主关系", spouses.len()),
                    format!("{} spouses in one household", spouses.len()),
                ),
            ));
        }
        let mut seen: HashMap<IdNumber, u32> = HashMap::new();
        for m in &acc.members {
            if let Some(x) = &m.member {
                if let Some(first) = seen.get(&x.id_number) {
                    problems.push(member_problem(
                        m,
                        Col::IdNumber,
                        &m.raw_id,
                        reason(
                            format!("同一户内身份证号重复（与第 {first} 行相同）"),
                            format!("ID number repeated in the household (row {first})"),
                        ),
                    ));
                } else {
                    seen.insert(x.id_number, m.row);
                }
            }
        }
        if let Some((n, g)) = size
            && n as usize != acc.members.len()
            && !acc.members.is_empty()
        {
            fail(
                Col::Size,
                Some(g),
                reason(
                    format!("家庭人口为 {n}，但该户有 {} 行成员", acc.members.len()),
                    format!("household size {n} but {} member rows", acc.members.len()),
                ),
            );
        }
        problems.extend(field_problems);
        if !problems.is_empty() {
            return Err(problems);
        }
        let (Some(village), Some(household_type)) = (village, household_type) else {
            return Err(problems);
        };
        let mut members = Vec::with_capacity(acc.members.len());
        let mut member_rows = Vec::with_capacity(acc.members.len());
        for m in acc.members {
            let Some(member) = m.member else {
                return Err(problems);
            };
            members.push(member);
            member_rows.push(RowRef {
                sheet: self.sheets[m.sheet].layout.name.clone(),
                row: m.row,
            });
        }
        let name = |c: Col| text(c).map_or(String::new(), |g| g.text.clone());
        Ok(RegistryEntry {
            household: Household {
                number: acc.number,
                village,
                natural_village,
                household_type,
                address,
                phone,
                is_relocated,
                monitored_type,
                risks,
                members,
            },
            names: RegionNames {
                county: name(Col::County),
                township: name(Col::Township),
                village: name(Col::Village),
                natural_village: name(Col::NaturalVillage),
            },
            row: RowRef {
                sheet: self.sheets[home_sheet].layout.name.clone(),
                row: home_row,
            },
            member_rows,
        })
    }
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

/// [`normalise_number`] without allocating when the text is already normal (the usual case).
fn normalised_number(s: &str) -> Cow<'_, str> {
    if s.chars()
        .any(|c| c.is_whitespace() || ('０'..='９').contains(&c))
    {
        Cow::Owned(normalise_number(s))
    } else {
        Cow::Borrowed(s)
    }
}

/// 户编号 as stored: surrounding and inner whitespace removed, full-width digits as ASCII.
pub fn normalise_number(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32).unwrap_or(c),
            _ => c,
        })
        .collect()
}

fn digits_only(s: &str) -> String {
    normalise_number(s)
}

/// Household texts compare equal after trimming; codes compare by value (so 户类型 “脱贫户” equals
/// “alleviated”).
fn same_text(col: Col, a: &str, b: &str) -> bool {
    if a.trim() == b.trim() {
        return true;
    }
    match col {
        Col::Number | Col::VillageCode | Col::NaturalVillageCode | Col::Phone => {
            normalise_number(a) == normalise_number(b)
        }
        Col::HouseholdType => {
            HouseholdType::from_any(a).is_some()
                && HouseholdType::from_any(a) == HouseholdType::from_any(b)
        }
        Col::MonitoredType => {
            MonitoredType::from_any(a).is_some()
                && MonitoredType::from_any(a) == MonitoredType::from_any(b)
        }
        Col::Risks => values::risks(a, usize::MAX).ok() == values::risks(b, usize::MAX).ok(),
        Col::Relocated => values::yes_no(a).ok() == values::yes_no(b).ok(),
        Col::Size => values::count(a).ok() == values::count(b).ok(),
        _ => false,
    }
}

fn code_value<T: CodeList>(s: &str, list_zh: &str, list_en: &str) -> Result<T, Reason> {
    let t: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    T::from_any(&t).ok_or_else(|| {
        let allowed: Vec<&str> = T::all().iter().map(CodeList::label_zh).collect();
        reason(
            format!(
                "“{}”不是有效的{list_zh}，可选：{}",
                s.trim(),
                allowed.join("、")
            ),
            format!(
                "{:?} is not a valid {list_en}; allowed: {}",
                s.trim(),
                allowed.join(", ")
            ),
        )
    })
}

/// Parses the member columns of a row.
fn parse_member(
    layout: &SheetLayout,
    row: u32,
    cells: &[String],
) -> (Option<Member>, Vec<Problem>) {
    let mut problems = Vec::new();
    let mut bad = |c: Col, v: &str, r: Reason| {
        problems.push(Problem::new(&layout.name, row, layout.header_of(c), v, r));
    };
    let cell = |c: Col| layout.cell(cells, c);
    let name = cell(Col::Name);
    let n = name.chars().count();
    if n == 0 {
        bad(Col::Name, "", reason("姓名为空", "name is blank"));
    } else if n > 64 {
        bad(
            Col::Name,
            name,
            reason("姓名超过 64 字", "name longer than 64 characters"),
        );
    }
    let raw_id = cell(Col::IdNumber);
    let id = match IdNumber::parse(raw_id) {
        Ok(id) => Some(id),
        Err(e) => {
            bad(Col::IdNumber, raw_id, reason(e.message_zh(), e.to_string()));
            None
        }
    };
    let sex = match (cell(Col::Sex), id) {
        ("", Some(id)) => Some(id.sex()),
        ("", None) => None,
        (s, id) => match code_value::<Sex>(s, "性别", "sex") {
            Ok(v) => {
                if let Some(id) = id
                    && id.sex() != v
                {
                    bad(
                        Col::Sex,
                        s,
                        reason(
                            format!(
                                "性别“{s}”与身份证号不符（按身份证号为{}）",
                                id.sex().label_zh()
                            ),
                            format!(
                                "sex {s:?} disagrees with the ID number ({})",
                                id.sex().label_en()
                            ),
                        ),
                    );
                }
                Some(v)
            }
            Err(r) => {
                bad(Col::Sex, s, r);
                None
            }
        },
    };
    macro_rules! field {
        ($col:expr, $f:expr, $blank:expr) => {{
            let v = cell($col);
            if v.is_empty() && $blank.is_some() {
                let (zh, en): (&str, &str) = $blank.unwrap_or(("", ""));
                bad($col, "", reason(zh, en));
                None
            } else {
                match $f(v) {
                    Ok(x) => Some(x),
                    Err(r) => {
                        bad($col, v, r);
                        None
                    }
                }
            }
        }};
    }
    let none: Option<(&str, &str)> = None;
    let relation = field!(
        Col::Relation,
        values::relation,
        Some(("与户主关系为空", "relation to the head is blank"))
    );
    let labour = field!(
        Col::Labour,
        values::labour,
        Some(("劳动技能为空", "labour skill is blank"))
    );
    let health = field!(
        Col::Health,
        values::health,
        Some(("健康状况为空", "health status is blank"))
    );
    let disability_grade = field!(Col::DisabilityGrade, values::disability_grade, none);
    let education = field!(Col::Education, values::education, none);
    let school = field!(Col::School, values::school, none);
    let political = field!(Col::Political, values::political, none);
    let insurance = field!(
        Col::MedicalInsurance,
        values::yes_no,
        Some((
            "是否参加基本医疗保险为空，请填“是”或“否”",
            "basic medical insurance is blank"
        ))
    );
    let dibao = field!(Col::Dibao, values::dibao, none);
    let tekun = field!(Col::Tekun, values::tekun, none);
    let member = match (
        id,
        sex,
        relation,
        labour,
        health,
        disability_grade,
        education,
        school,
        political,
        insurance,
        dibao,
        tekun,
    ) {
        (
            Some(id_number),
            Some(sex),
            Some(relation),
            Some(labour),
            Some(health),
            Some(disability_grade),
            Some(education),
            Some(school),
            Some(political),
            Some(Some(has_medical_insurance)),
            Some(dibao),
            Some(tekun),
        ) if problems.is_empty() => Some(Member {
            id_number,
            name: name.to_owned(),
            sex,
            relation,
            labour,
            health,
            education,
            school,
            political,
            has_medical_insurance,
            dibao,
            tekun,
            disability_grade,
        }),
        _ => None,
    };
    (member, problems)
}

#[cfg(test)]
mod tests;
