//! One cluster, live: a kube-runtime watcher per resource kind and namespace (or cluster-wide),
//! each decoding straight into the compact objects, their changes batched into one message per
//! short window.
//!
//! What the task sends (`Msg::Source` for the source's name):
//! - `Kube(KubePayload)`: every change of a window (`batch_window`, 200 ms), in order. A
//!   watcher's initial list or relist (after 410 Gone, or a restart) is one `Reset`, sent when
//!   the list is complete; watch events are `Apply`/`Delete`; a resource RBAC refuses is
//!   `Unavailable { reason: "cannot watch pods in payments" }` (the other watchers go on), and
//!   Argo Rollouts without its CRD is `Unavailable { reason: "" }` once.
//! - `Live(true)` once every watcher has its list (or is unavailable); `Live(false)` and
//!   `Error(msg)` when a watcher loses the API server, and `Error(msg)` again after every batch
//!   while any watcher is still lost: the other watchers' changes must not read as a cluster
//!   that recovered (the model keeps the source failing while it is not live).
//! - `Note(text)` when a watcher holds its cap of objects and drops the rest: the data is
//!   incomplete but the cluster is answering, so it is no outage.
//!
//! Recovery: kube-runtime relists after a 410 in the stream and resumes a watch the server
//! closed. A watch that fails to start (410 answered as HTTP, a refused connection) or breaks
//! with an error is dropped and started afresh after a backoff, so it relists and its `Reset`
//! says the rest. A connection silent past the watch's timeout plus `idle_margin` is dead (an
//! idle load balancer dropped it): the client's read timeout ends it and the watch resumes.

use super::client::{connect_with_read_timeout, describe_error};
use super::decode::WireObject;
use super::fetch::rollouts_served;
use super::wire::{
    WireDaemonSet, WireDeployment, WireEvent, WirePod, WireReplicaSet, WireRollout, WireStatefulSet,
};
use crate::config::source::SourceSpec;
use crate::kube::{KubeChange, KubeObject, KubePayload, ResourceKind};
use crate::msg::{Msg, SourcePayload, SourceUpdate};
use crate::sources::poller::backoff_delay;
use ::kube::Api;
use ::kube::runtime::{WatchStreamExt, watcher};
use chrono::Utc;
use futures::StreamExt;
use std::collections::HashSet;
use std::hash::{Hash, Hasher};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{Notify, mpsc};
use tokio::task::JoinSet;
use tokio::time::Instant;

#[derive(Clone, Debug)]
pub struct WatchOptions {
    /// The server-side watch timeout (`timeoutSeconds`): the server closes a watch after it
    /// and the watcher resumes.
    pub watch_timeout_secs: u32,
    /// Silence past the watch timeout plus this means the connection is gone.
    pub idle_margin: Duration,
    /// Changes of all watchers within this window go out as one message.
    pub batch_window: Duration,
    /// Objects kept per watcher; past it the rest are dropped (and the source says so).
    pub max_objects: usize,
    /// List page size.
    pub page_size: u32,
    /// Base of the backoff before a dropped watch starts afresh.
    pub restart_delay: Duration,
    /// How often a cluster without Argo Rollouts is asked again whether it has it now.
    pub rollouts_reprobe: Duration,
}

impl Default for WatchOptions {
    fn default() -> Self {
        WatchOptions {
            watch_timeout_secs: 290,
            idle_margin: Duration::from_secs(30),
            batch_window: Duration::from_millis(200),
            max_objects: 100_000,
            page_size: 500,
            restart_delay: Duration::from_secs(1),
            rollouts_reprobe: Duration::from_secs(600),
        }
    }
}

/// A stream that ran this long was healthy: its failure starts the backoff over.
const HEALTHY_AFTER: Duration = Duration::from_secs(60);

/// What a watcher tells the task.
enum Report {
    Change(KubeChange),
    /// The watcher has its complete list, or knows its resource is unavailable.
    Settled(usize),
    /// The watcher lost the API server.
    Lost {
        id: usize,
        error: String,
    },
    /// Something worth a line in the timeline that is not an outage (sent as `Note`).
    Note(String),
}

