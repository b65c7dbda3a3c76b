//! Tests of the data-quality checks: each check, the catalogue, and properties over random households.

use super::*;
use crate::codes::{
    Guarantee, HealthStatus, HouseholdType, LabourSkill, MeasureClass, MonitoredType, Relation,
    RiskType, SchoolStatus, Sex,
};
use crate::household::Member;
use crate::household::tests::{d, household, member};

const AS_OF: NaiveDate = match NaiveDate::from_ymd_opt(2022, 6, 30) {
    Some(x) => x,
    None => NaiveDate::MIN,
};

fn ctx() -> QualityContext {
    QualityContext {
        line: Fen::from_yuan(6500),
        ..Default::default()
    }
}

fn codes(h: &Household, c: &QualityContext) -> Vec<&'static str> {
    check_household(h, AS_OF, c)
        .iter()
        .map(|f| f.code)
        .collect()
}

fn fires(h: &Household, c: &QualityContext, code: &str) -> usize {
    check_household(h, AS_OF, c)
        .iter()
        .filter(|f| f.code == code)
        .count()
}

/// A monitored household with everything in order.
fn monitored() -> Household {
    let mut h = household();
    h.household_type = HouseholdType::Alleviated;
    h.monitored_type = Some(MonitoredType::Unstable);
    h.risks = vec![RiskType::Illness];
    h
}

#[test]
fn clean_household_has_no_findings() {
    assert_eq!(codes(&household(), &ctx()), Vec::<&str>::new());
    assert_eq!(codes(&monitored(), &ctx()), Vec::<&str>::new());
    assert!(validate(&household()).is_empty());
}

#[test]
fn catalogue() {
    assert_eq!(CHECKS.len(), 19);
    for (i, c) in CHECKS.iter().enumerate() {
        assert_eq!(c.code, format!("Q{:02}", i + 1));
        assert!(!c.title_zh.is_empty() && !c.title_en.is_empty());
    }
    assert_eq!(check_info("Q07").map(|c| c.severity), Some(Severity::Error));
    assert_eq!(
        check_info("Q02").map(|c| c.severity),
        Some(Severity::Warning)
    );
    assert_eq!(check_info("Q99"), None);
}

#[test]
fn q01_under_16_must_have_no_labour() {
    let mut h = household();
    // 16th birthday on 2022-07-01: still 15 on AS_OF
    let mut child = member(d(2006, 7, 1), 33, Relation::Son);
    child.school = Some(SchoolStatus::HighSchool1);
    child.labour = LabourSkill::Ordinary;
    h.members.push(child.clone());
    let f = check_household(&h, AS_OF, &ctx());
    let q: Vec<_> = f.iter().filter(|f| f.code == "Q01").collect();
    assert_eq!(q.len(), 1);
    assert_eq!(q[0].member, Some(child.id_number));
    assert_eq!(q[0].severity, Severity::Error);
    assert!(q[0].message_zh.contains("15周岁") && q[0].message_zh.contains("普通劳动力"));
    assert!(q[0].message_en.contains("under 16"));
    // not firing: the same child with no labour
    h.members[2].labour = LabourSkill::None;
    assert_eq!(fires(&h, &ctx(), "Q01"), 0);
    // not firing: turned 16 on as_of
    let mut h2 = household();
    let mut c2 = member(d(2006, 6, 30), 33, Relation::Son);
    c2.labour = LabourSkill::Ordinary;
    h2.members.push(c2);
    assert_eq!(fires(&h2, &ctx(), "Q01"), 0);
}

#[test]
fn q02_healthy_adult_with_weak_labour_is_suspicious() {
    let mut h = household();
    h.members[1].labour = LabourSkill::Weak;
    let f = check_household(&h, AS_OF, &ctx());
    assert_eq!(f.len(), 1);
    assert_eq!((f[0].code, f[0].severity), ("Q02", Severity::Warning));
    for l in [LabourSkill::None, LabourSkill::Lost] {
        h.members[1].labour = l;
        assert_eq!(fires(&h, &ctx(), "Q02"), 1);
    }
    // not firing: ill
    h.members[1].health = vec![HealthStatus::Chronic];
    assert_eq!(fires(&h, &ctx(), "Q02"), 0);
    // not firing: in school
    h.members[1].health = vec![HealthStatus::Healthy];
    h.members[1].school = Some(SchoolStatus::Undergraduate);
    assert_eq!(fires(&h, &ctx(), "Q02"), 0);
    // not firing: over 60 (61 on AS_OF), or ordinary labour
    let mut old = household();
    old.members[1] = member(d(1961, 6, 30), 22, Relation::Spouse);
    old.members[1].labour = LabourSkill::None;
    assert_eq!(fires(&old, &ctx(), "Q02"), 0);
    old.members[1] = member(d(1961, 7, 1), 22, Relation::Spouse);
    old.members[1].labour = LabourSkill::None;
    assert_eq!(fires(&old, &ctx(), "Q02"), 1, "60 until the birthday");
    assert_eq!(fires(&household(), &ctx(), "Q02"), 0);
}

