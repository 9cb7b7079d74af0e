//! The whole key lifecycle in one run: current key, create, list (all pages), get, update
//! (disable, set and clear a limit), delete.
//!
//! ```text
//! cargo run --example quickstart              # offline, against the embedded fake server
//! OPENROUTER_API_KEY=sk-or-... cargo run --example quickstart            # real API, read-only
//! OPENROUTER_API_KEY=sk-or-... cargo run --example quickstart -- --write # real API, full run
//! ```
//! With a real key and no `--write`, only `GET /key` and `GET /keys` are called.

use futures_util::TryStreamExt;
use openrouter_keys::{Client, ExposeSecret, Key, KeyUpdate, LimitReset, NewKey};
use openrouter_keys_testkit::FakeServer;
use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn run() -> Result<(), Box<dyn std::error::Error>> {
    let write = std::env::args().any(|a| a == "--write");
    let real_key = std::env::var("OPENROUTER_API_KEY")
        .ok()
        .filter(|k| !k.is_empty());
    // Keep the fake alive for the whole run when it is used.
    let (client, fake) = match real_key {
        Some(_) => {
            println!("Using the real OpenRouter API ({}).", mode(write));
            (Client::from_env()?, None)
        }
        None => {
            // Two keys a page, so that listing every key takes several requests.
            let fake = FakeServer::builder().page_size(2).start().await?;
            println!(
                "No OPENROUTER_API_KEY: using the embedded fake at {}.",
                fake.base_url()
            );
            let client = Client::builder()
                .api_key(fake.management_key())
                .base_url(fake.base_url())
                .app_title("openrouter-keys quickstart")
                .build()?;
            (client, Some(fake))
        }
    };
    let writes = write || fake.is_some();

    let me = client.current_key().await?;
    println!("\n== GET /key");
    println!(
        "label {}  management {}  usage {}  limit {}",
        me.label.as_deref().unwrap_or("-"),
        me.is_management_key
            .map_or("-", |m| if m { "yes" } else { "no" }),
        money(me.usage.total),
        money(me.limit)
    );

    if !writes {
        let all: Vec<Key> = client.keys().list_all().try_collect().await?;
        print_table("GET /keys (all pages)", &all);
        println!("\nRead-only run; pass --write to create, update and delete a key.");
        return Ok(());
    }

    println!("\n== POST /keys");
    let created = client
        .keys()
        .create(
            NewKey::new("quickstart")
                .limit(25.0)
                .limit_reset(LimitReset::Monthly),
        )
        .await?;
    let secret = created.secret().expose_secret();
    println!(
        "created {}; its secret ({} characters, starting {}) is shown only once",
        created.key().hash,
        secret.len(),
        &secret[..secret.len().min(9)]
    );
    let hash = created.key().hash.clone();

    for i in 0..2 {
        client
            .keys()
            .create(NewKey::new(format!("quickstart-extra-{i}")))
            .await?;
    }
    let all: Vec<Key> = client.keys().list_all().try_collect().await?;
    print_table("GET /keys (all pages)", &all);
    if let Some(fake) = &fake {
        let pages = fake.requests(openrouter_keys_testkit::Route::List);
        println!("({} keys in {pages} requests of 2-key pages)", all.len());
    }

    let key = client.keys().get(&hash).await?;
    print_table("GET /keys/{hash}", std::slice::from_ref(&key));

    let disabled = client
        .keys()
        .update(&hash, KeyUpdate::new().disabled(true))
        .await?;
    print_table("PATCH disabled=true", std::slice::from_ref(&disabled));
    let limited = client
        .keys()
        .update(&hash, KeyUpdate::new().limit(10.0))
        .await?;
    print_table("PATCH limit=10", std::slice::from_ref(&limited));
    let unlimited = client
        .keys()
        .update(&hash, KeyUpdate::new().clear_limit().clear_limit_reset())
        .await?;
    print_table("PATCH limit=null", std::slice::from_ref(&unlimited));

    println!("\n== DELETE /keys/{{hash}}");
    for key in all.iter().filter(|k| {
        k.name
            .as_deref()
            .is_some_and(|n| n.starts_with("quickstart"))
    }) {
        client.keys().delete(&key.hash).await?;
        println!(
            "deleted {} ({})",
            key.hash,
            key.name.as_deref().unwrap_or("-")
        );
    }
    match client.keys().get(&hash).await {
        Err(e) if e.status().map(|s| s.as_u16()) == Some(404) => {
            println!("GET after DELETE: 404, as expected");
        }
        other => return Err(format!("expected 404 after delete, got {other:?}").into()),
    }
    println!("\nLifecycle complete.");
    Ok(())
}

fn mode(write: bool) -> &'static str {
    if write {
        "read-write: --write"
    } else {
        "read-only"
    }
}

fn money(value: Option<f64>) -> String {
    value.map_or_else(|| "none".to_string(), |v| format!("${v:.2}"))
}

fn print_table(title: &str, keys: &[Key]) {
    println!("\n== {title}");
    println!(
        "{:<14} {:<22} {:<9} {:>9} {:<8} {:<20}",
        "hash", "name", "disabled", "limit", "reset", "created"
    );
    for key in keys {
        let short: String = key.hash.chars().take(12).collect();
        println!(
            "{:<14} {:<22} {:<9} {:>9} {:<8} {:<20}",
            format!("{short}…"),
            key.name.as_deref().unwrap_or("-"),
            key.disabled.map_or("-", |d| if d { "yes" } else { "no" }),
            money(key.limit),
            key.limit_reset.as_ref().map_or("-", |r| r.as_str()),
            key.created_at.as_ref().map_or("-", |t| t.as_str())
        );
    }
}
