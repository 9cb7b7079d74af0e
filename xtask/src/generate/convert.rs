//! Converts an OpenAPI 3.1 document to the 3.0 form progenitor accepts, in memory.
//!
//! progenitor parses through `openapiv3`, which models `type` as one value and knows only 3.0
//! keywords. A 3.1 document therefore has to be rewritten, not relabelled. The walk is
//! schema-aware: it visits only places where the specification puts a Schema Object (so an
//! `example` that happens to contain a `type` key is left alone), and every rewrite keeps the
//! meaning of the schema. What cannot be expressed in 3.0 is an error naming the JSON pointer.
//!
//! | 3.1 construct                         | 3.0 form                                       |
//! |---------------------------------------|------------------------------------------------|
//! | `type: [T, "null"]`                   | `type: T, nullable: true`                      |
//! | `null` inside `enum`                  | removed, `nullable: true`                      |
//! | `const: v`                            | `enum: [v]`                                    |
//! | `examples: [a, ...]`                  | `example: a`                                   |
//! | numeric `exclusiveMinimum: n` (/Max)  | `minimum: n, exclusiveMinimum: true` (/max)    |
//! | `anyOf/oneOf` with a `{type: null}`   | branch removed, `nullable: true`; a lone `$ref`|
//! |                                       | left becomes `allOf: [$ref]`                   |

use crate::error::XtaskError;
use crate::json_pointer::pointer_join;
use serde_json::{Map, Value};

/// Rewrites a 3.1 document into 3.0 in place.
pub fn convert_31_to_30(doc: &mut Value) -> Result<(), XtaskError> {
    let root = doc
        .as_object_mut()
        .ok_or_else(|| XtaskError::at("", "the document is not an object"))?;
    root.insert("openapi".into(), Value::String("3.0.3".into()));
    // 3.1-only top-level members with no 3.0 meaning for a client generator.
    root.remove("jsonSchemaDialect");
    root.remove("webhooks");
    if let Some(Value::Object(license)) = root
        .get_mut("info")
        .and_then(|info| info.get_mut("license"))
    {
        license.remove("identifier");
    }
    if let Some(Value::Object(components)) = root.get_mut("components") {
        components.remove("pathItems");
    }
    visit_document(doc)
}

/// Calls `convert_schema` on every Schema Object position of an OpenAPI document.
fn visit_document(doc: &mut Value) -> Result<(), XtaskError> {
    if let Some(Value::Object(paths)) = doc.get_mut("paths") {
        for (path, item) in paths.iter_mut() {
            let ptr = pointer_join("/paths", path);
            if item.get("$ref").is_some() {
                return Err(XtaskError::at(
                    ptr,
                    "a path item given by `$ref` is not supported by the generator; write the \
                     path item inline",
                ));
            }
            visit_path_item(item, &ptr)?;
        }
    }
    if let Some(Value::Object(components)) = doc.get_mut("components") {
        for (kind, entries) in components.iter_mut() {
            let Value::Object(entries) = entries else {
                continue;
            };
            for (name, entry) in entries.iter_mut() {
                let ptr = pointer_join(&pointer_join("/components", kind), name);
                match kind.as_str() {
                    "schemas" => convert_schema(entry, &ptr)?,
                    "parameters" | "headers" => visit_parameter(entry, &ptr)?,
                    "responses" => visit_response(entry, &ptr)?,
                    "requestBodies" => visit_content(entry, &ptr)?,
                    _ => {}
                }
            }
        }
    }
    Ok(())
}

const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

fn visit_path_item(item: &mut Value, ptr: &str) -> Result<(), XtaskError> {
    visit_parameters(item, ptr)?;
    for method in METHODS {
        let Some(op) = item.get_mut(method) else {
            continue;
        };
        let op_ptr = pointer_join(ptr, method);
        visit_parameters(op, &op_ptr)?;
        if let Some(body) = op.get_mut("requestBody") {
            visit_content(body, &pointer_join(&op_ptr, "requestBody"))?;
        }
        if let Some(Value::Object(responses)) = op.get_mut("responses") {
            for (status, response) in responses.iter_mut() {
                let r_ptr = pointer_join(&pointer_join(&op_ptr, "responses"), status);
                visit_response(response, &r_ptr)?;
            }
        }
    }
    Ok(())
}

