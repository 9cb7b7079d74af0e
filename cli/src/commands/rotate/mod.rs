//! `rotate HASH|--match GLOB --secrets-out FILE [--then disable|delete|keep]`: for each key,
//! create a replacement that never has wider access than the key it replaces
//! (`replacement.rs`: the same name, limit, reset, BYOK setting, workspace, creator, external
//! user and guardrail; the old lifetime from now, or `--expires-in`/`--expires-at`), give it
//! the old key's guardrail and check it holds it, check that the new secret works, and only
//! then retire the old key (`steps.rs`).
//!
//! Each step is journaled (`created`, `assigned`, `assignment_verified`, `verified`,
//! `retired`), so a rerun of the same command after any failure picks up where the previous
//! run stopped, and replacements are created exactly once (the batch engine of `bulk-create`,
//! `batch/`). Keys are rotated `--concurrency` at a time: each goes through its steps in
//! order, while the steps of different keys overlap.

mod fresh;
mod replacement;
mod steps;

use crate::batch::{
    Batch, BatchKind, Found, KeyHash, Outcome, Row, RowResult, RowState, Settle, duplicate_names,
    fingerprint, preexisting, report_foreign, report_orphans, report_settling,
};
use crate::cli::RotateArgs;
use crate::context::Context;
use crate::error::{CliError, CliResult};
use crate::exit::{Exit, ItemOutcome, Tally};
use crate::guardrails::assignments_of;
use crate::key_spec::expiry_of_flags;
use crate::key_state::inactive;
use crate::render::{describe, neutralised, printable};
use crate::secrets::check_writable;
use crate::select::{LeftOut, Matcher, filtered_keys, preview_and_confirm, resolve};
use openrouter_keys::Key;
use openrouter_keys::time::OffsetDateTime;
use replacement::{NewExpiry, not_carried, preview_line, replacements};
use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::path::Path;
use steps::RotationSteps;

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
            // A real hash or secret never starts like a formula; one from a server that
            // misbehaves might.
            neutralised(hash),
            neutralised(secret),
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
            fresh::refuse_changed_since_begun(ctx, &batch).await?;
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
            // The flags' expiry, checked before any key is looked up.
            let expiry = match expiry_of_flags(args.expires_at.as_deref(), args.expires_in)? {
                Some(at) => NewExpiry::Given(at),
                None => NewExpiry::OldLifetime,
            };
            let (keys, left_out, gone) = selected(ctx, args).await?;
            refuse_inactive(&keys)?;
            let guardrails = guardrails_of(ctx, &keys).await?;
            let now = OffsetDateTime::now_utc();
            let specs = replacements(&keys, &guardrails, &expiry, now)?;
            let lines: Vec<String> = keys
                .iter()
                .zip(&specs)
                .map(|(old, new)| preview_line(old, new, &expiry))
                .collect();
            let rows: Vec<Row<KeyHash>> = keys
                .iter()
                .zip(specs)
                .map(|(old, spec)| Row {
                    id: KeyHash::from(old.hash.clone()),
                    spec,
                })
                .collect();
            refuse_shared_names(&rows)?;
            refuse_unsendable(&rows)?;
            let plan = format!("rotate ({action} the old)");
            let mut aside = Vec::new();
            if !keys.is_empty() {
                aside.push(not_carried(&keys));
            }
            if left_out.total() > 0 {
                aside.push(format!(
                    "{} matching key(s) disabled or expired, not rotated: a replacement would \
                     be an active key (enable a key first to rotate it)",
                    left_out.total()
                ));
            }
            if gone > 0 {
                aside.push(format!(
                    "{gone} matching key(s) listed but deleted since (read again by hash), not \
                     rotated"
                ));
            }
            let aside = (!aside.is_empty()).then(|| aside.join("\n"));
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
                        format!(
                            "already {}: rotate it no further, create a key instead",
                            args.then.done()
                        )
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
        } else if retired > 0 {
            format!(" ({retired} old key(s) {})", args.then.done())
        } else {
            " (no old key touched)".to_string()
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

/// The keys to rotate, as they are now: the one `HASH`, or the keys matching `--match` that
/// the filters admit, each read again by hash (a listing may be seconds behind); how many
/// matching keys were left out for their state, and how many were deleted since listed.
async fn selected(ctx: &Context, args: &RotateArgs) -> CliResult<(Vec<Key>, LeftOut, usize)> {
    if args.target.hash.is_some() {
        return Ok((
            resolve(ctx, &args.target, None, false).await?,
            LeftOut::default(),
            0,
        ));
    }
    let matcher = Matcher::new(&args.target.patterns)?;
    let (listed, mut left_out) = filtered_keys(ctx, &args.filters, false, &matcher).await?;
    let (keys, gone) = fresh::as_they_are(ctx, listed, &args.filters, &mut left_out).await?;
    Ok((keys, left_out, gone))
}

/// The guardrail each of `keys` holds (a key missing from the map holds none): read once,
/// before anything is created, since a replacement must get its old key's.
async fn guardrails_of(ctx: &Context, keys: &[Key]) -> CliResult<HashMap<String, String>> {
    let hashes: HashSet<&str> = keys.iter().map(|key| key.hash.as_str()).collect();
    assignments_of(ctx, &hashes).await.map_err(|e| {
        e.hint(
            "a replacement gets the guardrail of the key it replaces, so the rotation needs to \
             read them first; nothing was changed",
        )
    })
}

/// What tells this rotation from another: its targets, filters and `--then`, as every
/// earlier version wrote them (the arguments' derived `Debug`), so that a rotation begun
/// before an upgrade resumes after it (pinned by a test); and the flags that change what is
/// created (`--expires-at`, `--expires-in`) only when given, for the same reason.
fn rotation_fingerprint(args: &RotateArgs) -> String {
    let mut text = format!(
        "{:?}\0{:?}\0{:?}\0{:?}",
        args.target.hash, args.target.patterns, args.filters, args.then
    );
    if let Some(at) = &args.expires_at {
        text.push_str(&format!("\0expires_at={at}"));
    }
    if let Some(after) = args.expires_in {
        text.push_str(&format!("\0expires_in={}s", after.as_secs()));
    }
    fingerprint(&text)
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
        .filter_map(|k| Some(format!("  {}  {}", describe(k), inactive(k, now)?)))
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

    /// An expiry flag changes what is created: another rotation, another fingerprint.
    #[test]
    fn an_expiry_flag_makes_another_rotation() {
        let of = |extra: &[&str]| {
            let mut argv = vec![
                "openrouter-keys",
                "rotate",
                "--match",
                "row-*",
                "--then",
                "delete",
                "--secrets-out",
                "r.csv",
            ];
            argv.extend_from_slice(extra);
            let Command::Rotate(args) = Cli::parse_from(argv).command else {
                panic!("not rotate");
            };
            rotation_fingerprint(&args)
        };
        let plain = of(&[]);
        assert_eq!(plain, "e823660ee3705fb0");
        let in_30 = of(&["--expires-in", "30d"]);
        let in_60 = of(&["--expires-in", "60d"]);
        let at = of(&["--expires-at", "2030-01-01"]);
        assert!(plain != in_30 && in_30 != in_60 && in_60 != at && at != plain);
        assert_eq!(of(&["--expires-in", "720h"]), in_30, "the same length");
    }
}
