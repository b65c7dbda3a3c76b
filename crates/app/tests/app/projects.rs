//! 项目库与衔接资金 (B2, issue 23) on both databases: a project from 村申报 through 乡审核, 行业部门论证 and
//! 县备案, each step by its role (a wrong role, a skipped step, a missing reason, a stale version refused
//! with nothing written), a return and a second application, a refusal that ends the flow; payments within
//! the plan and one over it refused with what remains; each role's queue, the progress board by township
//! and fund source, area scoping, the audit rows and the two ledgers.

use chrono::NaiveDate;
use shouwang_app::ledgers::{self, LedgerRequest};
use shouwang_app::projects::{self, ListFilter, StepInput};
use shouwang_app::{Caller, Kind};
use shouwang_core::money::Fen;
use shouwang_core::project::{
    Decision, Draft, FundSource, Payment, Plan, ProjectKind, ProjectState, Step,
};
use shouwang_core::{CodeList, Role, Scope};
use shouwang_store::repo::households;
use shouwang_store::testing::fixtures::{
    COUNTY, TOWN_A, TOWN_B, VILLAGE_A1, VILLAGE_B1, actor, audit_count, household, seed_regions,
};
use shouwang_store::{Db, db_test};

fn d(m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, m, day).unwrap()
}

fn who(id: i64, role: Role, area: &str) -> Caller {
    Caller {
        user_id: id,
        name: format!("{}{id}", role.code()),
        scope: Scope::new(id, role, area),
    }
}

fn team() -> Caller {
    who(21, Role::VillageTeam, VILLAGE_A1)
}
fn town() -> Caller {
    who(22, Role::TownshipAdmin, TOWN_A)
}
fn dept() -> Caller {
    who(23, Role::Department, COUNTY)
}
fn county() -> Caller {
    who(24, Role::CountyAdmin, COUNTY)
}

fn draft() -> Draft {
    Draft {
        name: "李家沟村肉牛养殖园区".to_owned(),
        kind: ProjectKind::Industry,
        village: VILLAGE_A1.to_owned(),
        place: "李家沟村北".to_owned(),
        content: "新建牛舍1200平方米".to_owned(),
        year_from: 2026,
        year_to: 2026,
        plan: Plan::from([
            (FundSource::Central, Fen::from_yuan(800_000)),
            (FundSource::County, Fen::from_yuan(200_000)),
        ]),
        households: vec!["P1".to_owned()],
    }
}

fn step(step: Step, decision: Decision, on: NaiveDate, opinion: &str) -> StepInput {
    StepInput {
        step,
        decision,
        on: Some(on),
        opinion: opinion.to_owned(),
        attachments: Vec::new(),
    }
}

fn pay(source: FundSource, yuan: i64, on: NaiveDate) -> Payment {
    Payment {
        source,
        paid_on: on,
        amount: Fen::from_yuan(yuan),
        voucher: "记字第0012号".to_owned(),
    }
}

async fn setup(db: &Db) {
    seed_regions(db).await;
    for h in [
        household("P1", VILLAGE_A1, "户主一", 41),
        household("P9", VILLAGE_B1, "户主九", 49),
    ] {
        households::create(db, &actor(), &h).await.unwrap();
    }
}

async fn applied(db: &Db) -> i64 {
    let apply = step(Step::Apply, Decision::Approve, d(3, 1), "村两委会议通过");
    projects::apply(db, &team(), None, &draft(), apply, d(3, 1))
        .await
        .unwrap()
}

