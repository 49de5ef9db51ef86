//! `sitrep check`: can we reach each source, do our credentials work, what is it?
//! The version endpoint and the data endpoint are asked at the same time: some proxies guard
//! only one of them, and the data endpoint is the one that must work.

use super::argocd::ArgocdClient;
use super::http::{HttpClient, HttpOptions};
use super::{SourceClient, SourceError, bounded};
use crate::config::source::SourceSpec;
use crate::model::source::SourceKind;
use crate::ui::format::plural;
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
    match spec.kind {
        SourceKind::Alertmanager | SourceKind::Prometheus => {
            check_alert_source(spec, &mut report).await
        }
        SourceKind::Argocd => check_argocd(spec, &mut report).await,
        _ => check_generic(spec, &mut report).await,
    }
    report.elapsed_ms = started.elapsed().as_millis() as u64;
    report
}

async fn check_alert_source(spec: &SourceSpec, report: &mut CheckReport) {
    let client = match SourceClient::new(spec, &HttpOptions::default()) {
        Ok(c) => c,
        Err(e) => {
            report.error = Some(e.message);
            return;
        }
    };
    let (data, version) = tokio::join!(
        bounded(spec.timeout, client.fetch(true)),
        bounded(spec.timeout, client.version())
    );
    if let Ok(v) = &version {
        report.version = Some(v.clone());
        report.reachable = true;
    }
    match data {
        Ok(snapshot) => {
            report.reachable = true;
            report.authenticated = Some(true);
            let mut detail = plural(snapshot.alerts.len(), "alert");
            if let Some(s) = &snapshot.silences {
                detail.push_str(&format!(", {}", plural(s.len(), "silence")));
            }
            if let Some(e) = &snapshot.silences_error {
                detail.push_str(&format!("; silences failed: {e}"));
            }
            report.detail = Some(detail);
        }
        Err(e) => apply_error(report, &e),
    }
}

/// Argo CD: the version (open) and a names-only list (needs a valid token) at the same time.
async fn check_argocd(spec: &SourceSpec, report: &mut CheckReport) {
    let client = match ArgocdClient::new(spec) {
        Ok(c) => c,
        Err(e) => {
            report.error = Some(e.message);
            return;
        }
    };
    let (count, version) = tokio::join!(
        bounded(spec.timeout, client.count_apps()),
        bounded(spec.timeout, client.version())
    );
    if let Ok(v) = &version {
        report.version = Some(v.clone());
        report.reachable = true;
    }
    match count {
        Ok(n) => {
            report.reachable = true;
            report.authenticated = Some(true);
            let mut detail = plural(n, "app");
            if n == 0 {
                detail.push_str(
                    " (none visible: check projects/selector, or the account's `applications, get`)",
                );
            }
            if spec.read_only {
                detail.push_str("; read-only");
            }
            report.detail = Some(detail);
        }
        Err(e) => apply_error(report, &e),
    }
}

/// Kinds checked by their own modules later: at least say whether something answers there.
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

fn apply_error(report: &mut CheckReport, e: &SourceError) {
    report.reachable |= e.reached_server();
    if e.is_auth() {
        report.authenticated = Some(false);
    }
    report.error = Some(e.message.clone());
}
