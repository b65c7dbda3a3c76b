//! `county_rules`: the configurable rules of each county 县级规则配置 (`shouwang_core::rules::CountyRules`),
//! one row per county: the whole value as JSON text in `body`, an optimistic-locking `version` (1 after the
//! first save) and `updated_at`. A county without a row uses the defaults ([`crate::repo::rules::get`]).

use sea_orm::DbBackend;
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum CountyRules {
    Table,
    CountyCode,
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
        let mut county = ColumnDef::new(CountyRules::CountyCode);
        county.text().not_null();
        if manager.get_database_backend() == DbBackend::Postgres {
            county.extra("COLLATE \"C\"");
        }
        manager
            .create_table(
                Table::create()
                    .table(CountyRules::Table)
                    .col(county.primary_key())
                    .col(ColumnDef::new(CountyRules::Body).text().not_null())
                    .col(
                        ColumnDef::new(CountyRules::Version)
                            .big_integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(CountyRules::UpdatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(
                Table::drop()
                    .table(CountyRules::Table)
                    .if_exists()
                    .to_owned(),
            )
            .await
    }
}
