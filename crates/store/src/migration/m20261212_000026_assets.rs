//! 扶贫项目资产 and 管护 (B2, A7, issue 23): the county's assets (`assets`: one row per asset, its
//! registration as JSON in `body` without the keeper's phone, which is sealed in `keeper_phone` under the
//! row's `key_version`; its state, its disposal state, a version for optimistic locking), the upkeep and
//! repair records (`asset_upkeep`, costs in 分) and the disposal steps (`asset_disposal_steps`). Every table
//! carries `county_code` (in every key) and the asset's `village_code`, so reads are scoped by area in SQL.

use sea_orm::DbBackend;
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Assets {
    Table,
    CountyCode,
    Id,
    VillageCode,
    Name,
    Kind,
    OwnerKind,
    State,
    DisposalState,
    YearFormed,
    OriginalValue,
    ProjectId,
    UpkeepMonths,
    Body,
    KeeperPhone,
    KeyVersion,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum AssetUpkeep {
    Table,
    CountyCode,
    Id,
    AssetId,
    VillageCode,
    Kind,
    DoneOn,
    Cost,
    Body,
    ByUser,
    ByName,
    CreatedAt,
}

#[derive(DeriveIden)]
enum AssetDisposalSteps {
    Table,
    Step,
    Decision,
    TakenOn,
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

fn text(col: impl IntoIden) -> ColumnDef {
    let mut def = ColumnDef::new(col);
    def.text().not_null();
    def
}

fn at(col: impl IntoIden) -> ColumnDef {
    let mut def = ColumnDef::new(col);
    def.timestamp_with_time_zone().not_null();
    def
}

fn to_asset(name: &str, from: impl IntoIden) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(name)
        .from_tbl(from)
        .from_col(Assets::CountyCode)
        .from_col(AssetUpkeep::AssetId)
        .to_tbl(Assets::Table)
        .to_col(Assets::CountyCode)
        .to_col(Assets::Id)
        .on_delete(ForeignKeyAction::Cascade)
        .to_owned()
}

/// One of the two record tables (upkeep, disposal steps): county, id, asset, village, a code, a second
/// code, a date, the JSON body, who and when.
fn records(
    b: DbBackend,
    table: impl IntoIden,
    [first, second, on]: [ColumnDef; 3],
    fk: &str,
) -> TableCreateStatement {
    type U = AssetUpkeep;
    let table = table.into_iden();
    Table::create()
        .table(table.clone())
        .col(code(b, U::CountyCode))
        .col(big(U::Id))
        .col(big(U::AssetId))
        .col(code(b, U::VillageCode))
        .col(first)
        .col(second)
        .col(on)
        .col(text(U::Body))
        .col(big(U::ByUser))
        .col(text(U::ByName))
        .col(at(U::CreatedAt))
        .primary_key(Index::create().col(U::CountyCode).col(U::Id))
        .foreign_key(&mut to_asset(fk, table))
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let b = manager.get_database_backend();
        type A = Assets;
        manager
            .create_table(
                Table::create()
                    .table(A::Table)
                    .col(code(b, A::CountyCode))
                    .col(big(A::Id))
                    .col(code(b, A::VillageCode))
                    .col(text(A::Name))
                    .col(code(b, A::Kind))
                    .col(code(b, A::OwnerKind))
                    .col(code(b, A::State))
                    .col(ColumnDef::new(A::DisposalState).text().null())
                    .col(ColumnDef::new(A::YearFormed).integer().not_null())
                    .col(big(A::OriginalValue))
                    .col(ColumnDef::new(A::ProjectId).big_integer().null())
                    .col(ColumnDef::new(A::UpkeepMonths).integer().null())
                    .col(text(A::Body))
                    .col(ColumnDef::new(A::KeeperPhone).text().null())
                    .col(ColumnDef::new(A::KeyVersion).integer().not_null())
                    .col(big(A::Version))
                    .col(at(A::CreatedAt))
                    .col(at(A::UpdatedAt))
                    .primary_key(Index::create().col(A::CountyCode).col(A::Id))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_assets_village")
                    .table(A::Table)
                    .col(A::CountyCode)
                    .col(A::VillageCode)
                    .to_owned(),
            )
            .await?;
        type U = AssetUpkeep;
        manager
            .create_table(records(
                b,
                U::Table,
                [code(b, U::Kind), big(U::Cost), code(b, U::DoneOn)],
                "fk_asset_upkeep_asset",
            ))
            .await?;
        type S = AssetDisposalSteps;
        manager
            .create_table(records(
                b,
                S::Table,
                [code(b, S::Step), code(b, S::Decision), code(b, S::TakenOn)],
                "fk_asset_disposal_steps_asset",
            ))
            .await?;
        for (name, table) in [
            ("idx_asset_upkeep_asset", U::Table.into_iden()),
            ("idx_asset_disposal_steps_asset", S::Table.into_iden()),
        ] {
            manager
                .create_index(
                    Index::create()
                        .name(name)
                        .table(table)
                        .col(U::CountyCode)
                        .col(U::AssetId)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            AssetDisposalSteps::Table.into_iden(),
            AssetUpkeep::Table.into_iden(),
            Assets::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(t).to_owned())
                .await?;
        }
        Ok(())
    }
}
