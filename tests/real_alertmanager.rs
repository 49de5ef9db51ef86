//! The Alertmanager client against the real Alertmanager (Debian's prometheus-alertmanager):
//! reading alerts, fingerprints, silences round trip, HA deduplication, path prefixes.

mod common;

use chrono::Utc;
use common::{post_alerts, spec, start_alertmanager, start_alertmanager_at, test_alerts};
use serde_json::json;
use sitrep::model::alert::{Alert, AlertState, Labels, fingerprint};
use sitrep::model::silence::{Matcher, NewSilence, SilenceState};
use sitrep::model::source::SourceKind;
use sitrep::model::store::AlertStore;
use sitrep::sources::{AlertmanagerClient, ErrorKind};
use std::time::Duration;

/// Poll (bounded; no timing assertion) until `pred` holds for the client's alerts.
async fn alerts_until(
    client: &AlertmanagerClient,
    what: &str,
    pred: impl Fn(&[Alert]) -> bool,
) -> Vec<Alert> {
    let mut last = Vec::new();
    for _ in 0..200 {
        last = client.alerts().await.expect("alerts");
        if pred(&last) {
            return last;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("never saw {what}; last: {last:#?}");
}

fn labels(pairs: &[(&str, &str)]) -> Labels {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

#[tokio::test]
async fn reads_alerts_with_alertmanagers_fingerprints() {
    let Some(am) = start_alertmanager().await else {
        return;
    };
    let posted = test_alerts(20);
    post_alerts(&am.url, &posted).await;
    let client =
        AlertmanagerClient::new(&spec("am-test", SourceKind::Alertmanager, &am.url)).unwrap();

    let alerts = alerts_until(&client, "20 firing alerts", |a| {
        a.len() == 20 && a.iter().all(|x| x.state == AlertState::Firing)
    })
    .await;
    for a in &alerts {
        assert_eq!(a.source, "am-test");
        // Our fingerprint is Alertmanager's, so Prometheus alerts dedupe with these.
        assert_eq!(a.fingerprint, fingerprint(&a.labels), "{a:?}");
        assert!(a.labels.contains_key("instance"));
        assert_eq!(a.annotations["description"], "line one\nline two");
        assert!(a.summary().starts_with("alert number "));
        assert!(
            a.generator_url
                .as_deref()
                .unwrap()
                .starts_with("http://prometheus.example/")
        );
        assert_eq!(a.receivers, ["default"]);
        assert!(a.ends_at.is_some());
    }
    let one = alerts
        .iter()
        .find(|a| a.summary() == "alert number 7")
        .unwrap();
    assert_eq!(one.name(), "DiskFull");
    assert_eq!(one.labels["severity"], "warning");

    let status = client.status().await.unwrap();
    assert!(status.version.starts_with("0."), "{status:?}");
    assert_eq!(status.cluster_status, "disabled");
}

#[tokio::test]
async fn fingerprint_matches_for_awkward_labels() {
    let Some(am) = start_alertmanager().await else {
        return;
    };
    let sets = [
        labels(&[("alertname", "A")]),
        labels(&[
            ("alertname", "B"),
            ("zone", "é ü ✓"),
            ("empty_ok", "x"),
            ("a", ""),
        ]),
        labels(&[
            ("alertname", "C"),
            ("path", "/a/b?c=d&e"),
            ("quote", "say \"hi\""),
        ]),
    ];
    let ends = (Utc::now() + chrono::Duration::hours(2)).to_rfc3339();
    let body: Vec<_> = sets
        .iter()
        .map(|l| json!({"labels": l, "endsAt": ends}))
        .collect();
    post_alerts(&am.url, &body).await;
    let client = AlertmanagerClient::new(&spec("am", SourceKind::Alertmanager, &am.url)).unwrap();
    let alerts = alerts_until(&client, "3 alerts", |a| a.len() == 3).await;
    for set in &sets {
        // Alertmanager drops empty-valued labels; hash what it kept.
        let kept: Labels = set
            .iter()
            .filter(|(_, v)| !v.is_empty())
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        let a = alerts
            .iter()
            .find(|a| a.labels == kept)
            .unwrap_or_else(|| panic!("{kept:?} in {alerts:#?}"));
        assert_eq!(a.fingerprint, fingerprint(&kept));
    }
}

#[tokio::test]
async fn silence_round_trip() {
    let Some(am) = start_alertmanager().await else {
        return;
    };
    post_alerts(&am.url, &test_alerts(4)).await;
    let client = AlertmanagerClient::new(&spec("am", SourceKind::Alertmanager, &am.url)).unwrap();
    alerts_until(&client, "4 alerts", |a| a.len() == 4).await;

    let now = Utc::now();
    let id = client
        .create_silence(&NewSilence {
            matchers: vec![Matcher::equal("alertname", "HighErrorRate")],
            starts_at: now,
            ends_at: now + chrono::Duration::hours(1),
            created_by: "sitrep-test".into(),
            comment: "testing the client".into(),
        })
        .await
        .expect("create silence");
    assert!(!id.is_empty());

    let alerts = alerts_until(&client, "the silenced alert", |a| {
        a.iter().any(|x| x.state == AlertState::Silenced)
    })
    .await;
    let silenced: Vec<_> = alerts
        .iter()
        .filter(|a| a.state == AlertState::Silenced)
        .collect();
    assert_eq!(silenced.len(), 1);
    assert_eq!(silenced[0].name(), "HighErrorRate");
    assert_eq!(silenced[0].silenced_by, std::slice::from_ref(&id));
    assert!(
        alerts
            .iter()
            .filter(|a| a.name() != "HighErrorRate")
            .all(|a| a.state == AlertState::Firing)
    );

    let silences = client.silences().await.unwrap();
    let s = silences
        .iter()
        .find(|s| s.id == id)
        .expect("our silence is listed");
    assert_eq!(s.state, SilenceState::Active);
    assert_eq!(s.created_by, "sitrep-test");
    assert_eq!(s.matchers, [Matcher::equal("alertname", "HighErrorRate")]);

    client.expire_silence(&id).await.expect("expire");
    alerts_until(&client, "all alerts active again", |a| {
        a.len() == 4 && a.iter().all(|x| x.state == AlertState::Firing)
    })
    .await;
    let silences = client.silences().await.unwrap();
    assert_eq!(
        silences.iter().find(|s| s.id == id).unwrap().state,
        SilenceState::Expired
    );
}

#[tokio::test]
async fn refused_silence_surfaces_the_servers_text() {
    let Some(am) = start_alertmanager().await else {
        return;
    };
    let client = AlertmanagerClient::new(&spec("am", SourceKind::Alertmanager, &am.url)).unwrap();
    let now = Utc::now();
    let err = client
        .create_silence(&NewSilence {
            matchers: vec![Matcher::equal("alertname", "X")],
            starts_at: now,
            ends_at: now - chrono::Duration::hours(1),
            created_by: "sitrep-test".into(),
            comment: "ends before it starts".into(),
        })
        .await
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::Rejected, "{err:?}");
    assert_eq!(err.status, Some(400));
    // Alertmanager's own explanation, not a generic "400 Bad Request".
    assert!(err.message.to_lowercase().contains("start"), "{err}");
    assert!(
        !err.message.starts_with('"'),
        "JSON string unwrapped: {err}"
    );
}

#[tokio::test]
async fn two_alertmanagers_dedupe_by_fingerprint() {
    let (Some(a), Some(b)) = (start_alertmanager().await, start_alertmanager().await) else {
        return;
    };
    let alerts = test_alerts(30);
    post_alerts(&a.url, &alerts).await;
    post_alerts(&b.url, &alerts).await;
    let ca = AlertmanagerClient::new(&spec("am-a", SourceKind::Alertmanager, &a.url)).unwrap();
    let cb = AlertmanagerClient::new(&spec("am-b", SourceKind::Alertmanager, &b.url)).unwrap();
    let from_a = alerts_until(&ca, "30 alerts on a", |x| x.len() == 30).await;
    let from_b = alerts_until(&cb, "30 alerts on b", |x| x.len() == 30).await;

    let mut store = AlertStore::default();
    store.replace_source("am-a", SourceKind::Alertmanager, from_a);
    let changes = store.replace_source("am-b", SourceKind::Alertmanager, from_b);
    assert_eq!(store.len(), 30);
    assert!(changes.appeared.is_empty());
    for alert in store.iter() {
        assert_eq!(alert.source, "am-a");
        assert_eq!(alert.also_from, ["am-b"]);
    }
}

#[tokio::test]
async fn works_under_a_path_prefix() {
    let Some(am) = start_alertmanager_at("/alertmanager").await else {
        return;
    };
    post_alerts(&am.url, &test_alerts(3)).await;
    // Both spellings of the base URL work.
    for base in [
        am.url.to_string(),
        format!("{}/", am.url.as_str().trim_end_matches('/')),
    ] {
        let url = url::Url::parse(&base).unwrap();
        let client = AlertmanagerClient::new(&spec("am", SourceKind::Alertmanager, &url)).unwrap();
        alerts_until(&client, "3 alerts", |a| a.len() == 3).await;
    }
    // Without the prefix: a clear 404 naming what was asked.
    let mut bare = am.url.clone();
    bare.set_path("/");
    let client = AlertmanagerClient::new(&spec("am", SourceKind::Alertmanager, &bare)).unwrap();
    let err = client.alerts().await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::NotFound, "{err:?}");
    assert_eq!(
        err.message,
        "not found: is this an Alertmanager? GET /api/v2/alerts returned 404"
    );
}
