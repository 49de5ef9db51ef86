//! The cluster's workloads as the deployment controller keeps them: each Deployment with its
//! ReplicaSets (template, revision, change cause) and the rollout in progress. Built from the
//! scenario's deploy history and kept in step with it (an Argo CD sync or rollback changes the
//! Deployment's template the way `kubectl apply` would); PATCHes through the API change it too.
//! What the pods look like at a given time is `render.rs`'s business.

use crate::demo::argocd::{replicas_for, template_hash};
use crate::demo::clock::Offset;
use crate::demo::scenario::{Deploy, DeployKind, World, fnv64};
use chrono::TimeDelta;
use serde_json::{Value, json};
use std::collections::BTreeMap;

pub const REGISTRY: &str = "registry.example.com/acme";
pub const REVISION: &str = "deployment.kubernetes.io/revision";
pub const CHANGE_CAUSE: &str = "kubernetes.io/change-cause";
pub const HASH_LABEL: &str = "pod-template-hash";
/// The rollout of a template a person asked for through the API (undo, restart).
pub const API_ROLLOUT: Offset = TimeDelta::seconds(30);
/// Kubernetes' name-suffix alphabet.
const ALPHABET: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";

#[derive(Clone, Debug)]
pub struct ReplicaSet {
    pub name: String,
    pub uid: String,
    /// The pod template, `pod-template-hash` label included.
    pub template: Value,
    pub revision: u64,
    pub annotations: BTreeMap<String, String>,
    pub created: Offset,
    /// When it last became the Deployment's current ReplicaSet.
    pub rolled_at: Offset,
    /// > 0 when it rolled out again: new pods, new names.
    pub pod_generation: u64,
}

#[derive(Clone, Debug)]
pub struct Rollout {
    /// The ReplicaSet that served before.
    pub from: Option<String>,
    pub started: Offset,
    pub duration: Offset,
}

#[derive(Clone, Debug)]
pub struct Deployment {
    pub namespace: String,
    pub name: String,
    /// The Argo CD app that manages it (scenario deployments).
    pub app: Option<String>,
    pub uid: String,
    pub created: Offset,
    pub labels: BTreeMap<String, String>,
    pub annotations: BTreeMap<String, String>,
    /// `spec`, template without `pod-template-hash`.
    pub spec: Value,
    pub generation: i64,
    pub observed_generation: i64,
    pub replica_sets: Vec<ReplicaSet>,
    pub rollout: Rollout,
    /// The scenario deploy whose version the template follows.
    pub applied_deploy: Option<u64>,
    /// Revisions start above this (older ones were pruned by `revisionHistoryLimit`).
    pub revision_floor: u64,
}

/// Every workload of the scenario cluster.
#[derive(Clone, Debug, Default)]
pub struct Cluster {
    pub deployments: Vec<Deployment>,
}

/// A stable UUID-shaped id.
pub fn uid(seed: &str) -> String {
    crate::demo::argocd::uid(&format!("kube/{seed}"))
}

/// `len` characters of the Kubernetes name alphabet picked by `seed`.
pub fn pick(seed: &str, len: usize) -> String {
    let mut h = crate::demo::argocd::hash(seed);
    (0..len)
        .map(|_| {
            let c = ALPHABET[(h % ALPHABET.len() as u64) as usize] as char;
            h /= ALPHABET.len() as u64;
            c
        })
        .collect()
}

/// The revision numbers before the demo's history: checkout's v2.14.0 is revision 7.
pub fn revision_floor(app: &str) -> u64 {
    if app == "checkout-prod" {
        4
    } else {
        fnv64(app) % 6
    }
}

/// The pod template Argo CD applies for `version` (with the API server's defaults filled in,
/// so a ReplicaSet's copy compares equal to the Deployment's).
pub fn template_for(service: &str, app: &str, version: &str) -> Value {
    json!({
        "metadata": {"labels": {
            "app": service,
            "app.kubernetes.io/name": service,
            "app.kubernetes.io/instance": app,
        }},
        "spec": {
            "containers": [{
                "name": service,
                "image": format!("{REGISTRY}/{service}:{version}"),
                "imagePullPolicy": "IfNotPresent",
                "ports": [{"name": "http", "containerPort": 8080, "protocol": "TCP"}],
                "resources": {"requests": {"cpu": "250m", "memory": "512Mi"}, "limits": {"memory": "512Mi"}},
                "readinessProbe": {
                    "httpGet": {"path": "/healthz", "port": "http", "scheme": "HTTP"},
                    "periodSeconds": 5, "timeoutSeconds": 1, "successThreshold": 1, "failureThreshold": 3,
                },
                "terminationMessagePath": "/dev/termination-log",
                "terminationMessagePolicy": "File",
            }],
            "restartPolicy": "Always",
            "terminationGracePeriodSeconds": 30,
            "dnsPolicy": "ClusterFirst",
            "schedulerName": "default-scheduler",
            "securityContext": {},
        },
    })
}

