//! Bounded requests and uploads (issue 20) through the real router on both databases: form and JSON
//! bodies are small except on the upload routes, a client that sends its headers and then stalls is
//! cut off, and the file of an import job waits on disk in the data folder (0600), removed when the
//! job ends or once kept too long.

mod common;

use std::path::Path;
use std::time::Duration;

use axum::Router;
use axum::http::{HeaderValue, StatusCode, header};
use shouwang_app::demo;
use shouwang_app::uploads::Spool;
use shouwang_store::{Db, db_test};
use shouwang_web::http::limits::Timeouts;
use shouwang_web::http::server::serve_on;
use shouwang_web::{AppState, router};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tower::ServiceExt;

use common::{api_json, body_text, csrf_of, get, login, post_form, post_multipart, registry_csv};

async fn demo_state(db: &Db) -> AppState {
    demo::load(db, &demo::generate(30, 3), &|_, _| {})
        .await
        .expect("demo");
    let dir = tempfile::tempdir().unwrap().keep();
    AppState::new(db.clone())
        .with_files(dir.join("attachments"))
        .with_spool(Spool::new(dir.join("uploads")))
}

/// Starts a dry run of `csv` on the import page: the job's page and the form's CSRF token.
async fn dry_run_page(app: &Router, cookie: &str, csv: &str) -> (String, String) {
    let form = get("/imports/registry", cookie);
    let csrf = csrf_of(&body_text(app.clone().oneshot(form).await.unwrap()).await);
    let parts: [common::Part; 2] = [
        ("csrf", None, csrf.as_bytes()),
        ("file", Some("台账.csv"), csv.as_bytes()),
    ];
    let resp = app
        .clone()
        .oneshot(post_multipart("/imports/registry", cookie, &parts))
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    let job = resp.headers()[header::LOCATION]
        .to_str()
        .unwrap()
        .to_owned();
    (job, csrf)
}

db_test!(
    fn form_and_json_bodies_are_small_but_uploads_are_not(db: Db) {
        let app = router(demo_state(&db).await);
        // 300 KiB of JSON or of a form on an ordinary route: 413 before anything is done.
        let long = "x".repeat(300 * 1024);
        let (status, body) = api_json(
            &app,
            "POST",
            "/api/v1/login",
            None,
            Some(serde_json::json!({"username": "county_admin", "password": long})),
        )
        .await;
        assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{body}");
        assert_eq!(body["code"], "too_large");
        let resp = app
            .clone()
            .oneshot(post_form(
                "/login",
                "",
                &format!("username=a&password={long}"),
            ))
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::PAYLOAD_TOO_LARGE);
        // The same size as an upload is taken (a dry run starts).
        let cookie = login(&app, "township_admin").await;
        let mut csv = registry_csv("L", 1);
        csv.push_str(&"\n".repeat(300 * 1024));
        dry_run_page(&app, &cookie, &csv).await;
    }
);

/// Sends `head` (a request's headers and the start of its body) to the server at `addr`, then
/// stalls, and returns what the server answers before it closes the connection.
async fn stall(addr: std::net::SocketAddr, head: &str) -> String {
    let mut conn = tokio::net::TcpStream::connect(addr).await.unwrap();
    conn.write_all(head.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    // A safety net only: the server's own limits end the exchange long before.
    tokio::time::timeout(Duration::from_secs(60), conn.read_to_end(&mut answer))
        .await
        .expect("the server cut the stalled request off")
        .expect("read");
    String::from_utf8_lossy(&answer).into_owned()
}

/// Starts the server loop of `shouwang serve` on a free port with the headers' time limit `headers`.
async fn serve_with(app: Router, headers: Duration) -> std::net::SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        serve_on(listener, app, headers, std::future::pending())
            .await
            .unwrap();
    });
    addr
}

async fn serve(app: Router) -> std::net::SocketAddr {
    serve_with(app, Timeouts::default().headers).await
}

const STALLED_LOGIN: &str = "POST /login HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000\r\n\r\nusername=county_admin&pass";

