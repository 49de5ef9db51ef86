//! Fixtures for rendering tests: the model of the demo incident frozen at 2026-11-23T03:12:00Z
//! (checkout on fire, a silenced warning on inventory, a pending alert on search, background
//! noise on a dozen more services), built the way the running app builds it: the sources'
//! answers, as their clients decode them from the wire, the clock's ticks and the user's keys
//! are fed through `sitrep::update::update` in time order. Nothing here sets a store or a
//! derived view by hand, so what the screens show is what the real code makes of those answers.

#![allow(dead_code)]

use chrono::{DateTime, Duration, SecondsFormat, TimeZone, Utc};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::{Buffer, CellWidth};
use serde_json::{Value, json};
use sitrep::config::keymap::Keymap;
use sitrep::config::settings::Settings;
use sitrep::config::theme::Theme;
use sitrep::model::Model;
use sitrep::model::alert::{Labels, fingerprint};
use sitrep::model::silence::Silence;
use sitrep::model::source::{SourceKind, SourceStatus};
use sitrep::msg::{AlertsPayload, Msg, SourcePayload, SourceUpdate};
use sitrep::ui::{self, RenderState};

mod argo;
#[allow(unused_imports)] // not every test file uses the Argo CD fixtures
pub use argo::*;

pub const SILENCE_ID: &str = "3f2a6c1e-8b1d-4c55-9a0e-5d1f7e2b9c40";

pub fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 23, 3, 12, 0).unwrap()
}

pub fn ago(secs: i64) -> DateTime<Utc> {
    now() - Duration::seconds(secs)
}

/// A time as the APIs write it.
pub fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// sitrep started ten hours before the frozen now and has watched every source since.
pub const STARTED_SECS_AGO: i64 = 10 * 3600;

// --- Driving the model --------------------------------------------------------------------

/// What happens at one moment: a message (or a few keys) applied through `update`.
type Step = Box<dyn FnOnce(&mut Model)>;

/// Steps in time order. Before each, the clock ticks to its moment (the app ticks every
/// second, so `update` never sees a message from its future); at the end, to the frozen now.
#[derive(Default)]
pub struct Story {
    steps: Vec<(DateTime<Utc>, usize, Step)>,
}

impl Story {
    pub fn at(&mut self, t: DateTime<Utc>, step: impl FnOnce(&mut Model) + 'static) {
        let seq = self.steps.len();
        self.steps.push((t, seq, Box::new(step)));
    }

    /// A source's report, stamped `t`, as its task sends it.
    pub fn source(&mut self, t: DateTime<Utc>, source: &str, payload: SourcePayload) {
        let source = source.to_string();
        self.at(t, move |m| {
            send(m, source_msg(&source, t, payload));
        });
    }

    /// Apply every step in time order (same moment: in the order given), then tick to `until`.
    pub fn play(mut self, m: &mut Model, until: DateTime<Utc>) {
        self.steps.sort_by_key(|(t, seq, _)| (*t, *seq));
        for (t, _, step) in self.steps {
            tick(m, t);
            step(m);
        }
        tick(m, until);
    }
}

pub fn source_msg(source: &str, at: DateTime<Utc>, payload: SourcePayload) -> Msg {
    Msg::Source(SourceUpdate {
        source: source.to_string(),
        at,
        payload,
    })
}

/// One message through `update`, as the app loop applies it.
pub fn send(m: &mut Model, msg: Msg) -> Vec<sitrep::effect::Effect> {
    sitrep::update::update(m, msg)
}

/// The clock's tick, when it moves forward.
pub fn tick(m: &mut Model, t: DateTime<Utc>) {
    if t > m.now {
        send(m, Msg::Tick(t));
    }
}

/// Press one key through `update`, as the app loop does (capitals with Shift).
pub fn press(m: &mut Model, code: crossterm::event::KeyCode) -> Vec<sitrep::effect::Effect> {
    use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
    let mods = match code {
        KeyCode::Char(c) if c.is_ascii_uppercase() => KeyModifiers::SHIFT,
        _ => KeyModifiers::NONE,
    };
    send(m, Msg::Input(Event::Key(KeyEvent::new(code, mods))))
}

