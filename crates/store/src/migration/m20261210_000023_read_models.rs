//! Versions of the per-county constants (issue 26): `constants_versions` holds one counter per scope
//! (`scope`: a county's 6 digits, or `''` for what every county shares: the provinces' monitoring lines
//! and policies), bumped in the same transaction as every write to the constants a page reads on each
//! request — 县级规则 `county_rules`, 代码显示设置 `code_overrides`, 监测线 `monitoring_lines`,
//! `county_monitoring_lines`, `province_line_policies` and 行政区划 `regions`.
//!
//! A server keeps those constants in memory ([`crate::db::Db`]'s constants cache) and reads the sum of the
//! counters in the one statement of its session check: a write by any process on the same database (a
//! second server on one PostgreSQL, a CLI import beside the server) changes the sum, and the next request
//! drops what was cached. No row (a database from before this migration): the sum is 0.

use sea_orm::DbBackend;
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum ConstantsVersions {
    Table,
    Scope,
    Version,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut scope = ColumnDef::new(ConstantsVersions::Scope);
        scope.text().not_null().primary_key();
        if manager.get_database_backend() == DbBackend::Postgres {
            scope.extra("COLLATE \"C\"");
        }
        manager
            .create_table(
                Table::create()
                    .table(ConstantsVersions::Table)
                    .col(scope)
                    .col(
                        ColumnDef::new(ConstantsVersions::Version)
                            .big_integer()
                            .not_null(),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(ConstantsVersions::Table).to_owned())
            .await
    }
}
