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
                rules: ExitRules::default(),
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

db_test!(
    fn case_from_application_to_numbered_notice(db: Db) {
        seed_regions(&db).await;
        let h = register(&db, "H1", VILLAGE_A1, 11).await;
        let sc = team_scope();
        let town = scope(Role::TownshipAdmin, TOWN_A);
        let audit0 = audit_count(&db).await;

        // 线索: the application opens the case; a department report merges into it.
        let (rec, _) = drive(&db, &sc, "H1", vec![]).await;
        assert_eq!(rec.lifecycle, Lifecycle::Clue);
        let rec = cases::apply(&db, &actor(), &county_scope(), "H1", 1, |c| {
            c.apply(
                CaseAction::Report {
                    report: Report {
                        source: Source::DepartmentScreening {
                            department: "县医保局".into(),
                            file: "1月医保.csv".into(),
                            round: None,
                        },
                        reporter: "医保局".into(),
                        ..application("H1", d(1, 3))
                    },
                    rules: ClueRules::default(),
                },
                &by(Role::Department),
                d(1, 3),
            )
        })
        .await
        .unwrap();
        assert_eq!(rec.case.clues.len(), 1);
        assert_eq!(rec.case.clues[0].sources.len(), 2);
        let queue = cases::clues_waiting(&db, &town).await.unwrap();
        assert_eq!(queue.len(), 1);
        assert_eq!(queue[0].village_code, VILLAGE_A1);
        assert_eq!(queue[0].cases, 1);
        assert_eq!(queue[0].oldest_reported_on, d(1, 3));
        let by_channel = |ch| CaseQuery {
            channel: Some(ch),
            ..CaseQuery::default()
        };
        let dept = cases::list(&db, &town, &by_channel(Channel::DepartmentScreening), 1, 20)
            .await
            .unwrap();
        assert_eq!(dept.total, 1);
        assert_eq!(
            dept.items[0].channels,
            [Channel::Application, Channel::DepartmentScreening]
        );
        assert_eq!(
            cases::list(&db, &town, &by_channel(Channel::Petition), 1, 20)
                .await
                .unwrap()
                .total,
            0
        );

        // 识别 through every step, as the roles of each step.
        let mut version = rec.version;
        let mut steps = vec![start_step()];
        steps.extend(ident_steps());
        for (i, (action, role, on)) in steps.into_iter().enumerate() {
            let sc_role = match role {
                Role::TownshipAdmin => town.clone(),
                Role::CountyAdmin => county_scope(),
                _ => sc.clone(),
            };
            let rec = cases::apply(&db, &actor(), &sc_role, "H1", version, |c| {
                c.apply(action, &by(role), on)
            })
            .await
            .unwrap();
            version = rec.version;
            if i == 0 {
                let ident = cases::list(
                    &db,
                    &town,
                    &CaseQuery {
                        lifecycle: Some(Lifecycle::Identifying),
                        ..CaseQuery::default()
                    },
                    1,
                    20,
                )
                .await
                .unwrap();
                assert_eq!(ident.total, 1);
                assert_eq!(ident.items[0].ident_started_on, Some(d(1, 4)));
                assert_eq!(
                    ident.items[0].ident_next_step,
                    Some(IdentStep::Verification)
                );
                assert!(cases::clues_waiting(&db, &town).await.unwrap().is_empty());
            }
        }
        let rec = cases::get(&db, &sc, "H1").await.unwrap().unwrap();
        assert_eq!(rec.lifecycle, Lifecycle::Monitored);
        assert_eq!(rec.case.monitored_since(), Some(d(1, 17)));

        // February's follow-up is overdue on March 1st (nothing recorded yet); not yet due on February 20th.
        let feb = YearMonth::new(2022, 2).unwrap();
        let rules = CadenceRules::default();
        let overdue = cases::overdue_follow_ups(&db, &town, feb, d(3, 1), &rules, 1, 20)
            .await
            .unwrap();
        assert_eq!(overdue.total, 1);
        assert_eq!(overdue.items[0].household_number, "H1");
        assert_eq!(
            cases::overdue_follow_ups(&db, &town, feb, d(2, 20), &rules, 1, 20)
                .await
                .unwrap()
                .total,
            0
        );
        // January (the month of entry) is never due.
        let jan = YearMonth::new(2022, 1).unwrap();
        assert_eq!(
            cases::overdue_follow_ups(&db, &town, jan, d(3, 1), &rules, 1, 20)
                .await
                .unwrap()
                .total,
            0
        );

        // 明责任, 定措施, 强监测.
        for (action, role, on) in assistance_steps() {
            let rec = cases::apply(&db, &actor(), &sc, "H1", version, |c| {
                c.apply(action, &by(role), on)
            })
            .await
            .unwrap();
            version = rec.version;
        }
        let load = cases::workload(&db, &town).await.unwrap();
        assert_eq!(load.len(), 1);
        assert_eq!(load[0].cadre_user_id, 70);
        assert_eq!(load[0].cadre_name, "干部70");
        assert_eq!(load[0].households, 1);
        let mine = cases::list(
            &db,
            &town,
            &CaseQuery {
                cadre_user_id: Some(70),
                ..CaseQuery::default()
            },
            1,
            20,
        )
        .await
        .unwrap();
        assert_eq!(mine.total, 1);
        assert_eq!(mine.items[0].last_follow_up_month, YearMonth::new(2022, 8));
        for m in 2..=8 {
            let ym = YearMonth::new(2022, m).unwrap();
            assert_eq!(
                cases::overdue_follow_ups(&db, &town, ym, d(10, 1), &rules, 1, 20)
                    .await
                    .unwrap()
                    .total,
                0,
                "{ym}"
            );
        }
        let sep = YearMonth::new(2022, 9).unwrap();
        assert_eq!(
            cases::overdue_follow_ups(&db, &town, sep, d(10, 1), &rules, 1, 20)
                .await
                .unwrap()
                .total,
            1
        );

        // 退出: nomination, meeting, household check, appraisal → 风险消除.
        for (action, role, on) in exit_steps(&h, vec![]) {
            let rec = cases::apply(&db, &actor(), &sc, "H1", version, |c| {
                c.apply(action, &by(role), on)
            })
            .await
            .unwrap();
            version = rec.version;
        }
        let rec = cases::get(&db, &sc, "H1").await.unwrap().unwrap();
        assert_eq!(rec.lifecycle, Lifecycle::Eliminated);
        let row = cases::list(&db, &sc, &CaseQuery::default(), 1, 20)
            .await
            .unwrap()
            .items
            .remove(0);
        assert_eq!(row.eliminated_on, Some(d(9, 26)));
        assert_eq!(row.exit_next_step, Some(ExitStep::Notice));
        // Eliminated on 9-26: the month of elimination is still owed (monitored in it), October is not.
        assert_eq!(
            cases::overdue_follow_ups(&db, &town, sep, d(10, 1), &rules, 1, 20)
                .await
                .unwrap()
                .total,
            1
        );
        let oct = YearMonth::new(2022, 10).unwrap();
        assert_eq!(
            cases::overdue_follow_ups(&db, &town, oct, d(11, 1), &rules, 1, 20)
                .await
                .unwrap()
                .total,
            0
        );

        // 退出告知书 with its number.
        let rec =
            cases::issue_exit_notice(&db, &actor(), &sc, "H1", version, &notice_request(d(9, 28)))
                .await
                .unwrap();
        let notice = rec.case.exits[0].notice().unwrap();
        assert_eq!(notice.number, "兴县圪塔上乡〔2022〕告字第1号");
        assert!(rec.case.current_exit().is_none());
        let issued = cases::notices(&db, &town, 2022).await.unwrap();
        assert_eq!(issued.len(), 1);
        assert_eq!(issued[0].sequence, 1);
        assert_eq!(issued[0].number, notice.number);
        assert_eq!(issued[0].household_number, "H1");
        assert!(
            cases::notices(&db, &scope(Role::VillageTeam, VILLAGE_A2), 2022)
                .await
                .unwrap()
                .is_empty()
        );

        // The cadre is released; the workload empties.
        let rec = cases::apply(&db, &actor(), &sc, "H1", rec.version, |c| {
            c.apply(
                CaseAction::Cadre {
                    action: CadreAction::Release {
                        reason: "风险已消除".into(),
                    },
                },
                &by(Role::VillageTeam),
                d(9, 30),
            )
        })
        .await
        .unwrap();
        assert!(cases::workload(&db, &town).await.unwrap().is_empty());
        let hb = rec.case.handbook();
        assert!(
            hb.iter()
                .any(|e| e.detail_zh == "兴县圪塔上乡〔2022〕告字第1号")
        );

        // One audit row per write (open + every action + the notice + the release).
        let writes = u64::try_from(rec.version).unwrap();
        assert_eq!(audit_count(&db).await - audit0, writes);
        let log = shouwang_store::repo::audit::list(
            &db,
            &sc,
            &shouwang_store::repo::audit::AuditFilter {
                entity: Some("case".into()),
                ..Default::default()
            },
            1,
            100,
        )
        .await
        .unwrap();
        assert_eq!(log.total, writes);
        assert!(log.items.iter().all(|e| e.after.is_some()));
    }
);

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

