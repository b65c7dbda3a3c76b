//! Sign-in rate limits per client address and for the whole server (登录频率限制), on top of the per-name
//! [`Throttle`](super::Throttle): one host spraying passwords over many names, or many hosts together,
//! are slowed down before any password is hashed.
//!
//! Each limit is a sliding window, counted the cheap way: the attempts of the current and of the
//! previous window, the previous one weighted by how much of it still lies within one window from now.
//! Memory is bounded: at most [`MAX_ADDRESSES`] addresses are tracked (IPv6 by their /64 network, which
//! one host usually holds whole); past that, the windows that ended are forgotten, and an address that
//! still finds no room is held to the global limit only.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::http::{HeaderValue, header};
use axum::response::Response;
use shouwang_app::Kind;

use crate::http::error::AppError;

/// The limits: attempts per address and in all within a sliding window.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LoginLimits {
    pub per_address: u32,
    pub global: u32,
    pub window: Duration,
}

impl Default for LoginLimits {
    /// 120 attempts per address and 1,200 in all within 10 minutes: an office of a township behind one
    /// address signs in well below it; a guessing host is held to one attempt each 5 seconds.
    fn default() -> Self {
        LoginLimits {
            per_address: 120,
            global: 1200,
            window: Duration::from_secs(600),
        }
    }
}

/// The most client addresses tracked at once.
pub const MAX_ADDRESSES: usize = 100_000;

/// Which limit refused an attempt.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    /// Too many failed sign-ins for one user name ([`super::Throttle`]).
    Name,
    Address,
    Global,
}

impl Scope {
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Name => "name",
            Scope::Address => "address",
            Scope::Global => "global",
        }
    }
}

/// An attempt refused by a limit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limited {
    pub scope: Scope,
    /// Seconds until an attempt would be let through again (at least 1).
    pub retry_after: u64,
    /// The first refusal of this limit (and address) within its window: the one to write to the
    /// audit log.
    pub first: bool,
}

impl Limited {
    /// The refusal (429), with the wait in seconds (for a user name: in whole minutes, rounded up).
    pub fn error(&self) -> AppError {
        let s = self.retry_after;
        if self.scope == Scope::Name {
            let m = s.div_ceil(60);
            return AppError::new(
                Kind::TooMany,
                "throttled",
                format!("登录失败次数过多，请 {m} 分钟后再试"),
                format!("Too many failed logins; try again in {m} minutes"),
            );
        }
        AppError::new(
            Kind::TooMany,
            "rate_limited",
            format!("登录尝试过于频繁，请 {s} 秒后再试"),
            format!("Too many sign-in attempts; try again in {s} seconds"),
        )
    }

    /// `response` with the `Retry-After` header.
    pub fn with_retry_after(&self, mut response: Response) -> Response {
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(self.retry_after));
        response
    }
}

/// One sliding window's counts.
#[derive(Clone, Copy, Debug)]
struct Window {
    start: Instant,
    current: u32,
    previous: u32,
    /// When a refusal of this window was last audited.
    audited: Option<Instant>,
}

impl Window {
    fn new(now: Instant) -> Window {
        Window {
            start: now,
            current: 0,
            previous: 0,
            audited: None,
        }
    }

    /// Moves the window on to `now`.
    fn roll(&mut self, now: Instant, len: Duration) {
        let passed = now.saturating_duration_since(self.start);
        if passed >= len * 2 {
            self.previous = 0;
            self.current = 0;
            self.start = now;
        } else if passed >= len {
            self.previous = self.current;
            self.current = 0;
            self.start += len;
        }
    }

    /// The attempts within one window from now (the previous window weighted), rounded down.
    fn count(&self, now: Instant, len: Duration) -> f64 {
        let into = now.saturating_duration_since(self.start).as_secs_f64() / len.as_secs_f64();
        f64::from(self.previous) * (1.0 - into).max(0.0) + f64::from(self.current)
    }

    /// Seconds until the count is below `limit` again.
    fn retry_after(&self, now: Instant, len: Duration, limit: u32) -> u64 {
        let w = len.as_secs_f64();
        let t = now.saturating_duration_since(self.start).as_secs_f64();
        let limit = f64::from(limit);
        let (cur, prev) = (f64::from(self.current), f64::from(self.previous));
        let wait = if cur < limit {
            // prev × (1 − t'/w) + cur < limit
            (w * (1.0 - (limit - cur) / prev.max(1.0)) - t).max(0.0)
        } else {
            // next window: cur × (1 − s/w) < limit
            (w - t) + w * (1.0 - limit / cur)
        };
        (wait.ceil() as u64).max(1)
    }

