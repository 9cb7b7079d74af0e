//! The quickstart's `--write` lifecycle against the fake: it deletes only the keys it
//! created, never a user's key with a similar name, and reports what is left when it fails.

#[path = "../examples/quickstart/lifecycle.rs"]
#[allow(dead_code)]
mod lifecycle;

use futures_util::TryStreamExt;
use lifecycle::Ledger;
use openrouter_keys::{Client, Key, NewKey};
use openrouter_keys_testkit::{FakeServer, Fault, Route};

async fn fake_and_client() -> (FakeServer, Client) {
    let fake = FakeServer::builder().page_size(2).start().await.unwrap();
    let client = Client::builder()
        .api_key(fake.management_key())
        .base_url(fake.base_url())
        .build()
        .unwrap();
    (fake, client)
}

/// Every key's name, sorted (the fake starts with one, "Normal key").
async fn names(client: &Client) -> Vec<String> {
    let all: Vec<Key> = client
        .keys()
        .list()
        .include_disabled(true)
        .into_stream()
        .try_collect()
        .await
        .unwrap();
    let mut names: Vec<String> = all.into_iter().filter_map(|k| k.name).collect();
    names.sort();
    names
}

#[tokio::test]
async fn the_write_run_deletes_only_the_keys_it_created() {
    let (_fake, client) = fake_and_client().await;
    // A user's keys whose names the old quickstart would have matched.
    for name in ["quickstart-production", "quickstart"] {
        client.keys().create(NewKey::new(name)).await.unwrap();
    }
    let ledger = Ledger::default();
    let run_id = lifecycle::run_id();
    lifecycle::run(&client, true, &run_id, &ledger)
        .await
        .unwrap();
    assert!(ledger.left().is_empty(), "{:?}", ledger.left());
    assert_eq!(
        names(&client).await,
        ["Normal key", "quickstart", "quickstart-production"]
    );
}

#[tokio::test]
async fn a_run_that_fails_midway_knows_what_it_left_behind() {
    let (fake, client) = fake_and_client().await;
    client
        .keys()
        .create(NewKey::new("quickstart-production"))
        .await
        .unwrap();
    // Every create succeeds; the first read of a single key fails for good.
    fake.inject_n(Route::GetKey, Fault::status(400), 1);
    let ledger = Ledger::default();
    let run_id = lifecycle::run_id();
    assert!(
        lifecycle::run(&client, true, &run_id, &ledger)
            .await
            .is_err()
    );
    let left = ledger.left();
    assert_eq!(left.len(), 3, "{left:?}");
    assert!(
        left.iter().all(|(_, name)| name.contains(&run_id)),
        "{left:?}"
    );
    lifecycle::delete_created(&client, &ledger).await.unwrap();
    assert_eq!(
        names(&client).await,
        ["Normal key", "quickstart-production"]
    );
}
