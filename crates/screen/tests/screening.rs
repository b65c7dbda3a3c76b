//! End-to-end tests of the screening engine against `bench/reference/reference.py`
//! (byte-identical `flagged.csv` and summary lines), on a normalised-quirky
//! copy of the input, and at every rule boundary of `docs/spec/screening.md`.
//!
//! Inputs are generated with `bench/reference/gen_screening.py` (2,000
//! households: fast enough for CI). Both scripts use Python 3's standard library only.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use shouwang_screen::parse::check_char;
use shouwang_screen::scan::Splitter;
use shouwang_screen::{Outcome, Params, Progress, output};

/// The repository's `bench/reference/`: the input generator and the independent reference engine.
fn reference_dir() -> PathBuf {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../bench/reference");
    assert!(
        p.join("reference.py").exists(),
        "bench/reference/reference.py not found at {}",
        p.display()
    );
    p
}

fn generate(dir: &Path, households: u32, seed: u32, dirty: &str) {
    let st = Command::new("python3")
        .arg(reference_dir().join("gen_screening.py"))
        .args(["--out"])
        .arg(dir)
        .args([
            "--households",
            &households.to_string(),
            "--seed",
            &seed.to_string(),
        ])
        .args(["--dirty", dirty])
        .output()
        .expect("python3 runs");
    assert!(
        st.status.success(),
        "{}",
        String::from_utf8_lossy(&st.stderr)
    );
}

/// Runs reference.py; returns (flagged.csv bytes, summary lines, skipped lines).
fn reference(dir: &Path, extra: &[&str]) -> (Vec<u8>, Vec<String>, Vec<String>) {
    let out = dir.join("reference_flagged.csv.out");
    let st = Command::new("python3")
        .arg(reference_dir().join("reference.py"))
        .arg(dir)
        .arg(&out)
        .args(extra)
        .output()
        .expect("python3 runs");
    assert!(
        st.status.success(),
        "{}",
        String::from_utf8_lossy(&st.stderr)
    );
    let err = String::from_utf8_lossy(&st.stderr);
    let pick = |p: &str| {
        err.lines()
            .filter(|l| l.starts_with(p))
            .map(String::from)
            .collect()
    };
    let bytes = std::fs::read(&out).expect("reference output");
    std::fs::remove_file(&out).ok();
    (bytes, pick("summary"), pick("skipped"))
}

fn params(extra: &[&str]) -> Params {
    let mut p = Params::default();
    let mut it = extra.iter();
    while let Some(k) = it.next() {
        let v = it.next().expect("value");
        match *k {
            "--year" => p.year = v.parse().expect("year"),
            "--as-of" => p.as_of = v.parse().expect("date"),
            "--line" => p.line_fen = shouwang_screen::parse_yuan(v).expect("line"),
            _ => panic!("{k}"),
        }
    }
    p
}

fn ours(dir: &Path, p: &Params) -> (Vec<u8>, Outcome) {
    let o = shouwang_screen::run(dir, p, &Progress::default()).expect("screening runs");
    let mut bytes = Vec::new();
    output::write_flagged(&mut bytes, &o.flagged).expect("write");
    (bytes, o)
}

fn assert_same_as_reference(dir: &Path, extra: &[&str]) {
    let (ref_csv, ref_summary, ref_skipped) = reference(dir, extra);
    for threads in [1, 2, 3] {
        let p = Params {
            threads,
            ..params(extra)
        };
        let (csv, o) = ours(dir, &p);
        assert!(
            csv == ref_csv,
            "flagged.csv differs from reference.py on {} {extra:?}",
            dir.display()
        );
        assert_eq!(output::summary_lines(&o), ref_summary, "{extra:?}");
        assert_eq!(output::skipped_lines(&o, 20), ref_skipped, "{extra:?}");
    }
}

