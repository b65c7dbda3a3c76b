//! The columns of a registry workbook 农户信息台账 (户信息表 and 家庭成员表): Chinese headers, aliases,
//! what is required, and what each column holds. One definition serves the import (header matching),
//! the export and the template (header order), and the documentation (`docs/registry.md`). The headers
//! and their aliases come from the one alias table [`crate::headers`], which the screening files share.

pub use crate::headers::normalise_header;

use crate::codes::{
    CodeList, Dibao, Education, HealthStatus, HouseholdType, LabourSkill, MonitoredType,
    PoliticalStatus, Relation, RiskType, SchoolStatus, Sex, Tekun,
};
use crate::headers::{self, find_header};

/// Whether a column belongs to the household (one value per 户) or to a member (one per person).
#[derive(Clone, Copy, PartialEq, Eq, Debug, Hash)]
pub enum Level {
    /// 户信息: the same for every member of a household.
    Household,
    /// 成员信息: one value per member.
    Member,
}

/// A registry column (台账列).
#[derive(Clone, Copy, PartialEq, Eq, Debug, Hash, PartialOrd, Ord)]
#[allow(missing_docs)]
pub enum Col {
    Number,
    County,
    Township,
    Village,
    VillageCode,
    NaturalVillage,
    NaturalVillageCode,
    HouseholdType,
    MonitoredType,
    Risks,
    Relocated,
    Address,
    Phone,
    Size,
    Name,
    IdNumber,
    Sex,
    Relation,
    Labour,
    Health,
    DisabilityGrade,
    Education,
    School,
    Political,
    MedicalInsurance,
    Dibao,
    Tekun,
}

/// What a column holds, for the template's notes and the export's cell formats.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Kind {
    /// Free text.
    Text,
    /// Digits that must stay text (ID numbers, 户编号, codes, phone numbers): written as text cells.
    Digits,
    /// One value of a code list (Chinese label; the code and the English label are accepted too).
    Code,
    /// Several values of a code list, separated by `、`.
    Codes,
    /// 是 / 否.
    YesNo,
    /// A whole number.
    Count,
    /// An amount in yuan with at most 2 decimals (the 收支情况 sheet; see [`super::amounts`]).
    Amount,
}

/// The description of a column.
#[derive(Clone, Copy, PartialEq, Debug)]
pub struct ColumnSpec {
    /// The column.
    pub col: Col,
    /// The canonical Chinese header (written by the export and the template).
    pub header: &'static str,
    /// Other headers accepted on import (compared after [`normalise_header`]: no spaces, no `*`, no
    /// unit in brackets, full-width letters as ASCII), from [`crate::headers::HEADERS`].
    pub aliases: &'static [&'static str],
    /// Household or member column.
    pub level: Level,
    /// Must be present (as a column) and filled (in every row).
    pub required: bool,
    /// What it holds.
    pub kind: Kind,
    /// Explanation in Chinese (template notes, docs).
    pub note_zh: &'static str,
    /// Explanation in English (docs).
    pub note_en: &'static str,
    /// Column width in the export (characters).
    pub width: f64,
}

macro_rules! spec {
    ($col:ident, $names:expr, $lvl:ident, $req:literal, $kind:ident, $w:literal, $zh:literal, $en:literal) => {
        ColumnSpec {
            col: Col::$col,
            header: $names.name,
            aliases: $names.aliases,
            level: Level::$lvl,
            required: $req,
            kind: Kind::$kind,
            note_zh: $zh,
            note_en: $en,
            width: $w,
        }
    };
}

