//! Argo CD: the REST client, its wire types and their conversion to the model, the live watch
//! task, the executor's effects, its config entry and its payload.
//!
//! - `wire`: serde types of Argo CD's JSON, tolerant of every field missing, null or odd.
//! - `convert`: wire → `model::app`, every string sanitised.
//! - `client`: `ArgocdClient` (list, get, tree, events, version, watch, mutations).
//! - `watch`: the live task (list, stream, reconnect) → `Msg::Source`.
//! - `effects`: `fetch_detail` and the effects the executor asks of an Argo CD source.
//! - `config`: `[[argocd]]`, `--argocd` and the argocd CLI's context.
//! - `payload`: what it reports (`ArgocdPayload`).
//! - here: the driver.

pub mod client;
pub mod config;
pub mod convert;
pub mod drift_fetch;
pub mod effects;
pub mod payload;
pub mod watch;
pub mod wire;

pub use client::{ArgocdClient, AutoSyncSet, DEFAULT_LINE_CAP, DEFAULT_LIST_CAP};
pub use effects::{fetch_detail, run_argocd_effect, run_effect};
pub use watch::WatchOptions;

use super::bounded;
use super::check::{CheckReport, apply_error};
use super::driver::{BoxFuture, EffectClient, SourceDriver};
use super::error::SourceError;
use super::http::HttpOptions;
use super::oneshot::{FetchResult, OneshotOptions};
use crate::cli::SourceFlags;
use crate::config::file::ConfigFile;
use crate::config::load::{ConfigError, LoadCtx};
use crate::config::source::SourceSpec;
use crate::effect::Effect;
use crate::model::source::SourceKind;
use crate::msg::{Msg, SourcePayload};
use crate::ui::format::plural;
use chrono::Utc;
use std::sync::Arc;
use tokio::sync::{Notify, mpsc};
use tokio::task::JoinHandle;

/// The Argo CD driver.
pub struct Argocd;

impl SourceDriver for Argocd {
    fn kind(&self) -> SourceKind {
        SourceKind::Argocd
    }
    fn name(&self) -> &'static str {
        "argocd"
    }
    fn tag(&self) -> &'static str {
        "argocd"
    }
    fn noun(&self) -> &'static str {
        "an Argo CD server"
    }

    fn named_by_flags(
        &self,
        flags: &SourceFlags,
        ctx: &mut LoadCtx<'_>,
    ) -> Result<Vec<SourceSpec>, ConfigError> {
        let values = &flags.argocd;
        if values.is_empty() {
            return Ok(Vec::new());
        }
        let cli = config::read_cli(ctx);
        let argo = config::Ctx::new(ctx, cli.as_ref());
        values
            .iter()
            .enumerate()
            .map(|(i, value)| config::from_flag(&argo, value, i, values.len()))
            .collect()
    }

    fn named_in_file(
        &self,
        file: &ConfigFile,
        ctx: &mut LoadCtx<'_>,
    ) -> Result<Vec<SourceSpec>, ConfigError> {
        let entries = &file.argocd;
        if entries.is_empty() {
            return Ok(Vec::new());
        }
        let cli = config::read_cli(ctx);
        let argo = config::Ctx::new(ctx, cli.as_ref());
        entries
            .iter()
            .enumerate()
            .map(|(i, entry)| {
                let origin = (ctx.at)(entry.span());
                config::from_entry(&argo, entry.get_ref(), i, entries.len(), &origin, &ctx.at)
            })
            .collect()
    }

    /// The argocd CLI's current context.
    fn discover(&self, ctx: &mut LoadCtx<'_>) -> Result<Option<SourceSpec>, ConfigError> {
        let cli = config::read_cli(ctx);
        let argo = config::Ctx::new(ctx, cli.as_ref());
        let mut warnings = Vec::new();
        let spec = config::discovered(&argo, &mut warnings);
        ctx.warnings.extend(warnings);
        Ok(spec)
    }

    fn spawn_live(
        &self,
        spec: SourceSpec,
        tx: mpsc::Sender<Msg>,
        wake: Arc<Notify>,
    ) -> JoinHandle<()> {
        tokio::spawn(watch::run(spec, WatchOptions::default(), tx, wake))
    }

    /// Listed once (`GET /api/v1/applications`), no watch.
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

    fn connect(&self, spec: &SourceSpec) -> Result<Arc<dyn EffectClient>, SourceError> {
        Ok(Arc::new(ArgocdClient::new(spec)?))
    }
}

impl EffectClient for ArgocdClient {
    fn run(&self, effect: Effect) -> BoxFuture<'static, Msg> {
        let client = self.clone();
        Box::pin(async move { run_effect(&client, effect).await })
    }
}

async fn fetch_once(spec: &SourceSpec, options: &OneshotOptions, out: &mut FetchResult) {
    let http = HttpOptions {
        body_cap: options.http.body_cap.max(DEFAULT_LIST_CAP),
    };
    let client = match ArgocdClient::with_options(spec, &http, DEFAULT_LINE_CAP) {
        Ok(c) => c,
        Err(e) => {
            out.error = Some(e.message);
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
    out.fetched_at = Utc::now();
    out.version = version;
    match list {
        Ok((apps, _)) => {
            out.payload = Some(SourcePayload::Argocd(payload::ArgocdPayload::Apps { apps }))
        }
        Err(e) => out.error = Some(e.message),
    }
}

/// The version (open) and a names-only list (needs a valid token) at the same time.
async fn check(spec: &SourceSpec, report: &mut CheckReport) {
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
