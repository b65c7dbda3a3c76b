//! 一户: the household of a village plan, its monitored type and its family (年龄, 性别, 关系).

use super::*;

/// One household of a village (or of the settlement point).
pub(super) fn household(g: &mut Gen, v: &VillagePlan, serial: usize) -> DemoHousehold {
    let kind = if v.settlement {
        match g.weighted(&[86, 6, 8]) {
            0 => Kind::Alleviated,
            1 => Kind::Monitored(monitored_type(g)),
            _ => Kind::Ordinary,
        }
    } else {
        match g.weighted(&[270, 30, 700]) {
            0 => Kind::Alleviated,
            1 => Kind::Monitored(monitored_type(g)),
            _ => Kind::Ordinary,
        }
    };
    let size_weights: &[u32] = match kind {
        Kind::Ordinary => &[14, 30, 20, 18, 11, 5, 2],
        Kind::Alleviated => &[18, 30, 18, 16, 11, 5, 2],
        Kind::Monitored(_) => &[22, 28, 17, 15, 11, 5, 2],
    };
    let size = g.weighted(size_weights) + 1;
    let protos = family(g, size);

    let mut members: Vec<Member> = Vec::with_capacity(protos.len());
    let mut infos: Vec<Info> = Vec::with_capacity(protos.len());
    for p in &protos {
        let (m, info) = member(g, p, kind, &members);
        members.push(m);
        infos.push(info);
    }

    // 特困 and 低保 (household-level decisions).
    let no_labour = members.iter().all(|m| !m.labour.can_work());
    let head_age = protos.first().map_or(50, |p| p.age);
    let tekun = members.len() == 1
        && (head_age >= 60 || no_labour)
        && g.chance(if kind.is_alleviated_or_monitored() {
            0.35
        } else {
            0.12
        });
    if tekun {
        for m in &mut members {
            m.tekun = Tekun::Rural;
        }
    } else {
        // 低保 goes to households short of labour or with severe illness or disability; the
        // income model adds it where income is still below the line (兜底). A very few
        // households with full labour get it too (the checks of 低保 against income find them).
        let needy = members.iter().all(|m| !m.labour.is_full_labour())
            || members.iter().any(|m| {
                m.health.contains(&HealthStatus::SeriousIllness)
                    || m.disability_grade.is_some_and(|d| d <= 2)
            });
        let p = if needy {
            match kind {
                Kind::Ordinary => 0.06,
                Kind::Alleviated => 0.25,
                Kind::Monitored(_) => 0.5,
            }
        } else {
            0.004
        };
        if g.chance(p) {
            let whole = g.chance(0.7);
            for (m, info) in members.iter_mut().zip(&infos) {
                if whole || info.age >= 60 || !m.labour.can_work() {
                    m.dibao = Dibao::Rural;
                }
            }
        }
    }

    let risks = match kind {
        Kind::Monitored(t) => risks(g, t, &members, &infos),
        _ => Vec::new(),
    };

    let natural_village = if v.settlement || v.natural.is_empty() || g.chance(0.04) {
        None
    } else {
        let i = g.int(0, v.natural.len() as i64 - 1) as usize;
        v.natural.get(i)
    };
    let address = if v.settlement {
        format!(
            "{ADDRESS_PREFIX}{}{SETTLEMENT_STREET}{}号楼{}单元{}{:02}室",
            v.township,
            g.int(1, 24),
            g.int(1, 3),
            g.int(1, 6),
            g.int(1, 4)
        )
    } else {
        format!(
            "{ADDRESS_PREFIX}{}{}{}{}号",
            v.township,
            v.name,
            natural_village.map_or("", |n| n.1.as_str()),
            g.int(1, 180)
        )
    };
    let phone = if g.chance(0.88) {
        Some(g.phone())
    } else {
        None
    };

    let incomes = incomes(g, kind, v.settlement, &mut members, &infos, &risks);

    // The registry stores 脱贫户 or 一般农户; 监测户 is derived from the monitored type (core's
    // `HouseholdType` doc): 脱贫不稳定户 are 脱贫户, 边缘易致贫户 一般农户, 突发严重困难户 either.
    let (household_type, monitored_type) = match kind {
        Kind::Ordinary => (HouseholdType::Ordinary, None),
        Kind::Alleviated => (HouseholdType::Alleviated, None),
        Kind::Monitored(t) => {
            let alleviated = match t {
                MonitoredType::Unstable => true,
                MonitoredType::Marginal => false,
                MonitoredType::SuddenHardship => v.settlement || g.chance(0.3),
            };
            let base = if alleviated {
                HouseholdType::Alleviated
            } else {
                HouseholdType::Ordinary
            };
            (base, Some(t))
        }
    };
    DemoHousehold {
        household: Household {
            number: format!("{}{serial:05}", v.code),
            village: v.code.clone(),
            natural_village: natural_village.map(|n| n.0.to_string()),
            household_type,
            address,
            phone,
            is_relocated: v.settlement,
            monitored_type,
            risks,
            members,
        },
        incomes,
    }
}

