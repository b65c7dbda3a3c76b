//! 表头别名: the one table of column headers and the names clerks and departments give them, and
//! the one header normaliser. The registry import ([`crate::registry::columns`]) and the
//! department files of the screening (`shouwang-screen`) both match header cells with it.
//!
//! Departments name the same column differently: the public-security form says 公民身份号码, the
//! medical-insurance export 证件号码, a township sheet 身份证号码. [`find_header`] maps a header cell,
//! after [`normalise_header`] has removed what does not matter (spaces, full-width letters, a `*`
//! that marks a required column, a unit or note in brackets such as `（元）`), to its entry in
//! [`HEADERS`]: the canonical name and every accepted alias. No alias belongs to two entries
//! (checked by a test), so a header never names two columns.
//!
//! The registry columns come first (in the order of [`crate::registry::Col`]), then those of the
//! registry's 收支情况 sheet ([`crate::registry::IncomeCol`]; its 户编号 and 家庭人口 are the entries
//! above), then the columns that only department files have (docs/spec/screening.md). 家庭纯收入 is an
//! alias of the households file's 上年家庭纯收入: the 收支情况 sheet does not read it (the system computes
//! it from the incomes and the production cost).

/// A column's canonical header and the other headers accepted for it.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct HeaderAliases {
    /// The canonical header (written by the registry export and template).
    pub name: &'static str,
    /// Other headers accepted on import, compared after [`normalise_header`].
    pub aliases: &'static [&'static str],
}

impl HeaderAliases {
    /// `name` is this column's canonical header or one of its aliases.
    pub fn accepts(&self, name: &str) -> bool {
        self.name == name || self.aliases.contains(&name)
    }
}

