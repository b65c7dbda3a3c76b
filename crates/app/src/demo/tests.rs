//! Tests of the demo county: determinism, valid and unique IDs, consistency of ages, relations and
//! labour, plausible shares, and loading on both databases.

use std::collections::HashSet;

use shouwang_core::codes::{
    HealthStatus, HouseholdType, LabourSkill, MonitoredType, RegionLevel, Relation, RiskType, Sex,
};
use shouwang_core::{CodeList, IdNumber};

use super::generate::village_count;
use super::*;

fn county(n: u32) -> DemoCounty {
    generate(n, 20_221_231)
}

#[test]
fn same_seed_same_county_other_seed_other_county() {
    let a = generate(400, 7);
    let b = generate(400, 7);
    assert_eq!(a, b);
    let c = generate(400, 8);
    assert_ne!(a.households, c.households);
    // Regions do not depend on the seed's household draws except names: the structure is the same.
    assert_eq!(a.regions.len() > 17, c.regions.len() > 17);
}

#[test]
fn zero_households_gives_regions_only() {
    let c = generate(0, 1);
    assert!(c.households.is_empty());
    assert_eq!(c.stats().townships, TOWNSHIPS.len());
    assert_eq!(c.stats().settlements, 1);
}

#[test]
fn villages_scale_with_households() {
    assert_eq!(village_count(0), TOWNSHIPS.len());
    assert_eq!(village_count(1_000), 30);
    assert_eq!(village_count(100_000), 300);
    assert!(village_count(u32::MAX) <= 800);
    let s = county(1_000).stats();
    assert_eq!(s.villages, 30);
    assert!(s.natural_villages >= 2 * 30 && s.natural_villages <= 5 * 30);
}

#[test]
fn every_id_number_valid_unique_and_consistent() {
    let c = county(5_000);
    let mut seen = HashSet::new();
    let mut local = 0usize;
    for dh in &c.households {
        for m in &dh.household.members {
            let text = m.id_number.to_string();
            let parsed = IdNumber::parse(&text).expect("generated ID parses");
            assert_eq!(parsed, m.id_number);
            assert!(seen.insert(m.id_number), "duplicate ID {text}");
            assert_eq!(m.id_number.sex(), m.sex, "{text}");
            assert!(m.id_number.birth_date() <= AS_OF, "{text}");
            assert!(m.age_on(AS_OF) <= 100, "{text}");
            local += usize::from(m.id_number.region_code() == COUNTY_CODE);
        }
    }
    let share = local as f64 / seen.len() as f64;
    assert!(
        share > 0.85 && share < 1.0,
        "share born in the county {share}"
    );
}

fn age(m: &shouwang_core::Member) -> i64 {
    i64::from(m.age_on(AS_OF))
}

#[test]
fn ages_relations_and_labour_are_consistent() {
    let c = county(5_000);
    for dh in &c.households {
        let h = &dh.household;
        let heads: Vec<_> = h
            .members
            .iter()
            .filter(|m| m.relation == Relation::Head)
            .collect();
        assert_eq!(heads.len(), 1, "{}: one head", h.number);
        assert_eq!(h.members.first().map(|m| m.relation), Some(Relation::Head));
        let head = heads[0];
        let ha = age(head);
        assert!(ha >= 20, "{}: head aged {ha}", h.number);
        let spouse = h.members.iter().find(|m| m.relation == Relation::Spouse);
        if let Some(s) = spouse {
            assert_ne!(s.sex, head.sex, "{}", h.number);
            assert!(age(s) >= 20, "{}", h.number);
        }
        for m in &h.members {
            let a = age(m);
            match m.relation {
                Relation::Son | Relation::Daughter => {
                    assert!(ha - a >= 18, "{}: child {a}, head {ha}", h.number);
                    if let Some(s) = spouse {
                        assert!(age(s) - a >= 18, "{}: child {a}, spouse", h.number);
                    }
                }
                Relation::Grandson
                | Relation::Granddaughter
                | Relation::DaughtersSon
                | Relation::DaughtersDaughter => {
                    assert!(ha - a >= 38, "{}: grandchild {a}, head {ha}", h.number)
                }
                Relation::Father | Relation::Mother => {
                    assert!(a - ha >= 18, "{}: parent {a}, head {ha}", h.number)
                }
                Relation::DaughterInLaw | Relation::SonInLaw => assert!(a >= 18, "{}", h.number),
                _ => {}
            }
            if a < 16 {
                assert_eq!(m.labour, LabourSkill::None, "{}: {a} years old", h.number);
            }
            assert_eq!(
                m.disability_grade.is_some(),
                m.health.contains(&HealthStatus::Disabled)
            );
            assert!(!m.health.is_empty());
            assert!(
                !(m.health.contains(&HealthStatus::Healthy) && m.health.len() > 1),
                "healthy and ill"
            );
            match m.relation {
                Relation::Son | Relation::Father | Relation::Grandson | Relation::SonInLaw => {
                    assert_eq!(m.sex, Sex::Male)
                }
                Relation::Daughter
                | Relation::Mother
                | Relation::Granddaughter
                | Relation::DaughterInLaw => assert_eq!(m.sex, Sex::Female),
                _ => {}
            }
            assert!(!(m.dibao.is_receiving() && m.tekun.is_receiving()));
        }
    }
}