pub(super) fn monitored_type(g: &mut Gen) -> MonitoredType {
    match g.weighted(&[38, 47, 15]) {
        0 => MonitoredType::Unstable,
        1 => MonitoredType::Marginal,
        _ => MonitoredType::SuddenHardship,
    }
}

/// The family's composition: relations, sexes, ages and surnames, head first.
pub(super) fn family(g: &mut Gen, size: usize) -> Vec<Proto> {
    let fam = g.surname();
    let mut out: Vec<Proto> = Vec::with_capacity(size);
    let male = |age: u32, relation: Relation, surname| Proto {
        relation,
        sex: Sex::Male,
        age,
        surname,
        married_in: false,
    };
    let female = |age: u32, relation: Relation, surname, married_in| Proto {
        relation,
        sex: Sex::Female,
        age,
        surname,
        married_in,
    };
    match size {
        1 => {
            if g.chance(0.78) {
                let age = 60 + (g.f().powf(1.3) * 31.0) as u32;
                if g.chance(0.55) {
                    let s = g.other_surname(fam);
                    out.push(female(age, Relation::Head, s, true));
                } else {
                    out.push(male(age, Relation::Head, fam));
                }
            } else {
                let age = g.age(35, 59);
                if g.chance(0.88) {
                    out.push(male(age, Relation::Head, fam));
                } else {
                    let s = g.other_surname(fam);
                    out.push(female(age, Relation::Head, s, true));
                }
            }
        }
        2 => match g.weighted(&[52, 12, 16, 12, 8]) {
            0 | 1 | 4 => {
                let (lo, hi) = match g.weighted(&[52, 12, 8]) {
                    0 => (55, 88),
                    1 => (40, 54),
                    _ => (22, 34),
                };
                let age = g.age(lo, hi);
                out.push(male(age, Relation::Head, fam));
                let wife = g.age(age as i64 - 5, age as i64 + 1).max(20);
                let s = g.other_surname(fam);
                out.push(female(wife, Relation::Spouse, s, true));
            }
            2 => {
                let age = g.age(42, 80);
                if g.chance(0.55) {
                    let s = g.other_surname(fam);
                    out.push(female(age, Relation::Head, s, true));
                } else {
                    out.push(male(age, Relation::Head, fam));
                }
                out.push(child(g, age, fam));
            }
            _ => {
                let age = g.age(30, 58);
                out.push(male(age, Relation::Head, fam));
                if g.chance(0.65) {
                    let m = g.age(age as i64 + 20, age as i64 + 34);
                    let s = g.other_surname(fam);
                    out.push(female(m, Relation::Mother, s, true));
                } else {
                    let f = g.age(age as i64 + 22, age as i64 + 34);
                    out.push(male(f, Relation::Father, fam));
                }
            }
        },
        _ => {
            let three_gen = g.chance(if size >= 4 { 0.35 } else { 0.12 });
            if three_gen {
                let age = g.age(50, 74);
                out.push(male(age, Relation::Head, fam));
                let mut youngest_parent = age;
                if g.chance(0.85) {
                    let wife = g.age(age as i64 - 5, age as i64 + 1).max(45);
                    youngest_parent = youngest_parent.min(wife);
                    let s = g.other_surname(fam);
                    out.push(female(wife, Relation::Spouse, s, true));
                }
                let via_daughter = g.chance(0.1);
                let child_age = g.age(22, youngest_parent as i64 - 22).max(20);
                let in_law_age = g.age(child_age as i64 - 3, child_age as i64 + 3).max(20);
                let child_line_surname;
                if via_daughter {
                    out.push(female(child_age, Relation::Daughter, fam, false));
                    child_line_surname = g.other_surname(fam);
                    out.push(Proto {
                        relation: Relation::SonInLaw,
                        sex: Sex::Male,
                        age: in_law_age,
                        surname: child_line_surname,
                        married_in: true,
                    });
                } else {
                    out.push(male(child_age, Relation::Son, fam));
                    let s = g.other_surname(fam);
                    out.push(female(in_law_age, Relation::DaughterInLaw, s, true));
                    child_line_surname = fam;
                }
                let young_parent = child_age.min(in_law_age);
                let mut grandkids = 0;
                while out.len() < size {
                    if grandkids < 3 && young_parent >= 20 {
                        let a = g.age(0, young_parent as i64 - 20);
                        let boy = g.chance(0.52);
                        let relation = match (via_daughter, boy) {
                            (false, true) => Relation::Grandson,
                            (false, false) => Relation::Granddaughter,
                            (true, true) => Relation::DaughtersSon,
                            (true, false) => Relation::DaughtersDaughter,
                        };
                        out.push(Proto {
                            relation,
                            sex: if boy { Sex::Male } else { Sex::Female },
                            age: a,
                            surname: child_line_surname,
                            married_in: false,
                        });
                        grandkids += 1;
                    } else {
                        // An unmarried younger child of the head.
                        let a = g
                            .age(child_age as i64 - 10, child_age as i64 - 1)
                            .max(14)
                            .min(youngest_parent.saturating_sub(20));
                        let boy = g.chance(0.52);
                        out.push(Proto {
                            relation: if boy {
                                Relation::Son
                            } else {
                                Relation::Daughter
                            },
                            sex: if boy { Sex::Male } else { Sex::Female },
                            age: a,
                            surname: fam,
                            married_in: false,
                        });
                    }
                }
            } else {
                let female_head = g.chance(0.06);
                let age = g.age(26, 58);
                let mut youngest_parent = age;
                if female_head {
                    let s = g.other_surname(fam);
                    out.push(female(age, Relation::Head, s, true));
                } else {
                    out.push(male(age, Relation::Head, fam));
                    if g.chance(0.93) {
                        let wife = g.age(age as i64 - 5, age as i64 + 1).max(21);
                        youngest_parent = youngest_parent.min(wife);
                        let s = g.other_surname(fam);
                        out.push(female(wife, Relation::Spouse, s, true));
                    }
                }
                // Parents of the head, while at least one child still fits.
                let room = size.saturating_sub(out.len() + 1);
                let parents = if room == 0 || age > 58 {
                    0
                } else {
                    g.weighted(&[62, 22, 16]).min(room)
                };
                let head_surname = out.first().map_or(fam, |h| h.surname);
                if parents >= 1 {
                    let f_age = g.age(age as i64 + 22, age as i64 + 34);
                    let father = parents == 2 || g.chance(0.4);
                    let mother = parents == 2 || !father;
                    if father {
                        out.push(male(f_age, Relation::Father, head_surname));
                    }
                    if mother {
                        let m_age = g.age(f_age as i64 - 5, f_age as i64 + 1).max(age + 20);
                        let s = g.other_surname(head_surname);
                        out.push(female(m_age, Relation::Mother, s, true));
                    }
                }
                while out.len() < size {
                    out.push(child(g, youngest_parent, fam));
                }
            }
        }
    }
    out
}

/// A son or daughter of a parent aged `parent_age`.
pub(super) fn child(g: &mut Gen, parent_age: u32, fam: &'static str) -> Proto {
    let hi = parent_age as i64 - 20;
    let lo = (parent_age as i64 - 42).max(0);
    let age = if hi < 0 { 0 } else { g.age(lo, hi) };
    let boy = g.chance(0.52);
    Proto {
        relation: if boy {
            Relation::Son
        } else {
            Relation::Daughter
        },
        sex: if boy { Sex::Male } else { Sex::Female },
        age,
        surname: fam,
        married_in: false,
    }
}
