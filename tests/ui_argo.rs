//! The Argo CD parts of the renderer: triage columns and sections, the change feed, the Apps
//! and Deploys screens, the app detail view and the rollback / sync / confirm popups, as
//! snapshots at 120x40 and 80x24 with time frozen, plus the styles that carry meaning.

mod common_ui;

use common_ui::*;
use crossterm::event::KeyCode;
use ratatui::buffer::Buffer;
use ratatui::style::{Color, Modifier};
use sitrep::config::theme::Theme;
use sitrep::model::Model;
use sitrep::model::app::{HealthStatus, SyncStatus};
use sitrep::model::popup::{ConfirmAction, ConfirmKind, FormStage, Popup, RollbackStage, SyncForm};
use sitrep::model::ui::{Screen, TriagePane};

const SIZES: [(u16, u16); 2] = [(120, 40), (80, 24)];

fn snap_both(name: &str, model: &Model) {
    for (w, h) in SIZES {
        insta::assert_snapshot!(format!("{name}_{w}x{h}"), render_text(model, w, h));
    }
}

fn fg(buf: &Buffer, (x, y): (u16, u16)) -> Color {
    buf[(x, y)].fg
}

fn apps_model() -> Model {
    let mut m = argo_model();
    show(&mut m, Screen::Apps);
    act(&mut m, sitrep::action::Action::Top);
    m
}

fn app_detail_model() -> Model {
    let mut m = apps_model();
    m.app_open = Some(app_key(CHECKOUT_APP));
    m
}

fn deploys_model() -> Model {
    let mut m = argo_model();
    show(&mut m, Screen::Deploys);
    m.deploys_cursor.selected = 1;
    m
}

fn with_popup(popup: Popup) -> Model {
    let mut m = argo_model();
    m.popup = Some(popup);
    m
}

/// checkout-prod's rollback picker, opened with `R` on the triage screen (checkout selected).
fn rollback_pick() -> Model {
    let mut m = argo_model();
    assert_eq!(
        m.selected_service().map(|s| s.name.as_str()),
        Some("checkout")
    );
    press(&mut m, KeyCode::Char('R'));
    assert!(matches!(&m.popup, Some(Popup::Rollback(f)) if f.stage == RollbackStage::Pick));
    m
}

/// The review of checkout-prod's rollback (auto-sync to be turned off first, so no dry run),
/// with `typed` of the production app's name typed.
fn rollback_review(typed: &str) -> Model {
    let mut m = rollback_pick();
    press(&mut m, KeyCode::Char('a'));
    press(&mut m, KeyCode::Enter);
    type_text(&mut m, typed);
    assert!(matches!(&m.popup, Some(Popup::Rollback(f)) if f.stage == RollbackStage::Confirm));
    m
}

/// The rollback confirmed: sent, not answered yet. Returns its request id.
fn rollback_in_flight() -> (Model, u64) {
    let mut m = rollback_review(CHECKOUT_APP);
    let effects = press(&mut m, KeyCode::Enter);
    let request = effects
        .iter()
        .find_map(|e| match e {
            sitrep::effect::Effect::Rollback { request_id, .. } => Some(*request_id),
            _ => None,
        })
        .expect("the rollback is sent");
    (m, request)
}

/// checkout-prod after sitrep turned auto-sync off and rolled it back: Argo CD accepted it and
/// the rollback runs (Git still says v2.14.0): healing.
fn watching_model() -> Model {
    let (mut m, request) = rollback_in_flight();
    accepted(&mut m, request, CHECKOUT_APP, checkout_rolling_back(0));
    assert!(matches!(&m.popup, Some(Popup::Rollback(f)) if f.stage == RollbackStage::Watching));
    m
}

fn sync_form(stage: FormStage) -> SyncForm {
    let mut form = SyncForm {
        prune: true,
        stage,
        ..SyncForm::new(app_key("search-prod"), true)
    };
    form.confirm.typed = "search-pr".to_string();
    form
}

/// frontend-prod is production: its name must be typed.
fn terminate() -> Popup {
    Popup::Confirm(ConfirmAction::new(
        app_key("frontend-prod"),
        ConfirmKind::Terminate,
        true,
    ))
}

// --- Triage -------------------------------------------------------------------------------

#[test]
fn triage_with_argo() {
    snap_both("triage_argo", &argo_model());
}

