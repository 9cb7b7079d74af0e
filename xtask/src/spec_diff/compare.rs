//! The comparison itself: the operations in scope (`scope.rs`) of both documents, matched and
//! compared part by part (parameters, bodies, statuses, headers, security).

use super::report::{Finding, Kind, NotCovered, OperationReport, Report};
use super::scope::{Coverage, Scope};
use super::shape::{Field, Fields, flatten};
use crate::document::dialect;
use crate::error::XtaskError;
use crate::json_pointer::{pointer_join, resolve};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// `/keys/{hash}` → `/keys/{}`.
fn template(path: &str) -> String {
    let mut out = String::new();
    let mut in_param = false;
    for c in path.chars() {
        match c {
            '{' => {
                in_param = true;
                out.push_str("{}");
            }
            '}' => in_param = false,
            _ if in_param => {}
            _ => out.push(c),
        }
    }
    out
}

/// One operation: its path as written, its pointer, the operation object and the path item's
/// shared parameters.
struct Op {
    path: String,
    pointer: String,
    operation: Value,
    shared: Value,
}

/// Operations by (METHOD, path template).
type Operations = BTreeMap<(String, String), Op>;

/// The operations of `doc` on the paths whose template `wanted` accepts.
fn operations(doc: &Value, wanted: impl Fn(&str) -> bool) -> Result<Operations, XtaskError> {
    let paths = doc
        .get("paths")
        .and_then(Value::as_object)
        .ok_or_else(|| XtaskError::at("/paths", "the document has no `paths` object"))?;
    let mut found = BTreeMap::new();
    for (path, item) in paths {
        let normalized = template(path);
        if !wanted(&normalized) {
            continue;
        }
        let item_ptr = pointer_join("/paths", path);
        let item = resolve(doc, item).map_err(|e| XtaskError {
            pointer: Some(item_ptr.clone()),
            ..e
        })?;
        let shared = item.get("parameters").cloned().unwrap_or(Value::Null);
        for method in METHODS {
            if let Some(op) = item.get(method) {
                found.insert(
                    (method.to_uppercase(), normalized.clone()),
                    Op {
                        path: path.clone(),
                        pointer: pointer_join(&item_ptr, method),
                        operation: op.clone(),
                        shared: shared.clone(),
                    },
                );
            }
        }
    }
    Ok(found)
}

/// Parameters by (location, name) → (field, pointer).
fn parameters(doc: &Value, op: &Op) -> BTreeMap<(String, String), Field> {
    let mut out = BTreeMap::new();
    let item_ptr = op
        .pointer
        .rsplit_once('/')
        .map_or("", |(p, _)| p)
        .to_string();
    let lists = [
        (&op.shared, item_ptr),
        (
            op.operation.get("parameters").unwrap_or(&Value::Null),
            op.pointer.clone(),
        ),
    ];
    for (list, base) in lists {
        let Value::Array(list) = list else { continue };
        for (i, param) in list.iter().enumerate() {
            let Ok(param) = resolve(doc, param) else {
                continue;
            };
            let (Some(location), Some(name)) = (
                param.get("in").and_then(Value::as_str),
                param.get("name").and_then(Value::as_str),
            ) else {
                continue;
            };
            let ptr = format!("{base}/parameters/{i}");
            let field = schema_field(doc, param, &ptr);
            out.insert((location.to_string(), name.to_string()), field);
        }
    }
    out
}

/// The root field of a parameter's or header's `schema`, with its `required` and pointer.
fn schema_field(doc: &Value, holder: &Value, ptr: &str) -> Field {
    let schema = holder.get("schema").cloned().unwrap_or(Value::Null);
    let mut field = flatten(doc, &schema, &pointer_join(ptr, "schema"))
        .remove("")
        .unwrap_or_default();
    field.required = holder.get("required") == Some(&Value::Bool(true));
    field.pointer = ptr.to_string();
    field
}

/// The pointer of what `value` is: its `$ref` target, or `ptr` itself.
fn target_pointer(value: &Value, ptr: &str) -> String {
    match value.get("$ref").and_then(Value::as_str) {
        Some(r) => r.trim_start_matches('#').to_string(),
        None => ptr.to_string(),
    }
}

