//! `income_records.source`: where the year's record that counts came from 数据来源
//! (`shouwang_core::income::IncomeSource` code: `import` 台账导入, `verification` 入户核查, `follow_up`
//! 月度走访, `manual` 手工录入). Rows written before are imports.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum IncomeRecords {
    Table,
    Source,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(IncomeRecords::Table)
                    .add_column(
                        ColumnDef::new(IncomeRecords::Source)
                            .text()
                            .not_null()
                            .default("import"),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(IncomeRecords::Table)
                    .drop_column(IncomeRecords::Source)
                    .to_owned(),
            )
            .await
    }
}
