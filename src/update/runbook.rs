//! The runbook pane: `r` opens the runbook of the selected alert or service beside the triage
//! view; `j`/`k` move over its commands and tasks, `Enter` runs a command, `space` ticks a task,
//! `s` skips with a reason, `x` cancels a running command, `Esc` closes. Variables come from the
//! alert's labels, validated, and reach commands only as environment variables. Every step
//! lands on the timeline (and in the incident's journal when one is open).

use super::flash;
use crate::effect::Effect;
use crate::exec::command::{CommandResult, CommandSpec};
use crate::model::Model;
use crate::model::popup::{ConfirmStep, Confirmation};
use crate::model::runbook_pane::{
    ItemState, PendingRun, RunOutput, RunRecord, RunbookPane, VarValue,
};
use crate::model::source::SourceKind;
use crate::model::timeline::{EventKind, EventSource, TimelineEvent};
use crate::model::ui::{FlashLevel, Screen};
use crate::runbook::{CommandKind, Expect, ItemBody};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use serde_json::json;
use std::time::Duration;

/// A command without its own `timeout` gets this long.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);
/// Output kept on the timeline for one command (the pane keeps what the runner kept).
const EVENT_OUTPUT_CHARS: usize = 2000;

/// `r`: open the runbook of the selected alert (or service).
pub fn open(model: &mut Model) -> Vec<Effect> {
    let alert = super::keys::selected_alert(model).cloned();
    // The alert's own service first (on the Alerts screen the triage selection is another
    // service); the triage selection only when no alert is selected.
    let service = alert
        .as_ref()
        .and_then(|a| model.alert_service_name(a))
        .map(str::to_string)
        .or_else(|| {
            (model.screen == Screen::Triage)
                .then(|| model.selected_service().map(|s| s.name.clone()))
                .flatten()
        });
    let catalog_runbooks: Vec<String> = service
        .as_deref()
        .map(|s| {
            model
                .owner_card(s)
                .links
                .into_iter()
                .filter(|l| l.kind == "runbook")
                .map(|l| l.url)
                .collect()
        })
        .unwrap_or_default();
    let found = crate::runbook::matching::find(
        &model.runbooks,
        alert.as_ref().map(|a| a.name()),
        alert
            .as_ref()
            .and_then(|a| a.annotations.get("runbook_url"))
            .map(String::as_str),
        &catalog_runbooks,
        service.as_deref(),
    );
    let Some(best) = found.books.first().cloned() else {
        let open = model.keymap.hint(crate::action::Action::Open);
        let named = alert
            .as_ref()
            .and_then(|a| a.annotations.get("runbook_url"))
            .filter(|u| !u.trim().is_empty());
        let text = match (&found.link, &alert) {
            (Some(url), _) => format!(
                "runbook: {url} (a link: {open} opens it; sitrep never runs a runbook from a URL)"
            ),
            (None, Some(_)) if named.is_some() => format!(
                "runbook_url names {}, which is in no runbooks directory ({}; --runbooks DIR)",
                crate::sanitize::clean_line(named.map(String::as_str).unwrap_or(""), 80),
                dirs_said(model)
            ),
            (None, Some(a)) => format!(
                "no runbook for {} in {} (runbook_url, or a runbook listing the alert or service)",
                a.name(),
                dirs_said(model)
            ),
            (None, None) => format!("no runbook: nothing selected ({})", dirs_said(model)),
        };
        flash(model, FlashLevel::Info, text);
        return Vec::new();
    };
    let mut pane = RunbookPane {
        book: best.book.clone(),
        why: best.why.clone(),
        others: found.books[1..]
            .iter()
            .map(|c| c.book.title.clone())
            .collect(),
        labels: alert.as_ref().map(|a| a.labels.clone()).unwrap_or_default(),
        alert: alert.map(|a| (a.fingerprint.clone(), a.name().to_string())),
        service,
        cursor: 0,
        states: Default::default(),
        outputs: Default::default(),
        pending: None,
    };
    restore_states(model, &mut pane);
    pane.cursor = pane.first_open();
    model.runbook_pane = Some(pane);
    model.screen = Screen::Triage;
    Vec::new()
}

fn dirs_said(model: &Model) -> String {
    format!("{} runbooks loaded", model.runbooks.len())
}