/// The image tag of a template's first container.
pub fn version_of(template: &Value) -> Option<String> {
    let image = template.pointer("/spec/containers/0/image")?.as_str()?;
    let (_, tag) = image.rsplit_once(':')?;
    Some(tag.to_string())
}

/// Drop nulls and empty maps and lists: the API server decodes into Go structs, where
/// `"creationTimestamp": null` (which kubectl sends back in an undo) or `"resources": {}` is
/// the same as leaving the field out.
pub fn canonical(v: &Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.iter()
                .map(|(k, v)| (k.clone(), canonical(v)))
                .filter(|(_, v)| match v {
                    Value::Null => false,
                    Value::Object(m) => !m.is_empty(),
                    Value::Array(a) => !a.is_empty(),
                    _ => true,
                })
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.iter().map(canonical).collect()),
        other => other.clone(),
    }
}

/// A template without its `pod-template-hash` label, canonical: what "the same template" means.
pub fn strip_hash(template: &Value) -> Value {
    let mut t = canonical(template);
    if let Some(labels) = t
        .pointer_mut("/metadata/labels")
        .and_then(Value::as_object_mut)
    {
        labels.remove(HASH_LABEL);
    }
    t
}

fn change_cause(d: &Deploy) -> String {
    let short = d.revision.get(..7).unwrap_or(&d.revision);
    match d.kind {
        DeployKind::Deploy => format!(
            "{}: deploy {} {} (argocd sync of {short})",
            d.author, d.service, d.version
        ),
        DeployKind::Rollback => format!(
            "{}: roll back {} to {} (argocd rollback to {short})",
            d.author, d.service, d.version
        ),
    }
}

