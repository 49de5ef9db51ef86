//! Fetch every source once, all at the same time (`sitrep snapshot`). Speed matters here:
//! the alerts request goes out first thing, silences (and the version, if asked) travel beside
//! it, never before it, and bodies are decoded straight from bytes. Argo CD sources are listed
//! once (`GET /api/v1/applications`), no watch.

use super::argocd::ArgocdClient;
use super::http::HttpOptions;
use super::{SourceClient, bounded};
use crate::config::source::SourceSpec;
use crate::model::alert::Alert;
use crate::model::app::App;
use crate::model::silence::Silence;
use crate::model::source::SourceKind;
use chrono::{DateTime, Utc};

#[derive(Clone, Debug, Default)]
pub struct OneshotOptions {
    pub http: HttpOptions,
    /// Also ask each server its version (one more request per source, concurrent).
    pub with_version: bool,
    /// Skip Alertmanager's silences. `sitrep snapshot` prints none, and a concurrent silences
    /// request makes Alertmanager build the big alerts answer measurably slower.
    pub without_silences: bool,
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
    /// Argo CD's applications (empty for other kinds).
    pub apps: Vec<App>,
    /// Alertmanager's silences; `None` for Prometheus or when only the silences failed.
    pub silences: Option<Vec<Silence>>,
    /// Why the silences are missing although the alerts came through.
    pub silences_error: Option<String>,
    pub version: Option<String>,
    /// Why the alerts (or apps) could not be fetched (sanitised, free of secrets).
    pub error: Option<String>,
}

impl FetchResult {
    pub fn ok(&self) -> bool {
        self.error.is_none()
    }
}

/// Fetch every Alertmanager, Prometheus and Argo CD source once, concurrently; results in the
/// order of `specs`. Other kinds are skipped (their own modules fetch them).
pub async fn fetch_all_once(specs: Vec<SourceSpec>) -> Vec<FetchResult> {
    fetch_all_once_with(specs, &OneshotOptions::default()).await
}

pub async fn fetch_all_once_with(
    specs: Vec<SourceSpec>,
    options: &OneshotOptions,
) -> Vec<FetchResult> {
    let fetches = specs
        .iter()
        .filter(|s| {
            matches!(
                s.kind,
                SourceKind::Alertmanager | SourceKind::Prometheus | SourceKind::Argocd
            )
        })
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
        apps: Vec::new(),
        silences: None,
        silences_error: None,
        version: None,
        error: None,
    };
    if spec.kind == SourceKind::Argocd {
        fetch_argocd(spec, options, &mut result).await;
        return result;
    }
    let client = match SourceClient::new(spec, &options.http) {
        Ok(c) => c,
        Err(e) => {
            result.error = Some(e.message);
            return result;
        }
    };
    let fetch = bounded(spec.timeout, client.fetch(!options.without_silences));
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

async fn fetch_argocd(spec: &SourceSpec, options: &OneshotOptions, result: &mut FetchResult) {
    let http = HttpOptions {
        body_cap: options.http.body_cap.max(super::argocd::DEFAULT_LIST_CAP),
    };
    let client = match ArgocdClient::with_options(spec, &http, super::argocd::DEFAULT_LINE_CAP) {
        Ok(c) => c,
        Err(e) => {
            result.error = Some(e.message);
            return;
        }
    };
    let list = bounded(spec.timeout, client.list());
    let (list, version) = if options.with_version {
        let (l, v) = tokio::join!(list, bounded(spec.timeout, client.version()));
        (l, v.ok())
    } else {
        (list.await, None)
    };
    result.fetched_at = Utc::now();
    result.version = version;
    match list {
        Ok((apps, _)) => result.apps = apps,
        Err(e) => result.error = Some(e.message),
    }
}
