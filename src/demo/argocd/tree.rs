//! What runs in the cluster for an app: a Deployment, its ReplicaSets and Pods, a Service and a
//! ConfigMap, derived from the world's deploys and health, and served as Argo CD's resource tree
//! (`v1alpha1ApplicationTree`) and `status.resources`.
//!
//! A rollout runs the new ReplicaSet up while the old one still serves; a bad version leaves
//! half the replicas of the new ReplicaSet in CrashLoopBackOff beside the old one (a rollout
//! stuck past its progress deadline); a healthy app keeps its previous ReplicaSet at 0.

use super::apps::{App, uid};
use crate::demo::clock::{Offset, ScenarioClock};
use crate::demo::scenario::{Deploy, Health, SyncStatus, World, fnv64};
use chrono::{SecondsFormat, TimeDelta};
use serde_json::{Value, json};

/// Kubernetes' pod-template-hash and name-suffix alphabet.
const ALPHABET: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";
/// How long a container takes to start: the first crash and the first back-off.
const START: TimeDelta = TimeDelta::seconds(10);
pub(crate) const NODES: [&str; 4] = [
    "ip-10-0-1-23.eu-west-1.compute.internal",
    "ip-10-0-2-41.eu-west-1.compute.internal",
    "ip-10-0-3-17.eu-west-1.compute.internal",
    "ip-10-0-1-88.eu-west-1.compute.internal",
];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PodState {
    Running,
    Creating,
    CrashLoop,
}

#[derive(Clone, Debug)]
pub struct Pod {
    pub name: String,
    pub uid: String,
    pub node: &'static str,
    pub created: Offset,
    pub state: PodState,
    pub restarts: u32,
    pub last_restart: Option<Offset>,
}

#[derive(Clone, Debug)]
pub struct ReplicaSet {
    pub name: String,
    pub uid: String,
    pub version: String,
    pub revision: usize,
    pub created: Offset,
    pub pods: Vec<Pod>,
}

/// The live workload of an app at a scenario time.
#[derive(Clone, Debug)]
pub struct Live {
    pub health: Health,
    pub sync: SyncStatus,
    /// Newest first.
    pub replica_sets: Vec<ReplicaSet>,
    pub replicas: u32,
    pub workload: String,
    pub namespace: String,
}

impl Live {
    pub fn of(app: &App, world: &World, at: Offset) -> Live {
        let def = &app.def;
        let name = &def.name;
        let mut live = Live {
            health: world.health(name, at),
            sync: world.sync(name, at),
            replica_sets: Vec::new(),
            replicas: def.replicas,
            workload: def.workload.clone(),
            namespace: def.dest_namespace.clone(),
        };
        // One entry per version change: re-syncing a running version rolls nothing.
        let mut rollouts: Vec<&Deploy> = Vec::new();
        for d in world.history(name, at) {
            if rollouts.last().is_none_or(|p| p.version != d.version) {
                rollouts.push(d);
            }
        }
        let Some(current) = rollouts.last().copied() else {
            return live;
        };
        let latest = world.running(name, at).unwrap_or(current);
        let previous = rollouts.len().checked_sub(2).map(|i| rollouts[i]);
        let r = def.replicas as usize;
        let (new_pods, old_pods): (Vec<PodState>, usize) = match live.health {
            Health::Progressing => {
                let done = (at - latest.at).num_milliseconds() as f64
                    / latest.rollout.num_milliseconds().max(1) as f64;
                let k = ((r as f64 * done).ceil() as usize).clamp(1, r);
                let mut states = vec![PodState::Running; k - 1];
                states.push(PodState::Creating);
                (states, r + 1 - k)
            }
            Health::Degraded => (vec![PodState::CrashLoop; r.div_ceil(2)], r - 1),
            Health::Healthy => (vec![PodState::Running; r], 0),
        };
        // The Kubernetes revision numbers (older ones were pruned), as the emulated cluster has them.
        let revision = rollouts.len() + crate::demo::kube::revision_floor(name) as usize;
        let first = |d: &Deploy| {
            rollouts
                .iter()
                .find(|r| r.version == d.version)
                .map(|r| r.id)
                == Some(d.id)
        };
        live.replica_sets.push(replica_set(
            app,
            current,
            first(current),
            revision,
            &new_pods,
            at,
        ));
        if let Some(prev) = previous {
            // Rolling back from a bad version: its pods crash until they are gone.
            let state = if prev.bad && live.health == Health::Progressing {
                PodState::CrashLoop
            } else {
                PodState::Running
            };
            let old = vec![state; old_pods];
            live.replica_sets
                .push(replica_set(app, prev, first(prev), revision - 1, &old, at));
        }
        live
    }

