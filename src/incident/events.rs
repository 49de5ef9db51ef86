//! The incident's own events, built the same way by the dashboard and by `sitrep incident …`.

use super::state::{Declaration, Milestone};
use crate::model::timeline::{EventKind, EventRefs, EventSource, TimelineEvent};
use chrono::{DateTime, Utc};
use serde_json::json;

fn by_user(kind: EventKind, actor: &str, at: DateTime<Utc>, summary: String) -> TimelineEvent {
    let mut e = TimelineEvent::new(kind, EventSource::User, at, at, summary);
    e.actor = actor.to_string();
    e
}

/// The first event of every journal.
pub fn declared(decl: &Declaration, actor: &str, at: DateTime<Utc>) -> TimelineEvent {
    let mut e = by_user(
        EventKind::IncidentDeclared,
        actor,
        at,
        format!("{} declared: {}", decl.severity, decl.title),
    );
    if decl.services.len() == 1 {
        e.refs = EventRefs {
            service: decl.services.first().cloned(),
            ..Default::default()
        };
    }
    e.details = serde_json::to_value(decl).expect("serializes");
    e.highlight = true;
    e
}

pub fn milestone(m: Milestone, actor: &str, at: DateTime<Utc>) -> TimelineEvent {
    let mut e = by_user(EventKind::Milestone, actor, at, m.title().to_string());
    e.details = json!({ "milestone": m.as_str() });
    e.highlight = true;
    e
}

pub fn note(text: &str, actor: &str, at: DateTime<Utc>) -> TimelineEvent {
    let text = text.trim_end();
    let first = text.lines().next().unwrap_or("").to_string();
    let mut e = by_user(EventKind::Note, actor, at, first);
    if text.contains('\n') {
        e.body = text.to_string();
    }
    e
}

pub fn severity_changed(from: &str, to: &str, actor: &str, at: DateTime<Utc>) -> TimelineEvent {
    let mut e = by_user(
        EventKind::SeverityChanged,
        actor,
        at,
        format!("severity {from} → {to}"),
    );
    e.details = json!({ "from": from, "to": to });
    e
}

/// A star (or its removal) on an event; `summary` is the starred event's, for readers of the
/// raw journal.
pub fn starred(target: &TimelineEvent, on: bool, actor: &str, at: DateTime<Utc>) -> TimelineEvent {
    let mut e = by_user(
        EventKind::Starred,
        actor,
        at,
        format!(
            "{} {}",
            if on { "starred" } else { "unstarred" },
            crate::sanitize::clean_line(&target.summary, 80)
        ),
    );
    e.details = json!({ "target": target.id, "starred": on });
    e
}

/// A correction of an event's time: a new event naming the old one and saying why.
pub fn time_corrected(
    target: &TimelineEvent,
    to: DateTime<Utc>,
    reason: &str,
    actor: &str,
    at: DateTime<Utc>,
) -> TimelineEvent {
    let mut e = by_user(
        EventKind::TimeCorrected,
        actor,
        at,
        format!(
            "time of \"{}\" corrected: {} → {}",
            crate::sanitize::clean_line(&target.summary, 60),
            target.occurred_at.format("%Y-%m-%d %H:%M:%S"),
            to.format("%Y-%m-%d %H:%M:%S")
        ),
    );
    e.body = reason.to_string();
    e.details = json!({ "target": target.id, "from": target.occurred_at, "to": to });
    e
}
