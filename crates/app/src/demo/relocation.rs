//! The demo settlement point's 易地搬迁 screenings (issue 21), as its team records them through
//! `registers::relocation::record_screening`, so that every state shows: last quarter screened by the
//! first relocated households but one with labour (已逾期 for it and the rest), this quarter by every other
//! one of them (已完成; the rest 待完成 until the quarter's end); the target met (稳定务工, 公益岗位, 帮扶车间), unmet
//! (灵活就业 only) and unscreened; employment and training needs for the HR bureau; and one screening that
//! found a new risk and filed a 干部排查 clue at a household without a case.

use std::collections::HashSet;

use chrono::{Duration, NaiveDate};
use shouwang_core::codes::{RegionLevel, RiskType};
use shouwang_core::monitoring::calendar::Quarter;
use shouwang_core::register::relocation::{Job, WorkPlace};
use shouwang_store::repo::cases::{self, CaseQuery};
use shouwang_store::{Db, Result, StoreError};

use super::DemoCounty;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use crate::caller::Caller;
use crate::registers::relocation::{self, Entry, ListFilter, ScreeningInput, WorkerInput};

/// At most this many households of the point are screened a quarter (the rest show as not screened).
const PER_QUARTER: usize = 40;

fn input(e: &Entry, i: usize, on: NaiveDate, new_risk: bool) -> ScreeningInput {
    let (job, place, employer) = match i % 4 {
        0 => (
            Job::StableJob,
            WorkPlace::OutOfProvince,
            "内蒙古鄂尔多斯某建筑公司",
        ),
        1 => (Job::Flexible, WorkPlace::InCounty, "县城零工市场"),
        2 => (
            Job::WelfarePost,
            WorkPlace::InCounty,
            "安置社区保洁公益岗位",
        ),
        _ => (Job::Workshop, WorkPlace::InCounty, "安置点帮扶车间"),
    };
    let workers = e
        .labour
        .iter()
        .enumerate()
        .map(|(k, l)| {
            let works = k == 0;
            WorkerInput {
                position: l.position,
                job: if works { job } else { Job::Unemployed },
                place: works.then_some(place),
                employer: if works {
                    employer.to_owned()
                } else {
                    String::new()
                },
                since: works.then(|| on - Duration::days(200)),
                monthly_income: works.then_some(if job == Job::Flexible { 1200 } else { 2800 }),
            }
        })
        .collect();
    let needs = i % 4 == 1;
    ScreeningInput {
        screened_on: Some(on),
        workers,
        income: Some(if needs { 4200 } else { 9600 }),
        employment_needs: if needs {
            "希望在县城稳定务工".to_owned()
        } else {
            String::new()
        },
        training_needs: if needs {
            "家政服务培训".to_owned()
        } else {
            String::new()
        },
        support_needs: if i.is_multiple_of(5) {
            "楼道照明需维修".to_owned()
        } else {
            String::new()
        },
        new_risks: if new_risk {
            vec![RiskType::UnstableEmployment]
        } else {
            Vec::new()
        },
    }
}

/// Records the settlement point's screenings of the quarter before `as_of` and of its quarter; returns how
/// many.
pub(super) async fn screenings(db: &Db, county: &DemoCounty, as_of: NaiveDate) -> Result<u64> {
    let Some(point) = county
        .regions
        .iter()
        .find(|r| r.level == RegionLevel::Settlement)
    else {
        return Ok(0);
    };
    // The point's team is a staff account (inactive: the demo acts as it, nobody logs in with it).
    let username = format!("team_{}", point.code.as_str());
    let Some(row) = shouwang_store::entity::users::Entity::find()
        .filter(shouwang_store::entity::users::Column::Username.eq(username))
        .one(db.conn())
        .await?
    else {
        return Ok(0);
    };
    let Some(team) = shouwang_store::repo::users::get(db, row.id)
        .await?
        .map(|u| Caller::from_user(&u))
    else {
        return Ok(0);
    };
    let this = Quarter::of(as_of);
    let last = Quarter::of(this.first_day() - Duration::days(1));
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
    for (quarter, on) in [
        (last, last.first_day() + Duration::days(40)),
        (this, (this.first_day() + Duration::days(2)).min(as_of)),
    ] {
        let filter = ListFilter {
            quarter: Some(quarter.to_string()),
            ..ListFilter::default()
        };
        let entries = relocation::list(db, &team, &filter, as_of)
            .await
            .map_err(err)?;
        let unscreened = entries.iter().position(|e| !e.labour.is_empty());
        // The jobs go round the households with labour (稳定务工, 灵活就业, 公益岗位, 帮扶车间).
        let mut with_labour = 0;
        for (i, e) in entries.iter().take(PER_QUARTER).enumerate() {
            let k = with_labour;
            with_labour += usize::from(!e.labour.is_empty());
            // The first household with labour is never screened (未开展就业排查, overdue last quarter);
            // last quarter: all others; this quarter: every other one (the rest pending).
            let skip = Some(i) == unscreened || (quarter == this && i % 2 == 1);
            if skip || on < quarter.first_day() {
                continue;
            }
            let new_risk =
                quarter == this && !risk_filed && i >= 2 && !with_case.contains(&e.number);
            risk_filed |= new_risk;
            match relocation::record_screening(
                db,
                &team,
                &e.number,
                &input(e, k, on, new_risk),
                as_of,
            )
            .await
            {
                Ok(_) => n += 1,
                // A member who was not yet 16 on the screening day: the household is left unscreened.
                Err(e) if e.kind == crate::Kind::Invalid => {}
                Err(e) => return Err(err(e)),
            }
        }
    }
    Ok(n)
}
