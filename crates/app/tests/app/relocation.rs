//! 易地搬迁后续扶持 (A5, issue 21) on both databases: the relocated households by settlement point, the
//! stable-employment target on designed households (met, unmet, unscreened, no labour; the figure and the
//! list that misses it), the quarterly screening (403 another village, 409 a second in a quarter, 404, not
//! relocated, a worker outside the labour force), a missing quarter overdue in the list and on the
//! calendar of the settlement point, a new risk filing a clue of channel 干部排查, and the
//! 易地搬迁后续扶持台账.

use chrono::NaiveDate;
use shouwang_app::ledgers::{self, LedgerRequest};
use shouwang_app::registers::relocation::{self, ListFilter, ScreeningInput, WorkerInput};
use shouwang_app::{Caller, Kind, lifecycle};
use shouwang_core::codes::{LabourSkill, RegionLevel, RiskType};
use shouwang_core::monitoring::Channel;
use shouwang_core::monitoring::calendar::{TaskKind, TaskStatus};
use shouwang_core::register::relocation::{Job, TargetState, WorkPlace};
use shouwang_core::{Region, RegionCode, Role, Scope};
use shouwang_store::repo::{Actor, cases, households, regions};
use shouwang_store::testing::fixtures::{
    VILLAGE_A1, VILLAGE_A2, actor, audit_count, household, id, seed_regions,
};
use shouwang_store::{Db, db_test};

const TOWN_A: &str = "141123100";
/// 易地扶贫搬迁集中安置点 of township A.
const POINT: &str = "141123100299";

fn d(m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, m, day).unwrap()
}

fn caller(role: Role, area: &str) -> Caller {
    Caller {
        user_id: 21,
        name: "安置点专班王五".to_owned(),
        scope: Scope::new(21, role, area),
    }
}

/// In the settlement point: R1 (two adults with labour), R2 (the same), R3 (the same, never screened), R4
/// (an old couple without labour); R5 relocated, registered in village A1; N1 in A1, not relocated; R9
/// relocated, in village A2.
async fn setup(db: &Db) {
    seed_regions(db).await;
    let point = Region {
        code: RegionCode::parse(POINT).unwrap(),
        name: "晋绥新村安置点".to_owned(),
        level: RegionLevel::Settlement,
        parent: Some(RegionCode::parse(TOWN_A).unwrap()),
    };
    regions::upsert_many(db, &Actor::system(), &[point])
        .await
        .unwrap();
    let mut r4 = household("R4", POINT, "户主四", 44);
    r4.members[0].id_number = id(44, 1950);
    r4.members[1].id_number = id(544, 1952);
    for m in &mut r4.members {
        m.labour = LabourSkill::Lost;
    }
    let mut all = vec![
        household("R1", POINT, "户主一", 41),
        household("R2", POINT, "户主二", 42),
        household("R3", POINT, "户主三", 43),
        r4,
        household("R5", VILLAGE_A1, "户主五", 45),
        household("R9", VILLAGE_A2, "户主九", 49),
    ];
    for h in &mut all {
        h.is_relocated = true;
    }
    all.push(household("N1", VILLAGE_A1, "户主六", 46));
    for h in all {
        households::create(db, &actor(), &h).await.unwrap();
    }
}

fn worker(position: usize, job: Job) -> WorkerInput {
    WorkerInput {
        position,
        job,
        place: (job != Job::Unemployed).then_some(WorkPlace::InCounty),
        employer: "县城扶贫车间".to_owned(),
        since: Some(d(3, 1)),
        monthly_income: Some(2600),
    }
}

fn screening(day: u32, workers: Vec<WorkerInput>) -> ScreeningInput {
    ScreeningInput {
        screened_on: Some(d(5, day)),
        workers,
        income: Some(12000),
        employment_needs: "希望就近务工".to_owned(),
        training_needs: "电焊培训".to_owned(),
        support_needs: String::new(),
        new_risks: vec![],
    }
}

