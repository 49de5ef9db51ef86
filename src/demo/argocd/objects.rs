//! The Kubernetes objects an app manages, as Git renders them at a revision (desired) and as
//! the cluster holds them (live, with `metadata.managedFields`), for `manifests`,
//! `managed-resources` and `status.resources`. One source for all three, so what the diff
//! shows, which resources are OutOfSync and the app's sync status always agree.

use super::apps::App;
use super::drift::{self, RedisChart};
use super::tree::stamp;
use crate::demo::clock::{Offset, ScenarioClock};
use crate::demo::scenario::World;
use serde_json::{Map, Value, json};

/// One managed resource: what is live and what Git wants (None: absent on that side).
#[derive(Clone, Debug)]
pub struct Managed {
    pub group: &'static str,
    pub version: &'static str,
    pub kind: String,
    pub namespace: String,
    pub name: String,
    pub live: Option<Value>,
    pub target: Option<Value>,
}

impl Managed {
    /// The live state as Argo CD compares it: without `status` and `managedFields`.
    pub fn normalized(&self) -> Option<Value> {
        self.live.as_ref().map(normalize)
    }

    /// The live state as a sync would leave it: the target's fields over the live ones.
    pub fn predicted(&self) -> Option<Value> {
        let target = self.target.as_ref()?;
        Some(match self.normalized() {
            Some(mut live) => {
                overlay(&mut live, target);
                live
            }
            None => target.clone(),
        })
    }

    pub fn modified(&self) -> bool {
        self.normalized() != self.predicted()
    }

    /// Live, no longer in Git: a sync with prune deletes it.
    pub fn requires_pruning(&self) -> bool {
        self.live.is_some() && self.target.is_none()
    }
}

fn normalize(live: &Value) -> Value {
    let mut v = live.clone();
    if let Some(o) = v.as_object_mut() {
        o.remove("status");
    }
    if let Some(m) = v.get_mut("metadata").and_then(Value::as_object_mut) {
        m.remove("managedFields");
    }
    v
}

/// Objects merge key by key; anything else (lists, scalars) is replaced by the target's.
fn overlay(into: &mut Value, from: &Value) {
    match (into, from) {
        (Value::Object(a), Value::Object(b)) => {
            for (k, v) in b {
                match a.get_mut(k) {
                    Some(slot) => overlay(slot, v),
                    None => {
                        a.insert(k.clone(), v.clone());
                    }
                }
            }
        }
        (slot, v) => *slot = v.clone(),
    }
}

/// A config value the story changes between versions: checkout's v2.14.0 cut the payments
/// client timeout (the incident's suspect change); search's v4.2.0 raised its query timeout.
fn versioned_config(workload: &str, version: &str) -> Option<(&'static str, &'static str)> {
    match workload {
        "checkout" => Some((
            "PAYMENTS_TIMEOUT_MS",
            if version == "v2.14.0" { "800" } else { "2000" },
        )),
        "search" => Some(("timeout", if version == "v4.2.0" { "10s" } else { "5s" })),
        _ => None,
    }
}

/// The Secret value Git holds for the edited Secret, and the one `kubectl edit` left.
const SECRET_IN_GIT: &str = "c2VhcmNoLWVzLXBhc3N3b3JkLTIwMjQ=";
const SECRET_EDITED: &str = "aG90Zml4LWVzLXBhc3N3b3JkLW5ldw==";

fn labels(app: &App, name: &str) -> Value {
    json!({"app.kubernetes.io/name": name, "app.kubernetes.io/instance": app.def.name})
}

