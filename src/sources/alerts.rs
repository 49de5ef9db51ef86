//! What the kinds that serve alerts (Alertmanager, Prometheus) share: their payload, and the
//! poll task, one-shot fetch and check of any [`AlertClient`]. Each kind's folder supplies the
//! client; this module never asks which kind it is.
//!
//! The poll task learns the version, polls alerts (and silences) every `poll_interval`, backs
//! off on failure and polls at once when woken. It owns its client; the UI only ever receives
//! `Msg::Source`.
//!
//! Channel choice: tasks `send().await` on the bounded channel. The UI never sends on it and so
//! never waits on a source; a source that produces faster than the UI drains waits, holding at
//! most one finished update, and does not fetch again until the UI took it (backpressure instead
//! of loss: no answer is ever dropped, and a stalled UI cannot make sources pile up memory).
//! When the send took long, the next poll is due at once, so the data the UI sees is fresh.

use super::bounded;
use super::check::{CheckReport, apply_error};
use super::error::SourceError;
use super::http::HttpOptions;
use super::oneshot::{FetchResult, OneshotOptions};
use super::poller::{MIN_INTERVAL, backoff_delay};
use crate::config::source::SourceSpec;
use crate::model::alert::Alert;
use crate::model::silence::Silence;
use crate::msg::{Msg, SourcePayload, SourceUpdate};
use crate::ui::format::plural;
use chrono::Utc;
use std::sync::Arc;
use tokio::sync::{Notify, mpsc};
use tokio::task::JoinHandle;
use tokio::time::Instant;

/// The alerts domain's payload: a complete answer of one source's alerts (and, for
/// Alertmanager, its silences).
#[derive(Debug, Clone, Default)]
pub struct AlertsPayload {
    pub alerts: Vec<Alert>,
    /// `None` when the source has none (Prometheus) or only the silences fetch failed.
    pub silences: Option<Vec<Silence>>,
}

/// One successful fetch of an alert source.
#[derive(Clone, Debug, Default)]
pub struct AlertsFetch {
    pub alerts: Vec<Alert>,
    /// Alertmanager's silences; `None` for Prometheus, or when only the silences fetch failed.
    pub silences: Option<Vec<Silence>>,
    /// Why the silences are missing although the alerts came through.
    pub silences_error: Option<SourceError>,
}

/// A client of a source that serves alerts, as the shared poll task, fetch and check use it.
pub trait AlertClient: Sized + Send + Sync + 'static {
    fn connect(spec: &SourceSpec, options: &HttpOptions) -> Result<Self, SourceError>;
    /// Alerts, and silences beside them (concurrently: no extra round trip) when asked and
    /// the source has any.
    fn fetch(
        &self,
        with_silences: bool,
    ) -> impl Future<Output = Result<AlertsFetch, SourceError>> + Send;
    /// The server's version string.
    fn version(&self) -> impl Future<Output = Result<String, SourceError>> + Send;
}

/// Start the poll task of one alert source.
pub fn spawn_poll<C: AlertClient>(
    spec: SourceSpec,
    tx: mpsc::Sender<Msg>,
    wake: Arc<Notify>,
) -> JoinHandle<()> {
    tokio::spawn(run::<C>(spec, tx, wake))
}

struct TaskState<C> {
    client: Option<C>,
    /// Version asked once per connection; asked again after the source failed.
    version_asked: bool,
    failures: u32,
}

async fn run<C: AlertClient>(spec: SourceSpec, tx: mpsc::Sender<Msg>, wake: Arc<Notify>) {
    let options = HttpOptions::default();
    let mut state = TaskState::<C> {
        client: None,
        version_asked: false,
        failures: 0,
    };
    loop {
        let started = Instant::now();
        let payloads = poll(&spec, &options, &mut state).await;
        let failed = payloads
            .iter()
            .any(|p| matches!(p, SourcePayload::Error(_)));
        let at = Utc::now();
        for payload in payloads {
            let msg = Msg::Source(SourceUpdate {
                source: spec.name.clone(),
                at,
                payload,
            });
            if tx.send(msg).await.is_err() {
                return; // the UI is gone
            }
        }
        let delay = if failed {
            state.failures += 1;
            state.version_asked = false;
            backoff_delay(spec.poll_interval, state.failures)
        } else {
            state.failures = 0;
            spec.poll_interval.max(MIN_INTERVAL)
        };
        tokio::select! {
            _ = tokio::time::sleep_until(started + delay) => {}
            _ = wake.notified() => {}
        }
    }
}

