//! 整户校验: the rules a household obeys as a whole, whatever wrote it (the registry import, a
//! form, the API, the demo):
//!
//! | problem | rule |
//! | --- | --- |
//! | [`HouseholdProblem::NoMembers`] | a household has at least one member |
//! | [`HouseholdProblem::NoHead`] | exactly one member is 户主 (none) |
//! | [`HouseholdProblem::SeveralHeads`] | exactly one member is 户主 (more than one) |
//! | [`HouseholdProblem::SeveralSpouses`] | at most one member is 配偶 |
//! | [`HouseholdProblem::DuplicateId`] | no ID number twice in the household |
//!
//! The members' ID numbers are valid by construction ([`IdNumber`] is parsed: check character,
//! birth date); these rules check that they are unique. National system practice: one 户主 per
//! household, whose 与户主关系 the others are recorded by (the registry template states it,
//! docs/registry.md "每户有且只有一名户主").
//!
//! Rules on single fields (户编号, 村代码, a member's name or sex against the ID number) are
//! checked where the value is read; an ID number in two households is a rule of the whole
//! registry, checked by the import and the store.

use std::collections::HashMap;

use super::{Household, Member};
use crate::codes::Relation;
use crate::idnum::IdNumber;

/// A broken whole-household rule (整户校验问题). Members are given by their 0-based position
/// in the household's member list.
#[derive(Clone, Copy, PartialEq, Eq, Debug, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "problem", rename_all = "snake_case")]
pub enum HouseholdProblem {
    /// 没有家庭成员: the household has no member (no other problem is reported then).
    NoMembers,
    /// 没有户主: no member is 户主.
    NoHead,
    /// 户主不止一名: reported for each 户主 after the first.
    SeveralHeads {
        /// Position of this extra 户主.
        member: usize,
        /// How many members are 户主.
        heads: usize,
    },
    /// 配偶不止一名: reported for each 配偶 after the first.
    SeveralSpouses {
        /// Position of this extra 配偶.
        member: usize,
        /// How many members are 配偶.
        spouses: usize,
    },
    /// 身份证号重复: reported for each member whose ID number an earlier member has.
    DuplicateId {
        /// Position of the repeat.
        member: usize,
        /// Position of the first member with this ID number.
        first: usize,
        /// The ID number.
        id: IdNumber,
    },
}

impl HouseholdProblem {
    /// A stable code (`no_members`, `no_head`, `several_heads`, `several_spouses`, `duplicate_id`).
    pub fn code(&self) -> &'static str {
        match self {
            HouseholdProblem::NoMembers => "no_members",
            HouseholdProblem::NoHead => "no_head",
            HouseholdProblem::SeveralHeads { .. } => "several_heads",
            HouseholdProblem::SeveralSpouses { .. } => "several_spouses",
            HouseholdProblem::DuplicateId { .. } => "duplicate_id",
        }
    }

    /// The member the problem is reported at (`None`: the household as a whole).
    pub fn member(&self) -> Option<usize> {
        match self {
            HouseholdProblem::NoMembers | HouseholdProblem::NoHead => None,
            HouseholdProblem::SeveralHeads { member, .. }
            | HouseholdProblem::SeveralSpouses { member, .. }
            | HouseholdProblem::DuplicateId { member, .. } => Some(*member),
        }
    }

    /// The message in Chinese.
    pub fn message_zh(&self) -> String {
        match self {
            HouseholdProblem::NoMembers => "该户没有家庭成员：每户至少应有一名成员".to_owned(),
            HouseholdProblem::NoHead => {
                "该户没有户主：每户须有一名成员的“与户主关系”为“户主”".to_owned()
            }
            HouseholdProblem::SeveralHeads { heads, .. } => {
                format!("该户有 {heads} 名户主，每户只能有一名")
            }
            HouseholdProblem::SeveralSpouses { spouses, .. } => {
                format!("该户有 {spouses} 名配偶，请核对与户主关系")
            }
            HouseholdProblem::DuplicateId { first, id, .. } => format!(
                "同一户内身份证号重复：{} 与第 {} 名成员相同",
                id.masked(),
                first + 1
            ),
        }
    }

    /// The message in English.
    pub fn message_en(&self) -> String {
        match self {
            HouseholdProblem::NoMembers => {
                "the household has no member: at least one is required".to_owned()
            }
            HouseholdProblem::NoHead => {
                "the household has no head: exactly one member must be 户主".to_owned()
            }
            HouseholdProblem::SeveralHeads { heads, .. } => {
                format!("{heads} heads of household; exactly one allowed")
            }
            HouseholdProblem::SeveralSpouses { spouses, .. } => {
                format!("{spouses} spouses in one household")
            }
            HouseholdProblem::DuplicateId { first, id, .. } => format!(
                "ID number {} repeated in the household (member {})",
                id.masked(),
                first + 1
            ),
        }
    }
}

impl std::fmt::Display for HouseholdProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({})", self.message_zh(), self.message_en())
    }
}

impl Household {
    /// Checks the whole-household rules (see [`validate_members`]).
    pub fn validate(&self) -> Result<(), Vec<HouseholdProblem>> {
        validate_members(&self.members)
    }
}

