//! Property tests for every decoder of outside data (Alertmanager, Prometheus, Argo CD), and
//! the strategies they share: arbitrary JSON trees and hostile strings (control characters,
//! escape sequences, bidi and zero-width format characters, huge values).

use proptest::prelude::*;
use serde_json::Value;

/// Strings a hostile or broken server may send: any characters, weighted towards the ones the
/// sanitiser must remove, sometimes very long.
pub(crate) fn hostile_string() -> impl Strategy<Value = String> {
    let nasty = prop_oneof![
        Just('\u{1b}'),
        Just('\u{7}'),
        Just('\u{0}'),
        Just('\n'),
        Just('\r'),
        Just('\t'),
        Just('\u{9b}'),
        Just('\u{200b}'),
        Just('\u{200e}'),
        Just('\u{202e}'),
        Just('\u{2066}'),
        Just('\u{feff}'),
        Just('['),
        Just(']'),
        Just(';'),
        Just('日'),
        Just('👨'),
    ];
    let ch = prop_oneof![3 => any::<char>(), 2 => nasty];
    prop_oneof![
        8 => proptest::collection::vec(ch.clone(), 0..40).prop_map(|v| v.into_iter().collect()),
        1 => (proptest::collection::vec(ch, 1..4), 5_000usize..40_000)
            .prop_map(|(v, n)| v.into_iter().cycle().take(n).collect()),
    ]
}

/// Arbitrary JSON values: every type, nested, with hostile strings and keys.
pub(crate) fn json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        hostile_string().prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 48, 8, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            proptest::collection::btree_map(hostile_string(), inner, 0..6)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// An object shaped like `fields` (each key's value arbitrary, or a hostile string): reaches
/// deeper into a decoder than a fully random tree would.
pub(crate) fn shaped(fields: &'static [&'static str]) -> impl Strategy<Value = Value> {
    let value = prop_oneof![2 => json(), 1 => hostile_string().prop_map(Value::String)];
    proptest::collection::vec(proptest::option::of(value), fields.len()).prop_map(move |vs| {
        let mut m = serde_json::Map::new();
        for (k, v) in fields.iter().zip(vs) {
            if let Some(v) = v {
                m.insert((*k).to_string(), v);
            }
        }
        Value::Object(m)
    })
}

/// No control character survives (newlines only where the field may hold lines), and none of
/// the format characters that reorder or hide text.
pub(crate) fn is_clean(s: &str, newlines_ok: bool) -> bool {
    s.chars().all(|c| {
        !(c.is_control() && !(newlines_ok && c == '\n'))
            && !matches!(c, '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{feff}')
    })
}

use crate::model::alert::Alert;
use crate::model::app::App;
use chrono::{TimeZone, Utc};

fn now() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 23, 3, 12, 0).unwrap()
}

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: 256,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

fn alert_is_clean(a: &Alert) -> Result<(), TestCaseError> {
    for (k, v) in &a.labels {
        prop_assert!(
            is_clean(k, false) && is_clean(v, false),
            "label {k:?}={v:?}"
        );
    }
    for (k, v) in &a.annotations {
        prop_assert!(is_clean(k, false), "annotation name {k:?}");
        prop_assert!(is_clean(v, k == "description"), "annotation {k}={v:?}");
    }
    prop_assert!(is_clean(&a.fingerprint, false), "{:?}", a.fingerprint);
    for s in a
        .generator_url
        .iter()
        .chain(&a.receivers)
        .chain(&a.silenced_by)
        .chain(&a.inhibited_by)
        .chain(&a.muted_by)
    {
        prop_assert!(is_clean(s, false), "{s:?}");
    }
    Ok(())
}

