//! `rotate HASH|--match GLOB --secrets-out FILE [--then disable|delete|keep]`: for each key,
//! create a replacement with the same name, limit, reset, BYOK setting, expiry and
//! workspace; check that the new secret works; only then retire the old key.
//!
//! Each step is journaled (`created`, `verified`, `retired`), so a rerun of the same command
//! after any failure picks up where the previous run stopped, and replacements are created
//! exactly once (the batch engine of `bulk-create`, `batch/`). Keys are rotated
//! `--concurrency` at a time: each goes through its steps in order ([`STEPS`]), while the
//! steps of different keys overlap.
//!
//! Verification: `GET /key` with the new secret must succeed and answer the new key's label.
//! `GET /key` returns no hash; that the label (the redacted key) identifies the key is our
//! inference, not a documented fact.

use crate::batch::{
    Batch, BatchKind, Found, Journal, KeyHash, Outcome, Record, Row, RowResult, RowState, RowSteps,
    Settle, StepFailure, duplicate_names, fingerprint, preexisting, report_foreign, report_orphans,
    report_settling,
};
use crate::cli::{RotateArgs, Then};
use crate::context::Context;
use crate::error::{CliError, CliResult};
use crate::exit::{Exit, ItemOutcome, Tally};
use crate::key_spec::KeySpec;
use crate::render::{describe, neutralised, printable};
use crate::secrets::check_writable;
use crate::select::{LeftOut, Matcher, filtered_keys, is_expired, preview_and_confirm, resolve};
use openrouter_keys::{ApiErrorKind, ExposeSecret, Key, KeySource, KeyUpdate, SecretString};
use std::borrow::Cow;
use std::path::Path;

/// The batch kind of `rotate`: a row is an old key, by hash; its key is the replacement.
struct Rotation;

impl BatchKind for Rotation {
    const COMMAND: &'static str = "rotate";
    const PROGRESS: &'static str = "rotate";
    const SECRETS_COLUMNS: [&'static str; 4] = ["name", "hash", "key", "replaces"];
    type Id = KeyHash;

    fn secrets_record<'a>(
        row: &'a Row<KeyHash>,
        hash: &'a str,
        secret: &'a str,
    ) -> [Cow<'a, str>; 4] {
        [
            neutralised(&row.spec.name),
            Cow::Borrowed(hash),
            Cow::Borrowed(secret),
            Cow::Borrowed(row.id.as_str()),
        ]
    }
}

pub async fn run(ctx: &Context, args: &RotateArgs) -> CliResult<Exit> {
    let print = ctx.print;
    let fingerprint = rotation_fingerprint(args);
    let action = args.then.verb();
    let settle = Settle {
        window: args.batch.settle,
    };
    let batch = match Batch::<Rotation>::open(&args.secrets_out, &fingerprint)? {
        Found::Resumed(batch) => {
            refuse_finished(ctx, &batch, &args.secrets_out, &settle)?;
            let open: Vec<String> = {
                let state = batch.journal().state();
                batch
                    .rows()
                    .iter()
                    .filter(|row| !state.row(&row.id).is_some_and(|s| s.retired))
                    .map(|row| format!("{}  {}", row.id, printable(&row.spec.name)))
                    .collect()
            };
            print.note(format_args!(
                "resuming the rotation in {}",
                batch.journal().path().display()
            ));
            // Every old key retired: only the final check is left, which changes no key
            // but those the rotation made and lost the secret of.
            if !open.is_empty() {
                let finish = format!("finish rotating ({action})");
                if !preview_and_confirm(ctx, args.confirm, &finish, &open, None).await? {
                    return Ok(Exit::Success);
                }
            }
            batch
        }
        Found::New(new) => {
            check_writable(&args.secrets_out, args.force)?;
            let (keys, left_out) = selected(ctx, args).await?;
            refuse_inactive(&keys)?;
            let lines: Vec<String> = keys.iter().map(describe).collect();
            let rows = keys
                .iter()
                .map(|k| {
                    Ok(Row {
                        id: KeyHash::from(k.hash.clone()),
                        spec: spec_of(k)?,
                    })
                })
                .collect::<CliResult<Vec<_>>>()?;
            refuse_shared_names(&rows)?;
            refuse_unsendable(&rows)?;
            let plan = format!("rotate ({action} the old)");
            let aside = (left_out.total() > 0).then(|| {
                format!(
                    "{} matching key(s) disabled or expired, not rotated: a replacement would \
                     be an active key (enable a key first to rotate it)",
                    left_out.total()
                )
            });
            if !preview_and_confirm(ctx, args.confirm, &plan, &lines, aside.as_deref()).await? {
                return Ok(Exit::Success);
            }
            // The old keys carry the same names: never orphans, whatever the listing says.
            let mut before: Vec<String> = preexisting(ctx, &rows)
                .await?
                .into_iter()
                .map(|k| k.hash)
                .collect();
            before.extend(rows.iter().map(|row| row.id.to_string()));
            new.begin(before, rows)?
        }
    };
    let steps = RotationSteps {
        then: args.then,
        secrets: &args.secrets_out,
    };
    let run = batch.provision(ctx, &args.batch, &steps).await?;
    Ok(summarize(ctx, &batch, &run.outcome, args))
}

