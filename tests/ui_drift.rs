//! The Drift screen, its diff pane, the deploy diff and the staged sync's plan, as snapshots at
//! 120x40 and 80x24 with time frozen, plus the styles that carry meaning (`+` lines ok, `-`
//! lines critical, hunk headers info). The drift store is built as the classifier would leave
//! it; keys go through `update`.

mod common_ui;

use chrono::Duration;
use common_ui::*;
use crossterm::event::KeyCode;
use ratatui::buffer::Buffer;
use ratatui::style::Color;
use sitrep::drift::{
    AppDrift, Cause, CauseKind, ChangedPath, DiffLine, FieldWriter, LineKind, ResourceChange,
    ResourceDiff, RevisionMeta, RevisionMove,
};
use sitrep::model::Model;
use sitrep::model::app::AppKey;
use sitrep::model::drift::{AppDriftEntry, DriftGroup, GroupChange};
use sitrep::model::drift_view::{self, DeployDiffState, DeployDiffView};
use sitrep::model::source::{SourceKind, SourceState, SourceStatus};
use sitrep::model::ui::Screen;
use std::sync::Arc;

const SIZES: [(u16, u16); 2] = [(120, 40), (80, 24)];
const SHA: &str = "4f2a1c9e8b7d6c5a4f3e2d1c0b9a8f7e6d5c4b3a";

fn snap_both(name: &str, model: &Model) {
    for (w, h) in SIZES {
        insta::assert_snapshot!(format!("{name}_{w}x{h}"), render_text(model, w, h));
    }
}

fn fg(buf: &Buffer, (x, y): (u16, u16)) -> Color {
    buf[(x, y)].fg
}

fn key(name: &str) -> AppKey {
    AppKey {
        instance: "argocd".into(),
        namespace: "argocd".into(),
        name: name.into(),
    }
}

fn line(kind: LineKind, text: &str) -> DiffLine {
    DiffLine {
        kind,
        text: text.into(),
    }
}

fn writer(manager: &str, mins: i64) -> Option<FieldWriter> {
    Some(FieldWriter {
        manager: manager.into(),
        operation: "Update".into(),
        subresource: if manager == "kubectl-scale" {
            "scale".into()
        } else {
            String::new()
        },
        time: Some(now() - Duration::minutes(mins)),
    })
}

fn redis(ns: &str) -> ResourceDiff {
    ResourceDiff {
        group: "apps".into(),
        kind: "StatefulSet".into(),
        namespace: ns.into(),
        name: "redis".into(),
        change: ResourceChange::Modified,
        lines: vec![
            line(LineKind::Hunk, "@@ -12,7 +12,7 @@"),
            line(LineKind::Context, "    spec:"),
            line(LineKind::Context, "      containers:"),
            line(LineKind::Context, "      - name: redis"),
            line(LineKind::Removed, "        image: redis:7.0.15"),
            line(LineKind::Added, "        image: redis:7.2.4"),
            line(LineKind::Context, "        ports:"),
            line(LineKind::Hunk, "@@ -30,4 +30,5 @@"),
            line(LineKind::Context, "        resources:"),
            line(LineKind::Added, "          limits: {memory: 512Mi}"),
            line(
                LineKind::Context,
                "        args: [\"--maxmemory-policy\", \"allkeys-lru\", \"--save\", \"\", \"--appendonly\", \"no\", \"--tcp-keepalive\", \"60\"]",
            ),
        ],
        hunks: vec![0, 7],
        added: 2,
        removed: 1,
        paths: vec![ChangedPath {
            path: "spec.template.spec.containers[name=redis].image".into(),
            writer: None,
        }],
        masked: false,
        note: None,
    }
}

fn replicas(ns: &str, name: &str) -> ResourceDiff {
    ResourceDiff {
        group: "apps".into(),
        kind: "Deployment".into(),
        namespace: ns.into(),
        name: name.into(),
        change: ResourceChange::Modified,
        lines: vec![
            line(LineKind::Hunk, "@@ -8,3 +8,3 @@"),
            line(LineKind::Context, "spec:"),
            line(LineKind::Removed, "  replicas: 6"),
            line(LineKind::Added, "  replicas: 3"),
        ],
        hunks: vec![0],
        added: 1,
        removed: 1,
        paths: vec![ChangedPath {
            path: "spec.replicas".into(),
            writer: writer("kubectl-scale", 9),
        }],
        masked: false,
        note: None,
    }
}

