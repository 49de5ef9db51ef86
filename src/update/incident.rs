//! Declaring and living an incident: the declare form (`i`), milestones (`m`), stars (`*`),
//! time corrections (`E`), severity, export (`e`); which events the journal records; what the
//! journal reports back.

use super::flash;
use crate::effect::Effect;
use crate::incident::events;
use crate::incident::state::{Declaration, IncidentMeta, Milestone, SEVERITIES, apply_to_events};
use crate::incident::worker::{JournalReport, JournalRequest};
use crate::model::Model;
use crate::model::incident::JournalHealth;
use crate::model::popup::{DeclareField, DeclareForm, Popup};
use crate::model::timeline::{EventKind, EventSource, TimelineEvent};
use crate::model::ui::FlashLevel;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui_textarea::TextArea;

/// Why incidents can't be used now, if they can't.
fn unavailable(model: &Model) -> Option<String> {
    match &model.incident.journal {
        JournalHealth::Unavailable => {
            Some("incidents need a data directory: set XDG_DATA_HOME or HOME".to_string())
        }
        JournalHealth::Failed(e) => Some(format!("the incident journal failed: {e}")),
        JournalHealth::Ready => None,
    }
}

// ---------------------------------------------------------------------------------------
// Which events are recorded.

/// Does this event belong in the open incident's journal? Its own events, the responders'
/// notes and actions, source failures, anything about an affected service, and critical
/// alerts anywhere (a cascade is part of the story).
fn concerns(meta: &IncidentMeta, e: &TimelineEvent) -> bool {
    if matches!(
        e.source,
        EventSource::User | EventSource::Sitrep | EventSource::Runbook
    ) {
        return true;
    }
    if e.refs
        .service
        .as_ref()
        .is_some_and(|s| meta.services.iter().any(|x| x == s))
    {
        return true;
    }
    e.kind == EventKind::AlertFiring && e.highlight
}

/// Is this observation already in the incident's journal? After a restart the sources report
/// what is firing again (dated when it began): the journal has it, so it is neither shown
/// twice nor recorded twice.
pub fn already_recorded(model: &Model, e: &TimelineEvent) -> bool {
    if model.incident.meta.is_none() || e.source == EventSource::User {
        return false;
    }
    let key = observation(e);
    let t = &model.timeline;
    let from = t.partition_point(|x| x.occurred_at < e.occurred_at);
    t[from..]
        .iter()
        .take_while(|x| x.occurred_at == e.occurred_at)
        .any(|x| x.incident_id.is_some() && observation(x) == key)
}

/// What an event observed, to know it again when a source reports it again: an alert by its
/// fingerprint and start (two alerts with one summary in two clusters stay two), anything else
/// by its time and words.
fn observation(e: &TimelineEvent) -> (EventKind, String) {
    match (e.details.get("fingerprint"), e.details.get("starts_at")) {
        (Some(fp), Some(start)) => (e.kind, format!("{fp}@{start}")),
        _ => (
            e.kind,
            format!("{}|{}", e.occurred_at.to_rfc3339(), e.summary),
        ),
    }
}

/// Called for every new event: route it to the journal when it concerns the open incident.
pub fn on_new_event(model: &mut Model, e: &mut TimelineEvent) {
    let Some(meta) = &model.incident.meta else {
        return;
    };
    if e.incident_id.is_some() || !concerns(meta, e) {
        return;
    }
    e.incident_id = Some(meta.id.clone());
    if model.incident.journal == JournalHealth::Ready {
        model.incident.pending.insert(e.id.clone());
        model.incident.outbox.push(e.clone());
    } else {
        // Failed: it stays on screen, marked as not recorded.
        model.incident.pending.insert(e.id.clone());
    }
}

