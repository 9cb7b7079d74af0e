//! Taking every row of a batch through its work, exactly once: its key created through the
//! journal, then its kind's steps (`steps.rs`). The rounds of the engine behind every kind
//! of batch (see `journal.rs` for the design; `lifecycle.rs` for what comes after: the settle
//! rule and the final sweep).
//!
//! Work goes in rounds. A round first reconciles the rows in doubt (one listing; orphans
//! deleted), then takes every row with work left through it, `--concurrency` rows at a time:
//! its create, preceded by its fsynced `intent`, then its steps, each call started by the
//! pacer (`pace.rs`). A create that ends without a clear answer puts its row in doubt for the
//! next round (`unanswered`); a 400 fails the row (`refused`); a 401/403 stops the batch.
//! Rounds repeat, with a growing pause, until every row is through or the round limit is
//! reached.

use super::journal::{Journal, Record, now_ms, now_secs};
use super::reconcile::reconcile;
use super::row::{Row, RowId};
use super::settle::Settle;
use super::steps::{RowSteps, StepFailure};
use crate::context::Context;
use crate::error::CliError;
use crate::exit::{Exit, ItemOutcome};
use crate::print::Progress;
use crate::sdk_error::is_refused_key;
use futures_util::StreamExt;
use openrouter_keys::{ApiErrorKind, Client, Error, ExposeSecret};
use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

/// Rounds before giving up on rows still pending or in doubt (each round retries them all).
const MAX_ROUNDS: u32 = 12;

/// How a batch's rows ended in this run.
pub struct Outcome<Id> {
    /// Rows that got their key in this run.
    pub created_now: usize,
    /// Orphans (keys made for a row whose secret was never saved) deleted in this run.
    pub orphans_replaced: usize,
    /// Rows whose create failed for good, with the reason.
    pub failed: BTreeMap<Id, CliError>,
    /// Rows whose key exists but whose steps stopped in this run.
    pub steps_failed: BTreeMap<Id, StepFailure>,
    /// Rows still without a key (pending or in doubt) when the rounds ran out.
    pub unfinished: BTreeSet<Id>,
    /// Of those, rows whose create may have happened and that no listing has reconciled.
    pub in_doubt: BTreeSet<Id>,
    /// The final sweep for stray keys could not finish.
    pub unchecked: bool,
    /// Rows whose key, journaled as created by an earlier run, no longer exists: deleted
    /// since, by someone else. `(row, hash)`.
    pub gone: Vec<(Id, String)>,
    /// Keys with a batch name that this batch did not make (see `journal.rs`): left alone,
    /// reported. `(name, hash)`.
    pub foreign: Vec<(String, String)>,
    /// Rows that may still get a second key from a create that ended without a clear answer,
    /// and until when (Unix milliseconds): see `settle.rs`.
    pub settling: BTreeMap<Id, i64>,
}

impl<Id: RowId> Default for Outcome<Id> {
    fn default() -> Self {
        Self {
            created_now: 0,
            orphans_replaced: 0,
            failed: BTreeMap::new(),
            steps_failed: BTreeMap::new(),
            unfinished: BTreeSet::new(),
            in_doubt: BTreeSet::new(),
            unchecked: false,
            gone: Vec::new(),
            foreign: Vec::new(),
            settling: BTreeMap::new(),
        }
    }
}

