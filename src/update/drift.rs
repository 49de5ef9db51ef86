//! Fleet drift in `update`: which apps need a managed-resources fetch (OutOfSync or Unknown,
//! at most 8 in flight, not again until the app changes), commit metadata once per repository
//! and revision, each app's cause, and the groups re-derived from what changed.

use super::push_event;
use crate::drift::{AppDrift, CauseKind, RevisionMeta, cause, group};
use crate::effect::Effect;
use crate::model::Model;
use crate::model::app::{AppKey, SyncStatus};
use crate::model::drift::{AppDriftEntry, DRIFT_FETCHES_IN_FLIGHT, MetaState};
use crate::model::timeline::{EventKind, EventSource, TimelineEvent};
use chrono::{DateTime, Utc};
use serde_json::json;
use std::sync::Arc;

/// Groups remembered as told; past this many the memory starts over (a flapping fleet must
/// not grow it without end).
const ANNOUNCED_CAP: usize = 10_000;

/// Matches `Settings::production_pattern`, compiled once per batch (not per app).
struct Production(Option<regex::Regex>);

impl Production {
    fn new(model: &Model) -> Production {
        Production(regex::Regex::new(&model.settings.production_pattern).ok())
    }
    fn is(&self, key: &AppKey, destination_namespace: &str) -> bool {
        match &self.0 {
            Some(re) => re.is_match(&key.to_string()) || re.is_match(destination_namespace),
            // A broken pattern must not make production look safe.
            None => true,
        }
    }
}

/// Apps changed (listed, watched, deleted, a source's list replaced): reclassify them, move
/// them between groups, and ask for what is missing (their diff, a commit's metadata).
pub fn apps_changed<'a>(
    model: &mut Model,
    keys: impl IntoIterator<Item = &'a AppKey>,
) -> Vec<Effect> {
    // Borrowed, not cloned: an instance's whole list is 10,000 keys.
    let keys: Vec<&AppKey> = keys.into_iter().collect();
    // Many apps at once (an instance's whole list): build the groups from scratch.
    let bulk = keys.len() > 64;
    let production = Production::new(model);
    let mut created = Vec::new();
    let mut effects = Vec::new();
    if bulk {
        // A whole list: a search of the app and drift maps per key cost 40,000 searches for
        // a 10,000-app fleet (over 40 ms). One pass over the apps in order finds the unsynced
        // ones; only the drift store's own entries are looked up to drop the Synced.
        let changed: crate::model::fasthash::FastSet<&AppKey> = keys.iter().copied().collect();
        let settled: Vec<AppKey> = model
            .drift
            .apps
            .keys()
            .filter(|k| changed.contains(k))
            .filter(|k| {
                model
                    .apps
                    .get(*k)
                    .is_none_or(|a| a.sync == SyncStatus::Synced)
            })
            .cloned()
            .collect();
        for key in &settled {
            reclassify(model, key, &production);
        }
        let unsynced: Vec<AppKey> = model
            .apps
            .iter()
            .filter(|(k, a)| a.sync != SyncStatus::Synced && changed.contains(k))
            .map(|(k, _)| k.clone())
            .collect();
        for key in &unsynced {
            reclassify(model, key, &production);
            if model.notify_hush {
                model.drift.preexisting.insert(key.clone());
            }
            effects.extend(wanted(model, key));
        }
    }
    for &key in keys.iter().filter(|_| !bulk) {
        let from = reclassify(model, key, &production);
        if model.notify_hush && model.drift.apps.contains_key(key) {
            model.drift.preexisting.insert(key.clone());
        }
        let now = model.now;
        // Moved, or its group's shared facts (changes, times) changed with it.
        if let Some(id) = group::place(&mut model.drift, &model.apps, key, from.as_deref(), now) {
            created.push(id);
        }
        effects.extend(wanted(model, key));
    }
    if bulk {
        let before: std::collections::HashSet<String> =
            model.drift.groups.iter().map(|g| g.id.clone()).collect();
        group::rebuild(&mut model.drift, &model.apps, model.now);
        created.extend(
            model
                .drift
                .groups
                .iter()
                .filter(|g| !before.contains(&g.id))
                .map(|g| g.id.clone()),
        );
    }
    announce(model, created);
    effects.extend(metadata_wanted(model));
    effects
}

/// Classify one app again (or drop it when Synced or gone); returns the group it was in.
fn reclassify(model: &mut Model, key: &AppKey, production: &Production) -> Option<String> {
    let store = &mut model.drift;
    let Some(app) = model.apps.get(key).filter(|a| a.sync != SyncStatus::Synced) else {
        // Queued and preexisting apps are in the store: a Synced app that is not (most of a
        // fleet) costs one lookup.
        let gone = store.apps.remove(key)?;
        store.queued.remove(key);
        store.preexisting.remove(key);
        return Some(gone.group);
    };
    let old = store.apps.remove(key);
    let drift = old.as_ref().and_then(|e| e.drift.clone());
    let cause = cause::classify(app, drift.as_deref());
    let group = group::group_key(&cause, app, drift.as_deref());
    let from = old.map(|e| e.group);
    store.apps.insert(
        key.clone(),
        AppDriftEntry {
            cause,
            drift,
            production: production.is(key, &app.destination_namespace),
            group,
        },
    );
    from
}

/// A managed-resources fetch for this app when it has no answer for its current state and none
/// is on the way: sent now when fewer than 8 are in flight, else queued.
fn wanted(model: &mut Model, key: &AppKey) -> Vec<Effect> {
    let Some(rv) = needs_fetch(model, key) else {
        return Vec::new();
    };
    let store = &mut model.drift;
    if store.fetching.len() >= DRIFT_FETCHES_IN_FLIGHT {
        store.queued.insert(key.clone());
        return Vec::new();
    }
    store.queued.remove(key);
    store.fetching.insert(key.clone(), rv.clone());
    vec![Effect::FetchDrift {
        key: key.clone(),
        resource_version: rv,
    }]
}

