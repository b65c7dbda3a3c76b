//! `code_overrides`: a county's local display of the national code lists 本县代码显示设置
//! (`shouwang_core::codes::CodeOverrides`): per county, list and code, the local label 本县显示名称 in
//! Chinese (`label_zh`) and optionally English (`label_en`), the 停用 flag (`disabled`), an
//! optimistic-locking `version` (1 after the first save) and `updated_at`. A code without a row shows
//! its national label and is enabled. The national codes themselves never change.

use sea_orm::DbBackend;
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum CodeOverrides {
    Table,
    CountyCode,
    List,
    Code,
    LabelZh,
    LabelEn,
    Disabled,
    Version,
    UpdatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let pg = manager.get_database_backend() == DbBackend::Postgres;
        let key = |col: CodeOverrides| {
            let mut c = ColumnDef::new(col);
            c.text().not_null();
            if pg {
                c.extra("COLLATE \"C\"");
            }
            c
        };
        manager
            .create_table(
                Table::create()
                    .table(CodeOverrides::Table)
                    .col(key(CodeOverrides::CountyCode))
                    .col(key(CodeOverrides::List))
                    .col(key(CodeOverrides::Code))
                    .col(ColumnDef::new(CodeOverrides::LabelZh).text().not_null())
                    .col(ColumnDef::new(CodeOverrides::LabelEn).text().null())
                    .col(
                        ColumnDef::new(CodeOverrides::Disabled)
                            .boolean()
                            .not_null()
                            .default(false),
                    )
                    .col(
                        ColumnDef::new(CodeOverrides::Version)
                            .big_integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(CodeOverrides::UpdatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .primary_key(
                        Index::create()
                            .col(CodeOverrides::CountyCode)
                            .col(CodeOverrides::List)
                            .col(CodeOverrides::Code),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(
                Table::drop()
                    .table(CodeOverrides::Table)
                    .if_exists()
                    .to_owned(),
            )
            .await
    }
}
