//! Progress of bulk work on stderr: a bar redrawn in place on a terminal, with the rate and
//! the time left; plain lines otherwise (logs and CI); nothing with `--quiet`.
//!
//! Hand-written (a counter and one line) rather than `indicatif`: the CLI needs one bar and
//! no templates, spinners or multi-bars.

use super::streams::Printer;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

pub struct Progress {
    label: String,
    total: usize,
    done: AtomicUsize,
    /// Units done before this run: not part of its rate.
    already: usize,
    started: Instant,
    tty: bool,
    quiet: bool,
    print: Printer,
    /// Last tenth printed in plain mode.
    last_tenth: Mutex<usize>,
    /// A bar is on the terminal's last line, not yet ended: [`finish`](Self::finish) ends
    /// its line, and only then (a run with nothing left to do draws no bar, and must not
    /// leave an empty line).
    drawn: AtomicBool,
}

impl Progress {
    /// A bar for `total` units of which `already` are done; nothing is drawn with `--quiet`.
    pub fn new(print: Printer, label: &str, total: usize, already: usize) -> Self {
        Self {
            label: label.to_string(),
            total,
            done: AtomicUsize::new(already),
            already,
            started: Instant::now(),
            tty: print.stderr_is_terminal(),
            quiet: print.is_quiet(),
            print,
            last_tenth: Mutex::new(already * 10 / total.max(1)),
            drawn: AtomicBool::new(false),
        }
    }

    /// One more unit done.
    pub fn advance(&self) {
        let done = self.done.fetch_add(1, Ordering::SeqCst) + 1;
        if self.quiet {
            return;
        }
        if self.tty {
            let frame = bar(
                &self.label,
                done,
                self.total,
                self.already,
                self.started.elapsed(),
            );
            self.print.frame(format_args!("\r{frame}"));
            self.drawn.store(true, Ordering::SeqCst);
        } else {
            let tenth = done * 10 / self.total.max(1);
            let mut last = self.last_tenth.lock().unwrap_or_else(|p| p.into_inner());
            if tenth > *last {
                *last = tenth;
                self.print
                    .line(format_args!("{}: {done}/{}", self.label, self.total));
            }
        }
    }

    /// A message between updates (on its own line).
    pub fn line(&self, message: String) {
        if self.quiet {
            return;
        }
        if self.tty {
            // The bar's line becomes the message's; the next advance draws the bar anew.
            self.print.line(format_args!("\r\x1b[2K{message}"));
            self.drawn.store(false, Ordering::SeqCst);
        } else {
            self.print.line(message);
        }
    }

    /// Ends the bar's line, when a bar is drawn.
    pub fn finish(&self) {
        if self.tty && !self.quiet && self.drawn.swap(false, Ordering::SeqCst) {
            self.print.line("");
        }
    }
}

/// `bulk-create [#########.....] 300/1000  52.3/s  ETA 13s`: the bar, the units done, and,
/// once this run has done some, their rate and the time left at that rate.
fn bar(label: &str, done: usize, total: usize, already: usize, elapsed: Duration) -> String {
    let width = 30;
    let filled = (done * width / total.max(1)).min(width);
    let mut line = format!(
        "{label} [{}{}] {done}/{total}",
        "#".repeat(filled),
        ".".repeat(width - filled)
    );
    let now_done = done.saturating_sub(already);
    let seconds = elapsed.as_secs_f64();
    if now_done > 0 && seconds > 0.0 {
        let rate = now_done as f64 / seconds;
        let left = total.saturating_sub(done) as f64 / rate;
        let eta = Duration::from_secs(left.ceil().min(1e9) as u64);
        line.push_str(&format!(
            "  {rate:.1}/s  ETA {}",
            humantime::format_duration(eta)
        ));
    }
    // Clears what a longer frame left on the line.
    line.push_str("\x1b[K");
    line
}

#[cfg(test)]
mod tests {
    use super::bar;
    use std::time::Duration;

    #[test]
    fn a_terminal_bar_shows_the_rate_and_the_time_left() {
        assert_eq!(
            bar("bulk-create", 300, 1000, 100, Duration::from_secs(4)),
            "bulk-create [#########.....................] 300/1000  50.0/s  ETA 14s\x1b[K"
        );
        // Nothing done in this run yet: no rate to show.
        assert_eq!(
            bar("rotate", 5, 10, 5, Duration::from_secs(1)),
            "rotate [###############...............] 5/10\x1b[K"
        );
        assert!(bar("rotate", 10, 10, 0, Duration::from_secs(2)).contains("ETA 0s"));
    }
}
