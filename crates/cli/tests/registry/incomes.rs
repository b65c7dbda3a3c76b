//! The 收支情况 sheet end to end (issue 17): a registry workbook built here — the registry's two sheets and a
//! 收支情况 sheet as the national system's 收支 export names its columns, with a title row, computed totals
//! and amounts typed the ways clerks type them — imported with `shouwang import registry` into an empty
//! database. The department screening in database mode (`shouwang screen --month`) then flags exactly
//! what the file mode (`shouwang screen --input` with the same registry as CSV) flags, where without the
//! sheet it flagged nobody (no household had an income record). `shouwang export registry` and an import
//! of the export keep every income record.

use std::path::{Path, PathBuf};

use shouwang_core::codes::SchoolStatus;
use shouwang_core::{CodeList, Fen, IncomeRecord};

use super::*;

/// The generated county the test works on: households with members and two years of income.
fn county() -> demo::DemoCounty {
    demo::generate(300, 17)
}

fn region_names(county: &demo::DemoCounty, h: &Household) -> RegionNames {
    let name = |code: &str| {
        county
            .regions
            .iter()
            .find(|r| r.code.as_str() == code)
            .map(|r| r.name.clone())
            .unwrap_or_default()
    };
    let v = &h.village;
    RegionNames {
        county: name(&format!("{}000000", v.county())),
        township: name(&format!("{}000", v.township())),
        village: name(v.as_str()),
        natural_village: h.natural_village.as_deref().map(name).unwrap_or_default(),
    }
}

/// An amount as a clerk may type it: a number cell, or text with thousands separators or in full-width
/// digits.
fn write_amount(ws: &mut rust_xlsxwriter::Worksheet, r: u32, c: u16, f: Fen, style: usize) {
    let yuan = format!("{f}");
    match style % 4 {
        0 | 1 => {
            ws.write_number(r, c, f.0 as f64 / 100.0).unwrap();
        }
        2 => {
            // 12,345.60
            let (int, frac) = yuan.split_once('.').unwrap();
            let mut grouped = String::new();
            for (i, ch) in int.chars().enumerate() {
                if i > 0 && (int.len() - i) % 3 == 0 {
                    grouped.push(',');
                }
                grouped.push(ch);
            }
            ws.write_string(r, c, format!("{grouped}.{frac}")).unwrap();
        }
        _ => {
            let full: String = yuan
                .chars()
                .map(|ch| match ch {
                    '0'..='9' => char::from_u32(ch as u32 - '0' as u32 + '０' as u32).unwrap(),
                    '.' => '．',
                    other => other,
                })
                .collect();
            ws.write_string(r, c, full).unwrap();
        }
    }
}

