//! The pure, deterministic demo-county generator (演示县数据生成).
//!
//! One `ChaCha8Rng` seeded from the caller's seed drives every choice, in a fixed order, so the
//! same `(households, seed)` always gives the same county (on the same platform: the income
//! model uses `f64::ln`/`exp`).

use std::collections::HashSet;

use chrono::{Datelike, NaiveDate};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use shouwang_core::codes::{
    Dibao, Education, HealthStatus, HouseholdType, LabourSkill, MonitoredType, PoliticalStatus,
    RegionLevel, Relation, RiskType, SchoolStatus, Sex, Tekun,
};
use shouwang_core::money::Fen;
use shouwang_core::region::{Region, RegionCode};
use shouwang_core::{Household, IdNumber, IncomeRecord, Member, idnum};

use super::names::{
    ADDRESS_PREFIX, COUNTY_CODE, COUNTY_NAME, FEMALE_GIVEN, MALE_GIVEN, NATURAL_VILLAGE_NAMES,
    OUTSIDE_REGIONS, PHONE_PREFIXES, SETTLEMENT_NAME, SETTLEMENT_STREET, SURNAMES,
    TOWNSHIP_WEIGHTS, TOWNSHIPS, VILLAGE_CLANS, VILLAGE_PLAIN, VILLAGE_SUFFIXES,
};
use super::{AS_OF, DemoCounty, DemoHousehold};

/// Year of the reference date: ages are completed years on [`AS_OF`] (2022-12-31), so a person
/// born in year `Y` is `AS_OF_YEAR - Y` years old.
const AS_OF_YEAR: i32 = 2022;

/// Share of households living in the relocation settlement point (易地扶贫搬迁集中安置点).
const SETTLEMENT_SHARE: f64 = 0.035;

/// Number of administrative villages for `households` households: about `0.95·√N`, at least one
/// per township, at most 800 (≈ 300 at 100,000 households, 30 at 1,000).
pub(crate) fn village_count(households: u32) -> usize {
    let v = (0.95 * f64::from(households).sqrt()).round() as usize;
    v.clamp(TOWNSHIPS.len(), 800)
}

/// The generator's state: the random stream and the ID numbers handed out so far.
struct Gen {
    rng: ChaCha8Rng,
    ids: HashSet<IdNumber>,
}

/// The household's kind as the generator plans it (type and, for 监测户, the monitored type).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    Ordinary,
    Alleviated,
    Monitored(MonitoredType),
}

impl Kind {
    fn is_alleviated_or_monitored(self) -> bool {
        !matches!(self, Kind::Ordinary)
    }
    /// Multiplier of illness and disability rates.
    fn health_factor(self) -> f64 {
        match self {
            Kind::Ordinary => 1.0,
            Kind::Alleviated => 1.35,
            Kind::Monitored(_) => 2.2,
        }
    }
}

/// A member before attributes: relation, sex, age (completed years on [`AS_OF`]) and surname.
struct Proto {
    relation: Relation,
    sex: Sex,
    age: u32,
    surname: &'static str,
    /// Married into the family (spouse, 儿媳, 女婿, 之母 …): may be born outside the county.
    married_in: bool,
}

impl Gen {
    fn new(seed: u64) -> Self {
        Gen {
            rng: ChaCha8Rng::seed_from_u64(seed),
            ids: HashSet::new(),
        }
    }

    /// Uniform in [0, 1).
    fn f(&mut self) -> f64 {
        self.rng.random::<f64>()
    }

    fn chance(&mut self, p: f64) -> bool {
        self.f() < p
    }

    /// Uniform integer in `lo..=hi` (`lo` when the range is empty).
    fn int(&mut self, lo: i64, hi: i64) -> i64 {
        if hi <= lo {
            lo
        } else {
            self.rng.random_range(lo..=hi)
        }
    }

    fn age(&mut self, lo: i64, hi: i64) -> u32 {
        self.int(lo.max(0), hi.min(100)).clamp(0, 100) as u32
    }

    /// Uniform real in `lo..hi`.
    fn uniform(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.f()
    }

