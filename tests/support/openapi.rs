//! A small Swagger 2.0 schema walker: enough of JSON Schema (`$ref`, `allOf`, `type`,
//! `required`, `properties`, `additionalProperties`, `items`, `enum`, `minItems`, `date-time`)
//! to hold live responses against Alertmanager's OpenAPI spec, including "no property the
//! spec does not name".
//!
//! The spec is a copy in `tests/fixtures/` so the tests are self-contained; a drift check
//! compares it with the shared reference when that exists beside the repository.

use chrono::DateTime;
use serde_json::{Value, json};

const SPEC_FIXTURE: &str = "tests/fixtures/alertmanager-openapi-v0.25.yaml";
const SHARED_SPEC: &str = "../shared/reference/alertmanager-openapi-v0.25.yaml";

pub fn load_spec() -> Value {
    let dir = env!("CARGO_MANIFEST_DIR");
    let text = std::fs::read_to_string(format!("{dir}/{SPEC_FIXTURE}")).expect("spec fixture");
    serde_yaml_ng::from_str(&text).expect("spec parses")
}

fn resolve<'a>(spec: &'a Value, schema: &'a Value) -> &'a Value {
    match schema.get("$ref").and_then(Value::as_str) {
        Some(r) => {
            let name = r.trim_start_matches("#/definitions/");
            resolve(spec, &spec["definitions"][name])
        }
        None => schema,
    }
}

/// Property names a schema allows, through `$ref` and `allOf`; None = anything goes.
fn allowed(spec: &Value, schema: &Value, out: &mut Vec<String>) -> bool {
    let schema = resolve(spec, schema);
    if schema.get("additionalProperties").is_some() {
        return false;
    }
    if let Some(props) = schema.get("properties").and_then(Value::as_object) {
        out.extend(props.keys().cloned());
    }
    schema
        .get("allOf")
        .and_then(Value::as_array)
        .is_none_or(|subs| subs.iter().all(|s| allowed(spec, s, out)))
}

pub fn check(spec: &Value, schema: &Value, value: &Value, path: &str, errors: &mut Vec<String>) {
    check_part(spec, schema, value, path, errors, true);
}

/// `whole`: this schema describes the whole value (not one `allOf` part of it), so it alone
/// can say which properties are unknown.
fn check_part(
    spec: &Value,
    schema: &Value,
    value: &Value,
    path: &str,
    errors: &mut Vec<String>,
    whole: bool,
) {
    let schema = resolve(spec, schema);
    if let Some(subs) = schema.get("allOf").and_then(Value::as_array) {
        for s in subs {
            check_part(spec, s, value, path, errors, false);
        }
    }
    let ty = schema.get("type").and_then(Value::as_str);
    let type_ok = match ty {
        Some("object") => value.is_object(),
        Some("array") => value.is_array(),
        Some("string") => value.is_string(),
        Some("boolean") => value.is_boolean(),
        Some("integer") => value.is_i64() || value.is_u64(),
        Some("number") => value.is_number(),
        _ => true,
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
            check(spec, items, v, &format!("{path}[{i}]"), errors);
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
    if let Some(props) = schema.get("properties").and_then(Value::as_object) {
        for (name, sub) in props {
            if let Some(v) = obj.get(name) {
                check(spec, sub, v, &format!("{path}.{name}"), errors);
            }
        }
    }
    if let Some(extra) = schema.get("additionalProperties") {
        for (name, v) in obj {
            check(spec, extra, v, &format!("{path}.{name}"), errors);
        }
    }
    if whole {
        let mut names = Vec::new();
        if allowed(spec, schema, &mut names) {
            for key in obj.keys() {
                if !names.contains(key) {
                    errors.push(format!("{path}: property {key:?} is not in the spec"));
                }
            }
        }
    }
}

pub fn assert_matches(spec: &Value, definition: &str, value: &Value) {
    assert!(
        spec["definitions"].get(definition).is_some(),
        "the spec defines {definition}"
    );
    let mut errors = Vec::new();
    let schema = json!({ "$ref": format!("#/definitions/{definition}") });
    check(spec, &schema, value, definition, &mut errors);
    errors.dedup();
    assert!(errors.is_empty(), "{definition}:\n{}", errors.join("\n"));
}

#[test]
fn spec_fixture_is_the_shared_reference() {
    let dir = env!("CARGO_MANIFEST_DIR");
    let fixture = std::fs::read_to_string(format!("{dir}/{SPEC_FIXTURE}")).expect("fixture");
    match std::fs::read_to_string(format!("{dir}/{SHARED_SPEC}")) {
        Ok(shared) => assert_eq!(
            fixture, shared,
            "tests/fixtures copy drifted from {SHARED_SPEC}"
        ),
        // The fixture is what the tests use; the shared copy only exists on the dev machine.
        Err(_) => eprintln!("NOTE: {SHARED_SPEC} not found; drift check skipped (fixture used)"),
    }
}

#[test]
fn schema_walker_catches_what_it_should() {
    let spec = load_spec();
    let mut errors = Vec::new();
    let bad = json!([{"labels": {}, "fingerprint": 3, "generatorUrl": "x"}]);
    check(
        &spec,
        &json!({"$ref": "#/definitions/gettableAlerts"}),
        &bad,
        "a",
        &mut errors,
    );
    let text = errors.join("\n");
    assert!(
        text.contains("required property \"receivers\" missing"),
        "{text}"
    );
    assert!(text.contains("a[0].fingerprint: expected string"), "{text}");
    assert!(
        text.contains("\"generatorUrl\" is not in the spec"),
        "{text}"
    );
}
