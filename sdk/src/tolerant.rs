//! The tolerant reader's second chance: decode a body after dropping the malformed fields the
//! caller can do without.
//!
//! The rule (see the crate documentation, "Secrets and decoding"): a response fails to
//! decode only when an *essential* field is missing or malformed. Which fields are essential is
//! written once, in the spec (`x-sdk-essential`), and the generated types carry it: an
//! essential field is a required member, every other field is an `Option`. So when a body
//! does not decode, the member that failed is removed and decoding is tried again; a removed
//! optional member decodes as `None`, while a removed essential one makes decoding fail with
//! "missing field", and the first error is reported as it was. Runs only after the generated
//! client failed to decode a body, never on the success path.

use serde::de::DeserializeOwned;
use serde_json::Value;
use serde_path_to_error::Segment;

/// Why a body did not decode: the JSON path of the value that failed, and the error.
pub(crate) struct Failure {
    /// `data[2].usage`, or `.` for the document.
    pub path: String,
    /// What the decoder said.
    pub error: serde_json::Error,
}

/// Decodes `body` as `T`, dropping malformed non-essential members when it must. On failure,
/// reports the first error met (before any member was dropped).
pub(crate) fn decode<T: DeserializeOwned>(body: &[u8]) -> Result<T, Failure> {
    let first = match strict(body) {
        Ok(value) => return Ok(value),
        Err(failure) => failure,
    };
    let Ok(mut document) = serde_json::from_slice::<Value>(body) else {
        return Err(first);
    };
    let mut dropped = 0_usize;
    // Each repair removes a member, so there are never more repairs than members: a page in
    // which every key has the same malformed field is repaired key by key.
    for _ in 0..members(&document) {
        match serde_path_to_error::deserialize::<_, T>(&document) {
            Ok(value) => {
                // Only the count: member names come from the network.
                tracing::debug!(
                    dropped,
                    "dropped malformed fields the caller can do without"
                );
                return Ok(value);
            }
            // A required member is absent: an essential field is missing (or was malformed
            // and has just been dropped). Nothing more can be done.
            Err(e) if e.inner().to_string().starts_with("missing field") => break,
            Err(e) => {
                let segments: Vec<Segment> = e.path().iter().cloned().collect();
                if !remove_member(&mut document, &segments) {
                    break;
                }
                dropped += 1;
            }
        }
    }
    Err(first)
}

/// How many object members `value` holds, at any depth.
fn members(value: &Value) -> usize {
    match value {
        Value::Object(map) => map.len() + map.values().map(members).sum::<usize>(),
        Value::Array(items) => items.iter().map(members).sum(),
        _ => 0,
    }
}

/// Decodes `body` as `T` exactly as sent, trailing bytes included.
fn strict<T: DeserializeOwned>(body: &[u8]) -> Result<T, Failure> {
    let mut deserializer = serde_json::Deserializer::from_slice(body);
    serde_path_to_error::deserialize::<_, T>(&mut deserializer)
        .map_err(|e| Failure {
            path: e.path().to_string(),
            error: e.into_inner(),
        })
        .and_then(|value| {
            // Trailing bytes after the document are an error too, as in `from_slice`.
            deserializer.end().map_err(|error| Failure {
                path: ".".to_string(),
                error,
            })?;
            Ok(value)
        })
}

/// Removes the object member nearest to the failing value at `path` (for `a.b[3]`, the member
/// `b` of `a`); `false` when there is none, such as a failure at the document itself.
fn remove_member(document: &mut Value, path: &[Segment]) -> bool {
    let Some(last_member) = path.iter().rposition(|s| matches!(s, Segment::Map { .. })) else {
        return false;
    };
    let mut parent = document;
    for segment in &path[..last_member] {
        let next = match segment {
            Segment::Seq { index } => parent.get_mut(*index),
            Segment::Map { key } => parent.get_mut(key.as_str()),
            Segment::Enum { .. } | Segment::Unknown => None,
        };
        match next {
            Some(next) => parent = next,
            None => return false,
        }
    }
    match (&path[last_member], parent) {
        (Segment::Map { key }, Value::Object(members)) => members.remove(key.as_str()).is_some(),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize, PartialEq)]
    struct Item {
        id: String,
        count: Option<i64>,
        tags: Option<Vec<String>>,
    }

    #[derive(Debug, Deserialize, PartialEq)]
    struct Page {
        data: Vec<Item>,
    }

    fn page(text: &str) -> Result<Page, Failure> {
        decode(text.as_bytes())
    }

    #[test]
    fn malformed_optional_members_are_dropped() {
        let decoded = page(
            r#"{"data": [{"id": "a", "count": "many", "tags": ["x", 1]},
                                          {"id": "b", "count": 2}]}"#,
        )
        .ok()
        .unwrap();
        assert_eq!(decoded.data[0].count, None);
        assert_eq!(decoded.data[0].tags, None);
        assert_eq!(decoded.data[1].count, Some(2));
    }

    #[test]
    fn the_same_malformed_field_in_every_item_of_a_long_page_is_dropped_everywhere() {
        let items: Vec<String> = (0..300)
            .map(|i| format!(r#"{{"id": "k{i}", "count": "many", "tags": [1]}}"#))
            .collect();
        let decoded = page(&format!(r#"{{"data": [{}]}}"#, items.join(",")))
            .ok()
            .unwrap();
        assert_eq!(decoded.data.len(), 300);
        assert!(
            decoded
                .data
                .iter()
                .all(|d| d.count.is_none() && d.tags.is_none())
        );
        assert_eq!(decoded.data[299].id, "k299");
    }

    #[test]
    fn a_missing_or_malformed_essential_member_fails_with_the_first_error() {
        for (body, path) in [
            (r#"{"data": [{"count": 1}]}"#, "data[0]"),
            (r#"{"data": [{"id": 5, "count": "x"}]}"#, "data[0].id"),
            (r#"{"data": [{"id": "a"}, 3]}"#, "data[1]"),
            (r#"{"data": {}}"#, "data"),
            (r#"[]"#, "."),
            (r#"{"data": []} trailing"#, "."),
        ] {
            let failure = page(body).err().unwrap();
            assert_eq!(failure.path, path, "{body}");
        }
    }
}
