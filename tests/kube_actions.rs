//! The cluster's effect client against a scripted API server (axum on 127.0.0.1:0, a
//! kubeconfig in a tempdir pointing at it): exactly the requests kubectl would send (undo's
//! JSON patch, restart's strategic merge patch, scale on `/scale`, Argo Rollouts on
//! `/status`), `dryRun=All` when asked, never a second attempt, the server's words on failure,
//! log tails neutralised and capped, a hung server answered by the timeout.

use axum::body::Bytes;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use sitrep::config::source::SourceSpec;
use sitrep::effect::Effect;
use sitrep::kube::{
    KubeAction, KubeActionReport, KubeRequest, LogRequest, LogTail, ObjectKey, WorkloadKey,
    WorkloadKind,
};
use sitrep::model::source::SourceKind;
use sitrep::msg::{EffectOutcome, Msg};
use std::sync::{Arc, Mutex};
use std::time::Duration;

const TOKEN: &str = "s3cr3t-token-never-shown";
const CONTEXT: &str = "prod-eu";

/// One request as the server saw it.
#[derive(Clone, Debug)]
struct Seen {
    method: String,
    path: String,
    query: String,
    content_type: String,
    body: String,
}

impl Seen {
    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or(Value::Null)
    }
}

/// What the script answers.
enum Reply {
    Json(u16, Value),
    Text(u16, String),
    /// Never answer (the client's timeout must end it).
    Hang,
}

type Script = dyn Fn(&Seen) -> Reply + Send + Sync;

/// The scripted API server; stopped when dropped.
struct Server {
    seen: Arc<Mutex<Vec<Seen>>>,
    task: tokio::task::JoinHandle<()>,
    _dir: tempfile::TempDir,
    spec: SourceSpec,
}

impl Drop for Server {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Server {
    async fn start(script: impl Fn(&Seen) -> Reply + Send + Sync + 'static) -> Server {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let script: Arc<Script> = Arc::new(script);
        let (log, s) = (seen.clone(), script.clone());
        let app = axum::Router::new().fallback(
            move |method: Method, uri: Uri, headers: HeaderMap, body: Bytes| {
                let (log, script) = (log.clone(), s.clone());
                async move {
                    assert_eq!(
                        headers.get("authorization").and_then(|v| v.to_str().ok()),
                        Some(format!("Bearer {TOKEN}").as_str())
                    );
                    let seen = Seen {
                        method: method.to_string(),
                        path: uri.path().to_string(),
                        query: uri.query().unwrap_or("").to_string(),
                        content_type: headers
                            .get("content-type")
                            .and_then(|v| v.to_str().ok())
                            .unwrap_or("")
                            .to_string(),
                        body: String::from_utf8_lossy(&body).into_owned(),
                    };
                    log.lock().unwrap().push(seen.clone());
                    match script(&seen) {
                        Reply::Json(code, v) => (
                            StatusCode::from_u16(code).unwrap(),
                            [("content-type", "application/json")],
                            v.to_string(),
                        )
                            .into_response(),
                        Reply::Text(code, t) => {
                            (StatusCode::from_u16(code).unwrap(), t).into_response()
                        }
                        Reply::Hang => {
                            std::future::pending::<()>().await;
                            Response::new(axum::body::Body::empty())
                        }
                    }
                }
            },
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let task = tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        let dir = tempfile::tempdir().unwrap();
        let kubeconfig = dir.path().join("config");
        std::fs::write(
            &kubeconfig,
            format!(
                "apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n    server: http://127.0.0.1:{port}\ncontexts:\n- name: {CONTEXT}\n  context:\n    cluster: c\n    user: u\n    namespace: shop\ncurrent-context: {CONTEXT}\nusers:\n- name: u\n  user:\n    token: {TOKEN}\n"
            ),
        )
        .unwrap();
        let mut spec = SourceSpec::new(
            CONTEXT,
            SourceKind::Kube,
            url::Url::parse(&format!("http://127.0.0.1:{port}")).unwrap(),
            "test",
        );
        spec.kube.context = CONTEXT.into();
        spec.kube.kubeconfigs = vec![kubeconfig];
        spec.timeout = Duration::from_secs(10);
        Server {
            seen,
            task,
            _dir: dir,
            spec,
        }
    }

    fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }

