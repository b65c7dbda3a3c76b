//! 区划: the names of the regions of an area, for showing codes as names (lists, figures, the audit log).

use std::collections::HashMap;

use shouwang_store::repo;
use shouwang_store::{Db, Result};

/// Names of the regions inside `area`, by scope prefix (6 county, 9 township, 12 village digits).
pub async fn names(db: &Db, area: &str) -> Result<HashMap<String, String>> {
    Ok(repo::regions::list_under(db, area)
        .await?
        .into_iter()
        .map(|r| (r.code.scope_prefix().to_string(), r.name))
        .collect())
}
