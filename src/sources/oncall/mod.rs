//! On-call sources: who is on call now, from PagerDuty or Opsgenie, as one whole-account
//! snapshot (`model::oncall::OnCallSnapshot`) fetched every `refresh` (3 minutes by default).
//! The model joins it to the catalog's components; nothing here asks per component.
//!
//! - `config`: `[[oncall]]` entries and keys found in the environment.
//! - `pagerduty`, `opsgenie`: the clients and their wire types.
//! - here: the driver (poll task, one-shot fetch, check) and what both clients share (names
//!   cleaned and capped, safe links, errors that say whose key was refused).

pub mod config;
pub mod opsgenie;
pub mod pagerduty;

#[cfg(test)]
mod tests;

pub use config::{OnCallEntry, OnCallOptions};
pub use opsgenie::OpsgenieClient;
pub use pagerduty::PagerDutyClient;

use super::check::{CheckReport, apply_error};
use super::driver::{BoxFuture, SourceDriver};
use super::error::{ErrorKind, SourceError, human_duration};
use super::http::HttpOptions;
use super::oneshot::{FetchResult, OneshotOptions};
use super::poller::{MIN_INTERVAL, backoff_delay};
use crate::cli::SourceFlags;
use crate::config::file::ConfigFile;
use crate::config::load::{ConfigError, LoadCtx};
use crate::config::source::SourceSpec;
use crate::model::oncall::{OnCallSnapshot, Provider};
use crate::model::source::SourceKind;
use crate::msg::{Msg, SourcePayload, SourceUpdate};
use crate::sanitize;
use crate::ui::format::plural;
use chrono::Utc;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{Notify, mpsc};
use tokio::task::JoinHandle;
use tokio::time::Instant;

/// Longest person, schedule or team name kept.
pub const MAX_NAME_CHARS: usize = 200;
/// Longest id kept (PagerDuty's are 7 characters; Opsgenie's UUIDs 36).
const MAX_ID_CHARS: usize = 100;
/// Longest link kept.
const MAX_URL_CHARS: usize = 2048;
/// Cap on one page's body: a page holds at most 100 entries.
pub const PAGE_BODY_CAP: usize = 16 * 1024 * 1024;
/// A failing source retries after this (doubling, jittered), not after a whole `refresh`.
const RETRY_BASE: Duration = Duration::from_secs(30);
/// After a 429, never sooner than this.
const RATE_LIMITED_WAIT: Duration = Duration::from_secs(60);
/// Being woken (refresh key) never fetches more often than this.
const MIN_GAP: Duration = Duration::from_secs(5);

/// The on-call driver.
pub struct OnCall;

impl SourceDriver for OnCall {
    fn kind(&self) -> SourceKind {
        SourceKind::OnCall
    }
    fn name(&self) -> &'static str {
        "oncall"
    }
    fn tag(&self) -> &'static str {
        "on-call"
    }
    fn noun(&self) -> &'static str {
        "a paging service (PagerDuty or Opsgenie)"
    }

    /// No flag: a paging service needs a key, which belongs in the config or the environment.
    fn named_by_flags(
        &self,
        _flags: &SourceFlags,
        _ctx: &mut LoadCtx<'_>,
    ) -> Result<Vec<SourceSpec>, ConfigError> {
        Ok(Vec::new())
    }

    fn named_in_file(
        &self,
        file: &ConfigFile,
        ctx: &mut LoadCtx<'_>,
    ) -> Result<Vec<SourceSpec>, ConfigError> {
        config::from_entries(&file.oncall, ctx)
    }

    /// `PAGERDUTY_TOKEN` / `SITREP_PAGERDUTY_TOKEN`, else `OPSGENIE_API_KEY`.
    fn discover(&self, ctx: &mut LoadCtx<'_>) -> Result<Option<SourceSpec>, ConfigError> {
        Ok(config::discovered(ctx))
    }

    fn spawn_live(
        &self,
        spec: SourceSpec,
        tx: mpsc::Sender<Msg>,
        wake: Arc<Notify>,
    ) -> JoinHandle<()> {
        tokio::spawn(run(spec, tx, wake))
    }

    fn fetch_once<'a>(
        &'a self,
        spec: &'a SourceSpec,
        options: &'a OneshotOptions,
        out: &'a mut FetchResult,
    ) -> BoxFuture<'a, ()> {
        Box::pin(fetch_once(spec, options, out))
    }

    fn check<'a>(&'a self, spec: &'a SourceSpec, report: &'a mut CheckReport) -> BoxFuture<'a, ()> {
        Box::pin(check(spec, report))
    }
}

/// The client of either provider.
#[derive(Clone, Debug)]
pub enum OnCallClient {
    PagerDuty(PagerDutyClient),
    Opsgenie(OpsgenieClient),
}

