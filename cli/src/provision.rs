//! Creating a batch of keys through the journal, exactly once: the engine behind
//! `bulk-create` and `rotate` (see `journal.rs` for the design).
//!
//! Work goes in rounds. A round first reconciles the rows in doubt (one listing; orphans
//! deleted), then creates every pending row, `--concurrency` at a time, each create preceded
//! by its fsynced `intent`. A create that ends without a clear answer puts its row in doubt for
//! the next round; a 400 fails the row; a 401/403 stops the batch. Rounds repeat, with a
//! growing pause, until every row has its key or the round limit is reached.

use crate::exit::{CliError, CliResult};
use crate::journal::{Journal, Record};
use crate::progress::Progress;
use futures_util::{StreamExt, TryStreamExt};
use openrouter_keys::{
    ApiErrorKind, Client, Error, ExposeSecret, Key, LimitReset, NewKey, Timestamp,
};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

/// Orphans deleted at once while reconciling.
const RECONCILE_DELETES: usize = 8;

/// Rounds before giving up on rows still pending or in doubt (each round retries them all).
const MAX_ROUNDS: u32 = 12;

/// A key to create, as stored in the journal.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KeySpec {
    pub name: String,
    pub limit: Option<f64>,
    pub limit_reset: Option<String>,
    pub include_byok_in_limit: Option<bool>,
    pub expires_at: Option<String>,
    pub workspace_id: Option<String>,
}

impl KeySpec {
    pub fn new_key(&self) -> NewKey {
        let mut new_key = NewKey::new(self.name.as_str());
        if let Some(limit) = self.limit {
            new_key = new_key.limit(limit);
        }
        if let Some(reset) = &self.limit_reset {
            new_key = new_key.limit_reset(LimitReset::from(reset.as_str()));
        }
        if let Some(include) = self.include_byok_in_limit {
            new_key = new_key.include_byok_in_limit(include);
        }
        if let Some(at) = &self.expires_at {
            new_key = new_key.expires_at(Timestamp::from_text(at.as_str()));
        }
        if let Some(workspace) = &self.workspace_id {
            new_key = new_key.workspace_id(workspace.as_str());
        }
        new_key
    }
}

/// How a batch ended.
#[derive(Debug, Default)]
pub struct Outcome {
    /// Rows that got their key in this run.
    pub created_now: usize,
    /// Orphans (keys made for a row whose secret was never saved) deleted in this run.
    pub orphans_replaced: usize,
    /// Rows that failed for good, with the reason.
    pub failed: BTreeMap<String, String>,
    /// Rows still without a key (pending or in doubt) when the rounds ran out.
    pub unfinished: BTreeSet<String>,
    /// Of those, rows whose create may have happened.
    pub in_doubt: BTreeSet<String>,
    /// The final sweep for stray keys could not list the keys.
    pub unchecked: bool,
    /// Rows whose key, journaled as created by an earlier run, is no longer listed: deleted
    /// since, by someone else. `(row, hash)`.
    pub gone: Vec<(String, String)>,
    /// Keys with a batch name that this batch did not make (see `journal.rs`): left alone,
    /// reported. `(name, hash)`.
    pub foreign: Vec<(String, String)>,
}

/// Keys (disabled and expired included) in these workspaces whose name is one of `names`,
/// and the hashes of every key listed (to tell a key renamed since from one deleted).
pub async fn keys_named(
    client: &Client,
    workspaces: &BTreeSet<Option<String>>,
    names: &HashSet<&str>,
) -> Result<(Vec<Key>, HashSet<String>), Error> {
    let mut found = Vec::new();
    let mut seen = HashSet::new();
    for workspace in workspaces {
        let mut request = client
            .keys()
            .list()
            .include_disabled(true)
            .include_expired(true);
        if let Some(w) = workspace {
            request = request.workspace_id(w.as_str());
        }
        let mut stream = std::pin::pin!(request.into_stream());
        while let Some(key) = stream.try_next().await? {
            seen.insert(key.hash.clone());
            if key.name.as_deref().is_some_and(|n| names.contains(n)) {
                found.push(key);
            }
        }
    }
    Ok((found, seen))
}

