//! Argo CD reports: the app store, the changes worth a timeline event (deploys, health, failed
//! syncs, auto-sync toggles), and which app details to fetch now.

use super::push_event;
use crate::effect::Effect;
use crate::model::Model;
use crate::model::app::{App, AppDetail, AppKey, HealthStatus, OperationPhase};
use crate::model::correlation::service_of_app;
use crate::model::deploy::goes_back;
use crate::model::service::Urgency;
use crate::model::timeline::{EventKind, EventRefs, EventSource, TimelineEvent};
use crate::model::ui::Screen;
use crate::msg::WatchChange;
use chrono::{DateTime, Utc};
use serde_json::json;

/// On first sight of an instance, deploys this recent get a timeline event each.
const INITIAL_DEPLOY_WINDOW_HOURS: i64 = 2;
/// The most urgent services whose apps get their detail fetched ahead of being opened.
const URGENT_SERVICES_WITH_DETAIL: usize = 40;
/// Detail fetches started per update, so 10,000 degraded apps don't stampede the server.
const DETAIL_FETCHES_PER_UPDATE: usize = 8;

pub fn on_apps(
    model: &mut Model,
    instance: &str,
    at: DateTime<Utc>,
    apps: Vec<App>,
) -> Vec<Effect> {
    let initial = !model.apps.keys().any(|k| k.instance == instance);
    let old: Vec<(AppKey, App)> = {
        let keys: Vec<AppKey> = model
            .apps
            .keys()
            .filter(|k| k.instance == instance)
            .cloned()
            .collect();
        keys.into_iter()
            .filter_map(|k| model.take_app(&k).map(|a| (k, a)))
            .collect()
    };
    let old: std::collections::HashMap<AppKey, App> = old.into_iter().collect();
    let mut events = Vec::new();
    for app in &apps {
        app_events(model, old.get(&app.key), app, at, initial, &mut events);
    }
    let mut changed: Vec<AppKey> = old.keys().cloned().collect();
    for mut app in apps {
        app.observe(old.get(&app.key));
        if !old.contains_key(&app.key) {
            changed.push(app.key.clone());
        }
        model.put_app(app);
    }
    let mut effects = finish(model, events);
    effects.extend(super::drift::apps_changed(model, &changed));
    effects
}

pub fn on_app_changed(
    model: &mut Model,
    at: DateTime<Utc>,
    change: WatchChange,
    app: App,
) -> Vec<Effect> {
    match change {
        WatchChange::Deleted => {
            model.take_app(&app.key);
            model.app_details.remove(&app.key);
            model.autosync_off.remove(&app.key);
            let mut effects = finish(model, Vec::new());
            effects.extend(super::drift::apps_changed(model, [&app.key]));
            effects
        }
        WatchChange::Added | WatchChange::Modified => store(model, at, app),
    }
}

/// Put one state of an app in the store, the one way every state arrives (watch, Get, a
/// mutation's answer): what changed becomes timeline events, what sitrep saw is carried on.
pub fn store(model: &mut Model, at: DateTime<Utc>, mut app: App) -> Vec<Effect> {
    let mut events = Vec::new();
    let old = model.apps.remove(&app.key);
    app_events(model, old.as_ref(), &app, at, false, &mut events);
    app.observe(old.as_ref());
    let key = app.key.clone();
    model.put_app(app);
    let mut effects = finish(model, events);
    effects.extend(super::drift::apps_changed(model, [&key]));
    effects
}

pub fn on_detail(
    model: &mut Model,
    at: DateTime<Utc>,
    key: AppKey,
    app: Option<App>,
    detail: AppDetail,
) -> Vec<Effect> {
    model.detail_requests.remove(&key);
    model.app_details.insert(key, detail);
    match app {
        Some(app) => store(model, at, app),
        None => finish(model, Vec::new()),
    }
}

fn finish(model: &mut Model, mut events: Vec<TimelineEvent>) -> Vec<Effect> {
    events.sort_by_key(|e| e.occurred_at);
    for e in events {
        push_event(model, e);
    }
    // Derived views are rebuilt once per batch of messages (`update::settle`), not per event.
    model.pending_rederive = true;
    Vec::new()
}

