//! The journal that makes `bulk-create` and `rotate` exactly-once under failure.
//!
//! # Design
//!
//! The journal is a file next to the secrets file (`SECRETS.journal`), mode 0600 (it holds
//! secrets), append-only, one JSON record per line, each line fsynced before the CLI moves on:
//!
//! | record | written | meaning |
//! |---|---|---|
//! | `begin` | once, first | the batch: command, fingerprint of its input, and the hashes of keys that already had one of the batch's names (`preexisting`) |
//! | `intent` | before each `POST /keys` | a create for this row *may* happen from now on |
//! | `created` | after a `201` | the row's key: hash, secret, label |
//! | `unanswered` | after a create ended without a clear answer, or when a run finds one a dead run left | when it had ended at the latest |
//! | `refused` | after a 400/401/403 to a create | it made no key |
//! | `discarded` | after deleting an orphan | a key made for this row whose secret was lost, now deleted |
//! | `assigned` | rotate: the replacement was assigned the old key's guardrail | |
//! | `assignment_verified` | rotate: the assignments, read back, show the replacement holding it | the replacement's secret may be handed out (the secrets file) |
//! | `verified` | rotate: new secret answered `GET /key` | |
//! | `retired` | rotate: old key disabled / deleted / kept | |
//! | `swept` | after a complete final check | when its listing began |
//!
//! A row is **done** with a `created` record; **in doubt** without one but with an **open
//! create**: an `intent` answered by neither `created` nor `refused` (a timeout, a 5xx, a cut
//! connection, a crash or `kill -9` between the request and the record); **pending** with
//! neither. A row with no `intent` cannot have a key, because the intent is on disk before
//! the request is sent. One row has one create in flight at a time, so an answer belongs to
//! the row's latest intent; every earlier intent but a refused one stays open.
//!
//! **Reconciliation** of rows in doubt (ours, not the API's: the API has no idempotency key):
//! the names of one batch must be unique. A key is an **orphan** of row *r* — made by one of
//! *r*'s creates, its secret lost — only when all of these hold:
//!
//! 1. its name is *r*'s name, and its hash is neither `preexisting` nor in the journal;
//! 2. *r* has an open create;
//! 3. the key's `created_at` lies between that create's intent and its end plus the settle
//!    time, give or take two minutes of clock skew (`settle.rs`; an intent or key without a
//!    time is not bounded).
//!
//! One listing of all keys (disabled and expired included) finds orphans; each is deleted
//! (`discarded`) and the row is created again. Any other key with a batch name — a rotated
//! replacement, another batch's key of the same name, a key made by hand — was not made by
//! this batch: it is **reported, never touched**. Rows in doubt are reconciled only when no
//! create is in flight (between rounds), so a key being created cannot be mistaken for an
//! orphan. Every run ends with the same check over *all* rows (a final sweep, `swept`): a
//! create sent by an earlier, killed run and acted on after that run's listing shows up there
//! and is deleted, under the same rule. A run exits 0 only once no open create can still make
//! a key (`settle.rs`: it waits, or with `--no-wait` exits 5). The assumptions this rests on:
//! a create takes effect and is listed within the settle time after its call ended, or never;
//! nobody else creates keys with the batch's names within an open create's window.
//!
//! A line cut by a crash mid-write is dropped on the next open (the file is truncated to the
//! last complete line); a file without a complete first line is taken over as a new journal
//! (nothing is sent before `begin` is durable). An advisory lock (`flock`) stops two runs of
//! one batch interleaving. Tests interrupt a run at any record ([`CRASH_HOOK`]).
//!
//! The journal is generic over its rows' ids (`row.rs`): what it records is the same for
//! every kind of batch. Journals of earlier versions are read as they are: records they lack
//! (`unanswered`, `refused`, `swept`, a `created`'s label, `assigned` and
//! `assignment_verified`) are not needed to resume them (their rotations' rows name no
//! guardrail, so no assignment is waited for).

use super::row::{Row, RowId};
use crate::cli::Then;
use crate::error::{CliError, CliResult};
use crate::key_spec::KeySpec;
use crate::print::Printer;
use crate::secrets::{create_private, sync_parent};
use openrouter_keys::SecretString;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashSet};
use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

/// The first line: which batch this journal belongs to, and its rows.
#[derive(Serialize, Deserialize)]
#[serde(bound = "Id: RowId")]
struct Begin<Id> {
    /// Always `"begin"`.
    event: String,
    command: String,
    fingerprint: String,
    preexisting: Vec<String>,
    rows: Vec<Row<Id>>,
}

