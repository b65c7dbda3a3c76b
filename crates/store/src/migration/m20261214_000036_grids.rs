//! 网格化管理 (B6, issue 22; §四(六)): the grids of each 行政村 (`grids`: its number in the village `seq`
//! (网格编号: 1, 2, …; a grid member's area is `<village>/<seq>`), name, 党支部, and the 网格长 and
//! 网格员 with their phones as one JSON sealed in `people` under the row's `key_version`; a version for
//! optimistic locking) and the household of each grid (`grid_households`: one row per household, its
//! primary key the household's, so a household lies in exactly one grid). Both carry `county_code` (in
//! every key) and `village_code`, so reads are scoped by area in SQL.

use sea_orm_migration::prelude::*;

use super::columns::{at, big, code};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Grids {
    Table,
    CountyCode,
    Id,
    VillageCode,
    Seq,
    Name,
    Branch,
    People,
    KeyVersion,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum GridHouseholds {
    Table,
    CountyCode,
    HouseholdId,
    VillageCode,
    GridId,
    UpdatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let b = manager.get_database_backend();
        type G = Grids;
        manager
            .create_table(
                Table::create()
                    .table(G::Table)
                    .col(code(b, G::CountyCode))
                    .col(big(G::Id))
                    .col(code(b, G::VillageCode))
                    .col(big(G::Seq))
                    .col(code(b, G::Name))
                    .col(ColumnDef::new(G::Branch).text().not_null())
                    .col(ColumnDef::new(G::People).text().not_null())
                    .col(ColumnDef::new(G::KeyVersion).integer().not_null())
                    .col(big(G::Version))
                    .col(at(G::CreatedAt))
                    .col(at(G::UpdatedAt))
                    .primary_key(Index::create().col(G::CountyCode).col(G::Id))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_grids_village_name")
                    .table(G::Table)
                    .col(G::CountyCode)
                    .col(G::VillageCode)
                    .col(G::Name)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_grids_village_seq")
                    .table(G::Table)
                    .col(G::CountyCode)
                    .col(G::VillageCode)
                    .col(G::Seq)
                    .unique()
                    .to_owned(),
            )
            .await?;
        type H = GridHouseholds;
        manager
            .create_table(
                Table::create()
                    .table(H::Table)
                    .col(code(b, H::CountyCode))
                    .col(big(H::HouseholdId))
                    .col(code(b, H::VillageCode))
                    .col(big(H::GridId))
                    .col(at(H::UpdatedAt))
                    .primary_key(Index::create().col(H::CountyCode).col(H::HouseholdId))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_grid_households_grid")
                    .table(H::Table)
                    .col(H::CountyCode)
                    .col(H::GridId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_grid_households_village")
                    .table(H::Table)
                    .col(H::CountyCode)
                    .col(H::VillageCode)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(GridHouseholds::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(Grids::Table).to_owned())
            .await
    }
}