#[test]
fn triage_detail_lists_apps_and_deploys() {
    let m = argo_model();
    let text = render_text(&m, 120, 40);
    for needed in [
        "checkout-prod  Degraded Synced  v2.14.0  auto-sync on",
        "6m SUSPECT  v2.14.0  ci-bot  succeeded",
        "argocd ✓ live",
        "SUSPECT checkout-prod v2.14.0 by ci-bot · succeeded",
        "⊘ auto-sync OFF: 1 app",
    ] {
        assert!(text.contains(needed), "lacks {needed:?}:\n{text}");
    }
    // payments: the reminder in words in the detail pane.
    let mut m = argo_model();
    m.triage.selected = m
        .visible_services()
        .iter()
        .position(|s| s.name == "payments")
        .unwrap();
    let text = render_text(&m, 120, 40);
    assert!(
        text.contains("⊘ auto-sync OFF (turned off by sitrep for a rollback)"),
        "{text}"
    );
    assert!(text.contains("↶ rollback"), "{text}");
    // A service without an app: configured, but nothing mapped.
    m.triage.selected = m
        .visible_services()
        .iter()
        .position(|s| s.name == "(no service)")
        .unwrap();
    let text = render_text(&m, 120, 40);
    assert!(
        text.contains("no Argo CD app mapped to this service"),
        "{text}"
    );
    assert!(text.contains("no deploys seen for this service"), "{text}");
}

#[test]
fn triage_without_argo_keeps_not_configured() {
    let text = render_text(&model(), 120, 40);
    assert!(text.contains("Apps     not configured — add an Argo CD source"));
    assert!(text.contains("Deploys  not configured — add an Argo CD source"));
    let text = render_text(&model(), 200, 60);
    assert!(text.contains("Recent deploys not configured — add an Argo CD source"));
    assert!(text.contains("no Argo CD or cluster configured: alert changes only"));
}

#[test]
fn status_line_says_when_the_stream_is_down() {
    let mut m = argo_model();
    let last = rows(&render_buffer(&m, 120, 40)).pop().unwrap();
    assert!(last.contains("argocd ✓ live"), "{last}");
    let s = m.source_mut("argocd").unwrap();
    s.live = Some(false);
    s.last_ok = Some(ago(12));
    let last = rows(&render_buffer(&m, 120, 40)).pop().unwrap();
    assert!(last.contains("argocd ✓ 12s not live"), "{last}");
}

// --- Apps and Deploys screens -------------------------------------------------------------

#[test]
fn apps_screen() {
    snap_both("apps_argo", &apps_model());
}

#[test]
fn apps_screen_filtered_sorted_and_waiting() {
    let mut m = apps_model();
    m.filters.insert(Screen::Apps, "prod".to_string());
    m.apps_view.retain(|k| k.name.contains("prod"));
    m.apps_sort = sitrep::model::AppsSort::Name;
    let text = render_text(&m, 120, 40);
    assert!(text.contains("Apps 12/13 /prod · sorted by name"), "{text}");
    m.apps_view.clear();
    let text = render_text(&m, 120, 40);
    assert!(text.contains("No app matches “prod”."), "{text}");
    // Configured but nothing arrived yet.
    let mut m = apps_model();
    m.apps.clear();
    m.apps_view.clear();
    m.source_mut("argocd").unwrap().state = sitrep::model::source::SourceState::Connecting;
    let text = render_text(&m, 120, 40);
    assert!(text.contains("Waiting for Argo CD data…"), "{text}");
}

#[test]
fn app_detail() {
    snap_both("app_detail", &app_detail_model());
}

#[test]
fn app_detail_loading_and_error() {
    let mut m = app_detail_model();
    m.app_details.clear();
    let text = render_text(&m, 120, 40);
    assert!(text.contains("loading…"), "{text}");
    let mut m = app_detail_model();
    m.app_details.get_mut(&app_key(CHECKOUT_APP)).unwrap().error =
        Some("permission denied: applications, get, shop/checkout-prod".to_string());
    let text = render_text(&m, 120, 40);
    assert!(
        text.contains("✗ permission denied: applications, get, shop/checkout-prod"),
        "{text}"
    );
    // The app vanished while open.
    let mut m = app_detail_model();
    m.app_open = Some(app_key("gone"));
    assert!(render_text(&m, 80, 24).contains("is no longer on Argo CD"));
}

#[test]
fn deploys_screen() {
    snap_both("deploys", &deploys_model());
}

#[test]
fn apps_and_deploys_without_argo_stay_placeholders() {
    let mut m = model();
    show(&mut m, Screen::Deploys);
    assert!(render_text(&m, 80, 24).contains("Argo CD is not configured."));
}

// --- Popups -------------------------------------------------------------------------------

