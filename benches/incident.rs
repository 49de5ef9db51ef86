//! The incident journal and its post-mortem export at scale: opening (`FileStore::load`: read,
//! check the hash chain, fold) a journal of 100,000 events and exporting it to Markdown (budget
//! < 1 s), and exporting an incident of the demo's size, ~100 events (budget < 50 ms).
//! Run: `cargo bench --bench incident`.

use chrono::{DateTime, Duration, TimeZone, Utc};
use criterion::{Criterion, criterion_group, criterion_main};
use serde_json::json;
use sitrep::incident::events;
use sitrep::incident::export;
use sitrep::incident::state::{Declaration, Incident, Milestone};
use sitrep::incident::{FileStore, IncidentStore};
use sitrep::model::timeline::{EventKind, EventRefs, EventSource, TimelineEvent};
use std::hint::black_box;

const LARGE: usize = 100_000;
const DEMO: usize = 100;

fn start() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 4, 12, 0, 0).unwrap()
}

/// The journal of an incident with `n` events after its declaration, in journal order: alerts
/// firing and resolving, deploys, notes (some of several lines), actions and their outcomes,
/// the milestones, a star and a correction — what sitrep records, one event a second.
fn journal(n: usize) -> Vec<TimelineEvent> {
    let decl = Declaration {
        title: "checkout returns 5xx".into(),
        severity: "SEV2".into(),
        commander: "ana".into(),
        services: vec!["checkout".into(), "payments".into()],
        backfill_minutes: 30,
    };
    let mut out = vec![events::declared(&decl, "ana", start())];
    for i in 0..n {
        let at = start() + Duration::seconds(i as i64);
        let service = format!("svc-{}", i % 40);
        let e = match i % 10 {
            0..=2 => alert(EventKind::AlertFiring, i, &service, at),
            3..=4 => alert(EventKind::AlertResolved, i - 3, &service, at),
            5 => {
                let mut e = TimelineEvent::new(
                    EventKind::Deploy,
                    EventSource::Argocd,
                    at,
                    at,
                    format!("{service}-prod deployed {:07x} by ci-bot", i),
                );
                e.actor = "argocd-prod".into();
                e.refs = EventRefs {
                    service: Some(service.clone()),
                    app: Some(format!("{service}-prod")),
                    ..Default::default()
                };
                e.details = json!({"history_id": i, "revision": format!("{:040x}", i),
                    "revisions": [], "automated": true, "started_at": at});
                e
            }
            6 => events::note(
                &format!("looked at {service}: | pipes | and `code`\nsecond line {i}"),
                "bob",
                at,
            ),
            7 => action(EventKind::ActionAttempted, i, at),
            8 => action(EventKind::ActionSucceeded, i - 1, at),
            _ => events::note(&format!("checked dashboards for {service}"), "ana", at),
        };
        out.push(e);
    }
    let third = |k: usize| start() + Duration::seconds((n * k / 4) as i64);
    out.push(events::milestone(
        Milestone::ImpactStarted,
        "ana",
        start() - Duration::minutes(5),
    ));
    out.push(events::milestone(
        Milestone::Detected,
        "ana",
        start() - Duration::minutes(2),
    ));
    out.push(events::milestone(Milestone::Mitigated, "ana", third(2)));
    out.push(events::milestone(Milestone::Resolved, "ana", third(3)));
    for (i, e) in out.iter_mut().enumerate() {
        e.id = format!("E{i:06}");
    }
    let starred = events::starred(&out[6], true, "ana", third(3));
    let corrected = events::time_corrected(&out[8], third(1), "graph says so", "bob", third(3));
    out.push(starred);
    out.push(corrected);
    out
}

fn alert(kind: EventKind, i: usize, service: &str, at: DateTime<Utc>) -> TimelineEvent {
    let mut e = TimelineEvent::new(
        kind,
        EventSource::Alertmanager,
        at,
        at,
        format!("HighErrorRate on {service}"),
    );
    e.actor = "am-prod".into();
    e.refs.service = Some(service.to_string());
    e.body = "5xx ratio over 5% for 5m".into();
    e.links
        .push("http://prometheus.example:9090/graph?g0.expr=rate(x[5m])".into());
    e.details = json!({"fingerprint": format!("{:016x}", i), "alertname": "HighErrorRate",
        "severity": "critical", "labels": {"service": service}, "starts_at": at});
    e.highlight = kind == EventKind::AlertFiring;
    e
}

fn action(kind: EventKind, request: usize, at: DateTime<Utc>) -> TimelineEvent {
    let mut e = TimelineEvent::new(
        kind,
        EventSource::User,
        at,
        at,
        format!("rollback {request} requested"),
    );
    e.actor = "bob".into();
    e.details = json!({"action": "rollback", "request_id": request});
    e
}

/// A journal on disk, written the way sitrep writes it (batches, one sync each).
fn store_with(events: Vec<TimelineEvent>) -> (tempfile::TempDir, FileStore, String) {
    let dir = tempfile::tempdir().unwrap();
    let mut store = FileStore::new(dir.path());
    let mut events = events.into_iter();
    store.declare(events.next().unwrap(), Vec::new()).unwrap();
    let rest: Vec<TimelineEvent> = events.collect();
    for batch in rest.chunks(5_000) {
        store.append(batch.to_vec()).unwrap();
    }
    let id = store.open_id().unwrap().to_string();
    (dir, store, id)
}

fn benches(c: &mut Criterion) {
    let (_dir, store, id) = store_with(journal(LARGE));
    let large = store.load(&id).unwrap();
    assert!(large.warnings.is_empty(), "{:?}", large.warnings);
    c.bench_function("open a journal of 100k events (FileStore::load)", |b| {
        b.iter(|| black_box(store.load(&id).unwrap()))
    });
    c.bench_function("export 100k events to Markdown", |b| {
        b.iter(|| black_box(export::markdown(&large)))
    });
    c.bench_function(
        "open a journal of 100k events and export it to Markdown",
        |b| b.iter(|| black_box(export::markdown(&store.load(&id).unwrap()))),
    );
    c.bench_function("export 100k events to JSON", |b| {
        b.iter(|| black_box(export::json(&large)))
    });

    let demo: Incident = Incident::fold(journal(DEMO)).unwrap();
    c.bench_function(
        "export a demo-sized incident (100 events) to Markdown",
        |b| b.iter(|| black_box(export::markdown(&demo))),
    );
    c.bench_function("export a demo-sized incident (100 events) to JSON", |b| {
        b.iter(|| black_box(export::json(&demo)))
    });

    // What the journal thread pays per event on this disk: lock, read others' lines, one
    // write, one sync_data. The UI loop never waits for it (it runs on its own thread).
    let (_dir2, mut small, _) = store_with(journal(10));
    let note = events::note("a note", "ana", start());
    c.bench_function("record one event (lock + write + sync_data)", |b| {
        b.iter(|| black_box(small.append(vec![note.clone()]).unwrap()))
    });
}

criterion_group!(name = incident; config = Criterion::default().sample_size(10); targets = benches);
criterion_main!(incident);
