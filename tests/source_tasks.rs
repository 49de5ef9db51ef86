//! The source tasks (`spawn_sources`), the one-shot fetch and `check` against scripted servers.

mod common;

use common::{Reply, json_reply, reply, scripted_server, spec};
use serde_json::json;
use sitrep::config::source::SourceSpec;
use sitrep::config::source::{Auth, Secret};
use sitrep::model::source::SourceKind;
use sitrep::msg::{AlertsPayload, Msg, SourcePayload, SourceUpdate};
use sitrep::sources::alerts::{AlertClient, AlertsFetch, spawn_poll};
use sitrep::sources::{HttpOptions, SourceError, check_source, fetch_all_once, spawn_sources};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;
use tokio::sync::{Notify, mpsc};

/// A small healthy Alertmanager; counts the alert fetches.
async fn fake_alertmanager() -> (common::ScriptedServer, Arc<AtomicUsize>) {
    let fetches = Arc::new(AtomicUsize::new(0));
    let count = fetches.clone();
    let server = scripted_server(move |req| {
        let path = req.target.split('?').next().unwrap_or("");
        match path {
            "/api/v2/alerts" => {
                count.fetch_add(1, Ordering::SeqCst);
                json_reply(&json!([{"labels":{"alertname":"A","severity":"critical"},
                    "status":{"state":"active","silencedBy":[],"inhibitedBy":[]}}]))
            }
            "/api/v2/silences" => json_reply(&json!([])),
            "/api/v2/status" => json_reply(&json!({"cluster":{"status":"disabled"},
                "versionInfo":{"version":"0.99.0"},"config":{"original":"x"}})),
            _ => reply(404, "text/plain", "404"),
        }
    })
    .await;
    (server, fetches)
}

/// Next source update, with a hang guard (not a timing assertion).
async fn next(rx: &mut mpsc::Receiver<Msg>) -> SourceUpdate {
    match tokio::time::timeout(Duration::from_secs(30), rx.recv()).await {
        Ok(Some(Msg::Source(u))) => u,
        other => panic!("expected a source update, got {other:?}"),
    }
}

#[tokio::test]
async fn a_task_reports_version_then_alerts_and_refreshes_on_demand() {
    let (server, fetches) = fake_alertmanager().await;
    let mut s = spec("am", SourceKind::Alertmanager, &server.url);
    s.poll_interval = Duration::from_secs(3600);
    let (tx, mut rx) = mpsc::channel(16);
    let handles = spawn_sources(vec![s], tx);
    assert_eq!(handles.names(), ["am"]);

    let u = next(&mut rx).await;
    assert_eq!(u.source, "am");
    assert!(
        matches!(u.payload, SourcePayload::Version(ref v) if v == "0.99.0"),
        "{u:?}"
    );
    let u = next(&mut rx).await;
    match u.payload {
        SourcePayload::Alerts(AlertsPayload { alerts, silences }) => {
            assert_eq!(alerts.len(), 1);
            assert_eq!(silences, Some(vec![]));
        }
        other => panic!("{other:?}"),
    }
    // The interval is an hour: only a refresh brings the next snapshot (without the version).
    assert!(handles.refresh("am"));
    assert!(!handles.refresh("nope"));
    let u = next(&mut rx).await;
    assert!(
        matches!(u.payload, SourcePayload::Alerts(AlertsPayload { .. })),
        "{u:?}"
    );
    assert_eq!(fetches.load(Ordering::SeqCst), 2);
    handles.refresh_all();
    assert!(matches!(
        next(&mut rx).await.payload,
        SourcePayload::Alerts(AlertsPayload { .. })
    ));
}

/// Paused clock: the 300 ms timeout passes in virtual time, as soon as the task waits on it.
#[tokio::test(start_paused = true)]
async fn a_hanging_source_reports_an_error_within_its_timeout() {
    let server = scripted_server(|_| Reply::Hang).await;
    let mut s = spec("stuck", SourceKind::Alertmanager, &server.url);
    s.timeout = Duration::from_millis(300);
    let (tx, mut rx) = mpsc::channel(16);
    let _handles = spawn_sources(vec![s], tx);
    let u = next(&mut rx).await;
    assert_eq!(u.source, "stuck");
    match u.payload {
        SourcePayload::Error(e) => assert_eq!(e, "no answer within 300ms"),
        other => panic!("{other:?}"),
    }
}

/// An alert source that answers at once, with no network, and counts its fetches.
struct Counting;

static FETCHES: AtomicUsize = AtomicUsize::new(0);