/// The workbook: 户信息 and 家庭成员 as the export writes them (copied cell for cell), and, with
/// `incomes`, a 收支情况 sheet in the national export's words.
fn workbook(county: &demo::DemoCounty, incomes: bool) -> Vec<u8> {
    let mut hs: Vec<&demo::DemoHousehold> = county.households.iter().collect();
    hs.sort_by(|a, b| a.household.number.cmp(&b.household.number));
    let mut w = RegistryWriter::new().unwrap();
    for dh in &hs {
        w.add(&dh.household, &region_names(county, &dh.household))
            .unwrap();
    }
    let registry = cells(&w.finish().unwrap());
    let mut wb = Workbook::new();
    for (name, rows) in registry.iter().take(2) {
        let ws = wb.add_worksheet();
        ws.set_name(name).unwrap();
        for (r, row) in rows.iter().enumerate() {
            for (c, cell) in row.iter().enumerate() {
                match cell {
                    Data::String(s) => {
                        ws.write_string(r as u32, c as u16, s).unwrap();
                    }
                    Data::Float(f) => {
                        ws.write_number(r as u32, c as u16, *f).unwrap();
                    }
                    Data::Empty => {}
                    other => panic!("unexpected cell {other:?}"),
                }
            }
        }
    }
    if incomes {
        let ws = wb.add_worksheet();
        ws.set_name("收支情况").unwrap();
        ws.write_string(0, 0, "兴县2021—2022年脱贫人口和监测对象家庭收支情况")
            .unwrap();
        let heads = [
            "县(市、区)",
            "行政村",
            "户编号",
            "户主姓名",
            "年份",
            "务工收入（元）",
            "经营性收入",
            "财产性收入",
            "转移性收入",
            "生产经营支出",
            "家庭纯收入（元）",
            "合规自付医疗费用",
            "教育支出",
            "残疾康复支出",
            "因灾支出",
            "理赔收入",
            "人口数",
        ];
        for (c, h) in heads.iter().enumerate() {
            ws.write_string(1, c as u16, *h).unwrap();
        }
        let mut r = 2u32;
        for (k, dh) in hs.iter().enumerate() {
            let h = &dh.household;
            let names = region_names(county, h);
            for rec in &dh.incomes {
                ws.write_string(r, 0, &names.county).unwrap();
                ws.write_string(r, 1, &names.village).unwrap();
                ws.write_string(r, 2, &h.number).unwrap();
                ws.write_string(r, 3, &h.members[0].name).unwrap();
                ws.write_number(r, 4, f64::from(rec.year)).unwrap();
                let amounts = [
                    (5, rec.wage),
                    (6, rec.business),
                    (7, rec.property),
                    (8, rec.transfer),
                    (9, rec.production_cost),
                    (11, rec.rigid_medical),
                    (12, rec.rigid_education),
                    (13, rec.rigid_disability),
                    (14, rec.rigid_disaster),
                    (15, rec.insurance_payout),
                ];
                for (i, (c, f)) in amounts.into_iter().enumerate() {
                    // a zero left blank, as the national export leaves it
                    if f.is_zero() && k % 2 == 0 {
                        continue;
                    }
                    write_amount(ws, r, c, f, k + i);
                }
                // 家庭纯收入: computed by the system, a wrong value here changes nothing
                ws.write_number(r, 10, 1.0).unwrap();
                ws.write_number(r, 16, f64::from(rec.members)).unwrap();
                r += 1;
            }
        }
    }
    wb.save_to_buffer().unwrap()
}

/// The five department files: settlements, drop-outs, disabilities, unsafe houses and disaster losses of
/// some members, a row of a person in no registry and a malformed row.
fn department_files(county: &demo::DemoCounty, dir: &Path) {
    let as_of = chrono::NaiveDate::from_ymd_opt(2022, 6, 30).unwrap();
    let (mut medical, mut education, mut disability, mut housing, mut disaster) = (
        String::from("身份证号,结算日期,医疗总费用,基本医保支付,大病保险支付,医疗救助支付\n"),
        String::from("身份证号,在校状态\n"),
        String::from("身份证号,残疾等级,发证日期\n"),
        String::from("身份证号,鉴定日期,安全等级\n"),
        String::from("身份证号,发生日期,损失金额\n"),
    );
    for (i, dh) in county.households.iter().enumerate() {
        let head = dh.household.members[0].id_number;
        if i % 7 == 0 {
            medical.push_str(&format!(
                "{head},2022-03-15,30000.00,10000.00,5000.00,0.00\n"
            ));
        }
        if i % 5 == 1 {
            // 4,000 out of pocket: flagged only where it is more than half the income
            medical.push_str(&format!("{head},2022-04-02,9000.00,5000.00,0.00,0.00\n"));
        }
        if i % 11 == 0 {
            disability.push_str(&format!("{head},2,2022-02-01\n"));
        }
        if i % 13 == 0 {
            housing.push_str(&format!("{head},2021-09-01,C\n"));
        }
        if i % 17 == 0 {
            disaster.push_str(&format!("{head},2022-05-01,25000.00\n"));
        }
        if i % 3 == 0 {
            // 3,000 lost: flagged only where it is more than half the income
            disaster.push_str(&format!("{head},2022-06-01,3000.00\n"));
        }
        for m in &dh.household.members {
            let age = m.id_number.age_on(as_of);
            if m.school.is_some_and(|s| s != SchoolStatus::Preschool)
                && (6..=16).contains(&age)
                && i % 2 == 0
            {
                education.push_str(&format!("{},辍学\n", m.id_number));
            }
        }
    }
    medical.push_str("11010519491231002X,2022-03-15,500.00,100.00,0.00,0.00\n");
    medical.push_str("141123197001010011,2022-03-16,N/A,0.00,0.00,0.00\n");
    for (name, text) in [
        ("medical.csv", medical),
        ("education.csv", education),
        ("disability.csv", disability),
        ("housing.csv", housing),
        ("disaster.csv", disaster),
    ] {
        std::fs::write(dir.join(name), text).unwrap();
    }
}

