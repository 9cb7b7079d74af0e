//! [`Batch`]: the lifecycle every kind of batch goes through, once — find the batch's
//! journal and resume it, or begin one; save the secrets on Ctrl-C; show progress; create
//! every row's key exactly once and take it through the kind's steps; settle (`settle.rs`)
//! and sweep; write the secrets file from the journal, whatever happened.
//!
//! What differs between kinds (`bulk-create`, `rotate`) is a [`BatchKind`]: its command's
//! name, its rows' id, and its secrets file's columns; and its [`RowSteps`], what follows a
//! row's key. A new kind of batch implements both; the command decides which rows to make.

use super::journal::{Journal, Opened, Record, Vacant, now_ms, path_for};
use super::provision::{Outcome, run_rounds};
use super::reconcile::{ReconcileFailure, reconcile};
use super::row::{Row, RowId};
use super::settle::{Settle, shown_time};
use super::steps::RowSteps;
use crate::cli::BatchOptions;
use crate::context::Context;
use crate::error::{CliError, CliResult};
use crate::print::Progress;
use crate::secrets::write_private_csv;
use openrouter_keys::ExposeSecret;
use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::marker::PhantomData;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// What makes one kind of batch different from another.
pub trait BatchKind: 'static {
    /// The command, as the journal's `begin` record names it.
    const COMMAND: &'static str;
    /// The label of the progress bar.
    const PROGRESS: &'static str;
    /// The secrets file's header.
    const SECRETS_COLUMNS: [&'static str; 4];
    /// How the journal names a row.
    type Id: RowId;
    /// The secrets file's line for a row whose key exists; text cells (a name)
    /// `render::neutralised` for spreadsheets, the hash and the secret as they are.
    fn secrets_record<'a>(
        row: &'a Row<Self::Id>,
        hash: &'a str,
        secret: &'a str,
    ) -> [Cow<'a, str>; 4];
}

/// A batch and its open, locked journal.
pub struct Batch<K: BatchKind> {
    journal: Journal<K::Id>,
    secrets: PathBuf,
    fingerprint: String,
    kind: PhantomData<K>,
}

/// How a batch's run ended.
pub struct Provisioned<Id> {
    pub outcome: Outcome<Id>,
    /// Rows through all their work (their key, and their steps) before this run.
    pub already: usize,
    /// Secrets in the secrets file, now written.
    pub saved: usize,
}

/// What [`Batch::open`] found.
pub enum Found<K: BatchKind> {
    /// An earlier run began this batch: its journal is open.
    Resumed(Batch<K>),
    /// No batch yet: [`NewBatch::begin`] starts one.
    New(NewBatch<K>),
}

/// A batch about to begin: its journal file exists, empty and locked (removed again if the
/// batch does not begin).
pub struct NewBatch<K: BatchKind> {
    vacant: Vacant,
    secrets: PathBuf,
    fingerprint: String,
    kind: PhantomData<K>,
}

impl<K: BatchKind> NewBatch<K> {
    /// Begins the batch of `rows`: the journal's `begin` record keeps the rows and the
    /// hashes of keys that already carry a batch name (`preexisting`, never touched).
    pub fn begin(self, preexisting: Vec<String>, rows: Vec<Row<K::Id>>) -> CliResult<Batch<K>> {
        let journal = self
            .vacant
            .begin(K::COMMAND, &self.fingerprint, preexisting, rows)?;
        Ok(Batch::from_journal(
            journal,
            &self.secrets,
            &self.fingerprint,
        ))
    }
}

impl<K: BatchKind> Batch<K> {
    /// The batch of this fingerprint and secrets file: resumed when an earlier run began it,
    /// else ready to begin (its journal file made and locked, so that a second run started
    /// meanwhile is told that this one holds it). A journal of another batch is refused
    /// (exit 2).
    pub fn open(secrets: &Path, fingerprint: &str) -> CliResult<Found<K>> {
        Ok(
            match Journal::open(&path_for(secrets), K::COMMAND, fingerprint)? {
                Opened::Resumed(journal) => {
                    Found::Resumed(Self::from_journal(journal, secrets, fingerprint))
                }
                Opened::Vacant(vacant) => Found::New(NewBatch {
                    vacant,
                    secrets: secrets.to_path_buf(),
                    fingerprint: fingerprint.to_string(),
                    kind: PhantomData,
                }),
            },
        )
    }

    fn from_journal(journal: Journal<K::Id>, secrets: &Path, fingerprint: &str) -> Self {
        Self {
            journal,
            secrets: secrets.to_path_buf(),
            fingerprint: fingerprint.to_string(),
            kind: PhantomData,
        }
    }

