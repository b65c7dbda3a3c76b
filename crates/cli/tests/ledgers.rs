//! Lifecycle ledgers 台账 (issue 6 part 4) on both databases with the demo county (cases in every
//! lifecycle state): each ledger opens with calamine, has its Chinese headers, the row counts expected
//! for a date filter (counted independently from the cases), ID numbers as text cells (full for the
//! county admin, masked for a village team), a village user only gets its village, every export is in
//! the audit log; and `shouwang export ledger` end to end.

use std::collections::BTreeSet;
use std::io::Cursor;
use std::process::Command;

use calamine::{Data, Range, Reader, Xlsx};
use chrono::NaiveDate;
use sea_orm::{ConnectionTrait, Statement};
use shouwang_app::demo;
use shouwang_core::ledger::{DateRange, LedgerKind, LedgerOptions, columns};
use shouwang_core::monitoring::{Lifecycle, MeasureStatus};
use shouwang_core::{CodeList, Role, Scope};
use shouwang_io::ledger_xlsx;
use shouwang_store::repo::{cases, ledgers};
use shouwang_store::{Actor, Db, db_test};

const VILLAGE: &str = "141123208201";

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn sheet(bytes: Vec<u8>, kind: LedgerKind) -> Range<Data> {
    let mut wb: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(bytes)).unwrap();
    wb.worksheet_range(kind.label_zh()).unwrap()
}

fn col(range: &Range<Data>, header: &str) -> u32 {
    (0..range.width() as u32)
        .find(|c| range.get_value((0, *c)) == Some(&Data::String(header.into())))
        .unwrap_or_else(|| panic!("no column {header}"))
}

async fn ledger(
    db: &Db,
    scope: &Scope,
    kind: LedgerKind,
    range: DateRange,
    per_member: bool,
) -> Range<Data> {
    let opts = LedgerOptions {
        per_member,
        full_ids: true,
        range,
    };
    let l = ledgers::export(db, &Actor::new(1, "测试员"), scope, None, kind, &opts)
        .await
        .unwrap();
    let bytes = ledger_xlsx::write(kind, l.columns, &l.rows).unwrap();
    sheet(bytes, kind)
}

/// Every case of the county (closed ones too), read through `cases::history`, independent of the ledger
/// query.
async fn all_cases(db: &Db, scope: &Scope) -> Vec<cases::CaseRecord> {
    let stmt = Statement::from_string(
        db.backend(),
        "SELECT DISTINCT household_number FROM cases ORDER BY household_number",
    );
    let mut out = Vec::new();
    for r in db.conn().query_all_raw(stmt).await.unwrap() {
        let n: String = r.try_get("", "household_number").unwrap();
        out.extend(cases::history(db, scope, &n).await.unwrap());
    }
    out
}

