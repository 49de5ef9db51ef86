//! sitrep's fleet-drift reads (managed-resources, revision metadata, manifests) against a
//! scripted server answering what a hostile or broken Argo CD could (escape sequences, states
//! that are not JSON, a 70 MB body, 403, 404, a server that never answers), and against the
//! demo world's Argo CD. Servers bind 127.0.0.1:0 and are stopped by the test; nothing asserts
//! on wall time.

use axum::Router;
use axum::body::Body;
use axum::extract::State;
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use serde_json::{Value, json};
use sitrep::config::source::{Auth, Secret, SourceSpec};
use sitrep::demo::{self, DEMO_ARGOCD_TOKEN, ScenarioClock};
use sitrep::drift::AppDrift;
use sitrep::effect::Effect;
use sitrep::model::app::AppKey;
use sitrep::model::source::SourceKind;
use sitrep::msg::{ArgocdPayload, Msg, SourcePayload};
use sitrep::sources::ErrorKind;
use sitrep::sources::argocd::client::{DRIFT_BODY_CAP, MESSAGE_CAP};
use sitrep::sources::argocd::{ArgocdClient, drift_fetch, run_effect};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{Notify, oneshot};

const TOKEN: &str = "drift-test-token-0123456789";

/// What the scripted server answers to every request.
#[derive(Clone)]
enum Answer {
    Json(u16, Value),
    Bytes(Vec<u8>),
    /// This many bytes of a JSON string, chunked, with no Content-Length.
    Chunked(usize),
    /// Never answers until the test releases it.
    Hang,
}

#[derive(Default)]
struct Script {
    answers: Vec<(String, Answer)>,
    seen: Vec<String>,
}

struct Server {
    url: url::Url,
    script: Arc<Mutex<Script>>,
    release: Arc<Notify>,
    stop: Option<oneshot::Sender<()>>,
}

