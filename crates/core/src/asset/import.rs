//! 清产核资 (§四(二)3 "全面摸清扶贫项目资产底数"): the one-off import of a county's assets from a workbook, one
//! row per asset under the 扶贫项目资产台账's column names ([`super::ledger::ASSET_COLUMNS`]) — so the
//! ledger exported by one county imports into another. [`read`] turns the rows into registrations
//! ([`Draft`]) and reports every rejected row with its row, column, value and reason ([`RowProblem`]);
//! a row with a problem is rejected whole. Pure: the file is read by `shouwang_io`, the area and the
//! database checks are `shouwang_app::assets::import`'s.
//!
//! Columns read: 资产名称, 资产类型, 乡（镇）, 行政村 (its name, or its 12-digit code), 坐落位置, 产权归属,
//! 所有权人, 户编号, 来源项目编号, 形成年度, 资产原值（元）, 资产状态 (default 在用), 管护责任人, 联系电话, 管护周期（月）.
//! The ledger's other columns (序号, 资产编号, 处置状态, 最近管护日期, 管护费用合计（元）) are ignored: an imported
//! asset is new, its upkeep and disposal start in the system.

use std::collections::{HashMap, HashSet};

use serde::Serialize;

use super::{AssetKind, AssetState, Draft, MAX_CADENCE, OwnerKind};
use crate::codes::CodeList;
use crate::money::Fen;

/// The columns a 清产核资 workbook must have.
pub const REQUIRED: &[&str] = &[
    "资产名称",
    "资产类型",
    "行政村",
    "产权归属",
    "形成年度",
    "资产原值（元）",
    "管护责任人",
];

/// The optional columns read.
pub const OPTIONAL: &[&str] = &[
    "乡（镇）",
    "坐落位置",
    "所有权人",
    "户编号",
    "来源项目编号",
    "资产状态",
    "联系电话",
    "管护周期（月）",
];

/// A rejected row's problem (导入问题): the 1-based row as the spreadsheet shows it (0: the file as a
/// whole), the column header, the value read and the reason.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RowProblem {
    /// 行 (1-based, the header is a row too; 0 for the whole file).
    pub row: u32,
    /// 列 (the header; empty for the row as a whole).
    pub column: String,
    /// 值 as read.
    pub value: String,
    /// 原因.
    pub reason_zh: String,
    /// The reason in English.
    pub reason_en: String,
}

impl RowProblem {
    /// A problem of `row` in `column` with the value read.
    pub fn new(
        row: u32,
        column: &str,
        value: &str,
        zh: impl Into<String>,
        en: impl Into<String>,
    ) -> RowProblem {
        RowProblem {
            row,
            column: column.to_owned(),
            value: value.chars().take(100).collect(),
            reason_zh: zh.into(),
            reason_en: en.into(),
        }
    }
}

/// A row of the workbook: its 1-based number and its cells' text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Row {
    /// The row number as the spreadsheet shows it.
    pub number: u32,
    /// The cells' text, in the header's order.
    pub cells: Vec<String>,
}

/// What [`read`] made of the rows: the registrations of the rows without a problem, and every problem.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Parsed {
    /// Data rows read (blank rows not counted).
    pub rows: usize,
    /// The accepted rows: row number and registration (normalized, validated).
    pub drafts: Vec<(u32, Draft)>,
    /// Every problem, by row.
    pub problems: Vec<RowProblem>,
}

impl Parsed {
    /// Rows with at least one problem.
    pub fn rejected_rows(&self) -> usize {
        let rows: HashSet<u32> = self
            .problems
            .iter()
            .filter(|p| p.row > 0)
            .map(|p| p.row)
            .collect();
        rows.len()
    }
}

/// A header as compared: spaces dropped, ASCII brackets as full-width ones (`资产原值(元)` = `资产原值（元）`).
pub fn header_key(h: &str) -> String {
    h.chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            '(' => '（',
            ')' => '）',
            c => c,
        })
        .collect()
}

/// The county's regions as the import finds a village: code → name of every township and village.
pub struct Places<'a> {
    names: &'a HashMap<String, String>,
}

