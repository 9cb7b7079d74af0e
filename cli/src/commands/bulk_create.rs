//! `bulk-create FILE --secrets-out OUT`: one key per CSV row, exactly once across failures,
//! crashes and reruns (the batch engine, `batch/`).
//!
//! The CSV needs a `name` column; `limit`, `limit_reset`, `expires_at` and
//! `include_byok_in_limit` are optional per row and the flags give their defaults. Any other
//! column is refused (exit 2): a misspelt `limt` silently ignored would make keys without a
//! limit. The secrets file is CSV `row,name,hash,key`, mode 0600, rewritten
//! (atomically) at the end of every run with every row that has its key.

use crate::batch::{
    Batch, BatchKind, Found, NoSteps, Provisioned, Row, RowNumber, RowResult, duplicate_names,
    fingerprint, preexisting, report_orphans, report_settling, warn_preexisting,
};
use crate::cli::{BulkCreateArgs, KeySettings};
use crate::context::Context;
use crate::csv_input;
use crate::error::{CliError, CliResult};
use crate::exit::{Exit, ItemOutcome, Tally};
use crate::key_spec::{KeySpec, check_expiry, check_limit, parse_reset};
use crate::print::Printer;
use crate::render::{neutralised, printable};
use crate::secrets::{check_writable, refuse_not_a_file, refuse_same_file};
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
            // A real hash or secret never starts like a formula; one from a server that
            // misbehaves might.
            neutralised(hash),
            neutralised(secret),
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
    refuse_not_a_file(&args.secrets_out)?;
    let fingerprint = batch_fingerprint(&text, &args.defaults);
    let batch = match Batch::<BulkCreate>::open(&args.secrets_out, &fingerprint)? {
        Found::Resumed(batch) => {
            ctx.print.note(format_args!(
                "resuming the batch in {}",
                batch.journal().path().display()
            ));
            batch
        }
        Found::New(new) => {
            check_writable(&args.secrets_out, args.force)?;
            let rows = parse_rows(&text, args)?;
            let before = preexisting(ctx, &rows).await?;
            warn_preexisting(ctx.print, &before);
            let before = before.into_iter().map(|k| k.hash).collect();
            new.begin(before, rows)?
        }
    };
    let run = batch.provision(ctx, &args.batch, &NoSteps).await?;
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
    if let Some(problem) = csv_input::header_problem(&headers, "name") {
        return Err(CliError::usage(format!("{file}: {problem}")));
    }
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
    let columns = Columns {
        name: name_at,
        limit: limit_at,
        reset: reset_at,
        expires: expires_at,
        byok: byok_at,
    };
    // Every bad row is reported at once: five typos take one run to find, not six.
    let mut rows = Vec::new();
    let mut bad: Vec<String> = Vec::new();
    for (index, record) in reader.records().enumerate() {
        let id = RowNumber::at_index(index);
        let row = record
            .map_err(|e| csv_input::record_problem(&e))
            .and_then(|record| row_spec(&record, &columns, &defaults));
        match row {
            Ok(spec) => rows.push(Row { id, spec }),
            Err(why) => bad.push(format!("line {}: {why}", id.line())),
        }
    }
    let named = rows.iter().map(|row| (row.id, row.spec.name.as_str()));
    let duplicates = duplicate_names(named);
    for (first, again, name) in &duplicates {
        bad.push(format!(
            "lines {} and {} have the same name `{}`",
            first.line(),
            again.line(),
            excerpt(name)
        ));
    }
    if !bad.is_empty() {
        let shown = bad.len().min(MAX_SHOWN_ERRORS);
        let more = bad.len() - shown;
        let error = CliError::usage(format!(
            "{file}: {} bad row(s); nothing was sent:\n  {}{}",
            bad.len(),
            bad[..shown].join("\n  "),
            if more > 0 {
                format!("\n  ... and {more} more")
            } else {
                String::new()
            }
        ));
        let error = if duplicates.is_empty() {
            error
        } else {
            error.hint(
                "names must be unique within a batch (that is how a key whose create was \
                 interrupted is found again)",
            )
        };
        return Err(error.hint("fix these rows and run the same command again"));
    }
    if rows.is_empty() {
        return Err(CliError::usage(format!("{file}: no rows")));
    }
    Ok(rows)
}