/// Keys that already carry one of the batch's names: their hashes go in the `begin` record.
pub async fn preexisting(client: &Client, rows: &[(String, KeySpec)]) -> CliResult<Vec<Key>> {
    let names: HashSet<&str> = rows.iter().map(|(_, s)| s.name.as_str()).collect();
    let workspaces = rows.iter().map(|(_, s)| s.workspace_id.clone()).collect();
    let (keys, _) = keys_named(client, &workspaces, &names)
        .await
        .map_err(|e| CliError::api("listing existing keys before the batch failed", &e))?;
    Ok(keys)
}

/// Says on stderr which keys carry a batch name without being the batch's (left alone).
pub fn report_foreign(foreign: &[(String, String)]) {
    if foreign.is_empty() {
        return;
    }
    crate::output::err_line(format_args!(
        "warning: {} key(s) carry a name of this batch but were not made by it (made since \
         by someone else, another batch or a rotation); they were left alone:",
        foreign.len()
    ));
    for (name, hash) in foreign {
        crate::output::err_line(format_args!("  {hash}  {}", crate::output::printable(name)));
    }
}

/// Names within one batch must be unique: reconciliation finds a row's key by its name.
/// `both` says where two rows are, for the message (`in.csv lines 2 and 4`).
pub fn check_unique_names(
    rows: &[(String, KeySpec)],
    both: impl Fn(&str, &str) -> String,
) -> CliResult<()> {
    let mut seen: HashMap<&str, &str> = HashMap::new();
    for (row, spec) in rows {
        if let Some(first) = seen.insert(spec.name.as_str(), row.as_str()) {
            return Err(CliError::usage(format!(
                "{} have the same name `{}`: names must be unique within a batch (that is how \
                 a key whose create was interrupted is found again)",
                both(first, row),
                spec.name
            )));
        }
    }
    Ok(())
}

enum CreateResult {
    Done,
    Doubt,
    Failed(String),
    Fatal(CliError),
}

/// Creates every row that has no key yet, exactly once, reconciling rows in doubt.
pub async fn create_all(
    client: &Client,
    journal: &Journal,
    rows: &[(String, KeySpec)],
    concurrency: usize,
    progress: &Progress,
) -> CliResult<Outcome> {
    let mut outcome = Outcome::default();
    // Counted from the journal, so a reconciliation cut short by one failed delete still
    // counts the deletes that succeeded.
    let discarded_before = journal.state().discarded;
    let specs: HashMap<&str, &KeySpec> = rows.iter().map(|(r, s)| (r.as_str(), s)).collect();
    // Rows that had their key before this run: only those can be found deleted since (a key
    // made moments ago may not be listed yet; it must not be reported gone).
    let done_before: HashSet<String> = {
        let state = journal.state();
        rows.iter()
            .filter(|(r, _)| state.row(r).is_some_and(|s| s.created.is_some()))
            .map(|(r, _)| r.clone())
            .collect()
    };
    // Rows whose intent is on disk without a key: the create may have happened.
    let mut doubt: BTreeSet<String> = {
        let state = journal.state();
        state
            .in_doubt(rows.iter().map(|(r, _)| r.as_str()))
            .into_iter()
            .map(str::to_string)
            .collect()
    };
    for round in 0..MAX_ROUNDS {
        if round > 0 {
            tokio::time::sleep(Duration::from_millis((50u64 << round.min(5)).min(1_000))).await;
        }
        if !doubt.is_empty() {
            match reconcile(client, journal, &doubt, &specs).await {
                Ok(_) => doubt.clear(),
                Err(Failure::Fatal(e)) => return Err(e),
                Err(failure) if failure.is_fatal() => {
                    return Err(failure.into_error("reconciling failed"));
                }
                Err(failure) => {
                    progress.line(format!("round {}: {failure}; trying again", round + 1));
                    continue;
                }
            }
        }
        let pending: Vec<&(String, KeySpec)> = {
            let state = journal.state();
            rows.iter()
                .filter(|(r, _)| {
                    state.row(r).is_none_or(|s| s.created.is_none())
                        && !outcome.failed.contains_key(r)
                })
                .collect()
        };
        if pending.is_empty() {
            break;
        }
        let abort = AtomicBool::new(false);
        let fatal: Mutex<Option<CliError>> = Mutex::new(None);
        let new_doubt: Mutex<Vec<String>> = Mutex::new(Vec::new());
        let created_now = AtomicUsize::new(0);
        let failed: Mutex<Vec<(String, String)>> = Mutex::new(Vec::new());
        futures_util::stream::iter(pending)
            .for_each_concurrent(concurrency.max(1), |(row, spec)| {
                let (abort, fatal, new_doubt, failed, created_now) =
                    (&abort, &fatal, &new_doubt, &failed, &created_now);
                async move {
                    if abort.load(Ordering::SeqCst) {
                        return;
                    }
                    match create_one(client, journal, row, spec).await {
                        CreateResult::Done => {
                            created_now.fetch_add(1, Ordering::SeqCst);
                            progress.advance();
                        }
                        CreateResult::Doubt => lock(new_doubt).push(row.clone()),
                        CreateResult::Failed(why) => lock(failed).push((row.clone(), why)),
                        CreateResult::Fatal(e) => {
                            abort.store(true, Ordering::SeqCst);
                            lock(fatal).get_or_insert(e);
                        }
                    }
                }
            })
            .await;
        if let Some(e) = lock(&fatal).take() {
            return Err(e);
        }
        outcome.created_now += created_now.load(Ordering::SeqCst);
        outcome.failed.extend(lock(&failed).drain(..));
        doubt.extend(lock(&new_doubt).drain(..));
        if !doubt.is_empty() {
            progress.line(format!(
                "round {}: {} create(s) ended without a clear answer; reconciling",
                round + 1,
                doubt.len()
            ));
        }
    }
    // Final sweep over every row: a create sent by an earlier, killed run may have been acted
    // on after that run's listing; any key with a batch name that the journal does not know
    // is such an orphan. Rows in doubt are settled by it too (their orphans are deleted).
    let all: BTreeSet<String> = rows.iter().map(|(r, _)| r.clone()).collect();
    match reconcile(client, journal, &all, &specs).await {
        Ok(swept) => {
            outcome.foreign = swept.foreign;
            outcome.gone = swept
                .gone
                .into_iter()
                .filter(|(row, _)| done_before.contains(row))
                .collect();
            doubt.clear();
        }
        Err(Failure::Fatal(e)) => return Err(e),
        Err(failure) => {
            progress.line(format!("the final check for stray keys: {failure}"));
            outcome.unchecked = true;
        }
    }
    let state = journal.state();
    outcome.orphans_replaced = state.discarded.saturating_sub(discarded_before);
    for (row, _) in rows {
        if state.row(row).is_none_or(|s| s.created.is_none()) && !outcome.failed.contains_key(row) {
            outcome.unfinished.insert(row.clone());
        }
    }
    outcome.in_doubt = doubt;
    Ok(outcome)
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|p| p.into_inner())
}