    /// Moves the window on to `now` and refuses when it holds `limit` attempts (counting nothing).
    fn check(
        &mut self,
        now: Instant,
        len: Duration,
        limit: u32,
        scope: Scope,
    ) -> Result<(), Limited> {
        self.roll(now, len);
        if self.count(now, len) < f64::from(limit) {
            return Ok(());
        }
        Err(Limited {
            scope,
            retry_after: self.retry_after(now, len, limit),
            first: self.first_refusal(now, len),
        })
    }

    /// Whether a refusal now is the first one of the window to audit.
    fn first_refusal(&mut self, now: Instant, len: Duration) -> bool {
        let first = self.audited.is_none_or(|at| now.duration_since(at) >= len);
        if first {
            self.audited = Some(now);
        }
        first
    }
}

/// The per-address and global sliding windows of sign-in attempts.
pub struct LoginRate {
    limits: LoginLimits,
    state: Mutex<State>,
}

struct State {
    global: Window,
    addresses: HashMap<IpAddr, Window>,
}

impl Default for LoginRate {
    fn default() -> Self {
        LoginRate::new(LoginLimits::default())
    }
}

/// The key of an address: an IPv6 address by its /64 network.
fn key(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(_) => ip,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let s = v6.segments();
                IpAddr::V6(std::net::Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0))
            }
        },
    }
}

impl LoginRate {
    pub fn new(limits: LoginLimits) -> LoginRate {
        LoginRate {
            limits,
            state: Mutex::new(State {
                global: Window::new(Instant::now()),
                addresses: HashMap::new(),
            }),
        }
    }

    /// Counts one sign-in attempt from `from` (none: the address is unknown, only the global limit
    /// applies), or refuses it when a limit is reached (then nothing is counted).
    pub fn attempt(&self, from: Option<IpAddr>) -> Result<(), Limited> {
        let now = Instant::now();
        let LoginLimits {
            per_address,
            global,
            window: len,
        } = self.limits;
        let Ok(mut state) = self.state.lock() else {
            return Err(Limited {
                scope: Scope::Global,
                retry_after: len.as_secs(),
                first: false,
            });
        };
        let state = &mut *state;
        if let Some(ip) = from.map(key) {
            if !state.addresses.contains_key(&ip) && state.addresses.len() >= MAX_ADDRESSES {
                state
                    .addresses
                    .retain(|_, w| now.saturating_duration_since(w.start) < len * 2);
            }
            if state.addresses.len() < MAX_ADDRESSES {
                let w = state
                    .addresses
                    .entry(ip)
                    .or_insert_with(|| Window::new(now));
                w.check(now, len, per_address, Scope::Address)?;
            }
        }
        let g = &mut state.global;
        g.check(now, len, global, Scope::Global)?;
        g.current += 1;
        if let Some(w) = from.map(key).and_then(|ip| state.addresses.get_mut(&ip)) {
            w.current += 1;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_address_and_all_together_are_limited() {
        let rate = LoginRate::new(LoginLimits {
            per_address: 3,
            global: 5,
            window: Duration::from_secs(600),
        });
        let a: IpAddr = "10.0.0.1".parse().unwrap();
        let b: IpAddr = "2001:db8::1".parse().unwrap();
        let b2: IpAddr = "2001:db8::2".parse().unwrap();
        for _ in 0..3 {
            assert_eq!(rate.attempt(Some(a)), Ok(()));
        }
        let refused = rate.attempt(Some(a)).unwrap_err();
        assert_eq!(refused.scope, Scope::Address);
        assert!(refused.first);
        assert!((1..=600).contains(&refused.retry_after));
        assert!(!rate.attempt(Some(a)).unwrap_err().first);
        // One /64 network is one address.
        assert_eq!(rate.attempt(Some(b)), Ok(()));
        assert_eq!(rate.attempt(Some(b2)), Ok(()));
        // Five in all: the next one from anywhere is refused by the global limit.
        let g = rate.attempt(None).unwrap_err();
        assert_eq!((g.scope, g.first), (Scope::Global, true));
    }

    #[test]
    fn the_previous_window_weighs_less_as_it_passes() {
        let len = Duration::from_secs(100);
        let start = Instant::now();
        let mut w = Window::new(start);
        w.current = 10;
        w.roll(start + len, len);
        assert_eq!((w.previous, w.current), (10, 0));
        assert!((w.count(start + len + len / 2, len) - 5.0).abs() < 1e-9);
        assert_eq!(w.retry_after(start + len, len, 10), 1);
        assert_eq!(w.retry_after(start + len, len, 5), 50);
        w.roll(start + len * 3, len);
        assert_eq!((w.previous, w.current), (0, 0));
    }
}
