//! Reading a resource state as the server sent it (a JSON *string*): absent, unreadable (with
//! why), or an object; then dropping the fields that Argo CD ignores or that only hide the change.

use serde_json::{Map, Value};

/// A state longer than this is not parsed (CRDs and big ConfigMaps reach megabytes; past this
/// the diff would not be read anyway and the parse would cost the fetch task too much).
pub const MAX_STATE_BYTES: usize = 8 * 1024 * 1024;

/// One side of a comparison.
#[derive(Debug)]
pub enum State {
    /// `""` or `"null"`: the resource does not exist on this side.
    Absent,
    /// Present but not usable; the words complete "live state …" ("is not valid JSON").
    Unreadable(&'static str),
    Object(Map<String, Value>),
}

/// `""` and `"null"` (any surrounding whitespace) mean absent.
pub fn is_absent(text: &str) -> bool {
    let t = text.trim();
    t.is_empty() || t == "null"
}

/// Parse one state string. Never panics: serde_json's recursion limit turns a deeply nested
/// state into an error, kept as one.
pub fn parse_state(text: &str) -> State {
    if is_absent(text) {
        return State::Absent;
    }
    if text.len() > MAX_STATE_BYTES {
        return State::Unreadable("is over the 8 MiB size cap");
    }
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Object(map)) => State::Object(map),
        Ok(Value::Null) => State::Absent,
        Ok(_) => State::Unreadable("is not a JSON object"),
        // The error's text is only a category and a position, never the input, but say less
        // anyway: the category is all the reader needs.
        Err(e) if e.to_string().starts_with("recursion limit") => {
            State::Unreadable("is nested too deeply")
        }
        Err(_) => State::Unreadable("is not valid JSON"),
    }
}

/// Metadata fields that change on every write and say nothing about what drifted.
const NOISY_METADATA: [&str; 6] = [
    "managedFields",
    "resourceVersion",
    "generation",
    "uid",
    "creationTimestamp",
    "selfLink",
];

/// `kubectl apply`'s copy of the whole object: noise in a diff, and for a Secret it holds the
/// Secret's data in clear.
pub const LAST_APPLIED: &str = "kubectl.kubernetes.io/last-applied-configuration";

/// Drop what Argo CD ignores or what only hides the change: `status`, the write bookkeeping in
/// `metadata`, the last-applied annotation. An annotations map left empty goes too, so a side
/// that had only last-applied does not show a phantom `annotations: {}`.
pub fn strip_noise(obj: &mut Map<String, Value>) {
    obj.remove("status");
    if let Some(Value::Object(meta)) = obj.get_mut("metadata") {
        for field in NOISY_METADATA {
            meta.remove(field);
        }
        let empty = match meta.get_mut("annotations") {
            Some(Value::Object(annotations)) => {
                annotations.remove(LAST_APPLIED);
                annotations.is_empty()
            }
            _ => false,
        };
        if empty {
            meta.remove("annotations");
        }
    }
}

/// A string field of the object (`kind`), or `""`.
pub fn str_field<'a>(obj: &'a Map<String, Value>, field: &str) -> &'a str {
    obj.get(field).and_then(Value::as_str).unwrap_or("")
}

/// A string field of the object's `metadata` (`name`, `namespace`), or `""`.
pub fn meta_field<'a>(obj: &'a Map<String, Value>, field: &str) -> &'a str {
    obj.get("metadata")
        .and_then(|m| m.get(field))
        .and_then(Value::as_str)
        .unwrap_or("")
}

/// The API group of an `apiVersion` (`apps/v1` → `apps`, `v1` → the core group `""`).
pub fn api_group(api_version: &str) -> &str {
    api_version
        .split_once('/')
        .map(|(group, _)| group)
        .unwrap_or("")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn object(v: Value) -> Map<String, Value> {
        match v {
            Value::Object(m) => m,
            _ => panic!("not an object"),
        }
    }

    #[test]
    fn empty_and_null_are_absent() {
        for text in ["", "null", "  null \n", "   "] {
            assert!(matches!(parse_state(text), State::Absent), "{text:?}");
        }
    }

    #[test]
    fn unreadable_states_say_why() {
        let cases = [
            ("{not json", "is not valid JSON"),
            ("[1,2,3]", "is not a JSON object"),
            ("42", "is not a JSON object"),
            ("\"a string\"", "is not a JSON object"),
        ];
        for (text, why) in cases {
            match parse_state(text) {
                State::Unreadable(w) => assert_eq!(w, why, "{text}"),
                other => panic!("{text}: {other:?}"),
            }
        }
    }

    #[test]
    fn a_state_over_the_cap_is_not_parsed() {
        let big = format!("{{\"a\":\"{}\"}}", "x".repeat(MAX_STATE_BYTES));
        assert!(matches!(
            parse_state(&big),
            State::Unreadable("is over the 8 MiB size cap")
        ));
    }

    #[test]
    fn ten_thousand_levels_of_nesting_are_an_error_not_a_stack_overflow() {
        let deep = format!("{{\"a\":{}1{}}}", "[".repeat(10_000), "]".repeat(10_000));
        assert!(matches!(
            parse_state(&deep),
            State::Unreadable("is nested too deeply")
        ));
        let deep_objects = format!("{}{}", "{\"a\":".repeat(10_000), "}".repeat(10_000));
        assert!(matches!(parse_state(&deep_objects), State::Unreadable(_)));
    }

    #[test]
    fn noise_is_dropped_and_an_emptied_annotations_map_goes_too() {
        let mut obj = object(json!({
            "kind": "Deployment",
            "metadata": {
                "name": "a",
                "managedFields": [{"manager": "x"}],
                "resourceVersion": "1", "generation": 3, "uid": "u",
                "creationTimestamp": "2024-01-01T00:00:00Z",
                "annotations": {LAST_APPLIED: "{\"data\":{\"password\":\"hunter2\"}}"}
            },
            "spec": {"replicas": 1},
            "status": {"replicas": 1}
        }));
        strip_noise(&mut obj);
        assert_eq!(
            Value::Object(obj),
            json!({"kind": "Deployment", "metadata": {"name": "a"}, "spec": {"replicas": 1}})
        );
    }

    #[test]
    fn other_annotations_stay() {
        let mut obj = object(json!({"metadata": {"annotations": {LAST_APPLIED: "{}", "a": "b"}}}));
        strip_noise(&mut obj);
        assert_eq!(
            Value::Object(obj),
            json!({"metadata": {"annotations": {"a": "b"}}})
        );
    }

    #[test]
    fn api_groups() {
        assert_eq!(api_group("apps/v1"), "apps");
        assert_eq!(api_group("v1"), "");
        assert_eq!(api_group(""), "");
    }
}
