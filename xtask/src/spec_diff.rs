//! `cargo xtask spec-diff <UPSTREAM>`: what OpenRouter's published spec says about the six key
//! operations that ours does not (behind), says differently (changed), or lacks (ahead).
//!
//! Operations are matched by method and path template (parameter names aside). Parameters are
//! matched by location and name, bodies field by field (see `shape`), statuses by code.
//! Behind and changed exit 1; ahead alone exits 0, since our spec legitimately knows fields
//! the API added after its document was published.

use crate::error::{XtaskError, pointer_join};
use crate::load::dialect;
use crate::preflight::resolve;
use crate::shape::{Field, Fields, flatten};
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

/// How a difference bears on our spec.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    /// Upstream has it, we lack it.
    Behind,
    /// Both have it, differently.
    Changed,
    /// We have it, upstream lacks it.
    Ahead,
}

impl Kind {
    fn label(self) -> &'static str {
        match self {
            Kind::Behind => "behind",
            Kind::Changed => "changed",
            Kind::Ahead => "ahead",
        }
    }
}

/// One difference.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// Its kind.
    pub kind: Kind,
    /// What differs, in words.
    pub what: String,
    /// Where it is in our spec.
    pub ours: Option<String>,
    /// Where it is upstream.
    pub upstream: Option<String>,
}

/// The differences of one operation.
#[derive(Debug, Clone)]
pub struct OperationReport {
    /// `GET /keys`
    pub operation: String,
    /// The differences, behind first.
    pub findings: Vec<Finding>,
}

/// The whole comparison.
#[derive(Debug, Clone, Default)]
pub struct Report {
    /// One entry per operation on the key paths of either document.
    pub operations: Vec<OperationReport>,
}

impl Report {
    /// How many findings of a kind.
    pub fn count(&self, kind: Kind) -> usize {
        self.operations
            .iter()
            .flat_map(|o| &o.findings)
            .filter(|f| f.kind == kind)
            .count()
    }

    /// Whether our spec is behind or differs.
    pub fn needs_work(&self) -> bool {
        self.count(Kind::Behind) + self.count(Kind::Changed) > 0
    }

    /// The readable report.
    pub fn to_text(&self, ours: &str, upstream: &str) -> String {
        let mut out = format!("spec-diff: {ours} (ours) vs {upstream} (upstream)\n");
        for op in &self.operations {
            let _ = writeln!(out, "\n{}", op.operation);
            if op.findings.is_empty() {
                let _ = writeln!(out, "  same");
            }
            for f in &op.findings {
                let _ = writeln!(out, "  {:<8} {}", f.kind.label().to_uppercase(), f.what);
                let _ = writeln!(
                    out,
                    "           ours: {}  upstream: {}",
                    f.ours.as_deref().unwrap_or("-"),
                    f.upstream.as_deref().unwrap_or("-")
                );
            }
        }
        let _ = writeln!(
            out,
            "\n{} behind, {} changed, {} ahead",
            self.count(Kind::Behind),
            self.count(Kind::Changed),
            self.count(Kind::Ahead)
        );
        out
    }

    /// The machine-readable report.
    pub fn to_json(&self) -> Value {
        json!({
            "behind": self.count(Kind::Behind),
            "changed": self.count(Kind::Changed),
            "ahead": self.count(Kind::Ahead),
            "operations": self.operations.iter().map(|o| json!({
                "operation": o.operation,
                "findings": o.findings.iter().map(|f| json!({
                    "kind": f.kind.label(),
                    "what": f.what,
                    "ours": f.ours,
                    "upstream": f.upstream,
                })).collect::<Vec<_>>(),
            })).collect::<Vec<_>>(),
        })
    }
}

/// The paths of the six key operations.
const KEY_PATHS: [&str; 3] = ["/key", "/keys", "/keys/{}"];
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

type Op = (String, Value, Value);

/// Operations on the key paths, by (METHOD, path template).
type Operations = BTreeMap<(String, String), Op>;

