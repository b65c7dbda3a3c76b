//! Lines per county where the province allows it (issue 19: a county admin's edit must not change the
//! other counties' line; "lines are set per province by a province-level admin role, or per county where
//! the province allows it").
//!
//! - `county_monitoring_lines`: a county's own 防止返贫监测线 of a year, in fen (`county_code` 6 digits,
//!   `year`, `line_fen`, `updated_at`), set by its county admin; in force while the province allows it.
//! - `province_line_policies`: per province (2 digits) whether its counties may set their own line
//!   (`county_lines_allowed`, `updated_at`), set by the province admin; no row: allowed (a single-county
//!   install has no province admin).

use sea_orm::DbBackend;
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum CountyMonitoringLines {
    Table,
    CountyCode,
    Year,
    LineFen,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum ProvinceLinePolicies {
    Table,
    Province,
    CountyLinesAllowed,
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

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let b = manager.get_database_backend();
        manager
            .create_table(
                Table::create()
                    .table(CountyMonitoringLines::Table)
                    .col(code(b, CountyMonitoringLines::CountyCode))
                    .col(
                        ColumnDef::new(CountyMonitoringLines::Year)
                            .integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(CountyMonitoringLines::LineFen)
                            .big_integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(CountyMonitoringLines::UpdatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .primary_key(
                        Index::create()
                            .col(CountyMonitoringLines::CountyCode)
                            .col(CountyMonitoringLines::Year),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ProvinceLinePolicies::Table)
                    .col(
                        code(b, ProvinceLinePolicies::Province)
                            .primary_key()
                            .to_owned(),
                    )
                    .col(
                        ColumnDef::new(ProvinceLinePolicies::CountyLinesAllowed)
                            .boolean()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(ProvinceLinePolicies::UpdatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            CountyMonitoringLines::Table.into_iden(),
            ProvinceLinePolicies::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(t).if_exists().to_owned())
                .await?;
        }
        Ok(())
    }
}
