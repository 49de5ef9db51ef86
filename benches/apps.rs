//! Argo CD at scale: 10,000 apps (argonaut needs ~7 s to load that many). Measures folding the
//! initial list into the model (correlation, deploys, suspects), the cost of one watch event at
//! that scale, and rendering the Apps and Triage screens. Run: `cargo bench --bench apps`.

use chrono::{TimeZone, Utc};
mod common;

use common::synthetic_alerts;

fn app(i: usize, generation: usize) -> App {
    common::synthetic_app(i, generation, SERVICES, APPS)
}
use criterion::{Criterion, criterion_group, criterion_main};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use sitrep::config::keymap::Keymap;
use sitrep::config::settings::Settings;
use sitrep::config::theme::Theme;
use sitrep::model::Model;
use sitrep::model::app::App;
use sitrep::model::source::{SourceKind, SourceStatus};
use sitrep::model::ui::Screen;
use sitrep::msg::{AlertsPayload, ArgocdPayload, Msg, SourcePayload, SourceUpdate, WatchChange};
use sitrep::update::update;
use std::hint::black_box;

const APPS: usize = 10_000;
const ALERTS: usize = 10_000;
const SERVICES: usize = 1_000;

fn model() -> Model {
    let now = Utc.with_ymd_and_hms(2026, 11, 23, 3, 12, 0).unwrap();
    let theme = Theme::builtin("dark").unwrap();
    let mut m = Model::new(
        Settings::default(),
        Keymap::default(),
        theme.clone(),
        vec![theme],
        now,
    );
    m.sources.push(SourceStatus::new(
        "am",
        SourceKind::Alertmanager,
        "http://am",
        "bench",
    ));
    m.sources.push(SourceStatus::new(
        "argocd",
        SourceKind::Argocd,
        "https://argocd",
        "bench",
    ));
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
    m
}

fn msg(source: &str, payload: SourcePayload) -> Msg {
    let at = Utc.with_ymd_and_hms(2026, 11, 23, 3, 12, 0).unwrap();
    Msg::Source(SourceUpdate {
        source: source.into(),
        at,
        payload,
    })
}

fn benches(c: &mut Criterion) {
    let list: Vec<App> = (0..APPS).map(|i| app(i, 0)).collect();
    c.bench_function("initial list of 10k apps folded in (10k alerts)", |b| {
        b.iter_batched(
            || (model(), list.clone()),
            |(mut m, apps)| {
                black_box(update(
                    &mut m,
                    msg(
                        "argocd",
                        SourcePayload::Argocd(ArgocdPayload::Apps { apps }),
                    ),
                ))
            },
            criterion::BatchSize::LargeInput,
        )
    });

    let mut m = model();
    update(
        &mut m,
        msg(
            "argocd",
            SourcePayload::Argocd(ArgocdPayload::Apps { apps: list.clone() }),
        ),
    );
    let mut generation = 1;
    c.bench_function("one watch event at 10k apps / 10k alerts", |b| {
        b.iter(|| {
            generation += 1;
            let changed = Box::new(app(4242, generation));
            black_box(update(
                &mut m,
                msg(
                    "argocd",
                    SourcePayload::Argocd(ArgocdPayload::AppChanged {
                        change: WatchChange::Modified,
                        app: changed,
                    }),
                ),
            ))
        })
    });

    // A burst, as the app loop sees it: apply every queued event, rebuild derived views once.
    c.bench_function("burst of 100 watch events at 10k apps, one settle", |b| {
        b.iter(|| {
            for i in 0..100 {
                generation += 1;
                let changed = Box::new(app(i * 97, generation));
                sitrep::update::apply(
                    &mut m,
                    msg(
                        "argocd",
                        SourcePayload::Argocd(ArgocdPayload::AppChanged {
                            change: WatchChange::Modified,
                            app: changed,
                        }),
                    ),
                );
            }
            black_box(sitrep::update::settle(&mut m))
        })
    });

    let mut state = sitrep::ui::RenderState::default();
    let mut terminal = Terminal::new(TestBackend::new(120, 40)).unwrap();
    c.bench_function("render triage 120x40 (10k apps, 10k alerts)", |b| {
        b.iter(|| {
            terminal
                .draw(|f| sitrep::ui::render(&m, &mut state, f))
                .unwrap();
        })
    });
    m.screen = Screen::Apps;
    m.rederive();
    c.bench_function("render apps screen 120x40 (10k apps)", |b| {
        b.iter(|| {
            terminal
                .draw(|f| sitrep::ui::render(&m, &mut state, f))
                .unwrap();
        })
    });
}

criterion_group!(name = apps; config = Criterion::default().sample_size(20); targets = benches);
criterion_main!(apps);
