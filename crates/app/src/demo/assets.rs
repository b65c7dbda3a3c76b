//! The demo village's 扶贫项目资产 (B2/A7, issue 23), registered and kept through `assets::{register,
//! record_upkeep, dispose}` by the demo roles so that every type (经营性, 公益性, 到户类), every owner and
//! every state (在用, 闲置, 损毁, 已处置) shows, upkeep done and overdue, and a disposal at each step
//! (待乡审核, 待县审批, 已批准处置, 已退回, 不予处置). Upkeep is dated back from the real day.

use chrono::{Duration, NaiveDate};
use shouwang_core::asset::disposal::{
    DisposalDecision, DisposalMethod, DisposalState, DisposalStep,
};
use shouwang_core::asset::{AssetKind, AssetState, Draft, OwnerKind, Upkeep, UpkeepKind};
use shouwang_core::money::Fen;
use shouwang_store::{Db, Result, StoreError};

use crate::assets::{self, DisposalInput, Versioned};
use crate::caller::{Caller, caller_by_username};
use crate::registers;

const VILLAGE: &str = "141123208201";

/// A demo asset: name, type, owner, value (yuan), state, cadence, days since its last upkeep, where its
/// disposal ends.
struct Demo {
    name: &'static str,
    kind: AssetKind,
    owner: OwnerKind,
    yuan: i64,
    year: i32,
    state: AssetState,
    months: Option<u32>,
    last_upkeep: Option<i64>,
    disposal: Option<DisposalState>,
}

const DEMOS: &[Demo] = &[
    Demo {
        name: "村级光伏电站",
        kind: AssetKind::Operating,
        owner: OwnerKind::VillageCollective,
        yuan: 1_600_000,
        year: 2018,
        state: AssetState::InUse,
        months: Some(3),
        last_upkeep: Some(30),
        disposal: None,
    },
    Demo {
        name: "通村道路",
        kind: AssetKind::PublicWelfare,
        owner: OwnerKind::Township,
        yuan: 2_350_000,
        year: 2017,
        state: AssetState::InUse,
        months: Some(6),
        last_upkeep: Some(260),
        disposal: None,
    },
    Demo {
        name: "到户养殖基础母羊",
        kind: AssetKind::Household,
        owner: OwnerKind::Household,
        yuan: 12_000,
        year: 2020,
        state: AssetState::Idle,
        months: None,
        last_upkeep: None,
        disposal: None,
    },
    Demo {
        name: "人饮工程蓄水池",
        kind: AssetKind::PublicWelfare,
        owner: OwnerKind::VillageCollective,
        yuan: 180_000,
        year: 2016,
        state: AssetState::Damaged,
        months: Some(12),
        last_upkeep: Some(400),
        disposal: Some(DisposalState::Proposed),
    },
    Demo {
        name: "小杂粮冷库",
        kind: AssetKind::Operating,
        owner: OwnerKind::VillageCollective,
        yuan: 450_000,
        year: 2019,
        state: AssetState::Idle,
        months: Some(6),
        last_upkeep: Some(90),
        disposal: Some(DisposalState::TownshipApproved),
    },
    Demo {
        name: "旧粉碎加工设备",
        kind: AssetKind::Operating,
        owner: OwnerKind::VillageCollective,
        yuan: 60_000,
        year: 2014,
        state: AssetState::Damaged,
        months: None,
        last_upkeep: None,
        disposal: Some(DisposalState::Approved),
    },
    Demo {
        name: "日光温室大棚",
        kind: AssetKind::Operating,
        owner: OwnerKind::VillageCollective,
        yuan: 320_000,
        year: 2018,
        state: AssetState::InUse,
        months: Some(6),
        last_upkeep: Some(45),
        disposal: Some(DisposalState::Returned),
    },
    Demo {
        name: "村文化活动广场",
        kind: AssetKind::PublicWelfare,
        owner: OwnerKind::VillageCollective,
        yuan: 260_000,
        year: 2019,
        state: AssetState::InUse,
        months: Some(12),
        last_upkeep: Some(120),
        disposal: Some(DisposalState::Refused),
    },
];

/// The steps after the proposal that bring a disposal to `end`: (step, account, decision, opinion).
fn steps(end: DisposalState) -> Vec<(DisposalStep, &'static str, DisposalDecision, &'static str)> {
    let town = (
        DisposalStep::TownshipReview,
        "township_admin",
        DisposalDecision::Approve,
        "经核实情况属实，同意报县审批",
    );
    match end {
        DisposalState::Proposed => Vec::new(),
        DisposalState::TownshipApproved => vec![town],
        DisposalState::Approved => vec![
            town,
            (
                DisposalStep::CountyApproval,
                "county_admin",
                DisposalDecision::Approve,
                "同意报废处置，残值收入纳入村集体账户",
            ),
        ],
        DisposalState::Returned => vec![(
            DisposalStep::TownshipReview,
            "township_admin",
            DisposalDecision::Return,
            "请补充资产评估报告后重新申请",
        )],
        DisposalState::Refused => vec![
            town,
            (
                DisposalStep::CountyApproval,
                "county_admin",
                DisposalDecision::Refuse,
                "资产仍可正常使用，不予处置",
            ),
        ],
    }
}

