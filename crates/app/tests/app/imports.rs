//! `imports::registry` on both databases: a registry import that writes income records is followed by the
//! income review (收支测算比对) of the years it wrote, over the importing user's area, and the result says
//! what it found and filed, or why it did not run; a re-import of an older file does not bring back the
//! members who died or moved out since (原家庭成员).

use chrono::NaiveDate;
use shouwang_app::Caller;
use shouwang_app::households::{Change, ChangeRequest, MemberRef, NewMember, change};
use shouwang_app::imports::registry::review_after_import;
use shouwang_core::codes::{HealthStatus, LabourSkill, Relation};
use shouwang_core::household::changes::{JoinReason, LeaveReason};
use shouwang_core::monitoring::Source;
use shouwang_core::registry::Problem;
use shouwang_core::{IdNumber, Role, Scope};
use shouwang_store::repo::cases;
use shouwang_store::repo::households::{self as store, HouseholdDetail};
use shouwang_store::repo::registry_file::ImportReport;
use shouwang_store::testing::fixtures::{
    VILLAGE_A1, VILLAGE_A2, county_scope, household, id, member, seed_regions,
};
use shouwang_store::{Db, db_test};

use crate::workbook::{self, Family, income, township_admin};

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

/// The income-review sources of the household's cases, with the day each was reported.
async fn reviews_of(db: &Db, number: &str) -> Vec<(i32, NaiveDate)> {
    cases::get(db, &county_scope(), number)
        .await
        .unwrap()
        .map(|r| {
            r.case
                .clues
                .iter()
                .flat_map(|c| c.sources.iter())
                .filter_map(|s| match s.report.source {
                    Source::IncomeReview { year } => Some((year, s.report.reported_on)),
                    _ => None,
                })
                .collect()
        })
        .unwrap_or_default()
}

/// W01 falls by half and below the 2022 line, W02 stays, W03 (2022 only) is below the line after its
/// medical costs, W04 has no income record.
fn families() -> Vec<Family> {
    // Even sequence numbers: the fixture's spouse (sequence + 500) is a woman.
    let f = |n: &str, v: &str, seq: u16, incomes| Family {
        household: household(n, v, &format!("户主{seq}"), seq),
        incomes,
    };
    vec![
        f(
            "W01",
            VILLAGE_A1,
            2,
            vec![income(2021, 2, 10_000, 0), income(2022, 2, 5_000, 0)],
        ),
        f(
            "W02",
            VILLAGE_A1,
            4,
            vec![income(2021, 2, 10_000, 0), income(2022, 2, 9_800, 0)],
        ),
        f("W03", VILLAGE_A2, 6, vec![income(2022, 2, 9_000, 8_000)]),
        f("W04", VILLAGE_A2, 8, vec![]),
    ]
}

