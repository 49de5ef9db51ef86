//! Wire → model: Argo CD JSON into `model::app` types. Every string that came from outside is
//! cleaned (`sanitize`): app names, messages and labels are attacker-controllable.

use super::wire::{self, Text};
use crate::model::alert::Labels;
use crate::model::app::{
    App, AppKey, Condition, HealthStatus, HistoryEntry, KubeEvent, Operation, OperationPhase,
    ResourceResult, ResourceStatus, SourceRef, SyncStatus, TreeNode,
};
use crate::sanitize;
use crate::sources::{clean_annotations, clean_labels, clean_value};

/// Longest message kept from an app's status (operation and health messages can carry whole
/// manifests' worth of diff).
const MESSAGE_CHARS: usize = 2000;

fn text(t: Text) -> String {
    clean_value(t.0)
}

fn message(t: Text) -> String {
    sanitize::clean_line(&t.0, MESSAGE_CHARS)
}

fn texts(list: wire::List<Text>) -> Vec<String> {
    list.0
        .into_iter()
        .map(text)
        .filter(|s| !s.is_empty())
        .collect()
}

fn map(m: wire::Map) -> Labels {
    m.unwrap_or_default()
        .into_iter()
        .map(|(k, v)| (k, v.0))
        .collect()
}

/// The key of an app as this source names it.
pub fn key(instance: &str, app: &wire::Application) -> AppKey {
    AppKey {
        instance: instance.to_string(),
        namespace: clean_value(app.metadata.namespace.0.clone()),
        name: clean_value(app.metadata.name.0.clone()),
    }
}

/// One application. `instance` is the configured source name.
pub fn app(instance: &str, app: wire::Application) -> App {
    let key = key(instance, &app);
    let wire::Application {
        metadata,
        spec,
        status,
        operation: pending,
    } = app;

    let multi_source = !spec.sources.is_empty();
    let sources: Vec<wire::AppSource> = if multi_source {
        spec.sources.0
    } else {
        spec.source.into_iter().collect()
    };
    let source_refs: Vec<SourceRef> = sources.iter().map(source_ref).collect();
    let compared_to = status
        .sync
        .compared_to
        .as_ref()
        .map(|c| match c.source.as_ref() {
            Some(s) if c.sources.is_empty() => vec![source_ref(s)],
            _ => c.sources.iter().map(source_ref).collect(),
        })
        .unwrap_or_default();
    let target_revisions = sources
        .iter()
        .map(|s| clean_value(s.target_revision.0.clone()))
        .collect();
    let repo_urls = sources
        .iter()
        .map(|s| without_credentials(&clean_value(s.repo_url.0.clone())))
        .collect();

    let git_revisions = texts(status.sync.revisions);
    let git_revision = match text(status.sync.revision) {
        r if r.is_empty() => git_revisions.first().cloned().unwrap_or_default(),
        r => r,
    };
    let auto_sync = spec
        .sync_policy
        .as_ref()
        .and_then(|p| p.automated.as_ref())
        .is_some_and(wire::Automated::is_on);
    let self_heal = auto_sync
        && spec
            .sync_policy
            .as_ref()
            .and_then(|p| p.automated.as_ref())
            .is_some_and(|a| a.self_heal == Some(true));
    let destination_server = match text(spec.destination.server) {
        s if s.is_empty() => text(spec.destination.name),
        s => s,
    };

    let mut operation = status.operation_state.map(operation_state);
    // An operation requested but not started yet (the controller has not picked it up).
    if let Some(op) = pending
        && !operation.as_ref().is_some_and(|o| o.phase.is_running())
    {
        operation = Some(Operation {
            phase: OperationPhase::Running,
            message: "waiting for the controller to start the operation".to_string(),
            started_at: None,
            finished_at: None,
            initiated_by: text(op.initiated_by.username),
            automated: op.initiated_by.automated.unwrap_or(false),
            dry_run: op.sync.as_ref().is_some_and(|s| s.dry_run.unwrap_or(false)),
            revision: op
                .sync
                .map(|s| first_revision(s.revision, s.revisions))
                .unwrap_or_default(),
            failed_resources: Vec::new(),
            results: Vec::new(),
        });
    }

    App {
        key,
        project: text(spec.project),
        labels: clean_labels(map(metadata.labels)),
        annotations: clean_annotations(map(metadata.annotations)),
        sync: SyncStatus::parse(status.sync.status.as_str()),
        health: HealthStatus::parse(status.health.status.as_str()),
        health_message: message(status.health.message),
        health_since: status.health.last_transition_time,
        git_revision,
        git_revisions,
        target_revisions,
        repo_urls,
        multi_source,
        sources: source_refs,
        compared_to,
        conditions: status.conditions.0.into_iter().map(condition).collect(),
        destination_server,
        destination_namespace: text(spec.destination.namespace),
        auto_sync,
        self_heal,
        operation,
        history: status.history.0.into_iter().map(history).collect(),
        images: texts(status.summary.images),
        reconciled_at: status.reconciled_at,
        resources: status.resources.0.into_iter().map(resource).collect(),
        resource_version: text(metadata.resource_version),
        seen_health: Default::default(),
    }
}

