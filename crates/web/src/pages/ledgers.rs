//! 台账下载 (`GET /ledgers`): the lifecycle ledgers of the user's area as XLSX (issue 6 part 4): a form
//! (ledger, area, date range, per member) whose GET downloads the workbook from `/ledgers/download`
//! with a Chinese file name (RFC 5987 `filename*`). Full ID numbers only for roles that may see them;
//! every download is in the audit log (the store's [`repo::ledgers::export`]). Cadres and department
//! data providers have no ledgers (403).

use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use shouwang_core::CodeList;
use shouwang_core::ledger::LedgerKind;

use shouwang_app::ledgers::{self, LedgerRequest};

use crate::AppState;
use crate::auth::CurrentUser;
use crate::http::download::attachment;
use crate::http::error::AppError;
use crate::http::i18n::I18n;
use crate::http::render::render;
use crate::pages::regions::{RegionOption, region_options};

/// The routes of this module.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/ledgers", get(form))
        .route("/ledgers/download", get(download))
}

pub struct KindOption {
    pub code: &'static str,
    pub label: &'static str,
}

#[derive(Template)]
#[template(path = "ledgers.html")]
struct LedgersPage<'a> {
    i18n: I18n,
    user: &'a CurrentUser,
    kinds: Vec<KindOption>,
    regions: Vec<RegionOption>,
    full_ids: bool,
    path: &'static str,
}

fn allowed(user: &CurrentUser) -> Result<(), AppError> {
    if user.may_dashboard() {
        Ok(())
    } else {
        Err(AppError::forbidden())
    }
}

/// GET /ledgers
pub async fn form(State(state): State<AppState>, user: CurrentUser) -> Response {
    let r = async {
        allowed(&user)?;
        let i18n = user.i18n();
        let kinds = LedgerKind::all()
            .iter()
            .map(|k| KindOption {
                code: k.code(),
                label: i18n.label(k),
            })
            .collect();
        let regions = region_options(&state.db, user.scope.area_prefix()).await?;
        Ok::<_, AppError>(render(&LedgersPage {
            i18n,
            user: &user,
            kinds,
            regions,
            full_ids: user.scope.role.may_view_full_id(),
            path: "/ledgers",
        }))
    }
    .await;
    r.unwrap_or_else(|e| e.into_response())
}

/// GET /ledgers/download?kind=…&area=…&from=…&to=…&per_member=1
pub async fn download(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<LedgerRequest>,
) -> Response {
    let r = async {
        allowed(&user)?;
        let f = ledgers::export(&state.db, &user.caller(), &q).await?;
        Ok::<_, AppError>(attachment(
            &f.name,
            Some(&f.ascii_name),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            f.bytes,
        ))
    }
    .await;
    r.unwrap_or_else(|e| e.into_response())
}
