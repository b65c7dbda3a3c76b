//! 三保障和饮水安全问题排查 (A6, issue 22) on both databases: every household of a village checked exactly
//! once in the quarter against the county's checklist (a second check 409, another village 403, no such
//! household 404, a missing item or a problem without what was found 422, nothing written on a refusal);
//! an item with a problem written to the 问题台账 and filing one 干部排查 clue; the coverage with the
//! missing households; the quarter's task overdue on the calendar after its due day; an item switched off
//! and reworded by the county; the 排查台账.

use chrono::NaiveDate;
use shouwang_app::ledgers::{self, LedgerRequest};
use shouwang_app::registers::campaign::{self, AnswerInput, CheckInput};
use shouwang_app::{Caller, Kind, lifecycle, problems};
use shouwang_core::codes::Guarantee;
use shouwang_core::monitoring::calendar::{TaskKind, TaskStatus};
use shouwang_core::monitoring::{Channel, ProblemStatus, ResponsibleUnit};
use shouwang_core::{Role, Scope};
use shouwang_store::repo::{cases, households, rules};
use shouwang_store::testing::fixtures::{
    TOWN_A, VILLAGE_A1, VILLAGE_A2, actor, audit_count, household, seed_regions,
};
use shouwang_store::{Db, db_test};

fn d(m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, m, day).unwrap()
}

fn caller(role: Role, area: &str) -> Caller {
    Caller {
        user_id: 31,
        name: "村专班赵六".to_owned(),
        scope: Scope::new(31, role, area),
    }
}

fn admin() -> Scope {
    Scope::new(1, Role::CountyAdmin, "141123")
}

/// H1, H2, H3 in village A1; H9 in village A2.
async fn setup(db: &Db) {
    seed_regions(db).await;
    for h in [
        household("H1", VILLAGE_A1, "户主一", 61),
        household("H2", VILLAGE_A1, "户主二", 62),
        household("H3", VILLAGE_A1, "户主三", 63),
        household("H9", VILLAGE_A2, "户主九", 69),
    ] {
        households::create(db, &actor(), &h).await.unwrap();
    }
}

/// Every item switched on 无问题, but those of `problems` (code, what was found).
fn input(
    db_rules: &shouwang_core::rules::CountyRules,
    on: NaiveDate,
    problems: &[(&str, &str)],
) -> CheckInput {
    CheckInput {
        checked_on: Some(on),
        answers: db_rules
            .campaign
            .enabled()
            .map(|i| {
                let p = problems.iter().find(|(c, _)| *c == i.code);
                AnswerInput {
                    code: i.code.clone(),
                    problem: p.is_some(),
                    found: p.map(|(_, f)| (*f).to_owned()).unwrap_or_default(),
                }
            })
            .collect(),
        deadline: None,
    }
}

