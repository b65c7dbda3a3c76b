//! [`change`]: one change to one household (see the module doc of [`crate::households`]).

use chrono::NaiveDate;
use shouwang_core::codes::{CodeOverrides, Dibao, PoliticalStatus, Relation, Sex, Tekun};
use shouwang_core::household::changes::{
    ChangeProblem, JoinReason, check_address, check_departure, check_join, check_member,
    check_phone,
};
use shouwang_core::{CodeList, IdNumber, Member};
use shouwang_store::repo::households::{self, HouseholdDetail};
use shouwang_store::{Db, repo};

use super::{Change, ChangeRequest, HouseholdPatch, MemberPatch, MemberRef, NewMember};
use crate::caller::{Caller, today};
use crate::error::{Error, Kind, Result};

/// The result of [`change`].
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Changed {
    /// 户编号.
    pub household: String,
    /// The household's version now.
    pub version: i64,
    /// The member changed or added (row id as a string, see `MemberDto::member_id`; none after a departure
    /// or a household change).
    pub member_id: Option<String>,
    /// That member's version now.
    pub member_version: Option<i64>,
    /// Whether anything was written (a change to the values already stored writes nothing).
    pub written: bool,
}

/// A refusal by the rules of a change, every problem in both languages.
fn refused(problems: Vec<ChangeProblem>) -> Error {
    let zh: Vec<String> = problems.iter().map(ChangeProblem::message_zh).collect();
    let en: Vec<String> = problems.iter().map(ChangeProblem::message_en).collect();
    Error::invalid(zh.join("；"), en.join("; "))
}

/// A stale version found without a write (the household or member changed since the client read it).
fn stale(expected: i64, found: i64) -> Error {
    shouwang_store::StoreError::StaleVersion { expected, found }.into()
}

/// Refuses a value the county disabled (停用) unless the record already has it.
fn enabled<C: CodeList + PartialEq>(codes: &CodeOverrides, new: &C, old: Option<&C>) -> Result<()> {
    if old == Some(new) || !codes.is_disabled(new) {
        return Ok(());
    }
    Err(Error::invalid(
        format!(
            "本县已停用{}“{}”，请选择其他值",
            C::list_name_zh(),
            new.label_zh()
        ),
        format!(
            "The county disabled the {} {:?}; choose another value",
            C::list_name_en(),
            new.label_en()
        ),
    ))
}

/// Every code of `m` that differs from `old` is one the county has not disabled.
fn codes_enabled(codes: &CodeOverrides, m: &Member, old: Option<&Member>) -> Result<()> {
    enabled(codes, &m.relation, old.map(|o| &o.relation))?;
    enabled(codes, &m.labour, old.map(|o| &o.labour))?;
    for h in &m.health {
        let had = old.and_then(|o| o.health.iter().find(|x| *x == h));
        enabled(codes, h, had)?;
    }
    if let Some(e) = &m.education {
        enabled(codes, e, old.and_then(|o| o.education.as_ref()))?;
    }
    if let Some(s) = &m.school {
        enabled(codes, s, old.and_then(|o| o.school.as_ref()))?;
    }
    enabled(codes, &m.political, old.map(|o| &o.political))?;
    enabled(codes, &m.dibao, old.map(|o| &o.dibao))?;
    enabled(codes, &m.tekun, old.map(|o| &o.tekun))?;
    Ok(())
}

/// The position of a member in the household's member list.
fn position(d: &HouseholdDetail, who: MemberRef) -> Result<usize> {
    let found = match who {
        MemberRef::Row(id) => d.member_ids.iter().position(|m| *m == id),
        MemberRef::IdNumber(id) => d.household.members.iter().position(|m| m.id_number == id),
    };
    found.ok_or_else(|| {
        Error::new(
            Kind::NotFound,
            "not_found",
            "该户没有这名成员（或已减员）",
            "The household has no such member (or the member has left)",
        )
    })
}

/// The date of a change: given or `default`; never after today.
fn date_of(on: Option<NaiveDate>, default: NaiveDate, today: NaiveDate) -> Result<NaiveDate> {
    let d = on.unwrap_or(default);
    if d > today {
        return Err(refused(vec![ChangeProblem::DateInFuture(d)]));
    }
    Ok(d)
}