/// Says how the rotation stands, key by key and in sum; its exit code.
fn summarize(
    ctx: &Context,
    batch: &Batch<Rotation>,
    outcome: &Outcome<KeyHash>,
    args: &RotateArgs,
) -> Exit {
    let print = ctx.print;
    let action = args.then.verb();
    report_foreign(print, &outcome.foreign);
    let mut tally = Tally::default();
    if outcome.unchecked {
        tally.add(ItemOutcome::Unknown);
        print.error(
            &"the final check for keys without a saved secret could not finish (listing the \
             keys, or deleting a stray one, failed)",
        );
    }
    for row in batch.rows() {
        let old = &row.id;
        let result = outcome.of_row(old);
        match &result {
            RowResult::StepFailed(failure) => print.error(&failure.error),
            RowResult::Failed(why) => print.error(&format_args!("replacement for {old}: {why}")),
            RowResult::Gone(hash) => {
                let retired = batch.journal().state().row(old).is_some_and(|s| s.retired);
                print.error(&format_args!(
                    "the replacement {hash} of {old} no longer exists (deleted since); the old \
                     key was {}",
                    if retired {
                        format!("already {action}d: rotate it no further, create a key instead")
                    } else {
                        "left alone: rotate it again with another --secrets-out".to_string()
                    }
                ));
            }
            RowResult::Unfinished | RowResult::InDoubt => {
                print.error(&format_args!("no replacement for {old} yet"));
            }
            RowResult::Created | RowResult::Settling => {}
        }
        tally.add(result.outcome());
    }
    let (verified, retired) = {
        let state = batch.journal().state();
        let count = |done: fn(&RowState) -> bool| {
            batch
                .rows()
                .iter()
                .filter(|row| state.row(&row.id).is_some_and(done))
                .count()
        };
        (count(|s| s.verified), count(|s| s.retired))
    };
    // A replacement verified but whose old key could not be retired is replaced: the
    // failure to retire the old one is its own line.
    let to_retire = verified.saturating_sub(retired);
    print.note(format_args!(
        "rotate: {verified} of {} key(s) replaced and verified; new secrets in {}{}",
        batch.rows().len(),
        args.secrets_out.display(),
        if to_retire > 0 {
            format!("; {to_retire} old key(s) still to {action}")
        } else {
            format!(" (old keys: {action})")
        }
    ));
    report_orphans(print, "rotate", outcome.orphans_replaced);
    report_settling(print, &outcome.settling, |old| {
        let row = batch.rows().iter().find(|row| row.id == *old);
        let name = row.map(|row| printable(&row.spec.name).into_owned());
        format!("{old} ({})", name.unwrap_or_default())
    });
    let exit = tally.exit();
    if !matches!(exit, Exit::Success | Exit::Settling) {
        print.error(&"rerun the same command to finish the rotation");
    }
    exit
}

/// The keys to rotate: the one `HASH`, or the keys matching `--match` that the filters admit
/// (and how many matching keys they left out).
async fn selected(ctx: &Context, args: &RotateArgs) -> CliResult<(Vec<Key>, LeftOut)> {
    if args.target.hash.is_some() {
        return Ok((
            resolve(ctx, &args.target, None, false).await?,
            LeftOut::default(),
        ));
    }
    let matcher = Matcher::new(&args.target.patterns)?;
    filtered_keys(ctx, &args.filters, false, &matcher).await
}

