//! Budgets (issue 11): a catalog of 10,000 components joined to 10,000 alerts and 10,000 apps
//! costs under 10 ms after a change, and adds under 20 MB. Run:
//! `cargo bench --bench catalog_join`.

use chrono::{TimeZone, Utc};
mod common;

use common::{synthetic_alerts, synthetic_app};
use criterion::{Criterion, criterion_group, criterion_main};
use sitrep::catalog::{CatalogIndex, Decoded, Entity, decode};
use sitrep::model::Model;
use sitrep::model::source::SourceKind;
use sitrep::msg::{AlertsPayload, ArgocdPayload, CatalogPayload, Msg, SourcePayload, SourceUpdate};
use sitrep::update::update;
use std::alloc::{GlobalAlloc, Layout, System};
use std::hint::black_box;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Counts live heap bytes, to state what the catalog costs in memory.
struct Counting;
static LIVE: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LIVE.fetch_add(layout.size(), Ordering::Relaxed);
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

const COMPONENTS: usize = 10_000;
const ALERTS: usize = 10_000;
const APPS: usize = 10_000;
/// The synthetic alerts name `svc-0…svc-999`; the components cover those and 9,000 more.
const SERVICES: usize = 1_000;

/// Generation `g` differs from the others in its descriptions; with `keys_move`, in every
/// component's kubernetes-id too (a change the join must follow).
fn components(generation: usize, keys_move: bool) -> Vec<Arc<Entity>> {
    let mut out: Vec<Entity> = (0..100)
        .map(|t| {
            let v = serde_json::json!({"kind": "Group", "metadata": {"name": format!("team-{t}"),
                "annotations": {"sitrep.dev/chat": format!("#team-{t}")}},
                "spec": {"type": "team", "profile": {"displayName": format!("Team {t}"), "email": format!("team-{t}@example.com")}}});
            match decode(&v).unwrap() {
                Decoded::Entity(e) => *e,
                _ => unreachable!(),
            }
        })
        .collect();
    out.extend((0..COMPONENTS).map(|i| {
        let v = serde_json::json!({"kind": "Component", "metadata": {"name": format!("svc-{i}"),
            "description": format!("synthetic component {i} gen {generation}"),
            "annotations": {"argocd/app-name": apps_of(i),
                            "backstage.io/kubernetes-id": if keys_move { format!("svc-{i}-k{generation}") } else { format!("svc-{i}") },
                            "pagerduty.com/service-id": format!("P{i}")},
            "links": [{"url": format!("https://runbooks.example.com/svc-{i}"), "type": "runbook"}]},
            "spec": {"type": "service", "lifecycle": "production", "owner": format!("team-{}", i % 100)}});
        match decode(&v).unwrap() {
            Decoded::Entity(e) => *e,
            _ => unreachable!(),
        }
    }));
    out.into_iter().map(Arc::new).collect()
}

/// The apps a component names (`argocd/app-name`): the synthetic apps labelled with its
/// service (`app-k-prod`, `app-(k+1000)-prod`, …), so the catalog agrees with the labels.
fn apps_of(i: usize) -> String {
    if i >= SERVICES {
        return String::new();
    }
    (i..APPS)
        .step_by(SERVICES)
        .map(|a| format!("app-{a}-prod"))
        .collect::<Vec<_>>()
        .join(",")
}

fn msg(source: &str, payload: SourcePayload) -> Msg {
    Msg::Source(SourceUpdate {
        source: source.into(),
        at: Utc.with_ymd_and_hms(2026, 11, 23, 3, 12, 0).unwrap(),
        payload,
    })
}

/// The catalog source's answer: its entities and the index its task built (off the loop).
fn catalog(entities: Arc<Vec<Arc<Entity>>>) -> Msg {
    let index = Some(Arc::new(CatalogIndex::build(entities.iter().cloned())));
    msg(
        "catalog",
        SourcePayload::Catalog(CatalogPayload {
            entities,
            problems: vec![],
            index,
        }),
    )
}

fn model() -> Model {
    let mut m = common::empty_model(&[
        ("am", SourceKind::Alertmanager),
        ("argocd", SourceKind::Argocd),
        ("catalog", SourceKind::Catalog),
    ]);
    update(
        &mut m,
        msg(
            "am",
            SourcePayload::Alerts(AlertsPayload {
                alerts: synthetic_alerts(ALERTS, SERVICES, 0),
                silences: None,
            }),
        ),
    );
    let apps = (0..APPS)
        .map(|i| synthetic_app(i, 0, SERVICES, APPS))
        .collect();
    update(
        &mut m,
        msg(
            "argocd",
            SourcePayload::Argocd(ArgocdPayload::Apps { apps }),
        ),
    );
    m
}

