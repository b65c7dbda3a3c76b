//! The demo village's grids (网格化管理, B6, issue 22): three grids set up by the village team through
//! `grids::create` (党支部, 网格长 and 网格员 with synthetic names and phones), the households put into them
//! through `grids::assign` — the first two grids share most of the village, the third is new and has a few,
//! and one household in twenty stays in no grid, so that the quality check Q19 (农户未划入网格) and the
//! dashboard's coverage below 100 % show. A household moved from the first grid to the second shows a
//! move in the audit log.

use shouwang_core::grid::{GridDraft, GridPerson};
use shouwang_store::{Db, Result, StoreError, repo};

use crate::caller::caller_by_username;
use crate::grids::{self, AssignInput};

const VILLAGE: &str = "141123208201";

fn person(name: &str, phone: &str) -> GridPerson {
    GridPerson {
        name: name.to_owned(),
        phone: phone.to_owned(),
    }
}

/// Sets up the demo village's grids; returns how many.
pub(super) async fn grids(db: &Db) -> Result<u64> {
    let err = |e: crate::Error| StoreError::invalid(e.zh, e.en);
    let Some(team) = caller_by_username(db, "village_team").await? else {
        return Ok(0);
    };
    let drafts = [
        (
            "第一网格（东片）",
            person("高建军", "13834561201"),
            vec![person("白玉兰", "13934561202"), person("刘福生", "")],
        ),
        (
            "第二网格（西片）",
            person("张秀梅", "13834561203"),
            vec![person("王志强", "13934561204")],
        ),
        (
            "第三网格（新村）",
            person("李德旺", "15834561205"),
            vec![person("郝春燕", "15934561206")],
        ),
    ];
    let village = repo::regions::get(db, VILLAGE)
        .await?
        .map_or_else(|| "本村".to_owned(), |r| r.name);
    let branch = format!("中共{village}支部委员会");
    let mut ids = Vec::new();
    for (name, leader, members) in drafts {
        let draft = GridDraft {
            village: VILLAGE.to_owned(),
            name: name.to_owned(),
            branch: branch.clone(),
            leader,
            members,
        };
        ids.push(grids::create(db, &team, draft).await.map_err(err)?);
    }
    let households: Vec<i64> = repo::grids::households(db, &team.scope, Some(VILLAGE), false)
        .await?
        .into_iter()
        .map(|h| h.id)
        .collect();
    let n = households.len();
    // One in twenty stays in no grid (Q19); the rest: 45 % first, 45 % second, the remainder third.
    let placed: Vec<i64> = households
        .iter()
        .enumerate()
        .filter(|(i, _)| i % 20 != 7)
        .map(|(_, id)| *id)
        .collect();
    let (first, rest) = placed.split_at(placed.len() * 45 / 100);
    let (second, third) = rest.split_at(rest.len().min(n * 45 / 100));
    for (grid, part) in ids.iter().zip([first, second, third]) {
        if part.is_empty() {
            continue;
        }
        let input = AssignInput {
            version: None,
            households: part.to_vec(),
            remove: false,
        };
        grids::assign(db, &team, *grid, input).await.map_err(err)?;
    }
    // A household moved from the first grid to the second: it leaves the first.
    if let (Some(moved), Some(second)) = (first.last(), ids.get(1)) {
        let input = AssignInput {
            version: None,
            households: vec![*moved],
            remove: false,
        };
        grids::assign(db, &team, *second, input)
            .await
            .map_err(err)?;
    }
    Ok(ids.len() as u64)
}
