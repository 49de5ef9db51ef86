//! The renderer never panics, whatever the terminal size, and hostile-looking (already
//! sanitised) text cannot break the layout.

mod common_ui;

use common_ui::*;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui_textarea::TextArea;
use sitrep::model::Model;
use sitrep::model::popup::{ExpireForm, FormStage, Popup, SilenceField, SilenceForm};
use sitrep::model::ui::{Prompt, PromptKind, Screen, TriagePane};
use sitrep::msg::SourcePayload;
use sitrep::sanitize;
use sitrep::ui::{self, RenderState};

const SIZES: [(u16, u16); 9] = [
    (0, 0),
    (1, 1),
    (10, 5),
    (59, 14),
    (60, 15),
    (61, 16),
    (80, 24),
    (120, 40),
    (200, 60),
];

fn popups(model: &Model) -> Vec<Option<Popup>> {
    let form = |stage, field| SilenceForm {
        source: "alertmanager".to_string(),
        targets: vec!["alertmanager".to_string()],
        matchers: TextArea::from(["service=\"checkout\"".to_string()]),
        parsed: Ok(vec![sitrep::model::silence::Matcher::equal(
            "service", "checkout",
        )]),
        affected: 2,
        duration: 99, // out of range: must not panic
        comment: TextArea::default(),
        author: model.settings.author.clone(),
        field,
        stage,
        problem: Some("comment required".to_string()),
    };
    vec![
        None,
        Some(Popup::Help { scroll: 0 }),
        Some(Popup::Help { scroll: u16::MAX }),
        Some(Popup::Silence(Box::new(form(
            FormStage::Edit,
            SilenceField::Matchers,
        )))),
        Some(Popup::Silence(Box::new(form(
            FormStage::Edit,
            SilenceField::Comment,
        )))),
        Some(Popup::Silence(Box::new(form(
            FormStage::Confirm,
            SilenceField::Duration,
        )))),
        Some(Popup::Expire(ExpireForm {
            silence: silence(),
            affected: 1,
            stage: FormStage::InFlight(3),
        })),
    ]
}

/// Draw every screen, pane focus, popup and prompt at every size.
fn render_everything(base: &Model) {
    for popup in popups(base) {
        for screen in Screen::ALL {
            for prompt in [false, true] {
                let mut m = base.clone();
                show(&mut m, screen);
                m.popup = popup.clone();
                m.triage_pane = TriagePane::Changes;
                if prompt {
                    let mut p = Prompt::new(PromptKind::Command, "x".repeat(300));
                    p.completions = (0..20).map(|i| format!("cmd{i}")).collect();
                    p.completion = Some(17);
                    p.error = Some("e".repeat(500));
                    m.prompt = Some(p);
                }
                let mut state = RenderState::default();
                for (w, h) in SIZES {
                    let buf = render_with(&m, &mut state, w, h);
                    assert_eq!(buf.area, Rect::new(0, 0, w, h));
                }
            }
        }
    }
}

#[test]
fn never_panics_at_any_size() {
    render_everything(&model());
    render_everything(&quiet_model());
}

#[test]
fn never_panics_with_cursors_out_of_range() {
    // Cursors are clamped by update, but a renderer must not trust that.
    let mut m = model();
    m.triage.selected = 10_000;
    m.detail.selected = 10_000;
    m.alerts_cursor.selected = 10_000;
    m.services_cursor.selected = 10_000;
    m.timeline_cursor.selected = 10_000;
    render_everything(&m);
}

#[test]
fn draws_only_inside_an_offset_area() {
    // `draw` into a sub-area of a larger buffer stays inside it.
    let m = model();
    let mut buf = Buffer::empty(Rect::new(0, 0, 100, 30));
    let area = Rect::new(10, 3, 80, 24);
    ui::draw(&m, &mut RenderState::default(), area, &mut buf);
    let rows = rows(&buf);
    assert!(rows[0].trim().is_empty() && rows[2].trim().is_empty());
    assert!(rows[3][..].contains("1 Triage"));
    for r in &rows {
        assert!(r.starts_with("          "), "drew left of the area: {r:?}");
    }
}

