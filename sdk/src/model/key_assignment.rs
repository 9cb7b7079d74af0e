//! `KeyAssignment`: which guardrail a key holds, as the assignment listings return it.

use super::timestamp::{self, Timestamp};
use openrouter_keys_codegen::types;

/// One key's assignment to a guardrail. A key holds at most one; assigning another replaces
/// it. `key_hash` and `guardrail_id` are essential: an assignment without either fails to
/// decode.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct KeyAssignment {
    /// The key's hash.
    pub key_hash: String,
    /// The guardrail the key holds.
    pub guardrail_id: String,
    /// Identifier of the assignment itself.
    pub id: Option<String>,
    /// The key's name.
    pub key_name: Option<String>,
    /// The key's label.
    pub key_label: Option<String>,
    /// The user who made the assignment.
    pub assigned_by: Option<String>,
    /// When the assignment was made.
    pub created_at: Option<Timestamp>,
}

impl From<types::KeyAssignment> for KeyAssignment {
    fn from(assignment: types::KeyAssignment) -> Self {
        let types::KeyAssignment {
            assigned_by,
            created_at,
            guardrail_id,
            id,
            key_hash,
            key_label,
            key_name,
        } = assignment;
        Self {
            key_hash,
            guardrail_id,
            id,
            key_name,
            key_label,
            assigned_by,
            created_at: timestamp::optional(created_at),
        }
    }
}

impl KeyAssignment {
    /// `GET /guardrails/assignments/keys` and `GET /guardrails/{id}/assignments/keys`: the
    /// assignments of one page, in the order listed.
    pub(crate) fn listed(response: types::KeyAssignmentListResponse) -> Vec<KeyAssignment> {
        Self::paged(response).0
    }

    /// The assignments of one page, in the order listed, and the total the listing gives
    /// (`None` when it gives none, or a negative one), for the pager.
    pub(crate) fn paged(
        response: types::KeyAssignmentListResponse,
    ) -> (Vec<KeyAssignment>, Option<u64>) {
        let types::KeyAssignmentListResponse { data, total_count } = response;
        let assignments = data.into_iter().map(KeyAssignment::from).collect();
        (assignments, total_count.and_then(|n| u64::try_from(n).ok()))
    }
}

/// What assigning keys to a guardrail answered. An answer without a count, or with a
/// negative one, is not taken for a success: the call fails with
/// [`Error::Decode`](crate::Error::Decode).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct KeysAssigned {
    /// How many keys the API says it assigned (`assigned_count`). After a retried call, the
    /// last attempt's count. Whether it counts a key that already held this guardrail is not
    /// documented (`openapi/POLICY.md`).
    pub count: u64,
}

impl From<types::AssignKeysResponse> for KeysAssigned {
    fn from(response: types::AssignKeysResponse) -> Self {
        let types::AssignKeysResponse { assigned_count } = response;
        Self {
            count: count(assigned_count),
        }
    }
}

/// What unassigning keys from a guardrail answered. An answer without a count, or with a
/// negative one, is not taken for a success, as for [`KeysAssigned`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct KeysUnassigned {
    /// How many keys the API says it unassigned (`unassigned_count`). After a retried call,
    /// the last attempt's count (0 when the first attempt had already unassigned them).
    pub count: u64,
}

impl From<types::UnassignKeysResponse> for KeysUnassigned {
    fn from(response: types::UnassignKeysResponse) -> Self {
        let types::UnassignKeysResponse { unassigned_count } = response;
        Self {
            count: count(unassigned_count),
        }
    }
}

/// A count as the API sends it; the calls refuse a negative one before it gets here (their
/// `Exchange::refusal`), so no value is lost.
fn count(sent: i64) -> u64 {
    u64::try_from(sent).unwrap_or(0)
}
