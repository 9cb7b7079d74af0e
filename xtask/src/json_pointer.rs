//! JSON pointers (RFC 6901) into an OpenAPI document, and the local `$ref`s built on them.
//!
//! Every problem the xtask reports in a document names its node by pointer, and both generation
//! and `spec-diff` follow `$ref`s; this is their one home.

use crate::error::XtaskError;
use serde_json::Value;

/// Escapes one reference token for a JSON pointer (RFC 6901: `~` → `~0`, `/` → `~1`).
fn pointer_token(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

/// Appends one token to a JSON pointer.
pub fn pointer_join(base: &str, token: &str) -> String {
    format!("{base}/{}", pointer_token(token))
}

/// Resolves a local `$ref` (`#/...`) against the document, following chains.
pub fn resolve<'a>(doc: &'a Value, value: &'a Value) -> Result<&'a Value, XtaskError> {
    let mut current = value;
    for _ in 0..32 {
        let Some(reference) = current.get("$ref").and_then(Value::as_str) else {
            return Ok(current);
        };
        let Some(pointer) = reference.strip_prefix('#') else {
            return Err(XtaskError::new(format!(
                "external reference `{reference}` is not supported; keep the document self-contained"
            )));
        };
        current = doc.pointer(pointer).ok_or_else(|| {
            XtaskError::at(
                pointer,
                format!("`$ref: {reference}` points at nothing in the document"),
            )
        })?;
    }
    Err(XtaskError::new(
        "a chain of more than 32 `$ref`s; is there a reference cycle?",
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn tokens_are_escaped() {
        assert_eq!(
            pointer_join("/paths", "/keys/{hash}"),
            "/paths/~1keys~1{hash}"
        );
        assert_eq!(pointer_join("", "a~b"), "/a~0b");
    }

    #[test]
    fn dangling_and_cyclic_refs_are_errors_not_panics() {
        let doc = json!({"components": {"schemas": {"A": {"$ref": "#/components/schemas/A"}}}});
        assert!(resolve(&doc, &json!({"$ref": "#/components/schemas/A"})).is_err());
        assert!(resolve(&doc, &json!({"$ref": "#/nowhere"})).is_err());
        assert!(resolve(&doc, &json!({"$ref": "other.yaml#/x"})).is_err());
    }
}
