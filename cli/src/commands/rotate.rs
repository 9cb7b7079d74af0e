//! `rotate HASH|--match GLOB --secrets-out FILE [--then disable|delete|keep]`: for each key,
//! create a replacement with the same name, limit, reset, BYOK setting, expiry and
//! workspace; check that the new secret works; only then retire the old key.
//!
//! Each step is journaled (`created`, `verified`, `retired`), so a rerun of the same command
//! after any failure picks up where the previous run stopped, and replacements are created
//! exactly once (the batch engine of `bulk-create`, `batch/`).
//!
//! Verification: `GET /key` with the new secret must succeed and answer the new key's label.
//! `GET /key` returns no hash; that the label (the redacted key) identifies the key is our
//! inference, not a documented fact.

use crate::batch::{
    Batch, BatchKind, KeyHash, Record, Row, RowResult, RowState, check_unique_names, fingerprint,
    preexisting, report_foreign,
};
use crate::cli::{RotateArgs, Then};
use crate::context::Context;
use crate::error::{CliError, CliResult};
use crate::exit::{Exit, ItemOutcome, Tally};
use crate::key_spec::KeySpec;
use crate::render::{describe, neutralised, printable};
use crate::secrets::check_writable;
use crate::select::{preview_and_confirm, resolve};
use openrouter_keys::{ApiErrorKind, ExposeSecret, Key, KeySource, KeyUpdate, SecretString};
use std::borrow::Cow;
use std::path::Path;

/// The batch kind of `rotate`: a row is an old key, by hash; its key is the replacement.
struct Rotation;