impl AlertClient for Counting {
    fn connect(_: &SourceSpec, _: &HttpOptions) -> Result<Self, SourceError> {
        Ok(Counting)
    }
    async fn fetch(&self, _with_silences: bool) -> Result<AlertsFetch, SourceError> {
        FETCHES.fetch_add(1, Ordering::SeqCst);
        Ok(AlertsFetch::default())
    }
    async fn version(&self) -> Result<String, SourceError> {
        Ok("0.99.0".to_string())
    }
}

/// Tokio's clock is paused: the poll interval's timers pass only when the test lets them
/// (`sleep` advances virtual time at once); nothing here waits in real time.
#[tokio::test(start_paused = true)]
async fn a_full_channel_holds_updates_back_without_losing_them() {
    let url = url::Url::parse("http://127.0.0.1:1").unwrap();
    let mut s = spec("am", SourceKind::Alertmanager, &url);
    s.poll_interval = Duration::from_millis(10); // floored to 100 ms
    let (tx, mut rx) = mpsc::channel(1);
    let _task = spawn_poll::<Counting>(s, tx, Arc::new(Notify::new()));
    // Nobody reads for a hundred poll intervals: the task must wait, not pile up fetches.
    tokio::time::sleep(Duration::from_secs(10)).await;
    assert_eq!(
        FETCHES.load(Ordering::SeqCst),
        1,
        "fetched while the channel was full"
    );
    // Everything it produced arrives, in order; each read lets one more poll through.
    assert!(matches!(
        next(&mut rx).await.payload,
        SourcePayload::Version(_)
    ));
    for _ in 0..3 {
        assert!(matches!(
            next(&mut rx).await.payload,
            SourcePayload::Alerts(AlertsPayload { .. })
        ));
    }
    assert!(FETCHES.load(Ordering::SeqCst) <= 4);
}

#[tokio::test]
async fn every_kind_with_a_driver_gets_its_task() {
    let url = url::Url::parse("http://127.0.0.1:1").unwrap();
    let (tx, _rx) = mpsc::channel(4);
    let handles = spawn_sources(
        vec![
            spec("kube", SourceKind::Kube, &url),
            spec("catalog", SourceKind::Catalog, &url),
            spec("argo", SourceKind::Argocd, &url),
        ],
        tx,
    );
    // Kubernetes its watchers, the catalog its read loop, Argo CD its watch task.
    assert_eq!(handles.names(), ["kube", "catalog", "argo"]);
}

#[tokio::test]
async fn fetch_all_once_reports_every_source_in_order() {
    let (good, _) = fake_alertmanager().await;
    let dead = url::Url::parse(&format!("http://127.0.0.1:{}", common::free_port())).unwrap();
    let results = fetch_all_once(vec![
        spec("dead", SourceKind::Alertmanager, &dead),
        spec("good", SourceKind::Alertmanager, &good.url),
    ])
    .await;
    assert_eq!(results.len(), 2);
    assert_eq!(results[0].name, "dead");
    assert!(!results[0].ok());
    assert!(
        results[0]
            .error
            .as_deref()
            .unwrap()
            .starts_with("connection refused")
    );
    assert!(results[1].ok(), "{:?}", results[1].error);
    assert_eq!(results[1].alerts().len(), 1);
    assert_eq!(results[1].silences(), Some(&[][..]));
    assert_eq!(results[1].version, None, "no extra round trip by default");
}

#[tokio::test]
async fn check_tells_reachable_from_authenticated() {
    let (good, _) = fake_alertmanager().await;
    let r = check_source(&spec("good", SourceKind::Alertmanager, &good.url)).await;
    assert!(r.reachable && r.ok(), "{r:?}");
    assert_eq!(r.authenticated, Some(true));
    assert_eq!(r.version.as_deref(), Some("0.99.0"));
    assert_eq!(r.detail.as_deref(), Some("1 alert, 0 silences"));

    let locked = scripted_server(|_| reply(401, "text/plain", "go away")).await;
    let mut s = spec("locked", SourceKind::Alertmanager, &locked.url);
    s.auth = Auth::Bearer(Secret::new("wrong-token-123"));
    let r = check_source(&s).await;
    assert!(r.reachable);
    assert_eq!(r.authenticated, Some(false));
    assert!(
        r.error.as_deref().unwrap().starts_with("unauthorized"),
        "{r:?}"
    );

    let dead = url::Url::parse(&format!("http://127.0.0.1:{}", common::free_port())).unwrap();
    let r = check_source(&spec("dead", SourceKind::Alertmanager, &dead)).await;
    assert!(!r.reachable);
    assert_eq!(r.authenticated, None);
    assert_eq!(r.url, dead.as_str().trim_end_matches('/'));
}
