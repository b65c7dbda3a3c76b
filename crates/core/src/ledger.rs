//! 台账: the lifecycle ledgers every higher-level check asks for (issue 6 part 4; plan §三(一) and the
//! cadence of §三(一)2), as rows of cells, pure. The store loads the cases of an area, the `io` crate writes
//! the rows to a workbook; this module decides the columns, their Chinese headers and widths, which records
//! make a row, the date a ledger is filtered by, and how each value is written.
//!
//! | ledger | one row per | filtered by |
//! | --- | --- | --- |
//! | 监测对象台账 | monitored household (or member with `per_member`) | 纳入监测日期 |
//! | 帮扶措施台账 | measure | 制定日期 or 完成日期 |
//! | 月度监测（帮扶手册）台账 | household-month follow-up | 监测月份 |
//! | 风险消除台账 | eliminated household (case) | 风险消除日期 |
//! | 线索台账 | clue | 发现日期 (first report) |
//! | 低收入人口台账 | household in scope and month visited | 走访日期 (rows: [`crate::register::low_income::ledger_row`]) |
//! | 问题整改台账 | 三保障 or water problem | 发现日期 (rows: [`crate::monitoring::problem::ledger_row`]) |
//!
//! ID numbers are written in full only when the reader's role may see them
//! ([`crate::access::Role::may_view_full_id`]); otherwise masked (`141123********123X`).

use chrono::NaiveDate;

use crate::codes::{CodeList, code_list};
use crate::household::{Household, Member};
use crate::monitoring::exit::ExitStatus;
use crate::monitoring::identification::IdentStatus;
use crate::monitoring::{Case, Lifecycle, MeasureStatus};
use crate::registry::RegionNames;
use crate::registry::values::join_risks;

code_list! {
    /// 台账种类: the lifecycle ledgers.
    pub enum LedgerKind ("台账", "ledger") {
        Monitored = ("monitored", "监测对象台账", "Monitored households"),
        Measures = ("measures", "帮扶措施台账", "Assistance measures"),
        FollowUps = ("followups", "月度监测（帮扶手册）台账", "Monthly follow-ups (handbook)"),
        Eliminated = ("eliminated", "风险消除台账", "Risk eliminated"),
        Clues = ("clues", "线索台账", "Risk clues"),
        LowIncome = ("low_income", "低收入人口台账", "Low-income population"),
        Problems = ("problems", "问题整改台账", "Problem rectification"),
        Relocation = ("relocation", "易地搬迁后续扶持台账", "Relocated households"),
        Projects = ("projects", "项目库台账", "Project library"),
        ProjectFunds = ("project_funds", "资金拨付进度台账", "Project payment progress"),
        Labour = ("labour", "劳动力就业台账", "Employment of the labour force"),
        Assets = ("assets", "扶贫项目资产台账", "Project assets"),
        AssetUpkeep = ("asset_upkeep", "资产管护台账", "Asset upkeep"),
        VillageIndicators = ("village_indicators", "村容村貌指标台账", "Village appearance indicators"),
        Workshops = ("workshops", "帮扶车间台账", "Assistance workshops"),
        WelfarePosts = ("welfare_posts", "公益岗位台账", "Public-welfare posts"),
        Grids = ("grids", "网格台账", "Grids"),
        Campaign = ("campaign", "三保障和饮水安全排查台账", "Quarterly campaign checks"),
        PvDistribution = ("pv_distribution", "光伏收益分配台账", "PV income distribution"),
    }
}

