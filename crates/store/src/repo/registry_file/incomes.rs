//! The 收支情况 rows of an import (家庭收支导入): each row is checked against the database and written by
//! itself, after the file's households.
//!
//! A row over a verified record (入户核查, 月度走访, 手工录入) does not replace it (the latest verified record
//! counts, `IncomeSource::replaces`): it is reported as a problem of its row, and its figures are kept as
//! 台账导入's, not counted (`repo::income::others`), when they differ from the record.
//!
//! A row's household is the file's (created, updated or unchanged by this import) or, when the file does
//! not have it, the household with that 户编号 in the database, in the importing user's area. A row is
//! rejected, with its problem, when the household is rejected by this import, is nowhere, is outside the
//! user's area (or the role may not write), or when the county's province has no monitoring line for the
//! year. The others are matched by (household, 年度): a new year is inserted, a changed one replaced
//! (version + 1), an unchanged one left alone.
//!
//! **Early** ([`Importer::early_incomes`]): while the file is still being read, the rows handed out by the
//! reader (`Assembler::take_incomes`) whose household was written early are written at once, with their
//! audit rows. At the end a record written early is kept if the final file has its row (not rejected by the
//! whole-file checks: a year given twice) and its household was kept; otherwise it is deleted again with
//! its audit row (before its household, when that is undone).
//!
//! Audit (审计): one row per record created or changed, entity `income_record`, id `户编号/年度` (as
//! `repo::income` writes them): a creation with the new row's id and the file, sheet and row it came from
//! (`{"id", "import": {"file", "sheet", "row"}}`, as a created household's), a change with the row before
//! and after. On SQLite the new records and their audit rows are inserted with prepared one-row statements
//! ([`crate::sqlite_direct`]), on PostgreSQL with multi-row inserts. Figures kept as not counted get the
//! audit rows `repo::income::others` writes (entity `income_other_source`).

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use sea_orm::{
    ActiveModelTrait, ColumnTrait, DbBackend, EntityTrait, IntoActiveModel, QueryFilter,
    QuerySelect, Set,
};
use serde::Serialize;
use shouwang_core::codes::CodeList;
use shouwang_core::income::IncomeSource;
use shouwang_core::registry::values::Reason;
use shouwang_core::registry::{IncomeCol, IncomeRow, Problem};
use shouwang_core::{IncomeRecord, LineTable};

use super::importer::Importer;
use super::sqlite_rows::{AUDIT_INCOME_INSERT, INCOMES_INSERT, insert_income, sqlite_time};
use super::writes::insert_chunks;
use super::{CHUNK, IN_CHUNK, ImportOptions, reason};
use crate::entity::{audit_log, households, income_records, regions};
use crate::error::{Result, StoreError};
use crate::ids::new_id;
use crate::repo::audit::Change;
use crate::repo::income::{self, check_record};
use crate::repo::lines;
use crate::repo::to_json;
use crate::sqlite_direct::{direct_error, with_direct};

/// The household an income row goes to.
#[derive(Clone, Debug)]
pub(super) struct Home {
    pub(super) county: String,
    pub(super) id: i64,
    pub(super) village: String,
    /// Created by this import: it has no income record yet.
    pub(super) fresh: bool,
}

/// A record written early: its year, row id, county and the row it came from.
#[derive(Clone, Debug)]
pub(super) struct EarlyIncome {
    pub(super) year: i32,
    pub(super) id: i64,
    pub(super) county: String,
    pub(super) sheet: std::sync::Arc<str>,
    pub(super) row: u32,
}

/// What the income rows came to.
#[derive(Default)]
pub(super) struct Incomes {
    pub(super) created: u64,
    pub(super) updated: u64,
    pub(super) unchanged: u64,
    /// Rows rejected by the database checks.
    pub(super) rejected: u64,
    /// Rows whose figures were kept, not counted, over a verified record (added or changed).
    pub(super) not_counted: u64,
    pub(super) problems: Vec<Problem>,
    /// The counties written to.
    pub(super) counties: BTreeSet<String>,
    /// The years of the records created or replaced.
    pub(super) years: BTreeSet<i32>,
    /// The `update` audit rows (the `create` ones are written with the records).
    pub(super) changes: Vec<Change<'static>>,
}

