//! `GET /api/v1/applications/{name}/events`: Kubernetes events (core v1 `EventList`), of the
//! Application itself (operations, health and sync transitions, spec updates: what Argo CD's
//! server and controller record) or, given `resourceName`/`resourceNamespace`/`resourceUID`,
//! of one live resource (the deployment controller, the scheduler, the kubelet). Like a real
//! cluster's, events older than an hour are gone.

use super::apps::App;
use super::tree::{Live, PodState, stamp};
use super::view::{self, Phase};
use crate::demo::clock::{Offset, ScenarioClock};
use crate::demo::scenario::{Health, SyncStatus, World, fnv64};
use chrono::TimeDelta;
use serde_json::{Value, json};

/// Kubernetes' default event TTL.
const TTL: TimeDelta = TimeDelta::hours(1);

struct Ev {
    kind: &'static str,
    api_version: &'static str,
    namespace: String,
    name: String,
    uid: String,
    reason: &'static str,
    message: String,
    warning: bool,
    component: &'static str,
    host: Option<&'static str>,
    first: Offset,
    last: Offset,
    count: u32,
}

fn to_json(e: &Ev, clock: &ScenarioClock) -> Value {
    let id = fnv64(&format!("{}/{}/{}/{}", e.uid, e.reason, e.message, e.first));
    let mut source = json!({"component": e.component});
    if let Some(h) = e.host {
        source["host"] = json!(h);
    }
    json!({
        "metadata": {
            "name": format!("{}.{:016x}", e.name, id),
            "namespace": e.namespace,
            "uid": super::apps::uid(&format!("event/{id}")),
            "resourceVersion": (id % 90_000_000 + 10_000_000).to_string(),
            "creationTimestamp": stamp(clock, e.first),
        },
        "involvedObject": {
            "kind": e.kind, "namespace": e.namespace, "name": e.name, "uid": e.uid,
            "apiVersion": e.api_version,
        },
        "reason": e.reason,
        "message": e.message,
        "source": source,
        "firstTimestamp": stamp(clock, e.first),
        "lastTimestamp": stamp(clock, e.last),
        "count": e.count,
        "type": if e.warning { "Warning" } else { "Normal" },
        // Go's metav1.MicroTime: a zero value marshals as null, and these fields have no
        // omitempty.
        "eventTime": null,
        "reportingComponent": "",
        "reportingInstance": "",
    })
}

fn list(mut events: Vec<Ev>, at: Offset, clock: &ScenarioClock) -> Value {
    events.retain(|e| e.last > at - TTL && e.first <= at);
    events.sort_by_key(|e| (e.last, e.first));
    let items: Vec<Value> = events.iter().map(|e| to_json(e, clock)).collect();
    json!({"metadata": {"resourceVersion": (fnv64(&format!("{at}")) % 1_000_000 + 5_000_000).to_string()}, "items": items})
}

fn health_name(h: Health) -> &'static str {
    match h {
        Health::Healthy => "Healthy",
        Health::Progressing => "Progressing",
        Health::Degraded => "Degraded",
    }
}

fn sync_name(s: SyncStatus) -> &'static str {
    match s {
        SyncStatus::Synced => "Synced",
        SyncStatus::OutOfSync => "OutOfSync",
    }
}

/// Events of the Application object.
pub fn app_events(app: &App, world: &World, clock: &ScenarioClock, at: Offset) -> Value {
    let name = &app.def.name;
    let ev = |reason, message: String, warning, component, when| Ev {
        kind: "Application",
        api_version: "argoproj.io/v1alpha1",
        namespace: app.def.namespace.clone(),
        name: name.clone(),
        uid: app.def.uid.clone(),
        reason,
        message,
        warning,
        component,
        host: None,
        first: when,
        last: when,
        count: 1,
    };
    let mut out = Vec::new();
    for op in view::ops(app, world, at) {
        let target = match op.rollback_id {
            Some(id) => format!("rollback to {id}"),
            None => format!("sync to HEAD ({})", op.revision),
        };
        let dry = if op.dry_run { " (dry run)" } else { "" };
        out.push(match &op.username {
            Some(user) => ev(
                "OperationStarted",
                format!("{user} initiated {target}{dry}"),
                false,
                "argocd-server",
                op.started,
            ),
            None => ev(
                "OperationStarted",
                format!("Initiated automated sync to '{}'", op.revision),
                false,
                "argocd-application-controller",
                op.started,
            ),
        });
        if let Some(t) = op.terminated {
            out.push(ev(
                "ResourceUpdated",
                "admin terminated running operation".to_string(),
                false,
                "argocd-server",
                t,
            ));
        }
        let done = op.finished_at();
        match op.phase(at) {
            Phase::Succeeded => out.push(ev(
                "OperationCompleted",
                format!("Sync operation to {} succeeded", op.revision),
                false,
                "argocd-application-controller",
                done,
            )),
            Phase::Failed => out.push(ev(
                "OperationCompleted",
                format!(
                    "Sync operation to {} failed: Operation terminated",
                    op.revision
                ),
                true,
                "argocd-application-controller",
                done,
            )),
            Phase::Running | Phase::Terminating => {}
        }
    }
    // Health and sync transitions: they can only happen when a deploy starts or finishes
    // rolling, or when git moves.
    let mut moments: Vec<Offset> = world
        .history(name, at)
        .iter()
        .flat_map(|d| [d.at, d.at + d.rollout])
        .collect();
    if let Some(drift) = world.service_by_app(name).and_then(|s| s.drift.as_ref()) {
        moments.push(drift.since);
    }
    moments.sort();
    moments.dedup();
    let just_before = |t: Offset| t - TimeDelta::milliseconds(1);
    for t in moments.into_iter().filter(|t| *t <= at) {
        let (was, is) = (world.health(name, just_before(t)), world.health(name, t));
        if was != is {
            out.push(ev(
                "ResourceUpdated",
                format!(
                    "Updated health status: {} -> {}",
                    health_name(was),
                    health_name(is)
                ),
                is == Health::Degraded,
                "argocd-application-controller",
                t,
            ));
        }
        let (was, is) = (world.sync(name, just_before(t)), world.sync(name, t));
        if was != is {
            out.push(ev(
                "ResourceUpdated",
                format!(
                    "Updated sync status: {} -> {}",
                    sync_name(was),
                    sync_name(is)
                ),
                false,
                "argocd-application-controller",
                t,
            ));
        }
    }
    for (t, user) in &app.updates {
        out.push(ev(
            "ResourceUpdated",
            format!("{user} updated application spec"),
            false,
            "argocd-server",
            *t,
        ));
    }
    list(out, at, clock)
}

