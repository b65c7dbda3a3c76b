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
mod uploads;

use harness::Harness;
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

/// Opens a case (an application clue) for a household of the demo village, as the village team would.
async fn open_clue(h: &Harness, number: &str) {
    use shouwang_core::codes::RiskType;
    use shouwang_core::monitoring::clue::ApplicationMeans;
    use shouwang_core::monitoring::{Actor as CoreActor, Report, Source};
    let area = demo_area("village_team");
    let scope = Scope::new(1, Role::VillageTeam, area.to_string());
    let today = shouwang_web::pages::home::today();
    let report = Report {
        household: number.to_string(),
        source: Source::Application {
            applicant: "杨宝山".into(),
            stated_cause: "户主住院，医疗支出大".into(),
            means: ApplicationMeans::Written,
        },
        risks: vec![RiskType::Illness],
        reporter: "杨宝山".into(),
        reported_on: today,
    };
    let by = CoreActor::new(1, "村级工作专班", Role::VillageTeam);
    shouwang_store::repo::cases::open(
        &h.db,
        &shouwang_store::repo::Actor::new(1, "村级工作专班"),
        &scope,
        report,
        &by,
        today,
    )
    .await
    .expect("open a clue");
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
    assert_eq!(roles, vec!["village_team", "cadre"]);
    assert_eq!(town.count("tr[data-user=county_admin]").await, 0);
}

/// A case of the demo village matching `pick` (the demo county has one of every story there).
async fn demo_case(
    h: &Harness,
    lifecycle: shouwang_core::monitoring::Lifecycle,
    pick: impl Fn(&shouwang_store::repo::cases::CaseRow) -> bool,
) -> String {
    let county = Scope::new(0, Role::CountyAdmin, "141123".to_string());
    let q = shouwang_store::repo::cases::CaseQuery {
        lifecycle: Some(lifecycle),
        region: Some(demo_area("village_team").to_string()),
        ..Default::default()
    };
    shouwang_store::repo::cases::list(&h.db, &county, &q, 1, 100)
        .await
        .expect("cases")
        .items
        .into_iter()
        .find(|r| pick(r))
        .map(|r| r.household_number)
        .unwrap_or_else(|| panic!("no demo case {lifecycle:?} of that kind"))
}

