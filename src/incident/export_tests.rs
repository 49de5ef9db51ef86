//! The post-mortem export: snapshots of a realistic incident, hostile text, determinism.

use super::{json, markdown};
use crate::incident::events;
use crate::incident::state::{Declaration, Incident, Milestone};
use crate::incident::{FileStore, IncidentStore};
use crate::model::timeline::{EventKind, EventRefs, EventSource, TimelineEvent};
use chrono::{DateTime, TimeZone, Utc};
use serde_json::json;

pub(super) const ID: &str = "INC-20261204-1";

pub(super) fn t(h: u32, m: u32, s: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 4, h, m, s).unwrap()
}

/// Events get ids and the incident's id as the journal would give them.
pub(super) struct Record {
    pub events: Vec<TimelineEvent>,
}

impl Record {
    pub fn new(decl: &Declaration, by: &str, at: DateTime<Utc>) -> Record {
        let mut r = Record { events: Vec::new() };
        r.push(events::declared(decl, by, at));
        r
    }

    pub fn push(&mut self, mut e: TimelineEvent) -> TimelineEvent {
        e.id = format!("E{:03}", self.events.len() + 1);
        e.incident_id = Some(ID.to_string());
        self.events.push(e.clone());
        e
    }

    pub fn incident(&self) -> Incident {
        Incident::fold(self.events.clone()).expect("starts with a declaration")
    }
}

pub(super) fn declaration() -> Declaration {
    Declaration {
        title: "checkout returns 5xx after v2.14.0".to_string(),
        severity: "SEV2".to_string(),
        commander: "ana".to_string(),
        services: vec!["checkout".to_string()],
        backfill_minutes: 30,
    }
}

/// An alert event as `update::events` makes it.
pub(super) fn alert(
    kind: EventKind,
    name: &str,
    severity: &str,
    service: &str,
    at: DateTime<Utc>,
    annotation: &str,
) -> TimelineEvent {
    let word = match kind {
        EventKind::AlertResolved => "resolved",
        _ => "firing",
    };
    let summary = match kind {
        EventKind::AlertResolved => format!("{name} on {service} resolved"),
        _ => format!("{severity} {name} on {service} firing"),
    };
    let mut e = TimelineEvent::new(kind, EventSource::Alertmanager, at, at, summary);
    e.actor = "am-prod".to_string();
    e.refs = EventRefs {
        service: Some(service.to_string()),
        namespace: Some(service.to_string()),
        cluster: Some("prod-eu-1".to_string()),
        app: None,
    };
    e.body = annotation.to_string();
    e.links.push(format!(
        "http://prometheus.example:9090/graph?g0.expr=job:{name}:rate5m > 0.05&g0.tab=1"
    ));
    e.details = json!({
        "fingerprint": format!("fp-{name}-{service}"),
        "alertname": name,
        "severity": severity,
        "state": word,
        "labels": {"alertname": name, "service": service, "severity": severity},
        "starts_at": at,
    });
    e.highlight = severity == "critical";
    e
}

/// An Argo CD change as `update::apps` makes it.
pub(super) fn app_change(
    kind: EventKind,
    app: &str,
    at: DateTime<Utc>,
    summary: &str,
    details: serde_json::Value,
) -> TimelineEvent {
    let mut e = TimelineEvent::new(kind, EventSource::Argocd, at, at, summary);
    e.actor = "argocd-prod".to_string();
    e.refs = EventRefs {
        service: Some("checkout".to_string()),
        app: Some(app.to_string()),
        cluster: Some("https://kubernetes.default.svc".to_string()),
        namespace: Some("checkout".to_string()),
    };
    e.details = details;
    e.highlight = matches!(kind, EventKind::Rollback | EventKind::SyncFailed);
    e
}

