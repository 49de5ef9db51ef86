//! Prometheus HTTP API v1 wire types and their translation into model values.
//! Fingerprints are computed the way Alertmanager computes them, so an alert seen by both is one.
//!
//! Alerts are read from `GET /api/v1/rules?type=alert` rather than `/api/v1/alerts`: only the
//! rules carry each rule's `for` duration, and `activeAt` is when an alert went *pending*. A
//! firing alert fired `for` later (Prometheus sends Alertmanager `startsAt` = that moment), so
//! its start is `activeAt + for`, the same time Alertmanager reports for it.

use crate::model::alert::{Alert, AlertState, Labels, fingerprint};
use crate::sources::{clean_annotations, clean_labels, lenient_time};
use chrono::{DateTime, TimeDelta, Utc};
use serde::Deserialize;

/// `{"status":"success|error","data":…,"errorType","error","warnings":[]}`.
#[derive(Debug, Deserialize)]
pub struct Envelope<T> {
    pub status: Option<String>,
    pub data: Option<T>,
    #[serde(rename = "errorType")]
    pub error_type: Option<String>,
    pub error: Option<String>,
}

/// `data` of `GET /api/v1/rules?type=alert`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct RulesData {
    pub groups: Option<Vec<RuleGroup>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct RuleGroup {
    pub rules: Option<Vec<Rule>>,
}

/// One rule of a group; recording rules (`type: recording`) have no alerts.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Rule {
    #[serde(rename = "type")]
    pub kind: Option<String>,
    /// The rule's `for`, in seconds.
    pub duration: Option<f64>,
    pub alerts: Option<Vec<PromAlert>>,
}

/// An alert of a rule (the same shape `GET /api/v1/alerts` lists).
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct PromAlert {
    pub labels: Option<Labels>,
    pub annotations: Option<Labels>,
    pub state: Option<String>,
    #[serde(deserialize_with = "lenient_time")]
    pub active_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct BuildInfo {
    pub version: Option<String>,
}

/// A rule's `for` as a duration (absent, negative or absurd values count as zero).
fn hold_of(rule: &Rule) -> TimeDelta {
    rule.duration
        .filter(|d| d.is_finite() && *d > 0.0 && *d < 1e9)
        .map(|d| TimeDelta::milliseconds((d * 1000.0) as i64))
        .unwrap_or_else(TimeDelta::zero)
}

/// Translate one rule alert; `None` for states that are not alerts (`inactive`). `hold` is the
/// rule's `for`: a pending alert starts at `activeAt`, a firing one at `activeAt + hold`.
pub fn to_alert(
    wire: PromAlert,
    hold: TimeDelta,
    source: &str,
    now: DateTime<Utc>,
) -> Option<Alert> {
    let state = match wire.state.as_deref() {
        Some("pending") => AlertState::Pending,
        Some("inactive") => return None,
        // "firing", or a state we do not know: shown rather than hidden.
        _ => AlertState::Firing,
    };
    let labels = wire.labels.unwrap_or_default();
    // Over the raw labels, exactly as Alertmanager hashes what Prometheus sends it.
    let fp = fingerprint(&labels);
    let active_at = wire.active_at.filter(|t| t.timestamp() > 0);
    let starts_at = match (state, active_at) {
        (AlertState::Firing, Some(t)) => (t + hold).min(now),
        (_, Some(t)) => t,
        (_, None) => now,
    };
    Some(
        Alert {
            fingerprint: fp,
            labels: clean_labels(labels),
            annotations: clean_annotations(wire.annotations.unwrap_or_default()),
            state,
            starts_at,
            ends_at: None,
            generator_url: None,
            silenced_by: Vec::new(),
            inhibited_by: Vec::new(),
            muted_by: Vec::new(),
            receivers: Vec::new(),
            source: source.to_string(),
            also_from: Vec::new(),
            digest: 0,
        }
        .sealed(),
    )
}

/// Every alert of every alerting rule in a rules answer.
pub fn alerts_of(data: RulesData, source: &str, now: DateTime<Utc>) -> Vec<Alert> {
    let mut out = Vec::new();
    for group in data.groups.unwrap_or_default() {
        for rule in group.rules.unwrap_or_default() {
            if rule.kind.as_deref().is_some_and(|k| k != "alerting") {
                continue;
            }
            let hold = hold_of(&rule);
            out.extend(
                rule.alerts
                    .unwrap_or_default()
                    .into_iter()
                    .filter_map(|a| to_alert(a, hold, source, now)),
            );
        }
    }
    out
}
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_states_and_computes_fingerprints() {
        let env: Envelope<RulesData> = serde_json::from_str(
            r#"{"status":"success","data":{"groups":[{"name":"g","rules":[
                {"type":"alerting","name":"A","duration":0,"alerts":[
                    {"labels":{"alertname":"A"},"state":"firing","activeAt":"2024-01-01T00:00:00Z","value":"1e+00"}]},
                {"type":"alerting","name":"B","duration":60,"alerts":[
                    {"labels":{"alertname":"B"},"state":"pending","activeAt":"2024-01-01T00:00:00Z"},
                    {"labels":{"alertname":"C"},"state":"inactive"}]},
                {"type":"recording","name":"r"}]}]}}"#,
        )
        .unwrap();
        let alerts = alerts_of(env.data.unwrap(), "prom", Utc::now());
        assert_eq!(alerts.len(), 2);
        assert_eq!(alerts[0].state, AlertState::Firing);
        assert_eq!(alerts[1].state, AlertState::Pending);
        assert_eq!(alerts[0].fingerprint, fingerprint(&alerts[0].labels));
        assert_eq!(
            alerts[0].starts_at.to_rfc3339(),
            "2024-01-01T00:00:00+00:00"
        );
    }

    /// `activeAt` is when the alert went pending; it fired `for` later, and that is the start
    /// Alertmanager reports. A pending alert starts at `activeAt`.
    #[test]
    fn a_firing_alert_starts_when_it_fired_not_when_it_went_pending() {
        let data: RulesData = serde_json::from_str(
            r#"{"groups":[{"rules":[
                {"type":"alerting","duration":60,"alerts":[
                    {"labels":{"alertname":"HighErrorRate"},"state":"firing","activeAt":"2024-01-01T12:19:08Z"},
                    {"labels":{"alertname":"Other"},"state":"pending","activeAt":"2024-01-01T12:19:08Z"}]}]}]}"#,
        )
        .unwrap();
        let now = "2024-01-01T13:00:00Z".parse().unwrap();
        let alerts = alerts_of(data, "prom", now);
        assert_eq!(
            alerts[0].starts_at.to_rfc3339(),
            "2024-01-01T12:20:08+00:00"
        );
        assert_eq!(
            alerts[1].starts_at.to_rfc3339(),
            "2024-01-01T12:19:08+00:00"
        );
    }
}
