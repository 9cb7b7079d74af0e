//! [`Pacer`]: bulk work at the server's pace. Every bulk loop (`bulk-create`, `rotate`,
//! `bulk-delete`, the changes by `--match`) starts each API call through the one pacer of its
//! [`Context`](crate::context::Context), which
//!
//! - pauses the start of new calls until the time a server asked for: a `429` or a
//!   `Retry-After` seen by one call holds back every call not yet started, not only the one
//!   that saw it (the SDK's own retry of that call waits as before);
//! - adapts how many calls are in flight at once, between 1 and what the loop offers
//!   (`--concurrency`): halved on a `429`, or a `503` that asks for a pause or comes within a
//!   second of another (a lone bare `503` is a gateway's passing failure, which the SDK
//!   retries), once per burst (the calls already in flight when the server pushed back are
//!   likely refused too, and are the same signal); one more
//!   after each calm step without one — the pause the server last asked for, between 100 ms
//!   and a second (a second when it asked for none) — (additive increase, multiplicative
//!   decrease, as TCP shares a link; its step is a round trip, ours the server's own time
//!   scale: a rate limit that asks for a second is probed once a second).
//!
//! A server that never pushes back never slows a batch: the limit starts unset, and only
//! the loop's own concurrency applies. The rules are in [`PaceState`], a state machine over
//! explicit times, so that they are tested without a clock; [`Pacer`] runs it on tokio's.

use crate::print::Printer;
use openrouter_keys::{Error, RetryNotice};
use std::future::IntoFuture;
use std::sync::Mutex;
use std::time::Duration;
use tokio::sync::Notify;
use tokio::time::Instant;

/// How long without a sign of pressure before one more call may be in flight, when the
/// server gave no time of its own; the longest step.
const CALM: Duration = Duration::from_secs(1);

/// The shortest such step: a server that asks for a pause of 20 ms is back to full pace in
/// well under a second.
const SHORTEST_CALM: Duration = Duration::from_millis(100);

/// Waits at least this long are announced on stderr (shorter ones pass unnoticed by a
/// person; longer ones would look like a hang).
pub const LONG_WAIT: Duration = Duration::from_secs(1);

/// The longest a batch holds back its new calls for one answer: a call's deadline
/// (`context::CALL_DEADLINE`), beyond which the SDK does not wait for a `Retry-After` either
/// (it fails the call instead). A server asking for an hour, or a year, pauses the batch for
/// this long, announced, not for what it asked.
pub const LONGEST_PAUSE: Duration = Duration::from_secs(120);

/// What the server's answers say about its load so far, and what may start next.
#[derive(Debug, Clone)]
pub struct PaceState {
    /// Calls started and not finished.
    in_flight: usize,
    /// Calls allowed in flight since the server last pushed back; `None` until it does.
    limit: Option<usize>,
    /// No call starts before this: the latest time a server asked for.
    paused_until: Option<Instant>,
    /// Signals before this belong to the burst the last decrease answered.
    same_burst_until: Option<Instant>,
    /// Since when no signal came: the clock of additive increase.
    calm_since: Instant,
    /// How long a calm step lasts: the pause the server last asked for, within
    /// [`SHORTEST_CALM`] and [`CALM`] ([`CALM`] when it asked for none). The server's own
    /// time scale: a rate limit that asks for a second is probed once a second.
    calm_step: Duration,
    /// Until when a pause has been announced: a pause is announced once, not once per call.
    announced_until: Option<Instant>,
    /// When the last `503` without `Retry-After` came.
    last_unavailable: Option<Instant>,
}

/// What a refused call says about the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signal {
    /// A `429`, or a `503` with `Retry-After`: the server is over its limit, and says for how
    /// long when it does.
    Limit(Option<Duration>),
    /// A `503` without `Retry-After`: overload, or a gateway's passing failure (which the
    /// SDK retries). Counted as pressure only when another came within the last second: one
    /// alone does not slow a batch.
    Unavailable,
}