    fn patches(&self) -> Vec<Seen> {
        self.seen()
            .into_iter()
            .filter(|s| s.method == "PATCH")
            .collect()
    }

    async fn run(&self, effect: Effect) -> EffectOutcome {
        let client = sitrep::sources::kube::actions::connect(&self.spec).unwrap();
        // A hang here is a failure, not a stuck test run.
        match tokio::time::timeout(Duration::from_secs(60), client.run(effect))
            .await
            .expect("the effect client answered")
        {
            Msg::Done(outcome) => outcome,
            other => panic!("unexpected message {other:?}"),
        }
    }

    async fn kube(&self, kind: WorkloadKind, action: KubeAction, dry_run: bool) -> EffectOutcome {
        self.run(Effect::Kube(KubeRequest {
            request_id: 42,
            target: target(kind),
            action,
            dry_run,
        }))
        .await
    }
}

fn target(kind: WorkloadKind) -> WorkloadKey {
    WorkloadKey {
        cluster: CONTEXT.into(),
        namespace: "shop".into(),
        kind,
        name: "checkout".into(),
    }
}

fn done(outcome: EffectOutcome) -> KubeActionReport {
    match outcome {
        EffectOutcome::KubeActionDone {
            request_id,
            source,
            report,
            ..
        } => {
            assert_eq!((request_id, source.as_str()), (42, CONTEXT));
            report
        }
        other => panic!("expected KubeActionDone, got {other:?}"),
    }
}

fn failed(outcome: EffectOutcome) -> String {
    match outcome {
        EffectOutcome::MutationFailed {
            request_id, error, ..
        } => {
            assert_eq!(request_id, 42);
            assert!(!error.contains(TOKEN), "{error}");
            error
        }
        other => panic!("expected MutationFailed, got {other:?}"),
    }
}

// --- realistic objects -------------------------------------------------------------------

const UID: &str = "0b7f0d5e-deployment";

fn pod_template(image: &str, hash: Option<&str>) -> Value {
    let mut labels = json!({"app": "checkout"});
    if let Some(h) = hash {
        labels["pod-template-hash"] = json!(h);
    }
    json!({
        "metadata": {"creationTimestamp": null, "labels": labels},
        "spec": {
            "containers": [{"name": "app", "image": image, "ports": [{"containerPort": 8080, "protocol": "TCP"}],
                            "resources": {}, "terminationMessagePath": "/dev/termination-log",
                            "terminationMessagePolicy": "File", "imagePullPolicy": "IfNotPresent"}],
            "restartPolicy": "Always", "terminationGracePeriodSeconds": 30, "dnsPolicy": "ClusterFirst",
            "securityContext": {}, "schedulerName": "default-scheduler"
        }
    })
}

fn deployment(image: &str, revision: i64, paused: bool) -> Value {
    json!({
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {
            "name": "checkout", "namespace": "shop", "uid": UID, "resourceVersion": "4711", "generation": 9,
            "annotations": {
                "deployment.kubernetes.io/revision": revision.to_string(),
                "kubectl.kubernetes.io/last-applied-configuration": "{\"kind\":\"Deployment\"}",
            },
            "managedFields": [{"manager": "kubectl", "operation": "Update"}]
        },
        "spec": {
            "replicas": 3, "paused": paused,
            "selector": {"matchLabels": {"app": "checkout"}},
            "template": pod_template(image, None),
            "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": "25%", "maxSurge": "25%"}},
        },
        "status": {"replicas": 3, "updatedReplicas": 3, "availableReplicas": 1}
    })
}

