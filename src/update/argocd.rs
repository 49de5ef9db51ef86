//! Argo CD actions by the safety rules: rollback (dry run first, exact confirmation, typed
//! name for production, auto-sync handled as one explicit step), sync, terminate, re-enable
//! auto-sync. One request at a time, never retried, every attempt and result on the timeline.

mod outcome;

pub use outcome::{on_outcome, watch_progress};

use super::apps::short_rev;
use super::{flash, push_event};
use crate::effect::Effect;
use crate::model::app::{App, AppKey, HealthStatus};
use crate::model::permissions;
use crate::model::popup::{
    ConfirmAction, ConfirmKind, ConfirmStep, Confirmation, DryRunWatch, FormStage, Popup,
    RollbackForm, RollbackStage, SyncForm,
};
use crate::model::timeline::{EventKind, EventSource, TimelineEvent};
use crate::model::ui::{FlashLevel, Screen};
use crate::model::{Model, PendingAction};
use crossterm::event::{KeyCode, KeyEvent};
use serde_json::json;

/// The app the user points at: the open/selected app on Apps, the deploy's app on Deploys,
/// the worst app of the selected service on Triage.
pub fn target_app(model: &Model) -> Option<AppKey> {
    match model.screen {
        Screen::Apps => model
            .app_open
            .clone()
            .or_else(|| model.apps_view.get(model.apps_cursor.selected).cloned()),
        // A Kubernetes revision's key names no Argo CD app: no Argo CD action applies to it.
        Screen::Deploys => model
            .selected_deploy()
            .filter(|d| d.kube().is_none())
            .map(|d| d.app.clone()),
        Screen::Triage => {
            let service = model.selected_service()?;
            service
                .apps
                .iter()
                .min_by_key(|k| model.apps.get(*k).map(|a| (a.health, a.sync)))
                .cloned()
        }
        _ => None,
    }
}

/// Resolve the target or say why there is none (or why nothing may be done to it).
fn pick(model: &mut Model) -> Option<(AppKey, App)> {
    if let Some(denied) = permissions::argo_denied(model) {
        flash(model, FlashLevel::Info, denied.message);
        return None;
    }
    let Some(key) = target_app(model) else {
        let text = if model.screen == Screen::Triage {
            "no Argo CD app mapped to the selected service"
        } else {
            "select an app first (Apps screen: 3)"
        };
        flash(model, FlashLevel::Info, text);
        return None;
    };
    if let Some(denied) = permissions::app_denied(model, &key) {
        flash(model, FlashLevel::Info, denied.message);
        return None;
    }
    let app = model.apps.get(&key)?.clone();
    Some((key, app))
}

/// `R`: open the rollback picker.
pub fn open_rollback(model: &mut Model) -> Vec<Effect> {
    let Some((key, app)) = pick(model) else {
        return Vec::new();
    };
    if app.operation_running() {
        flash(
            model,
            FlashLevel::Info,
            format!("an operation is running on {} (x terminates it)", key.name),
        );
        return Vec::new();
    }
    if app.history.len() < 2 {
        flash(
            model,
            FlashLevel::Info,
            format!("{} has no earlier deployment to roll back to", key.name),
        );
        return Vec::new();
    }
    let entries: Vec<_> = app.history.iter().rev().cloned().collect();
    // Argo CD's history keeps no health: what sitrep saw each revision settle at decides.
    let deployed = app.deployed_revision().unwrap_or_default().to_string();
    let seen = |i: usize| app.seen_health.get(&entries[i].revision).copied();
    let other = |i: usize| entries[i].revision != deployed;
    let earlier = || (1..entries.len()).filter(|i| other(*i));
    let last_healthy = earlier().find(|i| seen(*i) == Some(HealthStatus::Healthy));
    // Preselect the last healthy entry, else the newest one not seen Degraded.
    let selected = last_healthy
        .or_else(|| earlier().find(|i| seen(*i) != Some(HealthStatus::Degraded)))
        .or_else(|| earlier().next())
        .unwrap_or(1);
    let production = model
        .settings
        .is_production(&key, &app.destination_namespace);
    model.popup = Some(Popup::Rollback(Box::new(RollbackForm {
        current_revision: deployed,
        auto_sync: app.auto_sync,
        disable_auto_sync: false,
        prune: false,
        production,
        confirm: Confirmation::new(production, &key.name),
        stage: RollbackStage::Pick,
        problem: None,
        dry_run_skipped: false,
        dry_run: None,
        selected,
        last_healthy,
        entries,
        key,
    })));
    Vec::new()
}

