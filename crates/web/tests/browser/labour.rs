//! 农村劳动力就业 in the browser, on a phone: the village team opens 劳动力就业, the households not recorded
//! this month, one of them, fills the monthly record of every member of its labour force (外出务工 without
//! where is refused with the reason, the form kept), saves, and the page shows the record; the list and
//! the figure at both widths.

use crate::harness::{Harness, PHONE};

pub async fn monthly_record_on_a_phone(h: &Harness) {
    let tab = h.login_as("village_team").await;
    tab.viewport(PHONE).await;
    assert_eq!(tab.open("/labour?state=missing").await, 200);
    let text = tab.text().await;
    assert!(text.contains("脱贫劳动力务工就业人数"), "{text}");
    tab.shoot("labour-list").await;
    tab.viewport(PHONE).await;
    assert_eq!(tab.click_nav("#labour-list tbody a").await, 200);
    assert!(tab.path().await.starts_with("/labour/"));
    let members = tab.count("select[name^=status_]").await;
    assert!(members > 0, "{}", tab.text().await);
    // Everyone 外出务工 (the first choice) without where: refused with the reason, the form kept.
    assert_eq!(
        tab.click_nav("#labour-record-form button[type=submit]")
            .await,
        422
    );
    assert!(tab.text().await.contains("务工地点"));
    assert_eq!(tab.count("select[name^=status_]").await, members);
    tab.eval(
        "document.querySelectorAll('select[name^=status_]').forEach((s, i) => { \
           s.value = i === 0 ? 'migrant' : 'welfare_post'; }); \
         document.querySelectorAll('select[name^=place_]').forEach((s, i) => { \
           s.value = i === 0 ? 'out_of_province' : ''; }); \
         document.querySelectorAll('input[name^=wage_]').forEach(w => { w.value = '3000'; }); \
         true",
    )
    .await;
    assert_eq!(
        tab.click_nav("#labour-record-form button[type=submit]")
            .await,
        200
    );
    let text = tab.text().await;
    assert!(text.contains("就业登记已保存"), "{text}");
    assert!(text.contains("外出务工（省外），月收入3000元"), "{text}");
    tab.shoot("labour-record").await;
}
