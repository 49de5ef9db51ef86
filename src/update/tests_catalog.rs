//! The catalog through `update`: components joined to alerts and apps, owners on rows, the
//! owner card's on-call, `:team`, `/owner=`, the links popup and catalog runbook links.

use super::tests::model;
use super::tests_argo::{app, entry};
use super::tests_truth::{alert_at, code, key, snap_at, typed};
use super::update;
use crate::catalog::{Decoded, Entity, decode};
use crate::effect::Effect;
use crate::model::Model;
use crate::model::app::{HealthStatus, SyncStatus};
use crate::model::oncall::{OnCall, OnCallSnapshot};
use crate::model::owner::OnCallStatus;
use crate::model::popup::Popup;
use crate::model::source::{SourceKind, SourceStatus};
use crate::model::ui::{Screen, TriagePane};
use crate::msg::{ArgocdPayload, CatalogPayload, Msg, SourcePayload, SourceUpdate};
use chrono::Duration;
use crossterm::event::KeyCode;
use serde_json::{Value, json};
use std::sync::Arc;

fn entity(v: Value) -> Entity {
    match decode(&v).unwrap() {
        Decoded::Entity(e) => *e,
        other => panic!("{other:?}"),
    }
}

fn entities() -> Vec<Entity> {
    vec![
        entity(json!({"kind": "Component", "metadata": {"name": "checkout",
            "annotations": {"argocd/app-name": "co-eu", "pagerduty.com/service-id": "PSPAY",
                            "prometheus.io/alert": "CartAbandoned"},
            "links": [{"url": "https://runbooks.example.com/checkout", "type": "runbook"},
                      {"url": "https://grafana.example.com/d/checkout", "title": "Grafana", "type": "dashboard"},
                      {"url": "javascript:alert(1)", "type": "docs"}]},
            "spec": {"type": "service", "lifecycle": "production", "owner": "payments", "system": "shop"}})),
        entity(json!({"kind": "Component", "metadata": {"name": "search"},
            "spec": {"type": "service", "owner": "group:default/search-team"}})),
        entity(json!({"kind": "Component", "metadata": {"name": "ledger"},
            "spec": {"type": "service", "lifecycle": "production", "owner": "payments"}})),
        entity(json!({"kind": "Group", "metadata": {"name": "payments",
                "annotations": {"sitrep.dev/chat": "#payments-oncall"}},
            "spec": {"type": "team", "profile": {"displayName": "Payments", "email": "payments@example.com"}}})),
        entity(
            json!({"kind": "System", "metadata": {"name": "shop"}, "spec": {"owner": "payments"}}),
        ),
    ]
}

fn catalog_msg(entities: Vec<Entity>) -> Msg {
    let entities = Arc::new(entities.into_iter().map(Arc::new).collect());
    Msg::Source(SourceUpdate {
        source: "backstage".into(),
        at: super::tests::t0(),
        payload: SourcePayload::Catalog(CatalogPayload {
            entities,
            problems: vec![],
            index: None,
        }),
    })
}

fn with_catalog() -> Model {
    let mut m = model();
    m.sources.push(SourceStatus::new(
        "backstage",
        SourceKind::Catalog,
        "http://127.0.0.1:7007",
        "test",
    ));
    update(&mut m, catalog_msg(entities()));
    let t = super::tests::t0();
    update(
        &mut m,
        snap_at(
            "am",
            t,
            vec![
                alert_at(
                    "HighErrorRate",
                    "checkout",
                    "critical",
                    "am",
                    t - Duration::minutes(5),
                ),
                alert_at(
                    "CartAbandoned",
                    "",
                    "warning",
                    "am",
                    t - Duration::minutes(3),
                ),
                alert_at(
                    "DiskFull",
                    "search",
                    "warning",
                    "am",
                    t - Duration::minutes(9),
                ),
                alert_at(
                    "Orphaned",
                    "ghost",
                    "warning",
                    "am",
                    t - Duration::minutes(2),
                ),
            ],
        ),
    );
    m
}

fn row<'a>(m: &'a Model, name: &str) -> &'a crate::model::service::ServiceRow {
    m.services
        .iter()
        .find(|s| s.name == name)
        .unwrap_or_else(|| panic!("no row {name}: {:?}", names(m)))
}

fn names(m: &Model) -> Vec<String> {
    m.services.iter().map(|s| s.name.clone()).collect()
}

