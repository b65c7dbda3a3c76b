//! The seven input files of the screening contract and their columns
//! (`docs/spec/screening.md`, "Inputs"), and how a file's header is matched
//! to them (aliases, any order, extra columns).

use shouwang_core::headers::{find_header, normalise_header};

/// One of the seven input files (输入文件).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FileKind {
    /// 户 registry (households.csv).
    Households,
    /// 人 registry (members.csv).
    Members,
    /// 医保结算 medical-insurance settlements.
    Medical,
    /// 教育 school status.
    Education,
    /// 残联 disability certificates.
    Disability,
    /// 住建 housing-safety appraisals.
    Housing,
    /// 应急 disaster losses.
    Disaster,
}

/// How a column is validated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColKind {
    /// Free text, never malformed.
    Text,
    /// 身份证号: 17 digits and a GB 11643 check character.
    Id,
    /// `YYYY-MM-DD`.
    Date,
    /// Yuan `-?digits(.d{1,2})?`.
    Money,
    /// `[0-9]{1,9}`.
    Int,
    /// `[0-9]{1,9}` and ≥ 1 (家庭人口).
    Size,
}

/// A canonical column.
#[derive(Debug, Clone, Copy)]
pub struct Column {
    /// Canonical (Chinese) name.
    pub name: &'static str,
    /// Validation.
    pub kind: ColKind,
    /// Whether the file must have it (free-text columns the rules never read may be missing).
    pub required: bool,
}

const fn col(name: &'static str, kind: ColKind) -> Column {
    Column {
        name,
        kind,
        required: true,
    }
}

const fn opt(name: &'static str) -> Column {
    Column {
        name,
        kind: ColKind::Text,
        required: false,
    }
}

use ColKind::*;

const HOUSEHOLDS: &[Column] = &[
    col("户编号", Text),
    col("村代码", Text),
    col("家庭人口", Size),
    col("上年家庭纯收入", Money),
    col("户类型", Text),
];
const MEMBERS: &[Column] = &[
    col("身份证号", Id),
    col("户编号", Text),
    opt("姓名"),
    opt("与户主关系"),
];
const MEDICAL: &[Column] = &[
    col("身份证号", Id),
    col("结算日期", Date),
    col("医疗总费用", Money),
    col("基本医保支付", Money),
    col("大病保险支付", Money),
    col("医疗救助支付", Money),
];
const EDUCATION: &[Column] = &[col("身份证号", Id), col("在校状态", Text)];
const DISABILITY: &[Column] = &[
    col("身份证号", Id),
    col("残疾等级", Int),
    col("发证日期", Date),
];
const HOUSING: &[Column] = &[
    col("身份证号", Id),
    col("鉴定日期", Date),
    col("安全等级", Text),
];
const DISASTER: &[Column] = &[
    col("身份证号", Id),
    col("发生日期", Date),
    col("损失金额", Money),
];

/// Most columns of any file.
pub const MAX_COLS: usize = 6;

impl FileKind {
    /// All seven, in the order of the spec (and of the summary).
    pub const ALL: [FileKind; 7] = [
        FileKind::Households,
        FileKind::Members,
        FileKind::Medical,
        FileKind::Education,
        FileKind::Disability,
        FileKind::Housing,
        FileKind::Disaster,
    ];