/// A user's action or its outcome as `update::argocd` and `update::silence` make them.
pub(super) fn action(
    kind: EventKind,
    by: &str,
    at: DateTime<Utc>,
    summary: &str,
    details: serde_json::Value,
) -> TimelineEvent {
    let mut e = TimelineEvent::new(kind, EventSource::User, at, at, summary);
    e.actor = by.to_string();
    e.refs.app = Some("checkout-prod".to_string());
    e.refs.service = Some("checkout".to_string());
    e.details = details;
    e.highlight = kind == EventKind::ActionFailed;
    e
}

pub(super) fn runbook_step(at: DateTime<Utc>, by: &str, summary: &str) -> TimelineEvent {
    let mut e = TimelineEvent::new(EventKind::Note, EventSource::Runbook, at, at, summary);
    e.actor = by.to_string();
    e
}

/// The demo's incident as sitrep records it: a bad deploy, its alerts, the response.
pub(super) fn realistic() -> Record {
    let rev_new = "9f1c2e4b7a6d5c3b2a1f0e9d8c7b6a5f4e3d2c1b";
    let rev_old = "1a2b3c4d5e6f708192a3b4c5d6e7f80912a3b4c5";
    let mut r = Record::new(&declaration(), "ana", t(12, 0, 0));
    // Back-filled: what happened before the declaration.
    let deploy = r.push(app_change(
        EventKind::Deploy,
        "checkout-prod",
        t(11, 46, 12),
        "checkout-prod deployed 9f1c2e4 by ci-bot",
        json!({"history_id": 14, "revision": rev_new, "revisions": [], "automated": false,
               "started_at": t(11, 45, 40)}),
    ));
    r.push(app_change(
        EventKind::HealthChanged,
        "checkout-prod",
        t(11, 50, 3),
        "checkout-prod Healthy -> Degraded: Deployment checkout: 3/6 pods CrashLoopBackOff",
        json!({"from": "Healthy", "to": "Degraded", "since_known": true, "revision": rev_new}),
    ));
    r.push(alert(
        EventKind::AlertFiring,
        "HighErrorRate",
        "critical",
        "checkout",
        t(11, 52, 0),
        "5xx ratio 12% over 5m (SLO 0.1%)",
    ));
    r.push(alert(
        EventKind::AlertFiring,
        "KubePodCrashLooping",
        "warning",
        "checkout",
        t(11, 53, 30),
        "Pod checkout/checkout-7d9f-x2k is crash looping",
    ));
    // The response.
    r.push(events::milestone(
        Milestone::ImpactStarted,
        "ana",
        t(11, 52, 0),
    ));
    r.push(events::milestone(Milestone::Detected, "ana", t(11, 54, 0)));
    r.push(events::milestone(
        Milestone::Acknowledged,
        "bob",
        t(11, 57, 30),
    ));
    r.push(events::note(
        "error spike lines up with the v2.14.0 deploy\nrolling back to v2.13.2\ndb looks fine",
        "bob",
        t(12, 3, 10),
    ));
    r.push(runbook_step(
        t(12, 4, 0),
        "bob",
        "checkout: check recent deploys — done",
    ));
    r.push(action(
        EventKind::ActionAttempted,
        "bob",
        t(12, 5, 0),
        "rollback of checkout-prod to 1a2b3c4 (history 13) requested",
        json!({"action": "rollback", "dry_run": false,
               "app": {"instance": "argocd-prod", "namespace": "argocd", "name": "checkout-prod"},
               "id": 13, "from": rev_new, "to": rev_old, "request_id": 7}),
    ));
    r.push(action(
        EventKind::ActionSucceeded,
        "bob",
        t(12, 5, 1),
        "rollback on checkout-prod: accepted by argocd-prod; auto-sync is OFF until re-enabled",
        json!({"request_id": 7, "autosync_before": {"prune": true, "selfHeal": true}}),
    ));
    r.push(app_change(
        EventKind::AutosyncToggled,
        "checkout-prod",
        t(12, 5, 1),
        "checkout-prod auto-sync OFF (turned off by sitrep for a rollback)",
        json!({"auto_sync": false, "by_sitrep": true}),
    ));
    r.push(app_change(
        EventKind::Rollback,
        "checkout-prod",
        t(12, 6, 30),
        "checkout-prod rolled back to 1a2b3c4 by bob",
        json!({"history_id": 15, "revision": rev_old, "revisions": [], "automated": false,
               "started_at": t(12, 5, 2)}),
    ));
    r.push(action(
        EventKind::ActionAttempted,
        "ana",
        t(12, 7, 0),
        "silence requested on am-prod: alertname=\"KubePodCrashLooping\", service=\"checkout\" for 1h",
        json!({"action": "silence.create", "request_id": 8, "source": "am-prod"}),
    ));
    r.push(action(
        EventKind::ActionFailed,
        "ana",
        t(12, 7, 1),
        "silence create on am-prod failed: 400 Bad Request: end time must not be in the past",
        json!({"request_id": 8, "source": "am-prod"}),
    ));
    let mitigated = r.push(events::milestone(Milestone::Mitigated, "ana", t(12, 14, 0)));
    r.push(alert(
        EventKind::AlertResolved,
        "HighErrorRate",
        "critical",
        "checkout",
        t(12, 16, 0),
        "5xx ratio 12% over 5m (SLO 0.1%)",
    ));
    r.push(events::severity_changed(
        "SEV2",
        "SEV3",
        "ana",
        t(12, 20, 0),
    ));
    r.push(events::starred(&deploy, true, "ana", t(12, 21, 0)));
    r.push(events::time_corrected(
        &mitigated,
        t(12, 9, 30),
        "the 5xx graph drops at 12:09:30, I marked it late",
        "bob",
        t(12, 22, 0),
    ));
    r.push(alert(
        EventKind::AlertResolved,
        "KubePodCrashLooping",
        "warning",
        "checkout",
        t(12, 24, 0),
        "Pod checkout/checkout-7d9f-x2k is crash looping",
    ));
    r.push(events::milestone(Milestone::Resolved, "ana", t(12, 40, 0)));
    r
}

