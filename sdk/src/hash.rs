//! Checks a key hash, or a guardrail's or workspace's id, before it becomes a path segment.
//!
//! The generated client percent-encodes the hash (or id) as one segment (`/`, `?`, `#`, `%`,
//! spaces, controls and non-ASCII are escaped). Three inputs would still leave `/keys/{hash}`:
//! an empty hash (`/keys/` is another route), the dot segments `.` and `..` (which URL parsing
//! resolves away), and `\`, which URL parsing treats as `/` for http(s). No hash or id the API
//! has shown (its examples are 64 hex digits and UUIDs; no source states a format) is any of
//! these, so they are rejected as invalid input rather than sent. Nor is text longer than
//! [`MAX_TEXT_CHARS`](crate::MAX_TEXT_CHARS) (our bound on all text sent), nor a key's secret
//! (`sk-or-…`, a likely paste mistake): sent, it would sit in a URL, in proxies' and servers'
//! logs, so it is refused without being echoed.

use crate::error::{Error, Result};
use crate::input_field::InputField;
use crate::text_bound::bounded;

/// Returns the hash when it can only ever address `/keys/{hash}`.
pub(crate) fn checked_hash(hash: &str) -> Result<&str> {
    checked_segment(hash, InputField::Hash, "a key hash")
}

/// Returns the id when it can only ever address one guardrail or workspace (`field` says
/// which: `/guardrails/{id}…` or `/workspaces/{id}`), by the rules of a key hash.
pub(crate) fn checked_id(id: &str, field: InputField) -> Result<&str> {
    let what = match field {
        InputField::WorkspaceId => "a workspace id or slug",
        _ => "a guardrail id",
    };
    checked_segment(id, field, what)
}

/// `value`, checked to stay one path segment; `what` names it in messages ("a key hash").
fn checked_segment<'v>(value: &'v str, field: InputField, what: &str) -> Result<&'v str> {
    if value.is_empty() {
        return Err(Error::invalid(field, format!("{what} cannot be empty")));
    }
    if value == "." || value == ".." {
        return Err(Error::invalid(
            field,
            format!("`.` and `..` are path navigation, not {what}"),
        ));
    }
    if value.starts_with("sk-or-") {
        // Not echoed: it is a secret, pasted where a hash or id was meant.
        return Err(match field {
            InputField::Hash => Error::invalid_with_hint(
                field,
                "this is an API key's secret (`sk-or-…`), not its hash: it was not sent",
                FIND_THE_HASH,
            ),
            _ => Error::invalid(
                field,
                format!("this is an API key's secret (`sk-or-…`), not {what}: it was not sent"),
            ),
        });
    }
    bounded(field, value)?;
    if value.contains('\\') {
        return Err(Error::invalid(
            field,
            format!("{what} cannot contain `\\` (URLs treat it as `/`)"),
        ));
    }
    Ok(value)
}

/// Where a key's hash comes from, for a secret passed instead of one.
const FIND_THE_HASH: &str = "Pass the key's hash, as `client.keys().list()` shows it (the key \
                             the client calls with needs none: `client.current_key()`)";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_only_what_could_leave_the_route() {
        for bad in ["", ".", "..", "a\\b", "\\", "sk-or-v1-0123456789abcdef"] {
            assert!(checked_hash(bad).is_err(), "{bad:?}");
        }
        for good in [
            "f01d52606dc8",
            "a/b",
            "?x",
            "#",
            "...",
            "a..b",
            "ключ",
            "%2e%2e",
        ] {
            assert_eq!(checked_hash(good).unwrap(), good);
        }
        let long = "a".repeat(crate::MAX_TEXT_CHARS + 1);
        assert!(checked_hash(&long).is_err());
    }

    #[test]
    fn ids_follow_the_rules_of_hashes_and_name_their_field() {
        for field in [InputField::GuardrailId, InputField::WorkspaceId] {
            for bad in ["", "..", "a\\b", "sk-or-v1-0123"] {
                match checked_id(bad, field) {
                    Err(Error::InvalidInput { what, reason, .. }) => {
                        assert_eq!(what, field, "{bad:?}");
                        assert!(!reason.contains("0123"), "not echoed: {reason}");
                    }
                    other => panic!("{bad:?}: {other:?}"),
                }
            }
            assert_eq!(checked_id("research-lab", field).unwrap(), "research-lab");
        }
        let Err(Error::InvalidInput { reason, .. }) = checked_hash("") else {
            panic!("an empty hash is refused");
        };
        assert_eq!(reason, "a key hash cannot be empty");
    }
}