/// Checks the whole-household rules on a household's members, in their order: at least one
/// member, exactly one 户主, at most one 配偶, no ID number twice. Every problem is reported, in
/// this order (户主, then 配偶, then ID numbers; each in member order). For a reader that has
/// only some members of a household (the others could not be read) the positions are those of
/// the members given.
pub fn validate_members<'a>(
    members: impl IntoIterator<Item = &'a Member>,
) -> Result<(), Vec<HouseholdProblem>> {
    let members: Vec<&Member> = members.into_iter().collect();
    if members.is_empty() {
        return Err(vec![HouseholdProblem::NoMembers]);
    }
    let mut problems = Vec::new();
    let with = |r: Relation| -> Vec<usize> {
        members
            .iter()
            .enumerate()
            .filter(|(_, m)| m.relation == r)
            .map(|(i, _)| i)
            .collect()
    };
    let heads = with(Relation::Head);
    if heads.is_empty() {
        problems.push(HouseholdProblem::NoHead);
    }
    for &member in heads.iter().skip(1) {
        problems.push(HouseholdProblem::SeveralHeads {
            member,
            heads: heads.len(),
        });
    }
    let spouses = with(Relation::Spouse);
    for &member in spouses.iter().skip(1) {
        problems.push(HouseholdProblem::SeveralSpouses {
            member,
            spouses: spouses.len(),
        });
    }
    let mut seen: HashMap<IdNumber, usize> = HashMap::with_capacity(members.len());
    for (member, m) in members.iter().enumerate() {
        match seen.get(&m.id_number) {
            Some(&first) => problems.push(HouseholdProblem::DuplicateId {
                member,
                first,
                id: m.id_number,
            }),
            None => {
                seen.insert(m.id_number, member);
            }
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::household::tests::{d, household, member};
    use crate::quality::{QualityContext, check_household};
    use proptest::prelude::*;

    fn problems(h: &Household) -> Vec<HouseholdProblem> {
        h.validate().err().unwrap_or_default()
    }

    #[test]
    fn a_clean_household_passes() {
        assert_eq!(household().validate(), Ok(()));
        // one member, the head
        let mut h = household();
        h.members.truncate(1);
        assert_eq!(h.validate(), Ok(()));
        // the head need not come first; children and others are not limited
        let mut h = household();
        h.members.swap(0, 1);
        h.members.push(member(d(2000, 1, 1), 33, Relation::Son));
        h.members.push(member(d(2002, 1, 1), 44, Relation::Son));
        h.members.push(member(d(1945, 1, 1), 55, Relation::Father));
        assert_eq!(h.validate(), Ok(()));
    }

    #[test]
    fn no_members() {
        let mut h = household();
        h.members.clear();
        assert_eq!(problems(&h), [HouseholdProblem::NoMembers]);
        assert_eq!(validate_members([]), Err(vec![HouseholdProblem::NoMembers]));
    }

    #[test]
    fn no_head() {
        let mut h = household();
        h.members[0].relation = Relation::Son;
        assert_eq!(problems(&h), [HouseholdProblem::NoHead]);
        h.members.truncate(1);
        assert_eq!(problems(&h), [HouseholdProblem::NoHead]);
    }

    #[test]
    fn several_heads_reported_at_each_extra_head() {
        let mut h = household();
        h.members[1].relation = Relation::Head;
        assert_eq!(
            problems(&h),
            [HouseholdProblem::SeveralHeads {
                member: 1,
                heads: 2
            }]
        );
        h.members.push(member(d(2000, 1, 1), 33, Relation::Head));
        assert_eq!(
            problems(&h),
            [
                HouseholdProblem::SeveralHeads {
                    member: 1,
                    heads: 3
                },
                HouseholdProblem::SeveralHeads {
                    member: 2,
                    heads: 3
                },
            ]
        );
    }

    #[test]
    fn several_spouses() {
        let mut h = household();
        h.members.push(member(d(1975, 1, 1), 33, Relation::Spouse));
        assert_eq!(
            problems(&h),
            [HouseholdProblem::SeveralSpouses {
                member: 2,
                spouses: 2
            }]
        );
        // no spouse at all is fine
        let mut h = household();
        h.members[1].relation = Relation::Daughter;
        assert_eq!(h.validate(), Ok(()));
    }

    #[test]
    fn duplicate_ids_reported_at_each_repeat() {
        let mut h = household();
        let mut twin = h.members[1].clone();
        twin.relation = Relation::Son;
        h.members.push(twin.clone());
        h.members.push(twin);
        let id = h.members[1].id_number;
        assert_eq!(
            problems(&h),
            [
                HouseholdProblem::DuplicateId {
                    member: 2,
                    first: 1,
                    id
                },
                HouseholdProblem::DuplicateId {
                    member: 3,
                    first: 1,
                    id
                },
            ]
        );
    }

    #[test]
    fn every_problem_at_once_in_order() {
        let mut h = household();
        let head = h.members[0].clone();
        h.members.push(head.clone()); // a second head with the same ID number
        h.members.push(member(d(1975, 1, 1), 33, Relation::Spouse)); // a second spouse
        let id = head.id_number;
        assert_eq!(
            problems(&h),
            [
                HouseholdProblem::SeveralHeads {
                    member: 2,
                    heads: 2
                },
                HouseholdProblem::SeveralSpouses {
                    member: 3,
                    spouses: 2
                },
                HouseholdProblem::DuplicateId {
                    member: 2,
                    first: 0,
                    id
                },
            ]
        );
    }

    #[test]
    fn messages_codes_and_members() {
        let id = household().members[0].id_number;
        let all = [
            HouseholdProblem::NoMembers,
            HouseholdProblem::NoHead,
            HouseholdProblem::SeveralHeads {
                member: 1,
                heads: 2,
            },
            HouseholdProblem::SeveralSpouses {
                member: 3,
                spouses: 2,
            },
            HouseholdProblem::DuplicateId {
                member: 2,
                first: 0,
                id,
            },
        ];
        let codes: Vec<&str> = all.iter().map(HouseholdProblem::code).collect();
        assert_eq!(
            codes,
            [
                "no_members",
                "no_head",
                "several_heads",
                "several_spouses",
                "duplicate_id"
            ]
        );
        let members: Vec<Option<usize>> = all.iter().map(HouseholdProblem::member).collect();
        assert_eq!(members, [None, None, Some(1), Some(3), Some(2)]);
        for p in &all {
            assert!(!p.message_zh().is_ascii(), "{p:?}");
            assert!(p.message_en().is_ascii() || p.message_en().contains("户主"));
            assert!(p.to_string().contains(&p.message_en()));
        }
        // the messages the registry import reports
        assert_eq!(
            all[1].message_zh(),
            "该户没有户主：每户须有一名成员的“与户主关系”为“户主”"
        );
        assert_eq!(all[2].message_zh(), "该户有 2 名户主，每户只能有一名");
        assert_eq!(
            all[2].message_en(),
            "2 heads of household; exactly one allowed"
        );
        assert_eq!(all[3].message_zh(), "该户有 2 名配偶，请核对与户主关系");
        assert_eq!(all[3].message_en(), "2 spouses in one household");
        // an ID number is shown masked, the first member counted from 1
        let dup = all[4].message_zh();
        assert!(
            dup.contains(&id.masked()) && dup.contains("第 1 名成员"),
            "{dup}"
        );
        assert!(!dup.contains(&id.to_string()));
        let json = serde_json::to_value(all[2]).unwrap();
        assert_eq!(json["problem"], "several_heads");
        assert_eq!(json["member"], 1);
    }

    fn arb_household() -> impl Strategy<Value = Household> {
        // up to 7 members; relation from a small set, ID number from 5 (so repeats happen)
        proptest::collection::vec((0usize..5, 0u16..5), 0..7).prop_map(|ms| {
            let relations = [
                Relation::Head,
                Relation::Spouse,
                Relation::Son,
                Relation::Daughter,
                Relation::Father,
            ];
            let mut h = household();
            h.members = ms
                .into_iter()
                .map(|(r, seq)| member(d(1980, 1, 1), seq, relations[r]))
                .collect();
            h
        })
    }

    proptest! {
        #[test]
        fn validate_follows_the_rules(h in arb_household()) {
            let ms = &h.members;
            let heads = ms.iter().filter(|m| m.relation == Relation::Head).count();
            let spouses = ms.iter().filter(|m| m.relation == Relation::Spouse).count();
            let mut ids: Vec<IdNumber> = ms.iter().map(|m| m.id_number).collect();
            ids.sort_by_key(|i| i.to_u64());
            ids.dedup();
            let repeats = ms.len() - ids.len();
            let ok = !ms.is_empty() && heads == 1 && spouses <= 1 && repeats == 0;
            prop_assert_eq!(h.validate().is_ok(), ok);
            let ps = problems(&h);
            let count = |code: &str| ps.iter().filter(|p| p.code() == code).count();
            prop_assert_eq!(count("no_members"), usize::from(ms.is_empty()));
            if !ms.is_empty() {
                prop_assert_eq!(count("no_head"), usize::from(heads == 0));
                prop_assert_eq!(count("several_heads"), heads.saturating_sub(1));
                prop_assert_eq!(count("several_spouses"), spouses.saturating_sub(1));
                prop_assert_eq!(count("duplicate_id"), repeats);
            }
            for p in &ps {
                if let Some(i) = p.member() {
                    prop_assert!(i < ms.len());
                }
                if let HouseholdProblem::DuplicateId { member, first, id } = *p {
                    prop_assert!(first < member);
                    prop_assert_eq!(ms[first].id_number, id);
                    prop_assert_eq!(ms[member].id_number, id);
                }
            }
            // the data-quality checks Q10 (one head) and Q13 (no ID twice) agree
            let findings = check_household(&h, d(2022, 6, 30), &QualityContext::default());
            let fires = |code: &str| findings.iter().any(|f| f.code == code);
            prop_assert_eq!(fires("Q10"), heads != 1);
            prop_assert_eq!(fires("Q13"), repeats > 0);
        }
    }
}