#[test]
fn q03_lack_of_labour_with_labourers() {
    let mut h = monitored();
    h.risks = vec![RiskType::LackOfLabour];
    // 2 of 2 full labourers
    assert_eq!(fires(&h, &ctx(), "Q03"), 1);
    // 1 of 4: exactly a quarter, not over
    h.members[1].labour = LabourSkill::Lost;
    h.members[1].health = vec![HealthStatus::SeriousIllness];
    for seq in [40, 42] {
        let mut m = member(d(1940, 1, 1), seq, Relation::Father);
        m.labour = LabourSkill::None;
        h.members.push(m);
    }
    assert_eq!(fires(&h, &ctx(), "Q03"), 0);
    // 2 of 4: over a quarter
    h.members[2].labour = LabourSkill::Skilled;
    assert_eq!(fires(&h, &ctx(), "Q03"), 1);
    // without the risk: nothing
    h.risks = vec![RiskType::Illness];
    assert_eq!(fires(&h, &ctx(), "Q03"), 0);
    assert!(validate(&h).is_empty());
}

#[test]
fn q04_unstable_employment_without_labour() {
    let mut h = monitored();
    h.risks = vec![RiskType::UnstableEmployment];
    assert_eq!(fires(&h, &ctx(), "Q04"), 0);
    for m in &mut h.members {
        m.labour = LabourSkill::Lost;
        m.health = vec![HealthStatus::Disabled];
        m.disability_grade = Some(1);
    }
    assert_eq!(fires(&h, &ctx(), "Q04"), 1);
    // a weak labourer can work
    h.members[0].labour = LabourSkill::Weak;
    assert_eq!(fires(&h, &ctx(), "Q04"), 0);
}

#[test]
fn q05_developmental_measure_after_6_months() {
    let h = monitored();
    let mut c = ctx();
    c.identified_on = Some(d(2021, 12, 30));
    // exactly 6 months on AS_OF: due
    assert_eq!(fires(&h, &c, "Q05"), 1);
    // month-end: 2021-12-31 + 6 months = 2022-06-30, due on AS_OF
    c.identified_on = Some(d(2021, 12, 31));
    assert_eq!(fires(&h, &c, "Q05"), 1);
    // one day short of 6 months (due 2022-07-01)
    c.identified_on = Some(d(2022, 1, 1));
    assert_eq!(fires(&h, &c, "Q05"), 0);
    c.identified_on = Some(d(2021, 1, 1));
    c.developmental_measure_on = Some(d(2021, 3, 1));
    assert_eq!(fires(&h, &c, "Q05"), 0);
    // a measure dated after as_of does not count
    c.developmental_measure_on = Some(d(2022, 7, 1));
    assert_eq!(fires(&h, &c, "Q05"), 1);
    // no labour: not required
    let mut nl = h.clone();
    for m in &mut nl.members {
        m.labour = LabourSkill::Lost;
        m.health = vec![HealthStatus::SeriousIllness];
    }
    assert_eq!(fires(&nl, &c, "Q05"), 0);
    // not monitored: not required
    assert_eq!(fires(&household(), &c, "Q05"), 0);
    // unknown identification date: not checked
    c.identified_on = None;
    assert_eq!(fires(&h, &c, "Q05"), 0);
}

