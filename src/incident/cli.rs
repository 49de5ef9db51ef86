//! `sitrep incident new | note | mark | correct | list | show | export`: the incident from a
//! script, a chat bot or a second terminal. Writes go through the same journal as the
//! dashboard's (an open dashboard shows them within a second).

use super::events;
use super::journal::JournalError;
use super::state::{Declaration, Incident, Milestone, human_duration, parse_severity};
use super::time_input::parse_time;
use super::{FileStore, IncidentStore};
use crate::cli::{ExportFormat, IncidentCommand};
use crate::model::timeline::{TimelineEvent, source_word};
use crate::sanitize::clean_line;
use anyhow::{Context, bail};
use chrono::{DateTime, Utc};
use std::fmt::Write as _;
use std::process::ExitCode;

/// Where and as whom: the store and the author of what is written.
pub struct IncidentCli {
    pub store: FileStore,
    pub author: String,
}

/// A fresh ULID for an event written here (the dashboard mints its own, deterministically).
fn with_new_id(mut e: TimelineEvent) -> TimelineEvent {
    e.id = ulid::Ulid::new().to_string();
    e
}

impl IncidentCli {
    pub fn run(
        mut self,
        command: &IncidentCommand,
        now: DateTime<Utc>,
    ) -> anyhow::Result<ExitCode> {
        match command {
            IncidentCommand::New {
                title,
                severity,
                services,
                commander,
            } => {
                let severity = parse_severity(severity).with_context(|| {
                    format!("severity `{severity}`: expected SEV1, SEV2, SEV3 or SEV4")
                })?;
                let title = clean_line(title, 200);
                if title.trim().is_empty() {
                    bail!("--title must say something");
                }
                let decl = Declaration {
                    title,
                    severity: severity.to_string(),
                    commander: clean_line(commander.as_deref().unwrap_or(&self.author), 80),
                    services: services.iter().map(|s| clean_line(s, 120)).collect(),
                    // Nothing to back-fill from here: this process saw nothing before.
                    backfill_minutes: 0,
                };
                let declared = with_new_id(events::declared(&decl, &self.author, now));
                self.store.declare(declared, Vec::new())?;
                println!("{}", self.store.open_id().unwrap_or_default());
            }
            IncidentCommand::Note { id, text } => {
                // As the dashboard's notes: clean, capped.
                let text = crate::sanitize::clean_text(&text.join(" "), 4096);
                if text.trim().is_empty() {
                    bail!("the note is empty");
                }
                let note = with_new_id(events::note(&text, &self.author, now));
                self.append(id, vec![note])?;
            }
            IncidentCommand::Mark { id, milestone, at } => {
                let m = Milestone::parse(milestone).with_context(|| {
                    format!(
                        "milestone `{milestone}`: expected one of {}",
                        Milestone::ALL.map(|m| m.as_str()).join(", ")
                    )
                })?;
                let at = match at {
                    Some(t) => parse_time(t, now).map_err(anyhow::Error::msg)?,
                    None => now,
                };
                let mut e = with_new_id(events::milestone(m, &self.author, at));
                e.recorded_at = now;
                let incident = self.append(id, vec![e])?;
                for w in incident.meta.order_warnings() {
                    eprintln!("sitrep: warning: {w} (recorded anyway)");
                }
            }
            IncidentCommand::Correct {
                id,
                event,
                to,
                reason,
            } => {
                let to = parse_time(to, now).map_err(anyhow::Error::msg)?;
                let id = self.store.resolve_id(id)?;
                let incident = self.store.load(&id)?;
                let Some(target) = incident.events.iter().find(|e| e.id == *event) else {
                    bail!(
                        "{id} has no event {} (sitrep incident show {id} --ids)",
                        clean_line(event, 40)
                    );
                };
                let reason = clean_line(reason, 500);
                let e = with_new_id(events::time_corrected(
                    target,
                    to,
                    &reason,
                    &self.author,
                    now,
                ));
                self.append(&id, vec![e])?;
            }
            IncidentCommand::List => print!("{}", list(&self.store.list()?, now)),
            IncidentCommand::Show { id, ids } => {
                let id = self.store.resolve_id(id)?;
                let incident = self.store.load(&id)?;
                for w in &incident.warnings {
                    eprintln!("sitrep: warning: {id}: {}", clean_line(w, 300));
                }
                print!("{}", show(&incident, now, *ids));
            }
            IncidentCommand::Export { id, format, output } => {
                let id = self.store.resolve_id(id)?;
                let incident = self.store.load(&id)?;
                for w in &incident.warnings {
                    eprintln!("sitrep: warning: {id}: {}", clean_line(w, 300));
                }
                let text = export(&incident, *format)?;
                match output {
                    Some(path) => {
                        std::fs::write(path, text)
                            .with_context(|| format!("cannot write {}", path.display()))?;
                        eprintln!("sitrep: {id} exported to {}", path.display());
                    }
                    None => {
                        use std::io::Write;
                        std::io::stdout().write_all(text.as_bytes())?;
                    }
                }
            }
        }
        Ok(ExitCode::SUCCESS)
    }

