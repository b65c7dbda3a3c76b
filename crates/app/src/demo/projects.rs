//! The demo village's projects (项目库, issue 23), taken through `projects::{apply_new, review, pay}` by the
//! four demo roles so that every state shows — 待乡审核, 待行业部门论证, 待县备案, 已入库备案 (one partly
//! paid, one paid in full), 已退回修改 and 不予入库 — each role's queue has one project and the payment
//! progress board has figures by township and fund source.

use chrono::{Duration, NaiveDate};
use shouwang_core::money::Fen;
use shouwang_core::project::{
    Decision, Draft, FundSource, Payment, Plan, ProjectKind, ProjectState, Step,
};
use shouwang_store::{Db, Result, StoreError};

use crate::caller::{Caller, caller_by_username};
use crate::projects::{self, ApplyBody, StepInput};
use crate::registers;

const VILLAGE: &str = "141123208201";

/// A demo project: name, type, plan (yuan by source), how far it goes, the payments (yuan by source).
struct Demo {
    name: &'static str,
    kind: ProjectKind,
    content: &'static str,
    plan: &'static [(FundSource, i64)],
    end: ProjectState,
    paid: &'static [(FundSource, i64)],
}

const DEMOS: &[Demo] = &[
    Demo {
        name: "饮水安全巩固提升工程",
        kind: ProjectKind::Infrastructure,
        content: "更换供水管网3.2公里，新建蓄水池1座",
        plan: &[(FundSource::Central, 420_000), (FundSource::County, 60_000)],
        end: ProjectState::Submitted,
        paid: &[],
    },
    Demo {
        name: "小杂粮加工车间",
        kind: ProjectKind::Industry,
        content: "新建加工车间600平方米，购置加工设备",
        plan: &[
            (FundSource::Province, 500_000),
            (FundSource::Integrated, 200_000),
        ],
        end: ProjectState::TownshipApproved,
        paid: &[],
    },
    Demo {
        name: "乡村公益性岗位开发",
        kind: ProjectKind::Employment,
        content: "开发保洁、护路公益岗位20个",
        plan: &[(FundSource::County, 240_000)],
        end: ProjectState::DepartmentApproved,
        paid: &[],
    },
    Demo {
        name: "肉牛养殖园区",
        kind: ProjectKind::Industry,
        content: "新建标准化牛舍1200平方米、饲草料棚300平方米",
        plan: &[
            (FundSource::Central, 800_000),
            (FundSource::County, 200_000),
        ],
        end: ProjectState::Filed,
        paid: &[(FundSource::Central, 300_000), (FundSource::County, 50_000)],
    },
    Demo {
        name: "村内道路硬化",
        kind: ProjectKind::Infrastructure,
        content: "硬化村内道路2.5公里",
        plan: &[(FundSource::Central, 400_000)],
        end: ProjectState::Filed,
        paid: &[
            (FundSource::Central, 250_000),
            (FundSource::Central, 150_000),
        ],
    },
    Demo {
        name: "光伏+蔬菜大棚",
        kind: ProjectKind::Industry,
        content: "新建光伏农业大棚10座",
        plan: &[(FundSource::City, 300_000), (FundSource::Other, 100_000)],
        end: ProjectState::Returned,
        paid: &[],
    },
    Demo {
        name: "村文化广场",
        kind: ProjectKind::PublicService,
        content: "新建文化广场1500平方米",
        plan: &[(FundSource::County, 350_000)],
        end: ProjectState::Refused,
        paid: &[],
    },
];

fn step(step: Step, decision: Decision, on: NaiveDate, opinion: &str) -> StepInput {
    StepInput {
        step,
        decision,
        on: Some(on),
        opinion: opinion.to_owned(),
        attachments: Vec::new(),
    }
}

