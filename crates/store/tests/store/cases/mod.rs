//! `repo::cases`: the monitoring and assistance lifecycle through the store, on both databases.

use chrono::NaiveDate;
use shouwang_core::codes::{
    Dibao, EliminationMode, MeasureClass, MonitoredType, RegionLevel, RiskType,
};
use shouwang_core::monitoring::measures::Completion;
use shouwang_core::monitoring::verification::{Authorisation, Signature};
use shouwang_core::monitoring::{
    Actor as CoreActor, Attachment, CadenceRules, Cadre, CadreAction, CadreLevel, Case, CaseAction,
    Channel, ClueRules, Decision, DeferredCategory, ExitAction, ExitCheck, ExitRules, ExitStep,
    FollowUp, IdentAction, IdentStep, IdentificationRules, Lifecycle, MeasureAction, MeasurePlan,
    Meeting, Outcome, RefusalCode, Report, Source, Standards, Verification, WorkCalendar,
    YearMonth,
};
use shouwang_core::{CodeList, Fen, Household, IncomeRecord, Region, Role, Scope};
use shouwang_store::repo::cases::{self, CaseQuery, CaseRecord, NoticeRequest};
use shouwang_store::repo::{households, regions};
use shouwang_store::{Actor, Db, StoreError, db_test};

use shouwang_store::testing::fixtures::{
    TOWN_A, TOWN_B, VILLAGE_A1, VILLAGE_A2, actor, audit_count, county_scope, household, rc, scope,
    seed_regions,
};

fn d(m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2022, m, day).unwrap()
}

fn by(role: Role) -> CoreActor {
    CoreActor::new(7, format!("{}甲", role.label_zh()), role)
}

fn team_scope() -> Scope {
    scope(Role::VillageTeam, VILLAGE_A1)
}

fn application(number: &str, on: NaiveDate) -> Report {
    Report {
        household: number.to_owned(),
        source: Source::Application {
            applicant: "张三".to_owned(),
            stated_cause: "妻子患病住院，医疗费用高".to_owned(),
            means: shouwang_core::monitoring::clue::ApplicationMeans::Written,
        },
        risks: vec![RiskType::Illness],
        reporter: "张三".to_owned(),
        reported_on: on,
    }
}

fn photo() -> Attachment {
    Attachment::new("入户照片.jpg", &"ab".repeat(32), "image/jpeg").unwrap()
}

fn income(per_capita_yuan: i64, members: u32) -> IncomeRecord {
    IncomeRecord {
        year: 2022,
        wage: Fen::from_yuan(per_capita_yuan * i64::from(members)),
        members,
        ..IncomeRecord::default()
    }
}

fn verification(on: NaiveDate, per_capita_yuan: i64) -> Verification {
    Verification {
        visited_on: on,
        visitors: vec!["李四".to_owned(), "王五".to_owned()],
        findings: "家中主要劳动力因病住院，医疗支出大幅增加".to_owned(),
        income: Some(income(per_capita_yuan, 2)),
        standards: Standards::all_secure(),
        authorisation: Some(Authorisation {
            by: "张三".to_owned(),
            on,
            attachment: Some(photo()),
        }),
        signature: Signature::Signed {
            by: "张三".to_owned(),
            on,
        },
        attachments: vec![photo()],
    }
}

fn meeting(on: NaiveDate) -> Meeting {
    Meeting {
        held_on: on,
        attendance: 28,
        minutes: "逐户研判".into(),
    }
}