impl LedgerKind {
    /// Parses a code (`monitored`), the Chinese name (`监测对象台账`) or a short Chinese name (`监测对象`,
    /// `帮扶措施`, `月度监测`, `帮扶手册`, `风险消除`, `线索`).
    pub fn parse(s: &str) -> Option<LedgerKind> {
        let s = s.trim();
        if let Some(k) = LedgerKind::from_code(s).or_else(|| LedgerKind::from_label_zh(s)) {
            return Some(k);
        }
        let short = s
            .trim_end_matches("台账")
            .replace(['(', ')', '（', '）'], "");
        match short.as_str() {
            "监测对象" | "监测户" => Some(LedgerKind::Monitored),
            "帮扶措施" | "措施" => Some(LedgerKind::Measures),
            "月度监测"
            | "帮扶手册"
            | "月度监测帮扶手册"
            | "跟踪监测"
            | "follow-ups"
            | "follow_ups" => Some(LedgerKind::FollowUps),
            "风险消除" | "退出" => Some(LedgerKind::Eliminated),
            "线索" => Some(LedgerKind::Clues),
            "低收入人口" | "低收入" => Some(LedgerKind::LowIncome),
            "问题整改" | "问题" | "三保障问题" => Some(LedgerKind::Problems),
            "村容村貌" | "村容村貌指标" => Some(LedgerKind::VillageIndicators),
            "网格" | "网格化管理" => Some(LedgerKind::Grids),
            "易地搬迁后续扶持" | "易地搬迁" | "搬迁户" => {
                Some(LedgerKind::Relocation)
            }
            "项目库" | "项目" => Some(LedgerKind::Projects),
            "扶贫项目资产" | "扶贫资产" | "资产" => Some(LedgerKind::Assets),
            "资产管护" | "管护" => Some(LedgerKind::AssetUpkeep),
            "资金拨付进度" | "资金拨付" | "拨付进度" => {
                Some(LedgerKind::ProjectFunds)
            }
            "劳动力就业" | "劳动力" | "就业" => Some(LedgerKind::Labour),
            "帮扶车间" | "车间" => Some(LedgerKind::Workshops),
            "公益岗位" | "岗位" => Some(LedgerKind::WelfarePosts),
            "光伏收益分配" | "光伏收益" | "光伏" => Some(LedgerKind::PvDistribution),
            "排查" | "三保障和饮水安全排查" | "问题排查" => {
                Some(LedgerKind::Campaign)
            }
            _ => None,
        }
    }

    /// The header of the date the ledger is filtered by.
    pub fn date_header(self) -> &'static str {
        match self {
            LedgerKind::Monitored => "纳入监测日期",
            LedgerKind::Measures => "制定或完成日期",
            LedgerKind::FollowUps => "监测月份",
            LedgerKind::Eliminated => "风险消除日期",
            LedgerKind::Clues => "发现日期",
            LedgerKind::LowIncome => "走访日期",
            LedgerKind::Problems => "发现日期",
            LedgerKind::Relocation => "排查日期",
            LedgerKind::Projects => "申报日期",
            LedgerKind::ProjectFunds => "拨付日期",
            LedgerKind::Labour => "登记日期",
            LedgerKind::Assets => "登记日期",
            LedgerKind::AssetUpkeep => "管护日期",
            LedgerKind::VillageIndicators => "填报日期",
            LedgerKind::Workshops => "投产日期",
            LedgerKind::WelfarePosts => "聘用起始日期",
            LedgerKind::Grids => "更新日期",
            LedgerKind::Campaign => "排查日期",
            LedgerKind::PvDistribution => "分配月份",
        }
    }

    /// The ASCII part of a download file name (`monitored`).
    pub fn file_stem_en(self) -> &'static str {
        self.code()
    }
}

/// How a column is written.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum ColumnKind {
    /// Text.
    Text,
    /// Digits kept as text (身份证号, 户编号, 电话): a text-formatted column, never a number.
    Digits,
    /// A number (序号, 家庭人口).
    Number,
    /// An amount in yuan with two decimals.
    Money,
    /// A date `2022-01-17` or month `2022-01`, as text.
    Date,
}

/// A ledger column: Chinese header, width (Excel character units), kind.
#[derive(Clone, Copy, PartialEq, Debug)]
pub struct Column {
    /// 表头.
    pub header: &'static str,
    /// Width.
    pub width: f64,
    /// Kind.
    pub kind: ColumnKind,
}

/// A column (for the ledgers' column lists, here and in the registers).
pub(crate) const fn col(header: &'static str, width: f64, kind: ColumnKind) -> Column {
    Column {
        header,
        width,
        kind,
    }
}

use ColumnKind::{Date, Digits, Money, Number, Text};

