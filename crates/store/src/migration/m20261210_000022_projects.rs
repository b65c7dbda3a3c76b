//! 项目库与衔接资金 (B2, issue 23): the county's projects (`projects`: one row per project, its application
//! as JSON in `body`, its state in the entry flow 村申报 → 乡审核 → 行业部门论证 → 县备案, a version for
//! optimistic locking), the steps taken (`project_steps`) and the payments (`project_payments`, amounts in
//! 分). Every table carries `county_code` and the project's `village_code`, so reads are scoped by area in
//! SQL like every other table kept per village.

use sea_orm::DbBackend;
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Projects {
    Table,
    CountyCode,
    Id,
    VillageCode,
    Name,
    Kind,
    State,
    YearFrom,
    YearTo,
    PlannedTotal,
    Body,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum ProjectSteps {
    Table,
    CountyCode,
    Id,
    ProjectId,
    VillageCode,
    Step,
    Decision,
    TakenOn,
    Body,
    ByUser,
    ByName,
    CreatedAt,
}

#[derive(DeriveIden)]
enum ProjectPayments {
    Table,
    CountyCode,
    Id,
    ProjectId,
    VillageCode,
    Source,
    PaidOn,
    Amount,
    Voucher,
    ByUser,
    ByName,
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

fn to_project(name: &str, from: impl IntoIden) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(name)
        .from_tbl(from)
        .from_col(Projects::CountyCode)
        .from_col(ProjectSteps::ProjectId)
        .to_tbl(Projects::Table)
        .to_col(Projects::CountyCode)
        .to_col(Projects::Id)
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
        type P = Projects;
        manager
            .create_table(
                Table::create()
                    .table(P::Table)
                    .col(code(b, P::CountyCode))
                    .col(big(P::Id))
                    .col(code(b, P::VillageCode))
                    .col(text(P::Name))
                    .col(code(b, P::Kind))
                    .col(code(b, P::State))
                    .col(ColumnDef::new(P::YearFrom).integer().not_null())
                    .col(ColumnDef::new(P::YearTo).integer().not_null())
                    .col(big(P::PlannedTotal))
                    .col(text(P::Body))
                    .col(big(P::Version))
                    .col(at(P::CreatedAt))
                    .col(at(P::UpdatedAt))
                    .primary_key(Index::create().col(P::CountyCode).col(P::Id))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_projects_village")
                    .table(P::Table)
                    .col(P::CountyCode)
                    .col(P::VillageCode)
                    .to_owned(),
            )
            .await?;
        type S = ProjectSteps;
        manager
            .create_table(
                Table::create()
                    .table(S::Table)
                    .col(code(b, S::CountyCode))
                    .col(big(S::Id))
                    .col(big(S::ProjectId))
                    .col(code(b, S::VillageCode))
                    .col(code(b, S::Step))
                    .col(code(b, S::Decision))
                    .col(code(b, S::TakenOn))
                    .col(text(S::Body))
                    .col(big(S::ByUser))
                    .col(text(S::ByName))
                    .col(at(S::CreatedAt))
                    .primary_key(Index::create().col(S::CountyCode).col(S::Id))
                    .foreign_key(&mut to_project("fk_project_steps_project", S::Table))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_project_steps_project")
                    .table(S::Table)
                    .col(S::CountyCode)
                    .col(S::ProjectId)
                    .to_owned(),
            )
            .await?;
        type M = ProjectPayments;
        manager
            .create_table(
                Table::create()
                    .table(M::Table)
                    .col(code(b, M::CountyCode))
                    .col(big(M::Id))
                    .col(big(M::ProjectId))
                    .col(code(b, M::VillageCode))
                    .col(code(b, M::Source))
                    .col(code(b, M::PaidOn))
                    .col(big(M::Amount))
                    .col(text(M::Voucher))
                    .col(big(M::ByUser))
                    .col(text(M::ByName))
                    .col(at(M::CreatedAt))
                    .primary_key(Index::create().col(M::CountyCode).col(M::Id))
                    .foreign_key(&mut to_project("fk_project_payments_project", M::Table))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_project_payments_project")
                    .table(M::Table)
                    .col(M::CountyCode)
                    .col(M::ProjectId)
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            ProjectPayments::Table.into_iden(),
            ProjectSteps::Table.into_iden(),
            Projects::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(t).to_owned())
                .await?;
        }
        Ok(())
    }
}
