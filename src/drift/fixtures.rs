//! Apps and managed-resources answers for the drift tests (classification, grouping, update).

use crate::drift::{AppDrift, ChangedPath, FieldWriter, ResourceChange, ResourceDiff};
use crate::model::alert::Labels;
use crate::model::app::{
    App, AppKey, Condition, HealthStatus, HistoryEntry, ResourceStatus, SourceRef, SyncStatus,
};
use chrono::{DateTime, TimeZone, Utc};

pub fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 23, 3, 0, 0).unwrap()
}

pub fn key(name: &str) -> AppKey {
    AppKey {
        instance: "argocd".into(),
        namespace: "argocd".into(),
        name: name.into(),
    }
}

/// A Git source of `repo` at `path`; the fingerprint stands for the whole source.
pub fn git_source(repo: &str, path: &str, target: &str) -> SourceRef {
    let mut s = SourceRef {
        repo_url: repo.into(),
        path: path.into(),
        chart: String::new(),
        target_revision: target.into(),
        reference: String::new(),
        fingerprint: 0,
    };
    s.fingerprint = fingerprint(&s, "");
    s
}

pub fn chart_source(repo: &str, chart: &str, version: &str) -> SourceRef {
    let mut s = SourceRef {
        repo_url: repo.into(),
        path: String::new(),
        chart: chart.into(),
        target_revision: version.into(),
        reference: String::new(),
        fingerprint: 0,
    };
    s.fingerprint = fingerprint(&s, "");
    s
}

/// Fingerprint of a source plus `extra` (Helm values, parameters) as the converter would.
pub fn fingerprint(s: &SourceRef, extra: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for part in [
        &s.repo_url,
        &s.path,
        &s.chart,
        &s.target_revision,
        &s.reference,
    ] {
        for b in part.bytes().chain(std::iter::once(0)) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x100_0000_01b3);
        }
    }
    for b in extra.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x100_0000_01b3);
    }
    h
}

/// An app deployed at `deployed` from `source`, compared now at `compared` (same source).
pub fn app(name: &str, sync: SyncStatus, source: SourceRef, deployed: &str, compared: &str) -> App {
    App {
        key: key(name),
        project: "default".into(),
        labels: Labels::new(),
        annotations: Labels::new(),
        sync,
        health: HealthStatus::Healthy,
        health_message: String::new(),
        health_since: None,
        git_revision: compared.into(),
        git_revisions: vec![],
        target_revisions: vec![source.target_revision.clone()],
        repo_urls: vec![source.repo_url.clone()],
        multi_source: false,
        sources: vec![source.clone()],
        compared_to: vec![source.clone()],
        conditions: vec![],
        destination_server: "https://kubernetes.default.svc".into(),
        destination_namespace: name.into(),
        auto_sync: false,
        self_heal: false,
        operation: None,
        history: vec![HistoryEntry {
            id: 1,
            revision: deployed.into(),
            revisions: vec![],
            deployed_at: Some(t0()),
            deploy_started_at: None,
            initiated_by: String::new(),
            automated: true,
            sources: vec![source],
        }],
        images: vec![],
        reconciled_at: Some(t0()),
        resources: vec![],
        resource_version: "1".into(),
        seen_health: Default::default(),
    }
}

pub fn condition(kind: &str, message: &str) -> Condition {
    Condition {
        kind: kind.into(),
        message: message.into(),
        since: None,
    }
}

pub fn resource(
    kind: &str,
    name: &str,
    sync: SyncStatus,
    health: Option<HealthStatus>,
) -> ResourceStatus {
    ResourceStatus {
        group: "apps".into(),
        kind: kind.into(),
        namespace: "default".into(),
        name: name.into(),
        sync,
        health,
        health_message: String::new(),
        requires_pruning: false,
    }
}

/// A modified resource whose `paths` were last written by `manager`.
pub fn modified(kind: &str, name: &str, paths: &[&str], manager: Option<&str>) -> ResourceDiff {
    ResourceDiff {
        group: "apps".into(),
        kind: kind.into(),
        namespace: "default".into(),
        name: name.into(),
        change: ResourceChange::Modified,
        lines: vec![],
        hunks: vec![],
        added: 1,
        removed: 1,
        paths: paths
            .iter()
            .map(|p| ChangedPath {
                path: (*p).into(),
                writer: manager.map(|m| FieldWriter {
                    manager: m.into(),
                    operation: "Update".into(),
                    subresource: String::new(),
                    time: Some(t0()),
                }),
            })
            .collect(),
        masked: false,
        note: None,
    }
}

pub fn drift_of(a: &App, resources: Vec<ResourceDiff>, error: Option<&str>) -> AppDrift {
    AppDrift {
        key: a.key.clone(),
        resource_version: a.resource_version.clone(),
        fetched_at: t0(),
        resources,
        error: error.map(str::to_string),
    }
}
