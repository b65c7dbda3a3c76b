//! 三保障和饮水安全问题台账 (A6, issue 22) on both databases: a water problem found at a household files a
//! clue, is rectified with an uploaded photo and closed (销号) by the township; refusals (no evidence, a
//! photo never uploaded, closing before a rectification, the village team closing, another village, a
//! stale version); the board by sector, state and overdue; an open problem keeps the household from exit
//! (the exit's inputs carry it until it is closed).

use chrono::NaiveDate;
use shouwang_app::ledgers::{self, LedgerRequest};
use shouwang_app::problems::{self, campaign_round};
use shouwang_app::{Caller, Kind, attachments};
use shouwang_core::codes::Guarantee;
use shouwang_core::monitoring::calendar::{TaskKind, TaskStatus};
use shouwang_core::monitoring::{
    Attachment, NewProblem, ProblemAction, ProblemStatus, ResponsibleUnit, Source,
};
use shouwang_core::{CodeList, RegionCode, Role, Scope};
use shouwang_store::repo::problems::ProblemFilter;
use shouwang_store::repo::{cases, households};
use shouwang_store::testing::fixtures::{
    VILLAGE_A1, VILLAGE_A2, actor, audit_count, household, seed_regions,
};
use shouwang_store::{Db, db_test};

fn d(m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, m, day).unwrap()
}

fn caller(id: i64, role: Role, area: &str) -> Caller {
    Caller {
        user_id: id,
        name: format!("{}{id}", role.label_zh()),
        scope: Scope::new(id, role, area),
    }
}

fn water(number: Option<&str>) -> NewProblem {
    NewProblem {
        village: RegionCode::parse(VILLAGE_A1).unwrap(),
        household: number.map(str::to_owned),
        sector: Guarantee::DrinkingWater,
        found: "入户水管冬季冻裂，用水不便".to_owned(),
        unit: ResponsibleUnit::Water,
        deadline: d(11, 30),
    }
}