/// Step state lives in the timeline: what was done with this runbook before (this session, or
/// the incident's journal after a restart) is shown done again.
fn restore_states(model: &Model, pane: &mut RunbookPane) {
    let source = pane.book.source.display().to_string();
    // Work on this runbook for this alert only: the same runbook for another namespace starts
    // fresh.
    let alert = pane.alert.as_ref().map(|(fp, _)| fp.as_str());
    for e in &model.timeline {
        if e.source != EventSource::Runbook
            || e.details.get("runbook").and_then(|v| v.as_str()) != Some(source.as_str())
            || e.details.get("alert").and_then(|v| v.as_str()) != alert
        {
            continue;
        }
        let Some(key) = e.details.get("key").and_then(|v| v.as_str()) else {
            continue;
        };
        if e.details.get("undone").and_then(|v| v.as_bool()) == Some(true) {
            pane.states.remove(key);
            continue;
        }
        let state = match e.kind {
            EventKind::RunbookStepDone => ItemState::Done,
            EventKind::RunbookCheckPassed => ItemState::Passed,
            EventKind::RunbookCheckFailed => ItemState::Failed(e.summary.clone()),
            EventKind::RunbookStepSkipped => ItemState::Skipped(e.body.clone()),
            _ => continue,
        };
        pane.states.insert(key.to_string(), state);
    }
    // Runs still going (the pane was closed meanwhile) show as running: no second copy.
    for (id, run) in &model.runbook_runs {
        if run.runbook == source && run.alert.as_deref() == alert {
            pane.states.insert(run.key.clone(), ItemState::Running(*id));
        }
    }
}

/// The variables as the selected command would get them: each from its label on the alert,
/// validated against its pattern, else its default.
pub fn var_values(model: &Model, pane: &RunbookPane) -> Vec<VarValue> {
    // The live alert's labels, else those it had when the pane opened (it may have resolved:
    // the Verify steps run exactly then).
    let live = pane.alert.as_ref().and_then(|(fp, _)| model.alerts.get(fp));
    let labels = live.map(|a| &a.labels).unwrap_or(&pane.labels);
    let alert_name = match (&pane.alert, live) {
        (Some((_, n)), Some(_)) => n.clone(),
        (Some((_, n)), None) => format!("{n} (resolved)"),
        (None, _) => "the alert".to_string(),
    };
    let alert_name = alert_name.as_str();
    pane.book
        .vars
        .iter()
        .map(|(name, spec)| {
            let from_label = spec
                .label
                .as_ref()
                .and_then(|l| labels.get(l).map(|v| (l, v)));
            let (raw, origin) = match (from_label, &spec.default) {
                (Some((label, v)), _) => {
                    (Some(v.clone()), format!("label {label} of {alert_name}"))
                }
                (None, Some(d)) => (Some(d.clone()), "default".to_string()),
                (None, None) => (None, String::new()),
            };
            let value = match raw {
                Some(raw) => spec.validate(&raw).map_err(|e| {
                    format!(
                        "{origin} is `{}`: {e}",
                        crate::sanitize::clean_line(&raw, 60)
                    )
                }),
                None => Err(match &spec.label {
                    Some(l) => format!("{alert_name} has no label {l} (and no default)"),
                    None => "no label and no default".to_string(),
                }),
            };
            VarValue {
                name: name.clone(),
                value,
                origin,
            }
        })
        .collect()
}

