//! The client of one Alertmanager (`/api/v2`): alerts, silences, status, and the two
//! mutations (create and expire a silence), each sent once.

use super::wire::{
    GettableAlert, GettableSilence, MAX_ID_CHARS, WireSilenceCreated, WireStatus, clean_id,
    to_alert, to_silence,
};
use crate::config::source::SourceSpec;
use crate::model::alert::Alert;
use crate::model::silence::{NewSilence, Silence};
use crate::sanitize;
use crate::sources::error::{ErrorKind, SourceError};
use crate::sources::http::{HttpClient, HttpOptions};
use chrono::Utc;
use reqwest::Method;

/// What `status()` reports.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AmStatus {
    /// `versionInfo.version`, e.g. `0.25.0`.
    pub version: String,
    /// `ready`, `settling` or `disabled`.
    pub cluster_status: String,
    pub cluster_name: Option<String>,
    pub peers: usize,
}

/// A client for one Alertmanager (`/api/v2`). Cheap to clone.
#[derive(Clone, Debug)]
pub struct AlertmanagerClient {
    http: HttpClient,
}

impl AlertmanagerClient {
    pub fn new(spec: &SourceSpec) -> Result<AlertmanagerClient, SourceError> {
        Self::with_options(spec, &HttpOptions::default())
    }

    pub fn with_options(
        spec: &SourceSpec,
        options: &HttpOptions,
    ) -> Result<AlertmanagerClient, SourceError> {
        Ok(AlertmanagerClient {
            http: HttpClient::new(spec, options)?,
        })
    }

    /// The source name this client reports as.
    pub fn source(&self) -> &str {
        self.http.source()
    }

    /// Every alert Alertmanager holds: active, silenced, inhibited and unprocessed.
    pub async fn alerts(&self) -> Result<Vec<Alert>, SourceError> {
        let query = [
            ("active", "true"),
            ("silenced", "true"),
            ("inhibited", "true"),
            ("unprocessed", "true"),
        ];
        let wire: Vec<GettableAlert> = self.http.get_json(&["api", "v2", "alerts"], &query).await?;
        let now = Utc::now();
        let source = self.http.source();
        Ok(wire.into_iter().map(|a| to_alert(a, source, now)).collect())
    }

    /// Every silence, expired ones included (Alertmanager keeps them for its retention time).
    pub async fn silences(&self) -> Result<Vec<Silence>, SourceError> {
        let wire: Vec<GettableSilence> =
            self.http.get_json(&["api", "v2", "silences"], &[]).await?;
        let now = Utc::now();
        let source = self.http.source();
        Ok(wire
            .into_iter()
            .filter_map(|s| to_silence(s, source, now))
            .collect())
    }

    /// Version and cluster state (`GET /api/v2/status`).
    pub async fn status(&self) -> Result<AmStatus, SourceError> {
        let wire: WireStatus = self.http.get_json(&["api", "v2", "status"], &[]).await?;
        let cluster = wire.cluster.unwrap_or_default();
        Ok(AmStatus {
            version: wire
                .version_info
                .and_then(|v| v.version)
                .map(|v| sanitize::clean_line(&v, 64))
                .unwrap_or_else(|| "unknown".to_string()),
            cluster_status: sanitize::clean_line(&cluster.status.unwrap_or_default(), 64),
            cluster_name: cluster.name.map(|n| sanitize::clean_line(&n, MAX_ID_CHARS)),
            peers: cluster.peers.map_or(0, |p| p.len()),
        })
    }

    /// Create a silence; returns the ID Alertmanager gave it. Never retried: on failure the
    /// error is the server's own text (sanitised), e.g. a 400's explanation.
    pub async fn create_silence(&self, silence: &NewSilence) -> Result<String, SourceError> {
        let body = self
            .http
            .request(Method::POST, &["api", "v2", "silences"], &[], Some(silence))
            .await?;
        let created: WireSilenceCreated = self.http.decode(&body)?;
        created
            .silence_id
            .filter(|id| !id.is_empty())
            .map(clean_id)
            .ok_or_else(|| {
                self.http.error(
                    ErrorKind::InvalidJson,
                    None,
                    "Alertmanager accepted the silence but returned no silenceID",
                )
            })
    }

    /// Expire a silence (`DELETE /api/v2/silence/{id}`). Never retried.
    pub async fn expire_silence(&self, id: &str) -> Result<(), SourceError> {
        self.http
            .request(
                Method::DELETE,
                &["api", "v2", "silence", id],
                &[],
                None::<&()>,
            )
            .await
            .map(|_| ())
    }
}
