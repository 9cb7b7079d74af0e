//! A success status whose body did not decode as the documented response ([`DecodeError`]).

use crate::error_text::Attempts;
use crate::operation_id::OperationId;
use reqwest::StatusCode;
use std::fmt;

/// A success status whose body did not decode.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct DecodeError {
    /// The operation whose answer did not decode.
    pub operation: OperationId,
    /// The (successful) HTTP status.
    pub status: StatusCode,
    /// JSON path of the value that failed (`data[2].usage`), or `.` for the document.
    pub path: String,
    /// What the decoder said (with secrets redacted: it may quote the body).
    pub message: String,
    /// The first 1 KiB of the body, lossily decoded, with secrets redacted.
    pub body_excerpt: String,
    /// The request id, if any.
    pub request_id: Option<String>,
    /// Attempts made.
    pub attempts: u32,
    /// For `createKeys`: the new key's plaintext, when the body still carried a readable
    /// top-level `key`, which keeps its secret from being lost.
    pub created_secret: Option<secrecy::SecretString>,
    /// For `createKeys`: whether the answer shows that the key exists — a `201 Created`, or a
    /// body with the new key's `data.hash` or its `key`. A 2xx without any of them (a
    /// proxy's sign-in page, say) does not: such an error comes inside
    /// [`Error::OutcomeUnknown`](crate::Error::OutcomeUnknown).
    pub key_created: bool,
    /// What to do about it, when the SDK can tell (see [`DecodeError::hint`]).
    pub(crate) hint: Option<String>,
}

impl DecodeError {
    /// What the SDK suggests doing about this answer, when it can tell: for example that a
    /// body which is not JSON at all (a web page) did not come from OpenRouter's API, so the
    /// base URL or a proxy is the likely cause. Also part of `Display`, after `. ` (and before
    /// the note on a created key); `{:#}` leaves it out.
    pub fn hint(&self) -> Option<&str> {
        self.hint.as_deref()
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "the {} response ({}) did not decode at `{}`: {} ({})",
            self.operation,
            self.status,
            self.path,
            self.message,
            Attempts(self.attempts)
        )?;
        if !f.alternate()
            && let Some(hint) = &self.hint
        {
            write!(f, ". {hint}")?;
        }
        // The note on a created key is part of the summary: it says what happened.
        if self.key_created {
            let secret = if self.created_secret.is_some() {
                "its secret is in `created_secret`"
            } else {
                "its secret could not be read"
            };
            write!(
                f,
                " (the key was created; {secret}; find it with `client.keys().list_all()`)"
            )?;
        }
        Ok(())
    }
}

impl std::error::Error for DecodeError {}
