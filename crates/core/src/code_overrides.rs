//! County-local display of the national code lists 本县代码显示设置 (issue 5, "code lists … editable by
//! the county admin").
//!
//! The codes themselves are those of the national monitoring system (全国防返贫监测信息系统): they are
//! written into every exported ledger and must never change, so a county cannot add, remove or recode
//! anything. What a county does change is how a code is *shown* and *offered* in its own pages:
//!
//! - a local display label 本县显示名称 (Chinese, and optionally English) that replaces the national
//!   label in the county's form choices and on the household page (the web crate; exports, documents
//!   and the other pages keep the national code and label);
//! - a 停用 flag: a disabled code is no longer offered for new entries, but an existing record that
//!   carries it still shows it (a form keeps the value that is currently selected).
//!
//! Rules of an edit ([`CodeOverrides::validate`]): the list and the code must exist; the Chinese label
//! is required (1 to [`LABEL_MAX_CHARS`] characters after trimming, no control characters; to go back
//! to the national wording, save the national label); the English label is optional with the same
//! limits; and a code that a rule of this crate depends on may not be disabled ([`locked_reason`]):
//!
//! - whole lists the lifecycle is built on: 户类型, 监测对象类别 (the three kinds of §三(一)), 性别,
//!   区划层级, 风险消除方式, 住房安全等级 (A/B secure, §三(四)), 三保障及饮水安全, 劳动技能 and 健康状况
//!   (the exit and quality rules read every value);
//! - 与户主关系 `head` 户主 (every household needs exactly one head);
//! - 风险类型: every top-level risk type (the measure decision table 定措施 and department screening
//!   key on them); only the natural-disaster sub-codes `0201`…`0299` may be disabled;
//! - 帮扶措施: the developmental measures 开发式帮扶 (产业, 就业, 金融, 公益岗位, required before an exit
//!   where the household has labour), the measures that answer a 三保障 problem (义务教育保障, 健康,
//!   住房安全, 饮水安全) and 综合保障 (政策兜底, §三(一)2);
//! - 在校生状况: 学龄前儿童 and the compulsory-education years 小学, 七~九年级 (义务教育保障 check);
//! - 低保 and 特困 `none` (未享受 / 不享受, the value of most people).

use std::collections::HashMap;

use crate::codes::*;

/// The longest local label, in characters.
pub const LABEL_MAX_CHARS: usize = 30;

/// One value of a code list as shown in the code-list tables.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CodeEntry {
    /// The national code.
    pub code: &'static str,
    /// The national Chinese label.
    pub label_zh: &'static str,
    /// The English label.
    pub label_en: &'static str,
}

/// A national code list (one of the enums of [`crate::codes`]).
#[derive(Clone, Copy, Debug)]
pub struct CodeListInfo {
    /// Stable key in storage and the API (`risk_type`).
    pub key: &'static str,
    /// Chinese name (`风险类型`).
    pub name_zh: &'static str,
    /// English name (`risk type`), as [`CodeList::list_name_en`].
    pub name_en: &'static str,
    entries: fn() -> Vec<CodeEntry>,
}

impl CodeListInfo {
    /// The values of the list, in list order.
    pub fn entries(&self) -> Vec<CodeEntry> {
        (self.entries)()
    }

    /// The value with this code.
    pub fn entry(&self, code: &str) -> Option<CodeEntry> {
        self.entries().into_iter().find(|e| e.code == code)
    }
}

fn entries_of<C: CodeList>() -> Vec<CodeEntry> {
    C::all()
        .iter()
        .map(|c| CodeEntry {
            code: c.code(),
            label_zh: c.label_zh(),
            label_en: c.label_en(),
        })
        .collect()
}

macro_rules! lists {
    ($($key:literal => $t:ty),+ $(,)?) => {
        &[$(CodeListInfo {
            key: $key,
            name_zh: <$t>::LIST_NAME_ZH,
            name_en: <$t>::LIST_NAME_EN,
            entries: entries_of::<$t>,
        }),+]
    };
}

static LISTS: &[CodeListInfo] = lists![
    "household_type" => HouseholdType,
    "monitored_type" => MonitoredType,
    "risk_type" => RiskType,
    "measure_class" => MeasureClass,
    "guarantee" => Guarantee,
    "labour_skill" => LabourSkill,
    "health_status" => HealthStatus,
    "education" => Education,
    "school_status" => SchoolStatus,
    "relation" => Relation,
    "political_status" => PoliticalStatus,
    "dibao" => Dibao,
    "tekun" => Tekun,
    "elimination_mode" => EliminationMode,
    "housing_safety" => HousingSafety,
    "sex" => Sex,
    "region_level" => RegionLevel,
];

