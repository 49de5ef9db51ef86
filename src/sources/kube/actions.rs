//! A cluster's effect client: `Effect::Kube` (undo, restart, scale, Argo Rollouts) and
//! `Effect::FetchLogs`, each mutation sent exactly once (never retried, kube's retry layer
//! off), `dryRun=All` when asked, every request bounded by the source's timeout.
//!
//! - `workload`: the actions on one workload, with kubectl's (and Argo Rollouts' plugin's)
//!   semantics and words.
//! - `logs`: a pod's log tail, bounded and neutralised.
//! - `wire`: one HTTP exchange: the client, caps, timeouts, the server's error in plain words.

mod logs;
mod wire;
mod workload;

use crate::config::source::SourceSpec;
use crate::effect::Effect;
use crate::msg::{EffectOutcome, Msg};
use crate::sources::driver::{BoxFuture, EffectClient};
use crate::sources::error::SourceError;
use std::sync::Arc;
use tokio::sync::OnceCell;
use wire::Wire;

/// The effect client of one cluster. Connects on the first effect and keeps the client; a
/// failed connection is not kept (the next effect tries again: connecting changes nothing).
pub struct KubeActions {
    inner: Arc<Inner>,
}

struct Inner {
    spec: SourceSpec,
    wire: OnceCell<Wire>,
}

/// The client the executor keeps for `spec` (connects on first use).
pub fn connect(spec: &SourceSpec) -> Result<Arc<dyn EffectClient>, SourceError> {
    Ok(Arc::new(KubeActions {
        inner: Arc::new(Inner {
            spec: spec.clone(),
            wire: OnceCell::new(),
        }),
    }))
}

impl EffectClient for KubeActions {
    fn run(&self, effect: Effect) -> BoxFuture<'static, Msg> {
        let inner = self.inner.clone();
        Box::pin(async move { inner.run(effect).await })
    }
}

impl Inner {
    async fn wire(&self) -> Result<&Wire, SourceError> {
        self.wire
            .get_or_try_init(|| async {
                let client = wire::connect_once_only(&self.spec).await?;
                Ok(Wire {
                    client,
                    timeout: self.spec.timeout,
                })
            })
            .await
    }

    async fn run(&self, effect: Effect) -> Msg {
        let source = self.spec.name.clone();
        let failed = |request_id: u64, error: String| {
            Msg::Done(EffectOutcome::MutationFailed {
                request_id,
                source: source.clone(),
                error,
                autosync_before: None,
            })
        };
        match effect {
            Effect::Kube(req) => {
                if self.spec.read_only {
                    return failed(
                        req.request_id,
                        format!(
                            "cluster {} is read-only: no undo, restart, scale or rollout changes",
                            source
                        ),
                    );
                }
                let wire = match self.wire().await {
                    Ok(w) => w,
                    Err(e) => return failed(req.request_id, e.message),
                };
                match workload::perform(wire, &req).await {
                    Ok(report) => {
                        tracing::info!(source = %source, target = %req.target.kubectl_name(),
                            dry_run = req.dry_run, "{}", report.summary);
                        Msg::Done(EffectOutcome::KubeActionDone {
                            request_id: req.request_id,
                            source,
                            target: req.target,
                            action: req.action,
                            dry_run: req.dry_run,
                            report,
                        })
                    }
                    Err(error) => {
                        tracing::warn!(source = %source, target = %req.target.kubectl_name(),
                            "{} failed: {error}", req.action.describe());
                        failed(req.request_id, error)
                    }
                }
            }
            Effect::FetchLogs(req) => {
                let result = match self.wire().await {
                    Ok(wire) => logs::fetch(wire, &req).await,
                    Err(e) => Err(e.message),
                };
                Msg::Done(EffectOutcome::Logs {
                    request_id: req.request_id,
                    source,
                    request: req,
                    result,
                })
            }
            other => failed(
                other.request_id(),
                "not a Kubernetes effect: the cluster's client cannot perform it".into(),
            ),
        }
    }
}
