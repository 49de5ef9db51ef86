//! What came back from Argo CD: every attempt on the timeline gets its outcome (accepted, or
//! refused with the server's words), a dry run's result is read off the app when Argo CD has
//! run it, and a rollback is watched until the app is healthy again. The auto-sync settings
//! sitrep removed (for a rollback, or on request) are kept in the model to restore, and put in
//! the outcome's timeline details.

use super::user_event;
use crate::effect::Effect;
use crate::model::app::{AppKey, HealthStatus, Operation, OperationPhase};
use crate::model::popup::{Confirmation, DryRunWatch, FormStage, Popup, RollbackStage};
use crate::model::timeline::EventKind;
use crate::model::ui::FlashLevel;
use crate::model::{Model, PendingAction};
use crate::msg::EffectOutcome;
use crate::update::{flash, push_event};
use serde_json::{Value, json};

/// Results of Argo CD actions.
pub fn on_outcome(model: &mut Model, outcome: EffectOutcome) -> Vec<Effect> {
    // A drift group's staged sync watches its own requests (it moves on in `settle`).
    crate::update::drift_sync::note_outcome(model, &outcome);
    match outcome {
        EffectOutcome::AppActionDone {
            request_id,
            key,
            dry_run,
            app,
            autosync_before,
            ..
        } => {
            let pending = model.in_flight.remove(&request_id);
            // The settings sitrep just removed: kept to restore, and on the timeline.
            if let Some(policy) = &autosync_before {
                model.autosync_before.insert(key.clone(), policy.clone());
            }
            let action = pending
                .as_ref()
                .map(|p| p.what.clone())
                .unwrap_or_else(|| "request".into());
            let disabled = pending.is_some_and(|p| p.disable_auto_sync);
            if action == "rollback" && disabled && !dry_run {
                model.autosync_off.insert(key.clone());
            }
            // The server's answer is a state of the app like any other: its changes (auto-sync
            // off, an operation started) reach the timeline as Argo CD reports them.
            let answered = (*app).is_some();
            if let Some(app) = *app {
                crate::update::apps::store(model, model.now, app);
                model.refresh_derived(false);
            }
            if dry_run {
                return dry_run_accepted(model, request_id, &key, &action);
            }
            match &mut model.popup {
                Some(Popup::Rollback(form))
                    if form.stage == RollbackStage::InFlight(request_id) =>
                {
                    form.stage = RollbackStage::Watching;
                }
                Some(Popup::Sync(form)) if form.stage == FormStage::InFlight(request_id) => {
                    model.popup = None
                }
                Some(Popup::Confirm(c)) if c.stage == FormStage::InFlight(request_id) => {
                    model.popup = None
                }
                _ => {}
            }
            let mut outcome = format!("{action} on {}: accepted by {}", key.name, key.instance);
            // One event per fact: the toggle and the rollback itself are on the timeline as
            // Argo CD reports them (`update::apps`); this is the request's outcome.
            if action == "rollback" && disabled {
                outcome.push_str("; auto-sync is OFF until re-enabled");
            } else if action == "disable auto-sync" {
                // Turned off from sitrep on purpose: the same reminder as after a rollback.
                if model.apps.get(&key).is_none_or(|a| !a.auto_sync) {
                    model.autosync_off.insert(key.clone());
                    outcome.push_str("; auto-sync is OFF until re-enabled");
                }
            } else if action == "enable auto-sync" {
                // The server's answer says whether it is on now.
                let on = model.apps.get(&key).map(|a| a.auto_sync);
                if on != Some(false) {
                    model.autosync_off.remove(&key);
                    model.autosync_before.remove(&key);
                }
                match on {
                    Some(true) => outcome.push_str("; auto-sync is ON"),
                    Some(false) if answered => {
                        outcome.push_str("; but Argo CD still reports auto-sync off")
                    }
                    _ => {}
                }
            }
            let mut details = json!({"request_id": request_id});
            if let Some(policy) = autosync_before {
                details["autosync_before"] = policy;
            }
            outcome_event(model, EventKind::ActionSucceeded, &key, outcome, details);
            flash(
                model,
                FlashLevel::Success,
                format!("{action} on {}: accepted; watching it", key.name),
            );
            vec![Effect::FetchAppDetail { key, refresh: None }]
        }
        EffectOutcome::MutationFailed {
            request_id,
            error,
            autosync_before,
            ..
        } => {
            let pending = model.in_flight.remove(&request_id);
            if let (Some(app), Some(policy)) = (
                pending.as_ref().and_then(|p| p.app.as_ref()),
                &autosync_before,
            ) {
                model.autosync_before.insert(app.clone(), policy.clone());
            }
            let what = pending
                .as_ref()
                .map(|p| p.what.clone())
                .unwrap_or_else(|| "request".into());
            // The executor says this when auto-sync went off but the rollback then failed: the
            // reminder must stay, whether or not the popup is still open.
            if let Some(PendingAction {
                app: Some(app),
                disable_auto_sync: true,
                ..
            }) = &pending
                && error.contains("auto-sync is now OFF")
            {
                model.autosync_off.insert(app.clone());
            }
            match &mut model.popup {
                Some(Popup::Rollback(form)) if matches!(form.stage, RollbackStage::DryRun(id) | RollbackStage::InFlight(id) if id == request_id) =>
                {
                    form.stage = RollbackStage::Pick;
                    form.confirm = Confirmation::new(form.production, &form.key.name);
                    form.dry_run = None;
                    form.problem = Some(error.clone());
                }
                Some(Popup::Sync(form)) if form.stage == FormStage::InFlight(request_id) => {
                    form.stage = FormStage::Edit;
                    form.problem = Some(error.clone());
                    if form
                        .last_dry_run
                        .as_ref()
                        .is_some_and(|w| w.request_id == request_id)
                    {
                        form.last_dry_run = None;
                    }
                }
                Some(Popup::Confirm(c)) if c.stage == FormStage::InFlight(request_id) => {
                    model.popup = None
                }
                _ => {}
            }
            let summary = format!("{what} failed: {error}");
            let mut e = match pending.as_ref().and_then(|p| p.app.as_ref()) {
                Some(app) => user_event(model, EventKind::ActionFailed, app, summary.clone()),
                None => {
                    let mut e = crate::model::timeline::TimelineEvent::new(
                        EventKind::ActionFailed,
                        crate::model::timeline::EventSource::User,
                        model.now,
                        model.now,
                        summary.clone(),
                    );
                    e.actor = model.settings.author.clone();
                    e
                }
            };
            e.highlight = true;
            e.details = json!({"request_id": request_id, "error": error});
            if let Some(policy) = autosync_before {
                e.details["autosync_before"] = policy;
            }
            push_event(model, e);
            flash(model, FlashLevel::Error, summary);
            Vec::new()
        }
        _ => Vec::new(),
    }
}

