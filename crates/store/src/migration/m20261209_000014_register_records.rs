//! 登记簿记录 (issue 21): the periodic records of the registers kept on the registry's households
//! (`shouwang_core::register`: 低收入人口 monthly visits, later the relocation and employment screenings),
//! one table for all of them. A row is one household's record of one period (`2026-06`, `2026-Q2`) in one
//! register, with the record itself as JSON in `body`; the unique key refuses a second record of a period.
//! Households and members stay the registry's (`household_id`): no second copy.

use sea_orm::DbBackend;
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum RegisterRecords {
    Table,
    CountyCode,
    Id,
    Register,
    HouseholdId,
    VillageCode,
    HouseholdNumber,
    Period,
    RecordedOn,
    Body,
    RecordedBy,
    RecordedByName,
    CreatedAt,
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

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let b = manager.get_database_backend();
        type R = RegisterRecords;
        manager
            .create_table(
                Table::create()
                    .table(R::Table)
                    .col(code(b, R::CountyCode))
                    .col(big(R::Id))
                    .col(code(b, R::Register))
                    .col(big(R::HouseholdId))
                    .col(code(b, R::VillageCode))
                    .col(code(b, R::HouseholdNumber))
                    .col(code(b, R::Period))
                    .col(code(b, R::RecordedOn))
                    .col(ColumnDef::new(R::Body).text().not_null())
                    .col(big(R::RecordedBy))
                    .col(ColumnDef::new(R::RecordedByName).text().not_null())
                    .col(
                        ColumnDef::new(R::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .primary_key(Index::create().col(R::CountyCode).col(R::Id))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_register_records_household")
                            .from_tbl(R::Table)
                            .from_col(R::CountyCode)
                            .from_col(R::HouseholdId)
                            .to_tbl(Households::Table)
                            .to_col(Households::CountyCode)
                            .to_col(Households::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_register_records_period")
                    .table(R::Table)
                    .col(R::CountyCode)
                    .col(R::Register)
                    .col(R::HouseholdId)
                    .col(R::Period)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_register_records_village")
                    .table(R::Table)
                    .col(R::CountyCode)
                    .col(R::Register)
                    .col(R::VillageCode)
                    .col(R::Period)
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(RegisterRecords::Table).to_owned())
            .await
    }
}
