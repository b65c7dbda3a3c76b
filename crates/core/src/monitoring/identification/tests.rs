//! Tests of the identification: every step in order, roles, evidence, the
//! objection period, the rules, the green channel and the time limit.

use chrono::{Days, NaiveDate};

use super::*;
use crate::access::Role;
use crate::codes::{CodeList, MonitoredType, RiskType};
use crate::monitoring::calendar::WorkCalendar;
use crate::monitoring::common::{Actor, Decision, Meeting, RefusalCode, StepResult};
use crate::monitoring::verification::tests::verification;
use proptest::prelude::*;

pub(crate) fn d(m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2022, m, day).unwrap()
}

pub(crate) fn actor(role: Role) -> Actor {
    Actor::new(role as i64 + 1, format!("{}甲", role.label_zh()), role)
}

pub(crate) fn outcome() -> Outcome {
    Outcome {
        monitored_type: MonitoredType::SuddenHardship,
        risks: vec![RiskType::Illness],
    }
}

/// The passing action of each step, dated `on`.
pub(crate) fn pass_action(step: IdentStep, on: NaiveDate) -> IdentAction {
    match step {
        IdentStep::Verification => IdentAction::Verify {
            verification: Box::new(verification(on, 3000)),
            decision: Decision::pass("情况属实"),
        },
        IdentStep::DataComparison => IdentAction::Compare {
            checked_with: vec!["财政".into(), "公安".into(), "住建".into()],
            discrepancies: String::new(),
            decision: Decision::pass("无财政供养人员、无车辆"),
        },
        IdentStep::Appraisal => IdentAction::Appraise {
            meeting: Meeting {
                held_on: on,
                attendance: 35,
                minutes: "一致同意".into(),
            },
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
            outcome: Some(outcome()),
        },
        IdentStep::Enrolment => IdentAction::Enrol {
            opinion: "已录入全国防返贫监测系统".into(),
        },
    }
}

/// A failing action of a decision step.
fn fail_action(step: IdentStep, on: NaiveDate) -> Option<IdentAction> {
    let no = Decision::fail("收入高于监测线");
    Some(match step {
        IdentStep::Verification => IdentAction::Verify {
            verification: Box::new(verification(on, 9000)),
            decision: no,
        },
        IdentStep::DataComparison => IdentAction::Compare {
            checked_with: vec!["公安".into()],
            discrepancies: "家庭有小轿车一辆".into(),
            decision: no,
        },
        IdentStep::Appraisal => IdentAction::Appraise {
            meeting: Meeting {
                held_on: on,
                attendance: 30,
                minutes: String::new(),
            },
            decision: no,
        },
        IdentStep::NoticeClosed => IdentAction::CloseNotice {
            objections: vec!["有村民反映其子在城里有房".into()],
            decision: no,
        },
        IdentStep::TownshipReview => IdentAction::TownshipReview { decision: no },
        IdentStep::CountyApproval => IdentAction::CountyApproval {
            decision: no,
            outcome: None,
        },
        IdentStep::PublicNotice | IdentStep::Enrolment => return None,
    })
}

pub(crate) fn started(on: NaiveDate, risks: Vec<RiskType>) -> Identification {
    Identification::start(
        "H1",
        risks,
        IdentificationRules::default(),
        &actor(Role::VillageTeam),
        on,
    )
    .unwrap()
}

/// The date used for step `i` in [`run_to`] (publicity of 5 days included).
pub(crate) fn step_date(start: NaiveDate, i: usize) -> NaiveDate {
    start + Days::new(if i >= 4 { i as u64 + 5 } else { i as u64 })
}

/// An identification started on `start` with the first `n` steps passed.
pub(crate) fn run_to(start: NaiveDate, n: usize) -> Identification {
    let mut s = started(start, vec![RiskType::Illness, RiskType::Accident]);
    for (i, step) in IdentStep::ALL.iter().take(n).enumerate() {
        let on = step_date(start, i);
        s = s
            .apply(pass_action(*step, on), &actor(step.roles()[0]), on)
            .unwrap();
    }
    s
}

