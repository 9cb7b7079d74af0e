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
//! | `created` | after a `201` | the row's key: hash and secret |
//! | `discarded` | after deleting an orphan | a key made for this row whose secret was lost, now deleted |
//! | `verified` | rotate: new secret answered `GET /key` | |
//! | `retired` | rotate: old key disabled / deleted / kept | |
//!
//! A row is **done** with a `created` record; **in doubt** with an `intent` and no `created`
//! (the create may have happened: a timeout, a 5xx, a cut connection, a crash or `kill -9`
//! between the request and the record); **pending** with neither. A row with no `intent`
//! cannot have a key, because the intent is on disk before the request is sent.
//!
//! **Reconciliation** of rows in doubt (ours, not the API's: the API has no idempotency key):
//! the names of one batch must be unique, so a key belongs to row *r* when its name is *r*'s
//! name and its hash is neither `preexisting` nor recorded in the journal. One listing of all
//! keys (disabled and expired included) finds such keys; each one is an orphan whose secret is
//! lost, so it is deleted (`discarded`) and the row is created again. Rows in doubt are
//! reconciled only when no create is in flight (between rounds), so a key being created
//! cannot be mistaken for an orphan. Every run ends with the same check over *all* rows (a
//! final sweep): a create sent by an earlier, killed run and acted on after that run's
//! listing shows up there as a stray key and is deleted. The assumption this rests on: nobody
//! else creates keys with the batch's names while it runs.
//!
//! A line cut by a crash mid-write is dropped on the next open (the file is truncated to the
//! last complete line). An advisory lock (`flock`) stops two runs of one batch interleaving.

use crate::exit::{CliError, CliResult};
use crate::secrets::{create_private, sync_parent};
use openrouter_keys::SecretString;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashSet};
use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// One line of the journal. Holds a secret: no `Debug`.
#[derive(Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Record {
    Begin {
        command: String,
        fingerprint: String,
        preexisting: Vec<String>,
        /// Command-specific description of the rows (rotate keeps its targets here).
        #[serde(default)]
        rows: serde_json::Value,
    },
    Intent {
        row: String,
    },
    Created {
        row: String,
        hash: String,
        secret: String,
    },
    Discarded {
        row: String,
        hash: String,
    },
    Verified {
        row: String,
    },
    Retired {
        row: String,
        action: String,
    },
}

/// What the journal says about one row.
#[derive(Default)]
pub struct RowState {
    pub intent: bool,
    pub created: Option<(String, SecretString)>,
    pub verified: bool,
    pub retired: bool,
}

/// The journal's contents, folded.
pub struct State {
    pub preexisting: HashSet<String>,
    pub rows_spec: serde_json::Value,
    pub rows: BTreeMap<String, RowState>,
    /// Every hash the journal has seen (created or discarded): never an orphan.
    pub known: HashSet<String>,
    pub discarded: usize,
}

impl State {
    fn apply(&mut self, record: Record) {
        match record {
            Record::Begin { .. } => {}
            Record::Intent { row } => self.rows.entry(row).or_default().intent = true,
            Record::Created { row, hash, secret } => {
                self.known.insert(hash.clone());
                self.rows.entry(row).or_default().created =
                    Some((hash, SecretString::from(secret)));
            }
            Record::Discarded { hash, .. } => {
                self.known.insert(hash);
                self.discarded += 1;
            }
            Record::Verified { row } => self.rows.entry(row).or_default().verified = true,
            Record::Retired { row, .. } => self.rows.entry(row).or_default().retired = true,
        }
    }

    pub fn row(&self, row: &str) -> Option<&RowState> {
        self.rows.get(row)
    }

    /// Rows with an intent and no key: a create may have happened.
    pub fn in_doubt<'a>(&'a self, rows: impl IntoIterator<Item = &'a str>) -> Vec<&'a str> {
        rows.into_iter()
            .filter(|r| {
                self.rows
                    .get(*r)
                    .is_some_and(|s| s.intent && s.created.is_none())
            })
            .collect()
    }
}

/// An open, locked journal.
pub struct Journal {
    path: PathBuf,
    file: Mutex<File>,
    pub state: Mutex<State>,
}

/// `SECRETS.journal`.
pub fn path_for(secrets: &Path) -> PathBuf {
    let mut name = secrets.file_name().unwrap_or_default().to_os_string();
    name.push(".journal");
    secrets.with_file_name(name)
}

