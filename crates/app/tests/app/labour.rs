//! 农村劳动力就业 (B1, issue 21) on both databases: the households with labour (not the old couple), the
//! monthly record (every member of the labour force; 409 a second in a month, 403 another village, 404,
//! a household without labour, a member left out), who is not recorded this month, the figure
//! 脱贫劳动力务工就业人数 this year against last year by village (an ordinary household not counted), the
//! month overdue on the calendar, and the 劳动力就业台账.

use chrono::NaiveDate;
use shouwang_app::ledgers::{self, LedgerRequest};
use shouwang_app::registers::labour::{self, ListFilter, RecordInput, WorkerInput};
use shouwang_app::{Caller, Kind, lifecycle};
use shouwang_core::codes::{HouseholdType, LabourSkill};
use shouwang_core::monitoring::calendar::{TaskKind, TaskStatus};
use shouwang_core::register::labour::{Drive, Status};
use shouwang_core::register::relocation::WorkPlace;
use shouwang_core::{Role, Scope};
use shouwang_store::repo::households;
use shouwang_store::testing::fixtures::{
    VILLAGE_A1, VILLAGE_A2, actor, audit_count, household, id, seed_regions,
};
use shouwang_store::{Db, db_test};

const TOWN_A: &str = "141123100";

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn caller(role: Role, area: &str) -> Caller {
    Caller {
        user_id: 31,
        name: "村专班赵六".to_owned(),
        scope: Scope::new(31, role, area),
    }
}

/// Village A1: L1 (脱贫户, two adults), L2 (一般农户, two adults), L3 (an old couple without labour);
/// village A2: L9 (脱贫户, two adults).
async fn setup(db: &Db) {
    seed_regions(db).await;
    let mut l2 = household("L2", VILLAGE_A1, "户主二", 62);
    l2.household_type = HouseholdType::Ordinary;
    let mut l3 = household("L3", VILLAGE_A1, "户主三", 63);
    l3.members[0].id_number = id(63, 1950);
    l3.members[1].id_number = id(563, 1952);
    for m in &mut l3.members {
        m.labour = LabourSkill::Lost;
    }
    for h in [
        household("L1", VILLAGE_A1, "户主一", 61),
        l2,
        l3,
        household("L9", VILLAGE_A2, "户主九", 69),
    ] {
        households::create(db, &actor(), &h).await.unwrap();
    }
}

fn worker(position: usize, status: Status) -> WorkerInput {
    WorkerInput {
        position,
        status,
        place: (status == Status::Migrant).then_some(WorkPlace::OutOfProvince),
        employer: if status.employed() {
            "浙江某电子厂".to_owned()
        } else {
            String::new()
        },
        monthly_income: status.employed().then_some(4200),
        drive: match status {
            Status::WelfarePost => Some(Drive::WelfarePost),
            Status::Migrant => Some(Drive::Enterprise),
            _ => None,
        },
        training_wanted: String::new(),
        training_taken: String::new(),
    }
}

fn input(on: NaiveDate, workers: Vec<WorkerInput>) -> RecordInput {
    RecordInput {
        recorded_on: Some(on),
        workers,
    }
}

db_test!(
    fn records_figures_and_who_is_missing(db: Db) {
        setup(&db).await;
        let team = caller(Role::VillageTeam, VILLAGE_A1);
        let audits = audit_count(&db).await;
        let june = d(2026, 6, 10);
        let done = labour::record(
            &db,
            &team,
            "L1",
            &input(
                june,
                vec![worker(0, Status::Migrant), worker(1, Status::Nearby)],
            ),
            june,
        )
        .await
        .unwrap();
        assert_eq!(done.employed, 2);
        let mut w = worker(1, Status::Unemployed);
        w.training_wanted = "电工培训".to_owned();
        labour::record(
            &db,
            &team,
            "L2",
            &input(june, vec![worker(0, Status::WelfarePost), w]),
            june,
        )
        .await
        .unwrap();
        // Last year's June of L1: one of two employed.
        let ly = d(2025, 6, 12);
        labour::record(
            &db,
            &team,
            "L1",
            &input(
                ly,
                vec![worker(0, Status::Migrant), worker(1, Status::Unemployed)],
            ),
            ly,
        )
        .await
        .unwrap();
        assert_eq!(audit_count(&db).await, audits + 3, "each record audited");

        let town = caller(Role::TownshipAdmin, TOWN_A);
        let all = labour::list(&db, &town, &ListFilter::default(), june)
            .await
            .unwrap();
        let numbers: Vec<&str> = all.iter().map(|e| e.number.as_str()).collect();
        assert_eq!(numbers, ["L1", "L2", "L9"], "not the old couple");
        assert!(all[0].alleviated && !all[1].alleviated);
        assert_eq!(all[0].labour.len(), 2);
        assert_eq!(all[0].employed(), 2);
        let missing = ListFilter {
            state: Some("missing".to_owned()),
            ..ListFilter::default()
        };
        let rows = labour::list(&db, &town, &missing, june).await.unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].number, "L9");
        let welfare = ListFilter {
            status: Some("welfare_post".to_owned()),
            ..ListFilter::default()
        };
        let rows = labour::list(&db, &town, &welfare, june).await.unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].number, "L2");
        let bad = ListFilter {
            status: Some("flying".to_owned()),
            ..ListFilter::default()
        };
        assert_eq!(
            labour::list(&db, &town, &bad, june).await.unwrap_err().kind,
            Kind::Invalid
        );
        // The village team sees its village only.
        assert_eq!(
            labour::list(&db, &team, &ListFilter::default(), june)
                .await
                .unwrap()
                .len(),
            2
        );

        // 脱贫劳动力务工就业人数: June 2026 against June 2025 — L1's two against one; L2 is no 脱贫户.
        let f = labour::figures(&db, &town, None, Some("2026-06"), june)
            .await
            .unwrap();
        assert_eq!((f.trend.this_year, f.trend.last_year), (2, 1));
        assert!(f.trend.stable_or_growing());
        assert_eq!(
            (f.households, f.recorded, f.labour, f.employed),
            (3, 2, 6, 3)
        );
        assert_eq!(f.by_village.len(), 1);
        assert_eq!(f.by_village[0].village, VILLAGE_A1);
        assert_eq!(f.by_village[0].village_name, "李家沟村");
        // The dashboard's figure on 5 July: June, in one statement.
        let (month, t) = labour::trend(&db, &town, d(2026, 7, 5)).await.unwrap();
        assert_eq!(month.to_string(), "2026-06");
        assert_eq!((t.this_year, t.last_year), (2, 1));
        // Village A2 sees none of it.
        let a2 = caller(Role::VillageTeam, VILLAGE_A2);
        let (_, t) = labour::trend(&db, &a2, d(2026, 7, 5)).await.unwrap();
        assert_eq!((t.this_year, t.last_year), (0, 0));

        // The household's page: its records, newest first.
        let sheet = labour::show(&db, &team, "L1", june).await.unwrap();
        assert_eq!(sheet.records.len(), 2);
        assert_eq!(sheet.records[0].record.month.to_string(), "2026-06");
        assert_eq!(sheet.records[0].recorded_by, "村专班赵六");
        assert_eq!(sheet.records[0].record.workers[0].name, "户主一");
        assert_eq!(sheet.entry.month.status, TaskStatus::Done);
        let e = labour::show(&db, &team, "L3", june).await.unwrap_err();
        assert_eq!(e.kind, Kind::NotFound, "no labour");
    }
);

