//! Fetch every source once, all at the same time (`sitrep snapshot`), each through its kind's
//! driver. Speed matters here: each driver sends its main request first thing, anything else
//! (silences, the version if asked) beside it, never before it.

use super::http::HttpOptions;
use super::registry;
use crate::config::source::SourceSpec;
use crate::model::alert::Alert;
use crate::model::app::App;
use crate::model::silence::Silence;
use crate::model::source::SourceKind;
use crate::msg::{ArgocdPayload, SourcePayload};
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
    /// What the source reported (its kind's payload), unless it failed.
    pub payload: Option<SourcePayload>,
    /// What is missing although the payload came through (Alertmanager's silences).
    pub partial_error: Option<String>,
    pub version: Option<String>,
    /// Why the source could not be fetched (sanitised, free of secrets).
    pub error: Option<String>,
}

impl FetchResult {
    fn new(spec: &SourceSpec) -> FetchResult {
        FetchResult {
            name: spec.name.clone(),
            kind: spec.kind,
            url: spec.display_url(),
            origin: spec.origin.clone(),
            fetched_at: Utc::now(),
            payload: None,
            partial_error: None,
            version: None,
            error: None,
        }
    }

    pub fn ok(&self) -> bool {
        self.error.is_none()
    }

    /// The alerts fetched (none for kinds without alerts).
    pub fn alerts(&self) -> &[Alert] {
        match &self.payload {
            Some(SourcePayload::Alerts(p)) => &p.alerts,
            _ => &[],
        }
    }

    /// Alertmanager's silences; `None` for other kinds or when only the silences failed.
    pub fn silences(&self) -> Option<&[Silence]> {
        match &self.payload {
            Some(SourcePayload::Alerts(p)) => p.silences.as_deref(),
            _ => None,
        }
    }

    /// Argo CD's applications (none for other kinds).
    pub fn apps(&self) -> &[App] {
        match &self.payload {
            Some(SourcePayload::Argocd(ArgocdPayload::Apps { apps })) => apps,
            _ => &[],
        }
    }
}

/// Fetch every source whose kind has a driver once, concurrently; results in the order of
/// `specs`. Kinds without a driver are skipped.
pub async fn fetch_all_once(specs: Vec<SourceSpec>) -> Vec<FetchResult> {
    fetch_all_once_with(specs, &OneshotOptions::default()).await
}

pub async fn fetch_all_once_with(
    specs: Vec<SourceSpec>,
    options: &OneshotOptions,
) -> Vec<FetchResult> {
    let fetches = specs
        .iter()
        .filter(|s| registry::driver_for(s.kind).is_some())
        .map(|spec| fetch_one(spec, options));
    futures::future::join_all(fetches).await
}

/// Fetch one source once.
pub async fn fetch_one(spec: &SourceSpec, options: &OneshotOptions) -> FetchResult {
    let mut result = FetchResult::new(spec);
    match registry::driver_for(spec.kind) {
        Some(driver) => driver.fetch_once(spec, options, &mut result).await,
        None => {
            result.error = Some(format!(
                "sitrep cannot fetch {} sources yet",
                spec.kind.tag()
            ))
        }
    }
    result
}
