//! What the responders did through sitrep: runbook steps, and each action attempted with what
//! the server answered (an attempt and its outcomes share `details.request_id`).

use super::escape::{self, BODY_CAP, BODY_LINES, LINE_CAP, NAME_CAP};
use super::table::Table;
use super::{clock, utc};
use crate::incident::state::Incident;
use crate::model::timeline::{EventKind, EventSource, TimelineEvent};
use std::collections::HashMap;

pub fn write_runbook_log(out: &mut String, incident: &Incident) {
    out.push_str("## Runbook log\n\n");
    let steps: Vec<&TimelineEvent> = incident
        .events
        .iter()
        .filter(|e| e.source == EventSource::Runbook)
        .collect();
    if steps.is_empty() {
        out.push_str("None recorded.\n\n");
        return;
    }
    let mut t = Table::new(out, ["Time (UTC)", "Actor", "Step"]);
    for e in steps {
        let mut step = escape::inline(&e.summary, LINE_CAP);
        if !e.body.trim().is_empty() {
            step.push_str("<br>");
            step.push_str(&escape::folded(&e.body, BODY_CAP, BODY_LINES));
        }
        t.row([utc(e.occurred_at), escape::inline(&e.actor, NAME_CAP), step]);
    }
}

/// An attempt and the outcomes that answered it (a dry run has two: accepted, then its result).
struct Action<'a> {
    attempt: Option<&'a TimelineEvent>,
    outcomes: Vec<&'a TimelineEvent>,
}

pub fn write_actions(out: &mut String, incident: &Incident) {
    out.push_str("## Actions taken\n\n");
    let actions = pair(&incident.events);
    if actions.is_empty() {
        out.push_str("None recorded.\n\n");
        return;
    }
    let mut t = Table::new(out, ["Requested (UTC)", "By", "Action", "Outcome"]);
    for a in actions {
        let first = a
            .attempt
            .or(a.outcomes.first().copied())
            .expect("never empty");
        let what = match a.attempt {
            Some(e) => {
                let mut what = escape::inline(&e.summary, LINE_CAP);
                if !e.body.trim().is_empty() {
                    what.push_str("<br>");
                    what.push_str(&escape::folded(&e.body, BODY_CAP, BODY_LINES));
                }
                what
            }
            None => "(attempt not in the record)".to_string(),
        };
        let outcome = match a.outcomes.is_empty() {
            true => "no outcome recorded".to_string(),
            false => a
                .outcomes
                .iter()
                .map(|e| outcome(e))
                .collect::<Vec<_>>()
                .join("<br>"),
        };
        t.row([
            utc(first.occurred_at),
            escape::inline(&first.actor, NAME_CAP),
            what,
            outcome,
        ]);
    }
}

/// `✗ failed 12:31:02: rollback failed: … (the server's words)`.
fn outcome(e: &TimelineEvent) -> String {
    let word = match e.kind {
        EventKind::ActionFailed => "✗ failed",
        _ => "✓ succeeded",
    };
    let mut text = format!(
        "{word} {}: {}",
        clock(e.occurred_at),
        escape::inline(&e.summary, LINE_CAP)
    );
    // The server's own words, when the summary does not already quote them.
    for key in ["error", "message"] {
        if let Some(words) = e.details.get(key).and_then(|v| v.as_str())
            && !words.trim().is_empty()
            && !e.summary.contains(words)
        {
            text.push_str(&format!(" — {}", escape::inline(words, LINE_CAP)));
        }
    }
    text
}

/// Attempts in time order, each with its outcomes; an outcome answers the latest attempt
/// before it with its request id (ids restart with sitrep). The map only finds attempts.
fn pair(events: &[TimelineEvent]) -> Vec<Action<'_>> {
    let request = |e: &TimelineEvent| e.details.get("request_id").and_then(|v| v.as_u64());
    let mut actions: Vec<Action> = Vec::new();
    let mut open: HashMap<u64, usize> = HashMap::new();
    for e in events {
        match e.kind {
            EventKind::ActionAttempted => {
                if let Some(id) = request(e) {
                    open.insert(id, actions.len());
                }
                actions.push(Action {
                    attempt: Some(e),
                    outcomes: Vec::new(),
                });
            }
            EventKind::ActionSucceeded | EventKind::ActionFailed => {
                match request(e).and_then(|id| open.get(&id)) {
                    Some(&i) => actions[i].outcomes.push(e),
                    None => actions.push(Action {
                        attempt: None,
                        outcomes: vec![e],
                    }),
                }
            }
            _ => {}
        }
    }
    actions
}
