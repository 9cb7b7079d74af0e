//! `bulk-create FILE --secrets-out OUT`: one key per CSV row, exactly once across failures,
//! crashes and reruns (the batch engine, `batch/`).
//!
//! The CSV needs a `name` column; `limit`, `limit_reset`, `expires_at` and
//! `include_byok_in_limit` are optional per row and the flags give their defaults. Any other
//! column is refused (exit 2): a misspelt `limt` silently ignored would make keys without a
//! limit. The secrets file is CSV `row,name,hash,key`, mode 0600, rewritten
//! (atomically) at the end of every run with every row that has its key.

use crate::batch::{
    Batch, BatchKind, Provisioned, Row, RowNumber, RowResult, check_unique_names, fingerprint,
    preexisting, warn_preexisting,
};
use crate::cli::{BulkCreateArgs, KeySettings};
use crate::context::Context;
use crate::error::{CliError, CliResult};
use crate::exit::{Exit, ItemOutcome, Tally};
use crate::key_spec::{KeySpec, check_expiry, check_limit, parse_reset};
use crate::print::Printer;
use crate::render::neutralised;
use crate::secrets::{check_writable, refuse_directory, refuse_same_file};
use std::borrow::Cow;
use std::path::Path;

/// The batch kind of `bulk-create`: rows are the CSV's, numbered from 1.
struct BulkCreate;

impl BatchKind for BulkCreate {
    const COMMAND: &'static str = "bulk-create";
    const PROGRESS: &'static str = "bulk-create";
    const SECRETS_COLUMNS: [&'static str; 4] = ["row", "name", "hash", "key"];
    type Id = RowNumber;

    fn secrets_record<'a>(
        row: &'a Row<RowNumber>,
        hash: &'a str,
        secret: &'a str,
    ) -> [Cow<'a, str>; 4] {
        [
            Cow::Owned(row.id.to_string()),
            neutralised(&row.spec.name),
            Cow::Borrowed(hash),
            Cow::Borrowed(secret),
        ]
    }
}

/// The columns of the input CSV (case-insensitive); no other is accepted.
const COLUMNS: [&str; 5] = [
    "name",
    "limit",
    "limit_reset",
    "expires_at",
    "include_byok_in_limit",
];

pub async fn run(ctx: &Context, args: &BulkCreateArgs) -> CliResult<Exit> {
    let text = std::fs::read_to_string(&args.file)
        .map_err(|e| CliError::input("cannot read", &args.file, &e))?;
    // Before the journal too: a resumed batch rewrites the secrets file at its end.
    refuse_same_file(&args.secrets_out, &args.file)?;
    refuse_directory(&args.secrets_out)?;
    let fingerprint = batch_fingerprint(&text, &args.defaults);
    let batch = match Batch::<BulkCreate>::resume(&args.secrets_out, &fingerprint)? {
        Some(batch) => {
            ctx.print.note(format_args!(
                "resuming the batch in {}",
                batch.journal().path().display()
            ));
            batch
        }
        None => {
            check_writable(&args.secrets_out, args.force)?;
            let rows = parse_rows(&text, args)?;
            let before = preexisting(ctx, &rows).await?;
            warn_preexisting(ctx.print, &before);
            let before = before.into_iter().map(|k| k.hash).collect();
            Batch::begin(&args.secrets_out, &fingerprint, before, rows)?
        }
    };
    let run = batch.provision(ctx, usize::from(args.concurrency)).await?;
    Ok(summarize(ctx.print, &batch, &run, &args.secrets_out))
}

/// What tells this batch from another: the CSV's text and the flags' defaults, as every
/// earlier version wrote them (the defaults' derived `Debug`), so that a batch begun before
/// an upgrade resumes after it. Pinned by a test: a new flag must leave this text as it is
/// when unset.
fn batch_fingerprint(text: &str, defaults: &KeySettings) -> String {
    fingerprint(&format!("{text}\0{defaults:?}"))
}