#[test]
fn byte_identical_to_reference_on_several_seeds() {
    let tmp = tempfile::tempdir().expect("tempdir");
    for seed in 1..=3 {
        for dirty in ["0", "0.01"] {
            let dir = tmp.path().join(format!("s{seed}_d{dirty}"));
            generate(&dir, 2000, seed, dirty);
            assert_same_as_reference(&dir, &[]);
        }
    }
}

#[test]
fn byte_identical_to_reference_with_other_parameters() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let runs: [(u32, &str, &[&str]); 4] = [
        (1, "0.01", &["--as-of", "2022-12-31"]),
        (
            2,
            "0.01",
            &[
                "--year",
                "2021",
                "--as-of",
                "2021-09-30",
                "--line",
                "5500.55",
            ],
        ),
        (3, "0", &["--line", "7000"]),
        (
            4,
            "0.02",
            &[
                "--year",
                "2022",
                "--as-of",
                "2022-03-31",
                "--line",
                "6000.5",
            ],
        ),
    ];
    for (seed, dirty, extra) in runs {
        let dir = tmp.path().join(format!("s{seed}"));
        generate(&dir, 2000, seed, dirty);
        assert_same_as_reference(&dir, extra);
    }
}

// ---------------------------------------------------------------- the quirky copy

fn read_rows(path: &Path) -> Vec<Vec<String>> {
    let text = std::fs::read(path).expect("read");
    let mut sp = Splitter::default();
    let mut rows = Vec::new();
    let mut pos = 0;
    while pos < text.len() {
        let (end, _) = sp.split_quoted(&text, pos);
        let f = sp.fields();
        rows.push(
            (0..f.len())
                .map(|i| String::from_utf8_lossy(f.get(i)).into_owned())
                .collect(),
        );
        pos = end;
    }
    rows
}

fn full_width(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '0'..='9' => char::from_u32(c as u32 - 0x30 + 0xFF10).unwrap_or(c),
            c => c,
        })
        .collect()
}

/// Writes rows as a quirky CSV: fields in `order` (indices into the canonical
/// row; `None` = an extra column), some quoted, spaces and tabs around
/// fields, blank lines, CRLF when asked.
fn quirky_csv(
    rows: &[Vec<String>],
    header: &[&str],
    order: &[Option<usize>],
    crlf: bool,
) -> String {
    let nl = if crlf { "\r\n" } else { "\n" };
    let mut out = String::new();
    let head: Vec<String> = order
        .iter()
        .enumerate()
        .map(|(k, o)| match o {
            Some(i) => format!(" {} ", header[*i]),
            None => format!("备注{k}"),
        })
        .collect();
    out.push_str(&head.join(","));
    out.push_str(nl);
    for (r, row) in rows.iter().enumerate() {
        if r % 97 == 5 {
            out.push_str(nl); // blank line
            out.push_str(" \t");
            out.push_str(nl);
        }
        let cells: Vec<String> = order
            .iter()
            .enumerate()
            .map(|(k, o)| {
                let v = match o {
                    Some(i) => row[*i].clone(),
                    None => "附注, 含逗号和\"引号\"".to_string(),
                };
                let needs = v.contains([',', '"', '\n']);
                if needs || (r + k) % 3 == 0 {
                    format!("\"{}\"", v.replace('"', "\"\""))
                } else if (r + k) % 5 == 1 {
                    format!(" \t{v}  ")
                } else {
                    v
                }
            })
            .collect();
        let _ = write!(out, "{}{nl}", cells.join(","));
    }
    out
}

fn quirky_id(id: &str, r: usize) -> String {
    let id = if id.ends_with('X') && r.is_multiple_of(2) {
        format!("{}x", &id[..id.len() - 1])
    } else {
        id.to_string()
    };
    if r % 7 == 3 { full_width(&id) } else { id }
}

fn gbk(s: &str) -> Vec<u8> {
    let (b, _, unmappable) = encoding_rs::GBK.encode(s);
    assert!(!unmappable);
    b.into_owned()
}