impl OnCallClient {
    pub fn new(spec: &SourceSpec) -> Result<OnCallClient, SourceError> {
        OnCallClient::with_options(spec, &HttpOptions::default())
    }

    /// Pages are capped at [`PAGE_BODY_CAP`] (or `options.body_cap` when smaller).
    pub fn with_options(
        spec: &SourceSpec,
        options: &HttpOptions,
    ) -> Result<OnCallClient, SourceError> {
        let options = HttpOptions {
            body_cap: options.body_cap.min(PAGE_BODY_CAP),
        };
        match spec.oncall.as_ref().map(|o| o.provider) {
            Some(Provider::PagerDuty) => Ok(OnCallClient::PagerDuty(PagerDutyClient::new(
                spec, &options,
            )?)),
            Some(Provider::Opsgenie) => {
                Ok(OnCallClient::Opsgenie(OpsgenieClient::new(spec, &options)?))
            }
            None => Err(SourceError::new(
                ErrorKind::Config,
                None,
                format!(
                    "source {} names no paging service (provider = \"pagerduty\" or \"opsgenie\")",
                    spec.name
                ),
            )),
        }
    }

    /// The whole account's on-call snapshot, within [`deadline`] of the source's timeout.
    pub async fn snapshot(&self, timeout: Duration) -> Result<OnCallSnapshot, SourceError> {
        let fetch = async {
            match self {
                OnCallClient::PagerDuty(c) => c.snapshot().await,
                OnCallClient::Opsgenie(c) => c.snapshot().await,
            }
        };
        let limit = deadline(timeout);
        tokio::time::timeout(limit, fetch)
            .await
            .unwrap_or_else(|_| {
                Err(SourceError::new(
                    ErrorKind::Timeout,
                    None,
                    format!("no complete answer within {}", human_duration(limit)),
                ))
            })
    }
}

/// A snapshot takes a few requests (pages, schedules); all of them together get this long.
pub fn deadline(timeout: Duration) -> Duration {
    timeout.saturating_mul(6)
}

/// Rewrites the errors that need the source's context: a refused key says where it came
/// from (never what it is), a 429 says it is a rate limit.
#[derive(Clone, Debug)]
struct Explain {
    provider: Provider,
    key_from: String,
}

impl Explain {
    fn of(spec: &SourceSpec, provider: Provider) -> Explain {
        let key_from = spec
            .oncall
            .as_ref()
            .map(|o| o.key_from.clone())
            .unwrap_or_else(|| "its config".to_string());
        Explain { provider, key_from }
    }

    fn error(&self, e: SourceError) -> SourceError {
        let who = title(self.provider);
        let key_from = sanitize::clean_line(&self.key_from, 200);
        let status = e.status.unwrap_or(0);
        match e.kind {
            ErrorKind::Unauthorized => SourceError::new(
                e.kind,
                e.status,
                format!(
                    "{who} refused the API key from {key_from} (HTTP {status}): check that it is a valid {} key",
                    match self.provider {
                        Provider::PagerDuty => "REST API",
                        Provider::Opsgenie => "API integration",
                    }
                ),
            ),
            ErrorKind::Forbidden => SourceError::new(
                e.kind,
                e.status,
                format!(
                    "{who} refused the API key from {key_from} (HTTP {status}): it may not read on-call data"
                ),
            ),
            ErrorKind::Rejected if e.status == Some(429) => SourceError::new(
                e.kind,
                e.status,
                format!("rate limited by {who} (HTTP 429): too many requests with this key"),
            ),
            _ => e,
        }
    }
}

fn title(provider: Provider) -> &'static str {
    match provider {
        Provider::PagerDuty => "PagerDuty",
        Provider::Opsgenie => "Opsgenie",
    }
}

fn is_rate_limit(e: &SourceError) -> bool {
    e.status == Some(429)
}

/// A field that is missing, null or of another type than expected becomes `None` instead of
/// failing the whole page.
fn lenient<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: DeserializeOwned,
{
    Ok(serde_json::from_value(Value::deserialize(d)?).ok())
}

/// The elements of a JSON array (anything else: none).
fn items(list: Value) -> Vec<Value> {
    match list {
        Value::Array(a) => a,
        _ => Vec::new(),
    }
}

/// A person, schedule or team name: clean, trimmed, capped.
fn clean_name(s: &str) -> String {
    sanitize::clean_line(s.trim(), MAX_NAME_CHARS)
        .trim()
        .to_string()
}

/// An id, kept as it is when it is plain (it is a lookup key).
fn clean_id(s: &str) -> String {
    sanitize::clean_line(s.trim(), MAX_ID_CHARS)
}

