//! 网格化管理 (B6, issue 22) on both databases: the village team sets up its grids (党支部, 网格长, 网格员)
//! and puts the village's households into them — a household moved to another grid leaves the first;
//! refusals (a cadre, another village, a name taken, a bad phone, a household of another village, a stale
//! version) write nothing; phones are masked for a role that does not see personal data; a household of a
//! village with grids but in none is the quality finding Q19 (a village without grids is not flagged);
//! the coverage per village and the 网格台账 follow.

use shouwang_app::assets::Versioned;
use shouwang_app::grids::{self, AssignInput};
use shouwang_app::ledgers::{self, LedgerRequest};
use shouwang_app::{Caller, Kind, households, quality};
use shouwang_core::grid::{GridDraft, GridPerson};
use shouwang_core::{CodeList, Role, Scope};
use shouwang_store::repo;
use shouwang_store::repo::households::HouseholdQuery;
use shouwang_store::repo::registry::RegistryQuery;
use shouwang_store::testing::fixtures::{
    VILLAGE_A1, VILLAGE_A2, actor, audit_count, household, seed_regions,
};
use shouwang_store::{Db, db_test};

fn caller(id: i64, role: Role, area: &str) -> Caller {
    Caller {
        user_id: id,
        name: format!("{}{id}", role.label_zh()),
        scope: Scope::new(id, role, area),
    }
}

fn draft(village: &str, name: &str) -> GridDraft {
    GridDraft {
        village: village.to_owned(),
        name: name.to_owned(),
        branch: "中共某某村支部委员会".to_owned(),
        leader: GridPerson {
            name: "高建军".to_owned(),
            phone: "13834561201".to_owned(),
        },
        members: vec![GridPerson {
            name: "白玉兰".to_owned(),
            phone: "13934561202".to_owned(),
        }],
    }
}

fn put(ids: &[i64], version: Option<i64>) -> AssignInput {
    AssignInput {
        version,
        households: ids.to_vec(),
        remove: false,
    }
}

