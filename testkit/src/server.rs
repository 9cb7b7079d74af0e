//! The fake server as a test uses it: its settings (the builder), starting it, scripting
//! faults and settings while it runs, and reading what happened.

use crate::clock::{Clock, ManualClock};
use crate::fault::{Fault, RandomFaults};
use crate::guardrails::NewGuardrail;
use crate::http::{self, BASE_PATH, RecordedResponse};
use crate::listing::ListingLag;
use crate::rate_limit::TokenBucket;
use crate::route::Route;
use crate::shared::{Shared, lock};
use crate::store::Store;
use crate::timeline::Timeline;
use crate::workspaces::NewWorkspace;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;
use time::OffsetDateTime;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

/// A running fake server. Dropping it stops accepting connections and drops the late calls
/// it has not performed yet.
#[derive(Debug)]
pub struct FakeServer {
    addr: SocketAddr,
    base_url: String,
    management_key: String,
    normal_key: String,
    shared: Arc<Shared>,
    accept_loop: JoinHandle<()>,
}

/// Settings of a [`FakeServer`].
#[derive(Debug, Clone)]
pub struct FakeServerBuilder {
    port: u16,
    page_size: usize,
    seed: u64,
    record_responses: bool,
    clock: Option<ManualClock>,
    wall_clock_start: Option<OffsetDateTime>,
    latency: Vec<(Route, Duration)>,
    rate_limits: Vec<(Route, TokenBucket)>,
    listing_lag: ListingLag,
}

impl Default for FakeServerBuilder {
    fn default() -> Self {
        Self {
            port: 0,
            page_size: 100,
            seed: 0x5eed,
            record_responses: false,
            clock: None,
            wall_clock_start: None,
            latency: Vec::new(),
            rate_limits: Vec::new(),
            listing_lag: ListingLag::NONE,
        }
    }
}

impl FakeServerBuilder {
    /// Port on 127.0.0.1 (default 0: any free port).
    pub fn port(mut self, port: u16) -> Self {
        self.port = port;
        self
    }

    /// Keys per `GET /keys` page (default 100: our choice, since OpenRouter does not document
    /// the real API's page size).
    pub fn page_size(mut self, page_size: usize) -> Self {
        self.page_size = page_size;
        self
    }

    /// Seed of the generated secrets and hashes, and of random faults.
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// Keep every answer the fake sends, for [`FakeServer::responses`].
    pub fn record_responses(mut self, record: bool) -> Self {
        self.record_responses = record;
        self
    }

    /// Runs the fake on `clock` instead of real time: see [`ManualClock`]. Latency, delays,
    /// late effects, the listing's lag, rate limits, `created_at` and expiry all follow it.
    pub fn manual_clock(mut self, clock: &ManualClock) -> Self {
        self.clock = Some(clock.clone());
        self
    }

    /// The wall-clock time the fake's clock reads when it starts (default: the real time
    /// now), from which `created_at`, `updated_at`, expiry and `last_used_at` are counted.
    /// With a [`ManualClock`], a test makes keys in the past, then moves the clock on to the
    /// present: keys as old as it needs, used when it says ([`FakeServer::add_usage`]).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> std::io::Result<()> {
    /// use openrouter_keys_testkit::{FakeServer, ManualClock};
    /// use std::time::Duration;
    /// use time::OffsetDateTime;
    ///
    /// let clock = ManualClock::new();
    /// let now = OffsetDateTime::now_utc();
    /// let fake = FakeServer::builder()
    ///     .manual_clock(&clock)
    ///     .wall_clock_start(now - Duration::from_secs(90 * 86_400))
    ///     .start()
    ///     .await?;
    /// // ... create keys: they are 90 days old once the clock has caught up:
    /// clock.advance(Duration::from_secs(90 * 86_400));
    /// # let _ = fake; Ok(()) }
    /// ```
    pub fn wall_clock_start(mut self, at: OffsetDateTime) -> Self {
        self.wall_clock_start = Some(at);
        self
    }

    /// Every request on `route` takes at least `latency` from its arrival to its answer (or to
    /// the connection closed by a fault), whatever else happens to it. The operation takes
    /// effect when the request arrives (unless a [`Fault::Late`] says later); concurrent
    /// requests wait side by side, each `latency`, not in a queue. Unlike the one-shot
    /// [`Fault::Delay`], it stays until changed ([`FakeServer::set_latency`]).
    pub fn latency(mut self, route: Route, latency: Duration) -> Self {
        self.latency.push((route, latency));
        self
    }