/// The records written early and kept ([`Importer::settle_early_incomes`]).
#[derive(Default)]
pub(super) struct KeptEarly {
    /// How many.
    pub(super) records: u64,
    /// Their counties.
    pub(super) counties: BTreeSet<String>,
    /// Their years.
    pub(super) years: BTreeSet<i32>,
}

/// A record to write: its household, the row, and the record it replaces.
struct Write<'a> {
    home: &'a Home,
    row: &'a IncomeRow,
    before: Option<income_records::Model>,
}

fn model(home: &Home, id: i64, r: &IncomeRecord, version: i64) -> income_records::Model {
    income_records::Model {
        county_code: home.county.clone(),
        id,
        village_code: home.village.clone(),
        household_id: home.id,
        year: r.year,
        wage: r.wage.0,
        business: r.business.0,
        property: r.property.0,
        transfer: r.transfer.0,
        production_cost: r.production_cost.0,
        rigid_medical: r.rigid_medical.0,
        rigid_education: r.rigid_education.0,
        rigid_disability: r.rigid_disability.0,
        rigid_disaster: r.rigid_disaster.0,
        insurance_payout: r.insurance_payout.0,
        members: i32::try_from(r.members).unwrap_or(i32::MAX),
        source: IncomeSource::Import.code().to_owned(),
        as_of: None,
        version,
        created_at: chrono::DateTime::UNIX_EPOCH,
        updated_at: chrono::DateTime::UNIX_EPOCH,
    }
}

/// The stored record holds exactly `r`.
fn same(m: &income_records::Model, r: &IncomeRecord) -> bool {
    let amounts = [
        (m.wage, r.wage),
        (m.business, r.business),
        (m.property, r.property),
        (m.transfer, r.transfer),
        (m.production_cost, r.production_cost),
        (m.rigid_medical, r.rigid_medical),
        (m.rigid_education, r.rigid_education),
        (m.rigid_disability, r.rigid_disability),
        (m.rigid_disaster, r.rigid_disaster),
        (m.insurance_payout, r.insurance_payout),
    ];
    amounts.iter().all(|(a, b)| *a == b.0) && i64::from(m.members) == i64::from(r.members)
}

/// Where a row came from, for its audit row.
#[derive(Serialize)]
struct Source<'a> {
    file: &'a str,
    sheet: &'a str,
    row: u32,
}

impl<'a> Source<'a> {
    fn of(options: &'a ImportOptions, row: &'a IncomeRow) -> Source<'a> {
        Source {
            file: &options.source,
            sheet: &row.row.sheet,
            row: row.row.row,
        }
    }
}

/// The `after` of a created record's audit row.
#[derive(Serialize)]
struct Created<'a> {
    id: i64,
    import: Source<'a>,
}

impl Importer {
    /// The monitoring lines as the import's transaction sees them (read once).
    async fn lines(&mut self) -> Result<&LineTable> {
        if self.lines.is_none() {
            self.lines = Some(lines::table_on(&self.tx).await?);
        }
        Ok(self.lines.get_or_insert_with(LineTable::new))
    }

    /// Writes the rows of `rows` whose household was written early (and whose year has a monitoring line)
    /// at once; the others wait for [`Importer::finish`]. `rows` come from `Assembler::take_incomes`.
    pub async fn early_incomes(&mut self, rows: Vec<IncomeRow>) -> Result<()> {
        self.timer.add("waiting for the reader");
        self.lines().await?;
        let lines = self.lines.as_ref();
        let mut taken: HashSet<(&str, i32)> = HashSet::new();
        let chosen: Vec<(Home, &IncomeRow)> = rows
            .iter()
            .filter_map(|row| {
                let home = self.early_homes.get(&row.number)?;
                let year = row.record.year;
                let fine = !self
                    .early_incomes
                    .get(&row.number)
                    .is_some_and(|v| v.iter().any(|e| e.year == year))
                    && check_record(&row.record).is_ok()
                    && lines.is_some_and(|l| l.line_for(&home.county, year).is_some())
                    && taken.insert((row.number.as_str(), year));
                fine.then(|| (home.clone(), row))
            })
            .collect();
        let writes: Vec<Write<'_>> = chosen
            .iter()
            .map(|(home, row)| Write {
                home,
                row,
                before: None,
            })
            .collect();
        let ids = self.insert_incomes(&writes).await?;
        for (w, id) in writes.iter().zip(ids) {
            self.early_incomes
                .entry(w.row.number.clone())
                .or_default()
                .push(EarlyIncome {
                    year: w.row.record.year,
                    id,
                    county: w.home.county.clone(),
                    sheet: w.row.row.sheet.clone(),
                    row: w.row.row.row,
                });
        }
        self.timer.add("early income writes");
        Ok(())
    }