impl Deployment {
    fn for_service(world: &World, service: &str, namespace: &str, app: &str) -> Deployment {
        let first = world
            .history(app, TimeDelta::MAX)
            .first()
            .map(|d| d.at)
            .unwrap_or_default();
        let mut labels = BTreeMap::new();
        labels.insert("app.kubernetes.io/name".to_string(), service.to_string());
        labels.insert("app.kubernetes.io/instance".to_string(), app.to_string());
        labels.insert(
            "app.kubernetes.io/managed-by".to_string(),
            "argocd".to_string(),
        );
        Deployment {
            namespace: namespace.to_string(),
            name: service.to_string(),
            app: Some(app.to_string()),
            uid: uid(&format!("{namespace}/deployment/{service}")),
            created: first - TimeDelta::days(30),
            labels,
            annotations: BTreeMap::new(),
            spec: json!({
                "replicas": replicas_for(service),
                "selector": {"matchLabels": {"app.kubernetes.io/name": service}},
                "template": Value::Null,
                "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"}},
                "revisionHistoryLimit": 10,
                "progressDeadlineSeconds": 300,
            }),
            generation: 0,
            observed_generation: 0,
            replica_sets: Vec::new(),
            rollout: Rollout {
                from: None,
                started: first,
                duration: TimeDelta::zero(),
            },
            applied_deploy: None,
            revision_floor: revision_floor(app),
        }
    }

    pub fn replicas(&self) -> i64 {
        self.spec["replicas"].as_i64().unwrap_or(1).max(0)
    }

    /// The ReplicaSet with the highest revision.
    pub fn current(&self) -> Option<&ReplicaSet> {
        self.replica_sets.iter().max_by_key(|rs| rs.revision)
    }

    pub fn service(&self) -> &str {
        self.labels
            .get("app.kubernetes.io/name")
            .map(String::as_str)
            .unwrap_or(&self.name)
    }

    /// The pod-template-hash of a template: the one Argo CD's resource tree names for a
    /// version's own template, else a hash of the template.
    fn hash_for(&self, stripped: &Value) -> String {
        let service = self.service().to_string();
        if let (Some(app), Some(version)) = (&self.app, version_of(stripped))
            && canonical(&template_for(&service, app, &version)) == *stripped
        {
            return template_hash(app, &version);
        }
        pick(&format!("{}/{}/{stripped}", self.namespace, self.name), 10)
    }

    /// The deployment controller's reaction to a new pod template: re-use the ReplicaSet
    /// whose template matches (ignoring `pod-template-hash`) or create one; either way it
    /// gets revision max+1 and becomes current. Returns false when the template is already
    /// the current one (nothing rolls).
    pub fn roll(
        &mut self,
        template: &Value,
        at: Offset,
        duration: Offset,
        pod_generation: u64,
    ) -> bool {
        let stripped = strip_hash(template);
        self.spec["template"] = stripped.clone();
        let current = self
            .current()
            .map(|rs| (rs.name.clone(), strip_hash(&rs.template)));
        if let Some((_, t)) = &current
            && *t == stripped
        {
            return false;
        }
        let revision = self
            .replica_sets
            .iter()
            .map(|rs| rs.revision)
            .max()
            .unwrap_or(0)
            .max(self.revision_floor)
            + 1;
        let mut annotations: BTreeMap<String, String> = self
            .annotations
            .iter()
            .filter(|(k, _)| {
                !k.starts_with("deployment.kubernetes.io/")
                    && k.as_str() != "kubectl.kubernetes.io/last-applied-configuration"
            })
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        annotations.insert(REVISION.to_string(), revision.to_string());
        let replicas = self.replicas().to_string();
        annotations.insert(
            "deployment.kubernetes.io/desired-replicas".into(),
            replicas.clone(),
        );
        annotations.insert(
            "deployment.kubernetes.io/max-replicas".into(),
            (self.replicas() + (self.replicas() as f64 * 0.25).ceil() as i64).to_string(),
        );
        match self
            .replica_sets
            .iter_mut()
            .find(|rs| strip_hash(&rs.template) == stripped)
        {
            Some(rs) => {
                rs.revision = revision;
                rs.annotations = annotations;
                rs.rolled_at = at;
                rs.pod_generation = pod_generation.max(rs.pod_generation + 1);
            }
            None => {
                let hash = self.hash_for(&stripped);
                let mut template = stripped;
                template["metadata"]["labels"][HASH_LABEL] = json!(hash);
                let name = format!("{}-{hash}", self.name);
                self.replica_sets.push(ReplicaSet {
                    uid: uid(&format!("{}/replicaset/{name}", self.namespace)),
                    name,
                    template,
                    revision,
                    annotations,
                    created: at,
                    rolled_at: at,
                    pod_generation: 0,
                });
            }
        }
        self.annotations
            .insert(REVISION.to_string(), revision.to_string());
        self.rollout = Rollout {
            from: current.map(|(name, _)| name),
            started: at,
            duration,
        };
        // revisionHistoryLimit: the oldest scaled-down ReplicaSets go.
        let limit = self.spec["revisionHistoryLimit"].as_u64().unwrap_or(10) as usize;
        while self.replica_sets.len() > limit + 1 {
            let keep = [
                self.rollout.from.clone(),
                self.current().map(|r| r.name.clone()),
            ];
            let Some(oldest) = self
                .replica_sets
                .iter()
                .enumerate()
                .filter(|(_, rs)| !keep.contains(&Some(rs.name.clone())))
                .min_by_key(|(_, rs)| rs.revision)
                .map(|(i, _)| i)
            else {
                break;
            };
            self.replica_sets.remove(oldest);
        }
        true
    }

    /// Follow the scenario deploy `d` the way Argo CD's sync would: the template's image
    /// becomes its version (anything else a person changed stays, as `kubectl apply` leaves it).
    pub fn follow(&mut self, d: &Deploy) {
        self.applied_deploy = Some(d.id);
        let mut template = if self.spec["template"].is_object() {
            self.spec["template"].clone()
        } else {
            template_for(self.service(), &d.app, &d.version)
        };
        template["spec"]["containers"][0]["image"] =
            json!(format!("{REGISTRY}/{}:{}", self.service(), d.version));
        let before = self.annotations.get(CHANGE_CAUSE).cloned();
        self.annotations
            .insert(CHANGE_CAUSE.to_string(), change_cause(d));
        if self.roll(&template, d.at, d.rollout, d.id) {
            self.generation += 1;
        } else if let Some(b) = before {
            self.annotations.insert(CHANGE_CAUSE.to_string(), b);
        }
    }
}