db_test!(
    fn a_problem_from_found_to_closed_with_evidence(db: Db) {
        seed_regions(&db).await;
        for h in [
            household("P1", VILLAGE_A1, "户主一", 51),
            household("P9", VILLAGE_A2, "户主九", 59),
        ] {
            households::create(&db, &actor(), &h).await.unwrap();
        }
        let team = caller(61, Role::VillageTeam, VILLAGE_A1);
        let other = caller(62, Role::VillageTeam, VILLAGE_A2);
        let town = caller(63, Role::TownshipAdmin, "141123100");

        // found at P1: the ledger's row and a clue of channel 干部排查
        let n = audit_count(&db).await;
        let found = problems::record(&db, &team, water(Some("P1")), d(10, 8))
            .await
            .unwrap();
        let p = found.problem;
        assert_eq!(
            (p.status, p.version, p.overdue),
            (ProblemStatus::Open, 1, false)
        );
        assert!(found.filed.is_some(), "a household's problem files a clue");
        assert!(audit_count(&db).await > n);
        let case = cases::get(&db, &team.scope, "P1").await.unwrap().unwrap();
        assert!(
            case.case
                .clues
                .iter()
                .any(|c| c.sources.iter().any(|s| matches!(
                    &s.report.source,
                    Source::CadreScreening { round } if *round == campaign_round(d(10, 8))
                )))
        );
        // the open problem is in the exit's inputs (it blocks nomination and appraisal)
        let inputs = cases::exit_inputs(&db, &team.scope, "P1", 2026)
            .await
            .unwrap();
        assert_eq!(inputs.open_problems.len(), 1);
        assert!(inputs.open_problems[0].detail_zh.contains("水管"));

        // another village: 403 for a household there, 404 for its problem
        let e = problems::record(&db, &other, water(Some("P1")), d(10, 8))
            .await
            .unwrap_err();
        assert_eq!(e.kind, Kind::Forbidden);
        let e = problems::record(&db, &team, water(Some("P404")), d(10, 8))
            .await
            .unwrap_err();
        assert_eq!(e.kind, Kind::NotFound);
        let e = problems::show(&db, &other, p.id, d(10, 8))
            .await
            .unwrap_err();
        assert_eq!(e.kind, Kind::NotFound);
        let rectify = |evidence: Vec<Attachment>| ProblemAction::Rectify {
            done: "更换保温水管，恢复供水".to_owned(),
            evidence,
        };
        let e = problems::act(&db, &other, p.id, 1, rectify(vec![]), d(10, 9))
            .await
            .unwrap_err();
        assert_eq!(e.kind, Kind::Forbidden);

        // refusals change nothing: no evidence, a photo never uploaded, closing first
        let n = audit_count(&db).await;
        let e = problems::act(&db, &team, p.id, 1, rectify(vec![]), d(10, 9))
            .await
            .unwrap_err();
        assert_eq!(e.code, "evidence_required", "{e:?}");
        let jpg: &[u8] = b"\xff\xd8\xff\xe0\0\x10JFIF\0\x01\x01\0\0\x01\0\x01\0\0\xff\xd9";
        let photo =
            Attachment::new("水管照片.jpg", &attachments::sha256_hex(jpg), "image/jpeg").unwrap();
        let e = problems::act(&db, &team, p.id, 1, rectify(vec![photo.clone()]), d(10, 9))
            .await
            .unwrap_err();
        assert_eq!(e.kind, Kind::Invalid, "not uploaded: {e:?}");
        let accept = ProblemAction::Accept {
            opinion: "入户查看，供水正常".to_owned(),
        };
        let e = problems::act(&db, &town, p.id, 1, accept.clone(), d(10, 9))
            .await
            .unwrap_err();
        assert_eq!(e.kind, Kind::Conflict, "{e:?}");
        assert_eq!(audit_count(&db).await, n);
        let still = problems::show(&db, &team, p.id, d(10, 9)).await.unwrap();
        assert_eq!((still.status, still.version), (ProblemStatus::Open, 1));

        // rectified with the uploaded photo, then closed by the township
        let dir = tempfile::tempdir().unwrap();
        let files = attachments::FileStore::new(dir.path());
        attachments::upload(&db, &files, &team, "水管照片.jpg", "image/jpeg", jpg)
            .await
            .unwrap();
        let p = problems::act(&db, &team, p.id, 1, rectify(vec![photo]), d(10, 20))
            .await
            .unwrap();
        assert_eq!((p.status, p.version), (ProblemStatus::Rectifying, 2));
        let e = problems::act(&db, &team, p.id, 2, accept.clone(), d(10, 21))
            .await
            .unwrap_err();
        assert_eq!(
            e.kind,
            Kind::Forbidden,
            "the village team does not close: {e:?}"
        );
        let e = problems::act(&db, &town, p.id, 1, accept.clone(), d(10, 21))
            .await
            .unwrap_err();
        assert_eq!(e.kind, Kind::Conflict, "stale version: {e:?}");
        let p = problems::act(&db, &town, p.id, 2, accept, d(10, 21))
            .await
            .unwrap();
        assert_eq!(p.status, ProblemStatus::Closed);
        let a = p.problem.accepted.as_ref().unwrap();
        assert_eq!((a.on, a.by.role), (d(10, 21), Role::TownshipAdmin));
        let inputs = cases::exit_inputs(&db, &team.scope, "P1", 2026)
            .await
            .unwrap();
        assert!(inputs.open_problems.is_empty(), "closed: no longer blocks");
    }
);

