//! The fake's guardrails and key assignments: guardrails a test adds
//! ([`FakeServer::add_guardrail`](crate::FakeServer::add_guardrail)), read with
//! `GET /guardrails` and `GET /guardrails/{id}`, and keys assigned to them and unassigned.
//!
//! A key holds at most one guardrail, and assigning replaces what it held (OpenRouter's
//! published spec; the repository's `openapi/POLICY.md`). What the spec leaves open, the fake
//! decides as follows (our model, not documented behaviour): a request naming a key that does
//! not exist is answered 404 and changes nothing; `assigned_count` counts every key the request
//! named (each holds the guardrail afterwards, whether or not it did before);
//! `unassigned_count` counts the keys that held it; a key of one workspace may hold a guardrail
//! of another; a deleted key's assignment goes with it; assignments are listed at once (the
//! listing lag is `GET /keys`'s alone).

use crate::paging::PageQuery;
use crate::store::{Answer, StoredKey, error};
use crate::workspaces::DEFAULT_WORKSPACE;
use serde_json::{Map, Value, json};
use std::collections::BTreeSet;
use std::str::FromStr;

/// How the binary's `--guardrail` writes a guardrail, for help and error texts.
pub const GUARDRAIL_SYNTAX: &str = "NAME[=USD[/INTERVAL]]: a guardrail in the default \
workspace with a budget of USD that resets daily, weekly or monthly (never without \
/INTERVAL), such as ci-agents=40/weekly";

/// A guardrail for [`FakeServer::add_guardrail`](crate::FakeServer::add_guardrail) to create.
///
/// ```
/// use openrouter_keys_testkit::NewGuardrail;
///
/// let capped = NewGuardrail::new("ci-agents")
///     .limit_usd(40.0)
///     .reset_interval("weekly")
///     .allowed_providers(["anthropic", "openai"]);
/// assert_eq!("ci-agents=40/weekly".parse::<NewGuardrail>().unwrap().name(), "ci-agents");
/// # let _ = capped;
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct NewGuardrail {
    name: String,
    description: Option<String>,
    limit_usd: Option<f64>,
    reset_interval: Option<String>,
    include_byok_in_budgets: bool,
    allowed_models: Option<Vec<String>>,
    allowed_providers: Option<Vec<String>>,
    workspace: Option<String>,
    workspace_default: bool,
}

impl NewGuardrail {
    /// A guardrail with this name, no budget and no restriction, in the default workspace.
    pub fn new(name: impl Into<String>) -> Self {
        NewGuardrail {
            name: name.into(),
            description: None,
            limit_usd: None,
            reset_interval: None,
            include_byok_in_budgets: false,
            allowed_models: None,
            allowed_providers: None,
            workspace: None,
            workspace_default: false,
        }
    }

    /// Its name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Its description.
    pub fn description(mut self, description: impl Into<String>) -> Self {
        self.description = Some(description.into());
        self
    }

    /// Its budget in USD.
    pub fn limit_usd(mut self, usd: f64) -> Self {
        self.limit_usd = Some(usd);
        self
    }

    /// How often the budget resets (`daily`, `weekly`, `monthly`; any text is kept as is).
    pub fn reset_interval(mut self, interval: impl Into<String>) -> Self {
        self.reset_interval = Some(interval.into());
        self
    }

    /// Whether BYOK spend counts toward the budget.
    pub fn include_byok_in_budgets(mut self, include: bool) -> Self {
        self.include_byok_in_budgets = include;
        self
    }

    /// The only models allowed.
    pub fn allowed_models<S: Into<String>>(mut self, models: impl IntoIterator<Item = S>) -> Self {
        self.allowed_models = Some(models.into_iter().map(Into::into).collect());
        self
    }

    /// The only providers allowed.
    pub fn allowed_providers<S: Into<String>>(
        mut self,
        providers: impl IntoIterator<Item = S>,
    ) -> Self {
        self.allowed_providers = Some(providers.into_iter().map(Into::into).collect());
        self
    }

    /// The workspace it belongs to, by id or slug (by default the default workspace).
    pub fn workspace(mut self, id_or_slug: impl Into<String>) -> Self {
        self.workspace = Some(id_or_slug.into());
        self
    }

    /// Makes it its workspace's default guardrail: it gets the workspace's
    /// `default_guardrail_id`, which `GET /guardrails/{id}` answers 404 for until then.
    pub fn workspace_default(mut self) -> Self {
        self.workspace_default = true;
        self
    }

    /// The workspace it names, if any.
    pub(crate) fn workspace_named(&self) -> Option<&str> {
        self.workspace.as_deref()
    }

    /// Whether it is its workspace's default guardrail.
    pub(crate) fn is_workspace_default(&self) -> bool {
        self.workspace_default
    }
}