fn visit_parameters(holder: &mut Value, ptr: &str) -> Result<(), XtaskError> {
    if let Some(Value::Array(params)) = holder.get_mut("parameters") {
        for (i, param) in params.iter_mut().enumerate() {
            visit_parameter(param, &format!("{ptr}/parameters/{i}"))?;
        }
    }
    Ok(())
}

fn visit_parameter(param: &mut Value, ptr: &str) -> Result<(), XtaskError> {
    if let Some(schema) = param.get_mut("schema") {
        convert_schema(schema, &pointer_join(ptr, "schema"))?;
    }
    visit_content(param, ptr)
}

fn visit_response(response: &mut Value, ptr: &str) -> Result<(), XtaskError> {
    if let Some(Value::Object(headers)) = response.get_mut("headers") {
        for (name, header) in headers.iter_mut() {
            visit_parameter(header, &pointer_join(&pointer_join(ptr, "headers"), name))?;
        }
    }
    visit_content(response, ptr)
}

fn visit_content(holder: &mut Value, ptr: &str) -> Result<(), XtaskError> {
    if let Some(Value::Object(content)) = holder.get_mut("content") {
        for (media, media_type) in content.iter_mut() {
            if let Some(schema) = media_type.get_mut("schema") {
                let m_ptr = pointer_join(&pointer_join(ptr, "content"), media);
                convert_schema(schema, &pointer_join(&m_ptr, "schema"))?;
            }
        }
    }
    Ok(())
}

/// Rewrites one schema (and every schema inside it) from 3.1 to 3.0.
pub fn convert_schema(schema: &mut Value, ptr: &str) -> Result<(), XtaskError> {
    let Value::Object(obj) = schema else {
        // `true`/`false` schemas are valid JSON Schema; 3.0 only has them for
        // `additionalProperties`, where the caller leaves booleans alone.
        return Err(XtaskError::at(
            ptr,
            "a boolean schema is not expressible in OpenAPI 3.0 here; write `{}` or `{not: {}}`",
        ));
    };
    if obj.contains_key("$ref") {
        // Siblings of `$ref` (3.1 allows `description`/`summary`) are harmless in 3.0.
        return Ok(());
    }
    // Null branches first: a lone inline branch is merged into this schema and then
    // converted with it.
    for key in ["anyOf", "oneOf"] {
        convert_null_branch(obj, key, ptr)?;
    }
    convert_type(obj, ptr)?;
    convert_enum(obj, ptr)?;
    if let Some(value) = obj.remove("const") {
        obj.insert("enum".into(), Value::Array(vec![value]));
    }
    if let Some(examples) = obj.remove("examples")
        && !obj.contains_key("example")
        && let Some(first) = examples.as_array().and_then(|a| a.first())
    {
        obj.insert("example".into(), first.clone());
    }
    convert_exclusive_bound(obj, "exclusiveMinimum", "minimum", ptr)?;
    convert_exclusive_bound(obj, "exclusiveMaximum", "maximum", ptr)?;
    // 3.1 keywords with no 3.0 counterpart that openapiv3 would misread or reject.
    for key in [
        "$schema",
        "$id",
        "$comment",
        "prefixItems",
        "contentMediaType",
    ] {
        obj.remove(key);
    }
    visit_children(obj, ptr)
}

