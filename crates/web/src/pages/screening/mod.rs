//! 筛查: the department-data upload ([`upload`], 部门数据上传) and the quarterly cadre screening of a
//! village ([`cadre`], 干部排查).

pub mod cadre;
pub mod upload;

use axum::Router;

use crate::AppState;

/// The routes of the screening pages.
pub fn routes() -> Router<AppState> {
    Router::new().merge(upload::routes()).merge(cadre::routes())
}
