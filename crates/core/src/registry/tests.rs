use super::*;
use crate::codes::{HealthStatus, LabourSkill, MonitoredType, Relation};
use crate::idnum::make;
use chrono::NaiveDate;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn s(v: &[&str]) -> Vec<String> {
    v.iter().map(|x| x.to_string()).collect()
}

const COMBINED: &[&str] = &[
    "户编号",
    "村代码",
    "行政村",
    "户类型",
    "家庭人口",
    "姓名",
    "公民身份号码",
    "与户主关系",
    "劳动技能",
    "健康状况",
    "是否参加城乡居民基本医疗保险",
];

fn id(seq: u16, y: i32) -> String {
    make(141123, d(y, 3, 1), seq).to_string()
}

fn row(number: &str, size: &str, name: &str, idn: &str, rel: &str) -> Vec<String> {
    s(&[
        number,
        "141123100201",
        "某村",
        "一般农户",
        size,
        name,
        idn,
        rel,
        "普通劳动力",
        "健康",
        "是",
    ])
}

fn combined() -> (Assembler, SheetId) {
    let layout = SheetLayout::detect("Sheet1", 1, &s(COMBINED))
        .unwrap()
        .unwrap();
    assert_eq!(layout.kind, SheetKind::Combined);
    let mut a = Assembler::new();
    let id = a.begin_sheet(layout);
    (a, id)
}

#[test]
fn one_sheet_households() {
    let (mut a, sh) = combined();
    a.add_row(sh, 2, &row("H1", "2", "王一", &id(11, 1970), "户主"));
    a.add_row(sh, 3, &row("H1", "", "李二", &id(22, 1972), "妻"));
    a.add_row(sh, 4, &s(&["", "", ""]));
    a.add_row(sh, 5, &row("H2", "1", "赵三", &id(31, 1960), "本人"));
    let out = a.finish();
    assert!(out.problems.is_empty(), "{:?}", out.problems);
    assert_eq!(out.entries.len(), 2);
    assert_eq!(out.stats.blank_rows, 1);
    assert_eq!(out.stats.rows, 3);
    let h = &out.entries[0].household;
    assert_eq!(h.number, "H1");
    assert_eq!(h.members.len(), 2);
    assert_eq!(h.members[1].relation, Relation::Spouse);
    assert_eq!(h.members[1].labour, LabourSkill::Ordinary);
    assert_eq!(h.members[0].health, vec![HealthStatus::Healthy]);
    assert_eq!(out.entries[0].names.village, "某村");
    assert_eq!(out.entries[0].member_rows[1].row, 3);
}

#[test]
fn household_rules() {
    let (mut a, sh) = combined();
    // no head
    a.add_row(sh, 2, &row("A", "", "甲", &id(1, 1970), "之子"));
    // two heads, size mismatch
    a.add_row(sh, 3, &row("B", "3", "乙", &id(2, 1970), "户主"));
    a.add_row(sh, 4, &row("B", "", "丙", &id(3, 1970), "户主"));
    // same person in two households
    a.add_row(sh, 5, &row("C", "", "丁", &id(4, 1970), "户主"));
    a.add_row(sh, 6, &row("D", "", "丁", &id(4, 1970), "户主"));
    // Excel-mangled ID, bad code
    let mut r = row("E", "", "戊", "1.41123197003E+17", "户主");
    r[8] = "很能干".into();
    a.add_row(sh, 7, &r);
    // conflicting household field
    a.add_row(sh, 8, &row("F", "", "己", &id(5, 1970), "户主"));
    let mut r = row("F", "", "庚", &id(6, 1970), "配偶");
    r[3] = "脱贫户".into();
    a.add_row(sh, 9, &r);
    // blank 户编号
    a.add_row(sh, 10, &row("", "", "辛", &id(7, 1970), "户主"));
    let out = a.finish();
    assert!(out.entries.is_empty(), "{:?}", out.entries);
    let at = |row: u32| -> Vec<&Problem> { out.problems.iter().filter(|p| p.row == row).collect() };
    assert!(at(2)[0].reason_zh.contains("没有户主"), "{:?}", at(2));
    assert!(
        at(3).iter().any(|p| p.reason_zh.contains("家庭人口为 3")),
        "{:?}",
        at(3)
    );
    assert!(at(4).iter().any(|p| p.reason_zh.contains("2 名户主")));
    assert!(at(5)[0].reason_zh.contains("两个户") && at(5)[0].reason_zh.contains("D"));
    assert!(at(6)[0].reason_zh.contains("C"));
    assert_eq!(at(5)[0].column, "公民身份号码");
    let e7 = at(7);
    assert!(
        e7.iter()
            .any(|p| p.reason_zh.contains("科学计数法") && p.value == "1.41123197003E+17")
    );
    assert!(
        e7.iter()
            .any(|p| p.column == "劳动技能" && p.value == "很能干")
    );
    assert!(at(9)[0].reason_zh.contains("不一致"), "{:?}", at(9));
    assert!(at(10)[0].reason_zh.contains("户编号为空"));
    assert_eq!(out.stats.rejected_households, 6);
    // sorted by row
    let rows: Vec<u32> = out.problems.iter().map(|p| p.row).collect();
    let mut sorted = rows.clone();
    sorted.sort();
    assert_eq!(rows, sorted);
}