/// A deploy or rollback goes to the journal with sitrep's suspect verdict as of now (the
/// derived views are current when this runs), so the post-mortem can say which change was
/// suspected and why.
fn with_verdict(model: &Model, mut e: TimelineEvent) -> TimelineEvent {
    if !matches!(e.kind, EventKind::Deploy | EventKind::Rollback) {
        return e;
    }
    let history_id = e.details.get("history_id").and_then(|v| v.as_i64());
    let app = e.refs.app.as_deref();
    let Some(d) = model
        .deploys
        .iter()
        .find(|d| Some(d.app.name.as_str()) == app && d.history_id == history_id)
    else {
        return e;
    };
    e.details["suspect"] = serde_json::Value::Bool(d.suspect);
    if d.suspect {
        e.details["suspect_reason"] = serde_json::Value::String(format!(
            "finished within {} min before the first alert on {}",
            model.settings.suspect_window_secs / 60,
            d.service.as_deref().unwrap_or("its service")
        ));
    }
    e
}

/// What is waiting for the journal, as one request per batch of messages.
pub fn drain(model: &mut Model) -> Vec<Effect> {
    if model.incident.outbox.is_empty() {
        return Vec::new();
    }
    let events: Vec<TimelineEvent> = std::mem::take(&mut model.incident.outbox)
        .into_iter()
        .map(|e| with_verdict(model, e))
        .collect();
    vec![Effect::Journal(JournalRequest::Append(events))]
}

// ---------------------------------------------------------------------------------------
// What the journal reports.

pub fn on_report(model: &mut Model, report: JournalReport) -> Vec<Effect> {
    match report {
        JournalReport::Opened {
            meta,
            entries,
            warnings,
            declared_here,
        } => {
            model.incident.declaring = false;
            let id = meta.id.clone();
            let title = meta.title.clone();
            let severity = meta.severity.clone();
            model.incident.meta = Some(*meta);
            model.incident.warnings = warnings;
            let n = entries.len();
            take_entries(model, entries, false);
            // Resumed after the sources answered, or events that came while the declaration
            // was being written: recorded now.
            catch_up(model);
            if declared_here {
                flash(
                    model,
                    FlashLevel::Success,
                    format!(
                        "{id} declared ({severity}): {} recorded · m milestone · n note · e export",
                        crate::ui::format::plural(n, "event")
                    ),
                );
            } else {
                flash(
                    model,
                    FlashLevel::Info,
                    format!("{id} open: {title} ({n} events) · m milestone · n note"),
                );
            }
        }
        JournalReport::Recorded(entries) => {
            for en in entries {
                model.incident.pending.remove(&en.event.id);
                model.incident.recorded.insert(en.event.id);
            }
        }
        JournalReport::Others(entries) => take_entries(model, entries, true),
        JournalReport::Failed(e) => {
            model.incident.declaring = false;
            model.incident.outbox.clear();
            model.incident.journal = JournalHealth::Failed(e.clone());
            model.notify_outbox.push(crate::notify::journal_failure(&e));
            flash(
                model,
                FlashLevel::Error,
                format!("JOURNAL FAILED, events are no longer recorded: {e}"),
            );
        }
        JournalReport::Refused(e) => {
            model.incident.declaring = false;
            flash(model, FlashLevel::Error, e);
        }
        JournalReport::Closed(id) => {
            model.incident.meta = None;
            model.incident.pending.clear();
            model.incident.starred.clear();
            model.incident.warnings.clear();
            flash(
                model,
                FlashLevel::Success,
                format!("{id} resolved and closed · e exports its post-mortem"),
            );
        }
        JournalReport::Exported(Ok(path)) => {
            // The file's name first: a narrow status line cuts the directory, not the name.
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let dir = path
                .parent()
                .map(|d| d.display().to_string())
                .unwrap_or_default();
            flash(
                model,
                FlashLevel::Success,
                format!("post-mortem written: {name} in {dir}"),
            )
        }
        JournalReport::Exported(Err(e)) => {
            flash(model, FlashLevel::Error, format!("export failed: {e}"))
        }
    }
    Vec::new()
}

