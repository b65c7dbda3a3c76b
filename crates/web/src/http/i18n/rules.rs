//! Texts of the county-rules page (`adm.…` keys; `adm.f.<field>` for each form field).

/// Section titles and texts of the page: `(key, 中文, English)`, reached through [`crate::http::i18n`] as
/// `adm.…` keys.
const TEXTS: &[(&str, &str, &str)] = &[
    ("adm.title", "县级规则配置", "County rules"),
    ("adm.nav", "规则配置", "Rules"),
    (
        "adm.readonly",
        "只读：只有县级管理员可以修改县级规则和本县监测线。",
        "Read-only: only the county admin may change the county rules and the county's own line.",
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
        "adm.s.pv",
        "光伏扶贫收益目标（§四(二)4）",
        "PV income targets (§四(二)4)",
    ),
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
    (
        "adm.lines.title",
        "本省防止返贫监测线",
        "The province's monitoring lines",
    ),
    (
        "adm.lines.province_line",
        "省级监测线（元）",
        "Province line (yuan)",
    ),
    (
        "adm.lines.county_line",
        "本县监测线（元）",
        "County's own line (yuan)",
    ),
    (
        "adm.lines.county_lines",
        "县级自定监测线",
        "Counties' own lines",
    ),
    (
        "adm.lines.allowed",
        "省级允许县级设定本县监测线：设定了本县监测线的年度以本县为准，其余年度按省级监测线。",
        "The province allows its counties to set their own line: a year with the county's own line uses it, the others the province's.",
    ),
    (
        "adm.lines.closed",
        "本省由省级统一设定监测线，县级不能单独设定（县级已设定的不再适用）。",
        "The province sets one line for all its counties; a county may not set its own (lines a county set no longer apply).",
    ),
    (
        "adm.lines.sets_province",
        "设定本省某一年度的监测线，适用于全省各县（县级自定的年度除外）。",
        "Sets the province's line of a year, for every county (but a county's own where allowed).",
    ),
    (
        "adm.lines.sets_county",
        "设定本县某一年度的监测线，只适用于本县，不影响其他县。",
        "Sets this county's own line of a year: for this county only, no other county changes.",
    ),
    (
        "adm.lines.policy",
        "监测线的设定方式",
        "How the lines are set",
    ),
    (
        "adm.lines.policy_county",
        "允许各县设定本县监测线",
        "Counties may set their own line",
    ),
    (
        "adm.lines.policy_province",
        "省级统一设定，县级不能单独设定",
        "One line for the whole province",
    ),
    ("adm.lines.policy_save", "保存设定方式", "Save"),
    ("adm.lines.policy_saved", "设定方式已保存。", "Saved."),
    (
        "adm.lines.users",
        "管理县级管理员账号",
        "Manage the county admins' accounts",
    ),
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
    Spec {
        name: "pv_yearly_income_yuan",
        section: "pv",
        zh: "全年光伏扶贫收益目标（元）",
        en: "Yearly PV income target (yuan)",
    },
    Spec {
        name: "pv_village_rate_pct",
        section: "pv",
        zh: "光伏收益分配到村率目标（%）",
        en: "Target share of PV income distributed to villages (%)",
    },
];

pub const SECTIONS: &[&str] = &[
    "screening",
    "identification",
    "exit",
    "notice",
    "cadence",
    "pv",
];

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