/// The registry as the file mode reads it: 上年家庭纯收入 is the 2021 record's 家庭纯收入.
fn registry_csv(county: &demo::DemoCounty, dir: &Path) {
    let mut hh = String::from("户编号,村代码,家庭人口,上年家庭纯收入,户类型\n");
    let mut mm = String::from("身份证号,户编号,姓名,与户主关系\n");
    for dh in &county.households {
        let h = &dh.household;
        let last: &IncomeRecord = dh.incomes.iter().find(|r| r.year == 2021).unwrap();
        hh.push_str(&format!(
            "{},{},{},{},{}\n",
            h.number,
            h.village.as_str(),
            h.members.len(),
            last.net_income(),
            h.household_type.label_zh()
        ));
        for m in &h.members {
            mm.push_str(&format!(
                "{},{},{},{}\n",
                m.id_number,
                h.number,
                m.name,
                m.relation.label_zh()
            ));
        }
    }
    std::fs::write(dir.join("households.csv"), hh).unwrap();
    std::fs::write(dir.join("members.csv"), mm).unwrap();
}

/// Runs the binary; returns (exit status, stdout and stderr).
fn run(args: &[&str]) -> (Option<i32>, String) {
    let out = shouwang().args(args).output().unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!text.contains("panicked"), "{text}");
    (out.status.code(), text)
}

fn p(x: &Path) -> String {
    x.to_str().unwrap().to_owned()
}

/// Imports `file` into a new database `data` with a department user; returns the import's output.
fn new_database(data: &Path, file: &Path) -> String {
    let (code, text) = run(&["import", "registry", &p(file), "--data-dir", &p(data)]);
    assert_eq!(code, Some(0), "{text}");
    let (code, text2) = run(&[
        "user",
        "add",
        "--role",
        "department",
        "--area",
        "141123",
        "--username",
        "dep",
        "--password",
        "s3cret-pass",
        "--data-dir",
        &p(data),
    ]);
    assert_eq!(code, Some(0), "{text2}");
    text
}

/// The database mode of June 2022 as the department user; returns flagged.csv and the output.
fn screen_database(data: &Path, departments: &Path, out: &Path) -> (String, String) {
    let (code, text) = run(&[
        "screen",
        "--input",
        &p(departments),
        "--month",
        "2022-06",
        "--user",
        "dep",
        "--on",
        "2022-07-05",
        "--out",
        &p(out),
        "--quiet",
        "--data-dir",
        &p(data),
    ]);
    assert_eq!(code, Some(0), "{text}");
    (std::fs::read_to_string(out).unwrap(), text)
}

fn flagged_households(csv: &str) -> Vec<&str> {
    csv.lines()
        .skip(1)
        .filter_map(|l| l.split(',').next())
        .collect()
}

