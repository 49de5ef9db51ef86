//! The actions on one workload, with kubectl's semantics and words (`rollout undo`,
//! `rollout restart`, `scale`) and the Argo Rollouts plugin's (`abort`, `retry`, `promote`).
//! Each returns the report or one line saying why nothing (or what) was done.

use super::wire::{Payload, Wire, checked_name, encode};
use crate::kube::undo::{self, UndoPlan};
use crate::kube::{KubeAction, KubeActionReport, KubeRequest, WorkloadKey, WorkloadKind};
use chrono::{SecondsFormat, Utc};
use serde_json::{Value, json};

/// Perform `req` once.
pub async fn perform(wire: &Wire, req: &KubeRequest) -> Result<KubeActionReport, String> {
    let target = &req.target;
    let path = object_path(target).map_err(|e| e.message)?;
    let action = Action {
        wire,
        target,
        path,
        dry_run: req.dry_run,
    };
    match (&req.action, target.kind) {
        (KubeAction::Undo { .. }, WorkloadKind::Rollout) => Err(format!(
            "an Argo Rollout is undone by Argo Rollouts itself: kubectl argo rollouts undo {} -n {}",
            target.name, target.namespace
        )),
        (KubeAction::Undo { .. }, WorkloadKind::StatefulSet | WorkloadKind::DaemonSet) => {
            Err(format!(
                "sitrep undoes Deployments only; for {} use kubectl rollout undo -n {}",
                target.kubectl_name(),
                target.namespace
            ))
        }
        (
            KubeAction::Undo {
                to_revision,
                expect_from,
            },
            WorkloadKind::Deployment,
        ) => action.undo(to_revision.unwrap_or(0), *expect_from).await,
        (KubeAction::Restart, WorkloadKind::Rollout) => action.rollout_restart().await,
        (KubeAction::Restart, _) => action.restart().await,
        (KubeAction::Scale { .. }, WorkloadKind::DaemonSet) => Err(format!(
            "a DaemonSet runs one pod per node and cannot be scaled ({})",
            target.kubectl_name()
        )),
        (KubeAction::Scale { replicas }, _) => action.scale(*replicas).await,
        (
            KubeAction::RolloutAbort | KubeAction::RolloutRetry | KubeAction::RolloutPromote { .. },
            kind,
        ) if kind != WorkloadKind::Rollout => Err(format!(
            "{} is for Argo Rollouts; {} is a {}",
            req.action.describe(),
            target.kubectl_name(),
            kind.api_kind()
        )),
        (KubeAction::RolloutAbort, _) => {
            action
                .rollout_status_patch(json!({"status": {"abort": true}}), "aborted")
                .await
        }
        (KubeAction::RolloutRetry, _) => {
            action
                .rollout_status_patch(json!({"status": {"abort": false}}), "retried")
                .await
        }
        (KubeAction::RolloutPromote { full }, _) => action.promote(*full).await,
    }
}

/// The API path of the workload (`/apis/apps/v1/namespaces/shop/deployments/checkout`).
fn object_path(target: &WorkloadKey) -> Result<String, crate::sources::error::SourceError> {
    let namespace = checked_name("namespace", &target.namespace)?;
    let name = checked_name("name", &target.name)?;
    let (group, plural) = match target.kind {
        WorkloadKind::Deployment => ("apis/apps/v1", "deployments"),
        WorkloadKind::StatefulSet => ("apis/apps/v1", "statefulsets"),
        WorkloadKind::DaemonSet => ("apis/apps/v1", "daemonsets"),
        WorkloadKind::Rollout => ("apis/argoproj.io/v1alpha1", "rollouts"),
    };
    Ok(format!("/{group}/namespaces/{namespace}/{plural}/{name}"))
}

/// kubectl's name of the resource in its messages (`deployment.apps/checkout`).
fn resource_ref(target: &WorkloadKey) -> String {
    let group = match target.kind {
        WorkloadKind::Rollout => "argoproj.io",
        _ => "apps",
    };
    format!("{}.{group}/{}", target.kind.noun(), target.name)
}

fn now_rfc3339() -> String {
    Utc::now().to_rfc3339_opts(SecondsFormat::Secs, true)
}

struct Action<'a> {
    wire: &'a Wire,
    target: &'a WorkloadKey,
    path: String,
    dry_run: bool,
}

