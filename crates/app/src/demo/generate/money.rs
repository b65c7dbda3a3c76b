//! 风险与收入: a household's risk types and its income records by year.

use super::*;

/// 1–3 risk types consistent with the members (因病 only with an ill member, 缺劳动力 only when at
/// most a quarter are full labourers, 因务工就业不稳 only with someone able to work …).
pub(super) fn risks(
    g: &mut Gen,
    t: MonitoredType,
    members: &[Member],
    infos: &[Info],
) -> Vec<RiskType> {
    let ill = members.iter().any(|m| {
        m.health.contains(&HealthStatus::Chronic)
            || m.health.contains(&HealthStatus::SeriousIllness)
    });
    let disabled = members
        .iter()
        .any(|m| m.health.contains(&HealthStatus::Disabled));
    let full = members.iter().filter(|m| m.labour.is_full_labour()).count();
    let can_work = members.iter().any(|m| m.labour.can_work());
    let student = infos.iter().any(|i| {
        i.school
            .is_some_and(|s| s.is_enrolled() && !s.is_compulsory() && s != SchoolStatus::Preschool)
    });
    let sudden = t == MonitoredType::SuddenHardship;
    let disaster = g.pick(
        &[
            RiskType::DisasterDrought,
            RiskType::DisasterFlood,
            RiskType::DisasterGeological,
            RiskType::DisasterMeteorological,
        ],
        RiskType::DisasterDrought,
    );
    let candidates: [(RiskType, bool, u32); 11] = [
        (RiskType::Illness, ill, if sudden { 60 } else { 40 }),
        (RiskType::Disability, disabled, 20),
        (RiskType::LackOfLabour, full * 4 <= members.len(), 15),
        (RiskType::Schooling, student, 10),
        (
            RiskType::UnstableEmployment,
            can_work,
            if sudden { 4 } else { 12 },
        ),
        (RiskType::Accident, true, if sudden { 15 } else { 3 }),
        (disaster, true, if sudden { 12 } else { 3 }),
        (RiskType::IndustryFailure, can_work, 3),
        (RiskType::Housing, true, 1),
        (RiskType::Water, true, 1),
        (RiskType::Other, true, 2),
    ];
    let k = match g.weighted(&[55, 35, 10]) {
        0 => 1,
        1 => 2,
        _ => 3,
    };
    let mut weights: Vec<u32> = candidates
        .iter()
        .map(|c| if c.1 { c.2 } else { 0 })
        .collect();
    let mut out = Vec::with_capacity(k);
    for _ in 0..k {
        if weights.iter().all(|&w| w == 0) {
            break;
        }
        let i = g.weighted(&weights);
        if let (Some(c), Some(w)) = (candidates.get(i), weights.get_mut(i)) {
            out.push(c.0);
            *w = 0;
        }
    }
    if out.is_empty() {
        out.push(RiskType::Other);
    }
    out
}

/// Yuan (f64) to fen, rounded to whole yuan.
pub(super) fn yuan(x: f64) -> Fen {
    Fen::from_yuan(x.max(0.0).round() as i64)
}

