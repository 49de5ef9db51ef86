//! The Argo CD source task against a scripted server: list, then the stream (ADDED, MODIFIED,
//! DELETED), reconnects that resume after the last resourceVersion, refused resumes, errors in
//! the stream, a 20 MB event, SSE framing and a stream that goes silent.

#[path = "support/argocd_stub.rs"]
mod argocd_stub;

use argocd_stub::{Stub, TOKEN, app};
use serde_json::json;
use sitrep::config::source::{Auth, Secret, SourceSpec};
use sitrep::model::app::HealthStatus;
use sitrep::model::source::SourceKind;
use sitrep::msg::{ArgocdPayload, Msg, SourcePayload, WatchChange};
use sitrep::sources::argocd::{WatchOptions, watch};
use sitrep::sources::spawn_sources;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{Notify, mpsc};

fn spec(stub: &Stub) -> SourceSpec {
    let mut s = SourceSpec::new("prod", SourceKind::Argocd, stub.url.clone(), "test");
    s.timeout = Duration::from_secs(10);
    // The base of the reconnect backoff: short, so tests do not wait.
    s.poll_interval = Duration::from_millis(100);
    s.auth = Auth::Bearer(Secret::new(TOKEN));
    s
}

/// The next payload, with a hang guard (not a timing assertion).
async fn next(rx: &mut mpsc::Receiver<Msg>) -> SourcePayload {
    match tokio::time::timeout(Duration::from_secs(30), rx.recv()).await {
        Ok(Some(Msg::Source(u))) => {
            assert_eq!(u.source, "prod");
            u.payload
        }
        other => panic!("expected a source update, got {other:?}"),
    }
}

fn changed(p: SourcePayload) -> (WatchChange, sitrep::model::app::App) {
    match p {
        SourcePayload::Argocd(ArgocdPayload::AppChanged { change, app }) => (change, *app),
        other => panic!("expected AppChanged, got {other:?}"),
    }
}

/// Version, Apps, Live(true): the start of every healthy watch.
async fn started(rx: &mut mpsc::Receiver<Msg>) -> Vec<sitrep::model::app::App> {
    assert!(
        matches!(next(rx).await, SourcePayload::Version(ref v) if v == "v2.13.1+stub"),
        "version first"
    );
    let apps = match next(rx).await {
        SourcePayload::Argocd(ArgocdPayload::Apps { apps }) => apps,
        other => panic!("{other:?}"),
    };
    assert!(matches!(next(rx).await, SourcePayload::Live(true)));
    apps
}

#[tokio::test]
async fn lists_then_follows_added_modified_and_deleted() {
    let stub = Stub::start().await;
    stub.set_apps(vec![app("checkout-prod", "argocd", 90)]);
    let feed = stub.stream();
    let (tx, mut rx) = mpsc::channel(16);
    let handles = spawn_sources(vec![spec(&stub)], tx);
    let apps = started(&mut rx).await;
    assert_eq!(apps.len(), 1);

    let stream_req = &stub.requests_to("GET", "/api/v1/stream/applications")[0];
    assert_eq!(stream_req.param("resourceVersion"), Some("100"));
    assert_eq!(stream_req.accept.as_deref(), Some("text/event-stream"));

    feed.event("ADDED", &app("search", "argocd", 101)).await;
    let mut degraded = app("checkout-prod", "argocd", 102);
    degraded["status"]["health"] = json!({"status": "Degraded", "message": "0/3 ready"});
    degraded["status"]["brandNewField"] = json!([{"x": null}]);
    feed.event("MODIFIED", &degraded).await;
    feed.raw(b"this is not json\n".to_vec()).await;
    feed.event("DELETED", &app("search", "argocd", 103)).await;

    let (c, a) = changed(next(&mut rx).await);
    assert_eq!((c, a.key.name.as_str()), (WatchChange::Added, "search"));
    let (c, a) = changed(next(&mut rx).await);
    assert_eq!(c, WatchChange::Modified);
    assert_eq!(a.health, HealthStatus::Degraded);
    assert_eq!(a.resource_version, "102");
    let (c, a) = changed(next(&mut rx).await);
    assert_eq!((c, a.key.name.as_str()), (WatchChange::Deleted, "search"));
    handles.shutdown();
}