db_test!(
    fn refused_actions_write_nothing(db: Db) {
        seed_regions(&db).await;
        register(&db, "H1", VILLAGE_A1, 11).await;
        let sc = team_scope();
        let (opened, _) = drive(&db, &sc, "H1", vec![]).await;
        let before = snapshot(&db, "H1").await;

        // Out of order: an identification step before identification starts.
        let e = cases::apply(&db, &actor(), &sc, "H1", opened.version, |c| {
            c.apply(
                CaseAction::Identify {
                    action: ident_action(IdentStep::Appraisal, d(1, 5)),
                },
                &by(Role::VillageTeam),
                d(1, 5),
            )
        })
        .await
        .unwrap_err();
        assert_eq!(refused_code(e), RefusalCode::WrongState);
        assert_eq!(snapshot(&db, "H1").await, before);

        // Wrong role: a cadre may not start identification.
        let e = cases::apply(&db, &actor(), &sc, "H1", opened.version, |c| {
            c.apply(
                CaseAction::StartIdentification {
                    rules: IdentificationRules::default(),
                },
                &by(Role::Cadre),
                d(1, 4),
            )
        })
        .await
        .unwrap_err();
        let msg = e.message_zh();
        assert_eq!(refused_code(e), RefusalCode::RoleNotAllowed);
        assert!(msg.contains("无权"), "{msg}");
        assert_eq!(snapshot(&db, "H1").await, before);

        // Other area: another village's team cannot read or write the case.
        let other = scope(Role::VillageTeam, VILLAGE_A2);
        assert!(cases::get(&db, &other, "H1").await.unwrap().is_none());
        let e = cases::apply(&db, &actor(), &other, "H1", opened.version, |c| {
            c.apply(start_step().0, &by(Role::VillageTeam), d(1, 4))
        })
        .await
        .unwrap_err();
        assert!(matches!(e, StoreError::Forbidden), "{e:?}");
        assert_eq!(snapshot(&db, "H1").await, before);
        let e = cases::issue_exit_notice(
            &db,
            &actor(),
            &other,
            "H1",
            opened.version,
            &notice_request(d(9, 28)),
        )
        .await
        .unwrap_err();
        assert!(matches!(e, StoreError::Forbidden), "{e:?}");
        // Unknown household: NotFound.
        let e = cases::apply(&db, &actor(), &sc, "NOPE", 1, |c| Ok(c.clone()))
            .await
            .unwrap_err();
        assert!(matches!(e, StoreError::NotFound), "{e:?}");

        // A notice before the risk is eliminated: refused, and the counter is not used up.
        let e = cases::issue_exit_notice(
            &db,
            &actor(),
            &sc,
            "H1",
            opened.version,
            &notice_request(d(9, 28)),
        )
        .await
        .unwrap_err();
        assert_eq!(refused_code(e), RefusalCode::WrongState);
        assert_eq!(snapshot(&db, "H1").await, before);
        assert!(
            cases::notices(&db, &county_scope(), 2022)
                .await
                .unwrap()
                .is_empty()
        );

        // A second case for the same household: conflict; a household of another area: forbidden.
        let e = cases::open(
            &db,
            &actor(),
            &sc,
            application("H1", d(1, 3)),
            &by(Role::VillageTeam),
            d(1, 3),
        )
        .await
        .unwrap_err();
        assert!(matches!(e, StoreError::Conflict { .. }), "{e:?}");
        register(&db, "H2", VILLAGE_A2, 12).await;
        let e = cases::open(
            &db,
            &actor(),
            &sc,
            application("H2", d(1, 3)),
            &by(Role::VillageTeam),
            d(1, 3),
        )
        .await
        .unwrap_err();
        assert!(matches!(e, StoreError::Forbidden), "{e:?}");
        // Opening refused by the core (a cadre may not record an application) writes nothing.
        let audit = audit_count(&db).await;
        let e = cases::open(
            &db,
            &actor(),
            &other,
            application("H2", d(1, 3)),
            &by(Role::Cadre),
            d(1, 3),
        )
        .await
        .unwrap_err();
        assert_eq!(refused_code(e), RefusalCode::RoleNotAllowed);
        assert!(cases::get(&db, &other, "H2").await.unwrap().is_none());
        assert_eq!(audit_count(&db).await, audit);
        assert_eq!(snapshot(&db, "H1").await.0, before.0);
    }
);

