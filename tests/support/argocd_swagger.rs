//! Argo CD's `assets/swagger.json` (a copy in `tests/fixtures/`) and a validator for the JSON
//! an Argo CD API server answers or is sent, for the demo emulator's contract tests and for
//! sitrep's own Argo CD client (its request bodies).
//!
//! ```ignore
//! #[path = "support/argocd_swagger.rs"]
//! mod argocd_swagger;
//! argocd_swagger::validate("applicationApplicationRollbackRequest", &body)?;
//! ```
//!
//! Where the swagger (generated from the protobuf definitions) and the real wire (grpc-gateway
//! with Argo CD's `encoding/json` marshaler) part ways, the wire wins, on these points only:
//! - int64 (`format: int64`): a JSON number or a decimal string. Argo CD's server writes
//!   numbers (`history[].id: 5`, Go `encoding/json`); protojson, which the swagger's
//!   generator assumes, writes strings; and the swagger itself types one int64 as a string
//!   (`sourcePositions`). A client must read both; a server may send either.
//! - `v1Time`/`v1MicroTime` may be `null` (a zero `metav1.Time` marshals so; core events carry
//!   `"eventTime": null`), and `v1MicroTime`, described as protobuf `{seconds,nanos}`, is an
//!   RFC3339 string on the wire.
//! - `v1alpha1SyncStrategyHook` embeds `SyncStrategyApply` inline (`json:",inline"`): the wire
//!   has `{"hook":{"force":true}}`, not `{"hook":{"syncStrategyApply":{…}}}`.
//!
//! Everything else is strict: types, `required`, and no property the spec does not name.

#![allow(dead_code)]

#[path = "schema.rs"]
mod schema;

use serde_json::{Value, json};
use std::sync::OnceLock;

const SPEC_FIXTURE: &str = "tests/fixtures/argocd-swagger.json";
const SHARED_SPEC: &str = "../shared/reference/argocd-swagger.json";
pub const STREAM_PATH: &str = "/api/v1/stream/applications";

const RULES: schema::Rules = schema::Rules {
    int64_either: true,
    nullable: &["v1Time", "v1MicroTime"],
    time_strings: &["v1MicroTime"],
    inline: &[("v1alpha1SyncStrategyHook", "syncStrategyApply")],
};

pub fn spec() -> &'static Value {
    static SPEC: OnceLock<Value> = OnceLock::new();
    SPEC.get_or_init(|| {
        let dir = env!("CARGO_MANIFEST_DIR");
        let text = std::fs::read_to_string(format!("{dir}/{SPEC_FIXTURE}")).expect("fixture");
        serde_json::from_str(&text).expect("swagger parses")
    })
}

/// Check `value` against a schema of the spec; the problems, one per line, on failure.
pub fn validate_schema(schema: &Value, value: &Value, what: &str) -> Result<(), Vec<String>> {
    let mut errors = Vec::new();
    schema::check(spec(), &RULES, schema, value, what, &mut errors);
    errors.dedup();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

/// Check `value` against `#/definitions/{definition}`, e.g. `v1alpha1Application`,
/// `applicationApplicationSyncRequest`, `runtimeError`.
pub fn validate(definition: &str, value: &Value) -> Result<(), Vec<String>> {
    if spec()["definitions"].get(definition).is_none() {
        return Err(vec![format!("the spec has no definition {definition:?}")]);
    }
    validate_schema(
        &json!({"$ref": format!("#/definitions/{definition}")}),
        value,
        definition,
    )
}

/// The 200 schema of a path's operation (`method` lower case), e.g. the watch stream's
/// `{result: v1alpha1ApplicationWatchEvent, error: runtimeStreamError}` line.
pub fn response_schema(path: &str, method: &str) -> Value {
    spec()["paths"][path][method]["responses"]["200"]["schema"].clone()
}

/// Check one line of `GET /api/v1/stream/applications`.
pub fn validate_stream_line(line: &Value) -> Result<(), Vec<String>> {
    validate_schema(&response_schema(STREAM_PATH, "get"), line, "stream line")
}

/// Panic with every problem.
pub fn assert_valid(definition: &str, value: &Value) {
    if let Err(errors) = validate(definition, value) {
        panic!("{definition}:\n{}\nvalue: {value:#}", errors.join("\n"));
    }
}

#[test]
fn swagger_fixture_is_the_shared_reference() {
    let dir = env!("CARGO_MANIFEST_DIR");
    let fixture = std::fs::read_to_string(format!("{dir}/{SPEC_FIXTURE}")).expect("fixture");
    match std::fs::read_to_string(format!("{dir}/{SHARED_SPEC}")) {
        Ok(shared) => assert_eq!(
            fixture, shared,
            "tests/fixtures copy drifted from {SHARED_SPEC}"
        ),
        Err(_) => eprintln!("NOTE: {SHARED_SPEC} not found; drift check skipped (fixture used)"),
    }
}

#[test]
fn the_wire_dialect_is_accepted_and_nothing_else() {
    let entry =
        |id: Value| json!({"id": id, "revision": "abc", "deployedAt": "2025-01-01T00:00:00Z"});
    assert_eq!(
        validate("v1alpha1RevisionHistory", &entry(json!(5))),
        Ok(())
    );
    assert_eq!(
        validate("v1alpha1RevisionHistory", &entry(json!("5"))),
        Ok(())
    );
    assert!(validate("v1alpha1RevisionHistory", &entry(json!("five"))).is_err());
    assert!(validate("v1alpha1RevisionHistory", &entry(json!(true))).is_err());
    let errors = validate(
        "v1alpha1RevisionHistory",
        &json!({"id": 1, "deployedAt": "yesterday", "author": "x"}),
    )
    .unwrap_err()
    .join("\n");
    assert!(
        errors.contains("\"yesterday\" is not a date-time"),
        "{errors}"
    );
    assert!(errors.contains("\"author\" is not in the spec"), "{errors}");
    // Hook strategy as Go writes it; MicroTime as a string or null.
    let sync = json!({"strategy": {"hook": {"force": true}}, "dryRun": true});
    assert_eq!(validate("applicationApplicationSyncRequest", &sync), Ok(()));
    let event =
        json!({"eventTime": null, "series": {"lastObservedTime": "2025-01-01T00:00:00.000000Z"}});
    assert_eq!(validate("eventsEvent", &event), Ok(()));
    assert!(validate("eventsEvent", &json!({"count": "x"})).is_err());
    assert!(validate("nope", &json!({})).is_err());
    let line = json!({"result": {"type": "ADDED", "application": {"metadata": {"name": "a"}}}});
    assert_eq!(validate_stream_line(&line), Ok(()));
    assert!(validate_stream_line(&json!({"result": {"kind": "ADDED"}})).is_err());
}