#[test]
fn full_procedure() {
    let s = run_to(d(6, 1), 8);
    assert!(s.is_enrolled() && s.is_ended());
    assert_eq!(s.enrolled_on(), Some(d(6, 13)));
    assert_eq!(s.steps.len(), 8);
    assert_eq!(s.outcome(), Some(&outcome()));
    assert!(s.verification().is_some());
    assert!(s.assistance_allowed());
    assert_eq!(s.next_step(), None);
    assert_eq!(s.notice_closes_on(), Some(d(6, 9)));
    let rec = s.record(IdentStep::TownshipReview).unwrap();
    assert_eq!(rec.actor.role, Role::TownshipAdmin);
    assert_eq!(rec.result, StepResult::Pass);
    assert_eq!(rec.opinion, "同意");
    // ended: every action refused
    let e = s
        .apply(
            pass_action(IdentStep::Enrolment, d(6, 14)),
            &actor(Role::CountyAdmin),
            d(6, 14),
        )
        .unwrap_err();
    assert_eq!(e.code, RefusalCode::Finished);
}

#[test]
fn every_step_in_order_and_each_transition() {
    let start = d(6, 1);
    for (i, step) in IdentStep::ALL.iter().enumerate() {
        let s = run_to(start, i);
        assert_eq!(s.next_step(), Some(*step));
        let on = step_date(start, i);
        let n = s
            .apply(pass_action(*step, on), &actor(step.roles()[0]), on)
            .unwrap();
        assert_eq!(n.steps.len(), i + 1);
        assert_eq!(n.steps[i].step, *step);
        assert_eq!(n.steps[i].on, on);
        // every later step is out of order
        for later in &IdentStep::ALL[i + 1..] {
            let e = s
                .apply(pass_action(*later, on), &actor(later.roles()[0]), on)
                .unwrap_err();
            assert_eq!(e.code, RefusalCode::OutOfOrder, "{later:?} at {step:?}");
            assert!(
                e.message_en.starts_with(step.label_zh()),
                "{}",
                e.message_en
            );
        }
        // every earlier step is already taken
        for earlier in &IdentStep::ALL[..i] {
            let e = s
                .apply(pass_action(*earlier, on), &actor(earlier.roles()[0]), on)
                .unwrap_err();
            assert_eq!(e.code, RefusalCode::Duplicate);
        }
    }
}

#[test]
fn appraisal_before_township_review_message() {
    let s = run_to(d(6, 1), 2);
    let e = s
        .apply(
            pass_action(IdentStep::TownshipReview, d(6, 3)),
            &actor(Role::TownshipAdmin),
            d(6, 3),
        )
        .unwrap_err();
    assert_eq!(
        e.message_en,
        "民主评议 (democratic appraisal) must come before 乡镇审核 (township review)"
    );
}

#[test]
fn roles_are_enforced_per_step() {
    let start = d(6, 1);
    for (i, step) in IdentStep::ALL.iter().enumerate() {
        let s = run_to(start, i);
        let on = step_date(start, i);
        for role in Role::ALL {
            let r = s.apply(pass_action(*step, on), &actor(*role), on);
            if step.roles().contains(role) {
                assert!(r.is_ok(), "{role:?} {step:?}");
            } else {
                let e = r.unwrap_err();
                assert_eq!(e.code, RefusalCode::RoleNotAllowed, "{role:?} {step:?}");
                assert!(e.is_forbidden());
            }
        }
    }
}

