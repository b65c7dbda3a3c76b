//! 收支测算 in the browser: a township user opens a household of the township, enters a year's income,
//! presses 测算 to see the server's 人均纯收入 and the line of the year, saves, and the household page
//! lists the year with its source, and under it the imported figures it replaced (不计入).

use shouwang_core::access::{Role, Scope};
use shouwang_store::repo::households::{self, HouseholdQuery};

use crate::demo_area;
use crate::harness::Harness;

pub async fn income_form(h: &Harness) {
    let area = demo_area("township_admin");
    let town = Scope::new(0, Role::TownshipAdmin, area.to_string());
    let number = households::search(&h.db, &town, &HouseholdQuery::default(), 1, 1)
        .await
        .expect("search")
        .items
        .into_iter()
        .map(|r| r.number)
        .next()
        .expect("a household of the township");

    let tab = h.login_as("township_admin").await;
    assert_eq!(tab.open(&format!("/households/{number}")).await, 200);
    assert_eq!(tab.click_nav("#income-enter").await, 200);
    assert_eq!(
        tab.open(&format!("/households/{number}/income?year=2022"))
            .await,
        200
    );
    tab.fill("input[name=inc_year]", "2022").await;
    tab.fill("input[name=inc_wage]", "9000").await;
    tab.fill("input[name=inc_business]", "3000.60").await;
    tab.fill("input[name=inc_property]", "").await;
    tab.fill("input[name=inc_transfer]", "").await;
    tab.fill("input[name=inc_cost]", "").await;
    tab.fill("input[name=inc_members]", "2").await;
    assert_eq!(tab.click_nav("button[value=preview]").await, 200);
    let text = tab.text().await;
    // 12000.60 ÷ 2 = 6000.30 against the 2022 line 6500.00: below
    assert!(text.contains("6000.30"), "{text}");
    assert!(
        text.contains("6500.00") && text.contains("低于监测线"),
        "{text}"
    );
    tab.shoot("income-preview").await;
    assert_eq!(tab.click_nav("button[value=save]").await, 200);
    assert_eq!(
        tab.path().await,
        format!("/households/{number}?done=income")
    );
    let text = tab.text().await;
    assert!(text.contains("收支测算已保存"), "{text}");
    assert!(
        text.contains("6000.30") && text.contains("手工录入"),
        "{text}"
    );
    // The demo's imported 2022 figures, which the correction replaced, are listed under it: not counted.
    assert_eq!(tab.count("#household-incomes tr.not-counted").await, 1);
    let row = tab
        .eval("document.querySelector('#household-incomes tr.not-counted').innerText")
        .await;
    let row = row.as_str().unwrap_or_default();
    assert!(
        row.contains("台账导入")
            && row.contains("不计入")
            && row.contains("以最近一次核实记录为准"),
        "{row}"
    );
    tab.shoot("income-sources").await;
}
