//! The registry filter by risk type (风险类型) reads only the households that have a risk: a partial index
//! over `households (county_code, number) WHERE risks <> ''`. Most households of a county have none, so
//! the filter no longer scans the whole county (`repo::registry::search` repeats the literal condition so
//! both SQLite and PostgreSQL can use the index).

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared(
                "CREATE INDEX idx_households_risks ON households (county_code, number) WHERE risks <> ''",
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared("DROP INDEX idx_households_risks")
            .await?;
        Ok(())
    }
}