/// The resourceVersion to fetch for, when the app needs a fetch.
fn needs_fetch(model: &Model, key: &AppKey) -> Option<String> {
    let app = model.apps.get(key)?;
    let entry = model.drift.apps.get(key)?;
    let fresh = entry
        .drift
        .as_ref()
        .is_some_and(|d| d.resource_version == app.resource_version);
    // One request per app at a time: an answer for an older state is fetched again on arrival.
    if fresh || model.drift.fetching.contains_key(key) {
        return None;
    }
    Some(app.resource_version.clone())
}

/// Start queued fetches while the in-flight budget allows.
fn drain_queue(model: &mut Model) -> Vec<Effect> {
    let mut effects = Vec::new();
    while model.drift.fetching.len() < DRIFT_FETCHES_IN_FLIGHT {
        let Some(key) = model.drift.queued.pop_first() else {
            break;
        };
        effects.extend(wanted(model, &key));
    }
    effects
}

/// Commit metadata for every Git cause whose (repository, revision) was never asked.
fn metadata_wanted(model: &mut Model) -> Vec<Effect> {
    let mut effects = Vec::new();
    for g in &model.drift.groups {
        if g.cause != CauseKind::Git {
            continue;
        }
        let Some(r) = &g.revision else { continue };
        let id = (r.repo.clone(), r.to.clone());
        if model.drift.revisions.contains_key(&id) {
            continue;
        }
        let Some(through) = g.apps.first() else {
            continue;
        };
        let multi = model.apps.get(through).is_some_and(|a| a.multi_source);
        effects.push(Effect::FetchRevisionMeta {
            key: through.clone(),
            repo: r.repo.clone(),
            revision: r.to.clone(),
            source_index: multi.then_some(r.source_index),
        });
    }
    for e in &effects {
        if let Effect::FetchRevisionMeta { repo, revision, .. } = e {
            model
                .drift
                .revisions
                .insert((repo.clone(), revision.clone()), MetaState::Fetching);
        }
    }
    effects
}

/// A new cause on the timeline, once: not for what was already drifted at the first load, not
/// for a live group whose diff has not arrived.
fn announce(model: &mut Model, created: Vec<String>) {
    for id in created {
        let Some(g) = model.drift.groups.iter().find(|g| g.id == id) else {
            continue;
        };
        if g.cause == CauseKind::Live && g.summary.contains(cause::LIVE_NOT_FETCHED) {
            continue;
        }
        // Not a cause yet: told when the diff says what it is.
        if g.cause == CauseKind::Unknown && g.error.as_deref() == Some(cause::NOT_FETCHED) {
            continue;
        }
        if model.drift.announced.len() >= ANNOUNCED_CAP {
            model.drift.announced.clear();
        }
        if !model.drift.announced.insert(id.clone()) {
            continue;
        }
        let fresh = g.apps.iter().any(|k| !model.drift.preexisting.contains(k));
        if model.notify_hush || !fresh {
            continue;
        }
        let mut e = TimelineEvent::new(
            EventKind::Note,
            EventSource::Argocd,
            g.since.unwrap_or(model.now).min(model.now),
            model.now,
            format!("fleet drift: {}", g.summary),
        );
        e.actor = g
            .apps
            .first()
            .map(|k| k.instance.clone())
            .unwrap_or_default();
        e.details = json!({"drift_group": g.id, "cause": g.cause, "apps": g.apps.len()});
        e.highlight = g.production > 0;
        push_event(model, e);
    }
}

/// A managed-resources answer (or its failure).
pub(super) fn on_drift(model: &mut Model, _at: DateTime<Utc>, mut drift: AppDrift) -> Vec<Effect> {
    let key = drift.key.clone();
    // The slot is freed by the answer, whatever became of the app meanwhile (deleted, its
    // source's list replaced): the request really was in flight until now.
    if let Some(asked) = model.drift.fetching.remove(&key) {
        // Freshness compares the resourceVersion asked with the app's, byte for byte: the
        // answer is for what was asked, however the executor carried it.
        drift.resource_version = asked;
    }
    let mut effects = Vec::new();
    if let Some(entry) = model.drift.apps.get_mut(&key) {
        // Kept (an error too): not asked again until the app's resourceVersion changes.
        entry.drift = Some(Arc::new(drift));
        effects.extend(apps_changed(model, [&key]));
        model.pending_rederive = true;
    }
    effects.extend(drain_queue(model));
    effects
}

/// A commit's metadata (or why not).
pub(super) fn on_revision_meta(
    model: &mut Model,
    repo: String,
    revision: String,
    meta: Result<RevisionMeta, String>,
) -> Vec<Effect> {
    let state = match meta {
        Ok(m) => MetaState::Known(Arc::new(m)),
        Err(e) => MetaState::Failed(crate::sanitize::clean_line(&e, 300)),
    };
    model
        .drift
        .revisions
        .insert((repo.clone(), revision.clone()), state);
    group::meta_arrived(&mut model.drift, &repo, &revision, model.now);
    model.pending_rederive = true;
    Vec::new()
}

/// On the tick that changes the minute, the summaries' ages are written again.
pub(super) fn on_tick(model: &mut Model) {
    let minute = model.now.timestamp().div_euclid(60);
    if minute != model.drift.summaries_minute {
        model.drift.summaries_minute = minute;
        if !model.drift.groups.is_empty() {
            group::refresh_summaries(&mut model.drift, model.now);
            model.pending_rederive = true;
        }
    }
}