/// `type: [T, "null"]` → `type: T, nullable: true`; `type: "null"` alone is an error.
fn convert_type(obj: &mut Map<String, Value>, ptr: &str) -> Result<(), XtaskError> {
    let t_ptr = pointer_join(ptr, "type");
    match obj.get("type") {
        Some(Value::Array(types)) => {
            let non_null: Vec<&Value> = types.iter().filter(|t| *t != "null").collect();
            let nullable = non_null.len() != types.len();
            match non_null.as_slice() {
                [single] => {
                    let single = (*single).clone();
                    obj.insert("type".into(), single);
                    if nullable {
                        obj.insert("nullable".into(), Value::Bool(true));
                    }
                    Ok(())
                }
                [] => Err(XtaskError::at(
                    t_ptr,
                    "a schema whose only type is `null` cannot be expressed in OpenAPI 3.0; \
                     use it only as a branch of `anyOf`/`oneOf` or in `type: [T, \"null\"]`",
                )),
                _ => Err(XtaskError::at(
                    t_ptr,
                    "a schema with several non-null types cannot be expressed in OpenAPI 3.0 \
                     (openapiv3 models `type` as one value); use `oneOf` with one schema per type",
                )),
            }
        }
        Some(Value::String(t)) if t == "null" => Err(XtaskError::at(
            t_ptr,
            "a schema whose only type is `null` cannot be expressed in OpenAPI 3.0; use it only \
             as a branch of `anyOf`/`oneOf` or in `type: [T, \"null\"]`",
        )),
        _ => Ok(()),
    }
}

/// Removes `null` from `enum` and marks the schema nullable instead.
fn convert_enum(obj: &mut Map<String, Value>, ptr: &str) -> Result<(), XtaskError> {
    let Some(Value::Array(values)) = obj.get_mut("enum") else {
        return Ok(());
    };
    let before = values.len();
    values.retain(|v| !v.is_null());
    if values.len() == before {
        return Ok(());
    }
    if values.is_empty() {
        return Err(XtaskError::at(
            pointer_join(ptr, "enum"),
            "an `enum` whose only value is `null` cannot be expressed in OpenAPI 3.0",
        ));
    }
    obj.insert("nullable".into(), Value::Bool(true));
    Ok(())
}

/// Numeric `exclusiveMinimum: n` → `minimum: n, exclusiveMinimum: true` (same for maximum).
fn convert_exclusive_bound(
    obj: &mut Map<String, Value>,
    exclusive: &str,
    inclusive: &str,
    ptr: &str,
) -> Result<(), XtaskError> {
    match obj.get(exclusive) {
        Some(Value::Number(bound)) => {
            let bound = Value::Number(bound.clone());
            if obj
                .get(inclusive)
                .is_some_and(|existing| *existing != bound)
            {
                return Err(XtaskError::at(
                    pointer_join(ptr, exclusive),
                    format!(
                        "both `{inclusive}` and a numeric `{exclusive}` with different values; \
                         OpenAPI 3.0 can state only one bound, keep the tighter one"
                    ),
                ));
            }
            obj.insert(inclusive.into(), bound);
            obj.insert(exclusive.into(), Value::Bool(true));
            Ok(())
        }
        Some(Value::Bool(_)) | None => Ok(()),
        Some(_) => Err(XtaskError::at(
            pointer_join(ptr, exclusive),
            format!("`{exclusive}` must be a number (3.1) or a boolean (3.0)"),
        )),
    }
}

fn is_null_schema(schema: &Value) -> bool {
    match schema.get("type") {
        Some(Value::String(t)) => t == "null",
        Some(Value::Array(ts)) => !ts.is_empty() && ts.iter().all(|t| t == "null"),
        _ => schema
            .get("enum")
            .and_then(Value::as_array)
            .is_some_and(|values| !values.is_empty() && values.iter().all(Value::is_null)),
    }
}