impl Cluster {
    /// The cluster as the scenario's history has made it by `at`.
    pub fn from_world(world: &World, at: Offset) -> Cluster {
        let mut deployments = Vec::new();
        for s in &world.services {
            let mut dep = Deployment::for_service(world, &s.name, &s.namespace, &s.app);
            for d in world.history(&s.app, at) {
                dep.follow(d);
            }
            dep.observed_generation = dep.generation;
            deployments.push(dep);
        }
        Cluster { deployments }
    }

    /// Catch up with deploys the scenario made since (Argo CD syncs and rollbacks).
    pub fn follow_world(&mut self, world: &World, at: Offset) {
        for dep in &mut self.deployments {
            let Some(app) = dep.app.clone() else { continue };
            if let Some(d) = world.running(&app, at)
                && dep.applied_deploy != Some(d.id)
            {
                dep.follow(d);
            }
        }
    }

    pub fn find_mut(&mut self, namespace: &str, name: &str) -> Option<&mut Deployment> {
        self.deployments
            .iter_mut()
            .find(|d| d.namespace == namespace && d.name == name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn checkout(c: &Cluster) -> &Deployment {
        c.deployments.iter().find(|d| d.name == "checkout").unwrap()
    }

    #[test]
    fn checkout_is_at_revision_seven_with_six_kept() {
        let c = Cluster::from_world(&World::demo(), TimeDelta::zero());
        let d = checkout(&c);
        assert_eq!(d.annotations[REVISION], "7");
        let cur = d.current().unwrap();
        assert_eq!(cur.name, "checkout-7d9f8b6c4");
        assert_eq!(version_of(&cur.template).as_deref(), Some("v2.14.0"));
        assert!(cur.annotations[CHANGE_CAUSE].contains("v2.14.0"));
        assert!(cur.annotations[CHANGE_CAUSE].starts_with("ci-bot"));
        let six = d.replica_sets.iter().find(|rs| rs.revision == 6).unwrap();
        assert_eq!(version_of(&six.template).as_deref(), Some("v2.13.2"));
        assert_eq!(d.rollout.from.as_deref(), Some(six.name.as_str()));
    }

    #[test]
    fn a_matching_template_reuses_its_replica_set_as_the_next_revision() {
        let mut c = Cluster::from_world(&World::demo(), TimeDelta::zero());
        let d = c.find_mut("checkout", "checkout").unwrap();
        let six = d
            .replica_sets
            .iter()
            .find(|rs| rs.revision == 6)
            .unwrap()
            .clone();
        let count = d.replica_sets.len();
        assert!(d.roll(&six.template, TimeDelta::zero(), API_ROLLOUT, 0));
        assert_eq!(d.replica_sets.len(), count, "no new ReplicaSet");
        assert_eq!(d.current().unwrap().name, six.name);
        assert_eq!(d.current().unwrap().revision, 8);
        assert_eq!(d.annotations[REVISION], "8");
        // The same template again rolls nothing.
        assert!(!d.roll(&six.template, TimeDelta::zero(), API_ROLLOUT, 0));
        // A changed template (a restart) is a new ReplicaSet at revision 9.
        let mut t = strip_hash(&six.template);
        t["metadata"]["annotations"] =
            json!({"kubectl.kubernetes.io/restartedAt": "2025-01-01T00:00:00Z"});
        assert!(d.roll(&t, TimeDelta::zero(), API_ROLLOUT, 0));
        assert_eq!(d.replica_sets.len(), count + 1);
        assert_eq!(d.current().unwrap().revision, 9);
        assert_ne!(d.current().unwrap().name, six.name);
    }

    #[test]
    fn an_argo_rollback_turns_revision_six_into_eight() {
        let mut world = World::demo();
        let mut c = Cluster::from_world(&world, TimeDelta::zero());
        world
            .rollback("checkout-prod", None, TimeDelta::seconds(5), "alice")
            .unwrap();
        c.follow_world(&world, TimeDelta::seconds(6));
        let d = checkout(&c);
        let cur = d.current().unwrap();
        assert_eq!(
            (cur.revision, version_of(&cur.template).unwrap().as_str()),
            (8, "v2.13.2")
        );
        assert!(cur.annotations[CHANGE_CAUSE].starts_with("alice"));
    }
}
