//! 收入来源: where a household's yearly income record came from, and which of two records of one year
//! counts.

use chrono::NaiveDate;

use crate::codes::code_list;

code_list! {
    /// 数据来源 of an income record.
    pub enum IncomeSource ("收入数据来源", "income source") {
        Import = ("import", "台账导入", "Registry import"),
        Verification = ("verification", "入户核查", "Home verification"),
        FollowUp = ("follow_up", "月度走访", "Monthly follow-up"),
        Manual = ("manual", "手工录入", "Entered by hand"),
    }
}

/// Why another source's figures of a year do not count (不计入), in Chinese and English: the year's
/// record is the latest verified one ([`IncomeSource::replaces`]; issue 17 "which one counts (the latest
/// verified one)").
pub const NOT_COUNTED_REASON: (&str, &str) = (
    "以最近一次核实记录为准",
    "The latest verified record counts",
);

impl IncomeSource {
    /// Checked by a person who saw the household or its papers (入户核查, 月度走访, 手工录入), unlike a
    /// bulk 台账导入.
    pub fn is_verified(self) -> bool {
        !matches!(self, IncomeSource::Import)
    }

    /// Whether a record from `self` written now replaces the year's record from `existing` as the one
    /// that counts: the latest verified record counts, so an import never overrides a verified record;
    /// every other newer record does.
    pub fn replaces(self, existing: IncomeSource) -> bool {
        self.is_verified() || !existing.is_verified()
    }

    /// [`IncomeSource::replaces`] with the dates the figures were established (数据日期: a visit's date,
    /// the day a record was entered or imported): a record from `self` dated `on` replaces the year's
    /// record from `existing` dated `existing_on` when `self` may replace `existing` and the record is
    /// not older than a verified record that counts — a 月度走访 entered after a later 入户核查 or 手工录入
    /// (a visit of March recorded in May) does not replace it. The latest verified record counts.
    pub fn counts_over(
        self,
        on: NaiveDate,
        existing: IncomeSource,
        existing_on: NaiveDate,
    ) -> bool {
        self.replaces(existing) && !(existing.is_verified() && existing_on > on)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_latest_verified_record_counts() {
        use IncomeSource::*;
        let d = |m: u32, day: u32| NaiveDate::from_ymd_opt(2022, m, day).unwrap();
        // a follow-up of March, recorded after a 入户核查 or correction of April: does not count …
        assert!(!FollowUp.counts_over(d(3, 10), Verification, d(4, 2)));
        assert!(!FollowUp.counts_over(d(3, 10), Manual, d(4, 2)));
        assert!(!FollowUp.counts_over(d(3, 10), FollowUp, d(4, 2)));
        // … one of May does, as does one of the same day
        assert!(FollowUp.counts_over(d(5, 10), Verification, d(4, 2)));
        assert!(FollowUp.counts_over(d(4, 2), Manual, d(4, 2)));
        // any verified record replaces an import, whatever its date; an import never a verified one
        assert!(FollowUp.counts_over(d(3, 10), Import, d(4, 2)));
        assert!(Verification.counts_over(d(1, 5), Import, d(6, 1)));
        assert!(!Import.counts_over(d(6, 1), Manual, d(1, 5)));
        assert!(Import.counts_over(d(1, 5), Import, d(6, 1)));
        for &new in IncomeSource::ALL {
            for &existing in IncomeSource::ALL {
                assert_eq!(
                    new.counts_over(d(6, 1), existing, d(1, 1)),
                    new.replaces(existing),
                    "a later record: the source rule alone"
                );
            }
        }
    }

    #[test]
    fn an_import_never_overrides_a_verified_record() {
        for &existing in IncomeSource::ALL {
            for &new in IncomeSource::ALL {
                let expected = new != IncomeSource::Import || existing == IncomeSource::Import;
                assert_eq!(
                    new.replaces(existing),
                    expected,
                    "{new:?} over {existing:?}"
                );
            }
        }
    }
}