fn gb18030(s: &str) -> Vec<u8> {
    let (b, _, unmappable) = encoding_rs::GB18030.encode(s);
    assert!(!unmappable);
    b.into_owned()
}

fn make_quirky_copy(src: &Path, dst: &Path) {
    std::fs::create_dir_all(dst).expect("mkdir");
    let read = |name: &str| read_rows(&src.join(name));

    // households: GBK, CRLF, aliases, reordered, an extra column
    let mut rows = read("households.csv");
    rows.remove(0);
    let text = quirky_csv(
        &rows,
        &[
            "户号",
            "行政区划代码",
            "家庭人口数",
            "家庭纯收入（元）",
            "户属性",
        ],
        &[Some(4), None, Some(3), Some(0), Some(2), Some(1)],
        true,
    );
    std::fs::write(dst.join("households.csv"), gbk(&text)).expect("write");

    // members: UTF-8 BOM, aliases, reordered, full-width digits, lower-case x
    let mut rows = read("members.csv");
    rows.remove(0);
    for (r, row) in rows.iter_mut().enumerate() {
        row[0] = quirky_id(&row[0], r);
    }
    let text = quirky_csv(
        &rows,
        &["公民身份号码", "家庭编号", "姓名", "与户主关系"],
        &[Some(2), Some(1), None, Some(0), Some(3)],
        false,
    );
    let mut bytes = vec![0xEF, 0xBB, 0xBF];
    bytes.extend_from_slice(text.as_bytes());
    std::fs::write(dst.join("members.csv"), bytes).expect("write");

    // medical: an XLSX file, IDs as text, money as numbers, dates as Excel dates
    write_medical_xlsx(&read("medical.csv"), &dst.join("medical.xlsx"));

    // education: GB18030, CRLF, alias 证件号码
    let mut rows = read("education.csv");
    rows.remove(0);
    for (r, row) in rows.iter_mut().enumerate() {
        row[0] = quirky_id(&row[0], r);
    }
    let text = quirky_csv(&rows, &["证件号码", "在校状态"], &[Some(1), Some(0)], true);
    std::fs::write(dst.join("education.csv"), gb18030(&text)).expect("write");

    // disability, housing, disaster: UTF-8 with quotes, spaces, extra columns
    for (name, header, order) in [
        (
            "disability.csv",
            &["身份证号码", "残疾等级", "发证日期"][..],
            &[Some(2), Some(0), None, Some(1)][..],
        ),
        (
            "housing.csv",
            &["身份证件号码", "鉴定日期", "住房安全等级"][..],
            &[None, Some(0), Some(2), Some(1)][..],
        ),
        (
            "disaster.csv",
            &["公民身份号码", "灾害发生日期", "损失金额（元）"][..],
            &[Some(2), Some(1), Some(0)][..],
        ),
    ] {
        let mut rows = read(name);
        rows.remove(0);
        for (r, row) in rows.iter_mut().enumerate() {
            if row.len() == header.len() {
                row[0] = quirky_id(&row[0], r);
            }
        }
        let rows: Vec<Vec<String>> = rows
            .into_iter()
            .filter(|r| r.len() == header.len())
            .collect();
        let text = quirky_csv(&rows, header, order, false);
        std::fs::write(dst.join(name), text).expect("write");
    }
}