    /// Deletes the records written early of household `number` (before the household is undone).
    pub(super) async fn undo_incomes_of(&mut self, number: &str) -> Result<()> {
        for e in self.early_incomes.remove(number).unwrap_or_default() {
            self.undo_income(number, &e).await?;
        }
        Ok(())
    }

    /// Deletes a record written early and its `create` audit row.
    async fn undo_income(&self, number: &str, e: &EarlyIncome) -> Result<()> {
        audit_log::Entity::delete_many()
            .filter(audit_log::Column::Entity.eq("income_record"))
            .filter(audit_log::Column::EntityId.eq(format!("{number}/{}", e.year)))
            .filter(audit_log::Column::Id.gt(self.audit_floor))
            .filter(audit_log::Column::CountyCode.eq(e.county.as_str()))
            .filter(audit_log::Column::Action.eq("create"))
            .exec(&self.tx)
            .await?;
        income_records::Entity::delete_by_id((e.county.clone(), e.id))
            .exec(&self.tx)
            .await?;
        Ok(())
    }

    /// Settles the records written early against the final file's `rows`: one written early from the same
    /// row of a household kept is kept; the others are deleted (those of the households undone are gone
    /// already). Returns the rows still to write and what the kept ones came to.
    pub(super) async fn settle_early_incomes(
        &mut self,
        rows: Vec<IncomeRow>,
    ) -> Result<(Vec<IncomeRow>, KeptEarly)> {
        let mut early = std::mem::take(&mut self.early_incomes);
        let mut rest = Vec::with_capacity(rows.len().saturating_sub(early.len()));
        let mut kept = KeptEarly::default();
        for r in rows {
            let hit = early.get_mut(r.number.as_str()).and_then(|list| {
                let i = list.iter().position(|e| {
                    e.year == r.record.year && e.row == r.row.row && e.sheet == r.row.sheet
                })?;
                Some(list.swap_remove(i))
            });
            match hit {
                Some(e) if self.early_homes.contains_key(&r.number) => {
                    kept.records += 1;
                    kept.years.insert(e.year);
                    if !kept.counties.contains(&e.county) {
                        kept.counties.insert(e.county);
                    }
                }
                Some(e) => {
                    self.undo_income(&r.number, &e).await?;
                    rest.push(r);
                }
                None => rest.push(r),
            }
        }
        for (number, list) in early {
            for e in list {
                self.undo_income(&number, &e).await?;
            }
        }
        Ok((rest, kept))
    }

