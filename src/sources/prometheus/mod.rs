//! Prometheus (HTTP API v1): the alerts its rules hold (pending and firing), polled. No actions.
//!
//! - `wire`: serde types of its JSON and their translation into model values.
//! - `client`: `PrometheusClient` (alerts from the rules, version).
//! - here: the driver (`[[prometheus]]` / `--prometheus`, the shared alert poll task, fetch and
//!   check).

pub mod client;
pub mod wire;

pub use client::PrometheusClient;

use super::alerts::{self, AlertClient, AlertsFetch};
use super::check::CheckReport;
use super::driver::{BoxFuture, SourceDriver};
use super::error::SourceError;
use super::http::HttpOptions;
use super::oneshot::{FetchResult, OneshotOptions};
use crate::cli::SourceFlags;
use crate::config::file::ConfigFile;
use crate::config::load::{self, ConfigError, LoadCtx};
use crate::config::source::SourceSpec;
use crate::model::source::SourceKind;
use crate::msg::Msg;
use std::sync::Arc;
use tokio::sync::{Notify, mpsc};
use tokio::task::JoinHandle;

/// The Prometheus driver.
pub struct Prometheus;

impl SourceDriver for Prometheus {
    fn kind(&self) -> SourceKind {
        SourceKind::Prometheus
    }
    fn name(&self) -> &'static str {
        "prometheus"
    }
    fn tag(&self) -> &'static str {
        "prom"
    }
    fn noun(&self) -> &'static str {
        "a Prometheus server"
    }

    fn named_by_flags(
        &self,
        flags: &SourceFlags,
        ctx: &mut LoadCtx<'_>,
    ) -> Result<Vec<SourceSpec>, ConfigError> {
        load::http_sources_from_flags(&flags.prometheus, self.kind(), self.name(), ctx)
    }

    fn named_in_file(
        &self,
        file: &ConfigFile,
        ctx: &mut LoadCtx<'_>,
    ) -> Result<Vec<SourceSpec>, ConfigError> {
        load::http_sources_from_entries(&file.prometheus, self.kind(), self.name(), ctx)
    }

    fn spawn_live(
        &self,
        spec: SourceSpec,
        tx: mpsc::Sender<Msg>,
        wake: Arc<Notify>,
    ) -> JoinHandle<()> {
        alerts::spawn_poll::<PrometheusClient>(spec, tx, wake)
    }

    fn fetch_once<'a>(
        &'a self,
        spec: &'a SourceSpec,
        options: &'a OneshotOptions,
        out: &'a mut FetchResult,
    ) -> BoxFuture<'a, ()> {
        Box::pin(alerts::fetch_once::<PrometheusClient>(spec, options, out))
    }

    fn check<'a>(&'a self, spec: &'a SourceSpec, report: &'a mut CheckReport) -> BoxFuture<'a, ()> {
        Box::pin(alerts::check::<PrometheusClient>(spec, report))
    }
}

impl AlertClient for PrometheusClient {
    fn connect(spec: &SourceSpec, options: &HttpOptions) -> Result<Self, SourceError> {
        PrometheusClient::with_options(spec, options)
    }

    /// Prometheus has no silences: asked or not, there are none to fetch.
    async fn fetch(&self, _with_silences: bool) -> Result<AlertsFetch, SourceError> {
        Ok(AlertsFetch {
            alerts: self.alerts().await?,
            ..AlertsFetch::default()
        })
    }

    async fn version(&self) -> Result<String, SourceError> {
        PrometheusClient::version(self).await
    }
}
