//! # openrouter-keys-testkit
//!
//! A stateful, in-memory fake of OpenRouter's API-key management API, served over real HTTP
//! on 127.0.0.1, for testing code that manages keys without a network or a real management
//! key. It follows the API's documented behaviour (see the repository's `openapi/` spec and
//! `openapi/POLICY.md`):
//!
//! - a **management key** may call everything; a **normal key** may call `GET /key` only
//!   (`POST /keys` answers 403, every other operation 401);
//! - `POST /keys` returns a `sk-or-v1-…` secret once, at the top level, and a 64-hex `hash`;
//!   the secret then works as a bearer token for `GET /key`;
//! - `GET /keys` pages by `offset` (100 keys a page by default; the real page size is not
//!   documented) and honours
//!   `include_disabled`, `include_expired` and `workspace_id`;
//! - `PATCH` keeps absent fields and clears `limit`/`limit_reset` sent as `null`;
//! - keys belong to a workspace; `GET /workspaces` and `GET /workspaces/{id}` (by id or slug)
//!   read the default workspace and those a test adds ([`FakeServer::add_workspace`]);
//! - guardrails a test adds ([`FakeServer::add_guardrail`]) are read with `GET /guardrails`
//!   (one workspace's) and `GET /guardrails/{id}`; keys are assigned to them and unassigned
//!   (`POST /guardrails/{id}/assignments/keys` and `…/remove`), a key holding at most one, an
//!   assignment replacing the one before; `GET /guardrails/assignments/keys` and
//!   `GET /guardrails/{id}/assignments/keys` list them. These listings page by `offset` and
//!   `limit` (50 by default, at most 100) with a `total_count`;
//! - invalid input answers 400 with the documented error envelope.
//!
//! Faults can be scripted per route ([`FakeServer::inject`]) or drawn at random
//! ([`FakeServer::inject_random`]) to test retries and error handling.
//!
//! The real network's timing can be reproduced too, each settable at start (the builder) and
//! while running: a request that takes effect later than it arrived, whatever its client does
//! meanwhile ([`Fault::Late`]); a listing that shows changes late
//! ([`FakeServerBuilder::listing_lag`]); a latency per route
//! ([`FakeServerBuilder::latency`]); and a token-bucket rate limit per route answering `429`
//! with `Retry-After` ([`FakeServerBuilder::rate_limit`]). On a [`ManualClock`], time moves
//! only when the test says, so "not yet" and "now" are exact:
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> std::io::Result<()> {
//! use openrouter_keys_testkit::{FakeServer, Fault, ListingLag, ManualClock, Route};
//! use std::time::Duration;
//!
//! let clock = ManualClock::new();
//! let fake = FakeServer::builder()
//!     .manual_clock(&clock)
//!     .listing_lag(ListingLag::every_change(Duration::from_secs(3)))
//!     .start()
//!     .await?;
//! fake.inject(Route::CreateKeys, Fault::late(Duration::from_secs(2)));
//! // A client sends `POST /keys` and gives up at once:
//! # post_and_hang_up(&fake).await?;
//! fake.wait_until(|fake| fake.pending_late_calls() == 1).await;
//! assert_eq!(fake.created_key_count(), 0);
//! clock.advance(Duration::from_secs(2));
//! assert_eq!(fake.created_key_names(), ["late"]); // it exists, but is listed only at 5 s
//! # Ok(()) }
//! # async fn post_and_hang_up(fake: &openrouter_keys_testkit::FakeServer) -> std::io::Result<()> {
//! #     use tokio::io::AsyncWriteExt;
//! #     let body = r#"{"name":"late"}"#;
//! #     let request = format!(
//! #         "POST /api/v1/keys HTTP/1.1\r\nhost: x\r\nauthorization: Bearer {}\r\n\
//! #          content-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
//! #         fake.management_key(),
//! #         body.len()
//! #     );
//! #     let mut socket = tokio::net::TcpStream::connect(fake.addr()).await?;
//! #     socket.write_all(request.as_bytes()).await
//! # }
//! ```
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
mod clock;
mod duration;
mod fault;
mod guardrails;
mod http;
mod listing;
mod operation;
mod paging;
mod rate_limit;
mod route;
pub mod scripted;
mod server;
mod shared;
mod store;
mod timeline;
mod workspaces;

pub use clock::ManualClock;
pub use duration::{DURATION_SYNTAX, parse_duration};
pub use fault::{FAULT_SYNTAX, Fault, FaultBody, RandomFaults, RetryAfter};
pub use guardrails::{GUARDRAIL_SYNTAX, NewGuardrail};
pub use http::{BASE_PATH, RecordedResponse};
pub use listing::{LISTING_LAG_SYNTAX, LagScope, ListingLag};
pub use paging::{DEFAULT_LIMIT, MAX_LIMIT};
pub use rate_limit::{RATE_LIMIT_SYNTAX, TokenBucket};
pub use route::{ROUTE_SYNTAX, Route};
pub use server::{FakeServer, FakeServerBuilder};
pub use workspaces::{DEFAULT_WORKSPACE, NewWorkspace};