/// The 17 national code lists, in the order of docs/domain.md "Code lists".
pub fn national_lists() -> &'static [CodeListInfo] {
    LISTS
}

/// The national list with this key (`risk_type`).
pub fn find_list(key: &str) -> Option<&'static CodeListInfo> {
    LISTS.iter().find(|l| l.key == key)
}

fn list_of<C: CodeList>() -> Option<&'static CodeListInfo> {
    let name = C::list_name_en();
    LISTS.iter().find(|l| l.name_en == name)
}

/// Why the code `code` of the list `list_key` may not be disabled (停用), as (中文, English); `None`
/// when it may be. See the module documentation for the choice.
pub fn locked_reason(list_key: &str, code: &str) -> Option<(&'static str, &'static str)> {
    const STRUCTURAL: (&str, &str) = (
        "该代码表是防返贫监测规则的基础，其中的代码不能停用",
        "The rules of the monitoring system are built on this list; its codes cannot be disabled",
    );
    match list_key {
        "household_type" | "monitored_type" | "sex" | "region_level" | "elimination_mode"
        | "housing_safety" | "guarantee" | "labour_skill" | "health_status" => Some(STRUCTURAL),
        "relation" if code == "head" => Some((
            "“户主”不能停用：每户必须有且只有一名户主",
            "The head of household 户主 cannot be disabled: every household has exactly one head",
        )),
        "risk_type" if RiskType::from_code(code).is_none_or(|r| r.parent() == r) => Some((
            "一级风险类型不能停用：帮扶措施推荐和部门筛查依据这些类型（只有自然灾害的细分类型可以停用）",
            "Top-level risk types cannot be disabled: measure recommendations and department screening \
             use them; only the natural-disaster sub-codes may be disabled",
        )),
        "measure_class"
            if MeasureClass::from_code(code).is_some_and(|m| {
                m.is_developmental()
                    || m == MeasureClass::SocialSecurity
                    || Guarantee::ALL
                        .iter()
                        .any(|g| g.matching_measures().contains(&m))
            }) =>
        {
            Some((
                "该帮扶措施为开发式帮扶、三保障或兜底保障措施，规则依据它判断能否消除风险，不能停用",
                "This measure is developmental, answers a guarantee, or is the social-security safety net; \
                 the exit rules depend on it, so it cannot be disabled",
            ))
        }
        "school_status"
            if SchoolStatus::from_code(code)
                .is_some_and(|s| s.is_compulsory() || s == SchoolStatus::PreschoolAge) =>
        {
            Some((
                "义务教育阶段和学龄前的在校生状况不能停用：义务教育保障检查依据它们",
                "Compulsory-education and pre-school-age statuses cannot be disabled: the education \
                 guarantee check uses them",
            ))
        }
        "dibao" | "tekun" if code == "none" => Some((
            "“未享受”不能停用：多数人的取值",
            "“Not receiving” cannot be disabled: most people have it",
        )),
        _ => None,
    }
}

/// A county's setting for one code: the local label 本县显示名称 and the 停用 flag.
#[derive(Clone, Debug, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct CodeOverride {
    /// 本县显示名称 (Chinese), shown instead of the national label.
    pub label_zh: String,
    /// Local English label; `None` keeps the national English label.
    #[serde(default)]
    pub label_en: Option<String>,
    /// 停用: not offered for new entries.
    #[serde(default)]
    pub disabled: bool,
}

/// Why an edit of a code's local setting is refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CodeEditError {
    /// No national list has this key.
    #[error("unknown code list {0:?}")]
    UnknownList(String),
    /// The list has no such code.
    #[error("the list {list} has no code {code:?}")]
    UnknownCode {
        /// Chinese name of the list.
        list: &'static str,
        /// The code given.
        code: String,
    },
    /// The Chinese label is empty.
    #[error("the local Chinese label may not be empty")]
    EmptyLabel,
    /// A label is longer than [`LABEL_MAX_CHARS`].
    #[error("a label takes at most {max} characters, got {len}")]
    TooLong {
        /// The limit.
        max: usize,
        /// The length given.
        len: usize,
    },
    /// A label holds a control character (a line break, a tab, NUL…).
    #[error("a label may not contain control characters such as line breaks or tabs")]
    ControlCharacter,
    /// The code may not be disabled ([`locked_reason`]).
    #[error("{en}")]
    Locked {
        /// Reason in Chinese.
        zh: &'static str,
        /// Reason in English.
        en: &'static str,
    },
}