const SEQ: Column = col("序号", 6.0, Number);
const TOWNSHIP: Column = col("乡镇", 12.0, Text);
const VILLAGE: Column = col("行政村", 12.0, Text);
const NUMBER: Column = col("户编号", 16.0, Digits);
const HEAD: Column = col("户主姓名", 10.0, Text);
const HEAD_ID: Column = col("户主身份证号", 21.0, Digits);

const COUNTY: Column = col("县", 10.0, Text);
const SIZE: Column = col("家庭人口", 8.0, Number);
const MONITORED_TYPE: Column = col("监测对象类别", 16.0, Text);
const RISKS: Column = col("风险类型", 24.0, Text);
const MONITORED_ON: Column = col("纳入监测日期", 12.0, Date);
const STATUS: Column = col("监测状态", 12.0, Text);
const CADRE: Column = col("帮扶责任人", 10.0, Text);
const ELIMINATED_ON: Column = col("风险消除日期", 12.0, Date);

const MONITORED: &[Column] = &[
    SEQ,
    COUNTY,
    TOWNSHIP,
    VILLAGE,
    NUMBER,
    HEAD,
    HEAD_ID,
    SIZE,
    col("联系电话", 13.0, Digits),
    MONITORED_TYPE,
    RISKS,
    col("识别启动日期", 12.0, Date),
    MONITORED_ON,
    STATUS,
    CADRE,
    col("帮扶措施数", 8.0, Number),
    ELIMINATED_ON,
];

const MONITORED_MEMBERS: &[Column] = &[
    SEQ,
    COUNTY,
    TOWNSHIP,
    VILLAGE,
    NUMBER,
    col("姓名", 10.0, Text),
    col("身份证号", 21.0, Digits),
    col("性别", 5.0, Text),
    col("与户主关系", 10.0, Text),
    SIZE,
    MONITORED_TYPE,
    RISKS,
    MONITORED_ON,
    STATUS,
    CADRE,
];

const MEASURES: &[Column] = &[
    SEQ,
    TOWNSHIP,
    VILLAGE,
    NUMBER,
    HEAD,
    HEAD_ID,
    col("措施类别", 14.0, Text),
    col("措施内容", 30.0, Text),
    col("责任单位", 16.0, Text),
    col("金额（元）", 11.0, Money),
    col("制定日期", 12.0, Date),
    col("计划完成日期", 12.0, Date),
    col("开始实施日期", 12.0, Date),
    col("完成日期", 12.0, Date),
    col("措施状态", 9.0, Text),
    col("落实情况", 30.0, Text),
];

const FOLLOW_UPS: &[Column] = &[
    SEQ,
    TOWNSHIP,
    VILLAGE,
    NUMBER,
    HEAD,
    HEAD_ID,
    col("监测月份", 10.0, Date),
    col("走访日期", 12.0, Date),
    col("帮扶措施落实到位", 10.0, Text),
    col("政策应享尽享", 10.0, Text),
    col("两不愁三保障及饮水安全", 12.0, Text),
    col("群众认可", 8.0, Text),
    col("预计人均纯收入（元）", 12.0, Money),
    col("情况说明", 30.0, Text),
    col("记录人", 12.0, Text),
    col("记录日期", 12.0, Date),
];

const ELIMINATED: &[Column] = &[
    SEQ,
    TOWNSHIP,
    VILLAGE,
    NUMBER,
    HEAD,
    HEAD_ID,
    SIZE,
    MONITORED_TYPE,
    RISKS,
    MONITORED_ON,
    ELIMINATED_ON,
    col("风险消除方式", 12.0, Text),
    col("告知书编号", 30.0, Text),
    col("告知日期", 12.0, Date),
    CADRE,
];

const CLUES: &[Column] = &[
    SEQ,
    TOWNSHIP,
    VILLAGE,
    NUMBER,
    HEAD,
    HEAD_ID,
    col("发现日期", 12.0, Date),
    col("监测手段", 12.0, Text),
    col("线索来源", 36.0, Text),
    RISKS,
    col("报告人", 12.0, Text),
    col("登记人", 14.0, Text),
    col("登记日期", 12.0, Date),
    col("合并报告数", 8.0, Number),
    col("处理结果", 18.0, Text),
];

