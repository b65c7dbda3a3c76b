//! Queues, a case after a closed one, the sequence migration, step filters and counts.

use super::*;

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