/// Bad rows listed in one message at most; the rest are counted.
const MAX_SHOWN_ERRORS: usize = 50;

/// Where each column is in the CSV.
struct Columns {
    name: usize,
    limit: Option<usize>,
    reset: Option<usize>,
    expires: Option<usize>,
    byok: Option<usize>,
}

/// One CSV record as a key to create (the flags' `defaults` for empty cells), or why not.
fn row_spec(
    record: &csv::StringRecord,
    columns: &Columns,
    defaults: &KeySpec,
) -> Result<KeySpec, String> {
    let cell = |at: Option<usize>| at.and_then(|i| record.get(i)).filter(|v| !v.is_empty());
    let name = cell(Some(columns.name)).ok_or_else(|| "empty name".to_string())?;
    let mut spec = KeySpec {
        name: name.to_string(),
        ..defaults.clone()
    };
    if let Some(limit) = cell(columns.limit) {
        let value: f64 = limit
            .parse()
            .map_err(|_| format!("limit `{}` is not a number", excerpt(limit)))?;
        spec.limit = Some(check_limit(value)?);
    }
    if let Some(reset) = cell(columns.reset) {
        spec.limit_reset = Some(parse_reset(reset).map_err(|_| {
            format!(
                "limit_reset `{}` is not daily, weekly or monthly",
                excerpt(reset)
            )
        })?);
    }
    if let Some(at) = cell(columns.expires) {
        spec.expires_at = Some(check_expiry(at).map_err(|why| {
            if at.chars().count() > SHOWN_CELL_CHARS {
                format!("expires_at `{}` is not an RFC 3339 time", excerpt(at))
            } else {
                why
            }
        })?);
    }
    if let Some(byok) = cell(columns.byok) {
        spec.include_byok_in_limit = Some(match byok.to_ascii_lowercase().as_str() {
            "true" | "yes" | "1" => true,
            "false" | "no" | "0" => false,
            _ => {
                return Err(format!(
                    "include_byok_in_limit `{}` is not true or false",
                    excerpt(byok)
                ));
            }
        });
    }
    spec.check()
        .map_err(|(field, why)| format!("{field}: {why}"))?;
    Ok(spec)
}

/// The most characters of a cell a message shows.
const SHOWN_CELL_CHARS: usize = 40;

/// A cell as a message shows it: at most [`SHOWN_CELL_CHARS`] characters, made printable.
fn excerpt(cell: &str) -> String {
    let count = cell.chars().count();
    if count <= SHOWN_CELL_CHARS {
        return printable(cell).into_owned();
    }
    let start: String = cell.chars().take(SHOWN_CELL_CHARS).collect();
    format!("{}… ({count} characters)", printable(&start))
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
    report_orphans(print, "bulk-create", outcome.orphans_replaced);
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
            // No step follows a row's key in this kind of batch.
            RowResult::Created | RowResult::Settling | RowResult::StepFailed(_) => {}
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
    report_settling(print, &outcome.settling, |id| {
        let row = batch.rows().iter().find(|row| row.id == *id);
        let name = row.map(|row| excerpt(&row.spec.name)).unwrap_or_default();
        format!("row {id} ({name})")
    });
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

    /// The secrets file is opened in spreadsheets: a hash or a secret a misbehaving server
    /// made to start like a formula is neutralised as any text is; a real one is untouched.
    #[test]
    fn a_secrets_record_neutralises_a_hash_or_secret_that_starts_a_formula() {
        let spec = KeySpec::from_settings("row", &KeySettings::default()).unwrap();
        let row = Row {
            id: RowNumber::at_index(0),
            spec,
        };
        let record = BulkCreate::secrets_record(&row, "=HYPERLINK(1)", "@SUM(1)");
        assert_eq!(record[2], "'=HYPERLINK(1)");
        assert_eq!(record[3], "'@SUM(1)");
        let real = BulkCreate::secrets_record(&row, "0e6f5ad0", "sk-or-v1-0e6f");
        assert_eq!([&*real[2], &*real[3]], ["0e6f5ad0", "sk-or-v1-0e6f"]);
    }
}
