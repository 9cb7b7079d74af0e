//! The six operations by their spec operationIds, as one typed name.
//!
//! Decisions that depend on the operation (create is not retried blindly, a retried delete
//! that answers 404 succeeded) compare this enum, so that a typo cannot silently turn them
//! off, and errors name the operation the way the spec and the testkit's `Route` do.

use std::fmt;

/// One of the API's six operations, named after its operationId in the spec
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
        }
    }
}

impl fmt::Display for OperationId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
