//! SM4 at rest, the names (issue 19): `members.name`, `households.head_name` and `former_members.name` are
//! sealed like the ID numbers (migration 000019, `crypto::sealed`), so they can no longer be compared in
//! SQL:
//!
//! - `members.name_key` and `members.surname_key`: the blind indexes of the whole (normalised) name and of
//!   its surname (姓氏, `shouwang_core::surname`), under the key of the row's `key_version`, each indexed
//!   with the area and the household (`idx_members_name_key`, `idx_members_surname_key`) in place of the
//!   index on the name itself (`idx_members_name`);
//! - `member_initials` (姓氏检索) is keyed by `surname_key` instead of the name's first character, its
//!   triggers computing nothing from the name;
//! - `names_plain` on the three tables: the row's names are still plain. Every row stored so far is
//!   marked so here; [`crate::Db::migrate`] then seals them in batches (`repo::keys`, resumable), and the
//!   keys it writes fill `member_initials` through the triggers.

use sea_orm::DbBackend;
use sea_orm_migration::prelude::*;

use super::m20250601_000002_member_initials::{create_initials, drop_initials, initials_table};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The tables with a name column, which get `names_plain`.
const TABLES: [&str; 3] = ["members", "households", "former_members"];

const INDEXES: &[&str] = &[
    "CREATE INDEX idx_members_name_key ON members (county_code, name_key, village_code, household_id)",
    "CREATE INDEX idx_members_surname_key ON members (county_code, surname_key, village_code, household_id)",
];

/// The rows of `member_initials` of the member `{R}` (NEW or OLD), as the triggers insert them.
const INSERT_NEW: &str = "INSERT INTO member_initials
        (county_code, surname_key, number, village_code, household_type, is_monitored, household_id)
    SELECT h.county_code, NEW.surname_key, h.number, h.village_code, h.household_type,
        (h.household_type = 'monitored' OR h.monitored_type IS NOT NULL), h.id
    FROM households h
    WHERE NEW.surname_key IS NOT NULL AND h.county_code = NEW.county_code AND h.id = NEW.household_id";
const DELETE_OLD: &str = "DELETE FROM member_initials
    WHERE county_code = OLD.county_code AND household_id = OLD.household_id
      AND surname_key = OLD.surname_key
      AND NOT EXISTS (SELECT 1 FROM members m
                      WHERE m.county_code = OLD.county_code AND m.household_id = OLD.household_id
                        AND m.surname_key = OLD.surname_key)";
const UPDATE_HOUSEHOLD: &str = "UPDATE member_initials
    SET number = NEW.number, village_code = NEW.village_code, household_type = NEW.household_type,
        is_monitored = (NEW.household_type = 'monitored' OR NEW.monitored_type IS NOT NULL)
    WHERE county_code = NEW.county_code AND household_id = NEW.id";

fn sqlite_triggers() -> Vec<String> {
    let insert = INSERT_NEW.replacen("INSERT INTO", "INSERT OR IGNORE INTO", 1);
    vec![
        format!(
            "CREATE TRIGGER trg_member_initials_ins AFTER INSERT ON members BEGIN {insert}; END"
        ),
        format!(
            "CREATE TRIGGER trg_member_initials_del AFTER DELETE ON members BEGIN {DELETE_OLD}; END"
        ),
        format!(
            "CREATE TRIGGER trg_member_initials_upd AFTER UPDATE OF surname_key, household_id ON members \
             BEGIN {DELETE_OLD}; {insert}; END"
        ),
        format!(
            "CREATE TRIGGER trg_member_initials_household \
             AFTER UPDATE OF number, village_code, household_type, monitored_type ON households \
             BEGIN {UPDATE_HOUSEHOLD}; END"
        ),
    ]
}

fn postgres_triggers() -> Vec<String> {
    vec![
        format!(
            "CREATE FUNCTION sw_member_initials() RETURNS trigger LANGUAGE plpgsql AS $$
             BEGIN
                IF TG_OP IN ('UPDATE', 'DELETE') THEN {DELETE_OLD}; END IF;
                IF TG_OP IN ('INSERT', 'UPDATE') THEN {INSERT_NEW} ON CONFLICT DO NOTHING; END IF;
                RETURN NULL;
             END $$"
        ),
        "CREATE TRIGGER trg_member_initials AFTER INSERT OR DELETE OR UPDATE OF surname_key, household_id \
         ON members FOR EACH ROW EXECUTE FUNCTION sw_member_initials()"
            .to_owned(),
        format!(
            "CREATE FUNCTION sw_member_initials_household() RETURNS trigger LANGUAGE plpgsql AS $$
             BEGIN {UPDATE_HOUSEHOLD}; RETURN NULL; END $$"
        ),
        "CREATE TRIGGER trg_member_initials_household \
         AFTER UPDATE OF number, village_code, household_type, monitored_type ON households \
         FOR EACH ROW EXECUTE FUNCTION sw_member_initials_household()"
            .to_owned(),
    ]
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let b = manager.get_database_backend();
        let db = manager.get_connection();
        for table in TABLES {
            db.execute_unprepared(&format!(
                "ALTER TABLE {table} ADD COLUMN names_plain BOOLEAN NOT NULL DEFAULT FALSE"
            ))
            .await?;
            db.execute_unprepared(&format!("UPDATE {table} SET names_plain = TRUE"))
                .await?;
        }
        for col in ["name_key", "surname_key"] {
            db.execute_unprepared(&format!("ALTER TABLE members ADD COLUMN {col} BIGINT"))
                .await?;
        }
        db.execute_unprepared("DROP INDEX IF EXISTS idx_members_name")
            .await?;
        for sql in INDEXES {
            db.execute_unprepared(sql).await?;
        }

        drop_initials(manager).await?;
        let key = ColumnDef::new(Alias::new("surname_key"))
            .big_integer()
            .not_null()
            .to_owned();
        let table = initials_table(b, key, "surname_key");
        manager.create_table(table).await?;
        db.execute_unprepared(
            "CREATE INDEX idx_member_initials_household ON member_initials (county_code, household_id)",
        )
        .await?;
        let triggers = match b {
            DbBackend::Postgres => postgres_triggers(),
            _ => sqlite_triggers(),
        };
        for sql in triggers {
            db.execute_unprepared(&sql).await?;
        }
        Ok(())
    }

    /// Back to names compared in SQL. Names sealed since cannot be opened here (no key in a migration):
    /// the 姓氏 table is filled from them as stored.
    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        drop_initials(manager).await?;
        for idx in ["idx_members_name_key", "idx_members_surname_key"] {
            db.execute_unprepared(&format!("DROP INDEX IF EXISTS {idx}"))
                .await?;
        }
        for col in ["name_key", "surname_key"] {
            db.execute_unprepared(&format!("ALTER TABLE members DROP COLUMN {col}"))
                .await?;
        }
        for table in TABLES {
            db.execute_unprepared(&format!("ALTER TABLE {table} DROP COLUMN names_plain"))
                .await?;
        }
        db.execute_unprepared(
            "CREATE INDEX idx_members_name ON members (county_code, name, village_code, household_id)",
        )
        .await?;
        create_initials(manager).await
    }
}