#[test]
fn school_age_children_are_at_school() {
    let c = county(5_000);
    let (mut pupils, mut out) = (0, 0);
    for m in c.households.iter().flat_map(|h| &h.household.members) {
        let a = age(m);
        if (8..=13).contains(&a) {
            if m.school.is_some_and(|s| s.is_compulsory()) {
                pupils += 1;
            } else {
                out += 1;
            }
        }
    }
    assert!(pupils > 100);
    assert!(out * 100 < pupils, "{out} of {pupils} out of school");
}

#[test]
fn households_structure_and_types() {
    let c = county(20_000);
    let villages: HashSet<&str> = c
        .regions
        .iter()
        .filter(|r| matches!(r.level, RegionLevel::Village | RegionLevel::Settlement))
        .map(|r| r.code.as_str())
        .collect();
    let settlement: Vec<&str> = c
        .regions
        .iter()
        .filter(|r| r.level == RegionLevel::Settlement)
        .map(|r| r.code.as_str())
        .collect();
    assert_eq!(settlement.len(), 1);
    let naturals: HashSet<&str> = c
        .regions
        .iter()
        .filter(|r| r.level == RegionLevel::NaturalVillage)
        .map(|r| r.code.as_str())
        .collect();
    let mut numbers = HashSet::new();
    for dh in &c.households {
        let h = &dh.household;
        assert!(villages.contains(h.village.as_str()));
        assert_eq!(h.number.len(), 17);
        assert!(h.number.starts_with(h.village.as_str()));
        assert!(h.number.bytes().all(|b| b.is_ascii_digit()));
        assert!(
            numbers.insert(h.number.clone()),
            "duplicate 户编号 {}",
            h.number
        );
        assert_eq!(h.is_relocated, h.village.as_str() == settlement[0]);
        if let Some(nv) = &h.natural_village {
            assert!(naturals.contains(nv.as_str()));
            assert!(nv.starts_with(h.village.as_str()));
        }
        assert_ne!(
            h.household_type,
            HouseholdType::Monitored,
            "registry stores the base type"
        );
        match h.monitored_type {
            None => assert!(h.risks.is_empty()),
            Some(t) => {
                assert!(
                    (1..=3).contains(&h.risks.len()),
                    "{}: {:?}",
                    h.number,
                    h.risks
                );
                if t == MonitoredType::Unstable {
                    assert_eq!(h.household_type, HouseholdType::Alleviated);
                }
                if t == MonitoredType::Marginal {
                    assert_eq!(h.household_type, HouseholdType::Ordinary);
                }
                let full = h.full_labour_count();
                for r in &h.risks {
                    match r {
                        RiskType::Illness => assert!(h.members.iter().any(|m| {
                            m.health.contains(&HealthStatus::Chronic)
                                || m.health.contains(&HealthStatus::SeriousIllness)
                        })),
                        RiskType::Disability => assert!(h.members.iter().any(|m| m.is_disabled())),
                        RiskType::LackOfLabour => assert!(full * 4 <= h.size()),
                        RiskType::UnstableEmployment | RiskType::IndustryFailure => {
                            assert!(h.has_labour())
                        }
                        _ => {}
                    }
                }
            }
        }
        assert_eq!(dh.incomes.len(), 2);
        assert_eq!(dh.incomes[0].year, 2021);
        assert_eq!(dh.incomes[1].year, 2022);
        assert_eq!(dh.incomes[1].members as usize, h.size());
        assert!(dh.incomes[0].members >= 1 && dh.incomes[0].members <= dh.incomes[1].members);
        for r in &dh.incomes {
            for f in [
                r.wage,
                r.business,
                r.property,
                r.transfer,
                r.production_cost,
                r.rigid_medical,
                r.rigid_education,
                r.rigid_disability,
                r.rigid_disaster,
                r.insurance_payout,
            ] {
                assert!(f.0 >= 0);
            }
        }
    }
}