/// Keys while the pane is open on the triage screen. `None`: not the pane's key.
pub fn on_key(model: &mut Model, key: KeyEvent) -> Option<Vec<Effect>> {
    let pane = model.runbook_pane.as_mut()?;
    if model.screen != Screen::Triage {
        return None;
    }
    // Confirming a command first: that takes every key. Only `y` runs a command that asks
    // (Enter, pressed twice or repeating, must not).
    if let Some(pending) = &pane.pending {
        if pending.confirm.name.is_none() && key.code == KeyCode::Enter {
            return Some(Vec::new());
        }
        // What is confirmed must have been shown whole: a command taller than the pane can
        // show is refused until the terminal is taller.
        if matches!(
            key.code,
            KeyCode::Char('y') | KeyCode::Char('Y') | KeyCode::Enter
        ) {
            let lines = pane
                .command(&pending.key)
                .map(|c| c.text.lines().count() + pane.book.vars.len() + 4)
                .unwrap_or(0);
            let room = usize::from(model.size.1).saturating_mul(3) / 4;
            if model.size.1 > 0 && lines > room.saturating_sub(6) {
                flash(
                    model,
                    FlashLevel::Error,
                    "the command does not fit on screen: make the terminal taller to read it first",
                );
                return Some(Vec::new());
            }
        }
    }
    let pane = model.runbook_pane.as_mut()?;
    if let Some(pending) = pane.pending.as_mut() {
        let step = pending.confirm.on_key(key);
        return Some(match step {
            ConfirmStep::Confirmed => {
                let key = pending.key.clone();
                pane.pending = None;
                start(model, &key)
            }
            ConfirmStep::Back => {
                pane.pending = None;
                flash(model, FlashLevel::Info, "not run");
                Vec::new()
            }
            ConfirmStep::Waiting => Vec::new(),
        });
    }
    let n = pane.actionable().len();
    let plain = !key
        .modifiers
        .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT);
    // Moving, running and closing follow the user's `[keys]` (down, up, top, bottom, enter,
    // back); the pane's own keys after them.
    use crate::action::Action;
    match model.keymap.action_for(&key) {
        Some(Action::Down) => {
            pane.cursor = (pane.cursor + 1).min(n.saturating_sub(1));
            return Some(Vec::new());
        }
        Some(Action::Up) => {
            pane.cursor = pane.cursor.saturating_sub(1);
            return Some(Vec::new());
        }
        Some(Action::Top) => {
            pane.cursor = 0;
            return Some(Vec::new());
        }
        Some(Action::Bottom) => {
            pane.cursor = n.saturating_sub(1);
            return Some(Vec::new());
        }
        Some(Action::Back) => {
            model.runbook_pane = None;
            return Some(Vec::new());
        }
        Some(Action::Enter) => return Some(run_selected(model)),
        _ => {}
    }
    match key.code {
        KeyCode::Char(' ') if plain => return Some(tick(model)),
        KeyCode::Char('s') if plain => {
            if let Some((key, _)) = pane.selected() {
                if matches!(pane.state(&key), ItemState::Running(_)) {
                    flash(model, FlashLevel::Info, "running: x cancels it first");
                    return Some(Vec::new());
                }
                model.prompt = Some(crate::model::ui::Prompt::new(
                    crate::model::ui::PromptKind::SkipStep(key),
                    String::new(),
                ));
            }
        }
        KeyCode::Char('x') if plain => return Some(cancel(model)),
        // The selected command's whole output, wrapped and scrollable.
        KeyCode::Char('o') if plain => {
            let Some((key, _)) = pane.selected() else {
                return Some(Vec::new());
            };
            if pane.outputs.contains_key(&key) {
                model.popup = Some(crate::model::popup::Popup::Inspect(
                    crate::model::popup::Inspect {
                        target: crate::model::popup::InspectTarget::RunOutput(key),
                        scroll: 0,
                    },
                ));
            } else {
                flash(model, FlashLevel::Info, "no output yet: Enter runs it");
            }
        }
        _ => return None,
    }
    Some(Vec::new())
}

/// `Enter` on a command: refuse what may not run (and say why), ask for confirmation where the
/// rules want it, else start it.
fn run_selected(model: &mut Model) -> Vec<Effect> {
    let Some(pane) = &model.runbook_pane else {
        return Vec::new();
    };
    let Some((key, body)) = pane.selected() else {
        return Vec::new();
    };
    let ItemBody::Command(cmd) = body else {
        flash(
            model,
            FlashLevel::Info,
            "a manual step: space ticks it when done",
        );
        return Vec::new();
    };
    if let ItemState::Running(_) = pane.state(&key) {
        flash(model, FlashLevel::Info, "already running: x cancels it");
        return Vec::new();
    }
    if cmd.kind == CommandKind::Action && model.settings.read_only {
        flash(model, FlashLevel::Error, "read-only: action steps are off");
        return Vec::new();
    }
    if let Err(why) = environment(model, pane, &cmd.text) {
        flash(model, FlashLevel::Error, format!("not run: {why}"));
        return Vec::new();
    }
    if cmd.needs_confirmation() {
        // A production target's name is typed: the service if it is the production one, else
        // the variable value that is. Never plain `y` for production.
        let confirm = match production_name(model, pane) {
            Some(name) => Confirmation::new(true, &name),
            None => Confirmation::new(false, ""),
        };
        if let Some(pane) = &mut model.runbook_pane {
            pane.pending = Some(PendingRun { key, confirm });
        }
        return Vec::new();
    }
    start(model, &key)
}