impl Server {
    async fn start() -> Server {
        let script = Arc::new(Mutex::new(Script::default()));
        let release = Arc::new(Notify::new());
        let state = (script.clone(), release.clone());
        let app = Router::new().fallback(answer).with_state(state);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (stop, stopped) = oneshot::channel::<()>();
        tokio::spawn(async move {
            axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = stopped.await;
                })
                .await
                .ok();
        });
        Server {
            url: url::Url::parse(&format!("http://{addr}")).unwrap(),
            script,
            release,
            stop: Some(stop),
        }
    }

    /// Answer requests whose path (and query) contains `needle`.
    fn on(&self, needle: &str, a: Answer) {
        self.script
            .lock()
            .unwrap()
            .answers
            .push((needle.to_string(), a));
    }

    fn seen(&self) -> Vec<String> {
        self.script.lock().unwrap().seen.clone()
    }

    fn spec(&self, timeout: Duration) -> SourceSpec {
        let mut s = SourceSpec::new("prod", SourceKind::Argocd, self.url.clone(), "test");
        s.timeout = timeout;
        s.auth = Auth::Bearer(Secret::new(TOKEN));
        s
    }

    fn client(&self) -> ArgocdClient {
        ArgocdClient::new(&self.spec(Duration::from_secs(10))).unwrap()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.release.notify_waiters();
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

async fn answer(
    State((script, release)): State<(Arc<Mutex<Script>>, Arc<Notify>)>,
    uri: Uri,
) -> Response {
    let target = uri.to_string();
    let found = {
        let mut s = script.lock().unwrap();
        s.seen.push(target.clone());
        s.answers
            .iter()
            .rev()
            .find(|(needle, _)| target.contains(needle.as_str()))
            .map(|(_, a)| a.clone())
    };
    match found {
        Some(Answer::Json(code, v)) => (
            StatusCode::from_u16(code).unwrap(),
            [("content-type", "application/json")],
            v.to_string(),
        )
            .into_response(),
        Some(Answer::Bytes(b)) => {
            ([("content-type", "application/json")], Body::from(b)).into_response()
        }
        Some(Answer::Chunked(total)) => {
            let head = futures::stream::once(async {
                Ok::<_, std::io::Error>(b"{\"items\":[{\"liveState\":\"".to_vec())
            });
            let body =
                futures::stream::iter((0..total / (1 << 20)).map(|_| Ok(vec![b'a'; 1 << 20])));
            Body::from_stream(futures::StreamExt::chain(head, body)).into_response()
        }
        Some(Answer::Hang) => {
            release.notified().await;
            StatusCode::SERVICE_UNAVAILABLE.into_response()
        }
        None => (StatusCode::NOT_FOUND, "{}").into_response(),
    }
}

fn key(name: &str) -> AppKey {
    AppKey {
        instance: "prod".into(),
        namespace: "argocd".into(),
        name: name.into(),
    }
}

fn grpc_error(code: u16, message: &str) -> Value {
    json!({"error": message, "code": code, "message": message, "details": []})
}

fn drift_of(msg: Msg) -> AppDrift {
    match msg {
        Msg::Source(u) => match u.payload {
            SourcePayload::Argocd(ArgocdPayload::Drift { drift }) => *drift,
            other => panic!("not a drift: {other:?}"),
        },
        other => panic!("not a source update: {other:?}"),
    }
}

fn fetch_drift(name: &str) -> Effect {
    Effect::FetchDrift {
        key: key(name),
        resource_version: "42".into(),
    }
}

fn clean(s: &str) -> bool {
    !s.chars().any(|c| c.is_control() && c != '\n')
}

#[tokio::test]
async fn hostile_managed_resources_are_cleaned_and_still_diffed() {
    let server = Server::start().await;
    let escape = "\u{1b}]52;c;ZXZpbA==\u{7}\u{1b}[2J";
    server.on(
        "/managed-resources",
        Answer::Json(
            200,
            json!({"items": [
                {"group": "apps", "kind": "Deployment", "namespace": "shop",
                 "name": format!("web{escape}"),
                 "liveState": format!("{{\"metadata\":{{\"name\":\"web{escape}\"}},\"spec\":{{\"replicas\":6}}}}"),
                 "targetState": "{\"spec\":{\"replicas\":3}}",
                 "normalizedLiveState": "{\"spec\":{\"replicas\":6}}",
                 "predictedLiveState": "{\"spec\":{\"replicas\":3}}",
                 "modified": true},
                {"kind": "ConfigMap", "name": "broken", "namespace": "shop",
                 "liveState": "{not json", "targetState": 7, "normalizedLiveState": null,
                 "predictedLiveState": "{\"data\":", "modified": "true"},
                {"kind": "Job", "name": "migrate", "hook": true, "modified": true,
                 "liveState": "null", "targetState": "{}"},
                null
            ]}),
        ),
    );
    let client = server.client();
    let items = client
        .managed_resources(&key("web"), Some("shop"))
        .await
        .unwrap();
    assert_eq!(items.len(), 3);
    assert!(items.iter().all(|i| clean(&i.name) && clean(&i.kind)));
    assert!(items[0].name.starts_with("web"));
    // States are handed over raw (the diff engine parses and cleans them), odd types absent.
    assert_eq!(items[1].live_state, "{not json");
    assert!(items[1].target_state.is_empty() && items[1].normalized_live_state.is_empty());
    assert!(items[1].modified && items[2].hook);
    let seen = server.seen();
    assert!(
        seen[0].starts_with("/api/v1/applications/web/managed-resources?"),
        "{seen:?}"
    );
    assert!(seen[0].contains("appNamespace=argocd") && seen[0].contains("project=shop"));

    // The whole effect: diffed on the blocking pool, nothing refused.
    let drift = drift_of(drift_fetch::run(&client, fetch_drift("web")).await);
    assert_eq!(drift.error, None);
    assert_eq!(drift.key, key("web"));
    assert_eq!(drift.resource_version, "42");
    assert!(
        !drift.resources.iter().any(|r| r.kind == "Job"),
        "hooks skipped"
    );
    assert!(drift.resources.iter().any(|r| r.kind == "Deployment"));
}

#[tokio::test]
async fn a_70_mb_answer_is_refused_by_its_cap() {
    let server = Server::start().await;
    let mut big = b"{\"items\":[{\"kind\":\"ConfigMap\",\"liveState\":\"".to_vec();
    big.resize(70 * 1024 * 1024, b'a');
    big.extend_from_slice(b"\"}]}");
    assert!(big.len() > DRIFT_BODY_CAP);
    server.on("/managed-resources", Answer::Bytes(big));
    let client = server.client();
    let e = client
        .managed_resources(&key("web"), None)
        .await
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::TooLarge);
    assert!(e.message.contains("larger than 64"), "{}", e.message);
    let drift = drift_of(drift_fetch::run(&client, fetch_drift("web")).await);
    let error = drift.error.unwrap();
    assert!(
        error.contains("managed resources") && error.contains("larger than"),
        "{error}"
    );
    assert!(drift.resources.is_empty());

    // Without a Content-Length the cap holds while reading.
    server.on("/managed-resources", Answer::Chunked(70 * 1024 * 1024));
    let e = client
        .managed_resources(&key("web"), None)
        .await
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::TooLarge, "{e:?}");
}

