//! Tests of [`super::diff_managed_item`] and [`super::diff_app`] end to end: which states are
//! compared, noise, Secret masking with an unmasked server answer, attribution, hostile input.

use super::*;
use crate::drift::secret::{HIDDEN, HIDDEN_CHANGED};
use proptest::prelude::*;
use serde_json::json;

fn s(v: &Value) -> String {
    v.to_string()
}

fn deployment(replicas: u32, image: &str) -> Value {
    json!({
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "web", "namespace": "shop", "labels": {"app": "web"}},
        "spec": {"replicas": replicas, "template": {"spec": {"containers": [
            {"name": "app", "image": "app:1"},
            {"name": "redis", "image": image}
        ]}}}
    })
}

fn item(live: &Value, desired: &Value) -> ManagedItem {
    ManagedItem {
        group: "apps".into(),
        kind: "Deployment".into(),
        namespace: "shop".into(),
        name: "web".into(),
        normalized_live_state: s(live),
        predicted_live_state: s(desired),
        modified: true,
        ..ManagedItem::default()
    }
}

fn paths_of(d: &ResourceDiff) -> Vec<&str> {
    d.paths.iter().map(|p| p.path.as_str()).collect()
}

#[test]
fn a_modified_resource_has_lines_hunks_counts_and_paths() {
    let d = diff_managed_item(&item(
        &deployment(5, "redis:7.4"),
        &deployment(3, "redis:7.2"),
    ));
    assert_eq!(d.change, ResourceChange::Modified);
    assert_eq!(
        paths_of(&d),
        [
            "spec.replicas",
            "spec.template.spec.containers[name=redis].image"
        ]
    );
    assert_eq!((d.added, d.removed), (2, 2));
    assert!(!d.hunks.is_empty());
    assert!(d.hunks.iter().all(|&h| d.lines[h].kind == LineKind::Hunk));
    assert!(d.lines[d.hunks[0]].text.starts_with("@@ -"));
    let removed: Vec<_> = d
        .lines
        .iter()
        .filter(|l| l.kind == LineKind::Removed)
        .map(|l| l.text.trim())
        .collect();
    assert_eq!(removed, ["replicas: 5", "- image: redis:7.4"]);
    assert!(!d.masked);
    assert_eq!(d.note, None);
}

#[test]
fn normalized_and_predicted_are_compared_before_the_raw_states() {
    let mut it = item(&deployment(3, "r:1"), &deployment(3, "r:2"));
    // The raw states differ elsewhere: they must not be what is diffed.
    it.live_state = s(&deployment(9, "raw-a"));
    it.target_state = s(&deployment(1, "raw-b"));
    assert_eq!(
        paths_of(&diff_managed_item(&it)),
        ["spec.template.spec.containers[name=redis].image"]
    );
    // Without the normalized and predicted states, the raw ones are the fallback.
    it.normalized_live_state = "null".into();
    it.predicted_live_state = String::new();
    assert_eq!(
        paths_of(&diff_managed_item(&it)),
        [
            "spec.replicas",
            "spec.template.spec.containers[name=redis].image"
        ]
    );
}

#[test]
fn absent_live_is_missing_absent_desired_is_extra() {
    let d = diff_managed_item(&item(&Value::Null, &deployment(1, "r")));
    assert_eq!(d.change, ResourceChange::Missing);
    assert!(d.removed == 0 && d.added > 5);
    assert!(d.lines[1..].iter().all(|l| l.kind == LineKind::Added));
    assert!(d.paths.is_empty());

    let mut it = item(&deployment(1, "r"), &Value::Null);
    it.predicted_live_state = String::new();
    let d = diff_managed_item(&it);
    assert_eq!(d.change, ResourceChange::Extra);
    assert!(d.added == 0 && d.removed > 5);

    let d = diff_managed_item(&ManagedItem::default());
    assert_eq!(d.note.as_deref(), Some("both states are absent"));
}

