//! Tests of the exit: conditions, 缓退, the steps in order, refusals, the notice.

use chrono::NaiveDate;

use super::*;
use crate::access::Role;
use crate::codes::{CodeList, EliminationMode};
use crate::codes::{Dibao, LabourSkill};
use crate::household::tests::household;
use crate::money::Fen;
use crate::monitoring::calendar::{Quarter, YearMonth};
use crate::monitoring::common::{Decision, Meeting, RefusalCode, StepResult};
use crate::monitoring::identification::tests::actor;
use crate::monitoring::verification::tests::{income, verification};
use proptest::prelude::*;

fn d(m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2022, m, day).unwrap()
}

fn ym(m: u32) -> YearMonth {
    YearMonth::new(2022, m).unwrap()
}

/// Facts of a household entered on 2022-01-10 that meets every condition on 2022-09-15.
pub(crate) fn good_facts() -> ExitFacts {
    ExitFacts {
        monitored_since: d(1, 10),
        line: Fen::from_yuan(6500),
        monthly_income: (2..=8).map(|m| (ym(m), Fen::from_yuan(7000))).collect(),
        latest_income: Some(income(7000, 3)),
        standards_secure: Some(true),
        has_labour: true,
        measures_delivered: 2,
        developmental_delivered: true,
        categories: vec![],
        blockers: vec![],
    }
}

fn codes(p: &PreJudgment) -> Vec<&'static str> {
    p.unmet.iter().map(|u| u.condition.code()).collect()
}

#[test]
fn deferred_categories_of_household() {
    let mut h = household();
    assert!(DeferredCategory::of(&h).is_empty());
    h.members[0].dibao = Dibao::Rural;
    h.members[1].disability_grade = Some(2);
    assert_eq!(
        DeferredCategory::of(&h),
        [DeferredCategory::Dibao, DeferredCategory::Disability]
    );
    h.members[0].tekun = crate::codes::Tekun::Rural;
    for m in &mut h.members {
        m.labour = LabourSkill::Lost;
    }
    assert_eq!(DeferredCategory::of(&h), DeferredCategory::ALL);
    // the plan's three agree with Household::is_deferred_exit_category
    assert!(h.is_deferred_exit_category());
}

#[test]
fn prejudgment_conditions() {
    let rules = ExitRules::default();
    let on = d(9, 15);
    let p = prejudge(&good_facts(), &rules, on);
    assert!(p.proposed(), "{:?}", p.unmet);
    assert!(p.deferred.is_empty());

    // E01: a missing month and a month below the line
    let mut f = good_facts();
    f.monthly_income.retain(|(m, _)| *m != ym(5));
    f.monthly_income[0].1 = Fen::from_yuan(6000); // Feb is outside the window (Mar–Aug)
    f.monthly_income[1].1 = Fen::from_yuan(6499); // Mar
    let p = prejudge(&f, &rules, on);
    assert_eq!(codes(&p), ["E01"]);
    assert!(
        p.unmet[0].detail_zh.contains("2022-05"),
        "{}",
        p.unmet[0].detail_zh
    );
    assert!(
        p.unmet[0].detail_zh.contains("2022-03（6499.00）"),
        "{}",
        p.unmet[0].detail_zh
    );
    // exactly on the line is enough
    let mut f = good_facts();
    for x in &mut f.monthly_income {
        x.1 = f.line;
    }
    assert!(prejudge(&f, &rules, on).proposed());

    // E02
    let mut f = good_facts();
    let mut inc = income(7000, 3);
    inc.rigid_medical = Fen::from_yuan(3000);
    f.latest_income = Some(inc);
    assert_eq!(codes(&prejudge(&f, &rules, on)), ["E02"]);
    inc.insurance_payout = Fen::from_yuan(3000); // a payout covers it
    f.latest_income = Some(inc);
    assert!(prejudge(&f, &rules, on).proposed());
    f.latest_income = None;
    assert_eq!(codes(&prejudge(&f, &rules, on)), ["E02"]);

    // E03
    let mut f = good_facts();
    f.standards_secure = Some(false);
    assert_eq!(codes(&prejudge(&f, &rules, on)), ["E03"]);
    f.standards_secure = None;
    assert_eq!(codes(&prejudge(&f, &rules, on)), ["E03"]);

    // E04 at the boundary: entered 03-15, judged 09-14 (no) and 09-15 (yes)
    let mut f = good_facts();
    f.monitored_since = d(3, 15);
    assert_eq!(codes(&prejudge(&f, &rules, d(9, 14))), ["E04"]);
    assert!(prejudge(&f, &rules, d(9, 15)).proposed());

    // E05: labour without a developmental measure; no labour: not required
    let mut f = good_facts();
    f.developmental_delivered = false;
    assert_eq!(codes(&prejudge(&f, &rules, on)), ["E05"]);
    f.has_labour = false;
    f.categories = vec![DeferredCategory::NoLabour];
    let p = prejudge(&f, &rules, on);
    assert!(p.proposed());
    assert_eq!(p.deferred, [DeferredCategory::NoLabour]);

    // everything wrong at once: all five codes, in order
    let f = ExitFacts {
        monitored_since: d(8, 1),
        line: Fen::from_yuan(6500),
        monthly_income: vec![],
        latest_income: None,
        standards_secure: None,
        has_labour: true,
        measures_delivered: 0,
        developmental_delivered: false,
        categories: vec![],
        blockers: vec![],
    };
    assert_eq!(
        codes(&prejudge(&f, &rules, on)),
        ["E01", "E02", "E03", "E04", "E05"]
    );
    // configurable months
    let short = ExitRules {
        stable_income_months: 1,
        min_monitored_months: 1,
        ..ExitRules::default()
    };
    let mut f = good_facts();
    f.monthly_income = vec![(ym(8), Fen::from_yuan(7000))];
    f.monitored_since = d(8, 10);
    assert!(prejudge(&f, &short, on).proposed());
    // the window crosses the year end
    let jan = NaiveDate::from_ymd_opt(2023, 1, 15).unwrap();
    let mut f = good_facts();
    f.monthly_income = (7..=12).map(|m| (ym(m), Fen::from_yuan(7000))).collect();
    assert!(prejudge(&f, &rules, jan).proposed());
}

