//! Distribution statistics of a generated demo county (for the CLI, the tests and benchmarks).

use std::fmt;

use shouwang_core::codes::{HealthStatus, HouseholdType, LabourSkill, MonitoredType, RegionLevel};
use shouwang_core::line::{self, DEFAULT_DROP_PCT, DEFAULT_NEAR_FACTOR_PCT, LineStatus, LineTable};
use shouwang_core::money::Fen;

use super::DemoCounty;

/// Counts and income distribution of a [`DemoCounty`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DemoStats {
    /// Townships 乡镇.
    pub townships: usize,
    /// Administrative villages 行政村 (without the settlement point).
    pub villages: usize,
    /// Settlement points 安置点.
    pub settlements: usize,
    /// Natural villages 自然村.
    pub natural_villages: usize,
    /// Households.
    pub households: usize,
    /// Members.
    pub members: usize,
    /// Households by size 1, 2, …, 7, 8 and more.
    pub sizes: [usize; 8],
    /// Registered 脱贫户 (including 脱贫不稳定户 and some 突发严重困难户).
    pub alleviated: usize,
    /// 监测户 (with a monitored type).
    pub monitored: usize,
    /// 监测户 by type: 脱贫不稳定户, 边缘易致贫户, 突发严重困难户.
    pub monitored_by_type: [usize; 3],
    /// Households in the settlement point (易地扶贫搬迁).
    pub relocated: usize,
    /// Households with a member on 低保.
    pub dibao_households: usize,
    /// Households with a member on 特困.
    pub tekun_households: usize,
    /// Members aged under 16 / 16–59 / 60 and over on the reference date.
    pub ages: [usize; 3],
    /// Members with 长期慢性病 / 患有大病 / 残疾.
    pub health: [usize; 3],
    /// Members by labour skill: 普通, 技能, 弱/半, 丧失, 无.
    pub labour: [usize; 5],
    /// Members without basic medical insurance.
    pub without_insurance: usize,
    /// Households below the 2021 line (6000).
    pub below_2021: usize,
    /// Households below the 2022 line (6500).
    pub below_2022: usize,
    /// Households near (below 150 % of) the 2022 line.
    pub near_2022: usize,
    /// Households whose per-capita income fell by 30 % or more from 2021 to 2022 (明显下降).
    pub clear_drop: usize,
    /// 10th, 50th and 90th percentile of per-capita net income in 2022.
    pub per_capita_2022: [Fen; 3],
    /// Median per-capita net income in 2021.
    pub median_2021: Fen,
    /// Mean per-capita net income in 2021 and 2022 (over households).
    pub mean_per_capita: [Fen; 2],
}

impl DemoCounty {
    /// Counts and income distribution (lines: the plan's defaults for Shanxi, 2021 6000, 2022 6500).
    /// `2021` and `2022` name the frame's two income years ([`super::DemoFrame::income_years`]): the
    /// amounts are the same in every frame, and so are these figures.
    pub fn stats(&self) -> DemoStats {
        let mut s = DemoStats::default();
        for r in &self.regions {
            match r.level {
                RegionLevel::Township => s.townships += 1,
                RegionLevel::Village => s.villages += 1,
                RegionLevel::Settlement => s.settlements += 1,
                RegionLevel::NaturalVillage => s.natural_villages += 1,
                RegionLevel::County => {}
            }
        }
        let lines = LineTable::default_for("14");
        let line_2021 = lines.line("14", 2021).unwrap_or(Fen::from_yuan(6000));
        let line_2022 = lines.line("14", 2022).unwrap_or(Fen::from_yuan(6500));
        let mut pc_2021 = Vec::with_capacity(self.households.len());
        let mut pc_2022 = Vec::with_capacity(self.households.len());
        for dh in &self.households {
            let h = &dh.household;
            s.households += 1;
            s.members += h.members.len();
            if let Some(slot) = s.sizes.get_mut(h.members.len().clamp(1, 8) - 1) {
                *slot += 1;
            }
            if h.household_type == HouseholdType::Alleviated {
                s.alleviated += 1;
            }
            if let Some(t) = h.monitored_type {
                s.monitored += 1;
                let i = match t {
                    MonitoredType::Unstable => 0,
                    MonitoredType::Marginal => 1,
                    MonitoredType::SuddenHardship => 2,
                };
                s.monitored_by_type[i] += 1;
            }
            s.relocated += usize::from(h.is_relocated);
            s.dibao_households += usize::from(h.members.iter().any(|m| m.dibao.is_receiving()));
            s.tekun_households += usize::from(h.members.iter().any(|m| m.tekun.is_receiving()));
            for m in &h.members {
                let age = m.age_on(self.as_of);
                s.ages[usize::from(age >= 16) + usize::from(age >= 60)] += 1;
                s.health[0] += usize::from(m.health.contains(&HealthStatus::Chronic));
                s.health[1] += usize::from(m.health.contains(&HealthStatus::SeriousIllness));
                s.health[2] += usize::from(m.health.contains(&HealthStatus::Disabled));
                s.labour[match m.labour {
                    LabourSkill::Ordinary => 0,
                    LabourSkill::Skilled => 1,
                    LabourSkill::Weak => 2,
                    LabourSkill::Lost => 3,
                    LabourSkill::None => 4,
                }] += 1;
                s.without_insurance += usize::from(!m.has_medical_insurance);
            }
            let [y21, y22] = self.frame.income_years();
            let r21 = dh.incomes.iter().find(|r| r.year == y21);
            let r22 = dh.incomes.iter().find(|r| r.year == y22);
            if let Some(r) = r21 {
                s.below_2021 += usize::from(
                    line::assess(
                        r.net_income(),
                        r.members,
                        line_2021,
                        DEFAULT_NEAR_FACTOR_PCT,
                    ) == LineStatus::Below,
                );
                pc_2021.push(r.per_capita());
            }
            if let Some(r) = r22 {
                match line::assess(
                    r.net_income(),
                    r.members,
                    line_2022,
                    DEFAULT_NEAR_FACTOR_PCT,
                ) {
                    LineStatus::Below => s.below_2022 += 1,
                    LineStatus::Near => s.near_2022 += 1,
                    LineStatus::Above => {}
                }
                pc_2022.push(r.per_capita());
            }
            if let (Some(a), Some(b)) = (r21, r22) {
                s.clear_drop += usize::from(line::clear_drop(
                    a.per_capita(),
                    b.per_capita(),
                    DEFAULT_DROP_PCT,
                ));
            }
        }
        s.mean_per_capita = [mean(&pc_2021), mean(&pc_2022)];
        pc_2021.sort_unstable();
        pc_2022.sort_unstable();
        s.median_2021 = percentile(&pc_2021, 50);
        s.per_capita_2022 = [
            percentile(&pc_2022, 10),
            percentile(&pc_2022, 50),
            percentile(&pc_2022, 90),
        ];
        s
    }
}

