//! A full catalog read at 10,000 components over HTTP (budget: under 2 s): the real client
//! pages through `entities/by-query` on a loopback server (500 per page, 20 pages) and decodes
//! every item. Pages are serialised once, so the figure is the client's and the wire's, not
//! the server's. Run: `cargo bench --bench catalog_load`.

use axum::Router;
use axum::body::Bytes;
use axum::extract::RawQuery;
use axum::routing::get;
use criterion::{Criterion, criterion_group, criterion_main};
use serde_json::{Value, json};
use sitrep::config::source::SourceSpec;
use sitrep::model::source::SourceKind;
use sitrep::sources::HttpOptions;
use sitrep::sources::catalog::backstage::BackstageClient;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

const COMPONENTS: usize = 10_000;

/// A component as a real catalog serves it with sitrep's `fields`: annotations, links, tags,
/// relations, a sentence of description.
fn component(i: usize) -> Value {
    let team = format!("team-{}", i % 40);
    let name = format!("svc-{i:05}");
    json!({
        "kind": "Component",
        "metadata": {
            "namespace": "default", "name": name,
            "description": format!("Service number {i}, owned by {team}, doing what services do"),
            "annotations": {
                "backstage.io/managed-by-location": format!("url:https://git.example.com/acme/{name}/blob/main/catalog-info.yaml"),
                "backstage.io/managed-by-origin-location": "url:https://git.example.com/acme/catalog/blob/main/all.yaml",
                "argocd/app-name": format!("{name}-prod"),
                "backstage.io/kubernetes-id": name,
                "backstage.io/kubernetes-namespace": format!("ns-{}", i % 200),
                "pagerduty.com/service-id": format!("P{:06}", i % 40),
            },
            "tags": ["go", "tier-2"],
            "links": [
                {"type": "runbook", "title": "Runbook", "url": format!("https://runbooks.example.com/{name}")},
                {"type": "dashboard", "title": "Grafana dashboard", "url": format!("https://grafana.example.com/d/{name}")},
                {"type": "repo", "title": "Source", "url": format!("https://git.example.com/acme/{name}")},
            ],
        },
        "spec": {"type": "service", "lifecycle": "production", "owner": format!("group:default/{team}"),
                 "system": format!("system-{}", i % 100)},
        "relations": [
            {"type": "ownedBy", "targetRef": format!("group:default/{team}")},
            {"type": "partOf", "targetRef": format!("system:default/system-{}", i % 100)},
        ],
    })
}

/// One `by-query` page: cursor `o<offset>`, the request's `limit`; cached once serialised.
fn answer(items: &[Value], cache: &Mutex<HashMap<(usize, usize), Bytes>>, query: &str) -> Bytes {
    let params: Vec<(String, String)> = url::form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect();
    let get = |k: &str| {
        params
            .iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.as_str())
    };
    let limit: usize = get("limit").and_then(|l| l.parse().ok()).unwrap_or(20);
    let offset: usize = get("cursor")
        .and_then(|c| c.strip_prefix('o'))
        .and_then(|o| o.parse().ok())
        .unwrap_or(0);
    let mut cache = cache.lock().unwrap();
    cache
        .entry((offset, limit))
        .or_insert_with(|| {
            let end = (offset + limit).min(items.len());
            let info = if end < items.len() {
                json!({"nextCursor": format!("o{end}")})
            } else {
                json!({})
            };
            let page = json!({"items": &items[offset.min(end)..end], "totalItems": items.len(), "pageInfo": info});
            Bytes::from(serde_json::to_vec(&page).unwrap())
        })
        .clone()
}

fn benches(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let items: Arc<Vec<Value>> = Arc::new((0..COMPONENTS).map(component).collect());
    let cache: Arc<Mutex<HashMap<(usize, usize), Bytes>>> = Arc::default();
    let listener = rt
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let addr = listener.local_addr().unwrap();
    let app = Router::new().route(
        "/api/catalog/entities/by-query",
        get(move |RawQuery(q): RawQuery| {
            let body = answer(&items, &cache, &q.unwrap_or_default());
            async move { ([("content-type", "application/json")], body) }
        }),
    );
    rt.spawn(async move { axum::serve(listener, app).await.unwrap() });

    let url = url::Url::parse(&format!("http://{addr}")).unwrap();
    let spec = SourceSpec::new("backstage", SourceKind::Catalog, url, "bench");
    let client = BackstageClient::new(&spec, &HttpOptions::default()).unwrap();
    let first = rt.block_on(client.fetch_all(&[])).unwrap();
    assert_eq!(
        (first.entities.len(), first.pages, first.problems.len()),
        (COMPONENTS, 20, 0)
    );

    c.bench_function(
        "fetch_all 10k components over HTTP (20 pages, decode)",
        |b| b.iter(|| rt.block_on(client.fetch_all(&[])).unwrap().entities.len()),
    );
}

criterion_group!(name = catalog_load; config = Criterion::default().sample_size(10); targets = benches);
criterion_main!(catalog_load);