    pub fn rows(&self) -> &[Row<K::Id>] {
        self.journal.rows()
    }

    pub fn journal(&self) -> &Journal<K::Id> {
        &self.journal
    }

    /// Until when (Unix milliseconds) each row may still get a key from a create that ended
    /// without a clear answer, under `settle` (`settle.rs`); rows settled are left out.
    pub fn settling(&self, settle: &Settle) -> BTreeMap<K::Id, i64> {
        let state = self.journal.state();
        self.rows()
            .iter()
            .filter_map(|row| {
                let until = settle.pending_until(state.row(&row.id)?, state.swept_ms)?;
                Some((row.id.clone(), until))
            })
            .collect()
    }

    /// Takes every row through its work exactly once — its key, then the kind's `steps` —
    /// `--concurrency` rows at a time, with a progress bar; settles (see `settle.rs`) and
    /// sweeps; then writes the secrets file from the journal, whatever happened (keys found
    /// deleted since included: a key only missing from a listing must not lose its secret).
    /// From here until the run ends, Ctrl-C writes the secrets file before the CLI exits.
    pub async fn provision<S: RowSteps<K::Id>>(
        &self,
        ctx: &Context,
        options: &BatchOptions,
        steps: &S,
    ) -> CliResult<Provisioned<K::Id>> {
        save_on_interrupt::<K>(ctx, &self.secrets, &self.fingerprint, None);
        let settle = Settle {
            window: options.settle,
        };
        let (already, discarded_before, made_before) = {
            let state = self.journal.state();
            let through = |row: &Row<K::Id>| {
                state
                    .row(&row.id)
                    .is_some_and(|s| s.key().is_some() && !steps.pending(row, s))
            };
            let made: HashSet<K::Id> = self
                .rows()
                .iter()
                .filter(|r| state.has_key(&r.id))
                .map(|r| r.id.clone())
                .collect();
            let already = self.rows().iter().filter(|r| through(r)).count();
            (already, state.discarded, made)
        };
        let progress = Progress::new(ctx.print, K::PROGRESS, self.rows().len(), already);
        let result = async {
            self.close_dead_creates()?;
            let concurrency = usize::from(options.concurrency);
            let mut outcome =
                run_rounds(ctx, &self.journal, concurrency, &settle, &progress, steps).await?;
            progress.finish();
            self.sweep(ctx, &settle, &made_before, &mut outcome).await?;
            // A create that may still take effect stands between the run and exit 0: wait,
            // unless told not to or the run cannot end in 0 anyway; then check again. (The
            // sweep above may have settled it already: each such create's key found.)
            let wait = outcome.every_row_through()
                && outcome.gone.is_empty()
                && !outcome.unchecked
                && !options.no_wait;
            if wait && self.wait_to_settle(ctx, &settle).await {
                self.sweep(ctx, &settle, &made_before, &mut outcome).await?;
            }
            outcome.settling = self.settling(&settle);
            outcome.orphans_replaced = self
                .journal
                .state()
                .discarded
                .saturating_sub(discarded_before);
            Ok(outcome)
        }
        .await;
        // Ended early (an error): the bar's line still ends.
        progress.finish();
        // A failure to save the secrets comes first: it says where they are meanwhile.
        let saved = self.save_secrets(ctx)?;
        Ok(Provisioned {
            outcome: result?,
            already,
            saved,
        })
    }

    /// Writes the secrets file from the journal (a run killed before it wrote the file left
    /// the secrets only there); how many it holds. A failure says where the secrets are.
    pub fn save_secrets(&self, ctx: &Context) -> CliResult<usize> {
        self.journal
            .save_secrets(ctx.print, &self.secrets, |journal| {
                write_secrets::<K>(journal, &self.secrets)
            })
    }

    /// Creates that a run died with (an intent without an answer on record) had ended by now
    /// at the latest: written down, so that every later run waits for the same time.
    fn close_dead_creates(&self) -> CliResult<()> {
        let taken_ms = now_ms();
        let dead = self.journal.state().unanswered_in_flight();
        for (row, at) in dead {
            self.journal.append(Record::Unanswered {
                row,
                at_ms: Settle::ended_by(at, taken_ms),
            })?;
        }
        Ok(())
    }

