//! Tests of the case: whole journeys from a clue to the notice, the lifecycle
//! rules of [`Case::apply`], scope, and invariants over random action sequences.

use chrono::NaiveDate;

use crate::access::Role;
use crate::access::Scope;
use crate::codes::{CodeList, MeasureClass, RiskType};
use crate::codes::{Dibao, EliminationMode, MonitoredType};
use crate::household::Household;
use crate::household::tests::household;
use crate::money::Fen;
use crate::monitoring::cadre::tests::cadre;
use crate::monitoring::clue::tests::application;
use crate::monitoring::exit::tests::{check, meeting};
use crate::monitoring::followup::tests::visit;
use crate::monitoring::identification::tests::{actor, pass_action};
use crate::monitoring::measures::tests::{evidence, plan};
use crate::monitoring::verification::tests::income;
use crate::monitoring::*;
use crate::region::RegionCode;
use proptest::prelude::*;

fn d(m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2022, m, day).unwrap()
}

fn village() -> RegionCode {
    RegionCode::parse("141123100201").unwrap()
}

fn team() -> Actor {
    actor(Role::VillageTeam)
}

const LINE: Fen = Fen::from_yuan(6500);

fn opened() -> Case {
    let r = application("1411231002010001", vec![RiskType::Illness], d(1, 3));
    Case::open(r, village(), &team(), d(1, 3)).unwrap()
}

/// The identification dates: started 01-04, entered 01-17.
fn ident_dates() -> [NaiveDate; 8] {
    [
        d(1, 4),
        d(1, 5),
        d(1, 6),
        d(1, 7),
        d(1, 12),
        d(1, 13),
        d(1, 14),
        d(1, 17),
    ]
}

fn identified() -> Case {
    let mut c = opened()
        .apply(
            CaseAction::StartIdentification {
                rules: IdentificationRules::default(),
            },
            &team(),
            d(1, 4),
        )
        .unwrap();
    for (step, on) in IdentStep::ALL.iter().zip(ident_dates()) {
        let action = CaseAction::Identify {
            action: pass_action(*step, on),
        };
        c = c.apply(action, &actor(step.roles()[0]), on).unwrap();
    }
    c
}

/// Entered, a cadre, a delivered public-welfare post, follow-ups Feb–Aug.
fn assisted() -> Case {
    let mut c = identified()
        .apply(
            CaseAction::Cadre {
                action: CadreAction::Assign { cadre: cadre(7) },
            },
            &team(),
            d(1, 18),
        )
        .unwrap()
        .apply(
            CaseAction::PlanMeasure {
                plan: plan(MeasureClass::PublicWelfarePost),
            },
            &team(),
            d(1, 20),
        )
        .unwrap()
        .apply(
            CaseAction::PlanMeasure {
                plan: plan(MeasureClass::Health),
            },
            &team(),
            d(1, 20),
        )
        .unwrap()
        .apply(
            CaseAction::UpdateMeasure {
                index: 0,
                action: MeasureAction::Complete {
                    evidence: evidence(),
                },
            },
            &actor(Role::Cadre),
            d(2, 15),
        )
        .unwrap();
    for m in 2..=8 {
        let ym = YearMonth::new(2022, m).unwrap();
        c = c
            .apply(
                CaseAction::FollowUp {
                    visit: visit(ym, 7000),
                },
                &actor(Role::Cadre),
                ym.day_clamped(12),
            )
            .unwrap();
    }
    c
}

fn nominate(h: &Household) -> CaseAction {
    CaseAction::NominateExit {
        household: Box::new(h.clone()),
        line: LINE,
        latest_income: Some(income(7000, 2)),
        rules: Box::default(),
        open_problems: vec![],
    }
}

fn exit_steps(mut c: Case, categories: Vec<DeferredCategory>) -> Case {
    let steps = [
        (
            ExitAction::DecideAtMeeting {
                meeting: meeting(d(9, 16)),
                decision: Decision::pass("同意"),
            },
            d(9, 16),
        ),
        (
            ExitAction::CheckHousehold {
                check: Box::new(check(d(9, 20))),
                opinion: "四查达标".into(),
            },
            d(9, 20),
        ),
        (
            ExitAction::Appraise {
                meeting: meeting(d(9, 26)),
                decision: Decision::pass("评议通过"),
                mode: EliminationMode::Assisted,
                categories,
                blockers: vec![],
            },
            d(9, 26),
        ),
    ];
    for (a, on) in steps {
        c = c
            .apply(CaseAction::Exit { action: a }, &team(), on)
            .unwrap();
    }
    c
}