fn json_schema<'a>(doc: &'a Value, holder: &'a Value) -> Option<&'a Value> {
    let holder = resolve(doc, holder).ok()?;
    let content = holder.get("content")?.as_object()?;
    content
        .iter()
        .find(|(m, _)| m.starts_with("application/json"))
        .and_then(|(_, mt)| mt.get("schema"))
}

fn body_fields(doc: &Value, holder: &Value, ptr: &str) -> Fields {
    match json_schema(doc, holder) {
        Some(schema) => {
            let schema_ptr = format!(
                "{}/content/application~1json/schema",
                target_pointer(holder, ptr)
            );
            flatten(doc, schema, &schema_ptr)
        }
        None => Fields::new(),
    }
}

/// Declared headers of a response, by lower-cased name.
fn headers(doc: &Value, response: &Value, ptr: &str) -> BTreeMap<String, Field> {
    let mut out = BTreeMap::new();
    let Ok(resolved) = resolve(doc, response) else {
        return out;
    };
    let base = pointer_join(&target_pointer(response, ptr), "headers");
    let Some(Value::Object(declared)) = resolved.get("headers") else {
        return out;
    };
    for (name, declared) in declared {
        let header_ptr = target_pointer(declared, &pointer_join(&base, name));
        let Ok(header) = resolve(doc, declared) else {
            continue;
        };
        out.insert(
            name.to_ascii_lowercase(),
            schema_field(doc, header, &header_ptr),
        );
    }
    out
}

/// A response: its pointer, body fields and declared headers.
struct Response {
    pointer: String,
    fields: Fields,
    headers: BTreeMap<String, Field>,
}

fn responses(doc: &Value, op: &Op) -> BTreeMap<String, Response> {
    let mut out = BTreeMap::new();
    if let Some(Value::Object(responses)) = op.operation.get("responses") {
        for (status, response) in responses {
            let ptr = pointer_join(&pointer_join(&op.pointer, "responses"), status);
            out.insert(
                status.clone(),
                Response {
                    fields: body_fields(doc, response, &ptr),
                    headers: headers(doc, response, &ptr),
                    pointer: ptr,
                },
            );
        }
    }
    out
}

/// An operation's security requirement (its own, or the document's), described by what the
/// schemes are, so that `bearer` and `apiKey` naming the same HTTP bearer scheme are equal.
/// Each alternative is a sorted list of schemes; `[]` means anonymous access.
fn security(doc: &Value, op: &Op) -> (BTreeSet<Vec<String>>, String) {
    let (requirement, ptr) = match op.operation.get("security") {
        Some(own) => (own, pointer_join(&op.pointer, "security")),
        None => (
            doc.get("security").unwrap_or(&Value::Null),
            "/security".to_string(),
        ),
    };
    let mut alternatives = BTreeSet::new();
    for alternative in requirement.as_array().into_iter().flatten() {
        let Some(schemes) = alternative.as_object() else {
            continue;
        };
        let mut described: Vec<String> = schemes
            .iter()
            .map(|(name, scopes)| describe_scheme(doc, name, scopes))
            .collect();
        described.sort();
        alternatives.insert(described);
    }
    (alternatives, ptr)
}

fn describe_scheme(doc: &Value, name: &str, scopes: &Value) -> String {
    let Some(scheme) = doc
        .pointer(&pointer_join("/components/securitySchemes", name))
        .and_then(|s| resolve(doc, s).ok())
    else {
        return format!("undefined scheme `{name}`");
    };
    let text = |key: &str| {
        scheme
            .get(key)
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string()
    };
    let mut out = match text("type").as_str() {
        "http" => format!("http {}", text("scheme").to_ascii_lowercase()),
        "apiKey" => format!(
            "apiKey {} {}",
            text("in"),
            text("name").to_ascii_lowercase()
        ),
        other => other.to_string(),
    };
    let scopes: Vec<&str> = scopes
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    if !scopes.is_empty() {
        let _ = write!(out, " scopes {scopes:?}");
    }
    out
}

