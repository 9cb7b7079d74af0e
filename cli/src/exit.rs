//! Exit codes and the CLI's error type: every failure becomes a message on stderr and one of
//! the documented codes (listed in `--help`, see `cli.rs`).
//!
//! Messages never carry a secret: SDK errors are secret-free by construction, and the CLI's
//! own messages name files, hashes and key names only.

use openrouter_keys::{ApiErrorKind, Error, OperationId};
use std::fmt;

/// Where the SDK's `OutcomeUnknown` text turns to advice for Rust code.
const SDK_UNKNOWN_ADVICE: &str = ". A key may have been created:";

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

    /// An SDK error, with a hint of what to do about it where one is known, for a call made
    /// with the CLI's own API key.
    pub fn api(context: &str, error: &Error) -> Self {
        Self::api_with(context, error, &crate::config::key_source())
    }

    /// An SDK error for a call made with `key` (words such as "the API key from
    /// OPENROUTER_API_KEY"), written for a shell user: the SDK's advice is meant for Rust
    /// code (`client.keys().list_all()`, `OPENROUTER_API_KEY` whatever the key's source), so
    /// where the CLI knows better it replaces that advice with its own, never adds a second
    /// one that contradicts it.
    pub fn api_with(context: &str, error: &Error, key: &str) -> Self {
        let exit = match error {
            Error::OutcomeUnknown { .. } => Exit::OutcomeUnknown,
            Error::InvalidInput { .. } | Error::Config(_) => Exit::Usage,
            _ => Exit::Failure,
        };
        let mut text = error.to_string();
        if matches!(error, Error::OutcomeUnknown { .. }) {
            // The SDK's advice names library calls; the command says what to run instead.
            if let Some(at) = text.find(SDK_UNKNOWN_ADVICE) {
                text.truncate(at);
                text.push_str(". The key may have been created: check before creating it again");
            }
        }
        let api = error.as_api();
        let hint = match api.map(|api| (api.kind, api.operation)) {
            Some((ApiErrorKind::Unauthorized, OperationId::GetCurrentKey)) => Some(format!(
                "{key} was refused: check that it is complete and not disabled or expired"
            )),
            Some((ApiErrorKind::Unauthorized, _)) => Some(format!(
                "{key} was refused: check that it is complete and not disabled or expired \
                 (operations on /keys need a management key)"
            )),
            Some((ApiErrorKind::Forbidden, _)) => Some(format!(
                "operations on /keys need a management key; {key} is not one"
            )),
            // A 404 on a route that exists at any right base URL already has the SDK's
            // diagnosis (the base URL); only a by-hash route's 404 means a missing key.
            Some((
                ApiErrorKind::NotFound,
                OperationId::GetKey | OperationId::UpdateKeys | OperationId::DeleteKeys,
            )) if api.and_then(|a| a.hint()).is_none() => Some(
                "no key has this hash; `openrouter-keys list --include-disabled` shows them"
                    .to_string(),
            ),
            _ => None,
        };
        if let (Some(_), Some(sdk_hint)) = (&hint, api.and_then(|a| a.hint())) {
            // `ApiError`'s `Display` ends with `. {hint}`: the CLI's hint replaces it.
            if let Some(kept) = text.strip_suffix(&format!(". {sdk_hint}")) {
                text.truncate(kept.len());
            }
        }
        let hint = hint.map(|h| format!("\n  hint: {h}")).unwrap_or_default();
        Self {
            exit,
            message: format!("{context}: {text}{hint}"),
        }
    }

    /// An input file the user named cannot be read (missing, unreadable): a usage error,
    /// like any other argument that does not work (exit 2).
    pub fn input(what: &str, path: &std::path::Path, error: &std::io::Error) -> Self {
        Self::usage(format!("{what} `{}`: {error}", path.display()))
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
