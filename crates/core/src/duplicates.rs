//! Duplicate review 重复数据核查 (issue 6, part 2): candidates for the same person or household recorded
//! twice, for a person to review. Nothing here merges anything: the store applies a merge only when a
//! township or county admin confirms it (national practice: 数据比对, "一户多档" and "一人多户" must be
//! cleared before the data goes to the national system).
//!
//! Three kinds ([`DuplicateKind`]):
//!
//! | code | kind | rule |
//! | --- | --- | --- |
//! | D1 | 一人多户 same person in two households | the same ID number in two households |
//! | D2 | 一户多档 same household twice | two households with the same head ID number, or the same members (by ID number, or by normalised name and birth date) |
//! | D3 | 疑似同一人 near-duplicate person | two members of one village with the same birth date (from the ID number) and names that are equal after [`normalise_name`] or differ in one character, with different ID numbers |
//!
//! A pair already reported as D2 is not reported again as D3. Detection is pure and runs on any set of
//! households (a file, an area of the database); households are told apart by (county, 户编号).

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::NaiveDate;

use crate::household::Household;
use crate::idnum::IdNumber;

/// The kind of a duplicate candidate.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, serde::Serialize)]
pub enum DuplicateKind {
    /// D1 一人多户: the same ID number in two households.
    SamePerson,
    /// D2 一户多档: the same household recorded twice.
    SameHousehold,
    /// D3 疑似同一人: near-duplicate names with the same birth date in one village.
    SimilarPerson,
}

impl DuplicateKind {
    /// Every kind, in code order.
    pub const ALL: [DuplicateKind; 3] = [
        DuplicateKind::SamePerson,
        DuplicateKind::SameHousehold,
        DuplicateKind::SimilarPerson,
    ];

    /// `D1`, `D2`, `D3`.
    pub fn code(self) -> &'static str {
        match self {
            DuplicateKind::SamePerson => "D1",
            DuplicateKind::SameHousehold => "D2",
            DuplicateKind::SimilarPerson => "D3",
        }
    }

    /// The Chinese label.
    pub fn label_zh(self) -> &'static str {
        match self {
            DuplicateKind::SamePerson => "一人多户（同一身份证号在两户）",
            DuplicateKind::SameHousehold => "一户多档（同一户登记两次）",
            DuplicateKind::SimilarPerson => "疑似同一人（同村、同出生日期、姓名相近）",
        }
    }

    /// The English label.
    pub fn label_en(self) -> &'static str {
        match self {
            DuplicateKind::SamePerson => "Same ID number in two households",
            DuplicateKind::SameHousehold => "Same household recorded twice",
            DuplicateKind::SimilarPerson => {
                "Near-duplicate names with the same birth date in one village"
            }
        }
    }

    /// By code.
    pub fn from_code(code: &str) -> Option<DuplicateKind> {
        DuplicateKind::ALL.into_iter().find(|k| k.code() == code)
    }
}

/// A household as the detection refers to it.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, serde::Serialize)]
pub struct HouseholdRef {
    /// 县 code (6 digits).
    pub county: String,
    /// 行政村 code.
    pub village: String,
    /// 户编号.
    pub number: String,
}

impl HouseholdRef {
    fn of(h: &Household) -> HouseholdRef {
        HouseholdRef {
            county: h.village.county().to_owned(),
            village: h.village.as_str().to_owned(),
            number: h.number.clone(),
        }
    }
}

/// A member as the detection refers to it.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, serde::Serialize)]
pub struct MemberRef {
    /// The household.
    pub household: HouseholdRef,
    /// 身份证号.
    pub id_number: IdNumber,
    /// 姓名 as recorded.
    pub name: String,
}

