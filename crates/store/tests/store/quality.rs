//! Data-quality run (数据质量检查) over the registry: a seeded inconsistent household gives its findings,
//! a clean one none; the run keeps to the area.

use chrono::NaiveDate;
use shouwang_core::Role;
use shouwang_core::codes::{LabourSkill, Relation};
use shouwang_store::repo::households;
use shouwang_store::repo::quality;
use shouwang_store::{Db, db_test};

use shouwang_store::testing::fixtures::*;

fn as_of() -> NaiveDate {
    NaiveDate::from_ymd_opt(2022, 6, 30).unwrap()
}

db_test!(
    fn quality_finds_the_inconsistent_household_only(db: Db) {
        seed_regions(&db).await;
        let clean = household("1411231002010001", VILLAGE_A1, "李大山", 2);
        households::create(&db, &actor(), &clean).await.unwrap();
        // A child of 10 recorded as ordinary labour (Q01), the head without medical insurance (Q07).
        let mut bad = household("1411231002020001", VILLAGE_A2, "高二牛", 4);
        bad.members[0].has_medical_insurance = false;
        let mut child = member(id(3, 2012), "高小牛", Relation::Son);
        child.labour = LabourSkill::Ordinary;
        child.school = Some(shouwang_core::codes::SchoolStatus::Primary);
        bad.members.push(child);
        households::create(&db, &actor(), &bad).await.unwrap();

        let (summary, found) = quality::collect(&db, None, None, as_of(), None)
            .await
            .unwrap();
        assert_eq!(summary.households_checked, 2);
        assert_eq!(summary.households_with_findings, 1, "{found:#?}");
        assert_eq!(found.len(), 1);
        let h = &found[0];
        assert_eq!(h.number, "1411231002020001");
        assert_eq!(h.village_name, "高家塔村");
        assert_eq!(h.head_name, "高二牛");
        let codes: Vec<&str> = h.findings.iter().map(|f| f.finding.code).collect();
        assert!(
            codes.contains(&"Q01") && codes.contains(&"Q07"),
            "{codes:?}"
        );
        let q01 = h.findings.iter().find(|f| f.finding.code == "Q01").unwrap();
        assert_eq!(q01.finding.member, Some(id(3, 2012)));
        assert_eq!(q01.member_name.as_deref(), Some("高小牛"));
        assert_eq!(summary.by_code["Q01"].households, 1);
        assert_eq!(summary.by_code["Q07"].findings, 1);
        assert!(summary.errors >= 2);

        // Filter by code: only households with that finding.
        let (_, q07) = quality::collect(&db, None, None, as_of(), Some("Q07"))
            .await
            .unwrap();
        assert_eq!(q07.len(), 1);
        let (_, q10) = quality::collect(&db, None, None, as_of(), Some("Q10"))
            .await
            .unwrap();
        assert!(q10.is_empty());

        // Area: the village team of the clean village sees one household checked and no finding.
        let team = scope(Role::VillageTeam, VILLAGE_A1);
        let (s, found) = quality::collect(&db, Some(&team), None, as_of(), None)
            .await
            .unwrap();
        assert_eq!((s.households_checked, found.len()), (1, 0));
        // An area filter outside the scope reads nothing.
        let (s, _) = quality::collect(&db, Some(&team), Some(VILLAGE_A2), as_of(), None)
            .await
            .unwrap();
        assert_eq!(s.households_checked, 0);
        // The system with an area.
        let (s, found) = quality::collect(&db, None, Some(VILLAGE_A2), as_of(), None)
            .await
            .unwrap();
        assert_eq!((s.households_checked, found.len()), (1, 1));
    }
);