#[test]
fn q06_guarantee_needs_risk_and_measure() {
    let mut h = monitored();
    let mut c = ctx();
    c.guarantee_problems = vec![Guarantee::Housing, Guarantee::Housing];
    let f = check_household(&h, AS_OF, &c);
    let q: Vec<_> = f.iter().filter(|f| f.code == "Q06").collect();
    assert_eq!(q.len(), 1, "one finding per guarantee");
    assert!(q[0].message_zh.contains("风险类型") && q[0].message_zh.contains("帮扶措施"));
    h.risks.push(RiskType::Housing);
    let f = check_household(&h, AS_OF, &c);
    let q: Vec<_> = f.iter().filter(|f| f.code == "Q06").collect();
    assert!(q[0].message_zh.contains("未落实") && !q[0].message_zh.contains("风险类型"));
    c.measures = vec![MeasureClass::Housing];
    assert_eq!(fires(&h, &c, "Q06"), 0);
    // measure without risk
    h.risks = vec![RiskType::Illness];
    let f = check_household(&h, AS_OF, &c);
    assert!(
        f.iter()
            .any(|f| f.code == "Q06" && f.message_en.contains("risk type"))
    );
    // medical: illness risk + health measure
    c.guarantee_problems = vec![Guarantee::BasicMedical];
    c.measures = vec![MeasureClass::Health];
    assert_eq!(fires(&h, &c, "Q06"), 0);
    // water: a disaster sub-code does not match
    c.guarantee_problems = vec![Guarantee::DrinkingWater, Guarantee::CompulsoryEducation];
    c.measures = vec![MeasureClass::Water, MeasureClass::CompulsoryEducation];
    h.risks = vec![RiskType::Water, RiskType::DisasterDrought];
    assert_eq!(fires(&h, &c, "Q06"), 1);
    h.risks.push(RiskType::Schooling);
    assert_eq!(fires(&h, &c, "Q06"), 0);
}

#[test]
fn q07_medical_insurance() {
    let mut h = household();
    h.members[0].has_medical_insurance = false;
    let f = validate(&h);
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].code, "Q07");
    assert_eq!(f[0].member, Some(h.members[0].id_number));
    assert!(f[0].message_zh.contains("成员11"));
    assert_eq!(fires(&household(), &ctx(), "Q07"), 0);
}

#[test]
fn q08_elimination_within_6_months() {
    let h = monitored();
    let mut c = ctx();
    c.identified_on = Some(d(2022, 1, 15));
    c.developmental_measure_on = Some(d(2022, 2, 1));
    c.eliminated_on = Some(d(2022, 7, 14));
    assert_eq!(fires(&h, &c, "Q08"), 1);
    c.eliminated_on = Some(d(2022, 7, 15));
    assert_eq!(fires(&h, &c, "Q08"), 0);
    // month-end: 2021-08-31 + 6 months = 2022-02-28
    c.identified_on = Some(d(2021, 8, 31));
    c.eliminated_on = Some(d(2022, 2, 27));
    assert_eq!(fires(&h, &c, "Q08"), 1);
    c.eliminated_on = Some(d(2022, 2, 28));
    assert_eq!(fires(&h, &c, "Q08"), 0);
    // eliminated before identified
    c.identified_on = Some(d(2022, 3, 1));
    c.eliminated_on = Some(d(2022, 2, 28));
    assert_eq!(fires(&h, &c, "Q08"), 1);
    // not eliminated
    c.eliminated_on = None;
    assert_eq!(fires(&h, &c, "Q08"), 0);
}

#[test]
fn q09_elimination_below_line() {
    let h = monitored();
    let mut c = ctx();
    c.eliminated_on = Some(d(2022, 6, 1));
    c.latest_per_capita = Some(Fen(649_999));
    let f = check_household(&h, AS_OF, &c);
    let q: Vec<_> = f.iter().filter(|f| f.code == "Q09").collect();
    assert_eq!(q.len(), 1);
    assert!(q[0].message_zh.contains("6499.99") && q[0].message_zh.contains("6500.00"));
    c.latest_per_capita = Some(Fen(650_000)); // on the line is not below
    assert_eq!(fires(&h, &c, "Q09"), 0);
    c.latest_per_capita = Some(Fen(1));
    c.eliminated_on = None;
    assert_eq!(fires(&h, &c, "Q09"), 0);
}

#[test]
fn q10_exactly_one_head() {
    let mut h = household();
    h.members[1].relation = Relation::Head;
    assert_eq!(fires(&h, &ctx(), "Q10"), 1);
    h.members[0].relation = Relation::Spouse;
    h.members[1].relation = Relation::Son;
    assert_eq!(fires(&h, &ctx(), "Q10"), 1);
    assert_eq!(fires(&household(), &ctx(), "Q10"), 0);
}

