//! The tolerant reader's rule, applied to the generated types: `x-sdk-essential`.
//!
//! Our spec's `required` lists say what the API documents it always sends (spec fidelity, and
//! what `spec-diff` compares). The SDK must not fail a whole response when the API stops
//! sending one of those fields, so a response schema may also carry `x-sdk-essential: [names]`:
//! the fields the caller cannot do without (a key's `hash`). For generation only, that list
//! replaces `required`, so every other field comes out as an `Option` that decodes absent as
//! `None`. An array field that is not essential is also made nullable, so that it comes out as
//! `Option<Vec<_>>` (absent is then not confused with empty; typify would otherwise default an
//! optional array to an empty `Vec`).
//!
//! Schemas without `x-sdk-essential` (request bodies, envelopes) keep `required` as written.

use crate::error::XtaskError;
use crate::json_pointer::pointer_join;
use serde_json::Value;

/// The extension naming a schema's essential fields.
pub const EXTENSION: &str = "x-sdk-essential";

/// Rewrites `required` of every component schema that has `x-sdk-essential`, in place.
/// Runs on the 3.0 form (after `convert`), where nullability is `nullable: true`.
pub fn apply(doc: &mut Value) -> Result<(), XtaskError> {
    let Some(Value::Object(schemas)) = doc.pointer_mut("/components/schemas") else {
        return Ok(());
    };
    for (name, schema) in schemas.iter_mut() {
        let ptr = pointer_join("/components/schemas", name);
        let Value::Object(schema) = schema else {
            continue;
        };
        let Some(essential) = schema.remove(EXTENSION) else {
            continue;
        };
        let ext_ptr = pointer_join(&ptr, EXTENSION);
        let Value::Array(essential) = essential else {
            return Err(XtaskError::at(
                ext_ptr,
                "`x-sdk-essential` must be a list of property names",
            ));
        };
        let mut names = Vec::new();
        for (i, entry) in essential.iter().enumerate() {
            let Some(field) = entry.as_str() else {
                return Err(XtaskError::at(
                    format!("{ext_ptr}/{i}"),
                    "`x-sdk-essential` must list property names (strings)",
                ));
            };
            if schema
                .get("properties")
                .and_then(|p| p.get(field))
                .is_none()
            {
                return Err(XtaskError::at(
                    format!("{ext_ptr}/{i}"),
                    format!("`{field}` is not a property of this schema"),
                ));
            }
            names.push(field.to_string());
        }
        if let Some(Value::Object(props)) = schema.get_mut("properties") {
            for (field, prop) in props.iter_mut() {
                let is_array = prop.get("type").and_then(Value::as_str) == Some("array");
                if is_array
                    && !names.contains(field)
                    && let Value::Object(prop) = prop
                {
                    prop.insert("nullable".into(), Value::Bool(true));
                }
            }
        }
        if names.is_empty() {
            schema.remove("required");
        } else {
            schema.insert(
                "required".into(),
                Value::Array(names.into_iter().map(Value::String).collect()),
            );
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn essential_replaces_required_and_arrays_become_nullable() {
        let mut doc = json!({"components": {"schemas": {
            "Key": {"type": "object", "required": ["hash", "name", "tags"], "x-sdk-essential": ["hash"],
                    "properties": {"hash": {"type": "string"}, "name": {"type": "string"},
                                   "tags": {"type": "array", "items": {"type": "string"}}}},
            "Body": {"type": "object", "required": ["name"],
                     "properties": {"name": {"type": "string"}, "tags": {"type": "array"}}},
            "Loose": {"type": "object", "required": ["a"], "x-sdk-essential": [],
                      "properties": {"a": {"type": "string"}}}
        }}});
        apply(&mut doc).unwrap();
        let schemas = &doc["components"]["schemas"];
        assert_eq!(schemas["Key"]["required"], json!(["hash"]));
        assert!(schemas["Key"].get(EXTENSION).is_none());
        assert_eq!(
            schemas["Key"]["properties"]["tags"]["nullable"],
            json!(true)
        );
        assert_eq!(schemas["Body"]["required"], json!(["name"]), "untouched");
        assert!(
            schemas["Body"]["properties"]["tags"]
                .get("nullable")
                .is_none()
        );
        assert!(schemas["Loose"].get("required").is_none());
    }

    #[test]
    fn unknown_or_malformed_names_are_errors_with_pointers() {
        let mut doc = json!({"components": {"schemas": {"Key": {"type": "object",
            "x-sdk-essential": ["hash"], "properties": {"name": {"type": "string"}}}}}});
        let e = apply(&mut doc).unwrap_err();
        assert_eq!(
            e.pointer.as_deref(),
            Some("/components/schemas/Key/x-sdk-essential/0")
        );
        let mut doc = json!({"components": {"schemas": {"Key": {"x-sdk-essential": "hash"}}}});
        assert!(apply(&mut doc).is_err());
    }
}