/// What Git renders for `app` at its `version` and (apps on the shared chart) chart commit,
/// Secret data unmasked.
pub fn desired(app: &App, version: &str, chart_commit: Option<&str>) -> Vec<Value> {
    let def = &app.def;
    let (w, ns) = (&def.workload, &def.dest_namespace);
    let mut data = json!({"LOG_LEVEL": "info", "HTTP_PORT": "8080", "OTEL_SERVICE_NAME": w});
    if let Some((k, v)) = versioned_config(w, version) {
        data[k] = json!(v);
    }
    let mut env_from = vec![json!({"configMapRef": {"name": format!("{w}-config")}})];
    let secret = def.workload == drift::SECRET_EDITED && !def.addon;
    if secret {
        env_from.push(json!({"secretRef": {"name": format!("{w}-es-credentials")}}));
    }
    let mut out = vec![
        json!({"apiVersion": "v1", "kind": "ConfigMap",
               "metadata": {"name": format!("{w}-config"), "namespace": ns, "labels": labels(app, w)},
               "data": data}),
        json!({"apiVersion": "v1", "kind": "Service",
               "metadata": {"name": w, "namespace": ns, "labels": labels(app, w)},
               "spec": {"type": "ClusterIP", "selector": {"app.kubernetes.io/name": w},
                        "ports": [{"name": "http", "port": 80, "targetPort": 8080, "protocol": "TCP"}]}}),
        json!({"apiVersion": "apps/v1", "kind": "Deployment",
               "metadata": {"name": w, "namespace": ns, "labels": labels(app, w)},
               "spec": {"replicas": def.replicas, "revisionHistoryLimit": 10,
                        "selector": {"matchLabels": {"app.kubernetes.io/name": w}},
                        "template": {"metadata": {"labels": {"app.kubernetes.io/name": w}},
                                     "spec": {"containers": [{
                                         "name": w, "image": def.image_of(version),
                                         "ports": [{"name": "http", "containerPort": 8080, "protocol": "TCP"}],
                                         "envFrom": env_from,
                                         "resources": {"requests": {"cpu": "250m", "memory": "256Mi"}}}]}}}}),
    ];
    if let Some(commit) = chart_commit {
        out.extend(redis(app, drift::chart_of(commit)));
    }
    if secret {
        out.push(json!({"apiVersion": "v1", "kind": "Secret", "type": "Opaque",
            "metadata": {"name": format!("{w}-es-credentials"), "namespace": ns, "labels": labels(app, w)},
            "data": {"ES_USERNAME": "c2VhcmNo", drift::EDITED_SECRET_KEY: SECRET_IN_GIT}}));
    }
    out
}

/// The shared redis chart's objects for one app.
fn redis(app: &App, chart: &RedisChart) -> Vec<Value> {
    let (w, ns) = (&app.def.workload, &app.def.dest_namespace);
    let name = format!("{w}-redis");
    let mut out = vec![
        json!({"apiVersion": "v1", "kind": "ConfigMap",
               "metadata": {"name": format!("{name}-configuration"), "namespace": ns, "labels": labels(app, "redis")},
               "data": {"maxmemory": "256mb", "maxmemory-policy": chart.policy, "appendonly": "no"}}),
        json!({"apiVersion": "apps/v1", "kind": "StatefulSet",
               "metadata": {"name": format!("{name}-master"), "namespace": ns, "labels": labels(app, "redis")},
               "spec": {"replicas": 1, "serviceName": format!("{name}-headless"),
                        "selector": {"matchLabels": {"app.kubernetes.io/name": "redis", "app.kubernetes.io/instance": app.def.name}},
                        "template": {"metadata": {"labels": {"app.kubernetes.io/name": "redis", "app.kubernetes.io/instance": app.def.name}},
                                     "spec": {"containers": [{
                                         "name": "redis", "image": format!("docker.io/bitnami/redis:{}", chart.tag),
                                         "ports": [{"name": "redis", "containerPort": 6379, "protocol": "TCP"}]}]}}}}),
    ];
    if chart.metrics_service {
        out.push(json!({"apiVersion": "v1", "kind": "Service",
            "metadata": {"name": format!("{name}-metrics"), "namespace": ns, "labels": labels(app, "redis")},
            "spec": {"type": "ClusterIP", "selector": {"app.kubernetes.io/name": "redis"},
                     "ports": [{"name": "http-metrics", "port": 9121, "targetPort": 9121, "protocol": "TCP"}]}}));
    }
    out
}

/// Secret data as Argo CD's `HideSecretData` leaves it: runs of `+` whose lengths differ
/// where the values differ.
pub fn mask_secret(obj: &mut Value) {
    if obj["kind"] != "Secret" {
        return;
    }
    for key in ["data", "stringData"] {
        if let Some(data) = obj.get_mut(key).and_then(Value::as_object_mut) {
            for v in data.values_mut() {
                let n = 8 + (super::hash(v.as_str().unwrap_or("")) % 9) as usize;
                *v = json!("+".repeat(n));
            }
        }
    }
}