#[tokio::test]
async fn forbidden_gone_and_hung_say_so_without_secrets() {
    let server = Server::start().await;
    server.on(
        "/api/v1/applications/locked/managed-resources",
        Answer::Json(403, grpc_error(7, "permission denied")),
    );
    server.on(
        "/api/v1/applications/gone/managed-resources",
        Answer::Json(
            404,
            grpc_error(5, "applications.argoproj.io \"gone\" not found"),
        ),
    );
    server.on("/api/v1/applications/slow/managed-resources", Answer::Hang);
    let client = server.client();
    let forbidden = drift_of(drift_fetch::run(&client, fetch_drift("locked")).await);
    let e = forbidden.error.clone().unwrap();
    assert!(e.starts_with("managed resources forbidden ("), "{e}");
    assert!(e.contains("locked"), "{e}");
    let gone = drift_of(drift_fetch::run(&client, fetch_drift("gone")).await);
    let e = gone.error.clone().unwrap();
    assert!(e.contains("gone") && e.contains("app"), "{e}");

    let hung = ArgocdClient::new(&server.spec(Duration::from_millis(300))).unwrap();
    let slow = drift_of(drift_fetch::run(&hung, fetch_drift("slow")).await);
    let e = slow.error.clone().unwrap();
    assert!(e.starts_with("managed resources"), "{e}");
    for d in [&forbidden, &gone, &slow] {
        assert!(!d.error.as_deref().unwrap_or("").contains(TOKEN));
    }
}