db_test!(
    fn the_board_counts_by_sector_state_and_overdue(db: Db) {
        seed_regions(&db).await;
        households::create(&db, &actor(), &household("P1", VILLAGE_A1, "户主一", 51))
            .await
            .unwrap();
        let team = caller(61, Role::VillageTeam, VILLAGE_A1);
        let town = caller(63, Role::TownshipAdmin, "141123100");
        let other = caller(62, Role::VillageTeam, VILLAGE_A2);
        problems::record(&db, &team, water(Some("P1")), d(10, 8))
            .await
            .unwrap();
        let mut village = water(None);
        village.deadline = d(10, 31);
        village.found = "村集中供水点水质检测未开展".to_owned();
        problems::record(&db, &team, village, d(10, 8))
            .await
            .unwrap();
        let mut school = water(Some("P1"));
        school.sector = Guarantee::CompulsoryEducation;
        school.unit = ResponsibleUnit::Education;
        school.found = "随迁子女未落实就读".to_owned();
        problems::record(&db, &team, school, d(10, 9))
            .await
            .unwrap();

        let board = problems::board(&db, &town, None, d(11, 5)).await.unwrap();
        let line = |code: &str| board.iter().find(|l| l.sector == code).unwrap().clone();
        assert_eq!(board.len(), 4);
        let w = line("drinking_water");
        assert_eq!((w.open, w.rectifying, w.closed, w.overdue), (2, 0, 0, 1));
        let e = line("compulsory_education");
        assert_eq!((e.open, e.overdue), (1, 0));
        let overdue = problems::list(
            &db,
            &town,
            &ProblemFilter {
                overdue_on: Some(d(11, 5)),
                ..ProblemFilter::default()
            },
            d(11, 5),
        )
        .await
        .unwrap();
        assert_eq!(overdue.len(), 1);
        assert!(overdue[0].overdue && overdue[0].problem.what.household.is_none());
        // another village sees none of them
        assert!(
            problems::list(&db, &other, &ProblemFilter::default(), d(11, 5))
                .await
                .unwrap()
                .is_empty()
        );
        // 问题整改台账: every problem of the township, none of another village
        let req = LedgerRequest {
            kind: Some("问题整改台账".to_owned()),
            ..LedgerRequest::default()
        };
        let file = ledgers::export(&db, &town, &req).await.unwrap();
        assert_eq!(file.rows, 3);
        assert!(file.name.starts_with("问题整改台账"), "{}", file.name);
        assert_eq!(ledgers::export(&db, &other, &req).await.unwrap().rows, 0);
        // 问题整改 on the calendar: the November deadlines pending (2 open), the village's October one
        // overdue (carried over though before the range); none in another village's.
        let tasks =
            shouwang_app::lifecycle::calendar(&db, &town, None, d(11, 1), d(12, 31), d(11, 5))
                .await
                .unwrap();
        let mut rect: Vec<_> = tasks
            .iter()
            .filter(|t| t.task.kind == TaskKind::ProblemRectification)
            .map(|t| {
                (
                    t.task.village.as_str(),
                    t.task.due_on,
                    t.status,
                    t.outstanding,
                )
            })
            .collect();
        rect.sort();
        assert_eq!(
            rect,
            vec![
                (VILLAGE_A1, d(10, 31), TaskStatus::Overdue, Some(1)),
                (VILLAGE_A1, d(11, 30), TaskStatus::Pending, Some(2)),
            ]
        );
        let theirs =
            shouwang_app::lifecycle::calendar(&db, &other, None, d(11, 1), d(12, 31), d(11, 5))
                .await
                .unwrap();
        assert!(
            theirs
                .iter()
                .all(|t| t.task.kind != TaskKind::ProblemRectification)
        );
        // a department provider reads no registry data
        let dept = caller(64, Role::Department, "141123");
        let e = problems::board(&db, &dept, None, d(11, 5))
            .await
            .unwrap_err();
        assert_eq!(e.kind, Kind::Forbidden);
    }
);

db_test!(
    fn the_demo_village_has_problems_in_every_state(db: Db) {
        let today = shouwang_app::today();
        let county =
            shouwang_app::demo::generate_in(120, 3, shouwang_app::demo::DemoFrame::around(today));
        shouwang_app::demo::load(&db, &county, &|_, _| {})
            .await
            .unwrap();
        let dir = tempfile::tempdir().unwrap();
        let files = attachments::FileStore::new(dir.path());
        let as_of = county.frame.as_of;
        assert_eq!(
            shouwang_app::demo::problems(&db, &files, as_of)
                .await
                .unwrap(),
            4
        );
        let town = shouwang_app::caller_by_username(&db, "township_admin")
            .await
            .unwrap()
            .unwrap();
        let (all, campaign): (Vec<_>, Vec<_>) =
            problems::list(&db, &town, &ProblemFilter::default(), as_of)
                .await
                .unwrap()
                .into_iter()
                .partition(|p| p.problem.what.household.is_none());
        // The demo's quarterly campaign found one household's seasonal water shortage (issue 22, A6).
        assert_eq!(campaign.len(), 1);
        assert_eq!(
            campaign[0].problem.what.sector,
            shouwang_core::codes::Guarantee::DrinkingWater
        );
        let mut states: Vec<(ProblemStatus, bool)> =
            all.iter().map(|p| (p.status, p.overdue)).collect();
        states.sort_by_key(|(s, o)| (s.code(), *o));
        assert_eq!(
            states,
            vec![
                (ProblemStatus::Closed, false),
                (ProblemStatus::Open, false),
                (ProblemStatus::Open, true),
                (ProblemStatus::Rectifying, false),
            ]
        );
        // The closed one's photo: evidence the township may download (not its uploader).
        let closed = all
            .iter()
            .find(|p| p.status == ProblemStatus::Closed)
            .unwrap();
        let photo = &closed.problem.steps[0].evidence[0];
        let (row, bytes) = attachments::download(&db, &files, &town, &photo.sha256)
            .await
            .unwrap();
        assert_eq!(
            (row.media_type.as_str(), bytes.starts_with(b"\x89PNG")),
            ("image/png", true)
        );
        // Village problems: no household is kept from exit, no clue filed.
        assert!(all.iter().all(|p| p.problem.what.household.is_none()));
    }
);