/// Drops `{type: null}` branches of `anyOf`/`oneOf` and marks the schema nullable.
fn convert_null_branch(
    obj: &mut Map<String, Value>,
    key: &str,
    ptr: &str,
) -> Result<(), XtaskError> {
    let Some(Value::Array(branches)) = obj.get_mut(key) else {
        return Ok(());
    };
    let before = branches.len();
    branches.retain(|b| !is_null_schema(b));
    if branches.len() == before {
        return Ok(());
    }
    let remaining = branches.len();
    if remaining == 0 {
        return Err(XtaskError::at(
            pointer_join(ptr, key),
            format!("every branch of `{key}` is `null`; OpenAPI 3.0 cannot express that"),
        ));
    }
    obj.insert("nullable".into(), Value::Bool(true));
    if remaining == 1 {
        // One branch left: `anyOf: [X]` with `nullable` reads poorly in generators, and 3.0
        // ignores siblings of `$ref`, so the canonical 3.0 form is `allOf: [X]` + `nullable`.
        if let Some(Value::Array(mut rest)) = obj.remove(key)
            && let Some(only) = rest.pop()
        {
            if only.get("$ref").is_some() {
                obj.insert("allOf".into(), Value::Array(vec![only]));
            } else if let Value::Object(inline) = only {
                for (k, v) in inline {
                    obj.entry(k).or_insert(v);
                }
            }
        }
    }
    Ok(())
}

