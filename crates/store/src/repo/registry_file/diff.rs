//! What changes in an existing household: its fields, members added, updated and removed.

use std::collections::{HashMap, HashSet};

use shouwang_core::{Household, IdNumber, Member};

use crate::entity::{households, members};
use crate::error::Result;
use crate::repo::households::to_household;

/// What changes in an existing household.
pub(super) struct Diff {
    pub(super) fields: bool,
    pub(super) village_moved: bool,
    pub(super) added: Vec<Member>,
    pub(super) updated: Vec<(Member, members::Model)>,
    pub(super) removed: Vec<members::Model>,
    pub(super) before_members: Vec<members::Model>,
    pub(super) next_position: i32,
}

impl Diff {
    pub(super) fn is_empty(&self) -> bool {
        !self.fields && self.added.is_empty() && self.updated.is_empty() && self.removed.is_empty()
    }
}

pub(super) fn diff(h: &households::Model, ms: &[members::Model], file: &Household) -> Result<Diff> {
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
