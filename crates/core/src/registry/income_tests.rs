//! The 收支情况 sheet: recognised from its header, read row by row beside the household rows.

use super::*;
use crate::Fen;
use crate::idnum::make;
use chrono::NaiveDate;

fn s(v: &[&str]) -> Vec<String> {
    v.iter().map(|x| x.to_string()).collect()
}

const INCOME: &[&str] = &[
    "户编号",
    "年度",
    "工资性收入",
    "生产经营性收入",
    "财产性收入",
    "转移性收入",
    "生产经营性支出",
    "合规自付医疗支出",
    "教育支出",
    "残疾康复支出",
    "因灾因事故支出",
    "理赔收入",
    "家庭人口",
];

const COMBINED: &[&str] = &[
    "户编号",
    "村代码",
    "户类型",
    "姓名",
    "身份证号",
    "与户主关系",
    "劳动技能",
    "健康状况",
    "是否参加基本医疗保险",
];

fn member(number: &str, seq: u16, rel: &str) -> Vec<String> {
    let idn = make(141123, NaiveDate::from_ymd_opt(1970, 3, 1).unwrap(), seq).to_string();
    s(&[
        number,
        "141123100201",
        "一般农户",
        "某人",
        &idn,
        rel,
        "普通劳动力",
        "健康",
        "是",
    ])
}

fn income(number: &str, year: &str, wage: &str, members: &str) -> Vec<String> {
    s(&[
        number, year, wage, "5000", "", "3000.5", "2,000", "", "", "", "", "", members,
    ])
}

fn layout(name: &str, headers: &[&str]) -> SheetLayout {
    SheetLayout::detect(name, 1, &s(headers)).unwrap().unwrap()
}

#[test]
fn an_income_header_makes_an_income_sheet() {
    let l = layout("收支情况", INCOME);
    assert_eq!(l.kind, SheetKind::Income);
    assert_eq!(l.income_position(IncomeCol::Members), Some(12));
    assert_eq!(l.kind_at(0), Some(Kind::Digits));
    assert_eq!(l.kind_at(1), Some(Kind::Count));
    assert_eq!(l.kind_at(2), Some(Kind::Amount));
    assert_eq!(l.kind_at(12), Some(Kind::Count));
    assert_eq!(l.kind_at(13), None);
    assert_eq!(SheetLayout::recognised(&s(INCOME)), 13);

    // As the national system's 收支 export writes it: region columns, the head's name, computed totals
    // (not read), the optional columns missing, other names.
    let national = [
        "县(市、区)",
        "乡(镇)",
        "行政村",
        "村代码",
        "户编号",
        "户主姓名",
        "年份",
        "务工收入（元）",
        "经营性收入",
        "财产收入",
        "转移收入",
        "生产经营支出",
        "家庭纯收入",
        "人均纯收入",
        "人口数",
    ];
    let l = layout("收支", &national);
    assert_eq!(l.kind, SheetKind::Income);
    assert_eq!(l.income_position(IncomeCol::Wage), Some(7));
    assert_eq!(l.income_header_of(IncomeCol::Wage), "务工收入（元）");
    assert_eq!(l.income_position(IncomeCol::InsurancePayout), None);
    assert_eq!(l.kind_at(12), None, "家庭纯收入 is not read");

    // 年度 without any amount is no income sheet (and no registry sheet either).
    assert!(
        SheetLayout::detect("x", 1, &s(&["户编号", "年度", "家庭人口"]))
            .unwrap()
            .is_none()
    );
    // The registry sheets stay what they were.
    assert_eq!(layout("Sheet1", COMBINED).kind, SheetKind::Combined);
}

#[test]
fn an_income_sheet_without_a_required_column_or_with_one_twice_is_unusable() {
    let mut h = s(INCOME);
    h.pop(); // 家庭人口
    h.remove(3); // 生产经营性收入
    let e = SheetLayout::detect("收支情况", 2, &h).unwrap_err();
    assert_eq!(e.len(), 1);
    assert!(
        e[0].reason_zh.contains("生产经营性收入"),
        "{}",
        e[0].reason_zh
    );
    assert!(e[0].reason_zh.contains("家庭人口"), "{}", e[0].reason_zh);
    assert_eq!(e[0].row, 2);
    let mut h = s(INCOME);
    h.push("务工收入".into());
    let e = SheetLayout::detect("收支情况", 1, &h).unwrap_err();
    assert!(e[0].reason_zh.contains("工资性收入") && e[0].reason_zh.contains("两次"));
    // The optional columns may be missing.
    let l = layout(
        "收支情况",
        &INCOME[..7]
            .iter()
            .chain(&["家庭人口"])
            .copied()
            .collect::<Vec<_>>(),
    );
    assert_eq!(l.kind, SheetKind::Income);
}