#[test]
fn a_failed_step_ends_the_clue_with_its_reason() {
    let start = d(6, 1);
    for (i, step) in IdentStep::ALL.iter().enumerate() {
        let on = step_date(start, i);
        let Some(fail) = fail_action(*step, on) else {
            continue;
        };
        let s = run_to(start, i)
            .apply(fail, &actor(step.roles()[0]), on)
            .unwrap();
        assert_eq!(
            s.status,
            IdentStatus::Refused {
                step: *step,
                on,
                reason: "收入高于监测线".into()
            }
        );
        assert!(s.is_ended() && !s.assistance_allowed());
        assert_eq!(s.ended_on(), Some(on));
        assert_eq!(s.steps.last().unwrap().result, StepResult::Fail);
        let e = s
            .apply(
                pass_action(IdentStep::ALL[i + 1], on),
                &actor(Role::CountyAdmin),
                on,
            )
            .unwrap_err();
        assert_eq!(e.code, RefusalCode::Finished);
    }
    // a 不通过 needs a reason
    let s = run_to(start, 5);
    let e = s
        .apply(
            IdentAction::TownshipReview {
                decision: Decision::fail(" "),
            },
            &actor(Role::TownshipAdmin),
            d(6, 11),
        )
        .unwrap_err();
    assert_eq!(e.code, RefusalCode::InvalidInput);
}

#[test]
fn verification_evidence() {
    let on = d(6, 1);
    let s = started(on, vec![RiskType::Illness]);
    let team = actor(Role::VillageTeam);
    let mut v = verification(on, 3000);
    v.income = None;
    let e = s
        .apply(
            IdentAction::Verify {
                verification: Box::new(v.clone()),
                decision: Decision::pass(""),
            },
            &team,
            on,
        )
        .unwrap_err();
    assert_eq!(e.code, RefusalCode::EvidenceRequired);
    // a failing verification does not need the income
    assert!(
        s.apply(
            IdentAction::Verify {
                verification: Box::new(v),
                decision: Decision::fail("不属实")
            },
            &team,
            on
        )
        .is_ok()
    );
    let mut v = verification(on, 3000);
    v.authorisation = None;
    let e = s
        .apply(
            IdentAction::Verify {
                verification: Box::new(v),
                decision: Decision::pass(""),
            },
            &team,
            on,
        )
        .unwrap_err();
    assert_eq!(e.code, RefusalCode::EvidenceRequired);
    let mut v = verification(on, 3000);
    v.signature = crate::monitoring::Signature::NotSigned {
        reason: "拒签".into(),
    };
    let e = s
        .apply(
            IdentAction::Verify {
                verification: Box::new(v),
                decision: Decision::pass(""),
            },
            &team,
            on,
        )
        .unwrap_err();
    assert_eq!(e.code, RefusalCode::SignatureRequired);
    let mut v = verification(on, 3000);
    v.findings.clear();
    let e = s
        .apply(
            IdentAction::Verify {
                verification: Box::new(v),
                decision: Decision::pass(""),
            },
            &team,
            on,
        )
        .unwrap_err();
    assert_eq!(e.code, RefusalCode::InvalidInput);
}

#[test]
fn comparison_and_appraisal_evidence() {
    let s = run_to(d(6, 1), 1);
    let team = actor(Role::VillageTeam);
    let e = s
        .apply(
            IdentAction::Compare {
                checked_with: vec![" ".into()],
                discrepancies: String::new(),
                decision: Decision::pass(""),
            },
            &team,
            d(6, 2),
        )
        .unwrap_err();
    assert_eq!(e.code, RefusalCode::InvalidInput);
    let s = run_to(d(6, 1), 2);
    let e = s
        .apply(
            IdentAction::Appraise {
                meeting: Meeting {
                    held_on: d(6, 3),
                    attendance: 0,
                    minutes: String::new(),
                },
                decision: Decision::pass(""),
            },
            &team,
            d(6, 3),
        )
        .unwrap_err();
    assert_eq!(e.code, RefusalCode::InvalidInput);
    let s = run_to(d(6, 1), 3);
    let e = s
        .apply(
            IdentAction::PostNotice { place: " ".into() },
            &team,
            d(6, 4),
        )
        .unwrap_err();
    assert_eq!(e.code, RefusalCode::InvalidInput);
}