/// What became of one row, by this run's end.
pub enum RowResult<'a> {
    /// The row has its key, and its steps are done.
    Created,
    /// The row's create failed for good (a 400): why.
    Failed(&'a CliError),
    /// The row's key exists; one of its steps failed.
    StepFailed(&'a StepFailure),
    /// The row has no key yet and none is in doubt: a rerun creates it.
    Unfinished,
    /// A create of the row may or may not have happened.
    InDoubt,
    /// The row's key, made by this batch, was deleted since: its hash.
    Gone(&'a str),
    /// Done, except that a create of the row that ended without a clear answer may still
    /// make a second key (until when: [`Outcome::settling`]).
    Settling,
}

impl RowResult<'_> {
    /// The row as an item of the command's exit code (`exit.rs`).
    pub fn outcome(&self) -> ItemOutcome {
        match self {
            RowResult::Created => ItemOutcome::Done,
            RowResult::Failed(error) => ItemOutcome::Failed(error.exit()),
            RowResult::StepFailed(failure) => failure.outcome,
            RowResult::Unfinished => ItemOutcome::Failed(Exit::Failure),
            RowResult::InDoubt => ItemOutcome::Unknown,
            RowResult::Gone(_) => ItemOutcome::Partly,
            RowResult::Settling => ItemOutcome::Settling,
        }
    }
}

impl<Id: RowId> Outcome<Id> {
    pub fn of_row(&self, row: &Id) -> RowResult<'_> {
        if let Some((_, hash)) = self.gone.iter().find(|(gone, _)| gone == row) {
            RowResult::Gone(hash)
        } else if let Some(error) = self.failed.get(row) {
            RowResult::Failed(error)
        } else if let Some(failure) = self.steps_failed.get(row) {
            RowResult::StepFailed(failure)
        } else if self.in_doubt.contains(row) {
            RowResult::InDoubt
        } else if self.unfinished.contains(row) {
            RowResult::Unfinished
        } else if self.settling.contains_key(row) {
            RowResult::Settling
        } else {
            RowResult::Created
        }
    }

    /// Whether every row got through its work in this run: then only creates that may still
    /// take effect can stand between the run and its exit 0.
    pub fn every_row_through(&self) -> bool {
        self.failed.is_empty()
            && self.steps_failed.is_empty()
            && self.unfinished.is_empty()
            && self.in_doubt.is_empty()
    }
}

enum CreateResult {
    Done,
    Doubt,
    Failed(CliError),
    Fatal(CliError),
}

