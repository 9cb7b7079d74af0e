//! progenitor, run with this project's settings: the builder interface, no hooks of our own,
//! timestamps and UUIDs kept as text, and a panic turned into an error.

use super::rewrite::{format, rewrite_client};
use crate::error::XtaskError;
use crate::json_pointer::pointer_join;
use serde_json::Value;

/// Formats this generator keeps as `String` (see `settings`).
const STRING_FORMATS: [&str; 2] = ["date-time", "uuid"];

/// Rejects a *required*, nullable property whose format is kept as `String`: typify applies
/// the conversion to the non-null part and then drops the `Option`, so `null` would fail to
/// decode. Such a property has to be optional (it then comes out as `Option<String>`).
pub fn check_string_conversions(doc: &Value) -> Result<(), XtaskError> {
    let Some(Value::Object(schemas)) = doc.pointer("/components/schemas") else {
        return Ok(());
    };
    for (name, schema) in schemas {
        let required: Vec<&str> = schema
            .get("required")
            .and_then(Value::as_array)
            .map(|r| r.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let Some(Value::Object(props)) = schema.get("properties") else {
            continue;
        };
        for (prop, prop_schema) in props {
            let converted = prop_schema
                .get("format")
                .and_then(Value::as_str)
                .is_some_and(|f| STRING_FORMATS.contains(&f));
            let nullable = prop_schema.get("nullable") == Some(&Value::Bool(true));
            if converted && nullable && required.contains(&prop.as_str()) {
                let schema_ptr = pointer_join("/components/schemas", name);
                return Err(XtaskError::at(
                    pointer_join(&pointer_join(&schema_ptr, "properties"), prop),
                    "a required, nullable date-time/uuid property would be generated as a plain \
                     `String` that fails on `null` (typify drops the Option when it converts the \
                     format); remove it from `required` (it then decodes absent or null alike)",
                ));
            }
        }
    }
    Ok(())
}

/// Runs progenitor (client and httpmock helpers) and formats both outputs.
///
/// progenitor panics on some inputs; `preflight` rejects the known ones, and this function
/// catches any other panic and reports it as an error instead of crashing the xtask.
pub fn run_progenitor(spec: &openapiv3::OpenAPI) -> Result<(String, String), XtaskError> {
    let previous_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let outcome = std::panic::catch_unwind(|| -> Result<(String, String), XtaskError> {
        let mut generator = progenitor::Generator::new(&settings());
        let client = generator
            .generate_tokens(spec)
            .map_err(|e| XtaskError::new(format!("progenitor rejected the spec: {e}")))?;
        let mut mock_generator = progenitor::Generator::new(&settings());
        let mock = mock_generator
            .httpmock(spec, "crate")
            .map_err(|e| XtaskError::new(format!("progenitor rejected the spec: {e}")))?;
        Ok((rewrite_client(client)?, format(mock)?))
    });
    std::panic::set_hook(previous_hook);
    match outcome {
        Ok(result) => result,
        Err(panic) => {
            let detail = panic
                .downcast_ref::<String>()
                .map(String::as_str)
                .or_else(|| panic.downcast_ref::<&str>().copied())
                .unwrap_or("no message");
            let first_line = detail.lines().next().unwrap_or(detail);
            Err(XtaskError::new(format!(
                "progenitor panicked on this spec ({first_line}); the preflight checks did not \
                 catch this construct: simplify it, and report it so a check can be added"
            )))
        }
    }
}

fn settings() -> progenitor::GenerationSettings {
    let mut settings = progenitor::GenerationSettings::new();
    settings
        .with_interface(progenitor::InterfaceStyle::Builder)
        .with_tag(progenitor::TagStyle::Merged)
        // progenitor's default hooks: `exec` is the client's own `execute`. (The SDK sends
        // each `build_request` itself; see `halves.rs`.)
        .with_hooks(progenitor::HooksMode::Optional)
        .with_derive("PartialEq");
    // Timestamps and UUIDs stay text: a malformed timestamp must not fail a whole response
    // (the SDK parses it itself), and the server, not this crate, decides what a valid
    // workspace id is. This also keeps chrono and uuid out of the dependency tree.
    // typify wraps a nullable property's converted type in `Option` only when the property is
    // optional; `check_string_conversions` rejects the required case before generating.
    for format in STRING_FORMATS {
        settings.with_conversion(string_schema(format), "String", std::iter::empty());
    }
    settings
}

fn string_schema(format: &str) -> schemars08::schema::SchemaObject {
    use schemars08::schema::{InstanceType, SchemaObject, SingleOrVec};
    SchemaObject {
        instance_type: Some(SingleOrVec::Single(Box::new(InstanceType::String))),
        format: Some(format.into()),
        ..Default::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_progenitor_panic_becomes_an_error() {
        // Differing error schemas make progenitor assert; skip preflight to reach it.
        let doc = json!({
            "openapi": "3.0.3", "info": {"title": "t", "version": "1"},
            "paths": {"/a": {"get": {"operationId": "a", "responses": {
                "200": {"description": "ok"},
                "400": {"description": "bad", "content": {"application/json": {"schema":
                    {"$ref": "#/components/schemas/A"}}}},
                "500": {"description": "broken", "content": {"application/json": {"schema":
                    {"$ref": "#/components/schemas/B"}}}}
            }}}},
            "components": {"schemas": {
                "A": {"type": "object", "properties": {"a": {"type": "string"}}},
                "B": {"type": "object", "properties": {"b": {"type": "integer"}}}
            }}
        });
        let spec: openapiv3::OpenAPI = serde_json::from_value(doc).unwrap();
        let err = run_progenitor(&spec).unwrap_err();
        assert!(err.message.contains("progenitor panicked"), "{err}");
    }
}