/// The first line, read without its rows: enough to tell this batch from another (whose
/// rows may have ids of another kind).
#[derive(Deserialize)]
struct Header {
    event: String,
    command: String,
    fingerprint: String,
}

/// One line after the first. Holds a secret: no `Debug`.
#[derive(Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case", bound = "Id: RowId")]
pub enum Record<Id> {
    /// A create of the row may happen from now on: written before its `POST /keys`.
    Intent {
        row: Id,
        /// When the intent was written (Unix seconds, this machine's clock). Journals of
        /// the first version have none: their intents bound nothing by time.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        at: Option<i64>,
    },
    /// The row's latest create answered: its key.
    Created {
        row: Id,
        hash: String,
        secret: String,
        /// The key's label as the create answered it (what `GET /key` with the secret must
        /// answer). Journals of earlier versions have none.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        label: Option<String>,
    },
    /// The row's latest create ended without a clear answer (a timeout, a 5xx, a cut
    /// connection), or a later run found it unanswered after a crash: `at_ms` (Unix
    /// milliseconds) is when it had ended at the latest. The create may still take effect
    /// until `at_ms` plus the settle time.
    Unanswered { row: Id, at_ms: i64 },
    /// The row's latest create was answered with a refusal (400, 401, 403) or refused before
    /// it was sent: it made no key.
    Refused { row: Id },
    /// A key made for the row whose secret was lost, deleted.
    Discarded { row: Id, hash: String },
    /// rotate: the row's new key was assigned `guardrail`, the old key's (the assignment
    /// call answered). Journals of earlier versions have none: their rows hold no guardrail.
    Assigned { row: Id, guardrail: String },
    /// rotate: the account's assignments, read back, show the row's new key holding its
    /// guardrail. Until then its secret is not handed out.
    AssignmentVerified { row: Id },
    /// rotate: the row's new key authenticated as itself.
    Verified { row: Id },
    /// rotate: the old key was disabled, deleted or kept.
    Retired { row: Id, action: Then },
    /// A listing begun at `at_ms` (Unix milliseconds) found every key with a batch name
    /// accounted for, orphans deleted: a create that could take effect only before then can
    /// no longer make a key.
    Swept { at_ms: i64 },
}

/// One create of a row that no `created` or `refused` answered: it may have made a key whose
/// secret is lost.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OpenCreate {
    /// When its intent was written (Unix seconds); `None` in journals of the first version.
    pub at: Option<i64>,
    /// When the create had ended at the latest (Unix milliseconds): an `unanswered` record.
    /// `None` while it is in flight, or when the run that sent it died before saying.
    pub ended_ms: Option<i64>,
}

/// What the journal says about one row.
#[derive(Default)]
pub struct RowState {
    pub intent: bool,
    pub created: Option<(String, SecretString)>,
    /// The label the create answered, when the journal has it.
    pub label: Option<String>,
    /// rotate: the new key was assigned its guardrail (`assigned`).
    pub assigned: bool,
    /// rotate: the new key was seen holding its guardrail (`assignment_verified`).
    pub assignment_verified: bool,
    pub verified: bool,
    pub retired: bool,
    /// Creates answered by neither `created` nor `refused`: each may have made a key whose
    /// secret is lost. One row has one create in flight at a time, so an answer belongs to
    /// the row's latest intent.
    pub unresolved: Vec<OpenCreate>,
    /// Keys made for this row whose secret was lost, found and deleted. A create makes at
    /// most one key (the SDK repeats a create only when no attempt can have reached the
    /// server), so when there are as many as unresolved creates, every one is accounted for.
    pub discarded: usize,
}

impl RowState {
    /// The row's key, when its create was answered.
    pub fn key(&self) -> Option<&(String, SecretString)> {
        self.created.as_ref()
    }

    /// The row's key, when its secret may be handed out (written to the secrets file): once
    /// it exists and, when `spec` names a guardrail for it, once it was seen holding it. A
    /// key without its guardrail would be a key with wider access than the one it replaces.
    pub fn handed_out(&self, spec: &KeySpec) -> Option<&(String, SecretString)> {
        let guarded = spec.guardrail_id.is_none() || self.assignment_verified;
        self.key().filter(|_| guarded)
    }
}

/// Now, in Unix seconds, for an intent's `at`.
pub fn now_secs() -> i64 {
    now_ms() / 1000
}

/// Now, in Unix milliseconds (this machine's clock).
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// The journal's records, folded.
pub struct State<Id> {
    pub preexisting: HashSet<String>,
    pub rows: BTreeMap<Id, RowState>,
    /// Every hash the journal has seen (created or discarded): never an orphan.
    pub known: HashSet<String>,
    pub discarded: usize,
    /// When the latest complete sweep's listing began (Unix milliseconds).
    pub swept_ms: Option<i64>,
}