#[test]
fn rollback_pick_with_auto_sync_explained() {
    snap_both("rollback_pick", &rollback_pick());
    // The toggle accepted.
    let mut m = rollback_pick();
    press(&mut m, KeyCode::Char('a'));
    let text = render_text(&m, 120, 40);
    assert!(
        text.contains("[x] disable auto-sync, then roll back"),
        "{text}"
    );
}

/// checkout-prod with auto-sync off (someone turned it off in Argo CD 10 s ago, so Argo CD
/// can dry-run a rollback); its picker open, Enter pressed: the dry run is asked for.
fn dry_run_rollback() -> (Model, u64) {
    let off = json_with(checkout_final(), "/spec/syncPolicy", serde_json::json!({}));
    let mut m = argo_model_with(off.clone(), move |story| {
        story.at(ago(10), move |m| {
            send(m, app_changed(off, ago(10)));
        });
    });
    press(&mut m, KeyCode::Char('R'));
    let effects = press(&mut m, KeyCode::Enter);
    let request = effects
        .iter()
        .find_map(|e| match e {
            sitrep::effect::Effect::Rollback {
                request_id,
                dry_run: true,
                ..
            } => Some(*request_id),
            _ => None,
        })
        .unwrap_or_else(|| panic!("no dry run: {effects:?}\n{}", render_text(&m, 120, 40)));
    (m, request)
}

fn json_with(
    mut v: serde_json::Value,
    pointer: &str,
    value: serde_json::Value,
) -> serde_json::Value {
    *v.pointer_mut(pointer).unwrap() = value;
    v
}

/// The watch's report of checkout-prod in state `app`.
fn app_changed(app: serde_json::Value, at: chrono::DateTime<chrono::Utc>) -> sitrep::msg::Msg {
    source_msg(
        "argocd",
        at,
        sitrep::msg::SourcePayload::Argocd(sitrep::msg::ArgocdPayload::AppChanged {
            change: sitrep::msg::WatchChange::Modified,
            app: Box::new(decode_app(app)),
        }),
    )
}

/// checkout-prod (auto-sync off) running, then done with, alice's dry run of the rollback.
fn dry_run_state(done: bool) -> serde_json::Value {
    let app = json_with(checkout_final(), "/spec/syncPolicy", serde_json::json!({}));
    let mut op = serde_json::json!({
        "operation": {
            "sync": {"revision": "v2.13.2", "dryRun": true},
            "initiatedBy": {"username": "alice"},
        },
        "phase": if done { "Succeeded" } else { "Running" },
        "message": "successfully synced (all tasks run)",
        "startedAt": rfc3339(now()),
    });
    if done {
        op["finishedAt"] = serde_json::json!(rfc3339(now()));
        op["syncResult"] = serde_json::json!({"revision": "v2.13.2", "resources": [
            {"kind": "ConfigMap", "namespace": "shop", "name": "checkout-config", "status": "Synced",
             "message": "configmap/checkout-config unchanged (dry run)"},
            {"group": "apps", "kind": "Deployment", "namespace": "shop", "name": "checkout",
             "status": "Synced", "message": "deployment/checkout configured (dry run)"},
        ]});
    }
    json_with(app, "/status/operationState", op)
}

#[test]
fn rollback_dry_run_and_in_flight() {
    let (mut m, request) = dry_run_rollback();
    let text = render_text(&m, 120, 40);
    assert!(text.contains("Dry run     asking argocd…"), "{text}");
    assert!(
        text.contains("Esc closes this; the request still completes"),
        "{text}"
    );
    assert!(!text.contains("press y"), "{text}");

    // Accepted, and Argo CD runs it: no confirming yet (it would refuse the rollback).
    send(
        &mut m,
        sitrep::msg::Msg::Done(sitrep::msg::EffectOutcome::AppActionDone {
            request_id: request,
            source: "argocd".to_string(),
            key: app_key(CHECKOUT_APP),
            dry_run: true,
            app: Box::new(Some(decode_app(dry_run_state(false)))),
            autosync_before: None,
        }),
    );
    let text = render_text(&m, 120, 40);
    assert!(
        text.contains("✓ accepted by argocd; it is running the dry run"),
        "{text}"
    );
    assert!(
        text.contains("waiting for the dry run's result… Esc to go back"),
        "{text}"
    );
    assert!(!text.contains("to confirm"), "{text}");

    // Its result: what would change, each resource in Argo CD's words, then the confirmation.
    send(&mut m, app_changed(dry_run_state(true), now()));
    let text = render_text(&m, 120, 40);
    for needed in [
        "Dry run     ✓ done: 1 of 2 resources would change:",
        "Deployment checkout  Synced  deployment/checkout configured (dry run)",
        "ConfigMap checkout-config  Synced  configmap/checkout-config unchanged (dry run)",
        "production: type “checkout-prod” to confirm:",
    ] {
        assert!(text.contains(needed), "lacks {needed:?}:\n{text}");
    }

    let text = render_text(&rollback_in_flight().0, 120, 40);
    assert!(text.contains("rolling back… waiting for argocd"), "{text}");
    assert!(!text.contains("to confirm"), "{text}");
}