/// A cell value.
#[derive(Clone, PartialEq, Debug)]
pub enum Value {
    /// Nothing.
    Empty,
    /// Text (also digits and dates, see [`ColumnKind`]).
    Text(String),
    /// A number.
    Number(f64),
}

impl Value {
    /// The value as text (numbers without a needless `.0`).
    pub fn to_text(&self) -> String {
        match self {
            Value::Empty => String::new(),
            Value::Text(t) => t.clone(),
            Value::Number(n) if n.fract() == 0.0 => format!("{n:.0}"),
            Value::Number(n) => format!("{n:.2}"),
        }
    }
}

/// A text cell; empty text is [`Value::Empty`].
pub(crate) fn t(s: impl Into<String>) -> Value {
    let s = s.into();
    if s.is_empty() {
        Value::Empty
    } else {
        Value::Text(s)
    }
}

/// A date cell (`2022-01-17`), empty when none.
pub(crate) fn date(d: Option<NaiveDate>) -> Value {
    d.map_or(Value::Empty, |d| Value::Text(d.to_string()))
}

/// 是 / 否.
pub(crate) fn yes_no(b: bool) -> Value {
    t(if b { "是" } else { "否" })
}

/// An inclusive date range; either end may be open.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct DateRange {
    /// First day (inclusive).
    pub from: Option<NaiveDate>,
    /// Last day (inclusive).
    pub to: Option<NaiveDate>,
}

impl DateRange {
    /// The day is in the range.
    pub fn contains(&self, d: NaiveDate) -> bool {
        self.from.is_none_or(|f| d >= f) && self.to.is_none_or(|t| d <= t)
    }

    /// The period `[first, last]` overlaps the range.
    pub fn overlaps(&self, first: NaiveDate, last: NaiveDate) -> bool {
        self.from.is_none_or(|f| last >= f) && self.to.is_none_or(|t| first <= t)
    }

    /// `from` after `to`: the range is empty (a typing mistake worth refusing).
    pub fn is_reversed(&self) -> bool {
        matches!((self.from, self.to), (Some(f), Some(t)) if f > t)
    }
}

/// Options of a ledger export.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct LedgerOptions {
    /// 监测对象台账 one row per member instead of per household.
    pub per_member: bool,
    /// Write full ID numbers ([`crate::access::Role::may_view_full_id`]); masked otherwise.
    pub full_ids: bool,
    /// Only rows whose ledger date is in the range.
    pub range: DateRange,
}

/// One case with what its rows need: the household now (members), region names.
#[derive(Clone, Copy, Debug)]
pub struct LedgerCase<'a> {
    /// The case.
    pub case: &'a Case,
    /// The household (from the registry).
    pub household: &'a Household,
    /// Region names of the household.
    pub names: &'a RegionNames,
}

/// The columns of a ledger.
pub fn columns(kind: LedgerKind, per_member: bool) -> &'static [Column] {
    match kind {
        LedgerKind::Monitored if per_member => MONITORED_MEMBERS,
        LedgerKind::Monitored => MONITORED,
        LedgerKind::Measures => MEASURES,
        LedgerKind::FollowUps => FOLLOW_UPS,
        LedgerKind::Eliminated => ELIMINATED,
        LedgerKind::Clues => CLUES,
        LedgerKind::LowIncome => crate::register::low_income::LEDGER_COLUMNS,
        LedgerKind::Problems => crate::monitoring::problem::LEDGER_COLUMNS,
        LedgerKind::Relocation => crate::register::relocation::LEDGER_COLUMNS,
        LedgerKind::Projects => crate::project::ledger::PROJECT_COLUMNS,
        LedgerKind::ProjectFunds => crate::project::ledger::FUNDS_COLUMNS,
        LedgerKind::Labour => crate::register::labour::LEDGER_COLUMNS,
        LedgerKind::Assets => crate::asset::ledger::ASSET_COLUMNS,
        LedgerKind::AssetUpkeep => crate::asset::ledger::UPKEEP_COLUMNS,
        LedgerKind::VillageIndicators => crate::indicators::LEDGER_COLUMNS,
        LedgerKind::Workshops => crate::workshop::LEDGER_COLUMNS,
        LedgerKind::WelfarePosts => crate::welfare_post::LEDGER_COLUMNS,
        LedgerKind::Grids => crate::grid::LEDGER_COLUMNS,
        LedgerKind::Campaign => crate::register::campaign::LEDGER_COLUMNS,
        LedgerKind::PvDistribution => crate::pv::LEDGER_COLUMNS,
    }
}