impl<'a> Places<'a> {
    /// Over `names` (region code → name, the county's townships and villages).
    pub fn new(names: &'a HashMap<String, String>) -> Places<'a> {
        Places { names }
    }

    /// The village code of a `village` cell (a 12-digit code of the county, or a village's name, narrowed
    /// by the `township` cell's name when given); the reason when none or several match.
    pub fn village(&self, township: &str, village: &str) -> Result<String, (String, String)> {
        let v = village.trim();
        let t = township.trim();
        if v.len() == 12 && v.bytes().all(|b| b.is_ascii_digit()) {
            return if self.names.contains_key(v) {
                Ok(v.to_owned())
            } else {
                Err((
                    format!("{v}不是本县的行政村代码"),
                    format!("{v} is no village code of the county"),
                ))
            };
        }
        let mut found: Vec<&String> = self
            .names
            .iter()
            .filter(|(code, name)| code.len() == 12 && name.as_str() == v)
            .filter(|(code, _)| {
                t.is_empty() || self.names.get(&code[..9]).is_some_and(|n| n.as_str() == t)
            })
            .map(|(code, _)| code)
            .collect();
        found.sort();
        match found.as_slice() {
            [one] => Ok((*one).clone()),
            [] if t.is_empty() => Err((
                format!("本县没有名为“{v}”的行政村"),
                format!("The county has no village named {v}"),
            )),
            [] => Err((
                format!("{t}没有名为“{v}”的行政村"),
                format!("{t} has no village named {v}"),
            )),
            _ => Err((
                format!("本县有多个名为“{v}”的行政村，请填写乡（镇）或12位行政村代码"),
                format!("Several villages are named {v}: give the township or the 12-digit code"),
            )),
        }
    }
}

/// A code-list cell: the code, the Chinese label, or the label without its last word (`经营性` for
/// `经营性资产`, `户` for `农户`) when it names one value only.
fn code_cell<T: CodeList>(text: &str) -> Option<T> {
    T::from_any(text).or_else(|| {
        let t = text.trim();
        if t.chars().count() < 2 && t != "户" {
            return None;
        }
        let mut found = T::all().iter().copied().filter(|v| {
            let l = v.label_zh();
            l.starts_with(t) || l.ends_with(t)
        });
        match (found.next(), found.next()) {
            (Some(one), None) => Some(one),
            _ => None,
        }
    })
}

struct Cells<'r> {
    index: &'r HashMap<&'static str, usize>,
    row: &'r Row,
    problems: Vec<RowProblem>,
}

impl Cells<'_> {
    fn get(&self, column: &str) -> &str {
        self.index
            .get(column)
            .and_then(|i| self.row.cells.get(*i))
            .map_or("", |s| s.trim())
    }

    fn problem(&mut self, column: &str, zh: impl Into<String>, en: impl Into<String>) {
        let value = self.get(column).to_owned();
        self.problems
            .push(RowProblem::new(self.row.number, column, &value, zh, en));
    }

    fn required(&mut self, column: &str) -> Option<String> {
        let v = self.get(column).to_owned();
        if v.is_empty() {
            self.problem(
                column,
                format!("{column}不能为空"),
                format!("{column} is required"),
            );
            None
        } else {
            Some(v)
        }
    }

    fn code<T: CodeList>(&mut self, column: &str, default: Option<T>) -> Option<T> {
        let v = self.get(column).to_owned();
        if v.is_empty() {
            if default.is_none() {
                self.problem(
                    column,
                    format!("{column}不能为空"),
                    format!("{column} is required"),
                );
            }
            return default;
        }
        let found = code_cell::<T>(&v);
        if found.is_none() {
            let allowed: Vec<&str> = T::all().iter().map(|c| c.label_zh()).collect();
            self.problem(
                column,
                format!("{column}应为{}之一", allowed.join("、")),
                format!("{column} must be one of {}", allowed.join(", ")),
            );
        }
        found
    }

    fn number<N: std::str::FromStr>(&mut self, column: &str) -> Result<Option<N>, ()> {
        let v = self.get(column).to_owned();
        if v.is_empty() {
            return Ok(None);
        }
        let t = v.strip_suffix(".0").unwrap_or(&v);
        match t.parse::<N>() {
            Ok(n) => Ok(Some(n)),
            Err(_) => {
                self.problem(
                    column,
                    format!("{column}应为整数"),
                    format!("{column} must be a whole number"),
                );
                Err(())
            }
        }
    }
}