    /// Open `id` for writing (resolving `active`), append, and say what it is now.
    fn append(&mut self, id: &str, events: Vec<TimelineEvent>) -> anyhow::Result<Incident> {
        let id = self.store.resolve_id(id)?;
        let (mut journal, loaded) = self.store.dir.open(&id)?;
        for w in &loaded.warnings {
            eprintln!("sitrep: warning: {id}: {}", clean_line(w, 300));
        }
        journal
            .append(&self.store.dir, events)
            .map_err(|e| match e {
                JournalError::Failed { .. } => anyhow::anyhow!("{e}: NOT recorded"),
                other => other.into(),
            })?;
        Ok(self.store.load(&id)?)
    }
}

fn export(incident: &Incident, format: ExportFormat) -> anyhow::Result<String> {
    Ok(super::export_text(incident, format == ExportFormat::Md))
}

/// `sitrep incident list`.
pub fn list(incidents: &[Incident], now: DateTime<Utc>) -> String {
    if incidents.is_empty() {
        return "no incidents yet (sitrep incident new --title … or `i` in the dashboard)\n"
            .to_string();
    }
    let mut out = format!(
        "{:<16} {:<5} {:<10} {:<20} {:<9} TITLE\n",
        "ID", "SEV", "STATUS", "DECLARED (UTC)", "DURATION"
    );
    for i in incidents {
        let m = &i.meta;
        let end = m.ended_at().unwrap_or(now);
        let _ = writeln!(
            out,
            "{:<16} {:<5} {:<10} {:<20} {:<9} {}",
            m.id,
            clean_line(&m.severity, 5),
            m.status.as_str(),
            m.declared_at.format("%Y-%m-%d %H:%M:%S"),
            human_duration(end - m.impact_start()),
            clean_line(&m.title, 80)
        );
    }
    out
}

/// `sitrep incident show ID`.
pub fn show(incident: &Incident, now: DateTime<Utc>, with_ids: bool) -> String {
    let m = &incident.meta;
    let mut out = String::new();
    let _ = writeln!(out, "{} — {}", m.id, clean_line(&m.title, 200));
    let _ = writeln!(
        out,
        "{} · {} · commander {} · services {}",
        clean_line(&m.severity, 5),
        m.status.as_str(),
        clean_line(&m.commander, 60),
        if m.services.is_empty() {
            "none named".to_string()
        } else {
            clean_line(&m.services.join(", "), 200)
        }
    );
    let end = m.ended_at();
    let _ = writeln!(
        out,
        "declared {} UTC by {} · {} {}{}",
        m.declared_at.format("%Y-%m-%d %H:%M:%S"),
        clean_line(&m.declared_by, 60),
        if end.is_some() {
            "lasted"
        } else {
            "running for"
        },
        human_duration(end.unwrap_or(now) - m.impact_start()),
        if m.milestones.contains_key(&Milestone::ImpactStarted) {
            " since impact started"
        } else {
            " since the declaration (impact start not marked)"
        }
    );
    for ms in Milestone::ALL {
        let at = match m.milestones.get(&ms) {
            Some(t) => format!(
                "{} (+{})",
                t.format("%H:%M:%S"),
                human_duration(*t - m.impact_start())
            ),
            None => "not marked".to_string(),
        };
        let _ = writeln!(out, "  {:<15} {at}", ms.title());
    }
    for w in m.order_warnings() {
        let _ = writeln!(out, "  warning: {w}");
    }
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "{}{:<19}  {:<12} {:<12} EVENT",
        if with_ids {
            format!("{:<26} ", "ID")
        } else {
            String::new()
        },
        "TIME (UTC)",
        "SOURCE",
        "ACTOR"
    );
    for e in &incident.events {
        let _ = writeln!(
            out,
            "{}{}  {:<12} {:<12} {}{}",
            if with_ids {
                format!("{:<26} ", clean_line(&e.id, 26))
            } else {
                String::new()
            },
            e.occurred_at.format("%Y-%m-%d %H:%M:%S"),
            source_word(e.source),
            clean_line(&e.actor, 12),
            if e.highlight { "★ " } else { "" },
            clean_line(&e.summary, 160)
        );
        for line in e.body.lines().filter(|_| e.body != e.summary).take(20) {
            let _ = writeln!(
                out,
                "{}{:<47}│ {}",
                if with_ids {
                    " ".repeat(27)
                } else {
                    String::new()
                },
                "",
                clean_line(line, 160)
            );
        }
    }
    out
}
