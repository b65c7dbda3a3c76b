//! The screening rules (筛查规则) of `docs/spec/screening.md`, applied to every household: 因病, 因学,
//! 因残, 住房安全, 因灾, income below or near the monitoring line, with the thresholds of the run.

use super::merge::{Households, Sums};
use crate::{Codes, FlaggedRow};

/// The codes of every household (the spec's rules, with the thresholds `t`; with the spec's values,
/// `100·x > 50·income` is the spec's `x > 50 % of income` and `100·income < 150·line·n` its
/// `income / n < 1.5 × line`, in exact integers).
pub(super) fn flag(
    hh: &Households,
    sums: &Sums,
    line_fen: i64,
    t: &crate::ScreeningRules,
) -> Vec<FlaggedRow> {
    let line = i128::from(line_fen);
    let medical = i128::from(t.medical_yuan) * 100;
    let medical_pct = i128::from(t.medical_income_pct);
    let disaster = i128::from(t.disaster_yuan) * 100;
    let disaster_pct = i128::from(t.disaster_income_pct);
    let near_pct = i128::from(t.near_line_pct);
    let mut hits: Vec<(usize, Codes)> = Vec::new();
    for i in 0..hh.recs.len() {
        if !hh.alive[i] {
            continue;
        }
        let r = &hh.recs[i];
        let inc = i128::from(r.income);
        let n = i128::from(r.size);
        let oop = sums.oop(i);
        let loss = sums.loss(i);
        let mut c = 0u8;
        if oop > medical || 100 * oop > medical_pct * inc {
            c |= Codes::ILLNESS;
        }
        c |= sums.acc.flags[i] & (Codes::SCHOOL | Codes::DISABILITY | Codes::HOUSING);
        if loss > disaster || 100 * loss > disaster_pct * inc {
            c |= Codes::DISASTER;
        }
        if inc < line * n {
            c |= Codes::LOW_INCOME;
        } else if 100 * inc < near_pct * line * n && c != 0 {
            c |= Codes::NEAR_LINE;
        }
        if c != 0 {
            hits.push((i, Codes(c)));
        }
    }
    hits.sort_unstable_by(|a, b| hh.text(a.0).0.cmp(hh.text(b.0).0));
    hits.into_iter()
        .map(|(i, codes)| {
            let r = &hh.recs[i];
            let (hid, village, htype) = hh.text(i);
            let inc = i128::from(r.income);
            let n = i128::from(r.size);
            let q = (2 * inc.abs() + n) / (2 * n);
            FlaggedRow {
                household: String::from_utf8_lossy(hid).into_owned(),
                village: String::from_utf8_lossy(village).into_owned(),
                household_type: String::from_utf8_lossy(htype).into_owned(),
                codes,
                medical_out_of_pocket_fen: sums.oop(i),
                disaster_loss_fen: sums.loss(i),
                per_capita_fen: if inc < 0 { -q } else { q },
            }
        })
        .collect()
}