impl<Id: RowId> State<Id> {
    fn new(preexisting: impl IntoIterator<Item = String>) -> Self {
        Self {
            preexisting: preexisting.into_iter().collect(),
            rows: BTreeMap::new(),
            known: HashSet::new(),
            discarded: 0,
            swept_ms: None,
        }
    }

    fn apply(&mut self, record: Record<Id>) {
        match record {
            Record::Intent { row, at } => {
                let state = self.rows.entry(row).or_default();
                state.intent = true;
                state.unresolved.push(OpenCreate { at, ended_ms: None });
            }
            Record::Created {
                row,
                hash,
                secret,
                label,
            } => {
                self.known.insert(hash.clone());
                let state = self.rows.entry(row).or_default();
                // The create of the row's latest intent answered: that intent is resolved.
                state.unresolved.pop();
                state.created = Some((hash, SecretString::from(secret)));
                state.label = label;
            }
            Record::Unanswered { row, at_ms } => {
                let state = self.rows.entry(row).or_default();
                if let Some(open) = state.unresolved.last_mut() {
                    open.ended_ms.get_or_insert(at_ms);
                }
            }
            Record::Refused { row } => {
                self.rows.entry(row).or_default().unresolved.pop();
            }
            Record::Discarded { row, hash } => {
                self.known.insert(hash);
                self.discarded += 1;
                self.rows.entry(row).or_default().discarded += 1;
            }
            Record::Assigned { row, .. } => self.rows.entry(row).or_default().assigned = true,
            Record::AssignmentVerified { row } => {
                self.rows.entry(row).or_default().assignment_verified = true;
            }
            Record::Verified { row } => self.rows.entry(row).or_default().verified = true,
            Record::Retired { row, .. } => self.rows.entry(row).or_default().retired = true,
            Record::Swept { at_ms } => {
                self.swept_ms = Some(self.swept_ms.map_or(at_ms, |s| s.max(at_ms)));
            }
        }
    }

    pub fn row(&self, row: &Id) -> Option<&RowState> {
        self.rows.get(row)
    }

    /// Whether the row has its key.
    pub fn has_key(&self, row: &Id) -> bool {
        self.row(row).is_some_and(|s| s.created.is_some())
    }

    /// Rows without a key whose create may have happened: reconciled before they are
    /// created again.
    pub fn in_doubt<'a>(&self, rows: impl IntoIterator<Item = &'a Id>) -> Vec<Id> {
        rows.into_iter()
            .filter(|r| {
                self.rows
                    .get(*r)
                    .is_some_and(|s| s.created.is_none() && !s.unresolved.is_empty())
            })
            .cloned()
            .collect()
    }

    /// Rows whose latest create has no answer on record: the run that sent it died with it
    /// in flight (or before sending it).
    pub fn unanswered_in_flight(&self) -> Vec<(Id, Option<i64>)> {
        self.rows
            .iter()
            .filter_map(|(id, row)| {
                let last = row.unresolved.last()?;
                last.ended_ms.is_none().then(|| (id.clone(), last.at))
            })
            .collect()
    }
}

/// An open, locked journal.
pub struct Journal<Id> {
    path: PathBuf,
    file: Mutex<File>,
    state: Mutex<State<Id>>,
    rows: Vec<Row<Id>>,
    crash_point: CrashPoint,
}

/// The environment variable of the crash-point hook: tests set it to `N` to make the process
/// kill itself (SIGKILL: nothing runs after it, as with `kill -9`) when it is about to write
/// its journal's record number `N` of this run, counted from 0 (the `begin` record of a new
/// batch; a new batch's file exists, empty, before record 0). So the test suite interrupts a
/// batch at every record boundary, deterministically, instead of hoping a timer lands in a
/// window (`cli/tests/cli/crash_points.rs`). Nothing else reads it.
pub const CRASH_HOOK: &str = "OPENROUTER_KEYS_TEST_CRASH_BEFORE_RECORD";

/// Where the crash-point hook kills the process, if it is set: see [`CRASH_HOOK`].
#[derive(Debug, Clone)]
struct CrashPoint {
    before: Option<usize>,
    /// Records written so far by this run.
    written: Arc<AtomicUsize>,
}

impl CrashPoint {
    fn from_env() -> Self {
        Self {
            before: std::env::var(CRASH_HOOK).ok().and_then(|n| n.parse().ok()),
            written: Arc::default(),
        }
    }

    /// A record is about to be written: the process dies here if this is the chosen one.
    fn reached(&self) {
        if let Some(before) = self.before
            && self.written.fetch_add(1, Ordering::SeqCst) == before
        {
            kill_self();
        }
    }
}

