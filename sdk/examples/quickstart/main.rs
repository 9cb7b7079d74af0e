//! The whole key lifecycle in one run: current key, create, list (all pages), get, update
//! (disable, set and clear a limit), delete.
//!
//! ```text
//! cargo run --example quickstart              # offline, against the embedded fake server
//! OPENROUTER_API_KEY=sk-or-... cargo run --example quickstart            # real API, read-only
//! OPENROUTER_API_KEY=sk-or-... cargo run --example quickstart -- --write # real API, full run
//! ```
//! With a real key and no `--write`, only `GET /key` and `GET /keys` are called. With
//! `--write`, it creates keys named `quickstart-<run id>…` and deletes only those, by hash;
//! if it is interrupted (Ctrl-C) or fails midway, it prints the keys left to clean up.
//! `OPENROUTER_BASE_URL` points it at another server (say, the testkit's fake binary).

mod lifecycle;

use lifecycle::Ledger;
use openrouter_keys::{Client, DEFAULT_BASE_URL};
use openrouter_keys_testkit::FakeServer;
use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    let write = std::env::args().any(|a| a == "--write");
    let ledger = Ledger::default();
    let run_id = lifecycle::run_id();
    // Keep the fake alive for the whole run when it is used.
    let (client, fake) = match connect(write).await {
        Ok(pair) => pair,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    let outcome = tokio::select! {
        // Against the embedded fake, the whole lifecycle runs without `--write`.
        outcome = lifecycle::run(&client, write || fake.is_some(), &run_id, &ledger) => outcome,
        _ = tokio::signal::ctrl_c() => Err("interrupted".into()),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            report_left(&ledger, client.base_url());
            ExitCode::FAILURE
        }
    }
}

/// The client to run with: the real API (or `OPENROUTER_BASE_URL`) when `OPENROUTER_API_KEY`
/// is set, otherwise the embedded fake with the whole lifecycle.
async fn connect(write: bool) -> Result<(Client, Option<FakeServer>), Box<dyn std::error::Error>> {
    let real_key = std::env::var("OPENROUTER_API_KEY")
        .ok()
        .filter(|k| !k.trim().is_empty());
    if real_key.is_some() {
        let client = Client::from_env()?;
        let mode = if write {
            "read-write: --write"
        } else {
            "read-only"
        };
        if client.base_url() == DEFAULT_BASE_URL {
            lifecycle::say(format_args!(
                "Using the real OpenRouter API at {DEFAULT_BASE_URL} ({mode})."
            ));
        } else {
            lifecycle::say(format_args!(
                "Using the API at {} (OPENROUTER_BASE_URL; {mode}).",
                client.base_url()
            ));
        }
        return Ok((client, None));
    }
    // Two keys a page, so that listing every key takes several requests.
    let fake = FakeServer::builder().page_size(2).start().await?;
    lifecycle::say(format_args!(
        "No OPENROUTER_API_KEY: using the embedded fake at {} (full lifecycle).",
        fake.base_url()
    ));
    let client = Client::builder()
        .api_key(fake.management_key())
        .base_url(fake.base_url())
        .app_title("openrouter-keys quickstart")
        .build()?;
    Ok((client, Some(fake)))
}

/// After a failure or an interruption: the keys this run created and did not delete.
fn report_left(ledger: &Ledger, base_url: &str) {
    let left = ledger.left();
    if left.is_empty() {
        return;
    }
    eprintln!("\nKeys this run created and did not delete (at {base_url}); delete them by hash:");
    for (hash, name) in left {
        eprintln!("  {hash}  {name}");
    }
}