#[test]
fn notice_number_format() {
    let n = NoticeNumbering::default();
    assert_eq!(n.number(2022, 7), "兴县圪塔上乡〔2022〕告字第7号");
    let other = NoticeNumbering {
        prefix: "某县某镇".into(),
        word: "退告字".into(),
    };
    assert_eq!(other.number(2023, 12), "某县某镇〔2023〕退告字第12号");
}

pub(crate) fn meeting(on: NaiveDate) -> Meeting {
    Meeting {
        held_on: on,
        attendance: 28,
        minutes: "逐户研判".into(),
    }
}

pub(crate) fn check(on: NaiveDate) -> ExitCheck {
    ExitCheck {
        verification: verification(on, 7000),
        measures_delivered: true,
        industry_employment_ok: true,
        industry_employment: "户主在县城务工，月收入3000元".into(),
    }
}

/// The passing action of each step after nomination.
pub(crate) fn pass_action(
    step: ExitStep,
    on: NaiveDate,
    categories: Vec<DeferredCategory>,
) -> ExitAction {
    match step {
        ExitStep::Nomination | ExitStep::MeetingDecision => ExitAction::DecideAtMeeting {
            meeting: meeting(on),
            decision: Decision::pass("同意进入退出程序"),
        },
        ExitStep::HouseholdCheck => ExitAction::CheckHousehold {
            check: Box::new(check(on)),
            opinion: "四查均达标".into(),
        },
        ExitStep::Appraisal => ExitAction::Appraise {
            meeting: meeting(on),
            decision: Decision::pass("评议通过"),
            mode: EliminationMode::Assisted,
            categories,
            blockers: vec![],
        },
        ExitStep::Notice => ExitAction::IssueNotice {
            sequence: 7,
            addressee: "张三".into(),
            village: "圪塔上乡某某村".into(),
            committee: "某某村村民委员会".into(),
        },
    }
}

pub(crate) fn nominated() -> Exit {
    Exit::nominate(
        "H1",
        &good_facts(),
        ExitRules::default(),
        &actor(Role::VillageTeam),
        d(9, 15),
    )
    .unwrap()
}

fn step_date(i: usize) -> NaiveDate {
    [d(9, 15), d(9, 16), d(9, 20), d(9, 26), d(9, 28)][i]
}

