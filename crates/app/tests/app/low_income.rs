//! 低收入人口常态化帮扶 (A4, issue 21) on both databases: the scope rules on designed households (with the
//! reason and the member), the monthly visit (403 another village, 409 a second in a month, 404, out of
//! scope), a missing month overdue in the list and on the calendar, a new risk filing a clue of channel
//! 干部排查, and the 低收入人口台账.

use chrono::NaiveDate;
use sea_orm::ConnectionTrait;
use shouwang_app::ledgers::{self, LedgerRequest};
use shouwang_app::registers::low_income::{self, ListFilter};
use shouwang_app::{Caller, Kind, lifecycle};
use shouwang_core::codes::{Dibao, HealthStatus, LabourSkill, Relation, RiskType};
use shouwang_core::monitoring::calendar::{TaskKind, TaskStatus, YearMonth};
use shouwang_core::monitoring::{Actor as By, Channel, Report, Source};
use shouwang_core::register::low_income::{Category, Policy, Visit};
use shouwang_core::{Role, Scope};
use shouwang_store::repo::{cases, households};
use shouwang_store::testing::fixtures::{
    VILLAGE_A1, VILLAGE_A2, actor, audit_count, household, id, member, seed_regions,
};
use shouwang_store::{Db, db_test};

const TOWN_A: &str = "141123100";

fn d(m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, m, day).unwrap()
}

fn caller(role: Role, area: &str) -> Caller {
    Caller {
        user_id: 21,
        name: "村专班李四".to_owned(),
        scope: Scope::new(21, role, area),
    }
}

/// L1 低保 (the spouse), L2 ordinary (out of scope), L3 an old couple without labour raising a grandson,
/// L4 风险消除, L5 a disabled head, L9 低保 in the other village.
async fn setup(db: &Db) {
    seed_regions(db).await;
    let mut l1 = household("L1", VILLAGE_A1, "户主一", 31);
    l1.members[1].dibao = Dibao::Rural;
    let l2 = household("L2", VILLAGE_A1, "户主二", 32);
    let mut l3 = household("L3", VILLAGE_A1, "户主三", 33);
    l3.members[0].id_number = id(33, 1950);
    l3.members[1].id_number = id(533, 1952);
    for m in &mut l3.members {
        m.labour = LabourSkill::None;
    }
    let mut child = member(id(633, 2016), "孙子三", Relation::Grandson);
    child.labour = LabourSkill::None;
    l3.members.push(child);
    let l4 = household("L4", VILLAGE_A1, "户主四", 34);
    let mut l5 = household("L5", VILLAGE_A1, "户主五", 35);
    l5.members[0].health = vec![HealthStatus::Disabled];
    l5.members[0].disability_grade = Some(2);
    let mut l9 = household("L9", VILLAGE_A2, "户主九", 39);
    l9.members[0].dibao = Dibao::Rural;
    for h in [l1, l2, l3, l4, l5, l9] {
        households::create(db, &actor(), &h).await.unwrap();
    }
    // L4: a case closed by 风险消除 (the lifecycle's own path is tested with the cases; here its state).
    let team = Scope::new(21, Role::VillageTeam, VILLAGE_A1);
    let report = Report {
        household: "L4".to_owned(),
        source: Source::CadreScreening {
            round: "2025年第4季度".to_owned(),
        },
        risks: vec![RiskType::Illness],
        reporter: "李四".to_owned(),
        reported_on: NaiveDate::from_ymd_opt(2025, 11, 1).unwrap(),
    };
    let by = By::new(21, "李四", Role::VillageTeam);
    cases::open(db, &actor(), &team, report, &by, report_day())
        .await
        .unwrap();
    db.conn()
        .execute_unprepared(
            "UPDATE cases SET lifecycle = 'eliminated' WHERE household_number = 'L4'",
        )
        .await
        .unwrap();
}

fn report_day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, 11, 1).unwrap()
}