    /// (status, message) of the Deployment, as Argo CD's health check words it.
    pub fn deployment_health(&self) -> (&'static str, Option<String>) {
        match self.health {
            Health::Healthy => ("Healthy", None),
            Health::Progressing => {
                let ready = self
                    .replica_sets
                    .first()
                    .map(|rs| {
                        rs.pods
                            .iter()
                            .filter(|p| p.state == PodState::Running)
                            .count()
                    })
                    .unwrap_or(0);
                (
                    "Progressing",
                    Some(format!(
                        "Waiting for rollout to finish: {ready} of {} updated replicas are available...",
                        self.replicas
                    )),
                )
            }
            Health::Degraded => (
                "Degraded",
                Some(format!(
                    "Deployment \"{}\" exceeded its progress deadline",
                    self.workload
                )),
            ),
        }
    }

    pub fn pods(&self) -> impl Iterator<Item = (&ReplicaSet, &Pod)> {
        self.replica_sets
            .iter()
            .flat_map(|rs| rs.pods.iter().map(move |p| (rs, p)))
    }

    /// Every image a live pod runs, sorted (`status.summary.images`).
    pub fn images(&self, app: &App) -> Vec<String> {
        let mut images: Vec<String> = self
            .pods()
            .map(|(rs, _)| app.def.image_of(&rs.version))
            .collect();
        images.sort();
        images.dedup();
        images
    }
}

fn pick(seed: &str, len: usize) -> String {
    let mut h = super::apps::hash(seed);
    (0..len)
        .map(|_| {
            let c = ALPHABET[(h % ALPHABET.len() as u64) as usize] as char;
            h /= ALPHABET.len() as u64;
            c
        })
        .collect()
}

/// The pod-template-hash of a version (the demo's alerts name checkout's crashing pod).
pub fn template_hash(app: &str, version: &str) -> String {
    if (app, version) == ("checkout-prod", "v2.14.0") {
        return "7d9f8b6c4".to_string();
    }
    pick(
        &format!("{app}/{version}"),
        9 + (fnv64(version) % 2) as usize,
    )
}

/// The `i`th pod of a ReplicaSet; `generation` > 0 when the version rolls out again (a
/// rollback to it): new pods, new names.
pub(crate) fn pod_name(rs: &str, generation: u64, i: usize) -> String {
    if rs == "checkout-7d9f8b6c4" && generation == 0 && i == 0 {
        return format!("{rs}-x2k9p");
    }
    match generation {
        0 => format!("{rs}-{}", pick(&format!("{rs}#{i}"), 5)),
        g => format!("{rs}-{}", pick(&format!("{rs}#{g}#{i}"), 5)),
    }
}

/// Restarts of a crash-looping container created at `created`: back-off doubles from 10 s to
/// five minutes. Returns the count and the last restart.
pub(crate) fn restarts(created: Offset, at: Offset) -> (u32, Option<Offset>) {
    let mut t = created + START;
    let mut backoff = START;
    let (mut n, mut last) = (0, None);
    while t + backoff <= at && n < 10_000 {
        t += backoff;
        n += 1;
        last = Some(t);
        backoff = (backoff * 2).min(TimeDelta::minutes(5));
    }
    (n, last)
}