/// The demo incident, then (2 s ago) Alertmanager lists an alert whose every value is hostile
/// as it comes off the wire (escape sequences, 100 KB, wide glyphs), and prod-eu's error is
/// 16 K characters; a configured source name is very wide.
fn hostile_model() -> Model {
    let raw = format!("\u{1b}[31m\u{7}{}", "Ab日 ".repeat(25_000));
    let huge = sanitize::value(&raw);
    assert!(huge.len() >= 16 * 1024 && huge.ends_with("…[cut]"));
    let wide = "障害発生🔥決済サービス応答なし👨‍👩‍👧‍👦".repeat(40);
    let (raw2, wide2, huge2) = (raw.clone(), wide.clone(), huge.clone());
    let mut m = model_with(move |story| {
        let mut listed: Vec<serde_json::Value> = am_alerts()
            .iter()
            .filter(|a| a.starts >= 2 && a.resolved.is_none())
            .map(|a| a.wire(2))
            .collect();
        listed.push(serde_json::json!({
            "labels": {
                "alertname": format!("ÜberLongAlertName{}", "X".repeat(500)),
                "severity": "critical",
                "service": format!("支払い-{wide2}"),
                "pod": raw2,
                "zone": wide2,
            },
            "annotations": {"summary": wide2, "description": raw2, "runbook_url": raw2},
            "startsAt": rfc3339(ago(60)),
            "receivers": [{"name": "oncall"}],
            "status": {"state": "active", "silencedBy": [], "inhibitedBy": []},
        }));
        let payload = decode_am("alertmanager", listed, vec![silence_wire()], ago(2));
        story.source(ago(2), "alertmanager", SourcePayload::Alerts(payload));
        story.source(ago(1), "prod-eu", SourcePayload::Error(huge2));
    });
    // Names come from the config file.
    m.sources[0].name = wide.clone();
    m
}

/// On the Alerts screen: `g`, then `j` down to the hostile alert.
fn select_hostile_alert(m: &mut Model) {
    let row = m
        .alerts_view
        .rows
        .iter()
        .position(|r| {
            matches!(r, sitrep::model::alerts_view::AlertsRow::Alert(a)
                if a.name().starts_with("Über"))
        })
        .expect("the hostile alert is listed");
    act(m, sitrep::action::Action::Top);
    for _ in 0..row {
        act(m, sitrep::action::Action::Down);
    }
}

/// Rows keep the terminal's width exactly (no glyph spills), and pane borders stay in place.
fn assert_layout_intact(buf: &Buffer, what: &str) {
    let w = usize::from(buf.area.width);
    for (y, r) in rows(buf).iter().enumerate() {
        assert_eq!(
            sitrep::ui::format::width(r),
            w,
            "{what}: row {y} is not {w} cells wide: {r:?}"
        );
    }
}

#[test]
fn hostile_values_keep_every_row_terminal_wide_and_pane_borders_in_place() {
    let base = hostile_model();
    for screen in Screen::ALL {
        let mut m = base.clone();
        show(&mut m, screen);
        // Put the hostile alert under the cursor where there is one.
        if screen == Screen::Alerts {
            select_hostile_alert(&mut m);
        }
        for (w, h) in [(80, 24), (120, 40), (200, 60)] {
            let buf = render_buffer(&m, w, h);
            assert_layout_intact(&buf, &format!("{screen:?} {w}x{h}"));
        }
    }

    // Triage at 120x40: the services pane's right border stays in its column on every row.
    let mut m = base.clone();
    let row = m
        .visible_services()
        .iter()
        .position(|s| s.name.starts_with("支払い"))
        .unwrap();
    act(&mut m, sitrep::action::Action::Top);
    for _ in 0..row {
        act(&mut m, sitrep::action::Action::Down);
    }
    let buf = render_buffer(&m, 120, 40);
    let border_x = 120 * 45 / 100 - 1;
    let changes_top = 1 + (38 - (38 / 4).clamp(5, 10));
    for y in 2..changes_top - 1 {
        let s = buf[(border_x, y)].symbol();
        assert!(
            s == "│" || s == "┃",
            "row {y}: expected a border at x={border_x}, found {s:?}\n{}",
            text(&buf)
        );
    }
    let t = text(&buf);
    assert!(t.contains("支払い"), "{t}");
    assert!(
        t.contains("prod-eu ✗"),
        "status line still shows the failing source"
    );
    insta::assert_snapshot!("hostile_triage_120x40", t);

    let mut m = base.clone();
    show(&mut m, Screen::Alerts);
    select_hostile_alert(&mut m);
    insta::assert_snapshot!("hostile_alerts_120x40", render_text(&m, 120, 40));
}

