//! The 收支情况 sheet through the reader: the export's three sheets read by the streaming fast reader
//! exactly as by calamine, number and text cells of amounts, the sheet alone, in a CSV, merged.

use std::io::Cursor;

use rust_xlsxwriter::{Format as XFormat, Workbook};
use shouwang_core::codes::{
    Dibao, HealthStatus, HouseholdType, LabourSkill, PoliticalStatus, Relation, Sex, Tekun,
};
use shouwang_core::household::{Household, Member};
use shouwang_core::idnum::make;
use shouwang_core::registry::{IncomeRow, RegionNames, SheetLayout};
use shouwang_core::{Fen, IncomeRecord, RegionCode};

use super::*;
use crate::registry_xlsx::{RegistryWriter, template};

/// A merged area told: sheet, rows, columns.
type Merged = (usize, (u32, u32), (usize, usize));

/// Everything a sink is told (rows with their sheet's kind).
#[derive(Default, Debug, PartialEq)]
struct Told {
    sheets: Vec<(String, SheetKind)>,
    merges: Vec<Merged>,
    rows: Vec<(usize, u32, Vec<String>)>,
    restarts: usize,
}

impl RowSink for Told {
    fn begin_sheet(&mut self, layout: SheetLayout) -> usize {
        self.sheets.push((layout.name.to_string(), layout.kind));
        self.sheets.len() - 1
    }
    fn merged(&mut self, sheet: usize, rows: (u32, u32), cols: (usize, usize)) {
        self.merges.push((sheet, rows, cols));
    }
    fn row(&mut self, sheet: usize, row: u32, cells: &[String]) {
        self.rows.push((sheet, row, cells.to_vec()));
    }
    fn restart(&mut self) {
        *self = Told {
            restarts: self.restarts + 1,
            ..Told::default()
        };
    }
}

impl Told {
    fn by_sheet(&self) -> Vec<Vec<&(usize, u32, Vec<String>)>> {
        (0..self.sheets.len())
            .map(|i| self.rows.iter().filter(|r| r.0 == i).collect())
            .collect()
    }
}

/// [`read`] and calamine alone tell the same; returns what [`read`] told.
fn same_read(name: &str, bytes: &[u8]) -> Told {
    let mut fast = Told::default();
    let a = read(name, bytes, &mut fast, &|_, _| {});
    let mut slow = Told::default();
    let b = read_reference(name, bytes, &mut slow, &|_, _| {});
    assert_eq!(a, b);
    assert_eq!((&fast.sheets, &fast.merges), (&slow.sheets, &slow.merges));
    assert!(fast.by_sheet() == slow.by_sheet(), "rows differ");
    fast
}

fn household(i: u16) -> Household {
    let head = Member {
        id_number: make(
            141123,
            chrono::NaiveDate::from_ymd_opt(1970, 5, 17).unwrap(),
            2 * i + 1, // odd: a man
        ),
        name: format!("户主{i}"),
        sex: Sex::Male,
        relation: Relation::Head,
        labour: LabourSkill::Ordinary,
        health: vec![HealthStatus::Healthy],
        education: None,
        school: None,
        political: PoliticalStatus::Masses,
        has_medical_insurance: true,
        dibao: Dibao::None,
        tekun: Tekun::None,
        disability_grade: None,
    };
    Household {
        number: format!("H{i:04}"),
        village: RegionCode::parse("141123208201").unwrap(),
        natural_village: None,
        household_type: HouseholdType::Ordinary,
        address: String::new(),
        phone: None,
        is_relocated: false,
        monitored_type: None,
        risks: Vec::new(),
        members: vec![head],
    }
}

fn record(year: i32, wage: i64) -> IncomeRecord {
    IncomeRecord {
        year,
        wage: Fen(wage),
        business: Fen(123_456),
        property: Fen(1),
        transfer: Fen(99_999_999),
        production_cost: Fen(50),
        rigid_medical: Fen(100_000),
        insurance_payout: Fen(7),
        members: 3,
        ..IncomeRecord::default()
    }
}

