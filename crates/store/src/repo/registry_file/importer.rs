//! The import in progress: its transaction, the scope checks, the lookups, and the households written
//! early while the file is still being read.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{DateTime, SubsecRound, Utc};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseTransaction, DbBackend, EntityTrait, QueryFilter,
};
use shouwang_core::registry::{Col, RegistryEntry};
use shouwang_core::{IdNumber, LineTable, Scope};

use super::bulk_mode::{BulkMode, registry_empty};
use super::incomes::{EarlyIncome, Home};
use super::phases::Phases;
use super::regions::Regions;
use super::{IN_CHUNK, ImportOptions, Item, drop_elsewhere, reason};
use crate::crypto::sealed::MEMBER_ID;
use crate::db::Db;
use crate::entity::households;
use crate::error::Result;
use crate::ids::new_id;
use crate::repo::households::{Valid, check_household, id_keys, open_household};
use crate::repo::{Actor, Sql};

/// An import in progress: one write transaction (see the module docs).
pub struct Importer {
    pub(super) tx: DatabaseTransaction,
    pub(super) backend: DbBackend,
    pub(super) db: Db,
    pub(super) actor: Actor,
    pub(super) scope: Option<Scope>,
    pub(super) options: ImportOptions,
    /// The time of the import's rows (created, updated, audited), in whole seconds: on SQLite a
    /// timestamp is text, 25 characters instead of 35 with nanoseconds, and a 100,000-person registry has
    /// 300,000 of them (7 % of its database).
    pub(super) now: DateTime<Utc>,
    pub(super) regions: Regions,
    /// Households written early, created while the file was still being read: (county, 户编号) → id. Their
    /// entries are not kept: [`Importer::finish`] has the file's.
    pub(super) early: HashMap<(String, String), i64>,
    /// SQLite bulk mode (see [`BulkMode`]).
    pub(super) bulk: BulkMode,
    /// An id taken when the import began: the audit rows it writes have greater ids.
    pub(super) audit_floor: i64,
    /// The ID numbers of the households written early, when the database was empty at the start.
    pub(super) early_ids: HashMap<String, HashSet<IdNumber>>,
    /// The households written early by 户编号, for the income rows written early.
    pub(super) early_homes: HashMap<String, Home>,
    /// Income records written early (`Importer::early_incomes`), by 户编号.
    pub(super) early_incomes: HashMap<String, Vec<EarlyIncome>>,
    /// The monitoring lines, as the transaction sees them (read once, for the income rows).
    pub(super) lines: Option<LineTable>,
    /// The transaction writes with a rollback journal ([`Db::rollback_journal`]); the WAL comes back after it.
    pub(super) rollback_journal: bool,
    pub(super) timer: Phases,
}

impl Importer {
    /// Opens the write transaction.
    pub async fn begin(
        db: &Db,
        actor: &Actor,
        scope: Option<&Scope>,
        options: &ImportOptions,
    ) -> Result<Importer> {
        // The first import into an empty registry, by a one-connection `Db` (the command line), writes with
        // a rollback journal when SQLite allows it: every page it adds is written once, not twice.
        let rollback_journal = db.alone()
            && db.backend() == DbBackend::Sqlite
            && registry_empty(db.conn()).await?
            && db.rollback_journal().await?;
        let tx = match db.begin_write().await {
            Ok(tx) => tx,
            Err(e) => {
                if rollback_journal {
                    db.restore_wal().await?;
                }
                return Err(e);
            }
        };
        let mut bulk = BulkMode::default();
        if db.backend() == DbBackend::Sqlite {
            // Until the commit or rollback (see `HOUSEHOLDS_INSERT`).
            tx.execute_unprepared("PRAGMA defer_foreign_keys = ON")
                .await?;
            bulk.check_empty(&tx).await?;
        }
        Ok(Importer {
            tx,
            backend: db.backend(),
            db: db.clone(),
            actor: actor.clone(),
            scope: scope.cloned(),
            options: options.clone(),
            now: Utc::now().trunc_subsecs(0),
            regions: Regions::default(),
            early: HashMap::new(),
            bulk,
            audit_floor: new_id(),
            early_ids: HashMap::new(),
            early_homes: HashMap::new(),
            early_incomes: HashMap::new(),
            lines: None,
            rollback_journal,
            timer: Phases::new(),
        })
    }