    /// Standard normal (Box–Muller).
    fn normal(&mut self) -> f64 {
        let u1 = 1.0 - self.f(); // (0, 1]
        let u2 = self.f();
        (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
    }

    fn lognormal(&mut self, median: f64, sigma: f64) -> f64 {
        median * (sigma * self.normal()).exp()
    }

    fn pick<T: Copy>(&mut self, xs: &[T], fallback: T) -> T {
        if xs.is_empty() {
            return fallback;
        }
        let i = self.rng.random_range(0..xs.len());
        xs.get(i).copied().unwrap_or(fallback)
    }

    /// Index drawn with the given weights (0 when all weights are zero).
    fn weighted(&mut self, weights: &[u32]) -> usize {
        let total: u64 = weights.iter().map(|&w| u64::from(w)).sum();
        if total == 0 {
            return 0;
        }
        let mut x = self.rng.random_range(0..total);
        for (i, &w) in weights.iter().enumerate() {
            let w = u64::from(w);
            if x < w {
                return i;
            }
            x -= w;
        }
        weights.len().saturating_sub(1)
    }

    fn surname(&mut self) -> &'static str {
        let i = self.weighted(&SURNAMES.iter().map(|s| s.1).collect::<Vec<_>>());
        SURNAMES.get(i).map_or("王", |s| s.0)
    }

    /// A surname other than `not`.
    fn other_surname(&mut self, not: &str) -> &'static str {
        for _ in 0..20 {
            let s = self.surname();
            if s != not {
                return s;
            }
        }
        if not == "李" { "王" } else { "李" }
    }

    fn given_name(&mut self, sex: Sex, birth_year: i32) -> &'static str {
        let cohort = if birth_year < 1960 {
            0
        } else if birth_year < 1985 {
            1
        } else {
            2
        };
        let list = match sex {
            Sex::Male => MALE_GIVEN[cohort],
            Sex::Female => FEMALE_GIVEN[cohort],
        };
        self.pick(list, "明")
    }

    /// A birth date in the year `AS_OF_YEAR - age` (so the age on [`AS_OF`] is exactly `age`).
    fn birth_date(&mut self, age: u32) -> NaiveDate {
        let year = AS_OF_YEAR - age as i32;
        let days = if NaiveDate::from_ymd_opt(year, 2, 29).is_some() {
            366
        } else {
            365
        };
        let ordinal = self.int(1, days) as u32;
        NaiveDate::from_yo_opt(year, ordinal).unwrap_or(AS_OF)
    }

    /// A fresh ID number for a person born on `birth` in `region`, unique within the county.
    fn id_number(&mut self, region: u32, mut birth: NaiveDate, sex: Sex) -> (IdNumber, NaiveDate) {
        let parity = u16::from(sex == Sex::Male);
        loop {
            for _ in 0..64 {
                let seq = (self.rng.random_range(0..500u16)) * 2 + parity;
                let id = idnum::make(region, birth, seq);
                if self.ids.insert(id) {
                    return (id, birth);
                }
            }
            // Practically unreachable (500 numbers per sex, region and day); move one day.
            birth = birth.pred_opt().unwrap_or(birth);
        }
    }

    fn phone(&mut self) -> String {
        let prefix = self.pick(PHONE_PREFIXES, "138");
        format!("{prefix}{:08}", self.int(0, 99_999_999))
    }
}

