//! Argo CD reads for fleet drift: an app's `managed-resources` (diffed off the UI loop), a
//! commit's metadata, and the rendered manifests at two revisions (what a deploy changed).
//! Reads only (allowed on read-only sources); each answered once as an `ArgocdPayload`, every
//! request bounded by the source's timeout. Diffing runs on the blocking pool: a 1 MB state
//! must not stall the runtime the other sources share.

use super::client::ArgocdClient;
use crate::drift::diff::{diff_app, diff_manifests};
use crate::drift::{AppDrift, ResourceDiff};
use crate::effect::Effect;
use crate::model::app::AppKey;
use crate::msg::{ArgocdPayload, Msg, SourcePayload, SourceUpdate};
use crate::sources::bounded;
use crate::sources::error::{ErrorKind, SourceError};
use chrono::Utc;

/// Perform one of `FetchDrift`, `FetchRevisionMeta`, `FetchDeployDiff`.
pub async fn run(client: &ArgocdClient, effect: Effect) -> Msg {
    let source = client.spec().name.clone();
    let payload = match effect {
        Effect::FetchDrift {
            key,
            resource_version,
        } => ArgocdPayload::Drift {
            drift: Box::new(fetch_drift(client, key, resource_version).await),
        },
        Effect::FetchRevisionMeta {
            key,
            repo,
            revision,
            source_index,
        } => {
            let meta = bounded(
                client.spec().timeout,
                client.revision_metadata(&key, &revision, source_index),
            )
            .await
            .map_err(|e| say("revision metadata", &key, &e));
            ArgocdPayload::RevisionMeta {
                repo,
                revision,
                meta,
            }
        }
        Effect::FetchDeployDiff {
            request_id,
            key,
            from,
            to,
        } => {
            let diff = fetch_deploy_diff(client, &key, &from, &to).await;
            ArgocdPayload::DeployDiff {
                request_id,
                key,
                from,
                to,
                diff,
            }
        }
        // Not ours: the caller routes only the three above here. Answer harmlessly.
        _ => ArgocdPayload::Apps { apps: Vec::new() },
    };
    Msg::Source(SourceUpdate {
        source,
        at: Utc::now(),
        payload: SourcePayload::Argocd(payload),
    })
}

/// Managed resources → `diff_app` on the blocking pool; what failed is in `error`.
pub async fn fetch_drift(client: &ArgocdClient, key: AppKey, resource_version: String) -> AppDrift {
    let fetched = bounded(client.spec().timeout, client.managed_resources(&key, None)).await;
    let now = Utc::now();
    let items = match fetched {
        Ok(items) => items,
        Err(e) => {
            let error = say("managed resources", &key, &e);
            return AppDrift {
                key,
                resource_version,
                fetched_at: now,
                resources: Vec::new(),
                error: Some(error),
            };
        }
    };
    let (k, rv) = (key.clone(), resource_version.clone());
    match tokio::task::spawn_blocking(move || diff_app(k, rv, &items, now)).await {
        Ok(drift) => drift,
        Err(_) => AppDrift {
            key,
            resource_version,
            fetched_at: now,
            resources: Vec::new(),
            error: Some("managed resources could not be diffed (the diff failed)".to_string()),
        },
    }
}

/// The manifests at `from` and at `to`, concurrently, diffed on the blocking pool. `from`
/// empty: nothing before, everything is added.
pub async fn fetch_deploy_diff(
    client: &ArgocdClient,
    key: &AppKey,
    from: &[String],
    to: &[String],
) -> Result<Vec<ResourceDiff>, String> {
    let timeout = client.spec().timeout;
    let before = async {
        if from.is_empty() {
            Ok(Vec::new())
        } else {
            bounded(timeout, client.manifests(key, from)).await
        }
    };
    let after = bounded(timeout, client.manifests(key, to));
    let (before, after) = tokio::join!(before, after);
    let before = before.map_err(|e| say("manifests before the deploy", key, &e))?;
    let after = after.map_err(|e| say("manifests of the deploy", key, &e))?;
    tokio::task::spawn_blocking(move || diff_manifests(&before, &after))
        .await
        .map_err(|_| "the manifests could not be diffed (the diff failed)".to_string())
}

/// One short line for the screen: what could not be read and why, in the source's words
/// (already cleaned and scrubbed of secrets where the error was made).
fn say(what: &str, key: &AppKey, e: &SourceError) -> String {
    match e.kind {
        ErrorKind::Forbidden => format!("{what} forbidden ({})", e.message),
        ErrorKind::NotFound => format!("app {} is gone ({})", key.name, e.message),
        ErrorKind::Timeout => format!("{what}: {}", e.message),
        ErrorKind::Refused | ErrorKind::Dns | ErrorKind::Connect | ErrorKind::Tls => {
            format!("{what}: Argo CD unreachable ({})", e.message)
        }
        ErrorKind::TooLarge => e.message.clone(),
        _ => format!("{what}: {}", e.message),
    }
}
