//! The demo village's 帮扶车间 (B1 §四(一)3, issue 21), registered and staffed through `workshops::{register,
//! hire, release, update}` by the demo township so that every state shows (在营, 停产, 关闭), with workers of
//! 脱贫户, 监测户 and other households at work and one who left.

use chrono::{Duration, NaiveDate};
use shouwang_core::register::labour_members;
use shouwang_core::workshop::{Draft, Hire, OperatorKind, WorkshopState};
use shouwang_store::{Db, Result, StoreError};

use crate::assets::Versioned;
use crate::caller::caller_by_username;
use crate::registers;
use crate::workshops::{self, Release};

const VILLAGE: &str = "141123208201";

/// A demo workshop: name, operator, its kind, products, jobs, workers taken on, the state it ends in.
const DEMOS: &[(&str, &str, OperatorKind, &str, u32, usize, WorkshopState)] = &[
    (
        "服装加工帮扶车间",
        "兴县晋绣服饰有限公司",
        OperatorKind::Enterprise,
        "校服、工装",
        40,
        4,
        WorkshopState::Operating,
    ),
    (
        "小杂粮加工帮扶车间",
        "兴县杂粮种植专业合作社",
        OperatorKind::Cooperative,
        "小米、红芸豆分装",
        15,
        1,
        WorkshopState::Suspended,
    ),
    (
        "手工编织帮扶车间",
        "兴县巧手编织专业合作社",
        OperatorKind::Cooperative,
        "草编、柳编",
        10,
        1,
        WorkshopState::Closed,
    ),
];

/// Registers the demo village's workshops as of `as_of` with their workers; returns how many (none without
/// the demo accounts).
pub(super) async fn workshops(db: &Db, as_of: NaiveDate) -> Result<u64> {
    let (Some(team), Some(township)) = (
        caller_by_username(db, "village_team").await?,
        caller_by_username(db, "township_admin").await?,
    ) else {
        return Ok(0);
    };
    let err = |e: crate::Error| StoreError::invalid(e.zh, e.en);
    let subjects = registers::subjects(db, &team, Some(VILLAGE), None)
        .await
        .map_err(err)?;
    let started = as_of - Duration::days(400);
    let since = as_of - Duration::days(200);
    // The labour force of the village, 脱贫户 and 监测户 first, each member once.
    let mut labour: Vec<(String, usize, u8)> = subjects
        .iter()
        .flat_map(|s| {
            let rank = match (
                s.household.household_type,
                s.household.monitored_type.is_some(),
            ) {
                (shouwang_core::codes::HouseholdType::Alleviated, _) => 0,
                (_, true) => 1,
                _ => 2,
            };
            labour_members(&s.household, since)
                .into_iter()
                .map(move |(p, _)| (s.household.number.clone(), p, rank))
        })
        .collect();
    labour.sort_by_key(|(n, p, rank)| (*rank, n.clone(), *p));
    let mut next = labour.into_iter();
    let mut n = 0;
    for (i, &(name, operator, kind, products, jobs, hires, end)) in DEMOS.iter().enumerate() {
        let draft = Draft {
            name: name.to_owned(),
            village: VILLAGE.to_owned(),
            operator_kind: kind,
            operator: operator.to_owned(),
            products: products.to_owned(),
            started_on: started + Duration::days(30 * i as i64),
            state: if end == WorkshopState::Suspended {
                end
            } else {
                WorkshopState::Operating
            },
            jobs,
        };
        let id = workshops::register(db, &township, draft.clone(), as_of)
            .await
            .map_err(err)?;
        let mut hired = Vec::new();
        for k in 0..hires {
            let Some((household, position, _)) = next.next() else {
                break;
            };
            let hire = Hire {
                household,
                position,
                wage: 1800 + 200 * k as u32,
                since,
            };
            let body = Versioned {
                version: None,
                body: hire,
            };
            hired.push(
                workshops::hire(db, &township, id, body, as_of)
                    .await
                    .map_err(err)?,
            );
        }
        // One worker left the operating workshop; the closed one let its worker go before closing.
        let leaving = match end {
            WorkshopState::Operating => hired.last().copied(),
            WorkshopState::Closed => hired.first().copied(),
            WorkshopState::Suspended => None,
        };
        if let Some(worker) = leaving {
            let body = Versioned {
                version: None,
                body: Release {
                    worker,
                    until: Some(as_of - Duration::days(30)),
                },
            };
            workshops::release(db, &township, id, body, as_of)
                .await
                .map_err(err)?;
        }
        if end == WorkshopState::Closed {
            let change = Versioned {
                version: None,
                body: Draft {
                    state: WorkshopState::Closed,
                    ..draft
                },
            };
            workshops::update(db, &township, id, change, as_of)
                .await
                .map_err(err)?;
        }
        n += 1;
    }
    Ok(n)
}
