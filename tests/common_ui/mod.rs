//! Fixtures for rendering tests: a Model frozen at 2026-11-23T03:12:00Z in the middle of the
//! demo incident (checkout on fire, a silenced warning on inventory, a pending alert on search,
//! background noise on a dozen more services), and helpers to render it to text.

#![allow(dead_code)]

use chrono::{DateTime, Duration, TimeZone, Utc};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::{Buffer, CellWidth};
use sitrep::config::keymap::Keymap;
use sitrep::config::settings::Settings;
use sitrep::config::theme::Theme;
use sitrep::model::Model;
use sitrep::model::alert::{Alert, AlertState, Labels, fingerprint};
use sitrep::model::silence::{Matcher, Silence, SilenceState};
use sitrep::model::source::{SourceKind, SourceState, SourceStatus};
use sitrep::model::timeline::{EventKind, EventSource, TimelineEvent};
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

fn labels(pairs: &[(&str, &str)]) -> Labels {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

pub fn alert(
    source: &str,
    label_pairs: &[(&str, &str)],
    annotation_pairs: &[(&str, &str)],
    state: AlertState,
    age_secs: i64,
) -> Alert {
    let labels = labels(label_pairs);
    Alert {
        fingerprint: fingerprint(&labels),
        labels,
        annotations: self::labels(annotation_pairs),
        state,
        starts_at: ago(age_secs),
        ends_at: None,
        generator_url: None,
        silenced_by: Vec::new(),
        inhibited_by: Vec::new(),
        muted_by: Vec::new(),
        receivers: vec!["oncall".to_string()],
        source: source.to_string(),
        also_from: Vec::new(),
        digest: 0,
    }
}

pub fn sources() -> Vec<SourceStatus> {
    let mut am = SourceStatus::new(
        "alertmanager",
        SourceKind::Alertmanager,
        "http://127.0.0.1:9093",
        "config.toml:4",
    );
    am.state = SourceState::Ok;
    am.last_ok = Some(ago(3));
    let mut prom = SourceStatus::new(
        "prometheus",
        SourceKind::Prometheus,
        "http://127.0.0.1:9090",
        "config.toml:9",
    );
    prom.state = SourceState::Ok;
    prom.last_ok = Some(ago(5));
    let mut eu = SourceStatus::new(
        "prod-eu",
        SourceKind::Alertmanager,
        "https://am.prod-eu.example.com",
        "config.toml:14",
    );
    eu.state = SourceState::Failing;
    eu.last_ok = Some(ago(41));
    eu.last_error = Some(
        "request timed out after 10s: GET https://am.prod-eu.example.com/api/v2/alerts".into(),
    );
    eu.consecutive_failures = 4;
    vec![am, prom, eu]
}

/// Background noise: one alert on each of a dozen healthy-ish services.
const NOISE: [(&str, &str, &str, AlertState, i64); 12] = [
    ("ads", "CPUThrottlingHigh", "info", AlertState::Firing, 5400),
    (
        "auth",
        "CertificateExpiringSoon",
        "info",
        AlertState::Firing,
        86_400 * 3,
    ),
    ("cart", "KubeHpaMaxedOut", "info", AlertState::Firing, 1500),
    ("catalog", "TargetDown", "warning", AlertState::Pending, 60),
    (
        "currency",
        "CPUThrottlingHigh",
        "info",
        AlertState::Firing,
        7200,
    ),
    (
        "email",
        "QueueBacklogGrowing",
        "info",
        AlertState::Firing,
        900,
    ),
    (
        "fraud",
        "ModelDriftDetected",
        "info",
        AlertState::Firing,
        86_400,
    ),
    (
        "frontend",
        "KubeHpaMaxedOut",
        "info",
        AlertState::Firing,
        300,
    ),
    (
        "notifications",
        "QueueBacklogGrowing",
        "info",
        AlertState::Pending,
        120,
    ),
    (
        "recommendations",
        "CPUThrottlingHigh",
        "info",
        AlertState::Firing,
        4000,
    ),
    (
        "shipping",
        "KubeHpaMaxedOut",
        "info",
        AlertState::Firing,
        2000,
    ),
    (
        "user-profile",
        "TargetDown",
        "info",
        AlertState::Firing,
        600,
    ),
];

pub fn am_alerts() -> Vec<Alert> {
    let am = "alertmanager";
    let mut out = vec![
        alert(
            am,
            &[
                ("alertname", "HighErrorRate"),
                ("severity", "critical"),
                ("service", "checkout"),
                ("namespace", "shop"),
                ("cluster", "prod-us"),
            ],
            &[
                ("summary", "5xx ratio 12.4% over 5m on checkout (SLO 1%)"),
                (
                    "description",
                    "The checkout API is failing one request in eight since the v2.14.0 rollout.",
                ),
                ("runbook_url", "high-error-rate.md"),
            ],
            AlertState::Firing,
            5 * 60,
        ),
        alert(
            am,
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
            AlertState::Firing,
            4 * 60,
        ),
        alert(
            am,
            &[
                ("alertname", "Watchdog"),
                ("severity", "info"),
                ("prometheus", "monitoring/k8s"),
            ],
            &[(
                "summary",
                "An alert that should always be firing to certify that Alertmanager works.",
            )],
            AlertState::Firing,
            86_400 * 2 + 3600,
        ),
    ];
    let mut silenced = alert(
        am,
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
        AlertState::Silenced,
        3600 + 1200,
    );
    silenced.silenced_by = vec![SILENCE_ID.to_string()];
    out.push(silenced);
    for (svc, age) in [
        ("payments", 3 * 3600),
        ("ledger", 5 * 3600),
        ("reporting", 2 * 86_400),
    ] {
        out.push(alert(
            am,
            &[
                ("alertname", "DiskSpaceLow"),
                ("severity", "warning"),
                ("service", svc),
                ("device", "/dev/nvme1n1"),
            ],
            &[("summary", "Volume data is 91% full and growing")],
            AlertState::Firing,
            age,
        ));
    }
    for (svc, name, sev, state, age) in NOISE {
        out.push(alert(
            am,
            &[("alertname", name), ("severity", sev), ("service", svc)],
            &[("summary", &format!("{name} on {svc}"))],
            state,
            age,
        ));
    }
    out
}

pub fn prom_alerts() -> Vec<Alert> {
    let prom = "prometheus";
    // The same HighErrorRate as Alertmanager's (same labels, same fingerprint): merged, +1 peer.
    let mut same = am_alerts()[0].clone();
    same.source = prom.to_string();
    vec![
        same,
        alert(
            prom,
            &[
                ("alertname", "HighLatency"),
                ("severity", "warning"),
                ("service", "search"),
                ("route", "/api/search"),
            ],
            &[("summary", "p99 latency 1.8s over 5m (threshold 1s)")],
            AlertState::Pending,
            120,
        ),
    ]
}

pub fn silence() -> Silence {
    Silence {
        id: SILENCE_ID.to_string(),
        source: "alertmanager".to_string(),
        matchers: vec![
            Matcher::equal("alertname", "InventorySyncLag"),
            Matcher::equal("service", "inventory"),
        ],
        starts_at: ago(3600),
        ends_at: now() + Duration::hours(2),
        created_by: "bob".to_string(),
        comment: "Known: warehouse feed migration, fix rolling out (OPS-4312)".to_string(),
        state: SilenceState::Active,
    }
}

fn event(
    kind: EventKind,
    source: EventSource,
    secs_ago: i64,
    service: &str,
    summary: &str,
) -> TimelineEvent {
    let mut e = TimelineEvent::new(kind, source, ago(secs_ago), ago(secs_ago), summary);
    if !service.is_empty() {
        e.refs.service = Some(service.to_string());
    }
    e
}

pub fn timeline() -> Vec<TimelineEvent> {
    use EventKind::{AlertFiring, AlertResolved, AlertSilenced, Note};
    use EventSource::{Alertmanager, Sitrep, User};
    let mut note = event(
        Note,
        User,
        30,
        "checkout",
        "Paged payments on-call; looking at v2.14.0",
    );
    note.actor = "alice".to_string();
    vec![
        event(
            AlertFiring,
            Alertmanager,
            3 * 3600,
            "payments",
            "DiskSpaceLow firing on payments (warning)",
        ),
        event(
            AlertSilenced,
            Alertmanager,
            3600,
            "inventory",
            "InventorySyncLag silenced by bob for 3h",
        ),
        event(
            AlertFiring,
            Alertmanager,
            25 * 60,
            "cart",
            "KubeHpaMaxedOut firing on cart (info)",
        ),
        event(
            AlertResolved,
            Alertmanager,
            14 * 60,
            "frontend",
            "KubeHpaMaxedOut resolved on frontend",
        ),
        event(
            AlertFiring,
            Alertmanager,
            5 * 60,
            "checkout",
            "HighErrorRate firing on checkout (critical)",
        ),
        event(
            AlertFiring,
            Alertmanager,
            4 * 60,
            "checkout",
            "KubePodCrashLooping firing on checkout (warning)",
        ),
        event(
            EventKind::SourceStatus,
            Sitrep,
            41,
            "",
            "prod-eu failing: request timed out after 10s",
        ),
        note,
    ]
}

/// The demo-incident model, derived views built.
pub fn model() -> Model {
    let settings = Settings {
        author: "alice".to_string(),
        demo: true,
        ..Settings::default()
    };
    let theme = Theme::builtin("dark").unwrap();
    let mut model = Model::new(
        settings,
        Keymap::default(),
        theme.clone(),
        vec![theme],
        now(),
    );
    model.sources = sources();
    model
        .alerts
        .replace_source("alertmanager", SourceKind::Alertmanager, am_alerts());
    model
        .alerts
        .replace_source("prometheus", SourceKind::Prometheus, prom_alerts());
    model.silences.insert(SILENCE_ID.to_string(), silence());
    for e in timeline() {
        sitrep::update::push_event(&mut model, e);
    }
    model.rederive();
    model
}

/// A model with no alerts at all (sources as usual).
pub fn quiet_model() -> Model {
    let mut m = model();
    m.alerts = Default::default();
    m.silences.clear();
    m.timeline.clear();
    m.rederive();
    m
}

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
