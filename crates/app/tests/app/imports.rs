//! `imports::registry`: a registry import that writes income records is followed by the income review
//! (收支测算比对) of the years it wrote, over the importing user's area; the result says what it found and
//! filed, or why it did not run. On both databases.

use chrono::NaiveDate;
use shouwang_app::Caller;
use shouwang_app::imports::registry::review_after_import;
use shouwang_core::monitoring::Source;
use shouwang_core::{Role, Scope};
use shouwang_store::repo::cases;
use shouwang_store::repo::registry_file::ImportReport;
use shouwang_store::testing::fixtures::{
    VILLAGE_A1, VILLAGE_A2, county_scope, household, seed_regions,
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
