//! `sitrep check`: can we reach each source, do our credentials work, what is it? Each kind's
//! driver checks its own; by convention the version endpoint and the data endpoint are asked at
//! the same time: some proxies guard only one of them, and the data endpoint is the one that
//! must work.

use super::http::{HttpClient, HttpOptions};
use super::{SourceError, bounded, registry};
use crate::config::source::SourceSpec;
use crate::model::source::SourceKind;
use reqwest::Method;
use serde::Serialize;
use std::time::Instant;

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CheckReport {
    pub name: String,
    pub kind: SourceKind,
    /// Without userinfo.
    pub url: String,
    /// Where the source was configured.
    pub origin: String,
    /// An HTTP server answered (whatever it said).
    pub reachable: bool,
    /// `Some(false)` when the server refused our credentials (401/403), `Some(true)` when the
    /// data endpoint answered, `None` when we could not tell.
    pub authenticated: Option<bool>,
    pub version: Option<String>,
    /// What we found, on success (`12 alerts, 3 silences; cluster ready`).
    pub detail: Option<String>,
    /// What went wrong (sanitised, free of secrets).
    pub error: Option<String>,
    pub elapsed_ms: u64,
}

impl CheckReport {
    pub fn ok(&self) -> bool {
        self.error.is_none()
    }
}

/// Check every source concurrently; reports in the order of `specs`.
pub async fn check_all(specs: &[SourceSpec]) -> Vec<CheckReport> {
    futures::future::join_all(specs.iter().map(check_source)).await
}

/// Check one source.
pub async fn check_source(spec: &SourceSpec) -> CheckReport {
    let started = Instant::now();
    let mut report = CheckReport {
        name: spec.name.clone(),
        kind: spec.kind,
        url: spec.display_url(),
        origin: spec.origin.clone(),
        reachable: false,
        authenticated: None,
        version: None,
        detail: None,
        error: None,
        elapsed_ms: 0,
    };
    match registry::driver_for(spec.kind) {
        Some(driver) => driver.check(spec, &mut report).await,
        None => check_generic(spec, &mut report).await,
    }
    report.elapsed_ms = started.elapsed().as_millis() as u64;
    report
}

/// Kinds without a driver yet: at least say whether something answers there.
async fn check_generic(spec: &SourceSpec, report: &mut CheckReport) {
    let http = match HttpClient::new(spec, &HttpOptions::default()) {
        Ok(h) => h,
        Err(e) => {
            report.error = Some(e.message);
            return;
        }
    };
    match bounded(
        spec.timeout,
        http.request(Method::GET, &[], &[], None::<&()>),
    )
    .await
    {
        Ok(_) => {
            report.reachable = true;
            report.detail = Some("reachable (no deeper check for this kind yet)".to_string());
        }
        // Any HTTP answer means the server is there; only auth refusals are errors.
        Err(e) if e.reached_server() && !e.is_auth() => {
            report.reachable = true;
            report.detail = Some("reachable (no deeper check for this kind yet)".to_string());
        }
        Err(e) => apply_error(report, &e),
    }
}

/// A failed check: reachable if the server answered, unauthenticated on 401/403, its words.
pub(crate) fn apply_error(report: &mut CheckReport, e: &SourceError) {
    report.reachable |= e.reached_server();
    if e.is_auth() {
        report.authenticated = Some(false);
    }
    report.error = Some(e.message.clone());
}