fn write_medical_xlsx(rows: &[Vec<String>], path: &Path) {
    use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    let date_fmt = Format::new().set_num_format("yyyy-mm-dd");
    // header in another order with an extra column
    let order = [0usize, 2, 3, 1, 4, 5];
    for (c, &i) in order.iter().enumerate() {
        ws.write_string(0, c as u16, rows[0][i].as_str())
            .expect("cell");
    }
    ws.write_string(0, 6, "备注").expect("cell");
    for (r, row) in rows.iter().enumerate().skip(1) {
        let r32 = r as u32;
        for (c, &i) in order.iter().enumerate() {
            let c = c as u16;
            let v = row.get(i).map_or("", String::as_str);
            match i {
                0 => {
                    ws.write_string(r32, c, quirky_id(v, r).as_str())
                        .expect("cell");
                }
                1 => {
                    let parsed = shouwang_screen::parse::parse_date(v.as_bytes()).and_then(|d| {
                        ExcelDateTime::from_ymd(
                            (d / 10000) as u16,
                            (d / 100 % 100) as u8,
                            (d % 100) as u8,
                        )
                        .ok()
                    });
                    match parsed {
                        Some(dt) => {
                            ws.write_datetime_with_format(r32, c, &dt, &date_fmt)
                                .expect("cell");
                        }
                        None => {
                            ws.write_string(r32, c, v).expect("cell");
                        }
                    }
                }
                _ => match shouwang_screen::parse::parse_money(v.as_bytes()) {
                    Some(fen) if r % 4 != 0 => {
                        ws.write_number(r32, c, fen as f64 / 100.0).expect("cell");
                    }
                    _ => {
                        ws.write_string(r32, c, v).expect("cell");
                    }
                },
            }
        }
    }
    wb.save(path).expect("save xlsx");
}

#[test]
fn quirky_copy_gives_the_same_result() {
    let tmp = tempfile::tempdir().expect("tempdir");
    for (seed, dirty) in [(5, "0"), (6, "0.01")] {
        let canon = tmp.path().join(format!("canon{seed}"));
        let quirky = tmp.path().join(format!("quirky{seed}"));
        generate(&canon, 2000, seed, dirty);
        make_quirky_copy(&canon, &quirky);
        // the medical file must not also exist as CSV
        assert!(!quirky.join("medical.csv").exists());
        let p = Params::default();
        let (a, oa) = ours(&canon, &p);
        let (b, ob) = ours(&quirky, &p);
        assert!(oa.flagged.len() > 100);
        assert!(
            a == b,
            "flagged.csv differs on the quirky copy (seed {seed})"
        );
        assert_eq!(output::summary_lines(&oa), output::summary_lines(&ob));
        // and the canonical input still agrees with the reference
        let (ref_csv, ref_summary, _) = reference(&canon, &[]);
        assert!(a == ref_csv);
        assert_eq!(output::summary_lines(&oa), ref_summary);
    }
}

// ---------------------------------------------------------------- rule boundaries

/// An ID number born on `birth` (yyyymmdd) with sequence `seq`.
fn id(birth: u32, seq: u32) -> String {
    let first = format!("141123{birth:08}{seq:03}");
    let mut a = [0u8; 17];
    a.copy_from_slice(first.as_bytes());
    format!("{first}{}", check_char(&a) as char)
}

struct Case {
    households: String,
    members: String,
    medical: String,
    education: String,
    disability: String,
    housing: String,
    disaster: String,
    seq: u32,
}

impl Case {
    fn new() -> Case {
        Case {
            households: "户编号,村代码,家庭人口,上年家庭纯收入,户类型\n".into(),
            members: "身份证号,户编号,姓名,与户主关系\n".into(),
            medical: "身份证号,结算日期,医疗总费用,基本医保支付,大病保险支付,医疗救助支付\n".into(),
            education: "身份证号,在校状态\n".into(),
            disability: "身份证号,残疾等级,发证日期\n".into(),
            housing: "身份证号,鉴定日期,安全等级\n".into(),
            disaster: "身份证号,发生日期,损失金额\n".into(),
            seq: 0,
        }
    }

    /// A household with one member (born 1970 unless `birth`); returns the member's ID.
    fn household(&mut self, hid: &str, size: u32, income: &str, birth: Option<u32>) -> String {
        self.seq += 1;
        let pid = id(birth.unwrap_or(19700101), self.seq);
        let _ = writeln!(
            self.households,
            "{hid},141123100200,{size},{income},一般农户"
        );
        let _ = writeln!(self.members, "{pid},{hid},测试,户主");
        pid
    }

