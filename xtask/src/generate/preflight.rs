//! Checks a 3.0 document for the inputs on which progenitor 0.15 panics, before calling it.
//!
//! progenitor asserts rather than reports on several inputs (upstream issues #344 and #950 among
//! them). Each check here turns one of those into an `XtaskError` with the JSON pointer of the
//! node, and one case is repaired instead of rejected: when an operation's error (or success)
//! responses use different schemas that are *structurally the same* (as in OpenRouter's
//! published document, which has one error schema per status with identical shapes), every
//! response of the group is pointed at the first one's schema. `generate` still runs progenitor
//! under `catch_unwind` as a last line of defence.

use crate::error::XtaskError;
use crate::json_pointer::{pointer_join, resolve};
use serde_json::{Map, Value};

const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// Runs every check, repairing equivalent response schemas in place.
pub fn preflight(doc: &mut Value) -> Result<(), XtaskError> {
    let snapshot = doc.clone();
    let Some(Value::Object(paths)) = doc.get_mut("paths") else {
        return Err(XtaskError::at("", "the document has no `paths` object"));
    };
    for (path, item) in paths.iter_mut() {
        let item_ptr = pointer_join("/paths", path);
        let Value::Object(item) = item else {
            return Err(XtaskError::at(item_ptr, "a path item must be an object"));
        };
        let shared_params = item.get("parameters").cloned();
        for method in METHODS {
            let Some(op) = item.get_mut(method) else {
                continue;
            };
            let op_ptr = pointer_join(&item_ptr, method);
            let Value::Object(op) = op else {
                return Err(XtaskError::at(op_ptr, "an operation must be an object"));
            };
            if !op.get("operationId").is_some_and(Value::is_string) {
                return Err(XtaskError::at(
                    op_ptr,
                    "the operation has no `operationId`; the generator names methods after it",
                ));
            }
            check_path_parameters(&snapshot, path, shared_params.as_ref(), op, &op_ptr)?;
            check_request_body(&snapshot, op, &op_ptr)?;
            unify_responses(&snapshot, op, &op_ptr)?;
        }
    }
    Ok(())
}

fn check_path_parameters(
    doc: &Value,
    path: &str,
    shared: Option<&Value>,
    op: &Map<String, Value>,
    op_ptr: &str,
) -> Result<(), XtaskError> {
    let template_names: Vec<&str> = path
        .split('{')
        .skip(1)
        .filter_map(|rest| rest.split('}').next())
        .collect();
    let mut declared = Vec::new();
    let lists = [shared, op.get("parameters")];
    for list in lists.into_iter().flatten() {
        let Value::Array(list) = list else { continue };
        for (i, param) in list.iter().enumerate() {
            let param = resolve(doc, param)?;
            if param.get("in").and_then(Value::as_str) != Some("path") {
                continue;
            }
            let name = param.get("name").and_then(Value::as_str).unwrap_or("");
            let p_ptr = format!("{op_ptr}/parameters/{i}");
            if param.get("required") != Some(&Value::Bool(true)) {
                return Err(XtaskError::at(
                    p_ptr,
                    format!("path parameter `{name}` must be `required: true`"),
                ));
            }
            if !template_names.contains(&name) {
                return Err(XtaskError::at(
                    p_ptr,
                    format!("path parameter `{name}` does not appear in the path `{path}`"),
                ));
            }
            declared.push(name.to_string());
        }
    }
    if let Some(missing) = template_names
        .iter()
        .find(|n| !declared.iter().any(|d| d == *n))
    {
        return Err(XtaskError::at(
            op_ptr,
            format!("the path `{path}` uses `{{{missing}}}` but no parameter declares it"),
        ));
    }
    Ok(())
}

fn check_request_body(
    doc: &Value,
    op: &Map<String, Value>,
    op_ptr: &str,
) -> Result<(), XtaskError> {
    let Some(body) = op.get("requestBody") else {
        return Ok(());
    };
    let body = resolve(doc, body)?;
    let b_ptr = pointer_join(op_ptr, "requestBody");
    if let Some(Value::Object(content)) = body.get("content") {
        if content.len() > 1 {
            return Err(XtaskError::at(
                pointer_join(&b_ptr, "content"),
                "a request body with more than one media type is not supported by the generator",
            ));
        }
        check_media_types(content, &b_ptr)?;
    }
    Ok(())
}

