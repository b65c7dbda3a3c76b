//! Tests of the problem ledger's state machine: found → rectified with evidence → 销号, refusals,
//! and (property) no step skipped, a refused step changes nothing.

use chrono::NaiveDate;
use proptest::prelude::*;

use super::*;
use crate::monitoring::identification::tests::actor;
use crate::monitoring::verification::tests::photo;

fn d(m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, m, day).unwrap()
}

pub(crate) fn water_problem() -> NewProblem {
    NewProblem {
        village: RegionCode::parse("141123208201").unwrap(),
        household: Some("1411232082010001".to_owned()),
        sector: Guarantee::DrinkingWater,
        found: "入户水管冬季冻裂，用水不便".to_owned(),
        unit: ResponsibleUnit::default_for(Guarantee::DrinkingWater),
        deadline: d(12, 31),
    }
}

fn rectify() -> ProblemAction {
    ProblemAction::Rectify {
        done: "更换保温水管".to_owned(),
        evidence: vec![photo()],
    }
}

fn accept() -> ProblemAction {
    ProblemAction::Accept {
        opinion: "已入户查看，供水正常".to_owned(),
    }
}

#[test]
fn found_rectified_and_closed() {
    let team = actor(Role::VillageTeam);
    let town = actor(Role::TownshipAdmin);
    let p = Problem::find(water_problem(), &team, d(10, 8)).unwrap();
    assert_eq!(p.status(), ProblemStatus::Open);
    assert_eq!(p.what.unit, ResponsibleUnit::Water);
    assert!(p.blocker().is_some_and(|b| b.detail_zh.contains("水管")));
    assert!(!p.is_overdue(d(12, 31)) && p.is_overdue(NaiveDate::from_ymd_opt(2027, 1, 1).unwrap()));
    let p = p.apply(rectify(), &team, d(10, 20)).unwrap();
    assert_eq!(p.status(), ProblemStatus::Rectifying);
    assert!(p.blocker().is_some(), "still open until accepted");
    let p = p.apply(accept(), &town, d(10, 25)).unwrap();
    assert_eq!(p.status(), ProblemStatus::Closed);
    assert!(p.blocker().is_none() && !p.is_overdue(NaiveDate::from_ymd_opt(2027, 1, 1).unwrap()));
    let a = p.accepted.as_ref().unwrap();
    assert_eq!((a.on, a.by.role), (d(10, 25), Role::TownshipAdmin));
    // closed takes nothing more
    let r = p.apply(rectify(), &team, d(10, 26)).unwrap_err();
    assert_eq!(r.code, RefusalCode::Finished);
    // a village's problem never blocks a household's exit
    let mut village = water_problem();
    village.household = None;
    assert!(
        Problem::find(village, &team, d(10, 8))
            .unwrap()
            .blocker()
            .is_none()
    );
}

#[test]
fn refusals() {
    let team = actor(Role::VillageTeam);
    let town = actor(Role::TownshipAdmin);
    // finding: role, text, deadline
    let r = Problem::find(water_problem(), &actor(Role::Auditor), d(10, 8)).unwrap_err();
    assert_eq!(r.code, RefusalCode::RoleNotAllowed);
    let mut blank = water_problem();
    blank.found = "  ".into();
    assert_eq!(
        Problem::find(blank, &team, d(10, 8)).unwrap_err().code,
        RefusalCode::InvalidInput
    );
    let mut late = water_problem();
    late.deadline = d(10, 1);
    assert_eq!(
        Problem::find(late, &team, d(10, 8)).unwrap_err().code,
        RefusalCode::InvalidInput
    );

    let p = Problem::find(water_problem(), &team, d(10, 8)).unwrap();
    // no evidence
    let r = p
        .apply(
            ProblemAction::Rectify {
                done: "已修".into(),
                evidence: vec![],
            },
            &team,
            d(10, 9),
        )
        .unwrap_err();
    assert_eq!(r.code, RefusalCode::EvidenceRequired);
    // a malformed attachment
    let mut bad = photo();
    bad.sha256 = "xyz".into();
    let r = p
        .apply(
            ProblemAction::Rectify {
                done: "已修".into(),
                evidence: vec![bad],
            },
            &team,
            d(10, 9),
        )
        .unwrap_err();
    assert_eq!(r.code, RefusalCode::InvalidInput);
    // closing before any rectification
    assert_eq!(
        p.apply(accept(), &town, d(10, 9)).unwrap_err().code,
        RefusalCode::OutOfOrder
    );
    // the village team may not close
    let p = p.apply(rectify(), &team, d(10, 20)).unwrap();
    assert_eq!(
        p.apply(accept(), &team, d(10, 21)).unwrap_err().code,
        RefusalCode::RoleNotAllowed
    );
    // dated before the last step; blank opinion
    assert_eq!(
        p.apply(accept(), &town, d(10, 19)).unwrap_err().code,
        RefusalCode::DateOrder
    );
    let blank = ProblemAction::Accept {
        opinion: " ".into(),
    };
    assert_eq!(
        p.apply(blank, &town, d(10, 21)).unwrap_err().code,
        RefusalCode::InvalidInput
    );
}

