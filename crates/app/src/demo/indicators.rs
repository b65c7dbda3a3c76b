//! The demo county's 村容村貌指标 (B5, issue 22), entered through `indicators::act` by each village's team
//! (or its township) and checked by its township — the demo accounts for the demo township, the staff
//! accounts (`team_…`, `township_…`) elsewhere; villages whose township has no account stay 未填报. Every
//! state shows: last year every such village checked; this year the demo village entered and waiting for
//! the township, and the others in turn checked, returned with a reason, entered, not entered. The figures
//! are synthetic, some villages above the plan's targets and some below.

use chrono::{Datelike, NaiveDate};
use shouwang_core::codes::RegionLevel;
use shouwang_core::indicators::{FIRST_YEAR, IndicatorAction, VillageFigures};
use shouwang_store::{Db, Result, StoreError, repo};

use crate::caller::{caller_by_username, staff_caller};
use crate::indicators;

const TOWNSHIP: &str = "141123208";
const VILLAGE: &str = "141123208201";

fn figures(i: u32, year_offset: u32) -> VillageFigures {
    let households = 120 + (i * 37) % 160;
    let natural_villages = 3 + i % 6;
    VillageFigures {
        households,
        toilets: households * (62 + (i * 7 + year_offset * 5) % 30) / 100,
        natural_villages,
        garbage_covered: natural_villages
            - u32::from(i % 3 == 1)
            - u32::from(year_offset == 0 && i % 4 == 2),
        civilized: households * (55 + (i * 11 + year_offset * 4) % 30) / 100,
    }
}

/// Enters the township's figures; returns the records written.
pub(super) async fn indicators(db: &Db, as_of: NaiveDate) -> Result<u64> {
    let err = |e: crate::Error| StoreError::invalid(e.zh, e.en);
    let who = |name: &'static str| async move {
        caller_by_username(db, name)
            .await?
            .ok_or(StoreError::NotFound)
    };
    let (team, town) = (who("village_team").await?, who("township_admin").await?);
    let villages: Vec<String> = repo::regions::list_under(db, &VILLAGE[..6])
        .await?
        .into_iter()
        .filter(|r| r.level == RegionLevel::Village)
        .map(|r| r.code.as_str().to_owned())
        .collect();
    let (this, last) = (as_of.year(), as_of.year() - 1);
    let enter = |i: u32, offset: u32| IndicatorAction::Enter {
        figures: figures(i, offset),
        note: format!("县级文明户{}户，乡级文明户{}户", 1 + i % 3, 5 + i % 7),
    };
    let mut n = 0;
    for (i, code) in villages.iter().enumerate() {
        let i = i as u32;
        let township = &code[..9];
        let checker = if township == TOWNSHIP {
            Some(town.clone())
        } else {
            staff_caller(db, &format!("township_{township}")).await?
        };
        let Some(town) = checker else {
            continue;
        };
        let by = if code == VILLAGE {
            team.clone()
        } else {
            staff_caller(db, &format!("team_{code}"))
                .await?
                .unwrap_or_else(|| town.clone())
        };
        let (by, town) = (&by, &town);
        // last year (from the plan's year on): entered and checked in December
        if last >= FIRST_YEAR {
            let december = NaiveDate::from_ymd_opt(last, 12, 10).unwrap_or(as_of);
            indicators::act(db, by, code, last, 0, enter(i, 1), december)
                .await
                .map_err(err)?;
            indicators::act(db, town, code, last, 1, IndicatorAction::Check, december)
                .await
                .map_err(err)?;
            n += 1;
        }
        // this year: the demo village waits for the township; then one checked, one returned, the rest
        // not entered
        let state = if code == VILLAGE { 0 } else { 1 + i % 4 };
        if state == 4 {
            continue;
        }
        indicators::act(db, by, code, this, 0, enter(i, 0), as_of)
            .await
            .map_err(err)?;
        n += 1;
        let then = match state {
            1 => IndicatorAction::Check,
            2 => IndicatorAction::Return {
                reason: "卫生厕所户数与改厕验收台账不一致，请核对后重新填报".to_owned(),
            },
            _ => continue,
        };
        indicators::act(db, town, code, this, 1, then, as_of)
            .await
            .map_err(err)?;
    }
    Ok(n)
}