#[test]
fn q11_risk_count_and_duplicates() {
    let mut h = monitored();
    h.risks = vec![
        RiskType::Illness,
        RiskType::Disability,
        RiskType::Accident,
        RiskType::Schooling,
        RiskType::Housing,
    ];
    assert_eq!(fires(&h, &ctx(), "Q11"), 0);
    h.risks.push(RiskType::Water);
    assert_eq!(fires(&h, &ctx(), "Q11"), 1);
    h.risks = vec![RiskType::Illness, RiskType::Illness, RiskType::Illness];
    assert_eq!(fires(&h, &ctx(), "Q11"), 1);
}

#[test]
fn q12_sex_matches_id() {
    let mut h = household();
    h.members[0].sex = if h.members[0].sex == Sex::Male {
        Sex::Female
    } else {
        Sex::Male
    };
    let f = validate(&h);
    assert_eq!(f.iter().map(|f| f.code).collect::<Vec<_>>(), ["Q12"]);
    assert_eq!(fires(&household(), &ctx(), "Q12"), 0);
}

#[test]
fn q13_duplicate_ids() {
    let mut h = household();
    let dup = h.members[1].clone();
    h.members.push(dup.clone());
    h.members.push(dup);
    assert_eq!(fires(&h, &ctx(), "Q13"), 1);
    assert_eq!(fires(&household(), &ctx(), "Q13"), 0);
}

#[test]
fn q14_monitored_without_risk() {
    let mut h = monitored();
    h.risks.clear();
    assert_eq!(fires(&h, &ctx(), "Q14"), 1);
    assert_eq!(fires(&monitored(), &ctx(), "Q14"), 0);
    let mut derived = household();
    derived.household_type = HouseholdType::Monitored;
    assert_eq!(fires(&derived, &ctx(), "Q14"), 1);
}

#[test]
fn q15_type_fit() {
    let mut h = monitored();
    h.household_type = HouseholdType::Ordinary;
    assert_eq!(fires(&h, &ctx(), "Q15"), 1);
    h.monitored_type = Some(MonitoredType::Marginal);
    assert_eq!(fires(&h, &ctx(), "Q15"), 0);
    h.household_type = HouseholdType::Alleviated;
    assert_eq!(fires(&h, &ctx(), "Q15"), 1);
    h.monitored_type = Some(MonitoredType::SuddenHardship);
    assert_eq!(fires(&h, &ctx(), "Q15"), 0);
}

#[test]
fn q16_health_contradiction() {
    let mut h = household();
    h.members[0].health = vec![HealthStatus::Healthy, HealthStatus::Chronic];
    assert_eq!(fires(&h, &ctx(), "Q16"), 1);
    h.members[0].health = vec![HealthStatus::Healthy];
    h.members[0].disability_grade = Some(2);
    assert_eq!(fires(&h, &ctx(), "Q16"), 1);
    h.members[0].health = vec![HealthStatus::Disabled, HealthStatus::Chronic];
    assert_eq!(fires(&h, &ctx(), "Q16"), 0);
}

#[test]
fn q17_disability_grade_range() {
    let mut h = household();
    h.members[0].health = vec![HealthStatus::Disabled];
    h.members[0].disability_grade = Some(5);
    assert_eq!(fires(&h, &ctx(), "Q17"), 1);
    h.members[0].disability_grade = Some(0);
    assert_eq!(fires(&h, &ctx(), "Q17"), 1);
    h.members[0].disability_grade = Some(4);
    assert_eq!(fires(&h, &ctx(), "Q17"), 0);
}

#[test]
fn q18_school_age_child_not_in_school() {
    let mut h = household();
    let mut c = member(d(2012, 9, 1), 44, Relation::Daughter);
    c.labour = LabourSkill::None;
    c.education = Some(crate::codes::Education::Primary);
    h.members.push(c);
    assert_eq!(fires(&h, &ctx(), "Q18"), 1);
    h.members[2].school = Some(SchoolStatus::PreschoolAge);
    assert_eq!(fires(&h, &ctx(), "Q18"), 1);
    h.members[2].school = Some(SchoolStatus::Grade7);
    assert_eq!(fires(&h, &ctx(), "Q18"), 0);
    // 6-year-olds are not yet checked
    let mut y = household();
    let mut c = member(d(2016, 1, 1), 46, Relation::Son);
    c.labour = LabourSkill::None;
    y.members.push(c);
    assert_eq!(fires(&y, &ctx(), "Q18"), 0);
}

