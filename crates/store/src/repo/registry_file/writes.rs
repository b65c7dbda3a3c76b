//! The import's writes: regions, new households and members (SQLite: prepared one-row inserts; PostgreSQL:
//! multi-row inserts), changed households, the undo of an early household, and the `create` audit rows.

use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, DatabaseTransaction, DbBackend, EntityTrait, IntoActiveModel, QueryFilter, Set,
};
use serde::Serialize;
use shouwang_core::Household;
use shouwang_core::registry::RegistryEntry;

use super::CHUNK;
use super::diff::Diff;
use super::importer::Importer;
use super::sqlite_rows::{
    AUDIT_INSERT, HOUSEHOLDS_INSERT, MEMBERS_INSERT, MEMBERS_INSERT_TRIGGERED, insert_household,
    insert_member, sqlite_time,
};
use crate::entity::{audit_log, households, income_records, members, regions};
use crate::error::{Result, StoreError};
use crate::ids::new_id;
use crate::repo::households::{Valid, household_model, member_model};
use crate::sqlite_direct::{direct_error, with_direct};

impl Importer {
    pub(super) async fn insert_regions(&mut self, planned: &[regions::Model]) -> Result<()> {
        let mut counties = std::collections::BTreeSet::new();
        for r in planned {
            if self.regions.known(&r.code) {
                continue;
            }
            counties.insert(r.county_code.clone());
            regions::Entity::insert(r.clone().into_active_model())
                .exec_without_returning(&self.tx)
                .await
                .map_err(|e| {
                    StoreError::from_write(
                        e,
                        &format!("区划 {}", r.code),
                        &format!("Region {}", r.code),
                    )
                })?;
            self.regions.adopt(std::slice::from_ref(r));
        }
        // The rules' defaults name the county: the constants' version moves with the regions.
        for county in &counties {
            crate::constants::bump(&self.tx, county).await?;
        }
        Ok(())
    }

    /// Inserts new households with their members; returns their row ids.
    pub(super) async fn insert_households<'a>(
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
                let keys = self.db.keys().clone();
                with_direct(&mut self.tx, |direct| {
                    let mut hh = direct.prepare(HOUSEHOLDS_INSERT)?;
                    let mut mm = direct.prepare(members_sql)?;
                    for ((h, v), &id) in items.iter().zip(&ids) {
                        insert_household(&mut hh, &keys, h, v, id, &now)?
                            .map_err(|e| direct_error(e, ("导入的农户", "Imported households")))?;
                        for (pos, m) in h.members.iter().enumerate() {
                            insert_member(&mut mm, &keys, m, v, id, pos, &now)?
                                .map_err(|e| direct_error(e, ("导入的成员", "Imported members")))?;
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
                    hh.push(household_model(self.db.keys(), v, h, id, self.now)?);
                    for (pos, m) in h.members.iter().enumerate() {
                        mm.push(member_model(
                            self.db.keys(),
                            v,
                            id,
                            i32::try_from(pos).unwrap_or(i32::MAX),
                            m,
                            self.now,
                        )?);
                    }
                }
                insert_chunks(&self.tx, hh, ("导入的农户", "Imported households")).await?;
                insert_chunks(&self.tx, mm, ("导入的成员", "Imported members")).await?;
            }
        }
        Ok(ids)
    }

    /// Deletes a household written early, (county, 户编号) `key` and `id`: its income records written early
    /// first, then its members, and its `create` audit row.
    pub(super) async fn undo(
        &mut self,
        (county, number): &(String, String),
        id: i64,
    ) -> Result<()> {
        self.undo_incomes_of(number).await?;
        self.early_homes.remove(number);
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

    pub(super) async fn update_household(
        &self,
        before: &households::Model,
        h: &Household,
        v: &Valid,
        d: &Diff,
    ) -> Result<()> {
        let tx = &self.tx;
        let mut am = household_model(self.db.keys(), v, h, before.id, before.created_at)?;
        am.version = Set(before.version + 1);
        am.updated_at = Set(self.now);
        households::Entity::update_many()
            .set(am)
            .filter(households::Column::CountyCode.eq(before.county_code.as_str()))
            .filter(households::Column::Id.eq(before.id))
            .filter(households::Column::Version.eq(before.version))
            .exec(tx)
            .await
            .map_err(|e| {
                StoreError::from_write(
                    e,
                    &format!("户编号 {} 的农户", h.number),
                    &format!("Household {}", h.number),
                )
            })?;
        for (m, old) in &d.updated {
            let mut am = member_model(
                self.db.keys(),
                v,
                before.id,
                old.position,
                m,
                old.created_at,
            )?;
            am.id = Set(old.id);
            am.version = Set(old.version + 1);
            am.updated_at = Set(self.now);
            members::Entity::update_many()
                .set(am)
                .filter(members::Column::CountyCode.eq(old.county_code.as_str()))
                .filter(members::Column::Id.eq(old.id))
                .exec(tx)
                .await
                .map_err(|e| {
                    StoreError::from_write(
                        e,
                        &format!("身份证号 {} 的成员", m.id_number),
                        &format!("Member {}", m.id_number),
                    )
                })?;
        }
        let added: Vec<_> = (d.next_position..)
            .zip(&d.added)
            .map(|(position, m)| member_model(self.db.keys(), v, before.id, position, m, self.now))
            .collect::<Result<Vec<_>>>()?;
        insert_chunks(tx, added, ("导入的成员", "Imported members")).await?;
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
    pub(super) async fn audit_created(
        &mut self,
        created: &[(i64, &RegistryEntry, &Valid)],
    ) -> Result<()> {
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
            .map_err(|e| StoreError::internal(format!("cannot serialise audit value: {e}")))
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
                            .map_err(|e| direct_error(e, ("审计日志", "Audit rows")))?;
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
                        insert_chunks(
                            &self.tx,
                            std::mem::take(&mut batch),
                            ("审计日志", "Audit rows"),
                        )
                        .await?;
                    }
                }
                insert_chunks(&self.tx, batch, ("审计日志", "Audit rows")).await?;
            }
        }
        Ok(())
    }
}

/// Inserts `rows` in chunks of multi-row `INSERT`s; `what` names the rows in Chinese and in English.
pub(super) async fn insert_chunks<A>(
    tx: &DatabaseTransaction,
    rows: Vec<A>,
    (zh, en): (&str, &str),
) -> Result<()>
where
    A: sea_orm::ActiveModelTrait + Send,
{
    let mut it = rows.into_iter().peekable();
    while it.peek().is_some() {
        let chunk: Vec<A> = it.by_ref().take(CHUNK).collect();
        A::Entity::insert_many(chunk)
            .exec_without_returning(tx)
            .await
            .map_err(|e| StoreError::from_write(e, zh, en))?;
    }
    Ok(())
}