db_test!(
    fn grids_set_up_households_assigned_once_and_checked(db: Db) {
        seed_regions(&db).await;
        let mut ids = Vec::new();
        for (i, (n, v)) in [
            ("1001", VILLAGE_A1),
            ("1002", VILLAGE_A1),
            ("1003", VILLAGE_A1),
            ("2001", VILLAGE_A2),
        ]
        .iter()
        .enumerate()
        {
            let h = household(n, v, &format!("户主{i}"), 10 + i as u16);
            ids.push(repo::households::create(&db, &actor(), &h).await.unwrap());
        }
        let team = caller(31, Role::VillageTeam, VILLAGE_A1);
        let town = caller(32, Role::TownshipAdmin, "141123100");
        let cadre = caller(33, Role::Cadre, VILLAGE_A1);
        let team2 = caller(34, Role::VillageTeam, VILLAGE_A2);

        // Set up: the village team, its own village only.
        let g1 = grids::create(&db, &team, draft(VILLAGE_A1, "第一网格"))
            .await
            .unwrap();
        let g2 = grids::create(&db, &team, draft(VILLAGE_A1, "第二网格"))
            .await
            .unwrap();
        let audits = audit_count(&db).await;
        let refused = [
            grids::create(&db, &team, draft(VILLAGE_A1, "第一网格")).await,
            grids::create(&db, &cadre, draft(VILLAGE_A1, "第三网格")).await,
            grids::create(&db, &team, draft(VILLAGE_A2, "第三网格")).await,
            grids::create(&db, &town, draft("141123100299", "第三网格")).await,
            grids::create(
                &db,
                &team,
                GridDraft {
                    leader: GridPerson {
                        name: "高建军".into(),
                        phone: "电话号码".into(),
                    },
                    ..draft(VILLAGE_A1, "第三网格")
                },
            )
            .await,
        ];
        let kinds: Vec<Kind> = refused.into_iter().map(|r| r.unwrap_err().kind).collect();
        assert_eq!(
            kinds,
            [
                Kind::Conflict,
                Kind::Forbidden,
                Kind::Forbidden,
                Kind::Invalid,
                Kind::Invalid
            ]
        );
        assert_eq!(audit_count(&db).await, audits, "a refusal writes nothing");

        // Phones: masked for the village team, in full for the township.
        let mine = grids::list(&db, &team, None).await.unwrap();
        assert_eq!(mine.len(), 2);
        assert_eq!(mine[0].leader.phone, "138****1201");
        assert_eq!(mine[0].members[0].phone, "139****1202");
        let full = grids::list(&db, &town, None).await.unwrap();
        assert_eq!(full[0].leader.phone, "13834561201");
        assert!(grids::list(&db, &team2, None).await.unwrap().is_empty());
        assert_eq!(
            grids::show(&db, &team2, g1).await.unwrap_err().kind,
            Kind::NotFound
        );

        // Assign: two households to the first grid, then one of them moved to the second.
        assert_eq!(
            grids::assign(&db, &team, g1, put(&ids[..2], None))
                .await
                .unwrap(),
            2
        );
        assert_eq!(
            grids::assign(&db, &team, g2, put(&ids[1..2], None))
                .await
                .unwrap(),
            1
        );
        let sheet = grids::show(&db, &team, g1).await.unwrap();
        assert_eq!(sheet.grid.households, 1);
        assert_eq!(sheet.households.len(), 3, "every household of the village");
        let grid_of = |i: usize| {
            sheet
                .households
                .iter()
                .find(|h| h.id == ids[i])
                .and_then(|h| h.grid_id)
        };
        assert_eq!(
            (grid_of(0), grid_of(1), grid_of(2)),
            (Some(g1), Some(g2), None)
        );
        assert_eq!(
            grids::show(&db, &team, g2).await.unwrap().grid.households,
            1
        );

        // The grid member of the first grid (网格员, area `<village>/<网格编号>`) reads its grid's households
        // only — list, search by 户编号, name and surname, the household page — and no grid page.
        let first = grids::show(&db, &team, g1).await.unwrap().grid;
        assert_eq!(first.member_area, format!("{VILLAGE_A1}/{}", first.seq));
        let member = caller(35, Role::GridMember, &first.member_area);
        let found = |q: Option<&str>| {
            let query = RegistryQuery {
                base: HouseholdQuery {
                    q: q.map(str::to_owned),
                    ..HouseholdQuery::default()
                },
                ..RegistryQuery::default()
            };
            let (db, member) = (&db, &member);
            async move {
                households::search(db, member, &query, 1, 50)
                    .await
                    .unwrap()
                    .items
                    .into_iter()
                    .map(|r| r.number)
                    .collect::<Vec<_>>()
            }
        };
        assert_eq!(found(None).await, ["1001"]);
        assert_eq!(found(Some("100")).await, ["1001"]);
        assert!(found(Some("1002")).await.is_empty());
        assert_eq!(found(Some("户主0")).await, ["1001"]);
        assert!(found(Some("户主1")).await.is_empty());
        assert!(
            households::show(&db, &member, "1001", false)
                .await
                .unwrap()
                .is_some()
        );
        for other in ["1002", "1003", "2001"] {
            assert!(
                households::show(&db, &member, other, false)
                    .await
                    .unwrap()
                    .is_none()
            );
        }
        assert_eq!(
            grids::list(&db, &member, None).await.unwrap_err().kind,
            Kind::Forbidden
        );
        assert_eq!(
            grids::show(&db, &member, g1).await.unwrap_err().kind,
            Kind::NotFound
        );
        // The grid member of a grid number that does not exist reads nothing.
        let nobody = caller(36, Role::GridMember, &format!("{VILLAGE_A1}/9"));
        assert!(
            households::search(&db, &nobody, &RegistryQuery::default(), 1, 50)
                .await
                .unwrap()
                .items
                .is_empty()
        );

        // Refused, nothing written: a household of another village, a stale version, a cadre.
        let audits = audit_count(&db).await;
        let version = sheet.grid.version;
        let err = grids::assign(&db, &team, g1, put(&[ids[2], ids[3]], Some(version)))
            .await
            .unwrap_err();
        assert_eq!(err.kind, Kind::Invalid);
        assert!(err.zh.contains(&ids[3].to_string()), "{}", err.zh);
        assert_eq!(
            grids::assign(&db, &team, g1, put(&ids[2..3], Some(version - 1)))
                .await
                .unwrap_err()
                .kind,
            Kind::Conflict
        );
        assert_eq!(
            grids::assign(&db, &cadre, g1, put(&ids[2..3], None))
                .await
                .unwrap_err()
                .kind,
            Kind::Forbidden
        );
        assert_eq!(audit_count(&db).await, audits);
        assert_eq!(
            grids::show(&db, &team, g1).await.unwrap().grid.households,
            1
        );

        // Q19: the household of the village with grids in none; not the village without grids.
        let (_, found) = quality::findings(
            &db,
            &actor(),
            None,
            None,
            chrono::Utc::now().date_naive(),
            Some("Q19"),
        )
        .await
        .unwrap();
        let numbers: Vec<&str> = found.iter().map(|h| h.number.as_str()).collect();
        assert_eq!(numbers, ["1003"]);

        // Coverage per village, one grouped read.
        let c = grids::coverage(&db, &town).await.unwrap();
        let per: Vec<(String, i64, i64)> = c
            .villages
            .iter()
            .map(|v| (v.code.clone(), v.households, v.with_grid))
            .collect();
        assert_eq!(
            per,
            [(VILLAGE_A1.to_owned(), 3, 2), (VILLAGE_A2.to_owned(), 1, 0)]
        );
        assert_eq!((c.with_grid, c.households), (2, 4));
        assert_eq!(c.pct, Some(50.0));

        // Change and take out; the version moves on.
        let row = grids::show(&db, &team, g1).await.unwrap().grid;
        let stale = Versioned {
            version: Some(row.version - 1),
            body: draft(VILLAGE_A1, "东片网格"),
        };
        assert_eq!(
            grids::update(&db, &team, g1, stale).await.unwrap_err().kind,
            Kind::Conflict
        );
        let change = Versioned {
            version: Some(row.version),
            body: draft(VILLAGE_A1, "东片网格"),
        };
        grids::update(&db, &team, g1, change).await.unwrap();
        let out = AssignInput {
            remove: true,
            ..put(&ids[..1], None)
        };
        assert_eq!(grids::assign(&db, &team, g1, out).await.unwrap(), 1);
        let after = grids::show(&db, &team, g1).await.unwrap().grid;
        assert_eq!((after.name.as_str(), after.households), ("东片网格", 0));

        // The 网格台账: one row per grid; phones masked for the village team.
        let req = LedgerRequest {
            kind: Some("网格台账".to_owned()),
            ..LedgerRequest::default()
        };
        assert_eq!(ledgers::export(&db, &town, &req).await.unwrap().rows, 2);
        assert_eq!(ledgers::export(&db, &team2, &req).await.unwrap().rows, 0);
    }
);