#[test]
fn from_application_to_exit_notice() {
    let c = opened();
    assert_eq!(c.lifecycle(), Lifecycle::Clue);
    assert!(!c.assistance_allowed());
    // a department report 10 days later merges into the same clue
    let dept = Report {
        source: Source::DepartmentScreening {
            department: "县医保局".into(),
            file: "1月医保.csv".into(),
            round: None,
        },
        reporter: "医保局".into(),
        ..application("1411231002010001", vec![RiskType::Illness], d(1, 3))
    };
    let c2 = c
        .apply(
            CaseAction::Report {
                report: dept,
                rules: ClueRules::default(),
            },
            &actor(Role::Department),
            d(1, 3),
        )
        .unwrap();
    assert_eq!(c2.clues.len(), 1);
    assert_eq!(c2.clues[0].sources.len(), 2);

    let c = c
        .apply(
            CaseAction::StartIdentification {
                rules: IdentificationRules::default(),
            },
            &team(),
            d(1, 4),
        )
        .unwrap();
    assert_eq!(c.lifecycle(), Lifecycle::Identifying);
    assert_eq!(
        c.identification.as_ref().unwrap().clue_risks,
        [RiskType::Illness]
    );

    let c = identified();
    assert_eq!(c.lifecycle(), Lifecycle::Monitored);
    assert_eq!(c.monitored_since(), Some(d(1, 17)));
    assert!(c.needs_cadre());

    let c = assisted();
    assert!(!c.needs_cadre());
    assert!(
        c.missing_follow_ups(d(9, 1), &CadenceRules::default())
            .is_empty()
    );
    assert_eq!(
        c.missing_follow_ups(d(10, 1), &CadenceRules::default()),
        [YearMonth::new(2022, 9).unwrap()]
    );

    // the quarterly pre-judgment proposes it
    let h = household();
    let p = c
        .prejudge(
            &h,
            LINE,
            Some(income(7000, 2)),
            &[],
            &ExitRules::default(),
            d(9, 15),
        )
        .unwrap();
    assert!(p.proposed(), "{:?}", p.unmet);

    // … but not while the registry shows a 13-year-old out of school, though the follow-ups say
    // "secure" (issue 22): E03 names the child, and the nomination is refused
    let mut dropout = h.clone();
    let mut kid = crate::household::tests::member(
        NaiveDate::from_ymd_opt(2009, 3, 1).unwrap(),
        33,
        crate::codes::Relation::Son,
    );
    kid.school = None;
    dropout.members.push(kid);
    let p = c
        .prejudge(
            &dropout,
            LINE,
            Some(income(7000, 2)),
            &[],
            &ExitRules::default(),
            d(9, 15),
        )
        .unwrap();
    let unmet: Vec<&str> = p.unmet.iter().map(|u| u.condition.code()).collect();
    assert_eq!(unmet, ["E03"]);
    assert!(
        p.unmet[0].detail_zh.contains("成员33（13周岁）"),
        "{}",
        p.unmet[0].detail_zh
    );
    let r = c.apply(nominate(&dropout), &team(), d(9, 15)).unwrap_err();
    assert_eq!(r.code, RefusalCode::NotEligible);
    // … nor with an open problem of the problem ledger
    let open = crate::monitoring::problem::tests::water_problem();
    let open = Problem::find(open, &team(), d(9, 1))
        .unwrap()
        .blocker()
        .unwrap();
    let mut with_problem = nominate(&h);
    if let CaseAction::NominateExit { open_problems, .. } = &mut with_problem {
        open_problems.push(open);
    }
    let r = c.apply(with_problem, &team(), d(9, 15)).unwrap_err();
    assert_eq!(r.code, RefusalCode::NotEligible);
    assert!(
        r.message_zh
            .contains("饮水安全保障问题未解决：入户水管冬季冻裂"),
        "{}",
        r.message_zh
    );

    let c = c.apply(nominate(&h), &team(), d(9, 15)).unwrap();
    assert!(c.current_exit().is_some());
    assert!(
        c.prejudge(&h, LINE, None, &[], &ExitRules::default(), d(9, 15))
            .is_none()
    );
    let c = exit_steps(c, vec![]);
    assert_eq!(c.lifecycle(), Lifecycle::Eliminated);
    assert_eq!(c.eliminated_on(), Some(d(9, 26)));
    let c = c
        .apply(
            CaseAction::Exit {
                action: ExitAction::IssueNotice {
                    sequence: 3,
                    addressee: "张三".into(),
                    village: "圪塔上乡某某村".into(),
                    committee: "某某村村民委员会".into(),
                },
            },
            &team(),
            d(9, 28),
        )
        .unwrap();
    let notice = c.exits[0].notice().unwrap();
    assert_eq!(notice.number, "兴县圪塔上乡〔2022〕告字第3号");
    assert!(c.current_exit().is_none());
    // after elimination the cadre may be released
    let c = c
        .apply(
            CaseAction::Cadre {
                action: CadreAction::Release {
                    reason: "风险已消除".into(),
                },
            },
            &team(),
            d(9, 30),
        )
        .unwrap();
    assert!(c.cadres.current().is_none() && !c.needs_cadre());

    // the handbook is ordered and complete
    let hb = c.handbook();
    assert!(hb.windows(2).all(|w| w[0].on <= w[1].on));
    let titles: Vec<&str> = hb.iter().map(|e| e.title_zh.as_str()).collect();
    assert_eq!(titles[0], "发现线索（农户申请）");
    assert_eq!(titles[1], "启动识别");
    assert!(titles.contains(&"县级审定：通过"));
    assert!(titles.contains(&"2022年5月跟踪监测"));
    assert!(titles.contains(&"措施已完成：公益岗位—光伏公益岗位"));
    assert!(titles.contains(&"风险消除（帮扶消除）"));
    assert_eq!(*titles.last().unwrap(), "帮扶责任人干部7结束帮扶");
    let approval = hb.iter().find(|e| e.title_zh == "县级审定：通过").unwrap();
    assert!(approval.detail_zh.contains("突发严重困难户") && approval.detail_zh.contains("因病"));
    assert_eq!(
        approval.actor.as_deref(),
        Some("县级管理员甲（县级管理员）")
    );
    assert!(
        hb.iter()
            .any(|e| e.detail_zh == "兴县圪塔上乡〔2022〕告字第3号")
    );
    assert_eq!(
        hb.iter().filter(|e| e.section == Section::FollowUp).count(),
        7
    );

    // quality context
    let q = c.quality_context(LINE);
    assert_eq!(q.identified_on, Some(d(1, 17)));
    assert_eq!(q.developmental_measure_on, Some(d(2, 15)));
    assert_eq!(q.eliminated_on, Some(d(9, 26)));
    assert_eq!(q.latest_per_capita, Some(Fen::from_yuan(7000)));
    assert_eq!(
        q.measures,
        [MeasureClass::PublicWelfarePost, MeasureClass::Health]
    );
    assert!(q.guarantee_problems.is_empty());
    let mut hh = household();
    hh.monitored_type = Some(MonitoredType::SuddenHardship);
    hh.risks = vec![RiskType::Illness];
    assert!(
        crate::quality::check_household(&hh, d(10, 1), &q)
            .iter()
            .all(|f| !f.code.starts_with("Q0"))
    );

    // a closed case takes no new report
    let r = c
        .apply(
            CaseAction::Report {
                report: application("1411231002010001", vec![RiskType::Illness], d(10, 1)),
                rules: ClueRules::default(),
            },
            &team(),
            d(10, 1),
        )
        .unwrap_err();
    assert_eq!(r.code, RefusalCode::Finished);
}

