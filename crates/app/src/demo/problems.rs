//! The demo village's 三保障和饮水安全 problems (issue 22, §三(四)2), as its village team finds them in the
//! quarterly campaign and the township accepts them, so that every state shows: one closed (销号) with a
//! photo as evidence, one being rectified with a photo, one open and overdue, one open and not yet due.
//! They are the village's own (its water supply, its clinic), not a household's: a household's problem
//! files a clue and keeps the household from exit, which would change the demo's lifecycle stories.
//! The photo is written through the attachment store the server uses, so that it can be downloaded.

use chrono::{Duration, NaiveDate};
use shouwang_core::codes::Guarantee;
use shouwang_core::monitoring::{NewProblem, ProblemAction, ResponsibleUnit};
use shouwang_core::{RegionCode, monitoring::Attachment};
use shouwang_store::{Db, Result, StoreError};

use crate::attachments::{self, FileStore};
use crate::caller::{Caller, caller_by_username};
use crate::problems;

/// A small grey picture (16 × 12 PNG) standing in for a rectification photo.
const PHOTO: &[u8] = &[
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x10, 0x00, 0x00, 0x00, 0x0c, 0x08, 0x00, 0x00, 0x00, 0x00, 0x4e, 0x8c, 0x62,
    0x5d, 0x00, 0x00, 0x00, 0x22, 0x49, 0x44, 0x41, 0x54, 0x78, 0xda, 0x63, 0xd0, 0x30, 0xb2, 0x71,
    0x0b, 0x88, 0x4a, 0xc9, 0xab, 0x68, 0xea, 0x99, 0xb6, 0x60, 0xd5, 0x96, 0x7d, 0x0c, 0x34, 0x11,
    0x38, 0x81, 0x06, 0x68, 0x22, 0x00, 0x00, 0x6a, 0x94, 0x76, 0x21, 0xbb, 0x66, 0xbd, 0x08, 0x00,
    0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82,
];

/// The demo village (present in every generated county).
const VILLAGE: &str = "141123208201";

fn err(e: crate::Error) -> StoreError {
    StoreError::invalid(e.zh, e.en)
}

fn problem(sector: Guarantee, found: &str, deadline: NaiveDate) -> Result<NewProblem> {
    Ok(NewProblem {
        village: RegionCode::parse(VILLAGE)
            .map_err(|e| StoreError::invalid(e.to_string(), e.to_string()))?,
        household: None,
        sector,
        found: found.to_owned(),
        unit: ResponsibleUnit::default_for(sector),
        deadline,
    })
}

async fn rectify(
    db: &Db,
    team: &Caller,
    id: i64,
    version: i64,
    done: &str,
    photo: &Attachment,
    on: NaiveDate,
) -> Result<i64> {
    let action = ProblemAction::Rectify {
        done: done.to_owned(),
        evidence: vec![photo.clone()],
    };
    Ok(problems::act(db, team, id, version, action, on)
        .await
        .map_err(err)?
        .version)
}

/// Records the demo village's problems as of `as_of`, the photo kept in `files`; returns how many.
/// Nothing when the demo accounts are missing.
pub async fn problems(db: &Db, files: &FileStore, as_of: NaiveDate) -> Result<u64> {
    let (Some(team), Some(town)) = (
        caller_by_username(db, "village_team").await?,
        caller_by_username(db, "township_admin").await?,
    ) else {
        return Ok(0);
    };
    let day = |n: i64| as_of - Duration::days(n);
    let row = attachments::upload(db, files, &team, "整改照片.png", "image/png", PHOTO).await?;
    let photo = Attachment::new(row.name, &row.sha256, row.media_type)?;

    // 已销号: the village's water supply, rectified with a photo and accepted by the township.
    let what = problem(
        Guarantee::DrinkingWater,
        "村集中供水点蓄水池清洗消毒未按期开展",
        day(30),
    )?;
    let p = problems::record(db, &team, what, day(60))
        .await
        .map_err(err)?
        .problem;
    let v = rectify(
        db,
        &team,
        p.id,
        p.version,
        "已清洗消毒蓄水池并送检，水质合格",
        &photo,
        day(45),
    )
    .await?;
    let accept = ProblemAction::Accept {
        opinion: "经入户查看，供水正常，检测报告齐全，同意销号".to_owned(),
    };
    problems::act(db, &town, p.id, v, accept, day(40))
        .await
        .map_err(err)?;
    // 整改中: the village clinic, a step with a photo, not yet accepted.
    let what = problem(
        Guarantee::BasicMedical,
        "村卫生室常用药品不全，村医待遇未按时发放",
        day(-30),
    )?;
    let p = problems::record(db, &team, what, day(15))
        .await
        .map_err(err)?
        .problem;
    rectify(
        db,
        &team,
        p.id,
        p.version,
        "已补齐常用药品，村医补助申请已报乡镇",
        &photo,
        day(5),
    )
    .await?;
    // 逾期: a water-quality test of the season not done by its deadline.
    let what = problem(
        Guarantee::DrinkingWater,
        "本季度农村饮水水质检测未开展",
        day(5),
    )?;
    problems::record(db, &team, what, day(20))
        .await
        .map_err(err)?;
    // 待整改: found this week, due next month.
    let what = problem(
        Guarantee::Housing,
        "村内一处闲置危房未拆除，存在安全隐患",
        day(-35),
    )?;
    problems::record(db, &team, what, day(2))
        .await
        .map_err(err)?;
    Ok(4)
}