#[test]
fn every_component_has_a_row_and_alerts_join_by_label_and_alert_name() {
    let m = with_catalog();
    // An uncatalogued alert keeps its row; a component with neither alerts nor apps has
    // none (the Services screen lists it from the catalog).
    for n in ["checkout", "search", "ghost"] {
        row(&m, n);
    }
    assert!(m.services.iter().all(|s| s.name != "ledger"));
    let checkout = row(&m, "checkout");
    assert_eq!(
        checkout.firing, 2,
        "HighErrorRate by label, CartAbandoned by prometheus.io/alert"
    );
    assert_eq!(checkout.owner.as_deref(), Some("payments"));
    assert_eq!(row(&m, "search").owner.as_deref(), Some("search-team"));
    assert_eq!(row(&m, "ghost").owner, None);
    assert_eq!(
        m.matched_by("checkout"),
        vec!["alerts via label service", "alerts via prometheus.io/alert"]
    );
    assert_eq!(
        m.matched_by("ghost"),
        vec!["not in catalog: alerts via label"]
    );
    assert_eq!(
        m.matched_by("ledger"),
        vec!["catalog only (no alerts or apps)"]
    );
    // The triage list still shows only what needs attention.
    let shown: Vec<&str> = m
        .visible_services()
        .iter()
        .map(|s| s.name.as_str())
        .collect();
    assert!(!shown.contains(&"ledger"), "{shown:?}");
}

#[test]
fn apps_join_by_annotation_and_a_changed_catalog_rejoins() {
    let mut m = with_catalog();
    m.sources.push(SourceStatus::new(
        "argocd",
        SourceKind::Argocd,
        "http://a",
        "test",
    ));
    let a = app(
        "co-eu",
        HealthStatus::Degraded,
        SyncStatus::Synced,
        true,
        vec![entry(1, "v1", 10, "ci-bot")],
    );
    update(
        &mut m,
        Msg::Source(SourceUpdate {
            source: "argocd".into(),
            at: super::tests::t0(),
            payload: SourcePayload::Argocd(ArgocdPayload::Apps { apps: vec![a] }),
        }),
    );
    assert_eq!(row(&m, "checkout").apps.len(), 1);
    assert!(
        m.matched_by("checkout")
            .contains(&"app via argocd/app-name".to_string())
    );
    // The annotation goes away: the app falls back to its own name.
    let mut es = entities();
    es[0].meta.annotations.remove("argocd/app-name");
    update(&mut m, catalog_msg(es));
    assert!(row(&m, "checkout").apps.is_empty());
    assert_eq!(row(&m, "co-eu").apps.len(), 1);
}

#[test]
fn the_same_catalog_again_changes_nothing() {
    let mut m = with_catalog();
    let same = Arc::clone(&m.catalogs["backstage"].entities);
    let index = Arc::clone(&m.catalog);
    update(
        &mut m,
        Msg::Source(SourceUpdate {
            source: "backstage".into(),
            at: super::tests::t0(),
            payload: SourcePayload::Catalog(CatalogPayload {
                entities: same,
                problems: vec![],
                index: None,
            }),
        }),
    );
    assert!(Arc::ptr_eq(&index, &m.catalog), "not re-indexed");
    update(&mut m, catalog_msg(entities()));
    assert!(
        Arc::ptr_eq(&index, &m.catalog),
        "equal content: not re-indexed"
    );
}

#[test]
fn owner_card_says_who_is_on_call_or_why_not() {
    let mut m = with_catalog();
    let card = m.owner_card("checkout");
    let owner = card.owner.clone().unwrap();
    assert_eq!(owner.display_name.as_deref(), Some("Payments"));
    assert_eq!(owner.chat.as_deref(), Some("#payments-oncall"));
    assert_eq!(card.on_call, OnCallStatus::NotConfigured);
    assert_eq!(card.system.as_deref(), Some("shop"));
    let kinds: Vec<&str> = card.links.iter().map(|l| l.kind.as_str()).collect();
    assert_eq!(
        kinds,
        ["runbook", "dashboard", "email"],
        "javascript: dropped"
    );
    // A group missing from the catalog is said so.
    let search = m.owner_card("search").owner.unwrap();
    assert!(search.missing);

    m.sources.push(SourceStatus::new(
        "pagerduty",
        SourceKind::OnCall,
        "http://pd",
        "test",
    ));
    assert_eq!(m.owner_card("checkout").on_call, OnCallStatus::Waiting);
    let mut snap = OnCallSnapshot::default();
    snap.service_policy.insert("PSPAY".into(), "PEPAY".into());
    let person = |name: &str, level| OnCall {
        name: name.into(),
        email: None,
        level: Some(level),
        schedule: Some("payments-primary".into()),
        until: None,
        url: Some("https://pd.example.com/users/1".into()),
    };
    snap.by_policy.insert(
        "PEPAY".into(),
        vec![person("Marco Rossi", 2), person("Priya Shah", 1)],
    );
    update(
        &mut m,
        Msg::Source(SourceUpdate {
            source: "pagerduty".into(),
            at: super::tests::t0(),
            payload: SourcePayload::OnCall(Arc::new(snap)),
        }),
    );
    let card = m.owner_card("checkout");
    assert!(
        matches!(card.on_call, OnCallStatus::People { .. }),
        "{:?}",
        card.on_call
    );
    let names: Vec<String> = card
        .owner
        .unwrap()
        .on_call
        .into_iter()
        .map(|p| p.name)
        .collect();
    assert_eq!(names, ["Priya Shah", "Marco Rossi"], "level 1 first");
    // No key on ledger's component, but its owner's name is tried as a team: not found.
    assert!(matches!(
        m.owner_card("ledger").on_call,
        OnCallStatus::NotFound(_)
    ));
    update(
        &mut m,
        Msg::Source(SourceUpdate {
            source: "pagerduty".into(),
            at: super::tests::t0(),
            payload: SourcePayload::Error("PagerDuty refused the API key".into()),
        }),
    );
    // The last answer is kept while the source fails.
    assert!(matches!(
        m.owner_card("checkout").on_call,
        OnCallStatus::People { .. }
    ));
    assert!(matches!(
        m.owner_card("ledger").on_call,
        OnCallStatus::Failed(_)
    ));
}