fn ident_action(step: IdentStep, on: NaiveDate) -> IdentAction {
    match step {
        IdentStep::Verification => IdentAction::Verify {
            verification: Box::new(verification(on, 3000)),
            decision: Decision::pass("情况属实"),
        },
        IdentStep::DataComparison => IdentAction::Compare {
            checked_with: vec!["财政".into(), "公安".into()],
            discrepancies: String::new(),
            decision: Decision::pass("无财政供养人员"),
        },
        IdentStep::Appraisal => IdentAction::Appraise {
            meeting: meeting(on),
            decision: Decision::pass("同意纳入"),
        },
        IdentStep::PublicNotice => IdentAction::PostNotice {
            place: "村委会公示栏".into(),
        },
        IdentStep::NoticeClosed => IdentAction::CloseNotice {
            objections: vec![],
            decision: Decision::pass("公示无异议"),
        },
        IdentStep::TownshipReview => IdentAction::TownshipReview {
            decision: Decision::pass("同意"),
        },
        IdentStep::CountyApproval => IdentAction::CountyApproval {
            decision: Decision::pass("审定同意"),
            outcome: Some(Outcome {
                monitored_type: MonitoredType::SuddenHardship,
                risks: vec![RiskType::Illness],
            }),
        },
        IdentStep::Enrolment => IdentAction::Enrol {
            opinion: "已录入全国防返贫监测系统".into(),
        },
    }
}

/// One scripted action: what, by which role, on which date.
type Step = (CaseAction, Role, NaiveDate);

fn start_step() -> Step {
    (
        CaseAction::StartIdentification {
            rules: IdentificationRules::default(),
        },
        Role::VillageTeam,
        d(1, 4),
    )
}

fn ident_steps() -> Vec<Step> {
    let dates = [
        d(1, 5),
        d(1, 6),
        d(1, 7),
        d(1, 7),
        d(1, 12),
        d(1, 13),
        d(1, 14),
        d(1, 17),
    ];
    IdentStep::ALL
        .iter()
        .zip(dates)
        .map(|(s, on)| {
            (
                CaseAction::Identify {
                    action: ident_action(*s, on),
                },
                s.roles()[0],
                on,
            )
        })
        .collect()
}

fn cadre(id: i64) -> Cadre {
    Cadre {
        user_id: id,
        name: format!("干部{id}"),
        level: CadreLevel::Township,
        unit: "圪塔上乡人民政府".into(),
        phone: None,
    }
}

fn follow_up(m: u32) -> Step {
    let ym = YearMonth::new(2022, m).unwrap();
    (
        CaseAction::FollowUp {
            visit: FollowUp {
                month: ym,
                visited_on: ym.day_clamped(10),
                measures_carried_out: true,
                policies_received: true,
                standards_secure: true,
                household_approves: true,
                per_capita_income_estimate: Fen::from_yuan(7000),
                notes: String::new(),
                income: None,
            },
        },
        Role::Cadre,
        ym.day_clamped(12),
    )
}

/// Cadre, a public-welfare post delivered, follow-ups February to August.
fn assistance_steps() -> Vec<Step> {
    let mut v = vec![
        (
            CaseAction::Cadre {
                action: CadreAction::Assign { cadre: cadre(70) },
            },
            Role::VillageTeam,
            d(1, 18),
        ),
        (
            CaseAction::PlanMeasure {
                plan: MeasurePlan {
                    class: MeasureClass::PublicWelfarePost,
                    item: "光伏公益岗位".into(),
                    planned_on: d(2, 28),
                    responsible_unit: "圪塔上乡人民政府".into(),
                    amount: Fen::from_yuan(6000),
                },
            },
            Role::VillageTeam,
            d(1, 20),
        ),
        (
            CaseAction::UpdateMeasure {
                index: 0,
                action: MeasureAction::Complete {
                    evidence: Completion {
                        description: "已上岗，按月发放工资".into(),
                        attachments: vec![photo()],
                    },
                },
            },
            Role::Cadre,
            d(2, 15),
        ),
    ];
    v.extend((2..=8).map(follow_up));
    v
}

