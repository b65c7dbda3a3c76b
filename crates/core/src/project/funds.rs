//! 资金拨付 (§四(二)2: "资金拨付序时完成"): payments of a filed project against its plan, in 分. A payment
//! names its fund source, date, amount and voucher (凭证号); the sum paid from a source never exceeds the
//! source's planned amount ([`check_payment`]), and [`Progress`] reports paid against planned.

use chrono::NaiveDate;

use super::{FundSource, MAX_TEXT, Plan, ProjectState, check_text};
use crate::codes::CodeList;
use crate::money::Fen;
use crate::monitoring::{Refusal, RefusalCode};

/// 拨付记录.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Payment {
    /// 资金来源.
    pub source: FundSource,
    /// 拨付日期.
    pub paid_on: NaiveDate,
    /// 拨付金额 (分).
    pub amount: Fen,
    /// 凭证号.
    pub voucher: String,
}

/// Checks a new payment of a project in `state` with `plan`, given the payments already made:
/// only a filed project (已入库备案) is paid; a positive amount; a voucher; a source of the plan; the
/// source's payments, this one included, within its planned amount (超计划拨付 is refused with the
/// figures).
pub fn check_payment(
    state: ProjectState,
    plan: &Plan,
    made: &[Payment],
    new: &Payment,
) -> Result<(), Refusal> {
    if state != ProjectState::Filed {
        return Err(Refusal::new(
            RefusalCode::WrongState,
            format!("项目{}，县备案后方可拨付资金", state.label_zh()),
            "Only a project filed by the county is paid",
        ));
    }
    if new.amount.0 <= 0 {
        return Err(Refusal::new(
            RefusalCode::InvalidInput,
            "拨付金额应大于0",
            "The amount must be above zero",
        ));
    }
    check_text(&new.voucher, true, MAX_TEXT, "凭证号", "Voucher")?;
    let Some(planned) = plan.get(&new.source).copied() else {
        return Err(Refusal::new(
            RefusalCode::InvalidInput,
            format!("项目计划中没有{}", new.source.label_zh()),
            format!("The plan has no {}", new.source.label_en()),
        ));
    };
    let paid: Fen = made
        .iter()
        .filter(|p| p.source == new.source)
        .map(|p| p.amount)
        .sum();
    let after = paid + new.amount;
    if after > planned {
        return Err(Refusal::new(
            RefusalCode::NotEligible,
            format!(
                "{}超计划拨付：计划{}元，已拨付{}元，本次{}元，最多还可拨付{}元",
                new.source.label_zh(),
                planned,
                paid,
                new.amount,
                planned - paid
            ),
            format!(
                "{} would exceed its plan: planned {planned}, paid {paid}, this {}, at most {} more",
                new.source.label_en(),
                new.amount,
                planned - paid
            ),
        ));
    }
    Ok(())
}

/// 拨付进度: planned against paid.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Progress {
    /// 计划投资.
    pub planned: Fen,
    /// 已拨付.
    pub paid: Fen,
}

impl Progress {
    /// Adds another progress (a project to a township's, a source to a total).
    pub fn add(&mut self, other: Progress) {
        self.planned += other.planned;
        self.paid += other.paid;
    }

    /// 未拨付.
    pub fn remaining(&self) -> Fen {
        self.planned - self.paid
    }

    /// 拨付进度 in per mille (0 for nothing planned), rounded down.
    pub fn per_mille(&self) -> i64 {
        if self.planned.0 <= 0 {
            return 0;
        }
        i64::try_from(i128::from(self.paid.0) * 1000 / i128::from(self.planned.0)).unwrap_or(0)
    }

    /// 拨付进度 as text (`37.5%`).
    pub fn percent_text(&self) -> String {
        let p = self.per_mille();
        format!("{}.{}%", p / 10, p % 10)
    }
}