/// `fieldsV1` of an applied object: `f:` for fields, `k:{…}` for list items with a key
/// (`name`, or `containerPort`+`protocol`), lists without one atomic. Metadata: labels only.
fn fields_v1(v: &Value, top: bool) -> Value {
    let Some(obj) = v.as_object() else {
        return json!({});
    };
    let mut out = Map::new();
    for (k, x) in obj {
        if top && matches!(k.as_str(), "apiVersion" | "kind") {
            continue;
        }
        let f = if top && k == "metadata" {
            json!({"f:labels": fields_v1(&x["labels"], false)})
        } else {
            match x {
                Value::Object(_) => fields_v1(x, false),
                Value::Array(items) => list_fields(items),
                _ => json!({}),
            }
        };
        out.insert(format!("f:{k}"), f);
    }
    Value::Object(out)
}

fn list_fields(items: &[Value]) -> Value {
    let mut out = Map::new();
    for item in items {
        let key = if let Some(name) = item.get("name") {
            json!({"name": name})
        } else if let Some(port) = item.get("containerPort") {
            json!({"containerPort": port, "protocol": item["protocol"]})
        } else {
            // Atomic list: owned as a whole.
            return json!({});
        };
        let mut fields = fields_v1(item, false);
        if let Some(m) = fields.as_object_mut() {
            m.insert(".".to_string(), json!({}));
        }
        out.insert(format!("k:{key}"), fields);
    }
    Value::Object(out)
}

/// Drop `path` (`["f:spec","f:replicas"]`) from a fieldsV1 tree: another manager owns it now.
fn disown(fields: &mut Value, path: &[&str]) {
    match path {
        [] => {}
        [last] => {
            if let Some(m) = fields.as_object_mut() {
                m.remove(*last);
            }
        }
        [first, rest @ ..] => {
            if let Some(child) = fields.get_mut(*first) {
                disown(child, rest);
            }
        }
    }
}

fn entry(manager: &str, operation: &str, api: &str, time: String, fields: Value) -> Value {
    json!({"manager": manager, "operation": operation, "apiVersion": api, "time": time,
           "fieldsType": "FieldsV1", "fieldsV1": fields})
}

/// What shapes an app's live objects at one time: its last sync and the hand edits since.
struct Cluster<'a> {
    app: &'a App,
    clock: &'a ScenarioClock,
    applied_at: Offset,
    deploy_id: u64,
    scaled: Option<(Offset, u32)>,
    edited: Option<Offset>,
}

impl Cluster<'_> {
    /// A rendered object as the cluster holds it: ids, `managedFields` (Argo CD's Apply of
    /// the whole object, then whoever changed a field since), status for workloads.
    fn live(&self, mut o: Value) -> Value {
        let kind = o["kind"].as_str().unwrap_or("").to_string();
        let name = o["metadata"]["name"].as_str().unwrap_or("").to_string();
        let api = o["apiVersion"].as_str().unwrap_or("v1").to_string();
        let stamp_at = |at: Offset| stamp(self.clock, at);
        let mut applied = fields_v1(&o, true);
        let mut fields = Vec::new();
        if kind == "Deployment"
            && let Some((when, replicas)) = self.scaled
        {
            o["spec"]["replicas"] = json!(replicas);
            disown(&mut applied, &["f:spec", "f:replicas"]);
            let scaled = json!({"f:spec": {"f:replicas": {}}});
            let mut e = entry("kubectl-scale", "Update", &api, stamp_at(when), scaled);
            e["subresource"] = json!("scale");
            fields.push(e);
        }
        if kind == "Secret"
            && let Some(when) = self.edited
        {
            let key = format!("f:{}", drift::EDITED_SECRET_KEY);
            o["data"][drift::EDITED_SECRET_KEY] = json!(SECRET_EDITED);
            disown(&mut applied, &["f:data", &key]);
            let edited = json!({"f:data": {key: {}}});
            fields.push(entry(
                "kubectl-edit",
                "Update",
                &api,
                stamp_at(when),
                edited,
            ));
        }
        let apply = entry(
            "argocd-controller",
            "Apply",
            &api,
            stamp_at(self.applied_at),
            applied,
        );
        fields.insert(0, apply);
        let generation = 1 + self.deploy_id;
        if matches!(kind.as_str(), "Deployment" | "StatefulSet") {
            let n = o["spec"]["replicas"].clone();
            o["status"] = json!({"observedGeneration": generation, "replicas": n,
                                 "readyReplicas": n, "availableReplicas": n, "updatedReplicas": n});
            let status = json!({"f:status": {"f:observedGeneration": {}, "f:replicas": {},
                "f:readyReplicas": {}, "f:availableReplicas": {}, "f:updatedReplicas": {}}});
            let mut e = entry(
                "kube-controller-manager",
                "Update",
                &api,
                stamp_at(self.applied_at),
                status,
            );
            e["subresource"] = json!("status");
            fields.push(e);
            o["metadata"]["generation"] = json!(generation);
        }
        let def = &self.app.def;
        // The resource tree's uids (its ConfigMap is seeded by the workload's name).
        let seed = if name == format!("{}-config", def.workload) {
            def.workload.as_str()
        } else {
            name.as_str()
        };
        let uid = super::uid(&format!(
            "{}/{}/{seed}",
            def.dest_namespace,
            kind.to_lowercase()
        ));
        let rv = 1_000_000
            + super::hash(&format!(
                "{uid}#{}#{:?}#{:?}",
                self.deploy_id, self.scaled, self.edited
            )) % 9_000_000;
        let meta = &mut o["metadata"];
        meta["uid"] = json!(uid);
        meta["resourceVersion"] = json!(rv.to_string());
        meta["creationTimestamp"] = json!(stamp(self.clock, def.created));
        meta["managedFields"] = json!(fields);
        o
    }
}

