//! The regions of the user's area as page choices and names.

use std::collections::HashMap;

use shouwang_core::codes::RegionLevel;
use shouwang_core::region::Region;
use shouwang_store::{Db, repo};

use crate::http::error::AppError;

/// A region for a `<select>`.
pub struct RegionOption {
    pub code: String,
    pub label: String,
    pub level: RegionLevel,
}

/// The county, townships, villages and settlement points inside `area` (no natural villages), with
/// indented labels, in code order.
pub async fn region_options(db: &Db, area: &str) -> Result<Vec<RegionOption>, AppError> {
    let regions = repo::regions::list_under(db, area).await?;
    let mut out: Vec<RegionOption> = regions
        .into_iter()
        .filter(|r| r.level != RegionLevel::NaturalVillage)
        .map(|r: Region| {
            let indent = match r.level {
                RegionLevel::County => "",
                RegionLevel::Township => "　",
                _ => "　　",
            };
            RegionOption {
                code: r.code.scope_prefix().to_string(),
                label: format!("{indent}{}", r.name),
                level: r.level,
            }
        })
        .collect();
    out.sort_by(|a, b| a.code.cmp(&b.code));
    Ok(out)
}

/// Names of the regions inside `area`, by scope prefix (for showing codes as names).
pub async fn region_names(db: &Db, area: &str) -> Result<HashMap<String, String>, AppError> {
    Ok(shouwang_app::regions::names(db, area).await?)
}
