//! What a key's own fields say about it: how much of its limit is used, how long it lives.
//! One home, so that `report` and `audit` call the same key "near its limit", and `rotate`
//! and `audit` measure a lifetime the same way.

use openrouter_keys::Key;
use openrouter_keys::time::{Duration, OffsetDateTime};

/// Whether the key's expiry has passed by `now` (this machine's clock).
pub fn is_expired(key: &Key, now: OffsetDateTime) -> bool {
    key.expires_at
        .as_ref()
        .and_then(|t| t.datetime())
        .is_some_and(|at| at <= now)
}

/// `disabled`, or `expired` (and not disabled), for a key that cannot be used; `None` for
/// one that can, as far as the API said.
pub fn inactive(key: &Key, now: OffsetDateTime) -> Option<&'static str> {
    if key.disabled == Some(true) {
        Some("disabled")
    } else if is_expired(key, now) {
        Some("expired")
    } else {
        None
    }
}

/// Share of the limit used at which a key counts as near its limit (`report`, `audit`).
pub const NEAR_LIMIT: f64 = 0.8;

/// Share of the limit used, for keys with a limit. A $0 limit with any usage is used up
/// (100 %); a $0 limit never used has no share to speak of.
pub fn used_share(k: &Key) -> Option<f64> {
    let limit = k.limit?;
    let remaining = k.limit_remaining.unwrap_or(limit);
    if limit <= 0.0 {
        let used = k.usage.total.unwrap_or(0.0) > 0.0 || remaining < 0.0;
        return used.then_some(1.0);
    }
    Some(((limit - remaining) / limit).clamp(0.0, f64::MAX))
}

/// Whether the key has used [`NEAR_LIMIT`] of its limit or more.
pub fn is_near_limit(k: &Key) -> bool {
    used_share(k).is_some_and(|share| share >= NEAR_LIMIT)
}

/// How long the key was made to live: from `created_at` to `expires_at`. `None` when it
/// never expires, or when either time is missing or not a timestamp.
pub fn lifetime(k: &Key) -> Option<Duration> {
    let created = k.created_at.as_ref()?.datetime()?;
    let expires = k.expires_at.as_ref()?.datetime()?;
    Some(expires - created)
}