/// `S`: open the sync form.
pub fn open_sync(model: &mut Model) -> Vec<Effect> {
    let Some((key, app)) = pick(model) else {
        return Vec::new();
    };
    if app.operation_running() {
        flash(
            model,
            FlashLevel::Info,
            format!("an operation is running on {} (x terminates it)", key.name),
        );
        return Vec::new();
    }
    let production = model
        .settings
        .is_production(&key, &app.destination_namespace);
    let revision = app.target_revisions.first().cloned().unwrap_or_default();
    model.popup = Some(Popup::Sync(Box::new(SyncForm {
        revision,
        ..SyncForm::new(key, production)
    })));
    Vec::new()
}

/// `x`: terminate the running operation.
pub fn open_terminate(model: &mut Model) -> Vec<Effect> {
    let Some((key, app)) = pick(model) else {
        return Vec::new();
    };
    if !app.operation_running() {
        flash(
            model,
            FlashLevel::Info,
            format!("no operation is running on {}", key.name),
        );
        return Vec::new();
    }
    let production = model
        .settings
        .is_production(&key, &app.destination_namespace);
    model.popup = Some(Popup::Confirm(ConfirmAction::new(
        key,
        ConfirmKind::Terminate,
        production,
    )));
    Vec::new()
}

/// `:autosync on`: turn auto-sync back on for the target app.
pub fn open_enable_autosync(model: &mut Model) -> Vec<Effect> {
    open_set_autosync(model, true)
}

/// `:autosync off`: the same confirmation, the other way.
pub fn open_disable_autosync(model: &mut Model) -> Vec<Effect> {
    open_set_autosync(model, false)
}

fn open_set_autosync(model: &mut Model, on: bool) -> Vec<Effect> {
    let Some((key, app)) = pick(model) else {
        return Vec::new();
    };
    if app.auto_sync == on {
        let state = if on { "on" } else { "off" };
        flash(
            model,
            FlashLevel::Info,
            format!("auto-sync is already {state} for {}", key.name),
        );
        if on {
            model.autosync_off.remove(&key);
        }
        return Vec::new();
    }
    let production = model
        .settings
        .is_production(&key, &app.destination_namespace);
    let kind = if on {
        ConfirmKind::EnableAutoSync
    } else {
        ConfirmKind::DisableAutoSync
    };
    model.popup = Some(Popup::Confirm(ConfirmAction::new(key, kind, production)));
    Vec::new()
}

/// Bare `:autosync`: say what it is now and how to change it.
pub fn describe_autosync(model: &mut Model) {
    let Some(key) = target_app(model) else {
        flash(
            model,
            FlashLevel::Info,
            "select an Argo CD app first (Apps screen: 3)",
        );
        return;
    };
    let Some(app) = model.apps.get(&key) else {
        return;
    };
    let (state, change) = if app.auto_sync {
        ("ON", ":autosync off turns it off")
    } else {
        ("OFF", ":autosync on turns it on")
    };
    let text = format!("auto-sync of {} is {state}; {change}", key.name);
    flash(model, FlashLevel::Info, text);
}

fn begin(
    model: &mut Model,
    key: &AppKey,
    what: &str,
    summary: String,
    details: serde_json::Value,
) -> u64 {
    let request_id = model.next_request_id;
    model.next_request_id += 1;
    let pending = PendingAction {
        what: what.to_string(),
        app: Some(key.clone()),
        disable_auto_sync: false,
    };
    model.in_flight.insert(request_id, pending);
    let mut e = user_event(model, EventKind::ActionAttempted, key, summary);
    e.details = details;
    e.details["request_id"] = json!(request_id);
    push_event(model, e);
    request_id
}

/// Keys while the rollback popup is open.
pub fn on_rollback_key(model: &mut Model, key: KeyEvent) -> Vec<Effect> {
    let Some(Popup::Rollback(form)) = &mut model.popup else {
        return Vec::new();
    };
    match form.stage {
        // A server's refusal shown here is about the choice made: any change clears it.
        RollbackStage::Pick => match key.code {
            KeyCode::Esc | KeyCode::Char('q') => model.popup = None,
            KeyCode::Down | KeyCode::Char('j') => {
                form.selected = (form.selected + 1).min(form.entries.len().saturating_sub(1));
                form.problem = None;
            }
            KeyCode::Up | KeyCode::Char('k') => {
                form.selected = form.selected.saturating_sub(1);
                form.problem = None;
            }
            KeyCode::Char('a') if form.auto_sync => {
                form.disable_auto_sync = !form.disable_auto_sync;
                form.problem = None;
            }
            KeyCode::Char('p') => {
                form.prune = !form.prune;
                form.problem = None;
            }
            KeyCode::Enter => return start_dry_run(model),
            _ => {}
        },
        RollbackStage::Confirm => match form.confirm.on_key(key) {
            ConfirmStep::Confirmed => return send_rollback(model),
            ConfirmStep::Back => {
                form.stage = RollbackStage::Pick;
                form.confirm = Confirmation::new(form.production, &form.key.name);
            }
            ConfirmStep::Waiting => {}
        },
        // Sent: nothing to do but wait; Esc hides the popup, the result still lands.
        RollbackStage::DryRun(_) | RollbackStage::InFlight(_) | RollbackStage::Watching => {
            if matches!(key.code, KeyCode::Esc | KeyCode::Char('q')) {
                model.popup = None;
            }
        }
    }
    Vec::new()
}

