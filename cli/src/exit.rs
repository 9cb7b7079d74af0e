//! Exit codes and the CLI's error type: every failure becomes a message on stderr and one of
//! the documented codes (listed in `--help`, see `cli.rs`).
//!
//! Messages never carry a secret: SDK errors are secret-free by construction, and the CLI's
//! own messages name files, hashes and key names only.

use openrouter_keys::{ApiErrorKind, Error};
use std::fmt;

/// The documented exit codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// 0: everything asked for was done.
    Success = 0,
    /// 1: the API or the system failed.
    Failure = 1,
    /// 2: bad usage, or a change refused for lack of confirmation.
    Usage = 2,
    /// 3: a bulk command finished some rows and failed others.
    Partial = 3,
    /// 4: a create may or may not have happened.
    OutcomeUnknown = 4,
    /// 130: interrupted by Ctrl-C (128 + SIGINT, as shells report it).
    Interrupted = 130,
}

impl Exit {
    pub fn code(self) -> u8 {
        self as u8
    }
}

/// A failure to report: what happened, with the exit code it maps to.
#[derive(Debug)]
pub struct CliError {
    pub exit: Exit,
    pub message: String,
}

impl CliError {
    pub fn usage(message: impl Into<String>) -> Self {
        Self {
            exit: Exit::Usage,
            message: message.into(),
        }
    }

    pub fn failure(message: impl Into<String>) -> Self {
        Self {
            exit: Exit::Failure,
            message: message.into(),
        }
    }

    /// An SDK error, with a hint of what to do about it where one is known.
    pub fn api(context: &str, error: &Error) -> Self {
        let exit = match error {
            Error::OutcomeUnknown { .. } => Exit::OutcomeUnknown,
            Error::InvalidInput { .. } | Error::Config(_) => Exit::Usage,
            _ => Exit::Failure,
        };
        let hint = match error.as_api().map(|api| api.kind) {
            Some(ApiErrorKind::Unauthorized) | Some(ApiErrorKind::Forbidden) => {
                "\n  hint: /keys operations need a management key (check OPENROUTER_API_KEY or --api-key-file)"
            }
            Some(ApiErrorKind::NotFound) => {
                "\n  hint: no key has this hash; `openrouter-keys list` shows them"
            }
            _ => "",
        };
        Self {
            exit,
            message: format!("{context}: {error}{hint}"),
        }
    }

    /// An I/O error on a file the user named.
    pub fn io(what: &str, path: &std::path::Path, error: &std::io::Error) -> Self {
        Self::failure(format!("{what} `{}`: {error}", path.display()))
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

pub type CliResult<T = Exit> = Result<T, CliError>;