/// What every watcher of one cluster shares.
struct Shared {
    client: ::kube::Client,
    cluster: String,
    /// The source's timeout, for the one plain request (the Argo Rollouts probe).
    timeout: Duration,
    options: WatchOptions,
    reports: mpsc::Sender<Report>,
}

/// The source task: runs until the receiver is dropped (or the task is aborted, which also
/// stops its watchers).
pub async fn run(
    spec: SourceSpec,
    options: WatchOptions,
    tx: mpsc::Sender<Msg>,
    wake: Arc<Notify>,
) {
    let read_timeout =
        Duration::from_secs(u64::from(options.watch_timeout_secs)) + options.idle_margin;
    let mut failures = 0u32;
    let client = loop {
        match connect_with_read_timeout(&spec, Some(read_timeout)).await {
            Ok(c) => break c,
            Err(e) => {
                failures += 1;
                if send(&tx, &spec.name, SourcePayload::Error(e.message))
                    .await
                    .is_err()
                {
                    return;
                }
                let delay = backoff_delay(spec.poll_interval, failures);
                tokio::select! {
                    _ = tokio::time::sleep(delay) => {}
                    _ = wake.notified() => {}
                }
            }
        }
    };
    let (reports_tx, reports) = mpsc::channel(1024);
    let shared = Arc::new(Shared {
        client,
        cluster: spec.name.clone(),
        timeout: spec.timeout,
        options: options.clone(),
        reports: reports_tx,
    });
    let namespaces: Vec<Option<String>> = if spec.kube.namespaces.is_empty() {
        vec![None]
    } else {
        spec.kube.namespaces.iter().cloned().map(Some).collect()
    };
    let mut watchers = JoinSet::new();
    let mut id = 0;
    for namespace in &namespaces {
        for resource in ResourceKind::ALL {
            spawn_watcher(&mut watchers, &shared, id, resource, namespace.clone());
            id += 1;
        }
    }
    drop(shared);
    relay(&spec.name, &options, id, reports, &tx).await;
    watchers.abort_all();
}

fn spawn_watcher(
    set: &mut JoinSet<()>,
    shared: &Arc<Shared>,
    id: usize,
    resource: ResourceKind,
    namespace: Option<String>,
) {
    let s = Arc::clone(shared);
    match resource {
        ResourceKind::Deployments => set.spawn(follow::<WireDeployment>(s, id, namespace)),
        ResourceKind::ReplicaSets => set.spawn(follow::<WireReplicaSet>(s, id, namespace)),
        ResourceKind::StatefulSets => set.spawn(follow::<WireStatefulSet>(s, id, namespace)),
        ResourceKind::DaemonSets => set.spawn(follow::<WireDaemonSet>(s, id, namespace)),
        ResourceKind::Pods => set.spawn(follow::<WirePod>(s, id, namespace)),
        ResourceKind::Events => set.spawn(follow::<WireEvent>(s, id, namespace)),
        ResourceKind::Rollouts => set.spawn(follow::<WireRollout>(s, id, namespace)),
    };
}

async fn send(tx: &mpsc::Sender<Msg>, source: &str, payload: SourcePayload) -> Result<(), ()> {
    let msg = Msg::Source(SourceUpdate {
        source: source.to_string(),
        at: Utc::now(),
        payload,
    });
    tx.send(msg).await.map_err(|_| ())
}