/// One candidate pair for review.
#[derive(Clone, PartialEq, Eq, Debug, serde::Serialize)]
pub struct Candidate {
    /// Which rule found it.
    pub kind: DuplicateKind,
    /// The first household (the one a merge would keep by default: smaller 户编号).
    pub a: HouseholdRef,
    /// The second household.
    pub b: HouseholdRef,
    /// The members concerned (for D1 and D3: the two records; for D2: empty).
    pub members: Vec<MemberRef>,
    /// Why, in Chinese.
    pub reason_zh: String,
    /// Why, in English.
    pub reason_en: String,
}

/// A name for comparison: whitespace (also U+3000) and the middle dots of minority names (`·`, `•`,
/// `・`) removed, full-width ASCII (`Ａ`…) made half-width, Latin letters lower-case.
pub fn normalise_name(name: &str) -> String {
    name.chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '·' | '•' | '・'))
        .map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFF01 + 0x21).unwrap_or(c),
            _ => c,
        })
        .flat_map(char::to_lowercase)
        .collect()
}

/// Whether two normalised names are equal or differ in exactly one character (same length: one
/// character replaced, e.g. 张伟 / 张玮; or one character more: 王小明 / 王明).
pub fn names_close(a: &str, b: &str) -> bool {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    if a.is_empty() || b.is_empty() {
        return false;
    }
    if a.len() == b.len() {
        return a.iter().zip(&b).filter(|(x, y)| x != y).count() <= 1;
    }
    let (short, long) = if a.len() < b.len() {
        (&a, &b)
    } else {
        (&b, &a)
    };
    if long.len() != short.len() + 1 || short.len() < 2 {
        return false;
    }
    // One character inserted somewhere.
    (0..long.len()).any(|skip| {
        long.iter()
            .enumerate()
            .filter(|(i, _)| *i != skip)
            .map(|(_, c)| c)
            .eq(short.iter())
    })
}

fn ordered(x: HouseholdRef, y: HouseholdRef) -> (HouseholdRef, HouseholdRef) {
    if (&x.county, &x.number) <= (&y.county, &y.number) {
        (x, y)
    } else {
        (y, x)
    }
}

