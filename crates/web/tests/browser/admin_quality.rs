//! The county admin's pages in the browser (issues 5 and 6): 县级规则配置, 代码表 with a local label edited
//! through the form and seen in a form select, 数据质量 and 重复数据核查, 台账导出 with one ledger
//! downloaded (台账下载) by the page's own session and checked as a real XLSX (zip magic, a Chinese header read by
//! calamine), and a document's print view (帮扶手册) opened from a household page; screenshots of each at
//! both widths with the phone-overflow check.

use std::io::Cursor;

use calamine::{Reader, Xlsx};
use shouwang_core::CodeList;
use shouwang_core::access::{Role, Scope};
use shouwang_store::repo::cases::{self, CaseQuery};

use crate::harness::Harness;

/// Hex text to bytes.
fn unhex(s: &str) -> Vec<u8> {
    (0..s.len() / 2)
        .map(|i| u8::from_str_radix(&s[2 * i..2 * i + 2], 16).expect("hex"))
        .collect()
}

pub async fn admin_and_quality_pages(h: &Harness) {
    let admin = h.login_as("county_admin").await;

    // 县级规则配置 from the nav.
    assert_eq!(admin.click_link("规则配置").await, 200);
    assert_eq!(admin.path().await, "/admin/rules");
    let text = admin.text().await;
    assert!(
        text.contains("县级规则配置") && text.contains("部门筛查预警阈值"),
        "{text}"
    );
    assert_eq!(admin.count("#rules-form button[type=submit]").await, 1);
    admin.shoot("admin-rules").await;

    // 代码表: the county admin edits 因病's local label through the form.
    assert_eq!(admin.open("/admin/codes").await, 200);
    let text = admin.text().await;
    assert!(
        text.contains("本县显示名称") && text.contains("风险类型"),
        "{text}"
    );
    assert!(admin.count("a[href^='/admin/codes/']").await > 100);
    admin.shoot("admin-codes").await;
    assert_eq!(
        admin.click_nav("a[href='/admin/codes/risk_type/01']").await,
        200
    );
    let text = admin.text().await;
    assert!(
        text.contains("修改代码显示") && text.contains("不能停用"),
        "{text}"
    );
    admin.shoot("admin-code-edit").await;
    admin
        .fill("#code-form input[name=label_zh]", "因病（含慢性病）")
        .await;
    assert_eq!(admin.click_nav("#code-form button[type=submit]").await, 200);
    assert!(admin.path().await.starts_with("/admin/codes?saved="));
    let text = admin.text().await;
    assert!(
        text.contains("已保存") && text.contains("因病（含慢性病）"),
        "{text}"
    );
    admin.shoot("admin-codes-saved").await;
    // The household search's risk select shows the county's label.
    assert_eq!(admin.open("/households").await, 200);
    let label = admin
        .eval("[...document.querySelectorAll('select[name=risk] option')].find(o => o.value === '01').textContent.trim()")
        .await;
    assert_eq!(label, serde_json::json!("因病（含慢性病）"));

    // 数据质量 from the nav, then 重复数据核查.
    assert_eq!(admin.click_link("数据质量").await, 200);
    assert_eq!(admin.path().await, "/quality");
    let text = admin.text().await;
    assert!(text.contains("数据质量"), "{text}");
    admin.shoot("quality").await;
    assert_eq!(admin.open("/quality/duplicates").await, 200);
    let text = admin.text().await;
    assert!(text.contains("重复"), "{text}");
    admin.shoot("quality-duplicates").await;

    // 台账导出: the page, then one ledger downloaded with the page's session.
    assert_eq!(admin.click_link("台账下载").await, 200);
    assert_eq!(admin.path().await, "/ledgers");
    assert_eq!(
        admin.count("#ledger-form select[name=kind] option").await,
        shouwang_core::ledger::LedgerKind::all().len()
    );
    admin.shoot("ledgers").await;
    let got = admin
        .eval(
            "(async () => { const r = await fetch('/ledgers/download?kind=monitored'); \
             const b = new Uint8Array(await r.arrayBuffer()); \
             return JSON.stringify({status: r.status, type: r.headers.get('content-type') || '', \
               disposition: r.headers.get('content-disposition') || '', \
               hex: Array.from(b, x => x.toString(16).padStart(2, '0')).join('')}); })()",
        )
        .await;
    let got: serde_json::Value =
        serde_json::from_str(got.as_str().expect("a JSON string")).expect("JSON");
    assert_eq!(got["status"], 200, "{}", got["type"]);
    assert!(
        got["type"].as_str().unwrap_or("").contains("spreadsheetml"),
        "{}",
        got["type"]
    );
    assert!(
        got["disposition"]
            .as_str()
            .unwrap_or("")
            .contains("attachment"),
        "{}",
        got["disposition"]
    );
    let bytes = unhex(got["hex"].as_str().expect("hex"));
    assert!(
        bytes.starts_with(b"PK\x03\x04"),
        "not a zip: {:?}",
        &bytes[..bytes.len().min(8)]
    );
    let mut book = Xlsx::new(Cursor::new(bytes)).expect("an XLSX calamine opens");
    let sheet = book
        .worksheet_range_at(0)
        .expect("a first sheet")
        .expect("readable");
    let header: Vec<String> = sheet
        .rows()
        .next()
        .expect("a header row")
        .iter()
        .map(|c| c.to_string())
        .collect();
    assert!(header.iter().any(|c| c == "户编号"), "{header:?}");
    assert!(
        header
            .iter()
            .all(|c| c.is_empty() || c.chars().any(|ch| ('\u{4e00}'..='\u{9fff}').contains(&ch))),
        "headers are Chinese: {header:?}"
    );
    assert!(
        sheet.height() > 1,
        "the demo county has monitored households"
    );

    // A document's print view from a household page: the 帮扶手册 of a household with a case.
    let county = Scope::new(0, Role::CountyAdmin, "141123".to_string());
    let case = cases::list(&h.db, &county, &CaseQuery::default(), 1, 1)
        .await
        .expect("cases")
        .items
        .into_iter()
        .next()
        .expect("the demo has cases");
    assert_eq!(
        admin
            .open(&format!("/households/{}", case.household_number))
            .await,
        200
    );
    assert_eq!(
        admin
            .click_nav("#documents a[href$='/documents/handbook']")
            .await,
        200
    );
    let text = admin.text().await;
    assert!(
        text.contains("帮扶手册") && text.contains(&case.household_number),
        "{text}"
    );
    admin.shoot("handbook-print").await;
}