/// A production target (the service or a variable's value matches `production_pattern`) needs
/// its name typed, as for rollbacks: that name, if any.
fn production_name(model: &Model, pane: &RunbookPane) -> Option<String> {
    let re = regex::Regex::new(&model.settings.production_pattern).ok()?;
    if let Some(s) = pane.service.as_deref().filter(|s| re.is_match(s)) {
        return Some(s.to_string());
    }
    var_values(model, pane)
        .into_iter()
        .filter_map(|v| v.value.ok())
        .find(|v| re.is_match(v))
}

/// The environment the command gets: every variable it uses, valid, and the sources' URLs.
/// `Err` names the variable that is missing or invalid and why.
pub fn environment(
    model: &Model,
    pane: &RunbookPane,
    text: &str,
) -> Result<Vec<(String, String)>, String> {
    let values = var_values(model, pane);
    let used: std::collections::BTreeSet<String> = crate::runbook::vars::references(text)
        .into_iter()
        .map(|r| r.name)
        .collect();
    let mut env = Vec::new();
    for v in &values {
        if !used.contains(&v.name) {
            continue;
        }
        // Names that change how the shell or the tools behave are never taken from outside
        // (lint says so too; a runbook that fails lint can still be opened).
        if let Some(why) = crate::runbook::vars::reserved_reason(&v.name) {
            return Err(format!("{} may not be set by a runbook: {why}", v.name));
        }
        match &v.value {
            Ok(value) => env.push((v.name.clone(), value.clone())),
            Err(why) => return Err(format!("{}: {why}", v.name)),
        }
    }
    for (var, kind) in [
        ("SITREP_ALERTMANAGER_URL", SourceKind::Alertmanager),
        ("SITREP_PROMETHEUS_URL", SourceKind::Prometheus),
        ("SITREP_ARGOCD_URL", SourceKind::Argocd),
    ] {
        if let Some(s) = model.sources.iter().find(|s| s.kind == kind) {
            env.push((var.to_string(), s.url.clone()));
        }
    }
    Ok(env)
}

fn start(model: &mut Model, key: &str) -> Vec<Effect> {
    let Some(pane) = &model.runbook_pane else {
        return Vec::new();
    };
    let Some(cmd) = pane.command(key).cloned() else {
        return Vec::new();
    };
    let env = match environment(model, pane, &cmd.text) {
        Ok(env) => env,
        Err(why) => {
            flash(model, FlashLevel::Error, format!("not run: {why}"));
            return Vec::new();
        }
    };
    let runbook = pane.book.source.display().to_string();
    // One run of a step at a time, even across closing and reopening the pane.
    if model
        .runbook_runs
        .values()
        .any(|r| r.runbook == runbook && r.key == key)
    {
        flash(model, FlashLevel::Info, "already running: x cancels it");
        return Vec::new();
    }
    let record = RunRecord {
        runbook,
        title: pane.book.title.clone(),
        key: key.to_string(),
        command: cmd.clone(),
        vars: env
            .iter()
            .filter(|(k, _)| !k.starts_with("SITREP_"))
            .cloned()
            .collect(),
        alert: pane.alert.as_ref().map(|(fp, _)| fp.clone()),
        service: pane.service.clone(),
    };
    model.next_request_id += 1;
    let request_id = model.next_request_id;
    model.runbook_runs.insert(request_id, record);
    if let Some(pane) = &mut model.runbook_pane {
        pane.states
            .insert(key.to_string(), ItemState::Running(request_id));
    }
    flash(
        model,
        FlashLevel::Info,
        format!(
            "running {}… (x cancels)",
            cmd.name.as_deref().unwrap_or(key)
        ),
    );
    vec![Effect::RunCommand(CommandSpec {
        request_id,
        key: key.to_string(),
        text: cmd.text.clone(),
        env,
        timeout: cmd.timeout.unwrap_or(DEFAULT_TIMEOUT),
        cwd: cmd.cwd.as_ref().map(std::path::PathBuf::from),
    })]
}

fn cancel(model: &mut Model) -> Vec<Effect> {
    let Some(pane) = &model.runbook_pane else {
        return Vec::new();
    };
    let Some((key, _)) = pane.selected() else {
        return Vec::new();
    };
    match pane.state(&key) {
        ItemState::Running(request_id) => {
            flash(model, FlashLevel::Info, "cancelling…");
            vec![Effect::CancelCommand { request_id }]
        }
        _ => {
            flash(model, FlashLevel::Info, "nothing running here");
            Vec::new()
        }
    }
}