/// Batch the watchers' changes into messages; say when the cluster is live or lost.
async fn relay(
    source: &str,
    options: &WatchOptions,
    watcher_count: usize,
    mut reports: mpsc::Receiver<Report>,
    tx: &mpsc::Sender<Msg>,
) {
    let mut pending: Vec<KubeChange> = Vec::new();
    let mut deadline: Option<Instant> = None;
    let mut settled = vec![false; watcher_count];
    // Per watcher, the error it was lost with (until it settles again).
    let mut lost: Vec<Option<String>> = vec![None; watcher_count];
    // What the source was last told: `None` before anything.
    let mut said_live: Option<bool> = None;
    // The newest loss, the problem the source is told about while any watcher is lost.
    let mut problem: Option<String> = None;
    loop {
        let report = tokio::select! {
            r = reports.recv() => match r {
                Some(r) => Some(r),
                None => return,
            },
            _ = sleep_until(deadline) => None,
        };
        let mut status = Vec::new();
        match report {
            None => {}
            Some(Report::Change(change)) => {
                pending.push(change);
                deadline.get_or_insert_with(|| Instant::now() + options.batch_window);
                continue;
            }
            Some(Report::Settled(id)) => {
                if let Some(s) = settled.get_mut(id) {
                    *s = true;
                }
                if let Some(l) = lost.get_mut(id) {
                    *l = None;
                }
                if said_live != Some(true) && settled.iter().all(|s| *s) {
                    said_live = Some(true);
                    problem = None;
                    status.push(SourcePayload::Live(true));
                }
            }
            Some(Report::Lost { id, error }) => {
                if let Some(s) = settled.get_mut(id) {
                    *s = false;
                }
                if let Some(l) = lost.get_mut(id) {
                    *l = Some(error.clone());
                }
                // Also before the first `Live(true)`: a watcher that never listed leaves the
                // cluster not live, whatever the others send.
                if said_live != Some(false) {
                    said_live = Some(false);
                    status.push(SourcePayload::Live(false));
                }
                if problem.as_deref() != Some(error.as_str()) {
                    problem = Some(error.clone());
                    status.push(SourcePayload::Error(error));
                }
            }
            Some(Report::Note(note)) => {
                tracing::warn!(source, note = %note, "kube watcher over its object cap");
                status.push(SourcePayload::Note(note));
            }
        }
        // Changes first: a status says something about what came before it.
        deadline = None;
        if !pending.is_empty() {
            let changes = std::mem::take(&mut pending);
            let payload = SourcePayload::Kube(KubePayload { changes });
            if send(tx, source, payload).await.is_err() {
                return;
            }
            // Still lost: say so again after the batch, so the other watchers' changes do
            // not read as a recovery (and the outage stays on screen).
            let still_lost = lost.iter().rev().find_map(|l| l.clone());
            if let Some(error) = still_lost
                && !status.iter().any(|p| matches!(p, SourcePayload::Error(_)))
            {
                problem = Some(error.clone());
                status.push(SourcePayload::Error(error));
            }
        }
        for payload in status {
            if send(tx, source, payload).await.is_err() {
                return;
            }
        }
    }
}

async fn sleep_until(deadline: Option<Instant>) {
    match deadline {
        Some(d) => tokio::time::sleep_until(d).await,
        None => std::future::pending().await,
    }
}

/// Why one watch stream was dropped.
enum Dropped {
    /// Start afresh after the backoff.
    Restart,
    /// The task is gone.
    Stop,
}

/// One resource in one namespace (or all), for as long as the task runs.
async fn follow<W: WireObject>(shared: Arc<Shared>, id: usize, namespace: Option<String>) {
    let scope = namespace
        .as_deref()
        .map(crate::sanitize::value)
        .unwrap_or_else(|| "all namespaces".into());
    let mut w = Follower::<W> {
        shared,
        id,
        namespace,
        scope,
        failures: 0,
        unavailable: false,
        started: Instant::now(),
        kind: std::marker::PhantomData,
    };
    loop {
        if W::RESOURCE == ResourceKind::Rollouts {
            let served = rollouts_served(&w.shared.client, w.shared.timeout).await;
            let reported = match &served {
                Ok(true) => Ok(()),
                Ok(false) => match w.unavailable(String::new()).await {
                    Ok(()) => {
                        tokio::time::sleep(w.shared.options.rollouts_reprobe).await;
                        continue;
                    }
                    Err(g) => Err(g),
                },
                Err(e) => {
                    w.failures += 1;
                    w.lost(e.message.clone()).await
                }
            };
            if reported.is_err() {
                return;
            }
            if w.failures > 0 && served.is_err() {
                let delay = backoff_delay(w.shared.options.restart_delay, w.failures);
                tokio::time::sleep(delay).await;
                continue;
            }
        }
        match w.stream().await {
            Dropped::Stop => return,
            Dropped::Restart => {
                let delay = backoff_delay(w.shared.options.restart_delay, w.failures.max(1));
                tokio::time::sleep(delay).await;
            }
        }
    }
}

