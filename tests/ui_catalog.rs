//! The catalog on screen: the OWNER column, the owner card (team, chat, on call, system,
//! links), the Services screen listing every component with how it was matched, the links
//! popup, `:team`. Frozen time, fixed sizes; the catalog and on-call answers go through
//! `update` as their sources send them.

mod common_ui;

use common_ui::*;
use crossterm::event::KeyCode;
use serde_json::{Value, json};
use sitrep::catalog::{Decoded, Entity, decode};
use sitrep::model::Model;
use sitrep::model::oncall::{OnCall, OnCallSnapshot, Provider};
use sitrep::model::source::{SourceKind, SourceStatus};
use sitrep::model::ui::Screen;
use sitrep::msg::{CatalogPayload, SourcePayload};
use std::sync::Arc;

fn entity(v: Value) -> Entity {
    match decode(&v).unwrap() {
        Decoded::Entity(e) => *e,
        other => panic!("{other:?}"),
    }
}

fn component(name: &str, team: &str, extra: Value) -> Value {
    json!({"apiVersion": "backstage.io/v1alpha1", "kind": "Component",
        "metadata": {"name": name, "description": format!("{name} service"),
            "annotations": extra,
            "links": [
                {"url": format!("https://runbooks.example.com/{name}"), "title": "Runbook", "type": "runbook"},
                {"url": format!("https://grafana.example.com/d/{name}"), "title": "Dashboard", "type": "dashboard"},
                {"url": format!("https://git.example.com/acme/{name}"), "title": "Source", "type": "repo"}]},
        "spec": {"type": "service", "lifecycle": "production", "owner": team, "system": format!("{team}-platform")}})
}

fn catalog() -> Vec<Entity> {
    let mut v = vec![
        component(
            "checkout",
            "payments",
            json!({"pagerduty.com/service-id": "PSPAYMEN"}),
        ),
        component("inventory", "fulfillment", json!({})),
        component("search", "search", json!({})),
        component("legacy-reports", "group:default/bi-team", json!({})),
    ];
    for (team, display) in [
        ("payments", "Payments"),
        ("fulfillment", "Fulfillment"),
        ("search", "Search"),
    ] {
        v.push(json!({"kind": "Group", "metadata": {"name": team,
                "annotations": {"sitrep.dev/chat": format!("#{team}-oncall")},
                "links": [{"url": format!("https://chat.example.com/channels/{team}-oncall"), "title": format!("#{team}-oncall"), "type": "slack"}]},
            "spec": {"type": "team", "profile": {"displayName": display, "email": format!("{team}@example.com")}}}));
        v.push(json!({"kind": "System", "metadata": {"name": format!("{team}-platform")}, "spec": {"owner": team}}));
    }
    v.into_iter().map(entity).collect()
}

fn on_call() -> OnCallSnapshot {
    let mut s = OnCallSnapshot {
        provider: Some(Provider::PagerDuty),
        ..Default::default()
    };
    s.service_policy
        .insert("PSPAYMEN".into(), "PEPAYMEN".into());
    let person = |name: &str, level, schedule: &str| OnCall {
        name: name.into(),
        email: None,
        level: Some(level),
        schedule: Some(schedule.into()),
        until: Some(ago(-6 * 3600)),
        url: Some("https://pagerduty.example.com/users/P1".into()),
    };
    s.by_policy.insert(
        "PEPAYMEN".into(),
        vec![
            person("Priya Shah", 1, "payments-primary"),
            person("Marco Rossi", 2, "payments-secondary"),
        ],
    );
    s
}

fn with_catalog() -> Model {
    let mut m = model();
    m.sources.push(SourceStatus::new(
        "catalog",
        SourceKind::Catalog,
        "http://127.0.0.1:7007",
        "test",
    ));
    m.sources.push(SourceStatus::new(
        "pagerduty",
        SourceKind::OnCall,
        "http://127.0.0.1:7008",
        "test",
    ));
    for s in &mut m.sources {
        s.poll_interval_secs = 60;
    }
    send(
        &mut m,
        source_msg(
            "catalog",
            ago(5),
            SourcePayload::Catalog(CatalogPayload {
                entities: Arc::new(catalog().into_iter().map(Arc::new).collect()),
                problems: vec!["catalog-info.yaml:12: no metadata.name".into()],
                index: None,
            }),
        ),
    );
    send(
        &mut m,
        source_msg(
            "pagerduty",
            ago(5),
            SourcePayload::OnCall(Arc::new(on_call())),
        ),
    );
    m
}

fn snap(name: &str, model: &Model, w: u16, h: u16) {
    insta::assert_snapshot!(name, render_text(model, w, h));
}

#[test]
fn the_first_frame_says_who_owns_it_and_who_is_on_call() {
    let m = with_catalog();
    snap("catalog_triage_120x40", &m, 120, 40);
    snap("catalog_triage_80x24", &m, 80, 24);
    let buf = render_buffer(&m, 120, 40);
    let text = text(&buf);
    assert!(text.contains("OWNER"), "{text}");
    assert!(text.contains("payments  #payments-oncall"), "{text}");
    assert!(text.contains("#payments-oncall"), "{text}");
    assert!(text.contains("Priya Shah L1 payments-primary"), "{text}");
    // The on-call engineer stands out; the links are links.
    let theme = &m.theme;
    let (x, y) = find(&buf, "On call", "Priya").expect("on-call line");
    assert_eq!(buf[(x, y)].fg, theme.header.fg.unwrap());
    let mut state = sitrep::ui::RenderState::default();
    render_with(&m, &mut state, 120, 40);
    let urls: Vec<&str> = state.hyperlinks.iter().map(|l| l.url.as_str()).collect();
    assert!(
        urls.contains(&"https://runbooks.example.com/checkout"),
        "{urls:?}"
    );
    assert!(
        urls.iter()
            .all(|u| u.starts_with("https://") || u.starts_with("mailto:"))
    );
}

#[test]
fn an_owner_missing_from_the_catalog_is_said_so() {
    let mut m = with_catalog();
    show(&mut m, Screen::Services);
    snap("catalog_services_120x40", &m, 120, 40);
    let text = render_text(&m, 120, 40);
    assert!(
        text.contains("legacy-reports"),
        "every component is listed: {text}"
    );
    assert!(text.contains("catalog problems (the rest loaded"), "{text}");
    assert!(text.contains("alerts via label service"), "{text}");
    // Enter on the orphan: the triage detail says its owner is missing.
    filter(&mut m, "legacy");
    let card = m.owner_card("legacy-reports");
    assert!(card.owner.unwrap().missing);
}

#[test]
fn links_popup_and_team_narrowing() {
    let mut m = with_catalog();
    press(&mut m, KeyCode::Char('o'));
    snap("catalog_links_popup_120x40", &m, 120, 40);
    press(&mut m, KeyCode::Esc);
    command(&mut m, "team fulfillment");
    snap("catalog_team_120x40", &m, 120, 40);
    let text = render_text(&m, 120, 40);
    assert!(text.contains("TEAM fulfillment"), "{text}");
    assert!(
        !text.contains("checkout"),
        "other teams' services hidden: {text}"
    );
    // …but never forgotten: what burns among them is counted on the tab bar.
    assert!(text.contains("firing alerts hidden"), "{text}");
    // A team no component belongs to (`--team` is not checked at start): never "All quiet".
    let mut m = with_catalog();
    m.team = Some("nobody".into());
    m.rederive();
    let text = render_text(&m, 120, 40);
    assert!(
        text.contains("No service is owned by team nobody"),
        "{text}"
    );
    assert!(!text.contains("All quiet"), "{text}");
}
