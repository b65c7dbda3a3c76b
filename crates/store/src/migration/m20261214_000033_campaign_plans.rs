//! 年度工作方案 (A6, issue 22; §三(四)1): one row per 乡镇 and year with the township's plan of the
//! 三保障和饮水安全 work (`shouwang_core::register::plan::YearPlan` as JSON in `body`), its version (乐观锁)
//! and who last saved it.

use sea_orm_migration::prelude::*;

use super::columns::{at, big, code};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum CampaignPlans {
    Table,
    CountyCode,
    TownshipCode,
    Year,
    Body,
    Version,
    UpdatedBy,
    UpdatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let b = manager.get_database_backend();
        type P = CampaignPlans;
        manager
            .create_table(
                Table::create()
                    .table(P::Table)
                    .col(code(b, P::CountyCode))
                    .col(code(b, P::TownshipCode))
                    .col(big(P::Year))
                    .col(ColumnDef::new(P::Body).text().not_null())
                    .col(big(P::Version))
                    .col(code(b, P::UpdatedBy))
                    .col(at(P::UpdatedAt))
                    .primary_key(
                        Index::create()
                            .col(P::CountyCode)
                            .col(P::TownshipCode)
                            .col(P::Year),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(CampaignPlans::Table).to_owned())
            .await
    }
}
