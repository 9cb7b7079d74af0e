//! The fake's clock: real time by default, or a manual clock that moves only when a test
//! says so. Everything the fake times — latency, delays, late effects, the listing's lag, the
//! rate limit's refill, `created_at` and expiry — reads this clock, so a test on a manual
//! clock can check "not yet" and "now" exactly instead of sleeping and hoping.

use std::sync::Arc;
use std::time::Duration;
use time::OffsetDateTime;
use tokio::sync::watch;

/// A clock a test moves by hand, for [`FakeServerBuilder::manual_clock`].
///
/// It starts at zero and stands still until [`advance`](ManualClock::advance)d: requests
/// waiting on it (latency, a `delay=`, a late effect) stay waiting, listings stay behind and
/// rate limits do not refill. Clones share one time.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> std::io::Result<()> {
/// use openrouter_keys_testkit::{FakeServer, ManualClock};
/// use std::time::Duration;
///
/// let clock = ManualClock::new();
/// let fake = FakeServer::builder().manual_clock(&clock).start().await?;
/// assert_eq!(fake.now(), Duration::ZERO);
/// clock.advance(Duration::from_secs(2));
/// assert_eq!(fake.now(), Duration::from_secs(2));
/// # Ok(()) }
/// ```
///
/// [`FakeServerBuilder::manual_clock`]: crate::FakeServerBuilder::manual_clock
#[derive(Debug, Clone)]
pub struct ManualClock {
    now: Arc<watch::Sender<Duration>>,
}

impl Default for ManualClock {
    fn default() -> Self {
        ManualClock {
            now: Arc::new(watch::Sender::new(Duration::ZERO)),
        }
    }
}

impl ManualClock {
    /// A clock at zero.
    pub fn new() -> ManualClock {
        ManualClock::default()
    }

    /// The time since the clock started.
    pub fn now(&self) -> Duration {
        *self.now.borrow()
    }

    /// Moves the clock forward. Whatever was due by the new time has happened when a test
    /// next looks (through the API or the server's accessors), in the order it was due;
    /// requests waiting on the clock wake and answer.
    pub fn advance(&self, by: Duration) {
        self.now.send_modify(|now| *now = now.saturating_add(by));
    }

    pub(crate) fn subscribe(&self) -> watch::Receiver<Duration> {
        self.now.subscribe()
    }
}

/// The clock one server reads: times are durations since the server started.
#[derive(Debug, Clone)]
pub(crate) struct Clock {
    kind: ClockKind,
    /// The wall-clock time at the clock's zero, for `created_at` and expiry.
    wall_at_start: OffsetDateTime,
}

#[derive(Debug, Clone)]
enum ClockKind {
    Real(tokio::time::Instant),
    Manual(ManualClock),
}

impl Clock {
    /// Real time, starting now.
    pub fn real() -> Clock {
        Clock {
            kind: ClockKind::Real(tokio::time::Instant::now()),
            wall_at_start: OffsetDateTime::now_utc(),
        }
    }

    /// A manual clock; its zero is now on the wall clock.
    pub fn manual(clock: ManualClock) -> Clock {
        Clock {
            wall_at_start: OffsetDateTime::now_utc() - clock.now(),
            kind: ClockKind::Manual(clock),
        }
    }

    pub fn now(&self) -> Duration {
        match &self.kind {
            ClockKind::Real(start) => start.elapsed(),
            ClockKind::Manual(clock) => clock.now(),
        }
    }

    /// The same clock, reading `wall` on the wall clock now (instead of the real time).
    pub fn reading(mut self, wall: OffsetDateTime) -> Clock {
        self.wall_at_start = wall - self.now();
        self
    }

    /// The wall-clock time of clock time `at`.
    pub fn wall_at(&self, at: Duration) -> OffsetDateTime {
        self.wall_at_start + at
    }

    /// The manual clock, if this is one (for waiting on its changes).
    pub fn manual_clock(&self) -> Option<&ManualClock> {
        match &self.kind {
            ClockKind::Real(_) => None,
            ClockKind::Manual(clock) => Some(clock),
        }
    }

    /// Waits until the clock reads `at` or later.
    pub async fn sleep_until(&self, at: Duration) {
        match &self.kind {
            ClockKind::Real(start) => tokio::time::sleep_until(*start + at).await,
            ClockKind::Manual(clock) => {
                let mut now = clock.subscribe();
                // The sender lives as long as `clock`, which outlives this wait.
                let _ = now.wait_for(|now| *now >= at).await;
            }
        }
    }

    /// Waits `wait` from now.
    pub async fn sleep(&self, wait: Duration) {
        self.sleep_until(self.now().saturating_add(wait)).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(flavor = "current_thread")]
    async fn a_manual_clock_wakes_sleepers_only_once_their_time_has_come() {
        let manual = ManualClock::new();
        let clock = Clock::manual(manual.clone());
        let sleeper = tokio::spawn({
            let clock = clock.clone();
            async move { clock.sleep_until(Duration::from_secs(2)).await }
        });
        tokio::task::yield_now().await;
        manual.advance(Duration::from_millis(1999));
        tokio::task::yield_now().await;
        assert!(!sleeper.is_finished());
        manual.advance(Duration::from_millis(1));
        sleeper.await.unwrap();
        assert_eq!(clock.now(), Duration::from_secs(2));
        assert_eq!(
            clock.wall_at(Duration::from_secs(2)) - clock.wall_at(Duration::ZERO),
            time::Duration::seconds(2)
        );
    }

    #[test]
    fn a_clock_set_to_a_wall_time_reads_it_now_and_moves_on_from_it() {
        let manual = ManualClock::new();
        manual.advance(Duration::from_secs(5));
        let start = OffsetDateTime::UNIX_EPOCH + Duration::from_secs(1_000_000);
        let clock = Clock::manual(manual.clone()).reading(start);
        assert_eq!(clock.wall_at(clock.now()), start);
        manual.advance(Duration::from_secs(7));
        assert_eq!(clock.wall_at(clock.now()), start + Duration::from_secs(7));
    }
}