#[test]
fn shares_are_plausible() {
    let s = county(20_000).stats();
    let pct = |n: usize| 100.0 * n as f64 / s.households as f64;
    assert_eq!(s.households, 20_000);
    assert!(
        (27.0..=36.0).contains(&pct(s.alleviated)),
        "脱贫户 {}",
        pct(s.alleviated)
    );
    assert!(
        (2.0..=4.5).contains(&pct(s.monitored)),
        "监测户 {}",
        pct(s.monitored)
    );
    assert!(s.monitored_by_type.iter().all(|&n| n > 0));
    assert!(
        (2.5..=4.5).contains(&pct(s.relocated)),
        "relocated {}",
        pct(s.relocated)
    );
    assert!(
        (1.5..=8.0).contains(&pct(s.below_2022)),
        "below 2022 {}",
        pct(s.below_2022)
    );
    assert!(
        (8.0..=35.0).contains(&pct(s.near_2022)),
        "near 2022 {}",
        pct(s.near_2022)
    );
    assert!(
        (1.0..=6.0).contains(&pct(s.clear_drop)),
        "clear drop {}",
        pct(s.clear_drop)
    );
    assert!(s.without_insurance > 0 && s.without_insurance * 100 < s.members);
    assert!(s.tekun_households > 0 && s.dibao_households > s.tekun_households);
    let mean_size = s.members as f64 / s.households as f64;
    assert!((2.5..=3.5).contains(&mean_size), "mean size {mean_size}");
    // Income grew from 2021 to 2022 overall.
    assert!(s.mean_per_capita[1] > s.mean_per_capita[0]);
    let median = s.per_capita_2022[1].0 / 100;
    assert!((9_000..=20_000).contains(&median), "median {median}");
}

#[test]
fn demo_users_cover_every_role_in_the_generated_county() {
    let c = county(100);
    let codes: HashSet<&str> = c.regions.iter().map(|r| r.code.scope_prefix()).collect();
    for role in shouwang_core::access::Role::ALL {
        let users: Vec<_> = DEMO_USERS.iter().filter(|u| u.role == *role).collect();
        assert_eq!(users.len(), 1, "one demo account for {}", role.code());
        // A grid member's area is its grid, `<village>/<n>`: its village exists.
        let place = users[0].area.split('/').next().unwrap_or_default();
        assert!(
            codes.contains(place) || COUNTY_CODE.to_string().starts_with(place),
            "area {} exists",
            users[0].area
        );
        assert_eq!(place.len(), role.area_digits());
    }
}

