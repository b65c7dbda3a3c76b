//! 户情变更 in the browser: a village user records a birth (新增成员) and a 低保 grant on the household page's
//! plain-HTML forms and sees both on the page; screenshots at both widths.

use chrono::NaiveDate;
use shouwang_core::access::{Role, Scope};
use shouwang_store::repo::households::{self, HouseholdQuery};

use crate::harness::Harness;

/// The text of the member row of `name` (its first cell: the name and the 修改 link) on the household page ("" when there is none).
const ROW: &str = "(name) => { const r = [...document.querySelectorAll('table.list tbody tr')]\
    .find(tr => tr.cells[0] && tr.cells[0].innerText.trim().startsWith(name)); return r ? r.innerText : ''; }";

pub async fn birth_and_dibao(h: &Harness) {
    let area = shouwang_app::demo::DEMO_USERS
        .iter()
        .find(|u| u.username == "village_team")
        .map(|u| u.area)
        .expect("demo village team");
    let county = Scope::new(0, Role::CountyAdmin, "141123".to_string());
    let query = HouseholdQuery {
        village: Some(area.to_string()),
        ..Default::default()
    };
    let number = households::search(&h.db, &county, &query, 1, 50)
        .await
        .expect("village households")
        .items
        .into_iter()
        .rev()
        .find(|r| r.number.starts_with(area))
        .expect("a demo household of the village")
        .number
        .clone();
    let id = shouwang_core::idnum::make(141123, NaiveDate::from_ymd_opt(2025, 2, 3).unwrap(), 986);

    let tab = h.login_as("village_team").await;
    assert_eq!(tab.open(&format!("/households/{number}")).await, 200);
    // 新增成员: a granddaughter is born.
    assert_eq!(tab.click_nav("#add-member").await, 200);
    assert_eq!(
        tab.path().await,
        format!("/households/{number}/members/new")
    );
    tab.element("input[name=reason][value=birth]")
        .await
        .click()
        .await
        .expect("choose 出生");
    tab.fill("input[name=name]", "杨小满").await;
    tab.fill("input[name=id_number]", &id.to_string()).await;
    tab.select("select[name=relation]", "granddaughter").await;
    tab.select("select[name=labour]", "none").await;
    tab.select("select[name=school]", "preschool_age").await;
    tab.shoot("household-add-member").await;
    assert_eq!(tab.click_nav("#member-form button[type=submit]").await, 200);
    assert_eq!(
        tab.path().await,
        format!("/households/{number}?changed=member_added")
    );
    let text = tab.text().await;
    assert!(text.contains("已登记新增成员"), "{text}");
    let row = tab.eval(&format!("({ROW})('杨小满')")).await;
    let row = row.as_str().unwrap_or_default().to_owned();
    assert!(row.contains("之孙女") && row.contains("未享受"), "{row}");
    assert!(
        row.contains("********"),
        "the ID number masked for a village team: {row}"
    );

    // 低保: the member's 修改 link, 农村低保, saved.
    let js = "(() => { const r = [...document.querySelectorAll('table.list tbody tr')]\
        .find(tr => tr.cells[0] && tr.cells[0].innerText.trim().startsWith('杨小满')); \
        const a = r && r.querySelector('a.member-edit'); \
        if (!a) return false; a.setAttribute('data-sw-click', '1'); return true; })()";
    assert_eq!(tab.eval(js).await, serde_json::json!(true));
    assert_eq!(tab.click_nav("[data-sw-click]").await, 200);
    assert!(tab.text().await.contains("修改成员信息：杨小满"));
    tab.select("select[name=dibao]", "rural").await;
    tab.shoot("household-edit-member").await;
    assert_eq!(tab.click_nav("#member-form button[type=submit]").await, 200);
    assert_eq!(
        tab.path().await,
        format!("/households/{number}?changed=member_updated")
    );
    assert!(tab.text().await.contains("已保存成员信息"));
    let row = tab.eval(&format!("({ROW})('杨小满')")).await;
    assert!(
        row.as_str().unwrap_or_default().contains("农村低保"),
        "{row}"
    );
    tab.shoot("household-changed").await;
}