/// Finds the duplicate candidates among `households` (see the module docs), ordered by kind, then by
/// the first household's 户编号.
pub fn detect(households: &[&Household]) -> Vec<Candidate> {
    let mut out: Vec<Candidate> = Vec::new();

    // D1: an ID number in two households.
    let mut by_id: HashMap<IdNumber, Vec<(usize, usize)>> = HashMap::new();
    for (hi, h) in households.iter().enumerate() {
        for (mi, m) in h.members.iter().enumerate() {
            by_id.entry(m.id_number).or_default().push((hi, mi));
        }
    }
    let mut ids: Vec<&IdNumber> = by_id.keys().collect();
    ids.sort();
    for id in ids {
        let places = &by_id[id];
        for (i, &(ha, ma)) in places.iter().enumerate() {
            for &(hb, mb) in &places[i + 1..] {
                if ha == hb {
                    continue; // inside one household: quality check Q13
                }
                let (x, y) = (households[ha], households[hb]);
                let (a, b) = ordered(HouseholdRef::of(x), HouseholdRef::of(y));
                let masked = id.masked();
                out.push(Candidate {
                    kind: DuplicateKind::SamePerson,
                    members: vec![member_ref(x, ma), member_ref(y, mb)],
                    reason_zh: format!(
                        "身份证号 {masked} 同时登记在户 {} 和户 {}",
                        a.number, b.number
                    ),
                    reason_en: format!(
                        "ID number {masked} is registered in households {} and {}",
                        a.number, b.number
                    ),
                    a,
                    b,
                });
            }
        }
    }

    // D2: the same head, or the same members.
    let mut seen_pairs: BTreeSet<(HouseholdRef, HouseholdRef)> = BTreeSet::new();
    let mut groups: BTreeMap<(u8, String), Vec<usize>> = BTreeMap::new();
    for (hi, h) in households.iter().enumerate() {
        if h.members.is_empty() {
            continue;
        }
        if let Some(head) = h.head() {
            groups
                .entry((0, head.id_number.to_string()))
                .or_default()
                .push(hi);
        }
        let mut by_id: Vec<String> = h.members.iter().map(|m| m.id_number.to_string()).collect();
        by_id.sort();
        groups.entry((1, by_id.join(","))).or_default().push(hi);
        let mut by_name: Vec<String> = h
            .members
            .iter()
            .map(|m| format!("{}/{}", normalise_name(&m.name), m.id_number.birth_date()))
            .collect();
        by_name.sort();
        groups.entry((2, by_name.join(","))).or_default().push(hi);
    }
    for ((rule, _), idx) in &groups {
        for (i, &ha) in idx.iter().enumerate() {
            for &hb in &idx[i + 1..] {
                let (a, b) = ordered(
                    HouseholdRef::of(households[ha]),
                    HouseholdRef::of(households[hb]),
                );
                if !seen_pairs.insert((a.clone(), b.clone())) {
                    continue;
                }
                let (zh, en) = match rule {
                    0 => ("户主身份证号相同", "the same head ID number"),
                    1 => ("家庭成员身份证号完全相同", "the same members by ID number"),
                    _ => (
                        "家庭成员姓名和出生日期完全相同",
                        "the same members by name and birth date",
                    ),
                };
                out.push(Candidate {
                    kind: DuplicateKind::SameHousehold,
                    members: Vec::new(),
                    reason_zh: format!("户 {} 与户 {}：{zh}", a.number, b.number),
                    reason_en: format!("households {} and {}: {en}", a.number, b.number),
                    a,
                    b,
                });
            }
        }
    }

    // D3: near-duplicate names with the same birth date in one village.
    // (household index, member index, normalised name) per (village, birth date).
    type Entry = (usize, usize, String);
    let mut by_birth: HashMap<(&str, NaiveDate), Vec<Entry>> = HashMap::new();
    for (hi, h) in households.iter().enumerate() {
        for (mi, m) in h.members.iter().enumerate() {
            by_birth
                .entry((h.village.as_str(), m.id_number.birth_date()))
                .or_default()
                .push((hi, mi, normalise_name(&m.name)));
        }
    }
    let mut near: Vec<Candidate> = Vec::new();
    for group in by_birth.values() {
        for (i, (ha, ma, na)) in group.iter().enumerate() {
            for (hb, mb, nb) in &group[i + 1..] {
                let (x, y) = (households[*ha], households[*hb]);
                let (mx, my) = (&x.members[*ma], &y.members[*mb]);
                if mx.id_number == my.id_number || !names_close(na, nb) {
                    continue;
                }
                let (a, b) = ordered(HouseholdRef::of(x), HouseholdRef::of(y));
                if seen_pairs.contains(&(a.clone(), b.clone())) {
                    continue;
                }
                let (first, second) = if HouseholdRef::of(x) == a {
                    (member_ref(x, *ma), member_ref(y, *mb))
                } else {
                    (member_ref(y, *mb), member_ref(x, *ma))
                };
                // The date itself is not written: the reason is shown to roles that see masked ID
                // numbers, whose hidden part is that date (PIPL; issue 19).
                near.push(Candidate {
                    kind: DuplicateKind::SimilarPerson,
                    reason_zh: format!(
                        "同村同出生日期、姓名相近：{}（户 {}）与 {}（户 {}）",
                        first.name, a.number, second.name, b.number
                    ),
                    reason_en: format!(
                        "same village and birth date, similar names: {} (household {}) and {} (household {})",
                        first.name, a.number, second.name, b.number
                    ),
                    members: vec![first, second],
                    a,
                    b,
                });
            }
        }
    }
    out.extend(near);
    out.sort_by(|x, y| {
        (x.kind, &x.a.county, &x.a.number, &x.b.number, &x.members).cmp(&(
            y.kind,
            &y.a.county,
            &y.a.number,
            &y.b.number,
            &y.members,
        ))
    });
    out
}

