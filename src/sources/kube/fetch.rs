//! `sitrep snapshot`: every watched resource listed once (paged), as one payload of `Reset`s.
//! A resource RBAC refuses is `Unavailable` like in the live task; a cluster that cannot be
//! reached is the source's error.

use super::client::{connect, describe_error};
use super::decode::WireObject;
use super::wire::{
    WireDaemonSet, WireDeployment, WireEvent, WirePod, WireReplicaSet, WireRollout, WireStatefulSet,
};
use crate::config::source::SourceSpec;
use crate::kube::{KubeChange, KubeObject, KubePayload, ResourceKind};
use crate::sources::error::{ErrorKind, SourceError};
use ::kube::Api;
use ::kube::api::ListParams;
use std::time::Duration;

/// Page size of a list.
const PAGE: u32 = 500;
/// Objects kept per resource and namespace.
const MAX_OBJECTS: usize = 100_000;

/// List everything once.
pub async fn fetch(spec: &SourceSpec) -> Result<KubePayload, SourceError> {
    let client = connect(spec).await?;
    let namespaces: Vec<Option<String>> = if spec.kube.namespaces.is_empty() {
        vec![None]
    } else {
        spec.kube.namespaces.iter().cloned().map(Some).collect()
    };
    let rollouts = rollouts_served(&client, spec.timeout).await?;
    let mut lists = Vec::new();
    for ns in &namespaces {
        for resource in ResourceKind::ALL {
            if resource == ResourceKind::Rollouts && !rollouts {
                continue;
            }
            lists.push(list_resource(&client, spec, resource, ns.clone()));
        }
    }
    let mut changes = Vec::new();
    if !rollouts {
        changes.push(KubeChange::Unavailable {
            resource: ResourceKind::Rollouts,
            namespace: None,
            reason: String::new(),
        });
    }
    for result in futures::future::join_all(lists).await {
        changes.push(result?);
    }
    Ok(KubePayload { changes })
}

/// Does the API serve Argo Rollouts? A 404 (or no `rollouts` in the group) is no; any other
/// failure is the cluster's.
pub async fn rollouts_served(
    client: &::kube::Client,
    timeout: Duration,
) -> Result<bool, SourceError> {
    let probe = client.list_api_group_resources("argoproj.io/v1alpha1");
    match tokio::time::timeout(timeout, probe).await {
        Err(_) => Err(timed_out(timeout)),
        Ok(Ok(list)) => Ok(list.resources.iter().any(|r| r.name == "rollouts")),
        Ok(Err(::kube::Error::Api(s))) if s.code == 404 => Ok(false),
        Ok(Err(e)) => Err(describe_error(&e)),
    }
}

fn timed_out(timeout: Duration) -> SourceError {
    SourceError::new(
        ErrorKind::Timeout,
        None,
        format!(
            "no answer from the API server within {}",
            crate::sources::error::human_duration(timeout)
        ),
    )
}

async fn list_resource(
    client: &::kube::Client,
    spec: &SourceSpec,
    resource: ResourceKind,
    namespace: Option<String>,
) -> Result<KubeChange, SourceError> {
    let ns = namespace.as_deref();
    let listed = match resource {
        ResourceKind::Deployments => list::<WireDeployment>(client, spec, ns).await,
        ResourceKind::ReplicaSets => list::<WireReplicaSet>(client, spec, ns).await,
        ResourceKind::StatefulSets => list::<WireStatefulSet>(client, spec, ns).await,
        ResourceKind::DaemonSets => list::<WireDaemonSet>(client, spec, ns).await,
        ResourceKind::Pods => list::<WirePod>(client, spec, ns).await,
        ResourceKind::Events => list::<WireEvent>(client, spec, ns).await,
        ResourceKind::Rollouts => list::<WireRollout>(client, spec, ns).await,
    };
    match listed {
        Ok(objects) => Ok(KubeChange::Reset {
            resource,
            namespace,
            objects,
        }),
        Err(e) if e.status == Some(403) => Ok(KubeChange::Unavailable {
            resource,
            reason: format!(
                "cannot list {} in {}",
                resource.plural(),
                ns.map(crate::sanitize::value)
                    .unwrap_or_else(|| "all namespaces".into())
            ),
            namespace,
        }),
        Err(e) => Err(e),
    }
}

/// Every object of `W` in `namespace` (or all), page by page.
async fn list<W: WireObject>(
    client: &::kube::Client,
    spec: &SourceSpec,
    namespace: Option<&str>,
) -> Result<Vec<KubeObject>, SourceError> {
    let api: Api<W> = match namespace {
        Some(ns) => Api::namespaced(client.clone(), ns),
        None => Api::all(client.clone()),
    };
    let mut params = ListParams::default().limit(PAGE);
    if W::RESOURCE == ResourceKind::Events {
        params = params.fields("type=Warning");
    }
    let mut objects = Vec::new();
    loop {
        let page = tokio::time::timeout(spec.timeout, api.list(&params))
            .await
            .map_err(|_| timed_out(spec.timeout))?
            .map_err(|e| describe_error(&e))?;
        for item in page.items {
            if objects.len() < MAX_OBJECTS {
                objects.push(item.into_object(&spec.name));
            }
        }
        match page.metadata.continue_.filter(|c| !c.is_empty()) {
            Some(token) if objects.len() < MAX_OBJECTS => params.continue_token = Some(token),
            _ => return Ok(objects),
        }
    }
}
