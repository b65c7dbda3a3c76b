//! 一人: a member of a family with labour, health, schooling and education consistent on the reference date.

use super::*;

/// What the income model needs to know about a member besides [`Member`].
pub(super) struct Info {
    pub(super) age: u32,
    pub(super) school: Option<SchoolStatus>,
}

/// Builds one member with attributes consistent with age, sex and household kind.
pub(super) fn member(g: &mut Gen, p: &Proto, kind: Kind, earlier: &[Member]) -> (Member, Info) {
    let birth = g.birth_date(p.age);
    let region = if p.married_in && g.chance(0.3) {
        g.pick(OUTSIDE_REGIONS, COUNTY_CODE)
    } else {
        COUNTY_CODE
    };
    let (id_number, birth) = g.id_number(region, birth, p.sex);
    let age = p.age;
    // Age at the start of the registry year's school year (1 September; 2022/23 in the classic frame).
    let school_age = {
        let before_sept = (birth.month(), birth.day()) <= (8, 31);
        (g.year - birth.year()) - i32::from(!before_sept)
    };

    // Name, avoiding a duplicate full name inside the household.
    let mut name = String::new();
    for _ in 0..8 {
        name = format!("{}{}", p.surname, g.given_name(p.sex, birth.year()));
        if !earlier.iter().any(|m| m.name == name) {
            break;
        }
    }

    let school = school_status(g, school_age);
    let in_school = school.is_some_and(|s| s.is_enrolled() && s != SchoolStatus::Preschool);

    // Health (multi-valued).
    let hf = kind.health_factor();
    let (chronic_p, serious_p, disabled_p) = match age {
        0..=29 => (0.01, 0.002, 0.01),
        30..=44 => (0.04, 0.005, 0.025),
        45..=59 => (0.12, 0.01, 0.04),
        60..=69 => (0.25, 0.02, 0.06),
        _ => (0.35, 0.025, 0.08),
    };
    let mut health = Vec::new();
    if g.chance(chronic_p * hf) {
        health.push(HealthStatus::Chronic);
    }
    if g.chance(serious_p * hf) {
        health.push(HealthStatus::SeriousIllness);
    }
    let mut disability_grade = None;
    if g.chance(disabled_p * hf) {
        health.push(HealthStatus::Disabled);
        disability_grade = Some(match g.weighted(&[12, 25, 30, 33]) {
            0 => 1,
            1 => 2,
            2 => 3,
            _ => 4,
        });
    }
    let severe =
        health.contains(&HealthStatus::SeriousIllness) || disability_grade.is_some_and(|d| d <= 2);
    let ill = !health.is_empty();
    if health.is_empty() {
        health.push(HealthStatus::Healthy);
    }

    let labour = if age < 16 || in_school {
        LabourSkill::None
    } else if age <= 60 {
        if severe {
            if g.chance(0.7) {
                LabourSkill::Lost
            } else {
                LabourSkill::Weak
            }
        } else if ill {
            if g.chance(0.6) {
                LabourSkill::Weak
            } else {
                LabourSkill::Ordinary
            }
        } else {
            match g.weighted(&[800, 195, 5]) {
                0 => LabourSkill::Ordinary,
                1 => LabourSkill::Skilled,
                _ => LabourSkill::Weak, // a few suspicious records (质量检查 finds them)
            }
        }
    } else if age < 70 {
        if severe {
            if g.chance(0.6) {
                LabourSkill::Lost
            } else {
                LabourSkill::None
            }
        } else if ill {
            [LabourSkill::Weak, LabourSkill::None, LabourSkill::Ordinary][g.weighted(&[50, 35, 15])]
        } else {
            [LabourSkill::Ordinary, LabourSkill::Weak, LabourSkill::None][g.weighted(&[45, 45, 10])]
        }
    } else if severe {
        if g.chance(0.5) {
            LabourSkill::Lost
        } else {
            LabourSkill::None
        }
    } else if !ill && age < 76 && g.chance(0.3) {
        LabourSkill::Weak
    } else {
        LabourSkill::None
    };

    let education = education(g, age, birth.year(), school);

    let political = if age >= 18 {
        let party = match p.sex {
            Sex::Male => 0.07,
            Sex::Female => 0.025,
        } * if age >= 40 { 1.3 } else { 1.0 };
        let x = g.f();
        if x < party {
            PoliticalStatus::PartyMember
        } else if x < party + 0.002 {
            PoliticalStatus::ProbationaryMember
        } else if age <= 28 && g.chance(if in_school { 0.55 } else { 0.3 }) {
            PoliticalStatus::LeagueMember
        } else {
            PoliticalStatus::Masses
        }
    } else if age >= 14 && g.chance(0.35) {
        PoliticalStatus::LeagueMember
    } else {
        PoliticalStatus::Masses
    };

    // Basic medical insurance: a few gaps for the data-quality checks to find.
    let has_medical_insurance = !g.chance(if age == 0 { 0.03 } else { 0.005 });

    let member = Member {
        id_number,
        name,
        sex: p.sex,
        relation: p.relation,
        labour,
        health,
        education,
        school,
        political,
        has_medical_insurance,
        dibao: Dibao::None,
        tekun: Tekun::None,
        disability_grade,
    };
    (member, Info { age, school })
}

