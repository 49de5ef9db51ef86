//! Argo CD effects, performed for the executor: each returns the `Msg` that reports its result.
//! Mutations are sent exactly once. A rollback that must first switch auto-sync off does so in
//! one confirmed step: PATCH first, roll back only if that worked, and say plainly when the
//! rollback then failed with auto-sync already off.

use super::client::ArgocdClient;
use crate::config::source::SourceSpec;
use crate::effect::{Effect, RefreshKind};
use crate::model::app::{App, AppDetail, AppKey};
use crate::msg::{ArgocdPayload, EffectOutcome, Msg, SourcePayload, SourceUpdate};
use crate::sources::bounded;
use chrono::Utc;
use serde_json::Value;

/// The app (Get, or a refresh when asked), its resource tree and its events, concurrently.
/// What failed is said in `AppDetail.error`; what worked is kept.
pub async fn fetch_detail(client: &ArgocdClient, key: AppKey, refresh: Option<RefreshKind>) -> Msg {
    let timeout = client.spec().timeout;
    let get = async {
        match refresh {
            None => client.get(&key).await,
            Some(RefreshKind::Normal) => client.refresh(&key, false).await,
            Some(RefreshKind::Hard) => client.refresh(&key, true).await,
        }
    };
    let (app, tree, events) = tokio::join!(
        bounded(timeout, get),
        bounded(timeout, client.resource_tree(&key)),
        bounded(timeout, client.events(&key)),
    );
    let mut errors: Vec<(&str, String)> = Vec::new();
    let app = app.map_err(|e| errors.push(("app", e.message))).ok();
    let tree = tree
        .map_err(|e| errors.push(("resource tree", e.message)))
        .unwrap_or_default();
    let events = events
        .map_err(|e| errors.push(("events", e.message)))
        .unwrap_or_default();
    let error = match errors.as_slice() {
        [] => None,
        // The same cause everywhere (401, unreachable): say it once.
        [(_, first), rest @ ..] if rest.iter().all(|(_, m)| m == first) && !rest.is_empty() => {
            Some(first.clone())
        }
        all => Some(
            all.iter()
                .map(|(what, m)| format!("{what}: {m}"))
                .collect::<Vec<_>>()
                .join("; "),
        ),
    };
    let now = Utc::now();
    let detail = AppDetail {
        tree,
        events,
        resource_version: app
            .as_ref()
            .map(|a| a.resource_version.clone())
            .unwrap_or_default(),
        fetched_at: Some(now),
        error,
    };
    Msg::Source(SourceUpdate {
        source: key.instance.clone(),
        at: now,
        payload: SourcePayload::Argocd(ArgocdPayload::AppDetail {
            app: Box::new(app),
            key,
            detail,
        }),
    })
}

/// Perform one Argo CD effect against the source `spec` with a client of its own, and report
/// it. Never retries. The executor keeps one client per source and calls [`run_effect`].
pub async fn run_argocd_effect(spec: &SourceSpec, effect: Effect) -> Msg {
    if let Some(refused) = refuse_read_only(spec, &effect) {
        return refused;
    }
    match ArgocdClient::new(spec) {
        Ok(client) => run_effect(&client, effect).await,
        Err(e) => failure(spec, effect.request_id(), e.message, None),
    }
}

/// A mutation on a read-only source: refused before any request.
fn refuse_read_only(spec: &SourceSpec, effect: &Effect) -> Option<Msg> {
    (is_mutation(effect) && spec.read_only).then(|| {
        failure(
            spec,
            effect.request_id(),
            format!(
                "source {} is read-only: no rollbacks, syncs or auto-sync changes",
                spec.name
            ),
            None,
        )
    })
}

fn failure(spec: &SourceSpec, request_id: u64, error: String, before: Option<Value>) -> Msg {
    Msg::Done(EffectOutcome::MutationFailed {
        request_id,
        source: spec.name.clone(),
        error,
        autosync_before: before,
    })
}

