//! Turning observed changes into timeline events.

use crate::model::Model;
use crate::model::TIMELINE_CAP;
use crate::model::alert::{Alert, AlertState, Severity};
use crate::model::store::AlertChanges;
use crate::model::timeline::{EventKind, EventRefs, EventSource, TimelineEvent};
use crate::model::views::TimelineAnchor;
use chrono::{DateTime, Utc};
use serde_json::json;
use std::collections::HashMap;

/// On the first answer of a source, at most this many already-firing alerts get an event each
/// (most urgent first); the rest are summarised in one event.
pub const INITIAL_EVENTS_CAP: usize = 200;

/// Add an event in time order: the timeline is kept sorted by `occurred_at` (ties keep
/// recording order), whatever order the sources answered in. A Timeline cursor resting on the
/// newest event follows new ones (tail -f); one the user moved stays on the event it points at.
pub fn push_event(model: &mut Model, mut event: TimelineEvent) {
    if event.id.is_empty() {
        event.id = model.event_ids.mint(event.recorded_at);
    }
    if super::incident::already_recorded(model, &event) {
        return;
    }
    super::incident::on_new_event(model, &mut event);
    if !model.notify_hush
        && let Some(n) = crate::notify::for_event(&event, &model.settings.notify)
    {
        model.notify_outbox.push(n);
    }
    insert_recorded(model, event);
}

/// Put an event on the timeline without offering it to the journal (it came from there).
pub(super) fn insert_recorded(model: &mut Model, event: TimelineEvent) {
    if model.timeline_view.is_some() {
        // Filtered: the cursor indexes the filtered rows, rebuilt (keeping it) in `settle`.
        model.timeline_changing();
        insert_in_time_order(model, event);
        return;
    }
    let len = model.timeline.len();
    let following = model.timeline_cursor.selected + 1 >= len;
    let (pos, dropped) = insert_in_time_order(model, event);
    model.timeline_cursor.selected = model.timeline_cursor.selected.saturating_sub(dropped);
    if following {
        model.timeline_cursor.selected = model.timeline.len() - 1;
    } else if pos <= model.timeline_cursor.selected {
        model.timeline_cursor.selected += 1;
    }
}

/// Insert keeping `occurred_at` order; returns where it went and how many of the oldest events
/// were dropped to stay under the cap.
fn insert_in_time_order(model: &mut Model, event: TimelineEvent) -> (usize, usize) {
    let mut dropped = 0;
    if model.timeline.len() >= TIMELINE_CAP {
        dropped = TIMELINE_CAP / 10;
        model.timeline.drain(..dropped);
    }
    // Events mostly arrive in order: the search ends near the back and the insert moves little.
    let pos = model
        .timeline
        .partition_point(|e| e.occurred_at <= event.occurred_at);
    model.timeline.insert(pos, event);
    (pos, dropped)
}

/// A better source's copy of an alert moved its start (Alertmanager's `startsAt` replaced
/// Prometheus' estimate): firing events that were dated by the old start are re-dated, so the
/// time on the timeline never depends on which source answered first.
fn retime_alert_events(model: &mut Model, retimed: &[(String, DateTime<Utc>)]) {
    let mut want: HashMap<&str, (DateTime<Utc>, DateTime<Utc>)> = retimed
        .iter()
        .filter_map(|(fp, old)| Some((fp.as_str(), (*old, model.alerts.get(fp)?.starts_at))))
        .collect();
    if want.is_empty() {
        return;
    }
    model.timeline_changing();
    let anchor = model.timeline_anchor();
    let mut moved = false;
    // Events already in the incident's journal keep their recorded time there: the new one is
    // recorded as a correction (history is never rewritten).
    let mut corrections = Vec::new();
    // Newest first: the events to re-date are those of alerts still firing, usually recent.
    for e in model.timeline.iter_mut().rev() {
        if want.is_empty() {
            break;
        }
        if e.kind != EventKind::AlertFiring {
            continue;
        }
        let hit = e
            .details
            .get("fingerprint")
            .and_then(|v| v.as_str())
            .and_then(|fp| want.remove(fp));
        if let Some((old, new)) = hit
            && e.occurred_at == old
        {
            if e.incident_id.is_some() {
                let mut c = crate::incident::events::time_corrected(
                    e,
                    new,
                    "Alertmanager's startsAt replaces Prometheus' estimate (activeAt + for)",
                    "sitrep",
                    model.now,
                );
                c.source = EventSource::Sitrep;
                corrections.push(c);
            }
            e.occurred_at = new;
            e.details["starts_at"] = json!(new);
            moved = true;
        }
    }
    for c in corrections {
        push_event(model, c);
    }
    if !moved {
        return;
    }
    // Nearly sorted: a stable sort is a single pass plus the few moved events.
    model.timeline.sort_by_key(|e| e.occurred_at);
    if model.timeline_view.is_none() {
        model.timeline_cursor.selected = match anchor {
            TimelineAnchor::Event(id) => model
                .timeline
                .iter()
                .position(|e| e.id == id)
                .unwrap_or(model.timeline_cursor.selected),
            TimelineAnchor::Following => model.timeline.len().saturating_sub(1),
        };
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
        service: model.alert_service_name(alert).map(str::to_string),
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
    match model.alert_service_name(alert) {
        Some(s) => format!("{} on {s}", alert.name()),
        None => alert.name().to_string(),
    }
}

/// Record what changed in the alert store. `initial` marks a source's first answer: alerts
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
        // Pending → firing happened when the alert fired (its start now), not when we polled.
        let when = if *old == AlertState::Pending {
            alert.starts_at.min(at)
        } else {
            at
        };
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
        new_events.push(alert_event(model, kind, alert, when, summary));
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
    for e in new_events {
        push_event(model, e);
    }
    retime_alert_events(model, &changes.retimed);
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
