//! Each alert of the incident (by fingerprint): when it fired, was silenced and resolved.

use super::escape::{self, LINE_CAP, NAME_CAP};
use super::table::Table;
use super::utc;
use crate::incident::state::Incident;
use crate::model::timeline::{EventKind, TimelineEvent};
use chrono::{DateTime, Utc};
use std::collections::HashMap;

/// One alert's story, gathered from its events.
struct AlertStory<'a> {
    first: &'a TimelineEvent,
    fired: Vec<DateTime<Utc>>,
    silenced: Vec<(DateTime<Utc>, &'a str)>,
    resolved: Option<DateTime<Utc>>,
    /// Last seen firing (fired, or firing again when a silence ended).
    last_firing: Option<DateTime<Utc>>,
    link: Option<&'a str>,
}

pub fn write(out: &mut String, incident: &Incident) {
    out.push_str("## Alerts\n\n");
    let stories = gather(&incident.events);
    if stories.is_empty() {
        out.push_str("No alerts recorded.\n\n");
        return;
    }
    let mut t = Table::new(
        out,
        [
            "Alert",
            "Severity",
            "Service",
            "Fired (UTC)",
            "Silenced",
            "Resolved (UTC)",
            "Link",
        ],
    );
    let mut links = escape::Links::default();
    for s in stories {
        let d = &s.first.details;
        let text = |key: &str| d.get(key).and_then(|v| v.as_str()).unwrap_or("");
        let name = match text("alertname") {
            "" => escape::inline(&s.first.summary, LINE_CAP),
            n => escape::inline(n, NAME_CAP),
        };
        let fired = match s.fired.as_slice() {
            [] => "before the record".to_string(),
            [one] => utc(*one),
            [first, ..] => format!("{} (fired {} times)", utc(*first), s.fired.len()),
        };
        let silenced = s
            .silenced
            .iter()
            .map(|(at, by)| format!("{} by {}", utc(*at), escape::inline(by, NAME_CAP)))
            .collect::<Vec<_>>()
            .join("<br>");
        // Resolved after it last fired; otherwise the record ends with it firing.
        let resolved = match (s.resolved, s.last_firing) {
            (Some(r), Some(f)) if r < f => "not resolved in the record".to_string(),
            (Some(r), _) => utc(r),
            (None, _) => "not resolved in the record".to_string(),
        };
        t.row([
            name,
            escape::inline(text("severity"), NAME_CAP),
            s.first
                .refs
                .service
                .as_deref()
                .map(|s| escape::inline(s, NAME_CAP))
                .unwrap_or_default(),
            fired,
            silenced,
            resolved,
            s.link
                .map(|u| links.link(u).to_string())
                .unwrap_or_default(),
        ]);
    }
}

/// Alerts in the order they first appear; the map only finds an alert's story again.
fn gather(events: &[TimelineEvent]) -> Vec<AlertStory<'_>> {
    let mut stories: Vec<AlertStory> = Vec::new();
    let mut by_key: HashMap<&str, usize> = HashMap::new();
    for e in events {
        if !matches!(
            e.kind,
            EventKind::AlertFiring
                | EventKind::AlertResolved
                | EventKind::AlertSilenced
                | EventKind::AlertUnsilenced
        ) {
            continue;
        }
        let key = e
            .details
            .get("fingerprint")
            .and_then(|v| v.as_str())
            .unwrap_or(&e.summary);
        let i = *by_key.entry(key).or_insert_with(|| {
            stories.push(AlertStory {
                first: e,
                fired: Vec::new(),
                silenced: Vec::new(),
                resolved: None,
                last_firing: None,
                link: None,
            });
            stories.len() - 1
        });
        let s = &mut stories[i];
        match e.kind {
            EventKind::AlertFiring => {
                s.fired.push(e.occurred_at);
                s.last_firing = Some(e.occurred_at);
            }
            EventKind::AlertUnsilenced => s.last_firing = Some(e.occurred_at),
            EventKind::AlertSilenced => s.silenced.push((e.occurred_at, &e.actor)),
            _ => s.resolved = Some(e.occurred_at),
        }
        if s.link.is_none() {
            s.link = e.links.first().map(String::as_str);
        }
    }
    stories
}