fn visit(day: u32) -> Visit {
    Visit {
        month: YearMonth::new(2026, 6).unwrap(),
        visited_on: d(6, day),
        needs: "冬季取暖".to_owned(),
        policies: vec![Policy::Dibao, Policy::MedicalAid],
        difficulties: "配偶慢性病".to_owned(),
        help: "协调临时救助".to_owned(),
        next_step: "下月复访".to_owned(),
        new_risks: vec![],
        applications: vec![],
    }
}

fn reasons(e: &low_income::Entry) -> Vec<(Category, Option<String>)> {
    e.reasons
        .iter()
        .map(|r| (r.category, r.member.clone()))
        .collect()
}

db_test!(
    fn scope_is_derived_with_the_rule_and_the_member(db: Db) {
        setup(&db).await;
        let town = caller(Role::TownshipAdmin, TOWN_A);
        let all = low_income::list(&db, &town, &ListFilter::default(), d(6, 10))
            .await
            .unwrap();
        let numbers: Vec<&str> = all.iter().map(|e| e.number.as_str()).collect();
        assert_eq!(numbers, ["L1", "L3", "L4", "L5", "L9"]);
        let by = |n: &str| all.iter().find(|e| e.number == n).unwrap();
        assert_eq!(
            reasons(by("L1")),
            [(Category::Dibao, Some("户主一妻".to_owned()))]
        );
        assert_eq!(
            reasons(by("L3")),
            [
                (Category::TwoWithout, Some("户主三".to_owned())),
                (Category::TwoWithout, Some("户主三妻".to_owned())),
                (Category::UnsupportedChild, Some("孙子三".to_owned())),
                (Category::LeftBehindChild, Some("孙子三".to_owned())),
            ]
        );
        // The grandson, 10, has no school status: watched (控辍保学).
        assert_eq!(by("L3").dropout_watch, ["孙子三"]);
        assert_eq!(reasons(by("L4")), [(Category::FormerMonitored, None)]);
        assert_eq!(
            reasons(by("L5")),
            [(Category::Disabled, Some("户主五".to_owned()))]
        );

        // Filters; the village team sees its village only.
        let f = ListFilter {
            category: Some("dibao".to_owned()),
            ..ListFilter::default()
        };
        let dibao = low_income::list(&db, &town, &f, d(6, 10)).await.unwrap();
        assert_eq!(dibao.len(), 2);
        let team = caller(Role::VillageTeam, VILLAGE_A1);
        let mine = low_income::list(&db, &team, &ListFilter::default(), d(6, 10))
            .await
            .unwrap();
        assert_eq!(mine.len(), 4);
        assert!(mine.iter().all(|e| e.village == VILLAGE_A1));

        // The county switches 低保 off: L1 and L9 leave the register.
        let county = caller(Role::CountyAdmin, "141123");
        let mut rules = lifecycle::county_rules(&db, "141123").await.unwrap();
        rules.low_income.off.insert(Category::Dibao);
        shouwang_store::repo::rules::set(&db, &actor(), &county.scope, "141123", &rules, 0)
            .await
            .unwrap();
        let after = low_income::list(&db, &town, &ListFilter::default(), d(6, 10))
            .await
            .unwrap();
        let numbers: Vec<&str> = after.iter().map(|e| e.number.as_str()).collect();
        assert_eq!(numbers, ["L3", "L4", "L5"]);
    }
);