fn first_revision(revision: Text, revisions: wire::List<Text>) -> String {
    match text(revision) {
        r if r.is_empty() => texts(revisions).into_iter().next().unwrap_or_default(),
        r => r,
    }
}

fn operation_state(s: wire::OperationState) -> Operation {
    // An unknown phase is shown as an error rather than hidden: the UI must not call it done.
    let phase = OperationPhase::parse(s.phase.as_str()).unwrap_or(OperationPhase::Error);
    let (initiated_by, automated, op_revision, dry_run) = match s.operation {
        Some(op) => (
            text(op.initiated_by.username),
            op.initiated_by.automated.unwrap_or(false),
            op.sync
                .as_ref()
                .map(|s| first_revision(s.revision.clone(), s.revisions.clone()))
                .unwrap_or_default(),
            op.sync.is_some_and(|s| s.dry_run.unwrap_or(false)),
        ),
        None => (String::new(), false, String::new(), false),
    };
    let (result_revision, failed_resources, results) = match s.sync_result {
        Some(r) => {
            let mut failed = Vec::new();
            let mut results = Vec::new();
            for res in r.resources.0 {
                let result = ResourceResult {
                    kind: text(res.kind),
                    namespace: text(res.namespace),
                    name: text(res.name),
                    status: text(res.status),
                    message: message(res.message),
                };
                if result.status == "SyncFailed"
                    || matches!(res.hook_phase.as_str(), "Failed" | "Error")
                {
                    let what = if result.namespace.is_empty() {
                        format!("{}/{}", result.kind, result.name)
                    } else {
                        format!("{}/{}/{}", result.kind, result.namespace, result.name)
                    };
                    failed.push(match result.message.as_str() {
                        "" => what,
                        m => format!("{what}: {m}"),
                    });
                }
                results.push(result);
            }
            (first_revision(r.revision, r.revisions), failed, results)
        }
        None => (String::new(), Vec::new(), Vec::new()),
    };
    Operation {
        phase,
        message: message(s.message),
        started_at: s.started_at,
        finished_at: s.finished_at,
        initiated_by,
        automated,
        revision: if op_revision.is_empty() {
            result_revision
        } else {
            op_revision
        },
        failed_resources,
        dry_run,
        results,
    }
}

fn history(h: wire::RevisionHistory) -> HistoryEntry {
    let revisions = texts(h.revisions);
    let revision = match text(h.revision) {
        r if r.is_empty() => revisions.first().cloned().unwrap_or_default(),
        r => r,
    };
    HistoryEntry {
        // A missing id cannot be rolled back to; -1 never matches a real entry.
        id: h.id.0.unwrap_or(-1),
        revision,
        revisions,
        deployed_at: h.deployed_at,
        deploy_started_at: h.deploy_started_at,
        initiated_by: text(h.initiated_by.username),
        automated: h.initiated_by.automated.unwrap_or(false),
        sources: match h.source {
            Some(s) if h.sources.is_empty() => vec![source_ref(&s)],
            _ => h.sources.iter().map(source_ref).collect(),
        },
    }
}

