//! `update(&mut Model, Msg) -> Vec<Effect>`: the only place state changes. Pure: no IO, no clock
//! (time arrives in messages), so every behaviour here is unit-tested without a terminal or a
//! network.

mod apps;
mod argocd;
mod catalog;
mod drift;
mod drift_screen;
mod drift_sync;
mod events;
mod incident;
mod keys;
mod kube;
mod kube_actions;
mod kube_logs;
mod kube_screen;
mod links;
mod prompt;
mod runbook;
mod silence;
mod sources;

use crate::effect::Effect;
use crate::model::Model;
use crate::model::ui::{Flash, FlashLevel};
use crate::msg::{EffectOutcome, Msg};
use crossterm::event::{Event, KeyEventKind};

pub use apps::detail_fetches as apps_detail_fetches;
pub use drift::apps_changed as drift_apps_changed;
pub use events::push_event;
pub use prompt::command_help;
pub use runbook::{environment as runbook_environment, var_values as runbook_vars};

/// Apply one message and bring every derived view up to date.
pub fn update(model: &mut Model, msg: Msg) -> Vec<Effect> {
    let mut effects = apply(model, msg);
    effects.extend(settle(model));
    effects
}

/// Apply one message to the stores without rebuilding derived views: the app loop applies a
/// whole batch (a burst of watch events, several sources) and then calls [`settle`] once.
pub fn apply(model: &mut Model, msg: Msg) -> Vec<Effect> {
    match msg {
        Msg::Tick(now) => {
            model.now = now;
            if model.flash.as_ref().is_some_and(|f| f.until <= now) {
                model.flash = None;
            }
            // A service shown only for a recent deploy leaves the triage list when it ages out.
            if model.triage_view_expires.is_some_and(|t| t <= now) {
                model.pending_rederive = true;
            }
            // Drift summaries say ages: written again when the minute changes.
            drift::on_tick(model);
            // A followed pod log reads its tail again.
            kube_logs::on_tick(model)
        }
        Msg::Input(Event::Key(key)) if key.kind != KeyEventKind::Release => {
            keys::on_key(model, key)
        }
        Msg::Input(Event::Resize(w, h)) => {
            model.size = (w, h);
            Vec::new()
        }
        Msg::Input(Event::Paste(text)) => {
            keys::on_paste(model, &text);
            Vec::new()
        }
        Msg::Input(_) => Vec::new(),
        Msg::Source(update) => {
            // The Kubernetes screen's rows follow the store (rebuilt in `settle` if shown).
            if matches!(update.payload, crate::msg::SourcePayload::Kube(_)) {
                model.kube_screen.stale = true;
            }
            sources::on_source(model, update)
        }
        Msg::Done(outcome) => match &outcome {
            EffectOutcome::UrlOpen { .. } => links::on_outcome(model, outcome),
            EffectOutcome::CommandFinished(result) => {
                runbook::on_outcome(model, (**result).clone())
            }
            EffectOutcome::AppActionDone { .. } => argocd::on_outcome(model, outcome),
            EffectOutcome::KubeActionDone { .. } | EffectOutcome::Logs { .. } => {
                kube::on_outcome(model, outcome)
            }
            EffectOutcome::MutationFailed { request_id, .. } if kube::owns(model, *request_id) => {
                kube::on_outcome(model, outcome)
            }
            EffectOutcome::MutationFailed { request_id, .. }
                if argocd::owns(model, *request_id) =>
            {
                argocd::on_outcome(model, outcome)
            }
            _ => silence::on_outcome(model, outcome),
        },
        Msg::Journal(report) => incident::on_report(model, report),
    }
}

/// Rebuild what the applied messages invalidated (ranking, suspects, visible rows) and start
/// the detail fetches the new state calls for.
pub fn settle(model: &mut Model) -> Vec<Effect> {
    let mut effects = Vec::new();
    if model.pending_rederive {
        model.pending_rederive = false;
        model.refresh_derived(false);
        effects = apps::detail_fetches(model, true);
        argocd::watch_progress(model);
    }
    // The Drift screen follows the drift store while shown (rows only: cheap).
    if model.screen == crate::model::ui::Screen::Drift {
        crate::model::drift_view::rebuild(model);
    }
    // A running staged sync moves on when its apps say so (cheap when none runs).
    effects.extend(drift_sync::progress(model));
    model.refresh_stale_views();
    if model.timeline_reanchor.is_some() {
        model.rebuild_timeline_view_keeping_cursor();
    }
    effects.extend(incident::drain(model));
    effects.extend(model.notify_outbox.drain(..).map(Effect::Notify));
    effects
}

/// Show a short message in the status line for a few seconds.
pub(crate) fn flash(model: &mut Model, level: FlashLevel, text: impl Into<String>) {
    let secs = if level == FlashLevel::Error { 10 } else { 5 };
    model.flash = Some(Flash {
        text: text.into(),
        level,
        until: model.now + chrono::Duration::seconds(secs),
    });
}

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_argo;
#[cfg(test)]
mod tests_catalog;
#[cfg(test)]
mod tests_deploys;
#[cfg(test)]
mod tests_drift;
#[cfg(test)]
mod tests_drift_screen;
#[cfg(test)]
mod tests_drift_sync;
#[cfg(test)]
mod tests_incident;
#[cfg(test)]
mod tests_keys;
#[cfg(test)]
mod tests_kube;
#[cfg(test)]
mod tests_kube_actions;
#[cfg(test)]
mod tests_outcomes;
#[cfg(test)]
mod tests_runbook;
#[cfg(test)]
mod tests_truth;