    /// Waits, when a create that ended without a clear answer may still take effect, until it
    /// no longer can: said on stderr (what, until when), and what Ctrl-C meanwhile leaves.
    /// Whether there was anything to wait for (and so a final check to make again).
    async fn wait_to_settle(&self, ctx: &Context, settle: &Settle) -> bool {
        let settling = self.settling(settle);
        let Some(until) = settling.values().copied().max() else {
            return false;
        };
        let now = now_ms();
        if until <= now {
            return true;
        }
        let when = shown_time(until, now);
        ctx.print.line(format_args!(
            "waiting until {when} before the final check: {} create(s) ended without a clear \
             answer and may still make a key until then (--settle {}); Ctrl-C stops waiting",
            settling.len(),
            humantime::format_duration(settle.window)
        ));
        save_on_interrupt::<K>(
            ctx,
            &self.secrets,
            &self.fingerprint,
            Some(format!(
                "; {} row(s) may still get a second key from a create that ended without a \
                 clear answer, until {when}: rerun the same command after then, which deletes \
                 any such key",
                settling.len()
            )),
        );
        let wait = u64::try_from(until - now).unwrap_or(0);
        tokio::time::sleep(Duration::from_millis(wait)).await;
        save_on_interrupt::<K>(ctx, &self.secrets, &self.fingerprint, None);
        true
    }

    /// The final check over every row: one listing (begun now) that deletes the keys of
    /// creates whose secret was lost, names the keys this batch made that were deleted since,
    /// and the keys with a batch name it did not make. Complete, it settles every create that
    /// could take effect only before it began (a `swept` record).
    async fn sweep(
        &self,
        ctx: &Context,
        settle: &Settle,
        made_before: &HashSet<K::Id>,
        outcome: &mut Outcome<K::Id>,
    ) -> CliResult<()> {
        let all: BTreeSet<K::Id> = self.rows().iter().map(|r| r.id.clone()).collect();
        let listed_at = now_ms();
        let client = ctx.client()?;
        match reconcile(client, &ctx.pace, &self.journal, &all, settle, made_before).await {
            Ok(swept) => {
                self.journal.append(Record::Swept { at_ms: listed_at })?;
                outcome.foreign = swept.foreign;
                outcome.gone = swept.gone;
                // Rows in doubt are reconciled by it too: they have no key, and none of
                // theirs is listed (or it was deleted).
                outcome.in_doubt.clear();
            }
            Err(ReconcileFailure::Journal(e)) => return Err(e),
            Err(failure) => {
                ctx.print
                    .line(format_args!("the final check for stray keys: {failure}"));
                outcome.unchecked = true;
            }
        }
        Ok(())
    }
}

/// Rewrites the secrets file from the journal (mode 0600, replaced atomically); returns how
/// many secrets it holds. A key that is to hold a guardrail is in it only once the journal
/// says it does (`RowState::handed_out`): its secret stays in the journal until then.
fn write_secrets<K: BatchKind>(journal: &Journal<K::Id>, path: &Path) -> CliResult<usize> {
    let state = journal.state();
    let records = journal.rows().iter().filter_map(|row| {
        let (hash, secret) = state.row(&row.id)?.handed_out(&row.spec)?;
        Some(K::secrets_record(row, hash, secret.expose_secret()))
    });
    write_private_csv(path, &K::SECRETS_COLUMNS, records)
}

/// Makes Ctrl-C write the secrets file from the journal before the CLI exits (130): the run
/// is dropped mid-way, and without this the secrets of keys already made would be only in
/// the journal. The journal is opened again once the dropped run has released it.
/// `settling`, when given, is said too: what may still appear, and until when.
fn save_on_interrupt<K: BatchKind>(
    ctx: &Context,
    secrets: &Path,
    fingerprint: &str,
    settling: Option<String>,
) {
    let (secrets, fingerprint) = (secrets.to_path_buf(), fingerprint.to_string());
    let settling = settling.unwrap_or_default();
    ctx.interrupt.set(move || {
        let journal = path_for(&secrets);
        let saved = Batch::<K>::open(&secrets, &fingerprint).and_then(|found| match found {
            Found::Resumed(batch) => write_secrets::<K>(&batch.journal, &secrets),
            Found::New(_) => Err(CliError::failure("the journal is gone")),
        });
        match saved {
            Ok(count) => format!(
                "interrupted; the secrets of the {count} key(s) ready so far are in {} (written \
                 from the journal {}, which keeps the secret of any other key made so far, such \
                 as a replacement whose guardrail is not verified yet). Rerun the same command \
                 to finish: a create that was in flight is reconciled then{settling}",
                secrets.display(),
                journal.display()
            ),
            Err(e) => format!(
                "interrupted, and the secrets file {} could not be written ({e}); the secrets \
                 of the keys made so far are in the journal {}. Rerun the same command to write \
                 the file from it and finish{settling}",
                secrets.display(),
                journal.display()
            ),
        }
    });
}