// --- Argo CD ------------------------------------------------------------------------------

fn argo_popups() -> Vec<Option<Popup>> {
    use sitrep::model::popup::{ConfirmAction, ConfirmKind, RollbackStage, SyncForm};
    // checkout-prod's rollback picker as `R` opens it, then pushed into every stage.
    let mut m = argo_model();
    press(&mut m, crossterm::event::KeyCode::Char('R'));
    let Some(Popup::Rollback(rollback_form)) = m.popup else {
        panic!("R opens the rollback picker")
    };
    let mut out = vec![None];
    for stage in [
        RollbackStage::Pick,
        RollbackStage::DryRun(1),
        RollbackStage::Confirm,
        RollbackStage::InFlight(2),
        RollbackStage::Watching,
    ] {
        let mut form = (*rollback_form).clone();
        form.stage = stage;
        form.problem = Some("x".repeat(2_000));
        form.confirm.typed = "t".repeat(500);
        out.push(Some(Popup::Rollback(Box::new(form.clone()))));
        // Nothing to pick, a selection past the end, an app that vanished.
        form.entries.clear();
        form.selected = 99;
        form.last_healthy = Some(42);
        form.key = app_key("gone");
        form.production = false;
        out.push(Some(Popup::Rollback(Box::new(form))));
    }
    for stage in [FormStage::Edit, FormStage::Confirm, FormStage::InFlight(4)] {
        let mut sync = SyncForm {
            revision: "r".repeat(300),
            prune: true,
            dry_run: true,
            stage,
            problem: Some("another operation is already in progress".to_string()),
            ..SyncForm::new(app_key("search-prod"), true)
        };
        sync.confirm.typed = "search-prod".to_string();
        out.push(Some(Popup::Sync(Box::new(sync))));
        for what in [ConfirmKind::Terminate, ConfirmKind::EnableAutoSync] {
            out.push(Some(Popup::Confirm(ConfirmAction {
                stage,
                ..ConfirmAction::new(app_key("frontend-prod"), what, true)
            })));
        }
    }
    out
}

/// Every screen (and triage pane) bare, then every popup over two screens, at every size.
/// Popups draw the same over any screen, so not every pairing is needed.
fn render_argo_everything(base: &Model) {
    let mut cases: Vec<(Screen, TriagePane, Option<Popup>)> = Vec::new();
    for screen in Screen::ALL {
        cases.push((screen, TriagePane::Services, None));
    }
    cases.push((Screen::Triage, TriagePane::Changes, None));
    for popup in argo_popups().into_iter().flatten() {
        cases.push((Screen::Triage, TriagePane::Services, Some(popup.clone())));
        cases.push((Screen::Apps, TriagePane::Services, Some(popup)));
    }
    for (screen, pane, popup) in cases {
        let mut m = base.clone();
        show(&mut m, screen);
        m.triage_pane = pane;
        m.popup = popup;
        let mut state = RenderState::default();
        for (w, h) in SIZES {
            let buf = render_with(&m, &mut state, w, h);
            assert_eq!(buf.area, Rect::new(0, 0, w, h));
        }
    }
}

#[test]
fn argo_screens_and_popups_never_panic_at_any_size() {
    let base = argo_model();
    render_argo_everything(&base);
    // The app detail view, with and without its detail fetched.
    let mut open = base.clone();
    open.app_open = Some(app_key(CHECKOUT_APP));
    render_argo_everything(&open);
    open.app_details.clear();
    render_argo_everything(&open);
    // Configured, nothing arrived yet.
    let mut empty = base.clone();
    empty.apps.clear();
    empty.apps_view.clear();
    empty.deploys.clear();
    empty.app_details.clear();
    render_argo_everything(&empty);
}