fn app_is_clean(a: &App) -> Result<(), TestCaseError> {
    let mut texts: Vec<&str> = vec![
        &a.key.namespace,
        &a.key.name,
        &a.project,
        &a.health_message,
        &a.git_revision,
        &a.destination_server,
        &a.destination_namespace,
        &a.resource_version,
    ];
    texts.extend(a.labels.iter().flat_map(|(k, v)| [k.as_str(), v.as_str()]));
    texts.extend(a.annotations.keys().map(String::as_str));
    texts.extend(a.git_revisions.iter().map(String::as_str));
    texts.extend(a.target_revisions.iter().map(String::as_str));
    texts.extend(a.repo_urls.iter().map(String::as_str));
    texts.extend(a.images.iter().map(String::as_str));
    for h in &a.history {
        texts.extend([h.revision.as_str(), h.initiated_by.as_str()]);
        texts.extend(h.revisions.iter().map(String::as_str));
    }
    if let Some(op) = &a.operation {
        texts.extend([
            op.message.as_str(),
            op.initiated_by.as_str(),
            op.revision.as_str(),
        ]);
        texts.extend(op.failed_resources.iter().map(String::as_str));
        for r in &op.results {
            texts.extend([r.kind.as_str(), r.namespace.as_str(), r.name.as_str()]);
            texts.extend([r.status.as_str(), r.message.as_str()]);
        }
    }
    for r in &a.resources {
        texts.extend([r.group.as_str(), r.kind.as_str(), r.namespace.as_str()]);
        texts.extend([r.name.as_str(), r.health_message.as_str()]);
    }
    for t in texts {
        prop_assert!(is_clean(t, false), "{t:?}");
    }
    for (k, v) in &a.annotations {
        prop_assert!(is_clean(v, k == "description"), "annotation {k}={v:?}");
    }
    Ok(())
}

const AM_ALERT: &[&str] = &[
    "labels",
    "annotations",
    "startsAt",
    "endsAt",
    "updatedAt",
    "fingerprint",
    "generatorURL",
    "receivers",
    "status",
];
const AM_SILENCE: &[&str] = &[
    "id",
    "status",
    "updatedAt",
    "matchers",
    "startsAt",
    "endsAt",
    "createdBy",
    "comment",
];
const PROM_RULE: &[&str] = &["type", "name", "duration", "alerts", "state", "health"];
const PROM_ALERT: &[&str] = &["labels", "annotations", "state", "activeAt", "value"];
const ARGO_APP: &[&str] = &["metadata", "spec", "status", "operation"];

/// A `labels`-like map of hostile names and values.
fn string_map() -> impl Strategy<Value = Value> {
    proptest::collection::btree_map(hostile_string(), hostile_string(), 0..5)
        .prop_map(|m| serde_json::json!(m))
}

