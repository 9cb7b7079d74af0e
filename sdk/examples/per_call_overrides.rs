//! Changing timeout, retry policy and headers for one call, leaving the client's defaults for
//! the others.
//!
//! ```text
//! cargo run --example per_call_overrides   # offline, against the embedded fake server
//! ```

use openrouter_keys::{Client, Error, NewKey, RetryPolicy};
use openrouter_keys_testkit::{FakeServer, Fault, Route};
use std::time::{Duration, Instant};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let fake = FakeServer::start().await?;
    let client = Client::builder()
        .api_key(fake.management_key())
        .base_url(fake.base_url())
        .timeout(Duration::from_secs(10)) // the client's per-attempt default
        .retry(
            RetryPolicy::default()
                .initial_backoff(Duration::from_millis(50))
                .max_backoff(Duration::from_millis(200)),
        )
        .build()?;
    let hash = client
        .keys()
        .create(NewKey::new("overrides"))
        .await?
        .key()
        .hash
        .clone();

    // A short timeout for a call that must answer fast (a health check, a UI request).
    fake.inject(Route::GetKey, Fault::Delay(Duration::from_secs(2)));
    let started = Instant::now();
    let fast = client
        .keys()
        .get(&hash)
        .timeout(Duration::from_millis(200))
        .retry(RetryPolicy::none())
        .await;
    println!(
        "timeout(200ms) + no retries: {} after {:?}",
        outcome(&fast),
        started.elapsed()
    );

    // More attempts for a call that must get through four 503s in a row.
    fake.inject_n(Route::GetKey, Fault::status(503), 4);
    let patient = client
        .keys()
        .get(&hash)
        .retry(
            RetryPolicy::default()
                .max_attempts(6)
                .initial_backoff(Duration::from_millis(20)),
        )
        .await;
    println!("max_attempts(6) through four 503s: {}", outcome(&patient));

    // The client's default (3 attempts) gives up on the same failure.
    fake.inject_n(Route::GetKey, Fault::status(503), 4);
    let default = client.keys().get(&hash).await;
    println!("client default through four 503s: {}", outcome(&default));
    fake.clear_faults();

    // Extra headers on one call (tracing ids, attribution for one request, ...).
    let tagged = client
        .keys()
        .get(&hash)
        .header("x-trace-id", "3f2a9c")
        .await;
    println!("header(\"x-trace-id\", ..): {}", outcome(&tagged));
    let refused = client.keys().get(&hash).header("bad header", "x").await;
    println!("an invalid header name: {}", outcome(&refused));

    // A create retried after a 500 although the key may exist: only when duplicates are fine.
    fake.inject(Route::CreateKeys, Fault::status(500));
    let before = fake.requests(Route::CreateKeys);
    let created = client
        .keys()
        .create(NewKey::new("scratch"))
        .retry_on_unknown_outcome()
        .await;
    println!(
        "create with retry_on_unknown_outcome() after a 500: {} ({} create requests for this call)",
        outcome(&created.map(|c| c.key().hash.clone())),
        fake.requests(Route::CreateKeys) - before
    );
    Ok(())
}

fn outcome<T>(result: &Result<T, Error>) -> String {
    match result {
        Ok(_) => "ok".to_string(),
        Err(error) => format!("error after {} attempt(s): {error}", error.attempts()),
    }
}
