//! 光伏扶贫电站 and 光伏收益分配 (B2, issue 23; plan §四(二)4 "管好用好光伏收益资金，加强村级光伏扶贫电站运行
//! 维护，按月分配收益，合理开发光伏扶贫公益岗位，加大收益分配考核管理，确保全年光伏扶贫收益达到8500万元，收益分配到村率
//! 达到90%"):
//!
//! - a station ([`Station`]): 村级电站 in its village, or 集中式电站 kept by the township or county with the
//!   villages it benefits; capacity (kW), 并网日期, optionally its row of the asset registry (扶贫资产), state
//!   (运行/停运);
//! - its monthly generation income ([`Income`], 发电收益, in 分), one per station and month;
//! - the monthly distribution of a village ([`Distribution`], 收益分配): the amount distributed to the village
//!   (分配到村) and its uses (公益岗位工资 — optionally naming the 公益岗位 paid from 光伏收益 —, 小型公益事业,
//!   奖励补助, 其他) by the decision of the 村民代表会议;
//! - the county's targets ([`PvTargets`], 县级规则: yearly income 8500万元, 分配到村率 ≥ 90 %) and the board's
//!   arithmetic ([`progress`]): the rate distributed to villages / income of the year, cumulative by month,
//!   with the gap to the target, all in 分.
//!
//! Pure rules: [`Station::validate`], [`Income::validate`], [`Distribution::validate`] refuse a bad record
//! with the reason in Chinese; nothing here reads a database.

use chrono::NaiveDate;

use crate::codes::code_list;
use crate::ledger::{Column, ColumnKind, Value, col};
use crate::money::Fen;
use crate::monitoring::{Refusal, YearMonth};
use crate::project::{MAX_NAME, MAX_TEXT, check_text};

code_list! {
    /// 电站类型 (§四(二)4).
    pub enum StationKind ("电站类型", "station kind") {
        Village = ("village", "村级电站", "Village station"),
        Central = ("central", "集中式电站", "Centralised station"),
    }
}

code_list! {
    /// 电站状态.
    pub enum StationState ("电站状态", "station state") {
        Running = ("running", "运行", "Running"),
        Stopped = ("stopped", "停运", "Stopped"),
    }
}

/// The largest capacity accepted (kW): 1 000 000 kW = 1 GW.
pub const MAX_CAPACITY_KW: u32 = 1_000_000;
/// The most villages a 集中式电站 benefits.
pub const MAX_BENEFICIARIES: usize = 500;
/// The largest single amount accepted (分): 10 亿元.
pub const MAX_AMOUNT: Fen = Fen(100_000_000_000);

fn invalid(zh: impl Into<String>, en: impl Into<String>) -> Refusal {
    Refusal::invalid(zh, en)
}

fn is_code12(s: &str) -> bool {
    s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit())
}

/// Whether a 12-digit region code names an administrative village (not a township `…000` or county
/// `…000000` padded to 12 digits).
pub fn is_village(code: &str) -> bool {
    is_code12(code) && !code.ends_with("000")
}

/// The prefix of the region a padded code names: a county `141123000000` → `141123`, a township
/// `141123208000` → `141123208`, a village → itself.
pub fn region_prefix(code: &str) -> &str {
    if code.ends_with("000000") {
        code.get(..6).unwrap_or(code)
    } else if code.ends_with("000") {
        code.get(..9).unwrap_or(code)
    } else {
        code
    }
}

/// A station as the county or township enters it (光伏扶贫电站).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Station {
    /// 电站名称.
    pub name: String,
    /// 电站类型.
    pub kind: StationKind,
    /// 所在地: the village of a 村级电站; the township (`141123208000`) or county (`141123000000`) that keeps
    /// a 集中式电站 (12 digits).
    pub place: String,
    /// 受益村 of a 集中式电站 (12-digit village codes inside the place); empty for a 村级电站.
    #[serde(default)]
    pub villages: Vec<String>,
    /// 装机容量（千瓦）.
    pub capacity_kw: u32,
    /// 并网日期.
    #[serde(default)]
    pub grid_on: Option<NaiveDate>,
    /// 资产编号 of the asset registry (扶贫资产, 经营性), if registered.
    #[serde(default)]
    pub asset: Option<i64>,
    /// 电站状态.
    pub state: StationState,
}