fn replica_set(revision: i64, image: &str) -> Value {
    let hash = format!("5d{revision}f8");
    json!({
        "apiVersion": "apps/v1", "kind": "ReplicaSet",
        "metadata": {
            "name": format!("checkout-{hash}"), "namespace": "shop", "uid": format!("rs-{revision}"),
            "labels": {"app": "checkout", "pod-template-hash": hash},
            "annotations": {
                "deployment.kubernetes.io/revision": revision.to_string(),
                "deployment.kubernetes.io/desired-replicas": "3",
                "deployment.kubernetes.io/max-replicas": "4",
                "kubernetes.io/change-cause": format!("release {image}"),
            },
            "ownerReferences": [{"apiVersion": "apps/v1", "kind": "Deployment", "name": "checkout",
                                  "uid": UID, "controller": true, "blockOwnerDeletion": true}]
        },
        "spec": {"replicas": 0, "selector": {"matchLabels": {"app": "checkout", "pod-template-hash": hash}},
                 "template": pod_template(image, Some(&hash))},
        "status": {"replicas": 0}
    })
}

fn replica_set_list() -> Value {
    json!({"apiVersion": "apps/v1", "kind": "ReplicaSetList", "metadata": {"resourceVersion": "4712"},
           "items": [replica_set(5, "shop/checkout:v2.12.0"), replica_set(6, "shop/checkout:v2.13.1"),
                     replica_set(7, "shop/checkout:v2.14.0")]})
}

fn status(code: u16, reason: &str, message: &str) -> Reply {
    Reply::Json(
        code,
        json!({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
               "message": message, "reason": reason, "code": code}),
    )
}

const DEPLOYMENT: &str = "/apis/apps/v1/namespaces/shop/deployments/checkout";
const ROLLOUT: &str = "/apis/argoproj.io/v1alpha1/namespaces/shop/rollouts/checkout";

/// A cluster where checkout runs revision 7 (or what `current` says).
fn cluster(current: Value) -> impl Fn(&Seen) -> Reply + Send + Sync + 'static {
    move |s: &Seen| match (s.method.as_str(), s.path.as_str()) {
        ("GET", DEPLOYMENT) => Reply::Json(200, current.clone()),
        ("GET", "/apis/apps/v1/namespaces/shop/replicasets") => {
            Reply::Json(200, replica_set_list())
        }
        ("PATCH", _) => Reply::Json(200, current.clone()),
        _ => status(
            404,
            "NotFound",
            "the server could not find the requested resource",
        ),
    }
}

fn undo(to: Option<i64>, expect_from: Option<i64>) -> KubeAction {
    KubeAction::Undo {
        to_revision: to,
        expect_from,
    }
}

// --- undo --------------------------------------------------------------------------------

#[tokio::test]
async fn undo_sends_kubectls_json_patch_dry_run_first() {
    let server = Server::start(cluster(deployment("shop/checkout:v2.14.0", 7, false))).await;
    let report = done(
        server
            .kube(WorkloadKind::Deployment, undo(None, Some(7)), true)
            .await,
    );
    assert_eq!(
        report.summary,
        "deployment.apps/checkout rolled back (server dry run)"
    );
    assert_eq!(
        (report.from_revision, report.to_revision, report.skipped),
        (Some(7), Some(6), false)
    );
    assert_eq!(report.images, vec!["shop/checkout:v2.13.1".to_string()]);

    let seen = server.seen();
    assert_eq!(seen.len(), 3, "{seen:?}");
    assert_eq!(
        (seen[0].method.as_str(), seen[0].path.as_str()),
        ("GET", DEPLOYMENT)
    );
    assert_eq!(
        (seen[1].path.as_str(), seen[1].query.as_str()),
        (
            "/apis/apps/v1/namespaces/shop/replicasets",
            "labelSelector=app%3Dcheckout"
        )
    );
    let patch = &seen[2];
    assert_eq!(
        (patch.path.as_str(), patch.query.as_str()),
        (DEPLOYMENT, "dryRun=All")
    );
    assert_eq!(patch.content_type, "application/json-patch+json");
    let expected = json!([
        {"op": "replace", "path": "/spec/template", "value": pod_template("shop/checkout:v2.13.1", None)},
        {"op": "replace", "path": "/metadata/annotations", "value": {
            "deployment.kubernetes.io/revision": "7",
            "kubectl.kubernetes.io/last-applied-configuration": "{\"kind\":\"Deployment\"}",
            "kubernetes.io/change-cause": "release shop/checkout:v2.13.1",
        }},
    ]);
    assert_eq!(patch.json(), expected);

    // The real one: the same patch, no dryRun.
    let report = done(
        server
            .kube(WorkloadKind::Deployment, undo(None, Some(7)), false)
            .await,
    );
    assert_eq!(report.summary, "deployment.apps/checkout rolled back");
    let patches = server.patches();
    assert_eq!(patches.len(), 2);
    assert_eq!(patches[1].query, "");
    assert_eq!(patches[1].json(), expected);
}