#[test]
fn markdown_of_a_realistic_incident() {
    insta::assert_snapshot!("realistic_markdown", markdown(&realistic().incident()));
}

#[test]
fn json_of_a_realistic_incident() {
    insta::assert_snapshot!("realistic_json", json(&realistic().incident()));
}

#[test]
fn an_ongoing_incident_without_impact_start_says_so() {
    let mut r = Record::new(&declaration(), "ana", t(23, 58, 0));
    r.push(events::note(
        "looking",
        "ana",
        Utc.with_ymd_and_hms(2026, 12, 5, 0, 1, 0).unwrap(),
    ));
    let mut incident = r.incident();
    incident
        .warnings
        .push("line 3: the line before it was changed after it was written".to_string());
    let md = markdown(&incident);
    insta::assert_snapshot!("ongoing_markdown", md);
    assert!(md.contains("| **End** | ongoing |"));
    assert!(md.contains("| **2026-12-05** |  |  |  |"), "a row per date");
    assert!(md.contains("measured from the declaration"));
    assert!(md.contains("No changes recorded"));
    let doc: serde_json::Value = serde_json::from_str(&json(&incident)).unwrap();
    assert_eq!(doc["incident"]["ended_at"], serde_json::Value::Null);
    assert_eq!(doc["incident"]["duration_seconds"], serde_json::Value::Null);
    assert_eq!(doc["incident"]["measured_from"], "declared");
    assert_eq!(doc["incident"]["warnings"].as_array().unwrap().len(), 1);
}

