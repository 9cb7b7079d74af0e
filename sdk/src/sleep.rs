//! The timer the client waits on between retry attempts, replaceable for tests and for other
//! async runtimes.
//!
//! Every wait of the SDK goes through one [`AsyncSleep`] (as in smithy-rs): by default
//! [`TokioSleep`]. Pass another to [`ClientBuilder::sleep_impl`](crate::ClientBuilder::sleep_impl)
//! to record or skip waits in tests, or to run on a runtime without tokio's timer.
//!
//! ```
//! use openrouter_keys::sleep::{AsyncSleep, BoxFuture};
//! use std::sync::{Arc, Mutex};
//! use std::time::Duration;
//!
//! /// Records each wait and returns at once, so retry tests take no time.
//! #[derive(Debug, Default)]
//! struct NoWait(Mutex<Vec<Duration>>);
//!
//! impl AsyncSleep for NoWait {
//!     fn sleep(&self, duration: Duration) -> BoxFuture<'static, ()> {
//!         if let Ok(mut waits) = self.0.lock() {
//!             waits.push(duration);
//!         }
//!         Box::pin(async {})
//!     }
//! }
//!
//! let client = openrouter_keys::Client::builder()
//!     .api_key("sk-or-v1-example")
//!     .sleep_impl(Arc::new(NoWait::default()))
//!     .build()?;
//! # Ok::<(), openrouter_keys::Error>(())
//! ```

use std::fmt;
use std::time::Duration;

/// A boxed, sendable future (futures-util's), which [`AsyncSleep::sleep`] returns.
pub use futures_util::future::BoxFuture;

/// Waits for a duration. The default is [`TokioSleep`].
pub trait AsyncSleep: Send + Sync + fmt::Debug {
    /// A future that completes after `duration`.
    fn sleep(&self, duration: Duration) -> BoxFuture<'static, ()>;
}

/// Sleeps on the tokio timer.
#[derive(Debug, Clone, Copy, Default)]
pub struct TokioSleep;

impl AsyncSleep for TokioSleep {
    fn sleep(&self, duration: Duration) -> BoxFuture<'static, ()> {
        Box::pin(tokio::time::sleep(duration))
    }
}