impl Signal {
    /// The signal in an answer's status and `Retry-After`, if it is one.
    fn of(status: Option<u16>, retry_after: Option<Duration>) -> Option<Signal> {
        match (status, retry_after) {
            (Some(429), wait) | (Some(503), wait @ Some(_)) => Some(Signal::Limit(wait)),
            (Some(503), None) => Some(Signal::Unavailable),
            _ => None,
        }
    }
}

/// Whether a call may start now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Admission {
    /// Started: counted in flight until [`PaceState::finish`].
    Go,
    /// Paused until then (a `Retry-After`).
    WaitUntil(Instant),
    /// As many calls in flight as allowed: wait for one to finish.
    WaitForSlot,
}

impl PaceState {
    pub fn new(now: Instant) -> Self {
        Self {
            in_flight: 0,
            limit: None,
            paused_until: None,
            same_burst_until: None,
            calm_since: now,
            calm_step: CALM,
            announced_until: None,
            last_unavailable: None,
        }
    }

    /// Whether a call may start at `now`; `Go` counts it in flight.
    pub fn admit(&mut self, now: Instant) -> Admission {
        self.grow(now);
        if let Some(until) = self.paused_until {
            if now < until {
                return Admission::WaitUntil(until);
            }
            self.paused_until = None;
        }
        if self.limit.is_some_and(|limit| self.in_flight >= limit) {
            return Admission::WaitForSlot;
        }
        self.in_flight += 1;
        Admission::Go
    }

    /// A call admitted earlier finished.
    pub fn finish(&mut self) {
        self.in_flight = self.in_flight.saturating_sub(1);
    }

    /// The server refused a call at `now` with `signal`. Returns whether this extends a
    /// pause beyond what was announced (so that a burst of refusals is announced once).
    pub fn pressure(&mut self, now: Instant, signal: Signal) -> bool {
        let retry_after = match signal {
            Signal::Limit(wait) => wait,
            Signal::Unavailable => {
                let again = self
                    .last_unavailable
                    .is_some_and(|last| now.saturating_duration_since(last) < CALM);
                self.last_unavailable = Some(now);
                if !again {
                    return false;
                }
                None
            }
        };
        let mut extended = false;
        let retry_after = retry_after.map(|wait| wait.min(LONGEST_PAUSE));
        if let Some(wait) = retry_after.filter(|w| !w.is_zero()) {
            let until = now + wait;
            if self.paused_until.is_none_or(|p| until > p) {
                self.paused_until = Some(until);
            }
            // A pause ending within a tenth of a second of the one announced is the same.
            extended = self
                .announced_until
                .is_none_or(|a| until > a + Duration::from_millis(100));
            if extended {
                self.announced_until = Some(until);
            }
        }
        if self.same_burst_until.is_none_or(|end| now >= end) {
            let in_use = match self.limit {
                Some(limit) => limit.min(self.in_flight.max(1)),
                None => self.in_flight.max(1),
            };
            self.limit = Some((in_use / 2).max(1));
            // Calls in flight now, and those refused until the pause ends, are this burst.
            self.same_burst_until = Some(self.paused_until.map_or(now + CALM, |p| p.max(now)));
        }
        // Calm is counted from the end of the pause: waiting is not a sign the server copes.
        self.calm_since = self.paused_until.map_or(now, |p| p.max(now));
        self.calm_step = retry_after.map_or(CALM, |wait| wait.clamp(SHORTEST_CALM, CALM));
        extended
    }

    /// One more call allowed for each full calm step without pressure.
    fn grow(&mut self, now: Instant) {
        let Some(limit) = self.limit else {
            self.calm_since = now;
            return;
        };
        let calm = now.saturating_duration_since(self.calm_since);
        let steps = (calm.as_millis() / self.calm_step.as_millis().max(1)) as usize;
        if steps > 0 {
            self.limit = Some(limit.saturating_add(steps));
            self.calm_since += self.calm_step * u32::try_from(steps).unwrap_or(u32::MAX);
        }
    }

