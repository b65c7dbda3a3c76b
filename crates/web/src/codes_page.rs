//! 代码表 (`GET /admin/codes`): every code list of [`shouwang_core::codes`] — the lists of the national
//! monitoring system (全国防返贫监测信息系统), DOMAIN.md "Code lists" — as read-only tables (code,
//! Chinese and English label) for every logged-in user, so a clerk can look up what a code in an
//! imported or exported ledger means.

use askama::Template;
use axum::Router;
use axum::response::Response;
use axum::routing::get;
use shouwang_core::CodeList;
use shouwang_core::codes::*;

use crate::AppState;
use crate::auth::CurrentUser;
use crate::i18n::I18n;
use crate::page::render;

/// The routes of this module.
pub fn routes() -> Router<AppState> {
    Router::new().route("/admin/codes", get(show))
}

/// One code list as shown.
pub struct ListView {
    /// Anchor id (`risk-type`).
    pub anchor: String,
    pub name_zh: &'static str,
    pub name_en: &'static str,
    /// (code, Chinese label, English label).
    pub rows: Vec<(&'static str, &'static str, &'static str)>,
}

fn view<C: CodeList>(name_zh: &'static str, name_en: &'static str) -> ListView {
    ListView {
        anchor: name_en.replace(' ', "-").to_lowercase(),
        name_zh,
        name_en,
        rows: C::all()
            .iter()
            .map(|c| (c.code(), c.label_zh(), c.label_en()))
            .collect(),
    }
}

macro_rules! lists {
    ($($t:ty),+ $(,)?) => {
        vec![$(view::<$t>(<$t>::LIST_NAME_ZH, <$t>::LIST_NAME_EN)),+]
    };
}

/// Every code list of `core::codes`, in the order of DOMAIN.md.
pub fn all_lists() -> Vec<ListView> {
    lists![
        HouseholdType,
        MonitoredType,
        RiskType,
        MeasureClass,
        Guarantee,
        LabourSkill,
        HealthStatus,
        Education,
        SchoolStatus,
        Relation,
        PoliticalStatus,
        Dibao,
        Tekun,
        EliminationMode,
        HousingSafety,
        Sex,
        RegionLevel,
    ]
}

#[derive(Template)]
#[template(path = "codes.html")]
struct CodesPage<'a> {
    i18n: I18n,
    user: &'a CurrentUser,
    path: &'static str,
    lists: Vec<ListView>,
}

/// GET /admin/codes
pub async fn show(user: CurrentUser) -> Response {
    let page = CodesPage {
        i18n: user.i18n(),
        user: &user,
        path: "/admin/codes",
        lists: all_lists(),
    };
    render(&page, user.lang)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_list_has_rows_and_a_distinct_anchor() {
        let lists = all_lists();
        assert_eq!(lists.len(), 17);
        let mut anchors: Vec<&str> = lists.iter().map(|l| l.anchor.as_str()).collect();
        anchors.sort();
        anchors.dedup();
        assert_eq!(anchors.len(), lists.len());
        assert!(lists.iter().all(|l| !l.rows.is_empty()));
        let risk = lists.iter().find(|l| l.name_zh == "风险类型").unwrap();
        assert!(risk.rows.iter().any(|(c, _, _)| *c == "0201"));
    }
}