db_test!(
    async fn a_project_from_application_to_payments(db: Db) {
        setup(&db).await;
        let before = audit_count(&db).await;
        let id = applied(&db).await;
        assert_eq!(audit_count(&db).await, before + 1);
        assert_eq!(projects::queue(&db, &town()).await.unwrap().len(), 1);
        assert!(projects::queue(&db, &dept()).await.unwrap().is_empty());

        // Skipping the township, another role, another township: refused, nothing written.
        let skip = step(Step::DepartmentReview, Decision::Approve, d(3, 5), "");
        let e = projects::review(&db, &dept(), id, None, skip, d(3, 5))
            .await
            .unwrap_err();
        assert_eq!((e.kind, e.code.as_str()), (Kind::Conflict, "out_of_order"));
        let ok = step(Step::TownshipReview, Decision::Approve, d(3, 5), "同意");
        let e = projects::review(&db, &county(), id, None, ok.clone(), d(3, 5))
            .await
            .unwrap_err();
        assert_eq!(e.kind, Kind::Forbidden);
        let other = who(25, Role::TownshipAdmin, TOWN_B);
        let e = projects::review(&db, &other, id, None, ok.clone(), d(3, 5))
            .await
            .unwrap_err();
        assert_eq!(e.kind, Kind::NotFound);
        let e = projects::review(&db, &town(), id, Some(7), ok.clone(), d(3, 5))
            .await
            .unwrap_err();
        assert_eq!(e.code, "stale_version");
        let no_reason = step(Step::TownshipReview, Decision::Return, d(3, 5), " ");
        let e = projects::review(&db, &town(), id, None, no_reason, d(3, 5))
            .await
            .unwrap_err();
        assert_eq!(e.kind, Kind::Invalid);
        assert_eq!(audit_count(&db).await, before + 1);
        let sheet = projects::show(&db, &town(), id).await.unwrap();
        assert_eq!(
            (sheet.entry.state, sheet.steps.len()),
            (ProjectState::Submitted, 1)
        );

        // Returned, applied again with a smaller plan, then through every step.
        let back = step(
            Step::TownshipReview,
            Decision::Return,
            d(3, 6),
            "预算偏高，请核减",
        );
        let s = projects::review(&db, &town(), id, Some(1), back, d(3, 6))
            .await
            .unwrap();
        assert_eq!(s, ProjectState::Returned);
        assert_eq!(projects::queue(&db, &team()).await.unwrap().len(), 1);
        let mut smaller = draft();
        smaller
            .plan
            .insert(FundSource::Central, Fen::from_yuan(700_000));
        let again = step(Step::Apply, Decision::Approve, d(3, 8), "已核减预算");
        projects::apply(&db, &team(), Some((id, Some(2))), &smaller, again, d(3, 8))
            .await
            .unwrap();
        let ok = step(Step::TownshipReview, Decision::Approve, d(3, 9), "同意");
        projects::review(&db, &town(), id, None, ok, d(3, 9))
            .await
            .unwrap();
        let early = pay(FundSource::Central, 1, d(3, 9));
        let e = projects::pay(&db, &county(), id, None, &early, d(3, 9))
            .await
            .unwrap_err();
        assert_eq!(e.code, "wrong_state");
        let ok = step(
            Step::DepartmentReview,
            Decision::Approve,
            d(3, 12),
            "论证通过",
        );
        projects::review(&db, &dept(), id, None, ok, d(3, 12))
            .await
            .unwrap();
        let ok = step(Step::CountyFiling, Decision::Approve, d(3, 15), "同意备案");
        let s = projects::review(&db, &county(), id, None, ok, d(3, 15))
            .await
            .unwrap();
        assert_eq!(s, ProjectState::Filed);
        let after_flow = audit_count(&db).await;
        assert_eq!(after_flow, before + 6);

        // Payments: the county only, within the plan of each source.
        let p1 = pay(FundSource::Central, 300_000, d(4, 1));
        let e = projects::pay(&db, &town(), id, None, &p1, d(4, 1))
            .await
            .unwrap_err();
        assert_eq!(e.kind, Kind::Forbidden);
        projects::pay(&db, &county(), id, None, &p1, d(4, 1))
            .await
            .unwrap();
        let p2 = pay(FundSource::Central, 400_001, d(5, 1));
        let e = projects::pay(&db, &county(), id, None, &p2, d(5, 1))
            .await
            .unwrap_err();
        assert_eq!(e.kind, Kind::Conflict);
        assert!(e.zh.contains("最多还可拨付400000.00元"), "{}", e.zh);
        let outside = pay(FundSource::City, 1, d(5, 1));
        assert_eq!(
            projects::pay(&db, &county(), id, None, &outside, d(5, 1))
                .await
                .unwrap_err()
                .kind,
            Kind::Invalid
        );
        let before_filing = pay(FundSource::County, 1, d(3, 1));
        assert_eq!(
            projects::pay(&db, &county(), id, None, &before_filing, d(5, 1))
                .await
                .unwrap_err()
                .kind,
            Kind::Invalid
        );
        projects::pay(
            &db,
            &county(),
            id,
            None,
            &pay(FundSource::County, 50_000, d(5, 2)),
            d(5, 2),
        )
        .await
        .unwrap();
        assert_eq!(audit_count(&db).await, after_flow + 2);

        let sheet = projects::show(&db, &team(), id).await.unwrap();
        assert_eq!(sheet.steps.len(), 6);
        assert_eq!(sheet.payments.len(), 2);
        assert_eq!(sheet.entry.progress.planned, Fen::from_yuan(900_000));
        assert_eq!(sheet.entry.progress.paid, Fen::from_yuan(350_000));
        assert_eq!(sheet.by_source[0].progress.paid, Fen::from_yuan(300_000));

        let board = projects::board(
            &db,
            &county(),
            &ListFilter {
                year: Some("2026".to_owned()),
                ..ListFilter::default()
            },
        )
        .await
        .unwrap();
        assert_eq!(board.by_township.len(), 1);
        assert_eq!(board.by_township[0].township_name, "蔚汾镇");
        assert_eq!(board.total.paid, Fen::from_yuan(350_000));
        assert_eq!(board.by_source.len(), 2);
        let none = projects::board(
            &db,
            &county(),
            &ListFilter {
                area: Some(TOWN_B.to_owned()),
                ..ListFilter::default()
            },
        )
        .await
        .unwrap();
        assert_eq!(none.total, Default::default());

        // Ledgers: one row per project; one per project and fund source.
        let req = |k: &str| LedgerRequest {
            kind: Some(k.to_owned()),
            ..LedgerRequest::default()
        };
        let f = ledgers::export(&db, &county(), &req("项目库台账"))
            .await
            .unwrap();
        assert_eq!(f.rows, 1);
        let f = ledgers::export(&db, &county(), &req("project_funds"))
            .await
            .unwrap();
        assert_eq!(f.rows, 2);
        let other = who(26, Role::VillageTeam, VILLAGE_B1);
        assert_eq!(
            ledgers::export(&db, &other, &req("projects"))
                .await
                .unwrap()
                .rows,
            0
        );
    }
);