struct Follower<W> {
    shared: Arc<Shared>,
    id: usize,
    namespace: Option<String>,
    /// `payments`, or `all namespaces`, for messages.
    scope: String,
    failures: u32,
    /// `Unavailable` was reported and no list has come since.
    unavailable: bool,
    /// When the current stream started: one that ran a while was healthy, and its failure
    /// starts the backoff over.
    started: Instant,
    kind: std::marker::PhantomData<W>,
}

struct Gone;

impl<W: WireObject> Follower<W> {
    async fn report(&self, r: Report) -> Result<(), Gone> {
        self.shared.reports.send(r).await.map_err(|_| Gone)
    }

    async fn unavailable(&mut self, reason: String) -> Result<(), Gone> {
        if !self.unavailable {
            self.unavailable = true;
            self.report(Report::Change(KubeChange::Unavailable {
                resource: W::RESOURCE,
                namespace: self.namespace.clone(),
                reason,
            }))
            .await?;
        }
        self.report(Report::Settled(self.id)).await
    }

    async fn lost(&mut self, error: String) -> Result<(), Gone> {
        self.report(Report::Lost { id: self.id, error }).await
    }

    fn api(&self) -> Api<W> {
        let client = self.shared.client.clone();
        match &self.namespace {
            Some(ns) => Api::namespaced(client, ns),
            None => Api::all(client),
        }
    }

    fn config(&self) -> watcher::Config {
        let o = &self.shared.options;
        let config = watcher::Config::default()
            .timeout(o.watch_timeout_secs)
            .page_size(o.page_size);
        if W::RESOURCE == ResourceKind::Events {
            config.fields("type=Warning")
        } else {
            config
        }
    }

    /// One watcher stream, from its list until it is dropped.
    async fn stream(&mut self) -> Dropped {
        self.started = Instant::now();
        let stream = watcher(self.api(), self.config()).default_backoff();
        let mut stream = std::pin::pin!(stream);
        let mut listing: Option<Vec<KubeObject>> = None;
        let mut listed_overflow = false;
        let mut held: HashSet<u64> = HashSet::new();
        let mut overflow_said = false;
        let max = self.shared.options.max_objects;
        while let Some(item) = stream.next().await {
            let sent = match item {
                Ok(watcher::Event::Init) => {
                    listing = Some(Vec::new());
                    listed_overflow = false;
                    Ok(())
                }
                Ok(watcher::Event::InitApply(obj)) => {
                    let list = listing.get_or_insert_with(Vec::new);
                    if list.len() < max {
                        list.push(obj.into_object(&self.shared.cluster));
                    } else {
                        listed_overflow = true;
                    }
                    Ok(())
                }
                Ok(watcher::Event::InitDone) => {
                    let objects = listing.take().unwrap_or_default();
                    held = objects
                        .iter()
                        .map(|o| key_hash(o.namespace_name()))
                        .collect();
                    self.unavailable = false;
                    let reset = KubeChange::Reset {
                        resource: W::RESOURCE,
                        namespace: self.namespace.clone(),
                        objects,
                    };
                    let mut r = self.report(Report::Change(reset)).await;
                    if r.is_ok() && listed_overflow && !overflow_said {
                        overflow_said = true;
                        r = self.report(Report::Note(self.too_many(max))).await;
                    }
                    match r {
                        Ok(()) => self.report(Report::Settled(self.id)).await,
                        Err(g) => Err(g),
                    }
                }
                Ok(watcher::Event::Apply(obj)) => {
                    let object = obj.into_object(&self.shared.cluster);
                    let key = key_hash(object.namespace_name());
                    if held.len() >= max && !held.contains(&key) {
                        if overflow_said {
                            Ok(())
                        } else {
                            overflow_said = true;
                            self.report(Report::Note(self.too_many(max))).await
                        }
                    } else {
                        held.insert(key);
                        self.report(Report::Change(KubeChange::Apply(object))).await
                    }
                }
                Ok(watcher::Event::Delete(obj)) => {
                    let (namespace, name) = obj.namespace_name();
                    held.remove(&key_hash((namespace.as_str(), name.as_str())));
                    self.report(Report::Change(KubeChange::Delete {
                        resource: W::RESOURCE,
                        namespace,
                        name,
                    }))
                    .await
                }
                Err(e) => match self.on_error(e).await {
                    Ok(None) => Ok(()),
                    Ok(Some(dropped)) => return dropped,
                    Err(Gone) => Err(Gone),
                },
            };
            if sent.is_err() {
                return Dropped::Stop;
            }
        }
        Dropped::Restart
    }

