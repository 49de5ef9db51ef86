//! The Markdown post-mortem, top to bottom: what is known (metadata, key timestamps, timeline,
//! changes, alerts, runbooks, actions) between the sections only people can write, which are
//! left empty with a prompt. Layout after Google SRE's example post-mortem (impact and response
//! kept apart) and PagerDuty's template (responders).

use super::escape::{self, LINE_CAP, NAME_CAP};
use super::table::Table;
use super::{actions, alerts, changes, timeline, utc};
use crate::incident::state::{Incident, IncidentMeta, Milestone, human_duration};
use crate::model::timeline::EventSource;
use chrono::{DateTime, Utc};

pub fn render(incident: &Incident) -> String {
    let mut out = String::with_capacity(4096 + incident.events.len() * 160);
    header(&mut out, incident);
    journal_warnings(&mut out, &incident.warnings);
    prompt(
        &mut out,
        "Summary",
        "What happened, in two or three sentences: the impact, the trigger, how it ended.",
    );
    prompt(
        &mut out,
        "Impact",
        "Who was affected, how, for how long; numbers (failed requests, users, orders) where known.",
    );
    key_timestamps(&mut out, &incident.meta);
    timeline::write(&mut out, incident);
    changes::write(&mut out, incident);
    alerts::write(&mut out, incident);
    actions::write_runbook_log(&mut out, incident);
    actions::write_actions(&mut out, incident);
    author_sections(&mut out);
    out.push_str(&format!(
        "---\n\n_Exported by sitrep from the journal of {} ({} events). Times are UTC._\n",
        escape::inline(&incident.meta.id, NAME_CAP),
        incident.events.len()
    ));
    out
}