#[test]
fn json_carries_the_metadata_and_every_event_in_time_order() {
    let incident = realistic().incident();
    let doc: serde_json::Value = serde_json::from_str(&json(&incident)).unwrap();
    assert_eq!(doc["format"], "sitrep.incident/1");
    let meta = &doc["incident"];
    assert_eq!(meta["id"], ID);
    assert_eq!(meta["severity"], "SEV3", "severity changes apply");
    assert_eq!(meta["status"], "resolved");
    assert_eq!(meta["impact_started_at"], "2026-12-04T11:52:00Z");
    assert_eq!(
        meta["milestones"]["mitigated"], "2026-12-04T12:09:30Z",
        "corrected"
    );
    assert_eq!(meta["duration_seconds"], 48 * 60);
    assert_eq!(meta["seconds_from_start"]["detected"], 120);
    let events = doc["events"].as_array().unwrap();
    assert_eq!(events.len(), incident.events.len());
    let times: Vec<&str> = events
        .iter()
        .map(|e| e["occurred_at"].as_str().unwrap())
        .collect();
    assert!(times.windows(2).all(|w| w[0] <= w[1]), "{times:?}");
    let back: Vec<TimelineEvent> = serde_json::from_value(doc["events"].clone()).unwrap();
    assert_eq!(back, incident.events, "events exported as serialized");
}

#[test]
fn exporting_twice_gives_the_same_bytes() {
    let incident = realistic().incident();
    assert_eq!(markdown(&incident), markdown(&incident));
    assert_eq!(json(&incident), json(&incident));
    assert_eq!(markdown(&realistic().incident()), markdown(&incident));
}

#[test]
fn a_journal_written_and_read_back_exports_the_same() {
    let r = realistic();
    let dir = tempfile::tempdir().unwrap();
    let mut store = FileStore::new(dir.path());
    let mut journal = r.events.clone().into_iter();
    store.declare(journal.next().unwrap(), Vec::new()).unwrap();
    for e in journal {
        store.append(vec![e]).unwrap();
    }
    let read = store.load(ID).unwrap();
    let in_memory = r.incident();
    assert_eq!(markdown(&read), markdown(&in_memory));
    assert_eq!(json(&read), json(&in_memory));
}

#[test]
fn a_change_shows_the_verdict_it_carries() {
    let mut r = Record::new(&declaration(), "ana", t(12, 0, 0));
    let mut suspect = app_change(
        EventKind::Deploy,
        "a",
        t(11, 50, 0),
        "a deployed",
        json!({}),
    );
    suspect.details =
        json!({"suspect": true, "suspect_reason": "finished 2m before the first alert"});
    r.push(suspect);
    let mut cleared = app_change(
        EventKind::Deploy,
        "b",
        t(11, 51, 0),
        "b deployed",
        json!({}),
    );
    cleared.details = json!({"suspect": false});
    r.push(cleared);
    r.push(app_change(
        EventKind::Deploy,
        "c",
        t(11, 52, 0),
        "c deployed",
        json!({}),
    ));
    let md = markdown(&r.incident());
    assert!(
        md.contains("| **suspect**: finished 2m before the first alert |"),
        "{md}"
    );
    assert!(md.contains("| 9m 00s before | not suspect |"), "{md}");
    assert!(md.contains("| none recorded |"), "{md}");
}

/// Text a hostile server or a careless paste could bring.
pub(super) fn hostile_texts() -> Vec<String> {
    vec![
        "a | b || c \\| d \\".to_string(),
        "`code` ``` fence".to_string(),
        "<script>alert(1)</script><img src=x onerror=alert(1)>".to_string(),
        "[click](javascript:alert(1)) ![img](javascript:x) ](javascript:alert(1))".to_string(),
        "\x1b[31mred\x1b[0m \x1b]8;;http://evil\x07link\x1b]8;;\x07 \x1b]0;title\x07".to_string(),
        "nul\0 bel\x07 del\x7f c1\u{9b}31m bidi\u{202e}txet".to_string(),
        "line one\nline two | with pipe\r\n- list\n# heading\n> quote\n\n|---|---|".to_string(),
        "*bold* _it_ ~~strike~~ $math$ &amp; &#60;script&#62; <!-- comment".to_string(),
        "x".repeat(100_000) + "|",
        "|".repeat(50_000),
    ]
}