db_test!(
    fn a_visit_a_month_refusals_and_overdue(db: Db) {
        setup(&db).await;
        let team = caller(Role::VillageTeam, VILLAGE_A1);
        let audits = audit_count(&db).await;
        let done = low_income::record_visit(&db, &team, "L1", &visit(5), d(6, 10))
            .await
            .unwrap();
        assert_eq!(done.filed, None);
        assert_eq!(audit_count(&db).await, audits + 1, "the visit is audited");

        // A second visit in June: 409, nothing written.
        let e = low_income::record_visit(&db, &team, "L1", &visit(8), d(6, 10))
            .await
            .unwrap_err();
        assert_eq!(e.kind, Kind::Conflict);
        assert!(e.zh.contains("已有走访记录"), "{}", e.zh);
        // Another village's household: 403; none at all: 404; out of scope: 422; a department: 403.
        let e = low_income::record_visit(&db, &team, "L9", &visit(5), d(6, 10))
            .await
            .unwrap_err();
        assert_eq!(e.kind, Kind::Forbidden);
        let e = low_income::record_visit(&db, &team, "NOPE", &visit(5), d(6, 10))
            .await
            .unwrap_err();
        assert_eq!(e.kind, Kind::NotFound);
        let e = low_income::record_visit(&db, &team, "L2", &visit(5), d(6, 10))
            .await
            .unwrap_err();
        assert_eq!(e.kind, Kind::Invalid);
        let dept = caller(Role::Department, "141123");
        let e = low_income::record_visit(&db, &dept, "L1", &visit(5), d(6, 10))
            .await
            .unwrap_err();
        assert_eq!(e.kind, Kind::Forbidden);
        // A visit dated after today is refused.
        let e = low_income::record_visit(&db, &team, "L5", &visit(12), d(6, 10))
            .await
            .unwrap_err();
        assert_eq!(e.kind, Kind::Invalid);
        assert_eq!(audit_count(&db).await, audits + 1, "refusals write nothing");

        // On 1 July, June's missing visits are overdue.
        let f = ListFilter {
            month: Some("2026-06".to_owned()),
            ..ListFilter::default()
        };
        let june = low_income::list(&db, &team, &f, d(7, 1)).await.unwrap();
        let state = |n: &str| june.iter().find(|e| e.number == n).unwrap().month.status;
        assert_eq!(state("L1"), TaskStatus::Done);
        assert_eq!(state("L3"), TaskStatus::Overdue);
        let overdue = ListFilter {
            status: Some("overdue".to_owned()),
            ..f.clone()
        };
        assert_eq!(
            low_income::list(&db, &team, &overdue, d(7, 1))
                .await
                .unwrap()
                .len(),
            3
        );
        // … and on the calendar: the village's June task is overdue with 3 households outstanding.
        let cal = lifecycle::calendar(&db, &team, None, d(6, 1), d(6, 30), d(7, 1))
            .await
            .unwrap();
        let task = cal
            .iter()
            .find(|t| t.task.kind == TaskKind::LowIncomeVisit)
            .unwrap();
        assert_eq!(task.status, TaskStatus::Overdue);
        assert_eq!(task.outstanding, Some(3));
        let figures = low_income::figures(&db, &team, d(6, 10)).await.unwrap();
        assert_eq!(
            (figures.households, figures.visited, figures.overdue),
            (4, 1, 0)
        );

        // The household's page: its visit, newest first.
        let sheet = low_income::show(&db, &team, "L1", d(6, 10)).await.unwrap();
        assert_eq!(sheet.visits.len(), 1);
        assert_eq!(sheet.visits[0].recorded_by, "村专班李四");
        assert_eq!(sheet.entry.month.recorded_on, Some(d(6, 5)));
    }
);

