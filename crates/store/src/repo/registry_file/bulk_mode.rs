//! SQLite bulk mode of a large import: the 姓氏 trigger suspended, a larger page cache, indexes built at the
//! end of a first import.

use std::collections::BTreeMap;

use sea_orm::{ConnectionTrait, DatabaseTransaction, DbBackend, Statement, Value};

use super::IN_CHUNK;
use super::phases::Phases;
use crate::error::Result;
use crate::repo::Sql;

/// Members inserted (in one call, or so far) before an import switches SQLite to [`BulkMode`].
const BULK_MEMBERS: usize = 2000;
/// The page cache of the import's connection in bulk mode (KiB, as `PRAGMA cache_size` takes it negative):
/// the pages a 100,000-person import touches stay in memory until the commit instead of spilling to the
/// WAL file half-way (and being written again).
const BULK_CACHE_KIB: i64 = 262_144;
/// The connections' usual page cache (`Db::connect`).
const NORMAL_CACHE_KIB: i64 = 32_768;

/// SQLite bulk mode of a large import, all inside the import's transaction (a rollback undoes it):
/// - the per-row trigger `trg_member_initials_ins` (the 姓氏检索 table `member_initials`, one trigger program
///   per inserted member) is dropped; the rows of the households written are filled with one
///   `INSERT … SELECT` per 500 households after each batch ([`BulkMode::fill`]) and at the end, before the
///   trigger is created again with its own stored SQL ([`BulkMode::leave`]). When the registry was empty
///   at the start, all of them are filled at the end instead, with one `INSERT … SELECT`;
/// - the connection's page cache is raised to [`BULK_CACHE_KIB`] and set back before the commit (after the
///   planner's statistics are gathered, see [`Importer::finish`]) or the rollback;
/// - when the registry tables were empty at the start (the first import of a new installation), the
///   indexes of [`DEFERRED_INDEXES`] are dropped and built again at the end from the sorted rows, which
///   costs SQLite less than keeping them up to date row by row (above all the two keyed by ID number, whose
///   rows come in no order); those of [`LOOKUP_INDEXES`] are built again when the file is complete, before
///   [`Importer::finish`] looks anything up. While they are away the early writes do not look the database
///   up: what it holds is what the import wrote ([`Importer::early`]), whose ID numbers the importer keeps,
///   and the file's ID numbers are unique (the assembler's check); the unique index built again would fail
///   the import otherwise.
///
/// Only the members' insert trigger is suspended: deletes and updates keep theirs, and the fill is
/// `INSERT OR IGNORE` computed from the stored rows, so it is right whatever else the import did.
#[derive(Default)]
pub(super) struct BulkMode {
    /// Members inserted so far (bulk mode starts at [`BULK_MEMBERS`]).
    members: usize,
    /// The dropped trigger's SQL (`sqlite_master.sql`), while in bulk mode.
    pub(super) trigger: Option<String>,
    /// Households whose members may have been inserted (county → ids).
    written: BTreeMap<String, Vec<i64>>,
    /// The registry tables were empty when the import began: indexes may be deferred.
    pub(super) empty_at_start: bool,
    /// The SQL of the indexes dropped, while in bulk mode.
    indexes: Vec<String>,
    /// The SQL of the dropped [`LOOKUP_INDEXES`], until [`BulkMode::restore_lookups`].
    lookup_indexes: Vec<String>,
    /// The page cache is at [`BULK_CACHE_KIB`] ([`BulkMode::restore_cache`] sets it back).
    cache_raised: bool,
}

/// Indexes built again at the end of a first import (see [`BulkMode`]); not the keys of the households
/// (`uq_households_number`, in file order anyway), nor the index of members by household, which the
/// undo and the 姓氏 fill use (`idx_members_household`).
const DEFERRED_INDEXES: &[&str] = &[
    "idx_households_village_number",
    "idx_households_township_number",
    "idx_households_type_number",
    "idx_households_monitored",
    "idx_households_risks",
    "idx_members_name_key",
    "idx_members_surname_key",
    "idx_member_initials_household",
];

/// Indexes a first import drops with [`DEFERRED_INDEXES`] but builds again as soon as the file is complete,
/// before [`Importer::finish`] looks people up by ID number. Their rows come in no order: built from the
/// sorted rows they cost far less than row by row.
const LOOKUP_INDEXES: &[&str] = &["uq_members_id_key", "idx_members_id_key"];

const INITIALS_TRIGGER: &str = "trg_member_initials_ins";

/// Whether the registry tables (households, members) are empty (SQLite).
pub(super) async fn registry_empty(c: &impl ConnectionTrait) -> Result<bool> {
    let row = c
        .query_one_raw(Statement::from_string(
            DbBackend::Sqlite,
            "SELECT (NOT EXISTS (SELECT 1 FROM households)) AND (NOT EXISTS (SELECT 1 FROM members)) \
             AS empty",
        ))
        .await?;
    Ok(match row {
        Some(r) => r.try_get::<bool>("", "empty")?,
        None => false,
    })
}

/// The SQL that created a trigger or index (`sqlite_master.sql`), if it exists.
async fn schema_sql(tx: &DatabaseTransaction, kind: &str, name: &str) -> Result<Option<String>> {
    let row = tx
        .query_one_raw(Statement::from_sql_and_values(
            DbBackend::Sqlite,
            "SELECT sql FROM sqlite_master WHERE type = ? AND name = ?",
            [Value::from(kind), Value::from(name)],
        ))
        .await?;
    Ok(match row {
        Some(r) => Some(r.try_get("", "sql")?),
        None => None,
    })
}

