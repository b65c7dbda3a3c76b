//! The monitoring and assistance lifecycle (防返贫动态监测和帮扶, §三(一); docs/domain.md A1–A3).
//!
//! The whole core `Case` (监测帮扶档案: clues, identification, measures, cadres, follow-ups, exits) is kept
//! as one JSON document per household in `cases.body`; the core's state machines work on it, the store only
//! keeps it with a version. Clues live inside the case (the core's `Case::clues`), so there is no clue table.
//! Columns beside the JSON are *derived* from it on every write and exist only for lists and queues:
//!
//! - `cases`: lifecycle state 监测状态, channels of the clues, first report date, identification start and
//!   next step (time limit), entry into monitoring, risk-elimination date, next exit step, current
//!   responsible cadre 帮扶责任人 (workload), latest follow-up month. Unique `(county_code, household_number)`.
//! - `case_follow_ups`: one row per recorded month 逐月跟踪监测 (missing months are the overdue list).
//! - `exit_notice_counters`: the last 告知书 sequence per county and year, taken and bumped inside the
//!   transaction that writes the notice, so numbers are unique and without gaps.
//! - `exit_notices`: every issued notice, unique by `(county_code, year, sequence)` and by number.
//! - `attachments`: metadata of uploaded files (scans, photos) by content hash (SHA-256), per county.
//!
//! Dates are ISO text (`2022-01-17`), months `2022-01`: portable, and byte order is date order.