/// 401/403: the key cannot do this; nothing will get better by retrying.
fn is_fatal(error: &Error) -> bool {
    matches!(
        error.as_api().map(|a| a.kind),
        Some(ApiErrorKind::Unauthorized | ApiErrorKind::Forbidden)
    )
}

async fn create_one(client: &Client, journal: &Journal, row: &str, spec: &KeySpec) -> CreateResult {
    if let Err(e) = journal.append(Record::Intent {
        row: row.to_string(),
        at: Some(crate::journal::now_secs()),
    }) {
        return CreateResult::Fatal(e);
    }
    match client.keys().create(spec.new_key()).await {
        Ok(created) => {
            let (key, secret) = created.into_parts();
            match journal.append(Record::Created {
                row: row.to_string(),
                hash: key.hash,
                secret: secret.expose_secret().to_string(),
            }) {
                Ok(()) => CreateResult::Done,
                Err(e) => CreateResult::Fatal(e),
            }
        }
        Err(e) if is_fatal(&e) => CreateResult::Fatal(CliError::api("creating a key failed", &e)),
        Err(Error::InvalidInput { what, reason }) => {
            CreateResult::Failed(format!("invalid {what}: {reason}"))
        }
        Err(e)
            if e.as_api()
                .is_some_and(|a| a.kind == ApiErrorKind::BadRequest) =>
        {
            CreateResult::Failed(e.to_string())
        }
        Err(_) => CreateResult::Doubt,
    }
}

/// Why reconciling stopped: the listing or an orphan's deletion failed (worth another
/// round), or the journal could not be written.
enum Failure {
    List(Error),
    Delete { hash: String, error: Error },
    Fatal(CliError),
}