fn mean(xs: &[Fen]) -> Fen {
    if xs.is_empty() {
        return Fen::default();
    }
    let total: i64 = xs.iter().map(|f| f.0).sum();
    Fen(total).div_round(xs.len() as i64)
}

fn percentile(sorted: &[Fen], pct: usize) -> Fen {
    if sorted.is_empty() {
        return Fen::default();
    }
    let i = (sorted.len() - 1) * pct / 100;
    sorted.get(i).copied().unwrap_or_default()
}

fn pct(n: usize, of: usize) -> f64 {
    if of == 0 {
        0.0
    } else {
        100.0 * n as f64 / of as f64
    }
}

impl fmt::Display for DemoStats {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let h = self.households;
        let m = self.members;
        writeln!(
            f,
            "regions: {} townships, {} villages, {} settlement point(s), {} natural villages",
            self.townships, self.villages, self.settlements, self.natural_villages
        )?;
        writeln!(
            f,
            "households: {h}, members: {m} (mean size {:.2}); sizes 1..7,8+: {:?}",
            if h == 0 { 0.0 } else { m as f64 / h as f64 },
            self.sizes
        )?;
        writeln!(
            f,
            "脱贫户 {:.1} %, 监测户 {:.1} % (不稳定/边缘/突发 {:?}), relocated {:.1} %, 低保 {:.1} %, 特困 {:.1} %",
            pct(self.alleviated, h),
            pct(self.monitored, h),
            self.monitored_by_type,
            pct(self.relocated, h),
            pct(self.dibao_households, h),
            pct(self.tekun_households, h)
        )?;
        writeln!(
            f,
            "members: <16 {:.1} %, 16-59 {:.1} %, 60+ {:.1} %; chronic {:.1} %, serious {:.1} %, disabled {:.1} %; without insurance {}",
            pct(self.ages[0], m),
            pct(self.ages[1], m),
            pct(self.ages[2], m),
            pct(self.health[0], m),
            pct(self.health[1], m),
            pct(self.health[2], m),
            self.without_insurance
        )?;
        writeln!(
            f,
            "labour: 普通 {:.1} %, 技能 {:.1} %, 弱/半 {:.1} %, 丧失 {:.1} %, 无 {:.1} %",
            pct(self.labour[0], m),
            pct(self.labour[1], m),
            pct(self.labour[2], m),
            pct(self.labour[3], m),
            pct(self.labour[4], m)
        )?;
        writeln!(
            f,
            "per capita 2022: p10 {}, median {}, p90 {}, mean {}; 2021 median {}, mean {}",
            self.per_capita_2022[0],
            self.per_capita_2022[1],
            self.per_capita_2022[2],
            self.mean_per_capita[1],
            self.median_2021,
            self.mean_per_capita[0]
        )?;
        write!(
            f,
            "below line 2021 {:.2} %, 2022 {:.2} %; near 2022 {:.2} %; clear drop 2021→2022 {:.2} %",
            pct(self.below_2021, h),
            pct(self.below_2022, h),
            pct(self.near_2022, h),
            pct(self.clear_drop, h)
        )
    }
}
