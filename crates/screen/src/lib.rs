//! `shouwang-screen` — the department-data screening engine (部门数据筛查),
//! file mode: reads the registry (households, members) and five department
//! files from a folder, applies the rules of `docs/spec/screening.md`, and
//! returns the flagged households with a per-file summary.
//!
//! Design (see `engine`):
//! - streaming: every file is read in 4 MiB blocks cut at record boundaries
//!   and handed to worker threads (both cores), so memory is bounded by the
//!   registry tables, not by the input size;
//! - ID numbers are packed into u64 keys ([`parse::parse_id`]) and joined
//!   through an open-addressing table ([`map::U64Map`]); no allocation per
//!   row on the hot path (malformed rows allocate their report);
//! - canonical UTF-8 input takes the fast path (memchr splitting, byte
//!   parsers); BOM, GBK/GB18030, CRLF, quotes, spaces, full-width digits,
//!   header aliases, reordered/extra columns and XLSX take slower but exact
//!   paths that end in the same validators, so they change no decision.

pub mod engine;
pub mod hits;
pub mod map;
pub mod output;
pub mod parse;
pub mod scan;
pub mod schema;

use std::path::PathBuf;
use std::sync::atomic::AtomicU64;

pub use engine::{run, run_dirs};
pub use hits::{Hit, hits};
pub use output::{summary_lines, write_flagged, write_rejected};
pub use schema::FileKind;
pub use shouwang_core::rules::ScreeningRules;

/// Screening parameters (筛查参数).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Params {
    /// Screening year: the window starts on `year-01-01`.
    pub year: i32,
    /// Last day of the window (截至日期), also the day ages are computed on.
    pub as_of: chrono::NaiveDate,
    /// Monitoring line (监测线) in fen per person per year.
    pub line_fen: i64,
    /// Worker threads (0 = all cores).
    pub threads: usize,
    /// Thresholds (筛查阈值): the spec's values by default (file mode); the database mode takes the
    /// county's (`CountyRules::screening`).
    pub thresholds: ScreeningRules,
}

impl Default for Params {
    fn default() -> Params {
        Params {
            year: 2022,
            as_of: chrono::NaiveDate::from_ymd_opt(2022, 6, 30).unwrap_or_default(),
            line_fen: 650_000,
            threads: 0,
            thresholds: ScreeningRules::default(),
        }
    }
}

/// Risk codes of a flagged household (风险代码), in the order of the spec.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Codes(pub u8);

impl Codes {
    /// 因病: out-of-pocket medical cost.
    pub const ILLNESS: u8 = 1;
    /// 因学: a drop-out aged 6 to 16.
    pub const SCHOOL: u8 = 2;
    /// 因残: grade 1 or 2 certificate in the window.
    pub const DISABILITY: u8 = 4;
    /// 住房安全: housing appraised C or D.
    pub const HOUSING: u8 = 8;
    /// 因灾: disaster loss.
    pub const DISASTER: u8 = 16;
    /// 收入低于监测线.
    pub const LOW_INCOME: u8 = 32;
    /// 收入临近监测线.
    pub const NEAR_LINE: u8 = 64;

    /// Code names in spec order.
    pub const NAMES: [(u8, &'static str); 7] = [
        (Codes::ILLNESS, "ILLNESS"),
        (Codes::SCHOOL, "SCHOOL"),
        (Codes::DISABILITY, "DISABILITY"),
        (Codes::HOUSING, "HOUSING"),
        (Codes::DISASTER, "DISASTER"),
        (Codes::LOW_INCOME, "LOW_INCOME"),
        (Codes::NEAR_LINE, "NEAR_LINE"),
    ];

    /// True when `code` is set.
    pub fn has(self, code: u8) -> bool {
        self.0 & code != 0
    }

    /// The codes joined by `;` (`ILLNESS;LOW_INCOME`).
    pub fn joined(self) -> String {
        let names: Vec<&str> = Codes::NAMES
            .iter()
            .filter(|(c, _)| self.has(*c))
            .map(|(_, n)| *n)
            .collect();
        names.join(";")
    }
}

/// One row of `flagged.csv` (筛查结果).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FlaggedRow {
    /// 户编号.
    pub household: String,
    /// 村代码.
    pub village: String,
    /// 户类型 as given in households.csv.
    pub household_type: String,
    /// 风险代码.
    pub codes: Codes,
    /// 医疗自付合计 in fen (sum over the window).
    pub medical_out_of_pocket_fen: i128,
    /// 灾害损失合计 in fen (sum over the window).
    pub disaster_loss_fen: i128,
    /// 人均纯收入 in fen, rounded half away from zero.
    pub per_capita_fen: i128,
}