/// Every column, in the order of the combined (one-sheet) layout: household columns, then member columns.
pub const COLUMNS: &[ColumnSpec] = &[
    spec!(
        Number,
        headers::NUMBER,
        Household,
        true,
        Digits,
        20.0,
        "全国防返贫监测信息系统中的户编号；同一县内唯一，重复导入按户编号更新",
        "Household number of the national system; unique within the county; a re-import updates by it"
    ),
    spec!(
        County,
        headers::COUNTY,
        Household,
        false,
        Text,
        10.0,
        "县名称；新县（系统中尚无该县）必填",
        "County name; required when the county is not yet in the system"
    ),
    spec!(
        Township,
        headers::TOWNSHIP,
        Household,
        false,
        Text,
        12.0,
        "乡镇名称；新乡镇必填",
        "Township name; required for a township not yet in the system"
    ),
    spec!(
        Village,
        headers::VILLAGE,
        Household,
        false,
        Text,
        14.0,
        "行政村或易地扶贫搬迁集中安置点名称；新村必填（名称含“安置”的记为安置点）",
        "Village or relocation settlement name; required for a new village (a name with 安置 is a settlement point)"
    ),
    spec!(
        VillageCode,
        headers::VILLAGE_CODE,
        Household,
        true,
        Digits,
        15.0,
        "行政村（安置点）的 12 位统计用区划代码",
        "12-digit division code of the village or settlement point"
    ),
    spec!(
        NaturalVillage,
        headers::NATURAL_VILLAGE,
        Household,
        false,
        Text,
        12.0,
        "自然村名称，可空",
        "Natural village name, may be blank"
    ),
    spec!(
        NaturalVillageCode,
        headers::NATURAL_VILLAGE_CODE,
        Household,
        false,
        Digits,
        17.0,
        "村代码加“-”和 2 位序号（如 141123100201-01）；可空，空时按名称查找或新编",
        "Village code, '-' and 2 digits (141123100201-01); blank: found by name or numbered anew"
    ),
    spec!(
        HouseholdType,
        headers::HOUSEHOLD_TYPE,
        Household,
        true,
        Code,
        10.0,
        "脱贫户、一般农户或监测户",
        "脱贫户, 一般农户 or 监测户"
    ),
    spec!(
        MonitoredType,
        headers::MONITORED_TYPE,
        Household,
        false,
        Code,
        14.0,
        "脱贫不稳定户、边缘易致贫户或突发严重困难户；非监测户留空",
        "One of the three monitored types; blank for households not monitored"
    ),
    spec!(
        Risks,
        headers::RISKS,
        Household,
        false,
        Codes,
        18.0,
        "最多 5 项，以“、”分隔；自然灾害可写“因自然灾害（洪涝）”",
        "Up to 5, separated by 、; a disaster may be written 因自然灾害（洪涝）"
    ),
    spec!(
        Relocated,
        headers::RELOCATED,
        Household,
        false,
        YesNo,
        10.0,
        "是或否；空为否",
        "是 or 否; blank means 否"
    ),
    spec!(
        Address,
        headers::ADDRESS,
        Household,
        false,
        Text,
        28.0,
        "家庭住址",
        "Address"
    ),
    spec!(
        Phone,
        headers::PHONE,
        Household,
        false,
        Digits,
        14.0,
        "联系电话，可空",
        "Phone number, may be blank"
    ),
    spec!(
        Size,
        headers::SIZE,
        Household,
        false,
        Count,
        8.0,
        "可空；填写时须等于该户成员行数",
        "May be blank; if filled it must equal the number of member rows"
    ),
    spec!(
        Name,
        headers::NAME,
        Member,
        true,
        Text,
        10.0,
        "成员姓名",
        "Member's name"
    ),
    spec!(
        IdNumber,
        headers::ID_NUMBER,
        Member,
        true,
        Digits,
        21.0,
        "18 位居民身份证号码；该列须设为文本，不能是科学计数法；重复导入按身份证号更新成员",
        "18-character resident ID number; the column must be text, not scientific notation; a re-import updates members by it"
    ),
    spec!(
        Sex,
        headers::SEX,
        Member,
        false,
        Code,
        6.0,
        "男或女；空时按身份证号",
        "男 or 女; blank: from the ID number"
    ),
    spec!(
        Relation,
        headers::RELATION,
        Member,
        true,
        Code,
        10.0,
        "每户有且只有一名“户主”",
        "Exactly one 户主 per household"
    ),
    spec!(
        Labour,
        headers::LABOUR,
        Member,
        true,
        Code,
        16.0,
        "普通劳动力、技能劳动力、弱劳动力或半劳动力、丧失劳动力、无劳动力",
        "One of the five labour skills"
    ),
    spec!(
        Health,
        headers::HEALTH,
        Member,
        true,
        Codes,
        12.0,
        "健康、长期慢性病、患有大病、残疾（可多项，以“、”分隔）",
        "健康, 长期慢性病, 患有大病, 残疾 (several separated by 、)"
    ),
    spec!(
        DisabilityGrade,
        headers::DISABILITY_GRADE,
        Member,
        false,
        Count,
        8.0,
        "1 至 4 级；非残疾留空",
        "1 to 4; blank when not disabled"
    ),
    spec!(
        Education,
        headers::EDUCATION,
        Member,
        false,
        Code,
        12.0,
        "文盲或半文盲、小学、初中、高中、大专、本科及以上；可空",
        "Education level; may be blank"
    ),
    spec!(
        School,
        headers::SCHOOL,
        Member,
        false,
        Code,
        16.0,
        "不在校留空（或填“非在校生”）",
        "Blank (or 非在校生) when not in school"
    ),
    spec!(
        Political,
        headers::POLITICAL,
        Member,
        false,
        Code,
        10.0,
        "中共党员、中共预备党员、共青团员、群众；空为群众",
        "Political status; blank means 群众"
    ),
    spec!(
        MedicalInsurance,
        headers::MEDICAL_INSURANCE,
        Member,
        true,
        YesNo,
        10.0,
        "是或否",
        "是 or 否"
    ),
    spec!(
        Dibao,
        headers::DIBAO,
        Member,
        false,
        Code,
        10.0,
        "农村低保、城市低保、未享受；空为未享受",
        "Dibao; blank means 未享受"
    ),
    spec!(
        Tekun,
        headers::TEKUN,
        Member,
        false,
        Code,
        10.0,
        "农村特困、城市特困、不享受；空为不享受",
        "Tekun; blank means 不享受"
    ),
];

