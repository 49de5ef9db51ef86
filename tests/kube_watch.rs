//! The Kubernetes live task against a scripted API server (127.0.0.1, port 0) speaking the
//! list/watch wire format with token auth: initial lists become Resets, watch events
//! Apply/Delete, bookmarks are harmless, 410 Gone (as an ERROR event or as HTTP) relists, a
//! dropped or silent connection is resumed, a 403 on one resource leaves the others flowing,
//! hostile objects arrive cleaned.

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use sitrep::config::source::{KubeOptions, SourceSpec};
use sitrep::kube::{KubeChange, KubeObject, ResourceKind};
use sitrep::model::source::SourceKind;
use sitrep::msg::{Msg, SourcePayload};
use sitrep::sources::kube::watch::{WatchOptions, run};
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{Notify, mpsc};

const TOKEN: &str = "test-token";

enum Cmd {
    Line(Value),
    /// Abort the connection mid-stream.
    Drop,
}

#[derive(Default)]
struct World {
    lists: HashMap<String, Vec<Value>>,
    forbidden: HashSet<String>,
    /// Lists and watches of these resources are answered HTTP 500.
    broken: HashSet<String>,
    /// The next watch of these resources is answered HTTP 410.
    gone_next: HashSet<String>,
    watches: HashMap<String, Vec<mpsc::UnboundedSender<Cmd>>>,
    /// `list deployments`, `watch deployments`: what was asked, in order.
    log: Vec<String>,
    rv: u64,
}

type Shared = Arc<Mutex<World>>;