/// Takes every row that has work left (no key, or steps left) through it, in rounds,
/// reconciling rows in doubt between rounds.
pub async fn run_rounds<Id: RowId, S: RowSteps<Id>>(
    ctx: &Context,
    journal: &Journal<Id>,
    concurrency: usize,
    settle: &Settle,
    progress: &Progress,
    steps: &S,
) -> Result<Outcome<Id>, CliError> {
    let client = ctx.client()?;
    let rows = journal.rows();
    let mut outcome = Outcome::default();
    // Rows whose intent is on disk without a key: the create may have happened.
    let mut doubt: BTreeSet<Id> = journal
        .state()
        .in_doubt(rows.iter().map(|r| &r.id))
        .into_iter()
        .collect();
    let nobody: HashSet<Id> = HashSet::new();
    for round in 0..MAX_ROUNDS {
        if round > 0 {
            tokio::time::sleep(Duration::from_millis((50u64 << round.min(5)).min(1_000))).await;
        }
        if !doubt.is_empty() {
            match reconcile(client, &ctx.pace, journal, &doubt, settle, &nobody).await {
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
        let work: Vec<&Row<Id>> = {
            let state = journal.state();
            rows.iter()
                .filter(
                    |r| match state.row(&r.id).and_then(|s| s.key().map(|_| s)) {
                        None => !outcome.failed.contains_key(&r.id),
                        Some(s) => steps.pending(r, s) && !outcome.steps_failed.contains_key(&r.id),
                    },
                )
                .collect()
        };
        if work.is_empty() {
            break;
        }
        let abort = AtomicBool::new(false);
        let fatal: Mutex<Option<CliError>> = Mutex::new(None);
        let new_doubt: Mutex<Vec<Id>> = Mutex::new(Vec::new());
        let created_now = AtomicUsize::new(0);
        let failed: Mutex<Vec<(Id, CliError)>> = Mutex::new(Vec::new());
        let steps_failed: Mutex<Vec<(Id, StepFailure)>> = Mutex::new(Vec::new());
        futures_util::stream::iter(work)
            .for_each_concurrent(concurrency.max(1), |row| {
                let (abort, fatal, new_doubt, failed, steps_failed, created_now) = (
                    &abort,
                    &fatal,
                    &new_doubt,
                    &failed,
                    &steps_failed,
                    &created_now,
                );
                async move {
                    if abort.load(Ordering::SeqCst) {
                        return;
                    }
                    if !journal.state().has_key(&row.id) {
                        match create_one(ctx, client, journal, row).await {
                            CreateResult::Done => {
                                created_now.fetch_add(1, Ordering::SeqCst);
                            }
                            CreateResult::Doubt => return lock(new_doubt).push(row.id.clone()),
                            CreateResult::Failed(why) => {
                                return lock(failed).push((row.id.clone(), why));
                            }
                            CreateResult::Fatal(e) => {
                                abort.store(true, Ordering::SeqCst);
                                lock(fatal).get_or_insert(e);
                                return;
                            }
                        }
                    }
                    let pending = journal
                        .state()
                        .row(&row.id)
                        .is_some_and(|s| steps.pending(row, s));
                    if pending && let Err(failure) = steps.run(ctx, journal, row).await {
                        return lock(steps_failed).push((row.id.clone(), failure));
                    }
                    progress.advance();
                }
            })
            .await;
        if let Some(e) = lock(&fatal).take() {
            return Err(e);
        }
        outcome.created_now += created_now.load(Ordering::SeqCst);
        outcome.failed.extend(lock(&failed).drain(..));
        outcome.steps_failed.extend(lock(&steps_failed).drain(..));
        doubt.extend(lock(&new_doubt).drain(..));
        if !doubt.is_empty() {
            progress.line(format!(
                "round {}: {} create(s) ended without a clear answer; reconciling",
                round + 1,
                doubt.len()
            ));
        }
    }
    let state = journal.state();
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

/// One create of the row: its intent, the call, and the record of how it ended.
async fn create_one<Id: RowId>(
    ctx: &Context,
    client: &Client,
    journal: &Journal<Id>,
    row: &Row<Id>,
) -> CreateResult {
    let id = row.id.clone();
    let intent = Record::Intent {
        row: id.clone(),
        at: Some(now_secs()),
    };
    if let Err(e) = journal.append(intent) {
        return CreateResult::Fatal(e);
    }
    let created = ctx
        .pace
        .paced(client.keys().create(row.spec.new_key()))
        .await;
    let (record, result) = match created {
        Ok(created) => {
            let (key, secret) = created.into_parts();
            let record = Record::Created {
                row: id,
                hash: key.hash,
                secret: secret.expose_secret().to_string(),
                label: key.label,
            };
            (record, CreateResult::Done)
        }
        // An answer that may hide a key: a timeout, a 5xx, a cut connection.
        Err(Error::OutcomeUnknown { .. }) => (unanswered(id), CreateResult::Doubt),
        Err(e) if is_refused_key(&e) => (
            Record::Refused { row: id },
            CreateResult::Fatal(ctx.api_error("creating a key failed", &e)),
        ),
        // The row's values were refused: this row fails, the others go on.
        Err(e)
            if matches!(e, Error::InvalidInput { .. })
                || e.as_api()
                    .is_some_and(|a| a.kind == ApiErrorKind::BadRequest) =>
        {
            (
                Record::Refused { row: id },
                CreateResult::Failed(ctx.api_error("creating its key failed", &e)),
            )
        }
        Err(_) => (unanswered(id), CreateResult::Doubt),
    };
    match journal.append(record) {
        Ok(()) => result,
        Err(e) => CreateResult::Fatal(e),
    }
}

/// The row's create ended now without a clear answer.
fn unanswered<Id>(row: Id) -> Record<Id> {
    Record::Unanswered {
        row,
        at_ms: now_ms(),
    }
}
