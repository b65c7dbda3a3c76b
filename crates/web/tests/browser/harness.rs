//! The browser-test harness: the real server on `127.0.0.1:0` over a temporary SQLite file with a
//! small demo county, and a headless Chromium driven through the DevTools protocol (chromiumoxide).
//!
//! - Chromium is found at `SHOUWANG_CHROMIUM`, else `chromium`, `chromium-browser`, `google-chrome` on
//!   the `PATH`. Missing under CI (`CI` set and not `false`/`0`) the suite **fails**; locally it is
//!   skipped with a loud message.
//! - Every user gets its own browser context (its own cookies), so sessions never mix.
//! - The same application is served over HTTPS too ([`Harness::https_tab`]), with a self-signed
//!   certificate made for the run (`shouwang_web::tls`); Chromium runs with `--ignore-certificate-errors`
//!   for it, as a person clicks through a self-signed certificate after comparing its fingerprint.
//! - Screenshots go to `<target dir>/screenshots/` (`target/screenshots/` by default, or
//!   `$CARGO_TARGET_DIR/screenshots/`; `SHOUWANG_SCREENSHOTS` overrides), one PNG per page and width.

use std::path::{Path, PathBuf};
use std::time::Duration;

use chromiumoxide::browser::{Browser, BrowserConfig};
use chromiumoxide::cdp::browser_protocol::dom::SetFileInputFilesParams;
use chromiumoxide::cdp::browser_protocol::emulation::SetDeviceMetricsOverrideParams;
use chromiumoxide::cdp::browser_protocol::input::InsertTextParams;
use chromiumoxide::cdp::browser_protocol::network::SetUserAgentOverrideParams;
use chromiumoxide::cdp::browser_protocol::page::CaptureScreenshotFormat;
use chromiumoxide::cdp::browser_protocol::target::{
    CreateBrowserContextParams, CreateTargetParams,
};
use chromiumoxide::page::{Page, ScreenshotParams};
use futures_util::StreamExt;
use shouwang_app::demo;
use shouwang_store::Db;
use shouwang_web::{AppState, router};
use tempfile::TempDir;
use tokio::task::JoinHandle;

/// Households of the demo county the suite runs on (small: the suite must stay fast).
pub const DEMO_HOUSEHOLDS: u32 = 400;
/// The two widths every main page is checked and photographed at: an old office PC and a phone.
pub const DESKTOP: (i64, i64) = (1366, 768);
pub const PHONE: (i64, i64) = (390, 844);
/// Longest wait for one navigation or one element.
const WAIT: Duration = Duration::from_secs(20);

/// The running server and browser.
pub struct Harness {
    pub base: String,
    /// `https://127.0.0.1:PORT`: the same application and database over HTTPS.
    pub tls_base: String,
    pub db: Db,
    browser: Browser,
    handler: JoinHandle<()>,
    server: JoinHandle<()>,
    tls_server: JoinHandle<()>,
    shots: PathBuf,
    _dir: TempDir,
    _profile: TempDir,
}

/// Where Chromium is, if anywhere.
fn find_chromium() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("SHOUWANG_CHROMIUM") {
        return Some(PathBuf::from(p));
    }
    let path = std::env::var_os("PATH")?;
    for dir in std::env::split_paths(&path) {
        for name in ["chromium", "chromium-browser", "google-chrome"] {
            let p = dir.join(name);
            if p.is_file() {
                return Some(p);
            }
        }
    }
    None
}

fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false" && v != "0")
}

/// `<target dir>/screenshots`: the test binary lives in `<target dir>/<profile>/deps/`.
fn screenshot_dir() -> PathBuf {
    if let Some(p) = std::env::var_os("SHOUWANG_SCREENSHOTS") {
        return PathBuf::from(p);
    }
    let exe = std::env::current_exe().expect("test binary path");
    exe.ancestors()
        .nth(3)
        .map(|t| t.join("screenshots"))
        .unwrap_or_else(|| PathBuf::from("target/screenshots"))
}

