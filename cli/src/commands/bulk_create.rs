//! `bulk-create FILE --secrets-out OUT`: one key per CSV row, exactly once across failures,
//! crashes and reruns (the journal, `journal.rs`; the engine, `provision.rs`).
//!
//! The CSV needs a `name` column; `limit`, `limit_reset`, `expires_at` and
//! `include_byok_in_limit` are optional per row and the flags give their defaults. Any other
//! column is refused (exit 2): a misspelt `limt` silently ignored would make keys without a
//! limit. The secrets file is CSV `row,name,hash,key`, mode 0600, rewritten
//! (atomically) at the end of every run with every row that has its key.

use crate::cli::BulkCreateArgs;
use crate::commands::create::{check_expiry, check_limit, spec_from};
use crate::exit::{CliError, CliResult, Exit};
use crate::journal::{self, Journal};
use crate::output::note;
use crate::progress::Progress;
use crate::provision::{KeySpec, Outcome, check_unique_names, create_all, preexisting};
use crate::secrets::{check_writable, refuse_directory, refuse_same_file, write_private_csv};
use openrouter_keys::{Client, ExposeSecret};
use std::path::Path;

const COMMAND: &str = "bulk-create";

/// The columns of the input CSV (case-insensitive); no other is accepted.
const COLUMNS: [&str; 5] = [
    "name",
    "limit",
    "limit_reset",
    "expires_at",
    "include_byok_in_limit",
];