    /// Limits `route` to `limit`, a token bucket (see [`TokenBucket`]): a request that finds it
    /// empty is answered `429` with the error envelope and `Retry-After`, and has no effect.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> std::io::Result<()> {
    /// use openrouter_keys_testkit::{FakeServer, TokenBucket, Route};
    ///
    /// let fake = FakeServer::builder()
    ///     .rate_limit(Route::CreateKeys, TokenBucket::per_second(20).burst(5))
    ///     .start()
    ///     .await?;
    /// // ... run a batch against it, then:
    /// assert_eq!(fake.rate_limited(Route::CreateKeys), 0);
    /// # Ok(()) }
    /// ```
    pub fn rate_limit(mut self, route: Route, limit: TokenBucket) -> Self {
        self.rate_limits.push((route, limit));
        self
    }

    /// Makes `GET /keys` trail the keys' real state by `lag`, as an eventually consistent
    /// listing does (default: no lag).
    ///
    /// With [`ListingLag::every_change`], every change shows in the listing `lag` after it
    /// took effect: a new key appears late, a disabled or renamed key is listed with its old
    /// state, and a deleted key stays listed (deleting it again answers 404). With
    /// [`ListingLag::new_keys`], only new keys appear late.
    ///
    /// Everything else sees the real state at once: a new key's secret authenticates, and
    /// `GET /keys/{hash}`, `PATCH` and `DELETE` find it (and no longer find a deleted one).
    /// That is our model, not a documented behaviour of OpenRouter: a read by hash is a
    /// lookup of the key's record, which a write updates in place (the secret that works at
    /// once is checked against the same record), while a listing is a scan of an index or
    /// replica that is filled asynchronously. It is also what lets a client confirm a create
    /// whose answer it lost by reading the key by hash.
    pub fn listing_lag(mut self, lag: ListingLag) -> Self {
        self.listing_lag = lag;
        self
    }

    /// Binds 127.0.0.1 and starts serving on the current tokio runtime.
    pub async fn start(self) -> std::io::Result<FakeServer> {
        let listener = TcpListener::bind(("127.0.0.1", self.port)).await?;
        let addr = listener.local_addr()?;
        let clock = match self.clock {
            Some(manual) => Clock::manual(manual),
            None => Clock::real(),
        };
        let clock = match self.wall_clock_start {
            Some(wall) => clock.reading(wall),
            None => clock,
        };
        let mut timeline = Timeline::new(Store::new(self.page_size, self.seed, self.listing_lag));
        let start = timeline.catch_up(&clock, clock.now()).0;
        let at = crate::store::Moment {
            clock: start,
            wall: clock.wall_at(start),
        };
        let management_key = timeline.store.seed_key("Management key", true, at);
        let normal_key = timeline.store.seed_key("Normal key", false, at);
        let shared = Arc::new(Shared::new(clock, timeline, self.record_responses));
        for (route, latency) in self.latency {
            shared.set_latency(route, latency);
        }
        for (route, limit) in self.rate_limits {
            shared.set_rate_limit(route, Some(limit));
        }
        let accept_loop = tokio::spawn(accept(listener, shared.clone()));
        Ok(FakeServer {
            addr,
            base_url: format!("http://{addr}{BASE_PATH}"),
            management_key,
            normal_key,
            shared,
            accept_loop,
        })
    }
}

