//! Request bodies sitrep sends to Argo CD, held against `assets/swagger.json`'s request
//! definitions (`applicationApplicationRollbackRequest`, `…SyncRequest`, `…PatchRequest`): every
//! property named by the spec, of the spec's type, and int64s as JSON numbers (Argo CD's server
//! decodes with Go's `encoding/json`).
#![allow(dead_code)]

use serde_json::Value;

const SHARED_SPEC: &str = "../shared/reference/argocd-swagger.json";
const SPEC_FIXTURE: &str = "tests/fixtures/argocd-swagger.json";

/// The swagger: the fixture copy, else the shared reference beside the repository.
pub fn spec() -> Value {
    let dir = env!("CARGO_MANIFEST_DIR");
    let text = std::fs::read_to_string(format!("{dir}/{SPEC_FIXTURE}"))
        .or_else(|_| std::fs::read_to_string(format!("{dir}/{SHARED_SPEC}")))
        .expect("argocd-swagger.json (tests/fixtures or ../shared/reference)");
    serde_json::from_str(&text).expect("swagger parses")
}

fn resolve<'a>(spec: &'a Value, schema: &'a Value) -> &'a Value {
    match schema.get("$ref").and_then(Value::as_str) {
        Some(r) => resolve(
            spec,
            &spec["definitions"][r.trim_start_matches("#/definitions/")],
        ),
        None => schema,
    }
}

fn check(spec: &Value, schema: &Value, value: &Value, path: &str, errors: &mut Vec<String>) {
    let schema = resolve(spec, schema);
    let ok = match schema.get("type").and_then(Value::as_str) {
        Some("object") | None if schema.get("properties").is_some() => value.is_object(),
        Some("object") => value.is_object(),
        Some("array") => value.is_array(),
        Some("string") => value.is_string(),
        Some("boolean") => value.is_boolean(),
        Some("integer") => value.is_i64() || value.is_u64(),
        Some("number") => value.is_number(),
        _ => true,
    };
    if !ok {
        errors.push(format!(
            "{path}: {value} is not of type {:?}",
            schema.get("type")
        ));
        return;
    }
    if let (Some(props), Some(obj)) = (
        schema.get("properties").and_then(Value::as_object),
        value.as_object(),
    ) {
        for (k, v) in obj {
            match props.get(k) {
                Some(sub) => check(spec, sub, v, &format!("{path}.{k}"), errors),
                None => errors.push(format!("{path}: property {k:?} is not in the spec")),
            }
        }
    }
    if let (Some(items), Some(arr)) = (schema.get("items"), value.as_array()) {
        for (i, v) in arr.iter().enumerate() {
            check(spec, items, v, &format!("{path}[{i}]"), errors);
        }
    }
}

/// Panics with every problem when `body` does not match `definition`.
pub fn assert_request(spec: &Value, definition: &str, body: &Value) {
    assert!(
        spec["definitions"].get(definition).is_some(),
        "the swagger defines {definition}"
    );
    let mut errors = Vec::new();
    check(
        spec,
        &spec["definitions"][definition],
        body,
        definition,
        &mut errors,
    );
    assert!(errors.is_empty(), "{}", errors.join("\n"));
}