pub async fn run(client: &Client, args: &BulkCreateArgs, quiet: bool) -> CliResult {
    let text = std::fs::read_to_string(&args.file)
        .map_err(|e| CliError::input("cannot read", &args.file, &e))?;
    // Before the journal too: a resumed batch rewrites the secrets file at its end.
    refuse_same_file(&args.secrets_out, &args.file)?;
    refuse_directory(&args.secrets_out)?;
    let fingerprint = journal::fingerprint(&format!("{text}\0{:?}", args.defaults));
    let journal_path = journal::path_for(&args.secrets_out);
    let (journal, rows) = match Journal::resume(&journal_path, COMMAND, &fingerprint)? {
        Some(journal) => {
            let rows: Vec<(String, KeySpec)> = journal.rows()?;
            note(
                quiet,
                format!("resuming the batch in {}", journal_path.display()),
            );
            (journal, rows)
        }
        None => {
            check_writable(&args.secrets_out, args.force)?;
            let rows = parse_rows(&text, args)?;
            let before = preexisting(client, &rows).await?;
            warn_preexisting(&before);
            let before: Vec<String> = before.into_iter().map(|k| k.hash).collect();
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
    let already = {
        let state = journal.state();
        rows.iter()
            .filter(|(r, _)| state.row(r).is_some_and(|s| s.created.is_some()))
            .count()
    };
    let progress = Progress::new("bulk-create", rows.len(), already, quiet);
    let result = create_all(
        client,
        &journal,
        &rows,
        usize::from(args.concurrency),
        &progress,
    )
    .await;
    progress.finish();
    // Whatever happened, the secrets file holds every key the journal has (keys found
    // deleted since included: a key only missing from a listing must not lose its secret).
    let saved = journal.save_secrets(&args.secrets_out, |journal| {
        write_secrets(journal, &rows, &args.secrets_out)
    })?;
    let outcome = result?;
    summarize(
        &outcome,
        rows.len(),
        already,
        saved,
        &args.secrets_out,
        quiet,
    )
}

/// Keys that had one of the batch's names before it began: the batch makes a second key of
/// each such name (names are not unique in the API). Said, listed, not refused: re-issuing a
/// name is a normal thing to do, and the batch never touches these keys (`journal.rs`).
/// Shown even with `--quiet`: it is a warning, not progress.
fn warn_preexisting(keys: &[openrouter_keys::Key]) {
    if keys.is_empty() {
        return;
    }
    crate::output::err_line(format_args!(
        "warning: {} existing key(s) already carry a name of this batch; the batch makes \
         new keys beside them and leaves them alone:",
        keys.len()
    ));
    for key in keys {
        crate::output::err_line(format_args!(
            "  {}  {}",
            crate::output::printable(&key.hash),
            crate::output::shown_name(key)
        ));
    }
}

/// The rows of the CSV with the flags' defaults applied, numbered from 1.
fn parse_rows(text: &str, args: &BulkCreateArgs) -> CliResult<Vec<(String, KeySpec)>> {
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let headers = reader
        .headers()
        .map_err(|e| CliError::usage(format!("{}: {e}", args.file.display())))?
        .clone();
    if let Some(unknown) = headers
        .iter()
        .find(|h| !COLUMNS.iter().any(|c| h.eq_ignore_ascii_case(c)))
    {
        return Err(CliError::usage(format!(
            "{}: unknown column `{unknown}` in the header; the columns are {} (only `name` is \
             required)",
            args.file.display(),
            COLUMNS.map(|c| format!("`{c}`")).join(", ")
        )));
    }
    for (at, header) in headers.iter().enumerate() {
        if headers
            .iter()
            .take(at)
            .any(|h| h.eq_ignore_ascii_case(header))
        {
            return Err(CliError::usage(format!(
                "{}: the column `{header}` appears twice in the header; keep one",
                args.file.display()
            )));
        }
    }
    let column = |name: &str| headers.iter().position(|h| h.eq_ignore_ascii_case(name));
    let name_at = column("name").ok_or_else(|| {
        CliError::usage(format!(
            "{}: no `name` column in the header",
            args.file.display()
        ))
    })?;
    let (limit_at, reset_at, expires_at, byok_at) = (
        column("limit"),
        column("limit_reset"),
        column("expires_at"),
        column("include_byok_in_limit"),
    );
    // The flags' defaults, checked once as flags (not as some row's error).
    let defaults = spec_from("-", &args.defaults)?;
    let mut rows = Vec::new();
    for (index, record) in reader.records().enumerate() {
        let line = index + 2;
        let bad =
            |what: String| CliError::usage(format!("{} line {line}: {what}", args.file.display()));
        let record = record.map_err(|e| bad(e.to_string()))?;
        let cell = |at: Option<usize>| at.and_then(|i| record.get(i)).filter(|v| !v.is_empty());
        let name = cell(Some(name_at)).ok_or_else(|| bad("empty name".to_string()))?;
        let mut spec = KeySpec {
            name: name.to_string(),
            ..defaults.clone()
        };
        if let Some(limit) = cell(limit_at) {
            let value: f64 = limit
                .parse()
                .map_err(|_| bad(format!("limit `{limit}` is not a number")))?;
            spec.limit = Some(check_limit(value).map_err(|e| bad(e.message))?);
        }
        if let Some(reset) = cell(reset_at) {
            if !matches!(reset, "daily" | "weekly" | "monthly") {
                return Err(bad(format!(
                    "limit_reset `{reset}` is not daily, weekly or monthly"
                )));
            }
            spec.limit_reset = Some(reset.to_string());
        }
        if let Some(at) = cell(expires_at) {
            spec.expires_at = Some(check_expiry(at).map_err(|e| bad(e.message))?);
        }
        if let Some(byok) = cell(byok_at) {
            let value = match byok.to_ascii_lowercase().as_str() {
                "true" | "yes" | "1" => true,
                "false" | "no" | "0" => false,
                _ => {
                    return Err(bad(format!(
                        "include_byok_in_limit `{byok}` is not true or false"
                    )));
                }
            };
            spec.include_byok_in_limit = Some(value);
        }
        rows.push(((index + 1).to_string(), spec));
    }
    if rows.is_empty() {
        return Err(CliError::usage(format!("{}: no rows", args.file.display())));
    }
    check_unique_names(&rows, |a, b| {
        format!(
            "{} lines {} and {}",
            args.file.display(),
            line_of(a),
            line_of(b)
        )
    })?;
    Ok(rows)
}

/// The CSV line of row `row` (rows are numbered from 1, after the header line).
fn line_of(row: &str) -> String {
    row.parse::<usize>()
        .map_or_else(|_| row.to_string(), |n| (n + 1).to_string())
}

/// Rewrites the secrets file (`row,name,hash,key`) from the journal; returns how many
/// secrets it holds.
fn write_secrets(journal: &Journal, rows: &[(String, KeySpec)], path: &Path) -> CliResult<usize> {
    let state = journal.state();
    let records = rows.iter().filter_map(|(row, spec)| {
        let (hash, secret) = state.row(row)?.created.as_ref()?;
        Some(vec![
            row.as_str(),
            spec.name.as_str(),
            hash.as_str(),
            secret.expose_secret(),
        ])
    });
    write_private_csv(path, &["row", "name", "hash", "key"], records)
}

fn summarize(
    outcome: &Outcome,
    total: usize,
    already: usize,
    saved: usize,
    secrets: &Path,
    quiet: bool,
) -> CliResult {
    crate::provision::report_foreign(&outcome.foreign);
    note(
        quiet,
        format!(
            "bulk-create: {} of {total} rows have a key ({} created now, {} before); \
             secrets in {}",
            saved.saturating_sub(outcome.gone.len()),
            outcome.created_now,
            already.saturating_sub(outcome.gone.len()),
            secrets.display()
        ),
    );
    if outcome.orphans_replaced > 0 {
        note(
            quiet,
            format!(
                "bulk-create: {} key(s) made for a row by an interrupted create, without a saved \
                 secret, were deleted (their rows were created again)",
                outcome.orphans_replaced
            ),
        );
    }
    for (row, why) in &outcome.failed {
        crate::output::err_line(format_args!("error: row {row}: {why}"));
    }
    for (row, hash) in &outcome.gone {
        crate::output::err_line(format_args!(
            "error: row {row}: its key {hash}, created by this batch, no longer exists (its \
             secret stays in the secrets file)"
        ));
    }
    if !outcome.gone.is_empty() {
        // Not created again: they may have been deleted on purpose, and this batch has
        // already made their keys once.
        crate::output::err_line(format_args!(
            "error: {} row(s) whose key this batch created no longer exist (deleted since); \
             the batch does not create them again. To make new keys for them, run bulk-create \
             with a CSV of just those rows and another --secrets-out",
            outcome.gone.len()
        ));
    }
    if outcome.unchecked {
        crate::output::err_line(format_args!(
            "error: the final check for keys without a saved secret could not finish (listing \
             the keys, or deleting a stray one, failed); rerun the same command to check again"
        ));
        return Ok(Exit::OutcomeUnknown);
    }
    if !outcome.in_doubt.is_empty() {
        crate::output::err_line(format_args!(
            "error: {} row(s) may or may not have a key yet; rerun the same command to reconcile them",
            outcome.in_doubt.len()
        ));
        return Ok(Exit::OutcomeUnknown);
    }
    if !outcome.unfinished.is_empty() || !outcome.failed.is_empty() {
        crate::output::err_line(format_args!(
            "error: {} row(s) have no key; rerun the same command to retry them",
            outcome.unfinished.len() + outcome.failed.len()
        ));
        return Ok(Exit::Partial);
    }
    if !outcome.gone.is_empty() {
        return Ok(Exit::Partial);
    }
    Ok(Exit::Success)
}