fn secret() -> ResourceDiff {
    ResourceDiff {
        group: String::new(),
        kind: "Secret".into(),
        namespace: "search".into(),
        name: "search-creds".into(),
        change: ResourceChange::Modified,
        lines: vec![
            line(LineKind::Hunk, "@@ -3,2 +3,2 @@"),
            line(LineKind::Removed, "  password: '*** (hidden)'"),
            line(LineKind::Added, "  password: '*** (hidden, changed)'"),
        ],
        hunks: vec![0],
        added: 1,
        removed: 1,
        paths: vec![ChangedPath {
            path: "data.password".into(),
            writer: writer("kubectl-edit", 30),
        }],
        masked: true,
        note: None,
    }
}

fn entry(
    name: &str,
    cause: Cause,
    production: bool,
    resources: Vec<ResourceDiff>,
) -> AppDriftEntry {
    AppDriftEntry {
        cause,
        drift: Some(Arc::new(AppDrift {
            key: key(name),
            resource_version: "7".into(),
            fetched_at: now(),
            resources,
            error: None,
        })),
        production,
        group: String::new(),
    }
}

fn git_move() -> RevisionMove {
    RevisionMove {
        repo: "https://github.com/acme/platform-charts.git".into(),
        source_index: 0,
        chart: String::new(),
        from: "0765b95aa0".into(),
        to: SHA.into(),
    }
}

/// Three causes: a shared chart commit (3 apps, one production), a hand scale (2 apps), a
/// comparison error (1 app).
fn drift_model() -> Model {
    let mut argocd = SourceStatus::new("argocd", SourceKind::Argocd, "https://argocd", "test");
    argocd.state = SourceState::Ok;
    argocd.last_ok = Some(now());
    let mut m = started(vec![argocd], now() - Duration::seconds(30));
    let git = Cause {
        kind: CauseKind::Git,
        revision: Some(git_move()),
        reason: None,
    };
    let live = Cause {
        kind: CauseKind::Live,
        revision: None,
        reason: None,
    };
    let unknown = Cause {
        kind: CauseKind::Unknown,
        revision: None,
        reason: Some("ComparisonError: rpc error: helm template failed".into()),
    };
    let d = &mut m.drift;
    d.apps.insert(
        key("cart-prod"),
        entry("cart-prod", git.clone(), true, vec![redis("cart")]),
    );
    d.apps.insert(
        key("search-staging"),
        entry(
            "search-staging",
            git.clone(),
            false,
            vec![redis("search"), secret()],
        ),
    );
    d.apps.insert(
        key("orders-staging"),
        entry("orders-staging", git, false, vec![redis("orders")]),
    );
    d.apps.insert(
        key("checkout-prod"),
        entry(
            "checkout-prod",
            live.clone(),
            true,
            vec![replicas("payments", "checkout")],
        ),
    );
    d.apps.insert(
        key("ledger-prod"),
        entry(
            "ledger-prod",
            live,
            true,
            vec![replicas("ledger", "ledger")],
        ),
    );
    d.apps.insert(
        key("recs-prod"),
        AppDriftEntry {
            cause: unknown,
            drift: None,
            production: true,
            group: String::new(),
        },
    );
    d.groups = vec![
        DriftGroup {
            id: format!("git:{}@{SHA}", git_move().repo),
            cause: CauseKind::Git,
            summary: "git 4f2a1c9 \"bump shared redis chart to 7.2\" by Alice 14m ago — 3 apps"
                .into(),
            apps: vec![
                key("cart-prod"),
                key("orders-staging"),
                key("search-staging"),
            ],
            production: 1,
            revision: Some(git_move()),
            meta: Some(Arc::new(RevisionMeta {
                author: "Alice Example <alice@example.com>".into(),
                date: Some(now() - Duration::minutes(14)),
                message: "bump shared redis chart to 7.2\n\nLonger body.".into(),
                tags: vec![],
            })),
            changes: vec![],
            error: None,
            since: Some(now() - Duration::minutes(14)),
        },
        DriftGroup {
            id: "live:Deployment spec.replicas kubectl-scale".into(),
            cause: CauseKind::Live,
            summary: "live Deployment spec.replicas by kubectl-scale 9m ago — 2 apps".into(),
            apps: vec![key("checkout-prod"), key("ledger-prod")],
            production: 2,
            revision: None,
            meta: None,
            changes: vec![GroupChange {
                group: "apps".into(),
                kind: "Deployment".into(),
                namespace: "payments".into(),
                name: "checkout".into(),
                path: "spec.replicas".into(),
                writer: writer("kubectl-scale", 9),
            }],
            error: None,
            since: Some(now() - Duration::minutes(9)),
        },
        DriftGroup {
            id: "unknown:ComparisonError".into(),
            cause: CauseKind::Unknown,
            summary: "unknown: ComparisonError: rpc error: helm template failed — 1 app".into(),
            apps: vec![key("recs-prod")],
            production: 1,
            revision: None,
            meta: None,
            changes: vec![],
            error: Some("ComparisonError: rpc error: helm template failed".into()),
            since: None,
        },
    ];
    tick(&mut m, now());
    show(&mut m, Screen::Drift);
    m
}

