//! Case reopening 重新纳入监测: a household may have several cases over time, one after the other. A closed
//! case (风险消除 or 未纳入, `Lifecycle::is_closed`) stays as the record; a new risk opens the household's next
//! case.
//!
//! - `cases.seq`: the household's case sequence (1 for the first case; existing rows become 1);
//! - `cases.is_current`: true on the household's latest case only (lists and queues show that one);
//! - the unique key `(county_code, household_number)` becomes `(county_code, household_number, seq)`, and a
//!   partial unique index keeps one current case per household.
//!
//! SQLite cannot change a constraint in place, but the old key is a separate unique *index*
//! (`uq_cases_household`), so no table rebuild is needed: each column is added by its own `ALTER TABLE …
//! ADD COLUMN` (SQLite takes one change per statement, and a `NOT NULL` column needs a constant default),
//! then the index is dropped and the new ones created. Both backends take the same statements.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Cases {
    Table,
    CountyCode,
    HouseholdNumber,
    Seq,
    IsCurrent,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Cases::Table)
                    .add_column(
                        ColumnDef::new(Cases::Seq)
                            .big_integer()
                            .not_null()
                            .default(1),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Cases::Table)
                    .add_column(
                        ColumnDef::new(Cases::IsCurrent)
                            .boolean()
                            .not_null()
                            .default(true),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .drop_index(
                Index::drop()
                    .name("uq_cases_household")
                    .table(Cases::Table)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_cases_household_seq")
                    .table(Cases::Table)
                    .col(Cases::CountyCode)
                    .col(Cases::HouseholdNumber)
                    .col(Cases::Seq)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .get_connection()
            .execute_unprepared(
                "CREATE UNIQUE INDEX uq_cases_current ON cases (county_code, household_number) \
                 WHERE is_current",
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // Fails (on the old unique key) once a household has a second case: reopened cases are not thrown
        // away by a schema change.
        for name in ["uq_cases_current", "uq_cases_household_seq"] {
            manager
                .drop_index(Index::drop().name(name).table(Cases::Table).to_owned())
                .await?;
        }
        manager
            .create_index(
                Index::create()
                    .name("uq_cases_household")
                    .table(Cases::Table)
                    .col(Cases::CountyCode)
                    .col(Cases::HouseholdNumber)
                    .unique()
                    .to_owned(),
            )
            .await?;
        for col in [Cases::IsCurrent, Cases::Seq] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Cases::Table)
                        .drop_column(col)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
