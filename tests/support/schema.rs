//! A small Swagger 2.0 schema walker: enough of JSON Schema (`$ref`, `allOf`, `type`,
//! `required`, `properties`, `additionalProperties`, `items`, `enum`, `minItems`, `date-time`)
//! to hold live JSON against a spec, including "no property the spec does not name".
//!
//! [`Rules`] carries what a spec generated from one wire format says wrongly about another
//! (Argo CD's swagger is generated from protobuf; its server writes Go `encoding/json`).

#![allow(dead_code)]

use chrono::DateTime;
use serde_json::Value;

#[derive(Clone, Copy, Debug, Default)]
pub struct Rules {
    /// Fields with `format: int64` (or `uint64`) may be a JSON number or a decimal string,
    /// whatever `type` says: Go's `encoding/json` writes numbers, protojson writes strings.
    pub int64_either: bool,
    /// Definitions a value may be `null` for (Go marshals a zero `metav1.Time` as `null`).
    pub nullable: &'static [&'static str],
    /// Definitions described as their protobuf message but written as an RFC3339 string
    /// (`metav1.MicroTime` is `{seconds,nanos}` in the spec, a string on the wire).
    pub time_strings: &'static [&'static str],
    /// `(definition, property)`: a Go struct embedded with `json:",inline"`, so its fields sit
    /// in the parent, not under the property the spec names.
    pub inline: &'static [(&'static str, &'static str)],
}

fn ref_name(schema: &Value) -> Option<&str> {
    schema
        .get("$ref")
        .and_then(Value::as_str)
        .map(|r| r.trim_start_matches("#/definitions/"))
}

fn resolve<'a>(spec: &'a Value, schema: &'a Value) -> (&'a Value, Option<&'a str>) {
    match ref_name(schema) {
        Some(name) => {
            let (s, inner) = resolve(spec, &spec["definitions"][name]);
            (s, inner.or(Some(name)))
        }
        None => (schema, None),
    }
}

/// Schemas whose properties a definition takes in through Go's inline embedding.
fn inlined<'a>(
    spec: &'a Value,
    rules: &Rules,
    name: Option<&str>,
    schema: &'a Value,
) -> Vec<&'a Value> {
    let Some(name) = name else { return Vec::new() };
    rules
        .inline
        .iter()
        .filter(|(def, _)| *def == name)
        .filter_map(|(_, prop)| schema["properties"].get(*prop))
        .map(|s| resolve(spec, s).0)
        .collect()
}

/// Property names a schema allows, through `$ref` and `allOf`; None = anything goes.
fn allowed(
    spec: &Value,
    rules: &Rules,
    schema: &Value,
    hint: Option<&str>,
    out: &mut Vec<String>,
) -> bool {
    let (schema, name) = resolve(spec, schema);
    let name = name.or(hint);
    if schema.get("additionalProperties").is_some() {
        return false;
    }
    if let Some(props) = schema.get("properties").and_then(Value::as_object) {
        out.extend(props.keys().cloned());
    }
    for inner in inlined(spec, rules, name, schema) {
        if let Some(props) = inner.get("properties").and_then(Value::as_object) {
            out.extend(props.keys().cloned());
        }
    }
    schema
        .get("allOf")
        .and_then(Value::as_array)
        .is_none_or(|subs| subs.iter().all(|s| allowed(spec, rules, s, None, out)))
}

pub fn check(
    spec: &Value,
    rules: &Rules,
    schema: &Value,
    value: &Value,
    path: &str,
    errors: &mut Vec<String>,
) {
    check_part(spec, rules, schema, value, path, errors, true);
}

fn is_int64(schema: &Value) -> bool {
    matches!(
        schema.get("format").and_then(Value::as_str),
        Some("int64" | "uint64")
    )
}

/// `whole`: this schema describes the whole value (not one `allOf` part of it), so it alone
/// can say which properties are unknown.
fn check_part(
    spec: &Value,
    rules: &Rules,
    schema: &Value,
    value: &Value,
    path: &str,
    errors: &mut Vec<String>,
    whole: bool,
) {
    let (schema, name) = resolve(spec, schema);
    if let Some(name) = name {
        if value.is_null() && rules.nullable.contains(&name) {
            return;
        }
        if rules.time_strings.contains(&name)
            && let Some(s) = value.as_str()
        {
            if DateTime::parse_from_rfc3339(s).is_err() {
                errors.push(format!("{path}: {s:?} is not a date-time"));
            }
            return;
        }
    }
    if let Some(subs) = schema.get("allOf").and_then(Value::as_array) {
        for s in subs {
            check_part(spec, rules, s, value, path, errors, false);
        }
    }
    let ty = schema.get("type").and_then(Value::as_str);
    let type_ok = if rules.int64_either && is_int64(schema) {
        value.is_i64()
            || value.is_u64()
            || value
                .as_str()
                .is_some_and(|s| s.trim_start_matches('-').parse::<u64>().is_ok())
    } else {
        match ty {
            Some("object") => value.is_object(),
            Some("array") => value.is_array(),
            Some("string") => value.is_string(),
            Some("boolean") => value.is_boolean(),
            Some("integer") => value.is_i64() || value.is_u64(),
            Some("number") => value.is_number(),
            _ => true,
        }
    };
    if !type_ok {
        errors.push(format!(
            "{path}: expected {}, got {value}",
            ty.unwrap_or("?")
        ));
        return;
    }
    if let Some(choices) = schema.get("enum").and_then(Value::as_array)
        && !choices.contains(value)
    {
        errors.push(format!("{path}: {value} not in {choices:?}"));
    }
    if schema.get("format").and_then(Value::as_str) == Some("date-time")
        && let Some(s) = value.as_str()
        && DateTime::parse_from_rfc3339(s).is_err()
    {
        errors.push(format!("{path}: {s:?} is not a date-time"));
    }
    if let Some(min) = schema.get("minItems").and_then(Value::as_u64)
        && value.as_array().is_some_and(|a| (a.len() as u64) < min)
    {
        errors.push(format!("{path}: fewer than {min} items"));
    }
    if let Some(items) = schema.get("items") {
        for (i, v) in value.as_array().into_iter().flatten().enumerate() {
            check(spec, rules, items, v, &format!("{path}[{i}]"), errors);
        }
    }
    let Some(obj) = value.as_object() else { return };
    for req in schema
        .get("required")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let name = req.as_str().unwrap_or_default();
        if !obj.contains_key(name) {
            errors.push(format!("{path}: required property {name:?} missing"));
        }
    }
    let mut property_sets = vec![schema];
    property_sets.extend(inlined(spec, rules, name, schema));
    for set in property_sets {
        if let Some(props) = set.get("properties").and_then(Value::as_object) {
            for (prop, sub) in props {
                if let Some(v) = obj.get(prop) {
                    check(spec, rules, sub, v, &format!("{path}.{prop}"), errors);
                }
            }
        }
    }
    if let Some(extra) = schema.get("additionalProperties") {
        for (prop, v) in obj {
            check(spec, rules, extra, v, &format!("{path}.{prop}"), errors);
        }
    }
    if whole {
        let mut names = Vec::new();
        if allowed(spec, rules, schema, name, &mut names) {
            for key in obj.keys() {
                if !names.contains(key) {
                    errors.push(format!("{path}: property {key:?} is not in the spec"));
                }
            }
        }
    }
}