/// A link only if it is `http(s)` and of sane length.
fn safe_url(s: Option<&str>) -> Option<String> {
    let s = s?.trim();
    if s.len() > MAX_URL_CHARS {
        return None;
    }
    let url = url::Url::parse(s).ok()?;
    matches!(url.scheme(), "http" | "https").then(|| url.to_string())
}

/// How many people a snapshot lists (each policy's or schedule's entries).
pub fn entry_count(snapshot: &OnCallSnapshot) -> usize {
    match snapshot.provider {
        Some(Provider::PagerDuty) => snapshot.by_policy.values().map(Vec::len).sum(),
        _ => snapshot.by_schedule.values().map(Vec::len).sum(),
    }
}

/// The poll task: a snapshot every `refresh`; on failure a jittered backoff from
/// [`RETRY_BASE`] (at least a minute after a 429). Woken, it fetches at once, but never
/// within [`MIN_GAP`] of the last fetch (a minute after a 429). The APIs say nothing useful about their version (the
/// media type pins v2), so no `Version` is reported.
async fn run(spec: SourceSpec, tx: mpsc::Sender<Msg>, wake: Arc<Notify>) {
    let mut client: Option<OnCallClient> = None;
    let mut failures = 0u32;
    loop {
        let started = Instant::now();
        let result = match &client {
            Some(c) => c.snapshot(spec.timeout).await,
            None => match OnCallClient::new(&spec) {
                Ok(c) => {
                    let r = c.snapshot(spec.timeout).await;
                    client = Some(c);
                    r
                }
                Err(e) => Err(e),
            },
        };
        // `floor`: how soon a wake may fetch again (later after a 429: waking must not
        // hammer a rate limit).
        let (payload, delay, floor) = match result {
            Ok(snapshot) => {
                failures = 0;
                (
                    SourcePayload::OnCall(Arc::new(snapshot)),
                    spec.poll_interval.max(MIN_INTERVAL),
                    MIN_GAP,
                )
            }
            Err(e) => {
                failures += 1;
                tracing::debug!(source = %spec.name, error = %e, "on-call fetch failed");
                let delay = backoff_delay(spec.poll_interval.min(RETRY_BASE), failures);
                if is_rate_limit(&e) {
                    let delay = delay.max(RATE_LIMITED_WAIT);
                    (SourcePayload::Error(e.message), delay, RATE_LIMITED_WAIT)
                } else {
                    (SourcePayload::Error(e.message), delay, MIN_GAP)
                }
            }
        };
        let msg = Msg::Source(SourceUpdate {
            source: spec.name.clone(),
            at: Utc::now(),
            payload,
        });
        if tx.send(msg).await.is_err() {
            return; // the UI is gone
        }
        tokio::select! {
            _ = tokio::time::sleep_until(started + delay) => {}
            _ = wake.notified() => {
                tokio::time::sleep_until(started + floor.min(delay)).await;
            }
        }
    }
}

async fn fetch_once(spec: &SourceSpec, options: &OneshotOptions, out: &mut FetchResult) {
    let result = match OnCallClient::with_options(spec, &options.http) {
        Ok(c) => c.snapshot(spec.timeout).await,
        Err(e) => Err(e),
    };
    out.fetched_at = Utc::now();
    match result {
        Ok(snapshot) => out.payload = Some(SourcePayload::OnCall(Arc::new(snapshot))),
        Err(e) => out.error = Some(e.message),
    }
}

/// The whole snapshot: it is a handful of requests, and proves both that the key works and
/// that it may read what sitrep needs.
async fn check(spec: &SourceSpec, report: &mut CheckReport) {
    let client = match OnCallClient::new(spec) {
        Ok(c) => c,
        Err(e) => {
            report.error = Some(e.message);
            return;
        }
    };
    match client.snapshot(spec.timeout).await {
        Ok(snapshot) => {
            report.reachable = true;
            report.authenticated = Some(true);
            let entries = entry_count(&snapshot);
            let entries = match entries {
                1 => "1 on-call entry".to_string(),
                n => format!("{n} on-call entries"),
            };
            let mut detail = match snapshot.provider {
                Some(Provider::PagerDuty) => format!(
                    "{}, {entries}",
                    plural(snapshot.service_policy.len(), "service")
                ),
                _ => format!(
                    "{}, {entries}",
                    plural(snapshot.by_schedule.len(), "schedule")
                ),
            };
            if snapshot.service_policy.is_empty() && snapshot.by_schedule.is_empty() {
                detail.push_str(" (none visible: is the key of the right account?)");
            }
            report.detail = Some(detail);
        }
        Err(e) => apply_error(report, &e),
    }
}
