//! What the cluster looks like at a scenario time: Deployments with their status and
//! conditions, ReplicaSets, Pods (container statuses, restarts climbing with the kubelet's
//! back-off), StatefulSets, a DaemonSet, Namespaces and Events, as the API server serves them.
//! A pure function of (cluster, world, time); the ticker diffs it into watch events.
//!
//! The layout of a rollout follows the Argo CD resource tree (one story): a good template's
//! pods come up over the rollout while the old ReplicaSet scales down; a bad one leaves half
//! the new pods crash-looping beside the old ReplicaSet's (stuck past its progress deadline).

use super::cluster::{Cluster, Deployment, HASH_LABEL, ReplicaSet, pick, uid, version_of};
use super::store::Kind;
use crate::demo::argocd::{NODES, pod_name, restarts};
use crate::demo::clock::{Offset, ScenarioClock};
use crate::demo::scenario::{World, fnv64};
use chrono::{SecondsFormat, TimeDelta};
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// Events older than this are gone (the API server's default event TTL).
const EVENT_TTL: TimeDelta = TimeDelta::hours(1);
/// How long a container takes to start.
const START: TimeDelta = TimeDelta::seconds(10);
/// Exit code of a Rust panic.
pub const PANIC_EXIT: i64 = 101;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PodState {
    Running,
    Creating,
    CrashLoop,
}

/// Every object of the cluster at `at`, by kind.
pub fn render(
    cluster: &Cluster,
    world: &World,
    clock: &ScenarioClock,
    at: Offset,
) -> BTreeMap<Kind, Vec<Value>> {
    let mut out: BTreeMap<Kind, Vec<Value>> = Kind::ALL.iter().map(|k| (*k, Vec::new())).collect();
    let r = Render { clock, at };
    let mut namespaces: Vec<String> = ["default", "kube-system", "monitoring", "argocd"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    for dep in &cluster.deployments {
        namespaces.push(dep.namespace.clone());
        r.deployment(dep, world, &mut out);
    }
    r.statefulset(
        "checkout",
        "checkout-postgres",
        "postgres:16.4",
        3,
        "checkout",
        &mut out,
    );
    r.statefulset(
        "search",
        "search-elasticsearch",
        "docker.elastic.co/elasticsearch/elasticsearch:8.15.3",
        3,
        "search",
        &mut out,
    );
    r.daemonset(&mut out);
    namespaces.sort();
    namespaces.dedup();
    for ns in namespaces {
        out.entry(Kind::Namespace).or_default().push(json!({
            "apiVersion": "v1", "kind": "Namespace",
            "metadata": {"name": ns, "uid": uid(&format!("namespace/{ns}")),
                         "creationTimestamp": r.stamp(-TimeDelta::days(400)),
                         "labels": {"kubernetes.io/metadata.name": ns}},
            "spec": {"finalizers": ["kubernetes"]},
            "status": {"phase": "Active"},
        }));
    }
    out
}

struct Render<'a> {
    clock: &'a ScenarioClock,
    at: Offset,
}

struct PodSpec<'a> {
    namespace: &'a str,
    name: String,
    labels: Value,
    owner: Value,
    template: &'a Value,
    created: Offset,
    state: PodState,
}

fn is_bad(world: &World, app: Option<&str>, version: Option<&str>) -> bool {
    let (Some(app), Some(version)) = (app, version) else {
        return false;
    };
    world
        .deploys
        .iter()
        .any(|d| d.app == app && d.version == version && d.bad)
}

fn owner(kind: &str, name: &str, uid: &str) -> Value {
    json!([{"apiVersion": "apps/v1", "kind": kind, "name": name, "uid": uid,
            "controller": true, "blockOwnerDeletion": true}])
}

