//! Duplicate review (重复数据核查): detection of each kind over the database, merges by an admin with
//! audit rows, a stale version refused, a village user refused.

use shouwang_core::codes::{RegionLevel, Relation};
use shouwang_core::duplicates::DuplicateKind;
use shouwang_core::{Region, Role};
use shouwang_store::repo::{duplicates, households, regions};
use shouwang_store::{Actor, Db, StoreError, db_test};

use shouwang_store::testing::fixtures::*;

const OTHER_COUNTY: &str = "141124";
const OTHER_VILLAGE: &str = "141124100201";

async fn seed_other_county(db: &Db) {
    let r = |code: &str, name: &str, level: RegionLevel, parent: Option<&str>| Region {
        code: rc(code),
        name: name.to_owned(),
        level,
        parent: parent.map(rc),
    };
    regions::upsert_many(
        db,
        &Actor::system(),
        &[
            r(OTHER_COUNTY, "临县", RegionLevel::County, None),
            r(
                "141124100",
                "城关镇",
                RegionLevel::Township,
                Some(OTHER_COUNTY),
            ),
            r(
                OTHER_VILLAGE,
                "东村",
                RegionLevel::Village,
                Some("141124100"),
            ),
        ],
    )
    .await
    .unwrap();
}

/// A1: 张伟 (1) and 赵一 (2); A2: N1 and N2 the same family twice (王五, 王五妻; other IDs), and 张玮
/// (4) born the day 张伟 was in A1 — another village, so no D3; A1: 张 玮 (5) in household 0005 — D3
/// with 张伟. Other county: 0009 with 赵一's ID number — D1.
async fn seed(db: &Db) {
    seed_regions(db).await;
    seed_other_county(db).await;
    let mk = |number: &str, village: &str, members: Vec<shouwang_core::Member>| {
        let mut h = household(number, village, "x", 900);
        h.members = members;
        h
    };
    let list = vec![
        mk(
            "1411231002010001",
            VILLAGE_A1,
            vec![member(id(1, 1970), "张伟", Relation::Head)],
        ),
        mk(
            "1411231002010002",
            VILLAGE_A1,
            vec![member(id(2, 1980), "赵一", Relation::Head)],
        ),
        household("1411231002020001", VILLAGE_A2, "王五", 10),
        household("1411231002020002", VILLAGE_A2, "王五", 20),
        mk(
            "1411231002020003",
            VILLAGE_A2,
            vec![member(id(4, 1970), "张玮玮", Relation::Head)],
        ),
        mk(
            "1411231002010005",
            VILLAGE_A1,
            vec![member(id(5, 1970), "张 玮", Relation::Head)],
        ),
    ];
    for h in &list {
        households::create(db, &actor(), h).await.unwrap();
    }
    let mut other = household("1411241002010009", OTHER_VILLAGE, "钱八", 30);
    other
        .members
        .push(member(id(2, 1980), "赵一", Relation::Other));
    households::create(db, &actor(), &other).await.unwrap();
}

db_test!(
    fn duplicates_detects_each_kind(db: Db) {
        seed(&db).await;
        let all = duplicates::list(&db, None, None).await.unwrap();
        let kinds: Vec<(DuplicateKind, &str, &str)> = all
            .iter()
            .map(|r| {
                (
                    r.candidate.kind,
                    r.candidate.a.number.as_str(),
                    r.candidate.b.number.as_str(),
                )
            })
            .collect();
        assert_eq!(
            kinds,
            [
                (
                    DuplicateKind::SamePerson,
                    "1411231002010002",
                    "1411241002010009"
                ),
                (
                    DuplicateKind::SameHousehold,
                    "1411231002020001",
                    "1411231002020002"
                ),
                (
                    DuplicateKind::SimilarPerson,
                    "1411231002010001",
                    "1411231002010005"
                ),
            ],
            "{all:#?}"
        );
        assert!(all.iter().all(|r| r.version_a == 1 && r.version_b == 1));
        // The county admin of 141123 sees no cross-county pair.
        let county = duplicates::list(&db, Some(&county_scope()), None)
            .await
            .unwrap();
        assert_eq!(county.len(), 2);
        // A village team sees its village only.
        let team = scope(Role::VillageTeam, VILLAGE_A1);
        let v = duplicates::list(&db, Some(&team), None).await.unwrap();
        assert_eq!(v.len(), 1);
        assert_eq!(v[0].candidate.kind, DuplicateKind::SimilarPerson);
    }
);