#[tokio::test]
async fn reconnects_after_a_close_resuming_after_the_last_resource_version() {
    let stub = Stub::start().await;
    stub.set_apps(vec![app("checkout-prod", "argocd", 90)]);
    let first = stub.stream();
    let second = stub.stream();
    let (tx, mut rx) = mpsc::channel(16);
    let _handles = spawn_sources(vec![spec(&stub)], tx);
    started(&mut rx).await;
    first
        .event("MODIFIED", &app("checkout-prod", "argocd", 150))
        .await;
    changed(next(&mut rx).await);
    first.close();
    // A clean close is not an error: not live, then live again.
    assert!(matches!(next(&mut rx).await, SourcePayload::Live(false)));
    assert!(matches!(next(&mut rx).await, SourcePayload::Live(true)));
    let streams = stub.requests_to("GET", "/api/v1/stream/applications");
    assert_eq!(streams.len(), 2);
    assert_eq!(streams[1].param("resourceVersion"), Some("150"));
    // Argo CD does not replay the gap: the apps are listed again beside the open stream.
    match next(&mut rx).await {
        SourcePayload::Argocd(ArgocdPayload::Apps { apps }) => assert_eq!(apps.len(), 1),
        other => panic!("{other:?}"),
    }
    second
        .event("MODIFIED", &app("checkout-prod", "argocd", 151))
        .await;
    let (_, a) = changed(next(&mut rx).await);
    assert_eq!(a.resource_version, "151");
    // A broken connection is reported as an error before reconnecting.
    second.fail().await;
    assert!(matches!(next(&mut rx).await, SourcePayload::Error(_)));
    assert!(matches!(next(&mut rx).await, SourcePayload::Live(false)));
    assert!(matches!(next(&mut rx).await, SourcePayload::Live(true)));
    let streams = stub.requests_to("GET", "/api/v1/stream/applications");
    assert_eq!(streams[2].param("resourceVersion"), Some("151"));
    assert_eq!(
        stub.requests_to("GET", "/api/version").len(),
        1,
        "the version is asked once"
    );
}

#[tokio::test]
async fn a_refused_resume_lists_again() {
    let stub = Stub::start().await;
    stub.set_apps(vec![app("checkout-prod", "argocd", 90)]);
    let first = stub.stream();
    let (tx, mut rx) = mpsc::channel(16);
    let _handles = spawn_sources(vec![spec(&stub)], tx);
    started(&mut rx).await;
    first
        .event("MODIFIED", &app("checkout-prod", "argocd", 120))
        .await;
    changed(next(&mut rx).await);
    stub.reply(
        "GET",
        "/api/v1/stream/applications",
        410,
        json!({"error": {"grpc_code": 11, "http_code": 410,
               "message": "too old resource version: 120 (900)", "http_status": "Gone"}}),
    );
    *stub.state.list_rv.lock().unwrap() = "900".to_string();
    first.close();
    assert!(matches!(next(&mut rx).await, SourcePayload::Live(false)));
    match next(&mut rx).await {
        SourcePayload::Error(e) => assert!(e.contains("too old resource version"), "{e}"),
        other => panic!("{other:?}"),
    }
    stub.clear_replies();
    let lists_before = stub.requests_to("GET", "/api/v1/applications").len();
    assert!(matches!(
        next(&mut rx).await,
        SourcePayload::Argocd(ArgocdPayload::Apps { .. })
    ));
    assert!(matches!(next(&mut rx).await, SourcePayload::Live(true)));
    assert_eq!(
        stub.requests_to("GET", "/api/v1/applications").len(),
        lists_before + 1
    );
    let streams = stub.requests_to("GET", "/api/v1/stream/applications");
    assert_eq!(
        streams.last().unwrap().param("resourceVersion"),
        Some("900")
    );
}