    fn write(&self, dir: &Path) {
        std::fs::create_dir_all(dir).expect("mkdir");
        for (name, text) in [
            ("households.csv", &self.households),
            ("members.csv", &self.members),
            ("medical.csv", &self.medical),
            ("education.csv", &self.education),
            ("disability.csv", &self.disability),
            ("housing.csv", &self.housing),
            ("disaster.csv", &self.disaster),
        ] {
            std::fs::write(dir.join(name), text).expect("write");
        }
    }
}

fn codes_of(o: &Outcome, hid: &str) -> String {
    o.flagged
        .iter()
        .find(|r| r.household == hid)
        .map_or_else(String::new, |r| r.codes.joined())
}

#[test]
fn rule_boundaries() {
    let mut c = Case::new();
    // ILLNESS: > 10000 out of pocket (income high enough for the 50 % rule not to apply)
    let p = c.household("H01", 1, "100000", None);
    let _ = writeln!(c.medical, "{p},2022-03-01,12000.00,2000.00,0,0");
    let p = c.household("H02", 1, "100000", None);
    let _ = writeln!(c.medical, "{p},2022-03-01,12000.01,2000.00,0,0");
    // split over several settlements and members of the window edges
    let p = c.household("H03", 1, "100000", None);
    let _ = writeln!(c.medical, "{p},2022-01-01,5000.00,0,0,0");
    let _ = writeln!(c.medical, "{p},2022-06-30,5000.01,0,0,0");
    let _ = writeln!(c.medical, "{p},2021-12-31,99999,0,0,0");
    let _ = writeln!(c.medical, "{p},2022-07-01,99999,0,0,0");
    // ILLNESS: > 50 % of income
    let p = c.household("H04", 1, "10000", None);
    let _ = writeln!(c.medical, "{p},2022-03-01,5000.00,0,0,0");
    let p = c.household("H05", 1, "10000", None);
    let _ = writeln!(c.medical, "{p},2022-03-01,5000.01,0,0,0");
    // literal reading: income <= 0 flags ILLNESS and DISASTER with 0.00
    c.household("H06", 1, "-1.00", None);
    // SCHOOL: age 6..=16 on 2022-06-30, birthday on as-of counts
    for (hid, birth) in [
        ("H07", 20060630u32), // 16 today: flagged
        ("H08", 20050630),    // 17 today: not
        ("H09", 20050701),    // 16 until tomorrow: flagged
        ("H10", 20160630),    // 6 today: flagged
        ("H11", 20160701),    // 5: not
    ] {
        let p = c.household(hid, 1, "100000", Some(birth));
        let _ = writeln!(c.education, "{p},辍学");
    }
    let p = c.household("H12", 1, "100000", Some(20100101));
    let _ = writeln!(c.education, "{p},休学");
    // LOW_INCOME: exact quotient against the line (6500 per person)
    c.household("H13", 2, "13000.00", None); // on the line: not low, not near (no other code)
    c.household("H14", 2, "12999.99", None); // low, shown as 6500.00
    // NEAR_LINE: below 1.5 x line and another code
    let p = c.household("H15", 2, "19500.00", None); // exactly 1.5 x: not near
    let _ = writeln!(c.housing, "{p},2015-01-01,C");
    let p = c.household("H16", 2, "19499.99", None); // near
    let _ = writeln!(c.housing, "{p},2030-01-01,D");
    let p = c.household("H17", 2, "13000.00", None); // on the line + housing: near
    let _ = writeln!(c.housing, "{p},2022-01-01,D");
    c.household("H18", 2, "15000", None); // near the line but no other code: not flagged
    let p = c.household("H19", 1, "100000", None);
    let _ = writeln!(c.housing, "{p},2022-01-01,B");
    // DISASTER: > 20000 in the window, or > 50 % of income
    let p = c.household("H20", 1, "100000", None);
    let _ = writeln!(c.disaster, "{p},2022-02-01,20000");
    let p = c.household("H21", 1, "100000", None);
    let _ = writeln!(c.disaster, "{p},2022-02-01,10000.01");
    let _ = writeln!(c.disaster, "{p},2022-06-30,10000");
    let _ = writeln!(c.disaster, "{p},2022-07-01,50000");
    let p = c.household("H22", 1, "30000", None);
    let _ = writeln!(c.disaster, "{p},2022-02-01,15000.00");
    let p = c.household("H23", 1, "30000", None);
    let _ = writeln!(c.disaster, "{p},2022-02-01,15000.01");
    // DISABILITY: grade 1 or 2 ('02' is 2) with a certificate in the window
    let p = c.household("H24", 1, "100000", None);
    let _ = writeln!(c.disability, "{p},02,2022-01-01");
    let p = c.household("H25", 1, "100000", None);
    let _ = writeln!(c.disability, "{p},3,2022-01-01");
    let p = c.household("H26", 1, "100000", None);
    let _ = writeln!(c.disability, "{p},1,2021-12-31");
    // unmatched and malformed department rows
    let _ = writeln!(c.medical, "{},2022-03-01,1,0,0,0", id(19800101, 999));
    let _ = writeln!(c.medical, "{},2022-03-01,1,0,0,0", &id(19800101, 998)[..17]);
    let _ = writeln!(c.medical, "x,2022-03-01,1,0,0");
    // a member of a household that is not in households.csv: matched, no output
    let stray = id(19900101, 997);
    let _ = writeln!(c.members, "{stray},H99,测试,户主");
    let _ = writeln!(c.medical, "{stray},2022-03-01,50000,0,0,0");

    let tmp = tempfile::tempdir().expect("tempdir");
    c.write(tmp.path());
    let (csv, o) = ours(tmp.path(), &Params::default());
    let expect = [
        ("H01", ""),
        ("H02", "ILLNESS"),
        ("H03", "ILLNESS"),
        ("H04", ""),
        ("H05", "ILLNESS"),
        ("H06", "ILLNESS;DISASTER;LOW_INCOME"),
        ("H07", "SCHOOL"),
        ("H08", ""),
        ("H09", "SCHOOL"),
        ("H10", "SCHOOL"),
        ("H11", ""),
        ("H12", ""),
        ("H13", ""),
        ("H14", "LOW_INCOME"),
        ("H15", "HOUSING"),
        ("H16", "HOUSING;NEAR_LINE"),
        ("H17", "HOUSING;NEAR_LINE"),
        ("H18", ""),
        ("H19", ""),
        ("H20", ""),
        ("H21", "DISASTER"),
        ("H22", ""),
        ("H23", "DISASTER"),
        ("H24", "DISABILITY"),
        ("H25", ""),
        ("H26", ""),
    ];
    for (hid, codes) in expect {
        assert_eq!(codes_of(&o, hid), codes, "{hid}");
    }
    let row = |hid: &str| {
        o.flagged
            .iter()
            .find(|r| r.household == hid)
            .expect("flagged")
            .clone()
    };
    assert_eq!(row("H14").per_capita_fen, 650_000); // 12999.99 / 2 shows 6500.00
    assert_eq!(row("H03").medical_out_of_pocket_fen, 1_000_001);
    assert_eq!(row("H21").disaster_loss_fen, 2_000_001);
    assert_eq!(row("H06").per_capita_fen, -100);
    let med = o
        .files
        .iter()
        .find(|f| f.kind == shouwang_screen::FileKind::Medical)
        .expect("medical");
    assert_eq!(med.unmatched, Some(1));
    assert_eq!(med.skipped_by_column, vec![("columns", 1), ("身份证号", 1)]);
    assert_eq!(o.households, 26);
    // and reference.py agrees byte for byte
    let (ref_csv, ref_summary, _) = reference(tmp.path(), &[]);
    assert!(
        csv == ref_csv,
        "{}\n---\n{}",
        String::from_utf8_lossy(&csv),
        String::from_utf8_lossy(&ref_csv)
    );
    assert_eq!(output::summary_lines(&o), ref_summary);
}

