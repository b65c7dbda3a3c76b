//! The demo village's 公益岗位 (B1 §四(一)3, A4 §三(二), issue 21), set up through `welfare_posts::{create,
//! update}` by the demo township so that every state shows (在岗, 空缺, 解聘), every funding source, and a
//! 两无老人看护 post paid from 光伏收益 caring for the village's “两无”老人 (when it has any).

use chrono::{Duration, NaiveDate};
use shouwang_core::register::labour_members;
use shouwang_core::register::low_income::Category;
use shouwang_core::welfare_post::{Draft, Funding, MemberRef, PostKind, PostState};
use shouwang_store::{Db, Result, StoreError};

use crate::assets::Versioned;
use crate::caller::caller_by_username;
use crate::registers;
use crate::welfare_posts;

const VILLAGE: &str = "141123208201";

/// Sets up the demo village's posts as of `as_of`; returns how many (none without the demo accounts).
pub(super) async fn posts(db: &Db, as_of: NaiveDate) -> Result<u64> {
    let (Some(team), Some(township)) = (
        caller_by_username(db, "village_team").await?,
        caller_by_username(db, "township_admin").await?,
    ) else {
        return Ok(0);
    };
    let err = |e: crate::Error| StoreError::invalid(e.zh, e.en);
    let from = as_of - Duration::days(300);
    // Holders: members of the labour force, 脱贫户 first; taken from the end of the village's list so as
    // not to meet the demo's workshop workers (a member may hold a post and work in a workshop anyway).
    let subjects = registers::subjects(db, &team, Some(VILLAGE), None)
        .await
        .map_err(err)?;
    let mut labour: Vec<MemberRef> = subjects
        .iter()
        .rev()
        .flat_map(|s| {
            labour_members(&s.household, from)
                .into_iter()
                .map(move |(p, _)| MemberRef {
                    household: s.household.number.clone(),
                    position: p,
                })
        })
        .collect();
    let filter = registers::low_income::ListFilter {
        area: Some(VILLAGE.to_owned()),
        ..Default::default()
    };
    let cared: Vec<MemberRef> = registers::low_income::list(db, &team, &filter, as_of)
        .await
        .map_err(err)?
        .into_iter()
        .flat_map(|e| {
            e.reasons
                .into_iter()
                .filter(|r| r.category == Category::TwoWithout)
                .filter_map(|r| r.position)
                .map(move |p| MemberRef {
                    household: e.number.clone(),
                    position: p,
                })
                .collect::<Vec<_>>()
        })
        .take(3)
        .collect();
    let demos: [(&str, PostKind, Funding, Option<u32>, PostState); 4] = [
        (
            "护林员",
            PostKind::ForestRanger,
            Funding::LinkageFund,
            Some(800),
            PostState::Held,
        ),
        (
            "两无老人看护员",
            PostKind::ElderCare,
            Funding::PvIncome,
            Some(500),
            PostState::Held,
        ),
        (
            "保洁员",
            PostKind::Cleaner,
            Funding::PvIncome,
            Some(600),
            PostState::Vacant,
        ),
        (
            "水管员",
            PostKind::WaterKeeper,
            Funding::Other,
            None,
            PostState::Dismissed,
        ),
    ];
    let mut n = 0;
    for (name, kind, funding, pay, state) in demos {
        let holder = match state {
            PostState::Vacant => None,
            _ => labour.pop(),
        };
        if state != PostState::Vacant && holder.is_none() {
            continue;
        }
        let draft = Draft {
            name: name.to_owned(),
            kind,
            village: VILLAGE.to_owned(),
            funding,
            monthly_pay: pay,
            holder,
            from: (state != PostState::Vacant).then_some(from),
            to: Some(from + Duration::days(364)),
            state: if state == PostState::Dismissed {
                PostState::Held
            } else {
                state
            },
            duties: format!("负责本村{name}工作"),
            cared: if kind == PostKind::ElderCare {
                cared.clone()
            } else {
                Vec::new()
            },
        };
        let id = welfare_posts::create(db, &township, draft.clone(), as_of)
            .await
            .map_err(err)?;
        if state == PostState::Dismissed {
            let change = Versioned {
                version: None,
                body: Draft {
                    state: PostState::Dismissed,
                    to: Some(as_of - Duration::days(20)),
                    ..draft
                },
            };
            welfare_posts::update(db, &township, id, change, as_of)
                .await
                .map_err(err)?;
        }
        n += 1;
    }
    Ok(n)
}