db_test!(
    fn a_client_that_sends_its_headers_and_stalls_is_cut_off(db: Db) {
        let state = demo_state(&db).await;
        // The request's time runs out while the body waits.
        let addr = serve(router(state.clone().with_timeouts(Timeouts {
            request: Duration::from_millis(300),
            upload: Duration::from_secs(3600),
            body_idle: Duration::from_secs(3600),
            ..Timeouts::default()
        })))
        .await;
        let answer = stall(addr, STALLED_LOGIN).await;
        assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
        // The body stops arriving for too long (an upload route has more time, not more idle time).
        let addr = serve(router(state.with_timeouts(Timeouts {
            request: Duration::from_secs(3600),
            upload: Duration::from_secs(3600),
            body_idle: Duration::from_millis(300),
            ..Timeouts::default()
        })))
        .await;
        let answer = stall(addr, STALLED_LOGIN).await;
        assert!(answer.starts_with("HTTP/1.1 4"), "{answer}");
    }
);

db_test!(
    fn a_client_that_never_finishes_its_headers_is_cut_off(db: Db) {
        let state = demo_state(&db).await;
        let addr = serve_with(router(state.clone()), Duration::from_millis(300)).await;
        // One header line and no end of the headers (slow-loris): the connection is closed, and the
        // request never reached a route (no answer of the application).
        let answer = stall(addr, "GET /login HTTP/1.1\r\nHost: localhost\r\nX-Slow: a").await;
        assert!(!answer.contains("200 OK"), "{answer}");
        // A whole request on the same kind of server is answered: the limit is on slow headers only.
        let answer = stall(
            addr,
            "GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n",
        )
        .await;
        assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    }
);

/// The files waiting in the spool folder.
fn spooled(dir: &Path) -> Vec<std::path::PathBuf> {
    match std::fs::read_dir(dir) {
        Ok(entries) => entries.map(|e| e.unwrap().path()).collect(),
        Err(_) => Vec::new(),
    }
}

