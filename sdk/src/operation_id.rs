//! The operations by their spec operationIds, as one typed name.
//!
//! Decisions that depend on the operation (create is not retried blindly, a retried delete
//! that answers 404 succeeded) compare this enum, so that a typo cannot silently turn them
//! off, and errors name the operation the way the spec and the testkit's `Route` do.

use std::fmt;

/// One of the API's operations this crate calls, named after its operationId in the spec
/// (`openapi/openrouter-keys.yaml`). The testkit's `Route` uses the same variant names, and
/// its fake server's `--fault ROUTE=…` takes the same operationIds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum OperationId {
    /// `GET /key` (`getCurrentKey`).
    GetCurrentKey,
    /// `GET /keys` (`list`).
    List,
    /// `POST /keys` (`createKeys`).
    CreateKeys,
    /// `GET /keys/{hash}` (`getKey`).
    GetKey,
    /// `PATCH /keys/{hash}` (`updateKeys`).
    UpdateKeys,
    /// `DELETE /keys/{hash}` (`deleteKeys`).
    DeleteKeys,
    /// `GET /guardrails` (`listGuardrails`).
    ListGuardrails,
    /// `GET /guardrails/{id}` (`getGuardrail`).
    GetGuardrail,
    /// `GET /guardrails/assignments/keys` (`listKeyAssignments`).
    ListKeyAssignments,
    /// `GET /guardrails/{id}/assignments/keys` (`listGuardrailKeyAssignments`).
    ListGuardrailKeyAssignments,
    /// `POST /guardrails/{id}/assignments/keys` (`bulkAssignKeysToGuardrail`).
    BulkAssignKeysToGuardrail,
    /// `POST /guardrails/{id}/assignments/keys/remove` (`bulkUnassignKeysFromGuardrail`).
    BulkUnassignKeysFromGuardrail,
    /// `GET /workspaces` (`listWorkspaces`).
    ListWorkspaces,
    /// `GET /workspaces/{id}` (`getWorkspace`).
    GetWorkspace,
}

impl OperationId {
    /// The spec's operationId, e.g. `"createKeys"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::GetCurrentKey => "getCurrentKey",
            Self::List => "list",
            Self::CreateKeys => "createKeys",
            Self::GetKey => "getKey",
            Self::UpdateKeys => "updateKeys",
            Self::DeleteKeys => "deleteKeys",
            Self::ListGuardrails => "listGuardrails",
            Self::GetGuardrail => "getGuardrail",
            Self::ListKeyAssignments => "listKeyAssignments",
            Self::ListGuardrailKeyAssignments => "listGuardrailKeyAssignments",
            Self::BulkAssignKeysToGuardrail => "bulkAssignKeysToGuardrail",
            Self::BulkUnassignKeysFromGuardrail => "bulkUnassignKeysFromGuardrail",
            Self::ListWorkspaces => "listWorkspaces",
            Self::GetWorkspace => "getWorkspace",
        }
    }

    /// Method and path, e.g. `"POST /keys"`.
    pub fn route(self) -> &'static str {
        match self {
            Self::GetCurrentKey => "GET /key",
            Self::List => "GET /keys",
            Self::CreateKeys => "POST /keys",
            Self::GetKey => "GET /keys/{hash}",
            Self::UpdateKeys => "PATCH /keys/{hash}",
            Self::DeleteKeys => "DELETE /keys/{hash}",
            Self::ListGuardrails => "GET /guardrails",
            Self::GetGuardrail => "GET /guardrails/{id}",
            Self::ListKeyAssignments => "GET /guardrails/assignments/keys",
            Self::ListGuardrailKeyAssignments => "GET /guardrails/{id}/assignments/keys",
            Self::BulkAssignKeysToGuardrail => "POST /guardrails/{id}/assignments/keys",
            Self::BulkUnassignKeysFromGuardrail => "POST /guardrails/{id}/assignments/keys/remove",
            Self::ListWorkspaces => "GET /workspaces",
            Self::GetWorkspace => "GET /workspaces/{id}",
        }
    }
}

impl fmt::Display for OperationId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
