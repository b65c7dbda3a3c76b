//! Cell values of a registry row (台账单元格取值): code labels with the spellings clerks use, yes/no,
//! counts, lists separated by `、`, and 户编号 with its spaces and full-width digits removed. Every parsing
//! function returns the value or a reason in Chinese and English.

use std::borrow::Cow;

use crate::codes::{
    CodeList, Dibao, Education, HealthStatus, LabourSkill, PoliticalStatus, Relation, RiskType,
    SchoolStatus, Tekun,
};

/// Why a cell value is not accepted: Chinese and English.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Reason {
    /// 中文原因.
    pub zh: String,
    /// English reason.
    pub en: String,
}

impl Reason {
    /// A reason from both texts.
    pub fn new(zh: impl Into<String>, en: impl Into<String>) -> Reason {
        Reason {
            zh: zh.into(),
            en: en.into(),
        }
    }
}

/// The text without whitespace (borrowed when it has none, the usual case: no allocation per cell).
fn compact(s: &str) -> Cow<'_, str> {
    if s.chars().any(char::is_whitespace) {
        Cow::Owned(s.chars().filter(|c| !c.is_whitespace()).collect())
    } else {
        Cow::Borrowed(s)
    }
}

/// Splits a multi-value cell on `、` `,` `，` `;` `；` `/` `|` and whitespace; empty parts are dropped.
pub fn split_multi(s: &str) -> impl Iterator<Item = &str> {
    s.split(|c: char| matches!(c, '、' | ',' | '，' | ';' | '；' | '/' | '|') || c.is_whitespace())
        .map(str::trim)
        .filter(|p| !p.is_empty())
}

fn unknown<T: CodeList>(value: &str, list_zh: &str, list_en: &str) -> Reason {
    let allowed: Vec<&str> = T::all().iter().map(CodeList::label_zh).collect();
    Reason::new(
        format!("“{value}”不是有效的{list_zh}，可选：{}", allowed.join("、")),
        format!(
            "{value:?} is not a valid {list_en}; allowed: {}",
            allowed.join(", ")
        ),
    )
}

/// A code-list value by code, Chinese or English label, or one of `extra` spellings.
fn code<T: CodeList>(
    s: &str,
    extra: &[(&str, T)],
    list_zh: &str,
    list_en: &str,
) -> Result<T, Reason> {
    let t = compact(s);
    if let Some(v) = T::from_any(&t) {
        return Ok(v);
    }
    if let Some((_, v)) = extra.iter().find(|(k, _)| *k == t) {
        return Ok(*v);
    }
    Err(unknown::<T>(s.trim(), list_zh, list_en))
}

/// 是 / 否 (also Y/N, 1/0, true/false, √/×, 有/无). Blank is `None`.
pub fn yes_no(s: &str) -> Result<Option<bool>, Reason> {
    let t = s.trim();
    let lower = if t.bytes().any(|b| b.is_ascii_uppercase()) {
        Cow::Owned(t.to_ascii_lowercase())
    } else {
        Cow::Borrowed(t)
    };
    match &*lower {
        "" => Ok(None),
        "是" | "y" | "yes" | "1" | "true" | "√" | "有" | "已参加" | "参加" | "已参保" => {
            Ok(Some(true))
        }
        "否" | "n" | "no" | "0" | "false" | "×" | "无" | "未参加" | "不是" | "未参保" => {
            Ok(Some(false))
        }
        _ => Err(Reason::new(
            format!("“{t}”应为“是”或“否”"),
            format!("{t:?} must be 是 (yes) or 否 (no)"),
        )),
    }
}

/// A whole number ≥ 0, also written `3.0` (a number cell) or `3人`.
pub fn count(s: &str) -> Result<Option<u32>, Reason> {
    let t = s.trim();
    if t.is_empty() {
        return Ok(None);
    }
    let digits = t.trim_end_matches(['人', '口']).trim();
    let digits = digits.strip_suffix(".0").unwrap_or(digits);
    digits.parse::<u32>().map(Some).map_err(|_| {
        Reason::new(
            format!("“{t}”不是整数"),
            format!("{t:?} is not a whole number"),
        )
    })
}