/// What tells this rotation from another: its targets, filters and `--then`, as every
/// earlier version wrote them (the arguments' derived `Debug`), so that a rotation begun
/// before an upgrade resumes after it. Pinned by a test.
fn rotation_fingerprint(args: &RotateArgs) -> String {
    fingerprint(&format!(
        "{:?}\0{:?}\0{:?}\0{:?}",
        args.target.hash, args.target.patterns, args.filters, args.then
    ))
}

/// A rotation whose every old key is retired, and whose creates can no longer make a key
/// (`batch/settle.rs`), is finished: running it again would do nothing (its journal says so),
/// and a new rotation needs its own journal, hence its own file.
///
/// The secrets file is written from the journal first: a run killed after its last step,
/// before it wrote the file, left the new secrets only in the journal.
fn refuse_finished(
    ctx: &Context,
    batch: &Batch<Rotation>,
    secrets: &Path,
    settle: &Settle,
) -> CliResult<()> {
    let retired = {
        let state = batch.journal().state();
        batch
            .rows()
            .iter()
            .all(|row| state.row(&row.id).is_some_and(|s| s.retired))
    };
    if retired && batch.settling(settle).is_empty() {
        batch.save_secrets(ctx)?;
        return Err(CliError::usage(format!(
            "this rotation already finished ({} key(s) rotated; new secrets in {}, journal {})",
            batch.rows().len(),
            secrets.display(),
            batch.journal().path().display()
        ))
        .hint(
            "to rotate these keys again, pass a new --secrets-out (the journal is never \
             replaced, --force or not)",
        ));
    }
    Ok(())
}

/// Keys that share a name cannot be rotated together: names are how an interrupted create is
/// found again, and two keys of one name cannot be told apart in one rotation. The way out
/// is to rename one.
fn refuse_shared_names(rows: &[Row<KeyHash>]) -> CliResult<()> {
    let shared = duplicate_names(rows.iter().map(|r| (&r.id, r.spec.name.as_str())));
    if shared.is_empty() {
        return Ok(());
    }
    let pairs: Vec<String> = shared
        .iter()
        .map(|(first, again, name)| format!("  keys {first} and {again}: `{}`", printable(name)))
        .collect();
    Err(CliError::usage(format!(
        "{} pair(s) of selected keys have the same name: names must be unique within a batch \
         (that is how a key whose create was interrupted is found again). Nothing was \
         changed:\n{}",
        shared.len(),
        pairs.join("\n")
    ))
    .hint(
        "give one of them another name (`openrouter-keys update HASH --name NEW`), then rotate \
         again; or rotate them one at a time, each by hash with its own --secrets-out",
    ))
}

/// A key whose replacement the SDK would not send (a name longer than its bound) is refused
/// before anything is created.
fn refuse_unsendable(rows: &[Row<KeyHash>]) -> CliResult<()> {
    let bad: Vec<String> = rows
        .iter()
        .filter_map(|row| {
            let (field, why) = row.spec.check().err()?;
            Some(format!("  key {}: {field}: {why}", row.id))
        })
        .collect();
    if bad.is_empty() {
        return Ok(());
    }
    Err(CliError::usage(format!(
        "{} selected key(s) cannot be rotated by this CLI: their replacement would be \
         refused before it is sent. Nothing was changed:\n{}",
        bad.len(),
        bad.join("\n")
    ))
    .hint("rename them first (`openrouter-keys update HASH --name NEW`), or leave them out"))
}

/// A disabled or expired key is refused: its replacement would be an active key, handing
/// back access that was taken away (a disabled replacement would also fail the check that
/// its secret works). Enable the key first (or leave it out of the selection).
fn refuse_inactive(keys: &[Key]) -> CliResult<()> {
    let now = openrouter_keys::time::OffsetDateTime::now_utc();
    let inactive: Vec<String> = keys
        .iter()
        .filter_map(|k| {
            let why = if k.disabled == Some(true) {
                "disabled"
            } else if is_expired(k, now) {
                "expired"
            } else {
                return None;
            };
            Some(format!("  {}  {why}", describe(k)))
        })
        .collect();
    if inactive.is_empty() {
        return Ok(());
    }
    Err(CliError::usage(format!(
        "{} selected key(s) are disabled or expired; rotating one would make an active \
         replacement, giving back access that was taken away. Nothing was changed:\n{}",
        inactive.len(),
        inactive.join("\n")
    ))
    .hint(
        "rotate only active keys (drop --include-disabled / --include-expired), or enable a \
         key first (`openrouter-keys enable HASH`) if it should work again",
    ))
}

