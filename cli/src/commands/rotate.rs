//! `rotate HASH|--match GLOB --secrets-out FILE [--then disable|delete|keep]`: for each key,
//! create a replacement with the same name, limit, reset, BYOK setting, expiry and
//! workspace; check that the new secret works; only then retire the old key.
//!
//! Each step is journaled (`created`, `verified`, `retired`), so a rerun of the same command
//! after any failure picks up where the previous run stopped, and replacements are created
//! exactly once (same engine as `bulk-create`, `provision.rs`).
//!
//! Verification: `GET /key` with the new secret must succeed and answer the new key's label.
//! `GET /key` returns no hash; that the label (the redacted key) identifies the key is our
//! inference, not a documented fact.

use crate::cli::{GlobalArgs, RotateArgs, Then};
use crate::exit::{CliError, CliResult, Exit};
use crate::journal::{self, Journal, Record, RowState};
use crate::output::note;
use crate::progress::Progress;
use crate::provision::{KeySpec, check_unique_names, create_all, preexisting};
use crate::secrets::{check_writable, write_private_csv};
use crate::select::{describe, preview_and_confirm, resolve};
use openrouter_keys::{ApiErrorKind, Client, ExposeSecret, Key, SecretString};
use std::path::Path;

const COMMAND: &str = "rotate";

