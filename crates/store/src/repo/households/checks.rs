//! Checks of a household before it is written (农户信息校验): 户编号, village, natural village, risks,
//! address, members and their ID numbers.

use std::collections::BTreeSet;

use shouwang_core::household::MAX_RISKS;
use shouwang_core::{Household, Member, RegionCode};

use crate::entity::households;
use crate::error::{Result, StoreError};

/// A checked household, ready to be written.
pub(crate) struct Valid {
    pub(crate) county: String,
    pub(crate) township: String,
    pub(crate) village: String,
    pub(crate) number: String,
    pub(crate) natural_village: Option<String>,
    pub(crate) address: String,
    pub(crate) phone: Option<String>,
}

pub(super) fn invalid(s: impl Into<String>) -> StoreError {
    StoreError::Invalid(s.into())
}

pub(super) fn check_member(m: &Member) -> Result<()> {
    let n = m.name.trim().chars().count();
    if n == 0 || n > 64 {
        return Err(invalid(format!(
            "member {}: name must have 1 to 64 characters (成员姓名不能为空)",
            m.id_number.masked()
        )));
    }
    if m.health.len() > 8 {
        return Err(invalid("too many health statuses"));
    }
    Ok(())
}

/// Checks the household-level fields (not the members).
pub(super) fn check_fields(h: &Household) -> Result<Valid> {
    let number = h.number.trim();
    if number.is_empty() || number.chars().count() > 64 || number.chars().any(char::is_whitespace) {
        return Err(invalid(
            "household number (户编号) must have 1 to 64 characters without spaces",
        ));
    }
    if h.village.code_level() != shouwang_core::codes::RegionLevel::Village {
        return Err(invalid(format!(
            "household village must be a 12-digit village or settlement code (户所在村应为 12 位村级代码), got {}",
            h.village
        )));
    }
    let natural_village = match h.natural_village.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(nv) => {
            let code = RegionCode::parse(nv).map_err(|e| {
                invalid(format!("natural village {nv:?}: {e} ({})", e.message_zh()))
            })?;
            if code.village() != h.village.as_str() || code.as_str().len() <= 12 {
                return Err(invalid(format!(
                    "natural village {nv} is not under village {} (自然村不属于该村)",
                    h.village
                )));
            }
            Some(code.as_str().to_owned())
        }
    };
    if h.risks.len() > MAX_RISKS {
        return Err(invalid(format!(
            "at most {MAX_RISKS} risk types per household (风险类型最多 {MAX_RISKS} 项)"
        )));
    }
    if h.address.chars().count() > 200 {
        return Err(invalid("address too long (地址过长)"));
    }
    Ok(Valid {
        county: h.village.county().to_owned(),
        township: h.village.township().to_owned(),
        village: h.village.as_str().to_owned(),
        number: number.to_owned(),
        natural_village,
        address: h.address.trim().to_owned(),
        phone: h
            .phone
            .as_deref()
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(str::to_owned),
    })
}

/// Checks a whole new household: fields, at least one member, members, no ID number twice.
pub(crate) fn check_household(h: &Household) -> Result<Valid> {
    let v = check_fields(h)?;
    if h.members.is_empty() {
        return Err(invalid(
            "a household needs at least one member (农户至少应有一名成员)",
        ));
    }
    let mut seen = BTreeSet::new();
    for m in &h.members {
        check_member(m)?;
        if !seen.insert(m.id_number) {
            return Err(invalid(format!(
                "ID number {} appears twice in the household (同一身份证号重复)",
                m.id_number
            )));
        }
    }
    Ok(v)
}

pub(crate) fn valid_of(h: &households::Model) -> Valid {
    Valid {
        county: h.county_code.clone(),
        township: h.township_code.clone(),
        village: h.village_code.clone(),
        number: h.number.clone(),
        natural_village: h.natural_village.clone(),
        address: h.address.clone(),
        phone: h.phone.clone(),
    }
}