/// [`GUARDRAIL_SYNTAX`]: the binary's `--guardrail` value.
impl FromStr for NewGuardrail {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = |what: String| format!("`{s}`: {what}; write {GUARDRAIL_SYNTAX}");
        let (name, budget) = match s.split_once('=') {
            Some((name, budget)) => (name, Some(budget)),
            None => (s, None),
        };
        if name.trim().is_empty() {
            return Err(bad("a guardrail needs a name".into()));
        }
        let mut guardrail = NewGuardrail::new(name);
        if let Some(budget) = budget {
            let (usd, interval) = match budget.split_once('/') {
                Some((usd, interval)) => (usd, Some(interval)),
                None => (budget, None),
            };
            let usd: f64 = usd
                .parse()
                .ok()
                .filter(|usd: &f64| usd.is_finite() && *usd >= 0.0)
                .ok_or_else(|| bad(format!("`{usd}` is not an amount in USD")))?;
            guardrail = guardrail.limit_usd(usd);
            match interval {
                Some(interval @ ("daily" | "weekly" | "monthly")) => {
                    guardrail = guardrail.reset_interval(interval);
                }
                Some(other) => return Err(bad(format!("unknown interval `{other}`"))),
                None => {}
            }
        }
        Ok(guardrail)
    }
}

#[derive(Debug, Clone)]
struct StoredGuardrail {
    id: String,
    new: NewGuardrail,
    workspace_id: String,
    created_at: String,
}

impl StoredGuardrail {
    fn to_json(&self) -> Value {
        let new = &self.new;
        let mut m = Map::new();
        m.insert("id".into(), json!(self.id));
        m.insert("name".into(), json!(new.name));
        m.insert("description".into(), json!(new.description));
        m.insert("limit_usd".into(), json!(new.limit_usd));
        m.insert("reset_interval".into(), json!(new.reset_interval));
        m.insert(
            "include_byok_in_budgets".into(),
            json!(new.include_byok_in_budgets),
        );
        m.insert("allowed_models".into(), json!(new.allowed_models));
        m.insert("allowed_providers".into(), json!(new.allowed_providers));
        for absent in [
            "ignored_models",
            "ignored_providers",
            "enforce_zdr",
            "content_filter_builtins",
            "content_filters",
        ] {
            m.insert(absent.into(), Value::Null);
        }
        for provider in ["anthropic", "google", "openai", "xai", "other"] {
            m.insert(format!("enforce_zdr_{provider}"), json!(false));
        }
        m.insert("workspace_id".into(), json!(self.workspace_id));
        m.insert("created_at".into(), json!(self.created_at));
        m.insert("updated_at".into(), Value::Null);
        Value::Object(m)
    }
}

#[derive(Debug, Clone)]
struct Assignment {
    id: String,
    key_hash: String,
    guardrail_id: String,
    created_at: String,
}

impl Assignment {
    /// The assignment as listed; `keys` gives the key's name and label.
    fn to_json(&self, keys: &[StoredKey]) -> Value {
        let key = keys.iter().find(|k| k.hash == self.key_hash);
        json!({
            "id": self.id,
            "key_hash": self.key_hash,
            "guardrail_id": self.guardrail_id,
            "key_name": key.map(|k| k.name.clone()),
            "key_label": key.map(StoredKey::label),
            "assigned_by": null,
            "created_at": self.created_at,
        })
    }
}

/// Every guardrail and every key assignment, in creation order.
#[derive(Debug, Default)]
pub(crate) struct Guardrails {
    guardrails: Vec<StoredGuardrail>,
    assignments: Vec<Assignment>,
}

/// The key hashes of an assignment request's body, distinct, in the order given.
fn key_hashes(body: &Value) -> Result<Vec<String>, Answer> {
    let invalid = || error(400, "key_hashes must be a non-empty array of key hashes");
    let hashes = body
        .get("key_hashes")
        .and_then(Value::as_array)
        .filter(|hashes| !hashes.is_empty())
        .ok_or_else(invalid)?;
    let mut seen = BTreeSet::new();
    let mut distinct = Vec::new();
    for hash in hashes {
        let hash = hash
            .as_str()
            .filter(|h| !h.is_empty())
            .ok_or_else(invalid)?;
        if seen.insert(hash) {
            distinct.push(hash.to_string());
        }
    }
    Ok(distinct)
}

impl Guardrails {
    /// Adds a guardrail with this id, in the workspace with this id.
    pub fn add(&mut self, id: String, new: NewGuardrail, workspace_id: String, created_at: String) {
        self.guardrails.push(StoredGuardrail {
            id,
            new,
            workspace_id,
            created_at,
        });
    }

    /// Whether a guardrail has this id.
    pub fn exists(&self, id: &str) -> bool {
        self.guardrails.iter().any(|g| g.id == id)
    }

    /// The guardrail `key_hash` holds, if any.
    pub fn of_key(&self, key_hash: &str) -> Option<&str> {
        self.assignments
            .iter()
            .find(|a| a.key_hash == key_hash)
            .map(|a| a.guardrail_id.as_str())
    }

    /// Drops the assignment of a deleted key.
    pub fn forget_key(&mut self, key_hash: &str) {
        self.assignments.retain(|a| a.key_hash != key_hash);
    }