fn key_operations(doc: &Value) -> Result<Operations, XtaskError> {
    let paths = doc
        .get("paths")
        .and_then(Value::as_object)
        .ok_or_else(|| XtaskError::at("/paths", "the document has no `paths` object"))?;
    let mut found = BTreeMap::new();
    for (path, item) in paths {
        let normalized = template(path);
        if !KEY_PATHS.contains(&normalized.as_str()) {
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
                    (pointer_join(&item_ptr, method), op.clone(), shared.clone()),
                );
            }
        }
    }
    Ok(found)
}

/// Parameters by (location, name) → (field, pointer).
fn parameters(
    doc: &Value,
    op_ptr: &str,
    op: &Value,
    shared: &Value,
) -> BTreeMap<(String, String), Field> {
    let mut out = BTreeMap::new();
    let item_ptr = op_ptr.rsplit_once('/').map_or("", |(p, _)| p).to_string();
    let lists = [
        (shared, item_ptr),
        (
            op.get("parameters").unwrap_or(&Value::Null),
            op_ptr.to_string(),
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
            let schema = param.get("schema").cloned().unwrap_or(Value::Null);
            let mut field = flatten(doc, &schema, &pointer_join(&ptr, "schema"))
                .remove("")
                .unwrap_or_default();
            field.required = param.get("required") == Some(&Value::Bool(true));
            field.pointer = ptr;
            out.insert((location.to_string(), name.to_string()), field);
        }
    }
    out
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
            let schema_ptr = match holder.get("$ref").and_then(Value::as_str) {
                Some(r) => format!(
                    "{}/content/application~1json/schema",
                    r.trim_start_matches('#')
                ),
                None => format!("{ptr}/content/application~1json/schema"),
            };
            flatten(doc, schema, &schema_ptr)
        }
        None => Fields::new(),
    }
}

fn responses(doc: &Value, op_ptr: &str, op: &Value) -> BTreeMap<String, (String, Fields)> {
    let mut out = BTreeMap::new();
    if let Some(Value::Object(responses)) = op.get("responses") {
        for (status, response) in responses {
            let ptr = pointer_join(&pointer_join(op_ptr, "responses"), status);
            let fields = body_fields(doc, response, &ptr);
            out.insert(status.clone(), (ptr, fields));
        }
    }
    out
}

