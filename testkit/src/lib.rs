//! # openrouter-keys-testkit
//!
//! A stateful, in-memory fake of OpenRouter's API-key management API, served over real HTTP
//! on 127.0.0.1, for testing code that manages keys without a network or a real management
//! key. It follows the API's documented behaviour (see the repository's `openapi/` spec):
//!
//! - a **management key** may call everything; a **normal key** may call `GET /key` only
//!   (`POST /keys` answers 403, the other `/keys` operations 401);
//! - `POST /keys` returns a `sk-or-v1-…` secret once, at the top level, and a 64-hex `hash`;
//!   the secret then works as a bearer token for `GET /key`;
//! - `GET /keys` pages by `offset` (100 keys a page by default; the real page size is not
//!   documented) and honours
//!   `include_disabled`, `include_expired` and `workspace_id`;
//! - `PATCH` keeps absent fields and clears `limit`/`limit_reset` sent as `null`;
//! - invalid input answers 400 with the documented error envelope.
//!
//! Faults can be scripted per route ([`FakeServer::inject`]) or drawn at random
//! ([`FakeServer::inject_random`]) to test retries and error handling.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> std::io::Result<()> {
//! use openrouter_keys_testkit::{FakeServer, Fault, Route};
//!
//! let server = FakeServer::start().await?;
//! // Point your client at server.base_url() with server.management_key().
//! server.inject(Route::CreateKeys, Fault::status(503));
//! assert_eq!(server.requests(Route::CreateKeys), 0);
//! # Ok(()) }
//! ```
//!
//! The keys it hands out are random test values, not secrets, and are plain strings here.

#![warn(missing_docs)]

pub mod canned;
mod fault;
mod http;
pub mod scripted;
mod store;

pub use fault::{FAULT_SYNTAX, Fault, FaultBody, ROUTE_SYNTAX, RandomFaults, RetryAfter, Route};
pub use http::{BASE_PATH, RecordedResponse};
pub use store::DEFAULT_WORKSPACE;

use http::{Shared, lock};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

/// A running fake server. Dropping it stops accepting connections.
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
}

impl Default for FakeServerBuilder {
    fn default() -> Self {
        Self {
            port: 0,
            page_size: 100,
            seed: 0x5eed,
            record_responses: false,
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

    /// Binds 127.0.0.1 and starts serving on the current tokio runtime.
    pub async fn start(self) -> std::io::Result<FakeServer> {
        let listener = TcpListener::bind(("127.0.0.1", self.port)).await?;
        let addr = listener.local_addr()?;
        let mut store = store::Store::new(self.page_size, self.seed);
        let management_key = store.seed_key("Management key", true);
        let normal_key = store.seed_key("Normal key", false);
        let shared = Arc::new(Shared {
            store: std::sync::Mutex::new(store),
            queued: Default::default(),
            random: Default::default(),
            requests: Default::default(),
            injected: Default::default(),
            record: self.record_responses,
            responses: Default::default(),
        });
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

    /// Makes the next `n` requests to `route` misbehave (after any already queued).
    pub fn inject_n(&self, route: Route, fault: Fault, n: usize) {
        let mut queued = lock(&self.shared.queued);
        queued[route.index()].extend(std::iter::repeat_n(fault, n));
    }

    /// Gives every request without a queued fault a random chance of one.
    pub fn inject_random(&self, plan: RandomFaults) {
        let rng = fastrand::Rng::with_seed(plan.seed);
        *lock(&self.shared.random) = Some((plan, rng));
    }

    /// Removes queued and random faults.
    pub fn clear_faults(&self) {
        for queue in lock(&self.shared.queued).iter_mut() {
            queue.clear();
        }
        *lock(&self.shared.random) = None;
    }

    /// Requests received for `route` so far (faulted ones included).
    pub fn requests(&self, route: Route) -> u64 {
        self.shared.requests[route.index()].load(Ordering::SeqCst)
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
        lock(&self.shared.store).len().saturating_sub(2)
    }

    /// Names of the keys created through the API that still exist, oldest first.
    pub fn created_key_names(&self) -> Vec<String> {
        lock(&self.shared.store)
            .names()
            .into_iter()
            .skip(2)
            .collect()
    }

    /// Every answer sent so far, when recording was enabled.
    pub fn responses(&self) -> Vec<RecordedResponse> {
        lock(&self.shared.responses).clone()
    }
}

impl Drop for FakeServer {
    fn drop(&mut self) {
        self.accept_loop.abort();
    }
}