fn input(
    step: DisposalStep,
    decision: DisposalDecision,
    on: NaiveDate,
    opinion: &str,
) -> Versioned<DisposalInput> {
    Versioned {
        version: None,
        body: DisposalInput {
            step,
            decision,
            method: (step == DisposalStep::Propose).then_some(DisposalMethod::Scrap),
            on: Some(on),
            opinion: opinion.to_owned(),
        },
    }
}

/// Registers the demo village's assets as of `as_of`, with their upkeep and disposals; returns how many
/// (none without the demo accounts).
pub(super) async fn assets(db: &Db, as_of: NaiveDate) -> Result<u64> {
    let mut who: Vec<(&str, Caller)> = Vec::new();
    for name in ["village_team", "township_admin", "county_admin"] {
        match caller_by_username(db, name).await? {
            Some(c) => who.push((name, c)),
            None => return Ok(0),
        }
    }
    let by = |name: &str| who.iter().find(|(n, _)| *n == name).map(|(_, c)| c);
    let Some(team) = by("village_team") else {
        return Ok(0);
    };
    let err = |e: crate::Error| StoreError::invalid(e.zh, e.en);
    let subject = registers::subjects(db, team, Some(VILLAGE), None)
        .await
        .map_err(err)?
        .into_iter()
        .next()
        .map(|s| {
            let head = s
                .household
                .head()
                .map(|m| m.name.clone())
                .unwrap_or_default();
            (s.household.number, head)
        });
    let village_name = crate::regions::names(db, VILLAGE)
        .await?
        .remove(VILLAGE)
        .unwrap_or_default();
    // The registry of assets is about the present: their upkeep is dated back from the real day (the
    // demo's registry date may lie years before it), so that "done" and "overdue" both show today.
    let now = crate::caller::today().max(as_of);
    let mut n = 0;
    for (i, d) in DEMOS.iter().enumerate() {
        let household = (d.owner == OwnerKind::Household)
            .then(|| subject.clone())
            .flatten();
        if d.owner == OwnerKind::Household && household.is_none() {
            continue;
        }
        let owner_name = match (&household, d.owner) {
            (Some((_, head)), _) => head.clone(),
            (None, OwnerKind::Township) => "乡人民政府".to_owned(),
            _ => format!("{village_name}股份经济合作社"),
        };
        let draft = Draft {
            name: format!("{village_name}{}", d.name),
            kind: d.kind,
            owner_kind: d.owner,
            owner_name,
            household: household.map(|(number, _)| number),
            keeper_name: ["王建国", "李红梅", "张志强", "刘玉兰"][i % 4].to_owned(),
            keeper_phone: Some(format!("1391234{:04}", 5600 + i)),
            value: Fen::from_yuan(d.yuan),
            village: VILLAGE.to_owned(),
            place: format!("{village_name}{}", ["村东", "村西", "村南", "村北"][i % 4]),
            project: None,
            year: d.year,
            state: d.state,
            upkeep_months: d.months,
        };
        let id = assets::register(db, team, draft, as_of)
            .await
            .map_err(err)?;
        if let Some(days) = d.last_upkeep {
            for (k, kind) in [UpkeepKind::Repair, UpkeepKind::Upkeep]
                .into_iter()
                .enumerate()
            {
                let upkeep = Upkeep {
                    kind,
                    on: now - Duration::days(days + 30 * (1 - k as i64)),
                    cost: Fen::from_yuan(if kind == UpkeepKind::Repair {
                        2_400
                    } else {
                        300
                    }),
                    content: if kind == UpkeepKind::Repair {
                        "更换损坏部件".to_owned()
                    } else {
                        "日常巡查清理".to_owned()
                    },
                    done_by: "管护责任人".to_owned(),
                };
                let body = Versioned {
                    version: None,
                    body: upkeep,
                };
                assets::record_upkeep(db, team, id, body, now)
                    .await
                    .map_err(err)?;
            }
        }
        if let Some(end) = d.disposal {
            let start = as_of - Duration::days(40 - i as i64);
            let propose = input(
                DisposalStep::Propose,
                DisposalDecision::Approve,
                start,
                "资产老化损毁，维修价值低，经村民代表会议同意申请处置",
            );
            assets::dispose(db, team, id, propose, as_of)
                .await
                .map_err(err)?;
            for (k, (step, account, decision, opinion)) in steps(end).into_iter().enumerate() {
                let caller = by(account).ok_or(StoreError::NotFound)?;
                let on = start + Duration::days(k as i64 * 5 + 5);
                assets::dispose(db, caller, id, input(step, decision, on, opinion), as_of)
                    .await
                    .map_err(err)?;
            }
        }
        n += 1;
    }
    Ok(n)
}