db_test!(
    fn stale_version_is_refused(db: Db) {
        seed_regions(&db).await;
        register(&db, "H1", VILLAGE_A1, 11).await;
        let sc = team_scope();
        drive(&db, &sc, "H1", vec![start_step()]).await;
        let before = snapshot(&db, "H1").await;
        assert_eq!(before.0.version, 2);
        let e = cases::apply(&db, &actor(), &sc, "H1", 1, |c| {
            c.apply(
                CaseAction::Identify {
                    action: ident_action(IdentStep::Verification, d(1, 5)),
                },
                &by(Role::VillageTeam),
                d(1, 5),
            )
        })
        .await
        .unwrap_err();
        assert!(
            matches!(
                e,
                StoreError::StaleVersion {
                    expected: 1,
                    found: 2
                }
            ),
            "{e:?}"
        );
        assert_eq!(snapshot(&db, "H1").await, before);
        let e = cases::issue_exit_notice(&db, &actor(), &sc, "H1", 1, &notice_request(d(9, 28)))
            .await
            .unwrap_err();
        assert!(matches!(e, StoreError::StaleVersion { .. }), "{e:?}");
        assert_eq!(snapshot(&db, "H1").await, before);
    }
);

db_test!(
    fn notice_numbers_are_sequential_per_county_and_year(db: Db) {
        seed_regions(&db).await;
        // A second county.
        let region = |code: &str, name: &str, level, parent: Option<&str>| Region {
            code: rc(code),
            name: name.to_owned(),
            level,
            parent: parent.map(rc),
        };
        regions::upsert_many(
            &db,
            &Actor::system(),
            &[
                region("141124", "临县", RegionLevel::County, None),
                region("141124100", "城庄镇", RegionLevel::Township, Some("141124")),
                region(
                    "141124100201",
                    "城庄村",
                    RegionLevel::Village,
                    Some("141124100"),
                ),
            ],
        )
        .await
        .unwrap();
        let sc = team_scope();
        let other_county = scope(Role::VillageTeam, "141124100201");
        let mut eliminated = Vec::new();
        for (i, (number, village, sc)) in [
            ("H1", VILLAGE_A1, &sc),
            ("H2", VILLAGE_A1, &sc),
            ("H3", VILLAGE_A1, &sc),
            ("L1", "141124100201", &other_county),
        ]
        .into_iter()
        .enumerate()
        {
            let h = register(&db, number, village, 20 + u16::try_from(i).unwrap()).await;
            let (rec, _) = drive(&db, sc, number, to_elimination(&h)).await;
            assert_eq!(rec.lifecycle, Lifecycle::Eliminated);
            eliminated.push((number, sc.clone(), rec.version));
        }
        // 2022: H1 → 1, H2 → 2; 2023: H3 → 1; the other county's 2022 → 1.
        let dates = [
            d(9, 28),
            d(9, 29),
            NaiveDate::from_ymd_opt(2023, 1, 5).unwrap(),
            d(9, 28),
        ];
        let mut numbers = Vec::new();
        for ((number, sc, version), on) in eliminated.into_iter().zip(dates) {
            let rec =
                cases::issue_exit_notice(&db, &actor(), &sc, number, version, &notice_request(on))
                    .await
                    .unwrap();
            numbers.push(rec.case.exits[0].notice().unwrap().number.clone());
            // A second notice for the same exit is refused and takes no number.
            let e = cases::issue_exit_notice(
                &db,
                &actor(),
                &sc,
                number,
                rec.version,
                &notice_request(on),
            )
            .await
            .unwrap_err();
            assert!(matches!(e, StoreError::Refused(_)), "{e:?}");
        }
        assert_eq!(
            numbers,
            [
                "兴县圪塔上乡〔2022〕告字第1号",
                "兴县圪塔上乡〔2022〕告字第2号",
                "兴县圪塔上乡〔2023〕告字第1号",
                "兴县圪塔上乡〔2022〕告字第1号",
            ]
        );
        let y22 = cases::notices(&db, &county_scope(), 2022).await.unwrap();
        assert_eq!(
            y22.iter()
                .map(|n| (n.sequence, n.household_number.as_str()))
                .collect::<Vec<_>>(),
            [(1, "H1"), (2, "H2")]
        );
        let y23 = cases::notices(&db, &county_scope(), 2023).await.unwrap();
        assert_eq!(y23.len(), 1);
        assert_eq!(y23[0].sequence, 1);
        let l22 = cases::notices(&db, &scope(Role::CountyAdmin, "141124"), 2022)
            .await
            .unwrap();
        assert_eq!(l22.len(), 1);
        assert_eq!(l22[0].county_code, "141124");
        // The next 2022 notice of the first county continues at 3.
        let h = register(&db, "H4", VILLAGE_A1, 40).await;
        let (rec, _) = drive(&db, &sc, "H4", to_elimination(&h)).await;
        let rec = cases::issue_exit_notice(
            &db,
            &actor(),
            &sc,
            "H4",
            rec.version,
            &notice_request(d(10, 8)),
        )
        .await
        .unwrap();
        assert_eq!(
            rec.case.exits[0].notice().unwrap().number,
            "兴县圪塔上乡〔2022〕告字第3号"
        );
    }
);