#[test]
fn income_sheets_beside_or_without_the_registry() {
    use SheetKind::*;
    assert!(check_layouts("f", &[Income]).is_ok());
    assert!(check_layouts("f", &[Households, Members, Income]).is_ok());
    assert!(check_layouts("f", &[Combined, Income, Income]).is_ok());
    assert!(check_layouts("f", &[Households, Income]).is_err());
    assert!(check_layouts("f", &[]).is_err());
}

fn assemble(members: &[Vec<String>], incomes: &[Vec<String>]) -> Assembled {
    let mut a = Assembler::new();
    let m = a.begin_sheet(layout("成员", COMBINED));
    for (i, r) in members.iter().enumerate() {
        a.add_row(m, i as u32 + 2, r);
    }
    let inc = a.begin_sheet(layout("收支情况", INCOME));
    for (i, r) in incomes.iter().enumerate() {
        a.add_row(inc, i as u32 + 2, r);
    }
    a.finish()
}

#[test]
fn income_rows_are_read_and_checked_one_by_one() {
    let out = assemble(
        &[member("H1", 11, "户主"), member("H2", 12, "户主")],
        &[
            income("H1", "2021", "12,345.60", "3"),          // row 2
            income("H1", "２０２２年", "１２３４５", "3人"), // 3
            income("H2", "2022", "一万", "2"),               // 4: text
            income("H2", "2021", "-1", "2"),                 // 5: negative
            income("H2", "2023", "1.234", "0"),              // 6: 3 decimals, 0 people
            income("", "2022", "1", "1"),                    // 7: no 户编号
            income("H9", "1999", "1", "1"),                  // 8: year out of range
            income("H9", "2022", "1", ""),                   // 9: no 家庭人口
            income("H9", "2021", "1", "1"), // 10: not in the file: the database decides
            s(&["", "", ""]),               // 11: blank
        ],
    );
    assert_eq!(out.entries.len(), 2);
    let rows: Vec<u32> = out.incomes.iter().map(|r| r.row.row).collect();
    assert_eq!(rows, [2, 3, 10]);
    let r = &out.incomes[0];
    assert_eq!(r.number, "H1");
    assert_eq!(&*r.row.sheet, "收支情况");
    assert_eq!(r.record.year, 2021);
    assert_eq!(r.record.wage, Fen(1_234_560));
    assert_eq!(r.record.business, Fen(500_000));
    assert_eq!(r.record.property, Fen(0));
    assert_eq!(r.record.transfer, Fen(300_050));
    assert_eq!(r.record.production_cost, Fen(200_000));
    assert_eq!(r.record.members, 3);
    assert_eq!(out.incomes[1].record.year, 2022);
    assert_eq!(out.incomes[1].record.wage, Fen(1_234_500));
    assert_eq!(out.incomes[2].number, "H9");

    let at = |row: u32| -> Vec<&Problem> { out.problems.iter().filter(|p| p.row == row).collect() };
    let p = at(4);
    assert_eq!(p.len(), 1);
    assert_eq!(
        (
            p[0].sheet.as_str(),
            p[0].column.as_str(),
            p[0].value.as_str()
        ),
        ("收支情况", "工资性收入", "一万")
    );
    assert!(p[0].reason_zh.contains("不是金额") && p[0].reason_en.contains("not an amount"));
    assert!(at(5)[0].reason_zh.contains("负数"));
    let p = at(6);
    assert_eq!(p.len(), 2, "{p:?}");
    assert!(p[0].reason_zh.contains("小数超过 2 位"));
    assert_eq!(p[1].column, "家庭人口");
    assert!(p[1].reason_zh.contains("为 0"));
    assert!(at(7)[0].reason_zh.contains("户编号为空"));
    assert_eq!(at(8)[0].column, "年度");
    assert!(at(8)[0].reason_zh.contains("2000 至 2100"));
    assert!(at(9)[0].reason_zh.contains("家庭人口为空"));
    assert!(at(10).is_empty() && at(11).is_empty());
    assert_eq!(out.stats.income_rows, 9);
    assert_eq!(out.stats.rejected_income_rows, 6);
    assert_eq!(out.stats.blank_rows, 1);
    assert_eq!(out.stats.households, 2);
    // Problems by sheet and row.
    let order: Vec<u32> = out.problems.iter().map(|p| p.row).collect();
    let mut sorted = order.clone();
    sorted.sort();
    assert_eq!(order, sorted);
}

