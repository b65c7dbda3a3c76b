//! Registry import and export (issue 6) on both databases: the round trip (export the demo registry with
//! its incomes, import it into an empty database, export again → cell-for-cell identical workbooks),
//! re-import changing nothing, updates, moves and scope, every bad-input case of the issue (merged cells,
//! blank rows, ID numbers stored as numbers, a GBK CSV, a missing column, a file that is not a
//! spreadsheet), the command's exit status 0 / 1 / 2, and the 收支情况 sheet (issue 17: a workbook built
//! here imported into an empty database, then the department screening in database mode flags what the
//! file mode flags).
//!
//! Fixture files are built here (rust_xlsxwriter, encoding_rs), never committed.

use std::collections::HashMap;
use std::io::Cursor;
use std::process::Command;

use calamine::{Data, Reader};
use rust_xlsxwriter::{Format, Workbook};
use sea_orm::{ConnectionTrait, DbBackend, Statement};
use shouwang_app::demo;
use shouwang_core::access::Role;
use shouwang_core::codes::{LabourSkill, Relation};
use shouwang_core::idnum::make;
use shouwang_core::registry::RegionNames;
use shouwang_core::registry::SheetLayout;
use shouwang_core::{Household, Scope};
use shouwang_io::registry::{Handout, RowSink, StreamingSink};
use shouwang_io::registry_xlsx::RegistryWriter;
use shouwang_store::repo::registry_file::{
    self as registry, ImportOptions, ImportReport, Importer,
};
use shouwang_store::{Actor, Db, db_test, sqlite_url};

// ------------------------------------------------------------------------------------------------
// Helpers.

fn opts() -> ImportOptions {
    ImportOptions {
        source: "test.xlsx".to_owned(),
        ..ImportOptions::default()
    }
}

/// Everything the reader tells a sink.
#[derive(Default, Debug, PartialEq)]
struct Recorded {
    sheets: Vec<(String, u32, usize)>,
    /// Sheet, rows, columns.
    merges: Vec<Merged>,
    rows: Vec<(usize, u32, Vec<String>)>,
}

type Merged = (usize, (u32, u32), (usize, usize));

impl RowSink for Recorded {
    fn begin_sheet(&mut self, layout: SheetLayout) -> usize {
        self.sheets
            .push((layout.name.to_string(), layout.header_row, layout.width()));
        self.sheets.len() - 1
    }
    fn merged(&mut self, sheet: usize, rows: (u32, u32), cols: (usize, usize)) {
        self.merges.push((sheet, rows, cols));
    }
    fn row(&mut self, sheet: usize, row: u32, cells: &[String]) {
        self.rows.push((sheet, row, cells.to_vec()));
    }
    fn restart(&mut self) {
        *self = Recorded::default();
    }
}

/// The reader (fast XLSX path where it applies) tells exactly what calamine alone tells.
fn same_as_reference(name: &str, bytes: &[u8]) {
    let mut fast = Recorded::default();
    let a = shouwang_io::registry::read(name, bytes, &mut fast, &|_, _| {});
    let mut reference = Recorded::default();
    let b = shouwang_io::registry::read_reference(name, bytes, &mut reference, &|_, _| {});
    assert_eq!(a, b, "{name}");
    assert_eq!(
        (&fast.sheets, &fast.merges),
        (&reference.sheets, &reference.merges),
        "{name}"
    );
    // Sheet by sheet: the streaming reader hands out household and member rows together.
    let by_sheet = |r: &Recorded| -> Vec<Vec<(u32, Vec<String>)>> {
        (0..r.sheets.len())
            .map(|i| {
                r.rows
                    .iter()
                    .filter(|x| x.0 == i)
                    .map(|x| (x.1, x.2.clone()))
                    .collect()
            })
            .collect()
    };
    assert!(
        by_sheet(&fast) == by_sheet(&reference),
        "{name}: rows differ"
    );
}

/// The streaming import as the command runs it: households handed out while reading are written
/// early (here: every 2 rows, so that early writes, reopened households and undos all happen).
async fn import_with(db: &Db, name: &str, bytes: &[u8], o: &ImportOptions) -> ImportReport {
    same_as_reference(name, bytes);
    let mut handouts = Vec::new();
    let mut sink = StreamingSink::new(2, |h| handouts.push(h));
    shouwang_io::registry::read(name, bytes, &mut sink, &|_, _| {}).expect("usable file");
    let assembled = sink.finish();
    import_handouts(db, o, handouts, assembled, || {}).await
}

