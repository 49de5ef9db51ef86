//! `sitrep check` for a cluster: reach the API (`/version`), authenticate, and ask RBAC
//! (SelfSubjectAccessReview) whether each resource may be listed and watched in each
//! namespace; the detail says what is lacking, one line each.

use super::client::{connect, describe_error};
use super::fetch::rollouts_served;
use crate::config::source::SourceSpec;
use crate::kube::ResourceKind;
use crate::sources::check::{CheckReport, apply_error};
use crate::sources::error::{ErrorKind, SourceError};
use ::kube::Api;
use ::kube::api::PostParams;
use k8s_openapi::api::authorization::v1::{
    ResourceAttributes, SelfSubjectAccessReview, SelfSubjectAccessReviewSpec,
};

const VERBS: [&str; 2] = ["list", "watch"];

pub async fn check(spec: &SourceSpec, report: &mut CheckReport) {
    let client = match connect(spec).await {
        Ok(c) => c,
        Err(e) => return apply_error(report, &e),
    };
    let version = tokio::time::timeout(spec.timeout, client.apiserver_version()).await;
    match version {
        Err(_) => {
            let e = SourceError::new(
                ErrorKind::Timeout,
                None,
                format!(
                    "no answer from the API server within {}",
                    crate::sources::error::human_duration(spec.timeout)
                ),
            );
            return apply_error(report, &e);
        }
        Ok(Err(e)) => return apply_error(report, &describe_error(&e)),
        Ok(Ok(info)) => {
            report.reachable = true;
            report.version = Some(crate::sanitize::clean_line(&info.git_version, 100));
        }
    }
    let rollouts = match rollouts_served(&client, spec.timeout).await {
        Ok(served) => served,
        Err(e) => return apply_error(report, &e),
    };
    let resources: Vec<ResourceKind> = ResourceKind::ALL
        .into_iter()
        .filter(|r| *r != ResourceKind::Rollouts || rollouts)
        .collect();
    let namespaces: Vec<Option<&str>> = if spec.kube.namespaces.is_empty() {
        vec![None]
    } else {
        spec.kube
            .namespaces
            .iter()
            .map(|n| Some(n.as_str()))
            .collect()
    };
    let api: Api<SelfSubjectAccessReview> = Api::all(client);
    let mut asks = Vec::new();
    for ns in &namespaces {
        for resource in &resources {
            for verb in VERBS {
                asks.push(allowed(&api, spec, *resource, *ns, verb));
            }
        }
    }
    let answers = futures::future::join_all(asks).await;
    let mut lacking = Vec::new();
    for answer in answers {
        match answer {
            Ok(None) => {}
            Ok(Some(line)) => lacking.push(line),
            Err(e) => return apply_error(report, &e),
        }
    }
    report.authenticated = Some(true);
    let scope = if spec.kube.namespaces.is_empty() {
        "all namespaces".to_string()
    } else {
        crate::sanitize::clean_line(&spec.kube.namespaces.join(", "), 500)
    };
    let names: Vec<&str> = resources.iter().map(|r| r.plural()).collect();
    let mut detail = if lacking.is_empty() {
        format!("watch ok: {} in {scope}", names.join(", "))
    } else {
        let mut d = format!("RBAC lacks {} permission(s):", lacking.len());
        for line in lacking.iter().take(50) {
            d.push_str(&format!("\n        {line}"));
        }
        d
    };
    if !rollouts {
        detail.push_str("; no Argo Rollouts here");
    }
    report.detail = Some(detail);
}

/// `None` when allowed, else "cannot watch pods in payments".
async fn allowed(
    api: &Api<SelfSubjectAccessReview>,
    spec: &SourceSpec,
    resource: ResourceKind,
    namespace: Option<&str>,
    verb: &str,
) -> Result<Option<String>, SourceError> {
    let review = SelfSubjectAccessReview {
        spec: SelfSubjectAccessReviewSpec {
            resource_attributes: Some(ResourceAttributes {
                group: Some(resource.group().to_string()),
                resource: Some(resource.plural().to_string()),
                verb: Some(verb.to_string()),
                namespace: namespace.map(str::to_string),
                ..Default::default()
            }),
            ..Default::default()
        },
        ..Default::default()
    };
    let params = PostParams::default();
    let asked = tokio::time::timeout(spec.timeout, api.create(&params, &review));
    let answer = match asked.await {
        Err(_) => {
            return Err(SourceError::new(
                ErrorKind::Timeout,
                None,
                "no answer to the access review in time",
            ));
        }
        Ok(Err(e)) => return Err(describe_error(&e)),
        Ok(Ok(a)) => a,
    };
    if answer.status.is_some_and(|s| s.allowed) {
        return Ok(None);
    }
    let scope = namespace
        .map(crate::sanitize::value)
        .unwrap_or_else(|| "all namespaces".into());
    Ok(Some(format!(
        "cannot {verb} {} in {scope}",
        resource.plural()
    )))
}
