//! Registry import and export (issue 6) on both databases: the round trip (export the demo registry,
//! import it into an empty database, export again → cell-for-cell identical workbooks), re-import
//! changing nothing, updates, moves and scope, every bad-input case of the issue (merged cells, blank
//! rows, ID numbers stored as numbers, a GBK CSV, a missing column, a file that is not a spreadsheet),
//! and the command's exit status 0 / 1 / 2.
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

async fn export(db: &Db) -> Vec<u8> {
    let mut w = RegistryWriter::new().unwrap();
    registry::export(db, None, None, &mut |h, n| {
        w.add(h, n).unwrap();
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
    const EXPECTED: &str = "SELECT DISTINCT h.county_code, SUBSTR(m.name, 1, 1), h.number, h.village_code, \
         h.household_type, (h.household_type = 'monitored' OR h.monitored_type IS NOT NULL), h.id \
         FROM members m JOIN households h ON h.county_code = m.county_code AND h.id = m.household_id";
    const STORED: &str = "SELECT county_code, initial, number, village_code, household_type, is_monitored, \
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

db_test!(
    fn bulk_import_keeps_initials_indexes_and_trigger(db: Db) {
        // 1,001 demo households (~3,000 people): past the bulk-mode threshold and the one for refreshing
        // the planner's statistics, into an empty database.
        let bytes = demo_workbook(1001, 5);
        let objects = schema_objects(&db).await;

        // A dry run writes nothing and leaves the schema as it was.
        let dry = ImportOptions {
            dry_run: true,
            ..opts()
        };
        let report = import_with(&db, "bulk.xlsx", &bytes, &dry).await;
        assert_eq!(report.households_created, 1001);
        assert!(!report.committed);
        assert_eq!(households(&db).await, 0);
        assert_eq!(schema_objects(&db).await, objects);

        let report = import(&db, "bulk.xlsx", &bytes).await;
        assert!(
            report.committed,
            "{:?}",
            &report.problems[..report.problems.len().min(3)]
        );
        assert_eq!(report.households_created, 1001);
        assert!(report.written_early > 900);
        assert_eq!(schema_objects(&db).await, objects);
        assert_eq!(initials_mismatch(&db).await, 0);
        assert!(count(&db, "SELECT COUNT(*) FROM member_initials").await > 1000);
        // One create row per household, holding where it came from.
        assert_eq!(
            count(
                &db,
                "SELECT COUNT(*) FROM audit_log WHERE entity = 'household' AND action = 'create'"
            )
            .await,
            1001
        );
        // The statistics were gathered (on SQLite inside the import's transaction, before the commit).
        let analyzed = match db.backend() {
            DbBackend::Sqlite => {
                "SELECT COUNT(*) FROM sqlite_stat1 WHERE tbl = 'members' AND idx = 'uq_members_id_number'"
            }
            _ => {
                "SELECT COUNT(*) FROM pg_stats WHERE tablename = 'members' AND attname = 'id_number'"
            }
        };
        assert_eq!(count(&db, analyzed).await, 1);

        // The trigger is back: a member added by hand gets its 姓氏 row.
        db.conn()
            .execute_unprepared(
                "UPDATE members SET name = '仝' || SUBSTR(name, 2) \
                 WHERE id = (SELECT MIN(id) FROM members)",
            )
            .await
            .unwrap();
        assert_eq!(initials_mismatch(&db).await, 0);

        // A second large import into the database that is no longer empty: unchanged.
        let again = import(&db, "bulk.xlsx", &bytes).await;
        assert_eq!(again.households_created, 0);
        assert_eq!(again.households_updated, 1);
        assert_eq!(again.households_unchanged, 1000);
        assert_eq!(schema_objects(&db).await, objects);
        assert_eq!(initials_mismatch(&db).await, 0);
    }
);

db_test!(
    fn bulk_import_with_a_person_in_two_households(db: Db) {
        // A first import in bulk mode (the ID-number indexes dropped while the households go in): the
        // last household names the first household's head again. The first household was written early;
        // when the file is complete both are rejected, the first one undone, and the indexes are back.
        let bytes = demo_workbook_with(1001, 6, |hs| {
            let head = hs[0].members[0].clone();
            let last = hs.len() - 1;
            if let Some(m) = hs[last].members.last_mut() {
                *m = shouwang_core::household::Member {
                    relation: m.relation,
                    ..head
                };
            }
        });
        let objects = schema_objects(&db).await;
        let report = import(&db, "twice.xlsx", &bytes).await;
        assert!(report.committed);
        assert_eq!(report.households_created, 999, "{:?}", report.problems);
        assert_eq!(report.rejected_households, 2);
        assert!(report.undone_early >= 1);
        assert_eq!(households(&db).await, 999);
        assert_eq!(schema_objects(&db).await, objects);
        assert_eq!(
            count(
                &db,
                "SELECT COUNT(*) FROM (SELECT county_code, id_number FROM members \
                 GROUP BY county_code, id_number HAVING COUNT(*) > 1) d"
            )
            .await,
            0
        );
        assert_eq!(initials_mismatch(&db).await, 0);
        // The unique key holds again.
        let taken = db
            .conn()
            .execute_unprepared(
                "INSERT INTO members SELECT * FROM members WHERE id = (SELECT MIN(id) FROM members)",
            )
            .await;
        assert!(taken.is_err());
    }
);

// ------------------------------------------------------------------------------------------------
// Round trip.

db_test!(
    fn round_trip_is_cell_for_cell_identical(db: Db) {
        // The demo registry in a database of its own (SQLite), exported.
        let dir = tempfile::tempdir().unwrap();
        let source = Db::connect(&sqlite_url(dir.path())).await.unwrap();
        source.migrate().await.unwrap();
        demo::load(&source, &demo::generate(400, 11), &|_, _| {})
            .await
            .unwrap();
        let first = export(&source).await;
        // The generated county written straight away has the same households (the demo load may
        // change some of them afterwards, e.g. cases that mark a household monitored).
        assert_eq!(
            cells(&first)[0].1.len(),
            cells(&demo_workbook(400, 11))[0].1.len()
        );

        // Into the empty database under test, and out again.
        assert_eq!(households(&db).await, 0);
        let report = import(&db, "demo.xlsx", &first).await;
        assert!(
            report.problems.is_empty(),
            "{:?}",
            &report.problems[..report.problems.len().min(5)]
        );
        assert_eq!(report.households_created, 400);
        assert!(report.committed);
        let second = export(&db).await;
        let (a, b) = (cells(&first), cells(&second));
        assert_eq!(a.len(), 2);
        assert_eq!(a[0].0, "户信息");
        assert_eq!(a[1].0, "家庭成员");
        assert_eq!(a[0].1.len(), 401);
        for ((na, ra), (nb, rb)) in a.iter().zip(&b) {
            assert_eq!(na, nb);
            assert_eq!(ra.len(), rb.len(), "rows of {na}");
            for (i, (x, y)) in ra.iter().zip(rb).enumerate() {
                assert_eq!(x, y, "sheet {na} row {}", i + 1);
            }
        }
        // ID numbers and household numbers are text cells.
        let id_col = a[1].1[0]
            .iter()
            .position(|c| c == &Data::String("身份证号".into()))
            .unwrap();
        assert!(
            a[1].1[1..]
                .iter()
                .all(|r| matches!(&r[id_col], Data::String(s) if s.len() == 18))
        );
        assert!(a[0].1[1..].iter().all(|r| matches!(&r[0], Data::String(_))));

        // The same without streaming gives the same database.
        let dir2 = tempfile::tempdir().unwrap();
        let other = Db::connect(&sqlite_url(dir2.path())).await.unwrap();
        other.migrate().await.unwrap();
        let r = import_at_once(&other, "demo.xlsx", &first).await;
        assert_eq!((r.households_created, r.problems.len()), (400, 0));
        assert_eq!(cells(&export(&other).await), a);
        other.close().await.unwrap();

        // Re-importing the same file changes nothing: no write, no audit row.
        let audit = audit_rows(&db).await;
        let again = import(&db, "demo.xlsx", &first).await;
        assert_eq!(
            (
                again.households_created,
                again.households_updated,
                again.households_unchanged
            ),
            (0, 0, 400)
        );
        assert_eq!(
            (
                again.members_added,
                again.members_updated,
                again.members_removed
            ),
            (0, 0, 0)
        );
        assert_eq!(again.regions_created, 0);
        assert!(!again.committed);
        assert_eq!(audit_rows(&db).await, audit);
        assert_eq!(cells(&export(&db).await), a);
        source.close().await.unwrap();
    }
);

// ------------------------------------------------------------------------------------------------
// Upsert: changes, removals, moves; audit rows only for what changed.

db_test!(
    fn reimport_updates_only_what_changed(db: Db) {
        let wb = one_sheet(false, &three_households())
            .save_to_buffer()
            .unwrap();
        let before = audit_rows(&db).await;
        let r = import(&db, "v1.xlsx", &wb).await;
        assert!(r.problems.is_empty(), "{:?}", r.problems);
        assert_eq!(
            (r.households_created, r.members_added, r.regions_created),
            (3, 6, 3)
        );
        let audit = audit_rows(&db).await;
        // 3 regions + 3 households + the summary row
        assert_eq!(audit - before, 7);

        // T001: 李四 becomes weak labour; T003: 钱八 moves to T002 (T003 no longer lists her), 赵七 removed.
        let mut rows = three_households();
        rows[1][10] = "弱劳动力或半劳动力".into();
        rows[2][6] = String::new();
        rows.insert(3, member_row("T002", "", "钱八", &id(62, 1982), "之儿媳"));
        rows.retain(|r| r[7] != "赵七" && !(r[0] == "T003" && r[7] == "钱八"));
        rows[4][6] = "1".into(); // T003 家庭人口
        let wb2 = one_sheet(false, &rows).save_to_buffer().unwrap();
        let r = import(&db, "v2.xlsx", &wb2).await;
        assert!(r.problems.is_empty(), "{:?}", r.problems);
        assert_eq!(
            (
                r.households_created,
                r.households_updated,
                r.households_unchanged
            ),
            (0, 3, 0)
        );
        assert_eq!(
            (r.members_added, r.members_updated, r.members_removed),
            (1, 1, 2)
        );
        // one update row per household + the summary
        assert_eq!(audit_rows(&db).await, audit + 4);
        let scope = Scope::new(0, Role::CountyAdmin, "141123");
        let t2 = shouwang_store::repo::households::get(&db, &scope, "T002")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(t2.household.members.len(), 2);
        assert_eq!(t2.version, 2);
        let t1 = shouwang_store::repo::households::get(&db, &scope, "T001")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(t1.household.members[1].labour, LabourSkill::Weak);
        assert_eq!(t1.member_versions, vec![1, 2]);
        let t3 = shouwang_store::repo::households::get(&db, &scope, "T003")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(t3.household.members.len(), 1);
        assert_eq!(t3.household.members[0].relation, Relation::Head);

        // The same second file again: nothing.
        let a = audit_rows(&db).await;
        let r = import(&db, "v2.xlsx", &wb2).await;
        assert_eq!((r.households_updated, r.households_unchanged), (0, 3));
        assert_eq!(audit_rows(&db).await, a);

        // A person registered in a household the file does not touch is refused, not moved.
        let wb3 = one_sheet(
            false,
            &[member_row("T009", "", "王五", &id(31, 1960), "户主")],
        )
        .save_to_buffer()
        .unwrap();
        let r = import(&db, "v3.xlsx", &wb3).await;
        assert_eq!(r.households_created, 0);
        assert_eq!(r.rejected_households, 1);
        assert!(r.problems[0].reason_zh.contains("T002"), "{:?}", r.problems);
        assert_eq!(r.problems[0].row, 2);
        assert_eq!(households(&db).await, 3);
    }
);

db_test!(
    fn user_scope_limits_the_import(db: Db) {
        let mut rows = three_households();
        // T003 in another township's village
        for r in rows.iter_mut().filter(|r| r[0] == "T003") {
            r[4] = "141123100201".into();
            r[2] = "蔚汾镇".into();
        }
        let wb = one_sheet(false, &rows).save_to_buffer().unwrap();
        let (_, assembled) =
            shouwang_io::registry::read_assembled("s.xlsx", &wb, &|_, _| {}).unwrap();
        let scope = Scope::new(3, Role::TownshipAdmin, "141123208");
        let r = registry::import(
            &db,
            &Actor::new(3, "乡镇管理员"),
            Some(&scope),
            assembled,
            &opts(),
            &|_, _| {},
        )
        .await
        .unwrap();
        assert_eq!(r.households_created, 2);
        assert_eq!(r.rejected_households, 1);
        assert!(
            r.problems.iter().all(|p| p.reason_zh.contains("管辖范围")),
            "{:?}",
            r.problems
        );
        // An auditor may not write at all.
        let (_, assembled) =
            shouwang_io::registry::read_assembled("s.xlsx", &wb, &|_, _| {}).unwrap();
        let auditor = Scope::new(4, Role::Auditor, "141123");
        let r = registry::import(
            &db,
            &Actor::new(4, "审计"),
            Some(&auditor),
            assembled,
            &opts(),
            &|_, _| {},
        )
        .await
        .unwrap();
        assert_eq!(r.households_created, 0);
        assert_eq!(r.rejected_households, 3);
    }
);

// ------------------------------------------------------------------------------------------------
// Bad input: clear message, no panic, nothing half-imported.

db_test!(
    fn merged_cells_and_blank_rows(db: Db) {
        let mut wb = one_sheet(true, &[]);
        let ws = wb.worksheet_from_index(0).unwrap();
        let rows = three_households();
        // Title row 1, header row 2, data from row 3; a blank row after T001; T001's 户编号 and address
        // columns merged down its two rows (ledger style: fine); T003's ID column merged over two rows.
        let mut r = 2u32;
        for (i, row) in rows.iter().enumerate() {
            if i == 2 {
                r += 1; // blank row
            }
            for (c, v) in row.iter().enumerate() {
                ws.write_string(r, c as u16, v).unwrap();
            }
            r += 1;
        }
        let plain = Format::new();
        ws.merge_range(2, 0, 3, 0, "T001", &plain).unwrap();
        ws.merge_range(7, 8, 8, 8, &id(51, 1980), &plain).unwrap();
        let bytes = wb.save_to_buffer().unwrap();
        // The streaming read hands out T001 and T002, then meets the merged areas after the cells and
        // starts again: the import rolls back what it wrote early and begins anew.
        let mut handouts = Vec::new();
        let mut sink = StreamingSink::new(1, |h| {
            handouts.push(match h {
                Handout::Ready(b) => b.len(),
                Handout::Restart => 0,
            })
        });
        shouwang_io::registry::read("merged.xlsx", &bytes, &mut sink, &|_, _| {}).unwrap();
        assert_eq!(
            handouts.iter().position(|n| *n == 0),
            Some(1),
            "{handouts:?}"
        );
        let r = import(&db, "merged.xlsx", &bytes).await;
        assert_eq!(r.read.blank_rows, 1);
        assert_eq!(r.households_created, 2, "{:?}", r.problems);
        assert_eq!(r.rejected_households, 1);
        let p: Vec<_> = r
            .problems
            .iter()
            .filter(|p| p.reason_zh.contains("合并单元格"))
            .collect();
        assert_eq!(p.len(), 2, "{:?}", r.problems);
        assert_eq!((p[0].row, p[1].row), (8, 9));
        assert!(p[0].reason_zh.contains("I8:I9"), "{}", p[0].reason_zh);
        assert_eq!(p[0].sheet, "农户台账");
        let scope = Scope::new(0, Role::CountyAdmin, "141123");
        assert!(
            shouwang_store::repo::households::get(&db, &scope, "T003")
                .await
                .unwrap()
                .is_none()
        );
        let t1 = shouwang_store::repo::households::get(&db, &scope, "T001")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(t1.household.members.len(), 2);
        assert_eq!(households(&db).await, 2);
        assert_eq!(
            count(
                &db,
                "SELECT COUNT(*) FROM audit_log WHERE entity = 'household'"
            )
            .await,
            2
        );
        assert_eq!(initials_mismatch(&db).await, 0);
    }
);

db_test!(
    fn id_numbers_stored_as_numbers(db: Db) {
        let mut wb = one_sheet(false, &three_households());
        let ws = wb.worksheet_from_index(0).unwrap();
        // T002's head: the ID as a number, as Excel does when the column is not text.
        let n: f64 = id(31, 1960).parse().unwrap();
        ws.write_number(3, 8, n).unwrap();
        let bytes = wb.save_to_buffer().unwrap();
        let r = import(&db, "numbers.xlsx", &bytes).await;
        assert_eq!(r.households_created, 2);
        assert_eq!(r.problems.len(), 1, "{:?}", r.problems);
        let p = &r.problems[0];
        assert_eq!(
            (p.sheet.as_str(), p.row, p.column.as_str()),
            ("农户台账", 4, "公民身份号码")
        );
        assert!(p.reason_zh.contains("科学计数法"), "{}", p.reason_zh);
        assert!(p.value.contains('E'), "{}", p.value);
        assert_eq!(households(&db).await, 2);
    }
);

db_test!(
    fn gbk_csv_and_all_or_nothing(db: Db) {
        let text = csv_text(&three_households());
        let (gbk, _, _) = encoding_rs::GBK.encode(&text);
        // A clean GBK file imports.
        let r = import(&db, "台账.csv", &gbk).await;
        assert!(r.problems.is_empty(), "{:?}", r.problems);
        assert_eq!(r.households_created, 3);

        // A bad household (unknown relation) with --all-or-nothing: nothing is written.
        let bad = csv_text(&households_of("U", 100)).replace("之儿媳", "邻居");
        let (gbk, _, _) = encoding_rs::GBK.encode(&bad);
        let o = ImportOptions {
            all_or_nothing: true,
            ..opts()
        };
        let audit = audit_rows(&db).await;
        let r = import_with(&db, "台账.csv", &gbk, &o).await;
        assert_eq!(r.rejected_households, 1);
        assert!(!r.committed);
        assert_eq!(r.problems[0].column, "与户主关系");
        assert_eq!(r.problems[0].value, "邻居");
        assert_eq!(r.problems[0].row, 7);
        assert_eq!(r.problems[0].sheet, "台账.csv");
        assert_eq!(households(&db).await, 3);
        assert_eq!(audit_rows(&db).await, audit);
        // Without it, the two good households are imported.
        let r = import(&db, "台账.csv", &gbk).await;
        assert!(r.committed);
        assert_eq!(r.households_created, 2);
        assert_eq!(households(&db).await, 5);
        // A dry run reports and writes nothing.
        let o = ImportOptions {
            dry_run: true,
            ..opts()
        };
        let ok = csv_text(&households_of("V", 200));
        let r = import_with(&db, "台账.csv", encoding_rs::GBK.encode(&ok).0.as_ref(), &o).await;
        assert_eq!(r.households_created, 3);
        assert!(!r.committed);
        assert_eq!(households(&db).await, 5);
    }
);

// ------------------------------------------------------------------------------------------------
// The journal of a first import through one connection (SQLite only).

/// A first import into an empty registry through a one-connection `Db` (the command line's) writes with a
/// rollback journal and leaves the database in WAL mode; while another connection has the database open
/// it keeps the WAL. The command itself leaves a new database in WAL mode with the households in it.
#[test]
fn first_import_alone_writes_with_a_rollback_journal() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join(shouwang_store::SQLITE_FILE);
    // The journal mode as a new connection finds it (`delete` when the file is not in WAL mode).
    let mode = || -> String {
        let c = rusqlite::Connection::open(&file).unwrap();
        c.query_row("PRAGMA journal_mode", [], |r| r.get(0))
            .unwrap()
    };
    let bytes = demo_workbook(40, 9);
    let handouts = || {
        let mut handouts = Vec::new();
        let mut sink = StreamingSink::new(64, |h| handouts.push(h));
        shouwang_io::registry::read("j.xlsx", &bytes, &mut sink, &|_, _| {}).unwrap();
        let assembled = sink.finish();
        (handouts, assembled)
    };
    let rt = tokio::runtime::Runtime::new().unwrap();
    let import = |db: &Db, o: ImportOptions, during: &str| {
        let (handouts, assembled) = handouts();
        rt.block_on(import_handouts(db, &o, handouts, assembled, || {
            assert_eq!(mode(), during, "journal mode while the import is open");
        }))
    };
    let db = rt.block_on(async {
        let db = Db::connect_alone(&sqlite_url(dir.path())).await.unwrap();
        db.migrate().await.unwrap();
        db
    });
    assert_eq!(mode(), "wal");
    // A committed import of the whole file, the database back in WAL mode.
    let all_in = |report: ImportReport| {
        assert!(report.committed);
        assert_eq!(report.households_created, 40);
        assert_eq!(mode(), "wal");
        rt.block_on(async {
            assert_eq!(households(&db).await, 40);
            assert_eq!(initials_mismatch(&db).await, 0);
        });
    };

    // A dry run: the rollback journal while it runs, the WAL again after the rollback, nothing written.
    let dry = ImportOptions {
        dry_run: true,
        ..opts()
    };
    let report = import(&db, dry, "delete");
    assert!(!report.committed);
    assert_eq!(mode(), "wal");
    assert_eq!(rt.block_on(households(&db)), 0);

    // Another connection has the database open: SQLite refuses the switch and the import uses the WAL.
    {
        let other = rusqlite::Connection::open(&file).unwrap();
        let n: i64 = other
            .query_row("SELECT COUNT(*) FROM households", [], |r| r.get(0))
            .unwrap();
        assert_eq!(n, 0);
        all_in(import(&db, opts(), "wal"));
    }
    rt.block_on(async {
        db.conn()
            .execute_unprepared("DELETE FROM members; DELETE FROM households;")
            .await
            .unwrap();
    });

    // Alone on an empty registry again: the rollback journal, committed, then the WAL.
    all_in(import(&db, opts(), "delete"));
    // Not empty any more: a second import keeps the WAL (and changes nothing).
    let report = import(&db, opts(), "wal");
    assert_eq!(report.changes(), 0);
    rt.block_on(db.close()).unwrap();

    // The command, on a new database.
    let data = dir.path().join("cli");
    let path = dir.path().join("demo.xlsx");
    std::fs::write(&path, &bytes).unwrap();
    let out = shouwang()
        .args(["import", "registry"])
        .arg(&path)
        .arg("--data-dir")
        .arg(&data)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let c = rusqlite::Connection::open(data.join(shouwang_store::SQLITE_FILE)).unwrap();
    let m: String = c
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!(m, "wal");
    let n: i64 = c
        .query_row("SELECT COUNT(*) FROM households", [], |r| r.get(0))
        .unwrap();
    assert_eq!(n, 40);
}

#[test]
fn missing_column_and_not_a_spreadsheet_are_unusable() {
    let read = |name: &str, bytes: &[u8]| {
        same_as_reference(name, bytes);
        shouwang_io::registry::read_assembled(name, bytes, &|_, _| {}).map(|_| ())
    };
    // A missing required column.
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    for (c, h) in [
        "户编号",
        "村代码",
        "户类型",
        "姓名",
        "与户主关系",
        "劳动技能",
        "健康状况",
        "是否参加基本医疗保险",
    ]
    .iter()
    .enumerate()
    {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    ws.write_string(1, 0, "T1").unwrap();
    let e = read("缺列.xlsx", &wb.save_to_buffer().unwrap()).unwrap_err();
    assert!(e.0[0].reason_zh.contains("缺少必填列：身份证号"), "{e}");
    assert_eq!(e.0[0].row, 1);
    // Not a spreadsheet: a PDF, a picture, random bytes, a Word file (a ZIP that is no workbook), a
    // text file without a registry header, an empty file.
    for (name, bytes) in [
        ("a.pdf", b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n1 0 obj".to_vec()),
        ("b.xlsx", b"\x89PNG\r\n\x1A\n\0\0\0\rIHDR".to_vec()),
        ("c.xls", (0u8..=255).cycle().take(4096).collect()),
        ("d.xlsx", stored_zip("word/document.xml", b"<w:document/>")),
        (
            "e.csv",
            "这是一封信，不是表格。\n第二行。\n".as_bytes().to_vec(),
        ),
        ("f.csv", Vec::new()),
    ] {
        let e = read(name, &bytes).unwrap_err();
        assert_eq!(e.0[0].sheet, name);
        assert!(!e.0[0].reason_zh.is_empty(), "{name}");
        eprintln!("{name}: {e}");
    }
    // Two layouts mixed.
    let mut wb = one_sheet(false, &three_households());
    let ws = wb.add_worksheet();
    for (c, h) in ["户编号", "村代码", "户类型"].iter().enumerate() {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    let e = read("mixed.xlsx", &wb.save_to_buffer().unwrap()).unwrap_err();
    assert!(e.0[0].reason_zh.contains("只保留一种格式"), "{e}");
}

/// A ZIP archive with one stored (uncompressed) file: a Word-like file that is no workbook.
fn stored_zip(name: &str, data: &[u8]) -> Vec<u8> {
    fn crc32(data: &[u8]) -> u32 {
        let mut crc = 0xFFFF_FFFFu32;
        for &b in data {
            crc ^= u32::from(b);
            for _ in 0..8 {
                crc = if crc & 1 == 1 {
                    (crc >> 1) ^ 0xEDB8_8320
                } else {
                    crc >> 1
                };
            }
        }
        !crc
    }
    let (crc, len, nlen) = (crc32(data), data.len() as u32, name.len() as u16);
    let mut z = Vec::new();
    let header = |z: &mut Vec<u8>, central: bool| {
        if central {
            z.extend(0x0201_4b50u32.to_le_bytes());
            z.extend(20u16.to_le_bytes()); // made by
        } else {
            z.extend(0x0403_4b50u32.to_le_bytes());
        }
        z.extend(20u16.to_le_bytes()); // version needed
        z.extend([0u8; 8]); // flags, method (stored), time, date
        z.extend(crc.to_le_bytes());
        z.extend(len.to_le_bytes());
        z.extend(len.to_le_bytes());
        z.extend(nlen.to_le_bytes());
        z.extend(0u16.to_le_bytes()); // extra
        if central {
            z.extend([0u8; 12]); // comment, disk, attributes
            z.extend(0u32.to_le_bytes()); // local header offset
        }
        z.extend(name.as_bytes());
    };
    header(&mut z, false);
    z.extend(data);
    let cd_start = z.len() as u32;
    header(&mut z, true);
    let cd_len = z.len() as u32 - cd_start;
    z.extend(0x0605_4b50u32.to_le_bytes());
    z.extend([0u8; 4]);
    z.extend(1u16.to_le_bytes());
    z.extend(1u16.to_le_bytes());
    z.extend(cd_len.to_le_bytes());
    z.extend(cd_start.to_le_bytes());
    z.extend(0u16.to_le_bytes());
    z
}

// ------------------------------------------------------------------------------------------------
// The command: exit status and output.

fn shouwang() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_shouwang"));
    c.env_remove("SHOUWANG_DATABASE_URL")
        .env_remove("SHOUWANG_DATA_DIR")
        .env("SHOUWANG_LOG", "warn");
    c
}

#[test]
fn command_exit_status() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let good = dir.path().join("good.xlsx");
    std::fs::write(
        &good,
        one_sheet(true, &three_households())
            .save_to_buffer()
            .unwrap(),
    )
    .unwrap();
    let mut rows = three_households();
    rows[0][9] = "邻居".into();
    let some_bad = dir.path().join("some-bad.xlsx");
    std::fs::write(&some_bad, one_sheet(false, &rows).save_to_buffer().unwrap()).unwrap();
    let pdf = dir.path().join("scan.xlsx");
    std::fs::write(&pdf, b"%PDF-1.4 not a sheet").unwrap();
    let run = |args: &[&str]| {
        let out = shouwang()
            .args(args)
            .arg("--data-dir")
            .arg(&data)
            .output()
            .unwrap();
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(!text.contains("panicked"), "{text}");
        (out.status.code(), text)
    };
    let p = |x: &std::path::Path| x.to_str().unwrap().to_owned();

    let (code, text) = run(&["import", "registry", &p(&pdf)]);
    assert_eq!(code, Some(2), "{text}");
    assert!(text.contains("不是电子表格"), "{text}");

    let (code, text) = run(&["import", "registry", &p(&some_bad), "--dry-run"]);
    assert_eq!(code, Some(1), "{text}");
    assert!(
        text.contains("some-bad.xlsx") || text.contains("农户台账 第2行"),
        "{text}"
    );
    assert!(
        text.contains("农户台账 第2行 [与户主关系] “邻居”"),
        "{text}"
    );

    let report = dir.path().join("problems.csv");
    let (code, text) = run(&[
        "import",
        "registry",
        &p(&some_bad),
        "--all-or-nothing",
        "--report",
        &p(&report),
    ]);
    assert_eq!(code, Some(1), "{text}");
    let csv = std::fs::read_to_string(&report).unwrap();
    assert!(csv.starts_with('\u{FEFF}') && csv.contains("邻居"), "{csv}");

    let (code, text) = run(&["import", "registry", &p(&good)]);
    assert_eq!(code, Some(0), "{text}");
    assert!(text.contains("新增 3 户"), "{text}");
    let (code, text) = run(&["import", "registry", &p(&good)]);
    assert_eq!(code, Some(0), "{text}");
    assert!(text.contains("未变 3 户"), "{text}");

    // export and template
    let out = dir.path().join("out.xlsx");
    let (code, text) = run(&[
        "export",
        "registry",
        "--out",
        &p(&out),
        "--area",
        "141123208",
    ]);
    assert_eq!(code, Some(0), "{text}");
    let sheets = cells(&std::fs::read(&out).unwrap());
    assert_eq!(sheets[0].1.len(), 4);
    assert_eq!(sheets[1].1.len(), 7);
    let template = dir.path().join("template.xlsx");
    let out = shouwang()
        .args(["export", "template", "registry", "--out", &p(&template)])
        .output()
        .unwrap();
    assert!(out.status.success());
    let t = cells(&std::fs::read(&template).unwrap());
    assert_eq!(
        t.iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>(),
        ["户信息", "家庭成员", "填表说明"]
    );
    // The empty template itself is a valid (empty) registry file.
    let e = shouwang_io::registry::read_assembled(
        "t.xlsx",
        &std::fs::read(&template).unwrap(),
        &|_, _| {},
    );
    let (_, a) = e.unwrap();
    assert!(a.entries.is_empty() && a.problems.is_empty());
}

// ------------------------------------------------------------------------------------------------
// Streaming: households written early are undone when later rows change them or the whole-file checks
// reject them; regions created only for them go too.

db_test!(
    fn streaming_undoes_what_later_rows_change(db: Db) {
        let mut rows = households_of("S", 300);
        // S001 again at the end (the sheet is not sorted by household): written early, reopened.
        let late = member_row("S001", "", "孙九", &id(377, 1999), "之子");
        rows.push(late);
        // S002's head appears again in a new household S004 in a new village: both rejected, and the
        // village created for S004 only must not stay.
        let mut dup = member_row("S004", "", "王五", &id(331, 1960), "户主");
        dup[4] = "141123208299".into();
        dup[3] = "新村".into();
        rows.push(member_row("S005", "", "周十", &id(390, 1977), "户主"));
        rows.push(dup);
        // S001 without 家庭人口, so that it looks complete before its late row.
        rows[0][6] = String::new();
        let bytes = one_sheet(false, &rows).save_to_buffer().unwrap();
        let before = audit_rows(&db).await;
        let r = import(&db, "unsorted.xlsx", &bytes).await;
        assert_eq!(r.households_created, 3, "{:?}", r.problems);
        assert_eq!(r.rejected_households, 2);
        // S001, S002, S003 were written while reading; S001 (reopened) and S002 (rejected) undone.
        assert_eq!((r.written_early, r.undone_early), (3, 2));
        assert!(
            r.problems.iter().all(|p| p.reason_zh.contains("两个户")),
            "{:?}",
            r.problems
        );
        let scope = Scope::new(0, Role::CountyAdmin, "141123");
        let s1 = shouwang_store::repo::households::get(&db, &scope, "S001")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(s1.household.members.len(), 3);
        assert_eq!(s1.version, 1);
        for n in ["S002", "S004"] {
            assert!(
                shouwang_store::repo::households::get(&db, &scope, n)
                    .await
                    .unwrap()
                    .is_none()
            );
        }
        assert!(
            shouwang_store::repo::regions::get(&db, "141123208299")
                .await
                .unwrap()
                .is_none()
        );
        assert!(
            shouwang_store::repo::regions::get(&db, "141123208201")
                .await
                .unwrap()
                .is_some()
        );
        // audit: 3 households + 3 regions (county, township, village) + summary
        assert_eq!(audit_rows(&db).await - before, 7);
        assert_eq!(r.regions_created, 3);
        // members: exactly the accepted households' members
        assert_eq!(count(&db, "SELECT COUNT(*) FROM members").await, 3 + 3 + 1);
    }
);