db_test!(
    fn every_household_once_a_quarter(db: Db) {
        setup(&db).await;
        let r = rules::get(&db, "141123").await.unwrap().rules;
        let team = caller(Role::VillageTeam, VILLAGE_A1);
        let done = campaign::record_check(&db, &team, "H1", &input(&r, d(11, 3), &[]), d(11, 5))
            .await
            .unwrap();
        assert!(done.problems.is_empty());
        assert_eq!(done.filed, None);
        let audits = audit_count(&db).await;

        // A second check of H1 this quarter: 409, nothing written.
        let e = campaign::record_check(&db, &team, "H1", &input(&r, d(11, 4), &[]), d(11, 5))
            .await
            .unwrap_err();
        assert_eq!(e.kind, Kind::Conflict, "{}", e.zh);
        // Another village's household: 403; no such household: 404.
        let e = campaign::record_check(&db, &team, "H9", &input(&r, d(11, 4), &[]), d(11, 5))
            .await
            .unwrap_err();
        assert_eq!(e.kind, Kind::Forbidden);
        let e = campaign::record_check(&db, &team, "NOPE", &input(&r, d(11, 4), &[]), d(11, 5))
            .await
            .unwrap_err();
        assert_eq!(e.kind, Kind::NotFound);
        // An item left out, a problem without what was found, an unknown item, the future: 422.
        let mut missing = input(&r, d(11, 4), &[]);
        missing.answers.pop();
        let mut blank = input(&r, d(11, 4), &[("water_quality", " ")]);
        blank.deadline = Some(d(12, 1));
        let mut unknown = input(&r, d(11, 4), &[]);
        unknown.answers[0].code = "nonsense".to_owned();
        let future = input(&r, d(11, 6), &[]);
        for bad in [missing, blank, unknown, future] {
            let e = campaign::record_check(&db, &team, "H2", &bad, d(11, 5))
                .await
                .unwrap_err();
            assert_eq!(e.kind, Kind::Invalid, "{}", e.zh);
        }
        // A role that keeps no records (the county admin): refused.
        let e = campaign::record_check(
            &db,
            &caller(Role::CountyAdmin, "141123"),
            "H2",
            &input(&r, d(11, 4), &[]),
            d(11, 5),
        )
        .await
        .unwrap_err();
        assert_eq!(e.kind, Kind::Forbidden);
        assert_eq!(audit_count(&db).await, audits, "refusals write nothing");

        // Coverage: A1 1 of 3 (H2, H3 missing), A2 0 of 1; pending before the quarter's end …
        let town = caller(Role::TownshipAdmin, TOWN_A);
        let cov = campaign::coverage(&db, &town, None, None, d(11, 5))
            .await
            .unwrap();
        assert_eq!(cov.len(), 2);
        let a1 = cov.iter().find(|v| v.village == VILLAGE_A1).unwrap();
        assert_eq!((a1.coverage.households, a1.coverage.checked), (3, 1));
        let missing: Vec<&str> = a1.missing.iter().map(|m| m.number.as_str()).collect();
        assert_eq!(missing, ["H2", "H3"]);
        assert_eq!(a1.state.status, TaskStatus::Pending);
        // … overdue after it (Q4 asked on 2027-01-02), on the coverage and on the calendar.
        let jan = NaiveDate::from_ymd_opt(2027, 1, 2).unwrap();
        let cov = campaign::coverage(&db, &team, None, Some("2026-Q4"), jan)
            .await
            .unwrap();
        assert_eq!(cov.len(), 1, "the team sees its village only");
        assert_eq!(cov[0].state.status, TaskStatus::Overdue);
        let cal = lifecycle::calendar(&db, &team, None, d(10, 1), d(12, 31), jan)
            .await
            .unwrap();
        let task = cal
            .iter()
            .find(|t| t.task.kind == TaskKind::Campaign)
            .unwrap();
        assert_eq!(task.status, TaskStatus::Overdue);
        assert_eq!(task.outstanding, Some(2));
        assert_eq!(task.task.due_on, d(12, 31));

        // The rest of A1 checked: the village is covered, the task done.
        for n in ["H2", "H3"] {
            campaign::record_check(&db, &team, n, &input(&r, d(11, 5), &[]), d(11, 5))
                .await
                .unwrap();
        }
        let cov = campaign::coverage(&db, &team, None, None, d(11, 6))
            .await
            .unwrap();
        assert!(cov[0].coverage.complete());
        assert!(cov[0].missing.is_empty());
        assert_eq!(cov[0].state.status, TaskStatus::Done);
        let cal = lifecycle::calendar(&db, &team, None, d(10, 1), d(12, 31), d(11, 6))
            .await
            .unwrap();
        let task = cal
            .iter()
            .find(|t| t.task.kind == TaskKind::Campaign)
            .unwrap();
        assert_eq!(task.status, TaskStatus::Done);
        // Next quarter, H1 may be checked again.
        campaign::record_check(&db, &team, "H1", &input(&r, jan, &[]), jan)
            .await
            .unwrap();
        let sheet = campaign::show(&db, &team, "H1", jan).await.unwrap();
        assert_eq!(sheet.checks.len(), 2);
        assert_eq!(sheet.checks[0].check.checked_on, jan, "newest first");
        assert_eq!(sheet.quarter.recorded_on, Some(jan));
        // Outside the team's village: 404.
        let e = campaign::show(&db, &team, "H9", jan).await.unwrap_err();
        assert_eq!(e.kind, Kind::NotFound);
    }
);

