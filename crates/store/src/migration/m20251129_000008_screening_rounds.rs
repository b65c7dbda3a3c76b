//! 干部排查 rounds (排查台账, §三(一)1 二是): one row per village and round, with every household's result
//! in `body` (JSON of `shouwang_core::monitoring::ScreeningRound`). A round's label is unique in its
//! village, so submitting the same round twice is refused instead of recorded twice.

use sea_orm::DbBackend;
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum ScreeningRounds {
    Table,
    CountyCode,
    Id,
    VillageCode,
    Label,
    HeldOn,
    Screeners,
    Households,
    Flagged,
    Body,
    RecordedBy,
    RecordedByName,
    CreatedAt,
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

fn big(col: impl IntoIden) -> ColumnDef {
    let mut def = ColumnDef::new(col);
    def.big_integer().not_null();
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
                    .table(ScreeningRounds::Table)
                    .col(code(b, ScreeningRounds::CountyCode))
                    .col(big(ScreeningRounds::Id))
                    .col(code(b, ScreeningRounds::VillageCode))
                    .col(code(b, ScreeningRounds::Label))
                    .col(code(b, ScreeningRounds::HeldOn))
                    .col(ColumnDef::new(ScreeningRounds::Screeners).text().not_null())
                    .col(big(ScreeningRounds::Households))
                    .col(big(ScreeningRounds::Flagged))
                    .col(ColumnDef::new(ScreeningRounds::Body).text().not_null())
                    .col(big(ScreeningRounds::RecordedBy))
                    .col(
                        ColumnDef::new(ScreeningRounds::RecordedByName)
                            .text()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(ScreeningRounds::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .primary_key(
                        Index::create()
                            .col(ScreeningRounds::CountyCode)
                            .col(ScreeningRounds::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_screening_rounds_label")
                    .table(ScreeningRounds::Table)
                    .col(ScreeningRounds::CountyCode)
                    .col(ScreeningRounds::VillageCode)
                    .col(ScreeningRounds::Label)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_screening_rounds_held_on")
                    .table(ScreeningRounds::Table)
                    .col(ScreeningRounds::CountyCode)
                    .col(ScreeningRounds::VillageCode)
                    .col(ScreeningRounds::HeldOn)
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(ScreeningRounds::Table).to_owned())
            .await
    }
}
