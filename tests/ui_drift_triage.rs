//! Triage's fleet row: several apps OutOfSync become one row ranked below critical alerts,
//! degraded apps and failed syncs, with the groups in the detail pane; Enter opens the Drift
//! screen. Snapshots at 120x40 and 80x24 with time frozen, plus the style of the `⇄` mark.

mod common_ui;

use common_ui::*;
use crossterm::event::KeyCode;
use serde_json::json;
use sitrep::drift::RevisionMeta;
use sitrep::model::Model;
use sitrep::model::ui::{Screen, TriagePane};
use sitrep::model::views::TriageRow;
use sitrep::msg::{ArgocdPayload, SourcePayload, WatchChange};

const SIZES: [(u16, u16); 2] = [(120, 40), (80, 24)];
const REPO: &str = "https://github.com/example/shop-deploy.git";
const DEPLOYED: &str = "0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c";
const BUMP: &str = "4f2a1c9e8d7b6a5f4e3d2c1b0a9f8e7d6c5b4a39";

fn snap_both(name: &str, model: &Model) {
    for (w, h) in SIZES {
        insta::assert_snapshot!(format!("{name}_{w}x{h}"), render_text(model, w, h));
    }
}

/// An app Git moved past what is deployed (nobody synced it yet).
fn moved(name: &str) -> sitrep::model::app::App {
    let mut wire = app_wire(name, DEPLOYED, 3 * 3600, false);
    wire["status"]["sync"] = json!({"status": "OutOfSync", "revision": BUMP});
    decode_app(wire)
}

/// The demo incident plus four redis apps moved by one commit to a shared repository.
fn fleet_model() -> Model {
    let mut m = argo_model();
    for name in [
        "redis-cart-prod",
        "redis-shop-prod",
        "redis-auth-prod",
        "redis-feed-prod",
    ] {
        send(
            &mut m,
            source_msg(
                "argocd",
                now(),
                SourcePayload::Argocd(ArgocdPayload::AppChanged {
                    change: WatchChange::Added,
                    app: Box::new(moved(name)),
                }),
            ),
        );
    }
    send(
        &mut m,
        source_msg(
            "argocd",
            now(),
            SourcePayload::Argocd(ArgocdPayload::RevisionMeta {
                repo: REPO.into(),
                revision: BUMP.into(),
                meta: Ok(RevisionMeta {
                    author: "Alice <alice@example.com>".into(),
                    date: Some(ago(14 * 60)),
                    message: "bump shared redis chart to 18.1.0 for the TLS fix\n\nall apps".into(),
                    tags: vec![],
                }),
            }),
        ),
    );
    m
}

fn fleet_row(m: &Model) -> usize {
    m.triage_view
        .iter()
        .position(|r| *r == TriageRow::Fleet)
        .expect("a fleet row")
}

#[test]
fn several_out_of_sync_apps_make_one_fleet_row_below_the_urgent_ones() {
    let m = fleet_model();
    let at = fleet_row(&m);
    // Above it only critical alerts, degraded apps and failed syncs.
    for r in &m.triage_view[..at] {
        let TriageRow::Service(i) = r else { panic!() };
        assert!(
            m.services[*i].urgency <= sitrep::model::service::Urgency::FailedSync,
            "{:?} above the fleet row",
            m.services[*i].name
        );
    }
    // The redis services were listed only for being OutOfSync: folded into the row.
    assert!(
        m.visible_services()
            .iter()
            .all(|s| !s.name.starts_with("redis-"))
    );
    let text = sitrep::ui::triage::fleet_row_text(&m);
    assert!(text.contains("· git 4f2a1c9 by Alice (4)"), "{text}");
    snap_both("drift_triage_fleet_row", &m);
}

#[test]
fn the_fleet_row_selected_shows_the_groups_and_enter_opens_drift() {
    let mut m = fleet_model();
    m.triage.selected = fleet_row(&m);
    assert!(m.selected_service().is_none());
    snap_both("drift_triage_fleet_selected", &m);
    // Keys that act on a service do nothing there.
    let effects = press(&mut m, KeyCode::Char('R'));
    assert!(effects.is_empty() && m.popup.is_none());
    press(&mut m, KeyCode::Enter);
    assert_eq!(m.screen, Screen::Drift);
    assert_eq!(m.triage_pane, TriagePane::Services);
}

#[test]
fn the_fleet_row_stays_selected_across_rebuilds() {
    let mut m = fleet_model();
    m.triage.selected = fleet_row(&m);
    let extra = moved("redis-more-prod");
    send(
        &mut m,
        source_msg(
            "argocd",
            now(),
            SourcePayload::Argocd(ArgocdPayload::AppChanged {
                change: WatchChange::Added,
                app: Box::new(extra),
            }),
        ),
    );
    assert!(m.fleet_selected());
}

#[test]
fn the_fleet_mark_is_drawn_in_the_warning_style() {
    let m = fleet_model();
    let buf = render_buffer(&m, 120, 40);
    let (x, y) = find(&buf, "apps OutOfSync", "⇄").expect("the fleet row");
    assert_eq!(buf[(x, y)].fg, m.theme.warning.fg.unwrap());
}