fn event(
    model: &Model,
    app: &App,
    kind: EventKind,
    when: DateTime<Utc>,
    summary: String,
) -> TimelineEvent {
    let mut e = TimelineEvent::new(kind, EventSource::Argocd, when, model.now, summary);
    e.actor = app.key.instance.clone();
    e.refs = EventRefs {
        service: Some(service_of_app(app, &model.settings, &model.catalog)),
        app: Some(app.key.name.clone()),
        cluster: Some(app.destination_server.clone()).filter(|s| !s.is_empty()),
        namespace: Some(app.destination_namespace.clone()).filter(|s| !s.is_empty()),
    };
    e
}

pub use crate::model::app::short_sha as short_rev;

/// What changed between two states of one app, as timeline events.
fn app_events(
    model: &mut Model,
    old: Option<&App>,
    new: &App,
    at: DateTime<Utc>,
    initial: bool,
    out: &mut Vec<TimelineEvent>,
) {
    let known_ids: std::collections::HashSet<i64> = old
        .map(|o| o.history.iter().map(|h| h.id).collect())
        .unwrap_or_default();
    let horizon = at - chrono::Duration::hours(INITIAL_DEPLOY_WINDOW_HOURS);
    for (i, entry) in new.history.iter().enumerate() {
        if known_ids.contains(&entry.id) {
            continue;
        }
        // Without an earlier state, only recent history is news.
        if old.is_none() && entry.deployed_at.is_none_or(|t| t < horizon) {
            continue;
        }
        let rollback = goes_back(&new.history[..i], &entry.revision, entry.automated);
        let (kind, verb) = if rollback {
            (EventKind::Rollback, "rolled back to")
        } else {
            (EventKind::Deploy, "deployed")
        };
        // Who, as the screens say it (`ui::argocd::initiator`); nobody named: no "by".
        let by = match (entry.initiated_by.is_empty(), entry.automated) {
            (true, true) => " by auto-sync".to_string(),
            (true, false) => String::new(),
            (false, true) => format!(" by {} (auto)", entry.initiated_by),
            (false, false) => format!(" by {}", entry.initiated_by),
        };
        let mut e = event(
            model,
            new,
            kind,
            entry.deployed_at.or(entry.deploy_started_at).unwrap_or(at),
            format!("{} {verb} {}{by}", new.key.name, short_rev(&entry.revision)),
        );
        e.details = json!({"history_id": entry.id, "revision": entry.revision, "revisions": entry.revisions,
            "automated": entry.automated, "started_at": entry.deploy_started_at});
        e.highlight = rollback;
        out.push(e);
    }
    let health_changed = old
        .map(|o| o.health != new.health)
        .unwrap_or(initial && new.health == HealthStatus::Degraded);
    if health_changed {
        let from = old.map(|o| o.health.word()).unwrap_or("unknown");
        let message = if new.health_message.is_empty() {
            String::new()
        } else {
            format!(": {}", new.health_message)
        };
        // When it happened: Argo CD's lastTransitionTime where it says; else a change seen
        // live happened about when it was seen, but a state found at first sight began at
        // some unknown time, and the event says so rather than pretend it began now.
        let (when, summary) = match (old, new.health_since) {
            (Some(_), since) => (
                since.unwrap_or(at),
                format!("{} {from} -> {}{message}", new.key.name, new.health.word()),
            ),
            (None, Some(since)) => (
                since,
                format!("{} is {}{message}", new.key.name, new.health.word()),
            ),
            (None, None) => (
                at,
                format!(
                    "{} first seen {} (Argo CD does not say since when){message}",
                    new.key.name,
                    new.health.word()
                ),
            ),
        };
        let mut e = event(model, new, EventKind::HealthChanged, when, summary);
        e.highlight = new.health == HealthStatus::Degraded;
        e.details = json!({"from": from, "to": new.health.word(),
            "since_known": new.health_since.is_some(), "revision": new.deployed_revision()});
        out.push(e);
    }
    // A failed dry run changed nothing: its outcome is the action's (`update::argocd`).
    fn failed(a: &App) -> Option<&crate::model::app::Operation> {
        a.operation.as_ref().filter(|o| {
            !o.dry_run && matches!(o.phase, OperationPhase::Failed | OperationPhase::Error)
        })
    }
    // A failed sync is news when it is another one than before; at first sight, when recent.
    if let Some(op) = failed(new)
        && match old {
            Some(o) => failed(o).map(|f| f.started_at) != Some(op.started_at),
            None => op.finished_at.is_some_and(|t| t >= horizon),
        }
    {
        let mut e = event(
            model,
            new,
            EventKind::SyncFailed,
            op.finished_at.unwrap_or(at),
            format!(
                "{} sync to {} failed: {}",
                new.key.name,
                short_rev(&op.revision),
                op.message
            ),
        );
        e.highlight = true;
        e.body = op.failed_resources.join("\n");
        out.push(e);
    }
    if let Some(o) = old
        && o.auto_sync != new.auto_sync
    {
        let state = if new.auto_sync { "ON" } else { "OFF" };
        // sitrep's own rollback turned it off (in flight, or answered already).
        let by_sitrep = !new.auto_sync
            && (model.autosync_off.contains(&new.key)
                || model
                    .in_flight
                    .values()
                    .any(|p| p.disable_auto_sync && p.app.as_ref() == Some(&new.key)));
        let why = if by_sitrep {
            " (turned off by sitrep for a rollback)"
        } else {
            ""
        };
        let mut e = event(
            model,
            new,
            EventKind::AutosyncToggled,
            at,
            format!("{} auto-sync {state}{why}", new.key.name),
        );
        e.details = json!({"auto_sync": new.auto_sync, "by_sitrep": by_sitrep});
        e.highlight = by_sitrep;
        out.push(e);
        if new.auto_sync {
            model.autosync_off.remove(&new.key);
        }
    }
}