/// The git group open, its second app's resources shown, the redis diff opened.
fn opened() -> Model {
    let mut m = drift_model();
    press(&mut m, KeyCode::Enter); // the git group
    press(&mut m, KeyCode::Down); // cart-prod
    press(&mut m, KeyCode::Enter);
    press(&mut m, KeyCode::Down); // its StatefulSet
    press(&mut m, KeyCode::Enter);
    m
}

#[test]
fn groups_collapsed() {
    snap_both("drift_groups", &drift_model());
}

#[test]
fn a_resource_diff_opened() {
    snap_both("drift_diff", &opened());
}

#[test]
fn diff_lines_carry_their_styles() {
    let mut m = opened();
    // The first hunk at the top, so the small size shows it too.
    press(&mut m, KeyCode::Char(']'));
    let theme = &m.theme;
    for (w, h) in SIZES {
        let buf = render_buffer(&m, w, h);
        let plus = find(&buf, "image: redis:7.2.4", "+").expect("an added line");
        assert_eq!(fg(&buf, plus), theme.ok.fg.unwrap(), "{w}x{h} + line");
        let minus = find(&buf, "image: redis:7.0.15", "-").expect("a removed line");
        assert_eq!(
            fg(&buf, minus),
            theme.critical.fg.unwrap(),
            "{w}x{h} - line"
        );
        let hunk = find(&buf, "@@ -12,7 +12,7 @@", "@@").expect("a hunk header");
        assert_eq!(fg(&buf, hunk), theme.info.fg.unwrap(), "{w}x{h} hunk");
    }
}

#[test]
fn the_git_group_says_how_to_revert_the_commit() {
    let text = render_text(&opened(), 120, 40);
    assert!(text.contains("commit 4f2a1c9"), "{text}");
    assert!(
        text.contains("If this change was not intended, revert the commit:"),
        "{text}"
    );
    assert!(text.contains("git revert 4f2a1c9 (y copies)"), "{text}");
}

#[test]
fn a_secret_says_values_are_hidden() {
    let mut m = drift_model();
    press(&mut m, KeyCode::Enter); // git group
    for _ in 0..3 {
        press(&mut m, KeyCode::Down); // search-staging
    }
    press(&mut m, KeyCode::Enter);
    press(&mut m, KeyCode::Down);
    press(&mut m, KeyCode::Down); // its Secret
    press(&mut m, KeyCode::Enter);
    let text = render_text(&m, 120, 40);
    assert!(
        text.contains("Secret: values hidden; changed keys only"),
        "{text}"
    );
    assert!(
        text.contains("data.password ← kubectl-edit (Update)"),
        "{text}"
    );
}

#[test]
fn live_paths_name_their_writer() {
    let mut m = drift_model();
    press(&mut m, KeyCode::Down); // the live group
    press(&mut m, KeyCode::Enter);
    press(&mut m, KeyCode::Down);
    press(&mut m, KeyCode::Enter);
    press(&mut m, KeyCode::Down);
    press(&mut m, KeyCode::Enter);
    let text = render_text(&m, 120, 40);
    assert!(
        text.contains("spec.replicas ← kubectl-scale (Update, scale) 9m ago"),
        "{text}"
    );
}