/// Events from the journal (resumed, back-filled, or written by another process): already
/// recorded, so they go on the timeline without going back to the journal. `fold` folds them
/// into the incident's metadata too (not for `Opened`, whose metadata has them already).
fn take_entries(model: &mut Model, entries: Vec<crate::incident::journal::Entry>, fold: bool) {
    model.timeline_changing();
    // Looked up once: a resumed journal can hold 100,000 events, the timeline 50,000.
    let on_screen: std::collections::HashSet<String> =
        model.timeline.iter().map(|e| e.id.clone()).collect();
    for en in entries {
        let e = en.event;
        model.incident.pending.remove(&e.id);
        model.incident.recorded.insert(e.id.clone());
        if fold
            && meta_needs(&e)
            && let Some(meta) = &mut model.incident.meta
        {
            meta.apply(&e);
        }
        model.incident.note_star(&e);
        apply_to_events(&mut model.timeline, &e);
        if on_screen.contains(&e.id)
            && let Some(x) = model.timeline.iter_mut().rev().find(|x| x.id == e.id)
        {
            // Back-filled: ours already, now part of the incident.
            x.incident_id = e.incident_id;
            continue;
        }
        super::events::insert_recorded(model, e);
    }
}

/// Resumed after sources already answered: what they reported that the journal does not have
/// yet (an alert that fired while sitrep was not running) is recorded now; what it has already
/// (the same observation, reported again) is shown once.
fn catch_up(model: &mut Model) {
    let Some(meta) = model.incident.meta.clone() else {
        return;
    };
    let since = meta.declared_at - chrono::Duration::minutes(meta.backfill_minutes);
    let seen: std::collections::HashSet<(EventKind, String)> = model
        .timeline
        .iter()
        .filter(|e| e.incident_id.is_some())
        .map(observation)
        .collect();
    model.timeline_changing();
    model
        .timeline
        .retain(|e| e.incident_id.is_some() || !seen.contains(&observation(e)));
    let mut record = Vec::new();
    for e in model.timeline.iter_mut() {
        if e.incident_id.is_none() && e.occurred_at >= since && concerns(&meta, e) {
            e.incident_id = Some(meta.id.clone());
            record.push(e.clone());
        }
    }
    if model.incident.journal == JournalHealth::Ready {
        for e in record {
            model.incident.pending.insert(e.id.clone());
            model.incident.outbox.push(e);
        }
    }
    let last = model.timeline_len().saturating_sub(1);
    model.timeline_cursor.selected = model.timeline_cursor.selected.min(last);
}

/// Events that change the incident's metadata when they come from elsewhere.
fn meta_needs(e: &TimelineEvent) -> bool {
    matches!(
        e.kind,
        EventKind::Milestone
            | EventKind::SeverityChanged
            | EventKind::StatusChanged
            | EventKind::TimeCorrected
    )
}

// ---------------------------------------------------------------------------------------
// Declaring.

/// `i`: the declare form, prefilled from the selection (or what the open incident is).
pub fn open_declare(model: &mut Model) -> Vec<Effect> {
    if let Some(why) = unavailable(model) {
        flash(model, FlashLevel::Error, why);
        return Vec::new();
    }
    if let Some(meta) = model.incident.active() {
        let text = format!(
            "{} is active ({}, {}): m marks a milestone, n adds a note, e exports",
            meta.id, meta.severity, meta.title
        );
        flash(model, FlashLevel::Info, text);
        return Vec::new();
    }
    if model.incident.declaring {
        return Vec::new();
    }
    let service = model.selected_service().map(|s| s.name.clone());
    let title = service
        .as_ref()
        .and_then(|_| super::keys::selected_alert(model))
        .map(|a| {
            let summary = a.summary();
            if summary.is_empty() {
                a.name().to_string()
            } else {
                format!("{}: {summary}", a.name())
            }
        })
        .or_else(|| service.as_ref().map(|s| format!("{s} degraded")))
        .unwrap_or_default();
    let severity = match super::keys::selected_alert(model).map(|a| a.severity()) {
        Some(crate::model::alert::Severity::Critical) => 1,
        _ => 2,
    };
    let area = |text: String| {
        let mut ta = TextArea::new(vec![crate::sanitize::clean_line(&text, 200)]);
        ta.move_cursor(ratatui_textarea::CursorMove::End);
        super::silence::themed(&mut ta, &model.theme);
        ta
    };
    let mut form = DeclareForm {
        title: area(title),
        severity,
        commander: area(model.settings.author.clone()),
        services: area(service.unwrap_or_default()),
        field: DeclareField::Title,
        problem: None,
    };
    form.title
        .set_placeholder_text("what is broken, in a few words (required)");
    form.services
        .set_placeholder_text("affected services, comma-separated");
    model.popup = Some(Popup::Declare(Box::new(form)));
    Vec::new()
}