#[test]
fn quality_checks_find_only_the_planted_problems() {
    use std::collections::BTreeMap;

    use shouwang_core::money::Fen;
    use shouwang_core::quality::{QualityContext, check_household};

    let c = county(20_000);
    let ctx = QualityContext {
        line: Fen::from_yuan(6500),
        ..Default::default()
    };
    let mut households: BTreeMap<&str, usize> = BTreeMap::new();
    for dh in &c.households {
        let mut codes: Vec<&str> = check_household(&dh.household, AS_OF, &ctx)
            .iter()
            .map(|f| f.code)
            .collect();
        codes.dedup();
        for code in codes {
            *households.entry(code).or_default() += 1;
        }
    }
    eprintln!("households with findings by check: {households:?}");
    // Planted on purpose, a few: no medical insurance, healthy adults recorded as weak labour,
    // children out of compulsory school.
    for code in ["Q07", "Q02", "Q18"] {
        let n = households.get(code).copied().unwrap_or(0);
        assert!(n > 0 && n * 50 < c.households.len(), "{code}: {n}");
    }
    // Nothing else: the generated records are otherwise consistent.
    let others: Vec<_> = households
        .keys()
        .filter(|k| !["Q07", "Q02", "Q18"].contains(k))
        .collect();
    assert!(others.is_empty(), "unexpected findings {others:?}");
}

#[test]
fn stats_display_mentions_the_line() {
    let text = county(200).stats().to_string();
    assert!(text.contains("below line"));
}

mod db {
    use sea_orm::{ConnectionTrait, Statement};
    use shouwang_core::Scope;
    use shouwang_core::access::Role;

    use super::super::*;
    use shouwang_store::repo::audit::AuditFilter;
    use shouwang_store::repo::{audit, households, users};
    use shouwang_store::{Db, StoreError};

    async fn count(db: &Db, table: &str) -> u64 {
        let row = db
            .conn()
            .query_one_raw(Statement::from_string(
                db.backend(),
                format!("SELECT COUNT(*) AS n FROM {table}"),
            ))
            .await
            .expect("count query")
            .expect("a row");
        let n: i64 = row.try_get("", "n").expect("n");
        u64::try_from(n).unwrap_or(0)
    }

    shouwang_store::db_test!(
        fn demo_load_counts_match(db: Db) {
            let mut county = generate(300, 42);
            // Quotes and backslashes survive the bulk insert.
            if let Some(dh) = county.households.first_mut() {
                dh.household.address = "村口'老槐树'\\东 -- ; DROP TABLE households".to_owned();
                if let Some(m) = dh.household.members.first_mut() {
                    m.name = "O'Neil\\".to_owned();
                }
            }
            assert!(!is_loaded(&db).await?);
            let calls = std::sync::atomic::AtomicU64::new(0);
            let summary = load(&db, &county, &|done, total| {
                assert!(done <= total);
                calls.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            })
            .await?;
            assert!(calls.into_inner() >= 2);
            assert!(is_loaded(&db).await?);
            assert_eq!(summary.households, 300);
            assert_eq!(summary.members, county.member_count() as u64);
            assert_eq!(summary.income_records, 600);
            assert_eq!(summary.regions, county.regions.len() as u64);
            assert_eq!(summary.users, DEMO_USERS.len() as u64);
            // The demo village's projects (issue 23): seven, four payments.
            assert_eq!(summary.projects, 7);
            assert_eq!(count(&db, "projects").await, 7);
            assert_eq!(count(&db, "project_payments").await, 4);
            // The demo village's assets (issue 23): eight, every disposal step, upkeep records.
            assert_eq!(summary.assets, 8);
            assert_eq!(count(&db, "asset_disposal_steps").await, 11);
            assert_eq!(count(&db, "asset_upkeep").await, 12);
            // The demo village's workshops (issue 21): one per state, six workers, two of whom left.
            assert_eq!(summary.workshops, 3);
            assert_eq!(count(&db, "workshop_workers").await, 6);
            // Its posts (issue 21): 在岗, 两无老人看护, 空缺, 解聘.
            assert_eq!(summary.welfare_posts, 4);
            // 光伏 (issue 23): four stations (one stopped), income of January to November from three, the
            // other village distributed to October, the demo village to September (October overdue).
            assert_eq!(count(&db, "pv_stations").await, 4);
            assert_eq!(count(&db, "pv_income").await, 33);
            assert_eq!(summary.pv_distributions, 19);
            assert_eq!(count(&db, "households").await, 300);
            assert_eq!(count(&db, "members").await, county.member_count() as u64);
            assert_eq!(count(&db, "income_records").await, 600);
            assert!(count(&db, "regions").await >= county.regions.len() as u64);
            assert!(count(&db, "monitoring_lines").await >= 2);

            // A household reads back exactly as generated (or as promoted to 监测户 for a case), through
            // the repository.
            let scope = Scope::new(0, Role::CountyAdmin, "141123");
            let line = shouwang_core::Fen::from_yuan(6500);
            let picks = super::super::lifecycle::select(&county, line);
            for (i, dh) in county.households.iter().enumerate().step_by(37) {
                let got = households::get(&db, &scope, &dh.household.number)
                    .await?
                    .expect("loaded household");
                let expected = match picks.iter().find(|p| p.index == i && p.promote) {
                    Some(p) => {
                        super::super::lifecycle::household_for(&county, p).expect("promoted")
                    }
                    None => dh.household.clone(),
                };
                assert_eq!(got.household, expected);
                let incomes: Vec<_> = got.incomes.iter().map(|e| e.record).collect();
                assert_eq!(incomes, dh.incomes);
            }

            // One summary audit row per table.
            let page = audit::list(
                &db,
                &scope,
                &AuditFilter {
                    action: Some("demo_load".to_owned()),
                    ..Default::default()
                },
                1,
                50,
            )
            .await?;
            assert_eq!(page.total, 6);

            // Every demo account can log in with its scope.
            for u in DEMO_USERS {
                let user = users::authenticate(&db, u.username, u.password)
                    .await?
                    .expect("demo account logs in");
                assert_eq!(user.scope.role, u.role);
                assert!(user.scope.area.starts_with(u.area));
            }

            // Loading again conflicts and writes nothing more.
            let again = load(&db, &county, &|_, _| {}).await;
            assert!(
                matches!(again, Err(StoreError::Conflict { .. })),
                "{again:?}"
            );
            assert_eq!(count(&db, "households").await, 300);
            Ok::<(), StoreError>(())
        }
    );
}

