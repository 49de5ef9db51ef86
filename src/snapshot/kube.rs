//! `sitrep snapshot`'s Kubernetes parts: `workloads[]` (kubectl's rollout verdict in its own
//! words) and `pod_problems[]`, and the text lines under each service.

use crate::kube::status::RolloutPhase;
use crate::model::Model;
use crate::model::kube_join::WorkloadSummary;
use serde::Serialize;
use std::io::Write;

#[derive(Serialize)]
pub struct RolloutJson<'a> {
    phase: RolloutPhase,
    /// kubectl's sentence (`Waiting for deployment "checkout" rollout to finish: …`).
    text: &'a str,
}

#[derive(Serialize)]
pub struct WorkloadJson<'a> {
    cluster: &'a str,
    namespace: &'a str,
    kind: &'static str,
    name: &'a str,
    service: Option<&'a str>,
    ready: i32,
    desired: i32,
    updated: i32,
    available: i32,
    revision: Option<i64>,
    images: &'a [String],
    rollout: RolloutJson<'a>,
    /// Why its pods are not known (RBAC, not listed yet): absent problems are then unknown.
    #[serde(skip_serializing_if = "Option::is_none")]
    pods_unknown: Option<&'a str>,
}

#[derive(Serialize)]
pub struct PodProblemJson<'a> {
    cluster: &'a str,
    namespace: &'a str,
    pod: &'a str,
    service: Option<&'a str>,
    workload: String,
    reason: &'a str,
    container: Option<&'a str>,
    restarts: i32,
    message: &'a str,
}

#[derive(Serialize)]
pub struct KubeUnknownJson {
    cluster: String,
    resource: &'static str,
    /// The namespace it concerns; absent: all namespaces.
    #[serde(skip_serializing_if = "Option::is_none")]
    namespace: Option<String>,
    reason: String,
}

/// What each cluster could not show (refused by RBAC, not listed yet): `workloads[]` and
/// `pod_problems[]` are incomplete by exactly these.
pub fn unknown_json(model: &Model) -> Vec<KubeUnknownJson> {
    model
        .sources
        .iter()
        .filter(|s| s.kind == crate::model::source::SourceKind::Kube)
        .flat_map(|s| {
            crate::model::kube_join::unknown_scopes(model.kube.clusters.get(&s.name))
                .into_iter()
                .map(|(resource, namespace, reason)| KubeUnknownJson {
                    cluster: s.name.clone(),
                    resource: resource.plural(),
                    namespace,
                    reason,
                })
        })
        .collect()
}

/// Every workload, in cluster / namespace / kind / name order (narrowed to `--team`).
fn summaries(model: &Model) -> Vec<&WorkloadSummary> {
    let mut out: Vec<&WorkloadSummary> = model
        .kube_index()
        .summaries()
        .map(|s| &**s)
        .filter(|s| match (&model.team, &s.service) {
            (None, _) => true,
            (Some(_), Some(service)) => model.in_team(service),
            (Some(_), None) => false,
        })
        .collect();
    out.sort_by(|a, b| a.workload.key.cmp(&b.workload.key));
    out
}

pub fn workloads_json(model: &Model) -> Vec<WorkloadJson<'_>> {
    summaries(model)
        .into_iter()
        .map(|s| {
            let w = &s.workload;
            WorkloadJson {
                cluster: &w.key.cluster,
                namespace: &w.key.namespace,
                kind: w.key.kind.api_kind(),
                name: &w.key.name,
                service: s.service.as_deref(),
                ready: w.ready,
                desired: w.desired,
                updated: w.updated,
                available: w.available,
                revision: w.revision,
                images: &w.images,
                rollout: RolloutJson {
                    phase: s.status.phase,
                    text: &s.status.text,
                },
                pods_unknown: s.pods_unknown.as_deref(),
            }
        })
        .collect()
}

pub fn pod_problems_json(model: &Model) -> Vec<PodProblemJson<'_>> {
    summaries(model)
        .into_iter()
        .flat_map(|s| {
            s.problems.iter().map(move |p| PodProblemJson {
                cluster: &s.workload.key.cluster,
                namespace: &s.workload.key.namespace,
                pod: &p.pod,
                service: s.service.as_deref(),
                workload: s.workload.key.kubectl_name(),
                reason: &p.problem.reason,
                container: p.problem.container.as_deref(),
                restarts: p.problem.restarts,
                message: &p.problem.message,
            })
        })
        .collect()
}

/// The text lines about what the clusters could not show.
pub fn write_unknown(model: &Model, out: &mut impl Write) -> std::io::Result<()> {
    for u in unknown_json(model) {
        writeln!(out, "  UNKNOWN in {}: {}", u.cluster, u.reason)?;
    }
    Ok(())
}

/// The text lines under a service: each workload with kubectl's verdict, then its pods'
/// problems (a few) and why pods are unknown.
pub fn write_service_workloads(
    model: &Model,
    service: &str,
    out: &mut impl Write,
) -> std::io::Result<()> {
    for s in model.kube_index().of_service(service) {
        let w = &s.workload;
        writeln!(
            out,
            "      {} {}/{}/{}  {}/{} ready  rev {}  {}",
            w.key.kind.noun(),
            w.key.cluster,
            w.key.namespace,
            w.key.name,
            w.ready,
            w.desired,
            w.revision
                .map_or_else(|| "-".to_string(), |r| r.to_string()),
            s.status.text
        )?;
        for p in s.problems.iter().take(5) {
            writeln!(
                out,
                "        pod {}  {} ×{}{}",
                p.pod,
                p.problem.reason,
                p.problem.restarts,
                if p.problem.message.is_empty() {
                    String::new()
                } else {
                    format!("  {}", p.problem.message)
                }
            )?;
        }
        if s.problems.len() > 5 {
            writeln!(out, "        … and {} more pods", s.problems.len() - 5)?;
        }
        if let Some(why) = &s.pods_unknown {
            writeln!(out, "        pods UNKNOWN: {why}")?;
        }
    }
    Ok(())
}