/// `(kind, name)` of a rendered object.
fn id(o: &Value) -> (String, String) {
    (
        o["kind"].as_str().unwrap_or("").to_string(),
        o["metadata"]["name"].as_str().unwrap_or("").to_string(),
    )
}

/// Every managed resource of `app` at `at`: live as deployed (and edited by hand since),
/// target as Git wants it now.
pub fn managed(app: &App, world: &World, clock: &ScenarioClock, at: Offset) -> Vec<Managed> {
    let def = &app.def;
    let name = &def.name;
    let running = world.running(name, at);
    let live_version = running.map(|d| d.version.clone());
    let git_version = world.git_version(name, at).or_else(|| live_version.clone());
    let shared = drift::uses_shared_chart(app);
    let live_chart = shared.then(|| drift::deployed_chart(app, world, at));
    let target_chart = shared.then(|| drift::chart_commit_at(at));
    let cluster = Cluster {
        app,
        clock,
        applied_at: running.map(|d| d.at).unwrap_or(def.created),
        deploy_id: running.map(|d| d.id).unwrap_or(0),
        scaled: drift::hand_scaled(app, world, at),
        edited: drift::secret_edited(app, world, at),
    };
    let live = live_version
        .as_deref()
        .map(|v| desired(app, v, live_chart))
        .unwrap_or_default();
    let target = git_version
        .as_deref()
        .map(|v| desired(app, v, target_chart))
        .unwrap_or_default();
    let unknown = drift::comparison_error(app, at).is_some();

    let mut keys: Vec<(String, String)> = target.iter().map(id).collect();
    for o in &live {
        if !keys.contains(&id(o)) {
            keys.push(id(o));
        }
    }
    keys.into_iter()
        .map(|key| {
            let find = |set: &[Value]| set.iter().find(|o| id(o) == key).cloned();
            let live = find(&live).map(|o| cluster.live(o));
            let target = if unknown {
                // Git could not be rendered: nothing to compare against, no difference shown.
                live.as_ref().map(normalize)
            } else {
                find(&target)
            };
            let (kind, name) = key;
            Managed {
                group: match kind.as_str() {
                    "Deployment" | "StatefulSet" => "apps",
                    _ => "",
                },
                version: "v1",
                kind,
                namespace: def.dest_namespace.clone(),
                name,
                live,
                target,
            }
        })
        .collect()
}

/// Add to a resource tree the managed resources it does not show yet (the shared chart's,
/// search's Secret), so the tree and `status.resources` name the same objects.
pub fn add_tree_nodes(tree: &mut Value, managed: &[Managed]) {
    let Some(nodes) = tree.get_mut("nodes").and_then(Value::as_array_mut) else {
        return;
    };
    for m in managed {
        let Some(live) = &m.live else { continue };
        if nodes
            .iter()
            .any(|n| n["kind"] == m.kind && n["name"] == m.name)
        {
            continue;
        }
        let mut node = json!({
            "version": m.version, "kind": m.kind, "namespace": m.namespace, "name": m.name,
            "uid": live["metadata"]["uid"], "resourceVersion": live["metadata"]["resourceVersion"],
            "createdAt": live["metadata"]["creationTimestamp"],
        });
        if !m.group.is_empty() {
            node["group"] = json!(m.group);
        }
        if matches!(m.kind.as_str(), "Service" | "StatefulSet") {
            node["health"] = json!({"status": "Healthy"});
        }
        nodes.push(node);
    }
}