impl CodeEditError {
    /// The reason in Chinese.
    pub fn message_zh(&self) -> String {
        match self {
            CodeEditError::UnknownList(k) => format!("没有名为“{k}”的代码表"),
            CodeEditError::UnknownCode { list, code } => {
                format!("代码表“{list}”中没有代码“{code}”")
            }
            CodeEditError::EmptyLabel => {
                "本县显示名称不能为空（如需恢复全国名称，请填写全国名称）".to_owned()
            }
            CodeEditError::TooLong { max, len } => {
                format!("显示名称最多 {max} 个字，收到 {len} 个字")
            }
            CodeEditError::ControlCharacter => "显示名称不能包含换行、制表符等控制字符".to_owned(),
            CodeEditError::Locked { zh, .. } => (*zh).to_owned(),
        }
    }
}

fn check_label(s: &str) -> Result<String, CodeEditError> {
    let t = s.trim();
    if t.chars().any(char::is_control) {
        return Err(CodeEditError::ControlCharacter);
    }
    let len = t.chars().count();
    if len > LABEL_MAX_CHARS {
        return Err(CodeEditError::TooLong {
            max: LABEL_MAX_CHARS,
            len,
        });
    }
    Ok(t.to_owned())
}

/// The local settings of one county for every code list ([`CodeOverride`] by list and code); a code
/// without one shows its national label and is enabled.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CodeOverrides {
    /// By (list English name, code), both from the national list.
    map: HashMap<(&'static str, &'static str), CodeOverride>,
}

impl CodeOverrides {
    /// No local settings: every national label, every code enabled.
    pub fn new() -> CodeOverrides {
        CodeOverrides::default()
    }

    /// Checks an edit and returns it normalised (labels trimmed, an empty English label as `None`).
    pub fn validate(
        list_key: &str,
        code: &str,
        edit: &CodeOverride,
    ) -> Result<CodeOverride, CodeEditError> {
        let list =
            find_list(list_key).ok_or_else(|| CodeEditError::UnknownList(list_key.to_owned()))?;
        if list.entry(code).is_none() {
            return Err(CodeEditError::UnknownCode {
                list: list.name_zh,
                code: code.to_owned(),
            });
        }
        let label_zh = check_label(&edit.label_zh)?;
        if label_zh.is_empty() {
            return Err(CodeEditError::EmptyLabel);
        }
        let label_en = match edit.label_en.as_deref() {
            Some(s) => Some(check_label(s)?).filter(|s| !s.is_empty()),
            None => None,
        };
        if edit.disabled
            && let Some((zh, en)) = locked_reason(list_key, code)
        {
            return Err(CodeEditError::Locked { zh, en });
        }
        Ok(CodeOverride {
            label_zh,
            label_en,
            disabled: edit.disabled,
        })
    }

    /// Adds (or replaces) the setting of one code after [`CodeOverrides::validate`]; a stored row that
    /// no longer validates (a code a later rule locked, say) is kept for its labels but not disabled.
    pub fn insert(
        &mut self,
        list_key: &str,
        code: &str,
        setting: &CodeOverride,
    ) -> Result<(), CodeEditError> {
        let list =
            find_list(list_key).ok_or_else(|| CodeEditError::UnknownList(list_key.to_owned()))?;
        let entry = list.entry(code).ok_or_else(|| CodeEditError::UnknownCode {
            list: list.name_zh,
            code: code.to_owned(),
        })?;
        let mut setting = setting.clone();
        if setting.disabled && locked_reason(list_key, code).is_some() {
            setting.disabled = false;
        }
        let setting = CodeOverrides::validate(list_key, code, &setting)?;
        self.map.insert((list.name_en, entry.code), setting);
        Ok(())
    }

    /// The setting of a code, by list key and code.
    pub fn get(&self, list_key: &str, code: &str) -> Option<&CodeOverride> {
        let list = find_list(list_key)?;
        self.map
            .iter()
            .find(|((l, c), _)| *l == list.name_en && *c == code)
            .map(|(_, v)| v)
    }

