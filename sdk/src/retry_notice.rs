//! What a caller is told before the client waits to retry a call: a long wait (a server's
//! `Retry-After: 100`) otherwise looks like a hang to whoever watches the program.
//!
//! Set with [`ClientBuilder::on_retry`](crate::ClientBuilder::on_retry); called on the task
//! of the call, right before the wait, never for a call that will not be retried.

use crate::operation_id::OperationId;
use std::sync::Arc;
use std::time::Duration;

/// A retry about to happen, as given to the hook set with
/// [`ClientBuilder::on_retry`](crate::ClientBuilder::on_retry).
///
/// ```
/// use openrouter_keys::Client;
///
/// let client = Client::builder()
///     .api_key("sk-or-v1-example")
///     .on_retry(|notice| {
///         if notice.wait.as_secs() >= 5 {
///             eprintln!(
///                 "{} failed (attempt {}); waiting {:?}",
///                 notice.operation, notice.attempt, notice.wait
///             );
///         }
///     })
///     .build()?;
/// # Ok::<(), openrouter_keys::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RetryNotice {
    /// The operation being retried.
    pub operation: OperationId,
    /// The attempt that just failed (1 for the first).
    pub attempt: u32,
    /// How long the client waits before the next attempt.
    pub wait: Duration,
    /// The HTTP status of the failed attempt; `None` when it got no answer (timeout,
    /// connection failure).
    pub status: Option<u16>,
    /// Whether the wait is the one the server asked for (`Retry-After` or
    /// `retry-after-ms`) rather than the policy's backoff.
    pub server_asked: bool,
}

/// The hook, as the client keeps it.
pub(crate) type RetryHook = Arc<dyn Fn(&RetryNotice) + Send + Sync>;
