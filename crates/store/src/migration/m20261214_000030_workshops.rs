//! 帮扶车间 (B1 §四(一)3, issue 21): the county's assistance workshops (`workshops`: one row per workshop,
//! its registration as JSON in `body`, its state and a version for optimistic locking) and their workers
//! (`workshop_workers`: a member of the registry by household and member row id, the monthly wage in 元,
//! from and until when). Both tables carry `county_code` (in every key) and the workshop's `village_code`,
//! so reads are scoped by area in SQL.

use sea_orm_migration::prelude::*;

use super::columns::{at, big, code, text};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Workshops {
    Table,
    CountyCode,
    Id,
    VillageCode,
    Name,
    State,
    Jobs,
    Body,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum WorkshopWorkers {
    Table,
    CountyCode,
    Id,
    WorkshopId,
    VillageCode,
    HouseholdId,
    MemberId,
    Wage,
    Since,
    Until,
    ByUser,
    ByName,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let b = manager.get_database_backend();
        type S = Workshops;
        manager
            .create_table(
                Table::create()
                    .table(S::Table)
                    .col(code(b, S::CountyCode))
                    .col(big(S::Id))
                    .col(code(b, S::VillageCode))
                    .col(text(S::Name))
                    .col(code(b, S::State))
                    .col(big(S::Jobs))
                    .col(text(S::Body))
                    .col(big(S::Version))
                    .col(at(S::CreatedAt))
                    .col(at(S::UpdatedAt))
                    .primary_key(Index::create().col(S::CountyCode).col(S::Id))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_workshops_village")
                    .table(S::Table)
                    .col(S::CountyCode)
                    .col(S::VillageCode)
                    .to_owned(),
            )
            .await?;
        type W = WorkshopWorkers;
        manager
            .create_table(
                Table::create()
                    .table(W::Table)
                    .col(code(b, W::CountyCode))
                    .col(big(W::Id))
                    .col(big(W::WorkshopId))
                    .col(code(b, W::VillageCode))
                    .col(big(W::HouseholdId))
                    .col(big(W::MemberId))
                    .col(big(W::Wage))
                    .col(code(b, W::Since))
                    .col(ColumnDef::new(W::Until).text().null())
                    .col(big(W::ByUser))
                    .col(text(W::ByName))
                    .col(at(W::CreatedAt))
                    .primary_key(Index::create().col(W::CountyCode).col(W::Id))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_workshop_workers_workshop")
                            .from_tbl(W::Table)
                            .from_col(W::CountyCode)
                            .from_col(W::WorkshopId)
                            .to_tbl(S::Table)
                            .to_col(S::CountyCode)
                            .to_col(S::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        for (name, col) in [
            ("idx_workshop_workers_workshop", W::WorkshopId),
            ("idx_workshop_workers_member", W::MemberId),
        ] {
            manager
                .create_index(
                    Index::create()
                        .name(name)
                        .table(W::Table)
                        .col(W::CountyCode)
                        .col(col)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            WorkshopWorkers::Table.into_iden(),
            Workshops::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(t).to_owned())
                .await?;
        }
        Ok(())
    }
}
