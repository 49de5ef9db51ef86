//! The emulated API server over its store and scenario: patches with the controller's
//! semantics, dry runs, and watches (resume, bookmarks, 410).

use super::patch::PatchType;
use super::scenario::{PatchRequest, Scenario};
use super::store::{Filter, Kind, Store};
use super::watch::{Start, WatchRequest, stream};
use crate::demo::ScenarioClock;
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::Duration;

async fn world() -> (crate::demo::DemoWorld, Arc<Scenario>, Store) {
    let d = crate::demo::start_with(ScenarioClock::frozen(chrono::Utc::now(), 1.0))
        .await
        .unwrap();
    let scenario = Arc::new(Scenario::new(d.shared.clone()));
    let store = Store::new(1000);
    scenario.tick(&store);
    (d, scenario, store)
}

fn checkout(store: &Store) -> Value {
    serde_json::from_str(&store.get(Kind::Deployment, "checkout", "checkout").unwrap()).unwrap()
}

fn req<'a>(kind: PatchType, body: &'a Value, scale: bool, dry_run: bool) -> PatchRequest<'a> {
    PatchRequest {
        namespace: "checkout",
        name: "checkout",
        scale,
        kind,
        body,
        dry_run,
    }
}

#[tokio::test]
async fn dry_run_answers_the_would_be_object_and_keeps_nothing() {
    let (d, scn, store) = world().await;
    let before = checkout(&store);
    let patch = json!({"spec": {"template": {"metadata": {"annotations": {"kubectl.kubernetes.io/restartedAt": "2026-01-01T00:00:00Z"}}}}});
    let v = scn
        .patch(&store, req(PatchType::StrategicMerge, &patch, false, true))
        .unwrap();
    assert_eq!(
        v["metadata"]["annotations"]["deployment.kubernetes.io/revision"],
        "8"
    );
    assert_eq!(checkout(&store), before, "nothing persisted");
    assert_eq!(
        d.world()
            .running("checkout-prod", d.clock().offset())
            .unwrap()
            .version,
        "v2.14.0"
    );
    d.shutdown().await;
}

#[tokio::test]
async fn restart_rolls_a_new_revision_and_scale_changes_replicas() {
    let (d, scn, store) = world().await;
    let patch = json!({"spec": {"template": {"metadata": {"annotations": {"kubectl.kubernetes.io/restartedAt": "2026-01-01T00:00:00Z"}}}}});
    let v = scn
        .patch(&store, req(PatchType::StrategicMerge, &patch, false, false))
        .unwrap();
    assert_eq!(
        v["metadata"]["annotations"]["deployment.kubernetes.io/revision"],
        "8"
    );
    assert!(v["metadata"]["generation"].as_i64() > v["status"]["observedGeneration"].as_i64());
    scn.tick(&store);
    let v = checkout(&store);
    assert_eq!(
        v["metadata"]["generation"],
        v["status"]["observedGeneration"]
    );
    let scale = scn
        .patch(
            &store,
            req(
                PatchType::Merge,
                &json!({"spec": {"replicas": 6}}),
                true,
                false,
            ),
        )
        .unwrap();
    assert_eq!(
        (scale["kind"].as_str(), scale["spec"]["replicas"].as_i64()),
        (Some("Scale"), Some(6))
    );
    assert_eq!(checkout(&store)["spec"]["replicas"], 6);
    let bad = scn.patch(
        &store,
        req(
            PatchType::Merge,
            &json!({"spec": {"replicas": -1}}),
            false,
            false,
        ),
    );
    assert_eq!(bad.unwrap_err().code, 422);
    let bad = scn.patch(
        &store,
        req(
            PatchType::Merge,
            &json!({"spec": {"selector": {"matchLabels": {"x": "y"}}}}),
            false,
            false,
        ),
    );
    assert_eq!(bad.unwrap_err().code, 422);
    d.shutdown().await;
}