/// Events of one live resource, or None when the app has no such resource (Argo CD answers
/// InvalidArgument).
pub fn resource_events(
    app: &App,
    live: &Live,
    world: &World,
    clock: &ScenarioClock,
    at: Offset,
    (namespace, name, uid): (&str, &str, &str),
) -> Option<Value> {
    let ns = live.namespace.clone();
    if namespace != ns {
        return None;
    }
    let w = &live.workload;
    let ev = |kind, api_version, obj: &str, obj_uid: &str, reason, message: String| Ev {
        kind,
        api_version,
        namespace: ns.clone(),
        name: obj.to_string(),
        uid: obj_uid.to_string(),
        reason,
        message,
        warning: false,
        component: "",
        host: None,
        first: at,
        last: at,
        count: 1,
    };
    let mut out = Vec::new();
    let deploy_uid = super::apps::uid(&format!("{ns}/deployment/{w}"));
    if name == w && uid == deploy_uid {
        let rollouts: Vec<_> = world.history(&app.def.name, at);
        let mut previous: Option<String> = None;
        for d in rollouts {
            let rs = format!(
                "{w}-{}",
                super::tree::template_hash(&app.def.name, &d.version)
            );
            if previous.as_ref() == Some(&rs) {
                continue;
            }
            out.push(Ev {
                component: "deployment-controller",
                first: d.at,
                last: d.at,
                ..ev(
                    "Deployment",
                    "apps/v1",
                    w,
                    &deploy_uid,
                    "ScalingReplicaSet",
                    format!("Scaled up replica set {rs} to {}", live.replicas),
                )
            });
            if let Some(old) = previous.replace(rs)
                && world.health(&app.def.name, at) == Health::Healthy
            {
                out.push(Ev {
                    component: "deployment-controller",
                    first: d.at + d.rollout,
                    last: d.at + d.rollout,
                    ..ev(
                        "Deployment",
                        "apps/v1",
                        w,
                        &deploy_uid,
                        "ScalingReplicaSet",
                        format!("Scaled down replica set {old} from {} to 0", live.replicas),
                    )
                });
            }
        }
        return Some(list(out, at, clock));
    }
    for rs in &live.replica_sets {
        if name == rs.name && uid == rs.uid {
            for p in &rs.pods {
                out.push(Ev {
                    component: "replicaset-controller",
                    first: p.created,
                    last: p.created,
                    ..ev(
                        "ReplicaSet",
                        "apps/v1",
                        &rs.name,
                        &rs.uid,
                        "SuccessfulCreate",
                        format!("Created pod: {}", p.name),
                    )
                });
            }
            return Some(list(out, at, clock));
        }
        let Some(p) = rs.pods.iter().find(|p| p.name == name && p.uid == uid) else {
            continue;
        };
        let image = app.def.image_of(&rs.version);
        let kubelet = |reason, message: String, first, last, count| Ev {
            component: "kubelet",
            host: Some(p.node),
            first,
            last,
            count,
            ..ev("Pod", "v1", &p.name, &p.uid, reason, message)
        };
        let c = p.created;
        let last = p.last_restart.unwrap_or(c);
        let runs = p.restarts + 1;
        out.push(Ev {
            component: "default-scheduler",
            first: c,
            last: c,
            ..ev(
                "Pod",
                "v1",
                &p.name,
                &p.uid,
                "Scheduled",
                format!("Successfully assigned {ns}/{} to {}", p.name, p.node),
            )
        });
        if p.state != PodState::Creating {
            let s = TimeDelta::seconds;
            out.push(kubelet(
                "Pulled",
                format!("Container image \"{image}\" already present on machine"),
                c + s(1),
                last,
                runs,
            ));
            out.push(kubelet(
                "Created",
                format!("Created container {w}"),
                c + s(1),
                last,
                runs,
            ));
            out.push(kubelet(
                "Started",
                format!("Started container {w}"),
                c + s(2),
                last,
                runs,
            ));
        }
        if p.state == PodState::CrashLoop && p.restarts > 0 {
            out.push(Ev {
                warning: true,
                ..kubelet(
                    "BackOff",
                    format!(
                        "Back-off restarting failed container {w} in pod {}_{ns}({})",
                        p.name, p.uid
                    ),
                    c + TimeDelta::seconds(20),
                    at,
                    p.restarts,
                )
            });
        }
        return Some(list(out, at, clock));
    }
    let service_uid = super::apps::uid(&format!("{ns}/service/{w}"));
    let config_uid = super::apps::uid(&format!("{ns}/configmap/{w}"));
    let known =
        (name == w && uid == service_uid) || (name == format!("{w}-config") && uid == config_uid);
    known.then(|| list(out, at, clock))
}