async fn accept(listener: TcpListener, shared: Arc<Shared>) {
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            continue;
        };
        let shared = shared.clone();
        tokio::spawn(async move {
            let service = service_fn(move |request| http::handle(shared.clone(), request));
            // An error here is a client hanging up or an injected close; both end the
            // connection, which is all there is to do.
            let _ = http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}

impl FakeServer {
    /// Starts a fake on any free port with default settings.
    pub async fn start() -> std::io::Result<FakeServer> {
        FakeServerBuilder::default().start().await
    }

    /// Settings for a fake.
    pub fn builder() -> FakeServerBuilder {
        FakeServerBuilder::default()
    }

    /// The base URL to give a client, e.g. `http://127.0.0.1:PORT/api/v1`.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The socket address served.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// A management key: may call every operation.
    pub fn management_key(&self) -> &str {
        &self.management_key
    }

    /// A normal key: may call `GET /key` only.
    pub fn normal_key(&self) -> &str {
        &self.normal_key
    }

    /// Makes the next request to `route` misbehave.
    pub fn inject(&self, route: Route, fault: Fault) {
        self.inject_n(route, fault, 1);
    }

    /// Makes the next `n` requests to `route` misbehave (after any already queued). A request
    /// refused by the route's rate limit does not take one.
    pub fn inject_n(&self, route: Route, fault: Fault, n: usize) {
        let mut queued = lock(&self.shared.routes.get(route).queued);
        queued.extend(std::iter::repeat_n(fault, n));
    }

    /// Gives every request without a queued fault a random chance of one.
    pub fn inject_random(&self, plan: RandomFaults) {
        let rng = fastrand::Rng::with_seed(plan.seed);
        *lock(&self.shared.random) = Some((plan, rng));
    }

    /// Removes queued and random faults. Late calls already received still take effect;
    /// latency, rate limits and the listing's lag stay (each has its own setter).
    pub fn clear_faults(&self) {
        for route in self.shared.routes.iter() {
            lock(&route.queued).clear();
        }
        *lock(&self.shared.random) = None;
    }

    /// Sets the least time from a request's arrival on `route` to its answer (see
    /// [`FakeServerBuilder::latency`]); `Duration::ZERO` removes it. Requests already
    /// received keep the latency they arrived with.
    pub fn set_latency(&self, route: Route, latency: Duration) {
        self.shared.set_latency(route, latency);
    }

    /// The latency of `route`.
    pub fn latency(&self, route: Route) -> Duration {
        self.shared.latency(route)
    }

    /// Sets (`Some`) or removes (`None`) the rate limit of `route` (see
    /// [`FakeServerBuilder::rate_limit`]). A new limit starts with a full bucket.
    pub fn set_rate_limit(&self, route: Route, limit: Option<TokenBucket>) {
        self.shared.set_rate_limit(route, limit);
    }

    /// The rate limit of `route`, if it has one.
    pub fn rate_limit(&self, route: Route) -> Option<TokenBucket> {
        self.shared.rate_limit(route)
    }

    /// Changes the listing's lag (see [`FakeServerBuilder::listing_lag`]): the listing first
    /// catches up with every change so far, then shows later changes with the new lag.
    pub fn set_listing_lag(&self, lag: ListingLag) {
        self.shared
            .change_timeline(|timeline, _| timeline.store.set_listing_lag(lag));
    }

    /// The fake's clock: the time since the server started, or the [`ManualClock`]'s reading.
    pub fn now(&self) -> Duration {
        self.shared.with_timeline(|_, now| now.clock)
    }

    /// Requests received for `route` so far (faulted and rate-limited ones included).
    pub fn requests(&self, route: Route) -> u64 {
        self.shared
            .routes
            .get(route)
            .requests
            .load(Ordering::SeqCst)
    }

    /// Requests on `route` received and not answered yet (waiting out a latency, a delay
    /// or a late effect, or being performed).
    pub fn in_flight(&self, route: Route) -> u64 {
        self.shared
            .routes
            .get(route)
            .in_flight
            .load(Ordering::SeqCst)
    }

    /// The most requests on `route` ever in flight at once: how much concurrency the
    /// clients offered.
    pub fn max_in_flight(&self, route: Route) -> u64 {
        let state = self.shared.routes.get(route);
        state.max_in_flight.load(Ordering::SeqCst)
    }

    /// `429`s answered on `route` because its rate limit's bucket was empty (not counting
    /// injected 429 faults, which [`faults_injected`](FakeServer::faults_injected) counts).
    pub fn rate_limited(&self, route: Route) -> u64 {
        let state = self.shared.routes.get(route);
        state.rate_limited.load(Ordering::SeqCst)
    }

    /// Requests received with a [`Fault::Late`] whose time has not come yet.
    pub fn pending_late_calls(&self) -> usize {
        self.shared.pending_late_calls()
    }

    /// Waits until `condition` holds. It is checked now, and again whenever a request
    /// arrives or is answered, the state changes, or the manual clock moves: a test can
    /// wait for "the create has arrived" before moving the clock, without sleeping (the
    /// crate's documentation has an example). It waits as long as it takes: wrap it in
    /// `tokio::time::timeout` to turn a hang into a failure.
    pub async fn wait_until(&self, mut condition: impl FnMut(&FakeServer) -> bool) {
        let mut clock = self.shared.clock.manual_clock().map(ManualClock::subscribe);
        loop {
            let changed = self.shared.changed.notified();
            tokio::pin!(changed);
            changed.as_mut().enable();
            if let Some(clock) = clock.as_mut() {
                clock.borrow_and_update();
            }
            if condition(self) {
                return;
            }
            match clock.as_mut() {
                Some(clock) => {
                    tokio::select! {
                        _ = changed => {}
                        _ = clock.changed() => {}
                    }
                }
                None => changed.await,
            }
        }
    }

    /// Faults applied so far, by kind (see [`Fault::kind`]).
    pub fn faults_injected(&self) -> std::collections::BTreeMap<&'static str, u64> {
        lock(&self.shared.injected).clone()
    }

    /// Requests received for all routes.
    pub fn total_requests(&self) -> u64 {
        Route::ALL.iter().map(|r| self.requests(*r)).sum()
    }

    /// Keys created through the API that still exist (the two start-up keys excluded).
    pub fn created_key_count(&self) -> usize {
        self.shared
            .with_timeline(|timeline, _| timeline.store.len().saturating_sub(2))
    }

    /// Names of the keys created through the API that still exist, oldest first.
    pub fn created_key_names(&self) -> Vec<String> {
        self.shared
            .with_timeline(|timeline, _| timeline.store.names().into_iter().skip(2).collect())
    }

    /// Records `usd` of spend on the key with this hash, as if it had been used: its `usage`
    /// (total, daily, weekly and monthly alike) grows and its `limit_remaining` shrinks, and
    /// its `last_used_at` becomes the fake's wall-clock time — unless that is before 2026,
    /// since OpenRouter documents `last_used_at` as null "if no usage has been recorded since
    /// the end of 2025" (a key used only before then keeps a null `last_used_at`; see
    /// [`FakeServerBuilder::wall_clock_start`] to make such keys). `usd` may be 0 (a use of a
    /// free model). Returns `false` when no key has this hash. For testing reports, limits
    /// and audits.
    pub fn add_usage(&self, hash: &str, usd: f64) -> bool {
        self.shared
            .change_timeline(|timeline, now| timeline.store.add_usage(hash, usd, now))
    }

    /// Adds a workspace, as if made in OpenRouter's dashboard: `GET /workspaces` lists it and
    /// keys can be created in it (`workspace_id`). Returns its id, or why it cannot be added
    /// (its slug is taken).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// use openrouter_keys_testkit::{FakeServer, NewGuardrail, NewWorkspace};
    ///
    /// let fake = FakeServer::start().await?;
    /// let research = fake.add_workspace(NewWorkspace::new("Research"))?;
    /// let capped = fake.add_guardrail(
    ///     NewGuardrail::new("research-cap")
    ///         .limit_usd(25.0)
    ///         .reset_interval("monthly")
    ///         .workspace(&research),
    /// )?;
    /// assert_eq!(fake.guardrail_of("no-such-key"), None);
    /// # let _ = capped; Ok(()) }
    /// ```
    pub fn add_workspace(&self, workspace: NewWorkspace) -> Result<String, String> {
        self.shared
            .change_timeline(|timeline, now| timeline.store.add_workspace(workspace, now))
    }

    /// Adds a guardrail, as if made in OpenRouter's dashboard, to the workspace it names (by
    /// default the default workspace). Returns its id, or why it cannot be added (no such
    /// workspace; a second default guardrail for one workspace).
    pub fn add_guardrail(&self, guardrail: NewGuardrail) -> Result<String, String> {
        self.shared
            .change_timeline(|timeline, now| timeline.store.add_guardrail(guardrail, now))
    }

    /// The id of the guardrail the key with this hash holds, if it holds one.
    pub fn guardrail_of(&self, key_hash: &str) -> Option<String> {
        self.shared.with_timeline(|timeline, _| {
            timeline
                .store
                .guardrails
                .of_key(key_hash)
                .map(str::to_string)
        })
    }

    /// Every answer sent so far, when recording was enabled.
    pub fn responses(&self) -> Vec<RecordedResponse> {
        lock(&self.shared.responses).clone()
    }
}

impl Drop for FakeServer {
    fn drop(&mut self) {
        self.accept_loop.abort();
        self.shared.abort_late_calls();
    }
}