mod lifecycle_db {
    use std::collections::BTreeSet;

    use chrono::NaiveDate;
    use shouwang_core::access::Role;
    use shouwang_core::monitoring::{
        CadenceRules, Channel, ExitStep, IdentStep, Lifecycle, MeasureStatus, WorkCalendar,
        YearMonth,
    };
    use shouwang_core::{CodeList, Scope};

    use super::super::*;
    use shouwang_store::repo::cases::{self, CaseQuery};
    use shouwang_store::repo::{audit, users};
    use shouwang_store::{Db, StoreError};

    async fn all_cases(db: &Db, scope: &Scope, lifecycle: Lifecycle) -> Vec<cases::CaseRow> {
        let q = CaseQuery {
            lifecycle: Some(lifecycle),
            ..CaseQuery::default()
        };
        let mut out = Vec::new();
        for page in 1.. {
            let p = cases::list(db, scope, &q, page, 500).await.expect("list");
            let n = p.items.len();
            out.extend(p.items);
            if n < 500 {
                break;
            }
        }
        out
    }

    shouwang_store::db_test!(
        fn demo_has_households_in_every_lifecycle_state(db: Db) {
            every_lifecycle_state(&db, DemoFrame::CLASSIC).await
        }
    );

    shouwang_store::db_test!(
        fn a_demo_opened_in_december_2026_is_set_in_2026(db: Db) {
            let frame = DemoFrame::around(NaiveDate::from_ymd_opt(2026, 12, 7).expect("date"));
            assert_eq!(
                (frame.registry_year, frame.as_of),
                (2025, NaiveDate::from_ymd_opt(2026, 12, 5).expect("date"))
            );
            every_lifecycle_state(&db, frame).await
        }
    );

    shouwang_store::db_test!(
        fn a_demo_opened_in_spring_spans_the_turn_of_the_year(db: Db) {
            let frame = DemoFrame::around(NaiveDate::from_ymd_opt(2027, 3, 10).expect("date"));
            assert_eq!(frame.registry_year, 2026);
            every_lifecycle_state(&db, frame).await
        }
    );

