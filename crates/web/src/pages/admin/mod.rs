//! 系统管理: users and their roles ([`users`]), the county rules ([`rules`]), the monitoring lines ([`lines`]), the
//! code lists ([`codes`]) and the audit log ([`audit`]).

pub mod audit;
pub mod codes;
pub mod lines;
pub mod rules;
pub mod users;

use axum::Router;
use axum::routing::{get, post};

use crate::AppState;

/// The routes of the admin pages.
pub fn routes() -> Router<AppState> {
    Router::new()
        .merge(users::routes())
        .merge(audit::routes())
        .merge(codes::routes())
        .route("/admin/rules", get(rules::show).post(rules::save))
        .route("/admin/rules/line", post(rules::save_line))
        .route("/admin/lines", get(lines::show))
        .route("/admin/lines/line", post(lines::save_line))
        .route("/admin/lines/policy", post(lines::save_policy))
}