impl Station {
    /// Checks the station against `today`: a name; a 村级电站 in a village without other 受益村, a 集中式电站
    /// kept by a township or the county with 1 to [`MAX_BENEFICIARIES`] distinct villages inside it; a
    /// capacity of 1 to [`MAX_CAPACITY_KW`] kW; a grid connection not in the future.
    pub fn validate(&self, today: NaiveDate) -> Result<(), Refusal> {
        check_text(&self.name, true, MAX_NAME, "电站名称", "Station name")?;
        if !is_code12(&self.place) {
            return Err(invalid(
                "所在地应为12位区划代码",
                "The place must be a 12-digit region code",
            ));
        }
        match self.kind {
            StationKind::Village => {
                if !is_village(&self.place) {
                    return Err(invalid(
                        "村级电站的所在地应为行政村",
                        "A village station lies in a village",
                    ));
                }
                if self.villages.iter().any(|v| v != &self.place) {
                    return Err(invalid(
                        "村级电站只受益所在村",
                        "A village station benefits its own village only",
                    ));
                }
            }
            StationKind::Central => {
                if is_village(&self.place) {
                    return Err(invalid(
                        "集中式电站的所在地应为乡镇或县",
                        "A centralised station is kept by a township or the county",
                    ));
                }
                if self.villages.is_empty() || self.villages.len() > MAX_BENEFICIARIES {
                    return Err(invalid(
                        format!("集中式电站须列明受益村（1至{MAX_BENEFICIARIES}个）"),
                        "A centralised station lists the villages it benefits",
                    ));
                }
                let prefix = region_prefix(&self.place);
                for (i, v) in self.villages.iter().enumerate() {
                    if !is_village(v) || !v.starts_with(prefix) {
                        return Err(invalid(
                            format!("受益村{v}不是所在地内的行政村"),
                            format!("{v} is no village inside the station's place"),
                        ));
                    }
                    if self.villages[..i].contains(v) {
                        return Err(invalid(
                            format!("受益村{v}重复"),
                            format!("{v} is listed twice"),
                        ));
                    }
                }
            }
        }
        if self.capacity_kw == 0 || self.capacity_kw > MAX_CAPACITY_KW {
            return Err(invalid(
                format!("装机容量应在1至{MAX_CAPACITY_KW}千瓦之间"),
                "The capacity is out of range",
            ));
        }
        if self.grid_on.is_some_and(|d| d > today) {
            return Err(invalid(
                "并网日期晚于今天",
                "The grid connection lies in the future",
            ));
        }
        Ok(())
    }

    /// The villages the station benefits: its village (村级), or the listed ones (集中式).
    pub fn beneficiaries(&self) -> Vec<String> {
        match self.kind {
            StationKind::Village => vec![self.place.clone()],
            StationKind::Central => self.villages.clone(),
        }
    }

    /// The station with its texts trimmed (and a 村级电站's village list emptied).
    pub fn normalized(mut self) -> Station {
        self.name = self.name.trim().to_owned();
        self.place = self.place.trim().to_owned();
        if self.kind == StationKind::Village {
            self.villages.clear();
        }
        for v in &mut self.villages {
            *v = v.trim().to_owned();
        }
        self
    }
}

/// Refuses a month after `today`'s.
fn check_month(month: YearMonth, today: NaiveDate) -> Result<(), Refusal> {
    if month > YearMonth::of(today) {
        return Err(invalid(
            format!("月份{month}晚于本月"),
            "The month lies in the future",
        ));
    }
    Ok(())
}