#[test]
fn monitoring_line_and_window_parameters() {
    let mut c = Case::new();
    c.household("H1", 1, "7000", None);
    let p = c.household("H2", 1, "100000", None);
    let _ = writeln!(c.medical, "{p},2021-07-01,20000,0,0,0");
    let tmp = tempfile::tempdir().expect("tempdir");
    c.write(tmp.path());
    let o = |extra: &[&str]| ours(tmp.path(), &params(extra)).1;
    assert_eq!(codes_of(&o(&[]), "H1"), "");
    assert_eq!(codes_of(&o(&["--line", "7000"]), "H1"), "");
    assert_eq!(codes_of(&o(&["--line", "7000.01"]), "H1"), "LOW_INCOME");
    assert_eq!(codes_of(&o(&[]), "H2"), "");
    assert_eq!(
        codes_of(&o(&["--year", "2021", "--as-of", "2021-07-01"]), "H2"),
        "ILLNESS"
    );
    assert_eq!(
        codes_of(&o(&["--year", "2021", "--as-of", "2021-06-30"]), "H2"),
        ""
    );
}

#[test]
fn input_errors_stop_the_run() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let mut c = Case::new();
    c.household("H1", 1, "7000", None);
    c.write(tmp.path());
    let run = || shouwang_screen::run(tmp.path(), &Params::default(), &Progress::default());
    assert!(run().is_ok());
    std::fs::write(tmp.path().join("housing.xlsx"), b"x").expect("write");
    assert!(matches!(
        run(),
        Err(shouwang_screen::ScreenError::Ambiguous { .. })
    ));
    std::fs::remove_file(tmp.path().join("housing.xlsx")).expect("rm");
    std::fs::write(tmp.path().join("education.csv"), "身份证号,状态\n").expect("write");
    let e = run().expect_err("missing column");
    assert!(e.message_zh().contains("在校状态"), "{}", e.message_zh());
    std::fs::remove_file(tmp.path().join("education.csv")).expect("rm");
    assert!(matches!(
        run(),
        Err(shouwang_screen::ScreenError::MissingFile { .. })
    ));
}

