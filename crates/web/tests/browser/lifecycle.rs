//! The monitoring lifecycle in the browser: the case pages of every state, a village household's whole
//! journey from clue to exit notice, and the cadre screening round.

use crate::demo_area;
use crate::harness::{self, Harness};
use shouwang_core::access::{Role, Scope};
use shouwang_store::repo::households::{self, HouseholdQuery};
use shouwang_store::repo::registry::{self, RegistryQuery};

/// Opens a case (an application clue) for a household of the demo village, as the village team would.
pub(crate) async fn open_clue(h: &Harness, number: &str) {
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
pub(crate) async fn lifecycle_pages(h: &Harness) {
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
pub(crate) async fn village_journey(h: &Harness) {
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
pub(crate) async fn cadre_round(h: &Harness) {
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

/// A 1×1 PNG's leading bytes (the store checks the type by them).
pub(crate) const PNG: &[u8] =
    b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x02\0\0\0\x90wS\xde";