/// The member a [`NewMember`] describes: the ID number parsed, the sex of the ID number, the defaults
/// (群众, 未享受, 不享受).
fn new_member(n: &NewMember) -> Result<Member> {
    let id = IdNumber::parse(&n.id_number)
        .map_err(|e| Error::invalid(format!("身份证号有误：{}", e.message_zh()), e.to_string()))?;
    let sex: Sex = n.sex.unwrap_or_else(|| id.sex());
    let mut health = Vec::with_capacity(n.health.len());
    for h in &n.health {
        if !health.contains(h) {
            health.push(*h);
        }
    }
    Ok(Member {
        id_number: id,
        name: n.name.trim().to_owned(),
        sex,
        relation: n.relation,
        labour: n.labour,
        health,
        education: n.education,
        school: n.school,
        political: n.political.unwrap_or(PoliticalStatus::Masses),
        has_medical_insurance: n.has_medical_insurance,
        dibao: n.dibao.unwrap_or(Dibao::None),
        tekun: n.tekun.unwrap_or(Tekun::None),
        disability_grade: n.disability_grade,
    })
}

/// `m` with the patch's fields.
fn patched(m: &Member, p: &MemberPatch) -> Member {
    let mut out = m.clone();
    if let Some(v) = &p.name {
        out.name = v.trim().to_owned();
    }
    if let Some(v) = p.relation {
        out.relation = v;
    }
    if let Some(v) = p.labour {
        out.labour = v;
    }
    if let Some(v) = &p.health {
        out.health.clear();
        for h in v {
            if !out.health.contains(h) {
                out.health.push(*h);
            }
        }
    }
    if let Some(v) = p.disability_grade {
        out.disability_grade = v;
    }
    if let Some(v) = p.education {
        out.education = v;
    }
    if let Some(v) = p.school {
        out.school = v;
    }
    if let Some(v) = p.political {
        out.political = v;
    }
    if let Some(v) = p.has_medical_insurance {
        out.has_medical_insurance = v;
    }
    if let Some(v) = p.dibao {
        out.dibao = v;
    }
    if let Some(v) = p.tekun {
        out.tekun = v;
    }
    out
}