/// Perform one Argo CD effect with `client` and report it. Never retries. Effects of other
/// kinds are answered with `MutationFailed` (they do not belong here). When sitrep turns
/// auto-sync off, the outcome carries the `automated` settings it removed.
pub async fn run_effect(client: &ArgocdClient, effect: Effect) -> Msg {
    let spec = client.spec();
    if let Some(refused) = refuse_read_only(spec, &effect) {
        return refused;
    }
    let request_id = effect.request_id();
    let failed = |error: String| failure(spec, request_id, error, None);
    let timeout = spec.timeout;
    let done =
        |key: AppKey, dry_run: bool, app: Option<App>, before: Option<Value>, what: String| {
            tracing::info!(source = %spec.name, app = %key, "{what}");
            Msg::Done(EffectOutcome::AppActionDone {
                request_id,
                source: spec.name.clone(),
                key,
                dry_run,
                app: Box::new(app),
                autosync_before: before,
            })
        };
    match effect {
        Effect::FetchAppDetail { key, refresh } => fetch_detail(client, key, refresh).await,
        Effect::FetchDrift { .. }
        | Effect::FetchRevisionMeta { .. }
        | Effect::FetchDeployDiff { .. } => super::drift_fetch::run(client, effect).await,
        Effect::Rollback {
            key,
            id,
            dry_run,
            prune,
            disable_auto_sync,
            ..
        } => {
            let name = key.name.clone();
            // A dry run changes nothing: Argo CD accepts it with auto-sync on, and switching
            // auto-sync off for it would be a real change.
            let disable = disable_auto_sync && !dry_run;
            let mut disabled = false;
            let mut before = None;
            if disable {
                match bounded(timeout, client.set_auto_sync(&key, false, None)).await {
                    Ok(set) => {
                        disabled = set.changed;
                        before = set.before;
                    }
                    Err(e) => {
                        return failed(format!(
                            "could not turn auto-sync off for {name}, so nothing was rolled back: {}",
                            e.message
                        ));
                    }
                }
            }
            match bounded(timeout, client.rollback(&key, id, dry_run, prune)).await {
                Ok(app) => {
                    let message = match (dry_run, disabled) {
                        (true, _) => {
                            format!("dry run of rollback of {name} to history #{id} accepted")
                        }
                        (false, true) => format!(
                            "auto-sync of {name} turned OFF; rollback to history #{id} started (auto-sync stays off until re-enabled)"
                        ),
                        (false, false) => format!("rollback of {name} to history #{id} started"),
                    };
                    done(key, dry_run, Some(app), before, message)
                }
                Err(e) if disabled => failure(
                    spec,
                    request_id,
                    format!(
                        "auto-sync is now OFF for {name}, but the rollback to history #{id} failed: {} (turn auto-sync back on when done)",
                        e.message
                    ),
                    before,
                ),
                Err(e) => failed(e.message),
            }
        }
        Effect::Sync {
            key,
            revision,
            prune,
            dry_run,
            ..
        } => {
            let name = key.name.clone();
            match bounded(
                timeout,
                client.sync(&key, revision.as_deref(), prune, dry_run),
            )
            .await
            {
                Ok(app) => {
                    let to = match &revision {
                        Some(r) if !r.is_empty() => format!("to {r}"),
                        _ => "to its target revision".to_string(),
                    };
                    let message = if dry_run {
                        format!("dry run of sync of {name} {to} accepted")
                    } else {
                        format!("sync of {name} {to} started")
                    };
                    done(key, dry_run, Some(app), None, message)
                }
                Err(e) => failed(e.message),
            }
        }
        Effect::SetAutoSync {
            key,
            enabled,
            restore,
            ..
        } => {
            let name = key.name.clone();
            let state = if enabled { "on" } else { "off" };
            match bounded(
                timeout,
                client.set_auto_sync(&key, enabled, restore.as_ref()),
            )
            .await
            {
                Ok(set) => {
                    let message = if set.changed {
                        format!("auto-sync of {name} turned {state}")
                    } else {
                        format!("auto-sync of {name} was already {state}")
                    };
                    done(key, false, Some(set.app), set.before, message)
                }
                Err(e) => failed(e.message),
            }
        }
        Effect::Terminate { key, .. } => {
            let name = key.name.clone();
            match bounded(timeout, client.terminate(&key)).await {
                Ok(()) => done(
                    key,
                    false,
                    None,
                    None,
                    format!("operation of {name} is terminating"),
                ),
                Err(e) => failed(e.message),
            }
        }
        other => failed(format!("{} is not an Argo CD action", effect_name(&other))),
    }
}

fn is_mutation(effect: &Effect) -> bool {
    matches!(
        effect,
        Effect::Rollback { .. }
            | Effect::Sync { .. }
            | Effect::SetAutoSync { .. }
            | Effect::Terminate { .. }
    )
}

fn effect_name(effect: &Effect) -> &'static str {
    match effect {
        Effect::CreateSilence { .. } => "creating a silence",
        Effect::ExpireSilence { .. } => "expiring a silence",
        Effect::Refresh { .. } => "refresh",
        Effect::OpenUrl(_) => "opening a URL",
        Effect::Copy(_) => "copying",
        Effect::Notify(_) => "notifying",
        Effect::Suspend => "suspend",
        Effect::Quit => "quit",
        _ => "this",
    }
}