    /// Households written early so far.
    pub fn early_count(&self) -> usize {
        self.early.len()
    }

    /// Gives up: rolls the transaction back (e.g. when the file turned out unusable). The rollback undoes
    /// bulk mode's trigger and index changes; the connection's page cache is set back here.
    pub async fn abort(mut self) -> Result<()> {
        self.bulk.restore_cache(&self.tx).await?;
        self.tx.rollback().await?;
        if self.rollback_journal {
            self.db.restore_wal().await?;
        }
        Ok(())
    }

    /// Starts again, when the reader reads the file again from the start (`Handout::Restart` of a
    /// streaming read): rolls back what was written early and opens a new write transaction.
    pub async fn restart(self) -> Result<Importer> {
        let (db, actor, scope, options) = (
            self.db.clone(),
            self.actor.clone(),
            self.scope.clone(),
            self.options.clone(),
        );
        self.abort().await?;
        Importer::begin(&db, &actor, scope.as_ref(), &options).await
    }

    /// Writes the households of `entries` that are new to the database, in the area, with their
    /// regions creatable, at once; the others wait for [`Importer::finish`]. `entries` come from
    /// `Assembler::take_ready` (checked on their own, not yet against the whole file).
    pub async fn early(&mut self, entries: Vec<RegistryEntry>) -> Result<()> {
        let mut items: Vec<Item> = entries
            .into_iter()
            .map(Item::new)
            .filter(|it| self.in_scope(it))
            .collect();
        self.timer.add("waiting for the reader");
        if items.is_empty() {
            return Ok(());
        }
        if self.bulk.empty_at_start {
            // The database had no household when the import began: what it holds now is what this
            // import wrote early, known here (no lookups while the indexes are deferred).
            let written = &self.early_ids;
            items.retain(|it| {
                it.entry.household.members.iter().all(|m| {
                    written
                        .get(&it.county)
                        .is_none_or(|ids| !ids.contains(&m.id_number))
                })
            });
        } else {
            let registered = self.lookup(&mut items).await?;
            items.retain(|it| {
                it.existing.is_none()
                    && !it.entry.household.members.iter().any(|m| {
                        registered.contains_key(&(it.county.clone(), m.id_number.to_string()))
                    })
            });
        }
        let refs: Vec<&RegistryEntry> = items.iter().map(|it| &it.entry).collect();
        self.regions.load(&self.tx, &refs).await?;
        let mut create: Vec<(Item, Valid)> = Vec::with_capacity(items.len());
        for mut it in items {
            let Ok(planned) = self.regions.plan(&mut it.entry) else {
                continue;
            };
            let Ok(valid) = check_household(&it.entry.household) else {
                continue;
            };
            self.insert_regions(&planned).await?;
            create.push((it, valid));
        }
        let ids = self
            .insert_households(create.iter().map(|(it, v)| (&it.entry.household, v)))
            .await?;
        // Their audit rows and 姓氏 rows now, while the reader is still busy (undone with the household).
        let written: Vec<(i64, &RegistryEntry, &Valid)> = create
            .iter()
            .zip(&ids)
            .map(|((it, v), id)| (*id, &it.entry, v))
            .collect();
        self.audit_created(&written).await?;
        drop(written);
        self.bulk.fill(&self.tx).await?;
        for ((it, v), id) in create.iter().zip(ids) {
            if self.bulk.empty_at_start {
                let ids = self.early_ids.entry(it.county.clone()).or_default();
                ids.extend(it.entry.household.members.iter().map(|m| m.id_number));
            }
            self.early
                .insert((it.county.clone(), it.entry.household.number.clone()), id);
            self.early_homes.insert(
                it.entry.household.number.clone(),
                Home {
                    county: it.county.clone(),
                    id,
                    village: v.village.clone(),
                    fresh: true,
                },
            );
        }
        // Not kept: `finish` has the file's entries. A batch holds thousands of small allocations,
        // freed on a blocking thread.
        drop_elsewhere(create);
        self.timer.add("early writes");
        Ok(())
    }