/// Counts of one input file (汇总).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileSummary {
    /// Which file.
    pub kind: FileKind,
    /// The file actually read (`.csv` or a spreadsheet).
    pub path: PathBuf,
    /// Data rows read (blank lines not counted).
    pub rows: u64,
    /// Rows skipped as malformed, by first bad column (`columns` for a wrong
    /// number of columns), sorted by column name.
    pub skipped_by_column: Vec<(&'static str, u64)>,
    /// Valid department rows whose ID number is in no registry row (`None` for the registry files).
    pub unmatched: Option<u64>,
}

impl FileSummary {
    /// Rows skipped as malformed.
    pub fn skipped(&self) -> u64 {
        self.skipped_by_column.iter().map(|(_, n)| n).sum()
    }
}

/// A malformed row, skipped and reported (被跳过的行).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejected {
    /// Which file.
    pub kind: FileKind,
    /// File name as found in the input folder.
    pub file: String,
    /// 1-based line (CSV) or row (spreadsheet) number.
    pub line: u64,
    /// Canonical column name, or `columns` for a wrong number of columns.
    pub column: &'static str,
    /// The field as read (trimmed).
    pub value: String,
    /// Why, in Chinese.
    pub reason: String,
}

/// The result of a screening run.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// Flagged households, sorted by 户编号 (as a string).
    pub flagged: Vec<FlaggedRow>,
    /// Summary of the seven files, in spec order.
    pub files: Vec<FileSummary>,
    /// Malformed rows, by file (spec order) and line.
    pub rejected: Vec<Rejected>,
    /// Distinct households in households.csv (valid rows).
    pub households: u64,
}

/// Progress counters, updated by the workers and read by a progress display.
#[derive(Debug, Default)]
pub struct Progress {
    /// Total input bytes (set before the workers start).
    pub bytes_total: AtomicU64,
    /// Input bytes processed.
    pub bytes_done: AtomicU64,
    /// Data rows processed.
    pub rows_done: AtomicU64,
}

/// Errors that stop a run (malformed rows never do).
#[derive(Debug, thiserror::Error)]
pub enum ScreenError {
    /// An input file is missing.
    #[error("{dir}: no {base}.csv or {base}.xlsx")]
    MissingFile { dir: PathBuf, base: &'static str },
    /// The same file as CSV and as a spreadsheet.
    #[error("{dir}: both {a} and {b} exist; keep one")]
    Ambiguous { dir: PathBuf, a: String, b: String },
    /// The header does not name the required columns.
    #[error("{file}: header lacks column(s) {missing:?}; found {found:?}")]
    MissingColumns {
        file: PathBuf,
        missing: Vec<&'static str>,
        found: Vec<String>,
    },
    /// Two header cells name the same column.
    #[error("{file}: column {column} appears twice in the header")]
    DuplicateColumn { file: PathBuf, column: &'static str },
    /// The file has no header row.
    #[error("{file}: empty file (no header row)")]
    Empty { file: PathBuf },
    /// Reading failed.
    #[error(transparent)]
    Io(#[from] shouwang_io::IoError),
    /// A parameter is out of range.
    #[error("bad parameter: {0}")]
    Param(String),
    /// An internal limit was exceeded (e.g. more than 4 GiB of registry text).
    #[error("limit exceeded: {0}")]
    Limit(String),
}

impl ScreenError {
    /// The Chinese message (中文提示).
    pub fn message_zh(&self) -> String {
        match self {
            ScreenError::MissingFile { dir, base } => {
                format!("目录 {} 中缺少 {base}.csv（或 {base}.xlsx）", dir.display())
            }
            ScreenError::Ambiguous { a, b, .. } => format!("{a} 和 {b} 同时存在，请只保留一个"),
            ScreenError::MissingColumns { file, missing, .. } => {
                format!("{} 的表头缺少列：{}", file.display(), missing.join("、"))
            }
            ScreenError::DuplicateColumn { file, column } => {
                format!("{} 的表头中“{column}”出现了两次", file.display())
            }
            ScreenError::Empty { file } => format!("{} 是空文件（没有表头）", file.display()),
            ScreenError::Io(e) => e.message_zh(),
            ScreenError::Param(m) => format!("参数错误：{m}"),
            ScreenError::Limit(m) => format!("超出处理上限：{m}"),
        }
    }
}

/// Parses a yuan amount (`6500`, `5500.55`) into fen, as the spec reads money.
pub fn parse_yuan(s: &str) -> Option<i64> {
    parse::parse_money(s.trim().as_bytes())
}
