//! `update`, `enable`, `disable`, `delete`: one change applied to one key or to every key
//! matching `--match`, after a preview and a confirmation (see `select.rs`).

use crate::cli::{ChangeArgs, UpdateArgs};
use crate::context::Context;
use crate::error::{CliError, CliResult};
use crate::exit::{Exit, ItemOutcome, Tally};
use crate::key_spec::check_limit;
use crate::render::{describe, usd};
use crate::select::{preview_and_confirm, resolve};
use futures_util::StreamExt;
use openrouter_keys::{InputField, Key, KeyUpdate, LimitReset};

/// What happens to each key.
enum Change {
    Update(KeyUpdate),
    Delete,
}

pub async fn enable(ctx: &Context, args: &ChangeArgs) -> CliResult<Exit> {
    let mut args = args.clone();
    // Only disabled keys can be enabled: list them.
    args.filters.include_disabled = true;
    let keys = resolve(ctx, &args.target, &args.filters).await?;
    let keys: Vec<Key> = keys
        .into_iter()
        .filter(|k| k.disabled != Some(false))
        .collect();
    let lines = keys.iter().map(describe).collect::<Vec<_>>();
    let change = Change::Update(KeyUpdate::new().disabled(false));
    apply(ctx, &args, keys, lines, "enable", change).await
}

pub async fn disable(ctx: &Context, args: &ChangeArgs) -> CliResult<Exit> {
    let keys = resolve(ctx, &args.target, &args.filters).await?;
    let keys: Vec<Key> = keys
        .into_iter()
        .filter(|k| k.disabled != Some(true))
        .collect();
    let lines = keys.iter().map(describe).collect::<Vec<_>>();
    let change = Change::Update(KeyUpdate::new().disabled(true));
    apply(ctx, args, keys, lines, "disable", change).await
}

pub async fn delete(ctx: &Context, args: &ChangeArgs) -> CliResult<Exit> {
    let keys = resolve(ctx, &args.target, &args.filters).await?;
    let lines = keys.iter().map(describe).collect::<Vec<_>>();
    apply(ctx, args, keys, lines, "delete", Change::Delete).await
}

pub async fn update(ctx: &Context, args: &UpdateArgs) -> CliResult<Exit> {
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
        let limit = check_limit(limit).map_err(|why| CliError::usage(format!("--limit: {why}")))?;
        update = update.limit(limit);
        what.push(format!("limit -> {}", usd(Some(limit))));
    }
    if args.no_limit {
        update = update.clear_limit();
        what.push("limit -> none".to_string());
    }
    if let Some(reset) = args.reset {
        let reset = LimitReset::from(reset);
        what.push(format!("reset -> {reset}"));
        update = update.limit_reset(reset);
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
            "nothing to update: give --name, --limit, --no-limit, --reset, --no-reset or \
             --include-byok",
        ));
    }
    // Every check the SDK makes before sending, made before any key is looked up.
    if let Err(openrouter_keys::Error::InvalidInput { what, reason }) = update.validate() {
        let flag = match what {
            InputField::Name => "--name".to_string(),
            other => other.to_string(),
        };
        return Err(CliError::usage(format!("{flag}: {reason}")));
    }
    let keys = resolve(ctx, &args.change.target, &args.change.filters).await?;
    let what = what.join(", ");
    let lines = keys
        .iter()
        .map(|k| format!("{}  ({what}; limit now {})", describe(k), usd(k.limit)))
        .collect::<Vec<_>>();
    apply(
        ctx,
        &args.change,
        keys,
        lines,
        "update",
        Change::Update(update),
    )
    .await
}

async fn apply(
    ctx: &Context,
    args: &ChangeArgs,
    keys: Vec<Key>,
    lines: Vec<String>,
    action: &str,
    change: Change,
) -> CliResult<Exit> {
    let print = ctx.print;
    if !preview_and_confirm(ctx, args.confirm, action, &lines).await? {
        return Ok(Exit::Success);
    }
    let client = ctx.client()?;
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
    let mut tally = Tally::default();
    for (key, result) in results {
        match result {
            Ok(()) => {
                print.record(format_args!("{action}d {}", describe(&key)));
                tally.add(ItemOutcome::Done);
            }
            Err(e) => {
                let error = ctx.api_error(&format!("cannot {action} key {}", key.hash), &e);
                print.error(&error);
                tally.add(ItemOutcome::Failed(error.exit()));
            }
        }
    }
    print.note(format_args!(
        "{action}: {} of {total} key(s) done",
        total - tally.failed()
    ));
    Ok(tally.exit())
}