/// Generates the demo county. See [`super::generate`].
pub(crate) fn generate(households: u32, seed: u64) -> DemoCounty {
    let mut g = Gen::new(seed);
    let mut regions = Vec::new();
    let Some(county_code) = region_code(&format!("{COUNTY_CODE}000000")) else {
        return DemoCounty {
            seed,
            as_of: AS_OF,
            regions,
            households: Vec::new(),
        };
    };
    regions.push(Region {
        code: county_code.clone(),
        name: COUNTY_NAME.to_owned(),
        level: RegionLevel::County,
        parent: None,
    });

    // Villages per township, proportional to the township weights (largest remainder).
    let n_villages = village_count(households);
    let per_township = apportion(n_villages as u64, TOWNSHIP_WEIGHTS, 1);

    // Village names, unique within the county.
    let mut used_names: HashSet<String> = HashSet::new();
    // (code, name, township name, natural villages (name), relative size)
    let mut villages: Vec<VillagePlan> = Vec::new();
    for (t, &(tcode, tname)) in TOWNSHIPS.iter().enumerate() {
        let Some(township_code) = region_code(&format!("{COUNTY_CODE}{tcode:03}000")) else {
            continue;
        };
        regions.push(Region {
            code: township_code.clone(),
            name: tname.to_owned(),
            level: RegionLevel::Township,
            parent: Some(county_code.clone()),
        });
        let count = per_township.get(t).copied().unwrap_or(1);
        // Village codes 201..=999 (村民委员会 codes start at 200 in the national scheme).
        for v in 0..count.min(799) {
            let name = village_name(&mut g, &mut used_names);
            let Some(code) = region_code(&format!("{COUNTY_CODE}{tcode:03}{:03}", 201 + v)) else {
                continue;
            };
            // The township seat village is larger.
            let size = if v == 0 { 1.8 } else { g.lognormal(1.0, 0.45) };
            let n_nat = g.int(2, 5) as usize;
            let mut nat_names: Vec<String> = Vec::with_capacity(n_nat);
            // The main natural village carries the village's own name.
            nat_names.push(name.trim_end_matches('村').to_owned());
            while nat_names.len() < n_nat {
                let n = g.pick(NATURAL_VILLAGE_NAMES, "新村").to_owned();
                if !nat_names.contains(&n) {
                    nat_names.push(n);
                }
            }
            let nat: Vec<(RegionCode, String)> = nat_names
                .into_iter()
                .enumerate()
                .filter_map(|(i, n)| Some((code.natural_village(i as u8 + 1)?, n)))
                .collect();
            villages.push(VillagePlan {
                code,
                name,
                township: tname,
                township_code: township_code.clone(),
                natural: nat,
                size,
                settlement: false,
            });
        }
    }
    // The settlement point sits in the county seat (first township), at village level.
    // Its code 001 is in the range of 社区 (居民委员会) codes; synthetic like all codes here.
    let (seat_code, seat_name) = TOWNSHIPS.first().copied().unwrap_or((100, "蔚汾镇"));
    if let (Some(code), Some(township_code)) = (
        region_code(&format!("{COUNTY_CODE}{seat_code:03}001")),
        region_code(&format!("{COUNTY_CODE}{seat_code:03}000")),
    ) {
        villages.push(VillagePlan {
            code,
            name: SETTLEMENT_NAME.to_owned(),
            township: seat_name,
            township_code,
            natural: Vec::new(),
            size: 0.0,
            settlement: true,
        });
    }

    for v in &villages {
        regions.push(Region {
            code: v.code.clone(),
            name: v.name.clone(),
            level: if v.settlement {
                RegionLevel::Settlement
            } else {
                RegionLevel::Village
            },
            parent: Some(v.township_code.clone()),
        });
        for (code, name) in &v.natural {
            regions.push(Region {
                code: code.clone(),
                name: name.clone(),
                level: RegionLevel::NaturalVillage,
                parent: Some(v.code.clone()),
            });
        }
    }
    // Parents before children (county, townships, villages, natural villages).
    regions.sort_by_key(|r| level_rank(r.level));

    // Households per village.
    // At most 99,999 in the settlement point, so its 户编号 keep a 5-digit serial.
    let settled = ((f64::from(households) * SETTLEMENT_SHARE).round() as u64).min(99_999);
    let rural = u64::from(households).saturating_sub(settled);
    let weights: Vec<u32> = villages
        .iter()
        .filter(|v| !v.settlement)
        .map(|v| (v.size * 1000.0).round().max(1.0) as u32)
        .collect();
    let mut counts = apportion(rural, &weights, 0);
    if villages.last().is_some_and(|v| v.settlement) {
        counts.push(settled as usize);
    } else if let Some(last) = counts.last_mut() {
        *last += settled as usize;
    }

    let mut out = Vec::with_capacity(households as usize);
    for (v, &count) in villages.iter().zip(&counts) {
        for serial in 1..=count {
            out.push(household(&mut g, v, serial));
        }
    }

    DemoCounty {
        seed,
        as_of: AS_OF,
        regions,
        households: out,
    }
}

struct VillagePlan {
    code: RegionCode,
    name: String,
    township: &'static str,
    township_code: RegionCode,
    /// Natural villages 自然村: code and name.
    natural: Vec<(RegionCode, String)>,
    size: f64,
    settlement: bool,
}

fn level_rank(level: RegionLevel) -> u8 {
    match level {
        RegionLevel::County => 0,
        RegionLevel::Township => 1,
        RegionLevel::Village | RegionLevel::Settlement => 2,
        RegionLevel::NaturalVillage => 3,
    }
}

