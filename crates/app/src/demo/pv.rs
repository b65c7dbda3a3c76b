//! The demo county's 光伏扶贫电站 and 光伏收益分配 (B2 §四(二)4, issue 23), through `pv::{create_station,
//! update_station, record_income, distribute}` by the demo township, county and village team, so that every
//! kind and state shows: a 村级电站 in the demo village linked to its asset (村级光伏电站, kept by the
//! township), one in another village of the county, a 集中式电站 kept by the county benefiting both, a
//! stopped one; income every month of the year so far (up to last month); the other village's distributions
//! of every month but the last (pending), the demo village's one month less (the month before last overdue
//! on the calendar, last month pending; January corrected).

use chrono::{Datelike, Duration, NaiveDate};
use shouwang_core::monitoring::YearMonth;
use shouwang_core::pv::{Distribution, Income, Station, StationKind, StationState, Uses};
use shouwang_core::welfare_post::{Funding, PostState};
use shouwang_core::{CodeList, Fen};
use shouwang_store::{Db, Result, StoreError};

use crate::assets::Versioned;
use crate::caller::caller_by_username;
use crate::pv;

const COUNTY: &str = "141123";
const VILLAGE: &str = "141123208201";

/// Sets up the demo township's stations, income and distributions as of `as_of`; returns how many
/// distributions (none without the demo accounts).
pub(super) async fn pv(db: &Db, as_of: NaiveDate) -> Result<u64> {
    let (Some(team), Some(township), Some(county)) = (
        caller_by_username(db, "village_team").await?,
        caller_by_username(db, "township_admin").await?,
        caller_by_username(db, "county_admin").await?,
    ) else {
        return Ok(0);
    };
    let err = |e: crate::Error| StoreError::invalid(e.zh, e.en);
    let names = crate::regions::names(db, COUNTY).await?;
    let name = |code: &str| names.get(code).cloned().unwrap_or_default();
    // Administrative villages (村民委员会 codes from 201; the settlement point is 001).
    let mut villages: Vec<&String> = names
        .keys()
        .filter(|k| k.len() == 12 && k.get(9..).is_some_and(|t| t >= "200"))
        .collect();
    villages.sort();
    let other = villages
        .iter()
        .find(|v| v.as_str() != VILLAGE)
        .map(|v| (*v).clone());
    let asset = crate::assets::list(db, &team, &Default::default(), as_of)
        .await
        .map_err(err)?
        .into_iter()
        .find(|a| a.name == "村级光伏电站")
        .map(|a| a.id);
    let grid_on = NaiveDate::from_ymd_opt(as_of.year() - 4, 6, 30);
    let station = |name: &str, kind, place: &str, villages: Vec<String>, kw, state| Station {
        name: name.to_owned(),
        kind,
        place: place.to_owned(),
        villages,
        capacity_kw: kw,
        grid_on,
        asset: None,
        state,
    };
    // (station, monthly income in 元 per kW, the share of each village it benefits).
    let mut stations = vec![(
        &township,
        Station {
            asset,
            ..station(
                &format!("{}村级光伏电站", name(VILLAGE)),
                StationKind::Village,
                VILLAGE,
                Vec::new(),
                300,
                StationState::Running,
            )
        },
        100,
    )];
    let mut benefiting = vec![VILLAGE.to_owned()];
    if let Some(o) = &other {
        stations.push((
            &county,
            station(
                &format!("{}村级光伏电站", name(o)),
                StationKind::Village,
                o,
                Vec::new(),
                200,
                StationState::Running,
            ),
            100,
        ));
        benefiting.push(o.clone());
    }
    stations.push((
        &county,
        station(
            &format!("{}集中式光伏扶贫电站", name(COUNTY)),
            StationKind::Central,
            &format!("{COUNTY}000000"),
            benefiting.clone(),
            1000,
            StationState::Running,
        ),
        100,
    ));
    let stopped = station(
        &format!("{}屋顶光伏（停运检修）", name(VILLAGE)),
        StationKind::Village,
        VILLAGE,
        Vec::new(),
        30,
        StationState::Running,
    );
    // The months of the year so far whose income is known (up to last month).
    let this = YearMonth::of(as_of);
    let months: Vec<YearMonth> = match YearMonth::new(this.year(), 1) {
        Some(first) if this.month() > 1 => first
            .through(this)
            .into_iter()
            .filter(|m| *m < this)
            .collect(),
        _ => Vec::new(),
    };
    let mut income_of: Vec<(String, YearMonth, Fen)> = Vec::new();
    for (keeper, s, per_kw) in &stations {
        let id = pv::create_station(db, keeper, s.clone(), as_of)
            .await
            .map_err(err)?;
        for (i, m) in months.iter().enumerate() {
            // Summer months yield more than winter ones.
            let season = [70, 75, 90, 100, 110, 120, 125, 120, 105, 90, 75, 70];
            let f = season[(m.month() as usize - 1) % 12];
            let amount = Fen(i64::from(s.capacity_kw) * per_kw * f + i as i64 * 37);
            let income = Income {
                month: *m,
                amount,
                note: String::new(),
            };
            pv::record_income(
                db,
                keeper,
                id,
                Versioned {
                    version: None,
                    body: income,
                },
                as_of,
            )
            .await
            .map_err(err)?;
            let share = Fen(amount.0 / s.beneficiaries().len() as i64);
            for v in s.beneficiaries() {
                income_of.push((v, *m, share));
            }
        }
    }
    let id = pv::create_station(db, &township, stopped.clone(), as_of)
        .await
        .map_err(err)?;
    pv::update_station(
        db,
        &township,
        id,
        Versioned {
            version: None,
            body: Station {
                state: StationState::Stopped,
                ..stopped
            },
        },
        as_of,
    )
    .await
    .map_err(err)?;
    // The 光伏收益 posts 在岗 of the demo village, paid from its share.
    let posts: Vec<(i64, u32)> = crate::welfare_posts::list(
        db,
        &team,
        &crate::welfare_posts::ListFilter {
            area: Some(VILLAGE.to_owned()),
            state: Some(PostState::Held.code().to_owned()),
        },
    )
    .await
    .map_err(err)?
    .into_iter()
    .filter(|p| p.funding == Funding::PvIncome)
    .filter_map(|p| p.monthly_pay.map(|pay| (p.id, pay)))
    .collect();
    let mut n = 0;
    for (k, v) in benefiting.iter().enumerate() {
        // The demo village: every month but the last two (overdue, pending); the other: but the last.
        let upto = months.len().saturating_sub(if k == 0 { 2 } else { 1 });
        for m in &months[..upto] {
            let share: Fen = income_of
                .iter()
                .filter(|(x, mm, _)| x == v && mm == m)
                .map(|(_, _, a)| *a)
                .sum();
            let distributed = share.mul_div_round(95, 100);
            let (post_ids, wages) = if v == VILLAGE {
                (
                    posts.iter().map(|p| p.0).collect::<Vec<_>>(),
                    Fen(posts.iter().map(|p| i64::from(p.1) * 100).sum()),
                )
            } else {
                (Vec::new(), Fen(0))
            };
            let decided_on = m.next().day_clamped(8).min(as_of - Duration::days(1));
            let d = Distribution {
                village: v.clone(),
                month: *m,
                distributed,
                uses: Uses {
                    post_wages: wages,
                    public_works: distributed.mul_div_round(40, 100),
                    rewards: distributed.mul_div_round(20, 100),
                    other: distributed.mul_div_round(5, 100),
                },
                posts: post_ids,
                decision: format!("村民代表会议决议（{}）", m.label_zh()),
                decided_on,
                note: String::new(),
            };
            let recorder = if v == VILLAGE { &team } else { &county };
            pv::distribute(
                db,
                recorder,
                Versioned {
                    version: None,
                    body: d.clone(),
                },
                as_of,
            )
            .await
            .map_err(err)?;
            if v == VILLAGE && m.month() == 1 {
                // A correction: the January decision recounted the rewards.
                let fixed = Distribution {
                    uses: Uses {
                        rewards: d.uses.rewards - Fen(10_000),
                        ..d.uses
                    },
                    note: "更正：奖励补助少计100元".to_owned(),
                    ..d
                };
                pv::distribute(
                    db,
                    &team,
                    Versioned {
                        version: Some(1),
                        body: fixed,
                    },
                    as_of,
                )
                .await
                .map_err(err)?;
            }
            n += 1;
        }
    }
    Ok(n)
}
