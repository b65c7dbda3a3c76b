//! Browser tests in real Chromium: the server, the database and the browser are all real (see
//! [`harness`]). One suite, so that the browser and the demo county start once; each scenario is a
//! function that logs in through the real login form in a context of its own.
//!
//! Run alone: `cargo test -p shouwang-web --test browser -- --nocapture` (screenshots under
//! `target/screenshots/`).

mod admin_quality;
mod harness;
mod household_changes;
mod income;
mod labour;
mod lifecycle;
mod problems;
mod uploads;

use harness::Harness;
use lifecycle::{cadre_round, lifecycle_pages, open_clue, village_journey};
use shouwang_core::access::{Role, Scope};
use shouwang_store::repo::households::{self, HouseholdQuery};
use shouwang_store::repo::registry::{self, RegistryQuery};

/// The demo village team member's village (`DEMO_USERS`).
fn demo_area(username: &str) -> &'static str {
    shouwang_app::demo::DEMO_USERS
        .iter()
        .find(|u| u.username == username)
        .map(|u| u.area)
        .expect("demo user")
}

/// A household of the county outside `area`.
async fn household_outside(h: &Harness, area: &str) -> String {
    let county = Scope::new(0, Role::CountyAdmin, "141123".to_string());
    let page = households::search(&h.db, &county, &HouseholdQuery::default(), 1, 200)
        .await
        .expect("search");
    page.items
        .into_iter()
        .map(|r| r.number)
        .find(|n| !n.starts_with(area))
        .expect("a household outside the area")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_suite() {
    let Some(h) = Harness::start().await else {
        return;
    };
    login_page(&h).await;
    village_team_registry(&h).await;
    other_village_is_404(&h).await;
    english_switch(&h).await;
    home_and_filters(&h).await;
    full_ids_and_audit(&h).await;
    users_password_and_expiry(&h).await;
    lifecycle_pages(&h).await;
    village_journey(&h).await;
    dashboard(&h).await;
    uploads::upload_pages(&h).await;
    cadre_round(&h).await;
    income::income_form(&h).await;
    household_changes::birth_and_dibao(&h).await;
    labour::monthly_record_on_a_phone(&h).await;
    problems::water_problem_with_a_photo(&h).await;
    // Last: it changes a code's local label, which later scenarios would see.
    admin_quality::admin_and_quality_pages(&h).await;
    login_over_https(&h).await;
    h.finish().await;
}

/// Over HTTPS the real login form gives a `__Host-` session cookie that is `Secure` and `HttpOnly`, and
/// the pages work with it.
async fn login_over_https(h: &Harness) {
    let tab = h.https_tab().await;
    tab.login("village_team", shouwang_app::demo::DEMO_PASSWORD)
        .await;
    assert_eq!(tab.eval("location.protocol").await, "https:");
    assert!(
        !tab.path().await.starts_with("/login"),
        "logged in over HTTPS: {}",
        tab.text().await
    );
    let cookies = tab.page.get_cookies().await.expect("cookies");
    let session = cookies
        .iter()
        .find(|c| c.name == "__Host-sw_session")
        .unwrap_or_else(|| panic!("no __Host-sw_session cookie: {cookies:?}"));
    assert!(session.secure && session.http_only && session.path == "/");
    assert!(!cookies.iter().any(|c| c.name == "sw_session"));
    assert_eq!(tab.open("/households").await, 200);
    assert!(tab.text().await.contains("农户信息查询"));
}

/// The login page is Chinese for a Chinese browser; a wrong password is refused with a message.
async fn login_page(h: &Harness) {
    let tab = h.tab().await;
    assert_eq!(tab.open("/households").await, 200);
    assert_eq!(
        tab.path().await,
        "/login",
        "not logged in: sent to the login page"
    );
    let text = tab.text().await;
    assert!(text.contains("登录") && text.contains("用户名"), "{text}");
    tab.shoot("login").await;

    assert_eq!(tab.login("village_team", "wrong-password").await, 401);
    let text = tab.text().await;
    assert!(text.contains("用户名或密码错误"), "{text}");
    tab.shoot("login-failed").await;
}

/// A village team member logs in, sees only its village's households, searches and opens one.
async fn village_team_registry(h: &Harness) {
    let area = demo_area("village_team");
    let tab = h.login_as("village_team").await;
    assert_eq!(tab.open("/households").await, 200);
    let text = tab.text().await;
    assert!(text.contains("农户信息查询"), "{text}");
    let links: Vec<String> = serde_json::from_value(
        tab.eval("[...document.querySelectorAll('table.list a')].map(a => a.innerText)")
            .await,
    )
    .expect("household links");
    assert!(!links.is_empty(), "the demo village has households");
    assert!(
        links.iter().all(|n| n.starts_with(area)),
        "{links:?} outside {area}"
    );
    // ID numbers on the list are masked.
    assert!(text.contains("********"), "{text}");
    tab.shoot("households").await;

    // Search by 户编号 through the form.
    let first = links[0].clone();
    tab.fill("input[name=q]", &first).await;
    assert_eq!(tab.click_nav("form.search button").await, 200);
    assert_eq!(tab.count("table.list tbody tr").await, 1);

    // The household page: members and income by year.
    assert_eq!(tab.click_link(&first).await, 200);
    assert_eq!(tab.path().await, format!("/households/{first}"));
    let text = tab.text().await;
    for want in ["家庭成员", "人均纯收入", "监测线", "2022"] {
        assert!(
            text.contains(want),
            "{want} missing on the household page: {text}"
        );
    }
    assert!(
        text.contains("********"),
        "IDs masked for a village team: {text}"
    );
    tab.shoot("household").await;
}

/// A village user asking for another village's household gets the 404 page, as for a household
/// that does not exist.
async fn other_village_is_404(h: &Harness) {
    let area = demo_area("village_team");
    let other = household_outside(h, area).await;
    let tab = h.login_as("village_team").await;
    assert_eq!(tab.open(&format!("/households/{other}")).await, 404);
    let text = tab.text().await;
    assert!(text.contains("未找到，或不在您的管辖范围内"), "{text}");
    assert!(!text.contains("家庭成员"), "{text}");
    tab.shoot("not-found").await;
    // Nor the step forms of another village's case (404, as for no case at all).
    let county = Scope::new(0, Role::CountyAdmin, "141123".to_string());
    let q = shouwang_store::repo::cases::CaseQuery {
        lifecycle: Some(shouwang_core::monitoring::Lifecycle::Monitored),
        ..Default::default()
    };
    let outside = shouwang_store::repo::cases::list(&h.db, &county, &q, 1, 200)
        .await
        .expect("cases")
        .items
        .into_iter()
        .find(|r| !r.household_number.starts_with(area))
        .expect("a monitored case outside the village")
        .household_number;
    for step in [
        "case/ident",
        "case/exit",
        "case/measures/0",
        "case/follow-up",
    ] {
        assert_eq!(
            tab.open(&format!("/households/{outside}/{step}")).await,
            404,
            "{step} of another village"
        );
    }
    // The county admin opens the same household.
    let admin = h.login_as("county_admin").await;
    assert_eq!(admin.open(&format!("/households/{other}")).await, 200);
}

/// The language switch in the header turns the pages English and back.
async fn english_switch(h: &Harness) {
    let tab = h.login_as("village_team").await;
    assert_eq!(tab.open("/households").await, 200);
    assert_eq!(tab.click_link("English").await, 200);
    assert_eq!(tab.path().await, "/households");
    let text = tab.text().await;
    assert!(text.contains("Household registry"), "{text}");
    assert_eq!(
        tab.eval("document.documentElement.lang").await,
        serde_json::json!("en")
    );
    tab.shoot("households-en").await;
    assert_eq!(tab.click_link("中文").await, 200);
    assert!(tab.text().await.contains("农户信息查询"));
}

/// The home page (工作台) of a village team: tasks of the cadence calendar, the clue waiting, the
/// state tiles; the registry filter by state finds the household.
async fn home_and_filters(h: &Harness) {
    let area = demo_area("village_team");
    // A household of the demo village without a case yet (the demo county has cases in every state).
    let county = Scope::new(0, Role::CountyAdmin, "141123".to_string());
    let without_case = RegistryQuery {
        base: HouseholdQuery {
            village: Some(area.to_string()),
            ..Default::default()
        },
        lifecycle: Some(None),
        risk: None,
    };
    let village = registry::search(&h.db, &county, &without_case, 1, 5)
        .await
        .expect("village households");
    let number = village.items[0].number.clone();
    open_clue(h, &number).await;

    let tab = h.login_as("village_team").await;
    assert_eq!(tab.path().await, "/", "login lands on the home page");
    let text = tab.text().await;
    for want in [
        "工作台",
        "我的任务",
        "逐月跟踪监测",
        "干部排查",
        "待处理线索",
    ] {
        assert!(
            text.contains(want),
            "{want} missing on the home page: {text}"
        );
    }
    assert_eq!(
        tab.count("#clues-waiting tbody tr").await,
        1,
        "one village: {text}"
    );
    assert!(
        tab.count("#approvals tbody tr").await >= 1,
        "the demo village has steps waiting: {text}"
    );
    tab.shoot("home-village").await;

    // The clue queue leads to the registry filtered by state and village.
    assert_eq!(tab.click_nav("#clues-waiting tbody a").await, 200);
    assert!(tab.path().await.contains("status=clue"));
    let text = tab.text().await;
    assert!(text.contains(&number), "{text}");
    let states: Vec<String> = serde_json::from_value(
        tab.eval("[...document.querySelectorAll('table.list tbody tr td:last-child')].map(td => td.innerText)")
            .await,
    )
    .expect("states");
    assert!(
        !states.is_empty() && states.iter().all(|s| s == "线索"),
        "{states:?}"
    );
    tab.shoot("households-filtered").await;
    // The household page shows the case and its clue.
    assert_eq!(tab.click_link(&number).await, 200);
    let text = tab.text().await;
    for want in ["监测帮扶档案", "线索", "农户申请", "因病"] {
        assert!(text.contains(want), "{want} missing: {text}");
    }

    // Filters through the form: type 脱贫户 within the village.
    assert_eq!(tab.open("/households").await, 200);
    tab.eval("document.querySelector('details.filters-box').open = true")
        .await;
    tab.select("#registry-filter select[name=type]", "alleviated")
        .await;
    assert_eq!(
        tab.click_nav("#registry-filter button[type=submit]").await,
        200
    );
    let text = tab.text().await;
    assert!(
        text.contains("脱贫户") && !text.contains("一般农户\t"),
        "{text}"
    );

    // The township admin's home lists the township's clue too.
    let town = h.login_as("township_admin").await;
    assert!(town.count("#clues-waiting tbody tr").await >= 1);
    let text = town.text().await;
    assert!(
        text.contains("我的任务") && text.contains("待我办理"),
        "{text}"
    );
    town.shoot("home-township").await;
}

/// The county admin reveals full ID numbers (a POST with the CSRF token), which is audited; the
/// audit log shows it; a village team has no such button and cannot open the audit log.
async fn full_ids_and_audit(h: &Harness) {
    let area = demo_area("village_team");
    let vt = h.login_as("village_team").await;
    let first = {
        vt.open("/households").await;
        let n: Vec<String> = serde_json::from_value(
            vt.eval("[...document.querySelectorAll('table.list a')].map(a => a.innerText)")
                .await,
        )
        .expect("links");
        n[0].clone()
    };
    assert!(first.starts_with(area));
    vt.open(&format!("/households/{first}")).await;
    assert_eq!(
        vt.count("#reveal-ids").await,
        0,
        "no reveal for a village team"
    );
    assert_eq!(vt.open("/admin/audit").await, 403);

    let admin = h.login_as("county_admin").await;
    admin.open(&format!("/households/{first}")).await;
    assert!(admin.text().await.contains("********"));
    assert_eq!(admin.click_nav("#reveal-ids button").await, 200);
    let text = admin.text().await;
    assert!(!text.contains("********"), "full IDs shown: {text}");
    assert!(text.contains("已记入审计日志"), "{text}");
    admin.shoot("household-full-ids").await;

    let auditor = h.login_as("auditor").await;
    assert_eq!(auditor.open("/admin/audit").await, 200);
    auditor
        .select("#audit-filter select[name=action]", "read_full_id")
        .await;
    assert_eq!(
        auditor.click_nav("#audit-filter button[type=submit]").await,
        200
    );
    let text = auditor.text().await;
    assert!(
        text.contains("查看完整身份证号") && text.contains(&first),
        "{text}"
    );
    assert!(text.contains("共 1 条"), "{text}");
    auditor.shoot("audit").await;
}

/// The county admin adds a village-team user, resets its password and deactivates it; the user
/// changes its own password; a session that ended sends the user to the login page with a message.
async fn users_password_and_expiry(h: &Harness) {
    let area = demo_area("village_team");
    let admin = h.login_as("county_admin").await;
    assert_eq!(admin.open("/admin/users").await, 200);
    admin
        .fill("#add-user input[name=username]", "wang_vt")
        .await;
    admin
        .fill("#add-user input[name=display_name]", "王专班")
        .await;
    admin
        .fill("#add-user input[name=password]", "first-password-1")
        .await;
    admin
        .select("#add-user select[name=role]", "village_team")
        .await;
    admin.select("#add-user select[name=area]", area).await;
    assert_eq!(admin.click_nav("#add-user button[type=submit]").await, 200);
    let text = admin.text().await;
    assert!(
        text.contains("已新增用户") && text.contains("王专班"),
        "{text}"
    );
    admin.shoot("admin-users").await;

    // A village role at the county level is refused with the reason (422), nothing added.
    admin
        .fill("#add-user input[name=username]", "bad_area")
        .await;
    admin
        .fill("#add-user input[name=display_name]", "错误")
        .await;
    admin
        .fill("#add-user input[name=password]", "first-password-1")
        .await;
    admin
        .select("#add-user select[name=role]", "village_team")
        .await;
    admin.select("#add-user select[name=area]", "141123").await;
    assert_eq!(admin.click_nav("#add-user button[type=submit]").await, 422);
    assert!(
        admin
            .text()
            .await
            .contains("管辖区域应为该角色对应级别的区划代码")
    );
    assert_eq!(admin.count("tr[data-user=bad_area]").await, 0);

    // The new user logs in and changes its own password.
    let user = h.tab().await;
    user.login("wang_vt", "first-password-1").await;
    assert_eq!(user.path().await, "/");
    assert_eq!(user.click_link("修改密码").await, 200);
    user.fill("input[name=old]", "wrong-password").await;
    user.fill("input[name=new]", "second-password-2").await;
    user.fill("input[name=repeat]", "second-password-2").await;
    assert_eq!(user.click_nav("#password-form button").await, 400);
    assert!(user.text().await.contains("原密码不正确"));
    user.fill("input[name=old]", "first-password-1").await;
    user.fill("input[name=new]", "second-password-2").await;
    user.fill("input[name=repeat]", "second-password-2").await;
    user.shoot("password").await;
    assert_eq!(user.click_nav("#password-form button").await, 200);
    assert_eq!(user.path().await, "/login?msg=password");
    assert!(user.text().await.contains("密码已修改"));
    assert_eq!(user.login("wang_vt", "first-password-1").await, 401);
    user.login("wang_vt", "second-password-2").await;
    assert_eq!(user.path().await, "/");

    // The session ends (as when it expires): the next page is the login page with a message.
    let cookies = user.page.get_cookies().await.expect("cookies");
    let token = cookies
        .iter()
        .find(|c| c.name == "sw_session")
        .map(|c| c.value.clone())
        .expect("session cookie");
    shouwang_store::repo::sessions::delete(&h.db, &token)
        .await
        .expect("end session");
    assert_eq!(user.open("/households").await, 200);
    assert_eq!(user.path().await, "/login?msg=expired");
    assert!(user.text().await.contains("登录已过期"));
    user.shoot("login-expired").await;

    // The admin resets the password, then deactivates the account: it can no longer log in.
    admin.open("/admin/users").await;
    admin
        .eval("document.querySelector('tr[data-user=wang_vt] details').open = true")
        .await;
    admin
        .fill(
            "tr[data-user=wang_vt] input[name=password]",
            "third-password-3",
        )
        .await;
    assert_eq!(
        admin
            .click_nav("tr[data-user=wang_vt] details button[type=submit]")
            .await,
        200
    );
    assert!(admin.text().await.contains("已重置密码"));
    assert_eq!(
        admin
            .click_nav("tr[data-user=wang_vt] form.inline button")
            .await,
        200
    );
    assert!(admin.text().await.contains("已停用"));
    assert_eq!(user.login("wang_vt", "third-password-3").await, 401);

    // A township admin may not grant county roles: the choice is not offered.
    let town = h.login_as("township_admin").await;
    assert_eq!(town.open("/admin/users").await, 200);
    let roles: Vec<String> = serde_json::from_value(
        town.eval("[...document.querySelectorAll('#add-user select[name=role] option')].map(o => o.value)")
            .await,
    )
    .expect("roles");
    assert_eq!(roles, vec!["village_team", "cadre", "grid_member"]);
    assert_eq!(town.count("tr[data-user=county_admin]").await, 0);
}

/// The dashboard: ECharts (vendored, served from /assets under the CSP) draws every chart; the
/// figures are in tables too.
async fn dashboard(h: &Harness) {
    let admin = h.login_as("county_admin").await;
    assert_eq!(admin.click_link("数据看板").await, 200);
    let text = admin.text().await;
    for want in [
        "年度目标",
        "监测户落实帮扶责任人",
        "线索转化",
        "农户申请",
        "部门筛查",
        "按风险类型",
    ] {
        assert!(
            text.contains(want),
            "{want} missing on the dashboard: {text}"
        );
    }
    assert_eq!(admin.count("#funnel tbody tr").await, 4);
    // Every chart drawn (dashboard.js marks it), none failed.
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let charts = admin.count(".chart").await;
        let drawn = admin.count(".chart[data-drawn='1'] svg").await;
        assert_eq!(admin.count(".chart[data-error]").await, 0, "a chart failed");
        if charts > 0 && drawn == charts {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "{drawn} of {charts} charts drawn"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    admin.shoot("dashboard").await;

    // The printable 公示 list and the quarterly exit board.
    assert_eq!(admin.click_link("公示名单").await, 200);
    let text = admin.text().await;
    assert!(text.contains("防返贫监测对象识别公示"), "{text}");
    assert!(
        admin.count("#publicity tbody tr").await >= 1,
        "the demo has a notice posted: {text}"
    );
    admin.shoot("publicity").await;
    assert_eq!(admin.click_link("退出看板").await, 200);
    assert_eq!(admin.count("#exit-board .lane").await, 7);
    let text = admin.text().await;
    for want in ["预判提名", "民主评议", "退出告知", "本季度风险消除", "缓退"]
    {
        assert!(
            text.contains(want),
            "{want} missing on the exit board: {text}"
        );
    }
    admin.shoot("exits").await;
    // A running exit leads to its step page, which tells the county admin whose turn it is.
    assert!(admin.count("a.exit-step-link").await >= 1, "{text}");
    assert_eq!(admin.click_nav("a.exit-step-link").await, 200);
    assert!(admin.path().await.ends_with("/case/exit"));
    let text = admin.text().await;
    assert!(
        text.contains("当前没有您可办理的步骤") && text.contains("下一步："),
        "{text}"
    );
    // A cadre has no dashboard.
    let cadre = h.login_as("cadre").await;
    assert_eq!(cadre.open("/dashboard").await, 403);
}