#[tokio::test]
async fn kubectls_undo_patch_reuses_revision_six_and_heals_the_world() {
    let (d, scn, store) = world().await;
    let rs: Value = serde_json::from_str(
        store
            .list(Kind::ReplicaSet, &Filter::default(), 0, None)
            .items
            .iter()
            .find(|j| {
                j.contains("\"deployment.kubernetes.io/revision\":\"6\"")
                    && j.contains("checkout:v2.13.2")
            })
            .unwrap(),
    )
    .unwrap();
    let mut template = rs["spec"]["template"].clone();
    template["metadata"]["labels"]
        .as_object_mut()
        .unwrap()
        .remove("pod-template-hash");
    // What kubectl sends (Go adds `creationTimestamp: null`).
    template["metadata"]["creationTimestamp"] = Value::Null;
    let patch = json!([
        {"op": "replace", "path": "/spec/template", "value": template},
        {"op": "replace", "path": "/metadata/annotations", "value": {"deployment.kubernetes.io/revision": "7",
            "kubernetes.io/change-cause": rs["metadata"]["annotations"]["kubernetes.io/change-cause"]}},
    ]);
    let v = scn
        .patch(&store, req(PatchType::Json, &patch, false, false))
        .unwrap();
    assert_eq!(
        v["metadata"]["annotations"]["deployment.kubernetes.io/revision"],
        "8"
    );
    let again: Value = serde_json::from_str(
        &store
            .get(
                Kind::ReplicaSet,
                "checkout",
                rs["metadata"]["name"].as_str().unwrap(),
            )
            .unwrap(),
    )
    .unwrap();
    assert_eq!(
        again["metadata"]["annotations"]["deployment.kubernetes.io/revision"],
        "8"
    );
    let running = d
        .world()
        .running("checkout-prod", d.clock().offset())
        .unwrap()
        .clone();
    assert_eq!(
        (running.version.as_str(), running.author.as_str()),
        ("v2.13.2", "kubectl")
    );
    d.shutdown().await;
}

fn pod(name: &str, n: u64) -> Value {
    json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "namespace": "ns"}, "status": {"phase": "Running", "n": n}})
}

async fn lines(store: &Arc<Store>, start: Start, bookmarks: bool) -> Vec<Value> {
    let (_stop, stopped) = tokio::sync::watch::channel(false);
    let body = stream(
        store.clone(),
        WatchRequest {
            kind: Kind::Pod,
            filter: Filter::default(),
            start,
            bookmarks,
            timeout: Duration::from_secs(25),
            bookmark_every: Duration::from_secs(10),
        },
        stopped,
    );
    let bytes = axum::body::to_bytes(body, 1 << 20).await.unwrap();
    String::from_utf8(bytes.to_vec())
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[tokio::test(start_paused = true)]
async fn watches_resume_send_bookmarks_and_say_gone() {
    let store = Arc::new(Store::new(3));
    store.put(Kind::Pod, pod("a", 0));
    let (_, rv) = store.snapshot(Kind::Pod, &Filter::default());
    store.put(Kind::Pod, pod("b", 0));
    store.put(Kind::Pod, pod("a", 1));
    let got = lines(&store, Start::From(rv), true).await;
    let types: Vec<&str> = got.iter().map(|e| e["type"].as_str().unwrap()).collect();
    assert_eq!(
        types,
        ["ADDED", "MODIFIED", "BOOKMARK", "BOOKMARK"],
        "two bookmarks in 25 s, then the timeout ends it"
    );
    assert_eq!(
        got[2]["object"],
        json!({"kind": "Pod", "apiVersion": "v1", "metadata": {"resourceVersion": (rv + 2).to_string()}})
    );
    for i in 0..5 {
        store.put(Kind::Pod, pod("c", i));
    }
    let gone = lines(&store, Start::From(rv), false).await;
    assert_eq!(
        (
            gone[0]["type"].as_str(),
            gone[0]["object"]["code"].as_i64(),
            gone[0]["object"]["reason"].as_str()
        ),
        (Some("ERROR"), Some(410), Some("Expired"))
    );
    let initial = lines(&store, Start::InitialEvents, false).await;
    assert_eq!(
        initial.last().unwrap()["object"]["metadata"]["annotations"]["k8s.io/initial-events-end"],
        "true"
    );
}
