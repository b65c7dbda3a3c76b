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
//! Audit (审计): one row per household created or changed (`create` / `update`, entity `household`, with the
//! file, sheet and row it came from), one per region created, and a summary row (`import`, entity
//! `registry_import`) when anything changed.
//!
//! [`export`] reads the registry of an area back, household by household in 户编号 order, with the
//! region names, for the export workbook.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use chrono::Utc;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait,
    IntoActiveModel, QueryFilter, QueryOrder, Set,
};
use serde::Serialize;
use shouwang_core::codes::{RegionLevel, Relation};
use shouwang_core::registry::values::Reason;
use shouwang_core::registry::{Assembled, Col, Problem, ReadStats, RegionNames, RegistryEntry};
use shouwang_core::{CodeList, Household, IdNumber, Member, RegionCode, Scope};

use super::audit::{self, Change};
use super::households::{
    Valid, check_household, effective_area, household_model, member_model, push_household_area,
    to_household,
};
use super::{Actor, Sql, to_json};
use crate::db::Db;
use crate::entity::{households, members, regions};
use crate::error::{Result, StoreError};
use crate::ids::new_id;

/// Rows per multi-row `INSERT` (members: 22 columns → 22,000 parameters).
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

    /// Households or members written (0 after a dry run or when nothing changed).
    pub fn changes(&self) -> u64 {
        self.households_created + self.households_updated + self.regions_created
    }
}

fn reason(zh: impl Into<String>, en: impl Into<String>) -> Reason {
    Reason::new(zh, en)
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
    fn rejected(&self) -> bool {
        !self.problems.is_empty()
    }
}

/// Loads rows by chunks of keys.
async fn chunked<T, F, Fut>(keys: &[String], mut f: F) -> Result<Vec<T>>
where
    F: FnMut(Vec<String>) -> Fut,
    Fut: std::future::Future<Output = Result<Vec<T>>>,
{
    let mut out = Vec::new();
    for chunk in keys.chunks(IN_CHUNK) {
        out.extend(f(chunk.to_vec()).await?);
    }
    Ok(out)
}

