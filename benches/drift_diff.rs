//! The drift diff engine on realistic and large states. (a) One Deployment-like pair of about
//! 1 MB (50 containers × 200 env vars, managedFields included) with a few changes through
//! `diff_managed_item`: budget under 30 ms. (b) 1,000 drifted apps × 3 modified resources of
//! ordinary size through `diff_app`: the diffs' total `heap_bytes` (printed once; budget under
//! 30 MB) and the time to diff them all. Run: `cargo bench --bench drift_diff`.

use chrono::Utc;
use criterion::{Criterion, criterion_group, criterion_main};
use serde_json::{Value, json};
use sitrep::drift::ManagedItem;
use sitrep::drift::diff::{diff_app, diff_managed_item};
use sitrep::model::app::AppKey;
use std::hint::black_box;
use std::time::Duration;

/// A Deployment with `containers` containers of `envs` env vars each; `drift` changes the
/// replica count, one image and two env values (what a hand edit and a hand scale do).
fn deployment(name: &str, containers: usize, envs: usize, drift: bool) -> Value {
    let containers: Vec<Value> = (0..containers)
        .map(|c| {
            let env: Vec<Value> = (0..envs)
                .map(|e| {
                    let mut value = format!("https://service-{c}-{e}.shop.svc.cluster.local:8080/api/v1/x");
                    if drift && c == 7 && (e == 3 || e == 150) {
                        value.push_str("?debug=1");
                    }
                    json!({"name": format!("SETTING_{c}_{e}"), "value": value})
                })
                .collect();
            let image = if drift && c == 3 { "registry.example.com/app:1.4.3-hotfix" } else { "registry.example.com/app:1.4.2" };
            json!({
                "name": format!("container-{c}"), "image": image, "env": env,
                "ports": [{"containerPort": 8080 + c, "protocol": "TCP"}],
                "resources": {"limits": {"cpu": "500m", "memory": "512Mi"}, "requests": {"cpu": "100m", "memory": "128Mi"}}
            })
        })
        .collect();
    let managed = json!([
        {"manager": "argocd-controller", "operation": "Apply", "time": "2024-05-01T10:00:00Z",
         "fieldsType": "FieldsV1", "fieldsV1": {"f:spec": {"f:replicas": {}, "f:template": {"f:spec": {
             "f:containers": {"k:{\"name\":\"container-3\"}": {".": {}, "f:image": {}, "f:name": {}}}}}}}},
        {"manager": "kubectl-scale", "operation": "Update", "subresource": "scale",
         "time": "2024-05-01T12:00:00Z", "fieldsType": "FieldsV1", "fieldsV1": {"f:spec": {"f:replicas": {}}}},
        {"manager": "kubectl-edit", "operation": "Update", "time": "2024-05-01T12:05:00Z",
         "fieldsType": "FieldsV1", "fieldsV1": {"f:spec": {"f:template": {"f:spec": {"f:containers": {
             "k:{\"name\":\"container-7\"}": {"f:env": {"k:{\"name\":\"SETTING_7_3\"}": {"f:value": {}}}}}}}}}}
    ]);
    json!({
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": name, "namespace": "shop", "labels": {"app": name},
                     "resourceVersion": "12345", "uid": "0000-1111", "generation": 4,
                     "managedFields": managed},
        "spec": {"replicas": if drift { 5 } else { 3 }, "selector": {"matchLabels": {"app": name}},
                 "template": {"metadata": {"labels": {"app": name}}, "spec": {"containers": containers}}},
        "status": {"replicas": 3, "readyReplicas": 3}
    })
}

fn config_map(name: &str, drift: bool) -> Value {
    let data: serde_json::Map<String, Value> = (0..20)
        .map(|i| {
            let v = if drift && i == 4 {
                "timeout: 30s".to_string()
            } else {
                format!("setting-{i}: value-{i}")
            };
            (format!("key-{i}"), json!(v))
        })
        .collect();
    json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name, "namespace": "shop"}, "data": data})
}

fn service(name: &str, drift: bool) -> Value {
    json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": name, "namespace": "shop"},
        "spec": {"selector": {"app": name}, "type": "ClusterIP",
                 "ports": [{"name": "http", "port": 80, "targetPort": if drift { 8081 } else { 8080 }}]}})
}

fn item(group: &str, kind: &str, name: &str, live: &Value, desired: &Value) -> ManagedItem {
    let live = live.to_string();
    ManagedItem {
        group: group.into(),
        kind: kind.into(),
        namespace: "shop".into(),
        name: name.into(),
        live_state: live.clone(),
        normalized_live_state: live,
        target_state: desired.to_string(),
        predicted_live_state: desired.to_string(),
        modified: true,
        hook: false,
    }
}

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("drift_diff");
    group.sample_size(20);
    group.measurement_time(Duration::from_secs(10));

    let big = item(
        "apps",
        "Deployment",
        "big",
        &deployment("big", 50, 200, true),
        &deployment("big", 50, 200, false),
    );
    let d = diff_managed_item(&big);
    println!(
        "drift_diff: 1 MB pair: live state {} bytes, desired {} bytes → {} lines, {} paths, {} heap bytes",
        big.normalized_live_state.len(),
        big.predicted_live_state.len(),
        d.lines.len(),
        d.paths.len(),
        d.heap_bytes()
    );
    group.bench_function("one_1mb_deployment_pair", |b| {
        b.iter(|| diff_managed_item(black_box(&big)))
    });

    let apps: Vec<(AppKey, Vec<ManagedItem>)> = (0..1_000)
        .map(|i| {
            let name = format!("svc-{i}");
            let items = vec![
                item(
                    "apps",
                    "Deployment",
                    &name,
                    &deployment(&name, 2, 12, true),
                    &deployment(&name, 2, 12, false),
                ),
                item(
                    "",
                    "ConfigMap",
                    &name,
                    &config_map(&name, true),
                    &config_map(&name, false),
                ),
                item(
                    "",
                    "Service",
                    &name,
                    &service(&name, true),
                    &service(&name, false),
                ),
            ];
            let key = AppKey {
                instance: "argocd".into(),
                namespace: "argocd".into(),
                name,
            };
            (key, items)
        })
        .collect();
    let now = Utc::now();
    let diff_all = || -> Vec<_> {
        apps.iter()
            .map(|(key, items)| diff_app(key.clone(), "1".into(), items, now))
            .collect()
    };
    let drifts = diff_all();
    let heap: usize = drifts.iter().map(|d| d.heap_bytes()).sum();
    let paths: usize = drifts
        .iter()
        .flat_map(|d| &d.resources)
        .map(|r| r.paths.len())
        .sum();
    let lines: usize = drifts
        .iter()
        .flat_map(|d| &d.resources)
        .map(|r| r.lines.len())
        .sum();
    println!(
        "drift_diff: 1,000 apps × 3 resources: {lines} lines, {paths} paths, heap_bytes {heap} ({:.1} MB)",
        heap as f64 / 1_048_576.0
    );
    group.sample_size(10);
    group.bench_function("1000_apps_x_3_resources", |b| {
        b.iter(|| black_box(diff_all()))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