impl Render<'_> {
    fn stamp(&self, at: Offset) -> String {
        self.clock
            .to_utc(at)
            .to_rfc3339_opts(SecondsFormat::Secs, true)
    }

    /// (new pods, old pods) of a Deployment now.
    fn layout(
        &self,
        dep: &Deployment,
        new_bad: bool,
        old_bad: bool,
    ) -> (Vec<PodState>, Vec<PodState>) {
        let r = dep.replicas() as usize;
        if r == 0 {
            return (Vec::new(), Vec::new());
        }
        let ro = &dep.rollout;
        let old_state = if old_bad {
            PodState::CrashLoop
        } else {
            PodState::Running
        };
        if ro.from.is_some() && self.at < ro.started + ro.duration {
            let done = (self.at - ro.started).num_milliseconds().max(0) as f64
                / ro.duration.num_milliseconds().max(1) as f64;
            let k = ((r as f64 * done).ceil() as usize).clamp(1, r);
            let mut new = vec![PodState::Running; k - 1];
            new.push(PodState::Creating);
            return (new, vec![old_state; r + 1 - k]);
        }
        match (new_bad, ro.from.is_some() && !old_bad) {
            (true, true) => (
                vec![PodState::CrashLoop; r.div_ceil(2)],
                vec![PodState::Running; r - 1],
            ),
            (true, false) => (vec![PodState::CrashLoop; r], Vec::new()),
            (false, _) => (vec![PodState::Running; r], Vec::new()),
        }
    }

    fn deployment(&self, dep: &Deployment, world: &World, out: &mut BTreeMap<Kind, Vec<Value>>) {
        let Some(current) = dep.current() else { return };
        let app = dep.app.as_deref();
        let old = dep.rollout.from.as_ref().and_then(|n| {
            dep.replica_sets
                .iter()
                .find(|rs| &rs.name == n && rs.name != current.name)
        });
        let new_bad = is_bad(world, app, version_of(&current.template).as_deref());
        let old_bad = old.is_some_and(|o| is_bad(world, app, version_of(&o.template).as_deref()));
        let (new, olds) = self.layout(dep, new_bad, old_bad);
        let mut counts = Counts::default();
        for rs in &dep.replica_sets {
            let states: &[PodState] = if rs.name == current.name {
                &new
            } else if old.is_some_and(|o| o.name == rs.name) {
                &olds
            } else {
                &[]
            };
            let pods = self.replica_set(dep, rs, states, out);
            counts.replicas += pods.len();
            let ready = pods.iter().filter(|s| **s == PodState::Running).count();
            counts.ready += ready;
            if rs.name == current.name {
                counts.updated += pods.len();
            }
        }
        let r = dep.replicas();
        let max_unavailable = (r as f64 * 0.25).floor() as i64;
        let available = counts.ready as i64;
        let ro = &dep.rollout;
        let deadline =
            TimeDelta::seconds(dep.spec["progressDeadlineSeconds"].as_i64().unwrap_or(600));
        let rolling = ro.from.is_some() && self.at < ro.started + ro.duration;
        let complete = counts.updated as i64 == r && available >= r && counts.replicas as i64 == r;
        let progressing = if complete {
            (
                "True",
                "NewReplicaSetAvailable",
                format!(
                    "ReplicaSet \"{}\" has successfully progressed.",
                    current.name
                ),
                ro.started + ro.duration,
            )
        } else if !rolling && self.at >= ro.started + deadline {
            (
                "False",
                "ProgressDeadlineExceeded",
                format!("ReplicaSet \"{}\" has timed out progressing.", current.name),
                ro.started + deadline,
            )
        } else {
            (
                "True",
                "ReplicaSetUpdated",
                format!("ReplicaSet \"{}\" is progressing.", current.name),
                ro.started,
            )
        };
        let available_cond = if available >= r - max_unavailable {
            (
                "True",
                "MinimumReplicasAvailable",
                "Deployment has minimum availability.",
            )
        } else {
            (
                "False",
                "MinimumReplicasUnavailable",
                "Deployment does not have minimum availability.",
            )
        };
        let mut status = json!({
            "observedGeneration": dep.observed_generation,
            "conditions": [
                {"type": "Available", "status": available_cond.0, "reason": available_cond.1,
                 "message": available_cond.2, "lastUpdateTime": self.stamp(ro.started),
                 "lastTransitionTime": self.stamp(ro.started)},
                {"type": "Progressing", "status": progressing.0, "reason": progressing.1,
                 "message": progressing.2, "lastUpdateTime": self.stamp(progressing.3),
                 "lastTransitionTime": self.stamp(progressing.3)},
            ],
        });
        // Go's omitempty: zero counts are left out.
        let unavailable = (counts.replicas as i64 - available)
            .max(r - available)
            .max(0);
        for (field, n) in [
            ("replicas", counts.replicas as i64),
            ("updatedReplicas", counts.updated as i64),
            ("readyReplicas", available),
            ("availableReplicas", available),
            ("unavailableReplicas", unavailable),
        ] {
            if n > 0 {
                status[field] = json!(n);
            }
        }
        let mut spec = dep.spec.clone();
        if spec["template"].is_null() {
            spec["template"] = super::cluster::strip_hash(&current.template);
        }
        out.entry(Kind::Deployment).or_default().push(json!({
            "apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {
                "name": dep.name, "namespace": dep.namespace, "uid": dep.uid,
                "generation": dep.generation, "creationTimestamp": self.stamp(dep.created),
                "labels": dep.labels, "annotations": dep.annotations,
            },
            "spec": spec,
            "status": status,
        }));
        if let Some(event) = self.scaling_event(dep, current, new.len()) {
            out.entry(Kind::Event).or_default().push(event);
        }
    }

    fn scaling_event(&self, dep: &Deployment, current: &ReplicaSet, to: usize) -> Option<Value> {
        let at = dep.rollout.started;
        if self.at - at > EVENT_TTL || at > self.at {
            return None;
        }
        let name = format!(
            "{}.{:016x}",
            dep.name,
            fnv64(&format!("{}{}", current.name, current.revision))
        );
        Some(event(
            self,
            &dep.namespace,
            &name,
            json!({"kind": "Deployment", "namespace": dep.namespace, "name": dep.name, "uid": dep.uid,
                   "apiVersion": "apps/v1"}),
            ("Normal", "ScalingReplicaSet"),
            format!("Scaled up replica set {} to {to}", current.name),
            ("deployment-controller", None),
            (at, at, 1),
        ))
    }

    /// The ReplicaSet object and its pods; returns the pods' states.
    fn replica_set(
        &self,
        dep: &Deployment,
        rs: &ReplicaSet,
        states: &[PodState],
        out: &mut BTreeMap<Kind, Vec<Value>>,
    ) -> Vec<PodState> {
        let hash = rs.template["metadata"]["labels"][HASH_LABEL].clone();
        let mut selector = dep.spec["selector"].clone();
        selector["matchLabels"][HASH_LABEL] = hash;
        let n = states.len();
        let ready = states.iter().filter(|s| **s == PodState::Running).count();
        let mut status = json!({"replicas": n, "observedGeneration": 1 + rs.pod_generation as i64});
        if n > 0 {
            status["fullyLabeledReplicas"] = json!(n);
        }
        if ready > 0 {
            status["readyReplicas"] = json!(ready);
            status["availableReplicas"] = json!(ready);
        }
        let labels = rs.template["metadata"]["labels"].clone();
        out.entry(Kind::ReplicaSet).or_default().push(json!({
            "apiVersion": "apps/v1", "kind": "ReplicaSet",
            "metadata": {
                "name": rs.name, "namespace": dep.namespace, "uid": rs.uid,
                "generation": 1 + rs.pod_generation as i64,
                "creationTimestamp": self.stamp(rs.created),
                "labels": labels, "annotations": rs.annotations,
                "ownerReferences": owner("Deployment", &dep.name, &dep.uid),
            },
            "spec": {"replicas": n, "selector": selector, "template": rs.template},
            "status": status,
        }));
        let generation = rs.pod_generation;
        for (i, state) in states.iter().enumerate() {
            let created = rs.rolled_at + TimeDelta::seconds(2 * i as i64);
            self.pod(
                PodSpec {
                    namespace: &dep.namespace,
                    name: pod_name(&rs.name, generation, i),
                    labels: labels.clone(),
                    owner: owner("ReplicaSet", &rs.name, &rs.uid),
                    template: &rs.template,
                    created,
                    state: *state,
                },
                out,
            );
        }
        states.to_vec()
    }

    fn pod(&self, p: PodSpec, out: &mut BTreeMap<Kind, Vec<Value>>) {
        let pod_uid = uid(&format!("{}/pod/{}", p.namespace, p.name));
        let node = NODES[(fnv64(&p.name) % NODES.len() as u64) as usize];
        let container = p
            .template
            .pointer("/spec/containers/0")
            .cloned()
            .unwrap_or_default();
        let cname = container["name"].as_str().unwrap_or("app").to_string();
        let image = container["image"].as_str().unwrap_or("").to_string();
        let started = p.created + TimeDelta::seconds(3);
        let cid = |n: u32| {
            format!(
                "containerd://{:016x}{:016x}",
                fnv64(&format!("{}#{n}", p.name)),
                fnv64(&p.name)
            )
        };
        let mut cs = json!({
            "name": cname, "image": image,
            "imageID": format!("{image}@sha256:{:016x}{:016x}{:016x}{:016x}", fnv64(&image), fnv64(&image) ^ 1, fnv64(&image) ^ 2, fnv64(&image) ^ 3),
            "restartCount": 0, "ready": false, "started": false, "lastState": {},
        });
        let (phase, ready) = match p.state {
            PodState::Creating => {
                cs["state"] = json!({"waiting": {"reason": "ContainerCreating"}});
                ("Pending", false)
            }
            PodState::Running => {
                cs["state"] = json!({"running": {"startedAt": self.stamp(started)}});
                cs["ready"] = json!(self.at >= started + START);
                cs["started"] = json!(true);
                cs["containerID"] = json!(cid(0));
                ("Running", self.at >= started + START)
            }
            PodState::CrashLoop => {
                let (n, last) = restarts(p.created, self.at);
                cs["restartCount"] = json!(n);
                match last {
                    None => {
                        cs["state"] = json!({"running": {"startedAt": self.stamp(started)}});
                        cs["started"] = json!(true);
                    }
                    Some(last) => {
                        let backoff =
                            TimeDelta::seconds(10 * (1i64 << n.min(5))).min(TimeDelta::minutes(5));
                        cs["state"] = json!({"waiting": {"reason": "CrashLoopBackOff", "message": format!(
                            "back-off {} restarting failed container={cname} pod={}_{}({pod_uid})",
                            go_duration(backoff), p.name, p.namespace)}});
                        cs["lastState"] = json!({"terminated": {
                            "exitCode": PANIC_EXIT, "reason": "Error",
                            "startedAt": self.stamp(last - TimeDelta::seconds(4)),
                            "finishedAt": self.stamp(last),
                            "containerID": cid(n),
                        }});
                    }
                }
                cs["containerID"] = json!(cid(n));
                ("Running", false)
            }
        };
        let cond = |t: &str, ok: bool, at: Offset| {
            let mut c = json!({"type": t, "status": if ok {"True"} else {"False"},
                               "lastProbeTime": null, "lastTransitionTime": self.stamp(at)});
            if !ok {
                c["reason"] = json!("ContainersNotReady");
                c["message"] = json!(format!("containers with unready status: [{cname}]"));
            }
            c
        };
        let ready_at = if ready { started + START } else { p.created };
        let ip = fnv64(&p.name);
        let mut spec = p.template["spec"].clone();
        spec["nodeName"] = json!(node);
        spec["serviceAccountName"] = json!("default");
        let mut labels = p.labels.clone();
        if labels.is_null() {
            labels = json!({});
        }
        out.entry(Kind::Pod).or_default().push(json!({
            "apiVersion": "v1", "kind": "Pod",
            "metadata": {
                "name": p.name, "namespace": p.namespace, "uid": pod_uid,
                "creationTimestamp": self.stamp(p.created),
                "labels": labels, "ownerReferences": p.owner,
            },
            "spec": spec,
            "status": {
                "phase": phase,
                "conditions": [
                    {"type": "PodScheduled", "status": "True", "lastProbeTime": null, "lastTransitionTime": self.stamp(p.created)},
                    {"type": "Initialized", "status": "True", "lastProbeTime": null, "lastTransitionTime": self.stamp(p.created)},
                    cond("ContainersReady", ready, ready_at),
                    cond("Ready", ready, ready_at),
                ],
                "hostIP": format!("10.0.{}.{}", 1 + ip % 3, 10 + (ip >> 8) % 200),
                "podIP": format!("10.1.{}.{}", (ip >> 16) % 250, 2 + (ip >> 24) % 250),
                "startTime": self.stamp(p.created),
                "qosClass": "Burstable",
                "containerStatuses": [cs],
            },
        }));
        if p.state == PodState::CrashLoop
            && let (n, Some(last)) = restarts(p.created, self.at)
        {
            let name = format!("{}.{:016x}", p.name, fnv64(&format!("{}/BackOff", p.name)));
            out.entry(Kind::Event).or_default().push(event(
                self,
                p.namespace,
                &name,
                json!({"kind": "Pod", "namespace": p.namespace, "name": p.name, "uid": pod_uid,
                       "apiVersion": "v1", "fieldPath": format!("spec.containers{{{cname}}}")}),
                ("Warning", "BackOff"),
                "Back-off restarting failed container".to_string()
                    + &format!(" {cname} in pod {}_{}({pod_uid})", p.name, p.namespace),
                ("kubelet", Some(node)),
                (p.created + START * 2, last, n as i64),
            ));
        }
    }

    fn statefulset(
        &self,
        ns: &str,
        name: &str,
        image: &str,
        replicas: usize,
        part_of: &str,
        out: &mut BTreeMap<Kind, Vec<Value>>,
    ) {
        let set_uid = uid(&format!("{ns}/statefulset/{name}"));
        let revision = format!("{name}-{}", pick(name, 10));
        let created = -TimeDelta::days(120);
        let labels = json!({"app.kubernetes.io/name": name, "app.kubernetes.io/part-of": part_of});
        let template = json!({
            "metadata": {"labels": labels},
            "spec": {"containers": [{"name": name.rsplit('-').next().unwrap_or(name), "image": image,
                     "ports": [{"containerPort": 5432, "name": "db", "protocol": "TCP"}],
                     "resources": {"requests": {"cpu": "500m", "memory": "2Gi"}},
                     "imagePullPolicy": "IfNotPresent",
                     "terminationMessagePath": "/dev/termination-log", "terminationMessagePolicy": "File"}],
                     "restartPolicy": "Always", "terminationGracePeriodSeconds": 30,
                     "dnsPolicy": "ClusterFirst", "schedulerName": "default-scheduler", "securityContext": {}},
        });
        out.entry(Kind::StatefulSet).or_default().push(json!({
            "apiVersion": "apps/v1", "kind": "StatefulSet",
            "metadata": {"name": name, "namespace": ns, "uid": set_uid, "generation": 1,
                         "creationTimestamp": self.stamp(created), "labels": labels},
            "spec": {"replicas": replicas, "serviceName": name, "selector": {"matchLabels": {"app.kubernetes.io/name": name}},
                     "template": template, "podManagementPolicy": "OrderedReady",
                     "updateStrategy": {"type": "RollingUpdate", "rollingUpdate": {"partition": 0}},
                     "revisionHistoryLimit": 10},
            "status": {"observedGeneration": 1, "replicas": replicas, "readyReplicas": replicas,
                       "currentReplicas": replicas, "updatedReplicas": replicas, "availableReplicas": replicas,
                       "currentRevision": revision, "updateRevision": revision, "collisionCount": 0},
        }));
        for i in 0..replicas {
            let mut labels = labels.clone();
            labels["controller-revision-hash"] = json!(revision);
            labels["statefulset.kubernetes.io/pod-name"] = json!(format!("{name}-{i}"));
            self.pod(
                PodSpec {
                    namespace: ns,
                    name: format!("{name}-{i}"),
                    labels,
                    owner: owner("StatefulSet", name, &set_uid),
                    template: &template,
                    created: created + TimeDelta::minutes(i as i64),
                    state: PodState::Running,
                },
                out,
            );
        }
    }

    fn daemonset(&self, out: &mut BTreeMap<Kind, Vec<Value>>) {
        let (ns, name) = ("monitoring", "node-exporter");
        let set_uid = uid(&format!("{ns}/daemonset/{name}"));
        let created = -TimeDelta::days(200);
        let labels = json!({"app.kubernetes.io/name": name, "app.kubernetes.io/part-of": "kube-prometheus-stack"});
        let template = json!({
            "metadata": {"labels": labels},
            "spec": {"containers": [{"name": name, "image": "quay.io/prometheus/node-exporter:v1.8.2",
                     "ports": [{"containerPort": 9100, "name": "metrics", "protocol": "TCP"}],
                     "imagePullPolicy": "IfNotPresent",
                     "terminationMessagePath": "/dev/termination-log", "terminationMessagePolicy": "File"}],
                     "hostNetwork": true, "restartPolicy": "Always", "terminationGracePeriodSeconds": 30,
                     "dnsPolicy": "ClusterFirst", "schedulerName": "default-scheduler", "securityContext": {}},
        });
        let n = NODES.len();
        out.entry(Kind::DaemonSet).or_default().push(json!({
            "apiVersion": "apps/v1", "kind": "DaemonSet",
            "metadata": {"name": name, "namespace": ns, "uid": set_uid, "generation": 1,
                         "creationTimestamp": self.stamp(created), "labels": labels,
                         "annotations": {"deprecated.daemonset.template.generation": "1"}},
            "spec": {"selector": {"matchLabels": {"app.kubernetes.io/name": name}}, "template": template,
                     "updateStrategy": {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 1, "maxSurge": 0}},
                     "revisionHistoryLimit": 10},
            "status": {"currentNumberScheduled": n, "numberMisscheduled": 0, "desiredNumberScheduled": n,
                       "numberReady": n, "observedGeneration": 1, "updatedNumberScheduled": n, "numberAvailable": n},
        }));
        for (i, node) in NODES.iter().enumerate() {
            let mut t = template.clone();
            t["spec"]["affinity"] = json!({"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {
                "nodeSelectorTerms": [{"matchFields": [{"key": "metadata.name", "operator": "In", "values": [node]}]}]}}});
            let mut labels = labels.clone();
            labels["controller-revision-hash"] = json!(pick(name, 10));
            self.pod(
                PodSpec {
                    namespace: ns,
                    name: format!("{name}-{}", pick(&format!("{name}{i}"), 5)),
                    labels,
                    owner: owner("DaemonSet", name, &set_uid),
                    template: &t,
                    created: created + TimeDelta::minutes(i as i64),
                    state: PodState::Running,
                },
                out,
            );
        }
    }
}