impl BulkMode {
    /// Notes whether the registry tables are empty (at the start of the import).
    pub(super) async fn check_empty(&mut self, tx: &DatabaseTransaction) -> Result<()> {
        self.empty_at_start = registry_empty(tx).await?;
        Ok(())
    }

    /// Counts `members` about to be inserted; enters bulk mode once they reach [`BULK_MEMBERS`].
    pub(super) async fn enter(&mut self, tx: &DatabaseTransaction, members: usize) -> Result<()> {
        self.members += members;
        if self.trigger.is_some() || self.members < BULK_MEMBERS {
            return Ok(());
        }
        let Some(sql) = schema_sql(tx, "trigger", INITIALS_TRIGGER).await? else {
            return Ok(());
        };
        tx.execute_unprepared(&format!("DROP TRIGGER {INITIALS_TRIGGER}"))
            .await?;
        if self.empty_at_start {
            for (names, kept) in [
                (DEFERRED_INDEXES, &mut self.indexes),
                (LOOKUP_INDEXES, &mut self.lookup_indexes),
            ] {
                for name in names {
                    if let Some(sql) = schema_sql(tx, "index", name).await? {
                        tx.execute_unprepared(&format!("DROP INDEX \"{name}\""))
                            .await?;
                        kept.push(sql);
                    }
                }
            }
        }
        tx.execute_unprepared(&format!("PRAGMA cache_size = -{BULK_CACHE_KIB}"))
            .await?;
        self.cache_raised = true;
        self.trigger = Some(sql);
        Ok(())
    }

    /// Records a household whose members are (or may be) inserted (not needed when the registry was
    /// empty at the start: [`BulkMode::leave`] then fills the table for every household).
    pub(super) fn written(&mut self, county: &str, id: i64) {
        if self.empty_at_start {
            return;
        }
        match self.written.get_mut(county) {
            Some(ids) => ids.push(id),
            None => {
                self.written.insert(county.to_owned(), vec![id]);
            }
        }
    }

    /// Leaves bulk mode (before the commit): builds the deferred indexes, fills `member_initials` for the
    /// households written since the last [`BulkMode::fill`] and creates the trigger again. The page cache
    /// stays large until [`BulkMode::restore_cache`], so that the statistics are gathered from it.
    pub(super) async fn leave(
        &mut self,
        tx: &DatabaseTransaction,
        timer: &mut Phases,
    ) -> Result<()> {
        if self.trigger.is_none() {
            return Ok(());
        }
        self.restore_lookups(tx).await?;
        if self.empty_at_start {
            tx.execute_unprepared(FILL_SELECT).await?;
        } else {
            self.fill(tx).await?;
        }
        timer.add("initials");
        for sql in std::mem::take(&mut self.indexes) {
            tx.execute_unprepared(&sql).await?;
        }
        if let Some(trigger) = self.trigger.take() {
            tx.execute_unprepared(&trigger).await?;
        }
        Ok(())
    }

    /// Builds the [`LOOKUP_INDEXES`] again, if they were dropped (a unique ID number taken twice fails here).
    pub(super) async fn restore_lookups(&mut self, tx: &DatabaseTransaction) -> Result<()> {
        for sql in std::mem::take(&mut self.lookup_indexes) {
            tx.execute_unprepared(&sql).await?;
        }
        Ok(())
    }

    /// Sets the connection's page cache back (before the commit or rollback; the connection goes back to
    /// the pool).
    pub(super) async fn restore_cache(&mut self, tx: &DatabaseTransaction) -> Result<()> {
        if std::mem::take(&mut self.cache_raised) {
            tx.execute_unprepared(&format!("PRAGMA cache_size = -{NORMAL_CACHE_KIB}"))
                .await?;
        }
        Ok(())
    }

    /// Fills `member_initials` for the households written so far (in bulk mode; otherwise the trigger
    /// did) and forgets them.
    /// When the registry was empty at the start, nothing is filled until [`BulkMode::leave`], which fills
    /// the table for every household at once ([`FILL_SELECT`] as it stands).
    pub(super) async fn fill(&mut self, tx: &DatabaseTransaction) -> Result<()> {
        let written = std::mem::take(&mut self.written);
        if self.trigger.is_none() || self.empty_at_start {
            return Ok(());
        }
        for (county, ids) in &written {
            for chunk in ids.chunks(IN_CHUNK) {
                let mut sql = Sql::new();
                sql.push(FILL_SELECT);
                sql.push(" WHERE h.county_code = ");
                sql.bind(county.clone());
                sql.push(" AND h.id IN (");
                for (k, id) in chunk.iter().enumerate() {
                    if k > 0 {
                        sql.push(", ");
                    }
                    sql.bind(*id);
                }
                sql.push(")");
                tx.execute_raw(sql.build(DbBackend::Sqlite)).await?;
            }
        }
        Ok(())
    }
}

/// The 姓氏检索 rows (`member_initials`) of the households joined with their members (the insert trigger's
/// rows, for many households at a time). As it stands it fills the table for every household, which
/// [`BulkMode::leave`] does when the registry was empty at the start (every household is then the
/// import's; sorting the rows into the table's key order first costs more than it saves);
/// [`BulkMode::fill`] adds a `WHERE` for the households written.
const FILL_SELECT: &str = "INSERT OR IGNORE INTO member_initials \
     (county_code, surname_key, number, village_code, household_type, is_monitored, household_id) \
     SELECT h.county_code, m.surname_key, h.number, h.village_code, h.household_type, \
     (h.household_type = 'monitored' OR h.monitored_type IS NOT NULL), h.id \
     FROM households h JOIN members m INDEXED BY idx_members_household \
     ON m.county_code = h.county_code AND m.household_id = h.id AND m.surname_key IS NOT NULL";