#[test]
fn argo_never_panics_with_indexes_out_of_range() {
    let mut m = argo_model();
    m.apps_cursor.selected = 10_000;
    m.deploys_cursor.selected = 10_000;
    // Derived rows that went stale: a deploy of an app that is gone, keys of apps that are gone.
    let mut gone = m.deploys.first().map(|d| (**d).clone()).expect("a deploy");
    gone.app = app_key("vanished");
    for s in &mut m.services {
        s.last_deploy = Some(gone.clone());
        s.apps.push(app_key("vanished"));
    }
    m.apps_view.push(app_key("vanished"));
    m.autosync_off.insert(app_key("vanished"));
    render_argo_everything(&m);
    m.app_open = Some(app_key("vanished"));
    render_argo_everything(&m);
}

fn hostile_argo_model() -> Model {
    use sitrep::model::app::{HealthStatus, KubeEvent, TreeNode};
    let mut m = argo_model();
    let raw = format!("\u{1b}[31m{}", "Ab日 ".repeat(5_000));
    let huge = sanitize::value(&raw);
    let wide = "障害発生🔥決済サービス応答なし👨‍👩‍👧‍👦".repeat(40);
    let key = app_key(CHECKOUT_APP);
    let app = m.apps.get_mut(&key).unwrap();
    app.health_message = huge.clone();
    app.git_revision = huge.clone();
    app.project = wide.clone();
    app.repo_urls = vec![huge.clone(), wide.clone()];
    app.multi_source = true;
    app.target_revisions = vec![wide.clone(); 3];
    if let Some(op) = &mut app.operation {
        op.message = huge.clone();
    }
    for h in &mut app.history {
        h.revision = wide.clone();
        h.initiated_by = huge.clone();
    }
    let detail = m.app_details.get_mut(&key).unwrap();
    // A deep chain, a parent cycle and a node that is its own parent.
    let node = |uid: String, parent: String| TreeNode {
        kind: wide.clone(),
        namespace: "shop".to_string(),
        name: huge.clone(),
        uid,
        parent_uids: vec![parent],
        health: Some(HealthStatus::Degraded),
        health_message: huge.clone(),
        images: vec![wide.clone(); 5],
        info: vec![(wide.clone(), huge.clone()); 5],
        created_at: None,
    };
    // Deeper than any indent (and any recursion guard), cheap to clone.
    for i in 0..300 {
        let mut n = node(format!("chain-{i}"), format!("chain-{}", i + 1));
        n.name = format!("link-{i}");
        n.health_message.clear();
        n.images.clear();
        n.info.clear();
        detail.tree.push(n);
    }
    detail.tree.push(node("a".into(), "b".into()));
    detail.tree.push(node("b".into(), "a".into()));
    detail.tree.push(node("self".into(), "self".into()));
    detail.events.push(KubeEvent {
        kind: wide.clone(),
        name: huge.clone(),
        reason: wide.clone(),
        message: huge.clone(),
        event_type: "Warning".to_string(),
        count: u32::MAX,
        last_seen: None,
    });
    detail.error = Some(huge.clone());
    m.deploys = m
        .deploys
        .iter()
        .map(|d| {
            let mut d = (**d).clone();
            d.revision = huge.clone();
            d.initiator = wide.clone();
            d.service = Some(wide.clone());
            std::sync::Arc::new(d)
        })
        .collect();
    m.deploys_view = m.deploys.iter().cloned().collect();
    m
}

#[test]
fn hostile_argo_values_keep_every_row_terminal_wide() {
    let base = hostile_argo_model();
    for (screen, open) in [
        (Screen::Triage, false),
        (Screen::Apps, false),
        (Screen::Apps, true),
        (Screen::Deploys, false),
    ] {
        for popup in argo_popups() {
            let mut m = base.clone();
            show(&mut m, screen);
            m.popup = popup;
            if open {
                m.app_open = Some(app_key(CHECKOUT_APP));
            }
            for (w, h) in [(80, 24), (120, 40)] {
                let buf = render_buffer(&m, w, h);
                assert_layout_intact(&buf, &format!("{screen:?} open={open} {w}x{h}"));
            }
        }
    }
}
