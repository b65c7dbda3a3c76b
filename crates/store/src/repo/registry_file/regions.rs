//! The regions an import needs (县, 乡镇, 村, 自然村): known ones looked up, missing ones planned and created
//! from the names the file gives, natural villages numbered by name.

use std::collections::{BTreeSet, HashMap, HashSet};

use sea_orm::{ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter};
use shouwang_core::CodeList;
use shouwang_core::codes::RegionLevel;
use shouwang_core::registry::{Col, Problem, RegistryEntry};

use super::{IN_CHUNK, reason};
use crate::entity::regions;
use crate::error::Result;

/// Regions known to exist, created by this import, and natural villages by name.
#[derive(Default)]
pub(super) struct Regions {
    /// Codes checked against the database: `true` if the region exists (or was created here).
    exists: HashMap<String, bool>,
    /// Created by this import, in creation order.
    pub(super) created: Vec<regions::Model>,
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
    pub(super) async fn load(
        &mut self,
        tx: &DatabaseTransaction,
        entries: &[&RegistryEntry],
    ) -> Result<()> {
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

    pub(super) fn known(&self, code: &str) -> bool {
        self.exists.get(code).copied().unwrap_or(false)
    }

    /// The regions a household needs that do not exist yet (its natural-village code is filled in
    /// when the file gives only the name), or the problems that prevent creating them. Nothing is
    /// recorded here: [`Regions::adopt`] does that once the regions are inserted.
    pub(super) fn plan(
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
    pub(super) fn adopt(&mut self, created: &[regions::Model]) {
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

pub(super) fn region_rank(level: &str) -> u8 {
    match RegionLevel::from_code(level) {
        Some(RegionLevel::County) => 0,
        Some(RegionLevel::Township) => 1,
        Some(RegionLevel::Village | RegionLevel::Settlement) => 2,
        _ => 3,
    }
}