/// Dies at once, as `kill -9` would.
fn kill_self() -> ! {
    #[cfg(unix)]
    {
        // SAFETY: sends a signal to this process; no memory is involved.
        unsafe { libc::kill(libc::getpid(), libc::SIGKILL) };
    }
    std::process::abort()
}

/// `SECRETS.journal`.
pub fn path_for(secrets: &Path) -> PathBuf {
    let mut name = secrets.file_name().unwrap_or_default().to_os_string();
    name.push(".journal");
    secrets.with_file_name(name)
}

/// A journal file found or made, as [`Journal::open`] leaves it.
pub enum Opened<Id> {
    /// A journal of this batch, its records folded.
    Resumed(Journal<Id>),
    /// No journal yet, or one cut before its first record was complete (a run killed the
    /// moment the file appeared): locked, empty, ready for [`Vacant::begin`].
    Vacant(Vacant),
}

/// An empty journal file, locked, not begun yet. Dropped without [`begin`](Vacant::begin)
/// (the batch refused before it started, a `n` at the prompt, Ctrl-C), it is removed: no
/// record means nothing was sent.
pub struct Vacant {
    path: PathBuf,
    file: Option<File>,
    crash_point: CrashPoint,
}

impl<Id: RowId> Journal<Id> {
    /// Opens the journal at `path` for this command and fingerprint, creating it when there
    /// is none, and locks it. A journal of another batch is a usage error; one that another
    /// run holds, a failure that says so.
    ///
    /// A file without a complete first line is vacant: the `begin` record is durable before
    /// any intent is written, so a run that died before finishing it sent nothing.
    pub fn open(path: &Path, command: &str, fingerprint: &str) -> CliResult<Opened<Id>> {
        let fail = |e: std::io::Error| CliError::io("cannot open the journal", path, &e);
        let (mut file, text) = open_locked(path).map_err(|e| match e {
            Opening::Io(e) => fail(e),
            Opening::Held(e) => e,
        })?;
        if text.is_empty() {
            file.set_len(0).map_err(fail)?;
            file.seek(SeekFrom::Start(0)).map_err(fail)?;
            return Ok(Opened::Vacant(Vacant {
                path: path.to_path_buf(),
                file: Some(file),
                crash_point: CrashPoint::from_env(),
            }));
        }
        let first = text.lines().next().unwrap_or("");
        let not_ours = || {
            CliError::usage(format!(
                "`{}` is not a journal this CLI wrote; move it away to start a new batch",
                path.display()
            ))
        };
        let header = serde_json::from_str::<Header>(first)
            .ok()
            .filter(|h| h.event == "begin")
            .ok_or_else(not_ours)?;
        if header.command != command || header.fingerprint != fingerprint {
            return Err(CliError::usage(format!(
                "the journal `{}` belongs to another {} batch (different input or options), \
                 and --force never replaces a journal: it holds that batch's secrets",
                path.display(),
                header.command,
            ))
            .hint(format!(
                "rerun that batch's exact command to finish it, move `{}` away (keeping its \
                 secrets) to start a new batch here, or use another secrets file",
                path.display()
            )));
        }
        let begin: Begin<Id> = serde_json::from_str(first).map_err(|e| {
            CliError::failure(format!(
                "the rows in the journal `{}` cannot be read: {e}",
                path.display()
            ))
        })?;
        let mut state = State::new(begin.preexisting);
        for (number, line) in text.lines().enumerate().skip(1) {
            let record = serde_json::from_str::<Record<Id>>(line).map_err(|e| {
                CliError::failure(format!(
                    "the journal `{}` is damaged at line {}: {e}",
                    path.display(),
                    number + 1
                ))
            })?;
            state.apply(record);
        }
        Ok(Opened::Resumed(Journal {
            path: path.to_path_buf(),
            file: Mutex::new(file),
            state: Mutex::new(state),
            rows: begin.rows,
            crash_point: CrashPoint::from_env(),
        }))
    }

    /// Writes one record and fsyncs it, then folds it into the state.
    pub fn append(&self, record: Record<Id>) -> CliResult<()> {
        let line = serde_json::to_string(&record)
            .map_err(|e| CliError::failure(format!("cannot encode a journal record: {e}")))?;
        self.write_line(line)?;
        self.state().apply(record);
        Ok(())
    }

    fn write_line(&self, mut line: String) -> CliResult<()> {
        line.push('\n');
        let mut file = self.file.lock().unwrap_or_else(|p| p.into_inner());
        self.crash_point.reached();
        file.write_all(line.as_bytes())
            .and_then(|()| file.sync_data())
            .map_err(|e| CliError::io("cannot write the journal", &self.path, &e))
    }

