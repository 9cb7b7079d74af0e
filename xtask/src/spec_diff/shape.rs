//! The comparable shape of a schema, read alike from OpenAPI 3.0 and 3.1.
//!
//! `spec-diff` compares what a body *accepts or contains*, not how it is written: `$ref`s are
//! followed, `type: [T, "null"]`, `nullable: true`, `null` in `enum` and `anyOf [X, null]` all
//! mean "nullable", `const` is a one-value `enum`, a string marked `x-openrouter-type:
//! boolean` is a boolean, and descriptions and examples are ignored. A schema is flattened
//! into one entry per field path (`data.hash`, `data[].limit`, `external.user`).
//!
//! `allOf` branches are merged whole. `anyOf`/`oneOf` branches contribute their types,
//! formats, values, constraints and properties, and a property is required when every
//! non-null branch requires it (so a `oneOf` of two objects that both require `id` requires
//! `id`). Numeric and string constraints are kept as text (3.0's boolean `exclusiveMinimum`
//! is read as 3.1's numeric one).

use crate::json_pointer::{pointer_join, resolve};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

/// What one field (or the body itself, at path `""`) is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Field {
    /// Non-null JSON types; empty when unconstrained.
    pub types: BTreeSet<String>,
    /// Whether `null` is allowed.
    pub nullable: bool,
    /// `format`, when given.
    pub format: Option<String>,
    /// Allowed values (as JSON text, `null` excluded), when the schema lists them.
    pub values: Option<BTreeSet<String>>,
    /// Whether the parent object requires the field (always `true` for the root).
    pub required: bool,
    /// Numeric, string and array constraints (`minimum`, `maxLength`, `pattern`, ...) by
    /// keyword, each value as JSON text.
    pub constraints: BTreeMap<String, String>,
    /// JSON pointer of the schema node that defines the field.
    pub pointer: String,
}

/// Field path → field.
pub type Fields = BTreeMap<String, Field>;

/// A schema's own facts plus its object properties and array items, merged across
/// `allOf`/`anyOf`/`oneOf` and references.
#[derive(Debug, Default)]
struct Merged {
    field: Field,
    properties: BTreeMap<String, (Value, String)>,
    required: BTreeSet<String>,
    items: Option<(Value, String)>,
}

const MAX_DEPTH: usize = 16;

/// The constraint keywords compared (3.0's boolean `exclusiveMinimum`/`exclusiveMaximum` are
/// folded into the 3.1 numeric form by `constraints`).
const CONSTRAINTS: [&str; 10] = [
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "multipleOf",
    "minLength",
    "maxLength",
    "pattern",
    "minItems",
    "maxItems",
];

/// A constraint's value as comparable text: numbers by value (`0` and `0.0` alike).
fn constraint_text(value: &Value) -> String {
    match value.as_f64() {
        Some(n) => n.to_string(),
        None => value.to_string(),
    }
}

/// The constraints a schema object states, 3.0's boolean exclusive bounds folded in.
fn constraints(obj: &serde_json::Map<String, Value>) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for key in CONSTRAINTS {
        match obj.get(key) {
            Some(Value::Bool(_)) | None => {}
            Some(value) => {
                out.insert(key.to_string(), constraint_text(value));
            }
        }
    }
    for (exclusive, bound) in [
        ("exclusiveMinimum", "minimum"),
        ("exclusiveMaximum", "maximum"),
    ] {
        if obj.get(exclusive) == Some(&Value::Bool(true))
            && let Some(value) = out.remove(bound)
        {
            out.insert(exclusive.to_string(), value);
        }
    }
    out
}

/// Flattens the schema at `pointer` in `doc` into its fields.
pub fn flatten(doc: &Value, schema: &Value, pointer: &str) -> Fields {
    let mut fields = Fields::new();
    visit(doc, schema, pointer, "", true, 0, &mut fields);
    fields
}