#[test]
fn team_narrows_every_screen_and_owner_filters() {
    let mut m = with_catalog();
    update(&mut m, key(':'));
    typed(&mut m, "team payments");
    update(&mut m, code(KeyCode::Enter));
    assert_eq!(m.team.as_deref(), Some("payments"));
    let shown: Vec<&str> = m
        .visible_services()
        .iter()
        .map(|s| s.name.as_str())
        .collect();
    assert_eq!(shown, ["checkout"]);
    update(&mut m, key('2'));
    assert_eq!(m.screen, Screen::Alerts);
    assert_eq!(
        m.alerts_view
            .rows
            .iter()
            .filter(|r| matches!(r, crate::model::alerts_view::AlertsRow::Alert(_)))
            .count(),
        2
    );
    update(&mut m, key(':'));
    typed(&mut m, "team nobody");
    update(&mut m, code(KeyCode::Enter));
    assert_eq!(
        m.team.as_deref(),
        Some("payments"),
        "an unknown team changes nothing"
    );
    assert!(m.flash.as_ref().unwrap().text.contains("no team `nobody`"));
    update(&mut m, key(':'));
    typed(&mut m, "team");
    update(&mut m, code(KeyCode::Enter));
    assert_eq!(m.team, None);

    // `/owner=` on the Services screen.
    m.screen = Screen::Services;
    m.filters.insert(Screen::Services, "owner=payments".into());
    m.rebuild_view(Screen::Services);
    let rows: Vec<&str> = m
        .services_view
        .iter()
        .filter_map(|&e| m.services_entry_name(e))
        .collect();
    assert_eq!(
        rows,
        ["checkout", "ledger"],
        "ledger: a component with no alerts or apps"
    );
}

#[test]
fn o_on_a_service_lists_its_links_and_opens_or_copies_one() {
    let mut m = with_catalog();
    m.triage_pane = TriagePane::Services;
    let i = m.triage_position("checkout").unwrap();
    m.triage.selected = i;
    update(&mut m, key('o'));
    assert!(matches!(&m.popup, Some(Popup::Links { service, .. }) if service == "checkout"));
    update(&mut m, key('j'));
    let effects = update(&mut m, key('y'));
    assert_eq!(
        effects,
        vec![Effect::Copy(
            "https://grafana.example.com/d/checkout".into()
        )]
    );
    update(&mut m, key('o'));
    let effects = update(&mut m, key('1'));
    assert_eq!(
        effects,
        vec![Effect::OpenUrl(
            "https://runbooks.example.com/checkout".into()
        )]
    );
    assert!(m.popup.is_none());
    // A service outside the catalog: its alert's link, as before.
    let i = m.triage_position("ghost").unwrap();
    m.triage.selected = i;
    let effects = update(&mut m, key('o'));
    assert_eq!(
        effects,
        vec![Effect::OpenUrl(
            "http://prom.example/graph?g0.expr=up".into()
        )]
    );
}

#[test]
fn a_catalog_runbook_link_opens_that_runbook() {
    let mut m = model();
    m.sources.push(SourceStatus::new(
        "backstage",
        SourceKind::Catalog,
        "http://b",
        "test",
    ));
    m.runbooks = crate::runbook::matching::load_library(&[]);
    let mut es = entities();
    es[0] = entity(json!({"kind": "Component", "metadata": {"name": "checkout",
        "links": [{"url": "https://github.com/acme/runbooks/blob/main/high-error-rate.md", "type": "runbook"}]},
        "spec": {"type": "service", "owner": "payments"}}));
    update(&mut m, catalog_msg(es));
    let t = super::tests::t0();
    // An alert no runbook lists, without a runbook_url: only the catalog knows its runbook.
    let mut a = alert_at(
        "CheckoutBroken",
        "checkout",
        "critical",
        "am",
        t - Duration::minutes(2),
    );
    a.annotations.remove("runbook_url");
    update(&mut m, snap_at("am", t, vec![a]));
    update(&mut m, key('r'));
    let pane = m
        .runbook_pane
        .as_ref()
        .expect("the catalog's runbook opened");
    assert!(pane.why.contains("catalog's runbook link"), "{}", pane.why);
}
