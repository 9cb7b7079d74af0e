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

/// The example binary, built next to this test by `cargo test` (examples are built with the
/// tests unless a single test target is selected).
fn quickstart_binary() -> Option<std::path::PathBuf> {
    let deps = std::env::current_exe().ok()?.parent()?.to_path_buf();
    let binary = deps
        .parent()?
        .join("examples")
        .join(format!("quickstart{}", std::env::consts::EXE_SUFFIX));
    binary.exists().then_some(binary)
}

#[test]
fn a_closed_stdout_does_not_stop_the_run_midway() {
    let Some(binary) = quickstart_binary() else {
        eprintln!("quickstart example not built (a single test target was selected); skipped");
        return;
    };
    let mut child = std::process::Command::new(binary)
        .env_remove("OPENROUTER_API_KEY")
        .env_remove("OPENROUTER_BASE_URL")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Close the reading end at once, as `quickstart | head -0` would.
    drop(child.stdout.take());
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{:?}\n{stderr}", output.status);
    assert!(!stderr.contains("panicked"), "{stderr}");
}
