//! 户情变更 through the real router on both databases, with the demo county: the `/api/v1` routes (201,
//! 409 on a stale version, 404 for another village, 403 for a role that may not, 422 with the reason,
//! nothing written when refused) and the household page's forms (CSRF, the form again with the reason
//! and the user's input, back to the household page with a confirmation).

use axum::Router;
use axum::http::StatusCode;
use serde_json::{Value, json};
use shouwang_app::demo;
use shouwang_core::codes::Relation;
use shouwang_core::idnum::make;
use shouwang_store::{Db, db_test};
use shouwang_web::{AppState, router};
use tower::ServiceExt;

mod common;
use common::{api_json, api_login, body_text, count, csrf_of, get, login, post_form};

/// The demo village team's village.
const VILLAGE: &str = "141123208201";

/// The demo county (120 households), the router, a household of the village team's village with a member
/// besides the head, and a household of another village.
async fn setup(db: &Db) -> (Router, String, String) {
    let county = demo::generate(120, 7);
    demo::load(db, &county, &|_, _| {})
        .await
        .expect("demo load");
    let mine = county
        .households
        .iter()
        .map(|d| &d.household)
        .find(|h| {
            h.village.as_str() == VILLAGE
                && h.members.len() >= 2
                && h.members.iter().any(|m| m.relation != Relation::Head)
        })
        .expect("a household of the demo village with two members")
        .number
        .clone();
    let other = county
        .households
        .iter()
        .map(|d| &d.household)
        .find(|h| h.village.as_str() != VILLAGE)
        .expect("a household elsewhere")
        .number
        .clone();
    (router(AppState::new(db.clone())), mine, other)
}

async fn audit_rows(db: &Db) -> i64 {
    count(db, "SELECT COUNT(*) FROM audit_log").await
}

/// The ID number of a child born on 2024-05-06 with a wrong check character.
fn bad_id(seq: u16) -> String {
    let good = make(
        141123,
        chrono::NaiveDate::from_ymd_opt(2024, 5, 6).unwrap(),
        seq,
    )
    .to_string();
    let last = if good.ends_with('1') { '2' } else { '1' };
    format!("{}{last}", &good[..17])
}

/// A new member's JSON: a child born on 2024-05-06.
fn baby(seq: u16) -> Value {
    let id = make(
        141123,
        chrono::NaiveDate::from_ymd_opt(2024, 5, 6).unwrap(),
        seq,
    );
    json!({
        "reason": "birth",
        "id_number": id.to_string(),
        "name": "测试小宝",
        "relation": "grandson",
        "labour": "none",
        "health": ["healthy"],
        "school": "preschool_age",
        "has_medical_insurance": true,
    })
}