/// Argo CD accepted a dry run: that is the attempt's outcome (nothing changed); the popup now
/// waits for the result, which shows on the app when Argo CD has run it.
fn dry_run_accepted(model: &mut Model, request_id: u64, key: &AppKey, action: &str) -> Vec<Effect> {
    let mine = |w: &&mut DryRunWatch| w.request_id == request_id;
    match &mut model.popup {
        Some(Popup::Rollback(form)) if form.stage == RollbackStage::DryRun(request_id) => {
            form.stage = RollbackStage::Confirm;
            form.confirm = Confirmation::new(form.production, &form.key.name);
            if let Some(w) = form.dry_run.as_mut().filter(mine) {
                w.accepted = true;
            }
        }
        Some(Popup::Sync(form)) if form.stage == FormStage::InFlight(request_id) => {
            form.stage = FormStage::Edit;
            form.problem = None;
            if let Some(w) = form.last_dry_run.as_mut().filter(mine) {
                w.accepted = true;
            }
        }
        _ => {}
    }
    outcome_event(
        model,
        EventKind::ActionSucceeded,
        key,
        format!(
            "{action} on {}: accepted by {} (a dry run changes nothing)",
            key.name, key.instance
        ),
        json!({"request_id": request_id}),
    );
    flash(
        model,
        FlashLevel::Success,
        format!("{action} on {}: accepted; waiting for its result", key.name),
    );
    dry_run_results(model);
    Vec::new()
}

