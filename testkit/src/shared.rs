//! The state every connection of one fake shares: the timeline (store and late calls) behind
//! one lock, each route's settings, queued faults and counters, and the clock.

use crate::clock::Clock;
use crate::fault::{Fault, RandomFaults};
use crate::http::RecordedResponse;
use crate::operation::Call;
use crate::rate_limit::{Bucket, TokenBucket};
use crate::route::{PerRoute, Route};
use crate::store::{Answer, Moment, error};
use crate::timeline::Timeline;
use std::collections::{BTreeMap, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;
use tokio::sync::{Notify, oneshot};

/// Locks a mutex, recovering the data if a panicking thread poisoned it.
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// One route's settings, faults and counters.
#[derive(Debug, Default)]
pub(crate) struct RouteState {
    /// Requests received (faulted and rate-limited ones included).
    pub requests: AtomicU64,
    /// Requests received and not answered yet.
    pub in_flight: AtomicU64,
    /// The most requests ever in flight at once.
    pub max_in_flight: AtomicU64,
    /// `429`s answered because the rate limit's bucket was empty.
    pub rate_limited: AtomicU64,
    /// The least time from a request's arrival to its answer.
    pub latency: Mutex<Duration>,
    pub bucket: Mutex<Option<Bucket>>,
    pub queued: Mutex<VecDeque<Fault>>,
}

#[derive(Debug)]
pub(crate) struct Shared {
    pub clock: Clock,
    timeline: Mutex<Timeline>,
    pub routes: PerRoute<RouteState>,
    pub random: Mutex<Option<(RandomFaults, fastrand::Rng)>>,
    /// Faults applied so far, by kind (`Fault::kind`).
    pub injected: Mutex<BTreeMap<&'static str, u64>>,
    pub record: bool,
    pub responses: Mutex<Vec<RecordedResponse>>,
    /// Woken whenever a request arrives or ends, or the state changes.
    pub changed: Notify,
}

/// Counts a request in flight on its route until dropped (answered, or abandoned by its
/// connection).
pub(crate) struct InFlight {
    shared: Arc<Shared>,
    route: Route,
}

impl Drop for InFlight {
    fn drop(&mut self) {
        let state = self.shared.routes.get(self.route);
        state.in_flight.fetch_sub(1, Ordering::SeqCst);
        self.shared.changed.notify_waiters();
    }
}

impl Shared {
    pub fn new(clock: Clock, timeline: Timeline, record: bool) -> Shared {
        Shared {
            clock,
            timeline: Mutex::new(timeline),
            routes: PerRoute::default(),
            random: Mutex::default(),
            injected: Mutex::default(),
            record,
            responses: Mutex::default(),
            changed: Notify::new(),
        }
    }

    /// Runs `f` on the state brought up to the present, with the present as a [`Moment`].
    /// For `f` that only reads: waiters are woken only if catching up changed the state.
    pub fn with_timeline<R>(&self, f: impl FnOnce(&mut Timeline, Moment) -> R) -> R {
        let (result, caught_up) = {
            let mut timeline = lock(&self.timeline);
            let (now, performed) = timeline.catch_up(&self.clock, self.clock.now());
            let moment = Moment {
                clock: now,
                wall: self.clock.wall_at(now),
            };
            (f(&mut timeline, moment), performed > 0)
        };
        if caught_up {
            self.changed.notify_waiters();
        }
        result
    }

    /// Runs `f`, which changes the state, on the state brought up to the present.
    pub fn change_timeline<R>(&self, f: impl FnOnce(&mut Timeline, Moment) -> R) -> R {
        let result = self.with_timeline(f);
        self.changed.notify_waiters();
        result
    }

    /// Counts a request's arrival on `route`; it stays in flight until the guard drops.
    pub fn arrive(self: &Arc<Self>, route: Route) -> InFlight {
        let state = self.routes.get(route);
        state.requests.fetch_add(1, Ordering::SeqCst);
        let in_flight = state.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        state.max_in_flight.fetch_max(in_flight, Ordering::SeqCst);
        self.changed.notify_waiters();
        InFlight {
            shared: self.clone(),
            route,
        }
    }

    pub fn latency(&self, route: Route) -> Duration {
        *lock(&self.routes.get(route).latency)
    }

    pub fn set_latency(&self, route: Route, latency: Duration) {
        *lock(&self.routes.get(route).latency) = latency;
    }

    /// Sets or removes `route`'s rate limit; a new limit starts with a full bucket.
    pub fn set_rate_limit(&self, route: Route, limit: Option<TokenBucket>) {
        let now = self.clock.now();
        *lock(&self.routes.get(route).bucket) = limit.map(|l| Bucket::new(l, now));
    }

    pub fn rate_limit(&self, route: Route) -> Option<TokenBucket> {
        lock(&self.routes.get(route).bucket)
            .as_ref()
            .map(Bucket::limit)
    }

    /// Takes a token from `route`'s bucket at `now`, or counts a refusal and says how long
    /// until a token is available.
    pub fn admit(&self, route: Route, now: Duration) -> Result<(), Duration> {
        let state = self.routes.get(route);
        let Some(bucket) = lock(&state.bucket).as_mut().map(|b| b.take(now)) else {
            return Ok(());
        };
        if bucket.is_err() {
            state.rate_limited.fetch_add(1, Ordering::SeqCst);
        }
        bucket
    }

    pub fn next_fault(&self, route: Route) -> Option<Fault> {
        let fault = self.draw_fault(route)?;
        *lock(&self.injected).entry(fault.kind()).or_default() += 1;
        Some(fault)
    }

    fn draw_fault(&self, route: Route) -> Option<Fault> {
        if let Some(fault) = lock(&self.routes.get(route).queued).pop_front() {
            return Some(fault);
        }
        let mut random = lock(&self.random);
        let (plan, rng) = random.as_mut()?;
        if plan.faults.is_empty() || rng.f64() >= plan.rate {
            return None;
        }
        Some(plan.faults[rng.usize(..plan.faults.len())].clone())
    }

    /// Performs `call` now.
    pub fn perform(&self, call: &Call) -> Answer {
        self.change_timeline(|timeline, now| {
            crate::operation::perform(&mut timeline.store, call, now)
        })
    }

    /// Performs `call` at `due` on the fake's clock, whatever becomes of the request that
    /// carried it, and returns its answer then.
    pub async fn perform_at(self: &Arc<Self>, due: Duration, call: Call) -> Answer {
        let (reply, answer) = oneshot::channel();
        let id = self.change_timeline(|timeline, _| timeline.schedule(due, call, reply));
        // Its own task, so that a connection dropped meanwhile cannot cancel it.
        let waiter = tokio::spawn({
            let shared = self.clone();
            async move {
                shared.clock.sleep_until(due).await;
                shared.with_timeline(|_, _| ());
            }
        });
        // Already due (the clock moved on since the request arrived): performed here.
        self.with_timeline(|timeline, _| timeline.set_waiter(id, waiter.abort_handle()));
        answer.await.unwrap_or_else(|_| {
            error(
                503,
                "The fake server stopped before performing this request",
            )
        })
    }

    /// Late calls not performed yet.
    pub fn pending_late_calls(&self) -> usize {
        self.with_timeline(|timeline, _| timeline.pending())
    }

    /// Stops the tasks that would perform late calls: the server is going away.
    pub fn abort_late_calls(&self) {
        lock(&self.timeline).abort_waiters();
    }
}