db_test!(
    async fn refusals_end_the_flow_and_applications_are_checked(db: Db) {
        setup(&db).await;
        let mut bad = draft();
        bad.households = vec!["P9".to_owned()];
        let apply = step(Step::Apply, Decision::Approve, d(3, 1), "");
        let e = projects::apply(&db, &team(), None, &bad, apply.clone(), d(3, 1))
            .await
            .unwrap_err();
        assert_eq!(e.kind, Kind::Invalid);
        let mut elsewhere = draft();
        elsewhere.village = VILLAGE_B1.to_owned();
        elsewhere.households.clear();
        let e = projects::apply(&db, &team(), None, &elsewhere, apply.clone(), d(3, 1))
            .await
            .unwrap_err();
        assert_eq!(e.kind, Kind::Forbidden);
        let e = projects::apply(&db, &town(), None, &draft(), apply, d(3, 1))
            .await
            .unwrap_err();
        assert_eq!(e.kind, Kind::Forbidden);
        assert!(
            projects::list(&db, &county(), &ListFilter::default())
                .await
                .unwrap()
                .is_empty()
        );

        let id = applied(&db).await;
        let ok = step(Step::TownshipReview, Decision::Approve, d(3, 2), "");
        projects::review(&db, &town(), id, None, ok, d(3, 2))
            .await
            .unwrap();
        let no = step(
            Step::DepartmentReview,
            Decision::Refuse,
            d(3, 3),
            "不符合衔接资金支持范围",
        );
        let s = projects::review(&db, &dept(), id, None, no, d(3, 3))
            .await
            .unwrap();
        assert_eq!(s, ProjectState::Refused);
        let file = step(Step::CountyFiling, Decision::Approve, d(3, 4), "");
        let e = projects::review(&db, &county(), id, None, file, d(3, 4))
            .await
            .unwrap_err();
        assert_eq!(e.code, "finished");
        let filter = ListFilter {
            state: Some("refused".to_owned()),
            ..ListFilter::default()
        };
        assert_eq!(
            projects::list(&db, &town(), &filter).await.unwrap().len(),
            1
        );
        let filter = ListFilter {
            state: Some("nonsense".to_owned()),
            ..ListFilter::default()
        };
        assert_eq!(
            projects::list(&db, &town(), &filter)
                .await
                .unwrap_err()
                .kind,
            Kind::Invalid
        );
        assert!(projects::queue(&db, &county()).await.unwrap().is_empty());
    }
);
