//! The [`Assembler`]: groups the rows of a registry file into households as they are read, checks
//! that the household columns agree within a household and that no ID number is in two
//! households, and hands out the finished ones (the checks of one household are in
//! `household_rows.rs`).

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use super::columns::{self, Col, Level};
use super::entry::{Assembled, ReadStats, RegistryEntry};
use super::income_sheet::{IncomeCol, IncomeRow, parse_income_row};
use super::layout::{SheetKind, SheetLayout, column_letter};
use super::member_row::parse_member;
use super::problem::{Problem, reason};
use super::values::{self, normalise_number, normalised_number};
use crate::CodeList;
use crate::codes::{HouseholdType, MonitoredType};
use crate::household::Member;
use crate::idnum::IdNumber;

/// A raw household-column value and where it came from.
#[derive(Clone, Debug)]
pub(super) struct Given {
    pub(super) text: String,
    pub(super) sheet: usize,
    pub(super) row: u32,
}

#[derive(Clone, Debug)]
pub(super) struct MemberRow {
    pub(super) sheet: usize,
    pub(super) row: u32,
    pub(super) member: Option<Member>,
    pub(super) raw_id: String,
}

#[derive(Clone, Debug, Default)]
pub(super) struct Acc {
    pub(super) number: String,
    /// Household columns (texts), first non-blank value per column.
    pub(super) given: Vec<Option<Given>>,
    /// Row of the household-sheet row (or the first combined row).
    pub(super) home: Option<(usize, u32)>,
    pub(super) members: Vec<MemberRow>,
    pub(super) problems: Vec<Problem>,
    pub(super) has_household_row: bool,
    /// Handed out by `take_ready`.
    pub(super) emitted: bool,
    /// A row came after it was handed out.
    pub(super) reopened: bool,
    /// One of its ID numbers is in another household of the file (seen so far).
    pub(super) conflicted: bool,
}

pub(super) struct SheetInfo {
    pub(super) layout: SheetLayout,
    /// Problems of merged cells by row.
    pub(super) merge_problems: HashMap<u32, Vec<Problem>>,
}

