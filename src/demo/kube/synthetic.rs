//! A big generated cluster for benchmarks: the same wire format as the scenario's cluster
//! (list, watch, bookmarks, 410, logs; read-only), with `pods` Pods, `deployments`
//! Deployments, `replicasets` ReplicaSets spread over namespaces, and a steady stream of
//! MODIFIED Pod events at `events_per_sec` (a container restarting somewhere).

use super::api::{Api, router};
use super::cluster::{pick, uid};
use super::kubeconfig::KubeconfigFile;
use super::store::{Kind, Store};
use crate::demo::clock::ScenarioClock;
use chrono::{SecondsFormat, Utc};
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

pub const SYNTHETIC_TOKEN: &str = "sitrep-synthetic-kube-token";
pub const SYNTHETIC_CONTEXT: &str = "synthetic";

#[derive(Clone, Copy, Debug)]
pub struct SyntheticCluster {
    pub pods: usize,
    pub deployments: usize,
    pub replicasets: usize,
    pub events_per_sec: u32,
}

impl Default for SyntheticCluster {
    fn default() -> Self {
        SyntheticCluster {
            pods: 10_000,
            deployments: 2_000,
            replicasets: 6_000,
            events_per_sec: 100,
        }
    }
}

/// A running synthetic cluster; dropping it stops the server and removes the kubeconfig.
pub struct SyntheticServer {
    pub url: String,
    kubeconfig: KubeconfigFile,
    stop: watch::Sender<bool>,
    tasks: Vec<JoinHandle<()>>,
}

impl SyntheticServer {
    pub fn kubeconfig_path(&self) -> &std::path::Path {
        self.kubeconfig.path()
    }

    pub async fn shutdown(mut self) {
        let _ = self.stop.send(true);
        for t in self.tasks.drain(..) {
            let abort = t.abort_handle();
            if tokio::time::timeout(Duration::from_secs(2), t)
                .await
                .is_err()
            {
                abort.abort();
            }
        }
    }
}

impl Drop for SyntheticServer {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
        for t in &self.tasks {
            t.abort();
        }
    }
}

const NAMESPACES: usize = 50;

fn ns_of(i: usize) -> String {
    format!("team-{:02}", i % NAMESPACES)
}

fn stamp() -> String {
    Utc::now().to_rfc3339_opts(SecondsFormat::Secs, true)
}

fn template(app: &str) -> Value {
    json!({"metadata": {"labels": {"app.kubernetes.io/name": app}},
           "spec": {"containers": [{"name": app, "image": format!("registry.example.com/synthetic/{app}:v1.0.0"),
                    "resources": {"requests": {"cpu": "100m", "memory": "128Mi"}}}]}})
}

fn deployment(i: usize, created: &str) -> Value {
    let app = format!("app-{i:05}");
    json!({"apiVersion": "apps/v1", "kind": "Deployment",
           "metadata": {"name": app, "namespace": ns_of(i), "uid": uid(&format!("syn/d/{i}")), "generation": 1,
                        "creationTimestamp": created, "labels": {"app.kubernetes.io/name": app},
                        "annotations": {"deployment.kubernetes.io/revision": "3"}},
           "spec": {"replicas": 5, "selector": {"matchLabels": {"app.kubernetes.io/name": app}}, "template": template(&app)},
           "status": {"observedGeneration": 1, "replicas": 5, "updatedReplicas": 5, "readyReplicas": 5, "availableReplicas": 5,
                      "conditions": [{"type": "Available", "status": "True", "reason": "MinimumReplicasAvailable"},
                                     {"type": "Progressing", "status": "True", "reason": "NewReplicaSetAvailable"}]}})
}

fn replicaset(j: usize, deployments: usize, created: &str) -> Value {
    let d = j % deployments.max(1);
    let app = format!("app-{d:05}");
    let revision = j / deployments.max(1) + 1;
    let hash = pick(&format!("syn/rs/{j}"), 10);
    let mut t = template(&app);
    t["metadata"]["labels"]["pod-template-hash"] = json!(hash);
    json!({"apiVersion": "apps/v1", "kind": "ReplicaSet",
           "metadata": {"name": format!("{app}-{hash}"), "namespace": ns_of(d), "uid": uid(&format!("syn/rs/{j}")),
                        "creationTimestamp": created, "labels": t["metadata"]["labels"],
                        "annotations": {"deployment.kubernetes.io/revision": revision.to_string()},
                        "ownerReferences": [{"apiVersion": "apps/v1", "kind": "Deployment", "name": app,
                                             "uid": uid(&format!("syn/d/{d}")), "controller": true, "blockOwnerDeletion": true}]},
           "spec": {"replicas": 0, "selector": {"matchLabels": {"app.kubernetes.io/name": app, "pod-template-hash": hash}}, "template": t},
           "status": {"replicas": 0, "observedGeneration": 1}})
}

