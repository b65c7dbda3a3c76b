//! Registry files: import and export (农户信息台账导入导出).
//!
//! [`import`] stores the households a registry file gave (`shouwang_core::registry::Assembled`, read by
//! `shouwang-io`): new households are created, existing ones (same 户编号 in the county) updated, members
//! matched by ID number. A household of the file is the whole household: members the database has and the
//! file does not are removed, and a member listed under another household of the same file moves there.
//! Nothing is written for a household that did not change (no version bump, no audit row), so importing
//! the same file twice changes nothing the second time.
//!
//! Everything happens in **one transaction**. A household the database cannot take (outside the user's
//! area; an ID number registered in a household the file does not touch; a new region without a name) is
//! rejected with a [`Problem`] at its row, like the file's own problems; by default the other households
//! are committed, with [`ImportOptions::all_or_nothing`] nothing is when anything was rejected, and with
//! [`ImportOptions::dry_run`] nothing ever is (the report says what would have happened).
//!
//! **Streaming** ([`Importer`]): while the file is still being read, households the reader has finished
//! (`Assembler::take_ready`) that are new to the database are written at once ([`Importer::early`]), so the
//! database works while the reader parses. When the file is complete ([`Importer::finish`]) a household
//! written early that later rows changed, or that the whole-file checks rejected (an ID number in two
//! households), is deleted again inside the transaction (with its audit row) and handled with the rest;
//! regions created for households that end up rejected are removed.
//!
//! Audit (审计): one row per household created or changed (`create` / `update`, entity `household`, with the
//! file, sheet and row it came from; an update also with the values before and after), one per region
//! created, and a summary row (`import`, entity `registry_import`) when anything changed. A household
//! written early gets its `create` row at once.
//!
//! A large import on SQLite switches the transaction to [`BulkMode`] (the 姓氏 trigger suspended, a larger
//! page cache, on a new database some indexes built at the end). The first import into an empty registry
//! through a one-connection `Db` (`Db::connect_alone`: the command line) writes with a rollback journal
//! instead of the WAL when no other connection has the database open ([`Db::rollback_journal`]).
//!
//! On SQLite new households, members and their audit rows are inserted with prepared one-row statements
//! executed in a loop on the transaction's own connection ([`crate::sqlite_direct`]: no round trip to
//! sqlx's worker thread per statement, no copies of the values before SQLite's own); PostgreSQL uses the
//! entities' multi-row inserts.
//!
//! [`export`] reads the registry of an area back, household by household in 户编号 order, with the
//! region names, for the export workbook.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use chrono::{DateTime, SubsecRound, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseTransaction, DbBackend, EntityTrait, IntoActiveModel,
    QueryFilter, QueryOrder, Set, Statement, Value,
};
use serde::Serialize;
use shouwang_core::codes::{RegionLevel, Relation};
use shouwang_core::registry::values::Reason;
use shouwang_core::registry::{Assembled, Col, Problem, ReadStats, RegionNames, RegistryEntry};
use shouwang_core::{CodeList, Household, IdNumber, Member, RegionCode, Scope};

use super::audit::{self, Change};
use super::households::{
    Valid, check_household, effective_area, household_model, id_key, join_codes, member_model,
    push_household_area, to_household,
};
use super::{Actor, Sql, to_json};
use crate::db::Db;
use crate::entity::{audit_log, households, income_records, members, regions};
use crate::error::{Result, StoreError};
use crate::ids::new_id;
use crate::sqlite_direct::{direct_error, with_direct};

/// Rows per multi-row `INSERT` through the entities (members: 22 columns → 22,000 parameters).
const CHUNK: usize = 1000;
/// Keys per `IN (…)` list.
const IN_CHUNK: usize = 500;

/// How to import.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ImportOptions {
    /// Check everything, write nothing (预检).
    pub dry_run: bool,
    /// Write nothing if any household is rejected (全部成功才导入).
    pub all_or_nothing: bool,
    /// The file name, recorded in the audit log.
    pub source: String,
}

/// What an import did (or, in a dry run, would do).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ImportReport {
    /// Counts of the file.
    pub read: ReadStats,
    /// Households accepted by the file checks.
    pub households_in_file: u64,
    pub households_created: u64,
    pub households_updated: u64,
    pub households_unchanged: u64,
    pub members_added: u64,
    pub members_updated: u64,
    pub members_removed: u64,
    pub regions_created: u64,
    /// Households rejected (by the file checks or by the database checks).
    pub rejected_households: u64,
    /// Households written while the file was still being read (streaming).
    pub written_early: u64,
    /// Of those, households deleted again at the end (later rows changed them, or they were rejected).
    pub undone_early: u64,
    /// Every problem, by sheet and row.
    pub problems: Vec<Problem>,
    /// Whether the changes were committed.
    pub committed: bool,
    /// A dry run.
    pub dry_run: bool,
}

impl ImportReport {
    /// Nothing rejected.
    pub fn is_clean(&self) -> bool {
        self.problems.is_empty()
    }

    /// Records created or changed (0 after a run that changed nothing).
    pub fn changes(&self) -> u64 {
        self.households_created + self.households_updated + self.regions_created
    }
}

fn reason(zh: impl Into<String>, en: impl Into<String>) -> Reason {
    Reason::new(zh, en)
}

/// Imports the households of a read file in one go (no streaming): [`Importer::begin`] then
/// [`Importer::finish`]. `scope`: the importing user's (writes only inside its area); `None` for the
/// system (the command line without `--user`). `progress(done, total)` counts households.
pub async fn import(
    db: &Db,
    actor: &Actor,
    scope: Option<&Scope>,
    assembled: Assembled,
    options: &ImportOptions,
    progress: &dyn Fn(u64, u64),
) -> Result<ImportReport> {
    Importer::begin(db, actor, scope, options)
        .await?
        .finish(assembled, progress)
        .await
}

/// A household of the file with what the database says about it.
struct Item {
    entry: RegistryEntry,
    county: String,
    /// The existing household row.
    existing: Option<households::Model>,
    problems: Vec<Problem>,
}

impl Item {
    fn new(entry: RegistryEntry) -> Item {
        Item {
            county: entry.household.village.county().to_owned(),
            entry,
            existing: None,
            problems: Vec::new(),
        }
    }

    fn rejected(&self) -> bool {
        !self.problems.is_empty()
    }
}

/// Regions known to exist, created by this import, and natural villages by name.
#[derive(Default)]
struct Regions {
    /// Codes checked against the database: `true` if the region exists (or was created here).
    exists: HashMap<String, bool>,
    /// Created by this import, in creation order.
    created: Vec<regions::Model>,
    /// (village, natural-village name) → code.
    natural_by_name: HashMap<(String, String), String>,
    /// Highest natural-village serial per village.
    natural_max: HashMap<String, u8>,
    /// Villages whose natural villages were loaded.
    natural_loaded: HashSet<String>,
}

