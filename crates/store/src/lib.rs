//! # shouwang-store 守望存储层
//!
//! Persistence of Shouwang: SeaORM 2 over SQLite (default, bundled, WAL) or PostgreSQL (by URL), one
//! migration set ([`migration`]), entities ([`entity`]), and the repositories ([`repo`]) through which every
//! read (filtered by the user's area in SQL) and every write (audited in the same transaction, version-
//! checked) goes. Domain rules live in `shouwang-core`; this crate only stores and finds.
//!
//! With the `testing` feature, [`testing`] and the [`db_test!`] macro run a test on both databases.

// One module uses `unsafe` (`sqlite_direct`: rusqlite on the handle of a sqlx connection), with its own
// `allow` and a safety argument; nothing else may.
#![deny(unsafe_code)]
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

pub mod backup;
mod constants;
pub mod crypto;
pub mod db;
pub mod entity;
pub mod error;
pub mod ids;
pub mod migration;
pub mod repo;
mod secret;
mod sqlite_direct;
#[cfg(feature = "testing")]
pub mod testing;

pub use crypto::Keys;
pub use db::{Db, SQLITE_FILE, sqlite_url};
pub use error::{Result, StoreError};
pub use repo::households::{HouseholdDetail, HouseholdQuery, HouseholdRow};
pub use repo::{Actor, Page};
