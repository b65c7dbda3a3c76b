//! Texts of the county-rules page (`adm.…` keys; `adm.f.<field>` for each form field).

/// Section titles and texts of the page: `(key, 中文, English)`, reached through [`crate::http::i18n`] as
/// `adm.…` keys.
const TEXTS: &[(&str, &str, &str)] = &[
    ("adm.title", "县级规则配置", "County rules"),
    ("adm.nav", "规则配置", "Rules"),
    (
        "adm.readonly",
        "只读：只有县级管理员可以修改县级规则和监测线。",
        "Read-only: only the county admin may change the county rules and the monitoring lines.",
    ),
    ("adm.version", "版本", "Version"),
    ("adm.updated", "最近保存", "Last saved"),
    (
        "adm.never",
        "尚未保存（使用默认值）",
        "Never saved (defaults)",
    ),
    ("adm.save", "保存规则", "Save rules"),
    ("adm.saved", "已保存。", "Saved."),
    ("adm.line_saved", "监测线已保存。", "Monitoring line saved."),
    (
        "adm.s.screening",
        "部门筛查预警阈值",
        "Department screening thresholds",
    ),
    (
        "adm.s.identification",
        "线索与识别",
        "Clues and identification",
    ),
    ("adm.s.exit", "退出机制", "Exit"),
    (
        "adm.s.notice",
        "风险消除告知书编号",
        "Exit notice numbering",
    ),
    (
        "adm.s.cadence",
        "工作日历（截止日）",
        "Work calendar (due days)",
    ),
    ("adm.s.lines", "防止返贫监测线", "Monitoring lines"),
    ("adm.deferred", "缓退类别", "Deferred-exit categories"),
    ("adm.example", "编号示例", "Example number"),
    ("adm.province", "省份代码", "Province code"),
    ("adm.year", "年度", "Year"),
    (
        "adm.line",
        "监测线（元/人·年）",
        "Line (yuan per person and year)",
    ),
    ("adm.line_set", "设置监测线", "Set the line"),
    ("adm.no_lines", "尚无监测线", "No lines yet"),
];

/// One number or text field of the rules form.
pub struct Spec {
    /// The field name (a key of the county rules).
    pub name: &'static str,
    /// The form section it is shown in.
    pub section: &'static str,
    /// 中文 label.
    pub zh: &'static str,
    /// English label.
    pub en: &'static str,
}

pub const FIELDS: &[Spec] = &[
    Spec {
        name: "medical_yuan",
        section: "screening",
        zh: "因病：医疗自付费用超过（元）",
        en: "Illness: out-of-pocket medical cost above (yuan)",
    },
    Spec {
        name: "medical_income_pct",
        section: "screening",
        zh: "因病：或超过上年家庭纯收入的（%）",
        en: "Illness: or above this share of last year's net income (%)",
    },
    Spec {
        name: "disaster_yuan",
        section: "screening",
        zh: "因灾：损失超过（元）",
        en: "Disaster: loss above (yuan)",
    },
    Spec {
        name: "disaster_income_pct",
        section: "screening",
        zh: "因灾：或超过上年家庭纯收入的（%）",
        en: "Disaster: or above this share of last year's net income (%)",
    },
    Spec {
        name: "school_age_min",
        section: "screening",
        zh: "因学：辍学年龄下限（岁）",
        en: "School: lowest drop-out age (years)",
    },
    Spec {
        name: "school_age_max",
        section: "screening",
        zh: "因学：辍学年龄上限（岁）",
        en: "School: highest drop-out age (years)",
    },
    Spec {
        name: "near_line_pct",
        section: "screening",
        zh: "收入临近监测线：低于监测线的（%）",
        en: "Income near the line: below this share of the line (%)",
    },
    Spec {
        name: "income_drop_pct",
        section: "screening",
        zh: "收入明显下降：人均纯收入较上年下降达（%）",
        en: "Clear income drop: per-capita income fell against last year by at least (%)",
    },
    Spec {
        name: "merge_window_days",
        section: "identification",
        zh: "线索归并时间窗（天）",
        en: "Clue merge window (days)",
    },
    Spec {
        name: "publicity_days",
        section: "identification",
        zh: "公示期（天，不少于 5 天）",
        en: "Objection period (days, at least 5)",
    },
    Spec {
        name: "time_limit_working_days",
        section: "identification",
        zh: "识别办理时限（工作日）",
        en: "Identification time limit (working days)",
    },
    Spec {
        name: "min_monitored_months",
        section: "exit",
        zh: "纳入监测后满（月）方可消除风险",
        en: "Months under monitoring before the risk may be eliminated",
    },
    Spec {
        name: "stable_income_months",
        section: "exit",
        zh: "收入稳定高于监测线（月）",
        en: "Months of income at or above the line",
    },
    Spec {
        name: "notice_prefix",
        section: "notice",
        zh: "发文机关简称",
        en: "Issuing authority (short name)",
    },
    Spec {
        name: "notice_word",
        section: "notice",
        zh: "文种字",
        en: "Document word",
    },
    Spec {
        name: "follow_up_due_day",
        section: "cadence",
        zh: "每月跟踪监测截止日（日，31 = 月末）",
        en: "Monthly follow-up due day (31 = month end)",
    },
    Spec {
        name: "screening_due_day",
        section: "cadence",
        zh: "季度干部排查截止日（季末月，日）",
        en: "Quarterly cadre screening due day (last month of the quarter)",
    },
    Spec {
        name: "prejudgment_due_day",
        section: "cadence",
        zh: "季度退出预判截止日（季末月，日）",
        en: "Quarterly exit pre-judgment due day (last month of the quarter)",
    },
    Spec {
        name: "appraisal_due_day",
        section: "cadence",
        zh: "季度民主评议截止日（季末月，日）",
        en: "Quarterly democratic appraisal due day (last month of the quarter)",
    },
];

pub const SECTIONS: &[&str] = &["screening", "identification", "exit", "notice", "cadence"];

/// The `adm.…` texts (and `adm.f.<field>` labels) for [`super::Lang::t`].
pub fn text(key: &str) -> Option<(&'static str, &'static str)> {
    if let Some(name) = key.strip_prefix("adm.f.") {
        return FIELDS.iter().find(|f| f.name == name).map(|f| (f.zh, f.en));
    }
    TEXTS
        .iter()
        .find(|(k, _, _)| *k == key)
        .map(|(_, zh, en)| (*zh, *en))
}
