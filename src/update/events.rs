//! Turning observed changes into timeline events.

use crate::model::Model;
use crate::model::TIMELINE_CAP;
use crate::model::alert::{Alert, AlertState, Severity};
use crate::model::store::AlertChanges;
use crate::model::timeline::{EventKind, EventRefs, EventSource, TimelineEvent};
use chrono::{DateTime, Utc};
use serde_json::json;

/// On the first snapshot of a source, at most this many already-firing alerts get an event each
/// (most urgent first); the rest are summarised in one event.
pub const INITIAL_EVENTS_CAP: usize = 200;

/// Append an event. A Timeline cursor resting on the newest event follows new ones (tail -f);
/// one the user moved up stays on the event it points at.
pub fn push_event(model: &mut Model, event: TimelineEvent) {
    let following = model.timeline_cursor.selected + 1 >= model.timeline.len();
    if model.timeline.len() >= TIMELINE_CAP {
        let dropped = TIMELINE_CAP / 10;
        model.timeline.drain(..dropped);
        model.timeline_cursor.selected = model.timeline_cursor.selected.saturating_sub(dropped);
    }
    model.timeline.push(event);
    if following {
        model.timeline_cursor.selected = model.timeline.len() - 1;
    }
}

fn alert_event(
    model: &Model,
    kind: EventKind,
    alert: &Alert,
    occurred_at: DateTime<Utc>,
    summary: String,
) -> TimelineEvent {
    let mut e = TimelineEvent::new(
        kind,
        event_source(model, &alert.source),
        occurred_at,
        model.now,
        summary,
    );
    e.actor = alert.source.clone();
    e.refs = EventRefs {
        service: alert
            .service(&model.settings.service_labels)
            .map(str::to_string),
        namespace: alert.labels.get("namespace").cloned(),
        cluster: alert.labels.get("cluster").cloned(),
        app: None,
    };
    e.body = alert.summary().to_string();
    if let Some(url) = &alert.generator_url {
        e.links.push(url.clone());
    }
    e.details = json!({
        "fingerprint": alert.fingerprint,
        "alertname": alert.name(),
        "severity": alert.severity(),
        "state": alert.state,
        "labels": alert.labels,
        "starts_at": alert.starts_at,
    });
    e.highlight = alert.severity() == Severity::Critical && kind == EventKind::AlertFiring;
    e
}

fn event_source(model: &Model, source: &str) -> EventSource {
    match model.source(source).map(|s| s.kind) {
        Some(crate::model::source::SourceKind::Prometheus) => EventSource::Prometheus,
        _ => EventSource::Alertmanager,
    }
}

fn on_what(model: &Model, alert: &Alert) -> String {
    match alert.service(&model.settings.service_labels) {
        Some(s) => format!("{} on {s}", alert.name()),
        None => alert.name().to_string(),
    }
}

