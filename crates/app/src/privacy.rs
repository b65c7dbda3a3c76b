//! 个人信息保护 (PIPL; issue 19): the one place where a read of personal data that must be watched is
//! written to the audit log, for every surface (pages, `/api/v1`, the CLI).
//!
//! - [`full_read`]: full ID numbers shown (a household revealed, the quality results of a role that sees
//!   full numbers) — action `read_full_id`;
//! - [`export`]: a file with personal data written (registry, quality results) — action `export_…`;
//! - [`download`]: an attachment downloaded — action `download`;
//! - [`phones_read`]: phone numbers shown in full (grids' people, assets' keepers) — action
//!   `read_full_phone`;
//! - [`id_search`]: a search by a full ID number. A role that sees only masked numbers would otherwise
//!   learn a full number by guessing the hidden birth date (the answer "1 household" confirms a guess,
//!   ≈ 33 guesses a person): every such search is written to the audit log (action `search_id`, with the
//!   masked number and the households it matched), and at most [`ID_SEARCHES_PER_HOUR`] are answered an
//!   hour; the next is refused (`TooMany`) and that refusal is written too (`search_id_refused`).
//!
//! None of these rows holds a plain ID number: numbers are masked ([`IdNumber::masked`]).

use chrono::{Duration, Utc};
use shouwang_core::{IdNumber, Scope};
use shouwang_store::Db;
use shouwang_store::repo::{Actor, audit};

use crate::caller::Caller;
use crate::error::{Error, Kind, Result};

/// Whether a reader sees full ID numbers: a user whose role may, or the operator's CLI without a user
/// (`None`).
pub(crate) fn full_ids(scope: Option<&Scope>) -> bool {
    scope.is_none_or(Scope::may_view_full_id)
}

/// The area a read covers, for its audit row: the one asked for, else the reader's.
pub(crate) fn read_area<'a>(scope: Option<&'a Scope>, area: Option<&'a str>) -> &'a str {
    area.or(scope.map(Scope::area_prefix)).unwrap_or("")
}

/// Searches by a full ID number a user who sees only masked numbers may make in an hour.
pub const ID_SEARCHES_PER_HOUR: u64 = 10;

/// Writes that `actor` saw the full ID numbers of `entity` `entity_id` (in `village`, when one).
pub async fn full_read(
    db: &Db,
    actor: &Actor,
    entity: &str,
    entity_id: &str,
    village: Option<&str>,
) -> Result<()> {
    audit::record_read(db, actor, "read_full_id", entity, entity_id, village, None).await?;
    Ok(())
}

/// Writes that `actor` saw `phones` phone numbers in full (网格长、网格员, 管护责任人 …) on `entity`
/// `entity_id` (in `village`, when one) — action `read_full_phone`. Nothing is written when none was shown.
pub async fn phones_read(
    db: &Db,
    actor: &Actor,
    entity: &str,
    entity_id: &str,
    village: Option<&str>,
    phones: usize,
) -> Result<()> {
    if phones > 0 {
        audit::record_read(
            db,
            actor,
            "read_full_phone",
            entity,
            entity_id,
            village,
            Some(serde_json::json!({ "phones": phones })),
        )
        .await?;
    }
    Ok(())
}

/// Writes that `actor` exported `what` (`registry`, `quality`, …) of `area` with `rows` rows, with
/// full ID numbers or masked ones.
pub async fn export(
    db: &Db,
    actor: &Actor,
    what: &str,
    area: &str,
    rows: u64,
    full_ids: bool,
) -> Result<()> {
    let village = (area.len() >= 12).then_some(area);
    audit::record_read(
        db,
        actor,
        &format!("export_{what}"),
        what,
        area,
        village,
        Some(serde_json::json!({ "rows": rows, "full_ids": full_ids })),
    )
    .await?;
    Ok(())
}

/// Writes that `actor` downloaded the attachment `id` (`name`) of `village` (or of the county).
pub async fn download(
    db: &Db,
    actor: &Actor,
    id: &str,
    name: &str,
    village: Option<&str>,
) -> Result<()> {
    audit::record_read(
        db,
        actor,
        "download",
        "attachment",
        id,
        village,
        Some(serde_json::json!({ "name": name })),
    )
    .await?;
    Ok(())
}

/// A search by a full ID number, allowed: write its result with [`IdSearch::matched`].
#[derive(Debug)]
#[must_use = "the search must be written to the audit log with its result"]
pub struct IdSearch {
    id: IdNumber,
}

/// Before a search by `q`: when `q` is a full ID number, checks the caller's hourly allowance (roles that
/// see only masked numbers) and returns the search to record; `None` for any other text.
pub async fn id_search(db: &Db, caller: &Caller, q: Option<&str>) -> Result<Option<IdSearch>> {
    let Some(id) = q.and_then(|q| IdNumber::parse(q.trim()).ok()) else {
        return Ok(None);
    };
    if !caller.scope.may_view_full_id() {
        let since = Utc::now() - Duration::hours(1);
        let used = audit::count_recent(db, caller.user_id, "search_id", since).await?;
        if used >= ID_SEARCHES_PER_HOUR {
            audit::record_read(
                db,
                &caller.actor(),
                "search_id_refused",
                "household",
                "",
                None,
                Some(serde_json::json!({ "query": id.masked(), "searches_in_hour": used })),
            )
            .await?;
            return Err(Error::new(
                Kind::TooMany,
                "too_many_id_searches",
                format!(
                    "按身份证号查询过于频繁（每小时最多 {ID_SEARCHES_PER_HOUR} 次），请稍后再试，或按姓名、户编号查询；查询均已记入审计日志"
                ),
                format!(
                    "Too many searches by ID number (at most {ID_SEARCHES_PER_HOUR} an hour); try later or search by name or household number. Every search is in the audit log"
                ),
            ));
        }
    }
    Ok(Some(IdSearch { id }))
}

impl IdSearch {
    /// Writes the search with the households it matched (户编号 and village).
    pub async fn matched(
        self,
        db: &Db,
        caller: &Caller,
        households: &[(&str, &str)],
    ) -> Result<()> {
        let first = households.first();
        audit::record_read(
            db,
            &caller.actor(),
            "search_id",
            "household",
            first.map_or("", |(number, _)| number),
            first.map(|(_, village)| *village),
            Some(serde_json::json!({
                "query": self.id.masked(),
                "matched": households.iter().map(|(n, _)| n).collect::<Vec<_>>(),
            })),
        )
        .await?;
        Ok(())
    }
}