#[test]
fn objection_period() {
    let s = run_to(d(6, 1), 4); // posted 6-04, 5 days
    assert_eq!(s.notice_closes_on(), Some(d(6, 9)));
    let team = actor(Role::VillageTeam);
    let e = s
        .apply(
            pass_action(IdentStep::NoticeClosed, d(6, 8)),
            &team,
            d(6, 8),
        )
        .unwrap_err();
    assert_eq!(e.code, RefusalCode::TooEarly);
    assert!(e.message_zh.contains("2022-06-09"), "{}", e.message_zh);
    assert!(
        s.apply(
            pass_action(IdentStep::NoticeClosed, d(6, 9)),
            &team,
            d(6, 9)
        )
        .is_ok()
    );
    // objections need an opinion on them
    let with_objection = IdentAction::CloseNotice {
        objections: vec!["有异议".into()],
        decision: Decision::pass(""),
    };
    assert_eq!(
        s.apply(with_objection, &team, d(6, 9)).unwrap_err().code,
        RefusalCode::InvalidInput
    );
    let answered = IdentAction::CloseNotice {
        objections: vec!["有异议".into(), " ".into()],
        decision: Decision::pass("经核实异议不成立"),
    };
    let n = s.apply(answered, &team, d(6, 9)).unwrap();
    assert_eq!(
        n.steps.last().unwrap().evidence,
        IdentEvidence::NoticeClosed {
            objections: vec!["有异议".into()]
        }
    );
    // a longer configured period
    let rules = IdentificationRules {
        publicity_days: 7,
        ..IdentificationRules::default()
    };
    let mut s =
        Identification::start("H1", vec![RiskType::Illness], rules, &team, d(6, 1)).unwrap();
    for (i, step) in IdentStep::ALL.iter().take(4).enumerate() {
        s = s
            .apply(
                pass_action(*step, d(6, 1 + i as u32)),
                &actor(step.roles()[0]),
                d(6, 1 + i as u32),
            )
            .unwrap();
    }
    assert_eq!(s.notice_closes_on(), Some(d(6, 11)));
}

#[test]
fn rules_validation() {
    let team = actor(Role::VillageTeam);
    for bad in [
        IdentificationRules {
            publicity_days: 4,
            ..IdentificationRules::default()
        },
        IdentificationRules {
            publicity_days: 61,
            ..IdentificationRules::default()
        },
        IdentificationRules {
            time_limit_working_days: 0,
            ..IdentificationRules::default()
        },
    ] {
        let e =
            Identification::start("H1", vec![RiskType::Illness], bad, &team, d(6, 1)).unwrap_err();
        assert_eq!(e.code, RefusalCode::InvalidInput);
    }
    assert!(
        Identification::start("H1", vec![], IdentificationRules::default(), &team, d(6, 1))
            .is_err()
    );
    assert!(
        Identification::start(
            " ",
            vec![RiskType::Illness],
            IdentificationRules::default(),
            &team,
            d(6, 1)
        )
        .is_err()
    );
    let e = Identification::start(
        "H1",
        vec![RiskType::Illness],
        IdentificationRules::default(),
        &actor(Role::Cadre),
        d(6, 1),
    )
    .unwrap_err();
    assert_eq!(e.code, RefusalCode::RoleNotAllowed);
    assert!(
        Identification::start(
            "H1",
            vec![RiskType::Illness],
            IdentificationRules::default(),
            &actor(Role::TownshipAdmin),
            d(6, 1)
        )
        .is_ok()
    );
}

#[test]
fn outcome_rules() {
    let s = run_to(d(6, 1), 6);
    let county = actor(Role::CountyAdmin);
    let on = step_date(d(6, 1), 6);
    let approve = |risks: Vec<RiskType>| IdentAction::CountyApproval {
        decision: Decision::pass(""),
        outcome: Some(Outcome {
            monitored_type: MonitoredType::Marginal,
            risks,
        }),
    };
    assert_eq!(
        s.apply(approve(vec![]), &county, on).unwrap_err().code,
        RefusalCode::InvalidInput
    );
    assert!(
        s.apply(
            approve(vec![RiskType::Illness, RiskType::Illness]),
            &county,
            on
        )
        .is_err()
    );
    let six = vec![
        RiskType::Illness,
        RiskType::Disability,
        RiskType::Schooling,
        RiskType::Housing,
        RiskType::Water,
        RiskType::Other,
    ];
    assert!(s.apply(approve(six.clone()), &county, on).is_err());
    assert!(s.apply(approve(six[..5].to_vec()), &county, on).is_ok());
    let e = s
        .apply(
            IdentAction::CountyApproval {
                decision: Decision::pass(""),
                outcome: None,
            },
            &county,
            on,
        )
        .unwrap_err();
    assert_eq!(e.code, RefusalCode::InvalidInput);
}

