//! Reading the registry 农户信息查询: the search and one household, for every surface, with the reads
//! that must be watched written to the audit log here ([`crate::privacy`]), so that no page, API route or
//! command can show a full ID number, or answer a search by one, without its audit row.

use shouwang_store::Db;
use shouwang_store::repo::households::{HouseholdDetail, HouseholdRow};
use shouwang_store::repo::registry::RegistryQuery;
use shouwang_store::repo::{self, Page};

use crate::caller::Caller;
use crate::error::{Error, Result};
use crate::privacy;

/// The households of the caller's area matching `query`, one page. A search by a full ID number is
/// written to the audit log with what it matched, and refused past the hourly allowance of a role that
/// sees only masked numbers ([`privacy::id_search`]).
pub async fn search(
    db: &Db,
    caller: &Caller,
    query: &RegistryQuery,
    page: u32,
    per_page: u32,
) -> Result<Page<HouseholdRow>> {
    may_read(caller)?;
    let by_id = privacy::id_search(db, caller, query.base.q.as_deref()).await?;
    let found = repo::registry::search(db, &caller.scope, query, page, per_page).await?;
    if let Some(s) = by_id {
        let matched: Vec<(&str, &str)> = found
            .items
            .iter()
            .map(|r| (r.number.as_str(), r.village_code.as_str()))
            .collect();
        s.matched(db, caller, &matched).await?;
    }
    Ok(found)
}

/// The department data provider reads no household ([`shouwang_core::Role::may_read_households`]); a grid
/// member 网格员 reads its grid's (its area, `Scope::grid`, in the store's query).
fn may_read(caller: &Caller) -> Result<()> {
    if caller.scope.role.may_read_households() {
        Ok(())
    } else {
        Err(Error::role_not_allowed(
            "部门数据员只上传本部门数据并查看筛查结果，不查阅农户信息",
            "A department data provider uploads its data and follows the screening rounds; it reads no household",
        ))
    }
}

/// Household `number` of the caller's area (`None`: none there). With `full_ids`, the caller is about to
/// show its ID numbers in full — only to a role that may see them ([`shouwang_core::Role::may_view_full_id`]; any other
/// is refused) — and the read is written to the audit log first.
pub async fn show(
    db: &Db,
    caller: &Caller,
    number: &str,
    full_ids: bool,
) -> Result<Option<HouseholdDetail>> {
    may_read(caller)?;
    if full_ids && !caller.scope.may_view_full_id() {
        return Err(Error::forbidden());
    }
    let Some(detail) = repo::households::get(db, &caller.scope, number).await? else {
        return Ok(None);
    };
    if full_ids {
        privacy::full_read(
            db,
            &caller.actor(),
            "household",
            &detail.household.number,
            Some(detail.household.village.as_str()),
        )
        .await?;
    }
    Ok(Some(detail))
}