/// Income records of the year before the registry year and of the registry year (家庭收支), in this
/// order. Here `2022` and `2021` name them as in the classic frame ([`super::DemoFrame::CLASSIC`]).
///
/// The 2022 figures come from the members (wage per labourer, farming, pensions, 低保 …); 2021 is
/// 2022 deflated by a household growth factor (≈ +10 %), except in households hit by a shock in
/// 2022 (lost job, new serious illness, disaster), whose 2021 income was clearly higher.
pub(super) fn incomes(
    g: &mut Gen,
    kind: Kind,
    relocated: bool,
    members: &mut [Member],
    infos: &[Info],
    risks: &[RiskType],
) -> Vec<IncomeRecord> {
    let monitored = matches!(kind, Kind::Monitored(_));
    let supported = kind.is_alleviated_or_monitored();

    // Wages per member (2022, before any shock).
    let mut wages: Vec<f64> = Vec::with_capacity(members.len());
    for (m, i) in members.iter().zip(infos) {
        let in_school = i.school.is_some_and(|s| s.is_enrolled());
        let w = match m.labour {
            LabourSkill::Ordinary | LabourSkill::Skilled if i.age < 60 && !in_school => {
                let skilled = m.labour == LabourSkill::Skilled;
                let mut p: f64 = if skilled { 0.95 } else { 0.88 };
                if monitored {
                    p *= 0.8;
                }
                if relocated {
                    p = (p * 1.12).min(0.97);
                }
                let median =
                    if skilled { 32_000.0 } else { 22_000.0 } * if monitored { 0.7 } else { 1.0 };
                if g.chance(p) {
                    g.lognormal(median, 0.45)
                } else if g.chance(0.7) {
                    // Odd jobs near home (零工).
                    g.lognormal(7_000.0, 0.4)
                } else {
                    0.0
                }
            }
            // Older labourers: casual work now and then.
            LabourSkill::Ordinary if !in_school && g.chance(0.45) => g.lognormal(12_000.0, 0.5),
            LabourSkill::Weak if i.age < 70 => {
                if supported && g.chance(0.55) {
                    // 公益岗位: 500–800 yuan a month.
                    g.uniform(6_000.0, 9_600.0)
                } else if g.chance(0.35) {
                    g.lognormal(6_000.0, 0.5)
                } else {
                    0.0
                }
            }
            _ => 0.0,
        };
        wages.push(w);
    }

    // Farming and livestock (生产经营), with production costs.
    let able = members.iter().filter(|m| m.labour.can_work()).count();
    let (mut business, mut cost) = (0.0, 0.0);
    if able > 0 {
        if g.chance(if relocated { 0.15 } else { 0.72 }) {
            let gross = g.lognormal(4_500.0, 0.7) * (0.6 + 0.4 * able.min(3) as f64);
            business += gross;
            cost += gross * g.uniform(0.30, 0.50);
        }
        if g.chance(if relocated { 0.03 } else { 0.15 }) {
            let gross = g.lognormal(15_000.0, 0.8);
            business += gross;
            cost += gross * g.uniform(0.55, 0.75);
        }
    }

    // Property income: PV dividends (资产收益分红) for supported households, land transfer.
    let mut property = 0.0;
    if supported && g.chance(0.85) {
        property += g.uniform(400.0, 1_500.0);
    }
    if !relocated && g.chance(0.12) {
        property += g.uniform(300.0, 3_000.0);
    }

    // Transfers.
    let mut transfer = 0.0;
    for (m, i) in members.iter().zip(infos) {
        if i.age >= 60 {
            transfer += g.uniform(1_500.0, 2_100.0) + if i.age >= 80 { 600.0 } else { 0.0 };
        }
        if m.dibao.is_receiving() {
            transfer += g.uniform(3_600.0, 5_200.0);
        }
        if m.tekun.is_receiving() {
            transfer += g.uniform(8_500.0, 10_000.0);
        }
        match m.disability_grade {
            Some(1 | 2) => transfer += g.uniform(1_200.0, 1_800.0),
            Some(_) if supported || m.dibao.is_receiving() || g.chance(0.3) => {
                transfer += g.uniform(600.0, 1_200.0)
            }
            _ => {}
        }
        if supported
            && i.school
                .is_some_and(|s| s.is_enrolled() && s != SchoolStatus::Preschool)
        {
            transfer += g.uniform(800.0, 2_500.0);
        }
    }
    if g.chance(if relocated { 0.5 } else { 0.85 }) {
        transfer += g.uniform(150.0, 1_200.0); // 耕地地力补贴
    }
    if g.chance(0.3) {
        transfer += g.uniform(300.0, 2_500.0); // 生态补偿 / 退耕还林
    }
    // 赡养费: support from children living elsewhere, for old people without a working-age member.
    let elderly = infos.iter().filter(|i| i.age >= 60).count();
    if elderly > 0 && infos.iter().all(|i| i.age >= 60 || i.age < 16) && g.chance(0.9) {
        transfer += elderly as f64 * g.lognormal(5_000.0, 0.35);
    }

    // Rigid expenditure (刚性支出) and insurance payouts (理赔收入).
    let mut medical = 0.0;
    let mut education = 0.0;
    let mut disability = 0.0;
    for (m, i) in members.iter().zip(infos) {
        if m.health.contains(&HealthStatus::SeriousIllness) {
            medical += g.lognormal(9_000.0, 0.7);
        }
        if m.health.contains(&HealthStatus::Chronic) && g.chance(0.4) {
            medical += g.uniform(300.0, 2_500.0);
        }
        if m.disability_grade.is_some() && g.chance(0.35) {
            disability += g.uniform(500.0, 3_000.0);
        }
        use SchoolStatus as S;
        match i.school {
            Some(
                S::HighSchool1
                | S::HighSchool2
                | S::HighSchool3
                | S::Vocational1
                | S::Vocational2
                | S::Vocational3,
            ) => education += g.uniform(2_000.0, 6_000.0),
            Some(
                S::HigherVocational1
                | S::HigherVocational2
                | S::HigherVocational3
                | S::TechnicianCollege
                | S::Undergraduate
                | S::Postgraduate,
            ) => education += g.uniform(6_000.0, 15_000.0),
            _ => {}
        }
    }
    let hit_by_disaster = risks.iter().any(|r| r.is_disaster());
    let disaster = if hit_by_disaster {
        g.uniform(3_000.0, 20_000.0)
    } else if g.chance(0.005) {
        g.uniform(1_000.0, 8_000.0)
    } else {
        0.0
    };
    if risks.contains(&RiskType::Accident) {
        medical += g.lognormal(15_000.0, 0.6);
    }
    let payout_p = match kind {
        Kind::Monitored(_) => 0.7,
        Kind::Alleviated => 0.3,
        Kind::Ordinary => 0.05,
    };
    let payout = if medical > 5_000.0 && g.chance(payout_p) {
        (medical - 3_000.0) * g.uniform(0.3, 0.6)
    } else {
        0.0
    };

    // The shock of 2022: which income was clearly higher in 2021.
    let shock_p = match kind {
        Kind::Monitored(MonitoredType::SuddenHardship) => 0.75,
        Kind::Monitored(_) if risks.contains(&RiskType::UnstableEmployment) => 0.7,
        Kind::Monitored(_) => 0.25,
        _ => 0.025,
    };
    let shocked = g.chance(shock_p);
    let growth = g.uniform(1.06, 1.24);
    let mut wages_2021: Vec<f64> = wages.iter().map(|w| w / growth).collect();
    let mut business_2021 = business / growth;
    let mut cost_2021 = cost / growth;
    if shocked {
        // A worker who lost (most of) the job, or fell ill, in 2022.
        let candidates: Vec<usize> = members
            .iter()
            .enumerate()
            .filter(|(_, m)| m.labour.can_work() || m.labour == LabourSkill::Lost)
            .filter(|(i, _)| infos.get(*i).is_some_and(|x| x.age >= 18 && x.age < 65))
            .map(|(i, _)| i)
            .collect();
        if !candidates.is_empty() && !hit_by_disaster {
            let k = g.pick(&candidates, 0);
            let full = g.lognormal(26_000.0, 0.4);
            if let (Some(w21), Some(w22)) = (wages_2021.get_mut(k), wages.get_mut(k)) {
                *w21 = w21.max(full / growth);
                *w22 = *w21 * growth * g.uniform(0.0, 0.3);
            }
        } else {
            // Harvest or livestock lost in 2022.
            let normal = if business > 0.0 {
                business
            } else {
                g.lognormal(8_000.0, 0.5)
            };
            business_2021 = normal / growth;
            cost_2021 = business_2021 * 0.4;
            business *= g.uniform(0.1, 0.4);
        }
    }

    // 兜底: most supported households still below the line get 低保 for the whole household (a
    // few ordinary ones too); the others are the cases the monitoring has to find.
    let net_2022 = wages.iter().sum::<f64>() + business + property + transfer - cost;
    let on_support = members
        .iter()
        .any(|m| m.dibao.is_receiving() || m.tekun.is_receiving());
    let below = net_2022 < 6_500.0 * members.len() as f64;
    if below && !on_support && g.chance(if supported { 0.85 } else { 0.5 }) {
        for m in members.iter_mut() {
            m.dibao = Dibao::Rural;
            transfer += g.uniform(3_600.0, 5_200.0);
        }
    }

    let born_2022 = infos.iter().filter(|i| i.age == 0).count();
    let members_2022 = members.len() as u32;
    let members_2021 = (members.len() - born_2022).max(1) as u32;

    let wage_22: f64 = wages.iter().sum();
    let wage_21: f64 = wages_2021.iter().sum();
    let r2022 = IncomeRecord {
        year: g.year,
        wage: yuan(wage_22),
        business: yuan(business),
        property: yuan(property),
        transfer: yuan(transfer),
        production_cost: yuan(cost),
        rigid_medical: yuan(medical),
        rigid_education: yuan(education),
        rigid_disability: yuan(disability),
        rigid_disaster: yuan(disaster),
        insurance_payout: yuan(payout),
        members: members_2022,
    };
    let rigid_2021 = if shocked {
        g.uniform(0.0, 0.3)
    } else {
        g.uniform(0.4, 1.1)
    };
    let r2021 = IncomeRecord {
        year: g.year - 1,
        wage: yuan(wage_21),
        business: yuan(business_2021),
        property: yuan(property / growth),
        transfer: yuan(transfer / 1.05),
        production_cost: yuan(cost_2021),
        rigid_medical: yuan(medical * rigid_2021),
        rigid_education: yuan(education * 0.9),
        rigid_disability: yuan(disability * rigid_2021),
        rigid_disaster: if hit_by_disaster {
            Fen::default()
        } else {
            yuan(disaster * rigid_2021)
        },
        insurance_payout: yuan(payout * rigid_2021),
        members: members_2021,
    };
    vec![r2021, r2022]
}