#[tokio::test]
async fn undo_to_a_chosen_revision_and_one_not_in_history() {
    let server = Server::start(cluster(deployment("shop/checkout:v2.14.0", 7, false))).await;
    let report = done(
        server
            .kube(WorkloadKind::Deployment, undo(Some(5), None), false)
            .await,
    );
    assert_eq!(report.to_revision, Some(5));
    assert_eq!(
        server.patches()[0].json()[0]["value"],
        pod_template("shop/checkout:v2.12.0", None)
    );
    let error = failed(
        server
            .kube(WorkloadKind::Deployment, undo(Some(3), None), false)
            .await,
    );
    assert_eq!(error, "unable to find specified revision 3 in history");
    assert_eq!(server.patches().len(), 1);
}

#[tokio::test]
async fn undo_onto_the_matching_template_is_skipped_without_a_patch() {
    // Revision 8 is revision 6's template again (an earlier undo).
    let server = Server::start(cluster(deployment("shop/checkout:v2.13.1", 8, false))).await;
    let report = done(
        server
            .kube(WorkloadKind::Deployment, undo(Some(6), Some(8)), true)
            .await,
    );
    assert!(report.skipped);
    assert_eq!(
        report.summary,
        "deployment.apps/checkout skipped rollback (current template already matches revision 6)"
    );
    assert!(server.patches().is_empty());
}

#[tokio::test]
async fn a_paused_deployment_is_refused_without_a_patch() {
    let server = Server::start(cluster(deployment("shop/checkout:v2.14.0", 7, true))).await;
    let error = failed(
        server
            .kube(WorkloadKind::Deployment, undo(None, Some(7)), false)
            .await,
    );
    assert_eq!(
        error,
        "you cannot rollback a paused deployment; resume it first with 'kubectl rollout resume deployment/checkout' and try again"
    );
    let error = failed(
        server
            .kube(WorkloadKind::Deployment, KubeAction::Restart, false)
            .await,
    );
    assert_eq!(
        error,
        "can't restart paused deployment (run rollout resume first)"
    );
    assert!(server.patches().is_empty());
}

#[tokio::test]
async fn undo_refuses_when_the_deployment_moved_since_the_confirmation() {
    let server = Server::start(cluster(deployment("shop/checkout:v2.15.0", 8, false))).await;
    let error = failed(
        server
            .kube(WorkloadKind::Deployment, undo(None, Some(7)), false)
            .await,
    );
    assert!(
        error.contains("moved to revision 8 since you confirmed undoing revision 7"),
        "{error}"
    );
    assert!(error.contains("look again"), "{error}");
    assert!(server.patches().is_empty());
}

#[tokio::test]
async fn undo_of_an_argo_rollout_points_at_argo_rollouts() {
    let server = Server::start(cluster(json!({}))).await;
    let error = failed(
        server
            .kube(WorkloadKind::Rollout, undo(None, None), false)
            .await,
    );
    assert!(
        error.contains("kubectl argo rollouts undo checkout -n shop"),
        "{error}"
    );
    assert!(server.seen().is_empty());
}

// --- restart, scale ----------------------------------------------------------------------