#[test]
fn rollback_confirm_production_with_typed_name() {
    let m = rollback_review("checkout-pr");
    snap_both("rollback_confirm_production", &m);
    for (w, h) in SIZES {
        let text = render_text(&m, w, h);
        for needed in [
            "argocd",
            "checkout-prod",
            "v2.14.0",
            "→ v2.13.2",
            "history id 4",
            "Prune",
            "ON → turned OFF first",
            "type “checkout-prod” to confirm: checkout-pr",
        ] {
            assert!(text.contains(needed), "{w}x{h} lacks {needed:?}:\n{text}");
        }
    }
    // Not production: press y. A server refusal in the critical style.
    let mut m = rollback_pick();
    press(&mut m, KeyCode::Enter);
    if let Some(Popup::Rollback(f)) = &mut m.popup {
        f.stage = RollbackStage::Confirm;
        f.production = false;
        f.confirm = sitrep::model::popup::Confirmation::new(false, CHECKOUT_APP);
        f.problem = Some("rollback cannot be initiated when auto-sync is enabled".to_string());
    }
    let buf = render_buffer(&m, 120, 40);
    let text = text(&buf);
    assert!(text.contains("press y or Enter to roll back"), "{text}");
    assert!(
        text.contains("ON: Argo CD will refuse this rollback"),
        "{text}"
    );
    let at = find(&buf, "✗ rollback cannot", "✗").unwrap();
    assert_eq!(fg(&buf, at), m.theme.critical.fg.unwrap());
}

#[test]
fn rollback_watching() {
    snap_both("rollback_watching", &watching_model());
}

#[test]
fn sync_popup() {
    snap_both(
        "sync_edit",
        &with_popup(Popup::Sync(Box::new(sync_form(FormStage::Edit)))),
    );
    let text = render_text(
        &with_popup(Popup::Sync(Box::new(sync_form(FormStage::Confirm)))),
        120,
        40,
    );
    assert!(
        text.contains("type “search-prod” to confirm: search-pr"),
        "{text}"
    );
    assert!(
        text.contains("yes: resources no longer in git are deleted"),
        "{text}"
    );
    let text = render_text(
        &with_popup(Popup::Sync(Box::new(sync_form(FormStage::InFlight(3))))),
        80,
        24,
    );
    assert!(text.contains("syncing…"), "{text}");
}

#[test]
fn terminate_confirm() {
    snap_both("terminate_confirm", &with_popup(terminate()));
    let text = render_text(
        &with_popup(Popup::Confirm(ConfirmAction::new(
            app_key("payments-prod"),
            ConfirmKind::EnableAutoSync,
            false,
        ))),
        120,
        40,
    );
    assert!(text.contains("this undoes the rollback"), "{text}");
    assert!(text.contains("press y or Enter to re-enable"), "{text}");
}

#[test]
fn help_offers_argo_actions_when_configured() {
    let mut m = argo_model();
    m.popup = Some(Popup::Help { scroll: 0 });
    let text = render_text(&m, 120, 60);
    assert!(
        text.contains("roll back the selected app (Argo CD)"),
        "{text}"
    );
    assert!(!text.contains("needs Argo CD"), "{text}");
    let mut m = model();
    m.popup = Some(Popup::Help { scroll: 0 });
    assert!(render_text(&m, 120, 60).contains("needs Argo CD"));
    let mut m = argo_model();
    m.source_mut("argocd").unwrap().read_only = true;
    m.popup = Some(Popup::Help { scroll: 0 });
    let text = render_text(&m, 120, 60);
    assert!(text.contains("off: Argo CD is read-only"), "{text}");
}

// --- Styles -------------------------------------------------------------------------------

