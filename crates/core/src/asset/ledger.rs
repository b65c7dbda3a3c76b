//! 扶贫项目资产台账 and 资产管护台账 (§四(二)3): the columns of the two ledgers and their rows, one per asset
//! ([`asset_row`]) and one per upkeep or repair record ([`upkeep_row`]).

use chrono::NaiveDate;

use super::{DisposalState, Draft, Upkeep};
use crate::codes::CodeList;
use crate::ledger::{Column, ColumnKind, Value, col};
use crate::money::Fen;

use ColumnKind::{Date, Digits, Money, Number, Text};

/// 扶贫项目资产台账.
pub const ASSET_COLUMNS: &[Column] = &[
    col("序号", 6.0, Number),
    col("资产编号", 20.0, Digits),
    col("资产名称", 30.0, Text),
    col("资产类型", 14.0, Text),
    col("乡（镇）", 14.0, Text),
    col("行政村", 14.0, Text),
    col("坐落位置", 20.0, Text),
    col("产权归属", 12.0, Text),
    col("所有权人", 20.0, Text),
    col("户编号", 20.0, Digits),
    col("来源项目编号", 20.0, Digits),
    col("形成年度", 10.0, Number),
    col("资产原值（元）", 16.0, Money),
    col("资产状态", 10.0, Text),
    col("处置状态", 12.0, Text),
    col("管护责任人", 12.0, Text),
    col("联系电话", 16.0, Digits),
    col("管护周期（月）", 10.0, Number),
    col("最近管护日期", 12.0, Date),
    col("管护费用合计（元）", 16.0, Money),
];

/// 资产管护台账.
pub const UPKEEP_COLUMNS: &[Column] = &[
    col("序号", 6.0, Number),
    col("资产编号", 20.0, Digits),
    col("资产名称", 30.0, Text),
    col("乡（镇）", 14.0, Text),
    col("行政村", 14.0, Text),
    col("管护责任人", 12.0, Text),
    col("管护类别", 10.0, Text),
    col("管护日期", 12.0, Date),
    col("管护内容", 36.0, Text),
    col("费用（元）", 14.0, Money),
    col("实施人", 12.0, Text),
];

/// An asset as the ledgers see it.
#[derive(Clone, Copy, Debug)]
pub struct LedgerAsset<'a> {
    /// 资产编号.
    pub number: &'a str,
    /// The registration (the phone as the reader may see it).
    pub draft: &'a Draft,
    /// 处置状态.
    pub disposal: Option<DisposalState>,
    /// 乡（镇） name.
    pub township: &'a str,
    /// 行政村 name.
    pub village: &'a str,
    /// Its upkeep records.
    pub upkeeps: &'a [Upkeep],
}

fn text(s: &str) -> Value {
    Value::Text(s.to_owned())
}

fn money(f: Fen) -> Value {
    Value::Text(f.to_string())
}

fn date(d: Option<NaiveDate>) -> Value {
    d.map_or(Value::Empty, |d| Value::Text(d.to_string()))
}

/// The 扶贫项目资产台账 row of an asset (序号 `seq`).
pub fn asset_row(seq: usize, a: &LedgerAsset<'_>) -> Vec<Value> {
    let d = a.draft;
    vec![
        Value::Number(seq as f64),
        text(a.number),
        text(&d.name),
        text(d.kind.label_zh()),
        text(a.township),
        text(a.village),
        text(&d.place),
        text(d.owner_kind.label_zh()),
        text(&d.owner_name),
        text(d.household.as_deref().unwrap_or_default()),
        d.project
            .map_or(Value::Empty, |p| Value::Text(p.to_string())),
        Value::Number(f64::from(d.year)),
        money(d.value),
        text(d.state.label_zh()),
        text(a.disposal.map(|s| s.label_zh()).unwrap_or_default()),
        text(&d.keeper_name),
        text(d.keeper_phone.as_deref().unwrap_or_default()),
        d.upkeep_months
            .map_or(Value::Empty, |m| Value::Number(f64::from(m))),
        date(a.upkeeps.iter().map(|u| u.on).max()),
        money(a.upkeeps.iter().map(|u| u.cost).sum()),
    ]
}

/// The 资产管护台账 row of an upkeep record of `a` (序号 `seq`).
pub fn upkeep_row(seq: usize, a: &LedgerAsset<'_>, u: &Upkeep) -> Vec<Value> {
    vec![
        Value::Number(seq as f64),
        text(a.number),
        text(&a.draft.name),
        text(a.township),
        text(a.village),
        text(&a.draft.keeper_name),
        text(u.kind.label_zh()),
        date(Some(u.on)),
        text(&u.content),
        money(u.cost),
        text(&u.done_by),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::asset::UpkeepKind;
    use crate::asset::tests::draft;

    #[test]
    fn rows_match_their_columns() {
        let d = draft();
        let u = Upkeep {
            kind: UpkeepKind::Repair,
            on: NaiveDate::from_ymd_opt(2026, 5, 1).unwrap(),
            cost: Fen::from_yuan(1200),
            content: "更换逆变器".to_owned(),
            done_by: "王建国".to_owned(),
        };
        let a = LedgerAsset {
            number: "1",
            draft: &d,
            disposal: Some(DisposalState::Proposed),
            township: "圪塔上乡",
            village: "圪塔上村",
            upkeeps: std::slice::from_ref(&u),
        };
        let row = asset_row(1, &a);
        assert_eq!(row.len(), ASSET_COLUMNS.len());
        assert_eq!(row[19].to_text(), "1200.00");
        assert_eq!(row[14].to_text(), "待乡审核");
        assert_eq!(upkeep_row(1, &a, &u).len(), UPKEEP_COLUMNS.len());
    }
}