#[test]
fn deferred_then_eliminated() {
    let mut h = household();
    h.members[1].dibao = Dibao::Rural;
    let c = assisted().apply(nominate(&h), &team(), d(9, 15)).unwrap();
    let c = exit_steps(c, DeferredCategory::of(&h));
    assert_eq!(c.lifecycle(), Lifecycle::Deferred);
    assert!(c.lifecycle().is_monitored() && c.assistance_allowed());
    // still monitored: follow-ups go on, the cadre stays
    let c = c
        .apply(
            CaseAction::FollowUp {
                visit: visit(YearMonth::new(2022, 9).unwrap(), 7000),
            },
            &actor(Role::Cadre),
            d(9, 28),
        )
        .unwrap();
    let r = c
        .apply(
            CaseAction::Cadre {
                action: CadreAction::Release {
                    reason: "缓退".into(),
                },
            },
            &team(),
            d(9, 28),
        )
        .unwrap_err();
    assert_eq!(r.code, RefusalCode::WrongState);
    // no notice for a deferred exit
    let r = c
        .apply(
            CaseAction::Exit {
                action: ExitAction::IssueNotice {
                    sequence: 1,
                    addressee: "张三".into(),
                    village: "村".into(),
                    committee: "村委".into(),
                },
            },
            &team(),
            d(9, 28),
        )
        .unwrap_err();
    assert_eq!(r.code, RefusalCode::WrongState);
    // next quarter, 低保 ended: a new exit eliminates the risk
    h.members[1].dibao = Dibao::None;
    let mut c = c;
    for m in 10..=11 {
        let ym = YearMonth::new(2022, m).unwrap();
        c = c
            .apply(
                CaseAction::FollowUp {
                    visit: visit(ym, 7000),
                },
                &actor(Role::Cadre),
                ym.day_clamped(12),
            )
            .unwrap();
    }
    let c = c.apply(nominate(&h), &team(), d(12, 15)).unwrap();
    assert_eq!(
        c.lifecycle(),
        Lifecycle::Deferred,
        "deferred while the new exit runs"
    );
    let mut c = c;
    for (a, on) in [
        (
            ExitAction::DecideAtMeeting {
                meeting: meeting(d(12, 15)),
                decision: Decision::pass(""),
            },
            d(12, 15),
        ),
        (
            ExitAction::CheckHousehold {
                check: Box::new(check(d(12, 18))),
                opinion: String::new(),
            },
            d(12, 18),
        ),
        (
            ExitAction::Appraise {
                meeting: meeting(d(12, 25)),
                decision: Decision::pass(""),
                mode: EliminationMode::Assisted,
                categories: vec![],
                blockers: vec![],
            },
            d(12, 25),
        ),
    ] {
        c = c
            .apply(CaseAction::Exit { action: a }, &team(), on)
            .unwrap();
    }
    assert_eq!(c.lifecycle(), Lifecycle::Eliminated);
    assert_eq!(c.exits.len(), 2);
}

