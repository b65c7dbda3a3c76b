//! The upload pages in the browser: 部门数据上传 and 户籍台账导入 with real file inputs (files set
//! through the DevTools protocol, as a user picks them), the job page refreshing itself until the
//! result shows, and the code lists; screenshots at both widths.

use std::time::Duration;

use crate::harness::{Harness, Tab};

/// The page's text, or `None` while the page is being replaced (a refresh destroys the context the
/// script runs in).
async fn try_text(tab: &Tab) -> Option<String> {
    let r = tab
        .page
        .evaluate("document.body ? document.body.innerText : ''")
        .await
        .ok()?;
    r.value().and_then(|v| v.as_str()).map(str::to_owned)
}

/// Waits on a job page (it refreshes itself every second) until `done` is in its text; a finished
/// job's page no longer refreshes.
async fn wait_for_job(tab: &Tab, done: &str) -> String {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(120);
    loop {
        let text = try_text(tab).await.unwrap_or_default();
        if text.contains(done) || text.contains("任务失败") {
            // One more read after the last refresh settled.
            tokio::time::sleep(Duration::from_millis(300)).await;
            return tab.text().await;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "job did not finish: {text}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

pub async fn upload_pages(h: &Harness) {
    let dir = tempfile::tempdir().expect("tempdir");

    // 部门数据上传 as the department clerk: the nav link, the form, a medical file.
    let clerk = h.login_as("department").await;
    assert_eq!(clerk.click_link("部门数据上传").await, 200);
    assert_eq!(clerk.path().await, "/screening/upload");
    assert_eq!(clerk.count("input[type=file]").await, 5);
    clerk.shoot("screening-upload").await;
    let medical = dir.path().join("6月医保结算.csv");
    std::fs::write(
        &medical,
        "身份证号,结算日期,医疗总费用,基本医保支付,大病保险支付,医疗救助支付\n\
         11010519491231002X,2022-03-15,500.00,100.00,0.00,0.00\n\
         11010519491231002X,2022-03-16,N/A,0.00,0.00,0.00\n",
    )
    .expect("write medical");
    clerk.set_value("#month", "2022-06").await;
    clerk.upload("#f-medical", &medical).await;
    let status = clerk
        .click_nav("form.upload-form button[type=submit]")
        .await;
    assert_eq!(status, 200);
    assert!(
        clerk.path().await.starts_with("/jobs/"),
        "{}",
        clerk.path().await
    );
    let text = wait_for_job(&clerk, "筛查结果").await;
    assert!(
        text.contains("户预警") && text.contains("6月医保结算.csv"),
        "{text}"
    );
    assert!(
        text.contains("格式错误的行") && text.contains("医疗总费用"),
        "{text}"
    );
    assert_eq!(
        clerk.count("a[href$='/files/0']").await,
        1,
        "rejected.csv link"
    );
    clerk.shoot("screening-result").await;

    // 户籍台账导入 as the county admin: a file with a bad row, the dry run, then the import.
    let admin = h.login_as("county_admin").await;
    assert_eq!(admin.click_link("台账导入").await, 200);
    admin.shoot("registry-import").await;
    let id = |seq: u16, year: i32| {
        shouwang_core::idnum::make(
            141123,
            chrono::NaiveDate::from_ymd_opt(year, 5, 17).expect("date"),
            seq,
        )
        .to_string()
    };
    let row = |n: &str, size: &str, name: &str, idn: &str, rel: &str| {
        format!(
            "{n},兴县,圪塔上乡,测试村,141123208201,一般农户,{size},{name},{idn},{rel},普通劳动力,健康,是"
        )
    };
    let csv = [
        "户编号,县,乡镇,行政村,村代码,户类型,家庭人口,姓名,公民身份号码,与户主关系,劳动技能,健康状况,是否参加城乡居民基本医疗保险".to_owned(),
        row("B001", "2", "张三", &id(911, 1970), "户主"),
        row("B001", "", "李四", &id(922, 1972), "妻"),
        row("B002", "2", "王五", &id(931, 1960), "户主"),
        row("B002", "", "王六", &id(942, 1990), "邻居"),
    ]
    .join("\n");
    let file = dir.path().join("农户台账.csv");
    std::fs::write(&file, csv).expect("write registry");
    admin.upload("#file", &file).await;
    assert_eq!(
        admin
            .click_nav("form.upload-form button[type=submit]")
            .await,
        200
    );
    let text = wait_for_job(&admin, "预检完成").await;
    assert!(
        text.contains("与户主关系") && text.contains("邻居"),
        "{text}"
    );
    assert_eq!(admin.count("#problems-table tbody tr").await, 1, "{text}");
    admin.shoot("registry-dry-run").await;
    assert_eq!(admin.click_nav("#commit").await, 200);
    let text = wait_for_job(&admin, "已导入").await;
    assert!(text.contains("已导入"), "{text}");
    admin.shoot("registry-imported").await;

    // 代码表 for everyone, a village team member too.
    let team = h.login_as("village_team").await;
    assert_eq!(team.click_link("代码表").await, 200);
    let text = team.text().await;
    assert!(
        text.contains("全国防止返贫监测信息系统") && text.contains("风险类型"),
        "{text}"
    );
    team.shoot("codes").await;
    assert_eq!(team.open("/screening/upload").await, 403);
}