/// A region code built from digits this module controls (always valid; `None` is never expected).
fn region_code(code: &str) -> Option<RegionCode> {
    RegionCode::parse(code).ok()
}

/// Splits `total` into parts proportional to `weights`, each at least `min` (largest remainder).
fn apportion(total: u64, weights: &[u32], min: usize) -> Vec<usize> {
    let n = weights.len();
    if n == 0 {
        return Vec::new();
    }
    let floor_total = (min * n) as u64;
    let rest = total.saturating_sub(floor_total);
    let sum: u64 = weights.iter().map(|&w| u64::from(w)).sum::<u64>().max(1);
    let mut parts: Vec<usize> = Vec::with_capacity(n);
    let mut rems: Vec<(u64, usize)> = Vec::with_capacity(n);
    let mut given = 0u64;
    for (i, &w) in weights.iter().enumerate() {
        let exact = rest * u64::from(w);
        let q = exact / sum;
        given += q;
        parts.push(min + q as usize);
        rems.push((exact % sum, i));
    }
    // Largest remainders first; ties by index for determinism.
    rems.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    for &(_, i) in rems.iter().take(rest.saturating_sub(given) as usize) {
        if let Some(p) = parts.get_mut(i) {
            *p += 1;
        }
    }
    parts
}

fn village_name(g: &mut Gen, used: &mut HashSet<String>) -> String {
    for attempt in 0..200 {
        let base = if g.chance(0.82) || attempt > 100 {
            let clan = g.pick(VILLAGE_CLANS, "李");
            let suffix = g.pick(VILLAGE_SUFFIXES, "沟");
            format!("{clan}家{suffix}")
        } else {
            g.pick(VILLAGE_PLAIN, "新庄").to_owned()
        };
        let name = format!("{base}村");
        if used.insert(name.clone()) {
            return name;
        }
    }
    // Every combination taken (more than 1,000 villages): number them.
    let name = format!("新建{}村", used.len() + 1);
    used.insert(name.clone());
    name
}

