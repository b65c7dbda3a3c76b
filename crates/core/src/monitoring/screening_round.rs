//! 干部排查 rounds: "每季度集中开展一次易返贫致贫人口排查工作，逐村逐户对标排查，做到排查农户全覆盖，
//! 按规定程序识别易返贫人口，健全排查台账，留存排查资料" (§三(一)1 二是).
//!
//! A round covers every household of one village on one day: each is marked 未发现风险 or 发现风险
//! with its risk types. The households with a risk become 干部排查 clues (see [`Source::CadreScreening`]);
//! the round itself, all households included, is the 排查台账 and completes the village's quarterly
//! 干部排查 task even when nobody was found at risk.
//!
//! This module holds the pure checks of a round; the store records it.
//!
//! [`Source::CadreScreening`]: super::Source::CadreScreening

use std::collections::HashSet;

use chrono::NaiveDate;

use super::Quarter;
use crate::codes::RiskType;

/// The longest round label (排查批次).
pub const MAX_LABEL: usize = 60;
/// The longest note on one household.
pub const MAX_NOTE: usize = 200;

/// One household's result in a round.
#[derive(Clone, PartialEq, Eq, Debug, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RoundEntry {
    /// 户编号.
    pub household: String,
    /// 风险类型 found (empty: 未发现风险).
    pub risks: Vec<RiskType>,
    /// 排查情况 (optional for a household without risk).
    pub note: String,
}

impl RoundEntry {
    /// Whether the household was found at risk (发现风险).
    pub fn flagged(&self) -> bool {
        !self.risks.is_empty()
    }
}

/// A 干部排查 round of one village.
#[derive(Clone, PartialEq, Eq, Debug, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ScreeningRound {
    /// 行政村 code.
    pub village: String,
    /// 排查批次, e.g. `2022年第2季度干部排查`.
    pub label: String,
    /// 排查日期.
    pub held_on: NaiveDate,
    /// 排查人 (names of the working team).
    pub screeners: String,
    /// Every household of the village with its result.
    pub entries: Vec<RoundEntry>,
}

/// Why a round cannot be recorded.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum RoundProblem {
    /// No label.
    NoLabel,
    /// The label is longer than [`MAX_LABEL`].
    LabelTooLong,
    /// Nobody named as screener.
    NoScreeners,
    /// The date is after today.
    FutureDate,
    /// The round lists no household.
    Empty,
    /// A household is listed twice.
    Repeated(String),
    /// A household of the village is missing (排查农户全覆盖).
    Missing(Vec<String>),
    /// A household that is not the village's.
    Unknown(String),
    /// More than five risk types on one household.
    TooManyRisks(String),
    /// A note longer than [`MAX_NOTE`].
    NoteTooLong(String),
}

impl RoundProblem {
    /// The reason in Chinese.
    pub fn message_zh(&self) -> String {
        match self {
            RoundProblem::NoLabel => "请填写排查批次".into(),
            RoundProblem::LabelTooLong => format!("排查批次不能超过 {MAX_LABEL} 个字"),
            RoundProblem::NoScreeners => "请填写排查人".into(),
            RoundProblem::FutureDate => "排查日期不能晚于今天".into(),
            RoundProblem::Empty => "本村没有可排查的农户".into(),
            RoundProblem::Repeated(h) => format!("户编号 {h} 重复出现"),
            RoundProblem::Missing(h) => {
                format!("排查须覆盖全村农户，以下农户未列入：{}", shorten(h))
            }
            RoundProblem::Unknown(h) => format!("户编号 {h} 不是本村农户"),
            RoundProblem::TooManyRisks(h) => format!("户编号 {h} 的风险类型最多 5 项"),
            RoundProblem::NoteTooLong(h) => {
                format!("户编号 {h} 的排查情况不能超过 {MAX_NOTE} 个字")
            }
        }
    }

    /// The reason in English.
    pub fn message_en(&self) -> String {
        match self {
            RoundProblem::NoLabel => "The round label is required".into(),
            RoundProblem::LabelTooLong => {
                format!("The round label is at most {MAX_LABEL} characters")
            }
            RoundProblem::NoScreeners => "Name the screeners".into(),
            RoundProblem::FutureDate => "The date may not be after today".into(),
            RoundProblem::Empty => "The village has no household to screen".into(),
            RoundProblem::Repeated(h) => format!("Household {h} is listed twice"),
            RoundProblem::Missing(h) => format!(
                "A round covers every household of the village; missing: {}",
                shorten(h)
            ),
            RoundProblem::Unknown(h) => format!("Household {h} is not the village's"),
            RoundProblem::TooManyRisks(h) => format!("Household {h}: at most 5 risk types"),
            RoundProblem::NoteTooLong(h) => {
                format!("Household {h}: the note is at most {MAX_NOTE} characters")
            }
        }
    }
}

fn shorten(numbers: &[String]) -> String {
    let mut s = numbers
        .iter()
        .take(5)
        .cloned()
        .collect::<Vec<_>>()
        .join("、");
    if numbers.len() > 5 {
        s.push_str(&format!(" 等 {} 户", numbers.len()));
    }
    s
}

impl ScreeningRound {
    /// The default label of a round held on `on`: `2022年第2季度干部排查`.
    pub fn default_label(on: NaiveDate) -> String {
        format!("{}干部排查", Quarter::of(on).label_zh())
    }

    /// The quarter whose 干部排查 task the round completes.
    pub fn quarter(&self) -> Quarter {
        Quarter::of(self.held_on)
    }

    /// The households found at risk.
    pub fn flagged(&self) -> impl Iterator<Item = &RoundEntry> {
        self.entries.iter().filter(|e| e.flagged())
    }