/// A household with its region names and income records.
pub(crate) type WithIncomes = (Household, RegionNames, Vec<IncomeRecord>);

/// `n` households with their region names and two years of income each.
pub(crate) fn households(n: u16) -> Vec<WithIncomes> {
    let names = RegionNames {
        county: "兴县".into(),
        township: "圪塔上乡".into(),
        village: "测试村".into(),
        natural_village: String::new(),
    };
    (1..=n)
        .map(|i| {
            let rs = vec![
                record(2021, i64::from(i) * 101),
                record(2022, i64::from(i) * 7),
            ];
            (household(i), names.clone(), rs)
        })
        .collect()
}

/// The export of [`households`]`(n)`, and the households.
pub(crate) fn exported_households(n: u16) -> (Vec<u8>, Vec<WithIncomes>) {
    let hs = households(n);
    let mut w = RegistryWriter::new().unwrap();
    for (h, names, rs) in &hs {
        w.add(h, names).unwrap();
        w.add_incomes(&h.number, rs).unwrap();
    }
    assert_eq!(w.income_rows(), u32::from(n) * 2);
    (w.finish().unwrap(), hs)
}

/// An export of `n` households with two years of income each, and the records written.
fn exported(n: u16) -> (Vec<u8>, Vec<(String, IncomeRecord)>) {
    let (bytes, hs) = exported_households(n);
    let written = hs
        .iter()
        .flat_map(|(h, _, rs)| rs.iter().map(|r| (h.number.clone(), *r)))
        .collect();
    (bytes, written)
}

#[test]
fn the_exports_income_sheet_is_read_as_written() {
    let (bytes, written) = exported(300);
    let told = same_read("export.xlsx", &bytes);
    assert_eq!(told.restarts, 0, "streamed without starting again");
    assert_eq!(
        told.sheets,
        [
            ("户信息".to_owned(), SheetKind::Households),
            ("家庭成员".to_owned(), SheetKind::Members),
            ("收支情况".to_owned(), SheetKind::Income),
        ]
    );
    // The income rows come after every household and member row.
    let first_income = told.rows.iter().position(|r| r.0 == 2).unwrap();
    assert!(told.rows[..first_income].iter().all(|r| r.0 != 2));
    assert_eq!(told.rows.len() - first_income, 600);
    let row = &told.rows[first_income].2;
    assert_eq!(row[..4], ["H0001", "2021", "1.01", "1234.56"]);
    assert_eq!(row[5], "999999.99");
    assert_eq!(row[12], "3");

    let (info, assembled) = read_assembled("export.xlsx", &bytes, &|_, _| {}).unwrap();
    assert_eq!(info.sheets.len(), 3);
    assert!(
        assembled.problems.is_empty(),
        "{:?}",
        assembled.problems.first()
    );
    assert_eq!(assembled.entries.len(), 300);
    let read: Vec<(String, IncomeRecord)> = assembled
        .incomes
        .iter()
        .map(|r: &IncomeRow| (r.number.clone(), r.record))
        .collect();
    assert_eq!(read, written);
    assert_eq!(assembled.incomes[0].row.row, 2);
    assert_eq!(assembled.stats.income_rows, 600);
    assert_eq!(assembled.stats.rows, 300 + 300 + 600);
}