/// Columns of the household sheet 户信息, in export order.
pub const HOUSEHOLD_SHEET: &[Col] = &[
    Col::Number,
    Col::County,
    Col::Township,
    Col::Village,
    Col::VillageCode,
    Col::NaturalVillage,
    Col::NaturalVillageCode,
    Col::HouseholdType,
    Col::MonitoredType,
    Col::Risks,
    Col::Relocated,
    Col::Address,
    Col::Phone,
    Col::Size,
];

/// Columns of the member sheet 家庭成员, in export order (户编号 links a member to its household).
pub const MEMBER_SHEET: &[Col] = &[
    Col::Number,
    Col::Name,
    Col::IdNumber,
    Col::Sex,
    Col::Relation,
    Col::Labour,
    Col::Health,
    Col::DisabilityGrade,
    Col::Education,
    Col::School,
    Col::Political,
    Col::MedicalInsurance,
    Col::Dibao,
    Col::Tekun,
];

/// Name of the household sheet written by the export and the template.
pub const HOUSEHOLD_SHEET_NAME: &str = "户信息";
/// Name of the member sheet written by the export and the template.
pub const MEMBER_SHEET_NAME: &str = "家庭成员";

/// Number of [`Col`] values.
pub const N_COLS: usize = 27;

impl Col {
    /// Index in [`COLUMNS`] (also a dense index `0..N_COLS`).
    pub fn index(self) -> usize {
        self as usize
    }

    /// The column's description.
    pub fn spec(self) -> &'static ColumnSpec {
        // COLUMNS is in enum order (checked by a test).
        &COLUMNS[self.index()]
    }

    /// The canonical header.
    pub fn header(self) -> &'static str {
        self.spec().header
    }

    /// The column a normalised header names (see [`normalise_header`]).
    pub fn from_header(normalised: &str) -> Option<Col> {
        let names = find_header(normalised)?;
        COLUMNS
            .iter()
            .find(|s| s.header == names.name)
            .map(|s| s.col)
    }

    /// The allowed values of a code column (Chinese labels), for notes and data validation lists.
    pub fn allowed_values(self) -> Vec<&'static str> {
        fn labels<T: CodeList>() -> Vec<&'static str> {
            T::all().iter().map(CodeList::label_zh).collect()
        }
        match self {
            Col::HouseholdType => labels::<HouseholdType>(),
            Col::MonitoredType => labels::<MonitoredType>(),
            Col::Risks => labels::<RiskType>(),
            Col::Sex => labels::<Sex>(),
            Col::Relation => labels::<Relation>(),
            Col::Labour => labels::<LabourSkill>(),
            Col::Health => labels::<HealthStatus>(),
            Col::Education => labels::<Education>(),
            Col::School => labels::<SchoolStatus>(),
            Col::Political => labels::<PoliticalStatus>(),
            Col::Dibao => labels::<Dibao>(),
            Col::Tekun => labels::<Tekun>(),
            Col::Relocated | Col::MedicalInsurance => vec!["是", "否"],
            Col::DisabilityGrade => vec!["1", "2", "3", "4"],
            _ => Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_in_enum_order_and_unique() {
        assert_eq!(COLUMNS.len(), N_COLS);
        for (i, s) in COLUMNS.iter().enumerate() {
            assert_eq!(s.col.index(), i, "{}", s.header);
            assert_eq!(Col::from_header(s.header), Some(s.col));
            for a in s.aliases {
                assert_eq!(Col::from_header(&normalise_header(a)), Some(s.col), "{a}");
            }
        }
        let mut all: Vec<String> = COLUMNS
            .iter()
            .flat_map(|s| std::iter::once(s.header).chain(s.aliases.iter().copied()))
            .map(normalise_header)
            .collect();
        let n = all.len();
        all.sort();
        all.dedup();
        assert_eq!(all.len(), n, "an alias is used twice");
        for c in HOUSEHOLD_SHEET {
            assert_eq!(c.spec().level, Level::Household);
        }
        for c in &MEMBER_SHEET[1..] {
            assert_eq!(c.spec().level, Level::Member);
        }
        assert_eq!(HOUSEHOLD_SHEET.len() + MEMBER_SHEET.len() - 1, N_COLS);
    }

    #[test]
    fn documented_in_docs_registry_md() {
        let doc = include_str!("../../../../docs/registry.md");
        for s in COLUMNS {
            assert!(
                doc.contains(&format!("| {} |", s.header)),
                "{} missing",
                s.header
            );
            for a in s.aliases {
                assert!(doc.contains(a), "alias {a} of {} missing", s.header);
            }
            assert!(doc.contains(s.note_zh), "note of {}", s.header);
        }
    }

    #[test]
    fn headers_normalise() {
        let h = |s: &str| Col::from_header(&normalise_header(s));
        assert_eq!(h(" *身份证号 "), Some(Col::IdNumber));
        assert_eq!(h("公民身份号码（必填）"), Some(Col::IdNumber));
        assert_eq!(h("家庭人口（人）"), Some(Col::Size));
        assert_eq!(h("县（市、区）"), Some(Col::County));
        assert_eq!(h("乡（镇）"), Some(Col::Township));
        assert_eq!(h("与户主 关系"), Some(Col::Relation));
        assert_eq!(h("ｘ备注"), None);
        assert_eq!(h("备注"), None);
    }
}