fn header(out: &mut String, incident: &Incident) {
    let m = &incident.meta;
    out.push_str(&format!(
        "# {} — {}\n\n",
        escape::inline(&m.id, NAME_CAP),
        escape::inline(&m.title, LINE_CAP)
    ));
    let names = |list: &[String]| {
        list.iter()
            .map(|s| escape::inline(s, NAME_CAP))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut t = Table::new(out, ["Incident", &escape::inline(&m.id, NAME_CAP)]);
    let mut row = |name: &str, value: String| t.row([format!("**{name}**"), value]);
    row("Severity", escape::inline(&m.severity, NAME_CAP));
    row("Status", m.status.as_str().to_string());
    row("Commander", escape::inline(&m.commander, NAME_CAP));
    row("Responders", names(&responders(incident)));
    row(
        "Services",
        match m.services.is_empty() {
            true => "none named".to_string(),
            false => names(&m.services),
        },
    );
    let start = m.impact_start();
    row(
        "Start",
        match m.milestones.contains_key(&Milestone::ImpactStarted) {
            true => format!("{} (impact start)", utc(start)),
            false => format!("{} (declared; impact start not marked)", utc(start)),
        },
    );
    let end = m.ended_at();
    row("End", end.map(utc).unwrap_or_else(|| "ongoing".to_string()));
    row(
        "Duration",
        end.map(|e| human_duration(e - start))
            .unwrap_or_else(|| "ongoing".to_string()),
    );
    row(
        "Declared",
        format!(
            "{} by {}",
            utc(m.declared_at),
            escape::inline(&m.declared_by, NAME_CAP)
        ),
    );
}

/// The people who acted on the record, in the order they first did (PagerDuty's responders).
fn responders(incident: &Incident) -> Vec<String> {
    let mut seen: Vec<String> = Vec::new();
    for e in &incident.events {
        if e.source == EventSource::User && !e.actor.is_empty() && !seen.contains(&e.actor) {
            seen.push(e.actor.clone());
        }
    }
    seen
}

/// What reading the journal found wrong: the reader must know before trusting the timeline.
fn journal_warnings(out: &mut String, warnings: &[String]) {
    if warnings.is_empty() {
        return;
    }
    out.push_str(
        "> [!WARNING]\n> The journal of this incident has problems; it is exported as read:\n",
    );
    for w in warnings {
        out.push_str(&format!("> - {}\n", escape::line_start(w, LINE_CAP)));
    }
    out.push('\n');
}

fn prompt(out: &mut String, title: &str, question: &str) {
    out.push_str(&format!("## {title}\n\n<!-- {question} -->\n\n"));
}

/// Impact (the outage) and response (the incident) apart, as the SRE book keeps them: every
/// duration from impact start, or from the declaration when impact start was not marked.
fn key_timestamps(out: &mut String, m: &IncidentMeta) {
    out.push_str("## Key timestamps\n\n");
    let marked_start = m.milestones.get(&Milestone::ImpactStarted).copied();
    let origin = m.impact_start();
    let since = match marked_start {
        Some(t) => {
            out.push_str(&format!(
                "Each duration is measured from impact start ({} UTC).\n\n",
                utc(t)
            ));
            "Since impact start"
        }
        None => {
            out.push_str(&format!(
                "Impact start was not marked: each duration is measured from the declaration \
                 ({} UTC).\n\n",
                utc(origin)
            ));
            "Since declaration"
        }
    };
    let measured = |at: Option<DateTime<Utc>>, what: &str| match at {
        Some(t) => format!("{} ({what})", human_duration(t - origin)),
        None => "—".to_string(),
    };
    let time = |at: Option<DateTime<Utc>>| at.map(utc).unwrap_or_else(|| "not marked".into());
    let at = |ms: Milestone| m.milestones.get(&ms).copied();
    let mut t = Table::new(out, ["Milestone", "Time (UTC)", since]);
    t.group("Impact (outage)");
    t.row([
        "Impact started (outage begins)".into(),
        time(marked_start),
        marked_start.map_or("—".into(), |_| "0s".into()),
    ]);
    t.row([
        "Mitigated (outage mitigated)".into(),
        time(at(Milestone::Mitigated)),
        measured(at(Milestone::Mitigated), "time to mitigate"),
    ]);
    t.group("Response (incident)");
    for (ms, what) in [
        (Milestone::Detected, "time to detect"),
        (Milestone::Acknowledged, "time to acknowledge"),
    ] {
        t.row([ms.title().into(), time(at(ms)), measured(at(ms), what)]);
    }
    t.row([
        "Incident declared (incident begins)".into(),
        utc(m.declared_at),
        measured(Some(m.declared_at), "time to declare"),
    ]);
    t.row([
        "Resolved (incident ends)".into(),
        time(at(Milestone::Resolved)),
        measured(at(Milestone::Resolved), "time to resolve"),
    ]);
    drop(t);
    let order = m.order_warnings();
    if !order.is_empty() {
        out.push_str("> [!NOTE]\n> Milestones marked out of their usual order:\n");
        for w in order {
            out.push_str(&format!("> - {}\n", escape::line_start(&w, LINE_CAP)));
        }
        out.push('\n');
    }
}

fn author_sections(out: &mut String) {
    prompt(
        out,
        "Root causes",
        "Why it happened: the conditions, not the people.",
    );
    prompt(
        out,
        "Trigger",
        "What set it off: a deploy, a config change, traffic, a dependency.",
    );
    prompt(
        out,
        "Resolution",
        "What ended the impact, and what made the fix stick.",
    );
    prompt(
        out,
        "Detection",
        "How we learnt of it: which alert or person, after how long; what would have told us sooner.",
    );
    prompt(
        out,
        "Contributing factors",
        "What made it worse, longer or harder to diagnose.",
    );
    out.push_str("## Lessons learned\n\n");
    for (title, question) in [
        ("What went well", "What worked: tools, people, process."),
        ("What went wrong", "What failed or slowed us down."),
        (
            "Where we got lucky",
            "What saved us that we cannot count on next time.",
        ),
    ] {
        out.push_str(&format!("### {title}\n\n<!-- {question} -->\n\n"));
    }
    out.push_str(
        "## Action items\n\n<!-- Type: prevent, mitigate, detect or process; Bug: the ticket. -->\n\n",
    );
    let mut t = Table::new(out, ["Item", "Type", "Owner", "Bug"]);
    t.row(std::array::from_fn(|_| String::new()));
}