#[test]
fn empty_only_when_argo_cd_answers() {
    let mut m = drift_model();
    m.drift.groups.clear();
    drift_view::rebuild(&mut m);
    snap_both("drift_empty", &m);
    assert!(render_text(&m, 80, 24).contains("No app is OutOfSync"));
    if let Some(s) = m.sources.iter_mut().find(|s| s.name == "argocd") {
        s.state = SourceState::Failing;
        s.last_error = Some("connection refused".into());
    }
    let text = render_text(&m, 80, 24);
    assert!(!text.contains("No app is OutOfSync"), "{text}");
    assert!(
        text.contains("Unknown: argocd is failing: connection refused"),
        "{text}"
    );
}

#[test]
fn deploy_diff_mode() {
    let mut m = drift_model();
    m.drift_screen.deploy = Some(DeployDiffView {
        request_id: 9,
        key: key("checkout-prod"),
        from: vec!["0765b95aa0".into()],
        to: vec!["74dd23a11b".into()],
        state: DeployDiffState::Ready(vec![replicas("payments", "checkout"), redis("payments")]),
        back_to: Screen::Deploys,
    });
    snap_both("drift_deploy_diff", &m);
    m.drift_screen.deploy.as_mut().unwrap().state = DeployDiffState::Loading;
    assert!(
        render_text(&m, 80, 24).contains("what checkout-prod 74dd23a11b changed since 0765b95aa0")
    );
}

#[test]
fn staged_sync_plan_popup() {
    let mut m = opened();
    press(&mut m, KeyCode::Tab); // back to the list
    press(&mut m, KeyCode::Char('g'));
    press(&mut m, KeyCode::Char('S'));
    assert!(m.popup.is_some(), "{:?}", m.flash);
    snap_both("drift_sync_plan", &m);
    let text = render_text(&m, 120, 40);
    assert!(text.contains("type 3 (the number of apps)"), "{text}");
}

#[test]
fn a_huge_diff_renders_only_what_shows() {
    let mut m = drift_model();
    let mut big = redis("cart");
    big.lines = (0..10_000)
        .map(|i| line(LineKind::Added, &format!("  key{i}: value")))
        .collect();
    big.hunks = vec![];
    m.drift.apps.insert(
        key("cart-prod"),
        entry(
            "cart-prod",
            m.drift.apps[&key("cart-prod")].cause.clone(),
            true,
            vec![big],
        ),
    );
    press(&mut m, KeyCode::Enter);
    press(&mut m, KeyCode::Down);
    press(&mut m, KeyCode::Enter);
    press(&mut m, KeyCode::Down);
    press(&mut m, KeyCode::Enter);
    press(&mut m, KeyCode::Char('G'));
    let text = render_text(&m, 120, 40);
    assert!(text.contains("key9999: value"), "{text}");
    assert!(drift_view::doc_lines(m.drift_screen.document(), 5_000, 30).len() == 30);
}

#[test]
fn a_running_staged_sync_shows_its_progress_on_the_header() {
    use sitrep::model::drift_sync::PlanStage;
    let mut m = opened();
    press(&mut m, KeyCode::Tab);
    press(&mut m, KeyCode::Char('g'));
    press(&mut m, KeyCode::Char('S'));
    m.popup = None;
    let plan = m.drift_screen.plan.as_mut().unwrap();
    plan.stage = PlanStage::Wave(1);
    plan.finished_waves = 1;
    let text = render_text(&m, 120, 40);
    assert!(
        text.contains("⟳ staged sync: wave 1 of 1 syncing (search-staging, cart-prod) · 1/2 waves done · x cancels before the next"),
        "{text}"
    );
    // The canary done, settling before wave 1: the line says what it waits for.
    let plan = m.drift_screen.plan.as_mut().unwrap();
    plan.stage = PlanStage::Wave(0);
    plan.waiting = Some("canary healthy, waiting 30 s (12 s left)".into());
    let text = render_text(&m, 120, 40);
    assert!(
        text.contains("⟳ staged sync: canary healthy, waiting 30 s (12 s left) · 1/2 waves done"),
        "{text}"
    );
    let plan = m.drift_screen.plan.as_mut().unwrap();
    plan.stage = PlanStage::Stopped("the sync of cart-prod failed: hook failed".into());
    let buf = render_buffer(&m, 80, 24);
    let at = find(&buf, "STOPPED", "✗").expect("the stop is said");
    assert_eq!(fg(&buf, at), m.theme.critical.fg.unwrap());
}