db_test!(
    fn duplicates_merge_is_explicit_versioned_and_audited(db: Db) {
        seed(&db).await;
        let admin = scope(Role::TownshipAdmin, TOWN_A);
        let team = scope(Role::VillageTeam, VILLAGE_A2);
        let (keep, drop) = ("1411231002020001", "1411231002020002");
        let before = audit_count(&db).await;

        // A village user may not merge.
        let e = duplicates::merge_households(&db, &actor(), &team, keep, 1, drop, 1).await;
        assert!(matches!(e, Err(StoreError::Forbidden)), "{e:?}");
        // A stale version is refused, nothing written.
        let e = duplicates::merge_households(&db, &actor(), &admin, keep, 7, drop, 1).await;
        assert!(
            matches!(
                e,
                Err(StoreError::StaleVersion {
                    expected: 7,
                    found: 1
                })
            ),
            "{e:?}"
        );
        let e = duplicates::merge_households(&db, &actor(), &admin, keep, 1, drop, 3).await;
        assert!(matches!(e, Err(StoreError::StaleVersion { .. })), "{e:?}");
        assert_eq!(audit_count(&db).await, before);
        assert!(households::get(&db, &admin, drop).await.unwrap().is_some());

        let out = duplicates::merge_households(&db, &actor(), &admin, keep, 1, drop, 1)
            .await
            .unwrap();
        assert_eq!(
            (out.version, out.members_moved, out.members_dropped),
            (2, 0, 2)
        );
        assert!(households::get(&db, &admin, drop).await.unwrap().is_none());
        let kept = households::get(&db, &admin, keep).await.unwrap().unwrap();
        assert_eq!((kept.version, kept.household.members.len()), (2, 2));
        // Two audit rows: the merge on A (with B in full) and the deletion of B.
        assert_eq!(audit_count(&db).await, before + 2);
        let log = shouwang_store::repo::audit::list(
            &db,
            &county_scope(),
            &shouwang_store::repo::audit::AuditFilter {
                action: Some("merge".into()),
                ..Default::default()
            },
            1,
            10,
        )
        .await
        .unwrap();
        assert_eq!(log.total, 1);
        assert_eq!(log.items[0].entity_id, keep);
        assert_eq!(
            log.items[0].before.as_ref().unwrap()["merged"]["household"]["number"],
            drop
        );
        // The pair is gone from the candidates.
        let left = duplicates::list(&db, Some(&county_scope()), None)
            .await
            .unwrap();
        assert!(
            left.iter()
                .all(|r| r.candidate.kind != DuplicateKind::SameHousehold)
        );

        // Removing a duplicated member record: village user refused, stale refused, then done.
        let other_admin = scope(Role::CountyAdmin, OTHER_COUNTY);
        let other_team = scope(Role::VillageTeam, OTHER_VILLAGE);
        let hh = "1411241002010009";
        let e = duplicates::remove_member(&db, &actor(), &other_team, hh, id(2, 1980), 1).await;
        assert!(matches!(e, Err(StoreError::Forbidden)), "{e:?}");
        let e = duplicates::remove_member(&db, &actor(), &other_admin, hh, id(2, 1980), 5).await;
        assert!(matches!(e, Err(StoreError::StaleVersion { .. })), "{e:?}");
        let n = audit_count(&db).await;
        let v = duplicates::remove_member(&db, &actor(), &other_admin, hh, id(2, 1980), 1)
            .await
            .unwrap();
        assert_eq!(v, 2);
        assert_eq!(audit_count(&db).await, n + 1);
        let h = households::get(&db, &other_admin, hh)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(h.household.members.len(), 2);
        assert!(h.household.member(id(2, 1980)).is_none());
        // The township admin of 141123 cannot touch the other county's household.
        let e = duplicates::remove_member(&db, &actor(), &admin, hh, id(30, 1970), 2).await;
        assert!(matches!(e, Err(StoreError::NotFound)), "{e:?}");
    }
);