/// Waits for the API job `id` to finish.
async fn finished(app: &Router, token: &str, id: &serde_json::Value) -> serde_json::Value {
    for _ in 0..600 {
        let (_, job) = api_json(app, "GET", &format!("/api/v1/jobs/{id}"), Some(token), None).await;
        if job["finished"] == true {
            return job;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("job {id} did not finish");
}

/// Posts a multipart form to the API as the holder of `token`; the started job's id.
async fn api_job(
    app: &Router,
    token: &str,
    uri: &str,
    parts: &[common::Part<'_>],
) -> serde_json::Value {
    let mut req = post_multipart(uri, "", parts);
    req.headers_mut().insert(
        header::AUTHORIZATION,
        HeaderValue::from_str(&format!("Bearer {token}")).unwrap(),
    );
    let resp = app.clone().oneshot(req).await.unwrap();
    assert_eq!(resp.status(), StatusCode::ACCEPTED);
    let job: serde_json::Value = serde_json::from_str(&body_text(resp).await).unwrap();
    job["id"].clone()
}

/// Starts a registry import job through the API.
async fn import(app: &Router, token: &str, file: &[u8], dry_run: bool) -> serde_json::Value {
    let dry = if dry_run { "true" } else { "false" };
    let parts: [common::Part; 2] = [
        ("dry_run", None, dry.as_bytes()),
        ("file", Some("台账.xlsx"), file),
    ];
    api_job(app, token, "/api/v1/imports/registry", &parts).await
}

/// A session token of the demo user `name`.
async fn token(app: &Router, name: &str) -> String {
    let password = common::demo_password(name);
    let login = serde_json::json!({"username": name, "password": password});
    let (_, body) = api_json(app, "POST", "/api/v1/login", None, Some(login)).await;
    body["token"].as_str().unwrap().to_owned()
}

/// The import template (a real XLSX) with its first worksheet padded by 24 MiB of blanks: a zip bomb
/// of some 50 KB that inflates about a thousand times its size.
fn zip_bomb() -> Vec<u8> {
    use std::io::{Read, Write};
    let template = shouwang_io::registry_xlsx::template().unwrap();
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(template)).unwrap();
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for i in 0..zip.len() {
        let mut part = zip.by_index(i).unwrap();
        let mut data = Vec::new();
        part.read_to_end(&mut data).unwrap();
        let name = part.name().unwrap().to_string();
        if name == "xl/worksheets/sheet1.xml" {
            let text = String::from_utf8(data).unwrap();
            let at = text.find("</row>").unwrap() + "</row>".len();
            data = format!("{}{}{}", &text[..at], " ".repeat(24 << 20), &text[at..]).into_bytes();
        }
        out.start_file(name, options).unwrap();
        out.write_all(&data).unwrap();
    }
    out.finish().unwrap().into_inner()
}

db_test!(
    fn a_zip_bomb_is_refused_by_the_import_and_the_screening_round(db: Db) {
        let app = router(demo_state(&db).await);
        let bomb = zip_bomb();
        assert!(bomb.len() < 200 << 10, "{} bytes", bomb.len());
        let admin = token(&app, "township_admin").await;
        let id = import(&app, &admin, &bomb, true).await;
        let job = finished(&app, &admin, &id).await;
        let zh = job["error"]["message_zh"].as_str().unwrap_or_default();
        assert!(zh.contains("疑似压缩炸弹，已拒绝读取"), "{job}");
        let en = job["error"]["message_en"].as_str().unwrap_or_default();
        assert!(en.contains("zip bomb"), "{job}");
        // The same file as a department's: the round fails and records nothing.
        let clerk = token(&app, "department").await;
        let parts: [common::Part; 2] = [
            ("month", None, b"2022-06"),
            ("medical", Some("医保.xlsx"), &bomb),
        ];
        let id = api_job(&app, &clerk, "/api/v1/screening/rounds", &parts).await;
        let job = finished(&app, &clerk, &id).await;
        let zh = job["error"]["message_zh"].as_str().unwrap_or_default();
        assert!(zh.contains("疑似压缩炸弹"), "{job}");
    }
);

db_test!(
    fn an_import_file_waits_on_disk_until_its_job_lets_go(db: Db) {
        let state = demo_state(&db).await;
        let spool = state.spool.dir().to_path_buf();
        let app = router(state.clone());
        let token = token(&app, "township_admin").await;
        let csv = registry_csv("S", 3);
        // An import: its file is removed when the job ends (and the form's folder at once).
        let id = import(&app, &token, csv.as_bytes(), false).await;
        let job = finished(&app, &token, &id).await;
        assert_eq!(job["result"]["report"]["committed"], true, "{job}");
        assert_eq!(spooled(&spool), Vec::<std::path::PathBuf>::new());
        // A dry run keeps its file for the import that follows: on disk, readable by the server only.
        let id = import(&app, &token, csv.as_bytes(), true).await;
        finished(&app, &token, &id).await;
        let files = spooled(&spool);
        assert_eq!(files.len(), 1, "{files:?}");
        assert_eq!(std::fs::read_to_string(&files[0]).unwrap(), csv);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&files[0]).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }

        // Kept too long (here: at once), the file goes, and the import from the dry run is refused.
        let app = router(state.with_spool(Spool::new(&spool).with_keep(Duration::ZERO)));
        let cookie = login(&app, "township_admin").await;
        let (job, csrf) = dry_run_page(&app, &cookie, &csv).await;
        let mut gone = false;
        for _ in 0..600 {
            let page = body_text(app.clone().oneshot(get(&job, &cookie)).await.unwrap()).await;
            if !page.contains("http-equiv=\"refresh\"") && spooled(&spool).len() == 1 {
                gone = true;
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        assert!(gone, "the dry run finished and its file is gone");
        let number = job.trim_start_matches("/jobs/");
        let resp = app
            .clone()
            .oneshot(post_form(
                "/imports/registry/commit",
                &cookie,
                &format!("csrf={csrf}&job={number}"),
            ))
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::GONE);
    }
);