#[test]
fn case_refusals() {
    let team = team();
    let c = opened();
    // steps before their time
    let r = c
        .apply(
            CaseAction::Identify {
                action: pass_action(IdentStep::Verification, d(1, 4)),
            },
            &team,
            d(1, 4),
        )
        .unwrap_err();
    assert_eq!(r.code, RefusalCode::WrongState);
    assert_eq!(r.message_zh, "档案状态为“线索”，不能办理识别步骤");
    let r = c
        .apply(
            CaseAction::PlanMeasure {
                plan: plan(MeasureClass::Industry),
            },
            &team,
            d(1, 4),
        )
        .unwrap_err();
    assert_eq!(r.code, RefusalCode::WrongState);
    let r = c
        .apply(
            CaseAction::Cadre {
                action: CadreAction::Assign { cadre: cadre(1) },
            },
            &team,
            d(1, 4),
        )
        .unwrap_err();
    assert_eq!(r.code, RefusalCode::WrongState);
    let r = c
        .apply(
            CaseAction::FollowUp {
                visit: visit(YearMonth::new(2022, 1).unwrap(), 1),
            },
            &team,
            d(1, 20),
        )
        .unwrap_err();
    assert_eq!(r.code, RefusalCode::WrongState);
    let r = c
        .apply(nominate(&household()), &team, d(9, 15))
        .unwrap_err();
    assert_eq!(r.code, RefusalCode::WrongState);
    let r = c
        .apply(
            CaseAction::Exit {
                action: ExitAction::Withdraw { reason: "x".into() },
            },
            &team,
            d(9, 15),
        )
        .unwrap_err();
    assert_eq!(r.code, RefusalCode::WrongState);
    let r = c
        .apply(
            CaseAction::UpdateMeasure {
                index: 0,
                action: MeasureAction::Start {
                    note: String::new(),
                },
            },
            &team,
            d(1, 4),
        )
        .unwrap_err();
    assert_eq!(r.code, RefusalCode::NotFound);
    let r = c
        .apply(
            CaseAction::Report {
                report: application("other", vec![RiskType::Illness], d(1, 3)),
                rules: ClueRules::default(),
            },
            &team,
            d(1, 4),
        )
        .unwrap_err();
    assert_eq!(r.code, RefusalCode::InvalidInput);
    // a refusal inside a module comes through unchanged
    let r = c
        .apply(
            CaseAction::StartIdentification {
                rules: IdentificationRules::default(),
            },
            &actor(Role::Cadre),
            d(1, 4),
        )
        .unwrap_err();
    assert_eq!(r.code, RefusalCode::RoleNotAllowed);
    // a second start
    let s = c
        .apply(
            CaseAction::StartIdentification {
                rules: IdentificationRules::default(),
            },
            &team,
            d(1, 4),
        )
        .unwrap();
    let r = s
        .apply(
            CaseAction::StartIdentification {
                rules: IdentificationRules::default(),
            },
            &team,
            d(1, 5),
        )
        .unwrap_err();
    assert_eq!(r.code, RefusalCode::WrongState);
    // monitored: release refused, second nomination refused
    let m = assisted();
    let r = m
        .apply(
            CaseAction::Cadre {
                action: CadreAction::Release { reason: "x".into() },
            },
            &team,
            d(9, 1),
        )
        .unwrap_err();
    assert_eq!(r.code, RefusalCode::WrongState);
    let n = m.apply(nominate(&household()), &team, d(9, 15)).unwrap();
    let r = n
        .apply(nominate(&household()), &team, d(9, 15))
        .unwrap_err();
    assert_eq!(r.code, RefusalCode::Duplicate);
    // an ended identification refuses further steps
    let r = m
        .apply(
            CaseAction::Identify {
                action: pass_action(IdentStep::Enrolment, d(9, 1)),
            },
            &actor(Role::CountyAdmin),
            d(9, 1),
        )
        .unwrap_err();
    assert_eq!(r.code, RefusalCode::Finished);
    // nomination too early: the unmet conditions come back
    let r = identified()
        .apply(nominate(&household()), &team, d(3, 15))
        .unwrap_err();
    assert_eq!(r.code, RefusalCode::NotEligible);
    assert!(r.message_zh.contains("E04"));
}