db_test!(
    fn a_problem_goes_to_the_ledger_and_files_a_clue(db: Db) {
        setup(&db).await;
        let r = rules::get(&db, "141123").await.unwrap().rules;
        let team = caller(Role::VillageTeam, VILLAGE_A1);
        let check = input(
            &r,
            d(11, 3),
            &[
                ("water_seasonal", "旱季每月停水10天以上"),
                ("water_quality", "井水浑浊未做检测"),
                ("med_insured", "儿子未参加今年基本医疗保险"),
            ],
        );
        let done = campaign::record_check(&db, &team, "H2", &check, d(11, 5))
            .await
            .unwrap();
        assert_eq!(done.problems.len(), 3);
        assert_eq!(done.filed, Some(lifecycle::Filed::NewCase));
        // One clue of channel 干部排查 with both sectors' risks.
        let rec = cases::get(&db, &team.scope, "H2").await.unwrap().unwrap();
        assert_eq!(rec.case.clues.len(), 1);
        assert_eq!(rec.case.clues[0].sources.len(), 1);
        let report = &rec.case.clues[0].sources[0].report;
        assert_eq!(report.source.channel(), Channel::CadreScreening);
        for s in [Guarantee::DrinkingWater, Guarantee::BasicMedical] {
            for risk in s.matching_risks() {
                assert!(report.risks.contains(risk), "{risk:?}");
            }
        }
        // The problems, in the ledger, by sector with the default unit and a 30-day deadline.
        let listed = problems::list(
            &db,
            &team,
            &problems::ProblemQuery {
                household: Some("H2".to_owned()),
                ..problems::ProblemQuery::default()
            }
            .filter(d(11, 5))
            .unwrap(),
            d(11, 5),
        )
        .await
        .unwrap();
        assert_eq!(listed.len(), 3);
        let water = listed
            .iter()
            .find(|p| p.problem.what.found.contains("停水"))
            .unwrap();
        assert_eq!(water.status, ProblemStatus::Open);
        assert_eq!(water.problem.what.unit, ResponsibleUnit::Water);
        assert_eq!(water.problem.what.deadline, d(12, 3));
        assert!(water.problem.what.found.starts_with("是否存在季节性缺水："));
        // The check keeps the problems' numbers; the coverage counts them.
        let sheet = campaign::show(&db, &team, "H2", d(11, 5)).await.unwrap();
        let mut ids = sheet.checks[0].check.problem_ids.clone();
        ids.sort_unstable();
        let mut listed_ids: Vec<i64> = listed.iter().map(|p| p.id).collect();
        listed_ids.sort_unstable();
        assert_eq!(ids, listed_ids);
        let cov = campaign::coverage(&db, &team, None, None, d(11, 5))
            .await
            .unwrap();
        assert_eq!(cov[0].problems, 3);

        // The 排查台账: every household of the area, one row per check (H1, H3 not checked).
        let file = ledgers::export(
            &db,
            &team,
            &LedgerRequest {
                kind: Some("排查台账".to_owned()),
                ..LedgerRequest::default()
            },
        )
        .await
        .unwrap();
        assert_eq!(file.rows, 3);
        let town = caller(Role::TownshipAdmin, TOWN_A);
        let req = LedgerRequest {
            kind: Some("campaign".to_owned()),
            ..LedgerRequest::default()
        };
        assert_eq!(ledgers::export(&db, &town, &req).await.unwrap().rows, 4);
    }
);

db_test!(
    fn the_county_switches_off_and_rewords_items(db: Db) {
        setup(&db).await;
        let rec = rules::get(&db, "141123").await.unwrap();
        let mut r = rec.rules.clone();
        for i in &mut r.campaign.items {
            if i.sector != Guarantee::DrinkingWater {
                i.enabled = false;
            }
        }
        let seasonal = r
            .campaign
            .items
            .iter_mut()
            .find(|i| i.code == "water_seasonal")
            .unwrap();
        seasonal.label = "旱季是否缺水".to_owned();
        rules::set(&db, &actor(), &admin(), "141123", &r, rec.version)
            .await
            .unwrap();
        let team = caller(Role::VillageTeam, VILLAGE_A1);
        let sheet = campaign::show(&db, &team, "H1", d(11, 5)).await.unwrap();
        assert_eq!(
            sheet.checklist.len(),
            6,
            "the four indicators, seasonal shortage, tests"
        );
        assert!(sheet.checklist.iter().any(|i| i.label == "旱季是否缺水"));
        // An answer to an item switched off is refused; the water items alone pass.
        let old = rules::get(&db, "141123").await.unwrap().rules;
        let mut with_off = input(&old, d(11, 3), &[]);
        with_off.answers.push(AnswerInput {
            code: "housing_grade".to_owned(),
            problem: false,
            found: String::new(),
        });
        let e = campaign::record_check(&db, &team, "H1", &with_off, d(11, 5))
            .await
            .unwrap_err();
        assert_eq!(e.kind, Kind::Invalid);
        let done = campaign::record_check(
            &db,
            &team,
            "H1",
            &input(&old, d(11, 3), &[("water_seasonal", "5月至6月缺水")]),
            d(11, 5),
        )
        .await
        .unwrap();
        let p = problems::show(&db, &team, done.problems[0], d(11, 5))
            .await
            .unwrap();
        assert!(
            p.problem.what.found.starts_with("旱季是否缺水："),
            "{}",
            p.problem.what.found
        );
        // A checklist with nothing switched on is refused by the rules.
        let mut none = old.clone();
        for i in &mut none.campaign.items {
            i.enabled = false;
        }
        let v = rules::get(&db, "141123").await.unwrap().version;
        assert!(
            rules::set(&db, &actor(), &admin(), "141123", &none, v)
                .await
                .is_err()
        );
    }
);

