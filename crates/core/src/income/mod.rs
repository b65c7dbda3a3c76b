//! Household income 家庭收入 (national practice, §三(一)1 "重点核查家庭收支变化").
//!
//! 家庭纯收入 = 工资性收入 + 生产经营性收入 + 财产性收入 + 转移性收入 − 生产经营性支出;
//! 人均纯收入 = 家庭纯收入 ÷ 家庭人口 (rounded half away from zero to the fen).
//! The income period is the 12 months before identification starts. Rigid
//! expenditure 刚性支出 (compliant out-of-pocket medical, education, disability
//! rehabilitation, disaster or accident) and insurance payouts 理赔收入 give the
//! "income after rigid expenditure" that decides 突发严重困难户.

use crate::money::Fen;

pub mod assessment;
pub mod source;

pub use assessment::{Thresholds, YearAssessment, assess, assess_all};
pub use source::{IncomeSource, NOT_COUNTED_REASON};

/// One year's income record of a household, in 分.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IncomeRecord {
    /// The year of the income period.
    pub year: i32,
    /// 工资性收入 (务工, 公益岗 …).
    pub wage: Fen,
    /// 生产经营性收入 (种植, 养殖, 林果 …).
    pub business: Fen,
    /// 财产性收入 (资产收益分红, 土地流转 …).
    pub property: Fen,
    /// 转移性收入 (低保金, 特困供养金, 养老金, 生态补偿, 各类补贴 …), without
    /// insurance payouts, which are [`IncomeRecord::insurance_payout`].
    pub transfer: Fen,
    /// 生产经营性支出.
    pub production_cost: Fen,
    /// 刚性支出: 合规自付医疗费用.
    pub rigid_medical: Fen,
    /// 刚性支出: 教育.
    pub rigid_education: Fen,
    /// 刚性支出: 残疾康复.
    pub rigid_disability: Fen,
    /// 刚性支出: 因灾因事故.
    pub rigid_disaster: Fen,
    /// 理赔收入 (防贫保险赔付 and other insurance payouts).
    pub insurance_payout: Fen,
    /// 家庭人口 counted for the income (by registration, adjusted for residence).
    pub members: u32,
}

impl IncomeRecord {
    /// The ten amounts with their Chinese and English names, in the order of the registry's 收支情况
    /// columns: the four incomes, 生产经营性支出, the four 刚性支出, 理赔收入.
    pub fn amounts(&self) -> [(Fen, &'static str, &'static str); 10] {
        [
            (self.wage, "工资性收入", "wage income"),
            (self.business, "生产经营性收入", "business income"),
            (self.property, "财产性收入", "property income"),
            (self.transfer, "转移性收入", "transfer income"),
            (self.production_cost, "生产经营性支出", "production cost"),
            (
                self.rigid_medical,
                "合规自付医疗支出",
                "medical expenditure",
            ),
            (self.rigid_education, "教育支出", "education expenditure"),
            (
                self.rigid_disability,
                "残疾康复支出",
                "disability expenditure",
            ),
            (
                self.rigid_disaster,
                "因灾因事故支出",
                "disaster expenditure",
            ),
            (self.insurance_payout, "理赔收入", "insurance payout"),
        ]
    }

    /// 家庭纯收入: wage + business + property + transfer − production cost.
    pub fn net_income(&self) -> Fen {
        self.wage + self.business + self.property + self.transfer - self.production_cost
    }

    /// 人均纯收入: net income ÷ members, half away from zero; zero when there are no members.
    pub fn per_capita(&self) -> Fen {
        self.net_income().div_round(i64::from(self.members))
    }

    /// Total rigid expenditure 刚性支出.
    pub fn rigid_total(&self) -> Fen {
        self.rigid_medical + self.rigid_education + self.rigid_disability + self.rigid_disaster
    }

    /// Income after rigid expenditure: net income − rigid expenditure + insurance payouts.
    pub fn after_rigid(&self) -> Fen {
        self.net_income() - self.rigid_total() + self.insurance_payout
    }

    /// [`IncomeRecord::after_rigid`] per member (half away from zero; zero without members).
    pub fn per_capita_after_rigid(&self) -> Fen {
        self.after_rigid().div_round(i64::from(self.members))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec() -> IncomeRecord {
        IncomeRecord {
            year: 2022,
            wage: Fen::from_yuan(10_000),
            business: Fen::from_yuan(5_000),
            property: Fen::from_yuan(500),
            transfer: Fen::from_yuan(3_000),
            production_cost: Fen::from_yuan(2_000),
            rigid_medical: Fen::from_yuan(4_000),
            rigid_education: Fen::from_yuan(1_000),
            rigid_disability: Fen(0),
            rigid_disaster: Fen::from_yuan(500),
            insurance_payout: Fen::from_yuan(2_000),
            members: 3,
        }
    }

    #[test]
    fn formulas() {
        let r = rec();
        assert_eq!(r.net_income(), Fen::from_yuan(16_500));
        assert_eq!(r.per_capita(), Fen::from_yuan(5_500));
        assert_eq!(r.rigid_total(), Fen::from_yuan(5_500));
        assert_eq!(r.after_rigid(), Fen::from_yuan(13_000));
        assert_eq!(r.per_capita_after_rigid(), Fen(433_333));
    }

    #[test]
    fn per_capita_rounds_half_away_from_zero() {
        let mut r = IncomeRecord {
            members: 2,
            wage: Fen(1_299_999),
            ..IncomeRecord::default()
        };
        assert_eq!(r.per_capita(), Fen(650_000));
        r.production_cost = Fen(2_600_000); // net −13 000.01 yuan
        assert_eq!(r.net_income(), Fen(-1_300_001));
        assert_eq!(r.per_capita(), Fen(-650_001));
        r.members = 0;
        assert_eq!(r.per_capita(), Fen(0));
        assert_eq!(r.per_capita_after_rigid(), Fen(0));
    }
}
