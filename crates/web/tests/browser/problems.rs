//! 三保障和饮水安全问题整改 in the browser (issue 22): on a phone the village team records a village's
//! drinking-water problem with the township government (乡镇人民政府) as its responsible unit; a
//! rectification without evidence is refused with the reason (the form kept). The township admin, the
//! responsible unit, records the rectification on its phone with a photo from the camera (整改中, the photo
//! listed) and closes it (验收销号: 已销号); the board counts it.

use crate::harness::{Harness, PHONE};
use crate::lifecycle::PNG;

pub async fn water_problem_with_a_photo(h: &Harness) {
    let files = tempfile::tempdir().expect("temp dir");
    let photo = files.path().join("更换管道.png");
    // Other bytes than the other scenarios' photos (the store keeps one file per content).
    std::fs::write(&photo, [PNG, b"problem-evidence".as_slice()].concat()).expect("photo");
    let deadline = (shouwang_app::today() + chrono::Duration::days(10)).to_string();

    let vt = h.login_as("village_team").await;
    vt.viewport(PHONE).await;
    assert_eq!(vt.open("/problems/new").await, 200);
    vt.select("select[name=village]", "141123208201").await;
    vt.select("select[name=sector]", "drinking_water").await;
    vt.fill("textarea[name=found]", "集中供水管道冻裂，季节性缺水")
        .await;
    vt.select("select[name=unit]", "township").await;
    vt.set_value("input[name=deadline]", &deadline).await;
    assert_eq!(vt.click_nav("#problem-form button[type=submit]").await, 200);
    let problem = vt.path().await;
    assert!(problem.starts_with("/problems/"), "{problem}");
    let text = vt.text().await;
    assert!(
        text.contains("待整改") && text.contains("集中供水管道冻裂"),
        "{text}"
    );
    assert!(
        text.contains("乡镇人民政府"),
        "the responsible unit: {text}"
    );

    // A rectification without evidence: refused with the reason, the form kept.
    vt.fill(
        "#problem-rectify-form textarea[name=done]",
        "已更换管道，恢复供水",
    )
    .await;
    let status = vt
        .click_nav("#problem-rectify-form button[type=submit]")
        .await;
    assert_eq!(status, 422, "{}", vt.text().await);
    assert!(vt.text().await.contains("佐证"), "{}", vt.text().await);
    assert_eq!(vt.count("#problem-rectify-form").await, 1);

    vt.shoot("problem-refused").await;

    // The responsible unit, the township, on its phone: the rectification with a photo from the camera,
    // then 验收销号.
    let town = h.login_as("township_admin").await;
    town.viewport(PHONE).await;
    assert_eq!(town.open(&problem).await, 200);
    town.fill(
        "#problem-rectify-form textarea[name=done]",
        "已更换管道，恢复供水",
    )
    .await;
    town.upload("#problem-rectify-form input[name=evidence]", &photo)
        .await;
    assert_eq!(
        town.click_nav("#problem-rectify-form button[type=submit]")
            .await,
        200
    );
    let text = town.text().await;
    assert!(
        text.contains("整改中") && text.contains("已更换管道"),
        "{text}"
    );
    assert!(text.contains("更换管道.png"), "the photo listed: {text}");
    assert_eq!(vt.open(&problem).await, 200);
    assert_eq!(
        vt.count("#problem-accept-form").await,
        0,
        "the team does not accept"
    );
    town.fill(
        "#problem-accept-form textarea[name=opinion]",
        "经现场查看，供水恢复正常，同意销号",
    )
    .await;
    assert_eq!(
        town.click_nav("#problem-accept-form button[type=submit]")
            .await,
        200
    );
    let text = town.text().await;
    assert!(
        text.contains("已销号") && text.contains("同意销号"),
        "{text}"
    );
    assert_eq!(town.count("#problem-rectify-form").await, 0);
    town.shoot("problem-closed").await;
    assert_eq!(town.open("/problems").await, 200);
    assert!(town.text().await.contains("饮水安全"));
}
