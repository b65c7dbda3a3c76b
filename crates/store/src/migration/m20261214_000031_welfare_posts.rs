//! 公益岗位 (B1 §四(一)3, A4 §三(二), issue 21): the county's public-welfare posts (`welfare_posts`: one row
//! per post, as entered in `body`, its kind, funding and state, the holder by household and member row id,
//! a version for optimistic locking) and the people a 两无老人看护 post cares for (`welfare_post_care`). Both
//! tables carry `county_code` (in every key) and the post's `village_code`, so reads are scoped by area in
//! SQL.

use sea_orm_migration::prelude::*;

use super::columns::{at, big, code, text};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum WelfarePosts {
    Table,
    CountyCode,
    Id,
    VillageCode,
    Name,
    Kind,
    Funding,
    State,
    HolderHouseholdId,
    HolderMemberId,
    Body,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum WelfarePostCare {
    Table,
    CountyCode,
    Id,
    PostId,
    VillageCode,
    HouseholdId,
    MemberId,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let b = manager.get_database_backend();
        type P = WelfarePosts;
        manager
            .create_table(
                Table::create()
                    .table(P::Table)
                    .col(code(b, P::CountyCode))
                    .col(big(P::Id))
                    .col(code(b, P::VillageCode))
                    .col(text(P::Name))
                    .col(code(b, P::Kind))
                    .col(code(b, P::Funding))
                    .col(code(b, P::State))
                    .col(ColumnDef::new(P::HolderHouseholdId).big_integer().null())
                    .col(ColumnDef::new(P::HolderMemberId).big_integer().null())
                    .col(text(P::Body))
                    .col(big(P::Version))
                    .col(at(P::CreatedAt))
                    .col(at(P::UpdatedAt))
                    .primary_key(Index::create().col(P::CountyCode).col(P::Id))
                    .to_owned(),
            )
            .await?;
        for (name, col) in [
            ("idx_welfare_posts_village", P::VillageCode),
            ("idx_welfare_posts_holder", P::HolderMemberId),
        ] {
            manager
                .create_index(
                    Index::create()
                        .name(name)
                        .table(P::Table)
                        .col(P::CountyCode)
                        .col(col)
                        .to_owned(),
                )
                .await?;
        }
        type C = WelfarePostCare;
        manager
            .create_table(
                Table::create()
                    .table(C::Table)
                    .col(code(b, C::CountyCode))
                    .col(big(C::Id))
                    .col(big(C::PostId))
                    .col(code(b, C::VillageCode))
                    .col(big(C::HouseholdId))
                    .col(big(C::MemberId))
                    .primary_key(Index::create().col(C::CountyCode).col(C::Id))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_welfare_post_care_post")
                            .from_tbl(C::Table)
                            .from_col(C::CountyCode)
                            .from_col(C::PostId)
                            .to_tbl(P::Table)
                            .to_col(P::CountyCode)
                            .to_col(P::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        for (name, col) in [
            ("idx_welfare_post_care_post", C::PostId),
            ("idx_welfare_post_care_household", C::HouseholdId),
        ] {
            manager
                .create_index(
                    Index::create()
                        .name(name)
                        .table(C::Table)
                        .col(C::CountyCode)
                        .col(col)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            WelfarePostCare::Table.into_iden(),
            WelfarePosts::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(t).to_owned())
                .await?;
        }
        Ok(())
    }
}
