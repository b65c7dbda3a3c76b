//! Both sources of a year's income when they disagree (issue 17 "Real data in": 两个来源的数据不一致时，
//! 页面同时显示两者以及以哪一个为准).
//!
//! - `income_records.as_of`: the record's 数据日期 — the day its figures were established (a visit's
//!   date); NULL: the day it was written (`updated_at`, Beijing time), as for an import or a record entered
//!   by hand.
//! - `income_other_sources`: 其他来源收支（不计入）— the latest figures of each *other* source for a
//!   household and year than the one whose record counts (`income_records`): the import's figures after a
//!   入户核查 record replaced them, an import row refused because a verified record counts, an older
//!   verified record replaced by a later one. One row per household, year and source (`source`: an
//!   `IncomeSource` code); a later write of that source replaces its figures. Columns: the tenant key
//!   `(county_code, id)`, `household_id`, `year`, the ten amounts and `members` as in `income_records`,
//!   `source`, `as_of` (`YYYY-MM-DD` text like the other dates of the schema) and the two timestamps. No
//!   village code: the rows are only read through their household, which the area filter checks. The
//!   rows go with the household when it is deleted (`ON DELETE CASCADE`).

use sea_orm::DbBackend;
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum IncomeRecords {
    Table,
    AsOf,
}

#[derive(DeriveIden)]
enum IncomeOtherSources {
    Table,
    CountyCode,
    Id,
    HouseholdId,
    Year,
    Wage,
    Business,
    Property,
    Transfer,
    ProductionCost,
    RigidMedical,
    RigidEducation,
    RigidDisability,
    RigidDisaster,
    InsurancePayout,
    Members,
    Source,
    AsOf,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Households {
    Table,
    CountyCode,
    Id,
}

/// A text column; `COLLATE "C"` on PostgreSQL (byte order, like SQLite).
fn code(backend: DbBackend, col: impl IntoIden) -> ColumnDef {
    let mut def = ColumnDef::new(col);
    def.text().not_null();
    if backend == DbBackend::Postgres {
        def.extra("COLLATE \"C\"");
    }
    def
}

fn big(col: impl IntoIden) -> ColumnDef {
    let mut def = ColumnDef::new(col);
    def.big_integer().not_null();
    def
}

fn ts(col: impl IntoIden) -> ColumnDef {
    let mut def = ColumnDef::new(col);
    def.timestamp_with_time_zone().not_null();
    def
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let b = manager.get_database_backend();
        manager
            .alter_table(
                Table::alter()
                    .table(IncomeRecords::Table)
                    .add_column(ColumnDef::new(IncomeRecords::AsOf).text().null())
                    .to_owned(),
            )
            .await?;
        let mut t = Table::create();
        t.table(IncomeOtherSources::Table)
            .col(code(b, IncomeOtherSources::CountyCode))
            .col(big(IncomeOtherSources::Id))
            .col(big(IncomeOtherSources::HouseholdId))
            .col(
                ColumnDef::new(IncomeOtherSources::Year)
                    .integer()
                    .not_null(),
            );
        for c in [
            IncomeOtherSources::Wage,
            IncomeOtherSources::Business,
            IncomeOtherSources::Property,
            IncomeOtherSources::Transfer,
            IncomeOtherSources::ProductionCost,
            IncomeOtherSources::RigidMedical,
            IncomeOtherSources::RigidEducation,
            IncomeOtherSources::RigidDisability,
            IncomeOtherSources::RigidDisaster,
            IncomeOtherSources::InsurancePayout,
        ] {
            t.col(big(c));
        }
        t.col(
            ColumnDef::new(IncomeOtherSources::Members)
                .integer()
                .not_null(),
        )
        .col(code(b, IncomeOtherSources::Source))
        .col(code(b, IncomeOtherSources::AsOf))
        .col(ts(IncomeOtherSources::CreatedAt))
        .col(ts(IncomeOtherSources::UpdatedAt))
        .primary_key(
            Index::create()
                .col(IncomeOtherSources::CountyCode)
                .col(IncomeOtherSources::Id),
        )
        .foreign_key(
            ForeignKey::create()
                .name("fk_income_other_sources_household")
                .from_tbl(IncomeOtherSources::Table)
                .from_col(IncomeOtherSources::CountyCode)
                .from_col(IncomeOtherSources::HouseholdId)
                .to_tbl(Households::Table)
                .to_col(Households::CountyCode)
                .to_col(Households::Id)
                .on_delete(ForeignKeyAction::Cascade),
        );
        manager.create_table(t).await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_income_other_sources_household_year_source")
                    .table(IncomeOtherSources::Table)
                    .col(IncomeOtherSources::CountyCode)
                    .col(IncomeOtherSources::HouseholdId)
                    .col(IncomeOtherSources::Year)
                    .col(IncomeOtherSources::Source)
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(
                Table::drop()
                    .table(IncomeOtherSources::Table)
                    .if_exists()
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(IncomeRecords::Table)
                    .drop_column(IncomeRecords::AsOf)
                    .to_owned(),
            )
            .await
    }
}
