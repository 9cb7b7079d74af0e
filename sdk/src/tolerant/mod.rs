//! The tolerant reader's second chance: decode a body after dropping the malformed fields the
//! caller can do without.
//!
//! The rule (see the crate documentation, "Secrets and decoding"): a response fails to
//! decode only when an *essential* field is missing or malformed. Which fields are essential is
//! written once, in the spec (`x-sdk-essential`), and the generated types carry it: an
//! essential field is a required member, every other field is an `Option`. So when a body
//! does not decode, its malformed members are removed and it is decoded again; a removed
//! optional member decodes as `None`, while a removed essential one makes decoding fail with
//! "missing field", and the first error is reported as it was. Runs only after the generated
//! client failed to decode a body, never on the success path.
//!
//! The work is linear in the body: the document is parsed once, one walk finds every
//! malformed member at once (`probe.rs`), and one decode reads what is left. A member the
//! walk could not foresee (a type that checks its value itself) is found by the decode and
//! costs one more round; each round removes at least one member.
//!
//! What bounds the time it takes. The attempt's timeout and the call's deadline cover
//! receiving the body (reqwest's timeout runs until the body is read), and the body is
//! capped at 16 MiB (`transport::MAX_BODY`) while it is read. Decoding comes after, on the
//! calling task, and no timer can interrupt synchronous code: it is bounded by that cap and
//! by this linear work (a few passes over at most 16 MiB), not by the deadline.

mod probe;

use probe::{Step, probe};
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
    // Each round removes at least one member or ends, so there are never more rounds than
    // members; one round is the rule (see the module documentation).
    loop {
        let probed = probe::<T>(&document);
        if probed.missing_field {
            // An essential field is missing: nothing can be done.
            break;
        }
        let mut removed = probed
            .malformed
            .iter()
            .filter(|path| remove_member(&mut document, path))
            .count();
        match serde_path_to_error::deserialize::<_, T>(&document) {
            Ok(value) => {
                dropped += removed;
                // Only the count: member names come from the network.
                tracing::debug!(
                    dropped,
                    "dropped malformed fields the caller can do without"
                );
                return Ok(value);
            }
            // A required member is absent: an essential field is missing (or was malformed
            // and has just been dropped).
            Err(e) if e.inner().to_string().starts_with("missing field") => break,
            Err(e) => {
                if removed == 0 {
                    let Some(path) = steps(e.path()) else { break };
                    if !remove_member(&mut document, &path) {
                        break;
                    }
                    removed = 1;
                }
                dropped += removed;
            }
        }
    }
    Err(first)
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

/// The steps of a decoder's path; `None` when it passes through something else than object
/// members and array items.
fn steps(path: &serde_path_to_error::Path) -> Option<Vec<Step>> {
    path.iter()
        .map(|segment| match segment {
            Segment::Seq { index } => Some(Step::Item(*index)),
            Segment::Map { key } => Some(Step::Member(key.clone())),
            Segment::Enum { .. } | Segment::Unknown => None,
        })
        .collect()
}

/// Removes the object member nearest to the value at `path` (for `a.b[3]`, the member `b` of
/// `a`); `false` when there is none, such as a failure at the document itself, or when it is
/// gone already.
fn remove_member(document: &mut Value, path: &[Step]) -> bool {
    let Some(last_member) = path.iter().rposition(|s| matches!(s, Step::Member(_))) else {
        return false;
    };
    let mut parent = document;
    for step in &path[..last_member] {
        let next = match step {
            Step::Item(index) => parent.get_mut(*index),
            Step::Member(name) => parent.get_mut(name.as_str()),
        };
        match next {
            Some(next) => parent = next,
            None => return false,
        }
    }
    match (&path[last_member], parent) {
        (Step::Member(name), Value::Object(members)) => members.remove(name.as_str()).is_some(),
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

    thread_local! {
        /// How many times a [`Counted`] was decoded on this thread.
        static DECODES: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
    }

    /// A [`Page`] that counts its decodes: the work `decode` does, in whole passes.
    struct Counted(Page);

    impl<'de> Deserialize<'de> for Counted {
        fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            DECODES.with(|n| n.set(n.get() + 1));
            Page::deserialize(d).map(Counted)
        }
    }

    #[test]
    fn twenty_thousand_malformed_members_cost_a_few_passes_not_one_each() {
        let items: Vec<String> = (0..10_000)
            .map(|i| format!(r#"{{"id": "k{i}", "count": "many", "tags": [{i}]}}"#))
            .collect();
        let body = format!(r#"{{"data": [{}]}}"#, items.join(","));
        DECODES.with(|n| n.set(0));
        let Ok(Counted(decoded)) = decode::<Counted>(body.as_bytes()) else {
            panic!("the page did not decode");
        };
        assert_eq!(decoded.data.len(), 10_000);
        assert!(
            decoded
                .data
                .iter()
                .all(|d| d.count.is_none() && d.tags.is_none())
        );
        let passes = DECODES.with(|n| n.get());
        // The strict decode of the body, the walk that finds every malformed member, and the
        // decode of what is left.
        assert_eq!(passes, 3, "decoded {passes} times");
    }

    #[test]
    fn members_of_different_kinds_malformed_in_different_items_are_all_dropped() {
        let decoded = page(
            r#"{"data": [{"id": "a", "count": 1.5}, {"id": "b", "tags": "x"},
                         {"id": "c", "count": 9223372036854775808}, {"id": "d", "count": 4,
                          "tags": ["y"]}, {"id": "e", "tags": [null]}]}"#,
        )
        .ok()
        .unwrap();
        let counts: Vec<_> = decoded.data.iter().map(|d| d.count).collect();
        assert_eq!(counts, [None, None, None, Some(4), None]);
        let tags: Vec<_> = decoded.data.iter().map(|d| d.tags.clone()).collect();
        assert_eq!(tags, [None, None, None, Some(vec!["y".to_string()]), None]);
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
