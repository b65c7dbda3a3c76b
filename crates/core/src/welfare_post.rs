//! 公益岗位 (public-welfare posts, B1 §四(一)3 "公益岗位援助一批", A4 §三(二) "两无"老人由光伏收益设置的公益岗位
//! 看护, issue 21): a village's posts — 岗位名称 and kind (护林员, 保洁员, 两无老人看护, 水管员 …), funding
//! (光伏收益, 衔接资金, 其他), monthly pay, the holder (a member of the registry, 脱贫/监测 preferred), from and
//! to, state (在岗/空缺/解聘), duties — and, for 两无老人看护, the elderly people cared for ([`Draft`]).
//!
//! Pure rules: [`Draft::validate`] refuses a post paid from 光伏收益 without a monthly pay, a held post
//! without a holder or a start, a vacant one with a holder, dates out of order, cared-for people on a post
//! that is no 两无老人看护.

use chrono::NaiveDate;

use crate::codes::code_list;
use crate::monitoring::{Refusal, RefusalCode};
use crate::project::{MAX_NAME, MAX_TEXT, check_text};
use crate::register::relocation::MAX_MONTHLY_INCOME;
use crate::workshop::check_village;

code_list! {
    /// 岗位类别 (§四(一)3; §三(二) 两无老人看护).
    pub enum PostKind ("岗位类别", "post kind") {
        ForestRanger = ("forest_ranger", "护林员", "Forest ranger"),
        Cleaner = ("cleaner", "保洁员", "Cleaner"),
        ElderCare = ("elder_care", "两无老人看护", "Carer of elderly without labour or support"),
        WaterKeeper = ("water_keeper", "水管员", "Water-supply keeper"),
        Other = ("other", "其他", "Other"),
    }
}

code_list! {
    /// 资金来源.
    pub enum Funding ("资金来源", "funding") {
        PvIncome = ("pv_income", "光伏收益", "Photovoltaic income"),
        LinkageFund = ("linkage_fund", "衔接资金", "Linkage funds"),
        Other = ("other", "其他", "Other"),
    }
}

code_list! {
    /// 岗位状态.
    pub enum PostState ("岗位状态", "post state") {
        Held = ("held", "在岗", "Held"),
        Vacant = ("vacant", "空缺", "Vacant"),
        Dismissed = ("dismissed", "解聘", "Dismissed"),
    }
}

/// The most people one carer looks after.
pub const MAX_CARED: usize = 20;

/// A member of the registry by household and place (0 = first), as the registers number them.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MemberRef {
    /// 户编号.
    pub household: String,
    /// The member's place in the household (0 = first).
    pub position: usize,
}

/// A post as the township enters it.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Draft {
    /// 岗位名称.
    pub name: String,
    /// 岗位类别.
    pub kind: PostKind,
    /// 所在行政村 (12-digit code).
    pub village: String,
    /// 资金来源.
    pub funding: Funding,
    /// 月补贴（元）.
    #[serde(default)]
    pub monthly_pay: Option<u32>,
    /// 聘用人员 (none: vacant).
    #[serde(default)]
    pub holder: Option<MemberRef>,
    /// 聘用起始日期.
    #[serde(default)]
    pub from: Option<NaiveDate>,
    /// 聘用截止日期.
    #[serde(default)]
    pub to: Option<NaiveDate>,
    /// 岗位状态.
    pub state: PostState,
    /// 岗位职责.
    #[serde(default)]
    pub duties: String,
    /// 看护对象 (两无老人看护 only).
    #[serde(default)]
    pub cared: Vec<MemberRef>,
}

fn invalid(zh: impl Into<String>, en: impl Into<String>) -> Refusal {
    Refusal::new(RefusalCode::InvalidInput, zh, en)
}