/// Begins an import, runs `begun`, writes the reader's `handouts` as they came and finishes with `assembled`.
async fn import_handouts(
    db: &Db,
    o: &ImportOptions,
    handouts: Vec<Handout>,
    assembled: shouwang_core::registry::Assembled,
    begun: impl FnOnce(),
) -> ImportReport {
    let mut importer = Importer::begin(db, &Actor::new(7, "测试员"), None, o)
        .await
        .unwrap();
    begun();
    for h in handouts {
        importer = match h {
            Handout::Ready(b) => {
                importer.early(b).await.unwrap();
                importer
            }
            Handout::Incomes(rows) => {
                importer.early_incomes(rows).await.unwrap();
                importer
            }
            Handout::Restart => importer.restart().await.unwrap(),
        };
    }
    importer
        .finish(assembled, &|_, _| {})
        .await
        .expect("import")
}

/// The import in one go (no early writes).
async fn import_at_once(db: &Db, name: &str, bytes: &[u8]) -> ImportReport {
    same_as_reference(name, bytes);
    let (_, assembled) =
        shouwang_io::registry::read_assembled(name, bytes, &|_, _| {}).expect("usable file");
    registry::import(
        db,
        &Actor::new(7, "测试员"),
        None,
        assembled,
        &opts(),
        &|_, _| {},
    )
    .await
    .expect("import")
}

async fn import(db: &Db, name: &str, bytes: &[u8]) -> ImportReport {
    import_with(db, name, bytes, &opts()).await
}

/// `shouwang export registry` of the whole database: 户信息, 家庭成员 and 收支情况.
async fn export(db: &Db) -> Vec<u8> {
    let mut w = RegistryWriter::new().unwrap();
    registry::export_with_incomes(db, None, None, &mut |h, n, incomes| {
        w.add(h, n).unwrap();
        w.add_incomes(&h.number, incomes).unwrap();
        Ok(())
    })
    .await
    .unwrap();
    w.finish().unwrap()
}

fn demo_workbook(households: u32, seed: u64) -> Vec<u8> {
    demo_workbook_with(households, seed, |_| {})
}

/// [`demo_workbook`] of the households sorted by number, changed by `edit` first.
fn demo_workbook_with(households: u32, seed: u64, edit: impl FnOnce(&mut [Household])) -> Vec<u8> {
    let county = demo::generate(households, seed);
    let names: HashMap<String, String> = county
        .regions
        .iter()
        .map(|r| (r.code.as_str().to_owned(), r.name.clone()))
        .collect();
    let name = |c: &str| names.get(c).cloned().unwrap_or_default();
    let mut hs: Vec<Household> = county
        .households
        .iter()
        .map(|d| d.household.clone())
        .collect();
    hs.sort_by(|a, b| a.number.cmp(&b.number));
    edit(&mut hs);
    let mut w = RegistryWriter::new().unwrap();
    for h in &hs {
        let v = &h.village;
        let n = RegionNames {
            county: name(&format!("{}000000", v.county())),
            township: name(&format!("{}000", v.township())),
            village: name(v.as_str()),
            natural_village: h.natural_village.as_deref().map(name).unwrap_or_default(),
        };
        w.add(h, &n).unwrap();
    }
    w.finish().unwrap()
}

type Sheets = Vec<(String, Vec<Vec<Data>>)>;

fn cells(bytes: &[u8]) -> Sheets {
    let mut wb = calamine::open_workbook_auto_from_rs(Cursor::new(bytes.to_vec())).unwrap();
    let names = wb.sheet_names();
    names
        .into_iter()
        .map(|n| {
            let r = wb.worksheet_range(&n).unwrap();
            let rows = r.rows().map(<[Data]>::to_vec).collect();
            (n, rows)
        })
        .collect()
}

async fn count(db: &Db, sql: &str) -> i64 {
    let row = db
        .conn()
        .query_one_raw(Statement::from_string(db.backend(), sql.to_owned()))
        .await
        .unwrap()
        .unwrap();
    row.try_get_by_index::<i64>(0).unwrap()
}

async fn households(db: &Db) -> i64 {
    count(db, "SELECT COUNT(*) FROM households").await
}

async fn audit_rows(db: &Db) -> i64 {
    count(db, "SELECT COUNT(*) FROM audit_log").await
}

fn id(seq: u16, year: i32) -> String {
    make(
        141123,
        chrono::NaiveDate::from_ymd_opt(year, 5, 17).unwrap(),
        seq,
    )
    .to_string()
}

