//! 公益岗位 (B1 §四(一)3 "公益岗位援助一批", A4 §三(二) "两无"老人看护, issue 21): the use cases of the
//! public-welfare post register — the township or county sets up a post ([`create`]) and changes it, its
//! holder and the people it cares for ([`update`]); the reads: the list ([`list`]) and a post ([`show`]). The
//! holder is a member of the registry in the caller's area (ID number masked; the household's page shows
//! it in full to the roles that may see it, audited); a member holds one post 在岗 at a time; a 两无老人看护 post cares for members whom the 低收入人口
//! register counts as “两无”老人. The rules are `shouwang_core::welfare_post`; the rows
//! `shouwang_store::repo::welfare_posts`.

use std::collections::HashMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use shouwang_core::Role;
use shouwang_core::register::low_income::Category;
use shouwang_core::welfare_post::{Draft, Funding, MemberRef, PostKind, PostState};
use shouwang_store::repo::welfare_posts::{Person, PostRow, Posted};
use shouwang_store::{Db, StoreError, repo};

use crate::assets::Versioned;
use crate::caller::Caller;
use crate::error::Error;
use crate::projects::reads::{Names, area_of, code_of};

/// The roles that set up posts (the township, within its area; the county).
pub const KEEPERS: &[Role] = &[Role::TownshipAdmin, Role::CountyAdmin];

/// May read the register: every role of the registry.
pub fn may_read(role: Role) -> bool {
    role.may_read_registry()
}

fn may_keep(caller: &Caller) -> Result<(), Error> {
    if KEEPERS.contains(&caller.scope.role) {
        Ok(())
    } else {
        Err(Error::role_not_allowed(
            "公益岗位由乡镇、县级管理人员设置",
            "Posts are set up by the township or the county",
        ))
    }
}

/// A filter of [`list`].
#[derive(Clone, Debug, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
pub struct ListFilter {
    /// A township or village inside the caller's area.
    pub area: Option<String>,
    /// Only posts in this state (`held`, `vacant`, `dismissed`, or 在岗/空缺/解聘).
    pub state: Option<String>,
}

/// A member as a post shows him.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PersonView {
    /// 户编号.
    pub household: String,
    /// 姓名 (empty: no longer in the registry).
    pub name: String,
    /// 身份证号 (masked: the full number is read on the household's page, audited).
    pub id_number: String,
}

/// A post as listed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Entry {
    /// Row id (岗位编号).
    pub id: i64,
    /// 岗位名称.
    pub name: String,
    /// 岗位类别.
    pub kind: PostKind,
    /// 行政村 code.
    pub village: String,
    /// 行政村 name.
    pub village_name: String,
    /// 资金来源.
    pub funding: Funding,
    /// 月补贴（元）.
    pub monthly_pay: Option<u32>,
    /// 聘用人员.
    pub holder: Option<PersonView>,
    /// 聘用起止.
    pub from: Option<NaiveDate>,
    /// 聘用截止.
    pub to: Option<NaiveDate>,
    /// 岗位状态.
    pub state: PostState,
    /// 岗位职责.
    pub duties: String,
    /// 看护对象 (两无老人看护).
    pub cared: Vec<PersonView>,
    /// Version (send it back with a change).
    pub version: i64,
}

/// Household numbers by row id, for the people a list names.
async fn numbers(db: &Db, rows: &[PostRow]) -> Result<HashMap<i64, String>, Error> {
    let mut out = HashMap::new();
    for r in rows {
        let refs = r.draft.holder.iter().chain(r.draft.cared.iter());
        for m in refs {
            if let Some((id, _)) =
                repo::register_records::locate(db.conn(), &r.county_code, &m.household).await?
            {
                out.insert(id, m.household.clone());
            }
        }
    }
    Ok(out)
}

async fn entries(db: &Db, caller: &Caller, rows: &[PostRow]) -> Result<Vec<Entry>, Error> {
    let Some(first) = rows.first() else {
        return Ok(Vec::new());
    };
    let county = first.county_code.clone();
    let names = Names::of_county(db, Some(&county)).await?;
    let one = rows.first().filter(|_| rows.len() == 1).map(|r| r.id);
    let cared = repo::welfare_posts::cared(db, &caller.scope, one).await?;
    let mut ids: Vec<i64> = rows
        .iter()
        .filter_map(|r| r.holder.map(|h| h.member_id))
        .collect();
    ids.extend(cared.iter().map(|(_, p)| p.member_id));
    let people = repo::welfare_posts::people(db, &county, &ids).await?;
    let numbers = numbers(db, rows).await?;
    let view = |p: &Person| PersonView {
        household: numbers.get(&p.household_id).cloned().unwrap_or_default(),
        name: people
            .get(&p.member_id)
            .map(|m| m.name.clone())
            .unwrap_or_default(),
        id_number: people
            .get(&p.member_id)
            .map(|m| m.id_number.masked())
            .unwrap_or_default(),
    };
    Ok(rows
        .iter()
        .map(|r| Entry {
            id: r.id,
            name: r.draft.name.clone(),
            kind: r.draft.kind,
            village: r.village_code.clone(),
            village_name: names.get(&r.village_code),
            funding: r.draft.funding,
            monthly_pay: r.draft.monthly_pay,
            holder: r.holder.as_ref().map(view),
            from: r.draft.from,
            to: r.draft.to,
            state: r.draft.state,
            duties: r.draft.duties.clone(),
            cared: cared
                .iter()
                .filter(|(post, _)| *post == r.id)
                .map(|(_, p)| view(p))
                .collect(),
            version: r.version,
        })
        .collect())
}

