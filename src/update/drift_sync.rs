//! A drift group's staged sync, by the safety rules: offered only after the group's diff was
//! opened and where mutations are allowed; the plan shown and confirmed once (production: the
//! number of apps typed); dry runs of every app first; then the canary, then each wave only
//! when the previous one is Synced, Healthy and its operation Succeeded (the canary for 30 s)
//! and every app synced so far is still Healthy; each app pinned to the revision it was
//! compared at (a moved revision stops it); not for `prune` groups; the first failure stops
//! it; `x` cancels before the next wave; never a retry. Every step is a timeline event.
//! The decisions are `model::drift_sync`'s; this file sends and records.

use super::{flash, push_event};
use crate::effect::Effect;
use crate::model::app::AppKey;
use crate::model::drift_sync::{Next, PlanStage, SyncPlan, SyncWatch, wave_word};
use crate::model::permissions;
use crate::model::popup::{ConfirmStep, DryRunWatch, Popup};
use crate::model::timeline::{EventKind, EventSource, TimelineEvent};
use crate::model::ui::FlashLevel;
use crate::model::{Model, PendingAction};
use crate::msg::EffectOutcome;
use crossterm::event::KeyEvent;
use serde_json::json;

/// `S` on the Drift screen: the plan popup for the selected group, or why not.
pub fn open(model: &mut Model) -> Vec<Effect> {
    if let Some(denied) = permissions::argo_denied(model) {
        flash(model, FlashLevel::Info, denied.message);
        return Vec::new();
    }
    if model
        .drift_screen
        .plan
        .as_ref()
        .is_some_and(|p| p.stage.running())
    {
        flash(
            model,
            FlashLevel::Info,
            "a staged sync is running (x cancels it before its next wave)",
        );
        return Vec::new();
    }
    let Some(id) = model
        .drift_screen
        .selected()
        .map(|r| r.group_id().to_string())
    else {
        flash(model, FlashLevel::Info, "select a drift group first");
        return Vec::new();
    };
    let Some(group) = model.drift.groups.iter().find(|g| g.id == id).cloned() else {
        return Vec::new();
    };
    if let Some(denied) = group
        .apps
        .iter()
        .find_map(|k| permissions::app_denied(model, k))
    {
        flash(model, FlashLevel::Info, denied.message);
        return Vec::new();
    }
    // Pruning deletes: it deserves its own single-app confirmation after reading that app's
    // diff, not a fleet plan (and a sync without prune would leave these apps OutOfSync).
    if group.cause == crate::drift::CauseKind::Prune {
        flash(
            model,
            FlashLevel::Info,
            "this group's resources need pruning: sync with prune from the Apps screen, one app at a time, after reading the diff",
        );
        return Vec::new();
    }
    if !model.drift_screen.diffs_opened.contains(&id) {
        flash(
            model,
            FlashLevel::Info,
            "open the diff first: Enter on a resource of this group",
        );
        return Vec::new();
    }
    if let Some(busy) = group
        .apps
        .iter()
        .find(|k| model.apps.get(*k).is_some_and(|a| a.operation_running()))
    {
        flash(
            model,
            FlashLevel::Info,
            format!(
                "an operation is running on {}: wait for it first",
                busy.name
            ),
        );
        return Vec::new();
    }
    // Each app pinned to what Argo CD compared it at now (multi-source apps: guarded by
    // `compared` before each sync instead).
    let plan = SyncPlan::new(
        &group,
        &model.drift.apps,
        &model.apps,
        model.settings.drift_wave_size.max(1),
    );
    model.drift_screen.plan = Some(plan);
    model.popup = Some(Popup::DriftSync);
    Vec::new()
}

/// Keys while the plan popup is open: Enter (or the typed count) confirms, Esc closes.
pub fn on_popup_key(model: &mut Model, key: KeyEvent) -> Vec<Effect> {
    let Some(plan) = model.drift_screen.plan.as_mut() else {
        model.popup = None;
        return Vec::new();
    };
    if plan.stage != PlanStage::Confirming {
        model.popup = None;
        return Vec::new();
    }
    match plan.confirm.on_key(key) {
        ConfirmStep::Confirmed => start(model),
        ConfirmStep::Back => {
            model.popup = None;
            model.drift_screen.plan = None;
            Vec::new()
        }
        ConfirmStep::Waiting => Vec::new(),
    }
}

pub fn on_paste(model: &mut Model, text: &str) {
    if let Some(plan) = model.drift_screen.plan.as_mut() {
        plan.confirm.on_paste(text);
    }
}