db_test!(
    fn every_lifecycle_state_round_trips(db: Db) {
        seed_regions(&db).await;
        let sc = team_scope();
        let town = scope(Role::TownshipAdmin, TOWN_A);
        let mut expected = Vec::new();

        // 线索.
        register(&db, "S1", VILLAGE_A1, 31).await;
        expected.push(("S1", drive(&db, &sc, "S1", vec![]).await.1));
        // 识别中, with the green channel and a cadre.
        register(&db, "S2", VILLAGE_A1, 32).await;
        let steps = vec![
            start_step(),
            (
                CaseAction::Identify {
                    action: IdentAction::OpenGreenChannel {
                        reason: "房屋被洪水冲毁".into(),
                    },
                },
                Role::TownshipAdmin,
                d(1, 4),
            ),
            (
                CaseAction::Cadre {
                    action: CadreAction::Assign { cadre: cadre(71) },
                },
                Role::VillageTeam,
                d(1, 5),
            ),
        ];
        let flood = Report {
            risks: vec![RiskType::DisasterFlood],
            ..application("S2", d(1, 3))
        };
        expected.push(("S2", drive_from(&db, &sc, flood, steps).await.1));
        // 监测帮扶中.
        register(&db, "S3", VILLAGE_A1, 33).await;
        let mut steps = vec![start_step()];
        steps.extend(ident_steps());
        steps.extend(assistance_steps());
        expected.push(("S3", drive(&db, &sc, "S3", steps).await.1));
        // 风险消除.
        expected.push(("S4", {
            let h = register(&db, "S4", VILLAGE_A1, 34).await;
            drive(&db, &sc, "S4", to_elimination(&h)).await.1
        }));
        // 缓退 (a 低保 household).
        let mut h5 = register(&db, "S5", VILLAGE_A1, 35).await;
        h5.members[0].dibao = Dibao::Rural;
        let mut steps = vec![start_step()];
        steps.extend(ident_steps());
        steps.extend(assistance_steps());
        steps.extend(exit_steps(&h5, vec![DeferredCategory::Dibao]));
        expected.push(("S5", drive(&db, &sc, "S5", steps).await.1));
        // 未纳入: the verification fails.
        register(&db, "S6", VILLAGE_A1, 36).await;
        let steps = vec![
            start_step(),
            (
                CaseAction::Identify {
                    action: IdentAction::Verify {
                        verification: Box::new(verification(d(1, 5), 9000)),
                        decision: Decision::fail("收入高于监测线"),
                    },
                },
                Role::VillageTeam,
                d(1, 5),
            ),
        ];
        expected.push(("S6", drive(&db, &sc, "S6", steps).await.1));

        let states: Vec<Lifecycle> = expected.iter().map(|(_, c)| c.lifecycle()).collect();
        assert_eq!(
            states,
            [
                Lifecycle::Clue,
                Lifecycle::Identifying,
                Lifecycle::Monitored,
                Lifecycle::Eliminated,
                Lifecycle::Deferred,
                Lifecycle::NotIncluded,
            ]
        );
        for (number, case) in &expected {
            let stored = cases::get(&db, &town, number).await.unwrap().unwrap();
            assert_eq!(&stored.case, case, "{number}");
            // The lifecycle column lists it under its state, once.
            let page = cases::list(
                &db,
                &town,
                &CaseQuery {
                    lifecycle: Some(case.lifecycle()),
                    ..CaseQuery::default()
                },
                1,
                20,
            )
            .await
            .unwrap();
            assert_eq!(page.total, 1, "{number}");
            assert_eq!(page.items[0].household_number, *number);
            assert_eq!(page.items[0].version, stored.version);
        }
        // Workload: the green-channel cadre 71 and the cadres 70 of S3, S4, S5.
        let load = cases::workload(&db, &town).await.unwrap();
        assert_eq!(
            load.iter()
                .map(|l| (l.cadre_user_id, l.households))
                .collect::<Vec<_>>(),
            [(70, 3), (71, 1)]
        );
        // Paging of the whole area.
        let p1 = cases::list(&db, &town, &CaseQuery::default(), 1, 4)
            .await
            .unwrap();
        let p2 = cases::list(&db, &town, &CaseQuery::default(), 2, 4)
            .await
            .unwrap();
        assert_eq!((p1.total, p1.items.len(), p2.items.len()), (6, 4, 2));
        // A village filter outside the scope answers nothing.
        let outside = cases::list(
            &db,
            &sc,
            &CaseQuery {
                region: Some(VILLAGE_A2.into()),
                ..CaseQuery::default()
            },
            1,
            20,
        )
        .await
        .unwrap();
        assert_eq!(outside.total, 0);
    }
);

