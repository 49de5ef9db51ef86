//! The Application object (`v1alpha1Application`) as Argo CD's API server marshals it: Go
//! `encoding/json`, so int64s are numbers, times are whole-second RFC3339, and empty optional
//! fields are left out (`omitempty`).

use super::apps::{App, CONTROL_NS};
use super::drift;
use super::objects::{self, Managed};
use super::tree::{Live, stamp};
use super::view::{self, AUTO_SYNC_AUTHOR, OP_TIME, OpRecord, Phase};
use crate::demo::clock::{Offset, ScenarioClock};
use crate::demo::scenario::{Deploy, SyncStatus, World, commit_for, fnv64};
use chrono::TimeDelta;
use serde_json::{Map, Value, json};

/// The application controller's reconciliation period (`timeout.reconciliation`).
const RECONCILE: TimeDelta = TimeDelta::minutes(3);

/// Drop what Go's `omitempty` drops: nulls, empty strings and lists, false. Empty objects
/// stay (Go never omits struct values, and `automated: {}` means something).
pub fn prune(v: &mut Value) {
    match v {
        Value::Object(map) => {
            map.retain(|_, x| {
                prune(x);
                !matches!(x, Value::Null | Value::Bool(false))
                    && x.as_str() != Some("")
                    && x.as_array().is_none_or(|a| !a.is_empty())
            });
        }
        Value::Array(items) => items.iter_mut().for_each(prune),
        _ => {}
    }
}

fn initiated_by(username: Option<&str>, automated: bool) -> Value {
    json!({"username": username, "automated": automated})
}

/// The source(s) a sync used, with the revision(s) it resolved to.
fn sourced(app: &App, commit: &str, at: Offset, into: &mut Map<String, Value>, plural_key: &str) {
    match app.def.revisions(commit, at) {
        Some(revs) => {
            into.insert(plural_key.to_string(), json!(revs));
            into.insert("sources".to_string(), app.spec["sources"].clone());
        }
        None => {
            let singular = plural_key.trim_end_matches('s');
            into.insert(singular.to_string(), json!(commit));
            into.insert("source".to_string(), app.spec["source"].clone());
        }
    }
}

fn history_entry(app: &App, d: &Deploy, clock: &ScenarioClock) -> Value {
    let mut entry = Map::new();
    entry.insert("id".to_string(), json!(d.id));
    sourced(app, &d.revision, d.at, &mut entry, "revisions");
    entry.insert("deployStartedAt".to_string(), json!(stamp(clock, d.at)));
    entry.insert(
        "deployedAt".to_string(),
        json!(stamp(clock, d.at + OP_TIME)),
    );
    let user = (d.author != AUTO_SYNC_AUTHOR).then_some(d.author.as_str());
    entry.insert("initiatedBy".to_string(), initiated_by(user, d.automated));
    Value::Object(entry)
}

/// `operation` (and `operationState.operation`): what was asked.
pub fn operation(app: &App, op: &OpRecord) -> Value {
    let mut sync = Map::new();
    match app.def.revisions(&op.revision, op.started) {
        Some(revs) => {
            sync.insert("revisions".to_string(), json!(revs));
        }
        None => {
            sync.insert("revision".to_string(), json!(op.revision));
        }
    }
    sync.insert("prune".to_string(), json!(op.prune));
    sync.insert("dryRun".to_string(), json!(op.dry_run));
    sync.insert("resources".to_string(), json!(op.resources));
    if let Some(options) = app.spec.pointer("/syncPolicy/syncOptions") {
        sync.insert("syncOptions".to_string(), options.clone());
    }
    if op.rollback_id.is_some() {
        // A rollback is a sync of the history entry's source, applied.
        sync.insert("syncStrategy".to_string(), json!({"apply": {}}));
        let mut source = Map::new();
        sourced(app, &op.revision, op.started, &mut source, "revisions");
        sync.extend(source.into_iter().filter(|(k, _)| k.starts_with("source")));
    } else if let Some(strategy) = &op.strategy {
        sync.insert("syncStrategy".to_string(), strategy.clone());
    }
    json!({
        "sync": sync,
        "initiatedBy": initiated_by(op.username.as_deref(), op.automated),
    })
}

