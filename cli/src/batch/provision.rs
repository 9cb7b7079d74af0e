//! Creating a batch's keys through its journal, exactly once: the engine behind every kind
//! of batch (see `journal.rs` for the design).
//!
//! Work goes in rounds. A round first reconciles the rows in doubt (one listing; orphans
//! deleted), then creates every pending row, `--concurrency` at a time, each create preceded
//! by its fsynced `intent`. A create that ends without a clear answer puts its row in doubt for
//! the next round; a 400 fails the row; a 401/403 stops the batch. Rounds repeat, with a
//! growing pause, until every row has its key or the round limit is reached.

use super::journal::{Journal, Record, now_secs};
use super::row::{Row, RowId};
use crate::context::Context;
use crate::error::{CliError, CliResult};
use crate::exit::{Exit, ItemOutcome};
use crate::print::{Printer, Progress};
use crate::render::{describe, printable};
use crate::sdk_error::is_refused_key;
use futures_util::{StreamExt, TryStreamExt};
use openrouter_keys::{ApiErrorKind, Client, Error, ExposeSecret, Key};
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

/// Orphans deleted at once while reconciling.
const RECONCILE_DELETES: usize = 8;

/// Rounds before giving up on rows still pending or in doubt (each round retries them all).
const MAX_ROUNDS: u32 = 12;

/// How a batch's creates ended in this run.
#[derive(Debug)]
pub struct Outcome<Id> {
    /// Rows that got their key in this run.
    pub created_now: usize,
    /// Orphans (keys made for a row whose secret was never saved) deleted in this run.
    pub orphans_replaced: usize,
    /// Rows that failed for good, with the reason.
    pub failed: BTreeMap<Id, CliError>,
    /// Rows still without a key (pending or in doubt) when the rounds ran out.
    pub unfinished: BTreeSet<Id>,
    /// Of those, rows whose create may have happened.
    pub in_doubt: BTreeSet<Id>,
    /// The final sweep for stray keys could not list the keys.
    pub unchecked: bool,
    /// Rows whose key, journaled as created by an earlier run, is no longer listed: deleted
    /// since, by someone else. `(row, hash)`.
    pub gone: Vec<(Id, String)>,
    /// Keys with a batch name that this batch did not make (see `journal.rs`): left alone,
    /// reported. `(name, hash)`.
    pub foreign: Vec<(String, String)>,
}

impl<Id: RowId> Default for Outcome<Id> {
    fn default() -> Self {
        Self {
            created_now: 0,
            orphans_replaced: 0,
            failed: BTreeMap::new(),
            unfinished: BTreeSet::new(),
            in_doubt: BTreeSet::new(),
            unchecked: false,
            gone: Vec::new(),
            foreign: Vec::new(),
        }
    }
}

/// What became of one row's key, by this run's end.
pub enum RowResult<'a> {
    /// The row has its key.
    Created,
    /// The row failed for good (a 400): why.
    Failed(&'a CliError),
    /// The row has no key yet and none is in doubt: a rerun creates it.
    Unfinished,
    /// A create of the row may or may not have happened.
    InDoubt,
    /// The row's key, made by this batch, was deleted since: its hash.
    Gone(&'a str),
}

impl RowResult<'_> {
    /// The row as an item of the command's exit code (`exit.rs`). A row with its key is
    /// done as far as creating goes; a command with more steps (`rotate`) goes on with it.
    pub fn outcome(&self) -> ItemOutcome {
        match self {
            RowResult::Created => ItemOutcome::Done,
            RowResult::Failed(error) => ItemOutcome::Failed(error.exit()),
            RowResult::Unfinished => ItemOutcome::Failed(Exit::Failure),
            RowResult::InDoubt => ItemOutcome::Unknown,
            RowResult::Gone(_) => ItemOutcome::Partly,
        }
    }
}