db_test!(
    fn attachments_are_registered_once_per_county(db: Db) {
        seed_regions(&db).await;
        let sc = team_scope();
        let a = photo();
        let row = cases::register_attachment(&db, &actor(), &sc, &a, 12345)
            .await
            .unwrap();
        assert_eq!(row.sha256, "ab".repeat(32));
        assert_eq!(row.size, 12345);
        let audit = audit_count(&db).await;
        let again = cases::register_attachment(&db, &actor(), &sc, &a, 12345)
            .await
            .unwrap();
        assert_eq!(again, row);
        assert_eq!(audit_count(&db).await, audit);
        assert_eq!(
            cases::attachment(&db, &county_scope(), &"AB".repeat(32))
                .await
                .unwrap(),
            Some(row)
        );
        assert!(
            cases::attachment(&db, &scope(Role::CountyAdmin, "141124"), &a.sha256)
                .await
                .unwrap()
                .is_none()
        );
        let mut bad = a.clone();
        bad.sha256 = "xyz".into();
        let e = cases::register_attachment(&db, &actor(), &sc, &bad, 1)
            .await
            .unwrap_err();
        assert_eq!(refused_code(e), RefusalCode::InvalidInput);
    }
);

db_test!(
    fn concurrent_notices_get_distinct_numbers(db: Db) {
        seed_regions(&db).await;
        let sc = team_scope();
        let mut versions = Vec::new();
        for (i, number) in ["C1", "C2", "C3"].into_iter().enumerate() {
            let h = register(&db, number, VILLAGE_A1, 50 + u16::try_from(i).unwrap()).await;
            let (rec, _) = drive(&db, &sc, number, to_elimination(&h)).await;
            versions.push((number, rec.version));
        }
        let req = notice_request(d(9, 28));
        let tasks: Vec<_> = versions
            .iter()
            .map(|(number, version)| {
                let (db, sc, req, number, version) = (
                    db.clone(),
                    sc.clone(),
                    req.clone(),
                    number.to_string(),
                    *version,
                );
                tokio::spawn(async move {
                    cases::issue_exit_notice(&db, &actor(), &sc, &number, version, &req).await
                })
            })
            .collect();
        let mut seqs = Vec::new();
        for t in tasks {
            let rec = t.await.unwrap().unwrap();
            seqs.push(rec.case.exits[0].notice().unwrap().sequence);
        }
        seqs.sort_unstable();
        assert_eq!(seqs, [1, 2, 3]);
        assert_eq!(cases::notices(&db, &sc, 2022).await.unwrap().len(), 3);
        // Two writers racing on one case: one wins, the other is stale.
        let (number, _) = versions[0];
        let v = cases::get(&db, &sc, number).await.unwrap().unwrap().version;
        let release = |reason: &'static str| {
            let (db, sc) = (db.clone(), sc.clone());
            tokio::spawn(async move {
                cases::apply(&db, &actor(), &sc, number, v, |c| {
                    c.apply(
                        CaseAction::Cadre {
                            action: CadreAction::Release {
                                reason: reason.into(),
                            },
                        },
                        &by(Role::VillageTeam),
                        d(9, 30),
                    )
                })
                .await
            })
        };
        let (a, b) = (release("甲"), release("乙"));
        let results = [a.await.unwrap(), b.await.unwrap()];
        assert_eq!(results.iter().filter(|r| r.is_ok()).count(), 1);
        assert!(results.iter().any(|r| matches!(
            r,
            Err(StoreError::StaleVersion { expected, found }) if *expected == v && *found == v + 1
        )));
    }
);