    /// Checks and writes the file's income rows (see the module docs). `homes`: the file's households
    /// written or left unchanged by this import, by 户编号; `rejected`: the 户编号 of the file's households
    /// this import rejects.
    pub(super) async fn import_incomes(
        &mut self,
        rows: &[IncomeRow],
        mut homes: HashMap<String, Home>,
        rejected: &HashSet<String>,
    ) -> Result<Incomes> {
        let mut out = Incomes::default();
        if rows.is_empty() {
            return Ok(out);
        }
        let lines = self.lines().await?.clone();
        let elsewhere: BTreeSet<&str> = rows
            .iter()
            .map(|r| r.number.as_str())
            .filter(|n| !homes.contains_key(*n) && !rejected.contains(*n))
            .collect();
        let refused = self.homes_in_database(&elsewhere, &mut homes).await?;

        let mut accepted: Vec<(&Home, &IncomeRow)> = Vec::with_capacity(rows.len());
        for row in rows {
            let refusal = if rejected.contains(&row.number) {
                Some((
                    IncomeCol::Number,
                    row.number.clone(),
                    reason(
                        format!(
                            "户编号 {} 的户在本次导入中被拒绝（见该户的问题），其收支情况也不导入",
                            row.number
                        ),
                        format!(
                            "household {} is rejected by this import (see its problems), so is its income",
                            row.number
                        ),
                    ),
                ))
            } else if let Some(why) = refused.get(&row.number) {
                Some((IncomeCol::Number, row.number.clone(), why.clone()))
            } else if let Some(home) = homes.get(&row.number) {
                let province = home.county.get(..2).unwrap_or_default();
                if let Err(e) = check_record(&row.record) {
                    Some((
                        IncomeCol::Year,
                        row.record.year.to_string(),
                        reason(e.message_zh(), e.to_string()),
                    ))
                } else if lines.line_for(&home.county, row.record.year).is_none() {
                    let y = row.record.year;
                    Some((
                        IncomeCol::Year,
                        y.to_string(),
                        reason(
                            format!(
                                "{y}年未设置监测线（省级代码 {province}）：请先设定该年的监测线（省级管理员设定本省监测线，省级允许时县级管理员可在“县级规则配置”中设定本县监测线）"
                            ),
                            format!(
                                "No monitoring line set for {y} (province {province}): set it first (the province admin sets the province's line; where the province allows it, the county admin sets the county's own on the county rules page)"
                            ),
                        ),
                    ))
                } else {
                    accepted.push((home, row));
                    None
                }
            } else {
                Some((
                    IncomeCol::Number,
                    row.number.clone(),
                    reason(
                        format!(
                            "户编号 {} 不在本文件的户信息中，系统中也没有该户：请先导入该户",
                            row.number
                        ),
                        format!(
                            "household {} is neither in this file's household sheet nor in the system; import it first",
                            row.number
                        ),
                    ),
                ))
            };
            if let Some((col, value, why)) = refusal {
                out.problems.push(row.problem(col, &value, why));
                out.rejected += 1;
            }
        }
        self.timer.add("income checks");

        // The records the households have now (not those created by this import).
        let mut stored: HashMap<(String, i64, i32), income_records::Model> = HashMap::new();
        let mut by_county: BTreeMap<&str, BTreeSet<i64>> = BTreeMap::new();
        for (home, _) in accepted.iter().filter(|(h, _)| !h.fresh) {
            by_county.entry(&home.county).or_default().insert(home.id);
        }
        for (county, ids) in by_county {
            let ids: Vec<i64> = ids.into_iter().collect();
            for chunk in ids.chunks(IN_CHUNK) {
                for m in income_records::Entity::find()
                    .filter(income_records::Column::CountyCode.eq(county))
                    .filter(income_records::Column::HouseholdId.is_in(chunk.to_vec()))
                    .all(&self.tx)
                    .await?
                {
                    stored.insert((m.county_code.clone(), m.household_id, m.year), m);
                }
            }
        }
        let mut writes: Vec<Write<'_>> = Vec::with_capacity(accepted.len());
        let today = income::beijing_date(self.now);
        for (home, row) in accepted {
            let before = stored.remove(&(home.county.clone(), home.id, row.record.year));
            let counting = before.as_ref().map(income::source_of);
            // Over a verified record (which the import does not replace), the import's figures are kept
            // as 台账导入's, not counted (repo::income::others): added when they differ from the record,
            // replacing the import's figures kept before.
            if let (Some(b), Some(kept)) = (&before, counting)
                && !IncomeSource::Import.replaces(kept)
            {
                let aside = income::others::keep(
                    &self.tx,
                    &self.actor,
                    income::others::Home {
                        county: &home.county,
                        household_id: home.id,
                        number: &row.number,
                        village: &home.village,
                    },
                    &row.record,
                    IncomeSource::Import,
                    today,
                    &income::to_record(b),
                )
                .await?;
                if aside {
                    out.not_counted += 1;
                    out.counties.insert(home.county.clone());
                }
            }
            match (before, counting) {
                (Some(b), _) if same(&b, &row.record) => out.unchanged += 1,
                // The latest verified record counts: an import does not replace it.
                (Some(_), Some(kept)) if !IncomeSource::Import.replaces(kept) => {
                    let y = row.record.year;
                    out.problems.push(row.problem(
                        IncomeCol::Year,
                        &y.to_string(),
                        reason(
                            format!("该户{y}年已有{}记录（经核实），导入不覆盖：导入的数据另行保存、不计入，以最近一次核实记录为准；如需更正请在农户页面修改", kept.label_zh()),
                            format!("the household's {y} record comes from {} (verified); an import does not replace it: the imported figures are kept, not counted (the latest verified record counts) — correct it on the household page", kept.label_en()),
                        ),
                    ));
                    out.rejected += 1;
                }
                (before, _) => writes.push(Write { home, row, before }),
            }
        }
        let (new, changed): (Vec<Write<'_>>, Vec<Write<'_>>) =
            writes.into_iter().partition(|w| w.before.is_none());
        out.counties
            .extend(new.iter().chain(&changed).map(|w| w.home.county.clone()));
        out.years
            .extend(new.iter().chain(&changed).map(|w| w.row.record.year));
        self.insert_incomes(&new).await?;
        out.created = new.len() as u64;
        for w in &changed {
            out.changes.push(self.update_income(w).await?);
        }
        out.updated = changed.len() as u64;
        self.timer.add("income writes");
        Ok(out)
    }