/// Nominated, then steps 1..n passed.
pub(crate) fn run_to(n: usize, categories: Vec<DeferredCategory>) -> Exit {
    let mut e = nominated();
    for (i, step) in ExitStep::ALL.iter().enumerate().take(n).skip(1) {
        e = e
            .apply(
                pass_action(*step, step_date(i), categories.clone()),
                &actor(step.roles()[0]),
                step_date(i),
            )
            .unwrap();
    }
    e
}

#[test]
fn nomination() {
    let e = nominated();
    assert_eq!(e.quarter, Quarter { year: 2022, q: 3 });
    assert_eq!(e.next_step(), Some(ExitStep::MeetingDecision));
    assert!(e.prejudgment().unwrap().proposed());
    let mut f = good_facts();
    f.standards_secure = Some(false);
    f.developmental_delivered = false;
    let r = Exit::nominate(
        "H1",
        &f,
        ExitRules::default(),
        &actor(Role::VillageTeam),
        d(9, 15),
    )
    .unwrap_err();
    assert_eq!(r.code, RefusalCode::NotEligible);
    assert!(
        r.message_zh.contains("E03") && r.message_zh.contains("E05"),
        "{}",
        r.message_zh
    );
    assert!(r.message_en.contains("E03 (Food"), "{}", r.message_en);
    for role in [
        Role::Cadre,
        Role::CountyAdmin,
        Role::Auditor,
        Role::Department,
    ] {
        let r = Exit::nominate(
            "H1",
            &good_facts(),
            ExitRules::default(),
            &actor(role),
            d(9, 15),
        )
        .unwrap_err();
        assert_eq!(r.code, RefusalCode::RoleNotAllowed);
    }
    assert!(
        Exit::nominate(
            "",
            &good_facts(),
            ExitRules::default(),
            &actor(Role::TownshipAdmin),
            d(9, 15)
        )
        .is_err()
    );
}

#[test]
fn full_exit_with_notice() {
    let e = run_to(4, vec![]);
    assert_eq!(
        e.status,
        ExitStatus::Eliminated {
            on: d(9, 26),
            mode: EliminationMode::Assisted
        }
    );
    assert_eq!(e.next_step(), Some(ExitStep::Notice));
    assert_eq!(e.ended_on(), Some(d(9, 26)));
    let e = e
        .apply(
            pass_action(ExitStep::Notice, d(9, 28), vec![]),
            &actor(Role::VillageTeam),
            d(9, 28),
        )
        .unwrap();
    let n = e.notice().unwrap();
    assert_eq!(n.number, "兴县圪塔上乡〔2022〕告字第7号");
    let t = n.text();
    assert_eq!(t.title, "退出防返贫监测帮扶范围告知书");
    assert_eq!(t.salutation, "张三户：");
    assert!(
        t.body[0].contains("帮扶消除") && t.body[0].contains("2022年9月26日"),
        "{}",
        t.body[0]
    );
    assert_eq!(t.issuer, "某某村村民委员会");
    assert_eq!(t.date, "2022年9月28日");
    assert!(
        t.plain()
            .starts_with("退出防返贫监测帮扶范围告知书\n兴县圪塔上乡〔2022〕告字第7号\n")
    );
    assert_eq!(e.next_step(), None);
    let r = e
        .apply(
            pass_action(ExitStep::Notice, d(9, 29), vec![]),
            &actor(Role::VillageTeam),
            d(9, 29),
        )
        .unwrap_err();
    assert_eq!(r.code, RefusalCode::Finished);
    assert_eq!(
        e.steps.iter().map(|s| s.step).collect::<Vec<_>>(),
        ExitStep::ALL
    );
}

#[test]
fn deferred_exit() {
    // 低保 household: 缓退, no notice
    let e = run_to(
        4,
        vec![DeferredCategory::Dibao, DeferredCategory::Disability],
    );
    assert_eq!(
        e.status,
        ExitStatus::Deferred {
            on: d(9, 26),
            categories: vec![DeferredCategory::Dibao, DeferredCategory::Disability]
        }
    );
    assert_eq!(e.next_step(), None);
    let r = e
        .apply(
            pass_action(ExitStep::Notice, d(9, 28), vec![]),
            &actor(Role::VillageTeam),
            d(9, 28),
        )
        .unwrap_err();
    assert_eq!(r.code, RefusalCode::Finished);
    // categories are configurable: without 低保 in the rules the household exits
    let rules = ExitRules {
        deferred: vec![DeferredCategory::Tekun],
        ..ExitRules::default()
    };
    let mut e = Exit::nominate(
        "H1",
        &good_facts(),
        rules,
        &actor(Role::VillageTeam),
        d(9, 15),
    )
    .unwrap();
    for (i, step) in ExitStep::ALL.iter().enumerate().take(4).skip(1) {
        e = e
            .apply(
                pass_action(*step, step_date(i), vec![DeferredCategory::Dibao]),
                &actor(Role::VillageTeam),
                step_date(i),
            )
            .unwrap();
    }
    assert!(matches!(e.status, ExitStatus::Eliminated { .. }));
}