db_test!(
    fn the_target_on_designed_households(db: Db) {
        setup(&db).await;
        let team = caller(Role::VillageTeam, POINT);
        relocation::record_screening(
            &db,
            &team,
            "R1",
            &screening(
                10,
                vec![worker(0, Job::StableJob), worker(1, Job::Unemployed)],
            ),
            d(6, 10),
        )
        .await
        .unwrap();
        let done = relocation::record_screening(
            &db,
            &team,
            "R2",
            &screening(11, vec![worker(0, Job::Flexible)]),
            d(6, 10),
        )
        .await
        .unwrap();
        assert_eq!(done.target, TargetState::Unmet);

        let town = caller(Role::TownshipAdmin, TOWN_A);
        let all = relocation::list(&db, &town, &ListFilter::default(), d(6, 10))
            .await
            .unwrap();
        let numbers: Vec<&str> = all.iter().map(|e| e.number.as_str()).collect();
        assert_eq!(numbers, ["R5", "R9", "R1", "R2", "R3", "R4"], "not N1");
        let target = |n: &str| all.iter().find(|e| e.number == n).unwrap().target;
        assert_eq!(target("R1"), TargetState::Met);
        assert_eq!(target("R2"), TargetState::Unmet);
        assert_eq!(target("R3"), TargetState::Unscreened);
        assert_eq!(target("R4"), TargetState::NoLabour);
        let r1 = all.iter().find(|e| e.number == "R1").unwrap();
        assert_eq!(r1.village_name, "晋绥新村安置点");
        assert_eq!(r1.labour.len(), 2);
        assert_eq!(r1.stable_workers, 1);

        // The figure: 5 households with labour, 1 meets the target (20 %), 4 miss it — and their list.
        let f = relocation::figures(&db, &town, d(6, 10)).await.unwrap();
        assert_eq!(
            (f.households, f.with_labour, f.met, f.missing, f.screened),
            (6, 5, 1, 4, 2)
        );
        assert!((f.rate_percent - 20.0).abs() < 1e-9);
        let misses = ListFilter {
            target: Some("misses".to_owned()),
            ..ListFilter::default()
        };
        let list = relocation::list(&db, &town, &misses, d(6, 10))
            .await
            .unwrap();
        let numbers: Vec<&str> = list.iter().map(|e| e.number.as_str()).collect();
        assert_eq!(numbers, ["R5", "R9", "R2", "R3"]);
        // The needs pushed to the HR bureau: the screened households with needs.
        let needs = ListFilter {
            needs: Some(true),
            ..ListFilter::default()
        };
        assert_eq!(
            relocation::list(&db, &town, &needs, d(6, 10))
                .await
                .unwrap()
                .len(),
            2
        );
        // The settlement point's team sees its point only; an area filter narrows the township's list.
        let mine = relocation::list(&db, &team, &ListFilter::default(), d(6, 10))
            .await
            .unwrap();
        assert_eq!(mine.len(), 4);
        let f = ListFilter {
            area: Some(VILLAGE_A1.to_owned()),
            ..ListFilter::default()
        };
        assert_eq!(
            relocation::list(&db, &town, &f, d(6, 10))
                .await
                .unwrap()
                .len(),
            1
        );
        // The next quarter keeps the latest screening's target until the household is screened again.
        let q3 = ListFilter {
            quarter: Some("2026-Q3".to_owned()),
            ..ListFilter::default()
        };
        let later = relocation::list(&db, &team, &q3, d(8, 1)).await.unwrap();
        let r1 = later.iter().find(|e| e.number == "R1").unwrap();
        assert_eq!(r1.target, TargetState::Met);
        assert_eq!(r1.quarter.recorded_on, None);
    }
);