db_test!(
    fn a_merge_moves_the_other_sources_of_the_years_it_moves(db: Db) {
        use shouwang_core::income::IncomeSource;
        use shouwang_core::{Fen, IncomeRecord};
        use shouwang_store::repo::income;
        seed(&db).await;
        let admin = scope(Role::TownshipAdmin, TOWN_A);
        let (keep, drop) = ("1411231002020001", "1411231002020002");
        let rec = |year: i32, wage: i64| IncomeRecord {
            year,
            wage: Fen(wage),
            members: 2,
            ..IncomeRecord::default()
        };
        let put = |n: &'static str, r: IncomeRecord, s: IncomeSource, v: Option<i64>| {
            let db = db.clone();
            async move { income::upsert(&db, &actor(), n, &r, s, v).await.unwrap() }
        };
        // B: 2021 and 2022 verified over an import (the imports kept, not counted); A: 2022 only.
        for year in [2021, 2022] {
            put(drop, rec(year, 1), IncomeSource::Import, None).await;
            put(drop, rec(year, 2), IncomeSource::Verification, Some(1)).await;
        }
        put(keep, rec(2022, 9), IncomeSource::Manual, None).await;
        duplicates::merge_households(&db, &actor(), &admin, keep, 1, drop, 1)
            .await
            .unwrap();
        let kept = households::get(&db, &admin, keep).await.unwrap().unwrap();
        let others: Vec<(i32, IncomeSource, i64)> = income::others::of_household(&db, &kept)
            .await
            .unwrap()
            .iter()
            .map(|o| (o.record.year, o.source, o.record.wage.0))
            .collect();
        assert_eq!(
            others,
            [(2021, IncomeSource::Import, 1)],
            "B's 2021 moved with its other source; B's 2022 went with B"
        );
    }
);

mod with_cases {
    //! A merge moves the dropped household's monitoring cases 监测帮扶档案 to the kept one, or refuses when
    //! both have an open case.

    use chrono::NaiveDate;
    use shouwang_core::codes::RiskType;
    use shouwang_core::monitoring::verification::{Authorisation, Signature};
    use shouwang_core::monitoring::{
        Actor as CoreActor, Attachment, CaseAction, Decision, IdentAction, IdentificationRules,
        Lifecycle, Report, Source, Standards, Verification,
    };
    use shouwang_core::{CodeList, Fen, IncomeRecord, Role};
    use shouwang_store::repo::audit::{AuditFilter, list as audit_list};
    use shouwang_store::repo::{cases, duplicates, households};
    use shouwang_store::{Db, StoreError, db_test};

    use shouwang_store::testing::fixtures::*;

    const KEEP: &str = "1411231002010101";
    const DROP: &str = "1411231002020102";