/// Compares our spec with an upstream document: every operation of ours, and upstream's in
/// the scope our spec declares.
pub fn diff(ours: &Value, upstream: &Value) -> Result<Report, XtaskError> {
    dialect(ours)?;
    dialect(upstream)?;
    let ours_ops = operations(ours, |_| true)?;
    let scope = Scope::of(ours, ours_ops.keys().map(|(_, template)| template.clone()))?;
    let mut upstream_ops = operations(upstream, |t| scope.coverage(t) != Coverage::Outside)?;
    let mut report = Report::default();
    upstream_ops.retain(|key, op| {
        let listed = ours_ops.contains_key(key) || scope.coverage(&key.1) == Coverage::Complete;
        if !listed {
            report.not_covered.push(NotCovered {
                operation: format!("{} {}", key.0, op.path),
                upstream: op.pointer.clone(),
            });
        }
        listed
    });
    let keys: BTreeSet<_> = ours_ops
        .keys()
        .chain(upstream_ops.keys())
        .cloned()
        .collect();
    for key in keys {
        let mut findings = Vec::new();
        let (a, b) = (ours_ops.get(&key), upstream_ops.get(&key));
        let path = a.or(b).map_or(key.1.as_str(), |op| op.path.as_str());
        let name = format!("{} {path}", key.0);
        match (a, b) {
            (Some(a), None) => findings.push(Finding {
                kind: Kind::Ahead,
                what: "operation absent upstream".into(),
                ours: Some(a.pointer.clone()),
                upstream: None,
            }),
            (None, Some(b)) => findings.push(Finding {
                kind: Kind::Behind,
                what: "operation we do not have".into(),
                ours: None,
                upstream: Some(b.pointer.clone()),
            }),
            (Some(a), Some(b)) => compare_operation(ours, a, upstream, b, &mut findings),
            (None, None) => {}
        }
        findings.sort_by(|a, b| a.kind.cmp(&b.kind).then(a.what.cmp(&b.what)));
        report.operations.push(OperationReport {
            operation: name,
            findings,
        });
    }
    Ok(report)
}

/// Which way a field flows: what we send, or what we decode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Side {
    Request,
    Response,
}

impl Side {
    /// The kind of a difference where one side accepts more than the other.
    fn direction(self, ours_looser: bool) -> Kind {
        match (self, ours_looser) {
            (Side::Response, true) | (Side::Request, false) => Kind::Ahead,
            (Side::Response, false) | (Side::Request, true) => Kind::Changed,
        }
    }
}

fn compare_operation(ours: &Value, a: &Op, upstream: &Value, b: &Op, out: &mut Vec<Finding>) {
    let a_params = parameters(ours, a);
    let b_params = parameters(upstream, b);
    let names: BTreeSet<_> = a_params.keys().chain(b_params.keys()).cloned().collect();
    for (location, name) in names {
        let what = format!("{location} parameter `{name}`");
        compare_field(
            &what,
            Side::Request,
            a_params.get(&(location.clone(), name.clone())),
            b_params.get(&(location, name)),
            out,
        );
    }

    let (a_security, a_ptr) = security(ours, a);
    let (b_security, b_ptr) = security(upstream, b);
    if a_security != b_security {
        out.push(Finding {
            kind: Kind::Changed,
            what: format!("security {a_security:?} here, {b_security:?} upstream"),
            ours: Some(a_ptr),
            upstream: Some(b_ptr),
        });
    }

    let body = |doc: &Value, op: &Op| {
        op.operation
            .get("requestBody")
            .map(|body| body_fields(doc, body, &pointer_join(&op.pointer, "requestBody")))
            .unwrap_or_default()
    };
    compare_fields(
        "request body",
        Side::Request,
        &body(ours, a),
        &body(upstream, b),
        out,
    );

    let a_responses = responses(ours, a);
    let b_responses = responses(upstream, b);
    let statuses: BTreeSet<_> = a_responses
        .keys()
        .chain(b_responses.keys())
        .cloned()
        .collect();
    for status in statuses {
        match (a_responses.get(&status), b_responses.get(&status)) {
            (Some(a), None) => out.push(Finding {
                kind: Kind::Ahead,
                what: format!("status {status} absent upstream"),
                ours: Some(a.pointer.clone()),
                upstream: None,
            }),
            (None, Some(b)) => out.push(Finding {
                kind: Kind::Behind,
                what: format!("status {status} we do not document"),
                ours: None,
                upstream: Some(b.pointer.clone()),
            }),
            (Some(a), Some(b)) => {
                let context = format!("response {status}");
                compare_fields(&context, Side::Response, &a.fields, &b.fields, out);
                let names: BTreeSet<_> = a.headers.keys().chain(b.headers.keys()).collect();
                for name in names {
                    compare_field(
                        &format!("{context} header `{name}`"),
                        Side::Response,
                        a.headers.get(name),
                        b.headers.get(name),
                        out,
                    );
                }
            }
            (None, None) => {}
        }
    }
}

