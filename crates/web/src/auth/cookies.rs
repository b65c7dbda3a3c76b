//! The names and attributes of the server's cookies (会话 Cookie), in one place, for a server that speaks
//! plain HTTP or HTTPS ([`crate::AppState::with_tls`]).
//!
//! Over HTTPS every cookie is `Secure` (the browser never sends it over plain HTTP) and the session cookie
//! is named `__Host-sw_session`: a browser accepts a `__Host-` cookie only when it is `Secure`, has
//! `Path=/` and no `Domain`, so neither a plain-HTTP page nor a neighbouring host of the LAN can plant or
//! overwrite it. The login form's double-submit cookie keeps its name (its `Path=/login` rules out the
//! `__Host-` prefix) and is `Secure` too. Over plain HTTP the cookies are as they always were.
//! A cookie is read only under the name of the server's own mode.

use axum::http::HeaderMap;

use crate::http::cookie::cookie;
use crate::http::i18n::LANG_COOKIE;

/// Name of the session cookie over plain HTTP.
pub const SESSION_COOKIE: &str = "sw_session";
/// Name of the session cookie over HTTPS.
pub const SESSION_COOKIE_HTTPS: &str = "__Host-sw_session";
/// Name of the login form's double-submit CSRF cookie.
pub const LOGIN_CSRF_COOKIE: &str = "sw_login_csrf";

/// The cookies of a server over plain HTTP (`Cookies::new(false)`, the default) or HTTPS.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Cookies {
    https: bool,
}

impl Cookies {
    pub const fn new(https: bool) -> Self {
        Cookies { https }
    }

    /// Whether the server speaks HTTPS.
    pub const fn https(self) -> bool {
        self.https
    }

    /// `; Secure` over HTTPS, nothing over plain HTTP.
    const fn secure(self) -> &'static str {
        if self.https { "; Secure" } else { "" }
    }

    /// The session cookie's name: [`SESSION_COOKIE_HTTPS`] over HTTPS, else [`SESSION_COOKIE`].
    pub const fn session_name(self) -> &'static str {
        if self.https {
            SESSION_COOKIE_HTTPS
        } else {
            SESSION_COOKIE
        }
    }

    /// The session token of the request, if it sent one (under this mode's name only).
    pub fn session(self, headers: &HeaderMap) -> Option<&str> {
        cookie(headers, self.session_name())
    }

    /// `Set-Cookie` of a new session.
    pub fn set_session(self, token: &str) -> String {
        format!(
            "{}={token}; Path=/; HttpOnly; SameSite=Lax{}",
            self.session_name(),
            self.secure()
        )
    }

    /// `Set-Cookie` that drops the session cookie (with the attributes a browser needs to accept it).
    pub fn clear_session(self) -> String {
        format!(
            "{}=; Path=/; Max-Age=0{}",
            self.session_name(),
            self.secure()
        )
    }

    /// The login form's double-submit token of the request, if any.
    pub fn login_csrf(self, headers: &HeaderMap) -> Option<&str> {
        cookie(headers, LOGIN_CSRF_COOKIE)
    }

    /// `Set-Cookie` of the login form's double-submit token.
    pub fn set_login_csrf(self, token: &str) -> String {
        format!(
            "{LOGIN_CSRF_COOKIE}={token}; Path=/login; HttpOnly; SameSite=Strict{}",
            self.secure()
        )
    }

    /// `Set-Cookie` that drops the login form's token after a log-in.
    pub fn clear_login_csrf(self) -> String {
        format!(
            "{LOGIN_CSRF_COOKIE}=; Path=/login; Max-Age=0{}",
            self.secure()
        )
    }

    /// `Set-Cookie` of the language switch (one year).
    pub fn set_lang(self, lang: &str) -> String {
        format!(
            "{LANG_COOKIE}={lang}; Path=/; Max-Age=31536000; SameSite=Lax{}",
            self.secure()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::header;

    #[test]
    fn plain_http_cookies_are_as_before() {
        let c = Cookies::new(false);
        assert_eq!(
            c.set_session("t"),
            "sw_session=t; Path=/; HttpOnly; SameSite=Lax"
        );
        assert_eq!(c.clear_session(), "sw_session=; Path=/; Max-Age=0");
        assert_eq!(
            c.clear_login_csrf(),
            "sw_login_csrf=; Path=/login; Max-Age=0"
        );
        assert!(!c.set_login_csrf("x").contains("Secure"));
        assert!(!c.set_lang("en").contains("Secure"));
    }

    #[test]
    fn https_cookies_are_secure_and_host_prefixed() {
        let c = Cookies::new(true);
        assert_eq!(
            c.set_session("t"),
            "__Host-sw_session=t; Path=/; HttpOnly; SameSite=Lax; Secure"
        );
        // A `__Host-` cookie is only dropped by a Set-Cookie that is itself Secure with Path=/.
        let clear = c.clear_session();
        assert!(clear.starts_with("__Host-sw_session=; Path=/;") && clear.ends_with("; Secure"));
        assert!(!clear.contains("Domain"));
        assert!(c.set_login_csrf("x").ends_with("; Secure"));
        assert!(c.clear_login_csrf().ends_with("; Secure"));
        assert!(c.set_lang("en").ends_with("; Secure"));
    }

    #[test]
    fn the_session_is_read_under_the_modes_name_only() {
        let mut h = HeaderMap::new();
        h.insert(header::COOKIE, "sw_session=plain".parse().unwrap());
        assert_eq!(Cookies::new(false).session(&h), Some("plain"));
        assert_eq!(Cookies::new(true).session(&h), None);
        h.insert(header::COOKIE, "__Host-sw_session=tls".parse().unwrap());
        assert_eq!(Cookies::new(true).session(&h), Some("tls"));
        assert_eq!(Cookies::new(false).session(&h), None);
    }
}
