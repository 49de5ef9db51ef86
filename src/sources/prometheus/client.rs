//! The client of one Prometheus server (HTTP API v1): the alerts its rules hold (pending and
//! firing) and its version.

use super::wire::{BuildInfo, Envelope, RulesData, alerts_of};
use crate::config::source::SourceSpec;
use crate::model::alert::Alert;
use crate::sanitize;
use crate::sources::error::{ErrorKind, SourceError};
use crate::sources::http::{HttpClient, HttpOptions};
use chrono::Utc;
use serde::de::DeserializeOwned;

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

    /// Pending and firing alerts of every alerting rule (`GET /api/v1/rules?type=alert`).
    pub async fn alerts(&self) -> Result<Vec<Alert>, SourceError> {
        let data: RulesData = self
            .get(&["api", "v1", "rules"], &[("type", "alert")])
            .await?;
        Ok(alerts_of(data, self.http.source(), Utc::now()))
    }

    /// `GET /api/v1/status/buildinfo` → `data.version`.
    pub async fn version(&self) -> Result<String, SourceError> {
        let info: BuildInfo = self.get(&["api", "v1", "status", "buildinfo"], &[]).await?;
        Ok(info
            .version
            .map(|v| sanitize::clean_line(&v, 64))
            .unwrap_or_else(|| "unknown".to_string()))
    }

    /// GET and unwrap the envelope: `"status":"error"` (even inside a 200) becomes an error
    /// carrying Prometheus' own words.
    async fn get<T: DeserializeOwned>(
        &self,
        segments: &[&str],
        query: &[(&str, &str)],
    ) -> Result<T, SourceError> {
        let env: Envelope<T> = self.http.get_json(segments, query).await?;
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