#[test]
fn two_sheets() {
    let hh = SheetLayout::detect(
        "户信息",
        2,
        &s(&[
            "户编号",
            "县",
            "乡镇",
            "行政村",
            "村代码",
            "户类型",
            "风险类型",
            "监测对象类别",
        ]),
    )
    .unwrap()
    .unwrap();
    assert_eq!(hh.kind, SheetKind::Households);
    let mm = SheetLayout::detect(
        "家庭成员",
        1,
        &s(&[
            "户号",
            "姓名",
            "身份证号码",
            "关系",
            "劳动技能",
            "健康状况",
            "是否参加基本医疗保险",
            "残疾等级",
        ]),
    )
    .unwrap()
    .unwrap();
    assert_eq!(mm.kind, SheetKind::Members);
    check_layouts("f.xlsx", &[hh.kind, mm.kind]).unwrap();
    let mut a = Assembler::new();
    let h = a.begin_sheet(hh);
    let m = a.begin_sheet(mm);
    a.add_row(
        h,
        3,
        &s(&[
            "H1",
            "兴县",
            "圪塔上乡",
            "某村",
            "141123208201",
            "监测户",
            "因病、因自然灾害（洪涝）",
            "边缘易致贫户",
        ]),
    );
    a.add_row(
        h,
        4,
        &s(&[
            "H2",
            "兴县",
            "圪塔上乡",
            "某村",
            "141123208201",
            "一般农户",
            "",
            "",
        ]),
    );
    a.add_row(
        h,
        5,
        &s(&[
            "H1",
            "兴县",
            "圪塔上乡",
            "某村",
            "141123208201",
            "一般农户",
            "",
            "",
        ]),
    );
    a.add_row(
        m,
        2,
        &s(&[
            "H1",
            "甲",
            &id(1, 1980),
            "户主",
            "普通劳动力",
            "残疾",
            "是",
            "二级",
        ]),
    );
    a.add_row(
        m,
        3,
        &s(&[
            "H3",
            "乙",
            &id(2, 1980),
            "户主",
            "普通劳动力",
            "健康",
            "是",
            "",
        ]),
    );
    let out = a.finish();
    // H1 twice in the household sheet, H2 without members, H3 without household row
    assert!(out.entries.is_empty());
    let reasons: Vec<&str> = out.problems.iter().map(|p| p.reason_zh.as_str()).collect();
    assert!(
        reasons.iter().any(|r| r.contains("户编号重复")),
        "{reasons:?}"
    );
    assert!(
        reasons.iter().any(|r| r.contains("没有成员")),
        "{reasons:?}"
    );
    assert!(
        reasons
            .iter()
            .any(|r| r.contains("户信息表中没有这个户编号")),
        "{reasons:?}"
    );

    let mut a = Assembler::new();
    let h = a.begin_sheet(
        SheetLayout::detect(
            "户信息",
            1,
            &s(&["户编号", "村代码", "户类型", "风险类型", "监测对象类别"]),
        )
        .unwrap()
        .unwrap(),
    );
    let m = a.begin_sheet(
        SheetLayout::detect(
            "家庭成员",
            1,
            &s(&[
                "户编号",
                "姓名",
                "身份证号",
                "与户主关系",
                "劳动技能",
                "健康状况",
                "是否参加基本医疗保险",
                "残疾等级",
            ]),
        )
        .unwrap()
        .unwrap(),
    );
    a.add_row(
        h,
        2,
        &s(&[
            "H1",
            "141123208201",
            "监测户",
            "因病、因自然灾害（洪涝）",
            "边缘易致贫户",
        ]),
    );
    a.add_row(
        m,
        2,
        &s(&[
            "H1",
            "甲",
            &id(1, 1980),
            "户主",
            "普通劳动力",
            "残疾",
            "是",
            "二级",
        ]),
    );
    let out = a.finish();
    assert!(out.problems.is_empty(), "{:?}", out.problems);
    let e = &out.entries[0];
    assert_eq!(
        e.household.risks,
        vec![
            crate::codes::RiskType::Illness,
            crate::codes::RiskType::DisasterFlood
        ]
    );
    assert_eq!(e.household.monitored_type, Some(MonitoredType::Marginal));
    assert_eq!(e.household.members[0].disability_grade, Some(2));
    assert_eq!(&*e.row.sheet, "户信息");
    assert_eq!(&*e.member_rows[0].sheet, "家庭成员");
}