fn check_amount(a: Fen, zh: &str, en: &str) -> Result<(), Refusal> {
    if a.is_negative() || a > MAX_AMOUNT {
        return Err(invalid(
            format!("{zh}应在0至{MAX_AMOUNT}元之间（填了{a}元）"),
            format!("The {en} is out of range"),
        ));
    }
    Ok(())
}

/// A station's generation income of a month (发电收益).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Income {
    /// 月份 (`2026-11`).
    pub month: YearMonth,
    /// 发电收益 (分).
    pub amount: Fen,
    /// 备注.
    #[serde(default)]
    pub note: String,
}

impl Income {
    /// Checks the income against `today`: a month not in the future, an amount of 0 to [`MAX_AMOUNT`].
    pub fn validate(&self, today: NaiveDate) -> Result<(), Refusal> {
        check_month(self.month, today)?;
        check_amount(self.amount, "发电收益", "income")?;
        check_text(&self.note, false, MAX_TEXT, "备注", "Note")
    }
}

/// The uses of a village's share (收益使用), each in 分.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct Uses {
    /// 公益岗位工资.
    pub post_wages: Fen,
    /// 小型公益事业.
    pub public_works: Fen,
    /// 奖励补助.
    pub rewards: Fen,
    /// 其他.
    pub other: Fen,
}

impl Uses {
    /// The uses in the ledger's order with their Chinese and English names.
    pub fn parts(&self) -> [(Fen, &'static str, &'static str); 4] {
        [
            (self.post_wages, "公益岗位工资", "post wages"),
            (self.public_works, "小型公益事业", "small public works"),
            (self.rewards, "奖励补助", "rewards and subsidies"),
            (self.other, "其他", "other uses"),
        ]
    }

    /// The sum of the uses.
    pub fn total(&self) -> Fen {
        self.parts().iter().map(|p| p.0).sum()
    }
}

/// A village's distribution of a month (光伏收益分配).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Distribution {
    /// 行政村 (12 digits).
    pub village: String,
    /// 月份.
    pub month: YearMonth,
    /// 分配到村金额 (分).
    pub distributed: Fen,
    /// 收益使用.
    #[serde(default)]
    pub uses: Uses,
    /// The 公益岗位 (ids of `welfare_posts`, funded by 光伏收益) whose wages the share pays.
    #[serde(default)]
    pub posts: Vec<i64>,
    /// 决议 (e.g. `村民代表会议决议（2026年第11次）`).
    pub decision: String,
    /// 决议日期.
    pub decided_on: NaiveDate,
    /// 备注.
    #[serde(default)]
    pub note: String,
}

impl Distribution {
    /// Checks the distribution against `today`: a village; a month not in the future; every amount between
    /// 0 and [`MAX_AMOUNT`]; the uses together never more than the amount distributed; posts named only
    /// with 公益岗位工资; a decision dated not in the future.
    pub fn validate(&self, today: NaiveDate) -> Result<(), Refusal> {
        if !is_village(&self.village) {
            return Err(invalid(
                "所在村应为12位行政村代码",
                "The village must be a 12-digit village code",
            ));
        }
        check_month(self.month, today)?;
        check_amount(self.distributed, "分配到村金额", "amount distributed")?;
        for (a, zh, en) in self.uses.parts() {
            check_amount(a, zh, en)?;
        }
        let used = self.uses.total();
        if used > self.distributed {
            return Err(invalid(
                format!("收益使用合计{used}元超过分配到村金额{}元", self.distributed),
                "The uses exceed the amount distributed",
            ));
        }
        if !self.posts.is_empty() && self.uses.post_wages.is_zero() {
            return Err(invalid(
                "列明公益岗位时须填写公益岗位工资",
                "Posts are named with the post wages only",
            ));
        }
        for (i, p) in self.posts.iter().enumerate() {
            if self.posts[..i].contains(p) {
                return Err(invalid(format!("公益岗位{p}重复"), "A post is named twice"));
            }
        }
        check_text(&self.decision, true, MAX_TEXT, "决议", "Decision")?;
        if self.decided_on > today {
            return Err(invalid(
                "决议日期晚于今天",
                "The decision lies in the future",
            ));
        }
        check_text(&self.note, false, MAX_TEXT, "备注", "Note")
    }

