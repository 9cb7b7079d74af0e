//! What each kind of failure looks like, and how an application tells them apart: API errors
//! by kind, `Retry-After`, a create whose outcome is unknown (and how to recover), input caught
//! before sending, and timeouts.
//!
//! ```text
//! cargo run --example error_handling   # offline, against the embedded fake server
//! ```

use openrouter_keys::{
    ApiErrorKind, Client, ConnectionPhase, Error, NewKey, RetryPolicy, TimeoutKind,
};
use openrouter_keys_testkit::{FakeServer, Fault, FaultBody, RetryAfter, Route};
use std::time::Duration;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let fake = FakeServer::start().await?;
    let client = Client::builder()
        .api_key(fake.management_key())
        .base_url(fake.base_url())
        .build()?;

    println!("== an API error: a key that does not exist");
    let missing = client.keys().get("no-such-hash").await;
    report(&missing);

    println!("\n== rate limited, with Retry-After (retries turned off for this call)");
    fake.inject(
        Route::List,
        Fault::Status {
            status: 429,
            body: FaultBody::Envelope("Rate limit exceeded".into()),
            retry_after: Some(RetryAfter::Seconds(7)),
        },
    );
    let limited = client.keys().list().retry(RetryPolicy::none()).await;
    report(&limited);
    if let Err(error) = &limited
        && let Some(wait) = error.retry_after()
    {
        println!("   -> the application can schedule its next try in {wait:?}");
    }

    println!("\n== a create that may or may not have happened");
    fake.inject(Route::CreateKeys, Fault::status(500));
    let name = "nightly-job";
    match client.keys().create(NewKey::new(name)).await {
        Err(Error::OutcomeUnknown { cause }) => {
            println!("   OutcomeUnknown; cause: {cause}");
            // Recover: look for the key by name before creating it again.
            let existing = client.keys().all().await?;
            match existing.iter().find(|k| k.name.as_deref() == Some(name)) {
                Some(key) => println!("   -> it was created after all: {}", key.hash),
                None => {
                    let created = client.keys().create(NewKey::new(name)).await?;
                    println!("   -> it was not; created it now: {}", created.key().hash);
                }
            }
        }
        other => report(&other.map(|created| created.key().hash.clone())),
    }

    println!("\n== input rejected before anything is sent");
    report(&client.keys().get("").await);
    report(&client.keys().create(NewKey::new("   ")).await.map(|_| ()));

    println!("\n== a normal key calling a management operation");
    let normal = Client::builder()
        .api_key(fake.normal_key())
        .base_url(fake.base_url())
        .build()?;
    report(&normal.keys().list().await);

    println!("\n== a timeout (the server takes 2 s, the call allows 100 ms, no retries)");
    fake.inject(Route::GetCurrentKey, Fault::Delay(Duration::from_secs(2)));
    let slow = client
        .current_key()
        .timeout(Duration::from_millis(100))
        .retry(RetryPolicy::none())
        .await;
    report(&slow);

    println!("\n== a transient 503, retried by the client: the call succeeds");
    fake.inject(Route::GetCurrentKey, Fault::status(503));
    let before = fake.requests(Route::GetCurrentKey);
    let me = client.current_key().await?;
    println!(
        "   ok: {} ({} requests to GET /key for this call)",
        me.label.as_deref().unwrap_or("(no label)"),
        fake.requests(Route::GetCurrentKey) - before
    );
    Ok(())
}

/// Prints what an application would look at to decide what to do next.
fn report<T: std::fmt::Debug>(result: &Result<T, Error>) {
    let error = match result {
        Ok(value) => return println!("   ok: {value:?}"),
        Err(error) => error,
    };
    let what = match error {
        Error::Api(api) => match api.kind {
            ApiErrorKind::NotFound => "not found: check the hash",
            ApiErrorKind::Unauthorized | ApiErrorKind::Forbidden => "refused: use a management key",
            ApiErrorKind::RateLimited => "rate limited: wait, then try again",
            ApiErrorKind::BadRequest => "bad request: fix the input",
            ApiErrorKind::ServerError => "server error: try again later",
            _ => "another HTTP error",
        },
        Error::Timeout { which, .. } => match which {
            TimeoutKind::Connect => "timed out connecting: check the network",
            TimeoutKind::Attempt => "an attempt timed out: the server is slow",
            _ => "the call's deadline passed",
        },
        Error::Connection { phase, .. } => match phase {
            ConnectionPhase::Connect => "could not connect: check the base URL and proxy",
            _ => "the connection broke: try again",
        },
        Error::InvalidInput { .. } => "invalid input, nothing sent",
        Error::OutcomeUnknown { .. } => "unknown outcome: check before creating again",
        Error::Decode(_) => "unreadable answer",
        Error::Config(_) => "bad configuration",
        _ => "other",
    };
    println!("   {what}");
    // `{error}` is the whole message; an application that words its own advice shows what
    // happened (`summary()`, or `{error:#}`) and decides whether to pass on the SDK's hint.
    println!("   summary:    {}", error.summary());
    if let Some(hint) = error.hint() {
        println!("   hint:       {hint}");
    }
    println!(
        "   status {:?}, retryable {}, attempts {}, request id {:?}",
        error.status().map(|s| s.as_u16()),
        error.is_retryable(),
        error.attempts(),
        error.request_id()
    );
    if let Some(api) = error.as_api() {
        println!(
            "   OpenRouter code {:?}, message {:?}",
            api.code, api.message
        );
    }
}