#[test]
fn layouts() {
    let missing = SheetLayout::detect(
        "S",
        1,
        &s(&["户编号", "村代码", "户类型", "姓名", "与户主关系"]),
    )
    .unwrap_err();
    assert!(missing[0].reason_zh.contains("身份证号"), "{:?}", missing);
    assert!(missing[0].reason_zh.contains("劳动技能"));
    let twice = SheetLayout::detect("S", 1, &s(&["户编号", "身份证号", "证件号码"])).unwrap_err();
    assert!(twice[0].reason_zh.contains("两次"));
    assert!(
        SheetLayout::detect("说明", 1, &s(&["列名", "说明"]))
            .unwrap()
            .is_none()
    );
    assert!(check_layouts("f", &[]).is_err());
    assert!(check_layouts("f", &[SheetKind::Households]).is_err());
    assert!(check_layouts("f", &[SheetKind::Combined, SheetKind::Members]).is_err());
    assert!(check_layouts("f", &[SheetKind::Combined, SheetKind::Combined]).is_ok());
    assert_eq!(column_letter(0), "A");
    assert_eq!(column_letter(25), "Z");
    assert_eq!(column_letter(26), "AA");
}

#[test]
fn merged_cells() {
    let (mut a, sh) = combined();
    // household column merged down one household: fine
    a.merged(sh, (2, 3), (0, 0));
    // ID column merged over two rows: rejected
    a.merged(sh, (4, 5), (6, 6));
    // title row merged: ignored
    a.merged(sh, (1, 1), (0, 10));
    a.add_row(sh, 2, &row("H1", "", "王一", &id(11, 1970), "户主"));
    a.add_row(sh, 3, &row("H1", "", "李二", &id(22, 1972), "配偶"));
    a.add_row(sh, 4, &row("H2", "", "赵三", &id(31, 1960), "户主"));
    a.add_row(sh, 5, &row("H2", "", "赵四", &id(31, 1960), "之子"));
    let out = a.finish();
    assert_eq!(out.entries.len(), 1);
    assert!(
        out.problems
            .iter()
            .any(|p| p.row == 4 && p.reason_zh.contains("合并单元格 G4:G5")),
        "{:?}",
        out.problems
    );
}