/// Apps whose detail (history, tree, events) matters now: affected services' apps, the
/// selected service's, the open and selected app on the Apps screen.
/// The apps whose detail matters now, most wanted first, borrowed: the open and selected
/// app, the selected service's apps, then (`fleet`) every app of an urgent or suspect service.
fn wanted_details(model: &Model, fleet: bool) -> impl Iterator<Item = &AppKey> {
    let open = model.app_open.iter();
    let selected_app = (model.screen == Screen::Apps)
        .then(|| model.apps_view.get(model.apps_cursor.selected))
        .flatten()
        .into_iter();
    let selected_service = model
        .selected_service()
        .into_iter()
        .flat_map(|s| s.apps.iter());
    let urgent = model
        .services
        .iter()
        .take_while(move |_| fleet)
        .filter(|s| s.urgency < Urgency::WarningFiring || s.suspect)
        // The top of the triage list: what a person can look at (10,000 degraded apps must
        // not cost a scan on every update).
        .take(URGENT_SERVICES_WITH_DETAIL)
        .flat_map(|s| s.apps.iter());
    open.chain(selected_app)
        .chain(selected_service)
        .chain(urgent)
}

/// Fetch details that are missing or older than the app, at most one request per app and a
/// few per call. `fleet`: look through every urgent service's apps too (after data changed);
/// a key press looks only at what it selected.
pub fn detail_fetches(model: &mut Model, fleet: bool) -> Vec<Effect> {
    let mut wanted: Vec<AppKey> = Vec::new();
    for key in wanted_details(model, fleet) {
        if wanted.len() >= DETAIL_FETCHES_PER_UPDATE {
            break;
        }
        if model.detail_requests.contains(key) || wanted.contains(key) {
            continue;
        }
        let Some(app) = model.apps.get(key) else {
            continue;
        };
        let fresh = model
            .app_details
            .get(key)
            .is_some_and(|d| d.resource_version == app.resource_version);
        if !fresh {
            wanted.push(key.clone());
        }
    }
    wanted
        .into_iter()
        .map(|key| {
            model.detail_requests.insert(key.clone());
            Effect::FetchAppDetail { key, refresh: None }
        })
        .collect()
}
