//! The timeline table: every event in `occurred_at` order, a row per new date, milestones in
//! bold, key events starred, corrected times shown with the time they replaced and why.

use super::escape::{self, BODY_CAP, BODY_LINES, LINE_CAP, NAME_CAP};
use super::table::Table;
use super::{clock, utc};
use crate::incident::state::{Correction, Incident};
use crate::model::timeline::{EventKind, TimelineEvent, source_word};

/// Links shown per event; the JSON export has them all.
const LINKS_SHOWN: usize = 3;

pub fn write(out: &mut String, incident: &Incident) {
    out.push_str(
        "## Timeline\n\n**Bold**: the incident's own milestones. ★ a key event (starred, or \
         marked by sitrep: critical alerts, rollbacks, failures). Stars and time corrections \
         are applied to the events they name.\n\n",
    );
    let mut t = Table::new(out, ["Time (UTC)", "Source", "Actor", "Event"]);
    let mut day = None;
    let mut links = escape::Links::default();
    for e in incident.events.iter().filter(|e| listed(e)) {
        let date = e.occurred_at.date_naive();
        if day != Some(date) {
            t.group(&super::date(e.occurred_at));
            day = Some(date);
        }
        t.row([
            clock(e.occurred_at),
            source_word(e.source).to_string(),
            escape::inline(&e.actor, NAME_CAP),
            event_cell(e, &mut links),
        ]);
    }
}

/// Stars and corrections change other events; they are not events of the incident.
fn listed(e: &TimelineEvent) -> bool {
    !matches!(e.kind, EventKind::Starred | EventKind::TimeCorrected)
}

/// The response's own moments: bold, and not starred as well.
fn is_milestone(e: &TimelineEvent) -> bool {
    matches!(e.kind, EventKind::IncidentDeclared | EventKind::Milestone)
}

fn event_cell<'a>(e: &'a TimelineEvent, links: &mut escape::Links<'a>) -> String {
    let mut cell = String::new();
    if e.highlight && !is_milestone(e) {
        cell.push_str("★ ");
    }
    // A note's body is its whole text (the summary is its first line).
    let summary = if e.kind == EventKind::Note && !e.body.is_empty() {
        escape::folded(&e.body, BODY_CAP, BODY_LINES)
    } else {
        escape::inline(&e.summary, LINE_CAP)
    };
    if is_milestone(e) && !summary.is_empty() {
        cell.push_str(&format!("**{summary}**"));
    } else {
        cell.push_str(&summary);
    }
    if e.kind != EventKind::Note && !e.body.trim().is_empty() {
        cell.push_str("<br>");
        cell.push_str(&escape::folded(&e.body, BODY_CAP, BODY_LINES));
    }
    for url in e.links.iter().take(LINKS_SHOWN) {
        cell.push_str(" · ");
        cell.push_str(links.link(url));
    }
    for c in corrections(e) {
        cell.push_str(&format!(
            "<br>(time corrected from {} by {}: {})",
            utc(c.from),
            escape::inline(&c.by, NAME_CAP),
            match escape::inline(&c.reason, LINE_CAP) {
                r if r.is_empty() => "no reason given".to_string(),
                r => r,
            }
        ));
    }
    cell
}

/// The corrections folded into an event (`state::apply_to_events`), oldest first.
pub fn corrections(e: &TimelineEvent) -> Vec<Correction> {
    e.details
        .get("corrections")
        .and_then(|v| serde_json::from_value(v.clone()).ok())
        .unwrap_or_default()
}