    fn d(m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2022, m, day).unwrap()
    }

    fn by(role: Role) -> CoreActor {
        CoreActor::new(7, "村专班甲", role)
    }

    fn application(number: &str, on: NaiveDate) -> Report {
        Report {
            household: number.to_owned(),
            source: Source::Application {
                applicant: "张三".to_owned(),
                stated_cause: "妻子患病住院，医疗费用高".to_owned(),
                means: shouwang_core::monitoring::clue::ApplicationMeans::Written,
            },
            risks: vec![RiskType::Illness],
            reporter: "张三".to_owned(),
            reported_on: on,
        }
    }

    fn photo() -> Attachment {
        Attachment::new("入户照片.jpg", &"ab".repeat(32), "image/jpeg").unwrap()
    }

    /// A verification that finds the household above the line: the case ends 未纳入 (closed).
    fn failed_verification(on: NaiveDate) -> Verification {
        Verification {
            visited_on: on,
            visitors: vec!["李四".to_owned(), "王五".to_owned()],
            findings: "收入稳定".to_owned(),
            income: Some(IncomeRecord {
                year: 2022,
                wage: Fen::from_yuan(18000),
                members: 2,
                ..IncomeRecord::default()
            }),
            standards: Standards::all_secure(),
            authorisation: Some(Authorisation {
                by: "张三".to_owned(),
                on,
                attachment: Some(photo()),
            }),
            signature: Signature::Signed {
                by: "张三".to_owned(),
                on,
            },
            attachments: vec![photo()],
        }
    }

    async fn open(db: &Db, number: &str, on: NaiveDate) -> cases::CaseRecord {
        let team = county_scope();
        cases::open(
            db,
            &actor(),
            &team,
            application(number, on),
            &by(Role::VillageTeam),
            on,
        )
        .await
        .unwrap()
    }

    /// Opens a case and closes it 未纳入.
    async fn open_and_close(db: &Db, number: &str, on: NaiveDate) -> cases::CaseRecord {
        let rec = open(db, number, on).await;
        let sc = county_scope();
        let rec = cases::apply(db, &actor(), &sc, number, rec.version, |c| {
            c.apply(
                CaseAction::StartIdentification {
                    rules: IdentificationRules::default(),
                },
                &by(Role::VillageTeam),
                on,
            )
        })
        .await
        .unwrap();
        let rec = cases::apply(db, &actor(), &sc, number, rec.version, |c| {
            c.apply(
                CaseAction::Identify {
                    action: IdentAction::Verify {
                        verification: Box::new(failed_verification(on)),
                        decision: Decision::fail("收入高于监测线"),
                    },
                },
                &by(Role::VillageTeam),
                on,
            )
        })
        .await
        .unwrap();
        assert_eq!(rec.lifecycle, Lifecycle::NotIncluded);
        rec
    }

    async fn seed(db: &Db) {
        seed_regions(db).await;
        households::create(db, &actor(), &household(KEEP, VILLAGE_A1, "王五", 10))
            .await
            .unwrap();
        // The same family registered twice, in another village (other ID numbers of the members).
        households::create(db, &actor(), &household(DROP, VILLAGE_A2, "王五", 20))
            .await
            .unwrap();
    }

    async fn version(db: &Db, number: &str) -> i64 {
        households::get(db, &county_scope(), number)
            .await
            .unwrap()
            .unwrap()
            .version
    }

    async fn merge(db: &Db) -> Result<duplicates::MergeOutcome, StoreError> {
        let admin = scope(Role::CountyAdmin, COUNTY);
        let (vk, vd) = (version(db, KEEP).await, version(db, DROP).await);
        duplicates::merge_households(db, &actor(), &admin, KEEP, vk, DROP, vd).await
    }

    db_test!(
        fn the_dropped_households_case_moves_to_the_kept_one(db: Db) {
            seed(&db).await;
            let closed = open_and_close(&db, DROP, d(1, 3)).await;
            let current = open(&db, DROP, d(3, 1)).await;
            assert_eq!((closed.seq, current.seq), (1, 2));
            let out = merge(&db).await.unwrap();
            assert_eq!(out.cases_moved, 2);

            let sc = county_scope();
            let moved = cases::get(&db, &sc, KEEP).await.unwrap().unwrap();
            assert_eq!(moved.id, current.id);
            assert_eq!(moved.household_number, KEEP);
            assert_eq!(moved.village_code, VILLAGE_A1);
            assert_eq!(moved.case.household, KEEP);
            assert_eq!(moved.case.village.as_str(), VILLAGE_A1);
            assert_eq!(moved.lifecycle, Lifecycle::Clue);
            assert_eq!(moved.version, current.version + 1);
            assert_eq!(moved.case.clues, current.case.clues);
            let history = cases::history(&db, &sc, KEEP).await.unwrap();
            assert_eq!(
                history.iter().map(|c| (c.id, c.seq)).collect::<Vec<_>>(),
                vec![(closed.id, 1), (current.id, 2)]
            );
            assert!(cases::history(&db, &sc, DROP).await.unwrap().is_empty());
            // The moved case works on: a new report lands in it.
            let rec = cases::apply(&db, &actor(), &sc, KEEP, moved.version, |c| {
                c.apply(
                    CaseAction::StartIdentification {
                        rules: IdentificationRules::default(),
                    },
                    &by(Role::VillageTeam),
                    d(3, 2),
                )
            })
            .await
            .unwrap();
            assert_eq!(rec.lifecycle, Lifecycle::Identifying);

            // Audit: the merge on KEEP lists the moved cases, one merge_move_case row per case.
            let log = audit_list(
                &db,
                &county_scope(),
                &AuditFilter {
                    action: Some("merge_move_case".into()),
                    ..Default::default()
                },
                1,
                10,
            )
            .await
            .unwrap();
            assert_eq!(log.total, 2);
            assert!(
                log.items
                    .iter()
                    .all(|e| e.entity == "case" && e.entity_id == KEEP)
            );
            assert!(
                log.items
                    .iter()
                    .any(|e| e.before.as_ref().unwrap()["household"] == DROP
                        && e.after.as_ref().unwrap()["seq"] == 2)
            );
            let merge_log = audit_list(
                &db,
                &county_scope(),
                &AuditFilter {
                    action: Some("merge".into()),
                    ..Default::default()
                },
                1,
                10,
            )
            .await
            .unwrap();
            assert_eq!(
                merge_log.items[0].after.as_ref().unwrap()["cases_moved"]
                    .as_array()
                    .unwrap()
                    .len(),
                2
            );
        }
    );

    db_test!(
        fn closed_cases_move_beside_the_kept_households_open_case(db: Db) {
            seed(&db).await;
            let dropped_closed = open_and_close(&db, DROP, d(1, 3)).await;
            let kept_open = open(&db, KEEP, d(2, 1)).await;
            let out = merge(&db).await.unwrap();
            assert_eq!(out.cases_moved, 1);
            let sc = county_scope();
            // The open case stays current; the moved closed one comes before it.
            let current = cases::get(&db, &sc, KEEP).await.unwrap().unwrap();
            assert_eq!(current.id, kept_open.id);
            assert_eq!(current.seq, 2);
            let history = cases::history(&db, &sc, KEEP).await.unwrap();
            assert_eq!(
                history
                    .iter()
                    .map(|c| (c.id, c.seq, c.lifecycle))
                    .collect::<Vec<_>>(),
                vec![
                    (dropped_closed.id, 1, Lifecycle::NotIncluded),
                    (kept_open.id, 2, Lifecycle::Clue)
                ]
            );
            assert_eq!(history[0].case.household, KEEP);
        }
    );

    db_test!(
        fn two_open_cases_are_refused_naming_both(db: Db) {
            seed(&db).await;
            let a = open(&db, KEEP, d(1, 3)).await;
            let b = open(&db, DROP, d(2, 5)).await;
            let audit = audit_count(&db).await;
            let e = merge(&db).await.unwrap_err();
            let StoreError::Conflict { zh: msg, en } = &e else {
                panic!("expected Conflict, got {e:?}");
            };
            assert!(msg.contains("两户都有未结束的监测帮扶档案"), "{msg}");
            assert!(msg.contains(KEEP) && msg.contains(DROP), "{msg}");
            assert!(msg.contains(Lifecycle::Clue.label_zh()), "{msg}");
            assert!(msg.contains("2022-02-05"), "{msg}");
            assert!(en.contains("open monitoring case"), "{en}");
            assert!(en.contains(KEEP) && en.contains(DROP), "{en}");
            assert!(en.contains(Lifecycle::Clue.label_en()), "{en}");
            // Nothing written.
            assert_eq!(audit_count(&db).await, audit);
            let sc = county_scope();
            assert_eq!(cases::get(&db, &sc, KEEP).await.unwrap().unwrap(), a);
            assert_eq!(cases::get(&db, &sc, DROP).await.unwrap().unwrap(), b);
            assert!(households::get(&db, &sc, DROP).await.unwrap().is_some());
        }
    );
}
