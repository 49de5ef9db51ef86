//! Budgets (PRODUCT.md): with 10,000 alerts and 1,000 services, a triage frame renders in under
//! 2 ms and re-correlating after a batch takes under 10 ms. Run: `cargo bench --bench triage`.

use chrono::{TimeZone, Utc};
mod common;

use common::synthetic_alerts;
use criterion::{Criterion, criterion_group, criterion_main};
use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use sitrep::config::keymap::Keymap;
use sitrep::config::settings::Settings;
use sitrep::config::theme::Theme;
use sitrep::model::Model;
use sitrep::model::alert::Alert;
use sitrep::model::source::{SourceKind, SourceStatus};
use sitrep::msg::{AlertsPayload, Msg, SourcePayload, SourceUpdate};
use sitrep::update::update;
use std::hint::black_box;

const ALERTS: usize = 10_000;
const SERVICES: usize = 1_000;

fn model_with(n: usize) -> Model {
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
        "http://127.0.0.1:9093",
        "bench",
    ));
    update(&mut m, snapshot(synthetic_alerts(n, SERVICES, 0)));
    m
}

fn key(c: char) -> Msg {
    Msg::Input(Event::Key(KeyEvent::new(
        KeyCode::Char(c),
        KeyModifiers::NONE,
    )))
}

fn snapshot(alerts: Vec<Alert>) -> Msg {
    let at = Utc.with_ymd_and_hms(2026, 11, 23, 3, 12, 0).unwrap();
    Msg::Source(SourceUpdate {
        source: "am".into(),
        at,
        payload: SourcePayload::Alerts(AlertsPayload {
            alerts,
            silences: None,
        }),
    })
}

fn benches(c: &mut Criterion) {
    let mut model = model_with(ALERTS);
    assert_eq!(model.services.len(), SERVICES);

    // A 10,000-alert poll, merged, diffed and re-correlated, in three shapes. The replaced
    // snapshot is handed back and freed outside the measurement, as the app loop frees it off
    // the UI thread.
    let same = synthetic_alerts(ALERTS, SERVICES, 0);
    c.bench_function("poll of 10k alerts, nothing changed", |b| {
        b.iter_batched(
            || same.clone(),
            |a| {
                black_box(update(&mut model, snapshot(a)));
                model.alerts.take_retired()
            },
            criterion::BatchSize::LargeInput,
        )
    });
    // Every 100th alert's summary differs between the two: each poll changes 1 %.
    let mut one_percent = same.clone();
    for a in one_percent.iter_mut().step_by(100) {
        a.annotations.insert("summary".into(), "changed".into());
    }
    let polls = [one_percent, same.clone()];
    let mut turn = 0usize;
    c.bench_function("poll of 10k alerts, 1% changed", |b| {
        b.iter_batched(
            || {
                turn += 1;
                polls[turn % 2].clone()
            },
            |a| {
                black_box(update(&mut model, snapshot(a)));
                model.alerts.take_retired()
            },
            criterion::BatchSize::LargeInput,
        )
    });
    let generations = [synthetic_alerts(ALERTS, SERVICES, 1), same.clone()];
    c.bench_function("poll of 10k alerts, all changed", |b| {
        b.iter_batched(
            || {
                turn += 1;
                generations[turn % 2].clone()
            },
            |a| {
                black_box(update(&mut model, snapshot(a)));
                model.alerts.take_retired()
            },
            criterion::BatchSize::LargeInput,
        )
    });
    update(&mut model, snapshot(same.clone()));

    // One keystroke of a `/` filter on the Alerts screen (the text grows and shrinks).
    let mut alerts_screen = model.clone();
    update(&mut alerts_screen, key('2'));
    update(&mut alerts_screen, key('/'));
    for c in "severity=warning alert1".chars() {
        update(&mut alerts_screen, key(c));
    }
    let mut grow = false;
    c.bench_function("filter keystroke on the Alerts screen, 10k alerts", |b| {
        b.iter(|| {
            grow = !grow;
            let k = if grow {
                key('7')
            } else {
                Msg::Input(Event::Key(KeyEvent::new(
                    KeyCode::Backspace,
                    KeyModifiers::NONE,
                )))
            };
            black_box(update(&mut alerts_screen, k));
        })
    });

    let mut state = sitrep::ui::RenderState::default();
    for (w, h) in [(120u16, 40u16), (200, 60)] {
        let mut terminal = Terminal::new(TestBackend::new(w, h)).unwrap();
        c.bench_function(&format!("render triage {w}x{h} (10k alerts)"), |b| {
            b.iter(|| {
                terminal
                    .draw(|f| sitrep::ui::render(&model, &mut state, f))
                    .unwrap();
            })
        });
    }
    model.screen = sitrep::model::ui::Screen::Alerts;
    let mut terminal = Terminal::new(TestBackend::new(120, 40)).unwrap();
    c.bench_function("render alerts screen 120x40 (10k alerts)", |b| {
        b.iter(|| {
            terminal
                .draw(|f| sitrep::ui::render(&model, &mut state, f))
                .unwrap();
        })
    });
}

criterion_group!(name = triage; config = Criterion::default().sample_size(30); targets = benches);
criterion_main!(triage);
