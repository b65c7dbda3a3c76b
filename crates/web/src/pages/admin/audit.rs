//! 审计日志: the audit-log viewer for the county admin and the auditor, newest first, with filters
//! (entity, action, record key, user, date range in Beijing time). Rows come from `repo::audit::list`,
//! which filters by the viewer's area in SQL.
//!
//! ID numbers inside the logged values and record keys are masked on this page: the viewer shows who
//! changed what, not the people's numbers (a full number is shown only on the household page, on request,
//! and that request is itself logged).

use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::response::IntoResponse;
use axum::response::Response;
use axum::routing::get;
use serde::Deserialize;
use shouwang_store::repo;
use shouwang_store::repo::audit::AuditEntry;

use shouwang_app::audit::{self, AuditRequest};

use crate::AppState;
use crate::auth::CurrentUser;
use crate::http::error::AppError;
use crate::http::form::{encode, page_number};
use crate::http::i18n::{I18n, Lang};
use crate::http::render::render;

/// Rows per page.
pub const PER_PAGE: u32 = 50;

/// The routes of this module.
pub fn routes() -> Router<AppState> {
    Router::new().route("/admin/audit", get(list))
}

/// Entities that appear in the log, for the filter.
const ENTITIES: &[&str] = &[
    "household",
    "member",
    "income_record",
    "income_other_source",
    "case",
    "user",
    "session",
    "monitoring_line",
    "region",
];
/// Actions that appear in the log, for the filter.
const ACTIONS: &[&str] = &[
    "create",
    "update",
    "delete",
    "read_full_id",
    "read_full_phone",
    "login",
    "logout",
    "set_password",
    "purge_expired",
];

/// The label of an entity or action code (the code itself if unknown).
fn label(lang: Lang, code: &str) -> String {
    let key = format!("audit.{code}");
    match lang.t(&key) {
        "?" => code.to_string(),
        l => l.to_string(),
    }
}

fn value_text(v: &Option<serde_json::Value>) -> String {
    let Some(v) = v else {
        return String::new();
    };
    let mut s = v.to_string();
    if s.chars().count() > 300 {
        s = s.chars().take(300).collect::<String>() + "…";
    }
    s
}

pub struct EntryView {
    pub at: String,
    pub actor: String,
    pub action: String,
    pub entity: String,
    pub entity_id: String,
    pub village: String,
    pub before: String,
    pub after: String,
}

pub struct Choice {
    pub value: String,
    pub label: String,
}

#[derive(Template)]
#[template(path = "admin/audit.html")]
struct AuditPage<'a> {
    i18n: I18n,
    user: &'a CurrentUser,
    rows: Vec<EntryView>,
    entities: Vec<Choice>,
    actions: Vec<Choice>,
    actors: Vec<Choice>,
    q: AuditQuery,
    total: u64,
    page: u32,
    pages: u32,
    query_string: String,
    path: &'static str,
}

#[derive(Deserialize, Default, Clone)]
pub struct AuditQuery {
    #[serde(flatten)]
    pub req: AuditRequest,
    #[serde(default)]
    pub page: Option<String>,
}

impl AuditQuery {
    fn value(v: &Option<String>) -> &str {
        v.as_deref().unwrap_or("")
    }
    pub fn entity_v(&self) -> &str {
        Self::value(&self.req.entity)
    }
    pub fn action_v(&self) -> &str {
        Self::value(&self.req.action)
    }
    pub fn entity_id_v(&self) -> &str {
        Self::value(&self.req.entity_id)
    }
    pub fn actor_v(&self) -> &str {
        Self::value(&self.req.actor)
    }
    pub fn since_v(&self) -> &str {
        Self::value(&self.req.since)
    }
    pub fn until_v(&self) -> &str {
        Self::value(&self.req.until)
    }
}

/// GET /admin/audit
pub async fn list(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<AuditQuery>,
) -> Response {
    let lang = user.lang;
    let i18n = user.i18n();
    if !user.may_audit() {
        return AppError::forbidden().into_response();
    }
    let page = page_number(&q.page);
    let result = match audit::list(&state.db, &user.caller(), &q.req, page, PER_PAGE).await {
        Ok(r) => r,
        Err(e) => return AppError::from(e).into_response(),
    };
    let users = match repo::users::list(&state.db, &user.scope).await {
        Ok(u) => u,
        Err(e) => return AppError::from(e).into_response(),
    };
    let names = shouwang_app::regions::names(&state.db, user.scope.area_prefix())
        .await
        .unwrap_or_default();
    let rows = result
        .items
        .into_iter()
        .map(|e: AuditEntry| EntryView {
            at: (e.at + chrono::TimeDelta::hours(8))
                .format("%Y-%m-%d %H:%M:%S")
                .to_string(),
            actor: e.actor_name,
            action: label(lang, &e.action),
            entity: label(lang, &e.entity),
            entity_id: e.entity_id,
            village: e
                .village_code
                .as_deref()
                .map(|v| names.get(v).cloned().unwrap_or_else(|| v.to_string()))
                .unwrap_or_default(),
            before: value_text(&e.before),
            after: value_text(&e.after),
        })
        .collect();
    let choices = |codes: &[&str]| {
        codes
            .iter()
            .map(|c| Choice {
                value: c.to_string(),
                label: label(lang, c),
            })
            .collect::<Vec<_>>()
    };
    let actors = users
        .into_iter()
        .map(|u| Choice {
            value: u.id.to_string(),
            label: format!("{} ({})", u.display_name, u.username),
        })
        .collect();
    let query_string = [
        ("entity", q.entity_v()),
        ("action", q.action_v()),
        ("entity_id", q.entity_id_v()),
        ("actor", q.actor_v()),
        ("since", q.since_v()),
        ("until", q.until_v()),
    ]
    .iter()
    .filter(|(_, v)| !v.is_empty())
    .map(|(k, v)| format!("{k}={}&", encode(v)))
    .collect::<String>();
    let pages = result.total.div_ceil(u64::from(PER_PAGE)).max(1) as u32;
    render(&AuditPage {
        i18n,
        user: &user,
        rows,
        entities: choices(ENTITIES),
        actions: choices(ACTIONS),
        actors,
        q: q.clone(),
        total: result.total,
        page,
        pages,
        query_string,
        path: "/admin/audit",
    })
}
