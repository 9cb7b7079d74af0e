//! The quickstart's key lifecycle, apart from its `main` so that a test can run it against
//! the fake server (`sdk/tests/quickstart.rs`).
//!
//! Safety against a real account: every key it creates has this run's id in its name
//! (`quickstart-<run id>-…`, which cannot collide with a key of yours), is recorded by hash
//! in a [`Ledger`] the moment it exists, and only the keys in that ledger are ever deleted.

use futures_util::TryStreamExt;
use openrouter_keys::{Client, Error, ExposeSecret, Key, KeyUpdate, LimitReset, NewKey};
use std::sync::Mutex;

/// The keys this run created and has not deleted yet, by hash and name.
#[derive(Debug, Default)]
pub struct Ledger {
    keys: Mutex<Vec<(String, String)>>,
}

impl Ledger {
    fn add(&self, key: &Key) {
        let name = key.name.clone().unwrap_or_default();
        self.lock().push((key.hash.clone(), name));
    }

    fn remove(&self, hash: &str) {
        self.lock().retain(|(h, _)| h != hash);
    }

    /// What is left: created by this run and not deleted.
    pub fn left(&self) -> Vec<(String, String)> {
        self.lock().clone()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<(String, String)>> {
        self.keys
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// A short id for this run's key names: random, so that two runs (or a user's own keys)
/// never share a name.
pub fn run_id() -> String {
    format!("{:08x}", fastrand::u32(..))
}

/// `GET /key` and, without `write`, `GET /keys`; with `write`, the whole lifecycle on keys
/// named after `run_id`, each recorded in `ledger` until deleted.
pub async fn run(
    client: &Client,
    write: bool,
    run_id: &str,
    ledger: &Ledger,
) -> Result<(), Box<dyn std::error::Error>> {
    let me = client.current_key().await?;
    say(format_args!("\n== GET /key"));
    say(format_args!(
        "label {}  management {}  usage {}  limit {}",
        me.label.as_deref().unwrap_or("-"),
        me.is_management_key
            .map_or("-", |m| if m { "yes" } else { "no" }),
        money(me.usage.total),
        money(me.limit)
    ));

    if !write {
        let all: Vec<Key> = client.keys().list_all().try_collect().await?;
        print_table("GET /keys (all pages)", &all);
        say(format_args!(
            "\nRead-only run; pass --write to create, update and delete keys of its own."
        ));
        return Ok(());
    }

    let name = format!("quickstart-{run_id}");
    say(format_args!("\n== POST /keys ({name})"));
    let created = create(
        client,
        ledger,
        NewKey::new(&name)
            .limit(25.0)
            .limit_reset(LimitReset::Monthly),
    )
    .await?;
    let secret = created.secret().expose_secret();
    say(format_args!(
        "created {}; its secret ({} characters, starting {}) is shown only once",
        created.key().hash,
        secret.len(),
        secret.get(..9).unwrap_or("")
    ));
    let hash = created.key().hash.clone();
    for i in 0..2 {
        create(client, ledger, NewKey::new(format!("{name}-extra-{i}"))).await?;
    }

    let all: Vec<Key> = client.keys().list_all().try_collect().await?;
    let mine: Vec<Key> = all
        .into_iter()
        .filter(|key| ledger.left().iter().any(|(h, _)| *h == key.hash))
        .collect();
    print_table("GET /keys (all pages; this run's keys)", &mine);

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
    print_table(
        "PATCH limit=null, limit_reset=null",
        std::slice::from_ref(&unlimited),
    );

    say(format_args!(
        "\n== DELETE /keys/{{hash}} (only the keys this run created)"
    ));
    delete_created(client, ledger).await?;
    match client.keys().get(&hash).await {
        Err(e) if e.status().map(|s| s.as_u16()) == Some(404) => {
            say(format_args!("GET after DELETE: 404, as expected"));
        }
        other => return Err(format!("expected 404 after delete, got {other:?}").into()),
    }
    say(format_args!("\nLifecycle complete."));
    Ok(())
}

/// Creates a key and records it before anything else can fail. A create whose outcome is
/// unknown may have made a key: the error says so, with the name to look for.
async fn create(
    client: &Client,
    ledger: &Ledger,
    new_key: NewKey,
) -> Result<openrouter_keys::CreatedKey, Box<dyn std::error::Error>> {
    let name = new_key.name().to_string();
    match client.keys().create(new_key).await {
        Ok(created) => {
            ledger.add(created.key());
            Ok(created)
        }
        Err(error @ Error::OutcomeUnknown { .. }) => {
            Err(format!("{error}\nA key named `{name}` may exist: delete it if it does.").into())
        }
        Err(error) => Err(error.into()),
    }
}

/// Deletes every key in the ledger (and nothing else), removing each as it goes.
pub async fn delete_created(
    client: &Client,
    ledger: &Ledger,
) -> Result<(), openrouter_keys::Error> {
    for (hash, name) in ledger.left() {
        client.keys().delete(&hash).await?;
        ledger.remove(&hash);
        say(format_args!("deleted {hash} ({name})"));
    }
    Ok(())
}

/// Prints a line on stdout. A closed stdout (`quickstart | head`) must not stop the run
/// midway: the keys it created still have to be deleted, so a failed write is ignored.
pub fn say(line: std::fmt::Arguments<'_>) {
    use std::io::Write;
    let _ = writeln!(std::io::stdout().lock(), "{line}");
}

fn money(value: Option<f64>) -> String {
    value.map_or_else(|| "none".to_string(), |v| format!("${v:.2}"))
}

fn print_table(title: &str, keys: &[Key]) {
    say(format_args!("\n== {title}"));
    say(format_args!(
        "{:<14} {:<32} {:<9} {:>9} {:<8} {:<20}",
        "hash", "name", "disabled", "limit", "reset", "created"
    ));
    for key in keys {
        let short: String = key.hash.chars().take(12).collect();
        say(format_args!(
            "{:<14} {:<32} {:<9} {:>9} {:<8} {:<20}",
            format!("{short}…"),
            key.name.as_deref().unwrap_or("-"),
            key.disabled.map_or("-", |d| if d { "yes" } else { "no" }),
            money(key.limit),
            key.limit_reset.as_ref().map_or("-", |r| r.as_str()),
            key.created_at.as_ref().map_or("-", |t| t.as_str())
        ));
    }
}