db_test!(
    fn refusals_overdue_and_the_ledger(db: Db) {
        setup(&db).await;
        let team = caller(Role::VillageTeam, VILLAGE_A1);
        let june = d(2026, 6, 10);
        let ok = input(
            june,
            vec![worker(0, Status::Workshop), worker(1, Status::SelfEmployed)],
        );
        labour::record(&db, &team, "L1", &ok, june).await.unwrap();
        let audits = audit_count(&db).await;
        // A second record in the month: 409.
        let e = labour::record(&db, &team, "L1", &ok, june)
            .await
            .unwrap_err();
        assert_eq!(e.kind, Kind::Conflict);
        assert!(e.zh.contains("已有劳动力就业月报"), "{}", e.zh);
        // Another village: 403; none at all: 404; a department: 403.
        let e = labour::record(&db, &team, "L9", &ok, june)
            .await
            .unwrap_err();
        assert_eq!(e.kind, Kind::Forbidden);
        let e = labour::record(&db, &team, "NOPE", &ok, june)
            .await
            .unwrap_err();
        assert_eq!(e.kind, Kind::NotFound);
        let dept = caller(Role::Department, "141123");
        let e = labour::record(&db, &dept, "L2", &ok, june)
            .await
            .unwrap_err();
        assert_eq!(e.kind, Kind::Forbidden);
        // No labour; a member left out; 外出务工 without where.
        let e = labour::record(&db, &team, "L3", &input(june, vec![]), june)
            .await
            .unwrap_err();
        assert_eq!(e.kind, Kind::Invalid);
        let e = labour::record(
            &db,
            &team,
            "L2",
            &input(june, vec![worker(0, Status::Nearby)]),
            june,
        )
        .await
        .unwrap_err();
        assert_eq!(e.kind, Kind::Invalid);
        assert!(e.zh.contains("未填写就业状态"), "{}", e.zh);
        let mut w = worker(0, Status::Migrant);
        w.place = None;
        let e = labour::record(
            &db,
            &team,
            "L2",
            &input(june, vec![w, worker(1, Status::Nearby)]),
            june,
        )
        .await
        .unwrap_err();
        assert_eq!(e.kind, Kind::Invalid);
        assert_eq!(audit_count(&db).await, audits, "refusals write nothing");

        // On 1 July, June's record of L2 is overdue: in the list and on the calendar (1 outstanding).
        let rows = labour::list(
            &db,
            &team,
            &ListFilter {
                month: Some("2026-06".to_owned()),
                state: Some("overdue".to_owned()),
                ..ListFilter::default()
            },
            d(2026, 7, 1),
        )
        .await
        .unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].number, "L2");
        let cal = lifecycle::calendar(
            &db,
            &team,
            None,
            d(2026, 6, 1),
            d(2026, 6, 30),
            d(2026, 7, 1),
        )
        .await
        .unwrap();
        let task = cal
            .iter()
            .find(|t| t.task.kind == TaskKind::LabourRecord)
            .unwrap();
        assert_eq!(task.status, TaskStatus::Overdue);
        assert_eq!(task.outstanding, Some(1));

        // The 劳动力就业台账: L1 (one record), L2 (none) of A1; the township adds L9.
        let file = ledgers::export(
            &db,
            &team,
            &LedgerRequest {
                kind: Some("劳动力就业台账".to_owned()),
                ..LedgerRequest::default()
            },
        )
        .await
        .unwrap();
        assert_eq!(file.rows, 2);
        assert!(file.name.starts_with("劳动力就业台账"));
        let town = caller(Role::TownshipAdmin, TOWN_A);
        let req = LedgerRequest {
            kind: Some("labour".to_owned()),
            ..LedgerRequest::default()
        };
        assert_eq!(ledgers::export(&db, &town, &req).await.unwrap().rows, 3);
    }
);
