//! A cluster's effect client: `Effect::Kube` (undo, restart, scale, Argo Rollouts) and
//! `Effect::FetchLogs`, each performed once, dry run first when asked, never retried.

use crate::config::source::SourceSpec;
use crate::effect::Effect;
use crate::msg::{EffectOutcome, Msg};
use crate::sources::driver::{BoxFuture, EffectClient};
use crate::sources::error::SourceError;
use std::sync::Arc;

/// The effect client of one cluster.
pub struct KubeActions {
    spec: SourceSpec,
}

/// The client the executor keeps for `spec` (connects on first use).
pub fn connect(spec: &SourceSpec) -> Result<Arc<dyn EffectClient>, SourceError> {
    Ok(Arc::new(KubeActions { spec: spec.clone() }))
}

impl EffectClient for KubeActions {
    fn run(&self, effect: Effect) -> BoxFuture<'static, Msg> {
        let source = self.spec.name.clone();
        Box::pin(async move {
            let request_id = effect.request_id();
            Msg::Done(EffectOutcome::MutationFailed {
                request_id,
                source,
                error: "Kubernetes actions are not implemented yet".into(),
                autosync_before: None,
            })
        })
    }
}
