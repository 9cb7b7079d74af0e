//! Checks every id the SDK sends before anything is sent: a key's hash, a guardrail's id, a
//! workspace's id or slug, a user's id, in a path, a query or a body, and each key hash of a
//! list.
//!
//! The generated client percent-encodes a hash (or id) as one path segment (`/`, `?`, `#`, `%`,
//! spaces, controls and non-ASCII are escaped). Three inputs would still leave `/keys/{hash}`:
//! an empty hash (`/keys/` is another route), the dot segments `.` and `..` (which URL parsing
//! resolves away), and `\`, which URL parsing treats as `/` for http(s). No hash or id the API
//! has shown (its examples are 64 hex digits and UUIDs; no source states a format) is any of
//! these, or begins or ends with whitespace (a copy-and-paste slip), so they are refused as
//! invalid input rather than sent, wherever the id goes: the same id in a query
//! (`?workspace_id=`) or a body would name nothing either. Nor is anything that contains a
//! key's secret (`sk-or-…`, a likely paste mistake: the secret alone, quoted, or after
//! `Bearer `): sent, it would sit in a URL, in proxies' and servers' logs, so it is refused
//! without being echoed. Nor is text longer than [`MAX_TEXT_CHARS`](crate::MAX_TEXT_CHARS)
//! (our bound on all text sent). No message quotes the refused value.

use crate::error::{Error, Result};
use crate::input_field::InputField;
use crate::text_bound::bounded;

/// Returns the hash when it can only ever address `/keys/{hash}`.
pub(crate) fn checked_hash(hash: &str) -> Result<&str> {
    checked_id(hash, InputField::Hash)
}

/// Returns `id` (of the kind `field` names: a hash, a guardrail's, workspace's or user's id)
/// when it may be sent: see the module documentation.
pub(crate) fn checked_id(id: &str, field: InputField) -> Result<&str> {
    match refusal(id, field) {
        None => bounded(field, id),
        Some(why) => Err(why.error(&Subject::One(field))),
    }
}

/// Checks every id of `ids` (of the kind `field` names), as [`checked_id`] does; an error
/// names the index of the first one refused.
pub(crate) fn checked_ids(ids: &[String], field: InputField) -> Result<()> {
    for (index, id) in ids.iter().enumerate() {
        let subject = Subject::At { field, index };
        if let Some(why) = refusal(id, field) {
            return Err(why.error(&subject));
        }
        if let Err(Error::InvalidInput { reason, .. }) = bounded(field, id) {
            return Err(Error::invalid(
                field,
                format!("{}: {reason}", subject.name()),
            ));
        }
    }
    Ok(())
}

/// Why an id is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Refusal {
    Empty,
    Whitespace,
    DotSegment,
    Backslash,
    Secret,
}

/// What a message calls the id: "a key hash", "the key hash at index 2".
enum Subject {
    One(InputField),
    At { field: InputField, index: usize },
}

impl Subject {
    fn field(&self) -> InputField {
        match self {
            Subject::One(field) | Subject::At { field, .. } => *field,
        }
    }

    /// "a key hash", "the key hash at index 2".
    fn name(&self) -> String {
        let kind = kind(self.field());
        match self {
            Subject::One(_) => format!("a {kind}"),
            Subject::At { index, .. } => format!("the {kind} at index {index}"),
        }
    }
}

/// The kind of id a field holds, in words.
fn kind(field: InputField) -> &'static str {
    match field {
        InputField::Hash | InputField::KeyHashes => "key hash",
        InputField::WorkspaceId => "workspace id or slug",
        InputField::CreatorUserId => "user id",
        _ => "guardrail id",
    }
}

/// Why `id` may not be sent, if it may not.
fn refusal(id: &str, field: InputField) -> Option<Refusal> {
    // The secret first: whatever else is wrong, that is what to know.
    if id.contains("sk-or-") {
        return Some(Refusal::Secret);
    }
    if id.is_empty() {
        return Some(Refusal::Empty);
    }
    if id.trim() != id {
        return Some(Refusal::Whitespace);
    }
    if id == "." || id == ".." {
        return Some(Refusal::DotSegment);
    }
    // A user id goes in a body only; the others may go in a path.
    if id.contains('\\') && field != InputField::CreatorUserId {
        return Some(Refusal::Backslash);
    }
    None
}

