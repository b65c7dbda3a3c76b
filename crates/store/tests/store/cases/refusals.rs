//! Refused actions, stale versions and the notice counter.

use super::*;

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