#[test]
fn noise_is_dropped_before_rendering_and_path_finding() {
    let mut live = deployment(3, "r");
    live["status"] = json!({"replicas": 3});
    live["metadata"]["resourceVersion"] = json!("123");
    live["metadata"]["uid"] = json!("u-1");
    live["metadata"]["generation"] = json!(7);
    live["metadata"]["creationTimestamp"] = json!("2024-01-01T00:00:00Z");
    live["metadata"]["managedFields"] = json!([{"manager": "m", "fieldsV1": {}}]);
    live["metadata"]["annotations"] =
        json!({"kubectl.kubernetes.io/last-applied-configuration": "{}"});
    let d = diff_managed_item(&item(&live, &deployment(3, "r")));
    assert!(d.lines.is_empty() && d.paths.is_empty(), "{d:#?}");
    assert!(d.note.unwrap().starts_with("no difference outside"));
}

/// The server ignored Argo CD's masking (or is hostile): real values in every state, in
/// `data`, `stringData` and the last-applied annotation. None of them may survive.
#[test]
fn an_unmasked_secret_never_shows_a_value() {
    const VALUE: &str = "TOPSECRET-x9f3k2-VALUE";
    let b64 = "VE9QU0VDUkVULXg5ZjNrMi1WQUxVRQ==";
    let secret = |pw: &str, extra: bool| {
        let mut v = json!({
            "apiVersion": "v1", "kind": "Secret",
            "metadata": {"name": "db", "namespace": "shop", "annotations": {
                "kubectl.kubernetes.io/last-applied-configuration":
                    format!("{{\"stringData\":{{\"password\":\"{VALUE}\"}}}}")
            }},
            "data": {"password": pw, "same": b64, "user": "YXBw"},
            "stringData": {"token": VALUE}
        });
        if extra {
            v["data"]["added-key"] = json!(VALUE);
        }
        v
    };
    let mut it = item(&secret(b64, false), &secret(&format!("{b64}x"), true));
    it.group = String::new();
    it.kind = "Secret".into();
    it.live_state = it.normalized_live_state.clone();
    it.target_state = it.predicted_live_state.clone();
    let d = diff_managed_item(&it);

    let shown = format!("{d:?}{d:#?}{}", serde_json::to_string(&d).unwrap());
    assert!(!shown.contains(VALUE), "{shown}");
    assert!(!shown.contains(b64), "{shown}");
    assert!(!shown.contains("VE9QU0VDUkVU"), "{shown}");
    assert!(d.masked);
    assert_eq!(paths_of(&d), ["data.added-key", "data.password"]);
    let text: Vec<_> = d.lines.iter().map(|l| l.text.trim()).collect();
    assert!(
        text.contains(&format!("password: {HIDDEN_CHANGED}").as_str()),
        "{text:?}"
    );
    assert!(
        text.contains(&format!("same: {HIDDEN}").as_str()),
        "{text:?}"
    );

    // Missing and extra Secrets are masked too.
    let mut missing = it.clone();
    missing.normalized_live_state = String::new();
    missing.live_state = "null".into();
    let d = diff_managed_item(&missing);
    assert_eq!(d.change, ResourceChange::Missing);
    let shown = format!("{d:?}{}", serde_json::to_string(&d).unwrap());
    assert!(!shown.contains(VALUE) && !shown.contains(b64), "{shown}");
}

#[test]
fn a_secret_recognised_by_its_object_even_when_the_item_says_otherwise() {
    let secret = json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "x"},
        "data": {"k": "c2VjcmV0LXZhbHVl"}});
    let mut desired = secret.clone();
    desired["data"]["k"] = json!("b3RoZXI=");
    let mut it = item(&secret, &desired);
    it.kind = "ConfigMap".into();
    let d = diff_managed_item(&it);
    assert!(d.masked);
    let shown = format!("{d:?}");
    assert!(!shown.contains("c2VjcmV0") && !shown.contains("b3RoZXI="));
}