impl Journal {
    /// Opens an existing journal of this command and fingerprint (`Ok(Some)`), or `Ok(None)`
    /// when there is none. A journal of another batch is a usage error.
    pub fn resume(path: &Path, command: &str, fingerprint: &str) -> CliResult<Option<Journal>> {
        let fail = |e: std::io::Error| CliError::io("cannot open the journal", path, &e);
        let mut file = match OpenOptions::new().read(true).append(true).open(path) {
            Ok(file) => file,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(fail(e)),
        };
        lock(&file, path)?;
        let mut text = String::new();
        file.read_to_string(&mut text).map_err(fail)?;
        // Drop a last line cut short by a crash.
        let complete = text.rfind('\n').map_or(0, |at| at + 1);
        if complete < text.len() {
            file.set_len(complete as u64).map_err(fail)?;
            file.seek(SeekFrom::End(0)).map_err(fail)?;
            text.truncate(complete);
        }
        let mut lines = text.lines().enumerate();
        let begin = match lines.next() {
            Some((_, line)) => serde_json::from_str::<Record>(line).ok(),
            None => None,
        };
        let Some(Record::Begin {
            command: was,
            fingerprint: fp,
            preexisting,
            rows,
        }) = begin
        else {
            return Err(CliError::usage(format!(
                "`{}` is not a journal this CLI wrote; move it away to start a new batch",
                path.display()
            )));
        };
        if was != command || fp != fingerprint {
            return Err(CliError::usage(format!(
                "the journal `{}` belongs to another {was} batch (different input or options), \
                 and --force never replaces a journal: it holds that batch's secrets. Rerun \
                 that batch's exact command to finish it, move `{}` away (keeping its \
                 secrets) to start a new batch here, or use another secrets file",
                path.display(),
                path.display()
            )));
        }
        let mut state = State {
            preexisting: preexisting.into_iter().collect(),
            rows_spec: rows,
            rows: BTreeMap::new(),
            known: HashSet::new(),
            discarded: 0,
        };
        for (number, line) in lines {
            let record = serde_json::from_str::<Record>(line).map_err(|e| {
                CliError::failure(format!(
                    "the journal `{}` is damaged at line {}: {e}",
                    path.display(),
                    number + 1
                ))
            })?;
            state.apply(record);
        }
        Ok(Some(Journal {
            path: path.to_path_buf(),
            file: Mutex::new(file),
            state: Mutex::new(state),
        }))
    }

    /// Starts a new journal with its `begin` record; fails if the file exists.
    pub fn create(
        path: &Path,
        command: &str,
        fingerprint: &str,
        preexisting: Vec<String>,
        rows: serde_json::Value,
    ) -> CliResult<Journal> {
        let file = create_private(path)
            .map_err(|e| CliError::io("cannot create the journal", path, &e))?;
        lock(&file, path)?;
        sync_parent(path);
        let journal = Journal {
            path: path.to_path_buf(),
            file: Mutex::new(file),
            state: Mutex::new(State {
                preexisting: preexisting.iter().cloned().collect(),
                rows_spec: rows.clone(),
                rows: BTreeMap::new(),
                known: HashSet::new(),
                discarded: 0,
            }),
        };
        journal.append(Record::Begin {
            command: command.to_string(),
            fingerprint: fingerprint.to_string(),
            preexisting,
            rows,
        })?;
        Ok(journal)
    }

    /// Writes one record and fsyncs it, then folds it into the state.
    pub fn append(&self, record: Record) -> CliResult<()> {
        let mut line = serde_json::to_string(&record)
            .map_err(|e| CliError::failure(format!("cannot encode a journal record: {e}")))?;
        line.push('\n');
        {
            let mut file = self.file.lock().unwrap_or_else(|p| p.into_inner());
            file.write_all(line.as_bytes())
                .and_then(|()| file.sync_data())
                .map_err(|e| CliError::io("cannot write the journal", &self.path, &e))?;
        }
        self.state
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .apply(record);
        Ok(())
    }

    /// The rows the `begin` record describes, as the command stored them.
    pub fn rows<T: serde::de::DeserializeOwned>(&self) -> CliResult<T> {
        serde_json::from_value(self.state().rows_spec.clone()).map_err(|e| {
            CliError::failure(format!(
                "the rows in the journal `{}` cannot be read: {e}",
                self.path.display()
            ))
        })
    }

    /// The folded state, locked.
    pub fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
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
            // Not a usage error: the same command succeeds once the other run ends.
            return Err(CliError::failure(format!(
                "another run is using the journal `{}`; wait for it to finish",
                path.display()
            )));
        }
    }
    #[cfg(not(unix))]
    let _ = (file, path);
    Ok(())
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
    use openrouter_keys::ExposeSecret;

    #[test]
    fn records_fold_and_a_cut_line_is_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.journal");
        {
            let journal = Journal::create(
                &path,
                "bulk-create",
                "fp",
                vec!["old".into()],
                serde_json::Value::Null,
            )
            .unwrap();
            journal.append(Record::Intent { row: "1".into() }).unwrap();
            journal
                .append(Record::Created {
                    row: "1".into(),
                    hash: "h1".into(),
                    secret: "s1".into(),
                })
                .unwrap();
            journal.append(Record::Intent { row: "2".into() }).unwrap();
        }
        std::fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .unwrap()
            .write_all(b"{\"event\":\"created\",\"row\":\"2\",\"ha")
            .unwrap();
        let journal = Journal::resume(&path, "bulk-create", "fp")
            .unwrap()
            .unwrap();
        let state = journal.state();
        let (hash, secret) = state.row("1").unwrap().created.as_ref().unwrap();
        assert_eq!((hash.as_str(), secret.expose_secret()), ("h1", "s1"));
        assert_eq!(state.in_doubt(["1", "2", "3"]), vec!["2"]);
        assert!(state.preexisting.contains("old"));
        drop(state);
        drop(journal);
        assert!(Journal::resume(&path, "bulk-create", "other").is_err());
        assert!(
            std::fs::read_to_string(&path)
                .unwrap()
                .ends_with("\"row\":\"2\"}\n")
        );
    }
}