fn any_action() -> impl Strategy<Value = (ProblemAction, Role, u32)> {
    let action = prop_oneof![
        Just(rectify()),
        Just(ProblemAction::Rectify {
            done: "x".into(),
            evidence: vec![]
        }),
        Just(accept()),
    ];
    (
        action,
        proptest::sample::select(Role::ALL.to_vec()),
        0u32..40,
    )
}

proptest! {
    /// Whatever is tried in whatever order: a refusal leaves the problem as it was; a problem is
    /// closed only after a rectification with evidence; nothing follows the closing.
    #[test]
    fn no_step_skipped_and_refusals_change_nothing(actions in proptest::collection::vec(any_action(), 0..12)) {
        let mut p = Problem::find(water_problem(), &actor(Role::VillageTeam), d(10, 1)).unwrap();
        for (action, role, day) in actions {
            let before = p.clone();
            let on = d(10, 1) + chrono::Days::new(u64::from(day));
            match p.apply(action, &actor(role), on) {
                Ok(next) => {
                    prop_assert!(before.status() != ProblemStatus::Closed);
                    if next.status() == ProblemStatus::Closed {
                        prop_assert!(next.steps.iter().all(|s| !s.evidence.is_empty()));
                        prop_assert!(!next.steps.is_empty());
                        prop_assert!(ACCEPT_ROLES.contains(&role));
                    }
                    prop_assert!(next.last_on() >= before.last_on());
                    p = next;
                }
                Err(_) => prop_assert_eq!(&p, &before),
            }
        }
    }
}

#[test]
fn a_ledger_row_per_problem() {
    let team = actor(Role::VillageTeam);
    let p = Problem::find(water_problem(), &team, d(10, 8))
        .unwrap()
        .apply(rectify(), &team, d(10, 20))
        .unwrap();
    let names = RegionNames {
        county: "兴县".into(),
        township: "圪塔上乡".into(),
        village: "某某村".into(),
        natural_village: String::new(),
    };
    let head = crate::household::tests::household().members[0].clone();
    let row = ledger_row(
        1,
        &p,
        &names,
        Some(&head),
        false,
        NaiveDate::from_ymd_opt(2027, 1, 2).unwrap(),
    );
    assert_eq!(row.len(), LEDGER_COLUMNS.len());
    let text: Vec<String> = row.iter().map(crate::ledger::Value::to_text).collect();
    let at = |h: &str| &text[LEDGER_COLUMNS.iter().position(|c| c.header == h).unwrap()];
    assert_eq!(at("保障类别"), "饮水安全保障");
    assert_eq!(at("责任单位"), "县水利局");
    assert_eq!(
        *at("整改措施"),
        format!("2026-10-20 更换保温水管（{}）", team.name)
    );
    assert_eq!(at("佐证材料"), "入户照片.jpg");
    assert_eq!(
        (at("整改状态").as_str(), at("是否逾期").as_str()),
        ("整改中", "是")
    );
    assert_eq!(at("销号日期"), "");
    assert_eq!(*at("户主身份证号"), head.id_number.masked());
}

#[test]
fn deadline_tasks_per_village_and_month() {
    let team = actor(Role::VillageTeam);
    let town = actor(Role::TownshipAdmin);
    let due = |day: u32| {
        let mut w = water_problem();
        w.deadline = d(11, day);
        Problem::find(w, &team, d(10, 1)).unwrap()
    };
    let closed = |p: Problem, on: u32| {
        p.apply(rectify(), &team, d(10, 2))
            .unwrap()
            .apply(accept(), &town, d(11, on))
            .unwrap()
    };
    let v = |s: &str| s.to_owned();
    // Village A: one closed on the 20th (deadline 15th), one open due the 25th; village B: both closed.
    let problems = vec![
        (v("141123208201"), closed(due(15), 20)),
        (v("141123208201"), due(25)),
        (v("141123208202"), closed(due(10), 5)),
        (v("141123208202"), closed(due(28), 9)),
    ];
    let tasks = deadline_tasks(&problems);
    assert_eq!(tasks.len(), 2);
    let (a, a_done, a_open) = &tasks[0];
    assert_eq!(
        (a.village.as_str(), a.kind),
        ("141123208201", TaskKind::ProblemRectification)
    );
    assert_eq!(
        (a.due_on, *a_done, *a_open),
        (d(11, 25), None, 1),
        "due on the open one's deadline"
    );
    assert_eq!(
        a.status(*a_done, d(11, 26)),
        crate::monitoring::calendar::TaskStatus::Overdue
    );
    let (b, b_done, b_open) = &tasks[1];
    assert_eq!((b.due_on, *b_done, *b_open), (d(11, 28), Some(d(11, 9)), 0));
    assert_eq!(
        b.status(*b_done, d(12, 1)),
        crate::monitoring::calendar::TaskStatus::Done
    );
    assert!(deadline_tasks(&[]).is_empty());
}
