//! Every lifecycle state round-trips; attachments; concurrent notices; pre-judgment.

use super::*;

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
        shouwang_store::repo::income::upsert(
            &db,
            &actor(),
            "P1",
            &income(7000, 2),
            shouwang_core::income::IncomeSource::Manual,
            None,
        )
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
        // No line for the year yet: the latest before it is used (P2 is still not eligible) ...
        let late = cases::NominateRequest {
            on: NaiveDate::from_ymd_opt(2030, 3, 1).unwrap(),
            ..req.clone()
        };
        let e = cases::nominate_exit(&db, &actor(), &sc, "P2", p2.version, &late)
            .await
            .unwrap_err();
        assert_eq!(refused_code(e), RefusalCode::NotEligible);
        assert_eq!(
            cases::line_in_force(&db, "14", 2030).await.unwrap(),
            (Fen::from_yuan(6_500), 2022)
        );
        // ... and with no line at all up to the year: invalid.
        let early = cases::NominateRequest {
            on: NaiveDate::from_ymd_opt(2019, 3, 1).unwrap(),
            ..req.clone()
        };
        let e = cases::nominate_exit(&db, &actor(), &sc, "P2", p2.version, &early)
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