    /// Finds the households of `numbers` (not in the file) in the database: fills `homes` with those the
    /// importing user may write, and returns the reason for each of the others it found.
    async fn homes_in_database(
        &self,
        numbers: &BTreeSet<&str>,
        homes: &mut HashMap<String, Home>,
    ) -> Result<HashMap<String, Reason>> {
        let mut refused = HashMap::new();
        if numbers.is_empty() {
            return Ok(refused);
        }
        // By county (the key of the households' number index): the counties of the regions, within the
        // user's area.
        let area = self
            .scope
            .as_ref()
            .map_or("", |s| s.area_prefix().trim())
            .to_owned();
        let counties: Vec<String> = regions::Entity::find()
            .select_only()
            .column(regions::Column::CountyCode)
            .distinct()
            .into_tuple::<String>()
            .all(&self.tx)
            .await?
            .into_iter()
            .filter(|c| c.starts_with(area.get(..6).unwrap_or(&area)))
            .collect();
        let list: Vec<String> = numbers.iter().map(|n| (*n).to_owned()).collect();
        let mut found: HashMap<String, Vec<households::Model>> = HashMap::new();
        for county in &counties {
            for chunk in list.chunks(IN_CHUNK) {
                for h in households::Entity::find()
                    .filter(households::Column::CountyCode.eq(county.as_str()))
                    .filter(households::Column::Number.is_in(chunk.to_vec()))
                    .all(&self.tx)
                    .await?
                {
                    found.entry(h.number.clone()).or_default().push(h);
                }
            }
        }
        for (number, mut hs) in found {
            if let Some(scope) = &self.scope {
                hs.retain(|h| scope.covers(&h.village_code));
                if hs.is_empty() {
                    refused.insert(
                        number,
                        reason(
                            format!("该户不在您的管辖范围（{}）内", scope.area_prefix()),
                            format!(
                                "the household is outside your area ({})",
                                scope.area_prefix()
                            ),
                        ),
                    );
                    continue;
                }
                if !scope.may_write() {
                    refused.insert(
                        number,
                        reason(
                            "您的角色不能修改农户信息",
                            "your role may not change the registry",
                        ),
                    );
                    continue;
                }
            }
            match hs.as_slice() {
                [h] => {
                    homes.insert(
                        number,
                        Home {
                            county: h.county_code.clone(),
                            id: h.id,
                            village: h.village_code.clone(),
                            fresh: false,
                        },
                    );
                }
                _ => {
                    let counties: Vec<&str> = hs.iter().map(|h| h.county_code.as_str()).collect();
                    refused.insert(
                        number.clone(),
                        reason(
                            format!(
                                "户编号 {number} 在多个县（{}）使用，无法确定是哪一户：请以县级用户身份导入",
                                counties.join("、")
                            ),
                            format!(
                                "household number {number} is used in several counties ({}); import as a county user",
                                counties.join(", ")
                            ),
                        ),
                    );
                }
            }
        }
        Ok(refused)
    }