fn natural_serial(code: &str) -> u8 {
    code.rsplit('-')
        .next()
        .and_then(|x| x.parse::<u8>().ok())
        .unwrap_or(0)
}

impl Regions {
    /// Loads what the database knows about the regions of these households.
    async fn load(&mut self, tx: &DatabaseTransaction, entries: &[&RegistryEntry]) -> Result<()> {
        let mut codes: BTreeSet<String> = BTreeSet::new();
        let mut villages: BTreeSet<String> = BTreeSet::new();
        for e in entries {
            let v = &e.household.village;
            for c in [
                format!("{}000000", v.county()),
                format!("{}000", v.township()),
                v.as_str().to_owned(),
            ] {
                if !self.exists.contains_key(&c) {
                    codes.insert(c);
                }
            }
            if let Some(nv) = &e.household.natural_village
                && !self.exists.contains_key(nv)
            {
                codes.insert(nv.clone());
            }
            if !e.names.natural_village.trim().is_empty()
                && !self.natural_loaded.contains(v.as_str())
            {
                villages.insert(v.as_str().to_owned());
            }
        }
        let codes: Vec<String> = codes.into_iter().collect();
        for chunk in codes.chunks(IN_CHUNK) {
            let found = regions::Entity::find()
                .filter(regions::Column::Code.is_in(chunk.to_vec()))
                .all(tx)
                .await?;
            for c in chunk {
                self.exists.insert(c.clone(), false);
            }
            for r in found {
                self.exists.insert(r.code, true);
            }
        }
        let villages: Vec<String> = villages.into_iter().collect();
        for chunk in villages.chunks(IN_CHUNK) {
            let found = regions::Entity::find()
                .filter(regions::Column::ParentCode.is_in(chunk.to_vec()))
                .filter(regions::Column::Level.eq(RegionLevel::NaturalVillage.code()))
                .all(tx)
                .await?;
            for v in chunk {
                self.natural_loaded.insert(v.clone());
            }
            for r in found {
                self.exists.insert(r.code.clone(), true);
                if let Some(parent) = &r.parent_code {
                    let n = natural_serial(&r.code);
                    let e = self.natural_max.entry(parent.clone()).or_insert(0);
                    *e = (*e).max(n);
                    self.natural_by_name
                        .entry((parent.clone(), r.name.clone()))
                        .or_insert(r.code);
                }
            }
        }
        Ok(())
    }

    fn known(&self, code: &str) -> bool {
        self.exists.get(code).copied().unwrap_or(false)
    }

    /// The regions a household needs that do not exist yet (its natural-village code is filled in
    /// when the file gives only the name), or the problems that prevent creating them. Nothing is
    /// recorded here: [`Regions::adopt`] does that once the regions are inserted.
    fn plan(
        &self,
        entry: &mut RegistryEntry,
    ) -> std::result::Result<Vec<regions::Model>, Vec<Problem>> {
        let v = entry.household.village.clone();
        let names = entry.names.clone();
        let needs = [
            (
                format!("{}000000", v.county()),
                RegionLevel::County,
                None,
                names.county.trim(),
                Col::County,
            ),
            (
                format!("{}000", v.township()),
                RegionLevel::Township,
                Some(format!("{}000000", v.county())),
                names.township.trim(),
                Col::Township,
            ),
            (
                v.as_str().to_owned(),
                names.village_level(),
                Some(format!("{}000", v.township())),
                names.village.trim(),
                Col::Village,
            ),
        ];
        let mut problems = Vec::new();
        let mut planned = Vec::new();
        let model =
            |code: String, level: RegionLevel, parent: Option<String>, name: &str| regions::Model {
                county_code: v.county().to_owned(),
                code,
                name: name.to_owned(),
                level: level.code().to_owned(),
                parent_code: parent,
            };
        for (code, level, parent, name, col) in needs {
            if self.known(&code) {
                continue;
            }
            if name.is_empty() {
                problems.push(entry.problem(
                    col,
                    "",
                    reason(
                        format!(
                            "系统中还没有区划 {code}，请填写“{}”名称以便新建",
                            col.header()
                        ),
                        format!(
                            "region {code} is not in the system yet; fill in {} to create it",
                            col.header()
                        ),
                    ),
                ));
                continue;
            }
            planned.push(model(code, level, parent, name));
        }
        let nv_name = names.natural_village.trim();
        let natural = match entry.household.natural_village.clone() {
            Some(code) if self.known(&code) => None,
            Some(code) if nv_name.is_empty() => {
                problems.push(entry.problem(
                    Col::NaturalVillage,
                    "",
                    reason(
                        format!("系统中还没有自然村 {code}，请填写自然村名称以便新建"),
                        format!("natural village {code} is not in the system; fill in its name"),
                    ),
                ));
                None
            }
            Some(code) => Some(code),
            None if nv_name.is_empty() => None,
            None => {
                let key = (v.as_str().to_owned(), nv_name.to_owned());
                if let Some(code) = self.natural_by_name.get(&key) {
                    entry.household.natural_village = Some(code.clone());
                    None
                } else {
                    let next = self.natural_max.get(v.as_str()).copied().unwrap_or(0) + 1;
                    match v.natural_village(next) {
                        Some(code) => Some(code.as_str().to_owned()),
                        None => {
                            problems.push(entry.problem(
                                Col::NaturalVillage,
                                nv_name,
                                reason(
                                    "该村的自然村已编满 99 个，请填写已有自然村的代码",
                                    "the village has 99 natural villages already; give an existing code",
                                ),
                            ));
                            None
                        }
                    }
                }
            }
        };
        if !problems.is_empty() {
            return Err(problems);
        }
        if let Some(code) = natural {
            entry.household.natural_village = Some(code.clone());
            planned.push(model(
                code,
                RegionLevel::NaturalVillage,
                Some(v.as_str().to_owned()),
                nv_name,
            ));
        }
        Ok(planned)
    }

    /// Records regions as created.
    fn adopt(&mut self, created: &[regions::Model]) {
        for r in created {
            self.exists.insert(r.code.clone(), true);
            if r.level == RegionLevel::NaturalVillage.code()
                && let Some(parent) = &r.parent_code
            {
                let e = self.natural_max.entry(parent.clone()).or_insert(0);
                *e = (*e).max(natural_serial(&r.code));
                self.natural_by_name
                    .entry((parent.clone(), r.name.clone()))
                    .or_insert(r.code.clone());
            }
            self.created.push(r.clone());
        }
    }
}

