//! SM4 at rest (issue 19): `members.key_version`, the data key version a member's blind index (and, later,
//! its sealed fields) was written with (0: the former packed ID key, before any data key), and
//! `key_rotation`, the progress row of `shouwang keys rotate` (`repo::keys`), so that a rotation that stops
//! half-way continues where it stopped.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Members {
    Table,
    KeyVersion,
}

#[derive(DeriveIden)]
enum KeyRotation {
    Table,
    Id,
    TargetVersion,
    RowsDone,
    StartedAt,
    UpdatedAt,
    FinishedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Members::Table)
                    .add_column(
                        ColumnDef::new(Members::KeyVersion)
                            .integer()
                            .not_null()
                            .default(0),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(KeyRotation::Table)
                    .if_not_exists()
                    .col(
                        ColumnDef::new(KeyRotation::Id)
                            .integer()
                            .not_null()
                            .primary_key(),
                    )
                    .col(
                        ColumnDef::new(KeyRotation::TargetVersion)
                            .integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(KeyRotation::RowsDone)
                            .big_integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(KeyRotation::StartedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(KeyRotation::UpdatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(ColumnDef::new(KeyRotation::FinishedAt).timestamp_with_time_zone())
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(KeyRotation::Table).to_owned())
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Members::Table)
                    .drop_column(Members::KeyVersion)
                    .to_owned(),
            )
            .await
    }
}