/// One household of a village (or of the settlement point).
fn household(g: &mut Gen, v: &VillagePlan, serial: usize) -> DemoHousehold {
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

fn monitored_type(g: &mut Gen) -> MonitoredType {
    match g.weighted(&[38, 47, 15]) {
        0 => MonitoredType::Unstable,
        1 => MonitoredType::Marginal,
        _ => MonitoredType::SuddenHardship,
    }
}

/// The family's composition: relations, sexes, ages and surnames, head first.
fn family(g: &mut Gen, size: usize) -> Vec<Proto> {
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
fn child(g: &mut Gen, parent_age: u32, fam: &'static str) -> Proto {
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

/// What the income model needs to know about a member besides [`Member`].
struct Info {
    age: u32,
    school: Option<SchoolStatus>,
}

/// Builds one member with attributes consistent with age, sex and household kind.
fn member(g: &mut Gen, p: &Proto, kind: Kind, earlier: &[Member]) -> (Member, Info) {
    let birth = g.birth_date(p.age);
    let region = if p.married_in && g.chance(0.3) {
        g.pick(OUTSIDE_REGIONS, COUNTY_CODE)
    } else {
        COUNTY_CODE
    };
    let (id_number, birth) = g.id_number(region, birth, p.sex);
    let age = p.age;
    // Age at the start of the school year 2022/23 (1 September 2022).
    let school_age = {
        let before_sept = (birth.month(), birth.day()) <= (8, 31);
        (AS_OF_YEAR - birth.year()) - i32::from(!before_sept)
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

/// 在校生状况 for an age at the start of the 2022/23 school year (`None`: not in school).
fn school_status(g: &mut Gen, school_age: i32) -> Option<SchoolStatus> {
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
fn education(
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

/// 1–3 risk types consistent with the members (因病 only with an ill member, 缺劳动力 only when at
/// most a quarter are full labourers, 因务工就业不稳 only with someone able to work …).
fn risks(g: &mut Gen, t: MonitoredType, members: &[Member], infos: &[Info]) -> Vec<RiskType> {
    let ill = members.iter().any(|m| {
        m.health.contains(&HealthStatus::Chronic)
            || m.health.contains(&HealthStatus::SeriousIllness)
    });
    let disabled = members
        .iter()
        .any(|m| m.health.contains(&HealthStatus::Disabled));
    let full = members.iter().filter(|m| m.labour.is_full_labour()).count();
    let can_work = members.iter().any(|m| m.labour.can_work());
    let student = infos.iter().any(|i| {
        i.school
            .is_some_and(|s| s.is_enrolled() && !s.is_compulsory() && s != SchoolStatus::Preschool)
    });
    let sudden = t == MonitoredType::SuddenHardship;
    let disaster = g.pick(
        &[
            RiskType::DisasterDrought,
            RiskType::DisasterFlood,
            RiskType::DisasterGeological,
            RiskType::DisasterMeteorological,
        ],
        RiskType::DisasterDrought,
    );
    let candidates: [(RiskType, bool, u32); 11] = [
        (RiskType::Illness, ill, if sudden { 60 } else { 40 }),
        (RiskType::Disability, disabled, 20),
        (RiskType::LackOfLabour, full * 4 <= members.len(), 15),
        (RiskType::Schooling, student, 10),
        (
            RiskType::UnstableEmployment,
            can_work,
            if sudden { 4 } else { 12 },
        ),
        (RiskType::Accident, true, if sudden { 15 } else { 3 }),
        (disaster, true, if sudden { 12 } else { 3 }),
        (RiskType::IndustryFailure, can_work, 3),
        (RiskType::Housing, true, 1),
        (RiskType::Water, true, 1),
        (RiskType::Other, true, 2),
    ];
    let k = match g.weighted(&[55, 35, 10]) {
        0 => 1,
        1 => 2,
        _ => 3,
    };
    let mut weights: Vec<u32> = candidates
        .iter()
        .map(|c| if c.1 { c.2 } else { 0 })
        .collect();
    let mut out = Vec::with_capacity(k);
    for _ in 0..k {
        if weights.iter().all(|&w| w == 0) {
            break;
        }
        let i = g.weighted(&weights);
        if let (Some(c), Some(w)) = (candidates.get(i), weights.get_mut(i)) {
            out.push(c.0);
            *w = 0;
        }
    }
    if out.is_empty() {
        out.push(RiskType::Other);
    }
    out
}

/// Yuan (f64) to fen, rounded to whole yuan.
fn yuan(x: f64) -> Fen {
    Fen::from_yuan(x.max(0.0).round() as i64)
}

/// Income records for 2021 and 2022 (家庭收支), in this order.
///
/// The 2022 figures come from the members (wage per labourer, farming, pensions, 低保 …); 2021 is
/// 2022 deflated by a household growth factor (≈ +10 %), except in households hit by a shock in
/// 2022 (lost job, new serious illness, disaster), whose 2021 income was clearly higher.
fn incomes(
    g: &mut Gen,
    kind: Kind,
    relocated: bool,
    members: &mut [Member],
    infos: &[Info],
    risks: &[RiskType],
) -> Vec<IncomeRecord> {
    let monitored = matches!(kind, Kind::Monitored(_));
    let supported = kind.is_alleviated_or_monitored();

    // Wages per member (2022, before any shock).
    let mut wages: Vec<f64> = Vec::with_capacity(members.len());
    for (m, i) in members.iter().zip(infos) {
        let in_school = i.school.is_some_and(|s| s.is_enrolled());
        let w = match m.labour {
            LabourSkill::Ordinary | LabourSkill::Skilled if i.age < 60 && !in_school => {
                let skilled = m.labour == LabourSkill::Skilled;
                let mut p: f64 = if skilled { 0.95 } else { 0.88 };
                if monitored {
                    p *= 0.8;
                }
                if relocated {
                    p = (p * 1.12).min(0.97);
                }
                let median =
                    if skilled { 32_000.0 } else { 22_000.0 } * if monitored { 0.7 } else { 1.0 };
                if g.chance(p) {
                    g.lognormal(median, 0.45)
                } else if g.chance(0.7) {
                    // Odd jobs near home (零工).
                    g.lognormal(7_000.0, 0.4)
                } else {
                    0.0
                }
            }
            // Older labourers: casual work now and then.
            LabourSkill::Ordinary if !in_school && g.chance(0.45) => g.lognormal(12_000.0, 0.5),
            LabourSkill::Weak if i.age < 70 => {
                if supported && g.chance(0.55) {
                    // 公益岗位: 500–800 yuan a month.
                    g.uniform(6_000.0, 9_600.0)
                } else if g.chance(0.35) {
                    g.lognormal(6_000.0, 0.5)
                } else {
                    0.0
                }
            }
            _ => 0.0,
        };
        wages.push(w);
    }

    // Farming and livestock (生产经营), with production costs.
    let able = members.iter().filter(|m| m.labour.can_work()).count();
    let (mut business, mut cost) = (0.0, 0.0);
    if able > 0 {
        if g.chance(if relocated { 0.15 } else { 0.72 }) {
            let gross = g.lognormal(4_500.0, 0.7) * (0.6 + 0.4 * able.min(3) as f64);
            business += gross;
            cost += gross * g.uniform(0.30, 0.50);
        }
        if g.chance(if relocated { 0.03 } else { 0.15 }) {
            let gross = g.lognormal(15_000.0, 0.8);
            business += gross;
            cost += gross * g.uniform(0.55, 0.75);
        }
    }

    // Property income: PV dividends (资产收益分红) for supported households, land transfer.
    let mut property = 0.0;
    if supported && g.chance(0.85) {
        property += g.uniform(400.0, 1_500.0);
    }
    if !relocated && g.chance(0.12) {
        property += g.uniform(300.0, 3_000.0);
    }

    // Transfers.
    let mut transfer = 0.0;
    for (m, i) in members.iter().zip(infos) {
        if i.age >= 60 {
            transfer += g.uniform(1_500.0, 2_100.0) + if i.age >= 80 { 600.0 } else { 0.0 };
        }
        if m.dibao.is_receiving() {
            transfer += g.uniform(3_600.0, 5_200.0);
        }
        if m.tekun.is_receiving() {
            transfer += g.uniform(8_500.0, 10_000.0);
        }
        match m.disability_grade {
            Some(1 | 2) => transfer += g.uniform(1_200.0, 1_800.0),
            Some(_) if supported || m.dibao.is_receiving() || g.chance(0.3) => {
                transfer += g.uniform(600.0, 1_200.0)
            }
            _ => {}
        }
        if supported
            && i.school
                .is_some_and(|s| s.is_enrolled() && s != SchoolStatus::Preschool)
        {
            transfer += g.uniform(800.0, 2_500.0);
        }
    }
    if g.chance(if relocated { 0.5 } else { 0.85 }) {
        transfer += g.uniform(150.0, 1_200.0); // 耕地地力补贴
    }
    if g.chance(0.3) {
        transfer += g.uniform(300.0, 2_500.0); // 生态补偿 / 退耕还林
    }
    // 赡养费: support from children living elsewhere, for old people without a working-age member.
    let elderly = infos.iter().filter(|i| i.age >= 60).count();
    if elderly > 0 && infos.iter().all(|i| i.age >= 60 || i.age < 16) && g.chance(0.9) {
        transfer += elderly as f64 * g.lognormal(5_000.0, 0.35);
    }

    // Rigid expenditure (刚性支出) and insurance payouts (理赔收入).
    let mut medical = 0.0;
    let mut education = 0.0;
    let mut disability = 0.0;
    for (m, i) in members.iter().zip(infos) {
        if m.health.contains(&HealthStatus::SeriousIllness) {
            medical += g.lognormal(9_000.0, 0.7);
        }
        if m.health.contains(&HealthStatus::Chronic) && g.chance(0.4) {
            medical += g.uniform(300.0, 2_500.0);
        }
        if m.disability_grade.is_some() && g.chance(0.35) {
            disability += g.uniform(500.0, 3_000.0);
        }
        use SchoolStatus as S;
        match i.school {
            Some(
                S::HighSchool1
                | S::HighSchool2
                | S::HighSchool3
                | S::Vocational1
                | S::Vocational2
                | S::Vocational3,
            ) => education += g.uniform(2_000.0, 6_000.0),
            Some(
                S::HigherVocational1
                | S::HigherVocational2
                | S::HigherVocational3
                | S::TechnicianCollege
                | S::Undergraduate
                | S::Postgraduate,
            ) => education += g.uniform(6_000.0, 15_000.0),
            _ => {}
        }
    }
    let hit_by_disaster = risks.iter().any(|r| r.is_disaster());
    let disaster = if hit_by_disaster {
        g.uniform(3_000.0, 20_000.0)
    } else if g.chance(0.005) {
        g.uniform(1_000.0, 8_000.0)
    } else {
        0.0
    };
    if risks.contains(&RiskType::Accident) {
        medical += g.lognormal(15_000.0, 0.6);
    }
    let payout_p = match kind {
        Kind::Monitored(_) => 0.7,
        Kind::Alleviated => 0.3,
        Kind::Ordinary => 0.05,
    };
    let payout = if medical > 5_000.0 && g.chance(payout_p) {
        (medical - 3_000.0) * g.uniform(0.3, 0.6)
    } else {
        0.0
    };

    // The shock of 2022: which income was clearly higher in 2021.
    let shock_p = match kind {
        Kind::Monitored(MonitoredType::SuddenHardship) => 0.75,
        Kind::Monitored(_) if risks.contains(&RiskType::UnstableEmployment) => 0.7,
        Kind::Monitored(_) => 0.25,
        _ => 0.025,
    };
    let shocked = g.chance(shock_p);
    let growth = g.uniform(1.06, 1.24);
    let mut wages_2021: Vec<f64> = wages.iter().map(|w| w / growth).collect();
    let mut business_2021 = business / growth;
    let mut cost_2021 = cost / growth;
    if shocked {
        // A worker who lost (most of) the job, or fell ill, in 2022.
        let candidates: Vec<usize> = members
            .iter()
            .enumerate()
            .filter(|(_, m)| m.labour.can_work() || m.labour == LabourSkill::Lost)
            .filter(|(i, _)| infos.get(*i).is_some_and(|x| x.age >= 18 && x.age < 65))
            .map(|(i, _)| i)
            .collect();
        if !candidates.is_empty() && !hit_by_disaster {
            let k = g.pick(&candidates, 0);
            let full = g.lognormal(26_000.0, 0.4);
            if let (Some(w21), Some(w22)) = (wages_2021.get_mut(k), wages.get_mut(k)) {
                *w21 = w21.max(full / growth);
                *w22 = *w21 * growth * g.uniform(0.0, 0.3);
            }
        } else {
            // Harvest or livestock lost in 2022.
            let normal = if business > 0.0 {
                business
            } else {
                g.lognormal(8_000.0, 0.5)
            };
            business_2021 = normal / growth;
            cost_2021 = business_2021 * 0.4;
            business *= g.uniform(0.1, 0.4);
        }
    }

    // 兜底: most supported households still below the line get 低保 for the whole household (a
    // few ordinary ones too); the others are the cases the monitoring has to find.
    let net_2022 = wages.iter().sum::<f64>() + business + property + transfer - cost;
    let on_support = members
        .iter()
        .any(|m| m.dibao.is_receiving() || m.tekun.is_receiving());
    let below = net_2022 < 6_500.0 * members.len() as f64;
    if below && !on_support && g.chance(if supported { 0.85 } else { 0.5 }) {
        for m in members.iter_mut() {
            m.dibao = Dibao::Rural;
            transfer += g.uniform(3_600.0, 5_200.0);
        }
    }

    let born_2022 = infos.iter().filter(|i| i.age == 0).count();
    let members_2022 = members.len() as u32;
    let members_2021 = (members.len() - born_2022).max(1) as u32;

    let wage_22: f64 = wages.iter().sum();
    let wage_21: f64 = wages_2021.iter().sum();
    let r2022 = IncomeRecord {
        year: 2022,
        wage: yuan(wage_22),
        business: yuan(business),
        property: yuan(property),
        transfer: yuan(transfer),
        production_cost: yuan(cost),
        rigid_medical: yuan(medical),
        rigid_education: yuan(education),
        rigid_disability: yuan(disability),
        rigid_disaster: yuan(disaster),
        insurance_payout: yuan(payout),
        members: members_2022,
    };
    let rigid_2021 = if shocked {
        g.uniform(0.0, 0.3)
    } else {
        g.uniform(0.4, 1.1)
    };
    let r2021 = IncomeRecord {
        year: 2021,
        wage: yuan(wage_21),
        business: yuan(business_2021),
        property: yuan(property / growth),
        transfer: yuan(transfer / 1.05),
        production_cost: yuan(cost_2021),
        rigid_medical: yuan(medical * rigid_2021),
        rigid_education: yuan(education * 0.9),
        rigid_disability: yuan(disability * rigid_2021),
        rigid_disaster: if hit_by_disaster {
            Fen::default()
        } else {
            yuan(disaster * rigid_2021)
        },
        insurance_payout: yuan(payout * rigid_2021),
        members: members_2021,
    };
    vec![r2021, r2022]
}