#[tokio::test]
async fn restart_patches_restarted_at_by_strategic_merge() {
    let server = Server::start(cluster(deployment("shop/checkout:v2.14.0", 7, false))).await;
    let report = done(
        server
            .kube(WorkloadKind::Deployment, KubeAction::Restart, true)
            .await,
    );
    assert_eq!(
        report.summary,
        "deployment.apps/checkout restarted (server dry run)"
    );
    let patches = server.patches();
    assert_eq!(patches.len(), 1);
    let p = &patches[0];
    assert_eq!(
        (p.path.as_str(), p.query.as_str()),
        (DEPLOYMENT, "dryRun=All")
    );
    assert_eq!(p.content_type, "application/strategic-merge-patch+json");
    let at = p.json()["spec"]["template"]["metadata"]["annotations"]
        ["kubectl.kubernetes.io/restartedAt"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(chrono::DateTime::parse_from_rfc3339(&at).is_ok(), "{at}");
    assert_eq!(
        p.json(),
        json!({"spec": {"template": {"metadata": {"annotations": {"kubectl.kubernetes.io/restartedAt": at}}}}})
    );

    // A StatefulSet: no read needed, the same patch.
    let server = Server::start(|_: &Seen| Reply::Json(200, json!({}))).await;
    let report = done(
        server
            .kube(WorkloadKind::StatefulSet, KubeAction::Restart, false)
            .await,
    );
    assert_eq!(report.summary, "statefulset.apps/checkout restarted");
    let seen = server.seen();
    assert_eq!(seen.len(), 1);
    assert_eq!(
        (
            seen[0].method.as_str(),
            seen[0].path.as_str(),
            seen[0].query.as_str()
        ),
        (
            "PATCH",
            "/apis/apps/v1/namespaces/shop/statefulsets/checkout",
            ""
        )
    );
}

#[tokio::test]
async fn scale_patches_the_scale_subresource() {
    let server = Server::start(|_: &Seen| Reply::Json(200, json!({"kind": "Scale"}))).await;
    let report = done(
        server
            .kube(
                WorkloadKind::Deployment,
                KubeAction::Scale { replicas: 5 },
                true,
            )
            .await,
    );
    assert_eq!(
        report.summary,
        "deployment.apps/checkout scaled (server dry run)"
    );
    done(
        server
            .kube(
                WorkloadKind::Rollout,
                KubeAction::Scale { replicas: 0 },
                false,
            )
            .await,
    );
    let error = failed(
        server
            .kube(
                WorkloadKind::DaemonSet,
                KubeAction::Scale { replicas: 2 },
                false,
            )
            .await,
    );
    assert!(error.contains("cannot be scaled"), "{error}");
    let seen = server.seen();
    assert_eq!(seen.len(), 2);
    assert_eq!(
        (
            seen[0].path.as_str(),
            seen[0].query.as_str(),
            seen[0].content_type.as_str()
        ),
        (
            "/apis/apps/v1/namespaces/shop/deployments/checkout/scale",
            "dryRun=All",
            "application/merge-patch+json"
        )
    );
    assert_eq!(seen[0].json(), json!({"spec": {"replicas": 5}}));
    assert_eq!(seen[1].path, format!("{ROLLOUT}/scale"));
    assert_eq!(seen[1].json(), json!({"spec": {"replicas": 0}}));
}

// --- Argo Rollouts -----------------------------------------------------------------------

fn argo_rollout(paused: bool) -> Value {
    json!({"apiVersion": "argoproj.io/v1alpha1", "kind": "Rollout",
           "metadata": {"name": "checkout", "namespace": "shop", "uid": "ro-1"},
           "spec": {"paused": paused, "replicas": 3},
           "status": {"phase": "Paused", "pauseConditions": [{"reason": "CanaryPauseStep", "startTime": "2026-01-01T00:00:00Z"}]}})
}

#[tokio::test]
async fn argo_rollouts_abort_retry_promote_patch_the_status_subresource() {
    let server = Server::start(|s: &Seen| match s.method.as_str() {
        "GET" => Reply::Json(200, argo_rollout(true)),
        _ => Reply::Json(200, argo_rollout(false)),
    })
    .await;
    let status_path = format!("{ROLLOUT}/status");
    let cases = [
        (
            KubeAction::RolloutAbort,
            "rollout 'checkout' aborted",
            json!({"status": {"abort": true}}),
        ),
        (
            KubeAction::RolloutRetry,
            "rollout 'checkout' retried",
            json!({"status": {"abort": false}}),
        ),
    ];
    for (action, summary, body) in cases {
        let before = server.patches().len();
        let report = done(server.kube(WorkloadKind::Rollout, action, false).await);
        assert_eq!(report.summary, summary);
        let patches = server.patches();
        assert_eq!(patches.len(), before + 1);
        let p = patches.last().unwrap();
        assert_eq!(
            (p.path.as_str(), p.query.as_str()),
            (status_path.as_str(), "")
        );
        assert_eq!(p.content_type, "application/merge-patch+json");
        assert_eq!(p.json(), body);
    }

    // Promote a paused rollout: pause conditions cleared, then spec unpaused; dry run on both.
    let report = done(
        server
            .kube(
                WorkloadKind::Rollout,
                KubeAction::RolloutPromote { full: false },
                true,
            )
            .await,
    );
    assert_eq!(
        report.summary,
        "rollout 'checkout' promoted (server dry run)"
    );
    let patches = server.patches();
    let [.., status, spec] = patches.as_slice() else {
        panic!("two patches")
    };
    assert_eq!(
        (status.path.as_str(), status.query.as_str()),
        (status_path.as_str(), "dryRun=All")
    );
    assert_eq!(status.json(), json!({"status": {"pauseConditions": null}}));
    assert_eq!(
        (spec.path.as_str(), spec.query.as_str()),
        (ROLLOUT, "dryRun=All")
    );
    assert_eq!(spec.json(), json!({"spec": {"paused": false}}));

    let before = server.patches().len();
    let report = done(
        server
            .kube(
                WorkloadKind::Rollout,
                KubeAction::RolloutPromote { full: true },
                false,
            )
            .await,
    );
    assert_eq!(report.summary, "rollout 'checkout' fully promoted");
    let patches = server.patches();
    assert_eq!(
        patches[before].json(),
        json!({"status": {"promoteFull": true}})
    );

    // Restart of a Rollout: spec.restartAt by merge patch.
    done(
        server
            .kube(WorkloadKind::Rollout, KubeAction::Restart, false)
            .await,
    );
    let p = server.patches().pop().unwrap();
    assert_eq!(
        (p.path.as_str(), p.content_type.as_str()),
        (ROLLOUT, "application/merge-patch+json")
    );
    let at = p.json()["spec"]["restartAt"].as_str().unwrap().to_string();
    assert!(chrono::DateTime::parse_from_rfc3339(&at).is_ok());

    // Rollout actions on a Deployment are refused before any request.
    let before = server.seen().len();
    failed(
        server
            .kube(WorkloadKind::Deployment, KubeAction::RolloutAbort, false)
            .await,
    );
    assert_eq!(server.seen().len(), before);
}

#[tokio::test]
async fn promote_of_an_unpaused_rollout_sends_only_the_status_patch() {
    let server = Server::start(|_: &Seen| Reply::Json(200, argo_rollout(false))).await;
    done(
        server
            .kube(
                WorkloadKind::Rollout,
                KubeAction::RolloutPromote { full: false },
                false,
            )
            .await,
    );
    assert_eq!(server.patches().len(), 1);
}

// --- failures ----------------------------------------------------------------------------

#[tokio::test]
async fn a_forbidden_patch_fails_with_the_servers_words_once() {
    let message = "deployments.apps \"checkout\" is forbidden: User \"oncall\" cannot patch resource \"deployments\" in API group \"apps\" in the namespace \"shop\"\u{1b}[2J";
    let server = Server::start(move |s: &Seen| match s.method.as_str() {
        "PATCH" => status(403, "Forbidden", message),
        _ => Reply::Json(200, json!({})),
    })
    .await;
    let error = failed(
        server
            .kube(
                WorkloadKind::StatefulSet,
                KubeAction::Scale { replicas: 1 },
                false,
            )
            .await,
    );
    assert!(
        error.starts_with("forbidden by RBAC (HTTP 403): deployments.apps"),
        "{error}"
    );
    assert!(error.contains("cannot patch resource"), "{error}");
    assert!(!error.contains('\u{1b}'), "{error:?}");
    assert_eq!(server.patches().len(), 1);
}

#[tokio::test]
async fn a_busy_server_is_not_asked_twice() {
    // 503 and 429 are what kube's default retry layer would repeat: a mutation must not be.
    for (code, reason) in [(503, "ServiceUnavailable"), (429, "TooManyRequests")] {
        let server =
            Server::start(move |_: &Seen| status(code, reason, "the server is busy")).await;
        let error = failed(
            server
                .kube(WorkloadKind::Rollout, KubeAction::RolloutAbort, false)
                .await,
        );
        assert!(error.contains(&format!("HTTP {code}")), "{error}");
        assert_eq!(server.seen().len(), 1, "{code}: exactly one attempt");
    }
}

#[tokio::test]
async fn conflicts_and_invalid_patches_say_what_they_mean() {
    let server = Server::start(|s: &Seen| match s.path.as_str() {
        p if p.ends_with("/scale") => status(409, "Conflict", "Operation cannot be fulfilled"),
        _ => status(422, "Invalid", "spec.replicas: Invalid value: -1"),
    })
    .await;
    let error = failed(
        server
            .kube(
                WorkloadKind::Deployment,
                KubeAction::Scale { replicas: 2 },
                false,
            )
            .await,
    );
    assert!(error.starts_with("conflict"), "{error}");
    let error = failed(
        server
            .kube(WorkloadKind::StatefulSet, KubeAction::Restart, false)
            .await,
    );
    assert!(
        error.starts_with("rejected as invalid (HTTP 422): spec.replicas"),
        "{error}"
    );
}

#[tokio::test]
async fn a_hung_server_ends_in_a_timeout_not_a_hang() {
    let mut server = Server::start(|_: &Seen| Reply::Hang).await;
    server.spec.timeout = Duration::from_millis(300);
    let error = failed(
        server
            .kube(WorkloadKind::StatefulSet, KubeAction::Restart, false)
            .await,
    );
    assert!(error.contains("no answer from the API server"), "{error}");
    assert!(error.contains("may or may not have been made"), "{error}");
    assert_eq!(server.patches().len(), 1);

    let logs = logs_of(
        server
            .run(Effect::FetchLogs(log_request(None, false)))
            .await,
    );
    assert!(logs.unwrap_err().contains("no answer"));
}

#[tokio::test]
async fn an_unknown_context_is_named() {
    let mut server = Server::start(|_: &Seen| Reply::Json(200, json!({}))).await;
    server.spec.kube.context = "staging".into();
    let error = failed(
        server
            .kube(WorkloadKind::StatefulSet, KubeAction::Restart, false)
            .await,
    );
    assert!(
        error.contains("`staging` is not in the kubeconfig"),
        "{error}"
    );
    assert!(server.seen().is_empty());
}

#[tokio::test]
async fn a_read_only_cluster_refuses_mutations() {
    let mut server = Server::start(|_: &Seen| Reply::Json(200, json!({}))).await;
    server.spec.read_only = true;
    let error = failed(
        server
            .kube(WorkloadKind::StatefulSet, KubeAction::Restart, false)
            .await,
    );
    assert!(error.contains("read-only"), "{error}");
    assert!(server.seen().is_empty());
}

// --- logs --------------------------------------------------------------------------------

fn log_request(container: Option<&str>, previous: bool) -> LogRequest {
    LogRequest {
        request_id: 42,
        pod: ObjectKey {
            cluster: CONTEXT.into(),
            namespace: "shop".into(),
            name: "checkout-5d7f8-abcde".into(),
        },
        container: container.map(str::to_string),
        previous,
        tail_lines: 200,
    }
}

fn logs_of(outcome: EffectOutcome) -> Result<LogTail, String> {
    match outcome {
        EffectOutcome::Logs {
            request_id, result, ..
        } => {
            assert_eq!(request_id, 42);
            result
        }
        other => panic!("expected Logs, got {other:?}"),
    }
}

#[tokio::test]
async fn logs_are_neutralised_and_capped_keeping_the_newest() {
    let server = Server::start(|_: &Seen| {
        // 3 MB of older lines, then the newest: those are the ones that matter.
        let line = format!("{}\n", "x".repeat(99));
        let mut body = String::new();
        while body.len() < 3 * 1024 * 1024 {
            body.push_str(&line);
        }
        body.push_str(
            "\u{1b}[31mpanic:\u{1b}[0m nil map\r\n\u{1b}]0;owned\u{7}title\tstep\u{9b}2J\n",
        );
        body.push_str("PANIC last line\n");
        Reply::Text(200, body)
    })
    .await;
    let tail = logs_of(
        server
            .run(Effect::FetchLogs(LogRequest {
                tail_lines: 50_000,
                ..log_request(Some("app"), true)
            }))
            .await,
    )
    .unwrap();
    assert!(tail.truncated, "older lines were cut");
    let n = tail.lines.len();
    assert_eq!(tail.lines[n - 1], "PANIC last line");
    assert_eq!(tail.lines[n - 3], "panic: nil map");
    assert_eq!(tail.lines[n - 2], "title step2J");
    // The oldest kept line is whole (the partial one at the cut went).
    assert_eq!(tail.lines[0], "x".repeat(99));
    let total: usize = tail.lines.iter().map(|l| l.len() + 1).sum();
    assert!(total <= 1024 * 1024 + 1, "{total}");
    assert!(tail.lines.iter().all(|l| !l.chars().any(char::is_control)));

    let seen = server.seen();
    assert_eq!(
        seen[0].path,
        "/api/v1/namespaces/shop/pods/checkout-5d7f8-abcde/log"
    );
    let query: std::collections::BTreeMap<String, String> =
        url::form_urlencoded::parse(seen[0].query.as_bytes())
            .into_owned()
            .collect();
    // No limitBytes: the server would keep the oldest bytes of the tail and cut the newest.
    let want: std::collections::BTreeMap<String, String> = [
        ("tailLines", "50000"),
        ("container", "app"),
        ("previous", "true"),
        ("timestamps", "false"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    assert_eq!(query, want);
}

#[tokio::test]
async fn logs_keep_the_last_lines_asked_for() {
    let server = Server::start(|_: &Seen| {
        Reply::Text(200, (1..=300).map(|i| format!("line {i}\n")).collect())
    })
    .await;
    let tail = logs_of(
        server
            .run(Effect::FetchLogs(log_request(None, false)))
            .await,
    )
    .unwrap();
    assert_eq!(tail.lines.len(), 200);
    assert_eq!(tail.lines[0], "line 101");
    assert_eq!(tail.lines[199], "line 300");
    assert!(tail.truncated);
    assert!(!server.seen()[0].query.contains("container="));
}

#[tokio::test]
async fn a_missing_previous_container_is_said_in_the_servers_words() {
    let server = Server::start(|_: &Seen| {
        status(
            400,
            "BadRequest",
            "previous terminated container \"app\" in pod \"checkout-5d7f8-abcde\" not found",
        )
    })
    .await;
    let error = logs_of(
        server
            .run(Effect::FetchLogs(log_request(Some("app"), true)))
            .await,
    )
    .unwrap_err();
    assert_eq!(
        error,
        "previous terminated container \"app\" in pod \"checkout-5d7f8-abcde\" not found"
    );
}

#[tokio::test]
async fn a_failing_credential_plugin_is_named_without_its_output() {
    let server = Server::start(|_: &Seen| Reply::Json(200, json!({}))).await;
    let port = server.spec.url.port().unwrap();
    std::fs::write(
        &server.spec.kube.kubeconfigs[0],
        format!(
            "apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n    server: http://127.0.0.1:{port}\n\
             contexts:\n- name: {CONTEXT}\n  context:\n    cluster: c\n    user: u\ncurrent-context: {CONTEXT}\n\
             users:\n- name: u\n  user:\n    exec:\n      apiVersion: client.authentication.k8s.io/v1beta1\n\
             \x20     command: sh\n      args: [\"-c\", \"echo SECRET-TOKEN-123; echo SECRET-TOKEN-456 >&2; exit 1\"]\n\
             \x20     interactiveMode: Never\n"
        ),
    )
    .unwrap();
    let error = failed(
        server
            .kube(WorkloadKind::StatefulSet, KubeAction::Restart, false)
            .await,
    );
    assert!(!error.contains("SECRET"), "{error}");
    assert!(error.contains("credential plugin failed"), "{error}");
    let logs = logs_of(
        server
            .run(Effect::FetchLogs(log_request(None, false)))
            .await,
    )
    .unwrap_err();
    assert!(!logs.contains("SECRET"), "{logs}");
    assert!(server.seen().is_empty());
}