#[test]
fn title_rows_before_the_header() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let mut c = Case::new();
    let p = c.household("H1", 1, "100000", None);
    let _ = writeln!(c.disaster, "{p},2022-02-01,30000");
    let _ = writeln!(c.housing, "{p},2022-02-01,D");
    c.write(tmp.path());
    let (before, _) = ours(tmp.path(), &Params::default());
    // a CSV title line (as exported from a sheet with a title row)
    let text = format!("2022年灾害损失明细,,\n\n{}", c.disaster);
    std::fs::write(tmp.path().join("disaster.csv"), text).expect("write");
    // an XLSX with a title row and the header on row 3
    std::fs::remove_file(tmp.path().join("housing.csv")).expect("rm");
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    ws.write_string(0, 0, "住房安全等级鉴定结果").expect("cell");
    for (col, h) in ["公民身份号码", "鉴定日期", "安全等级"].iter().enumerate() {
        ws.write_string(2, col as u16, *h).expect("cell");
    }
    ws.write_string(3, 0, p.as_str()).expect("cell");
    ws.write_string(3, 1, "2022-02-01").expect("cell");
    ws.write_string(3, 2, "D").expect("cell");
    wb.save(tmp.path().join("housing.xlsx")).expect("save");
    let (after, o) = ours(tmp.path(), &Params::default());
    assert_eq!(codes_of(&o, "H1"), "HOUSING;DISASTER");
    assert!(before == after);
    // no header at all in the first rows: an error naming the missing columns
    std::fs::write(tmp.path().join("disaster.csv"), "a,b,c\nd,e,f\n").expect("write");
    let e = shouwang_screen::run(tmp.path(), &Params::default(), &Progress::default())
        .expect_err("no header");
    assert!(e.message_zh().contains("损失金额"), "{}", e.message_zh());
}