#[test]
fn each_transition_in_order() {
    for (i, step) in ExitStep::ALL.iter().enumerate().skip(1) {
        let e = run_to(i, vec![]);
        assert_eq!(e.next_step(), Some(*step));
        for later in &ExitStep::ALL[i + 1..] {
            let r = e
                .apply(
                    pass_action(*later, step_date(i), vec![]),
                    &actor(Role::VillageTeam),
                    step_date(i),
                )
                .unwrap_err();
            assert_eq!(r.code, RefusalCode::OutOfOrder, "{later:?} at {step:?}");
        }
        for earlier in &ExitStep::ALL[1..i] {
            let r = e
                .apply(
                    pass_action(*earlier, step_date(i), vec![]),
                    &actor(Role::VillageTeam),
                    step_date(i),
                )
                .unwrap_err();
            assert_eq!(r.code, RefusalCode::Duplicate);
        }
        for role in Role::ALL {
            let r = e.apply(
                pass_action(*step, step_date(i), vec![]),
                &actor(*role),
                step_date(i),
            );
            assert_eq!(r.is_ok(), step.roles().contains(role), "{role:?} {step:?}");
            if let Err(r) = r {
                assert_eq!(r.code, RefusalCode::RoleNotAllowed);
            }
        }
    }
    let e = run_to(2, vec![]);
    let r = e
        .apply(
            pass_action(ExitStep::Appraisal, d(9, 20), vec![]),
            &actor(Role::VillageTeam),
            d(9, 20),
        )
        .unwrap_err();
    assert_eq!(
        r.message_en,
        "入户核查 (household check) must come before 民主评议 (democratic appraisal)"
    );
}

#[test]
fn failures_end_the_exit() {
    let team = actor(Role::VillageTeam);
    // meeting says no
    let e = run_to(1, vec![])
        .apply(
            ExitAction::DecideAtMeeting {
                meeting: meeting(d(9, 16)),
                decision: Decision::fail("收入不稳定"),
            },
            &team,
            d(9, 16),
        )
        .unwrap();
    assert_eq!(
        e.status,
        ExitStatus::NotEliminated {
            step: Some(ExitStep::MeetingDecision),
            on: d(9, 16),
            reason: "收入不稳定".into()
        }
    );
    assert_eq!(e.next_step(), None);
    // a failed check names the failed checks
    let mut c = check(d(9, 20));
    c.industry_employment_ok = false;
    c.verification.standards.problems = vec![crate::codes::Guarantee::Housing];
    let e = run_to(2, vec![])
        .apply(
            ExitAction::CheckHousehold {
                check: Box::new(c),
                opinion: "需继续帮扶".into(),
            },
            &team,
            d(9, 20),
        )
        .unwrap();
    match &e.status {
        ExitStatus::NotEliminated {
            step: Some(ExitStep::HouseholdCheck),
            reason,
            ..
        } => {
            assert_eq!(
                reason,
                "核查未通过，未达标项：两不愁三保障及饮水安全实现、家庭产业就业稳定；需继续帮扶"
            );
        }
        other => panic!("{other:?}"),
    }
    // income below the line at the check
    let mut c = check(d(9, 20));
    c.verification.income = Some(income(6000, 3));
    let e = run_to(2, vec![])
        .apply(
            ExitAction::CheckHousehold {
                check: Box::new(c),
                opinion: String::new(),
            },
            &team,
            d(9, 20),
        )
        .unwrap();
    assert!(
        matches!(&e.status, ExitStatus::NotEliminated { reason, .. } if reason == "核查未通过，未达标项：家庭人均纯收入不低于监测线")
    );
    // appraisal says no
    let e = run_to(3, vec![])
        .apply(
            ExitAction::Appraise {
                meeting: meeting(d(9, 26)),
                decision: Decision::fail("群众不认可"),
                mode: EliminationMode::Natural,
                categories: vec![],
                blockers: vec![],
            },
            &team,
            d(9, 26),
        )
        .unwrap();
    assert!(matches!(
        e.status,
        ExitStatus::NotEliminated {
            step: Some(ExitStep::Appraisal),
            ..
        }
    ));
    // withdraw at any running step
    for i in 1..4 {
        let e = run_to(i, vec![])
            .apply(
                ExitAction::Withdraw {
                    reason: "新发大病".into(),
                },
                &actor(Role::TownshipAdmin),
                d(9, 27),
            )
            .unwrap();
        assert_eq!(
            e.status,
            ExitStatus::NotEliminated {
                step: None,
                on: d(9, 27),
                reason: "新发大病".into()
            }
        );
        let r = e
            .apply(ExitAction::Withdraw { reason: "x".into() }, &team, d(9, 28))
            .unwrap_err();
        assert_eq!(r.code, RefusalCode::Finished);
    }
    let r = run_to(1, vec![])
        .apply(ExitAction::Withdraw { reason: " ".into() }, &team, d(9, 27))
        .unwrap_err();
    assert_eq!(r.code, RefusalCode::InvalidInput);
    let r = run_to(1, vec![])
        .apply(
            ExitAction::Withdraw { reason: "x".into() },
            &actor(Role::Cadre),
            d(9, 27),
        )
        .unwrap_err();
    assert_eq!(r.code, RefusalCode::RoleNotAllowed);
    let r = run_to(4, vec![])
        .apply(ExitAction::Withdraw { reason: "x".into() }, &team, d(9, 27))
        .unwrap_err();
    assert_eq!(r.code, RefusalCode::Finished);
}