struct Server {
    world: Shared,
    url: String,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Server {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Server {
    async fn start() -> Server {
        let world: Shared = Arc::default();
        let app = axum::Router::new()
            .fallback(handle)
            .with_state(world.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Server { world, url, task }
    }

    fn list(&self, plural: &str, items: Vec<Value>) {
        self.world
            .lock()
            .unwrap()
            .lists
            .insert(plural.into(), items);
    }

    /// Send to every open watch of `plural`; how many got it.
    fn push(&self, plural: &str, make: impl Fn() -> Cmd) -> usize {
        let mut w = self.world.lock().unwrap();
        let open = w.watches.entry(plural.into()).or_default();
        open.retain(|tx| tx.send(make()).is_ok());
        open.len()
    }

    fn asked(&self, what: &str) -> usize {
        self.world
            .lock()
            .unwrap()
            .log
            .iter()
            .filter(|l| *l == what)
            .count()
    }

    async fn wait_asked(&self, what: &str, times: usize) {
        for _ in 0..1000 {
            if self.asked(what) >= times {
                return;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        panic!("`{what}` was not asked {times} times");
    }

    /// Wait until a watch of `plural` is open, then send it `cmd`.
    async fn push_when_open(&self, plural: &str, make: impl Fn() -> Cmd) {
        for _ in 0..1000 {
            if self.push(plural, &make) > 0 {
                return;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        panic!("no watch of {plural} opened");
    }
}

fn status(code: u16, reason: &str, message: &str) -> Value {
    json!({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
           "message": message, "reason": reason, "code": code})
}

fn answer(code: u16, body: Value) -> Response {
    (
        StatusCode::from_u16(code).unwrap(),
        [("content-type", "application/json")],
        body.to_string(),
    )
        .into_response()
}

async fn handle(State(world): State<Shared>, req: Request) -> Response {
    let authorized = req
        .headers()
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        == Some(&format!("Bearer {TOKEN}"));
    if !authorized {
        return answer(401, status(401, "Unauthorized", "Unauthorized"));
    }
    let path = req.uri().path().to_string();
    let query = req.uri().query().unwrap_or("").to_string();
    if path.starts_with("/apis/argoproj.io") {
        return answer(
            404,
            status(
                404,
                "NotFound",
                "the server could not find the requested resource",
            ),
        );
    }
    let plural = path.rsplit('/').next().unwrap_or("").to_string();
    let watch = query.split('&').any(|p| p == "watch=true");
    let mut w = world.lock().unwrap();
    w.log
        .push(format!("{} {plural}", if watch { "watch" } else { "list" }));
    if w.forbidden.contains(&plural) {
        let verb = if watch { "watch" } else { "list" };
        return answer(
            403,
            status(
                403,
                "Forbidden",
                &format!(
                    "{plural} is forbidden: User \"x\" cannot {verb} resource \"{plural}\" in the namespace \"payments\""
                ),
            ),
        );
    }
    if w.broken.contains(&plural) {
        return answer(
            500,
            status(500, "InternalError", "etcdserver: request timed out"),
        );
    }
    if !watch {
        w.rv += 1;
        let items = w.lists.get(&plural).cloned().unwrap_or_default();
        return answer(
            200,
            json!({"kind": "List", "apiVersion": "v1",
            "metadata": {"resourceVersion": w.rv.to_string()}, "items": items}),
        );
    }
    if w.gone_next.remove(&plural) {
        return answer(410, status(410, "Expired", "too old resource version"));
    }
    let (tx, rx) = mpsc::unbounded_channel();
    w.watches.entry(plural).or_default().push(tx);
    let body = futures::stream::unfold(rx, |mut rx| async move {
        match rx.recv().await {
            Some(Cmd::Line(v)) => {
                Some((Ok::<_, std::io::Error>(Bytes::from(format!("{v}\n"))), rx))
            }
            Some(Cmd::Drop) => Some((Err(std::io::Error::other("dropped")), rx)),
            None => None,
        }
    });
    Response::builder()
        .header("content-type", "application/json")
        .body(Body::from_stream(body))
        .unwrap()
}

fn deployment(name: &str, rv: u64, ready: i32) -> Value {
    json!({
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": name, "namespace": "payments", "resourceVersion": rv.to_string(),
                     "uid": format!("uid-{name}"), "generation": 1,
                     "annotations": {"deployment.kubernetes.io/revision": "3"}},
        "spec": {"replicas": 3, "selector": {"matchLabels": {"app": name}},
                 "template": {"spec": {"containers": [{"name": "app", "image": "img:v1"}]}}},
        "status": {"observedGeneration": 1, "replicas": 3, "updatedReplicas": 3,
                   "readyReplicas": ready, "availableReplicas": ready}
    })
}

fn event(kind: &str, object: Value) -> Cmd {
    Cmd::Line(json!({"type": kind, "object": object}))
}

fn kubeconfig(dir: &std::path::Path, url: &str) -> std::path::PathBuf {
    let path = dir.join("kubeconfig");
    std::fs::write(
        &path,
        format!(
            "apiVersion: v1\nkind: Config\ncurrent-context: test\n\
             clusters:\n- name: c\n  cluster:\n    server: {url}\n\
             users:\n- name: u\n  user:\n    token: {TOKEN}\n\
             contexts:\n- name: test\n  context:\n    cluster: c\n    user: u\n"
        ),
    )
    .unwrap();
    path
}

fn options() -> WatchOptions {
    WatchOptions {
        watch_timeout_secs: 60,
        idle_margin: Duration::from_secs(30),
        batch_window: Duration::from_millis(20),
        restart_delay: Duration::from_millis(50),
        ..WatchOptions::default()
    }
}

/// The live task's messages, read until what a test waits for.
struct Feed {
    rx: mpsc::Receiver<Msg>,
    task: tokio::task::JoinHandle<()>,
    held: std::collections::VecDeque<KubeChange>,
    _dir: tempfile::TempDir,
}

impl Drop for Feed {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Feed {
    fn start(server: &Server, options: WatchOptions) -> Feed {
        Feed::start_with(server, options, kubeconfig)
    }

    /// With the kubeconfig `write` makes (in a directory, for the server's URL).
    fn start_with(
        server: &Server,
        options: WatchOptions,
        write: impl FnOnce(&std::path::Path, &str) -> std::path::PathBuf,
    ) -> Feed {
        let dir = tempfile::tempdir().unwrap();
        let path = write(dir.path(), &server.url);
        let mut spec = SourceSpec::new(
            "test",
            SourceKind::Kube,
            url::Url::parse(&server.url).unwrap(),
            "test",
        );
        spec.timeout = Duration::from_secs(5);
        spec.poll_interval = Duration::from_millis(100);
        spec.kube = KubeOptions {
            context: "test".into(),
            kubeconfigs: vec![path],
            namespaces: vec!["payments".into()],
        };
        let (tx, rx) = mpsc::channel(64);
        let task = tokio::spawn(run(spec, options, tx, Arc::new(Notify::new())));
        Feed {
            rx,
            task,
            held: Default::default(),
            _dir: dir,
        }
    }

    async fn next_payload(&mut self) -> SourcePayload {
        let msg = tokio::time::timeout(Duration::from_secs(20), self.rx.recv())
            .await
            .expect("the task said nothing for 20 s")
            .expect("the task ended");
        match msg {
            Msg::Source(u) => {
                assert_eq!(u.source, "test");
                u.payload
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    /// The next change matching `want` (those before it are passed over; a batch's later
    /// changes are kept for the next call).
    async fn change(&mut self, want: impl Fn(&KubeChange) -> bool) -> KubeChange {
        loop {
            while let Some(c) = self.held.pop_front() {
                if want(&c) {
                    return c;
                }
            }
            if let SourcePayload::Kube(p) = self.next_payload().await {
                self.held.extend(p.changes);
            }
        }
    }

    async fn live(&mut self) {
        loop {
            match self.next_payload().await {
                SourcePayload::Live(true) => return,
                SourcePayload::Kube(p) => self.held.extend(p.changes),
                _ => {}
            }
        }
    }
}

fn is_reset(c: &KubeChange, of: ResourceKind) -> bool {
    matches!(c, KubeChange::Reset { resource, .. } if *resource == of)
}

fn names(c: &KubeChange) -> Vec<String> {
    match c {
        KubeChange::Reset { objects, .. } => objects
            .iter()
            .map(|o| o.namespace_name().1.to_string())
            .collect(),
        KubeChange::Apply(o) => vec![o.namespace_name().1.to_string()],
        KubeChange::Delete { name, .. } => vec![name.clone()],
        KubeChange::Unavailable { .. } => vec![],
    }
}

#[tokio::test]
async fn lists_become_resets_and_watch_events_changes() {
    let server = Server::start().await;
    server.list("deployments", vec![deployment("checkout", 5, 3)]);
    let mut feed = Feed::start(&server, options());
    let reset = feed
        .change(|c| is_reset(c, ResourceKind::Deployments))
        .await;
    assert_eq!(names(&reset), vec!["checkout"]);
    let KubeChange::Reset {
        namespace, objects, ..
    } = &reset
    else {
        unreachable!()
    };
    assert_eq!(namespace.as_deref(), Some("payments"));
    let KubeObject::Workload(w) = &objects[0] else {
        panic!("not a workload")
    };
    assert_eq!((w.key.cluster.as_str(), w.revision), ("test", Some(3)));
    // Every watcher settles (Argo Rollouts is not served here): the cluster is live.
    feed.live().await;

    server
        .push_when_open("deployments", || {
            event(
                "BOOKMARK",
                json!({"kind": "Deployment", "apiVersion": "apps/v1",
                "metadata": {"resourceVersion": "50"}}),
            )
        })
        .await;
    server.push("deployments", || {
        event("MODIFIED", deployment("checkout", 51, 1))
    });
    server.push("deployments", || {
        event("ADDED", deployment("refunds", 52, 3))
    });
    let apply = feed.change(|c| matches!(c, KubeChange::Apply(_))).await;
    let KubeChange::Apply(KubeObject::Workload(w)) = &apply else {
        panic!("{apply:?}")
    };
    assert_eq!((w.key.name.as_str(), w.ready), ("checkout", 1));
    let apply = feed.change(|c| matches!(c, KubeChange::Apply(_))).await;
    assert_eq!(names(&apply), vec!["refunds"]);
    server.push("deployments", || {
        event("DELETED", deployment("refunds", 53, 3))
    });
    let delete = feed
        .change(|c| matches!(c, KubeChange::Delete { .. }))
        .await;
    assert_eq!(
        delete,
        KubeChange::Delete {
            resource: ResourceKind::Deployments,
            namespace: "payments".into(),
            name: "refunds".into()
        }
    );
    // A bookmark changed nothing: one list so far, one watch.
    assert_eq!(server.asked("list deployments"), 1);
}

#[tokio::test]
async fn rollouts_not_served_is_said_once_without_a_reason() {
    let server = Server::start().await;
    let mut feed = Feed::start(&server, options());
    let c = feed
        .change(|c| {
            matches!(
                c,
                KubeChange::Unavailable {
                    resource: ResourceKind::Rollouts,
                    ..
                }
            )
        })
        .await;
    assert!(matches!(&c, KubeChange::Unavailable { reason, .. } if reason.is_empty()));
}

#[tokio::test]
async fn gone_as_an_event_or_as_http_relists_and_resets() {
    let server = Server::start().await;
    server.list("deployments", vec![deployment("checkout", 5, 3)]);
    let mut feed = Feed::start(&server, options());
    feed.change(|c| is_reset(c, ResourceKind::Deployments))
        .await;

    server.list("deployments", vec![deployment("checkout", 9, 2)]);
    server
        .push_when_open("deployments", || {
            event(
                "ERROR",
                status(410, "Expired", "too old resource version: 5 (9)"),
            )
        })
        .await;
    let reset = feed
        .change(|c| is_reset(c, ResourceKind::Deployments))
        .await;
    let KubeChange::Reset { objects, .. } = &reset else {
        unreachable!()
    };
    let KubeObject::Workload(w) = &objects[0] else {
        panic!()
    };
    assert_eq!(w.ready, 2);
    assert_eq!(server.asked("list deployments"), 2);

    // The server closes the watch; the resume is refused with HTTP 410: a fresh list.
    server
        .world
        .lock()
        .unwrap()
        .gone_next
        .insert("deployments".into());
    server
        .world
        .lock()
        .unwrap()
        .lists
        .insert("deployments".into(), vec![]);
    server.push_when_open("deployments", || Cmd::Drop).await;
    let reset = feed
        .change(|c| is_reset(c, ResourceKind::Deployments))
        .await;
    assert!(names(&reset).is_empty());
    assert_eq!(server.asked("list deployments"), 3);
}

#[tokio::test]
async fn a_dropped_connection_is_resumed() {
    let server = Server::start().await;
    let mut feed = Feed::start(&server, options());
    feed.change(|c| is_reset(c, ResourceKind::Deployments))
        .await;
    server.push_when_open("deployments", || Cmd::Drop).await;
    server.wait_asked("watch deployments", 2).await;
    server
        .push_when_open("deployments", || {
            event("ADDED", deployment("checkout", 60, 3))
        })
        .await;
    let apply = feed.change(|c| matches!(c, KubeChange::Apply(_))).await;
    assert_eq!(names(&apply), vec!["checkout"]);
    // Resumed from where it was: no second list.
    assert_eq!(server.asked("list deployments"), 1);
}

#[tokio::test]
async fn a_silent_watch_is_dropped_and_restarted() {
    let server = Server::start().await;
    let opts = WatchOptions {
        watch_timeout_secs: 1,
        idle_margin: Duration::from_millis(500),
        ..options()
    };
    let mut feed = Feed::start(&server, opts);
    feed.change(|c| is_reset(c, ResourceKind::Deployments))
        .await;
    // The server never closes nor sends anything: past 1 s + 0.5 s the client gives up on it.
    server.wait_asked("watch deployments", 2).await;
    server
        .push_when_open("deployments", || {
            event("ADDED", deployment("checkout", 70, 3))
        })
        .await;
    let apply = feed.change(|c| matches!(c, KubeChange::Apply(_))).await;
    assert_eq!(names(&apply), vec!["checkout"]);
}

#[tokio::test]
async fn forbidden_pods_are_unavailable_while_deployments_flow() {
    let server = Server::start().await;
    server.world.lock().unwrap().forbidden.insert("pods".into());
    server.list("deployments", vec![deployment("checkout", 5, 3)]);
    let mut feed = Feed::start(&server, options());
    let c = feed
        .change(|c| {
            matches!(
                c,
                KubeChange::Unavailable {
                    resource: ResourceKind::Pods,
                    ..
                }
            )
        })
        .await;
    assert_eq!(
        c,
        KubeChange::Unavailable {
            resource: ResourceKind::Pods,
            namespace: Some("payments".into()),
            reason: "cannot watch pods in payments".into()
        }
    );
    server
        .push_when_open("deployments", || {
            event("MODIFIED", deployment("checkout", 80, 2))
        })
        .await;
    let apply = feed.change(|c| matches!(c, KubeChange::Apply(_))).await;
    assert_eq!(names(&apply), vec!["checkout"]);
}

#[tokio::test]
async fn hostile_objects_arrive_cleaned_and_capped() {
    let server = Server::start().await;
    let mut evil = deployment("check\u{1b}[2Jout", 5, 3);
    evil["metadata"]["labels"] = json!({"team\u{1b}]52;c;aGk=\u{7}": "pay\u{9b}31mments"});
    evil["metadata"]["annotations"] = json!({
        "kubectl.kubernetes.io/last-applied-configuration": "x".repeat(1024 * 1024),
        "kubernetes.io/change-cause": "y".repeat(1024 * 1024),
    });
    server.list(
        "deployments",
        vec![evil, json!({"metadata": null}), deployment("ok", 6, 3)],
    );
    let mut feed = Feed::start(&server, options());
    let reset = feed
        .change(|c| is_reset(c, ResourceKind::Deployments))
        .await;
    let KubeChange::Reset { objects, .. } = &reset else {
        unreachable!()
    };
    assert_eq!(objects.len(), 3);
    for o in objects {
        let KubeObject::Workload(w) = o else { panic!() };
        assert!(!w.key.name.contains('\u{1b}'));
        for (k, v) in w.labels.iter() {
            assert!(!sitrep::sanitize::needs_cleaning(k) && !sitrep::sanitize::needs_cleaning(v));
        }
        assert!(
            w.annotations
                .get("kubectl.kubernetes.io/last-applied-configuration")
                .is_none()
        );
        assert!(w.annotations.iter().all(|(_, v)| v.len() < 10_000));
    }
}

#[tokio::test]
async fn a_lost_pods_watcher_keeps_the_cluster_not_live_while_deployments_flow() {
    let server = Server::start().await;
    server.list("deployments", vec![deployment("checkout", 5, 3)]);
    let mut feed = Feed::start(&server, options());
    feed.live().await;
    // Pods break: the pods watch is cut and every list or watch of pods fails from now on
    // (both under one lock, so the resumed watch already finds pods broken).
    let mut cut = false;
    for _ in 0..1000 {
        {
            let mut w = server.world.lock().unwrap();
            let open = w.watches.entry("pods".into()).or_default();
            open.retain(|tx| tx.send(Cmd::Drop).is_ok());
            if !open.is_empty() {
                w.broken.insert("pods".into());
                cut = true;
            }
        }
        if cut {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert!(cut, "no watch of pods opened");
    let mut lost = false;
    while !lost {
        match feed.next_payload().await {
            SourcePayload::Live(false) => lost = true,
            SourcePayload::Live(true) => panic!("live again with pods broken"),
            _ => {}
        }
    }
    // Deployments go on changing; after each of their batches the cluster is still said to be
    // failing (not one batch reads as a recovery).
    for (rv, ready) in [(90, 2), (91, 1)] {
        server
            .push_when_open("deployments", || {
                event("MODIFIED", deployment("checkout", rv, ready))
            })
            .await;
        loop {
            match feed.next_payload().await {
                SourcePayload::Kube(p)
                    if p.changes.iter().any(|c| matches!(c, KubeChange::Apply(_))) =>
                {
                    break;
                }
                SourcePayload::Live(true) => panic!("live again with pods broken"),
                _ => {}
            }
        }
        match feed.next_payload().await {
            SourcePayload::Error(e) => assert!(e.contains("500"), "{e}"),
            other => panic!("a batch while pods are lost not followed by the error: {other:?}"),
        }
    }
    // Pods come back: the relist settles the watcher and the cluster is live again.
    server.world.lock().unwrap().broken.remove("pods");
    loop {
        if let SourcePayload::Live(true) = feed.next_payload().await {
            break;
        }
    }
}

#[tokio::test]
async fn a_failing_credential_plugin_is_said_without_its_output() {
    let server = Server::start().await;
    let exec_kubeconfig = |dir: &std::path::Path, url: &str| {
        let path = dir.join("kubeconfig");
        std::fs::write(
            &path,
            format!(
                "apiVersion: v1\nkind: Config\ncurrent-context: test\n\
                 clusters:\n- name: c\n  cluster:\n    server: {url}\n\
                 users:\n- name: u\n  user:\n    exec:\n      apiVersion: client.authentication.k8s.io/v1beta1\n\
                 \x20     command: sh\n      args: [\"-c\", \"echo SECRET-TOKEN-123; echo SECRET-TOKEN-456 >&2; exit 1\"]\n\
                 \x20     interactiveMode: Never\n\
                 contexts:\n- name: test\n  context:\n    cluster: c\n    user: u\n"
            ),
        )
        .unwrap();
        path
    };
    let mut feed = Feed::start_with(&server, options(), exec_kubeconfig);
    loop {
        if let SourcePayload::Error(e) = feed.next_payload().await {
            assert!(!e.contains("SECRET"), "{e}");
            assert!(e.contains("credential plugin failed"), "{e}");
            break;
        }
    }
}