#[tokio::test]
async fn an_error_inside_the_stream_is_reported_and_the_stream_reconnects() {
    let stub = Stub::start().await;
    stub.set_apps(vec![app("checkout-prod", "argocd", 90)]);
    let first = stub.stream();
    let (tx, mut rx) = mpsc::channel(16);
    let _handles = spawn_sources(vec![spec(&stub)], tx);
    started(&mut rx).await;
    first
        .line(&json!({"error": {"grpc_code": 16, "http_code": 401,
            "message": format!("invalid session: {TOKEN} has expired"), "http_status": "Unauthorized"}}))
        .await;
    match next(&mut rx).await {
        SourcePayload::Error(e) => {
            assert!(
                e.starts_with("token expired or invalid: run `argocd login"),
                "{e}"
            );
            assert!(!e.contains(TOKEN));
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(next(&mut rx).await, SourcePayload::Live(false)));
    assert!(matches!(next(&mut rx).await, SourcePayload::Live(true)));
    // A bad token at the start is reported with the same advice.
    let mut bad = spec(&stub);
    bad.name = "prod".into();
    bad.auth = Auth::Bearer(Secret::new("wrong-token-123"));
    let (tx, mut rx) = mpsc::channel(16);
    let _handles = spawn_sources(vec![bad], tx);
    // `/api/version` needs no token.
    assert!(matches!(next(&mut rx).await, SourcePayload::Version(_)));
    match next(&mut rx).await {
        SourcePayload::Error(e) => {
            assert!(e.starts_with("token expired or invalid"), "{e}");
            assert!(!e.contains("wrong-token-123"), "{e}");
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn a_twenty_megabyte_event_comes_through() {
    let stub = Stub::start().await;
    stub.set_apps(vec![]);
    let feed = stub.stream();
    let (tx, mut rx) = mpsc::channel(16);
    let _handles = spawn_sources(vec![spec(&stub)], tx);
    started(&mut rx).await;
    let mut big = app("monolith", "argocd", 200);
    let resources: Vec<_> = (0..100_000)
        .map(|i| json!({"kind": "ConfigMap", "namespace": "monolith", "name": format!("cm-{i:06}-{}", "x".repeat(120)),
                         "status": "Synced", "health": {"status": "Healthy"}}))
        .collect();
    big["status"]["resources"] = json!(resources);
    big["status"]["health"] = json!({"status": "Progressing"});
    let line = format!(
        "{}\n",
        json!({"result": {"type": "MODIFIED", "application": big}})
    );
    assert!(line.len() > 20 * 1024 * 1024, "{}", line.len());
    // In pieces, as a network delivers it.
    for piece in line.as_bytes().chunks(1 << 20) {
        feed.raw(piece.to_vec()).await;
    }
    let (c, a) = changed(next(&mut rx).await);
    assert_eq!(c, WatchChange::Modified);
    assert_eq!(a.resources.len(), 100_000);
    assert_eq!(a.health, HealthStatus::Progressing);
}

#[tokio::test]
async fn server_sent_events_and_a_stream_that_goes_silent() {
    let stub = Stub::start().await;
    stub.set_apps(vec![app("checkout-prod", "argocd", 90)]);
    let feed = stub.stream_as("text/event-stream");
    let (tx, mut rx) = mpsc::channel(16);
    let options = WatchOptions {
        sse_idle: Duration::from_millis(400),
        ..WatchOptions::default()
    };
    let task = tokio::spawn(watch::run(
        spec(&stub),
        options,
        tx,
        Arc::new(Notify::new()),
    ));
    started(&mut rx).await;
    let event =
        json!({"result": {"type": "MODIFIED", "application": app("checkout-prod", "argocd", 91)}});
    feed.raw(format!(":\n\ndata: {event}\n\n:\n").into_bytes())
        .await;
    let (c, a) = changed(next(&mut rx).await);
    assert_eq!(
        (c, a.resource_version.as_str()),
        (WatchChange::Modified, "91")
    );
    // Keepalives keep it alive; silence past `sse_idle` ends it (quietly) and it reconnects.
    assert!(matches!(next(&mut rx).await, SourcePayload::Live(false)));
    assert!(matches!(next(&mut rx).await, SourcePayload::Live(true)));
    assert!(matches!(
        next(&mut rx).await,
        SourcePayload::Argocd(ArgocdPayload::Apps { .. })
    ));
    drop(feed);
    task.abort();
}

#[tokio::test]
async fn a_line_over_the_cap_is_an_error_not_an_out_of_memory() {
    let stub = Stub::start().await;
    stub.set_apps(vec![]);
    let feed = stub.stream();
    let (tx, mut rx) = mpsc::channel(16);
    let options = WatchOptions {
        line_cap: 1024 * 1024,
        ..WatchOptions::default()
    };
    let _task = tokio::spawn(watch::run(
        spec(&stub),
        options,
        tx,
        Arc::new(Notify::new()),
    ));
    started(&mut rx).await;
    feed.raw(vec![b'x'; 3 * 1024 * 1024]).await;
    match next(&mut rx).await {
        SourcePayload::Error(e) => assert!(e.contains("larger than 1 MB"), "{e}"),
        other => panic!("{other:?}"),
    }
    assert!(matches!(next(&mut rx).await, SourcePayload::Live(false)));
}