fn start_dry_run(model: &mut Model) -> Vec<Effect> {
    let Some(Popup::Rollback(form)) = &mut model.popup else {
        return Vec::new();
    };
    // The picker already says why (one message per fact): Enter does nothing here.
    if form.target_refusal().is_some() || (form.auto_sync && !form.disable_auto_sync) {
        return Vec::new();
    }
    if form.auto_sync && form.disable_auto_sync {
        // Argo CD refuses a rollback, dry run included, while auto-sync is on, and the real
        // request turns it off first: nothing to ask; straight to what will happen.
        form.stage = RollbackStage::Confirm;
        form.confirm = Confirmation::new(form.production, &form.key.name);
        form.dry_run_skipped = true;
        form.dry_run = None;
        form.problem = None;
        return Vec::new();
    }
    let Some(entry) = form.entries.get(form.selected).cloned() else {
        return Vec::new();
    };
    let (key, prune) = (form.key.clone(), form.prune);
    let request_id = begin(
        model,
        &key,
        "rollback dry-run",
        format!(
            "dry run: roll back {} to {} (history {})",
            key.name,
            short_rev(&entry.revision),
            entry.id
        ),
        json!({"action": "rollback", "dry_run": true, "app": key, "id": entry.id, "revision": entry.revision}),
    );
    let watch = DryRunWatch::new(request_id, model.apps.get(&key));
    if let Some(Popup::Rollback(form)) = &mut model.popup {
        form.stage = RollbackStage::DryRun(request_id);
        form.problem = None;
        form.dry_run_skipped = false;
        form.dry_run = Some(watch);
    }
    vec![Effect::Rollback {
        request_id,
        key,
        id: entry.id,
        dry_run: true,
        prune,
        disable_auto_sync: false,
    }]
}

fn send_rollback(model: &mut Model) -> Vec<Effect> {
    let Some(Popup::Rollback(form)) = &model.popup else {
        return Vec::new();
    };
    // Its dry run still runs in Argo CD: confirming waits for the result.
    if form
        .dry_run
        .as_ref()
        .is_some_and(|w| w.running(model.apps.get(&form.key)))
    {
        return Vec::new();
    }
    let Some(entry) = form.entries.get(form.selected).cloned() else {
        return Vec::new();
    };
    let (key, prune, disable) = (form.key.clone(), form.prune, form.disable_auto_sync);
    let from = short_rev(&form.current_revision).to_string();
    let to = short_rev(&entry.revision).to_string();
    let auto = if disable {
        "disable auto-sync, then "
    } else {
        ""
    };
    let no_dry_run = if form.dry_run_skipped {
        "; no dry run: Argo CD cannot dry-run with auto-sync on"
    } else {
        ""
    };
    let request_id = begin(
        model,
        &key,
        "rollback",
        format!(
            "{auto}roll back {} from {from} to {to} (history {}{no_dry_run})",
            key.name, entry.id
        ),
        json!({"action": "rollback", "dry_run": false, "app": key, "id": entry.id, "from": from, "to": entry.revision,
               "disable_auto_sync": disable, "prune": prune}),
    );
    if let Some(pending) = model.in_flight.get_mut(&request_id) {
        pending.disable_auto_sync = disable;
    }
    if let Some(Popup::Rollback(form)) = &mut model.popup {
        form.stage = RollbackStage::InFlight(request_id);
        form.problem = None;
    }
    vec![Effect::Rollback {
        request_id,
        key,
        id: entry.id,
        dry_run: false,
        prune,
        disable_auto_sync: disable,
    }]
}

/// Keys while the sync popup is open.
pub fn on_sync_key(model: &mut Model, key: KeyEvent) -> Vec<Effect> {
    let Some(Popup::Sync(form)) = &mut model.popup else {
        return Vec::new();
    };
    match form.stage {
        FormStage::Edit => match key.code {
            KeyCode::Esc | KeyCode::Char('q') => model.popup = None,
            KeyCode::Char('p') => form.prune = !form.prune,
            KeyCode::Char('d') => form.dry_run = !form.dry_run,
            KeyCode::Enter => {
                form.stage = FormStage::Confirm;
                form.problem = None;
                // A dry run changes nothing: no typed name for it, even on production.
                form.confirm = Confirmation::new(form.production && !form.dry_run, &form.key.name);
            }
            _ => {}
        },
        FormStage::Confirm => match form.confirm.on_key(key) {
            ConfirmStep::Confirmed => return send_sync(model),
            ConfirmStep::Back => form.stage = FormStage::Edit,
            ConfirmStep::Waiting => {}
        },
        FormStage::InFlight(_) => {
            if key.code == KeyCode::Esc {
                model.popup = None;
            }
        }
    }
    Vec::new()
}

