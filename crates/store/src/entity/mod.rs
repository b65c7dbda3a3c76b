//! SeaORM entities, one module per table (see the migration for indexes and keys).
//!
//! Codes are stored as their code strings (`CodeList::code()`), multi-valued codes (risks, health) as
//! comma-separated codes, money as `i64` fen, ID numbers as the 18-character text plus a packed `i64` key,
//! instants as UTC.

pub mod audit_log;
pub mod county_monitoring_lines;
pub mod former_members;
pub mod households;
pub mod income_other_sources;
pub mod income_records;
pub mod member_initials;
pub mod members;
pub mod monitoring_lines;
pub mod province_line_policies;
pub mod regions;
pub mod sessions;
pub mod user_roles;
pub mod users;