fn replica_set(
    app: &App,
    d: &Deploy,
    first_of_version: bool,
    revision: usize,
    pods: &[PodState],
    at: Offset,
) -> ReplicaSet {
    let name = format!(
        "{}-{}",
        app.def.workload,
        template_hash(&app.def.name, &d.version)
    );
    // Rolled out before: a later rollout of the same version makes new pods.
    let generation = if first_of_version { 0 } else { d.id };
    let pods = pods
        .iter()
        .enumerate()
        .map(|(i, &state)| {
            let pod = pod_name(&name, generation, i);
            let created = d.at + TimeDelta::seconds(2 * i as i64);
            let (restarts, last_restart) = match state {
                PodState::CrashLoop => restarts(created, at),
                _ => (0, None),
            };
            Pod {
                uid: uid(&pod),
                node: NODES[(fnv64(&pod) % NODES.len() as u64) as usize],
                name: pod,
                created,
                state,
                restarts,
                last_restart,
            }
        })
        .collect();
    ReplicaSet {
        uid: uid(&name),
        name,
        version: d.version.clone(),
        revision,
        created: d.at,
        pods,
    }
}

pub fn stamp(clock: &ScenarioClock, at: Offset) -> String {
    // metav1.Time: RFC3339, whole seconds.
    clock.to_utc(at).to_rfc3339_opts(SecondsFormat::Secs, true)
}

fn pod_health(live: &Live, pod: &Pod) -> Value {
    match pod.state {
        PodState::Running => json!({"status": "Healthy"}),
        PodState::Creating => json!({"status": "Progressing"}),
        PodState::CrashLoop => json!({
            "status": "Degraded",
            "message": format!(
                "back-off 5m0s restarting failed container={} pod={}_{}({})",
                live.workload, pod.name, live.namespace, pod.uid
            ),
        }),
    }
}

fn pod_info(pod: &Pod) -> Value {
    let (reason, ready) = match pod.state {
        PodState::Running => ("Running", "1/1"),
        PodState::Creating => ("ContainerCreating", "0/1"),
        PodState::CrashLoop => ("CrashLoopBackOff", "0/1"),
    };
    json!([
        {"name": "Status Reason", "value": reason},
        {"name": "Node", "value": pod.node},
        {"name": "Containers", "value": ready},
        {"name": "Restart Count", "value": pod.restarts.to_string()},
    ])
}

/// `GET /api/v1/applications/{name}/resource-tree`.
pub fn resource_tree(app: &App, live: &Live, clock: &ScenarioClock) -> Value {
    let ns = &live.namespace;
    let w = &live.workload;
    let created = stamp(clock, app.def.created);
    let rv = |seed: &str| (fnv64(seed) % 9_000_000 + 1_000_000).to_string();
    let deploy_uid = uid(&format!("{ns}/deployment/{w}"));
    let (status, message) = live.deployment_health();
    let mut health = json!({"status": status});
    if let Some(m) = message {
        health["message"] = json!(m);
    }
    let revision = live.replica_sets.first().map_or(0, |rs| rs.revision);
    let mut nodes = vec![json!({
        "group": "apps", "version": "v1", "kind": "Deployment", "namespace": ns, "name": w,
        "uid": deploy_uid, "resourceVersion": rv(&format!("{deploy_uid}{revision}{status}")),
        "info": [{"name": "Revision", "value": format!("Rev:{revision}")}],
        "health": health, "createdAt": created,
    })];
    for rs in &live.replica_sets {
        let available = rs
            .pods
            .iter()
            .filter(|p| p.state == PodState::Running)
            .count();
        let health = if available == rs.pods.len() {
            json!({"status": "Healthy"})
        } else {
            json!({"status": "Progressing", "message": format!(
                "Waiting for rollout to finish: {available} out of {} new replicas are available...",
                rs.pods.len()
            )})
        };
        nodes.push(json!({
            "group": "apps", "version": "v1", "kind": "ReplicaSet", "namespace": ns,
            "name": rs.name, "uid": rs.uid, "resourceVersion": rv(&format!("{}{}", rs.uid, rs.pods.len())),
            "parentRefs": [{"group": "apps", "kind": "Deployment", "namespace": ns, "name": w, "uid": deploy_uid}],
            "info": [{"name": "Revision", "value": format!("Rev:{}", rs.revision)}],
            "health": health, "createdAt": stamp(clock, rs.created),
        }));
    }
    for (rs, pod) in live.pods() {
        let hash = rs.name.trim_start_matches(&format!("{w}-")).to_string();
        nodes.push(json!({
            "version": "v1", "kind": "Pod", "namespace": ns, "name": pod.name, "uid": pod.uid,
            "resourceVersion": rv(&format!("{}{}", pod.uid, pod.restarts)),
            "parentRefs": [{"group": "apps", "kind": "ReplicaSet", "namespace": ns, "name": rs.name, "uid": rs.uid}],
            "info": pod_info(pod),
            "networkingInfo": {"labels": {"app": w, "pod-template-hash": hash}},
            "images": [app.def.image_of(&rs.version)],
            "health": pod_health(live, pod),
            "createdAt": stamp(clock, pod.created),
        }));
    }
    let service_uid = uid(&format!("{ns}/service/{w}"));
    nodes.push(json!({
        "version": "v1", "kind": "Service", "namespace": ns, "name": w, "uid": service_uid,
        "resourceVersion": rv(&service_uid),
        "networkingInfo": {"targetLabels": {"app": w}},
        "health": {"status": "Healthy"}, "createdAt": created,
    }));
    let config_uid = uid(&format!("{ns}/configmap/{w}"));
    nodes.push(json!({
        "version": "v1", "kind": "ConfigMap", "namespace": ns, "name": format!("{w}-config"),
        "uid": config_uid, "resourceVersion": rv(&config_uid), "createdAt": created,
    }));
    json!({"nodes": nodes, "orphanedNodes": [], "hosts": hosts(live)})
}