pub async fn run(client: &Client, args: &RotateArgs, global: &GlobalArgs) -> CliResult {
    let quiet = global.quiet;
    let fingerprint = journal::fingerprint(&format!(
        "{:?}\0{:?}\0{:?}\0{:?}",
        args.target.hash, args.target.patterns, args.filters, args.then
    ));
    let journal_path = journal::path_for(&args.secrets_out);
    let action = then_text(args.then);
    let (journal, rows) = match Journal::resume(&journal_path, COMMAND, &fingerprint)? {
        Some(journal) => {
            let rows: Vec<(String, KeySpec)> = journal.rows()?;
            refuse_finished(&journal, &rows, &journal_path, &args.secrets_out)?;
            let open: Vec<String> = {
                let state = journal.state();
                rows.iter()
                    .filter(|(old, _)| !state.row(old).is_some_and(|s| s.retired))
                    .map(|(old, spec)| format!("{old}  {}", crate::output::printable(&spec.name)))
                    .collect()
            };
            note(
                quiet,
                format!("resuming the rotation in {}", journal_path.display()),
            );
            if !preview_and_confirm(
                args.confirm,
                &format!("finish rotating ({action})"),
                &open,
                quiet,
            )
            .await?
            {
                return Ok(Exit::Success);
            }
            (journal, rows)
        }
        None => {
            check_writable(&args.secrets_out, args.force)?;
            let keys = resolve(client, &args.target, &args.filters).await?;
            refuse_inactive(&keys)?;
            let lines: Vec<String> = keys.iter().map(describe).collect();
            let rows = keys
                .iter()
                .map(|k| Ok((k.hash.clone(), spec_of(k)?)))
                .collect::<CliResult<Vec<(String, KeySpec)>>>()?;
            check_unique_names(&rows, |a, b| format!("keys {a} and {b}")).map_err(|mut e| {
                // Names are how an interrupted create is found again: two keys of one name
                // cannot be told apart in one rotation. The way out is to rename one.
                e.message.push_str(
                    "\n  hint: give one of them another name (`openrouter-keys update HASH \
                     --name NEW`), then rotate again; or rotate them one at a time, each by \
                     hash with its own --secrets-out",
                );
                e
            })?;
            if !preview_and_confirm(
                args.confirm,
                &format!("rotate ({action} the old)"),
                &lines,
                quiet,
            )
            .await?
            {
                return Ok(Exit::Success);
            }
            // The old keys carry the same names: never orphans, whatever the listing says.
            let mut before: Vec<String> = preexisting(client, &rows)
                .await?
                .into_iter()
                .map(|k| k.hash)
                .collect();
            before.extend(rows.iter().map(|(old, _)| old.clone()));
            (
                Journal::create(&journal_path, COMMAND, &fingerprint, before, &rows)?,
                rows,
            )
        }
    };
    journal::save_on_interrupt(
        &journal_path,
        COMMAND,
        &fingerprint,
        &args.secrets_out,
        |journal, path| write_secrets(journal, &journal.rows::<Vec<(String, KeySpec)>>()?, path),
    );
    let progress = Progress::new("rotate: replacements", rows.len(), 0, quiet);
    let created = create_all(client, &journal, &rows, 4, &progress).await;
    let saved = journal.save_secrets(&args.secrets_out, |journal| {
        write_secrets(journal, &rows, &args.secrets_out)
    });
    let created = created?;
    saved?;
    crate::provision::report_foreign(&created.foreign);
    let mut failures = created.failed.len() + created.unfinished.len();
    for (row, why) in &created.failed {
        crate::output::err_line(format_args!("error: replacement for {row}: {why}"));
    }
    for (old, hash) in &created.gone {
        failures += 1;
        crate::output::err_line(format_args!(
            "error: the replacement {hash} of {old} no longer exists (deleted since); the old \
             key was {}",
            if journal.state().row(old).is_some_and(|s| s.retired) {
                format!("already {action}d: rotate it no further, create a key instead")
            } else {
                "left alone: rotate it again with another --secrets-out".to_string()
            }
        ));
    }
    for (old, _) in &rows {
        if created.gone.iter().any(|(row, _)| row == old) {
            continue;
        }
        if let Err(e) =
            finish_one(client, &journal, old, args.then, global, &args.secrets_out).await
        {
            failures += 1;
            crate::output::err_line(format_args!("error: {e}"));
        }
    }
    let (verified, retired) = {
        let state = journal.state();
        let count = |done: fn(&RowState) -> bool| {
            rows.iter()
                .filter(|(old, _)| state.row(old).is_some_and(done))
                .count()
        };
        (count(|s| s.verified), count(|s| s.retired))
    };
    // A replacement verified but whose old key could not be retired is replaced: the
    // failure to retire the old one is its own line.
    let to_retire = verified.saturating_sub(retired);
    note(
        quiet,
        format!(
            "rotate: {verified} of {} key(s) replaced and verified; new secrets in {}{}",
            rows.len(),
            args.secrets_out.display(),
            if to_retire > 0 {
                format!("; {to_retire} old key(s) still to {action}")
            } else {
                format!(" (old keys: {action})")
            }
        ),
    );
    if failures == 0 && retired == rows.len() {
        return Ok(Exit::Success);
    }
    crate::output::err_line(format_args!(
        "error: rerun the same command to finish the rotation"
    ));
    Ok(if !created.in_doubt.is_empty() || created.unchecked {
        Exit::OutcomeUnknown
    } else if verified == 0 && rows.len() == 1 {
        Exit::Failure
    } else {
        Exit::Partial
    })
}

/// A rotation whose every old key is retired is finished: running it again would do nothing
/// (its journal says so), and a new rotation needs its own journal, hence its own file.
fn refuse_finished(
    journal: &Journal,
    rows: &[(String, KeySpec)],
    journal_path: &Path,
    secrets: &Path,
) -> CliResult<()> {
    let state = journal.state();
    if rows
        .iter()
        .all(|(old, _)| state.row(old).is_some_and(|s| s.retired))
    {
        return Err(CliError::usage(format!(
            "this rotation already finished ({} key(s) rotated; new secrets in {}, journal              {}); to rotate these keys again, pass a new --secrets-out (the journal is never              replaced, --force or not)",
            rows.len(),
            secrets.display(),
            journal_path.display()
        )));
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
        "{} selected key(s) are disabled or expired; rotating one would make an active          replacement, giving back access that was taken away. Nothing was changed:\n{}\n           rotate only active keys (drop --include-disabled / --include-expired), or enable a          key first (`openrouter-keys enable HASH`) if it should work again",
        inactive.len(),
        inactive.join("\n")
    )))
}