impl Harness {
    /// Starts the server and Chromium; `None` (after a loud message) when Chromium is missing
    /// outside CI.
    pub async fn start() -> Option<Harness> {
        let Some(chromium) = find_chromium() else {
            let msg = "Chromium not found (install Debian's `chromium` package, or set SHOUWANG_CHROMIUM)";
            if in_ci() {
                panic!("browser tests: {msg}; CI must run them (.ci/run installs it)");
            }
            eprintln!("\n!!!!!!!! browser tests SKIPPED: {msg} !!!!!!!!\n");
            return None;
        };

        // The server: a temporary SQLite file with a small demo county.
        let dir = tempfile::tempdir().expect("temp dir");
        let db = Db::connect(&shouwang_store::sqlite_url(dir.path()))
            .await
            .expect("open SQLite");
        db.migrate().await.expect("migrate");
        demo::load(&db, &demo::generate(DEMO_HOUSEHOLDS, 7), &|_, _| {})
            .await
            .expect("demo load");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let base = format!("http://{}", listener.local_addr().expect("address"));
        // Attachments (the journey's photos and evidence) go to the temporary directory too.
        let app = router(AppState::new(db.clone()).with_files(dir.path().join("attachments")));
        let server = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        // The same over HTTPS, with a self-signed certificate of this run.
        let tls = shouwang_web::tls::Tls::self_signed(&dir.path().join("tls"), &[])
            .expect("self-signed certificate");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let tls_base = format!("https://{}", listener.local_addr().expect("address"));
        let listener =
            shouwang_web::tls::TlsListener::new(listener, tls.config()).expect("TLS listener");
        let app = router(
            AppState::new(db.clone())
                .with_files(dir.path().join("attachments"))
                .with_tls(true),
        );
        let tls_server = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });

        // Chromium, headless, with a profile of its own (several runs may share the machine), and a
        // Chinese browser: the pages must be Chinese without any cookie.
        let profile = tempfile::tempdir().expect("profile dir");
        let config = BrowserConfig::builder()
            .chrome_executable(&chromium)
            .new_headless_mode()
            .no_sandbox()
            .user_data_dir(profile.path())
            .viewport(None)
            .window_size(DESKTOP.0 as u32, DESKTOP.1 as u32)
            .request_timeout(WAIT)
            .arg("--disable-gpu")
            // The HTTPS server's certificate is self-signed (see the module's notes).
            .arg("--ignore-certificate-errors")
            .build()
            .expect("browser config");
        let (browser, mut handler) = Browser::launch(config)
            .await
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", chromium.display()));
        let handler = tokio::spawn(async move {
            while let Some(event) = handler.next().await {
                if event.is_err() {
                    // A message chromiumoxide does not know is not a reason to stop driving.
                    continue;
                }
            }
        });
        let shots = screenshot_dir();
        std::fs::create_dir_all(&shots).expect("screenshot dir");
        eprintln!(
            "browser tests: {} at {base}; screenshots in {}",
            chromium.display(),
            shots.display()
        );
        Some(Harness {
            base,
            tls_base,
            db,
            browser,
            handler,
            server,
            tls_server,
            shots,
            _dir: dir,
            _profile: profile,
        })
    }

    /// A fresh tab in a browser context of its own (no cookies).
    pub async fn tab(&self) -> Tab {
        self.tab_on(&self.base).await
    }

    /// A fresh tab like [`Harness::tab`] whose paths open on the HTTPS server.
    pub async fn https_tab(&self) -> Tab {
        self.tab_on(&self.tls_base).await
    }

    async fn tab_on(&self, base: &str) -> Tab {
        let ctx = self
            .browser
            .create_browser_context(CreateBrowserContextParams::default())
            .await
            .expect("browser context");
        let params = CreateTargetParams::builder()
            .url("about:blank")
            .browser_context_id(ctx)
            .build()
            .expect("target params");
        let page = self.browser.new_page(params).await.expect("new page");
        // A browser set to Chinese, as the users' are (chromiumoxide starts Chromium with `--lang=en_US`).
        let ua = page.user_agent().await.expect("user agent");
        page.set_user_agent(
            SetUserAgentOverrideParams::builder()
                .user_agent(ua)
                .accept_language("zh-CN,zh;q=0.9")
                .build()
                .expect("user agent params"),
        )
        .await
        .expect("accept-language");
        let tab = Tab {
            page,
            base: base.to_string(),
            shots: self.shots.clone(),
        };
        tab.viewport(DESKTOP).await;
        tab
    }

    /// A tab logged in as `username` through the real login form.
    pub async fn login_as(&self, username: &str) -> Tab {
        let tab = self.tab().await;
        tab.login(username, demo::DEMO_PASSWORD).await;
        assert!(
            !tab.path().await.starts_with("/login"),
            "login as {username} failed: {}",
            tab.text().await
        );
        tab
    }

    /// Closes the browser and stops the server.
    pub async fn finish(mut self) {
        let _ = self.browser.close().await;
        let _ = tokio::time::timeout(Duration::from_secs(10), self.browser.wait()).await;
        self.handler.abort();
        self.server.abort();
        self.tls_server.abort();
    }
}

