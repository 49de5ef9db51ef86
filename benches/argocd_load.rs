//! Initial load at 10,000 Argo CD apps over HTTP, end to end (argonaut: ~7 s): the real client
//! lists them from a loopback server, the apps are folded into the model (services, deploys,
//! suspects), and the first triage frame is drawn. Run: `cargo bench --bench argocd_load`.

use axum::Router;
use axum::routing::get;
use chrono::{TimeZone, Utc};
use criterion::{Criterion, criterion_group, criterion_main};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use serde_json::json;
use sitrep::config::keymap::Keymap;
use sitrep::config::settings::Settings;
use sitrep::config::source::SourceSpec;
use sitrep::config::theme::Theme;
use sitrep::model::Model;
use sitrep::model::source::{SourceKind, SourceStatus};
use sitrep::msg::{ArgocdPayload, Msg, SourcePayload, SourceUpdate};
use sitrep::sources::argocd::ArgocdClient;
use sitrep::update::update;

const APPS: usize = 10_000;

/// One Application in the real wire shape, with five history entries.
fn application(i: usize) -> serde_json::Value {
    let history: Vec<_> = (0..5)
        .map(|h| {
            json!({"id": h + 1, "revision": format!("{:040x}", i * 10 + h),
                   "deployedAt": format!("2026-11-{:02}T{:02}:00:00Z", 10 + h, i % 24),
                   "deployStartedAt": format!("2026-11-{:02}T{:02}:00:00Z", 10 + h, i % 24),
                   "source": {"repoURL": "https://git.example.com/apps", "path": format!("apps/app-{i}"), "targetRevision": "HEAD"},
                   "initiatedBy": {"username": "ci-bot", "automated": true}})
        })
        .collect();
    json!({
        "metadata": {"name": format!("app-{i}-prod"), "namespace": "argocd", "resourceVersion": format!("{}", 1000 + i),
                     "labels": {"app.kubernetes.io/part-of": format!("svc-{}", i % 1000), "team": format!("team-{}", i % 40)}},
        "spec": {"project": format!("team-{}", i % 40),
                 "source": {"repoURL": "https://git.example.com/apps", "path": format!("apps/app-{i}"), "targetRevision": "HEAD"},
                 "destination": {"server": "https://kubernetes.default.svc", "namespace": format!("ns-{}", i % 200)},
                 "syncPolicy": {"automated": {"prune": true, "selfHeal": true}}},
        "status": {
            "sync": {"status": if i.is_multiple_of(13) { "OutOfSync" } else { "Synced" }, "revision": format!("{:040x}", i * 10 + 4)},
            "health": {"status": if i.is_multiple_of(50) { "Degraded" } else { "Healthy" }},
            "history": history,
            "operationState": {"phase": "Succeeded", "message": "successfully synced (all tasks run)",
                               "startedAt": "2026-11-14T03:00:00Z", "finishedAt": "2026-11-14T03:01:00Z",
                               "operation": {"sync": {"revision": format!("{:040x}", i * 10 + 4)}, "initiatedBy": {"automated": true}}},
            "summary": {"images": [format!("registry.example.com/app-{i}:v1.{}", i % 90)]},
            "resources": [
                {"group": "apps", "kind": "Deployment", "namespace": format!("ns-{}", i % 200), "name": format!("app-{i}"), "status": "Synced", "health": {"status": "Healthy"}},
                {"kind": "Service", "namespace": format!("ns-{}", i % 200), "name": format!("app-{i}"), "status": "Synced", "health": {"status": "Healthy"}}
            ],
            "reconciledAt": "2026-11-23T03:00:00Z"
        }
    })
}

fn benches(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let body = serde_json::to_vec(&json!({
        "metadata": {"resourceVersion": "20000"},
        "items": (0..APPS).map(application).collect::<Vec<_>>()
    }))
    .unwrap();
    eprintln!("list body: {:.1} MB", body.len() as f64 / 1e6);
    let body = bytes_of(body);
    let listener = rt
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let addr = listener.local_addr().unwrap();
    let app = Router::new().route(
        "/api/v1/applications",
        get(move || {
            let body = body.clone();
            async move { ([("content-type", "application/json")], body) }
        }),
    );
    rt.spawn(async move { axum::serve(listener, app).await.unwrap() });

    let url = url::Url::parse(&format!("http://{addr}")).unwrap();
    let spec = SourceSpec::new("argocd", SourceKind::Argocd, url, "bench");
    let client = ArgocdClient::new(&spec).unwrap();
    let now = Utc.with_ymd_and_hms(2026, 11, 23, 3, 12, 0).unwrap();
    let theme = Theme::builtin("dark").unwrap();

    c.bench_function("list 10k apps over HTTP (decode + convert)", |b| {
        b.iter(|| rt.block_on(client.list()).unwrap().0.len())
    });
    c.bench_function(
        "list 10k apps + fold into model + first triage frame",
        |b| {
            b.iter(|| {
                let (apps, _) = rt.block_on(client.list()).unwrap();
                let mut m = Model::new(
                    Settings::default(),
                    Keymap::default(),
                    theme.clone(),
                    vec![theme.clone()],
                    now,
                );
                m.sources.push(SourceStatus::new(
                    "argocd",
                    SourceKind::Argocd,
                    "http://argocd",
                    "bench",
                ));
                update(
                    &mut m,
                    Msg::Source(SourceUpdate {
                        source: "argocd".into(),
                        at: now,
                        payload: SourcePayload::Argocd(ArgocdPayload::Apps { apps }),
                    }),
                );
                let mut terminal = Terminal::new(TestBackend::new(120, 40)).unwrap();
                let mut state = sitrep::ui::RenderState::default();
                terminal
                    .draw(|f| sitrep::ui::render(&m, &mut state, f))
                    .unwrap();
                m.apps.len()
            })
        },
    );
}

/// Shared, cheaply cloned response body.
fn bytes_of(v: Vec<u8>) -> axum::body::Bytes {
    axum::body::Bytes::from(v)
}

criterion_group!(name = argocd_load; config = Criterion::default().sample_size(10); targets = benches);
criterion_main!(argocd_load);
