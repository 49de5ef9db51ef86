//! A cluster of 10,000 pods, 2,000 Deployments and 6,000 ReplicaSets (the emulated API's
//! synthetic cluster on loopback): the initial sync — every watcher listed (pages of 500),
//! decoded into compact objects and reported — then folded into the model (joins, summaries,
//! rows). Budget: under 2 s. Also one batch of 100 pod updates (a second of the steady
//! stream) through `update`. Run: `cargo bench --bench kube_sync`.

// Only `empty_model` of the shared helpers is used here.
#[allow(dead_code)]
mod common;

use criterion::{Criterion, criterion_group, criterion_main};
use sitrep::config::source::{KubeOptions, SourceSpec};
use sitrep::demo::kube::{SyntheticCluster, serve_synthetic};
use sitrep::model::source::SourceKind;
use sitrep::msg::{Msg, SourcePayload, SourceUpdate};
use sitrep::sources::SourceDriver;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::{Notify, mpsc};

const CLUSTER: &str = "synthetic";

fn spec(url: &str, kubeconfig: &std::path::Path) -> SourceSpec {
    let mut spec = SourceSpec::new(
        CLUSTER,
        SourceKind::Kube,
        url::Url::parse(url).unwrap(),
        "bench",
    );
    spec.kube = KubeOptions {
        context: sitrep::demo::kube::SYNTHETIC_CONTEXT.into(),
        kubeconfigs: vec![kubeconfig.to_path_buf()],
        namespaces: Vec::new(),
    };
    spec.timeout = Duration::from_secs(30);
    spec
}

/// Run the live task until it says every watcher has its list (`Live(true)`); the messages
/// it sent on the way.
async fn initial_sync(spec: SourceSpec) -> Vec<Msg> {
    let (tx, mut rx) = mpsc::channel(1024);
    let task = sitrep::sources::kube::Kube.spawn_live(spec, tx, Arc::new(Notify::new()));
    let mut got = Vec::new();
    while let Some(msg) = rx.recv().await {
        let live = matches!(
            &msg,
            Msg::Source(SourceUpdate {
                payload: SourcePayload::Live(true),
                ..
            })
        );
        got.push(msg);
        if live {
            break;
        }
    }
    task.abort();
    got
}

fn bench(c: &mut Criterion) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let cluster = rt
        .block_on(serve_synthetic(SyntheticCluster {
            events_per_sec: 0,
            ..SyntheticCluster::default()
        }))
        .unwrap();
    let spec = spec(&cluster.url, cluster.kubeconfig_path());

    let mut group = c.benchmark_group("kube_sync");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(40));
    group.bench_function("initial_sync_10k_pods_into_the_model", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                let start = Instant::now();
                let msgs = rt.block_on(initial_sync(spec.clone()));
                let mut model = common::empty_model(&[(CLUSTER, SourceKind::Kube)]);
                for m in msgs {
                    sitrep::update::apply(&mut model, m);
                }
                sitrep::update::settle(&mut model);
                total += start.elapsed();
                assert!(model.kube.clusters[CLUSTER].pods.len() >= 10_000);
            }
            total
        })
    });

    // A synced model, then one second of the steady stream: 100 pod updates in one batch.
    let msgs = rt.block_on(initial_sync(spec.clone()));
    let mut model = common::empty_model(&[(CLUSTER, SourceKind::Kube)]);
    for m in msgs {
        sitrep::update::apply(&mut model, m);
    }
    sitrep::update::settle(&mut model);
    let pods: Vec<_> = model.kube.clusters[CLUSTER]
        .pods
        .values()
        .step_by(100)
        .take(100)
        .cloned()
        .collect();
    group.bench_function("batch_of_100_pod_updates", |b| {
        let mut n = 0;
        b.iter(|| {
            n += 1;
            let changes = pods
                .iter()
                .map(|p| {
                    let mut p = (**p).clone();
                    if let Some(c) = p.containers.first_mut() {
                        c.restarts = n;
                    }
                    sitrep::kube::KubeChange::Apply(sitrep::kube::KubeObject::Pod(Arc::new(p)))
                })
                .collect();
            sitrep::update::apply(
                &mut model,
                Msg::Source(SourceUpdate {
                    source: CLUSTER.into(),
                    at: chrono::Utc::now(),
                    payload: SourcePayload::Kube(sitrep::kube::KubePayload { changes }),
                }),
            );
            sitrep::update::settle(&mut model)
        })
    });
    group.finish();
    rt.block_on(cluster.shutdown());
}

criterion_group!(benches, bench);
criterion_main!(benches);