fn benches(c: &mut Criterion) {
    let mut m = model();
    let before = LIVE.load(Ordering::Relaxed);
    let first = Arc::new(components(0, false));
    let decoded = LIVE.load(Ordering::Relaxed);
    {
        let idx = sitrep::catalog::CatalogIndex::build(first.iter().cloned());
        println!(
            "memory: the index alone {:.1} MB",
            LIVE.load(Ordering::Relaxed).saturating_sub(decoded) as f64 / 1e6
        );
        drop(idx);
    }
    println!(
        "memory: one ServiceRow is {} bytes",
        std::mem::size_of::<sitrep::model::service::ServiceRow>()
    );
    println!(
        "memory: one Entity is {} bytes",
        std::mem::size_of::<Entity>()
    );
    update(&mut m, catalog(Arc::clone(&first)));
    let after = LIVE.load(Ordering::Relaxed);
    let mb = |n: usize| n as f64 / 1e6;
    println!(
        "memory: a 10k-component catalog adds {:.1} MB: {:.1} MB its entities, {:.1} MB the index, rows and views",
        mb(after.saturating_sub(before)),
        mb(decoded.saturating_sub(before)),
        mb(after.saturating_sub(decoded)),
    );
    let generations = [first, Arc::new(components(1, false))];
    assert_eq!(
        m.catalog.components().len(),
        COMPONENTS,
        "every component indexed"
    );
    let mut g = 0;
    c.bench_function(
        "index 10k components (in the catalog's task, off the UI loop)",
        |b| b.iter(|| black_box(CatalogIndex::build(generations[0].iter().cloned()))),
    );
    let answers = [
        catalog(Arc::clone(&generations[0])),
        catalog(Arc::clone(&generations[1])),
    ];
    c.bench_function(
        "catalog of 10k changed (descriptions): on the UI loop, no re-join",
        |b| {
            b.iter(|| {
                g += 1;
                black_box(update(&mut m, answers[g % 2].clone()));
            })
        },
    );
    let moving = [Arc::new(components(2, true)), Arc::new(components(3, true))];
    let moving = [
        catalog(Arc::clone(&moving[0])),
        catalog(Arc::clone(&moving[1])),
    ];
    c.bench_function(
        "catalog of 10k changed (every kubernetes-id): re-join 10k alerts + 10k apps",
        |b| {
            b.iter(|| {
                g += 1;
                black_box(update(&mut m, moving[g % 2].clone()));
            })
        },
    );
    update(&mut m, catalog(Arc::clone(&generations[0])));
    c.bench_function("catalog of 10k unchanged (same answer again)", |b| {
        // As the task sends it: the same entities and index it sent last time.
        let last = &m.catalogs["catalog"];
        let same = msg("catalog", SourcePayload::Catalog(last.clone()));
        b.iter(|| black_box(update(&mut m, same.clone())))
    });
    // As the triage bench does it (same data, same 1 %), with the catalog joined.
    let same = synthetic_alerts(ALERTS, SERVICES, 0);
    let mut one_percent = same.clone();
    for a in one_percent.iter_mut().step_by(100) {
        a.annotations.insert("summary".into(), "changed".into());
    }
    let polls = [one_percent, same];
    let mut turn = 0usize;
    c.bench_function(
        "poll of 10k alerts, 1% changed, 10k-component catalog",
        |b| {
            b.iter_batched(
                || {
                    turn += 1;
                    polls[turn % 2].clone()
                },
                |alerts| {
                    black_box(update(
                        &mut m,
                        msg(
                            "am",
                            SourcePayload::Alerts(AlertsPayload {
                                alerts,
                                silences: None,
                            }),
                        ),
                    ));
                    m.alerts.take_retired()
                },
                criterion::BatchSize::LargeInput,
            )
        },
    );
    c.bench_function("owner card of one service (10k-component catalog)", |b| {
        b.iter(|| black_box(m.owner_card("svc-42")))
    });
}

criterion_group! {
    name = catalog_join;
    config = Criterion::default().sample_size(20);
    targets = benches
}
criterion_main!(catalog_join);
