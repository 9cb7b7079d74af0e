//! Listing keys: one page, every page, filters, and streaming page by page.
//!
//! ```text
//! cargo run --example pagination   # offline, against the embedded fake server
//! ```
//!
//! `GET /keys` pages by offset and returns neither a total nor a cursor, so a single `list()`
//! call misses older keys. The fake here serves 3 keys a page to make the pages visible.

use futures_util::TryStreamExt;
use openrouter_keys::{Client, KeyUpdate, NewKey};
use openrouter_keys_testkit::{FakeServer, Route};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let fake = FakeServer::builder().page_size(3).start().await?;
    let client = Client::builder()
        .api_key(fake.management_key())
        .base_url(fake.base_url())
        .build()?;
    for i in 0..8 {
        let created = client
            .keys()
            .create(NewKey::new(format!("worker-{i}")))
            .await?;
        if i % 4 == 0 {
            let hash = &created.key().hash;
            client
                .keys()
                .update(hash, KeyUpdate::new().disabled(true))
                .await?;
        }
    }
    let requests = || fake.requests(Route::List);
    println!("(the fake also lists the management key it started with)");

    let first_page = client.keys().list().await?;
    println!("list():  {} keys (one page only)", first_page.len());

    let before = requests();
    let enabled = client.keys().all().await?;
    println!(
        "all():   {} keys in {} requests (disabled keys are left out by default)",
        enabled.len(),
        requests() - before
    );

    let everything = client.keys().list().include_disabled(true).all().await?;
    println!(
        "list().include_disabled(true).all(): {} keys",
        everything.len()
    );

    let from_offset = client
        .keys()
        .list()
        .include_disabled(true)
        .offset(6)
        .all()
        .await?;
    println!(
        "list().include_disabled(true).offset(6).all(): {} keys",
        from_offset.len()
    );

    let in_workspace = client
        .keys()
        .list()
        .workspace_id(openrouter_keys_testkit::DEFAULT_WORKSPACE)
        .include_expired(true)
        .all()
        .await?;
    println!(
        "in the default workspace, expired included: {} keys",
        in_workspace.len()
    );

    // Streaming: handle keys as pages arrive, and stop early without fetching the rest.
    let before = requests();
    let mut stream = client.keys().list().include_disabled(true).into_stream();
    let mut first_disabled = None;
    while let Some(key) = stream.try_next().await? {
        if key.disabled == Some(true) {
            first_disabled = Some(key);
            break;
        }
    }
    println!(
        "first disabled key: {:?}, found after {} request(s)",
        first_disabled.and_then(|k| k.name),
        requests() - before
    );
    Ok(())
}