/// 与户主关系, with the spellings of village ledgers (本人, 妻, 长子, 儿子, 孙子 …).
pub fn relation(s: &str) -> Result<Relation, Reason> {
    use Relation::*;
    let t = compact(s);
    let extra: &[(&str, Relation)] = &[
        ("本人", Head),
        ("户主本人", Head),
        ("妻", Spouse),
        ("夫", Spouse),
        ("妻子", Spouse),
        ("丈夫", Spouse),
        ("之妻", Spouse),
        ("之夫", Spouse),
        ("儿子", Son),
        ("长子", Son),
        ("次子", Son),
        ("三子", Son),
        ("女儿", Daughter),
        ("长女", Daughter),
        ("次女", Daughter),
        ("三女", Daughter),
        ("父亲", Father),
        ("母亲", Mother),
        ("兄弟姐妹", Sibling),
        ("兄", Sibling),
        ("弟", Sibling),
        ("姐", Sibling),
        ("妹", Sibling),
        ("之兄", Sibling),
        ("之弟", Sibling),
        ("之姐", Sibling),
        ("之妹", Sibling),
    ];
    if let Ok(v) = code::<Relation>(&t, extra, "与户主关系", "relation to the head") {
        return Ok(v);
    }
    // "孙子" for "之孙子", "儿媳" for "之儿媳".
    code::<Relation>(&format!("之{t}"), &[], "与户主关系", "relation to the head")
        .map_err(|_| unknown::<Relation>(s.trim(), "与户主关系", "relation to the head"))
}

/// 劳动技能.
pub fn labour(s: &str) -> Result<LabourSkill, Reason> {
    use LabourSkill::*;
    code(
        s,
        &[
            ("弱劳动力", Weak),
            ("半劳动力", Weak),
            ("弱劳动力/半劳动力", Weak),
            ("普通劳动", Ordinary),
            ("技能劳动", Skilled),
            ("丧失劳动能力", Lost),
            ("无劳动能力", None),
        ],
        "劳动技能",
        "labour skill",
    )
}

/// 健康状况 (several; `健康` alone or illnesses and disability).
pub fn health(s: &str) -> Result<Vec<HealthStatus>, Reason> {
    use HealthStatus::*;
    let mut out = Vec::new();
    for part in split_multi(s) {
        let v = code(
            part,
            &[
                ("慢性病", Chronic),
                ("长期慢性疾病", Chronic),
                ("大病", SeriousIllness),
                ("患大病", SeriousIllness),
                ("重病", SeriousIllness),
                ("残疾人", Disabled),
            ],
            "健康状况",
            "health status",
        )?;
        if !out.contains(&v) {
            out.push(v);
        }
    }
    Ok(out)
}

/// 残疾等级 1–4 (`1`, `1级`, `一级`, `残疾一级`, `1.0`). Blank is `None`.
pub fn disability_grade(s: &str) -> Result<Option<u8>, Reason> {
    let t = compact(s);
    if t.is_empty() || t == "无" {
        return Ok(None);
    }
    let core = t
        .trim_start_matches("残疾")
        .trim_end_matches('级')
        .trim_end_matches(".0");
    let g = match core {
        "1" | "一" => 1,
        "2" | "二" => 2,
        "3" | "三" => 3,
        "4" | "四" => 4,
        _ => {
            return Err(Reason::new(
                format!("残疾等级“{t}”应为 1 至 4 级"),
                format!("disability grade {t:?} must be 1 to 4"),
            ));
        }
    };
    Ok(Some(g))
}

/// 文化程度. Blank is `None`.
pub fn education(s: &str) -> Result<Option<Education>, Reason> {
    use Education::*;
    if s.trim().is_empty() {
        return Ok(None);
    }
    code(
        s,
        &[
            ("文盲", Illiterate),
            ("半文盲", Illiterate),
            ("文盲半文盲", Illiterate),
            ("中专", SeniorSecondary),
            ("职高", SeniorSecondary),
            ("技校", SeniorSecondary),
            ("高中(中专)", SeniorSecondary),
            ("专科", College),
            ("大学专科", College),
            ("本科", BachelorOrAbove),
            ("大学本科", BachelorOrAbove),
            ("研究生", BachelorOrAbove),
            ("硕士", BachelorOrAbove),
            ("博士", BachelorOrAbove),
        ],
        "文化程度",
        "education level",
    )
    .map(Some)
}

/// 在校生状况. Blank, 非在校生, 不在校, 无 are `None`.
pub fn school(s: &str) -> Result<Option<SchoolStatus>, Reason> {
    use SchoolStatus::*;
    let t = compact(s);
    if matches!(&*t, "" | "非在校生" | "不在校" | "无" | "否" | "未在校") {
        return Ok(None);
    }
    code(
        &t,
        &[
            ("学龄前", PreschoolAge),
            ("学前", Preschool),
            ("幼儿园", Preschool),
            ("小学生", Primary),
            ("初一", Grade7),
            ("初二", Grade8),
            ("初三", Grade9),
            ("七年级学生", Grade7),
            ("八年级学生", Grade8),
            ("九年级学生", Grade9),
            ("高一", HighSchool1),
            ("高二", HighSchool2),
            ("高三", HighSchool3),
            ("大学本科", Undergraduate),
            ("研究生", Postgraduate),
        ],
        "在校生状况",
        "school status",
    )
    .map(Some)
}

