//! 项目库台账 and 资金拨付进度台账 (§四(二)1–2): the columns of the two ledgers and their rows, one per
//! project ([`project_row`]) and one per project and fund source ([`funds_rows`]).

use chrono::NaiveDate;

use super::funds::{Payment, by_source};
use super::{Draft, FundSource, ProjectState, Step, StepRecord};
use crate::codes::CodeList;
use crate::ledger::{Column, ColumnKind, DateRange, Value, col};
use crate::money::Fen;

use ColumnKind::{Date, Digits, Money, Number, Text};

/// 项目库台账.
pub const PROJECT_COLUMNS: &[Column] = &[
    col("序号", 6.0, Number),
    col("项目编号", 20.0, Digits),
    col("项目名称", 30.0, Text),
    col("项目类型", 14.0, Text),
    col("乡（镇）", 14.0, Text),
    col("行政村", 14.0, Text),
    col("建设地点", 20.0, Text),
    col("建设内容及规模", 36.0, Text),
    col("实施年度", 12.0, Text),
    col("计划总投资（元）", 16.0, Money),
    col("中央衔接资金（元）", 16.0, Money),
    col("省级衔接资金（元）", 16.0, Money),
    col("市级衔接资金（元）", 16.0, Money),
    col("县级衔接资金（元）", 16.0, Money),
    col("统筹整合资金（元）", 16.0, Money),
    col("其他资金（元）", 16.0, Money),
    col("受益户数", 10.0, Number),
    col("项目状态", 14.0, Text),
    col("村申报日期", 12.0, Date),
    col("乡审核日期", 12.0, Date),
    col("行业部门论证日期", 12.0, Date),
    col("县备案日期", 12.0, Date),
    col("已拨付（元）", 16.0, Money),
];

/// 资金拨付进度台账.
pub const FUNDS_COLUMNS: &[Column] = &[
    col("序号", 6.0, Number),
    col("项目编号", 20.0, Digits),
    col("项目名称", 30.0, Text),
    col("乡（镇）", 14.0, Text),
    col("行政村", 14.0, Text),
    col("资金来源", 16.0, Text),
    col("计划投资（元）", 16.0, Money),
    col("已拨付（元）", 16.0, Money),
    col("未拨付（元）", 16.0, Money),
    col("拨付进度", 10.0, Text),
    col("拨付笔数", 10.0, Number),
    col("最近拨付日期", 12.0, Date),
];

/// A project as the ledgers see it.
#[derive(Clone, Copy, Debug)]
pub struct LedgerProject<'a> {
    /// 项目编号.
    pub number: &'a str,
    /// The application.
    pub draft: &'a Draft,
    /// Its state.
    pub state: ProjectState,
    /// 乡（镇） name.
    pub township: &'a str,
    /// 行政村 name.
    pub village: &'a str,
    /// Its steps, in order.
    pub steps: &'a [StepRecord],
    /// Its payments.
    pub payments: &'a [Payment],
}

fn money(f: Fen) -> Value {
    Value::Text(f.to_string())
}

fn text(s: &str) -> Value {
    Value::Text(s.to_owned())
}

fn date(d: Option<NaiveDate>) -> Value {
    d.map_or(Value::Empty, |d| Value::Text(d.to_string()))
}

impl LedgerProject<'_> {
    /// The date of the last approving `step` (the latest application for 村申报).
    pub fn step_on(&self, step: Step) -> Option<NaiveDate> {
        self.steps
            .iter()
            .rev()
            .find(|s| s.step == step && s.decision == super::Decision::Approve)
            .map(|s| s.on)
    }

    fn head(&self, seq: usize) -> Vec<Value> {
        vec![
            Value::Number(seq as f64),
            text(self.number),
            text(&self.draft.name),
        ]
    }
}

/// The 项目库台账 row of a project (序号 `seq`).
pub fn project_row(seq: usize, p: &LedgerProject<'_>) -> Vec<Value> {
    let d = p.draft;
    let years = if d.year_from == d.year_to {
        d.year_from.to_string()
    } else {
        format!("{}—{}", d.year_from, d.year_to)
    };
    let mut row = p.head(seq);
    row.extend([
        text(d.kind.label_zh()),
        text(p.township),
        text(p.village),
        text(&d.place),
        text(&d.content),
        text(&years),
        money(d.total()),
    ]);
    row.extend(
        FundSource::ALL
            .iter()
            .map(|s| d.plan.get(s).map_or(Value::Empty, |a| money(*a))),
    );
    row.extend([
        Value::Number(d.households.len() as f64),
        text(p.state.label_zh()),
    ]);
    row.extend(Step::ALL.iter().map(|s| date(p.step_on(*s))));
    row.push(money(p.payments.iter().map(|x| x.amount).sum()));
    row
}

/// The 资金拨付进度台账 rows of a project: one per fund source of its plan, counting the payments dated in
/// `range` (序号 from `first_seq`).
pub fn funds_rows(first_seq: usize, p: &LedgerProject<'_>, range: &DateRange) -> Vec<Vec<Value>> {
    let paid: Vec<Payment> = p
        .payments
        .iter()
        .filter(|x| range.contains(x.paid_on))
        .cloned()
        .collect();
    by_source(&p.draft.plan, &paid)
        .into_iter()
        .enumerate()
        .map(|(i, (source, progress))| {
            let mine = paid.iter().filter(|x| x.source == source);
            let mut row = p.head(first_seq + i);
            row.extend([
                text(p.township),
                text(p.village),
                text(source.label_zh()),
                money(progress.planned),
                money(progress.paid),
                money(progress.remaining()),
                text(&progress.percent_text()),
                Value::Number(mine.clone().count() as f64),
                date(mine.map(|x| x.paid_on).max()),
            ]);
            row
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::project::Decision;

    #[test]
    fn rows_have_their_columns() {
        let draft = crate::project::tests::draft();
        let steps = vec![StepRecord {
            step: Step::Apply,
            decision: Decision::Approve,
            on: NaiveDate::from_ymd_opt(2026, 3, 1).unwrap(),
            opinion: String::new(),
            attachments: Vec::new(),
        }];
        let payments = vec![Payment {
            source: FundSource::Central,
            paid_on: NaiveDate::from_ymd_opt(2026, 6, 1).unwrap(),
            amount: Fen::from_yuan(125_000),
            voucher: "记-1".to_owned(),
        }];
        let p = LedgerProject {
            number: "P1",
            draft: &draft,
            state: ProjectState::Filed,
            township: "圪塔上乡",
            village: "圪塔上村",
            steps: &steps,
            payments: &payments,
        };
        let row = project_row(1, &p);
        assert_eq!(row.len(), PROJECT_COLUMNS.len());
        assert_eq!(row[9].to_text(), "600000.00");
        assert_eq!(row[18].to_text(), "2026-03-01");
        assert_eq!(row[22].to_text(), "125000.00");
        let rows = funds_rows(1, &p, &DateRange::default());
        assert_eq!(rows.len(), 2);
        assert!(rows.iter().all(|r| r.len() == FUNDS_COLUMNS.len()));
        assert_eq!(rows[0][9].to_text(), "25.0%");
        assert_eq!(rows[1][7].to_text(), "0.00");
        let none = DateRange {
            from: NaiveDate::from_ymd_opt(2026, 7, 1),
            to: None,
        };
        assert_eq!(funds_rows(1, &p, &none)[0][7].to_text(), "0.00");
    }
}