fn sync_result(app: &App, live: &Live, world: &World, op: &OpRecord) -> Value {
    let w = &live.workload;
    let ns = &live.namespace;
    let dry = if op.dry_run { " (dry run)" } else { "" };
    // A dry run reports what the real sync would do: configure the Deployment when it asks
    // for another version than the one running when it started.
    let would_change = op.dry_run
        && op.version.as_deref().is_some_and(|v| {
            world
                .running(&app.def.name, op.started)
                .is_none_or(|d| d.version != v)
        });
    let changed = if op.deploy_id.is_some() || would_change {
        "configured"
    } else {
        "unchanged"
    };
    let all = [
        (
            "",
            "ConfigMap",
            format!("{w}-config"),
            "configmap",
            "unchanged",
        ),
        ("", "Service", w.clone(), "service", "unchanged"),
        ("apps", "Deployment", w.clone(), "deployment.apps", changed),
    ];
    let wanted = |kind: &str, name: &str| {
        op.resources.is_empty()
            || op
                .resources
                .iter()
                .any(|r| r["kind"] == kind && r["name"] == name)
    };
    let resources: Vec<Value> = all
        .iter()
        .filter(|(_, kind, name, _, _)| wanted(kind, name))
        .map(|(group, kind, name, short, verb)| {
            json!({
                "group": group, "version": "v1", "kind": kind, "namespace": ns, "name": name,
                "status": "Synced", "message": format!("{short}/{name} {verb}{dry}"),
                "hookPhase": "Running", "syncPhase": "Sync",
            })
        })
        .collect();
    let mut result = Map::new();
    result.insert("resources".to_string(), json!(resources));
    sourced(app, &op.revision, op.started, &mut result, "revisions");
    Value::Object(result)
}

fn operation_state(
    app: &App,
    live: &Live,
    world: &World,
    op: &OpRecord,
    clock: &ScenarioClock,
    at: Offset,
) -> Value {
    let phase = op.phase(at);
    let mut state = json!({
        "operation": operation(app, op),
        "phase": phase.as_str(),
        "message": op.message(at),
        "startedAt": stamp(clock, op.started),
    });
    if matches!(phase, Phase::Succeeded | Phase::Failed) {
        state["finishedAt"] = json!(stamp(clock, op.finished_at()));
    }
    if phase == Phase::Succeeded {
        state["syncResult"] = sync_result(app, live, world, op);
    }
    state
}

/// When the controller last reconciled the app: every [`RECONCILE`], staggered per app.
fn reconciled_at(app: &App, at: Offset) -> Offset {
    let period = RECONCILE.num_milliseconds();
    let phase = (fnv64(&app.def.name) % period as u64) as i64;
    let since = at.num_milliseconds() - phase;
    TimeDelta::milliseconds(since.div_euclid(period) * period + phase)
}

/// `status.health.lastTransitionTime`: when the app's health last became what it is at `at`.
/// The world's health changes only when a deploy starts or finishes rolling out; an app whose
/// health never changed has had it since it was created.
fn health_since(app: &App, world: &World, at: Offset) -> Offset {
    let name = &app.def.name;
    let now = world.health(name, at);
    let mut points: Vec<Offset> = world
        .history(name, at)
        .iter()
        .flat_map(|d| [d.at, d.at + d.rollout])
        .filter(|p| *p <= at)
        .collect();
    points.sort();
    points.dedup();
    let just_before = TimeDelta::milliseconds(1);
    points
        .into_iter()
        .rev()
        .find(|p| world.health(name, *p) == now && world.health(name, *p - just_before) != now)
        .unwrap_or(app.def.created)
}

/// `status.resources` (`ResourceStatus`): each managed resource's sync status, health where
/// Argo CD has a health check, `requiresPruning` when only the cluster still has it.
fn resource_statuses(live: &Live, managed: &[Managed], modified: &[bool], unknown: bool) -> Value {
    let items: Vec<Value> = managed
        .iter()
        .zip(modified)
        .map(|(m, modified)| {
            let status = match (unknown, *modified) {
                (true, _) => "Unknown",
                (false, true) => "OutOfSync",
                (false, false) => "Synced",
            };
            let mut r = json!({"group": m.group, "version": m.version, "kind": m.kind,
                               "namespace": m.namespace, "name": m.name, "status": status});
            let health = match m.kind.as_str() {
                _ if m.live.is_none() => Some(json!({"status": "Missing"})),
                "Deployment" => {
                    let (status, message) = live.deployment_health();
                    Some(json!({"status": status, "message": message}))
                }
                "Service" | "StatefulSet" => Some(json!({"status": "Healthy"})),
                _ => None,
            };
            if let Some(h) = health {
                r["health"] = h;
            }
            if m.requires_pruning() {
                r["requiresPruning"] = json!(true);
            }
            r
        })
        .collect();
    Value::Array(items)
}

