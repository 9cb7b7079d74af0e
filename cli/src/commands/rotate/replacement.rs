//! What a replacement carries over from the key it replaces, so that a rotation never widens
//! access (`openapi/POLICY.md`, "Whose budgets apply" and "Expiry and lifetime"): the name,
//! limit, reset, BYOK setting, workspace, creator (member guardrails follow it), external
//! user and guardrail of the old key, and an expiry as far ahead as the old key lived —
//! never the old key's own instant, and none only when the old key had none. What cannot be
//! carried is said in the preview.

use crate::error::{CliError, CliResult};
use crate::key_spec::KeySpec;
use crate::key_state::lifetime;
use crate::render::{describe, printable};
use openrouter_keys::time::{Duration, OffsetDateTime};
use openrouter_keys::{Key, Timestamp};
use std::collections::HashMap;

/// How the replacements' expiry is chosen.
#[derive(Debug, Clone)]
pub enum NewExpiry {
    /// `--expires-at` or `--expires-in`: this instant, for every replacement.
    Given(Timestamp),
    /// Each old key's lifetime (`created_at` to `expires_at`) counted from now; none for a
    /// key that never expired.
    OldLifetime,
}

/// The replacement of each of `keys`, or every key whose replacement cannot be made as it
/// must (all refused at once, before anything is created). `guardrails` maps an old key's
/// hash to the guardrail it holds.
pub fn replacements(
    keys: &[Key],
    guardrails: &HashMap<String, String>,
    expiry: &NewExpiry,
    now: OffsetDateTime,
) -> CliResult<Vec<KeySpec>> {
    let mut specs = Vec::new();
    let mut refused = Vec::new();
    for key in keys {
        match replacement(key, guardrails.get(&key.hash), expiry, now) {
            Ok(spec) => specs.push(spec),
            Err(why) => refused.push(format!("  {}: {why}", describe(key))),
        }
    }
    if refused.is_empty() {
        return Ok(specs);
    }
    Err(CliError::usage(format!(
        "{} selected key(s) cannot be rotated as they are. Nothing was changed:\n{}",
        refused.len(),
        refused.join("\n")
    ))
    .hint(
        "--expires-in DURATION or --expires-at DATE gives every replacement its expiry; \
         leave out the keys the API sent no name for",
    ))
}

/// The replacement of `old`, or why it cannot be made.
fn replacement(
    old: &Key,
    guardrail: Option<&String>,
    expiry: &NewExpiry,
    now: OffsetDateTime,
) -> Result<KeySpec, String> {
    // The name is how an interrupted create is found again.
    let name = old
        .name
        .clone()
        .ok_or("the API sent no name for it, and a replacement is found again by its name")?;
    Ok(KeySpec {
        name,
        limit: old.limit,
        limit_reset: old.limit_reset.clone(),
        include_byok_in_limit: old.include_byok_in_limit,
        expires_at: expires_at(old, expiry, now)?,
        workspace_id: old.workspace_id.clone(),
        creator_user_id: old.creator_user_id.clone(),
        external_user: old.external_user.clone(),
        guardrail_id: guardrail.cloned(),
    })
}

/// The replacement's expiry: the one given, or the old key's lifetime from `now` (whole
/// seconds), or none when the old key never expired.
fn expires_at(
    old: &Key,
    expiry: &NewExpiry,
    now: OffsetDateTime,
) -> Result<Option<Timestamp>, String> {
    if let NewExpiry::Given(at) = expiry {
        return Ok(Some(at.clone()));
    }
    if old.expires_at.is_none() {
        return Ok(None);
    }
    let life = lifetime(old).ok_or(
        "its created_at or expires_at is not a timestamp, so its lifetime (which the \
         replacement would get) is unknown",
    )?;
    if life <= Duration::ZERO {
        return Err(format!(
            "its lifetime is not positive (created {}, expires {})",
            text(&old.created_at),
            text(&old.expires_at)
        ));
    }
    let at = now + life;
    Ok(Some(Timestamp::from(
        at.replace_nanosecond(0).unwrap_or(at),
    )))
}

/// The preview's line for the rotation of `old` into `new`: the old key, then what its
/// replacement gets that bounds its access.
pub fn preview_line(old: &Key, new: &KeySpec, expiry: &NewExpiry) -> String {
    let expires = match (&new.expires_at, expiry) {
        (None, _) => "never expires, as the old key".to_string(),
        (Some(at), NewExpiry::Given(_)) => format!("expires {at}"),
        (Some(at), NewExpiry::OldLifetime) => {
            format!("expires {at}, the old key's lifetime from now")
        }
    };
    let mut carried = vec![expires];
    match &new.guardrail_id {
        Some(id) => carried.push(format!("guardrail {}", printable(id))),
        None => carried.push("no guardrail, as the old key".to_string()),
    }
    if let Some(creator) = &new.creator_user_id {
        carried.push(format!("creator {}", printable(creator)));
    }
    if let Some(user) = &new.external_user {
        carried.push(format!("external user {}", printable(user)));
    }
    format!("{}  ({})", describe(old), carried.join("; "))
}

/// What no replacement gets from the key it replaces, for the preview.
pub fn not_carried(keys: &[Key]) -> String {
    let mut said = String::from(
        "not carried: usage so far (each replacement starts at 0 USD against the same limit \
         and guardrail budget)",
    );
    if keys.iter().any(|k| k.external_user.is_some()) {
        said.push_str(
            "; a partner's external.api_key, if one was given (the API never returns it): a \
             replacement keeps the external user only",
        );
    }
    said
}

/// A time as the API sent it, or `-`.
fn text(time: &Option<Timestamp>) -> &str {
    time.as_ref().map_or("-", Timestamp::as_str)
}