db_test!(
    fn an_import_runs_the_income_review_of_the_years_it_wrote(db: Db) {
        seed_regions(&db).await;
        let dir = tempfile::tempdir().unwrap();
        let town = township_admin();
        let on = d(2023, 1, 10);
        let mut fams = families();
        let file = workbook::write(&dir.path().join("蔚汾镇台账.xlsx"), &fams);

        // A dry run writes nothing and reviews nothing.
        let r = workbook::import(&db, Some(&town), &file, on, true).await;
        assert_eq!(r.report.income_years, [2021, 2022]);
        assert_eq!(r.review, Default::default());
        assert!(reviews_of(&db, "W01").await.is_empty());

        let r = workbook::import(&db, Some(&town), &file, on, false).await;
        assert!(r.report.committed && r.report.is_clean(), "{:?}", r.report);
        assert_eq!(r.report.incomes_created, 5);
        assert_eq!(r.report.income_years, [2021, 2022]);
        let years: Vec<_> = r
            .review
            .years
            .iter()
            .map(|s| {
                (
                    s.year,
                    s.households,
                    s.findings,
                    s.clear_drop,
                    s.below_line,
                    s.new_cases,
                )
            })
            .collect();
        assert_eq!(years, [(2021, 2, 0, 0, 0, 0), (2022, 3, 2, 1, 2, 2)]);
        assert_eq!(
            (r.review.findings(), r.review.filed(), r.review.joined()),
            (2, 2, 0)
        );
        assert_eq!(r.review.skipped_zh, None);
        let lines = r.review.lines();
        assert_eq!(lines.len(), 2);
        assert_eq!(
            lines[1].0,
            "2022年收支测算比对：有收支记录 3 户，发现风险 2 户（明显下降 1 户，低于监测线 2 户）；\
             登记线索 2 条（其中新建档案 2 户），并入已有线索 0 条，此前已登记 0 户"
        );
        assert!(
            lines[1].1.starts_with("Income review 2022: 3 households"),
            "{}",
            lines[1].1
        );
        // The clues, dated the day of the import.
        assert_eq!(reviews_of(&db, "W01").await, [(2022, on)]);
        assert_eq!(reviews_of(&db, "W03").await, [(2022, on)]);
        assert!(reviews_of(&db, "W02").await.is_empty());
        assert!(reviews_of(&db, "W04").await.is_empty());

        // The same file again writes no record: nothing to review.
        let r = workbook::import(&db, Some(&town), &file, on, false).await;
        assert!(r.report.income_years.is_empty());
        assert_eq!(r.review, Default::default());
        assert!(r.review.lines().is_empty());

        // W02's 2022 falls by 40 % in a corrected file: only 2022 is reviewed; W01 and W03 were filed before.
        fams[1].incomes[1] = income(2022, 2, 6_000, 0);
        let file = workbook::write(&dir.path().join("蔚汾镇台账（更正）.xlsx"), &fams);
        let r = workbook::import(&db, Some(&town), &file, d(2023, 2, 1), false).await;
        assert_eq!(r.report.incomes_updated, 1);
        assert_eq!(r.report.income_years, [2022]);
        let s = r.review.years[0];
        assert_eq!(
            (s.year, s.findings, s.new_cases, s.already_present),
            (2022, 3, 1, 2),
            "{s:?}"
        );
        assert_eq!(reviews_of(&db, "W02").await, [(2022, d(2023, 2, 1))]);

        // As the system (no user): imported, the review skipped with the reason.
        fams[1].incomes[0] = income(2021, 2, 10_500, 0);
        let file = workbook::write(&dir.path().join("系统导入.xlsx"), &fams);
        let r = workbook::import(&db, None, &file, on, false).await;
        assert!(r.report.committed);
        assert_eq!(r.report.income_years, [2021]);
        assert!(r.review.years.is_empty());
        let why = r.review.skipped_zh.clone().unwrap_or_default();
        assert!(why.contains("未运行收支测算比对（2021年）"), "{why}");
        assert_eq!(r.review.lines().len(), 1);
    }
);

db_test!(
    fn a_role_that_may_not_file_the_review_is_told_so(db: Db) {
        seed_regions(&db).await;
        let report = ImportReport {
            committed: true,
            income_years: vec![2022],
            ..ImportReport::default()
        };
        let dept = Caller {
            user_id: 5,
            name: "县医保局数据员".to_owned(),
            scope: Scope::new(5, Role::Department, "141123"),
        };
        let r = review_after_import(&db, Some(&dept), &report, d(2023, 1, 10)).await;
        assert!(r.years.is_empty());
        assert!(
            r.skipped_zh
                .as_deref()
                .is_some_and(|s| s.contains("部门数据员不能登记收支测算比对线索")),
            "{r:?}"
        );
        assert!(
            r.skipped_en
                .as_deref()
                .is_some_and(|s| s.contains("may not record income-review clues")),
            "{r:?}"
        );
        // A report that committed nothing has nothing to review.
        let town = township_admin();
        let none = review_after_import(
            &db,
            Some(&town),
            &ImportReport {
                income_years: vec![2022],
                ..ImportReport::default()
            },
            d(2023, 1, 10),
        )
        .await;
        assert_eq!(none, Default::default());
    }
);