/// 政治面貌. Blank is 群众.
pub fn political(s: &str) -> Result<PoliticalStatus, Reason> {
    use PoliticalStatus::*;
    if s.trim().is_empty() {
        return Ok(Masses);
    }
    code(
        s,
        &[
            ("党员", PartyMember),
            ("共产党员", PartyMember),
            ("预备党员", ProbationaryMember),
            ("团员", LeagueMember),
            ("共青团员", LeagueMember),
        ],
        "政治面貌",
        "political status",
    )
}

/// 低保. Blank, 否, 无 are 未享受; 是 is 农村低保 (the registry is rural).
pub fn dibao(s: &str) -> Result<Dibao, Reason> {
    let t = compact(s);
    match &*t {
        "" | "否" | "无" | "不享受" | "未享受低保" => Ok(Dibao::None),
        "是" | "低保" | "享受" | "低保户" => Ok(Dibao::Rural),
        _ => code(&t, &[], "低保", "dibao"),
    }
}

/// 特困. Blank, 否, 无 are 不享受; 是 is 农村特困.
pub fn tekun(s: &str) -> Result<Tekun, Reason> {
    let t = compact(s);
    match &*t {
        "" | "否" | "无" | "未享受" | "非特困" => Ok(Tekun::None),
        "是" | "特困" | "特困供养" | "享受" | "特困户" => Ok(Tekun::Rural),
        _ => code(&t, &[], "特困", "tekun"),
    }
}

/// One 风险类型: a code, a label, or `因自然灾害（洪涝）` for a disaster sub-type.
pub fn risk(s: &str) -> Result<RiskType, Reason> {
    let t = compact(s);
    if let Some(v) = RiskType::from_any(&t) {
        return Ok(v);
    }
    let inner = t
        .strip_prefix("因自然灾害")
        .or_else(|| t.strip_prefix("自然灾害"))
        .map(|r| {
            r.trim_start_matches(['（', '(', '-', '—'])
                .trim_end_matches(['）', ')'])
        });
    if let Some(inner) = inner {
        if inner.is_empty() {
            return Ok(RiskType::Disaster);
        }
        let found = RiskType::from_any(inner)
            .filter(|v| v.is_disaster())
            .or_else(|| RiskType::from_any(&format!("{inner}灾害")).filter(|v| v.is_disaster()));
        if let Some(v) = found {
            return Ok(v);
        }
    }
    let extra: &[(&str, RiskType)] = &[
        ("病", RiskType::Illness),
        ("残", RiskType::Disability),
        ("学", RiskType::Schooling),
        ("因灾", RiskType::Disaster),
        ("自然灾害", RiskType::Disaster),
        ("意外事故", RiskType::Accident),
        ("务工就业不稳", RiskType::UnstableEmployment),
        ("产业项目失败", RiskType::IndustryFailure),
        ("住房安全问题", RiskType::Housing),
        ("饮水安全问题", RiskType::Water),
    ];
    code(&t, extra, "风险类型", "risk type")
}

/// 风险类型 list: at most `max`, no value twice.
pub fn risks(s: &str, max: usize) -> Result<Vec<RiskType>, Reason> {
    let mut out = Vec::new();
    for part in split_multi(s) {
        let v = risk(part)?;
        if out.contains(&v) {
            return Err(Reason::new(
                format!("风险类型“{}”重复", v.full_label_zh()),
                format!("risk type {:?} given twice", v.full_label_en()),
            ));
        }
        out.push(v);
    }
    if out.len() > max {
        return Err(Reason::new(
            format!("风险类型最多 {max} 项，填写了 {} 项", out.len()),
            format!("at most {max} risk types, found {}", out.len()),
        ));
    }
    Ok(out)
}

/// A list of labels as written by the export (`、`-separated Chinese labels; disasters in full).
pub fn join_risks(v: &[RiskType]) -> String {
    v.iter()
        .map(|r| r.full_label_zh())
        .collect::<Vec<_>>()
        .join("、")
}

