//! Shared test support: realistic bodies, a scripted HTTP server on 127.0.0.1, a sleeper that
//! records waits instead of sleeping, and a client wired to all of them.
#![allow(dead_code)]

pub mod bodies;
pub use openrouter_keys_testkit::scripted;

use openrouter_keys::sleep::{AsyncSleep, BoxFuture};
use openrouter_keys::{Client, ClientBuilder, RetryPolicy};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// The API key every test client uses; no output may ever contain it.
pub const SENTINEL_KEY: &str = "sk-or-v1-SENTINEL-api-key-0123456789abcdef";
/// The plaintext of every created key in tests; no output may ever contain it.
pub const SENTINEL_SECRET: &str = "sk-or-v1-SENTINEL-created-secret-fedcba9876543210";

/// A JSON body as the generated type the mock answers with.
pub fn typed<T: serde::de::DeserializeOwned>(value: serde_json::Value) -> T {
    serde_json::from_value(value).expect("a body of the documented shape")
}

/// Records each requested wait and returns at once, so retry timing is deterministic.
#[derive(Debug, Default)]
pub struct RecordingSleep {
    waits: Mutex<Vec<Duration>>,
}

impl RecordingSleep {
    pub fn waits(&self) -> Vec<Duration> {
        self.waits.lock().unwrap().clone()
    }
}

impl AsyncSleep for RecordingSleep {
    fn sleep(&self, duration: Duration) -> BoxFuture<'static, ()> {
        self.waits.lock().unwrap().push(duration);
        Box::pin(async {})
    }
}

/// A builder pointed at `base_url` with the sentinel key, a fixed jitter seed and `sleep`.
pub fn builder(base_url: &str, sleep: &Arc<RecordingSleep>) -> ClientBuilder {
    Client::builder()
        .api_key(SENTINEL_KEY)
        .base_url(base_url)
        .timeout(Duration::from_secs(5))
        .retry(RetryPolicy::default())
        .jitter_seed(7)
        .sleep_impl(sleep.clone())
}

/// A client for `base_url` and the sleeper it records waits in.
pub fn client(base_url: &str) -> (Client, Arc<RecordingSleep>) {
    let sleep = Arc::new(RecordingSleep::default());
    let client = builder(base_url, &sleep).build().unwrap();
    (client, sleep)
}

/// A tracing writer that keeps everything written, to search it afterwards.
#[derive(Clone, Default)]
pub struct Captured(pub Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