#[test]
fn green_channel_and_not_included() {
    let r = application("1411231002010001", vec![RiskType::DisasterFlood], d(7, 1));
    let c = Case::open(r, village(), &team(), d(7, 1))
        .unwrap()
        .apply(
            CaseAction::StartIdentification {
                rules: IdentificationRules::default(),
            },
            &team(),
            d(7, 1),
        )
        .unwrap();
    assert!(!c.assistance_allowed());
    let c = c
        .apply(
            CaseAction::Identify {
                action: IdentAction::OpenGreenChannel {
                    reason: "房屋被洪水冲毁".into(),
                },
            },
            &actor(Role::TownshipAdmin),
            d(7, 1),
        )
        .unwrap();
    assert_eq!(c.lifecycle(), Lifecycle::Identifying);
    assert!(c.assistance_allowed() && c.needs_cadre());
    let c = c
        .apply(
            CaseAction::PlanMeasure {
                plan: plan(MeasureClass::SocialSecurity),
            },
            &team(),
            d(7, 2),
        )
        .unwrap()
        .apply(
            CaseAction::Cadre {
                action: CadreAction::Assign { cadre: cadre(3) },
            },
            &team(),
            d(7, 2),
        )
        .unwrap();
    // no follow-ups before entry
    let r = c
        .apply(
            CaseAction::FollowUp {
                visit: visit(YearMonth::new(2022, 7).unwrap(), 1),
            },
            &team(),
            d(7, 20),
        )
        .unwrap_err();
    assert_eq!(r.code, RefusalCode::WrongState);
    // the verification finds the loss covered: not included
    let fail = IdentAction::TownshipReview {
        decision: Decision::fail("x"),
    };
    assert!(
        c.apply(
            CaseAction::Identify { action: fail },
            &actor(Role::TownshipAdmin),
            d(7, 3)
        )
        .is_err()
    );
    let mut v = crate::monitoring::verification::tests::verification(d(7, 3), 9000);
    v.findings = "保险理赔已覆盖损失".into();
    let c = c
        .apply(
            CaseAction::Identify {
                action: IdentAction::Verify {
                    verification: Box::new(v),
                    decision: Decision::fail("理赔后收入高于监测线"),
                },
            },
            &team(),
            d(7, 3),
        )
        .unwrap();
    assert_eq!(c.lifecycle(), Lifecycle::NotIncluded);
    assert!(!c.assistance_allowed());
    // the measure in progress may still be closed, the cadre released
    let c = c
        .apply(
            CaseAction::UpdateMeasure {
                index: 0,
                action: MeasureAction::Cancel {
                    reason: "未纳入监测".into(),
                },
            },
            &team(),
            d(7, 4),
        )
        .unwrap()
        .apply(
            CaseAction::Cadre {
                action: CadreAction::Release {
                    reason: "未纳入监测".into(),
                },
            },
            &team(),
            d(7, 4),
        )
        .unwrap();
    assert!(c.cadres.current().is_none());
    let r = c
        .apply(
            CaseAction::PlanMeasure {
                plan: plan(MeasureClass::Industry),
            },
            &team(),
            d(7, 5),
        )
        .unwrap_err();
    assert_eq!(r.code, RefusalCode::WrongState);
}