use sea_orm::DbBackend;
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Cases {
    Table,
    CountyCode,
    Id,
    HouseholdId,
    TownshipCode,
    VillageCode,
    HouseholdNumber,
    Lifecycle,
    Channels,
    FirstReportedOn,
    IdentStartedOn,
    IdentNextStep,
    MonitoredSince,
    EliminatedOn,
    ExitNextStep,
    CadreUserId,
    CadreName,
    LastFollowUpMonth,
    Body,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum CaseFollowUps {
    Table,
    CountyCode,
    CaseId,
    Month,
    VisitedOn,
    AllWell,
}

#[derive(DeriveIden)]
enum ExitNoticeCounters {
    Table,
    CountyCode,
    Year,
    LastSequence,
}

#[derive(DeriveIden)]
enum ExitNotices {
    Table,
    CountyCode,
    Year,
    Sequence,
    Number,
    CaseId,
    VillageCode,
    HouseholdNumber,
    IssuedOn,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Attachments {
    Table,
    CountyCode,
    Sha256,
    Name,
    MediaType,
    Size,
    UploadedBy,
    UploadedAt,
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

        // 监测帮扶档案 cases.
        manager
            .create_table(
                Table::create()
                    .table(Cases::Table)
                    .col(code(b, Cases::CountyCode).not_null())
                    .col(big(Cases::Id))
                    .col(big(Cases::HouseholdId))
                    .col(code(b, Cases::TownshipCode).not_null())
                    .col(code(b, Cases::VillageCode).not_null())
                    .col(code(b, Cases::HouseholdNumber).not_null())
                    .col(code(b, Cases::Lifecycle).not_null())
                    .col(code(b, Cases::Channels).not_null())
                    .col(code(b, Cases::FirstReportedOn).not_null())
                    .col(code(b, Cases::IdentStartedOn).null())
                    .col(code(b, Cases::IdentNextStep).null())
                    .col(code(b, Cases::MonitoredSince).null())
                    .col(code(b, Cases::EliminatedOn).null())
                    .col(code(b, Cases::ExitNextStep).null())
                    .col(ColumnDef::new(Cases::CadreUserId).big_integer().null())
                    .col(ColumnDef::new(Cases::CadreName).text().null())
                    .col(code(b, Cases::LastFollowUpMonth).null())
                    .col(ColumnDef::new(Cases::Body).text().not_null())
                    .col(big(Cases::Version))
                    .col(ts(Cases::CreatedAt))
                    .col(ts(Cases::UpdatedAt))
                    .primary_key(Index::create().col(Cases::CountyCode).col(Cases::Id))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_cases_household")
                            .from_tbl(Cases::Table)
                            .from_col(Cases::CountyCode)
                            .from_col(Cases::HouseholdId)
                            .to_tbl(Households::Table)
                            .to_col(Households::CountyCode)
                            .to_col(Households::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                index(
                    "uq_cases_household",
                    Cases::Table,
                    idens([Cases::CountyCode, Cases::HouseholdNumber]),
                )
                .unique()
                .to_owned(),
            )
            .await?;
        for (name, cols) in [
            (
                "idx_cases_lifecycle",
                idens([
                    Cases::CountyCode,
                    Cases::Lifecycle,
                    Cases::VillageCode,
                    Cases::HouseholdNumber,
                ]),
            ),
            (
                "idx_cases_village",
                idens([
                    Cases::CountyCode,
                    Cases::VillageCode,
                    Cases::HouseholdNumber,
                ]),
            ),
            (
                "idx_cases_cadre",
                idens([
                    Cases::CountyCode,
                    Cases::CadreUserId,
                    Cases::HouseholdNumber,
                ]),
            ),
            (
                "idx_cases_household_id",
                idens([Cases::CountyCode, Cases::HouseholdId]),
            ),
        ] {
            manager
                .create_index(index(name, Cases::Table, cols))
                .await?;
        }

        // 逐月跟踪监测: the months recorded.
        manager
            .create_table(
                Table::create()
                    .table(CaseFollowUps::Table)
                    .col(code(b, CaseFollowUps::CountyCode).not_null())
                    .col(big(CaseFollowUps::CaseId))
                    .col(code(b, CaseFollowUps::Month).not_null())
                    .col(code(b, CaseFollowUps::VisitedOn).not_null())
                    .col(ColumnDef::new(CaseFollowUps::AllWell).boolean().not_null())
                    .primary_key(
                        Index::create()
                            .col(CaseFollowUps::CountyCode)
                            .col(CaseFollowUps::CaseId)
                            .col(CaseFollowUps::Month),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_case_follow_ups_case")
                            .from_tbl(CaseFollowUps::Table)
                            .from_col(CaseFollowUps::CountyCode)
                            .from_col(CaseFollowUps::CaseId)
                            .to_tbl(Cases::Table)
                            .to_col(Cases::CountyCode)
                            .to_col(Cases::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;

        // 告知书编号 counters.
        manager
            .create_table(
                Table::create()
                    .table(ExitNoticeCounters::Table)
                    .col(code(b, ExitNoticeCounters::CountyCode).not_null())
                    .col(
                        ColumnDef::new(ExitNoticeCounters::Year)
                            .integer()
                            .not_null(),
                    )
                    .col(big(ExitNoticeCounters::LastSequence))
                    .primary_key(
                        Index::create()
                            .col(ExitNoticeCounters::CountyCode)
                            .col(ExitNoticeCounters::Year),
                    )
                    .to_owned(),
            )
            .await?;

        // 退出告知书 issued.
        manager
            .create_table(
                Table::create()
                    .table(ExitNotices::Table)
                    .col(code(b, ExitNotices::CountyCode).not_null())
                    .col(ColumnDef::new(ExitNotices::Year).integer().not_null())
                    .col(big(ExitNotices::Sequence))
                    .col(ColumnDef::new(ExitNotices::Number).text().not_null())
                    .col(big(ExitNotices::CaseId))
                    .col(code(b, ExitNotices::VillageCode).not_null())
                    .col(code(b, ExitNotices::HouseholdNumber).not_null())
                    .col(code(b, ExitNotices::IssuedOn).not_null())
                    .col(ts(ExitNotices::CreatedAt))
                    .primary_key(
                        Index::create()
                            .col(ExitNotices::CountyCode)
                            .col(ExitNotices::Year)
                            .col(ExitNotices::Sequence),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_exit_notices_case")
                            .from_tbl(ExitNotices::Table)
                            .from_col(ExitNotices::CountyCode)
                            .from_col(ExitNotices::CaseId)
                            .to_tbl(Cases::Table)
                            .to_col(Cases::CountyCode)
                            .to_col(Cases::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                index(
                    "uq_exit_notices_number",
                    ExitNotices::Table,
                    idens([ExitNotices::CountyCode, ExitNotices::Number]),
                )
                .unique()
                .to_owned(),
            )
            .await?;

        // 附件 metadata.
        manager
            .create_table(
                Table::create()
                    .table(Attachments::Table)
                    .col(code(b, Attachments::CountyCode).not_null())
                    .col(code(b, Attachments::Sha256).not_null())
                    .col(ColumnDef::new(Attachments::Name).text().not_null())
                    .col(ColumnDef::new(Attachments::MediaType).text().not_null())
                    .col(big(Attachments::Size))
                    .col(big(Attachments::UploadedBy))
                    .col(ts(Attachments::UploadedAt))
                    .primary_key(
                        Index::create()
                            .col(Attachments::CountyCode)
                            .col(Attachments::Sha256),
                    )
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            Attachments::Table.into_iden(),
            ExitNotices::Table.into_iden(),
            ExitNoticeCounters::Table.into_iden(),
            CaseFollowUps::Table.into_iden(),
            Cases::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(t).if_exists().to_owned())
                .await?;
        }
        Ok(())
    }
}