/// The lifecycle pages through their forms: an application clue and 启动识别 by the village team;
/// 乡镇审核, 县级审定 and 纳入监测 by the township and the county; the cadre, a measure with the
/// recommendations, and a monthly follow-up on a phone; the printable exit notice.
async fn lifecycle_pages(h: &Harness) {
    use shouwang_core::monitoring::{IdentStep, Lifecycle};
    let area = demo_area("village_team");
    let county = Scope::new(0, Role::CountyAdmin, "141123".to_string());
    let fresh = registry::search(
        &h.db,
        &county,
        &RegistryQuery {
            base: HouseholdQuery {
                village: Some(area.to_string()),
                ..Default::default()
            },
            lifecycle: Some(None),
            risk: None,
        },
        1,
        5,
    )
    .await
    .expect("households without a case");
    let number = fresh
        .items
        .last()
        .expect("a household without a case")
        .number
        .clone();

    // 农户申请 through the clue form, then 启动识别.
    let vt = h.login_as("village_team").await;
    assert_eq!(vt.open(&format!("/households/{number}")).await, 200);
    assert_eq!(vt.click_link("登记线索").await, 200);
    vt.fill("input[name=applicant]", "申请人甲").await;
    vt.fill("textarea[name=stated_cause]", "务工受伤，收入骤减")
        .await;
    vt.fill("input[name=reporter]", "申请人甲").await;
    vt.eval("document.querySelector('input[name=risk][value=\"05\"]').click()")
        .await;
    vt.shoot("clue-form").await;
    assert_eq!(vt.click_nav("#clue-form button[type=submit]").await, 200);
    assert_eq!(vt.path().await, format!("/households/{number}?done=1"));
    let text = vt.text().await;
    assert!(
        text.contains("农户申请") && text.contains("因意外事故") && text.contains("线索"),
        "{text}"
    );
    assert_eq!(vt.click_nav("#start-ident button").await, 200);
    assert!(vt.text().await.contains("识别中"));

    // 乡镇审核 by the township admin.
    let waiting = demo_case(h, Lifecycle::Identifying, |r| {
        r.ident_next_step == Some(IdentStep::TownshipReview)
    })
    .await;
    let town = h.login_as("township_admin").await;
    assert!(
        town.text().await.contains(&waiting),
        "on the township's queue"
    );
    assert_eq!(town.open(&format!("/households/{waiting}")).await, 200);
    town.fill("#review-form input[name=opinion]", "同意").await;
    assert_eq!(
        town.click_nav("#review-form button[type=submit]").await,
        200
    );
    assert!(town.text().await.contains("县级审定"), "next step shown");
    // The county admin approves (type and risks) and enrols.
    let admin = h.login_as("county_admin").await;
    assert_eq!(admin.open(&format!("/households/{waiting}")).await, 200);
    admin.shoot("review-county").await;
    assert_eq!(
        admin.click_nav("#review-form button[type=submit]").await,
        200
    );
    assert!(admin.text().await.contains("纳入监测"));
    assert_eq!(
        admin.click_nav("#review-form button[type=submit]").await,
        200
    );
    assert!(
        admin.text().await.contains("监测帮扶中"),
        "{}",
        admin.text().await
    );

    // The village team names the cadre and plans a measure from the recommendations.
    assert_eq!(vt.open(&format!("/households/{waiting}")).await, 200);
    assert_eq!(vt.click_link("确定帮扶责任人").await, 200);
    let cadre_id: String = serde_json::from_value(
        vt.eval("[...document.querySelectorAll('select[name=cadre] option')].find(o => o.innerText.startsWith('帮扶责任人')).value")
            .await,
    )
    .expect("the demo cadre is offered");
    vt.select("select[name=cadre]", &cadre_id).await;
    vt.fill("input[name=unit]", "圪塔上乡人民政府").await;
    assert_eq!(vt.click_nav("#cadre-form button[type=submit]").await, 200);
    assert!(vt.text().await.contains("帮扶责任人"));
    assert_eq!(vt.click_link("制定帮扶措施").await, 200);
    assert!(
        vt.count("#recommendations li").await >= 1,
        "{}",
        vt.text().await
    );
    vt.fill("input[name=item]", "光伏公益岗").await;
    vt.fill("input[name=unit]", "村委会").await;
    vt.shoot("plan").await;
    assert_eq!(vt.click_nav("#plan-form button[type=submit]").await, 200);
    assert!(vt.text().await.contains("光伏公益岗"));

    // The cadre records this month's follow-up on a phone.
    let cadre = h.login_as("cadre").await;
    cadre.viewport(harness::PHONE).await;
    assert_eq!(
        cadre
            .open(&format!("/households/{waiting}/case/follow-up"))
            .await,
        200
    );
    cadre.fill("input[name=income]", "7800").await;
    cadre.shoot("follow-up").await;
    cadre.viewport(harness::PHONE).await;
    assert_eq!(
        cadre.click_nav("#follow-up-form button[type=submit]").await,
        200
    );
    let month =
        shouwang_core::monitoring::YearMonth::of(shouwang_web::pages::home::today()).to_string();
    assert!(
        cadre.text().await.contains(&month),
        "{}",
        cadre.text().await
    );
    // A refused action shows the reason: the same month twice.
    assert_eq!(
        cadre
            .open(&format!("/households/{waiting}/case/follow-up"))
            .await,
        200
    );
    assert!(cadre.text().await.contains("本月已有跟踪记录"));
    cadre.fill("input[name=income]", "7800").await;
    let status = cadre.click_nav("#follow-up-form button[type=submit]").await;
    assert!(
        status == 409 || status == 422,
        "second record of a month refused: {status}"
    );

    // The printable notice of an eliminated household.
    let eliminated = demo_case(h, Lifecycle::Eliminated, |_| true).await;
    assert_eq!(vt.open(&format!("/households/{eliminated}")).await, 200);
    assert_eq!(vt.click_link("退出告知书").await, 200);
    let text = vt.text().await;
    assert!(text.contains("告字第") && text.contains("风险"), "{text}");
    vt.shoot("notice").await;
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

/// A 1×1 PNG's leading bytes (the store checks the type by them).
const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x02\0\0\0\x90wS\xde";

/// Submits `form` and waits for the page that answers.
async fn submit(tab: &harness::Tab, form: &str) -> u16 {
    tab.click_nav(&format!("{form} button[type=submit]")).await
}

/// One household of the demo village from a 农户申请 clue to 风险消除 and the printed notice, every
/// step through its page, logging in as each role in turn: the village team (clue, 启动识别, 入户核查
/// on a phone with a photo, 信息比对, 民主评议, 公示, 公示期满 — too early first —, cadre, plan, exit
/// steps, notice), the township admin (绿色通道 offered, 乡镇审核), the county admin (县级审定,
/// 纳入监测), the cadre (measure started, completion refused without evidence then done with a file,
/// seven monthly follow-ups, the last with its 收支测算). Dates are those of 2022 (the demo county's year), typed into each
/// form's date field, as the API's end-to-end test fixes its "today".
async fn village_journey(h: &Harness) {
    use shouwang_core::monitoring::Lifecycle;
    let area = demo_area("village_team");
    let county = Scope::new(0, Role::CountyAdmin, "141123".to_string());
    let fresh = registry::search(
        &h.db,
        &county,
        &RegistryQuery {
            base: HouseholdQuery {
                village: Some(area.to_string()),
                ..Default::default()
            },
            lifecycle: Some(None),
            risk: None,
        },
        1,
        5,
    )
    .await
    .expect("households without a case");
    let number = fresh
        .items
        .first()
        .expect("a household without a case")
        .number
        .clone();
    // Set up as the office would: the 2022 income record of the registry (above the line), and a
    // county that defers no category (缓退), so that the appraisal eliminates the risk.
    let detail = households::get(&h.db, &county, &number)
        .await
        .expect("household")
        .expect("in the county");
    let members = detail.household.members.len() as u32;
    let income = shouwang_core::IncomeRecord {
        year: 2022,
        wage: shouwang_core::Fen::from_yuan(12_000 * i64::from(members)),
        members,
        ..Default::default()
    };
    let income_version = detail
        .incomes
        .iter()
        .find(|e| e.record.year == 2022)
        .map(|e| e.version);
    // (an import: the visits of 2022 replace it — a record entered by hand today would be a verified
    // record of a later date, which a 2022 visit does not replace)
    shouwang_store::repo::income::upsert(
        &h.db,
        &shouwang_store::Actor::system(),
        &number,
        &income,
        shouwang_core::income::IncomeSource::Import,
        income_version,
    )
    .await
    .expect("income 2022");
    let admin_caller = shouwang_app::caller_by_username(&h.db, "county_admin")
        .await
        .expect("caller")
        .expect("county admin");
    let stored = shouwang_store::repo::rules::get(&h.db, "141123")
        .await
        .expect("rules");
    let mut rules = stored.rules.clone();
    rules.exit.deferred.clear();
    shouwang_store::repo::rules::set(
        &h.db,
        &shouwang_store::Actor::new(admin_caller.user_id, "县级管理员"),
        &admin_caller.scope,
        "141123",
        &rules,
        stored.version,
    )
    .await
    .expect("rules saved");
    let files = tempfile::tempdir().expect("temp dir");
    let photo = files.path().join("入户照片.png");
    std::fs::write(&photo, PNG).expect("photo");
    let payroll = files.path().join("工资发放表.png");
    std::fs::write(&payroll, PNG).expect("payroll");
    let hh = format!("/households/{number}");

    // The village team: the application clue and 启动识别.
    let vt = h.login_as("village_team").await;
    assert_eq!(vt.open(&hh).await, 200);
    assert_eq!(vt.click_link("登记线索").await, 200);
    vt.fill("input[name=applicant]", "户主本人").await;
    vt.fill("textarea[name=stated_cause]", "务工受伤，收入骤减")
        .await;
    vt.fill("input[name=reporter]", "户主本人").await;
    vt.set_value("input[name=reported_on]", "2022-01-03").await;
    vt.eval("document.querySelector('input[name=risk][value=\"05\"]').click()")
        .await;
    assert_eq!(submit(&vt, "#clue-form").await, 200);
    assert!(vt.text().await.contains("农户申请"));
    vt.set_value("#start-ident input[name=on]", "2022-01-04")
        .await;
    assert_eq!(vt.click_nav("#start-ident button").await, 200);
    assert!(vt.text().await.contains("识别中"));

    // 入户核查 on a phone: findings, income, signature and a photo from the camera.
    vt.viewport(harness::PHONE).await;
    assert_eq!(vt.click_nav("#ident-step").await, 200);
    assert_eq!(vt.path().await, format!("{hh}/case/ident"));
    let text = vt.text().await;
    for want in [
        "入户核查",
        "两不愁",
        "三保障问题",
        "饮水安全",
        "承诺授权",
        "农户签字",
        "入户照片",
    ] {
        assert!(text.contains(want), "{want} missing: {text}");
    }
    vt.set_value("#step-form input[name=on]", "2022-01-05")
        .await;
    vt.fill("input[name=visitors]", "李四、王五").await;
    vt.fill(
        "textarea[name=findings]",
        "户主务工受伤住院，家庭收入明显下降",
    )
    .await;
    // the 12 months before identification: 2021 (it becomes the household's 2021 record)
    vt.fill("input[name=inc_year]", "2021").await;
    vt.fill("input[name=inc_wage]", "9000").await;
    vt.fill("input[name=inc_medical]", "6000").await;
    vt.set_value("input[name=auth_on]", "2022-01-05").await;
    vt.upload("input[name=photo]", &photo).await;
    vt.shoot("ident-verification").await;
    vt.viewport(harness::PHONE).await;
    assert_eq!(submit(&vt, "#step-form").await, 200);
    assert_eq!(vt.path().await, format!("{hh}?done=1"));
    assert!(
        vt.text().await.contains("入户核查 2022-01-05"),
        "{}",
        vt.text().await
    );
    let rec = shouwang_store::repo::cases::get(&h.db, &county, &number)
        .await
        .expect("case")
        .expect("case");
    let visit = rec
        .case
        .identification
        .as_ref()
        .and_then(|i| i.verification())
        .expect("verification");
    assert_eq!(visit.attachments.len(), 1, "the photo is kept");
    assert_eq!(visit.attachments[0].name, "入户照片.png");
    vt.viewport(harness::DESKTOP).await;

    // 信息比对, 民主评议, 公示.
    assert_eq!(vt.click_nav("#ident-step").await, 200);
    assert!(vt.text().await.contains("信息比对"));
    vt.set_value("#step-form input[name=on]", "2022-01-06")
        .await;
    vt.eval("document.querySelector('input[name=checked_with][value=\"财政\"]').click()")
        .await;
    vt.eval("document.querySelector('input[name=checked_with][value=\"公安\"]').click()")
        .await;
    vt.shoot("ident-compare").await;
    assert_eq!(submit(&vt, "#step-form").await, 200);
    assert_eq!(vt.click_nav("#ident-step").await, 200);
    assert!(vt.text().await.contains("民主评议"));
    vt.set_value("#step-form input[name=on]", "2022-01-07")
        .await;
    vt.fill("input[name=attendance]", "28").await;
    vt.fill("textarea[name=minutes]", "村民代表逐户评议，同意纳入")
        .await;
    vt.shoot("ident-appraisal").await;
    assert_eq!(submit(&vt, "#step-form").await, 200);
    assert_eq!(vt.click_nav("#ident-step").await, 200);
    assert!(vt.text().await.contains("公示地点"));
    vt.set_value("#step-form input[name=on]", "2022-01-07")
        .await;
    vt.shoot("ident-notice").await;
    assert_eq!(submit(&vt, "#step-form").await, 200);

    // The township admin is offered the green channel on the identification page.
    let town = h.login_as("township_admin").await;
    assert_eq!(town.open(&format!("{hh}/case/ident")).await, 200);
    assert_eq!(town.count("#green-form").await, 1);
    let text = town.text().await;
    assert!(
        text.contains("下一步：公示期满（村级工作专班）"),
        "where the case stands: {text}"
    );
    town.shoot("ident-green-channel").await;
    town.fill(
        "#green-form textarea[name=reason]",
        "户主务工受伤住院，家庭无收入",
    )
    .await;
    town.set_value("#green-form input[name=on]", "2022-01-10")
        .await;
    assert_eq!(submit(&town, "#green-form").await, 200);
    assert_eq!(town.path().await, format!("{hh}?done=1"));
    assert_eq!(town.open(&format!("{hh}/case/ident")).await, 200);
    assert!(town.text().await.contains("已开通绿色通道"));

    // 公示期满: too early is refused (409) with the reason on the form; then on time.
    assert_eq!(vt.click_nav("#ident-step").await, 200);
    assert!(vt.text().await.contains("公示期满"));
    vt.set_value("#step-form input[name=on]", "2022-01-08")
        .await;
    assert_eq!(submit(&vt, "#step-form").await, 409);
    assert_eq!(vt.count("#form-error").await, 1);
    vt.shoot("ident-close-refused").await;
    vt.set_value("#step-form input[name=on]", "2022-01-12")
        .await;
    assert_eq!(submit(&vt, "#step-form").await, 200);
    assert!(vt.text().await.contains("乡镇审核"));

    // 乡镇审核 by the township, 县级审定 and 纳入监测 by the county.
    assert_eq!(town.open(&hh).await, 200);
    town.set_value("#review-form input[name=on]", "2022-01-13")
        .await;
    town.fill("#review-form input[name=opinion]", "同意").await;
    assert_eq!(submit(&town, "#review-form").await, 200);
    let admin = h.login_as("county_admin").await;
    assert_eq!(admin.open(&hh).await, 200);
    admin
        .select(
            "#review-form select[name=monitored_type]",
            "sudden_hardship",
        )
        .await;
    admin
        .set_value("#review-form input[name=on]", "2022-01-14")
        .await;
    assert_eq!(submit(&admin, "#review-form").await, 200);
    admin
        .set_value("#review-form input[name=on]", "2022-01-17")
        .await;
    assert_eq!(submit(&admin, "#review-form").await, 200);
    assert!(admin.text().await.contains("监测帮扶中"));

    // The village team names the cadre and plans a 公益岗位.
    assert_eq!(vt.open(&hh).await, 200);
    assert_eq!(vt.click_link("确定帮扶责任人").await, 200);
    let cadre_id: String = serde_json::from_value(
        vt.eval("[...document.querySelectorAll('select[name=cadre] option')].find(o => o.innerText.startsWith('帮扶责任人')).value")
            .await,
    )
    .expect("the demo cadre is offered");
    vt.select("select[name=cadre]", &cadre_id).await;
    vt.fill("input[name=unit]", "圪塔上乡人民政府").await;
    vt.set_value("#cadre-form input[name=on]", "2022-01-18")
        .await;
    assert_eq!(submit(&vt, "#cadre-form").await, 200);
    assert_eq!(vt.click_link("制定帮扶措施").await, 200);
    vt.select("select[name=class]", "public_welfare_post").await;
    vt.fill("input[name=item]", "光伏公益岗").await;
    vt.set_value("input[name=planned_on]", "2022-02-28").await;
    vt.fill("input[name=unit]", "村委会").await;
    vt.set_value("#plan-form input[name=on]", "2022-01-20")
        .await;
    assert_eq!(submit(&vt, "#plan-form").await, 200);
    assert!(vt.text().await.contains("光伏公益岗"));

    // The cadre starts the measure and completes it: refused without evidence, then with a file.
    let cadre = h.login_as("cadre").await;
    assert_eq!(cadre.open(&hh).await, 200);
    assert_eq!(cadre.click_nav("a.measure-link").await, 200);
    cadre
        .set_value("#measure-form input[name=on]", "2022-02-01")
        .await;
    cadre.fill("textarea[name=note]", "已上岗").await;
    cadre.shoot("measure-start").await;
    assert_eq!(submit(&cadre, "#measure-form").await, 200);
    assert!(cadre.text().await.contains("实施中"));
    assert_eq!(cadre.click_nav("a.measure-link").await, 200);
    cadre
        .set_value("#measure-form input[name=on]", "2022-02-15")
        .await;
    cadre
        .fill("textarea[name=description]", "已上岗，按月发放工资")
        .await;
    assert_eq!(submit(&cadre, "#measure-form").await, 422);
    assert!(
        cadre.text().await.contains("佐证"),
        "{}",
        cadre.text().await
    );
    cadre.shoot("measure-refused").await;
    cadre.upload("input[name=evidence]", &payroll).await;
    assert_eq!(submit(&cadre, "#measure-form").await, 200);
    assert!(cadre.text().await.contains("已完成"));

    // Seven monthly follow-ups (February to August) on a phone; August's with the year's 收支测算 (the
    // year and 家庭人口 filled in), which becomes the household's 2022 record, source 月度走访.
    cadre.viewport(harness::PHONE).await;
    for m in 2..=8 {
        assert_eq!(
            cadre
                .open(&format!("{hh}/case/follow-up?month=2022-{m:02}"))
                .await,
            200
        );
        cadre
            .set_value("input[name=visited_on]", &format!("2022-{m:02}-10"))
            .await;
        if m == 8 {
            cadre.fill("input[name=inc_wage]", "80000").await;
            cadre.shoot("follow-up-income").await;
        } else {
            cadre.fill("input[name=income]", "9000").await;
        }
        assert_eq!(submit(&cadre, "#follow-up-form").await, 200);
    }
    assert!(cadre.text().await.contains("2022-08"));
    let detail = households::get(&h.db, &county, &number)
        .await
        .expect("household")
        .expect("in the county");
    let y2022 = detail.incomes.iter().find(|e| e.record.year == 2022);
    assert_eq!(
        y2022.map(|e| (e.source, e.record.wage, e.record.members)),
        Some((
            shouwang_core::income::IncomeSource::FollowUp,
            shouwang_core::Fen::from_yuan(80_000),
            members
        ))
    );
    cadre.viewport(harness::DESKTOP).await;

    // The exit steps by the village team, to the numbered notice.
    assert_eq!(vt.open(&hh).await, 200);
    assert_eq!(vt.click_nav("#exit-step").await, 200);
    assert!(vt.text().await.contains("预判提名"));
    vt.set_value("#step-form input[name=on]", "2022-09-15")
        .await;
    vt.shoot("exit-nomination").await;
    assert_eq!(submit(&vt, "#step-form").await, 200);
    assert_eq!(vt.click_nav("#exit-step").await, 200);
    assert!(vt.text().await.contains("预判会议决定"));
    assert_eq!(vt.count("#withdraw-form").await, 1, "终止 offered");
    vt.set_value("#step-form input[name=on]", "2022-09-16")
        .await;
    vt.fill("input[name=attendance]", "9").await;
    vt.shoot("exit-meeting").await;
    assert_eq!(submit(&vt, "#step-form").await, 200);
    vt.viewport(harness::PHONE).await;
    assert_eq!(vt.click_nav("#exit-step").await, 200);
    assert!(vt.text().await.contains("入户核查"));
    vt.set_value("#step-form input[name=on]", "2022-09-20")
        .await;
    vt.fill("input[name=visitors]", "李四、王五").await;
    vt.fill("textarea[name=findings]", "公益岗位稳定，收入恢复")
        .await;
    vt.fill("input[name=industry]", "光伏公益岗位").await;
    vt.fill("input[name=inc_year]", "2022").await;
    vt.fill("input[name=inc_wage]", "90000").await;
    vt.set_value("input[name=auth_on]", "2022-09-20").await;
    vt.upload("input[name=photo]", &photo).await;
    vt.shoot("exit-check").await;
    vt.viewport(harness::PHONE).await;
    assert_eq!(submit(&vt, "#step-form").await, 200, "{}", vt.text().await);
    vt.viewport(harness::DESKTOP).await;
    assert_eq!(vt.click_nav("#exit-step").await, 200);
    assert!(vt.text().await.contains("民主评议"));
    vt.set_value("#step-form input[name=on]", "2022-09-26")
        .await;
    vt.fill("input[name=attendance]", "30").await;
    vt.select("select[name=mode]", "assisted").await;
    vt.shoot("exit-appraisal").await;
    assert_eq!(submit(&vt, "#step-form").await, 200);
    assert!(vt.text().await.contains("风险消除"), "{}", vt.text().await);
    assert_eq!(vt.click_nav("#exit-step").await, 200);
    assert!(vt.text().await.contains("退出告知"));
    vt.set_value("#step-form input[name=on]", "2022-09-28")
        .await;
    vt.shoot("exit-notice-step").await;
    assert_eq!(submit(&vt, "#step-form").await, 200);
    assert_eq!(vt.path().await, format!("{hh}/notice"));
    let text = vt.text().await;
    assert!(
        text.contains("告字第") && text.contains("2022年9月28日"),
        "{text}"
    );
    vt.shoot("journey-notice").await;
    let rec = shouwang_store::repo::cases::get(&h.db, &county, &number)
        .await
        .expect("case")
        .expect("case");
    assert_eq!(rec.lifecycle, Lifecycle::Eliminated);
    let august = rec
        .case
        .follow_ups
        .month(shouwang_core::monitoring::YearMonth::new(2022, 8).expect("month"))
        .expect("August's follow-up");
    assert_eq!(
        august.visit.per_capita_income_estimate,
        shouwang_core::Fen::from_yuan(80_000).div_round(i64::from(members)),
        "the estimate is the record's"
    );
    assert_eq!(vt.open(&hh).await, 200);
    // The exit's 入户核查 (September) counts for 2022; August's follow-up figures are listed, not counted.
    let rows = vt
        .eval("[...document.querySelectorAll('#household-incomes tr.not-counted')].map(r => r.innerText).join('|')")
        .await;
    let rows = rows.as_str().unwrap_or_default();
    assert!(
        rows.split('|')
            .any(|r| r.contains("月度走访") && r.contains("2022-08-10") && r.contains("不计入")),
        "{rows}"
    );
    vt.shoot("journey-household").await;
}

/// 干部排查: the village team screens the whole village on one page (a card per household on a phone)
/// and records a round without findings; it shows in the village's 排查台账.
async fn cadre_round(h: &Harness) {
    let tab = h.login_as("village_team").await;
    assert_eq!(tab.click_nav("a[href='/screening/cadre']").await, 200);
    let households = tab.count("#round-households tbody tr").await;
    assert!(households > 0, "the village's households are listed");
    tab.shoot("cadre-round").await;
    tab.fill("input[name='label']", "浏览器测试排查").await;
    assert_eq!(
        tab.click_nav("#round-form button[type='submit']").await,
        200
    );
    assert!(tab.count("#round-done").await == 1, "{}", tab.text().await);
    assert!(tab.text().await.contains("浏览器测试排查"));
    assert_eq!(tab.count("#round-ledger tbody tr").await, 1);
    tab.shoot("cadre-round-done").await;
}
