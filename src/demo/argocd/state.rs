//! The emulated Argo CD's store: the apps, a cluster-wide resourceVersion counter (like etcd's),
//! the add-ons' world, and the broadcast the watch streams listen to.
//!
//! Every request and every tick (while someone watches) runs [`refresh`]: the emulated
//! application controller acts (auto-sync of OutOfSync apps), then each app is rebuilt as of
//! now; an app that differs from what was last published gets the next resourceVersion and a
//! MODIFIED event (ADDED the first time). The answer never depends on how often anyone asks.
//!
//! Lock order: this store, then the world. Nothing holds the world while taking the store.

use super::apps::{App, catalog};
use super::view::{self, AUTO_SYNC_AUTHOR, OP_TIME, OpRecord};
use super::wire;
use crate::demo::Shared;
use crate::demo::clock::{Offset, ScenarioClock};
use crate::demo::scenario::{SyncStatus, World, commit_for};
use serde_json::{Value, json};
use std::sync::{Arc, Mutex, MutexGuard};
use tokio::sync::broadcast;

/// Where resourceVersions start: a cluster that has been up a while.
const FIRST_RV: u64 = 4_812_000;

#[derive(Clone, Debug)]
pub struct Event {
    /// `ADDED` or `MODIFIED` (nothing is ever deleted here).
    pub kind: &'static str,
    pub app: Arc<Value>,
}

pub struct State {
    pub apps: Vec<App>,
    /// The add-ons' deploys (not part of the scenario).
    pub addons: World,
    /// The last resourceVersion handed out.
    pub rv: u64,
    /// The scenario time of the last refresh, unless something changed since (a refresh at
    /// the same time and state would publish nothing).
    fresh_at: Option<Offset>,
}

impl State {
    /// Index of the app `name` in `namespace`.
    pub fn find(&self, name: &str, namespace: &str) -> Option<usize> {
        self.apps
            .iter()
            .position(|a| a.def.name == name && a.def.namespace == namespace)
    }
}

pub struct Store {
    state: Mutex<State>,
    events: broadcast::Sender<Event>,
}