/// An import in progress: one write transaction (see the module docs).
pub struct Importer {
    tx: DatabaseTransaction,
    backend: DbBackend,
    db: Db,
    actor: Actor,
    scope: Option<Scope>,
    options: ImportOptions,
    /// The time of the import's rows (created, updated, audited), in whole seconds: on SQLite a
    /// timestamp is text, 25 characters instead of 35 with nanoseconds, and a 100,000-person registry has
    /// 300,000 of them (7 % of its database).
    now: DateTime<Utc>,
    regions: Regions,
    /// Households written early, created while the file was still being read: (county, 户编号) → id. Their
    /// entries are not kept: [`Importer::finish`] has the file's.
    early: HashMap<(String, String), i64>,
    /// SQLite bulk mode (see [`BulkMode`]).
    bulk: BulkMode,
    /// An id taken when the import began: the audit rows it writes have greater ids.
    audit_floor: i64,
    /// The ID numbers of the households written early, when the database was empty at the start.
    early_ids: HashMap<String, HashSet<IdNumber>>,
    /// The transaction writes with a rollback journal ([`Db::rollback_journal`]); the WAL comes back after it.
    rollback_journal: bool,
    timer: Phases,
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
        for ((it, _), id) in create.iter().zip(ids) {
            if self.bulk.empty_at_start {
                let ids = self.early_ids.entry(it.county.clone()).or_default();
                ids.extend(it.entry.household.members.iter().map(|m| m.id_number));
            }
            self.early
                .insert((it.county.clone(), it.entry.household.number.clone()), id);
        }
        // Not kept: `finish` has the file's entries. A batch holds thousands of small allocations,
        // freed on a blocking thread.
        drop_elsewhere(create);
        self.timer.add("early writes");
        Ok(())
    }

    fn in_scope(&self, it: &Item) -> bool {
        self.scope
            .as_ref()
            .is_none_or(|s| s.may_write() && s.covers(it.entry.household.village.as_str()))
    }

    /// Marks scope problems (before the database lookups).
    fn check_scope(&self, it: &mut Item) {
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
    async fn lookup(&self, items: &mut [Item]) -> Result<HashMap<(String, String), (i64, String)>> {
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
                    by_number.insert(h.number.clone(), h);
                }
            }
            for &i in idx {
                items[i].existing = by_number.remove(&items[i].entry.household.number);
            }
            let keys: Vec<i64> = idx
                .iter()
                .flat_map(|&i| items[i].entry.household.members.iter())
                .map(|m| id_key(m.id_number))
                .collect();
            for chunk in keys.chunks(IN_CHUNK) {
                // By the packed key alone (its own index); the county is compared here, since a
                // condition on it lets SQLite pick the (county, ID number) index and scan the county.
                let mut sql = Sql::new();
                sql.push(
                    "SELECT m.county_code, m.id_number, m.household_id, h.number FROM members m \
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
                    registered.insert(
                        (county.clone(), r.try_get::<String>("", "id_number")?),
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

    async fn insert_regions(&mut self, planned: &[regions::Model]) -> Result<()> {
        for r in planned {
            if self.regions.known(&r.code) {
                continue;
            }
            regions::Entity::insert(r.clone().into_active_model())
                .exec_without_returning(&self.tx)
                .await
                .map_err(|e| StoreError::from_write(e, &format!("region {}", r.code)))?;
            self.regions.adopt(std::slice::from_ref(r));
        }
        Ok(())
    }

    /// Inserts new households with their members; returns their row ids.
    async fn insert_households<'a>(
        &mut self,
        items: impl Iterator<Item = (&'a Household, &'a Valid)>,
    ) -> Result<Vec<i64>> {
        let items: Vec<(&Household, &Valid)> = items.collect();
        let ids: Vec<i64> = items.iter().map(|_| new_id()).collect();
        match self.backend {
            DbBackend::Sqlite => {
                let members: usize = items.iter().map(|(h, _)| h.members.len()).sum();
                self.bulk.enter(&self.tx, members).await?;
                for ((_, v), &id) in items.iter().zip(&ids) {
                    self.bulk.written(&v.county, id);
                }
                let members_sql = if self.bulk.trigger.is_some() {
                    MEMBERS_INSERT
                } else {
                    MEMBERS_INSERT_TRIGGERED
                };
                let now = sqlite_time(self.now);
                with_direct(&mut self.tx, |direct| {
                    let mut hh = direct.prepare(HOUSEHOLDS_INSERT)?;
                    let mut mm = direct.prepare(members_sql)?;
                    for ((h, v), &id) in items.iter().zip(&ids) {
                        insert_household(&mut hh, h, v, id, &now)
                            .map_err(|e| direct_error(e, "households"))?;
                        for (pos, m) in h.members.iter().enumerate() {
                            insert_member(&mut mm, m, v, id, pos, &now)
                                .map_err(|e| direct_error(e, "members"))?;
                        }
                    }
                    Ok(())
                })
                .await?;
            }
            _ => {
                let mut hh = Vec::new();
                let mut mm = Vec::new();
                for ((h, v), &id) in items.iter().zip(&ids) {
                    hh.push(household_model(v, h, id, self.now));
                    for (pos, m) in h.members.iter().enumerate() {
                        mm.push(member_model(
                            v,
                            id,
                            i32::try_from(pos).unwrap_or(i32::MAX),
                            m,
                            self.now,
                        ));
                    }
                }
                insert_chunks(&self.tx, hh, "households").await?;
                insert_chunks(&self.tx, mm, "members").await?;
            }
        }
        Ok(ids)
    }

    /// Completes the import with the whole file read (see the module docs) and commits (or not).
    pub async fn finish(
        mut self,
        assembled: Assembled,
        progress: &dyn Fn(u64, u64),
    ) -> Result<ImportReport> {
        let Assembled {
            entries,
            problems: file_problems,
            stats,
            reopened,
        } = assembled;
        let mut report = ImportReport {
            read: stats,
            households_in_file: entries.len() as u64,
            rejected_households: stats.rejected_households,
            dry_run: self.options.dry_run,
            ..ImportReport::default()
        };
        let total = entries.len() as u64;
        report.written_early = self.early.len() as u64;
        progress(self.early.len() as u64, total);
        self.timer.add("waiting for the reader");

        // Households written early: kept if the final file has them unchanged.
        let reopened: HashSet<String> = reopened.into_iter().collect();
        let mut kept: Vec<(i64, RegistryEntry)> = Vec::new();
        let mut items: Vec<Item> = Vec::with_capacity(entries.len());
        for entry in entries {
            let key = (
                entry.household.village.county().to_owned(),
                entry.household.number.clone(),
            );
            match self.early.remove(&key) {
                // The same household as the one written early.
                Some(id) if !reopened.contains(&entry.household.number) => kept.push((id, entry)),
                Some(id) => {
                    self.undo(&key, id).await?;
                    report.undone_early += 1;
                    items.push(Item::new(entry));
                }
                None => items.push(Item::new(entry)),
            }
        }
        let undone: Vec<((String, String), i64)> = self.early.drain().collect();
        for (key, id) in &undone {
            self.undo(key, *id).await?;
        }
        report.undone_early += undone.len() as u64;
        self.timer.add("undo");

        // The rest: lookups, scope, moves, regions, diffs.
        self.bulk.restore_lookups(&self.tx).await?;
        self.timer.add("lookup indexes");
        let registered = self.lookup(&mut items).await?;
        for it in &mut items {
            self.check_scope(it);
        }
        self.timer.add("lookups");
        resolve_moves(&mut items, &registered);
        let refs: Vec<&RegistryEntry> = items
            .iter()
            .filter(|it| !it.rejected())
            .map(|it| &it.entry)
            .collect();
        self.regions.load(&self.tx, &refs).await?;
        let mut existing_members: HashMap<(String, i64), Vec<members::Model>> = HashMap::new();
        {
            let mut by_county: BTreeMap<String, Vec<i64>> = BTreeMap::new();
            for it in &items {
                if let Some(h) = &it.existing {
                    by_county.entry(it.county.clone()).or_default().push(h.id);
                }
            }
            for (county, ids) in by_county {
                for chunk in ids.chunks(IN_CHUNK) {
                    for m in members::Entity::find()
                        .filter(members::Column::CountyCode.eq(county.as_str()))
                        .filter(members::Column::HouseholdId.is_in(chunk.to_vec()))
                        .order_by_asc(members::Column::Position)
                        .order_by_asc(members::Column::Id)
                        .all(&self.tx)
                        .await?
                    {
                        existing_members
                            .entry((county.clone(), m.household_id))
                            .or_default()
                            .push(m);
                    }
                }
            }
        }
        let mut creates: Vec<(usize, Valid)> = Vec::new();
        let mut updates: Vec<(usize, Valid, Diff)> = Vec::new();
        for (i, it) in items.iter_mut().enumerate() {
            if it.rejected() {
                continue;
            }
            let planned = match self.regions.plan(&mut it.entry) {
                Ok(p) => p,
                Err(ps) => {
                    it.problems.extend(ps);
                    continue;
                }
            };
            let v = match check_household(&it.entry.household) {
                Ok(v) => v,
                Err(e) => {
                    let p = it.entry.problem(
                        Col::Number,
                        &it.entry.household.number,
                        reason(e.message_zh(), e.to_string()),
                    );
                    it.problems.push(p);
                    continue;
                }
            };
            match &it.existing {
                None => {
                    self.insert_regions(&planned).await?;
                    creates.push((i, v));
                }
                Some(h) => {
                    let ms = existing_members
                        .get(&(it.county.clone(), h.id))
                        .map_or(&[][..], Vec::as_slice);
                    let d = diff(h, ms, &it.entry.household)?;
                    if d.is_empty() {
                        report.households_unchanged += 1;
                    } else {
                        self.insert_regions(&planned).await?;
                        updates.push((i, v, d));
                    }
                }
            }
        }
        self.timer.add("checks, regions, diffs");

        // Writes: members leaving their household first (removed, or moving to another household of
        // the file), then changed households, then new ones.
        for (i, _, d) in &updates {
            let county = &items[*i].county;
            for m in &d.removed {
                members::Entity::delete_by_id((county.clone(), m.id))
                    .exec(&self.tx)
                    .await?;
            }
        }
        let mut changes: Vec<Change<'static>> = Vec::new();
        for (i, v, d) in &updates {
            let it = &items[*i];
            if let Some(before) = &it.existing {
                self.bulk.written(&before.county_code, before.id);
                self.update_household(before, &it.entry.household, v, d)
                    .await?;
                report.households_updated += 1;
                report.members_added += d.added.len() as u64;
                report.members_updated += d.updated.len() as u64;
                report.members_removed += d.removed.len() as u64;
                changes.push(Change {
                    action: "update",
                    entity: "household",
                    entity_id: it.entry.household.number.clone(),
                    county_code: Some(before.county_code.clone()),
                    village_code: Some(v.village.clone()),
                    before: Some(serde_json::json!({
                        "household": to_json(before)?,
                        "members": to_json(&d.before_members)?,
                    })),
                    after: Some(serde_json::json!({
                        "household": to_json(&it.entry.household)?,
                        "import": source_json(&self.options, &it.entry),
                    })),
                });
            }
        }
        self.timer.add("updates");
        let ids = self
            .insert_households(creates.iter().map(|(i, v)| (&items[*i].entry.household, v)))
            .await?;
        self.timer.add("new households");

        // Created households: the kept early ones and the new ones.
        let new: Vec<(i64, &RegistryEntry, &Valid)> = creates
            .iter()
            .zip(&ids)
            .map(|((i, v), id)| (*id, &items[*i].entry, v))
            .collect();
        let created: Vec<&RegistryEntry> = kept
            .iter()
            .map(|(_, e)| e)
            .chain(new.iter().map(|(_, e, _)| *e))
            .collect();
        report.households_created = created.len() as u64;
        report.members_added += created
            .iter()
            .map(|e| e.household.members.len() as u64)
            .sum::<u64>();

        // Regions created for households that were rejected in the end: removed again.
        let mut used: HashSet<String> = HashSet::new();
        let written = created
            .iter()
            .map(|e| &e.household)
            .chain(updates.iter().map(|(i, _, _)| &items[*i].entry.household));
        for h in written {
            let v = &h.village;
            used.insert(format!("{}000000", v.county()));
            used.insert(format!("{}000", v.township()));
            used.insert(v.as_str().to_owned());
            if let Some(nv) = &h.natural_village {
                used.insert(nv.clone());
            }
        }
        let mut orphans: Vec<&regions::Model> = self
            .regions
            .created
            .iter()
            .filter(|r| !used.contains(&r.code))
            .collect();
        orphans.sort_by_key(|r| std::cmp::Reverse(region_rank(&r.level)));
        for r in &orphans {
            regions::Entity::delete_by_id(r.code.clone())
                .exec(&self.tx)
                .await?;
        }
        let regions_created: Vec<&regions::Model> = self
            .regions
            .created
            .iter()
            .filter(|r| used.contains(&r.code))
            .collect();
        report.regions_created = regions_created.len() as u64;

        // Problems.
        let db_rejected = items.iter().filter(|it| it.rejected()).count() as u64;
        report.rejected_households += db_rejected;
        let mut problems = file_problems;
        for it in &items {
            problems.extend(it.problems.iter().cloned());
        }
        sort_problems(&mut problems);
        report.problems = problems;

        self.bulk.leave(&self.tx, &mut self.timer).await?;
        self.timer.add("indexes");

        // Audit.
        for r in &regions_created {
            changes.push(Change {
                action: "create",
                entity: "region",
                entity_id: r.code.clone(),
                county_code: Some(r.county_code.clone()),
                village_code: None,
                before: None,
                after: Some(to_json(*r)?),
            });
        }
        let changed = !changes.is_empty() || !created.is_empty();
        if changed {
            let counties: BTreeSet<&str> = created
                .iter()
                .map(|e| e.household.village.county())
                .chain(updates.iter().map(|(_, v, _)| v.county.as_str()))
                .collect();
            changes.push(Change {
                action: "import",
                entity: "registry_import",
                entity_id: self.options.source.clone(),
                county_code: (counties.len() == 1)
                    .then(|| counties.iter().next().map(|c| (*c).to_owned()))
                    .flatten(),
                village_code: None,
                before: None,
                after: Some(serde_json::json!({
                    "file": self.options.source,
                    "households_created": report.households_created,
                    "households_updated": report.households_updated,
                    "households_unchanged": report.households_unchanged,
                    "members_added": report.members_added,
                    "members_updated": report.members_updated,
                    "members_removed": report.members_removed,
                    "regions_created": report.regions_created,
                    "rejected_households": report.rejected_households,
                    "all_or_nothing": self.options.all_or_nothing,
                })),
            });
            // The kept early households have theirs (written in `early`).
            self.audit_created(&new).await?;
            audit::append_many(&self.tx, &self.actor, changes).await?;
        }
        self.timer.add("audit");
        progress(total, total);
        // A 100,000-person import holds about a million small allocations here; they are freed on a
        // blocking thread while the commit runs, not before the report.
        drop((created, new));
        drop_elsewhere((kept, items));

        let refuse =
            self.options.dry_run || (self.options.all_or_nothing && !report.problems.is_empty());
        // A large import refreshes the query planner's statistics (统计信息). On SQLite that is done in the
        // transaction, while the pages the import wrote are still in its page cache (after the commit,
        // another connection would read them all back); PostgreSQL analyzes after the commit.
        let analyze = report.households_created > 1000;
        if refuse || !changed {
            self.bulk.restore_cache(&self.tx).await?;
            self.tx.rollback().await?;
            report.committed = false;
        } else {
            if analyze && self.backend == DbBackend::Sqlite {
                self.tx
                    .execute_unprepared(crate::db::OPTIMIZE_SQLITE)
                    .await?;
            }
            self.timer.add("analyze");
            self.bulk.restore_cache(&self.tx).await?;
            self.tx.commit().await?;
            self.db.forget_regions();
            report.committed = true;
            if analyze && self.backend != DbBackend::Sqlite {
                self.db.optimize().await?;
            }
        }
        // The transaction is over, committed or not.
        if self.rollback_journal {
            self.db.restore_wal().await?;
        }
        self.timer.add("commit");
        tracing::debug!(target: "shouwang_store::import", "import phases: {}", self.timer.report());
        Ok(report)
    }

    /// Deletes a household written early, (county, 户编号) `key` and `id`: members first, and its `create`
    /// audit row.
    async fn undo(&self, (county, number): &(String, String), id: i64) -> Result<()> {
        audit_log::Entity::delete_many()
            .filter(audit_log::Column::Entity.eq("household"))
            .filter(audit_log::Column::EntityId.eq(number.as_str()))
            .filter(audit_log::Column::Id.gt(self.audit_floor))
            .filter(audit_log::Column::CountyCode.eq(county.as_str()))
            .filter(audit_log::Column::Action.eq("create"))
            .exec(&self.tx)
            .await?;
        members::Entity::delete_many()
            .filter(members::Column::CountyCode.eq(county.as_str()))
            .filter(members::Column::HouseholdId.eq(id))
            .exec(&self.tx)
            .await?;
        households::Entity::delete_by_id((county.clone(), id))
            .exec(&self.tx)
            .await?;
        Ok(())
    }

    async fn update_household(
        &self,
        before: &households::Model,
        h: &Household,
        v: &Valid,
        d: &Diff,
    ) -> Result<()> {
        let tx = &self.tx;
        let mut am = household_model(v, h, before.id, before.created_at);
        am.version = Set(before.version + 1);
        am.updated_at = Set(self.now);
        households::Entity::update_many()
            .set(am)
            .filter(households::Column::CountyCode.eq(before.county_code.as_str()))
            .filter(households::Column::Id.eq(before.id))
            .filter(households::Column::Version.eq(before.version))
            .exec(tx)
            .await
            .map_err(|e| StoreError::from_write(e, &format!("household {}", h.number)))?;
        for (m, old) in &d.updated {
            let mut am = member_model(v, before.id, old.position, m, old.created_at);
            am.id = Set(old.id);
            am.version = Set(old.version + 1);
            am.updated_at = Set(self.now);
            members::Entity::update_many()
                .set(am)
                .filter(members::Column::CountyCode.eq(old.county_code.as_str()))
                .filter(members::Column::Id.eq(old.id))
                .exec(tx)
                .await
                .map_err(|e| StoreError::from_write(e, &format!("member {}", m.id_number)))?;
        }
        let added: Vec<_> = (d.next_position..)
            .zip(&d.added)
            .map(|(position, m)| member_model(v, before.id, position, m, self.now))
            .collect();
        insert_chunks(tx, added, "members").await?;
        if d.village_moved {
            members::Entity::update_many()
                .col_expr(members::Column::VillageCode, Expr::value(v.village.clone()))
                .filter(members::Column::CountyCode.eq(before.county_code.as_str()))
                .filter(members::Column::HouseholdId.eq(before.id))
                .exec(tx)
                .await?;
            income_records::Entity::update_many()
                .col_expr(
                    income_records::Column::VillageCode,
                    Expr::value(v.village.clone()),
                )
                .filter(income_records::Column::CountyCode.eq(before.county_code.as_str()))
                .filter(income_records::Column::HouseholdId.eq(before.id))
                .exec(tx)
                .await?;
        }
        Ok(())
    }

    /// One `create` audit row per created household. Its `after` is the row id and where the household
    /// came from (`{"id", "import": {"file", "sheet", "row"}}`), not the whole household: the household as
    /// created is its row at version 1 (and the `before` of its first `update` row), the file and row say
    /// where every value came from, and the import's summary row counts what was done. A full copy of each
    /// household made the audit log 40 % of a new database and a third of the import's writing.
    async fn audit_created(&mut self, created: &[(i64, &RegistryEntry, &Valid)]) -> Result<()> {
        #[derive(Serialize)]
        struct After<'a> {
            id: i64,
            import: Source<'a>,
        }
        #[derive(Serialize)]
        struct Source<'a> {
            file: &'a str,
            sheet: &'a str,
            row: u32,
        }
        let after = |id: i64, e: &RegistryEntry| -> Result<String> {
            serde_json::to_string(&After {
                id,
                import: Source {
                    file: &self.options.source,
                    sheet: &e.row.sheet,
                    row: e.row.row,
                },
            })
            .map_err(|e| StoreError::Invalid(format!("cannot serialise audit value: {e}")))
        };
        match self.backend {
            DbBackend::Sqlite => {
                let afters = created
                    .iter()
                    .map(|(id, e, _)| after(*id, e))
                    .collect::<Result<Vec<String>>>()?;
                let now = sqlite_time(self.now);
                let (user_id, name) = (self.actor.user_id, self.actor.name.as_str());
                with_direct(&mut self.tx, |direct| {
                    let mut insert = direct.prepare(AUDIT_INSERT)?;
                    for ((_, e, v), after) in created.iter().zip(&afters) {
                        insert
                            .execute(rusqlite::params![
                                new_id(),
                                now,
                                user_id,
                                name,
                                e.household.number,
                                v.county,
                                v.village,
                                after,
                            ])
                            .map_err(|e| direct_error(e, "audit"))?;
                    }
                    Ok(())
                })
                .await?;
            }
            _ => {
                let mut batch = Vec::with_capacity(CHUNK);
                for (id, e, v) in created {
                    batch.push(audit_log::ActiveModel {
                        id: Set(new_id()),
                        at: Set(self.now),
                        actor_user_id: Set(self.actor.user_id),
                        actor_name: Set(self.actor.name.clone()),
                        action: Set("create".to_owned()),
                        entity: Set("household".to_owned()),
                        entity_id: Set(e.household.number.clone()),
                        county_code: Set(Some(v.county.clone())),
                        village_code: Set(Some(v.village.clone())),
                        before: Set(None),
                        after: Set(Some(after(*id, e)?)),
                    });
                    if batch.len() == CHUNK {
                        insert_chunks(&self.tx, std::mem::take(&mut batch), "audit").await?;
                    }
                }
                insert_chunks(&self.tx, batch, "audit").await?;
            }
        }
        Ok(())
    }
}