fn hosts(live: &Live) -> Value {
    let mut out = Vec::new();
    for (i, node) in NODES.iter().enumerate() {
        let mine = live.pods().filter(|(_, p)| p.node == *node).count() as u64;
        if mine == 0 {
            continue;
        }
        let neighbours = 1200 + fnv64(node) % 1500;
        out.push(json!({
            "name": node,
            "resourcesInfo": [
                {"resourceName": "cpu", "requestedByApp": mine * 250, "requestedByNeighbors": neighbours, "capacity": 4000},
                {"resourceName": "memory", "requestedByApp": mine * 536_870_912u64, "requestedByNeighbors": neighbours * 4_194_304, "capacity": 16_496_934_912u64},
            ],
            "systemInfo": {
                "architecture": "amd64", "operatingSystem": "linux",
                "kernelVersion": "6.1.112-124.190.amzn2023.x86_64",
                "osImage": "Amazon Linux 2023.6.20241031",
                "containerRuntimeVersion": "containerd://1.7.22",
                "kubeletVersion": "v1.30.4-eks-a737599", "kubeProxyVersion": "v1.30.4-eks-a737599",
            },
            "labels": {"topology.kubernetes.io/zone": format!("eu-west-1{}", ["a", "b", "c"][i % 3])},
        }));
    }
    Value::Array(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crash_loop_backs_off_like_the_kubelet() {
        let s = TimeDelta::seconds;
        assert_eq!(restarts(s(0), s(19)), (0, None));
        assert_eq!(restarts(s(0), s(20)), (1, Some(s(20))));
        assert_eq!(restarts(s(0), s(40)).0, 2);
        // 10+10+20+40+80+160+300 = 620
        assert_eq!(restarts(s(0), s(620)).0, 6);
        assert_eq!(restarts(s(0), s(920)).0, 7);
    }

    #[test]
    fn names_look_like_kubernetes_and_match_the_alerts() {
        assert_eq!(template_hash("checkout-prod", "v2.14.0"), "7d9f8b6c4");
        assert_eq!(
            pod_name("checkout-7d9f8b6c4", 0, 0),
            "checkout-7d9f8b6c4-x2k9p"
        );
        let h = template_hash("cart-prod", "v5.3.1");
        assert!((9..=10).contains(&h.len()));
        assert!(h.bytes().all(|b| ALPHABET.contains(&b)));
        assert_ne!(h, template_hash("cart-prod", "v5.3.0"));
    }
}
