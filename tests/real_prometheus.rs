//! The Prometheus client against the real Prometheus (Debian's prometheus): one rule firing, one
//! held pending by `for: 1h`.

mod common;

use common::{spec, start_prometheus};
use sitrep::model::alert::{AlertState, fingerprint};
use sitrep::model::source::SourceKind;
use sitrep::sources::PrometheusClient;
use std::time::Duration;

const RULES: &str = r#"
groups:
  - name: sitrep-test
    rules:
      - alert: AlwaysFiring
        expr: vector(1)
        labels: {severity: critical, service: checkout}
        annotations: {summary: "always on", description: "first line\nsecond line"}
      - alert: StaysPending
        expr: vector(1)
        for: 1h
        labels: {severity: warning, service: search}
      - alert: FiresAfterFor
        expr: vector(1)
        for: 2s
        labels: {severity: warning, service: cart}
"#;

#[tokio::test]
async fn sees_firing_and_pending_alerts() {
    let Some(prom) = start_prometheus(RULES).await else {
        return;
    };
    let client = PrometheusClient::new(&spec("prom", SourceKind::Prometheus, &prom.url)).unwrap();

    let version = client.version().await.expect("buildinfo");
    assert!(
        version.starts_with("2.") || version.starts_with("3."),
        "{version}"
    );

    // Rules evaluate every second; poll (bounded hang guard, not a timing assertion).
    let mut last = Vec::new();
    for _ in 0..300 {
        last = client.alerts().await.expect("alerts");
        let firing = last
            .iter()
            .any(|a| a.name() == "AlwaysFiring" && a.state == AlertState::Firing);
        let pending = last
            .iter()
            .any(|a| a.name() == "StaysPending" && a.state == AlertState::Pending);
        let fired = last
            .iter()
            .any(|a| a.name() == "FiresAfterFor" && a.state == AlertState::Firing);
        if firing && pending && fired {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let firing = last
        .iter()
        .find(|a| a.name() == "AlwaysFiring")
        .unwrap_or_else(|| panic!("{last:#?}\n{}", prom.log()));
    let pending = last
        .iter()
        .find(|a| a.name() == "StaysPending")
        .unwrap_or_else(|| panic!("{last:#?}"));
    assert_eq!(firing.state, AlertState::Firing);
    assert_eq!(pending.state, AlertState::Pending);
    assert_eq!(firing.labels["service"], "checkout");
    assert_eq!(firing.annotations["description"], "first line\nsecond line");
    assert_eq!(firing.source, "prom");
    // The same hash Alertmanager would compute for these labels.
    assert_eq!(firing.fingerprint, fingerprint(&firing.labels));
    assert!(firing.starts_at <= chrono::Utc::now());

    // `activeAt` is when an alert went pending; one with `for: 2s` fired 2 s later, which is
    // the start Alertmanager is sent and the one sitrep shows. A pending alert starts at
    // `activeAt`.
    let raw: serde_json::Value = reqwest::get(prom.url.join("api/v1/alerts").unwrap())
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let active_at = |name: &str| -> chrono::DateTime<chrono::Utc> {
        raw["data"]["alerts"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["labels"]["alertname"] == name)
            .and_then(|a| a["activeAt"].as_str())
            .unwrap_or_else(|| panic!("{name} in {raw}"))
            .parse()
            .unwrap()
    };
    let after_for = last.iter().find(|a| a.name() == "FiresAfterFor").unwrap();
    assert_eq!(
        after_for.starts_at,
        active_at("FiresAfterFor") + chrono::Duration::seconds(2)
    );
    assert_eq!(pending.starts_at, active_at("StaysPending"));
}