fn send_sync(model: &mut Model) -> Vec<Effect> {
    let Some(Popup::Sync(form)) = &model.popup else {
        return Vec::new();
    };
    // The last dry run still runs in Argo CD: it would refuse another operation now.
    if form
        .last_dry_run
        .as_ref()
        .is_some_and(|w| w.running(model.apps.get(&form.key)))
    {
        return Vec::new();
    }
    let (key, revision, prune, dry_run) = (
        form.key.clone(),
        form.revision.clone(),
        form.prune,
        form.dry_run,
    );
    let what = if dry_run { "sync dry-run" } else { "sync" };
    let request_id = begin(
        model,
        &key,
        what,
        format!(
            "{what} {} to {}{}",
            key.name,
            if revision.is_empty() {
                "HEAD"
            } else {
                &revision
            },
            if prune { " with prune" } else { "" }
        ),
        json!({"action": "sync", "app": key, "revision": revision, "prune": prune, "dry_run": dry_run}),
    );
    let watch = dry_run.then(|| DryRunWatch::new(request_id, model.apps.get(&key)));
    if let Some(Popup::Sync(form)) = &mut model.popup {
        form.stage = FormStage::InFlight(request_id);
        if watch.is_some() {
            form.last_dry_run = watch;
        }
    }
    let revision = Some(revision).filter(|r| !r.is_empty());
    vec![Effect::Sync {
        request_id,
        key,
        revision,
        prune,
        dry_run,
    }]
}

/// Keys while a terminate / enable-auto-sync confirmation is open.
pub fn on_confirm_key(model: &mut Model, key: KeyEvent) -> Vec<Effect> {
    let Some(Popup::Confirm(action)) = &mut model.popup else {
        return Vec::new();
    };
    let step = match action.stage {
        FormStage::Confirm | FormStage::Edit => action.confirm.on_key(key),
        // Sent: Esc hides the popup, the result still lands.
        FormStage::InFlight(_) if key.code == KeyCode::Esc => ConfirmStep::Back,
        FormStage::InFlight(_) => ConfirmStep::Waiting,
    };
    match step {
        ConfirmStep::Confirmed => {
            let (app, what) = (action.key.clone(), action.what);
            let (label, summary) = match what {
                ConfirmKind::Terminate => (
                    "terminate",
                    format!("terminate the running operation on {}", app.name),
                ),
                ConfirmKind::EnableAutoSync => (
                    "enable auto-sync",
                    format!("re-enable auto-sync on {}", app.name),
                ),
                ConfirmKind::DisableAutoSync => (
                    "disable auto-sync",
                    format!("turn auto-sync off on {}", app.name),
                ),
            };
            let request_id = begin(
                model,
                &app,
                label,
                summary,
                json!({"action": label, "app": app}),
            );
            if let Some(Popup::Confirm(action)) = &mut model.popup {
                action.stage = FormStage::InFlight(request_id);
            }
            match what {
                ConfirmKind::Terminate => vec![Effect::Terminate {
                    request_id,
                    key: app,
                }],
                ConfirmKind::EnableAutoSync | ConfirmKind::DisableAutoSync => {
                    let enabled = what == ConfirmKind::EnableAutoSync;
                    // On again: the settings it had when sitrep turned it off.
                    let restore = enabled
                        .then(|| model.autosync_before.get(&app).cloned())
                        .flatten();
                    vec![Effect::SetAutoSync {
                        request_id,
                        key: app,
                        enabled,
                        restore,
                    }]
                }
            }
        }
        ConfirmStep::Back => {
            model.popup = None;
            Vec::new()
        }
        ConfirmStep::Waiting => Vec::new(),
    }
}

/// Is this in-flight request an Argo CD one?
pub fn owns(model: &Model, request_id: u64) -> bool {
    model
        .in_flight
        .get(&request_id)
        .is_some_and(|p| p.app.is_some())
}

/// An event by the user about an app, with the app's service in its refs.
fn user_event(model: &Model, kind: EventKind, key: &AppKey, summary: String) -> TimelineEvent {
    let mut e = TimelineEvent::new(kind, EventSource::User, model.now, model.now, summary);
    e.actor = model.settings.author.clone();
    e.refs.app = Some(key.name.clone());
    e.refs.service = model
        .apps
        .get(key)
        .map(|a| crate::model::correlation::service_of_app(a, &model.settings, &model.catalog));
    e
}
