//! `update`, `enable`, `disable`, `delete`: one change applied to one key or to every key
//! matching `--match`, after a preview and a confirmation (see `select.rs`).

use crate::cli::{ChangeArgs, UpdateArgs};
use crate::commands::create::{check_limit, reset_text};
use crate::exit::{CliError, CliResult, Exit};
use crate::output::{note, usd};
use crate::select::{describe, preview_and_confirm, resolve};
use futures_util::StreamExt;
use openrouter_keys::{Client, Key, KeyUpdate, LimitReset};

/// What happens to each key.
enum Change {
    Update(KeyUpdate),
    Delete,
}

pub async fn enable(client: &Client, args: &ChangeArgs, quiet: bool) -> CliResult {
    let mut args = args.clone();
    // Only disabled keys can be enabled: list them.
    args.filters.include_disabled = true;
    let keys = resolve(client, &args.target, &args.filters).await?;
    let keys: Vec<Key> = keys
        .into_iter()
        .filter(|k| k.disabled != Some(false))
        .collect();
    let lines = keys.iter().map(describe).collect::<Vec<_>>();
    apply(
        client,
        &args,
        keys,
        lines,
        "enable",
        Change::Update(KeyUpdate::new().disabled(false)),
        quiet,
    )
    .await
}

pub async fn disable(client: &Client, args: &ChangeArgs, quiet: bool) -> CliResult {
    let keys = resolve(client, &args.target, &args.filters).await?;
    let keys: Vec<Key> = keys
        .into_iter()
        .filter(|k| k.disabled != Some(true))
        .collect();
    let lines = keys.iter().map(describe).collect::<Vec<_>>();
    apply(
        client,
        args,
        keys,
        lines,
        "disable",
        Change::Update(KeyUpdate::new().disabled(true)),
        quiet,
    )
    .await
}

pub async fn delete(client: &Client, args: &ChangeArgs, quiet: bool) -> CliResult {
    let keys = resolve(client, &args.target, &args.filters).await?;
    let lines = keys.iter().map(describe).collect::<Vec<_>>();
    apply(client, args, keys, lines, "delete", Change::Delete, quiet).await
}

pub async fn update(client: &Client, args: &UpdateArgs, quiet: bool) -> CliResult {
    let mut update = KeyUpdate::new();
    let mut what = Vec::new();
    if let Some(name) = &args.name {
        if name.trim().is_empty() {
            return Err(CliError::usage("--name: a key's name cannot be empty"));
        }
        if args.change.target.hash.is_none() {
            return Err(CliError::usage(
                "--name renames one key: give its HASH, not --match",
            ));
        }
        update = update.name(name.as_str());
        what.push(format!("name -> {name}"));
    }
    if let Some(limit) = args.limit {
        update = update.limit(check_limit(limit)?);
        what.push(format!("limit -> {}", usd(Some(limit))));
    }
    if args.no_limit {
        update = update.clear_limit();
        what.push("limit -> none".to_string());
    }
    if let Some(reset) = args.reset {
        update = update.limit_reset(LimitReset::from(reset_text(reset)));
        what.push(format!("reset -> {}", reset_text(reset)));
    }
    if args.no_reset {
        update = update.clear_limit_reset();
        what.push("reset -> never".to_string());
    }
    if let Some(include) = args.include_byok {
        update = update.include_byok_in_limit(include);
        what.push(format!("BYOK in limit -> {include}"));
    }
    if what.is_empty() {
        return Err(CliError::usage(
            "nothing to update: give --name, --limit, --no-limit, --reset, --no-reset or --include-byok",
        ));
    }
    let keys = resolve(client, &args.change.target, &args.change.filters).await?;
    let what = what.join(", ");
    let lines = keys
        .iter()
        .map(|k| format!("{}  ({what}; limit now {})", describe(k), usd(k.limit)))
        .collect::<Vec<_>>();
    apply(
        client,
        &args.change,
        keys,
        lines,
        "update",
        Change::Update(update),
        quiet,
    )
    .await
}

async fn apply(
    client: &Client,
    args: &ChangeArgs,
    keys: Vec<Key>,
    lines: Vec<String>,
    action: &str,
    change: Change,
    quiet: bool,
) -> CliResult {
    if !preview_and_confirm(args.confirm, action, &lines, quiet).await? {
        return Ok(Exit::Success);
    }
    let total = keys.len();
    let change = &change;
    let results: Vec<(Key, Result<(), openrouter_keys::Error>)> = futures_util::stream::iter(keys)
        .map(|key| async move {
            let result = match change {
                Change::Update(update) => client
                    .keys()
                    .update(key.hash.as_str(), update.clone())
                    .await
                    .map(drop),
                Change::Delete => client.keys().delete(key.hash.as_str()).await,
            };
            (key, result)
        })
        .buffer_unordered(4)
        .collect()
        .await;
    let mut failed = 0;
    let mut last_error = None;
    for (key, result) in results {
        match result {
            Ok(()) => crate::output::out_line(format_args!("{action}d {}", describe(&key))),
            Err(e) => {
                failed += 1;
                let error = CliError::api(&format!("cannot {action} key {}", key.hash), &e);
                crate::output::err_line(format_args!("error: {error}"));
                last_error = Some(error);
            }
        }
    }
    note(
        quiet,
        format!("{action}: {} of {total} key(s) done", total - failed),
    );
    match (failed, last_error) {
        (0, _) => Ok(Exit::Success),
        (n, Some(error)) if n == total => Err(CliError {
            exit: error.exit,
            message: String::new(),
        }),
        _ => Ok(Exit::Partial),
    }
}