db_test!(
    fn household_changes_through_the_api(db: Db) {
        let (app, h, other) = setup(&db).await;
        let team = api_login(&app, "village_team").await;
        let path = format!("/api/v1/households/{h}");
        let (s, before) = api_json(&app, "GET", &path, Some(&team), None).await;
        assert_eq!(s, StatusCode::OK, "{before}");
        let version = before["version"].as_i64().unwrap();
        let size = before["members"].as_array().unwrap().len();
        let members = format!("{path}/members");

        // Refused, nothing written: stale (409), another village (404), roles (403), bad input (422).
        let mut others = Vec::new();
        for user in ["cadre", "department", "auditor"] {
            others.push((user, api_login(&app, user).await));
        }
        let n = audit_rows(&db).await;
        let add = |v: i64, m: Value| json!({"version": v, "member": m});
        let (s, e) = api_json(
            &app,
            "POST",
            &members,
            Some(&team),
            Some(add(version + 5, baby(31))),
        )
        .await;
        assert_eq!(
            (s, e["code"].as_str()),
            (StatusCode::CONFLICT, Some("stale_version")),
            "{e}"
        );
        assert!(
            !e["message_zh"].as_str().unwrap().is_empty()
                && !e["message_en"].as_str().unwrap().is_empty()
        );
        let elsewhere = format!("/api/v1/households/{other}/members");
        let (s, e) = api_json(
            &app,
            "POST",
            &elsewhere,
            Some(&team),
            Some(add(1, baby(31))),
        )
        .await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{e}");
        for (user, t) in &others {
            let (s, e) = api_json(
                &app,
                "POST",
                &members,
                Some(t),
                Some(add(version, baby(31))),
            )
            .await;
            assert_eq!(s, StatusCode::FORBIDDEN, "{user}: {e}");
        }
        let mut bad = baby(31);
        bad["id_number"] = json!(bad_id(31));
        let (s, e) = api_json(&app, "POST", &members, Some(&team), Some(add(version, bad))).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
        assert!(
            e["message_zh"].as_str().unwrap().contains("身份证号"),
            "{e}"
        );
        let mut head = baby(31);
        head["relation"] = json!("head");
        head["reason"] = json!("marriage");
        let (s, e) = api_json(
            &app,
            "POST",
            &members,
            Some(&team),
            Some(add(version, head)),
        )
        .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
        assert!(e["message_zh"].as_str().unwrap().contains("户主"), "{e}");
        let (s, e) = api_json(
            &app,
            "POST",
            &members,
            Some(&team),
            Some(json!({"version": version, "member": baby(31), "x": 1})),
        )
        .await;
        assert!(s.is_client_error(), "unknown field: {s} {e}");
        assert_eq!(audit_rows(&db).await, n, "refusals wrote nothing");

        // 新增成员 (出生): 201 with the versions.
        let (s, done) = api_json(
            &app,
            "POST",
            &members,
            Some(&team),
            Some(add(version, baby(31))),
        )
        .await;
        assert_eq!(s, StatusCode::CREATED, "{done}");
        assert_eq!(done["version"], version + 1);
        assert_eq!(done["written"], true);
        let member_id = done["member_id"].as_str().unwrap().to_owned();
        assert_eq!(audit_rows(&db).await, n + 1);
        let (_, now) = api_json(&app, "GET", &path, Some(&team), None).await;
        let kid = now["members"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["member_id"] == member_id.as_str())
            .expect("the new member")
            .clone();
        assert_eq!(kid["name"], "测试小宝");
        assert!(
            kid["id_number"].as_str().unwrap().contains("****"),
            "masked for a village team"
        );

        // 低保 granted (the member's version); stale again → 409.
        let one = format!("{members}/{member_id}");
        let body = json!({"version": kid["version"], "fields": {"dibao": "rural", "school": null}});
        let (s, d) = api_json(&app, "PATCH", &one, Some(&team), Some(body.clone())).await;
        assert_eq!(s, StatusCode::OK, "{d}");
        assert_eq!(d["member_version"], 2);
        let (s, e) = api_json(&app, "PATCH", &one, Some(&team), Some(body)).await;
        assert_eq!(
            (s, e["code"].as_str()),
            (StatusCode::CONFLICT, Some("stale_version")),
            "{e}"
        );
        let (s, e) = api_json(
            &app,
            "PATCH",
            &one,
            Some(&team),
            Some(json!({"version": 2, "fields": {"dibao": "lots"}})),
        )
        .await;
        assert!(s.is_client_error(), "{s} {e}");

        // 减员 (死亡): kept apart as a former member; the household's size back to what it was.
        let version = done["version"].as_i64().unwrap();
        let (s, d) = api_json(
            &app,
            "POST",
            &format!("{one}/departure"),
            Some(&team),
            Some(json!({"version": version, "reason": "death", "on": "2025-01-02"})),
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{d}");
        let (_, now) = api_json(&app, "GET", &path, Some(&team), None).await;
        assert_eq!(now["members"].as_array().unwrap().len(), size);
        assert_eq!(now["former_members"][0]["name"], "测试小宝");
        assert_eq!(now["former_members"][0]["reason"], "death");
        assert_eq!(now["former_members"][0]["left_on"], "2025-01-02");
        let (s, e) = api_json(
            &app,
            "POST",
            &format!("{one}/departure"),
            Some(&team),
            Some(json!({"version": version + 1, "reason": "death"})),
        )
        .await;
        assert_eq!(
            s,
            StatusCode::NOT_FOUND,
            "a former member cannot leave again: {e}"
        );

        // 变更户主 and the household's fields.
        let version = now["version"].as_i64().unwrap();
        let next = now["members"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["relation"] != "head")
            .unwrap()["member_id"]
            .clone();
        let (s, e) = api_json(
            &app,
            "POST",
            &format!("{path}/head"),
            Some(&team),
            Some(json!({"version": version - 1, "member": next, "former_head_becomes": "father"})),
        )
        .await;
        assert_eq!(s, StatusCode::CONFLICT, "{e}");
        let (s, d) = api_json(
            &app,
            "POST",
            &format!("{path}/head"),
            Some(&team),
            Some(json!({"version": version, "member": next, "former_head_becomes": "father"})),
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{d}");
        let version = d["version"].as_i64().unwrap();
        let (s, e) = api_json(
            &app,
            "PATCH",
            &format!("/api/v1/households/{other}"),
            Some(&team),
            Some(json!({"version": 1, "fields": {"phone": "13900000000"}})),
        )
        .await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{e}");
        let (s, d) = api_json(&app, "PATCH", &path, Some(&team), Some(json!({"version": version, "fields": {"is_relocated": true, "phone": "13900000000"}}))).await;
        assert_eq!(s, StatusCode::OK, "{d}");
        let (_, now) = api_json(&app, "GET", &path, Some(&team), None).await;
        assert_eq!(
            (now["is_relocated"].as_bool(), now["phone"].as_str()),
            (Some(true), Some("13900000000"))
        );
        let head = now["members"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["relation"] == "head")
            .unwrap();
        assert_eq!(head["member_id"], next);

        // A browser session (cookie) needs the CSRF header for a write.
        let cookie = login(&app, "village_team").await;
        let req = axum::http::Request::builder()
            .method("PATCH")
            .uri(&path)
            .header("cookie", &cookie)
            .header("content-type", "application/json")
            .body(axum::body::Body::from(
                json!({"version": now["version"], "fields": {"phone": ""}}).to_string(),
            ))
            .unwrap();
        let resp = app.clone().oneshot(req).await.unwrap();
        assert_eq!(resp.status(), StatusCode::FORBIDDEN);
    }
);

db_test!(
    fn household_change_forms(db: Db) {
        let (app, h, other) = setup(&db).await;
        let cookie = login(&app, "village_team").await;
        let page = body_text(
            app.clone()
                .oneshot(get(&format!("/households/{h}"), &cookie))
                .await
                .unwrap(),
        )
        .await;
        assert!(
            page.contains("新增成员") && page.contains("class=\"member-edit\""),
            "links for a village team"
        );
        let csrf = csrf_of(&page);

        // A cadre sees the household but no change links, and may not open a form.
        let cadre = login(&app, "cadre").await;
        let cpage = body_text(
            app.clone()
                .oneshot(get(&format!("/households/{h}"), &cadre))
                .await
                .unwrap(),
        )
        .await;
        assert!(!cpage.contains("id=\"change-links\"") && !cpage.contains("member-edit"));
        let resp = app
            .clone()
            .oneshot(get(&format!("/households/{h}/members/new"), &cadre))
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::FORBIDDEN);
        // Another village's household: 404.
        let resp = app
            .clone()
            .oneshot(get(&format!("/households/{other}/members/new"), &cookie))
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::NOT_FOUND);

        // The add form; a POST without the CSRF field is refused.
        let form_page = body_text(
            app.clone()
                .oneshot(get(&format!("/households/{h}/members/new"), &cookie))
                .await
                .unwrap(),
        )
        .await;
        let version: String = form_page
            .split("name=\"version\" value=\"")
            .nth(1)
            .and_then(|s| s.split('"').next())
            .unwrap()
            .to_owned();
        let new = format!("/households/{h}/members/new");
        let id = make(
            141123,
            chrono::NaiveDate::from_ymd_opt(2024, 5, 6).unwrap(),
            41,
        );
        let fields = |id: &str| {
            format!(
                "version={version}&reason=birth&name=%E7%8E%8B%E5%B0%8F%E4%BA%8C&id_number={id}&relation=granddaughter&labour=none&health=healthy&political=masses&insured=1&dibao=none&tekun=none"
            )
        };
        let n = audit_rows(&db).await;
        let resp = app
            .clone()
            .oneshot(post_form(
                &new,
                &cookie,
                &format!("csrf=wrong&{}", fields(&id.to_string())),
            ))
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::FORBIDDEN);
        // A bad ID number: the form again, with the reason and what was typed.
        let wrong = bad_id(41);
        let resp = app
            .clone()
            .oneshot(post_form(
                &new,
                &cookie,
                &format!("csrf={csrf}&{}", fields(&wrong)),
            ))
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let html = body_text(resp).await;
        assert!(
            html.contains("id=\"change-error\"") && html.contains("身份证号"),
            "{html}"
        );
        assert!(html.contains("value=\"王小二\"") && html.contains(&format!("value=\"{wrong}\"")));
        assert!(html.contains("value=\"granddaughter\" selected"));
        assert_eq!(audit_rows(&db).await, n);

        // Accepted: back to the household page with the confirmation and the new member.
        let resp = app
            .clone()
            .oneshot(post_form(
                &new,
                &cookie,
                &format!("csrf={csrf}&{}", fields(&id.to_string())),
            ))
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::SEE_OTHER);
        let to = resp.headers()["location"].to_str().unwrap().to_owned();
        assert!(
            to.starts_with(&format!("/households/{h}?changed=member_added")),
            "{to}"
        );
        let page = body_text(app.clone().oneshot(get(&to, &cookie)).await.unwrap()).await;
        assert!(
            page.contains("已登记新增成员") && page.contains("王小二"),
            "{page}"
        );
        assert_eq!(audit_rows(&db).await, n + 1);

        // The same form again (the version read before): refused as stale, 409, the input kept.
        let resp = app
            .clone()
            .oneshot(post_form(
                &new,
                &cookie,
                &format!(
                    "csrf={csrf}&{}",
                    fields(
                        &make(
                            141123,
                            chrono::NaiveDate::from_ymd_opt(2024, 5, 6).unwrap(),
                            51
                        )
                        .to_string()
                    )
                ),
            ))
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::CONFLICT);
        assert!(body_text(resp).await.contains("已被他人修改"));

        // 减员 through the member's forms: the edit link, the leave link, the form.
        let edit = page
            .match_indices("class=\"member-edit\"")
            .last()
            .map(|(i, _)| {
                let start = page[..i].rfind("href=\"").unwrap() + 6;
                page[start..].split('"').next().unwrap().to_owned()
            })
            .unwrap();
        let edit_page = body_text(app.clone().oneshot(get(&edit, &cookie)).await.unwrap()).await;
        assert!(edit_page.contains("修改成员信息：王小二"), "{edit_page}");
        let leave = edit.replace("/edit", "/leave");
        let leave_page = body_text(app.clone().oneshot(get(&leave, &cookie)).await.unwrap()).await;
        let hv: String = leave_page
            .split("name=\"version\" value=\"")
            .nth(1)
            .and_then(|s| s.split('"').next())
            .unwrap()
            .to_owned();
        let resp = app
            .clone()
            .oneshot(post_form(
                &leave,
                &cookie,
                &format!("csrf={csrf}&version={hv}&reason=moved_out&on=2099-01-01"),
            ))
            .await
            .unwrap();
        assert_eq!(
            resp.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "a future date"
        );
        let resp = app
            .clone()
            .oneshot(post_form(
                &leave,
                &cookie,
                &format!("csrf={csrf}&version={hv}&reason=moved_out&on=2025-02-03"),
            ))
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::SEE_OTHER);
        let page = body_text(
            app.clone()
                .oneshot(get(
                    &format!("/households/{h}?changed=member_left"),
                    &cookie,
                ))
                .await
                .unwrap(),
        )
        .await;
        let former = &page[page
            .find("id=\"former-members\"")
            .expect("former members shown")..];
        assert!(
            former.contains("王小二") && former.contains("迁出") && former.contains("2025-02-03"),
            "{former}"
        );

        // The household's fields.
        let hp = body_text(
            app.clone()
                .oneshot(get(&format!("/households/{h}/edit"), &cookie))
                .await
                .unwrap(),
        )
        .await;
        let hv: String = hp
            .split("name=\"version\" value=\"")
            .nth(1)
            .and_then(|s| s.split('"').next())
            .unwrap()
            .to_owned();
        let resp = app.clone().oneshot(post_form(&format!("/households/{h}/edit"), &cookie, &format!("csrf={csrf}&version={hv}&relocated=1&address=%E5%AE%89%E7%BD%AE%E7%82%B9&phone=abc"))).await.unwrap();
        assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(body_text(resp).await.contains("value=\"abc\""));
        let resp = app.clone().oneshot(post_form(&format!("/households/{h}/edit"), &cookie, &format!("csrf={csrf}&version={hv}&relocated=1&address=%E5%AE%89%E7%BD%AE%E7%82%B9&phone=13812345678"))).await.unwrap();
        assert_eq!(resp.status(), StatusCode::SEE_OTHER);
        let page = body_text(
            app.clone()
                .oneshot(get(&format!("/households/{h}"), &cookie))
                .await
                .unwrap(),
        )
        .await;
        assert!(
            page.contains("13812345678") && page.contains("安置点"),
            "{page}"
        );
    }
);
