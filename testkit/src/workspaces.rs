//! The fake's workspaces: the default one every account has, those a test adds
//! ([`FakeServer::add_workspace`](crate::FakeServer::add_workspace)), and `GET /workspaces`,
//! `GET /workspaces/{id}`.
//!
//! Keys name their workspace by id (`store.rs`); the fake does not check that a key's workspace
//! exists, since what the API answers for an unknown one is not documented.

use crate::paging::PageQuery;
use crate::store::{Answer, error};
use serde_json::{Value, json};
use std::str::FromStr;

/// The workspace keys land in when none is given.
pub const DEFAULT_WORKSPACE: &str = "0df9e665-d932-5740-b2c7-b52af166bc11";

/// The id of the default workspace's default guardrail (its configuration is not written until
/// a test adds it: [`NewGuardrail::workspace_default`](crate::NewGuardrail::workspace_default)).
pub(crate) const DEFAULT_WORKSPACE_GUARDRAIL: &str = "595d5849-7e86-41fd-a7c0-705c34e4afff";

/// A workspace for [`FakeServer::add_workspace`](crate::FakeServer::add_workspace) to create.
///
/// ```
/// use openrouter_keys_testkit::NewWorkspace;
///
/// let research = NewWorkspace::new("Research Lab").description("experiments");
/// assert_eq!(research.slug_text(), "research-lab");
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct NewWorkspace {
    name: String,
    slug: Option<String>,
    description: Option<String>,
}

impl NewWorkspace {
    /// A workspace with this name; its slug is the name in lower case, with every run of
    /// other characters than letters and digits written `-`.
    pub fn new(name: impl Into<String>) -> Self {
        NewWorkspace {
            name: name.into(),
            slug: None,
            description: None,
        }
    }

    /// Its slug (usable in place of its id in `GET /workspaces/{id}`).
    pub fn slug(mut self, slug: impl Into<String>) -> Self {
        self.slug = Some(slug.into());
        self
    }

    /// Its description.
    pub fn description(mut self, description: impl Into<String>) -> Self {
        self.description = Some(description.into());
        self
    }

    /// The slug it will have.
    pub fn slug_text(&self) -> String {
        match &self.slug {
            Some(slug) => slug.clone(),
            None => slug_of(&self.name),
        }
    }
}

/// `NAME`: the binary's `--workspace` value.
impl FromStr for NewWorkspace {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.trim().is_empty() {
            return Err("a workspace needs a name".to_string());
        }
        Ok(NewWorkspace::new(s))
    }
}

fn slug_of(name: &str) -> String {
    let mut slug = String::new();
    for c in name.chars().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() {
            slug.push(c);
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
    }
    slug.trim_end_matches('-').to_string()
}

#[derive(Debug, Clone)]
pub(crate) struct StoredWorkspace {
    pub id: String,
    pub name: String,
    pub slug: String,
    pub description: Option<String>,
    pub default_guardrail_id: String,
    pub created_at: String,
}

impl StoredWorkspace {
    fn to_json(&self) -> Value {
        json!({
            "id": self.id,
            "name": self.name,
            "slug": self.slug,
            "description": self.description,
            "default_guardrail_id": self.default_guardrail_id,
            "default_text_model": null,
            "default_image_model": null,
            "default_provider_sort": null,
            "include_byok_in_budgets": false,
            "is_observability_io_logging_enabled": false,
            "is_observability_broadcast_enabled": false,
            "is_data_discount_logging_enabled": false,
            "io_logging_sampling_rate": 1.0,
            "io_logging_api_key_ids": null,
            "created_at": self.created_at,
            "updated_at": null,
            "created_by": null,
        })
    }
}

/// Every workspace, in creation order, the default one first.
#[derive(Debug)]
pub(crate) struct Workspaces(Vec<StoredWorkspace>);

impl Workspaces {
    /// The default workspace alone (created before the fake started: at a fixed time).
    pub fn new() -> Workspaces {
        Workspaces(vec![StoredWorkspace {
            id: DEFAULT_WORKSPACE.to_string(),
            name: "Default".to_string(),
            slug: "default".to_string(),
            description: None,
            default_guardrail_id: DEFAULT_WORKSPACE_GUARDRAIL.to_string(),
            created_at: "2025-01-01T00:00:00Z".to_string(),
        }])
    }

    /// Adds `new` with these ids; an error when its slug is taken.
    pub fn add(
        &mut self,
        new: NewWorkspace,
        id: String,
        default_guardrail_id: String,
        created_at: String,
    ) -> Result<(), String> {
        let slug = new.slug_text();
        if slug.is_empty() || self.0.iter().any(|w| w.slug == slug) {
            return Err(format!(
                "a workspace needs a slug of its own; `{slug}` is empty or taken"
            ));
        }
        self.0.push(StoredWorkspace {
            id,
            name: new.name,
            slug,
            description: new.description,
            default_guardrail_id,
            created_at,
        });
        Ok(())
    }

    /// The workspace with this id or slug.
    pub fn find(&self, id_or_slug: &str) -> Option<&StoredWorkspace> {
        self.0
            .iter()
            .find(|w| w.id == id_or_slug || w.slug == id_or_slug)
    }

    /// `GET /workspaces`.
    pub fn list(&self, query: &PageQuery) -> Answer {
        query.page(self.0.iter().map(StoredWorkspace::to_json))
    }

    /// `GET /workspaces/{id}`, by id or slug.
    pub fn get(&self, id_or_slug: &str) -> Answer {
        match self.find(id_or_slug) {
            Some(workspace) => (200, json!({ "data": workspace.to_json() })),
            None => error(404, "Workspace not found"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_lower_case_words_joined_by_dashes() {
        assert_eq!(slug_of("Research Lab"), "research-lab");
        assert_eq!(slug_of("  CI / CD!! "), "ci-cd");
        assert_eq!(slug_of("Équipe 2"), "équipe-2");
    }

    #[test]
    fn a_workspace_is_found_by_id_or_slug_and_slugs_are_unique() {
        let mut workspaces = Workspaces::new();
        let added = workspaces.add(
            NewWorkspace::new("Research"),
            "id-1".into(),
            "guardrail-1".into(),
            "2026-01-02T00:00:00Z".into(),
        );
        assert_eq!(added, Ok(()));
        assert_eq!(workspaces.get("research").1["data"]["id"], "id-1");
        assert_eq!(workspaces.get("id-1").1["data"]["slug"], "research");
        assert_eq!(workspaces.get("default").1["data"]["id"], DEFAULT_WORKSPACE);
        assert_eq!(workspaces.get("nope").0, 404);
        let again = workspaces.add(
            NewWorkspace::new("research"),
            "id-2".into(),
            "guardrail-2".into(),
            "2026-01-02T00:00:00Z".into(),
        );
        assert!(again.unwrap_err().contains("taken"));
        assert_eq!(workspaces.list(&PageQuery::default()).1["total_count"], 2);
    }
}