    /// Loads a demo county set in `frame` and checks every lifecycle state is there, dated within the
    /// frame's twelve months, with the frame's income years and a line in force for the cases' year.
    async fn every_lifecycle_state(db: &Db, frame: DemoFrame) -> Result<(), StoreError> {
        let db = db.clone();
        let classic = |m, d| frame.date(NaiveDate::from_ymd_opt(2022, m, d).expect("date"));
        {
            let county = generate_in(1500, 7, frame);
            let summary = load(&db, &county, &|_, _| {}).await?;
            assert!(summary.cases >= 30, "{summary:?}");
            let county_scope = Scope::new(0, Role::CountyAdmin, "141123");
            let as_of = frame.as_of;
            assert!(
                county.households.iter().all(|h| h
                    .incomes
                    .iter()
                    .map(|r| r.year)
                    .collect::<Vec<_>>()
                    == frame.income_years())
            );
            // The cases' year has a line (carried forward from the plan's when the frame is later).
            let (_, line_year) = cases::line_in_force(&db, "14", as_of.year()).await?;
            assert_eq!(line_year, as_of.year());

            let mut total = 0;
            for l in Lifecycle::all() {
                let rows = all_cases(&db, &county_scope, *l).await;
                assert!(
                    rows.len() >= 2,
                    "{} ({}): {}",
                    l.label_zh(),
                    l.code(),
                    rows.len()
                );
                total += rows.len();
            }
            // About 1 % of the households, at least 2 of each of the 15 stories.
            assert!((30..=60).contains(&total), "{total}");

            // 线索 from each of the four channels.
            let clues = all_cases(&db, &county_scope, Lifecycle::Clue).await;
            for ch in Channel::all() {
                assert!(
                    clues.iter().any(|c| c.channels == [*ch]),
                    "no clue of channel {}",
                    ch.label_zh()
                );
            }

            // 识别中 at several steps, one in 公示, some past the time limit.
            let ident = all_cases(&db, &county_scope, Lifecycle::Identifying).await;
            let steps: BTreeSet<&str> = ident
                .iter()
                .filter_map(|c| c.ident_next_step.map(|s| s.code()))
                .collect();
            assert!(steps.len() >= 4, "{steps:?}");
            assert!(
                steps.contains(IdentStep::NoticeClosed.code()),
                "in 公示: {steps:?}"
            );
            let overdue =
                cases::overdue_identifications(&db, &county_scope, as_of, &WorkCalendar::default())
                    .await?;
            assert!(!overdue.is_empty());
            assert!(overdue.len() < ident.len());
            let mut publicity = 0;
            for row in &ident {
                let rec = cases::get(&db, &county_scope, &row.household_number)
                    .await?
                    .expect("case");
                let ident = rec.case.identification.as_ref().expect("identification");
                if let Some(closes) = ident.notice_closes_on()
                    && ident.next_step() == Some(IdentStep::NoticeClosed)
                {
                    assert!(closes > as_of);
                    publicity += 1;
                }
            }
            assert!(publicity >= 2);
            // The green channel: helped (cadre) while identification runs.
            assert!(ident.iter().any(|c| c.cadre_user_id.is_some()));

            // 监测帮扶中: one cadre each, measures in every status, follow-ups with gaps.
            let monitored = all_cases(&db, &county_scope, Lifecycle::Monitored).await;
            let mut statuses = BTreeSet::new();
            for row in &monitored {
                assert!(row.cadre_user_id.is_some(), "{}", row.household_number);
                let rec = cases::get(&db, &county_scope, &row.household_number)
                    .await?
                    .expect("case");
                assert_eq!(rec.case.cadres.current_count(), 1);
                statuses.extend(rec.case.measures.iter().map(|m| m.status.code()));
            }
            for s in [
                MeasureStatus::Planned,
                MeasureStatus::InProgress,
                MeasureStatus::Done,
            ] {
                assert!(statuses.contains(s.code()), "{statuses:?}");
            }
            let rules = CadenceRules::default();
            let mut overdue_months = 0;
            for m in YearMonth::of(classic(2, 1)).through(YearMonth::of(classic(11, 1))) {
                overdue_months +=
                    cases::overdue_follow_ups(&db, &county_scope, m, as_of, &rules, 1, 500)
                        .await?
                        .total;
            }
            assert!(overdue_months >= 1);
            // Exits running (nominated in December).
            assert!(monitored.iter().any(|c| c.exit_next_step.is_some()));

            // 风险消除 with numbered notices, numbers unique and consecutive; 缓退 still followed up.
            let eliminated = all_cases(&db, &county_scope, Lifecycle::Eliminated).await;
            let mut notices_n = 0;
            for year in classic(1, 1).year()..=as_of.year() {
                let notices = cases::notices(&db, &county_scope, year).await?;
                notices_n += notices.len();
                for (i, n) in notices.iter().enumerate() {
                    assert_eq!(n.sequence, i as i64 + 1);
                    assert_eq!(n.number, format!("兴县〔{year}〕告字第{}号", i + 1));
                }
            }
            assert_eq!(notices_n, eliminated.len());
            for row in &eliminated {
                assert!(row.eliminated_on.is_some());
                assert_eq!(row.exit_next_step, None);
            }
            let deferred = all_cases(&db, &county_scope, Lifecycle::Deferred).await;
            assert!(deferred.iter().all(|c| c.last_follow_up_month.is_some()));

            // A household refused in spring came back with a new clue: two cases.
            let mut reopened = 0;
            for row in &clues {
                let h = cases::history(&db, &county_scope, &row.household_number).await?;
                if h.len() == 2 {
                    assert_eq!(h[0].lifecycle, Lifecycle::NotIncluded);
                    assert_eq!(h[1].seq, 2);
                    reopened += 1;
                }
            }
            assert!(reopened >= 2);

            // The demo village team sees every state in its village, written through the repository
            // (audited per action) as the demo users.
            let team = DEMO_USERS
                .iter()
                .find(|u| u.role == Role::VillageTeam)
                .expect("team");
            let user = users::authenticate(&db, team.username, team.password)
                .await?
                .expect("team logs in");
            for l in Lifecycle::all() {
                assert!(
                    !all_cases(&db, &user.scope, *l).await.is_empty(),
                    "the demo village has no case {}",
                    l.label_zh()
                );
            }
            let log = audit::list(
                &db,
                &user.scope,
                &audit::AuditFilter {
                    entity: Some("case".to_owned()),
                    actor_user_id: Some(user.id),
                    ..Default::default()
                },
                1,
                20,
            )
            .await?;
            assert!(log.total >= 20, "{}", log.total);
            // Dates stay within the demo year.
            for l in Lifecycle::all() {
                for row in all_cases(&db, &county_scope, *l).await {
                    assert!(row.first_reported_on <= as_of);
                    assert!(row.first_reported_on >= classic(1, 1));
                }
            }
            let _ = ExitStep::Notice;
        }
        Ok(())
    }
}

#[test]
fn the_demo_village_gets_every_lifecycle_state_and_keeps_households_free() {
    use super::lifecycle::{Scenario, demo_village, select};
    for (n, seed) in [(400, 7), (1500, 7), (100_000, 1)] {
        if n == 100_000 && cfg!(debug_assertions) {
            continue;
        }
        let county = generate(n, seed);
        let picks = select(&county, shouwang_core::Fen::from_yuan(6500));
        let in_village = county
            .households
            .iter()
            .filter(|h| h.household.village.as_str() == demo_village())
            .count();
        let api: Vec<Scenario> = picks.iter().filter(|p| p.api).map(|p| p.scenario).collect();
        assert!(
            api.len() <= in_village / 2,
            "{n}: {} of {in_village}",
            api.len()
        );
        for s in [
            Scenario::ClueApplication,
            Scenario::IdentPublicity,
            Scenario::NotIncluded,
            Scenario::Monitored,
            Scenario::Deferred,
            Scenario::Eliminated,
            Scenario::ExitRunning,
            Scenario::IdentOverdue,
        ] {
            assert!(
                api.contains(&s),
                "{n}: {s:?} missing in the demo village ({in_village} households): {api:?}"
            );
        }
    }
}
