//! Argo CD reads for fleet drift: an app's `managed-resources` (diffed off the UI loop), a
//! commit's metadata, and the rendered manifests at two revisions (what a deploy changed).
//! Reads only; each answered once as an `ArgocdPayload`.

use super::client::ArgocdClient;
use crate::drift::AppDrift;
use crate::effect::Effect;
use crate::msg::{ArgocdPayload, Msg, SourcePayload, SourceUpdate};
use chrono::Utc;

/// Perform one of `FetchDrift`, `FetchRevisionMeta`, `FetchDeployDiff`.
pub async fn run(client: &ArgocdClient, effect: Effect) -> Msg {
    let now = Utc::now();
    let source = client.spec().name.clone();
    let payload = match effect {
        Effect::FetchDrift {
            key,
            resource_version,
        } => ArgocdPayload::Drift {
            drift: Box::new(AppDrift {
                key,
                resource_version,
                fetched_at: now,
                resources: Vec::new(),
                error: Some("managed resources are not read yet".to_string()),
            }),
        },
        Effect::FetchRevisionMeta { repo, revision, .. } => ArgocdPayload::RevisionMeta {
            repo,
            revision,
            meta: Err("revision metadata is not read yet".to_string()),
        },
        Effect::FetchDeployDiff {
            request_id,
            key,
            from,
            to,
        } => ArgocdPayload::DeployDiff {
            request_id,
            key,
            from,
            to,
            diff: Err("manifests are not read yet".to_string()),
        },
        _ => ArgocdPayload::Apps { apps: Vec::new() },
    };
    Msg::Source(SourceUpdate {
        source,
        at: now,
        payload: SourcePayload::Argocd(payload),
    })
}