fn visit(
    doc: &Value,
    schema: &Value,
    pointer: &str,
    path: &str,
    required: bool,
    depth: usize,
    out: &mut Fields,
) {
    if depth > MAX_DEPTH {
        return;
    }
    let merged = merge(doc, schema, pointer, 0);
    let mut field = merged.field;
    field.required = required;
    out.insert(path.to_string(), field);
    for (name, (child, child_ptr)) in &merged.properties {
        let child_path = if path.is_empty() {
            name.clone()
        } else {
            format!("{path}.{name}")
        };
        let child_required = merged.required.contains(name);
        visit(
            doc,
            child,
            child_ptr,
            &child_path,
            child_required,
            depth + 1,
            out,
        );
    }
    if let Some((items, items_ptr)) = &merged.items {
        visit(
            doc,
            items,
            items_ptr,
            &format!("{path}[]"),
            true,
            depth + 1,
            out,
        );
    }
}

fn merge(doc: &Value, schema: &Value, pointer: &str, depth: usize) -> Merged {
    let mut merged = Merged::default();
    merged.field.pointer = pointer.to_string();
    if depth > MAX_DEPTH {
        return merged;
    }
    let (schema, pointer) = match schema.get("$ref").and_then(Value::as_str) {
        Some(reference) => match resolve(doc, schema) {
            Ok(target) => (target, reference.trim_start_matches('#').to_string()),
            Err(_) => return merged,
        },
        None => (schema, pointer.to_string()),
    };
    merged.field.pointer = pointer.clone();
    let Value::Object(obj) = schema else {
        return merged;
    };
    let f = &mut merged.field;
    match obj.get("type") {
        Some(Value::String(t)) => add_type(f, t),
        Some(Value::Array(ts)) => ts
            .iter()
            .filter_map(Value::as_str)
            .for_each(|t| add_type(f, t)),
        _ => {}
    }
    if obj.get("nullable") == Some(&Value::Bool(true)) {
        f.nullable = true;
    }
    if obj.get("x-openrouter-type").and_then(Value::as_str) == Some("boolean") {
        f.types = BTreeSet::from(["boolean".to_string()]);
    }
    f.format = obj
        .get("format")
        .and_then(Value::as_str)
        .map(str::to_string);
    let listed = obj
        .get("enum")
        .and_then(Value::as_array)
        .cloned()
        .or_else(|| obj.get("const").map(|c| vec![c.clone()]));
    f.constraints = constraints(obj);
    if let Some(values) = listed {
        f.nullable |= values.iter().any(Value::is_null);
        f.values = Some(
            values
                .iter()
                .filter(|v| !v.is_null())
                .map(Value::to_string)
                .collect(),
        );
    }
    if let Some(Value::Object(props)) = obj.get("properties") {
        let props_ptr = pointer_join(&pointer, "properties");
        for (name, prop) in props {
            merged
                .properties
                .insert(name.clone(), (prop.clone(), pointer_join(&props_ptr, name)));
        }
    }
    if let Some(Value::Array(required)) = obj.get("required") {
        merged.required.extend(
            required
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_string),
        );
    }
    if let Some(items) = obj.get("items") {
        merged.items = Some((items.clone(), pointer_join(&pointer, "items")));
    }
    for key in ["allOf", "anyOf", "oneOf"] {
        let Some(Value::Array(branches)) = obj.get(key) else {
            continue;
        };
        // Required in every non-null branch of an anyOf/oneOf: required.
        let mut required_by_all: Option<BTreeSet<String>> = None;
        for (i, branch) in branches.iter().enumerate() {
            let branch_ptr = format!("{}/{i}", pointer_join(&pointer, key));
            let inner = merge(doc, branch, &branch_ptr, depth + 1);
            let only_null = inner.field.types.is_empty() && inner.field.nullable;
            merged.field.nullable |= inner.field.nullable;
            if only_null {
                continue;
            }
            merged.field.types.extend(inner.field.types);
            if merged.field.format.is_none() {
                merged.field.format = inner.field.format;
            }
            if let Some(values) = inner.field.values {
                merged
                    .field
                    .values
                    .get_or_insert_with(BTreeSet::new)
                    .extend(values);
            }
            for (name, value) in inner.field.constraints {
                merged.field.constraints.entry(name).or_insert(value);
            }
            for (name, prop) in inner.properties {
                merged.properties.entry(name).or_insert(prop);
            }
            if key == "allOf" {
                merged.required.extend(inner.required);
            } else {
                required_by_all = Some(match required_by_all {
                    None => inner.required,
                    Some(so_far) => so_far.intersection(&inner.required).cloned().collect(),
                });
            }
            if merged.items.is_none() {
                merged.items = inner.items;
            }
        }
        merged.required.extend(required_by_all.unwrap_or_default());
    }
    merged
}