/// Groups rows into households and validates them (see the module docs). Feed it with
/// [`Assembler::begin_sheet`], [`Assembler::merged`] and [`Assembler::add_row`], then call
/// [`Assembler::finish`].
#[derive(Default)]
pub struct Assembler {
    pub(super) sheets: Vec<SheetInfo>,
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
    /// 收支情况 rows read without problem of their own.
    incomes: Vec<IncomeRow>,
    /// Of those, the first ones handed out by `take_incomes`.
    incomes_taken: usize,
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

pub(super) const HOUSEHOLD_TEXT_COLS: &[Col] = columns::HOUSEHOLD_SHEET;

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
        let income_sheet = layout.kind == SheetKind::Income;
        // In 收支情况 only 户编号 may be merged down (the years of one household).
        let income_number = income_sheet
            && cols.0 == cols.1
            && layout.income_position(IncomeCol::Number) == Some(cols.0);
        let bad = cols.1 > cols.0
            || (rows.1 > first
                && (!member_cols.is_empty()
                    || household_sheet
                    || (income_sheet && !income_number)));
        if !bad {
            return;
        }
        let col_name = |c: usize| match (income_sheet, layout.header_at(c)) {
            (true, Some(h)) if !h.is_empty() => h.to_owned(),
            (true, _) => format!("第 {} 列", c + 1),
            (false, _) => layout.column_at(c).map_or_else(
                || format!("第 {} 列", c + 1),
                |x| layout.header_of(x).to_owned(),
            ),
        };
        let (zh, en) = if income_sheet {
            (
                "收支情况表中只有户编号可以合并单元格，请取消合并并在每行填写完整",
                "in the 收支情况 sheet only 户编号 may be merged; unmerge and fill every row",
            )
        } else {
            (
                "成员列或户信息表不能合并单元格，请取消合并并在每行填写完整",
                "member columns (and household-sheet rows) must not be merged; unmerge and fill every row",
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
                    format!("合并单元格 {area}（{what}）：{zh}"),
                    format!("merged cells {area}: {en}"),
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
        if layout.kind == SheetKind::Income {
            self.stats.income_rows += 1;
            match parse_income_row(layout, row, cells) {
                Ok(r) if merge_problems.is_empty() => self.incomes.push(r),
                Ok(_) => {
                    self.stats.rejected_income_rows += 1;
                    self.loose.extend(merge_problems);
                }
                Err(ps) => {
                    self.stats.rejected_income_rows += 1;
                    self.loose.extend(ps);
                    self.loose.extend(merge_problems);
                }
            }
            return;
        }
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

    /// 收支情况 rows read without problem of their own since the last call, for a streaming import: each
    /// handed out once. The whole-file checks may still reject one (its household's year given again
    /// later, its household rejected): [`Assembled::incomes`] tells at the end.
    pub fn take_incomes(&mut self) -> Vec<IncomeRow> {
        let out = self.incomes[self.incomes_taken..].to_vec();
        self.incomes_taken = self.incomes.len();
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
        let mut rejected: HashSet<String> = HashSet::new();
        for acc in std::mem::take(&mut self.households) {
            stats.households += 1;
            let n_members = acc.members.len() as u64;
            let number = acc.number.clone();
            match self.household(acc) {
                Ok(e) => entries.push(e),
                Err(ps) => {
                    stats.rejected_households += 1;
                    stats.rejected_members += n_members;
                    problems.extend(ps);
                    rejected.insert(number);
                }
            }
        }
        let incomes = check_incomes(
            std::mem::take(&mut self.incomes),
            &rejected,
            &mut stats,
            &mut problems,
        );
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
            incomes,
            problems,
            stats,
            reopened,
        }
    }
}

/// The whole-file checks of the 收支情况 rows: a household's year given twice rejects every row of it, and
/// the rows of a household the file rejects are rejected with it. Returns the rows kept.
fn check_incomes(
    rows: Vec<IncomeRow>,
    rejected: &HashSet<String>,
    stats: &mut ReadStats,
    problems: &mut Vec<Problem>,
) -> Vec<IncomeRow> {
    let mut by_key: HashMap<(&str, i32), Vec<u32>> = HashMap::new();
    for r in &rows {
        by_key
            .entry((r.number.as_str(), r.record.year))
            .or_default()
            .push(r.row.row);
    }
    let repeated: HashMap<(String, i32), Vec<u32>> = by_key
        .into_iter()
        .filter(|(_, v)| v.len() > 1)
        .map(|((n, y), v)| ((n.to_owned(), y), v))
        .collect();
    let mut kept = Vec::with_capacity(rows.len());
    for r in rows {
        let key = (r.number.clone(), r.record.year);
        if let Some(all) = repeated.get(&key) {
            let others: Vec<String> = all
                .iter()
                .filter(|x| **x != r.row.row)
                .map(u32::to_string)
                .collect();
            problems.push(r.problem(
                IncomeCol::Year,
                &r.record.year.to_string(),
                reason(
                    format!(
                        "户编号 {} 的 {} 年收支情况出现了多次（另见第 {} 行）：同一户同一年度只能有一行，这些行均未导入",
                        r.number,
                        r.record.year,
                        others.join("、")
                    ),
                    format!(
                        "the income of household {} for {} is given more than once (also row {}): one row per household and year; none of them is imported",
                        r.number,
                        r.record.year,
                        others.join(", ")
                    ),
                ),
            ));
            stats.rejected_income_rows += 1;
        } else if rejected.contains(&r.number) {
            problems.push(r.problem(
                IncomeCol::Number,
                &r.number,
                reason(
                    format!(
                        "户编号 {} 的户信息或家庭成员有问题、该户未导入（见该户的问题），其收支情况也不导入",
                        r.number
                    ),
                    format!(
                        "household {} is rejected in this file (see its problems), so is its income",
                        r.number
                    ),
                ),
            ));
            stats.rejected_income_rows += 1;
        } else {
            kept.push(r);
        }
    }
    kept
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