    /// Base name of the file (`medical` for `medical.csv` / `medical.xlsx`).
    pub fn base(self) -> &'static str {
        match self {
            FileKind::Households => "households",
            FileKind::Members => "members",
            FileKind::Medical => "medical",
            FileKind::Education => "education",
            FileKind::Disability => "disability",
            FileKind::Housing => "housing",
            FileKind::Disaster => "disaster",
        }
    }

    /// Canonical CSV file name, as printed in the summary.
    pub fn csv_name(self) -> &'static str {
        match self {
            FileKind::Households => "households.csv",
            FileKind::Members => "members.csv",
            FileKind::Medical => "medical.csv",
            FileKind::Education => "education.csv",
            FileKind::Disability => "disability.csv",
            FileKind::Housing => "housing.csv",
            FileKind::Disaster => "disaster.csv",
        }
    }

    /// Canonical columns, in canonical order (the order in which a row's
    /// columns are validated: the first bad one is reported).
    pub fn columns(self) -> &'static [Column] {
        match self {
            FileKind::Households => HOUSEHOLDS,
            FileKind::Members => MEMBERS,
            FileKind::Medical => MEDICAL,
            FileKind::Education => EDUCATION,
            FileKind::Disability => DISABILITY,
            FileKind::Housing => HOUSING,
            FileKind::Disaster => DISASTER,
        }
    }

    /// A department file (部门数据), whose rows are matched by ID number.
    pub fn is_department(self) -> bool {
        !matches!(self, FileKind::Households | FileKind::Members)
    }

    /// Index in [`FileKind::ALL`].
    pub fn index(self) -> usize {
        self as usize
    }
}

/// Where each canonical column sits in a file's rows.
#[derive(Debug, Clone, Copy)]
pub struct ColMap {
    /// File column index of canonical column `i`, `usize::MAX` when an optional column is missing.
    pub idx: [usize; MAX_COLS],
    /// Number of columns of the header (every row must have as many).
    pub width: usize,
}

/// Index of a missing optional column.
pub const MISSING: usize = usize::MAX;

/// A header that cannot be matched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HeaderError {
    /// Required columns not found (canonical names).
    Missing(Vec<&'static str>),
    /// Two header cells name the same column.
    Duplicate(&'static str),
}

/// Matches header cells (already trimmed text) to the canonical columns.
/// A cell matches by its canonical name or an alias (the one table of
/// [`shouwang_core::headers`]); unknown cells are extra columns and are ignored.
pub fn resolve(kind: FileKind, header: &[String]) -> Result<ColMap, HeaderError> {
    let cols = kind.columns();
    let mut idx = [MISSING; MAX_COLS];
    for (fi, cell) in header.iter().enumerate() {
        let norm = normalise_header(cell);
        let names = find_header(&norm);
        if let Some(ci) = cols
            .iter()
            .position(|c| c.name == norm || names.is_some_and(|n| n.accepts(c.name)))
        {
            if idx[ci] != MISSING {
                return Err(HeaderError::Duplicate(cols[ci].name));
            }
            idx[ci] = fi;
        }
    }
    let missing: Vec<&'static str> = cols
        .iter()
        .zip(idx)
        .filter(|(c, i)| c.required && *i == MISSING)
        .map(|(c, _)| c.name)
        .collect();
    if !missing.is_empty() {
        return Err(HeaderError::Missing(missing));
    }
    Ok(ColMap {
        idx,
        width: header.len(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(cells: &[&str]) -> Vec<String> {
        cells.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn canonical_aliases_reordered_extra() {
        let m = resolve(
            FileKind::Medical,
            &h(&[
                "身份证号",
                "结算日期",
                "医疗总费用",
                "基本医保支付",
                "大病保险支付",
                "医疗救助支付",
            ]),
        )
        .unwrap();
        assert_eq!(&m.idx[..6], &[0, 1, 2, 3, 4, 5]);
        let m = resolve(
            FileKind::Members,
            &h(&["备注", "户号", "公民身份号码", "姓名"]),
        )
        .unwrap();
        assert_eq!(&m.idx[..4], &[2, 1, 3, MISSING]);
        assert_eq!(m.width, 4);
        assert_eq!(
            resolve(FileKind::Education, &h(&["证件号码"])).unwrap_err(),
            HeaderError::Missing(vec!["在校状态"])
        );
        assert_eq!(
            resolve(
                FileKind::Education,
                &h(&["证件号码", "身份证号", "在校状态"])
            )
            .unwrap_err(),
            HeaderError::Duplicate("身份证号")
        );
    }
}