/// Compares our spec with an upstream document.
pub fn diff(ours: &Value, upstream: &Value) -> Result<Report, XtaskError> {
    dialect(ours)?;
    dialect(upstream)?;
    let ours_ops = key_operations(ours)?;
    let upstream_ops = key_operations(upstream)?;
    let keys: BTreeSet<_> = ours_ops
        .keys()
        .chain(upstream_ops.keys())
        .cloned()
        .collect();
    let mut report = Report::default();
    for key in keys {
        let mut findings = Vec::new();
        let name = format!("{} {}", key.0, key.1.replace("{}", "{hash}"));
        match (ours_ops.get(&key), upstream_ops.get(&key)) {
            (Some((ptr, _, _)), None) => findings.push(Finding {
                kind: Kind::Ahead,
                what: "operation absent upstream".into(),
                ours: Some(ptr.clone()),
                upstream: None,
            }),
            (None, Some((ptr, _, _))) => findings.push(Finding {
                kind: Kind::Behind,
                what: "operation we do not have".into(),
                ours: None,
                upstream: Some(ptr.clone()),
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

fn compare_operation(ours: &Value, a: &Op, upstream: &Value, b: &Op, out: &mut Vec<Finding>) {
    let (a_ptr, a_op, a_shared) = a;
    let (b_ptr, b_op, b_shared) = b;
    let a_params = parameters(ours, a_ptr, a_op, a_shared);
    let b_params = parameters(upstream, b_ptr, b_op, b_shared);
    let names: BTreeSet<_> = a_params.keys().chain(b_params.keys()).cloned().collect();
    for (location, name) in names {
        let what = format!("{location} parameter `{name}`");
        compare_field(
            &what,
            a_params.get(&(location.clone(), name.clone())),
            b_params.get(&(location, name)),
            out,
        );
    }

    let a_body = a_op
        .get("requestBody")
        .map(|b| body_fields(ours, b, &pointer_join(a_ptr, "requestBody")));
    let b_body = b_op
        .get("requestBody")
        .map(|b| body_fields(upstream, b, &pointer_join(b_ptr, "requestBody")));
    compare_fields(
        "request body",
        &a_body.unwrap_or_default(),
        &b_body.unwrap_or_default(),
        out,
    );

    let a_responses = responses(ours, a_ptr, a_op);
    let b_responses = responses(upstream, b_ptr, b_op);
    let statuses: BTreeSet<_> = a_responses
        .keys()
        .chain(b_responses.keys())
        .cloned()
        .collect();
    for status in statuses {
        match (a_responses.get(&status), b_responses.get(&status)) {
            (Some((ptr, _)), None) => out.push(Finding {
                kind: Kind::Ahead,
                what: format!("status {status} absent upstream"),
                ours: Some(ptr.clone()),
                upstream: None,
            }),
            (None, Some((ptr, _))) => out.push(Finding {
                kind: Kind::Behind,
                what: format!("status {status} we do not document"),
                ours: None,
                upstream: Some(ptr.clone()),
            }),
            (Some((_, a)), Some((_, b))) => {
                compare_fields(&format!("response {status}"), a, b, out)
            }
            (None, None) => {}
        }
    }
}

fn compare_fields(context: &str, ours: &Fields, upstream: &Fields, out: &mut Vec<Finding>) {
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
        compare_field(&what, ours.get(&path), upstream.get(&path), out);
    }
}

fn compare_field(
    what: &str,
    ours: Option<&Field>,
    upstream: Option<&Field>,
    out: &mut Vec<Finding>,
) {
    let mut push = |kind, detail: String, a: Option<&Field>, b: Option<&Field>| {
        out.push(Finding {
            kind,
            what: if detail.is_empty() {
                what.to_string()
            } else {
                format!("{what}: {detail}")
            },
            ours: a.map(|f| f.pointer.clone()),
            upstream: b.map(|f| f.pointer.clone()),
        });
    };
    let (a, b) = match (ours, upstream) {
        (Some(a), None) => return push(Kind::Ahead, "absent upstream".into(), Some(a), None),
        (None, Some(b)) => return push(Kind::Behind, "we do not have it".into(), None, Some(b)),
        (Some(a), Some(b)) => (a, b),
        (None, None) => return,
    };
    if !a.types.is_empty() && !b.types.is_empty() && a.types != b.types {
        push(
            Kind::Changed,
            format!("type {:?} here, {:?} upstream", a.types, b.types),
            Some(a),
            Some(b),
        );
    }
    if a.nullable != b.nullable {
        let word = |n: bool| if n { "nullable" } else { "non-nullable" };
        push(
            Kind::Changed,
            format!("{} here, {} upstream", word(a.nullable), word(b.nullable)),
            Some(a),
            Some(b),
        );
    }
    if a.required != b.required {
        let word = |r: bool| if r { "required" } else { "optional" };
        push(
            Kind::Changed,
            format!("{} here, {} upstream", word(a.required), word(b.required)),
            Some(a),
            Some(b),
        );
    }
    if let (Some(fa), Some(fb)) = (&a.format, &b.format)
        && fa != fb
    {
        push(
            Kind::Changed,
            format!("format `{fa}` here, `{fb}` upstream"),
            Some(a),
            Some(b),
        );
    }
    if let (Some(va), Some(vb)) = (&a.values, &b.values) {
        for value in vb.difference(va) {
            push(
                Kind::Behind,
                format!("enum value {value} we do not have"),
                Some(a),
                Some(b),
            );
        }
        for value in va.difference(vb) {
            push(
                Kind::Changed,
                format!("enum value {value} removed upstream"),
                Some(a),
                Some(b),
            );
        }
    }
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
                edit(|d| {
                    d["components"]["schemas"]["Key"]["properties"]["limit_reset"]["enum"] =
                        json!(["daily", "monthly", null])
                }),
                Kind::Changed,
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
                edit(|d| {
                    d["components"]["schemas"]["Key"]["properties"]["updated_at"]["type"] =
                        json!("string")
                }),
                Kind::Changed,
                "response 200 field `data[].updated_at`: nullable here, non-nullable upstream",
                Some(format!("{key}/updated_at")),
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
