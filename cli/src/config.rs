//! Where the API key and base URL come from, and the client built from them.
//!
//! Order: `--api-key-file`, then `OPENROUTER_API_KEY`, `OPENROUTER_MANAGEMENT_KEY`,
//! `OPENROUTER_PROVISIONING_KEY` (the names other tools use). There is deliberately no
//! `--api-key` flag: a flag's value shows in process lists and shell history.

use crate::cli::GlobalArgs;
use crate::exit::{CliError, CliResult};
use openrouter_keys::{Client, RetryNotice, RetryPolicy};
use std::sync::OnceLock;
use std::time::Duration;

/// Environment variables read for the API key, in order.
pub const KEY_VARIABLES: [&str; 3] = [
    "OPENROUTER_API_KEY",
    "OPENROUTER_MANAGEMENT_KEY",
    "OPENROUTER_PROVISIONING_KEY",
];

/// Where the CLI's key came from, in words for messages ("the API key from ..."); set once
/// when the key is read.
static KEY_SOURCE: OnceLock<String> = OnceLock::new();

/// Where the CLI's API key came from, for messages about it being refused.
pub fn key_source() -> String {
    KEY_SOURCE
        .get()
        .cloned()
        .unwrap_or_else(|| "the API key".to_string())
}

/// The API key, from the file or the environment. The value is never put in a message.
fn api_key(global: &GlobalArgs) -> CliResult<String> {
    if let Some(path) = &global.api_key_file {
        let _ = KEY_SOURCE.set(format!(
            "the API key from --api-key-file `{}`",
            path.display()
        ));
        let text = std::fs::read_to_string(path)
            .map_err(|e| CliError::input("cannot read the API key file", path, &e))?;
        // A UTF-8 byte-order mark (editors on Windows write one) is not part of the key.
        let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
        let key = text.lines().next().unwrap_or("").trim().to_string();
        if key.is_empty() {
            return Err(CliError::usage(format!(
                "the API key file `{}` is empty",
                path.display()
            )));
        }
        return Ok(key);
    }
    for name in KEY_VARIABLES {
        if let Ok(value) = std::env::var(name) {
            let value = value.trim().to_string();
            if !value.is_empty() {
                let _ = KEY_SOURCE.set(format!("the API key from {name}"));
                return Ok(value);
            }
        }
    }
    Err(CliError::usage(
        "no API key: set OPENROUTER_API_KEY (or OPENROUTER_MANAGEMENT_KEY or \
         OPENROUTER_PROVISIONING_KEY), or pass --api-key-file PATH",
    ))
}

/// The base URL: flag, then `OPENROUTER_BASE_URL`, then the SDK's default.
pub fn base_url(global: &GlobalArgs) -> Option<String> {
    global.base_url.clone().or_else(|| {
        std::env::var("OPENROUTER_BASE_URL")
            .ok()
            .filter(|v| !v.trim().is_empty())
    })
}

/// A client with the CLI's settings and the given key.
pub fn client_with_key(global: &GlobalArgs, key: &str, base: Option<&str>) -> CliResult<Client> {
    let mut builder = Client::builder()
        .api_key(key)
        .timeout(global.timeout)
        .retry(RetryPolicy::default().max_attempts(global.attempts))
        .app_title("openrouter-keys CLI");
    if !global.quiet {
        builder = builder.on_retry(announce_wait);
    }
    if let Some(url) = base {
        builder = builder.base_url(url);
    }
    builder
        .build()
        .map_err(|e| CliError::usage(format!("cannot configure the client: {e}")))
}

/// The client every command uses.
pub fn client(global: &GlobalArgs) -> CliResult<Client> {
    let key = api_key(global)?;
    client_with_key(global, &key, base_url(global).as_deref())
}

/// Waits at least this long are announced on stderr. Shorter ones pass unnoticed by a
/// person; longer ones (a `Retry-After: 100`) would look like a hang.
const LONG_WAIT: Duration = Duration::from_secs(1);

/// Says on stderr that a call waits before its next attempt, and why: the SDK's retry hook.
/// The wait itself is the SDK's, bounded by its deadline (120 s for a whole call); the CLI
/// only makes it visible instead of capping it, since the server asked for it.
fn announce_wait(notice: &RetryNotice) {
    if notice.wait < LONG_WAIT {
        return;
    }
    let cause = match notice.status {
        Some(status) => format!("OpenRouter answered {status} to"),
        None => "no answer to".to_string(),
    };
    // Whole seconds and milliseconds: `2s`, `1s 500ms`.
    let wait = Duration::from_millis(notice.wait.as_millis().try_into().unwrap_or(u64::MAX));
    crate::output::err_line(format_args!(
        "{cause} {} ({}, attempt {}); waiting {} before trying again{}",
        notice.operation.route(),
        notice.operation,
        notice.attempt,
        humantime::format_duration(wait),
        if notice.server_asked {
            " (as the server asked with Retry-After)"
        } else {
            ""
        }
    ));
}