fn plan(year: i32) -> shouwang_core::register::plan::YearPlan {
    shouwang_core::register::plan::YearPlan {
        year,
        title: format!("{year}年巩固“三保障”脱贫成果工作方案"),
        targets: "适龄儿童无失学辍学".to_owned(),
        measures: "每季度开展一次问题排查".to_owned(),
        mechanism: String::new(),
        starts_on: NaiveDate::from_ymd_opt(year, 1, 1).unwrap(),
        ends_on: NaiveDate::from_ymd_opt(year, 12, 31).unwrap(),
    }
}

db_test!(
    fn the_township_enters_its_yearly_plan(db: Db) {
        setup(&db).await;
        let town = caller(Role::TownshipAdmin, TOWN_A);
        let input = campaign::PlanInput {
            version: 0,
            plan: plan(2026),
        };
        let saved = campaign::save_plan(&db, &town, TOWN_A, &input)
            .await
            .unwrap();
        assert_eq!(saved.version, 1);
        let audits = audit_count(&db).await;
        // Saved again from the same version: stale (409); nothing written.
        let e = campaign::save_plan(&db, &town, TOWN_A, &input)
            .await
            .unwrap_err();
        assert_eq!(e.kind, Kind::Conflict, "{}", e.zh);
        // Another township: 403; a village team: refused; a blank target: 422.
        let e = campaign::save_plan(&db, &town, "141123101", &input)
            .await
            .unwrap_err();
        assert_eq!(e.kind, Kind::Forbidden);
        let team = caller(Role::VillageTeam, VILLAGE_A1);
        let e = campaign::save_plan(&db, &team, TOWN_A, &input)
            .await
            .unwrap_err();
        assert_eq!(e.kind, Kind::Forbidden);
        let mut blank = input.clone();
        blank.version = 1;
        blank.plan.targets = " ".to_owned();
        let e = campaign::save_plan(&db, &town, TOWN_A, &blank)
            .await
            .unwrap_err();
        assert_eq!(e.kind, Kind::Invalid);
        assert_eq!(audit_count(&db).await, audits, "refusals write nothing");
        // Changed from version 1: version 2.
        let mut next = input.clone();
        next.version = 1;
        next.plan.mechanism = "每季度末月通报".to_owned();
        assert_eq!(
            campaign::save_plan(&db, &town, TOWN_A, &next)
                .await
                .unwrap()
                .version,
            2
        );
        // The village team reads its township's plan; the county all; another township's admin none.
        let seen = campaign::plans(&db, &team, Some(2026), d(11, 5))
            .await
            .unwrap();
        assert_eq!(seen.len(), 1);
        assert_eq!(seen[0].plan.mechanism, "每季度末月通报");
        let county = caller(Role::CountyAdmin, "141123");
        assert_eq!(
            campaign::plans(&db, &county, None, d(11, 5))
                .await
                .unwrap()
                .len(),
            1
        );
        let other = caller(Role::TownshipAdmin, "141123101");
        assert!(
            campaign::plans(&db, &other, Some(2026), d(11, 5))
                .await
                .unwrap()
                .is_empty()
        );
        assert!(
            campaign::plans(&db, &team, Some(2025), d(11, 5))
                .await
                .unwrap()
                .is_empty()
        );
    }
);
