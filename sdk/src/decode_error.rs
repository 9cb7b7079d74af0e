//! A success status whose body did not decode as the documented response ([`DecodeError`]).

use crate::error_text::Attempts;
use crate::operation_id::OperationId;
use reqwest::StatusCode;
use std::borrow::Cow;
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
    /// What the SDK diagnosed about the answer, when it can tell: the first part of
    /// [`DecodeError::hint`].
    pub(crate) hint: Option<String>,
}

/// The call that finds a created key whose answer did not decode.
const LIST_ALL: &str = "`client.keys().list_all()`";

impl DecodeError {
    /// What the SDK suggests doing about this answer, when it can tell: for example that a
    /// body which is not JSON at all (a web page) did not come from OpenRouter's API, so the
    /// base URL or a proxy is the likely cause; and, when the answer shows that a create made
    /// its key ([`key_created`](Self::key_created)), where its secret is and how to find the
    /// key. `{:#}` (the summary) leaves it out; `{}` has it after `. `, its part about the
    /// created key inside the closing note on that key.
    pub fn hint(&self) -> Option<Cow<'_, str>> {
        let created = self.key_created.then(|| match self.created_secret {
            Some(_) => format!("Its secret is in `created_secret`; find the key with {LIST_ALL}"),
            None => format!("Find the key with {LIST_ALL}"),
        });
        match (self.hint.as_deref(), created) {
            (Some(diagnosis), Some(created)) => Some(Cow::Owned(format!("{diagnosis}. {created}"))),
            (Some(diagnosis), None) => Some(Cow::Borrowed(diagnosis)),
            (None, created) => created.map(Cow::Owned),
        }
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
        let advice = !f.alternate();
        if advice && let Some(hint) = &self.hint {
            write!(f, ". {hint}")?;
        }
        // The note on a created key says what happened; with the advice (`{}`), it also says
        // where the secret is and how to find the key.
        if self.key_created {
            let secret = match (&self.created_secret, advice) {
                (Some(_), true) => "its secret is in `created_secret`",
                (Some(_), false) => "its secret was read",
                (None, _) => "its secret could not be read",
            };
            f.write_str(" (the key was created; ")?;
            f.write_str(secret)?;
            if advice {
                write!(f, "; find it with {LIST_ALL}")?;
            }
            f.write_str(")")?;
        }
        Ok(())
    }
}

impl std::error::Error for DecodeError {}