impl BatchKind for Rotation {
    const COMMAND: &'static str = "rotate";
    const PROGRESS: &'static str = "rotate: replacements";
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

/// Replacements created at once.
const CONCURRENCY: usize = 4;

pub async fn run(ctx: &Context, args: &RotateArgs) -> CliResult<Exit> {
    let print = ctx.print;
    let fingerprint = rotation_fingerprint(args);
    let action = args.then.verb();
    let batch = match Batch::<Rotation>::resume(&args.secrets_out, &fingerprint)? {
        Some(batch) => {
            refuse_finished(&batch, &args.secrets_out)?;
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
            let finish = format!("finish rotating ({action})");
            if !preview_and_confirm(ctx, args.confirm, &finish, &open).await? {
                return Ok(Exit::Success);
            }
            batch
        }
        None => {
            check_writable(&args.secrets_out, args.force)?;
            let keys = resolve(ctx, &args.target, &args.filters).await?;
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
            check_unique_names(&rows, |a, b| format!("keys {a} and {b}")).map_err(|e| {
                // Names are how an interrupted create is found again: two keys of one name
                // cannot be told apart in one rotation. The way out is to rename one.
                e.hint(
                    "give one of them another name (`openrouter-keys update HASH --name NEW`), \
                     then rotate again; or rotate them one at a time, each by hash with its own \
                     --secrets-out",
                )
            })?;
            let plan = format!("rotate ({action} the old)");
            if !preview_and_confirm(ctx, args.confirm, &plan, &lines).await? {
                return Ok(Exit::Success);
            }
            // The old keys carry the same names: never orphans, whatever the listing says.
            let mut before: Vec<String> = preexisting(ctx, &rows)
                .await?
                .into_iter()
                .map(|k| k.hash)
                .collect();
            before.extend(rows.iter().map(|row| row.id.to_string()));
            Batch::begin(&args.secrets_out, &fingerprint, before, rows)?
        }
    };
    let run = batch.provision(ctx, CONCURRENCY).await?;
    let outcome = &run.outcome;
    report_foreign(print, &outcome.foreign);
    let mut tally = Tally::default();
    if outcome.unchecked {
        tally.add(ItemOutcome::Unknown);
    }
    for row in batch.rows() {
        let old = &row.id;
        let result = outcome.of_row(old);
        let item = match result {
            RowResult::Created => {
                match finish_one(ctx, &batch, old, args.then, &args.secrets_out).await {
                    Ok(()) => ItemOutcome::Done,
                    Err(e) => {
                        print.error(&e);
                        let verified = batch.journal().state().row(old).is_some_and(|s| s.verified);
                        // A replacement that works is half a rotation; the old key's failure
                        // to retire is its own line.
                        if verified {
                            ItemOutcome::Partly
                        } else {
                            ItemOutcome::Failed(e.exit())
                        }
                    }
                }
            }
            RowResult::Failed(why) => {
                print.error(&format_args!("replacement for {old}: {why}"));
                result.outcome()
            }
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
                result.outcome()
            }
            RowResult::Unfinished | RowResult::InDoubt => {
                print.error(&format_args!("no replacement for {old} yet"));
                result.outcome()
            }
        };
        tally.add(item);
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
    let exit = tally.exit();
    if exit != Exit::Success {
        print.error(&"rerun the same command to finish the rotation");
    }
    Ok(exit)
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

/// A rotation whose every old key is retired is finished: running it again would do nothing
/// (its journal says so), and a new rotation needs its own journal, hence its own file.
fn refuse_finished(batch: &Batch<Rotation>, secrets: &Path) -> CliResult<()> {
    let state = batch.journal().state();
    if batch
        .rows()
        .iter()
        .all(|row| state.row(&row.id).is_some_and(|s| s.retired))
    {
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
            } else if k
                .expires_at
                .as_ref()
                .and_then(|t| t.datetime())
                .is_some_and(|at| at <= now)
            {
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

/// Verifies the replacement of `old` and retires `old`, each step once.
async fn finish_one(
    ctx: &Context,
    batch: &Batch<Rotation>,
    old: &KeyHash,
    then: Then,
    secrets: &Path,
) -> CliResult<()> {
    let journal = batch.journal();
    let (new_hash, secret, verified, retired) = {
        let state = journal.state();
        let Some((row, (hash, secret))) = state
            .row(old)
            .and_then(|row| row.key().map(|key| (row, key)))
        else {
            return Err(CliError::failure(format!("no replacement for {old} yet")));
        };
        (hash.clone(), secret.clone(), row.verified, row.retired)
    };
    if !verified {
        verify(ctx, &new_hash, &secret, secrets).await?;
        journal.append(Record::Verified { row: old.clone() })?;
    }
    if !retired {
        let keys = ctx.client()?.keys();
        let done = match then {
            Then::Disable => keys
                .update(old.as_str(), KeyUpdate::new().disabled(true))
                .await
                .map(drop),
            Then::Delete => keys.delete(old.as_str()).await,
            Then::Keep => Ok(()),
        };
        done.map_err(|e| ctx.api_error(&format!("cannot {} old key {old}", then.verb()), &e))?;
        journal.append(Record::Retired {
            row: old.clone(),
            action: then,
        })?;
        ctx.print.record(format_args!("{old} -> {new_hash}"));
    }
    Ok(())
}

/// The key of a verifying call, as messages about it being refused name it ("the API key
/// created as the replacement").
fn new_key_source() -> KeySource {
    KeySource::Described("created as the replacement".to_string())
}

/// `GET /key` with the new secret answers the new key's label.
async fn verify(
    ctx: &Context,
    new_hash: &str,
    secret: &SecretString,
    secrets: &Path,
) -> CliResult<()> {
    let new_key = ctx
        .client()?
        .keys()
        .get(new_hash)
        .await
        .map_err(|e| ctx.api_error(&format!("cannot read the new key {new_hash}"), &e))?;
    let as_new = ctx.client_for(secret.expose_secret(), new_key_source())?;
    // A key may take a moment to be accepted everywhere (our caution, not a documented
    // delay): a 401 is asked again twice, after a pause.
    let mut attempt = 0;
    let current = loop {
        attempt += 1;
        match as_new.current_key().await {
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
    if let (Some(seen), Some(expected)) = (&current.label, &new_key.label)
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
