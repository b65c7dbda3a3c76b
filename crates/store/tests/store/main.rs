//! Store tests: every repository function on SQLite and on PostgreSQL (`db_test!`).
//!
//! Run with `SHOUWANG_TEST_PG_URL=postgres://postgres@127.0.0.1:PORT/postgres` (scripts/test.sh sets it),
//! or `SHOUWANG_SKIP_PG=1` to run the SQLite half only.

mod audit;
mod cases;
mod db;
mod departures;
mod duplicates;
mod households;
mod income;
mod keys;
mod lines_regions;
mod pg_tls;
mod quality;
mod registry;
mod registry_incomes;
mod search;

mod users_sessions;
