//! A case from the application to the numbered notice.

use super::*;

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
