//! The pure, deterministic demo-county generator (演示县数据生成).
//!
//! One `ChaCha8Rng` seeded from the caller's seed drives every choice, in a fixed order, so the
//! same `(households, seed)` always gives the same county (on the same platform: the income
//! model uses `f64::ln`/`exp`).

mod household;
mod member;
mod money;

use household::*;
use member::*;
use money::*;

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
use super::{DemoCounty, DemoFrame, DemoHousehold};

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
    /// The registry year: ages are completed years on 31 December of it, so a person born in year
    /// `Y` is `year - Y` years old; its income records are of this year and the one before.
    year: i32,
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

/// A member before attributes: relation, sex, age (completed years at the end of the registry year) and
/// surname.
struct Proto {
    relation: Relation,
    sex: Sex,
    age: u32,
    surname: &'static str,
    /// Married into the family (spouse, 儿媳, 女婿, 之母 …): may be born outside the county.
    married_in: bool,
}

impl Gen {
    fn new(seed: u64, frame: DemoFrame) -> Self {
        Gen {
            rng: ChaCha8Rng::seed_from_u64(seed),
            ids: HashSet::new(),
            year: frame.registry_year,
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

    /// A birth date in the year `self.year - age` (so the age at the end of the registry year is
    /// exactly `age`).
    fn birth_date(&mut self, age: u32) -> NaiveDate {
        let year = self.year - age as i32;
        let days = if NaiveDate::from_ymd_opt(year, 2, 29).is_some() {
            366
        } else {
            365
        };
        let ordinal = self.int(1, days) as u32;
        NaiveDate::from_yo_opt(year, ordinal).unwrap_or(NaiveDate::MIN)
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
pub(crate) fn generate(households: u32, seed: u64, frame: DemoFrame) -> DemoCounty {
    let mut g = Gen::new(seed, frame);
    let mut regions = Vec::new();
    let Some(county_code) = region_code(&format!("{COUNTY_CODE}000000")) else {
        return DemoCounty {
            seed,
            frame,
            as_of: frame.registry_date(),
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
        frame,
        as_of: frame.registry_date(),
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
