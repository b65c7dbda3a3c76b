//! 代码表 (`/admin/codes`, issue 5): every code list of [`shouwang_core::codes`] — the lists of the
//! national monitoring system (全国防返贫监测信息系统), docs/domain.md "Code lists" — with the county's local
//! display 本县代码显示设置 ([`shouwang_core::codes::CodeOverrides`]).
//!
//! The national codes never change (exports go back to the national system). What the county admin
//! 县级管理员 of the county edits, one code at a time (`GET/POST /admin/codes/{list}/{code}`), is the
//! local label 本县显示名称 (Chinese, optionally English) that the county's form choices show, and the
//! 停用 flag that drops a code from the choices of new entries (a form keeps the value a record already
//! has). Every signed-in user sees the tables read-only; a POST by anyone but the county admin of the
//! county is a 403 page. Saving goes through `repo::codes::set` (validated by the core, versioned,
//! audited) with the version the form was rendered from; invalid input re-shows the form with the
//! reason (422), a stale version too (409); a save redirects to the table with a confirmation.

use askama::Template;
use axum::Router;
use axum::extract::{Form, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use serde::Deserialize;
use shouwang_core::Role;
use shouwang_core::codes::{
    CodeListInfo, CodeOverride, CodeOverrides, LABEL_MAX_CHARS, find_list, locked_reason,
    national_lists,
};
use shouwang_store::StoreError;
use shouwang_store::repo;

use crate::AppState;
use crate::auth::{CurrentUser, check_csrf};
use crate::http::error::AppError;
use crate::http::i18n::I18n;
use crate::http::render::render;

/// The routes of this module.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin/codes", get(show))
        .route("/admin/codes/{list}/{code}", get(edit).post(save))
}

/// The user's county (first 6 digits of the area), if the area is in one county.
pub fn county_of(user: &CurrentUser) -> Option<String> {
    user.scope
        .area_prefix()
        .get(..6)
        .filter(|c| c.bytes().all(|b| b.is_ascii_digit()))
        .map(str::to_owned)
}

/// Whether the user may edit the county's code display: the county admin of the county.
pub fn may_edit(user: &CurrentUser) -> bool {
    user.scope.role == Role::CountyAdmin && user.scope.area_prefix().len() == 6
}

/// The local display of the user's county (labels and 停用 of its form choices); no settings for a user
/// above county level.
pub async fn county_codes(state: &AppState, user: &CurrentUser) -> Result<CodeOverrides, AppError> {
    match county_of(user) {
        Some(c) => Ok(repo::codes::overrides(&state.db, &c).await?),
        None => Ok(CodeOverrides::new()),
    }
}

/// One row of a code list as shown.
pub struct RowView {
    pub code: &'static str,
    pub national_zh: &'static str,
    pub national_en: &'static str,
    /// The county's Chinese label where it differs from the national one.
    pub local_zh: Option<String>,
    /// The county's English label, if set.
    pub local_en: Option<String>,
    pub disabled: bool,
}

/// One code list as shown.
pub struct ListView {
    /// List key (`risk_type`).
    pub key: &'static str,
    /// Anchor id (`risk-type`).
    pub anchor: String,
    pub name_zh: &'static str,
    pub name_en: &'static str,
    pub rows: Vec<RowView>,
}

fn anchor(l: &CodeListInfo) -> String {
    l.name_en.replace(' ', "-").to_lowercase()
}

/// Every national code list with the county's settings, in the order of docs/domain.md.
pub fn all_lists(codes: &CodeOverrides) -> Vec<ListView> {
    national_lists()
        .iter()
        .map(|l| ListView {
            key: l.key,
            anchor: anchor(l),
            name_zh: l.name_zh,
            name_en: l.name_en,
            rows: l
                .entries()
                .into_iter()
                .map(|e| {
                    let o = codes.get(l.key, e.code);
                    RowView {
                        code: e.code,
                        national_zh: e.label_zh,
                        national_en: e.label_en,
                        local_zh: o.map(|o| o.label_zh.clone()).filter(|s| s != e.label_zh),
                        local_en: o.and_then(|o| o.label_en.clone()),
                        disabled: o.is_some_and(|o| o.disabled),
                    }
                })
                .collect(),
        })
        .collect()
}

#[derive(Template)]
#[template(path = "admin/codes.html")]
struct CodesPage<'a> {
    i18n: I18n,
    user: &'a CurrentUser,
    path: &'static str,
    lists: Vec<ListView>,
    editable: bool,
    saved: Option<String>,
}