    /// The amount distributed but not (yet) used (结余).
    pub fn balance(&self) -> Fen {
        self.distributed - self.uses.total()
    }

    /// The distribution with its texts trimmed.
    pub fn normalized(mut self) -> Distribution {
        self.village = self.village.trim().to_owned();
        self.decision = self.decision.trim().to_owned();
        self.note = self.note.trim().to_owned();
        self
    }
}

/// The county's PV targets (县级规则, §四(二)4): yearly income and the share distributed to villages.
#[derive(Clone, Copy, PartialEq, Eq, Debug, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct PvTargets {
    /// 全年光伏扶贫收益目标（元）(default 85 000 000: "确保全年光伏扶贫收益达到8500万元").
    pub yearly_income_yuan: i64,
    /// 收益分配到村率目标（%）(default 90).
    pub village_rate_pct: u32,
}

impl Default for PvTargets {
    fn default() -> Self {
        PvTargets {
            yearly_income_yuan: 85_000_000,
            village_rate_pct: 90,
        }
    }
}

impl PvTargets {
    /// Refuses a negative income target or a rate above 100 %.
    pub fn validate(&self) -> Result<(), Refusal> {
        if self.yearly_income_yuan < 0 || self.yearly_income_yuan > MAX_AMOUNT.0 / 100 {
            return Err(invalid(
                "全年光伏收益目标应为非负数",
                "The yearly PV income target must not be negative",
            ));
        }
        if self.village_rate_pct > 100 {
            return Err(invalid(
                format!(
                    "收益分配到村率目标不能超过100%（填了{}%）",
                    self.village_rate_pct
                ),
                "The rate target cannot exceed 100 %",
            ));
        }
        Ok(())
    }

    /// The yearly income target in 分.
    pub fn yearly_income(&self) -> Fen {
        Fen(self.yearly_income_yuan.saturating_mul(100))
    }
}

/// The rate distributed / income against the target (分配到村率).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Rate {
    /// 发电收益 (分).
    pub income: Fen,
    /// 分配到村 (分).
    pub distributed: Fen,
    /// The rate in basis points (万分之一, rounded down); `None` without income.
    pub rate_bp: Option<i64>,
    /// What is still to distribute to reach the target (分; 0 when met).
    pub gap: Fen,
    /// Whether the target is met (distributed ≥ target % of income; not met without income).
    pub met: bool,
}

impl Rate {
    /// The rate of `distributed` over `income` against `target_pct`.
    pub fn of(income: Fen, distributed: Fen, target_pct: u32) -> Rate {
        let inc = i128::from(income.0.max(0));
        let dis = i128::from(distributed.0.max(0));
        let pct = i128::from(target_pct);
        // The target amount, rounded up to the fen: ceil(income × pct / 100).
        let needed = (inc * pct + 99) / 100;
        let gap = (needed - dis).max(0);
        Rate {
            income,
            distributed,
            rate_bp: (inc > 0).then(|| i64::try_from(dis * 10_000 / inc).unwrap_or(i64::MAX)),
            gap: Fen(i64::try_from(gap).unwrap_or(i64::MAX)),
            met: inc > 0 && dis * 100 >= inc * pct,
        }
    }

    /// The rate as a text: `93.45%`, or `—` without income.
    pub fn percent_text(&self) -> String {
        match self.rate_bp {
            Some(bp) => format!("{}.{:02}%", bp / 100, bp % 100),
            None => "—".to_owned(),
        }
    }
}

/// One month of the board: the month's figures and the year's so far.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MonthProgress {
    /// 月份.
    pub month: YearMonth,
    /// 当月发电收益.
    pub income: Fen,
    /// 当月分配到村.
    pub distributed: Fen,
    /// 累计 (January to this month): income, distributed, rate and gap.
    pub cumulative: Rate,
}

