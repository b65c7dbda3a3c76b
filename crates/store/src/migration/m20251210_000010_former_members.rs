//! `former_members`: 原家庭成员 — a member who left the household between two registry imports (死亡, 迁出),
//! kept with the reason and the date (issue 17). Leaving moves the row out of `members` into this table in
//! one transaction, so every reader of `members` (家庭人口, the registry search, screening, ledgers, the
//! duplicate and quality checks, exports) counts only the members who are there, and the person's ID number
//! is free to be registered again (a woman who moved out on marriage joins her new household).
//!
//! Columns: the tenant key `(county_code, id)`, the household (`household_id`, `village_code`, following the
//! household), the member row's former id (`member_id`), 身份证号, 姓名 and 与户主关系 as they were, the
//! reason (`LeaveReason` code), the date (`left_on`, `YYYY-MM-DD` text like the other dates of the schema),
//! the whole member as JSON (`member`: `shouwang_core::Member`) and `created_at`. A former member goes with
//! the household when it is deleted (`ON DELETE CASCADE`).

use sea_orm::DbBackend;
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum FormerMembers {
    Table,
    CountyCode,
    Id,
    VillageCode,
    HouseholdId,
    MemberId,
    IdNumber,
    Name,
    Relation,
    Reason,
    LeftOn,
    Member,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Households {
    Table,
    CountyCode,
    Id,
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
                    .table(FormerMembers::Table)
                    .col(code(b, FormerMembers::CountyCode))
                    .col(big(FormerMembers::Id))
                    .col(code(b, FormerMembers::VillageCode))
                    .col(big(FormerMembers::HouseholdId))
                    .col(big(FormerMembers::MemberId))
                    .col(code(b, FormerMembers::IdNumber))
                    .col(code(b, FormerMembers::Name))
                    .col(code(b, FormerMembers::Relation))
                    .col(code(b, FormerMembers::Reason))
                    .col(code(b, FormerMembers::LeftOn))
                    .col(ColumnDef::new(FormerMembers::Member).text().not_null())
                    .col(
                        ColumnDef::new(FormerMembers::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .primary_key(
                        Index::create()
                            .col(FormerMembers::CountyCode)
                            .col(FormerMembers::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_former_members_household")
                            .from_tbl(FormerMembers::Table)
                            .from_col(FormerMembers::CountyCode)
                            .from_col(FormerMembers::HouseholdId)
                            .to_tbl(Households::Table)
                            .to_col(Households::CountyCode)
                            .to_col(Households::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_former_members_household")
                    .table(FormerMembers::Table)
                    .col(FormerMembers::CountyCode)
                    .col(FormerMembers::HouseholdId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_former_members_id_number")
                    .table(FormerMembers::Table)
                    .col(FormerMembers::CountyCode)
                    .col(FormerMembers::IdNumber)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(
                Table::drop()
                    .table(FormerMembers::Table)
                    .if_exists()
                    .to_owned(),
            )
            .await
    }
}