fn hostile_incident() -> Incident {
    let mut r = Record::new(&declaration(), "ana", t(12, 0, 0));
    for (i, text) in hostile_texts().into_iter().enumerate() {
        let at = t(12, 1, i as u32);
        let mut a = alert(EventKind::AlertFiring, &text, &text, &text, at, &text);
        a.actor = text.clone();
        a.details["fingerprint"] = json!(format!("fp{i}"));
        a.links = vec![
            text.clone(),
            "javascript:alert(1)".to_string(),
            "file:///etc/passwd".to_string(),
            format!("https://grafana.example/d/x?var={text})"),
        ];
        r.push(a);
        let mut d = app_change(
            EventKind::Deploy,
            &text,
            at,
            &text,
            json!({"revision": text}),
        );
        d.details["suspect"] = json!(true);
        d.details["suspect_reason"] = json!(text);
        r.push(d);
        r.push(events::note(&text, &text, at));
        r.push(runbook_step(at, &text, &text));
        r.push(action(
            EventKind::ActionAttempted,
            &text,
            at,
            &text,
            json!({"request_id": i}),
        ));
        r.push(action(
            EventKind::ActionFailed,
            &text,
            at,
            &text,
            json!({"request_id": i, "error": text}),
        ));
    }
    let target = r.events[1].clone();
    r.push(events::time_corrected(
        &target,
        t(11, 0, 0),
        &hostile_texts()[6],
        "bob",
        t(12, 30, 0),
    ));
    let mut incident = r.incident();
    incident.warnings = hostile_texts();
    incident.meta.title = hostile_texts()[3].clone();
    incident.meta.services = hostile_texts();
    incident
}

/// Every table's rows have its header's number of cells (pipes not escaped by a backslash).
pub(super) fn assert_tables_keep_their_columns(md: &str) {
    let mut expected = None;
    for line in md.lines() {
        if !line.starts_with('|') {
            expected = None;
            continue;
        }
        let cells = unescaped_pipes(line);
        match expected {
            None => expected = Some(cells),
            Some(n) => assert_eq!(cells, n, "a row with another number of cells: {line:.300}"),
        }
    }
}

pub(super) fn unescaped_pipes(line: &str) -> usize {
    let mut count = 0;
    let mut backslashes = 0;
    for c in line.chars() {
        match c {
            '\\' => backslashes += 1,
            '|' if backslashes % 2 == 0 => {
                count += 1;
                backslashes = 0;
            }
            _ => backslashes = 0,
        }
    }
    count
}

/// No raw HTML but the export's own `<br>` and comments; no link but to http(s).
pub(super) fn assert_inert(md: &str) {
    assert!(!md.to_lowercase().contains("<script"), "raw <script");
    assert!(!md.to_lowercase().contains("<img"), "raw <img");
    for (i, c) in md.char_indices() {
        assert!(c == '\n' || !c.is_control(), "control {c:?} at {i}");
        if c == '<' {
            let rest = &md[i..];
            assert!(
                rest.starts_with("<br>") || rest.starts_with("<!-- "),
                "raw HTML: {:.80}",
                rest
            );
        }
        if c == ']' && md[i..].starts_with("](") && unescaped_pipes_before(md, i) {
            let dest = &md[i + 2..];
            assert!(
                dest.starts_with("http://") || dest.starts_with("https://"),
                "a link that is not http(s): {:.80}",
                dest
            );
        }
    }
}

/// Whether the `]` at `i` is not escaped by a backslash.
fn unescaped_pipes_before(md: &str, i: usize) -> bool {
    md[..i].chars().rev().take_while(|c| *c == '\\').count() % 2 == 0
}

#[test]
fn hostile_text_stays_text() {
    let incident = hostile_incident();
    let md = markdown(&incident);
    assert_inert(&md);
    assert_tables_keep_their_columns(&md);
    assert!(md.contains("javascript:alert(1)"), "shown, not linked");
    assert!(
        md.len() < 3_000_000,
        "long values are cut: {} bytes",
        md.len()
    );
    let doc: serde_json::Value = serde_json::from_str(&json(&incident)).unwrap();
    assert_eq!(
        doc["events"].as_array().unwrap().len(),
        incident.events.len()
    );
}
