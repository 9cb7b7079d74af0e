//! The fake's state, and the key operations' semantics, free of HTTP; the workspaces and the
//! guardrails with their key assignments are `workspaces.rs` and `guardrails.rs`, held here.
//!
//! Keys are kept in creation order (so `offset` paging is stable). Every key has a plaintext
//! secret that works as a bearer token for `GET /key`; the management key and the normal key
//! the server starts with are ordinary entries, created at start-up. `GET /keys` reads the
//! listing's copy (`listing.rs`), which may trail this state; everything else reads this.

use crate::guardrails::{Guardrails, NewGuardrail};
use crate::listing::{Listing, ListingLag};
use crate::paging::{PageQuery, parse_offset, query_pairs};
use crate::workspaces::{DEFAULT_WORKSPACE, NewWorkspace, Workspaces};
use serde_json::{Map, Value, json};
use std::time::Duration;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// An answer: HTTP status and JSON body.
pub type Answer = (u16, Value);

/// When an operation takes effect: on the fake's clock, and on the wall clock.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Moment {
    /// The fake's clock.
    pub clock: Duration,
    /// The wall-clock time then (for `created_at`, `updated_at` and expiry).
    pub wall: OffsetDateTime,
}

#[derive(Debug, Clone)]
pub(crate) struct StoredKey {
    pub secret: String,
    pub management: bool,
    pub hash: String,
    pub name: String,
    pub disabled: bool,
    pub limit: Option<f64>,
    pub limit_reset: Option<String>,
    pub include_byok_in_limit: bool,
    pub created_at: String,
    pub updated_at: Option<String>,
    pub expires_at: Option<String>,
    pub creator_user_id: Option<String>,
    pub workspace_id: String,
    pub external_user: Option<String>,
    /// Spend in USD, as added by `FakeServer::add_usage` (counted in every period).
    pub usage: f64,
    /// When usage was last recorded, if since [`usage_recorded_since`].
    pub last_used_at: Option<String>,
}

/// The start of the time from which OpenRouter records a key's last use, 2026-01-01T00:00Z:
/// `last_used_at` is null "if no usage has been recorded since the end of 2025" (OpenRouter's
/// cookbook, API key audit). That uses before then leave no trace is our reading of that
/// sentence.
fn usage_recorded_since() -> OffsetDateTime {
    OffsetDateTime::UNIX_EPOCH + Duration::from_secs(1_767_225_600)
}

impl StoredKey {
    /// The key's label: its secret's first and last characters.
    pub fn label(&self) -> String {
        let tail = &self.secret[self.secret.len().saturating_sub(4)..];
        let head: String = self.secret.chars().take(12).collect();
        format!("{head}...{tail}")
    }

    fn expired(&self, now: OffsetDateTime) -> bool {
        self.expires_at
            .as_deref()
            .and_then(|t| OffsetDateTime::parse(t, &Rfc3339).ok())
            .is_some_and(|t| t <= now)
    }

    fn limit_fields(&self) -> Map<String, Value> {
        let mut m = Map::new();
        m.insert("limit".into(), json!(self.limit));
        m.insert(
            "limit_remaining".into(),
            json!(self.limit.map(|l| (l - self.usage).max(0.0))),
        );
        m.insert("limit_reset".into(), json!(self.limit_reset));
        m.insert(
            "include_byok_in_limit".into(),
            json!(self.include_byok_in_limit),
        );
        for (prefix, spent) in [("usage", self.usage), ("byok_usage", 0.0)] {
            m.insert(prefix.into(), json!(spent));
            for period in ["daily", "weekly", "monthly"] {
                m.insert(format!("{prefix}_{period}"), json!(spent));
            }
        }
        m
    }