macro_rules! headers {
    ($($(#[$doc:meta])* $c:ident = $name:literal [$($a:literal),* $(,)?],)+) => {
        $($(#[$doc])* pub const $c: HeaderAliases = HeaderAliases { name: $name, aliases: &[$($a),*] };)+
        /// Every entry: the registry columns, then the department-only columns.
        pub const HEADERS: &[HeaderAliases] = &[$($c),+];
    };
}

headers! {
    /// 户编号.
    NUMBER = "户编号" ["户号", "家庭编号", "户码", "家庭户号", "户主编号", "农户编号"],
    /// 县.
    COUNTY = "县" ["县(市、区)", "县区", "县名称", "县(区)", "县(市区)"],
    /// 乡镇.
    TOWNSHIP = "乡镇" ["乡(镇)", "乡镇(街道)", "乡镇名称", "乡", "镇"],
    /// 行政村.
    VILLAGE = "行政村" ["村", "村名称", "行政村(社区)", "村(社区)", "行政村名称", "村(安置点)"],
    /// 村代码.
    VILLAGE_CODE = "村代码" [
        "行政区划代码", "村级代码", "村编码", "行政村代码", "村级行政区划代码", "村行政区划代码",
        "区划代码",
    ],
    /// 自然村.
    NATURAL_VILLAGE = "自然村" ["自然村名称", "自然村(组)", "组", "村民小组"],
    /// 自然村代码.
    NATURAL_VILLAGE_CODE = "自然村代码" ["自然村编码"],
    /// 户类型.
    HOUSEHOLD_TYPE = "户类型" ["户属性", "农户类型", "家庭类型", "户类别"],
    /// 监测对象类别.
    MONITORED_TYPE = "监测对象类别" ["监测对象类型", "监测类型", "监测户类型"],
    /// 风险类型.
    RISKS = "风险类型" ["致贫返贫风险", "风险类别", "主要风险类型", "返贫致贫风险", "风险"],
    /// 是否易地扶贫搬迁户.
    RELOCATED = "是否易地扶贫搬迁户" [
        "易地扶贫搬迁户", "是否易地搬迁户", "是否搬迁户", "易地搬迁户", "是否易地扶贫搬迁",
    ],
    /// 家庭住址.
    ADDRESS = "家庭住址" ["住址", "地址", "家庭地址", "户籍地址"],
    /// 联系电话.
    PHONE = "联系电话" ["电话", "手机号", "联系方式", "户主电话", "手机号码", "电话号码"],
    /// 家庭人口.
    SIZE = "家庭人口" ["家庭人口数", "家庭人数", "人口数", "户人口", "户人口数", "家庭成员数"],
    /// 姓名.
    NAME = "姓名" ["成员姓名", "人员姓名", "名字"],
    /// 身份证号.
    ID_NUMBER = "身份证号" [
        "公民身份号码", "身份证号码", "证件号码", "身份证件号码", "公民身份证号码", "公民身份证号",
        "身份证", "证件号",
    ],
    /// 性别.
    SEX = "性别" [],
    /// 与户主关系.
    RELATION = "与户主关系" ["与户主的关系", "关系", "家庭关系"],
    /// 劳动技能.
    LABOUR = "劳动技能" ["劳动能力", "劳动力状况"],
    /// 健康状况.
    HEALTH = "健康状况" ["健康情况"],
    /// 残疾等级 (also the disability file's column).
    DISABILITY_GRADE = "残疾等级" ["残疾级别", "等级"],
    /// 文化程度.
    EDUCATION = "文化程度" ["学历"],
    /// 在校生状况 (the education file's column 在校状态 is an alias).
    SCHOOL = "在校生状况" ["在校状态", "在校情况", "学籍状态", "就学状态", "在校生情况"],
    /// 政治面貌.
    POLITICAL = "政治面貌" [],
    /// 是否参加基本医疗保险.
    MEDICAL_INSURANCE = "是否参加基本医疗保险" [
        "是否参加城乡居民基本医疗保险", "基本医疗保险", "是否参加医保", "参加基本医疗保险",
        "参加城乡居民基本医疗保险", "是否参保",
    ],
    /// 低保.
    DIBAO = "低保" ["是否享受低保", "低保类型", "享受低保"],
    /// 特困.
    TEKUN = "特困" ["是否特困供养", "特困供养", "特困类型", "是否享受特困"],
    /// 年度 (收支情况: the year of an income record).
    YEAR = "年度" ["年份", "收入年度", "测算年度", "统计年度", "收支年度"],
    /// 工资性收入 (收支情况).
    WAGE = "工资性收入" ["务工收入", "工资收入", "工资性收入合计", "务工就业收入"],
    /// 生产经营性收入 (收支情况).
    BUSINESS = "生产经营性收入" ["经营性收入", "生产经营收入", "家庭经营性收入", "经营收入"],
    /// 财产性收入 (收支情况).
    PROPERTY = "财产性收入" ["财产收入", "财产性收入合计"],
    /// 转移性收入 (收支情况).
    TRANSFER = "转移性收入" ["转移收入", "转移性收入合计", "政策性收入"],
    /// 生产经营性支出 (收支情况).
    PRODUCTION_COST = "生产经营性支出" [
        "生产经营支出", "经营性支出", "生产性支出", "生产经营费用", "家庭经营费用支出",
    ],
    /// 合规自付医疗支出 (收支情况, 刚性支出).
    RIGID_MEDICAL = "合规自付医疗支出" ["合规自付医疗费用", "自付医疗费用", "医疗自付支出", "医疗支出"],
    /// 教育支出 (收支情况, 刚性支出).
    RIGID_EDUCATION = "教育支出" ["教育费用", "就学支出"],
    /// 残疾康复支出 (收支情况, 刚性支出).
    RIGID_DISABILITY = "残疾康复支出" ["康复支出", "残疾康复费用"],
    /// 因灾因事故支出 (收支情况, 刚性支出).
    RIGID_DISASTER = "因灾因事故支出" ["因灾支出", "因灾因意外事故支出", "灾害事故支出"],
    /// 理赔收入 (收支情况).
    INSURANCE_PAYOUT = "理赔收入" ["保险理赔收入", "理赔金额", "保险赔付", "防贫保险理赔"],
    /// 上年家庭纯收入 (households file).
    INCOME = "上年家庭纯收入" ["家庭纯收入", "上年纯收入", "家庭年纯收入", "上年度家庭纯收入", "年家庭纯收入"],
    /// 结算日期 (medical file).
    SETTLED_ON = "结算日期" ["结算时间", "费用结算日期", "结算日"],
    /// 医疗总费用 (medical file).
    MEDICAL_TOTAL = "医疗总费用" ["总费用", "医疗费用总额", "医疗费总额", "费用总额", "医疗费用"],
    /// 基本医保支付 (medical file).
    BASIC_INSURANCE_PAID = "基本医保支付" [
        "基本医疗保险支付", "基本医保统筹支付", "统筹支付", "基本医保基金支付", "基本医保",
    ],
    /// 大病保险支付 (medical file).
    SERIOUS_ILLNESS_PAID = "大病保险支付" ["大病保险", "大病支付", "大病保险基金支付"],
    /// 医疗救助支付 (medical file).
    ASSISTANCE_PAID = "医疗救助支付" ["医疗救助", "救助支付", "医疗救助基金支付"],
    /// 发证日期 (disability file).
    CERTIFIED_ON = "发证日期" ["发证时间", "办证日期", "持证日期"],
    /// 鉴定日期 (housing file).
    ASSESSED_ON = "鉴定日期" ["鉴定时间", "评定日期", "认定日期"],
    /// 安全等级 (housing file).
    SAFETY_GRADE = "安全等级" ["住房安全等级", "鉴定等级", "房屋安全等级", "危房等级"],
    /// 发生日期 (disaster file).
    OCCURRED_ON = "发生日期" ["灾害发生日期", "受灾日期", "发生时间"],
    /// 损失金额 (disaster file).
    LOSS = "损失金额" ["损失", "直接经济损失", "经济损失金额", "灾害损失金额", "损失金额合计"],
}

/// Normalises a header cell: drops a BOM, quotes and whitespace (also full-width U+3000 and inner
/// spaces), turns full-width ASCII (`ＡＢ１（）`) into ASCII and `【】` into `[]`, removes a leading or
/// trailing `*` (a required mark) and a trailing unit or note in brackets (`家庭人口（人）`,
/// `医疗总费用(元)`, `身份证号[必填]`) unless the bracket belongs to a known header (`县(市、区)`).
pub fn normalise_header(raw: &str) -> String {
    let mut s: String = raw
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '\u{FEFF}' && *c != '"')
        .map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            '【' => '[',
            '】' => ']',
            _ => c,
        })
        .collect();
    while s.starts_with('*') {
        s.remove(0);
    }
    while s.ends_with('*') {
        s.pop();
    }
    // Known headers with brackets inside (县(市、区)) are matched before the note is cut.
    if HEADERS
        .iter()
        .any(|h| h.name == s || h.aliases.iter().any(|a| a.contains('(') && *a == s))
    {
        return s;
    }
    let close = s.chars().last().filter(|c| matches!(c, ')' | ']'));
    if let Some(last) = close {
        let open = if last == ')' { '(' } else { '[' };
        if let Some(i) = s.rfind(open)
            && i > 0
        {
            s.truncate(i);
        }
    }
    s
}

/// The entry a normalised header names (see [`normalise_header`]): by its canonical name or an alias.
pub fn find_header(normalised: &str) -> Option<&'static HeaderAliases> {
    HEADERS.iter().find(|h| h.accepts(normalised))
}

