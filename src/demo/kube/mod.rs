//! An emulated Kubernetes API server for the demo world's cluster (context `demo-prod`), in
//! the real wire format so any client (kube-rs, kubectl) works against it: core v1 Pods,
//! Events, Namespaces; apps/v1 Deployments, ReplicaSets, StatefulSets, DaemonSets. List with
//! label/field selectors and `limit`/`continue`; watch with resourceVersion, bookmarks and
//! 410 Gone; get; PATCH on Deployments and `/scale` (JSON, merge, strategic merge, dry run)
//! with the deployment controller's revision semantics; pod logs; discovery; a
//! SelfSubjectAccessReview that allows. Every call wants `Authorization: Bearer`
//! [`DEMO_KUBE_TOKEN`] (the kubeconfig the demo writes carries it).
//!
//! The story is the scenario's: checkout's revision 7 (v2.14.0) crash-loops beside revision 6
//! (v2.13.2); an Argo CD rollback or a `kubectl rollout undo` heals it (the latter is told to
//! the world as a rollback by `kubectl`, so the alerts resolve a minute later).
//!
//! Files: `store` (objects, resourceVersions, the watch window), `selector`, `cluster`
//! (Deployments and ReplicaSets as the controller keeps them), `render` (pods, statuses,
//! events at a time), `patch`, `scenario` (the world behind it), `watch`, `logs`, `discovery`,
//! `api` (HTTP), `kubeconfig`, `synthetic` (a big generated cluster for benchmarks).

mod api;
mod cluster;
mod discovery;
mod kubeconfig;
mod logs;
mod patch;
mod render;
mod scenario;
mod selector;
mod status;
mod store;
mod synthetic;
mod watch;

pub use cluster::revision_floor;
pub use kubeconfig::KubeconfigFile;
pub use synthetic::{
    SYNTHETIC_CONTEXT, SYNTHETIC_TOKEN, SyntheticCluster, SyntheticServer, serve_synthetic,
};

use super::Shared;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::watch as signal;
use tokio::task::JoinHandle;

/// The demo cluster's Bearer token (guards nothing but loopback; not a secret).
pub const DEMO_KUBE_TOKEN: &str = "sitrep-demo-kube-token-not-a-secret";
/// The kubeconfig context (and cluster) name of the demo cluster.
pub const DEMO_CONTEXT: &str = "demo-prod";
/// The context's default namespace: checkout's, where the incident is.
pub const DEMO_NAMESPACE: &str = "checkout";
/// The author of the world's deploys made through this API (a `kubectl rollout undo`).
pub const KUBECTL_AUTHOR: &str = "kubectl";
/// How often the world's passing time is published as watch events.
const TICK: Duration = Duration::from_secs(1);
/// Changes kept for watches to resume from.
const WINDOW: usize = 5_000;

/// Start the demo cluster's API server on `listener` and its ticker; both end on `stopped`.
pub(crate) fn spawn(
    shared: Arc<Shared>,
    listener: TcpListener,
    stopped: signal::Receiver<bool>,
) -> Vec<JoinHandle<()>> {
    let store = Arc::new(store::Store::new(WINDOW));
    let scenario = Arc::new(scenario::Scenario::new(shared.clone()));
    scenario.tick(&store);
    let api = Arc::new(api::Api {
        store: store.clone(),
        token: DEMO_KUBE_TOKEN.to_string(),
        scenario: Some(scenario.clone()),
        clock: shared.clock.clone(),
        stopped: stopped.clone(),
        bookmark_every: Duration::from_secs(30),
        anonymous: true,
    });
    let server = super::serve(listener, api::router(api), stopped.clone());
    let mut stop = stopped;
    let ticker = tokio::spawn(async move {
        let mut every = tokio::time::interval(TICK);
        every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = every.tick() => scenario.tick(&store),
                _ = stop.wait_for(|s| *s) => break,
            }
        }
    });
    vec![server, ticker]
}

#[cfg(test)]
mod tests;