/// The progress of each fund source of `plan` given `payments` (sources in list order).
pub fn by_source(plan: &Plan, payments: &[Payment]) -> Vec<(FundSource, Progress)> {
    plan.iter()
        .map(|(s, planned)| {
            let paid = payments
                .iter()
                .filter(|p| p.source == *s)
                .map(|p| p.amount)
                .sum();
            (
                *s,
                Progress {
                    planned: *planned,
                    paid,
                },
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn pay(source: FundSource, yuan: i64) -> Payment {
        Payment {
            source,
            paid_on: NaiveDate::from_ymd_opt(2026, 5, 1).unwrap(),
            amount: Fen::from_yuan(yuan),
            voucher: "记-0001".to_owned(),
        }
    }

    fn plan() -> Plan {
        Plan::from([
            (FundSource::Central, Fen::from_yuan(1000)),
            (FundSource::County, Fen::from_yuan(200)),
        ])
    }

    #[test]
    fn payments_within_the_plan() {
        let made = vec![pay(FundSource::Central, 600)];
        let f = ProjectState::Filed;
        assert_eq!(
            check_payment(f, &plan(), &made, &pay(FundSource::Central, 400)),
            Ok(())
        );
        let over = check_payment(f, &plan(), &made, &pay(FundSource::Central, 401)).unwrap_err();
        assert_eq!(over.code, RefusalCode::NotEligible);
        assert!(
            over.message_zh.contains("最多还可拨付400.00元"),
            "{}",
            over.message_zh
        );
        let other = check_payment(f, &plan(), &made, &pay(FundSource::City, 1)).unwrap_err();
        assert_eq!(other.code, RefusalCode::InvalidInput);
        let zero = check_payment(f, &plan(), &made, &pay(FundSource::County, 0)).unwrap_err();
        assert_eq!(zero.code, RefusalCode::InvalidInput);
        let mut no_voucher = pay(FundSource::County, 1);
        no_voucher.voucher = " ".to_owned();
        assert!(check_payment(f, &plan(), &made, &no_voucher).is_err());
        let early = check_payment(
            ProjectState::DepartmentApproved,
            &plan(),
            &[],
            &pay(FundSource::County, 1),
        )
        .unwrap_err();
        assert_eq!(early.code, RefusalCode::WrongState);
    }

    #[test]
    fn progress_figures() {
        let p = Progress {
            planned: Fen::from_yuan(1200),
            paid: Fen::from_yuan(450),
        };
        assert_eq!(p.per_mille(), 375);
        assert_eq!(p.percent_text(), "37.5%");
        assert_eq!(p.remaining(), Fen::from_yuan(750));
        assert_eq!(Progress::default().per_mille(), 0);
        let rows = by_source(&plan(), &[pay(FundSource::County, 50)]);
        assert_eq!(rows[1].1.paid, Fen::from_yuan(50));
        assert_eq!(rows[0].1.paid, Fen::ZERO);
    }

    proptest! {
        /// Whatever payments are tried, the accepted ones never sum above the plan of their source, and
        /// the progress by source reconciles with the total.
        #[test]
        fn accepted_payments_never_exceed_the_plan(tries in proptest::collection::vec(
            (proptest::sample::select(FundSource::ALL), -100i64..700), 0..30)) {
            let plan = plan();
            let mut made: Vec<Payment> = Vec::new();
            for (s, y) in tries {
                let p = pay(s, y);
                if check_payment(ProjectState::Filed, &plan, &made, &p).is_ok() {
                    made.push(p);
                }
            }
            let rows = by_source(&plan, &made);
            let mut total = Progress::default();
            for (s, r) in &rows {
                prop_assert!(r.paid <= plan[s]);
                prop_assert!(r.paid.0 >= 0);
                total.add(*r);
            }
            let paid: Fen = made.iter().map(|p| p.amount).sum();
            prop_assert_eq!(total.paid, paid);
            prop_assert_eq!(total.planned, super::super::plan_total(&plan));
        }
    }
}