fn then_text(then: Then) -> &'static str {
    match then {
        Then::Disable => "disable",
        Then::Delete => "delete",
        Then::Keep => "keep",
    }
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
        limit_reset: old.limit_reset.as_ref().map(|r| r.as_str().to_string()),
        include_byok_in_limit: old.include_byok_in_limit,
        // An expiry already past would make the replacement useless: it is dropped.
        expires_at: old
            .expires_at
            .as_ref()
            .filter(|t| t.datetime().is_some_and(|at| at > now))
            .map(|t| t.to_string()),
        workspace_id: old.workspace_id.clone(),
    })
}

/// Verifies the replacement of `old` and retires `old`, each step once.
async fn finish_one(
    client: &Client,
    journal: &Journal,
    old: &str,
    then: Then,
    global: &GlobalArgs,
    secrets: &Path,
) -> CliResult<()> {
    let (new_hash, secret, verified, retired) = {
        let state = journal.state();
        let Some(row) = state.row(old) else {
            return Err(CliError::failure(format!("no replacement for {old} yet")));
        };
        let Some((hash, secret)) = &row.created else {
            return Err(CliError::failure(format!("no replacement for {old} yet")));
        };
        (hash.clone(), secret.clone(), row.verified, row.retired)
    };
    if !verified {
        verify(client, &new_hash, &secret, global, secrets).await?;
        journal.append(Record::Verified {
            row: old.to_string(),
        })?;
    }
    if !retired {
        let done = match then {
            Then::Disable => client
                .keys()
                .update(old, openrouter_keys::KeyUpdate::new().disabled(true))
                .await
                .map(drop),
            Then::Delete => client.keys().delete(old).await,
            Then::Keep => Ok(()),
        };
        done.map_err(|e| CliError::api(&format!("cannot {} old key {old}", then_text(then)), &e))?;
        journal.append(Record::Retired {
            row: old.to_string(),
            action: then_text(then).to_string(),
        })?;
        crate::output::out_line(format_args!("{old} -> {new_hash}"));
    }
    Ok(())
}

/// `GET /key` with the new secret answers the new key's label.
async fn verify(
    client: &Client,
    new_hash: &str,
    secret: &SecretString,
    global: &GlobalArgs,
    secrets: &Path,
) -> CliResult<()> {
    let new_key = client
        .keys()
        .get(new_hash)
        .await
        .map_err(|e| CliError::api(&format!("cannot read the new key {new_hash}"), &e))?;
    let as_new =
        crate::config::client_with_key(global, secret.expose_secret(), Some(client.base_url()))?;
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
                return Err(CliError::api_with(
                    &format!(
                        "the new key {new_hash} does not authenticate; the old key was left alone"
                    ),
                    &e,
                    "the new key's secret",
                ));
            }
            // Anything else (a 5xx, a timeout) says nothing about the new secret.
            Err(e) => {
                return Err(CliError::api_with(
                    &format!(
                        "could not verify the new key {new_hash} (GET /key with its secret \
                         failed; the old key was left untouched; the new secret is saved in {}; \
                         rerun the same command to verify again)",
                        secrets.display()
                    ),
                    &e,
                    "the new key's secret",
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

/// Rewrites the new-secrets file (`name,hash,key,replaces`) from the journal.
fn write_secrets(journal: &Journal, rows: &[(String, KeySpec)], path: &Path) -> CliResult<usize> {
    let state = journal.state();
    let records = rows.iter().filter_map(|(old, spec)| {
        let (hash, secret) = state.row(old)?.created.as_ref()?;
        Some(vec![
            spec.name.as_str(),
            hash.as_str(),
            secret.expose_secret(),
            old.as_str(),
        ])
    });
    write_private_csv(path, &["name", "hash", "key", "replaces"], records)
}
