//! [`Batch`]: the lifecycle every kind of batch goes through, once — find the batch's
//! journal and resume it, or begin one; save the secrets on Ctrl-C; show progress; create
//! every row's key exactly once; write the secrets file from the journal, whatever happened.
//!
//! What differs between kinds (`bulk-create`, `rotate`) is a [`BatchKind`]: its command's
//! name, its rows' id, and its secrets file's columns. A new kind of batch implements it;
//! the command decides which rows to make and what to do once their keys exist.

use super::journal::{Journal, path_for};
use super::provision::{Outcome, create_all};
use super::row::{Row, RowId};
use crate::context::Context;
use crate::error::{CliError, CliResult};
use crate::print::Progress;
use crate::secrets::write_private_csv;
use openrouter_keys::ExposeSecret;
use std::borrow::Cow;
use std::marker::PhantomData;
use std::path::{Path, PathBuf};

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
    /// Rows that had their key before this run.
    pub already: usize,
    /// Secrets in the secrets file, now written.
    pub saved: usize,
}

impl<K: BatchKind> Batch<K> {
    /// The batch an earlier run began with this fingerprint and secrets file, when its
    /// journal is there. A journal of another batch is refused (exit 2).
    pub fn resume(secrets: &Path, fingerprint: &str) -> CliResult<Option<Self>> {
        let journal = Journal::resume(&path_for(secrets), K::COMMAND, fingerprint)?;
        Ok(journal.map(|journal| Self::from_journal(journal, secrets, fingerprint)))
    }

    /// Begins a batch of `rows`: its journal, whose `begin` record keeps the rows and the
    /// hashes of keys that already carry a batch name (`preexisting`, never touched).
    pub fn begin(
        secrets: &Path,
        fingerprint: &str,
        preexisting: Vec<String>,
        rows: Vec<Row<K::Id>>,
    ) -> CliResult<Self> {
        let journal = Journal::create(
            &path_for(secrets),
            K::COMMAND,
            fingerprint,
            preexisting,
            rows,
        )?;
        Ok(Self::from_journal(journal, secrets, fingerprint))
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

    /// Creates every row's key exactly once, `concurrency` creates at a time, with a progress
    /// bar; then writes the secrets file from the journal, whatever happened (keys found
    /// deleted since included: a key only missing from a listing must not lose its secret).
    /// From here until the run ends, Ctrl-C writes the secrets file before the CLI exits.
    pub async fn provision(
        &self,
        ctx: &Context,
        concurrency: usize,
    ) -> CliResult<Provisioned<K::Id>> {
        save_on_interrupt::<K>(ctx, &self.secrets, &self.fingerprint);
        let already = {
            let state = self.journal.state();
            self.rows().iter().filter(|r| state.has_key(&r.id)).count()
        };
        let progress = Progress::new(ctx.print, K::PROGRESS, self.rows().len(), already);
        let created = create_all(ctx, &self.journal, concurrency, &progress).await;
        progress.finish();
        // A failure to save the secrets comes first: it says where they are meanwhile.
        let saved = self
            .journal
            .save_secrets(ctx.print, &self.secrets, |journal| {
                write_secrets::<K>(journal, &self.secrets)
            })?;
        Ok(Provisioned {
            outcome: created?,
            already,
            saved,
        })
    }
}

/// Rewrites the secrets file from the journal (mode 0600, replaced atomically); returns how
/// many secrets it holds.
fn write_secrets<K: BatchKind>(journal: &Journal<K::Id>, path: &Path) -> CliResult<usize> {
    let state = journal.state();
    let records = journal.rows().iter().filter_map(|row| {
        let (hash, secret) = state.row(&row.id)?.key()?;
        Some(K::secrets_record(row, hash, secret.expose_secret()))
    });
    write_private_csv(path, &K::SECRETS_COLUMNS, records)
}

/// Makes Ctrl-C write the secrets file from the journal before the CLI exits (130): the run
/// is dropped mid-way, and without this the secrets of keys already made would be only in
/// the journal. The journal is opened again once the dropped run has released it.
fn save_on_interrupt<K: BatchKind>(ctx: &Context, secrets: &Path, fingerprint: &str) {
    let (secrets, fingerprint) = (secrets.to_path_buf(), fingerprint.to_string());
    ctx.interrupt.set(move || {
        let journal = path_for(&secrets);
        let saved = Batch::<K>::resume(&secrets, &fingerprint).and_then(|found| {
            let batch = found.ok_or_else(|| CliError::failure("the journal is gone"))?;
            write_secrets::<K>(&batch.journal, &secrets)
        });
        match saved {
            Ok(count) => format!(
                "interrupted; the secrets of the {count} key(s) made so far are in {} (written \
                 from the journal {}). Rerun the same command to finish: a create that was in \
                 flight is reconciled then",
                secrets.display(),
                journal.display()
            ),
            Err(e) => format!(
                "interrupted, and the secrets file {} could not be written ({e}); the secrets \
                 of the keys made so far are in the journal {}. Rerun the same command to write \
                 the file from it and finish",
                secrets.display(),
                journal.display()
            ),
        }
    });
}