#[derive(Deserialize, Default)]
pub struct ShowQuery {
    #[serde(default)]
    saved: Option<String>,
}

/// GET /admin/codes
pub async fn show(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<ShowQuery>,
) -> Response {
    let codes = match county_codes(&state, &user).await {
        Ok(c) => c,
        Err(e) => return e.into_response(),
    };
    // `saved=list:code`: the confirmation names the code and its label now.
    let saved = q.saved.as_deref().and_then(|s| {
        let (list, code) = s.split_once(':')?;
        let l = find_list(list)?;
        let e = l.entry(code)?;
        let o = codes.get(list, code);
        let label = o.map_or(e.label_zh, |o| o.label_zh.as_str());
        let state = if o.is_some_and(|o| o.disabled) {
            user.lang.pick("已停用", "disabled")
        } else {
            user.lang.pick("启用", "enabled")
        };
        Some(
            user.lang
                .pick(
                    &format!(
                        "已保存：{}“{}”（代码 {}）本县显示名称为“{}”，{}。",
                        l.name_zh, e.label_zh, e.code, label, state
                    ),
                    &format!(
                        "Saved: {} “{}” (code {}) now shows as “{}”, {}.",
                        l.name_en, e.label_en, e.code, label, state
                    ),
                )
                .to_owned(),
        )
    });
    let page = CodesPage {
        i18n: user.i18n(),
        user: &user,
        path: "/admin/codes",
        lists: all_lists(&codes),
        editable: may_edit(&user),
        saved,
    };
    render(&page)
}

#[derive(Template)]
#[template(path = "admin/code_edit.html")]
struct EditPage<'a> {
    i18n: I18n,
    user: &'a CurrentUser,
    path: &'static str,
    list_key: &'static str,
    list_zh: &'static str,
    list_en: &'static str,
    anchor: String,
    code: &'static str,
    national_zh: &'static str,
    national_en: &'static str,
    label_zh: String,
    label_en: String,
    disabled: bool,
    locked: Option<&'static str>,
    version: i64,
    max: usize,
    error: Option<String>,
}

/// The list and entry of a path, or 404.
fn entry_of(
    list: &str,
    code: &str,
) -> Result<(&'static CodeListInfo, shouwang_core::codes::CodeEntry), AppError> {
    let l = find_list(list).ok_or(AppError::not_found())?;
    let e = l.entry(code).ok_or(AppError::not_found())?;
    Ok((l, e))
}

fn refused() -> AppError {
    AppError::forbidden_because(
        "只有本县的县级管理员可以修改代码的本县显示名称和停用设置".to_owned(),
        "Only the county admin of this county may change the local labels and disabled codes"
            .to_owned(),
    )
}

/// What the edit form shows.
struct Shown {
    label_zh: String,
    label_en: String,
    disabled: bool,
    version: i64,
    error: Option<String>,
}

fn edit_page(
    user: &CurrentUser,
    l: &'static CodeListInfo,
    e: shouwang_core::codes::CodeEntry,
    shown: Shown,
    status: StatusCode,
) -> Response {
    let p = EditPage {
        i18n: user.i18n(),
        user,
        path: "/admin/codes",
        list_key: l.key,
        list_zh: l.name_zh,
        list_en: l.name_en,
        anchor: anchor(l),
        code: e.code,
        national_zh: e.label_zh,
        national_en: e.label_en,
        label_zh: shown.label_zh,
        label_en: shown.label_en,
        disabled: shown.disabled,
        locked: locked_reason(l.key, e.code).map(|(zh, en)| user.lang.pick(zh, en)),
        version: shown.version,
        max: LABEL_MAX_CHARS,
        error: shown.error,
    };
    match p.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(err) => AppError::internal(err.to_string()).into_response(),
    }
}

/// GET /admin/codes/{list}/{code}: the edit form (county admin of the county).
pub async fn edit(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((list, code)): Path<(String, String)>,
) -> Response {
    let result = async {
        let (l, e) = entry_of(&list, &code)?;
        if !may_edit(&user) {
            return Err(refused());
        }
        let county = county_of(&user).ok_or_else(refused)?;
        let s = repo::codes::get(&state.db, &county, l.key, e.code).await?;
        Ok((l, e, s))
    }
    .await;
    match result {
        Ok((l, e, s)) => edit_page(
            &user,
            l,
            e,
            Shown {
                label_zh: s.label_zh,
                label_en: s.label_en.unwrap_or_default(),
                disabled: s.disabled,
                version: s.version,
                error: None,
            },
            StatusCode::OK,
        ),
        Err(e) => e.into_response(),
    }
}