/// Imports the households of a read file. `scope`: the importing user's (writes only inside its area);
/// `None` for the system (the command line without `--user`). `progress(done, total)` counts households.
pub async fn import(
    db: &Db,
    actor: &Actor,
    scope: Option<&Scope>,
    assembled: Assembled,
    options: &ImportOptions,
    progress: &dyn Fn(u64, u64),
) -> Result<ImportReport> {
    let Assembled {
        entries,
        problems: file_problems,
        stats,
    } = assembled;
    let mut report = ImportReport {
        read: stats,
        households_in_file: entries.len() as u64,
        rejected_households: stats.rejected_households,
        dry_run: options.dry_run,
        ..ImportReport::default()
    };
    let total = entries.len() as u64;
    progress(0, total);
    let mut items: Vec<Item> = entries
        .into_iter()
        .map(|entry| Item {
            county: entry.household.village.county().to_owned(),
            entry,
            existing: None,
            problems: Vec::new(),
        })
        .collect();

    // Area of the user.
    if let Some(scope) = scope {
        for it in &mut items {
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
            }
        }
    }

    let tx = db.begin_write().await?;
    let now = Utc::now();

    // Existing households with these numbers, and their members.
    let mut by_county: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (i, it) in items.iter().enumerate() {
        by_county.entry(it.county.clone()).or_default().push(i);
    }
    let mut existing_members: HashMap<(String, i64), Vec<members::Model>> = HashMap::new();
    // (county, id number) → (household id, household number)
    let mut registered: HashMap<(String, String), (i64, String)> = HashMap::new();
    for (county, idx) in &by_county {
        let numbers: Vec<String> = idx
            .iter()
            .map(|&i| items[i].entry.household.number.clone())
            .collect();
        let found = chunked(&numbers, |chunk| {
            let tx = &tx;
            let county = county.clone();
            async move {
                Ok(households::Entity::find()
                    .filter(households::Column::CountyCode.eq(county))
                    .filter(households::Column::Number.is_in(chunk))
                    .all(tx)
                    .await?)
            }
        })
        .await?;
        let mut by_number: HashMap<String, households::Model> =
            found.into_iter().map(|h| (h.number.clone(), h)).collect();
        for &i in idx {
            items[i].existing = by_number.remove(&items[i].entry.household.number);
        }
        let ids: Vec<String> = idx
            .iter()
            .filter_map(|&i| items[i].existing.as_ref().map(|h| h.id.to_string()))
            .collect();
        let ms = chunked(&ids, |chunk| {
            let tx = &tx;
            let county = county.clone();
            async move {
                let ids: Vec<i64> = chunk.iter().filter_map(|s| s.parse().ok()).collect();
                Ok(members::Entity::find()
                    .filter(members::Column::CountyCode.eq(county))
                    .filter(members::Column::HouseholdId.is_in(ids))
                    .order_by_asc(members::Column::Position)
                    .order_by_asc(members::Column::Id)
                    .all(tx)
                    .await?)
            }
        })
        .await?;
        for m in ms {
            existing_members
                .entry((county.clone(), m.household_id))
                .or_default()
                .push(m);
        }
        // Where the file's ID numbers are registered now.
        let id_numbers: Vec<String> = idx
            .iter()
            .flat_map(|&i| items[i].entry.household.members.iter())
            .map(|m| m.id_number.to_string())
            .collect();
        let homes = chunked(&id_numbers, |chunk| {
            let tx = &tx;
            let county = county.clone();
            async move {
                let mut sql = Sql::new();
                sql.push(
                    "SELECT m.id_number, m.household_id, h.number FROM members m \
                     JOIN households h ON h.county_code = m.county_code AND h.id = m.household_id \
                     WHERE m.county_code = ",
                )
                .bind(county.as_str())
                .push(" AND m.id_number IN (");
                for (k, id) in chunk.iter().enumerate() {
                    if k > 0 {
                        sql.push(", ");
                    }
                    sql.bind(id.as_str());
                }
                sql.push(")");
                let rows = tx
                    .query_all_raw(sql.build(tx.get_database_backend()))
                    .await?;
                rows.iter()
                    .map(|r| {
                        Ok((
                            r.try_get::<String>("", "id_number")?,
                            r.try_get::<i64>("", "household_id")?,
                            r.try_get::<String>("", "number")?,
                        ))
                    })
                    .collect::<Result<Vec<_>>>()
            }
        })
        .await?;
        for (id, hid, number) in homes {
            registered.insert((county.clone(), id), (hid, number));
        }
    }

    // The existing household outside the user's area.
    if let Some(scope) = scope {
        for it in &mut items {
            if let Some(h) = &it.existing
                && !scope.covers(&h.village_code)
                && !it.rejected()
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
    }

    // Members registered in another household: a move if that household is in the file (accepted) and no
    // longer lists them; otherwise a conflict. Repeated until no more households are rejected.
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
                                    "此人已登记在户编号 {number} 中：如确已迁入本户，请在同一文件中一并导入户 {number}（不再列此人），或先在系统中从原户删除；也可在“重复人员核查”中处理"
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

    // Regions: existing ones, and the ones to create for the accepted households.
    let mut region_codes: BTreeSet<String> = BTreeSet::new();
    for it in items.iter().filter(|it| !it.rejected()) {
        let v = &it.entry.household.village;
        region_codes.insert(format!("{}000000", v.county()));
        region_codes.insert(format!("{}000", v.township()));
        region_codes.insert(v.as_str().to_owned());
        if let Some(nv) = &it.entry.household.natural_village {
            region_codes.insert(nv.clone());
        }
    }
    let codes: Vec<String> = region_codes.into_iter().collect();
    let known: HashMap<String, regions::Model> = chunked(&codes, |chunk| {
        let tx = &tx;
        async move {
            Ok(regions::Entity::find()
                .filter(regions::Column::Code.is_in(chunk))
                .all(tx)
                .await?)
        }
    })
    .await?
    .into_iter()
    .map(|r| (r.code.clone(), r))
    .collect();
    // Natural villages under the villages concerned, by (village, name).
    let villages: Vec<String> = items
        .iter()
        .filter(|it| !it.rejected() && !it.entry.names.natural_village.is_empty())
        .map(|it| it.entry.household.village.as_str().to_owned())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let naturals: Vec<regions::Model> = chunked(&villages, |chunk| {
        let tx = &tx;
        async move {
            Ok(regions::Entity::find()
                .filter(regions::Column::ParentCode.is_in(chunk))
                .filter(regions::Column::Level.eq(RegionLevel::NaturalVillage.code()))
                .all(tx)
                .await?)
        }
    })
    .await?;
    let mut natural_by_name: HashMap<(String, String), String> = HashMap::new();
    let mut natural_max: HashMap<String, u8> = HashMap::new();
    for r in &naturals {
        if let Some(parent) = &r.parent_code {
            natural_by_name.insert((parent.clone(), r.name.clone()), r.code.clone());
            let n = r
                .code
                .rsplit('-')
                .next()
                .and_then(|x| x.parse::<u8>().ok())
                .unwrap_or(0);
            let e = natural_max.entry(parent.clone()).or_insert(0);
            *e = (*e).max(n);
        }
    }
    let mut new_regions: BTreeMap<String, regions::Model> = BTreeMap::new();
    for it in items.iter_mut().filter(|it| !it.rejected()) {
        let v = it.entry.household.village.clone();
        let names = it.entry.names.clone();
        let needs: [(String, RegionLevel, Option<String>, &str, Col); 3] = [
            (
                format!("{}000000", v.county()),
                RegionLevel::County,
                None,
                names.county.as_str(),
                Col::County,
            ),
            (
                format!("{}000", v.township()),
                RegionLevel::Township,
                Some(format!("{}000000", v.county())),
                names.township.as_str(),
                Col::Township,
            ),
            (
                v.as_str().to_owned(),
                names.village_level(),
                Some(format!("{}000", v.township())),
                names.village.as_str(),
                Col::Village,
            ),
        ];
        let mut missing: Vec<Problem> = Vec::new();
        let mut planned: Vec<regions::Model> = Vec::new();
        for (code, level, parent, name, col) in needs {
            if known.contains_key(&code) || new_regions.contains_key(&code) {
                continue;
            }
            if name.trim().is_empty() {
                missing.push(it.entry.problem(
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
            planned.push(regions::Model {
                county_code: v.county().to_owned(),
                code,
                name: name.trim().to_owned(),
                level: level.code().to_owned(),
                parent_code: parent,
            });
        }
        // Natural village.
        let nv_name = names.natural_village.trim();
        match it.entry.household.natural_village.clone() {
            Some(code) if known.contains_key(&code) || new_regions.contains_key(&code) => {}
            Some(code) => {
                if nv_name.is_empty() {
                    missing.push(it.entry.problem(
                        Col::NaturalVillage,
                        "",
                        reason(
                            format!("系统中还没有自然村 {code}，请填写自然村名称以便新建"),
                            format!(
                                "natural village {code} is not in the system; fill in its name"
                            ),
                        ),
                    ));
                } else {
                    natural_by_name
                        .insert((v.as_str().to_owned(), nv_name.to_owned()), code.clone());
                    let n = code
                        .rsplit('-')
                        .next()
                        .and_then(|x| x.parse::<u8>().ok())
                        .unwrap_or(0);
                    let e = natural_max.entry(v.as_str().to_owned()).or_insert(0);
                    *e = (*e).max(n);
                    planned.push(regions::Model {
                        county_code: v.county().to_owned(),
                        code,
                        name: nv_name.to_owned(),
                        level: RegionLevel::NaturalVillage.code().to_owned(),
                        parent_code: Some(v.as_str().to_owned()),
                    });
                }
            }
            None if !nv_name.is_empty() => {
                let key = (v.as_str().to_owned(), nv_name.to_owned());
                if let Some(code) = natural_by_name.get(&key) {
                    it.entry.household.natural_village = Some(code.clone());
                } else {
                    let next = natural_max.get(v.as_str()).copied().unwrap_or(0) + 1;
                    match v.natural_village(next) {
                        Some(code) => {
                            natural_max.insert(v.as_str().to_owned(), next);
                            natural_by_name.insert(key, code.as_str().to_owned());
                            it.entry.household.natural_village = Some(code.as_str().to_owned());
                            planned.push(regions::Model {
                                county_code: v.county().to_owned(),
                                code: code.as_str().to_owned(),
                                name: nv_name.to_owned(),
                                level: RegionLevel::NaturalVillage.code().to_owned(),
                                parent_code: Some(v.as_str().to_owned()),
                            });
                        }
                        None => missing.push(it.entry.problem(
                            Col::NaturalVillage,
                            nv_name,
                            reason(
                                "该村的自然村已编满 99 个，请填写已有自然村的代码",
                                "the village has 99 natural villages already; give an existing code",
                            ),
                        )),
                    }
                }
            }
            None => {}
        }
        if missing.is_empty() {
            for r in planned {
                new_regions.entry(r.code.clone()).or_insert(r);
            }
        } else {
            it.problems.extend(missing);
        }
    }

    // Store-side checks of each household (names, lengths) and the diff against the database.
    let mut creates: Vec<(usize, Valid)> = Vec::new();
    let mut updates: Vec<(usize, Valid, Diff)> = Vec::new();
    for (i, it) in items.iter_mut().enumerate() {
        if it.rejected() {
            continue;
        }
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
            None => creates.push((i, v)),
            Some(h) => {
                let ms = existing_members
                    .get(&(it.county.clone(), h.id))
                    .map_or(&[][..], Vec::as_slice);
                let diff = diff(h, ms, &it.entry.household)?;
                if diff.is_empty() {
                    report.households_unchanged += 1;
                } else {
                    updates.push((i, v, diff));
                }
            }
        }
    }
    // Regions only for households still accepted.
    let used: HashSet<String> = items
        .iter()
        .filter(|it| !it.rejected())
        .flat_map(|it| {
            let v = &it.entry.household.village;
            [
                Some(format!("{}000000", v.county())),
                Some(format!("{}000", v.township())),
                Some(v.as_str().to_owned()),
                it.entry.household.natural_village.clone(),
            ]
        })
        .flatten()
        .collect();
    new_regions.retain(|code, _| used.contains(code));

    let db_rejected = items.iter().filter(|it| it.rejected()).count() as u64;
    report.rejected_households += db_rejected;
    let mut problems = file_problems;
    for it in &mut items {
        problems.append(&mut it.problems);
    }
    sort_problems(&mut problems);
    report.problems = problems;

    // Writes.
    let mut changes: Vec<Change<'static>> = Vec::new();
    // 1. Regions, parents first (codes sort parents first: county 000000 < township 000 < village < -NN).
    let mut levels: Vec<regions::Model> = new_regions.into_values().collect();
    levels.sort_by_key(|r| (region_rank(&r.level), r.code.clone()));
    for r in &levels {
        regions::Entity::insert(r.clone().into_active_model())
            .exec_without_returning(&tx)
            .await
            .map_err(|e| StoreError::from_write(e, &format!("region {}", r.code)))?;
        changes.push(Change {
            action: "create",
            entity: "region",
            entity_id: r.code.clone(),
            county_code: Some(r.county_code.clone()),
            village_code: None,
            before: None,
            after: Some(to_json(r)?),
        });
    }
    report.regions_created = levels.len() as u64;

    // 2. Members leaving their household (removed, or moving to another household of the file).
    for (i, _, d) in &updates {
        let county = &items[*i].county;
        for m in &d.removed {
            members::Entity::delete_by_id((county.clone(), m.id))
                .exec(&tx)
                .await?;
        }
    }
    // 3. Changed households.
    for (n, (i, v, d)) in updates.iter().enumerate() {
        let it = &items[*i];
        let Some(before) = &it.existing else {
            continue;
        };
        let h = &it.entry.household;
        let mut am = household_model(v, h, before.id, before.created_at);
        am.version = Set(before.version + 1);
        am.updated_at = Set(now);
        households::Entity::update_many()
            .set(am)
            .filter(households::Column::CountyCode.eq(before.county_code.as_str()))
            .filter(households::Column::Id.eq(before.id))
            .filter(households::Column::Version.eq(before.version))
            .exec(&tx)
            .await
            .map_err(|e| StoreError::from_write(e, &format!("household {}", h.number)))?;
        for (m, old) in &d.updated {
            let mut am = member_model(v, before.id, old.position, m, old.created_at);
            am.id = Set(old.id);
            am.version = Set(old.version + 1);
            am.updated_at = Set(now);
            members::Entity::update_many()
                .set(am)
                .filter(members::Column::CountyCode.eq(old.county_code.as_str()))
                .filter(members::Column::Id.eq(old.id))
                .exec(&tx)
                .await
                .map_err(|e| StoreError::from_write(e, &format!("member {}", m.id_number)))?;
        }
        let added: Vec<_> = (d.next_position..)
            .zip(&d.added)
            .map(|(position, m)| member_model(v, before.id, position, m, now))
            .collect();
        insert_chunks(&tx, added, "members").await?;
        if d.village_moved {
            members::Entity::update_many()
                .col_expr(members::Column::VillageCode, Expr::value(v.village.clone()))
                .filter(members::Column::CountyCode.eq(before.county_code.as_str()))
                .filter(members::Column::HouseholdId.eq(before.id))
                .exec(&tx)
                .await?;
            crate::entity::income_records::Entity::update_many()
                .col_expr(
                    crate::entity::income_records::Column::VillageCode,
                    Expr::value(v.village.clone()),
                )
                .filter(
                    crate::entity::income_records::Column::CountyCode
                        .eq(before.county_code.as_str()),
                )
                .filter(crate::entity::income_records::Column::HouseholdId.eq(before.id))
                .exec(&tx)
                .await?;
        }
        report.households_updated += 1;
        report.members_added += d.added.len() as u64;
        report.members_updated += d.updated.len() as u64;
        report.members_removed += d.removed.len() as u64;
        changes.push(Change {
            action: "update",
            entity: "household",
            entity_id: h.number.clone(),
            county_code: Some(before.county_code.clone()),
            village_code: Some(v.village.clone()),
            before: Some(serde_json::json!({
                "household": to_json(before)?,
                "members": to_json(&d.before_members)?,
            })),
            after: Some(serde_json::json!({
                "household": to_json(h)?,
                "import": source_json(options, it),
            })),
        });
        progress(n as u64, total);
    }

    // 4. New households, in bulk.
    let mut hh_rows = Vec::with_capacity(CHUNK);
    let mut m_rows = Vec::with_capacity(CHUNK);
    let done_before = updates.len() as u64;
    for (n, (i, v)) in creates.iter().enumerate() {
        let it = &items[*i];
        let h = &it.entry.household;
        let id = new_id();
        hh_rows.push(household_model(v, h, id, now));
        for (pos, m) in h.members.iter().enumerate() {
            m_rows.push(member_model(
                v,
                id,
                i32::try_from(pos).unwrap_or(i32::MAX),
                m,
                now,
            ));
        }
        changes.push(Change {
            action: "create",
            entity: "household",
            entity_id: h.number.clone(),
            county_code: Some(v.county.clone()),
            village_code: Some(v.village.clone()),
            before: None,
            after: Some(serde_json::json!({
                "id": id,
                "household": to_json(h)?,
                "import": source_json(options, it),
            })),
        });
        if hh_rows.len() >= CHUNK {
            insert_chunks(&tx, std::mem::take(&mut hh_rows), "households").await?;
            insert_chunks(&tx, std::mem::take(&mut m_rows), "members").await?;
            progress(done_before + n as u64 + 1, total);
        }
    }
    insert_chunks(&tx, hh_rows, "households").await?;
    insert_chunks(&tx, m_rows, "members").await?;
    report.households_created = creates.len() as u64;
    report.members_added += creates
        .iter()
        .map(|(i, _)| items[*i].entry.household.members.len() as u64)
        .sum::<u64>();

    // 5. Audit.
    let changed = !changes.is_empty();
    if changed {
        let counties: BTreeSet<String> = items.iter().map(|it| it.county.clone()).collect();
        changes.push(Change {
            action: "import",
            entity: "registry_import",
            entity_id: options.source.clone(),
            county_code: (counties.len() == 1)
                .then(|| counties.into_iter().next())
                .flatten(),
            village_code: None,
            before: None,
            after: Some(serde_json::json!({
                "file": options.source,
                "households_created": report.households_created,
                "households_updated": report.households_updated,
                "households_unchanged": report.households_unchanged,
                "members_added": report.members_added,
                "members_updated": report.members_updated,
                "members_removed": report.members_removed,
                "regions_created": report.regions_created,
                "rejected_households": report.rejected_households,
                "all_or_nothing": options.all_or_nothing,
            })),
        });
        audit::append_many(&tx, actor, changes).await?;
    }
    progress(total, total);

    let refuse = options.dry_run || (options.all_or_nothing && !report.problems.is_empty());
    if refuse || !changed {
        tx.rollback().await?;
        report.committed = false;
    } else {
        tx.commit().await?;
        report.committed = true;
        if report.households_created > 1000 {
            db.optimize().await?;
        }
    }
    Ok(report)
}

fn region_rank(level: &str) -> u8 {
    match RegionLevel::from_code(level) {
        Some(RegionLevel::County) => 0,
        Some(RegionLevel::Township) => 1,
        Some(RegionLevel::Village | RegionLevel::Settlement) => 2,
        _ => 3,
    }
}

fn source_json(options: &ImportOptions, it: &Item) -> serde_json::Value {
    serde_json::json!({
        "file": options.source,
        "sheet": &*it.entry.row.sheet,
        "row": it.entry.row.row,
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
    A: ActiveModelTrait + Send,
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