/// Members registered in another household: a move if that household is in the file (accepted) and
/// no longer lists them; otherwise a conflict. Repeated until no more households are rejected.
fn resolve_moves(items: &mut [Item], registered: &HashMap<(String, String), (i64, String)>) {
    loop {
        let in_file: HashMap<(String, String), usize> = items
            .iter()
            .enumerate()
            .filter(|(_, it)| !it.rejected())
            .map(|(i, it)| ((it.county.clone(), it.entry.household.number.clone()), i))
            .collect();
        let mut newly: Vec<(usize, Problem)> = Vec::new();
        for (i, it) in items.iter().enumerate() {
            if it.rejected() {
                continue;
            }
            let own = it.existing.as_ref().map(|h| h.id);
            for (mi, m) in it.entry.household.members.iter().enumerate() {
                let key = (it.county.clone(), m.id_number.to_string());
                let Some((hid, number)) = registered.get(&key) else {
                    continue;
                };
                if Some(*hid) == own {
                    continue;
                }
                let moving = in_file
                    .get(&(it.county.clone(), number.clone()))
                    .is_some_and(|&j| {
                        items[j]
                            .entry
                            .household
                            .members
                            .iter()
                            .all(|x| x.id_number != m.id_number)
                    });
                if !moving {
                    newly.push((
                        i,
                        it.entry.member_problem(
                            mi,
                            Col::IdNumber,
                            &m.id_number.to_string(),
                            reason(
                                format!(
                                    "此人已登记在户编号 {number} 中：如确已迁入本户，请在同一文件中一并导入户 {number}（不再列此人），或先在系统中从原户删除"
                                ),
                                format!(
                                    "this person is registered in household {number}; import that household in the same file without them, or remove them there first"
                                ),
                            ),
                        ),
                    ));
                    break;
                }
            }
        }
        if newly.is_empty() {
            break;
        }
        for (i, p) in newly {
            items[i].problems.push(p);
        }
    }
}

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
struct BulkMode {
    /// Members inserted so far (bulk mode starts at [`BULK_MEMBERS`]).
    members: usize,
    /// The dropped trigger's SQL (`sqlite_master.sql`), while in bulk mode.
    trigger: Option<String>,
    /// Households whose members may have been inserted (county → ids).
    written: BTreeMap<String, Vec<i64>>,
    /// The registry tables were empty when the import began: indexes may be deferred.
    empty_at_start: bool,
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
    "idx_members_name",
    "idx_member_initials_household",
];