#[test]
fn amount_cells_as_clerks_fill_them() {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("收支情况").unwrap();
    ws.write_string(0, 0, "2022年家庭收支情况").unwrap();
    let heads = [
        "户编号",
        "年份",
        "务工收入（元）",
        "经营性收入",
        "财产性收入",
        "转移性收入",
        "生产经营性支出",
        "家庭纯收入",
        "人口数",
    ];
    for (c, h) in heads.iter().enumerate() {
        ws.write_string(1, c as u16, *h).unwrap();
    }
    // (wage cell, expected)
    enum C {
        N(f64),
        T(&'static str),
    }
    let cases: &[(C, Option<i64>)] = &[
        (C::N(12345.6), Some(1_234_560)),
        (C::N(12345.6 * 0.3), Some(370_368)), // a formula's binary rest
        (C::N(0.1 + 0.2), Some(30)),
        (C::T("12,345.60"), Some(1_234_560)),
        (C::T("１２３４５"), Some(1_234_500)),
        (C::T(" 3000元 "), Some(300_000)),
        (C::T(""), Some(0)),
        (C::T("一万"), None),
        (C::N(12.345), None),
        (C::N(-5.0), None),
        (C::T("12,50"), None),
    ];
    for (i, (cell, _)) in cases.iter().enumerate() {
        let r = i as u32 + 2;
        ws.write_string(r, 0, format!("H{i:04}")).unwrap();
        ws.write_number(r, 1, 2022.0).unwrap();
        match cell {
            C::N(f) => {
                ws.write_number(r, 2, *f).unwrap();
            }
            C::T("") => {}
            C::T(t) => {
                ws.write_string(r, 2, *t).unwrap();
            }
        }
        ws.write_string(r, 7, "99999").unwrap(); // 家庭纯收入: not read
        ws.write_number(r, 8, 2.0).unwrap();
    }
    let bytes = wb.save_to_buffer().unwrap();
    let told = same_read("收支.xlsx", &bytes);
    assert_eq!(told.sheets, [("收支情况".to_owned(), SheetKind::Income)]);
    let (_, a) = read_assembled("收支.xlsx", &bytes, &|_, _| {}).unwrap();
    assert!(a.entries.is_empty());
    for (i, (_, want)) in cases.iter().enumerate() {
        let number = format!("H{i:04}");
        let got = a.incomes.iter().find(|r| r.number == number);
        match want {
            Some(fen) => {
                let r = got.unwrap_or_else(|| panic!("{number}: {:?}", a.problems));
                assert_eq!(r.record.wage, Fen(*fen), "{number}");
                assert_eq!((r.record.year, r.record.members), (2022, 2));
                assert_eq!(r.row.row, i as u32 + 3);
            }
            None => {
                assert!(got.is_none(), "{number}");
                let p = a
                    .problems
                    .iter()
                    .find(|p| p.row == i as u32 + 3)
                    .expect("a problem");
                assert_eq!(
                    (p.sheet.as_str(), p.column.as_str()),
                    ("收支情况", "务工收入（元）")
                );
                assert!(!p.reason_en.is_empty());
            }
        }
    }
    assert_eq!(a.stats.rejected_income_rows, 4);
    let value = |row: u32| {
        a.problems
            .iter()
            .find(|p| p.row == row)
            .map(|p| p.value.as_str())
    };
    assert_eq!(value(10), Some("一万"));
    assert_eq!(value(11), Some("12.345"));
    assert_eq!(value(12), Some("-5"));
}

#[test]
fn an_income_csv_and_a_merged_household_number() {
    let csv = "户编号,年度,工资性收入,生产经营性收入,财产性收入,转移性收入,生产经营性支出,家庭人口\r\n\
               H0001,2021,\"12,345.60\",0,0,0,0,2\r\n\
               H0001,2022,abc,0,0,0,0,2\r\n";
    let (info, a) = read_assembled("收支.csv", csv.as_bytes(), &|_, _| {}).unwrap();
    assert_eq!(info.sheets, [("收支.csv".to_owned(), SheetKind::Income)]);
    assert_eq!(a.incomes.len(), 1);
    assert_eq!(a.incomes[0].record.wage, Fen(1_234_560));
    assert_eq!(a.problems.len(), 1);
    assert_eq!(
        (a.problems[0].row, a.problems[0].value.as_str()),
        (3, "abc")
    );

    // 户编号 merged down a household's years: read the careful way, both rows kept.
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("收支情况").unwrap();
    for (c, h) in [
        "户编号",
        "年度",
        "工资性收入",
        "生产经营性收入",
        "财产性收入",
        "转移性收入",
        "生产经营性支出",
        "家庭人口",
    ]
    .iter()
    .enumerate()
    {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    ws.merge_range(1, 0, 2, 0, "H0001", &XFormat::new())
        .unwrap();
    for (r, y) in [(1u32, 2021.0), (2, 2022.0)] {
        ws.write_number(r, 1, y).unwrap();
        for c in 2..7 {
            ws.write_number(r, c, 10.5).unwrap();
        }
        ws.write_number(r, 7, 1.0).unwrap();
    }
    let bytes = wb.save_to_buffer().unwrap();
    let told = same_read("m.xlsx", &bytes);
    assert_eq!(told.merges, [(0, (2, 3), (0, 0))]);
    let (_, a) = read_assembled("m.xlsx", &bytes, &|_, _| {}).unwrap();
    assert!(a.problems.is_empty(), "{:?}", a.problems);
    let years: Vec<(&str, i32)> = a
        .incomes
        .iter()
        .map(|r| (r.number.as_str(), r.record.year))
        .collect();
    assert_eq!(years, [("H0001", 2021), ("H0001", 2022)]);
}

#[test]
fn the_income_sheet_first_in_the_workbook_is_read_last() {
    let (export, _) = exported(3);
    // The export's sheets in another order: 收支情况 first.
    let mut wb = Workbook::new();
    let mut calamine_book =
        calamine::open_workbook_auto_from_rs(Cursor::new(export.as_slice())).unwrap();
    for name in ["收支情况", "户信息", "家庭成员"] {
        use calamine::Reader;
        let range = calamine_book.worksheet_range(name).unwrap();
        let ws = wb.add_worksheet();
        ws.set_name(name).unwrap();
        for (r, row) in range.rows().enumerate() {
            for (c, cell) in row.iter().enumerate() {
                match cell {
                    calamine::Data::String(s) => {
                        ws.write_string(r as u32, c as u16, s).unwrap();
                    }
                    calamine::Data::Float(f) => {
                        ws.write_number(r as u32, c as u16, *f).unwrap();
                    }
                    _ => {}
                }
            }
        }
    }
    let bytes = wb.save_to_buffer().unwrap();
    let told = same_read("r.xlsx", &bytes);
    let kinds: Vec<SheetKind> = told.sheets.iter().map(|s| s.1).collect();
    assert_eq!(
        kinds,
        [SheetKind::Households, SheetKind::Members, SheetKind::Income]
    );
    assert_eq!(told.rows.last().map(|r| r.0), Some(2));
    let (_, a) = read_assembled("r.xlsx", &bytes, &|_, _| {}).unwrap();
    assert!(a.problems.is_empty(), "{:?}", a.problems.first());
    assert_eq!((a.entries.len(), a.incomes.len()), (3, 6));
}

#[test]
fn the_template_has_the_income_sheet() {
    let bytes = template().unwrap();
    let told = same_read("模板.xlsx", &bytes);
    assert!(
        told.sheets
            .contains(&("收支情况".to_owned(), SheetKind::Income)),
        "{:?}",
        told.sheets
    );
    assert!(told.rows.is_empty());
    // Its notes list every 收支情况 column.
    use calamine::Reader;
    let mut book = calamine::open_workbook_auto_from_rs(Cursor::new(bytes)).unwrap();
    let notes = book.worksheet_range("填表说明").unwrap();
    let listed: Vec<String> = notes
        .rows()
        .filter(|r| r.first().is_some_and(|c| *c == "收支情况"))
        .map(|r| r[1].to_string())
        .collect();
    let headers: Vec<String> = shouwang_core::registry::INCOME_COLUMNS
        .iter()
        .map(|c| c.header.to_owned())
        .collect();
    assert_eq!(listed, headers);
}