    /// The batch's rows, as its `begin` record keeps them.
    pub fn rows(&self) -> &[Row<Id>] {
        &self.rows
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Writes the secrets file with `write`. When that fails, says where the secrets are;
    /// when the journal itself was removed during the run (its directory deleted), first
    /// restores it from the open file, recreating the directory (0700), so that the secrets
    /// are saved now and a rerun resumes instead of creating every key again.
    pub fn save_secrets<T>(
        &self,
        print: Printer,
        secrets: &Path,
        write: impl Fn(&Self) -> CliResult<T>,
    ) -> CliResult<T> {
        let error = match write(self) {
            Ok(saved) => return Ok(saved),
            Err(error) => error,
        };
        let made: Vec<String> = self
            .state()
            .rows
            .values()
            .filter_map(|r| r.created.as_ref().map(|(hash, _)| hash.clone()))
            .collect();
        if self.on_disk() {
            return Err(error.hint(format!(
                "the secrets of the {} key(s) made so far are in the journal `{}`: fix the \
                 problem and rerun the same command, which writes `{}` from the journal",
                made.len(),
                self.path.display(),
                secrets.display()
            )));
        }
        let restored = self.restore().and_then(|()| write(self));
        match restored {
            Ok(saved) => {
                print.line(format_args!(
                    "warning: the journal `{}` was removed during the run (its directory \
                     deleted?) while {} key(s) existed whose secrets were only in it; it was \
                     restored (directory recreated) and `{}` written from it",
                    self.path.display(),
                    made.len(),
                    secrets.display()
                ));
                Ok(saved)
            }
            Err(again) => Err(CliError::failure(format!(
                "{}; the journal `{}` was removed during the run and could not be restored \
                 ({}): the secrets of these {} key(s) are lost:\n  {}",
                error.what(),
                self.path.display(),
                again.what(),
                made.len(),
                made.join("\n  ")
            ))
            .hint("delete them (`openrouter-keys delete HASH --yes`) and run the batch again")),
        }
    }

    /// Whether the journal's path still names the file this run writes.
    fn on_disk(&self) -> bool {
        let file = self.file.lock().unwrap_or_else(|p| p.into_inner());
        names_file(&self.path, &file)
    }

    /// Writes the open journal's contents back at its path (directory recreated, 0700) and
    /// goes on with the new file.
    fn restore(&self) -> CliResult<()> {
        let fail = |e: std::io::Error| CliError::io("cannot restore the journal", &self.path, &e);
        let mut file = self.file.lock().unwrap_or_else(|p| p.into_inner());
        let mut contents = Vec::new();
        file.seek(SeekFrom::Start(0)).map_err(fail)?;
        file.read_to_end(&mut contents).map_err(fail)?;
        if let Some(parent) = self.path.parent().filter(|p| !p.as_os_str().is_empty()) {
            let mut builder = std::fs::DirBuilder::new();
            builder.recursive(true);
            #[cfg(unix)]
            {
                use std::os::unix::fs::DirBuilderExt;
                builder.mode(0o700);
            }
            builder.create(parent).map_err(fail)?;
        }
        let mut new = create_private(&self.path).map_err(fail)?;
        new.write_all(&contents)
            .and_then(|()| new.sync_all())
            .map_err(fail)?;
        lock(&new, &self.path)?;
        sync_parent(&self.path);
        *file = new;
        Ok(())
    }

    /// The folded state, locked.
    pub fn state(&self) -> std::sync::MutexGuard<'_, State<Id>> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl Vacant {
    /// Writes the `begin` record, which keeps the batch's `rows`: from here on the journal
    /// is the batch's.
    pub fn begin<Id: RowId>(
        mut self,
        command: &str,
        fingerprint: &str,
        preexisting: Vec<String>,
        rows: Vec<Row<Id>>,
    ) -> CliResult<Journal<Id>> {
        let begin = Begin {
            event: "begin".to_string(),
            command: command.to_string(),
            fingerprint: fingerprint.to_string(),
            preexisting,
            rows,
        };
        let line = serde_json::to_string(&begin)
            .map_err(|e| CliError::failure(format!("cannot encode the rows: {e}")))?;
        let Some(file) = self.file.take() else {
            return Err(CliError::failure("the journal was already begun"));
        };
        let journal = Journal {
            path: self.path.clone(),
            file: Mutex::new(file),
            state: Mutex::new(State::new(begin.preexisting)),
            rows: begin.rows,
            crash_point: self.crash_point.clone(),
        };
        journal.write_line(line)?;
        Ok(journal)
    }
}

impl Drop for Vacant {
    fn drop(&mut self) {
        // Still locked by this run: nobody else is writing to it.
        if self.file.take().is_some() {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

/// Why a journal could not be opened.
enum Opening {
    Io(std::io::Error),
    /// Another run holds it (said as such).
    Held(CliError),
}

impl From<std::io::Error> for Opening {
    fn from(e: std::io::Error) -> Self {
        Opening::Io(e)
    }
}

/// The journal at `path`, created (0600) when there is none, locked, with its complete lines
/// (a last line cut short by a crash is dropped from the file too). A file removed or
/// replaced between opening and locking (by a run that gave up on an empty one) is opened
/// again.
fn open_locked(path: &Path) -> Result<(File, String), Opening> {
    let mut attempts = 0;
    loop {
        attempts += 1;
        let (mut file, created) = match OpenOptions::new().read(true).append(true).open(path) {
            Ok(file) => (file, false),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => match create_private(path) {
                Ok(file) => (file, true),
                // Another run made it in between: open that one.
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && attempts < 5 => {
                    continue;
                }
                Err(e) => return Err(e.into()),
            },
            Err(e) => return Err(e.into()),
        };
        lock(&file, path).map_err(Opening::Held)?;
        if !names_file(path, &file) {
            if attempts < 5 {
                continue;
            }
            return Err(Opening::Held(held_error(path)));
        }
        if created {
            sync_parent(path);
        }
        let mut text = String::new();
        file.read_to_string(&mut text)?;
        // Drop a last line cut short by a crash.
        let complete = text.rfind('\n').map_or(0, |at| at + 1);
        if complete < text.len() {
            file.set_len(complete as u64)?;
            file.seek(SeekFrom::End(0))?;
            text.truncate(complete);
        }
        return Ok((file, text));
    }
}

/// Whether `path` names the open `file` (not a file put in its place, nor nothing).
fn names_file(path: &Path, file: &File) -> bool {
    let (Ok(open), Ok(named)) = (file.metadata(), std::fs::metadata(path)) else {
        return false;
    };
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        (open.dev(), open.ino()) == (named.dev(), named.ino())
    }
    #[cfg(not(unix))]
    {
        let _ = (open, named);
        true
    }
}

/// Takes an exclusive advisory lock, or says another run holds it.
fn lock(file: &File, path: &Path) -> CliResult<()> {
    #[cfg(unix)]
    {
        use std::os::unix::io::AsRawFd;
        // SAFETY: flock on a valid, open file descriptor owned by `file`.
        let rc = unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) };
        if rc != 0 {
            return Err(held_error(path));
        }
    }
    #[cfg(not(unix))]
    let _ = (file, path);
    Ok(())
}

/// Another run holds the journal. Not a usage error: the same command succeeds once the
/// other run ends.
fn held_error(path: &Path) -> CliError {
    CliError::failure(format!(
        "another run is using the journal `{}`; wait for it to finish",
        path.display()
    ))
}

/// FNV-1a, 64 bits, as hex: a fingerprint of a batch's input (not a security measure; it
/// only tells one batch from another, so a hand-written 5-line hash beats a dependency).
pub fn fingerprint(text: &str) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in text.as_bytes() {
        hash ^= u64::from(*byte);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    format!("{hash:016x}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::batch::row::{KeyHash, RowNumber};
    use crate::key_spec::KeySpec;
    use openrouter_keys::{ExposeSecret, LimitReset};

    /// The journal at `path` when it is one of this batch (`None` when vacant).
    fn resume<Id: RowId>(
        path: &Path,
        command: &str,
        fingerprint: &str,
    ) -> CliResult<Option<Journal<Id>>> {
        Ok(match Journal::open(path, command, fingerprint)? {
            Opened::Resumed(journal) => Some(journal),
            Opened::Vacant(_) => None,
        })
    }

    fn spec(name: &str) -> KeySpec {
        KeySpec {
            name: name.to_string(),
            limit: None,
            limit_reset: None,
            include_byok_in_limit: None,
            expires_at: None,
            workspace_id: None,
            creator_user_id: None,
            external_user: None,
            guardrail_id: None,
        }
    }

    #[test]
    fn records_fold_and_a_cut_line_is_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.journal");
        let (one, two, three) = (
            RowNumber::at_index(0),
            RowNumber::at_index(1),
            RowNumber::at_index(2),
        );
        {
            let rows = vec![Row {
                id: one,
                spec: spec("a"),
            }];
            let Ok(Opened::Vacant(vacant)) = Journal::<RowNumber>::open(&path, "bulk-create", "fp")
            else {
                panic!("a new journal");
            };
            let journal = vacant
                .begin("bulk-create", "fp", vec!["old".into()], rows)
                .unwrap();
            journal
                .append(Record::Intent {
                    row: one,
                    at: Some(1_000),
                })
                .unwrap();
            journal
                .append(Record::Created {
                    row: one,
                    hash: "h1".into(),
                    secret: "s1".into(),
                    label: None,
                })
                .unwrap();
            journal
                .append(Record::Intent {
                    row: two,
                    at: Some(2_000),
                })
                .unwrap();
        }
        std::fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .unwrap()
            .write_all(b"{\"event\":\"created\",\"row\":\"2\",\"ha")
            .unwrap();
        let journal = resume::<RowNumber>(&path, "bulk-create", "fp")
            .unwrap()
            .unwrap();
        assert_eq!(journal.rows()[0].spec.name, "a");
        let state = journal.state();
        let (hash, secret) = state.row(&one).unwrap().key().unwrap();
        assert_eq!((hash.as_str(), secret.expose_secret()), ("h1", "s1"));
        assert_eq!(state.in_doubt([&one, &two, &three]), vec![two]);
        // Row 1's only intent was answered: nothing of its name is its orphan. Row 2's is
        // open (what makes a key its orphan is `settle.rs`'s rule).
        assert!(state.row(&one).unwrap().unresolved.is_empty());
        let open = OpenCreate {
            at: Some(2_000),
            ended_ms: None,
        };
        assert_eq!(state.row(&two).unwrap().unresolved, vec![open]);
        assert!(state.preexisting.contains("old"));
        drop(state);
        drop(journal);
        assert!(resume::<RowNumber>(&path, "bulk-create", "other").is_err());
        assert!(
            std::fs::read_to_string(&path)
                .unwrap()
                .ends_with("\"row\":\"2\",\"at\":2000}\n")
        );
    }

    /// Written by the version before the journal was typed (`bulk-create in.csv --limit 2
    /// --reset weekly`, the first create of row 1 acted on and its answer lost).
    const BULK_CREATE_0_1: &str = include_str!("../../tests/fixtures/bulk-create-0.1.journal");
    /// Written by the same version (`rotate --match 'row-*' --then delete`).
    const ROTATE_0_1: &str = include_str!("../../tests/fixtures/rotate-0.1.journal");

    fn journal_file(dir: &tempfile::TempDir, text: &str) -> PathBuf {
        let path = dir.path().join("s.csv.journal");
        std::fs::write(&path, text).unwrap();
        path
    }

    #[test]
    fn a_bulk_create_journal_of_the_previous_version_is_read_typed() {
        let dir = tempfile::tempdir().unwrap();
        let path = journal_file(&dir, BULK_CREATE_0_1);
        let journal = resume::<RowNumber>(&path, "bulk-create", "851b7fc1c02afc1a")
            .unwrap()
            .expect("the journal");
        let rows = journal.rows();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].id, RowNumber::at_index(0));
        assert_eq!(rows[0].spec.limit_reset, Some(LimitReset::Monthly));
        assert_eq!(rows[0].spec.limit, Some(5.0));
        assert_eq!(
            rows[0]
                .spec
                .expires_at
                .as_ref()
                .and_then(|t| t.datetime())
                .map(|t| t.year()),
            Some(2031)
        );
        assert_eq!(rows[1].spec.limit_reset, Some(LimitReset::Weekly));
        assert_eq!(rows[1].spec.expires_at, None);
        let state = journal.state();
        assert_eq!(state.discarded, 1);
        let first = state.row(&rows[0].id).unwrap();
        assert_eq!(first.key().map(|(hash, _)| &hash[..8]), Some("72f04b69"));
        // Its first intent made the discarded orphan: it stays unresolved.
        let open = OpenCreate {
            at: Some(1_796_521_945),
            ended_ms: None,
        };
        assert_eq!(first.unresolved, vec![open]);
        assert_eq!(first.discarded, 1, "and its key was found and deleted");
        let second = state.row(&rows[1].id).unwrap();
        assert_eq!(
            second.key().map(|(_, secret)| secret.expose_secret()),
            Some("sk-or-v1-fixture-1")
        );
        assert!(second.unresolved.is_empty());
        assert!(
            state
                .known
                .contains("b9a3fa8571439f8290f4f52355fd8dec03bc9df6cc73e1c3cd2c3255761d0ec4")
        );
    }

    #[test]
    fn a_rotate_journal_of_the_previous_version_is_read_typed() {
        let dir = tempfile::tempdir().unwrap();
        let path = journal_file(&dir, ROTATE_0_1);
        let journal = resume::<KeyHash>(&path, "rotate", "e823660ee3705fb0")
            .unwrap()
            .expect("the journal");
        let state = journal.state();
        for row in journal.rows() {
            let row = state.row(&row.id).unwrap();
            assert!(row.verified && row.retired && row.key().is_some());
        }
        assert_eq!(journal.rows()[1].spec.name, "row-a");
        assert!(state.preexisting.contains(journal.rows()[0].id.as_str()));
    }

    /// A rotation's row that is to hold a guardrail: its secret is handed out only once
    /// the journal says the assignment was read back; its spec keeps the guardrail, creator
    /// and external user across a resume, and a spec without them is written as before.
    #[test]
    fn a_guarded_rows_secret_is_handed_out_once_its_assignment_is_verified() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.csv.journal");
        let old = KeyHash::from("old".to_string());
        let guarded = KeySpec {
            creator_user_id: Some("user_1".into()),
            external_user: Some("partner-9".into()),
            guardrail_id: Some("gr_1".into()),
            ..spec("svc")
        };
        let plain = KeyHash::from("plain".to_string());
        {
            let Ok(Opened::Vacant(vacant)) = Journal::<KeyHash>::open(&path, "rotate", "fp") else {
                panic!("a new journal");
            };
            let rows = vec![
                Row {
                    id: old.clone(),
                    spec: guarded.clone(),
                },
                Row {
                    id: plain.clone(),
                    spec: spec("other"),
                },
            ];
            let journal = vacant.begin("rotate", "fp", vec![], rows).unwrap();
            for (row, hash) in [(&old, "new"), (&plain, "new-plain")] {
                journal
                    .append(Record::Created {
                        row: row.clone(),
                        hash: hash.into(),
                        secret: "s".into(),
                        label: None,
                    })
                    .unwrap();
            }
            let state = journal.state();
            let row = state.row(&old).unwrap();
            assert!(row.handed_out(&guarded).is_none(), "created, not assigned");
            let other = state.row(&plain).unwrap();
            assert!(
                other.handed_out(&spec("other")).is_some(),
                "no guardrail to wait for"
            );
            drop(state);
            journal
                .append(Record::Assigned {
                    row: old.clone(),
                    guardrail: "gr_1".into(),
                })
                .unwrap();
            let state = journal.state();
            let row = state.row(&old).unwrap();
            assert!(
                row.assigned && row.handed_out(&guarded).is_none(),
                "not read back"
            );
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let begin = text.lines().next().unwrap();
        assert_eq!(begin.matches("guardrail_id").count(), 1, "{begin}");
        assert!(text.contains(r#"{"event":"assigned","row":"old","guardrail":"gr_1"}"#));
        std::fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .unwrap()
            .write_all(b"{\"event\":\"assignment_verified\",\"row\":\"old\"}\n")
            .unwrap();
        let journal = resume::<KeyHash>(&path, "rotate", "fp").unwrap().unwrap();
        assert_eq!(journal.rows()[0].spec, guarded);
        let state = journal.state();
        let row = state.row(&old).unwrap();
        assert!(row.assignment_verified && row.handed_out(&guarded).is_some());
    }

    #[test]
    fn an_intent_of_the_first_version_is_read_without_a_time() {
        let dir = tempfile::tempdir().unwrap();
        let first_line = BULK_CREATE_0_1.lines().next().unwrap();
        let text = format!("{first_line}\n{{\"event\":\"intent\",\"row\":\"2\"}}\n");
        let path = journal_file(&dir, &text);
        let journal = resume::<RowNumber>(&path, "bulk-create", "851b7fc1c02afc1a")
            .unwrap()
            .unwrap();
        let state = journal.state();
        let row = state.row(&RowNumber::at_index(1)).unwrap();
        let open = OpenCreate {
            at: None,
            ended_ms: None,
        };
        assert_eq!(row.unresolved, vec![open]);
    }

    #[test]
    fn another_commands_journal_is_named_as_such() {
        let dir = tempfile::tempdir().unwrap();
        let path = journal_file(&dir, ROTATE_0_1);
        let error = resume::<RowNumber>(&path, "bulk-create", "851b7fc1c02afc1a")
            .err()
            .expect("refused");
        assert!(
            error.what().contains("belongs to another rotate batch"),
            "{error}"
        );
        let path = journal_file(&dir, "not json\n");
        let error = resume::<RowNumber>(&path, "bulk-create", "fp")
            .err()
            .expect("refused");
        assert!(
            error.what().contains("not a journal this CLI wrote"),
            "{error}"
        );
    }
}