proptest! {
    #![proptest_config(config())]

    /// `GET /api/v2/alerts`: any JSON is either refused by serde or decoded into an alert
    /// whose every string is clean; the decoder never panics.
    #[test]
    fn alertmanager_alerts_decode_clean_or_not_at_all(
        v in prop_oneof![json(), shaped(AM_ALERT)],
        labels in string_map(),
        annotations in string_map(),
    ) {
        use super::alertmanager::wire::{GettableAlert, to_alert};
        for item in [v.clone(), serde_json::json!({"labels": labels, "annotations": annotations,
            "fingerprint": v, "receivers": [{"name": labels}],
            "status": {"state": "suppressed", "silencedBy": [annotations]}})] {
            if let Ok(wire) = serde_json::from_value::<GettableAlert>(item) {
                alert_is_clean(&to_alert(wire, "am", now()))?;
            }
        }
    }

    /// `GET /api/v2/silences`: the same for silences, matchers and comments included.
    #[test]
    fn alertmanager_silences_decode_clean_or_not_at_all(
        v in prop_oneof![json(), shaped(AM_SILENCE)],
        name in hostile_string(),
        value in hostile_string(),
        comment in hostile_string(),
    ) {
        use super::alertmanager::wire::{GettableSilence, to_silence};
        let built = serde_json::json!({"id": name, "status": {"state": "active"},
            "matchers": [{"name": name, "value": value, "isRegex": false}],
            "createdBy": value, "comment": comment});
        for item in [v, built] {
            if let Ok(wire) = serde_json::from_value::<GettableSilence>(item)
                && let Some(s) = to_silence(wire, "am", now())
            {
                prop_assert!(is_clean(&s.id, false) && is_clean(&s.created_by, false));
                prop_assert!(is_clean(&s.comment, true), "{:?}", s.comment);
                for m in &s.matchers {
                    prop_assert!(is_clean(&m.name, false) && is_clean(&m.value, false));
                }
            }
        }
    }

    /// `GET /api/v1/rules?type=alert`: any JSON, or rules of hostile alerts, decode into
    /// clean alerts (or are refused); odd durations and times never panic.
    #[test]
    fn prometheus_rules_decode_clean_or_not_at_all(
        v in json(),
        rule in shaped(PROM_RULE),
        alert in shaped(PROM_ALERT),
        labels in string_map(),
        duration in any::<f64>(),
    ) {
        use super::prometheus::wire::{RulesData, alerts_of};
        let mut rule = rule;
        rule["alerts"] = serde_json::json!([alert, {"labels": labels, "annotations": labels,
            "state": "firing", "activeAt": "2026-11-23T03:00:00Z"}]);
        rule["duration"] = serde_json::json!(duration);
        for data in [v.clone(), serde_json::json!({"groups": [{"rules": [rule, v]}]})] {
            if let Ok(data) = serde_json::from_value::<RulesData>(data) {
                for a in alerts_of(data, "prom", now()) {
                    alert_is_clean(&a)?;
                }
            }
        }
    }

    /// Argo CD `Application` (list items, watch events, Get): any JSON decodes into an app
    /// whose every string is clean, or is refused; the converter never panics.
    #[test]
    fn argocd_applications_decode_clean_or_not_at_all(
        v in prop_oneof![json(), shaped(ARGO_APP)],
        name in hostile_string(),
        text in hostile_string(),
        labels in string_map(),
        id in json(),
    ) {
        use super::argocd::{convert, wire};
        let built = serde_json::json!({
            "metadata": {"name": name, "namespace": text, "labels": labels, "annotations": labels,
                         "resourceVersion": id},
            "spec": {"project": text, "source": {"repoURL": text, "targetRevision": name},
                     "destination": {"server": text, "namespace": name},
                     "syncPolicy": {"automated": id}},
            "status": {"sync": {"status": text, "revision": name, "revisions": [text, id]},
                       "health": {"status": name, "message": text},
                       "history": [{"id": id, "revision": text, "initiatedBy": {"username": name}}],
                       "operationState": {"phase": text, "message": text, "operation":
                           {"sync": {"revision": text}, "initiatedBy": {"username": name}},
                           "syncResult": {"resources": [{"kind": text, "name": name,
                               "status": "SyncFailed", "message": text}]}},
                       "summary": {"images": [text, id]},
                       "resources": [{"kind": text, "name": name, "health": {"status": text, "message": text}}]},
            "operation": {"sync": {"revision": name}, "initiatedBy": {"username": text}},
        });
        for item in [v.clone(), built] {
            if let Ok(app) = serde_json::from_value::<wire::Application>(item) {
                app_is_clean(&convert::app("argocd", app))?;
            }
        }
        let list = serde_json::json!({"metadata": {"resourceVersion": id}, "items": [v, null]});
        if let Ok(list) = serde_json::from_value::<wire::ApplicationList>(list) {
            for app in list.items.0 {
                app_is_clean(&convert::app("argocd", app))?;
            }
        }
    }

    /// Resource trees and event lists (the detail view) decode clean, whatever they hold.
    #[test]
    fn argocd_trees_and_events_decode_clean_or_not_at_all(
        v in json(),
        text in hostile_string(),
        count in json(),
    ) {
        use super::argocd::{convert, wire};
        let tree = serde_json::json!({"nodes": [v, {"kind": text, "name": text, "uid": text,
            "parentRefs": [{"uid": text}], "info": [{"name": text, "value": text}],
            "images": [text], "health": {"status": text, "message": text}}], "orphanedNodes": v});
        if let Ok(tree) = serde_json::from_value::<wire::ApplicationTree>(tree) {
            for n in convert::tree(tree) {
                for s in [&n.kind, &n.namespace, &n.name, &n.uid, &n.health_message]
                    .into_iter()
                    .chain(&n.parent_uids)
                    .chain(&n.images)
                    .chain(n.info.iter().flat_map(|(a, b)| [a, b]))
                {
                    prop_assert!(is_clean(s, false), "{s:?}");
                }
            }
        }
        let events = serde_json::json!({"items": [v, {"involvedObject": {"kind": text, "name": text},
            "reason": text, "message": text, "type": text, "count": count, "lastTimestamp": text}]});
        if let Ok(list) = serde_json::from_value::<wire::EventList>(events) {
            for e in convert::events(list) {
                for s in [&e.kind, &e.name, &e.reason, &e.message, &e.event_type] {
                    prop_assert!(is_clean(s, false), "{s:?}");
                }
            }
        }
    }
}