impl Action<'_> {
    /// `path` (plus a subresource) with `?dryRun=All` when this is a dry run.
    fn url(&self, subresource: &str) -> String {
        let dry = if self.dry_run { "?dryRun=All" } else { "" };
        format!("{}{subresource}{dry}", self.path)
    }

    /// kubectl's line: `deployment.apps/checkout rolled back (server dry run)`.
    fn summary(&self, verb: &str) -> String {
        let dry = if self.dry_run {
            " (server dry run)"
        } else {
            ""
        };
        format!("{} {verb}{dry}", resource_ref(self.target))
    }

    /// The Argo Rollouts plugin's line: `rollout 'checkout' aborted`.
    fn rollout_summary(&self, verb: &str) -> String {
        let dry = if self.dry_run {
            " (server dry run)"
        } else {
            ""
        };
        format!("rollout '{}' {verb}{dry}", self.target.name)
    }

    async fn get(&self) -> Result<Value, String> {
        self.wire
            .get_json(&self.path)
            .await
            .map_err(|e| format!("cannot read {}: {}", self.target.kubectl_name(), e.message))
    }

    async fn patch(&self, subresource: &str, payload: Payload) -> Result<(), String> {
        self.wire
            .patch(&self.url(subresource), payload)
            .await
            .map_err(|e| e.message)
    }

    /// `kubectl rollout undo [--to-revision]`: read the Deployment and its ReplicaSets fresh,
    /// plan with kubectl's rules, refuse if it moved since the user confirmed, patch once.
    async fn undo(
        &self,
        to_revision: i64,
        expect_from: Option<i64>,
    ) -> Result<KubeActionReport, String> {
        let deployment = self.get().await?;
        let selector =
            undo::selector_query(deployment.pointer("/spec/selector")).ok_or_else(|| {
                format!(
                    "{} has no usable selector: its history cannot be found",
                    self.target.kubectl_name()
                )
            })?;
        let namespace = &self.target.namespace;
        let list = self
            .wire
            .get_json(&format!(
                "/apis/apps/v1/namespaces/{namespace}/replicasets?labelSelector={}",
                encode(&selector)
            ))
            .await
            .map_err(|e| {
                format!(
                    "failed to retrieve replica sets from deployment {}: {}",
                    self.target.name, e.message
                )
            })?;
        let items = match list.get("items") {
            Some(Value::Array(items)) => items.as_slice(),
            Some(Value::Null) | None => &[],
            Some(_) => return Err("the ReplicaSet list has no items array".into()),
        };
        let plan = undo::plan_undo(&deployment, items, to_revision)?;
        if let Some(expected) = expect_from
            && plan.from_revision() != Some(expected)
        {
            let now = plan.from_revision().map_or_else(
                || "an unknown revision".to_string(),
                |r| format!("revision {r}"),
            );
            return Err(format!(
                "{} moved to {now} since you confirmed undoing revision {expected}; nothing was sent: look again",
                self.target.kubectl_name()
            ));
        }
        match plan {
            UndoPlan::Skipped {
                from_revision,
                to_revision,
                images,
            } => Ok(KubeActionReport {
                summary: format!(
                    "{} {}",
                    resource_ref(self.target),
                    undo::skipped_message(to_revision)
                ),
                skipped: true,
                from_revision,
                to_revision: Some(to_revision),
                images,
            }),
            UndoPlan::Patch {
                patch,
                from_revision,
                to_revision,
                images,
            } => {
                self.patch("", Payload::json_patch(&patch))
                    .await
                    .map_err(|e| format!("failed restoring revision {to_revision}: {e}"))?;
                Ok(KubeActionReport {
                    summary: self.summary("rolled back"),
                    skipped: false,
                    from_revision,
                    to_revision: Some(to_revision),
                    images,
                })
            }
        }
    }

    /// `kubectl rollout restart` of a Deployment, StatefulSet or DaemonSet: the
    /// `restartedAt` annotation by strategic merge patch; a paused Deployment is refused.
    async fn restart(&self) -> Result<KubeActionReport, String> {
        let mut report = KubeActionReport::default();
        if self.target.kind == WorkloadKind::Deployment {
            let deployment = self.get().await?;
            if deployment.pointer("/spec/paused") == Some(&Value::Bool(true)) {
                return Err("can't restart paused deployment (run rollout resume first)".into());
            }
            report.from_revision = undo::revision_of(&deployment).ok().flatten();
            report.images = deployment
                .pointer("/spec/template")
                .map(undo::template_images)
                .unwrap_or_default();
        }
        let patch = undo::restart_patch(&now_rfc3339());
        self.patch("", Payload::strategic_merge_patch(&patch))
            .await?;
        report.summary = self.summary("restarted");
        Ok(report)
    }

    /// `kubectl argo rollouts restart`: `spec.restartAt` = now.
    async fn rollout_restart(&self) -> Result<KubeActionReport, String> {
        let patch = json!({"spec": {"restartAt": now_rfc3339()}});
        self.patch("", Payload::merge_patch(&patch)).await?;
        Ok(KubeActionReport {
            summary: self.rollout_summary("restarted"),
            ..Default::default()
        })
    }

    /// `kubectl scale --replicas=N`, on the `/scale` subresource.
    async fn scale(&self, replicas: i32) -> Result<KubeActionReport, String> {
        if replicas < 0 {
            return Err(format!("cannot scale to {replicas} replicas"));
        }
        self.patch("/scale", Payload::merge_patch(&undo::scale_patch(replicas)))
            .await?;
        Ok(KubeActionReport {
            summary: self.summary("scaled"),
            ..Default::default()
        })
    }

    /// Abort or retry: one merge patch on the Rollout's `status` subresource.
    async fn rollout_status_patch(
        &self,
        patch: Value,
        verb: &str,
    ) -> Result<KubeActionReport, String> {
        self.patch("/status", Payload::merge_patch(&patch)).await?;
        Ok(KubeActionReport {
            summary: self.rollout_summary(verb),
            ..Default::default()
        })
    }

    /// `kubectl argo rollouts promote [--full]`: clear the pause conditions (or set
    /// `promoteFull`) on the status subresource, then unpause the spec if it is paused. When
    /// the second patch fails, the message says the first was made.
    async fn promote(&self, full: bool) -> Result<KubeActionReport, String> {
        let rollout = self.get().await?;
        let status_patch = if full {
            json!({"status": {"promoteFull": true}})
        } else {
            json!({"status": {"pauseConditions": null}})
        };
        self.patch("/status", Payload::merge_patch(&status_patch))
            .await?;
        if rollout.pointer("/spec/paused") == Some(&Value::Bool(true)) {
            self.patch(
                "",
                Payload::merge_patch(&json!({"spec": {"paused": false}})),
            )
            .await
            .map_err(|e| {
                format!("the pause conditions were cleared, but unpausing spec.paused failed: {e}")
            })?;
        }
        Ok(KubeActionReport {
            summary: self.rollout_summary(if full { "fully promoted" } else { "promoted" }),
            ..Default::default()
        })
    }
}