/// Type text, key by key.
pub fn type_text(m: &mut Model, text: &str) {
    for c in text.chars() {
        press(m, crossterm::event::KeyCode::Char(c));
    }
}

/// Press the key bound to `action` in the model's keymap.
pub fn act(m: &mut Model, action: sitrep::action::Action) -> Vec<sitrep::effect::Effect> {
    use crossterm::event::{Event, KeyEvent};
    let key = m.keymap.keys_for(action).into_iter().next().expect("bound");
    let spec = sitrep::config::keymap::KeySpec::parse(&key).expect("bound keys parse");
    send(
        m,
        Msg::Input(Event::Key(KeyEvent::new(spec.code, spec.mods))),
    )
}

/// A command typed at the `:` prompt.
pub fn command(m: &mut Model, text: &str) -> Vec<sitrep::effect::Effect> {
    use crossterm::event::KeyCode;
    press(m, KeyCode::Char(':'));
    type_text(m, text);
    press(m, KeyCode::Enter)
}

/// A `/` filter typed on the current screen (replacing the one there).
pub fn filter(m: &mut Model, text: &str) {
    use crossterm::event::KeyCode;
    press(m, KeyCode::Char('/'));
    // The prompt opens with the current filter selected: the first key replaces it.
    if text.is_empty() {
        press(m, KeyCode::Backspace);
    }
    type_text(m, text);
    press(m, KeyCode::Enter);
}

/// Go to a screen with its number key (its rows are rebuilt as it opens).
pub fn show(m: &mut Model, screen: sitrep::model::ui::Screen) {
    act(m, sitrep::action::Action::Screen(screen));
}

/// A fresh model as `sitrep` starts it: every configured source registered, none answered yet.
pub fn started(sources: Vec<SourceStatus>, at: DateTime<Utc>) -> Model {
    let settings = Settings {
        author: "alice".to_string(),
        demo: true,
        ..Settings::default()
    };
    let theme = Theme::builtin("dark").unwrap();
    let mut m = Model::new(settings, Keymap::default(), theme.clone(), vec![theme], at);
    m.sources = sources;
    m
}

/// The alert sources as configured (`SourceStatus::new`: connecting, as `model_for` makes them).
pub fn configured_alert_sources() -> Vec<SourceStatus> {
    vec![
        SourceStatus::new(
            "alertmanager",
            SourceKind::Alertmanager,
            "http://127.0.0.1:9093",
            "config.toml:4",
        ),
        SourceStatus::new(
            "prometheus",
            SourceKind::Prometheus,
            "http://127.0.0.1:9090",
            "config.toml:9",
        ),
        SourceStatus::new(
            "prod-eu",
            SourceKind::Alertmanager,
            "https://am.prod-eu.example.com",
            "config.toml:14",
        ),
    ]
}

pub const PROD_EU_TIMEOUT: &str =
    "request timed out after 10s: GET https://am.prod-eu.example.com/api/v2/alerts";

// --- The alerts, as the servers answer ----------------------------------------------------

