//! Application tests: the use cases on SQLite and on PostgreSQL (`db_test!`).
//!
//! Run with `SHOUWANG_TEST_PG_URL=postgres://postgres@127.0.0.1:PORT/postgres` (scripts/test.sh sets it),
//! or `SHOUWANG_SKIP_PG=1` to run the SQLite half only.

mod assets;
mod attachments;
mod backup;
mod campaign;
mod dashboard;
mod grids;
mod household_changes;
mod imports;
mod income;
mod indicators;
mod labour;
mod low_income;
mod problems;
mod projects;
mod pv;
mod relocation;
mod rounds;
mod screening;
mod township;
mod welfare_posts;
mod workbook;
mod workshops;
