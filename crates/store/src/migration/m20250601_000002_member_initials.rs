//! `member_initials`: the first character of every member's name, once per household, for fast search by
//! surname (姓氏检索).
//!
//! A one-character name search (`王`) matches a large part of a county (in the 100,000-household demo
//! county 25,763 members in 16,472 households). Served from `members(county_code, name, …)` it needs a
//! lookup and a sort of every matching household before the first page can be returned (≈ 200 ms on
//! SQLite). This table holds one row per (county, initial, household) with the household's number,
//! village and type, keyed `(county_code, initial, number)` (SQLite `WITHOUT ROWID`: the key is the table,
//! so every column is read from it): a page is a short walk of the key in 户编号 order, the total an index
//! count, and the area and type filters are evaluated inside the key.
//!
//! The table is kept by triggers on `members` and `households`, so every writer (the repositories, bulk
//! loads that insert rows directly, a manual fix in SQL) keeps it right. Longer name prefixes are selective
//! and keep using `members(county_code, name, …)`.

use sea_orm::DbBackend;
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum MemberInitials {
    Table,
    CountyCode,
    Initial,
    Number,
    VillageCode,
    HouseholdType,
    IsMonitored,
    HouseholdId,
}

#[derive(DeriveIden)]
enum Households {
    Table,
    CountyCode,
    Id,
    MonitoredType,
    Number,
}

fn code(backend: DbBackend, col: impl IntoIden) -> ColumnDef {
    let mut def = ColumnDef::new(col);
    def.text().not_null();
    if backend == DbBackend::Postgres {
        def.extra("COLLATE \"C\"");
    }
    def
}

/// Fills the table from the members already stored.
const BACKFILL: &str = "INSERT INTO member_initials \
     (county_code, initial, number, village_code, household_type, is_monitored, household_id) \
     SELECT DISTINCT h.county_code, SUBSTR(m.name, 1, 1), h.number, h.village_code, h.household_type,
            (h.household_type = 'monitored' OR h.monitored_type IS NOT NULL), h.id \
     FROM members m JOIN households h ON h.county_code = m.county_code AND h.id = m.household_id";

const SQLITE_TRIGGERS: &[&str] = &[
    "CREATE TRIGGER trg_member_initials_ins AFTER INSERT ON members BEGIN
        INSERT OR IGNORE INTO member_initials
            (county_code, initial, number, village_code, household_type, is_monitored, household_id)
        SELECT h.county_code, SUBSTR(NEW.name, 1, 1), h.number, h.village_code, h.household_type,
            (h.household_type = 'monitored' OR h.monitored_type IS NOT NULL), h.id
        FROM households h WHERE h.county_code = NEW.county_code AND h.id = NEW.household_id;
    END",
    "CREATE TRIGGER trg_member_initials_del AFTER DELETE ON members BEGIN
        DELETE FROM member_initials
        WHERE county_code = OLD.county_code AND household_id = OLD.household_id
          AND initial = SUBSTR(OLD.name, 1, 1)
          AND NOT EXISTS (SELECT 1 FROM members m
                          WHERE m.county_code = OLD.county_code AND m.household_id = OLD.household_id
                            AND SUBSTR(m.name, 1, 1) = SUBSTR(OLD.name, 1, 1));
    END",
    "CREATE TRIGGER trg_member_initials_upd AFTER UPDATE OF name, household_id ON members BEGIN
        DELETE FROM member_initials
        WHERE county_code = OLD.county_code AND household_id = OLD.household_id
          AND initial = SUBSTR(OLD.name, 1, 1)
          AND NOT EXISTS (SELECT 1 FROM members m
                          WHERE m.county_code = OLD.county_code AND m.household_id = OLD.household_id
                            AND SUBSTR(m.name, 1, 1) = SUBSTR(OLD.name, 1, 1));
        INSERT OR IGNORE INTO member_initials
            (county_code, initial, number, village_code, household_type, is_monitored, household_id)
        SELECT h.county_code, SUBSTR(NEW.name, 1, 1), h.number, h.village_code, h.household_type,
            (h.household_type = 'monitored' OR h.monitored_type IS NOT NULL), h.id
        FROM households h WHERE h.county_code = NEW.county_code AND h.id = NEW.household_id;
    END",
    "CREATE TRIGGER trg_member_initials_household AFTER UPDATE OF number, village_code, household_type, monitored_type
     ON households BEGIN
        UPDATE member_initials
        SET number = NEW.number, village_code = NEW.village_code, household_type = NEW.household_type,
            is_monitored = (NEW.household_type = 'monitored' OR NEW.monitored_type IS NOT NULL)
        WHERE county_code = NEW.county_code AND household_id = NEW.id;
    END",
];