impl<Id: RowId> Outcome<Id> {
    pub fn of_row(&self, row: &Id) -> RowResult<'_> {
        if let Some((_, hash)) = self.gone.iter().find(|(gone, _)| gone == row) {
            RowResult::Gone(hash)
        } else if let Some(error) = self.failed.get(row) {
            RowResult::Failed(error)
        } else if self.in_doubt.contains(row) {
            RowResult::InDoubt
        } else if self.unfinished.contains(row) {
            RowResult::Unfinished
        } else {
            RowResult::Created
        }
    }
}

/// Keys (disabled and expired included) in these workspaces whose name is one of `names`,
/// and the hashes of every key listed (to tell a key renamed since from one deleted).
async fn keys_named(
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
pub async fn preexisting<Id>(ctx: &Context, rows: &[Row<Id>]) -> CliResult<Vec<Key>> {
    let names: HashSet<&str> = rows.iter().map(|r| r.spec.name.as_str()).collect();
    let workspaces = rows.iter().map(|r| r.spec.workspace_id.clone()).collect();
    let (keys, _) = keys_named(ctx.client()?, &workspaces, &names)
        .await
        .map_err(|e| ctx.api_error("listing existing keys before the batch failed", &e))?;
    Ok(keys)
}

/// Says on stderr that keys already carry one of the batch's names. The batch makes new
/// keys beside them (names are not unique in the API) and never touches them
/// (`journal.rs`). Said, listed, not refused: re-issuing a name is a normal thing to do.
/// Shown even with `--quiet`: it is a warning, not progress.
pub fn warn_preexisting(print: Printer, keys: &[openrouter_keys::Key]) {
    if keys.is_empty() {
        return;
    }
    print.line(format_args!(
        "warning: {} existing key(s) already carry a name of this batch; the batch makes \
         new keys beside them and leaves them alone:",
        keys.len()
    ));
    for key in keys {
        print.line(format_args!("  {}", describe(key)));
    }
}

/// Says on stderr which keys carry a batch name without being the batch's (left alone).
pub fn report_foreign(print: Printer, foreign: &[(String, String)]) {
    if foreign.is_empty() {
        return;
    }
    print.line(format_args!(
        "warning: {} key(s) carry a name of this batch but were not made by it (made since \
         by someone else, another batch or a rotation); they were left alone:",
        foreign.len()
    ));
    for (name, hash) in foreign {
        print.line(format_args!("  {hash}  {}", printable(name)));
    }
}

/// Names within one batch must be unique: reconciliation finds a row's key by its name.
/// Every pair of rows that share one, as `(first, again, name)`, in the rows' order.
pub fn duplicate_names<'a, Id: Clone>(
    rows: impl IntoIterator<Item = (Id, &'a str)>,
) -> Vec<(Id, Id, &'a str)> {
    let mut seen: HashMap<&str, Id> = HashMap::new();
    let mut found = Vec::new();
    for (id, name) in rows {
        match seen.get(name) {
            Some(first) => found.push((first.clone(), id, name)),
            None => {
                seen.insert(name, id);
            }
        }
    }
    found
}

enum CreateResult {
    Done,
    Doubt,
    Failed(CliError),
    Fatal(CliError),
}

/// Creates every row of the journal that has no key yet, exactly once, reconciling rows in
/// doubt.
pub async fn create_all<Id: RowId>(
    ctx: &Context,
    journal: &Journal<Id>,
    concurrency: usize,
    progress: &Progress,
) -> CliResult<Outcome<Id>> {
    let client = ctx.client()?;
    let rows = journal.rows();
    let mut outcome = Outcome::default();
    // Counted from the journal, so a reconciliation cut short by one failed delete still
    // counts the deletes that succeeded.
    let discarded_before = journal.state().discarded;
    // Rows that had their key before this run: only those can be found deleted since (a key
    // made moments ago may not be listed yet; it must not be reported gone).
    let done_before: HashSet<Id> = {
        let state = journal.state();
        rows.iter()
            .filter(|r| state.has_key(&r.id))
            .map(|r| r.id.clone())
            .collect()
    };
    // Rows whose intent is on disk without a key: the create may have happened.
    let mut doubt: BTreeSet<Id> = journal
        .state()
        .in_doubt(rows.iter().map(|r| &r.id))
        .into_iter()
        .collect();
    for round in 0..MAX_ROUNDS {
        if round > 0 {
            tokio::time::sleep(Duration::from_millis((50u64 << round.min(5)).min(1_000))).await;
        }
        if !doubt.is_empty() {
            match reconcile(client, journal, &doubt).await {
                Ok(_) => doubt.clear(),
                Err(failure) if failure.is_fatal() => {
                    return Err(failure.into_error(ctx, "reconciling failed"));
                }
                Err(failure) => {
                    progress.line(format!("round {}: {failure}; trying again", round + 1));
                    continue;
                }
            }
        }
        let pending: Vec<&Row<Id>> = {
            let state = journal.state();
            rows.iter()
                .filter(|r| !state.has_key(&r.id) && !outcome.failed.contains_key(&r.id))
                .collect()
        };
        if pending.is_empty() {
            break;
        }
        let abort = AtomicBool::new(false);
        let fatal: Mutex<Option<CliError>> = Mutex::new(None);
        let new_doubt: Mutex<Vec<Id>> = Mutex::new(Vec::new());
        let created_now = AtomicUsize::new(0);
        let failed: Mutex<Vec<(Id, CliError)>> = Mutex::new(Vec::new());
        futures_util::stream::iter(pending)
            .for_each_concurrent(concurrency.max(1), |row| {
                let (abort, fatal, new_doubt, failed, created_now) =
                    (&abort, &fatal, &new_doubt, &failed, &created_now);
                async move {
                    if abort.load(Ordering::SeqCst) {
                        return;
                    }
                    match create_one(ctx, client, journal, row).await {
                        CreateResult::Done => {
                            created_now.fetch_add(1, Ordering::SeqCst);
                            progress.advance();
                        }
                        CreateResult::Doubt => lock(new_doubt).push(row.id.clone()),
                        CreateResult::Failed(why) => lock(failed).push((row.id.clone(), why)),
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
    let all: BTreeSet<Id> = rows.iter().map(|r| r.id.clone()).collect();
    match reconcile(client, journal, &all).await {
        Ok(swept) => {
            outcome.foreign = swept.foreign;
            outcome.gone = swept
                .gone
                .into_iter()
                .filter(|(row, _)| done_before.contains(row))
                .collect();
            doubt.clear();
        }
        Err(ReconcileFailure::Journal(e)) => return Err(e),
        Err(failure) => {
            progress.line(format!("the final check for stray keys: {failure}"));
            outcome.unchecked = true;
        }
    }
    let state = journal.state();
    outcome.orphans_replaced = state.discarded.saturating_sub(discarded_before);
    for row in rows {
        if !state.has_key(&row.id) && !outcome.failed.contains_key(&row.id) {
            outcome.unfinished.insert(row.id.clone());
        }
    }
    outcome.in_doubt = doubt;
    Ok(outcome)
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|p| p.into_inner())
}

async fn create_one<Id: RowId>(
    ctx: &Context,
    client: &Client,
    journal: &Journal<Id>,
    row: &Row<Id>,
) -> CreateResult {
    if let Err(e) = journal.append(Record::Intent {
        row: row.id.clone(),
        at: Some(now_secs()),
    }) {
        return CreateResult::Fatal(e);
    }
    match client.keys().create(row.spec.new_key()).await {
        Ok(created) => {
            let (key, secret) = created.into_parts();
            match journal.append(Record::Created {
                row: row.id.clone(),
                hash: key.hash,
                secret: secret.expose_secret().to_string(),
            }) {
                Ok(()) => CreateResult::Done,
                Err(e) => CreateResult::Fatal(e),
            }
        }
        Err(e) if is_refused_key(&e) => {
            CreateResult::Fatal(ctx.api_error("creating a key failed", &e))
        }
        // The row's values were refused: this row fails, the others go on.
        Err(e)
            if matches!(e, Error::InvalidInput { .. })
                || e.as_api()
                    .is_some_and(|a| a.kind == ApiErrorKind::BadRequest) =>
        {
            CreateResult::Failed(ctx.api_error("creating its key failed", &e))
        }
        Err(_) => CreateResult::Doubt,
    }
}

/// Why reconciling stopped: the listing or an orphan's deletion failed (worth another
/// round), or the journal could not be written.
enum ReconcileFailure {
    List(Error),
    Delete { hash: String, error: Error },
    Journal(CliError),
}

impl ReconcileFailure {
    /// 401/403, or the journal: retrying will not help.
    fn is_fatal(&self) -> bool {
        match self {
            Self::List(error) | Self::Delete { error, .. } => is_refused_key(error),
            Self::Journal(_) => true,
        }
    }

    fn into_error(self, ctx: &Context, context: &str) -> CliError {
        match self {
            Self::List(error) => ctx.api_error(&format!("{context}: listing keys"), &error),
            Self::Delete { hash, error } => ctx.api_error(
                &format!("{context}: deleting key {hash} (made for a row, its secret lost)"),
                &error,
            ),
            Self::Journal(e) => e,
        }
    }
}

impl std::fmt::Display for ReconcileFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::List(error) => {
                write!(f, "listing keys to reconcile failed ({})", error.summary())
            }
            Self::Delete { hash, error } => write!(
                f,
                "deleting key {hash}, made for a row whose secret was lost, failed ({})",
                error.summary()
            ),
            Self::Journal(e) => write!(f, "{e}"),
        }
    }
}

/// What a reconciliation did and saw.
struct Swept<Id> {
    /// Keys with a reconciled row's name that this batch did not make: `(name, hash)`.
    foreign: Vec<(String, String)>,
    /// Rows among those reconciled whose journaled key no longer exists: `(row, hash)`.
    gone: Vec<(Id, String)>,
}

/// Finds keys made for rows in doubt whose secret never reached the journal, and deletes
/// them; notes the rows whose journaled key is no longer listed at all, and the keys with a
/// row's name that the batch did not make (the rule is in `journal.rs`).
async fn reconcile<Id: RowId>(
    client: &Client,
    journal: &Journal<Id>,
    doubt: &BTreeSet<Id>,
) -> Result<Swept<Id>, ReconcileFailure> {
    let reconciled: Vec<&Row<Id>> = journal
        .rows()
        .iter()
        .filter(|r| doubt.contains(&r.id))
        .collect();
    let by_name: HashMap<&str, &Id> = reconciled
        .iter()
        .map(|r| (r.spec.name.as_str(), &r.id))
        .collect();
    let names: HashSet<&str> = by_name.keys().copied().collect();
    let workspaces: BTreeSet<Option<String>> = reconciled
        .iter()
        .map(|r| r.spec.workspace_id.clone())
        .collect();
    let (found, seen) = keys_named(client, &workspaces, &names)
        .await
        .map_err(ReconcileFailure::List)?;
    let (orphans, foreign, gone) = {
        let state = journal.state();
        let mut orphans: Vec<(Id, String)> = Vec::new();
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
                orphans.push(((*row).clone(), key.hash));
            } else {
                foreign.push((name.to_string(), key.hash));
            }
        }
        let gone: Vec<(Id, String)> = doubt
            .iter()
            .filter_map(|row| {
                let (hash, _) = state.row(row)?.key()?;
                (!seen.contains(hash)).then(|| (row.clone(), hash.clone()))
            })
            .collect();
        (orphans, foreign, gone)
    };
    // Deleted a few at a time; every deletion that succeeded is journaled even when another
    // failed (the failure ends this reconciliation; the next one lists again).
    let results: Vec<(Id, String, Result<(), Error>)> = futures_util::stream::iter(orphans)
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
                    .map_err(ReconcileFailure::Journal)?;
            }
            Err(error) => {
                first_error.get_or_insert(ReconcileFailure::Delete { hash, error });
            }
        }
    }
    match first_error {
        Some(failure) => Err(failure),
        None => Ok(Swept { foreign, gone }),
    }
}
