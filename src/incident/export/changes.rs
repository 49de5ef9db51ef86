//! Changes in the incident's window — deploys, rollbacks, failed syncs, auto-sync toggles — each
//! placed against impact start, with the suspect verdict its event carries.

use super::escape::{self, LINE_CAP, NAME_CAP};
use super::table::Table;
use super::utc;
use crate::incident::state::{Incident, human_duration};
use crate::model::timeline::{EventKind, TimelineEvent};

pub fn write(out: &mut String, incident: &Incident) {
    out.push_str("## Changes in the window\n\n");
    let m = &incident.meta;
    let from = m.declared_at - chrono::Duration::minutes(m.backfill_minutes.max(0));
    let changes: Vec<&TimelineEvent> = incident
        .events
        .iter()
        .filter(|e| kind_word(e).is_some())
        .collect();
    if changes.is_empty() {
        out.push_str(&format!(
            "No changes recorded from {} UTC ({} minutes before the declaration) on.\n\n",
            utc(from),
            m.backfill_minutes
        ));
        return;
    }
    out.push_str(&format!(
        "Recorded from {} UTC ({} minutes before the declaration) on. A verdict is the one sitrep \
         recorded with the change; none recorded means it was not assessed.\n\n",
        utc(from),
        m.backfill_minutes
    ));
    let start = m.impact_start();
    let mut t = Table::new(
        out,
        [
            "Time (UTC)",
            "Change",
            "Service / app",
            "Against impact start",
            "Suspect",
        ],
    );
    for e in changes {
        let d = e.occurred_at - start;
        let relative = match d.num_seconds() {
            0 => "at impact start".to_string(),
            s if s < 0 => format!("{} before", human_duration(-d)),
            _ => format!("{} after", human_duration(d)),
        };
        let mut change = format!(
            "{}: {}",
            kind_word(e).unwrap_or_default(),
            escape::inline(&e.summary, LINE_CAP)
        );
        if let Some(rev) = e.details.get("revision").and_then(|v| v.as_str()) {
            change.push_str(&format!(" (revision {})", escape::code(rev)));
        }
        if e.highlight {
            change.insert_str(0, "★ ");
        }
        t.row([
            utc(e.occurred_at),
            change,
            service_app(e),
            relative,
            verdict(e),
        ]);
    }
}

fn kind_word(e: &TimelineEvent) -> Option<&'static str> {
    Some(match e.kind {
        EventKind::Deploy => "deploy",
        EventKind::Rollback => "rollback",
        EventKind::SyncFailed => "sync failed",
        EventKind::AutosyncToggled => "auto-sync",
        _ => return None,
    })
}

fn service_app(e: &TimelineEvent) -> String {
    let name = |s: &Option<String>| s.as_deref().map(|s| escape::inline(s, NAME_CAP));
    match (name(&e.refs.service), name(&e.refs.app)) {
        (Some(s), Some(a)) if s != a => format!("{s} / {a}"),
        (Some(s), _) => s,
        (None, Some(a)) => a,
        (None, None) => String::new(),
    }
}

/// `details.suspect` (and `details.suspect_reason`) when the change carries a verdict.
fn verdict(e: &TimelineEvent) -> String {
    let reason = e
        .details
        .get("suspect_reason")
        .and_then(|v| v.as_str())
        .map(|r| format!(": {}", escape::inline(r, LINE_CAP)))
        .unwrap_or_default();
    match e.details.get("suspect").and_then(|v| v.as_bool()) {
        Some(true) => format!("**suspect**{reason}"),
        Some(false) => format!("not suspect{reason}"),
        None => "none recorded".to_string(),
    }
}
