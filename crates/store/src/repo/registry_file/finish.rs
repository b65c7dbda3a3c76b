//! The end of an import with the whole file read: early households kept or undone, checks, diffs, writes,
//! problems, audit, and the commit (or not).

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use sea_orm::{ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, QueryFilter, QueryOrder};
use shouwang_core::registry::{Assembled, Col, Problem, RegistryEntry};

use super::diff::{Diff, diff};
use super::importer::Importer;
use super::incomes::Home;
use super::moves::resolve_moves;
use super::regions::region_rank;
use super::{IN_CHUNK, ImportOptions, ImportReport, Item, drop_elsewhere, reason};
use crate::entity::{members, regions};
use crate::error::Result;
use crate::repo::audit::{self, Change};
use crate::repo::households::{Valid, check_household, open_member};
use crate::repo::to_json;

impl Importer {
    /// Completes the import with the whole file read (see the module docs) and commits (or not).
    pub async fn finish(
        mut self,
        assembled: Assembled,
        progress: &dyn Fn(u64, u64),
    ) -> Result<ImportReport> {
        let Assembled {
            entries,
            incomes,
            problems: file_problems,
            stats,
            reopened,
        } = assembled;
        let mut report = ImportReport {
            read: stats,
            households_in_file: entries.len() as u64,
            rejected_households: stats.rejected_households,
            incomes_in_file: incomes.len() as u64,
            rejected_income_rows: stats.rejected_income_rows,
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
        // Income records written early: kept if the final file has their row.
        let (incomes, early_incomes) = self.settle_early_incomes(incomes).await?;
        self.timer.add("undo");

        // The rest: lookups, scope, moves, regions, diffs.
        self.bulk.restore_lookups(&self.tx).await?;
        self.timer.add("lookup indexes");
        let registered = self.lookup(&mut items).await?;
        for it in &mut items {
            self.check_scope(it);
        }
        self.drop_departed(&mut items, &registered).await?;
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
                            .push(open_member(self.db.keys(), m)?);
                    }
                }
            }
        }
        let mut creates: Vec<(usize, Valid)> = Vec::new();
        let mut updates: Vec<(usize, Valid, Diff)> = Vec::new();
        let mut unchanged: Vec<usize> = Vec::new();
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
                        unchanged.push(i);
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

        // The 收支情况 rows not written early, on the households (of theirs) as they are now.
        let wanted: HashSet<&str> = incomes.iter().map(|r| r.number.as_str()).collect();
        let mut homes: HashMap<String, Home> = HashMap::new();
        let mut home = |number: &str, county: &str, id: i64, village: &str, fresh: bool| {
            if wanted.contains(number) {
                let h = Home {
                    county: county.to_owned(),
                    id,
                    village: village.to_owned(),
                    fresh,
                };
                homes.insert(number.to_owned(), h);
            }
        };
        for (id, e) in &kept {
            let v = &e.household.village;
            home(&e.household.number, v.county(), *id, v.as_str(), true);
        }
        for (id, e, v) in &new {
            home(&e.household.number, &v.county, *id, &v.village, true);
        }
        for (i, v, _) in &updates {
            if let Some(h) = &items[*i].existing {
                home(&h.number, &h.county_code, h.id, &v.village, false);
            }
        }
        for i in &unchanged {
            if let Some(h) = &items[*i].existing {
                home(&h.number, &h.county_code, h.id, &h.village_code, false);
            }
        }
        let rejected: HashSet<String> = items
            .iter()
            .filter(|it| it.rejected() && wanted.contains(it.entry.household.number.as_str()))
            .map(|it| it.entry.household.number.clone())
            .collect();
        let income = self.import_incomes(&incomes, homes, &rejected).await?;
        report.incomes_created = income.created + early_incomes.records;
        report.income_years = income
            .years
            .iter()
            .chain(&early_incomes.years)
            .copied()
            .collect::<BTreeSet<i32>>()
            .into_iter()
            .collect();
        report.incomes_updated = income.updated;
        report.incomes_unchanged = income.unchanged;
        report.rejected_income_rows += income.rejected;
        drop_elsewhere(incomes);

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
            problems.extend(it.refused_members.iter().cloned());
        }
        problems.extend(income.problems);
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
        changes.extend(income.changes);
        let changed = !changes.is_empty()
            || !created.is_empty()
            || report.incomes_created > 0
            || income.not_counted > 0;
        if changed {
            let counties: BTreeSet<&str> = created
                .iter()
                .map(|e| e.household.village.county())
                .chain(updates.iter().map(|(_, v, _)| v.county.as_str()))
                .chain(income.counties.iter().map(String::as_str))
                .chain(early_incomes.counties.iter().map(String::as_str))
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
                    "incomes_created": report.incomes_created,
                    "incomes_updated": report.incomes_updated,
                    "incomes_unchanged": report.incomes_unchanged,
                    "rejected_income_rows": report.rejected_income_rows,
                    "incomes_not_counted": income.not_counted,
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
