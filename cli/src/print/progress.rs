//! Progress of bulk work on stderr: a bar redrawn in place on a terminal, plain lines
//! otherwise (logs and CI), nothing with `--quiet`.
//!
//! Hand-written (a counter and one line) rather than `indicatif`: the CLI needs one bar and
//! no templates, spinners or multi-bars.

use super::streams::Printer;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

pub struct Progress {
    label: String,
    total: usize,
    done: AtomicUsize,
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
            let width = 30;
            let filled = done * width / self.total.max(1);
            let bar: String =
                "#".repeat(filled.min(width)) + &".".repeat(width - filled.min(width));
            self.print.frame(format_args!(
                "\r{} [{bar}] {done}/{}",
                self.label, self.total
            ));
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