/// `space`: tick (or untick) a manual task.
fn tick(model: &mut Model) -> Vec<Effect> {
    let Some(pane) = &mut model.runbook_pane else {
        return Vec::new();
    };
    let Some((key, body)) = pane.selected() else {
        return Vec::new();
    };
    let ItemBody::Task { text, .. } = body else {
        flash(
            model,
            FlashLevel::Info,
            "space ticks manual steps; Enter runs a command",
        );
        return Vec::new();
    };
    if pane.state(&key) == ItemState::Done {
        pane.states.remove(&key);
        let mut e = step_event(
            model,
            EventKind::RunbookStepDone,
            &key,
            format!("undone: {text}"),
        );
        e.details["undone"] = serde_json::Value::Bool(true);
        super::events::push_event(model, e);
        return Vec::new();
    }
    pane.states.insert(key.clone(), ItemState::Done);
    let n = pane.actionable().len();
    pane.cursor = (pane.cursor + 1).min(n.saturating_sub(1));
    let e = step_event(
        model,
        EventKind::RunbookStepDone,
        &key,
        format!("done: {text}"),
    );
    super::events::push_event(model, e);
    Vec::new()
}

/// The skip prompt's line: the reason.
pub fn skip(model: &mut Model, key: &str, reason: &str) -> Result<(), String> {
    let reason = crate::sanitize::clean_line(reason.trim(), 500);
    if reason.is_empty() {
        return Err("say why it is skipped".to_string());
    }
    let Some(pane) = &mut model.runbook_pane else {
        return Ok(());
    };
    pane.states
        .insert(key.to_string(), ItemState::Skipped(reason.clone()));
    let n = pane.actionable().len();
    pane.cursor = (pane.cursor + 1).min(n.saturating_sub(1));
    let title = item_title(pane, key);
    let mut e = step_event(
        model,
        EventKind::RunbookStepSkipped,
        key,
        format!("skipped: {title}"),
    );
    e.body = reason;
    super::events::push_event(model, e);
    Ok(())
}

fn item_title(pane: &RunbookPane, key: &str) -> String {
    pane.book
        .steps()
        .flat_map(|s| s.items.iter().map(move |i| (s, i)))
        .find(|(_, i)| i.key == key)
        .map(|(s, i)| match &i.body {
            ItemBody::Task { text, .. } => text.clone(),
            ItemBody::Command(c) => c.name.clone().unwrap_or_else(|| s.title.clone()),
            _ => s.title.clone(),
        })
        .unwrap_or_else(|| key.to_string())
}

fn step_event(model: &Model, kind: EventKind, key: &str, summary: String) -> TimelineEvent {
    let pane = model.runbook_pane.as_ref();
    let mut e = TimelineEvent::new(kind, EventSource::Runbook, model.now, model.now, summary);
    e.actor = model.settings.author.clone();
    if let Some(pane) = pane {
        e.refs.service = pane.service.clone();
        e.details = json!({
            "runbook": pane.book.source.display().to_string(),
            "title": pane.book.title,
            "key": key,
            "alert": pane.alert.as_ref().map(|(fp, _)| fp.clone()),
        });
    }
    e
}

/// An event about a run, from its record (the pane may show something else by now).
fn run_event(model: &Model, kind: EventKind, run: &RunRecord, summary: String) -> TimelineEvent {
    let mut e = TimelineEvent::new(kind, EventSource::Runbook, model.now, model.now, summary);
    e.actor = model.settings.author.clone();
    e.refs.service = run.service.clone();
    e.details = json!({
        "runbook": run.runbook,
        "title": run.title,
        "key": run.key,
        "alert": run.alert,
    });
    e
}

/// Is the pane showing the runbook and alert this run belongs to?
fn pane_shows(model: &Model, run: &RunRecord) -> bool {
    model.runbook_pane.as_ref().is_some_and(|p| {
        p.book.source.display().to_string() == run.runbook
            && p.alert.as_ref().map(|(fp, _)| fp.clone()) == run.alert
    })
}

