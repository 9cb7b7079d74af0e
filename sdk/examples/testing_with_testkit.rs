//! Testing an application's own code against the fake server, with faults.
//!
//! ```text
//! cargo run --example testing_with_testkit    # runs the scenarios and prints what happened
//! cargo test --example testing_with_testkit   # the same scenarios as #[tokio::test]s
//! ```
//!
//! `rotate` below stands for application code: it replaces every key of a given name by a new
//! one. The tests start an `openrouter_keys_testkit::FakeServer`, point a client at it, inject
//! faults, and check both what `rotate` returned and what the fake's state and counters say
//! happened. In a real project the tests live in the application's `tests/` or `#[cfg(test)]`
//! modules, with `openrouter-keys-testkit` as a dev-dependency.

use openrouter_keys::{Client, Error, NewKey, SecretString};
use openrouter_keys_testkit::{FakeServer, Fault, Route};

/// Application code: creates a new key called `name`, then deletes the older keys of that
/// name. Returns the new key's secret.
pub async fn rotate(client: &Client, name: &str) -> Result<SecretString, Error> {
    let old: Vec<String> = client
        .keys()
        .list()
        .include_disabled(true)
        .all()
        .await?
        .into_iter()
        .filter(|key| key.name.as_deref() == Some(name))
        .map(|key| key.hash)
        .collect();
    let (_new_key, secret) = client.keys().create(NewKey::new(name)).await?.into_parts();
    for hash in old {
        client.keys().delete(hash).await?;
    }
    Ok(secret)
}

/// A client for the fake, authenticated with its management key.
fn client_for(fake: &FakeServer) -> Client {
    Client::builder()
        .api_key(fake.management_key())
        .base_url(fake.base_url())
        .build()
        .expect("the fake's URL and key make a valid client")
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let fake = FakeServer::start().await?;
    let client = client_for(&fake);

    rotate(&client, "deploy-bot").await?;
    rotate(&client, "deploy-bot").await?;
    println!(
        "two rotations: keys now {:?}, {} deletes",
        fake.created_key_names(),
        fake.requests(Route::DeleteKeys)
    );

    fake.inject(Route::CreateKeys, Fault::status(429));
    rotate(&client, "deploy-bot").await?;
    println!(
        "rotation through a 429 on create: {} create requests in all, keys {:?}",
        fake.requests(Route::CreateKeys),
        fake.created_key_names()
    );

    fake.inject(Route::CreateKeys, Fault::status(500));
    match rotate(&client, "deploy-bot").await {
        Err(Error::OutcomeUnknown { .. }) => {
            println!("a 500 on create: OutcomeUnknown, and the old key was kept (no delete)")
        }
        other => return Err(format!("expected OutcomeUnknown, got {other:?}").into()),
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use openrouter_keys::ExposeSecret;

    #[tokio::test]
    async fn rotation_leaves_exactly_one_key_of_the_name() {
        let fake = FakeServer::start().await.unwrap();
        let client = client_for(&fake);
        let first = rotate(&client, "deploy-bot").await.unwrap();
        let second = rotate(&client, "deploy-bot").await.unwrap();
        assert_ne!(first.expose_secret(), second.expose_secret());
        let keys = client
            .keys()
            .list()
            .include_disabled(true)
            .all()
            .await
            .unwrap();
        assert_eq!(
            keys.iter()
                .filter(|k| k.name.as_deref() == Some("deploy-bot"))
                .count(),
            1
        );
        assert_eq!(fake.requests(Route::DeleteKeys), 1);
    }

    #[tokio::test]
    async fn rotation_survives_a_rate_limited_create() {
        let fake = FakeServer::start().await.unwrap();
        let client = client_for(&fake);
        fake.inject(Route::CreateKeys, Fault::status(429));
        rotate(&client, "deploy-bot").await.unwrap();
        assert_eq!(
            fake.requests(Route::CreateKeys),
            2,
            "the 429 was retried once"
        );
        assert_eq!(fake.created_key_names(), ["deploy-bot"]);
    }

    #[tokio::test]
    async fn an_unknown_create_outcome_keeps_the_old_key() {
        let fake = FakeServer::start().await.unwrap();
        let client = client_for(&fake);
        rotate(&client, "deploy-bot").await.unwrap();
        fake.inject(Route::CreateKeys, Fault::status(500));
        let error = rotate(&client, "deploy-bot").await.unwrap_err();
        assert!(matches!(error, Error::OutcomeUnknown { .. }), "{error}");
        assert_eq!(fake.requests(Route::DeleteKeys), 0, "nothing deleted");
        let keys = client.keys().all().await.unwrap();
        assert_eq!(
            keys.iter()
                .filter(|k| k.name.as_deref() == Some("deploy-bot"))
                .count(),
            1
        );
    }
}