pub fn paste(form: &mut DeclareForm, text: &str) {
    match form.field {
        DeclareField::Title => form.title.insert_str(text),
        DeclareField::Commander => form.commander.insert_str(text),
        DeclareField::Services => form.services.insert_str(text),
        DeclareField::Severity => false,
    };
}

pub fn on_declare_key(model: &mut Model, key: KeyEvent) -> Vec<Effect> {
    let Some(Popup::Declare(form)) = &mut model.popup else {
        return Vec::new();
    };
    let order = [
        DeclareField::Title,
        DeclareField::Severity,
        DeclareField::Commander,
        DeclareField::Services,
    ];
    let at = order.iter().position(|f| *f == form.field).unwrap_or(0);
    match key.code {
        KeyCode::Esc => {
            model.popup = None;
            flash(model, FlashLevel::Info, "not declared");
            return Vec::new();
        }
        KeyCode::Char('c') if key.modifiers.contains(KeyModifiers::CONTROL) => {
            model.popup = None;
            return Vec::new();
        }
        KeyCode::Tab | KeyCode::Down => form.field = order[(at + 1) % order.len()],
        KeyCode::BackTab | KeyCode::Up => form.field = order[(at + order.len() - 1) % order.len()],
        KeyCode::Enter => return submit_declare(model),
        _ if form.field == DeclareField::Severity => match key.code {
            KeyCode::Left | KeyCode::Char('h') => form.severity = form.severity.saturating_sub(1),
            KeyCode::Right | KeyCode::Char('l') => {
                form.severity = (form.severity + 1).min(SEVERITIES.len() - 1)
            }
            KeyCode::Char(c @ '1'..='4') => form.severity = c as usize - '1' as usize,
            _ => {}
        },
        _ => {
            let area = match form.field {
                DeclareField::Title => &mut form.title,
                DeclareField::Commander => &mut form.commander,
                _ => &mut form.services,
            };
            area.input(key);
            form.problem = None;
        }
    }
    Vec::new()
}

fn submit_declare(model: &mut Model) -> Vec<Effect> {
    let Some(Popup::Declare(form)) = &mut model.popup else {
        return Vec::new();
    };
    let title = crate::sanitize::clean_line(form.title.lines().join(" ").trim(), 200);
    if title.is_empty() {
        form.problem = Some("a title is needed: what is broken?".to_string());
        form.field = DeclareField::Title;
        return Vec::new();
    }
    let commander = crate::sanitize::clean_line(form.commander.lines().join(" ").trim(), 80);
    let services: Vec<String> = form
        .services
        .lines()
        .join(",")
        .split(',')
        .map(|s| crate::sanitize::clean_line(s.trim(), 120))
        .filter(|s| !s.is_empty())
        .collect();
    let decl = Declaration {
        title,
        severity: SEVERITIES[form.severity.min(3)].to_string(),
        commander: if commander.is_empty() {
            model.settings.author.clone()
        } else {
            commander
        },
        services,
        backfill_minutes: model.settings.backfill_minutes,
    };
    model.popup = None;
    model.incident.declaring = true;
    let mut declared = events::declared(&decl, &model.settings.author, model.now);
    declared.id = model.event_ids.mint(model.now);
    let backfill = backfill(model, &decl);
    flash(model, FlashLevel::Info, "declaring…");
    vec![Effect::Journal(JournalRequest::Declare {
        declared: Box::new(declared),
        backfill,
    })]
}

/// Events of the window before the declaration that concern the affected services (and the
/// responders' own notes and actions), in time order.
fn backfill(model: &Model, decl: &Declaration) -> Vec<TimelineEvent> {
    let since = model.now - chrono::Duration::minutes(decl.backfill_minutes);
    let Some(probe) = IncidentMeta::from_declaration(&events::declared(decl, "", model.now)) else {
        return Vec::new();
    };
    model
        .timeline
        .iter()
        .filter(|e| e.occurred_at >= since && e.occurred_at <= model.now)
        .filter(|e| concerns(&probe, e))
        .map(|e| with_verdict(model, e.clone()))
        .collect()
}

