//! Phase times of an import, for the debug log.

/// Phase times of an import (debug log `shouwang_store::import`).
pub(super) struct Phases {
    last: std::time::Instant,
    out: Vec<(&'static str, f64)>,
}

impl Phases {
    pub(super) fn new() -> Phases {
        Phases {
            last: std::time::Instant::now(),
            out: Vec::new(),
        }
    }

    /// Adds the time since the last mark to `what` (summed over repeated marks).
    pub(super) fn add(&mut self, what: &'static str) {
        let now = std::time::Instant::now();
        let t = (now - self.last).as_secs_f64();
        self.last = now;
        match self.out.iter_mut().find(|(w, _)| *w == what) {
            Some((_, x)) => *x += t,
            None => self.out.push((what, t)),
        }
    }

    pub(super) fn report(&self) -> String {
        self.out
            .iter()
            .map(|(w, t)| format!("{w} {t:.3} s"))
            .collect::<Vec<_>>()
            .join(", ")
    }
}