    /// The key as `/keys` operations return it.
    pub fn to_json(&self) -> Value {
        let mut m = self.limit_fields();
        m.insert("hash".into(), json!(self.hash));
        m.insert("name".into(), json!(self.name));
        m.insert("label".into(), json!(self.label()));
        m.insert("disabled".into(), json!(self.disabled));
        m.insert("created_at".into(), json!(self.created_at));
        m.insert("updated_at".into(), json!(self.updated_at));
        m.insert("expires_at".into(), json!(self.expires_at));
        m.insert("creator_user_id".into(), json!(self.creator_user_id));
        m.insert("workspace_id".into(), json!(self.workspace_id));
        m.insert("external_user".into(), json!(self.external_user));
        m.insert("last_used_at".into(), json!(self.last_used_at));
        Value::Object(m)
    }

    /// The key as `GET /key` returns it.
    pub fn to_current_json(&self) -> Value {
        let mut m = self.limit_fields();
        m.insert("label".into(), json!(self.label()));
        m.insert("is_free_tier".into(), json!(false));
        m.insert("is_management_key".into(), json!(self.management));
        m.insert("is_provisioning_key".into(), json!(self.management));
        m.insert("creator_user_id".into(), json!(self.creator_user_id));
        m.insert(
            "rate_limit".into(),
            json!({"requests": 1000, "interval": "1h",
                   "note": "This field is deprecated and safe to ignore."}),
        );
        m.insert("expires_at".into(), json!(self.expires_at));
        m.insert("allowed_data_regions".into(), json!(["global"]));
        m.insert(
            "free_model_daily_requests".into(),
            json!({"limit": 1000, "remaining": 1000, "used": 0}),
        );
        m.insert("organization_id".into(), Value::Null);
        m.insert("workspace_id".into(), json!(self.workspace_id));
        m.insert("budgets".into(), json!([]));
        m.insert("effective_budget".into(), Value::Null);
        Value::Object(m)
    }
}

/// The whole state of one fake server.
#[derive(Debug)]
pub(crate) struct Store {
    keys: Vec<StoredKey>,
    pub workspaces: Workspaces,
    pub guardrails: Guardrails,
    listing: Listing,
    page_size: usize,
    rng: fastrand::Rng,
}

pub(crate) fn error(status: u16, message: &str) -> Answer {
    (
        status,
        json!({"error": {"code": status, "message": message}}),
    )
}

fn random_hex(rng: &mut fastrand::Rng, bytes: usize) -> String {
    (0..bytes).map(|_| format!("{:02x}", rng.u8(..))).collect()
}

/// A fresh random id in the shape of a version 4 UUID, as guardrails, workspaces and
/// assignments have.
fn random_uuid(rng: &mut fastrand::Rng) -> String {
    let hex = random_hex(rng, 16);
    let variant = ["8", "9", "a", "b"][rng.usize(..4)];
    format!(
        "{}-{}-4{}-{variant}{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[13..16],
        &hex[17..20],
        &hex[20..32]
    )
}

/// A timestamp as the API writes it: RFC 3339, whole seconds.
fn timestamp(wall: OffsetDateTime) -> String {
    wall.replace_nanosecond(0)
        .unwrap_or(wall)
        .format(&Rfc3339)
        .unwrap_or_default()
}

impl Store {
    pub fn new(page_size: usize, seed: u64, lag: ListingLag) -> Self {
        Self {
            keys: Vec::new(),
            workspaces: Workspaces::new(),
            guardrails: Guardrails::default(),
            listing: Listing::new(lag),
            page_size: page_size.max(1),
            rng: fastrand::Rng::with_seed(seed),
        }
    }

    /// Brings the listing up to date, then lags later changes by `lag`.
    pub fn set_listing_lag(&mut self, lag: ListingLag) {
        self.listing.set_lag(lag, &self.keys);
    }

    fn random_hex(&mut self, bytes: usize) -> String {
        random_hex(&mut self.rng, bytes)
    }

    fn fresh_uuid(&mut self) -> String {
        random_uuid(&mut self.rng)
    }

    /// Adds a workspace; its id, or why it cannot be added.
    pub fn add_workspace(&mut self, new: NewWorkspace, at: Moment) -> Result<String, String> {
        let id = self.fresh_uuid();
        let default_guardrail_id = self.fresh_uuid();
        self.workspaces
            .add(new, id.clone(), default_guardrail_id, timestamp(at.wall))?;
        Ok(id)
    }

