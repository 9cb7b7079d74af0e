//! Sending through your own `reqwest::Client`: proxy, connection pool, keep-alive, timeouts.
//!
//! ```text
//! cargo run --example custom_http_client                              # offline, fake server
//! EXAMPLE_PROXY=http://127.0.0.1:3128 cargo run --example custom_http_client  # via a proxy
//! ```
//!
//! Build the `reqwest::Client` from [`openrouter_keys::http_client_builder`], which follows no
//! redirect and sets the SDK's connect timeout, as the SDK's own client does. The SDK's own
//! settings (API key, user agent, per-attempt timeout, retries) still apply to every call.

use openrouter_keys::{Client, reqwest};
use openrouter_keys_testkit::FakeServer;
use std::time::Duration;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let fake = FakeServer::start().await?;

    let mut http = openrouter_keys::http_client_builder()
        .pool_max_idle_per_host(4)
        .pool_idle_timeout(Duration::from_secs(30))
        .tcp_keepalive(Duration::from_secs(60))
        .connect_timeout(Duration::from_secs(3));
    match std::env::var("EXAMPLE_PROXY") {
        Ok(proxy) => {
            println!("sending through the proxy {proxy}");
            http = http.proxy(reqwest::Proxy::all(&proxy)?);
        }
        // The fake is on 127.0.0.1: keep a proxy from the environment out of the way.
        Err(_) => http = http.no_proxy(),
    }

    let client = Client::builder()
        .api_key(fake.management_key())
        .base_url(fake.base_url())
        .http_client(http.build()?)
        .timeout(Duration::from_secs(5)) // per attempt, applied by the SDK on every request
        .build()?;

    let me = client.current_key().await?;
    println!(
        "GET /key through the custom client: {}",
        me.label.as_deref().unwrap_or("(no label)")
    );
    let keys = client.keys().all().await?;
    println!("GET /keys through the custom client: {} keys", keys.len());
    Ok(())
}