#[test]
fn dates_may_not_go_back() {
    let s = run_to(d(6, 1), 2); // last step on 6-02
    let e = s
        .apply(
            pass_action(IdentStep::Appraisal, d(6, 1)),
            &actor(Role::VillageTeam),
            d(6, 1),
        )
        .unwrap_err();
    assert_eq!(e.code, RefusalCode::DateOrder);
    let s = started(d(6, 1), vec![RiskType::Illness]);
    let e = s
        .apply(
            pass_action(IdentStep::Verification, d(5, 31)),
            &actor(Role::VillageTeam),
            d(5, 31),
        )
        .unwrap_err();
    assert_eq!(e.code, RefusalCode::DateOrder);
}

#[test]
fn green_channel() {
    let county = actor(Role::CountyAdmin);
    let town = actor(Role::TownshipAdmin);
    let open = || IdentAction::OpenGreenChannel {
        reason: "房屋被洪水冲毁".into(),
    };
    // only for disaster and accident by default
    let ill = started(d(7, 1), vec![RiskType::Illness]);
    assert_eq!(
        ill.apply(open(), &town, d(7, 1)).unwrap_err().code,
        RefusalCode::NotEligible
    );
    let flood = started(d(7, 1), vec![RiskType::DisasterFlood]);
    assert!(!flood.assistance_allowed());
    let e = flood
        .apply(open(), &actor(Role::VillageTeam), d(7, 1))
        .unwrap_err();
    assert_eq!(e.code, RefusalCode::RoleNotAllowed);
    assert_eq!(
        flood
            .apply(
                IdentAction::OpenGreenChannel { reason: "".into() },
                &town,
                d(7, 1)
            )
            .unwrap_err()
            .code,
        RefusalCode::InvalidInput
    );
    assert_eq!(
        flood.apply(open(), &town, d(6, 30)).unwrap_err().code,
        RefusalCode::DateOrder
    );
    let g = flood.apply(open(), &town, d(7, 1)).unwrap();
    assert!(g.assistance_allowed() && !g.is_ended());
    assert_eq!(
        g.apply(open(), &county, d(7, 2)).unwrap_err().code,
        RefusalCode::Duplicate
    );
    // the procedure still completes afterwards, step by step
    assert_eq!(g.next_step(), Some(IdentStep::Verification));
    let e = g
        .apply(pass_action(IdentStep::Enrolment, d(7, 2)), &county, d(7, 2))
        .unwrap_err();
    assert_eq!(e.code, RefusalCode::OutOfOrder);
    // and a refusal afterwards stops the assistance
    let r = g
        .apply(
            fail_action(IdentStep::Verification, d(7, 2)).unwrap(),
            &actor(Role::VillageTeam),
            d(7, 2),
        )
        .unwrap();
    assert!(!r.assistance_allowed());
    assert_eq!(
        r.apply(open(), &county, d(7, 3)).unwrap_err().code,
        RefusalCode::Finished
    );
    // configurable risks
    let rules = IdentificationRules {
        green_channel_risks: vec![RiskType::Illness],
        ..IdentificationRules::default()
    };
    let s = Identification::start("H1", vec![RiskType::Illness], rules, &town, d(7, 1)).unwrap();
    assert!(s.apply(open(), &town, d(7, 1)).is_ok());
}

