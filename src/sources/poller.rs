//! One live task per source, started by its kind's driver (Alertmanager and Prometheus poll,
//! Argo CD watches); the handles to wake and stop them; the backoff they share.

use super::registry;
use crate::config::source::SourceSpec;
use crate::msg::Msg;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{Notify, mpsc};
use tokio::task::JoinHandle;

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

/// Start one live task per source, through its kind's driver; kinds without a driver are
/// skipped. Must be called inside a tokio runtime.
pub fn spawn_sources(specs: Vec<SourceSpec>, tx: mpsc::Sender<Msg>) -> SourceHandles {
    let tasks = specs
        .into_iter()
        .filter_map(|spec| {
            let driver = registry::driver_for(spec.kind)?;
            let wake = Arc::new(Notify::new());
            let name = spec.name.clone();
            let join = driver.spawn_live(spec, tx.clone(), wake.clone());
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
