//! When to try a request again, and how long to wait first.
//!
//! The policy follows the API's own declared strategy (exponential from 500 ms, at most 3
//! attempts) with full jitter (a uniformly random wait between zero and the exponential bound,
//! as in smithy-rs and the AWS architecture blog), a cap on each wait and an overall deadline.
//! Classification is by the operation's declared [`Idempotency`]: an operation that is not
//! idempotent (`POST /keys`: OpenRouter does not document it either way; our inference is that
//! nothing deduplicates creates) is retried only when the server cannot have acted on it
//! (connection refused, 429).

use crate::api_error::is_retryable_status;
use crate::rules::Idempotency;
use reqwest::StatusCode;
use std::time::Duration;

/// How a call retries: attempts, backoff and deadline.
///
/// ```
/// use openrouter_keys::RetryPolicy;
/// use std::time::Duration;
///
/// let patient = RetryPolicy::default()
///     .max_attempts(5)
///     .initial_backoff(Duration::from_secs(1))
///     .deadline(Duration::from_secs(300));
/// assert_eq!(patient.allowed_attempts(), 5);
/// assert_eq!(patient.call_deadline(), Duration::from_secs(300));
/// assert_eq!(RetryPolicy::none().allowed_attempts(), 1);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    max_attempts: u32,
    initial_backoff: Duration,
    max_backoff: Duration,
    deadline: Duration,
}

impl Default for RetryPolicy {
    /// 3 attempts, backoff from 500 ms doubling up to 30 s per wait, 120 s for the whole call.
    fn default() -> Self {
        Self {
            max_attempts: 3,
            initial_backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(30),
            deadline: Duration::from_secs(120),
        }
    }
}

impl RetryPolicy {
    /// One attempt, no retries (the deadline of the default policy still applies).
    pub fn none() -> Self {
        Self::default().max_attempts(1)
    }

    /// Total attempts including the first; `0` is treated as `1`.
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts.max(1);
        self
    }

    /// Upper bound of the first wait; each later bound doubles.
    pub fn initial_backoff(mut self, wait: Duration) -> Self {
        self.initial_backoff = wait;
        self
    }

    /// Cap on any computed wait.
    pub fn max_backoff(mut self, wait: Duration) -> Self {
        self.max_backoff = wait;
        self
    }

    /// Time for the whole call, all attempts and waits included.
    pub fn deadline(mut self, deadline: Duration) -> Self {
        self.deadline = deadline;
        self
    }

    /// Total attempts allowed, the first included (set with
    /// [`max_attempts`](Self::max_attempts)).
    pub fn allowed_attempts(&self) -> u32 {
        self.max_attempts
    }

    /// Time for the whole call (set with [`deadline`](Self::deadline)).
    pub fn call_deadline(&self) -> Duration {
        self.deadline
    }

    /// The wait before attempt `next_attempt` (2 for the first retry), given a uniform random
    /// number in `[0, 1)`: full jitter over `min(max_backoff, initial * 2^(next_attempt - 2))`.
    pub fn backoff(&self, next_attempt: u32, random: f64) -> Duration {
        let exponent = next_attempt.saturating_sub(2).min(31);
        let bound = self
            .initial_backoff
            .saturating_mul(1u32 << exponent)
            .min(self.max_backoff);
        bound.mul_f64(random.clamp(0.0, 1.0))
    }
}

/// What an attempt ended in, as far as retrying is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum AttemptEnd {
    /// An HTTP answer with this status.
    Status(StatusCode),
    /// Could not connect: nothing was sent.
    ConnectFailed,
    /// Timed out, or the connection broke after the request may have been sent.
    Interrupted,
}

/// Whether an attempt of an operation with this idempotency that ended so may be repeated.
/// `unsafe_create_retry` is the caller's per-call opt-in to retrying a create like an
/// idempotent call.
pub(crate) fn should_retry(
    idempotency: Idempotency,
    end: AttemptEnd,
    unsafe_create_retry: bool,
) -> bool {
    let idempotent = idempotency == Idempotency::Idempotent || unsafe_create_retry;
    match end {
        AttemptEnd::ConnectFailed => true,
        AttemptEnd::Status(status) if status == StatusCode::TOO_MANY_REQUESTS => true,
        AttemptEnd::Status(status) => idempotent && is_retryable_status(status),
        AttemptEnd::Interrupted => idempotent,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_jitter_bounds_double_and_cap() {
        let policy = RetryPolicy::default()
            .initial_backoff(Duration::from_millis(500))
            .max_backoff(Duration::from_secs(3));
        let almost_one = 0.999_999;
        assert_eq!(policy.backoff(2, 0.0), Duration::ZERO);
        assert!(policy.backoff(2, almost_one) <= Duration::from_millis(500));
        assert!(policy.backoff(2, almost_one) > Duration::from_millis(499));
        assert!(policy.backoff(3, almost_one) > Duration::from_millis(999));
        assert!(policy.backoff(4, almost_one) > Duration::from_millis(1999));
        assert_eq!(policy.backoff(5, 1.0), Duration::from_secs(3));
        assert_eq!(policy.backoff(60, 1.0), Duration::from_secs(3));
        assert_eq!(policy.backoff(3, 0.5), Duration::from_millis(500));
    }

    #[test]
    fn create_is_retried_only_when_nothing_can_have_happened() {
        use AttemptEnd::*;
        let create = Idempotency::NotIdempotent;
        let get = Idempotency::Idempotent;
        let status = |s| Status(StatusCode::from_u16(s).unwrap());
        for end in [ConnectFailed, status(429)] {
            assert!(should_retry(create, end, false), "{end:?}");
        }
        for end in [
            Interrupted,
            status(500),
            status(502),
            status(503),
            status(504),
            status(408),
        ] {
            assert!(!should_retry(create, end, false), "{end:?}");
            assert!(should_retry(create, end, true), "opt-in {end:?}");
            assert!(should_retry(get, end, false), "{end:?}");
        }
        for end in [
            status(400),
            status(401),
            status(403),
            status(404),
            status(501),
        ] {
            assert!(!should_retry(get, end, false), "{end:?}");
            assert!(!should_retry(create, end, true), "{end:?}");
        }
    }

    #[test]
    fn zero_attempts_means_one() {
        assert_eq!(RetryPolicy::default().max_attempts(0).allowed_attempts(), 1);
    }
}