/// The replacement of `old`: same settings, same workspace. A key whose name the API did not
/// send cannot be rotated (the name is how an interrupted create is found again).
fn spec_of(old: &Key) -> CliResult<KeySpec> {
    let now = openrouter_keys::time::OffsetDateTime::now_utc();
    let name = old.name.clone().ok_or_else(|| {
        CliError::failure(format!(
            "the API sent no name for key {}; it cannot be rotated by this CLI",
            old.hash
        ))
    })?;
    Ok(KeySpec {
        name,
        limit: old.limit,
        limit_reset: old.limit_reset.clone(),
        include_byok_in_limit: old.include_byok_in_limit,
        // An expiry already past would make the replacement useless: it is dropped.
        expires_at: old
            .expires_at
            .clone()
            .filter(|t| t.datetime().is_some_and(|at| at > now)),
        workspace_id: old.workspace_id.clone(),
    })
}

/// What `rotate` does with a row once its replacement exists: each [`Step`] in order, each
/// journaled.
struct RotationSteps<'a> {
    then: Then,
    secrets: &'a Path,
}

/// One step of a rotation after the replacement exists. A new step (say, assigning the old
/// key's guardrail to the replacement, then checking the assignment) is a variant here, in
/// [`STEPS`] where it belongs, with the journal record that says it is done
/// (`batch/journal.rs`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    /// `GET /key` with the new secret answers the new key's label (`verified`).
    Verify,
    /// The old key disabled, deleted or kept (`retired`); only once the new one is verified.
    Retire,
}

/// The steps, in the order each row goes through them.
const STEPS: [Step; 2] = [Step::Verify, Step::Retire];

impl Step {
    fn done(self, row: &RowState) -> bool {
        match self {
            Step::Verify => row.verified,
            Step::Retire => row.retired,
        }
    }
}

impl RowSteps<KeyHash> for RotationSteps<'_> {
    fn pending(&self, row: &RowState) -> bool {
        STEPS.iter().any(|step| !step.done(row))
    }

    async fn run(
        &self,
        ctx: &Context,
        journal: &Journal<KeyHash>,
        row: &Row<KeyHash>,
    ) -> Result<(), StepFailure> {
        for step in STEPS {
            let done = journal.state().row(&row.id).is_some_and(|s| step.done(s));
            if done {
                continue;
            }
            let result = match step {
                Step::Verify => self.verify(ctx, journal, &row.id).await,
                Step::Retire => self.retire(ctx, journal, &row.id).await,
            };
            result.map_err(|error| {
                // A replacement that works is half a rotation: the old key's failure to retire
                // is its own line.
                let verified = journal.state().row(&row.id).is_some_and(|s| s.verified);
                let outcome = if verified {
                    ItemOutcome::Partly
                } else {
                    ItemOutcome::Failed(error.exit())
                };
                StepFailure { error, outcome }
            })?;
        }
        Ok(())
    }
}

impl RotationSteps<'_> {
    /// The replacement of `old` answers `GET /key` with its own label (`verified`).
    async fn verify(
        &self,
        ctx: &Context,
        journal: &Journal<KeyHash>,
        old: &KeyHash,
    ) -> CliResult<()> {
        let (new_hash, secret, label) = {
            let state = journal.state();
            let row = state.row(old);
            let Some((hash, secret)) = row.and_then(|r| r.key()) else {
                return Err(CliError::failure(format!("no replacement for {old} yet")));
            };
            (
                hash.clone(),
                secret.clone(),
                row.and_then(|r| r.label.clone()),
            )
        };
        verify(ctx, &new_hash, &secret, label, self.secrets).await?;
        journal.append(Record::Verified { row: old.clone() })
    }

    /// `old` disabled, deleted or kept, as `--then` says (`retired`). A 404 is the step
    /// done: the key is gone, deleted by an earlier run whose record of it was lost (a crash,
    /// an answer cut off), or by someone else.
    async fn retire(
        &self,
        ctx: &Context,
        journal: &Journal<KeyHash>,
        old: &KeyHash,
    ) -> CliResult<()> {
        let keys = ctx.client()?.keys();
        let done = match self.then {
            Then::Disable => ctx
                .pace
                .paced(keys.update(old.as_str(), KeyUpdate::new().disabled(true)))
                .await
                .map(drop),
            Then::Delete => ctx.pace.paced(keys.delete(old.as_str())).await,
            Then::Keep => Ok(()),
        };
        match done {
            Ok(()) => {}
            Err(e) if e.as_api().is_some_and(|a| a.kind == ApiErrorKind::NotFound) => {
                ctx.print.note(format_args!(
                    "{old} was already {}: no key has this hash any more",
                    match self.then {
                        Then::Delete => "deleted",
                        _ => "deleted (nothing to disable)",
                    }
                ));
            }
            Err(e) => {
                let what = format!("cannot {} old key {old}", self.then.verb());
                return Err(ctx.api_error(&what, &e));
            }
        }
        journal.append(Record::Retired {
            row: old.clone(),
            action: self.then,
        })?;
        let new_hash = journal
            .state()
            .row(old)
            .and_then(|r| r.key())
            .map(|k| k.0.clone());
        ctx.print
            .record(format_args!("{old} -> {}", new_hash.unwrap_or_default()));
        Ok(())
    }
}