/// Reads the data rows of a 清产核资 workbook (`headers` its header row) into registrations, on the
/// county's `places`, against `this_year`: every problem of every row (a missing or unknown value, a
/// village not of the county, a value that is no amount, a year outside 2013–`this_year`, an asset already
/// 已处置, a row the registration's rules refuse, the same asset (village and name) twice in the file, or
/// one that `existing` (village code, name) already holds). A missing required column is one problem of
/// the file (row 0) and no row is read.
pub fn read(
    headers: &[String],
    rows: &[Row],
    places: &Places<'_>,
    existing: &HashSet<(String, String)>,
    this_year: i32,
) -> Parsed {
    let mut out = Parsed::default();
    let keys: Vec<String> = headers.iter().map(|h| header_key(h)).collect();
    let mut index: HashMap<&'static str, usize> = HashMap::new();
    for name in REQUIRED.iter().chain(OPTIONAL).copied() {
        if let Some(i) = keys.iter().position(|k| k.as_str() == name) {
            index.insert(name, i);
        }
    }
    let missing: Vec<&str> = REQUIRED
        .iter()
        .copied()
        .filter(|c| !index.contains_key(c))
        .collect();
    if !missing.is_empty() {
        out.problems.push(RowProblem::new(
            0,
            &missing.join("、"),
            "",
            format!(
                "缺少必填列：{}（列名同扶贫项目资产台账）",
                missing.join("、")
            ),
            format!(
                "Required columns are missing: {} (the asset ledger's names)",
                missing.join(", ")
            ),
        ));
        return out;
    }
    let mut seen: HashMap<(String, String), u32> = HashMap::new();
    for row in rows {
        if row.cells.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        out.rows += 1;
        let mut c = Cells {
            index: &index,
            row,
            problems: Vec::new(),
        };
        if let Some(draft) = read_row(&mut c, places, this_year) {
            let key = (draft.village.clone(), draft.name.clone());
            if let Some(first) = seen.get(&key) {
                c.problem(
                    "资产名称",
                    format!("与第{first}行重复（同一行政村的同名资产）"),
                    format!("The same asset as row {first} (same village and name)"),
                );
            } else if existing.contains(&key) {
                c.problem(
                    "资产名称",
                    "本村已登记同名资产",
                    "The village already has an asset of that name",
                );
            } else {
                seen.insert(key, row.number);
                out.drafts.push((row.number, draft));
            }
        }
        out.problems.extend(c.problems);
    }
    out
}