db_test!(
    fn a_screening_a_quarter_refusals_and_overdue(db: Db) {
        setup(&db).await;
        let team = caller(Role::VillageTeam, POINT);
        let audits = audit_count(&db).await;
        let ok = screening(10, vec![worker(0, Job::WelfarePost)]);
        relocation::record_screening(&db, &team, "R1", &ok, d(6, 10))
            .await
            .unwrap();
        assert_eq!(
            audit_count(&db).await,
            audits + 1,
            "the screening is audited"
        );

        // A second screening in the quarter: 409.
        let e = relocation::record_screening(&db, &team, "R1", &screening(20, vec![]), d(6, 10))
            .await
            .unwrap_err();
        assert_eq!(e.kind, Kind::Conflict);
        assert!(e.zh.contains("已有搬迁户排查记录"), "{}", e.zh);
        // Another village: 403; none at all: 404; not relocated: 422; a department: 403.
        let e = relocation::record_screening(&db, &team, "R9", &ok, d(6, 10))
            .await
            .unwrap_err();
        assert_eq!(e.kind, Kind::Forbidden);
        let e = relocation::record_screening(&db, &team, "NOPE", &ok, d(6, 10))
            .await
            .unwrap_err();
        assert_eq!(e.kind, Kind::NotFound);
        let a1 = caller(Role::VillageTeam, VILLAGE_A1);
        let e = relocation::record_screening(&db, &a1, "N1", &ok, d(6, 10))
            .await
            .unwrap_err();
        assert_eq!(e.kind, Kind::Invalid);
        let dept = caller(Role::Department, "141123");
        let e = relocation::record_screening(&db, &dept, "R2", &ok, d(6, 10))
            .await
            .unwrap_err();
        assert_eq!(e.kind, Kind::Forbidden);
        // R4 has no labour force: a worker is refused; a screening without workers is fine.
        let e = relocation::record_screening(&db, &team, "R4", &ok, d(6, 10))
            .await
            .unwrap_err();
        assert_eq!(e.kind, Kind::Invalid);
        assert!(e.zh.contains("不是本户的劳动力"), "{}", e.zh);
        assert_eq!(audit_count(&db).await, audits + 1, "refusals write nothing");

        // On 1 July, Q2's missing screenings are overdue: R2, R3, R4 of the point.
        let q2 = ListFilter {
            quarter: Some("2026-Q2".to_owned()),
            ..ListFilter::default()
        };
        let rows = relocation::list(&db, &team, &q2, d(7, 1)).await.unwrap();
        let state = |n: &str| rows.iter().find(|e| e.number == n).unwrap().quarter.status;
        assert_eq!(state("R1"), TaskStatus::Done);
        assert_eq!(state("R3"), TaskStatus::Overdue);
        let overdue = ListFilter {
            status: Some("overdue".to_owned()),
            ..q2.clone()
        };
        assert_eq!(
            relocation::list(&db, &team, &overdue, d(7, 1))
                .await
                .unwrap()
                .len(),
            3
        );
        // … and on the calendar: the point's Q2 screening is overdue with 3 outstanding, for the team and
        // for the township (the point is a settlement, not a village); village A2 has its own (R9).
        for who in [&team, &caller(Role::TownshipAdmin, TOWN_A)] {
            let cal = lifecycle::calendar(&db, who, None, d(4, 1), d(6, 30), d(7, 1))
                .await
                .unwrap();
            let tasks: Vec<_> = cal
                .iter()
                .filter(|t| t.task.kind == TaskKind::RelocationScreening)
                .collect();
            let point = tasks.iter().find(|t| t.task.village == POINT).unwrap();
            assert_eq!(point.status, TaskStatus::Overdue);
            assert_eq!(point.outstanding, Some(3));
        }
        let town = lifecycle::calendar(
            &db,
            &caller(Role::TownshipAdmin, TOWN_A),
            None,
            d(4, 1),
            d(6, 30),
            d(7, 1),
        )
        .await
        .unwrap();
        let villages: Vec<&str> = town
            .iter()
            .filter(|t| t.task.kind == TaskKind::RelocationScreening)
            .map(|t| t.task.village.as_str())
            .collect();
        assert_eq!(
            villages.len(),
            3,
            "the point, A1 (R5) and A2 (R9): {villages:?}"
        );

        // The household's page: its screening, newest first.
        let sheet = relocation::show(&db, &team, "R1", d(6, 10)).await.unwrap();
        assert_eq!(sheet.screenings.len(), 1);
        assert_eq!(sheet.screenings[0].recorded_by, "安置点专班王五");
        assert_eq!(sheet.screenings[0].screening.workers[0].name, "户主一");
        assert_eq!(sheet.entry.target, TargetState::Met);
        let e = relocation::show(&db, &a1, "N1", d(6, 10))
            .await
            .unwrap_err();
        assert_eq!(e.kind, Kind::NotFound, "not relocated");
    }
);

db_test!(
    fn a_new_risk_files_a_clue_and_the_ledger_exports(db: Db) {
        setup(&db).await;
        let team = caller(Role::VillageTeam, POINT);
        let mut s = screening(12, vec![worker(0, Job::Unemployed)]);
        s.workers[0].place = None;
        s.new_risks = vec![RiskType::UnstableEmployment];
        let done = relocation::record_screening(&db, &team, "R3", &s, d(6, 10))
            .await
            .unwrap();
        assert_eq!(done.filed, Some(lifecycle::Filed::NewCase));
        let rec = cases::get(&db, &team.scope, "R3").await.unwrap().unwrap();
        let source = &rec.case.clues[0].sources[0].report.source;
        assert_eq!(source.channel(), Channel::CadreScreening);

        let file = ledgers::export(
            &db,
            &team,
            &LedgerRequest {
                kind: Some("易地搬迁后续扶持台账".to_owned()),
                ..LedgerRequest::default()
            },
        )
        .await
        .unwrap();
        // R1–R4 of the point: one row each.
        assert_eq!(file.rows, 4);
        assert!(file.name.starts_with("易地搬迁后续扶持台账"));
        let town = caller(Role::TownshipAdmin, TOWN_A);
        let req = LedgerRequest {
            kind: Some("relocation".to_owned()),
            ..LedgerRequest::default()
        };
        assert_eq!(ledgers::export(&db, &town, &req).await.unwrap().rows, 6);
    }
);