fn member_ref(h: &Household, index: usize) -> MemberRef {
    let m = &h.members[index];
    MemberRef {
        household: HouseholdRef::of(h),
        id_number: m.id_number,
        name: m.name.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codes::Relation;
    use crate::household::Member;
    use crate::household::tests::{d, household as base, member as base_member};
    use crate::region::RegionCode;

    fn household(number: &str, village: &str) -> Household {
        let mut h = base();
        h.number = number.to_owned();
        h.village = RegionCode::parse(village).unwrap();
        h
    }

    fn member(seq: u16, year: i32, name: &str, relation: Relation) -> Member {
        let mut m = base_member(d(year, 3, 4), seq, relation);
        m.name = name.to_owned();
        m
    }

    #[test]
    fn names() {
        assert_eq!(normalise_name(" 张　三 "), "张三");
        assert_eq!(normalise_name("阿依·古丽"), "阿依古丽");
        assert_eq!(normalise_name("ＡＢ李"), "ab李");
        assert!(names_close("张伟", "张玮"));
        assert!(names_close("王小明", "王明"));
        assert!(!names_close("张伟", "李玮"));
        assert!(!names_close("张", "张伟"));
        assert!(!names_close("", ""));
    }

    #[test]
    fn each_kind() {
        let mut a = household("A001", "141123208201");
        a.members = vec![member(1, 1960, "张三", Relation::Head)];
        // D1: the same ID number in B.
        let mut b = household("B001", "141123208202");
        b.members = vec![
            member(2, 1970, "李四", Relation::Head),
            member(1, 1960, "张三", Relation::Other),
        ];
        // D2: C and D the same people under two numbers (a space in one name, other IDs).
        let mut c = household("C001", "141123208203");
        c.members = vec![member(3, 1950, "王五", Relation::Head)];
        let mut dd = household("D001", "141123208203");
        dd.members = vec![member(4, 1950, "王 五", Relation::Head)];
        // D3: E's 赵六 and F's 赵陆, same village and birth date, other IDs.
        let mut e = household("E001", "141123208204");
        e.members = vec![
            member(5, 1980, "赵六", Relation::Head),
            member(7, 1990, "钱七", Relation::Spouse),
        ];
        let mut f = household("F001", "141123208204");
        f.members = vec![
            member(6, 1980, "赵陆", Relation::Head),
            member(8, 1991, "孙八", Relation::Spouse),
        ];
        // Clean: G in another village with E's 赵六's name and birth date.
        let mut g = household("G001", "141123208205");
        g.members = vec![member(9, 1980, "赵六", Relation::Head)];
        let all = [&a, &b, &c, &dd, &e, &f, &g];
        let found = detect(&all);
        let kinds: Vec<(&str, &str, &str)> = found
            .iter()
            .map(|c| (c.kind.code(), c.a.number.as_str(), c.b.number.as_str()))
            .collect();
        assert_eq!(
            kinds,
            [
                ("D1", "A001", "B001"),
                ("D2", "C001", "D001"),
                ("D3", "E001", "F001")
            ],
            "{found:#?}"
        );
        assert_eq!(found[0].members.len(), 2);
        assert!(found[0].reason_zh.contains("********"));
        assert_eq!(found[2].members[0].name, "赵六");
        // Same head ID: D2 (and D1 for the head), not D3.
        let mut h = household("H001", "141123208201");
        h.members = vec![member(1, 1960, "张三", Relation::Head)];
        let found = detect(&[&a, &h]);
        let kinds: Vec<&str> = found.iter().map(|c| c.kind.code()).collect();
        assert_eq!(kinds, ["D1", "D2"]);
        // Nothing without duplicates.
        assert!(detect(&[&a, &c, &e, &g]).is_empty());
    }
}