#[test]
fn scope() {
    let c = opened();
    assert!(
        c.check_scope(&Scope::new(1, Role::VillageTeam, "141123100201"))
            .is_ok()
    );
    assert!(
        c.check_scope(&Scope::new(1, Role::TownshipAdmin, "141123100"))
            .is_ok()
    );
    let r = c
        .check_scope(&Scope::new(1, Role::VillageTeam, "141123100202"))
        .unwrap_err();
    assert_eq!(r.code, RefusalCode::OutOfArea);
    assert!(r.is_forbidden());
}

#[test]
fn lifecycle_labels() {
    assert_eq!(Lifecycle::ALL.len(), 6);
    assert!(Lifecycle::Deferred.is_monitored() && !Lifecycle::Deferred.is_closed());
    assert!(Lifecycle::NotIncluded.is_closed() && !Lifecycle::Clue.is_monitored());
    assert_eq!(Lifecycle::Monitored.label_zh(), "监测帮扶中");
}

/// A menu of case actions, each valid in some state.
fn menu(i: u8, on: NaiveDate, categories: &[DeferredCategory]) -> (CaseAction, Role) {
    let step_of = |n: usize| IdentStep::ALL[n % IdentStep::ALL.len()];
    match i {
        0 => (
            CaseAction::StartIdentification {
                rules: IdentificationRules::default(),
            },
            Role::VillageTeam,
        ),
        1..=8 => {
            let s = step_of(usize::from(i) - 1);
            (
                CaseAction::Identify {
                    action: pass_action(s, on),
                },
                s.roles()[0],
            )
        }
        9 => (
            CaseAction::Identify {
                action: IdentAction::TownshipReview {
                    decision: Decision::fail("不符合"),
                },
            },
            Role::TownshipAdmin,
        ),
        10 => (
            CaseAction::Cadre {
                action: CadreAction::Assign { cadre: cadre(1) },
            },
            Role::VillageTeam,
        ),
        11 => (
            CaseAction::Cadre {
                action: CadreAction::Reassign {
                    cadre: cadre(2),
                    reason: "调整".into(),
                },
            },
            Role::VillageTeam,
        ),
        12 => (
            CaseAction::Cadre {
                action: CadreAction::Reassign {
                    cadre: cadre(1),
                    reason: "调整".into(),
                },
            },
            Role::TownshipAdmin,
        ),
        13 => (
            CaseAction::Cadre {
                action: CadreAction::Release {
                    reason: "结束".into(),
                },
            },
            Role::VillageTeam,
        ),
        14 => (
            CaseAction::PlanMeasure {
                plan: plan(MeasureClass::Employment),
            },
            Role::VillageTeam,
        ),
        15 => (
            CaseAction::UpdateMeasure {
                index: 0,
                action: MeasureAction::Complete {
                    evidence: evidence(),
                },
            },
            Role::Cadre,
        ),
        16 => (
            CaseAction::FollowUp {
                visit: visit(YearMonth::of(on), 7000),
            },
            Role::Cadre,
        ),
        17 => (nominate(&household()), Role::VillageTeam),
        18 => (
            CaseAction::Exit {
                action: ExitAction::DecideAtMeeting {
                    meeting: meeting(on),
                    decision: Decision::pass(""),
                },
            },
            Role::VillageTeam,
        ),
        19 => (
            CaseAction::Exit {
                action: ExitAction::CheckHousehold {
                    check: Box::new(check(on)),
                    opinion: String::new(),
                },
            },
            Role::VillageTeam,
        ),
        20 => (
            CaseAction::Exit {
                action: ExitAction::Appraise {
                    meeting: meeting(on),
                    decision: Decision::pass(""),
                    mode: EliminationMode::Assisted,
                    categories: categories.to_vec(),
                    blockers: vec![],
                },
            },
            Role::VillageTeam,
        ),
        _ => (
            CaseAction::Exit {
                action: ExitAction::Withdraw {
                    reason: "终止".into(),
                },
            },
            Role::TownshipAdmin,
        ),
    }
}