/// The posts of the caller's area (filtered), by village and name.
pub async fn list(db: &Db, caller: &Caller, filter: &ListFilter) -> Result<Vec<Entry>, Error> {
    if !may_read(caller.scope.role) {
        return Err(Error::forbidden());
    }
    let area = area_of(filter.area.as_deref())?;
    let state = code_of("岗位状态", filter.state.as_deref())?;
    let rows = repo::welfare_posts::list(db, &caller.scope, area, state).await?;
    entries(db, caller, &rows).await
}

async fn post_row(db: &Db, caller: &Caller, id: i64) -> Result<PostRow, Error> {
    if !may_read(caller.scope.role) {
        return Err(Error::not_found());
    }
    repo::welfare_posts::get(db, &caller.scope, id)
        .await?
        .ok_or_else(Error::not_found)
}

/// The post `id` of the caller's area. 404 outside it.
pub async fn show(db: &Db, caller: &Caller, id: i64) -> Result<Entry, Error> {
    let row = post_row(db, caller, id).await?;
    entries(db, caller, std::slice::from_ref(&row))
        .await?
        .pop()
        .ok_or_else(Error::not_found)
}

/// A member of a household of the caller's area: 404 no such household, 403 outside the area, 422 no such
/// member.
async fn person(db: &Db, caller: &Caller, m: &MemberRef) -> Result<Person, Error> {
    let county = caller.county()?;
    let (household_id, village) = repo::register_records::locate(db.conn(), &county, &m.household)
        .await?
        .ok_or_else(Error::not_found)?;
    if !caller.scope.covers(&village) {
        return Err(Error::forbidden());
    }
    let member_id = repo::welfare_posts::resolve(db.conn(), &county, household_id, m.position)
        .await?
        .ok_or_else(|| {
            Error::invalid(
                format!("户编号{}没有第{}位成员", m.household, m.position + 1),
                "No such member",
            )
        })?;
    Ok(Person {
        household_id,
        member_id,
    })
}

/// Checks the post and resolves its people: the rules, the village in the caller's area, the holder and
/// the people cared for members of the area's households, each cared-for person a “两无”老人 of the
/// 低收入人口 register.
async fn checked(
    db: &Db,
    caller: &Caller,
    draft: &Draft,
    today: NaiveDate,
) -> Result<(Option<Person>, Vec<Person>), Error> {
    draft.validate(today)?;
    if !caller.scope.covers(&draft.village) {
        return Err(Error::role_not_allowed(
            "只能设置本辖区的公益岗位",
            "Only posts inside the user's area",
        ));
    }
    let holder = match &draft.holder {
        Some(m) => Some(person(db, caller, m).await?),
        None => None,
    };
    let mut cared = Vec::new();
    for m in &draft.cared {
        let p = person(db, caller, m).await?;
        let sheet = crate::registers::low_income::show(db, caller, &m.household, today).await?;
        let two_without = sheet
            .entry
            .reasons
            .iter()
            .any(|r| r.category == Category::TwoWithout && r.position == Some(m.position));
        if !two_without {
            return Err(Error::invalid(
                format!(
                    "户编号{}的第{}位成员不在低收入人口“两无”老人范围内",
                    m.household,
                    m.position + 1
                ),
                "The person cared for is no elderly person without labour and support",
            ));
        }
        cared.push(p);
    }
    Ok((holder, cared))
}

fn posted(p: Posted) -> Result<i64, Error> {
    match p {
        Posted::Done(id) => Ok(id),
        Posted::Busy(_, name) => Err(Error::conflict(
            format!("该人员已在公益岗位“{name}”在岗，一人只能有一个在岗的公益岗位"),
            "The member holds another post already",
        )),
    }
}

/// Sets up a post; its id. Refused (nothing written): another role (403), a post the rules refuse — 光伏收益
/// without a monthly pay among them — (422), a village or a person outside the caller's area (403), a
/// household that does not exist (404), a holder on another post 在岗 (409).
pub async fn create(
    db: &Db,
    caller: &Caller,
    draft: Draft,
    today: NaiveDate,
) -> Result<i64, Error> {
    may_keep(caller)?;
    let draft = draft.normalized();
    let (holder, cared) = checked(db, caller, &draft, today).await?;
    let county = caller.county()?;
    posted(repo::welfare_posts::create(db, &caller.actor(), &county, &draft, holder, &cared).await?)
}

/// Changes the post `id` (with the version read): its fields, holder, state (解聘, 空缺) and the people it
/// cares for. Refused (nothing written): a stale version (409) and what [`create`] refuses.
pub async fn update(
    db: &Db,
    caller: &Caller,
    id: i64,
    change: Versioned<Draft>,
    today: NaiveDate,
) -> Result<(), Error> {
    may_keep(caller)?;
    let row = post_row(db, caller, id).await?;
    if let Some(v) = change.version
        && v != row.version
    {
        return Err(StoreError::StaleVersion {
            expected: v,
            found: row.version,
        }
        .into());
    }
    let draft = change.body.normalized();
    let (holder, cared) = checked(db, caller, &draft, today).await?;
    posted(repo::welfare_posts::update(db, &caller.actor(), &row, &draft, holder, &cared).await?)
        .map(|_| ())
}

/// The names of the posts 在岗 that care for a member of the household `household_id` (A4's household page:
/// "由公益岗位 X 看护"), with the member's row id.
pub async fn caring_for(
    db: &Db,
    caller: &Caller,
    household_id: i64,
) -> Result<Vec<(String, i64)>, Error> {
    Ok(repo::welfare_posts::caring_for(db, &caller.scope, household_id).await?)
}
