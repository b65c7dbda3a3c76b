//! A department file (部门数据) screened by `shouwang_screen::run` against a small registry: the header
//! search, the CSV / XLSX readers, the validators and the rules on any bytes.

use std::cell::RefCell;
use std::path::Path;

use chrono::NaiveDate;
use shouwang_core::idnum::make;
use shouwang_screen::{
    FileKind, Params, Progress, run, summary_lines, write_flagged, write_rejected,
};

thread_local! {
    /// One folder per thread, its files rewritten for each input.
    static DIR: RefCell<Option<tempfile::TempDir>> = const { RefCell::new(None) };
}

/// A valid file of each kind: a header and a few rows (two households, three members).
fn valid(kind: FileKind) -> String {
    let birth = NaiveDate::from_ymd_opt(1970, 5, 17).unwrap_or_default();
    let id = |seq: u16| make(141_123, birth, seq).to_string();
    let (a, b, c) = (id(11), id(22), id(33));
    match kind {
        FileKind::Households => "户编号,村代码,家庭人口,上年家庭纯收入,户类型\nH1,141123208201,2,5000.50,脱贫户\nH2,141123208201,1,12000,一般农户\n".into(),
        FileKind::Members => format!("身份证号,户编号,姓名,与户主关系\n{a},H1,甲,户主\n{b},H1,乙,妻\n{c},H2,丙,户主\n"),
        FileKind::Medical => format!("身份证号,结算日期,医疗总费用,基本医保支付,大病保险支付,医疗救助支付\n{a},2022-03-01,80000,20000,5000,1000\n{c},2022-13-01,1,1,1,1\n"),
        FileKind::Education => format!("身份证号,在校状态\n{b},辍学\n"),
        FileKind::Disability => format!("身份证号,残疾等级,发证日期\n{a},1,2022-02-02\n"),
        FileKind::Housing => format!("身份证号,鉴定日期,安全等级\n{c},2022-04-04,D级\n"),
        FileKind::Disaster => format!("身份证号,发生日期,损失金额\n{b},2022-05-05,30000\n"),
    }
}

fn write_folder(dir: &Path, kind: FileKind, body: &[u8]) -> std::io::Result<()> {
    for k in FileKind::ALL {
        for ext in ["csv", "xlsx"] {
            let _ = std::fs::remove_file(dir.join(format!("{}.{ext}", k.base())));
        }
        if k != kind {
            std::fs::write(dir.join(k.csv_name()), valid(k))?;
        }
    }
    let ext = if body.starts_with(b"PK") {
        "xlsx"
    } else {
        "csv"
    };
    std::fs::write(dir.join(format!("{}.{ext}", kind.base())), body)
}

/// The first byte picks the file (one of the seven, the registry's two included), the rest is its
/// content (an XLSX file if it starts with `PK`); the other six are valid. The run ends with an
/// outcome or an error, never a panic, and its outcome can be written out.
pub fn department_file(data: &[u8]) {
    let Some((&which, body)) = data.split_first() else {
        return;
    };
    let kind = FileKind::ALL[usize::from(which) % FileKind::ALL.len()];
    DIR.with(|cell| {
        let mut slot = cell.borrow_mut();
        if slot.is_none() {
            *slot = tempfile::tempdir().ok();
        }
        let Some(dir) = slot.as_ref() else { return };
        if write_folder(dir.path(), kind, body).is_err() {
            return;
        }
        let params = Params {
            threads: 1,
            ..Params::default()
        };
        let Ok(outcome) = run(dir.path(), &params, &Progress::default()) else {
            return;
        };
        let mut out = Vec::new();
        assert!(write_flagged(&mut out, &outcome.flagged).is_ok());
        assert!(write_rejected(&mut out, &outcome.rejected).is_ok());
        assert_eq!(summary_lines(&outcome).is_empty(), outcome.files.is_empty());
        assert!(outcome.flagged.len() as u64 <= outcome.households);
    });
}