/// The submitted edit form.
#[derive(Deserialize, Default)]
pub struct EditForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    version: String,
    #[serde(default)]
    label_zh: String,
    #[serde(default)]
    label_en: String,
    #[serde(default)]
    disabled: Option<String>,
}

/// POST /admin/codes/{list}/{code}: saves the local label and 停用 flag (county admin of the county).
pub async fn save(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((list, code)): Path<(String, String)>,
    Form(form): Form<EditForm>,
) -> Response {
    let checked = (|| {
        check_csrf(&user, &form.csrf)?;
        let (l, e) = entry_of(&list, &code)?;
        if !may_edit(&user) {
            return Err(refused());
        }
        let county = county_of(&user).ok_or_else(refused)?;
        Ok((l, e, county))
    })();
    let (l, e, county) = match checked {
        Ok(v) => v,
        Err(err) => return err.into_response(),
    };
    let disabled = form.disabled.as_deref().is_some_and(|v| !v.is_empty());
    let retry = |zh: String, en: String, status: StatusCode, version: i64| {
        edit_page(
            &user,
            l,
            e,
            Shown {
                label_zh: form.label_zh.clone(),
                label_en: form.label_en.clone(),
                disabled,
                version,
                error: Some(user.lang.pick(&zh, &en).to_owned()),
            },
            status,
        )
    };
    let Ok(version) = form.version.trim().parse::<i64>() else {
        return retry(
            "页面缺少版本号，请刷新页面后重新编辑".to_owned(),
            "The page has no version; reload it and edit again".to_owned(),
            StatusCode::UNPROCESSABLE_ENTITY,
            0,
        );
    };
    let label_en = form.label_en.trim();
    let edit = CodeOverride {
        label_zh: form.label_zh.clone(),
        label_en: (!label_en.is_empty()).then(|| label_en.to_owned()),
        disabled,
    };
    match repo::codes::set(
        &state.db,
        &user.actor(),
        &user.scope,
        &county,
        l.key,
        e.code,
        &edit,
        version,
    )
    .await
    {
        Ok(_) => Redirect::to(&format!(
            "/admin/codes?saved={}:{}#{}",
            l.key,
            e.code,
            anchor(l)
        ))
        .into_response(),
        Err(e @ StoreError::Invalid { .. }) => {
            let e = AppError::from(e);
            retry(e.0.zh, e.0.en, StatusCode::UNPROCESSABLE_ENTITY, version)
        }
        Err(StoreError::StaleVersion { expected, found }) => retry(
            format!(
                "该代码的显示设置已被他人修改（您编辑的是版本 {expected}，当前为版本 {found}），本次保存未生效。请刷新页面后重新编辑。"
            ),
            format!(
                "This code's setting was changed by someone else (you edited version {expected}, now {found}); nothing was saved. Reload the page and edit again."
            ),
            StatusCode::CONFLICT,
            version,
        ),
        Err(err) => AppError::from(err).into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_list_has_rows_and_a_distinct_anchor() {
        let lists = all_lists(&CodeOverrides::new());
        assert_eq!(lists.len(), 17);
        let mut anchors: Vec<&str> = lists.iter().map(|l| l.anchor.as_str()).collect();
        anchors.sort();
        anchors.dedup();
        assert_eq!(anchors.len(), lists.len());
        assert!(lists.iter().all(|l| !l.rows.is_empty()));
        let risk = lists.iter().find(|l| l.name_zh == "风险类型").unwrap();
        assert!(risk.rows.iter().any(|r| r.code == "0201"));
        assert!(
            risk.rows
                .iter()
                .all(|r| r.local_zh.is_none() && !r.disabled)
        );
    }

    #[test]
    fn local_settings_show_in_the_rows() {
        let mut codes = CodeOverrides::new();
        codes
            .insert(
                "risk_type",
                "0206",
                &CodeOverride {
                    label_zh: "地震灾害".to_owned(),
                    label_en: None,
                    disabled: true,
                },
            )
            .unwrap();
        let lists = all_lists(&codes);
        let risk = lists.iter().find(|l| l.key == "risk_type").unwrap();
        let quake = risk.rows.iter().find(|r| r.code == "0206").unwrap();
        assert_eq!(quake.local_zh.as_deref(), Some("地震灾害"));
        assert!(quake.disabled);
        assert_eq!(quake.national_zh, "地震");
    }
}
