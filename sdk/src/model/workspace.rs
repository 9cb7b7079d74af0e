//! `Workspace`: a group of keys, guardrails and budgets, as `GET /workspaces` and
//! `GET /workspaces/{id}` return it (read-only in this crate).

use super::timestamp::{self, Timestamp};
use openrouter_keys_codegen::types;

/// A workspace. Every key belongs to one ([`Key::workspace_id`](crate::Key::workspace_id)),
/// and `GET /keys` lists one workspace at a time: to see every key, list the workspaces and
/// then the keys of each ([`Request::workspace_id`](crate::Request::workspace_id)).
///
/// Only `id` is essential; every other field is `None` when the API did not send it, or sent a
/// value of another type.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Workspace {
    /// Identifier, used in `/workspaces/{id}` and as keys' `workspace_id`.
    pub id: String,
    /// Name.
    pub name: Option<String>,
    /// URL-friendly name, usable in place of the id in `/workspaces/{id}`.
    pub slug: Option<String>,
    /// Description.
    pub description: Option<String>,
    /// The workspace's default guardrail, which applies to all its traffic and is checked
    /// first. Reading it ([`Guardrails::get`](crate::Guardrails::get)) answers 404 until its
    /// configuration was first written.
    pub default_guardrail_id: Option<String>,
    /// Default text model.
    pub default_text_model: Option<String>,
    /// Default image model.
    pub default_image_model: Option<String>,
    /// Default provider sort (`price`, `throughput`, `latency`, ...).
    pub default_provider_sort: Option<String>,
    /// Whether bring-your-own-key spend counts toward the workspace's budgets.
    pub include_byok_in_budgets: Option<bool>,
    /// Whether private (input/output) logging is on.
    pub is_observability_io_logging_enabled: Option<bool>,
    /// Whether broadcast is on.
    pub is_observability_broadcast_enabled: Option<bool>,
    /// Whether data discount logging is on.
    pub is_data_discount_logging_enabled: Option<bool>,
    /// Share of requests logged, from 0.0001 to 1.
    pub io_logging_sampling_rate: Option<f64>,
    /// The keys whose requests are logged; `None` for all (or when not sent).
    pub io_logging_api_key_ids: Option<Vec<i64>>,
    /// When the workspace was created.
    pub created_at: Option<Timestamp>,
    /// When it was last updated; `None` if never.
    pub updated_at: Option<Timestamp>,
    /// The user who created it.
    pub created_by: Option<String>,
}

impl From<types::Workspace> for Workspace {
    fn from(workspace: types::Workspace) -> Self {
        let types::Workspace {
            created_at,
            created_by,
            default_guardrail_id,
            default_image_model,
            default_provider_sort,
            default_text_model,
            description,
            id,
            include_byok_in_budgets,
            io_logging_api_key_ids,
            io_logging_sampling_rate,
            is_data_discount_logging_enabled,
            is_observability_broadcast_enabled,
            is_observability_io_logging_enabled,
            name,
            slug,
            updated_at,
        } = workspace;
        Self {
            id,
            name,
            slug,
            description,
            default_guardrail_id,
            default_text_model,
            default_image_model,
            default_provider_sort,
            include_byok_in_budgets,
            is_observability_io_logging_enabled,
            is_observability_broadcast_enabled,
            is_data_discount_logging_enabled,
            io_logging_sampling_rate,
            io_logging_api_key_ids,
            created_at: timestamp::optional(created_at),
            updated_at: timestamp::optional(updated_at),
            created_by,
        }
    }
}

/// `GET /workspaces/{id}`: the workspace in its envelope.
impl From<types::WorkspaceResponse> for Workspace {
    fn from(response: types::WorkspaceResponse) -> Self {
        let types::WorkspaceResponse { data } = response;
        Workspace::from(data)
    }
}

impl Workspace {
    /// `GET /workspaces`: the workspaces of one page, in the order listed.
    pub(crate) fn listed(response: types::WorkspaceListResponse) -> Vec<Workspace> {
        Self::paged(response).0
    }

    /// `GET /workspaces`: the workspaces of one page, in the order listed, and the total the
    /// listing gives (`None` when it gives none, or a negative one), for the pager.
    pub(crate) fn paged(response: types::WorkspaceListResponse) -> (Vec<Workspace>, Option<u64>) {
        let types::WorkspaceListResponse { data, total_count } = response;
        let workspaces = data.into_iter().map(Workspace::from).collect();
        (workspaces, total_count.and_then(|n| u64::try_from(n).ok()))
    }
}