fn check_media_types(content: &Map<String, Value>, ptr: &str) -> Result<(), XtaskError> {
    for (media, media_type) in content {
        let m_ptr = pointer_join(&pointer_join(ptr, "content"), media);
        if media_type
            .get("encoding")
            .and_then(Value::as_object)
            .is_some_and(|e| !e.is_empty())
        {
            return Err(XtaskError::at(
                pointer_join(&m_ptr, "encoding"),
                "media-type `encoding` is not supported by the generator",
            ));
        }
        if is_json_media(media) && media_type.get("schema").is_none() {
            return Err(XtaskError::at(
                m_ptr,
                "a JSON media type without a `schema` is not supported by the generator",
            ));
        }
    }
    Ok(())
}

/// Whether progenitor treats a media type as JSON (and so generates a type for it).
fn is_json_media(media: &str) -> bool {
    media == "application/json" || media.starts_with("application/json;")
}

/// The schema (or `None` for no JSON body) a response gives the generator.
fn response_schema<'a>(
    doc: &'a Value,
    response: &'a Value,
) -> Result<Option<&'a Value>, XtaskError> {
    let response = resolve(doc, response)?;
    Ok(response
        .get("content")
        .and_then(Value::as_object)
        .and_then(|content| content.iter().find(|(m, _)| is_json_media(m)))
        .and_then(|(_, mt)| mt.get("schema")))
}

/// Makes every response of each group (2xx; everything else) share one schema, or explains
/// why it cannot.
fn unify_responses(
    doc: &Value,
    op: &mut Map<String, Value>,
    op_ptr: &str,
) -> Result<(), XtaskError> {
    let r_ptr = pointer_join(op_ptr, "responses");
    let Some(Value::Object(responses)) = op.get_mut("responses") else {
        return Err(XtaskError::at(
            r_ptr,
            "the operation has no `responses` object",
        ));
    };
    for (status, response) in responses.iter() {
        let resolved = resolve(doc, response)?;
        if let Some(Value::Object(content)) = resolved.get("content") {
            check_media_types(content, &pointer_join(&r_ptr, status))?;
        }
    }
    for success in [true, false] {
        let group: Vec<String> = responses
            .keys()
            .filter(|s| s.starts_with('2') == success)
            .cloned()
            .collect();
        let Some(first) = group.first() else { continue };
        let first_schema = response_schema(doc, &responses[first])?.cloned();
        for status in &group[1..] {
            let schema = response_schema(doc, &responses[status])?.cloned();
            if schema == first_schema {
                continue;
            }
            let same_shape = match (&first_schema, &schema) {
                (Some(a), Some(b)) => shape(doc, a, 0)? == shape(doc, b, 0)?,
                _ => false,
            };
            let kind = if success { "success" } else { "error" };
            if !same_shape {
                return Err(XtaskError::at(
                    pointer_join(&r_ptr, status),
                    format!(
                        "the {kind} response `{status}` has a different body schema than `{first}`; \
                         the generator needs one {kind} schema per operation (progenitor issues \
                         #344, #950): use one shared schema for all {kind} statuses"
                    ),
                ));
            }
            // Same shape under different names: point this response at the first schema.
            let mut inline = resolve(doc, &responses[status])?.clone();
            if let (Some(Value::Object(content)), Some(first_schema)) =
                (inline.get_mut("content"), first_schema.clone())
            {
                for (media, mt) in content.iter_mut() {
                    if is_json_media(media)
                        && let Value::Object(mt) = mt
                    {
                        mt.insert("schema".into(), first_schema.clone());
                    }
                }
            }
            responses.insert(status.clone(), inline);
        }
    }
    Ok(())
}