impl Failure {
    /// 401/403: retrying will not help.
    fn is_fatal(&self) -> bool {
        match self {
            Failure::List(error) | Failure::Delete { error, .. } => is_fatal(error),
            Failure::Fatal(_) => true,
        }
    }

    fn into_error(self, context: &str) -> CliError {
        match self {
            Failure::List(error) => CliError::api(&format!("{context}: listing keys"), &error),
            Failure::Delete { hash, error } => CliError::api(
                &format!("{context}: deleting key {hash} (made for a row, its secret lost)"),
                &error,
            ),
            Failure::Fatal(e) => e,
        }
    }
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Failure::List(error) => write!(f, "listing keys to reconcile failed ({error})"),
            Failure::Delete { hash, error } => write!(
                f,
                "deleting key {hash}, made for a row whose secret was lost, failed ({error})"
            ),
            Failure::Fatal(e) => write!(f, "{e}"),
        }
    }
}

/// What a reconciliation did and saw.
struct Swept {
    /// Keys with a reconciled row's name that this batch did not make: `(name, hash)`.
    foreign: Vec<(String, String)>,
    /// Rows among those reconciled whose journaled key no longer exists: `(row, hash)`.
    gone: Vec<(String, String)>,
}

/// Finds keys made for rows in doubt whose secret never reached the journal, and deletes
/// them; notes the rows whose journaled key is no longer listed at all, and the keys with a
/// row's name that the batch did not make (the rule is in `journal.rs`).
async fn reconcile(
    client: &Client,
    journal: &Journal,
    doubt: &BTreeSet<String>,
    specs: &HashMap<&str, &KeySpec>,
) -> Result<Swept, Failure> {
    let by_name: HashMap<&str, &str> = doubt
        .iter()
        .filter_map(|row| {
            specs
                .get(row.as_str())
                .map(|s| (s.name.as_str(), row.as_str()))
        })
        .collect();
    let names: HashSet<&str> = by_name.keys().copied().collect();
    let workspaces: BTreeSet<Option<String>> = doubt
        .iter()
        .filter_map(|row| specs.get(row.as_str()).map(|s| s.workspace_id.clone()))
        .collect();
    let (found, seen) = keys_named(client, &workspaces, &names)
        .await
        .map_err(Failure::List)?;
    let (orphans, foreign, gone) = {
        let state = journal.state();
        let mut orphans: Vec<(String, String)> = Vec::new();
        let mut foreign: Vec<(String, String)> = Vec::new();
        for key in found {
            // Keys of the journal, and keys that had a batch name before the batch (said
            // when it began), are neither orphans nor news.
            if state.known.contains(&key.hash) || state.preexisting.contains(&key.hash) {
                continue;
            }
            let Some(name) = key.name.as_deref() else {
                continue;
            };
            let Some(row) = by_name.get(name) else {
                continue;
            };
            let created_at = key
                .created_at
                .as_ref()
                .and_then(|t| t.datetime())
                .map(|t| t.unix_timestamp());
            if state
                .row(row)
                .is_some_and(|s| s.could_have_made(created_at))
            {
                orphans.push((row.to_string(), key.hash));
            } else {
                foreign.push((name.to_string(), key.hash));
            }
        }
        let gone: Vec<(String, String)> = doubt
            .iter()
            .filter_map(|row| {
                let (hash, _) = state.row(row)?.created.as_ref()?;
                (!seen.contains(hash)).then(|| (row.clone(), hash.clone()))
            })
            .collect();
        (orphans, foreign, gone)
    };
    // Deleted a few at a time; every deletion that succeeded is journaled even when another
    // failed (the failure ends this reconciliation; the next one lists again).
    let results: Vec<(String, String, Result<(), Error>)> = futures_util::stream::iter(orphans)
        .map(|(row, hash)| async move {
            let result = client.keys().delete(hash.as_str()).await;
            (row, hash, result)
        })
        .buffer_unordered(RECONCILE_DELETES)
        .collect()
        .await;
    let mut first_error = None;
    for (row, hash, result) in results {
        match result {
            Ok(()) => {
                journal
                    .append(Record::Discarded { row, hash })
                    .map_err(Failure::Fatal)?;
            }
            Err(error) => {
                first_error.get_or_insert(Failure::Delete { hash, error });
            }
        }
    }
    match first_error {
        Some(failure) => Err(failure),
        None => Ok(Swept { foreign, gone }),
    }
}