    /// Calls allowed in flight now (`None`: as many as the loop offers).
    #[cfg(test)]
    pub fn limit(&self) -> Option<usize> {
        self.limit
    }

    #[cfg(test)]
    pub fn in_flight(&self) -> usize {
        self.in_flight
    }
}

/// The pacer of one process: every bulk loop's calls start through it.
pub struct Pacer {
    state: Mutex<PaceState>,
    changed: Notify,
    /// Where a pause that a call's final answer asked for is announced (a pause asked for
    /// by an answer the SDK retries is announced by the client's retry hook).
    print: Option<Printer>,
}

impl Default for Pacer {
    fn default() -> Self {
        Self {
            state: Mutex::new(PaceState::new(Instant::now())),
            changed: Notify::new(),
            print: None,
        }
    }
}

impl Pacer {
    /// A pacer that announces on `print` the pauses of a second or more asked for by a
    /// call's final answer.
    pub fn announcing(print: Printer) -> Self {
        Self {
            print: Some(print),
            ..Self::default()
        }
    }
}

/// A call in flight; dropping it lets the next one start.
pub struct Permit<'a> {
    pacer: &'a Pacer,
}

impl Drop for Permit<'_> {
    fn drop(&mut self) {
        self.pacer.state().finish();
        self.pacer.changed.notify_waiters();
    }
}

impl Pacer {
    fn state(&self) -> std::sync::MutexGuard<'_, PaceState> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Waits until a call may start, and counts it in flight until the permit is dropped.
    pub async fn admit(&self) -> Permit<'_> {
        loop {
            let changed = self.changed.notified();
            tokio::pin!(changed);
            // Registered before the state is read: a change in between still wakes us.
            changed.as_mut().enable();
            let admission = self.state().admit(Instant::now());
            match admission {
                Admission::Go => return Permit { pacer: self },
                Admission::WaitUntil(until) => {
                    tokio::select! {
                        () = tokio::time::sleep_until(until) => {}
                        () = &mut changed => {}
                    }
                }
                Admission::WaitForSlot => changed.await,
            }
        }
    }

    /// Runs one call of a bulk loop: started when the pacer admits it; a final `429` or
    /// `503` (after the SDK's own retries) counts as pressure.
    pub async fn paced<T>(
        &self,
        call: impl IntoFuture<Output = Result<T, Error>>,
    ) -> Result<T, Error> {
        let permit = self.admit().await;
        let result = call.into_future().await;
        if let Err(error) = &result {
            let status = error.status().map(|s| s.as_u16());
            if let Some(signal) = Signal::of(status, error.retry_after()) {
                // Still counted in flight: it was one of the calls the server refused.
                let extended = self.pressure(signal);
                let asked = error.retry_after().filter(|wait| *wait >= LONG_WAIT);
                if let (true, Some(asked), Some(print)) = (extended, asked, self.print)
                    && !print.is_quiet()
                {
                    let pause = asked.min(LONGEST_PAUSE);
                    print.line(format_args!(
                        "OpenRouter answered {} and asked to wait {}: no new call of the batch \
                         starts for {}{}",
                        status.map_or_else(|| "an error".to_string(), |s| s.to_string()),
                        humantime::format_duration(whole_ms(asked)),
                        humantime::format_duration(whole_ms(pause)),
                        if pause < asked {
                            " (the longest a call waits; the refused call fails)"
                        } else {
                            ""
                        }
                    ));
                }
            }
        }
        drop(permit);
        result
    }

    /// The server refused a call: see [`PaceState::pressure`]. Whether this is a pause not
    /// announced yet.
    fn pressure(&self, signal: Signal) -> bool {
        let extended = self.state().pressure(Instant::now(), signal);
        self.changed.notify_waiters();
        extended
    }

    /// What a retry the SDK is about to wait for says (the client's retry hook): a `429` or
    /// `503` is pressure. Whether the wait should be announced: at least [`LONG_WAIT`], and,
    /// when it is the server's pause, not one announced already.
    pub fn on_retry(&self, notice: &RetryNotice) -> bool {
        self.on_wait(notice.status, notice.wait, notice.server_asked)
    }

    /// [`on_retry`](Self::on_retry) on the notice's parts: the failed attempt's status, the
    /// wait, and whether the server asked for it.
    fn on_wait(&self, status: Option<u16>, wait: Duration, server_asked: bool) -> bool {
        let long = wait >= LONG_WAIT;
        let Some(signal) = Signal::of(status, server_asked.then_some(wait)) else {
            return long;
        };
        let fresh = self.pressure(signal);
        long && (fresh || !server_asked)
    }
}

