//! One tokio task per source: learn the version, poll alerts (and silences) every
//! `poll_interval`, back off on failure, poll at once when asked. Each task owns its client; the
//! UI only ever receives `Msg::Source`.
//!
//! Channel choice: tasks `send().await` on the bounded channel. The UI never sends on it and so
//! never waits on a source; a source that produces faster than the UI drains waits, holding at
//! most one finished update, and does not fetch again until the UI took it (backpressure instead
//! of loss: no snapshot is ever dropped, and a stalled UI cannot make sources pile up memory).
//! When the send took long, the next poll is due at once, so the data the UI sees is fresh.

use super::http::HttpOptions;
use super::{Snapshot, SourceClient, bounded};
use crate::config::source::SourceSpec;
use crate::model::source::SourceKind;
use crate::msg::{Msg, SourcePayload, SourceUpdate};
use chrono::Utc;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{Notify, mpsc};
use tokio::task::JoinHandle;
use tokio::time::Instant;

/// Longest wait between attempts while a source keeps failing (unless its poll interval is longer).
pub const MAX_BACKOFF: Duration = Duration::from_secs(300);
/// A zero or tiny poll interval in the config must not turn a task into a busy loop.
pub const MIN_INTERVAL: Duration = Duration::from_millis(100);

struct Task {
    name: String,
    wake: Arc<Notify>,
    join: JoinHandle<()>,
}

/// The running source tasks. Dropping this stops them.
pub struct SourceHandles {
    tasks: Vec<Task>,
}

impl SourceHandles {
    /// Names of the sources that have a task.
    pub fn names(&self) -> Vec<&str> {
        self.tasks.iter().map(|t| t.name.as_str()).collect()
    }

    /// Ask one source to poll now (also cuts a backoff short; an Argo CD watch that is live
    /// needs no poll and only uses it to cut a reconnect's backoff short). If a fetch is in flight, it is
    /// delivered and the next one starts right after. Returns false for an unknown name.
    pub fn refresh(&self, name: &str) -> bool {
        let mut found = false;
        for t in self.tasks.iter().filter(|t| t.name == name) {
            t.wake.notify_one();
            found = true;
        }
        found
    }

    pub fn refresh_all(&self) {
        for t in &self.tasks {
            t.wake.notify_one();
        }
    }

    /// Stop every task now.
    pub fn shutdown(&self) {
        for t in &self.tasks {
            t.join.abort();
        }
    }
}

impl Drop for SourceHandles {
    fn drop(&mut self) {
        self.shutdown();
    }
}

/// Start one task per source: a polling task per Alertmanager/Prometheus, a watch task per Argo
/// CD (`argocd::watch`); other kinds are skipped. Must be called inside a tokio runtime.
pub fn spawn_sources(specs: Vec<SourceSpec>, tx: mpsc::Sender<Msg>) -> SourceHandles {
    spawn_sources_with(specs, tx, HttpOptions::default())
}

/// [`spawn_sources`] with explicit HTTP options (body cap).
pub fn spawn_sources_with(
    specs: Vec<SourceSpec>,
    tx: mpsc::Sender<Msg>,
    options: HttpOptions,
) -> SourceHandles {
    let tasks = specs
        .into_iter()
        .filter_map(|spec| {
            let wake = Arc::new(Notify::new());
            let name = spec.name.clone();
            let join = match spec.kind {
                SourceKind::Alertmanager | SourceKind::Prometheus => {
                    tokio::spawn(run(spec, options.clone(), tx.clone(), wake.clone()))
                }
                SourceKind::Argocd => tokio::spawn(super::argocd::watch::run(
                    spec,
                    super::argocd::WatchOptions::default(),
                    tx.clone(),
                    wake.clone(),
                )),
                _ => return None,
            };
            Some(Task { name, wake, join })
        })
        .collect();
    SourceHandles { tasks }
}

/// Delay before the next attempt after `failures` consecutive failures (≥ 1): the poll
/// interval, doubling per failure, capped at 5 minutes, ±20% jitter so that sources (and
/// several sitreps) that failed together do not retry in lockstep.
pub fn backoff_delay(interval: Duration, failures: u32) -> Duration {
    let cap = MAX_BACKOFF.max(interval);
    let exp = failures.saturating_sub(1).min(20);
    let delay = interval
        .max(MIN_INTERVAL)
        .saturating_mul(1u32 << exp)
        .min(cap);
    delay.mul_f64(0.8 + fastrand::f64() * 0.4).min(cap)
}

struct TaskState {
    client: Option<SourceClient>,
    /// Version asked once per connection; asked again after the source failed.
    version_asked: bool,
    failures: u32,
}

async fn run(spec: SourceSpec, options: HttpOptions, tx: mpsc::Sender<Msg>, wake: Arc<Notify>) {
    let mut state = TaskState {
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
async fn poll(
    spec: &SourceSpec,
    options: &HttpOptions,
    state: &mut TaskState,
) -> Vec<SourcePayload> {
    if state.client.is_none() {
        match SourceClient::new(spec, options) {
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
        Ok(Snapshot {
            alerts,
            silences,
            silences_error,
        }) => {
            if let Some(e) = silences_error {
                tracing::warn!(source = %spec.name, error = %e, "silences unavailable; alerts kept");
            }
            out.push(SourcePayload::Alerts { alerts, silences });
        }
        Err(e) => {
            tracing::debug!(source = %spec.name, error = %e, "poll failed");
            out.push(SourcePayload::Error(e.message));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_with_jitter_and_caps() {
        let i = Duration::from_secs(10);
        for _ in 0..100 {
            let d1 = backoff_delay(i, 1);
            assert!(
                d1 >= Duration::from_secs(8) && d1 <= Duration::from_secs(12),
                "{d1:?}"
            );
            let d3 = backoff_delay(i, 3);
            assert!(
                d3 >= Duration::from_secs(32) && d3 <= Duration::from_secs(48),
                "{d3:?}"
            );
            let d20 = backoff_delay(i, 20);
            assert!(
                d20 >= Duration::from_secs(240) && d20 <= MAX_BACKOFF,
                "{d20:?}"
            );
            assert!(backoff_delay(i, u32::MAX) <= MAX_BACKOFF);
        }
    }
}
