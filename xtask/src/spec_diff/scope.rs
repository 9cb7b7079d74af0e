//! Which operations `spec-diff` compares, read from our spec rather than kept in a list here.
//!
//! Our spec's paths name the **families** it covers: the first segment of each path (`/key`,
//! `/keys`, `/guardrails`, ...). Every operation of ours is compared, and so is every upstream
//! operation in one of those families. An upstream operation we lack is **behind**, unless our
//! spec says it covers that part of the API only in part: its top-level `x-covered-in-part`
//! lists path prefixes (`/guardrails`) under which only the operations it declares are kept up
//! with, and the others are listed as **not covered** (they exit 0). A new upstream operation
//! under `/keys` is behind; a new one under `/guardrails` is listed.

use crate::error::XtaskError;
use crate::json_pointer::pointer_join;
use serde_json::Value;
use std::collections::BTreeSet;

/// The extension of our spec that lists the path prefixes covered in part.
pub const COVERED_IN_PART: &str = "x-covered-in-part";

/// What is compared.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scope {
    /// First path segments of our spec's paths (`keys`, `guardrails`).
    families: BTreeSet<String>,
    /// Path prefixes under which only our spec's own operations are compared (`/guardrails`).
    in_part: Vec<String>,
}

/// What becomes of an upstream operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Coverage {
    /// Compared; one we lack is behind.
    Complete,
    /// Compared when we have it; otherwise listed as not covered.
    InPart,
    /// Outside every family of ours: ignored.
    Outside,
}

/// `/keys/{}` → `keys`.
fn family(template: &str) -> &str {
    template
        .trim_start_matches('/')
        .split('/')
        .next()
        .unwrap_or("")
}

/// Whether `template` is `prefix` or below it.
fn under(template: &str, prefix: &str) -> bool {
    template == prefix
        || template
            .strip_prefix(prefix)
            .is_some_and(|rest| rest.starts_with('/'))
}

impl Scope {
    /// The scope our spec `ours` declares; `templates` are its path templates. An
    /// `x-covered-in-part` that is not a list of paths is an error at its pointer.
    pub fn of(
        ours: &Value,
        templates: impl IntoIterator<Item = String>,
    ) -> Result<Scope, XtaskError> {
        let families = templates
            .into_iter()
            .map(|t| family(&t).to_string())
            .collect();
        let mut in_part = Vec::new();
        if let Some(listed) = ours.get(COVERED_IN_PART) {
            let ptr = pointer_join("", COVERED_IN_PART);
            let Value::Array(listed) = listed else {
                return Err(XtaskError::at(
                    ptr,
                    "`x-covered-in-part` must be a list of path prefixes, such as /guardrails",
                ));
            };
            for (i, prefix) in listed.iter().enumerate() {
                match prefix.as_str() {
                    Some(prefix) if prefix.starts_with('/') && prefix.len() > 1 => {
                        in_part.push(prefix.trim_end_matches('/').to_string());
                    }
                    _ => {
                        return Err(XtaskError::at(
                            format!("{ptr}/{i}"),
                            "each entry of `x-covered-in-part` must be a path prefix starting \
                             with `/`, such as /guardrails",
                        ));
                    }
                }
            }
        }
        Ok(Scope { families, in_part })
    }

    /// What becomes of an upstream operation on `template`.
    pub fn coverage(&self, template: &str) -> Coverage {
        if !self.families.contains(family(template)) {
            Coverage::Outside
        } else if self.in_part.iter().any(|prefix| under(template, prefix)) {
            Coverage::InPart
        } else {
            Coverage::Complete
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn templates(list: &[&str]) -> Vec<String> {
        list.iter().map(|t| t.to_string()).collect()
    }

    #[test]
    fn our_families_are_complete_unless_listed_as_covered_in_part() {
        let ours = json!({"x-covered-in-part": ["/guardrails", "/workspaces/"]});
        let scope = Scope::of(
            &ours,
            templates(&["/key", "/keys/{}", "/guardrails/{}", "/workspaces"]),
        )
        .unwrap();
        assert_eq!(scope.coverage("/keys/{}/rotate"), Coverage::Complete);
        assert_eq!(scope.coverage("/key"), Coverage::Complete);
        assert_eq!(scope.coverage("/guardrails"), Coverage::InPart);
        assert_eq!(
            scope.coverage("/guardrails/{}/assignments/members"),
            Coverage::InPart
        );
        assert_eq!(scope.coverage("/workspaces/{}/budgets"), Coverage::InPart);
        assert_eq!(scope.coverage("/guardrailsx"), Coverage::Outside);
        assert_eq!(scope.coverage("/chat/completions"), Coverage::Outside);
    }

    #[test]
    fn without_the_extension_every_family_is_complete() {
        let scope = Scope::of(&json!({}), templates(&["/keys"])).unwrap();
        assert_eq!(scope.coverage("/keys/{}"), Coverage::Complete);
        assert_eq!(scope.coverage("/guardrails"), Coverage::Outside);
    }

    #[test]
    fn a_malformed_extension_is_an_error_at_its_pointer() {
        for (ours, pointer) in [
            (
                json!({"x-covered-in-part": "/guardrails"}),
                "/x-covered-in-part",
            ),
            (
                json!({"x-covered-in-part": ["/ok", "guardrails"]}),
                "/x-covered-in-part/1",
            ),
            (json!({"x-covered-in-part": ["/"]}), "/x-covered-in-part/0"),
        ] {
            let error = Scope::of(&ours, templates(&["/keys"])).unwrap_err();
            assert_eq!(error.pointer.as_deref(), Some(pointer), "{ours}");
        }
    }
}