/// `wait` to the millisecond, for people (`2s`, not `2s 3us 120ns`).
fn whole_ms(wait: Duration) -> Duration {
    Duration::from_millis(wait.as_millis().try_into().unwrap_or(u64::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(start: Instant, ms: u64) -> Instant {
        start + Duration::from_millis(ms)
    }

    /// A 429 asking for a pause of `ms`.
    fn limit(ms: u64) -> Signal {
        Signal::Limit(Some(Duration::from_millis(ms)))
    }

    #[test]
    fn a_pause_the_server_asks_for_lasts_at_most_a_calls_deadline() {
        let start = Instant::now();
        let mut state = PaceState::new(start);
        let a_year = Duration::from_secs(365 * 24 * 3600);
        assert!(state.pressure(start, Signal::Limit(Some(a_year))));
        assert_eq!(state.paused_until, Some(start + LONGEST_PAUSE));
    }

    #[test]
    fn a_lone_503_without_retry_after_does_not_slow_the_batch_two_in_a_second_do() {
        let start = Instant::now();
        let mut pace = PaceState::new(start);
        for _ in 0..8 {
            pace.admit(start);
        }
        assert!(!pace.pressure(at(start, 100), Signal::Unavailable));
        assert_eq!(pace.limit(), None, "a gateway's passing failure");
        assert!(!pace.pressure(at(start, 1_200), Signal::Unavailable));
        assert_eq!(pace.limit(), None, "another, more than a second later");
        assert!(!pace.pressure(at(start, 1_700), Signal::Unavailable));
        assert_eq!(pace.limit(), Some(4), "two within a second: overload");
        assert_eq!(
            Signal::of(Some(503), Some(Duration::from_secs(2))),
            Some(Signal::Limit(Some(Duration::from_secs(2))))
        );
        assert_eq!(Signal::of(Some(429), None), Some(Signal::Limit(None)));
        assert_eq!(Signal::of(Some(500), None), None);
    }

    #[test]
    fn without_pressure_every_call_the_loop_offers_starts() {
        let start = Instant::now();
        let mut pace = PaceState::new(start);
        for _ in 0..64 {
            assert_eq!(pace.admit(start), Admission::Go);
        }
        assert_eq!(pace.in_flight(), 64);
        assert_eq!(pace.limit(), None);
    }

    #[test]
    fn a_retry_after_pauses_every_new_call_and_halves_the_calls_in_flight_once_per_burst() {
        let start = Instant::now();
        let mut pace = PaceState::new(start);
        for _ in 0..8 {
            assert_eq!(pace.admit(start), Admission::Go);
        }
        // Four of the eight are refused at once, each asking for a second.
        assert!(pace.pressure(at(start, 10), limit(1_000)));
        for ms in [11, 12, 13] {
            assert!(!pace.pressure(at(start, ms), limit(1_000)));
        }
        assert_eq!(pace.limit(), Some(4), "halved once for the burst");
        assert_eq!(
            pace.admit(at(start, 500)),
            Admission::WaitUntil(at(start, 1_013))
        );
        // The pause is over, but eight calls are still in flight (the SDK retries the four).
        assert_eq!(pace.admit(at(start, 1_013)), Admission::WaitForSlot);
        for _ in 0..5 {
            pace.finish();
        }
        assert_eq!(pace.admit(at(start, 1_020)), Admission::Go);
        assert_eq!(pace.admit(at(start, 1_020)), Admission::WaitForSlot);
        // The next refusal after the pause is a new burst: halved again, down to one.
        assert!(pace.pressure(at(start, 1_100), limit(1_000)));
        assert_eq!(pace.limit(), Some(2));
        assert!(pace.pressure(at(start, 2_200), limit(1_000)));
        assert!(pace.pressure(at(start, 3_300), limit(1_000)));
        assert_eq!(pace.limit(), Some(1), "never below one");
    }

    #[test]
    fn calm_seconds_add_one_call_each() {
        let start = Instant::now();
        let mut pace = PaceState::new(start);
        for _ in 0..4 {
            pace.admit(start);
        }
        // A 429 without Retry-After: no pause, the calls in flight halved.
        assert!(!pace.pressure(at(start, 100), Signal::Limit(None)));
        assert_eq!(pace.limit(), Some(2));
        assert_eq!(pace.admit(at(start, 200)), Admission::WaitForSlot);
        for _ in 0..4 {
            pace.finish();
        }
        assert_eq!(pace.admit(at(start, 1_099)), Admission::Go);
        assert_eq!(pace.limit(), Some(2));
        assert_eq!(pace.admit(at(start, 1_100)), Admission::Go);
        assert_eq!(pace.limit(), Some(3), "one more after a calm second");
        assert_eq!(pace.admit(at(start, 3_100)), Admission::Go);
        assert_eq!(pace.limit(), Some(5), "two more after two");
    }

    #[test]
    fn a_short_pause_asked_for_is_recovered_from_in_short_steps() {
        let start = Instant::now();
        let mut pace = PaceState::new(start);
        for _ in 0..8 {
            pace.admit(start);
        }
        for _ in 0..8 {
            pace.finish();
        }
        // A 429 asking for 20 ms: halved, then one more every 100 ms (the shortest step).
        pace.pressure(at(start, 0), limit(20));
        assert_eq!(pace.limit(), Some(1), "nothing was in flight: one");
        assert_eq!(pace.admit(at(start, 119)), Admission::Go);
        assert_eq!(pace.limit(), Some(1));
        assert_eq!(pace.admit(at(start, 120)), Admission::Go);
        assert_eq!(pace.limit(), Some(2));
        assert_eq!(pace.admit(at(start, 520)), Admission::Go);
        assert_eq!(pace.limit(), Some(6));
    }

    fn waited(pacer: &Pacer, status: Option<u16>, wait_ms: u64, server_asked: bool) -> bool {
        pacer.on_wait(status, Duration::from_millis(wait_ms), server_asked)
    }

    /// A burst of refusals announces its pause once; other long waits as before.
    #[tokio::test(start_paused = true)]
    async fn a_pause_is_announced_once_and_holds_back_new_calls_until_it_ends() {
        let pacer = Pacer::default();
        let first = pacer.admit().await;
        let second = pacer.admit().await;
        assert!(waited(&pacer, Some(429), 1_000, true));
        assert!(!waited(&pacer, Some(429), 1_000, true), "the same pause");
        assert!(!waited(&pacer, Some(429), 200, true), "short");
        assert!(waited(&pacer, Some(500), 1_500, false), "a long backoff");
        assert!(!waited(&pacer, None, 300, false));
        let started = Instant::now();
        drop((first, second));
        // Paused for the second the server asked; then one call at a time (halved from 2).
        let third = pacer.admit().await;
        assert!(Instant::now() >= started + Duration::from_secs(1));
        let order = std::sync::Mutex::new(Vec::new());
        let fourth = async {
            let _permit = pacer.admit().await;
            order.lock().unwrap().push("fourth started");
        };
        let release = async {
            tokio::time::sleep(Duration::from_millis(10)).await;
            order.lock().unwrap().push("third finished");
            drop(third);
        };
        tokio::join!(fourth, release);
        assert_eq!(
            *order.lock().unwrap(),
            ["third finished", "fourth started"],
            "the fourth waited for the third's slot"
        );
    }
}