#[test]
fn a_year_given_twice_and_the_rows_of_a_rejected_household_are_rejected() {
    let out = assemble(
        &[
            member("H1", 11, "户主"),
            member("H2", 12, "户主"),
            member("H2", 13, "户主"), // two heads: H2 rejected
        ],
        &[
            income("H1", "2021", "1", "1"), // 2
            income("H1", "2021", "2", "1"), // 3: twice
            income("H1", "2022", "3", "1"), // 4
            income("H2", "2022", "4", "1"), // 5: household rejected
        ],
    );
    assert_eq!(out.entries.len(), 1);
    let rows: Vec<u32> = out.incomes.iter().map(|r| r.row.row).collect();
    assert_eq!(rows, [4]);
    let income_problems: Vec<&Problem> = out
        .problems
        .iter()
        .filter(|p| p.sheet == "收支情况")
        .collect();
    assert_eq!(income_problems.len(), 3);
    assert!(
        income_problems[0].reason_zh.contains("另见第 3 行"),
        "{}",
        income_problems[0].reason_zh
    );
    assert!(income_problems[1].reason_zh.contains("另见第 2 行"));
    assert!(income_problems[2].reason_zh.contains("该户未导入"));
    assert_eq!(income_problems[2].column, "户编号");
    assert_eq!(out.stats.rejected_income_rows, 3);
}

#[test]
fn in_the_income_sheet_only_the_household_number_may_be_merged() {
    let mut a = Assembler::new();
    let inc = a.begin_sheet(layout("收支情况", INCOME));
    a.merged(inc, (2, 3), (0, 0)); // 户编号 over two years: fine
    a.merged(inc, (4, 5), (2, 2)); // an amount: both rows rejected
    a.merged(inc, (6, 6), (2, 3)); // across columns: rejected
    for (r, year) in [
        (2, "2021"),
        (3, "2022"),
        (4, "2020"),
        (5, "2019"),
        (6, "2018"),
    ] {
        a.add_row(inc, r, &income("H1", year, "100", "2"));
    }
    let out = a.finish();
    let rows: Vec<u32> = out.incomes.iter().map(|r| r.row.row).collect();
    assert_eq!(rows, [2, 3]);
    let bad: Vec<u32> = out.problems.iter().map(|p| p.row).collect();
    assert_eq!(bad, [4, 5, 6]);
    assert!(out.problems[0].reason_zh.contains("只有户编号可以合并"));
    assert_eq!(out.problems[0].column, "工资性收入");
}

#[test]
fn income_rows_are_handed_out_once_and_kept_for_the_end() {
    let mut a = Assembler::new();
    let inc = a.begin_sheet(layout("收支情况", INCOME));
    a.add_row(inc, 2, &income("H1", "2021", "1", "1"));
    a.add_row(inc, 3, &income("H1", "2022", "x", "1"));
    let first: Vec<u32> = a.take_incomes().iter().map(|r| r.row.row).collect();
    assert_eq!(first, [2]);
    assert!(a.take_incomes().is_empty());
    a.add_row(inc, 4, &income("H1", "2021", "2", "1"));
    let second: Vec<u32> = a.take_incomes().iter().map(|r| r.row.row).collect();
    assert_eq!(second, [4]);
    // The end has them all, and its checks: 2021 twice.
    let out = a.finish();
    assert!(out.incomes.is_empty());
    assert_eq!(out.problems.len(), 3);
}