/// A schema with references resolved and documentation-only keywords removed, for comparing
/// shapes. Depth-limited so a recursive schema cannot loop.
fn shape(doc: &Value, schema: &Value, depth: usize) -> Result<Value, XtaskError> {
    if depth > 64 {
        return Ok(Value::String("<deep>".into()));
    }
    let schema = resolve(doc, schema)?;
    Ok(match schema {
        Value::Object(obj) => {
            let mut out = Map::new();
            for (k, v) in obj {
                let doc_only = matches!(
                    k.as_str(),
                    "description"
                        | "example"
                        | "examples"
                        | "title"
                        | "deprecated"
                        | "externalDocs"
                ) || k.starts_with("x-");
                if doc_only {
                    continue;
                }
                let v = match k.as_str() {
                    "properties" => match v {
                        Value::Object(props) => {
                            let mut p = Map::new();
                            for (name, prop) in props {
                                p.insert(name.clone(), shape(doc, prop, depth + 1)?);
                            }
                            Value::Object(p)
                        }
                        other => other.clone(),
                    },
                    "items" | "not" | "additionalProperties" => shape(doc, v, depth + 1)?,
                    "allOf" | "anyOf" | "oneOf" => match v {
                        Value::Array(branches) => Value::Array(
                            branches
                                .iter()
                                .map(|b| shape(doc, b, depth + 1))
                                .collect::<Result<_, _>>()?,
                        ),
                        other => other.clone(),
                    },
                    _ => v.clone(),
                };
                out.insert(k.clone(), v);
            }
            Value::Object(out)
        }
        other => other.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn error_response(schema: &str) -> Value {
        json!({"description": "e", "content": {"application/json": {
            "schema": {"$ref": format!("#/components/schemas/{schema}")}}}})
    }

    fn doc_with_errors(second_schema: Value) -> Value {
        json!({
            "openapi": "3.0.3",
            "info": {"title": "t", "version": "1"},
            "paths": {"/a": {"get": {"operationId": "a", "responses": {
                "200": {"description": "ok"},
                "400": error_response("BadRequest"),
                "500": error_response("ServerError"),
            }}}},
            "components": {"schemas": {
                "BadRequest": {"type": "object", "description": "bad",
                               "properties": {"error": {"type": "string"}}},
                "ServerError": second_schema,
            }}
        })
    }

    #[test]
    fn equivalent_error_schemas_are_unified() {
        let mut doc = doc_with_errors(json!({"type": "object", "description": "other words",
            "example": {"error": "x"}, "properties": {"error": {"type": "string"}}}));
        preflight(&mut doc).unwrap();
        let schema =
            &doc["paths"]["/a"]["get"]["responses"]["500"]["content"]["application/json"]["schema"];
        assert_eq!(schema, &json!({"$ref": "#/components/schemas/BadRequest"}));
    }

    #[test]
    fn different_error_schemas_are_rejected_with_pointer() {
        let mut doc = doc_with_errors(json!({"type": "object",
            "properties": {"error": {"type": "integer"}}}));
        let err = preflight(&mut doc).unwrap_err();
        assert_eq!(err.pointer.as_deref(), Some("/paths/~1a/get/responses/500"));
        assert!(err.message.contains("one error schema"), "{err}");
    }

    #[test]
    fn path_parameter_problems_are_rejected() {
        let op = |params: Value| {
            json!({"openapi": "3.0.3", "info": {"title": "t", "version": "1"},
                   "paths": {"/a/{id}": {"get": {"operationId": "a", "parameters": params,
                       "responses": {"200": {"description": "ok"}}}}}})
        };
        let not_required = op(json!([{"name": "id", "in": "path", "schema": {"type": "string"}}]));
        let undeclared = op(json!([]));
        let wrong_name = op(json!([{"name": "x", "in": "path", "required": true,
                                    "schema": {"type": "string"}}]));
        for (mut doc, expect) in [
            (not_required, "must be `required: true`"),
            (undeclared, "no parameter declares it"),
            (wrong_name, "does not appear in the path"),
        ] {
            let err = preflight(&mut doc).unwrap_err();
            assert!(err.message.contains(expect), "{err}");
            assert!(err.pointer.is_some());
        }
    }

    #[test]
    fn multi_media_request_body_and_missing_operation_id_are_rejected() {
        let mut doc = json!({"openapi": "3.0.3", "info": {"title": "t", "version": "1"},
            "paths": {"/a": {"post": {"operationId": "a",
                "requestBody": {"content": {"application/json": {"schema": {}},
                                            "text/plain": {"schema": {}}}},
                "responses": {"200": {"description": "ok"}}}}}});
        let err = preflight(&mut doc).unwrap_err();
        assert_eq!(
            err.pointer.as_deref(),
            Some("/paths/~1a/post/requestBody/content")
        );

        let mut doc = json!({"openapi": "3.0.3", "info": {"title": "t", "version": "1"},
            "paths": {"/a": {"get": {"responses": {"200": {"description": "ok"}}}}}});
        let err = preflight(&mut doc).unwrap_err();
        assert_eq!(err.pointer.as_deref(), Some("/paths/~1a/get"));
    }
}
