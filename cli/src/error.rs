//! The CLI's one error type: the exit code a failure ends the command with, what happened
//! (with its root cause), and what to do about it as a list of hints.
//!
//! Every failure reaches the user through `main`, which writes it once on stderr
//! (`error: WHAT`, then `  hint: HINT` lines). Messages never carry a secret: SDK errors are
//! secret-free by construction (see `sdk_error.rs`), and the CLI's own messages name files,
//! hashes and key names only. A closed stdout is not a failure: it stops the command, and
//! `main` ends it quietly (see [`CliError::StdoutClosed`]).

use crate::exit::Exit;
use std::fmt;
use std::path::Path;

/// Why a command stopped.
#[derive(Debug)]
pub enum CliError {
    /// A failure to tell the user about.
    Failed {
        /// The code the command ends with.
        exit: Exit,
        /// What happened, with its root cause.
        what: String,
        /// What to do about it, one hint per entry.
        hints: Vec<String>,
    },
    /// The user answered no at the prompt: nothing was changed, as asked. Not a failure to
    /// report as one (`main` says so in a plain line), but the change was refused all the
    /// same: exit 2, as for a change refused for lack of confirmation, so that a script
    /// around a prompt can tell it from a change made.
    Declined,
    /// The reader of stdout went away (`list | head`): there is nobody left to write data
    /// for. The command stops; `main` ends it with exit 0 and says nothing, as `head`'s
    /// writers are expected to.
    StdoutClosed,
}

pub type CliResult<T = Exit> = Result<T, CliError>;

impl CliError {
    pub fn new(exit: Exit, what: impl Into<String>) -> Self {
        Self::Failed {
            exit,
            what: what.into(),
            hints: Vec::new(),
        }
    }

    /// Bad usage: a flag, an input file, a refused change (exit 2).
    pub fn usage(what: impl Into<String>) -> Self {
        Self::new(Exit::Usage, what)
    }

    /// The API or the system failed (exit 1).
    pub fn failure(what: impl Into<String>) -> Self {
        Self::new(Exit::Failure, what)
    }

    /// An input file the user named cannot be read (missing, unreadable): a usage error,
    /// like any other argument that does not work (exit 2).
    pub fn input(what: &str, path: &Path, error: &std::io::Error) -> Self {
        Self::usage(format!("{what} `{}`: {error}", path.display()))
    }

    /// An I/O error on a file the user named.
    pub fn io(what: &str, path: &Path, error: &std::io::Error) -> Self {
        Self::failure(format!("{what} `{}`: {error}", path.display()))
    }

    /// Adds what to do about it. Every hint reads on from `hint:` in one style, starting
    /// in lower case (the SDK's, written as sentences, start with a capital: `Operations on
    /// /keys need…` becomes `operations on /keys need…`; a word in capitals such as `API`
    /// stays as it is).
    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        if let Self::Failed { hints, .. } = &mut self {
            hints.push(reads_on(hint.into()));
        }
        self
    }

    /// The code the process ends with for this error.
    pub fn exit(&self) -> Exit {
        match self {
            Self::Failed { exit, .. } => *exit,
            Self::Declined => Exit::Usage,
            Self::StdoutClosed => Exit::Success,
        }
    }

    /// What happened, without the hints.
    pub fn what(&self) -> &str {
        match self {
            Self::Failed { what, .. } => what,
            Self::Declined => "cancelled: nothing was changed",
            Self::StdoutClosed => "stdout was closed",
        }
    }
}

/// `hint` starting in lower case, unless its first word is in capitals (`API`, `URL`).
fn reads_on(hint: String) -> String {
    let mut chars = hint.chars();
    match (chars.next(), chars.next()) {
        (Some(first), second)
            if first.is_uppercase() && !second.is_some_and(char::is_uppercase) =>
        {
            first
                .to_lowercase()
                .chain(hint[first.len_utf8()..].chars())
                .collect()
        }
        _ => hint,
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.what())?;
        if let Self::Failed { hints, .. } = self {
            for hint in hints {
                write!(f, "\n  hint: {hint}")?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_error_shows_what_happened_then_one_line_per_hint() {
        let error = CliError::usage("reading `x.csv`: no such file")
            .hint("check the path")
            .hint("or pass another file");
        assert_eq!(error.exit(), Exit::Usage);
        assert_eq!(
            error.to_string(),
            "reading `x.csv`: no such file\n  hint: check the path\n  hint: or pass another file"
        );
        assert_eq!(CliError::StdoutClosed.exit(), Exit::Success);
    }

    #[test]
    fn every_hint_starts_in_lower_case_unless_its_first_word_is_in_capitals() {
        let error = CliError::failure("x")
            .hint("Operations on /keys need a management key")
            .hint("API keys are listed by `list`")
            .hint("retry later")
            .hint("A");
        assert_eq!(
            error.to_string(),
            "x\n  hint: operations on /keys need a management key\n  hint: API keys are listed \
             by `list`\n  hint: retry later\n  hint: a"
        );
    }
}