/// One browser tab.
pub struct Tab {
    pub page: Page,
    base: String,
    shots: PathBuf,
}

impl Tab {
    /// Sets the viewport (the phone width with mobile emulation: meta viewport, touch).
    pub async fn viewport(&self, (w, h): (i64, i64)) {
        let params = SetDeviceMetricsOverrideParams::builder()
            .width(w)
            .height(h)
            .device_scale_factor(1.0)
            .mobile(w < 600)
            .build()
            .expect("metrics");
        self.page.execute(params).await.expect("set viewport");
    }

    /// Runs JavaScript and returns its value as JSON.
    pub async fn eval(&self, js: &str) -> serde_json::Value {
        let r = self
            .page
            .evaluate(js)
            .await
            .unwrap_or_else(|e| panic!("evaluate {js}: {e}"));
        r.value().cloned().unwrap_or(serde_json::Value::Null)
    }

    async fn eval_str(&self, js: &str) -> String {
        match self.eval(js).await {
            serde_json::Value::String(s) => s,
            other => other.to_string(),
        }
    }

    /// The visible text of the page.
    pub async fn text(&self) -> String {
        self.eval_str("document.body ? document.body.innerText : ''")
            .await
    }

    /// The path (and query) of the current page.
    pub async fn path(&self) -> String {
        self.eval_str("location.pathname + location.search").await
    }

    /// The HTTP status of the current page's navigation.
    pub async fn status(&self) -> u16 {
        self.eval("performance.getEntriesByType('navigation')[0].responseStatus")
            .await
            .as_u64()
            .unwrap_or(0) as u16
    }

    /// Marks the current document, so that a navigation can be told apart from the old page.
    async fn mark(&self) {
        self.eval("window.__swOld = true").await;
    }

