//! SM4 at rest, the sealed columns (issue 19): `members.id_number`, `households.head_id_number`,
//! `households.phone`, `former_members.id_number` and `former_members.member` hold SM4-GCM values
//! (`crypto::sealed`), so they can no longer be compared in SQL:
//!
//! - the unique key of a member moves from `(county_code, id_number)` to `(county_code, id_key)`, the ID
//!   number's blind index;
//! - `households.key_version` and `former_members.key_version` say which data key their sealed columns were
//!   written with, like `members.key_version`; `0` means "still plain".
//!
//! The rows already stored are marked plain (`key_version = 0`) here; [`crate::Db::migrate`] then seals them
//! in batches of one transaction each (`repo::keys::index_once`, resumable: a stop leaves some rows plain,
//! and the next `migrate` continues with them).

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The tables that get a `key_version` here (`members` has had one since migration 000015).
const TABLES: [&str; 2] = ["households", "former_members"];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in TABLES {
            manager
                .alter_table(
                    Table::alter()
                        .table(Alias::new(table))
                        .add_column(
                            ColumnDef::new(Alias::new("key_version"))
                                .integer()
                                .not_null()
                                .default(0),
                        )
                        .to_owned(),
                )
                .await?;
        }
        let db = manager.get_connection();
        // Every member stored so far still has a plain ID number (its blind index is right: kept).
        db.execute_unprepared("UPDATE members SET key_version = 0")
            .await?;
        db.execute_unprepared("DROP INDEX IF EXISTS uq_members_id_number")
            .await?;
        db.execute_unprepared(
            "CREATE UNIQUE INDEX uq_members_id_key ON members (county_code, id_key)",
        )
        .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        db.execute_unprepared("DROP INDEX IF EXISTS uq_members_id_key")
            .await?;
        db.execute_unprepared(
            "CREATE UNIQUE INDEX uq_members_id_number ON members (county_code, id_number)",
        )
        .await?;
        for table in TABLES {
            db.execute_unprepared(&format!("ALTER TABLE {table} DROP COLUMN key_version"))
                .await?;
        }
        Ok(())
    }
}
