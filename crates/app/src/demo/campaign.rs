//! The demo village's 三保障和饮水安全问题排查 (A6, §三(四)2), as its village team records the checks through
//! `registers::campaign::record_check`, so that every state shows: last quarter every household of the
//! village checked (已完成), this quarter every other one (待完成, the rest listed as 未排查), the other
//! villages of the county not at all (last quarter 已逾期); one check this quarter found seasonal water
//! shortage at a household without a case — a problem in the 问题台账 and a 干部排查 clue. The township's
//! 年度工作方案 of the year is entered by its admin.

use std::collections::HashSet;

use chrono::{Duration, NaiveDate};
use shouwang_core::monitoring::calendar::Quarter;
use shouwang_store::repo::cases::{self, CaseQuery};
use shouwang_store::{Db, Result, StoreError};

use crate::caller::caller_by_username;
use crate::registers::campaign::{self, AnswerInput, CheckInput};

/// The demo village (present in every generated county).
const VILLAGE: &str = "141123208201";

/// Records the demo village's checks of the quarter before `as_of` and of its quarter; returns how many.
/// Nothing when the demo accounts are missing.
pub(super) async fn checks(db: &Db, as_of: NaiveDate) -> Result<u64> {
    let Some(team) = caller_by_username(db, "village_team").await? else {
        return Ok(0);
    };
    let err = |e: crate::Error| StoreError::invalid(e.zh, e.en);
    let county = team.county()?;
    let rules = crate::lifecycle::county_rules(db, &county).await?;
    let with_case: HashSet<String> = cases::list(
        db,
        &team.scope,
        &CaseQuery::default(),
        1,
        shouwang_store::repo::MAX_PER_PAGE,
    )
    .await?
    .items
    .into_iter()
    .map(|r| r.household_number)
    .collect();
    let households = crate::registers::subjects(db, &team, Some(VILLAGE), None)
        .await
        .map_err(err)?;
    let this = Quarter::of(as_of);
    let last = Quarter::of(this.first_day() - Duration::days(1));
    let mut problem_filed = false;
    let mut n = 0;
    for (quarter, on) in [
        (last, last.first_day() + Duration::days(40)),
        (this, (this.first_day() + Duration::days(2)).min(as_of)),
    ] {
        for (i, s) in households.iter().enumerate() {
            if quarter == this && i % 2 == 1 {
                continue;
            }
            let number = &s.household.number;
            let problem = quarter == this && !problem_filed && !with_case.contains(number);
            problem_filed |= problem;
            let answers = rules
                .campaign
                .enabled()
                .map(|item| {
                    let found = problem && item.code == "water_seasonal";
                    AnswerInput {
                        code: item.code.clone(),
                        problem: found,
                        found: if found {
                            "旱季自来水间歇性停水，需到邻村拉水".to_owned()
                        } else {
                            String::new()
                        },
                    }
                })
                .collect();
            let input = CheckInput {
                checked_on: Some(on),
                answers,
                deadline: Some(on + Duration::days(60)),
            };
            campaign::record_check(db, &team, number, &input, as_of)
                .await
                .map_err(err)?;
            n += 1;
        }
    }
    // The township's 年度工作方案 of the year (§三(四)1), entered by its admin.
    if let Some(town) = caller_by_username(db, "township_admin").await? {
        let year = chrono::Datelike::year(&as_of);
        if let (Some(starts_on), Some(ends_on)) = (
            NaiveDate::from_ymd_opt(year, 1, 1),
            NaiveDate::from_ymd_opt(year, 12, 31),
        ) {
            let input = campaign::PlanInput {
                version: 0,
                plan: shouwang_core::register::plan::YearPlan {
                    year,
                    title: format!("{year}年巩固“三保障”和饮水安全脱贫成果工作方案"),
                    targets:
                        "义务教育阶段适龄儿童无失学辍学；脱贫人口和监测对象基本医疗保险应保尽保；\
                              农村住房安全和饮水安全动态保障，发现问题按期整改销号"
                            .to_owned(),
                    measures:
                        "每季度开展一次问题排查，逐村逐户对标排查、全覆盖；建立问题排查整改台账，\
                               行业部门限时整改，乡镇验收销号"
                            .to_owned(),
                    mechanism:
                        "乡党委副书记牵头，包村干部和村级工作专班具体负责，每季度末月通报进度"
                            .to_owned(),
                    starts_on,
                    ends_on,
                },
            };
            let village_town = &VILLAGE[..9];
            campaign::save_plan(db, &town, village_town, &input)
                .await
                .map_err(err)?;
        }
    }
    Ok(n)
}