// ------------------------------------------------------------------------------------------------
// A re-import does not bring back departed members (原家庭成员).

const D1: &str = "1411231002010101";
const D2: &str = "1411231002010102";
const D3: &str = "1411231002010103";
const D4: &str = "1411231002010104";

async fn change_household(db: &Db, number: &str, c: Change) {
    let team = Caller {
        user_id: 21,
        name: "村专班李四".to_owned(),
        scope: Scope::new(21, Role::VillageTeam, VILLAGE_A1),
    };
    let version = detail(db, number).await.version;
    change(
        db,
        &team,
        ChangeRequest {
            household: number.to_owned(),
            version,
            change: c,
        },
    )
    .await
    .unwrap_or_else(|e| panic!("{number}: {}", e.zh));
}

async fn detail(db: &Db, number: &str) -> HouseholdDetail {
    store::get(db, &county_scope(), number)
        .await
        .unwrap()
        .unwrap()
}

fn day(y: i32, m: u32, dd: u32) -> Option<NaiveDate> {
    Some(d(y, m, dd))
}

db_test!(
    fn a_reimport_does_not_bring_back_departed_members(db: Db) {
        seed_regions(&db).await;
        let dir = tempfile::tempdir().unwrap();
        // D1: head, spouse and a son; D2: head and spouse; D3: head, spouse and a daughter; D4: two people.
        let mut d1 = household(D1, VILLAGE_A1, "李大山", 30);
        let son = member(id(33, 2000), "李小军", Relation::Son);
        d1.members.push(son.clone());
        let d2 = household(D2, VILLAGE_A1, "王老汉", 32);
        let mut d3 = household(D3, VILLAGE_A1, "赵文", 34);
        let daughter = member(id(38, 2001), "赵小红", Relation::Daughter);
        d3.members.push(daughter.clone());
        let d4 = household(D4, VILLAGE_A1, "孙武", 36);
        let family = |h: &shouwang_core::Household| Family {
            household: h.clone(),
            incomes: vec![],
        };
        let old = vec![family(&d1), family(&d2), family(&d3), family(&d4)];
        let file = workbook::write(&dir.path().join("2023年台账.xlsx"), &old);
        let town = township_admin();
        let r = workbook::import(&db, Some(&town), &file, d(2023, 1, 10), false).await;
        assert!(r.report.committed && r.report.is_clean(), "{:?}", r.report);

        // Since then: D1's son moved out; D2's head died (his wife is the head now); D3's daughter moved out
        // and came back.
        let leave = |who: IdNumber, reason, on| Change::Leave {
            member: MemberRef::IdNumber(who),
            reason,
            on,
        };
        change_household(
            &db,
            D1,
            leave(son.id_number, LeaveReason::MovedOut, day(2024, 3, 2)),
        )
        .await;
        let (old_head, wife) = (d2.members[0].id_number, d2.members[1].id_number);
        change_household(
            &db,
            D2,
            Change::ChangeHead {
                member: MemberRef::IdNumber(wife),
                former_head_becomes: Relation::Spouse,
            },
        )
        .await;
        change_household(
            &db,
            D2,
            leave(old_head, LeaveReason::Death, day(2024, 5, 1)),
        )
        .await;
        change_household(
            &db,
            D3,
            leave(daughter.id_number, LeaveReason::MovedOut, day(2023, 6, 1)),
        )
        .await;
        change_household(
            &db,
            D3,
            Change::AddMember(NewMember {
                reason: JoinReason::MovedIn,
                on: day(2024, 1, 10),
                id_number: daughter.id_number.to_string(),
                name: daughter.name.clone(),
                sex: None,
                relation: Relation::Daughter,
                labour: LabourSkill::Ordinary,
                health: vec![HealthStatus::Healthy],
                education: daughter.education,
                school: None,
                political: None,
                has_medical_insurance: true,
                dibao: None,
                tekun: None,
                disability_grade: None,
            }),
        )
        .await;
        let d2_before = detail(&db, D2).await;

        // The older file again, in which D1's wife now counts as weak labour.
        let mut again = old.clone();
        again[0].household.members[1].labour = LabourSkill::Weak;
        let file = workbook::write(&dir.path().join("2023年台账（旧）.xlsx"), &again);
        let r = workbook::import(&db, Some(&town), &file, d(2024, 6, 1), false).await;
        let report = &r.report;
        assert!(report.committed, "{report:?}");
        // 家庭成员 rows: D1 2–4 (the son on 4), D2 5–6 (the old head on 5), D3 7–9, D4 10–11.
        let departed: Vec<&Problem> = report
            .problems
            .iter()
            .filter(|p| p.column == "身份证号")
            .collect();
        assert_eq!(
            departed,
            [
                &Problem {
                    sheet: "家庭成员".to_owned(),
                    row: 4,
                    column: "身份证号".to_owned(),
                    value: son.id_number.to_string(),
                    reason_zh:
                        "该成员已于2024-03-02标记为迁出，不再导入；如需恢复请在农户页面添加成员"
                            .to_owned(),
                    reason_en:
                        "this member was recorded as moved out on 2024-03-02 and is not imported \
                                again; to restore them, add the member on the household page"
                            .to_owned(),
                },
                &Problem {
                    sheet: "家庭成员".to_owned(),
                    row: 5,
                    column: "身份证号".to_owned(),
                    value: old_head.to_string(),
                    reason_zh:
                        "该成员已于2024-05-01标记为死亡，不再导入；如需恢复请在农户页面添加成员"
                            .to_owned(),
                    reason_en:
                        "this member was recorded as dead on 2024-05-01 and is not imported \
                                again; to restore them, add the member on the household page"
                            .to_owned(),
                },
            ]
        );
        // D2 without its old head has no 户主 in the file: rejected as a whole, left as it was.
        let others: Vec<&Problem> = report
            .problems
            .iter()
            .filter(|p| p.column != "身份证号")
            .collect();
        assert_eq!(others.len(), 1, "{others:?}");
        assert_eq!((others[0].sheet.as_str(), others[0].row), ("户信息", 3));
        assert!(others[0].reason_zh.contains("户主"), "{:?}", others[0]);
        assert_eq!(report.rejected_households, 1);
        assert_eq!(detail(&db, D2).await, d2_before);
        // D1 keeps its two members, the wife's change taken; the son stays a former member.
        assert_eq!(
            (
                report.households_updated,
                report.households_unchanged,
                report.members_added,
                report.members_updated,
                report.members_removed
            ),
            (1, 2, 0, 1, 0)
        );
        let now = detail(&db, D1).await;
        let ids: Vec<IdNumber> = now.household.members.iter().map(|m| m.id_number).collect();
        assert_eq!(ids, [d1.members[0].id_number, d1.members[1].id_number]);
        assert_eq!(now.household.members[1].labour, LabourSkill::Weak);
        assert_eq!(now.former_members.len(), 1);
        assert_eq!(now.former_members[0].member.id_number, son.id_number);
        // D3's daughter, back since January, is a member as the file says: matched, not refused.
        assert_eq!(detail(&db, D3).await.household.members.len(), 3);

        // The same file once more: the same refusals, nothing written.
        let r = workbook::import(&db, Some(&town), &file, d(2024, 6, 2), false).await;
        assert!(!r.report.committed);
        assert_eq!(r.report.changes(), 0);
        assert_eq!(r.report.problems, report.problems);
        assert_eq!(detail(&db, D1).await, now);
    }
);
