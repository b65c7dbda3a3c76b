//! 村容村貌指标 (B5, issue 22; §四(五)): one row per 行政村 and year with the village's figures, who
//! entered and checked them (`shouwang_core::indicators::IndicatorRecord` as JSON in `body`) and the state
//! a board filters on.

use sea_orm_migration::prelude::*;

use super::columns::{at, big, code};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum VillageIndicators {
    Table,
    CountyCode,
    VillageCode,
    Year,
    Status,
    Body,
    Version,
    UpdatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let b = manager.get_database_backend();
        type V = VillageIndicators;
        manager
            .create_table(
                Table::create()
                    .table(V::Table)
                    .col(code(b, V::CountyCode))
                    .col(code(b, V::VillageCode))
                    .col(big(V::Year))
                    .col(code(b, V::Status))
                    .col(ColumnDef::new(V::Body).text().not_null())
                    .col(big(V::Version))
                    .col(at(V::UpdatedAt))
                    .primary_key(
                        Index::create()
                            .col(V::CountyCode)
                            .col(V::VillageCode)
                            .col(V::Year),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_village_indicators_year")
                    .table(V::Table)
                    .col(V::CountyCode)
                    .col(V::Year)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(VillageIndicators::Table).to_owned())
            .await
    }
}
