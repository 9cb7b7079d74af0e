//! `bulk-delete FILE`: deletes every key the file names by hash. The file (`-`: stdin) is a
//! secrets file of `bulk-create`/`rotate`, or `list --format csv|json|ndjson` output; only
//! `hash` (and `name`, for the preview) is read.
//!
//! A key already gone (404) counts as deleted, so a rerun after a failure finishes the job.

use crate::cli::BulkDeleteArgs;
use crate::context::Context;
use crate::csv_input;
use crate::error::{CliError, CliResult};
use crate::exit::{Exit, ItemOutcome, Tally};
use crate::given_hash;
use crate::print::Progress;
use crate::render::{printable, restored};
use crate::select::preview_and_confirm;
use futures_util::StreamExt;
use openrouter_keys::ApiErrorKind;
use std::collections::HashSet;

/// What became of one key.
enum Deleted {
    Now,
    /// 404: deleted before (a rerun), or never existed.
    AlreadyGone,
}

pub async fn run(ctx: &Context, args: &BulkDeleteArgs) -> CliResult<Exit> {
    let print = ctx.print;
    let text = read_input(ctx, args).await?;
    let from = match args.file.as_os_str() == "-" {
        true => "stdin".into(),
        false => args.file.display().to_string(),
    };
    let entries = parse(&text).map_err(|why| CliError::usage(format!("{from}: {why}")))?;
    // Refused before anything is deleted, and never echoed (a preview would show it).
    if let Some(at) = entries
        .iter()
        .position(|(hash, _)| given_hash::holds_secret(hash))
    {
        return Err(given_hash::secret_given(&format!(
            "{from}: the hash of entry {}",
            at + 1
        )));
    }
    let lines: Vec<String> = entries
        .iter()
        .map(|(hash, name)| {
            format!(
                "{}  {}",
                given_hash::shown(hash),
                printable(name.as_deref().unwrap_or(""))
            )
        })
        .collect();
    if !preview_and_confirm(ctx, args.confirm, "delete", &lines, None).await? {
        return Ok(Exit::Success);
    }
    let client = ctx.client()?;
    let progress = Progress::new(print, "bulk-delete", entries.len(), 0);
    let results: Vec<(String, Result<Deleted, openrouter_keys::Error>)> =
        futures_util::stream::iter(entries.iter().map(|(hash, _)| hash.clone()))
            .map(|hash| async {
                let result = ctx.pace.paced(client.keys().delete(hash.as_str())).await;
                progress.advance();
                let result = match result {
                    Ok(()) => Ok(Deleted::Now),
                    Err(e) if e.as_api().is_some_and(|a| a.kind == ApiErrorKind::NotFound) => {
                        Ok(Deleted::AlreadyGone)
                    }
                    Err(e) => Err(e),
                };
                (hash, result)
            })
            .buffer_unordered(usize::from(args.concurrency))
            .collect()
            .await;
    progress.finish();
    let mut tally = Tally::default();
    let mut gone = 0;
    for (hash, result) in &results {
        match result {
            // stdout lists what this run deleted; the rest is a diagnostic.
            Ok(Deleted::Now) => {
                print.record(format_args!("deleted {}", given_hash::shown(hash)));
                tally.add(ItemOutcome::Done);
            }
            Ok(Deleted::AlreadyGone) => {
                gone += 1;
                print.note(format_args!(
                    "no key {} (already deleted, or never existed)",
                    given_hash::shown(hash)
                ));
                tally.add(ItemOutcome::Done);
            }
            Err(e) => {
                let error =
                    ctx.api_error(&format!("cannot delete key {}", given_hash::shown(hash)), e);
                print.error(&error);
                tally.add(ItemOutcome::Failed(error.exit()));
            }
        }
    }
    let failed = tally.failed();
    print.note(format_args!(
        "bulk-delete: {} of {} key(s) deleted, {gone} already gone, {failed} failed",
        results.len() - failed - gone,
        results.len()
    ));
    Ok(tally.exit())
}

/// The file's text, or stdin's for `-`. Reading the hashes from stdin leaves no stdin to
/// answer a prompt on: without --yes or --dry-run that is refused before anything is read.
async fn read_input(ctx: &Context, args: &BulkDeleteArgs) -> CliResult<String> {
    if args.file.as_os_str() != "-" {
        return std::fs::read_to_string(&args.file)
            .map_err(|e| CliError::input("cannot read", &args.file, &e));
    }
    if !args.confirm.yes && !args.confirm.dry_run {
        return Err(CliError::usage(
            "the keys to delete come from stdin (`-`), so no prompt can be answered there",
        )
        .hint("pass --yes to delete them, or --dry-run to see the plan")
        .hint("a file named `-` is `./-`"));
    }
    ctx.print
        .read_stdin()
        .await
        .map_err(|e| CliError::usage(format!("cannot read stdin: {e}")))
}