#[test]
fn argo_cells_carry_theme_styles() {
    let m = argo_model();
    let theme = &m.theme;
    let buf = render_buffer(&m, 120, 40);
    // Triage: checkout's Degraded (critical) and its suspect deploy (critical, bold).
    let at = find(&buf, "CRIT checkout", "Degraded").unwrap();
    assert_eq!(fg(&buf, at), theme.critical.fg.unwrap());
    assert_eq!(
        buf[at].bg,
        theme.selection.bg.unwrap(),
        "on the selected row"
    );
    let at = find(&buf, "▌", "SUSPECT").unwrap();
    assert!(buf[at].modifier.contains(Modifier::BOLD));
    // The changes feed's SUSPECT is not on a selected row: critical.
    let at = find(&buf, " deploy ", "SUSPECT").unwrap();
    assert_eq!(fg(&buf, at), theme.critical.fg.unwrap());
    assert!(buf[at].modifier.contains(Modifier::BOLD));
    // search (OutOfSync) uses warning.
    let at = find(&buf, " search ", "OutOfSync").unwrap();
    assert_eq!(fg(&buf, at), theme.warning.fg.unwrap());
    // The detail pane's Degraded word is critical.
    let at = find(&buf, "Apps     checkout-prod", "Degraded").unwrap();
    assert_eq!(fg(&buf, at), theme.critical.fg.unwrap());
    let at = find(&buf, "Deploys   6m", "SUSPECT").unwrap();
    assert_eq!(fg(&buf, at), theme.critical.fg.unwrap());
    // The status line's live marker is ok.
    let at = find(&buf, "argocd ✓ live", "live").unwrap();
    assert_eq!(fg(&buf, at), theme.ok.fg.unwrap());

    // With the pane focus elsewhere the checkout row's Degraded shows its own colour.
    let mut m = argo_model();
    m.triage_pane = TriagePane::Detail;
    let buf = render_buffer(&m, 120, 40);
    let at = find(&buf, "CRIT checkout", "Degraded").unwrap();
    assert_eq!(fg(&buf, at), m.theme.critical.fg.unwrap());
    let at = find(&buf, "CRIT checkout", "SUSPECT").unwrap();
    assert_eq!(fg(&buf, at), m.theme.critical.fg.unwrap());
    let at = find(&buf, "WARN payments", "⊘").unwrap();
    assert_eq!(fg(&buf, at), m.theme.warning.fg.unwrap());

    // Apps screen: Degraded critical, OutOfSync warning, Progressing warning, Healthy ok.
    let m = apps_model();
    let buf = render_buffer(&m, 120, 40);
    let theme = &m.theme;
    let at = find(&buf, "frontend-prod", "Progressing").unwrap();
    assert_eq!(fg(&buf, at), theme.warning.fg.unwrap());
    let at = find(&buf, "search-prod", "OutOfSync").unwrap();
    assert_eq!(fg(&buf, at), theme.warning.fg.unwrap());
    let at = find(&buf, "cart-prod", "Healthy").unwrap();
    assert_eq!(fg(&buf, at), theme.ok.fg.unwrap());
    let at = find(&buf, "payments-prod", "OFF (sitrep)").unwrap();
    assert_eq!(fg(&buf, at), theme.warning.fg.unwrap());
    let at = find(&buf, "ledger-prod", "Failed").unwrap();
    assert_eq!(fg(&buf, at), theme.critical.fg.unwrap());
    // Unselected rows only: checkout-prod is selected (first); move the cursor off it.
    let mut m = apps_model();
    m.apps_cursor.selected = 3;
    let buf = render_buffer(&m, 120, 40);
    let at = find(&buf, "checkout-prod", "Degraded").unwrap();
    assert_eq!(fg(&buf, at), m.theme.critical.fg.unwrap());

    // Deploys screen: SUSPECT critical (the checkout deploy is row 2, cursor on row 3).
    let mut m = deploys_model();
    m.deploys_cursor.selected = 2;
    let buf = render_buffer(&m, 120, 40);
    let at = find(&buf, "checkout-prod", "SUSPECT").unwrap();
    assert_eq!(fg(&buf, at), m.theme.critical.fg.unwrap());
    let at = find(&buf, "ledger-prod", "failed").unwrap();
    assert_eq!(fg(&buf, at), m.theme.critical.fg.unwrap());

    // App detail: the degraded pod in the tree, warnings among events.
    let m = app_detail_model();
    let buf = render_buffer(&m, 120, 40);
    let at = find(&buf, "Pod/checkout-7d9f8b6c4-x2k4q", "Degraded").unwrap();
    assert_eq!(fg(&buf, at), m.theme.critical.fg.unwrap());
    let at = find(&buf, "BackOff", "Warning").unwrap();
    assert_eq!(fg(&buf, at), m.theme.warning.fg.unwrap());
}