impl Draft {
    /// Checks the post against `today` (see the module's doc).
    pub fn validate(&self, today: NaiveDate) -> Result<(), Refusal> {
        check_text(&self.name, true, MAX_NAME, "岗位名称", "Post name")?;
        check_text(&self.duties, false, MAX_TEXT, "岗位职责", "Duties")?;
        check_village(&self.village)?;
        match self.monthly_pay {
            None if self.funding == Funding::PvIncome => {
                return Err(invalid(
                    "光伏收益设置的公益岗位须填写月补贴",
                    "A post paid from photovoltaic income needs its monthly pay",
                ));
            }
            Some(p) if p == 0 || p > MAX_MONTHLY_INCOME => {
                return Err(invalid(
                    format!("月补贴应在1至{MAX_MONTHLY_INCOME}元之间"),
                    "The monthly pay is out of range",
                ));
            }
            _ => {}
        }
        if let Some(h) = &self.holder
            && h.household.trim().is_empty()
        {
            return Err(invalid("请填写聘用人员户编号", "The holder's household"));
        }
        match self.state {
            PostState::Held if self.holder.is_none() || self.from.is_none() => {
                return Err(invalid(
                    "在岗的公益岗位须填写聘用人员和聘用起始日期",
                    "A held post needs its holder and start",
                ));
            }
            PostState::Vacant if self.holder.is_some() => {
                return Err(invalid(
                    "空缺岗位不填聘用人员",
                    "A vacant post has no holder",
                ));
            }
            _ => {}
        }
        if self.from.is_some_and(|f| f > today) {
            return Err(invalid(
                "聘用起始日期晚于今天",
                "The start lies in the future",
            ));
        }
        if let (Some(f), Some(t)) = (self.from, self.to)
            && t < f
        {
            return Err(invalid(
                "聘用截止日期早于起始日期",
                "The end lies before the start",
            ));
        }
        if !self.cared.is_empty() && self.kind != PostKind::ElderCare {
            return Err(invalid(
                "只有两无老人看护岗位登记看护对象",
                "Only an elder-care post has people cared for",
            ));
        }
        if self.cared.len() > MAX_CARED {
            return Err(invalid(
                format!("看护对象不超过{MAX_CARED}人"),
                format!("At most {MAX_CARED} people cared for"),
            ));
        }
        for (i, c) in self.cared.iter().enumerate() {
            if self.cared[..i].contains(c) || self.holder.as_ref() == Some(c) {
                return Err(invalid(
                    "看护对象重复，或与聘用人员为同一人",
                    "A person cared for is listed twice or is the holder",
                ));
            }
        }
        Ok(())
    }

    /// Whether the post is held now (在岗): the one a member may hold at a time.
    pub fn active(&self) -> bool {
        self.state == PostState::Held
    }

    /// The draft with its texts trimmed.
    pub fn normalized(mut self) -> Draft {
        self.name = self.name.trim().to_owned();
        self.duties = self.duties.trim().to_owned();
        self.village = self.village.trim().to_owned();
        for m in self.holder.iter_mut().chain(self.cared.iter_mut()) {
            m.household = m.household.trim().to_owned();
        }
        self
    }
}

use crate::codes::CodeList;
use crate::ledger::{Column, ColumnKind, Value, col};

/// 公益岗位台账: one row per post.
pub const LEDGER_COLUMNS: &[Column] = &[
    col("序号", 6.0, ColumnKind::Number),
    col("岗位编号", 20.0, ColumnKind::Digits),
    col("岗位名称", 20.0, ColumnKind::Text),
    col("岗位类别", 14.0, ColumnKind::Text),
    col("乡（镇）", 14.0, ColumnKind::Text),
    col("行政村", 14.0, ColumnKind::Text),
    col("资金来源", 12.0, ColumnKind::Text),
    col("月补贴（元）", 12.0, ColumnKind::Number),
    col("聘用人员姓名", 12.0, ColumnKind::Text),
    col("聘用人员身份证号", 22.0, ColumnKind::Digits),
    col("户编号", 20.0, ColumnKind::Digits),
    col("聘用起始日期", 12.0, ColumnKind::Date),
    col("聘用截止日期", 12.0, ColumnKind::Date),
    col("岗位状态", 10.0, ColumnKind::Text),
    col("看护对象人数", 10.0, ColumnKind::Number),
    col("岗位职责", 30.0, ColumnKind::Text),
];