impl Store {
    pub fn new(world: &World) -> Store {
        let (apps, addons) = catalog(world);
        Store {
            state: Mutex::new(State {
                apps,
                addons,
                rv: FIRST_RV,
                fresh_at: None,
            }),
            events: broadcast::channel(4096).0,
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Event> {
        self.events.subscribe()
    }

    pub fn watchers(&self) -> usize {
        self.events.receiver_count()
    }

    /// Turn auto-sync off for an app (or service) the way `argocd app set --sync-policy none`
    /// does: used by the demo's out-of-band rollback, which would otherwise be undone by the
    /// emulated controller at once. Call it before changing the world behind Argo CD's back:
    /// the next request rebuilds every app.
    pub fn disable_auto_sync(&self, app_or_service: &str, at: Offset, by: &str) {
        let mut st = self.lock();
        st.fresh_at = None;
        if let Some(app) = st.apps.iter_mut().find(|a| {
            !a.def.addon && (a.def.name == app_or_service || a.def.workload == app_or_service)
        }) && app.automated()
            && let Some(policy) = app
                .spec
                .get_mut("syncPolicy")
                .and_then(Value::as_object_mut)
        {
            policy.remove("automated");
            app.generation += 1;
            app.updates.push((at, by.to_string()));
        }
    }
}

/// The app as published: the last built value with its resourceVersion.
pub fn published(app: &App) -> Value {
    let mut v = app.last.clone().unwrap_or_else(|| json!({"metadata": {}}));
    v["metadata"]["resourceVersion"] = json!(app.rv.to_string());
    v
}

/// The world an app's deploys live in.
pub fn world_of<'w>(app: &App, addons: &'w mut World, world: &'w mut World) -> &'w mut World {
    if app.def.addon { addons } else { world }
}

/// The emulated application controller: an app with auto-sync on that is OutOfSync is synced
/// to git, unless its last operation already went to that revision (Argo CD never retries an
/// automated sync of the same revision by itself) or an operation is running.
fn controller(st: &mut State, world: &mut World, at: Offset) {
    let State { apps, addons, .. } = st;
    for app in apps.iter_mut().filter(|a| a.automated()) {
        let w = world_of(app, addons, world);
        let name = app.def.name.clone();
        if w.sync(&name, at) != SyncStatus::OutOfSync {
            continue;
        }
        let Some(version) = w.git_version(&name, at) else {
            continue;
        };
        let commit = commit_for(&name, &version);
        if view::current_op(app, w, at)
            .is_some_and(|op| op.in_progress(at) || op.revision == commit)
        {
            continue;
        }
        // Without self-heal Argo CD syncs a revision once: a change made in the cluster
        // since (a `kubectl rollout undo`) stays until git moves.
        let self_heal = app.spec.pointer("/syncPolicy/automated/selfHeal") == Some(&json!(true));
        // (What kubectl changed is not an Argo CD operation: look past it.)
        let last_synced = w
            .history(&name, at)
            .into_iter()
            .rev()
            .find(|d| d.author != crate::demo::kube::KUBECTL_AUTHOR)
            .is_some_and(|d| d.revision == commit);
        if !self_heal && last_synced {
            continue;
        }
        let Ok(d) = w.sync_to(&name, &version, at, AUTO_SYNC_AUTHOR, true) else {
            continue;
        };
        let prune = app.spec.pointer("/syncPolicy/automated/prune") == Some(&json!(true));
        app.ops.push(OpRecord {
            prune,
            username: None,
            ..OpRecord::of_deploy(&d)
        });
    }
}

/// Bring the store up to `clock`'s now and publish what changed.
fn refresh(store: &Store, st: &mut State, world: &mut World, clock: &ScenarioClock) {
    let at = clock.offset();
    if st.fresh_at == Some(at) {
        return;
    }
    st.fresh_at = Some(at);
    controller(st, world, at);
    let State {
        apps, addons, rv, ..
    } = st;
    for app in apps.iter_mut() {
        let w: &World = if app.def.addon { addons } else { world };
        let value = wire::application(app, w, clock, at);
        if app.last.as_ref() == Some(&value) {
            continue;
        }
        *rv += 1;
        app.rv = *rv;
        let kind = if app.last.is_none() {
            "ADDED"
        } else {
            "MODIFIED"
        };
        app.last = Some(value);
        // Nobody listening is fine.
        let _ = store.events.send(Event {
            kind,
            app: Arc::new(published(app)),
        });
    }
}

/// Run `f` on the store and the world as of now, publishing before (time passed) and after
/// (what `f` changed), then `then` on the result.
pub fn with_then<R, S>(
    shared: &Shared,
    f: impl FnOnce(&mut State, &mut World, Offset) -> R,
    then: impl FnOnce(&State, R) -> S,
) -> S {
    let store = &shared.argocd;
    let mut st = store.lock();
    let mut world = shared.world();
    refresh(store, &mut st, &mut world, &shared.clock);
    let r = f(&mut st, &mut world, shared.clock.offset());
    st.fresh_at = None;
    refresh(store, &mut st, &mut world, &shared.clock);
    then(&st, r)
}

/// [`with_then`] without the `then`.
pub fn with<R>(shared: &Shared, f: impl FnOnce(&mut State, &mut World, Offset) -> R) -> R {
    with_then(shared, f, |_, r| r)
}

/// Read the store and the world as of now.
pub fn read<R>(shared: &Shared, f: impl FnOnce(&State, &World, Offset) -> R) -> R {
    let store = &shared.argocd;
    let mut st = store.lock();
    let mut world = shared.world();
    refresh(store, &mut st, &mut world, &shared.clock);
    f(&st, &world, shared.clock.offset())
}

/// Publish what time changed (the ticker calls this while anyone watches).
pub fn tick(shared: &Shared) {
    read(shared, |_, _, _| ());
}

/// How long an operation started now by a person takes.
pub fn op_time(dry_run: bool) -> Offset {
    if dry_run { view::DRY_RUN_TIME } else { OP_TIME }
}