db_test!(
    fn prejudgment_and_nomination_read_the_registry(db: Db) {
        seed_regions(&db).await;
        let sc = team_scope();
        let town = scope(Role::TownshipAdmin, TOWN_A);
        // P1: monitored, assisted, follow-ups February–August, income above the line in the registry.
        register(&db, "P1", VILLAGE_A1, 61).await;
        shouwang_store::repo::income::upsert(&db, &actor(), "P1", &income(7000, 2), None)
            .await
            .unwrap();
        let mut steps = vec![start_step()];
        steps.extend(ident_steps());
        steps.extend(assistance_steps());
        let (p1, _) = drive(&db, &sc, "P1", steps).await;
        // P2: just entered monitoring.
        register(&db, "P2", VILLAGE_A1, 62).await;
        let mut steps = vec![start_step()];
        steps.extend(ident_steps());
        let (p2, _) = drive(&db, &sc, "P2", steps).await;
        // P3: still a clue (not judged).
        register(&db, "P3", VILLAGE_A1, 63).await;
        drive(&db, &sc, "P3", vec![]).await;

        let rules = ExitRules::default();
        let judged = cases::prejudge(&db, &town, d(9, 15), &rules).await.unwrap();
        let summary: Vec<(&str, bool)> = judged
            .iter()
            .map(|c| (c.row.household_number.as_str(), c.judgment.proposed()))
            .collect();
        assert_eq!(summary, [("P1", true), ("P2", false)]);

        let req = cases::NominateRequest {
            by: by(Role::VillageTeam),
            on: d(9, 15),
            rules: rules.clone(),
        };
        let rec = cases::nominate_exit(&db, &actor(), &sc, "P1", p1.version, &req)
            .await
            .unwrap();
        assert!(rec.case.current_exit().is_some());
        let row = cases::list(&db, &sc, &CaseQuery::default(), 1, 20)
            .await
            .unwrap()
            .items
            .into_iter()
            .find(|r| r.household_number == "P1")
            .unwrap();
        assert_eq!(row.exit_next_step, Some(ExitStep::MeetingDecision));
        // A running exit is not judged again.
        let judged = cases::prejudge(&db, &town, d(9, 15), &rules).await.unwrap();
        assert_eq!(judged.len(), 1);
        assert_eq!(judged[0].row.household_number, "P2");

        // P2 does not meet the conditions: refused, nothing written.
        let before = snapshot(&db, "P2").await;
        let e = cases::nominate_exit(&db, &actor(), &sc, "P2", p2.version, &req)
            .await
            .unwrap_err();
        assert_eq!(refused_code(e), RefusalCode::NotEligible);
        assert_eq!(snapshot(&db, "P2").await, before);
        // No line for the year: invalid.
        let late = cases::NominateRequest {
            on: NaiveDate::from_ymd_opt(2030, 3, 1).unwrap(),
            ..req.clone()
        };
        let e = cases::nominate_exit(&db, &actor(), &sc, "P2", p2.version, &late)
            .await
            .unwrap_err();
        assert!(matches!(e, StoreError::Invalid { .. }), "{e:?}");
        // Another area sees nothing and may nominate nothing.
        let other = scope(Role::VillageTeam, VILLAGE_A2);
        assert!(
            cases::prejudge(&db, &other, d(9, 15), &rules)
                .await
                .unwrap()
                .is_empty()
        );
        let e = cases::nominate_exit(&db, &actor(), &other, "P2", p2.version, &req)
            .await
            .unwrap_err();
        assert!(
            matches!(e, StoreError::NotFound | StoreError::Forbidden),
            "{e:?}"
        );
    }
);

