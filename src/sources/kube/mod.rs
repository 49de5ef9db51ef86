//! Kubernetes clusters: one source per kubeconfig context. The live task watches Deployments,
//! ReplicaSets, StatefulSets, DaemonSets, Pods and warning Events (Argo Rollouts when the CRD
//! exists) and reports batches of compact objects (`crate::kube`); actions and pod logs go
//! through the cluster's effect client.
//!
//! - `config`: `[[kubernetes]]`, `--kube-context`, the kubeconfig's current context.
//! - `client`: a `kube::Client` for a context.
//! - `wire`, `decode`: the API's objects, only the fields sitrep shows, into `crate::kube`'s.
//! - `watch`: the live task (a watcher per resource and namespace, batched changes).
//! - `fetch`: everything listed once (`sitrep snapshot`).
//! - `check`: reach, authenticate, and what RBAC lacks (`sitrep check`).
//! - `actions`: the effect client (undo, restart, scale, Argo Rollouts, logs).

pub mod actions;
pub mod check;
pub mod client;
pub mod config;
pub mod decode;
pub mod fetch;
pub mod watch;
pub mod wire;

use super::check::CheckReport;
use super::driver::{BoxFuture, EffectClient, SourceDriver};
use super::error::SourceError;
use super::oneshot::{FetchResult, OneshotOptions};
use crate::cli::SourceFlags;
use crate::config::file::ConfigFile;
use crate::config::load::{ConfigError, LoadCtx};
use crate::config::source::SourceSpec;
use crate::model::source::SourceKind;
use crate::msg::{Msg, SourcePayload};
use chrono::Utc;
use std::sync::Arc;
use tokio::sync::{Notify, mpsc};
use tokio::task::JoinHandle;

/// The Kubernetes driver.
pub struct Kube;

impl SourceDriver for Kube {
    fn kind(&self) -> SourceKind {
        SourceKind::Kube
    }
    fn name(&self) -> &'static str {
        "kubernetes"
    }
    fn tag(&self) -> &'static str {
        "kube"
    }
    fn noun(&self) -> &'static str {
        "a Kubernetes API server"
    }

    fn named_by_flags(
        &self,
        flags: &SourceFlags,
        ctx: &mut LoadCtx<'_>,
    ) -> Result<Vec<SourceSpec>, ConfigError> {
        config::from_flags(&flags.kube_context, ctx)
    }

    fn named_in_file(
        &self,
        file: &ConfigFile,
        ctx: &mut LoadCtx<'_>,
    ) -> Result<Vec<SourceSpec>, ConfigError> {
        config::from_entries(&file.kubernetes, ctx)
    }

    fn discover(&self, ctx: &mut LoadCtx<'_>) -> Result<Option<SourceSpec>, ConfigError> {
        Ok(config::discovered(ctx))
    }

    fn spawn_live(
        &self,
        spec: SourceSpec,
        tx: mpsc::Sender<Msg>,
        wake: Arc<Notify>,
    ) -> JoinHandle<()> {
        tokio::spawn(watch::run(spec, watch::WatchOptions::default(), tx, wake))
    }

    fn fetch_once<'a>(
        &'a self,
        spec: &'a SourceSpec,
        _options: &'a OneshotOptions,
        out: &'a mut FetchResult,
    ) -> BoxFuture<'a, ()> {
        Box::pin(async move {
            let fetched = fetch::fetch(spec).await;
            out.fetched_at = Utc::now();
            match fetched {
                Ok(payload) => out.payload = Some(SourcePayload::Kube(payload)),
                Err(e) => out.error = Some(e.message),
            }
        })
    }

    fn check<'a>(&'a self, spec: &'a SourceSpec, report: &'a mut CheckReport) -> BoxFuture<'a, ()> {
        Box::pin(check::check(spec, report))
    }

    fn connect(&self, spec: &SourceSpec) -> Result<Arc<dyn EffectClient>, SourceError> {
        actions::connect(spec)
    }
}