/// A post as the ledger sees it (the holder's ID number as the reader may see it).
#[derive(Clone, Copy, Debug)]
pub struct LedgerPost<'a> {
    /// 岗位编号.
    pub number: &'a str,
    /// The post.
    pub draft: &'a Draft,
    /// 乡（镇） name.
    pub township: &'a str,
    /// 行政村 name.
    pub village: &'a str,
    /// 聘用人员姓名.
    pub holder_name: &'a str,
    /// 聘用人员身份证号 (masked unless the reader may see it in full).
    pub holder_id: &'a str,
    /// 看护对象人数.
    pub cared: usize,
}

/// The 公益岗位台账 row of a post (序号 `seq`).
pub fn ledger_row(seq: usize, p: &LedgerPost<'_>) -> Vec<Value> {
    let d = p.draft;
    let t = |s: &str| Value::Text(s.to_owned());
    let date = |x: Option<NaiveDate>| x.map_or(Value::Empty, |d| Value::Text(d.to_string()));
    vec![
        Value::Number(seq as f64),
        t(p.number),
        t(&d.name),
        t(d.kind.label_zh()),
        t(p.township),
        t(p.village),
        t(d.funding.label_zh()),
        d.monthly_pay
            .map_or(Value::Empty, |m| Value::Number(f64::from(m))),
        t(p.holder_name),
        t(p.holder_id),
        t(d.holder.as_ref().map_or("", |h| h.household.as_str())),
        date(d.from),
        date(d.to),
        t(d.state.label_zh()),
        Value::Number(p.cared as f64),
        t(&d.duties),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, m, d).unwrap()
    }

    fn member(h: &str, p: usize) -> MemberRef {
        MemberRef {
            household: h.to_owned(),
            position: p,
        }
    }

    fn draft() -> Draft {
        Draft {
            name: "两无老人看护员".to_owned(),
            kind: PostKind::ElderCare,
            village: "141123208201".to_owned(),
            funding: Funding::PvIncome,
            monthly_pay: Some(500),
            holder: Some(member("H1", 1)),
            from: Some(day(1, 1)),
            to: Some(day(12, 31)),
            state: PostState::Held,
            duties: "每日上门看护".to_owned(),
            cared: vec![member("H2", 0)],
        }
    }

    #[test]
    fn a_complete_post_passes() {
        assert_eq!(draft().validate(day(12, 7)), Ok(()));
        let mut vacant = draft();
        vacant.state = PostState::Vacant;
        vacant.holder = None;
        vacant.from = None;
        assert_eq!(vacant.validate(day(12, 7)), Ok(()));
    }

    #[test]
    fn bad_posts_are_refused() {
        let cases: Vec<fn(&mut Draft)> = vec![
            |d| d.name = String::new(),
            |d| d.village = "1411".to_owned(),
            |d| d.monthly_pay = None,
            |d| d.monthly_pay = Some(0),
            |d| d.holder = None,
            |d| d.from = None,
            |d| d.state = PostState::Vacant,
            |d| d.from = Some(day(12, 8)),
            |d| d.to = Some(d.from.unwrap() - chrono::Duration::days(1)),
            |d| d.kind = PostKind::Cleaner,
            |d| d.cared.push(member("H2", 0)),
            |d| d.cared.push(member("H1", 1)),
            |d| d.holder = Some(member(" ", 0)),
        ];
        for (i, change) in cases.into_iter().enumerate() {
            let mut d = draft();
            change(&mut d);
            let r = d.validate(day(12, 7));
            assert!(
                matches!(&r, Err(e) if e.code == RefusalCode::InvalidInput),
                "case {i}: {r:?}"
            );
        }
    }

    #[test]
    fn the_ledger_row_matches_its_columns() {
        let d = draft();
        let row = ledger_row(
            1,
            &LedgerPost {
                number: "9",
                draft: &d,
                township: "蔡家崖乡",
                village: "圪塔上村",
                holder_name: "王五",
                holder_id: "141123********1234",
                cared: 1,
            },
        );
        assert_eq!(row.len(), LEDGER_COLUMNS.len());
        assert_eq!(row[6].to_text(), "光伏收益");
    }

    #[test]
    fn pv_posts_need_their_pay_others_may_leave_it() {
        let mut d = draft();
        d.monthly_pay = None;
        assert!(d.validate(day(12, 7)).is_err());
        d.funding = Funding::LinkageFund;
        assert_eq!(d.validate(day(12, 7)), Ok(()));
    }
}