db_test!(
    fn a_grid_member_follows_up_its_grids_monitored_households_and_reports_risks(db: Db) {
        use shouwang_app::lifecycle::{self, Request};
        use shouwang_app::registers::low_income::{self, VisitInput};
        use shouwang_core::codes::RiskType;
        use shouwang_core::money::Fen;
        use shouwang_core::monitoring::{Command, FollowUp, Lifecycle};
        use shouwang_store::repo::cases::{self, CaseQuery};
        use std::collections::HashSet;

        let county = shouwang_app::demo::generate(400, 7);
        shouwang_app::demo::load(&db, &county, &|_, _| {})
            .await
            .unwrap();
        let user = |name: &'static str| {
            let db = db.clone();
            async move {
                shouwang_app::caller_by_username(&db, name)
                    .await
                    .unwrap()
                    .unwrap()
            }
        };
        let (member, team) = (user("grid_member").await, user("village_team").await);
        let mine: HashSet<String> =
            households::search(&db, &member, &RegistryQuery::default(), 1, 500)
                .await
                .unwrap()
                .items
                .into_iter()
                .map(|r| r.number)
                .collect();

        // Its case list is its grid's monitored households, read by the query (网格化管理, §四(六)).
        let monitored = CaseQuery {
            lifecycle: Some(Lifecycle::Monitored),
            ..CaseQuery::default()
        };
        let its = cases::list(&db, &member.scope, &monitored, 1, 500)
            .await
            .unwrap()
            .items;
        let village = cases::list(&db, &team.scope, &monitored, 1, 500)
            .await
            .unwrap()
            .items;
        assert!(!its.is_empty(), "the demo grid has monitored households");
        assert!(its.iter().all(|r| mine.contains(&r.household_number)));
        assert_eq!(
            its.len(),
            village
                .iter()
                .filter(|r| mine.contains(&r.household_number))
                .count()
        );
        // It records a month's follow-up of its household, not of another grid's (404). A monitored
        // household of the village with a month still missing is put into its grid first (the team).
        let today = shouwang_app::today();
        let rules = shouwang_app::lifecycle::county_rules(&db, "141123")
            .await
            .unwrap();
        let mut due = None;
        for r in &village {
            let rec = cases::get(&db, &team.scope, &r.household_number)
                .await
                .unwrap()
                .unwrap();
            if let Some(m) = rec.case.missing_follow_ups(today, &rules.cadence).first() {
                due = Some((r.household_number.clone(), *m));
                break;
            }
        }
        let (number, month) =
            due.expect("a monitored household of the village with a month missing");
        if !mine.contains(&number) {
            let grid = grids::list(&db, &team, None)
                .await
                .unwrap()
                .into_iter()
                .find(|g| g.member_area == member.scope.area)
                .expect("the grid member's grid");
            let (id, _) = repo::register_records::locate(db.conn(), "141123", &number)
                .await
                .unwrap()
                .unwrap();
            grids::assign(&db, &team, grid.id, put(&[id], None))
                .await
                .unwrap();
        }
        let rec = cases::get(&db, &member.scope, &number)
            .await
            .unwrap()
            .expect("the grid member reads its household's case");
        let on = month.first_day();
        let visit = FollowUp {
            month,
            visited_on: on,
            measures_carried_out: true,
            policies_received: true,
            standards_secure: true,
            household_approves: true,
            per_capita_income_estimate: Fen::from_yuan(9_000),
            notes: String::new(),
            income: None,
        };
        let request = |household: &str, version: i64| Request {
            household: household.to_owned(),
            version: Some(version),
            on: Some(on),
            command: Command::FollowUp {
                visit: visit.clone(),
            },
        };
        let done = lifecycle::execute(&db, &member, request(&number, rec.version))
            .await
            .unwrap();
        assert!(done.record.case.follow_ups.month(month).is_some());
        assert_eq!(done.record.version, rec.version + 1);
        let any_case = CaseQuery::default();
        let outside = cases::list(&db, &team.scope, &any_case, 1, 500)
            .await
            .unwrap()
            .items
            .into_iter()
            .map(|r| r.household_number)
            .find(|n| !mine.contains(n) && *n != number)
            .expect("a household of the village with a case, outside the grid");
        let other = cases::get(&db, &team.scope, &outside)
            .await
            .unwrap()
            .unwrap();
        assert!(
            cases::get(&db, &member.scope, &outside)
                .await
                .unwrap()
                .is_none()
        );
        let err = lifecycle::execute(&db, &member, request(&outside, other.version))
            .await
            .unwrap_err();
        assert!(
            matches!(err, shouwang_store::StoreError::NotFound),
            "{err:?}"
        );

        // Phones in full are a watched read (PIPL, issue 19): the township's list of grids writes one
        // audit row, the village team's (masked) none.
        let town = user("township_admin").await;
        let before = audit_count(&db).await;
        let full = grids::list(&db, &town, None).await.unwrap();
        assert!(full.iter().any(|g| !g.leader.phone.contains('*')));
        assert_eq!(audit_count(&db).await, before + 1);
        let masked = grids::list(&db, &team, None).await.unwrap();
        assert!(
            masked
                .iter()
                .all(|g| g.leader.phone.is_empty() || g.leader.phone.contains('*'))
        );
        assert_eq!(audit_count(&db).await, before + 1);

        // Its 低收入人口 visit that finds a new risk files a 干部排查 clue for the household.
        let today_visit = VisitInput {
            needs: "就医".to_owned(),
            difficulties: "户主突发疾病住院".to_owned(),
            help: "协助申请医疗救助".to_owned(),
            next_step: "下月回访".to_owned(),
            new_risks: vec![RiskType::Illness],
            ..VisitInput::default()
        };
        let list = low_income::list(&db, &team, &Default::default(), today)
            .await
            .unwrap();
        let n = list
            .iter()
            .find(|e| {
                e.month.recorded_on.is_none()
                    && mine.contains(&e.number)
                    && !its.iter().any(|r| r.household_number == e.number)
            })
            .expect("a low-income household of the grid not visited this month")
            .number
            .clone();
        let recorded = low_income::record_visit(&db, &member, &n, &today_visit.visit(today), today)
            .await
            .unwrap();
        assert!(recorded.filed.is_some(), "{n}: the new risk is filed");
        let case = cases::get(&db, &team.scope, &n).await.unwrap().unwrap();
        assert!(case.case.clue_risks().contains(&RiskType::Illness));
    }
);