/// Indexes a first import drops with [`DEFERRED_INDEXES`] but builds again as soon as the file is complete,
/// before [`Importer::finish`] looks people up by ID number. Their rows come in no order: built from the
/// sorted rows they cost far less than row by row.
const LOOKUP_INDEXES: &[&str] = &["uq_members_id_number", "idx_members_id_key"];

const INITIALS_TRIGGER: &str = "trg_member_initials_ins";

/// Whether the registry tables (households, members) are empty (SQLite).
async fn registry_empty(c: &impl ConnectionTrait) -> Result<bool> {
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
    async fn check_empty(&mut self, tx: &DatabaseTransaction) -> Result<()> {
        self.empty_at_start = registry_empty(tx).await?;
        Ok(())
    }

    /// Counts `members` about to be inserted; enters bulk mode once they reach [`BULK_MEMBERS`].
    async fn enter(&mut self, tx: &DatabaseTransaction, members: usize) -> Result<()> {
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
    fn written(&mut self, county: &str, id: i64) {
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
    async fn leave(&mut self, tx: &DatabaseTransaction, timer: &mut Phases) -> Result<()> {
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
    async fn restore_lookups(&mut self, tx: &DatabaseTransaction) -> Result<()> {
        for sql in std::mem::take(&mut self.lookup_indexes) {
            tx.execute_unprepared(&sql).await?;
        }
        Ok(())
    }

    /// Sets the connection's page cache back (before the commit or rollback; the connection goes back to
    /// the pool).
    async fn restore_cache(&mut self, tx: &DatabaseTransaction) -> Result<()> {
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
    async fn fill(&mut self, tx: &DatabaseTransaction) -> Result<()> {
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
     (county_code, initial, number, village_code, household_type, is_monitored, household_id) \
     SELECT h.county_code, SUBSTR(m.name, 1, 1), h.number, h.village_code, h.household_type, \
     (h.household_type = 'monitored' OR h.monitored_type IS NOT NULL), h.id \
     FROM households h JOIN members m INDEXED BY idx_members_household \
     ON m.county_code = h.county_code AND m.household_id = h.id";

/// The one-row inserts of new households, members and their audit rows on SQLite, run through
/// [`Direct`] (prepared once per batch, executed per row). They are `INSERT OR FAIL`, and the transaction
/// defers its foreign-key checks to the commit ([`Importer::begin`]), so SQLite keeps no statement journal
/// (a copy of every page a statement changes, to undo a statement that fails half-way): a failed insert
/// fails the whole import, and the transaction is rolled back. Each row's version is 1 and its timestamps
/// the import's (`?16` / `?20`, see [`sqlite_time`]).
const HOUSEHOLDS_INSERT: &str = "INSERT OR FAIL INTO households (county_code, id, township_code, \
     village_code, number, natural_village, household_type, address, phone, is_relocated, \
     monitored_type, risks, head_name, head_id_number, size, version, created_at, updated_at) \
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, 1, ?16, ?16)";
macro_rules! members_insert {
    ($verb:literal) => {
        concat!(
            $verb,
            " INTO members (county_code, id, village_code, household_id, position, id_number, id_key, \
             name, sex, relation, labour, health, education, school, political, has_medical_insurance, \
             dibao, tekun, disability_grade, version, created_at, updated_at) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, \
             ?19, 1, ?20, ?20)"
        )
    };
}
/// Members in [`BulkMode`] (the 姓氏 insert trigger dropped).
const MEMBERS_INSERT: &str = members_insert!("INSERT OR FAIL");
/// Members while the 姓氏 insert trigger is in place: an `OR FAIL` here would also replace the trigger's own
/// `INSERT OR IGNORE` (SQLite applies the outer statement's conflict policy inside triggers).
const MEMBERS_INSERT_TRIGGERED: &str = members_insert!("INSERT");
const AUDIT_INSERT: &str = "INSERT OR FAIL INTO audit_log (id, at, actor_user_id, actor_name, action, \
     entity, entity_id, county_code, village_code, before, after) \
     VALUES (?1, ?2, ?3, ?4, 'create', 'household', ?5, ?6, ?7, NULL, ?8)";

/// A timestamp as the entities store it on SQLite (the text sqlx binds for a `DateTime<Utc>`), so that the
/// rows inserted directly read back like the others.
fn sqlite_time(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, false)
}

/// Inserts one new household ([`HOUSEHOLDS_INSERT`]).
fn insert_household(
    stmt: &mut rusqlite::CachedStatement<'_>,
    h: &Household,
    v: &Valid,
    id: i64,
    now: &str,
) -> rusqlite::Result<usize> {
    let head = h
        .members
        .iter()
        .find(|m| m.relation == Relation::Head)
        .or(h.members.first());
    stmt.execute(rusqlite::params![
        v.county,
        id,
        v.township,
        v.village,
        v.number,
        v.natural_village,
        h.household_type.code(),
        v.address,
        v.phone,
        h.is_relocated,
        h.monitored_type.map(|t| t.code()),
        join_codes(&h.risks),
        head.map_or("", |m| m.name.trim()),
        head.map(|m| m.id_number.to_string()).unwrap_or_default(),
        i32::try_from(h.members.len()).unwrap_or(i32::MAX),
        now,
    ])
}

/// Inserts one new member ([`MEMBERS_INSERT`]) at `pos` in its household.
fn insert_member(
    stmt: &mut rusqlite::CachedStatement<'_>,
    m: &Member,
    v: &Valid,
    household_id: i64,
    pos: usize,
    now: &str,
) -> rusqlite::Result<usize> {
    stmt.execute(rusqlite::params![
        v.county,
        new_id(),
        v.village,
        household_id,
        i32::try_from(pos).unwrap_or(i32::MAX),
        m.id_number.to_string(),
        id_key(m.id_number),
        m.name.trim(),
        m.sex.code(),
        m.relation.code(),
        m.labour.code(),
        join_codes(&m.health),
        m.education.map(|e| e.code()),
        m.school.map(|e| e.code()),
        m.political.code(),
        m.has_medical_insurance,
        m.dibao.code(),
        m.tekun.code(),
        m.disability_grade.map(i16::from),
        now,
    ])
}

/// Drops `value` on a blocking thread of the tokio runtime (here when there is none).
fn drop_elsewhere<T: Send + 'static>(value: T) {
    match tokio::runtime::Handle::try_current() {
        Ok(rt) => {
            rt.spawn_blocking(move || drop(value));
        }
        Err(_) => drop(value),
    }
}

fn region_rank(level: &str) -> u8 {
    match RegionLevel::from_code(level) {
        Some(RegionLevel::County) => 0,
        Some(RegionLevel::Township) => 1,
        Some(RegionLevel::Village | RegionLevel::Settlement) => 2,
        _ => 3,
    }
}

fn source_json(options: &ImportOptions, e: &RegistryEntry) -> serde_json::Value {
    serde_json::json!({
        "file": options.source,
        "sheet": &*e.row.sheet,
        "row": e.row.row,
    })
}

/// Sorts problems by sheet (in order of first appearance) and row.
fn sort_problems(problems: &mut [Problem]) {
    let mut order: HashMap<String, usize> = HashMap::new();
    for p in problems.iter() {
        let n = order.len();
        order.entry(p.sheet.clone()).or_insert(n);
    }
    problems.sort_by(|a, b| {
        let sa = order.get(&a.sheet).copied().unwrap_or(0);
        let sb = order.get(&b.sheet).copied().unwrap_or(0);
        (sa, a.row).cmp(&(sb, b.row))
    });
}

async fn insert_chunks<A>(tx: &DatabaseTransaction, rows: Vec<A>, what: &str) -> Result<()>
where
    A: sea_orm::ActiveModelTrait + Send,
{
    let mut it = rows.into_iter().peekable();
    while it.peek().is_some() {
        let chunk: Vec<A> = it.by_ref().take(CHUNK).collect();
        A::Entity::insert_many(chunk)
            .exec_without_returning(tx)
            .await
            .map_err(|e| StoreError::from_write(e, what))?;
    }
    Ok(())
}

/// What changes in an existing household.
struct Diff {
    fields: bool,
    village_moved: bool,
    added: Vec<Member>,
    updated: Vec<(Member, members::Model)>,
    removed: Vec<members::Model>,
    before_members: Vec<members::Model>,
    next_position: i32,
}

impl Diff {
    fn is_empty(&self) -> bool {
        !self.fields && self.added.is_empty() && self.updated.is_empty() && self.removed.is_empty()
    }
}

fn diff(h: &households::Model, ms: &[members::Model], file: &Household) -> Result<Diff> {
    let stored = to_household(h, ms)?;
    let norm = |s: &Option<String>| {
        s.as_deref()
            .map(str::trim)
            .filter(|x| !x.is_empty())
            .map(str::to_owned)
    };
    let fields = stored.village != file.village
        || stored.natural_village != file.natural_village
        || stored.household_type != file.household_type
        || stored.address.trim() != file.address.trim()
        || norm(&stored.phone) != norm(&file.phone)
        || stored.is_relocated != file.is_relocated
        || stored.monitored_type != file.monitored_type
        || stored.risks != file.risks;
    let by_id: HashMap<IdNumber, (&Member, &members::Model)> = stored
        .members
        .iter()
        .zip(ms)
        .map(|(m, row)| (m.id_number, (m, row)))
        .collect();
    let in_file: HashSet<IdNumber> = file.members.iter().map(|m| m.id_number).collect();
    let mut added = Vec::new();
    let mut updated = Vec::new();
    for m in &file.members {
        match by_id.get(&m.id_number) {
            None => added.push(m.clone()),
            Some((old, row)) => {
                let mut trimmed = m.clone();
                trimmed.name = trimmed.name.trim().to_owned();
                if **old != trimmed {
                    updated.push((trimmed, (*row).clone()));
                }
            }
        }
    }
    let removed: Vec<members::Model> = stored
        .members
        .iter()
        .zip(ms)
        .filter(|(m, _)| !in_file.contains(&m.id_number))
        .map(|(_, row)| row.clone())
        .collect();
    Ok(Diff {
        fields,
        village_moved: stored.village != file.village,
        added,
        updated,
        removed,
        before_members: ms.to_vec(),
        next_position: ms.iter().map(|m| m.position + 1).max().unwrap_or(0),
    })
}

/// Phase times of an import (debug log `shouwang_store::import`).
struct Phases {
    last: std::time::Instant,
    out: Vec<(&'static str, f64)>,
}

impl Phases {
    fn new() -> Phases {
        Phases {
            last: std::time::Instant::now(),
            out: Vec::new(),
        }
    }

    /// Adds the time since the last mark to `what` (summed over repeated marks).
    fn add(&mut self, what: &'static str) {
        let now = std::time::Instant::now();
        let t = (now - self.last).as_secs_f64();
        self.last = now;
        match self.out.iter_mut().find(|(w, _)| *w == what) {
            Some((_, x)) => *x += t,
            None => self.out.push((what, t)),
        }
    }

    fn report(&self) -> String {
        self.out
            .iter()
            .map(|(w, t)| format!("{w} {t:.3} s"))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

// ---------------------------------------------------------------------------------------------------------
// Export.

/// Every household of an area with its members and region names, in 户编号 order. `scope`: the reading
/// user's (`None`: everything, for the command line); `area`: a further region filter (county, township,
/// village or natural-village code). `each` is called once per household. Returns the number of
/// households.
pub async fn export(
    db: &Db,
    scope: Option<&Scope>,
    area: Option<&str>,
    each: &mut (dyn FnMut(&Household, &RegionNames) -> Result<()> + Send),
) -> Result<u64> {
    let area: Option<String> = match (scope, area.map(str::trim).filter(|a| !a.is_empty())) {
        (Some(s), a) => match effective_area(s, a) {
            Some(x) => Some(x),
            None => return Ok(0),
        },
        (None, Some(a)) => match RegionCode::parse(a) {
            Ok(c) => Some(c.scope_prefix().to_owned()),
            Err(e) => {
                return Err(StoreError::Invalid(format!(
                    "area {a:?}: {e} ({})",
                    e.message_zh()
                )));
            }
        },
        (None, None) => None,
    };
    let backend = db.backend();
    let mut sql = Sql::new();
    sql.push("SELECT h.* FROM households h WHERE 1=1");
    if let Some(a) = &area {
        push_household_area(&mut sql, a);
    }
    sql.push(" ORDER BY h.number, h.county_code");
    let hs: Vec<households::Model> = households::Entity::find()
        .from_raw_sql(sql.build(backend))
        .all(db.conn())
        .await?;
    // Region names of the counties concerned.
    let counties: BTreeSet<String> = hs.iter().map(|h| h.county_code.clone()).collect();
    let mut names: HashMap<String, String> = HashMap::new();
    for c in &counties {
        for r in regions::Entity::find()
            .filter(regions::Column::CountyCode.eq(c.as_str()))
            .all(db.conn())
            .await?
        {
            names.insert(r.code, r.name);
        }
    }
    let name = |code: &str| names.get(code).cloned().unwrap_or_default();
    let mut n = 0u64;
    for chunk in hs.chunks(IN_CHUNK) {
        let mut by_county: BTreeMap<&str, Vec<i64>> = BTreeMap::new();
        for h in chunk {
            by_county.entry(&h.county_code).or_default().push(h.id);
        }
        let mut ms: HashMap<(String, i64), Vec<members::Model>> = HashMap::new();
        for (county, ids) in by_county {
            for m in members::Entity::find()
                .filter(members::Column::CountyCode.eq(county))
                .filter(members::Column::HouseholdId.is_in(ids))
                .order_by_asc(members::Column::Position)
                .order_by_asc(members::Column::Id)
                .all(db.conn())
                .await?
            {
                ms.entry((m.county_code.clone(), m.household_id))
                    .or_default()
                    .push(m);
            }
        }
        for h in chunk {
            let members = ms
                .get(&(h.county_code.clone(), h.id))
                .map_or(&[][..], Vec::as_slice);
            let household = to_household(h, members)?;
            let region_names = RegionNames {
                county: name(&format!("{}000000", h.county_code)),
                township: name(&format!("{}000", h.township_code)),
                village: name(&h.village_code),
                natural_village: h.natural_village.as_deref().map(name).unwrap_or_default(),
            };
            each(&household, &region_names)?;
            n += 1;
        }
    }
    Ok(n)
}

/// The head's name of a household (for reports).
pub fn head_name(h: &Household) -> &str {
    h.members
        .iter()
        .find(|m| m.relation == Relation::Head)
        .or(h.members.first())
        .map_or("", |m| m.name.as_str())
}