    fn of<C: CodeList>(&self, c: &C) -> Option<&CodeOverride> {
        if self.map.is_empty() {
            return None;
        }
        self.map.get(&(C::list_name_en(), c.code()))
    }

    /// The label of a code in `lang`: the county's label where it set one, else the national label.
    /// Lists that are not national code lists (lifecycle states, roles…) always show their own label.
    pub fn label<'a, C: CodeList>(&'a self, c: &C, lang: Lang) -> &'a str {
        match (self.of(c), lang) {
            (Some(o), Lang::Zh) => &o.label_zh,
            (Some(o), Lang::En) => o.label_en.as_deref().unwrap_or(c.label_en()),
            (None, lang) => c.label(lang),
        }
    }

    /// Whether the county disabled (停用) this code.
    pub fn is_disabled<C: CodeList>(&self, c: &C) -> bool {
        self.of(c).is_some_and(|o| o.disabled)
    }

    /// The values to offer in a form: every enabled code, and the disabled ones that are `selected`
    /// (an existing record keeps showing its value), in list order.
    pub fn choices<C: CodeList + PartialEq>(&self, selected: &[C]) -> Vec<C> {
        C::all()
            .iter()
            .copied()
            .filter(|c| !self.is_disabled(c) || selected.contains(c))
            .collect()
    }

    /// Number of codes with a local setting.
    pub fn len(&self) -> usize {
        self.map.len()
    }

    /// Whether the county has no local setting at all.
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    /// Whether this list is a national code list (has an entry in [`national_lists`]).
    pub fn is_national<C: CodeList>() -> bool {
        list_of::<C>().is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::monitoring::Lifecycle;

    fn edit(zh: &str, en: Option<&str>, disabled: bool) -> CodeOverride {
        CodeOverride {
            label_zh: zh.to_owned(),
            label_en: en.map(str::to_owned),
            disabled,
        }
    }

    #[test]
    fn seventeen_lists_with_distinct_keys_matching_the_enums() {
        assert_eq!(national_lists().len(), 17);
        let mut keys: Vec<&str> = national_lists().iter().map(|l| l.key).collect();
        keys.sort_unstable();
        keys.dedup();
        assert_eq!(keys.len(), 17);
        assert!(CodeOverrides::is_national::<RiskType>());
        assert!(CodeOverrides::is_national::<Relation>());
        assert!(!CodeOverrides::is_national::<Lifecycle>());
        let risk = find_list("risk_type").unwrap();
        assert_eq!(risk.name_zh, "风险类型");
        assert_eq!(risk.entry("0201").unwrap().label_zh, "洪涝");
        assert!(national_lists().iter().all(|l| !l.entries().is_empty()));
    }

    #[test]
    fn labels_fall_back_to_the_national_ones() {
        let mut o = CodeOverrides::new();
        assert_eq!(o.label(&RiskType::Illness, Lang::Zh), "因病");
        o.insert("risk_type", "01", &edit(" 因病致贫 ", None, false))
            .unwrap();
        o.insert("risk_type", "0206", &edit("地震", Some("Quake"), true))
            .unwrap();
        assert_eq!(o.len(), 2);
        assert_eq!(o.label(&RiskType::Illness, Lang::Zh), "因病致贫");
        // No local English label: the national one.
        assert_eq!(o.label(&RiskType::Illness, Lang::En), "Illness");
        assert_eq!(o.label(&RiskType::DisasterEarthquake, Lang::En), "Quake");
        assert_eq!(o.label(&RiskType::Accident, Lang::Zh), "因意外事故");
        // Another list with the same code is not affected.
        assert_eq!(o.label(&Relation::Head, Lang::Zh), "户主");
        assert!(o.is_disabled(&RiskType::DisasterEarthquake));
        assert!(!o.is_disabled(&RiskType::Illness));
        assert_eq!(o.get("risk_type", "01").unwrap().label_zh, "因病致贫");
        assert!(o.get("relation", "01").is_none());
    }

    #[test]
    fn disabled_codes_leave_the_choices_but_a_selected_one_stays() {
        let mut o = CodeOverrides::new();
        o.insert("risk_type", "0206", &edit("地震", None, true))
            .unwrap();
        o.insert("relation", "niece", &edit("之侄女", None, true))
            .unwrap();
        let all = o.choices::<RiskType>(&[]);
        assert_eq!(all.len(), RiskType::ALL.len() - 1);
        assert!(!all.contains(&RiskType::DisasterEarthquake));
        let kept = o.choices(&[RiskType::DisasterEarthquake]);
        assert_eq!(kept.len(), RiskType::ALL.len());
        // List order is kept.
        assert_eq!(kept, RiskType::ALL);
        assert!(!o.choices::<Relation>(&[]).contains(&Relation::Niece));
        assert_eq!(o.choices::<Sex>(&[]), Sex::ALL);
    }

    #[test]
    fn validation_of_labels() {
        let ok =
            CodeOverrides::validate("education", "primary", &edit(" 小学 ", Some("  "), false))
                .unwrap();
        assert_eq!(ok, edit("小学", None, false));
        let e =
            CodeOverrides::validate("education", "primary", &edit("   ", None, false)).unwrap_err();
        assert_eq!(e, CodeEditError::EmptyLabel);
        assert!(e.message_zh().contains("不能为空"));
        let long = "长".repeat(31);
        let e =
            CodeOverrides::validate("education", "primary", &edit(&long, None, false)).unwrap_err();
        assert_eq!(e, CodeEditError::TooLong { max: 30, len: 31 });
        assert!(e.message_zh().contains("30"));
        assert!(
            CodeOverrides::validate("education", "primary", &edit(&"长".repeat(30), None, false))
                .is_ok()
        );
        let e = CodeOverrides::validate("education", "primary", &edit("小\n学", None, false))
            .unwrap_err();
        assert_eq!(e, CodeEditError::ControlCharacter);
        let e = CodeOverrides::validate("education", "primary", &edit("小学", Some("a\tb"), false))
            .unwrap_err();
        assert_eq!(e, CodeEditError::ControlCharacter);
        let e = CodeOverrides::validate("nope", "primary", &edit("小学", None, false)).unwrap_err();
        assert!(matches!(e, CodeEditError::UnknownList(_)));
        assert!(e.message_zh().contains("nope"));
        let e =
            CodeOverrides::validate("education", "phd", &edit("博士", None, false)).unwrap_err();
        assert!(e.message_zh().contains("文化程度"), "{}", e.message_zh());
    }

    #[test]
    fn codes_rules_depend_on_cannot_be_disabled() {
        let locked = |l: &str, c: &str| locked_reason(l, c).is_some();
        assert!(locked("relation", "head"));
        assert!(!locked("relation", "niece"));
        assert!(locked("risk_type", "01"));
        assert!(locked("risk_type", "02"));
        assert!(locked("risk_type", "99"));
        assert!(!locked("risk_type", "0201"));
        assert!(!locked("risk_type", "0299"));
        assert!(locked("measure_class", "industry"));
        assert!(locked("measure_class", "health"));
        assert!(locked("measure_class", "social_security"));
        assert!(!locked("measure_class", "infrastructure"));
        assert!(locked("school_status", "grade8"));
        assert!(!locked("school_status", "postgraduate"));
        assert!(locked("sex", "male"));
        assert!(locked("monitored_type", "marginal"));
        assert!(locked("dibao", "none"));
        assert!(!locked("dibao", "urban"));
        assert!(!locked("education", "college"));
        let e = CodeOverrides::validate("relation", "head", &edit("户主", None, true)).unwrap_err();
        assert!(e.message_zh().contains("户主"), "{}", e.message_zh());
        // A label change of a locked code is fine.
        assert!(
            CodeOverrides::validate("relation", "head", &edit("户主（家长）", None, false)).is_ok()
        );
        // The store writes a refusal as `中文 (English)`: the English side has no ASCII parentheses.
        for l in national_lists() {
            for e in l.entries() {
                if let Some((zh, en)) = locked_reason(l.key, e.code) {
                    assert!(!en.contains('(') && !zh.contains(" ("), "{en}");
                }
            }
        }
        for e in [
            CodeEditError::EmptyLabel,
            CodeEditError::ControlCharacter,
            CodeEditError::TooLong { max: 30, len: 31 },
        ] {
            assert!(!e.to_string().contains('('), "{e}");
        }
        let mut o = CodeOverrides::new();
        // A stored row that a rule locked later is read as enabled.
        o.insert("relation", "head", &edit("户主", None, true))
            .unwrap();
        assert!(!o.is_disabled(&Relation::Head));
    }
}