fn id_text(m: Option<&Member>, full: bool) -> Value {
    match m {
        Some(m) if full => Value::Text(m.id_number.to_string()),
        Some(m) => Value::Text(m.id_number.masked()),
        None => Value::Empty,
    }
}

fn head(h: &Household) -> Option<&Member> {
    h.head().or(h.members.first())
}

/// 监测对象类别 and 风险类型 as decided (县级审定), else as reported by the clues.
fn type_and_risks(c: &LedgerCase<'_>) -> (Value, Value) {
    let outcome = c.case.identification.as_ref().and_then(|i| i.outcome());
    let ty = outcome
        .map(|o| o.monitored_type)
        .or(c.household.monitored_type);
    let risks = match outcome {
        Some(o) => o.risks.clone(),
        None => c.case.clue_risks(),
    };
    (
        ty.map_or(Value::Empty, |t| Value::Text(t.label_zh().to_owned())),
        t(join_risks(&risks)),
    )
}

fn cadre_name(case: &Case) -> Value {
    let current = case.cadres.current().or(case.cadres.history.last());
    current.map_or(Value::Empty, |a| t(a.cadre.name.clone()))
}

/// The row prefix 乡镇, 行政村, 户编号, 户主姓名, 户主身份证号.
fn household_cells(c: &LedgerCase<'_>, full: bool) -> Vec<Value> {
    let h = head(c.household);
    vec![
        t(c.names.township.clone()),
        t(c.names.village.clone()),
        Value::Text(c.household.number.clone()),
        h.map_or(Value::Empty, |m| t(m.name.clone())),
        id_text(h, full),
    ]
}

/// The clue outcome 处理结果: what became of the case the clue belongs to.
fn outcome_zh(case: &Case) -> String {
    match case.lifecycle() {
        Lifecycle::Clue => "待启动识别".to_owned(),
        Lifecycle::Identifying => "识别中".to_owned(),
        Lifecycle::NotIncluded => match case.identification.as_ref().map(|i| &i.status) {
            Some(IdentStatus::Refused { step, .. }) => {
                format!("未纳入（{}不通过）", step.label_zh())
            }
            _ => "未纳入".to_owned(),
        },
        l => format!("已纳入监测（{}）", l.label_zh()),
    }
}