/// Record what changed in the alert store. `initial` marks a source's first snapshot: alerts
/// already firing are recorded at their start time, capped so 20,000 alerts don't flood the
/// timeline.
pub fn record_alert_changes(
    model: &mut Model,
    changes: &AlertChanges,
    at: DateTime<Utc>,
    initial: bool,
) {
    let mut new_events = Vec::new();
    let mut skipped = 0usize;
    for fp in &changes.appeared {
        let Some(alert) = model.alerts.get(fp) else {
            continue;
        };
        if initial && new_events.len() >= INITIAL_EVENTS_CAP {
            skipped += 1;
            continue;
        }
        let firing = format!(
            "{} {} firing",
            alert.severity().word(),
            on_what(model, alert)
        );
        match alert.state {
            AlertState::Firing => {
                // A new alert is dated by its start, unless that is long past (a source that
                // was down comes back): then by when we learnt of it.
                let when = if initial {
                    alert.starts_at
                } else {
                    alert.starts_at.max(at - chrono::Duration::minutes(5))
                };
                new_events.push(alert_event(
                    model,
                    EventKind::AlertFiring,
                    alert,
                    when,
                    firing,
                ));
            }
            // Learning of an already-silenced alert at start: it fired, then someone silenced it.
            AlertState::Silenced if initial => {
                let mut e = alert_event(
                    model,
                    EventKind::AlertFiring,
                    alert,
                    alert.starts_at,
                    firing,
                );
                e.highlight = false;
                new_events.push(e);
                new_events.push(silenced_event(model, alert, at));
            }
            _ => {}
        }
    }
    for (fp, old) in &changes.state_changed {
        let Some(alert) = model.alerts.get(fp) else {
            continue;
        };
        if alert.state == AlertState::Silenced {
            new_events.push(silenced_event(model, alert, at));
            continue;
        }
        // A source's first answer only tells what it already knew (e.g. Alertmanager's view of
        // an alert Prometheus reported first): nothing happened just now.
        if initial {
            continue;
        }
        let (kind, summary) = match (old, alert.state) {
            (AlertState::Silenced, AlertState::Firing) => (
                EventKind::AlertUnsilenced,
                format!("{} firing again: silence ended", on_what(model, alert)),
            ),
            (_, AlertState::Firing) => (
                EventKind::AlertFiring,
                format!(
                    "{} {} firing",
                    alert.severity().word(),
                    on_what(model, alert)
                ),
            ),
            _ => continue,
        };
        new_events.push(alert_event(model, kind, alert, at, summary));
    }
    for alert in &changes.resolved {
        if alert.state == AlertState::Pending {
            continue;
        }
        let summary = format!("{} resolved", on_what(model, alert));
        let mut e = alert_event(model, EventKind::AlertResolved, alert, at, summary);
        e.highlight = alert.severity() == Severity::Critical;
        new_events.push(e);
    }
    if skipped > 0 {
        let mut e = TimelineEvent::new(
            EventKind::Note,
            EventSource::Sitrep,
            at,
            model.now,
            format!(
                "{} already firing (not listed one by one)",
                match skipped {
                    1 => "1 more alert was".to_string(),
                    n => format!("{n} more alerts were"),
                }
            ),
        );
        e.actor = "sitrep".to_string();
        new_events.push(e);
    }
    new_events.sort_by_key(|e| e.occurred_at);
    for e in new_events {
        push_event(model, e);
    }
}

/// An alert is silenced: dated by the silence that covers it (when we know it), by its author.
fn silenced_event(model: &Model, alert: &Alert, at: DateTime<Utc>) -> TimelineEvent {
    let silence = alert
        .silenced_by
        .iter()
        .find_map(|id| model.silences.get(id));
    let when = silence
        .map(|s| s.starts_at.max(alert.starts_at).min(at))
        .unwrap_or(at);
    let summary = match silence {
        Some(s) => format!(
            "{} silenced by {}: {}",
            on_what(model, alert),
            s.created_by,
            s.comment
        ),
        None => format!("{} silenced", on_what(model, alert)),
    };
    let mut e = alert_event(model, EventKind::AlertSilenced, alert, when, summary);
    if let Some(s) = silence {
        e.actor = s.created_by.clone();
        e.details["silence_id"] = serde_json::Value::String(s.id.clone());
        e.details["silence_ends_at"] = serde_json::json!(s.ends_at);
    }
    e
}

/// A source went from working to failing, or back.
pub fn record_source_transition(
    model: &mut Model,
    source: &str,
    at: DateTime<Utc>,
    failing: Option<&str>,
) {
    let summary = match failing {
        Some(err) => format!("source {source} failing: {err}"),
        None => format!("source {source} recovered"),
    };
    let mut e = TimelineEvent::new(
        EventKind::SourceStatus,
        EventSource::Sitrep,
        at,
        model.now,
        summary,
    );
    e.actor = "sitrep".to_string();
    e.details = json!({ "source": source, "ok": failing.is_none() });
    push_event(model, e);
}