/// A repository URL without `user:token@` (Argo CD keeps credentials elsewhere, but an
/// Application's `repoURL` can carry them): it is shown, copied, opened and exported. The same
/// rule as `SourceSpec::display_url`; text `url` cannot parse (scp-like `git@host:path`) or that
/// has no credentials stays exactly as sent.
pub fn without_credentials(repo: &str) -> String {
    match url::Url::parse(repo) {
        Ok(mut u) if !u.username().is_empty() || u.password().is_some() => {
            let _ = u.set_username("");
            let _ = u.set_password(None);
            u.to_string()
        }
        _ => repo.to_string(),
    }
}

/// A source as sitrep compares it: the names cleaned, the whole source fingerprinted.
pub fn source_ref(s: &wire::AppSource) -> SourceRef {
    use std::hash::Hasher;
    let mut h = crate::model::fasthash::Fnv::default();
    for part in [
        s.repo_url.as_str(),
        s.path.as_str(),
        s.chart.as_str(),
        s.target_revision.as_str(),
        s.reference.as_str(),
        s.name.as_str(),
    ] {
        h.write(part.as_bytes());
        h.write(&[0]);
    }
    for extra in [&s.helm, &s.kustomize, &s.directory, &s.plugin] {
        // serde_json's maps are ordered: the same object prints the same text.
        if let Some(v) = extra.as_ref().filter(|v| !v.is_null()) {
            h.write(v.to_string().as_bytes());
        }
        h.write(&[1]);
    }
    SourceRef {
        repo_url: without_credentials(&clean_value(s.repo_url.0.clone())),
        path: clean_value(s.path.0.clone()),
        chart: clean_value(s.chart.0.clone()),
        target_revision: clean_value(s.target_revision.0.clone()),
        reference: clean_value(s.reference.0.clone()),
        fingerprint: h.finish(),
    }
}

fn condition(c: wire::Condition) -> Condition {
    Condition {
        kind: text(c.kind),
        message: message(c.message),
        since: c.last_transition_time,
    }
}

fn resource(r: wire::ResourceStatus) -> ResourceStatus {
    let (health, health_message) = match r.health {
        Some(h) if !h.status.is_empty() => (
            Some(HealthStatus::parse(h.status.as_str())),
            message(h.message),
        ),
        _ => (None, String::new()),
    };
    ResourceStatus {
        group: text(r.group),
        kind: text(r.kind),
        namespace: text(r.namespace),
        name: text(r.name),
        sync: SyncStatus::parse(r.status.as_str()),
        health,
        health_message,
        requires_pruning: r.requires_pruning.unwrap_or(false),
    }
}

/// The resource tree: managed nodes, then orphans.
pub fn tree(t: wire::ApplicationTree) -> Vec<TreeNode> {
    t.nodes
        .0
        .into_iter()
        .chain(t.orphaned_nodes.0)
        .map(|n| {
            let (health, health_message) = match n.health {
                Some(h) if !h.status.is_empty() => (
                    Some(HealthStatus::parse(h.status.as_str())),
                    message(h.message),
                ),
                _ => (None, String::new()),
            };
            TreeNode {
                kind: text(n.kind),
                namespace: text(n.namespace),
                name: text(n.name),
                uid: text(n.uid),
                parent_uids: n
                    .parent_refs
                    .0
                    .into_iter()
                    .map(|p| text(p.uid))
                    .filter(|u| !u.is_empty())
                    .collect(),
                health,
                health_message,
                images: texts(n.images),
                info: n
                    .info
                    .0
                    .into_iter()
                    .map(|i| (text(i.name), text(i.value)))
                    .collect(),
                created_at: n.created_at,
            }
        })
        .collect()
}

/// Kubernetes events, most recent first.
pub fn events(list: wire::EventList) -> Vec<KubeEvent> {
    let mut out: Vec<KubeEvent> = list
        .items
        .0
        .into_iter()
        .map(|e| KubeEvent {
            kind: text(e.involved_object.kind),
            name: text(e.involved_object.name),
            reason: text(e.reason),
            message: message(e.message),
            event_type: text(e.event_type),
            count: e
                .count
                .0
                .map(|c| c.clamp(0, u32::MAX as i64) as u32)
                .unwrap_or(1),
            last_seen: e.last_timestamp.or(e.event_time).or(e.first_timestamp),
        })
        .collect();
    out.sort_by_key(|e| std::cmp::Reverse(e.last_seen));
    out
}

#[cfg(test)]
mod tests;