fn compare_fields(
    context: &str,
    side: Side,
    ours: &Fields,
    upstream: &Fields,
    out: &mut Vec<Finding>,
) {
    let paths: BTreeSet<_> = ours.keys().chain(upstream.keys()).cloned().collect();
    // A field one side lacks is reported once, not once more for each field inside it.
    let mut absent: Vec<String> = Vec::new();
    for path in paths {
        let inside = |prefix: &String| {
            path.strip_prefix(prefix.as_str())
                .is_some_and(|rest| rest.starts_with('.') || rest.starts_with("[]"))
        };
        if absent.iter().any(inside) {
            continue;
        }
        if ours.contains_key(&path) != upstream.contains_key(&path) {
            absent.push(path.clone());
        }
        let what = if path.is_empty() {
            format!("{context} body")
        } else {
            format!("{context} field `{path}`")
        };
        compare_field(&what, side, ours.get(&path), upstream.get(&path), out);
    }
}

fn compare_field(
    what: &str,
    side: Side,
    ours: Option<&Field>,
    upstream: Option<&Field>,
    out: &mut Vec<Finding>,
) {
    let finding = |kind, detail: &str, a: Option<&Field>, b: Option<&Field>| Finding {
        kind,
        what: format!("{what}: {detail}"),
        ours: a.map(|f| f.pointer.clone()),
        upstream: b.map(|f| f.pointer.clone()),
    };
    let (a, b) = match (ours, upstream) {
        (Some(a), None) => return out.push(finding(Kind::Ahead, "absent upstream", Some(a), None)),
        (None, Some(b)) => {
            return out.push(finding(Kind::Behind, "we do not have it", None, Some(b)));
        }
        (Some(a), Some(b)) => (a, b),
        (None, None) => return,
    };
    for (kind, detail) in differences(side, a, b) {
        out.push(finding(kind, &detail, Some(a), Some(b)));
    }
}

/// How a field present on both sides differs, each difference with its kind.
fn differences(side: Side, a: &Field, b: &Field) -> Vec<(Kind, String)> {
    let mut found = Vec::new();
    if !a.types.is_empty() && !b.types.is_empty() && a.types != b.types {
        let kind = if a.types.is_superset(&b.types) {
            side.direction(true)
        } else if a.types.is_subset(&b.types) {
            side.direction(false)
        } else {
            Kind::Changed
        };
        found.push((
            kind,
            format!("type {:?} here, {:?} upstream", a.types, b.types),
        ));
    }
    if a.nullable != b.nullable {
        let word = |n: bool| if n { "nullable" } else { "non-nullable" };
        // A `null` upstream accepts in a request and we cannot send is a missing capability.
        let kind = if side == Side::Request && b.nullable {
            Kind::Behind
        } else {
            side.direction(a.nullable)
        };
        found.push((
            kind,
            format!("{} here, {} upstream", word(a.nullable), word(b.nullable)),
        ));
    }
    if a.required != b.required {
        let word = |r: bool| if r { "required" } else { "optional" };
        found.push((
            side.direction(!a.required),
            format!("{} here, {} upstream", word(a.required), word(b.required)),
        ));
    }
    let quoted = |f: &String| format!("`{f}`");
    found.extend(bound(
        side,
        "format",
        a.format.as_ref().map(quoted),
        b.format.as_ref().map(quoted),
    ));
    match (&a.values, &b.values) {
        (Some(va), Some(vb)) => {
            for value in vb.difference(va) {
                found.push((Kind::Behind, format!("enum value {value} we do not have")));
            }
            for value in va.difference(vb) {
                found.push((
                    side.direction(true),
                    format!("enum value {value} removed upstream"),
                ));
            }
        }
        (va, vb) => found.extend(bound(
            side,
            "enum",
            va.as_ref().map(list),
            vb.as_ref().map(list),
        )),
    }
    let keywords: BTreeSet<_> = a.constraints.keys().chain(b.constraints.keys()).collect();
    for keyword in keywords {
        found.extend(bound(
            side,
            &format!("`{keyword}`"),
            a.constraints.get(keyword).cloned(),
            b.constraints.get(keyword).cloned(),
        ));
    }
    found
}