#[test]
fn no_color_keeps_argo_words() {
    let screens = [
        (
            Screen::Triage,
            &["Degraded", "OutOfSync", "SUSPECT", "⊘"][..],
        ),
        (
            Screen::Apps,
            &["Degraded", "OutOfSync", "Progressing", "OFF (sitrep)"][..],
        ),
        (
            Screen::Deploys,
            &["SUSPECT", "↶ rollback", "failed", "running"][..],
        ),
    ];
    for (screen, words) in screens {
        let mut m = argo_model();
        m.theme = Theme::no_color();
        show(&mut m, screen);
        let buf = render_buffer(&m, 120, 40);
        for cell in buf.content() {
            assert_eq!(cell.fg, Color::Reset, "{screen:?}: coloured fg {cell:?}");
            assert_eq!(cell.bg, Color::Reset, "{screen:?}: coloured bg {cell:?}");
        }
        let text = text(&buf);
        for word in words {
            assert!(text.contains(word), "{screen:?} lacks {word}:\n{text}");
        }
    }
    let mut m = app_detail_model();
    m.theme = Theme::no_color();
    let text = render_text(&m, 120, 40);
    for word in ["Degraded", "Progressing", "Healthy", "Warning", "current"] {
        assert!(text.contains(word), "detail lacks {word}:\n{text}");
    }
    for popup_model in [rollback_pick(), rollback_review(""), watching_model()] {
        let mut m = popup_model;
        m.theme = Theme::no_color();
        let buf = render_buffer(&m, 120, 40);
        assert!(
            buf.content()
                .iter()
                .all(|c| c.fg == Color::Reset && c.bg == Color::Reset)
        );
    }
}

#[test]
fn sync_and_health_words_in_every_state() {
    // Every health and sync word renders on the Apps screen with some style, never blank.
    let mut m = apps_model();
    let key = app_key("cart-prod");
    for (h, s) in [
        (HealthStatus::Missing, SyncStatus::Unknown),
        (HealthStatus::Suspended, SyncStatus::Synced),
        (HealthStatus::Unknown, SyncStatus::OutOfSync),
    ] {
        let app = m.apps.get_mut(&key).unwrap();
        app.health = h;
        app.sync = s;
        let text = render_text(&m, 120, 40);
        let row = text.lines().find(|l| l.contains("cart-prod")).unwrap();
        assert!(row.contains(h.word()) && row.contains(s.word()), "{row}");
    }
}

// --- One notion of "what runs" ------------------------------------------------------------

/// Select `name` on the Apps screen: `g`, then `j` until it is under the cursor.
fn select_app(m: &mut Model, name: &str) {
    show(m, Screen::Apps);
    let row = m.apps_view.iter().position(|k| k.name == name).unwrap();
    act(m, sitrep::action::Action::Top);
    for _ in 0..row {
        act(m, sitrep::action::Action::Down);
    }
    assert_eq!(m.apps_view[m.apps_cursor.selected].name, name);
}

fn line_with<'a>(text: &'a str, needle: &str) -> &'a str {
    text.lines()
        .find(|l| l.contains(needle))
        .unwrap_or_else(|| panic!("no line with {needle:?}:\n{text}"))
}

#[test]
fn after_a_rollback_every_screen_says_what_runs_and_where_git_is() {
    let mut m = rolled_back_model();
    select_app(&mut m, CHECKOUT_APP);
    let text = render_text(&m, 120, 40);
    assert!(
        line_with(&text, "checkout-prod").contains("v2.13.2 (git v2.14.0)"),
        "{text}"
    );
    // The triage detail pane agrees.
    show(&mut m, Screen::Triage);
    let text = render_text(&m, 120, 40);
    assert!(
        line_with(&text, "checkout-prod  Healthy OutOfSync").contains("v2.13.2 (git v2.14.0)"),
        "{text}"
    );

    // The rollback picker: the newest entry is current and not preselected.
    select_app(&mut m, CHECKOUT_APP);
    press(&mut m, crossterm::event::KeyCode::Char('R'));
    let text = render_text(&m, 120, 40);
    assert!(
        text.contains("v2.13.2 (git v2.14.0)  Healthy OutOfSync"),
        "{text}"
    );
    let current = line_with(&text, " 6 v2.13.2");
    assert!(current.contains("current"), "{current}");
    assert!(
        !current.contains('▌'),
        "the current entry is preselected:\n{text}"
    );
    assert!(
        !line_with(&text, " 5 v2.14.0").contains("current"),
        "{text}"
    );
    press(&mut m, crossterm::event::KeyCode::Esc);

    // `:autosync on` says the same.
    press(&mut m, crossterm::event::KeyCode::Char(':'));
    type_text(&mut m, "autosync on");
    press(&mut m, crossterm::event::KeyCode::Enter);
    let text = render_text(&m, 120, 40);
    assert!(text.contains("Re-enable auto-sync"), "{text}");
    assert!(
        line_with(&text, "Now at").contains("v2.13.2 (git v2.14.0)  Healthy OutOfSync"),
        "{text}"
    );
}