fn read_row(c: &mut Cells<'_>, places: &Places<'_>, this_year: i32) -> Option<Draft> {
    let name = c.required("资产名称");
    let kind = c.code::<AssetKind>("资产类型", None);
    let owner_kind = c.code::<OwnerKind>("产权归属", None);
    let state = c.code::<AssetState>("资产状态", Some(AssetState::InUse));
    if state == Some(AssetState::Disposed) {
        c.problem(
            "资产状态",
            "已处置的资产不再登记",
            "A disposed asset is not registered",
        );
    }
    let keeper = c.required("管护责任人");
    let village = match c.required("行政村") {
        None => None,
        Some(v) => {
            let township = c.get("乡（镇）").to_owned();
            match places.village(&township, &v) {
                Ok(code) => Some(code),
                Err((zh, en)) => {
                    c.problem("行政村", zh, en);
                    None
                }
            }
        }
    };
    let value = match c.required("资产原值（元）") {
        None => None,
        Some(v) => match Fen::parse_yuan(&v) {
            Ok(f) if f.0 > 0 => Some(f),
            Ok(_) => {
                c.problem(
                    "资产原值（元）",
                    "资产原值应大于0",
                    "The value must be above zero",
                );
                None
            }
            Err(e) => {
                c.problem(
                    "资产原值（元）",
                    format!("资产原值不是金额（{}）", e.message_zh()),
                    format!("The value is no amount ({e})"),
                );
                None
            }
        },
    };
    let year = match c.number::<i32>("形成年度") {
        Ok(Some(y)) if (2013..=this_year).contains(&y) => Some(y),
        Ok(Some(_)) => {
            c.problem(
                "形成年度",
                format!("形成年度应在2013年至{this_year}年之间（2013年以来形成的资产）"),
                format!("The year formed must lie between 2013 and {this_year}"),
            );
            None
        }
        Ok(None) => {
            c.problem(
                "形成年度",
                "形成年度不能为空",
                "The year formed is required",
            );
            None
        }
        Err(()) => None,
    };
    let months = match c.number::<u32>("管护周期（月）") {
        Ok(Some(m)) if m == 0 || m > MAX_CADENCE => {
            c.problem(
                "管护周期（月）",
                format!("管护周期应为1至{MAX_CADENCE}个月"),
                format!("The cadence must be 1 to {MAX_CADENCE} months"),
            );
            Err(())
        }
        other => other,
    };
    let project = c.number::<i64>("来源项目编号");
    let household = Some(c.get("户编号").to_owned()).filter(|h| !h.is_empty());
    if let Some(o) = owner_kind
        && household.is_some() != (o == OwnerKind::Household)
    {
        c.problem(
            "户编号",
            "产权归属为农户时须填写户编号（其他归属不填）",
            "A household owner needs its household number (and only then)",
        );
    }
    let phone = Some(c.get("联系电话").to_owned()).filter(|p| !p.is_empty());
    if let Some(p) = &phone
        && crate::household::changes::check_phone(p).is_err()
    {
        c.problem(
            "联系电话",
            "联系电话格式不正确",
            "The phone is not a phone number",
        );
    }
    if !c.problems.is_empty() {
        return None;
    }
    let draft = Draft {
        name: name?,
        kind: kind?,
        owner_kind: owner_kind?,
        owner_name: c.get("所有权人").to_owned(),
        household,
        keeper_name: keeper?,
        keeper_phone: phone,
        value: value?,
        village: village?,
        place: c.get("坐落位置").to_owned(),
        project: project.ok()?,
        year: year?,
        state: state?,
        upkeep_months: months.ok()?,
    }
    .normalized();
    if let Err(r) = draft.validate(this_year) {
        c.problems.push(RowProblem::new(
            c.row.number,
            "",
            "",
            r.message_zh,
            r.message_en,
        ));
        return None;
    }
    Some(draft)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names() -> HashMap<String, String> {
        [
            ("141123208", "圪塔上乡"),
            ("141123208201", "圪塔上村"),
            ("141123208202", "后沟村"),
            ("141123209", "石楼镇"),
            ("141123209201", "后沟村"),
        ]
        .into_iter()
        .map(|(c, n)| (c.to_owned(), n.to_owned()))
        .collect()
    }

    fn headers() -> Vec<String> {
        [
            "序号",
            "资产名称",
            "资产类型",
            "乡(镇)",
            "行政村",
            "产权归属",
            "户编号",
            "形成年度",
            "资产原值（元）",
            "资产状态",
            "管护责任人",
            "联系电话",
            "管护周期（月）",
        ]
        .iter()
        .map(|s| (*s).to_owned())
        .collect()
    }

    fn row(number: u32, cells: &[&str]) -> Row {
        Row {
            number,
            cells: cells.iter().map(|s| (*s).to_owned()).collect(),
        }
    }

    fn good(number: u32, name: &str) -> Row {
        row(
            number,
            &[
                "1",
                name,
                "经营性资产",
                "圪塔上乡",
                "圪塔上村",
                "村集体",
                "",
                "2018",
                "1600000",
                "在用",
                "王建国",
                "13812345678",
                "3",
            ],
        )
    }

    #[test]
    fn good_rows_become_registrations() {
        let n = names();
        let p = read(
            &headers(),
            &[good(2, "光伏电站"), row(3, &[""; 13]), good(4, "冷库")],
            &Places::new(&n),
            &HashSet::new(),
            2026,
        );
        assert_eq!(p.problems, vec![]);
        assert_eq!(p.rows, 2);
        assert_eq!(p.drafts.len(), 2);
        let (r, d) = &p.drafts[0];
        assert_eq!(*r, 2);
        assert_eq!(d.village, "141123208201");
        assert_eq!(d.value, Fen::from_yuan(1_600_000));
        assert_eq!(d.upkeep_months, Some(3));
        assert_eq!(d.kind, AssetKind::Operating);
    }

    #[test]
    fn every_problem_of_a_row_is_reported_with_its_column() {
        let n = names();
        let bad = row(
            5,
            &[
                "",
                "",
                "厂房",
                "",
                "不存在村",
                "合作社",
                "H1",
                "2010",
                "12.345",
                "已处置",
                "",
                "电话",
                "0",
            ],
        );
        let p = read(
            &headers(),
            &[good(2, "光伏电站"), bad],
            &Places::new(&n),
            &HashSet::new(),
            2026,
        );
        assert_eq!(p.drafts.len(), 1);
        let columns: Vec<&str> = p.problems.iter().map(|p| p.column.as_str()).collect();
        for c in [
            "资产名称",
            "资产类型",
            "行政村",
            "产权归属",
            "形成年度",
            "资产原值（元）",
            "资产状态",
            "管护责任人",
            "联系电话",
            "管护周期（月）",
        ] {
            assert!(columns.contains(&c), "{c}: {:?}", p.problems);
        }
        assert!(p.problems.iter().all(|p| p.row == 5));
        assert_eq!(p.rejected_rows(), 1);
    }

    #[test]
    fn villages_by_name_township_or_code() {
        let n = names();
        let places = Places::new(&n);
        assert_eq!(
            places.village("", "圪塔上村").as_deref(),
            Ok("141123208201")
        );
        assert_eq!(
            places.village("", "141123209201").as_deref(),
            Ok("141123209201")
        );
        assert_eq!(
            places.village("石楼镇", "后沟村").as_deref(),
            Ok("141123209201")
        );
        assert!(places.village("", "后沟村").unwrap_err().0.contains("多个"));
        assert!(places.village("", "141123299201").is_err());
        assert!(places.village("石楼镇", "圪塔上村").is_err());
    }

    #[test]
    fn duplicates_in_the_file_and_in_the_registry_are_rejected() {
        let n = names();
        let existing: HashSet<(String, String)> =
            [("141123208201".to_owned(), "冷库".to_owned())].into();
        let p = read(
            &headers(),
            &[good(2, "光伏电站"), good(3, "光伏电站"), good(4, "冷库")],
            &Places::new(&n),
            &existing,
            2026,
        );
        assert_eq!(p.drafts.len(), 1);
        assert_eq!(p.problems.len(), 2);
        assert!(p.problems[0].reason_zh.contains("第2行"));
        assert_eq!(p.problems[1].row, 4);
    }

    #[test]
    fn a_missing_column_rejects_the_file() {
        let n = names();
        let mut h = headers();
        h.retain(|h| h != "管护责任人" && h != "形成年度");
        let p = read(&h, &[good(2, "x")], &Places::new(&n), &HashSet::new(), 2026);
        assert_eq!(p.drafts.len(), 0);
        assert_eq!(p.problems.len(), 1);
        assert_eq!(p.problems[0].row, 0);
        assert!(p.problems[0].reason_zh.contains("管护责任人"));
    }

    #[test]
    fn the_household_number_goes_with_a_household_owner() {
        let n = names();
        let mut r = good(2, "母羊");
        r.cells[5] = "农户".to_owned();
        let p = read(
            &headers(),
            &[r.clone()],
            &Places::new(&n),
            &HashSet::new(),
            2026,
        );
        assert_eq!(p.problems[0].column, "户编号");
        r.cells[6] = "1411232082010001".to_owned();
        r.cells[2] = "到户类".to_owned();
        let p = read(&headers(), &[r], &Places::new(&n), &HashSet::new(), 2026);
        assert_eq!(p.problems, vec![]);
        assert_eq!(p.drafts[0].1.kind, AssetKind::Household);
    }
}
