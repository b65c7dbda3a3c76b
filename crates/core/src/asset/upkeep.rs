//! 管护 (A7, §四(二)3 "落实管护责任"): an asset's upkeep and repair records (date, cost, what was done, by
//! whom) and when the next upkeep falls due under its plan (every `n` months since the last one, or since
//! the registration when none was recorded).

use chrono::{Months, NaiveDate};

use crate::codes::code_list;
use crate::money::Fen;
use crate::monitoring::{Refusal, RefusalCode};
use crate::project::{MAX_NAME, MAX_TEXT, check_text};

code_list! {
    /// 管护类别.
    pub enum UpkeepKind ("管护类别", "upkeep kind") {
        Upkeep = ("upkeep", "日常管护", "Routine upkeep"),
        Repair = ("repair", "维修", "Repair"),
    }
}

/// An upkeep or repair record (管护维修记录).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Upkeep {
    /// 日常管护 or 维修.
    pub kind: UpkeepKind,
    /// 管护日期.
    pub on: NaiveDate,
    /// 费用, in 分 (zero for an inspection).
    #[cfg_attr(feature = "openapi", schema(value_type = i64))]
    pub cost: Fen,
    /// 管护内容.
    pub content: String,
    /// 实施人.
    #[serde(default)]
    pub done_by: String,
}

impl Upkeep {
    /// Checks a record: what was done, a cost not below zero, a date not after `today`.
    pub fn validate(&self, today: NaiveDate) -> Result<(), Refusal> {
        check_text(&self.content, true, MAX_TEXT, "管护内容", "What was done")?;
        check_text(&self.done_by, false, MAX_NAME, "实施人", "Done by")?;
        if self.cost.is_negative() {
            return Err(Refusal::new(
                RefusalCode::InvalidInput,
                "费用不能为负数",
                "The cost cannot be negative",
            ));
        }
        if self.on > today {
            return Err(Refusal::new(
                RefusalCode::InvalidInput,
                format!("管护日期{}晚于今天", self.on),
                "The date lies in the future",
            ));
        }
        Ok(())
    }
}

/// The date the next upkeep falls due: `months` after the last record (`last`), or after `since` (the
/// registration) when none was recorded; `None` without a plan.
pub fn due(months: Option<u32>, last: Option<NaiveDate>, since: NaiveDate) -> Option<NaiveDate> {
    let m = months.filter(|m| *m > 0)?;
    last.unwrap_or(since).checked_add_months(Months::new(m))
}

/// Overdue on `today`: a plan whose due date lies before it.
pub fn overdue(
    months: Option<u32>,
    last: Option<NaiveDate>,
    since: NaiveDate,
    today: NaiveDate,
) -> bool {
    due(months, last, since).is_some_and(|d| d < today)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn rec() -> Upkeep {
        Upkeep {
            kind: UpkeepKind::Repair,
            on: d(2026, 5, 1),
            cost: Fen::from_yuan(1200),
            content: "更换逆变器".to_owned(),
            done_by: "王建国".to_owned(),
        }
    }

    #[test]
    fn records_are_checked() {
        assert_eq!(rec().validate(d(2026, 5, 1)), Ok(()));
        let mut r = rec();
        r.content = " ".to_owned();
        assert!(r.validate(d(2026, 6, 1)).is_err());
        let mut r = rec();
        r.cost = Fen(-1);
        assert!(r.validate(d(2026, 6, 1)).is_err());
        assert!(rec().validate(d(2026, 4, 30)).is_err());
    }

    #[test]
    fn due_counts_from_the_last_record_or_the_registration() {
        let since = d(2026, 1, 31);
        assert_eq!(due(None, None, since), None);
        assert_eq!(due(Some(3), None, since), Some(d(2026, 4, 30)));
        assert_eq!(
            due(Some(1), Some(d(2026, 3, 10)), since),
            Some(d(2026, 4, 10))
        );
        assert!(!overdue(Some(3), None, since, d(2026, 4, 30)));
        assert!(overdue(Some(3), None, since, d(2026, 5, 1)));
        assert!(!overdue(None, None, since, d(2030, 1, 1)));
    }

    proptest! {
        #[test]
        fn a_record_today_is_never_overdue(months in 1u32..=60, y in 2013i32..2030, doy in 0u64..365) {
            let today = d(y, 1, 1) + chrono::Days::new(doy);
            prop_assert!(!overdue(Some(months), Some(today), d(2013, 1, 1), today));
        }
    }
}