/// Labels joined with `、`.
pub fn join_labels<T: CodeList>(v: &[T]) -> String {
    v.iter()
        .map(CodeList::label_zh)
        .collect::<Vec<_>>()
        .join("、")
}

/// [`normalise_number`] without allocating when the text is already normal (the usual case).
pub(super) fn normalised_number(s: &str) -> Cow<'_, str> {
    if s.chars()
        .any(|c| c.is_whitespace() || ('０'..='９').contains(&c))
    {
        Cow::Owned(normalise_number(s))
    } else {
        Cow::Borrowed(s)
    }
}

/// 户编号 as stored: surrounding and inner whitespace removed, full-width digits as ASCII.
pub fn normalise_number(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32).unwrap_or(c),
            _ => c,
        })
        .collect()
}

/// The digits of a code column (村代码): [`normalise_number`].
pub(super) fn digits_only(s: &str) -> String {
    normalise_number(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spellings() {
        assert_eq!(relation("户主"), Ok(Relation::Head));
        assert_eq!(relation("本人"), Ok(Relation::Head));
        assert_eq!(relation("孙子"), Ok(Relation::Grandson));
        assert_eq!(relation("之孙子"), Ok(Relation::Grandson));
        assert_eq!(relation(" 长女 "), Ok(Relation::Daughter));
        assert_eq!(relation("head"), Ok(Relation::Head));
        let e = relation("邻居").unwrap_err();
        assert!(e.zh.contains("邻居") && e.zh.contains("户主"), "{}", e.zh);
        assert_eq!(yes_no(" 是"), Ok(Some(true)));
        assert_eq!(yes_no("N"), Ok(Some(false)));
        assert_eq!(yes_no(""), Ok(None));
        assert!(yes_no("也许").is_err());
        assert_eq!(count("3"), Ok(Some(3)));
        assert_eq!(count("3.0"), Ok(Some(3)));
        assert_eq!(count("4人"), Ok(Some(4)));
        assert!(count("三").is_err());
        assert_eq!(
            health("长期慢性病、残疾"),
            Ok(vec![HealthStatus::Chronic, HealthStatus::Disabled])
        );
        assert_eq!(health("健康"), Ok(vec![HealthStatus::Healthy]));
        assert_eq!(disability_grade("二级"), Ok(Some(2)));
        assert_eq!(disability_grade("4"), Ok(Some(4)));
        assert_eq!(disability_grade(""), Ok(None));
        assert!(disability_grade("5").is_err());
        assert_eq!(school("非在校生"), Ok(None));
        assert_eq!(school("八年级"), Ok(Some(SchoolStatus::Grade8)));
        assert_eq!(political(""), Ok(PoliticalStatus::Masses));
        assert_eq!(dibao(""), Ok(Dibao::None));
        assert_eq!(dibao("城市低保"), Ok(Dibao::Urban));
        assert_eq!(tekun("是"), Ok(Tekun::Rural));
        assert_eq!(education("文盲"), Ok(Some(Education::Illiterate)));
    }

    #[test]
    fn risk_lists() {
        use RiskType::*;
        assert_eq!(risks("因病、缺劳动力", 5), Ok(vec![Illness, LackOfLabour]));
        assert_eq!(risks("因自然灾害（洪涝）", 5), Ok(vec![DisasterFlood]));
        assert_eq!(risks("0201", 5), Ok(vec![DisasterFlood]));
        assert_eq!(risks("", 5), Ok(vec![]));
        assert!(risks("因病、因病", 5).is_err());
        assert!(risks("01,03,04,05,06,07", 5).is_err());
        for r in RiskType::ALL {
            assert_eq!(risks(&join_risks(&[*r]), 5), Ok(vec![*r]), "{r:?}");
        }
    }

    #[test]
    fn every_label_parses_back() {
        for v in Relation::ALL {
            assert_eq!(relation(v.label_zh()), Ok(*v));
        }
        for v in LabourSkill::ALL {
            assert_eq!(labour(v.label_zh()), Ok(*v));
        }
        for v in SchoolStatus::ALL {
            assert_eq!(school(v.label_zh()), Ok(Some(*v)));
        }
        for v in Education::ALL {
            assert_eq!(education(v.label_zh()), Ok(Some(*v)));
        }
        for v in Dibao::ALL {
            assert_eq!(dibao(v.label_zh()), Ok(*v));
        }
        for v in Tekun::ALL {
            assert_eq!(tekun(v.label_zh()), Ok(*v));
        }
        for v in PoliticalStatus::ALL {
            assert_eq!(political(v.label_zh()), Ok(*v));
        }
    }
}