/// Confirmed: record the plan, then ask Argo CD for a dry run of every app.
fn start(model: &mut Model) -> Vec<Effect> {
    model.popup = None;
    let Some(plan) = model.drift_screen.plan.as_ref() else {
        return Vec::new();
    };
    // What was shown must be what is confirmed: a revision that moved while the popup was
    // open stops it here, before any dry run.
    if let Some(why) = plan.moved(&model.apps) {
        stop(model, why);
        return Vec::new();
    }
    let apps: Vec<(AppKey, Option<String>)> = plan
        .apps()
        .map(|a| (a.key.clone(), a.revision.clone()))
        .collect();
    let waves: Vec<Vec<String>> = plan
        .waves
        .iter()
        .map(|w| w.iter().map(|a| a.key.name.clone()).collect())
        .collect();
    let summary = format!(
        "staged sync confirmed: {} — canary {}, then {} wave(s); dry runs first",
        plan.summary,
        waves
            .first()
            .and_then(|w| w.first())
            .cloned()
            .unwrap_or_default(),
        waves.len().saturating_sub(1)
    );
    let group = plan.group_id.clone();
    step_event(
        model,
        EventKind::ActionAttempted,
        summary,
        json!({"staged_sync": group, "step": "confirmed", "waves": waves}),
    );
    let mut effects = Vec::new();
    for (key, revision) in apps {
        let before = DryRunWatch::new(0, model.apps.get(&key));
        let request_id = begin(model, &key, true, revision.as_deref());
        if let Some(plan) = model.drift_screen.plan.as_mut() {
            plan.dry_runs.insert(
                key.clone(),
                DryRunWatch {
                    request_id,
                    ..before
                },
            );
        }
        effects.push(Effect::Sync {
            request_id,
            key,
            revision,
            prune: false,
            dry_run: true,
        });
    }
    if let Some(plan) = model.drift_screen.plan.as_mut() {
        plan.stage = PlanStage::DryRun;
    }
    flash(
        model,
        FlashLevel::Info,
        "staged sync: dry runs sent; nothing changes until they all pass",
    );
    effects
}

/// One request of the plan, the way every Argo CD action is sent: in flight (the outcome is
/// recorded by `argocd::on_outcome`) and its attempt on the timeline.
fn begin(model: &mut Model, key: &AppKey, dry_run: bool, revision: Option<&str>) -> u64 {
    let request_id = model.next_request_id;
    model.next_request_id += 1;
    let what = if dry_run { "sync dry-run" } else { "sync" };
    model.in_flight.insert(
        request_id,
        PendingAction {
            what: what.to_string(),
            app: Some(key.clone()),
            disable_auto_sync: false,
        },
    );
    let mut e = event(
        model,
        EventKind::ActionAttempted,
        format!(
            "{what} {} to {} (staged sync)",
            key.name,
            revision.unwrap_or("its target revision")
        ),
    );
    e.refs.app = Some(key.name.clone());
    e.details = json!({"action": "sync", "app": key, "revision": revision, "prune": false,
        "dry_run": dry_run, "request_id": request_id});
    push_event(model, e);
    request_id
}

/// An Argo CD answer (from `argocd::on_outcome`, before it handles it): a request of the plan
/// accepted, or refused — which stops the plan.
pub fn note_outcome(model: &mut Model, outcome: &EffectOutcome) {
    let (request_id, error) = match outcome {
        EffectOutcome::AppActionDone { request_id, .. } => (*request_id, None),
        EffectOutcome::MutationFailed {
            request_id, error, ..
        } => (*request_id, Some(error.clone())),
        _ => return,
    };
    let Some(plan) = model.drift_screen.plan.as_mut() else {
        return;
    };
    let Some((key, dry_run)) = plan.request(request_id) else {
        return;
    };
    if !plan.stage.running() {
        return;
    }
    match error {
        None => plan.accepted(request_id),
        Some(error) => {
            let what = if dry_run { "dry run" } else { "sync" };
            let why = format!(
                "the {what} of {} was refused: {}",
                key.name,
                crate::sanitize::clean_line(&error, 200)
            );
            stop(model, why);
        }
    }
}

/// After the stores changed (`update::settle`): move the running plan on when its apps say so.
pub fn progress(model: &mut Model) -> Vec<Effect> {
    let mut effects = Vec::new();
    // A wave that is already done lets the next start in the same pass (bounded by the waves).
    for _ in 0..64 {
        let Some(plan) = model.drift_screen.plan.as_mut() else {
            break;
        };
        if !plan.stage.running() {
            break;
        }
        match plan.evaluate(&model.apps, model.now) {
            Next::Wait => break,
            Next::Stop(why) => {
                stop(model, why);
                break;
            }
            Next::Done => {
                finish_wave_event(model);
                done(model);
                break;
            }
            Next::StartWave(i) => {
                if i == 0 {
                    let n = plan.dry_runs.len();
                    step_event(
                        model,
                        EventKind::ActionSucceeded,
                        format!("staged sync: all {n} dry runs passed"),
                        json!({"step": "dry_runs_passed"}),
                    );
                } else {
                    finish_wave_event(model);
                }
                effects.extend(start_wave(model, i));
            }
        }
    }
    effects
}

fn finish_wave_event(model: &mut Model) {
    let Some(plan) = model.drift_screen.plan.as_ref() else {
        return;
    };
    let i = plan.finished_waves.saturating_sub(1);
    let names = wave_names(plan, i);
    let what = wave_word(i, plan.waves.len());
    step_event(
        model,
        EventKind::ActionSucceeded,
        format!("staged sync: {what} finished — {names} Synced and Healthy"),
        json!({"step": "wave_finished", "wave": i}),
    );
}

