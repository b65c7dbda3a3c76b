//! The column shapes the migrations share (from migration 000027 on; the earlier ones keep their own
//! copies, frozen as applied).

use sea_orm::DbBackend;
use sea_orm_migration::prelude::*;

/// A text column, not null; `COLLATE "C"` on PostgreSQL (byte order, like SQLite).
pub fn code(backend: DbBackend, col: impl IntoIden) -> ColumnDef {
    let mut def = ColumnDef::new(col);
    def.text().not_null();
    if backend == DbBackend::Postgres {
        def.extra("COLLATE \"C\"");
    }
    def
}

/// A 64-bit integer, not null.
pub fn big(col: impl IntoIden) -> ColumnDef {
    let mut def = ColumnDef::new(col);
    def.big_integer().not_null();
    def
}

/// A UTC timestamp, not null.
pub fn at(col: impl IntoIden) -> ColumnDef {
    let mut def = ColumnDef::new(col);
    def.timestamp_with_time_zone().not_null();
    def
}

/// A text column, not null (no collation: free text).
pub fn text(col: impl IntoIden) -> ColumnDef {
    let mut def = ColumnDef::new(col);
    def.text().not_null();
    def
}
