//! The progress display of a screening run (筛查进度): a bar with rows per second on a terminal, a
//! line every 2 s otherwise (for logs), none with `--quiet`. It reads the engine's counters
//! ([`shouwang_screen::Progress`]) from a thread of its own while the engine runs.

use std::io::IsTerminal;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use shouwang_screen::{Outcome, Params, Progress, ScreenError};

/// Runs the engine ([`shouwang_screen::run_dirs`]) with the progress display on stderr (none when
/// `quiet`). Returns the outcome and the time taken.
pub fn screen_with_progress(
    registry_dir: &Path,
    department_dir: &Path,
    params: &Params,
    quiet: bool,
) -> Result<(Outcome, Duration), ScreenError> {
    let progress = Progress::default();
    let done = AtomicBool::new(false);
    let started = Instant::now();
    let result = std::thread::scope(|s| {
        if !quiet {
            s.spawn(|| show_progress(&progress, &done, started));
        }
        let r = shouwang_screen::run_dirs(registry_dir, department_dir, params, &progress);
        done.store(true, Ordering::Relaxed);
        r
    });
    Ok((result?, started.elapsed()))
}

fn show_progress(p: &Progress, done: &AtomicBool, started: Instant) {
    let tick = Duration::from_millis(100);
    if std::io::stderr().is_terminal() {
        let bar = indicatif::ProgressBar::new(0);
        if let Ok(style) = indicatif::ProgressStyle::with_template(
            "{spinner} 筛查 [{elapsed}] [{bar:25}] {bytes}/{total_bytes} {msg}",
        ) {
            bar.set_style(style.progress_chars("=> "));
        }
        while !done.load(Ordering::Relaxed) {
            bar.set_length(p.bytes_total.load(Ordering::Relaxed));
            bar.set_position(p.bytes_done.load(Ordering::Relaxed));
            bar.set_message(rate(p, started));
            std::thread::sleep(tick);
        }
        bar.finish_and_clear();
    } else {
        // plain lines every 2 s, for logs
        let mut last = Instant::now();
        while !done.load(Ordering::Relaxed) {
            std::thread::sleep(tick);
            if last.elapsed() >= Duration::from_secs(2) {
                last = Instant::now();
                let total = p.bytes_total.load(Ordering::Relaxed).max(1);
                let doneb = p.bytes_done.load(Ordering::Relaxed);
                eprintln!(
                    "screen: {:.0}% of {} MiB, {}",
                    doneb as f64 * 100.0 / total as f64,
                    total >> 20,
                    rate(p, started)
                );
            }
        }
    }
}

fn rate(p: &Progress, started: Instant) -> String {
    let rows = p.rows_done.load(Ordering::Relaxed);
    let secs = started.elapsed().as_secs_f64().max(1e-3);
    format!(
        "{:.2}M rows, {:.2}M rows/s",
        rows as f64 / 1e6,
        rows as f64 / secs / 1e6
    )
}