/// The county's thresholds (`Params::thresholds`) move every rule boundary; the findings map each code
/// to its department file and national risk type.
#[test]
fn county_thresholds_and_findings() {
    use shouwang_core::codes::RiskType;
    use shouwang_screen::{FileKind, ScreeningRules, hits};
    let mut c = Case::new();
    let p = c.household("T01", 1, "100000", None);
    let _ = writeln!(c.medical, "{p},2022-03-01,8000.00,0,0,0"); // = 8000: not above
    let p = c.household("T02", 1, "100000", None);
    let _ = writeln!(c.medical, "{p},2022-03-01,8000.01,0,0,0");
    let p = c.household("T03", 1, "10000", None);
    let _ = writeln!(c.medical, "{p},2022-03-01,4000.01,0,0,0"); // > 40 % of income
    let p = c.household("T04", 1, "100000", Some(20050630)); // 17 on as-of
    let _ = writeln!(c.education, "{p},辍学");
    let p = c.household("T05", 1, "100000", Some(20060701)); // 15 on as-of: below 16
    let _ = writeln!(c.education, "{p},辍学");
    let p = c.household("T06", 1, "100000", None);
    let _ = writeln!(c.disaster, "{p},2022-02-01,15000.01");
    let p = c.household("T07", 2, "25999.99", None); // < 2 x line per person, with a code
    let _ = writeln!(c.housing, "{p},2022-01-01,C");
    let tmp = tempfile::tempdir().expect("tempdir");
    c.write(tmp.path());

    let (_, spec) = ours(tmp.path(), &Params::default());
    let county = Params {
        thresholds: ScreeningRules {
            medical_yuan: 8000,
            medical_income_pct: 40,
            disaster_yuan: 15000,
            disaster_income_pct: 50,
            school_age_min: 16,
            school_age_max: 17,
            near_line_pct: 200,
            ..ScreeningRules::default()
        },
        ..Params::default()
    };
    let (_, o) = ours(tmp.path(), &county);
    for (hid, with_spec, with_county) in [
        ("T01", "", ""),
        ("T02", "", "ILLNESS"),
        ("T03", "", "ILLNESS;NEAR_LINE"), // 10000 < 2 x 6500
        ("T04", "", "SCHOOL"),
        ("T05", "SCHOOL", ""),
        ("T06", "", "DISASTER"),
        ("T07", "HOUSING", "HOUSING;NEAR_LINE"),
    ] {
        assert_eq!(codes_of(&spec, hid), with_spec, "{hid} (spec)");
        assert_eq!(codes_of(&o, hid), with_county, "{hid} (county)");
    }

    // A registry folder of its own: the department files' folder has no registry files.
    let reg = tempfile::tempdir().expect("tempdir");
    for name in ["households.csv", "members.csv"] {
        std::fs::rename(tmp.path().join(name), reg.path().join(name)).expect("move");
    }
    let o2 = shouwang_screen::run_dirs(reg.path(), tmp.path(), &county, &Default::default())
        .expect("run");
    assert_eq!(o2.flagged, o.flagged);

    let found = hits(&o, "households.csv");
    let t07: Vec<_> = found.iter().filter(|h| h.household == "T07").collect();
    assert_eq!(t07.len(), 1, "NEAR_LINE adds no finding");
    assert_eq!(t07[0].kind, Some(FileKind::Housing));
    assert_eq!(t07[0].department, "县住房和城乡建设局");
    assert_eq!(t07[0].file, "housing.csv");
    assert_eq!(t07[0].risks, [RiskType::Housing]);
    let t04 = found.iter().find(|h| h.household == "T04").expect("T04");
    assert_eq!(
        (t04.department, t04.risks.clone()),
        ("县教育科技局", vec![RiskType::Schooling])
    );
}