    /// Adds a guardrail to the workspace it names (the default one by default); its id, or
    /// why it cannot be added.
    pub fn add_guardrail(&mut self, new: NewGuardrail, at: Moment) -> Result<String, String> {
        let named = new.workspace_named().unwrap_or(DEFAULT_WORKSPACE);
        let Some(workspace) = self.workspaces.find(named) else {
            return Err(format!("no workspace has the id or slug `{named}`"));
        };
        let workspace_id = workspace.id.clone();
        let id = if new.is_workspace_default() {
            let id = workspace.default_guardrail_id.clone();
            if self.guardrails.exists(&id) {
                return Err(format!(
                    "the workspace `{named}` has its default guardrail already"
                ));
            }
            id
        } else {
            self.fresh_uuid()
        };
        self.guardrails
            .add(id.clone(), new, workspace_id, timestamp(at.wall));
        Ok(id)
    }

    /// `POST /guardrails/{id}/assignments/keys`.
    pub fn assign(&mut self, guardrail: &str, body: &Value, at: Moment) -> Answer {
        let (keys, guardrails, rng) = (&self.keys, &mut self.guardrails, &mut self.rng);
        guardrails.assign(guardrail, body, keys, &timestamp(at.wall), || {
            random_uuid(rng)
        })
    }

    /// `POST /guardrails/{id}/assignments/keys/remove`.
    pub fn unassign(&mut self, guardrail: &str, body: &Value) -> Answer {
        self.guardrails.unassign(guardrail, body, &self.keys)
    }

    /// `GET /guardrails/assignments/keys` (`guardrail: None`) or
    /// `GET /guardrails/{id}/assignments/keys`.
    pub fn assignments(&self, guardrail: Option<&str>, query: &PageQuery) -> Answer {
        self.guardrails.assignments(guardrail, query, &self.keys)
    }

    /// A new key with a fresh secret and hash and every setting at its default.
    fn fresh_key(&mut self, name: String, management: bool, created: OffsetDateTime) -> StoredKey {
        StoredKey {
            secret: format!("sk-or-v1-{}", self.random_hex(32)),
            management,
            hash: self.random_hex(32),
            name,
            disabled: false,
            limit: None,
            limit_reset: None,
            include_byok_in_limit: false,
            created_at: timestamp(created),
            updated_at: None,
            expires_at: None,
            creator_user_id: None,
            workspace_id: DEFAULT_WORKSPACE.to_string(),
            external_user: None,
            usage: 0.0,
            last_used_at: None,
        }
    }

    /// Adds a key that exists from the start, listed at once; returns its secret.
    pub fn seed_key(&mut self, name: &str, management: bool, at: Moment) -> String {
        let key = self.fresh_key(name.to_string(), management, at.wall);
        let secret = key.secret.clone();
        self.listing.seed(&key);
        self.keys.push(key);
        secret
    }

    /// The key a bearer token belongs to, if it is known and enabled.
    pub fn authenticate(&self, token: &str) -> Option<&StoredKey> {
        self.keys.iter().find(|k| k.secret == token && !k.disabled)
    }

    /// Adds spend to a key; `false` when no key has this hash.
    pub fn add_usage(&mut self, hash: &str, usd: f64, at: Moment) -> bool {
        match self.keys.iter_mut().find(|k| k.hash == hash) {
            Some(key) => {
                key.usage += usd;
                if at.wall >= usage_recorded_since() {
                    key.last_used_at = Some(timestamp(at.wall));
                }
                self.listing.updated(key, at.clock);
                true
            }
            None => false,
        }
    }

    /// Number of keys (management and normal included).
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// Names of all keys, in creation order.
    pub fn names(&self) -> Vec<String> {
        self.keys.iter().map(|k| k.name.clone()).collect()
    }