/// A restriction (`format`, `enum`, `minimum`, ...) as each side states it: different values
/// are a change; one side only is judged by direction (the side without it accepts more).
fn bound(
    side: Side,
    label: &str,
    ours: Option<String>,
    upstream: Option<String>,
) -> Option<(Kind, String)> {
    match (ours, upstream) {
        (Some(a), Some(b)) if a != b => {
            Some((Kind::Changed, format!("{label} {a} here, {b} upstream")))
        }
        (Some(a), None) => Some((
            side.direction(false),
            format!("{label} {a} here, none upstream"),
        )),
        (None, Some(b)) => Some((
            side.direction(true),
            format!("{label} {b} upstream, none here"),
        )),
        _ => None,
    }
}

fn list(values: &BTreeSet<String>) -> String {
    let items: Vec<&str> = values.iter().map(String::as_str).collect();
    format!("[{}]", items.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// A small "ours" in 3.1: GET /keys with a query parameter and a key list.
    fn base() -> Value {
        json!({
            "openapi": "3.1.0",
            "info": {"title": "t", "version": "1"},
            "paths": {"/keys": {"get": {
                "operationId": "list",
                "parameters": [{"name": "include_disabled", "in": "query",
                                "schema": {"type": "boolean"}}],
                "responses": {
                    "200": {"description": "ok", "content": {"application/json": {"schema":
                        {"$ref": "#/components/schemas/List"}}}},
                    "401": {"description": "no", "content": {"application/json": {"schema":
                        {"$ref": "#/components/schemas/Error"}}}}
                }
            }}},
            "components": {"schemas": {
                "List": {"type": "object", "required": ["data"], "properties": {
                    "data": {"type": "array", "items": {"$ref": "#/components/schemas/Key"}}}},
                "Key": {"type": "object", "required": ["hash", "updated_at", "limit_reset"],
                        "properties": {
                    "hash": {"type": "string"},
                    "updated_at": {"type": ["string", "null"], "format": "date-time"},
                    "limit_reset": {"type": ["string", "null"],
                                    "enum": ["daily", "weekly", "monthly", null]}
                }},
                "Error": {"type": "object", "properties": {"error": {"type": "string"}}}
            }}
        })
    }

    fn findings(upstream: &Value) -> Vec<(Kind, String, Option<String>)> {
        diff(&base(), upstream)
            .unwrap()
            .operations
            .into_iter()
            .flat_map(|o| o.findings)
            .map(|f| (f.kind, f.what, f.upstream))
            .collect()
    }

    fn edit(f: impl FnOnce(&mut Value)) -> Value {
        let mut doc = base();
        f(&mut doc);
        doc
    }

    #[test]
    fn identical_documents_have_no_findings() {
        assert!(findings(&base()).is_empty());
    }

    #[test]
    fn the_30_dialect_inline_schemas_and_boolean_strings_are_equivalent() {
        let upstream = json!({
            "openapi": "3.0.3",
            "info": {"title": "t", "version": "1"},
            "paths": {"/keys": {"get": {
                "operationId": "listKeys",
                "parameters": [{"name": "include_disabled", "in": "query", "description": "d",
                                "schema": {"type": "string", "x-openrouter-type": "boolean",
                                           "example": "false"}}],
                "responses": {
                    "200": {"description": "other words", "content": {"application/json": {
                        "example": {"data": []},
                        "schema": {"type": "object", "required": ["data"], "properties": {
                            "data": {"type": "array", "items": {"type": "object",
                                "required": ["hash", "updated_at", "limit_reset"], "properties": {
                                "hash": {"type": "string", "description": "x"},
                                "updated_at": {"type": "string", "nullable": true,
                                               "format": "date-time"},
                                "limit_reset": {"anyOf": [
                                    {"type": "string", "enum": ["monthly", "weekly", "daily"]},
                                    {"type": "null"}]}
                            }}}}}}}},
                    "401": {"$ref": "#/components/responses/Unauthorized"}
                }
            }}},
            "components": {"responses": {"Unauthorized": {"description": "u", "content": {
                "application/json": {"schema": {"type": "object", "properties": {
                    "error": {"type": "string"}}}}}}}}
        });
        assert_eq!(findings(&upstream), []);
    }

    #[test]
    fn each_kind_of_difference_is_found_at_its_pointer() {
        let key = "/components/schemas/Key/properties";
        let cases: Vec<(Value, Kind, &str, Option<String>)> = vec![
            (
                edit(|d| {
                    d["paths"]["/keys"]["post"] = json!({"operationId": "c", "responses": {}})
                }),
                Kind::Behind,
                "operation we do not have",
                Some("/paths/~1keys/post".into()),
            ),
            (
                edit(|d| {
                    d["paths"]["/keys"]["get"]["parameters"]
                        .as_array_mut()
                        .unwrap()
                        .push(
                            json!({"name": "offset", "in": "query", "schema": {"type": "integer"}}),
                        )
                }),
                Kind::Behind,
                "query parameter `offset`: we do not have it",
                Some("/paths/~1keys/get/parameters/1".into()),
            ),
            (
                edit(|d| {
                    d["components"]["schemas"]["Key"]["properties"]["label"] =
                        json!({"type": "string"})
                }),
                Kind::Behind,
                "response 200 field `data[].label`: we do not have it",
                Some(format!("{key}/label")),
            ),
            (
                edit(|d| {
                    d["paths"]["/keys"]["get"]["responses"]["429"] = json!({"description": "slow"})
                }),
                Kind::Behind,
                "status 429 we do not document",
                Some("/paths/~1keys/get/responses/429".into()),
            ),
            (
                edit(|d| {
                    d["components"]["schemas"]["Key"]["properties"]["limit_reset"]["enum"] =
                        json!(["daily", "weekly", "monthly", "yearly", null])
                }),
                Kind::Behind,
                "response 200 field `data[].limit_reset`: enum value \"yearly\" we do not have",
                Some(format!("{key}/limit_reset")),
            ),
            (
                // A response value upstream no longer sends: we still accept it.
                edit(|d| {
                    d["components"]["schemas"]["Key"]["properties"]["limit_reset"]["enum"] =
                        json!(["daily", "monthly", null])
                }),
                Kind::Ahead,
                "response 200 field `data[].limit_reset`: enum value \"weekly\" removed upstream",
                Some(format!("{key}/limit_reset")),
            ),
            (
                edit(|d| {
                    d["components"]["schemas"]["Key"]["properties"]["hash"] =
                        json!({"type": "integer"})
                }),
                Kind::Changed,
                "response 200 field `data[].hash`: type {\"string\"} here, {\"integer\"} upstream",
                Some(format!("{key}/hash")),
            ),
            (
                // Ours accepts null where upstream never sends it: the tolerant reader.
                edit(|d| {
                    d["components"]["schemas"]["Key"]["properties"]["updated_at"]["type"] =
                        json!("string")
                }),
                Kind::Ahead,
                "response 200 field `data[].updated_at`: nullable here, non-nullable upstream",
                Some(format!("{key}/updated_at")),
            ),
            (
                // Upstream may send null where ours refuses it.
                edit(|d| {
                    d["components"]["schemas"]["Key"]["properties"]["hash"]["type"] =
                        json!(["string", "null"])
                }),
                Kind::Changed,
                "response 200 field `data[].hash`: non-nullable here, nullable upstream",
                Some(format!("{key}/hash")),
            ),
            (
                // A request parameter upstream lets be null and we cannot send as null.
                edit(|d| {
                    d["paths"]["/keys"]["get"]["parameters"][0]["schema"]["type"] =
                        json!(["boolean", "null"])
                }),
                Kind::Behind,
                "query parameter `include_disabled`: non-nullable here, nullable upstream",
                Some("/paths/~1keys/get/parameters/0".into()),
            ),
            (
                edit(|d| d["paths"]["/keys"]["get"]["parameters"][0]["required"] = json!(true)),
                Kind::Changed,
                "query parameter `include_disabled`: optional here, required upstream",
                Some("/paths/~1keys/get/parameters/0".into()),
            ),
            (
                edit(|d| d["components"]["schemas"]["Key"]["required"] = json!(["hash"])),
                Kind::Changed,
                "response 200 field `data[].updated_at`: required here, optional upstream",
                Some(format!("{key}/updated_at")),
            ),
            (
                edit(|d| {
                    d["components"]["schemas"]["Key"]["properties"]["updated_at"]["format"] =
                        json!("date")
                }),
                Kind::Changed,
                "response 200 field `data[].updated_at`: format `date-time` here, `date` upstream",
                Some(format!("{key}/updated_at")),
            ),
            (
                edit(|d| {
                    d["components"]["schemas"]["Key"]["properties"]
                        .as_object_mut()
                        .unwrap()
                        .remove("hash");
                    d["components"]["schemas"]["Key"]["required"] =
                        json!(["updated_at", "limit_reset"]);
                }),
                Kind::Ahead,
                "response 200 field `data[].hash`: absent upstream",
                None,
            ),
        ];
        for (upstream, kind, what, pointer) in cases {
            let found = findings(&upstream);
            assert!(
                found.contains(&(kind, what.to_string(), pointer.clone())),
                "expected {kind:?} {what} at {pointer:?}, found {found:#?}"
            );
            let report = diff(&base(), &upstream).unwrap();
            assert_eq!(report.needs_work(), kind != Kind::Ahead, "{what}");
        }
    }

    #[test]
    fn the_same_scheme_under_another_name_and_an_equivalent_one_of_are_equal() {
        let with_security = |name: &str| {
            edit(|d| {
                d["security"] = json!([{name: []}]);
                d["components"]["securitySchemes"] =
                    json!({name: {"type": "http", "scheme": "Bearer"}});
            })
        };
        let ours = with_security("bearer");
        let renamed = with_security("apiKey");
        let report = diff(&ours, &renamed).unwrap();
        assert_eq!(report.count(Kind::Changed), 0, "{report:#?}");
        // The same key as two oneOf branches that both require what ours requires: `required`
        // is read inside the branches, so only the one new property differs.
        let one_of = edit(|d| {
            let key = d["components"]["schemas"]["Key"].take();
            let mut v2 = key.clone();
            v2["properties"]["rotated_at"] = json!({"type": "string"});
            d["components"]["schemas"]["KeyV1"] = key;
            d["components"]["schemas"]["KeyV2"] = v2;
            d["components"]["schemas"]["Key"] = json!({"oneOf": [
                {"$ref": "#/components/schemas/KeyV1"}, {"$ref": "#/components/schemas/KeyV2"}]});
        });
        assert_eq!(
            findings(&one_of),
            [(
                Kind::Behind,
                "response 200 field `data[].rotated_at`: we do not have it".to_string(),
                Some("/components/schemas/KeyV2/properties/rotated_at".to_string())
            )]
        );
    }

    #[test]
    fn unreadable_documents_are_errors() {
        assert!(diff(&base(), &json!({"openapi": "2.0", "paths": {}})).is_err());
        assert!(diff(&base(), &json!({"openapi": "3.1.0"})).is_err());
        let partial = json!({"openapi": "3.1.0", "paths": {"/other": {}}});
        let report = diff(&base(), &partial).unwrap();
        assert_eq!(
            report.count(Kind::Ahead),
            1,
            "our operation is absent upstream"
        );
    }
}