/// The rows of the CSV with the flags' defaults applied, numbered from 1.
fn parse_rows(text: &str, args: &BulkCreateArgs) -> CliResult<Vec<Row<RowNumber>>> {
    let file = args.file.display();
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let headers = reader
        .headers()
        .map_err(|e| CliError::usage(format!("{file}: {e}")))?
        .clone();
    if let Some(unknown) = headers
        .iter()
        .find(|h| !COLUMNS.iter().any(|c| h.eq_ignore_ascii_case(c)))
    {
        return Err(CliError::usage(format!(
            "{file}: unknown column `{unknown}` in the header; the columns are {} (only `name` \
             is required)",
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
                "{file}: the column `{header}` appears twice in the header; keep one"
            )));
        }
    }
    let column = |name: &str| headers.iter().position(|h| h.eq_ignore_ascii_case(name));
    let name_at = column("name")
        .ok_or_else(|| CliError::usage(format!("{file}: no `name` column in the header")))?;
    let (limit_at, reset_at, expires_at, byok_at) = (
        column("limit"),
        column("limit_reset"),
        column("expires_at"),
        column("include_byok_in_limit"),
    );
    // The flags' defaults, checked once as flags (not as some row's error).
    let defaults = KeySpec::from_settings("-", &args.defaults)?;
    let mut rows = Vec::new();
    for (index, record) in reader.records().enumerate() {
        let id = RowNumber::at_index(index);
        let bad = |what: String| CliError::usage(format!("{file} line {}: {what}", id.line()));
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
            spec.limit = Some(check_limit(value).map_err(bad)?);
        }
        if let Some(reset) = cell(reset_at) {
            spec.limit_reset = Some(parse_reset(reset).map_err(bad)?);
        }
        if let Some(at) = cell(expires_at) {
            spec.expires_at = Some(check_expiry(at).map_err(bad)?);
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
        rows.push(Row { id, spec });
    }
    if rows.is_empty() {
        return Err(CliError::usage(format!("{file}: no rows")));
    }
    check_unique_names(&rows, |a, b| {
        format!("{file} lines {} and {}", a.line(), b.line())
    })?;
    Ok(rows)
}

/// Says how the batch stands, and what remains; its exit code.
fn summarize(
    print: Printer,
    batch: &Batch<BulkCreate>,
    run: &Provisioned<RowNumber>,
    secrets: &Path,
) -> Exit {
    let outcome = &run.outcome;
    crate::batch::report_foreign(print, &outcome.foreign);
    let total = batch.rows().len();
    let gone = outcome.gone.len();
    print.note(format_args!(
        "bulk-create: {} of {total} rows have a key ({} created now, {} before); secrets in {}",
        run.saved.saturating_sub(gone),
        outcome.created_now,
        run.already.saturating_sub(gone),
        secrets.display()
    ));
    if outcome.orphans_replaced > 0 {
        print.note(format_args!(
            "bulk-create: {} key(s) made for a row by an interrupted create, without a saved \
             secret, were deleted (their rows were created again)",
            outcome.orphans_replaced
        ));
    }
    let mut tally = Tally::default();
    let (mut in_doubt, mut without_key) = (0, 0);
    for row in batch.rows() {
        let result = outcome.of_row(&row.id);
        match &result {
            RowResult::Failed(why) => {
                print.error(&format_args!("row {}: {why}", row.id));
                without_key += 1;
            }
            RowResult::Gone(hash) => print.error(&format_args!(
                "row {}: its key {hash}, created by this batch, no longer exists (its secret \
                 stays in the secrets file)",
                row.id
            )),
            RowResult::Unfinished => without_key += 1,
            RowResult::InDoubt => in_doubt += 1,
            RowResult::Created => {}
        }
        tally.add(result.outcome());
    }
    if gone > 0 {
        // Not created again: they may have been deleted on purpose, and this batch has
        // already made their keys once.
        print.error(&format_args!(
            "{gone} row(s) whose key this batch created no longer exist (deleted since); the \
             batch does not create them again. To make new keys for them, run bulk-create \
             with a CSV of just those rows and another --secrets-out"
        ));
    }
    if outcome.unchecked {
        tally.add(ItemOutcome::Unknown);
        print.error(
            &"the final check for keys without a saved secret could not finish (listing \
             the keys, or deleting a stray one, failed); rerun the same command to check again",
        );
    } else if in_doubt > 0 {
        print.error(&format_args!(
            "{in_doubt} row(s) may or may not have a key yet; rerun the same command to \
             reconcile them"
        ));
    } else if without_key > 0 {
        print.error(&format_args!(
            "{without_key} row(s) have no key; rerun the same command to retry them"
        ));
    }
    tally.exit()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::Reset;

    /// A batch begun before an upgrade must resume after it: the fingerprints of the
    /// version that wrote `tests/fixtures/bulk-create-0.1.journal`, and of a default run.
    #[test]
    fn the_fingerprint_is_the_one_earlier_versions_wrote() {
        let defaults = KeySettings::default();
        assert_eq!(
            batch_fingerprint("name\nup-1\nup-2\n", &defaults),
            "43c82b9d65a95645"
        );
        let flags = KeySettings {
            limit: Some(2.0),
            reset: Some(Reset::Weekly),
            ..KeySettings::default()
        };
        let csv =
            "name,limit,limit_reset,expires_at\nrow-a,5,monthly,2031-01-01T00:00:00Z\nrow-b,,,\n";
        assert_eq!(batch_fingerprint(csv, &flags), "851b7fc1c02afc1a");
    }
}
