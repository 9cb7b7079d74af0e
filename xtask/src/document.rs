//! Reads an OpenAPI document from disk into a `serde_json::Value`.
//!
//! YAML and JSON are both accepted (JSON is YAML, but a `.json` file gets the JSON parser's
//! clearer messages). The document must be an object with an `openapi` version this xtask
//! understands: 3.0.x (used as is) or 3.1.x (converted by `generate/convert.rs`).

use crate::error::XtaskError;
use serde_json::Value;
use std::path::Path;

/// The OpenAPI dialect a document declares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    /// OpenAPI 3.0.x: what progenitor reads.
    V30,
    /// OpenAPI 3.1.x: what OpenRouter publishes and our spec is written in.
    V31,
}

/// Reads and parses the file at `path`.
pub fn load_file(path: &Path) -> Result<Value, XtaskError> {
    let display = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| {
        XtaskError::new(format!(
            "cannot read the OpenAPI document ({e}); check that the path is right and the file \
             is readable UTF-8 text"
        ))
        .in_file(&display)
    })?;
    let is_json = path.extension().is_some_and(|ext| ext == "json");
    parse_document(&text, is_json).map_err(|e| e.in_file(display))
}

/// Parses document text (YAML, or JSON when `is_json`) into a value.
pub fn parse_document(text: &str, is_json: bool) -> Result<Value, XtaskError> {
    let value: Value = if is_json {
        serde_json::from_str(text).map_err(|e| {
            XtaskError::new(format!(
                "not valid JSON: {e}; fix the syntax at that line and column"
            ))
        })?
    } else {
        serde_yaml::from_str(text).map_err(|e| {
            XtaskError::new(format!(
                "not valid YAML (or not representable as JSON): {e}; fix the syntax there"
            ))
        })?
    };
    if !value.is_object() {
        return Err(XtaskError::at(
            "",
            "the document is not a mapping; an OpenAPI document is an object with `openapi`, \
             `info` and `paths`",
        ));
    }
    Ok(value)
}

/// Tells which dialect a parsed document declares, or why it cannot be used.
pub fn dialect(doc: &Value) -> Result<Dialect, XtaskError> {
    let version = match doc.get("openapi") {
        Some(Value::String(v)) => v.trim(),
        Some(_) => {
            return Err(XtaskError::at(
                "/openapi",
                "`openapi` must be a string such as \"3.1.0\"",
            ));
        }
        None if doc.get("swagger").is_some() => {
            return Err(XtaskError::at(
                "/swagger",
                "this is a Swagger 2.0 document; only OpenAPI 3.0.x and 3.1.x are supported",
            ));
        }
        None => {
            return Err(XtaskError::at(
                "",
                "no `openapi` version field; only OpenAPI 3.0.x and 3.1.x documents are supported",
            ));
        }
    };
    if version.starts_with("3.1.") {
        Ok(Dialect::V31)
    } else if version.starts_with("3.0.") {
        Ok(Dialect::V30)
    } else {
        Err(XtaskError::at(
            "/openapi",
            format!(
                "unsupported OpenAPI version \"{version}\"; only 3.0.x and 3.1.x are supported"
            ),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn versions() {
        assert_eq!(dialect(&json!({"openapi": "3.1.0"})).unwrap(), Dialect::V31);
        assert_eq!(dialect(&json!({"openapi": "3.0.3"})).unwrap(), Dialect::V30);
        for bad in [
            json!({"openapi": "2.0"}),
            json!({"swagger": "2.0"}),
            json!({}),
            json!({"openapi": 3.1}),
        ] {
            assert!(dialect(&bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn parse_errors_are_values() {
        assert!(parse_document("openapi: [unclosed", false).is_err());
        assert!(parse_document("{\"openapi\": ", true).is_err());
        assert!(parse_document("- a list", false).is_err());
        assert!(parse_document("openapi: 3.1.0\n", false).is_ok());
    }
}