fn wave_names(plan: &SyncPlan, i: usize) -> String {
    plan.waves
        .get(i)
        .map(|w| {
            w.iter()
                .map(|a| a.key.name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        })
        .unwrap_or_default()
}

fn start_wave(model: &mut Model, i: usize) -> Vec<Effect> {
    let Some(plan) = model.drift_screen.plan.as_mut() else {
        return Vec::new();
    };
    plan.stage = PlanStage::Wave(i);
    let apps: Vec<(AppKey, Option<String>)> = plan
        .waves
        .get(i)
        .map(|w| {
            w.iter()
                .map(|a| (a.key.clone(), a.revision.clone()))
                .collect()
        })
        .unwrap_or_default();
    let what = wave_word(i, plan.waves.len());
    let names = wave_names(plan, i);
    step_event(
        model,
        EventKind::ActionAttempted,
        format!("staged sync: {what} started — {names}"),
        json!({"step": "wave_started", "wave": i}),
    );
    let mut effects = Vec::new();
    for (key, revision) in apps {
        // The operation our sync must be newer than. After the plan's own dry run (the usual
        // case) any real sync is newer: its start may fall in the dry run's second (Argo CD's
        // times have no fractions), so comparing the two would never see ours.
        let before = model
            .apps
            .get(&key)
            .and_then(|a| a.operation.as_ref())
            .filter(|o| !o.dry_run)
            .and_then(|o| o.started_at);
        let request_id = begin(model, &key, false, revision.as_deref());
        if let Some(plan) = model.drift_screen.plan.as_mut() {
            plan.syncs
                .insert(key.clone(), SyncWatch::new(request_id, before));
        }
        effects.push(Effect::Sync {
            request_id,
            key,
            revision,
            prune: false,
            dry_run: false,
        });
    }
    flash(model, FlashLevel::Info, format!("staged sync: {what} sent"));
    effects
}

fn stop(model: &mut Model, why: String) {
    if let Some(plan) = model.drift_screen.plan.as_mut() {
        plan.stage = PlanStage::Stopped(why.clone());
    }
    let mut e = event(
        model,
        EventKind::ActionFailed,
        format!("staged sync stopped: {why}; no further wave is sent"),
    );
    e.highlight = true;
    e.details = json!({"step": "stopped", "reason": why});
    push_event(model, e);
    flash(
        model,
        FlashLevel::Error,
        format!("staged sync stopped: {why}"),
    );
}

fn done(model: &mut Model) {
    let n = model
        .drift_screen
        .plan
        .as_ref()
        .map_or(0, SyncPlan::app_count);
    if let Some(plan) = model.drift_screen.plan.as_mut() {
        plan.stage = PlanStage::Done;
    }
    step_event(
        model,
        EventKind::ActionSucceeded,
        format!("staged sync done: {n} apps Synced and Healthy"),
        json!({"step": "done"}),
    );
    flash(
        model,
        FlashLevel::Success,
        format!("staged sync done: {n} apps Synced and Healthy"),
    );
}

/// `x` on the Drift screen while a plan runs: no further wave (what was sent keeps running in
/// Argo CD; it is not undone).
pub fn cancel(model: &mut Model) -> Vec<Effect> {
    // Nothing can run where Argo CD actions are off: the key says why, as everywhere.
    if let Some(denied) = permissions::argo_denied(model) {
        flash(model, FlashLevel::Info, denied.message);
        return Vec::new();
    }
    let Some(plan) = model.drift_screen.plan.as_mut() else {
        flash(model, FlashLevel::Info, "no staged sync to cancel");
        return Vec::new();
    };
    if !plan.stage.running() {
        flash(model, FlashLevel::Info, "the staged sync is not running");
        return Vec::new();
    }
    let at = match plan.stage {
        PlanStage::Wave(i) => wave_word(i, plan.waves.len()),
        _ => "the dry runs".to_string(),
    };
    plan.stage = PlanStage::Cancelled;
    step_event(
        model,
        EventKind::ActionSucceeded,
        format!(
            "staged sync cancelled during {at}: no further wave is sent (syncs already sent keep running)"
        ),
        json!({"step": "cancelled"}),
    );
    flash(
        model,
        FlashLevel::Info,
        format!("staged sync cancelled during {at}: no further wave"),
    );
    Vec::new()
}

fn event(model: &Model, kind: EventKind, summary: String) -> TimelineEvent {
    let mut e = TimelineEvent::new(kind, EventSource::User, model.now, model.now, summary);
    e.actor = model.settings.author.clone();
    e
}

/// A step of the plan on the timeline (journaled like any event when an incident is active).
fn step_event(model: &mut Model, kind: EventKind, summary: String, mut details: serde_json::Value) {
    let mut e = event(model, kind, summary);
    if let Some(plan) = &model.drift_screen.plan {
        details["staged_sync"] = json!(plan.group_id);
    }
    e.details = details;
    push_event(model, e);
}