#[tokio::test]
async fn revision_metadata_is_cleaned_capped_and_asked_with_encoded_names() {
    let server = Server::start().await;
    let long = "x".repeat(10_000);
    server.on(
        "/metadata",
        Answer::Json(
            200,
            json!({"author": "Mallory \u{1b}[31m<m@evil>\u{1b}[0m", "date": "2026-01-02T03:04:05Z",
                   "tags": ["v1\u{7}", null, 5],
                   "message": format!("bump chart\u{1b}]0;pwned\u{7}\n\nbody line\n{long}"),
                   "signatureInfo": "gpg: Good signature"}),
        ),
    );
    let client = server.client();
    let meta = client
        .revision_metadata(&key("web"), "a/../b?c", Some(1))
        .await
        .unwrap();
    assert!(clean(&meta.author) && clean(&meta.message));
    assert!(meta.author.starts_with("Mallory"));
    assert!(meta.subject().starts_with("bump chart"), "{meta:?}");
    assert!(meta.message.chars().count() <= MESSAGE_CAP + 8);
    assert!(meta.date.is_some());
    assert_eq!(meta.tags, ["v1", "5"]);
    let seen = server.seen();
    assert!(
        seen[0].starts_with("/api/v1/applications/web/revisions/a%2F..%2Fb%3Fc/metadata?"),
        "{seen:?}"
    );
    assert!(seen[0].contains("sourceIndex=1"));

    // Through the effect; a failure is the error's words.
    server.on(
        "/revisions/bad/metadata",
        Answer::Json(500, grpc_error(2, "object not found")),
    );
    let msg = drift_fetch::run(
        &client,
        Effect::FetchRevisionMeta {
            key: key("web"),
            repo: "https://git/x".into(),
            revision: "bad".into(),
            source_index: None,
        },
    )
    .await;
    match msg {
        Msg::Source(u) => match u.payload {
            SourcePayload::Argocd(ArgocdPayload::RevisionMeta { revision, meta, .. }) => {
                assert_eq!(revision, "bad");
                let e = meta.unwrap_err();
                assert!(e.contains("object not found"), "{e}");
            }
            other => panic!("{other:?}"),
        },
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn deploy_diffs_ask_for_manifests_per_source_and_nothing_before_a_first_deploy() {
    let server = Server::start().await;
    server.on(
        "/manifests",
        Answer::Json(
            200,
            json!({"manifests": ["{\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"a\"}}", null],
                   "revision": "abc"}),
        ),
    );
    let client = server.client();
    let m = client
        .manifests(&key("web"), &["abc".to_string(), "1.2.3".to_string()])
        .await
        .unwrap();
    assert_eq!(m.len(), 1);
    let seen = server.seen();
    assert!(
        seen[0].contains("revisions=abc&sourcePositions=1&revisions=1.2.3&sourcePositions=2"),
        "{seen:?}"
    );

    let deploy_diff = |from: Vec<String>| Effect::FetchDeployDiff {
        request_id: 7,
        key: key("web"),
        from,
        to: vec!["abc".into()],
    };
    let before = server.seen().len();
    let msg = drift_fetch::run(&client, deploy_diff(Vec::new())).await;
    assert_eq!(
        server.seen().len(),
        before + 1,
        "only the deploy's own manifests"
    );
    let Msg::Source(u) = msg else { panic!() };
    let SourcePayload::Argocd(ArgocdPayload::DeployDiff {
        request_id, diff, ..
    }) = u.payload
    else {
        panic!()
    };
    assert_eq!(request_id, 7);
    assert!(diff.is_ok());
    assert!(server.seen().last().unwrap().contains("revision=abc"));

    let msg = drift_fetch::run(&client, deploy_diff(vec!["old".into()])).await;
    assert_eq!(
        server.seen().len(),
        before + 3,
        "both revisions, concurrently"
    );
    let Msg::Source(u) = msg else { panic!() };
    assert!(matches!(
        u.payload,
        SourcePayload::Argocd(ArgocdPayload::DeployDiff { diff: Ok(_), .. })
    ));

    server.on(
        "revision=gone",
        Answer::Json(500, grpc_error(2, "unable to resolve 'gone'")),
    );
    let msg = drift_fetch::run(&client, deploy_diff(vec!["gone".into()])).await;
    let Msg::Source(u) = msg else { panic!() };
    let SourcePayload::Argocd(ArgocdPayload::DeployDiff { diff, .. }) = u.payload else {
        panic!()
    };
    let e = diff.unwrap_err();
    assert!(
        e.contains("before the deploy") && e.contains("unable to resolve"),
        "{e}"
    );
}

#[tokio::test]
async fn against_the_demo_the_hand_scaled_app_is_fetched_on_a_read_only_source() {
    let d = demo::start_with(ScenarioClock::frozen(Utc::now(), 1.0))
        .await
        .expect("demo starts");
    let mut spec = SourceSpec::new(
        "demo-argocd",
        SourceKind::Argocd,
        url::Url::parse(&d.argocd_url).unwrap(),
        "demo world",
    );
    spec.auth = Auth::Bearer(Secret::new(DEMO_ARGOCD_TOKEN));
    spec.read_only = true;
    let client = ArgocdClient::new(&spec).unwrap();
    let demo_key = |name: &str| AppKey {
        instance: "demo-argocd".into(),
        namespace: "argocd".into(),
        name: name.into(),
    };
    let items = client
        .managed_resources(&demo_key("catalog-prod"), None)
        .await
        .unwrap();
    let modified: Vec<_> = items.iter().filter(|i| i.modified).collect();
    assert_eq!(modified.len(), 1);
    assert_eq!(modified[0].kind, "Deployment");
    assert!(modified[0].live_state.contains("kubectl-scale"));

    // Reads are allowed on a read-only source: through the executor's entry point.
    let msg = run_effect(
        &client,
        Effect::FetchDrift {
            key: demo_key("catalog-prod"),
            resource_version: "1".into(),
        },
    )
    .await;
    let drift = drift_of(msg);
    assert_eq!(drift.error, None);
    assert_eq!(drift.resources.len(), 1);
    assert_eq!(drift.resources[0].kind, "Deployment");

    let app = client.get(&demo_key("sessions-prod")).await.unwrap();
    let meta = client
        .revision_metadata(
            &demo_key("sessions-prod"),
            "4f2a1c9e7b3d58a06c1e2f9d4b7a3c8e5f1d2a6b",
            Some(1),
        )
        .await
        .unwrap();
    assert!(
        meta.subject().starts_with("bump shared redis chart"),
        "{meta:?}"
    );
    assert!(meta.author.starts_with("Alice Martin"));
    assert!(app.sources.len() == 2, "{:?}", app.sources);
    drop(d);
}
