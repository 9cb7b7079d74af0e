//! The old keys as they are now, not as a listing or the journal last saw them: a replacement
//! is bounded by its old key, so a key whose limit was lowered, or that was disabled or
//! deleted, moments before a rotation (a listing may show changes seconds late) or between
//! a rotation's runs must not be replaced as it was. A key read by hash is current (the
//! listing is what lags: `openapi/POLICY.md`); reading each old key again costs one `GET`
//! per key, [`READS_AT_ONCE`] at a time.

use crate::batch::{Batch, BatchKind, KeyHash};
use crate::cli::Filters;
use crate::context::Context;
use crate::error::{CliError, CliResult};
use crate::guardrails::assignments_of;
use crate::key_spec::KeySpec;
use crate::key_state::inactive;
use crate::select::LeftOut;
use futures_util::{StreamExt, TryStreamExt};
use openrouter_keys::time::OffsetDateTime;
use openrouter_keys::{ApiErrorKind, Key};
use std::collections::HashSet;

/// Old keys read again at once: reads change nothing, and the SDK retries a `429` itself.
const READS_AT_ONCE: usize = 32;

/// Each of `hashes` read by hash, in order: the key as it is now, or `None` when it is gone.
async fn read_each(ctx: &Context, hashes: Vec<String>) -> CliResult<Vec<Option<Key>>> {
    let client = ctx.client()?;
    futures_util::stream::iter(hashes)
        .map(|hash| async move {
            match client.keys().get(hash.as_str()).await {
                Ok(key) => Ok(Some(key)),
                Err(e) if e.as_api().is_some_and(|a| a.kind == ApiErrorKind::NotFound) => Ok(None),
                Err(e) => Err(ctx.api_error(&format!("cannot read key {hash} again"), &e)),
            }
        })
        .buffered(READS_AT_ONCE)
        .try_collect()
        .await
}

/// `listed` (keys a listing selected) as they are now: keys since disabled or expired that
/// `filters` leave out are counted in `left_out` and dropped, as the listing drops them; keys
/// since deleted are dropped and counted in the second value.
pub async fn as_they_are(
    ctx: &Context,
    listed: Vec<Key>,
    filters: &Filters,
    left_out: &mut LeftOut,
) -> CliResult<(Vec<Key>, usize)> {
    let hashes = listed.into_iter().map(|key| key.hash).collect();
    let now = OffsetDateTime::now_utc();
    let mut keys = Vec::new();
    let mut gone = 0;
    for read in read_each(ctx, hashes).await? {
        match read {
            Some(key) if left_out.admits(filters, &key, now) => keys.push(key),
            Some(_) => {}
            None => gone += 1,
        }
    }
    Ok((keys, gone))
}

/// Before a rotation resumes: every old key whose replacement is not verified yet (the
/// rotation has not touched it) is read again, with the guardrails. When one was disabled,
/// expired or deleted since the rotation began, or its bounds changed (anything a
/// replacement carries but its expiry), the rotation is not resumed: its replacement would
/// give back access that was taken away, or wider access. Our rule; the way on is a new
/// rotation, of the keys as they are now, and the replacements already made are named.
pub async fn refuse_changed_since_begun<K: BatchKind<Id = KeyHash>>(
    ctx: &Context,
    batch: &Batch<K>,
) -> CliResult<()> {
    let untouched: Vec<(&KeyHash, &KeySpec, Option<String>)> = {
        let state = batch.journal().state();
        batch
            .rows()
            .iter()
            .filter_map(|row| {
                let row_state = state.row(&row.id);
                if row_state.is_some_and(|s| s.verified) {
                    return None;
                }
                let made = row_state
                    .and_then(|s| s.key())
                    .map(|(hash, _)| hash.clone());
                Some((&row.id, &row.spec, made))
            })
            .collect()
    };
    if untouched.is_empty() {
        return Ok(());
    }
    let hashes: Vec<String> = untouched.iter().map(|(id, ..)| id.to_string()).collect();
    let wanted: HashSet<&str> = hashes.iter().map(String::as_str).collect();
    let guardrails = assignments_of(ctx, &wanted).await.map_err(|e| {
        e.hint(
            "before it resumes, a rotation reads its old keys' guardrails again (a replacement \
             must not get a wider one than its old key holds now); nothing was changed, and the \
             secrets of replacements made so far stay withheld in the journal: rerun when the \
             guardrails can be read",
        )
    })?;
    let now = OffsetDateTime::now_utc();
    let mut changed = Vec::new();
    let mut made_already = Vec::new();
    for ((old, spec, made), read) in untouched.iter().zip(read_each(ctx, hashes.clone()).await?) {
        let why = match read {
            None => Some("deleted".to_string()),
            Some(key) => match inactive(&key, now) {
                Some(state) => Some(state.to_string()),
                None => bounds_changed(spec, &key, guardrails.get(&key.hash))
                    .map(|what| format!("{what} changed")),
            },
        };
        if let Some(why) = why {
            changed.push(format!("  {old}: {why} since the rotation began"));
            if let Some(hash) = made {
                made_already.push(hash.clone());
            }
        }
    }
    if changed.is_empty() {
        return Ok(());
    }
    let mut error = CliError::usage(format!(
        "{} old key(s) are not as they were when this rotation began, so it is not resumed \
         (a replacement would give back access taken away, or wider access):\n{}",
        changed.len(),
        changed.join("\n")
    ))
    .hint("to rotate the keys as they are now, start a new rotation with another --secrets-out");
    if !made_already.is_empty() {
        error = error.hint(format!(
            "replacement(s) this rotation already made, not yet handed out: {}; delete each \
             (`openrouter-keys delete HASH --yes`) unless you want it",
            made_already.join(", ")
        ));
    }
    Err(error)
}

/// What a replacement made from `spec` would carry differently from `key` as it is now
/// (holding `guardrail`): the first bound that differs, or `None`. The expiry is left out:
/// it is counted from when the replacement is made.
fn bounds_changed(spec: &KeySpec, key: &Key, guardrail: Option<&String>) -> Option<&'static str> {
    if key.name.as_deref() != Some(spec.name.as_str()) {
        return Some("its name");
    }
    if key.limit != spec.limit {
        return Some("its limit");
    }
    if key.limit_reset != spec.limit_reset {
        return Some("its limit reset");
    }
    if key.include_byok_in_limit != spec.include_byok_in_limit {
        return Some("its BYOK setting");
    }
    // A journal of an earlier version may name no workspace: then there is nothing to
    // compare.
    if spec.workspace_id.is_some() && key.workspace_id != spec.workspace_id {
        return Some("its workspace");
    }
    if guardrail != spec.guardrail_id.as_ref() {
        return Some("its guardrail");
    }
    None
}