/// The key of a verifying call, as messages about it being refused name it ("the API key
/// created as the replacement").
fn new_key_source() -> KeySource {
    KeySource::Described("created as the replacement".to_string())
}

/// `GET /key` with the new secret answers the new key's label: the label the create
/// answered, as the journal keeps it (read with `GET /keys/{hash}` for a journal of an earlier
/// version, which did not keep it).
async fn verify(
    ctx: &Context,
    new_hash: &str,
    secret: &SecretString,
    label: Option<String>,
    secrets: &Path,
) -> CliResult<()> {
    let expected = match label {
        Some(label) => Some(label),
        None => {
            ctx.pace
                .paced(ctx.client()?.keys().get(new_hash))
                .await
                .map_err(|e| ctx.api_error(&format!("cannot read the new key {new_hash}"), &e))?
                .label
        }
    };
    let as_new = ctx.client_for(secret.expose_secret(), new_key_source())?;
    // A key may take a moment to be accepted everywhere (our caution, not a documented
    // delay): a 401 is asked again twice, after a pause.
    let mut attempt = 0;
    let current = loop {
        attempt += 1;
        match ctx.pace.paced(as_new.current_key()).await {
            Ok(current) => break current,
            Err(e)
                if attempt < 3
                    && e.as_api()
                        .is_some_and(|a| a.kind == ApiErrorKind::Unauthorized) =>
            {
                tokio::time::sleep(std::time::Duration::from_millis(500 * attempt)).await;
            }
            // Refused: the new secret does not work.
            Err(e)
                if e.as_api()
                    .is_some_and(|a| a.kind == ApiErrorKind::Unauthorized) =>
            {
                return Err(crate::sdk_error::render(
                    &format!(
                        "the new key {new_hash} does not authenticate; the old key was left alone"
                    ),
                    &e,
                    as_new.key_source(),
                ));
            }
            // Anything else (a 5xx, a timeout) says nothing about the new secret.
            Err(e) => {
                return Err(crate::sdk_error::render(
                    &format!(
                        "could not verify the new key {new_hash} (GET /key with its secret \
                         failed; the old key was left untouched; the new secret is saved in {}; \
                         rerun the same command to verify again)",
                        secrets.display()
                    ),
                    &e,
                    as_new.key_source(),
                ));
            }
        }
    };
    // When the API sends no label on either side, a successful GET /key is the check.
    if let (Some(seen), Some(expected)) = (&current.label, &expected)
        && seen != expected
    {
        return Err(CliError::failure(format!(
            "the new key {new_hash} authenticated as another key (label {seen} instead of \
             {expected}); the old key was left alone"
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::{Cli, Command};
    use clap::Parser;

    /// A rotation begun before an upgrade must resume after it: the fingerprint of the
    /// version that wrote `tests/fixtures/rotate-0.1.journal`.
    #[test]
    fn the_fingerprint_is_the_one_earlier_versions_wrote() {
        let cli = Cli::parse_from([
            "openrouter-keys",
            "rotate",
            "--match",
            "row-*",
            "--then",
            "delete",
            "--secrets-out",
            "r.csv",
            "--yes",
        ]);
        let Command::Rotate(args) = cli.command else {
            panic!("not rotate");
        };
        assert_eq!(rotation_fingerprint(&args), "e823660ee3705fb0");
    }
}
