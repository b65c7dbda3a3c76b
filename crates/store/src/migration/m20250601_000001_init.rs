//! The initial schema (初始表结构).
//!
//! Portable types only: text codes, `BIGINT` fen, `BIGINT` application-generated ids, UTC timestamps.
//! On PostgreSQL every text column that is searched or compared by range (codes, names, numbers) gets
//! `COLLATE "C"` so that ordering is byte order, the same as SQLite's `BINARY`, and prefix searches written as
//! range predicates (`name >= 'p' AND name < 'p' || U+10FFFF`) are exact and use the B-tree index.
//!
//! Tenant tables (households, members, income_records) have the composite primary key `(county_code, id)`,
//! their foreign keys include `county_code`, and their unique keys start with it, so that a distributed
//! PostgreSQL (Citus) can shard them by county later.

use sea_orm::DbBackend;
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Regions {
    Table,
    Code,
    CountyCode,
    Name,
    Level,
    ParentCode,
}

#[derive(DeriveIden)]
enum Households {
    Table,
    CountyCode,
    Id,
    TownshipCode,
    VillageCode,
    Number,
    NaturalVillage,
    HouseholdType,
    Address,
    Phone,
    IsRelocated,
    MonitoredType,
    Risks,
    HeadName,
    HeadIdNumber,
    Size,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Members {
    Table,
    CountyCode,
    Id,
    VillageCode,
    HouseholdId,
    Position,
    IdNumber,
    IdKey,
    Name,
    Sex,
    Relation,
    Labour,
    Health,
    Education,
    School,
    Political,
    HasMedicalInsurance,
    Dibao,
    Tekun,
    DisabilityGrade,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum IncomeRecords {
    Table,
    CountyCode,
    Id,
    VillageCode,
    HouseholdId,
    Year,
    Wage,
    Business,
    Property,
    Transfer,
    ProductionCost,
    RigidMedical,
    RigidEducation,
    RigidDisability,
    RigidDisaster,
    InsurancePayout,
    Members,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum MonitoringLines {
    Table,
    Province,
    Year,
    LineFen,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
    Username,
    DisplayName,
    PasswordHash,
    IsActive,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum UserRoles {
    Table,
    Id,
    UserId,
    Role,
    Area,
    CountyCode,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Sessions {
    Table,
    TokenHash,
    UserId,
    CsrfToken,
    CreatedAt,
    ExpiresAt,
}

#[derive(DeriveIden)]
enum AuditLog {
    Table,
    Id,
    At,
    ActorUserId,
    ActorName,
    Action,
    Entity,
    EntityId,
    CountyCode,
    VillageCode,
    Before,
    After,
}

/// A text column; `COLLATE "C"` on PostgreSQL (byte order, like SQLite).
fn code(backend: DbBackend, col: impl IntoIden) -> ColumnDef {
    let mut def = ColumnDef::new(col);
    def.text();
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

fn ts(col: impl IntoIden) -> ColumnDef {
    let mut def = ColumnDef::new(col);
    def.timestamp_with_time_zone().not_null();
    def
}

fn index(name: &str, table: impl IntoIden, cols: Vec<DynIden>) -> IndexCreateStatement {
    let mut idx = Index::create();
    idx.name(name).table(table);
    for c in cols {
        idx.col(c);
    }
    idx
}

fn idens<const N: usize>(cols: [impl IntoIden; N]) -> Vec<DynIden> {
    cols.into_iter().map(IntoIden::into_iden).collect()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let b = manager.get_database_backend();

        // 行政区划 regions: county, township, village, settlement, natural village.
        manager
            .create_table(
                Table::create()
                    .table(Regions::Table)
                    .col(code(b, Regions::Code).not_null().primary_key())
                    .col(code(b, Regions::CountyCode).not_null())
                    .col(ColumnDef::new(Regions::Name).text().not_null())
                    .col(code(b, Regions::Level).not_null())
                    .col(code(b, Regions::ParentCode).null())
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_regions_parent")
                            .from(Regions::Table, Regions::ParentCode)
                            .to(Regions::Table, Regions::Code),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "idx_regions_parent",
                Regions::Table,
                idens([Regions::ParentCode, Regions::Code]),
            ))
            .await?;

        // 农户 households.
        manager
            .create_table(
                Table::create()
                    .table(Households::Table)
                    .col(code(b, Households::CountyCode).not_null())
                    .col(big(Households::Id))
                    .col(code(b, Households::TownshipCode).not_null())
                    .col(code(b, Households::VillageCode).not_null())
                    .col(code(b, Households::Number).not_null())
                    .col(ColumnDef::new(Households::NaturalVillage).text().null())
                    .col(code(b, Households::HouseholdType).not_null())
                    .col(ColumnDef::new(Households::Address).text().not_null())
                    .col(ColumnDef::new(Households::Phone).text().null())
                    .col(ColumnDef::new(Households::IsRelocated).boolean().not_null())
                    .col(code(b, Households::MonitoredType).null())
                    .col(ColumnDef::new(Households::Risks).text().not_null())
                    .col(code(b, Households::HeadName).not_null())
                    .col(code(b, Households::HeadIdNumber).not_null())
                    .col(ColumnDef::new(Households::Size).integer().not_null())
                    .col(big(Households::Version))
                    .col(ts(Households::CreatedAt))
                    .col(ts(Households::UpdatedAt))
                    .primary_key(
                        Index::create()
                            .col(Households::CountyCode)
                            .col(Households::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_households_village")
                            .from(Households::Table, Households::VillageCode)
                            .to(Regions::Table, Regions::Code),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                index(
                    "uq_households_number",
                    Households::Table,
                    idens([Households::CountyCode, Households::Number]),
                )
                .unique()
                .to_owned(),
            )
            .await?;
        for (name, cols) in [
            (
                "idx_households_village_number",
                idens([Households::VillageCode, Households::Number]),
            ),
            (
                "idx_households_township_number",
                idens([Households::TownshipCode, Households::Number]),
            ),
        ] {
            manager
                .create_index(index(name, Households::Table, cols))
                .await?;
        }
        manager
            .create_index(index(
                "idx_households_type_number",
                Households::Table,
                idens([
                    Households::CountyCode,
                    Households::HouseholdType,
                    Households::Number,
                ]),
            ))
            .await?;

        // 家庭成员 members.
        manager
            .create_table(
                Table::create()
                    .table(Members::Table)
                    .col(code(b, Members::CountyCode).not_null())
                    .col(big(Members::Id))
                    .col(code(b, Members::VillageCode).not_null())
                    .col(big(Members::HouseholdId))
                    .col(ColumnDef::new(Members::Position).integer().not_null())
                    .col(code(b, Members::IdNumber).not_null())
                    .col(big(Members::IdKey))
                    .col(code(b, Members::Name).not_null())
                    .col(code(b, Members::Sex).not_null())
                    .col(code(b, Members::Relation).not_null())
                    .col(code(b, Members::Labour).not_null())
                    .col(ColumnDef::new(Members::Health).text().not_null())
                    .col(code(b, Members::Education).null())
                    .col(code(b, Members::School).null())
                    .col(code(b, Members::Political).not_null())
                    .col(
                        ColumnDef::new(Members::HasMedicalInsurance)
                            .boolean()
                            .not_null(),
                    )
                    .col(code(b, Members::Dibao).not_null())
                    .col(code(b, Members::Tekun).not_null())
                    .col(
                        ColumnDef::new(Members::DisabilityGrade)
                            .small_integer()
                            .null(),
                    )
                    .col(big(Members::Version))
                    .col(ts(Members::CreatedAt))
                    .col(ts(Members::UpdatedAt))
                    .primary_key(Index::create().col(Members::CountyCode).col(Members::Id))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_members_household")
                            .from_tbl(Members::Table)
                            .from_col(Members::CountyCode)
                            .from_col(Members::HouseholdId)
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
                index(
                    "uq_members_id_number",
                    Members::Table,
                    idens([Members::CountyCode, Members::IdNumber]),
                )
                .unique()
                .to_owned(),
            )
            .await?;
        // Name search: a range scan on (county, name) that also carries the village code (area filter inside
        // the index) and the household id (no table lookup).
        manager
            .create_index(index(
                "idx_members_name",
                Members::Table,
                idens([
                    Members::CountyCode,
                    Members::Name,
                    Members::VillageCode,
                    Members::HouseholdId,
                ]),
            ))
            .await?;
        manager
            .create_index(index(
                "idx_members_id_key",
                Members::Table,
                idens([Members::IdKey]),
            ))
            .await?;
        manager
            .create_index(index(
                "idx_members_household",
                Members::Table,
                idens([Members::CountyCode, Members::HouseholdId, Members::Position]),
            ))
            .await?;

        // 收入 income records, one per household and year.
        let mut income = Table::create();
        income
            .table(IncomeRecords::Table)
            .col(code(b, IncomeRecords::CountyCode).not_null())
            .col(big(IncomeRecords::Id))
            .col(code(b, IncomeRecords::VillageCode).not_null())
            .col(big(IncomeRecords::HouseholdId))
            .col(ColumnDef::new(IncomeRecords::Year).integer().not_null());
        for c in [
            IncomeRecords::Wage,
            IncomeRecords::Business,
            IncomeRecords::Property,
            IncomeRecords::Transfer,
            IncomeRecords::ProductionCost,
            IncomeRecords::RigidMedical,
            IncomeRecords::RigidEducation,
            IncomeRecords::RigidDisability,
            IncomeRecords::RigidDisaster,
            IncomeRecords::InsurancePayout,
        ] {
            income.col(big(c));
        }
        income
            .col(ColumnDef::new(IncomeRecords::Members).integer().not_null())
            .col(big(IncomeRecords::Version))
            .col(ts(IncomeRecords::CreatedAt))
            .col(ts(IncomeRecords::UpdatedAt))
            .primary_key(
                Index::create()
                    .col(IncomeRecords::CountyCode)
                    .col(IncomeRecords::Id),
            )
            .foreign_key(
                ForeignKey::create()
                    .name("fk_income_household")
                    .from_tbl(IncomeRecords::Table)
                    .from_col(IncomeRecords::CountyCode)
                    .from_col(IncomeRecords::HouseholdId)
                    .to_tbl(Households::Table)
                    .to_col(Households::CountyCode)
                    .to_col(Households::Id)
                    .on_delete(ForeignKeyAction::Cascade),
            );
        manager.create_table(income).await?;
        manager
            .create_index(
                index(
                    "uq_income_household_year",
                    IncomeRecords::Table,
                    idens([
                        IncomeRecords::CountyCode,
                        IncomeRecords::HouseholdId,
                        IncomeRecords::Year,
                    ]),
                )
                .unique()
                .to_owned(),
            )
            .await?;

        // 监测线 monitoring lines per province and year.
        manager
            .create_table(
                Table::create()
                    .table(MonitoringLines::Table)
                    .col(code(b, MonitoringLines::Province).not_null())
                    .col(ColumnDef::new(MonitoringLines::Year).integer().not_null())
                    .col(big(MonitoringLines::LineFen))
                    .col(ts(MonitoringLines::UpdatedAt))
                    .primary_key(
                        Index::create()
                            .col(MonitoringLines::Province)
                            .col(MonitoringLines::Year),
                    )
                    .to_owned(),
            )
            .await?;

        // 用户 users, their roles with areas, sessions.
        manager
            .create_table(
                Table::create()
                    .table(Users::Table)
                    .col(big(Users::Id).primary_key())
                    .col(code(b, Users::Username).not_null())
                    .col(ColumnDef::new(Users::DisplayName).text().not_null())
                    .col(ColumnDef::new(Users::PasswordHash).text().not_null())
                    .col(ColumnDef::new(Users::IsActive).boolean().not_null())
                    .col(big(Users::Version))
                    .col(ts(Users::CreatedAt))
                    .col(ts(Users::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                index("uq_users_username", Users::Table, idens([Users::Username]))
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(UserRoles::Table)
                    .col(big(UserRoles::Id).primary_key())
                    .col(big(UserRoles::UserId))
                    .col(code(b, UserRoles::Role).not_null())
                    .col(code(b, UserRoles::Area).not_null())
                    .col(code(b, UserRoles::CountyCode).not_null())
                    .col(ts(UserRoles::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_user_roles_user")
                            .from(UserRoles::Table, UserRoles::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                index(
                    "uq_user_roles",
                    UserRoles::Table,
                    idens([UserRoles::UserId, UserRoles::Role, UserRoles::Area]),
                )
                .unique()
                .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "idx_user_roles_county",
                UserRoles::Table,
                idens([UserRoles::CountyCode, UserRoles::Area]),
            ))
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Sessions::Table)
                    .col(code(b, Sessions::TokenHash).not_null().primary_key())
                    .col(big(Sessions::UserId))
                    .col(ColumnDef::new(Sessions::CsrfToken).text().not_null())
                    .col(ts(Sessions::CreatedAt))
                    .col(ts(Sessions::ExpiresAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_sessions_user")
                            .from(Sessions::Table, Sessions::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "idx_sessions_user",
                Sessions::Table,
                idens([Sessions::UserId]),
            ))
            .await?;
        manager
            .create_index(index(
                "idx_sessions_expires",
                Sessions::Table,
                idens([Sessions::ExpiresAt]),
            ))
            .await?;

        // 审计日志 audit log (append-only).
        manager
            .create_table(
                Table::create()
                    .table(AuditLog::Table)
                    .col(big(AuditLog::Id).primary_key())
                    .col(ts(AuditLog::At))
                    .col(big(AuditLog::ActorUserId))
                    .col(ColumnDef::new(AuditLog::ActorName).text().not_null())
                    .col(code(b, AuditLog::Action).not_null())
                    .col(code(b, AuditLog::Entity).not_null())
                    .col(code(b, AuditLog::EntityId).not_null())
                    .col(code(b, AuditLog::CountyCode).null())
                    .col(code(b, AuditLog::VillageCode).null())
                    .col(ColumnDef::new(AuditLog::Before).text().null())
                    .col(ColumnDef::new(AuditLog::After).text().null())
                    .to_owned(),
            )
            .await?;
        for (name, cols) in [
            (
                "idx_audit_county",
                idens([AuditLog::CountyCode, AuditLog::Id]),
            ),
            (
                "idx_audit_entity",
                idens([AuditLog::Entity, AuditLog::EntityId, AuditLog::Id]),
            ),
            (
                "idx_audit_actor",
                idens([AuditLog::ActorUserId, AuditLog::Id]),
            ),
        ] {
            manager
                .create_index(index(name, AuditLog::Table, cols))
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            AuditLog::Table.into_iden(),
            Sessions::Table.into_iden(),
            UserRoles::Table.into_iden(),
            Users::Table.into_iden(),
            MonitoringLines::Table.into_iden(),
            IncomeRecords::Table.into_iden(),
            Members::Table.into_iden(),
            Households::Table.into_iden(),
            Regions::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(t).if_exists().to_owned())
                .await?;
        }
        Ok(())
    }
}