fn add_type(field: &mut Field, t: &str) {
    if t == "null" {
        field.nullable = true;
    } else {
        field.types.insert(t.to_string());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn dialects_and_references_read_alike() {
        let doc = json!({"components": {"schemas": {
            "Key": {"type": "object", "required": ["a"], "properties": {
                "a": {"type": ["string", "null"]},
                "b": {"type": "string", "nullable": true, "format": "date-time"},
                "c": {"anyOf": [{"$ref": "#/components/schemas/Inner"}, {"type": "null"}]},
                "d": {"type": "string", "x-openrouter-type": "boolean"},
                "e": {"type": "string", "enum": ["x", "y", null]},
                "f": {"const": true}
            }},
            "Inner": {"type": "object", "properties": {"z": {"type": "integer"}}}
        }}});
        let fields = flatten(&doc, &json!({"$ref": "#/components/schemas/Key"}), "/x");
        let a = &fields["a"];
        assert!(a.nullable && a.required && a.types.contains("string"));
        assert_eq!(a.pointer, "/components/schemas/Key/properties/a");
        let b = &fields["b"];
        assert!(b.nullable && !b.required);
        assert_eq!(b.format.as_deref(), Some("date-time"));
        assert!(fields["c"].nullable);
        assert!(fields["c"].types.contains("object"));
        assert_eq!(
            fields["c.z"].pointer,
            "/components/schemas/Inner/properties/z"
        );
        assert_eq!(fields["d"].types, BTreeSet::from(["boolean".to_string()]));
        assert!(fields["e"].nullable);
        assert_eq!(fields["e"].values.as_ref().unwrap().len(), 2);
        assert_eq!(
            fields["f"].values.as_ref().unwrap(),
            &BTreeSet::from(["true".to_string()])
        );
    }

    #[test]
    fn any_of_branches_give_properties_required_and_constraints() {
        let doc = json!({"components": {"schemas": {
            "A": {"type": "object", "required": ["id", "a"], "properties": {
                "id": {"type": "string", "minLength": 1}, "a": {"type": "integer"}}},
            "B": {"type": "object", "required": ["id"], "properties": {
                "id": {"type": "string"}, "b": {"type": "integer",
                    "minimum": 0, "exclusiveMinimum": true, "maximum": 10.0}}}
        }}});
        let schema = json!({"oneOf": [{"$ref": "#/components/schemas/A"},
                                      {"$ref": "#/components/schemas/B"}, {"type": "null"}]});
        let fields = flatten(&doc, &schema, "/s");
        assert!(fields[""].nullable);
        assert!(fields["id"].required, "required by every branch");
        assert!(!fields["a"].required && !fields["b"].required);
        assert_eq!(fields["id"].constraints["minLength"], "1");
        assert_eq!(fields["b"].pointer, "/components/schemas/B/properties/b");
        let b = &fields["b"].constraints;
        assert_eq!(b.get("exclusiveMinimum").map(String::as_str), Some("0"));
        assert_eq!(b.get("maximum").map(String::as_str), Some("10"));
        assert!(!b.contains_key("minimum"));
    }

    #[test]
    fn cycles_terminate() {
        let doc = json!({"components": {"schemas": {"N": {"type": "object", "properties": {
            "next": {"$ref": "#/components/schemas/N"}}}}}});
        let fields = flatten(&doc, &json!({"$ref": "#/components/schemas/N"}), "");
        assert!(fields.len() > 3 && fields.len() < 64);
    }
}
