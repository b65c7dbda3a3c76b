//! The HTML pages, one module (or folder) per page; the URL names the folder. Each page module has its
//! askama templates under `templates/` at the same path (`pages/admin/rules.rs` →
//! `templates/admin/rules.html`); `base.html`, `nav.html` and `error.html` at the top are the layout.
//!
//! | URL | module |
//! | --- | --- |
//! | `/login`, `/logout`, `/lang` | [`login`] |
//! | `/` (工作台) | [`home`] |
//! | `/households`, `/households/{n}` | [`households`] |
//! | `/households/{n}/members/…`, `/households/{n}/head`, `/households/{n}/edit` (户情变更) | [`households::changes`] |
//! | `/clues…`, `/households/{n}/case/…`, `/households/{n}/notice` | [`cases`] (steps in [`cases::steps`]) |
//! | `/households/{n}/documents/…`, `/publicity/document`, `/exits/notices` | [`documents`] |
//! | `/publicity`, `/exits` | [`boards`] |
//! | `/screening/upload`, `/screening/cadre` | [`screening`] |
//! | `/imports/registry` | [`imports`] |
//! | `/jobs/{id}` | [`jobs`] |
//! | `/ledgers` | [`ledgers`] |
//! | `/low-income`, `/low-income/{n}` (低收入人口常态化帮扶) | [`low_income`] |
//! | `/grids`, `/grids/new`, `/grids/{id}` (网格化管理) | [`grids`] |
//! | `/indicators`, `/indicators/{village}` (村容村貌指标) | [`indicators`] |
//! | `/relocation`, `/relocation/{n}` (易地搬迁后续扶持) | [`relocation`] |
//! | `/campaign`, `/campaign/{n}` (三保障和饮水安全问题排查) | [`campaign`] |
//! | `/labour`, `/labour/{n}` (农村劳动力就业) | [`labour`] |
//! | `/projects`, `/projects/new`, `/projects/{id}` (项目库与衔接资金) | [`projects`] |
//! | `/assets`, `/assets/new`, `/assets/{id}` (扶贫项目资产、管护、处置) | [`asset_registry`] |
//! | `/assets/import` (清产核资导入) | [`asset_import`] |
//! | `/problems`, `/problems/new`, `/problems/{id}` (问题排查整改) | [`problems`] |
//! | `/workshops`, `/workshops/new`, `/workshops/{id}` (帮扶车间) | [`workshops`] |
//! | `/welfare-posts`, `/welfare-posts/new`, `/welfare-posts/{id}` (公益岗位) | [`welfare_posts`] |
//! | `/pv`, `/pv/stations/new`, `/pv/stations/{id}`, `/pv/distribute` (光伏扶贫收益分配) | [`pv`] |
//! | `/dashboard` | [`dashboard`] |
//! | `/quality…` | [`quality`] |
//! | `/admin/users`, `/admin/rules`, `/admin/codes`, `/admin/audit` | [`admin`] |
//! | `/account/password` | [`account`] |

pub mod account;
pub mod admin;
pub mod asset_import;
pub mod asset_registry;
pub mod boards;
pub mod campaign;
pub mod cases;
pub mod dashboard;
pub mod documents;
pub mod grids;
pub mod home;
pub mod households;
pub mod imports;
pub mod income;
pub mod indicators;
pub mod jobs;
pub mod labour;
pub mod ledgers;
pub mod login;
pub mod low_income;
pub mod problems;
pub mod projects;
pub mod pv;
pub mod quality;
pub mod regions;
pub mod relocation;
pub mod screening;
pub mod welfare_posts;
pub mod workshops;

use axum::Router;
use axum::routing::{get, post};

use crate::AppState;
use crate::http::assets;
use crate::http::error::AppError;

/// Every page route (and the assets).
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(home::home))
        .route("/login", get(login::login_form).post(login::login))
        .route("/logout", post(login::logout))
        .route("/lang", get(login::switch_lang))
        .route("/households", get(households::list))
        .route("/households/{number}", get(households::show))
        .route("/households/{number}/full-ids", post(households::reveal))
        .merge(households::changes::routes())
        .merge(admin::routes())
        .merge(account::routes())
        .merge(cases::routes())
        .merge(dashboard::routes())
        .merge(boards::routes())
        .merge(screening::routes())
        .merge(jobs::routes())
        .merge(imports::routes())
        .merge(ledgers::routes())
        .merge(documents::routes())
        .merge(quality::routes())
        .merge(income::routes())
        .merge(low_income::routes())
        .merge(grids::routes())
        .merge(indicators::routes())
        .merge(relocation::routes())
        .merge(campaign::routes())
        .merge(labour::routes())
        .merge(projects::routes())
        .merge(asset_registry::routes())
        .merge(asset_import::routes())
        .merge(problems::routes())
        .merge(workshops::routes())
        .merge(welfare_posts::routes())
        .merge(pv::routes())
        .route("/assets/style.css", get(assets::style_css))
        .route("/healthz", get(assets::healthz))
}

/// Any other path: the 404 page.
pub async fn not_found() -> AppError {
    AppError::not_found()
}