#[test]
fn database_screening_flags_what_file_screening_flags_once_incomes_are_imported() {
    let county = county();
    let dir = tempfile::tempdir().unwrap();
    let at = |x: &str| -> PathBuf { dir.path().join(x) };
    std::fs::create_dir_all(at("departments")).unwrap();
    std::fs::create_dir_all(at("files")).unwrap();
    department_files(&county, &at("departments"));
    department_files(&county, &at("files"));
    registry_csv(&county, &at("files"));

    // The file mode: the registry as CSV beside the department files.
    let (code, text) = run(&[
        "screen",
        "--input",
        &p(&at("files")),
        "--out",
        &p(&at("file-flagged.csv")),
        "--year",
        "2022",
        "--as-of",
        "2022-06-30",
        "--line",
        "6500",
        "--quiet",
    ]);
    assert_eq!(code, Some(0), "{text}");
    let by_file = std::fs::read_to_string(at("file-flagged.csv")).unwrap();
    let flagged = flagged_households(&by_file);
    assert!(flagged.len() > 20, "{by_file}");
    for code in [
        "ILLNESS",
        "DISABILITY",
        "HOUSING",
        "DISASTER",
        "LOW_INCOME",
        "NEAR_LINE",
    ] {
        assert!(by_file.contains(code), "no {code} in\n{by_file}");
    }

    // Before: a registry without 收支情况. No household has an income record, none is screened.
    std::fs::write(at("registry.xlsx"), workbook(&county, false)).unwrap();
    new_database(&at("before"), &at("registry.xlsx"));
    let (before, text) = screen_database(&at("before"), &at("departments"), &at("before.csv"));
    assert!(flagged_households(&before).is_empty(), "{before}");
    assert!(text.contains("300 户无上年收入记录未参与筛查"), "{text}");

    // The workbook with its 收支情况 sheet, into an empty database.
    std::fs::write(at("registry-incomes.xlsx"), workbook(&county, true)).unwrap();
    let text = new_database(&at("db"), &at("registry-incomes.xlsx"));
    assert!(text.contains("收支情况（收支情况）"), "{text}");
    assert!(
        text.contains("收支情况 incomes: 新增 600 条，更新 0 条，未变 0 条，拒绝 0 行"),
        "{text}"
    );
    // Without --user the income review does not run, and the command says so.
    assert!(
        text.contains("导入未指定用户，未运行收支测算比对（2021、2022年）"),
        "{text}"
    );
    let (by_database, text) = screen_database(&at("db"), &at("departments"), &at("db.csv"));
    assert!(!text.contains("未参与筛查"), "{text}");
    // The same households with the same codes, sums and per-capita incomes: the same file.
    assert_eq!(flagged_households(&by_database), flagged);
    assert_eq!(by_database, by_file);

    // Export and import again: every income record is kept, to the fen.
    let (code, text) = run(&[
        "export",
        "registry",
        "--out",
        &p(&at("export.xlsx")),
        "--data-dir",
        &p(&at("db")),
    ]);
    assert_eq!(code, Some(0), "{text}");
    assert!(text.contains("600 条收支"), "{text}");
    let exported = cells(&std::fs::read(at("export.xlsx")).unwrap());
    assert_eq!(exported[2].0, "收支情况");
    assert_eq!(exported[2].1.len(), 601);
    let text = new_database(&at("again"), &at("export.xlsx"));
    assert!(text.contains("新增 600 条"), "{text}");
    let (code, text) = run(&[
        "export",
        "registry",
        "--out",
        &p(&at("export-again.xlsx")),
        "--data-dir",
        &p(&at("again")),
    ]);
    assert_eq!(code, Some(0), "{text}");
    assert_eq!(
        cells(&std::fs::read(at("export-again.xlsx")).unwrap()),
        exported
    );
    // The records are the generated ones.
    let mut generated: Vec<(String, i32, f64, f64)> = county
        .households
        .iter()
        .flat_map(|dh| {
            dh.incomes.iter().map(|r| {
                (
                    dh.household.number.clone(),
                    r.year,
                    r.wage.0 as f64 / 100.0,
                    r.insurance_payout.0 as f64 / 100.0,
                )
            })
        })
        .collect();
    generated.sort_by(|a, b| (&a.0, a.1).cmp(&(&b.0, b.1)));
    let read: Vec<(String, i32, f64, f64)> = exported[2].1[1..]
        .iter()
        .map(|r| {
            let num = |c: usize| match &r[c] {
                Data::Float(f) => *f,
                other => panic!("{other:?}"),
            };
            (r[0].to_string(), num(1) as i32, num(2), num(11))
        })
        .collect();
    assert_eq!(read, generated);
    // And the database mode on the re-imported registry flags the same again.
    let (again, _) = screen_database(&at("again"), &at("departments"), &at("again.csv"));
    assert_eq!(again, by_file);
}
