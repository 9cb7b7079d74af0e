//! [`Printer`]: every write to stdout and stderr, and the terminal checks they depend on.

use crate::error::{CliError, CliResult};
use crate::render::columns::TableWidth;
use std::fmt::Display;
use std::io::{BufRead, IsTerminal, Write};

/// Writes to stdout and stderr by the CLI's rules. Cheap to copy: it holds only `--quiet`.
#[derive(Debug, Clone, Copy)]
pub struct Printer {
    quiet: bool,
}

impl Printer {
    pub fn new(quiet: bool) -> Self {
        Self { quiet }
    }

    /// Whether `--quiet` was given.
    pub fn is_quiet(self) -> bool {
        self.quiet
    }

    // stdout: data.

    /// Writes data to stdout, all of it, flushed. A reader that went away (`| head`) stops
    /// the command ([`CliError::StdoutClosed`]).
    pub fn data(self, bytes: impl AsRef<[u8]>) -> CliResult<()> {
        let mut out = std::io::stdout().lock();
        out.write_all(bytes.as_ref())
            .and_then(|()| out.flush())
            .map_err(Self::stdout_failed)
    }

    /// A buffered stdout for data written piece by piece (a list streamed page by page);
    /// map its errors with [`Printer::stdout_failed`].
    pub fn data_stream(self) -> std::io::BufWriter<std::io::StdoutLock<'static>> {
        std::io::BufWriter::new(std::io::stdout().lock())
    }

    /// What a failed write of data to stdout means: a closed pipe stops the command
    /// quietly, anything else is a failure.
    pub fn stdout_failed(error: std::io::Error) -> CliError {
        if error.kind() == std::io::ErrorKind::BrokenPipe {
            CliError::StdoutClosed
        } else {
            CliError::failure(format!("cannot write the output: {error}"))
        }
    }

    /// One line on stdout that reports a change already made (`deleted HASH`). A closed pipe
    /// is not an error here: the change the line reports has been made either way.
    pub fn record(self, line: impl Display) {
        let _ = writeln!(std::io::stdout().lock(), "{line}");
    }

    /// A secret on stdout. Every failure is the caller's to report, a closed pipe included:
    /// here it is not a reader that had enough, it is a secret that reached nobody.
    pub fn secret(self, text: &str) -> std::io::Result<()> {
        let mut out = std::io::stdout().lock();
        out.write_all(text.as_bytes()).and_then(|()| out.flush())
    }

    // stdin: data (`bulk-delete -`).

    /// Reads stdin to its end as text, on a blocking thread so that Ctrl-C is seen by
    /// `main` while the read waits (as at a prompt; `main` does not wait for that thread).
    pub async fn read_stdin(self) -> std::io::Result<String> {
        tokio::task::spawn_blocking(|| std::io::read_to_string(std::io::stdin().lock()))
            .await
            .map_err(std::io::Error::other)?
    }

    // stderr: everything else.

    /// Progress or a summary on stderr; nothing with `--quiet`.
    pub fn note(self, message: impl Display) {
        if !self.quiet {
            Self::stderr_line(message);
        }
    }

    /// A line on stderr that `--quiet` does not silence: a warning, a diagnostic.
    pub fn line(self, message: impl Display) {
        Self::stderr_line(message);
    }

    /// `error: …` on stderr, the word in bold red on a terminal that takes colour (never
    /// with `NO_COLOR`).
    pub fn error(self, error: &impl Display) {
        let style = anstyle::Style::new()
            .bold()
            .fg_color(Some(anstyle::AnsiColor::Red.into()));
        let _ = writeln!(anstream::stderr(), "{style}error:{style:#} {error}");
    }

    /// A progress bar's frame: redrawn in place, so without a line end.
    pub(super) fn frame(self, text: impl Display) {
        let mut err = std::io::stderr().lock();
        let _ = write!(err, "{text}");
        let _ = err.flush();
    }

    /// Never panics, unlike `eprintln!` on a closed stderr.
    fn stderr_line(line: impl Display) {
        let _ = writeln!(std::io::stderr().lock(), "{line}");
    }

    /// Clap's help, version or usage error, written by clap (to stdout or stderr, in
    /// colour where it can).
    pub fn clap_message(self, message: &clap::Error) {
        let _ = message.print();
    }

    // The terminal.

    /// Whether stderr is a terminal (a progress bar is drawn there only then).
    pub fn stderr_is_terminal(self) -> bool {
        std::io::stderr().is_terminal()
    }

    /// Whether stdin is a terminal (a change is confirmed there only then).
    pub fn stdin_is_terminal(self) -> bool {
        std::io::stdin().is_terminal()
    }

    /// Whether stdout is a terminal (a secret is not shown there unasked).
    pub fn stdout_is_terminal(self) -> bool {
        std::io::stdout().is_terminal()
    }

    /// How wide a table for people on stdout may be: `COLUMNS` when it is set to a number
    /// (as for `ls`; it also fits a table sent down a pipe), else the terminal's width
    /// when stdout is one (80 when the terminal does not say); else no limit, so that a
    /// listing kept in a file or searched with `grep` holds whole values.
    pub fn table_width(self) -> TableWidth {
        if let Some(columns) = std::env::var("COLUMNS")
            .ok()
            .and_then(|c| c.trim().parse::<usize>().ok())
            .filter(|&c| c > 0)
        {
            return TableWidth::Fitted(columns);
        }
        if !self.stdout_is_terminal() {
            return TableWidth::Unlimited;
        }
        let width = terminal_size::terminal_size_of(std::io::stdout())
            .map_or(80, |(terminal_size::Width(w), _)| usize::from(w));
        TableWidth::Fitted(width)
    }

    /// Whether stdout leads nowhere: closed (`>&-`; Rust's runtime then opens `/dev/null` in
    /// its place before `main`, and writes to a closed descriptor would be swallowed anyway)
    /// or `/dev/null` itself.
    pub fn stdout_is_nowhere(self) -> bool {
        #[cfg(unix)]
        {
            use std::os::fd::FromRawFd;
            use std::os::unix::fs::{FileTypeExt, MetadataExt};
            // SAFETY: F_GETFD on a descriptor number only reads its flags; no memory is passed.
            if unsafe { libc::fcntl(1, libc::F_GETFD) } == -1 {
                return true;
            }
            // SAFETY: descriptor 1 is open (checked above); ManuallyDrop never closes it.
            let stdout = std::mem::ManuallyDrop::new(unsafe { std::fs::File::from_raw_fd(1) });
            let Ok(out) = stdout.metadata() else {
                return true;
            };
            std::fs::metadata("/dev/null")
                .is_ok_and(|null| out.file_type().is_char_device() && out.rdev() == null.rdev())
        }
        #[cfg(not(unix))]
        {
            false
        }
    }

    /// Shows `question` on stderr and reads one line of answer from stdin. The line is read
    /// on a blocking thread, so that Ctrl-C at the prompt is seen by `main` (exit 130)
    /// instead of waiting behind a blocked read; `main` does not wait for that thread.
    pub async fn ask(self, question: &str) -> std::io::Result<String> {
        self.frame(question);
        tokio::task::spawn_blocking(|| {
            let mut answer = String::new();
            std::io::stdin()
                .lock()
                .read_line(&mut answer)
                .map(|_| answer)
        })
        .await
        .map_err(std::io::Error::other)?
    }
}