    /// A page of the listing as it is at `at` (which may trail the keys' real state).
    pub fn list(&mut self, query: &ListQuery, at: Moment) -> Answer {
        self.listing.catch_up(at.clock, &self.keys);
        let now = at.wall;
        let page: Vec<Value> = self
            .listing
            .shown()
            .iter()
            .filter(|k| !k.management)
            .filter(|k| query.include_disabled || !k.disabled)
            .filter(|k| query.include_expired || !k.expired(now))
            .filter(|k| {
                k.workspace_id == query.workspace_id.as_deref().unwrap_or(DEFAULT_WORKSPACE)
            })
            .skip(query.offset)
            .take(self.page_size)
            .map(StoredKey::to_json)
            .collect();
        (200, json!({ "data": page }))
    }

    pub fn get(&self, hash: &str) -> Answer {
        match self.keys.iter().find(|k| k.hash == hash && !k.management) {
            Some(key) => (200, json!({ "data": key.to_json() })),
            None => error(404, "API key not found"),
        }
    }

    pub fn delete(&mut self, hash: &str, at: Moment) -> Answer {
        match self
            .keys
            .iter()
            .position(|k| k.hash == hash && !k.management)
        {
            Some(index) => {
                self.keys.remove(index);
                self.guardrails.forget_key(hash);
                self.listing.deleted(hash, at.clock);
                (200, json!({ "deleted": true }))
            }
            None => error(404, "API key not found"),
        }
    }

    pub fn create(&mut self, body: &Value, at: Moment) -> Answer {
        let Some(obj) = body.as_object() else {
            return error(400, "The request body must be a JSON object");
        };
        let name = match obj.get("name") {
            Some(Value::String(name)) if !name.trim().is_empty() => name.clone(),
            _ => return error(400, "name is required and must be a non-empty string"),
        };
        let mut key = self.fresh_key(name, false, at.wall);
        if let Err(answer) = apply_common(&mut key, obj) {
            return answer;
        }
        match obj.get("expires_at") {
            None | Some(Value::Null) => {}
            Some(Value::String(t)) if OffsetDateTime::parse(t, &Rfc3339).is_ok() => {
                key.expires_at = Some(t.clone());
            }
            Some(_) => return error(400, "expires_at must be an ISO 8601 UTC timestamp"),
        }
        match obj.get("creator_user_id") {
            None | Some(Value::Null) => {}
            Some(Value::String(u)) => key.creator_user_id = Some(u.clone()),
            Some(_) => return error(400, "creator_user_id must be a string"),
        }
        match obj.get("external") {
            None => {}
            Some(Value::Object(ext)) => match (ext.get("user"), ext.get("api_key")) {
                (Some(Value::String(user)), None) => key.external_user = Some(user.clone()),
                (Some(Value::String(user)), Some(Value::String(k))) if k.chars().count() >= 32 => {
                    key.external_user = Some(user.clone());
                }
                _ => {
                    return error(
                        400,
                        "external needs a user and an api_key of at least 32 characters",
                    );
                }
            },
            Some(_) => return error(400, "external must be an object"),
        }
        let answer = json!({ "data": key.to_json(), "key": key.secret });
        self.listing.created(&key, at.clock);
        self.keys.push(key);
        (201, answer)
    }

    pub fn update(&mut self, hash: &str, body: &Value, at: Moment) -> Answer {
        let Some(obj) = body.as_object() else {
            return error(400, "The request body must be a JSON object");
        };
        let Some(index) = self
            .keys
            .iter()
            .position(|k| k.hash == hash && !k.management)
        else {
            return error(404, "API key not found");
        };
        let mut key = self.keys[index].clone();
        match obj.get("name") {
            None => {}
            Some(Value::String(name)) if !name.trim().is_empty() => key.name = name.clone(),
            Some(_) => return error(400, "name must be a non-empty string"),
        }
        match obj.get("disabled") {
            None => {}
            Some(Value::Bool(d)) => key.disabled = *d,
            Some(_) => return error(400, "disabled must be a boolean"),
        }
        if let Err(answer) = apply_common(&mut key, obj) {
            return answer;
        }
        key.updated_at = Some(timestamp(at.wall));
        let answer = json!({ "data": key.to_json() });
        self.listing.updated(&key, at.clock);
        self.keys[index] = key;
        (200, answer)
    }
}