/// The flow of a demo project after its application: (step, role's account, decision, opinion), up to
/// its end state.
fn steps(end: ProjectState) -> Vec<(Step, &'static str, Decision, &'static str)> {
    let all = [
        (
            Step::TownshipReview,
            "township_admin",
            Decision::Approve,
            "经乡党委会研究，同意上报",
        ),
        (
            Step::DepartmentReview,
            "department",
            Decision::Approve,
            "经行业部门论证，项目可行",
        ),
        (
            Step::CountyFiling,
            "county_admin",
            Decision::Approve,
            "同意纳入县级项目库备案",
        ),
    ];
    match end {
        ProjectState::Submitted => Vec::new(),
        ProjectState::TownshipApproved => all[..1].to_vec(),
        ProjectState::DepartmentApproved => all[..2].to_vec(),
        ProjectState::Filed => all.to_vec(),
        ProjectState::Returned => vec![(
            Step::TownshipReview,
            "township_admin",
            Decision::Return,
            "预算明细不全，请补充后重新申报",
        )],
        ProjectState::Refused => vec![
            all[0],
            (
                Step::DepartmentReview,
                "department",
                Decision::Refuse,
                "不属于衔接资金支持范围，建议申请其他渠道资金",
            ),
        ],
    }
}

/// Takes the demo village's projects through their flows and payments as of `as_of`; returns how many
/// projects (none without the demo accounts).
pub(super) async fn projects(db: &Db, as_of: NaiveDate) -> Result<u64> {
    let mut who: Vec<(&str, Caller)> = Vec::new();
    for name in [
        "village_team",
        "township_admin",
        "department",
        "county_admin",
    ] {
        match caller_by_username(db, name).await? {
            Some(c) => who.push((name, c)),
            None => return Ok(0),
        }
    }
    let by = |name: &str| who.iter().find(|(n, _)| *n == name).map(|(_, c)| c);
    let (Some(team), Some(county)) = (by("village_team"), by("county_admin")) else {
        return Ok(0);
    };
    let err = |e: crate::Error| StoreError::invalid(e.zh, e.en);
    let linked: Vec<String> = registers::subjects(db, team, Some(VILLAGE), None)
        .await
        .map_err(err)?
        .into_iter()
        .take(3)
        .map(|s| s.household.number)
        .collect();
    let village_name = crate::regions::names(db, VILLAGE)
        .await?
        .remove(VILLAGE)
        .unwrap_or_default();
    let start = as_of - Duration::days(120);
    let mut n = 0;
    for (i, d) in DEMOS.iter().enumerate() {
        let day = |k: i64| start + Duration::days(i as i64 * 3 + k * 7);
        let draft = Draft {
            name: format!("{village_name}{}", d.name),
            kind: d.kind,
            village: VILLAGE.to_owned(),
            place: village_name.clone(),
            content: d.content.to_owned(),
            year_from: chrono::Datelike::year(&as_of),
            year_to: chrono::Datelike::year(&as_of),
            plan: d
                .plan
                .iter()
                .map(|(s, y)| (*s, Fen::from_yuan(*y)))
                .collect::<Plan>(),
            households: if d.kind == ProjectKind::Industry {
                linked.clone()
            } else {
                Vec::new()
            },
        };
        let body = ApplyBody {
            project: draft,
            on: Some(day(0)),
            opinion: "经村“两委”会议和村民代表会议研究通过".to_owned(),
            attachments: Vec::new(),
        };
        let id = projects::apply_new(db, team, body, as_of)
            .await
            .map_err(err)?;
        for (k, (s, account, decision, opinion)) in steps(d.end).into_iter().enumerate() {
            let caller = by(account).ok_or(StoreError::NotFound)?;
            let input = step(s, decision, day(k as i64 + 1), opinion);
            projects::review(db, caller, id, None, input, as_of)
                .await
                .map_err(err)?;
        }
        for (k, (source, yuan)) in d.paid.iter().enumerate() {
            let payment = Payment {
                source: *source,
                paid_on: day(5 + k as i64 * 2).min(as_of),
                amount: Fen::from_yuan(*yuan),
                voucher: format!("国库集中支付{:04}", i * 10 + k + 1),
            };
            projects::pay(db, county, id, None, &payment, as_of)
                .await
                .map_err(err)?;
        }
        n += 1;
    }
    Ok(n)
}