/// Headers of a one-sheet registry.
const ONE_SHEET: &[&str] = &[
    "户编号",
    "县",
    "乡镇",
    "行政村",
    "村代码",
    "户类型",
    "家庭人口",
    "姓名",
    "公民身份号码",
    "与户主关系",
    "劳动技能",
    "健康状况",
    "是否参加城乡居民基本医疗保险",
];

fn member_row(number: &str, size: &str, name: &str, idn: &str, rel: &str) -> Vec<String> {
    [
        number,
        "兴县",
        "圪塔上乡",
        "测试村",
        "141123208201",
        "一般农户",
        size,
        name,
        idn,
        rel,
        "普通劳动力",
        "健康",
        "是",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect()
}

/// A one-sheet workbook; `rows` are written from row 2 (row 1 = header) unless `title` adds a title
/// row first.
fn one_sheet(title: bool, rows: &[Vec<String>]) -> Workbook {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("农户台账").unwrap();
    let mut r = 0u32;
    if title {
        ws.merge_range(
            0,
            0,
            0,
            12,
            "兴县圪塔上乡测试村农户信息台账",
            &Format::new(),
        )
        .unwrap();
        r = 1;
    }
    for (c, h) in ONE_SHEET.iter().enumerate() {
        ws.write_string(r, c as u16, *h).unwrap();
    }
    for row in rows {
        r += 1;
        for (c, v) in row.iter().enumerate() {
            if !v.is_empty() {
                ws.write_string(r, c as u16, v).unwrap();
            }
        }
    }
    wb
}

fn three_households() -> Vec<Vec<String>> {
    households_of("T", 0)
}

/// Households `{p}001`–`{p}003` with 6 members; `k` shifts the ID numbers (other people).
fn households_of(p: &str, k: u16) -> Vec<Vec<String>> {
    vec![
        member_row(&format!("{p}001"), "2", "张三", &id(11 + k, 1970), "户主"),
        member_row(&format!("{p}001"), "", "李四", &id(22 + k, 1972), "妻"),
        member_row(&format!("{p}002"), "1", "王五", &id(31 + k, 1960), "本人"),
        member_row(&format!("{p}003"), "3", "赵六", &id(41 + k, 1950), "户主"),
        member_row(&format!("{p}003"), "", "赵七", &id(51 + k, 1980), "之子"),
        member_row(&format!("{p}003"), "", "钱八", &id(62 + k, 1982), "之儿媳"),
    ]
}

fn csv_text(rows: &[Vec<String>]) -> String {
    let mut text = ONE_SHEET.join(",");
    text.push_str("\r\n");
    for row in rows {
        text.push_str(&row.join(","));
        text.push_str("\r\n");
    }
    text
}

// ------------------------------------------------------------------------------------------------
// Bulk mode (SQLite: a large import suspends the 姓氏 trigger and, on an empty database, defers indexes).

/// `member_initials` rows that differ from what the members and households say (both directions).
async fn initials_mismatch(db: &Db) -> i64 {
    const EXPECTED: &str = "SELECT DISTINCT h.county_code, m.surname_key, h.number, h.village_code, \
         h.household_type, (h.household_type = 'monitored' OR h.monitored_type IS NOT NULL), h.id \
         FROM members m JOIN households h ON h.county_code = m.county_code AND h.id = m.household_id";
    const STORED: &str = "SELECT county_code, surname_key, number, village_code, household_type, is_monitored, \
         household_id FROM member_initials";
    count(
        db,
        &format!(
            "SELECT (SELECT COUNT(*) FROM ({EXPECTED} EXCEPT {STORED}) a) \
             + (SELECT COUNT(*) FROM ({STORED} EXCEPT {EXPECTED}) b)"
        ),
    )
    .await
}

/// Triggers and indexes of the schema (SQLite; PostgreSQL keeps its own and is not switched).
async fn schema_objects(db: &Db) -> i64 {
    match db.backend() {
        DbBackend::Sqlite => {
            count(
                db,
                "SELECT COUNT(*) FROM sqlite_master WHERE type IN ('index', 'trigger')",
            )
            .await
        }
        _ => 0,
    }
}

/// The `shouwang` binary, with no database or data folder from the environment.
fn shouwang() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_shouwang"));
    c.env_remove("SHOUWANG_DATABASE_URL")
        .env_remove("SHOUWANG_DATA_DIR")
        .env("SHOUWANG_LOG", "warn");
    c
}

mod bulk;
mod command;
mod incomes;
mod journal;
mod layouts;
mod round_trip;
mod streaming;
mod unusable;
