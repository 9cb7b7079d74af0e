//! `update`, `enable`, `disable`, `delete`: one change applied to one key or to every key
//! matching `--match`, after a preview and a confirmation (see `select.rs`).

use crate::cli::{ChangeArgs, UpdateArgs};
use crate::context::Context;
use crate::error::{CliError, CliResult};
use crate::exit::{Exit, ItemOutcome, Tally};
use crate::key_spec::check_limit;
use crate::key_state::inactive;
use crate::render::{describe, printable, usd};
use crate::select::{preview_and_confirm, resolve};
use futures_util::StreamExt;
use openrouter_keys::{InputField, Key, KeyUpdate, LimitReset};

/// `hash  name`, and `(disabled)` or `(expired)` when it is: a change by `--match` selects
/// keys in every state, and the preview says which are not active. With `--all-workspaces`,
/// the key's workspace too.
fn with_state(key: &Key, args: &ChangeArgs) -> String {
    let now = openrouter_keys::time::OffsetDateTime::now_utc();
    let mut line = describe(key);
    if let Some(state) = inactive(key, now) {
        line.push_str(&format!("  ({state})"));
    }
    if args.all_workspaces {
        let workspace = key.workspace_id.as_deref().unwrap_or("-");
        line.push_str(&format!("  (workspace {})", printable(workspace)));
    }
    line
}

/// The keys a change acts on: the one `HASH`, or every key matching `--match` in one
/// workspace or, with `--all-workspaces`, in every workspace.
async fn selected(ctx: &Context, args: &ChangeArgs) -> CliResult<Vec<Key>> {
    let workspace = args.workspace.as_deref();
    resolve(ctx, &args.target, workspace, args.all_workspaces).await
}

/// What happens to each key.
enum Change {
    Update(KeyUpdate),
    Delete,
}

pub async fn enable(ctx: &Context, args: &ChangeArgs) -> CliResult<Exit> {
    let keys = selected(ctx, args).await?;
    // A key the API did not say is enabled is tried.
    let (keys, already): (Vec<Key>, Vec<Key>) =
        keys.into_iter().partition(|k| k.disabled != Some(false));
    let change = Change::Update(KeyUpdate::new().disabled(false));
    let aside = already_so(already.len(), "enabled");
    apply(ctx, args, keys, None, "enable", change, aside).await
}

pub async fn disable(ctx: &Context, args: &ChangeArgs) -> CliResult<Exit> {
    let keys = selected(ctx, args).await?;
    let (keys, already): (Vec<Key>, Vec<Key>) =
        keys.into_iter().partition(|k| k.disabled != Some(true));
    let change = Change::Update(KeyUpdate::new().disabled(true));
    let aside = already_so(already.len(), "disabled");
    apply(ctx, args, keys, None, "disable", change, aside).await
}

pub async fn delete(ctx: &Context, args: &ChangeArgs) -> CliResult<Exit> {
    let keys = selected(ctx, args).await?;
    apply(ctx, args, keys, None, "delete", Change::Delete, None).await
}

/// `2 matching key(s) already disabled, left alone`, when there are any.
fn already_so(count: usize, state: &str) -> Option<String> {
    (count > 0).then(|| format!("{count} matching key(s) already {state}, left alone"))
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
    if let Err(openrouter_keys::Error::InvalidInput { what, reason, .. }) = update.validate() {
        let flag = match what {
            InputField::Name => "--name".to_string(),
            other => other.to_string(),
        };
        return Err(CliError::usage(format!("{flag}: {reason}")));
    }
    let keys = selected(ctx, &args.change).await?;
    let what = what.join(", ");
    let lines = keys
        .iter()
        .map(|k| {
            let key = with_state(k, &args.change);
            format!("{key}  ({what}; limit now {})", usd(k.limit))
        })
        .collect::<Vec<_>>();
    let change = Change::Update(update);
    apply(ctx, &args.change, keys, Some(lines), "update", change, None).await
}

/// Shows the plan (`lines`, else each key with its state), confirms, and makes the change to
/// each key. `aside` says which matching keys are left alone.
async fn apply(
    ctx: &Context,
    args: &ChangeArgs,
    keys: Vec<Key>,
    lines: Option<Vec<String>>,
    action: &str,
    change: Change,
    aside: Option<String>,
) -> CliResult<Exit> {
    let print = ctx.print;
    let lines = lines.unwrap_or_else(|| keys.iter().map(|k| with_state(k, args)).collect());
    if !preview_and_confirm(ctx, args.confirm, action, &lines, aside.as_deref()).await? {
        return Ok(Exit::Success);
    }
    let client = ctx.client()?;
    let total = keys.len();
    let change = &change;
    let results: Vec<(Key, Result<(), openrouter_keys::Error>)> = futures_util::stream::iter(keys)
        .map(|key| async move {
            let keys = client.keys();
            let result = match change {
                Change::Update(update) => ctx
                    .pace
                    .paced(keys.update(key.hash.as_str(), update.clone()))
                    .await
                    .map(drop),
                Change::Delete => ctx.pace.paced(keys.delete(key.hash.as_str())).await,
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