db_test!(
    fn ledgers_of_the_demo_county(db: Db) {
        demo::load(&db, &demo::generate(400, 3), &|_, _| {})
            .await
            .unwrap();
        let county = Scope::new(1, Role::CountyAdmin, "141123");
        let village = Scope::new(3, Role::VillageTeam, VILLAGE);
        let everything = all_cases(&db, &county).await;
        assert!(
            everything
                .iter()
                .any(|c| c.lifecycle == Lifecycle::Eliminated)
        );
        let year = DateRange {
            from: Some(d("2022-01-01")),
            to: Some(d("2022-12-31")),
        };
        let h1 = DateRange {
            from: Some(d("2022-01-01")),
            to: Some(d("2022-06-30")),
        };
        let in_range = |r: &DateRange, x: Option<NaiveDate>| x.is_some_and(|x| r.contains(x));

        for range in [DateRange::default(), year, h1] {
            // Expected counts, from the cases directly.
            let monitored = everything
                .iter()
                .filter(|c| in_range(&range, c.case.monitored_since()))
                .count();
            let measures: usize = everything
                .iter()
                .flat_map(|c| &c.case.measures)
                .filter(|m| {
                    m.history.iter().any(|e| {
                        matches!(e.status, MeasureStatus::Planned | MeasureStatus::Done)
                            && range.contains(e.on)
                    })
                })
                .count();
            let follow_ups: usize = everything
                .iter()
                .flat_map(|c| &c.case.follow_ups.entries)
                .filter(|e| range.overlaps(e.visit.month.first_day(), e.visit.month.last_day()))
                .count();
            let eliminated = everything
                .iter()
                .filter(|c| in_range(&range, c.case.eliminated_on()))
                .count();
            let clues: usize = everything
                .iter()
                .flat_map(|c| &c.case.clues)
                .filter(|c| {
                    c.sources
                        .iter()
                        .map(|s| s.report.reported_on)
                        .min()
                        .is_some_and(|x| range.contains(x))
                })
                .count();
            for (kind, expected) in [
                (LedgerKind::Monitored, monitored),
                (LedgerKind::Measures, measures),
                (LedgerKind::FollowUps, follow_ups),
                (LedgerKind::Eliminated, eliminated),
                (LedgerKind::Clues, clues),
            ] {
                if range == DateRange::default() {
                    assert!(expected > 0, "{kind:?}: the demo county has rows");
                }
                let s = ledger(&db, &county, kind, range, false).await;
                // headers
                for (i, c) in columns(kind, false).iter().enumerate() {
                    assert_eq!(
                        s.get_value((0, i as u32)),
                        Some(&Data::String(c.header.into()))
                    );
                }
                assert_eq!(s.height() - 1, expected, "{kind:?} {range:?}");
                // ID numbers as text, in full for the county admin; 序号 numbered 1..
                let id = col(&s, "户主身份证号");
                for r in 1..s.height() as u32 {
                    match s.get_value((r, id)) {
                        Some(Data::String(v)) => {
                            assert_eq!(v.len(), 18, "{v}");
                            assert!(shouwang_core::IdNumber::parse(v).is_ok(), "{v}");
                        }
                        other => panic!("{kind:?} row {r}: ID cell {other:?}"),
                    }
                    assert_eq!(s.get_value((r, 0)), Some(&Data::Float(f64::from(r))));
                }
            }
        }

        // The eliminated ledger carries the notice numbers.
        let s = ledger(
            &db,
            &county,
            LedgerKind::Eliminated,
            DateRange::default(),
            false,
        )
        .await;
        let n = col(&s, "告知书编号");
        assert!((1..s.height() as u32).any(|r| matches!(
            s.get_value((r, n)),
            Some(Data::String(v)) if v.contains("告字第")
        )));
        // The clue ledger: a channel and an outcome on every row.
        let s = ledger(&db, &county, LedgerKind::Clues, DateRange::default(), false).await;
        let (ch, out) = (col(&s, "监测手段"), col(&s, "处理结果"));
        for r in 1..s.height() as u32 {
            assert!(matches!(s.get_value((r, ch)), Some(Data::String(v)) if !v.is_empty()));
            assert!(matches!(s.get_value((r, out)), Some(Data::String(v)) if !v.is_empty()));
        }

        // Per member: one row per member of the monitored households.
        let per_hh = ledger(
            &db,
            &county,
            LedgerKind::Monitored,
            DateRange::default(),
            false,
        )
        .await;
        let per_m = ledger(
            &db,
            &county,
            LedgerKind::Monitored,
            DateRange::default(),
            true,
        )
        .await;
        let size = col(&per_hh, "家庭人口");
        let members: f64 = (1..per_hh.height() as u32)
            .map(|r| match per_hh.get_value((r, size)) {
                Some(Data::Float(f)) => *f,
                other => panic!("size {other:?}"),
            })
            .sum();
        assert_eq!((per_m.height() - 1) as f64, members);

        // A village team gets only its village, with masked ID numbers.
        let village_names: BTreeSet<String> = {
            let s = ledger(
                &db,
                &village,
                LedgerKind::Clues,
                DateRange::default(),
                false,
            )
            .await;
            let v = col(&s, "行政村");
            let id = col(&s, "户主身份证号");
            assert!(s.height() > 1, "the demo village has clues");
            for r in 1..s.height() as u32 {
                assert!(
                    matches!(s.get_value((r, id)), Some(Data::String(v)) if v.contains("********"))
                );
            }
            (1..s.height() as u32)
                .map(|r| s.get_value((r, v)).unwrap().to_string())
                .collect()
        };
        assert_eq!(village_names.len(), 1, "{village_names:?}");
        let village_cases = everything
            .iter()
            .filter(|c| c.village_code == VILLAGE)
            .flat_map(|c| &c.case.clues)
            .count();
        let s = ledger(
            &db,
            &village,
            LedgerKind::Clues,
            DateRange::default(),
            false,
        )
        .await;
        assert_eq!(s.height() - 1, village_cases);
        assert!(village_cases < everything.iter().flat_map(|c| &c.case.clues).count());
        // An area outside the scope: nothing; a malformed one: refused.
        let opts = LedgerOptions::default();
        let other = ledgers::export(
            &db,
            &Actor::new(3, "x"),
            &village,
            Some("141123100"),
            LedgerKind::Clues,
            &opts,
        )
        .await
        .unwrap();
        assert!(other.rows.is_empty());
        assert!(
            ledgers::export(
                &db,
                &Actor::new(3, "x"),
                &village,
                Some("abc"),
                LedgerKind::Clues,
                &opts
            )
            .await
            .is_err()
        );
        let reversed = LedgerOptions {
            range: DateRange {
                from: Some(d("2022-12-01")),
                to: Some(d("2022-01-01")),
            },
            ..opts
        };
        assert!(
            ledgers::export(
                &db,
                &Actor::new(3, "x"),
                &village,
                None,
                LedgerKind::Clues,
                &reversed
            )
            .await
            .is_err()
        );

        // Every export is in the audit log.
        let stmt = Statement::from_string(
            db.backend(),
            "SELECT COUNT(*) AS n FROM audit_log WHERE action = 'export_ledger'",
        );
        let n: i64 = db
            .conn()
            .query_one_raw(stmt)
            .await
            .unwrap()
            .unwrap()
            .try_get("", "n")
            .unwrap();
        assert!(n >= 20, "{n}");
    }
);