/// The whole Application at `at`, without `metadata.resourceVersion` (the store adds it).
pub fn application(app: &App, world: &World, clock: &ScenarioClock, at: Offset) -> Value {
    let def = &app.def;
    let live = Live::of(app, world, at);
    let current = view::current_op(app, world, at);
    let git = world
        .git_version(&def.name, at)
        .map(|v| commit_for(&def.name, &v))
        .unwrap_or_default();

    // What is live against what Git wants, resource by resource: the same objects
    // managed-resources and manifests serve, so the status and the diff agree.
    let managed = objects::managed(app, world, clock, at);
    let comparison_error = drift::comparison_error(app, at);
    // (Diffing is the costly part of a refresh: once per resource.)
    let modified: Vec<bool> = managed.iter().map(Managed::modified).collect();
    let out_of_sync = live.sync == SyncStatus::OutOfSync || modified.contains(&true);
    let mut sync = Map::new();
    sync.insert(
        "status".to_string(),
        json!(match (&comparison_error, out_of_sync) {
            (Some(_), _) => "Unknown",
            (None, true) => "OutOfSync",
            (None, false) => "Synced",
        }),
    );
    let mut compared = Map::new();
    compared.insert("destination".to_string(), app.spec["destination"].clone());
    sourced(app, &git, at, &mut sync, "revisions");
    for key in ["source", "sources"] {
        if let Some(s) = sync.remove(key) {
            compared.insert(key.to_string(), s);
        }
    }
    sync.insert("comparedTo".to_string(), Value::Object(compared));

    let (health, message) = live.deployment_health();
    let history: Vec<Value> = view::history(app, world, at)
        .into_iter()
        .map(|d| history_entry(app, d, clock))
        .collect();
    let mut status = json!({
        "resources": resource_statuses(&live, &managed, &modified, comparison_error.is_some()),
        "sync": sync,
        "health": {"status": health, "message": message,
                   "lastTransitionTime": stamp(clock, health_since(app, world, at))},
        "history": history,
        "reconciledAt": stamp(clock, reconciled_at(app, at)),
        "summary": {"images": live.images(app), "externalURLs": def.external_urls},
        "controllerNamespace": CONTROL_NS,
    });
    if let Some((since, message)) = &comparison_error {
        status["conditions"] = json!([{"type": "ComparisonError", "message": message,
                                       "lastTransitionTime": stamp(clock, *since)}]);
    }
    if def.chart.is_some() {
        status["sourceTypes"] = json!(["Helm", "Directory"]);
    } else if def.shared_chart {
        status["sourceTypes"] = json!(["Kustomize", "Helm"]);
    } else {
        status["sourceType"] = json!("Kustomize");
    }
    let mut out = json!({
        "metadata": {
            "name": def.name,
            "namespace": def.namespace,
            "uid": def.uid,
            "generation": app.generation,
            "creationTimestamp": stamp(clock, def.created),
            "labels": app.labels,
            "annotations": app.annotations,
            "finalizers": ["resources-finalizer.argocd.argoproj.io"],
        },
    });
    if let Some(op) = &current {
        status["operationState"] = operation_state(app, &live, world, op, clock, at);
        if op.in_progress(at) {
            out["operation"] = operation(app, op);
        }
    }
    out["status"] = status;
    prune(&mut out);
    // The spec is stored as written: nothing in it is pruned.
    out["spec"] = app.spec.clone();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prune_is_omitempty() {
        let mut v = json!({"a": "", "b": null, "c": [], "d": false, "e": {}, "f": 0,
                           "g": {"h": "", "i": true}, "j": ["", "x"]});
        prune(&mut v);
        assert_eq!(
            v,
            json!({"e": {}, "f": 0, "g": {"i": true}, "j": ["", "x"]})
        );
    }
}