    pub(super) fn in_scope(&self, it: &Item) -> bool {
        self.scope
            .as_ref()
            .is_none_or(|s| s.may_write() && s.covers(it.entry.household.village.as_str()))
    }

    /// Marks scope problems (before the database lookups).
    pub(super) fn check_scope(&self, it: &mut Item) {
        let Some(scope) = &self.scope else {
            return;
        };
        if !scope.may_write() {
            let p = it.entry.problem(
                Col::Number,
                &it.entry.household.number,
                reason(
                    "您的角色不能修改农户信息",
                    "your role may not change the registry",
                ),
            );
            it.problems.push(p);
        } else if !scope.covers(it.entry.household.village.as_str()) {
            let p = it.entry.problem(
                Col::VillageCode,
                it.entry.household.village.as_str(),
                reason(
                    format!("该村不在您的管辖范围（{}）内", scope.area_prefix()),
                    format!("the village is outside your area ({})", scope.area_prefix()),
                ),
            );
            it.problems.push(p);
        } else if let Some(h) = &it.existing
            && !scope.covers(&h.village_code)
        {
            let p = it.entry.problem(
                Col::Number,
                &h.number,
                reason(
                    format!(
                        "户编号 {} 已登记在村 {}，该村不在您的管辖范围内",
                        h.number, h.village_code
                    ),
                    format!(
                        "household {} is registered in village {}, outside your area",
                        h.number, h.village_code
                    ),
                ),
            );
            it.problems.push(p);
        }
    }

    /// Fills `existing` of each item and returns where the items' ID numbers are registered now:
    /// (county, ID number) → (household id, household number).
    pub(super) async fn lookup(
        &self,
        items: &mut [Item],
    ) -> Result<HashMap<(String, String), (i64, String)>> {
        let tx = &self.tx;
        let mut by_county: BTreeMap<String, Vec<usize>> = BTreeMap::new();
        for (i, it) in items.iter().enumerate() {
            by_county.entry(it.county.clone()).or_default().push(i);
        }
        let mut registered: HashMap<(String, String), (i64, String)> = HashMap::new();
        for (county, idx) in &by_county {
            let numbers: Vec<String> = idx
                .iter()
                .map(|&i| items[i].entry.household.number.clone())
                .collect();
            let mut by_number: HashMap<String, households::Model> = HashMap::new();
            for chunk in numbers.chunks(IN_CHUNK) {
                for h in households::Entity::find()
                    .filter(households::Column::CountyCode.eq(county.as_str()))
                    .filter(households::Column::Number.is_in(chunk.to_vec()))
                    .all(tx)
                    .await?
                {
                    by_number.insert(h.number.clone(), open_household(self.db.keys(), h)?);
                }
            }
            for &i in idx {
                items[i].existing = by_number.remove(&items[i].entry.household.number);
            }
            let keys: Vec<i64> = idx
                .iter()
                .flat_map(|&i| items[i].entry.household.members.iter())
                .flat_map(|m| id_keys(self.db.keys(), m.id_number))
                .collect();
            for chunk in keys.chunks(IN_CHUNK) {
                // By the packed key alone (its own index); the county is compared here, since a
                // condition on it lets SQLite pick the (county, ID number) index and scan the county.
                let mut sql = Sql::new();
                sql.push(
                    "SELECT m.county_code, m.id_number, m.key_version, m.household_id, h.number \
                     FROM members m \
                     JOIN households h ON h.county_code = m.county_code AND h.id = m.household_id \
                     WHERE m.id_key IN (",
                );
                for (k, key) in chunk.iter().enumerate() {
                    if k > 0 {
                        sql.push(", ");
                    }
                    sql.bind(*key);
                }
                sql.push(")");
                for r in tx.query_all_raw(sql.build(self.backend)).await? {
                    if r.try_get::<String>("", "county_code")? != *county {
                        continue;
                    }
                    let id_number = self.db.keys().open(
                        &r.try_get::<String>("", "id_number")?,
                        MEMBER_ID,
                        r.try_get("", "key_version")?,
                    )?;
                    registered.insert(
                        (county.clone(), id_number),
                        (
                            r.try_get::<i64>("", "household_id")?,
                            r.try_get::<String>("", "number")?,
                        ),
                    );
                }
            }
        }
        Ok(registered)
    }
}