/// A command finished: its state, its output in the pane, its events on the timeline.
pub fn on_outcome(model: &mut Model, result: CommandResult) -> Vec<Effect> {
    // Recorded from what was started, whatever the pane shows now (closed, another runbook).
    let Some(run) = model.runbook_runs.remove(&result.request_id) else {
        return Vec::new();
    };
    let shown = pane_shows(model, &run);
    let cmd = Some(run.command.clone());
    let exit = match (&result.spawn_error, result.exit_code, result.signal) {
        (Some(e), _, _) => format!("could not start: {e}"),
        _ if result.cancelled => "cancelled".to_string(),
        _ if result.timed_out => format!(
            "timed out after {:?}",
            cmd.as_ref()
                .and_then(|c| c.timeout)
                .unwrap_or(DEFAULT_TIMEOUT)
        ),
        (None, Some(code), _) => format!("exit {code}"),
        (None, None, Some(sig)) => format!("killed by signal {sig}"),
        (None, None, None) => "ended".to_string(),
    };
    let ok = result.spawn_error.is_none()
        && !result.cancelled
        && !result.timed_out
        && result.exit_code == Some(0);
    let check = cmd.as_ref().filter(|c| c.kind == CommandKind::Check);
    let (state, verdict) = match check {
        Some(c) => {
            // Why a check failed, in words: its exit, or what its output lacked.
            let failure = match &c.expect {
                Some(Expect::Contains(text)) => {
                    if result.spawn_error.is_some() || result.timed_out || result.cancelled {
                        Some(exit.clone())
                    } else if ok && result.output.contains(text.as_str()) {
                        None
                    } else if !ok {
                        Some(exit.clone())
                    } else {
                        Some(format!(
                            "{exit}, and the output does not contain “{}”",
                            crate::sanitize::clean_line(text, 60)
                        ))
                    }
                }
                _ => (!ok).then(|| exit.clone()),
            };
            match failure {
                None => (ItemState::Passed, Some(EventKind::RunbookCheckPassed)),
                Some(why) => (ItemState::Failed(why), Some(EventKind::RunbookCheckFailed)),
            }
        }
        None if ok => (ItemState::Done, Some(EventKind::RunbookStepDone)),
        None => (ItemState::Failed(exit.clone()), None),
    };
    let name = cmd
        .as_ref()
        .and_then(|c| c.name.clone())
        .unwrap_or_else(|| result.key.clone());
    if let Some(pane) = &mut model.runbook_pane
        && shown
    {
        pane.states.insert(result.key.clone(), state.clone());
        pane.outputs.insert(
            result.key.clone(),
            RunOutput {
                exit: exit.clone(),
                output: result.output.clone(),
                duration_ms: result.duration.as_millis(),
            },
        );
    }
    // The run itself: text, variables, exit, duration, a bounded excerpt of the output.
    let env = run.vars.clone();
    let tail: String = {
        let chars: Vec<char> = result.output.chars().collect();
        chars[chars.len().saturating_sub(EVENT_OUTPUT_CHARS)..]
            .iter()
            .collect()
    };
    let mut event = run_event(
        model,
        EventKind::RunbookCommandRun,
        &run,
        format!("ran {name}: {exit} in {} ms", result.duration.as_millis()),
    );
    event.body = tail;
    if let Some(obj) = event.details.as_object_mut() {
        obj.insert(
            "command".into(),
            json!(cmd.as_ref().map(|c| c.text.clone())),
        );
        obj.insert(
            "vars".into(),
            json!(
                env.iter()
                    .filter(|(k, _)| !k.starts_with("SITREP_"))
                    .cloned()
                    .collect::<std::collections::BTreeMap<String, String>>()
            ),
        );
        obj.insert("exit_code".into(), json!(result.exit_code));
        obj.insert(
            "duration_ms".into(),
            json!(result.duration.as_millis() as u64),
        );
        obj.insert("timed_out".into(), json!(result.timed_out));
        obj.insert("cancelled".into(), json!(result.cancelled));
        obj.insert("output_dropped_bytes".into(), json!(result.dropped_bytes));
    }
    super::events::push_event(model, event);
    if let Some(kind) = verdict {
        let summary = match (&kind, &state) {
            (EventKind::RunbookCheckPassed, _) => format!("check passed: {name}"),
            (EventKind::RunbookCheckFailed, ItemState::Failed(why)) => {
                format!("check failed: {name}: {why}")
            }
            _ => format!("done: {name}"),
        };
        let e = run_event(model, kind, &run, summary);
        super::events::push_event(model, e);
    }
    let (level, said) = match &state {
        ItemState::Passed => (FlashLevel::Success, format!("check passed: {name}")),
        ItemState::Done => (FlashLevel::Success, format!("{name}: {exit}")),
        ItemState::Failed(why) if check.is_some() => {
            (FlashLevel::Error, format!("check failed: {name}: {why}"))
        }
        _ => (FlashLevel::Error, format!("{name}: {exit}")),
    };
    flash(model, level, said);
    Vec::new()
}