/// Fields create and update share: `limit`, `limit_reset`, `include_byok_in_limit`,
/// `workspace_id`. An absent field is kept; `null` clears `limit` and `limit_reset`.
fn apply_common(key: &mut StoredKey, obj: &Map<String, Value>) -> Result<(), Answer> {
    match obj.get("limit") {
        None => {}
        Some(Value::Null) => key.limit = None,
        Some(Value::Number(n)) if n.as_f64().is_some_and(|l| l.is_finite() && l >= 0.0) => {
            key.limit = n.as_f64();
        }
        Some(_) => return Err(error(400, "limit must be a non-negative number or null")),
    }
    match obj.get("limit_reset") {
        None => {}
        Some(Value::Null) => key.limit_reset = None,
        Some(Value::String(r)) if matches!(r.as_str(), "daily" | "weekly" | "monthly") => {
            key.limit_reset = Some(r.clone());
        }
        Some(_) => {
            return Err(error(
                400,
                "limit_reset must be one of daily, weekly, monthly, or null",
            ));
        }
    }
    match obj.get("include_byok_in_limit") {
        None => {}
        Some(Value::Bool(b)) => key.include_byok_in_limit = *b,
        Some(_) => return Err(error(400, "include_byok_in_limit must be a boolean")),
    }
    match obj.get("workspace_id") {
        None => {}
        Some(Value::String(w)) if !w.is_empty() => key.workspace_id = w.clone(),
        Some(_) => return Err(error(400, "workspace_id must be a non-empty string")),
    }
    Ok(())
}

/// The query of `GET /keys`, parsed.
#[derive(Debug, Default, Clone)]
pub(crate) struct ListQuery {
    pub include_disabled: bool,
    pub include_expired: bool,
    pub offset: usize,
    pub workspace_id: Option<String>,
}

