//! Repositories (数据访问): every read takes a [`Scope`](shouwang_core::Scope) and filters by area in SQL
//! (what an area means, and the conditions it gives, is said once, in `area.rs`); every write takes an
//! [`Actor`], appends its audit row in the same transaction, and (for updates) checks a version.

use sea_orm::sea_query::{Expr, ExprTrait, IntoColumnRef, SimpleExpr};
use sea_orm::{ConnectionTrait, DbBackend, Statement, Value};
use serde::Serialize;

use crate::error::{Result, StoreError};

mod area;
pub mod assets;
pub mod audit;
pub mod bulk;
pub mod campaign_plans;
pub mod cases;
pub mod codes;
pub mod documents;
pub mod duplicates;
pub mod grids;
pub mod households;
pub mod income;
pub mod indicators;
pub mod keys;
pub mod ledgers;
pub mod lines;
pub mod problems;
pub mod projects;
pub mod pv;
pub mod quality;
pub mod regions;
pub mod register_records;
pub mod registry;
pub mod registry_file;
pub mod rules;
pub mod screening_export;
pub mod screening_rounds;
pub mod sessions;
pub mod users;
pub mod welfare_posts;
pub mod workshops;

/// Who makes a change (操作人), written into the audit log.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Actor {
    /// The user's id; 0 for the system.
    pub user_id: i64,
    /// The user's display name at the time of the change.
    pub name: String,
}

impl Actor {
    /// The system actor (系统): demo loads, migrations, seeding.
    pub fn system() -> Actor {
        Actor {
            user_id: 0,
            name: "system".to_owned(),
        }
    }

    /// An actor from a user id and name.
    pub fn new(user_id: i64, name: impl Into<String>) -> Actor {
        Actor {
            user_id,
            name: name.into(),
        }
    }
}

/// One page of a list (分页结果).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Page<T> {
    /// The rows of this page.
    pub items: Vec<T>,
    /// Rows over all pages.
    pub total: u64,
    /// 1-based page number (after normalisation: at least 1).
    pub page: u32,
    /// Rows per page (after normalisation: 1..=[`MAX_PER_PAGE`]).
    pub per_page: u32,
}

impl<T> Page<T> {
    /// Number of pages (at least 1).
    pub fn pages(&self) -> u64 {
        Ord::max(
            self.total.div_ceil(u64::from(Ord::max(self.per_page, 1))),
            1,
        )
    }

    /// Maps the items, keeping the paging numbers.
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page {
            items: self.items.into_iter().map(f).collect(),
            total: self.total,
            page: self.page,
            per_page: self.per_page,
        }
    }
}

/// Runs the `INSERT` of a versioned row's first save (a county's rules, a code setting). A unique-key
/// conflict means a concurrent first save (PostgreSQL; SQLite write transactions are serial) took the key
/// first: the caller's `expected` version is then stale, as if it had been read before that save.
/// `zh` and `en` name the row, as for [`StoreError::from_write`].
pub(crate) async fn insert_first_save(
    tx: &sea_orm::DatabaseTransaction,
    insert: sea_orm::Statement,
    (zh, en): (&str, &str),
    expected: i64,
    found: i64,
) -> Result<()> {
    use sea_orm::ConnectionTrait;
    tx.execute_raw(insert)
        .await
        .map_err(|e| match StoreError::from_write(e, zh, en) {
            StoreError::Conflict { .. } => StoreError::StaleVersion { expected, found },
            other => other,
        })?;
    Ok(())
}

/// Largest page size a list answers.
pub const MAX_PER_PAGE: u32 = 500;
/// Page size used when 0 is asked for.
pub const DEFAULT_PER_PAGE: u32 = 20;

/// Normalised `(page, per_page, offset)`: page 0 counts as 1, per_page 0 as [`DEFAULT_PER_PAGE`], at most
/// [`MAX_PER_PAGE`].
pub(crate) fn paging(page: u32, per_page: u32) -> (u32, u32, u64) {
    let page = Ord::max(page, 1);
    let per_page = match per_page {
        0 => DEFAULT_PER_PAGE,
        n => Ord::min(n, MAX_PER_PAGE),
    };
    let offset = u64::from(page - 1) * u64::from(per_page);
    (page, per_page, offset)
}

/// Upper bound for a prefix range predicate: every string starting with `prefix` is `>= prefix` and
/// `< prefix + U+10FFFF` in byte order (SQLite `BINARY`, PostgreSQL `COLLATE "C"`), which an index can serve
/// (unlike `LIKE` on SQLite).
pub(crate) fn prefix_upper(prefix: &str) -> String {
    let mut s = String::with_capacity(prefix.len() + 4);
    s.push_str(prefix);
    s.push(char::MAX);
    s
}

/// `col >= prefix AND col < prefix || U+10FFFF`.
pub(crate) fn prefix_condition(col: impl IntoColumnRef + Clone, prefix: &str) -> SimpleExpr {
    Expr::col(col.clone())
        .gte(prefix)
        .and(Expr::col(col).lt(prefix_upper(prefix)))
}

/// A raw SQL statement with positional parameters written as `?`, turned into `$1, $2, …` for PostgreSQL.
pub(crate) struct Sql {
    text: String,
    values: Vec<Value>,
}

impl Sql {
    pub(crate) fn new() -> Sql {
        Sql {
            text: String::new(),
            values: Vec::new(),
        }
    }

    /// Appends SQL text (no parameters).
    pub(crate) fn push(&mut self, s: &str) -> &mut Sql {
        self.text.push_str(s);
        self
    }

    /// Appends a parameter placeholder bound to `v`.
    pub(crate) fn bind(&mut self, v: impl Into<Value>) -> &mut Sql {
        self.values.push(v.into());
        self.text.push('\u{1}');
        self
    }

    /// Appends another statement fragment with its parameters.
    pub(crate) fn append(&mut self, other: &Sql) -> &mut Sql {
        self.text.push_str(&other.text);
        self.values.extend(other.values.iter().cloned());
        self
    }

    pub(crate) fn build(&self, backend: DbBackend) -> Statement {
        let mut out = String::with_capacity(self.text.len() + 16);
        let mut n = 0;
        for ch in self.text.chars() {
            if ch == '\u{1}' {
                n += 1;
                match backend {
                    DbBackend::Postgres => {
                        out.push('$');
                        out.push_str(&n.to_string());
                    }
                    _ => out.push('?'),
                }
            } else {
                out.push(ch);
            }
        }
        Statement::from_sql_and_values(backend, out, self.values.clone())
    }
}

/// The JSON of a value for the audit log.
pub(crate) fn to_json<T: Serialize>(v: &T) -> Result<serde_json::Value> {
    serde_json::to_value(v).map_err(|e| StoreError::internal(format!("cannot serialise: {e}")))
}

/// Count rows of a raw `SELECT COUNT(*) AS n …`.
pub(crate) async fn count(conn: &impl ConnectionTrait, stmt: Statement) -> Result<u64> {
    let row = conn.query_one_raw(stmt).await?;
    let n: i64 = match row {
        Some(r) => r.try_get("", "n")?,
        None => 0,
    };
    Ok(u64::try_from(n).unwrap_or(0))
}

/// The code list value of the text column `col` of a row; a code the list does not know is corrupt data.
pub(crate) fn parse_code<T: shouwang_core::CodeList>(
    r: &sea_orm::QueryResult,
    col: &str,
) -> Result<T> {
    let s: String = r.try_get("", col)?;
    T::from_code(&s).ok_or_else(|| StoreError::corrupt(format!("{col} {s:?}")))
}