    /// Checks the round against the village's households `village_households` (户编号) on `today`:
    /// a label and screeners, not in the future, every household exactly once (全覆盖), at most five
    /// risk types and a short note per household.
    pub fn check(
        &self,
        village_households: &[String],
        today: NaiveDate,
    ) -> Result<(), RoundProblem> {
        let label = self.label.trim();
        if label.is_empty() {
            return Err(RoundProblem::NoLabel);
        }
        if label.chars().count() > MAX_LABEL {
            return Err(RoundProblem::LabelTooLong);
        }
        if self.screeners.trim().is_empty() {
            return Err(RoundProblem::NoScreeners);
        }
        if self.held_on > today {
            return Err(RoundProblem::FutureDate);
        }
        if village_households.is_empty() || self.entries.is_empty() {
            return Err(RoundProblem::Empty);
        }
        let known: HashSet<&str> = village_households.iter().map(String::as_str).collect();
        let mut seen: HashSet<&str> = HashSet::new();
        for e in &self.entries {
            let h = e.household.as_str();
            if !known.contains(h) {
                return Err(RoundProblem::Unknown(e.household.clone()));
            }
            if !seen.insert(h) {
                return Err(RoundProblem::Repeated(e.household.clone()));
            }
            if e.risks.len() > 5 {
                return Err(RoundProblem::TooManyRisks(e.household.clone()));
            }
            if e.note.chars().count() > MAX_NOTE {
                return Err(RoundProblem::NoteTooLong(e.household.clone()));
            }
        }
        let missing: Vec<String> = village_households
            .iter()
            .filter(|h| !seen.contains(h.as_str()))
            .cloned()
            .collect();
        if !missing.is_empty() {
            return Err(RoundProblem::Missing(missing));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2022, m, day).unwrap()
    }

    fn entry(h: &str, risks: Vec<RiskType>) -> RoundEntry {
        RoundEntry {
            household: h.into(),
            risks,
            note: String::new(),
        }
    }

    fn round(entries: Vec<RoundEntry>) -> ScreeningRound {
        ScreeningRound {
            village: "141123100201".into(),
            label: ScreeningRound::default_label(d(6, 10)),
            held_on: d(6, 10),
            screeners: "李四、王五".into(),
            entries,
        }
    }

    fn village() -> Vec<String> {
        vec!["A".into(), "B".into(), "C".into()]
    }

    #[test]
    fn a_full_round_passes_and_names_its_quarter() {
        let r = round(vec![
            entry("A", vec![]),
            entry("B", vec![RiskType::Illness]),
            entry("C", vec![]),
        ]);
        assert_eq!(r.check(&village(), d(6, 10)), Ok(()));
        assert_eq!(r.label, "2022年第2季度干部排查");
        assert_eq!(r.quarter(), Quarter { year: 2022, q: 2 });
        assert_eq!(
            r.flagged()
                .map(|e| e.household.as_str())
                .collect::<Vec<_>>(),
            ["B"]
        );
    }

    #[test]
    fn a_round_without_findings_is_still_a_round() {
        let r = round(vec![
            entry("A", vec![]),
            entry("B", vec![]),
            entry("C", vec![]),
        ]);
        assert_eq!(r.check(&village(), d(6, 30)), Ok(()));
        assert_eq!(r.flagged().count(), 0);
    }

    #[test]
    fn every_problem_is_found() {
        let full = || vec![entry("A", vec![]), entry("B", vec![]), entry("C", vec![])];
        let today = d(6, 10);
        let mut r = round(full());
        r.label = "  ".into();
        assert_eq!(r.check(&village(), today), Err(RoundProblem::NoLabel));
        r.label = "批".repeat(MAX_LABEL + 1);
        assert_eq!(r.check(&village(), today), Err(RoundProblem::LabelTooLong));
        let mut r = round(full());
        r.screeners = String::new();
        assert_eq!(r.check(&village(), today), Err(RoundProblem::NoScreeners));
        let r = round(full());
        assert_eq!(r.check(&village(), d(6, 9)), Err(RoundProblem::FutureDate));
        assert_eq!(r.check(&[], today), Err(RoundProblem::Empty));
        let r = round(vec![entry("A", vec![]), entry("B", vec![])]);
        let e = r.check(&village(), today).unwrap_err();
        assert_eq!(e, RoundProblem::Missing(vec!["C".into()]));
        assert!(e.message_zh().contains("全村农户"), "{}", e.message_zh());
        let r = round(vec![
            entry("A", vec![]),
            entry("A", vec![]),
            entry("C", vec![]),
        ]);
        assert_eq!(
            r.check(&village(), today),
            Err(RoundProblem::Repeated("A".into()))
        );
        let r = round(vec![entry("X", vec![])]);
        assert_eq!(
            r.check(&village(), today),
            Err(RoundProblem::Unknown("X".into()))
        );
        let mut r = round(full());
        r.entries[1].risks = vec![RiskType::Illness; 6];
        assert_eq!(
            r.check(&village(), today),
            Err(RoundProblem::TooManyRisks("B".into()))
        );
        let mut r = round(full());
        r.entries[2].note = "情".repeat(MAX_NOTE + 1);
        assert_eq!(
            r.check(&village(), today),
            Err(RoundProblem::NoteTooLong("C".into()))
        );
    }

    #[test]
    fn long_lists_of_missing_households_are_shortened() {
        let many: Vec<String> = (0..8).map(|i| format!("H{i}")).collect();
        let p = RoundProblem::Missing(many);
        assert!(p.message_zh().ends_with("等 8 户"), "{}", p.message_zh());
        for p in [
            RoundProblem::NoLabel,
            RoundProblem::Empty,
            RoundProblem::FutureDate,
        ] {
            assert_ne!(p.message_zh(), p.message_en());
        }
    }
}