/// The canonical name of a raw header cell, if it is in [`HEADERS`].
pub fn canonical(raw: &str) -> Option<&'static str> {
    find_header(&normalise_header(raw)).map(|h| h.name)
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
    }

    #[test]
    fn every_alias_names_one_column() {
        let mut all: Vec<String> = HEADERS
            .iter()
            .flat_map(|h| std::iter::once(h.name).chain(h.aliases.iter().copied()))
            .map(normalise_header)
            .collect();
        let n = all.len();
        all.sort();
        all.dedup();
        assert_eq!(all.len(), n, "an alias is used twice");
        // every alias is already normal: it is found as written
        for h in HEADERS {
            for a in std::iter::once(&h.name).chain(h.aliases) {
                assert_eq!(normalise_header(a), *a);
                assert_eq!(find_header(a), Some(h), "{a}");
            }
        }
    }

    #[test]
    fn brackets_stars_and_full_width() {
        assert_eq!(normalise_header("县（市、区）"), "县(市、区)");
        assert_eq!(normalise_header("医疗总费用【元】"), "医疗总费用");
        assert_eq!(normalise_header("身份证号*"), "身份证号");
        assert_eq!(normalise_header("ＡＢ１"), "AB1");
        assert_eq!(normalise_header("(元)"), "(元)");
        assert_eq!(canonical("学籍状态"), Some("在校生状况"));
        assert!(SCHOOL.accepts("在校状态"));
    }
}