#[test]
fn changed_paths_are_attributed_from_the_raw_live_states_managed_fields() {
    let mut raw = deployment(5, "redis:7.4");
    raw["metadata"]["managedFields"] = json!([
        {"manager": "argocd-controller", "operation": "Apply", "time": "2024-05-01T10:00:00Z",
         "fieldsV1": {"f:spec": {"f:replicas": {}, "f:template": {"f:spec": {"f:containers": {
             "k:{\"name\":\"redis\"}": {".": {}, "f:image": {}, "f:name": {}}}}}}}},
        {"manager": "kubectl-scale", "operation": "Update", "subresource": "scale",
         "time": "2024-05-01T12:00:00Z", "fieldsV1": {"f:spec": {"f:replicas": {}}}}
    ]);
    let mut it = item(&deployment(5, "redis:7.4"), &deployment(3, "redis:7.2"));
    it.live_state = s(&raw);
    let d = diff_managed_item(&it);
    let writers: Vec<_> = d
        .paths
        .iter()
        .map(|p| {
            let w = p.writer.as_ref().unwrap();
            (p.path.as_str(), w.manager.as_str(), w.subresource.as_str())
        })
        .collect();
    assert_eq!(
        writers,
        [
            ("spec.replicas", "kubectl-scale", "scale"),
            (
                "spec.template.spec.containers[name=redis].image",
                "argocd-controller",
                ""
            ),
        ]
    );
    // Read, then dropped: managedFields never reach the lines.
    assert!(!d.lines.iter().any(|l| l.text.contains("managedFields")));
}

#[test]
fn unreadable_states_are_a_note_not_a_panic() {
    let good = s(&deployment(1, "r"));
    let cases = [
        ("{\"kind\": ", "live state is not valid JSON"),
        ("[1, 2]", "live state is not a JSON object"),
        ("42", "live state is not a JSON object"),
    ];
    for (bad, note) in cases {
        let it = ManagedItem {
            normalized_live_state: bad.into(),
            predicted_live_state: good.clone(),
            modified: true,
            ..ManagedItem::default()
        };
        let d = diff_managed_item(&it);
        assert_eq!(d.note.as_deref(), Some(note));
        assert_eq!(d.change, ResourceChange::Modified);
        assert!(d.lines.is_empty() && d.paths.is_empty());
    }
    let it = ManagedItem {
        normalized_live_state: "nope".into(),
        predicted_live_state: "[]".into(),
        ..ManagedItem::default()
    };
    assert_eq!(
        diff_managed_item(&it).note.as_deref(),
        Some("live state is not valid JSON; desired state is not a JSON object")
    );
}

#[test]
fn deep_nesting_is_an_error_not_a_stack_overflow() {
    let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    let it = ManagedItem {
        normalized_live_state: format!("{{\"a\":{deep}}}"),
        predicted_live_state: s(&deployment(1, "r")),
        ..ManagedItem::default()
    };
    let d = diff_managed_item(&it);
    assert_eq!(d.note.as_deref(), Some("live state is nested too deeply"));
}

#[test]
fn escape_sequences_in_keys_values_and_names_are_cleaned() {
    let evil = "\u{1b}]52;c;ZXZpbA==\u{7}\u{1b}[2J\u{9b}31m\u{202e}";
    let live = json!({"kind": "ConfigMap", "metadata": {"name": "x"},
        "data": {format!("k{evil}"): format!("v1{evil}"), "multi": format!("a\n{evil}b\nc")}});
    let desired = json!({"kind": "ConfigMap", "metadata": {"name": "x"},
        "data": {format!("k{evil}"): "v2", "multi": "a\nb\nd"}});
    let mut it = item(&live, &desired);
    it.name = format!("web{evil}");
    it.kind = format!("ConfigMap{evil}");
    let d = diff_managed_item(&it);
    let mut texts: Vec<&str> = d.lines.iter().map(|l| l.text.as_str()).collect();
    texts.extend(d.paths.iter().map(|p| p.path.as_str()));
    texts.extend([d.name.as_str(), d.kind.as_str()]);
    for t in texts {
        assert!(
            !t.chars().any(|c| c.is_control() || c == '\u{202e}'),
            "{t:?}"
        );
    }
    // The C1 CSI byte goes; its parameters stay as plain text.
    assert!(d.name.starts_with("web"), "{}", d.name);
    assert_eq!(d.paths.len(), 2);
}

