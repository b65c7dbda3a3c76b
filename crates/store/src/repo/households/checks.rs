//! Checks of a household before it is written (农户信息校验): 户编号, village, natural village, risks,
//! address, members and their ID numbers.

use shouwang_core::household::{MAX_RISKS, validate_members};
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

pub(super) fn check_member(m: &Member) -> Result<()> {
    let n = m.name.trim().chars().count();
    if n == 0 || n > 64 {
        return Err(StoreError::invalid(
            format!("成员 {} 的姓名应为 1 至 64 个字符", m.id_number.masked()),
            format!(
                "Member {}: the name must have 1 to 64 characters",
                m.id_number.masked()
            ),
        ));
    }
    if m.health.len() > 8 {
        return Err(StoreError::invalid(
            format!("成员 {} 的健康状况最多填写 8 项", m.id_number.masked()),
            format!("Member {}: at most 8 health statuses", m.id_number.masked()),
        ));
    }
    Ok(())
}

/// Checks the household-level fields (not the members).
pub(super) fn check_fields(h: &Household) -> Result<Valid> {
    let number = h.number.trim();
    if number.is_empty() || number.chars().count() > 64 || number.chars().any(char::is_whitespace) {
        return Err(StoreError::invalid(
            "户编号应为 1 至 64 个字符，不含空格",
            "The household number must have 1 to 64 characters without spaces",
        ));
    }
    if h.village.code_level() != shouwang_core::codes::RegionLevel::Village {
        return Err(StoreError::invalid(
            format!("户所在村应为 12 位村级代码，收到 {}", h.village),
            format!(
                "The household's village must be a 12-digit village or settlement code, got {}",
                h.village
            ),
        ));
    }
    let natural_village = match h.natural_village.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(nv) => {
            let code = RegionCode::parse(nv).map_err(|e| {
                StoreError::invalid(
                    format!("自然村代码“{nv}”有误：{}", e.message_zh()),
                    format!("Natural village {nv:?}: {e}"),
                )
            })?;
            if code.village() != h.village.as_str() || code.as_str().len() <= 12 {
                return Err(StoreError::invalid(
                    format!("自然村 {nv} 不属于村 {}", h.village),
                    format!("Natural village {nv} is not under village {}", h.village),
                ));
            }
            Some(code.as_str().to_owned())
        }
    };
    if h.risks.len() > MAX_RISKS {
        return Err(StoreError::invalid(
            format!("风险类型最多 {MAX_RISKS} 项"),
            format!("At most {MAX_RISKS} risk types per household"),
        ));
    }
    if h.address.chars().count() > 200 {
        return Err(StoreError::invalid(
            "地址过长（最多 200 个字）",
            "The address is too long (at most 200 characters)",
        ));
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

/// Checks a whole new household: fields, members, and the whole-household rules of core (at least one
/// member, exactly one 户主, at most one 配偶, no ID number twice: [`Household::validate`]).
pub(crate) fn check_household(h: &Household) -> Result<Valid> {
    let v = check_fields(h)?;
    check_members_after(&h.members)?;
    for m in &h.members {
        check_member(m)?;
    }
    Ok(v)
}

/// The whole-household rules of core ([`validate_members`]) on the members a write leaves: a change that
/// breaks one (a second 户主, the 户主 removed, an ID number twice) is refused with every reason.
pub(crate) fn check_members_after<'a>(members: impl IntoIterator<Item = &'a Member>) -> Result<()> {
    validate_members(members).map_err(|problems| {
        let zh: Vec<String> = problems.iter().map(|p| p.message_zh()).collect();
        let en: Vec<String> = problems.iter().map(|p| p.message_en()).collect();
        StoreError::invalid(zh.join("；"), en.join("; "))
    })
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