fn exit_steps(h: &Household, categories: Vec<DeferredCategory>) -> Vec<Step> {
    vec![
        (
            CaseAction::NominateExit {
                household: Box::new(h.clone()),
                line: Fen::from_yuan(6500),
                latest_income: Some(income(7000, 2)),
                rules: Box::default(),
                open_problems: vec![],
            },
            Role::VillageTeam,
            d(9, 15),
        ),
        (
            CaseAction::Exit {
                action: ExitAction::DecideAtMeeting {
                    meeting: meeting(d(9, 16)),
                    decision: Decision::pass("同意"),
                },
            },
            Role::VillageTeam,
            d(9, 16),
        ),
        (
            CaseAction::Exit {
                action: ExitAction::CheckHousehold {
                    check: Box::new(ExitCheck {
                        verification: verification(d(9, 20), 7000),
                        measures_delivered: true,
                        industry_employment_ok: true,
                        industry_employment: "户主在县城务工".into(),
                    }),
                    opinion: "四查达标".into(),
                },
            },
            Role::VillageTeam,
            d(9, 20),
        ),
        (
            CaseAction::Exit {
                action: ExitAction::Appraise {
                    meeting: meeting(d(9, 26)),
                    decision: Decision::pass("评议通过"),
                    mode: EliminationMode::Assisted,
                    categories,
                    blockers: vec![],
                },
            },
            Role::VillageTeam,
            d(9, 26),
        ),
    ]
}

/// Registers household `number` (head `head`, ID seq `seq`) in `village`.
async fn register(db: &Db, number: &str, village: &str, seq: u16) -> Household {
    let h = household(number, village, &format!("户主{seq}"), seq);
    households::create(db, &actor(), &h).await.unwrap();
    h
}

/// Opens the case through the store and applies `steps` both in memory and through the store, checking
/// after every step that the stored case equals the in-memory one (JSON round trip) and the version grew.
async fn drive(db: &Db, sc: &Scope, number: &str, steps: Vec<Step>) -> (CaseRecord, Case) {
    drive_from(db, sc, application(number, d(1, 3)), steps).await
}

/// [`drive`] from another first report.
async fn drive_from(db: &Db, sc: &Scope, report: Report, steps: Vec<Step>) -> (CaseRecord, Case) {
    let number = report.household.clone();
    let number = number.as_str();
    let mut rec = cases::open(
        db,
        &actor(),
        sc,
        report.clone(),
        &by(Role::VillageTeam),
        d(1, 3),
    )
    .await
    .unwrap();
    let mut mem = Case::open(
        report,
        rc(&rec.village_code),
        &by(Role::VillageTeam),
        d(1, 3),
    )
    .unwrap();
    assert_eq!(rec.case, mem);
    assert_eq!(rec.version, 1);
    for (action, role, on) in steps {
        mem = mem.apply(action.clone(), &by(role), on).unwrap();
        let v = rec.version;
        rec = cases::apply(db, &actor(), sc, number, v, |c| {
            c.apply(action, &by(role), on)
        })
        .await
        .unwrap();
        assert_eq!(rec.version, v + 1);
        assert_eq!(rec.case, mem);
        assert_eq!(rec.lifecycle, mem.lifecycle());
        let stored = cases::get(db, sc, number).await.unwrap().unwrap();
        assert_eq!(stored, rec);
    }
    (rec, mem)
}

fn notice_request(on: NaiveDate) -> NoticeRequest {
    NoticeRequest {
        by: by(Role::VillageTeam),
        on,
        addressee: "张三".into(),
        village: "圪塔上乡李家沟村".into(),
        committee: "李家沟村村民委员会".into(),
    }
}

/// Everything up to 风险消除.
fn to_elimination(h: &Household) -> Vec<Step> {
    let mut s = vec![start_step()];
    s.extend(ident_steps());
    s.extend(assistance_steps());
    s.extend(exit_steps(h, vec![]));
    s
}

/// The stored state of a case: JSON, version and the audit count.
async fn snapshot(db: &Db, number: &str) -> (CaseRecord, u64) {
    (
        cases::get(db, &county_scope(), number)
            .await
            .unwrap()
            .unwrap(),
        audit_count(db).await,
    )
}

fn refused_code(e: StoreError) -> RefusalCode {
    match e {
        StoreError::Refused(r) => {
            assert!(!r.message_zh.is_empty());
            r.code
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
}

mod journey;
mod queues;
mod records;
mod refusals;