/// The year's progress by month (the board's "按月" table): months `1..=last`, each with its own figures and
/// the cumulative rate against `target_pct`. `income` and `distributed` are (month, amount) pairs of the
/// year; others are ignored.
pub fn progress(
    year: i32,
    last: u32,
    income: &[(YearMonth, Fen)],
    distributed: &[(YearMonth, Fen)],
    target_pct: u32,
) -> Vec<MonthProgress> {
    let mut out = Vec::new();
    let (mut ci, mut cd) = (Fen(0), Fen(0));
    for m in 1..=last.min(12) {
        let Some(month) = YearMonth::new(year, m) else {
            continue;
        };
        let sum = |xs: &[(YearMonth, Fen)]| -> Fen {
            xs.iter()
                .filter(|(k, _)| *k == month)
                .map(|(_, a)| *a)
                .sum()
        };
        let (i, d) = (sum(income), sum(distributed));
        ci += i;
        cd += d;
        out.push(MonthProgress {
            month,
            income: i,
            distributed: d,
            cumulative: Rate::of(ci, cd, target_pct),
        });
    }
    out
}

/// The yearly income against the target (全年收益目标): (income, target, gap; 0 when reached).
pub fn income_gap(income: Fen, targets: &PvTargets) -> Fen {
    let t = targets.yearly_income();
    if income >= t { Fen(0) } else { t - income }
}

/// 光伏收益分配台账: one row per village and month distributed.
pub const LEDGER_COLUMNS: &[Column] = &[
    col("序号", 6.0, ColumnKind::Number),
    col("乡（镇）", 14.0, ColumnKind::Text),
    col("村名", 14.0, ColumnKind::Text),
    col("行政村代码", 14.0, ColumnKind::Digits),
    col("月份", 10.0, ColumnKind::Date),
    col("发电收益（元）", 14.0, ColumnKind::Money),
    col("分配到村金额（元）", 14.0, ColumnKind::Money),
    col("公益岗位工资（元）", 14.0, ColumnKind::Money),
    col("小型公益事业（元）", 14.0, ColumnKind::Money),
    col("奖励补助（元）", 14.0, ColumnKind::Money),
    col("其他（元）", 12.0, ColumnKind::Money),
    col("结余（元）", 12.0, ColumnKind::Money),
    col("公益岗位数", 10.0, ColumnKind::Number),
    col("决议", 30.0, ColumnKind::Text),
    col("决议日期", 12.0, ColumnKind::Date),
    col("记录人", 12.0, ColumnKind::Text),
];

/// A distribution as the ledger sees it.
#[derive(Clone, Copy, Debug)]
pub struct LedgerDistribution<'a> {
    /// The distribution.
    pub record: &'a Distribution,
    /// 乡（镇） name.
    pub township: &'a str,
    /// 村名.
    pub village: &'a str,
    /// 发电收益 of the village's own stations that month (分).
    pub income: Fen,
    /// 记录人.
    pub recorded_by: &'a str,
}

/// The 光伏收益分配台账 row of a distribution (序号 `seq`).
pub fn ledger_row(seq: usize, d: &LedgerDistribution<'_>) -> Vec<Value> {
    let r = d.record;
    let t = |s: &str| Value::Text(s.to_owned());
    let money = |f: Fen| Value::Number(f.to_yuan_f64());
    vec![
        Value::Number(seq as f64),
        t(d.township),
        t(d.village),
        t(&r.village),
        t(&r.month.to_string()),
        money(d.income),
        money(r.distributed),
        money(r.uses.post_wages),
        money(r.uses.public_works),
        money(r.uses.rewards),
        money(r.uses.other),
        money(r.balance()),
        Value::Number(r.posts.len() as f64),
        t(&r.decision),
        t(&r.decided_on.to_string()),
        t(d.recorded_by),
    ]
}

#[cfg(test)]
mod tests;
