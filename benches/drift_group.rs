//! Budgets (issue 14): with 10,000 apps of which 1,000 are OutOfSync, classifying and grouping
//! them from scratch takes under 10 ms, and one app's change re-groups in under 1 ms; the
//! triage frame with its fleet row and the Drift screen render in under 2 ms.
//! Run: `cargo bench --bench drift_group`.

// Only the fleet helpers of the shared ones are used here.
#[allow(dead_code)]
mod common;

use common::{empty_model, synthetic_drift_fleet};
use criterion::{Criterion, criterion_group, criterion_main};
use sitrep::model::Model;
use sitrep::model::app::AppKey;
use sitrep::model::source::SourceKind;
use sitrep::msg::{ArgocdPayload, Msg, SourcePayload, SourceUpdate};
use sitrep::update::{drift_apps_changed, update};
use std::hint::black_box;

const APPS: usize = 10_000;

fn fleet() -> Model {
    let mut m = empty_model(&[("argocd", SourceKind::Argocd)]);
    let at = m.now;
    update(
        &mut m,
        Msg::Source(SourceUpdate {
            source: "argocd".into(),
            at,
            payload: SourcePayload::Argocd(ArgocdPayload::Apps {
                apps: synthetic_drift_fleet(APPS),
            }),
        }),
    );
    assert_eq!(m.drift.apps.len(), APPS / 10);
    m
}

fn bench(c: &mut Criterion) {
    let mut m = fleet();
    let keys: Vec<AppKey> = m.apps.keys().cloned().collect();
    c.bench_function(
        "drift: classify and group 10,000 apps (1,000 OutOfSync)",
        |b| {
            b.iter(|| {
                // Everything derived from scratch; what was told on the timeline stays told.
                m.drift.apps.clear();
                m.drift.groups.clear();
                m.drift.fetching.clear();
                m.drift.queued.clear();
                m.drift.revisions.clear();
                black_box(drift_apps_changed(&mut m, &keys));
            })
        },
    );

    // One app moves between two commits' groups and back.
    let mut m = fleet();
    let key = m
        .drift
        .apps
        .keys()
        .find(|k| k.name == "app-20-prod")
        .cloned()
        .expect("app-20 is OutOfSync");
    let revs = [format!("{:040x}", 0xbad), m.apps[&key].git_revision.clone()];
    let mut flip = 0;
    c.bench_function("drift: one app's change re-groups", |b| {
        b.iter(|| {
            flip ^= 1;
            if let Some(a) = m.apps.get_mut(&key) {
                a.git_revision.clone_from(&revs[flip]);
            }
            black_box(drift_apps_changed(&mut m, [&key]));
        })
    });
}

/// The frames a responder looks at during a fleet drift, at 10,000 apps.
fn render(c: &mut Criterion) {
    use ratatui::{Terminal, backend::TestBackend};
    use sitrep::model::ui::Screen;
    let mut m = fleet();
    m.size = (120, 40);
    sitrep::update::settle(&mut m);
    let mut state = sitrep::ui::RenderState::default();
    let mut terminal = Terminal::new(TestBackend::new(120, 40)).unwrap();
    c.bench_function("drift: render triage with the fleet row 120x40", |b| {
        b.iter(|| {
            terminal
                .draw(|f| sitrep::ui::render(&m, &mut state, f))
                .unwrap();
        })
    });
    m.screen = Screen::Drift;
    sitrep::model::drift_view::rebuild(&mut m);
    c.bench_function("drift: render the Drift screen 120x40", |b| {
        b.iter(|| {
            terminal
                .draw(|f| sitrep::ui::render(&m, &mut state, f))
                .unwrap();
        })
    });
}

criterion_group!(benches, bench, render);
criterion_main!(benches);