    /// Inserts new records with their `create` audit rows; returns their row ids.
    async fn insert_incomes(&mut self, new: &[Write<'_>]) -> Result<Vec<i64>> {
        if new.is_empty() {
            return Ok(Vec::new());
        }
        let ids: Vec<i64> = new.iter().map(|_| new_id()).collect();
        let afters = new
            .iter()
            .zip(&ids)
            .map(|(w, id)| {
                serde_json::to_string(&Created {
                    id: *id,
                    import: Source::of(&self.options, w.row),
                })
                .map_err(|e| StoreError::internal(format!("cannot serialise audit value: {e}")))
            })
            .collect::<Result<Vec<String>>>()?;
        let entity_id = |w: &Write<'_>| format!("{}/{}", w.row.number, w.row.record.year);
        match self.backend {
            DbBackend::Sqlite => {
                let now = sqlite_time(self.now);
                let (user_id, name) = (self.actor.user_id, self.actor.name.clone());
                with_direct(&mut self.tx, |direct| {
                    let mut records = direct.prepare(INCOMES_INSERT)?;
                    let mut audit = direct.prepare(AUDIT_INCOME_INSERT)?;
                    for ((w, id), after) in new.iter().zip(&ids).zip(&afters) {
                        insert_income(&mut records, &model(w.home, *id, &w.row.record, 1), &now)
                            .map_err(|e| direct_error(e, ("导入的收支情况", "Imported incomes")))?;
                        audit
                            .execute(rusqlite::params![
                                new_id(),
                                now,
                                user_id,
                                name,
                                entity_id(w),
                                w.home.county,
                                w.home.village,
                                after,
                            ])
                            .map_err(|e| direct_error(e, ("审计日志", "Audit rows")))?;
                    }
                    Ok(())
                })
                .await?;
            }
            _ => {
                let mut records = Vec::with_capacity(CHUNK.min(new.len()));
                let mut audit = Vec::with_capacity(CHUNK.min(new.len()));
                for ((w, id), after) in new.iter().zip(&ids).zip(afters) {
                    let mut m = model(w.home, *id, &w.row.record, 1);
                    (m.created_at, m.updated_at) = (self.now, self.now);
                    records.push(m.into_active_model());
                    audit.push(audit_log::ActiveModel {
                        id: Set(new_id()),
                        at: Set(self.now),
                        actor_user_id: Set(self.actor.user_id),
                        actor_name: Set(self.actor.name.clone()),
                        action: Set("create".to_owned()),
                        entity: Set("income_record".to_owned()),
                        entity_id: Set(entity_id(w)),
                        county_code: Set(Some(w.home.county.clone())),
                        village_code: Set(Some(w.home.village.clone())),
                        before: Set(None),
                        after: Set(Some(after)),
                    });
                }
                insert_chunks(&self.tx, records, ("导入的收支情况", "Imported incomes")).await?;
                insert_chunks(&self.tx, audit, ("审计日志", "Audit rows")).await?;
            }
        }
        Ok(ids)
    }

    /// Replaces a stored record (version-checked); returns its `update` audit row.
    async fn update_income(&self, w: &Write<'_>) -> Result<Change<'static>> {
        let Some(before) = &w.before else {
            return Err(StoreError::internal(
                "an income update without the record before",
            ));
        };
        let mut after = model(w.home, before.id, &w.row.record, before.version + 1);
        (after.created_at, after.updated_at) = (before.created_at, self.now);
        let res = income_records::Entity::update_many()
            .set(after.clone().into_active_model().reset_all())
            .filter(income_records::Column::CountyCode.eq(before.county_code.as_str()))
            .filter(income_records::Column::Id.eq(before.id))
            .filter(income_records::Column::Version.eq(before.version))
            .exec(&self.tx)
            .await
            .map_err(|e| {
                StoreError::from_write(
                    e,
                    &format!("户 {} 的 {} 年收支情况", w.row.number, w.row.record.year),
                    &format!("Income {} of household {}", w.row.record.year, w.row.number),
                )
            })?;
        if res.rows_affected != 1 {
            return Err(StoreError::StaleVersion {
                expected: before.version,
                found: 0,
            });
        }
        Ok(Change {
            action: "update",
            entity: "income_record",
            entity_id: format!("{}/{}", w.row.number, w.row.record.year),
            county_code: Some(w.home.county.clone()),
            village_code: Some(w.home.village.clone()),
            before: Some(to_json(before)?),
            after: Some(serde_json::json!({
                "income_record": to_json(&after)?,
                "import": Source::of(&self.options, w.row),
            })),
        })
    }
}
