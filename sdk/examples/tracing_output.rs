//! What the SDK records with `tracing`: one `openrouter_keys` span per call (operation, attempt,
//! status, request id, latency) and a debug event per attempt and per retry. Secrets never
//! appear in them.
//!
//! ```text
//! cargo run --example tracing_output   # offline, against the embedded fake server
//! ```
//!
//! Any `tracing` subscriber works; this one prints to stderr with `tracing-subscriber`'s `fmt`.

use openrouter_keys::{Client, NewKey};
use openrouter_keys_testkit::{FakeServer, Fault, Route};
use tracing_subscriber::filter::{LevelFilter, Targets};
use tracing_subscriber::fmt::format::FmtSpan;
use tracing_subscriber::prelude::*;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // The SDK's events at debug level (one per attempt and per retry), its spans' close
    // (one per call, with operation, attempt, status, request id and latency); other crates'
    // (hyper's connection pool, ...) at info only.
    let sdk_only = Targets::new()
        .with_target("openrouter_keys", LevelFilter::DEBUG)
        .with_default(LevelFilter::INFO);
    tracing_subscriber::registry()
        .with(
            tracing_subscriber::fmt::layer()
                .with_span_events(FmtSpan::CLOSE)
                .with_writer(std::io::stderr),
        )
        .with(sdk_only)
        .init();

    let fake = FakeServer::start().await?;
    let client = Client::builder()
        .api_key(fake.management_key())
        .base_url(fake.base_url())
        .build()?;

    eprintln!("-- a call that succeeds at once");
    client.current_key().await?;

    eprintln!("-- a call retried after a 503 (the wait is traced too)");
    fake.inject(Route::List, Fault::status(503));
    client.keys().list().await?;

    eprintln!("-- a create: the new key's secret is not in the trace");
    let created = client.keys().create(NewKey::new("traced")).await?;
    println!("created {}", created.key().hash);
    Ok(())
}