fn labels(pairs: &[(&str, &str)]) -> Labels {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// One alert's life in Alertmanager: when it started firing, when it left the list
/// (resolved), and from when a silence covers it.
#[derive(Clone)]
pub struct AmAlert {
    pub labels: Labels,
    pub annotations: Labels,
    pub starts: i64,
    pub resolved: Option<i64>,
    pub silenced_from: Option<(i64, &'static str)>,
}

impl AmAlert {
    fn new(label_pairs: &[(&str, &str)], annotation_pairs: &[(&str, &str)], starts: i64) -> Self {
        AmAlert {
            labels: labels(label_pairs),
            annotations: labels(annotation_pairs),
            starts,
            resolved: None,
            silenced_from: None,
        }
    }

    fn listed_at(&self, secs_ago: i64) -> bool {
        self.starts >= secs_ago && self.resolved.is_none_or(|r| r < secs_ago)
    }

    /// `GET /api/v2/alerts` item, as Alertmanager v0.27 writes it at `secs_ago`.
    pub fn wire(&self, secs_ago: i64) -> Value {
        let silenced: Vec<&str> = self
            .silenced_from
            .filter(|(from, _)| *from >= secs_ago)
            .map(|(_, id)| id)
            .into_iter()
            .collect();
        json!({
            "labels": self.labels,
            "annotations": self.annotations,
            "startsAt": rfc3339(ago(self.starts)),
            "endsAt": rfc3339(ago(secs_ago) + Duration::minutes(4)),
            "updatedAt": rfc3339(ago(secs_ago)),
            "fingerprint": fingerprint(&self.labels),
            "receivers": [{"name": "oncall"}],
            "status": {
                "state": if silenced.is_empty() { "active" } else { "suppressed" },
                "silencedBy": silenced,
                "inhibitedBy": [],
                "mutedBy": [],
            },
        })
    }
}

/// Background noise: one alert on each of a dozen healthy-ish services.
const NOISE: [(&str, &str, &str, i64); 10] = [
    ("ads", "CPUThrottlingHigh", "info", 5400),
    ("auth", "CertificateExpiringSoon", "info", 86_400 * 3),
    ("cart", "KubeHpaMaxedOut", "info", 1500),
    ("currency", "CPUThrottlingHigh", "info", 7200),
    ("email", "QueueBacklogGrowing", "info", 900),
    ("fraud", "ModelDriftDetected", "info", 86_400),
    ("frontend", "KubeHpaMaxedOut", "info", 300),
    ("recommendations", "CPUThrottlingHigh", "info", 4000),
    ("shipping", "KubeHpaMaxedOut", "info", 2000),
    ("user-profile", "TargetDown", "info", 600),
];

fn high_error_rate_labels() -> Labels {
    labels(&[
        ("alertname", "HighErrorRate"),
        ("severity", "critical"),
        ("service", "checkout"),
        ("namespace", "shop"),
        ("cluster", "prod-us"),
    ])
}

fn high_error_rate_annotations() -> Labels {
    labels(&[
        ("summary", "5xx ratio 12.4% over 5m on checkout (SLO 1%)"),
        (
            "description",
            "The checkout API is failing one request in eight since the v2.14.0 rollout.",
        ),
        ("runbook_url", "high-error-rate.md"),
    ])
}

/// Every alert the main Alertmanager has held since sitrep started.
pub fn am_alerts() -> Vec<AmAlert> {
    let mut out = vec![
        AmAlert {
            labels: high_error_rate_labels(),
            annotations: high_error_rate_annotations(),
            starts: 5 * 60,
            resolved: None,
            silenced_from: None,
        },
        AmAlert::new(
            &[
                ("alertname", "KubePodCrashLooping"),
                ("severity", "warning"),
                ("service", "checkout"),
                ("namespace", "shop"),
                ("pod", "checkout-7d9f8b6c4-x2k4q"),
                ("container", "api"),
                ("cluster", "prod-us"),
            ],
            &[(
                "summary",
                "Pod shop/checkout-7d9f8b6c4-x2k4q (api) is restarting 7 times / 10 minutes",
            )],
            4 * 60,
        ),
        AmAlert::new(
            &[
                ("alertname", "Watchdog"),
                ("severity", "info"),
                ("prometheus", "monitoring/k8s"),
            ],
            &[(
                "summary",
                "An alert that should always be firing to certify that Alertmanager works.",
            )],
            86_400 * 2 + 3600,
        ),
        AmAlert {
            silenced_from: Some((3600, SILENCE_ID)),
            ..AmAlert::new(
                &[
                    ("alertname", "InventorySyncLag"),
                    ("severity", "warning"),
                    ("service", "inventory"),
                    ("namespace", "shop"),
                ],
                &[(
                    "summary",
                    "Inventory sync is 14 minutes behind the warehouse feed",
                )],
                3600 + 1200,
            )
        },
    ];
    for (svc, age) in [
        ("payments", 3 * 3600),
        ("ledger", 5 * 3600),
        ("reporting", 2 * 86_400),
    ] {
        out.push(AmAlert::new(
            &[
                ("alertname", "DiskSpaceLow"),
                ("severity", "warning"),
                ("service", svc),
                ("device", "/dev/nvme1n1"),
            ],
            &[("summary", "Volume data is 91% full and growing")],
            age,
        ));
    }
    for (svc, name, sev, age) in NOISE {
        out.push(AmAlert::new(
            &[("alertname", name), ("severity", sev), ("service", svc)],
            &[("summary", &format!("{name} on {svc}"))],
            age,
        ));
    }
    // frontend's HPA maxed out once before (from 40 to 14 minutes ago), then again 5 minutes ago.
    out.push(AmAlert {
        starts: 40 * 60,
        resolved: Some(14 * 60),
        ..out
            .iter()
            .find(|a| a.labels.get("service").map(String::as_str) == Some("frontend"))
            .cloned()
            .unwrap()
    });
    out
}

/// The silence bob put on InventorySyncLag an hour ago, for three hours (`GET /api/v2/silences`).
pub fn silence_wire() -> Value {
    json!({
        "id": SILENCE_ID,
        "status": {"state": "active"},
        "updatedAt": rfc3339(ago(3600)),
        "matchers": [
            {"name": "alertname", "value": "InventorySyncLag", "isRegex": false, "isEqual": true},
            {"name": "service", "value": "inventory", "isRegex": false, "isEqual": true},
        ],
        "startsAt": rfc3339(ago(3600)),
        "endsAt": rfc3339(now() + Duration::hours(2)),
        "createdBy": "bob",
        "comment": "Known: warehouse feed migration, fix rolling out (OPS-4312)",
    })
}

/// The silence as the Alertmanager client decodes it.
pub fn silence() -> Silence {
    use sitrep::sources::alertmanager::wire::{GettableSilence, to_silence};
    let wire: GettableSilence = serde_json::from_value(silence_wire()).unwrap();
    to_silence(wire, "alertmanager", now()).unwrap()
}

/// What the Alertmanager client makes of `GET /api/v2/alerts` and `/silences` answers.
pub fn decode_am(
    source: &str,
    alerts: Vec<Value>,
    silences: Vec<Value>,
    at: DateTime<Utc>,
) -> AlertsPayload {
    use sitrep::sources::alertmanager::wire::{
        GettableAlert, GettableSilence, to_alert, to_silence,
    };
    let alerts: Vec<GettableAlert> = serde_json::from_value(Value::Array(alerts)).unwrap();
    let silences: Vec<GettableSilence> = serde_json::from_value(Value::Array(silences)).unwrap();
    AlertsPayload {
        alerts: alerts
            .into_iter()
            .map(|a| to_alert(a, source, at))
            .collect(),
        silences: Some(
            silences
                .into_iter()
                .filter_map(|s| to_silence(s, source, at))
                .collect(),
        ),
    }
}

/// One alerting rule of Prometheus and the alerts it holds, by when they became active.
struct PromRule {
    name: &'static str,
    /// The rule's `for`, in seconds.
    hold: i64,
    labels: Labels,
    annotations: Labels,
    active: i64,
}

fn prom_rules() -> Vec<PromRule> {
    let rule = |name, hold, service: &str, sev, extra: &[(&str, &str)], summary: &str, active| {
        let mut l = labels(&[("alertname", name), ("severity", sev), ("service", service)]);
        l.extend(labels(extra));
        PromRule {
            name,
            hold,
            labels: l,
            annotations: labels(&[("summary", summary)]),
            active,
        }
    };
    vec![
        // The rule behind Alertmanager's HighErrorRate (same labels, same fingerprint): pending
        // for its two minutes, then firing from 5 minutes ago.
        PromRule {
            name: "HighErrorRate",
            hold: 120,
            labels: high_error_rate_labels(),
            annotations: high_error_rate_annotations(),
            active: 7 * 60,
        },
        rule(
            "HighLatency",
            300,
            "search",
            "warning",
            &[("route", "/api/search")],
            "p99 latency 1.8s over 5m (threshold 1s)",
            120,
        ),
        // Pending alerts are Prometheus' own: Alertmanager only ever hears of firing ones.
        rule(
            "TargetDown",
            300,
            "catalog",
            "warning",
            &[],
            "TargetDown on catalog",
            60,
        ),
        rule(
            "QueueBacklogGrowing",
            600,
            "notifications",
            "info",
            &[],
            "QueueBacklogGrowing on notifications",
            120,
        ),
    ]
}

/// `GET /api/v1/rules?type=alert` `data` at `secs_ago`, as the Prometheus client decodes it.
pub fn decode_prom(secs_ago: i64) -> AlertsPayload {
    use sitrep::sources::prometheus::wire::{RulesData, alerts_of};
    let rules: Vec<Value> = prom_rules()
        .into_iter()
        .map(|r| {
            let alerts: Vec<Value> = (r.active >= secs_ago)
                .then(|| {
                    let firing = r.active - r.hold >= secs_ago;
                    json!({
                        "labels": r.labels,
                        "annotations": r.annotations,
                        "state": if firing { "firing" } else { "pending" },
                        "activeAt": rfc3339(ago(r.active)),
                        "value": "1e+00",
                    })
                })
                .into_iter()
                .collect();
            json!({
                "type": "alerting",
                "name": r.name,
                "query": format!("{}_condition > 0", r.name),
                "duration": r.hold,
                "health": "ok",
                "state": if alerts.is_empty() { "inactive" } else { "firing" },
                "alerts": alerts,
            })
        })
        .collect();
    let data: RulesData = serde_json::from_value(
        json!({"groups": [{"name": "shop", "file": "shop.yml", "rules": rules}]}),
    )
    .unwrap();
    AlertsPayload {
        alerts: alerts_of(data, "prometheus", ago(secs_ago)),
        silences: None,
    }
}

/// The alert sources' reports from when sitrep started to the frozen now: every poll that
/// brought news, then the last answers (Alertmanager 3 s ago, Prometheus 5 s ago). prod-eu
/// answered (nothing firing there) until 41 s ago, then its polls timed out.
pub fn alert_story(story: &mut Story, with_alerts: bool) {
    let am = if with_alerts { am_alerts() } else { Vec::new() };
    let start = STARTED_SECS_AGO;
    let mut am_polls: Vec<i64> = vec![start, 3];
    for a in &am {
        am_polls.push(a.starts);
        am_polls.extend(a.resolved);
        am_polls.extend(a.silenced_from.map(|(t, _)| t));
    }
    am_polls.retain(|t| *t <= start);
    am_polls.sort_unstable_by(|a, b| b.cmp(a));
    am_polls.dedup();
    for t in am_polls {
        let listed: Vec<Value> = am
            .iter()
            .filter(|a| a.listed_at(t))
            .map(|a| a.wire(t))
            .collect();
        let silences = if with_alerts && t <= 3600 {
            vec![silence_wire()]
        } else {
            Vec::new()
        };
        let payload = decode_am("alertmanager", listed, silences, ago(t));
        story.source(ago(t), "alertmanager", SourcePayload::Alerts(payload));
    }
    let mut prom_polls: Vec<i64> = vec![start, 5];
    if with_alerts {
        for r in prom_rules() {
            prom_polls.push(r.active);
            prom_polls.push(r.active - r.hold);
        }
    }
    prom_polls.retain(|t| *t <= start && *t > 0);
    prom_polls.sort_unstable_by(|a, b| b.cmp(a));
    prom_polls.dedup();
    for t in prom_polls {
        let payload = if with_alerts {
            decode_prom(t)
        } else {
            AlertsPayload {
                alerts: Vec::new(),
                silences: None,
            }
        };
        story.source(ago(t), "prometheus", SourcePayload::Alerts(payload));
    }
    for t in [start, 41] {
        story.source(
            ago(t),
            "prod-eu",
            SourcePayload::Alerts(decode_am("prod-eu", Vec::new(), Vec::new(), ago(t))),
        );
    }
    // The next poll timed out after 10 s, and so did every retry since.
    for t in [21, 9] {
        story.source(
            ago(t),
            "prod-eu",
            SourcePayload::Error(PROD_EU_TIMEOUT.to_string()),
        );
    }
}

/// alice, on checkout, notes what she is doing (30 s ago).
fn alice_notes(story: &mut Story) {
    story.at(ago(30), |m| {
        use crossterm::event::KeyCode;
        // checkout is the most urgent service, first on the triage list.
        act(m, sitrep::action::Action::Top);
        assert_eq!(
            m.selected_service().map(|s| s.name.as_str()),
            Some("checkout")
        );
        press(m, KeyCode::Char('n'));
        type_text(m, "Paged payments on-call; looking at v2.14.0");
        press(m, KeyCode::Enter);
    });
}

/// The demo-incident model, as sitrep shows it at the frozen now.
pub fn model() -> Model {
    model_with(|_| {})
}

/// The demo-incident model, plus whatever `more` adds to the story.
pub fn model_with(more: impl FnOnce(&mut Story)) -> Model {
    let mut m = started(configured_alert_sources(), ago(STARTED_SECS_AGO));
    let mut story = Story::default();
    alert_story(&mut story, true);
    alice_notes(&mut story);
    more(&mut story);
    story.play(&mut m, now());
    m
}

/// The same sources, with no alerts at all since sitrep started.
pub fn quiet_model() -> Model {
    let mut m = started(configured_alert_sources(), ago(STARTED_SECS_AGO));
    let mut story = Story::default();
    alert_story(&mut story, false);
    story.play(&mut m, now());
    m
}

// --- Rendering ----------------------------------------------------------------------------

/// Render the model into a fresh buffer of `w`x`h`.
pub fn render_buffer(model: &Model, w: u16, h: u16) -> Buffer {
    let mut state = RenderState::default();
    render_with(model, &mut state, w, h)
}

pub fn render_with(model: &Model, state: &mut RenderState, w: u16, h: u16) -> Buffer {
    let mut terminal = Terminal::new(TestBackend::new(w, h)).unwrap();
    terminal.draw(|f| ui::render(model, state, f)).unwrap();
    terminal.backend().buffer().clone()
}

/// The buffer as the user sees it: one line per row, wide glyphs once, trailing blanks trimmed.
pub fn text(buf: &Buffer) -> String {
    rows(buf)
        .iter()
        .map(|r| r.trim_end().to_string())
        .collect::<Vec<_>>()
        .join("\n")
}

/// Every row untrimmed.
pub fn rows(buf: &Buffer) -> Vec<String> {
    let area = buf.area;
    let mut out = Vec::with_capacity(usize::from(area.height));
    for y in area.top()..area.bottom() {
        let mut row = String::new();
        let mut skip = 0u16;
        for x in area.left()..area.right() {
            let cell = &buf[(x, y)];
            if skip > 0 {
                skip -= 1;
                continue;
            }
            row.push_str(cell.symbol());
            skip = cell.cell_width().max(1) - 1;
        }
        out.push(row);
    }
    out
}

pub fn render_text(model: &Model, w: u16, h: u16) -> String {
    text(&render_buffer(model, w, h))
}

/// (x, y) of the first occurrence of `needle` on a row that also contains `on_row`.
pub fn find(buf: &Buffer, on_row: &str, needle: &str) -> Option<(u16, u16)> {
    let area = buf.area;
    for y in area.top()..area.bottom() {
        // Walk cells so x is a buffer column even after wide glyphs.
        let mut cols: Vec<(u16, &str)> = Vec::new();
        let mut skip = 0u16;
        for x in area.left()..area.right() {
            let cell = &buf[(x, y)];
            if skip > 0 {
                skip -= 1;
                continue;
            }
            cols.push((x, cell.symbol()));
            skip = cell.cell_width().max(1) - 1;
        }
        let row: String = cols.iter().map(|(_, s)| *s).collect();
        if !row.contains(on_row) {
            continue;
        }
        if let Some(byte) = row.find(needle) {
            // Map the byte offset back to a column.
            let mut acc = 0;
            for (x, s) in &cols {
                if acc == byte {
                    return Some((*x, y));
                }
                acc += s.len();
            }
        }
    }
    None
}
