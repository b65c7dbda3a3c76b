//! 光伏扶贫电站 and 光伏收益分配 (B2 §四(二)4, issue 23): the county's PV stations (`pv_stations`: one row per
//! station, as entered in `body`, its kind, state and optional asset, a version), the villages a station
//! benefits (`pv_station_villages`: its own village, or the 受益村 of a 集中式电站), the monthly generation
//! income (`pv_income`: one per station and month, unique), and the monthly distribution of a village
//! (`pv_distributions`: one per village and month, unique). Every table carries `county_code` (in every key)
//! and a `village_code` (the station's place, the beneficiary, the village distributed to), so reads are
//! scoped by area in SQL. Amounts in 分.

use sea_orm_migration::prelude::*;

use super::columns::{at, big, code, text};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum PvStations {
    Table,
    CountyCode,
    Id,
    VillageCode,
    Name,
    Kind,
    State,
    AssetId,
    Body,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum PvStationVillages {
    Table,
    CountyCode,
    StationId,
    VillageCode,
}

#[derive(DeriveIden)]
enum PvIncome {
    Table,
    CountyCode,
    Id,
    StationId,
    VillageCode,
    Month,
    AmountFen,
    Note,
    RecordedBy,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum PvDistributions {
    Table,
    CountyCode,
    Id,
    VillageCode,
    Month,
    DistributedFen,
    Body,
    RecordedBy,
    Version,
    CreatedAt,
    UpdatedAt,
}

fn to_station(
    from: impl IntoIden,
    station: impl IntoIden,
    table: impl IntoIden,
    name: &str,
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(name)
        .from_tbl(table)
        .from_col(from)
        .from_col(station)
        .to_tbl(PvStations::Table)
        .to_col(PvStations::CountyCode)
        .to_col(PvStations::Id)
        .on_delete(ForeignKeyAction::Cascade)
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let b = manager.get_database_backend();
        type S = PvStations;
        manager
            .create_table(
                Table::create()
                    .table(S::Table)
                    .col(code(b, S::CountyCode))
                    .col(big(S::Id))
                    .col(code(b, S::VillageCode))
                    .col(text(S::Name))
                    .col(code(b, S::Kind))
                    .col(code(b, S::State))
                    .col(ColumnDef::new(S::AssetId).big_integer().null())
                    .col(text(S::Body))
                    .col(big(S::Version))
                    .col(at(S::CreatedAt))
                    .col(at(S::UpdatedAt))
                    .primary_key(Index::create().col(S::CountyCode).col(S::Id))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_pv_stations_village")
                    .table(S::Table)
                    .col(S::CountyCode)
                    .col(S::VillageCode)
                    .to_owned(),
            )
            .await?;
        type V = PvStationVillages;
        manager
            .create_table(
                Table::create()
                    .table(V::Table)
                    .col(code(b, V::CountyCode))
                    .col(big(V::StationId))
                    .col(code(b, V::VillageCode))
                    .primary_key(
                        Index::create()
                            .col(V::CountyCode)
                            .col(V::StationId)
                            .col(V::VillageCode),
                    )
                    .foreign_key(&mut to_station(
                        V::CountyCode,
                        V::StationId,
                        V::Table,
                        "fk_pv_station_villages_station",
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_pv_station_villages_village")
                    .table(V::Table)
                    .col(V::CountyCode)
                    .col(V::VillageCode)
                    .to_owned(),
            )
            .await?;
        type I = PvIncome;
        manager
            .create_table(
                Table::create()
                    .table(I::Table)
                    .col(code(b, I::CountyCode))
                    .col(big(I::Id))
                    .col(big(I::StationId))
                    .col(code(b, I::VillageCode))
                    .col(code(b, I::Month))
                    .col(big(I::AmountFen))
                    .col(text(I::Note))
                    .col(text(I::RecordedBy))
                    .col(big(I::Version))
                    .col(at(I::CreatedAt))
                    .col(at(I::UpdatedAt))
                    .primary_key(Index::create().col(I::CountyCode).col(I::Id))
                    .foreign_key(&mut to_station(
                        I::CountyCode,
                        I::StationId,
                        I::Table,
                        "fk_pv_income_station",
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_pv_income_station_month")
                    .table(I::Table)
                    .col(I::CountyCode)
                    .col(I::StationId)
                    .col(I::Month)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_pv_income_village")
                    .table(I::Table)
                    .col(I::CountyCode)
                    .col(I::VillageCode)
                    .col(I::Month)
                    .to_owned(),
            )
            .await?;
        type D = PvDistributions;
        manager
            .create_table(
                Table::create()
                    .table(D::Table)
                    .col(code(b, D::CountyCode))
                    .col(big(D::Id))
                    .col(code(b, D::VillageCode))
                    .col(code(b, D::Month))
                    .col(big(D::DistributedFen))
                    .col(text(D::Body))
                    .col(text(D::RecordedBy))
                    .col(big(D::Version))
                    .col(at(D::CreatedAt))
                    .col(at(D::UpdatedAt))
                    .primary_key(Index::create().col(D::CountyCode).col(D::Id))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_pv_distributions_village_month")
                    .table(D::Table)
                    .col(D::CountyCode)
                    .col(D::VillageCode)
                    .col(D::Month)
                    .unique()
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            PvDistributions::Table.into_iden(),
            PvIncome::Table.into_iden(),
            PvStationVillages::Table.into_iden(),
            PvStations::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(t).to_owned())
                .await?;
        }
        Ok(())
    }
}