    /// `GET /guardrails`: one workspace's (the default one unless the query names another).
    pub fn list(&self, query: &PageQuery) -> Answer {
        let workspace = query.workspace_id.as_deref().unwrap_or(DEFAULT_WORKSPACE);
        let listed: Vec<Value> = self
            .guardrails
            .iter()
            .filter(|g| g.workspace_id == workspace)
            .map(StoredGuardrail::to_json)
            .collect();
        query.page(listed.into_iter())
    }

    /// `GET /guardrails/{id}`.
    pub fn get(&self, id: &str) -> Answer {
        match self.guardrails.iter().find(|g| g.id == id) {
            Some(guardrail) => (200, json!({ "data": guardrail.to_json() })),
            None => error(404, "Guardrail not found"),
        }
    }

    /// `GET /guardrails/assignments/keys` (`guardrail: None`) or
    /// `GET /guardrails/{id}/assignments/keys`.
    pub fn assignments(
        &self,
        guardrail: Option<&str>,
        query: &PageQuery,
        keys: &[StoredKey],
    ) -> Answer {
        if let Some(id) = guardrail
            && !self.exists(id)
        {
            return error(404, "Guardrail not found");
        }
        let listed: Vec<Value> = self
            .assignments
            .iter()
            .filter(|a| guardrail.is_none_or(|id| a.guardrail_id == id))
            .map(|a| a.to_json(keys))
            .collect();
        query.page(listed.into_iter())
    }

    /// Checks a request on guardrail `id` naming existing keys, and returns their hashes.
    fn targets(&self, id: &str, body: &Value, keys: &[StoredKey]) -> Result<Vec<String>, Answer> {
        if !self.exists(id) {
            return Err(error(404, "Guardrail not found"));
        }
        let hashes = key_hashes(body)?;
        if let Some(unknown) = hashes
            .iter()
            .find(|hash| !keys.iter().any(|k| &k.hash == *hash && !k.management))
        {
            return Err(error(404, &format!("API key not found: {unknown}")));
        }
        Ok(hashes)
    }

    /// `POST /guardrails/{id}/assignments/keys`: each named key holds guardrail `id`
    /// afterwards, replacing what it held. `fresh_id` names each new assignment.
    pub fn assign(
        &mut self,
        id: &str,
        body: &Value,
        keys: &[StoredKey],
        at: &str,
        mut fresh_id: impl FnMut() -> String,
    ) -> Answer {
        let hashes = match self.targets(id, body, keys) {
            Ok(hashes) => hashes,
            Err(answer) => return answer,
        };
        for hash in &hashes {
            if self.of_key(hash) == Some(id) {
                continue;
            }
            self.forget_key(hash);
            self.assignments.push(Assignment {
                id: fresh_id(),
                key_hash: hash.clone(),
                guardrail_id: id.to_string(),
                created_at: at.to_string(),
            });
        }
        (200, json!({ "assigned_count": hashes.len() }))
    }

    /// `POST /guardrails/{id}/assignments/keys/remove`: the named keys that held guardrail
    /// `id` hold none afterwards.
    pub fn unassign(&mut self, id: &str, body: &Value, keys: &[StoredKey]) -> Answer {
        let hashes = match self.targets(id, body, keys) {
            Ok(hashes) => hashes,
            Err(answer) => return answer,
        };
        let before = self.assignments.len();
        self.assignments
            .retain(|a| !(a.guardrail_id == id && hashes.contains(&a.key_hash)));
        let unassigned = before - self.assignments.len();
        (200, json!({ "unassigned_count": unassigned }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_binary_syntax_gives_a_budget_and_its_interval() {
        let parsed: NewGuardrail = "ci=40/weekly".parse().unwrap();
        assert_eq!(
            parsed,
            NewGuardrail::new("ci")
                .limit_usd(40.0)
                .reset_interval("weekly")
        );
        assert_eq!("open".parse(), Ok(NewGuardrail::new("open")));
        assert_eq!(
            "once=5".parse(),
            Ok(NewGuardrail::new("once").limit_usd(5.0))
        );
        for (bad, says) in [
            ("", "needs a name"),
            ("=5", "needs a name"),
            ("ci=lots", "not an amount"),
            ("ci=-1", "not an amount"),
            ("ci=5/yearly", "unknown interval `yearly`"),
        ] {
            let error = bad.parse::<NewGuardrail>().unwrap_err();
            assert!(error.contains(says), "{bad}: {error}");
            assert!(error.contains("NAME[=USD[/INTERVAL]]"), "{bad}: {error}");
        }
    }

    #[test]
    fn key_hashes_must_be_a_non_empty_array_of_non_empty_strings() {
        for bad in [
            json!({}),
            json!({"key_hashes": []}),
            json!({"key_hashes": "abc"}),
            json!({"key_hashes": [""]}),
            json!({"key_hashes": [1]}),
        ] {
            assert_eq!(key_hashes(&bad).unwrap_err().0, 400, "{bad}");
        }
        assert_eq!(
            key_hashes(&json!({"key_hashes": ["b", "a", "b"]})).unwrap(),
            ["b", "a"]
        );
    }
}