impl ListQuery {
    /// Parses `a=b&c=d`; an invalid value is a 400 answer.
    pub fn parse(query: &str) -> Result<ListQuery, Answer> {
        let mut parsed = ListQuery::default();
        for (name, value) in query_pairs(query) {
            let boolean = || match value {
                "true" => Ok(true),
                "false" => Ok(false),
                _ => Err(error(400, &format!("{name} must be true or false"))),
            };
            match name {
                "include_disabled" => parsed.include_disabled = boolean()?,
                "include_expired" => parsed.include_expired = boolean()?,
                "offset" => parsed.offset = parse_offset(value)?,
                "workspace_id" => parsed.workspace_id = Some(value.to_string()),
                _ => {}
            }
        }
        Ok(parsed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(seconds: u64) -> Moment {
        Moment {
            clock: Duration::from_secs(seconds),
            wall: OffsetDateTime::UNIX_EPOCH + Duration::from_secs(seconds),
        }
    }

    fn listed(store: &mut Store, now: u64) -> Vec<String> {
        let query = ListQuery {
            include_disabled: true,
            ..ListQuery::default()
        };
        let page = store.list(&query, at(now)).1;
        page["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|k| {
                format!(
                    "{}{}",
                    k["name"].as_str().unwrap(),
                    if k["disabled"] == true {
                        " (disabled)"
                    } else {
                        ""
                    }
                )
            })
            .collect()
    }

    fn create(store: &mut Store, name: &str, now: u64) -> String {
        let created = store.create(&json!({ "name": name }), at(now)).1;
        created["data"]["hash"].as_str().unwrap().to_string()
    }

    #[test]
    fn usage_shows_in_every_period_and_in_the_remaining_limit() {
        let mut store = Store::new(100, 1, ListingLag::NONE);
        let created = store.create(&json!({"name": "k", "limit": 10.0}), at(0)).1;
        let hash = created["data"]["hash"].as_str().unwrap().to_string();
        assert!(store.add_usage(&hash, 8.5, at(0)));
        assert!(!store.add_usage("nope", 1.0, at(0)));
        let key = store.get(&hash).1;
        assert_eq!(key["data"]["usage"], 8.5);
        assert_eq!(key["data"]["usage_monthly"], 8.5);
        assert_eq!(key["data"]["limit_remaining"], 1.5);
        assert_eq!(key["data"]["byok_usage"], 0.0);
    }

    #[test]
    fn usage_is_recorded_as_the_last_use_only_from_2026_on() {
        let mut store = Store::new(100, 1, ListingLag::NONE);
        let hash = create(&mut store, "k", 0);
        let wall = |text: &str| OffsetDateTime::parse(text, &Rfc3339).unwrap();
        let moment = |text: &str| Moment {
            clock: Duration::ZERO,
            wall: wall(text),
        };
        let last_used = |store: &Store| store.get(&hash).1["data"]["last_used_at"].clone();
        assert_eq!(last_used(&store), Value::Null, "never used");
        store.add_usage(&hash, 2.0, moment("2025-12-31T23:59:59Z"));
        assert_eq!(last_used(&store), Value::Null, "used, but before 2026");
        assert_eq!(store.get(&hash).1["data"]["usage"], 2.0);
        store.add_usage(&hash, 0.0, moment("2026-01-01T00:00:00Z"));
        assert_eq!(last_used(&store), "2026-01-01T00:00:00Z");
        store.add_usage(&hash, 1.0, moment("2026-03-04T05:06:07.890Z"));
        assert_eq!(last_used(&store), "2026-03-04T05:06:07Z");
    }

    #[test]
    fn with_every_change_lagging_the_listing_shows_the_state_of_lag_ago() {
        let mut store = Store::new(100, 1, ListingLag::every_change(Duration::from_secs(3)));
        store.seed_key("Normal key", false, at(0));
        let hash = create(&mut store, "new", 10);
        assert_eq!(listed(&mut store, 12), ["Normal key"], "not listed yet");
        assert_eq!(store.get(&hash).0, 200, "but gettable at once");
        assert_eq!(listed(&mut store, 13), ["Normal key", "new"]);
        store.update(&hash, &json!({"disabled": true}), at(14));
        assert_eq!(listed(&mut store, 16), ["Normal key", "new"]);
        assert_eq!(listed(&mut store, 17), ["Normal key", "new (disabled)"]);
        store.delete(&hash, at(20));
        assert_eq!(store.get(&hash).0, 404);
        assert_eq!(listed(&mut store, 22), ["Normal key", "new (disabled)"]);
        assert_eq!(listed(&mut store, 23), ["Normal key"]);
    }

    #[test]
    fn with_new_keys_lagging_only_creations_are_late() {
        let mut store = Store::new(100, 1, ListingLag::new_keys(Duration::from_secs(3)));
        let listed_early = create(&mut store, "early", 0);
        let renamed = create(&mut store, "before", 10);
        store.update(&renamed, &json!({"name": "after"}), at(11));
        let deleted = create(&mut store, "gone", 11);
        store.delete(&deleted, at(12));
        assert_eq!(listed(&mut store, 12), ["early"]);
        store.update(&listed_early, &json!({"disabled": true}), at(12));
        assert_eq!(listed(&mut store, 12), ["early (disabled)"], "at once");
        // A key appears with its state when it appears; a deleted one never does.
        assert_eq!(listed(&mut store, 14), ["early (disabled)", "after"]);
    }

    #[test]
    fn changing_the_lag_brings_the_listing_up_to_date_first() {
        let mut store = Store::new(100, 1, ListingLag::every_change(Duration::from_secs(60)));
        create(&mut store, "waiting", 0);
        assert!(listed(&mut store, 1).is_empty());
        store.set_listing_lag(ListingLag::every_change(Duration::from_secs(600)));
        assert_eq!(listed(&mut store, 1), ["waiting"]);
        create(&mut store, "later", 2);
        assert_eq!(listed(&mut store, 601), ["waiting"]);
        assert_eq!(listed(&mut store, 602), ["waiting", "later"]);
    }
}
