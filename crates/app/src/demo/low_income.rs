//! The demo village's 低收入人口 visits (issue 21), as its village team records them through
//! `registers::low_income::record_visit`, so that every state shows: last month visited by every household
//! in scope but one (已逾期), this month by every other one (已完成; the rest 待完成 until the month's end),
//! and one visit that found a new risk and filed a 干部排查 clue — at a household without a case, so that
//! the demo village keeps one case of every lifecycle story (a clue at a 风险消除 household would open a
//! new case over it).

use std::collections::HashSet;

use chrono::{Duration, NaiveDate};
use shouwang_core::codes::RiskType;
use shouwang_core::monitoring::calendar::YearMonth;
use shouwang_core::register::low_income::{Category, Policy};
use shouwang_store::repo::cases::{self, CaseQuery};
use shouwang_store::{Db, Result, StoreError};

use shouwang_core::register::classified_help::{Application, ApplicationStatus, AssistanceKind};

use crate::caller::caller_by_username;
use crate::registers::low_income::{self, Entry, ListFilter, VisitInput};

fn input(e: &Entry, on: NaiveDate, new_risk: bool) -> VisitInput {
    let has = |c: Category| e.reasons.iter().any(|r| r.category == c);
    let mut policies = Vec::new();
    if has(Category::Dibao) {
        policies.push(Policy::Dibao);
    }
    if has(Category::Tekun) {
        policies.push(Policy::Tekun);
    }
    if has(Category::Disabled) {
        policies.push(Policy::DisabilitySubsidies);
    }
    policies.push(Policy::PensionPaid);
    let (needs, help) = if has(Category::TwoWithout) {
        ("日常照料", "安排公益岗位人员定期照料")
    } else if has(Category::LeftBehindChild) || has(Category::UnsupportedChild) {
        ("儿童学习和生活照料", "落实教育资助，联系儿童主任关爱")
    } else {
        ("了解政策落实情况", "宣传医疗救助和临时救助政策")
    };
    VisitInput {
        visited_on: Some(on),
        needs: needs.to_owned(),
        policies,
        difficulties: if new_risk {
            "户主近期住院，医疗支出较大".to_owned()
        } else {
            String::new()
        },
        help: help.to_owned(),
        next_step: "下月继续走访".to_owned(),
        new_risks: if new_risk {
            vec![RiskType::Illness]
        } else {
            Vec::new()
        },
        applications: applications(e),
    }
}

/// 分类帮扶: the demo's applications in every state — a “两无” elderly's household applying for 特困, a
/// disabled household's 低保 granted, an unsupported child's household's 低保 not granted.
fn applications(e: &Entry) -> Vec<Application> {
    let has = |c: Category| e.reasons.iter().any(|r| r.category == c);
    let receives = has(Category::Dibao) || has(Category::Tekun);
    let one = |kind, status| vec![Application { kind, status }];
    if has(Category::TwoWithout) && !has(Category::Tekun) {
        one(AssistanceKind::Tekun, ApplicationStatus::Applying)
    } else if has(Category::Disabled) && !receives {
        one(AssistanceKind::Dibao, ApplicationStatus::Granted)
    } else if has(Category::UnsupportedChild) && !receives {
        one(AssistanceKind::Dibao, ApplicationStatus::Refused)
    } else {
        Vec::new()
    }
}

/// Records the demo village's visits of the month before `as_of` and of its month; returns how many.
pub(super) async fn visits(db: &Db, as_of: NaiveDate) -> Result<u64> {
    let Some(team) = caller_by_username(db, "village_team").await? else {
        return Ok(0);
    };
    let this = YearMonth::of(as_of);
    let last = YearMonth::of(this.first_day() - Duration::days(1));
    let err = |e: crate::Error| StoreError::invalid(e.zh, e.en);
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
    let mut risk_filed = false;
    let mut n = 0;
    for (month, on) in [
        (last, last.day_clamped(12)),
        (this, this.day_clamped(3).min(as_of)),
    ] {
        let filter = ListFilter {
            month: Some(month.to_string()),
            ..ListFilter::default()
        };
        let entries = low_income::list(db, &team, &filter, as_of)
            .await
            .map_err(err)?;
        for (i, e) in entries.iter().enumerate() {
            // Last month: all but the first (overdue); this month: every other one (the rest pending).
            let skip = if month == last { i == 0 } else { i % 2 == 1 };
            if skip || !month.contains(on) {
                continue;
            }
            let new_risk = month == this && !risk_filed && i >= 2 && !with_case.contains(&e.number);
            risk_filed |= new_risk;
            let visit = input(e, on, new_risk).visit(as_of);
            low_income::record_visit(db, &team, &e.number, &visit, as_of)
                .await
                .map_err(err)?;
            n += 1;
        }
    }
    Ok(n)
}