    /// Waits until the marked document was replaced by a fully loaded one.
    async fn wait_new_page(&self, what: &str) {
        let deadline = tokio::time::Instant::now() + WAIT;
        loop {
            let done = self
                .page
                .evaluate("window.__swOld !== true && document.readyState === 'complete'")
                .await
                .ok()
                .and_then(|r| r.value().and_then(|v| v.as_bool()))
                .unwrap_or(false);
            if done {
                return;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "no new page after {what} (still at {})",
                self.path().await
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Opens a path of the server and returns the HTTP status.
    pub async fn open(&self, path: &str) -> u16 {
        self.mark().await;
        let url = format!("{}{path}", self.base);
        self.page
            .goto(url.as_str())
            .await
            .unwrap_or_else(|e| panic!("open {path}: {e}"));
        self.wait_new_page(path).await;
        self.status().await
    }

    /// Clicks an element that leads to a new page (a link or a submit button) and waits for it.
    pub async fn click_nav(&self, selector: &str) -> u16 {
        self.mark().await;
        self.element(selector)
            .await
            .click()
            .await
            .unwrap_or_else(|e| panic!("click {selector}: {e}"));
        self.wait_new_page(selector).await;
        self.status().await
    }

    /// Clicks the link whose text is `text` (exact, trimmed) and waits for the new page.
    pub async fn click_link(&self, text: &str) -> u16 {
        let js = format!(
            "(() => {{ const a = [...document.querySelectorAll('a, button')].find(e => e.innerText.trim() === {t}); \
             if (!a) return false; a.setAttribute('data-sw-click', '1'); return true; }})()",
            t = serde_json::Value::String(text.to_string())
        );
        assert_eq!(
            self.eval(&js).await,
            serde_json::Value::Bool(true),
            "no link or button {text:?} on {}",
            self.path().await
        );
        self.click_nav("[data-sw-click]").await
    }

    /// The element matching `selector`, waiting for it to appear.
    pub async fn element(&self, selector: &str) -> chromiumoxide::element::Element {
        let deadline = tokio::time::Instant::now() + WAIT;
        loop {
            if let Ok(e) = self.page.find_element(selector).await {
                return e;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "no element {selector} on {}",
                self.path().await
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// How many elements match `selector`.
    pub async fn count(&self, selector: &str) -> usize {
        let js = format!(
            "document.querySelectorAll({}).length",
            serde_json::Value::String(selector.to_string())
        );
        self.eval(&js).await.as_u64().unwrap_or(0) as usize
    }

    /// Types `value` into the field (emptied first) like a user would.
    pub async fn fill(&self, selector: &str, value: &str) {
        let el = self.element(selector).await;
        el.call_js_fn("function() { this.value = ''; }", false)
            .await
            .unwrap_or_else(|e| panic!("clear {selector}: {e}"));
        el.click()
            .await
            .unwrap_or_else(|e| panic!("focus {selector}: {e}"));
        if value.is_ascii() {
            el.type_str(value)
                .await
                .unwrap_or_else(|e| panic!("type into {selector}: {e}"));
        } else {
            // Chinese arrives as an input method commits it: as inserted text, not key presses.
            self.page
                .execute(InsertTextParams::new(value))
                .await
                .unwrap_or_else(|e| panic!("insert text into {selector}: {e}"));
        }
    }

    /// Picks an option of a `<select>` by value (and fires `change`).
    pub async fn select(&self, selector: &str, value: &str) {
        let el = self.element(selector).await;
        let js = format!(
            "function() {{ this.value = {v}; this.dispatchEvent(new Event('change', {{bubbles: true}})); return this.value; }}",
            v = serde_json::Value::String(value.to_string())
        );
        let r = el
            .call_js_fn(js, false)
            .await
            .unwrap_or_else(|e| panic!("select {selector}: {e}"));
        assert_eq!(
            r.result.value,
            Some(serde_json::Value::String(value.to_string())),
            "{selector} has no option {value:?}"
        );
    }

    /// Sets a field's value directly (a date picker cannot be typed into) and fires `change`.
    pub async fn set_value(&self, selector: &str, value: &str) {
        let el = self.element(selector).await;
        let js = format!(
            "function() {{ this.value = {v}; this.dispatchEvent(new Event('change', {{bubbles: true}})); return this.value; }}",
            v = serde_json::Value::String(value.to_string())
        );
        let r = el
            .call_js_fn(js, false)
            .await
            .unwrap_or_else(|e| panic!("set {selector}: {e}"));
        assert_eq!(
            r.result.value,
            Some(serde_json::Value::String(value.to_string())),
            "{selector} refused {value:?}"
        );
    }

    /// Chooses a file for a file input, as the file picker (or a phone's camera) would.
    pub async fn upload(&self, selector: &str, file: &Path) {
        let el = self.element(selector).await;
        let params = SetFileInputFilesParams::builder()
            .file(file.display().to_string())
            .backend_node_id(el.backend_node_id)
            .build()
            .expect("file input params");
        self.page
            .execute(params)
            .await
            .unwrap_or_else(|e| panic!("choose a file for {selector}: {e}"));
    }

    /// Logs in through the login form.
    pub async fn login(&self, username: &str, password: &str) -> u16 {
        self.open("/login").await;
        self.fill("input[name=username]", username).await;
        self.fill("input[name=password]", password).await;
        self.click_nav("form[action='/login'] button[type=submit]")
            .await
    }

    /// Saves a screenshot of the whole page at the desktop and the phone width, as
    /// `<name>-1366.png` and `<name>-390.png`, and checks that nothing is wider than the phone
    /// screen except inside a horizontally scrolling box.
    pub async fn shoot(&self, name: &str) {
        for size in [DESKTOP, PHONE] {
            self.viewport(size).await;
            if size == PHONE {
                // Charts redraw at the new width on the window's resize event, a moment after the
                // viewport changes (a phone opens the page at its own width): give the layout up to 3 s
                // to settle before calling it an overflow.
                let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(3);
                let overflow = loop {
                    let overflow = self
                        .eval(
                            "document.documentElement.scrollWidth - document.documentElement.clientWidth",
                        )
                        .await
                        .as_i64()
                        .unwrap_or(0);
                    if overflow <= 0 || tokio::time::Instant::now() >= deadline {
                        break overflow;
                    }
                    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                };
                assert!(
                    overflow <= 0,
                    "{name}: the page is {overflow} px wider than a {} px phone",
                    PHONE.0
                );
            }
            let height = self
                .eval("Math.ceil(document.documentElement.scrollHeight)")
                .await
                .as_i64()
                .unwrap_or(size.1)
                .clamp(size.1, 8000);
            self.viewport((size.0, height)).await;
            let png = self
                .page
                .screenshot(
                    ScreenshotParams::builder()
                        .format(CaptureScreenshotFormat::Png)
                        .build(),
                )
                .await
                .unwrap_or_else(|e| panic!("screenshot {name}: {e}"));
            let file = self.shots.join(format!("{name}-{}.png", size.0));
            write(&file, &png);
        }
        self.viewport(DESKTOP).await;
    }
}

fn write(file: &Path, bytes: &[u8]) {
    std::fs::write(file, bytes).unwrap_or_else(|e| panic!("write {}: {e}", file.display()));
}