/// The outcome of an attempt (its `details.request_id` matches the attempt's).
fn outcome_event(
    model: &mut Model,
    kind: EventKind,
    key: &AppKey,
    summary: String,
    details: Value,
) {
    let mut e = user_event(model, kind, key, summary);
    e.details = details;
    push_event(model, e);
}

/// After the stores changed: a dry run's result that arrived, a rollback that healed.
pub fn watch_progress(model: &mut Model) {
    dry_run_results(model);
    healed(model);
}

/// The dry run the open popup waits for finished on the app: keep its result for the popup
/// and put what Argo CD said it would do on the timeline.
fn dry_run_results(model: &mut Model) {
    let (key, what, watch) = match &mut model.popup {
        Some(Popup::Rollback(form)) => (form.key.clone(), "rollback", form.dry_run.as_mut()),
        Some(Popup::Sync(form)) => (form.key.clone(), "sync", form.last_dry_run.as_mut()),
        _ => return,
    };
    let Some(watch) = watch.filter(|w| w.accepted && w.result.is_none()) else {
        return;
    };
    let Some(op) = model
        .apps
        .get(&key)
        .and_then(|a| watch.finished(a))
        .cloned()
    else {
        return;
    };
    watch.result = Some(op.clone());
    let request_id = watch.request_id;
    let ok = op.phase == OperationPhase::Succeeded;
    let kind = if ok {
        EventKind::ActionSucceeded
    } else {
        EventKind::ActionFailed
    };
    let mut e = user_event(model, kind, &key, dry_run_summary(&key.name, what, &op));
    e.details = json!({"request_id": request_id, "dry_run": true, "phase": op.phase,
        "message": op.message, "resources": op.results});
    e.highlight = !ok;
    push_event(model, e);
}

/// `dry run of sync of search-prod: Argo CD would change Deployment search (configured…); 2 unchanged`.
fn dry_run_summary(name: &str, what: &str, op: &Operation) -> String {
    if op.phase != OperationPhase::Succeeded {
        return format!("dry run of {what} of {name} failed: {}", op.message);
    }
    let (changed, unchanged): (Vec<_>, Vec<_>) = op.results.iter().partition(|r| r.changes());
    let changes = changed
        .iter()
        .take(5)
        .map(|r| format!("{} {} ({})", r.kind, r.name, r.message))
        .collect::<Vec<_>>()
        .join(", ");
    let more = match changed.len() {
        n if n > 5 => format!(" and {} more", n - 5),
        _ => String::new(),
    };
    match (changed.len(), unchanged.len()) {
        (0, 0) => format!("dry run of {what} of {name}: Argo CD reported no resources"),
        (0, n) => {
            format!("dry run of {what} of {name}: Argo CD would change nothing ({n} unchanged)")
        }
        (_, 0) => format!("dry run of {what} of {name}: Argo CD would change {changes}{more}"),
        (_, n) => format!(
            "dry run of {what} of {name}: Argo CD would change {changes}{more}; {n} unchanged"
        ),
    }
}

/// While a rollback is being watched: say so when the app is healthy again.
fn healed(model: &mut Model) {
    let Some(Popup::Rollback(form)) = &model.popup else {
        return;
    };
    if form.stage != RollbackStage::Watching {
        return;
    }
    if let Some(app) = model.apps.get(&form.key)
        && app.health == HealthStatus::Healthy
        && !app.operation_running()
        && model
            .flash
            .as_ref()
            .is_none_or(|f| !f.text.contains("Healthy again"))
    {
        let name = app.key.name.clone();
        flash(
            model,
            FlashLevel::Success,
            format!("{name} is Healthy again"),
        );
    }
}