#[test]
fn evidence_refusals() {
    let team = actor(Role::VillageTeam);
    let e = run_to(2, vec![]);
    // unsigned
    let mut c = check(d(9, 20));
    c.verification.signature = crate::monitoring::Signature::NotSigned {
        reason: "拒签".into(),
    };
    let r = e
        .apply(
            ExitAction::CheckHousehold {
                check: Box::new(c),
                opinion: String::new(),
            },
            &team,
            d(9, 20),
        )
        .unwrap_err();
    assert_eq!(r.code, RefusalCode::SignatureRequired);
    // no income
    let mut c = check(d(9, 20));
    c.verification.income = None;
    let r = e
        .apply(
            ExitAction::CheckHousehold {
                check: Box::new(c),
                opinion: String::new(),
            },
            &team,
            d(9, 20),
        )
        .unwrap_err();
    assert_eq!(r.code, RefusalCode::EvidenceRequired);
    let mut c = check(d(9, 20));
    c.industry_employment.clear();
    assert!(
        e.apply(
            ExitAction::CheckHousehold {
                check: Box::new(c),
                opinion: String::new()
            },
            &team,
            d(9, 20)
        )
        .is_err()
    );
    // date before the previous step
    let r = e
        .apply(
            pass_action(ExitStep::HouseholdCheck, d(9, 15), vec![]),
            &team,
            d(9, 15),
        )
        .unwrap_err();
    assert_eq!(r.code, RefusalCode::DateOrder);
    // meetings need attendance, fail needs reason
    let e1 = run_to(1, vec![]);
    let bad = Meeting {
        attendance: 0,
        ..meeting(d(9, 16))
    };
    assert!(
        e1.apply(
            ExitAction::DecideAtMeeting {
                meeting: bad,
                decision: Decision::pass("")
            },
            &team,
            d(9, 16)
        )
        .is_err()
    );
    assert!(
        e1.apply(
            ExitAction::DecideAtMeeting {
                meeting: meeting(d(9, 16)),
                decision: Decision::fail("")
            },
            &team,
            d(9, 16)
        )
        .is_err()
    );
    // 帮扶消除 needs delivered measures
    let mut f = good_facts();
    f.measures_delivered = 0;
    f.has_labour = false;
    let mut e = Exit::nominate("H1", &f, ExitRules::default(), &team, d(9, 15)).unwrap();
    for (i, step) in ExitStep::ALL.iter().enumerate().take(3).skip(1) {
        e = e
            .apply(
                pass_action(*step, step_date(i), vec![]),
                &team,
                step_date(i),
            )
            .unwrap();
    }
    let r = e
        .apply(
            pass_action(ExitStep::Appraisal, d(9, 26), vec![]),
            &team,
            d(9, 26),
        )
        .unwrap_err();
    assert_eq!(r.code, RefusalCode::InvalidInput);
    let natural = ExitAction::Appraise {
        meeting: meeting(d(9, 26)),
        decision: Decision::pass(""),
        mode: EliminationMode::Natural,
        categories: vec![],
        blockers: vec![],
    };
    let done = e.apply(natural, &team, d(9, 26)).unwrap();
    assert_eq!(
        done.status,
        ExitStatus::Eliminated {
            on: d(9, 26),
            mode: EliminationMode::Natural
        }
    );
    // notice fields
    for (seq, who, village, committee) in [
        (0, "张三", "村", "村委"),
        (1, "", "村", "村委"),
        (1, "张三", "", "村委"),
        (1, "张三", "村", " "),
    ] {
        let a = ExitAction::IssueNotice {
            sequence: seq,
            addressee: who.into(),
            village: village.into(),
            committee: committee.into(),
        };
        assert_eq!(
            done.apply(a, &team, d(9, 28)).unwrap_err().code,
            RefusalCode::InvalidInput
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    /// No sequence of actions skips an exit step; a refusal leaves the exit
    /// unchanged; 风险消除 and 缓退 only after all four steps passed; a notice
    /// only after 风险消除.
    #[test]
    fn no_exit_step_is_skipped(moves in proptest::collection::vec((0u8..12, 0u8..10, 0u8..3, 0u8..12, any::<bool>()), 0..25)) {
        let mut e = nominated();
        let mut on = d(9, 15);
        for (choice, role_pick, advance, fail, dibao) in moves {
            on = on + chrono::Days::new(u64::from(advance));
            let step = match (choice, e.next_step()) {
                (0..=6, Some(n)) => n,
                (c, _) => ExitStep::ALL[usize::from(c) % ExitStep::ALL.len()],
            };
            let cats = if dibao { vec![DeferredCategory::Dibao] } else { vec![] };
            let action = if choice == 11 {
                ExitAction::Withdraw { reason: "终止".into() }
            } else if fail == 0 && step == ExitStep::Appraisal {
                ExitAction::Appraise { meeting: meeting(on), decision: Decision::fail("不认可"), mode: EliminationMode::Natural, categories: cats, blockers: vec![] }
            } else {
                pass_action(step, on, cats)
            };
            let role = if role_pick < 7 { step.roles()[0] } else { Role::ALL[usize::from(role_pick) % Role::ALL.len()] };
            let before = e.clone();
            match e.apply(action, &actor(role), on) {
                Ok(n) => e = n,
                Err(_) => prop_assert_eq!(&e, &before),
            }
            for (i, r) in e.steps.iter().enumerate() {
                prop_assert_eq!(r.step, ExitStep::ALL[i]);
                prop_assert!(r.step.roles().contains(&r.actor.role));
            }
            match &e.status {
                ExitStatus::Eliminated { .. } | ExitStatus::Deferred { .. } => {
                    prop_assert!(e.steps.len() >= 4);
                    prop_assert!(e.steps[..4].iter().all(|r| r.result == StepResult::Pass));
                }
                _ => prop_assert!(e.notice().is_none()),
            }
            if e.notice().is_some() {
                let is_eliminated = matches!(e.status, ExitStatus::Eliminated { .. });
                prop_assert!(is_eliminated);
            }
        }
    }
}

#[test]
fn registry_blockers_keep_a_household_from_exit() {
    use crate::codes::{Guarantee, HousingSafety, Relation, SchoolStatus};
    use crate::household::tests::member;
    let on = d(9, 15);
    let mut h = household();
    assert!(registry_blockers(&h, Some(HousingSafety::B), on).is_empty());
    // a 13-year-old out of school, a 6-year-old not yet at school (not a problem), housing C,
    // the spouse without basic medical insurance
    let mut child = member(
        NaiveDate::from_ymd_opt(2009, 3, 1).unwrap(),
        33,
        Relation::Son,
    );
    child.school = None;
    child.name = "小明".to_owned();
    let mut small = member(
        NaiveDate::from_ymd_opt(2016, 3, 1).unwrap(),
        44,
        Relation::Daughter,
    );
    small.school = Some(SchoolStatus::PreschoolAge);
    h.members.push(child);
    h.members.push(small);
    h.members[1].has_medical_insurance = false;
    let b = registry_blockers(&h, Some(HousingSafety::C), on);
    let sectors: Vec<Guarantee> = b.iter().map(|b| b.sector).collect();
    assert_eq!(
        sectors,
        [
            Guarantee::CompulsoryEducation,
            Guarantee::Housing,
            Guarantee::BasicMedical
        ]
    );
    assert!(
        b[0].detail_zh.contains("小明（13周岁）"),
        "{}",
        b[0].detail_zh
    );
    assert!(b[1].detail_zh.contains("C级"));
    // E03 names each problem; nothing else changes
    let mut f = good_facts();
    f.blockers = b;
    let j = prejudge(&f, &ExitRules::default(), on);
    assert_eq!(codes(&j), ["E03"]);
    let detail = &j.unmet[0].detail_zh;
    assert!(
        detail.contains("义务教育保障问题未解决：小明（13周岁）义务教育阶段未在校"),
        "{detail}"
    );
    assert!(detail.contains("住房安全等级为C级") && detail.contains("未参加基本医疗保险"));
    assert!(
        !detail.contains("最近一次跟踪监测"),
        "the follow-up said secure: {detail}"
    );
    // and the nomination is refused with the same words
    let r = Exit::nominate(
        "H1",
        &f,
        ExitRules::default(),
        &actor(Role::VillageTeam),
        on,
    )
    .unwrap_err();
    assert_eq!(r.code, RefusalCode::NotEligible);
    assert!(r.message_zh.contains("小明"), "{}", r.message_zh);
}

#[test]
fn judgments_stored_before_blockers_still_read() {
    let mut v = serde_json::to_value(good_facts()).unwrap();
    v.as_object_mut().unwrap().remove("blockers");
    let f: ExitFacts = serde_json::from_value(v).unwrap();
    assert!(f.blockers.is_empty());
}

proptest! {
    /// Any open problem leaves E03 unmet, whatever the follow-up said; none leaves it to the follow-up.
    #[test]
    fn any_blocker_leaves_e03_unmet(n in 0usize..4, secure in proptest::option::of(any::<bool>())) {
        use crate::codes::Guarantee;
        let mut f = good_facts();
        f.standards_secure = secure;
        f.blockers = (0..n)
            .map(|i| ExitBlocker::new(Guarantee::ALL[i % Guarantee::ALL.len()], format!("问题{i}"), format!("p{i}")))
            .collect();
        let j = prejudge(&f, &ExitRules::default(), d(9, 15));
        prop_assert_eq!(codes(&j).contains(&"E03"), n > 0 || secure != Some(true));
    }
}

#[test]
fn an_open_problem_refuses_a_passing_appraisal() {
    use crate::codes::Guarantee;
    let on = d(9, 26);
    let mut e = Exit::nominate(
        "H1",
        &good_facts(),
        ExitRules::default(),
        &actor(Role::VillageTeam),
        d(9, 15),
    )
    .unwrap();
    for step in [ExitStep::MeetingDecision, ExitStep::HouseholdCheck] {
        e = e
            .apply(pass_action(step, on, vec![]), &actor(Role::VillageTeam), on)
            .unwrap();
    }
    let blocked = ExitAction::Appraise {
        meeting: meeting(on),
        decision: Decision::pass("评议通过"),
        mode: EliminationMode::Assisted,
        categories: vec![],
        blockers: vec![ExitBlocker::new(
            Guarantee::Housing,
            "住房安全等级为C级",
            "grade C",
        )],
    };
    let r = e
        .apply(blocked.clone(), &actor(Role::VillageTeam), on)
        .unwrap_err();
    assert_eq!(r.code, RefusalCode::NotEligible);
    assert!(
        r.message_zh.contains("住房安全保障：住房安全等级为C级"),
        "{}",
        r.message_zh
    );
    // a failing appraisal is still taken (it ends the exit 未消除)
    let ExitAction::Appraise {
        meeting,
        mode,
        categories,
        blockers,
        ..
    } = blocked
    else {
        unreachable!()
    };
    let failed = ExitAction::Appraise {
        meeting,
        decision: Decision::fail("住房未达标"),
        mode,
        categories,
        blockers,
    };
    let e = e.apply(failed, &actor(Role::VillageTeam), on).unwrap();
    assert!(matches!(e.status, ExitStatus::NotEliminated { .. }));
}
