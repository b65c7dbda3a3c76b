//! Search speed on a county of 100,000 households (~310,000 members) in a SQLite file.
//!
//! `cargo bench -p shouwang-app --bench search` (release profile). Loads the demo county, prints each query plan and the median / max time of each search over
//! 25 runs through `repo::households::search` (page query + count + village names), and fails if a median
//! is 50 ms or more.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use shouwang_app::demo;
use shouwang_core::codes::HouseholdType;
use shouwang_core::{Role, Scope};
use shouwang_store::repo::households::{self, HouseholdQuery};
use shouwang_store::{Db, sqlite_url};

const RUNS: usize = 25;
const LIMIT: Duration = Duration::from_millis(50);

fn q(text: &str) -> HouseholdQuery {
    HouseholdQuery {
        q: Some(text.to_owned()),
        ..Default::default()
    }
}

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(search_100k_households());
}

async fn search_100k_households() {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::connect(&sqlite_url(dir.path())).await.unwrap();
    db.migrate().await.unwrap();
    let t = Instant::now();
    let county = demo::generate(100_000, 1);
    println!("generated in {:?}", t.elapsed());
    let t = Instant::now();
    let summary = demo::load(&db, &county, &|_, _| {}).await.unwrap();
    println!("loaded in {:?}: {summary}", t.elapsed());
    db.optimize().await.unwrap();

    // Keys to search for, taken from the data: the most common surname and 2-character prefix, a full
    // name, an ID number, a 户编号, a village prefix of 户编号.
    let mut surname: HashMap<String, usize> = HashMap::new();
    let mut two: HashMap<String, usize> = HashMap::new();
    for h in &county.households {
        for m in &h.household.members {
            let chars: Vec<char> = m.name.chars().collect();
            *surname.entry(chars[..1].iter().collect()).or_default() += 1;
            if chars.len() >= 2 {
                *two.entry(chars[..2].iter().collect()).or_default() += 1;
            }
        }
    }
    let top = |m: &HashMap<String, usize>| {
        m.iter()
            .max_by_key(|(_, n)| **n)
            .map(|(k, n)| (k.clone(), *n))
            .unwrap()
    };
    let (common_surname, n_surname) = top(&surname);
    let (common_two, n_two) = top(&two);
    println!(
        "most common surname {common_surname} ({n_surname} members), prefix {common_two} ({n_two})"
    );
    let sample = &county.households[county.households.len() / 2].household;
    let full_name = sample.members[0].name.clone();
    let id = sample.members.last().unwrap().id_number.to_string();
    let number = sample.number.clone();
    let village = sample.village.as_str().to_owned();
    let township = sample.village.township().to_owned();

    let county_admin = Scope::new(1, Role::CountyAdmin, "141123");
    let town = Scope::new(2, Role::TownshipAdmin, township.clone());
    let team = Scope::new(3, Role::VillageTeam, village.clone());
    let other_team = Scope::new(4, Role::VillageTeam, "141123208201");

    let cases: Vec<(&str, &Scope, HouseholdQuery, u32)> = vec![
        (
            "county: all, page 1",
            &county_admin,
            HouseholdQuery::default(),
            1,
        ),
        (
            "county: all, page 2000",
            &county_admin,
            HouseholdQuery::default(),
            2000,
        ),
        (
            "county: 监测户",
            &county_admin,
            HouseholdQuery {
                household_type: Some(HouseholdType::Monitored),
                ..Default::default()
            },
            1,
        ),
        (
            "county: surname (most common)",
            &county_admin,
            q(&common_surname),
            1,
        ),
        (
            "county: surname, page 50",
            &county_admin,
            q(&common_surname),
            50,
        ),
        ("county: 2-char prefix", &county_admin, q(&common_two), 1),
        ("county: full name", &county_admin, q(&full_name), 1),
        (
            "county: surname + 监测户",
            &county_admin,
            HouseholdQuery {
                q: Some(common_surname.clone()),
                household_type: Some(HouseholdType::Monitored),
                village: None,
            },
            1,
        ),
        (
            "county: surname + 脱贫户",
            &county_admin,
            HouseholdQuery {
                q: Some(common_surname.clone()),
                household_type: Some(HouseholdType::Alleviated),
                village: None,
            },
            1,
        ),
        ("county: ID number", &county_admin, q(&id), 1),
        ("county: 户编号", &county_admin, q(&number), 1),
        (
            "county: 户编号 prefix (village)",
            &county_admin,
            q(&village),
            1,
        ),
        ("county: name, no match", &county_admin, q("亓"), 1),
        ("township: all", &town, HouseholdQuery::default(), 1),
        ("township: surname", &town, q(&common_surname), 1),
        ("village: all", &team, HouseholdQuery::default(), 1),
        ("village: surname", &team, q(&common_surname), 1),
        ("village: ID number", &team, q(&id), 1),
        ("other village: that ID number", &other_team, q(&id), 1),
        ("other village: surname", &other_team, q(&common_surname), 1),
    ];

    let mut failures = Vec::new();
    println!(
        "{:<36} {:>8} {:>10} {:>10}",
        "search", "total", "median", "max"
    );
    for (label, scope, query, page) in &cases {
        let plan = households::explain_search(&db, scope, query).await.unwrap();
        let mut times = Vec::with_capacity(RUNS);
        let mut total = 0;
        for _ in 0..RUNS {
            let t = Instant::now();
            let p = households::search(&db, scope, query, *page, 20)
                .await
                .unwrap();
            times.push(t.elapsed());
            total = p.total;
        }
        times.sort();
        let (median, max) = (times[RUNS / 2], times[RUNS - 1]);
        println!("{label:<36} {total:>8} {median:>10.2?} {max:>10.2?}");
        for line in &plan {
            println!("    {line}");
        }
        if median >= LIMIT {
            failures.push(format!("{label}: median {median:?}"));
        }
        if label.starts_with("other village") {
            assert!(total == 0 || !label.contains("ID"), "scope leak: {label}");
        }
    }
    assert!(
        failures.is_empty(),
        "searches slower than {LIMIT:?}: {failures:?}"
    );
}