#[test]
fn q19_household_outside_the_grids() {
    let h = household();
    assert_eq!(fires(&h, &ctx(), "Q19"), 0);
    let outside = QualityContext {
        outside_grids: true,
        ..ctx()
    };
    assert_eq!(fires(&h, &outside, "Q19"), 1);
    assert_eq!(check_info("Q19").map(|c| c.severity), Some(Severity::Error));
}

mod props {
    use super::*;
    use crate::codes::{Dibao, Tekun};
    use proptest::prelude::*;

    fn arb_member() -> impl Strategy<Value = Member> {
        (
            0i64..36_500,
            0usize..5,
            proptest::collection::vec(0usize..4, 0..3),
            proptest::option::of(0usize..18),
            any::<bool>(),
            0u16..1000,
            proptest::option::of(0u8..7),
            0usize..22,
        )
            .prop_map(|(days, labour, health, school, insured, seq, grade, rel)| {
                let birth = d(1922, 7, 1) + chrono::Duration::days(days);
                let mut m = member(birth, seq, Relation::ALL[rel]);
                m.labour = LabourSkill::ALL[labour];
                m.health = health.into_iter().map(|i| HealthStatus::ALL[i]).collect();
                m.school = school.map(|i| SchoolStatus::ALL[i]);
                m.has_medical_insurance = insured;
                m.disability_grade = grade;
                m.dibao = Dibao::None;
                m.tekun = Tekun::None;
                m
            })
    }

    fn arb_household() -> impl Strategy<Value = Household> {
        (
            proptest::collection::vec(arb_member(), 0..8),
            proptest::collection::vec(0usize..18, 0..7),
            proptest::option::of(0usize..3),
            0usize..3,
        )
            .prop_map(|(members, risks, mt, ht)| {
                let mut h = household();
                h.members = members;
                h.risks = risks.into_iter().map(|i| RiskType::ALL[i]).collect();
                h.monitored_type = mt.map(|i| MonitoredType::ALL[i]);
                h.household_type = HouseholdType::ALL[ht];
                h
            })
    }

    fn arb_date() -> impl Strategy<Value = NaiveDate> {
        (0i64..3_000).prop_map(|n| d(2018, 1, 1) + chrono::Duration::days(n))
    }

    proptest! {
        #[test]
        fn findings_follow_the_rules(
            h in arb_household(),
            as_of in arb_date(),
            ident in proptest::option::of(arb_date()),
            elim in proptest::option::of(arb_date()),
            pc in proptest::option::of(-100_000i64..2_000_000),
        ) {
            let c = QualityContext {
                identified_on: ident,
                eliminated_on: elim,
                latest_per_capita: pc.map(Fen),
                line: Fen::from_yuan(6500),
                ..Default::default()
            };
            let f = check_household(&h, as_of, &c);
            let count = |code: &str| f.iter().filter(|x| x.code == code).count();
            let under16 = h.members.iter()
                .filter(|m| m.age_on(as_of) < 16 && m.labour != LabourSkill::None).count();
            prop_assert_eq!(count("Q01"), under16);
            prop_assert_eq!(count("Q07"), h.members.iter().filter(|m| !m.has_medical_insurance).count());
            let heads = h.members.iter().filter(|m| m.relation == Relation::Head).count();
            prop_assert_eq!(count("Q10"), usize::from(heads != 1));
            prop_assert_eq!(count("Q09"), usize::from(elim.is_some() && pc.is_some_and(|p| p < 650_000)));
            // codes ascending, every finding described in the catalogue and in both languages
            for w in f.windows(2) {
                prop_assert!(w[0].code <= w[1].code);
            }
            for x in &f {
                let info = check_info(x.code);
                prop_assert!(info.is_some());
                prop_assert_eq!(info.map(|i| i.severity), Some(x.severity));
                prop_assert!(!x.message_zh.is_empty() && !x.message_en.is_empty());
                if let Some(id) = x.member {
                    prop_assert!(h.member(id).is_some());
                }
            }
            // validate() is the date-free subset
            for v in validate(&h) {
                prop_assert!(f.contains(&v));
            }
        }
    }
}

#[test]
fn findings_are_in_code_order() {
    let mut h = monitored();
    h.members[1].has_medical_insurance = false;
    h.members[1].relation = Relation::Head;
    let mut kid = member(d(2010, 1, 1), 55, Relation::Son);
    kid.school = Some(SchoolStatus::Grade7);
    h.members.push(kid);
    assert_eq!(codes(&h, &ctx()), ["Q01", "Q07", "Q10"]);
}
