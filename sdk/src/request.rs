//! [`Request`]: one call, ready to be configured (timeout, retry policy, headers) and
//! awaited; and [`Operation`], the sealed trait of what it sends, implemented for each
//! operation the crate declares (by `exchange::impl_operation!`).

use crate::client::Client;
use crate::error::Result;
use crate::options::CallOptions;
use crate::retry::RetryPolicy;
use futures_util::future::BoxFuture;
use std::future::IntoFuture;
use std::time::Duration;

/// One call, ready to be configured and awaited.
///
/// ```no_run
/// # async fn run(client: openrouter_keys::Client, hash: &str) -> Result<(), openrouter_keys::Error> {
/// use openrouter_keys::RetryPolicy;
/// use std::time::Duration;
///
/// let key = client
///     .keys()
///     .get(hash)
///     .timeout(Duration::from_secs(2))
///     .retry(RetryPolicy::none())
///     .header("x-trace-id", "abc123")
///     .await?;
/// # let _ = key; Ok(()) }
/// ```
#[must_use = "a request does nothing until it is awaited"]
#[derive(Debug, Clone)]
pub struct Request<'c, Op> {
    pub(crate) client: &'c Client,
    /// The operation's own parameters.
    pub(crate) operation: Op,
    pub(crate) options: CallOptions,
}

impl<'c, Op> Request<'c, Op> {
    pub(crate) fn new(client: &'c Client, operation: Op) -> Self {
        Self {
            client,
            operation,
            options: CallOptions::default(),
        }
    }

    /// Time allowed for each attempt of this call, instead of the client's.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.options.timeout = Some(timeout);
        self
    }

    /// Retry policy for this call, instead of the client's.
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.options.retry = Some(policy);
        self
    }

    /// Adds a header to this call. An invalid name or value, `Authorization` (the
    /// client's key is the only credential sent), or a header the SDK and the HTTP stack own
    /// (`Content-Length`, `Transfer-Encoding`, `Host`, `Connection`, `Keep-Alive`, `TE`,
    /// `Trailer`, `Upgrade`, `Expect`, `Proxy-Authorization`, `Proxy-Connection`,
    /// `Content-Type`) makes the call fail with
    /// [`Error::InvalidInput`](crate::Error::InvalidInput) when awaited, before anything is sent.
    ///
    /// The value is treated as a secret (a proxy's or a gateway's token, say): `Debug` of the
    /// request shows the header's name only, and the value is scrubbed from whatever the
    /// server says back into an error, as the client's key is.
    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.options.add_header(name, value);
        self
    }
}

/// What a request builder sends; implemented by the operation types of this crate.
pub trait Operation: sealed::Sealed + Send + Sync + 'static {
    /// What the call returns.
    type Output: Send;
    #[doc(hidden)]
    fn send(self, client: &Client, options: CallOptions) -> BoxFuture<'_, Result<Self::Output>>;
}

pub(crate) mod sealed {
    /// Keeps [`Operation`](super::Operation) to the operations this crate declares.
    pub trait Sealed {}
}

impl<'c, Op: Operation> IntoFuture for Request<'c, Op> {
    type Output = Result<Op::Output>;
    type IntoFuture = BoxFuture<'c, Result<Op::Output>>;

    fn into_future(self) -> Self::IntoFuture {
        self.operation.send(self.client, self.options)
    }
}
