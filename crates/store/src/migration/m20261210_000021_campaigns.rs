//! 问题台账 (issue 22): the 三保障和饮水安全 problems found in the quarterly campaigns
//! (`shouwang_core::monitoring::problem`), one row per problem with the problem itself (what was found,
//! the rectification steps with evidence, the acceptance) as JSON in `body`, and the columns a board
//! filters on (village, household, sector, responsible unit, state, deadline). A household's problem names
//! it by 户编号 (a village's has none), like the cases.

use sea_orm::DbBackend;
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Problems {
    Table,
    CountyCode,
    Id,
    VillageCode,
    HouseholdNumber,
    Sector,
    Unit,
    Status,
    FoundOn,
    Deadline,
    Body,
    Version,
    CreatedAt,
    UpdatedAt,
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

fn at(col: impl IntoIden) -> ColumnDef {
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
        type P = Problems;
        let mut household = ColumnDef::new(P::HouseholdNumber);
        household.text().null();
        if b == DbBackend::Postgres {
            household.extra("COLLATE \"C\"");
        }
        manager
            .create_table(
                Table::create()
                    .table(P::Table)
                    .col(code(b, P::CountyCode))
                    .col(big(P::Id))
                    .col(code(b, P::VillageCode))
                    .col(household)
                    .col(code(b, P::Sector))
                    .col(code(b, P::Unit))
                    .col(code(b, P::Status))
                    .col(code(b, P::FoundOn))
                    .col(code(b, P::Deadline))
                    .col(ColumnDef::new(P::Body).text().not_null())
                    .col(big(P::Version))
                    .col(at(P::CreatedAt))
                    .col(at(P::UpdatedAt))
                    .primary_key(Index::create().col(P::CountyCode).col(P::Id))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_problems_village")
                    .table(P::Table)
                    .col(P::CountyCode)
                    .col(P::VillageCode)
                    .col(P::Status)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_problems_household")
                    .table(P::Table)
                    .col(P::CountyCode)
                    .col(P::HouseholdNumber)
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Problems::Table).to_owned())
            .await
    }
}