#[test]
fn after_a_rollback_the_triage_row_and_detail_agree_about_the_suspect() {
    let m = rolled_back_model();
    let text = render_text(&m, 120, 40);
    let row = line_with(&text, "CRIT checkout");
    assert!(row.contains(" 9s "), "{row}");
    assert!(
        !row.contains("SUSPECT"),
        "the row shows the rollback, which is no suspect:\n{text}"
    );
    assert!(text.contains("9s ↶ rollback  v2.13.2  alice"), "{text}");
    assert!(text.contains("6m SUSPECT  v2.14.0  ci-bot"), "{text}");
}

// --- Confirmations: one component, hints that say what the keys do -----------------------

fn sync_effects(effects: &[sitrep::effect::Effect]) -> Vec<bool> {
    effects
        .iter()
        .filter_map(|e| match e {
            sitrep::effect::Effect::Sync { dry_run, .. } => Some(*dry_run),
            _ => None,
        })
        .collect()
}

#[test]
fn production_sync_takes_the_typed_name_it_asks_for() {
    use crossterm::event::KeyCode;
    let mut m = argo_model();
    select_app(&mut m, "search-prod");
    press(&mut m, KeyCode::Char('S'));
    press(&mut m, KeyCode::Enter);
    let text = render_text(&m, 120, 40);
    assert!(
        text.contains("production: type “search-prod” to confirm:"),
        "{text}"
    );
    assert!(
        text.contains("then Enter to sync · Backspace corrects · Esc to go back"),
        "{text}"
    );
    // Where that goes: the target revision, and what Git resolved it to.
    assert!(text.contains("Revision    main = ad2e3f4"), "{text}");
    // What is typed is echoed; `y` is a letter like any other.
    type_text(&mut m, "y");
    press(&mut m, KeyCode::Backspace);
    type_text(&mut m, "search");
    assert!(
        render_text(&m, 120, 40).contains("to confirm: search "),
        "typing is echoed"
    );
    // Enter before the name matches: refused, said once, and gone with the next key.
    assert!(sync_effects(&press(&mut m, KeyCode::Enter)).is_empty());
    let text = render_text(&m, 120, 40);
    assert!(text.contains("✗ not the name yet"), "{text}");
    type_text(&mut m, "-prod");
    let text = render_text(&m, 120, 40);
    assert!(
        !text.contains("not the name yet"),
        "a stale error stayed:\n{text}"
    );
    assert!(text.contains("search-prod   ✓"), "{text}");
    assert!(
        text.contains("press Enter to sync, Esc to go back"),
        "{text}"
    );
    assert_eq!(sync_effects(&press(&mut m, KeyCode::Enter)), [false]);
}

#[test]
fn a_production_dry_run_changes_nothing_so_y_or_enter_confirms_it() {
    use crossterm::event::KeyCode;
    let mut m = argo_model();
    select_app(&mut m, "search-prod");
    press(&mut m, KeyCode::Char('S'));
    press(&mut m, KeyCode::Char('d'));
    press(&mut m, KeyCode::Enter);
    let text = render_text(&m, 120, 40);
    assert!(!text.contains("type “search-prod”"), "{text}");
    assert!(
        text.contains("press y or Enter to dry-run the sync, Esc to go back"),
        "{text}"
    );
    assert_eq!(sync_effects(&press(&mut m, KeyCode::Enter)), [true]);
}

#[test]
fn re_enabling_auto_sync_on_production_takes_the_typed_name() {
    use crossterm::event::KeyCode;
    let mut m = rolled_back_model();
    select_app(&mut m, CHECKOUT_APP);
    press(&mut m, KeyCode::Char(':'));
    type_text(&mut m, "autosync on");
    press(&mut m, KeyCode::Enter);
    let text = render_text(&m, 120, 40);
    assert!(text.contains("type “checkout-prod” to confirm:"), "{text}");
    assert!(text.contains("PRODUCTION"), "{text}");
    let enabled = |e: &[sitrep::effect::Effect]| {
        e.iter()
            .any(|e| matches!(e, sitrep::effect::Effect::SetAutoSync { enabled: true, .. }))
    };
    assert!(!enabled(&press(&mut m, KeyCode::Char('y'))));
    press(&mut m, KeyCode::Backspace);
    type_text(&mut m, CHECKOUT_APP);
    assert!(enabled(&press(&mut m, KeyCode::Enter)));
}