/// Recurses into the schemas a schema contains.
fn visit_children(obj: &mut Map<String, Value>, ptr: &str) -> Result<(), XtaskError> {
    if let Some(Value::Object(props)) = obj.get_mut("properties") {
        for (name, prop) in props.iter_mut() {
            convert_schema(prop, &pointer_join(&pointer_join(ptr, "properties"), name))?;
        }
    }
    for key in ["items", "not"] {
        if let Some(child) = obj.get_mut(key) {
            convert_schema(child, &pointer_join(ptr, key))?;
        }
    }
    if let Some(child @ Value::Object(_)) = obj.get_mut("additionalProperties") {
        convert_schema(child, &pointer_join(ptr, "additionalProperties"))?;
    }
    for key in ["allOf", "anyOf", "oneOf"] {
        if let Some(Value::Array(branches)) = obj.get_mut(key) {
            for (i, branch) in branches.iter_mut().enumerate() {
                convert_schema(branch, &format!("{}/{i}", pointer_join(ptr, key)))?;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn convert(mut schema: Value) -> Result<Value, XtaskError> {
        convert_schema(&mut schema, "/s")?;
        Ok(schema)
    }

    #[test]
    fn type_array_with_null_becomes_nullable() {
        let out = convert(json!({"type": ["number", "null"], "format": "double"})).unwrap();
        assert_eq!(
            out,
            json!({"type": "number", "format": "double", "nullable": true})
        );
        let out = convert(json!({"type": ["string"]})).unwrap();
        assert_eq!(out, json!({"type": "string"}));
    }

    #[test]
    fn null_in_enum_becomes_nullable() {
        let out = convert(json!({"type": ["string", "null"], "enum": ["daily", null]})).unwrap();
        assert_eq!(
            out,
            json!({"type": "string", "enum": ["daily"], "nullable": true})
        );
    }

    #[test]
    fn const_becomes_single_value_enum() {
        let out = convert(json!({"type": "boolean", "const": true})).unwrap();
        assert_eq!(out, json!({"type": "boolean", "enum": [true]}));
    }

    #[test]
    fn examples_become_example() {
        let out = convert(json!({"type": "string", "examples": ["a", "b"]})).unwrap();
        assert_eq!(out, json!({"type": "string", "example": "a"}));
        let kept = convert(json!({"type": "string", "example": "x", "examples": ["a"]})).unwrap();
        assert_eq!(kept, json!({"type": "string", "example": "x"}));
    }

    #[test]
    fn numeric_exclusive_bounds_become_boolean() {
        let out = convert(json!({"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 10}))
            .unwrap();
        assert_eq!(
            out,
            json!({"type": "number", "minimum": 0, "exclusiveMinimum": true,
                   "maximum": 10, "exclusiveMaximum": true})
        );
        let already_30 = json!({"type": "number", "minimum": 1, "exclusiveMinimum": true});
        assert_eq!(convert(already_30.clone()).unwrap(), already_30);
    }

    #[test]
    fn conflicting_exclusive_bound_is_rejected_with_pointer() {
        let err =
            convert(json!({"type": "number", "minimum": 1, "exclusiveMinimum": 0})).unwrap_err();
        assert_eq!(err.pointer.as_deref(), Some("/s/exclusiveMinimum"));
    }

    #[test]
    fn any_of_ref_or_null_becomes_nullable_all_of() {
        let out = convert(
            json!({"anyOf": [{"$ref": "#/components/schemas/B"}, {"type": "null"}],
                                 "description": "d"}),
        )
        .unwrap();
        assert_eq!(
            out,
            json!({"allOf": [{"$ref": "#/components/schemas/B"}], "nullable": true,
                   "description": "d"})
        );
    }

    #[test]
    fn one_of_inline_or_null_is_merged_and_converted() {
        let out =
            convert(json!({"oneOf": [{"type": ["integer"], "minimum": 0}, {"type": "null"}]}))
                .unwrap();
        assert_eq!(
            out,
            json!({"type": "integer", "minimum": 0, "nullable": true})
        );
    }

    #[test]
    fn one_of_with_several_branches_keeps_them_and_is_nullable() {
        let out =
            convert(json!({"oneOf": [{"type": "string"}, {"type": "integer"}, {"type": "null"}]}))
                .unwrap();
        assert_eq!(
            out,
            json!({"oneOf": [{"type": "string"}, {"type": "integer"}], "nullable": true})
        );
    }

    #[test]
    fn nested_schemas_are_converted() {
        let out = convert(json!({
            "type": "object",
            "properties": {"a": {"type": ["string", "null"]},
                           "b": {"type": "array", "items": {"type": ["integer", "null"]}}},
            "additionalProperties": {"type": ["boolean", "null"]}
        }))
        .unwrap();
        assert_eq!(
            out["properties"]["a"],
            json!({"type": "string", "nullable": true})
        );
        assert_eq!(
            out["properties"]["b"]["items"],
            json!({"type": "integer", "nullable": true})
        );
        assert_eq!(
            out["additionalProperties"],
            json!({"type": "boolean", "nullable": true})
        );
    }

    #[test]
    fn rejects_what_30_cannot_express_naming_the_pointer() {
        let cases = [
            (json!({"type": "null"}), "/s/type"),
            (json!({"type": ["null"]}), "/s/type"),
            (json!({"type": ["string", "integer"]}), "/s/type"),
            (json!({"enum": [null]}), "/s/enum"),
            (json!({"anyOf": [{"type": "null"}]}), "/s/anyOf"),
            (
                json!({"properties": {"x~y/z": {"type": "null"}}}),
                "/s/properties/x~0y~1z/type",
            ),
            (json!({"items": true}), "/s/items"),
        ];
        for (schema, pointer) in cases {
            let err = convert(schema.clone()).unwrap_err();
            assert_eq!(err.pointer.as_deref(), Some(pointer), "{schema}: {err}");
        }
    }

    #[test]
    fn examples_in_media_types_are_not_treated_as_schemas() {
        let mut doc = json!({
            "openapi": "3.1.0",
            "info": {"title": "t", "version": "1", "license": {"name": "MIT", "identifier": "MIT"}},
            "paths": {"/a": {"get": {"operationId": "a", "responses": {"200": {
                "description": "ok",
                "content": {"application/json": {
                    "schema": {"type": ["string", "null"]},
                    "example": {"type": ["kept", "null"]}
                }}
            }}}}}
        });
        convert_31_to_30(&mut doc).unwrap();
        let media = &doc["paths"]["/a"]["get"]["responses"]["200"]["content"]["application/json"];
        assert_eq!(media["schema"], json!({"type": "string", "nullable": true}));
        assert_eq!(media["example"], json!({"type": ["kept", "null"]}));
        assert_eq!(doc["openapi"], "3.0.3");
        assert!(doc["info"]["license"].get("identifier").is_none());
    }

    #[test]
    fn path_item_ref_is_rejected() {
        let mut doc = json!({"openapi": "3.1.0", "info": {"title": "t", "version": "1"},
                             "paths": {"/a": {"$ref": "#/components/pathItems/A"}}});
        let err = convert_31_to_30(&mut doc).unwrap_err();
        assert_eq!(err.pointer.as_deref(), Some("/paths/~1a"));
    }
}
