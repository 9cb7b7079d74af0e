//! The one place the SDK waits between attempts, behind a trait so tests (and unusual
//! runtimes) can replace it, as smithy-rs does with `AsyncSleep`.

use std::fmt;
use std::time::Duration;

/// A boxed, sendable future (the generated crate's alias, used by its transport seam too).
pub use openrouter_keys_codegen::BoxFuture;

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
