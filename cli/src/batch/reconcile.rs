//! Finding a batch's keys again by listing them: the keys that carry a batch name before it
//! begins, and reconciliation — orphans (keys made for a row whose secret was lost) deleted,
//! keys the batch made and someone deleted since noted, keys with a batch name that the
//! batch did not make reported and left alone (the rule is in `journal.rs`).

use super::journal::{Journal, Record};
use super::pace::Pacer;
use super::row::{Row, RowId};
use super::settle::Settle;
use crate::context::Context;
use crate::error::{CliError, CliResult};
use crate::print::Printer;
use crate::render::{describe, printable};
use crate::sdk_error::is_refused_key;
use futures_util::{StreamExt, TryStreamExt};
use openrouter_keys::{ApiErrorKind, Client, Error, Key};
use std::collections::{BTreeSet, HashMap, HashSet};

/// Orphans deleted (or missing keys looked up) at once while reconciling.
const RECONCILE_CALLS: usize = 8;

/// Keys (disabled and expired included) in these workspaces whose name is one of `names`,
/// and the hashes of every key listed (to tell a key renamed since from one deleted). One
/// call of the pacer: a listing is paced as a whole.
async fn keys_named(
    client: &Client,
    pace: &Pacer,
    workspaces: &BTreeSet<Option<String>>,
    names: &HashSet<&str>,
) -> Result<(Vec<Key>, HashSet<String>), Error> {
    pace.paced(async {
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
    })
    .await
}

/// Keys that already carry one of the batch's names: their hashes go in the `begin` record.
pub async fn preexisting<Id>(ctx: &Context, rows: &[Row<Id>]) -> CliResult<Vec<Key>> {
    let names: HashSet<&str> = rows.iter().map(|r| r.spec.name.as_str()).collect();
    let workspaces = rows.iter().map(|r| r.spec.workspace_id.clone()).collect();
    let (keys, _) = keys_named(ctx.client()?, &ctx.pace, &workspaces, &names)
        .await
        .map_err(|e| ctx.api_error("listing existing keys before the batch failed", &e))?;
    Ok(keys)
}

/// Says on stderr that keys already carry one of the batch's names. The batch makes new
/// keys beside them (names are not unique in the API) and never touches them
/// (`journal.rs`). Said, listed, not refused: re-issuing a name is a normal thing to do.
/// Shown even with `--quiet`: it is a warning, not progress.
pub fn warn_preexisting(print: Printer, keys: &[Key]) {
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

/// Says that keys made for rows by creates whose answer was lost (no secret saved) were
/// found and deleted; their rows have (or get) a key of their own.
pub fn report_orphans(print: Printer, command: &str, deleted: usize) {
    if deleted > 0 {
        print.note(format_args!(
            "{command}: {deleted} key(s) made for a row by an interrupted create, without a \
             saved secret, were deleted (their rows were created again)"
        ));
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

/// Why reconciling stopped: the listing, an orphan's deletion or a missing key's lookup
/// failed (worth another round), or the journal could not be written.
pub enum ReconcileFailure {
    List(Error),
    Delete { hash: String, error: Error },
    Lookup { hash: String, error: Error },
    Journal(CliError),
}

impl ReconcileFailure {
    /// 401/403, or the journal: retrying will not help.
    pub fn is_fatal(&self) -> bool {
        match self {
            Self::List(error) | Self::Delete { error, .. } | Self::Lookup { error, .. } => {
                is_refused_key(error)
            }
            Self::Journal(_) => true,
        }
    }

    pub fn into_error(self, ctx: &Context, context: &str) -> CliError {
        match self {
            Self::List(error) => ctx.api_error(&format!("{context}: listing keys"), &error),
            Self::Delete { hash, error } => ctx.api_error(
                &format!("{context}: deleting key {hash} (made for a row, its secret lost)"),
                &error,
            ),
            Self::Lookup { hash, error } => ctx.api_error(
                &format!("{context}: reading key {hash} (made by the batch, not listed)"),
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
            Self::Lookup { hash, error } => write!(
                f,
                "reading key {hash}, made by the batch and not listed, failed ({})",
                error.summary()
            ),
            Self::Journal(e) => write!(f, "{e}"),
        }
    }
}

/// What a reconciliation did and saw.
pub struct Swept<Id> {
    /// Keys with a reconciled row's name that this batch did not make: `(name, hash)`.
    pub foreign: Vec<(String, String)>,
    /// Rows among those reconciled whose journaled key no longer exists: `(row, hash)`.
    pub gone: Vec<(Id, String)>,
}

/// Finds keys made for the `rows` whose secret never reached the journal, and deletes them;
/// notes the rows among `made_before` (keys journaled before this run) whose key no longer
/// exists (not listed, and not found by hash: a listing may show a change late), and the
/// keys with a row's name that the batch did not make.
pub async fn reconcile<Id: RowId>(
    client: &Client,
    pace: &Pacer,
    journal: &Journal<Id>,
    rows: &BTreeSet<Id>,
    settle: &Settle,
    made_before: &HashSet<Id>,
) -> Result<Swept<Id>, ReconcileFailure> {
    let reconciled: Vec<&Row<Id>> = journal
        .rows()
        .iter()
        .filter(|r| rows.contains(&r.id))
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
    let (found, seen) = keys_named(client, pace, &workspaces, &names)
        .await
        .map_err(ReconcileFailure::List)?;
    let (orphans, foreign, unlisted) = {
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
                .is_some_and(|s| settle.could_have_made(s, created_at))
            {
                orphans.push(((*row).clone(), key.hash));
            } else {
                foreign.push((name.to_string(), key.hash));
            }
        }
        let unlisted: Vec<(Id, String)> = rows
            .iter()
            .filter(|row| made_before.contains(*row))
            .filter_map(|row| {
                let (hash, _) = state.row(row)?.key()?;
                (!seen.contains(hash)).then(|| (row.clone(), hash.clone()))
            })
            .collect();
        (orphans, foreign, unlisted)
    };
    // Deleted a few at a time; every deletion that succeeded is journaled even when another
    // failed (the failure ends this reconciliation; the next one lists again).
    let deleted: Vec<(Id, String, Result<(), Error>)> = futures_util::stream::iter(orphans)
        .map(|(row, hash)| async move {
            let result = pace.paced(client.keys().delete(hash.as_str())).await;
            (row, hash, result)
        })
        .buffer_unordered(RECONCILE_CALLS)
        .collect()
        .await;
    let mut first_error = None;
    for (row, hash, result) in deleted {
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
    // A key the listing does not show is gone only if reading it by hash says so.
    let looked_up: Vec<(Id, String, Result<(), Error>)> = futures_util::stream::iter(unlisted)
        .map(|(row, hash)| async move {
            let result = pace.paced(client.keys().get(hash.as_str())).await;
            (row, hash, result.map(drop))
        })
        .buffer_unordered(RECONCILE_CALLS)
        .collect()
        .await;
    let mut gone = Vec::new();
    for (row, hash, result) in looked_up {
        match result {
            Ok(()) => {}
            Err(e) if e.as_api().is_some_and(|a| a.kind == ApiErrorKind::NotFound) => {
                gone.push((row, hash));
            }
            Err(error) => {
                first_error.get_or_insert(ReconcileFailure::Lookup { hash, error });
            }
        }
    }
    match first_error {
        Some(failure) => Err(failure),
        None => Ok(Swept { foreign, gone }),
    }
}
