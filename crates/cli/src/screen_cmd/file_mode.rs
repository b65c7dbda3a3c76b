//! `shouwang screen` in file mode (文件模式): the arguments, the run over the seven files of `--input`,
//! the output files (`flagged.csv` and `rejected.csv` beside it) and the summary on stderr. The
//! database mode (`--month`, in `screen_cmd`) takes the same arguments and reuses the output and the
//! summary.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Context;
use shouwang_screen::{Outcome, Params, output};

use super::progress::screen_with_progress;

/// Screen department data for households at risk (部门数据筛查, file mode).
///
/// Reads households, members, medical, education, disability, housing and
/// disaster (each `.csv` in UTF-8/GBK/GB18030, or `.xlsx`) from `--input`,
/// writes the flagged households to `--out` and the malformed rows to
/// `rejected.csv` beside it, and prints a summary per file to stderr.
#[derive(clap::Args, Debug, Clone)]
pub struct ScreenArgs {
    /// Folder with the seven input files (输入目录).
    #[arg(long, value_name = "DIR")]
    pub input: PathBuf,
    /// Output CSV of flagged households (筛查结果); rejected.csv goes beside it. Required in file
    /// mode; optional with --month (database mode).
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Screening year: the window starts on YEAR-01-01 (筛查年度).
    #[arg(long, value_name = "YEAR", default_value_t = 2022)]
    pub year: i32,
    /// Last day of the window, also the day ages are computed on (截至日期).
    #[arg(long, value_name = "DATE", default_value = "2022-06-30")]
    pub as_of: chrono::NaiveDate,
    /// Monitoring line in yuan per person per year (监测线).
    #[arg(long, value_name = "YUAN", default_value = "6500")]
    pub line: String,
    /// Worker threads (0 = all cores).
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub threads: usize,
    /// No progress display.
    #[arg(long)]
    pub quiet: bool,
}

/// Where `rejected.csv` goes: beside the output file.
pub fn rejected_path(out: &Path) -> PathBuf {
    let name = if out.file_name().is_some_and(|n| n == "rejected.csv") {
        "rejected_rows.csv"
    } else {
        "rejected.csv"
    };
    out.with_file_name(name)
}

/// Runs `shouwang screen` in file mode; returns the process exit code.
pub fn run(args: &ScreenArgs) -> anyhow::Result<u8> {
    let Some(out) = &args.out else {
        anyhow::bail!(
            "缺少 --out（文件模式须指定筛查结果文件；数据库模式请用 --month） / --out is required in file mode (or use --month for the database mode)"
        );
    };
    let line_fen = shouwang_screen::parse_yuan(&args.line).with_context(|| {
        format!(
            "bad --line {:?}: expected yuan like 6500 or 5500.55",
            args.line
        )
    })?;
    let params = Params {
        year: args.year,
        as_of: args.as_of,
        line_fen,
        threads: args.threads,
        ..Params::default()
    };
    let (outcome, elapsed) = screen_with_progress(&args.input, &args.input, &params, args.quiet)
        .map_err(|e| anyhow::anyhow!("{} ({e})", e.message_zh()))?;
    let rejected = write_outputs(out, &outcome)?;
    eprint!("{}", report(&outcome, elapsed, &rejected));
    Ok(0)
}

/// Writes `flagged.csv` to `out` and `rejected.csv` beside it; returns the path of the latter.
pub fn write_outputs(out: &Path, outcome: &Outcome) -> anyhow::Result<PathBuf> {
    let file =
        std::fs::File::create(out).with_context(|| format!("cannot create {}", out.display()))?;
    output::write_flagged(file, &outcome.flagged)
        .with_context(|| format!("cannot write {}", out.display()))?;
    let rejected = rejected_path(out);
    let file = std::fs::File::create(&rejected)
        .with_context(|| format!("cannot create {}", rejected.display()))?;
    output::write_rejected(file, &outcome.rejected)
        .with_context(|| format!("cannot write {}", rejected.display()))?;
    Ok(rejected)
}

/// The stderr report of a run: the first skipped rows, the per-file summary and the speed.
pub fn report(outcome: &Outcome, elapsed: Duration, rejected: &Path) -> String {
    let mut err = String::new();
    for l in output::skipped_lines(outcome, 20) {
        err.push_str(&l);
        err.push('\n');
    }
    for l in output::summary_lines(outcome) {
        err.push_str(&l);
        err.push('\n');
    }
    let rows: u64 = outcome.files.iter().map(|f| f.rows).sum();
    err.push_str(&format!(
        "screen: {} rows in {:.2} s ({:.1} M rows/s); {} malformed rows listed in {}\n",
        rows,
        elapsed.as_secs_f64(),
        rows as f64 / elapsed.as_secs_f64().max(1e-9) / 1e6,
        outcome.rejected.len(),
        rejected.display()
    ));
    err
}