/// Where a key's hash comes from, for a secret passed instead of one.
const FIND_THE_HASH: &str = "Pass the key's hash, as `client.keys().list()` shows it (the key \
                             the client calls with needs none: `client.current_key()`)";

impl Refusal {
    /// The error, naming `subject` and never the id itself.
    fn error(self, subject: &Subject) -> Error {
        let field = subject.field();
        let reason = self.reason(subject);
        match (self, field) {
            (Refusal::Secret, InputField::Hash | InputField::KeyHashes) => {
                Error::invalid_with_hint(field, reason, FIND_THE_HASH)
            }
            _ => Error::invalid(field, reason),
        }
    }

    /// What is wrong, naming `subject` and never the id itself.
    fn reason(self, subject: &Subject) -> String {
        let name = subject.name();
        match self {
            Refusal::Empty => format!("{name} cannot be empty"),
            Refusal::Whitespace => {
                format!("{name} cannot begin or end with whitespace: it was not sent")
            }
            Refusal::DotSegment => format!("{name} cannot be `.` or `..` (path navigation)"),
            Refusal::Backslash => {
                format!("{name} cannot contain `\\` (URLs treat it as `/`)")
            }
            Refusal::Secret if subject.field() == InputField::Hash => {
                "this contains an API key's secret (`sk-or-…`), not its hash: it was not sent"
                    .to_string()
            }
            Refusal::Secret => {
                format!("{name} contains an API key's secret (`sk-or-…`): it was not sent",)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_only_what_could_leave_the_route_or_name_nothing() {
        for bad in [
            "",
            ".",
            "..",
            "a\\b",
            "\\",
            "sk-or-v1-0123456789abcdef",
            " sk-or-v1-0123456789abcdef",
            "\"sk-or-v1-0123456789abcdef\"",
            "Bearer sk-or-v1-0123456789abcdef",
            " f01d52606dc8",
            "f01d52606dc8\n",
            "\t",
        ] {
            assert!(checked_hash(bad).is_err(), "{bad:?}");
        }
        for good in [
            "f01d52606dc8",
            "a/b",
            "?x",
            "#",
            "...",
            "a..b",
            "a b",
            "ключ",
            "%2e%2e",
        ] {
            assert_eq!(checked_hash(good).unwrap(), good);
        }
        let long = "a".repeat(crate::MAX_TEXT_CHARS + 1);
        assert!(checked_hash(&long).is_err());
        let too_long = [String::from("f01d"), long];
        let Err(Error::InvalidInput { reason, .. }) = checked_ids(&too_long, InputField::KeyHashes)
        else {
            panic!("a hash longer than the bound is refused");
        };
        assert!(
            reason.starts_with("the key hash at index 1: 1001 characters"),
            "{reason}"
        );
    }

    #[test]
    fn ids_follow_the_rules_of_hashes_and_name_their_field_without_echoing() {
        for field in [
            InputField::GuardrailId,
            InputField::WorkspaceId,
            InputField::KeyHashes,
            InputField::CreatorUserId,
        ] {
            for bad in [
                "",
                "..",
                "sk-or-v1-0123",
                "Bearer sk-or-v1-0123",
                " research-0123 ",
            ] {
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

    #[test]
    fn a_list_names_the_index_of_the_id_it_refuses() {
        let hashes = ["f01d", "beef", "key sk-or-v1-0123"].map(String::from);
        let Err(Error::InvalidInput { what, reason, .. }) =
            checked_ids(&hashes, InputField::KeyHashes)
        else {
            panic!("a secret in the list is refused");
        };
        assert_eq!(what, InputField::KeyHashes);
        assert_eq!(
            reason,
            "the key hash at index 2 contains an API key's secret (`sk-or-…`): it was not sent"
        );
        let blank = ["f01d", ""].map(String::from);
        let Err(Error::InvalidInput { reason, .. }) = checked_ids(&blank, InputField::KeyHashes)
        else {
            panic!("an empty hash in the list is refused");
        };
        assert_eq!(reason, "the key hash at index 1 cannot be empty");
        assert!(checked_ids(&hashes[..2], InputField::KeyHashes).is_ok());
    }
}