// --- The rollback picker: each fact once, keys as hinted --------------------------------

fn rollback_popup_text(m: &Model) -> String {
    // The popup's rows only (the screen behind has its own words).
    render_text(m, 120, 40)
        .lines()
        .filter(|l| l.contains('┃') && l.matches('┃').count() >= 2)
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn the_rollback_picker_marks_what_runs_and_what_sitrep_saw() {
    use crossterm::event::KeyCode;
    let mut m = rolled_back_model();
    select_app(&mut m, CHECKOUT_APP);
    press(&mut m, KeyCode::Char('R'));
    let text = render_text(&m, 120, 40);
    for (entry, note) in [
        (" 6 v2.13.2", "current"),
        (" 5 v2.14.0", "seen Degraded"),
        (" 4 v2.13.2", "same as current"),
    ] {
        assert!(line_with(&text, entry).contains(note), "{entry}: {text}");
    }
    // Nothing else was seen Healthy, and the bad revision is not preselected.
    assert!(!text.contains("last healthy"), "{text}");
    assert!(
        text.contains("no earlier entry was seen Healthy by sitrep"),
        "{text}"
    );
    assert!(line_with(&text, " 3 v2.13.1").contains('▌'), "{text}");
    assert!(
        text.contains("j/k choose · Enter dry run · p prune: no · Esc cancel"),
        "{text}"
    );

    // On an entry of the revision that runs: said once, and Enter is neither hinted nor acts.
    press(&mut m, KeyCode::Char('k'));
    let text = render_text(&m, 120, 40);
    assert!(line_with(&text, " 4 v2.13.2").contains('▌'), "{text}");
    assert_eq!(text.matches("runs now").count(), 1, "{text}");
    assert!(
        text.contains("j/k choose · p prune: no · Esc cancel"),
        "{text}"
    );
    let effects = press(&mut m, KeyCode::Enter);
    assert!(
        effects
            .iter()
            .all(|e| !matches!(e, sitrep::effect::Effect::Rollback { .. }))
    );

    // A server's refusal is about the choice made: choosing again clears it.
    if let Some(Popup::Rollback(f)) = &mut m.popup {
        f.problem = Some("application checkout-prod does not have deployment with id 4".into());
    }
    assert!(render_text(&m, 120, 40).contains("✗ application checkout-prod"));
    press(&mut m, KeyCode::Char('j'));
    assert!(!render_text(&m, 120, 40).contains("✗ application checkout-prod"));
}

#[test]
fn with_auto_sync_on_the_picker_explains_once_and_hints_only_what_works() {
    use crossterm::event::KeyCode;
    let mut m = argo_model();
    select_app(&mut m, CHECKOUT_APP);
    press(&mut m, KeyCode::Char('R'));
    // What sitrep saw decides "last healthy", and it is preselected.
    let text = render_text(&m, 120, 40);
    assert!(
        line_with(&text, " 4 v2.13.2").contains("last healthy"),
        "{text}"
    );
    assert!(line_with(&text, " 4 v2.13.2").contains('▌'), "{text}");
    assert!(line_with(&text, " 5 v2.14.0").contains("current"), "{text}");
    // The box has all its sides.
    let top = line_with(&text, "┌ Auto-sync");
    assert!(top.contains("─┐"), "{top}");
    assert!(
        line_with(&text, "[ ] disable auto-sync").contains(" │"),
        "{text}"
    );
    // Enter can not roll back yet: not hinted, does nothing, adds no second message.
    assert!(
        text.contains("j/k choose · a disable auto-sync first · p prune: no · Esc cancel"),
        "{text}"
    );
    let before = rollback_popup_text(&m);
    let effects = press(&mut m, KeyCode::Enter);
    assert!(
        effects
            .iter()
            .all(|e| !matches!(e, sitrep::effect::Effect::Rollback { .. }))
    );
    assert_eq!(rollback_popup_text(&m), before);
    assert_eq!(before.matches("Auto-sync is ON").count(), 1, "{before}");
    // Accepted: Enter goes to the review (Argo CD can not dry-run with auto-sync on).
    press(&mut m, KeyCode::Char('a'));
    let text = render_text(&m, 120, 40);
    assert!(
        text.contains(
            "j/k choose · Enter review (no dry run) · a keep auto-sync · p prune: no · Esc cancel"
        ),
        "{text}"
    );
    press(&mut m, KeyCode::Enter);
    let text = render_text(&m, 120, 40);
    assert!(
        text.contains("Dry run     none: Argo CD cannot dry-run a rollback while auto-sync is on"),
        "{text}"
    );
}