#[derive(Default)]
struct Counts {
    replicas: usize,
    ready: usize,
    updated: usize,
}

/// `5m0s`, `40s`: how Go prints a duration in the kubelet's back-off message.
fn go_duration(d: TimeDelta) -> String {
    let s = d.num_seconds();
    if s >= 60 {
        format!("{}m{}s", s / 60, s % 60)
    } else {
        format!("{s}s")
    }
}

#[allow(clippy::too_many_arguments)]
fn event(
    r: &Render,
    ns: &str,
    name: &str,
    involved: Value,
    (kind, reason): (&str, &str),
    message: String,
    (component, host): (&str, Option<&str>),
    (first, last, count): (Offset, Offset, i64),
) -> Value {
    let mut source = json!({"component": component});
    if let Some(h) = host {
        source["host"] = json!(h);
    }
    json!({
        "apiVersion": "v1", "kind": "Event",
        "metadata": {"name": name, "namespace": ns, "uid": uid(&format!("{ns}/event/{name}")),
                     "creationTimestamp": r.stamp(first)},
        "involvedObject": involved,
        "reason": reason, "message": message, "type": kind,
        "source": source,
        "firstTimestamp": r.stamp(first), "lastTimestamp": r.stamp(last), "count": count,
        "reportingComponent": component, "reportingInstance": host.unwrap_or(""),
    })
}