db_test!(
    fn overdue_identification_and_missing_cadre_queues(db: Db) {
        seed_regions(&db).await;
        let sc = team_scope();
        let town = scope(Role::TownshipAdmin, TOWN_A);
        // Q1: identification started 01-04, never finished.
        register(&db, "Q1", VILLAGE_A1, 71).await;
        drive(&db, &sc, "Q1", vec![start_step()]).await;
        // Q2: entered monitoring, no cadre yet.
        register(&db, "Q2", VILLAGE_A1, 72).await;
        let mut steps = vec![start_step()];
        steps.extend(ident_steps());
        let (q2, _) = drive(&db, &sc, "Q2", steps).await;
        // Q3: green channel (flood), no cadre yet.
        register(&db, "Q3", VILLAGE_A1, 73).await;
        let flood = Report {
            risks: vec![RiskType::DisasterFlood],
            ..application("Q3", d(1, 3))
        };
        let green = (
            CaseAction::Identify {
                action: IdentAction::OpenGreenChannel {
                    reason: "房屋被洪水冲毁".into(),
                },
            },
            Role::TownshipAdmin,
            d(1, 4),
        );
        drive_from(&db, &sc, flood, vec![start_step(), green]).await;

        let cal = WorkCalendar::weekdays_only();
        let numbers = |rows: Vec<cases::CaseRow>| {
            rows.into_iter()
                .map(|r| r.household_number)
                .collect::<Vec<_>>()
        };
        // 20 working days from 01-04: not overdue on 01-10, overdue (Q1 and Q3) in March.
        assert!(
            cases::overdue_identifications(&db, &town, d(1, 10), &cal)
                .await
                .unwrap()
                .is_empty()
        );
        assert_eq!(
            numbers(
                cases::overdue_identifications(&db, &town, d(3, 1), &cal)
                    .await
                    .unwrap()
            ),
            ["Q1", "Q3"]
        );
        assert_eq!(
            numbers(cases::needs_cadre(&db, &town).await.unwrap()),
            ["Q2", "Q3"]
        );
        cases::apply(&db, &actor(), &sc, "Q2", q2.version, |c| {
            c.apply(
                CaseAction::Cadre {
                    action: CadreAction::Assign { cadre: cadre(70) },
                },
                &by(Role::VillageTeam),
                d(1, 18),
            )
        })
        .await
        .unwrap();
        assert_eq!(
            numbers(cases::needs_cadre(&db, &town).await.unwrap()),
            ["Q3"]
        );
        let other = scope(Role::VillageTeam, VILLAGE_A2);
        assert!(cases::needs_cadre(&db, &other).await.unwrap().is_empty());
        assert!(
            cases::overdue_identifications(&db, &other, d(3, 1), &cal)
                .await
                .unwrap()
                .is_empty()
        );
    }
);

db_test!(
    fn a_closed_case_is_followed_by_a_new_one(db: Db) {
        seed_regions(&db).await;
        let sc = team_scope();
        let town = scope(Role::TownshipAdmin, TOWN_A);
        // R1: 风险消除 with its notice; R2: 未纳入 (the verification fails).
        let h1 = register(&db, "R1", VILLAGE_A1, 41).await;
        let (first, _) = drive(&db, &sc, "R1", to_elimination(&h1)).await;
        assert_eq!(first.lifecycle, Lifecycle::Eliminated);
        assert_eq!(first.seq, 1);
        let first = cases::issue_exit_notice(
            &db,
            &actor(),
            &sc,
            "R1",
            first.version,
            &notice_request(d(10, 8)),
        )
        .await
        .unwrap();
        register(&db, "R2", VILLAGE_A1, 42).await;
        let refuse = vec![
            start_step(),
            (
                CaseAction::Identify {
                    action: IdentAction::Verify {
                        verification: Box::new(verification(d(1, 5), 9000)),
                        decision: Decision::fail("收入高于监测线"),
                    },
                },
                Role::VillageTeam,
                d(1, 5),
            ),
        ];
        let (refused, _) = drive(&db, &sc, "R2", refuse).await;
        assert_eq!(refused.lifecycle, Lifecycle::NotIncluded);

        // A new risk: each household gets its second case, in 线索.
        let audit0 = audit_count(&db).await;
        for (number, old) in [("R1", &first), ("R2", &refused)] {
            let new = cases::open(
                &db,
                &actor(),
                &sc,
                application(number, d(11, 2)),
                &by(Role::VillageTeam),
                d(11, 2),
            )
            .await
            .unwrap();
            assert_eq!(new.seq, 2, "{number}");
            assert_ne!(new.id, old.id);
            assert_eq!(new.version, 1);
            assert_eq!(new.lifecycle, Lifecycle::Clue);
            assert_eq!(new.case.opened_on, d(11, 2));
            assert_eq!(
                cases::get(&db, &sc, number).await.unwrap(),
                Some(new.clone())
            );
            let all = cases::history(&db, &town, number).await.unwrap();
            assert_eq!(all.len(), 2);
            assert_eq!(&all[0], old, "the closed case is kept as it was");
            assert_eq!(all[1], new);
            // Another village's team sees neither.
            let other = scope(Role::VillageTeam, VILLAGE_A2);
            assert!(
                cases::history(&db, &other, number)
                    .await
                    .unwrap()
                    .is_empty()
            );
        }
        assert_eq!(audit_count(&db).await, audit0 + 2);

        // While the new case is open, a third one is refused and nothing is written.
        let e = cases::open(
            &db,
            &actor(),
            &sc,
            application("R1", d(11, 3)),
            &by(Role::VillageTeam),
            d(11, 3),
        )
        .await
        .unwrap_err();
        assert!(matches!(e, StoreError::Conflict { .. }), "{e:?}");
        assert_eq!(cases::history(&db, &sc, "R1").await.unwrap().len(), 2);

        // Lists and queues show the current cases only; the notice of the first case stays.
        let by_state = |l| CaseQuery {
            lifecycle: Some(l),
            ..CaseQuery::default()
        };
        for (state, n) in [
            (Lifecycle::Clue, 2),
            (Lifecycle::Eliminated, 0),
            (Lifecycle::NotIncluded, 0),
        ] {
            let page = cases::list(&db, &town, &by_state(state), 1, 20)
                .await
                .unwrap();
            assert_eq!(page.total, n, "{state:?}");
        }
        assert_eq!(
            cases::list(&db, &town, &CaseQuery::default(), 1, 20)
                .await
                .unwrap()
                .total,
            2
        );
        assert_eq!(cases::clues_waiting(&db, &town).await.unwrap()[0].cases, 2);
        assert!(cases::workload(&db, &town).await.unwrap().is_empty());
        let notices = cases::notices(&db, &town, 2022).await.unwrap();
        assert_eq!(notices.len(), 1);
        assert_eq!(notices[0].household_number, "R1");

        // Actions go to the current case.
        let started = cases::apply(&db, &actor(), &sc, "R1", 1, |c| {
            c.apply(start_step().0, &by(Role::VillageTeam), d(11, 4))
        })
        .await
        .unwrap();
        assert_eq!((started.seq, started.version), (2, 2));
        assert_eq!(started.lifecycle, Lifecycle::Identifying);
        let all = cases::history(&db, &sc, "R1").await.unwrap();
        assert_eq!(all[0], first);
        assert_eq!(all[1], started);
    }
);

