//! 监测线设置: who sets which monitoring line (防止返贫监测线, §三(一)1; issue 19, least privilege).
//!
//! - The province admin 省级管理员 sets its province's line by year, and whether its counties may set their
//!   own (省级统一 or 县级可定).
//! - The county admin sets its county's own line by year while the province allows it — never the
//!   province's: in a shared install one county's edit would change every other county's line.
//! - Every role of the registry reads the lines in force for its area.

use shouwang_core::{CountyLine, Fen, MonitoringLine, Role};
use shouwang_store::repo::lines;
use shouwang_store::{Db, StoreError};

use crate::caller::Caller;
use crate::error::{Error, Result};

/// Whether `role` reads the lines: every role of the registry and the province admin.
pub fn may_read(role: Role) -> bool {
    role.may_read_registry() || role.may_set_province_line()
}

/// Which line a `PUT` of the caller sets.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Sets {
    /// The province's line (the province admin).
    Province,
    /// The county's own line (the county admin, while the province allows it).
    County,
}

/// The lines of the caller's province and county, and what the caller may change.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LinesView {
    /// The province (2 digits).
    pub province: String,
    /// The caller's county (6 digits); `None` for the province admin.
    pub county: Option<String>,
    /// Every province's line by province and year.
    pub lines: Vec<MonitoringLine>,
    /// The counties' own lines: the caller's county's, or every county of the province for the province
    /// admin.
    pub county_lines: Vec<CountyLine>,
    /// Whether the province's counties may set their own line.
    pub county_lines_allowed: bool,
    /// Which line the caller may set, if any.
    pub sets: Option<Sets>,
}

impl LinesView {
    /// Whether the caller may set the province's policy (the province admin).
    pub fn sets_policy(&self) -> bool {
        self.sets == Some(Sets::Province)
    }
}

/// The province and (below the province level) the county of the caller.
fn area(caller: &Caller) -> Result<(String, Option<String>)> {
    if !may_read(caller.scope.role) {
        return Err(Error::forbidden());
    }
    if caller.scope.role.may_set_province_line() {
        let p = caller.scope.area_prefix().trim();
        if p.len() == 2 && p.bytes().all(|b| b.is_ascii_digit()) {
            return Ok((p.to_owned(), None));
        }
        return Err(Error::forbidden());
    }
    let county = caller.county()?;
    Ok((county[..2].to_owned(), Some(county)))
}

/// The lines as the caller sees them.
pub async fn view(db: &Db, caller: &Caller) -> Result<LinesView> {
    let (province, county) = area(caller)?;
    let table = lines::table(db).await?;
    let allowed = table.county_lines_allowed(&province);
    let county_lines = table
        .county_lines()
        .iter()
        .filter(|l| match &county {
            Some(c) => &l.county == c,
            None => l.county.starts_with(&province),
        })
        .cloned()
        .collect();
    let sets = if caller.scope.may_set_province_line(&province) {
        Some(Sets::Province)
    } else {
        county
            .as_deref()
            .filter(|c| allowed && caller.scope.may_configure(c))
            .map(|_| Sets::County)
    };
    Ok(LinesView {
        lines: table.lines().to_vec(),
        county_lines,
        county_lines_allowed: allowed,
        sets,
        province,
        county,
    })
}

fn refused(caller: &Caller) -> Error {
    let mut e = Error::forbidden();
    e.code = "role_not_allowed".to_owned();
    if caller.scope.role == Role::CountyAdmin {
        e.zh = "本省由省级统一设定监测线，县级不能单独设定".to_owned();
        e.en = "The province sets one line for all its counties; a county may not set its own"
            .to_owned();
    } else {
        e.zh = "只有省级管理员可以设定本省监测线，县级管理员在省级允许时设定本县监测线".to_owned();
        e.en = "Only the province admin sets the province's line; a county admin sets the county's own where the province allows it".to_owned();
    }
    e
}

/// Sets the line of `year` the caller may set ([`LinesView::sets`]): the province's for the province
/// admin, the county's own for the county admin while allowed. Audited.
pub async fn set(db: &Db, caller: &Caller, year: i32, line: Fen) -> Result<LinesView> {
    let v = view(db, caller).await?;
    let actor = caller.actor();
    match (v.sets, &v.county) {
        (Some(Sets::Province), _) => {
            let record = MonitoringLine {
                province: v.province.clone(),
                year,
                line,
            };
            lines::set(db, &actor, &record).await?;
        }
        (Some(Sets::County), Some(county)) => {
            let record = CountyLine {
                county: county.clone(),
                year,
                line,
            };
            match lines::set_county(db, &actor, &record).await {
                // The province closed county lines between the read and the write.
                Err(StoreError::Conflict { .. }) => return Err(refused(caller)),
                r => r?,
            }
        }
        _ => return Err(refused(caller)),
    }
    view(db, caller).await
}

/// Sets whether the counties of the caller's province may set their own line (the province admin only).
/// Closing keeps the counties' lines on record; they stop applying until it is opened again. Audited.
pub async fn set_county_policy(db: &Db, caller: &Caller, allowed: bool) -> Result<LinesView> {
    let v = view(db, caller).await?;
    if !v.sets_policy() {
        return Err(refused(caller));
    }
    lines::set_county_policy(db, &caller.actor(), &v.province, allowed).await?;
    view(db, caller).await
}