/// A ConfigMap of about a megabyte with a few changed keys.
fn big_config_map(changed: bool) -> Value {
    let mut data = Map::new();
    for i in 0..4_000 {
        let mut v = format!("value-{i}-{}", "x".repeat(240));
        if changed && i % 1_000 == 7 {
            v.push_str("-changed");
        }
        data.insert(format!("key-{i:05}"), json!(v));
    }
    json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "big"}, "data": data})
}

#[test]
fn megabyte_states_are_diffed_compactly() {
    let live = big_config_map(false);
    let desired = big_config_map(true);
    let it = item(&live, &desired);
    assert!(it.normalized_live_state.len() > 1_000_000);
    let d = diff_managed_item(&it);
    assert_eq!(d.paths.len(), 4);
    assert_eq!((d.added, d.removed), (4, 4));
    assert_eq!(d.hunks.len(), 4);
    // Hunks and context only: far less than the states.
    assert!(d.heap_bytes() < 50_000, "{}", d.heap_bytes());
}

#[test]
fn a_megabyte_object_that_is_missing_is_capped_in_lines() {
    let mut data = Map::new();
    for i in 0..20_000 {
        data.insert(format!("k{i}"), json!(i));
    }
    let desired = json!({"kind": "ConfigMap", "data": data});
    let d = diff_managed_item(&item(&Value::Null, &desired));
    assert_eq!(d.lines.len(), yaml::MAX_LINES);
    assert!(d.added > 20_000);
    assert!(d.note.unwrap().starts_with("diff cut at 5000 lines"));
}

#[test]
fn diff_app_keeps_modified_non_hook_items() {
    let modified = item(&deployment(1, "a"), &deployment(2, "a"));
    let mut hook = modified.clone();
    hook.hook = true;
    let mut synced = modified.clone();
    synced.modified = false;
    let key = AppKey {
        instance: "argocd".into(),
        namespace: "argocd".into(),
        name: "shop".into(),
    };
    let now = DateTime::parse_from_rfc3339("2024-05-01T12:00:00Z")
        .unwrap()
        .with_timezone(&Utc);
    let drift = diff_app(key, "42".into(), &[hook, modified, synced], now);
    assert_eq!(drift.resources.len(), 1);
    assert_eq!(drift.resource_version, "42");
    assert_eq!(drift.fetched_at, now);
    assert!(drift.heap_bytes() > drift.resources[0].heap_bytes());
}

fn state_text() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        Just("null".to_string()),
        any::<String>(),
        crate::sources::proptests::hostile_string(),
        Just(s(&deployment(1, "x"))),
        Just(s(
            &json!({"kind": "Secret", "data": "x", "stringData": [1]})
        )),
        Just(s(
            &json!({"metadata": {"managedFields": [{"manager": "m", "fieldsV1": {"k:[": {}}}]}})
        )),
        crate::sources::proptests::json()
            .prop_map(|v| json!({"kind": "Secret", "data": v.clone(), "spec": v}).to_string()),
        // Small JSON objects with arbitrary keys and values.
        proptest::collection::btree_map(any::<String>(), any::<String>(), 0..4)
            .prop_map(|m| json!({"kind": "Secret", "data": m, "spec": m}).to_string()),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn any_four_states_diff_without_panicking(
        live in state_text(),
        target in state_text(),
        normalized in state_text(),
        predicted in state_text(),
        kind in prop_oneof![Just("Secret".to_string()), any::<String>()],
    ) {
        let it = ManagedItem {
            kind,
            live_state: live,
            target_state: target,
            normalized_live_state: normalized,
            predicted_live_state: predicted,
            modified: true,
            ..ManagedItem::default()
        };
        let d = diff_managed_item(&it);
        for l in &d.lines {
            prop_assert!(!l.text.chars().any(|c| c.is_control()), "{:?}", l.text);
        }
        for &h in &d.hunks {
            prop_assert_eq!(d.lines[h].kind, LineKind::Hunk);
        }
        let _ = diff_manifests(
            std::slice::from_ref(&it.live_state),
            &[it.target_state.clone(), it.normalized_live_state.clone()],
        );
    }
}
