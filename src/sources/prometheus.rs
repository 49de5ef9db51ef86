//! Prometheus HTTP API v1: the alerts its rules hold (pending and firing) and its version.
//! Fingerprints are computed the way Alertmanager computes them, so an alert seen by both is one.

use super::error::{ErrorKind, SourceError};
use super::http::{HttpClient, HttpOptions};
use super::{clean_annotations, clean_labels, lenient_time};
use crate::config::source::SourceSpec;
use crate::model::alert::{Alert, AlertState, Labels, fingerprint};
use crate::sanitize;
use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde::de::DeserializeOwned;

/// `{"status":"success|error","data":…,"errorType","error","warnings":[]}`.
#[derive(Debug, Deserialize)]
pub struct Envelope<T> {
    pub status: Option<String>,
    pub data: Option<T>,
    #[serde(rename = "errorType")]
    pub error_type: Option<String>,
    pub error: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct AlertsData {
    pub alerts: Option<Vec<PromAlert>>,
}

/// `data.alerts[]` of `GET /api/v1/alerts`.
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

/// Translate one rule alert; `None` for states that are not alerts (`inactive`).
pub fn to_alert(wire: PromAlert, source: &str, now: DateTime<Utc>) -> Option<Alert> {
    let state = match wire.state.as_deref() {
        Some("pending") => AlertState::Pending,
        Some("inactive") => return None,
        // "firing", or a state we do not know: shown rather than hidden.
        _ => AlertState::Firing,
    };
    let labels = wire.labels.unwrap_or_default();
    // Over the raw labels, exactly as Alertmanager hashes what Prometheus sends it.
    let fp = fingerprint(&labels);
    Some(Alert {
        fingerprint: fp,
        labels: clean_labels(labels),
        annotations: clean_annotations(wire.annotations.unwrap_or_default()),
        state,
        starts_at: wire.active_at.filter(|t| t.timestamp() > 0).unwrap_or(now),
        ends_at: None,
        generator_url: None,
        silenced_by: Vec::new(),
        inhibited_by: Vec::new(),
        muted_by: Vec::new(),
        receivers: Vec::new(),
        source: source.to_string(),
        also_from: Vec::new(),
    })
}

/// A client for one Prometheus server. Cheap to clone.
#[derive(Clone, Debug)]
pub struct PrometheusClient {
    http: HttpClient,
}

impl PrometheusClient {
    pub fn new(spec: &SourceSpec) -> Result<PrometheusClient, SourceError> {
        Self::with_options(spec, &HttpOptions::default())
    }

    pub fn with_options(
        spec: &SourceSpec,
        options: &HttpOptions,
    ) -> Result<PrometheusClient, SourceError> {
        Ok(PrometheusClient {
            http: HttpClient::new(spec, options)?,
        })
    }

    pub fn source(&self) -> &str {
        self.http.source()
    }

    /// Pending and firing alerts of every alerting rule (`GET /api/v1/alerts`).
    pub async fn alerts(&self) -> Result<Vec<Alert>, SourceError> {
        let data: AlertsData = self.get(&["api", "v1", "alerts"]).await?;
        let now = Utc::now();
        let source = self.http.source();
        Ok(data
            .alerts
            .unwrap_or_default()
            .into_iter()
            .filter_map(|a| to_alert(a, source, now))
            .collect())
    }

    /// `GET /api/v1/status/buildinfo` → `data.version`.
    pub async fn version(&self) -> Result<String, SourceError> {
        let info: BuildInfo = self.get(&["api", "v1", "status", "buildinfo"]).await?;
        Ok(info
            .version
            .map(|v| sanitize::clean_line(&v, 64))
            .unwrap_or_else(|| "unknown".to_string()))
    }

    /// GET and unwrap the envelope: `"status":"error"` (even inside a 200) becomes an error
    /// carrying Prometheus' own words.
    async fn get<T: DeserializeOwned>(&self, segments: &[&str]) -> Result<T, SourceError> {
        let env: Envelope<T> = self.http.get_json(segments, &[]).await?;
        match (env.status.as_deref(), env.data) {
            (Some("success") | None, Some(data)) => Ok(data),
            (Some("error"), _) => {
                let msg = match (env.error_type, env.error) {
                    (Some(t), Some(e)) => format!("Prometheus error ({t}): {e}"),
                    (_, Some(e)) => format!("Prometheus error: {e}"),
                    (Some(t), None) => format!("Prometheus error ({t})"),
                    (None, None) => "Prometheus error without a message".to_string(),
                };
                Err(self.http.error(ErrorKind::Api, None, &msg))
            }
            _ => Err(self.http.error(
                ErrorKind::InvalidJson,
                None,
                "unexpected JSON: not a Prometheus API answer (no \"data\")",
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_states_and_computes_fingerprints() {
        let env: Envelope<AlertsData> = serde_json::from_str(
            r#"{"status":"success","data":{"alerts":[
                {"labels":{"alertname":"A"},"state":"firing","activeAt":"2024-01-01T00:00:00Z","value":"1e+00"},
                {"labels":{"alertname":"B"},"state":"pending","activeAt":"2024-01-01T00:00:00Z"},
                {"labels":{"alertname":"C"},"state":"inactive"}]}}"#,
        )
        .unwrap();
        let alerts: Vec<Alert> = env
            .data
            .unwrap()
            .alerts
            .unwrap()
            .into_iter()
            .filter_map(|a| to_alert(a, "prom", Utc::now()))
            .collect();
        assert_eq!(alerts.len(), 2);
        assert_eq!(alerts[0].state, AlertState::Firing);
        assert_eq!(alerts[1].state, AlertState::Pending);
        assert_eq!(alerts[0].fingerprint, fingerprint(&alerts[0].labels));
        assert_eq!(
            alerts[0].starts_at.to_rfc3339(),
            "2024-01-01T00:00:00+00:00"
        );
    }
}