// ---------------------------------------------------------------------------------------
// Living it.

/// `m`: the milestone picker.
pub fn open_milestone(model: &mut Model) -> Vec<Effect> {
    let Some(meta) = model.incident.active() else {
        let why =
            unavailable(model).unwrap_or_else(|| "no incident is open: i declares one".to_string());
        flash(model, FlashLevel::Info, why);
        return Vec::new();
    };
    // The cursor starts on the first milestone not marked yet.
    let cursor = Milestone::ALL
        .iter()
        .position(|m| !meta.milestones.contains_key(m))
        .unwrap_or(Milestone::ALL.len() - 1);
    model.popup = Some(Popup::Milestone { cursor });
    Vec::new()
}

pub fn on_milestone_key(model: &mut Model, key: KeyEvent) -> Vec<Effect> {
    let Some(Popup::Milestone { cursor }) = &mut model.popup else {
        return Vec::new();
    };
    let n = Milestone::ALL.len();
    match key.code {
        KeyCode::Esc | KeyCode::Char('q') => model.popup = None,
        KeyCode::Down | KeyCode::Char('j') => *cursor = (*cursor + 1).min(n - 1),
        KeyCode::Up | KeyCode::Char('k') => *cursor = cursor.saturating_sub(1),
        KeyCode::Char(c @ '1'..='5') => {
            let m = Milestone::ALL[c as usize - '1' as usize];
            model.popup = None;
            mark(model, m);
        }
        KeyCode::Enter => {
            let m = Milestone::ALL[(*cursor).min(n - 1)];
            model.popup = None;
            mark(model, m);
        }
        _ => {}
    }
    Vec::new()
}

/// Record a milestone now; warn (never refuse) when it is out of the usual order.
pub fn mark(model: &mut Model, m: Milestone) {
    let Some(meta) = &mut model.incident.meta else {
        return;
    };
    let mut e = events::milestone(m, &model.settings.author, model.now);
    // The id first: the incident's metadata remembers which event marked the milestone.
    e.id = model.event_ids.mint(model.now);
    meta.apply(&e);
    let warnings = meta.order_warnings();
    super::events::push_event(model, e);
    match warnings.first() {
        Some(w) => flash(
            model,
            FlashLevel::Info,
            format!("{} marked · ⚠ out of order: {w}", m.title()),
        ),
        None => flash(model, FlashLevel::Success, format!("{} marked", m.title())),
    }
}

/// `*` on the Timeline: star the selected event as a key event of the post-mortem (again:
/// unstar).
pub fn star(model: &mut Model) -> Vec<Effect> {
    let Some(meta) = model.incident.active() else {
        flash(
            model,
            FlashLevel::Info,
            "stars mark key events of an incident: i declares one",
        );
        return Vec::new();
    };
    let incident_id = meta.id.clone();
    let Some(target) = model.selected_event().cloned() else {
        return Vec::new();
    };
    if target.kind == EventKind::Starred {
        return Vec::new();
    }
    ensure_in_journal(model, &target.id, &incident_id);
    let on = !model.incident.starred.contains(&target.id);
    let e = events::starred(&target, on, &model.settings.author, model.now);
    model.incident.note_star(&e);
    model.timeline_changing();
    apply_to_events(&mut model.timeline, &e);
    super::events::push_event(model, e);
    flash(
        model,
        FlashLevel::Success,
        if on {
            "★ starred: a key event of the post-mortem"
        } else {
            "star removed"
        },
    );
    Vec::new()
}

/// An event the incident did not record (before it, another service) is recorded first, so a
/// star or a correction points at something the journal has — once, whatever is pressed next.
fn ensure_in_journal(model: &mut Model, event_id: &str, incident_id: &str) {
    if model.incident.recorded.contains(event_id) || model.incident.pending.contains(event_id) {
        return;
    }
    let Some(e) = model.timeline.iter_mut().find(|e| e.id == event_id) else {
        return;
    };
    e.incident_id = Some(incident_id.to_string());
    let copy = e.clone();
    model.incident.pending.insert(copy.id.clone());
    if model.incident.journal == JournalHealth::Ready {
        model.incident.outbox.push(copy);
    }
}