/// Runs one change on one household (see the module doc). Errors: [`Kind::Forbidden`] (the role may not
/// change the registry), [`Kind::NotFound`] (no such household in the caller's area, no such member),
/// [`Kind::Invalid`] (a rule of the registry; nothing written), [`Kind::Conflict`] (a stale version, code
/// `stale_version`; an ID number registered elsewhere in the county).
pub async fn change(db: &Db, caller: &Caller, req: ChangeRequest) -> Result<Changed> {
    let scope = &caller.scope;
    if !scope.role.may_change_registry() {
        return Err(Error::role_not_allowed(
            "只有村级工作专班、乡镇管理员和县级管理员可以变更农户信息",
            "Only village teams and township and county admins may change the registry",
        ));
    }
    let number = req.household.trim();
    if number.is_empty() || number.chars().count() > 64 || number.chars().any(char::is_control) {
        return Err(Error::not_found());
    }
    let d = households::get(db, scope, number)
        .await?
        .ok_or_else(Error::not_found)?;
    if !scope.may_change_household(d.household.village.as_str()) {
        return Err(Error::not_found());
    }
    let number = d.household.number.clone();
    let codes = repo::codes::overrides(db, &d.county_code).await?;
    let today = today();
    let actor = caller.actor();
    let unchanged = |member_id: Option<String>, member_version: Option<i64>| Changed {
        household: number.clone(),
        version: d.version,
        member_id,
        member_version,
        written: false,
    };
    match req.change {
        Change::AddMember(n) => {
            let m = new_member(&n)?;
            codes_enabled(&codes, &m, None)?;
            check_join(&m, n.reason, today).map_err(refused)?;
            let default = if n.reason == JoinReason::Birth {
                m.id_number.birth_date()
            } else {
                today
            };
            let on = date_of(n.on, default, today)?;
            if on < m.id_number.birth_date() {
                return Err(refused(vec![ChangeProblem::LeftBeforeBirth(on)]));
            }
            let version = households::add_member_joined(
                db,
                &actor,
                scope,
                &number,
                &m,
                n.reason,
                on,
                req.version,
            )
            .await?;
            let after = households::get(db, scope, &number)
                .await?
                .ok_or_else(Error::not_found)?;
            let i = position(&after, MemberRef::IdNumber(m.id_number))?;
            Ok(Changed {
                household: number,
                version,
                member_id: after.member_ids.get(i).map(i64::to_string),
                member_version: after.member_versions.get(i).copied(),
                written: true,
            })
        }
        Change::UpdateMember { member, patch } => {
            let i = position(&d, member)?;
            let old = &d.household.members[i];
            let (id, version_now) = (d.member_ids[i], d.member_versions[i]);
            let new = patched(old, &patch);
            if new.relation == Relation::Head && old.relation != Relation::Head {
                return Err(Error::invalid(
                    "请用“变更户主”把该成员设为户主",
                    "Use the change of head to make this member the head",
                ));
            }
            codes_enabled(&codes, &new, Some(old))?;
            // The ID number and the sex (read off it) are not changed here: a problem with them is the
            // record's since its import, not this change's, and must not block it.
            if let Err(problems) = check_member(&new, today) {
                let problems: Vec<ChangeProblem> = problems
                    .into_iter()
                    .filter(|p| {
                        !matches!(
                            p,
                            ChangeProblem::SexDisagrees | ChangeProblem::BornInFuture(_)
                        )
                    })
                    .collect();
                if !problems.is_empty() {
                    return Err(refused(problems));
                }
            }
            if &new == old {
                if req.version != version_now {
                    return Err(stale(req.version, version_now));
                }
                return Ok(unchanged(Some(id.to_string()), Some(version_now)));
            }
            let v =
                households::update_member(db, &actor, scope, &number, &new, req.version).await?;
            Ok(Changed {
                household: number,
                version: d.version,
                member_id: Some(id.to_string()),
                member_version: Some(v),
                written: true,
            })
        }
        Change::Leave { member, reason, on } => {
            let i = position(&d, member)?;
            let m = &d.household.members[i];
            let on = date_of(on, today, today)?;
            check_departure(m, on, d.household.members.len(), today).map_err(refused)?;
            let version = households::depart_member(
                db,
                &actor,
                scope,
                &number,
                m.id_number,
                reason,
                on,
                req.version,
            )
            .await?;
            Ok(Changed {
                household: number,
                version,
                member_id: None,
                member_version: None,
                written: true,
            })
        }
        Change::ChangeHead {
            member,
            former_head_becomes,
        } => {
            let i = position(&d, member)?;
            enabled(&codes, &former_head_becomes, None)?;
            let version = households::change_head(
                db,
                &actor,
                scope,
                &number,
                d.household.members[i].id_number,
                former_head_becomes,
                req.version,
            )
            .await?;
            Ok(Changed {
                household: number,
                version,
                member_id: Some(d.member_ids[i].to_string()),
                member_version: None,
                written: true,
            })
        }
        Change::UpdateHousehold(p) => update_household(db, caller, &d, &p, req.version).await,
    }
}

async fn update_household(
    db: &Db,
    caller: &Caller,
    d: &HouseholdDetail,
    p: &HouseholdPatch,
    version: i64,
) -> Result<Changed> {
    let mut h = d.household.clone();
    let mut problems = Vec::new();
    if let Some(a) = &p.address {
        match check_address(a) {
            Ok(a) => h.address = a,
            Err(e) => problems.push(e),
        }
    }
    if let Some(phone) = &p.phone {
        match check_phone(phone) {
            Ok(v) => h.phone = v,
            Err(e) => problems.push(e),
        }
    }
    if !problems.is_empty() {
        return Err(refused(problems));
    }
    if let Some(r) = p.is_relocated {
        h.is_relocated = r;
    }
    let number = h.number.clone();
    if h == d.household {
        if version != d.version {
            return Err(stale(version, d.version));
        }
        return Ok(Changed {
            household: number,
            version: d.version,
            member_id: None,
            member_version: None,
            written: false,
        });
    }
    let v = households::update(db, &caller.actor(), &caller.scope, &number, &h, version).await?;
    Ok(Changed {
        household: number,
        version: v,
        member_id: None,
        member_version: None,
        written: true,
    })
}
