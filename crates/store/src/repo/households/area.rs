//! The area of a read: the scope's area narrowed by a region filter, and its SQL conditions.

use shouwang_core::{RegionCode, Scope};

use crate::repo::{Sql, prefix_upper};

/// The effective area of a read: the scope's area narrowed by an optional region filter. `None` when the
/// two do not overlap (or the scope's area is empty): the read answers nothing.
pub(crate) fn effective_area(scope: &Scope, region: Option<&str>) -> Option<String> {
    let area = scope.area_prefix().to_owned();
    let well_formed = |a: &str| a.bytes().all(|b| b.is_ascii_digit() || b == b'-');
    if area.is_empty() || !well_formed(&area) {
        return None;
    }
    let Some(region) = region.map(str::trim).filter(|r| !r.is_empty()) else {
        return Some(area);
    };
    // A region filter that is no region code matches nothing.
    let filter = RegionCode::parse(region).ok()?.scope_prefix().to_owned();
    if filter.starts_with(&area) {
        Some(filter)
    } else if area.starts_with(&filter) {
        Some(area)
    } else {
        None
    }
}

/// Appends ` AND …` conditions restricting households `h` to `area` (all by equality where the area is a
/// county, township, village or natural village, so the composite indexes are used).
pub(crate) fn push_household_area(sql: &mut Sql, area: &str) {
    if area.len() < 6 {
        sql.push(" AND h.county_code >= ")
            .bind(area)
            .push(" AND h.county_code < ")
            .bind(prefix_upper(area));
        return;
    }
    sql.push(" AND h.county_code = ")
        .bind(area.get(..6).unwrap_or(area));
    match area.len() {
        6 => {}
        9 => {
            sql.push(" AND h.township_code = ").bind(area);
        }
        12 => {
            sql.push(" AND h.village_code = ").bind(area);
        }
        n if n > 12 && area.as_bytes().get(12) == Some(&b'-') => {
            sql.push(" AND h.village_code = ")
                .bind(area.get(..12).unwrap_or(area))
                .push(" AND h.natural_village = ")
                .bind(area);
        }
        _ => {
            sql.push(" AND h.village_code >= ")
                .bind(area)
                .push(" AND h.village_code < ")
                .bind(prefix_upper(area));
        }
    }
}

/// Same for a table `alias` with `county_code` and `village_code` columns (members `m`, initials `k`):
/// county equality, village prefix as a range (inside the name index / the initials key). A natural-village
/// area is narrowed to its village here; the caller adds the `h.natural_village` condition.
pub(super) fn push_area_on(sql: &mut Sql, alias: &str, area: &str) {
    let (Some(county), true) = (area.get(..6), area.len() >= 6) else {
        sql.push(&format!(" AND {alias}.county_code >= "))
            .bind(area)
            .push(&format!(" AND {alias}.county_code < "))
            .bind(prefix_upper(area));
        return;
    };
    sql.push(&format!(" AND {alias}.county_code = "))
        .bind(county);
    if area.len() > 6 {
        let village_part = area.get(..12).unwrap_or(area);
        sql.push(&format!(" AND {alias}.village_code >= "))
            .bind(village_part)
            .push(&format!(" AND {alias}.village_code < "))
            .bind(prefix_upper(village_part));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn effective_areas() {
        let s = Scope::new(1, shouwang_core::Role::TownshipAdmin, "141123100");
        assert_eq!(effective_area(&s, None).as_deref(), Some("141123100"));
        assert_eq!(
            effective_area(&s, Some("141123100201")).as_deref(),
            Some("141123100201")
        );
        assert_eq!(
            effective_area(&s, Some("141123")).as_deref(),
            Some("141123100")
        );
        assert_eq!(effective_area(&s, Some("141123101201")), None);
        let empty = Scope::new(1, shouwang_core::Role::Auditor, "");
        assert_eq!(effective_area(&empty, None), None);
    }
}