/// The menu item that moves the case on (what a diligent team does next).
fn natural_move(c: &Case, on: NaiveDate) -> u8 {
    match c.lifecycle() {
        Lifecycle::Clue => 0,
        Lifecycle::Identifying => {
            let next = c
                .identification
                .as_ref()
                .and_then(Identification::next_step);
            next.map_or(0, |s| s.index() as u8 + 1)
        }
        Lifecycle::Monitored | Lifecycle::Deferred => {
            if c.cadres.current().is_none() {
                10
            } else if c.measures.is_empty() {
                14
            } else if !c.measures[0].status.is_final() {
                15
            } else if c.follow_ups.month(YearMonth::of(on)).is_none() {
                16
            } else if let Some(x) = c.current_exit() {
                17 + x.next_step().map_or(0, |s| s.index() as u8)
            } else {
                17
            }
        }
        _ => 13,
    }
}

fn allowed_move(from: Lifecycle, to: Lifecycle) -> bool {
    use Lifecycle::*;
    from == to
        || matches!(
            (from, to),
            (Clue, Identifying)
                | (Identifying, Monitored | NotIncluded)
                | (Monitored, Eliminated | Deferred)
                | (Deferred, Eliminated)
        )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(150))]

    /// Over random case actions: the lifecycle only moves forward along its
    /// edges; never more than one current cadre, and one whenever a cadre was
    /// assigned and the case is still monitored; a refused action leaves the
    /// case unchanged.
    #[test]
    fn case_invariants(
        moves in proptest::collection::vec((proptest::bool::weighted(0.8), 0u8..22, 0u8..10), 0..100),
        dibao in any::<bool>(),
    ) {
        let cats = if dibao { vec![DeferredCategory::Dibao] } else { vec![] };
        let mut c = opened();
        let mut on = d(1, 3);
        let mut ever_assigned = false;
        for (smart, i, advance) in moves {
            on = (on + chrono::Days::new(u64::from(advance))).min(d(12, 31));
            let i = if smart { natural_move(&c, on) } else { i };
            let (action, role) = menu(i, on, &cats);
            let before = c.clone();
            let from = c.lifecycle();
            match c.apply(action, &actor(role), on) {
                Ok(n) => c = n,
                Err(_) => prop_assert_eq!(&c, &before),
            }
            let to = c.lifecycle();
            prop_assert!(allowed_move(from, to), "{:?} -> {:?}", from, to);
            prop_assert!(c.cadres.current_count() <= 1);
            ever_assigned |= c.cadres.current().is_some();
            if ever_assigned && to.is_monitored() {
                prop_assert_eq!(c.cadres.current_count(), 1);
            }
            if matches!(to, Lifecycle::Monitored | Lifecycle::Eliminated | Lifecycle::Deferred) {
                let ident = c.identification.as_ref().unwrap();
                prop_assert_eq!(ident.steps.len(), IdentStep::ALL.len());
            }
            if to == Lifecycle::Eliminated {
                let x = c.exits.last().unwrap();
                prop_assert!(x.steps.len() >= 4);
            }
        }
    }
}