db_test!(
    fn the_case_sequence_migration_keeps_existing_cases(db: Db) {
        use sea_orm_migration::MigratorTrait;
        use shouwang_store::migration::Migrator;

        seed_regions(&db).await;
        register(&db, "M1", VILLAGE_A1, 51).await;
        let (rec, _) = drive(&db, &team_scope(), "M1", vec![start_step()]).await;
        // Back to the schema before case sequences (one case per household), with the case in it …
        let all = Migrator::migrations();
        let mine = all
            .iter()
            .position(|m| m.name() == "m20250620_000005_case_sequence")
            .unwrap();
        let steps = u32::try_from(all.len() - mine).unwrap();
        Migrator::down(db.conn(), Some(steps)).await.unwrap();
        let e = cases::get(&db, &team_scope(), "M1").await.unwrap_err();
        assert!(matches!(e, StoreError::Db(_)), "{e:?}");
        // … and forward again: the case is its household's first and current one.
        Migrator::up(db.conn(), None).await.unwrap();
        let again = cases::get(&db, &team_scope(), "M1").await.unwrap().unwrap();
        assert_eq!(again, rec);
        assert_eq!(again.seq, 1);
        assert_eq!(
            cases::list(&db, &team_scope(), &CaseQuery::default(), 1, 20)
                .await
                .unwrap()
                .total,
            1
        );
    }
);

db_test!(
    fn next_step_filters_and_state_counts(db: Db) {
        seed_regions(&db).await;
        let sc = team_scope();
        let town = scope(Role::TownshipAdmin, TOWN_A);
        // S1 identifying (waits for the next identification step), S2 monitored with an exit
        // nominated and decided at the meeting (waits for the exit's 入户核查).
        register(&db, "S1", VILLAGE_A1, 81).await;
        drive(&db, &sc, "S1", vec![start_step()]).await;
        let h2 = register(&db, "S2", VILLAGE_A1, 82).await;
        let mut steps = vec![start_step()];
        steps.extend(ident_steps());
        steps.extend(assistance_steps());
        steps.extend(exit_steps(&h2, Vec::new()).into_iter().take(2));
        drive(&db, &sc, "S2", steps).await;

        let numbers = |q: CaseQuery| {
            let db = db.clone();
            let town = town.clone();
            async move {
                cases::list(&db, &town, &q, 1, 50)
                    .await
                    .unwrap()
                    .items
                    .into_iter()
                    .map(|r| r.household_number)
                    .collect::<Vec<_>>()
            }
        };
        let exit = |steps: Vec<ExitStep>| CaseQuery {
            exit_steps: Some(steps),
            ..CaseQuery::default()
        };
        assert_eq!(numbers(exit(vec![ExitStep::HouseholdCheck])).await, ["S2"]);
        assert!(numbers(exit(vec![ExitStep::Appraisal])).await.is_empty());
        assert!(
            numbers(exit(Vec::new())).await.is_empty(),
            "no steps, no rows"
        );
        let next = IdentStep::ALL[0];
        let ident = |steps: Vec<IdentStep>| CaseQuery {
            ident_steps: Some(steps),
            ..CaseQuery::default()
        };
        assert_eq!(numbers(ident(vec![next])).await, ["S1"]);
        assert!(
            numbers(ident(IdentStep::ALL[1..].to_vec()))
                .await
                .is_empty()
        );

        let mut counts = cases::lifecycle_counts(&db, &town).await.unwrap();
        counts.sort_by_key(|(l, _)| l.code());
        let mut want = vec![(Lifecycle::Identifying, 1), (Lifecycle::Monitored, 1)];
        want.sort_by_key(|(l, _)| l.code());
        assert_eq!(counts, want);
        // Another township sees nothing.
        let other = scope(Role::TownshipAdmin, TOWN_B);
        assert!(
            cases::lifecycle_counts(&db, &other)
                .await
                .unwrap()
                .is_empty()
        );
    }
);