/// `(hash, name)` pairs from CSV (a `hash` column), a JSON array (of keys or of hash
/// strings) or NDJSON; duplicates dropped, order kept.
fn parse(text: &str) -> Result<Vec<(String, Option<String>)>, String> {
    let trimmed = text.trim_start();
    let mut entries = Vec::new();
    if trimmed.starts_with('[') {
        let values: Vec<serde_json::Value> =
            serde_json::from_str(trimmed).map_err(|e| format!("not a JSON array: {e}"))?;
        for value in &values {
            entries.push(from_json(value)?);
        }
    } else if trimmed.starts_with('{') {
        for (number, line) in trimmed
            .lines()
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty())
        {
            let value: serde_json::Value = serde_json::from_str(line)
                .map_err(|e| format!("line {}: not JSON: {e}", number + 1))?;
            entries.push(from_json(&value)?);
        }
    } else {
        // A name is shown as the key has it (`  =spaced`, blanks included); blanks around a
        // header or a hash, where a hand-edited file may have them, are dropped.
        let mut reader = csv::ReaderBuilder::new()
            .trim(csv::Trim::Headers)
            .from_reader(text.as_bytes());
        let headers = reader
            .headers()
            .map_err(|e| csv_input::record_problem(&e))?
            .clone();
        if let Some(problem) = csv_input::header_problem(&headers, "hash") {
            return Err(problem);
        }
        let hash_at = headers
            .iter()
            .position(|h| h == "hash")
            .ok_or("no `hash` column in the CSV header")?;
        let name_at = headers.iter().position(|h| h == "name");
        for (index, record) in reader.records().enumerate() {
            // Line 1 is the header.
            let record = record
                .map_err(|e| format!("line {}: {}", index + 2, csv_input::record_problem(&e)))?;
            if let Some(hash) = record
                .get(hash_at)
                .map(|cell| restored(cell.trim()))
                .filter(|h| !h.is_empty())
            {
                // Our CSVs neutralise text for spreadsheets (a real hash never needs it).
                let name = name_at
                    .and_then(|i| record.get(i))
                    .map(|name| restored(name).to_string());
                entries.push((hash.to_string(), name));
            }
        }
    }
    let mut seen = HashSet::new();
    entries.retain(|(hash, _)| seen.insert(hash.clone()));
    Ok(entries)
}

fn from_json(value: &serde_json::Value) -> Result<(String, Option<String>), String> {
    match value {
        serde_json::Value::String(hash) => Ok((hash.clone(), None)),
        serde_json::Value::Object(object) => match object.get("hash") {
            Some(serde_json::Value::String(hash)) => Ok((
                hash.clone(),
                object
                    .get("name")
                    .and_then(|n| n.as_str())
                    .map(str::to_string),
            )),
            _ => Err("a JSON entry has no `hash` string".to_string()),
        },
        _ => Err("JSON entries must be keys (objects with `hash`) or hash strings".to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::parse;

    #[test]
    fn reads_csv_json_and_ndjson() {
        let csv = "row,name,hash,key\n1,a,h1,sk-x\n2,b,h2,sk-y\n1,a,h1,sk-x\n";
        assert_eq!(parse(csv).unwrap().len(), 2);
        let json = r#"[{"hash":"h1","name":"a"},"h2"]"#;
        assert_eq!(parse(json).unwrap()[1], ("h2".to_string(), None));
        let ndjson = "{\"hash\":\"h1\"}\n\n{\"hash\":\"h3\"}\n";
        assert_eq!(parse(ndjson).unwrap().len(), 2);
        assert!(parse("name\nx\n").is_err());
        // A name neutralised for spreadsheets is read back as it was; the hash as written.
        let csv = "hash,name\nh1,'=1+1\nh2,''=2\nh3,'plain\n";
        let names: Vec<_> = parse(csv).unwrap().into_iter().map(|(_, n)| n).collect();
        assert_eq!(
            names,
            [
                Some("=1+1".into()),
                Some("'=2".into()),
                Some("'plain".into())
            ]
        );
        assert!(parse("[1]").is_err());
        // Names as the keys have them; blanks around headers and hashes dropped.
        let csv = " hash , name\n h1 ,  =spaced \n";
        assert_eq!(
            parse(csv).unwrap(),
            [("h1".to_string(), Some("  =spaced ".to_string()))]
        );
    }
}