/// `E` on the Timeline: ask for the right time of the selected event.
pub fn open_correction(model: &mut Model) -> Vec<Effect> {
    if model.incident.active().is_none() {
        flash(
            model,
            FlashLevel::Info,
            "times are corrected within an incident: i declares one",
        );
        return Vec::new();
    }
    let Some(target) = model.selected_event() else {
        return Vec::new();
    };
    if matches!(target.kind, EventKind::Starred | EventKind::TimeCorrected) {
        flash(
            model,
            FlashLevel::Info,
            "a star or a correction happened when it was made: correct the event it names",
        );
        return Vec::new();
    }
    let id = target.id.clone();
    model.prompt = Some(crate::model::ui::Prompt::new(
        crate::model::ui::PromptKind::CorrectTime(id),
        String::new(),
    ));
    Vec::new()
}

/// The correction prompt's line: `HH:MM[:SS] reason…`.
pub fn correct(model: &mut Model, target_id: &str, line: &str) -> Result<(), String> {
    let line = line.trim();
    let (time, reason) = match line.split_once(' ') {
        Some((d, rest)) if d.len() == 10 && d.contains('-') => {
            // `2026-12-04 12:35 reason`
            let (t, reason) = rest.split_once(' ').unwrap_or((rest, ""));
            (format!("{d} {t}"), reason.trim().to_string())
        }
        Some((t, reason)) => (t.to_string(), reason.trim().to_string()),
        None => (line.to_string(), String::new()),
    };
    let to = crate::incident::time_input::parse_time(&time, model.now)?;
    if reason.is_empty() {
        return Err(
            "say why after the time: `12:35 the graph shows the first 5xx at 12:35`".into(),
        );
    }
    let Some(target) = model.timeline.iter().find(|e| e.id == target_id).cloned() else {
        return Err("that event is no longer on the timeline".to_string());
    };
    let e = events::time_corrected(
        &target,
        to,
        &crate::sanitize::clean_line(&reason, 500),
        &model.settings.author,
        model.now,
    );
    if let Some(id) = model.incident.meta.as_ref().map(|m| m.id.clone()) {
        ensure_in_journal(model, &target.id, &id);
    }
    if let Some(meta) = &mut model.incident.meta {
        meta.apply(&e);
    }
    model.timeline_changing();
    apply_to_events(&mut model.timeline, &e);
    super::events::push_event(model, e);
    flash(
        model,
        FlashLevel::Success,
        format!(
            "time corrected to {} (the old time stays in the journal)",
            to.format("%H:%M:%S")
        ),
    );
    Ok(())
}

/// `:severity SEV1`.
pub fn set_severity(model: &mut Model, arg: &str) -> Vec<Effect> {
    let Some(to) = crate::incident::state::parse_severity(arg) else {
        flash(
            model,
            FlashLevel::Error,
            format!("`{arg}`: expected SEV1, SEV2, SEV3 or SEV4"),
        );
        return Vec::new();
    };
    let Some(meta) = &mut model.incident.meta else {
        flash(
            model,
            FlashLevel::Info,
            "no incident is open: i declares one",
        );
        return Vec::new();
    };
    if meta.severity == to {
        return Vec::new();
    }
    let e = events::severity_changed(&meta.severity, to, &model.settings.author, model.now);
    meta.apply(&e);
    super::events::push_event(model, e);
    flash(model, FlashLevel::Success, format!("severity now {to}"));
    Vec::new()
}

/// `e`: the post-mortem of the open (or last) incident, written next to its journal.
pub fn export(model: &mut Model) -> Vec<Effect> {
    if model.incident.journal == JournalHealth::Unavailable {
        flash(
            model,
            FlashLevel::Error,
            unavailable(model).unwrap_or_default(),
        );
        return Vec::new();
    }
    flash(model, FlashLevel::Info, "exporting…");
    vec![Effect::Journal(JournalRequest::Export { markdown: true })]
}
