//! Header names and their aliases (表头别名).
//!
//! Departments name the same column differently: the public-security form says
//! 公民身份号码, the medical-insurance export 证件号码, a township sheet
//! 身份证号码. [`canonical`] maps a header cell to the canonical name used by
//! the screening contract (`docs/spec/screening.md`), after [`normalise`]
//! has removed what does not matter (spaces, full-width letters, a unit in
//! brackets such as `（元）`, a leading `*` that marks a required column).

/// Canonical column name → accepted aliases (the canonical name itself is
/// always accepted). Compared after [`normalise`].
pub const ALIASES: &[(&str, &[&str])] = &[
    (
        "身份证号",
        &[
            "公民身份号码",
            "身份证号码",
            "证件号码",
            "身份证件号码",
            "公民身份证号码",
            "公民身份证号",
            "身份证",
            "证件号",
        ],
    ),
    (
        "户编号",
        &["户号", "家庭编号", "户码", "家庭户号", "户主编号"],
    ),
    (
        "村代码",
        &[
            "行政区划代码",
            "村级代码",
            "村编码",
            "行政村代码",
            "村级行政区划代码",
            "村行政区划代码",
        ],
    ),
    (
        "家庭人口",
        &[
            "家庭人口数",
            "家庭人数",
            "人口数",
            "户人口",
            "户人口数",
            "家庭成员数",
        ],
    ),
    (
        "上年家庭纯收入",
        &[
            "家庭纯收入",
            "上年纯收入",
            "家庭年纯收入",
            "上年度家庭纯收入",
            "年家庭纯收入",
        ],
    ),
    ("户类型", &["户属性", "农户类型", "家庭类型", "户类别"]),
    ("姓名", &["成员姓名", "人员姓名", "名字"]),
    ("与户主关系", &["与户主的关系", "关系", "家庭关系"]),
    ("结算日期", &["结算时间", "费用结算日期", "结算日"]),
    (
        "医疗总费用",
        &[
            "总费用",
            "医疗费用总额",
            "医疗费总额",
            "费用总额",
            "医疗费用",
        ],
    ),
    (
        "基本医保支付",
        &[
            "基本医疗保险支付",
            "基本医保统筹支付",
            "统筹支付",
            "基本医保基金支付",
            "基本医保",
        ],
    ),
    (
        "大病保险支付",
        &["大病保险", "大病支付", "大病保险基金支付"],
    ),
    (
        "医疗救助支付",
        &["医疗救助", "救助支付", "医疗救助基金支付"],
    ),
    (
        "在校状态",
        &["在校生状况", "在校情况", "学籍状态", "就学状态"],
    ),
    ("残疾等级", &["残疾级别", "等级"]),
    ("发证日期", &["发证时间", "办证日期", "持证日期"]),
    ("鉴定日期", &["鉴定时间", "评定日期", "认定日期"]),
    (
        "安全等级",
        &["住房安全等级", "鉴定等级", "房屋安全等级", "危房等级"],
    ),
    ("发生日期", &["灾害发生日期", "受灾日期", "发生时间"]),
    (
        "损失金额",
        &[
            "损失",
            "直接经济损失",
            "经济损失金额",
            "灾害损失金额",
            "损失金额合计",
        ],
    ),
];

/// Normalises a header cell: drops a BOM and whitespace (also full-width
/// U+3000 and inner spaces), turns full-width ASCII (`ＡＢ１`) into ASCII,
/// removes a leading `*` and a trailing unit in brackets (`医疗总费用（元）`).
pub fn normalise(raw: &str) -> String {
    let mut s: String = raw
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '\u{FEFF}' && *c != '"')
        .map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            _ => c,
        })
        .collect();
    while s.starts_with('*') {
        s.remove(0);
    }
    // a unit or note in brackets at the end: 医疗总费用(元), 损失金额[万元]
    let close = s.chars().last().filter(|c| matches!(c, ')' | ']' | '】'));
    if let Some(last) = close {
        let open = match last {
            ')' => '(',
            ']' => '[',
            _ => '【',
        };
        match s.rfind(open) {
            Some(i) if i > 0 => s.truncate(i),
            _ => {}
        }
    }
    s
}

/// The canonical name of a header cell, if it is one of [`ALIASES`].
pub fn canonical(raw: &str) -> Option<&'static str> {
    let n = normalise(raw);
    ALIASES
        .iter()
        .find(|(canon, aliases)| *canon == n || aliases.contains(&n.as_str()))
        .map(|(canon, _)| *canon)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aliases() {
        for a in [
            "身份证号",
            "公民身份号码",
            "身份证号码",
            "证件号码",
            "身份证件号码",
        ] {
            assert_eq!(canonical(a), Some("身份证号"), "{a}");
        }
        for a in ["户编号", "户号", "家庭编号"] {
            assert_eq!(canonical(a), Some("户编号"));
        }
        for a in ["村代码", "行政区划代码", "村级代码"] {
            assert_eq!(canonical(a), Some("村代码"));
        }
        assert_eq!(canonical(" \u{FEFF}医疗总费用（元） "), Some("医疗总费用"));
        assert_eq!(canonical("*损失金额(元)"), Some("损失金额"));
        assert_eq!(canonical("身份证 号"), Some("身份证号"));
        assert_eq!(canonical("备注"), None);
        // every alias is unique
        let mut all: Vec<&str> = ALIASES
            .iter()
            .flat_map(|(c, a)| std::iter::once(*c).chain(a.iter().copied()))
            .collect();
        let n = all.len();
        all.sort();
        all.dedup();
        assert_eq!(all.len(), n);
    }
}