/// One poll: what to report, in order (version first, then alerts or the error).
async fn poll<C: AlertClient>(
    spec: &SourceSpec,
    options: &HttpOptions,
    state: &mut TaskState<C>,
) -> Vec<SourcePayload> {
    if state.client.is_none() {
        match C::connect(spec, options) {
            Ok(c) => state.client = Some(c),
            Err(e) => return vec![SourcePayload::Error(e.message)],
        }
    }
    let Some(client) = state.client.as_ref() else {
        return Vec::new();
    };
    let fetch = bounded(spec.timeout, client.fetch(true));
    let mut out = Vec::with_capacity(2);
    let result = if state.version_asked {
        fetch.await
    } else {
        // Concurrently: learning the version never delays the first alerts.
        let (result, version) = tokio::join!(fetch, bounded(spec.timeout, client.version()));
        match version {
            Ok(v) => {
                state.version_asked = true;
                out.push(SourcePayload::Version(v));
            }
            // A server that answered but will not say (a proxy allowing only the alerts
            // path): do not ask on every poll.
            Err(e) if e.reached_server() => state.version_asked = true,
            Err(_) => {}
        }
        result
    };
    match result {
        Ok(AlertsFetch {
            alerts,
            silences,
            silences_error,
        }) => {
            if let Some(e) = silences_error {
                tracing::warn!(source = %spec.name, error = %e, "silences unavailable; alerts kept");
            }
            out.push(SourcePayload::Alerts(AlertsPayload { alerts, silences }));
        }
        Err(e) => {
            tracing::debug!(source = %spec.name, error = %e, "poll failed");
            out.push(SourcePayload::Error(e.message));
        }
    }
    out
}

/// Fetch once for `sitrep snapshot`: the alerts request goes out first thing, silences (and
/// the version, if asked) travel beside it, never before it.
pub async fn fetch_once<C: AlertClient>(
    spec: &SourceSpec,
    options: &OneshotOptions,
    out: &mut FetchResult,
) {
    let client = match C::connect(spec, &options.http) {
        Ok(c) => c,
        Err(e) => {
            out.error = Some(e.message);
            return;
        }
    };
    let fetch = bounded(spec.timeout, client.fetch(!options.without_silences));
    let (fetched, version) = if options.with_version {
        let (s, v) = tokio::join!(fetch, bounded(spec.timeout, client.version()));
        (s, v.ok())
    } else {
        (fetch.await, None)
    };
    out.fetched_at = Utc::now();
    out.version = version;
    match fetched {
        Ok(s) => {
            out.partial_error = s.silences_error.map(|e| e.message);
            out.payload = Some(SourcePayload::Alerts(AlertsPayload {
                alerts: s.alerts,
                silences: s.silences,
            }));
        }
        Err(e) => out.error = Some(e.message),
    }
}

/// `sitrep check`: the version endpoint and the alerts (and silences) at the same time.
pub async fn check<C: AlertClient>(spec: &SourceSpec, report: &mut CheckReport) {
    let client = match C::connect(spec, &HttpOptions::default()) {
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
        Ok(fetched) => {
            report.reachable = true;
            report.authenticated = Some(true);
            let mut detail = plural(fetched.alerts.len(), "alert");
            if let Some(s) = &fetched.silences {
                detail.push_str(&format!(", {}", plural(s.len(), "silence")));
            }
            if let Some(e) = &fetched.silences_error {
                detail.push_str(&format!("; silences failed: {e}"));
            }
            report.detail = Some(detail);
        }
        Err(e) => apply_error(report, &e),
    }
}
