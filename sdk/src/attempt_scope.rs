//! How one attempt's context reaches the transport hooks without a client per call.
//!
//! Every SDK `Client` builds its generated `codegen::Client` once, with one shared transport
//! (`transport::ClientTransport`). What differs per call — the attempt's timeout cut to the
//! deadline, the call's own headers — and what the hooks report back — status, request id,
//! `Retry-After` — travel in an [`AttemptIo`] that [`scoped`] lends to the hooks while it
//! polls the attempt's future: before each poll it moves the box holding it into a
//! thread-local slot, after the poll (or while unwinding from a panic in it) it moves it back
//! out and puts back whatever the slot held before. The hooks are synchronous and run inside a poll of
//! that future, so they always find their own call's value, even with many calls in flight
//! on one thread or a call that moves between threads of a multi-threaded runtime.
//!
//! Why not a request extension: progenitor builds the `reqwest::Request` inside its `send`,
//! so nothing of the caller's can be put on it before the hooks run. Why not tokio's
//! `task_local!`: it does the same swap, but needs tokio's `rt` feature and gives the value
//! back only through a pinned handle; the lines here are safe Rust (pin projection by
//! `pin-project-lite`, already in the tree through tokio).
//! The cost is one small allocation per call (the box, reused by its attempts) and four
//! pointer moves per poll, instead of an `Arc`, a `String` and a generated client per call;
//! moving the 120-byte value itself in and out on every poll cost three times as much.

use reqwest::StatusCode;
use reqwest::header::{HeaderName, HeaderValue};
use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

/// What one attempt's hooks read (set by the call) and write (read back by the call).
#[derive(Debug, Default)]
pub(crate) struct AttemptIo {
    /// In: this attempt's timeout, already cut to what is left of the call's deadline.
    pub timeout: Duration,
    /// In: the call's own headers.
    pub headers: Vec<(HeaderName, HeaderValue)>,
    /// In: the attempt's number, from 1 (for traces).
    pub number: u32,
    /// In: whether someone listens to this call's span or to debug events.
    pub traced: bool,
    /// Out: whether the request was handed to the HTTP client.
    pub sent: bool,
    /// Out: status of the response, if one arrived.
    pub status: Option<StatusCode>,
    /// Out: request id header of the response, if any (a cheap, shared copy of its bytes).
    pub request_id: Option<HeaderValue>,
    /// Out: the wait an error response asked for, if any.
    pub retry_after: Option<Duration>,
    /// Out: when the request was sent, if traced (for its latency).
    pub sent_at: Option<Instant>,
}

impl AttemptIo {
    /// Ready for attempt `number`, with this timeout; what an earlier attempt saw is cleared.
    pub fn start(&mut self, number: u32, timeout: Duration) {
        self.number = number;
        self.timeout = timeout;
        self.sent = false;
        self.status = None;
        self.request_id = None;
        self.retry_after = None;
        self.sent_at = None;
    }
}

thread_local! {
    /// The context of the attempt being polled on this thread, if any.
    static CURRENT: RefCell<Option<Box<AttemptIo>>> = const { RefCell::new(None) };
}

/// Runs `f` on the context of the attempt being polled on this thread; `None` when the hooks
/// run outside [`scoped`] (a generated client used on its own).
pub(crate) fn with_current<R>(f: impl FnOnce(Option<&mut AttemptIo>) -> R) -> R {
    CURRENT.with(|slot| match slot.try_borrow_mut() {
        Ok(mut current) => f(current.as_deref_mut()),
        Err(_) => f(None),
    })
}

/// Moves a context into the slot and, when dropped (after the poll, or while unwinding),
/// back out, restoring what the slot held before.
struct Lent<'a> {
    io: &'a mut Option<Box<AttemptIo>>,
    previous: Option<Box<AttemptIo>>,
}

impl<'a> Lent<'a> {
    fn new(io: &'a mut Option<Box<AttemptIo>>) -> Self {
        let previous = CURRENT.with(|slot| slot.replace(io.take()));
        Lent { io, previous }
    }
}

impl Drop for Lent<'_> {
    fn drop(&mut self) {
        *self.io = CURRENT.with(|slot| slot.replace(self.previous.take()));
    }
}

pin_project_lite::pin_project! {
    /// An attempt's future with its context, lent to the hooks during each poll.
    ///
    /// A struct rather than an `async fn`: an async fn keeps its arguments in its state for
    /// its whole life, so pinning the attempt inside one would hold it twice.
    pub(crate) struct Scoped<F> {
        #[pin]
        attempt: F,
        io: Option<Box<AttemptIo>>,
    }
}

/// `attempt` with `io` lent to the transport hooks while it is polled; it completes with the
/// attempt's output and `io` as the hooks left it.
pub(crate) fn scoped<F: Future>(io: Box<AttemptIo>, attempt: F) -> Scoped<F> {
    Scoped {
        attempt,
        io: Some(io),
    }
}

impl<F: Future> Future for Scoped<F> {
    type Output = (F::Output, Box<AttemptIo>);

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let poll = {
            let _lent = Lent::new(this.io);
            this.attempt.poll(cx)
        };
        match poll {
            Poll::Ready(output) => Poll::Ready((output, this.io.take().unwrap_or_default())),
            Poll::Pending => Poll::Pending,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seen_timeout() -> Option<Duration> {
        with_current(|io| io.map(|io| io.timeout))
    }

    #[tokio::test]
    async fn the_hooks_see_their_own_attempt_and_nothing_outside() {
        assert_eq!(seen_timeout(), None);
        let attempt = |ms: u64| async move {
            let mut yielded = false;
            // Yield once, so that the other attempt is polled in between.
            std::future::poll_fn(|cx| {
                if yielded {
                    Poll::Ready(())
                } else {
                    yielded = true;
                    cx.waker().wake_by_ref();
                    Poll::Pending
                }
            })
            .await;
            let seen = seen_timeout();
            with_current(|io| io.map(|io| io.status = Some(StatusCode::OK)));
            (seen, ms)
        };
        let io = |ms| {
            Box::new(AttemptIo {
                timeout: Duration::from_millis(ms),
                ..AttemptIo::default()
            })
        };
        let (a, b) = tokio::join!(scoped(io(1), attempt(1)), scoped(io(2), attempt(2)));
        assert_eq!(a.0, (Some(Duration::from_millis(1)), 1));
        assert_eq!(b.0, (Some(Duration::from_millis(2)), 2));
        assert_eq!(a.1.status, Some(StatusCode::OK));
        assert_eq!(b.1.timeout, Duration::from_millis(2));
        assert_eq!(seen_timeout(), None);
    }

    #[tokio::test]
    async fn a_nested_scope_restores_the_outer_one() {
        let outer = async {
            let inner = scoped(
                Box::new(AttemptIo {
                    timeout: Duration::from_secs(2),
                    ..AttemptIo::default()
                }),
                async { seen_timeout() },
            )
            .await;
            (inner.0, seen_timeout())
        };
        let io = Box::new(AttemptIo {
            timeout: Duration::from_secs(1),
            ..AttemptIo::default()
        });
        let ((inner, outer), _) = scoped(io, outer).await;
        assert_eq!(inner, Some(Duration::from_secs(2)));
        assert_eq!(outer, Some(Duration::from_secs(1)));
    }
}