    fn too_many(&self, max: usize) -> String {
        format!(
            "more than {max} {} in {}: the rest are not shown",
            W::RESOURCE.plural(),
            self.scope
        )
    }

    /// What an error means for this stream: go on (`None`), or drop it.
    async fn on_error(&mut self, e: watcher::Error) -> Result<Option<Dropped>, Gone> {
        use watcher::Error as E;
        if self.started.elapsed() >= HEALTHY_AFTER {
            self.failures = 0;
        }
        let (client_error, starting) = match &e {
            // 410 inside the stream: the watcher relists by itself and its Reset follows.
            E::WatchError(status) if status.code == 410 => return Ok(None),
            E::WatchError(status) if status.code == 403 => {
                self.forbidden().await?;
                return Ok(Some(Dropped::Restart));
            }
            E::WatchError(status) => {
                tracing::debug!(code = status.code, "kube watch error event");
                return Ok(None);
            }
            E::NoResourceVersion => {
                self.lost("the API server sent a list without a resourceVersion".into())
                    .await?;
                self.failures += 1;
                return Ok(Some(Dropped::Restart));
            }
            E::InitialListFailed(c) => (c, true),
            E::WatchStartFailed(c) => (c, true),
            E::WatchFailed(c) => (c, false),
        };
        match client_error {
            ::kube::Error::Api(s) if s.code == 403 => {
                self.forbidden().await?;
                self.failures += 1;
                Ok(Some(Dropped::Restart))
            }
            ::kube::Error::Api(s) if s.code == 404 && W::RESOURCE == ResourceKind::Rollouts => {
                self.unavailable(String::new()).await?;
                self.failures += 1;
                Ok(Some(Dropped::Restart))
            }
            // A watch answered 410 as HTTP: the watcher would retry the same stale version
            // forever; a fresh stream relists.
            ::kube::Error::Api(s) if s.code == 410 => {
                self.failures = 0;
                Ok(Some(Dropped::Restart))
            }
            // One object the parser refused: skip it, the stream goes on.
            ::kube::Error::SerdeError(_) if !starting => Ok(None),
            other => {
                let error = describe_error(other);
                tracing::debug!(resource = W::RESOURCE.plural(), error = %error, "kube watch lost");
                self.lost(error.message).await?;
                self.failures += 1;
                Ok(Some(Dropped::Restart))
            }
        }
    }

    async fn forbidden(&mut self) -> Result<(), Gone> {
        let reason = format!("cannot watch {} in {}", W::RESOURCE.plural(), self.scope);
        self.unavailable(reason).await
    }
}

fn key_hash((namespace, name): (&str, &str)) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    namespace.hash(&mut h);
    name.hash(&mut h);
    h.finish()
}
