//! What `GET /keys` shows: a copy of the keys that trails their real state by a chosen lag,
//! as an eventually consistent listing (a replica or a search index) does.
//!
//! Every change to a key is queued with the time it took effect and reaches the listing
//! `lag` later, in the order the changes happened. Reads by hash, authentication and writes
//! use the real state (the store); only the listing reads this copy.

use crate::duration::{DURATION_SYNTAX, parse_duration};
use crate::store::StoredKey;
use std::collections::VecDeque;
use std::str::FromStr;
use std::time::Duration;

/// How `ListingLag::from_str` (the binary's `--listing-lag`) writes a lag, for help and
/// error texts.
pub const LISTING_LAG_SYNTAX: &str = "MILLISECONDS[:new-keys]: every change (a new key, an \
update, a disable, a delete) shows in GET /keys that long after it took effect; with \
:new-keys only new keys are late, and updates and deletes show at once";

/// Which changes the listing shows late.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LagScope {
    /// Every change: a new key appears late, an updated or disabled key shows its old state
    /// and a deleted key stays listed for the lag.
    #[default]
    EveryChange,
    /// Only new keys appear late (with their current state when they appear); updates,
    /// disables and deletes of listed keys show at once.
    NewKeys,
}

/// How far `GET /keys` trails the keys' real state: see [`FakeServerBuilder::listing_lag`].
///
/// ```
/// use openrouter_keys_testkit::{LagScope, ListingLag};
/// use std::time::Duration;
///
/// let lag: ListingLag = "3000:new-keys".parse().unwrap();
/// assert_eq!(lag, ListingLag::new_keys(Duration::from_secs(3)));
/// assert_eq!(lag.scope(), LagScope::NewKeys);
/// assert_eq!("3s".parse(), Ok(ListingLag::every_change(Duration::from_secs(3))));
/// ```
///
/// [`FakeServerBuilder::listing_lag`]: crate::FakeServerBuilder::listing_lag
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ListingLag {
    delay: Duration,
    scope: LagScope,
}

impl ListingLag {
    /// No lag: the listing shows every change at once (the default).
    pub const NONE: ListingLag = ListingLag {
        delay: Duration::ZERO,
        scope: LagScope::EveryChange,
    };

    /// Every change shows in the listing `delay` after it took effect.
    pub fn every_change(delay: Duration) -> ListingLag {
        ListingLag {
            delay,
            scope: LagScope::EveryChange,
        }
    }

    /// New keys appear in the listing `delay` after they were created; other changes show at
    /// once.
    pub fn new_keys(delay: Duration) -> ListingLag {
        ListingLag {
            delay,
            scope: LagScope::NewKeys,
        }
    }

    /// How late changes show.
    pub fn delay(&self) -> Duration {
        self.delay
    }

    /// Which changes show late.
    pub fn scope(&self) -> LagScope {
        self.scope
    }
}

impl FromStr for ListingLag {
    type Err = String;

    /// Parses [`LISTING_LAG_SYNTAX`]: `3000`, `3s`, `3000:new-keys`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = |what: String| format!("`{s}`: {what}; write {LISTING_LAG_SYNTAX}");
        let (delay, scope) = match s.split_once(':') {
            Some((delay, "new-keys")) => (delay, LagScope::NewKeys),
            Some((_, other)) => return Err(bad(format!("unknown option `{other}`"))),
            None => (s, LagScope::EveryChange),
        };
        let delay = parse_duration(delay)
            .map_err(|_| bad(format!("`{delay}` is not a duration ({DURATION_SYNTAX})")))?;
        Ok(ListingLag { delay, scope })
    }
}

/// A change on its way to the listing.
#[derive(Debug)]
enum Change {
    /// The key's state at the time of the change (every-change scope).
    Put(Box<StoredKey>),
    /// A new key, shown with its state when it appears (new-keys scope).
    Appear(String),
    /// A deleted key (every-change scope).
    Remove(String),
}

/// The listing's copy of the keys and the changes not yet in it.
#[derive(Debug, Default)]
pub(crate) struct Listing {
    lag: ListingLag,
    /// The keys as listed, in the order they first appeared (their creation order).
    shown: Vec<StoredKey>,
    /// Changes with the time they took effect, oldest first.
    coming: VecDeque<(Duration, Change)>,
}

impl Listing {
    pub fn new(lag: ListingLag) -> Listing {
        Listing {
            lag,
            ..Listing::default()
        }
    }

    /// A key that existed before the server started: listed at once.
    pub fn seed(&mut self, key: &StoredKey) {
        self.shown.push(key.clone());
    }

    pub fn created(&mut self, key: &StoredKey, at: Duration) {
        let change = match self.lag.scope {
            LagScope::EveryChange => Change::Put(Box::new(key.clone())),
            LagScope::NewKeys => Change::Appear(key.hash.clone()),
        };
        self.coming.push_back((at, change));
    }

    pub fn updated(&mut self, key: &StoredKey, at: Duration) {
        match self.lag.scope {
            LagScope::EveryChange => self
                .coming
                .push_back((at, Change::Put(Box::new(key.clone())))),
            LagScope::NewKeys => {
                // A key not listed yet appears later with its state of then.
                if let Some(listed) = self.shown.iter_mut().find(|k| k.hash == key.hash) {
                    *listed = key.clone();
                }
            }
        }
    }

    pub fn deleted(&mut self, hash: &str, at: Duration) {
        match self.lag.scope {
            LagScope::EveryChange => self
                .coming
                .push_back((at, Change::Remove(hash.to_string()))),
            LagScope::NewKeys => self.shown.retain(|k| k.hash != hash),
        }
    }

    /// Applies every change that is `lag` old at `now`; `keys` is the real state, for keys
    /// that appear with their current state.
    pub fn catch_up(&mut self, now: Duration, keys: &[StoredKey]) {
        while let Some((at, _)) = self.coming.front() {
            if at.saturating_add(self.lag.delay) > now {
                break;
            }
            if let Some((_, change)) = self.coming.pop_front() {
                self.apply(change, keys);
            }
        }
    }

    /// Brings the listing up to date, then lags later changes by `lag`.
    pub fn set_lag(&mut self, lag: ListingLag, keys: &[StoredKey]) {
        while let Some((_, change)) = self.coming.pop_front() {
            self.apply(change, keys);
        }
        self.lag = lag;
    }

    /// The keys as listed (call `catch_up` first).
    pub fn shown(&self) -> &[StoredKey] {
        &self.shown
    }

    fn apply(&mut self, change: Change, keys: &[StoredKey]) {
        match change {
            Change::Put(key) => self.put(*key),
            Change::Appear(hash) => {
                if let Some(key) = keys.iter().find(|k| k.hash == hash) {
                    self.put(key.clone());
                }
            }
            Change::Remove(hash) => self.shown.retain(|k| k.hash != hash),
        }
    }

    fn put(&mut self, key: StoredKey) {
        match self.shown.iter_mut().find(|k| k.hash == key.hash) {
            Some(listed) => *listed = key,
            None => self.shown.push(key),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_binary_syntax_and_says_what_to_write() {
        assert_eq!("0".parse(), Ok(ListingLag::NONE));
        assert_eq!(
            "1500ms".parse(),
            Ok(ListingLag::every_change(Duration::from_millis(1500)))
        );
        for bad in ["", "3:old-keys", "x:new-keys", "-1"] {
            let error = bad.parse::<ListingLag>().unwrap_err();
            assert!(error.contains("MILLISECONDS[:new-keys]"), "{bad}: {error}");
        }
    }
}