/// The rows of a ledger (without the header row), numbered 序号 1, 2, … in the order of `cases` (the store
/// gives them by village and 户编号).
pub fn rows(kind: LedgerKind, cases: &[LedgerCase<'_>], opts: &LedgerOptions) -> Vec<Vec<Value>> {
    let mut out: Vec<Vec<Value>> = Vec::new();
    let full = opts.full_ids;
    let range = &opts.range;
    for c in cases {
        let case = c.case;
        match kind {
            LedgerKind::Monitored => {
                let Some(since) = case.monitored_since() else {
                    continue;
                };
                if !range.contains(since) {
                    continue;
                }
                let (ty, risks) = type_and_risks(c);
                let state = t(case.lifecycle().label_zh());
                let size = Value::Number(c.household.members.len() as f64);
                if opts.per_member {
                    for m in &c.household.members {
                        out.push(vec![
                            Value::Empty,
                            t(c.names.county.clone()),
                            t(c.names.township.clone()),
                            t(c.names.village.clone()),
                            Value::Text(c.household.number.clone()),
                            t(m.name.clone()),
                            id_text(Some(m), full),
                            t(m.sex.label_zh()),
                            t(m.relation.label_zh()),
                            size.clone(),
                            ty.clone(),
                            risks.clone(),
                            date(Some(since)),
                            state.clone(),
                            cadre_name(case),
                        ]);
                    }
                } else {
                    let h = head(c.household);
                    out.push(vec![
                        Value::Empty,
                        t(c.names.county.clone()),
                        t(c.names.township.clone()),
                        t(c.names.village.clone()),
                        Value::Text(c.household.number.clone()),
                        h.map_or(Value::Empty, |m| t(m.name.clone())),
                        id_text(h, full),
                        size,
                        t(c.household.phone.clone().unwrap_or_default()),
                        ty,
                        risks,
                        date(case.identification.as_ref().map(|i| i.started_on)),
                        date(Some(since)),
                        state,
                        cadre_name(case),
                        Value::Number(case.measures.len() as f64),
                        date(case.eliminated_on()),
                    ]);
                }
            }
            LedgerKind::Measures => {
                for m in &case.measures {
                    let on =
                        |s: MeasureStatus| m.history.iter().find(|e| e.status == s).map(|e| e.on);
                    let planned = on(MeasureStatus::Planned);
                    let done = on(MeasureStatus::Done);
                    let in_range = planned.is_some_and(|d| range.contains(d))
                        || done.is_some_and(|d| range.contains(d));
                    if !in_range {
                        continue;
                    }
                    let mut row = vec![Value::Empty];
                    row.extend(household_cells(c, full));
                    let note = m
                        .completion
                        .as_ref()
                        .map(|x| x.description.clone())
                        .or_else(|| m.history.last().map(|e| e.note.clone()))
                        .unwrap_or_default();
                    row.extend([
                        t(m.plan.class.label_zh()),
                        t(m.plan.item.clone()),
                        t(m.plan.responsible_unit.clone()),
                        Value::Number(m.plan.amount.to_yuan_f64()),
                        date(planned),
                        date(Some(m.plan.planned_on)),
                        date(on(MeasureStatus::InProgress)),
                        date(done),
                        t(m.status.label_zh()),
                        t(note),
                    ]);
                    out.push(row);
                }
            }
            LedgerKind::FollowUps => {
                for e in &case.follow_ups.entries {
                    let v = &e.visit;
                    if !range.overlaps(v.month.first_day(), v.month.last_day()) {
                        continue;
                    }
                    let mut row = vec![Value::Empty];
                    row.extend(household_cells(c, full));
                    row.extend([
                        Value::Text(v.month.to_string()),
                        date(Some(v.visited_on)),
                        yes_no(v.measures_carried_out),
                        yes_no(v.policies_received),
                        yes_no(v.standards_secure),
                        yes_no(v.household_approves),
                        Value::Number(v.per_capita_income_estimate.to_yuan_f64()),
                        t(v.notes.clone()),
                        t(e.recorded_by.name.clone()),
                        date(Some(e.recorded_on)),
                    ]);
                    out.push(row);
                }
            }
            LedgerKind::Eliminated => {
                for x in &case.exits {
                    let ExitStatus::Eliminated { on, mode } = &x.status else {
                        continue;
                    };
                    if !range.contains(*on) {
                        continue;
                    }
                    let (ty, risks) = type_and_risks(c);
                    let notice = x.notice();
                    let mut row = vec![Value::Empty];
                    row.extend(household_cells(c, full));
                    row.extend([
                        Value::Number(c.household.members.len() as f64),
                        ty,
                        risks,
                        date(case.monitored_since()),
                        date(Some(*on)),
                        t(mode.label_zh()),
                        notice.map_or(Value::Empty, |n| t(n.number.clone())),
                        date(notice.map(|n| n.issued_on)),
                        cadre_name(case),
                    ]);
                    out.push(row);
                }
            }
            LedgerKind::Clues => {
                for clue in &case.clues {
                    let Some(first) = clue.sources.iter().min_by_key(|s| s.report.reported_on)
                    else {
                        continue;
                    };
                    if !range.contains(first.report.reported_on) {
                        continue;
                    }
                    let mut channels: Vec<&str> = Vec::new();
                    for s in &clue.sources {
                        let ch = s.report.source.channel().label_zh();
                        if !channels.contains(&ch) {
                            channels.push(ch);
                        }
                    }
                    let sources: Vec<String> = clue
                        .sources
                        .iter()
                        .map(|s| s.report.source.describe_zh())
                        .collect();
                    let mut row = vec![Value::Empty];
                    row.extend(household_cells(c, full));
                    row.extend([
                        date(Some(first.report.reported_on)),
                        t(channels.join("、")),
                        t(sources.join("；")),
                        t(join_risks(&clue.risks())),
                        t(first.report.reporter.clone()),
                        t(first.recorded_by.name.clone()),
                        date(Some(first.recorded_on)),
                        Value::Number(clue.sources.len() as f64),
                        t(outcome_zh(case)),
                    ]);
                    out.push(row);
                }
            }
            // Not a ledger of cases: its rows are the register's (`register::low_income::ledger_row`).
            LedgerKind::LowIncome
            | LedgerKind::Problems
            | LedgerKind::Relocation
            | LedgerKind::Projects
            | LedgerKind::ProjectFunds
            | LedgerKind::Labour
            | LedgerKind::Assets
            | LedgerKind::AssetUpkeep
            | LedgerKind::VillageIndicators
            | LedgerKind::Workshops
            | LedgerKind::WelfarePosts
            | LedgerKind::Grids
            | LedgerKind::Campaign
            | LedgerKind::PvDistribution => {}
        }
    }
    for (i, r) in out.iter_mut().enumerate() {
        if let Some(first) = r.first_mut() {
            *first = Value::Number((i + 1) as f64);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_parse_codes_and_chinese_names() {
        assert_eq!(LedgerKind::parse("monitored"), Some(LedgerKind::Monitored));
        assert_eq!(
            LedgerKind::parse("监测对象台账"),
            Some(LedgerKind::Monitored)
        );
        assert_eq!(LedgerKind::parse("帮扶措施"), Some(LedgerKind::Measures));
        assert_eq!(
            LedgerKind::parse("月度监测（帮扶手册）台账"),
            Some(LedgerKind::FollowUps)
        );
        assert_eq!(
            LedgerKind::parse("月度监测台账"),
            Some(LedgerKind::FollowUps)
        );
        assert_eq!(
            LedgerKind::parse("风险消除台账"),
            Some(LedgerKind::Eliminated)
        );
        assert_eq!(LedgerKind::parse("线索"), Some(LedgerKind::Clues));
        assert_eq!(LedgerKind::parse("quality"), None);
    }

    #[test]
    fn every_ledger_numbers_its_columns_and_has_id_as_digits() {
        for k in LedgerKind::all() {
            for per_member in [false, true] {
                let cols = columns(*k, per_member);
                assert_eq!(cols[0].header, "序号");
                // The project ledgers list projects, not people (the linked households are counted);
                // the village indicators and the PV distributions list villages.
                let of_people = !matches!(
                    k,
                    LedgerKind::Projects
                        | LedgerKind::ProjectFunds
                        | LedgerKind::Assets
                        | LedgerKind::AssetUpkeep
                        | LedgerKind::VillageIndicators
                        | LedgerKind::Workshops
                        | LedgerKind::Grids
                        | LedgerKind::PvDistribution
                );
                assert_eq!(
                    cols.iter()
                        .any(|c| c.kind == ColumnKind::Digits && c.header.contains("身份证号")),
                    of_people
                );
            }
        }
    }

    #[test]
    fn ranges() {
        let d = |m, d| NaiveDate::from_ymd_opt(2022, m, d).unwrap();
        let r = DateRange {
            from: Some(d(3, 1)),
            to: Some(d(3, 31)),
        };
        assert!(r.contains(d(3, 1)) && r.contains(d(3, 31)));
        assert!(!r.contains(d(4, 1)) && !r.contains(d(2, 28)));
        assert!(r.overlaps(d(2, 1), d(3, 1)));
        assert!(!r.overlaps(d(4, 1), d(4, 30)));
        assert!(DateRange::default().contains(d(1, 1)));
        assert!(
            DateRange {
                from: Some(d(5, 1)),
                to: Some(d(4, 1))
            }
            .is_reversed()
        );
    }
}
