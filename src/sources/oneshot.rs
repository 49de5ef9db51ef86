//! Fetch every alert source once, all at the same time (`sitrep snapshot`). Speed matters here:
//! the alerts request goes out first thing, silences (and the version, if asked) travel beside
//! it, never before it, and bodies are decoded straight from bytes.

use super::http::HttpOptions;
use super::{SourceClient, bounded};
use crate::config::source::SourceSpec;
use crate::model::alert::Alert;
use crate::model::silence::Silence;
use crate::model::source::SourceKind;
use chrono::{DateTime, Utc};

#[derive(Clone, Debug, Default)]
pub struct OneshotOptions {
    pub http: HttpOptions,
    /// Also ask each server its version (one more request per source, concurrent).
    pub with_version: bool,
}

/// One source's result.
#[derive(Clone, Debug)]
pub struct FetchResult {
    pub name: String,
    pub kind: SourceKind,
    /// Without userinfo.
    pub url: String,
    pub origin: String,
    /// When the answer arrived (or the attempt ended).
    pub fetched_at: DateTime<Utc>,
    pub alerts: Vec<Alert>,
    /// Alertmanager's silences; `None` for Prometheus or when only the silences failed.
    pub silences: Option<Vec<Silence>>,
    /// Why the silences are missing although the alerts came through.
    pub silences_error: Option<String>,
    pub version: Option<String>,
    /// Why the alerts could not be fetched (sanitised, free of secrets).
    pub error: Option<String>,
}

impl FetchResult {
    pub fn ok(&self) -> bool {
        self.error.is_none()
    }
}

/// Fetch every Alertmanager and Prometheus source once, concurrently; results in the order of
/// `specs`. Other kinds are skipped (their own modules fetch them).
pub async fn fetch_all_once(specs: Vec<SourceSpec>) -> Vec<FetchResult> {
    fetch_all_once_with(specs, &OneshotOptions::default()).await
}

pub async fn fetch_all_once_with(
    specs: Vec<SourceSpec>,
    options: &OneshotOptions,
) -> Vec<FetchResult> {
    let fetches = specs
        .iter()
        .filter(|s| matches!(s.kind, SourceKind::Alertmanager | SourceKind::Prometheus))
        .map(|spec| fetch_one(spec, options));
    futures::future::join_all(fetches).await
}

/// Fetch one source once.
pub async fn fetch_one(spec: &SourceSpec, options: &OneshotOptions) -> FetchResult {
    let mut result = FetchResult {
        name: spec.name.clone(),
        kind: spec.kind,
        url: spec.display_url(),
        origin: spec.origin.clone(),
        fetched_at: Utc::now(),
        alerts: Vec::new(),
        silences: None,
        silences_error: None,
        version: None,
        error: None,
    };
    let client = match SourceClient::new(spec, &options.http) {
        Ok(c) => c,
        Err(e) => {
            result.error = Some(e.message);
            return result;
        }
    };
    let fetch = bounded(spec.timeout, client.fetch());
    let (snapshot, version) = if options.with_version {
        let (s, v) = tokio::join!(fetch, bounded(spec.timeout, client.version()));
        (s, v.ok())
    } else {
        (fetch.await, None)
    };
    result.fetched_at = Utc::now();
    result.version = version;
    match snapshot {
        Ok(s) => {
            result.alerts = s.alerts;
            result.silences = s.silences;
            result.silences_error = s.silences_error.map(|e| e.message);
        }
        Err(e) => result.error = Some(e.message),
    }
    result
}