const POSTGRES_TRIGGERS: &[&str] = &[
    "CREATE FUNCTION sw_member_initials() RETURNS trigger LANGUAGE plpgsql AS $$
     BEGIN
        IF TG_OP IN ('UPDATE', 'DELETE') THEN
            DELETE FROM member_initials k
            WHERE k.county_code = OLD.county_code AND k.household_id = OLD.household_id
              AND k.initial = SUBSTR(OLD.name, 1, 1)
              AND NOT EXISTS (SELECT 1 FROM members m
                              WHERE m.county_code = OLD.county_code AND m.household_id = OLD.household_id
                                AND SUBSTR(m.name, 1, 1) = SUBSTR(OLD.name, 1, 1));
        END IF;
        IF TG_OP IN ('INSERT', 'UPDATE') THEN
            INSERT INTO member_initials
                (county_code, initial, number, village_code, household_type, is_monitored, household_id)
            SELECT h.county_code, SUBSTR(NEW.name, 1, 1), h.number, h.village_code, h.household_type,
            (h.household_type = 'monitored' OR h.monitored_type IS NOT NULL), h.id
            FROM households h WHERE h.county_code = NEW.county_code AND h.id = NEW.household_id
            ON CONFLICT DO NOTHING;
        END IF;
        RETURN NULL;
     END $$",
    "CREATE TRIGGER trg_member_initials AFTER INSERT OR DELETE OR UPDATE OF name, household_id ON members
     FOR EACH ROW EXECUTE FUNCTION sw_member_initials()",
    "CREATE FUNCTION sw_member_initials_household() RETURNS trigger LANGUAGE plpgsql AS $$
     BEGIN
        UPDATE member_initials
        SET number = NEW.number, village_code = NEW.village_code, household_type = NEW.household_type,
            is_monitored = (NEW.household_type = 'monitored' OR NEW.monitored_type IS NOT NULL)
        WHERE county_code = NEW.county_code AND household_id = NEW.id;
        RETURN NULL;
     END $$",
    "CREATE TRIGGER trg_member_initials_household
     AFTER UPDATE OF number, village_code, household_type, monitored_type ON households
     FOR EACH ROW EXECUTE FUNCTION sw_member_initials_household()",
];

/// The `member_initials` table keyed `(county_code, {key}, number)` by the column `key` (the name's first
/// character here, the surname's blind index since migration 000020).
pub(super) fn initials_table(b: DbBackend, key: ColumnDef, key_name: &str) -> TableCreateStatement {
    let mut table = Table::create();
    table
        .table(MemberInitials::Table)
        .col(code(b, MemberInitials::CountyCode))
        .col(key)
        .col(code(b, MemberInitials::Number))
        .col(code(b, MemberInitials::VillageCode))
        .col(code(b, MemberInitials::HouseholdType))
        .col(
            ColumnDef::new(MemberInitials::IsMonitored)
                .boolean()
                .not_null(),
        )
        .col(
            ColumnDef::new(MemberInitials::HouseholdId)
                .big_integer()
                .not_null(),
        )
        .primary_key(
            Index::create()
                .col(MemberInitials::CountyCode)
                .col(Alias::new(key_name))
                .col(MemberInitials::Number),
        )
        .foreign_key(
            ForeignKey::create()
                .name("fk_member_initials_household")
                .from_tbl(MemberInitials::Table)
                .from_col(MemberInitials::CountyCode)
                .from_col(MemberInitials::HouseholdId)
                .to_tbl(Households::Table)
                .to_col(Households::CountyCode)
                .to_col(Households::Id)
                .on_delete(ForeignKeyAction::Cascade),
        );
    if b == DbBackend::Sqlite {
        table.extra("WITHOUT ROWID");
    }
    table
}

/// Creates `member_initials` keyed by the first character of the names, fills it and creates its
/// triggers (also the down migration of `m20261208_000020_sealed_names`, on plain names).
pub(super) async fn create_initials(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    let b = manager.get_database_backend();
    let table = initials_table(b, code(b, MemberInitials::Initial), "initial");
    manager.create_table(table).await?;
    manager
        .create_index(
            Index::create()
                .name("idx_member_initials_household")
                .table(MemberInitials::Table)
                .col(MemberInitials::CountyCode)
                .col(MemberInitials::HouseholdId)
                .to_owned(),
        )
        .await?;
    let conn = manager.get_connection();
    conn.execute_unprepared(BACKFILL).await?;
    let triggers = match b {
        DbBackend::Postgres => POSTGRES_TRIGGERS,
        _ => SQLITE_TRIGGERS,
    };
    for sql in triggers {
        conn.execute_unprepared(sql).await?;
    }
    Ok(())
}

/// Drops `member_initials` with its triggers (also the up migration of `m20261208_000020_sealed_names`).
pub(super) async fn drop_initials(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    let conn = manager.get_connection();
    let drops: &[&str] = match manager.get_database_backend() {
        DbBackend::Postgres => &[
            "DROP TRIGGER IF EXISTS trg_member_initials ON members",
            "DROP TRIGGER IF EXISTS trg_member_initials_household ON households",
            "DROP FUNCTION IF EXISTS sw_member_initials()",
            "DROP FUNCTION IF EXISTS sw_member_initials_household()",
        ],
        _ => &[
            "DROP TRIGGER IF EXISTS trg_member_initials_ins",
            "DROP TRIGGER IF EXISTS trg_member_initials_del",
            "DROP TRIGGER IF EXISTS trg_member_initials_upd",
            "DROP TRIGGER IF EXISTS trg_member_initials_household",
        ],
    };
    for sql in drops {
        conn.execute_unprepared(sql).await?;
    }
    conn.execute_unprepared("DROP TABLE IF EXISTS member_initials")
        .await?;
    Ok(())
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // 监测户 lists: households with a monitored type (the type column may still say 脱贫户 / 一般农户).
        manager
            .create_index(
                Index::create()
                    .name("idx_households_monitored")
                    .table(Households::Table)
                    .col(Households::CountyCode)
                    .col(Households::MonitoredType)
                    .col(Households::Number)
                    .to_owned(),
            )
            .await?;
        create_initials(manager).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_initials(manager).await?;
        manager
            .drop_index(
                Index::drop()
                    .name("idx_households_monitored")
                    .table(Households::Table)
                    .to_owned(),
            )
            .await
    }
}