/// The ReplicaSet index of deployment `d`'s newest revision (the largest `j ≡ d` below
/// `replicasets`), if it has one.
fn current_replicaset(d: usize, deployments: usize, replicasets: usize) -> Option<usize> {
    let deployments = deployments.max(1);
    (d < replicasets).then(|| d + deployments * ((replicasets - 1 - d) / deployments))
}

fn pod(k: usize, deployments: usize, replicasets: usize, restarts: u64, created: &str) -> Value {
    let d = k % deployments.max(1);
    let app = format!("app-{d:05}");
    // Owned by the deployment's newest ReplicaSet, labelled with its hash, as the controller
    // makes them (a client finds a Deployment's pods through that chain).
    let rs = current_replicaset(d, deployments, replicasets);
    let hash = rs.map_or_else(
        || pick(&format!("syn/rs/{d}"), 10),
        |j| pick(&format!("syn/rs/{j}"), 10),
    );
    let name = format!("{app}-{hash}-{}", pick(&format!("syn/p/{k}"), 5));
    let mut metadata = json!({"name": name, "namespace": ns_of(d), "uid": uid(&format!("syn/p/{k}")),
                              "creationTimestamp": created,
                              "labels": {"app.kubernetes.io/name": app, "pod-template-hash": hash}});
    if let Some(j) = rs {
        metadata["ownerReferences"] = json!([{"apiVersion": "apps/v1", "kind": "ReplicaSet",
                                              "name": format!("{app}-{hash}"), "uid": uid(&format!("syn/rs/{j}")),
                                              "controller": true, "blockOwnerDeletion": true}]);
    }
    json!({"apiVersion": "v1", "kind": "Pod",
           "metadata": metadata,
           "spec": {"containers": [{"name": app, "image": format!("registry.example.com/synthetic/{app}:v1.0.0")}],
                    "nodeName": format!("node-{:03}", k % 200)},
           "status": {"phase": "Running", "startTime": created,
                      "conditions": [{"type": "Ready", "status": "True"}],
                      "containerStatuses": [{"name": app, "image": format!("registry.example.com/synthetic/{app}:v1.0.0"),
                                             "imageID": "", "ready": true, "restartCount": restarts,
                                             "state": {"running": {"startedAt": created}}}]}})
}

/// Serve a synthetic cluster on 127.0.0.1 (port chosen by the OS).
pub async fn serve_synthetic(spec: SyntheticCluster) -> anyhow::Result<SyntheticServer> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("http://{}", listener.local_addr()?);
    let store = Arc::new(Store::new(10_000));
    let created = stamp();
    store.replace_kind(
        Kind::Namespace,
        (0..NAMESPACES)
            .map(|i| json!({"apiVersion": "v1", "kind": "Namespace",
                            "metadata": {"name": ns_of(i), "uid": uid(&format!("syn/ns/{i}")), "creationTimestamp": created},
                            "status": {"phase": "Active"}}))
            .collect(),
    );
    store.replace_kind(
        Kind::Deployment,
        (0..spec.deployments)
            .map(|i| deployment(i, &created))
            .collect(),
    );
    store.replace_kind(
        Kind::ReplicaSet,
        (0..spec.replicasets)
            .map(|j| replicaset(j, spec.deployments, &created))
            .collect(),
    );
    store.replace_kind(
        Kind::Pod,
        (0..spec.pods)
            .map(|k| pod(k, spec.deployments, spec.replicasets, 0, &created))
            .collect(),
    );
    let (stop, stopped) = watch::channel(false);
    let api = Arc::new(Api {
        store: store.clone(),
        token: SYNTHETIC_TOKEN.to_string(),
        scenario: None,
        clock: ScenarioClock::new(1.0),
        stopped: stopped.clone(),
        bookmark_every: Duration::from_secs(60),
        anonymous: true,
    });
    let kubeconfig = KubeconfigFile::write(&url, SYNTHETIC_TOKEN, SYNTHETIC_CONTEXT, "team-00")?;
    let server = crate::demo::serve(listener, router(api), stopped.clone());
    let churn = {
        let mut stopped = stopped.clone();
        tokio::spawn(async move {
            if spec.events_per_sec == 0 || spec.pods == 0 {
                return;
            }
            // Ten batches a second.
            let mut every = tokio::time::interval(Duration::from_millis(100));
            every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            let (mut next, mut owed, mut round) = (0usize, 0f64, 1u64);
            loop {
                tokio::select! {
                    _ = every.tick() => {}
                    _ = stopped.wait_for(|s| *s) => break,
                }
                owed += f64::from(spec.events_per_sec) / 10.0;
                while owed >= 1.0 {
                    store.put(
                        Kind::Pod,
                        pod(next, spec.deployments, spec.replicasets, round, &created),
                    );
                    owed -= 1.0;
                    next += 1;
                    if next == spec.pods {
                        next = 0;
                        round += 1;
                    }
                }
            }
        })
    };
    Ok(SyntheticServer {
        url,
        kubeconfig,
        stop,
        tasks: vec![server, churn],
    })
}