#[test]
fn export_ledger_command() {
    let dir = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_shouwang"))
            .env_remove("SHOUWANG_DATABASE_URL")
            .env("SHOUWANG_DATA_DIR", dir.path())
            .env("SHOUWANG_LOG", "warn")
            .args(args)
            .output()
            .unwrap()
    };
    let o = run(&["demo", "--households", "300", "--seed", "5"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let out = dir.path().join("线索.xlsx");
    let o = run(&[
        "export",
        "ledger",
        "线索台账",
        "--out",
        out.to_str().unwrap(),
        "--user",
        "village_team",
    ]);
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(o.status.success(), "{text}");
    assert!(text.contains("脱敏"), "{text}");
    let s = sheet(std::fs::read(&out).unwrap(), LedgerKind::Clues);
    assert!(s.height() > 1);
    // Bad input: clear messages, no file.
    let bad = dir.path().join("bad.xlsx");
    for (args, msg) in [
        (
            vec![
                "export",
                "ledger",
                "quality",
                "--out",
                bad.to_str().unwrap(),
                "--user",
                "county_admin",
            ],
            "未知的台账种类",
        ),
        (
            vec![
                "export",
                "ledger",
                "monitored",
                "--out",
                bad.to_str().unwrap(),
                "--user",
                "nobody",
            ],
            "用户不存在",
        ),
        (
            vec![
                "export",
                "ledger",
                "monitored",
                "--out",
                bad.to_str().unwrap(),
                "--user",
                "county_admin",
                "--from",
                "2022-13-01",
            ],
            "YYYY-MM-DD",
        ),
    ] {
        let o = run(&args);
        let text = String::from_utf8_lossy(&o.stderr).to_string();
        assert!(!o.status.success());
        assert!(text.contains(msg), "{text}");
        assert!(!text.contains("panicked"), "{text}");
    }
    assert!(!bad.exists());
}