#[test]
fn time_limit_in_working_days() {
    let cal = WorkCalendar::weekdays_only();
    // started Friday 2022-06-10: 20 working days end Friday 07-08
    let s = started(d(6, 10), vec![RiskType::Illness]);
    assert_eq!(s.deadline(&cal), d(7, 8));
    assert!(!s.is_overdue(d(7, 8), &cal));
    assert!(s.is_overdue(d(7, 9), &cal));
    assert_eq!(s.working_days_used(d(7, 8), &cal), 20);
    // a holiday pushes it by one working day
    let dragon = WorkCalendar::new([d(6, 13)], []);
    assert_eq!(s.deadline(&dragon), d(7, 11));
    assert!(!s.is_overdue(d(7, 10), &dragon));
    // a 1-working-day limit started on Friday ends on Monday
    let rules = IdentificationRules {
        time_limit_working_days: 1,
        ..IdentificationRules::default()
    };
    let s = Identification::start(
        "H1",
        vec![RiskType::Illness],
        rules,
        &actor(Role::VillageTeam),
        d(6, 10),
    )
    .unwrap();
    assert_eq!(s.deadline(&cal), d(6, 13));
    assert!(!s.is_overdue(d(6, 12), &cal) && !s.is_overdue(d(6, 13), &cal));
    assert!(s.is_overdue(d(6, 14), &cal));
    // an ended procedure is never overdue; late completion is reported
    let done = run_to(d(6, 10), 8); // entered 06-22
    assert!(!done.is_overdue(d(12, 31), &cal));
    assert!(!done.finished_late(&cal));
    assert_eq!(done.working_days_used(d(12, 31), &cal), 8);
    let mut late = done.clone();
    late.status = IdentStatus::Enrolled { on: d(7, 11) };
    assert!(late.finished_late(&cal));
}

/// Fuzzing input: a step choice (mostly the expected next one), a role
/// (mostly an allowed one), days to advance, and whether to decide 不通过.
fn arb_moves() -> impl Strategy<Value = Vec<(u8, u8, u8, u8)>> {
    proptest::collection::vec((0u8..16, 0u8..10, 0u8..4, 0u8..20), 0..40)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    /// No sequence of actions skips a step; a refused action leaves the state
    /// as it was; entry means all eight steps passed.
    #[test]
    fn no_step_is_ever_skipped(moves in arb_moves(), flood in any::<bool>()) {
        let start = d(6, 1);
        let risks = if flood { vec![RiskType::DisasterFlood] } else { vec![RiskType::Illness] };
        let mut s = started(start, risks);
        let mut on = start;
        for (choice, role_pick, advance, fail) in moves {
            on = on + Days::new(u64::from(advance) * 2);
            let step = match (choice, s.next_step()) {
                (0..=9, Some(n)) => n,
                (c, _) => IdentStep::ALL[usize::from(c) % IdentStep::ALL.len()],
            };
            let action = if choice == 15 {
                IdentAction::OpenGreenChannel { reason: "洪灾".into() }
            } else if fail == 0 {
                fail_action(step, on).unwrap_or_else(|| pass_action(step, on))
            } else {
                pass_action(step, on)
            };
            let role = if role_pick < 7 {
                step.roles()[0]
            } else {
                Role::ALL[usize::from(role_pick) % Role::ALL.len()]
            };
            let before = s.clone();
            match s.apply(action, &actor(role), on) {
                Ok(n) => s = n,
                Err(_) => prop_assert_eq!(&s, &before),
            }
            // invariant: the steps taken are exactly a prefix of the procedure
            for (i, r) in s.steps.iter().enumerate() {
                prop_assert_eq!(r.step, IdentStep::ALL[i]);
                prop_assert!(r.step.roles().contains(&r.actor.role));
                if i + 1 < s.steps.len() {
                    prop_assert_eq!(r.result, StepResult::Pass);
                    prop_assert!(r.on <= s.steps[i + 1].on);
                }
            }
            if s.is_enrolled() {
                prop_assert_eq!(s.steps.len(), IdentStep::ALL.len());
                prop_assert!(s.steps.iter().all(|r| r.result == StepResult::Pass));
                prop_assert!(s.outcome().is_some());
            }
            if let IdentStatus::Refused { step, .. } = &s.status {
                prop_assert_eq!(s.steps.last().map(|r| r.step), Some(*step));
            }
            if s.green_channel.is_some() {
                prop_assert!(flood);
            }
        }
    }
}