db_test!(
    fn a_new_risk_files_a_clue_and_the_ledger_exports(db: Db) {
        setup(&db).await;
        let team = caller(Role::VillageTeam, VILLAGE_A1);
        let mut v = visit(6);
        v.new_risks = vec![RiskType::Illness];
        let done = low_income::record_visit(&db, &team, "L3", &v, d(6, 10))
            .await
            .unwrap();
        assert_eq!(done.filed, Some(lifecycle::Filed::NewCase));
        let rec = cases::get(&db, &team.scope, "L3").await.unwrap().unwrap();
        let source = &rec.case.clues[0].sources[0].report.source;
        assert_eq!(source.channel(), Channel::CadreScreening);

        let file = ledgers::export(
            &db,
            &team,
            &LedgerRequest {
                kind: Some("低收入人口台账".to_owned()),
                ..LedgerRequest::default()
            },
        )
        .await
        .unwrap();
        // L1, L3 (visited), L4, L5: one row each.
        assert_eq!(file.rows, 4);
        assert!(file.name.starts_with("低收入人口台账"));
        // Another village's team exports its own households only.
        let other = caller(Role::VillageTeam, VILLAGE_A2);
        let req = LedgerRequest {
            kind: Some("low_income".to_owned()),
            ..LedgerRequest::default()
        };
        assert_eq!(ledgers::export(&db, &other, &req).await.unwrap().rows, 1);
    }
);

db_test!(
    fn classified_help_applications_and_the_dropout_watch_as_a_problem(db: Db) {
        use shouwang_core::codes::Guarantee;
        use shouwang_core::register::classified_help::{
            Application, ApplicationStatus, AssistanceKind,
        };
        setup(&db).await;
        let team = caller(Role::VillageTeam, VILLAGE_A1);
        // L3: an old couple without labour (两无) raising a 10-year-old not recorded in school.
        let sheet = low_income::show(&db, &team, "L3", d(6, 10)).await.unwrap();
        assert_eq!(
            sheet.suggested,
            [AssistanceKind::Tekun, AssistanceKind::Dibao]
        );
        assert_eq!(sheet.entry.dropout_watch, ["孙子三"]);
        assert!(sheet.applications.is_empty());

        // June: applying for 特困; the child out of school becomes a 义务教育 problem of the ledger.
        let applying = Application {
            kind: AssistanceKind::Tekun,
            status: ApplicationStatus::Applying,
        };
        let june = Visit {
            applications: vec![applying],
            ..visit(5)
        };
        let done = low_income::record_visit(&db, &team, "L3", &june, d(6, 10))
            .await
            .unwrap();
        let id = done
            .dropout_problem
            .expect("the dropout watch is a problem");
        let p = shouwang_app::problems::show(&db, &team, id, d(6, 10))
            .await
            .unwrap();
        assert_eq!(p.problem.what.sector, Guarantee::CompulsoryEducation);
        assert_eq!(p.problem.what.household.as_deref(), Some("L3"));
        assert!(
            p.problem.what.found.contains("1名") && !p.problem.what.found.contains("孙子三"),
            "{}",
            p.problem.what.found
        );
        // The problem keeps L3 from exit like any open 三保障 problem.
        let blockers = shouwang_store::repo::problems::open_blockers(db.conn(), "141123", "L3")
            .await
            .unwrap();
        assert_eq!(blockers.len(), 1);

        // July: granted; the problem still open, none filed again.
        let granted = Application {
            status: ApplicationStatus::Granted,
            ..applying
        };
        let july = Visit {
            month: YearMonth::new(2026, 7).unwrap(),
            visited_on: d(7, 5),
            applications: vec![granted],
            ..visit(5)
        };
        let done = low_income::record_visit(&db, &team, "L3", &july, d(7, 10))
            .await
            .unwrap();
        assert_eq!(done.dropout_problem, None);
        let sheet = low_income::show(&db, &team, "L3", d(7, 10)).await.unwrap();
        assert_eq!(sheet.applications, [granted]);

        // Two states of one kind in a visit: refused, nothing written.
        let audits = audit_count(&db).await;
        let twice = Visit {
            month: YearMonth::new(2026, 8).unwrap(),
            visited_on: d(8, 5),
            applications: vec![applying, granted],
            ..visit(5)
        };
        let e = low_income::record_visit(&db, &team, "L3", &twice, d(8, 10))
            .await
            .unwrap_err();
        assert_eq!(e.kind, Kind::Invalid);
        assert_eq!(audit_count(&db).await, audits);
    }
);
