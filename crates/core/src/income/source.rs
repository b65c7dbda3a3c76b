//! 收入来源: where a household's yearly income record came from, and which of two records of one year
//! counts.

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
}

#[cfg(test)]
mod tests {
    use super::*;

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