/// 在校生状况 for an age at the start of the registry year's school year (`None`: not in school).
pub(super) fn school_status(g: &mut Gen, school_age: i32) -> Option<SchoolStatus> {
    use SchoolStatus::*;
    match school_age {
        ..=2 => Some(PreschoolAge),
        3..=5 => Some(if g.chance(0.88) {
            Preschool
        } else {
            PreschoolAge
        }),
        // A very few children out of compulsory school (控辍保学 finds them).
        6..=14 if g.chance(0.002) => None,
        6..=11 => Some(Primary),
        12 => Some(Grade7),
        13 => Some(Grade8),
        14 => Some(Grade9),
        15..=17 => {
            let year = (school_age - 15) as usize;
            // A few leave school after grade 9 (fewer at 15, still of compulsory-school age).
            let out = if school_age == 15 { 4 } else { 12 };
            match g.weighted(&[60, 28, out]) {
                0 => [HighSchool1, HighSchool2, HighSchool3].get(year).copied(),
                1 => [Vocational1, Vocational2, Vocational3].get(year).copied(),
                _ => None,
            }
        }
        18..=21 => {
            let year = (school_age - 18) as usize;
            match g.weighted(&[22, 20, 3, 55]) {
                0 => [HigherVocational1, HigherVocational2, HigherVocational3]
                    .get(year)
                    .copied()
                    .or(Some(Undergraduate)),
                1 => Some(Undergraduate),
                2 => Some(TechnicianCollege),
                _ => None,
            }
        }
        22..=25 if g.chance(0.02) => Some(Postgraduate),
        _ => None,
    }
}

/// 文化程度: the current stage for pupils and students, else by birth cohort.
pub(super) fn education(
    g: &mut Gen,
    age: u32,
    birth_year: i32,
    school: Option<SchoolStatus>,
) -> Option<Education> {
    use SchoolStatus as S;
    if let Some(s) = school {
        return match s {
            S::PreschoolAge | S::Preschool => None,
            S::Primary => Some(Education::Primary),
            S::Grade7 | S::Grade8 | S::Grade9 => Some(Education::JuniorSecondary),
            S::HighSchool1
            | S::HighSchool2
            | S::HighSchool3
            | S::Vocational1
            | S::Vocational2
            | S::Vocational3 => Some(Education::SeniorSecondary),
            S::HigherVocational1
            | S::HigherVocational2
            | S::HigherVocational3
            | S::TechnicianCollege => Some(Education::College),
            S::Undergraduate | S::Postgraduate => Some(Education::BachelorOrAbove),
        };
    }
    if age < 6 {
        return None;
    }
    if age < 16 {
        return Some(Education::Primary);
    }
    let weights: [u32; 6] = if birth_year < 1950 {
        [50, 40, 9, 1, 0, 0]
    } else if birth_year < 1965 {
        [20, 45, 30, 5, 0, 0]
    } else if birth_year < 1980 {
        [5, 25, 55, 12, 2, 1]
    } else if birth_year < 1995 {
        [1, 10, 50, 20, 12, 7]
    } else {
        [0, 3, 38, 25, 20, 14]
    };
    use Education::*;
    [
        Illiterate,
        Primary,
        JuniorSecondary,
        SeniorSecondary,
        College,
        BachelorOrAbove,
    ]
    .get(g.weighted(&weights))
    .copied()
}
