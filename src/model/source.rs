//! What the status line says about each source: kind, health, freshness, where it was configured.

use chrono::{DateTime, Utc};
use serde::Serialize;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SourceKind {
    Alertmanager,
    Prometheus,
    Argocd,
    Kube,
    Catalog,
    /// A paging service (PagerDuty, Opsgenie): who is on call now.
    OnCall,
}

impl SourceKind {
    /// Short tag for the status line.
    pub fn tag(self) -> &'static str {
        match self {
            SourceKind::Alertmanager => "AM",
            SourceKind::Prometheus => "prom",
            SourceKind::Argocd => "argocd",
            SourceKind::Kube => "kube",
            SourceKind::Catalog => "catalog",
            SourceKind::OnCall => "on-call",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SourceState {
    /// Started, no answer yet.
    Connecting,
    /// Last fetch succeeded.
    Ok,
    /// Last fetch failed; data shown (if any) is from `last_ok`.
    Failing,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SourceStatus {
    pub name: String,
    pub kind: SourceKind,
    /// URL without credentials.
    pub url: String,
    /// Where this source was configured: `flag --alertmanager`, `config.toml:12`, `~/.config/amtool/config.yml`.
    pub origin: String,
    pub state: SourceState,
    pub last_ok: Option<DateTime<Utc>>,
    pub last_attempt: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
    pub version: Option<String>,
    pub read_only: bool,
    pub consecutive_failures: u32,
    /// Expected time between fetches; data older than 3x this is shown as stale.
    pub poll_interval_secs: u64,
    /// Argo CD: whether the watch stream is connected (None for polled sources).
    pub live: Option<bool>,
}

impl SourceStatus {
    pub fn new(name: &str, kind: SourceKind, url: &str, origin: &str) -> SourceStatus {
        SourceStatus {
            name: name.to_string(),
            kind,
            url: url.to_string(),
            origin: origin.to_string(),
            state: SourceState::Connecting,
            last_ok: None,
            last_attempt: None,
            last_error: None,
            version: None,
            read_only: false,
            consecutive_failures: 0,
            poll_interval_secs: 10,
            live: None,
        }
    }
}
